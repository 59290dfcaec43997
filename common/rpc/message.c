/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Packet codec (see message.h). Errors are VIRT_RPC_ERROR / VIRT_ERR_RPC, the domain
 * and code libvirt uses for protocol violations. A failed decoder stays failed: the
 * stream has lost its framing and the connection has to go.
 */

#include <string.h>
#include <unistd.h>

#include "rpc/message.h"
#include "rpc/remote-protocol.h"
#include "util/error.h"

ENUM_TABLE_DEFINE(
    rpc_message_type, RpcMessageType, _RPC_MESSAGE_TYPE_MAX, [RPC_MESSAGE_CALL] = "call",
    [RPC_MESSAGE_REPLY] = "reply", [RPC_MESSAGE_MESSAGE] = "message",
    [RPC_MESSAGE_STREAM] = "stream", [RPC_MESSAGE_CALL_WITH_FDS] = "call-with-fds",
    [RPC_MESSAGE_REPLY_WITH_FDS] = "reply-with-fds", [RPC_MESSAGE_STREAM_HOLE] = "stream-hole");

ENUM_TABLE_DEFINE(rpc_message_status, RpcMessageStatus, _RPC_STATUS_MAX, [RPC_STATUS_OK] = "ok",
                  [RPC_STATUS_ERROR] = "error", [RPC_STATUS_CONTINUE] = "continue");

static const RpcPayloadType error_payload = {
    (xdrproc_t)(void (*)(void))xdr_remote_error,
    sizeof(remote_error),
    "remote_error",
};

static const RpcPayloadType hole_payload = {
    (xdrproc_t)(void (*)(void))xdr_remote_stream_hole,
    sizeof(remote_stream_hole),
    "remote_stream_hole",
};

/**
 * rpc_message_free: free a message and its payload, close the descriptors nobody
 * took; accepts NULL, returns NULL.
 */
RpcMessage *rpc_message_free(RpcMessage *msg)
{
    if (!msg)
        return NULL;
    for (unsigned int i = 0; msg->fds && i < msg->n_fds; i++) {
        if (msg->fds[i] >= 0)
            close(msg->fds[i]);
    }
    g_free(msg->fds);
    g_clear_pointer(&msg->payload, g_bytes_unref);
    g_free(msg);
    return NULL;
}

/**
 * rpc_message_type_has_fds: whether packets of @type carry an fd count word.
 */
bool rpc_message_type_has_fds(RpcMessageType type)
{
    return type == RPC_MESSAGE_CALL_WITH_FDS || type == RPC_MESSAGE_REPLY_WITH_FDS;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static size_t prefix_size(const RpcHeader *header)
{
    return RPC_MESSAGE_LEN_SIZE + RPC_MESSAGE_HEADER_SIZE +
           (rpc_message_type_has_fds(header->type) ? 4 : 0);
}

/* Length word, header and fd count for a packet of @payload_len payload bytes. */
static bool put_prefix(uint8_t *p, const RpcHeader *header, unsigned int n_fds, size_t payload_len,
                       GError **error)
{
    size_t total = prefix_size(header) + payload_len;

    if (total - RPC_MESSAGE_LEN_SIZE > RPC_MESSAGE_MAX) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC,
                    "packet of %zu bytes exceeds the maximum of %u", total, RPC_MESSAGE_MAX);
        return false;
    }
    if (n_fds > RPC_MESSAGE_NUM_FDS_MAX) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC,
                    "too many file descriptors (%u, maximum %u)", n_fds, RPC_MESSAGE_NUM_FDS_MAX);
        return false;
    }
    if (n_fds > 0 && !rpc_message_type_has_fds(header->type)) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC,
                    "a %s packet cannot carry file descriptors",
                    rpc_message_type_to_string(header->type));
        return false;
    }
    put_u32(p, (uint32_t)total);
    put_u32(p + 4, header->prog);
    put_u32(p + 8, header->vers);
    put_u32(p + 12, (uint32_t)header->proc);
    put_u32(p + 16, (uint32_t)header->type);
    put_u32(p + 20, header->serial);
    put_u32(p + 24, (uint32_t)header->status);
    if (rpc_message_type_has_fds(header->type))
        put_u32(p + 28, n_fds);
    return true;
}

/**
 * rpc_message_encode: a complete packet (length word included) with raw @payload.
 * Used for STREAM data and by the XDR encoders below.
 */
