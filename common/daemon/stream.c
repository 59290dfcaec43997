/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Client data streams on the loop thread: bytes between a driver's fd and STREAM
 * packets, with bounded buffers both ways (see stream.h for the protocol).
 */

#define G_LOG_DOMAIN "virtkit-daemon"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "daemon/client.h"
#include "daemon/daemon-priv.h"
#include "daemon/dispatch.h"
#include "daemon/stream.h"
#include "daemon/worker.h"
#include "rpc/wire-error.h"
#include "util/error.h"

typedef struct DaemonStream {
    Client *client; /* borrowed: the client's table owns its streams */
    int proc;
    uint32_t serial;
    int fd;
    sd_event_source *io;
    GQueue rx;        /* GBytes*: the client's data, waiting for the fd */
    size_t rx_offset; /* into the head of @rx */
    bool eof;         /* the fd ended (EOF sent): nothing more is read or written */
    bool finishing;   /* the client finished: close once @rx is written */
    StreamEndFunc on_end;
    gpointer end_data;
} DaemonStream;

typedef struct StreamStart {
    Client *client; /* a reference */
    int proc;
    uint32_t serial;
    int fd;
    StreamEndFunc on_end;
    gpointer end_data;
} StreamStart;

static int stream_on_io(sd_event_source *source, int fd, uint32_t revents, void *userdata);

static void stream_drop_rx(DaemonStream *s)
{
    GBytes *data;

    while ((data = g_queue_pop_head(&s->rx))) {
        s->client->stream_rx_bytes -= g_bytes_get_size(data);
        g_bytes_unref(data);
    }
    s->rx_offset = 0;
}

static void stream_free(gpointer data)
{
    DaemonStream *s = data;

    stream_drop_rx(s);
    s->io = sd_event_source_disable_unref(s->io);
    if (s->fd >= 0)
        close(s->fd);
    if (s->on_end)
        s->on_end(s->end_data);
    g_free(s);
}

/* Ends @s and frees it (closing its fd). */
static void stream_remove(DaemonStream *s)
{
    g_hash_table_remove(s->client->streams, GUINT_TO_POINTER(s->serial));
}

static void stream_update_io(DaemonStream *s)
{
    uint32_t mask = 0;

    if (!s->eof && s->client->out_bytes < STREAM_TX_MAX)
        mask |= EPOLLIN;
    if (!s->eof && s->rx.length > 0)
        mask |= EPOLLOUT;
    /* a hung-up fd reports EPOLLHUP whatever the mask: switch the source off instead */
    (void)sd_event_source_set_io_events(s->io, mask);
    (void)sd_event_source_set_enabled(s->io, mask ? SD_EVENT_ON : SD_EVENT_OFF);
}

/* Queue one STREAM packet of @s. False when that cost the client its connection
 * (then @s is gone too). */
static bool stream_send(DaemonStream *s, RpcMessageStatus status, const void *data, size_t len)
{
    RpcHeader h = { REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, s->proc, RPC_MESSAGE_STREAM, s->serial,
                    status };
    g_autoptr(GError) error = NULL;
    Client *client = s->client;
    GBytes *packet = rpc_message_encode(&h, 0, data, len, &error);

    if (!packet) {
        client_disconnect(client, error->message);
        return false;
    }
    client_send(client, packet);
    return !client->dead;
}

/* STREAM ERROR with @error for the client, then the stream is gone. */
static void stream_fail(DaemonStream *s, const GError *error)
{
    RpcHeader h = { REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, s->proc, RPC_MESSAGE_STREAM,
                    s->serial,      RPC_STATUS_ERROR };
    g_autoptr(GError) local = NULL;
    Client *client = s->client;
    remote_error wire;
    GBytes *packet;

    rpc_wire_error_from_gerror(error, &wire);
    packet =
        rpc_message_encode_xdr(&h, 0, (xdrproc_t)(void (*)(void))xdr_remote_error, &wire, &local);
    rpc_wire_error_clear(&wire);
    stream_remove(s);
    if (!packet) {
        client_disconnect(client, local->message);
        return;
    }
    client_send(client, packet);
}

/* The fd ended or refuses data: tell the client (an empty CONTINUE) once. */
static bool stream_hangup(DaemonStream *s)
{
    stream_drop_rx(s);
    if (s->eof)
        return true;
    s->eof = true;
    g_debug("client %" G_GUINT64_FORMAT ": stream %u reached the end of its data", s->client->id,
            s->serial);
    return stream_send(s, RPC_STATUS_CONTINUE, NULL, 0);
}

