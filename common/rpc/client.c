/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * RPC client connection (see client.h).
 *
 * Threads. Everything shared is under client->lock, except the decoder and the read
 * buffer, which belong to whoever holds client->io_lock.
 *
 * Reading: a caller waiting for its reply reads the socket itself when nobody else
 * does (it takes the reader role, client->reader), so a reply costs one wakeup, that
 * of the caller's poll(), instead of the connection thread's and then the caller's.
 * The reader dispatches whatever arrives: replies of other callers wake them on their
 * condition, events, stream data and the close notification queue up for the
 * connection thread (or go to their own context). Once its own reply is in it hands
 * the role to another waiting caller, or back to the connection thread, which reads
 * whenever no caller does: its read source drops the socket from its poll set while
 * a caller holds the role and is woken to take it back. Anyone completing the
 * reader's call from elsewhere (a close, the connection thread in the moment before
 * it noticed a caller took over) pokes the reader's wake_fd. This is libvirt's
 * "passing the buck" with the connection thread as the fallback reader.
 *
 * Writing: a caller whose packet finds the write queue empty sends it itself under
 * the lock; otherwise the connection thread writes the queue out.
 *
 * The socket is shut down when the connection closes but its descriptor is closed
 * only when the client is freed, so a thread still polling it never sees the number
 * reused.
 */

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "rpc/client-priv.h"
#include "rpc/client.h"
#include "rpc/keepalive.h"
#include "rpc/remote-protocol.h"
#include "rpc/transport-unix.h"
#include "rpc/wire-error.h"
#include "util/error.h"

ENUM_TABLE_DEFINE(
    rpc_client_close_reason, RpcClientCloseReason,
    _RPC_CLIENT_CLOSE_MAX, [RPC_CLIENT_CLOSE_ERROR] = "error", [RPC_CLIENT_CLOSE_EOF] = "eof",
    [RPC_CLIENT_CLOSE_KEEPALIVE] = "keepalive", [RPC_CLIENT_CLOSE_CLIENT] = "client");

#define CLIENT_READ_SIZE 65536
#define CLIENT_READ_EVENTS (G_IO_IN | G_IO_HUP | G_IO_ERR)

typedef struct RpcClientCall {
    GCond cond;
    bool done;
    RpcMessage *reply;
    GError *error;
} RpcClientCall;

/* A packet waiting to be written, and the descriptors that follow it (a CALL_WITH_FDS):
 * our duplicates, each sent with one dummy byte of its own as libvirt frames them,
 * closed once sent or when the packet is dropped. */
typedef struct ClientOut {
    GBytes *bytes;
    int *fds;
    unsigned int n_fds;
    unsigned int fds_sent;
} ClientOut;

static void client_out_free(ClientOut *o)
{
    for (unsigned int i = o->fds_sent; i < o->n_fds; i++)
        close(o->fds[i]);
    g_free(o->fds);
    g_bytes_unref(o->bytes);
    g_free(o);
}

struct RpcClientStream {
    gint refs;
    RpcClient *client; /* a reference */
    uint32_t prog;
    int proc;
    uint32_t serial;
    RpcClientStreamFunc func;
    gpointer user_data;
    GDestroyNotify user_destroy; /* for @user_data, once no handler call can run */
    GMainContext *ctx;
    bool registered; /* in client->streams (under client->lock) */
    bool opened;     /* the call that opens it succeeded */
    bool finished;   /* no more packets from us */
};

/* Something to run on the connection thread, in order (see client_deliver()). */
typedef struct ClientDelivery {
    GSourceFunc func;
    gpointer data;
    GDestroyNotify destroy;
} ClientDelivery;

struct RpcClient {
    gint refs;
    int fd;      /* open until client_free(); shut down once closed */
    int wake_fd; /* eventfd: pokes the caller that holds the reader role */
    GMainContext *ctx;
    GMainLoop *loop;
    GThread *thread;

    bool pass_fds; /* a unix socket: descriptors can travel (SCM_RIGHTS) */

    GMutex lock; /* protects everything down to the handlers */
    GQueue out;  /* ClientOut, oldest first */
    size_t out_offset;
    bool write_pending;
    GHashTable *calls;   /* serial -> RpcClientCall */
    GHashTable *streams; /* serial -> RpcClientStream (a reference) */
    uint32_t next_serial;
    bool closed;
    GError *close_error;
    /* the call whose thread reads the socket, NULL: the connection thread; written
     * under the lock, atomically, as the connection thread reads it without */
    RpcClientCall *reader;
    gint conn_polls;        /* atomic: the connection thread's poll set has the socket */
    RpcKeepalive keepalive; /* fed by whoever reads, timed by the connection thread */
    GQueue deliveries;      /* ClientDelivery, for the connection thread */
    bool deliver_scheduled; /* an idle source will run them */

    RpcClientEventFunc event_func;
    gpointer event_data;
    GMainContext *event_ctx;
    RpcClientCloseFunc close_func;
    gpointer close_data;
    GMainContext *close_ctx;

    GMutex io_lock; /* held while reading and dispatching what was read, in order */
    RpcDecoder *decoder;
    uint8_t *read_buf;
    RpcClientReadStats stats;

    /* connection thread only */
    GSource *read_source;
    GSource *write_source;
    GSource *keepalive_source;
    bool self_free; /* the last reference went on this thread: free after the loop */
};

/* The call whose thread is reading and dispatching right now, on that thread. */
static _Thread_local RpcClientCall *reading_call;

static void client_close_internal(RpcClient *c, RpcClientCloseReason reason, GError *error);
static void client_arm_keepalive(RpcClient *c);

static void client_free(RpcClient *c);

static gpointer client_thread(gpointer data)
{
    RpcClient *c = data;

    g_main_context_push_thread_default(c->ctx);
    g_main_loop_run(c->loop);
    g_main_context_pop_thread_default(c->ctx);
    if (c->self_free) {
        g_thread_unref(c->thread);
        client_free(c);
    }
    return NULL;
}

/*
 * Run @func on the connection thread (always via the context, never inline). No
 * reference is taken: sources on the private context never outlive the client,
 * whose destructor stops the thread and then drops the context with them.
 */
static void client_schedule(RpcClient *c, GSourceFunc func)
{
    GSource *s = g_idle_source_new();

    g_source_set_priority(s, G_PRIORITY_DEFAULT);
    g_source_set_callback(s, func, c, NULL);
    g_source_attach(s, c->ctx);
    g_source_unref(s);
}

/*
 * Run @func on @ctx's own thread. Not g_main_context_invoke(): that runs the
 * function right here when nobody owns @ctx at the moment, which would put handlers
 * on the connection thread.
 */
static void dispatch_on(GMainContext *ctx, GSourceFunc func, gpointer data, GDestroyNotify destroy)
{
    GSource *s = g_idle_source_new();

    g_source_set_priority(s, G_PRIORITY_DEFAULT);
    g_source_set_callback(s, func, data, destroy);
    g_source_attach(s, ctx);
    g_source_unref(s);
}

static bool client_on_own_thread(RpcClient *c)
{
    return g_main_context_is_owner(c->ctx);
}

/* ---- deliveries to the connection thread ---- */

