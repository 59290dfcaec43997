/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tier: pure threads (no QEMU). The loop invoker: work from other threads runs on the
 * loop's thread, calls wait, posts keep their order, and nothing waits on a stopped
 * loop. */

#include "qemu-test-loop.h"

typedef struct Probe {
    LoopInvoker *inv;
    bool on_loop;
    int value;
    GString *trace;
} Probe;

static void probe_mark(void *data)
{
    Probe *p = data;

    p->on_loop = loop_invoker_on_loop(p->inv);
    p->value++;
}

static void test_call_from_thread(void)
{
    g_autoptr(QemuTestLoop) loop = qemu_test_loop_start();
    Probe p = { .inv = qemu_test_loop_invoker(loop) };

    g_assert_false(loop_invoker_on_loop(p.inv));
    loop_invoker_call(p.inv, probe_mark, &p);
    /* it ran before call returned, and on the loop */
    g_assert_cmpint(p.value, ==, 1);
    g_assert_true(p.on_loop);
}

static void trace_append(void *data)
{
    Probe *p = data;

    g_string_append_c(p->trace, 'i');
}

/* On the loop, call() runs at once and post() waits for a later iteration. */
static void nested_on_loop(void *data)
{
    Probe *p = data;

    g_string_append_c(p->trace, '[');
    loop_invoker_post(p->inv, trace_append, p, NULL);
    loop_invoker_call(p->inv, trace_append, p);
    g_string_append_c(p->trace, ']');
}

static void noop(void *data)
{
    (void)data;
}

static void test_inline_on_loop(void)
{
    g_autoptr(QemuTestLoop) loop = qemu_test_loop_start();
    g_autoptr(GString) trace = g_string_new("");
    Probe p = { .inv = qemu_test_loop_invoker(loop), .trace = trace };

    loop_invoker_call(p.inv, nested_on_loop, &p);
    /* the post queued inside ran after the call: flush with one more call */
    loop_invoker_call(p.inv, noop, NULL);
    g_assert_cmpstr(trace->str, ==, "[i]i");
}

#define POSTERS 4
#define POSTS 2000

typedef struct PostItem {
    int thread;
    int seq;
    GArray *seen; /* loop thread only */
    int *freed;
} PostItem;

static void post_record(void *data)
{
    PostItem *item = data;
    int *last = &g_array_index(item->seen, int, item->thread);

    /* each thread's posts arrive in its order */
    g_assert_cmpint(item->seq, ==, *last + 1);
    *last = item->seq;
}

static void post_item_free(void *data)
{
    PostItem *item = data;

    g_atomic_int_inc(item->freed);
    g_free(item);
}

typedef struct Poster {
    LoopInvoker *inv;
    int thread;
    GArray *seen;
    int *freed;
} Poster;

static gpointer poster_thread(gpointer data)
{
    Poster *poster = data;

    for (int i = 0; i < POSTS; i++) {
        PostItem *item = g_new0(PostItem, 1);

        item->thread = poster->thread;
        item->seq = i;
        item->seen = poster->seen;
        item->freed = poster->freed;
        loop_invoker_post(poster->inv, post_record, item, post_item_free);
    }
    return NULL;
}

static void test_post_from_threads(void)
{
    g_autoptr(QemuTestLoop) loop = qemu_test_loop_start();
    g_autoptr(GArray) seen = g_array_new(FALSE, FALSE, sizeof(int));
    Poster posters[POSTERS];
    GThread *threads[POSTERS];
    int freed = 0;

    for (int i = 0; i < POSTERS; i++) {
        int none = -1;

        g_array_append_val(seen, none);
        posters[i] = (Poster){ qemu_test_loop_invoker(loop), i, seen, &freed };
    }
    for (int i = 0; i < POSTERS; i++)
        threads[i] = g_thread_new("poster", poster_thread, &posters[i]);
    for (int i = 0; i < POSTERS; i++)
        g_thread_join(threads[i]);
    /* queued before this call, so run before it returns */
    loop_invoker_call(qemu_test_loop_invoker(loop), noop, NULL);
    for (int i = 0; i < POSTERS; i++)
        g_assert_cmpint(g_array_index(seen, int, i), ==, POSTS - 1);
    g_assert_cmpint(g_atomic_int_get(&freed), ==, POSTERS * POSTS);
}

/* An invoker whose loop never runs: stop() runs the queue; later work runs inline. */
static gpointer call_thread(gpointer data)
{
    Probe *p = data;

    loop_invoker_call(p->inv, probe_mark, p);
    return NULL;
}

/* An invoker on a loop that never runs (the test thread is its loop thread). */
static LoopInvoker *idle_invoker_new(sd_event **ret_event)
{
    g_autoptr(GError) error = NULL;
    LoopInvoker *inv;

    g_assert_cmpint(sd_event_new(ret_event), >=, 0);
    inv = loop_invoker_new(*ret_event, &error);
    g_assert_no_error(error);
    g_assert_true(loop_invoker_event(inv) == *ret_event);
    return inv;
}

/* A post for thread 0 (expected first, seq 0) counting its free in @freed. */
static PostItem *first_item_new(GArray *seen, int *freed)
{
    PostItem *item = g_new0(PostItem, 1);
    int none = -1;

    g_array_set_size(seen, 0);
    g_array_append_val(seen, none);
    item->seen = seen;
    item->freed = freed;
    return item;
}

static void test_stop(void)
{
    g_autoptr(GArray) seen = g_array_new(FALSE, FALSE, sizeof(int));
    sd_event *event = NULL;
    LoopInvoker *inv = idle_invoker_new(&event);
    Probe posted = { .inv = inv };
    Probe called = { .inv = inv };
    int freed = 0;

    loop_invoker_post(inv, probe_mark, &posted, NULL);
    g_assert_cmpint(posted.value, ==, 0);
    g_assert_false(loop_invoker_stopped(inv));
    loop_invoker_stop(inv);
    g_assert_true(loop_invoker_stopped(inv));
    g_assert_cmpint(posted.value, ==, 1);

    /* a thread's call runs on that thread instead of waiting forever */
    g_thread_join(g_thread_new("caller", call_thread, &called));
    g_assert_cmpint(called.value, ==, 1);
    g_assert_false(called.on_loop);
    /* and a post at once, freed after */
    loop_invoker_post(inv, post_record, first_item_new(seen, &freed), post_item_free);
    g_assert_cmpint(freed, ==, 1);
    loop_invoker_free(inv);
    sd_event_unref(event);
}

/* free() runs what is still queued, so nothing leaks and no waiter is stranded. */
static void test_free_drains(void)
{
    g_autoptr(GArray) seen = g_array_new(FALSE, FALSE, sizeof(int));
    sd_event *event = NULL;
    LoopInvoker *inv = idle_invoker_new(&event);
    Probe p = { .inv = inv };
    int freed = 0;

    loop_invoker_post(inv, probe_mark, &p, NULL);
    loop_invoker_post(inv, post_record, first_item_new(seen, &freed), post_item_free);
    loop_invoker_free(inv);
    g_assert_cmpint(p.value, ==, 1);
    g_assert_cmpint(freed, ==, 1);
    sd_event_unref(event);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/loop-invoke/call-from-thread", test_call_from_thread);
    g_test_add_func("/loop-invoke/inline-on-loop", test_inline_on_loop);
    g_test_add_func("/loop-invoke/post-from-threads", test_post_from_threads);
    g_test_add_func("/loop-invoke/stop", test_stop);
    g_test_add_func("/loop-invoke/free-drains", test_free_drains);
    return g_test_run();
}
