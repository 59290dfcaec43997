/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * 10,000 generated malformed packets against a forked daemon (fake driver): each gets
 * an error reply or closes only its own connection; the daemon stays up, a bystander
 * client keeps being served, and the daemon's memory stays flat. Then honest and
 * lying descriptor counts with real descriptors: none of them stays open.
 */

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fake-driver.h"
#include "rpc/remote-protocol.h"
#include "rpc/wire-error.h"
#include "test-harness.h"

#define N_PACKETS 10000

static void put_u32(GByteArray *b, uint32_t v)
{
    uint8_t w[4] = { v >> 24, v >> 16, v >> 8, v };

    g_byte_array_append(b, w, 4);
}

/* One malformed or hostile packet; the kinds cycle so each is well covered. */
static GBytes *make_packet(GRand *rand, unsigned int i, bool *ret_fatal)
{
    const RpcProgramInfo *prog = &rpc_programs[g_rand_int_range(rand, 0, rpc_n_programs)];
    const RpcProcInfo *proc = &prog->procs[g_rand_int_range(rand, 0, prog->n_procs)];
    g_autoptr(GByteArray) b = g_byte_array_new();
    uint32_t fields[6] = { REMOTE_PROGRAM,   1, (uint32_t)proc->proc,
                           RPC_MESSAGE_CALL, i, RPC_STATUS_OK };
    unsigned int payload = g_rand_int_range(rand, 0, 96);

    *ret_fatal = false;
    switch (i % 8) {
    case 0: /* length word out of range */
        put_u32(b,
                g_rand_boolean(rand) ? (uint32_t)g_rand_int_range(rand, 0, 28) : 0x80000000u + i);
        *ret_fatal = true;
        return g_byte_array_free_to_bytes(g_steal_pointer(&b));
    case 1: /* unknown program or version */
        fields[0] = g_rand_int(rand);
        fields[1] = g_rand_int_range(rand, 2, 100);
        break;
    case 2: /* unknown procedure */
        fields[2] = g_rand_int_range(rand, 500, 1 << 30);
        break;
    case 3: /* unknown type or status: a framing error */
        fields[3] = g_rand_boolean(rand) ? 7u + (uint32_t)g_rand_int_range(rand, 0, 100) : 0u;
        fields[5] = fields[3] ? 0u : 3u + (uint32_t)g_rand_int_range(rand, 0, 100);
        *ret_fatal = true;
        break;
    default: /* a real procedure (any program) with a random payload */
        fields[0] = prog->prog;
        fields[1] = prog->vers;
        break;
    }
    put_u32(b, 28 + payload);
    for (int f = 0; f < 6; f++)
        put_u32(b, fields[f]);
    for (unsigned int k = 0; k < payload; k++) {
        /* absurd list and string lengths are likely at the start of a payload */
        uint8_t byte = (k < 4 && i % 8 == 5) ? 0x7f : (uint8_t)g_rand_int(rand);

        g_byte_array_append(b, &byte, 1);
    }
    return g_byte_array_free_to_bytes(g_steal_pointer(&b));
}

static long daemon_rss_kib(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
    g_autofree char *text = NULL;
    const char *line;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    line = strstr(text, "VmRSS:");
    g_assert_nonnull(line);
    return strtol(line + 6, NULL, 10);
}

static int connect_opened(const char *path)
{
    int fd = test_connect(path);
    char *name = (char *)"fake:///default";
    remote_connect_open_args open = { &name, 0 };
    GError *error = test_call(fd, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_OPEN, 0, &open, NULL);

    g_assert_no_error(error);
    return fd;
}

/* Send a PING; true if the connection survived what was sent before (PONG seen). */
static bool sync_ping(int fd)
{
    RpcHeader ping = { KEEPALIVE_PROGRAM,   1, KEEPALIVE_PROC_PING,
                       RPC_MESSAGE_MESSAGE, 0, RPC_STATUS_OK };
    g_autoptr(GBytes) p = rpc_message_encode(&ping, 0, NULL, 0, NULL);

    test_send_raw(fd, g_bytes_get_data(p, NULL), g_bytes_get_size(p));
    for (;;) {
        g_autoptr(RpcMessage) msg = test_recv_message(fd, 20000);

        if (!msg)
            return false;
        /* a CALL to the keepalive program gets an error REPLY, which is no PONG */
        if (msg->header.prog == KEEPALIVE_PROGRAM && msg->header.proc == KEEPALIVE_PROC_PONG &&
            msg->header.type == RPC_MESSAGE_MESSAGE)
            return true;
        /* anything else must be a reply (an error, or an answer to a valid call) */
        g_assert_cmpint(msg->header.type, ==, RPC_MESSAGE_REPLY);
    }
}

