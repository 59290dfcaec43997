/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Packet framing helpers for the daemon: header decode and encoding of whole packets
 * (length word, header, XDR payload). The payload marshalling is rpcgen's, from
 * common/rpc's schema.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include <rpc/types.h>
#include <rpc/xdr.h>

#define PACKET_PROG_REMOTE 0x20008086u
#define PACKET_PROG_KEEPALIVE 0x6b656570u
#define PACKET_PROG_ADMIN 0x06900690u
#define PACKET_HEADER_LEN 24u

typedef enum PacketType {
    PACKET_TYPE_CALL = 0,
    PACKET_TYPE_REPLY = 1,
    PACKET_TYPE_MESSAGE = 2,
    PACKET_TYPE_STREAM = 3,
    PACKET_TYPE_CALL_WITH_FDS = 4,
    PACKET_TYPE_REPLY_WITH_FDS = 5,
    PACKET_TYPE_STREAM_HOLE = 6,
} PacketType;

typedef enum PacketStatus {
    PACKET_STATUS_OK = 0,
    PACKET_STATUS_ERROR = 1,
    PACKET_STATUS_CONTINUE = 2,
} PacketStatus;

typedef struct PacketHeader {
    uint32_t prog;
    uint32_t vers;
    int32_t proc;
    int32_t type;
    uint32_t serial;
    int32_t status;
} PacketHeader;

/* @data is the packet after the length word */
bool packet_header_decode(const uint8_t *data, size_t len, PacketHeader *ret_header);

/* A packet with no payload (keepalive, void replies). */
GBytes *packet_build_empty(uint32_t prog, int proc, PacketType type, uint32_t serial,
                           PacketStatus status);
/* A packet with @payload marshalled by @xdr; NULL if the encoding fails. */
GBytes *packet_build(const PacketHeader *header, xdrproc_t xdr, const void *payload);
/* Decode @len bytes at @data into @ret (zeroed, of the type @xdr handles). */
bool packet_decode_payload(const uint8_t *data, size_t len, xdrproc_t xdr, void *ret);
/* Free what packet_decode_payload allocated inside @obj. */
void packet_free_payload(xdrproc_t xdr, void *obj);