GBytes *rpc_message_encode(const RpcHeader *header, unsigned int n_fds, const void *payload,
                           size_t len, GError **error)
{
    size_t prefix = prefix_size(header);
    g_autofree uint8_t *buf = NULL;

    if (len > RPC_MESSAGE_MAX) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC,
                    "payload of %zu bytes exceeds the maximum of %u", len, RPC_MESSAGE_PAYLOAD_MAX);
        return NULL;
    }
    buf = g_malloc(prefix + len);
    if (!put_prefix(buf, header, n_fds, len, error))
        return NULL;
    if (len > 0)
        memcpy(buf + prefix, payload, len);
    return g_bytes_new_take(g_steal_pointer(&buf), prefix + len);
}

/* Most payloads are small: try this size first, measure only when it is too small. */
#define ENCODE_FIRST_TRY 4096u

/* Marshal @obj into a fresh buffer with @prefix bytes reserved in front and room for
 * @cap payload bytes; returns the payload length, or -1 if it did not fit or failed. */
static long encode_into(uint8_t **ret_buf, size_t prefix, size_t cap, xdrproc_t proc,
                        const void *obj)
{
    g_autofree uint8_t *buf = g_malloc(prefix + cap);
    XDR xdr;
    bool ok;
    long len;

    xdrmem_create(&xdr, (char *)buf + prefix, (u_int)cap, XDR_ENCODE);
    ok = proc(&xdr, (void *)obj);
    len = (long)xdr_getpos(&xdr);
    xdr_destroy(&xdr);
    if (!ok)
        return -1;
    *ret_buf = g_steal_pointer(&buf);
    return len;
}

/**
 * rpc_message_encode_xdr: a complete packet whose payload is @obj marshalled with
 * @proc. Payloads up to ENCODE_FIRST_TRY bytes are encoded in one pass; larger
 * ones are measured first (xdr_sizeof) and encoded into a buffer of that size.
 */
GBytes *rpc_message_encode_xdr(const RpcHeader *header, unsigned int n_fds, xdrproc_t proc,
                               const void *obj, GError **error)
{
    size_t prefix = prefix_size(header);
    uint8_t *buf = NULL;
    long len = encode_into(&buf, prefix, ENCODE_FIRST_TRY, proc, obj);

    if (len < 0) {
        unsigned long size = xdr_sizeof(proc, (void *)obj);

        if (size > RPC_MESSAGE_PAYLOAD_MAX) {
            g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC,
                        "payload of %lu bytes exceeds the maximum of %u", size,
                        RPC_MESSAGE_PAYLOAD_MAX);
            return NULL;
        }
        if (size > ENCODE_FIRST_TRY)
            len = encode_into(&buf, prefix, size, proc, obj);
    }
    if (len < 0) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC,
                    "cannot encode the payload of procedure %d (a string or list exceeds its "
                    "bound)",
                    header->proc);
        return NULL;
    }
    if (!put_prefix(buf, header, n_fds, (size_t)len, error)) {
        g_free(buf);
        return NULL;
    }
    buf = g_realloc(buf, prefix + (size_t)len);
    return g_bytes_new_take(buf, prefix + (size_t)len);
}

static const RpcProcInfo *proc_info(uint32_t prog, int proc, GError **error)
{
    const RpcProcInfo *info = rpc_proc_lookup(prog, proc);

    if (!info)
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC, "unknown procedure %d of program 0x%08x",
                    proc, prog);
    return info;
}

/* A missing object for a non-void payload is a caller bug; refuse it, do not crash. */
static bool payload_present(const RpcProcInfo *info, const RpcPayloadType *type, const void *obj,
                            GError **error)
{
    if (type->size > 0 && !obj) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "procedure %s needs a %s payload", info->name, type->name);
        return false;
    }
    return true;
}

/**
 * rpc_message_encode_call: a CALL of @proc with its @args (NULL when void).
 */
GBytes *rpc_message_encode_call(uint32_t prog, int proc, uint32_t serial, const void *args,
                                GError **error)
{
    return rpc_message_encode_call_with_fds(prog, proc, serial, 0, args, error);
}

/**
 * rpc_message_encode_call_with_fds: a CALL_WITH_FDS announcing @n_fds descriptors
 * when @n_fds > 0 (libvirt's client sends them right after it), else a plain CALL.
 */