/* Run what is queued for the connection thread, oldest first (connection thread). */
static void client_run_deliveries(RpcClient *c)
{
    for (;;) {
        ClientDelivery *d;

        g_mutex_lock(&c->lock);
        d = g_queue_pop_head(&c->deliveries);
        g_mutex_unlock(&c->lock);
        if (!d)
            return;
        d->func(d->data);
        if (d->destroy)
            d->destroy(d->data);
        g_free(d);
    }
}

static gboolean client_idle_deliveries(gpointer data)
{
    RpcClient *c = data;

    g_mutex_lock(&c->lock);
    c->deliver_scheduled = false;
    g_mutex_unlock(&c->lock);
    client_run_deliveries(c);
    return G_SOURCE_REMOVE;
}

static void client_delivery_free(gpointer data)
{
    ClientDelivery *d = data;

    if (d->destroy)
        d->destroy(d->data);
    g_free(d);
}

/*
 * Have the connection thread run @func(@data), then @destroy(@data), after whatever
 * was queued before: handlers "on the connection thread" see packets in the order
 * they arrived whichever thread read them. Sources of our own context would not keep
 * that order with the connection thread's own reads, so one queue it is. On the
 * connection thread itself the code that read or closed runs the queue right after;
 * other threads schedule that. Anything still queued when the client is freed is
 * destroyed without running.
 */
static void client_deliver(RpcClient *c, GSourceFunc func, gpointer data, GDestroyNotify destroy)
{
    ClientDelivery *d = g_new(ClientDelivery, 1);
    bool schedule = !client_on_own_thread(c);

    d->func = func;
    d->data = data;
    d->destroy = destroy;
    g_mutex_lock(&c->lock);
    g_queue_push_tail(&c->deliveries, d);
    schedule = schedule && !c->deliver_scheduled;
    c->deliver_scheduled |= schedule;
    g_mutex_unlock(&c->lock);
    if (schedule)
        client_schedule(c, client_idle_deliveries);
}

/* ---- writing (connection thread) ---- */

/* Write what the socket takes of @o: its bytes from *@offset on, then its descriptors.
 * Returns 1 once all of it is out, 0 when the socket is full, or -errno. */
static int client_out_send(int fd, ClientOut *o, size_t *offset)
{
    gsize len;
    const uint8_t *p = g_bytes_get_data(o->bytes, &len);

    while (*offset < len) {
        ssize_t n = send(fd, p + *offset, len - *offset, MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n < 0)
            return errno == EAGAIN || errno == EINTR ? 0 : -errno;
        *offset += (size_t)n;
    }
    while (o->fds_sent < o->n_fds) {
        int r = rpc_unix_send_fd(fd, o->fds[o->fds_sent]);

        if (r == -EAGAIN || r == -EINTR)
            return 0;
        if (r < 0)
            return r;
        close(o->fds[o->fds_sent++]);
    }
    return 1;
}

static gboolean client_on_writable(gint fd, GIOCondition cond, gpointer data)
{
    RpcClient *c = data;
    g_autoptr(GError) error = NULL;

    g_mutex_lock(&c->lock);
    while (!g_queue_is_empty(&c->out)) {
        int r = client_out_send(fd, g_queue_peek_head(&c->out), &c->out_offset);

        if (r == 0) {
            g_mutex_unlock(&c->lock);
            return G_SOURCE_CONTINUE;
        }
        if (r < 0) {
            error = g_error_new(VIRT_RPC_ERROR, VIRT_ERR_SYSTEM_ERROR, "Cannot write data: %s",
                                g_strerror(-r));
            break;
        }
        client_out_free(g_queue_pop_head(&c->out));
        c->out_offset = 0;
    }
    c->write_pending = false;
    g_mutex_unlock(&c->lock);
    g_clear_pointer(&c->write_source, g_source_unref);
    if (error)
        client_close_internal(c, RPC_CLIENT_CLOSE_ERROR, g_steal_pointer(&error));
    return G_SOURCE_REMOVE;
}

static void client_start_writing(RpcClient *c)
{
    bool closed;

    g_mutex_lock(&c->lock);
    closed = c->closed;
    g_mutex_unlock(&c->lock);
    if (c->write_source || closed)
        return;
    c->write_source = g_unix_fd_source_new(c->fd, G_IO_OUT);
    g_source_set_callback(c->write_source, G_SOURCE_FUNC(client_on_writable), c, NULL);
    g_source_attach(c->write_source, c->ctx);
}

static gboolean client_idle_write(gpointer data)
{
    client_start_writing(data);
    return G_SOURCE_REMOVE;
}

/* Queue @bytes and the @n_fds descriptors @fds that follow it (both taken); call with
 * the lock held. When nothing waits to be written the caller sends right away: waking
 * the connection thread to write costs a thread switch and a source per packet. */
static void client_enqueue_fds_locked(RpcClient *c, GBytes *bytes, int *fds, unsigned int n_fds)
{
    ClientOut *o = g_new0(ClientOut, 1);

    o->bytes = bytes;
    o->fds = fds;
    o->n_fds = n_fds;
    g_queue_push_tail(&c->out, o);
    if (c->write_pending)
        return;
    if (c->out.length == 1 && !c->closed && client_out_send(c->fd, o, &c->out_offset) > 0) {
        client_out_free(g_queue_pop_head(&c->out));
        c->out_offset = 0;
        return;
    }
    /* the rest, and any error, is the connection thread's */
    c->write_pending = true;
    client_schedule(c, client_idle_write);
}

static void client_enqueue_locked(RpcClient *c, GBytes *bytes)
{
    client_enqueue_fds_locked(c, bytes, NULL, 0);
}

/* ---- dispatching what was read (whoever reads, under io_lock) ---- */

typedef struct EventDispatch {
    RpcClient *client; /* a reference when @ref */
    bool ref;
    RpcMessage *msg;
} EventDispatch;

static gboolean client_dispatch_event(gpointer data)
{
    EventDispatch *ev = data;
    RpcClientEventFunc func;
    gpointer user_data;

    g_mutex_lock(&ev->client->lock);
    func = ev->client->event_func;
    user_data = ev->client->event_data;
    g_mutex_unlock(&ev->client->lock);
    if (func)
        func(ev->client, ev->msg, user_data);
    return G_SOURCE_REMOVE;
}

static void event_dispatch_free(gpointer data)
{
    EventDispatch *ev = data;

    rpc_message_free(ev->msg);
    if (ev->ref)
        rpc_client_unref(ev->client);
    g_free(ev);
}

/*
 * Run @func(@data), then @destroy(@data), where a handler wants it: on
 * *@handler_ctx (a field of @c, read under the lock) with a client reference, which
 * *@ret_ref then says @data holds, or in the connection thread's queue, which the
 * client outlives, without one.
 */
static void client_dispatch_handler(RpcClient *c, GMainContext *const *handler_ctx,
                                    GSourceFunc func, gpointer data, GDestroyNotify destroy,
                                    bool *ret_ref)
{
    GMainContext *ctx;

    g_mutex_lock(&c->lock);
    ctx = *handler_ctx ? g_main_context_ref(*handler_ctx) : NULL;
    g_mutex_unlock(&c->lock);
    if (!ctx) {
        client_deliver(c, func, data, destroy);
        return;
    }
    *ret_ref = true;
    rpc_client_ref(c);
    dispatch_on(ctx, func, data, destroy);
    g_main_context_unref(ctx);
}

