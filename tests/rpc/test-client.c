/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tier: fake-backed. The RPC client against a tiny scripted server on the other end
 * of a socketpair: calls and errors, overlapping calls answered out of order,
 * events to a GMainContext, keepalive both ways, every way a connection ends,
 * descriptors passed both ways (CALL_WITH_FDS / REPLY_WITH_FDS) and closed on every
 * path where nobody takes them. Calling threads read the socket themselves (the
 * reader role): many threads on one connection, the role handed over, EOF,
 * keepalive and events while a caller reads.
 */

#include <glib.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "rpc/client-priv.h"
#include "rpc/client.h"
#include "rpc/keepalive.h"
#include "rpc/remote-protocol.h"
#include "rpc/transport-unix.h"
#include "rpc/wire-error.h"
#include "test-fd.h"
#include "util/error.h"

#define WAIT_USEC (10 * G_USEC_PER_SEC) /* generous bound; tests finish far sooner */

typedef struct FakeServer FakeServer;
typedef void (*FakeBehaviour)(FakeServer *srv, RpcMessage *msg);

struct FakeServer {
    int fd;
    GThread *thread;
    FakeBehaviour behaviour;
    RpcDecoder *decoder;
    GAsyncQueue *seen;                  /* RpcHeader copies of everything received */
    GPtrArray *held;                    /* calls held back by the overlap behaviour */
    GAsyncQueue *calls;                 /* calls behave_hold() leaves to the test to answer */
    void (*batch_end)(FakeServer *srv); /* after the packets of one read */
};

static void server_send(FakeServer *srv, GBytes *bytes)
{
    gsize len;
    const uint8_t *p = g_bytes_get_data(bytes, &len);

    g_assert_nonnull(bytes);
    while (len > 0) {
        ssize_t n = send(srv->fd, p, len, MSG_NOSIGNAL);

        if (n < 0)
            return; /* client went away */
        p += n;
        len -= (size_t)n;
    }
    g_bytes_unref(bytes);
}

/* One blocking read with its descriptors (rpc_unix_recv() itself never waits). */
static ssize_t server_recv(FakeServer *srv, uint8_t *buf, size_t len, int *fds, unsigned int *n_fds)
{
    for (;;) {
        struct pollfd pfd = { srv->fd, POLLIN, 0 };
        ssize_t n;

        if (poll(&pfd, 1, -1) < 0)
            return -1;
        n = rpc_unix_recv(srv->fd, buf, len, fds, n_fds);
        if (n != -EAGAIN && n != -EINTR)
            return n;
    }
}

static gpointer server_thread(gpointer data)
{
    FakeServer *srv = data;
    uint8_t buf[4096];
    int fds[RPC_MESSAGE_NUM_FDS_MAX];
    unsigned int n_fds = 0;
    ssize_t n;

    while ((n = server_recv(srv, buf, sizeof(buf), fds, &n_fds)) > 0) {
        RpcMessage *msg;

        if (!rpc_decoder_feed_fds(srv->decoder, buf, (size_t)n, fds, n_fds, NULL))
            break;
        while ((msg = rpc_decoder_pop(srv->decoder))) {
            g_async_queue_push(srv->seen, g_memdup2(&msg->header, sizeof(RpcHeader)));
            if (srv->behaviour)
                srv->behaviour(srv, msg);
            else
                rpc_message_free(msg);
        }
        if (srv->batch_end)
            srv->batch_end(srv);
    }
    return NULL;
}

static void message_free_notify(gpointer msg)
{
    rpc_message_free(msg);
}

