/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The remote driver (see remote-driver.h): the connection, libvirt's client
 * handshake, connection-level ops, and events and close notifications coming back.
 *
 * Handshake, in libvirt's order (doRemoteOpen): AUTH_LIST; SUPPORTS_FEATURE(10,
 * PROGRAM_KEEPALIVE) before the open; CONNECT_OPEN with the URI minus transport and
 * client-only parameters; CONNECT_GET_URI when that name was empty; then
 * SUPPORTS_FEATURE(14, REMOTE_EVENT_CALLBACK) and (15, REMOTE_CLOSE_CALLBACK).
 *
 * The RPC connection runs its own thread; overlapping calls from any number of
 * threads are matched by serial there. Events and the close notification are
 * handled on that thread and only handed on to the sinks the API layer set.
 */

#include <string.h>

#include "client-priv.h"
#include "remote-driver-priv.h"
#include "remote-sockets.h"
#include "util/error.h"

/* virDrvFeature numbers the handshake asks about */
enum {
    REMOTE_FEATURE_PROGRAM_KEEPALIVE = 10,
    REMOTE_FEATURE_REMOTE_EVENT_CALLBACK = 14,
    REMOTE_FEATURE_REMOTE_CLOSE_CALLBACK = 15,
};

/**
 * remote_call - call one procedure of the remote program
 * @conn: the connection
 * @proc: REMOTE_PROC_*
 * @args: the procedure's args struct, NULL when it has none
 * @ret: a zeroed ret struct, NULL when it has none; release with remote_ret_clear()
 * @error: the server's error as sent ({domain, code, message}), or a transport error
 */
bool remote_call(DriverConn *conn, int proc, const void *args, void *ret, GError **error)
{
    return remote_call_with_fds(conn, proc, args, NULL, 0, ret, error);
}

/**
 * remote_call_with_fds: remote_call() passing @n_fds descriptors @fds with the call
 * (they stay the caller's). Descriptors the reply brings are closed: no procedure
 * we call answers with any.
 */
bool remote_call_with_fds(DriverConn *conn, int proc, const void *args, const int *fds,
                          unsigned int n_fds, void *ret, GError **error)
{
    if (rpc_client_call_with_fds(conn->client, REMOTE_PROGRAM, proc, args, fds, n_fds, ret, NULL,
                                 NULL, error))
        return true;
    if (error && *error)
        client_error_mark_verbatim(*error);
    return false;
}

/**
 * remote_ret_clear: free what decoding a reply of @proc allocated in @ret.
 */
void remote_ret_clear(int proc, void *ret)
{
    const RpcProcInfo *info = rpc_proc_lookup(REMOTE_PROGRAM, proc);

    g_assert(info);
    rpc_payload_clear(&info->ret, ret);
}

/**
 * remote_dom_to_wire: @ref as remote_nonnull_domain; the name is borrowed.
 */
void remote_dom_to_wire(const DomainRef *ref, remote_nonnull_domain *ret_wire)
{
    ret_wire->name = ref->name ? ref->name : (char *)"";
    memcpy(ret_wire->uuid, ref->uuid, VIRT_UUID_LEN);
    ret_wire->id = ref->id;
}

/**
 * remote_dom_from_wire: a new DomainRef from a remote_nonnull_domain.
 */
DomainRef *remote_dom_from_wire(const remote_nonnull_domain *wire)
{
    return domain_ref_new(wire->name, (const uint8_t *)wire->uuid, wire->id);
}

/* ---- events and close notifications (connection thread) ---- */

static void remote_report_close(DriverConn *conn, int reason)
{
    RemoteCloseSink sink;
    void *data;

    g_mutex_lock(&conn->lock);
    sink = conn->close_reported ? NULL : conn->close_sink;
    data = conn->sink_data;
    if (!conn->close_reported)
        conn->close_reason = reason;
    conn->close_reported = true;
    g_mutex_unlock(&conn->lock);
    if (sink)
        sink(reason, data);
}

static void remote_deliver_lifecycle(DriverConn *conn, int remote_id,
                                     const remote_domain_event_lifecycle_msg *msg)
{
    g_autoptr(DomainRef) dom = remote_dom_from_wire(&msg->dom);
    DomainEvent event = { .event_id = 0, .dom = dom, .event = msg->event, .detail = msg->detail };
    RemoteEventSink sink;
    void *data;

    g_mutex_lock(&conn->lock);
    sink = conn->event_sink;
    data = conn->sink_data;
    g_mutex_unlock(&conn->lock);
    if (sink)
        sink(remote_id, &event, data);
}

