/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tier: golden (recorded). Every packet recorded between libvirt 9.0's own clients
 * and libvirtd (data/libvirtd-9.0-capture.txt) must decode with our schema and
 * encode back to the very same bytes: the proof that our layouts are libvirt's.
 */

#include <glib.h>
#include <string.h>

#include "rpc/message.h"
#include "rpc/remote-protocol.h"
#include "rpc/wire-error.h"

typedef struct Packet {
    char *line;
    bool from_server;
    GBytes *bytes;
} Packet;

static GPtrArray *packets;

static void packet_free(gpointer data)
{
    Packet *p = data;

    g_free(p->line);
    g_bytes_unref(p->bytes);
    g_free(p);
}

static void load_capture(void)
{
    const char *srcdir = g_getenv("VIRTKIT_TEST_SRCDIR");
    g_autofree char *path =
        g_build_filename(srcdir ? srcdir : ".", "rpc", "data", "libvirtd-9.0-capture.txt", NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true(g_file_get_contents(path, &text, NULL, &error));
    g_assert_no_error(error);
    packets = g_ptr_array_new_with_free_func(packet_free);
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        Packet *p;
        const char *h;
        size_t n;
        uint8_t *buf;

        if (**l == '#' || **l == '\0')
            continue;
        g_assert_true(g_str_has_prefix(*l, "C>S ") || g_str_has_prefix(*l, "S>C "));
        h = *l + 4;
        n = strlen(h) / 2;
        buf = g_malloc(n);
        for (size_t i = 0; i < n; i++)
            buf[i] =
                (uint8_t)(g_ascii_xdigit_value(h[2 * i]) << 4 | g_ascii_xdigit_value(h[2 * i + 1]));
        p = g_new0(Packet, 1);
        p->line = g_strndup(*l, 60);
        p->from_server = g_str_has_prefix(*l, "S>C");
        p->bytes = g_bytes_new_take(buf, n);
        g_ptr_array_add(packets, p);
    }
}

static void test_packet(gconstpointer data)
{
    const Packet *p = data;
    g_autoptr(RpcDecoder) d = rpc_decoder_new();
    g_autoptr(RpcMessage) msg = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) again = NULL;
    const RpcPayloadType *type;
    g_autofree void *obj = NULL;

    g_assert_true(
        rpc_decoder_feed(d, g_bytes_get_data(p->bytes, NULL), g_bytes_get_size(p->bytes), &error));
    g_assert_no_error(error);
    msg = rpc_decoder_pop(d);
    g_assert_nonnull(msg);
    if (!p->from_server)
        g_assert_true(rpc_header_check_call(&msg->header, NULL) ||
                      msg->header.type == RPC_MESSAGE_MESSAGE);
    type = rpc_message_payload_type(&msg->header, &error);
    g_assert_no_error(error);
    obj = g_malloc0(type->size ? type->size : 1);
    g_assert_true(rpc_payload_decode(type, msg->payload, obj, &error));
    g_assert_no_error(error);
    again = rpc_message_encode_xdr(&msg->header, msg->n_fds, type->proc, obj, &error);
    g_assert_no_error(error);
    g_assert_true(g_bytes_equal(again, p->bytes));
    rpc_payload_clear(type, obj);
}

/* Our GError -> wire path produces libvirtd's bytes for the recorded NO_DOMAIN. */
static void test_error_from_gerror(void)
{
    bool found = false;

    for (guint i = 0; i < packets->len; i++) {
        const Packet *p = g_ptr_array_index(packets, i);
        g_autoptr(RpcDecoder) d = rpc_decoder_new();
        g_autoptr(RpcMessage) msg = NULL;
        g_autoptr(GError) remote = NULL;
        g_autoptr(GBytes) again = NULL;

        g_assert_true(rpc_decoder_feed(d, g_bytes_get_data(p->bytes, NULL),
                                       g_bytes_get_size(p->bytes), NULL));
        msg = rpc_decoder_pop(d);
        if (msg->header.status != RPC_STATUS_ERROR ||
            msg->header.proc != REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME ||
            msg->header.prog != REMOTE_PROGRAM)
            continue;
        remote = rpc_message_decode_error(msg);
        g_assert_cmpint(remote->code, ==, 42);
        again = rpc_message_encode_error(&msg->header, remote, NULL);
        g_assert_true(g_bytes_equal(again, p->bytes));
        found = true;
    }
    g_assert_true(found);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    load_capture();
    for (guint i = 0; i < packets->len; i++) {
        Packet *p = g_ptr_array_index(packets, i);
        g_autoptr(RpcDecoder) d = rpc_decoder_new();
        g_autoptr(RpcMessage) msg = NULL;
        g_autofree char *path = NULL;

        g_assert_true(rpc_decoder_feed(d, g_bytes_get_data(p->bytes, NULL),
                                       g_bytes_get_size(p->bytes), NULL));
        msg = rpc_decoder_pop(d);
        g_assert_nonnull(msg);
        path = g_strdup_printf("/rpc/capture/%s/%s/%s", p->from_server ? "server" : "client",
                               rpc_program_lookup(msg->header.prog)
                                   ? rpc_proc_lookup(msg->header.prog, msg->header.proc)
                                         ? rpc_proc_lookup(msg->header.prog, msg->header.proc)->name
                                         : "unknown-proc"
                                   : "unknown-program",
                               msg->header.status == RPC_STATUS_ERROR ? "error" : "ok");
        g_test_add_data_func(path, p, test_packet);
    }
    g_test_add_func("/rpc/capture/error-from-gerror", test_error_from_gerror);
    g_assert_cmpuint(packets->len, >, 150);
    int ret = g_test_run();
    g_ptr_array_unref(packets);
    return ret;
}
