/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Keepalive PING/PONG for daemon clients: the timing rules are rpc/keepalive.h's state
 * machine (the one the rpc client uses too); this file only owns the sd-event timer and
 * sends what the state machine asks for. Times are CLOCK_MONOTONIC microseconds, the
 * clock of both g_get_monotonic_time() and the timer.
 */

#define G_LOG_DOMAIN "virtkit-daemon"

#include "daemon/client.h"
#include "daemon/daemon-priv.h"
#include "daemon/keepalive.h"
#include "rpc/keepalive.h"
#include "rpc/message.h"
#include "rpc/remote-protocol.h"

/* The timer fires at the state machine's next deadline; it is not moved on every
 * packet received, the state machine says NONE when it fires early. */
static int keepalive_arm(Client *client)
{
    int64_t deadline = rpc_keepalive_deadline(&client->ka);

    if (deadline < 0)
        return sd_event_source_set_enabled(client->ka_timer, SD_EVENT_OFF);
    (void)sd_event_source_set_time(client->ka_timer, (uint64_t)deadline);
    return sd_event_source_set_enabled(client->ka_timer, SD_EVENT_ONESHOT);
}

static int keepalive_on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
    /* sending may disconnect (and free) the client: hold it until we are done */
    g_autoptr(Client) client = client_ref(userdata);
    RpcKeepaliveAction action = rpc_keepalive_timer(&client->ka, g_get_monotonic_time());

    switch (action) {
    case RPC_KEEPALIVE_DEAD:
        client_disconnect(client, "connection closed due to keepalive timeout");
        return 0;
    case RPC_KEEPALIVE_SEND_PING:
    case RPC_KEEPALIVE_SEND_PONG:
        client_send(client, rpc_keepalive_encode(action));
        break;
    case RPC_KEEPALIVE_NONE:
    case _RPC_KEEPALIVE_ACTION_MAX:
    case _RPC_KEEPALIVE_ACTION_INVALID:
        break;
    }
    if (client->dead || s != client->ka_timer)
        return 0;
    return keepalive_arm(client);
}

/**
 * keepalive_start - ping @client when it goes quiet
 * @client: a client that asked CONNECT_SUPPORTS_FEATURE(PROGRAM_KEEPALIVE)
 *
 * Does nothing when keepalive_interval <= 0 or it already runs.
 */
void keepalive_start(Client *client)
{
    const DaemonConfig *config = &client->daemon->config;
    int64_t now = g_get_monotonic_time();

    if (client->ka_timer || config->keepalive_interval <= 0 || client->dead)
        return;
    client->keepalive = true;
    /* keep when the client was last heard: silence before the request counts */
    rpc_keepalive_init(&client->ka, (unsigned int)config->keepalive_interval,
                       config->keepalive_count, client->ka.last_received_usec);
    rpc_keepalive_start(&client->ka, now);
    if (sd_event_add_time(client->daemon->event, &client->ka_timer, CLOCK_MONOTONIC,
                          (uint64_t)rpc_keepalive_deadline(&client->ka), G_USEC_PER_SEC / 10,
                          keepalive_on_timer, client) < 0)
        g_debug("client %" G_GUINT64_FORMAT ": no keepalive timer", client->id);
}

void keepalive_stop(Client *client)
{
    rpc_keepalive_stop(&client->ka);
    client->ka_timer = sd_event_source_disable_unref(client->ka_timer);
}

/* Any packet proves the peer alive. */
void keepalive_on_receive(Client *client)
{
    static const RpcHeader any_packet = { 0 };

    (void)rpc_keepalive_received(&client->ka, &any_packet, g_get_monotonic_time());
}

/* A keepalive MESSAGE from the peer: PING gets a PONG, anything else is ignored. */
void keepalive_handle(Client *client, int proc)
{
    RpcHeader h = { KEEPALIVE_PROGRAM, KEEPALIVE_PROTOCOL_VERSION, proc, RPC_MESSAGE_MESSAGE, 0,
                    RPC_STATUS_OK };
    RpcKeepaliveAction action = rpc_keepalive_received(&client->ka, &h, g_get_monotonic_time());

    if (action == RPC_KEEPALIVE_SEND_PONG)
        client_send(client, rpc_keepalive_encode(action));
}
