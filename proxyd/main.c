/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyd: the legacy libvirt-sock / libvirt-sock-ro endpoint. qemu, xen, lxc and
 * bhyve URIs are routed to their driver daemons (proxyd.h); test:/// is served by the
 * in-process test driver (test:///default, test:///PATH.xml). test:///default lives
 * as long as the daemon, not as long as its last client (libvirtd drops it then).
 * It calls itself "virtproxyd" so its units, pid and config file carry libvirt's
 * virtproxyd names; the executable is "proxyd".
 */

#include "daemon/daemon.h"
#include "driver/test-driver.h"
#include "proxyd.h"

static bool proxyd_init(const DaemonPaths *paths, GError **error)
{
    return proxyd_router_init(paths, error) && test_driver_default_hold(error);
}

static void proxyd_shutdown(void)
{
    test_driver_default_release();
    proxyd_router_shutdown();
}

static const DaemonInfo proxyd_info = {
    .name = "virtproxyd",
    .sock_prefix = "libvirt",
    .driver_scheme = "test",
    .default_uri = "test:///default",
    .init = proxyd_init,
    .shutdown = proxyd_shutdown,
    .router = &proxyd_router,
};

int main(int argc, char **argv)
{
    return daemon_run(&test_driver_ops, &proxyd_info, argc, argv);
}
