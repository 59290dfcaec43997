/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tier: golden (pure). The keepalive state machine driven by scripted events. */

#include <glib.h>

#include "rpc/keepalive.h"
#include "rpc/remote-protocol.h"

typedef enum Op {
    OP_START,
    OP_STOP,
    OP_TIMER,
    OP_RECV_PING,
    OP_RECV_PONG,
    OP_RECV_CALL,
    OP_RECV_UNKNOWN_KEEPALIVE,
} Op;

typedef struct Step {
    Op op;
    double at;              /* seconds since the connection opened */
    RpcKeepaliveAction out; /* expected action */
    double deadline;        /* expected deadline afterwards, seconds; -1 = none */
} Step;

typedef struct Script {
    const char *name;
    unsigned int interval;
    unsigned int count;
    Step steps[16];
    size_t n_steps;
} Script;

#define S(sec) ((int64_t)((sec)*G_USEC_PER_SEC))

static const Script scripts[] = {
    {
        "silent-peer-dies-after-count-pings",
        5,
        2,
        {
            { OP_START, 0, RPC_KEEPALIVE_NONE, 5 },
            { OP_TIMER, 4.9, RPC_KEEPALIVE_NONE, 5 }, /* early: re-arm */
            { OP_TIMER, 5, RPC_KEEPALIVE_SEND_PING, 10 },
            { OP_TIMER, 10, RPC_KEEPALIVE_SEND_PING, 15 },
            { OP_TIMER, 15, RPC_KEEPALIVE_DEAD, 15 },
        },
        5,
    },
    {
        "any-packet-refills",
        5,
        1,
        {
            { OP_START, 0, RPC_KEEPALIVE_NONE, 5 },
            { OP_TIMER, 5, RPC_KEEPALIVE_SEND_PING, 10 },
            { OP_RECV_CALL, 7, RPC_KEEPALIVE_NONE, 12 },
            { OP_TIMER, 10, RPC_KEEPALIVE_NONE, 12 },
            { OP_TIMER, 12, RPC_KEEPALIVE_SEND_PING, 17 },
            { OP_RECV_PONG, 13, RPC_KEEPALIVE_NONE, 18 },
            { OP_TIMER, 18, RPC_KEEPALIVE_SEND_PING, 23 },
            { OP_TIMER, 23, RPC_KEEPALIVE_DEAD, 23 },
        },
        8,
    },
    {
        "ping-answered-even-when-stopped",
        5,
        5,
        {
            { OP_RECV_PING, 1, RPC_KEEPALIVE_SEND_PONG, -1 },
            { OP_TIMER, 100, RPC_KEEPALIVE_NONE, -1 },
            { OP_RECV_UNKNOWN_KEEPALIVE, 101, RPC_KEEPALIVE_NONE, -1 },
        },
        3,
    },
    {
        "start-counts-past-silence-up-to-one-interval",
        5,
        5,
        {
            { OP_RECV_CALL, 1, RPC_KEEPALIVE_NONE, -1 },
            { OP_START, 3, RPC_KEEPALIVE_NONE, 6 },
            { OP_STOP, 4, RPC_KEEPALIVE_NONE, -1 },
            { OP_START, 60, RPC_KEEPALIVE_NONE, 60 },
            { OP_TIMER, 60, RPC_KEEPALIVE_SEND_PING, 65 },
        },
        5,
    },
    {
        "interval-zero-never-pings",
        0,
        5,
        {
            { OP_START, 0, RPC_KEEPALIVE_NONE, -1 },
            { OP_TIMER, 1000, RPC_KEEPALIVE_NONE, -1 },
            { OP_RECV_PING, 1001, RPC_KEEPALIVE_SEND_PONG, -1 },
        },
        3,
    },
    {
        "libvirt-defaults-dead-after-30s",
        5,
        5,
        {
            { OP_START, 0, RPC_KEEPALIVE_NONE, 5 },
            { OP_TIMER, 5, RPC_KEEPALIVE_SEND_PING, 10 },
            { OP_TIMER, 10, RPC_KEEPALIVE_SEND_PING, 15 },
            { OP_TIMER, 15, RPC_KEEPALIVE_SEND_PING, 20 },
            { OP_TIMER, 20, RPC_KEEPALIVE_SEND_PING, 25 },
            { OP_TIMER, 25, RPC_KEEPALIVE_SEND_PING, 30 },
            { OP_TIMER, 30, RPC_KEEPALIVE_DEAD, 30 },
        },
        7,
    },
};

