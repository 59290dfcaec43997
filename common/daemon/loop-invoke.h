/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Running functions on the thread of one sd-event loop. sd-event is not thread-safe:
 * every sd_event_add_*() and every touch of a source (monitors, pidfds) must happen on
 * the loop's thread. Worker threads hand such work over with loop_invoker_call() (run
 * and wait) or loop_invoker_post() (fire and forget). An eventfd wakes the loop; the
 * queue is protected by a mutex; functions run in the order they were queued.
 */

#include <glib.h>
#include <stdbool.h>
#include <systemd/sd-event.h>

typedef struct LoopInvoker LoopInvoker;

/* lifecycle: new on the loop's thread; free there too (queued work runs first) */
LoopInvoker *loop_invoker_new(sd_event *event, GError **error);
LoopInvoker *loop_invoker_free(LoopInvoker *inv);

/* queries */
sd_event *loop_invoker_event(LoopInvoker *inv);
bool loop_invoker_on_loop(LoopInvoker *inv);

/* The loop has stopped for good (daemon shutdown, before waiting for the workers):
 * queued work runs now on the calling (loop) thread, and from then on call() and
 * post() run the function at once on the caller's thread, one at a time, so a worker
 * never waits for a loop that will not run again. */
void loop_invoker_stop(LoopInvoker *inv);
bool loop_invoker_stopped(LoopInvoker *inv);

/* running work on the loop */
void loop_invoker_call(LoopInvoker *inv, void (*func)(void *data), void *data);
void loop_invoker_post(LoopInvoker *inv, void (*func)(void *data), void *data,
                       GDestroyNotify free_data);

/* The running daemon's invoker (daemon.c): valid from the init hook until the shutdown
 * hook has returned; NULL outside a daemon. */
LoopInvoker *daemon_loop_invoker(void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(LoopInvoker, loop_invoker_free)
