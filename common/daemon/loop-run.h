/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The daemon's event loop: sd_event_loop() plus polling for the next event for a while
 * before sleeping (poll-window.h says why and for how long).
 */

#include <systemd/sd-event.h>

#include "daemon/poll-window.h"

/* Counters for tests and benchmarks (admin's server info might show them one day). */
typedef struct LoopStats {
    uint64_t iterations; /* events dispatched */
    uint64_t caught;     /* ... of them found while polling */
    uint64_t preempted;  /* polls cut short because the thread lost its core */
} LoopStats;

/* Runs until sd_event_exit(); returns the exit code or a negative errno. @window may be
 * changed by the loop's own callbacks (config reload). */
int loop_run(sd_event *event, PollWindow *window, LoopStats *stats);
