/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Domain event registrations of clients (316/317, legacy 105/106 and 167/168) and
 * delivery: a driver's DriverEventFunc may run on any thread; it only queues the
 * event to the loop, which encodes one MESSAGE per matching registration.
 */

#include "driver/driver.h"

typedef struct Client Client;

/* The DriverEventFunc of every connection the daemon opens; @user_data is the Client. */
void events_driver_callback(const DomainEvent *event, void *user_data);
void events_client_clear(Client *client);
