/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Internals of the server core shared by its files (daemon.c, listener.c, client.c,
 * worker.c, dispatch*.c, events.c, admin.c) and by tests. Not for drivers.
 *
 * Threads: the loop thread owns every socket, the client table, write queues, keepalive
 * and event registrations. Worker threads run decoded calls; they touch a Client only
 * through its session lock and hand results back with worker_post().
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <systemd/sd-event.h>

#include "daemon/daemon.h"
#include "daemon/loop-invoke.h"
#include "daemon/loop-run.h"
#include "rpc/keepalive.h"
#include "rpc/message.h"

typedef struct Daemon Daemon;
typedef struct Client Client;
typedef struct Listener Listener;
typedef struct WorkerPool WorkerPool;

struct Listener {
    Daemon *daemon;
    DaemonSocketKind kind;
    int fd;
    char *path;
    bool unlink_on_exit; /* we created it (not socket activation) */
    sd_event_source *source;
};

struct Daemon {
    const DriverOps *ops;
    const DaemonInfo *info;
    DaemonOptions opts;
    DaemonConfig config;
    DaemonPaths paths;
    uid_t uid; /* our own uid: trusted in session mode */

    sd_event *event;
    PollWindow poll_window; /* loop_run() */
    LoopStats loop_stats;
    LoopInvoker *invoker; /* daemon_loop_invoker() */
    GPtrArray *listeners; /* Listener* */
    GHashTable *clients;  /* uint64 id -> Client*, loop thread only */
    uint64_t next_client_id;
    unsigned int n_clients[_DAEMON_SOCKET_MAX];
    sd_event_source *idle_timer;
    WorkerPool *workers;
    int pid_fd;
    gint64 started_at;   /* monotonic, microseconds */
    GHashTable *splices; /* RpcSplice*: routed connections (route.c) */
    int handoff_fd;      /* driver daemons: the handoff socket (route.c), or -1 */
    char *handoff_path;
    sd_event_source *handoff_source;
    GHashTable *handoff_pending; /* sd_event_source*: accepted, message not read yet */
    bool reload_requested;
};

/* An event registration of one client (316, 105 or 167). */
typedef enum EventRegKind {
    EVENT_REG_CALLBACK, /* 316: delivered as 318 with callbackID */
    EVENT_REG_LEGACY,   /* 105: lifecycle as 107 */
    EVENT_REG_ANY,      /* 167: per-type legacy procs (107 for lifecycle) */
    _EVENT_REG_KIND_MAX,
    _EVENT_REG_KIND_INVALID = -EINVAL,
} EventRegKind;

typedef struct EventReg {
    EventRegKind kind;
    int callback_id; /* EVENT_REG_CALLBACK */
    int event_id;
    bool has_filter;
    uint8_t filter_uuid[16];
} EventReg;

struct Client {
    gint refs;
    Daemon *daemon;
    uint64_t id;
    DaemonSocketKind kind;
    struct ucred cred;
    gint64 connected_at; /* wall clock, seconds */

    /* loop thread only */
    int fd;
    sd_event_source *io;
    bool dead;          /* disconnected; waiting for in-flight calls */
    bool close_pending; /* close once the write queue is flushed (CONNECT_CLOSE) */
    RpcDecoder *decoder;
    GQueue out; /* GBytes* */
    size_t out_bytes;
    size_t out_offset; /* into the head of @out */
    unsigned int in_flight;
    GQueue deferred; /* RpcMessage*: calls read while in_flight was at the limit */
    size_t deferred_bytes;
    unsigned int deferred_fds; /* descriptors the deferred calls carry */
    bool draining;             /* running deferred calls */
    uint64_t inline_iteration; /* loop iteration of the count below */
    unsigned int inline_calls; /* cheap reads run on the loop in that iteration */
    GArray *events;            /* EventReg */
    int next_callback_id;
    bool keepalive;  /* the client asked for feature 10 */
    RpcKeepalive ka; /* liveness always; pinging once keepalive_start() */
    sd_event_source *ka_timer;
    bool close_callback;    /* 360 registered */
    GHashTable *streams;    /* serial -> DaemonStream (stream.c), NULL until one opens */
    size_t stream_rx_bytes; /* stream data waiting for the streams' fds */

    /* session state, under @lock: workers read it */
    GMutex lock;
    bool authenticated;
    bool opening;
    bool readonly;
    DriverConn *conn;
    struct DaemonIdentity *identity; /* forwarded by a trusted proxy (419) */
    bool routed;                     /* route_fd is the upstream this client will be spliced to, */
    bool handoff;                    /* ... or the handoff socket it will be handed to (route.c) */
    int route_fd;
    uint32_t route_serial;     /* of its CONNECT_OPEN */
    GBytes *route_open_packet; /* handoff: that CONNECT_OPEN, re-encoded */
    char *route_token;         /* handoff: the proxy token */
};

/* daemon.c */
Daemon *daemon_new(const DriverOps *ops, const DaemonInfo *info);
Daemon *daemon_free(Daemon *daemon);
void daemon_update_idle(Daemon *daemon);
bool daemon_inhibited(Daemon *daemon);
bool daemon_set_timeout(Daemon *daemon, int timeout, GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Daemon, daemon_free)

/* listener.c */
bool listener_setup_all(Daemon *daemon, GError **error);
void listener_close_all(Daemon *daemon);

/* client.c */
Client *client_new(Daemon *daemon, DaemonSocketKind kind, int fd, const struct ucred *cred);
Client *client_ref(Client *client);
void client_unref(Client *client);
void client_disconnect(Client *client, const char *reason);
void client_close_all(Daemon *daemon);
bool client_server_full(Daemon *daemon, DaemonSocketKind kind);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Client, client_unref)

/* access.c: pure auth decision; see DESIGN.md §7 */
bool access_peer_trusted(DaemonSocketKind kind, bool privileged, uid_t daemon_uid, uid_t peer_uid);
