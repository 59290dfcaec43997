/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Client sessions on the loop thread: framing of incoming packets, the bounded write
 * queue, the per-client in-flight limit and disconnection.
 */

#define G_LOG_DOMAIN "virtkit-daemon"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/client.h"
#include "daemon/daemon-priv.h"
#include "daemon/dispatch.h"
#include "daemon/events.h"
#include "daemon/keepalive.h"
#include "daemon/stream.h"
#include "daemon/route-priv.h"
#include "daemon/worker.h"
#include "rpc/transport-unix.h"
#include "util/error.h"

/* Calls read beyond max_client_requests wait here, so that reading (and answering
 * keepalive) goes on; past these bounds reading pauses until calls complete. The
 * descriptors they carry count too: a client must not make the daemon hold
 * thousands of them. */
#define DEFERRED_MAX_CALLS 64u
#define DEFERRED_MAX_BYTES (8u << 20)
#define DEFERRED_MAX_FDS (2u * RPC_MESSAGE_NUM_FDS_MAX)

static void client_process_input(Client *client);

static bool client_wants_read(Client *client)
{
    if (client->close_pending || !stream_client_wants_read(client))
        return false;
    return client->deferred.length < DEFERRED_MAX_CALLS &&
           client->deferred_bytes < DEFERRED_MAX_BYTES && client->deferred_fds < DEFERRED_MAX_FDS;
}

/* Recompute the epoll mask after the queues changed. */
void client_update_io(Client *client)
{
    uint32_t mask = 0;

    if (client->dead)
        return;
    if (client_wants_read(client))
        mask |= EPOLLIN;
    if (client->out.length > 0)
        mask |= EPOLLOUT;
    (void)sd_event_source_set_io_events(client->io, mask);
}

static void client_flush(Client *client)
{
    while (client->out.length > 0) {
        GBytes *head = g_queue_peek_head(&client->out);
        gsize size = 0;
        const uint8_t *data = g_bytes_get_data(head, &size);
        ssize_t n = send(client->fd, data + client->out_offset, size - client->out_offset,
                         MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                break;
            client_disconnect(client, g_strerror(errno));
            return;
        }
        client->out_offset += (size_t)n;
        if (client->out_offset < size)
            break;
        client->out_offset = 0;
        client->out_bytes -= size;
        g_bytes_unref(g_queue_pop_head(&client->out));
    }
    if (client->out.length == 0 && client->close_pending) {
        client_disconnect(client, NULL);
        return;
    }
    stream_client_output_drained(client);
    client_update_io(client);
}

/**
 * client_send - queue an encoded packet for @client
 * @client: the client (loop thread)
 * @packet: a whole packet, length word included; the reference is taken
 *
 * A client that leaves more than max_client_queue bytes unread is disconnected: it
 * must never make the daemon buffer without bound or block other clients.
 */
void client_send(Client *client, GBytes *packet)
{
    gsize size = g_bytes_get_size(packet);

    if (client->dead) {
        g_bytes_unref(packet);
        return;
    }
    if (client->out_bytes + size > client->daemon->config.max_client_queue) {
        g_autofree char *reason = g_strdup_printf(
            "it is not reading: %zu bytes of replies and events queued", client->out_bytes);
        g_bytes_unref(packet);
        client_disconnect(client, reason);
        return;
    }
    g_queue_push_tail(&client->out, packet);
    client->out_bytes += size;
    client_flush(client);
}

static void client_on_readable(Client *client)
{
    g_autoptr(GError) error = NULL;
    uint8_t buf[65536];
    int fds[RPC_MESSAGE_NUM_FDS_MAX];
    unsigned int n_fds = 0;
    ssize_t n = rpc_unix_recv(client->fd, buf, sizeof(buf), fds, &n_fds);

    if (n == -EAGAIN || n == -EINTR)
        return;
    if (n == -EMSGSIZE) {
        client_disconnect(client, "it passed more file descriptors than a packet may carry");
        return;
    }
    if (n <= 0) {
        if (n == 0 && !rpc_decoder_finish(client->decoder, &error)) {
            client_disconnect(client, error->message);
            return;
        }
        client_disconnect(client, n < 0 ? g_strerror((int)-n) : NULL);
        return;
    }
    /* the decoder checks every limit before it commits memory, and that each
     * descriptor came on the dummy byte of a packet that announced it */
    if (!rpc_decoder_feed_fds(client->decoder, buf, (size_t)n, fds, n_fds, &error)) {
        g_autofree char *reason = g_strdup_printf("malformed packet: %s", error->message);

        client_disconnect(client, reason);
        return;
    }
    keepalive_on_receive(client);
    client_process_input(client);
}

