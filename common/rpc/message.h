/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The packet codec of libvirt's RPC protocol, as pure code: bytes in, messages out
 * and back. No sockets, no clocks, no logging.
 *
 * A packet is a 4-byte big-endian length word that counts itself, a 24-byte header
 * (RpcHeader, six XDR words), for *_WITH_FDS packets a 4-byte count of the file
 * descriptors that travel beside the packet, then the payload: the procedure's XDR
 * args/ret/msg, a remote_error for failed replies, or raw bytes for STREAM data.
 *
 * RpcDecoder takes bytes as they arrive and yields complete messages. Every limit is
 * checked before memory is committed: the length word as soon as its 4 bytes are
 * in, the header and fd count as soon as theirs are, and the packet buffer grows
 * with the bytes actually received, never to the size the peer claims.
 *
 * The descriptors of a *_WITH_FDS packet follow it on the socket, each with one
 * dummy byte of its own (libvirt's framing); the decoder takes them with the bytes
 * they came with and yields the message once all of them are in. A descriptor that
 * does not sit on such a byte, or such a byte without one, is a framing error. The
 * decoder and its messages own the descriptors they were given and close those
 * nobody took.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "rpc/proc-table.h"
#include "util/enum-table.h"

#define RPC_MESSAGE_LEN_SIZE 4u
#define RPC_MESSAGE_HEADER_SIZE 24u
#define RPC_MESSAGE_MAX 33554432u /* header + payload, without the length word */
#define RPC_MESSAGE_PAYLOAD_MAX (RPC_MESSAGE_MAX - RPC_MESSAGE_HEADER_SIZE)
#define RPC_MESSAGE_INITIAL 65536u
#define RPC_MESSAGE_NUM_FDS_MAX 32u
#define RPC_MESSAGE_STRING_MAX 4194304u

typedef enum RpcMessageType {
    RPC_MESSAGE_CALL = 0,
    RPC_MESSAGE_REPLY = 1,
    RPC_MESSAGE_MESSAGE = 2,
    RPC_MESSAGE_STREAM = 3,
    RPC_MESSAGE_CALL_WITH_FDS = 4,
    RPC_MESSAGE_REPLY_WITH_FDS = 5,
    RPC_MESSAGE_STREAM_HOLE = 6,
    _RPC_MESSAGE_TYPE_MAX,
    _RPC_MESSAGE_TYPE_INVALID = -EINVAL,
} RpcMessageType;

typedef enum RpcMessageStatus {
    RPC_STATUS_OK = 0,
    RPC_STATUS_ERROR = 1,
    RPC_STATUS_CONTINUE = 2,
    _RPC_STATUS_MAX,
    _RPC_STATUS_INVALID = -EINVAL,
} RpcMessageStatus;

ENUM_TABLE_DECLARE(rpc_message_type, RpcMessageType);
ENUM_TABLE_DECLARE(rpc_message_status, RpcMessageStatus);

typedef struct RpcHeader {
    uint32_t prog;
    uint32_t vers;
    int32_t proc;
    RpcMessageType type;
    uint32_t serial;
    RpcMessageStatus status;
} RpcHeader;

typedef struct RpcMessage {
    RpcHeader header;
    unsigned int n_fds; /* announced by *_WITH_FDS packets, else 0 */
    int *fds;           /* decoded: the n_fds descriptors that came with it (-1: taken,
                         * NULL when none); closed with the message */
    GBytes *payload;    /* what follows the header (and fd count); never NULL */
} RpcMessage;

RpcMessage *rpc_message_free(RpcMessage *msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcMessage, rpc_message_free)

bool rpc_message_type_has_fds(RpcMessageType type);

/* Encoding */

GBytes *rpc_message_encode(const RpcHeader *header, unsigned int n_fds, const void *payload,
                           size_t len, GError **error);
GBytes *rpc_message_encode_xdr(const RpcHeader *header, unsigned int n_fds, xdrproc_t proc,
                               const void *obj, GError **error);
GBytes *rpc_message_encode_call(uint32_t prog, int proc, uint32_t serial, const void *args,
                                GError **error);
GBytes *rpc_message_encode_call_with_fds(uint32_t prog, int proc, uint32_t serial,
                                         unsigned int n_fds, const void *args, GError **error);
GBytes *rpc_message_encode_reply(const RpcHeader *call, const void *ret, GError **error);
GBytes *rpc_message_encode_event(uint32_t prog, int proc, uint32_t serial, const void *msg,
                                 GError **error);

/* Decoding */

typedef struct RpcDecoder RpcDecoder;

RpcDecoder *rpc_decoder_new(void);
RpcDecoder *rpc_decoder_free(RpcDecoder *decoder);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcDecoder, rpc_decoder_free)

bool rpc_decoder_feed(RpcDecoder *decoder, const void *data, size_t len, GError **error);
bool rpc_decoder_feed_fds(RpcDecoder *decoder, const void *data, size_t len, int *fds,
                          unsigned int n_fds, GError **error);
RpcMessage *rpc_decoder_pop(RpcDecoder *decoder);
bool rpc_decoder_finish(RpcDecoder *decoder, GError **error);
size_t rpc_decoder_buffered(const RpcDecoder *decoder);

bool rpc_header_check_call(const RpcHeader *header, GError **error);

/* Payloads: the procedure's args/ret/msg by the generated table */

const RpcPayloadType *rpc_message_payload_type(const RpcHeader *header, GError **error);
bool rpc_payload_decode(const RpcPayloadType *type, GBytes *payload, void *obj, GError **error);
void rpc_payload_clear(const RpcPayloadType *type, void *obj);