/* Send @packet followed by a PING; true if the connection survived (PONG seen). */
static bool send_and_sync(int fd, GBytes *packet)
{
    test_send_raw(fd, g_bytes_get_data(packet, NULL), g_bytes_get_size(packet));
    return sync_ping(fd);
}

static void test_malformed_packets(void)
{
    /* cheap reads inline: random payloads reach handlers on the loop thread too */
    TestDaemon *td = test_daemon_start(&fake_driver_inline_ops, &fake_driver_info, NULL);
    g_autoptr(GRand) rand = g_rand_new_with_seed(20261126);
    int bystander = connect_opened(td->sock_rw);
    int fd = connect_opened(td->sock_rw);
    unsigned int closed = 0;
    long rss_start = 0;

    for (unsigned int i = 0; i < N_PACKETS; i++) {
        bool fatal = false;
        g_autoptr(GBytes) packet = make_packet(rand, i, &fatal);
        bool alive = send_and_sync(fd, packet);

        /* framing errors must close; the rest may (CONNECT_CLOSE) but need not */
        if (fatal && alive)
            g_error("packet %u (kind %u) was framing-invalid but the connection lived", i, i % 8);
        if (!alive) {
            closed++;
            close(fd);
            fd = connect_opened(td->sock_rw);
        }
        if (i == 1000)
            rss_start = daemon_rss_kib(td->pid);
        if (i % 1000 == 999) {
            remote_connect_get_hostname_ret host = { 0 };

            g_assert_no_error(test_call(bystander, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME,
                                        i, NULL, &host));
            g_assert_cmpstr(host.hostname, ==, "fakehost");
            xdr_free((xdrproc_t)xdr_remote_connect_get_hostname_ret, &host);
        }
    }
    g_test_message("%u of %d packets closed their connection; RSS %ld -> %ld KiB", closed,
                   N_PACKETS, rss_start, daemon_rss_kib(td->pid));
#if defined(__SANITIZE_ADDRESS__)
    /* ASan keeps freed memory in quarantine: RSS says nothing about leaks there */
    (void)rss_start;
#else
    g_assert_cmpint(daemon_rss_kib(td->pid) - rss_start, <, 16 * 1024);
#endif
    close(fd);
    close(bystander);
    g_assert_cmpint(test_daemon_stop(td), ==, 0);
    test_daemon_free(td);
}

#define N_FD_PACKETS 1200

/* A packet of type @type announcing @n_fds descriptors, the rest like make_packet's
 * real procedures with random payloads. */
static GBytes *make_fd_packet(GRand *rand, uint32_t type, uint32_t n_fds, unsigned int i)
{
    const RpcProgramInfo *prog = rpc_program_lookup(REMOTE_PROGRAM);
    const RpcProcInfo *proc = &prog->procs[g_rand_int_range(rand, 0, prog->n_procs)];
    g_autoptr(GByteArray) b = g_byte_array_new();
    unsigned int payload = g_rand_int_range(rand, 0, 64);
    uint32_t fields[7] = { REMOTE_PROGRAM, 1, (uint32_t)proc->proc, type, i, RPC_STATUS_OK, n_fds };

    put_u32(b, 32 + payload);
    for (int f = 0; f < 7; f++)
        put_u32(b, fields[f]);
    for (unsigned int k = 0; k < payload; k++) {
        uint8_t byte = (uint8_t)g_rand_int(rand);

        g_byte_array_append(b, &byte, 1);
    }
    return g_byte_array_free_to_bytes(g_steal_pointer(&b));
}

/* One descriptor on the first byte of @packet, the rest of it after. */
static void send_fd_on_first_byte(int fd, GBytes *packet, int pass)
{
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(packet, &len);

    if (test_send_fd_on_bytes(fd, pass, data, 1))
        test_send_raw(fd, data + 1, len - 1);
}

