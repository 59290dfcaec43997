/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A tests-only daemon: proxyd's test:///default with consoles (console-driver.h) on
 * unix sockets in $VIRTKIT_TEST_CONSOLE_DIR, so libvirt's own clients can open
 * console streams against the daemon core.
 */

#include <stdio.h>
#include <stdlib.h>

#include "console-driver.h"
#include "daemon/daemon.h"
#include "driver/test-driver.h"

static bool console_daemon_init(const DaemonPaths *paths, GError **error)
{
    return test_driver_default_hold(error);
}

static void console_daemon_shutdown(void)
{
    test_driver_default_release();
}

static const DaemonInfo console_daemon_info = {
    .name = "virtconsoled",
    .sock_prefix = "libvirt",
    .driver_scheme = "test",
    .default_uri = "test:///default",
    .init = console_daemon_init,
    .shutdown = console_daemon_shutdown,
};

int main(int argc, char **argv)
{
    DriverOps ops = console_driver_wrap(&test_driver_ops);

    console_driver_dir = getenv("VIRTKIT_TEST_CONSOLE_DIR");
    if (!console_driver_dir) {
        fprintf(stderr, "VIRTKIT_TEST_CONSOLE_DIR must name the consoles' directory\n");
        return 2;
    }
    return daemon_run(&ops, &console_daemon_info, argc, argv);
}