/* Dispatch the complete packets the decoder holds, while reading is allowed. */
static void client_process_input(Client *client)
{
    while (!client->dead && client_wants_read(client)) {
        RpcMessage *msg = rpc_decoder_pop(client->decoder);

        if (!msg)
            return;
        dispatch_packet(client, msg);
    }
}

static int client_on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
    g_autoptr(Client) client = client_ref(userdata);

    if (revents & EPOLLOUT)
        client_flush(client);
    if (!client->dead && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) && client_wants_read(client))
        client_on_readable(client);
    if (!client->dead && (revents & (EPOLLHUP | EPOLLERR)) && !(revents & EPOLLIN))
        client_disconnect(client, NULL);
    return 0;
}

/**
 * client_new - start a session for an accepted connection
 * @daemon: the daemon
 * @kind: socket it came in on
 * @fd: the connection, non-blocking; owned from now on
 * @cred: SO_PEERCRED of the peer
 *
 * The client lives in the daemon's table until it disconnects.
 */
Client *client_new(Daemon *daemon, DaemonSocketKind kind, int fd, const struct ucred *cred)
{
    Client *client = g_new0(Client, 1);
    int r;

    client->refs = 1;
    client->daemon = daemon;
    client->id = ++daemon->next_client_id;
    client->kind = kind;
    client->cred = *cred;
    client->connected_at = g_get_real_time() / G_USEC_PER_SEC;
    client->fd = fd;
    client->decoder = rpc_decoder_new();
    client->events = g_array_new(FALSE, TRUE, sizeof(EventReg));
    client->next_callback_id = 1;
    g_queue_init(&client->out);
    g_queue_init(&client->deferred);
    g_mutex_init(&client->lock);
    client->readonly = kind == DAEMON_SOCKET_RO;
    client->authenticated =
        access_peer_trusted(kind, daemon->paths.privileged, daemon->uid, cred->uid);
    r = sd_event_add_io(daemon->event, &client->io, fd, EPOLLIN, client_on_io, client);
    if (r < 0) {
        g_warning("cannot watch client socket: %s", g_strerror(-r));
        client->dead = true;
        client_unref(client);
        return NULL;
    }
    g_hash_table_insert(daemon->clients, &client->id, client);
    daemon->n_clients[kind]++;
    g_debug("client %" G_GUINT64_FORMAT " connected on %s socket: pid %d uid %u gid %u", client->id,
            daemon_socket_kind_to_string(kind), (int)cred->pid, (unsigned int)cred->uid,
            (unsigned int)cred->gid);
    daemon_update_idle(daemon);
    return client;
}

/**
 * client_server_full - whether a new client on a @kind socket is one too many
 * @daemon: the daemon
 * @kind: the socket it came in on (or, handed over by a proxy, would have)
 *
 * max_clients is per server, as virt-admin shows it: the main server (rw and ro
 * sockets, clients handed over by a proxy included) and the admin server each.
 */
bool client_server_full(Daemon *daemon, DaemonSocketKind kind)
{
    unsigned int n = 0;

    for (int i = 0; i < _DAEMON_SOCKET_MAX; i++) {
        if ((i == DAEMON_SOCKET_ADMIN) == (kind == DAEMON_SOCKET_ADMIN))
            n += daemon->n_clients[i];
    }
    return n >= daemon->config.max_clients;
}

Client *client_ref(Client *client)
{
    g_atomic_int_inc(&client->refs);
    return client;
}

static void client_message_free(gpointer msg)
{
    rpc_message_free(msg);
}

