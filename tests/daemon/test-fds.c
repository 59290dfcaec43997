/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Descriptor passing (CALL_WITH_FDS) over a real unix socket against a forked daemon
 * with the fake driver: descriptors reach the driver, the ones it keeps stay open
 * until it lets them go, every other one is closed once the call is answered, on
 * refusals, on malformed or lying fd counts (which close only that connection) and
 * when the client leaves half-way. Closing is proven twice: the pipe whose write end
 * was passed sees EOF, and the daemon's /proc/PID/fd count comes back.
 */

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fake-driver.h"
#include "rpc/remote-protocol.h"
#include "rpc/transport-unix.h"
#include "rpc/wire-error.h"
#include "test-harness.h"
#include "util/error.h"

#define TIMEOUT_MS 10000

static uint32_t serial = 1;

static int connect_opened(const char *path)
{
    int fd = test_connect(path);
    char *name = (char *)"fake:///default";
    remote_connect_open_args open = { &name, 0 };

    g_assert_no_error(
        test_call(fd, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_OPEN, serial++, &open, NULL));
    return fd;
}

/* A CALL_WITH_FDS of @proc announcing @announced descriptors, sending @fds (n_fds). */
static void send_call_fds(int fd, int proc, const void *args, unsigned int announced,
                          const int *fds, unsigned int n_fds)
{
    const RpcProcInfo *info = rpc_proc_lookup(REMOTE_PROGRAM, proc);
    RpcHeader h = { REMOTE_PROGRAM, 1, proc, RPC_MESSAGE_CALL_WITH_FDS, serial++, RPC_STATUS_OK };
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) packet = NULL;

    if (announced > RPC_MESSAGE_NUM_FDS_MAX) {
        /* the encoder refuses it: build the packet by hand */
        uint32_t words[8] = { GUINT32_TO_BE(32),
                              GUINT32_TO_BE(REMOTE_PROGRAM),
                              GUINT32_TO_BE(1),
                              GUINT32_TO_BE(proc),
                              GUINT32_TO_BE(RPC_MESSAGE_CALL_WITH_FDS),
                              GUINT32_TO_BE(h.serial),
                              0,
                              GUINT32_TO_BE(announced) };

        packet = g_bytes_new(words, sizeof(words));
    } else {
        packet = rpc_message_encode_xdr(&h, announced, info->args.proc, args, &error);
        g_assert_no_error(error);
    }
    /* a lie may be answered by a close before all of it is out */
    (void)test_send_with_fds(fd, packet, fds, n_fds);
}

/* The reply to the last call sent; NULL when it succeeded (decoded into @ret). */
static GError *recv_reply(int fd, int proc, void *ret)
{
    const RpcProcInfo *info = rpc_proc_lookup(REMOTE_PROGRAM, proc);
    g_autoptr(GError) error = NULL;

    for (;;) {
        g_autoptr(RpcMessage) msg = test_recv_message(fd, TIMEOUT_MS);

        g_assert_nonnull(msg);
        if (msg->header.type != RPC_MESSAGE_REPLY)
            continue; /* events */
        g_assert_cmpuint(msg->header.serial, ==, serial - 1);
        if (msg->header.status == RPC_STATUS_ERROR)
            return rpc_message_decode_error(msg);
        if (ret)
            g_assert_true(rpc_payload_decode(&info->ret, msg->payload, ret, &error));
        g_assert_no_error(error);
        return NULL;
    }
}

static void assert_code(GError *error, int code)
{
    g_assert_nonnull(error);
    g_assert_cmpint(error->code, ==, code);
    g_error_free(error);
}

static remote_nonnull_domain define(int fd, const char *name)
{
    g_autofree char *xml = g_strdup_printf("<domain><name>%s</name></domain>", name);
    remote_domain_define_xml_args args = { xml };
    remote_domain_define_xml_ret ret = { { 0 } };

    g_assert_no_error(
        test_call(fd, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_DEFINE_XML, serial++, &args, &ret));
    return ret.dom;
}

static void pipe_close_write(TestPipe *p)
{
    close(p->w);
    p->w = -1;
}

/* The driver gets the descriptors: it writes into the second and keeps the first
 * while the domain runs; the daemon closes what it did not keep. */
