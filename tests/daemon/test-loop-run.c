/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's loop (common/daemon/loop-run.c) on a real sd-event: events found while
 * polling, the exit code, and sleeping once the window has passed. */

#include <glib.h>
#include <time.h>

#include "daemon/loop-run.h"
#include "util/sd-autoptr.h"

#define N_DEFERRED 1000

typedef struct Chain {
    sd_event_source *source;
    int left;
    int exit_code;
    gint64 cpu_at_last; /* thread CPU time (µs) when the chain ended */
} Chain;

static gint64 thread_cpu_us(void)
{
    struct timespec ts;

    g_assert_cmpint(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts), ==, 0);
    return (gint64)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static int on_deferred(sd_event_source *s, void *userdata)
{
    Chain *chain = userdata;

    if (--chain->left == 0)
        return sd_event_exit(sd_event_source_get_event(s), chain->exit_code);
    /* ready again at once: the next iteration finds it while polling */
    return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

static void run_deferred_chain(uint64_t max_us, LoopStats *stats)
{
    g_autoptr(sd_event) event = NULL;
    PollWindow window;
    Chain chain = { .left = N_DEFERRED, .exit_code = 7 };

    g_assert_cmpint(sd_event_new(&event), >=, 0);
    g_assert_cmpint(sd_event_add_defer(event, &chain.source, on_deferred, &chain), >=, 0);
    g_assert_cmpint(sd_event_source_set_enabled(chain.source, SD_EVENT_ONESHOT), >=, 0);
    poll_window_init(&window, max_us);
    g_assert_cmpint(loop_run(event, &window, stats), ==, 7);
    g_assert_cmpint(chain.left, ==, 0);
    sd_event_source_unref(chain.source);
}

static void test_ready_events_are_caught_while_polling(void)
{
    LoopStats stats = { 0 };

    run_deferred_chain(200, &stats);
    g_assert_cmpuint(stats.iterations, >=, N_DEFERRED);
    /* all but the first, unless the thread was held off the CPU for more than the
     * window (a loaded machine) */
    g_assert_cmpuint(stats.caught, >, N_DEFERRED / 2);
}

static void test_zero_max_never_polls(void)
{
    LoopStats stats = { 0 };

    run_deferred_chain(0, &stats);
    g_assert_cmpuint(stats.iterations, >=, N_DEFERRED);
    g_assert_cmpuint(stats.caught, ==, 0);
    g_assert_cmpuint(stats.preempted, ==, 0);
}

/* Timers 5 ms apart open the window wide (7.5 ms), then one 300 ms away: the loop must
 * poll for at most the window and then sleep. */
#define STEP_US 5000
#define IDLE_US 300000
#define MAX_US 10000

typedef struct Timers {
    int left;
    gint64 cpu_at_last_step;
    gint64 cpu_idle_used;
} Timers;

static int on_idle_end(sd_event_source *s, uint64_t usec, void *userdata)
{
    Timers *t = userdata;

    t->cpu_idle_used = thread_cpu_us() - t->cpu_at_last_step;
    return sd_event_exit(sd_event_source_get_event(s), 0);
}

static int on_step(sd_event_source *s, uint64_t usec, void *userdata)
{
    Timers *t = userdata;
    sd_event *event = sd_event_source_get_event(s);

    if (--t->left > 0)
        return sd_event_source_set_time_relative(s, STEP_US) < 0
                   ? -1
                   : sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
    t->cpu_at_last_step = thread_cpu_us();
    return sd_event_add_time_relative(event, NULL, CLOCK_MONOTONIC, IDLE_US, 1, on_idle_end, t);
}

static void test_idle_loop_sleeps_after_the_window(void)
{
    g_autoptr(sd_event) event = NULL;
    sd_event_source *step = NULL;
    PollWindow window;
    LoopStats stats = { 0 };
    Timers t = { .left = 20 };

    g_assert_cmpint(sd_event_new(&event), >=, 0);
    g_assert_cmpint(
        sd_event_add_time_relative(event, &step, CLOCK_MONOTONIC, STEP_US, 1, on_step, &t), >=, 0);
    poll_window_init(&window, MAX_US);
    g_assert_cmpint(loop_run(event, &window, &stats), ==, 0);
    g_assert_cmpint(t.left, ==, 0);
    /* a loop that kept polling would have used most of the 300 ms */
    g_test_message("CPU used while idle: %" G_GINT64_FORMAT " us; window %" G_GUINT64_FORMAT " us",
                   t.cpu_idle_used, window.cur_us);
    g_assert_cmpint(t.cpu_idle_used, <, 3 * MAX_US);
    /* and the gap it slept through shrinks the window */
    g_assert_cmpuint(window.cur_us, <=, MAX_US / 2);
    sd_event_source_unref(step);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/loop-run/caught-while-polling", test_ready_events_are_caught_while_polling);
    g_test_add_func("/loop-run/zero-max", test_zero_max_never_polls);
    g_test_add_func("/loop-run/idle-sleeps", test_idle_loop_sleeps_after_the_window);
    return g_test_run();
}
