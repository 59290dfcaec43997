/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The admin program (0x06900690) on the admin socket, enough for virt-admin: servers,
 * thread pool, clients, client limits, logging and the idle timeout. Everything runs
 * on the loop thread, which owns what it inspects.
 */

#define G_LOG_DOMAIN "virtkit-daemon"

#include <grp.h>
#include <pwd.h>
#include <string.h>

#include "daemon/daemon-priv.h"
#include "daemon/identity.h"
#include "daemon/dispatch.h"
#include "daemon/worker.h"
#include "util/error.h"
#include "util/log.h"

#define ADMIN_SERVER_NAME "admin"
#define CLIENT_TRANS_UNIX 0 /* VIR_CLIENT_TRANS_UNIX */

/* virTypedParameterType */
#define PARAM_INT 1
#define PARAM_UINT 2
#define PARAM_BOOLEAN 6
#define PARAM_STRING 7

static void param_add(GArray *params, const char *field, int type, admin_typed_param_value v)
{
    admin_typed_param p = { .field = g_strdup(field), .value = v };

    p.value.type = type;
    g_array_append_val(params, p);
}

static void param_add_uint(GArray *params, const char *field, unsigned int value)
{
    param_add(params, field, PARAM_UINT,
              (admin_typed_param_value){ .admin_typed_param_value_u.ui = value });
}

static void param_add_int(GArray *params, const char *field, int value)
{
    param_add(params, field, PARAM_INT,
              (admin_typed_param_value){ .admin_typed_param_value_u.i = value });
}

static void param_add_string(GArray *params, const char *field, const char *value)
{
    param_add(params, field, PARAM_STRING,
              (admin_typed_param_value){ .admin_typed_param_value_u.s = g_strdup(value) });
}

static void params_take(GArray *params, u_int *ret_len, admin_typed_param **ret_val)
{
    *ret_len = params->len;
    *ret_val = (admin_typed_param *)g_array_free(params, params->len == 0);
}

/* A uint parameter of a set call, or -1 when absent; false on a wrong type. */
static bool param_get_uint(const admin_typed_param *params, u_int n, const char *field,
                           long long *ret, GError **error)
{
    *ret = -1;
    for (u_int i = 0; i < n; i++) {
        if (strcmp(params[i].field, field) != 0)
            continue;
        if (params[i].value.type != PARAM_UINT) {
            g_set_error(error, VIRT_ADMIN_ERROR, VIRT_ERR_INVALID_ARG,
                        "invalid type for parameter '%s'", field);
            return false;
        }
        *ret = params[i].value.admin_typed_param_value_u.ui;
    }
    return true;
}

static bool admin_check_fields(const admin_typed_param *params, u_int n, const char *const *known,
                               GError **error)
{
    for (u_int i = 0; i < n; i++) {
        if (!g_strv_contains(known, params[i].field)) {
            g_set_error(error, VIRT_ADMIN_ERROR, VIRT_ERR_INVALID_ARG,
                        "parameter '%s' not supported", params[i].field);
            return false;
        }
    }
    return true;
}

/* "main" server = the daemon's own name; "admin" = the admin socket. */
static bool admin_server_is_admin(const Daemon *daemon, const char *name, GError **error)
{
    if (strcmp(name, ADMIN_SERVER_NAME) == 0)
        return true;
    if (strcmp(name, daemon->info->name) == 0)
        return false;
    g_set_error(error, VIRT_ADMIN_ERROR, VIRT_ERR_NO_SERVER, "no server with matching name '%s'",
                name);
    return false;
}

static bool admin_server_lookup(const Daemon *daemon, const char *name, bool *ret_admin,
                                GError **error)
{
    g_autoptr(GError) local = NULL;
    bool admin = admin_server_is_admin(daemon, name, &local);

    if (local) {
        g_propagate_error(error, g_steal_pointer(&local));
        return false;
    }
    *ret_admin = admin;
    return true;
}

static bool client_on_server(const Client *client, bool admin)
{
    return (client->kind == DAEMON_SOCKET_ADMIN) == admin;
}

bool dispatch_admin_connect_open(DispatchCall *call, const admin_connect_open_args *args,
                                 GError **error)
{
    return true;
}

bool dispatch_admin_connect_close(DispatchCall *call, GError **error)
{
    call->close_after = true;
    return true;
}

bool dispatch_admin_connect_get_lib_version(DispatchCall *call,
                                            admin_connect_get_lib_version_ret *ret, GError **error)
{
    ret->libVer = 9000000; /* the libvirt release whose protocols we speak */
    return true;
}

