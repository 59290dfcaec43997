/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The QMP client. All socket I/O happens on the loop's thread: the fd is non-blocking,
 * reads are bounded by QEMU_MONITOR_MAX_MESSAGE per line, writes are queued and sent
 * as the socket takes them. Callers wait on the monitor's condition variable for the
 * reply carrying their "libvirt-N" id; a caller that gives up removes its entry, so a
 * late reply finds nobody and is dropped.
 *
 * Lifetime: a reference count. qemu_monitor_open() returns the owner's reference; a
 * waiting caller and the loop (while dispatching) hold their own, so a close from a
 * callback or another thread never frees memory still in use.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qemu-monitor.h"
#include "util/error.h"
#include "util/fd-util.h"

#define MONITOR_READ_CHUNK (64 * 1024)

/* One caller waiting for its reply; lives on the caller's stack. */
typedef struct MonitorPending {
    const char *command;
    QemuMonitorMessage *reply;
    GError *error;
    bool done;
} MonitorPending;

/* One queued command line, with the fd to pass along with its first byte. */
typedef struct MonitorOut {
    char *data;
    size_t len;
    size_t off;
    int fd;
} MonitorOut;

struct QemuMonitor {
    gint refs;
    LoopInvoker *loop;
    char *name;
    QemuMonitorCallbacks cb;
    void *opaque;

    /* loop thread only */
    int fd;
    sd_event_source *source;
    GString *in;
    size_t in_scanned; /* no '\n' in in->str before this */
    GQueue out;        /* MonitorOut* */
    bool want_out;     /* EPOLLOUT is enabled */

    /* under lock */
    GMutex lock;
    GCond cond;
    unsigned serial;
    GHashTable *pending; /* serial -> MonitorPending* (borrowed from the waiter) */
    bool greeted;
    char *closed; /* why calls fail from now on; NULL while open */
    bool user_closed;

    QemuMonitorVersion version; /* written once before open returns */
};

static void monitor_out_free(MonitorOut *out)
{
    virt_fd_close(out->fd);
    g_free(out->data);
    g_free(out);
}

static QemuMonitor *monitor_ref(QemuMonitor *mon)
{
    g_atomic_int_inc(&mon->refs);
    return mon;
}

static void monitor_unref(QemuMonitor *mon)
{
    if (!g_atomic_int_dec_and_test(&mon->refs))
        return;
    /* closed on the loop before the last reference can go */
    g_assert(mon->fd < 0 && !mon->source);
    g_queue_clear_full(&mon->out, (GDestroyNotify)monitor_out_free);
    g_string_free(mon->in, TRUE);
    g_hash_table_unref(mon->pending);
    g_mutex_clear(&mon->lock);
    g_cond_clear(&mon->cond);
    qemu_monitor_version_clear(&mon->version);
    g_free(mon->closed);
    g_free(mon->name);
    g_free(mon);
}

/* "0.5 s", "30 s" */
static char *monitor_seconds(unsigned timeout_ms)
{
    return g_strdup_printf("%g s", timeout_ms / 1000.0);
}

/*
 * The monitor is gone (EOF, error, our close). Loop thread. Fails every waiting call
 * with @message and calls the eof callback unless the owner closed it.
 */
static void monitor_hangup(QemuMonitor *mon, const char *reason, char *message)
{
    GHashTableIter iter;
    MonitorPending *p;
    bool notify;

    if (mon->fd < 0) {
        g_free(message);
        return;
    }
    mon->source = sd_event_source_disable_unref(mon->source);
    virt_fd_close(mon->fd);
    mon->fd = -1;
    g_queue_clear_full(&mon->out, (GDestroyNotify)monitor_out_free);

    g_mutex_lock(&mon->lock);
    mon->closed = message;
    g_hash_table_iter_init(&iter, mon->pending);
    while (g_hash_table_iter_next(&iter, NULL, (gpointer *)&p)) {
        g_set_error_literal(&p->error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED, mon->closed);
        p->done = true;
    }
    g_hash_table_remove_all(mon->pending);
    g_cond_broadcast(&mon->cond);
    notify = !mon->user_closed;
    g_mutex_unlock(&mon->lock);

    if (notify && mon->cb.eof)
        mon->cb.eof(mon, reason, mon->opaque);
}