static void client_handle_event(RpcClient *c, RpcMessage *msg)
{
    EventDispatch *ev = g_new0(EventDispatch, 1);

    ev->msg = msg;
    ev->client = c;
    client_dispatch_handler(c, &c->event_ctx, client_dispatch_event, ev, event_dispatch_free,
                            &ev->ref);
}

/* @call is done: wake its thread, on its condition or, when it holds the reader role
 * and is not the thread reading right now, through wake_fd. Lock held. */
static void client_call_complete_locked(RpcClient *c, RpcClientCall *call)
{
    static const uint64_t one = 1;

    call->done = true;
    if (c->reader != call) {
        g_cond_signal(&call->cond);
        return;
    }
    if (reading_call != call)
        (void)!write(c->wake_fd, &one, sizeof(one));
}

/* Hand a reply to its call (lock held); returns it when nobody waits for it. */
static RpcMessage *client_handle_reply_locked(RpcClient *c, RpcMessage *msg)
{
    RpcClientCall *call = g_hash_table_lookup(c->calls, GUINT_TO_POINTER(msg->header.serial));

    if (!call || call->done)
        return msg;
    call->reply = msg;
    client_call_complete_locked(c, call);
    return NULL;
}

/* ---- streams ---- */

static RpcClientStream *stream_ref(RpcClientStream *s)
{
    g_atomic_int_inc(&s->refs);
    return s;
}

static void stream_unref(RpcClientStream *s)
{
    if (!s || !g_atomic_int_dec_and_test(&s->refs))
        return;
    g_clear_pointer(&s->ctx, g_main_context_unref);
    if (s->user_destroy)
        s->user_destroy(s->user_data);
    rpc_client_unref(s->client);
    g_free(s);
}

typedef struct StreamDispatch {
    RpcClientStream *stream;
    GBytes *data;
    bool eof;
    GError *error;
} StreamDispatch;

static gboolean stream_dispatch(gpointer data)
{
    StreamDispatch *sd = data;
    gsize len = 0;
    const void *bytes = sd->data ? g_bytes_get_data(sd->data, &len) : NULL;

    RpcClientStreamFunc func;

    g_mutex_lock(&sd->stream->client->lock);
    func = sd->stream->func;
    g_mutex_unlock(&sd->stream->client->lock);
    if (func)
        func(sd->stream, bytes, len, sd->eof, sd->error, sd->stream->user_data);
    return G_SOURCE_REMOVE;
}

static void stream_dispatch_free(gpointer data)
{
    StreamDispatch *sd = data;

    g_clear_pointer(&sd->data, g_bytes_unref);
    g_clear_error(&sd->error);
    stream_unref(sd->stream);
    g_free(sd);
}

/* Hand data, end of stream or an error to the stream's handler. Takes @data and
 * @error. The delivery holds a stream reference, hence one of the client. */
static void stream_deliver(RpcClientStream *s, GBytes *data, bool eof, GError *error)
{
    StreamDispatch *sd = g_new0(StreamDispatch, 1);

    sd->stream = stream_ref(s);
    sd->data = data;
    sd->eof = eof;
    sd->error = error;
    if (!s->ctx)
        client_deliver(s->client, stream_dispatch, sd, stream_dispatch_free);
    else
        dispatch_on(s->ctx, stream_dispatch, sd, stream_dispatch_free);
}

static void client_handle_stream(RpcClient *c, RpcMessage *msg)
{
    RpcClientStream *s;
    bool last = msg->header.status != RPC_STATUS_CONTINUE;

    g_mutex_lock(&c->lock);
    s = g_hash_table_lookup(c->streams, GUINT_TO_POINTER(msg->header.serial));
    if (s && last) {
        g_hash_table_steal(c->streams, GUINT_TO_POINTER(msg->header.serial));
        s->registered = false;
    } else if (s) {
        stream_ref(s);
    }
    g_mutex_unlock(&c->lock);
    if (!s)
        return; /* stray packet of a finished stream: dropped, as libvirt does */
    switch (msg->header.status) {
    case RPC_STATUS_CONTINUE:
        stream_deliver(s, g_bytes_ref(msg->payload), false, NULL);
        break;
    case RPC_STATUS_OK:
        stream_deliver(s, NULL, true, NULL);
        break;
    case RPC_STATUS_ERROR:
        stream_deliver(s, NULL, false, rpc_message_decode_error(msg));
        break;
    case _RPC_STATUS_MAX:
    case _RPC_STATUS_INVALID:
        break;
    }
    stream_unref(s);
}

static void stream_mark_unregistered(gpointer key, gpointer value, gpointer data)
{
    ((RpcClientStream *)value)->registered = false;
}

static void client_fail_stream(gpointer key, gpointer value, gpointer data)
{
    stream_deliver(value, NULL, false, g_error_copy(data));
}

static void client_handle_message(RpcClient *c, RpcMessage *msg)
{
    RpcKeepaliveAction action;
    bool reply =
        msg->header.type == RPC_MESSAGE_REPLY || msg->header.type == RPC_MESSAGE_REPLY_WITH_FDS;

    /* the keepalive timer notices the fresh packet when it fires, no re-arming here */
    g_mutex_lock(&c->lock);
    action = rpc_keepalive_received(&c->keepalive, &msg->header, g_get_monotonic_time());
    if (action == RPC_KEEPALIVE_SEND_PONG)
        client_enqueue_locked(c, rpc_keepalive_encode(action));
    if (reply)
        msg = client_handle_reply_locked(c, msg);
    g_mutex_unlock(&c->lock);
    if (!msg)
        return;
    switch (msg->header.type) {
    case RPC_MESSAGE_REPLY:
    case RPC_MESSAGE_REPLY_WITH_FDS:
        break; /* a reply nobody waits for (unknown serial) is dropped, as libvirt does */
    case RPC_MESSAGE_MESSAGE:
        if (rpc_keepalive_is_keepalive(&msg->header))
            break;
        client_handle_event(c, msg);
        return;
    case RPC_MESSAGE_STREAM:
        client_handle_stream(c, msg);
        break;
    case RPC_MESSAGE_CALL:
    case RPC_MESSAGE_CALL_WITH_FDS:
    case RPC_MESSAGE_STREAM_HOLE: /* sparse streams are not supported: holes dropped */
    case _RPC_MESSAGE_TYPE_MAX:
    case _RPC_MESSAGE_TYPE_INVALID:
        break;
    }
    rpc_message_free(msg);
}

/* ---- reading (whoever holds the reader role) ---- */

/* Feed what a read brought (@n bytes or -errno, @n_fds descriptors, taken) to the
 * decoder; returns why the connection ends when the read ends it, NULL while it goes
 * on. */
