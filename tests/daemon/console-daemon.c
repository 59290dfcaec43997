/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A tests-only daemon: proxyd's test:///default with consoles (console-driver.h) on
 * unix sockets in $VIRTKIT_TEST_CONSOLE_DIR, so libvirt's own clients can open
 * console streams against the daemon core.
 */

#include <stdio.h>
#include <stdlib.h>

#include "console-driver.h"
#include "fake-driver.h"
#include "daemon/daemon.h"
#include "driver/test-driver.h"

int main(int argc, char **argv)
{
    DriverOps ops = console_driver_wrap(&test_driver_ops);

    console_driver_dir = getenv("VIRTKIT_TEST_CONSOLE_DIR");
    if (!console_driver_dir) {
        fprintf(stderr, "VIRTKIT_TEST_CONSOLE_DIR must name the consoles' directory\n");
        return 2;
    }
    return daemon_run(&ops, &test_driver_daemon_info, argc, argv);
}