static void test_create_with_files(void)
{
    TestDaemon *td = test_daemon_start(&fake_driver_ops, &fake_driver_info, NULL);
    int fd = connect_opened(td->sock_rw);
    remote_nonnull_domain dom = define(fd, "files");
    unsigned int base = test_count_fds(td->pid);
    TestPipe kept = test_pipe_new(), written = test_pipe_new();
    int fds[2] = { kept.w, written.w };
    remote_domain_create_with_files_args args = { dom, 0 };
    remote_domain_create_with_files_ret ret = { { 0 } };
    remote_domain_destroy_args destroy = { dom };
    char buf[16] = { 0 };
    struct pollfd pfd = { kept.r, POLLIN, 0 };

    send_call_fds(fd, REMOTE_PROC_DOMAIN_CREATE_WITH_FILES, &args, 2, fds, 2);
    /* (send_call_fds() asserts nothing; the reply below proves both went out) */
    pipe_close_write(&kept);
    pipe_close_write(&written);
    g_assert_no_error(recv_reply(fd, REMOTE_PROC_DOMAIN_CREATE_WITH_FILES, &ret));
    g_assert_cmpstr(ret.dom.name, ==, "files");
    g_assert_cmpint(ret.dom.id, >, 0);
    /* what the driver wrote through the second descriptor, then its EOF */
    g_assert_cmpint(read(written.r, buf, sizeof(buf) - 1), ==, 5);
    g_assert_cmpstr(buf, ==, "files");
    g_assert_true(test_pipe_closed(written.r, TIMEOUT_MS));
    /* the kept one is still open in the daemon, and only that one */
    g_assert_cmpint(poll(&pfd, 1, 0), ==, 0);
    g_assert_true(test_wait_fd_count(td->pid, base + 1, TIMEOUT_MS));
    g_assert_no_error(
        test_call(fd, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_DESTROY, serial++, &destroy, NULL));
    g_assert_true(test_pipe_closed(kept.r, TIMEOUT_MS));
    g_assert_true(test_wait_fd_count(td->pid, base, TIMEOUT_MS));

    xdr_free((xdrproc_t)xdr_remote_domain_create_with_files_ret, &ret);
    xdr_free((xdrproc_t)xdr_remote_nonnull_domain, &dom);
    close(kept.r);
    close(written.r);
    close(fd);
    g_assert_cmpint(test_daemon_stop(td), ==, 0);
    test_daemon_free(td);
}

/* Answered without the driver taking anything: every descriptor is closed. */
static void test_refused_calls_close_fds(void)
{
    TestDaemon *td = test_daemon_start(&fake_driver_ops, &fake_driver_info, NULL);
    int fd = connect_opened(td->sock_rw);
    int ro = connect_opened(td->sock_ro);
    remote_nonnull_domain dom = define(fd, "ro");
    unsigned int base = test_count_fds(td->pid);
    remote_domain_create_xml_with_files_args xml_args = { (char *)"<domain/>", 0 };
    remote_domain_create_with_files_args args = { dom, 0 };
    remote_connect_get_hostname_ret host = { 0 };
    struct {
        int fd;
        int proc;
        const void *args;
        int code; /* 0: succeeds */
    } cases[] = {
        /* a driver without the op: libvirt's NO_SUPPORT */
        { fd, REMOTE_PROC_DOMAIN_CREATE_XML_WITH_FILES, &xml_args, VIRT_ERR_NO_SUPPORT },
        /* a read-only connection may not start domains */
        { ro, REMOTE_PROC_DOMAIN_CREATE_WITH_FILES, &args, VIRT_ERR_OPERATION_DENIED },
        /* a procedure that takes no descriptors still answers */
        { fd, REMOTE_PROC_CONNECT_GET_HOSTNAME, NULL, 0 },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        TestPipe p = test_pipe_new();
        GError *error;

        send_call_fds(cases[i].fd, cases[i].proc, cases[i].args, 1, &p.w, 1);
        pipe_close_write(&p);
        error = recv_reply(cases[i].fd, cases[i].proc, cases[i].code ? NULL : &host);
        if (cases[i].code)
            assert_code(error, cases[i].code);
        else
            g_assert_no_error(error);
        g_assert_true(test_pipe_closed(p.r, TIMEOUT_MS));
        close(p.r);
    }
    g_assert_cmpstr(host.hostname, ==, "fakehost");
    g_assert_true(test_wait_fd_count(td->pid, base, TIMEOUT_MS));

    xdr_free((xdrproc_t)xdr_remote_connect_get_hostname_ret, &host);
    xdr_free((xdrproc_t)xdr_remote_nonnull_domain, &dom);
    close(ro);
    close(fd);
    g_assert_cmpint(test_daemon_stop(td), ==, 0);
    test_daemon_free(td);
}

/* One descriptor on @len zero bytes; the daemon may have closed us already. */
static void send_fd_on_bytes(int fd, int pass, size_t len)
{
    static const char zeros[8];

    (void)test_send_fd_on_bytes(fd, pass, zeros, len);
}

