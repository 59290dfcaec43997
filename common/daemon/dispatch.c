/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Packet dispatch. On the loop thread: framing-level checks, program/procedure lookup,
 * authentication and the read-only gate, then either the handler runs right here
 * (session procedures that touch only loop-owned state: auth, features, events, close
 * callback, admin; and cheap reads of a driver whose reads never block, which saves
 * them two thread switches) or the call goes to the worker pool and its reply comes
 * back through worker_pool_post().
 */

#define G_LOG_DOMAIN "virtkit-daemon"

#include <string.h>

#include "daemon/client.h"
#include "daemon/daemon-priv.h"
#include "daemon/dispatch.h"
#include "daemon/keepalive.h"
#include "daemon/stream.h"
#include "daemon/route-priv.h"
#include "daemon/worker.h"
#include "rpc/wire-error.h"
#include "util/error.h"

typedef struct DispatchJob {
    Client *client; /* a reference */
    RpcMessage *msg;
    const RpcProcInfo *info;
    DispatchHandler handler;
    void *args; /* decoded */
} DispatchJob;

typedef struct DispatchDone {
    Client *client; /* a reference */
    GBytes *reply;
    bool close_after;
} DispatchDone;

/* Inline calls one client may run on the loop thread per loop iteration: the rest
 * of a burst goes to workers, so that one client's pipeline cannot hold the loop. */
#define INLINE_CALLS_PER_ITERATION 16u

static bool dispatch_inline_allowed(Client *client)
{
    uint64_t iteration = 0;

    if (!client->daemon->ops->reads_never_block)
        return false;
    /* jumping ahead of deferred calls would reorder them */
    if (client->deferred.length > 0 && !client->draining)
        return false;
    (void)sd_event_get_iteration(client->daemon->event, &iteration);
    if (iteration != client->inline_iteration) {
        client->inline_iteration = iteration;
        client->inline_calls = 0;
    }
    return client->inline_calls < INLINE_CALLS_PER_ITERATION;
}

/*
 * Whether a call runs on the loop thread (the schema's @dispatch): session procedures
 * that touch only loop-owned state always; cheap reads of a driver whose reads never
 * block while the client's budget lasts, however many clients call at once (handing
 * them to workers when many call doubled the daemon's CPU time per call and cost 20%
 * of the calls/s of 32 client processes, tests/bench/README.md). Everything else may
 * block: a worker.
 */
static bool dispatch_on_loop(Client *client, const RpcProcInfo *info)
{
    if (info->prog == ADMIN_PROGRAM)
        return true;
    switch (info->dispatch) {
    case RPC_PROC_DISPATCH_LOOP:
        return true;
    case RPC_PROC_DISPATCH_INLINE:
        return dispatch_inline_allowed(client);
    case RPC_PROC_DISPATCH_WORKER:
    case _RPC_PROC_DISPATCH_MAX:
    case _RPC_PROC_DISPATCH_INVALID:
        break;
    }
    return false;
}

/* Words libvirt's API names keep in capitals: virDomainGetXMLDesc, virDomainLookupByUUID. */
static const char *const api_name_acronyms[] = { "XML", "UUID", "ID", "URI", "CPU", "OS" };

static bool dispatch_api_word_is_acronym(const char *word, size_t len)
{
    for (size_t i = 0; i < G_N_ELEMENTS(api_name_acronyms); i++) {
        if (strlen(api_name_acronyms[i]) == len && strncmp(api_name_acronyms[i], word, len) == 0)
            return true;
    }
    return false;
}

/**
 * dispatch_api_name - libvirt's API name for a procedure, for messages
 * @proc_name: "REMOTE_PROC_DOMAIN_GET_XML_DESC"
 *
 * Returns "virDomainGetXMLDesc": each word capitalised, the acronyms libvirt's names
 * keep as they are.
 */
char *dispatch_api_name(const char *proc_name)
{
    const char *p = strstr(proc_name, "_PROC_");
    GString *out = g_string_new("vir");

    for (p = p ? p + 6 : proc_name; *p;) {
        size_t len = strcspn(p, "_");

        if (dispatch_api_word_is_acronym(p, len)) {
            g_string_append_len(out, p, (gssize)len);
        } else if (len > 0) {
            g_string_append_c(out, p[0]);
            for (size_t i = 1; i < len; i++)
                g_string_append_c(out, g_ascii_tolower(p[i]));
        }
        p += len;
        if (*p == '_')
            p++;
    }
    return g_string_free(out, FALSE);
}

