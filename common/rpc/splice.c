/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The packet splicer (see splice.h). Each direction has one buffer: bytes read from
 * its source wait there until the other side takes them. A small framing parser
 * runs over the bytes as they are read and records where the dummy bytes of
 * *_WITH_FDS packets are; those bytes are sent one by one with the descriptor that
 * came with them, everything else in as few send() calls as the socket allows.
 */

#define G_LOG_DOMAIN "virtkit-rpc"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rpc/message.h"
#include "rpc/splice.h"
#include "rpc/transport-unix.h"
#include "util/error.h"

#define SPLICE_BUF_SIZE (256u * 1024u)
/* length word, header and the fd count of *_WITH_FDS packets */
#define SPLICE_HEAD_MIN (RPC_MESSAGE_LEN_SIZE + RPC_MESSAGE_HEADER_SIZE)
#define SPLICE_HEAD_FDS (SPLICE_HEAD_MIN + 4u)
#define SPLICE_TYPE_OFFSET (RPC_MESSAGE_LEN_SIZE + 12u)

typedef struct SpliceFrame {
    uint8_t head[SPLICE_HEAD_FDS];
    size_t head_len;
    size_t head_want;      /* SPLICE_HEAD_MIN, or SPLICE_HEAD_FDS for *_WITH_FDS */
    uint32_t len;          /* length word of the current packet */
    uint32_t n_fds;        /* its fd count */
    uint32_t body_left;    /* bytes of it after the head */
    unsigned int fds_left; /* dummy bytes still to come after it */
} SpliceFrame;

/* Bytes read from one side, waiting for the other. */
typedef struct SpliceDir {
    uint8_t *buf;
    size_t start, end;
    uint64_t rx;   /* stream offset of buf[end] */
    uint64_t tx;   /* stream offset of buf[start] */
    GArray *marks; /* uint64_t: stream offsets of dummy bytes not sent yet */
    GArray *fds;   /* int: their descriptors, in the same order */
    SpliceFrame frame;
    bool eof;  /* the source closed */
    bool shut; /* ... and that was passed on */
} SpliceDir;

struct RpcSplice {
    sd_event *event;
    int fd[_RPC_SPLICE_SIDE_MAX];
    sd_event_source *io[_RPC_SPLICE_SIDE_MAX];
    SpliceDir dir[_RPC_SPLICE_SIDE_MAX]; /* dir[s]: read from side s */
    RpcSpliceDoneFunc done;
    gpointer user_data;
    bool finished;
};

static RpcSpliceSide splice_other(RpcSpliceSide s)
{
    return s == RPC_SPLICE_SIDE_A ? RPC_SPLICE_SIDE_B : RPC_SPLICE_SIDE_A;
}

static uint32_t splice_be32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return GUINT32_FROM_BE(v);
}

static void splice_frame_reset(SpliceFrame *f)
{
    f->head_len = 0;
    f->head_want = SPLICE_HEAD_MIN;
}

static void splice_frame_end_packet(SpliceFrame *f)
{
    f->fds_left = f->n_fds;
    splice_frame_reset(f);
}

/* The head of a packet is in: check its length word, learn its fd count. */
static bool splice_frame_head(SpliceFrame *f, GError **error)
{
    uint32_t type;

    if (f->head_want == SPLICE_HEAD_MIN) {
        f->len = splice_be32(f->head);
        f->n_fds = 0;
        if (f->len < SPLICE_HEAD_MIN || f->len - RPC_MESSAGE_LEN_SIZE > RPC_MESSAGE_MAX) {
            g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC, "packet length %u out of range",
                        f->len);
            return false;
        }
        type = splice_be32(f->head + SPLICE_TYPE_OFFSET);
        if (type == RPC_MESSAGE_CALL_WITH_FDS || type == RPC_MESSAGE_REPLY_WITH_FDS) {
            if (f->len < SPLICE_HEAD_FDS) {
                g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC,
                            "packet of %u bytes too short for its fd count", f->len);
                return false;
            }
            f->head_want = SPLICE_HEAD_FDS;
            return true;
        }
    } else {
        f->n_fds = splice_be32(f->head + SPLICE_HEAD_MIN);
        if (f->n_fds > RPC_MESSAGE_NUM_FDS_MAX) {
            g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC,
                        "packet announces %u file descriptors (at most %u)", f->n_fds,
                        RPC_MESSAGE_NUM_FDS_MAX);
            return false;
        }
    }
    f->body_left = f->len - (uint32_t)f->head_want;
    if (f->body_left == 0)
        splice_frame_end_packet(f);
    return true;
}

