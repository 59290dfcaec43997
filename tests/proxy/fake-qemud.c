/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A tests-only driver daemon for proxyd's tests: the daemon core with the in-memory
 * test driver, answering qemu:///system and qemu:///session as "virtqemud" on the
 * virtqemud sockets. It is what the splice and the routing are tested against where
 * the real virtqemud is not needed.
 */

#include <string.h>

#include "daemon/daemon.h"
#include "driver/test-driver.h"
#include "util/error.h"
#include "util/uri.h"

static DriverOps fake_ops;
static GMutex fake_lock;
static GHashTable *fake_uris; /* DriverConn* -> the URI it was opened with */

static bool fake_open(const VirtUri *uri, unsigned int flags, DriverEventFunc cb, void *data,
                      DriverConn **ret_conn, GError **error)
{
    g_autoptr(VirtUri) test_uri = NULL;
    DriverConn *conn = NULL;

    if (g_strcmp0(uri->path, "/system") != 0 && g_strcmp0(uri->path, "/session") != 0) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "unexpected QEMU URI path '%s', try qemu:///system", uri->path);
        return false;
    }
    test_uri = virt_uri_parse("test:///default", error);
    if (!test_uri || !test_driver_ops.connect_open(test_uri, flags, cb, data, &conn, error))
        return false;
    g_mutex_lock(&fake_lock);
    g_hash_table_insert(fake_uris, conn, virt_uri_format(uri));
    g_mutex_unlock(&fake_lock);
    *ret_conn = conn;
    return true;
}

static void fake_close(DriverConn *conn)
{
    g_mutex_lock(&fake_lock);
    g_hash_table_remove(fake_uris, conn);
    g_mutex_unlock(&fake_lock);
    test_driver_ops.connect_close(conn);
}

static char *fake_get_uri(DriverConn *conn, GError **error)
{
    char *uri;

    g_mutex_lock(&fake_lock);
    uri = g_strdup(g_hash_table_lookup(fake_uris, conn));
    g_mutex_unlock(&fake_lock);
    return uri;
}

static bool fake_init(const DaemonPaths *paths, GError **error)
{
    return test_driver_default_hold(error);
}

static void fake_shutdown(void)
{
    test_driver_default_release();
}

static const DaemonInfo fake_info = {
    .name = "virtqemud",
    .sock_prefix = "virtqemud",
    .driver_scheme = "qemu",
    .init = fake_init,
    .shutdown = fake_shutdown,
};

int main(int argc, char **argv)
{
    fake_ops = test_driver_ops;
    fake_ops.connect_open = fake_open;
    fake_ops.connect_close = fake_close;
    fake_ops.connect_get_uri = fake_get_uri;
    fake_uris = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    return daemon_run(&fake_ops, &fake_info, argc, argv);
}
