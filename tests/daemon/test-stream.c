/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Console streams against a forked daemon hosting the fake driver whose consoles are
 * unix sockets this test listens on: bytes both ways, end of data, finish, abort,
 * disconnect, one session per console (FORCE takes it over), bounded buffers in both
 * directions, stray and malformed stream packets.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "console-driver.h"
#include "fake-driver.h"
#include "rpc/remote-protocol.h"
#include "rpc/wire-error.h"
#include "test-harness.h"
#include "util/error.h"

#define TIMEOUT_MS 20000

static uint32_t serial = 1;
static DriverOps console_ops;

typedef struct Fixture {
    TestDaemon *td;
    char *dir;
    int listen_fd; /* the console of domain "c1" */
    remote_nonnull_domain dom;
} Fixture;

#define CALL(fd, proc, args, ret) test_call((fd), REMOTE_PROGRAM, (proc), serial++, (args), (ret))

static void assert_code(GError *error, int code)
{
    g_assert_nonnull(error);
    g_assert_cmpint(error->code, ==, code);
    g_error_free(error);
}

static int client_open(Fixture *f, const char *sock)
{
    int fd = test_connect(sock);
    char *name = (char *)"fake:///default";
    remote_connect_open_args open = { &name, 0 };
    remote_auth_list_ret auth = { { 0 } };

    g_assert_no_error(CALL(fd, REMOTE_PROC_AUTH_LIST, NULL, &auth));
    xdr_free((xdrproc_t)xdr_remote_auth_list_ret, &auth);
    g_assert_no_error(CALL(fd, REMOTE_PROC_CONNECT_OPEN, &open, NULL));
    return fd;
}

static int listen_console(const char *dir, const char *file)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_autofree char *path = g_build_filename(dir, file, NULL);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    strcpy(addr.sun_path, path);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(fd, 4), ==, 0);
    return fd;
}

/* The daemon's end of a console it just opened. */
static int accept_console(int listen_fd)
{
    struct pollfd pfd = { listen_fd, POLLIN, 0 };
    int fd;

    g_assert_cmpint(poll(&pfd, 1, TIMEOUT_MS), ==, 1);
    fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    g_assert_cmpint(fd, >=, 0);
    return fd;
}

static void setup(Fixture *f, gconstpointer data)
{
    char *xml = (char *)"<domain><name>c1</name></domain>";
    remote_domain_define_xml_args def = { xml };
    remote_domain_define_xml_ret dret = { { 0 } };
    remote_domain_create_args create = { { 0 } };
    int fd;

    f->dir = g_dir_make_tmp("virtkit-console-XXXXXX", NULL);
    console_driver_dir = f->dir;
    console_ops = console_driver_wrap(&fake_driver_ops);
    f->listen_fd = listen_console(f->dir, "c1.sock");
    f->td = test_daemon_start(data ? data : &console_ops, &fake_driver_info, NULL);
    fd = client_open(f, f->td->sock_rw);
    g_assert_no_error(CALL(fd, REMOTE_PROC_DOMAIN_DEFINE_XML, &def, &dret));
    create.dom = dret.dom;
    g_assert_no_error(CALL(fd, REMOTE_PROC_DOMAIN_CREATE, &create, NULL));
    f->dom = dret.dom;
    close(fd);
}

static void teardown(Fixture *f, gconstpointer data)
{
    g_autofree char *sock = g_build_filename(f->dir, "c1.sock", NULL);

    g_assert_cmpint(test_daemon_stop(f->td), ==, 0);
    test_daemon_free(f->td);
    close(f->listen_fd);
    (void)unlink(sock);
    g_assert_cmpint(rmdir(f->dir), ==, 0);
    g_free(f->dir);
    xdr_free((xdrproc_t)xdr_remote_nonnull_domain, &f->dom);
}

