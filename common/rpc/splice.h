/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A packet splicer: joins two connected stream sockets that speak libvirt's RPC
 * protocol and copies whole packets both ways on an sd-event loop, without decoding
 * them. Calls, replies, events, keepalive and stream data all pass as bytes. Only
 * the framing is read: the length word of each packet (bounded like any packet we
 * receive), its type and, for *_WITH_FDS packets, the count of file descriptors
 * that follow it as one dummy byte each with SCM_RIGHTS; those descriptors are
 * received and sent on beside their byte.
 *
 * The splice owns both sockets. An orderly close of one side is passed on as a
 * shutdown of writing on the other once everything before it was delivered; when
 * both sides have closed (or on any error) @done runs once. Backpressure is per
 * direction: a side is not read while the bytes it sent still wait for the other.
 */

#include <glib.h>
#include <stdbool.h>
#include <systemd/sd-event.h>

typedef struct RpcSplice RpcSplice;

typedef enum RpcSpliceSide {
    RPC_SPLICE_SIDE_A,
    RPC_SPLICE_SIDE_B,
    _RPC_SPLICE_SIDE_MAX,
    _RPC_SPLICE_SIDE_INVALID = -EINVAL,
} RpcSpliceSide;

/* @error is NULL after an orderly close of both sides. The splice may be freed here. */
typedef void (*RpcSpliceDoneFunc)(RpcSplice *splice, const GError *error, gpointer user_data);

RpcSplice *rpc_splice_new(sd_event *event, int fd_a, int fd_b, RpcSpliceDoneFunc done,
                          gpointer user_data);
bool rpc_splice_queue(RpcSplice *splice, RpcSpliceSide to, const void *data, size_t len,
                      GError **error);
bool rpc_splice_start(RpcSplice *splice, GError **error);
RpcSplice *rpc_splice_free(RpcSplice *splice);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcSplice, rpc_splice_free)