static FakeServer *server_new(FakeBehaviour behaviour, int *ret_client_fd)
{
    FakeServer *srv = g_new0(FakeServer, 1);
    int sv[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    srv->fd = sv[0];
    srv->behaviour = behaviour;
    srv->decoder = rpc_decoder_new();
    srv->seen = g_async_queue_new_full(g_free);
    srv->held = g_ptr_array_new_with_free_func(message_free_notify);
    srv->calls = g_async_queue_new_full(message_free_notify);
    srv->thread = g_thread_new("fake-server", server_thread, srv);
    *ret_client_fd = sv[1];
    return srv;
}

/* Hang up (the server thread sees EOF once the client closes too) and free. */
static void server_free(FakeServer *srv)
{
    shutdown(srv->fd, SHUT_RDWR);
    g_thread_join(srv->thread);
    close(srv->fd);
    rpc_decoder_free(srv->decoder);
    g_async_queue_unref(srv->seen);
    g_ptr_array_unref(srv->held);
    g_async_queue_unref(srv->calls);
    g_free(srv);
}

/* The next header the server received, waiting for it. */
static RpcHeader *server_next_seen(FakeServer *srv)
{
    RpcHeader *h = g_async_queue_timeout_pop(srv->seen, WAIT_USEC);

    g_assert_nonnull(h);
    return h;
}

/* ---- behaviours ---- */

static void reply_lookup(FakeServer *srv, RpcMessage *call)
{
    remote_domain_lookup_by_name_args args = { 0 };
    const RpcPayloadType *t = rpc_message_payload_type(&call->header, NULL);

    g_assert_true(rpc_payload_decode(t, call->payload, &args, NULL));
    if (g_str_has_prefix(args.name, "d")) {
        remote_domain_lookup_by_name_ret ret = { .dom = { .name = args.name, .id = 0 } };

        ret.dom.id = (int)g_ascii_strtoll(args.name + 1, NULL, 10);
        server_send(srv, rpc_message_encode_reply(&call->header, &ret, NULL));
    } else {
        g_autoptr(GError) e = g_error_new(VIRT_TEST_ERROR, VIRT_ERR_NO_DOMAIN,
                                          "Domain not found: no domain '%s'", args.name);

        server_send(srv, rpc_message_encode_error(&call->header, e, NULL));
    }
    rpc_payload_clear(t, &args);
}

static void stream_send(FakeServer *srv, const RpcHeader *call, RpcMessageStatus status,
                        const char *data)
{
    RpcHeader h = { call->prog, 1, call->proc, RPC_MESSAGE_STREAM, call->serial, status };

    server_send(srv, rpc_message_encode(&h, 0, data, data ? strlen(data) : 0, NULL));
}

/* OPEN_CONSOLE: a CALL opens the stream (console 'nope' fails), two data packets
 * follow; data from the client is echoed; the client's end is answered with ours. */
static void stream_behaviour(FakeServer *srv, RpcMessage *call)
{
    if (call->header.type == RPC_MESSAGE_CALL) {
        remote_domain_open_console_args args = { 0 };
        const RpcPayloadType *t = rpc_message_payload_type(&call->header, NULL);

        g_assert_true(rpc_payload_decode(t, call->payload, &args, NULL));
        if (args.dev_name && g_str_equal(*args.dev_name, "nope")) {
            g_autoptr(GError) e =
                g_error_new(VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_FAILED, "no console 'nope'");

            server_send(srv, rpc_message_encode_error(&call->header, e, NULL));
        } else {
            server_send(srv, rpc_message_encode_reply(&call->header, NULL, NULL));
            stream_send(srv, &call->header, RPC_STATUS_CONTINUE, "hello ");
            stream_send(srv, &call->header, RPC_STATUS_CONTINUE, "world");
        }
        rpc_payload_clear(t, &args);
        return;
    }
    if (call->header.status == RPC_STATUS_CONTINUE) {
        g_autofree char *echo =
            g_strndup(g_bytes_get_data(call->payload, NULL), g_bytes_get_size(call->payload));

        stream_send(srv, &call->header, RPC_STATUS_CONTINUE, echo);
    } else if (call->header.status == RPC_STATUS_OK) {
        stream_send(srv, &call->header, RPC_STATUS_OK, NULL);
    }
}

static void behave_normal(FakeServer *srv, RpcMessage *msg)
{
    g_autoptr(RpcMessage) call = msg;

    if (call->header.prog == KEEPALIVE_PROGRAM) {
        if (call->header.proc == KEEPALIVE_PROC_PING)
            server_send(srv, rpc_keepalive_encode(RPC_KEEPALIVE_SEND_PONG));
        return;
    }
    switch (call->header.proc) {
    case REMOTE_PROC_CONNECT_GET_HOSTNAME: {
        g_autofree char *name = g_strdup_printf("host-%u", call->header.serial);
        remote_connect_get_hostname_ret ret = { .hostname = name };

        server_send(srv, rpc_message_encode_reply(&call->header, &ret, NULL));
        break;
    }
    case REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME:
        reply_lookup(srv, call);
        break;
    case REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY: {
        remote_connect_domain_event_callback_register_any_ret ret = { .callbackID = 7 };
        remote_domain_event_callback_lifecycle_msg ev = {
            .callbackID = 7,
            .msg = { .dom = { .name = (char *)"web1", .id = 3 }, .event = 3, .detail = 0 },
        };

        server_send(srv, rpc_message_encode_reply(&call->header, &ret, NULL));
        server_send(srv, rpc_message_encode_event(REMOTE_PROGRAM,
                                                  REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE, 1,
                                                  &ev, NULL));
        break;
    }
    case REMOTE_PROC_DOMAIN_OPEN_CONSOLE:
        stream_behaviour(srv, call);
        break;
    case REMOTE_PROC_AUTH_LIST: {
        remote_auth_type types[] = { REMOTE_AUTH_NONE };
        remote_auth_list_ret ret = { .types = { 1, types } };

        server_send(srv, rpc_message_encode_reply(&call->header, &ret, NULL));
        break;
    }
    case REMOTE_PROC_CONNECT_SUPPORTS_FEATURE: {
        remote_connect_supports_feature_args args = { 0 };
        remote_connect_supports_feature_ret ret = { 0 };
        const RpcPayloadType *t = rpc_message_payload_type(&call->header, NULL);

        g_assert_true(rpc_payload_decode(t, call->payload, &args, NULL));
        ret.supported = args.feature == 10 || args.feature == 14; /* not 15 */
        server_send(srv, rpc_message_encode_reply(&call->header, &ret, NULL));
        break;
    }
    case REMOTE_PROC_CONNECT_OPEN: {
        remote_connect_open_args args = { 0 };
        const RpcPayloadType *t = rpc_message_payload_type(&call->header, NULL);

        g_assert_true(rpc_payload_decode(t, call->payload, &args, NULL));
        if (args.name && g_str_equal(*args.name, "test:///default")) {
            server_send(srv, rpc_message_encode_reply(&call->header, NULL, NULL));
        } else {
            g_autoptr(GError) e =
                g_error_new(VIRT_RPC_ERROR, VIRT_ERR_NO_CONNECT, "no connection driver available");

            server_send(srv, rpc_message_encode_error(&call->header, e, NULL));
        }
        rpc_payload_clear(t, &args);
        break;
    }
    case REMOTE_PROC_CONNECT_CLOSE:
        server_send(srv, rpc_message_encode_reply(&call->header, NULL, NULL));
        shutdown(srv->fd, SHUT_RDWR);
        break;
    default: {
        g_autoptr(GError) e =
            g_error_new(VIRT_RPC_ERROR, VIRT_ERR_NO_SUPPORT, "unsupported procedure");

        server_send(srv, rpc_message_encode_error(&call->header, e, NULL));
        break;
    }
    }
}

/* @packet, a REPLY, turned into a REPLY_WITH_FDS announcing @n_fds descriptors. */
static GBytes *reply_with_fds(GBytes *packet, unsigned int n_fds)
{
    gsize len;
    const uint8_t *p = g_bytes_get_data(packet, &len);
    uint8_t *out = g_malloc(len + 4);
    uint32_t word;

    memcpy(out, p, 28);
    memcpy(out + 32, p + 28, len - 28);
    word = GUINT32_TO_BE((uint32_t)len + 4);
    memcpy(out, &word, 4);
    word = GUINT32_TO_BE(RPC_MESSAGE_REPLY_WITH_FDS);
    memcpy(out + 16, &word, 4);
    word = GUINT32_TO_BE(n_fds);
    memcpy(out + 28, &word, 4);
    g_bytes_unref(packet);
    return g_bytes_new_take(out, len + 4);
}

/* @packet, then every descriptor @call came with, each on its own dummy byte. */
static void server_send_fds(FakeServer *srv, GBytes *packet, const RpcMessage *call)
{
    server_send(srv, reply_with_fds(packet, call->n_fds));
    for (unsigned int i = 0; i < call->n_fds; i++)
        g_assert_cmpint(rpc_unix_send_fd(srv->fd, call->fds[i]), ==, 1);
}

/* Descriptors come back with the reply: GET_HOSTNAME answers with them, LOOKUP_BY_NAME
 * fails with them, GET_LIB_VERSION first sends them with a reply to a serial nobody
 * waits for; anything else is answered as behave_normal() does. */
static void behave_fds(FakeServer *srv, RpcMessage *msg)
{
    g_autoptr(RpcMessage) call = msg;
    g_autoptr(GError) e = NULL;

    switch (call->header.proc) {
    case REMOTE_PROC_CONNECT_GET_HOSTNAME: {
        remote_connect_get_hostname_ret ret = { .hostname = (char *)"fds" };

        server_send_fds(srv, rpc_message_encode_reply(&call->header, &ret, NULL), call);
        break;
    }
    case REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME:
        e = g_error_new(VIRT_TEST_ERROR, VIRT_ERR_NO_DOMAIN, "Domain not found");
        server_send_fds(srv, rpc_message_encode_error(&call->header, e, NULL), call);
        break;
    case REMOTE_PROC_CONNECT_GET_LIB_VERSION: {
        remote_connect_get_lib_version_ret ret = { .lib_ver = 9000000 };
        RpcHeader stray = call->header;

        stray.serial += 1000;
        server_send_fds(srv, rpc_message_encode_reply(&stray, &ret, NULL), call);
        server_send(srv, rpc_message_encode_reply(&call->header, &ret, NULL));
        break;
    }
    default:
        behave_normal(srv, g_steal_pointer(&call));
        break;
    }
}

/* Hold calls until three arrived, then answer them last first. */
static void behave_overlap(FakeServer *srv, RpcMessage *msg)
{
    g_ptr_array_add(srv->held, msg);
    if (srv->held->len < 3)
        return;
    for (guint i = srv->held->len; i > 0; i--)
        reply_lookup(srv, g_ptr_array_index(srv->held, i - 1));
    g_ptr_array_set_size(srv->held, 0);
}

static void behave_silent(FakeServer *srv, RpcMessage *msg)
{
    rpc_message_free(msg);
}

static void behave_garbage(FakeServer *srv, RpcMessage *msg)
{
    static const uint8_t zero_length[4] = { 0 };

    rpc_message_free(msg);
    server_send(srv, g_bytes_new_static(zero_length, sizeof(zero_length)));
}

/* ---- close observation ---- */

typedef struct CloseSeen {
    GMutex lock;
    GCond cond;
    int count;
    RpcClientCloseReason reason;
    GError *error;
} CloseSeen;

static void on_close(RpcClient *client, RpcClientCloseReason reason, const GError *error,
                     gpointer data)
{
    CloseSeen *cs = data;

    g_mutex_lock(&cs->lock);
    cs->count++;
    cs->reason = reason;
    g_clear_error(&cs->error);
    cs->error = error ? g_error_copy(error) : NULL;
    g_cond_broadcast(&cs->cond);
    g_mutex_unlock(&cs->lock);
}

static void close_seen_wait(CloseSeen *cs)
{
    gint64 end = g_get_monotonic_time() + WAIT_USEC;

    g_mutex_lock(&cs->lock);
    while (cs->count == 0)
        g_assert_true(g_cond_wait_until(&cs->cond, &cs->lock, end));
    g_mutex_unlock(&cs->lock);
}

static void close_seen_clear(CloseSeen *cs)
{
    g_clear_error(&cs->error);
}

/* ---- tests ---- */

static void test_call(void)
{
    int fd;
    FakeServer *srv = server_new(behave_normal, &fd);
    g_autoptr(RpcClient) c = rpc_client_new_fd(fd, NULL);
    remote_connect_get_hostname_ret ret = { 0 };
    remote_domain_lookup_by_name_args args = { .name = (char *)"d42" };
    remote_domain_lookup_by_name_ret dom = { 0 };
    const RpcProcInfo *info = rpc_proc_lookup(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME);

    for (int i = 0; i < 2; i++) {
        g_autofree char *want = g_strdup_printf("host-%d", i);

        g_assert_true(
            rpc_client_call(c, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME, NULL, &ret, NULL));
        g_assert_cmpstr(ret.hostname, ==, want);
        rpc_payload_clear(&info->ret, &ret);
    }
    g_assert_true(
        rpc_client_call(c, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, &args, &dom, NULL));
    g_assert_cmpstr(dom.dom.name, ==, "d42");
    g_assert_cmpint(dom.dom.id, ==, 42);
    rpc_payload_clear(&rpc_proc_lookup(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME)->ret,
                      &dom);
    g_clear_pointer(&c, rpc_client_unref);
    server_free(srv);
}

static void test_call_error(void)
{
    int fd;
    FakeServer *srv = server_new(behave_normal, &fd);
    g_autoptr(RpcClient) c = rpc_client_new_fd(fd, NULL);
    remote_domain_lookup_by_name_args args = { .name = (char *)"nope" };
    remote_domain_lookup_by_name_ret dom = { 0 };
    g_autoptr(GError) error = NULL;

    g_assert_false(
        rpc_client_call(c, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, &args, &dom, &error));
    g_assert_error(error, VIRT_TEST_ERROR, VIRT_ERR_NO_DOMAIN);
    g_assert_cmpstr(error->message, ==, "Domain not found: no domain 'nope'");
    g_clear_error(&error);
    /* a procedure outside the schema never reaches the wire */
    g_assert_false(rpc_client_call(c, REMOTE_PROGRAM, 300, NULL, NULL, &error));
    g_assert_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC);
    g_clear_error(&error);
    /* a missing args object is refused before anything is sent */
    g_assert_false(
        rpc_client_call(c, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_ATTACH_DEVICE, NULL, NULL, &error));
    g_assert_error(error, VIRT_RPC_ERROR, VIRT_ERR_INTERNAL_ERROR);
    g_clear_error(&error);
    /* the server answers NO_SUPPORT for what it does not implement */
    g_assert_false(
        rpc_client_call(c, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_URI, NULL, NULL, &error));
    g_assert_error(error, VIRT_RPC_ERROR, VIRT_ERR_NO_SUPPORT);
    g_clear_pointer(&c, rpc_client_unref);
    server_free(srv);
}

