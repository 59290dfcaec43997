/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One QEMU process (stub: the implementation lands next). */

#include "qemu-process.h"
#include "util/error.h"

QemuProcess *qemu_process_launch(LoopInvoker *loop, const char *name, Command *cmd,
                                 const char *monitor_path, const char *log_path,
                                 unsigned timeout_ms, const QemuProcessCallbacks *cb, void *opaque,
                                 GError **error)
{
    (void)loop;
    (void)cmd;
    (void)monitor_path;
    (void)log_path;
    (void)timeout_ms;
    (void)cb;
    (void)opaque;
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_NO_SUPPORT,
                "cannot start QEMU for domain '%s': not implemented", name);
    return NULL;
}

QemuProcess *qemu_process_attach(LoopInvoker *loop, const char *name, pid_t pid,
                                 const char *monitor_path, unsigned timeout_ms,
                                 const QemuProcessCallbacks *cb, void *opaque, GError **error)
{
    (void)loop;
    (void)pid;
    (void)monitor_path;
    (void)timeout_ms;
    (void)cb;
    (void)opaque;
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_NO_SUPPORT,
                "cannot reconnect to QEMU for domain '%s': not implemented", name);
    return NULL;
}

QemuProcess *qemu_process_free(QemuProcess *proc)
{
    (void)proc;
    return NULL;
}

QemuMonitor *qemu_process_monitor(QemuProcess *proc)
{
    (void)proc;
    return NULL;
}

pid_t qemu_process_pid(QemuProcess *proc)
{
    (void)proc;
    return -1;
}

bool qemu_process_exited(QemuProcess *proc)
{
    (void)proc;
    return true;
}

bool qemu_process_kill(QemuProcess *proc, unsigned grace_ms, GError **error)
{
    (void)proc;
    (void)grace_ms;
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_NO_SUPPORT, "QEMU process: not implemented");
    return false;
}
