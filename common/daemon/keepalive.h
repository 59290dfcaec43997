/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Server side of libvirt's keepalive program (libvirt-facts §1.7), on the loop thread:
 * PINGs are answered at once whatever the client's calls are doing, and clients that
 * asked for feature 10 are pinged after keepalive_interval seconds of silence.
 */

typedef struct Client Client;

void keepalive_start(Client *client);
void keepalive_stop(Client *client);
void keepalive_on_receive(Client *client);
void keepalive_handle(Client *client, int proc);
