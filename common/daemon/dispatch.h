/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Dispatch of decoded packets: programs, procedures, auth and read-only checks. */

#include <glib.h>

typedef struct Client Client;

/* A whole packet (after the length word) from @client; takes the reference. */
void dispatch_packet(Client *client, GBytes *packet);
/* Close the driver connection of a client that has gone (loop thread). */
void dispatch_release_conn(Client *client);
