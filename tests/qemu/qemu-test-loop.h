/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* An sd-event loop on its own thread with a LoopInvoker, as the daemon has, for the
 * monitor and process tests. */

#include <glib.h>

#include "daemon/loop-invoke.h"

typedef struct QemuTestLoop QemuTestLoop;

QemuTestLoop *qemu_test_loop_start(void);
LoopInvoker *qemu_test_loop_invoker(QemuTestLoop *loop);
void qemu_test_loop_stop(QemuTestLoop *loop); /* runs what is queued, joins, frees */

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuTestLoop, qemu_test_loop_stop)
