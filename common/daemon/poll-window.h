/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * How long the loop thread keeps polling for the next event before it sleeps.
 *
 * Waking a sleeping thread costs far more than the calls we serve: on a VM an idle
 * vCPU has to be woken by the host (150+ µs measured here for a one-byte ping over a
 * unix socket pair, against 14 µs when both ends share a CPU). A client calling in a
 * loop (virsh, python scripts, OpenStack's periodic tasks) sends its next call tens of
 * microseconds after our reply, so the loop thread polls for that long instead of
 * sleeping, as QEMU's iothreads do (poll-max-ns) and KVM does for halted vCPUs.
 *
 * The window adapts to the gaps it sees, so an idle daemon costs nothing: a gap the
 * window caught keeps it; a gap longer than the maximum halves it (down to zero); a
 * shorter gap the window missed widens it to cover that gap with room to spare. Polling
 * only helps while a core is idle: if the loop thread is preempted while polling, other
 * threads need the core and the window closes.
 *
 * Pure: the caller measures the gaps (daemon.c's loop).
 */

#include <stdbool.h>
#include <stdint.h>

/* A window narrower than this is not worth spinning for: it closes instead. */
#define POLL_WINDOW_MIN_US 8

typedef struct PollWindow {
    uint64_t max_us; /* 0: never poll */
    uint64_t cur_us; /* the current window, 0..max_us */
} PollWindow;

void poll_window_init(PollWindow *window, uint64_t max_us);
void poll_window_set_max(PollWindow *window, uint64_t max_us);

/* @gap_us: from the end of one dispatch to the next event; @preempted: the loop thread
 * lost its core while polling */
void poll_window_update(PollWindow *window, uint64_t gap_us, bool preempted);
