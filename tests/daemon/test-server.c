/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon core over real unix sockets: listeners, keepalive, bad packets, exits. */

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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

/* SIGINT ends the daemon as SIGTERM does: STOPPING=1, exit 0, sockets removed, and a
 * connected client sees its connection close. */
static void test_sigint(void)
{
    TestDaemon *td = test_daemon_start(&fake_ops, &fake_info, NULL);
    int fd = test_connect(td->sock_rw);

    g_assert_cmpint(kill(td->pid, SIGINT), ==, 0);
    test_daemon_wait_notify(td, "STOPPING=1");
    g_assert_true(test_wait_eof(fd, 10000));
    g_assert_cmpint(test_daemon_wait(td, 20000), ==, 0);
    g_assert_false(g_file_test(td->sock_rw, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(td->sock_ro, G_FILE_TEST_EXISTS));
    close(fd);
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

typedef struct Activation {
    int fds[3];
    const char *names;
} Activation;

static int listen_at(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_assert_cmpint(fd, >=, 0);
    strcpy(addr.sun_path, path);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(fd, 16), ==, 0);
    return fd;
}

/* In the child: the sockets become fds 3.. as systemd passes them. */
static void activation_setup(void *data)
{
    Activation *a = data;
    int high[3];
    g_autofree char *pid = g_strdup_printf("%d", (int)getpid());

    for (int i = 0; i < 3; i++)
        high[i] = fcntl(a->fds[i], F_DUPFD, 100);
    for (int i = 0; i < 3; i++)
        dup2(high[i], 3 + i);
    g_setenv("LISTEN_PID", pid, TRUE);
    g_setenv("LISTEN_FDS", "3", TRUE);
    g_setenv("LISTEN_FDNAMES", a->names, TRUE);
}

static void activation_sockets(const char *root, Activation *a, char **ret_paths)
{
    g_autofree char *dir = g_build_filename(root, "run", "libvirt", NULL);
    const char *names[] = { "virtfaked-sock", "virtfaked-sock-ro", "virtfaked-admin-sock" };

    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    for (int i = 0; i < 3; i++) {
        ret_paths[i] = g_build_filename(dir, names[i], NULL);
        a->fds[i] = listen_at(ret_paths[i]);
    }
}

static void test_socket_activation(void)
{
    g_autofree char *root = g_dir_make_tmp("virtkit-daemon-XXXXXX", NULL);
    char *paths[3];
    /* systemd's order need not be ours: matched by unit name */
    Activation a = { .names = "virtfaked-admin.socket:virtfaked.socket:virtfaked-ro.socket" };
    TestDaemon *td;
    int fds[3];

    activation_sockets(root, &a, paths);
    /* names given in a different order than the fds: admin first */
    fds[0] = a.fds[2];
    fds[1] = a.fds[0];
    fds[2] = a.fds[1];
    memcpy(a.fds, fds, sizeof(fds));
    td = test_daemon_start_full(&fake_ops, &fake_info, root, NULL, activation_setup, &a);
    for (int i = 0; i < 3; i++) {
        int fd = test_connect(paths[i]);

        assert_ping_pong(fd);
        close(fd);
        close(a.fds[i]);
    }
    g_assert_cmpint(test_daemon_stop(td), ==, 0);
    /* the sockets belong to systemd: the daemon leaves them in place */
    for (int i = 0; i < 3; i++) {
        g_assert_true(g_file_test(paths[i], G_FILE_TEST_EXISTS));
        (void)unlink(paths[i]);
        g_free(paths[i]);
    }
    test_daemon_free(td);
}

static void test_socket_activation_unclaimed(void)
{
    g_autofree char *root = g_dir_make_tmp("virtkit-daemon-XXXXXX", NULL);
    char *paths[3];
    Activation a = { .names = "virtfaked.socket:virtfaked-ro.socket:other.socket" };
    g_autofree char *stray = g_build_filename(root, "stray-sock", NULL);
    int status = 0;
    pid_t pid;

    activation_sockets(root, &a, paths);
    close(a.fds[2]);
    a.fds[2] = listen_at(stray);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        char *argv[] = { (char *)"virtfaked", (char *)"--root", root, NULL };

        activation_setup(&a);
        (void)!freopen("/dev/null", "w", stderr);
        _exit(daemon_run(&fake_ops, &fake_info, 3, argv));
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    for (int i = 0; i < 3; i++) {
        close(a.fds[i]);
        (void)unlink(paths[i]);
        g_free(paths[i]);
    }
    (void)unlink(stray);
    g_autofree char *dir = g_build_filename(root, "run", "libvirt", NULL);
    g_autofree char *run = g_build_filename(root, "run", NULL);
    (void)rmdir(dir);
    (void)rmdir(run);
    (void)rmdir(root);
}

static char *inhibit_file;

static bool inhibit_while_file_exists(void)
{
    return g_file_test(inhibit_file, G_FILE_TEST_EXISTS);
}

static void test_idle_inhibited(void)
{
    DaemonInfo info = fake_info;
    const char *args[] = { "--timeout", "1", NULL };
    g_autofree char *root = g_dir_make_tmp("virtkit-daemon-XXXXXX", NULL);
    TestDaemon *td;
    int status;

    inhibit_file = g_build_filename(root, "guests-running", NULL);
    g_assert_true(g_file_set_contents(inhibit_file, "", 0, NULL));
    info.inhibit_idle = inhibit_while_file_exists;
    td = test_daemon_start_full(&fake_ops, &info, root, args, NULL, NULL);
    /* no client, but the driver says guests run: it stays */
    g_assert_cmpint(test_daemon_wait(td, 1500), ==, -1);
    (void)unlink(inhibit_file);
    status = test_daemon_wait(td, 10000);
    g_assert_cmpint(status, !=, -1);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_clear_pointer(&inhibit_file, g_free);
    test_daemon_free(td);
}

#define NOBODY 65534

static void drop_to_nobody(void *data)
{
    /* the notify socket was made by root */
    (void)chmod(g_getenv("NOTIFY_SOCKET"), 0777);
    if (setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
        _exit(2);
}

/* In a child running as nobody: AUTH_LIST on the session daemon's socket. */
static void session_peer(const char *path)
{
    int fd;

    if (setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
        _exit(2);
    remote_auth_list_ret auth = { { 0 } };
    GError *error;

    fd = test_connect(path);
    assert_ping_pong(fd);
    /* the daemon's own user needs no authentication in session mode */
    error = test_call(fd, REMOTE_PROGRAM, REMOTE_PROC_AUTH_LIST, 1, NULL, &auth);
    if (error || auth.types.types_len != 1 || auth.types.types_val[0] != REMOTE_AUTH_NONE)
        _exit(3);
    _exit(0);
}

static void test_session_mode(void)
{
    g_autofree char *root = g_dir_make_tmp("virtkit-daemon-XXXXXX", NULL);
    TestDaemon *td;
    struct stat st;
    int status = 0;
    pid_t pid;

    if (geteuid() != 0) {
        g_test_skip("needs root to run the daemon as another user");
        return;
    }
    g_assert_cmpint(chown(root, NOBODY, NOBODY), ==, 0);
    td = test_daemon_start_full(&fake_ops, &fake_info, root, NULL, drop_to_nobody, NULL);
    /* session mode: no read-only socket, an owner-only rw socket */
    g_assert_false(g_file_test(td->sock_ro, G_FILE_TEST_EXISTS));
    g_assert_cmpint(stat(td->sock_rw, &st), ==, 0);
    g_assert_cmpuint(st.st_uid, ==, NOBODY);
    g_assert_cmpuint(st.st_mode & 07777, ==, 0700);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0)
        session_peer(td->sock_rw);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_assert_cmpint(test_daemon_stop(td), ==, 0);
    test_daemon_free(td);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/daemon/server/sockets", test_sockets);
    g_test_add_func("/daemon/server/sigint", test_sigint);
    g_test_add_func("/daemon/server/keepalive-pong", test_keepalive_pong);
    g_test_add_func("/daemon/server/bad-length", test_bad_length);
    g_test_add_func("/daemon/server/second-instance", test_second_instance);
    g_test_add_func("/daemon/server/idle-timeout", test_idle_timeout);
    g_test_add_func("/daemon/server/socket-activation", test_socket_activation);
    g_test_add_func("/daemon/server/socket-activation-unclaimed", test_socket_activation_unclaimed);
    g_test_add_func("/daemon/server/idle-inhibited", test_idle_inhibited);
    g_test_add_func("/daemon/server/session-mode", test_session_mode);
    return g_test_run();
}