static void remote_on_event(RpcClient *client, const RpcMessage *msg, gpointer user_data)
{
    DriverConn *conn = user_data;
    const RpcPayloadType *type;
    union {
        remote_domain_event_callback_lifecycle_msg lifecycle;
        remote_domain_event_lifecycle_msg legacy;
        remote_connect_event_connection_closed_msg closed;
    } body;

    if (msg->header.prog != REMOTE_PROGRAM)
        return;
    type = rpc_message_payload_type(&msg->header, NULL);
    memset(&body, 0, sizeof(body));
    /* an event we cannot decode is dropped, as libvirt's client does */
    if (!type || !rpc_payload_decode(type, msg->payload, &body, NULL))
        return;
    switch (msg->header.proc) {
    case REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE:
        remote_deliver_lifecycle(conn, body.lifecycle.callbackID, &body.lifecycle.msg);
        break;
    case REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE:
        /* a legacy registration's event: every domain, no callback id */
        remote_deliver_lifecycle(conn, REMOTE_EVENT_UNTAGGED, &body.legacy);
        break;
    case REMOTE_PROC_CONNECT_EVENT_CONNECTION_CLOSED:
        remote_report_close(conn, body.closed.reason);
        break;
    default:
        break;
    }
    rpc_payload_clear(type, &body);
}

static void remote_on_close(RpcClient *client, RpcClientCloseReason reason, const GError *error,
                            gpointer user_data)
{
    remote_report_close(user_data, (int)reason);
}

/* ---- handshake ---- */

static bool remote_supports_feature(DriverConn *conn, int feature, bool *ret, GError **error)
{
    remote_connect_supports_feature_args args = { .feature = feature };
    remote_connect_supports_feature_ret reply = { 0 };

    if (!remote_call(conn, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, &args, &reply, error))
        return false;
    *ret = reply.supported != 0;
    return true;
}

/* AUTH_LIST, and polkit's one-step auth when the server asks for it. SASL is not
 * implemented: the unix sockets of our daemons never ask for it. */
static bool remote_authenticate(DriverConn *conn, GError **error)
{
    remote_auth_list_ret list = { 0 };
    remote_auth_polkit_ret polkit = { 0 };
    int type = REMOTE_AUTH_NONE;

    if (!remote_call(conn, REMOTE_PROC_AUTH_LIST, NULL, &list, error))
        return false;
    if (list.types.types_len > 0)
        type = list.types.types_val[0];
    remote_ret_clear(REMOTE_PROC_AUTH_LIST, &list);
    switch (type) {
    case REMOTE_AUTH_NONE:
        return true;
    case REMOTE_AUTH_POLKIT:
        return remote_call(conn, REMOTE_PROC_AUTH_POLKIT, NULL, &polkit, error);
    default:
        g_set_error(error, VIRT_REMOTE_ERROR, VIRT_ERR_AUTH_FAILED,
                    "unsupported authentication type %d", type);
        return false;
    }
}

static bool remote_open_name(DriverConn *conn, const VirtUri *uri, unsigned int flags,
                             GError **error)
{
    g_autofree char *name = virt_uri_format_for_server(uri);
    remote_connect_open_args args = { .name = name && *name ? &name : NULL, .flags = flags };
    remote_connect_get_uri_ret got = { 0 };

    if (!remote_call(conn, REMOTE_PROC_CONNECT_OPEN, &args, NULL, error))
        return false;
    if (args.name)
        return true;
    /* the server chose: ask which URI it opened */
    if (!remote_call(conn, REMOTE_PROC_CONNECT_GET_URI, NULL, &got, error))
        return false;
    conn->server_uri = g_strdup(got.uri);
    remote_ret_clear(REMOTE_PROC_CONNECT_GET_URI, &got);
    return true;
}