/* OPEN_CONSOLE with @flags; returns its serial, or 0 with *@ret_error set. */
static uint32_t open_console(Fixture *f, int fd, const char *dev, unsigned int flags,
                             GError **ret_error)
{
    char *devname = (char *)dev;
    remote_domain_open_console_args args = { f->dom, dev ? &devname : NULL, flags };
    uint32_t s = serial++;
    GError *error = test_call(fd, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_OPEN_CONSOLE, s, &args, NULL);

    if (ret_error)
        *ret_error = error;
    else
        g_assert_no_error(error);
    return error ? 0 : s;
}

static void stream_send(int fd, uint32_t s, RpcMessageStatus status, const void *data, size_t len)
{
    RpcHeader h = { REMOTE_PROGRAM,     1, REMOTE_PROC_DOMAIN_OPEN_CONSOLE,
                    RPC_MESSAGE_STREAM, s, status };
    g_autoptr(GBytes) packet = rpc_message_encode(&h, 0, data, len, NULL);
    gsize size = 0;
    const void *bytes = g_bytes_get_data(packet, &size);

    test_send_raw(fd, bytes, size);
}

/* The next STREAM packet of stream @s (other packets are skipped). */
static RpcMessage *stream_recv(int fd, uint32_t s)
{
    for (;;) {
        RpcMessage *msg = test_recv_message(fd, TIMEOUT_MS);

        g_assert_nonnull(msg);
        if (msg->header.type == RPC_MESSAGE_STREAM && msg->header.serial == s) {
            g_assert_cmpint(msg->header.proc, ==, REMOTE_PROC_DOMAIN_OPEN_CONSOLE);
            return msg;
        }
        rpc_message_free(msg);
    }
}

/* Collect @len bytes of stream data. */
static GByteArray *stream_recv_data(int fd, uint32_t s, size_t len)
{
    GByteArray *all = g_byte_array_new();

    while (all->len < len) {
        g_autoptr(RpcMessage) msg = stream_recv(fd, s);
        gsize n = 0;
        const uint8_t *data = g_bytes_get_data(msg->payload, &n);

        g_assert_cmpint(msg->header.status, ==, RPC_STATUS_CONTINUE);
        g_assert_cmpuint(n, >, 0);
        g_byte_array_append(all, data, n);
    }
    g_assert_cmpuint(all->len, ==, len);
    return all;
}

static void expect_status(int fd, uint32_t s, RpcMessageStatus status, size_t payload)
{
    g_autoptr(RpcMessage) msg = stream_recv(fd, s);

    g_assert_cmpint(msg->header.status, ==, status);
    g_assert_cmpuint(g_bytes_get_size(msg->payload), ==, payload);
}

static void read_exact(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len > 0) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        ssize_t n;

        g_assert_cmpint(poll(&pfd, 1, TIMEOUT_MS), ==, 1);
        n = read(fd, p, len);
        g_assert_cmpint(n, >, 0);
        p += n;
        len -= (size_t)n;
    }
}

/* A call still works: the connection survived whatever came before. */
static void assert_alive(int fd)
{
    remote_connect_get_hostname_ret host = { 0 };

    g_assert_no_error(CALL(fd, REMOTE_PROC_CONNECT_GET_HOSTNAME, NULL, &host));
    xdr_free((xdrproc_t)xdr_remote_connect_get_hostname_ret, &host);
}