/* We close the monitor because of something QEMU did. */
static void monitor_fail(QemuMonitor *mon, const char *reason)
{
    monitor_hangup(
        mon, reason,
        g_strdup_printf("closed the monitor of QEMU for domain '%s': %s", mon->name, reason));
}

static void monitor_update_events(QemuMonitor *mon)
{
    bool want = !g_queue_is_empty(&mon->out);

    if (want == mon->want_out || !mon->source)
        return;
    mon->want_out = want;
    (void)sd_event_source_set_io_events(mon->source, EPOLLIN | (want ? EPOLLOUT : 0));
}

static ssize_t monitor_send(int fd, MonitorOut *out)
{
    struct iovec iov = { out->data + out->off, out->len - out->off };
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

    if (out->fd >= 0 && out->off == 0) {
        struct cmsghdr *c;

        memset(&control, 0, sizeof(control));
        msg.msg_control = control.buf;
        msg.msg_controllen = sizeof(control.buf);
        c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &out->fd, sizeof(int));
    }
    return sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Write what the socket takes now; the rest waits for EPOLLOUT. Loop thread. */
static void monitor_flush(QemuMonitor *mon)
{
    MonitorOut *out;

    while (mon->fd >= 0 && (out = g_queue_peek_head(&mon->out))) {
        ssize_t n = monitor_send(mon->fd, out);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n < 0) {
            monitor_fail(mon, g_strerror(errno));
            return;
        }
        if (out->off == 0 && out->fd >= 0) {
            virt_fd_close(out->fd); /* the peer has its copy now */
            out->fd = -1;
        }
        out->off += (size_t)n;
        if (out->off == out->len)
            monitor_out_free(g_queue_pop_head(&mon->out));
    }
    monitor_update_events(mon);
}

static void monitor_on_reply(QemuMonitor *mon, QemuMonitorMessage *msg)
{
    MonitorPending *p;
    unsigned serial;

    if (!qemu_monitor_reply_serial(msg, &serial)) {
        g_debug("QEMU for domain '%s': reply without an id of ours dropped", mon->name);
        qemu_monitor_message_free(msg);
        return;
    }
    g_mutex_lock(&mon->lock);
    p = g_hash_table_lookup(mon->pending, GUINT_TO_POINTER(serial));
    if (p) {
        p->reply = msg;
        p->done = true;
        g_hash_table_remove(mon->pending, GUINT_TO_POINTER(serial));
        g_cond_broadcast(&mon->cond);
    }
    g_mutex_unlock(&mon->lock);
    if (!p) {
        g_debug("QEMU for domain '%s': late reply %u dropped", mon->name, serial);
        qemu_monitor_message_free(msg);
    }
}

static void monitor_on_greeting(QemuMonitor *mon, const QemuMonitorMessage *msg)
{
    g_autoptr(GError) local = NULL;

    g_mutex_lock(&mon->lock);
    if (!mon->greeted) {
        if (!qemu_monitor_greeting_version(msg, &mon->version, &local))
            g_debug("QEMU for domain '%s': %s", mon->name, local->message);
        mon->greeted = true;
        g_cond_broadcast(&mon->cond);
    }
    g_mutex_unlock(&mon->lock);
}

/* One line from QEMU. Loop thread. */
static void monitor_dispatch_line(QemuMonitor *mon, const char *line, size_t len)
{
    g_autoptr(GError) local = NULL;
    QemuMonitorMessage *msg;

    while (len > 0 && g_ascii_isspace(line[len - 1]))
        len--;
    if (len == 0)
        return;
    msg = qemu_monitor_message_parse(line, len, &local);
    if (!msg) {
        monitor_fail(mon, local->message);
        return;
    }
    switch (msg->type) {
    case QEMU_MONITOR_MESSAGE_GREETING:
        monitor_on_greeting(mon, msg);
        break;
    case QEMU_MONITOR_MESSAGE_RETURN:
    case QEMU_MONITOR_MESSAGE_ERROR:
        monitor_on_reply(mon, g_steal_pointer(&msg));
        break;
    case QEMU_MONITOR_MESSAGE_EVENT:
        if (mon->cb.event && !mon->user_closed)
            mon->cb.event(mon, msg, mon->opaque);
        break;
    case _QEMU_MONITOR_MESSAGE_MAX:
    case _QEMU_MONITOR_MESSAGE_INVALID:
        break;
    }
    qemu_monitor_message_free(msg);
}

