/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * File descriptor watches of the default event loop (virEventAddHandle and friends):
 * a GUnixFDSource per watch on the loop's context. Like libvirt's, watches are
 * level-triggered, events 0 disables one, ids are positive and never reused, and
 * the callback may update or remove any watch, its own included.
 */

#include <glib-unix.h>

#include "client-priv.h"
#include "event-loop.h"

typedef struct EventHandle {
    int id;
    int fd;
    int events; /* VIR_EVENT_HANDLE_* */
    virEventHandleCallback cb;
    void *opaque;
    virFreeCallback ff;
    GSource *source; /* NULL while disabled */
} EventHandle;

static GMutex handles_lock; /* protects everything below */
static GHashTable *handles; /* id -> EventHandle */
static int handles_next = 1;

static GIOCondition handle_condition(int events)
{
    GIOCondition cond = 0;

    if (events & VIR_EVENT_HANDLE_READABLE)
        cond |= G_IO_IN;
    if (events & VIR_EVENT_HANDLE_WRITABLE)
        cond |= G_IO_OUT;
    return cond;
}

static int handle_events(GIOCondition cond)
{
    int events = 0;

    if (cond & (G_IO_IN | G_IO_PRI))
        events |= VIR_EVENT_HANDLE_READABLE;
    if (cond & G_IO_OUT)
        events |= VIR_EVENT_HANDLE_WRITABLE;
    if (cond & (G_IO_ERR | G_IO_NVAL))
        events |= VIR_EVENT_HANDLE_ERROR;
    if (cond & G_IO_HUP)
        events |= VIR_EVENT_HANDLE_HANGUP;
    return events;
}

static gboolean handle_dispatch(gint fd, GIOCondition cond, gpointer data)
{
    int id = GPOINTER_TO_INT(data);
    virEventHandleCallback cb = NULL;
    void *opaque = NULL;
    EventHandle *h;

    g_mutex_lock(&handles_lock);
    h = handles ? g_hash_table_lookup(handles, data) : NULL;
    if (h) {
        cb = h->cb;
        opaque = h->opaque;
    }
    g_mutex_unlock(&handles_lock);
    /* unlocked: the callback may update or remove any watch */
    if (cb)
        cb(id, fd, handle_events(cond), opaque);
    return G_SOURCE_CONTINUE;
}

/* (Re)create @h's source for its events; call with the lock held. */
static void handle_arm_locked(EventHandle *h)
{
    g_autoptr(GMainContext) ctx = client_event_loop_context();

    if (h->source) {
        g_source_destroy(h->source);
        g_clear_pointer(&h->source, g_source_unref);
    }
    if (h->events == 0 || !ctx)
        return;
    /* errors and hangups are always reported, as poll() does */
    h->source = g_unix_fd_source_new(h->fd, handle_condition(h->events) | G_IO_ERR | G_IO_HUP);
    g_source_set_callback(h->source, G_SOURCE_FUNC(handle_dispatch), GINT_TO_POINTER(h->id), NULL);
    g_source_attach(h->source, ctx);
}

/**
 * virEventAddHandle - watch a file descriptor on the default loop
 * @fd: the descriptor
 * @events: VIR_EVENT_HANDLE_READABLE and/or WRITABLE (ERROR and HANGUP always come)
 * @cb: called from virEventRunDefaultImpl() with the watch, @fd, what happened, @opaque
 * @opaque: for @cb
 * @ff: frees @opaque when the watch is removed, or NULL
 *
 * Returns the watch's id (> 0), or -1 when no loop was registered.
 */
int virEventAddHandle(int fd, int events, virEventHandleCallback cb, void *opaque,
                      virFreeCallback ff)
{
    g_autoptr(GMainContext) ctx = client_event_loop_context();
    EventHandle *h;
    int id;

    client_error_reset();
    if (!ctx || !cb || fd < 0) {
        client_error_set(VIRT_FROM_EVENT, VIRT_ERR_INTERNAL_ERROR,
                         "no event loop implementation registered");
        return -1;
    }
    h = g_new0(EventHandle, 1);
    h->fd = fd;
    h->events = events;
    h->cb = cb;
    h->opaque = opaque;
    h->ff = ff;
    g_mutex_lock(&handles_lock);
    if (!handles)
        handles = g_hash_table_new(g_direct_hash, g_direct_equal);
    h->id = id = handles_next++;
    g_hash_table_insert(handles, GINT_TO_POINTER(id), h);
    handle_arm_locked(h);
    g_mutex_unlock(&handles_lock);
    return id;
}

/**
 * virEventUpdateHandle: change what a watch waits for (0: nothing). Unknown ids are
 * ignored.
 */
void virEventUpdateHandle(int watch, int events)
{
    EventHandle *h;

    g_mutex_lock(&handles_lock);
    h = handles ? g_hash_table_lookup(handles, GINT_TO_POINTER(watch)) : NULL;
    if (h && h->events != events) {
        h->events = events;
        handle_arm_locked(h);
    }
    g_mutex_unlock(&handles_lock);
}

/**
 * virEventRemoveHandle: stop watching; the free function runs now.
 *
 * Returns 0, or -1 for an unknown id.
 */
int virEventRemoveHandle(int watch)
{
    EventHandle *h = NULL;

    g_mutex_lock(&handles_lock);
    if (handles &&
        g_hash_table_steal_extended(handles, GINT_TO_POINTER(watch), NULL, (gpointer *)&h) &&
        h->source) {
        g_source_destroy(h->source);
        g_clear_pointer(&h->source, g_source_unref);
    }
    g_mutex_unlock(&handles_lock);
    if (!h)
        return -1;
    if (h->ff)
        h->ff(h->opaque);
    g_free(h);
    return 0;
}
