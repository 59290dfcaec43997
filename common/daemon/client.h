/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Client sessions: what dispatch, events and admin use (all on the loop thread). */

#include <glib.h>
#include <stdbool.h>

#include "rpc/message.h"

typedef struct Client Client;

void client_send(Client *client, GBytes *packet);
void client_update_io(Client *client);
void client_call_done(Client *client);
bool client_call_may_start(Client *client);
void client_defer_call(Client *client, RpcMessage *msg);
void client_resume_input(Client *client);
