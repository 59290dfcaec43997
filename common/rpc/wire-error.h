/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * GError <-> remote_error, the error struct of every failed REPLY. The GError's
 * domain and code are the libvirt {domain, code} pair (util/error.h), so an error
 * crosses the wire with its identity and message intact.
 */

#include <glib.h>

#include "rpc/message.h"
#include "rpc/remote-protocol.h"

/* virErrorLevel */
typedef enum RpcErrorLevel {
    RPC_ERROR_LEVEL_NONE = 0,
    RPC_ERROR_LEVEL_WARNING = 1,
    RPC_ERROR_LEVEL_ERROR = 2,
} RpcErrorLevel;

void rpc_wire_error_from_gerror(const GError *error, remote_error *ret);
void rpc_wire_error_clear(remote_error *wire);
GError *rpc_wire_error_to_gerror(const remote_error *wire);

GBytes *rpc_message_encode_error(const RpcHeader *call, const GError *error, GError **err);
GError *rpc_message_decode_error(const RpcMessage *msg);