static bool remote_handshake(DriverConn *conn, const VirtUri *uri, unsigned int flags,
                             GError **error)
{
    return remote_authenticate(conn, error) &&
           remote_supports_feature(conn, REMOTE_FEATURE_PROGRAM_KEEPALIVE,
                                   &conn->keepalive_supported, error) &&
           remote_open_name(conn, uri, flags, error) &&
           remote_supports_feature(conn, REMOTE_FEATURE_REMOTE_EVENT_CALLBACK,
                                   &conn->event_callbacks_supported, error) &&
           remote_supports_feature(conn, REMOTE_FEATURE_REMOTE_CLOSE_CALLBACK,
                                   &conn->close_callbacks_supported, error);
}

static void remote_conn_free(DriverConn *conn)
{
    if (!conn)
        return;
    if (conn->client) {
        rpc_client_set_event_handler(conn->client, NULL, NULL, NULL);
        rpc_client_set_close_handler(conn->client, NULL, NULL, NULL);
    }
    g_clear_pointer(&conn->client, rpc_client_unref);
    g_free(conn->server_uri);
    g_free(conn->uri);
    g_free(conn->hv_type);
    g_mutex_clear(&conn->lock);
    g_free(conn);
}

static bool remote_connect_open(const VirtUri *uri, unsigned int flags, DriverEventFunc event_cb,
                                void *event_data, DriverConn **ret_conn, GError **error)
{
    RemoteSocketEnv env;
    RemoteSocketPlan plan = { 0 };
    DriverConn *conn;
    bool ok;

    remote_socket_env_from_environ(&env);
    if (!remote_sockets_plan(uri, flags & 1u /* VIR_CONNECT_RO */, &env, remote_socket_exists, NULL,
                             &plan, error))
        return false;
    conn = g_new0(DriverConn, 1);
    g_mutex_init(&conn->lock);
    conn->uri = virt_uri_format(uri);
    conn->client = remote_sockets_connect(&plan, error);
    remote_socket_plan_clear(&plan);
    if (!conn->client) {
        remote_conn_free(conn);
        return false;
    }
    rpc_client_set_event_handler(conn->client, remote_on_event, conn, NULL);
    rpc_client_set_close_handler(conn->client, remote_on_close, conn, NULL);
    ok = remote_handshake(conn, uri, flags, error);
    if (!ok) {
        remote_conn_free(conn);
        return false;
    }
    *ret_conn = conn;
    return true;
}

static void remote_connect_close(DriverConn *conn)
{
    bool unregister;

    g_mutex_lock(&conn->lock);
    unregister = conn->close_callback_registered;
    g_mutex_unlock(&conn->lock);
    /* a dead connection has nobody to tell */
    if (rpc_client_is_open(conn->client)) {
        if (unregister)
            (void)remote_call(conn, REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK, NULL, NULL,
                              NULL);
        (void)remote_call(conn, REMOTE_PROC_CONNECT_CLOSE, NULL, NULL, NULL);
    }
    remote_conn_free(conn);
}

/* ---- connection ops ---- */

static char *remote_connect_get_uri(DriverConn *conn, GError **error)
{
    return g_strdup(conn->server_uri ? conn->server_uri : conn->uri);
}

static bool remote_connect_get_version(DriverConn *conn, uint64_t *ret_version, GError **error)
{
    remote_connect_get_version_ret ret = { 0 };

    if (!remote_call(conn, REMOTE_PROC_CONNECT_GET_VERSION, NULL, &ret, error))
        return false;
    *ret_version = ret.hv_ver;
    return true;
}

/* The ret of every connection call returning one string. */
static char *remote_string_call(DriverConn *conn, int proc, const void *args, GError **error)
{
    remote_connect_get_hostname_ret ret = { 0 };
    char *value;

    G_STATIC_ASSERT(sizeof(ret) == sizeof(remote_connect_get_capabilities_ret));
    G_STATIC_ASSERT(sizeof(ret) == sizeof(remote_connect_get_type_ret));
    if (!remote_call(conn, proc, args, &ret, error))
        return NULL;
    value = g_strdup(ret.hostname);
    remote_ret_clear(proc, &ret);
    return value;
}

static char *remote_connect_get_hostname(DriverConn *conn, GError **error)
{
    return remote_string_call(conn, REMOTE_PROC_CONNECT_GET_HOSTNAME, NULL, error);
}

static char *remote_connect_get_capabilities(DriverConn *conn, GError **error)
{
    return remote_string_call(conn, REMOTE_PROC_CONNECT_GET_CAPABILITIES, NULL, error);
}

