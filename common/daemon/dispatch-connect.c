/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Handlers of the connection-level remote procedures: auth, open/close, host queries. */

#define G_LOG_DOMAIN "virtkit-daemon"

#include <string.h>

#include "daemon/daemon-priv.h"
#include "daemon/dispatch.h"
#include "daemon/events.h"
#include "daemon/keepalive.h"
#include "daemon/route-priv.h"
#include "util/error.h"
#include "util/uri.h"

/* virDrvFeature numbers the server answers itself (libvirt-facts §1.9) */
#define FEATURE_FD_PASSING 8
#define FEATURE_PROGRAM_KEEPALIVE 10
#define FEATURE_REMOTE_EVENT_CALLBACK 14
#define FEATURE_REMOTE_CLOSE_CALLBACK 15

#define CONNECT_RO 1u /* VIR_CONNECT_RO */

/* The libvirt release whose remote protocol we speak, reported as the daemon's library
 * version: clients compare it to decide which procedures they may use. */
#define COMPAT_LIBVIRT_VERSION 9000000ull

bool dispatch_remote_auth_list(DispatchCall *call, remote_auth_list_ret *ret, GError **error)
{
    Client *client = call->client;
    bool trusted;

    g_mutex_lock(&client->lock);
    trusted = client->authenticated;
    g_mutex_unlock(&client->lock);
    if (!trusted) {
        /* no polkit or SASL yet: an untrusted peer cannot authenticate at all */
        g_message("refusing client %" G_GUINT64_FORMAT ": uid %u may not use the %s socket",
                  client->id, (unsigned int)client->cred.uid,
                  daemon_socket_kind_to_string(client->kind));
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_AUTH_FAILED,
                    "authentication failed: access denied for uid %u",
                    (unsigned int)client->cred.uid);
        call->close_after = true;
        return false;
    }
    ret->types.types_len = 1;
    ret->types.types_val = g_new0(remote_auth_type, 1);
    ret->types.types_val[0] = REMOTE_AUTH_NONE;
    return true;
}

bool dispatch_remote_connect_supports_feature(DispatchCall *call,
                                              const remote_connect_supports_feature_args *args,
                                              remote_connect_supports_feature_ret *ret,
                                              GError **error)
{
    switch (args->feature) {
    case FEATURE_PROGRAM_KEEPALIVE:
        /* asking is how a client opts in to being pinged */
        keepalive_start(call->client);
        ret->supported = 1;
        break;
    case FEATURE_FD_PASSING:
    case FEATURE_REMOTE_EVENT_CALLBACK:
    case FEATURE_REMOTE_CLOSE_CALLBACK:
        ret->supported = 1;
        break;
    default:
        ret->supported = 0;
        break;
    }
    return true;
}

static char *connect_default_uri(const Daemon *daemon)
{
    if (daemon->info->default_uri)
        return g_strdup(daemon->info->default_uri);
    return g_strdup_printf("%s:///%s", daemon->info->driver_scheme,
                           daemon->paths.privileged ? "system" : "session");
}

static VirtUri *connect_parse_uri(const Daemon *daemon, const char *name, GError **error)
{
    g_autofree char *fallback = (name && *name) ? NULL : connect_default_uri(daemon);
    const char *str = fallback ? fallback : name;
    g_autoptr(VirtUri) uri = virt_uri_parse(str, error);

    if (!uri)
        return NULL;
    if (g_strcmp0(uri->driver, daemon->info->driver_scheme) != 0 || uri->host) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_NO_CONNECT,
                    "no connection driver available for %s", str);
        return NULL;
    }
    return g_steal_pointer(&uri);
}

bool dispatch_remote_connect_open(DispatchCall *call, const remote_connect_open_args *args,
                                  GError **error)
{
    Client *client = call->client;
    const char *name = args->name ? *args->name : NULL;
    g_autofree char *routed_name = NULL;
    g_autoptr(VirtUri) uri = NULL;
    DriverConn *conn = NULL;
    bool spliced = false;
    bool busy;
    bool ok;

    g_mutex_lock(&client->lock);
    busy = client->conn || client->opening;
    client->opening = !busy;
    g_mutex_unlock(&client->lock);
    if (busy) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_INTERNAL_ERROR, "connection already open");
        return false;
    }
    /* proxyd: the URI may belong to another daemon */
    ok = daemon_route_connect_open(call, args, &routed_name, &spliced, error);
    if (ok && !spliced) {
        uri = connect_parse_uri(call->daemon, routed_name ? routed_name : name, error);
        ok =
            uri && dispatch_require_op(call, call->ops->connect_open, error) &&
            call->ops->connect_open(uri, args->flags, events_driver_callback, client, &conn, error);
    }
    g_mutex_lock(&client->lock);
    client->opening = false;
    if (ok && !spliced) {
        client->conn = conn;
        client_ref(client); /* held by the driver connection: its event_data */
        if (args->flags & CONNECT_RO)
            client->readonly = true;
    }
    g_mutex_unlock(&client->lock);
    return ok;
}

bool dispatch_remote_connect_close(DispatchCall *call, GError **error)
{
    /* reply first, then close: the client waits for this reply */
    call->close_after = true;
    return true;
}

