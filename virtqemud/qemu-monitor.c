/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The QMP client on the daemon's loop (stub: the implementation lands next). */

#include "qemu-monitor.h"
#include "util/error.h"
#include "util/fd-util.h"

QemuMonitor *qemu_monitor_open(LoopInvoker *loop, int fd, const char *name, unsigned timeout_ms,
                               const QemuMonitorCallbacks *cb, void *opaque, GError **error)
{
    (void)loop;
    (void)timeout_ms;
    (void)cb;
    (void)opaque;
    virt_fd_close(fd);
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_NO_SUPPORT,
                "QEMU monitor for domain '%s': not implemented", name);
    return NULL;
}

void qemu_monitor_close(QemuMonitor *mon)
{
    (void)mon;
}

bool qemu_monitor_call(QemuMonitor *mon, QemuMonitorCommand *cmd, unsigned timeout_ms,
                       QemuMonitorMessage **ret_reply, GError **error)
{
    return qemu_monitor_call_with_fd(mon, cmd, -1, timeout_ms, ret_reply, error);
}

bool qemu_monitor_call_with_fd(QemuMonitor *mon, QemuMonitorCommand *cmd, int fd,
                               unsigned timeout_ms, QemuMonitorMessage **ret_reply, GError **error)
{
    (void)mon;
    (void)fd;
    (void)timeout_ms;
    (void)ret_reply;
    qemu_monitor_command_free(cmd);
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_NO_SUPPORT, "QEMU monitor: not implemented");
    return false;
}

const QemuMonitorVersion *qemu_monitor_version(QemuMonitor *mon)
{
    (void)mon;
    return NULL;
}

const char *qemu_monitor_name(QemuMonitor *mon)
{
    (void)mon;
    return NULL;
}
