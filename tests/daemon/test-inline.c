/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where calls run: the schema's "@dispatch: inline" reads on the daemon's loop thread
 * when the driver says its reads never block (and on workers when it does not),
 * without counting against the in-flight limit, never ahead of a client's deferred
 * calls, only a bounded number per loop iteration so one client's burst cannot
 * hold the loop, however many clients call at once. The fake driver's "whoami" lookup
 * names the thread it ran on.
 */

#include <string.h>
#include <unistd.h>

#include "fake-driver.h"
#include "rpc/remote-protocol.h"
#include "test-harness.h"
#include "util/error.h"

static const DaemonInfo fake_info = {
    .name = "virtfaked",
    .sock_prefix = "virtfaked",
    .driver_scheme = "fake",
    .default_uri = "fake:///default",
};

static uint32_t serial = 1;

#define CALL(fd, proc, args, ret) test_call((fd), REMOTE_PROGRAM, (proc), serial++, (args), (ret))

static TestDaemon *start(const DriverOps *ops, const char *conf, int block_fd)
{
    TestDaemon *td;

    fake_driver_block_fd = block_fd; /* read by the forked daemon */
    td = test_daemon_start_with_config(ops, &fake_info, conf);
    fake_driver_block_fd = -1;
    return td;
}

/* The inline fake with @conf whose blocking calls wait for a byte on *ret_unblock. */
static TestDaemon *start_blocking(const char *conf, int *ret_unblock)
{
    int pipefd[2];
    TestDaemon *td;

    g_assert_cmpint(pipe(pipefd), ==, 0);
    td = start(&fake_driver_inline_ops, conf, pipefd[0]);
    close(pipefd[0]);
    *ret_unblock = pipefd[1];
    return td;
}

/* Let every blocked call of the fake go on. */
static void unblock(int fd)
{
    g_assert_cmpint(write(fd, "x", 1), ==, 1);
    close(fd);
}

static void stop(TestDaemon *td)
{
    g_assert_cmpint(test_daemon_stop(td), ==, 0);
    test_daemon_free(td);
}

static int open_client(TestDaemon *td)
{
    int fd = test_connect(td->sock_rw);
    char *uri = (char *)"fake:///default";
    remote_connect_open_args open = { &uri, 0 };

    g_assert_no_error(CALL(fd, REMOTE_PROC_CONNECT_OPEN, &open, NULL));
    return fd;
}

/* The thread the fake's @name lookup (a "whoami" variant) ran on. */
static char *lookup_thread(int fd, const char *name)
{
    remote_domain_lookup_by_name_args args = { (char *)name };
    remote_domain_lookup_by_name_ret ret = { { 0 } };
    char *thread;

    g_assert_no_error(CALL(fd, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, &args, &ret));
    thread = g_strdup(ret.dom.name);
    xdr_free((xdrproc_t)xdr_remote_domain_lookup_by_name_ret, &ret);
    return thread;
}

/* The thread the fake's "whoami" lookup ran on: "loop" or "worker". */
static char *whoami(int fd)
{
    return lookup_thread(fd, "whoami");
}

static void send_call(int fd, int proc, uint32_t call_serial, const void *args)
{
    g_autoptr(GBytes) call = rpc_message_encode_call(REMOTE_PROGRAM, proc, call_serial, args, NULL);

    g_assert_nonnull(call);
    test_send_raw(fd, g_bytes_get_data(call, NULL), g_bytes_get_size(call));
}

/* A PING answered proves the daemon has read and dispatched everything sent before. */
static void sync_ping(int fd)
{
    RpcHeader ping = { KEEPALIVE_PROGRAM,   1, KEEPALIVE_PROC_PING,
                       RPC_MESSAGE_MESSAGE, 0, RPC_STATUS_OK };
    g_autoptr(GBytes) packet = rpc_message_encode(&ping, 0, NULL, 0, NULL);

    test_send_raw(fd, g_bytes_get_data(packet, NULL), g_bytes_get_size(packet));
    for (;;) {
        g_autoptr(RpcMessage) msg = test_recv_message(fd, 10000);

        g_assert_nonnull(msg);
        g_assert_cmphex(msg->header.prog, ==, KEEPALIVE_PROGRAM);
        if (msg->header.proc == KEEPALIVE_PROC_PONG)
            return;
    }
}

