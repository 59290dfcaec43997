/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The QMP client: one connected monitor socket of one QEMU, read and written on the
 * daemon's sd-event loop (never blocking it), with callers on worker threads sending a
 * command and waiting for the reply with its id. Messages are built and parsed by
 * qemu-monitor-json.c; this file only moves them.
 *
 * Threads: open/call/close are for any thread except the loop's (close also works on
 * the loop); callbacks run on the loop and must not block.
 */

#include <glib.h>
#include <stdbool.h>

#include "daemon/loop-invoke.h"
#include "qemu-monitor-json.h"

typedef struct QemuMonitor QemuMonitor;

typedef struct QemuMonitorCallbacks {
    /* an asynchronous event (STOP, SHUTDOWN, ...); loop thread; must not block */
    void (*event)(QemuMonitor *mon, const QemuMonitorMessage *event, void *opaque);
    /* the monitor is gone: @reason is NULL for a clean EOF, else why we closed it
     * (oversized or malformed message, I/O error); loop thread, at most once, never
     * after qemu_monitor_close() returned */
    void (*eof)(QemuMonitor *mon, const char *reason, void *opaque);
} QemuMonitorCallbacks;

/* lifecycle */
QemuMonitor *qemu_monitor_open(LoopInvoker *loop, int fd, const char *name, unsigned timeout_ms,
                               const QemuMonitorCallbacks *cb, void *opaque, GError **error);
void qemu_monitor_close(QemuMonitor *mon);

/* commands */
bool qemu_monitor_call(QemuMonitor *mon, QemuMonitorCommand *cmd, unsigned timeout_ms,
                       QemuMonitorMessage **ret_reply, GError **error);
bool qemu_monitor_call_with_fd(QemuMonitor *mon, QemuMonitorCommand *cmd, int fd,
                               unsigned timeout_ms, QemuMonitorMessage **ret_reply, GError **error);

/* Loop thread only: read and dispatch everything QEMU already sent (events, EOF), so
 * that a dead QEMU's last events are seen before its exit is reported. */
void qemu_monitor_drain(QemuMonitor *mon);

/* queries */
const QemuMonitorVersion *qemu_monitor_version(QemuMonitor *mon);
const char *qemu_monitor_name(QemuMonitor *mon);
