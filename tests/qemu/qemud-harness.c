/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtqemud for the driver's integration tests (see qemud-harness.h). */

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

#include "qemud-harness.h"
#include "remote-harness.h"

#define READY_TIMEOUT_MS 20000

bool test_qemud_usable(char **ret_reason)
{
    g_autofree char *qemu = g_find_program_in_path("qemu-system-x86_64");

    if (!g_getenv("VIRTKIT_VIRTQEMUD")) {
        *ret_reason = g_strdup("VIRTKIT_VIRTQEMUD is not set");
        return false;
    }
    if (!qemu && !g_file_test("/usr/bin/qemu-system-x86_64", G_FILE_TEST_IS_EXECUTABLE)) {
        *ret_reason = g_strdup("qemu-system-x86_64 is not installed");
        return false;
    }
    return true;
}

/* A test that aborts must not leave its daemon behind (its guests are killed by
 * test_qemud_stop, or by the next run's cleanup of the same pattern: none). */
static void child_setup(gpointer data)
{
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static void spawn(TestQemud *qd)
{
    g_autofree char *notify_path = g_build_filename(qd->root, "notify", NULL);
    g_autofree char *log_path = g_build_filename(qd->root, "virtqemud.log", NULL);
    const char *argv[] = { g_getenv("VIRTKIT_VIRTQEMUD"), "--root", qd->root, NULL };
    g_auto(GStrv) env = g_get_environ();
    g_autoptr(GError) error = NULL;
    int notify_fd;
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

    (void)unlink(notify_path);
    notify_fd = test_notify_socket_new(notify_path);
    g_assert_cmpint(log_fd, >=, 0);
    env = g_environ_setenv(env, "NOTIFY_SOCKET", notify_path, TRUE);
    env = g_environ_unsetenv(env, "G_DEBUG");
    g_spawn_async_with_fds(NULL, (char **)argv, env, G_SPAWN_DO_NOT_REAP_CHILD, child_setup, NULL,
                           &qd->pid, -1, log_fd, log_fd, &error);
    g_assert_no_error(error);
    close(log_fd);
    qd->pidfd = (int)syscall(SYS_pidfd_open, qd->pid, 0);
    g_assert_cmpint(qd->pidfd, >=, 0);
    test_notify_wait_ready(notify_fd, qd->pidfd);
    close(notify_fd);
}

static void kill_guests(TestQemud *qd);

/* A test that aborts leaves no QEMU and no root behind: a reaper process, forked
 * before the test starts any thread, waits for the test to end (EOF on a pipe), then
 * kills the guests of the root and removes it. It runs in a session of its own: meson's
 * timeout kills the test's whole process group, which must not take the reaper along. */
static void start_reaper(TestQemud *qd)
{
    int fds[2];
    pid_t pid;

    g_assert_cmpint(pipe2(fds, O_CLOEXEC), ==, 0);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        char c;

        (void)setsid();
        close(fds[1]);
        while (read(fds[0], &c, 1) != 0 && errno == EINTR)
            ;
        kill_guests(qd);
        if (!g_getenv("VIRTKIT_TEST_KEEP_ROOT"))
            test_remove_tree(qd->root);
        _exit(0);
    }
    close(fds[0]);
    qd->reaper_fd = fds[1]; /* held until the test process exits */
}

/**
 * test_qemud_start: virtqemud on a new temporary root. Call it before anything starts
 * a thread (the reaper is forked here).
 */
TestQemud *test_qemud_start(void)
{
    TestQemud *qd = g_new0(TestQemud, 1);
    g_autoptr(GError) error = NULL;

    qd->root = g_dir_make_tmp("virtkit-qemud-XXXXXX", &error);
    g_assert_no_error(error);
    qd->sock = g_build_filename(qd->root, "run", "libvirt", "virtqemud-sock", NULL);
    qd->uri = g_strdup_printf("qemu+unix:///system?socket=%s", qd->sock);
    start_reaper(qd);
    spawn(qd);
    return qd;
}

void test_qemud_restart(TestQemud *qd)
{
    g_assert_cmpint(qd->pid, ==, 0);
    spawn(qd);
}

void test_qemud_kill(TestQemud *qd, int sig)
{
    struct pollfd pfd = { .fd = qd->pidfd, .events = POLLIN };
    int status;

    if (qd->pid <= 0)
        return;
    g_assert_cmpint(kill(qd->pid, sig), ==, 0);
    g_assert_cmpint(poll(&pfd, 1, READY_TIMEOUT_MS), ==, 1);
    g_assert_cmpint(waitpid(qd->pid, &status, 0), ==, qd->pid);
    close(qd->pidfd);
    qd->pidfd = -1;
    qd->pid = 0;
}

pid_t test_qemud_guest_pid(TestQemud *qd, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.pid", name);
    g_autofree char *path = g_build_filename(qd->root, "run", "qemu", file, NULL);
    g_autofree char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return 0;
    return (pid_t)g_ascii_strtoll(text, NULL, 10);
}

bool test_qemud_wait_file_contains(const char *path, const char *needle, int timeout_ms)
{
    int64_t deadline = g_get_monotonic_time() + (int64_t)timeout_ms * 1000;
    g_autofree char *dir = g_path_get_dirname(path);
    int ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    bool found = false;

    g_assert_cmpint(ifd, >=, 0);
    (void)inotify_add_watch(ifd, dir, IN_CREATE | IN_MODIFY | IN_MOVED_TO);
    for (;;) {
        g_autofree char *text = NULL;
        struct pollfd pfd = { .fd = ifd, .events = POLLIN };
        int left = (int)((deadline - g_get_monotonic_time()) / 1000);
        char buf[4096];

        if (g_file_get_contents(path, &text, NULL, NULL) && strstr(text, needle)) {
            found = true;
            break;
        }
        if (left <= 0 || poll(&pfd, 1, MIN(left, 200)) < 0)
            break;
        while (read(ifd, buf, sizeof(buf)) > 0)
            ;
    }
    close(ifd);
    return found;
}

/* Every QEMU whose pid file is below the root: killed, so a failed test leaves none. */
static void kill_guests(TestQemud *qd)
{
    g_autofree char *dir = g_build_filename(qd->root, "run", "qemu", NULL);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *guest = NULL;
        pid_t pid;

        if (!g_str_has_suffix(name, ".pid"))
            continue;
        guest = g_strndup(name, strlen(name) - strlen(".pid"));
        pid = test_qemud_guest_pid(qd, guest);
        if (pid > 0 && kill(pid, SIGKILL) == 0)
            (void)test_wait_pid_exit(pid, READY_TIMEOUT_MS);
    }
}

void test_qemud_stop(TestQemud *qd)
{
    if (!qd)
        return;
    test_qemud_kill(qd, SIGTERM);
    kill_guests(qd);
    if (!g_getenv("VIRTKIT_TEST_KEEP_ROOT"))
        test_remove_tree(qd->root);
    g_free(qd->root);
    close(qd->reaper_fd);
    g_free(qd->sock);
    g_free(qd->uri);
    g_free(qd);
}
