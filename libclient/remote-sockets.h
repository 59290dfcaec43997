/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Which unix socket a remote connection uses, chosen as libvirt's client does
 * (src/remote/remote_sockets.c): the driver daemon's own <daemon>-sock when it
 * exists, else the legacy libvirt-sock; -sock-ro for read-only system connections;
 * $XDG_RUNTIME_DIR/libvirt in session mode, /var/run/libvirt in system mode; ?socket=
 * overrides everything. In session mode a missing daemon is started.
 *
 * The choice is pure (remote_sockets_plan): the environment and a "does this socket
 * exist" probe come in as arguments. Connecting and autostarting do the I/O.
 */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "util/enum-table.h"
#include "util/uri.h"

typedef struct RpcClient RpcClient;

/* libvirt's remote_mode: auto probes, legacy = libvirt-sock, direct = <daemon>-sock */
typedef enum RemoteSocketMode {
    REMOTE_SOCKET_MODE_AUTO,
    REMOTE_SOCKET_MODE_LEGACY,
    REMOTE_SOCKET_MODE_DIRECT,
    _REMOTE_SOCKET_MODE_MAX,
    _REMOTE_SOCKET_MODE_INVALID = -EINVAL,
} RemoteSocketMode;

ENUM_TABLE_DECLARE(remote_socket_mode, RemoteSocketMode);

/* What the choice depends on besides the URI. */
typedef struct RemoteSocketEnv {
    uid_t uid;
    const char *runtime_root;    /* $VIRTKIT_RUNTIME_ROOT: the daemons' --root, or NULL */
    const char *xdg_runtime_dir; /* $XDG_RUNTIME_DIR */
    const char *autostart;       /* $LIBVIRT_AUTOSTART: "0" disables autostart */
    const char *daemon_path;     /* $VIRTD_PATH (or $LIBVIRTD_PATH): the daemon to start */
    const char *sbindir;         /* where installed daemons live */
} RemoteSocketEnv;

typedef bool (*RemoteSocketExistsFunc)(const char *path, void *user_data);

typedef struct RemoteSocketPlan {
    char *path;        /* the socket to connect to */
    bool session;      /* per-user daemon */
    char *daemon_path; /* executable to start when @path is missing; NULL: never */
    char *root;        /* --root to give it, or NULL */
} RemoteSocketPlan;

void remote_socket_plan_clear(RemoteSocketPlan *plan);
void remote_socket_env_from_environ(RemoteSocketEnv *ret_env);

bool remote_sockets_plan(const VirtUri *uri, bool readonly, const RemoteSocketEnv *env,
                         RemoteSocketExistsFunc exists, void *exists_data,
                         RemoteSocketPlan *ret_plan, GError **error);

/* I/O: connect, starting the daemon first when the plan allows it. */
RpcClient *remote_sockets_connect(const RemoteSocketPlan *plan, GError **error);
bool remote_socket_exists(const char *path, void *user_data);
