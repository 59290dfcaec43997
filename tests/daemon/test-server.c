/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon core over real unix sockets: listeners, keepalive, bad packets, exits. */

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rpc/message.h"
#include "rpc/remote-protocol.h"
#include "test-harness.h"

static const DriverOps fake_ops = { .name = "fake", .hv_type = "FAKE" };
static const DaemonInfo fake_info = {
    .name = "virtfaked",
    .sock_prefix = "virtfaked",
    .driver_scheme = "fake",
};

static void send_packet(int fd, GBytes *packet)
{
    gsize len = 0;
    const void *data = g_bytes_get_data(packet, &len);

    test_send_raw(fd, data, len);
    g_bytes_unref(packet);
}

static void assert_ping_pong(int fd)
{
    RpcHeader ping = { KEEPALIVE_PROGRAM,   1, KEEPALIVE_PROC_PING,
                       RPC_MESSAGE_MESSAGE, 0, RPC_STATUS_OK };
    g_autoptr(RpcMessage) reply = NULL;

    send_packet(fd, rpc_message_encode(&ping, 0, NULL, 0, NULL));
    reply = test_recv_message(fd, 10000);
    g_assert_nonnull(reply);
    g_assert_cmphex(reply->header.prog, ==, KEEPALIVE_PROGRAM);
    g_assert_cmpint(reply->header.proc, ==, KEEPALIVE_PROC_PONG);
    g_assert_cmpint(reply->header.type, ==, RPC_MESSAGE_MESSAGE);
    g_assert_cmpuint(g_bytes_get_size(reply->payload), ==, 0);
}

static void test_sockets(void)
{
    TestDaemon *td = test_daemon_start(&fake_ops, &fake_info, NULL);
    g_autofree char *pid_file = g_strdup_printf("%s/run/virtfaked.pid", td->root);
    struct stat st;

    g_assert_cmpint(stat(td->sock_rw, &st), ==, 0);
    g_assert_cmpuint(st.st_mode & 07777, ==, 0600);
    g_assert_cmpint(stat(td->sock_ro, &st), ==, 0);
    g_assert_cmpuint(st.st_mode & 07777, ==, 0777);
    g_assert_cmpint(stat(td->sock_admin, &st), ==, 0);
    g_assert_cmpuint(st.st_mode & 07777, ==, 0700);
    g_assert_true(g_file_test(pid_file, G_FILE_TEST_EXISTS));

    /* SIGTERM: clean exit, sockets and pid file removed */
    g_assert_cmpint(test_daemon_stop(td), ==, 0);
    g_assert_false(g_file_test(td->sock_rw, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(td->sock_admin, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(pid_file, G_FILE_TEST_EXISTS));
    test_daemon_free(td);
}

static void test_keepalive_pong(void)
{
    TestDaemon *td = test_daemon_start(&fake_ops, &fake_info, NULL);
    int fd = test_connect(td->sock_rw);
    int fd_ro = test_connect(td->sock_ro);

    assert_ping_pong(fd);
    assert_ping_pong(fd_ro);
    close(fd);
    close(fd_ro);
    g_assert_cmpint(test_daemon_stop(td), ==, 0);
    test_daemon_free(td);
}

static void test_bad_length(void)
{
    const uint32_t lengths[] = { 0, 4, 27, 0x7fffffff, 0xffffffff, 4 + 33554432 + 1 };
    TestDaemon *td = test_daemon_start(&fake_ops, &fake_info, NULL);
    int good = test_connect(td->sock_rw);

    for (gsize i = 0; i < G_N_ELEMENTS(lengths); i++) {
        int bad = test_connect(td->sock_rw);
        uint8_t word[4] = { lengths[i] >> 24, lengths[i] >> 16, lengths[i] >> 8, lengths[i] };

        test_send_raw(bad, word, sizeof(word));
        g_assert_true(test_wait_eof(bad, 10000));
        close(bad);
        /* only that connection went */
        assert_ping_pong(good);
    }
    close(good);
    g_assert_cmpint(test_daemon_stop(td), ==, 0);
    test_daemon_free(td);
}

static void test_second_instance(void)
{
    TestDaemon *td = test_daemon_start(&fake_ops, &fake_info, NULL);
    pid_t pid = fork();
    int status = 0;

    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        char *argv[] = { (char *)"virtfaked", (char *)"--root", td->root, NULL };

        /* quiet: the expected refusal is not a test failure */
        freopen("/dev/null", "w", stderr);
        _exit(daemon_run(&fake_ops, &fake_info, 3, argv));
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    /* the first one still serves */
    int fd = test_connect(td->sock_rw);
    assert_ping_pong(fd);
    close(fd);
    g_assert_cmpint(test_daemon_stop(td), ==, 0);
    test_daemon_free(td);
}

static void test_idle_timeout(void)
{
    const char *args[] = { "--timeout", "1", NULL };
    TestDaemon *td = test_daemon_start(&fake_ops, &fake_info, args);
    int fd = test_connect(td->sock_rw);
    int status;

    /* a connected client keeps it alive past the timeout */
    assert_ping_pong(fd);
    g_assert_cmpint(test_daemon_wait(td, 1500), ==, -1);
    assert_ping_pong(fd);
    close(fd);
    /* then it exits on its own */
    status = test_daemon_wait(td, 10000);
    g_assert_cmpint(status, !=, -1);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_assert_false(g_file_test(td->sock_rw, G_FILE_TEST_EXISTS));
    test_daemon_free(td);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/daemon/server/sockets", test_sockets);
    g_test_add_func("/daemon/server/keepalive-pong", test_keepalive_pong);
    g_test_add_func("/daemon/server/bad-length", test_bad_length);
    g_test_add_func("/daemon/server/second-instance", test_second_instance);
    g_test_add_func("/daemon/server/idle-timeout", test_idle_timeout);
    return g_test_run();
}
