/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Dispatch of decoded packets: program and procedure lookup, authentication, the
 * read-only gate and the choice between the loop thread (cheap session procedures,
 * events, admin) and the worker pool (everything that calls the driver).
 */

#include <glib.h>
#include <stdbool.h>

#include "daemon/dispatch-procs.h"
#include "driver/driver.h"
#include "rpc/message.h"

typedef struct Client Client;
typedef struct Daemon Daemon;

/* What a handler gets besides its args and ret. */
struct DispatchCall {
    Daemon *daemon;
    Client *client;
    const RpcHeader *header;
    const RpcProcInfo *info;
    const DriverOps *ops;
    DriverConn *conn; /* NULL until CONNECT_OPEN succeeded */
    /* CALL_WITH_FDS: the descriptors that came with the call. A handler keeps one by
     * setting its slot to -1; the others are closed once it returns. */
    int *fds;
    unsigned int n_fds;
    bool close_after; /* CONNECT_CLOSE: close once the reply is out */
};

/* A decoded packet from @client; takes ownership of @msg. */
void dispatch_packet(Client *client, RpcMessage *msg);
/* Close the driver connection of a client that has gone (loop thread). */
void dispatch_release_conn(Client *client);

/* helpers for handlers */
bool dispatch_require_op(const DispatchCall *call, const void *op, GError **error);
void dispatch_domain_from_wire(const remote_nonnull_domain *wire, DomainRef *ret_ref);
void dispatch_domain_to_wire(const DomainRef *ref, remote_nonnull_domain *ret_wire);
char *dispatch_api_name(const char *proc_name);
