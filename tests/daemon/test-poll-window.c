/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The loop's polling window (common/daemon/poll-window.c): how it follows the gaps. */

#include <glib.h>

#include "daemon/poll-window.h"

static void test_disabled(void)
{
    PollWindow w;

    poll_window_init(&w, 0);
    for (uint64_t gap = 1; gap < 100000; gap *= 3) {
        poll_window_update(&w, gap, false);
        g_assert_cmpuint(w.cur_us, ==, 0);
    }
}

static void test_starts_closed_and_grows_to_cover_a_short_gap(void)
{
    PollWindow w;

    poll_window_init(&w, 200);
    g_assert_cmpuint(w.cur_us, ==, 0); /* a fresh daemon sleeps */
    poll_window_update(&w, 60, false);
    g_assert_cmpuint(w.cur_us, ==, 90); /* the gap and half again */
    poll_window_update(&w, 2, false);
    g_assert_cmpuint(w.cur_us, ==, 90); /* caught */
}

static void test_caught_gap_keeps_the_window(void)
{
    PollWindow w;

    poll_window_init(&w, 200);
    poll_window_update(&w, 100, false);
    g_assert_cmpuint(w.cur_us, ==, 150);
    for (int i = 0; i < 10; i++) {
        poll_window_update(&w, 150, false);
        g_assert_cmpuint(w.cur_us, ==, 150);
    }
}

static void test_grows_no_further_than_max(void)
{
    PollWindow w;

    poll_window_init(&w, 200);
    poll_window_update(&w, 190, false);
    g_assert_cmpuint(w.cur_us, ==, 200);
    poll_window_update(&w, 200, false);
    g_assert_cmpuint(w.cur_us, ==, 200);
}

static void test_tiny_gap_opens_the_minimum(void)
{
    PollWindow w;

    poll_window_init(&w, 200);
    poll_window_update(&w, 1, false);
    g_assert_cmpuint(w.cur_us, ==, POLL_WINDOW_MIN_US);
}

static void test_long_gaps_close_it(void)
{
    PollWindow w;
    int steps = 0;

    poll_window_init(&w, 200);
    poll_window_update(&w, 150, false);
    g_assert_cmpuint(w.cur_us, ==, 200);
    poll_window_update(&w, 5000000, false); /* an idle spell: halve */
    g_assert_cmpuint(w.cur_us, ==, 100);
    while (w.cur_us > 0 && steps++ < 64)
        poll_window_update(&w, 5000000, false);
    g_assert_cmpuint(w.cur_us, ==, 0);
    g_assert_cmpint(steps, <=, 5); /* 100 50 25 12 6->0: an idle daemon stops soon */
}

static void test_preempted_halves_even_a_caught_gap(void)
{
    PollWindow w;

    poll_window_init(&w, 200);
    poll_window_update(&w, 150, false);
    poll_window_update(&w, 20, true);
    g_assert_cmpuint(w.cur_us, ==, 100);
    poll_window_update(&w, 20, true);
    poll_window_update(&w, 20, true);
    poll_window_update(&w, 20, true);
    g_assert_cmpuint(w.cur_us, ==, 12);
    poll_window_update(&w, 20, true);
    g_assert_cmpuint(w.cur_us, ==, 0);
}

static void test_lower_max_clamps(void)
{
    PollWindow w;

    poll_window_init(&w, 200);
    poll_window_update(&w, 150, false);
    poll_window_set_max(&w, 50);
    g_assert_cmpuint(w.cur_us, ==, 50);
    poll_window_set_max(&w, 0);
    g_assert_cmpuint(w.cur_us, ==, 0);
    poll_window_update(&w, 10, false);
    g_assert_cmpuint(w.cur_us, ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/poll-window/disabled", test_disabled);
    g_test_add_func("/poll-window/grows", test_starts_closed_and_grows_to_cover_a_short_gap);
    g_test_add_func("/poll-window/caught-keeps", test_caught_gap_keeps_the_window);
    g_test_add_func("/poll-window/max", test_grows_no_further_than_max);
    g_test_add_func("/poll-window/tiny-gap", test_tiny_gap_opens_the_minimum);
    g_test_add_func("/poll-window/long-gaps-close", test_long_gaps_close_it);
    g_test_add_func("/poll-window/preempted", test_preempted_halves_even_a_caught_gap);
    g_test_add_func("/poll-window/lower-max", test_lower_max_clamps);
    return g_test_run();
}
