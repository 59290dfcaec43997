/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "daemon/poll-window.h"

#include <glib.h>

void poll_window_init(PollWindow *window, uint64_t max_us)
{
    *window = (PollWindow){ .max_us = max_us };
}

void poll_window_set_max(PollWindow *window, uint64_t max_us)
{
    window->max_us = max_us;
    window->cur_us = MIN(window->cur_us, max_us);
}

static void poll_window_shrink(PollWindow *window)
{
    window->cur_us /= 2;
    if (window->cur_us < POLL_WINDOW_MIN_US)
        window->cur_us = 0;
}

static void poll_window_grow(PollWindow *window, uint64_t gap_us)
{
    /* half again the gap: the next one is rarely exactly as short */
    uint64_t want = MAX(gap_us + gap_us / 2, POLL_WINDOW_MIN_US);

    window->cur_us = MIN(want, window->max_us);
}

void poll_window_update(PollWindow *window, uint64_t gap_us, bool preempted)
{
    if (!preempted && gap_us <= window->cur_us)
        return; /* polling caught it */
    if (preempted || gap_us > window->max_us)
        poll_window_shrink(window);
    else
        poll_window_grow(window, gap_us);
}