/* Confirm the client's finish or abort (STREAM OK) and end the stream. */
static void stream_confirm_end(DaemonStream *s)
{
    RpcHeader h = { REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, s->proc, RPC_MESSAGE_STREAM, s->serial,
                    RPC_STATUS_OK };
    Client *client = s->client;
    GBytes *packet = rpc_message_encode(&h, 0, NULL, 0, NULL);

    stream_remove(s);
    client_send(client, packet);
}

/* Read one chunk from the fd and send it. False when @s is gone. */
static bool stream_read(DaemonStream *s)
{
    uint8_t buf[STREAM_CHUNK];
    ssize_t n;

    if (s->client->out_bytes >= STREAM_TX_MAX)
        return true; /* the client is behind: wait for its queue to drain */
    n = read(s->fd, buf, sizeof(buf));
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return true;
    if (n > 0)
        return stream_send(s, RPC_STATUS_CONTINUE, buf, (size_t)n);
    if (n == 0 || errno == EIO) /* EIO: the other side of a pty closed */
        return stream_hangup(s);
    {
        g_autoptr(GError) error = g_error_new(VIRT_RPC_ERROR, VIRT_ERR_RPC,
                                              "stream had I/O failure: %s", g_strerror(errno));

        stream_fail(s, error);
    }
    return false;
}

/* Write what the client sent, then finish if asked. False when @s is gone. */
static bool stream_write(DaemonStream *s)
{
    while (s->rx.length > 0) {
        GBytes *head = g_queue_peek_head(&s->rx);
        gsize size = 0;
        const uint8_t *data = g_bytes_get_data(head, &size);
        ssize_t n = write(s->fd, data + s->rx_offset, size - s->rx_offset);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return true;
        if (n < 0) {
            /* EPIPE, EIO: the other side is gone */
            if (!stream_hangup(s))
                return false;
            break;
        }
        s->rx_offset += (size_t)n;
        if (s->rx_offset < size)
            continue;
        s->rx_offset = 0;
        s->client->stream_rx_bytes -= size;
        g_bytes_unref(g_queue_pop_head(&s->rx));
    }
    if (s->finishing) {
        stream_confirm_end(s);
        return false;
    }
    return true;
}

