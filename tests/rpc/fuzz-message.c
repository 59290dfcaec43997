/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the packet decoder and the payload decoders of every procedure.
 * Built as a libFuzzer target where the compiler supports -fsanitize=fuzzer, and
 * always linked into fuzz-driver (corpus replay plus bounded random mutations),
 * which `meson test` runs.
 *
 * Input: byte 0 picks the chunk size used to feed the decoder (exercising packet
 * boundaries inside reads); the rest is the byte stream. Every message that comes
 * out has its payload decoded with its procedure's type; whatever decodes must
 * encode, and encoding is stable (encode(decode(encode(x))) == encode(x)). The
 * same bytes are also decoded directly as the payload of the procedure picked by
 * byte 1, so every XDR type sees hostile input even without valid framing. A chunk
 * that starts with a zero byte (what a dummy byte is) comes with one descriptor, as
 * if received with SCM_RIGHTS: -1, which the decoder keeps and never closes, so the
 * fd framing of *_WITH_FDS packets is fuzzed without real descriptors.
 */

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>

#include "rpc/message.h"
#include "rpc/wire-error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_payload(const RpcPayloadType *type, GBytes *payload)
{
    g_autofree void *obj = g_malloc0(type->size ? type->size : 1);
    g_autofree void *obj2 = g_malloc0(type->size ? type->size : 1);
    RpcHeader h = { 0, 1, 0, RPC_MESSAGE_REPLY, 0, RPC_STATUS_OK };
    g_autoptr(GBytes) first = NULL;
    g_autoptr(GBytes) second = NULL;
    g_autoptr(GBytes) again_payload = NULL;

    if (!rpc_payload_decode(type, payload, obj, NULL))
        return;
    first = rpc_message_encode_xdr(&h, 0, type->proc, obj, NULL);
    if (!first)
        abort(); /* what decodes within bounds must encode */
    again_payload = g_bytes_new_from_bytes(first, 28, g_bytes_get_size(first) - 28);
    if (!rpc_payload_decode(type, again_payload, obj2, NULL))
        abort();
    second = rpc_message_encode_xdr(&h, 0, type->proc, obj2, NULL);
    if (!second || !g_bytes_equal(first, second))
        abort();
    rpc_payload_clear(type, obj);
    rpc_payload_clear(type, obj2);
}

static void check_message(const RpcMessage *msg)
{
    const RpcPayloadType *type = rpc_message_payload_type(&msg->header, NULL);

    (void)rpc_header_check_call(&msg->header, NULL);
    if (type)
        check_payload(type, msg->payload);
    if (msg->header.status == RPC_STATUS_ERROR) {
        GError *e = rpc_message_decode_error(msg);

        if (!e)
            abort();
        g_error_free(e);
    }
}

static void direct_payload(const uint8_t *data, size_t size)
{
    size_t total = 0;
    size_t pick;
    g_autoptr(GBytes) payload = NULL;

    for (size_t i = 0; i < rpc_n_programs; i++)
        total += rpc_programs[i].n_procs;
    pick = (data[0] << 8 | data[1]) % (total * 3);
    for (size_t i = 0; i < rpc_n_programs; i++) {
        if (pick / 3 < rpc_programs[i].n_procs) {
            const RpcProcInfo *info = &rpc_programs[i].procs[pick / 3];
            const RpcPayloadType *types[] = { &info->args, &info->ret, &info->msg };

            payload = g_bytes_new(data + 2, size - 2);
            check_payload(types[pick % 3], payload);
            return;
        }
        pick -= rpc_programs[i].n_procs * 3;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(RpcDecoder) d = NULL;
    size_t chunk;
    RpcMessage *msg;

    if (size < 2)
        return 0;
    chunk = data[0] ? data[0] : size;
    d = rpc_decoder_new();
    for (size_t off = 1; off < size; off += chunk) {
        int fd[1] = { -1 };

        if (!rpc_decoder_feed_fds(d, data + off, MIN(chunk, size - off), fd, data[off] == 0, NULL))
            break;
        while ((msg = rpc_decoder_pop(d))) {
            check_message(msg);
            rpc_message_free(msg);
        }
    }
    (void)rpc_decoder_finish(d, NULL);
    if (size >= 3)
        direct_payload(data + 1, size - 1);
    return 0;
}