bool dispatch_admin_connect_list_servers(DispatchCall *call,
                                         const admin_connect_list_servers_args *args,
                                         admin_connect_list_servers_ret *ret, GError **error)
{
    ret->ret = 2;
    if (!args->need_results)
        return true;
    ret->servers.servers_len = 2;
    ret->servers.servers_val = g_new0(admin_nonnull_server, 2);
    ret->servers.servers_val[0].name = g_strdup(call->daemon->info->name);
    ret->servers.servers_val[1].name = g_strdup(ADMIN_SERVER_NAME);
    return true;
}

bool dispatch_admin_connect_lookup_server(DispatchCall *call,
                                          const admin_connect_lookup_server_args *args,
                                          admin_connect_lookup_server_ret *ret, GError **error)
{
    bool admin;

    if (!admin_server_lookup(call->daemon, args->name, &admin, error))
        return false;
    ret->srv.name = g_strdup(args->name);
    return true;
}

bool dispatch_admin_server_get_threadpool_parameters(
    DispatchCall *call, const admin_server_get_threadpool_parameters_args *args,
    admin_server_get_threadpool_parameters_ret *ret, GError **error)
{
    GArray *params = g_array_new(FALSE, TRUE, sizeof(admin_typed_param));
    WorkerPoolStats stats = { 0 };
    bool admin;

    if (!admin_server_lookup(call->daemon, args->srv.name, &admin, error)) {
        g_array_free(params, TRUE);
        return false;
    }
    /* the admin server has no pool of its own: it runs on the loop thread */
    if (!admin)
        worker_pool_get_stats(call->daemon->workers, &stats);
    param_add_uint(params, "minWorkers", stats.min_workers);
    param_add_uint(params, "maxWorkers", stats.max_workers);
    param_add_uint(params, "prioWorkers", stats.prio_workers);
    param_add_uint(params, "freeWorkers", stats.free_workers);
    param_add_uint(params, "nWorkers", stats.n_workers);
    param_add_uint(params, "jobQueueDepth", stats.job_queue_depth);
    params_take(params, &ret->params.params_len, &ret->params.params_val);
    return true;
}

bool dispatch_admin_server_set_threadpool_parameters(
    DispatchCall *call, const admin_server_set_threadpool_parameters_args *args, GError **error)
{
    static const char *const known[] = { "minWorkers", "maxWorkers", "prioWorkers", NULL };
    const admin_typed_param *p = args->params.params_val;
    u_int n = args->params.params_len;
    long long min_w, max_w, prio_w;
    bool admin;

    if (!admin_server_lookup(call->daemon, args->srv.name, &admin, error) ||
        !admin_check_fields(p, n, known, error) ||
        !param_get_uint(p, n, "minWorkers", &min_w, error) ||
        !param_get_uint(p, n, "maxWorkers", &max_w, error) ||
        !param_get_uint(p, n, "prioWorkers", &prio_w, error))
        return false;
    if (admin) {
        g_set_error(error, VIRT_ADMIN_ERROR, VIRT_ERR_OPERATION_UNSUPPORTED,
                    "the admin server has no thread pool");
        return false;
    }
    return worker_pool_set_limits(call->daemon->workers, (int)min_w, (int)max_w, (int)prio_w,
                                  error);
}

static void admin_client_to_wire(const Daemon *daemon, const Client *c, admin_nonnull_client *ret)
{
    ret->srv.name =
        g_strdup(c->kind == DAEMON_SOCKET_ADMIN ? ADMIN_SERVER_NAME : daemon->info->name);
    ret->id = c->id;
    ret->timestamp = c->connected_at;
    ret->transport = CLIENT_TRANS_UNIX;
}

/* Clients of one server, sorted by id. */
static GPtrArray *admin_server_clients(Daemon *daemon, bool admin)
{
    GPtrArray *out = g_ptr_array_new();
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init(&iter, daemon->clients);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        if (client_on_server(value, admin))
            g_ptr_array_add(out, value);
    }
    return out;
}

static gint admin_client_compare(gconstpointer a, gconstpointer b)
{
    const Client *ca = *(Client *const *)a;
    const Client *cb = *(Client *const *)b;

    return (ca->id > cb->id) - (ca->id < cb->id);
}

