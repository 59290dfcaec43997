/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Daemon options, keyfile config and paths: pure code, no I/O but reading the config. */

#include <errno.h>
#include <stdlib.h>

#include "daemon/config.h"
#include "util/error.h"

ENUM_TABLE_DEFINE(daemon_socket_kind, DaemonSocketKind,
                  _DAEMON_SOCKET_MAX, [DAEMON_SOCKET_RW] = "rw", [DAEMON_SOCKET_RO] = "ro",
                  [DAEMON_SOCKET_ADMIN] = "admin");

#define CONFIG_GROUP "daemon"

/* Hard ceilings so that a typo in the config cannot make the daemon unusable. */
#define MAX_CLIENTS_LIMIT 100000u
#define MAX_WORKERS_LIMIT 1024u
#define MAX_CLIENT_REQUESTS_LIMIT 10000u

void daemon_options_clear(DaemonOptions *opts)
{
    g_clear_pointer(&opts->root, g_free);
    g_clear_pointer(&opts->config_file, g_free);
    g_clear_pointer(&opts->pid_file, g_free);
}

/**
 * daemon_options_parse - parse the common daemon command line
 * @opts: zero-initialized options, filled in
 * @argc: argument count, updated to what is left
 * @argv: arguments, updated to what is left
 * @error: set on an unknown or malformed option
 *
 * Accepts --root, -t/--timeout, -f/--config, -p/--pid-file, -v/--verbose and
 * -V/--version. Positional arguments are refused.
 */
bool daemon_options_parse(DaemonOptions *opts, int *argc, char ***argv, GError **error)
{
    g_autofree char *root = NULL;
    g_autofree char *config = NULL;
    g_autofree char *pid_file = NULL;
    gboolean verbose = FALSE;
    gboolean version = FALSE;
    int timeout = 0;
    GOptionEntry entries[] = {
        { "root", 0, 0, G_OPTION_ARG_FILENAME, &root, "keep every file below DIR", "DIR" },
        { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, "exit after SECS idle", "SECS" },
        { "config", 'f', 0, G_OPTION_ARG_FILENAME, &config, "configuration file", "FILE" },
        { "pid-file", 'p', 0, G_OPTION_ARG_FILENAME, &pid_file, "pid file", "FILE" },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "log debug messages", NULL },
        { "version", 'V', 0, G_OPTION_ARG_NONE, &version, "print the version", NULL },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_help_enabled(ctx, TRUE);
    if (!g_option_context_parse(ctx, argc, argv, error))
        return false;
    if (*argc > 1) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "unexpected argument '%s'",
                    (*argv)[1]);
        return false;
    }
    if (timeout < 0) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "invalid timeout %d: must be >= 0", timeout);
        return false;
    }
    opts->root = g_steal_pointer(&root);
    opts->config_file = g_steal_pointer(&config);
    opts->pid_file = g_steal_pointer(&pid_file);
    opts->timeout = timeout;
    opts->verbose = verbose;
    opts->version = version;
    return true;
}

/**
 * daemon_config_init - fill @config with the defaults
 * @config: the config to fill
 * @privileged: system mode
 *
 * Defaults match libvirt's daemons built without polkit: a root-only rw socket, a
 * world-connectable read-only socket, a root-only admin socket.
 */
void daemon_config_init(DaemonConfig *config, bool privileged)
{
    *config = (DaemonConfig){
        .unix_sock_rw_perms = privileged ? 0600 : 0700,
        .unix_sock_ro_perms = 0777,
        .unix_sock_admin_perms = 0700,
        .max_clients = 5000,
        .max_workers = 20,
        .max_client_requests = 5,
        .keepalive_interval = 5,
        .keepalive_count = 5,
        /* two maximum-size messages: a client that leaves more unread is not reading */
        .max_client_queue = 2u * 33554432u,
        /* longer than python3-libvirt takes between two calls in a loop (60-100 µs) */
        .poll_max_us = 200,
        .log_level = 3,
    };
}

void daemon_config_clear(DaemonConfig *config)
{
    g_clear_pointer(&config->unix_sock_dir, g_free);
    g_clear_pointer(&config->unix_sock_group, g_free);
    g_clear_pointer(&config->log_filters, g_free);
    g_clear_pointer(&config->log_outputs, g_free);
}

static bool config_get_perms(GKeyFile *kf, const char *key, unsigned int *value, GError **error)
{
    g_autofree char *str = g_key_file_get_string(kf, CONFIG_GROUP, key, NULL);
    char *end = NULL;
    unsigned long perms;

    if (!str)
        return true;
    errno = 0;
    perms = strtoul(str, &end, 8);
    if (errno || end == str || *end || perms > 07777) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_CONF_SYNTAX,
                    "invalid %s '%s': expected an octal mode such as '0600'", key, str);
        return false;
    }
    *value = perms;
    return true;
}

