/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Functions queued from any thread, run on the loop's thread. The queue is a GQueue
 * under a mutex; an eventfd registered with the loop says "there is work". A call
 * waits on the invoker's condition variable until its item is marked done.
 */

#define G_LOG_DOMAIN "virtkit-daemon"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "daemon/loop-invoke.h"
#include "util/error.h"
#include "util/fd-util.h"

typedef struct InvokeItem {
    void (*func)(void *data);
    void *data;
    GDestroyNotify free_data;
    bool waited; /* a loop_invoker_call(): the caller owns the item and waits for done */
    bool done;
} InvokeItem;

struct LoopInvoker {
    sd_event *event;
    sd_event_source *source;
    int efd;
    pthread_t thread;
    GMutex lock;
    GCond cond;      /* an item of a waiting caller is done */
    GQueue queue;    /* InvokeItem*, under lock */
    bool stopped;    /* under lock: loop_invoker_stop() */
    GMutex run_lock; /* after stop: one function at a time on whatever thread */
};

/* Run one item outside the lock; a posted item is freed here, a called one released
 * to its waiter. */
static void invoke_item_run(LoopInvoker *inv, InvokeItem *item)
{
    item->func(item->data);
    if (!item->waited) {
        if (item->free_data)
            item->free_data(item->data);
        g_free(item);
        return;
    }
    g_mutex_lock(&inv->lock);
    item->done = true;
    g_cond_broadcast(&inv->cond);
    g_mutex_unlock(&inv->lock);
}

static void loop_invoker_drain(LoopInvoker *inv)
{
    for (;;) {
        InvokeItem *item;

        g_mutex_lock(&inv->lock);
        item = g_queue_pop_head(&inv->queue);
        g_mutex_unlock(&inv->lock);
        if (!item)
            return;
        invoke_item_run(inv, item);
    }
}

static int loop_invoker_on_wakeup(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
    LoopInvoker *inv = userdata;
    uint64_t count;

    (void)s;
    (void)revents;
    /* reset first: work queued from now on writes again and wakes us again */
    while (read(fd, &count, sizeof(count)) < 0 && errno == EINTR)
        ;
    loop_invoker_drain(inv);
    return 0;
}

/**
 * loop_invoker_new: an invoker for @event, whose loop runs (or will run) on the calling
 * thread. Takes a reference on @event.
 */
LoopInvoker *loop_invoker_new(sd_event *event, GError **error)
{
    g_autoptr(LoopInvoker) inv = g_new0(LoopInvoker, 1);
    int r;

    inv->efd = -1;
    g_mutex_init(&inv->lock);
    g_mutex_init(&inv->run_lock);
    g_cond_init(&inv->cond);
    g_queue_init(&inv->queue);
    inv->thread = pthread_self();
    inv->event = sd_event_ref(event);
    inv->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (inv->efd < 0) {
        virt_error_set_errno(error, VIRT_UTIL_ERROR, errno, "cannot create an eventfd");
        return NULL;
    }
    r = sd_event_add_io(event, &inv->source, inv->efd, EPOLLIN, loop_invoker_on_wakeup, inv);
    if (r < 0) {
        virt_error_set_errno(error, VIRT_UTIL_ERROR, -r, "cannot watch the invoker's eventfd");
        return NULL;
    }
    return g_steal_pointer(&inv);
}

/**
 * loop_invoker_free: on the loop's thread. Work still queued runs now, so that no
 * caller waits forever; nothing may be queued after this.
 */
LoopInvoker *loop_invoker_free(LoopInvoker *inv)
{
    if (!inv)
        return NULL;
    loop_invoker_drain(inv);
    inv->source = sd_event_source_disable_unref(inv->source);
    virt_fd_close(inv->efd);
    inv->event = sd_event_unref(inv->event);
    g_mutex_clear(&inv->lock);
    g_mutex_clear(&inv->run_lock);
    g_cond_clear(&inv->cond);
    g_free(inv);
    return NULL;
}

sd_event *loop_invoker_event(LoopInvoker *inv)
{
    return inv->event;
}

/** loop_invoker_on_loop: whether the caller is the loop's thread. */
bool loop_invoker_on_loop(LoopInvoker *inv)
{
    return pthread_equal(inv->thread, pthread_self());
}

/**
 * loop_invoker_stop: the loop will not run again. Runs what is queued on the calling
 * thread; later call()/post() run their function at once on their own thread,
 * serialized among themselves.
 */
void loop_invoker_stop(LoopInvoker *inv)
{
    g_mutex_lock(&inv->lock);
    inv->stopped = true;
    g_mutex_unlock(&inv->lock);
    g_mutex_lock(&inv->run_lock);
    loop_invoker_drain(inv);
    g_mutex_unlock(&inv->run_lock);
}

bool loop_invoker_stopped(LoopInvoker *inv)
{
    bool stopped;

    g_mutex_lock(&inv->lock);
    stopped = inv->stopped;
    g_mutex_unlock(&inv->lock);
    return stopped;
}

/* Queue @item and wake the loop; false (nothing queued) once the loop has stopped. */
static bool loop_invoker_queue(LoopInvoker *inv, InvokeItem *item)
{
    static const uint64_t one = 1;

    g_mutex_lock(&inv->lock);
    if (inv->stopped) {
        g_mutex_unlock(&inv->lock);
        return false;
    }
    g_queue_push_tail(&inv->queue, item);
    g_mutex_unlock(&inv->lock);
    /* cannot fail short of a counter overflow (2^64 wake-ups) */
    while (write(inv->efd, &one, sizeof(one)) < 0 && errno == EINTR)
        ;
    return true;
}

/**
 * loop_invoker_call: run @func(@data) on the loop and return when it has run. On the
 * loop's own thread it runs at once. @func must not wait for the calling thread.
 */
void loop_invoker_call(LoopInvoker *inv, void (*func)(void *data), void *data)
{
    InvokeItem item = { .func = func, .data = data, .waited = true };

    if (loop_invoker_on_loop(inv)) {
        func(data);
        return;
    }
    if (!loop_invoker_queue(inv, &item)) {
        g_mutex_lock(&inv->run_lock);
        func(data);
        g_mutex_unlock(&inv->run_lock);
        return;
    }
    g_mutex_lock(&inv->lock);
    while (!item.done)
        g_cond_wait(&inv->cond, &inv->lock);
    g_mutex_unlock(&inv->lock);
}

/**
 * loop_invoker_post: run @func(@data) on the loop later, then @free_data(@data) if set.
 * Always queued, even from the loop's own thread (it runs in a later iteration).
 */
void loop_invoker_post(LoopInvoker *inv, void (*func)(void *data), void *data,
                       GDestroyNotify free_data)
{
    InvokeItem *item = g_new0(InvokeItem, 1);

    item->func = func;
    item->data = data;
    item->free_data = free_data;
    if (!loop_invoker_queue(inv, item)) {
        g_mutex_lock(&inv->run_lock);
        invoke_item_run(inv, item);
        g_mutex_unlock(&inv->run_lock);
    }
}