static void client_clear_queues(Client *client)
{
    g_queue_clear_full(&client->out, (GDestroyNotify)g_bytes_unref);
    g_queue_clear_full(&client->deferred, client_message_free);
    client->out_bytes = 0;
    client->deferred_bytes = 0;
    client->deferred_fds = 0;
}

void client_unref(Client *client)
{
    if (!client || !g_atomic_int_dec_and_test(&client->refs))
        return;
    g_assert(client->dead);
    g_assert(!client->conn);
    client_clear_queues(client);
    daemon_route_client_clear(client);
    rpc_decoder_free(client->decoder);
    g_array_unref(client->events);
    g_mutex_clear(&client->lock);
    g_free(client);
}

/**
 * client_disconnect - end a session
 * @client: the client (loop thread)
 * @reason: why, logged once; NULL for an orderly close by the peer
 *
 * The socket closes now and registrations go; the driver connection is closed once
 * the client's in-flight calls have finished.
 */
void client_disconnect(Client *client, const char *reason)
{
    Daemon *daemon = client->daemon;

    if (client->dead)
        return;
    if (reason)
        g_message("disconnecting client %" G_GUINT64_FORMAT " (pid %d uid %u): %s", client->id,
                  (int)client->cred.pid, (unsigned int)client->cred.uid, reason);
    else
        g_debug("client %" G_GUINT64_FORMAT " disconnected", client->id);
    client->dead = true;
    client->io = sd_event_source_disable_unref(client->io);
    close(client->fd);
    client->fd = -1;
    keepalive_stop(client);
    events_client_clear(client);
    stream_client_close_all(client);
    client_clear_queues(client);
    g_hash_table_remove(daemon->clients, &client->id);
    daemon->n_clients[client->kind]--;
    if (client->in_flight == 0)
        dispatch_release_conn(client);
    daemon_update_idle(daemon);
    client_unref(client); /* the table's reference */
}

/**
 * client_call_done - a call of @client finished on a worker (loop thread)
 * @client: the client
 *
 * Lets deferred calls run, or closes the driver connection of a client that left.
 */
void client_call_done(Client *client)
{
    g_assert(client->in_flight > 0);
    client->in_flight--;
    if (client->dead) {
        if (client->in_flight == 0)
            dispatch_release_conn(client);
        return;
    }
    /* oldest first; @draining lets these past the ordering check */
    client->draining = true;
    while (client->deferred.length > 0 &&
           client->in_flight < client->daemon->config.max_client_requests && !client->dead) {
        RpcMessage *msg = g_queue_pop_head(&client->deferred);

        client->deferred_bytes -= g_bytes_get_size(msg->payload);
        client->deferred_fds -= msg->n_fds;
        dispatch_packet(client, msg);
    }
    client->draining = false;
    /* reading may have paused on a full deferred queue */
    client_process_input(client);
    client_update_io(client);
}

/* Close every session (shutdown). */
void client_close_all(Daemon *daemon)
{
    GHashTableIter iter;
    gpointer value;
    g_autoptr(GPtrArray) all = g_ptr_array_new();

    if (!daemon->clients)
        return;
    g_hash_table_iter_init(&iter, daemon->clients);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        g_ptr_array_add(all, value);
    for (guint i = 0; i < all->len; i++)
        client_disconnect(all->pdata[i], NULL);
}

/**
 * client_call_may_start - whether a new call of @client may go to a worker now
 * @client: the client
 *
 * False at the max_client_requests limit, and while older calls wait, to keep order.
 */
bool client_call_may_start(Client *client)
{
    if (client->in_flight >= client->daemon->config.max_client_requests)
        return false;
    return client->deferred.length == 0 || client->draining;
}

/* Reading may go on again (stream data was written): run what the decoder holds. */
void client_resume_input(Client *client)
{
    client_process_input(client);
    client_update_io(client);
}

/* Keep a call until an in-flight one finishes; reading continues within bounds. */
void client_defer_call(Client *client, RpcMessage *msg)
{
    client->deferred_bytes += g_bytes_get_size(msg->payload);
    client->deferred_fds += msg->n_fds;
    g_queue_push_tail(&client->deferred, msg);
    client_update_io(client);
}