static void test_both_ways(Fixture *f, gconstpointer data)
{
    int fd = client_open(f, f->td->sock_rw);
    uint32_t s = open_console(f, fd, NULL, 0, NULL);
    int peer = accept_console(f->listen_fd);
    g_autoptr(GByteArray) got = NULL;
    char buf[16] = { 0 };

    /* the client's data right after the reply reaches the console */
    stream_send(fd, s, RPC_STATUS_CONTINUE, "root\n", 5);
    read_exact(peer, buf, 5);
    g_assert_cmpstr(buf, ==, "root\n");
    g_assert_cmpint(write(peer, "login: ", 7), ==, 7);
    got = stream_recv_data(fd, s, 7);
    g_assert_cmpmem(got->data, got->len, "login: ", 7);
    assert_alive(fd); /* calls go on beside the stream */
    /* finish: STREAM OK both ways, the console closes */
    stream_send(fd, s, RPC_STATUS_OK, NULL, 0);
    expect_status(fd, s, RPC_STATUS_OK, 0);
    g_assert_true(test_wait_eof(peer, TIMEOUT_MS));
    /* stray packets of the finished stream are dropped */
    stream_send(fd, s, RPC_STATUS_CONTINUE, "late", 4);
    stream_send(fd, s, RPC_STATUS_OK, NULL, 0);
    stream_send(fd, 4242, RPC_STATUS_CONTINUE, "never", 5);
    assert_alive(fd);
    /* the session ended: the console can be opened again */
    s = open_console(f, fd, NULL, 0, NULL);
    close(peer);
    peer = accept_console(f->listen_fd);
    stream_send(fd, s, RPC_STATUS_ERROR, NULL, 0); /* abort */
    expect_status(fd, s, RPC_STATUS_OK, 0);
    g_assert_true(test_wait_eof(peer, TIMEOUT_MS));
    close(peer);
    close(fd);
}

static void test_console_eof(Fixture *f, gconstpointer data)
{
    int fd = client_open(f, f->td->sock_rw);
    uint32_t s = open_console(f, fd, NULL, 0, NULL);
    int peer = accept_console(f->listen_fd);
    g_autoptr(GByteArray) got = NULL;

    g_assert_cmpint(write(peer, "bye", 3), ==, 3);
    close(peer);
    got = stream_recv_data(fd, s, 3);
    /* the end of data is an empty CONTINUE; the stream waits for the client */
    expect_status(fd, s, RPC_STATUS_CONTINUE, 0);
    stream_send(fd, s, RPC_STATUS_CONTINUE, "ignored", 7);
    assert_alive(fd);
    stream_send(fd, s, RPC_STATUS_OK, NULL, 0);
    expect_status(fd, s, RPC_STATUS_OK, 0);
    assert_alive(fd);
    close(fd);
}

static void test_disconnect_closes(Fixture *f, gconstpointer data)
{
    int fd = client_open(f, f->td->sock_rw);
    int peer;
    int fd2;

    open_console(f, fd, NULL, 0, NULL);
    peer = accept_console(f->listen_fd);
    close(fd);
    g_assert_true(test_wait_eof(peer, TIMEOUT_MS));
    close(peer);
    /* and the session went with it */
    fd2 = client_open(f, f->td->sock_rw);
    open_console(f, fd2, NULL, 0, NULL);
    peer = accept_console(f->listen_fd);
    close(fd2);
    g_assert_true(test_wait_eof(peer, TIMEOUT_MS));
    close(peer);
}

/* The driver opened a console for a session that was then refused: it is closed. */
static void assert_refused_closed(Fixture *f)
{
    int peer = accept_console(f->listen_fd);

    g_assert_true(test_wait_eof(peer, TIMEOUT_MS));
    close(peer);
}