/* Hand every complete line of the input buffer on; stop when the monitor closes. */
static void monitor_process_input(QemuMonitor *mon)
{
    size_t start = 0;

    while (mon->fd >= 0) {
        const char *nl =
            memchr(mon->in->str + mon->in_scanned, '\n', mon->in->len - mon->in_scanned);
        size_t end;

        if (!nl)
            break;
        end = (size_t)(nl - mon->in->str);
        monitor_dispatch_line(mon, mon->in->str + start, end - start);
        start = end + 1;
        mon->in_scanned = start;
    }
    if (mon->fd < 0)
        return;
    g_string_erase(mon->in, 0, (gssize)start);
    mon->in_scanned = mon->in->len;
    if (mon->in->len > QEMU_MONITOR_MAX_MESSAGE) {
        g_autofree char *reason =
            g_strdup_printf("message longer than %u bytes", QEMU_MONITOR_MAX_MESSAGE);

        monitor_fail(mon, reason);
    }
}

/* One read; true when data came in (and was dispatched). */
static bool monitor_read(QemuMonitor *mon)
{
    size_t old = mon->in->len;
    ssize_t n;

    g_string_set_size(mon->in, old + MONITOR_READ_CHUNK);
    n = read(mon->fd, mon->in->str + old, MONITOR_READ_CHUNK);
    g_string_set_size(mon->in, old + (n > 0 ? (size_t)n : 0));
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return false;
    if (n < 0 && errno != ECONNRESET) {
        monitor_fail(mon, g_strerror(errno));
        return false;
    }
    if (n <= 0) {
        monitor_hangup(mon, NULL,
                       g_strdup_printf("QEMU for domain '%s' closed its monitor", mon->name));
        return false;
    }
    monitor_process_input(mon);
    return true;
}

static int monitor_on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
    QemuMonitor *mon = monitor_ref(userdata);

    (void)s;
    (void)fd;
    if (revents & EPOLLOUT)
        monitor_flush(mon);
    /* EPOLLHUP/ERR: read() tells EOF (after the last data) or the error */
    if (mon->fd >= 0 && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
        (void)monitor_read(mon);
    monitor_unref(mon);
    return 0;
}

/**
 * qemu_monitor_drain: on the loop thread, read what is waiting in the socket now and
 * dispatch it (events, replies, EOF). Used when QEMU's exit is seen, so its last
 * events (SHUTDOWN, ...) come before the exit.
 */
void qemu_monitor_drain(QemuMonitor *mon)
{
    g_assert(loop_invoker_on_loop(mon->loop));
    monitor_ref(mon);
    while (mon->fd >= 0 && monitor_read(mon))
        ;
    monitor_unref(mon);
}

typedef struct MonitorLoopOp {
    QemuMonitor *mon;
    MonitorOut *out;
    int r;
} MonitorLoopOp;

static void monitor_register_on_loop(void *data)
{
    MonitorLoopOp *op = data;
    QemuMonitor *mon = op->mon;

    op->r = sd_event_add_io(loop_invoker_event(mon->loop), &mon->source, mon->fd, EPOLLIN,
                            monitor_on_io, mon);
}

static void monitor_queue_on_loop(void *data)
{
    MonitorLoopOp *op = data;

    if (op->mon->fd < 0) {
        monitor_out_free(op->out); /* closed meanwhile: the call already failed */
        return;
    }
    g_queue_push_tail(&op->mon->out, op->out);
    monitor_flush(op->mon);
}

static void monitor_close_on_loop(void *data)
{
    QemuMonitor *mon = data;

    g_mutex_lock(&mon->lock);
    mon->user_closed = true;
    g_mutex_unlock(&mon->lock);
    monitor_hangup(mon, NULL,
                   g_strdup_printf("the monitor of QEMU for domain '%s' was closed", mon->name));
}

/* Wait under mon->lock until @done or the deadline (-1: none); false on timeout. */
static bool monitor_wait(QemuMonitor *mon, const bool *done, gint64 deadline)
{
    while (!*done) {
        if (deadline < 0)
            g_cond_wait(&mon->cond, &mon->lock);
        else if (!g_cond_wait_until(&mon->cond, &mon->lock, deadline))
            return *done;
    }
    return true;
}

static gint64 monitor_deadline(unsigned timeout_ms)
{
    return timeout_ms ? g_get_monotonic_time() + (gint64)timeout_ms * 1000 : -1;
}