static GError *client_consume_read(RpcClient *c, ssize_t n, int *fds, unsigned int n_fds,
                                   RpcClientCloseReason *reason)
{
    GError *error = NULL;

    *reason = RPC_CLIENT_CLOSE_ERROR;
    if (n == -EMSGSIZE)
        return g_error_new(VIRT_RPC_ERROR, VIRT_ERR_RPC,
                           "the server passed more than %u file descriptors at once",
                           RPC_MESSAGE_NUM_FDS_MAX);
    if (n < 0)
        return g_error_new(VIRT_RPC_ERROR, VIRT_ERR_SYSTEM_ERROR, "Cannot recv data: %s",
                           g_strerror((int)-n));
    /* with the descriptors of REPLY_WITH_FDS packets, which the decoder pairs with
     * their dummy bytes and hands on inside the message */
    if (n > 0) {
        if (!rpc_decoder_feed_fds(c->decoder, c->read_buf, (size_t)n, fds, n_fds, &error))
            return error;
        return NULL;
    }
    for (unsigned int i = 0; i < n_fds; i++)
        close(fds[i]);
    if (!rpc_decoder_finish(c->decoder, &error))
        return error;
    *reason = RPC_CLIENT_CLOSE_EOF;
    return g_error_new(VIRT_RPC_ERROR, VIRT_ERR_RPC, "End of file while reading data");
}

/* One non-blocking read into the read buffer and @fds (io_lock held); returns its
 * byte count or -errno, -EAGAIN when the connection thread must leave the socket
 * alone. The connection thread reads under the lock, only while no caller holds the
 * role: then every call sent so far is done (callers take the role before their call
 * goes out), so it never takes a reply from under a waiting caller. */
static ssize_t client_recv(RpcClient *c, RpcClientCall *self, int *fds, unsigned int *ret_n_fds)
{
    ssize_t n;

    *ret_n_fds = 0;
    if (self)
        return rpc_unix_recv(c->fd, c->read_buf, CLIENT_READ_SIZE, fds, ret_n_fds);
    g_mutex_lock(&c->lock);
    if (c->reader || c->closed)
        n = -EAGAIN;
    else
        n = rpc_unix_recv(c->fd, c->read_buf, CLIENT_READ_SIZE, fds, ret_n_fds);
    g_mutex_unlock(&c->lock);
    return n;
}

/*
 * Read what the socket has, without waiting, and dispatch every whole packet in it
 * before returning: nobody else would look at a decoded packet until the socket
 * becomes readable again. @self is the reader's call when a caller reads, NULL on the
 * connection thread. A failed read closes the connection.
 */
static void client_read_some(RpcClient *c, RpcClientCall *self)
{
    int fds[RPC_MESSAGE_NUM_FDS_MAX];
    unsigned int n_fds;
    RpcClientCloseReason reason;
    GError *error;
    RpcMessage *msg;
    ssize_t n;

    g_mutex_lock(&c->io_lock);
    n = client_recv(c, self, fds, &n_fds);
    if (n == -EAGAIN || n == -EINTR) {
        g_mutex_unlock(&c->io_lock);
        return;
    }
    error = client_consume_read(c, n, fds, n_fds, &reason);
    reading_call = self;
    while (!error && (msg = rpc_decoder_pop(c->decoder))) {
        if (self)
            c->stats.by_callers++;
        else
            c->stats.by_connection_thread++;
        client_handle_message(c, msg);
    }
    reading_call = NULL;
    g_mutex_unlock(&c->io_lock);
    if (error)
        client_close_internal(c, reason, error);
}

/* The connection thread's read source: the socket is in its poll set only while no
 * caller holds the reader role (checked anew before every poll). */
typedef struct ClientReadSource {
    GSource base;
    RpcClient *client;
    GPollFD pfd;
} ClientReadSource;

/*
 * Without the lock, as this runs before every poll: we say we do not poll the socket,
 * then look at the role, and a caller giving the role up clears it, then looks at
 * conn_polls. Both sequentially consistent, so at least one of us sees the other:
 * either we take the socket back or the caller wakes us (client_pass_reader_locked).
 */
static gboolean read_source_prepare(GSource *source, gint *timeout)
{
    ClientReadSource *rs = (ClientReadSource *)source;
    RpcClient *c = rs->client;
    bool mine;

    g_atomic_int_set(&c->conn_polls, FALSE);
    mine = !g_atomic_pointer_get(&c->reader);
    if (mine)
        g_atomic_int_set(&c->conn_polls, TRUE);
    /* No events while a caller reads. The descriptor itself stays: GLib keeps its poll
     * set sorted by descriptor (and asserts so), and it polls entries without events
     * too. poll() reports HUP and ERR regardless, so a hung-up socket wakes us until
     * the caller has read the end and the close dropped this source
     * (client_idle_teardown()). */
    rs->pfd.events = mine ? CLIENT_READ_EVENTS : 0;
    *timeout = -1;
    return FALSE;
}

static gboolean read_source_check(GSource *source)
{
    ClientReadSource *rs = (ClientReadSource *)source;

    return (rs->pfd.revents & rs->pfd.events) != 0;
}

static gboolean read_source_dispatch(GSource *source, GSourceFunc func, gpointer data)
{
    RpcClient *c = ((ClientReadSource *)source)->client;

    /* a caller took over since the poll: it reads, the next prepare lets go of the
     * socket (client_recv() checks again under the lock) */
    if (!g_atomic_pointer_get(&c->reader))
        client_read_some(c, NULL);
    client_run_deliveries(c);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs read_source_funcs = {
    .prepare = read_source_prepare,
    .check = read_source_check,
    .dispatch = read_source_dispatch,
};

static GSource *client_read_source_new(RpcClient *c)
{
    GSource *source = g_source_new(&read_source_funcs, sizeof(ClientReadSource));
    ClientReadSource *rs = (ClientReadSource *)source;

    rs->client = c;
    rs->pfd.fd = c->fd;
    rs->pfd.events = CLIENT_READ_EVENTS;
    g_source_add_poll(source, &rs->pfd);
    /* GLib takes a dispatching source's descriptors out of the poll set and puts them
     * back, waking its own loop twice per dispatch; nothing here iterates the context
     * from inside a dispatch, so that blocking buys nothing */
    g_source_set_can_recurse(source, TRUE);
    g_source_set_name(source, "rpc-client-read");
    return source;
}

/* Poll the socket and wake_fd once, then read whatever the socket has. Lock not held. */
static void client_reader_wait(RpcClient *c, RpcClientCall *call)
{
    struct pollfd pfd[2] = { { c->fd, POLLIN, 0 }, { c->wake_fd, POLLIN, 0 } };
    uint64_t count;

    if (poll(pfd, G_N_ELEMENTS(pfd), -1) < 0) {
        if (errno != EINTR)
            client_close_internal(c, RPC_CLIENT_CLOSE_ERROR,
                                  g_error_new(VIRT_RPC_ERROR, VIRT_ERR_SYSTEM_ERROR,
                                              "Cannot poll the connection: %s", g_strerror(errno)));
        return;
    }
    if (pfd[1].revents)
        (void)!read(c->wake_fd, &count, sizeof(count));
    if (pfd[0].revents)
        client_read_some(c, call);
}

/* The reader's call is done: give the role to a caller still waiting, or back to the
 * connection thread, waking it when its poll set lacks the socket. Lock held. */
static void client_pass_reader_locked(RpcClient *c)
{
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init(&iter, c->calls);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        RpcClientCall *next = value;

        if (!next->done) {
            g_atomic_pointer_set(&c->reader, next);
            g_cond_signal(&next->cond);
            return;
        }
    }
    g_atomic_pointer_set(&c->reader, NULL);
    if (!g_atomic_int_get(&c->conn_polls) && !c->closed)
        g_main_context_wakeup(c->ctx);
}

/* Wait until @call is done (lock held): reading the socket ourselves while nobody
 * else does, sleeping on the call's condition while another thread reads. */
