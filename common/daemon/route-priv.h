/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The core's routing hooks (route.c): used by dispatch, clients and shutdown. */

#include <stdbool.h>

#include "daemon/daemon-priv.h"
#include "daemon/dispatch.h"
#include "daemon/identity.h"
#include "daemon/route.h"

bool daemon_route_connect_open(DispatchCall *call, const remote_connect_open_args *args,
                               char **ret_local_name, bool *ret_spliced, GError **error);
GBytes *daemon_route_handoff(Client *client, GBytes *reply);
void daemon_route_attach(Client *client);
bool daemon_route_handoff_listen(Daemon *daemon, GError **error);
void daemon_route_client_clear(Client *client);
unsigned int daemon_route_count(Daemon *daemon);
void daemon_route_close_all(Daemon *daemon);
