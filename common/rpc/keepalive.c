/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Keepalive state machine (see keepalive.h). Times are monotonic microseconds. */

#include "rpc/keepalive.h"
#include "rpc/remote-protocol.h"

ENUM_TABLE_DEFINE(rpc_keepalive_action, RpcKeepaliveAction, _RPC_KEEPALIVE_ACTION_MAX,
                  [RPC_KEEPALIVE_NONE] = "none", [RPC_KEEPALIVE_SEND_PING] = "send-ping",
                  [RPC_KEEPALIVE_SEND_PONG] = "send-pong", [RPC_KEEPALIVE_DEAD] = "dead");

/**
 * rpc_keepalive_init: a stopped keepalive for a connection that opened at @now_usec.
 * An interval of 0 disables pinging altogether (PINGs are still answered).
 */
void rpc_keepalive_init(RpcKeepalive *ka, unsigned int interval_sec, unsigned int count,
                        int64_t now_usec)
{
    *ka = (RpcKeepalive){
        .interval_usec = (int64_t)interval_sec * G_USEC_PER_SEC,
        .count = count,
        .countdown = count,
        .last_received_usec = now_usec,
        .interval_start_usec = now_usec,
    };
}

/**
 * rpc_keepalive_start: start pinging (the peer asked for keepalive). Silence that
 * already passed counts, up to one interval, as libvirt does.
 */
void rpc_keepalive_start(RpcKeepalive *ka, int64_t now_usec)
{
    int64_t delay = now_usec - ka->last_received_usec;

    if (ka->interval_usec <= 0)
        return;
    if (delay > ka->interval_usec)
        delay = ka->interval_usec;
    ka->interval_start_usec = now_usec - delay;
    ka->countdown = ka->count;
    ka->started = true;
}

/**
 * rpc_keepalive_stop: stop pinging; received PINGs are still answered.
 */
void rpc_keepalive_stop(RpcKeepalive *ka)
{
    ka->started = false;
}

/**
 * rpc_keepalive_is_keepalive: whether @header is a keepalive program packet.
 */
bool rpc_keepalive_is_keepalive(const RpcHeader *header)
{
    return header->prog == KEEPALIVE_PROGRAM;
}

/**
 * rpc_keepalive_received: the peer sent a packet with @header at @now_usec. Returns
 * SEND_PONG for a PING, NONE otherwise (a PONG, unknown keepalive procs and every
 * other program only refresh liveness).
 */
RpcKeepaliveAction rpc_keepalive_received(RpcKeepalive *ka, const RpcHeader *header,
                                          int64_t now_usec)
{
    ka->last_received_usec = now_usec;
    ka->interval_start_usec = now_usec;
    ka->countdown = ka->count;
    if (rpc_keepalive_is_keepalive(header) && header->type == RPC_MESSAGE_MESSAGE &&
        header->proc == KEEPALIVE_PROC_PING)
        return RPC_KEEPALIVE_SEND_PONG;
    return RPC_KEEPALIVE_NONE;
}

/**
 * rpc_keepalive_deadline: when rpc_keepalive_timer() has something to do next, or
 * -1 while pinging is stopped.
 */
int64_t rpc_keepalive_deadline(const RpcKeepalive *ka)
{
    if (!ka->started || ka->interval_usec <= 0)
        return -1;
    return ka->interval_start_usec + ka->interval_usec;
}

/**
 * rpc_keepalive_timer: the caller's timer fired at @now_usec. Returns SEND_PING when
 * an interval passed in silence and misses are left, DEAD when none are, NONE when
 * it fired early (re-arm it at rpc_keepalive_deadline()).
 */
RpcKeepaliveAction rpc_keepalive_timer(RpcKeepalive *ka, int64_t now_usec)
{
    int64_t deadline = rpc_keepalive_deadline(ka);

    if (deadline < 0 || now_usec < deadline)
        return RPC_KEEPALIVE_NONE;
    if (ka->countdown == 0)
        return RPC_KEEPALIVE_DEAD;
    ka->countdown--;
    ka->interval_start_usec = now_usec;
    return RPC_KEEPALIVE_SEND_PING;
}

/**
 * rpc_keepalive_encode: the packet for SEND_PING or SEND_PONG: keepalive program,
 * type MESSAGE, serial 0, empty payload. NULL for other actions.
 */
GBytes *rpc_keepalive_encode(RpcKeepaliveAction action)
{
    RpcHeader h = { KEEPALIVE_PROGRAM, KEEPALIVE_PROTOCOL_VERSION, 0, RPC_MESSAGE_MESSAGE, 0,
                    RPC_STATUS_OK };

    switch (action) {
    case RPC_KEEPALIVE_SEND_PING:
        h.proc = KEEPALIVE_PROC_PING;
        return rpc_message_encode(&h, 0, NULL, 0, NULL);
    case RPC_KEEPALIVE_SEND_PONG:
        h.proc = KEEPALIVE_PROC_PONG;
        return rpc_message_encode(&h, 0, NULL, 0, NULL);
    case RPC_KEEPALIVE_NONE:
    case RPC_KEEPALIVE_DEAD:
    case _RPC_KEEPALIVE_ACTION_MAX:
    case _RPC_KEEPALIVE_ACTION_INVALID:
        break;
    }
    return NULL;
}