static void client_wait_locked(RpcClient *c, RpcClientCall *call)
{
    while (!call->done) {
        if (!c->reader)
            g_atomic_pointer_set(&c->reader, call);
        if (c->reader != call) {
            g_cond_wait(&call->cond, &c->lock);
            continue;
        }
        g_mutex_unlock(&c->lock);
        client_reader_wait(c, call);
        g_mutex_lock(&c->lock);
    }
    if (c->reader == call)
        client_pass_reader_locked(c);
}

/* ---- keepalive (connection thread) ---- */

static gboolean client_on_keepalive_timer(gpointer data)
{
    RpcClient *c = data;
    RpcKeepaliveAction action;

    g_clear_pointer(&c->keepalive_source, g_source_unref);
    g_mutex_lock(&c->lock);
    action = rpc_keepalive_timer(&c->keepalive, g_get_monotonic_time());
    if (action == RPC_KEEPALIVE_SEND_PING)
        client_enqueue_locked(c, rpc_keepalive_encode(action));
    g_mutex_unlock(&c->lock);
    if (action == RPC_KEEPALIVE_DEAD) {
        client_close_internal(c, RPC_CLIENT_CLOSE_KEEPALIVE,
                              g_error_new(VIRT_RPC_ERROR, VIRT_ERR_RPC,
                                          "connection closed due to keepalive timeout"));
        return G_SOURCE_REMOVE;
    }
    client_arm_keepalive(c);
    return G_SOURCE_REMOVE;
}

static void client_arm_keepalive(RpcClient *c)
{
    int64_t deadline;
    int64_t wait_ms;
    bool closed;

    if (c->keepalive_source) {
        g_source_destroy(c->keepalive_source);
        g_clear_pointer(&c->keepalive_source, g_source_unref);
    }
    g_mutex_lock(&c->lock);
    deadline = rpc_keepalive_deadline(&c->keepalive);
    closed = c->closed;
    g_mutex_unlock(&c->lock);
    if (deadline < 0 || closed)
        return;
    wait_ms = (deadline - g_get_monotonic_time() + 999) / 1000;
    c->keepalive_source = g_timeout_source_new((guint)CLAMP(wait_ms, 0, G_MAXINT));
    g_source_set_callback(c->keepalive_source, client_on_keepalive_timer, c, NULL);
    g_source_attach(c->keepalive_source, c->ctx);
}

/* ---- closing ---- */

typedef struct CloseDispatch {
    RpcClient *client; /* a reference when @ref */
    bool ref;
    RpcClientCloseReason reason;
    GError *error;
} CloseDispatch;

static gboolean client_dispatch_close(gpointer data)
{
    CloseDispatch *cd = data;
    RpcClientCloseFunc func;
    gpointer user_data;

    g_mutex_lock(&cd->client->lock);
    func = cd->client->close_func;
    user_data = cd->client->close_data;
    g_mutex_unlock(&cd->client->lock);
    if (func)
        func(cd->client, cd->reason, cd->error, user_data);
    return G_SOURCE_REMOVE;
}

static void close_dispatch_free(gpointer data)
{
    CloseDispatch *cd = data;

    g_clear_error(&cd->error);
    if (cd->ref)
        rpc_client_unref(cd->client);
    g_free(cd);
}

static void client_fail_call(gpointer key, gpointer value, gpointer data)
{
    RpcClientCall *call = value;
    RpcClient *c = data;

    if (call->done)
        return;
    call->error = g_error_copy(c->close_error);
    client_call_complete_locked(c, call);
}

static void client_destroy_source(GSource **source)
{
    if (*source) {
        g_source_destroy(*source);
        g_clear_pointer(source, g_source_unref);
    }
}

/* Connection thread: drop the sources of a closed connection, run what the close
 * queued (the failed streams' and the close handler's deliveries). */
static gboolean client_idle_teardown(gpointer data)
{
    RpcClient *c = data;

    client_destroy_source(&c->read_source);
    client_destroy_source(&c->write_source);
    client_destroy_source(&c->keepalive_source);
    client_run_deliveries(c);
    return G_SOURCE_REMOVE;
}

/* Tell the close handler, on its context or in the connection thread's queue. Takes
 * @error. */
static void client_notify_close(RpcClient *c, RpcClientCloseReason reason, GError *error)
{
    CloseDispatch *cd = g_new0(CloseDispatch, 1);

    cd->client = c;
    cd->reason = reason;
    cd->error = error;
    client_dispatch_handler(c, &c->close_ctx, client_dispatch_close, cd, close_dispatch_free,
                            &cd->ref);
}

/* Any thread: fail every waiting call and stream with @error (taken), shut the
 * socket down (readers polling it wake up), tell the close handler; the connection
 * thread then drops its sources. Idempotent. */
static void client_close_internal(RpcClient *c, RpcClientCloseReason reason, GError *error)
{
    g_autoptr(GHashTable) streams = NULL;

    g_mutex_lock(&c->lock);
    if (c->closed) {
        g_mutex_unlock(&c->lock);
        g_error_free(error);
        return;
    }
    c->closed = true;
    c->close_error = g_error_copy(error);
    g_hash_table_foreach(c->calls, client_fail_call, c);
    g_hash_table_foreach(c->streams, stream_mark_unregistered, NULL);
    streams = g_steal_pointer(&c->streams);
    c->streams = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)stream_unref);
    g_queue_clear_full(&c->out, (GDestroyNotify)client_out_free);
    c->out_offset = 0;
    c->write_pending = false;
    (void)shutdown(c->fd, SHUT_RDWR);
    g_mutex_unlock(&c->lock);

    g_hash_table_foreach(streams, client_fail_stream, error);
    client_notify_close(c, reason, error);
    if (client_on_own_thread(c))
        client_idle_teardown(c);
    else
        client_schedule(c, client_idle_teardown);
}

static gboolean client_idle_close(gpointer data)
{
    client_close_internal(
        data, RPC_CLIENT_CLOSE_CLIENT,
        g_error_new(VIRT_RPC_ERROR, VIRT_ERR_RPC, "the connection was closed by the client"));
    return G_SOURCE_REMOVE;
}

static gboolean client_idle_quit(gpointer data)
{
    RpcClient *c = data;

    g_main_loop_quit(c->loop);
    return G_SOURCE_REMOVE;
}

/* ---- public API ---- */

/* Whether descriptors can be passed on @fd. A transport tunnelled through a unix
 * socketpair (ssh's stdio, say) would have to turn this off again. */
static bool client_socket_is_unix(int fd)
{
    int domain = -1;
    socklen_t len = sizeof(domain);

    return getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 && domain == AF_UNIX;
}

/**
 * rpc_client_new_fd: a connection over the connected stream socket @fd, which it
 * takes over (closed on failure too). Starts the connection thread.
 */