static int remote_connect_get_max_vcpus(DriverConn *conn, const char *type, GError **error)
{
    char *type_copy = (char *)type;
    remote_connect_get_max_vcpus_args args = { .type = type ? &type_copy : NULL };
    remote_connect_get_max_vcpus_ret ret = { 0 };

    if (!remote_call(conn, REMOTE_PROC_CONNECT_GET_MAX_VCPUS, &args, &ret, error))
        return -1;
    return ret.max_vcpus;
}

static bool remote_node_get_info(DriverConn *conn, NodeInfo *ret_info, GError **error)
{
    remote_node_get_info_ret ret = { 0 };
    NodeInfo info = { 0 };

    if (!remote_call(conn, REMOTE_PROC_NODE_GET_INFO, NULL, &ret, error))
        return false;
    memcpy(info.model, ret.model, sizeof(info.model));
    info.model[sizeof(info.model) - 1] = '\0';
    info.memory_kib = ret.memory;
    info.cpus = ret.cpus;
    info.mhz = ret.mhz;
    info.nodes = ret.nodes;
    info.sockets = ret.sockets;
    info.cores = ret.cores;
    info.threads = ret.threads;
    *ret_info = info;
    return true;
}

const DriverOps remote_driver_ops = {
    .name = "remote",
    .hv_type = NULL, /* asked from the server: remote_driver_get_type() */
    .connect_open = remote_connect_open,
    .connect_close = remote_connect_close,
    .connect_get_uri = remote_connect_get_uri,
    .connect_get_version = remote_connect_get_version,
    .connect_get_hostname = remote_connect_get_hostname,
    .connect_get_capabilities = remote_connect_get_capabilities,
    .connect_get_max_vcpus = remote_connect_get_max_vcpus,
    .node_get_info = remote_node_get_info,
    .connect_list_all_domains = remote_connect_list_all_domains,
    .domain_lookup_by_name = remote_domain_lookup_by_name,
    .domain_lookup_by_uuid = remote_domain_lookup_by_uuid,
    .domain_lookup_by_id = remote_domain_lookup_by_id,
    .domain_define_xml = remote_domain_define_xml,
    .domain_undefine = remote_domain_undefine,
    .domain_get_xml_desc = remote_domain_get_xml_desc,
    .domain_get_autostart = remote_domain_get_autostart,
    .domain_set_autostart = remote_domain_set_autostart,
    .domain_get_metadata = remote_domain_get_metadata,
    .domain_set_metadata = remote_domain_set_metadata,
    .domain_create = remote_domain_create,
    .domain_create_xml = remote_domain_create_xml,
    .domain_create_with_files = remote_domain_create_with_files,
    .domain_create_xml_with_files = remote_domain_create_xml_with_files,
    .domain_destroy = remote_domain_destroy,
    .domain_shutdown = remote_domain_shutdown,
    .domain_reboot = remote_domain_reboot,
    .domain_reset = remote_domain_reset,
    .domain_suspend = remote_domain_suspend,
    .domain_resume = remote_domain_resume,
    .domain_get_info = remote_domain_get_info,
    .domain_get_state = remote_domain_get_state,
    .domain_is_active = remote_domain_is_active,
    .domain_is_persistent = remote_domain_is_persistent,
    .domain_is_updated = remote_domain_is_updated,
    .domain_has_managed_save_image = remote_domain_has_managed_save_image,
    .domain_get_os_type = remote_domain_get_os_type,
    .domain_get_max_memory = remote_domain_get_max_memory,
    .node_get_security_model = remote_node_get_security_model,
    .domain_get_security_label = remote_domain_get_security_label,
    .domain_managed_save = remote_domain_managed_save,
    .domain_managed_save_remove = remote_domain_managed_save_remove,
    .domain_save = remote_domain_save,
    .domain_restore = remote_domain_restore,
    .domain_save_image_get_xml_desc = remote_domain_save_image_get_xml_desc,
    .domain_save_image_define_xml = remote_domain_save_image_define_xml,
    .domain_managed_save_get_xml_desc = remote_domain_managed_save_get_xml_desc,
    .domain_managed_save_define_xml = remote_domain_managed_save_define_xml,
    .domain_snapshot_create_xml = remote_domain_snapshot_create_xml,
    .domain_list_all_snapshots = remote_domain_list_all_snapshots,
    .domain_snapshot_num = remote_domain_snapshot_num,
    .domain_snapshot_list_names = remote_domain_snapshot_list_names,
    .domain_snapshot_lookup_by_name = remote_domain_snapshot_lookup_by_name,
    .domain_has_current_snapshot = remote_domain_has_current_snapshot,
    .domain_snapshot_current = remote_domain_snapshot_current,
    .domain_snapshot_get_parent = remote_domain_snapshot_get_parent,
    .domain_snapshot_get_xml_desc = remote_domain_snapshot_get_xml_desc,
    .domain_snapshot_is_current = remote_domain_snapshot_is_current,
    .domain_snapshot_has_metadata = remote_domain_snapshot_has_metadata,
    .domain_snapshot_list_all_children = remote_domain_snapshot_list_all_children,
    .domain_snapshot_num_children = remote_domain_snapshot_num_children,
    .domain_snapshot_list_children_names = remote_domain_snapshot_list_children_names,
    .domain_revert_to_snapshot = remote_domain_revert_to_snapshot,
    .domain_snapshot_delete = remote_domain_snapshot_delete,
};

