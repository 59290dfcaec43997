/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Domain event registrations of clients and delivery of driver events to them. */

typedef struct Client Client;

void events_client_clear(Client *client);