RpcClient *rpc_client_new_fd(int fd, GError **error)
{
    RpcClient *c;

    if (!g_unix_set_fd_nonblocking(fd, TRUE, error)) {
        close(fd);
        return NULL;
    }
    c = g_new0(RpcClient, 1);
    c->refs = 1;
    c->fd = fd;
    c->pass_fds = client_socket_is_unix(fd);
    c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (c->wake_fd < 0) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_SYSTEM_ERROR, "cannot create an eventfd: %s",
                    g_strerror(errno));
        close(fd);
        g_free(c);
        return NULL;
    }
    c->ctx = g_main_context_new();
    c->loop = g_main_loop_new(c->ctx, FALSE);
    g_mutex_init(&c->lock);
    g_mutex_init(&c->io_lock);
    g_queue_init(&c->out);
    g_queue_init(&c->deliveries);
    c->calls = g_hash_table_new(NULL, NULL);
    c->streams = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)stream_unref);
    c->decoder = rpc_decoder_new();
    c->read_buf = g_malloc(CLIENT_READ_SIZE);
    rpc_keepalive_init(&c->keepalive, 0, 0, g_get_monotonic_time());
    c->read_source = client_read_source_new(c);
    g_source_attach(c->read_source, c->ctx);
    c->thread = g_thread_new("rpc-client", client_thread, c);
    return c;
}

/**
 * rpc_client_new_unix: connect to the unix socket at @path.
 */
RpcClient *rpc_client_new_unix(const char *path, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_INVALID_ARG, "socket path '%s' is too long",
                    path);
        return NULL;
    }
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_SYSTEM_ERROR, "cannot create socket: %s",
                    g_strerror(errno));
        return NULL;
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int err = errno;

        close(fd);
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_SYSTEM_ERROR,
                    "Failed to connect socket to '%s': %s", path, g_strerror(err));
        return NULL;
    }
    return rpc_client_new_fd(fd, error);
}

/**
 * rpc_client_ref: take a reference.
 */
RpcClient *rpc_client_ref(RpcClient *client)
{
    g_atomic_int_inc(&client->refs);
    return client;
}

/**
 * rpc_client_unref: drop a reference; the last one closes the connection, stops its
 * thread and frees the client (from that thread itself when the last reference is
 * dropped there). Accepts NULL, returns NULL.
 */
RpcClient *rpc_client_unref(RpcClient *client)
{
    RpcClient *c = client;

    if (!c || !g_atomic_int_dec_and_test(&c->refs))
        return NULL;
    client_schedule(c, client_idle_close);
    client_schedule(c, client_idle_quit);
    if (g_thread_self() == c->thread) {
        /* dropped by a handler or a stream on the connection thread itself */
        c->self_free = true;
        return NULL;
    }
    g_thread_join(c->thread);
    client_free(c);
    return NULL;
}

/* Everything but the thread; sources still attached to the private context are
 * destroyed with it, without running. */
static void client_free(RpcClient *c)
{
    g_queue_clear_full(&c->out, (GDestroyNotify)client_out_free);
    g_queue_clear_full(&c->deliveries, client_delivery_free);
    g_hash_table_unref(c->calls);
    g_hash_table_unref(c->streams);
    g_clear_error(&c->close_error);
    rpc_decoder_free(c->decoder);
    g_free(c->read_buf);
    close(c->fd);
    close(c->wake_fd);
    g_clear_pointer(&c->event_ctx, g_main_context_unref);
    g_clear_pointer(&c->close_ctx, g_main_context_unref);
    g_main_loop_unref(c->loop);
    g_main_context_unref(c->ctx);
    g_mutex_clear(&c->io_lock);
    g_mutex_clear(&c->lock);
    g_free(c);
}

/**
 * rpc_client_set_event_handler: where MESSAGE packets (events) go; @context NULL
 * means the connection thread.
 */
void rpc_client_set_event_handler(RpcClient *client, RpcClientEventFunc func, gpointer user_data,
                                  GMainContext *context)
{
    g_mutex_lock(&client->lock);
    client->event_func = func;
    client->event_data = user_data;
    g_clear_pointer(&client->event_ctx, g_main_context_unref);
    client->event_ctx = context ? g_main_context_ref(context) : NULL;
    g_mutex_unlock(&client->lock);
}

/**
 * rpc_client_set_close_handler: called once when the connection closes, for
 * whatever reason.
 */
void rpc_client_set_close_handler(RpcClient *client, RpcClientCloseFunc func, gpointer user_data,
                                  GMainContext *context)
{
    g_mutex_lock(&client->lock);
    client->close_func = func;
    client->close_data = user_data;
    g_clear_pointer(&client->close_ctx, g_main_context_unref);
    client->close_ctx = context ? g_main_context_ref(context) : NULL;
    g_mutex_unlock(&client->lock);
}

static bool client_check_usable(RpcClient *c, GError **error)
{
    if (g_main_context_is_owner(c->ctx)) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "an RPC call cannot be made from the connection's own thread");
        return false;
    }
    if (c->closed) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC, "client socket is closed%s%s",
                    c->close_error ? ": " : "", c->close_error ? c->close_error->message : "");
        return false;
    }
    return true;
}

static bool client_decode_reply(const RpcProcInfo *info, RpcMessage *reply, void *ret,
                                GError **error)
{
    if (reply->header.status == RPC_STATUS_ERROR) {
        g_propagate_error(error, rpc_message_decode_error(reply));
        return false;
    }
    if (reply->header.status != RPC_STATUS_OK) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC, "Unexpected message status %u",
                    (unsigned int)reply->header.status);
        return false;
    }
    if (info->ret.size == 0 || !ret)
        return true;
    return rpc_payload_decode(&info->ret, reply->payload, ret, error);
}

/* Descriptors of one call: those passed with it, those its reply brought. */
typedef struct ClientCallFds {
    const int *send;
    unsigned int n_send;
    int *received; /* the caller's once the call succeeded */
    unsigned int n_received;
} ClientCallFds;

/* Our own close-on-exec copies of @fds, to queue: the caller's stay untouched whatever
 * happens to the packet. Checked before anything is encoded or sent. */
static int *client_dup_fds(RpcClient *c, const int *fds, unsigned int n_fds, GError **error)
{
    g_autofree int *dups = NULL;

    if (n_fds > RPC_MESSAGE_NUM_FDS_MAX) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC,
                    "cannot pass %u file descriptors in one call: the protocol carries at most %u",
                    n_fds, RPC_MESSAGE_NUM_FDS_MAX);
        return NULL;
    }
    if (!c->pass_fds) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_ARGUMENT_UNSUPPORTED,
                    "cannot pass file descriptors over this connection: only a local unix "
                    "socket carries them (ssh and tls transports cannot)");
        return NULL;
    }
    dups = g_new(int, n_fds);
    for (unsigned int i = 0; i < n_fds; i++) {
        dups[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
        if (dups[i] < 0) {
            int err = errno;

            while (i > 0)
                close(dups[--i]);
            g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_SYSTEM_ERROR,
                        "Unable to duplicate FD %d: %s", fds[i], g_strerror(err));
            return NULL;
        }
    }
    return g_steal_pointer(&dups);
}

static void client_close_fds(int *fds, unsigned int n_fds)
{
    for (unsigned int i = 0; fds && i < n_fds; i++)
        close(fds[i]);
    g_free(fds);
}

/* Send a CALL (a CALL_WITH_FDS when @io has descriptors to pass) and wait for its
 * reply; @stream, if given, is registered under the call's serial before the call
 * leaves, so no data packet can miss it. */
