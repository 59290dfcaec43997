/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* An sd-event loop on its own thread with a LoopInvoker, as the daemon has, for the
 * monitor and process tests; and the command of a disk-less guest for them. */

#include <glib.h>
#include <sys/types.h>

#include "daemon/loop-invoke.h"
#include "util/command.h"

typedef struct QemuTestLoop QemuTestLoop;

QemuTestLoop *qemu_test_loop_start(void);
LoopInvoker *qemu_test_loop_invoker(QemuTestLoop *loop);
void qemu_test_loop_stop(QemuTestLoop *loop); /* runs what is queued, joins, frees */

/* The command line our builder makes for a disk-less 64 MiB TCG guest named @name
 * (recorded QEMU 7.2 capabilities), its monitor for qemu_process_launch(); pid file
 * and QEMU's home in @dir. */
Command *qemu_test_tiny_command(const char *name, const char *dir);

/* Tests that start QEMU: a failed assertion or a test timeout kills what they started
 * (QEMU runs in its own session, so nothing else would). */
void qemu_test_kill_on_abort(pid_t pid);
void qemu_test_kill_forget(pid_t pid); /* it is gone (and reaped) */

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuTestLoop, qemu_test_loop_stop)
