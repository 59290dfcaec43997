/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The real virtqemud ($VIRTKIT_VIRTQEMUD) under a temporary --root for the driver's
 * integration tests. Readiness is the daemon's own sd_notify(READY=1), exits are seen
 * through a pidfd; a daemon can be killed and started again on the same root.
 */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

typedef struct TestQemud {
    GPid pid;
    int pidfd;
    char *root;
    char *sock; /* ROOT/run/libvirt/virtqemud-sock */
    char *uri;  /* qemu+unix:///system?socket=<sock> */
    int reaper_fd;
} TestQemud;

/* Whether this host can run the tests (virtqemud built, qemu-system-x86_64 installed). */
bool test_qemud_usable(char **ret_reason);
/* Start virtqemud on a new temporary root and wait until it is ready. */
TestQemud *test_qemud_start(void);
/* Start it again on the root of @qd (after test_qemud_kill). */
void test_qemud_restart(TestQemud *qd);
/* Send @sig and reap the daemon. */
void test_qemud_kill(TestQemud *qd, int sig);
/* SIGTERM the daemon, kill every QEMU still running below the root, remove it. */
void test_qemud_stop(TestQemud *qd);
/* The pid in a QEMU pid file of the root (0 when none). */
pid_t test_qemud_guest_pid(TestQemud *qd, const char *name);
/* Wait up to @timeout_ms for @needle to appear in the file @path. */
bool test_qemud_wait_file_contains(const char *path, const char *needle, int timeout_ms);