/* Run the framing over @len new bytes at stream offset @offset; counts dummy bytes. */
static bool splice_frame_feed(SpliceDir *d, const uint8_t *data, size_t len, uint64_t offset,
                              unsigned int *ret_marks, GError **error)
{
    SpliceFrame *f = &d->frame;
    size_t i = 0;

    while (i < len) {
        size_t n;

        if (f->fds_left > 0) {
            uint64_t mark = offset + i;

            g_array_append_val(d->marks, mark);
            f->fds_left--;
            (*ret_marks)++;
            i++;
        } else if (f->head_len < f->head_want) {
            n = MIN(f->head_want - f->head_len, len - i);
            memcpy(f->head + f->head_len, data + i, n);
            f->head_len += n;
            i += n;
            if (f->head_len == f->head_want && !splice_frame_head(f, error))
                return false;
        } else {
            n = MIN((size_t)f->body_left, len - i);
            f->body_left -= (uint32_t)n;
            i += n;
            if (f->body_left == 0)
                splice_frame_end_packet(f);
        }
    }
    return true;
}

static void splice_dir_init(SpliceDir *d)
{
    d->marks = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    d->fds = g_array_new(FALSE, FALSE, sizeof(int));
    splice_frame_reset(&d->frame);
}

static void splice_dir_clear(SpliceDir *d)
{
    for (guint i = 0; d->fds && i < d->fds->len; i++)
        close(g_array_index(d->fds, int, i));
    g_clear_pointer(&d->fds, g_array_unref);
    g_clear_pointer(&d->marks, g_array_unref);
    g_clear_pointer(&d->buf, g_free);
}

/* Room for more bytes from the source, compacting the buffer when that makes some. */
static size_t splice_dir_room(SpliceDir *d)
{
    if (!d->buf)
        d->buf = g_malloc(SPLICE_BUF_SIZE);
    if (d->start == d->end)
        d->start = d->end = 0;
    if (d->end == SPLICE_BUF_SIZE && d->start > 0) {
        memmove(d->buf, d->buf + d->start, d->end - d->start);
        d->end -= d->start;
        d->start = 0;
    }
    return SPLICE_BUF_SIZE - d->end;
}

static bool splice_dir_has_room(const SpliceDir *d)
{
    return !d->buf || d->end < SPLICE_BUF_SIZE || d->start > 0;
}

static void splice_finish(RpcSplice *splice, const GError *error)
{
    if (splice->finished)
        return;
    splice->finished = true;
    for (int s = 0; s < _RPC_SPLICE_SIDE_MAX; s++)
        (void)sd_event_source_set_enabled(splice->io[s], SD_EVENT_OFF);
    if (splice->done)
        splice->done(splice, error, splice->user_data);
}

static void splice_update_io(RpcSplice *splice)
{
    for (int s = 0; s < _RPC_SPLICE_SIDE_MAX; s++) {
        SpliceDir *in = &splice->dir[s];
        SpliceDir *out = &splice->dir[splice_other(s)];
        uint32_t mask = 0;

        if (!splice->io[s])
            continue;
        if (!in->eof && splice_dir_has_room(in))
            mask |= EPOLLIN;
        if (out->start < out->end)
            mask |= EPOLLOUT;
        if (mask)
            (void)sd_event_source_set_io_events(splice->io[s], mask);
        (void)sd_event_source_set_enabled(splice->io[s], mask ? SD_EVENT_ON : SD_EVENT_OFF);
    }
}