static void test_exclusive(Fixture *f, gconstpointer data)
{
    int a = client_open(f, f->td->sock_rw);
    int b = client_open(f, f->td->sock_rw);
    uint32_t sa = open_console(f, a, NULL, 0, NULL);
    int peer_a = accept_console(f->listen_fd);
    g_autoptr(GByteArray) got = NULL;
    g_autoptr(RpcMessage) msg = NULL;
    g_autoptr(GError) aborted = NULL;
    GError *error = NULL;
    uint32_t sb;
    int peer_b;

    g_assert_cmpuint(open_console(f, b, NULL, 0, &error), ==, 0);
    g_assert_cmpint(error->code, ==, VIRT_ERR_OPERATION_FAILED);
    g_assert_cmpstr(error->message, ==,
                    "operation failed: Active console session exists for this domain");
    g_clear_error(&error);
    assert_refused_closed(f);
    g_assert_cmpuint(open_console(f, b, NULL, DRIVER_CONSOLE_SAFE, &error), ==, 0);
    assert_code(error, VIRT_ERR_OPERATION_FAILED);
    assert_refused_closed(f);
    /* FORCE: a's session ends with an error, its console closes, b has it */
    sb = open_console(f, b, NULL, DRIVER_CONSOLE_FORCE | DRIVER_CONSOLE_SAFE, NULL);
    peer_b = accept_console(f->listen_fd);
    msg = stream_recv(a, sa);
    g_assert_cmpint(msg->header.status, ==, RPC_STATUS_ERROR);
    aborted = rpc_message_decode_error(msg);
    g_assert_cmpint(aborted->code, ==, VIRT_ERR_OPERATION_ABORTED);
    g_assert_nonnull(strstr(aborted->message, "'c1'"));
    g_assert_true(test_wait_eof(peer_a, TIMEOUT_MS));
    g_assert_cmpint(write(peer_b, "b!", 2), ==, 2);
    got = stream_recv_data(b, sb, 2);
    /* a's abort of the stream that is gone is dropped; a still works */
    stream_send(a, sa, RPC_STATUS_ERROR, NULL, 0);
    assert_alive(a);
    /* another device of the same domain is another session */
    g_assert_cmpuint(open_console(f, a, "serial1", 0, &error), ==, 0);
    assert_code(error, VIRT_ERR_OPERATION_FAILED); /* nobody listens there */
    close(peer_a);
    close(peer_b);
    close(a);
    close(b);
}

static void test_errors(Fixture *f, gconstpointer data)
{
    int fd = client_open(f, f->td->sock_rw);
    int ro = client_open(f, f->td->sock_ro);
    remote_domain_destroy_args destroy = { f->dom };
    GError *error = NULL;

    g_assert_cmpuint(open_console(f, fd, NULL, 4, &error), ==, 0);
    assert_code(error, VIRT_ERR_INVALID_ARG);
    g_assert_cmpuint(open_console(f, ro, NULL, 0, &error), ==, 0);
    assert_code(error, VIRT_ERR_OPERATION_DENIED);
    g_assert_no_error(CALL(fd, REMOTE_PROC_DOMAIN_DESTROY, &destroy, NULL));
    g_assert_cmpuint(open_console(f, fd, NULL, 0, &error), ==, 0);
    assert_code(error, VIRT_ERR_OPERATION_INVALID);
    close(ro);
    close(fd);
}

static void test_no_support(Fixture *f, gconstpointer data)
{
    int fd = client_open(f, f->td->sock_rw);
    GError *error = NULL;

    g_assert_cmpuint(open_console(f, fd, NULL, 0, &error), ==, 0);
    g_assert_cmpint(error->code, ==, VIRT_ERR_NO_SUPPORT);
    g_assert_nonnull(strstr(error->message, "virDomainOpenConsole"));
    g_clear_error(&error);
    close(fd);
}

static void fill_pattern(uint8_t *buf, size_t len, size_t offset)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)((offset + i) * 7 + ((offset + i) >> 12));
}

/* Write without blocking until the daemon stops taking data; returns the bytes. */
static size_t write_until_full(int fd, size_t limit)
{
    uint8_t chunk[65536];
    size_t total = 0;
    int flags = fcntl(fd, F_GETFL);

    g_assert_cmpint(fcntl(fd, F_SETFL, flags | O_NONBLOCK), ==, 0);
    while (total < limit) {
        size_t n = MIN(sizeof(chunk), limit - total);
        ssize_t w;

        fill_pattern(chunk, n, total);
        w = write(fd, chunk, n);
        if (w < 0 && errno == EAGAIN) {
            struct pollfd pfd = { fd, POLLOUT, 0 };

            /* a pause of the reader is fine; 300 ms of silence means it stopped */
            if (poll(&pfd, 1, 300) == 0)
                break;
            continue;
        }
        g_assert_cmpint(w, >, 0);
        total += (size_t)w;
    }
    g_assert_cmpint(fcntl(fd, F_SETFL, flags), ==, 0);
    return total;
}

