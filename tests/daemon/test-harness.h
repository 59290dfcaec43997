/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A real daemon in a forked child under a temporary --root, and a raw packet client
 * for it. Readiness comes from the daemon's own sd_notify(READY=1) and exits from a
 * pidfd: the tests wait for events, never for time to pass.
 */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "daemon/daemon.h"

typedef struct TestDaemon {
    pid_t pid;
    int pidfd;
    char *root;
    char *sock_rw;
    char *sock_ro;
    char *sock_admin;
} TestDaemon;

/* Start daemon_run(@ops, @info, --root TMP @args...) and wait until it is ready. */
TestDaemon *test_daemon_start(const DriverOps *ops, const DaemonInfo *info,
                              const char *const *args);
/* Wait up to @timeout_ms for the daemon to exit; returns its wait status or -1. */
int test_daemon_wait(TestDaemon *td, int timeout_ms);
/* SIGTERM, wait, remove the root; returns the wait status. */
int test_daemon_stop(TestDaemon *td);
void test_daemon_free(TestDaemon *td);

int test_connect(const char *path);
void test_send_raw(int fd, const void *data, size_t len);
/* Next packet (after the length word), or NULL on EOF / @timeout_ms without one. */
GBytes *test_recv(int fd, int timeout_ms);
/* Whether the peer closed @fd within @timeout_ms (pending data is drained first). */
bool test_wait_eof(int fd, int timeout_ms);