static bool config_get_uint(GKeyFile *kf, const char *key, unsigned int min, unsigned int max,
                            unsigned int *value, GError **error)
{
    g_autoptr(GError) local = NULL;
    guint64 v;

    if (!g_key_file_has_key(kf, CONFIG_GROUP, key, NULL))
        return true;
    v = g_key_file_get_uint64(kf, CONFIG_GROUP, key, &local);
    if (local || v < min || v > max) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_CONF_SYNTAX,
                    "invalid %s: expected an integer from %u to %u", key, min, max);
        return false;
    }
    *value = (unsigned int)v;
    return true;
}

static bool config_get_int(GKeyFile *kf, const char *key, int min, int max, int *value,
                           GError **error)
{
    g_autoptr(GError) local = NULL;
    int v;

    if (!g_key_file_has_key(kf, CONFIG_GROUP, key, NULL))
        return true;
    v = g_key_file_get_integer(kf, CONFIG_GROUP, key, &local);
    if (local || v < min || v > max) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_CONF_SYNTAX,
                    "invalid %s: expected an integer from %d to %d", key, min, max);
        return false;
    }
    *value = v;
    return true;
}

static void config_get_string(GKeyFile *kf, const char *key, char **value)
{
    char *str = g_key_file_get_string(kf, CONFIG_GROUP, key, NULL);

    if (!str)
        return;
    g_free(*value);
    *value = str;
}

static bool config_apply(DaemonConfig *config, GKeyFile *kf, GError **error)
{
    unsigned int queue_mib = (unsigned int)(config->max_client_queue >> 20);

    if (!config_get_perms(kf, "unix_sock_rw_perms", &config->unix_sock_rw_perms, error) ||
        !config_get_perms(kf, "unix_sock_ro_perms", &config->unix_sock_ro_perms, error) ||
        !config_get_perms(kf, "unix_sock_admin_perms", &config->unix_sock_admin_perms, error))
        return false;
    if (!config_get_uint(kf, "max_clients", 1, MAX_CLIENTS_LIMIT, &config->max_clients, error) ||
        !config_get_uint(kf, "max_workers", 1, MAX_WORKERS_LIMIT, &config->max_workers, error) ||
        !config_get_uint(kf, "max_client_requests", 1, MAX_CLIENT_REQUESTS_LIMIT,
                         &config->max_client_requests, error) ||
        !config_get_int(kf, "keepalive_interval", -1, 3600, &config->keepalive_interval, error) ||
        !config_get_uint(kf, "keepalive_count", 0, 1000, &config->keepalive_count, error) ||
        !config_get_uint(kf, "max_client_queue_mib", 1, 4096, &queue_mib, error) ||
        !config_get_uint(kf, "poll_max_us", 0, 10000, &config->poll_max_us, error) ||
        !config_get_int(kf, "log_level", 1, 4, &config->log_level, error))
        return false;
    config->max_client_queue = (size_t)queue_mib << 20;
    config_get_string(kf, "unix_sock_dir", &config->unix_sock_dir);
    config_get_string(kf, "unix_sock_group", &config->unix_sock_group);
    config_get_string(kf, "log_filters", &config->log_filters);
    config_get_string(kf, "log_outputs", &config->log_outputs);
    return true;
}

/**
 * daemon_config_load_data - apply keyfile text on top of @config
 * @config: config holding defaults; changed only on success
 * @data: keyfile text, keys in group [daemon]
 * @len: length of @data
 * @origin: file name for messages
 * @error: set on syntax errors and out-of-range values
 */
bool daemon_config_load_data(DaemonConfig *config, const char *data, gsize len, const char *origin,
                             GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) local = NULL;
    DaemonConfig tmp = *config;

    if (!g_key_file_load_from_data(kf, data, len, G_KEY_FILE_NONE, &local)) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_CONF_SYNTAX, "config '%s': %s", origin,
                    local->message);
        return false;
    }
    /* work on copies of the strings so that a failure leaves @config untouched */
    tmp.unix_sock_dir = g_strdup(config->unix_sock_dir);
    tmp.unix_sock_group = g_strdup(config->unix_sock_group);
    tmp.log_filters = g_strdup(config->log_filters);
    tmp.log_outputs = g_strdup(config->log_outputs);
    if (!config_apply(&tmp, kf, &local)) {
        daemon_config_clear(&tmp);
        g_set_error(error, local->domain, local->code, "config '%s': %s", origin, local->message);
        return false;
    }
    daemon_config_clear(config);
    *config = tmp;
    return true;
}

/**
 * daemon_config_load_file - apply the config file at @path
 * @config: config holding defaults
 * @path: file to read
 * @must_exist: whether a missing file is an error (an explicit --config)
 * @error: set on failure
 */
bool daemon_config_load_file(DaemonConfig *config, const char *path, bool must_exist,
                             GError **error)
{
    g_autofree char *data = NULL;
    g_autoptr(GError) local = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &data, &len, &local)) {
        if (!must_exist && g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return true;
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_OPEN_FAILED, "cannot read config '%s': %s",
                    path, local->message);
        return false;
    }
    return daemon_config_load_data(config, data, len, path, error);
}