static void test_flow_to_client(Fixture *f, gconstpointer data)
{
    const size_t limit = 64u << 20;
    int fd = client_open(f, f->td->sock_rw);
    uint32_t s = open_console(f, fd, NULL, 0, NULL);
    int peer = accept_console(f->listen_fd);
    size_t written = write_until_full(peer, limit);
    g_autoptr(GByteArray) got = NULL;
    g_autofree uint8_t *want = g_malloc(written);

    /* the client reads nothing: the daemon stops reading the console instead of
     * queueing without bound (socket buffers plus STREAM_TX_MAX) */
    g_test_message("console took %zu bytes before the daemon stopped reading", written);
    g_assert_cmpuint(written, <, 16u << 20);
    got = stream_recv_data(fd, s, written);
    fill_pattern(want, written, 0);
    g_assert_cmpmem(got->data, got->len, want, written);
    close(peer);
    expect_status(fd, s, RPC_STATUS_CONTINUE, 0);
    close(fd);
}

static void test_flow_from_client(Fixture *f, gconstpointer data)
{
    const size_t chunk = 262120;
    const size_t limit = 64u << 20;
    int fd = client_open(f, f->td->sock_rw);
    uint32_t s = open_console(f, fd, NULL, 0, NULL);
    int peer = accept_console(f->listen_fd);
    g_autofree uint8_t *buf = g_malloc(chunk);
    g_autofree uint8_t *back = g_malloc(chunk);
    size_t sent = 0;
    int flags = fcntl(fd, F_GETFL);
    GBytes *pending = NULL;

    /* packets until the socket stays full: the daemon stopped reading us */
    g_assert_cmpint(fcntl(fd, F_SETFL, flags | O_NONBLOCK), ==, 0);
    while (sent < limit) {
        RpcHeader h = { REMOTE_PROGRAM,     1, REMOTE_PROC_DOMAIN_OPEN_CONSOLE,
                        RPC_MESSAGE_STREAM, s, RPC_STATUS_CONTINUE };
        g_autoptr(GBytes) packet = NULL;
        gsize size = 0;
        const uint8_t *p;
        size_t off = 0;

        fill_pattern(buf, chunk, sent);
        packet = rpc_message_encode(&h, 0, buf, chunk, NULL);
        p = g_bytes_get_data(packet, &size);
        while (off < size) {
            struct pollfd pfd = { fd, POLLOUT, 0 };
            ssize_t w = send(fd, p + off, size - off, MSG_NOSIGNAL);

            if (w > 0) {
                off += (size_t)w;
                continue;
            }
            g_assert_cmpint(errno, ==, EAGAIN);
            /* 300 ms without room means the daemon stopped reading */
            if (poll(&pfd, 1, 300) == 0)
                break;
        }
        if (off < size) {
            /* finish the packet once the console drains */
            g_assert_cmpint(fcntl(fd, F_SETFL, flags), ==, 0);
            pending = g_bytes_new(p + off, size - off);
            sent += chunk;
            break;
        }
        sent += chunk;
    }
    g_assert_cmpint(fcntl(fd, F_SETFL, flags), ==, 0);
    g_test_message("client sent %zu bytes before the daemon stopped reading", sent);
    g_assert_cmpuint(sent, <, 16u << 20);
    for (size_t done = 0; done < sent; done += chunk) {
        if (pending && done + 2 * chunk >= sent) {
            /* the daemon reads again: the rest of the last packet goes through */
            gsize n = 0;
            const void *p = g_bytes_get_data(pending, &n);

            test_send_raw(fd, p, n);
            g_clear_pointer(&pending, g_bytes_unref);
        }
        read_exact(peer, back, chunk);
        fill_pattern(buf, chunk, done);
        g_assert_cmpmem(back, chunk, buf, chunk);
    }
    /* reading resumed: the finish after all that data is confirmed */
    stream_send(fd, s, RPC_STATUS_OK, NULL, 0);
    expect_status(fd, s, RPC_STATUS_OK, 0);
    g_assert_true(test_wait_eof(peer, TIMEOUT_MS));
    close(peer);
    close(fd);
}

