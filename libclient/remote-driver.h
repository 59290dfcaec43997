/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The remote driver: the DriverOps table of common/driver/driver.h implemented by
 * forwarding every op as one RPC call to a daemon (libvirt's src/remote), plus what
 * the API layer needs beyond the table on a remote connection: the hypervisor type,
 * liveness, keepalive, server-side event registrations and the close notification.
 */

#include <glib.h>
#include <stdbool.h>

#include "driver/driver.h"
#include "rpc/client.h"

extern const DriverOps remote_driver_ops;

/* Events arrive tagged with the server's callbackID of the registration that asked
 * for them, or REMOTE_EVENT_UNTAGGED from a legacy registration (105/167); the close
 * sink gets a virConnectCloseReason. Both run on the connection's own thread and
 * must only queue work. */
#define REMOTE_EVENT_UNTAGGED (-1)
typedef void (*RemoteEventSink)(int remote_id, const DomainEvent *event, void *user_data);
typedef void (*RemoteCloseSink)(int reason, void *user_data);

bool remote_driver_is(const DriverOps *ops);
void remote_driver_set_sinks(DriverConn *conn, RemoteEventSink event_sink,
                             RemoteCloseSink close_sink, void *user_data);

const char *remote_driver_get_type(DriverConn *conn, GError **error);
bool remote_driver_is_alive(DriverConn *conn);
int remote_driver_set_keepalive(DriverConn *conn, int interval, unsigned int count, GError **error);

bool remote_driver_has_event_callbacks(DriverConn *conn);
bool remote_driver_event_register(DriverConn *conn, int event_id, const DomainRef *dom,
                                  int *ret_remote_id, GError **error);
bool remote_driver_event_deregister(DriverConn *conn, int remote_id, GError **error);
bool remote_driver_event_register_legacy(DriverConn *conn, int event_id, bool legacy_api,
                                         GError **error);
bool remote_driver_event_deregister_legacy(DriverConn *conn, int event_id, bool legacy_api,
                                           GError **error);
bool remote_driver_close_callback_enable(DriverConn *conn, bool enable, GError **error);

/* Streams (remote-driver-stream.c): DOMAIN_OPEN_CONSOLE. */
RpcClientStream *remote_driver_open_console(DriverConn *conn, const DomainRef *dom,
                                            const char *dev_name, unsigned int flags,
                                            RpcClientStreamFunc func, gpointer data,
                                            GDestroyNotify destroy, GError **error);
