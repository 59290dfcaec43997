/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Daemon configuration: command-line options, the keyfile config and the paths derived
 * from them. Everything here is pure: callers pass in the uid and the environment values
 * that matter, so tests need no real host paths.
 */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "util/enum-table.h"

typedef enum DaemonSocketKind {
    DAEMON_SOCKET_RW,
    DAEMON_SOCKET_RO,
    DAEMON_SOCKET_ADMIN,
    _DAEMON_SOCKET_MAX,
    _DAEMON_SOCKET_INVALID = -EINVAL,
} DaemonSocketKind;

ENUM_TABLE_DECLARE(daemon_socket_kind, DaemonSocketKind);

/* Options from the command line. */
typedef struct DaemonOptions {
    char *root;        /* --root: every path below this directory */
    int timeout;       /* --timeout: idle exit after this many seconds; 0 = never */
    char *config_file; /* --config */
    char *pid_file;    /* --pid-file */
    bool verbose;      /* --verbose */
    bool version;      /* --version */
} DaemonOptions;

/* The keyfile config (group [daemon]); names follow libvirt's daemon config keys. */
typedef struct DaemonConfig {
    char *unix_sock_dir; /* NULL: the mode's default directory */
    char *unix_sock_group;
    unsigned int unix_sock_rw_perms;
    unsigned int unix_sock_ro_perms;
    unsigned int unix_sock_admin_perms;
    unsigned int max_clients;
    unsigned int max_workers;
    unsigned int max_client_requests;
    int keepalive_interval; /* seconds; <= 0 disables server pings */
    unsigned int keepalive_count;
    size_t max_client_queue;  /* bytes of replies/events a client may leave unread */
    unsigned int poll_max_us; /* how long the loop may poll before sleeping; 0 = never */
    int log_level;            /* 1 debug, 2 info, 3 warning, 4 error */
    char *log_filters;        /* "N:match N:match ..." */
    char *log_outputs;        /* "N:stderr" */
} DaemonConfig;

/* Where a daemon keeps its files (DESIGN.md §4). */
typedef struct DaemonPaths {
    bool privileged;                   /* system mode */
    char *run_dir;                     /* socket directory: .../run/libvirt */
    char *sockets[_DAEMON_SOCKET_MAX]; /* NULL for a socket this mode has none of */
    char *pid_file;
    char *config_file; /* default config location; may not exist */
    char *state_root;  /* "" or --root: drivers put their own directories below it */
} DaemonPaths;

/* lifecycle */
void daemon_options_clear(DaemonOptions *opts);
void daemon_config_init(DaemonConfig *config, bool privileged);
void daemon_config_clear(DaemonConfig *config);
void daemon_paths_clear(DaemonPaths *paths);

/* parse */
bool daemon_options_parse(DaemonOptions *opts, int *argc, char ***argv, GError **error);
bool daemon_config_load_data(DaemonConfig *config, const char *data, gsize len, const char *origin,
                             GError **error);
bool daemon_config_load_file(DaemonConfig *config, const char *path, bool must_exist,
                             GError **error);

/* paths: @runtime_dir and @config_home are $XDG_RUNTIME_DIR / $XDG_CONFIG_HOME, used in
 * session mode without --root */
char *daemon_paths_default_config(const char *daemon_name, bool privileged, const char *root,
                                  const char *config_home);
bool daemon_paths_compute(const char *daemon_name, const char *sock_prefix, bool privileged,
                          const DaemonOptions *opts, const DaemonConfig *config,
                          const char *runtime_dir, const char *config_home, DaemonPaths *ret_paths,
                          GError **error);
