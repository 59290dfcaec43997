/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What tests of the RPC client (client.c) may look at beyond client.h. */

#include "rpc/client.h"

/* Packets read so far, by who read them: calling threads holding the reader role,
 * or the connection thread while no call waited. */
typedef struct RpcClientReadStats {
    unsigned int by_callers;
    unsigned int by_connection_thread;
} RpcClientReadStats;

void rpc_client_get_read_stats(RpcClient *client, RpcClientReadStats *ret);
