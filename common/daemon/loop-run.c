/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "daemon/loop-run.h"

#include <glib.h>

/* Two polls further apart than this: the thread was not running in between. One poll
 * (sd_event_prepare + epoll_wait with no timeout) takes 1-5 µs, more under ASan. */
#define LOOP_PREEMPTED_US 50

/* One iteration: dispatch what is ready, waiting up to @timeout_us for it. Returns 1
 * when something was dispatched (@ready_at: when it was found ready), 0 when nothing
 * was ready, or a negative errno. */
static int loop_iterate(sd_event *event, uint64_t timeout_us, gint64 *ready_at)
{
    int r = sd_event_prepare(event);

    if (r == 0)
        r = sd_event_wait(event, timeout_us);
    if (r <= 0)
        return r;
    *ready_at = g_get_monotonic_time();
    r = sd_event_dispatch(event);
    return r < 0 ? r : 1;
}

/* Poll without sleeping for up to @window_us after @since. */
static int loop_poll(sd_event *event, uint64_t window_us, gint64 since, gint64 *ready_at,
                     bool *preempted)
{
    gint64 last = since;

    while (window_us > 0) {
        int r = loop_iterate(event, 0, ready_at);
        gint64 now;

        if (r != 0)
            return r;
        now = g_get_monotonic_time();
        if (now - last > LOOP_PREEMPTED_US) {
            *preempted = true;
            return 0;
        }
        if ((uint64_t)(now - since) >= window_us)
            return 0;
        last = now;
    }
    return 0;
}

int loop_run(sd_event *event, PollWindow *window, LoopStats *stats)
{
    int code = 0;

    while (sd_event_get_state(event) != SD_EVENT_FINISHED) {
        gint64 idle_since = g_get_monotonic_time();
        gint64 ready_at = 0;
        bool preempted = false;
        int r = loop_poll(event, window->cur_us, idle_since, &ready_at, &preempted);

        if (r > 0)
            stats->caught++;
        else if (r == 0)
            r = loop_iterate(event, UINT64_MAX, &ready_at);
        if (r < 0)
            return r;
        if (r == 0)
            continue; /* woken for nothing: no gap to learn from */
        stats->iterations++;
        stats->preempted += preempted;
        poll_window_update(window, (uint64_t)MAX(ready_at - idle_since, 0), preempted);
    }
    (void)sd_event_get_exit_code(event, &code);
    return code;
}
