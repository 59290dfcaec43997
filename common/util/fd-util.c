/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include "util/fd-util.h"

/**
 * virt_fd_close: close @fd if it is valid, keeping errno. Close errors are ignored
 * here on purpose: callers that need to know (a file just written) call close()
 * themselves before the cleanup runs.
 */
void virt_fd_close(VirtFd fd)
{
    int saved = errno;

    if (fd >= 0)
        (void)close(fd);
    errno = saved;
}

/**
 * virt_fd_set_cloexec: set or clear FD_CLOEXEC on @fd. Returns 0 or -errno.
 */
int virt_fd_set_cloexec(int fd, bool cloexec)
{
    int flags = fcntl(fd, F_GETFD);
    int nflags;

    if (flags < 0)
        return -errno;
    nflags = cloexec ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
    if (nflags != flags && fcntl(fd, F_SETFD, nflags) < 0)
        return -errno;
    return 0;
}
