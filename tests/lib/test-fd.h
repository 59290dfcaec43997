/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Descriptor bookkeeping for tests that pass descriptors around: pipes whose read end
 * tells when every copy of the write end is closed, and /proc/PID/fd counts.
 */

#include <stdbool.h>
#include <sys/types.h>

typedef struct TestPipe {
    int r, w;
} TestPipe;

/* A close-on-exec pipe; aborts the test on failure. */
TestPipe test_pipe_new(void);
/* Descriptors open in process @pid (/proc/PID/fd). */
unsigned int test_count_fds(pid_t pid);
/* Wait up to @timeout_ms until process @pid has @n descriptors open. */
bool test_wait_fd_count(pid_t pid, unsigned int n, int timeout_ms);
/* Whether the read end @fd of a pipe sees EOF within @timeout_ms, i.e. every copy of
 * its write end was closed (data before it is skipped). */
bool test_pipe_closed(int fd, int timeout_ms);
