/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * One QEMU process: exec'd in its own session (it outlives a killed daemon), watched
 * through a pidfd on the daemon's loop so its exit is seen at once, and talked to over
 * its QMP monitor (qemu-monitor.h). After a daemon restart the same process is found
 * again with qemu_process_attach().
 *
 * The monitor socket: qemu_process_launch() creates a listening unix socket at the
 * monitor path, hands it to QEMU as fd QEMU_PROCESS_MONITOR_FD and connects to it at
 * once (the connection waits in the backlog until QEMU accepts: no polling). Build the
 * command with QemuPrepared.monitor_fd = QEMU_PROCESS_MONITOR_FD,
 * monitor_fd_connected = false and monitor_fd_launcher = true.
 */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "daemon/loop-invoke.h"
#include "qemu-monitor.h"
#include "util/command.h"

/* The fd number QEMU finds its listening monitor socket under. */
#define QEMU_PROCESS_MONITOR_FD 3

typedef struct QemuProcess QemuProcess;

typedef struct QemuProcessCallbacks {
    /* a QMP event; loop thread; must not block */
    void (*event)(QemuProcess *proc, const QemuMonitorMessage *event, void *opaque);
    /* the process is gone (reaped when it is our child); loop thread, exactly once,
     * never after qemu_process_free() returned; must not block */
    void (*exited)(QemuProcess *proc, void *opaque);
} QemuProcessCallbacks;

/* lifecycle */
QemuProcess *qemu_process_launch(LoopInvoker *loop, const char *name, Command *cmd,
                                 const char *monitor_path, const char *log_path,
                                 unsigned timeout_ms, const QemuProcessCallbacks *cb, void *opaque,
                                 GError **error);
QemuProcess *qemu_process_attach(LoopInvoker *loop, const char *name, pid_t pid,
                                 const char *monitor_path, unsigned timeout_ms,
                                 const QemuProcessCallbacks *cb, void *opaque, GError **error);
QemuProcess *qemu_process_free(QemuProcess *proc);

/* queries */
QemuMonitor *qemu_process_monitor(QemuProcess *proc);
pid_t qemu_process_pid(QemuProcess *proc);
bool qemu_process_exited(QemuProcess *proc);

/* actions */
bool qemu_process_kill(QemuProcess *proc, unsigned grace_ms, GError **error);
bool qemu_process_terminate(QemuProcess *proc, unsigned wait_ms, bool *ret_gone, GError **error);
void qemu_process_signal(QemuProcess *proc, int sig);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuProcess, qemu_process_free)
