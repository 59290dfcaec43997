/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Packet dispatch (first step: keepalive only). */

#define G_LOG_DOMAIN "virtkit-daemon"

#include "daemon/client.h"
#include "daemon/daemon-priv.h"
#include "daemon/dispatch.h"
#include "daemon/keepalive.h"
#include "daemon/packet.h"

void dispatch_packet(Client *client, GBytes *packet)
{
    g_autoptr(GBytes) owned = packet;
    gsize len = 0;
    const uint8_t *data = g_bytes_get_data(packet, &len);
    PacketHeader header;

    if (!packet_header_decode(data, len, &header)) {
        client_disconnect(client, "malformed packet header");
        return;
    }
    if (header.prog == PACKET_PROG_KEEPALIVE && header.type == PACKET_TYPE_MESSAGE) {
        keepalive_handle(client, header.proc);
        return;
    }
    client_disconnect(client, "remote program not served yet");
}

void dispatch_release_conn(Client *client)
{
}
