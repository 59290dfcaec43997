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
#include "rpc/message.h"
#include "test-fd.h"

typedef struct TestDaemon {
    pid_t pid;
    int pidfd;
    char *root;
    char *sock_rw;
    char *sock_ro;
    char *sock_admin;
    int notify_fd; /* the daemon's NOTIFY_SOCKET */
} TestDaemon;

/* Start daemon_run(@ops, @info, --root TMP @args...) and wait until it is ready. */
TestDaemon *test_daemon_start(const DriverOps *ops, const DaemonInfo *info,
                              const char *const *args);
/* The same with @root chosen by the caller and @setup(@data) run in the child first. */
TestDaemon *test_daemon_start_full(const DriverOps *ops, const DaemonInfo *info, const char *root,
                                   const char *const *args, void (*setup)(void *data), void *data);
/* test_daemon_start() with --config FILE holding @conf; the file is gone once the
 * daemon is ready (it reads it at start and on SIGHUP only). */
TestDaemon *test_daemon_start_with_config(const DriverOps *ops, const DaemonInfo *info,
                                          const char *conf);
/* Wait for a notification containing @what (e.g. "READY=1" after a SIGHUP reload). */
void test_daemon_wait_notify(TestDaemon *td, const char *what);
/* Wait up to @timeout_ms for the daemon to exit; returns its wait status or -1. */
int test_daemon_wait(TestDaemon *td, int timeout_ms);
/* SIGTERM, wait, remove the root; returns the wait status. */
int test_daemon_stop(TestDaemon *td);
void test_daemon_free(TestDaemon *td);

int test_connect(const char *path);
void test_send_raw(int fd, const void *data, size_t len);
/* @packet, then each of @fds with its own dummy byte, as libvirt's client sends them;
 * false when a descriptor could not be sent (the daemon closed the connection). */
bool test_send_with_fds(int fd, GBytes *packet, const int *fds, unsigned int n_fds);
/* @pass as SCM_RIGHTS on @len bytes sent in one sendmsg() (how a client may lie about
 * where its descriptors are); false when the daemon already closed the connection. */
bool test_send_fd_on_bytes(int fd, int pass, const void *bytes, size_t len);
/* Next packet (after the length word), or NULL on EOF / @timeout_ms without one. */
GBytes *test_recv(int fd, int timeout_ms);
/* The next packet decoded, or NULL on EOF / timeout. */
RpcMessage *test_recv_message(int fd, int timeout_ms);
/* Send a remote CALL and wait for its reply (events and pings before it are skipped);
 * decodes an OK reply into @ret (zeroed, of the procedure's ret type) and returns NULL,
 * or returns the error of an ERROR reply. */
GError *test_call(int fd, uint32_t prog, int proc, uint32_t serial, const void *args, void *ret);
/* Whether the peer closed @fd within @timeout_ms (pending data is drained first). */
bool test_wait_eof(int fd, int timeout_ms);