bool dispatch_remote_connect_register_close_callback(DispatchCall *call, GError **error)
{
    call->client->close_callback = true;
    return true;
}

bool dispatch_remote_connect_unregister_close_callback(DispatchCall *call, GError **error)
{
    call->client->close_callback = false;
    return true;
}

bool dispatch_remote_connect_get_type(DispatchCall *call, remote_connect_get_type_ret *ret,
                                      GError **error)
{
    ret->type = g_strdup(call->ops->hv_type ? call->ops->hv_type : call->ops->name);
    return true;
}

bool dispatch_remote_connect_get_version(DispatchCall *call, remote_connect_get_version_ret *ret,
                                         GError **error)
{
    uint64_t version = 0;

    if (!dispatch_require_op(call, call->ops->connect_get_version, error) ||
        !call->ops->connect_get_version(call->conn, &version, error))
        return false;
    ret->hv_ver = version;
    return true;
}

bool dispatch_remote_connect_get_lib_version(DispatchCall *call,
                                             remote_connect_get_lib_version_ret *ret,
                                             GError **error)
{
    ret->lib_ver = COMPAT_LIBVIRT_VERSION;
    return true;
}

bool dispatch_remote_connect_get_hostname(DispatchCall *call, remote_connect_get_hostname_ret *ret,
                                          GError **error)
{
    if (!dispatch_require_op(call, call->ops->connect_get_hostname, error))
        return false;
    ret->hostname = call->ops->connect_get_hostname(call->conn, error);
    return ret->hostname != NULL;
}

bool dispatch_remote_connect_get_capabilities(DispatchCall *call,
                                              remote_connect_get_capabilities_ret *ret,
                                              GError **error)
{
    if (!dispatch_require_op(call, call->ops->connect_get_capabilities, error))
        return false;
    ret->capabilities = call->ops->connect_get_capabilities(call->conn, error);
    return ret->capabilities != NULL;
}

bool dispatch_remote_connect_get_domain_capabilities(
    DispatchCall *call, const remote_connect_get_domain_capabilities_args *args,
    remote_connect_get_domain_capabilities_ret *ret, GError **error)
{
    if (!dispatch_require_op(call, call->ops->connect_get_domain_capabilities, error))
        return false;
    ret->capabilities = call->ops->connect_get_domain_capabilities(
        call->conn, args->emulatorbin ? *args->emulatorbin : NULL, args->arch ? *args->arch : NULL,
        args->machine ? *args->machine : NULL, args->virttype ? *args->virttype : NULL, args->flags,
        error);
    return ret->capabilities != NULL;
}

bool dispatch_remote_connect_get_uri(DispatchCall *call, remote_connect_get_uri_ret *ret,
                                     GError **error)
{
    if (!dispatch_require_op(call, call->ops->connect_get_uri, error))
        return false;
    ret->uri = call->ops->connect_get_uri(call->conn, error);
    return ret->uri != NULL;
}

bool dispatch_remote_connect_get_max_vcpus(DispatchCall *call,
                                           const remote_connect_get_max_vcpus_args *args,
                                           remote_connect_get_max_vcpus_ret *ret, GError **error)
{
    int n;

    if (!dispatch_require_op(call, call->ops->connect_get_max_vcpus, error))
        return false;
    n = call->ops->connect_get_max_vcpus(call->conn, args->type ? *args->type : NULL, error);
    if (n < 0)
        return false;
    ret->max_vcpus = n;
    return true;
}

bool dispatch_remote_connect_is_secure(DispatchCall *call, remote_connect_is_secure_ret *ret,
                                       GError **error)
{
    /* a local unix socket: nobody else can see the traffic */
    ret->secure = 1;
    return true;
}

bool dispatch_remote_node_get_info(DispatchCall *call, remote_node_get_info_ret *ret,
                                   GError **error)
{
    NodeInfo info = { { 0 } };

    if (!dispatch_require_op(call, call->ops->node_get_info, error) ||
        !call->ops->node_get_info(call->conn, &info, error))
        return false;
    memcpy(ret->model, info.model, sizeof(ret->model));
    ret->memory = info.memory_kib;
    ret->cpus = (int)info.cpus;
    ret->mhz = (int)info.mhz;
    ret->nodes = (int)info.nodes;
    ret->sockets = (int)info.sockets;
    ret->cores = (int)info.cores;
    ret->threads = (int)info.threads;
    return true;
}

/* Strings in the security structs travel with their NUL, as libvirt sends them. */
static void connect_set_wire_cstring(const char *str, u_int *ret_len, char **ret_val)
{
    *ret_len = (u_int)strlen(str) + 1;
    *ret_val = g_strdup(str);
}

bool dispatch_remote_node_get_security_model(DispatchCall *call,
                                             remote_node_get_security_model_ret *ret,
                                             GError **error)
{
    g_autofree char *model = NULL;
    g_autofree char *doi = NULL;

    /* no security driver: an empty model, which virsh shows as none */
    if (call->ops->node_get_security_model &&
        !call->ops->node_get_security_model(call->conn, &model, &doi, error))
        return false;
    connect_set_wire_cstring(model ? model : "", &ret->model.model_len, &ret->model.model_val);
    connect_set_wire_cstring(doi ? doi : "", &ret->doi.doi_len, &ret->doi.doi_val);
    return true;
}
