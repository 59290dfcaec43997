/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Packet framing on libtirpc's XDR memory streams. */

#include <string.h>

#include "daemon/packet.h"

static uint32_t packet_get_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void packet_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

/**
 * packet_header_decode - read the 24-byte header
 * @data: packet bytes after the length word
 * @len: their number
 * @ret_header: filled on success
 */
bool packet_header_decode(const uint8_t *data, size_t len, PacketHeader *ret_header)
{
    if (len < PACKET_HEADER_LEN)
        return false;
    *ret_header = (PacketHeader){
        .prog = packet_get_u32(data),
        .vers = packet_get_u32(data + 4),
        .proc = (int32_t)packet_get_u32(data + 8),
        .type = (int32_t)packet_get_u32(data + 12),
        .serial = packet_get_u32(data + 16),
        .status = (int32_t)packet_get_u32(data + 20),
    };
    return true;
}

static void packet_put_header(uint8_t *buf, uint32_t total, const PacketHeader *h)
{
    packet_put_u32(buf, total);
    packet_put_u32(buf + 4, h->prog);
    packet_put_u32(buf + 8, h->vers);
    packet_put_u32(buf + 12, (uint32_t)h->proc);
    packet_put_u32(buf + 16, (uint32_t)h->type);
    packet_put_u32(buf + 20, h->serial);
    packet_put_u32(buf + 24, (uint32_t)h->status);
}

GBytes *packet_build_empty(uint32_t prog, int proc, PacketType type, uint32_t serial,
                           PacketStatus status)
{
    PacketHeader h = { prog, 1, proc, type, serial, status };
    uint8_t *buf = g_malloc(4 + PACKET_HEADER_LEN);

    packet_put_header(buf, 4 + PACKET_HEADER_LEN, &h);
    return g_bytes_new_take(buf, 4 + PACKET_HEADER_LEN);
}

/**
 * packet_build - encode a whole packet
 * @header: its header
 * @xdr: payload marshaller (xdr_void for none)
 * @payload: the payload object
 *
 * Returns NULL when the payload cannot be encoded (a bug or an over-long value).
 */
GBytes *packet_build(const PacketHeader *header, xdrproc_t xdr, const void *payload)
{
    unsigned long size = xdr_sizeof(xdr, (void *)payload);
    size_t total = 4 + PACKET_HEADER_LEN + size;
    uint8_t *buf;
    XDR xdrs;

    if (size == 0 && payload)
        return NULL;
    buf = g_malloc(total);
    packet_put_header(buf, (uint32_t)total, header);
    xdrmem_create(&xdrs, (char *)buf + 4 + PACKET_HEADER_LEN, size, XDR_ENCODE);
    if (!xdr(&xdrs, (void *)payload, 0)) {
        xdr_destroy(&xdrs);
        g_free(buf);
        return NULL;
    }
    xdr_destroy(&xdrs);
    return g_bytes_new_take(buf, total);
}

/**
 * packet_decode_payload - decode a payload that must fill @len exactly
 * @data: payload bytes
 * @len: their number
 * @xdr: unmarshaller
 * @ret: zero-initialized object; on failure whatever was allocated is freed
 */
bool packet_decode_payload(const uint8_t *data, size_t len, xdrproc_t xdr, void *ret)
{
    XDR xdrs;
    bool ok;

    xdrmem_create(&xdrs, (char *)data, len, XDR_DECODE);
    ok = xdr(&xdrs, ret, 0) && xdr_getpos(&xdrs) == len;
    xdr_destroy(&xdrs);
    if (!ok)
        packet_free_payload(xdr, ret);
    return ok;
}

void packet_free_payload(xdrproc_t xdr, void *obj)
{
    xdr_free(xdr, obj);
}
