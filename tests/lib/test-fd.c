/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Descriptor bookkeeping for tests (see test-fd.h).
 */

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <poll.h>
#include <unistd.h>

#include "test-fd.h"

TestPipe test_pipe_new(void)
{
    int p[2];

    g_assert_cmpint(pipe2(p, O_CLOEXEC), ==, 0);
    return (TestPipe){ p[0], p[1] };
}

unsigned int test_count_fds(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/fd", (int)pid);
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    unsigned int n = 0;

    g_assert_nonnull(dir);
    while (g_dir_read_name(dir))
        n++;
    return n;
}

bool test_wait_fd_count(pid_t pid, unsigned int n, int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + timeout_ms * G_TIME_SPAN_MILLISECOND;

    /* descriptors close on another process's loop or thread: poll the state, bounded */
    while (test_count_fds(pid) != n) {
        if (g_get_monotonic_time() > deadline)
            return false;
        g_usleep(5000);
    }
    return true;
}

bool test_pipe_closed(int fd, int timeout_ms)
{
    for (;;) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        char buf[256];
        ssize_t n;

        if (poll(&pfd, 1, timeout_ms) <= 0)
            return false;
        n = read(fd, buf, sizeof(buf));
        if (n == 0)
            return true;
        if (n < 0 && errno != EINTR && errno != EAGAIN)
            return false;
    }
}