/* Answer @msg with @error instead of running it. @msg goes first, with the descriptors
 * it carries: by the time the client reads the answer they are closed. */
static void dispatch_refuse(Client *client, RpcMessage *msg, const GError *error)
{
    g_autoptr(GError) local = NULL;
    GBytes *reply = rpc_message_encode_error(&msg->header, error, &local);

    rpc_message_free(msg);
    if (!reply) {
        client_disconnect(client, local->message);
        return;
    }
    client_send(client, reply);
}

/* OPERATION_DENIED for a read-only connection, worded as libvirt's API layer words it:
 * "virDomainGetXMLDesc with secure flag" for secrets, "read only access prevents"
 * otherwise. */
static void dispatch_set_readonly_error(const RpcProcInfo *info, RpcProcRoDenied why,
                                        GError **error)
{
    g_autofree char *api = dispatch_api_name(info->name);

    if (why == RPC_PROC_RO_DENIED_SECURE)
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_OPERATION_DENIED,
                    "operation forbidden: %s with secure flag needs a read-write connection", api);
    else
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_OPERATION_DENIED,
                    "operation forbidden: read only access prevents %s", api);
}

/* The read-only gate for flags (the schema's @ro_denied_flags): a read-only call that
 * a flag turns into one revealing secrets or changing state. Runs on the decoded
 * @args, before the handler, whichever thread the call runs on. */
static bool dispatch_check_flags(Client *client, const RpcProcInfo *info, const void *args,
                                 GError **error)
{
    bool readonly;

    if (!rpc_proc_ro_denied_flags(info, args))
        return true;
    g_mutex_lock(&client->lock);
    readonly = client->readonly;
    g_mutex_unlock(&client->lock);
    if (!readonly)
        return true;
    dispatch_set_readonly_error(info, info->ro_denied.why, error);
    return false;
}

/* Checks that answer with an error reply before a handler runs. */
static bool dispatch_check(Client *client, const RpcHeader *h, const RpcProcInfo **ret_info,
                           DispatchHandler *ret_handler, GError **error)
{
    bool admin_socket = client->kind == DAEMON_SOCKET_ADMIN;
    const RpcProcInfo *info;
    DispatchHandler handler;
    bool authenticated;
    bool readonly;

    if (!rpc_header_check_call(h, error))
        return false;
    /* the admin program lives on the admin socket only, the remote program elsewhere */
    if ((h->prog == ADMIN_PROGRAM) != admin_socket || h->prog == KEEPALIVE_PROGRAM) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC, "Cannot find program %d version %d",
                    (int)h->prog, (int)h->vers);
        return false;
    }
    info = rpc_proc_lookup(h->prog, h->proc);
    handler = info ? dispatch_handler_lookup(h->prog, h->proc) : NULL;
    g_mutex_lock(&client->lock);
    authenticated = client->authenticated;
    readonly = client->readonly;
    g_mutex_unlock(&client->lock);
    if (info && info->needs_auth && !authenticated) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC, "authentication required");
        return false;
    }
    if (!info) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_NO_SUPPORT, "unknown procedure: %d", h->proc);
        return false;
    }
    if (!handler) {
        /* clients fall back to older procedures on NO_SUPPORT */
        g_autofree char *api = dispatch_api_name(info->name);

        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_NO_SUPPORT,
                    "this function is not supported by the connection driver: %s", api);
        return false;
    }
    if (readonly && info->access == RPC_PROC_ACCESS_READ_WRITE) {
        dispatch_set_readonly_error(info, RPC_PROC_RO_DENIED_WRITE, error);
        return false;
    }
    *ret_info = info;
    *ret_handler = handler;
    return true;
}

static DriverConn *dispatch_client_conn(Client *client)
{
    DriverConn *conn;

    g_mutex_lock(&client->lock);
    conn = client->conn;
    g_mutex_unlock(&client->lock);
    return conn;
}

/* Run @handler with decoded @args and encode its reply; NULL when the driver would
 * have to wait where it may not (DRIVER_WOULD_BLOCK_ERROR, inline reads only). The
 * descriptors of @msg the handler did not take are closed with @msg. */
