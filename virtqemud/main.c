/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtqemud: the server core serving the QEMU driver (qemu:///system as root,
 * qemu:///session otherwise). Guests keep running when the daemon exits; the next
 * start finds them again. The daemon does not exit idle while a guest runs.
 */

#include "daemon/daemon.h"
#include "qemu-driver.h"

static bool virtqemud_init(const DaemonPaths *paths, GError **error)
{
    return qemu_driver_init(paths->privileged, paths->state_root, error);
}

static const DaemonInfo virtqemud_info = {
    .name = "virtqemud",
    .sock_prefix = "virtqemud",
    .driver_scheme = "qemu",
    .init = virtqemud_init,
    .shutdown = qemu_driver_shutdown,
    .inhibit_idle = qemu_driver_inhibit_idle,
};

int main(int argc, char **argv)
{
    return daemon_run(&qemu_driver_ops, &virtqemud_info, argc, argv);
}