bool dispatch_admin_server_list_clients(DispatchCall *call,
                                        const admin_server_list_clients_args *args,
                                        admin_server_list_clients_ret *ret, GError **error)
{
    g_autoptr(GPtrArray) clients = NULL;
    bool admin;

    if (!admin_server_lookup(call->daemon, args->srv.name, &admin, error))
        return false;
    clients = admin_server_clients(call->daemon, admin);
    g_ptr_array_sort(clients, admin_client_compare);
    ret->ret = clients->len;
    if (!args->need_results)
        return true;
    ret->clients.clients_len = clients->len;
    ret->clients.clients_val = g_new0(admin_nonnull_client, MAX(clients->len, 1));
    for (guint i = 0; i < clients->len; i++)
        admin_client_to_wire(call->daemon, clients->pdata[i], &ret->clients.clients_val[i]);
    return true;
}

static Client *admin_find_client(Daemon *daemon, const char *srv, uint64_t id, GError **error)
{
    bool admin;
    Client *c;

    if (!admin_server_lookup(daemon, srv, &admin, error))
        return NULL;
    c = g_hash_table_lookup(daemon->clients, &id);
    if (!c || !client_on_server(c, admin)) {
        g_set_error(error, VIRT_ADMIN_ERROR, VIRT_ERR_NO_CLIENT,
                    "no client with matching id '%" G_GUINT64_FORMAT "'", id);
        return NULL;
    }
    return c;
}

bool dispatch_admin_server_lookup_client(DispatchCall *call,
                                         const admin_server_lookup_client_args *args,
                                         admin_server_lookup_client_ret *ret, GError **error)
{
    Client *c = admin_find_client(call->daemon, args->srv.name, args->id, error);

    if (!c)
        return false;
    admin_client_to_wire(call->daemon, c, &ret->clnt);
    return true;
}

static bool admin_client_identity(Client *c, GArray *params)
{
    bool forwarded;

    g_mutex_lock(&c->lock);
    forwarded = c->identity != NULL;
    if (forwarded) {
        const DaemonIdentity *id = c->identity;

        if (id->has_uid)
            param_add_int(params, "unix_user_id", (int)id->uid);
        if (id->user_name)
            param_add_string(params, "unix_user_name", id->user_name);
        if (id->has_gid)
            param_add_int(params, "unix_group_id", (int)id->gid);
        if (id->group_name)
            param_add_string(params, "unix_group_name", id->group_name);
        if (id->has_pid)
            param_add_int(params, "unix_process_id", (int)id->pid);
        if (id->selinux_context)
            param_add_string(params, "selinux_context", id->selinux_context);
    }
    g_mutex_unlock(&c->lock);
    return forwarded;
}

bool dispatch_admin_client_get_info(DispatchCall *call, const admin_client_get_info_args *args,
                                    admin_client_get_info_ret *ret, GError **error)
{
    Client *c = admin_find_client(call->daemon, args->clnt.srv.name, args->clnt.id, error);
    GArray *params;
    struct passwd *pw;
    struct group *gr;
    bool readonly;

    if (!c)
        return false;
    params = g_array_new(FALSE, TRUE, sizeof(admin_typed_param));
    g_mutex_lock(&c->lock);
    readonly = c->readonly;
    g_mutex_unlock(&c->lock);
    param_add(params, "readonly", PARAM_BOOLEAN,
              (admin_typed_param_value){ .admin_typed_param_value_u.b = readonly });
    if (call->daemon->paths.sockets[c->kind])
        param_add_string(params, "sock_addr", call->daemon->paths.sockets[c->kind]);
    /* a proxy's client: the caller it forwarded (identity.c), as libvirt shows it */
    if (!admin_client_identity(c, params)) {
        param_add_int(params, "unix_user_id", (int)c->cred.uid);
        pw = getpwuid(c->cred.uid);
        if (pw)
            param_add_string(params, "unix_user_name", pw->pw_name);
        param_add_int(params, "unix_group_id", (int)c->cred.gid);
        gr = getgrgid(c->cred.gid);
        if (gr)
            param_add_string(params, "unix_group_name", gr->gr_name);
        param_add_int(params, "unix_process_id", (int)c->cred.pid);
    }
    params_take(params, &ret->params.params_len, &ret->params.params_val);
    return true;
}

bool dispatch_admin_client_close(DispatchCall *call, const admin_client_close_args *args,
                                 GError **error)
{
    Client *c = admin_find_client(call->daemon, args->clnt.srv.name, args->clnt.id, error);

    if (!c)
        return false;
    if (c == call->client) {
        /* the reply must still go out: close after it, as CONNECT_CLOSE does */
        call->close_after = true;
        return true;
    }
    client_disconnect(c, "closed through the admin interface");
    return true;
}

