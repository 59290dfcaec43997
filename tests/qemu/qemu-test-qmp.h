/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A blocking QMP client for the real-TCG tests: QEMU is started from a Command with
 * its monitor on one end of a socketpair; every wait has a deadline (no sleeps). */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "qemu-monitor-json.h"
#include "util/command.h"

typedef struct QemuTestVm {
    pid_t pid;
    int pidfd;
    int fd; /* our end of the monitor socketpair */
    GString *in;
    unsigned serial;
    GPtrArray *events; /* QemuMonitorMessage* not yet waited for */
} QemuTestVm;

/* A socketpair; *ret_qemu_fd goes into QemuPrepared.monitor_fd. */
void qemu_test_vm_socketpair(int *ret_our_fd, int *ret_qemu_fd);
/* Spawn @cmd (which owns nothing of ours), read the greeting, negotiate. */
QemuTestVm *qemu_test_vm_start(Command *cmd, int our_fd, int qemu_fd, GError **error);
QemuMonitorMessage *qemu_test_vm_cmd(QemuTestVm *vm, const char *name, GError **error);
QemuMonitorMessage *qemu_test_vm_wait_event(QemuTestVm *vm, const char *event, int timeout_ms,
                                            GError **error);
/* Wait for QEMU to exit; its exit status, or -1 on timeout. */
int qemu_test_vm_wait_exit(QemuTestVm *vm, int timeout_ms);
void qemu_test_vm_free(QemuTestVm *vm); /* kills QEMU if still running */

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuTestVm, qemu_test_vm_free)
