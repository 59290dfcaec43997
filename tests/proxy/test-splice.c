/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The packet splicer on socketpairs: the test holds the far ends ("client" on side
 * A, "upstream" on side B) and runs the loop until what it expects arrives.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rpc/message.h"
#include "rpc/splice.h"
#include "rpc/transport-unix.h"
#include "util/error.h"

typedef struct Fixture {
    sd_event *event;
    RpcSplice *splice;
    int client;   /* far end of side A */
    int upstream; /* far end of side B */
    bool done;
    GError *error;
} Fixture;

static void on_done(RpcSplice *splice, const GError *error, gpointer user_data)
{
    Fixture *fx = user_data;

    g_assert_false(fx->done);
    fx->done = true;
    fx->error = error ? g_error_copy(error) : NULL;
}

static void fixture_setup(Fixture *fx, gconstpointer data)
{
    int a[2], b[2];

    g_assert_cmpint(sd_event_new(&fx->event), >=, 0);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, a), ==, 0);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, b), ==, 0);
    fx->client = a[0];
    fx->upstream = b[0];
    fx->splice = rpc_splice_new(fx->event, a[1], b[1], on_done, fx);
    if (!data) {
        g_autoptr(GError) error = NULL;

        g_assert_true(rpc_splice_start(fx->splice, &error));
    }
}

static void fixture_teardown(Fixture *fx, gconstpointer data)
{
    rpc_splice_free(fx->splice);
    if (fx->client >= 0)
        close(fx->client);
    if (fx->upstream >= 0)
        close(fx->upstream);
    g_clear_error(&fx->error);
    sd_event_unref(fx->event);
}

static GByteArray *packet_new(uint32_t type, uint32_t serial, size_t payload, uint32_t n_fds)
{
    bool has_fds = type == RPC_MESSAGE_CALL_WITH_FDS || type == RPC_MESSAGE_REPLY_WITH_FDS;
    uint32_t len = 28 + (has_fds ? 4 : 0) + (uint32_t)payload;
    uint32_t words[8] = { len, 0x20008086, 1, 1, type, serial, 0, n_fds };
    GByteArray *p = g_byte_array_new();

    for (int i = 0; i < 8; i++)
        words[i] = GUINT32_TO_BE(words[i]);
    g_byte_array_append(p, (const guint8 *)words, has_fds ? 32 : 28);
    for (size_t i = 0; i < payload; i++) {
        guint8 c = (guint8)(i * 7 + serial);

        g_byte_array_append(p, &c, 1);
    }
    return p;
}

static void send_all(int fd, const void *data, size_t len)
{
    const uint8_t *p = data;

    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n < 0 && errno == EAGAIN) {
            struct pollfd pfd = { fd, POLLOUT, 0 };

            g_assert_cmpint(poll(&pfd, 1, 5000), ==, 1);
            continue;
        }
        g_assert_cmpint(n, >, 0);
        p += n;
        len -= (size_t)n;
    }
}

/* Run the loop and read @fd until @len bytes came (or EOF when @len is 0). */
static GByteArray *pump_read(Fixture *fx, int fd, size_t len)
{
    GByteArray *got = g_byte_array_new();
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    while (len == 0 || got->len < len) {
        uint8_t buf[65536];
        ssize_t n;

        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_assert_cmpint(sd_event_run(fx->event, 10000), >=, 0);
        n = recv(fd, buf, len ? MIN(sizeof(buf), len - got->len) : sizeof(buf), MSG_DONTWAIT);
        if (n == 0 && len == 0)
            break;
        g_assert_true(n > 0 || (n < 0 && errno == EAGAIN));
        if (n > 0)
            g_byte_array_append(got, buf, (guint)n);
    }
    return got;
}

static void pump_until_done(Fixture *fx)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    while (!fx->done) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_assert_cmpint(sd_event_run(fx->event, 10000), >=, 0);
    }
}

static void assert_eof(int fd)
{
    char c;
    struct pollfd pfd = { fd, POLLIN, 0 };

    g_assert_cmpint(poll(&pfd, 1, 5000), ==, 1);
    g_assert_cmpint(recv(fd, &c, 1, MSG_DONTWAIT), ==, 0);
}

/* Several packets in one write, one of 1 MiB (more than the splice buffers), pass
 * unchanged; the other way round a packet sent a byte at a time arrives whole. */