typedef struct OverlapArg {
    RpcClient *client;
    int n;
    bool ok;
} OverlapArg;

static gpointer overlap_thread(gpointer data)
{
    OverlapArg *a = data;
    g_autofree char *name = g_strdup_printf("d%d", a->n);
    remote_domain_lookup_by_name_args args = { .name = name };
    remote_domain_lookup_by_name_ret ret = { 0 };

    a->ok = rpc_client_call(a->client, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, &args,
                            &ret, NULL) &&
            g_strcmp0(ret.dom.name, name) == 0 && ret.dom.id == a->n;
    rpc_payload_clear(&rpc_proc_lookup(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME)->ret,
                      &ret);
    return NULL;
}

static void test_overlapping_calls(void)
{
    int fd;
    FakeServer *srv = server_new(behave_overlap, &fd);
    g_autoptr(RpcClient) c = rpc_client_new_fd(fd, NULL);
    OverlapArg args[3];
    GThread *threads[3];
    uint32_t serials = 0;

    for (int i = 0; i < 3; i++) {
        args[i] = (OverlapArg){ c, 100 + i, false };
        threads[i] = g_thread_new("caller", overlap_thread, &args[i]);
    }
    for (int i = 0; i < 3; i++) {
        g_thread_join(threads[i]);
        g_assert_true(args[i].ok);
    }
    for (int i = 0; i < 3; i++) {
        g_autofree RpcHeader *h = server_next_seen(srv);

        serials |= 1u << h->serial;
    }
    g_assert_cmpuint(serials, ==, 0x7); /* serials 0, 1, 2, each once */
    g_clear_pointer(&c, rpc_client_unref);
    server_free(srv);
}

typedef struct EventSeen {
    int count;
    int callback_id;
    int event;
    char *name;
} EventSeen;

static void on_event(RpcClient *client, const RpcMessage *msg, gpointer data)
{
    EventSeen *es = data;
    remote_domain_event_callback_lifecycle_msg ev = { 0 };
    const RpcPayloadType *t = rpc_message_payload_type(&msg->header, NULL);

    g_assert_cmpint(msg->header.proc, ==, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE);
    g_assert_true(rpc_payload_decode(t, msg->payload, &ev, NULL));
    es->count++;
    es->callback_id = ev.callbackID;
    es->event = ev.msg.event;
    g_free(es->name);
    es->name = g_strdup(ev.msg.dom.name);
    rpc_payload_clear(t, &ev);
}

static void test_events(void)
{
    int fd;
    FakeServer *srv = server_new(behave_normal, &fd);
    g_autoptr(RpcClient) c = rpc_client_new_fd(fd, NULL);
    g_autoptr(GMainContext) ctx = g_main_context_new();
    remote_connect_domain_event_callback_register_any_args args = { .eventID = 0 };
    remote_connect_domain_event_callback_register_any_ret ret = { 0 };
    EventSeen es = { 0 };
    gint64 end = g_get_monotonic_time() + WAIT_USEC;

    rpc_client_set_event_handler(c, on_event, &es, ctx);
    g_assert_true(rpc_client_call(c, REMOTE_PROGRAM,
                                  REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, &args,
                                  &ret, NULL));
    g_assert_cmpint(ret.callbackID, ==, 7);
    /* the event is dispatched on our context, so nothing happens until we run it */
    while (es.count == 0 && g_get_monotonic_time() < end)
        g_main_context_iteration(ctx, TRUE);
    g_assert_cmpint(es.count, ==, 1);
    g_assert_cmpint(es.callback_id, ==, 7);
    g_assert_cmpint(es.event, ==, 3);
    g_assert_cmpstr(es.name, ==, "web1");
    g_free(es.name);
    g_clear_pointer(&c, rpc_client_unref);
    server_free(srv);
}

/* The last reference dropped by a handler on the connection thread itself: the
 * handler waits until the test gave up its own reference first. */
typedef struct DropSeen {
    GMutex lock;
    GCond cond;
    bool test_dropped;
    bool handler_done;
} DropSeen;

static void on_event_drop_client(RpcClient *client, const RpcMessage *msg, gpointer data)
{
    DropSeen *ds = data;
    gint64 end = g_get_monotonic_time() + WAIT_USEC;

    g_mutex_lock(&ds->lock);
    while (!ds->test_dropped)
        g_assert_true(g_cond_wait_until(&ds->cond, &ds->lock, end));
    g_mutex_unlock(&ds->lock);
    rpc_client_unref(client);
    g_mutex_lock(&ds->lock);
    ds->handler_done = true;
    g_cond_broadcast(&ds->cond);
    g_mutex_unlock(&ds->lock);
}

static void test_unref_on_connection_thread(void)
{
    int fd;
    FakeServer *srv = server_new(behave_normal, &fd);
    RpcClient *c = rpc_client_new_fd(fd, NULL);
    remote_connect_domain_event_callback_register_any_args args = { .eventID = 0 };
    remote_connect_domain_event_callback_register_any_ret ret = { 0 };
    DropSeen ds = { 0 };
    gint64 end = g_get_monotonic_time() + WAIT_USEC;

    rpc_client_set_event_handler(c, on_event_drop_client, &ds, NULL);
    rpc_client_ref(c); /* the handler's reference */
    g_assert_true(rpc_client_call(c, REMOTE_PROGRAM,
                                  REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, &args,
                                  &ret, NULL));
    rpc_client_unref(c);
    g_mutex_lock(&ds.lock);
    ds.test_dropped = true;
    g_cond_broadcast(&ds.cond);
    while (!ds.handler_done)
        g_assert_true(g_cond_wait_until(&ds.cond, &ds.lock, end));
    g_mutex_unlock(&ds.lock);
    /* the client frees itself when its loop ends; the server then sees EOF */
    server_free(srv);
}

