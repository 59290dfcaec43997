/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Streams of the remote driver: DOMAIN_OPEN_CONSOLE (201) opens one on the
 * connection, under the call's serial (common/rpc/client.c carries the data).
 */

#include "client-priv.h"
#include "remote-driver-priv.h"

/**
 * remote_driver_open_console - open a console stream of @dom
 * @conn: a remote connection
 * @dom: the domain
 * @dev_name: the console or serial device, NULL for the first one
 * @flags: virDomainConsoleFlags
 * @func: gets the server's data, its end and errors, on the connection thread
 * @data: for @func
 * @destroy: frees @data once @func is not called any more (also on failure)
 * @error: the server's error as sent
 *
 * Returns the stream, or NULL.
 */
RpcClientStream *remote_driver_open_console(DriverConn *conn, const DomainRef *dom,
                                            const char *dev_name, unsigned int flags,
                                            RpcClientStreamFunc func, gpointer data,
                                            GDestroyNotify destroy, GError **error)
{
    char *name = (char *)dev_name;
    remote_domain_open_console_args args = { .dev_name = dev_name ? &name : NULL, .flags = flags };
    RpcClientStream *stream;

    remote_dom_to_wire(dom, &args.dom);
    stream =
        rpc_client_call_stream_full(conn->client, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_OPEN_CONSOLE,
                                    &args, NULL, func, data, destroy, NULL, error);
    if (!stream && error && *error)
        client_error_mark_verbatim(*error);
    return stream;
}
