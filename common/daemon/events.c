/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Domain event registrations and delivery. */

#include "daemon/daemon-priv.h"
#include "daemon/events.h"

/* Drop every registration of a client that leaves. */
void events_client_clear(Client *client)
{
    g_array_set_size(client->events, 0);
}