static void test_handshake(void)
{
    int fd;
    FakeServer *srv = server_new(behave_normal, &fd);
    g_autoptr(RpcClient) c = rpc_client_new_fd(fd, NULL);
    RpcClientFeatures f = { 0 };
    g_autoptr(GError) error = NULL;
    static const int want[][2] = { { 66, -1 }, { 60, 10 }, { 1, -1 }, { 60, 14 }, { 60, 15 } };

    g_assert_true(rpc_client_handshake(c, "test:///default", 0, 0, 0, &f, &error));
    g_assert_no_error(error);
    g_assert_true(f.keepalive);
    g_assert_true(f.event_callback);
    g_assert_false(f.close_callback);
    /* virsh's recorded order (virsh-rpc-trace.md) */
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        g_autofree RpcHeader *h = server_next_seen(srv);

        g_assert_cmpint(h->proc, ==, want[i][0]);
        g_assert_cmpuint(h->serial, ==, i);
    }
    g_clear_pointer(&c, rpc_client_unref);
    server_free(srv);

    srv = server_new(behave_normal, &fd);
    c = rpc_client_new_fd(fd, NULL);
    g_assert_false(rpc_client_handshake(c, "qemu:///system", 0, 0, 0, NULL, &error));
    g_assert_error(error, VIRT_RPC_ERROR, VIRT_ERR_NO_CONNECT);
    g_clear_pointer(&c, rpc_client_unref);
    server_free(srv);
}

static void test_keepalive_pong(void)
{
    int fd;
    FakeServer *srv = server_new(behave_normal, &fd);
    g_autoptr(RpcClient) c = rpc_client_new_fd(fd, NULL);
    g_autofree RpcHeader *h = NULL;

    server_send(srv, rpc_keepalive_encode(RPC_KEEPALIVE_SEND_PING));
    h = server_next_seen(srv);
    g_assert_cmphex(h->prog, ==, KEEPALIVE_PROGRAM);
    g_assert_cmpint(h->proc, ==, KEEPALIVE_PROC_PONG);
    g_assert_cmpint(h->type, ==, RPC_MESSAGE_MESSAGE);
    g_assert_cmpuint(h->serial, ==, 0);
    g_assert_true(rpc_client_is_open(c));
    g_clear_pointer(&c, rpc_client_unref);
    server_free(srv);
}

/* Interval 1 s, count 1: one PING after a second of silence, dead a second later. */
static void test_keepalive_dead(void)
{
    int fd;
    FakeServer *srv = server_new(behave_silent, &fd);
    g_autoptr(RpcClient) c = rpc_client_new_fd(fd, NULL);
    CloseSeen cs = { 0 };
    g_autofree RpcHeader *ping = NULL;
    g_autoptr(GError) error = NULL;

    rpc_client_set_close_handler(c, on_close, &cs, NULL);
    rpc_client_start_keepalive(c, 1, 1);
    ping = server_next_seen(srv);
    g_assert_cmpint(ping->proc, ==, KEEPALIVE_PROC_PING);
    close_seen_wait(&cs);
    g_assert_cmpint(cs.reason, ==, RPC_CLIENT_CLOSE_KEEPALIVE);
    g_assert_cmpstr(cs.error->message, ==, "connection closed due to keepalive timeout");
    g_assert_false(rpc_client_is_open(c));
    g_assert_false(
        rpc_client_call(c, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME, NULL, NULL, &error));
    g_assert_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC);
    g_clear_pointer(&c, rpc_client_unref);
    g_assert_cmpint(cs.count, ==, 1);
    close_seen_clear(&cs);
    server_free(srv);
}

static void test_server_eof(void)
{
    int fd;
    FakeServer *srv = server_new(behave_normal, &fd);
    g_autoptr(RpcClient) c = rpc_client_new_fd(fd, NULL);
    g_autoptr(GMainContext) ctx = g_main_context_new();
    CloseSeen cs = { 0 };
    g_autoptr(GError) error = NULL;
    gint64 end = g_get_monotonic_time() + WAIT_USEC;

    rpc_client_set_close_handler(c, on_close, &cs, ctx);
    /* the server replies to CLOSE and hangs up, as libvirtd's delayed close does */
    g_assert_true(
        rpc_client_call(c, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_CLOSE, NULL, NULL, &error));
    g_assert_no_error(error);
    while (cs.count == 0 && g_get_monotonic_time() < end)
        g_main_context_iteration(ctx, TRUE);
    g_assert_cmpint(cs.reason, ==, RPC_CLIENT_CLOSE_EOF);
    g_assert_false(
        rpc_client_call(c, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME, NULL, NULL, &error));
    g_assert_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC);
    g_clear_pointer(&c, rpc_client_unref);
    close_seen_clear(&cs);
    server_free(srv);
}

static void test_server_garbage(void)
{
    int fd;
    FakeServer *srv = server_new(behave_garbage, &fd);
    g_autoptr(RpcClient) c = rpc_client_new_fd(fd, NULL);
    CloseSeen cs = { 0 };
    g_autoptr(GError) error = NULL;

    rpc_client_set_close_handler(c, on_close, &cs, NULL);
    /* the pending call fails when the stream breaks */
    g_assert_false(
        rpc_client_call(c, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME, NULL, NULL, &error));
    g_assert_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC);
    close_seen_wait(&cs);
    g_assert_cmpint(cs.reason, ==, RPC_CLIENT_CLOSE_ERROR);
    g_clear_pointer(&c, rpc_client_unref);
    close_seen_clear(&cs);
    server_free(srv);
}

static void test_client_close(void)
{
    int fd;
    FakeServer *srv = server_new(behave_normal, &fd);
    g_autoptr(RpcClient) c = rpc_client_new_fd(fd, NULL);
    CloseSeen cs = { 0 };

    rpc_client_set_close_handler(c, on_close, &cs, NULL);
    rpc_client_close(c);
    close_seen_wait(&cs);
    g_assert_cmpint(cs.reason, ==, RPC_CLIENT_CLOSE_CLIENT);
    g_clear_pointer(&c, rpc_client_unref);
    g_assert_cmpint(cs.count, ==, 1);
    close_seen_clear(&cs);
    server_free(srv);
}

typedef struct StreamSeen {
    GString *data;
    bool eof;
    int errors;
} StreamSeen;

static void on_stream(RpcClientStream *stream, const void *data, size_t len, bool eof,
                      const GError *error, gpointer user_data)
{
    StreamSeen *ss = user_data;

    g_string_append_len(ss->data, data, (gssize)len);
    ss->eof |= eof;
    ss->errors += error != NULL;
}

static void run_until(GMainContext *ctx, bool (*done)(StreamSeen *), StreamSeen *ss)
{
    gint64 end = g_get_monotonic_time() + WAIT_USEC;

    while (!done(ss) && g_get_monotonic_time() < end)
        g_main_context_iteration(ctx, TRUE);
    g_assert_true(done(ss));
}

static bool got_greeting(StreamSeen *ss)
{
    return g_str_equal(ss->data->str, "hello world");
}

static bool got_echo(StreamSeen *ss)
{
    return g_str_equal(ss->data->str, "hello worldping!");
}

static bool got_eof(StreamSeen *ss)
{
    return ss->eof;
}

static bool got_error(StreamSeen *ss)
{
    return ss->errors > 0;
}