static GBytes *dispatch_run(Client *client, RpcMessage *msg, const RpcProcInfo *info,
                            DispatchHandler handler, const void *args, bool *close_after)
{
    g_autoptr(GError) error = NULL;
    g_autofree void *ret = info->ret.size ? g_malloc0(info->ret.size) : NULL;
    const RpcHeader *h = &msg->header;
    DispatchCall call = {
        .daemon = client->daemon,
        .client = client,
        .header = h,
        .info = info,
        .ops = client->daemon->ops,
        .conn = dispatch_client_conn(client),
        .fds = msg->fds,
        .n_fds = msg->fds ? msg->n_fds : 0,
    };
    GBytes *reply = NULL;

    /* the schema's @open: none marks what may run before CONNECT_OPEN */
    if (h->prog == REMOTE_PROGRAM && !call.conn && info->needs_open)
        g_set_error(&error, VIRT_RPC_ERROR, VIRT_ERR_INTERNAL_ERROR, "connection not open");
    else if (handler(&call, args, ret, &error)) {
        reply = rpc_message_encode_reply(h, ret, &error);
        if (ret)
            rpc_payload_clear(&info->ret, ret);
    } else if (g_error_matches(error, DRIVER_WOULD_BLOCK_ERROR, 0)) {
        return NULL; /* an inline read that has to wait after all: no reply yet */
    }
    if (!reply) {
        g_autoptr(GError) local = NULL;

        reply = rpc_message_encode_error(h, error, &local);
        g_assert(reply); /* an error struct always encodes */
    }
    *close_after = call.close_after;
    return reply;
}

static void dispatch_job_free(DispatchJob *job)
{
    if (job->args) {
        rpc_payload_clear(&job->info->args, job->args);
        g_free(job->args);
    }
    rpc_message_free(job->msg);
    g_free(job);
}

static void dispatch_on_done(Daemon *daemon, gpointer data)
{
    DispatchDone *done = data;

    if (done->close_after)
        done->client->close_pending = true;
    /* proxyd: the client may go to its driver daemon instead (route.c) */
    done->reply = daemon_route_handoff(done->client, done->reply);
    if (done->reply)
        client_send(done->client, done->reply);
    daemon_route_attach(done->client); /* before queued calls run here */
    client_call_done(done->client);
    client_unref(done->client);
    g_free(done);
}

static void dispatch_on_worker(gpointer data, gpointer user_data)
{
    DispatchJob *job = data;
    Daemon *daemon = user_data;
    DispatchDone *done = g_new0(DispatchDone, 1);

    done->reply =
        dispatch_run(job->client, job->msg, job->info, job->handler, job->args, &done->close_after);
    done->client = g_steal_pointer(&job->client);
    dispatch_job_free(job);
    worker_pool_post(daemon->workers, dispatch_on_done, done);
}

/* Run a call on the loop thread, free @msg and send its reply; false, @msg untouched,
 * when it is an inline read the driver cannot answer without waiting. */
static bool dispatch_run_on_loop(Client *client, RpcMessage *msg, const RpcProcInfo *info,
                                 DispatchHandler handler, const void *args)
{
    bool close_after = false;
    GBytes *reply;

    /* inline reads must not wait on the loop: the driver says when they would */
    driver_set_may_wait(info->dispatch != RPC_PROC_DISPATCH_INLINE);
    reply = dispatch_run(client, msg, info, handler, args, &close_after);
    driver_set_may_wait(true);
    if (!reply)
        return false;
    rpc_message_free(msg); /* its descriptors are closed before the reply goes */
    if (info->dispatch == RPC_PROC_DISPATCH_INLINE)
        client->inline_calls++;
    if (close_after)
        client->close_pending = true;
    client_send(client, reply);
    return true;
}

static void dispatch_call(Client *client, RpcMessage *msg, const RpcProcInfo *info,
                          DispatchHandler handler, bool on_loop)
{
    g_autoptr(GError) error = NULL;
    g_autofree void *args = info->args.size ? g_malloc0(info->args.size) : NULL;
    DispatchJob *job;

    if (!rpc_payload_decode(&info->args, msg->payload, args ? args : &(int){ 0 }, &error)) {
        dispatch_refuse(client, msg, error);
        return;
    }
    if (!dispatch_check_flags(client, info, args, &error)) {
        rpc_payload_clear(&info->args, args);
        dispatch_refuse(client, msg, error);
        return;
    }
    if (on_loop) {
        bool answered = dispatch_run_on_loop(client, msg, info, handler, args);

        /* else an inline read that has to wait: a worker runs it now, or once the
         * client has a free slot (deferred, it is decoded again then) */
        if (answered || !client_call_may_start(client)) {
            if (args)
                rpc_payload_clear(&info->args, args);
            if (!answered)
                client_defer_call(client, msg);
            return;
        }
    }
    job = g_new0(DispatchJob, 1);
    job->client = client_ref(client);
    job->msg = msg;
    job->info = info;
    job->handler = handler;
    job->args = g_steal_pointer(&args);
    client->in_flight++;
    worker_pool_submit(client->daemon->workers, info->priority == RPC_PROC_PRIORITY_HIGH,
                       dispatch_on_worker, job);
}