GBytes *rpc_message_encode_call_with_fds(uint32_t prog, int proc, uint32_t serial,
                                         unsigned int n_fds, const void *args, GError **error)
{
    const RpcProcInfo *info = proc_info(prog, proc, error);
    RpcHeader h = { prog,   1,
                    proc,   n_fds > 0 ? RPC_MESSAGE_CALL_WITH_FDS : RPC_MESSAGE_CALL,
                    serial, RPC_STATUS_OK };

    if (!info || !payload_present(info, &info->args, args, error))
        return NULL;
    h.vers = rpc_program_lookup(prog)->vers;
    return rpc_message_encode_xdr(&h, n_fds, info->args.proc, args, error);
}

/**
 * rpc_message_encode_reply: the successful REPLY to @call, with @ret (NULL when
 * void).
 */
GBytes *rpc_message_encode_reply(const RpcHeader *call, const void *ret, GError **error)
{
    const RpcProcInfo *info = proc_info(call->prog, call->proc, error);
    RpcHeader h = *call;

    if (!info || !payload_present(info, &info->ret, ret, error))
        return NULL;
    h.type = RPC_MESSAGE_REPLY;
    h.status = RPC_STATUS_OK;
    return rpc_message_encode_xdr(&h, 0, info->ret.proc, ret, error);
}

/**
 * rpc_message_encode_event: a MESSAGE packet of @proc with its @msg. libvirtd sends
 * events with serial 1 and keepalive with serial 0; the caller picks.
 */
GBytes *rpc_message_encode_event(uint32_t prog, int proc, uint32_t serial, const void *msg,
                                 GError **error)
{
    const RpcProcInfo *info = proc_info(prog, proc, error);
    RpcHeader h = { prog, 1, proc, RPC_MESSAGE_MESSAGE, serial, RPC_STATUS_OK };

    if (!info)
        return NULL;
    if (info->kind != RPC_PROC_KIND_MESSAGE) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC, "procedure %s is not a message",
                    info->name);
        return NULL;
    }
    if (!payload_present(info, &info->msg, msg, error))
        return NULL;
    h.vers = rpc_program_lookup(prog)->vers;
    return rpc_message_encode_xdr(&h, 0, info->msg.proc, msg, error);
}

/* ---- decoder ---- */

struct RpcDecoder {
    uint8_t len_buf[RPC_MESSAGE_LEN_SIZE];
    size_t len_have;   /* bytes of the length word received */
    uint32_t expected; /* packet size from the length word, 0 while reading it */
    GByteArray *body;  /* header and payload received so far */
    bool header_checked;
    RpcHeader header;
    unsigned int n_fds;
    RpcMessage *awaiting;  /* complete, but dummy bytes (and fds) of it still to come */
    unsigned int fds_have; /* of @awaiting's */
    size_t awaiting_len;   /* its packet size */
    GQueue ready;          /* RpcMessage */
    bool failed;
};

/**
 * rpc_decoder_new: a decoder for one connection's byte stream.
 */
RpcDecoder *rpc_decoder_new(void)
{
    RpcDecoder *d = g_new0(RpcDecoder, 1);

    g_queue_init(&d->ready);
    return d;
}

static void message_free_notify(gpointer msg)
{
    rpc_message_free(msg);
}

/**
 * rpc_decoder_free: free the decoder and messages nobody popped; accepts NULL.
 */
RpcDecoder *rpc_decoder_free(RpcDecoder *decoder)
{
    if (!decoder)
        return NULL;
    if (decoder->body)
        g_byte_array_unref(decoder->body);
    rpc_message_free(decoder->awaiting);
    g_queue_clear_full(&decoder->ready, message_free_notify);
    g_free(decoder);
    return NULL;
}

