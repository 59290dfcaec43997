/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lifecycle event logs for the remote tests (see event-log.h). */

#include "event-log.h"

int event_log_on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail,
                           void *opaque)
{
    EventLog *log = opaque;

    g_string_append_printf(log->text, "%s:%d/%d ", virDomainGetName(dom), event, detail);
    log->count++;
    return 0;
}

int event_log_on_lifecycle_other(virConnectPtr conn, virDomainPtr dom, int event, int detail,
                                 void *opaque)
{
    return event_log_on_lifecycle(conn, dom, event, detail, opaque);
}

void event_log_on_free(void *opaque)
{
    ((EventLog *)opaque)->freed++;
}

void event_log_noop_timer(int timer, void *opaque)
{
}

void event_log_run_until(EventLog *log, int count, int wait_ms)
{
    int64_t deadline = g_get_monotonic_time() + (int64_t)wait_ms * 1000;

    while (log->count < count && g_get_monotonic_time() <= deadline)
        g_assert_cmpint(virEventRunDefaultImpl(), ==, 0);
    g_assert_cmpint(log->count, ==, count);
}