/* The next REPLY on @fd: its serial, and the looked-up name for a lookup reply. */
static uint32_t next_reply(int fd, char **ret_name)
{
    for (;;) {
        g_autoptr(RpcMessage) msg = test_recv_message(fd, 10000);

        g_assert_nonnull(msg);
        if (msg->header.type != RPC_MESSAGE_REPLY)
            continue;
        g_assert_cmpint(msg->header.status, ==, RPC_STATUS_OK);
        if (ret_name && msg->header.proc == REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME) {
            remote_domain_lookup_by_name_ret ret = { { 0 } };
            const RpcProcInfo *info =
                rpc_proc_lookup(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME);

            g_assert_true(rpc_payload_decode(&info->ret, msg->payload, &ret, NULL));
            *ret_name = g_strdup(ret.dom.name);
            xdr_free((xdrproc_t)xdr_remote_domain_lookup_by_name_ret, &ret);
        }
        return msg->header.serial;
    }
}

/* A driver that does not claim non-blocking reads keeps every lookup on workers. */
static void test_worker_without_flag(void)
{
    TestDaemon *td = start(&fake_driver_ops, "[daemon]\n", -1);
    int fd = open_client(td);

    for (int i = 0; i < 3; i++) {
        g_autofree char *thread = whoami(fd);

        g_assert_cmpstr(thread, ==, "worker");
    }
    close(fd);
    stop(td);
}

/* With the flag, cheap reads run on the loop; calls that change state still do not. */
static void test_inline_with_flag(void)
{
    TestDaemon *td = start(&fake_driver_inline_ops, "[daemon]\n", -1);
    int fd = open_client(td);
    g_autofree char *thread = whoami(fd);
    char *xml = (char *)"<domain><name>d1</name></domain>";
    remote_domain_define_xml_args def = { xml };
    remote_domain_define_xml_ret def_ret = { { 0 } };
    remote_domain_get_state_args st = { { 0 } };
    remote_domain_get_state_ret st_ret = { 0 };

    g_assert_cmpstr(thread, ==, "loop");
    g_assert_no_error(CALL(fd, REMOTE_PROC_DOMAIN_DEFINE_XML, &def, &def_ret));
    st.dom = def_ret.dom;
    g_assert_no_error(CALL(fd, REMOTE_PROC_DOMAIN_GET_STATE, &st, &st_ret));
    g_assert_cmpint(st_ret.state, ==, 5);
    xdr_free((xdrproc_t)xdr_remote_domain_define_xml_ret, &def_ret);
    close(fd);
    stop(td);
}

/*
 * A blocked call holds the only worker and the client's only in-flight slot: a cheap
 * read is still answered, on the loop. A call that must wait (deferred) keeps a later
 * cheap read behind it: replies come in the order the calls were sent.
 */
static void test_inline_limits_and_order(void)
{
    int unblock_fd;
    TestDaemon *td;
    int fd;
    g_autofree char *thread = NULL;
    g_autofree char *late = NULL;
    char *name = (char *)"whoami";
    remote_domain_lookup_by_name_args lookup = { name };
    char *xml = (char *)"<domain><name>d2</name></domain>";
    remote_domain_define_xml_args def = { xml };

    td = start_blocking("[daemon]\nmax_workers = 1\nmax_client_requests = 1\n", &unblock_fd);
    fd = open_client(td);
    send_call(fd, REMOTE_PROC_CONNECT_GET_CAPABILITIES, 7000, NULL); /* blocks on the pipe */
    thread = whoami(fd);
    g_assert_cmpstr(thread, ==, "loop");

    send_call(fd, REMOTE_PROC_DOMAIN_DEFINE_XML, 7001, &def); /* deferred: limit reached */
    send_call(fd, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, 7002, &lookup);
    sync_ping(fd);
    unblock(unblock_fd);
    g_assert_cmpuint(next_reply(fd, NULL), ==, 7000);
    g_assert_cmpuint(next_reply(fd, NULL), ==, 7001);
    g_assert_cmpuint(next_reply(fd, &late), ==, 7002);
    g_assert_cmpstr(late, ==, "loop"); /* run inline once the queue drained */
    close(fd);
    stop(td);
}

/* A burst of cheap reads in one packet: a bounded number run on the loop per
 * iteration, the rest on workers; every call is answered. */
