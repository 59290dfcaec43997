/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Domain event registrations and delivery to clients (loop thread). */

#define G_LOG_DOMAIN "virtkit-daemon"

#include <string.h>

#include "daemon/client.h"
#include "daemon/daemon-priv.h"
#include "daemon/dispatch.h"
#include "daemon/events.h"
#include "daemon/worker.h"
#include "util/error.h"

#define EVENT_ID_LIFECYCLE 0
#define EVENT_ID_REBOOT 1
#define EVENT_ID_LEGACY_MAX 15 /* 167 accepts ids up to DEVICE_REMOVED */
#define EVENT_ID_MAX 63        /* ids we accept registrations for; lifecycle and reboot fire */
#define EVENT_REGS_MAX 1024    /* per client */
/* libvirtd sends events with serial 1 (virsh-rpc-trace.md); clients ignore it */
#define EVENT_SERIAL 1

typedef struct EventPost {
    Client *client; /* a reference */
    DomainEvent event;
} EventPost;

void events_client_clear(Client *client)
{
    g_array_set_size(client->events, 0);
}

static bool events_reg_matches(const EventReg *reg, const DomainEvent *event)
{
    if (reg->event_id != event->event_id)
        return false;
    return !reg->has_filter || memcmp(reg->filter_uuid, event->dom->uuid, VIRT_UUID_LEN) == 0;
}

static void events_send(Client *client, int proc, const void *msg)
{
    g_autoptr(GError) error = NULL;
    GBytes *packet = rpc_message_encode_event(REMOTE_PROGRAM, proc, EVENT_SERIAL, msg, &error);

    if (!packet) {
        g_warning("cannot encode event %d: %s", proc, error->message);
        return;
    }
    client_send(client, packet);
}

static void events_deliver_lifecycle(Client *client, const DomainEvent *event)
{
    remote_domain_event_lifecycle_msg lifecycle = { .event = event->event,
                                                    .detail = event->detail };
    bool legacy_sent = false;

    dispatch_domain_to_wire(event->dom, &lifecycle.dom);
    for (guint i = 0; i < client->events->len && !client->dead; i++) {
        const EventReg *reg = &g_array_index(client->events, EventReg, i);

        if (!events_reg_matches(reg, event))
            continue;
        if (reg->kind == EVENT_REG_CALLBACK) {
            remote_domain_event_callback_lifecycle_msg msg = { .callbackID = reg->callback_id,
                                                               .msg = lifecycle };

            events_send(client, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE, &msg);
        } else if (!legacy_sent) {
            /* 105 and 167 both deliver the old 107 message; once is enough */
            legacy_sent = true;
            events_send(client, REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE, &lifecycle);
        }
    }
    g_free(lifecycle.dom.name);
}

static void events_deliver_reboot(Client *client, const DomainEvent *event)
{
    remote_domain_event_reboot_msg reboot = { 0 };

    dispatch_domain_to_wire(event->dom, &reboot.dom);
    for (guint i = 0; i < client->events->len && !client->dead; i++) {
        const EventReg *reg = &g_array_index(client->events, EventReg, i);

        if (!events_reg_matches(reg, event))
            continue;
        if (reg->kind == EVENT_REG_CALLBACK) {
            remote_domain_event_callback_reboot_msg msg = { .callbackID = reg->callback_id,
                                                            .msg = reboot };

            events_send(client, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_REBOOT, &msg);
        } else {
            events_send(client, REMOTE_PROC_DOMAIN_EVENT_REBOOT, &reboot);
        }
    }
    g_free(reboot.dom.name);
}

static void events_deliver(Client *client, const DomainEvent *event)
{
    if (event->event_id == EVENT_ID_LIFECYCLE)
        events_deliver_lifecycle(client, event);
    else if (event->event_id == EVENT_ID_REBOOT)
        events_deliver_reboot(client, event);
}

static void events_on_loop(Daemon *daemon, gpointer data)
{
    EventPost *post = data;

    if (!post->client->dead)
        events_deliver(post->client, &post->event);
    domain_ref_free(post->event.dom);
    client_unref(post->client);
    g_free(post);
}

/**
 * events_driver_callback - DriverEventFunc for the connections of clients
 * @event: the event; copied
 * @user_data: the Client whose connection produced it
 *
 * Any thread. The Client stays alive while its driver connection is open.
 */
