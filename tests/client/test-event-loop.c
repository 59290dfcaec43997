/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The default event loop: errors before registration, timers at every frequency
 * (N ms, 0 = every iteration, -1 = disabled), update and removal (also from inside
 * a callback), free functions, and a wakeup from another thread.
 */

#include <glib.h>

#include <virtkit/virtkit.h>

typedef struct Timer {
    int fired;
    int freed;
    int remove_after; /* remove itself after this many calls; 0 = never */
} Timer;

static void on_timer(int timer, void *opaque)
{
    Timer *t = opaque;

    t->fired++;
    if (t->remove_after && t->fired == t->remove_after)
        g_assert_cmpint(virEventRemoveTimeout(timer), ==, 0);
}

static void on_free(void *opaque)
{
    ((Timer *)opaque)->freed++;
}

static void test_unregistered(void)
{
    g_assert_cmpint(virEventRunDefaultImpl(), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INTERNAL_ERROR);
    g_assert_cmpint(virEventAddTimeout(10, on_timer, NULL, NULL), ==, -1);
    g_assert_cmpint(virEventRemoveTimeout(1), ==, -1);
}

static void test_timers(void)
{
    Timer every = { .remove_after = 3 }, slow = { 0 }, off = { 0 };
    int id_every, id_slow, id_off;

    g_assert_cmpint(virEventRegisterDefaultImpl(), ==, 0);
    g_assert_cmpint(virEventRegisterDefaultImpl(), ==, 0);
    id_every = virEventAddTimeout(0, on_timer, &every, on_free);
    id_slow = virEventAddTimeout(20, on_timer, &slow, on_free);
    id_off = virEventAddTimeout(-1, on_timer, &off, on_free);
    g_assert_cmpint(id_every, >, 0);
    g_assert_cmpint(id_slow, >, id_every);
    g_assert_cmpint(id_off, >, id_slow);
    /* the 0 ms timer fires on each iteration and removes itself on its third */
    while (slow.fired < 2 || !every.freed) /* no timing assumption: slow hosts, valgrind */
        g_assert_cmpint(virEventRunDefaultImpl(), ==, 0);
    g_assert_cmpint(every.fired, ==, 3);
    g_assert_cmpint(every.freed, ==, 1);
    g_assert_cmpint(off.fired, ==, 0);
    /* enable the disabled one, disable the slow one */
    virEventUpdateTimeout(id_off, 0);
    virEventUpdateTimeout(id_slow, -1);
    while (off.fired < 2)
        virEventRunDefaultImpl();
    g_assert_cmpint(slow.fired, ==, 2);
    g_assert_cmpint(virEventRemoveTimeout(id_off), ==, 0);
    g_assert_cmpint(virEventRemoveTimeout(id_slow), ==, 0);
    g_assert_cmpint(virEventRemoveTimeout(id_slow), ==, -1);
    g_assert_cmpint(off.freed + slow.freed, ==, 2);
    /* unknown ids are ignored by update */
    virEventUpdateTimeout(4242, 0);
}

static gpointer add_from_thread(gpointer data)
{
    return GINT_TO_POINTER(virEventAddTimeout(0, on_timer, data, NULL));
}

/* A timer added by another thread wakes an iteration that is already waiting. */
static void test_wakeup_from_thread(void)
{
    Timer t = { .remove_after = 1 };
    GThread *thread;

    g_assert_cmpint(virEventRegisterDefaultImpl(), ==, 0);
    thread = g_thread_new("adder", add_from_thread, &t);
    while (t.fired == 0)
        virEventRunDefaultImpl();
    g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(thread)), >, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* order matters: the loop is registered once per process */
    g_test_add_func("/client/event-loop/unregistered", test_unregistered);
    g_test_add_func("/client/event-loop/timers", test_timers);
    g_test_add_func("/client/event-loop/wakeup-from-thread", test_wakeup_from_thread);
    return g_test_run();
}