/* Send one dummy byte with its descriptor. 1 sent, 0 try later, -1 error. */
static int splice_send_fd(int dst, int fd, GError **error)
{
    int r = rpc_unix_send_fd(dst, fd);

    if (r == 1)
        return 1;
    if (r == -EAGAIN || r == -EINTR)
        return 0;
    g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_SYSTEM_ERROR, "cannot pass a file descriptor: %s",
                g_strerror(-r));
    return -1;
}

/* Write what @d holds to @dst; then pass on its EOF. */
static bool splice_flush(SpliceDir *d, int dst, GError **error)
{
    while (d->start < d->end) {
        uint64_t mark = d->marks->len ? g_array_index(d->marks, uint64_t, 0) : G_MAXUINT64;
        size_t n = d->end - d->start;
        ssize_t w;

        if (d->tx == mark) {
            int r = splice_send_fd(dst, g_array_index(d->fds, int, 0), error);

            if (r <= 0)
                return r == 0;
            close(g_array_index(d->fds, int, 0));
            g_array_remove_index(d->fds, 0);
            g_array_remove_index(d->marks, 0);
            d->start++;
            d->tx++;
            continue;
        }
        if (mark - d->tx < n)
            n = (size_t)(mark - d->tx);
        w = send(dst, d->buf + d->start, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0) {
            if (errno == EAGAIN || errno == EINTR)
                return true;
            g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_SYSTEM_ERROR, "cannot write: %s",
                        g_strerror(errno));
            return false;
        }
        d->start += (size_t)w;
        d->tx += (uint64_t)w;
    }
    if (d->eof && !d->shut) {
        (void)shutdown(dst, SHUT_WR);
        d->shut = true;
    }
    return true;
}

/* Read once from @src into @d. False on error; EOF sets @d->eof. The descriptors that
 * came with the read are @d's at once (closed with it), and each must sit on one
 * dummy byte of that read. */
static bool splice_read(SpliceDir *d, int src, GError **error)
{
    size_t room = splice_dir_room(d);
    int fds[RPC_MESSAGE_NUM_FDS_MAX];
    unsigned int n_fds = 0;
    unsigned int marks = 0;
    ssize_t n;

    if (room == 0)
        return true;
    n = rpc_unix_recv(src, d->buf + d->end, room, fds, &n_fds);
    if (n == -EAGAIN || n == -EINTR)
        return true;
    if (n < 0) {
        g_set_error(error, VIRT_RPC_ERROR, n == -EMSGSIZE ? VIRT_ERR_RPC : VIRT_ERR_SYSTEM_ERROR,
                    "cannot read: %s", g_strerror((int)-n));
        return false;
    }
    if (n == 0) {
        d->eof = true;
        return true;
    }
    g_array_append_vals(d->fds, fds, n_fds);
    if (!splice_frame_feed(d, d->buf + d->end, (size_t)n, d->rx, &marks, error))
        return false;
    d->end += (size_t)n;
    d->rx += (uint64_t)n;
    if (n_fds == marks)
        return true;
    g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC,
                "%u file descriptors arrived with %u announced dummy bytes", n_fds, marks);
    return false;
}

static int splice_on_io(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
    RpcSplice *splice = userdata;
    RpcSpliceSide s =
        source == splice->io[RPC_SPLICE_SIDE_A] ? RPC_SPLICE_SIDE_A : RPC_SPLICE_SIDE_B;
    RpcSpliceSide o = splice_other(s);
    g_autoptr(GError) error = NULL;
    bool ok = true;

    if (revents & EPOLLOUT)
        ok = splice_flush(&splice->dir[o], splice->fd[s], &error);
    if (ok && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !splice->dir[s].eof)
        ok = splice_read(&splice->dir[s], splice->fd[s], &error) &&
             splice_flush(&splice->dir[s], splice->fd[o], &error);
    if (!ok) {
        splice_finish(splice, error);
        return 0;
    }
    if (splice->dir[s].shut && splice->dir[o].shut) {
        splice_finish(splice, NULL);
        return 0;
    }
    splice_update_io(splice);
    return 0;
}

