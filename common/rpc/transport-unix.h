/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Descriptor passing on unix stream sockets the way libvirt does it: each descriptor
 * travels as SCM_RIGHTS with one dummy byte of its own, after the *_WITH_FDS packet
 * that announced it. Thin syscall wrappers: they return -errno and set no GError.
 */

#include <stddef.h>
#include <sys/types.h>

#include "rpc/message.h"

ssize_t rpc_unix_recv(int sock, void *buf, size_t len, int fds[RPC_MESSAGE_NUM_FDS_MAX],
                      unsigned int *ret_n_fds);
int rpc_unix_send_fd(int sock, int fd);
