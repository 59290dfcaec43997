/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Connection events: domain event callbacks (virConnectDomainEventRegisterAny and
 * the legacy virConnectDomainEventRegister), the close callback, keepalive.
 *
 * Events reach a connection from one of two places: an in-process driver calls
 * client_events_driver_cb() for every event of every domain, and the remote driver
 * hands over each event with the server callbackID of the registration it answers.
 * Both only queue; the queue is drained from the default event loop, so callbacks
 * run inside virEventRunDefaultImpl() in the order the events happened.
 *
 * Like libvirt's client, a remote connection registers once with the server per
 * (eventID, domain filter) and fans the events out locally; events are routed to
 * the local callbacks of the registration that asked for them, so a callback never
 * sees an event twice. A server without event callbacks (no feature 14, or 316
 * answered NO_SUPPORT) gets the legacy registrations instead, one per eventID (105
 * for virConnectDomainEventRegister's lifecycle events, else 167); its untagged
 * events (107) are filtered by domain here. Every registered callback holds a
 * connection reference.
 */

#include <string.h>

#include "client-events.h"
#include "client-priv.h"
#include "event-loop.h"
#include "remote-driver.h"

typedef struct EventCallback {
    gint refs;
    int id;
    int event_id;
    bool legacy; /* virConnectDomainEventRegister */
    bool has_dom;
    uint8_t uuid[VIR_UUID_BUFLEN];
    virConnectDomainEventGenericCallback cb;
    void *opaque;
    virFreeCallback freecb;
    virConnectPtr conn; /* a reference */
    int remote_id;      /* the server registration; -1 in process, LEGACY_REMOTE_ID */
    gint removed;
} EventCallback;

/* One server-side registration shared by the callbacks with its key. */
typedef struct RemoteReg {
    int event_id;
    bool has_dom;
    uint8_t uuid[VIR_UUID_BUFLEN];
    int remote_id;
    unsigned int users;
    bool legacy;     /* 105/167: untagged events of every domain */
    bool legacy_api; /* made for virConnectDomainEventRegister: 105 */
} RemoteReg;

/* The id a legacy registration is known by locally: below -1 (in process), never a
 * server callbackID. */
#define LEGACY_REMOTE_ID(event_id) (-2 - (event_id))

typedef struct PendingItem {
    bool is_close;
    int reason;    /* close */
    int remote_id; /* event: -1 from an in-process driver */
    int event_id;
    DomainRef *dom;
    int event;
    int detail;
} PendingItem;

struct ClientEvents {
    gint refs;
    GMutex reg_lock;    /* serializes (de)registrations, server calls included */
    GMutex lock;        /* everything below */
    virConnectPtr conn; /* not a reference: the connection owns us */
    bool remote;
    bool detached;
    GPtrArray *callbacks; /* EventCallback* */
    GArray *regs;         /* RemoteReg */
    int next_id;
    GQueue pending; /* PendingItem* */
    bool drain_scheduled;
    virConnectCloseFunc close_cb;
    void *close_opaque;
    virFreeCallback close_free;
};

static void pending_item_free(PendingItem *item)
{
    domain_ref_free(item->dom);
    g_free(item);
}

static void event_callback_unref(EventCallback *cb)
{
    if (!g_atomic_int_dec_and_test(&cb->refs))
        return;
    if (cb->freecb)
        cb->freecb(cb->opaque);
    virConnectClose(cb->conn);
    g_free(cb);
}

/**
 * client_events_new: empty event state for a connection about to open.
 */
ClientEvents *client_events_new(void)
{
    ClientEvents *events = g_new0(ClientEvents, 1);

    events->refs = 1;
    g_mutex_init(&events->reg_lock);
    g_mutex_init(&events->lock);
    events->callbacks = g_ptr_array_new();
    events->regs = g_array_new(FALSE, TRUE, sizeof(RemoteReg));
    g_queue_init(&events->pending);
    return events;
}

static ClientEvents *client_events_ref(ClientEvents *events)
{
    g_atomic_int_inc(&events->refs);
    return events;
}

/**
 * client_events_unref: drop a reference. Accepts NULL; returns NULL.
 */
ClientEvents *client_events_unref(ClientEvents *events)
{
    if (!events || !g_atomic_int_dec_and_test(&events->refs))
        return NULL;
    g_queue_clear_full(&events->pending, (GDestroyNotify)pending_item_free);
    g_ptr_array_unref(events->callbacks);
    g_array_unref(events->regs);
    g_mutex_clear(&events->lock);
    g_mutex_clear(&events->reg_lock);
    g_free(events);
    return NULL;
}

/* ---- delivery ---- */

static bool callback_matches(const EventCallback *cb, const PendingItem *item)
{
    if (cb->event_id != item->event_id || g_atomic_int_get(&cb->removed))
        return false;
    if (item->remote_id >= 0)
        return cb->remote_id == item->remote_id;
    /* in process, or a legacy registration's untagged event: filter here */
    if (cb->remote_id >= 0)
        return false;
    return !cb->has_dom || memcmp(cb->uuid, item->dom->uuid, VIR_UUID_BUFLEN) == 0;
}

static void deliver_event(ClientEvents *events, const PendingItem *item)
{
    g_autoptr(GPtrArray) matches = g_ptr_array_new();

    g_mutex_lock(&events->lock);
    for (guint i = 0; i < events->callbacks->len; i++) {
        EventCallback *cb = g_ptr_array_index(events->callbacks, i);

        if (callback_matches(cb, item)) {
            g_atomic_int_inc(&cb->refs);
            g_ptr_array_add(matches, cb);
        }
    }
    g_mutex_unlock(&events->lock);
    for (guint i = 0; i < matches->len; i++) {
        EventCallback *cb = g_ptr_array_index(matches, i);
        virDomainPtr dom;

        /* only lifecycle events are produced; their callbacks all have one shape */
        if (!g_atomic_int_get(&cb->removed) && item->event_id == VIR_DOMAIN_EVENT_ID_LIFECYCLE) {
            dom = client_domain_new(cb->conn, item->dom);
            ((virConnectDomainEventCallback)(void (*)(void))cb->cb)(cb->conn, dom, item->event,
                                                                    item->detail, cb->opaque);
            virDomainFree(dom);
        }
        event_callback_unref(cb);
    }
}

static void deliver_close(ClientEvents *events, int reason)
{
    virConnectCloseFunc func;
    void *opaque;
    virConnectPtr conn = NULL;

    g_mutex_lock(&events->lock);
    func = events->close_cb;
    opaque = events->close_opaque;
    /* the registration holds a reference: take our own for the call */
    if (func && events->conn)
        conn = events->conn;
    if (conn)
        g_atomic_int_inc(&conn->refs);
    g_mutex_unlock(&events->lock);
    if (!conn)
        return;
    func(conn, reason, opaque);
    virConnectClose(conn);
}

static void events_unref_notify(gpointer data)
{
    client_events_unref(data);
}

static gboolean events_drain(gpointer data)
{
    ClientEvents *events = data;
    GQueue items = G_QUEUE_INIT;
    PendingItem *item;

    g_mutex_lock(&events->lock);
    items = events->pending;
    g_queue_init(&events->pending);
    events->drain_scheduled = false;
    g_mutex_unlock(&events->lock);
    while ((item = g_queue_pop_head(&items))) {
        if (item->is_close)
            deliver_close(events, item->reason);
        else
            deliver_event(events, item);
        pending_item_free(item);
    }
    return G_SOURCE_REMOVE;
}

/* Queue @item (taken) for the event loop. Without a loop, or with nobody to tell,
 * it is dropped: nothing could ever deliver it. */
static void events_queue(ClientEvents *events, PendingItem *item)
{
    g_autoptr(GMainContext) ctx = client_event_loop_context();
    bool wanted;

    g_mutex_lock(&events->lock);
    wanted = item->is_close ? events->close_cb != NULL : events->callbacks->len > 0;
    if (!ctx || events->detached || !wanted) {
        g_mutex_unlock(&events->lock);
        pending_item_free(item);
        return;
    }
    g_queue_push_tail(&events->pending, item);
    if (!events->drain_scheduled) {
        GSource *source = g_idle_source_new();

        events->drain_scheduled = true;
        g_source_set_priority(source, G_PRIORITY_DEFAULT);
        g_source_set_callback(source, events_drain, client_events_ref(events), events_unref_notify);
        g_source_attach(source, ctx);
        g_source_unref(source);
    }
    g_mutex_unlock(&events->lock);
}

static void events_queue_event(ClientEvents *events, int remote_id, const DomainEvent *event)
{
    PendingItem *item = g_new0(PendingItem, 1);

    item->remote_id = remote_id;
    item->event_id = event->event_id;
    item->dom = domain_ref_copy(event->dom);
    item->event = event->event;
    item->detail = event->detail;
    events_queue(events, item);
}

/**
 * client_events_driver_cb: the DriverEventFunc of in-process drivers (any thread).
 */
void client_events_driver_cb(const DomainEvent *event, void *user_data)
{
    events_queue_event(user_data, -1, event);
}

static void remote_event_sink(int remote_id, const DomainEvent *event, void *user_data)
{
    events_queue_event(user_data, remote_id, event);
}

static void remote_close_sink(int reason, void *user_data)
{
    PendingItem *item = g_new0(PendingItem, 1);

    item->is_close = true;
    item->reason = reason;
    events_queue(user_data, item);
}

/**
 * client_events_attach: bind @events to the connection it was opened for.
 */
void client_events_attach(ClientEvents *events, virConnectPtr conn)
{
    g_mutex_lock(&events->lock);
    events->conn = conn;
    events->remote = remote_driver_is(conn->ops);
    g_mutex_unlock(&events->lock);
    if (events->remote)
        remote_driver_set_sinks(conn->drv, remote_event_sink, remote_close_sink, events);
}

/**
 * client_events_detach: the connection is closing; drop what is queued.
 */
void client_events_detach(ClientEvents *events)
{
    g_mutex_lock(&events->lock);
    events->detached = true;
    events->conn = NULL;
    g_queue_clear_full(&events->pending, (GDestroyNotify)pending_item_free);
    g_mutex_unlock(&events->lock);
}

/* ---- registration ---- */

static RemoteReg *events_find_reg(ClientEvents *events, int event_id, const EventCallback *key,
                                  bool legacy)
{
    for (guint i = 0; i < events->regs->len; i++) {
        RemoteReg *reg = &g_array_index(events->regs, RemoteReg, i);

        if (reg->event_id != event_id || reg->legacy != legacy)
            continue;
        /* a legacy registration serves every domain filter */
        if (legacy || (reg->has_dom == key->has_dom &&
                       (!key->has_dom || memcmp(reg->uuid, key->uuid, VIR_UUID_BUFLEN) == 0)))
            return reg;
    }
    return NULL;
}

/* The server registration through 316; false with @ret_refused when the server
 * does not do event callbacks (then the legacy procedures are the way). */
static bool events_remote_acquire_callback(ClientEvents *events, virConnectPtr conn,
                                           EventCallback *cb, virDomainPtr dom, bool *ret_refused)
{
    g_autoptr(GError) error = NULL;
    RemoteReg fresh = { .event_id = cb->event_id, .has_dom = cb->has_dom, .users = 1 };
    DomainRef ref = { 0 };

    *ret_refused = false;
    if (dom)
        client_domain_to_ref(dom, &ref); /* borrows dom's name */
    if (!remote_driver_event_register(conn->drv, cb->event_id, dom ? &ref : NULL, &fresh.remote_id,
                                      &error)) {
        *ret_refused = !remote_driver_has_event_callbacks(conn->drv);
        if (!*ret_refused)
            client_error_set_gerror(error);
        return false;
    }
    memcpy(fresh.uuid, cb->uuid, VIR_UUID_BUFLEN);
    g_array_append_val(events->regs, fresh);
    cb->remote_id = fresh.remote_id;
    return true;
}

/* The legacy server registration for @cb's event id, made when it is the first. */
static bool events_remote_acquire_legacy(ClientEvents *events, virConnectPtr conn,
                                         EventCallback *cb)
{
    g_autoptr(GError) error = NULL;
    RemoteReg *reg = events_find_reg(events, cb->event_id, cb, true);
    RemoteReg fresh = {
        .event_id = cb->event_id,
        .remote_id = LEGACY_REMOTE_ID(cb->event_id),
        .users = 1,
        .legacy = true,
        .legacy_api = cb->legacy,
    };

    if (reg) {
        reg->users++;
        cb->remote_id = reg->remote_id;
        return true;
    }
    if (!remote_driver_event_register_legacy(conn->drv, cb->event_id, cb->legacy, &error)) {
        client_error_set_gerror(error);
        return false;
    }
    g_array_append_val(events->regs, fresh);
    cb->remote_id = fresh.remote_id;
    return true;
}

/* The server registration @cb shares, made when it is the first of its key. */
static bool events_remote_acquire(ClientEvents *events, virConnectPtr conn, EventCallback *cb,
                                  virDomainPtr dom)
{
    RemoteReg *reg;
    bool refused = false;

    if (remote_driver_has_event_callbacks(conn->drv)) {
        reg = events_find_reg(events, cb->event_id, cb, false);
        if (reg) {
            reg->users++;
            cb->remote_id = reg->remote_id;
            return true;
        }
        if (events_remote_acquire_callback(events, conn, cb, dom, &refused))
            return true;
        if (!refused)
            return false;
    }
    return events_remote_acquire_legacy(events, conn, cb);
}

static void events_remote_release(ClientEvents *events, virConnectPtr conn, const EventCallback *cb)
{
    for (guint i = 0; i < events->regs->len; i++) {
        RemoteReg *reg = &g_array_index(events->regs, RemoteReg, i);

        if (reg->remote_id != cb->remote_id || --reg->users > 0)
            continue;
        /* the server drops it anyway when the connection goes */
        if (reg->legacy)
            (void)remote_driver_event_deregister_legacy(conn->drv, reg->event_id, reg->legacy_api,
                                                        NULL);
        else
            (void)remote_driver_event_deregister(conn->drv, reg->remote_id, NULL);
        g_array_remove_index(events->regs, i);
        return;
    }
}

static bool events_is_tracked(ClientEvents *events, const EventCallback *cb)
{
    for (guint i = 0; i < events->callbacks->len; i++) {
        const EventCallback *other = g_ptr_array_index(events->callbacks, i);

        if (other->cb == cb->cb && other->event_id == cb->event_id && other->legacy == cb->legacy &&
            other->has_dom == cb->has_dom &&
            (!cb->has_dom || memcmp(other->uuid, cb->uuid, VIR_UUID_BUFLEN) == 0))
            return true;
    }
    return false;
}

/* Register @cb_template's callback; returns its id or -1 (error set). */
static int events_add(virConnectPtr conn, virDomainPtr dom, const EventCallback *tmpl)
{
    ClientEvents *events = conn->events;
    g_autoptr(GMainContext) ctx = client_event_loop_context();
    EventCallback *cb;
    int id;

    if (!ctx) {
        client_error_set(VIRT_FROM_NONE, VIRT_ERR_INTERNAL_ERROR,
                         "could not initialize domain event timer");
        return -1;
    }
    cb = g_new0(EventCallback, 1);
    *cb = *tmpl;
    cb->refs = 1;
    cb->remote_id = -1;
    if (dom) {
        cb->has_dom = true;
        memcpy(cb->uuid, dom->uuid, VIR_UUID_BUFLEN);
    }
    g_mutex_lock(&events->reg_lock);
    g_mutex_lock(&events->lock);
    if (events_is_tracked(events, cb)) {
        g_mutex_unlock(&events->lock);
        g_mutex_unlock(&events->reg_lock);
        g_free(cb);
        client_error_set(VIRT_FROM_NONE, VIRT_ERR_INVALID_ARG, "event callback already tracked");
        return -1;
    }
    g_mutex_unlock(&events->lock);
    if (events->remote && !events_remote_acquire(events, conn, cb, dom)) {
        g_mutex_unlock(&events->reg_lock);
        g_free(cb);
        return -1;
    }
    virConnectRef(conn);
    cb->conn = conn;
    g_mutex_lock(&events->lock);
    cb->id = id = events->next_id++;
    g_ptr_array_add(events->callbacks, cb);
    g_mutex_unlock(&events->lock);
    g_mutex_unlock(&events->reg_lock);
    return id;
}

typedef bool (*CallbackPredicate)(const EventCallback *cb, const void *key);

/* Remove the first callback @pred accepts; false (error unset) when none did. */
static bool events_remove(virConnectPtr conn, CallbackPredicate pred, const void *key)
{
    ClientEvents *events = conn->events;
    EventCallback *found = NULL;

    g_mutex_lock(&events->reg_lock);
    g_mutex_lock(&events->lock);
    for (guint i = 0; i < events->callbacks->len && !found; i++) {
        EventCallback *cb = g_ptr_array_index(events->callbacks, i);

        if (pred(cb, key)) {
            found = g_ptr_array_steal_index(events->callbacks, i);
            g_atomic_int_set(&found->removed, 1);
        }
    }
    g_mutex_unlock(&events->lock);
    if (found && events->remote)
        events_remote_release(events, conn, found);
    g_mutex_unlock(&events->reg_lock);
    if (!found)
        return false;
    /* may close the connection: no lock held */
    event_callback_unref(found);
    return true;
}

static bool callback_has_id(const EventCallback *cb, const void *key)
{
    return !cb->legacy && cb->id == *(const int *)key;
}

static bool callback_is_legacy_func(const EventCallback *cb, const void *key)
{
    return cb->legacy && (const void *)cb->cb == key;
}

/**
 * virConnectDomainEventRegisterAny - call @cb for events of @eventID
 * @conn: the connection
 * @dom: only this domain's events, or NULL for every domain
 * @eventID: VIR_DOMAIN_EVENT_ID_*
 * @cb: the callback, of the type @eventID documents, cast with
 *      VIR_DOMAIN_EVENT_CALLBACK()
 * @opaque: for @cb
 * @freecb: frees @opaque when the callback is deregistered, or NULL
 *
 * Needs the default event loop (virEventRegisterDefaultImpl()); callbacks run in
 * virEventRunDefaultImpl(). The connection is referenced until deregistration.
 *
 * Returns the callback id for virConnectDomainEventDeregisterAny(), or -1.
 */
int virConnectDomainEventRegisterAny(virConnectPtr conn, virDomainPtr dom, int eventID,
                                     virConnectDomainEventGenericCallback cb, void *opaque,
                                     virFreeCallback freecb)
{
    EventCallback tmpl = { .event_id = eventID, .cb = cb, .opaque = opaque, .freecb = freecb };

    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return -1;
    if (dom && (!client_domain_check(dom, __func__) || dom->conn != conn)) {
        client_error_set(VIRT_FROM_NONE, VIRT_ERR_INVALID_ARG,
                         "dom in %s must belong to the connection", __func__);
        return -1;
    }
    if (!cb) {
        client_error_set(VIRT_FROM_NONE, VIRT_ERR_INVALID_ARG, "cb in %s must not be NULL",
                         __func__);
        return -1;
    }
    if (eventID < 0 || eventID >= VIR_DOMAIN_EVENT_ID_LAST) {
        client_error_set(VIRT_FROM_NONE, VIRT_ERR_INVALID_ARG, "eventID in %s must be less than %d",
                         __func__, VIR_DOMAIN_EVENT_ID_LAST);
        return -1;
    }
    return events_add(conn, dom, &tmpl);
}

/**
 * virConnectDomainEventDeregisterAny: remove a callback registered with
 * virConnectDomainEventRegisterAny(); its free function runs.
 *
 * Returns 0, or -1 for an unknown id.
 */
int virConnectDomainEventDeregisterAny(virConnectPtr conn, int callbackID)
{
    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return -1;
    if (!events_remove(conn, callback_has_id, &callbackID)) {
        client_error_set(VIRT_FROM_NONE, VIRT_ERR_INVALID_ARG,
                         "could not find event callback %d for deletion", callbackID);
        return -1;
    }
    return 0;
}

/**
 * virConnectDomainEventRegister: the legacy form: @cb gets the lifecycle events of
 * every domain. Returns 0, or -1.
 */
int virConnectDomainEventRegister(virConnectPtr conn, virConnectDomainEventCallback cb,
                                  void *opaque, virFreeCallback freecb)
{
    EventCallback tmpl = {
        .event_id = VIR_DOMAIN_EVENT_ID_LIFECYCLE,
        .legacy = true,
        .cb = VIR_DOMAIN_EVENT_CALLBACK(cb),
        .opaque = opaque,
        .freecb = freecb,
    };

    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return -1;
    if (!cb) {
        client_error_set(VIRT_FROM_NONE, VIRT_ERR_INVALID_ARG, "cb in %s must not be NULL",
                         __func__);
        return -1;
    }
    return events_add(conn, NULL, &tmpl) < 0 ? -1 : 0;
}

/**
 * virConnectDomainEventDeregister: remove a legacy callback, named by its function.
 * Returns 0, or -1 when it was not registered.
 */
int virConnectDomainEventDeregister(virConnectPtr conn, virConnectDomainEventCallback cb)
{
    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return -1;
    if (!cb || !events_remove(conn, callback_is_legacy_func, (const void *)cb)) {
        client_error_set(VIRT_FROM_NONE, VIRT_ERR_INVALID_ARG,
                         "could not find event callback for removal");
        return -1;
    }
    return 0;
}

/* ---- close callback and keepalive ---- */

/**
 * virConnectRegisterCloseCallback - be told when the connection closes
 * @conn: the connection
 * @cb: called from the event loop with a virConnectCloseReason
 * @opaque: for @cb
 * @freecb: frees @opaque when the callback is unregistered, or NULL
 *
 * In-process connections never close on their own: for them this does nothing.
 * The connection is referenced until the callback is unregistered.
 *
 * Returns 0, or -1 (OPERATION_INVALID when a callback is already registered).
 */
int virConnectRegisterCloseCallback(virConnectPtr conn, virConnectCloseFunc cb, void *opaque,
                                    virFreeCallback freecb)
{
    g_autoptr(GError) error = NULL;
    ClientEvents *events;

    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return -1;
    events = conn->events;
    if (!events->remote)
        return 0;
    g_mutex_lock(&events->reg_lock);
    if (events->close_cb) {
        g_mutex_unlock(&events->reg_lock);
        client_error_set(VIRT_FROM_NONE, VIRT_ERR_OPERATION_INVALID,
                         "A close callback is already registered");
        return -1;
    }
    if (!remote_driver_close_callback_enable(conn->drv, true, &error)) {
        g_mutex_unlock(&events->reg_lock);
        client_error_set_gerror(error);
        return -1;
    }
    virConnectRef(conn);
    g_mutex_lock(&events->lock);
    events->close_cb = cb;
    events->close_opaque = opaque;
    events->close_free = freecb;
    g_mutex_unlock(&events->lock);
    g_mutex_unlock(&events->reg_lock);
    return 0;
}

/**
 * virConnectUnregisterCloseCallback: remove the close callback @cb; its free
 * function runs. Returns 0, or -1 when @cb is not the registered one.
 */
int virConnectUnregisterCloseCallback(virConnectPtr conn, virConnectCloseFunc cb)
{
    ClientEvents *events;
    void *opaque;
    virFreeCallback freecb;

    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return -1;
    events = conn->events;
    if (!events->remote)
        return 0;
    g_mutex_lock(&events->reg_lock);
    g_mutex_lock(&events->lock);
    if (!events->close_cb || events->close_cb != cb) {
        g_mutex_unlock(&events->lock);
        g_mutex_unlock(&events->reg_lock);
        client_error_set(VIRT_FROM_NONE, VIRT_ERR_OPERATION_INVALID,
                         "A different callback was requested");
        return -1;
    }
    opaque = events->close_opaque;
    freecb = events->close_free;
    events->close_cb = NULL;
    events->close_opaque = NULL;
    events->close_free = NULL;
    g_mutex_unlock(&events->lock);
    /* a dead connection cannot be told; the server forgot it already */
    if (remote_driver_is_alive(conn->drv))
        (void)remote_driver_close_callback_enable(conn->drv, false, NULL);
    g_mutex_unlock(&events->reg_lock);
    if (freecb)
        freecb(opaque);
    virConnectClose(conn);
    return 0;
}

/**
 * virConnectSetKeepAlive - ping a silent server, and close when it stays silent
 * @conn: the connection
 * @interval: seconds of silence before a ping; <= 0 turns keepalive off
 * @count: unanswered pings after which the connection is closed (reason KEEPALIVE)
 *
 * Returns 0, 1 when the server does not support keepalive, or -1 (NO_SUPPORT on
 * in-process connections, which cannot go silent).
 */
int virConnectSetKeepAlive(virConnectPtr conn, int interval, unsigned int count)
{
    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return -1;
    if (!remote_driver_is(conn->ops)) {
        client_error_set(VIRT_FROM_DOMAIN, VIRT_ERR_NO_SUPPORT, "%s", __func__);
        return -1;
    }
    return remote_driver_set_keepalive(conn->drv, interval, count, NULL);
}
