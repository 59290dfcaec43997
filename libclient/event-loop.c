/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The default event loop implementation: virEventRegisterDefaultImpl() creates one
 * process-wide GMainContext, virEventRunDefaultImpl() runs one iteration of it, and
 * timeouts are GSources on it. GMainContext is thread-safe and wakes a blocked
 * iteration whenever another thread attaches a source, so events queued by the
 * RPC connection threads are delivered at once.
 *
 * Timers keep libvirt's semantics: frequency -1 disables a timer, 0 fires it on
 * every iteration, N > 0 every N milliseconds; ids are positive and never reused.
 */

#include "client-priv.h"
#include "event-loop.h"

typedef struct EventTimer {
    int id;
    int frequency;
    virEventTimeoutCallback cb;
    void *opaque;
    virFreeCallback ff;
    GSource *source; /* NULL while disabled */
} EventTimer;

static GMutex loop_lock; /* protects everything below */
static GMainContext *loop_context;
static GHashTable *loop_timers; /* id -> EventTimer */
static int loop_next_timer = 1;

/**
 * client_event_loop_context: the default loop's context with a reference, or NULL
 * when no loop was registered.
 */
GMainContext *client_event_loop_context(void)
{
    GMainContext *ctx;

    g_mutex_lock(&loop_lock);
    ctx = loop_context ? g_main_context_ref(loop_context) : NULL;
    g_mutex_unlock(&loop_lock);
    return ctx;
}

/**
 * virEventRegisterDefaultImpl: set up the default event loop; call it before
 * opening connections whose events you want. Calling it again does nothing.
 *
 * Returns 0.
 */
int virEventRegisterDefaultImpl(void)
{
    client_error_reset();
    g_mutex_lock(&loop_lock);
    if (!loop_context) {
        loop_context = g_main_context_new();
        loop_timers = g_hash_table_new(g_direct_hash, g_direct_equal);
    }
    g_mutex_unlock(&loop_lock);
    return 0;
}

/**
 * virEventRunDefaultImpl: run one iteration of the default loop, waiting until at
 * least one timer or event is due, and dispatch it.
 *
 * Returns 0, or -1 when no loop was registered.
 */
int virEventRunDefaultImpl(void)
{
    g_autoptr(GMainContext) ctx = client_event_loop_context();

    client_error_reset();
    if (!ctx) {
        client_error_set(VIRT_FROM_EVENT, VIRT_ERR_INTERNAL_ERROR,
                         "no event loop implementation registered");
        return -1;
    }
    g_main_context_iteration(ctx, TRUE);
    return 0;
}

static gboolean timer_dispatch(gpointer data)
{
    int id = GPOINTER_TO_INT(data);
    virEventTimeoutCallback cb = NULL;
    void *opaque = NULL;
    EventTimer *t;

    g_mutex_lock(&loop_lock);
    t = loop_timers ? g_hash_table_lookup(loop_timers, data) : NULL;
    if (t) {
        cb = t->cb;
        opaque = t->opaque;
    }
    g_mutex_unlock(&loop_lock);
    /* the lock is not held: the callback may update or remove any timer */
    if (cb)
        cb(id, opaque);
    return G_SOURCE_CONTINUE;
}

/* (Re)arm @t for its frequency; call with the lock held. */
static void timer_arm_locked(EventTimer *t)
{
    if (t->source) {
        g_source_destroy(t->source);
        g_clear_pointer(&t->source, g_source_unref);
    }
    if (t->frequency < 0)
        return;
    t->source = g_timeout_source_new((guint)t->frequency);
    g_source_set_callback(t->source, timer_dispatch, GINT_TO_POINTER(t->id), NULL);
    g_source_attach(t->source, loop_context);
}

/**
 * virEventAddTimeout - add a timer to the default loop
 * @frequency: milliseconds between calls; 0 for every iteration, -1 disabled
 * @cb: called with the timer's id and @opaque
 * @opaque: for @cb
 * @ff: frees @opaque when the timer is removed, or NULL
 *
 * Returns the timer's id (> 0), or -1 when no loop was registered.
 */
int virEventAddTimeout(int frequency, virEventTimeoutCallback cb, void *opaque, virFreeCallback ff)
{
    EventTimer *t;
    int id;

    client_error_reset();
    g_mutex_lock(&loop_lock);
    if (!loop_context || !cb) {
        g_mutex_unlock(&loop_lock);
        client_error_set(VIRT_FROM_EVENT, VIRT_ERR_INTERNAL_ERROR,
                         "no event loop implementation registered");
        return -1;
    }
    t = g_new0(EventTimer, 1);
    t->id = id = loop_next_timer++;
    t->frequency = frequency;
    t->cb = cb;
    t->opaque = opaque;
    t->ff = ff;
    g_hash_table_insert(loop_timers, GINT_TO_POINTER(id), t);
    timer_arm_locked(t);
    g_mutex_unlock(&loop_lock);
    return id;
}

/**
 * virEventUpdateTimeout: change a timer's frequency (see virEventAddTimeout()); the
 * next call is one full period from now. Unknown ids are ignored.
 */
void virEventUpdateTimeout(int timer, int frequency)
{
    EventTimer *t;

    g_mutex_lock(&loop_lock);
    t = loop_timers ? g_hash_table_lookup(loop_timers, GINT_TO_POINTER(timer)) : NULL;
    if (t) {
        t->frequency = frequency;
        timer_arm_locked(t);
    }
    g_mutex_unlock(&loop_lock);
}

/**
 * virEventRemoveTimeout: remove a timer; its free function runs now.
 *
 * Returns 0, or -1 for an unknown id.
 */
int virEventRemoveTimeout(int timer)
{
    EventTimer *t = NULL;

    g_mutex_lock(&loop_lock);
    if (loop_timers &&
        g_hash_table_steal_extended(loop_timers, GINT_TO_POINTER(timer), NULL, (gpointer *)&t)) {
        if (t->source) {
            g_source_destroy(t->source);
            g_clear_pointer(&t->source, g_source_unref);
        }
    }
    g_mutex_unlock(&loop_lock);
    if (!t)
        return -1;
    if (t->ff)
        t->ff(t->opaque);
    g_free(t);
    return 0;
}