/* ---- beyond the ops table ---- */

/**
 * remote_driver_is: whether @ops is the remote driver's table.
 */
bool remote_driver_is(const DriverOps *ops)
{
    return ops == &remote_driver_ops;
}

/**
 * remote_driver_set_sinks: where events and the close notification go. Called once,
 * right after the open, before anything can arrive.
 */
void remote_driver_set_sinks(DriverConn *conn, RemoteEventSink event_sink,
                             RemoteCloseSink close_sink, void *user_data)
{
    bool closed;
    int reason;

    g_mutex_lock(&conn->lock);
    conn->event_sink = event_sink;
    conn->close_sink = close_sink;
    conn->sink_data = user_data;
    closed = conn->close_reported;
    reason = conn->close_reason;
    g_mutex_unlock(&conn->lock);
    /* closed between the open and now: the notification went nowhere, repeat it */
    if (closed && close_sink)
        close_sink(reason, user_data);
}

/**
 * remote_driver_get_type: the server's hypervisor type ("TEST"), asked once
 * (CONNECT_GET_TYPE) and then kept for the connection's lifetime, as libvirt does,
 * since virConnectGetType() returns a string the caller does not free.
 */
const char *remote_driver_get_type(DriverConn *conn, GError **error)
{
    g_autofree char *type = NULL;
    const char *ret;

    g_mutex_lock(&conn->lock);
    ret = conn->hv_type;
    g_mutex_unlock(&conn->lock);
    if (ret)
        return ret;
    type = remote_string_call(conn, REMOTE_PROC_CONNECT_GET_TYPE, NULL, error);
    if (!type)
        return NULL;
    g_mutex_lock(&conn->lock);
    if (!conn->hv_type)
        conn->hv_type = g_steal_pointer(&type);
    ret = conn->hv_type;
    g_mutex_unlock(&conn->lock);
    return ret;
}

/**
 * remote_driver_is_alive: whether the connection still works (local, no RPC).
 */
bool remote_driver_is_alive(DriverConn *conn)
{
    return rpc_client_is_open(conn->client);
}

/**
 * remote_driver_set_keepalive - ping a silent server
 * @conn: the connection
 * @interval: seconds of silence before a ping; <= 0 turns keepalive off
 * @count: unanswered pings after which the connection is closed
 * @error: unused: the call cannot fail once the connection is open
 *
 * Returns 0, or 1 when the server did not offer PROGRAM_KEEPALIVE (libvirt's
 * virConnectSetKeepAlive answers the same).
 */
int remote_driver_set_keepalive(DriverConn *conn, int interval, unsigned int count, GError **error)
{
    if (!conn->keepalive_supported)
        return 1;
    rpc_client_start_keepalive(conn->client, interval > 0 ? (unsigned int)interval : 0,
                               interval > 0 ? count : 0);
    return 0;
}

/**
 * remote_driver_has_event_callbacks: whether registrations use 316/317 (the server
 * offered REMOTE_EVENT_CALLBACK and has not refused 316), else the legacy procedures.
 */
