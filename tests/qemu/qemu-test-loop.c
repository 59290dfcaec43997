/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "qemu-test-loop.h"

struct QemuTestLoop {
    GThread *thread;
    GMutex lock;
    GCond cond;
    LoopInvoker *inv; /* set by the thread once the loop is ready */
};

static gpointer qemu_test_loop_thread(gpointer data)
{
    QemuTestLoop *loop = data;
    g_autoptr(GError) error = NULL;
    sd_event *event = NULL;
    LoopInvoker *inv;

    g_assert_cmpint(sd_event_new(&event), >=, 0);
    inv = loop_invoker_new(event, &error);
    g_assert_no_error(error);
    g_mutex_lock(&loop->lock);
    loop->inv = inv;
    g_cond_signal(&loop->cond);
    g_mutex_unlock(&loop->lock);
    g_assert_cmpint(sd_event_loop(event), >=, 0);
    loop_invoker_free(inv);
    sd_event_unref(event);
    return NULL;
}

QemuTestLoop *qemu_test_loop_start(void)
{
    QemuTestLoop *loop = g_new0(QemuTestLoop, 1);

    g_mutex_init(&loop->lock);
    g_cond_init(&loop->cond);
    loop->thread = g_thread_new("test-loop", qemu_test_loop_thread, loop);
    g_mutex_lock(&loop->lock);
    while (!loop->inv)
        g_cond_wait(&loop->cond, &loop->lock);
    g_mutex_unlock(&loop->lock);
    return loop;
}

LoopInvoker *qemu_test_loop_invoker(QemuTestLoop *loop)
{
    return loop->inv;
}

static void qemu_test_loop_exit(void *data)
{
    QemuTestLoop *loop = data;

    (void)sd_event_exit(loop_invoker_event(loop->inv), 0);
}

void qemu_test_loop_stop(QemuTestLoop *loop)
{
    if (!loop)
        return;
    loop_invoker_post(loop->inv, qemu_test_loop_exit, loop, NULL);
    g_thread_join(loop->thread);
    g_mutex_clear(&loop->lock);
    g_cond_clear(&loop->cond);
    g_free(loop);
}