void events_driver_callback(const DomainEvent *event, void *user_data)
{
    Client *client = user_data;
    EventPost *post = g_new0(EventPost, 1);

    post->client = client_ref(client);
    post->event = *event;
    post->event.dom = domain_ref_copy(event->dom);
    worker_pool_post(client->daemon->workers, events_on_loop, post);
}

static bool events_add(Client *client, const EventReg *reg, GError **error)
{
    if (client->events->len >= EVENT_REGS_MAX) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_OPERATION_FAILED,
                    "too many event registrations (maximum %d)", EVENT_REGS_MAX);
        return false;
    }
    g_array_append_vals(client->events, reg, 1);
    return true;
}

/* Index of the first registration of @kind with @key (callback or event id), or -1. */
static int events_find(Client *client, EventRegKind kind, int key)
{
    for (guint i = 0; i < client->events->len; i++) {
        const EventReg *reg = &g_array_index(client->events, EventReg, i);

        if (reg->kind != kind)
            continue;
        if ((kind == EVENT_REG_CALLBACK ? reg->callback_id : reg->event_id) == key)
            return (int)i;
    }
    return -1;
}

bool dispatch_remote_connect_domain_event_callback_register_any(
    DispatchCall *call, const remote_connect_domain_event_callback_register_any_args *args,
    remote_connect_domain_event_callback_register_any_ret *ret, GError **error)
{
    Client *client = call->client;
    EventReg reg = { .kind = EVENT_REG_CALLBACK, .event_id = args->eventID };

    if (args->eventID < 0 || args->eventID > EVENT_ID_MAX) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_INVALID_ARG, "unsupported event ID %d",
                    args->eventID);
        return false;
    }
    if (args->dom) {
        reg.has_filter = true;
        memcpy(reg.filter_uuid, (*args->dom).uuid, VIRT_UUID_LEN);
    }
    reg.callback_id = client->next_callback_id;
    if (!events_add(client, &reg, error))
        return false;
    client->next_callback_id++;
    ret->callbackID = reg.callback_id;
    return true;
}

bool dispatch_remote_connect_domain_event_callback_deregister_any(
    DispatchCall *call, const remote_connect_domain_event_callback_deregister_any_args *args,
    GError **error)
{
    int i = events_find(call->client, EVENT_REG_CALLBACK, args->callbackID);

    if (i < 0) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_INVALID_ARG,
                    "domain event callback %d not registered", args->callbackID);
        return false;
    }
    g_array_remove_index(call->client->events, (guint)i);
    return true;
}

bool dispatch_remote_connect_domain_event_register(DispatchCall *call,
                                                   remote_connect_domain_event_register_ret *ret,
                                                   GError **error)
{
    EventReg reg = { .kind = EVENT_REG_LEGACY, .event_id = EVENT_ID_LIFECYCLE };

    if (events_find(call->client, EVENT_REG_LEGACY, EVENT_ID_LIFECYCLE) < 0 &&
        !events_add(call->client, &reg, error))
        return false;
    ret->cb_registered = 1;
    return true;
}

bool dispatch_remote_connect_domain_event_deregister(
    DispatchCall *call, remote_connect_domain_event_deregister_ret *ret, GError **error)
{
    int i = events_find(call->client, EVENT_REG_LEGACY, EVENT_ID_LIFECYCLE);

    if (i >= 0)
        g_array_remove_index(call->client->events, (guint)i);
    ret->cb_registered = 0;
    return true;
}

bool dispatch_remote_connect_domain_event_register_any(
    DispatchCall *call, const remote_connect_domain_event_register_any_args *args, GError **error)
{
    EventReg reg = { .kind = EVENT_REG_ANY, .event_id = args->eventID };

    if (args->eventID < 0 || args->eventID > EVENT_ID_LEGACY_MAX) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_INVALID_ARG, "unsupported event ID %d",
                    args->eventID);
        return false;
    }
    if (events_find(call->client, EVENT_REG_ANY, args->eventID) >= 0) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "domain event %d already registered", args->eventID);
        return false;
    }
    return events_add(call->client, &reg, error);
}

bool dispatch_remote_connect_domain_event_deregister_any(
    DispatchCall *call, const remote_connect_domain_event_deregister_any_args *args, GError **error)
{
    int i = events_find(call->client, EVENT_REG_ANY, args->eventID);

    if (i < 0) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "domain event %d not registered", args->eventID);
        return false;
    }
    g_array_remove_index(call->client->events, (guint)i);
    return true;
}
