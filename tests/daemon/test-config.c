/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Options, keyfile config, paths and the access decision of the daemon core. */

#include <glib.h>

#include "daemon/config.h"
#include "daemon/daemon-priv.h"
#include "util/error.h"

static void test_options(void)
{
    DaemonOptions opts = { 0 };
    g_autoptr(GError) error = NULL;
    char *args[] = { (char *)"d",  (char *)"--root",  (char *)"/tmp/r", (char *)"-t", (char *)"30",
                     (char *)"-f", (char *)"/x.conf", (char *)"-v",     NULL };
    char **argv = args;
    int argc = 8;

    g_assert_true(daemon_options_parse(&opts, &argc, &argv, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(opts.root, ==, "/tmp/r");
    g_assert_cmpint(opts.timeout, ==, 30);
    g_assert_cmpstr(opts.config_file, ==, "/x.conf");
    g_assert_true(opts.verbose);
    g_assert_false(opts.version);
    daemon_options_clear(&opts);
}

static void test_options_bad(void)
{
    const char *cases[][3] = {
        { "d", "--timeout", "-5" },
        { "d", "--frobnicate", "1" },
        { "d", "stray", NULL },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        DaemonOptions opts = { 0 };
        g_autoptr(GError) error = NULL;
        char *args[4] = { (char *)cases[i][0], (char *)cases[i][1], (char *)cases[i][2], NULL };
        char **argv = args;
        int argc = cases[i][2] ? 3 : 2;

        g_assert_false(daemon_options_parse(&opts, &argc, &argv, &error));
        g_assert_nonnull(error);
        g_assert_null(opts.root);
    }
}

static void test_config_defaults(void)
{
    DaemonConfig config;

    daemon_config_init(&config, true);
    g_assert_cmpuint(config.unix_sock_rw_perms, ==, 0600);
    g_assert_cmpuint(config.unix_sock_ro_perms, ==, 0777);
    g_assert_cmpuint(config.unix_sock_admin_perms, ==, 0700);
    g_assert_cmpuint(config.max_client_requests, ==, 5);
    g_assert_cmpint(config.keepalive_interval, ==, 5);
    g_assert_cmpuint(config.keepalive_count, ==, 5);
    g_assert_cmpuint(config.poll_max_us, ==, 200);
    daemon_config_clear(&config);
    daemon_config_init(&config, false);
    g_assert_cmpuint(config.unix_sock_rw_perms, ==, 0700);
    daemon_config_clear(&config);
}

static void test_config_load(void)
{
    const char *text = "[daemon]\n"
                       "unix_sock_rw_perms = 0660\n"
                       "unix_sock_group = libvirt\n"
                       "max_clients = 10\n"
                       "max_workers = 3\n"
                       "max_client_requests = 2\n"
                       "keepalive_interval = -1\n"
                       "keepalive_count = 0\n"
                       "poll_max_us = 0\n"
                       "log_level = 1\n"
                       "log_filters = 1:rpc 3:conf\n";
    g_autoptr(GError) error = NULL;
    DaemonConfig config;

    daemon_config_init(&config, true);
    g_assert_true(daemon_config_load_data(&config, text, -1, "t.conf", &error));
    g_assert_no_error(error);
    g_assert_cmpuint(config.unix_sock_rw_perms, ==, 0660);
    g_assert_cmpstr(config.unix_sock_group, ==, "libvirt");
    g_assert_cmpuint(config.max_clients, ==, 10);
    g_assert_cmpuint(config.max_workers, ==, 3);
    g_assert_cmpuint(config.max_client_requests, ==, 2);
    g_assert_cmpint(config.keepalive_interval, ==, -1);
    g_assert_cmpuint(config.keepalive_count, ==, 0);
    g_assert_cmpuint(config.poll_max_us, ==, 0);
    g_assert_cmpint(config.log_level, ==, 1);
    g_assert_cmpstr(config.log_filters, ==, "1:rpc 3:conf");
    daemon_config_clear(&config);
}

static void test_config_bad(void)
{
    const char *cases[] = {
        "[daemon]\nunix_sock_rw_perms = 0999\n",
        "[daemon]\nunix_sock_ro_perms = rw\n",
        "[daemon]\nmax_workers = 0\n",
        "[daemon]\nmax_client_requests = many\n",
        "[daemon]\nlog_level = 9\n",
        "[daemon]\npoll_max_us = 10001\n",
        "[daemon]\npoll_max_us = -1\n",
        "not a keyfile",
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        DaemonConfig config;

        daemon_config_init(&config, true);
        g_assert_false(daemon_config_load_data(&config, cases[i], -1, "bad.conf", &error));
        g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_CONF_SYNTAX);
        g_assert_nonnull(strstr(error->message, "bad.conf"));
        /* untouched on failure */
        g_assert_cmpuint(config.unix_sock_rw_perms, ==, 0600);
        g_assert_cmpuint(config.max_workers, ==, 20);
        daemon_config_clear(&config);
    }
}

static void test_config_missing_file(void)
{
    g_autoptr(GError) error = NULL;
    DaemonConfig config;

    daemon_config_init(&config, true);
    g_assert_true(daemon_config_load_file(&config, "/nonexistent/x.conf", false, &error));
    g_assert_no_error(error);
    g_assert_false(daemon_config_load_file(&config, "/nonexistent/x.conf", true, &error));
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_OPEN_FAILED);
    daemon_config_clear(&config);
}