/**
 * rpc_splice_new - join two sockets
 * @event: the loop to run on
 * @fd_a: one connected stream socket, owned from now on (closed by rpc_splice_free())
 * @fd_b: the other
 * @done: called once when both sides closed or on the first error
 * @user_data: for @done
 *
 * Nothing moves before rpc_splice_start(); rpc_splice_queue() may add bytes first.
 */
RpcSplice *rpc_splice_new(sd_event *event, int fd_a, int fd_b, RpcSpliceDoneFunc done,
                          gpointer user_data)
{
    RpcSplice *splice = g_new0(RpcSplice, 1);

    splice->event = sd_event_ref(event);
    splice->fd[RPC_SPLICE_SIDE_A] = fd_a;
    splice->fd[RPC_SPLICE_SIDE_B] = fd_b;
    splice->done = done;
    splice->user_data = user_data;
    for (int s = 0; s < _RPC_SPLICE_SIDE_MAX; s++)
        splice_dir_init(&splice->dir[s]);
    return splice;
}

/**
 * rpc_splice_queue - bytes to deliver to side @to before anything it will read
 * @splice: a splice not started yet
 * @to: the side that gets them
 * @data: whole packets without descriptors (what a handshake read ahead)
 * @len: their size
 * @error: the bytes are not packets or do not fit
 */
bool rpc_splice_queue(RpcSplice *splice, RpcSpliceSide to, const void *data, size_t len,
                      GError **error)
{
    SpliceDir *d = &splice->dir[splice_other(to)];
    SpliceFrame saved = d->frame;
    guint n_marks = d->marks->len;
    unsigned int marks = 0;
    bool fed;

    if (len > splice_dir_room(d)) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "%zu queued bytes do not fit the splice buffer", len);
        return false;
    }
    fed = splice_frame_feed(d, data, len, d->rx, &marks, error);
    if (fed && (marks > 0 || d->frame.fds_left > 0 || d->frame.head_len > 0)) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "queued bytes must be whole packets without file descriptors");
        fed = false;
    }
    if (!fed) {
        /* as if nothing was queued */
        d->frame = saved;
        g_array_set_size(d->marks, n_marks);
        return false;
    }
    memcpy(d->buf + d->end, data, len);
    d->end += len;
    d->rx += len;
    return true;
}

/**
 * rpc_splice_start - start copying
 * @splice: the splice
 * @error: the loop refused the sockets
 */
bool rpc_splice_start(RpcSplice *splice, GError **error)
{
    for (int s = 0; s < _RPC_SPLICE_SIDE_MAX; s++) {
        int r = sd_event_add_io(splice->event, &splice->io[s], splice->fd[s], EPOLLIN, splice_on_io,
                                splice);

        if (r < 0) {
            g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_SYSTEM_ERROR,
                        "cannot watch spliced socket: %s", g_strerror(-r));
            return false;
        }
    }
    splice_update_io(splice);
    return true;
}

/**
 * rpc_splice_free - stop, close both sockets and any descriptors in transit
 * @splice: the splice, or NULL
 *
 * May be called from the done callback.
 */
RpcSplice *rpc_splice_free(RpcSplice *splice)
{
    if (!splice)
        return NULL;
    for (int s = 0; s < _RPC_SPLICE_SIDE_MAX; s++) {
        splice->io[s] = sd_event_source_disable_unref(splice->io[s]);
        if (splice->fd[s] >= 0)
            close(splice->fd[s]);
        splice_dir_clear(&splice->dir[s]);
    }
    sd_event_unref(splice->event);
    g_free(splice);
    return NULL;
}