static bool decoder_fail(RpcDecoder *d, GError **error, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static bool decoder_fail(RpcDecoder *d, GError **error, const char *fmt, ...)
{
    va_list ap;

    d->failed = true;
    va_start(ap, fmt);
    g_propagate_error(error, g_error_new_valist(VIRT_RPC_ERROR, VIRT_ERR_RPC, fmt, ap));
    va_end(ap);
    return false;
}

static bool decoder_check_length(RpcDecoder *d, GError **error)
{
    uint32_t len = get_u32(d->len_buf);

    if (len < RPC_MESSAGE_LEN_SIZE + RPC_MESSAGE_HEADER_SIZE)
        return decoder_fail(d, error, "packet length %u is shorter than a header", len);
    if (len - RPC_MESSAGE_LEN_SIZE > RPC_MESSAGE_MAX)
        return decoder_fail(d, error, "packet length %u exceeds the maximum of %u", len,
                            RPC_MESSAGE_MAX + RPC_MESSAGE_LEN_SIZE);
    d->expected = len;
    /* Start small: a peer announcing 32 MiB gets memory only as the bytes arrive. */
    d->body = g_byte_array_sized_new(MIN(len - RPC_MESSAGE_LEN_SIZE, 4096));
    d->header_checked = false;
    return true;
}

/* Header fields and, for *_WITH_FDS, the fd count, checked once their bytes are in. */
static bool decoder_check_header(RpcDecoder *d, GError **error)
{
    const uint8_t *p = d->body->data;
    RpcHeader *h = &d->header;
    uint32_t type = get_u32(p + 12);
    uint32_t status = get_u32(p + 20);

    h->prog = get_u32(p);
    h->vers = get_u32(p + 4);
    h->proc = (int32_t)get_u32(p + 8);
    h->serial = get_u32(p + 16);
    if (type >= _RPC_MESSAGE_TYPE_MAX)
        return decoder_fail(d, error, "unknown message type %u", type);
    if (status >= _RPC_STATUS_MAX)
        return decoder_fail(d, error, "unknown message status %u", status);
    h->type = (RpcMessageType)type;
    h->status = (RpcMessageStatus)status;
    d->n_fds = 0;
    if (rpc_message_type_has_fds(h->type)) {
        if (d->expected < RPC_MESSAGE_LEN_SIZE + RPC_MESSAGE_HEADER_SIZE + 4)
            return decoder_fail(d, error, "packet too short for its file descriptor count");
        if (d->body->len < RPC_MESSAGE_HEADER_SIZE + 4)
            return true; /* come back when the count is in */
        d->n_fds = get_u32(p + RPC_MESSAGE_HEADER_SIZE);
        if (d->n_fds > RPC_MESSAGE_NUM_FDS_MAX)
            return decoder_fail(d, error, "too many file descriptors (%u, maximum %u)", d->n_fds,
                                RPC_MESSAGE_NUM_FDS_MAX);
    }
    d->header_checked = true;
    return true;
}

static void decoder_complete(RpcDecoder *d)
{
    RpcMessage *msg = g_new0(RpcMessage, 1);
    size_t skip = rpc_message_type_has_fds(d->header.type) ? RPC_MESSAGE_HEADER_SIZE + 4
                                                           : RPC_MESSAGE_HEADER_SIZE;
    g_autoptr(GBytes) all = g_byte_array_free_to_bytes(g_steal_pointer(&d->body));

    msg->header = d->header;
    msg->n_fds = d->n_fds;
    msg->payload = g_bytes_new_from_bytes(all, skip, g_bytes_get_size(all) - skip);
    d->len_have = 0;
    if (msg->n_fds > 0) {
        /* its descriptors follow, one dummy byte each */
        msg->fds = g_new(int, msg->n_fds);
        memset(msg->fds, 0xff, msg->n_fds * sizeof(int));
        d->awaiting = msg;
        d->awaiting_len = d->expected;
        d->fds_have = 0;
    } else {
        g_queue_push_tail(&d->ready, msg);
    }
    d->expected = 0;
}

/* One dummy byte of the awaited message: its next descriptor must have come with it. */
static bool decoder_take_fd(RpcDecoder *d, int *fds, unsigned int n_fds, unsigned int *next,
                            GError **error)
{
    RpcMessage *msg = d->awaiting;

    if (*next >= n_fds)
        return decoder_fail(d, error,
                            "file descriptor %u of %u of a packet did not come with its byte",
                            d->fds_have + 1, msg->n_fds);
    msg->fds[d->fds_have++] = fds[*next];
    fds[(*next)++] = -1;
    if (d->fds_have == msg->n_fds) {
        g_queue_push_tail(&d->ready, msg);
        d->awaiting = NULL;
        d->awaiting_len = 0;
    }
    return true;
}

static void close_fds(int *fds, unsigned int n_fds)
{
    for (unsigned int i = 0; i < n_fds; i++) {
        if (fds[i] >= 0)
            close(fds[i]);
        fds[i] = -1;
    }
}

/**
 * rpc_decoder_feed: append @len received bytes. Complete packets become available
 * through rpc_decoder_pop(). Returns false on a framing error (bad length word,
 * unknown type or status, too many fds, a dummy byte without its descriptor): the
 * connection must then be closed, and every later call fails too.
 */
bool rpc_decoder_feed(RpcDecoder *decoder, const void *data, size_t len, GError **error)
{
    return rpc_decoder_feed_fds(decoder, data, len, NULL, 0, error);
}

/* The packet bytes of @p[0..len): length word, header, payload. Returns bytes used. */
static size_t decoder_feed_packet(RpcDecoder *d, const uint8_t *p, size_t len, GError **error)
{
    size_t n;

    if (d->len_have < RPC_MESSAGE_LEN_SIZE) {
        n = MIN(len, RPC_MESSAGE_LEN_SIZE - d->len_have);
        memcpy(d->len_buf + d->len_have, p, n);
        d->len_have += n;
        if (d->len_have == RPC_MESSAGE_LEN_SIZE && !decoder_check_length(d, error))
            return 0;
        return n;
    }
    n = MIN(len, d->expected - RPC_MESSAGE_LEN_SIZE - d->body->len);
    g_byte_array_append(d->body, p, (guint)n);
    if (!d->header_checked && d->body->len >= RPC_MESSAGE_HEADER_SIZE &&
        !decoder_check_header(d, error))
        return 0;
    if (d->body->len == d->expected - RPC_MESSAGE_LEN_SIZE)
        decoder_complete(d);
    return n;
}

/**
 * rpc_decoder_feed_fds: rpc_decoder_feed() for bytes that came with descriptors
 * @decoder: the decoder
 * @data: the bytes of one read
 * @len: their count
 * @fds: the descriptors that came with them (SCM_RIGHTS); all of them are the
 *       decoder's from now on, even when this fails
 * @n_fds: their count
 * @error: framing errors; also when a descriptor did not sit on a dummy byte of
 *         these bytes, or a dummy byte came without one
 */
bool rpc_decoder_feed_fds(RpcDecoder *decoder, const void *data, size_t len, int *fds,
                          unsigned int n_fds, GError **error)
{
    const uint8_t *p = data;
    RpcDecoder *d = decoder;
    unsigned int next = 0;

    if (d->failed) {
        close_fds(fds, n_fds);
        return decoder_fail(d, error, "the byte stream already failed to decode");
    }
    while (len > 0) {
        size_t n = 1;

        if (d->awaiting) {
            if (!decoder_take_fd(d, fds, n_fds, &next, error))
                break;
        } else if ((n = decoder_feed_packet(d, p, len, error)) == 0) {
            break;
        }
        p += n;
        len -= n;
    }
    if (!d->failed && next < n_fds)
        decoder_fail(d, error, "%u file descriptors came without a dummy byte of a packet",
                     n_fds - next);
    close_fds(fds, n_fds);
    return !d->failed;
}

/**
 * rpc_decoder_pop: the oldest complete message (caller owns it), or NULL.
 */
RpcMessage *rpc_decoder_pop(RpcDecoder *decoder)
{
    return g_queue_pop_head(&decoder->ready);
}

/**
 * rpc_decoder_buffered: bytes of an incomplete packet held by the decoder (a packet
 * still waiting for its descriptors counts whole).
 */
size_t rpc_decoder_buffered(const RpcDecoder *decoder)
{
    if (decoder->awaiting)
        return decoder->awaiting_len;
    return decoder->len_have + (decoder->body && decoder->expected ? decoder->body->len : 0);
}

/**
 * rpc_decoder_finish: the peer closed the stream; fails if that cut a packet short.
 */
bool rpc_decoder_finish(RpcDecoder *decoder, GError **error)
{
    size_t have = rpc_decoder_buffered(decoder);

    if (decoder->failed)
        return decoder_fail(decoder, error, "the byte stream already failed to decode");
    if (decoder->awaiting)
        return decoder_fail(decoder, error,
                            "connection closed before file descriptor %u of %u of a packet",
                            decoder->fds_have + 1, decoder->awaiting->n_fds);
    if (have > 0)
        return decoder_fail(decoder, error, "connection closed inside a packet (%zu of %u bytes)",
                            have, decoder->expected ? decoder->expected : RPC_MESSAGE_LEN_SIZE);
    return true;
}

/**
 * rpc_header_check_call: whether a CALL header is acceptable as libvirtd checks it;
 * the server answers a failure with an error reply (the framing is fine).
 */
bool rpc_header_check_call(const RpcHeader *header, GError **error)
{
    const RpcProgramInfo *program = rpc_program_lookup(header->prog);

    if (!program || program->vers != header->vers) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC, "Cannot find program %d version %d",
                    (int)header->prog, (int)header->vers);
        return false;
    }
    if (header->type != RPC_MESSAGE_CALL && header->type != RPC_MESSAGE_CALL_WITH_FDS) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC, "Unexpected message type %u",
                    (unsigned int)header->type);
        return false;
    }
    if (header->status != RPC_STATUS_OK) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC, "Unexpected message status %u",
                    (unsigned int)header->status);
        return false;
    }
    return true;
}