/**
 * dispatch_packet - handle one decoded packet of @client (loop thread)
 * @client: the client
 * @msg: the packet; owned from now on
 *
 * Keepalive is answered here and now, whatever the client's calls are doing. Calls
 * beyond max_client_requests wait in the client's deferred queue.
 */
void dispatch_packet(Client *client, RpcMessage *msg)
{
    g_autoptr(GError) error = NULL;
    const RpcHeader *h = &msg->header;
    const RpcProcInfo *info = NULL;
    DispatchHandler handler = NULL;
    bool on_loop;

    if (h->prog == KEEPALIVE_PROGRAM && h->type == RPC_MESSAGE_MESSAGE) {
        keepalive_handle(client, h->proc);
        rpc_message_free(msg);
        return;
    }
    if (h->type == RPC_MESSAGE_STREAM || h->type == RPC_MESSAGE_STREAM_HOLE) {
        stream_handle_packet(client, msg);
        return;
    }
    if (h->type != RPC_MESSAGE_CALL && h->type != RPC_MESSAGE_CALL_WITH_FDS) {
        /* stray replies or events from a client: nothing to answer */
        g_debug("client %" G_GUINT64_FORMAT ": ignoring %s packet", client->id,
                rpc_message_type_to_string(h->type));
        rpc_message_free(msg);
        return;
    }
    if (!dispatch_check(client, h, &info, &handler, &error)) {
        dispatch_refuse(client, msg, error);
        return;
    }
    on_loop = dispatch_on_loop(client, info);
    if (!on_loop && !client_call_may_start(client)) {
        client_defer_call(client, msg);
        return;
    }
    dispatch_call(client, msg, info, handler, on_loop);
}

static void dispatch_close_conn_job(gpointer data, gpointer user_data)
{
    Client *client = data;
    DriverConn *conn;

    g_mutex_lock(&client->lock);
    conn = g_steal_pointer(&client->conn);
    g_mutex_unlock(&client->lock);
    if (conn && client->daemon->ops->connect_close)
        client->daemon->ops->connect_close(conn);
    client_unref(client); /* the reference the open connection held */
}

/**
 * dispatch_release_conn - close the driver connection of a departed client
 * @client: a dead client with no call in flight
 *
 * connect_close may block in a driver, so it runs on a worker. After it returns the
 * driver sends no more events to the client, which then goes away.
 */
void dispatch_release_conn(Client *client)
{
    bool has_conn;

    g_mutex_lock(&client->lock);
    has_conn = client->conn != NULL;
    g_mutex_unlock(&client->lock);
    if (has_conn)
        worker_pool_submit(client->daemon->workers, false, dispatch_close_conn_job, client);
}

/* NO_SUPPORT for a NULL driver op, the way libvirt's API layer answers it. */
bool dispatch_require_op(const DispatchCall *call, const void *op, GError **error)
{
    g_autofree char *api = NULL;

    if (op)
        return true;
    api = dispatch_api_name(call->info->name);
    g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_NO_SUPPORT,
                "this function is not supported by the connection driver: %s", api);
    return false;
}

/* A borrowed view: @ret_ref->name points into @wire. */
void dispatch_domain_from_wire(const remote_nonnull_domain *wire, DomainRef *ret_ref)
{
    ret_ref->name = wire->name;
    memcpy(ret_ref->uuid, wire->uuid, VIRT_UUID_LEN);
    ret_ref->id = wire->id;
}

void dispatch_domain_to_wire(const DomainRef *ref, remote_nonnull_domain *ret_wire)
{
    ret_wire->name = g_strdup(ref->name);
    memcpy(ret_wire->uuid, ref->uuid, VIRT_UUID_LEN);
    ret_wire->id = ref->id;
}
