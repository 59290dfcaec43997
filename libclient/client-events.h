/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Per-connection event state (connect-events.c): the registered domain event
 * callbacks, the server-side registrations they share, the close callback, and
 * the queue that carries events from whichever thread reported them into the
 * default event loop.
 */

#include <glib.h>

#include "driver/driver.h"

typedef struct ClientEvents ClientEvents;
typedef struct _virConnect *virConnectPtr;

ClientEvents *client_events_new(void);
ClientEvents *client_events_unref(ClientEvents *events);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ClientEvents, client_events_unref)

/* The DriverEventFunc in-process drivers get, with the ClientEvents as data. */
void client_events_driver_cb(const DomainEvent *event, void *user_data);

/* After the open: bind to the connection (and a remote one's event/close sinks). */
void client_events_attach(ClientEvents *events, virConnectPtr conn);
/* At the close: nothing queued is delivered after this. */
void client_events_detach(ClientEvents *events);
