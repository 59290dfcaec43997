/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Lifecycle events as the remote tests see them: callbacks that log
 * "name:event/detail " into an EventLog, and a bounded run of the default event loop
 * until a log has what a test waits for.
 */

#include <glib.h>

#include <virtkit/virtkit.h>

typedef struct EventLog {
    GString *text;
    int count;
    int freed;
} EventLog;

/* Two distinct functions (libvirt refuses one function twice for one event). */
int event_log_on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail,
                           void *opaque);
int event_log_on_lifecycle_other(virConnectPtr conn, virDomainPtr dom, int event, int detail,
                                 void *opaque);
/* virFreeCallback: counts in ->freed. */
void event_log_on_free(void *opaque);
/* A timer callback that does nothing: a timer keeps every loop iteration bounded. */
void event_log_noop_timer(int timer, void *opaque);
/* Iterate the default loop until @log has @count events or @wait_ms passed; asserts
 * the count. */
void event_log_run_until(EventLog *log, int count, int wait_ms);