static void test_stream(void)
{
    int fd;
    FakeServer *srv = server_new(behave_normal, &fd);
    g_autoptr(RpcClient) c = rpc_client_new_fd(fd, NULL);
    g_autoptr(GMainContext) ctx = g_main_context_new();
    remote_domain_open_console_args args = { .dom = { .name = (char *)"web1" } };
    StreamSeen ss = { g_string_new(NULL), false, 0 };
    RpcClientStream *stream;
    g_autoptr(GError) error = NULL;
    char *nope = (char *)"nope";

    stream = rpc_client_call_stream(c, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_OPEN_CONSOLE, &args, NULL,
                                    on_stream, &ss, ctx, &error);
    g_assert_no_error(error);
    run_until(ctx, got_greeting, &ss);
    g_assert_true(rpc_client_stream_send(stream, "ping!", 5, NULL));
    run_until(ctx, got_echo, &ss);
    g_assert_true(rpc_client_stream_finish(stream, NULL));
    run_until(ctx, got_eof, &ss);
    g_assert_cmpint(ss.errors, ==, 0);
    /* nothing more can be sent on a finished stream */
    g_assert_false(rpc_client_stream_send(stream, "x", 1, &error));
    g_assert_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC);
    g_clear_error(&error);
    rpc_client_stream_free(stream);

    /* the call that would open a stream fails: no stream */
    args.dev_name = &nope;
    g_assert_null(rpc_client_call_stream(c, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_OPEN_CONSOLE, &args,
                                         NULL, on_stream, &ss, ctx, &error));
    g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_FAILED);
    g_clear_error(&error);

    /* an open stream learns that the connection went away */
    args.dev_name = NULL;
    g_string_truncate(ss.data, 0);
    ss.eof = false;
    stream = rpc_client_call_stream(c, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_OPEN_CONSOLE, &args, NULL,
                                    on_stream, &ss, ctx, &error);
    g_assert_nonnull(stream);
    run_until(ctx, got_greeting, &ss);
    rpc_client_close(c);
    run_until(ctx, got_error, &ss);
    g_assert_false(ss.eof);
    rpc_client_stream_free(stream);
    g_string_free(ss.data, TRUE);
    g_clear_pointer(&c, rpc_client_unref);
    server_free(srv);
}

static gpointer unix_server_thread(gpointer data)
{
    int lfd = GPOINTER_TO_INT(data);
    int fd = accept(lfd, NULL, NULL);
    FakeServer srv = { .fd = fd, .decoder = rpc_decoder_new() };
    uint8_t buf[4096];
    ssize_t n;

    srv.seen = g_async_queue_new_full(g_free);
    while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
        RpcMessage *msg;

        g_assert_true(rpc_decoder_feed(srv.decoder, buf, (size_t)n, NULL));
        while ((msg = rpc_decoder_pop(srv.decoder)))
            behave_normal(&srv, msg);
    }
    close(fd);
    rpc_decoder_free(srv.decoder);
    g_async_queue_unref(srv.seen);
    return NULL;
}