static bool client_call_full(RpcClient *client, uint32_t prog, int proc, const void *args,
                             void *ret, RpcClientStream *stream, ClientCallFds *io, GError **error)
{
    const RpcProcInfo *info = rpc_proc_lookup(prog, proc);
    RpcClientCall call = { .done = false };
    g_autoptr(RpcMessage) reply = NULL;
    unsigned int n_fds = io ? io->n_send : 0;
    int *fds = NULL;
    GBytes *bytes;
    uint32_t serial;

    if (!info || info->kind != RPC_PROC_KIND_CALL) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC, "unknown procedure %d of program 0x%08x",
                    proc, prog);
        return false;
    }
    if (n_fds > 0 && !(fds = client_dup_fds(client, io->send, n_fds, error)))
        return false;
    g_cond_init(&call.cond);
    g_mutex_lock(&client->lock);
    if (!client_check_usable(client, error)) {
        g_mutex_unlock(&client->lock);
        g_cond_clear(&call.cond);
        client_close_fds(fds, n_fds);
        return false;
    }
    serial = client->next_serial++;
    bytes = rpc_message_encode_call_with_fds(prog, proc, serial, n_fds, args, error);
    if (!bytes) {
        g_mutex_unlock(&client->lock);
        g_cond_clear(&call.cond);
        client_close_fds(fds, n_fds);
        return false;
    }
    g_hash_table_insert(client->calls, GUINT_TO_POINTER(serial), &call);
    if (stream) {
        stream->serial = serial;
        stream->registered = true;
        g_hash_table_insert(client->streams, GUINT_TO_POINTER(serial), stream_ref(stream));
    }
    /* the role before the call goes out: its reply is never the connection thread's */
    if (!client->reader)
        g_atomic_pointer_set(&client->reader, &call);
    client_enqueue_fds_locked(client, bytes, fds, n_fds);
    client_wait_locked(client, &call);
    g_hash_table_remove(client->calls, GUINT_TO_POINTER(serial));
    g_mutex_unlock(&client->lock);
    g_cond_clear(&call.cond);
    if (call.error) {
        g_propagate_error(error, call.error);
        return false;
    }
    reply = g_steal_pointer(&call.reply);
    if (!client_decode_reply(info, reply, ret, error))
        return false; /* descriptors that came with it close with the reply */
    if (io && reply->fds) {
        io->received = g_steal_pointer(&reply->fds);
        io->n_received = reply->n_fds;
    }
    return true;
}

/**
 * rpc_client_call: call @proc of @prog with @args (NULL when void) and wait for the
 * reply, while other threads' calls proceed. On success @ret (a zeroed object of the
 * procedure's ret type, NULL when void) holds the result; release it with
 * rpc_payload_clear(). A server error comes back as its GError, with libvirt's
 * {domain, code} identity.
 */
bool rpc_client_call(RpcClient *client, uint32_t prog, int proc, const void *args, void *ret,
                     GError **error)
{
    return client_call_full(client, prog, proc, args, ret, NULL, NULL, error);
}

/**
 * rpc_client_call_with_fds: rpc_client_call() passing @n_fds descriptors @fds with
 * the call (a CALL_WITH_FDS, each descriptor following it with one dummy byte, as
 * libvirt's client frames it) and taking those the reply brings (REPLY_WITH_FDS).
 * @fds stay the caller's: copies travel. More than RPC_MESSAGE_NUM_FDS_MAX, a
 * descriptor that is not open, or a connection that is not a unix socket fail
 * before anything is sent. On success *@ret_fds (NULL when none came; g_free() it)
 * holds *@ret_n_fds descriptors the caller now owns; with @ret_fds NULL, and on every
 * failure, descriptors that came with the reply are closed.
 */
bool rpc_client_call_with_fds(RpcClient *client, uint32_t prog, int proc, const void *args,
                              const int *fds, unsigned int n_fds, void *ret, int **ret_fds,
                              unsigned int *ret_n_fds, GError **error)
{
    ClientCallFds io = { .send = fds, .n_send = n_fds };

    if (!client_call_full(client, prog, proc, args, ret, NULL, &io, error))
        return false;
    if (ret_fds) {
        *ret_fds = io.received;
        *ret_n_fds = io.n_received;
        return true;
    }
    client_close_fds(io.received, io.n_received);
    return true;
}

/**
 * rpc_client_call_stream: like rpc_client_call() for a procedure that opens a data
 * stream (@stream annotation, e.g. DOMAIN_OPEN_CONSOLE). Data the server sends,
 * its end and its errors go to @func on @context (NULL: the connection thread).
 * Returns the stream, to send data with and to free, or NULL if the call failed.
 */
RpcClientStream *rpc_client_call_stream(RpcClient *client, uint32_t prog, int proc,
                                        const void *args, void *ret, RpcClientStreamFunc func,
                                        gpointer user_data, GMainContext *context, GError **error)
{
    return rpc_client_call_stream_full(client, prog, proc, args, ret, func, user_data, NULL,
                                       context, error);
}

/**
 * rpc_client_call_stream_full: rpc_client_call_stream() with @destroy, called on
 * @user_data once the stream is freed and no call of @func can happen any more
 * (also when the call fails).
 */
RpcClientStream *rpc_client_call_stream_full(RpcClient *client, uint32_t prog, int proc,
                                             const void *args, void *ret, RpcClientStreamFunc func,
                                             gpointer user_data, GDestroyNotify destroy,
                                             GMainContext *context, GError **error)
{
    RpcClientStream *s = g_new0(RpcClientStream, 1);

    s->refs = 1;
    s->client = rpc_client_ref(client);
    s->prog = prog;
    s->proc = proc;
    s->func = func;
    s->user_data = user_data;
    s->user_destroy = destroy;
    s->ctx = context ? g_main_context_ref(context) : NULL;
    if (!client_call_full(client, prog, proc, args, ret, s, NULL, error)) {
        rpc_client_stream_free(s);
        return NULL;
    }
    s->opened = true;
    return s;
}

/* Queue one STREAM packet of ours with @status. */
static bool stream_send_packet(RpcClientStream *s, RpcMessageStatus status, const void *data,
                               size_t len, GError **error)
{
    RpcHeader h = { s->prog, 1, s->proc, RPC_MESSAGE_STREAM, s->serial, status };
    RpcClient *c = s->client;
    GBytes *bytes;

    g_mutex_lock(&c->lock);
    if (c->closed || s->finished) {
        g_mutex_unlock(&c->lock);
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC,
                    c->closed ? "client socket is closed" : "the stream is finished");
        return false;
    }
    bytes = rpc_message_encode(&h, 0, data, len, error);
    if (!bytes) {
        g_mutex_unlock(&c->lock);
        return false;
    }
    if (status != RPC_STATUS_CONTINUE)
        s->finished = true;
    client_enqueue_locked(c, bytes);
    g_mutex_unlock(&c->lock);
    return true;
}

/**
 * rpc_client_stream_send: send @len bytes of stream data, in packets of at most
 * libvirt's legacy payload size so that any peer accepts them.
 */
bool rpc_client_stream_send(RpcClientStream *stream, const void *data, size_t len, GError **error)
{
    const uint8_t *p = data;

    while (len > 0) {
        size_t n = MIN(len, RPC_STREAM_CHUNK_MAX);

        if (!stream_send_packet(stream, RPC_STATUS_CONTINUE, p, n, error))
            return false;
        p += n;
        len -= n;
    }
    return true;
}

/**
 * rpc_client_stream_finish: tell the server we sent everything (STREAM, OK).
 */
