/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Keepalive PING/PONG for daemon clients. */

#define G_LOG_DOMAIN "virtkit-daemon"

#include "daemon/client.h"
#include "daemon/daemon-priv.h"
#include "daemon/keepalive.h"
#include "rpc/message.h"
#include "rpc/remote-protocol.h"

static void keepalive_send(Client *client, int proc)
{
    RpcHeader h = { KEEPALIVE_PROGRAM, KEEPALIVE_PROTOCOL_VERSION, proc, RPC_MESSAGE_MESSAGE, 0,
                    RPC_STATUS_OK };

    client_send(client, rpc_message_encode(&h, 0, NULL, 0, NULL));
}

static int keepalive_on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
    /* sending may disconnect (and free) the client: hold it until we are done */
    g_autoptr(Client) client = client_ref(userdata);
    const DaemonConfig *config = &client->daemon->config;

    if (client->ka_missed >= config->keepalive_count) {
        client_disconnect(client, "connection closed due to keepalive timeout");
        return 0;
    }
    client->ka_missed++;
    keepalive_send(client, KEEPALIVE_PROC_PING);
    if (client->dead)
        return 0;
    (void)sd_event_source_set_time_relative(s,
                                            (uint64_t)config->keepalive_interval * G_USEC_PER_SEC);
    return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
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

    if (client->ka_timer || config->keepalive_interval <= 0 || client->dead)
        return;
    client->keepalive = true;
    (void)sd_event_add_time_relative(client->daemon->event, &client->ka_timer, CLOCK_MONOTONIC,
                                     (uint64_t)config->keepalive_interval * G_USEC_PER_SEC,
                                     G_USEC_PER_SEC / 10, keepalive_on_timer, client);
}

void keepalive_stop(Client *client)
{
    client->ka_timer = sd_event_source_disable_unref(client->ka_timer);
}

/* Any packet proves the peer alive: restart the silence timer. */
void keepalive_on_receive(Client *client)
{
    const DaemonConfig *config = &client->daemon->config;

    client->ka_missed = 0;
    if (!client->ka_timer)
        return;
    (void)sd_event_source_set_time_relative(client->ka_timer,
                                            (uint64_t)config->keepalive_interval * G_USEC_PER_SEC);
    (void)sd_event_source_set_enabled(client->ka_timer, SD_EVENT_ONESHOT);
}

/* A keepalive MESSAGE from the peer: PING gets a PONG, anything else is ignored. */
void keepalive_handle(Client *client, int proc)
{
    if (proc == KEEPALIVE_PROC_PING)
        keepalive_send(client, KEEPALIVE_PROC_PONG);
}
