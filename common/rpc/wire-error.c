/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * GError <-> remote_error. Optional strings are heap pointers to heap strings,
 * exactly what rpcgen's decoder produces, so xdr_free() releases both kinds.
 */

#include <string.h>

#include "rpc/wire-error.h"
#include "util/error.h"

static remote_string optional_string(const char *s)
{
    remote_string ret;

    if (!s)
        return NULL;
    ret = malloc(sizeof(*ret));
    g_assert(ret);
    *ret = strdup(s);
    g_assert(*ret);
    return ret;
}

/**
 * rpc_wire_error_from_gerror: fill @ret from @error. {domain, code} come from
 * virt_error_identity(); the message travels verbatim, and again in str1 as
 * libvirtd does for an error without detail (recorded: "Domain not found" in both);
 * level is ERROR, int1 and int2 are -1. Release with rpc_wire_error_clear().
 */
void rpc_wire_error_from_gerror(const GError *error, remote_error *ret)
{
    VirtErrorDomain domain;
    VirtErrorCode code;

    virt_error_identity(error, &domain, &code);
    memset(ret, 0, sizeof(*ret));
    ret->code = code;
    ret->domain = domain;
    ret->message = optional_string(error->message);
    ret->level = RPC_ERROR_LEVEL_ERROR;
    ret->str1 = optional_string(error->message);
    ret->int1 = -1;
    ret->int2 = -1;
}

/**
 * rpc_wire_error_clear: free the strings of @wire (filled by either direction).
 */
void rpc_wire_error_clear(remote_error *wire)
{
    xdr_free((xdrproc_t)(void (*)(void))xdr_remote_error, (char *)wire);
    memset(wire, 0, sizeof(*wire));
}

/**
 * rpc_wire_error_to_gerror: the GError for an error received from a peer. Domains
 * we do not know become VIRT_FROM_REMOTE; a missing message gets a generic text,
 * as libvirt's client does.
 */
GError *rpc_wire_error_to_gerror(const remote_error *wire)
{
    VirtErrorDomain domain = VIRT_FROM_REMOTE;
    int code = wire->code;
    const char *message = wire->message && *wire->message ? *wire->message : NULL;

    if (wire->domain >= 0 && wire->domain < _VIRT_FROM_MAX)
        domain = (VirtErrorDomain)wire->domain;
    if (code <= 0)
        code = VIRT_ERR_INTERNAL_ERROR;
    if (!message)
        return g_error_new(virt_error_quark(domain), code,
                           "an error occurred, but the cause is unknown");
    return g_error_new_literal(virt_error_quark(domain), code, message);
}

/**
 * rpc_message_encode_error: the failed REPLY to @call carrying @error.
 */
GBytes *rpc_message_encode_error(const RpcHeader *call, const GError *error, GError **err)
{
    RpcHeader h = *call;
    remote_error wire;
    GBytes *ret;

    h.type = RPC_MESSAGE_REPLY;
    h.status = RPC_STATUS_ERROR;
    rpc_wire_error_from_gerror(error, &wire);
    ret = rpc_message_encode_xdr(&h, 0, (xdrproc_t)(void (*)(void))xdr_remote_error, &wire, err);
    rpc_wire_error_clear(&wire);
    return ret;
}

/**
 * rpc_message_decode_error: the GError a failed reply (or stream error) carries; if
 * its payload does not decode, an RPC error saying so.
 */
GError *rpc_message_decode_error(const RpcMessage *msg)
{
    remote_error wire = { 0 };
    GError *error = NULL;
    const RpcPayloadType *type;

    /* Only replies and stream packets carry a remote_error; calls never do. */
    if (msg->header.status != RPC_STATUS_ERROR || msg->header.type == RPC_MESSAGE_CALL ||
        msg->header.type == RPC_MESSAGE_CALL_WITH_FDS)
        return g_error_new(VIRT_RPC_ERROR, VIRT_ERR_RPC, "message of procedure %d carries no error",
                           msg->header.proc);
    type = rpc_message_payload_type(&msg->header, &error);
    if (!type)
        return error;
    if (!rpc_payload_decode(type, msg->payload, &wire, &error))
        return error;
    error = rpc_wire_error_to_gerror(&wire);
    rpc_wire_error_clear(&wire);
    return error;
}