/* Wait for the greeting; false with @error when the monitor closed or time ran out. */
static bool monitor_wait_greeting(QemuMonitor *mon, unsigned timeout_ms, GError **error)
{
    gint64 deadline = monitor_deadline(timeout_ms);
    bool ok = true;

    g_mutex_lock(&mon->lock);
    while (!mon->greeted && !mon->closed && ok) {
        if (deadline < 0)
            g_cond_wait(&mon->cond, &mon->lock);
        else
            ok = g_cond_wait_until(&mon->cond, &mon->lock, deadline) || mon->greeted;
    }
    if (mon->greeted) {
        g_mutex_unlock(&mon->lock);
        return true;
    }
    if (mon->closed) {
        g_set_error_literal(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED, mon->closed);
    } else {
        g_autofree char *secs = monitor_seconds(timeout_ms);

        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_TIMEOUT,
                    "QEMU for domain '%s' did not greet on its monitor within %s", mon->name, secs);
    }
    g_mutex_unlock(&mon->lock);
    return false;
}

/**
 * qemu_monitor_open: take over @fd (a connected stream socket to QEMU's QMP monitor),
 * watch it on @loop, wait for QEMU's greeting and negotiate (qmp_capabilities), all
 * within @timeout_ms (0: no limit). @name (the domain) appears in every error. @cb's
 * functions run on the loop thread with @opaque, possibly before this returns.
 * Not on the loop's thread. @fd is closed on failure too.
 */
QemuMonitor *qemu_monitor_open(LoopInvoker *loop, int fd, const char *name, unsigned timeout_ms,
                               const QemuMonitorCallbacks *cb, void *opaque, GError **error)
{
    gint64 start = g_get_monotonic_time();
    QemuMonitor *mon = g_new0(QemuMonitor, 1);
    MonitorLoopOp op = { .mon = mon };
    gint64 spent_ms;
    int flags;

    g_assert(!loop_invoker_on_loop(loop));
    mon->refs = 1;
    mon->loop = loop;
    mon->name = g_strdup(name);
    if (cb)
        mon->cb = *cb;
    mon->opaque = opaque;
    mon->fd = fd;
    mon->in = g_string_sized_new(4096);
    g_queue_init(&mon->out);
    g_mutex_init(&mon->lock);
    g_cond_init(&mon->cond);
    mon->pending = g_hash_table_new(NULL, NULL);

    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
        virt_fd_set_cloexec(fd, true) < 0) {
        virt_error_set_errno(error, VIRT_QEMU_ERROR, errno,
                             "cannot set up the monitor socket of domain '%s'", name);
        qemu_monitor_close(mon);
        return NULL;
    }
    loop_invoker_call(loop, monitor_register_on_loop, &op);
    if (op.r < 0) {
        virt_error_set_errno(error, VIRT_QEMU_ERROR, -op.r,
                             "cannot watch the monitor socket of domain '%s'", name);
        qemu_monitor_close(mon);
        return NULL;
    }
    if (!monitor_wait_greeting(mon, timeout_ms, error)) {
        qemu_monitor_close(mon);
        return NULL;
    }
    spent_ms = (g_get_monotonic_time() - start) / 1000;
    if (timeout_ms && spent_ms >= timeout_ms)
        spent_ms = timeout_ms - 1;
    if (!qemu_monitor_call(mon, qemu_monitor_command_new("qmp_capabilities"),
                           timeout_ms ? timeout_ms - (unsigned)spent_ms : 0, NULL, error)) {
        qemu_monitor_close(mon);
        return NULL;
    }
    return mon;
}

/**
 * qemu_monitor_close: stop watching, close the socket, fail the calls still waiting,
 * and drop the owner's reference. No callback runs after this returns. Any thread,
 * including the loop's (from within a callback too).
 */
void qemu_monitor_close(QemuMonitor *mon)
{
    if (!mon)
        return;
    loop_invoker_call(mon->loop, monitor_close_on_loop, mon);
    monitor_unref(mon);
}

