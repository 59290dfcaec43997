/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Benchmark (suite bench): the codec's cost per packet. Prints numbers, asserts
 * nothing. For scale: libvirtd 9.0 answers a cheap call in ~85-150 us end to end,
 * so the codec should be a rounding error in it.
 */

#include <glib.h>
#include <stdio.h>

#include "rpc/message.h"
#include "rpc/remote-protocol.h"

static double elapsed_ns(GTimer *t, unsigned long n)
{
    return g_timer_elapsed(t, NULL) * 1e9 / (double)n;
}

static void bench_small_call(void)
{
    const unsigned long n = 200000;
    remote_domain_lookup_by_name_args args = { .name = (char *)"web1" };
    const RpcPayloadType *type =
        &rpc_proc_lookup(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME)->args;
    g_autoptr(GTimer) t = g_timer_new();
    g_autoptr(RpcDecoder) d = rpc_decoder_new();

    for (unsigned long i = 0; i < n; i++) {
        g_autoptr(GBytes) b = rpc_message_encode_call(
            REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, (uint32_t)i, &args, NULL);
        g_autoptr(RpcMessage) msg = NULL;
        remote_domain_lookup_by_name_args back = { 0 };

        rpc_decoder_feed(d, g_bytes_get_data(b, NULL), g_bytes_get_size(b), NULL);
        msg = rpc_decoder_pop(d);
        rpc_payload_decode(type, msg->payload, &back, NULL);
        rpc_payload_clear(type, &back);
    }
    printf("# lookup-by-name call encode+decode: %.0f ns/packet\n", elapsed_ns(t, n));
}

static void bench_list_all(void)
{
    const unsigned int n_doms = 1000;
    const unsigned long n = 200;
    g_autofree remote_nonnull_domain *doms = g_new0(remote_nonnull_domain, n_doms);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    remote_connect_list_all_domains_ret ret = { .domains = { n_doms, doms }, .ret = n_doms };
    RpcHeader call = { REMOTE_PROGRAM,   1, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS,
                       RPC_MESSAGE_CALL, 1, RPC_STATUS_OK };
    const RpcPayloadType *type =
        &rpc_proc_lookup(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS)->ret;
    g_autoptr(GTimer) t = g_timer_new();
    size_t bytes = 0;

    for (unsigned int i = 0; i < n_doms; i++) {
        char *name = g_strdup_printf("domain-%04u", i);

        g_ptr_array_add(names, name);
        doms[i].name = name;
        doms[i].id = (int)i;
    }
    g_timer_start(t);
    for (unsigned long i = 0; i < n; i++) {
        g_autoptr(GBytes) b = rpc_message_encode_reply(&call, &ret, NULL);
        g_autoptr(RpcDecoder) d = rpc_decoder_new();
        g_autoptr(RpcMessage) msg = NULL;
        remote_connect_list_all_domains_ret back = { 0 };

        bytes = g_bytes_get_size(b);
        rpc_decoder_feed(d, g_bytes_get_data(b, NULL), bytes, NULL);
        msg = rpc_decoder_pop(d);
        rpc_payload_decode(type, msg->payload, &back, NULL);
        rpc_payload_clear(type, &back);
    }
    printf("# list-all-domains reply, %u domains (%zu bytes) encode+decode: %.1f us/packet\n",
           n_doms, bytes, elapsed_ns(t, n) / 1000);
}

int main(void)
{
    bench_small_call();
    bench_list_all();
    return 0;
}