static void test_malformed(Fixture *f, gconstpointer data)
{
    const size_t big = 3u << 20; /* one packet above STREAM_RX_MAX */
    int fd = client_open(f, f->td->sock_rw);
    uint32_t s = open_console(f, fd, NULL, 0, NULL);
    int peer = accept_console(f->listen_fd);
    g_autofree uint8_t *buf = g_malloc(big);
    g_autofree uint8_t *back = g_malloc(big);
    RpcHeader hole = { REMOTE_PROGRAM,          1, REMOTE_PROC_DOMAIN_OPEN_CONSOLE,
                       RPC_MESSAGE_STREAM_HOLE, s, RPC_STATUS_CONTINUE };
    uint8_t hole_payload[12] = { 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0, 0 };
    g_autoptr(GBytes) packet = rpc_message_encode(&hole, 0, hole_payload, 12, NULL);
    g_autoptr(RpcMessage) msg = NULL;
    g_autoptr(GError) error = NULL;
    gsize size = 0;
    const void *bytes = g_bytes_get_data(packet, &size);

    fill_pattern(buf, big, 0);
    stream_send(fd, s, RPC_STATUS_CONTINUE, buf, big);
    stream_send(fd, s, RPC_STATUS_CONTINUE, NULL, 0); /* empty data: nothing to write */
    read_exact(peer, back, big);
    g_assert_cmpmem(back, big, buf, big);
    /* wrong procedure for the serial: not this stream's packet, dropped */
    {
        RpcHeader h = { REMOTE_PROGRAM,     1, REMOTE_PROC_DOMAIN_GET_XML_DESC,
                        RPC_MESSAGE_STREAM, s, RPC_STATUS_OK };
        g_autoptr(GBytes) other = rpc_message_encode(&h, 0, NULL, 0, NULL);
        gsize n = 0;
        const void *p = g_bytes_get_data(other, &n);

        test_send_raw(fd, p, n);
    }
    assert_alive(fd);
    /* a hole was never negotiated: the stream ends with an error */
    test_send_raw(fd, bytes, size);
    msg = stream_recv(fd, s);
    g_assert_cmpint(msg->header.status, ==, RPC_STATUS_ERROR);
    error = rpc_message_decode_error(msg);
    g_assert_cmpint(error->code, ==, VIRT_ERR_RPC);
    g_assert_true(test_wait_eof(peer, TIMEOUT_MS));
    assert_alive(fd);
    close(peer);
    close(fd);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/daemon/stream/both-ways", Fixture, NULL, setup, test_both_ways, teardown);
    g_test_add("/daemon/stream/console-eof", Fixture, NULL, setup, test_console_eof, teardown);
    g_test_add("/daemon/stream/disconnect", Fixture, NULL, setup, test_disconnect_closes, teardown);
    g_test_add("/daemon/stream/exclusive", Fixture, NULL, setup, test_exclusive, teardown);
    g_test_add("/daemon/stream/errors", Fixture, NULL, setup, test_errors, teardown);
    g_test_add("/daemon/stream/no-support", Fixture, &fake_driver_ops, setup, test_no_support,
               teardown);
    g_test_add("/daemon/stream/flow-to-client", Fixture, NULL, setup, test_flow_to_client,
               teardown);
    g_test_add("/daemon/stream/flow-from-client", Fixture, NULL, setup, test_flow_from_client,
               teardown);
    g_test_add("/daemon/stream/malformed", Fixture, NULL, setup, test_malformed, teardown);
    return g_test_run();
}