/* Send one honest or lying *_WITH_FDS packet passing @pass; true if it must close
 * the connection (the fd framing is broken). */
static bool send_fd_case(GRand *rand, int fd, unsigned int i, int pass)
{
    uint32_t n = (uint32_t)g_rand_int_range(rand, 1, 5);
    int fds[4] = { pass, pass, pass, pass };
    g_autoptr(GBytes) packet = NULL;

    switch (i % 6) {
    case 0: /* a count above libvirt's 32 */
        packet = make_fd_packet(rand, RPC_MESSAGE_CALL_WITH_FDS,
                                RPC_MESSAGE_NUM_FDS_MAX + 1 + g_rand_int(rand) % 1000, i);
        test_send_raw(fd, g_bytes_get_data(packet, NULL), g_bytes_get_size(packet));
        return true;
    case 1: /* honest: a random call with its descriptors */
        packet = make_fd_packet(rand, RPC_MESSAGE_CALL_WITH_FDS, n, i);
        (void)test_send_with_fds(fd, packet, fds, n);
        return false;
    case 2: /* fewer descriptors than announced: the PING's bytes are no dummy bytes */
        packet = make_fd_packet(rand, RPC_MESSAGE_CALL_WITH_FDS, n + 1, i);
        (void)test_send_with_fds(fd, packet, fds, n);
        return true;
    case 3: /* the dummy bytes without descriptors */
        packet = make_fd_packet(rand, RPC_MESSAGE_CALL_WITH_FDS, n, i);
        (void)test_send_with_fds(fd, packet, NULL, 0);
        test_send_raw(fd, "\0\0\0\0", n);
        return true;
    case 4: /* a descriptor on the bytes of a plain CALL */
        packet = make_packet(rand, 2 + 2 * (i % 3), &(bool){ false });
        send_fd_on_first_byte(fd, packet, pass);
        return true;
    default: /* a REPLY_WITH_FDS from a client: ignored, its descriptors closed */
        packet = make_fd_packet(rand, RPC_MESSAGE_REPLY_WITH_FDS, n, i);
        (void)test_send_with_fds(fd, packet, fds, n);
        return false;
    }
}

/* Honest and lying descriptor counts: each descriptor passed is closed by the time the
 * call is answered or the connection dropped, lies close only their own connection,
 * and the daemon ends with the descriptors it started with. */
static void test_malformed_fd_packets(void)
{
    TestDaemon *td = test_daemon_start(&fake_driver_inline_ops, &fake_driver_info, NULL);
    g_autoptr(GRand) rand = g_rand_new_with_seed(20261127);
    int bystander = connect_opened(td->sock_rw);
    int fd = connect_opened(td->sock_rw);
    unsigned int base = test_count_fds(td->pid);
    unsigned int closed = 0;

    for (unsigned int i = 0; i < N_FD_PACKETS; i++) {
        int p[2];
        bool fatal;
        bool alive;

        g_assert_cmpint(pipe2(p, O_CLOEXEC), ==, 0);
        fatal = send_fd_case(rand, fd, i, p[1]);
        close(p[1]);
        alive = sync_ping(fd);
        if (fatal && alive)
            g_error("fd case %u (kind %u) lied but the connection lived", i, i % 6);
        /* no copy of the write end is left in the daemon */
        g_assert_true(test_pipe_closed(p[0], 10000));
        close(p[0]);
        if (!alive) {
            closed++;
            close(fd);
            fd = connect_opened(td->sock_rw);
        }
        if (i % 200 == 199) {
            remote_connect_get_hostname_ret host = { 0 };

            g_assert_no_error(test_call(bystander, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME,
                                        i, NULL, &host));
            g_assert_cmpstr(host.hostname, ==, "fakehost");
            xdr_free((xdrproc_t)xdr_remote_connect_get_hostname_ret, &host);
        }
    }
    g_test_message("%u of %d fd cases closed their connection", closed, N_FD_PACKETS);
    g_assert_true(test_wait_fd_count(td->pid, base, 10000));
    close(fd);
    close(bystander);
    g_assert_cmpint(test_daemon_stop(td), ==, 0);
    test_daemon_free(td);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/daemon/robustness/malformed-packets", test_malformed_packets);
    g_test_add_func("/daemon/robustness/malformed-fd-packets", test_malformed_fd_packets);
    return g_test_run();
}
