/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Data streams of a client (DOMAIN_OPEN_CONSOLE): a procedure that opens one replies
 * OK, then STREAM packets with the call's procedure and serial carry bytes both ways
 * between the client and a file descriptor the driver gave us (a pty, a socket). The
 * loop thread pumps them without blocking:
 *
 *   fd readable  -> STREAM CONTINUE with the bytes; while more than STREAM_TX_MAX
 *                   bytes wait in the client's write queue the fd is not read
 *   fd EOF/HUP   -> STREAM CONTINUE with no bytes (libvirt's end of data); the
 *                   stream stays until the client finishes or aborts it
 *   fd error     -> STREAM ERROR carrying a remote_error; the stream is gone
 *   CONTINUE in  -> queued and written to the fd; while more than STREAM_RX_MAX
 *                   bytes wait for the fd the client socket is not read
 *   OK in        -> finish: the queued bytes are written, the fd closed, STREAM OK
 *   ERROR in     -> abort: the queued bytes are dropped, the fd closed, STREAM OK
 *
 * Packets for a stream that does not exist (finished, aborted, never opened) are
 * dropped, as libvirtd does. A client that goes closes its streams' fds.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "rpc/message.h"

typedef struct Client Client;
typedef struct Daemon Daemon;
typedef struct DispatchCall DispatchCall;

#define STREAM_TX_MAX (256u << 10) /* client write-queue bytes above which fds wait */
#define STREAM_RX_MAX (1u << 20)   /* bytes from the client waiting for fds, per client */
#define STREAM_CHUNK 65536u        /* bytes read from an fd per packet */

/* Called when the stream ends, on the loop thread (console sessions use it). */
typedef void (*StreamEndFunc)(gpointer data);

/* Any thread: make @fd the stream of @call once its (void) reply is out. The fd is
 * owned from now on; @on_end(@data) runs when the stream ends for any reason (also
 * when the client went before it started). */
void stream_start(DispatchCall *call, int fd, StreamEndFunc on_end, gpointer data);

/* Loop thread: end the stream (@client_id, @serial) with a STREAM ERROR carrying
 * @error (a forced console takeover). Nothing happens if it is gone. */
void stream_abort_by_id(Daemon *daemon, uint64_t client_id, uint32_t serial, const GError *error);

/* Loop thread, from the client session code. */
void stream_handle_packet(Client *client, RpcMessage *msg);
bool stream_client_wants_read(Client *client);
void stream_client_output_drained(Client *client);
void stream_client_close_all(Client *client);
