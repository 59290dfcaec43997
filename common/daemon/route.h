/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Routing of connections to other daemons (proxyd, later virtremoted). A daemon
 * whose DaemonInfo has a router gets every CONNECT_OPEN offered to it first, on a
 * worker. The router either says "serve it here" (optionally naming the URI to open
 * instead of the client's), or hands back a socket to the driver daemon on which
 * it has already done the handshake for the caller (open, identity). The core
 * answers the client's CONNECT_OPEN, then stops decoding that client and splices
 * its socket to the upstream one (rpc/splice.h) on the loop.
 */

#include <glib.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "daemon/config.h"

typedef struct DaemonRouteRequest {
    const char *name;   /* CONNECT_OPEN's name; NULL or "": the daemon chooses */
    unsigned int flags; /* CONNECT_OPEN's flags; VIR_CONNECT_RO for read-only clients */
    bool readonly;      /* the client came in on a read-only socket or asked for RO */
    bool keepalive;     /* the client asked to be pinged (feature 10) */
    struct ucred cred;  /* SO_PEERCRED of the client */
    const DaemonPaths *paths;
} DaemonRouteRequest;

typedef struct DaemonRouteResult {
    int upstream_fd;  /* >= 0: splice the client to this socket (handshake done) */
    int handoff_fd;   /* >= 0: hand the client's socket itself to the daemon on this
                       * connection to its handoff socket (DAEMON_HANDOFF_SOCK_SUFFIX) */
    char *local_name; /* both < 0: serve here, opening this URI (NULL: the client's) */
} DaemonRouteResult;

/* <run_dir>/<sock_prefix>-handoff-sock: where a driver daemon takes clients from a
 * trusted proxy (seqpacket, mode 0600). The proxy sends one message: a
 * DaemonHandoffHeader, the client's CONNECT_OPEN packet, and the client's socket as
 * SCM_RIGHTS. From then on the client talks to the daemon with no proxy between. */
#define DAEMON_HANDOFF_SOCK_SUFFIX "-handoff-sock"

typedef struct DaemonRouter {
    /* On a worker. Fill @ret (upstream_fd is -1 on entry) or fail with the error the
     * client's CONNECT_OPEN gets. */
    bool (*open)(const DaemonRouteRequest *req, DaemonRouteResult *ret, GError **error);
} DaemonRouter;
