/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The real proxyd (from the build directory, $VIRTKIT_PROXYD) under a temporary
 * --root, for tests that drive it through libclient. Readiness is the daemon's own
 * sd_notify(READY=1) and exits are seen through a pidfd: nothing waits for time to
 * pass, every wait has a deadline.
 */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

typedef struct TestProxyd {
    GPid pid;
    int pidfd;
    char *root;
    char *sock;    /* ROOT/run/libvirt/libvirt-sock */
    char *sock_ro; /* ... -sock-ro */
    char *uri;     /* test+unix:///default?socket=<sock> */
    char *uri_ro;  /* the same on the read-only socket */
} TestProxyd;

const char *test_proxyd_exe(void);
/* sd_notify readiness of any daemon we start (NOTIFY_SOCKET=path) */
int test_notify_socket_new(const char *path);
void test_notify_wait_ready(int fd, int pidfd);
/* Start proxyd with --root TMP (and @extra_args) and wait until it is ready. */
TestProxyd *test_proxyd_start(const char *const *extra_args);
/* Send @sig; wait up to @timeout_ms for an exit when @wait. Returns the wait status
 * or -1. */
int test_proxyd_signal(TestProxyd *pd, int sig, bool wait, int timeout_ms);
/* SIGTERM, wait, remove the root, free. */
void test_proxyd_stop(TestProxyd *pd);
/* Wait up to @timeout_ms for a file to appear; false on timeout. */
bool test_wait_for_path(const char *path, int timeout_ms);
/* rm -r */
void test_remove_tree(const char *path);
/* Wait up to @timeout_ms for any process to exit (pidfd); false on timeout. */
bool test_wait_pid_exit(pid_t pid, int timeout_ms);