bool rpc_client_stream_finish(RpcClientStream *stream, GError **error)
{
    return stream_send_packet(stream, RPC_STATUS_OK, NULL, 0, error);
}

/**
 * rpc_client_stream_abort: give up on the stream (STREAM, ERROR, empty payload).
 */
void rpc_client_stream_abort(RpcClientStream *stream)
{
    stream_send_packet(stream, RPC_STATUS_ERROR, NULL, 0, NULL);
}

/**
 * rpc_client_stream_free: stop receiving; a stream we had not finished is aborted.
 * Its handler is not called any more from the connection thread; a call already
 * queued on another context may still run. Accepts NULL, returns NULL.
 */
RpcClientStream *rpc_client_stream_free(RpcClientStream *stream)
{
    RpcClient *c;

    if (!stream)
        return NULL;
    c = stream->client;
    if (stream->opened && !stream->finished)
        rpc_client_stream_abort(stream);
    g_mutex_lock(&c->lock);
    stream->func = NULL;
    if (stream->registered)
        g_hash_table_remove(c->streams, GUINT_TO_POINTER(stream->serial));
    stream->registered = false;
    g_mutex_unlock(&c->lock);
    stream_unref(stream);
    return NULL;
}

/**
 * rpc_client_send_message: send a MESSAGE packet of @proc (no reply expected).
 */
bool rpc_client_send_message(RpcClient *client, uint32_t prog, int proc, const void *msg,
                             GError **error)
{
    GBytes *bytes = rpc_message_encode_event(prog, proc, 0, msg, error);

    if (!bytes)
        return false;
    g_mutex_lock(&client->lock);
    if (client->closed) {
        g_mutex_unlock(&client->lock);
        g_bytes_unref(bytes);
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC, "client socket is closed");
        return false;
    }
    client_enqueue_locked(client, bytes);
    g_mutex_unlock(&client->lock);
    return true;
}

typedef struct KeepaliveStart {
    RpcClient *client;
    unsigned int interval;
    unsigned int count;
} KeepaliveStart;

static gboolean client_idle_keepalive(gpointer data)
{
    KeepaliveStart *ks = data;
    RpcClient *c = ks->client;
    int64_t now = g_get_monotonic_time();
    int64_t last;

    g_mutex_lock(&c->lock);
    last = c->keepalive.last_received_usec;
    rpc_keepalive_init(&c->keepalive, ks->interval, ks->count, now);
    c->keepalive.last_received_usec = last;
    rpc_keepalive_start(&c->keepalive, now);
    g_mutex_unlock(&c->lock);
    client_arm_keepalive(c);
    return G_SOURCE_REMOVE;
}

/**
 * rpc_client_start_keepalive: ping the server after @interval_sec seconds of
 * silence and close the connection after @count unanswered pings (libvirt's
 * virConnectSetKeepAlive; the caller negotiates PROGRAM_KEEPALIVE first).
 */
void rpc_client_start_keepalive(RpcClient *client, unsigned int interval_sec, unsigned int count)
{
    KeepaliveStart *ks = g_new0(KeepaliveStart, 1);
    GSource *s = g_idle_source_new();

    ks->client = client;
    ks->interval = interval_sec;
    ks->count = count;
    g_source_set_callback(s, client_idle_keepalive, ks, g_free);
    g_source_attach(s, client->ctx);
    g_source_unref(s);
}

enum {
    FEATURE_PROGRAM_KEEPALIVE = 10,
    FEATURE_REMOTE_EVENT_CALLBACK = 14,
    FEATURE_REMOTE_CLOSE_CALLBACK = 15,
};

static bool client_supports(RpcClient *c, int feature, bool *ret, GError **error)
{
    remote_connect_supports_feature_args args = { .feature = feature };
    remote_connect_supports_feature_ret res = { 0 };

    if (!rpc_client_call(c, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, &args, &res,
                         error))
        return false;
    *ret = res.supported != 0;
    return true;
}

static bool client_auth_none(RpcClient *c, GError **error)
{
    remote_auth_list_ret auth = { 0 };
    const RpcProcInfo *info = rpc_proc_lookup(REMOTE_PROGRAM, REMOTE_PROC_AUTH_LIST);
    bool none = false;
    int first = -1;

    if (!rpc_client_call(c, REMOTE_PROGRAM, REMOTE_PROC_AUTH_LIST, NULL, &auth, error))
        return false;
    for (u_int i = 0; i < auth.types.types_len; i++) {
        if (auth.types.types_val[i] == REMOTE_AUTH_NONE)
            none = true;
        if (i == 0)
            first = auth.types.types_val[i];
    }
    rpc_payload_clear(&info->ret, &auth);
    if (auth.types.types_len > 0 && !none) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_AUTH_UNAVAILABLE,
                    "authentication type %d is not supported by this client (only none is)", first);
        return false;
    }
    return true;
}

/**
 * rpc_client_handshake: open the remote connection the way libvirt's remote driver
 * does (virsh's recorded order): AUTH_LIST (only "none" is supported here),
 * SUPPORTS_FEATURE(PROGRAM_KEEPALIVE) and, when the server has it, keepalive with
 * @keepalive_interval/@keepalive_count (interval 0: none), CONNECT_OPEN with @name
 * (the URI without transport and client-only parameters; NULL lets the server
 * probe) and @flags, then SUPPORTS_FEATURE for the event and close callbacks.
 */
bool rpc_client_handshake(RpcClient *client, const char *name, unsigned int flags,
                          unsigned int keepalive_interval, unsigned int keepalive_count,
                          RpcClientFeatures *ret_features, GError **error)
{
    RpcClientFeatures features = { 0 };
    char *open_name = (char *)name;
    remote_connect_open_args open = { .name = name ? &open_name : NULL, .flags = flags };

    if (!client_auth_none(client, error) ||
        !client_supports(client, FEATURE_PROGRAM_KEEPALIVE, &features.keepalive, error))
        return false;
    if (features.keepalive && keepalive_interval > 0)
        rpc_client_start_keepalive(client, keepalive_interval, keepalive_count);
    if (!rpc_client_call(client, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_OPEN, &open, NULL, error) ||
        !client_supports(client, FEATURE_REMOTE_EVENT_CALLBACK, &features.event_callback, error) ||
        !client_supports(client, FEATURE_REMOTE_CLOSE_CALLBACK, &features.close_callback, error))
        return false;
    if (ret_features)
        *ret_features = features;
    return true;
}

/**
 * rpc_client_is_open: false once the connection closed (libvirt's
 * virConnectIsAlive is this, locally).
 */
bool rpc_client_is_open(RpcClient *client)
{
    bool open;

    g_mutex_lock(&client->lock);
    open = !client->closed;
    g_mutex_unlock(&client->lock);
    return open;
}

/**
 * rpc_client_get_read_stats: how many packets callers and the connection thread
 * read (client-priv.h, for tests).
 */
void rpc_client_get_read_stats(RpcClient *client, RpcClientReadStats *ret)
{
    g_mutex_lock(&client->io_lock);
    *ret = client->stats;
    g_mutex_unlock(&client->io_lock);
}

/**
 * rpc_client_close: close the connection now; waiting calls fail, the close
 * handler sees reason CLIENT. The object stays valid until its last unref.
 */
void rpc_client_close(RpcClient *client)
{
    client_schedule(client, client_idle_close);
}