/* Register a waiter; false with @error when the monitor is already closed. */
static bool monitor_pending_add(QemuMonitor *mon, MonitorPending *p, unsigned *ret_serial,
                                GError **error)
{
    g_mutex_lock(&mon->lock);
    if (mon->closed) {
        g_set_error_literal(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED, mon->closed);
        g_mutex_unlock(&mon->lock);
        return false;
    }
    if (++mon->serial == 0)
        mon->serial = 1;
    *ret_serial = mon->serial;
    g_hash_table_insert(mon->pending, GUINT_TO_POINTER(mon->serial), p);
    g_mutex_unlock(&mon->lock);
    return true;
}

static bool monitor_await(QemuMonitor *mon, MonitorPending *p, unsigned serial, unsigned timeout_ms,
                          QemuMonitorMessage **ret_reply, GError **error)
{
    g_autoptr(QemuMonitorMessage) reply = NULL;
    bool answered;

    g_mutex_lock(&mon->lock);
    answered = monitor_wait(mon, &p->done, monitor_deadline(timeout_ms));
    if (!answered)
        g_hash_table_remove(mon->pending, GUINT_TO_POINTER(serial)); /* a late reply is dropped */
    g_mutex_unlock(&mon->lock);

    if (!answered) {
        g_autofree char *secs = monitor_seconds(timeout_ms);

        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_TIMEOUT,
                    "QEMU for domain '%s' did not answer '%s' within %s", mon->name, p->command,
                    secs);
        return false;
    }
    if (p->error) {
        g_propagate_error(error, p->error);
        return false;
    }
    reply = p->reply;
    if (!qemu_monitor_reply_check(reply, p->command, error))
        return false;
    if (ret_reply)
        *ret_reply = g_steal_pointer(&reply);
    return true;
}

/**
 * qemu_monitor_call_with_fd: like qemu_monitor_call(), passing a copy of @fd (>= 0)
 * with the command (SCM_RIGHTS), as getfd and add-fd expect. @fd stays the caller's.
 */
bool qemu_monitor_call_with_fd(QemuMonitor *mon, QemuMonitorCommand *cmd, int fd,
                               unsigned timeout_ms, QemuMonitorMessage **ret_reply, GError **error)
{
    g_autoptr(QemuMonitorCommand) owned = cmd;
    MonitorPending p = { .command = cmd->name };
    MonitorOut *out;
    MonitorLoopOp op = { .mon = mon };
    unsigned serial;
    bool ok;

    g_assert(!loop_invoker_on_loop(mon->loop));
    if (loop_invoker_stopped(mon->loop)) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_ABORTED,
                    "cannot send '%s' to QEMU for domain '%s': the daemon is shutting down",
                    cmd->name, mon->name);
        return false;
    }
    out = g_new0(MonitorOut, 1);
    out->fd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
    if (fd >= 0 && out->fd < 0) {
        monitor_out_free(out);
        return virt_error_set_errno(error, VIRT_QEMU_ERROR, errno,
                                    "cannot pass a file to QEMU for domain '%s'", mon->name);
    }
    monitor_ref(mon);
    if (!monitor_pending_add(mon, &p, &serial, error)) {
        monitor_out_free(out);
        monitor_unref(mon);
        return false;
    }
    out->data = qemu_monitor_command_format(cmd, serial);
    out->len = strlen(out->data);
    op.out = out;
    loop_invoker_call(mon->loop, monitor_queue_on_loop, &op);
    ok = monitor_await(mon, &p, serial, timeout_ms, ret_reply, error);
    monitor_unref(mon);
    return ok;
}

/**
 * qemu_monitor_call: send @cmd (consumed) and wait for its reply, at most @timeout_ms
 * (0: no limit). A QMP error becomes @error with QEMU's description and class; so do
 * a closed monitor and a timeout (after which the monitor still serves other calls and
 * the late reply is dropped). *ret_reply (optional) is the successful reply.
 * Any thread except the loop's.
 */
bool qemu_monitor_call(QemuMonitor *mon, QemuMonitorCommand *cmd, unsigned timeout_ms,
                       QemuMonitorMessage **ret_reply, GError **error)
{
    return qemu_monitor_call_with_fd(mon, cmd, -1, timeout_ms, ret_reply, error);
}

/** qemu_monitor_version: QEMU's version from its greeting. */
const QemuMonitorVersion *qemu_monitor_version(QemuMonitor *mon)
{
    return &mon->version;
}

/** qemu_monitor_name: the domain name given to qemu_monitor_open(). */
const char *qemu_monitor_name(QemuMonitor *mon)
{
    return mon->name;
}