void daemon_paths_clear(DaemonPaths *paths)
{
    g_clear_pointer(&paths->run_dir, g_free);
    for (int i = 0; i < _DAEMON_SOCKET_MAX; i++)
        g_clear_pointer(&paths->sockets[i], g_free);
    g_clear_pointer(&paths->pid_file, g_free);
    g_clear_pointer(&paths->config_file, g_free);
    g_clear_pointer(&paths->state_root, g_free);
}

/**
 * daemon_paths_default_config - where the daemon's config lives unless --config says
 * @daemon_name: "virtqemud", "virtproxyd", ...
 * @privileged: system mode
 * @root: --root or NULL
 * @config_home: $XDG_CONFIG_HOME (session mode without --root)
 *
 * Our config is a keyfile, not libvirt's format, so it lives in etc/virtkit/ and
 * never collides with an installed libvirt's /etc/libvirt/<daemon>.conf.
 */
char *daemon_paths_default_config(const char *daemon_name, bool privileged, const char *root,
                                  const char *config_home)
{
    g_autofree char *file = g_strdup_printf("%s.conf", daemon_name);

    if (root)
        return g_build_filename(root, "etc", "virtkit", file, NULL);
    if (privileged || !config_home)
        return g_build_filename("/etc", "virtkit", file, NULL);
    return g_build_filename(config_home, "virtkit", file, NULL);
}

static char *paths_run_dir(bool privileged, const DaemonOptions *opts, const DaemonConfig *config,
                           const char *runtime_dir, GError **error)
{
    if (config->unix_sock_dir) {
        if (!g_path_is_absolute(config->unix_sock_dir)) {
            g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_CONF_SYNTAX,
                        "unix_sock_dir '%s' is not an absolute path", config->unix_sock_dir);
            return NULL;
        }
        if (opts->root)
            return g_build_filename(opts->root, config->unix_sock_dir, NULL);
        return g_strdup(config->unix_sock_dir);
    }
    /* with --root both modes use the system layout below it: tests and containers
     * then find the sockets at the same place whoever runs the daemon */
    if (opts->root)
        return g_build_filename(opts->root, "run", "libvirt", NULL);
    if (privileged)
        return g_strdup("/run/libvirt");
    if (!runtime_dir || !*runtime_dir) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "XDG_RUNTIME_DIR is not set; pass --root for a session daemon");
        return NULL;
    }
    return g_build_filename(runtime_dir, "libvirt", NULL);
}

/**
 * daemon_paths_compute - derive every path of a daemon
 * @daemon_name: "virtqemud", "virtproxyd", ...
 * @sock_prefix: socket name prefix: "virtqemud", "libvirt"
 * @privileged: system mode (root): adds the read-only socket
 * @opts: command line (root, pid file)
 * @config: config (unix_sock_dir)
 * @runtime_dir: $XDG_RUNTIME_DIR
 * @config_home: $XDG_CONFIG_HOME
 * @ret_paths: filled on success
 * @error: set when no directory can be derived
 */
bool daemon_paths_compute(const char *daemon_name, const char *sock_prefix, bool privileged,
                          const DaemonOptions *opts, const DaemonConfig *config,
                          const char *runtime_dir, const char *config_home, DaemonPaths *ret_paths,
                          GError **error)
{
    g_autofree char *run_dir = paths_run_dir(privileged, opts, config, runtime_dir, error);
    g_autofree char *pid_name = g_strdup_printf("%s.pid", daemon_name);
    DaemonPaths paths = { .privileged = privileged };

    if (!run_dir)
        return false;
    paths.sockets[DAEMON_SOCKET_RW] = g_strdup_printf("%s/%s-sock", run_dir, sock_prefix);
    /* libvirt's session daemons have no read-only socket: the rw one is owner-only */
    if (privileged)
        paths.sockets[DAEMON_SOCKET_RO] = g_strdup_printf("%s/%s-sock-ro", run_dir, sock_prefix);
    paths.sockets[DAEMON_SOCKET_ADMIN] = g_strdup_printf("%s/%s-admin-sock", run_dir, sock_prefix);
    if (opts->pid_file)
        paths.pid_file = g_strdup(opts->pid_file);
    else if (opts->root)
        paths.pid_file = g_build_filename(opts->root, "run", pid_name, NULL);
    else if (privileged)
        paths.pid_file = g_build_filename("/run", pid_name, NULL);
    else
        paths.pid_file = g_build_filename(run_dir, pid_name, NULL);
    paths.config_file = opts->config_file ? g_strdup(opts->config_file)
                                          : daemon_paths_default_config(daemon_name, privileged,
                                                                        opts->root, config_home);
    paths.state_root = g_strdup(opts->root ? opts->root : "");
    paths.run_dir = g_steal_pointer(&run_dir);
    *ret_paths = paths;
    return true;
}