static void test_packets(Fixture *fx, gconstpointer data)
{
    g_autoptr(GByteArray) all = g_byte_array_new();
    g_autoptr(GByteArray) got = NULL;
    g_autoptr(GByteArray) reply = packet_new(RPC_MESSAGE_REPLY, 3, 41, 0);
    uint32_t sizes[] = { 0, 13, 1 << 20, 4 };

    for (guint i = 0; i < G_N_ELEMENTS(sizes); i++) {
        g_autoptr(GByteArray) p = packet_new(RPC_MESSAGE_CALL, i + 1, sizes[i], 0);

        g_byte_array_append(all, p->data, p->len);
    }
    /* the test writes what fits, then runs the loop and reads what came, until done */
    got = g_byte_array_new();
    for (size_t off = 0; got->len < all->len;) {
        uint8_t buf[65536];
        ssize_t n =
            off < all->len ? send(fx->client, all->data + off, all->len - off, MSG_DONTWAIT) : 0;

        if (n > 0)
            off += (size_t)n;
        g_assert_cmpint(sd_event_run(fx->event, 10000), >=, 0);
        n = recv(fx->upstream, buf, sizeof(buf), MSG_DONTWAIT);
        if (n > 0)
            g_byte_array_append(got, buf, (guint)n);
    }
    g_assert_cmpmem(got->data, got->len, all->data, all->len);

    for (guint i = 0; i < reply->len; i++)
        send_all(fx->upstream, reply->data + i, 1);
    g_clear_pointer(&got, g_byte_array_unref);
    got = pump_read(fx, fx->client, reply->len);
    g_assert_cmpmem(got->data, got->len, reply->data, reply->len);
    g_assert_false(fx->done);
}

static void send_fd(int sock, int fd)
{
    g_assert_cmpint(rpc_unix_send_fd(sock, fd), ==, 1);
}

/* One dummy byte and its descriptor, or -1 when the byte came without one. */
static int pump_recv_fd(Fixture *fx, int sock)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    for (;;) {
        union {
            struct cmsghdr align;
            char buf[CMSG_SPACE(sizeof(int))];
        } control = { 0 };
        char byte = 1;
        struct iovec iov = { &byte, 1 };
        struct msghdr mh = { .msg_iov = &iov,
                             .msg_iovlen = 1,
                             .msg_control = control.buf,
                             .msg_controllen = sizeof(control.buf) };
        ssize_t n;
        int fd = -1;

        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_assert_cmpint(sd_event_run(fx->event, 10000), >=, 0);
        n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EAGAIN)
            continue;
        g_assert_cmpint(n, ==, 1);
        g_assert_cmpint(byte, ==, 0);
        if (CMSG_FIRSTHDR(&mh))
            memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof(int));
        return fd;
    }
}

/* CALL_WITH_FDS: the packet, then each descriptor with its byte, arrive as sent, and
 * the packet after them is framed correctly. */
static void test_fds(Fixture *fx, gconstpointer data)
{
    g_autoptr(GByteArray) call = packet_new(RPC_MESSAGE_CALL_WITH_FDS, 9, 20, 2);
    g_autoptr(GByteArray) next = packet_new(RPC_MESSAGE_CALL, 10, 8, 0);
    g_autoptr(GByteArray) got = NULL;
    int pipes[2][2];
    int fds[2];

    for (int i = 0; i < 2; i++)
        g_assert_cmpint(pipe2(pipes[i], O_CLOEXEC), ==, 0);
    send_all(fx->client, call->data, call->len);
    send_fd(fx->client, pipes[0][1]);
    send_fd(fx->client, pipes[1][1]);
    send_all(fx->client, next->data, next->len);
    got = pump_read(fx, fx->upstream, call->len);
    g_assert_cmpmem(got->data, got->len, call->data, call->len);
    for (int i = 0; i < 2; i++) {
        char c = 0;

        fds[i] = pump_recv_fd(fx, fx->upstream);
        g_assert_cmpint(fds[i], >=, 0);
        g_assert_cmpint(write(fds[i], "xy" + i, 1), ==, 1);
        g_assert_cmpint(read(pipes[i][0], &c, 1), ==, 1);
        g_assert_cmpint(c, ==, "xy"[i]);
        close(fds[i]);
        close(pipes[i][0]);
        close(pipes[i][1]);
    }
    g_clear_pointer(&got, g_byte_array_unref);
    got = pump_read(fx, fx->upstream, next->len);
    g_assert_cmpmem(got->data, got->len, next->data, next->len);
}

/* A dummy byte without its descriptor is a broken peer: the splice ends. */
static void test_missing_fd(Fixture *fx, gconstpointer data)
{
    g_autoptr(GByteArray) call = packet_new(RPC_MESSAGE_CALL_WITH_FDS, 9, 0, 1);

    send_all(fx->client, call->data, call->len);
    send_all(fx->client, "", 1);
    pump_until_done(fx);
    g_assert_error(fx->error, VIRT_RPC_ERROR, VIRT_ERR_RPC);
}