typedef enum LieKind {
    LIE_TOO_MANY,      /* a count above libvirt's 32 */
    LIE_FEWER_SENT,    /* announces 2, sends 1, then a normal packet */
    LIE_NO_RIGHTS,     /* announces 1, sends the dummy byte without a descriptor */
    LIE_UNANNOUNCED,   /* a descriptor on a plain CALL's bytes */
    LIE_LEFT_HALF_WAY, /* announces 2, sends 1, hangs up */
    LIE_NO_DUMMY_BYTE, /* the descriptor rides on the packet's own bytes, no dummy byte */
} LieKind;

/* Each lie closes its own connection (or simply ends it), never another one, and
 * whatever descriptor it passed is closed. */
static void test_lying_counts(void)
{
    TestDaemon *td = test_daemon_start(&fake_driver_ops, &fake_driver_info, NULL);
    int bystander = connect_opened(td->sock_rw);
    unsigned int base = test_count_fds(td->pid);
    RpcHeader ping = { KEEPALIVE_PROGRAM,   1, KEEPALIVE_PROC_PING,
                       RPC_MESSAGE_MESSAGE, 0, RPC_STATUS_OK };
    g_autoptr(GBytes) ping_packet = rpc_message_encode(&ping, 0, NULL, 0, NULL);
    g_autoptr(GBytes) plain =
        rpc_message_encode_call(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME, 99, NULL, NULL);

    for (LieKind kind = LIE_TOO_MANY; kind <= LIE_NO_DUMMY_BYTE; kind++) {
        int fd = connect_opened(td->sock_rw);
        TestPipe p = test_pipe_new();
        remote_connect_get_hostname_ret host = { 0 };

        switch (kind) {
        case LIE_TOO_MANY:
            send_call_fds(fd, REMOTE_PROC_CONNECT_GET_HOSTNAME, NULL, 33, &p.w, 1);
            break;
        case LIE_FEWER_SENT:
            send_call_fds(fd, REMOTE_PROC_CONNECT_GET_HOSTNAME, NULL, 2, &p.w, 1);
            test_send_raw(fd, g_bytes_get_data(ping_packet, NULL), g_bytes_get_size(ping_packet));
            break;
        case LIE_NO_RIGHTS:
            send_call_fds(fd, REMOTE_PROC_CONNECT_GET_HOSTNAME, NULL, 1, NULL, 0);
            test_send_raw(fd, "", 1);
            break;
        case LIE_UNANNOUNCED:
            send_fd_on_bytes(fd, p.w, 1);
            test_send_raw(fd, g_bytes_get_data(plain, NULL), g_bytes_get_size(plain));
            break;
        case LIE_LEFT_HALF_WAY:
            send_call_fds(fd, REMOTE_PROC_CONNECT_GET_HOSTNAME, NULL, 2, &p.w, 1);
            shutdown(fd, SHUT_WR);
            break;
        case LIE_NO_DUMMY_BYTE: {
            RpcHeader h = {
                REMOTE_PROGRAM, 1, REMOTE_PROC_CONNECT_GET_HOSTNAME, RPC_MESSAGE_CALL_WITH_FDS, 7,
                RPC_STATUS_OK
            };
            g_autoptr(GBytes) packet = rpc_message_encode(&h, 1, NULL, 0, NULL);
            gsize len = g_bytes_get_size(packet);

            test_send_raw(fd, g_bytes_get_data(packet, NULL), len - 4);
            send_fd_on_bytes(fd, p.w, 4);
            test_send_raw(fd, g_bytes_get_data(ping_packet, NULL), g_bytes_get_size(ping_packet));
            break;
        }
        }
        pipe_close_write(&p);
        g_assert_true(test_wait_eof(fd, TIMEOUT_MS));
        g_assert_true(test_pipe_closed(p.r, TIMEOUT_MS));
        close(p.r);
        close(fd);
        /* the bystander is served throughout */
        g_assert_no_error(test_call(bystander, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME,
                                    serial++, NULL, &host));
        g_assert_cmpstr(host.hostname, ==, "fakehost");
        xdr_free((xdrproc_t)xdr_remote_connect_get_hostname_ret, &host);
    }
    g_assert_true(test_wait_fd_count(td->pid, base, TIMEOUT_MS));
    close(bystander);
    g_assert_cmpint(test_daemon_stop(td), ==, 0);
    test_daemon_free(td);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/daemon/fds/create-with-files", test_create_with_files);
    g_test_add_func("/daemon/fds/refused-calls-close-fds", test_refused_calls_close_fds);
    g_test_add_func("/daemon/fds/lying-counts", test_lying_counts);
    return g_test_run();
}