bool dispatch_admin_server_get_client_limits(DispatchCall *call,
                                             const admin_server_get_client_limits_args *args,
                                             admin_server_get_client_limits_ret *ret,
                                             GError **error)
{
    g_autoptr(GPtrArray) clients = NULL;
    GArray *params;
    bool admin;

    if (!admin_server_lookup(call->daemon, args->srv.name, &admin, error))
        return false;
    clients = admin_server_clients(call->daemon, admin);
    params = g_array_new(FALSE, TRUE, sizeof(admin_typed_param));
    param_add_uint(params, "nclients_max", call->daemon->config.max_clients);
    param_add_uint(params, "nclients", clients->len);
    /* unauthenticated clients are refused at AUTH_LIST, never queued */
    param_add_uint(params, "nclients_unauth_max", 0);
    param_add_uint(params, "nclients_unauth", 0);
    params_take(params, &ret->params.params_len, &ret->params.params_val);
    return true;
}

bool dispatch_admin_server_set_client_limits(DispatchCall *call,
                                             const admin_server_set_client_limits_args *args,
                                             GError **error)
{
    static const char *const known[] = { "nclients_max", "nclients_unauth_max", NULL };
    const admin_typed_param *p = args->params.params_val;
    u_int n = args->params.params_len;
    long long max_clients, unauth;
    bool admin;

    if (!admin_server_lookup(call->daemon, args->srv.name, &admin, error) ||
        !admin_check_fields(p, n, known, error) ||
        !param_get_uint(p, n, "nclients_max", &max_clients, error) ||
        !param_get_uint(p, n, "nclients_unauth_max", &unauth, error))
        return false;
    if (max_clients == 0) {
        g_set_error(error, VIRT_ADMIN_ERROR, VIRT_ERR_INVALID_ARG,
                    "nclients_max must be at least 1");
        return false;
    }
    if (max_clients > 0)
        call->daemon->config.max_clients = (unsigned int)max_clients;
    return true;
}

bool dispatch_admin_connect_get_logging_outputs(DispatchCall *call,
                                                const admin_connect_get_logging_outputs_args *args,
                                                admin_connect_get_logging_outputs_ret *ret,
                                                GError **error)
{
    g_autoptr(VirtLogConfig) cfg = virt_log_get_config();

    /* none configured means stderr at the global level */
    if (cfg->outputs->len == 0)
        ret->outputs = g_strdup_printf("%d:stderr", (int)cfg->level);
    else
        ret->outputs = virt_log_outputs_format(cfg->outputs);
    ret->noutputs = MAX(cfg->outputs->len, 1);
    return true;
}

bool dispatch_admin_connect_get_logging_filters(DispatchCall *call,
                                                const admin_connect_get_logging_filters_args *args,
                                                admin_connect_get_logging_filters_ret *ret,
                                                GError **error)
{
    g_autoptr(VirtLogConfig) cfg = virt_log_get_config();

    ret->nfilters = cfg->filters->len;
    if (cfg->filters->len > 0) {
        ret->filters = g_new0(admin_nonnull_string, 1);
        *ret->filters = virt_log_filters_format(cfg->filters);
    }
    return true;
}

bool dispatch_admin_connect_set_logging_outputs(DispatchCall *call,
                                                const admin_connect_set_logging_outputs_args *args,
                                                GError **error)
{
    g_autoptr(VirtLogConfig) cfg = virt_log_get_config();
    GPtrArray *outputs = NULL;

    if (!virt_log_outputs_parse(args->outputs ? *args->outputs : "", &outputs, error))
        return false;
    g_ptr_array_unref(cfg->outputs);
    cfg->outputs = outputs;
    return virt_log_set_config(cfg, error);
}

bool dispatch_admin_connect_set_logging_filters(DispatchCall *call,
                                                const admin_connect_set_logging_filters_args *args,
                                                GError **error)
{
    g_autoptr(VirtLogConfig) cfg = virt_log_get_config();
    GPtrArray *filters = NULL;

    if (!virt_log_filters_parse(args->filters ? *args->filters : "", &filters, error))
        return false;
    g_ptr_array_unref(cfg->filters);
    cfg->filters = filters;
    return virt_log_set_config(cfg, error);
}

bool dispatch_admin_connect_set_daemon_timeout(DispatchCall *call,
                                               const admin_connect_set_daemon_timeout_args *args,
                                               GError **error)
{
    if (args->timeout > G_MAXINT / 2) {
        g_set_error(error, VIRT_ADMIN_ERROR, VIRT_ERR_INVALID_ARG, "timeout %u is too large",
                    args->timeout);
        return false;
    }
    return daemon_set_timeout(call->daemon, (int)args->timeout, error);
}