static void test_unix(void)
{
    g_autofree char *dir = g_dir_make_tmp("virtkit-rpc-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "sock", NULL);
    g_autofree char *missing = g_build_filename(dir, "missing", NULL);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    GThread *t;
    g_autoptr(RpcClient) c = NULL;
    remote_connect_get_hostname_ret ret = { 0 };
    g_autoptr(GError) error = NULL;

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    g_assert_cmpint(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(lfd, 1), ==, 0);
    t = g_thread_new("unix-server", unix_server_thread, GINT_TO_POINTER(lfd));
    c = rpc_client_new_unix(path, &error);
    g_assert_no_error(error);
    g_assert_true(
        rpc_client_call(c, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME, NULL, &ret, NULL));
    g_assert_cmpstr(ret.hostname, ==, "host-0");
    rpc_payload_clear(&rpc_proc_lookup(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME)->ret,
                      &ret);
    g_clear_pointer(&c, rpc_client_unref);
    g_thread_join(t);
    close(lfd);
    g_assert_null(rpc_client_new_unix(missing, &error));
    g_assert_error(error, VIRT_RPC_ERROR, VIRT_ERR_SYSTEM_ERROR);
    g_unlink(path);
    g_rmdir(dir);
}

/* ---- descriptor passing ---- */

/* A first call, so that what GLib creates lazily on the connection's thread (its
 * context's eventfd) is there before descriptors are counted. */
static void warm_up(FakeServer *srv, RpcClient *c)
{
    remote_connect_get_version_ret ret = { 0 };
    g_autoptr(GError) error = NULL;

    g_assert_false(
        rpc_client_call(c, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_VERSION, NULL, &ret, &error));
    g_assert_error(error, VIRT_RPC_ERROR, VIRT_ERR_NO_SUPPORT); /* the fake's answer */
    g_free(server_next_seen(srv));
}

/* The descriptors go out after a CALL_WITH_FDS announcing them, and the ones the reply
 * brings are the caller's: they are the same pipes, in the same order. */
static void test_call_with_fds(void)
{
    int fd;
    FakeServer *srv = server_new(behave_fds, &fd);
    RpcClient *c = rpc_client_new_fd(fd, NULL);
    unsigned int base;
    TestPipe p[2] = { test_pipe_new(), test_pipe_new() };
    int send_fds[2] = { p[0].w, p[1].w };
    remote_connect_get_hostname_ret ret = { 0 };
    g_autofree int *got = NULL;
    unsigned int n_got = 0;
    g_autofree RpcHeader *seen = NULL;
    char buf[8] = { 0 };

    warm_up(srv, c);
    base = test_count_fds(getpid()) - 4;
    g_assert_true(rpc_client_call_with_fds(c, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME,
                                           NULL, send_fds, 2, &ret, &got, &n_got, NULL));
    seen = server_next_seen(srv);
    g_assert_cmpint(seen->type, ==, RPC_MESSAGE_CALL_WITH_FDS);
    g_assert_cmpstr(ret.hostname, ==, "fds");
    rpc_payload_clear(&rpc_proc_lookup(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME)->ret,
                      &ret);
    g_assert_cmpuint(n_got, ==, 2);
    for (unsigned int i = 0; i < 2; i++) {
        g_assert_cmpint(write(got[i], i ? "b" : "a", 1), ==, 1);
        g_assert_cmpint(read(p[i].r, buf, sizeof(buf)), ==, 1);
        g_assert_cmpint(buf[0], ==, i ? 'b' : 'a');
        /* the caller's own stay open */
        g_assert_cmpint(fcntl(send_fds[i], F_GETFD), >=, 0);
        close(got[i]);
        close(p[i].w);
        g_assert_true(test_pipe_closed(p[i].r, (int)(WAIT_USEC / 1000)));
        close(p[i].r);
    }
    g_assert_cmpuint(test_count_fds(getpid()), ==, base);
    rpc_client_unref(c);
    server_free(srv);
}

/* Descriptors of a reply nobody takes are closed: the caller did not ask for them, the
 * reply is an error, or it answers a serial nobody waits for. */
static void test_reply_fds_closed(void)
{
    static const int procs[] = { REMOTE_PROC_CONNECT_GET_HOSTNAME,
                                 REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
                                 REMOTE_PROC_CONNECT_GET_LIB_VERSION };
    int fd;
    FakeServer *srv = server_new(behave_fds, &fd);
    RpcClient *c = rpc_client_new_fd(fd, NULL);

    for (size_t i = 0; i < G_N_ELEMENTS(procs); i++) {
        const RpcProcInfo *info = rpc_proc_lookup(REMOTE_PROGRAM, procs[i]);
        remote_domain_lookup_by_name_args lookup = { .name = (char *)"d1" };
        remote_connect_get_lib_version_ret ret = { 0 }; /* the largest of the three */
        g_autoptr(GError) error = NULL;
        TestPipe p = test_pipe_new();
        const void *args = procs[i] == REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME ? &lookup : NULL;
        bool ok = rpc_client_call_with_fds(c, REMOTE_PROGRAM, procs[i], args, &p.w, 1, &ret, NULL,
                                           NULL, &error);

        if (procs[i] == REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME) {
            g_assert_false(ok);
            g_assert_error(error, VIRT_TEST_ERROR, VIRT_ERR_NO_DOMAIN);
        } else {
            g_assert_no_error(error);
            g_assert_true(ok);
            rpc_payload_clear(&info->ret, &ret);
        }
        close(p.w);
        g_assert_true(test_pipe_closed(p.r, (int)(WAIT_USEC / 1000)));
        close(p.r);
    }
    rpc_client_unref(c);
    server_free(srv);
}

/* Refused before anything is sent: more descriptors than the protocol carries, one
 * that is not open, a connection that is not a unix socket. */
static void test_fds_refused(void)
{
    int fd;
    FakeServer *srv = server_new(behave_fds, &fd);
    RpcClient *c = rpc_client_new_fd(fd, NULL);
    int many[RPC_MESSAGE_NUM_FDS_MAX + 1];
    int closed_fd;
    unsigned int base;
    remote_connect_get_hostname_ret ret = { 0 };
    g_autoptr(GError) error = NULL;
    g_autofree RpcHeader *seen = NULL;
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(addr);
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    RpcClient *tc;

    warm_up(srv, c);
    for (size_t i = 0; i < G_N_ELEMENTS(many); i++)
        many[i] = STDERR_FILENO;
    base = test_count_fds(getpid());
    g_assert_false(rpc_client_call_with_fds(c, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME,
                                            NULL, many, G_N_ELEMENTS(many), &ret, NULL, NULL,
                                            &error));
    g_assert_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC);
    g_assert_nonnull(strstr(error->message, "at most 32"));
    g_clear_error(&error);
    /* first: copies of the others could take its number */
    closed_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    close(closed_fd);
    g_assert_false(rpc_client_call_with_fds(c, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME,
                                            NULL, (int[]){ closed_fd, STDERR_FILENO }, 2, &ret,
                                            NULL, NULL, &error));
    g_assert_error(error, VIRT_RPC_ERROR, VIRT_ERR_SYSTEM_ERROR);
    g_clear_error(&error);
    g_assert_cmpuint(test_count_fds(getpid()), ==, base);
    /* nothing went out: the next packet the server sees is the next call */
    g_assert_true(
        rpc_client_call(c, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME, NULL, &ret, NULL));
    rpc_payload_clear(&rpc_proc_lookup(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME)->ret,
                      &ret);
    seen = server_next_seen(srv);
    g_assert_cmpint(seen->type, ==, RPC_MESSAGE_CALL);
    g_assert_cmpint(seen->proc, ==, REMOTE_PROC_CONNECT_GET_HOSTNAME);
    rpc_client_unref(c);
    server_free(srv);

    /* TCP: a connection nobody accepts is enough, nothing is sent on it */
    g_assert_cmpint(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(lfd, 1), ==, 0);
    g_assert_cmpint(getsockname(lfd, (struct sockaddr *)&addr, &len), ==, 0);
    g_assert_cmpint(connect(tcp, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    tc = rpc_client_new_fd(tcp, NULL);
    g_assert_false(rpc_client_call_with_fds(tc, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME,
                                            NULL, (int[]){ STDERR_FILENO }, 1, &ret, NULL, NULL,
                                            &error));
    g_assert_error(error, VIRT_RPC_ERROR, VIRT_ERR_ARGUMENT_UNSUPPORTED);
    g_assert_nonnull(strstr(error->message, "unix socket"));
    rpc_client_unref(tc);
    close(lfd);
}

/* ---- the reader role: calling threads read the socket themselves ---- */

#define LOOKUP_PROC REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME

static const RpcPayloadType *lookup_ret_type(void)
{
    return &rpc_proc_lookup(REMOTE_PROGRAM, LOOKUP_PROC)->ret;
}

/* PINGs are answered at once; every other packet waits in srv->calls for the test. */
static void behave_hold(FakeServer *srv, RpcMessage *msg)
{
    if (msg->header.prog == KEEPALIVE_PROGRAM) {
        if (msg->header.proc == KEEPALIVE_PROC_PING)
            server_send(srv, rpc_keepalive_encode(RPC_KEEPALIVE_SEND_PONG));
        rpc_message_free(msg);
        return;
    }
    g_async_queue_push(srv->calls, msg);
}

/* The next call behave_hold() kept, waiting for it. */
static RpcMessage *server_next_call(FakeServer *srv)
{
    RpcMessage *msg = g_async_queue_timeout_pop(srv->calls, WAIT_USEC);

    g_assert_nonnull(msg);
    return msg;
}

/* The packets of one read are answered last first (behave_normal), so replies to
 * overlapping calls come back out of order. */
static void behave_batch(FakeServer *srv, RpcMessage *msg)
{
    g_ptr_array_add(srv->held, msg);
}

static void batch_answer_reversed(FakeServer *srv)
{
    for (guint i = srv->held->len; i > 0; i--)
        behave_normal(srv, g_ptr_array_steal_index(srv->held, i - 1));
}

/* A call running in its own thread: looks up @name, expects it back (names "d<id>"). */
typedef struct Caller {
    RpcClient *client;
    char *name;
    GThread *thread;
    bool ok;
    GError *error;
} Caller;

static gpointer caller_thread(gpointer data)
{
    Caller *cl = data;
    remote_domain_lookup_by_name_args args = { .name = cl->name };
    remote_domain_lookup_by_name_ret ret = { 0 };

    cl->ok = rpc_client_call(cl->client, REMOTE_PROGRAM, LOOKUP_PROC, &args, &ret, &cl->error);
    if (cl->ok) {
        g_assert_cmpstr(ret.dom.name, ==, cl->name);
        g_assert_cmpint(ret.dom.id, ==, (int)g_ascii_strtoll(cl->name + 1, NULL, 10));
    }
    rpc_payload_clear(lookup_ret_type(), &ret);
    return NULL;
}

static void caller_start(Caller *cl, RpcClient *client, const char *name)
{
    *cl = (Caller){ .client = client, .name = g_strdup(name) };
    cl->thread = g_thread_new("caller", caller_thread, cl);
}

static void caller_join(Caller *cl)
{
    g_thread_join(cl->thread);
    g_free(cl->name);
}

/* Answer a held lookup as behave_normal() would. */
static void server_answer(FakeServer *srv, RpcMessage *call)
{
    reply_lookup(srv, call);
    rpc_message_free(call);
}

/* Who read the packets so far: @callers by calling threads, @conn by the
 * connection thread. */
static void assert_reads(RpcClient *c, unsigned int callers, unsigned int conn)
{
    RpcClientReadStats stats;

    rpc_client_get_read_stats(c, &stats);
    g_assert_cmpuint(stats.by_callers, ==, callers);
    g_assert_cmpuint(stats.by_connection_thread, ==, conn);
}

typedef struct SharedArg {
    RpcClient *client;
    int index;
    int done;
} SharedArg;

#define SHARED_THREADS 8
#define SHARED_CALLS 200

static gpointer shared_thread(gpointer data)
{
    SharedArg *a = data;

    for (int i = 0; i < SHARED_CALLS; i++) {
        g_autofree char *name = g_strdup_printf("d%d", a->index * 1000 + i);
        remote_domain_lookup_by_name_args args = { .name = name };
        remote_domain_lookup_by_name_ret ret = { 0 };
        g_autoptr(GError) error = NULL;

        g_assert_true(rpc_client_call(a->client, REMOTE_PROGRAM, LOOKUP_PROC, &args, &ret, &error));
        g_assert_no_error(error);
        /* every thread gets its own reply, whatever order they came back in */
        g_assert_cmpstr(ret.dom.name, ==, name);
        g_assert_cmpint(ret.dom.id, ==, a->index * 1000 + i);
        rpc_payload_clear(lookup_ret_type(), &ret);
        a->done++;
    }
    return NULL;
}

/* Eight threads, 200 calls each, on one connection; the server answers each batch it
 * reads last first. Callers did all the reading: the connection thread never reads
 * while a call waits. */
static void test_reader_shared(void)
{
    int fd;
    FakeServer *srv = server_new(behave_batch, &fd);
    g_autoptr(RpcClient) c = NULL;
    SharedArg args[SHARED_THREADS];
    GThread *threads[SHARED_THREADS];

    srv->batch_end = batch_answer_reversed;
    c = rpc_client_new_fd(fd, NULL);
    for (int i = 0; i < SHARED_THREADS; i++) {
        args[i] = (SharedArg){ c, i + 1, 0 };
        threads[i] = g_thread_new("shared", shared_thread, &args[i]);
    }
    for (int i = 0; i < SHARED_THREADS; i++) {
        g_thread_join(threads[i]);
        g_assert_cmpint(args[i].done, ==, SHARED_CALLS);
    }
    assert_reads(c, SHARED_THREADS * SHARED_CALLS, 0);
    g_clear_pointer(&c, rpc_client_unref);
    server_free(srv);
}

/* A reads (it called first), B waits. B's reply first: A reads it and wakes B. Then
 * C calls and A's reply comes: A leaves, C takes over and reads its own reply; the
 * connection thread read none of it, and reads again once no call waits. */
static void test_reader_handover(void)
{
    int fd;
    FakeServer *srv = server_new(behave_hold, &fd);
    g_autoptr(RpcClient) c = rpc_client_new_fd(fd, NULL);
    Caller a, b, cc;
    RpcMessage *call_a, *call_b, *call_c;
    g_autofree RpcHeader *pong = NULL;

    caller_start(&a, c, "d1");
    call_a = server_next_call(srv);
    caller_start(&b, c, "d2");
    call_b = server_next_call(srv);
    server_answer(srv, call_b);
    caller_join(&b);
    g_assert_true(b.ok);
    caller_start(&cc, c, "d3");
    call_c = server_next_call(srv); /* so C waits when A leaves */
    server_answer(srv, call_a);
    caller_join(&a);
    g_assert_true(a.ok);
    server_answer(srv, call_c);
    caller_join(&cc);
    g_assert_true(cc.ok);
    assert_reads(c, 3, 0);
    /* with no call left the connection thread reads again: a PING is answered */
    server_send(srv, rpc_keepalive_encode(RPC_KEEPALIVE_SEND_PING));
    for (int i = 0; i < 3; i++)
        g_free(server_next_seen(srv)); /* the three calls */
    pong = server_next_seen(srv);
    g_assert_cmpint(pong->proc, ==, KEEPALIVE_PROC_PONG);
    assert_reads(c, 3, 1);
    g_clear_pointer(&c, rpc_client_unref);
    server_free(srv);
}

/* Four calls wait (one of them reading) when the server hangs up: each fails with
 * the EOF, the close handler hears it once, later calls fail at once. */
static void test_reader_eof(void)
{
    int fd;
    FakeServer *srv = server_new(behave_hold, &fd);
    g_autoptr(RpcClient) c = rpc_client_new_fd(fd, NULL);
    CloseSeen cs = { 0 };
    Caller callers[4];
    g_autoptr(GError) error = NULL;

    rpc_client_set_close_handler(c, on_close, &cs, NULL);
    for (int i = 0; i < 4; i++) {
        g_autofree char *name = g_strdup_printf("d%d", i);

        caller_start(&callers[i], c, name);
        rpc_message_free(server_next_call(srv));
    }
    shutdown(srv->fd, SHUT_RDWR);
    for (int i = 0; i < 4; i++) {
        caller_join(&callers[i]);
        g_assert_false(callers[i].ok);
        g_assert_error(callers[i].error, VIRT_RPC_ERROR, VIRT_ERR_RPC);
        g_assert_cmpstr(callers[i].error->message, ==, "End of file while reading data");
        g_clear_error(&callers[i].error);
    }
    close_seen_wait(&cs);
    g_assert_cmpint(cs.reason, ==, RPC_CLIENT_CLOSE_EOF);
    g_assert_false(rpc_client_call(c, REMOTE_PROGRAM, LOOKUP_PROC, NULL, NULL, &error));
    g_assert_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC);
    g_assert_cmpstr(error->message, ==, "client socket is closed: End of file while reading data");
    g_clear_pointer(&c, rpc_client_unref);
    g_assert_cmpint(cs.count, ==, 1);
    close_seen_clear(&cs);
    server_free(srv);
}

/* The waiting caller, not the connection thread, reads a PING and answers it. */
static void test_reader_keepalive_pong(void)
{
    int fd;
    FakeServer *srv = server_new(behave_hold, &fd);
    g_autoptr(RpcClient) c = rpc_client_new_fd(fd, NULL);
    g_autofree RpcHeader *call_h = NULL;
    g_autofree RpcHeader *pong = NULL;
    RpcMessage *call;
    Caller a;

    caller_start(&a, c, "d7");
    call = server_next_call(srv);
    call_h = server_next_seen(srv);
    g_assert_cmpint(call_h->proc, ==, LOOKUP_PROC);
    server_send(srv, rpc_keepalive_encode(RPC_KEEPALIVE_SEND_PING));
    pong = server_next_seen(srv);
    g_assert_cmphex(pong->prog, ==, KEEPALIVE_PROGRAM);
    g_assert_cmpint(pong->proc, ==, KEEPALIVE_PROC_PONG);
    assert_reads(c, 1, 0);
    server_answer(srv, call);
    caller_join(&a);
    g_assert_true(a.ok);
    g_clear_pointer(&c, rpc_client_unref);
    server_free(srv);
}

/* Keepalive 1 s x 1 during a call the server answers only after two PINGs: the
 * PONGs the caller reads keep the connection alive (unread, it would be declared
 * dead two seconds in, before the second PING). */
static void test_reader_keepalive_long_call(void)
{
    int fd;
    FakeServer *srv = server_new(behave_hold, &fd);
    g_autoptr(RpcClient) c = rpc_client_new_fd(fd, NULL);
    RpcMessage *call;
    int pings = 0;
    Caller a;

    rpc_client_start_keepalive(c, 1, 1);
    caller_start(&a, c, "d5");
    call = server_next_call(srv);
    while (pings < 2) {
        g_autofree RpcHeader *h = server_next_seen(srv);

        pings += h->prog == KEEPALIVE_PROGRAM && h->proc == KEEPALIVE_PROC_PING;
    }
    server_answer(srv, call);
    caller_join(&a);
    g_assert_true(a.ok);
    g_assert_true(rpc_client_is_open(c));
    g_clear_pointer(&c, rpc_client_unref);
    server_free(srv);
}
/* LOOKUP_BY_NAME "e<N>": N lifecycle events (detail 0..N-1) before the reply. */
static void behave_events(FakeServer *srv, RpcMessage *msg)
{
    remote_domain_lookup_by_name_args args = { 0 };
    const RpcPayloadType *t = rpc_message_payload_type(&msg->header, NULL);
    int n;

    if (msg->header.prog != REMOTE_PROGRAM || msg->header.proc != LOOKUP_PROC) {
        behave_normal(srv, msg);
        return;
    }
    g_assert_true(rpc_payload_decode(t, msg->payload, &args, NULL));
    n = (int)g_ascii_strtoll(args.name + 1, NULL, 10);
    for (int i = 0; i < n; i++) {
        remote_domain_event_callback_lifecycle_msg ev = {
            .callbackID = 7,
            .msg = { .dom = { .name = args.name, .id = 1 }, .event = 2, .detail = i },
        };

        server_send(srv, rpc_message_encode_event(REMOTE_PROGRAM,
                                                  REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE, 1,
                                                  &ev, NULL));
    }
    {
        remote_domain_lookup_by_name_ret ret = { .dom = { .name = args.name, .id = n } };

        server_send(srv, rpc_message_encode_reply(&msg->header, &ret, NULL));
    }
    rpc_payload_clear(t, &args);
    rpc_message_free(msg);
}

typedef struct EventOrder {
    GMutex lock;
    GCond cond;
    int count;
    int next_detail; /* each call's events come in order 0..N-1 */
    int n;
    GThread *thread; /* where the handler ran */
    bool one_thread;
} EventOrder;

static void on_event_order(RpcClient *client, const RpcMessage *msg, gpointer data)
{
    EventOrder *eo = data;
    remote_domain_event_callback_lifecycle_msg ev = { 0 };
    const RpcPayloadType *t = rpc_message_payload_type(&msg->header, NULL);

    g_assert_true(rpc_payload_decode(t, msg->payload, &ev, NULL));
    g_mutex_lock(&eo->lock);
    g_assert_cmpint(ev.msg.detail, ==, eo->next_detail);
    eo->next_detail = (eo->next_detail + 1) % eo->n;
    if (!eo->thread)
        eo->thread = g_thread_self();
    eo->one_thread &= eo->thread == g_thread_self();
    eo->count++;
    g_cond_broadcast(&eo->cond);
    g_mutex_unlock(&eo->lock);
    rpc_payload_clear(t, &ev);
}

#define EVENT_THREADS 4
#define EVENT_CALLS 25
#define EVENTS_PER_CALL 5

static gpointer event_caller_thread(gpointer data)
{
    RpcClient *c = data;
    remote_domain_lookup_by_name_args args = { .name = (char *)"e5" };

    for (int i = 0; i < EVENT_CALLS; i++) {
        remote_domain_lookup_by_name_ret ret = { 0 };

        g_assert_true(rpc_client_call(c, REMOTE_PROGRAM, LOOKUP_PROC, &args, &ret, NULL));
        g_assert_cmpint(ret.dom.id, ==, EVENTS_PER_CALL);
        rpc_payload_clear(lookup_ret_type(), &ret);
    }
    return NULL;
}

/* Events arriving while four threads make calls (each reply comes after five events)
 * reach the handler on the connection thread, none on a caller's, all of them, and
 * in the order they were sent whichever thread read them. */
static void test_reader_events(void)
{
    int fd;
    FakeServer *srv = server_new(behave_events, &fd);
    g_autoptr(RpcClient) c = rpc_client_new_fd(fd, NULL);
    EventOrder eo = { .n = EVENTS_PER_CALL, .one_thread = true };
    GThread *threads[EVENT_THREADS];
    gint64 end = g_get_monotonic_time() + WAIT_USEC;
    RpcClientReadStats stats;

    rpc_client_set_event_handler(c, on_event_order, &eo, NULL);
    for (int i = 0; i < EVENT_THREADS; i++)
        threads[i] = g_thread_new("event-caller", event_caller_thread, c);
    g_mutex_lock(&eo.lock);
    while (eo.count < EVENT_THREADS * EVENT_CALLS * EVENTS_PER_CALL)
        g_assert_true(g_cond_wait_until(&eo.cond, &eo.lock, end));
    g_mutex_unlock(&eo.lock);
    for (int i = 0; i < EVENT_THREADS; i++) {
        g_assert_true(eo.thread != threads[i]);
        g_thread_join(threads[i]);
    }
    g_assert_true(eo.one_thread);
    g_assert_true(eo.thread != g_thread_self());
    g_assert_cmpint(eo.count, ==, EVENT_THREADS * EVENT_CALLS * EVENTS_PER_CALL);
    rpc_client_get_read_stats(c, &stats);
    g_assert_cmpuint(stats.by_callers + stats.by_connection_thread, ==,
                     EVENT_THREADS * EVENT_CALLS * (EVENTS_PER_CALL + 1));
    g_assert_cmpuint(stats.by_callers, >=, EVENT_THREADS * EVENT_CALLS);
    g_clear_pointer(&c, rpc_client_unref);
    server_free(srv);
}

typedef struct LockedStream {
    GMutex lock;
    GCond cond;
    StreamSeen seen;
} LockedStream;

static void on_stream_locked(RpcClientStream *stream, const void *data, size_t len, bool eof,
                             const GError *error, gpointer user_data)
{
    LockedStream *ls = user_data;

    g_mutex_lock(&ls->lock);
    on_stream(stream, data, len, eof, error, &ls->seen);
    g_cond_broadcast(&ls->cond);
    g_mutex_unlock(&ls->lock);
}

static void locked_stream_wait(LockedStream *ls, bool (*done)(StreamSeen *))
{
    gint64 end = g_get_monotonic_time() + WAIT_USEC;

    g_mutex_lock(&ls->lock);
    while (!done(&ls->seen))
        g_assert_true(g_cond_wait_until(&ls->cond, &ls->lock, end));
    g_mutex_unlock(&ls->lock);
}

/* A stream whose handler runs on the connection thread: the data that came with the
 * opening call's reply (read by the caller) and the echo (read by the connection
 * thread) arrive in order, then the end. */
static void test_reader_stream_in_order(void)
{
    int fd;
    FakeServer *srv = server_new(behave_normal, &fd);
    g_autoptr(RpcClient) c = rpc_client_new_fd(fd, NULL);
    remote_domain_open_console_args args = { .dom = { .name = (char *)"web1" } };
    LockedStream ls = { .seen = { g_string_new(NULL), false, 0 } };
    RpcClientStream *stream;

    stream = rpc_client_call_stream(c, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_OPEN_CONSOLE, &args, NULL,
                                    on_stream_locked, &ls, NULL, NULL);
    g_assert_nonnull(stream);
    locked_stream_wait(&ls, got_greeting);
    g_assert_true(rpc_client_stream_send(stream, "ping!", 5, NULL));
    locked_stream_wait(&ls, got_echo);
    g_assert_true(rpc_client_stream_finish(stream, NULL));
    locked_stream_wait(&ls, got_eof);
    g_assert_cmpint(ls.seen.errors, ==, 0);
    rpc_client_stream_free(stream);
    g_string_free(ls.seen.data, TRUE);
    g_clear_pointer(&c, rpc_client_unref);
    server_free(srv);
}

/* The socket's descriptor above every one the connection's main context has: GLib
 * keeps its poll set sorted by descriptor (and asserts so), so the connection thread
 * must not renumber its entry while a caller holds the reader role. */
static void test_reader_high_fd(void)
{
    int fd;
    FakeServer *srv = server_new(behave_normal, &fd);
    int high = fcntl(fd, F_DUPFD_CLOEXEC, 900);
    g_autoptr(RpcClient) c = NULL;

    g_assert_cmpint(high, >=, 900);
    close(fd);
    c = rpc_client_new_fd(high, NULL);
    for (int i = 0; i < 50; i++) {
        remote_connect_get_hostname_ret ret = { 0 };

        g_assert_true(
            rpc_client_call(c, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME, NULL, &ret, NULL));
        rpc_payload_clear(&rpc_proc_lookup(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME)->ret,
                          &ret);
    }
    /* and the connection thread still reads once no call waits */
    server_send(srv, rpc_keepalive_encode(RPC_KEEPALIVE_SEND_PING));
    for (;;) {
        g_autofree RpcHeader *h = server_next_seen(srv);

        if (h->prog == KEEPALIVE_PROGRAM) {
            g_assert_cmpint(h->proc, ==, KEEPALIVE_PROC_PONG);
            break;
        }
    }
    assert_reads(c, 50, 1);
    g_clear_pointer(&c, rpc_client_unref);
    server_free(srv);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/client/call", test_call);
    g_test_add_func("/rpc/client/call-error", test_call_error);
    g_test_add_func("/rpc/client/overlapping-calls", test_overlapping_calls);
    g_test_add_func("/rpc/client/events", test_events);
    g_test_add_func("/rpc/client/keepalive-pong", test_keepalive_pong);
    g_test_add_func("/rpc/client/keepalive-dead", test_keepalive_dead);
    g_test_add_func("/rpc/client/server-eof", test_server_eof);
    g_test_add_func("/rpc/client/server-garbage", test_server_garbage);
    g_test_add_func("/rpc/client/client-close", test_client_close);
    g_test_add_func("/rpc/client/unix", test_unix);
    g_test_add_func("/rpc/client/stream", test_stream);
    g_test_add_func("/rpc/client/handshake", test_handshake);
    g_test_add_func("/rpc/client/unref-on-connection-thread", test_unref_on_connection_thread);
    g_test_add_func("/rpc/client/call-with-fds", test_call_with_fds);
    g_test_add_func("/rpc/client/reply-fds-closed", test_reply_fds_closed);
    g_test_add_func("/rpc/client/fds-refused", test_fds_refused);
    g_test_add_func("/rpc/client/reader/shared", test_reader_shared);
    g_test_add_func("/rpc/client/reader/handover", test_reader_handover);
    g_test_add_func("/rpc/client/reader/eof", test_reader_eof);
    g_test_add_func("/rpc/client/reader/keepalive-pong", test_reader_keepalive_pong);
    g_test_add_func("/rpc/client/reader/keepalive-long-call", test_reader_keepalive_long_call);
    g_test_add_func("/rpc/client/reader/events", test_reader_events);
    g_test_add_func("/rpc/client/reader/stream-in-order", test_reader_stream_in_order);
    g_test_add_func("/rpc/client/reader/high-fd", test_reader_high_fd);
    return g_test_run();
}
