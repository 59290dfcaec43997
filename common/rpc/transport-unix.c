/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Descriptor passing on unix stream sockets (see transport-unix.h). */

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rpc/transport-unix.h"

/**
 * rpc_unix_recv - one non-blocking read with the descriptors that came with it
 * @sock: a unix stream socket
 * @buf: where the bytes go
 * @len: room in @buf
 * @fds: where the descriptors go (close-on-exec); the caller owns them
 * @ret_n_fds: how many there are; 0 unless the read succeeded
 *
 * Returns the bytes read, 0 at EOF, or -errno (-EAGAIN: nothing to read). A peer that
 * attached more descriptors than one message may carry gets -EMSGSIZE: the kernel
 * dropped the excess, the ones that did arrive are closed here.
 */
ssize_t rpc_unix_recv(int sock, void *buf, size_t len, int fds[RPC_MESSAGE_NUM_FDS_MAX],
                      unsigned int *ret_n_fds)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * RPC_MESSAGE_NUM_FDS_MAX)];
    } control;
    struct iovec iov = { .iov_base = buf, .iov_len = len };
    struct msghdr mh = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.buf,
        .msg_controllen = sizeof(control.buf),
    };
    unsigned int n_fds = 0;
    ssize_t n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

    *ret_n_fds = 0;
    if (n < 0)
        return -errno;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        size_t k;

        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        /* the control buffer holds at most RPC_MESSAGE_NUM_FDS_MAX in total */
        k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        memcpy(fds + n_fds, CMSG_DATA(c), k * sizeof(int));
        n_fds += (unsigned int)k;
    }
    if (mh.msg_flags & MSG_CTRUNC) {
        for (unsigned int i = 0; i < n_fds; i++)
            close(fds[i]);
        return -EMSGSIZE;
    }
    *ret_n_fds = n_fds;
    return n;
}

/**
 * rpc_unix_send_fd - pass @fd with one dummy byte, as libvirt expects it
 * @sock: a non-blocking unix stream socket
 * @fd: the descriptor; stays the caller's
 *
 * Returns 1 when sent, or -errno (-EAGAIN: try again when writable).
 */
int rpc_unix_send_fd(int sock, int fd)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control = { 0 };
    char byte = 0;
    struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
    struct msghdr mh = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.buf,
        .msg_controllen = sizeof(control.buf),
    };
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&mh);

    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    if (sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) == 1)
        return 1;
    return -errno;
}
