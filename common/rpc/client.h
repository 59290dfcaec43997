/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A client connection speaking libvirt's RPC protocol over a stream socket.
 *
 * The connection has its own thread, which runs a private GMainContext with
 * non-blocking reads and writes; nothing there ever waits for the peer. Any number of
 * threads may call rpc_client_call() at once: each call gets the next serial, and
 * replies, which may come back in any order, are matched to their caller by serial.
 * A calling thread reads the socket itself while it waits, unless another caller
 * already does (then it sleeps until its reply is in or it is handed the reading);
 * the connection thread reads only while no call waits. Events (MESSAGE packets of other programs
 * than keepalive) go to the event handler, keepalive PINGs are answered at once, and once
 * rpc_client_start_keepalive() was called a silent server is pinged and, when it
 * stays silent, the connection is closed with reason KEEPALIVE.
 *
 * Streams (DOMAIN_OPEN_CONSOLE and the like) share the call's serial: data from the
 * server goes to the stream's handler, data to the server is queued like any packet.
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
typedef struct RpcClientStream RpcClientStream;

/* Stream data is sent in packets of at most libvirt's legacy payload size. */
#define RPC_STREAM_CHUNK_MAX 262120u

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

/* @data/@len: one data packet; then once either @eof or @error. */
typedef void (*RpcClientStreamFunc)(RpcClientStream *stream, const void *data, size_t len, bool eof,
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
bool rpc_client_call_with_fds(RpcClient *client, uint32_t prog, int proc, const void *args,
                              const int *fds, unsigned int n_fds, void *ret, int **ret_fds,
                              unsigned int *ret_n_fds, GError **error);
RpcClientStream *rpc_client_call_stream(RpcClient *client, uint32_t prog, int proc,
                                        const void *args, void *ret, RpcClientStreamFunc func,
                                        gpointer user_data, GMainContext *context, GError **error);
RpcClientStream *rpc_client_call_stream_full(RpcClient *client, uint32_t prog, int proc,
                                             const void *args, void *ret, RpcClientStreamFunc func,
                                             gpointer user_data, GDestroyNotify destroy,
                                             GMainContext *context, GError **error);
bool rpc_client_stream_send(RpcClientStream *stream, const void *data, size_t len, GError **error);
bool rpc_client_stream_finish(RpcClientStream *stream, GError **error);
void rpc_client_stream_abort(RpcClientStream *stream);
RpcClientStream *rpc_client_stream_free(RpcClientStream *stream);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcClientStream, rpc_client_stream_free)

bool rpc_client_send_message(RpcClient *client, uint32_t prog, int proc, const void *msg,
                             GError **error);
void rpc_client_start_keepalive(RpcClient *client, unsigned int interval_sec, unsigned int count);
/* What the server said during rpc_client_handshake(). */
typedef struct RpcClientFeatures {
    bool keepalive;      /* VIR_DRV_FEATURE_PROGRAM_KEEPALIVE (10) */
    bool event_callback; /* VIR_DRV_FEATURE_REMOTE_EVENT_CALLBACK (14) */
    bool close_callback; /* VIR_DRV_FEATURE_REMOTE_CLOSE_CALLBACK (15) */
} RpcClientFeatures;

bool rpc_client_handshake(RpcClient *client, const char *name, unsigned int flags,
                          unsigned int keepalive_interval, unsigned int keepalive_count,
                          RpcClientFeatures *ret_features, GError **error);
bool rpc_client_is_open(RpcClient *client);
void rpc_client_close(RpcClient *client);
