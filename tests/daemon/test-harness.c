/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Forked daemon and raw socket helpers for the daemon tests. */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rpc/transport-unix.h"
#include "rpc/wire-error.h"
#include "test-harness.h"

static int notify_socket_new(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpuint(strlen(path), <, sizeof(addr.sun_path));
    strcpy(addr.sun_path, path);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    return fd;
}

/* Wait for @what on the notify socket, failing if the child exits first. */
void test_daemon_wait_notify(TestDaemon *td, const char *what)
{
    struct pollfd fds[2] = { { td->notify_fd, POLLIN, 0 }, { td->pidfd, POLLIN, 0 } };
    int nfd = td->notify_fd;

    for (;;) {
        char buf[512];
        ssize_t n;

        g_assert_cmpint(poll(fds, 2, 20000), >, 0);
        g_assert_false(fds[1].revents & POLLIN); /* the daemon died during startup */
        n = recv(nfd, buf, sizeof(buf) - 1, 0);
        g_assert_cmpint(n, >, 0);
        buf[n] = '\0';
        if (strstr(buf, what))
            return;
    }
}

TestDaemon *test_daemon_start(const DriverOps *ops, const DaemonInfo *info, const char *const *args)
{
    g_autofree char *root = g_dir_make_tmp("virtkit-daemon-XXXXXX", NULL);

    g_assert_nonnull(root);
    return test_daemon_start_full(ops, info, root, args, NULL, NULL);
}

TestDaemon *test_daemon_start_full(const DriverOps *ops, const DaemonInfo *info, const char *root,
                                   const char *const *args, void (*setup)(void *data), void *data)
{
    TestDaemon *td = g_new0(TestDaemon, 1);
    g_autofree char *notify = NULL;
    int nfd;

    td->root = g_strdup(root);
    notify = g_build_filename(td->root, "notify", NULL);
    nfd = notify_socket_new(notify);
    td->sock_rw = g_strdup_printf("%s/run/libvirt/%s-sock", td->root, info->sock_prefix);
    td->sock_ro = g_strdup_printf("%s/run/libvirt/%s-sock-ro", td->root, info->sock_prefix);
    td->sock_admin = g_strdup_printf("%s/run/libvirt/%s-admin-sock", td->root, info->sock_prefix);
    td->pid = fork();
    g_assert_cmpint(td->pid, >=, 0);
    if (td->pid == 0) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
        int r;

        /* never outlive a test that failed */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(nfd);
        g_setenv("NOTIFY_SOCKET", notify, TRUE);
        if (setup)
            setup(data);
        g_ptr_array_add(argv, g_strdup(info->name));
        g_ptr_array_add(argv, g_strdup("--root"));
        g_ptr_array_add(argv, g_strdup(td->root));
        for (int i = 0; args && args[i]; i++)
            g_ptr_array_add(argv, g_strdup(args[i]));
        g_ptr_array_add(argv, NULL);
        /* the child's copy of the harness state; then exit(), not _exit(), so that
         * LeakSanitizer checks the daemon too */
        g_free(td->root);
        g_free(td->sock_rw);
        g_free(td->sock_ro);
        g_free(td->sock_admin);
        g_free(td);
        g_clear_pointer(&notify, g_free);
        /* option parsing reorders the vector it gets: hand it a copy */
        char **vec = g_memdup2(argv->pdata, argv->len * sizeof(char *));
        r = daemon_run(ops, info, (int)argv->len - 1, vec);
        g_free(vec);
        g_clear_pointer(&argv, g_ptr_array_unref);
        exit(r);
    }
    td->pidfd = (int)syscall(SYS_pidfd_open, td->pid, 0);
    g_assert_cmpint(td->pidfd, >=, 0);
    td->notify_fd = nfd;
    test_daemon_wait_notify(td, "READY=1");
    return td;
}

TestDaemon *test_daemon_start_with_config(const DriverOps *ops, const DaemonInfo *info,
                                          const char *conf)
{
    g_autofree char *dir = g_dir_make_tmp("virtkit-conf-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "d.conf", NULL);
    const char *args[] = { "--config", path, NULL };
    TestDaemon *td;

    g_assert_true(g_file_set_contents(path, conf, -1, NULL));
    td = test_daemon_start(ops, info, args);
    (void)unlink(path);
    (void)rmdir(dir);
    return td;
}

int test_daemon_wait(TestDaemon *td, int timeout_ms)
{
    struct pollfd pfd = { td->pidfd, POLLIN, 0 };
    int status = 0;

    if (td->pid <= 0)
        return -1;
    if (poll(&pfd, 1, timeout_ms) <= 0)
        return -1;
    g_assert_cmpint(waitpid(td->pid, &status, 0), ==, td->pid);
    td->pid = 0;
    return status;
}

static void rm_rf(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;

    if (dir) {
        while ((name = g_dir_read_name(dir))) {
            g_autofree char *child = g_build_filename(path, name, NULL);

            rm_rf(child);
        }
    }
    (void)remove(path);
}

int test_daemon_stop(TestDaemon *td)
{
    int status;

    if (td->pid <= 0)
        return -1;
    kill(td->pid, SIGTERM);
    status = test_daemon_wait(td, 20000);
    g_assert_cmpint(status, !=, -1);
    return status;
}

void test_daemon_free(TestDaemon *td)
{
    if (!td)
        return;
    if (td->pid > 0) {
        kill(td->pid, SIGKILL);
        (void)waitpid(td->pid, NULL, 0);
    }
    close(td->pidfd);
    close(td->notify_fd);
    rm_rf(td->root);
    g_free(td->root);
    g_free(td->sock_rw);
    g_free(td->sock_ro);
    g_free(td->sock_admin);
    g_free(td);
}

int test_connect(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    strcpy(addr.sun_path, path);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    return fd;
}

void test_send_raw(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return; /* the daemon may legitimately have closed us */
        p += n;
        len -= (size_t)n;
    }
}