static void test_paths(void)
{
    DaemonOptions opts = { .root = (char *)"/tmp/r" };
    DaemonConfig config;
    DaemonPaths paths;
    g_autoptr(GError) error = NULL;

    daemon_config_init(&config, true);
    g_assert_true(daemon_paths_compute("virtproxyd", "libvirt", true, &opts, &config, NULL, NULL,
                                       &paths, &error));
    g_assert_cmpstr(paths.sockets[DAEMON_SOCKET_RW], ==, "/tmp/r/run/libvirt/libvirt-sock");
    g_assert_cmpstr(paths.sockets[DAEMON_SOCKET_RO], ==, "/tmp/r/run/libvirt/libvirt-sock-ro");
    g_assert_cmpstr(paths.sockets[DAEMON_SOCKET_ADMIN], ==,
                    "/tmp/r/run/libvirt/libvirt-admin-sock");
    g_assert_cmpstr(paths.pid_file, ==, "/tmp/r/run/virtproxyd.pid");
    g_assert_cmpstr(paths.config_file, ==, "/tmp/r/etc/virtkit/virtproxyd.conf");
    daemon_paths_clear(&paths);

    opts.root = NULL;
    g_assert_true(daemon_paths_compute("virtqemud", "virtqemud", true, &opts, &config, NULL, NULL,
                                       &paths, &error));
    g_assert_cmpstr(paths.sockets[DAEMON_SOCKET_RW], ==, "/run/libvirt/virtqemud-sock");
    g_assert_cmpstr(paths.pid_file, ==, "/run/virtqemud.pid");
    daemon_paths_clear(&paths);

    /* session: no read-only socket, runtime dir from the caller */
    g_assert_true(daemon_paths_compute("virtqemud", "virtqemud", false, &opts, &config,
                                       "/run/user/1000", "/home/u/.config", &paths, &error));
    g_assert_cmpstr(paths.sockets[DAEMON_SOCKET_RW], ==, "/run/user/1000/libvirt/virtqemud-sock");
    g_assert_null(paths.sockets[DAEMON_SOCKET_RO]);
    g_assert_cmpstr(paths.sockets[DAEMON_SOCKET_ADMIN], ==,
                    "/run/user/1000/libvirt/virtqemud-admin-sock");
    g_assert_cmpstr(paths.pid_file, ==, "/run/user/1000/libvirt/virtqemud.pid");
    g_assert_cmpstr(paths.config_file, ==, "/home/u/.config/virtkit/virtqemud.conf");
    daemon_paths_clear(&paths);

    g_assert_false(daemon_paths_compute("virtqemud", "virtqemud", false, &opts, &config, NULL, NULL,
                                        &paths, &error));
    g_assert_nonnull(error);
    daemon_config_clear(&config);
}

static void test_paths_sock_dir(void)
{
    DaemonOptions opts = { .root = (char *)"/r" };
    DaemonConfig config;
    DaemonPaths paths;
    g_autoptr(GError) error = NULL;

    daemon_config_init(&config, true);
    config.unix_sock_dir = g_strdup("/var/sock");
    g_assert_true(daemon_paths_compute("virtqemud", "virtqemud", true, &opts, &config, NULL, NULL,
                                       &paths, &error));
    g_assert_cmpstr(paths.sockets[DAEMON_SOCKET_RW], ==, "/r/var/sock/virtqemud-sock");
    daemon_paths_clear(&paths);
    g_free(config.unix_sock_dir);
    config.unix_sock_dir = g_strdup("relative");
    g_assert_false(daemon_paths_compute("virtqemud", "virtqemud", true, &opts, &config, NULL, NULL,
                                        &paths, &error));
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_CONF_SYNTAX);
    daemon_config_clear(&config);
}

static void test_access(void)
{
    /* root is trusted everywhere */
    for (int k = 0; k < _DAEMON_SOCKET_MAX; k++) {
        g_assert_true(access_peer_trusted(k, true, 0, 0));
        g_assert_true(access_peer_trusted(k, false, 1000, 0));
    }
    /* system mode: other users only on the read-only socket */
    g_assert_false(access_peer_trusted(DAEMON_SOCKET_RW, true, 0, 1000));
    g_assert_true(access_peer_trusted(DAEMON_SOCKET_RO, true, 0, 1000));
    g_assert_false(access_peer_trusted(DAEMON_SOCKET_ADMIN, true, 0, 1000));
    /* session mode: the daemon's own user */
    g_assert_true(access_peer_trusted(DAEMON_SOCKET_RW, false, 1000, 1000));
    g_assert_true(access_peer_trusted(DAEMON_SOCKET_ADMIN, false, 1000, 1000));
    g_assert_false(access_peer_trusted(DAEMON_SOCKET_RW, false, 1000, 1001));
    g_assert_false(access_peer_trusted(DAEMON_SOCKET_ADMIN, false, 1000, 1001));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/daemon/config/options", test_options);
    g_test_add_func("/daemon/config/options-bad", test_options_bad);
    g_test_add_func("/daemon/config/defaults", test_config_defaults);
    g_test_add_func("/daemon/config/load", test_config_load);
    g_test_add_func("/daemon/config/bad", test_config_bad);
    g_test_add_func("/daemon/config/missing-file", test_config_missing_file);
    g_test_add_func("/daemon/paths/layout", test_paths);
    g_test_add_func("/daemon/paths/sock-dir", test_paths_sock_dir);
    g_test_add_func("/daemon/access/peer", test_access);
    return g_test_run();
}
