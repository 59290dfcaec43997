/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Keepalive as a pure state machine (libvirt's virkeepalive semantics, facts §1.7).
 * The caller feeds it events with the current monotonic time and carries out the
 * action it returns; it owns no timer and no socket.
 *
 *  - every packet received, of any program, proves the peer alive: the miss counter
 *    is refilled and the interval restarts;
 *  - a PING is answered with a PONG at once, whether or not pinging is started;
 *  - once started, when @interval passes with nothing received, send a PING and
 *    count one miss; when the timer fires again with no misses left, the peer is
 *    dead ("connection closed due to keepalive timeout").
 *
 * With interval 5 s and count 5 a silent peer is declared dead 30 s after its last
 * packet (5 pings, then one more interval).
 */

#include <stdbool.h>
#include <stdint.h>

#include "rpc/message.h"

typedef enum RpcKeepaliveAction {
    RPC_KEEPALIVE_NONE,
    RPC_KEEPALIVE_SEND_PING,
    RPC_KEEPALIVE_SEND_PONG,
    RPC_KEEPALIVE_DEAD,
    _RPC_KEEPALIVE_ACTION_MAX,
    _RPC_KEEPALIVE_ACTION_INVALID = -EINVAL,
} RpcKeepaliveAction;

ENUM_TABLE_DECLARE(rpc_keepalive_action, RpcKeepaliveAction);

typedef struct RpcKeepalive {
    int64_t interval_usec;
    unsigned int count;
    unsigned int countdown; /* pings left before the peer is declared dead */
    int64_t last_received_usec;
    int64_t interval_start_usec;
    bool started;
} RpcKeepalive;

void rpc_keepalive_init(RpcKeepalive *ka, unsigned int interval_sec, unsigned int count,
                        int64_t now_usec);
void rpc_keepalive_start(RpcKeepalive *ka, int64_t now_usec);
void rpc_keepalive_stop(RpcKeepalive *ka);
RpcKeepaliveAction rpc_keepalive_received(RpcKeepalive *ka, const RpcHeader *header,
                                          int64_t now_usec);
RpcKeepaliveAction rpc_keepalive_timer(RpcKeepalive *ka, int64_t now_usec);
int64_t rpc_keepalive_deadline(const RpcKeepalive *ka);

bool rpc_keepalive_is_keepalive(const RpcHeader *header);
GBytes *rpc_keepalive_encode(RpcKeepaliveAction action);
