/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * File descriptor ownership. GLib 2.74 has no g_autofd, so this is the one cleanup
 * spelling for fds in virtkit:
 *
 *   g_auto(VirtFd) fd = open(path, O_RDONLY | O_CLOEXEC);
 *   ...
 *   return g_steal_fd(&fd);   hand ownership over; nothing is closed
 *
 * The fd is closed when it leaves scope unless it is -1. errno is preserved across
 * the close so that error paths can still report the failing call.
 */

#include <glib.h>
#include <glib/gstdio.h>
#include <stdbool.h>

typedef int VirtFd;

void virt_fd_close(VirtFd fd);

G_DEFINE_AUTO_CLEANUP_FREE_FUNC(VirtFd, virt_fd_close, -1)

/* Set or clear FD_CLOEXEC; returns 0 or -errno. */
int virt_fd_set_cloexec(int fd, bool cloexec);