static void run_script(gconstpointer data)
{
    const Script *s = data;
    RpcKeepalive ka;

    rpc_keepalive_init(&ka, s->interval, s->count, 0);
    for (size_t i = 0; i < s->n_steps; i++) {
        const Step *st = &s->steps[i];
        RpcHeader h = { REMOTE_PROGRAM,   1, REMOTE_PROC_CONNECT_GET_TYPE,
                        RPC_MESSAGE_CALL, 3, RPC_STATUS_OK };
        RpcKeepaliveAction got = RPC_KEEPALIVE_NONE;
        int64_t want_deadline = st->deadline < 0 ? -1 : S(st->deadline);

        switch (st->op) {
        case OP_START:
            rpc_keepalive_start(&ka, S(st->at));
            break;
        case OP_STOP:
            rpc_keepalive_stop(&ka);
            break;
        case OP_TIMER:
            got = rpc_keepalive_timer(&ka, S(st->at));
            break;
        case OP_RECV_PING:
        case OP_RECV_PONG:
        case OP_RECV_UNKNOWN_KEEPALIVE:
            h = (RpcHeader){ KEEPALIVE_PROGRAM, 1, 0, RPC_MESSAGE_MESSAGE, 0, RPC_STATUS_OK };
            h.proc = st->op == OP_RECV_PING   ? KEEPALIVE_PROC_PING
                     : st->op == OP_RECV_PONG ? KEEPALIVE_PROC_PONG
                                              : 99;
            got = rpc_keepalive_received(&ka, &h, S(st->at));
            break;
        case OP_RECV_CALL:
            got = rpc_keepalive_received(&ka, &h, S(st->at));
            break;
        }
        if (got != st->out || rpc_keepalive_deadline(&ka) != want_deadline)
            g_error("%s step %zu: got %s deadline %" G_GINT64_FORMAT
                    ", want %s deadline %" G_GINT64_FORMAT,
                    s->name, i, rpc_keepalive_action_to_string(got), rpc_keepalive_deadline(&ka),
                    rpc_keepalive_action_to_string(st->out), want_deadline);
    }
}

static void test_encode(void)
{
    g_autoptr(GBytes) ping = rpc_keepalive_encode(RPC_KEEPALIVE_SEND_PING);
    g_autoptr(GBytes) pong = rpc_keepalive_encode(RPC_KEEPALIVE_SEND_PONG);
    static const uint8_t want_pong[28] = {
        0, 0, 0, 0x1c, 0x6b, 0x65, 0x65, 0x70, 0, 0, 0, 1, 0, 0,
        0, 2, 0, 0,    0,    2,    0,    0,    0, 0, 0, 0, 0, 0
    };

    g_assert_cmpuint(g_bytes_get_size(ping), ==, 28);
    g_assert_cmpmem(g_bytes_get_data(pong, NULL), 28, want_pong, 28);
    g_assert_null(rpc_keepalive_encode(RPC_KEEPALIVE_DEAD));
    g_assert_null(rpc_keepalive_encode(RPC_KEEPALIVE_NONE));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(scripts); i++) {
        g_autofree char *path = g_strdup_printf("/rpc/keepalive/%s", scripts[i].name);
        g_test_add_data_func(path, &scripts[i], run_script);
    }
    g_test_add_func("/rpc/keepalive/encode", test_encode);
    return g_test_run();
}
