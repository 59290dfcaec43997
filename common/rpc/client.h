/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A client connection speaking libvirt's RPC protocol over a stream socket.
 *
 * All socket I/O happens on the connection's own thread, which runs a private
 * GMainContext with non-blocking reads and writes; nothing there ever waits for the
 * peer. Any number of threads may call rpc_client_call() at once: each call gets the
 * next serial, and replies, which may come back in any order, are matched to their
 * caller by serial. Events (MESSAGE packets of other programs than keepalive) go to
 * the event handler, keepalive PINGs are answered at once, and once
 * rpc_client_start_keepalive() was called a silent server is pinged and, when it
 * stays silent, the connection is closed with reason KEEPALIVE.
 *
 * Handlers run on the GMainContext given with them (so an application's event loop
 * sees them, as virEventRunDefaultImpl does), or on the connection thread when
 * that is NULL; handlers running on the connection thread must not call
 * rpc_client_call().
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "rpc/message.h"

typedef struct RpcClient RpcClient;

/* Numerically libvirt's virConnectCloseReason. */
typedef enum RpcClientCloseReason {
    RPC_CLIENT_CLOSE_ERROR = 0,
    RPC_CLIENT_CLOSE_EOF = 1,
    RPC_CLIENT_CLOSE_KEEPALIVE = 2,
    RPC_CLIENT_CLOSE_CLIENT = 3,
    _RPC_CLIENT_CLOSE_MAX,
    _RPC_CLIENT_CLOSE_INVALID = -EINVAL,
} RpcClientCloseReason;

ENUM_TABLE_DECLARE(rpc_client_close_reason, RpcClientCloseReason);

/* @msg is only valid during the call. */
typedef void (*RpcClientEventFunc)(RpcClient *client, const RpcMessage *msg, gpointer user_data);
typedef void (*RpcClientCloseFunc)(RpcClient *client, RpcClientCloseReason reason,
                                   const GError *error, gpointer user_data);

RpcClient *rpc_client_new_unix(const char *path, GError **error);
RpcClient *rpc_client_new_fd(int fd, GError **error);
RpcClient *rpc_client_ref(RpcClient *client);
RpcClient *rpc_client_unref(RpcClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcClient, rpc_client_unref)

void rpc_client_set_event_handler(RpcClient *client, RpcClientEventFunc func, gpointer user_data,
                                  GMainContext *context);
void rpc_client_set_close_handler(RpcClient *client, RpcClientCloseFunc func, gpointer user_data,
                                  GMainContext *context);

bool rpc_client_call(RpcClient *client, uint32_t prog, int proc, const void *args, void *ret,
                     GError **error);
bool rpc_client_send_message(RpcClient *client, uint32_t prog, int proc, const void *msg,
                             GError **error);
void rpc_client_start_keepalive(RpcClient *client, unsigned int interval_sec, unsigned int count);
bool rpc_client_is_open(RpcClient *client);
void rpc_client_close(RpcClient *client);