/**
 * rpc_message_payload_type: the XDR type of the payload of a packet with @header:
 * the procedure's args for calls, ret for successful replies, msg for messages,
 * remote_error for failures, remote_stream_hole for holes. Fails for unknown
 * procedures and for raw stream data.
 */
const RpcPayloadType *rpc_message_payload_type(const RpcHeader *header, GError **error)
{
    const RpcProcInfo *info;

    if (header->status == RPC_STATUS_ERROR && header->type != RPC_MESSAGE_CALL &&
        header->type != RPC_MESSAGE_CALL_WITH_FDS)
        return &error_payload;
    switch (header->type) {
    case RPC_MESSAGE_STREAM_HOLE:
        return &hole_payload;
    case RPC_MESSAGE_STREAM:
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC, "stream data has no XDR payload");
        return NULL;
    case RPC_MESSAGE_CALL:
    case RPC_MESSAGE_CALL_WITH_FDS:
    case RPC_MESSAGE_REPLY:
    case RPC_MESSAGE_REPLY_WITH_FDS:
    case RPC_MESSAGE_MESSAGE:
    case _RPC_MESSAGE_TYPE_MAX:
    case _RPC_MESSAGE_TYPE_INVALID:
        break;
    }
    info = proc_info(header->prog, header->proc, error);
    if (!info)
        return NULL;
    switch (header->type) {
    case RPC_MESSAGE_CALL:
    case RPC_MESSAGE_CALL_WITH_FDS:
        return &info->args;
    case RPC_MESSAGE_REPLY:
    case RPC_MESSAGE_REPLY_WITH_FDS:
        return &info->ret;
    case RPC_MESSAGE_MESSAGE:
        return &info->msg;
    case RPC_MESSAGE_STREAM:
    case RPC_MESSAGE_STREAM_HOLE:
    case _RPC_MESSAGE_TYPE_MAX:
    case _RPC_MESSAGE_TYPE_INVALID:
        break;
    }
    g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC, "unknown message type %d", header->type);
    return NULL;
}

