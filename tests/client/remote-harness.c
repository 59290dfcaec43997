/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyd for client tests (see remote-harness.h).
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "remote-harness.h"

#define READY_TIMEOUT_MS 20000

/**
 * test_proxyd_exe: the proxyd under test.
 */
const char *test_proxyd_exe(void)
{
    const char *exe = g_getenv("VIRTKIT_PROXYD");

    g_assert_nonnull(exe);
    return exe;
}

/**
 * test_notify_socket_new: a datagram socket bound at @path for a daemon's sd_notify.
 */
int test_notify_socket_new(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpuint(strlen(path), <, sizeof(addr.sun_path));
    strcpy(addr.sun_path, path);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    return fd;
}

/**
 * test_notify_wait_ready: wait for READY=1 on @fd; fails if @pidfd's process exits first.
 */
void test_notify_wait_ready(int fd, int pidfd)
{
    int64_t deadline = g_get_monotonic_time() + READY_TIMEOUT_MS * 1000;

    for (;;) {
        struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN },
                                 { .fd = pidfd, .events = POLLIN } };
        int left = (int)((deadline - g_get_monotonic_time()) / 1000);
        char buf[4096];
        ssize_t n;

        g_assert_cmpint(left, >, 0);
        g_assert_cmpint(poll(pfd, 2, left), >, 0);
        g_assert_false(pfd[1].revents & POLLIN); /* died before READY */
        n = recv(fd, buf, sizeof(buf) - 1, 0);
        if (n <= 0)
            continue;
        buf[n] = '\0';
        if (strstr(buf, "READY=1"))
            return;
    }
}

/* A test that aborts must not leave its daemon behind. */
static void child_die_with_parent(gpointer data)
{
    (void)prctl(PR_SET_PDEATHSIG, SIGTERM);
}

/**
 * test_proxyd_start: proxyd under a fresh temporary --root, ready to accept.
 */
TestProxyd *test_proxyd_start(const char *const *extra_args)
{
    TestProxyd *pd = g_new0(TestProxyd, 1);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autofree char *notify_path = NULL;
    g_autofree char *log_path = NULL;
    g_auto(GStrv) env = g_get_environ();
    g_autoptr(GError) error = NULL;
    int notify_fd, log_fd;

    pd->root = g_dir_make_tmp("virtkit-remote-XXXXXX", &error);
    g_assert_no_error(error);
    notify_path = g_build_filename(pd->root, "notify", NULL);
    log_path = g_build_filename(pd->root, "proxyd.log", NULL);
    notify_fd = test_notify_socket_new(notify_path);
    log_fd = open(log_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    g_assert_cmpint(log_fd, >=, 0);
    env = g_environ_setenv(env, "NOTIFY_SOCKET", notify_path, TRUE);
    env = g_environ_unsetenv(env, "G_DEBUG");
    g_ptr_array_add(argv, (char *)test_proxyd_exe());
    g_ptr_array_add(argv, (char *)"--root");
    g_ptr_array_add(argv, pd->root);
    for (size_t i = 0; extra_args && extra_args[i]; i++)
        g_ptr_array_add(argv, (char *)extra_args[i]);
    g_ptr_array_add(argv, NULL);
    g_spawn_async_with_fds(NULL, (char **)argv->pdata, env, G_SPAWN_DO_NOT_REAP_CHILD,
                           child_die_with_parent, NULL, &pd->pid, -1, log_fd, log_fd, &error);
    g_assert_no_error(error);
    close(log_fd);
    /* valgrind does not know pidfd_open: then -1, and poll() skips that entry */
    pd->pidfd = (int)syscall(SYS_pidfd_open, pd->pid, 0);
    g_assert_true(pd->pidfd >= 0 || g_getenv("VIRTKIT_UNDER_VALGRIND"));
    test_notify_wait_ready(notify_fd, pd->pidfd);
    close(notify_fd);
    pd->sock = g_build_filename(pd->root, "run", "libvirt", "libvirt-sock", NULL);
    pd->sock_ro = g_strconcat(pd->sock, "-ro", NULL);
    pd->uri = g_strdup_printf("test+unix:///default?socket=%s", pd->sock);
    pd->uri_ro = g_strdup_printf("test+unix:///default?socket=%s", pd->sock_ro);
    return pd;
}

/**
 * test_proxyd_signal: send @sig, and when @wait, reap the exit.
 */
int test_proxyd_signal(TestProxyd *pd, int sig, bool wait, int timeout_ms)
{
    struct pollfd pfd = { .fd = pd->pidfd, .events = POLLIN };
    int status;

    if (pd->pid <= 0)
        return -1;
    g_assert_cmpint(kill(pd->pid, sig), ==, 0);
    if (!wait)
        return 0;
    if (pd->pidfd >= 0 && poll(&pfd, 1, timeout_ms) <= 0)
        return -1;
    g_assert_cmpint(waitpid(pd->pid, &status, 0), ==, pd->pid);
    pd->pid = 0;
    return status;
}

/**
 * test_remove_tree: rm -r @path.
 */
void test_remove_tree(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *child = g_build_filename(path, name, NULL);

        if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
            test_remove_tree(child);
        else
            (void)unlink(child);
    }
    (void)rmdir(path);
}

/**
 * test_proxyd_stop: SIGTERM, reap, clean up.
 */
void test_proxyd_stop(TestProxyd *pd)
{
    if (pd->pid > 0)
        g_assert_cmpint(test_proxyd_signal(pd, SIGTERM, true, READY_TIMEOUT_MS), >=, 0);
    if (pd->pidfd >= 0)
        close(pd->pidfd);
    test_remove_tree(pd->root);
    g_free(pd->root);
    g_free(pd->sock);
    g_free(pd->sock_ro);
    g_free(pd->uri);
    g_free(pd->uri_ro);
    g_free(pd);
}

/**
 * test_wait_for_path: wait (inotify on the parent, with a deadline) for @path.
 */
bool test_wait_for_path(const char *path, int timeout_ms)
{
    g_autofree char *dir = g_path_get_dirname(path);
    int64_t deadline = g_get_monotonic_time() + (int64_t)timeout_ms * 1000;
    int ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    bool found;

    g_assert_cmpint(ifd, >=, 0);
    (void)inotify_add_watch(ifd, dir, IN_CREATE | IN_MOVED_TO);
    while (!(found = g_file_test(path, G_FILE_TEST_EXISTS))) {
        struct pollfd pfd = { .fd = ifd, .events = POLLIN };
        int left = (int)((deadline - g_get_monotonic_time()) / 1000);
        char buf[4096];

        if (left <= 0 || poll(&pfd, 1, MIN(left, 50)) < 0)
            break;
        while (read(ifd, buf, sizeof(buf)) > 0)
            ;
    }
    close(ifd);
    return found;
}

/**
 * test_wait_pid_exit: wait up to @timeout_ms for process @pid (not necessarily our
 * child) to exit.
 */
bool test_wait_pid_exit(pid_t pid, int timeout_ms)
{
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    bool gone;

    if (fd < 0)
        return errno == ESRCH;
    gone = poll(&pfd, 1, timeout_ms) > 0;
    close(fd);
    return gone;
}