bool test_send_with_fds(int fd, GBytes *packet, const int *fds, unsigned int n_fds)
{
    test_send_raw(fd, g_bytes_get_data(packet, NULL), g_bytes_get_size(packet));
    for (unsigned int i = 0; i < n_fds; i++) {
        if (rpc_unix_send_fd(fd, fds[i]) != 1)
            return false;
    }
    return true;
}

bool test_send_fd_on_bytes(int fd, int pass, const void *bytes, size_t len)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control = { 0 };
    struct iovec iov = { (void *)bytes, len };
    struct msghdr mh = { .msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = control.buf,
                         .msg_controllen = sizeof(control.buf) };
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &pass, sizeof(int));
    return sendmsg(fd, &mh, MSG_NOSIGNAL) == (ssize_t)len;
}

static bool read_full(int fd, void *buf, size_t len, int timeout_ms)
{
    char *p = buf;

    while (len > 0) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        ssize_t n;

        if (poll(&pfd, 1, timeout_ms) <= 0)
            return false;
        n = recv(fd, p, len, 0);
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

GBytes *test_recv(int fd, int timeout_ms)
{
    uint8_t lenbuf[4];
    uint32_t len;
    g_autofree uint8_t *body = NULL;

    if (!read_full(fd, lenbuf, 4, timeout_ms))
        return NULL;
    len = ((uint32_t)lenbuf[0] << 24) | ((uint32_t)lenbuf[1] << 16) | ((uint32_t)lenbuf[2] << 8) |
          lenbuf[3];
    g_assert_cmpuint(len, >=, 28);
    g_assert_cmpuint(len, <=, 4 + 33554432);
    body = g_malloc(len - 4);
    if (!read_full(fd, body, len - 4, timeout_ms))
        return NULL;
    return g_bytes_new_take(g_steal_pointer(&body), len - 4);
}

bool test_wait_eof(int fd, int timeout_ms)
{
    for (;;) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        char buf[4096];
        ssize_t n;

        if (poll(&pfd, 1, timeout_ms) <= 0)
            return false;
        n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 0)
            return true;
    }
}

RpcMessage *test_recv_message(int fd, int timeout_ms)
{
    g_autoptr(GBytes) body = test_recv(fd, timeout_ms);
    g_autoptr(RpcDecoder) decoder = rpc_decoder_new();
    gsize len = 0;
    const void *data;
    uint8_t word[4];

    if (!body)
        return NULL;
    data = g_bytes_get_data(body, &len);
    word[0] = (len + 4) >> 24;
    word[1] = (len + 4) >> 16;
    word[2] = (len + 4) >> 8;
    word[3] = (len + 4);
    g_assert_true(rpc_decoder_feed(decoder, word, 4, NULL));
    g_assert_true(rpc_decoder_feed(decoder, data, len, NULL));
    return rpc_decoder_pop(decoder);
}

GError *test_call(int fd, uint32_t prog, int proc, uint32_t serial, const void *args, void *ret)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) packet = rpc_message_encode_call(prog, proc, serial, args, &error);
    const RpcProcInfo *info = rpc_proc_lookup(prog, proc);
    gsize len = 0;
    const void *data;

    g_assert_no_error(error);
    data = g_bytes_get_data(packet, &len);
    test_send_raw(fd, data, len);
    for (;;) {
        g_autoptr(RpcMessage) msg = test_recv_message(fd, 20000);

        g_assert_nonnull(msg);
        if (msg->header.type != RPC_MESSAGE_REPLY || msg->header.serial != serial)
            continue;
        g_assert_cmpint(msg->header.proc, ==, proc);
        if (msg->header.status == RPC_STATUS_ERROR)
            return rpc_message_decode_error(msg);
        g_assert_cmpint(msg->header.status, ==, RPC_STATUS_OK);
        if (ret) {
            g_assert_true(rpc_payload_decode(&info->ret, msg->payload, ret, &error));
            g_assert_no_error(error);
        }
        return NULL;
    }
}