bool remote_driver_has_event_callbacks(DriverConn *conn)
{
    return conn->event_callbacks_supported;
}

/**
 * remote_driver_event_register - ask the server for events (316)
 * @conn: the connection
 * @event_id: VIR_DOMAIN_EVENT_ID_*
 * @dom: only this domain's events, or NULL for all
 * @ret_remote_id: the server's callbackID, which tags the events it sends
 * @error: the server's refusal; NO_SUPPORT when it lacks REMOTE_EVENT_CALLBACK, and
 *         then remote_driver_has_event_callbacks() is false from now on
 */
bool remote_driver_event_register(DriverConn *conn, int event_id, const DomainRef *dom,
                                  int *ret_remote_id, GError **error)
{
    g_autoptr(GError) local = NULL;

    remote_nonnull_domain wire;
    remote_connect_domain_event_callback_register_any_args args = { .eventID = event_id };
    remote_connect_domain_event_callback_register_any_ret ret = { 0 };

    if (!conn->event_callbacks_supported) {
        g_set_error(error, VIRT_REMOTE_ERROR, VIRT_ERR_NO_SUPPORT,
                    "this function is not supported by the connection driver: "
                    "the server does not support domain event callbacks");
        return false;
    }
    if (dom) {
        remote_dom_to_wire(dom, &wire);
        args.dom = &wire;
    }
    if (!remote_call(conn, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, &args, &ret,
                     &local)) {
        /* whatever its error domain: the server refuses event callbacks */
        if (local->code == VIRT_ERR_NO_SUPPORT)
            conn->event_callbacks_supported = false;
        g_propagate_error(error, g_steal_pointer(&local));
        return false;
    }
    *ret_remote_id = ret.callbackID;
    return true;
}

/**
 * remote_driver_event_register_legacy - ask for @event_id events the old way
 * @conn: the connection
 * @event_id: VIR_DOMAIN_EVENT_ID_*
 * @legacy_api: for virConnectDomainEventRegister: 105 (lifecycle), else 167
 * @error: the server's refusal
 *
 * The server then sends every domain's events of that type as untagged per-type
 * messages (107 for lifecycle); they reach the event sink with REMOTE_EVENT_UNTAGGED.
 * One registration per event id and connection, as libvirt's client keeps it.
 */
bool remote_driver_event_register_legacy(DriverConn *conn, int event_id, bool legacy_api,
                                         GError **error)
{
    remote_connect_domain_event_register_ret reg = { 0 };
    remote_connect_domain_event_register_any_args any = { .eventID = event_id };

    if (legacy_api && event_id == 0)
        return remote_call(conn, REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER, NULL, &reg, error);
    return remote_call(conn, REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY, &any, NULL, error);
}

/**
 * remote_driver_event_deregister_legacy: undo remote_driver_event_register_legacy()
 * with the same arguments (106 or 168).
 */
bool remote_driver_event_deregister_legacy(DriverConn *conn, int event_id, bool legacy_api,
                                           GError **error)
{
    remote_connect_domain_event_deregister_ret reg = { 0 };
    remote_connect_domain_event_deregister_any_args any = { .eventID = event_id };

    if (legacy_api && event_id == 0)
        return remote_call(conn, REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER, NULL, &reg, error);
    return remote_call(conn, REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY, &any, NULL, error);
}

/**
 * remote_driver_event_deregister: drop the server-side registration (317).
 */
bool remote_driver_event_deregister(DriverConn *conn, int remote_id, GError **error)
{
    remote_connect_domain_event_callback_deregister_any_args args = { .callbackID = remote_id };

    return remote_call(conn, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY, &args, NULL,
                       error);
}

/**
 * remote_driver_close_callback_enable: tell the server we watch for the close
 * (360/361), when it advertised REMOTE_CLOSE_CALLBACK; a no-op otherwise.
 */
bool remote_driver_close_callback_enable(DriverConn *conn, bool enable, GError **error)
{
    int proc = enable ? REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK
                      : REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK;

    if (!conn->close_callbacks_supported)
        return true;
    if (!remote_call(conn, proc, NULL, NULL, error))
        return false;
    g_mutex_lock(&conn->lock);
    conn->close_callback_registered = enable;
    g_mutex_unlock(&conn->lock);
    return true;
}
