/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The core's side of routing (route.h): offering CONNECT_OPEN to the router on a
 * worker, and on the loop turning a routed client into a splice once the open's
 * reply is queued. A spliced connection is no longer a Client: the core only
 * counts it (for the idle exit) and closes it at shutdown.
 */

#define G_LOG_DOMAIN "virtkit-daemon"

#include <fcntl.h>
#include <unistd.h>

#include "daemon/client.h"
#include "daemon/daemon-priv.h"
#include "daemon/route-priv.h"
#include "rpc/splice.h"
#include "util/error.h"

#define CONNECT_RO 1u /* VIR_CONNECT_RO */

/**
 * daemon_route_connect_open - offer a CONNECT_OPEN to the daemon's router (worker)
 * @call: the call
 * @name: the client's URI, NULL or "" when it left the choice to us
 * @flags: its flags
 * @ret_local_name: serve here: the URI to open instead of @name, or NULL
 * @ret_spliced: true when the client goes to another daemon
 * @error: the router's error, for the client
 */
bool daemon_route_connect_open(DispatchCall *call, const char *name, unsigned int flags,
                               char **ret_local_name, bool *ret_spliced, GError **error)
{
    Client *client = call->client;
    const DaemonRouter *router = call->daemon->info->router;
    DaemonRouteResult res = { .upstream_fd = -1 };
    DaemonRouteRequest req = {
        .name = name,
        .flags = flags,
        .keepalive = client->keepalive, /* set on the loop before this call was read */
        .cred = client->cred,
        .paths = &call->daemon->paths,
    };

    *ret_local_name = NULL;
    *ret_spliced = false;
    if (!router)
        return true;
    g_mutex_lock(&client->lock);
    req.readonly = client->readonly || (flags & CONNECT_RO);
    g_mutex_unlock(&client->lock);
    if (req.readonly)
        req.flags |= CONNECT_RO;
    if (!router->open(&req, &res, error))
        return false;
    if (res.upstream_fd < 0) {
        *ret_local_name = res.local_name;
        return true;
    }
    g_mutex_lock(&client->lock);
    client->route_fd = res.upstream_fd;
    client->routed = true;
    g_mutex_unlock(&client->lock);
    *ret_spliced = true;
    return true;
}

static void route_splice_free(gpointer splice)
{
    rpc_splice_free(splice);
}

static void route_on_splice_done(RpcSplice *splice, const GError *error, gpointer user_data)
{
    Daemon *daemon = user_data;

    if (error)
        g_message("spliced connection ended: %s", error->message);
    g_hash_table_remove(daemon->splices, splice);
    daemon_update_idle(daemon);
}

/* What the client sent beyond its CONNECT_OPEN (calls waiting for a free slot) goes
 * upstream; replies not written to it yet go first on its side. */
static bool route_queue_pending(Client *client, RpcSplice *splice, GError **error)
{
    for (GList *l = client->deferred.head; l; l = l->next) {
        RpcMessage *msg = l->data;
        g_autoptr(GBytes) packet =
            rpc_message_encode(&msg->header, msg->n_fds, g_bytes_get_data(msg->payload, NULL),
                               g_bytes_get_size(msg->payload), error);

        if (!packet || !rpc_splice_queue(splice, RPC_SPLICE_SIDE_B, g_bytes_get_data(packet, NULL),
                                         g_bytes_get_size(packet), error))
            return false;
    }
    for (GList *l = client->out.head; l; l = l->next) {
        gsize size = 0;
        const uint8_t *data = g_bytes_get_data(l->data, &size);
        size_t skip = l == client->out.head ? client->out_offset : 0;

        if (!rpc_splice_queue(splice, RPC_SPLICE_SIDE_A, data + skip, size - skip, error))
            return false;
    }
    return true;
}

/**
 * daemon_route_attach - splice a routed client to its upstream (loop thread)
 * @client: a client whose CONNECT_OPEN reply was just queued
 *
 * Does nothing for a client that was not routed. The client leaves the core's
 * tables as if it had disconnected, but its socket lives on in the splice.
 */
void daemon_route_attach(Client *client)
{
    Daemon *daemon = client->daemon;
    g_autoptr(GError) error = NULL;
    g_autoptr(RpcSplice) splice = NULL;
    int upstream;
    int fd;

    if (!client->routed)
        return;
    g_mutex_lock(&client->lock);
    upstream = client->route_fd;
    client->route_fd = -1;
    client->routed = false;
    g_mutex_unlock(&client->lock);
    if (client->dead) {
        close(upstream);
        return;
    }
    if (rpc_decoder_buffered(client->decoder) > 0) {
        close(upstream);
        client_disconnect(client, "it sent part of a packet before its open was answered");
        return;
    }
    (void)fcntl(upstream, F_SETFL, fcntl(upstream, F_GETFL) | O_NONBLOCK);
    /* the core lets go of the socket: the io source goes, the fd stays open */
    fd = client->fd;
    client->io = sd_event_source_disable_unref(client->io);
    splice = rpc_splice_new(daemon->event, fd, upstream, route_on_splice_done, daemon);
    if (!route_queue_pending(client, splice, &error) || !rpc_splice_start(splice, &error)) {
        g_message("cannot splice client %" G_GUINT64_FORMAT ": %s", client->id, error->message);
        client->fd = -1; /* closed with the splice */
        client_disconnect(client, NULL);
        return;
    }
    client->fd = -1;
    g_debug("client %" G_GUINT64_FORMAT " spliced to its driver daemon", client->id);
    if (!daemon->splices)
        daemon->splices =
            g_hash_table_new_full(g_direct_hash, g_direct_equal, route_splice_free, NULL);
    g_hash_table_add(daemon->splices, g_steal_pointer(&splice));
    client_disconnect(client, NULL);
}

/* A routed client that went away before its splice started (client_unref). */
void daemon_route_client_clear(Client *client)
{
    if (client->routed && client->route_fd >= 0)
        close(client->route_fd);
    client->routed = false;
    client->identity = daemon_identity_free(client->identity);
}

unsigned int daemon_route_count(Daemon *daemon)
{
    return daemon->splices ? g_hash_table_size(daemon->splices) : 0;
}

/* Shutdown: close every spliced connection. */
void daemon_route_close_all(Daemon *daemon)
{
    g_clear_pointer(&daemon->splices, g_hash_table_unref);
}
