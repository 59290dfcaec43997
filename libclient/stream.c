/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virStream and virDomainOpenConsole. A stream of a remote connection receives on
 * the RPC connection's thread into a queue that virStreamRecv() drains (blocking,
 * or -2 at once with VIR_STREAM_NONBLOCK); virStreamSend() queues STREAM packets.
 * virStreamFinish()/virStreamAbort() wait for the server's confirmation, as
 * libvirt's client does. Event callbacks are a GSource on the default loop that is
 * ready while the stream is (level-triggered, like libvirt's).
 *
 * Lifetime: the application's references (virStreamNew, virStreamRef) count in
 * @app_refs; the object itself is also held by the RPC handler and by the event
 * source, so neither ever sees it freed. The connection reference goes with the
 * application's last one, never on the RPC thread.
 */

#include <string.h>

#include "client-priv.h"
#include "event-loop.h"
#include "remote-driver.h"

#define CLIENT_STREAM_MAGIC 0x76533174u

typedef struct StreamSource {
    GSource base;
    virStreamPtr st; /* a reference */
} StreamSource;

struct _virStream {
    uint32_t magic;
    gint app_refs;
    gint refs;
    virConnectPtr conn; /* a reference until the application's last one goes */
    unsigned int flags;

    GMutex lock; /* protects everything below */
    GCond cond;
    RpcClientStream *rpc; /* once virDomainOpenConsole() succeeded */
    GQueue in;            /* GBytes: the server's data, oldest first */
    size_t in_offset;     /* into the head of @in */
    bool eof;             /* the server's data ended */
    bool confirmed;       /* the server confirmed our finish or abort */
    bool done;            /* we finished or aborted */
    GError *error;        /* the stream failed */
    GSource *source;      /* the event callback's */
    int cb_events;
    virStreamEventCallback cb;
    void *cb_opaque;
    virFreeCallback cb_ff;
};

static virStreamPtr stream_ref(virStreamPtr st)
{
    g_atomic_int_inc(&st->refs);
    return st;
}

static void stream_unref(gpointer data)
{
    virStreamPtr st = data;

    if (!g_atomic_int_dec_and_test(&st->refs))
        return;
    g_queue_clear_full(&st->in, (GDestroyNotify)g_bytes_unref);
    g_clear_error(&st->error);
    g_mutex_clear(&st->lock);
    g_cond_clear(&st->cond);
    g_free(st);
}

static bool stream_check(virStreamPtr st, const char *api)
{
    client_error_reset();
    if (st && st->magic == CLIENT_STREAM_MAGIC && g_atomic_int_get(&st->app_refs) > 0)
        return true;
    client_error_set(VIRT_FROM_STREAMS, VIRT_ERR_INVALID_STREAM, "%s", api);
    return false;
}

/* What the event callback would be told now; call with the lock held. */
static int stream_ready_locked(virStreamPtr st)
{
    int events = 0;

    if ((st->cb_events & VIR_STREAM_EVENT_READABLE) && (st->in.length > 0 || st->eof || st->error))
        events |= VIR_STREAM_EVENT_READABLE;
    if ((st->cb_events & VIR_STREAM_EVENT_WRITABLE) && !st->error && !st->done)
        events |= VIR_STREAM_EVENT_WRITABLE;
    if (st->error)
        events |= VIR_STREAM_EVENT_ERROR;
    if (st->eof && st->in.length == 0)
        events |= VIR_STREAM_EVENT_HANGUP;
    return st->cb ? events & (st->cb_events | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP) : 0;
}

static int stream_ready(virStreamPtr st)
{
    int events;

    g_mutex_lock(&st->lock);
    events = stream_ready_locked(st);
    g_mutex_unlock(&st->lock);
    return events;
}

static gboolean source_prepare(GSource *source, gint *timeout)
{
    *timeout = -1;
    return stream_ready(((StreamSource *)source)->st) != 0;
}

static gboolean source_check(GSource *source)
{
    return stream_ready(((StreamSource *)source)->st) != 0;
}

static gboolean source_dispatch(GSource *source, GSourceFunc unused, gpointer data)
{
    virStreamPtr st = ((StreamSource *)source)->st;
    virStreamEventCallback cb;
    void *opaque;
    int events;

    g_mutex_lock(&st->lock);
    events = stream_ready_locked(st);
    cb = st->cb;
    opaque = st->cb_opaque;
    g_mutex_unlock(&st->lock);
    /* unlocked: the callback reads, sends, updates or removes itself */
    if (cb && events)
        cb(st, events, opaque);
    return G_SOURCE_CONTINUE;
}

static void source_finalize(GSource *source)
{
    stream_unref(((StreamSource *)source)->st);
}

static GSourceFuncs stream_source_funcs = {
    .prepare = source_prepare,
    .check = source_check,
    .dispatch = source_dispatch,
    .finalize = source_finalize,
};

/* Something changed: a waiting reader or the event loop looks again. Lock held. */
static void stream_notify_locked(virStreamPtr st)
{
    g_cond_broadcast(&st->cond);
    if (st->source)
        g_main_context_wakeup(g_source_get_context(st->source));
}

/* The server's data, its end (an empty CONTINUE, or the OK confirming our finish or
 * abort) or an error; on the RPC connection's thread. */
static void stream_on_data(RpcClientStream *rpc, const void *data, size_t len, bool eof,
                           const GError *error, gpointer user_data)
{
    virStreamPtr st = user_data;

    g_mutex_lock(&st->lock);
    if (error && !st->error)
        st->error = g_error_copy(error);
    else if (eof && st->done)
        st->confirmed = true;
    else if (eof || (len == 0 && !error))
        st->eof = true;
    else if (!st->eof && !st->done)
        g_queue_push_tail(&st->in, g_bytes_new(data, len));
    stream_notify_locked(st);
    g_mutex_unlock(&st->lock);
}

/**
 * virStreamNew - a stream for a connection, to open with virDomainOpenConsole()
 * @conn: the connection
 * @flags: VIR_STREAM_NONBLOCK: virStreamRecv() returns -2 instead of waiting
 *
 * Returns the stream (release with virStreamFree()), or NULL.
 */
virStreamPtr virStreamNew(virConnectPtr conn, unsigned int flags)
{
    virStreamPtr st;

    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return NULL;
    if (flags & ~VIR_STREAM_NONBLOCK) {
        client_error_invalid_arg(VIRT_FROM_STREAMS, "unsupported flags (0x%x) in function %s",
                                 flags & ~VIR_STREAM_NONBLOCK, __func__);
        return NULL;
    }
    virConnectRef(conn);
    st = g_new0(virStream, 1);
    st->magic = CLIENT_STREAM_MAGIC;
    st->app_refs = 1;
    st->refs = 1;
    st->conn = conn;
    st->flags = flags;
    g_mutex_init(&st->lock);
    g_cond_init(&st->cond);
    g_queue_init(&st->in);
    return st;
}

/**
 * virStreamRef: one more reference for the application. Returns 0 or -1.
 */
int virStreamRef(virStreamPtr st)
{
    if (!stream_check(st, __func__))
        return -1;
    g_atomic_int_inc(&st->app_refs);
    return 0;
}

/**
 * virDomainOpenConsole - connect @st to a console of @dom
 * @dom: a running domain
 * @dev_name: the console or serial device alias, NULL for the first console
 * @st: a new stream of @dom's connection
 * @flags: VIR_DOMAIN_CONSOLE_FORCE ends another session of that console;
 *         VIR_DOMAIN_CONSOLE_SAFE (sessions are always exclusive here)
 *
 * Returns 0, or -1 (a second session without FORCE: OPERATION_FAILED "Active
 * console session exists for this domain").
 */
int virDomainOpenConsole(virDomainPtr dom, const char *dev_name, virStreamPtr st,
                         unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    DomainRef ref;
    RpcClientStream *rpc;

    client_error_reset();
    if (!client_domain_check(dom, __func__) || !stream_check(st, __func__) ||
        !client_connect_check_writable(dom->conn, __func__))
        return -1;
    if (st->conn != dom->conn || st->rpc) {
        client_error_invalid_arg(VIRT_FROM_STREAMS,
                                 "stream in %s must be new and of the "
                                 "domain's connection",
                                 __func__);
        return -1;
    }
    if (!remote_driver_is(dom->conn->ops)) {
        client_error_no_support(__func__);
        return -1;
    }
    client_domain_to_ref(dom, &ref);
    rpc = remote_driver_open_console(dom->conn->drv, &ref, dev_name, flags, stream_on_data,
                                     stream_ref(st), stream_unref, &error);
    if (!rpc) {
        client_error_set_gerror(error);
        return -1;
    }
    g_mutex_lock(&st->lock);
    st->rpc = rpc;
    g_mutex_unlock(&st->lock);
    return 0;
}

/* Raise the stream's error, or one for a stream in no state for @api. Lock held. */
static bool stream_usable_locked(virStreamPtr st, const char *api)
{
    if (st->error) {
        client_error_set_gerror(st->error);
        return false;
    }
    if (!st->rpc || st->done) {
        client_error_set(VIRT_FROM_STREAMS, VIRT_ERR_OPERATION_INVALID,
                         "Requested operation is not valid: stream is %s in %s",
                         st->rpc ? "finished" : "not open", api);
        return false;
    }
    return true;
}

/**
 * virStreamSend - send data to the other end
 * @st: an open stream
 * @data: the bytes
 * @nbytes: how many
 *
 * Returns @nbytes (queued for the connection in order), or -1.
 */
int virStreamSend(virStreamPtr st, const char *data, size_t nbytes)
{
    g_autoptr(GError) error = NULL;
    RpcClientStream *rpc;

    if (!stream_check(st, __func__))
        return -1;
    if (!data && nbytes) {
        client_error_invalid_arg(VIRT_FROM_STREAMS, "data in %s must not be NULL", __func__);
        return -1;
    }
    g_mutex_lock(&st->lock);
    if (!stream_usable_locked(st, __func__)) {
        g_mutex_unlock(&st->lock);
        return -1;
    }
    rpc = st->rpc;
    g_mutex_unlock(&st->lock);
    if (!rpc_client_stream_send(rpc, data, MIN(nbytes, (size_t)G_MAXINT), &error)) {
        client_error_set_gerror(error);
        return -1;
    }
    return (int)MIN(nbytes, (size_t)G_MAXINT);
}

/* Copy up to @nbytes of queued data; lock held. */
static size_t stream_take_locked(virStreamPtr st, char *data, size_t nbytes)
{
    size_t got = 0;

    while (got < nbytes && st->in.length > 0) {
        GBytes *head = g_queue_peek_head(&st->in);
        gsize size = 0;
        const char *p = g_bytes_get_data(head, &size);
        size_t n = MIN(nbytes - got, size - st->in_offset);

        memcpy(data + got, p + st->in_offset, n);
        got += n;
        st->in_offset += n;
        if (st->in_offset == size) {
            st->in_offset = 0;
            g_bytes_unref(g_queue_pop_head(&st->in));
        }
    }
    return got;
}

/**
 * virStreamRecv - receive data from the other end
 * @st: an open stream
 * @data: where to put it
 * @nbytes: room in @data
 *
 * Returns the bytes received (> 0), 0 at the end of the data, -2 when nothing is
 * buffered on a VIR_STREAM_NONBLOCK stream, or -1 on error (also the error the
 * server ended the stream with).
 */
int virStreamRecv(virStreamPtr st, char *data, size_t nbytes)
{
    size_t got;

    if (!stream_check(st, __func__))
        return -1;
    if (!data && nbytes) {
        client_error_invalid_arg(VIRT_FROM_STREAMS, "data in %s must not be NULL", __func__);
        return -1;
    }
    nbytes = MIN(nbytes, (size_t)G_MAXINT);
    g_mutex_lock(&st->lock);
    while (st->rpc && st->in.length == 0 && !st->eof && !st->error && !st->done &&
           !(st->flags & VIR_STREAM_NONBLOCK))
        g_cond_wait(&st->cond, &st->lock);
    if (st->in.length > 0) {
        got = stream_take_locked(st, data, nbytes);
        g_mutex_unlock(&st->lock);
        return (int)got;
    }
    if (st->eof && !st->error) {
        g_mutex_unlock(&st->lock);
        return 0;
    }
    if (!stream_usable_locked(st, __func__)) {
        g_mutex_unlock(&st->lock);
        return -1;
    }
    g_mutex_unlock(&st->lock);
    return -2;
}

/* Send our end (@finish: OK, else ERROR) and wait for the server to confirm it. */
static int stream_end(virStreamPtr st, bool finish, const char *api)
{
    g_autoptr(GError) error = NULL;
    RpcClientStream *rpc;

    if (!stream_check(st, api))
        return -1;
    g_mutex_lock(&st->lock);
    if (!stream_usable_locked(st, api)) {
        g_mutex_unlock(&st->lock);
        return -1;
    }
    st->done = true;
    rpc = st->rpc;
    g_mutex_unlock(&st->lock);
    if (!finish)
        rpc_client_stream_abort(rpc);
    else if (!rpc_client_stream_finish(rpc, &error)) {
        client_error_set_gerror(error);
        return -1;
    }
    g_mutex_lock(&st->lock);
    while (!st->confirmed && !st->error)
        g_cond_wait(&st->cond, &st->lock);
    if (st->error) {
        client_error_set_gerror(st->error);
        g_mutex_unlock(&st->lock);
        return -1;
    }
    g_mutex_unlock(&st->lock);
    return 0;
}

/**
 * virStreamFinish: tell the other end all data was sent and wait for it to agree
 * (after the end of its data, too). Returns 0 or -1.
 */
int virStreamFinish(virStreamPtr st)
{
    return stream_end(st, true, __func__);
}

/**
 * virStreamAbort: end the stream now, dropping data in flight; the server confirms.
 * Returns 0, or -1 (also with the error a failed stream ended with).
 */
int virStreamAbort(virStreamPtr st)
{
    return stream_end(st, false, __func__);
}

/**
 * virStreamEventAddCallback - be called from the default loop when @stream is ready
 * @stream: an open stream
 * @events: VIR_STREAM_EVENT_READABLE and/or WRITABLE (ERROR and HANGUP always come)
 * @cb: called with the stream, what is ready and @opaque
 * @opaque: for @cb
 * @ff: frees @opaque when the callback is removed, or NULL
 *
 * Returns 0, or -1 (no default loop, or a callback already there).
 */
int virStreamEventAddCallback(virStreamPtr stream, int events, virStreamEventCallback cb,
                              void *opaque, virFreeCallback ff)
{
    g_autoptr(GMainContext) ctx = NULL;
    GSource *source;

    if (!stream_check(stream, __func__))
        return -1;
    ctx = client_event_loop_context();
    if (!ctx || !cb) {
        client_error_set(VIRT_FROM_STREAMS, VIRT_ERR_INTERNAL_ERROR,
                         "internal error: no event loop implementation registered");
        return -1;
    }
    g_mutex_lock(&stream->lock);
    if (stream->cb) {
        g_mutex_unlock(&stream->lock);
        client_error_set(VIRT_FROM_STREAMS, VIRT_ERR_INTERNAL_ERROR,
                         "internal error: multiple stream callbacks not supported");
        return -1;
    }
    stream->cb = cb;
    stream->cb_opaque = opaque;
    stream->cb_ff = ff;
    stream->cb_events = events;
    source = g_source_new(&stream_source_funcs, sizeof(StreamSource));
    ((StreamSource *)source)->st = stream_ref(stream);
    stream->source = source;
    g_mutex_unlock(&stream->lock);
    g_source_attach(source, ctx);
    return 0;
}

/**
 * virStreamEventUpdateCallback: change what the callback waits for. Returns 0 or -1.
 */
int virStreamEventUpdateCallback(virStreamPtr stream, int events)
{
    int ret = 0;

    if (!stream_check(stream, __func__))
        return -1;
    g_mutex_lock(&stream->lock);
    if (stream->cb) {
        stream->cb_events = events;
        stream_notify_locked(stream);
    } else {
        ret = -1;
    }
    g_mutex_unlock(&stream->lock);
    if (ret < 0)
        client_error_set(VIRT_FROM_STREAMS, VIRT_ERR_INTERNAL_ERROR,
                         "internal error: no stream callback registered");
    return ret;
}

/* Detach the callback; returns its free function's call to make. */
static void stream_remove_callback(virStreamPtr st, virFreeCallback *ret_ff, void **ret_opaque)
{
    GSource *source;

    g_mutex_lock(&st->lock);
    source = g_steal_pointer(&st->source);
    *ret_ff = st->cb_ff;
    *ret_opaque = st->cb_opaque;
    st->cb = NULL;
    st->cb_ff = NULL;
    st->cb_opaque = NULL;
    st->cb_events = 0;
    g_mutex_unlock(&st->lock);
    if (source) {
        g_source_destroy(source);
        g_source_unref(source);
    }
}

/**
 * virStreamEventRemoveCallback: stop the callback; its free function runs now.
 * Returns 0, or -1 when none was registered.
 */
int virStreamEventRemoveCallback(virStreamPtr stream)
{
    virFreeCallback ff = NULL;
    void *opaque = NULL;
    bool had;

    if (!stream_check(stream, __func__))
        return -1;
    g_mutex_lock(&stream->lock);
    had = stream->cb != NULL;
    g_mutex_unlock(&stream->lock);
    if (!had) {
        client_error_set(VIRT_FROM_STREAMS, VIRT_ERR_INTERNAL_ERROR,
                         "internal error: no stream callback registered");
        return -1;
    }
    stream_remove_callback(stream, &ff, &opaque);
    if (ff)
        ff(opaque);
    return 0;
}

/**
 * virStreamFree - drop a reference of the application
 * @st: the stream
 *
 * With the last one an open stream that was not finished is aborted (without
 * waiting), its callback removed and its connection reference released.
 * Returns 0 or -1.
 */
int virStreamFree(virStreamPtr st)
{
    virFreeCallback ff = NULL;
    void *opaque = NULL;
    RpcClientStream *rpc;
    virConnectPtr conn;

    if (!stream_check(st, __func__))
        return -1;
    if (!g_atomic_int_dec_and_test(&st->app_refs))
        return 0;
    stream_remove_callback(st, &ff, &opaque);
    if (ff)
        ff(opaque);
    g_mutex_lock(&st->lock);
    rpc = g_steal_pointer(&st->rpc);
    conn = g_steal_pointer(&st->conn);
    st->magic = 0;
    g_mutex_unlock(&st->lock);
    rpc_client_stream_free(rpc); /* aborts it unless finished */
    virConnectClose(conn);
    client_error_reset();
    stream_unref(st);
    return 0;
}