static void test_inline_burst(void)
{
    enum { N = 48 };
    TestDaemon *td = start(&fake_driver_inline_ops, "[daemon]\n", -1);
    int fd = open_client(td);
    char *name = (char *)"whoami";
    remote_domain_lookup_by_name_args lookup = { name };
    g_autoptr(GByteArray) burst = g_byte_array_new();
    bool seen[N] = { false };
    int on_loop = 0;
    int on_worker = 0;

    for (int i = 0; i < N; i++) {
        g_autoptr(GBytes) call = rpc_message_encode_call(
            REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, 9000 + i, &lookup, NULL);

        g_byte_array_append(burst, g_bytes_get_data(call, NULL), g_bytes_get_size(call));
    }
    test_send_raw(fd, burst->data, burst->len);
    for (int i = 0; i < N; i++) {
        g_autofree char *thread = NULL;
        uint32_t s = next_reply(fd, &thread);

        g_assert_cmpuint(s, >=, 9000);
        g_assert_cmpuint(s, <, 9000 + N);
        g_assert_false(seen[s - 9000]);
        seen[s - 9000] = true;
        if (g_strcmp0(thread, "loop") == 0)
            on_loop++;
        else
            on_worker++;
    }
    g_assert_cmpint(on_loop, >=, 1);
    g_assert_cmpint(on_worker, >=, 1);
    close(fd);
    stop(td);
}

/*
 * Many clients calling at once all have their cheap reads run on the loop: the loop is
 * held by an inline "block" lookup while six other clients send theirs, so all six
 * are ready together when it comes back.
 */
static void test_inline_crowd(void)
{
    enum { N = 6 };
    int unblock_fd;
    TestDaemon *td;
    int holder;
    int fds[N];
    char *block = (char *)"block";
    char *name = (char *)"whoami";
    remote_domain_lookup_by_name_args hold = { block };
    remote_domain_lookup_by_name_args lookup = { name };

    td = start_blocking("[daemon]\n", &unblock_fd);
    holder = open_client(td);
    for (int i = 0; i < N; i++)
        fds[i] = open_client(td);
    send_call(holder, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, 8000, &hold);
    for (int i = 0; i < N; i++)
        send_call(fds[i], REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, 8001 + i, &lookup);
    unblock(unblock_fd);
    for (int i = 0; i < N; i++) {
        g_autofree char *thread = NULL;

        g_assert_cmpuint(next_reply(fds[i], &thread), ==, 8001 + i);
        g_assert_cmpstr(thread, ==, "loop");
        close(fds[i]);
    }
    close(holder);
    stop(td);
}

/*
 * An inline read the driver cannot answer without waiting (DRIVER_WOULD_BLOCK_ERROR on
 * the loop) is answered from a worker, not with that error; with the client's only
 * slot taken it waits for it, and replies keep the order of the calls.
 */
static void test_inline_would_block(void)
{
    int unblock_fd;
    TestDaemon *td;
    int fd;
    g_autofree char *thread = NULL;
    g_autofree char *late = NULL;
    char *name = (char *)"mustwait";
    remote_domain_lookup_by_name_args lookup = { name };

    td = start_blocking("[daemon]\nmax_client_requests = 1\n", &unblock_fd);
    fd = open_client(td);
    thread = lookup_thread(fd, "mustwait");
    g_assert_cmpstr(thread, ==, "worker");

    send_call(fd, REMOTE_PROC_CONNECT_GET_CAPABILITIES, 7100, NULL); /* blocks on the pipe */
    send_call(fd, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, 7101, &lookup); /* waits for the slot */
    sync_ping(fd);
    unblock(unblock_fd);
    g_assert_cmpuint(next_reply(fd, NULL), ==, 7100);
    g_assert_cmpuint(next_reply(fd, &late), ==, 7101);
    g_assert_cmpstr(late, ==, "worker");
    close(fd);
    stop(td);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/daemon/inline/worker-without-flag", test_worker_without_flag);
    g_test_add_func("/daemon/inline/with-flag", test_inline_with_flag);
    g_test_add_func("/daemon/inline/limits-and-order", test_inline_limits_and_order);
    g_test_add_func("/daemon/inline/burst", test_inline_burst);
    g_test_add_func("/daemon/inline/crowd", test_inline_crowd);
    g_test_add_func("/daemon/inline/would-block", test_inline_would_block);
    return g_test_run();
}