static int stream_on_io(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
    DaemonStream *s = userdata;
    g_autoptr(Client) client = client_ref(s->client);
    bool was_paused = !stream_client_wants_read(client);
    bool alive = true;

    if (revents & (EPOLLOUT | EPOLLERR))
        alive = stream_write(s);
    if (alive && !s->eof && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
        alive = stream_read(s);
    if (alive)
        stream_update_io(s);
    if (!client->dead && was_paused && stream_client_wants_read(client))
        client_resume_input(client);
    return 0;
}

static void stream_on_start(Daemon *daemon, gpointer data)
{
    StreamStart *st = data;
    Client *client = st->client;
    DaemonStream *s;
    int r;

    if (client->dead) {
        close(st->fd);
        if (st->on_end)
            st->on_end(st->end_data);
        client_unref(client);
        g_free(st);
        return;
    }
    s = g_new0(DaemonStream, 1);
    s->client = client;
    s->proc = st->proc;
    s->serial = st->serial;
    s->fd = st->fd;
    s->on_end = st->on_end;
    s->end_data = st->end_data;
    g_queue_init(&s->rx);
    if (!client->streams)
        client->streams = g_hash_table_new_full(NULL, NULL, NULL, stream_free);
    /* a serial the client reused replaces (and ends) its old stream */
    g_hash_table_replace(client->streams, GUINT_TO_POINTER(s->serial), s);
    r = sd_event_add_io(daemon->event, &s->io, s->fd, EPOLLIN, stream_on_io, s);
    if (r < 0) {
        g_autoptr(GError) error =
            g_error_new(VIRT_RPC_ERROR, VIRT_ERR_INTERNAL_ERROR,
                        "internal error: cannot watch the stream: %s", g_strerror(-r));

        stream_fail(s, error);
    } else {
        stream_update_io(s);
    }
    client_unref(client);
    g_free(st);
}

/**
 * stream_start - make @fd the data stream of @call
 * @call: the call opening it (a handler on a worker thread)
 * @fd: the driver's file descriptor, owned from now on
 * @on_end: called on the loop thread when the stream ends for any reason, or NULL
 * @data: for @on_end
 *
 * The stream is registered on the loop before the call's reply: both travel through
 * worker_pool_post(), which runs posts in order, so no data packet the client sends
 * after seeing the reply can miss it.
 */
void stream_start(DispatchCall *call, int fd, StreamEndFunc on_end, gpointer data)
{
    StreamStart *st = g_new0(StreamStart, 1);
    int flags = fcntl(fd, F_GETFL);

    if (flags >= 0)
        (void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    st->client = client_ref(call->client);
    st->proc = call->header->proc;
    st->serial = call->header->serial;
    st->fd = fd;
    st->on_end = on_end;
    st->end_data = data;
    worker_pool_post(call->daemon->workers, stream_on_start, st);
}

/**
 * stream_abort_by_id - end a client's stream with an error
 * @daemon: the daemon
 * @client_id: the client
 * @serial: the stream's serial
 * @error: what the client is told (STREAM ERROR)
 */
void stream_abort_by_id(Daemon *daemon, uint64_t client_id, uint32_t serial, const GError *error)
{
    Client *client = g_hash_table_lookup(daemon->clients, &client_id);
    DaemonStream *s;
    bool was_paused;

    if (!client || client->dead || !client->streams)
        return;
    s = g_hash_table_lookup(client->streams, GUINT_TO_POINTER(serial));
    if (!s)
        return;
    was_paused = !stream_client_wants_read(client);
    client_ref(client);
    stream_fail(s, error);
    if (!client->dead && was_paused && stream_client_wants_read(client))
        client_resume_input(client);
    client_unref(client);
}

/**
 * stream_handle_packet - a STREAM or STREAM_HOLE packet from @client
 * @client: the client (loop thread)
 * @msg: the packet, owned from now on
 */
void stream_handle_packet(Client *client, RpcMessage *msg)
{
    g_autoptr(RpcMessage) owned = msg;
    const RpcHeader *h = &msg->header;
    DaemonStream *s =
        client->streams ? g_hash_table_lookup(client->streams, GUINT_TO_POINTER(h->serial)) : NULL;

    if (!s || s->proc != h->proc || h->prog != REMOTE_PROGRAM) {
        g_debug("client %" G_GUINT64_FORMAT ": dropping a packet of no open stream (serial %u)",
                client->id, h->serial);
        return;
    }
    if (h->type == RPC_MESSAGE_STREAM_HOLE) {
        g_autoptr(GError) error =
            g_error_new(VIRT_RPC_ERROR, VIRT_ERR_RPC, "Unexpected stream hole");

        stream_fail(s, error); /* sparse streams are never negotiated here */
        return;
    }
    switch (h->status) {
    case RPC_STATUS_CONTINUE:
        if (s->eof || s->finishing || g_bytes_get_size(msg->payload) == 0)
            return; /* nowhere to write it: dropped */
        client->stream_rx_bytes += g_bytes_get_size(msg->payload);
        g_queue_push_tail(&s->rx, g_bytes_ref(msg->payload));
        stream_update_io(s);
        return;
    case RPC_STATUS_OK:
        s->finishing = true;
        if (s->rx.length == 0)
            stream_confirm_end(s);
        return;
    case RPC_STATUS_ERROR:
        stream_confirm_end(s); /* an abort: what was not written is dropped */
        return;
    case _RPC_STATUS_MAX:
    case _RPC_STATUS_INVALID:
        return;
    }
}

/* Whether the client's stream data leaves room to read more of its packets. */
bool stream_client_wants_read(Client *client)
{
    return client->stream_rx_bytes < STREAM_RX_MAX;
}

/* The client's write queue shrank: fds paused for it may be read again. */
void stream_client_output_drained(Client *client)
{
    GHashTableIter iter;
    gpointer value;

    if (!client->streams || client->out_bytes >= STREAM_TX_MAX)
        return;
    g_hash_table_iter_init(&iter, client->streams);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        stream_update_io(value);
}

/* The client went: every stream's fd closes. */
void stream_client_close_all(Client *client)
{
    g_clear_pointer(&client->streams, g_hash_table_unref);
    client->stream_rx_bytes = 0;
}