/**
 * rpc_payload_decode: unmarshal @payload into @obj, a zeroed object of
 * @type->size bytes. String and list lengths are checked against the schema's
 * bounds and against the bytes present before anything is allocated. On failure
 * @obj holds nothing that needs freeing. Release a decoded object with
 * rpc_payload_clear().
 */
bool rpc_payload_decode(const RpcPayloadType *type, GBytes *payload, void *obj, GError **error)
{
    gsize len;
    const void *data = g_bytes_get_data(payload, &len);
    XDR xdr;
    bool ok;

    if (len > RPC_MESSAGE_PAYLOAD_MAX) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC, "payload of %zu bytes is too large",
                    (size_t)len);
        return false;
    }
    xdrmem_create(&xdr, (char *)(data ? data : ""), (u_int)len, XDR_DECODE);
    ok = type->proc(&xdr, obj);
    xdr_destroy(&xdr);
    if (!ok) {
        rpc_payload_clear(type, obj);
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC, "Unable to decode message payload%s%s",
                    type->name ? " " : "", type->name ? type->name : "");
        return false;
    }
    return true;
}

/**
 * rpc_payload_clear: free what rpc_payload_decode() allocated inside @obj and zero
 * it; @obj itself stays the caller's.
 */
void rpc_payload_clear(const RpcPayloadType *type, void *obj)
{
    if (type->size == 0)
        return;
    xdr_free(type->proc, obj);
    memset(obj, 0, type->size);
}