static void test_bad_length(Fixture *fx, gconstpointer data)
{
    uint32_t word = GUINT32_TO_BE(12);
    uint8_t pad[24] = { 0 };

    send_all(fx->upstream, &word, 4);
    send_all(fx->upstream, pad, sizeof(pad));
    pump_until_done(fx);
    g_assert_error(fx->error, VIRT_RPC_ERROR, VIRT_ERR_RPC);
    g_assert_nonnull(strstr(fx->error->message, "length 12"));
    /* what the peer sees once the owner frees the splice */
    g_clear_pointer(&fx->splice, rpc_splice_free);
    assert_eof(fx->client);
    assert_eof(fx->upstream);
}

static void test_too_many_fds(Fixture *fx, gconstpointer data)
{
    g_autoptr(GByteArray) call = packet_new(RPC_MESSAGE_REPLY_WITH_FDS, 9, 0, 33);

    send_all(fx->upstream, call->data, call->len);
    pump_until_done(fx);
    g_assert_error(fx->error, VIRT_RPC_ERROR, VIRT_ERR_RPC);
}

/* A client's close reaches upstream after its last packet; upstream's close ends it. */
static void test_eof(Fixture *fx, gconstpointer data)
{
    g_autoptr(GByteArray) call = packet_new(RPC_MESSAGE_CALL, 1, 100, 0);
    g_autoptr(GByteArray) got = NULL;

    send_all(fx->client, call->data, call->len);
    g_assert_cmpint(shutdown(fx->client, SHUT_WR), ==, 0);
    got = pump_read(fx, fx->upstream, 0);
    g_assert_cmpmem(got->data, got->len, call->data, call->len);
    g_assert_false(fx->done);
    close(fx->upstream);
    fx->upstream = -1;
    pump_until_done(fx);
    g_assert_no_error(fx->error);
}

/* Bytes queued before the start come first; queued bytes must be plain packets. */
static void test_queue(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GByteArray) early = packet_new(RPC_MESSAGE_REPLY, 1, 5, 0);
    g_autoptr(GByteArray) late = packet_new(RPC_MESSAGE_MESSAGE, 2, 3, 0);
    g_autoptr(GByteArray) with_fds = packet_new(RPC_MESSAGE_REPLY_WITH_FDS, 1, 0, 1);
    g_autoptr(GByteArray) got = NULL;
    uint8_t bad[28] = { 0, 0, 0, 3 };

    g_assert_true(rpc_splice_queue(fx->splice, RPC_SPLICE_SIDE_A, early->data, early->len, &error));
    g_assert_false(
        rpc_splice_queue(fx->splice, RPC_SPLICE_SIDE_B, with_fds->data, with_fds->len, &error));
    g_assert_error(error, VIRT_RPC_ERROR, VIRT_ERR_INTERNAL_ERROR);
    g_clear_error(&error);
    g_assert_false(rpc_splice_queue(fx->splice, RPC_SPLICE_SIDE_B, bad, sizeof(bad), &error));
    g_assert_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC);
    g_clear_error(&error);
    send_all(fx->upstream, late->data, late->len);
    g_assert_true(rpc_splice_start(fx->splice, &error));
    got = pump_read(fx, fx->client, early->len + late->len);
    g_assert_cmpmem(got->data, early->len, early->data, early->len);
    g_assert_cmpmem(got->data + early->len, late->len, late->data, late->len);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/proxy/splice/packets", Fixture, NULL, fixture_setup, test_packets,
               fixture_teardown);
    g_test_add("/proxy/splice/fds", Fixture, NULL, fixture_setup, test_fds, fixture_teardown);
    g_test_add("/proxy/splice/missing-fd", Fixture, NULL, fixture_setup, test_missing_fd,
               fixture_teardown);
    g_test_add("/proxy/splice/bad-length", Fixture, NULL, fixture_setup, test_bad_length,
               fixture_teardown);
    g_test_add("/proxy/splice/too-many-fds", Fixture, NULL, fixture_setup, test_too_many_fds,
               fixture_teardown);
    g_test_add("/proxy/splice/eof", Fixture, NULL, fixture_setup, test_eof, fixture_teardown);
    g_test_add("/proxy/splice/queue", Fixture, "no-start", fixture_setup, test_queue,
               fixture_teardown);
    return g_test_run();
}
