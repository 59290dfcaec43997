/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libclient's legacy event registrations (tier: scripted fake server). A server
 * without domain event callbacks (feature 14 not offered, or 316 answered
 * NO_SUPPORT, as daemons older than libvirt 1.3.3 do) gets one 105 or 167
 * registration per event id, sends untagged 107 lifecycle messages for every
 * domain, and the client filters them by domain and fans them out itself. The
 * server here is a thread in this test speaking the wire protocol, so it can refuse
 * what virtkit's daemons accept and log which procedures the client used.
 */

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>

#include "client-priv.h"
#include "event-log.h"
#include "rpc/message.h"
#include "rpc/remote-protocol.h"
#include "rpc/wire-error.h"
#include "util/error.h"

#define WAIT_MS 20000

typedef struct FakeServer {
    char *dir;
    char *path;
    char *uri;
    int listen_fd;
    int conn_fd;
    int stop[2];          /* a byte here ends the thread */
    bool offer_callbacks; /* feature 14; 316 is refused either way */
    GThread *thread;
    GMutex lock;  /* @log and writes to @conn_fd */
    GString *log; /* event procedures received: "316 167:0 168:0 " */
} FakeServer;

static void server_send(FakeServer *fs, GBytes *packet)
{
    gsize len = 0;
    const uint8_t *p = g_bytes_get_data(packet, &len);

    g_mutex_lock(&fs->lock);
    while (len > 0) {
        ssize_t n = send(fs->conn_fd, p, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* the client went: nothing left to tell it */
        p += n;
        len -= (size_t)n;
    }
    g_mutex_unlock(&fs->lock);
    g_bytes_unref(packet);
}

static void server_log(FakeServer *fs, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void server_log(FakeServer *fs, const char *fmt, ...)
{
    va_list ap;

    g_mutex_lock(&fs->lock);
    va_start(ap, fmt);
    g_string_append_vprintf(fs->log, fmt, ap);
    va_end(ap);
    g_mutex_unlock(&fs->lock);
}

static void server_reply(FakeServer *fs, const RpcHeader *h, const void *ret)
{
    GBytes *packet = rpc_message_encode_reply(h, ret, NULL);

    g_assert_nonnull(packet);
    server_send(fs, packet);
}

static void server_error(FakeServer *fs, const RpcHeader *h, int code, const char *message)
{
    g_autoptr(GError) error = g_error_new_literal(VIRT_RPC_ERROR, code, message);
    GBytes *packet = rpc_message_encode_error(h, error, NULL);

    g_assert_nonnull(packet);
    server_send(fs, packet);
}

/* Domains of the fake: any name exists, its UUID is the name's first bytes. */
static void fake_uuid(const char *name, char uuid[VIR_UUID_BUFLEN])
{
    memset(uuid, 0, VIR_UUID_BUFLEN);
    memcpy(uuid, name, MIN(strlen(name), (size_t)VIR_UUID_BUFLEN));
}

static bool server_handle_session(FakeServer *fs, const RpcHeader *h, const void *args)
{
    switch (h->proc) {
    case REMOTE_PROC_AUTH_LIST: {
        remote_auth_type none = REMOTE_AUTH_NONE;
        remote_auth_list_ret ret = { { 1, &none } };

        server_reply(fs, h, &ret);
        return true;
    }
    case REMOTE_PROC_CONNECT_SUPPORTS_FEATURE: {
        const remote_connect_supports_feature_args *a = args;
        remote_connect_supports_feature_ret ret = { a->feature == 14 && fs->offer_callbacks };

        server_reply(fs, h, &ret);
        return true;
    }
    case REMOTE_PROC_CONNECT_OPEN:
    case REMOTE_PROC_CONNECT_CLOSE:
        server_reply(fs, h, NULL);
        return true;
    case REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME: {
        const remote_domain_lookup_by_name_args *a = args;
        remote_domain_lookup_by_name_ret ret = { { a->name, { 0 }, -1 } };

        fake_uuid(a->name, ret.dom.uuid);
        server_reply(fs, h, &ret);
        return true;
    }
    default:
        return false;
    }
}

static bool server_handle_events(FakeServer *fs, const RpcHeader *h, const void *args)
{
    switch (h->proc) {
    case REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY:
        server_log(fs, "316 ");
        server_error(fs, h, VIRT_ERR_NO_SUPPORT,
                     "this function is not supported by the connection driver: "
                     "virConnectDomainEventCallbackRegisterAny");
        return true;
    case REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER:
    case REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER: {
        remote_connect_domain_event_register_ret ret = {
            h->proc == REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER
        };

        server_log(fs, "%d ", h->proc);
        server_reply(fs, h, &ret);
        return true;
    }
    case REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY:
    case REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY: {
        int event_id = ((const remote_connect_domain_event_register_any_args *)args)->eventID;

        server_log(fs, "%d:%d ", h->proc, event_id);
        if (event_id != 0)
            server_error(fs, h, VIRT_ERR_INVALID_ARG, "unsupported event ID");
        else
            server_reply(fs, h, NULL);
        return true;
    }
    default:
        return false;
    }
}

static void server_handle(FakeServer *fs, RpcMessage *msg)
{
    const RpcHeader *h = &msg->header;
    const RpcProcInfo *info = rpc_proc_lookup(h->prog, h->proc);
    g_autofree void *args = NULL;

    if (h->type != RPC_MESSAGE_CALL || h->prog != REMOTE_PROGRAM || !info)
        return; /* keepalive and anything else: not part of this script */
    args = g_malloc0(MAX(info->args.size, sizeof(int)));
    g_assert_true(rpc_payload_decode(&info->args, msg->payload, args, NULL));
    if (!server_handle_session(fs, h, args) && !server_handle_events(fs, h, args))
        server_error(fs, h, VIRT_ERR_NO_SUPPORT,
                     "this function is not supported by the connection driver");
    rpc_payload_clear(&info->args, args);
}

static gpointer server_thread(gpointer data)
{
    FakeServer *fs = data;
    g_autoptr(RpcDecoder) decoder = rpc_decoder_new();
    struct pollfd pfd[2] = { { fs->listen_fd, POLLIN, 0 }, { fs->stop[0], POLLIN, 0 } };

    for (;;) {
        uint8_t buf[4096];
        ssize_t n;
        RpcMessage *msg;

        if (poll(pfd, 2, -1) < 0 && errno != EINTR)
            break;
        if (pfd[1].revents)
            break;
        if (pfd[0].revents && fs->conn_fd < 0) {
            /* one client at a time: read it until it goes */
            fs->conn_fd = accept(fs->listen_fd, NULL, NULL);
            g_assert_cmpint(fs->conn_fd, >=, 0);
            pfd[0].fd = fs->conn_fd;
            continue;
        }
        if (!pfd[0].revents)
            continue;
        n = recv(fs->conn_fd, buf, sizeof(buf), 0);
        if (n <= 0) {
            g_mutex_lock(&fs->lock);
            close(fs->conn_fd);
            fs->conn_fd = -1;
            g_mutex_unlock(&fs->lock);
            rpc_decoder_free(decoder);
            decoder = rpc_decoder_new();
            pfd[0].fd = fs->listen_fd;
            continue;
        }
        g_assert_true(rpc_decoder_feed(decoder, buf, (size_t)n, NULL));
        while ((msg = rpc_decoder_pop(decoder))) {
            server_handle(fs, msg);
            rpc_message_free(msg);
        }
    }
    return NULL;
}

static FakeServer *server_start(bool offer_callbacks)
{
    FakeServer *fs = g_new0(FakeServer, 1);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };

    fs->dir = g_dir_make_tmp("virtkit-legacy-events-XXXXXX", NULL);
    g_assert_nonnull(fs->dir);
    fs->path = g_build_filename(fs->dir, "sock", NULL);
    fs->uri = g_strdup_printf("test+unix:///default?socket=%s", fs->path);
    fs->offer_callbacks = offer_callbacks;
    fs->conn_fd = -1;
    fs->log = g_string_new(NULL);
    g_mutex_init(&fs->lock);
    g_assert_cmpint(pipe(fs->stop), ==, 0);
    fs->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(fs->listen_fd, >=, 0);
    g_strlcpy(addr.sun_path, fs->path, sizeof(addr.sun_path));
    g_assert_cmpint(bind(fs->listen_fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(fs->listen_fd, 4), ==, 0);
    fs->thread = g_thread_new("fake-server", server_thread, fs);
    return fs;
}

static void server_stop(FakeServer *fs)
{
    g_assert_cmpint(write(fs->stop[1], "x", 1), ==, 1);
    g_thread_join(fs->thread);
    if (fs->conn_fd >= 0)
        close(fs->conn_fd);
    close(fs->listen_fd);
    close(fs->stop[0]);
    close(fs->stop[1]);
    (void)unlink(fs->path);
    (void)rmdir(fs->dir);
    g_string_free(fs->log, TRUE);
    g_mutex_clear(&fs->lock);
    g_free(fs->uri);
    g_free(fs->path);
    g_free(fs->dir);
    g_free(fs);
}

/* What the client registered so far; cleared. */
static char *server_take_log(FakeServer *fs)
{
    char *text;

    g_mutex_lock(&fs->lock);
    text = g_strdup(fs->log->str);
    g_string_truncate(fs->log, 0);
    g_mutex_unlock(&fs->lock);
    return text;
}

/* An untagged lifecycle event (107), as a server with legacy registrations sends. */
static void server_send_lifecycle(FakeServer *fs, const char *name, int event, int detail)
{
    remote_domain_event_lifecycle_msg msg = { { (char *)name, { 0 }, 1 }, event, detail };
    GBytes *packet;

    fake_uuid(name, msg.dom.uuid);
    packet =
        rpc_message_encode_event(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE, 1, &msg, NULL);
    g_assert_nonnull(packet);
    server_send(fs, packet);
}

/* ---- the client side ---- */

static void assert_log(FakeServer *fs, const char *expected)
{
    g_autofree char *got = server_take_log(fs);

    g_assert_cmpstr(got, ==, expected);
}

/*
 * Three callbacks share one legacy registration: RegisterAny for every domain, the
 * legacy Register, RegisterAny filtered to one domain. Untagged events reach each
 * callback once, the filtered one only for its domain; the server registration goes
 * with the last callback.
 */
static void check_fan_out(bool offer_callbacks, const char *first_register)
{
    FakeServer *fs = server_start(offer_callbacks);
    virConnectPtr conn = virConnectOpen(fs->uri);
    EventLog all = { .text = g_string_new(NULL) };
    EventLog legacy = { .text = g_string_new(NULL) };
    EventLog filtered = { .text = g_string_new(NULL) };
    virDomainPtr dom_a;
    int timer = virEventAddTimeout(100, event_log_noop_timer, NULL, NULL);
    int id_all;
    int id_filtered;

    g_assert_nonnull(conn);
    g_assert_cmpint(timer, >, 0);
    dom_a = virDomainLookupByName(conn, "dom-a");
    g_assert_nonnull(dom_a);
    id_all = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIR_DOMAIN_EVENT_CALLBACK(event_log_on_lifecycle),
                                              &all, event_log_on_free);
    g_assert_cmpint(id_all, >=, 0);
    assert_log(fs, first_register);
    g_assert_cmpint(virConnectDomainEventRegister(conn, event_log_on_lifecycle_other, &legacy,
                                                  event_log_on_free),
                    ==, 0);
    id_filtered = virConnectDomainEventRegisterAny(
        conn, dom_a, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
        VIR_DOMAIN_EVENT_CALLBACK(event_log_on_lifecycle), &filtered, event_log_on_free);
    g_assert_cmpint(id_filtered, >, id_all);
    assert_log(fs, ""); /* shared: nothing more asked of the server */

    server_send_lifecycle(fs, "dom-a", 2, 0); /* STARTED */
    server_send_lifecycle(fs, "dom-b", 3, 1); /* SUSPENDED */
    event_log_run_until(&all, 2, WAIT_MS);
    event_log_run_until(&legacy, 2, WAIT_MS);
    event_log_run_until(&filtered, 1, WAIT_MS);
    g_assert_cmpstr(all.text->str, ==, "dom-a:2/0 dom-b:3/1 ");
    g_assert_cmpstr(legacy.text->str, ==, all.text->str);
    g_assert_cmpstr(filtered.text->str, ==, "dom-a:2/0 ");

    g_assert_cmpint(virConnectDomainEventDeregisterAny(conn, id_filtered), ==, 0);
    g_assert_cmpint(virConnectDomainEventDeregister(conn, event_log_on_lifecycle_other), ==, 0);
    assert_log(fs, "");
    g_assert_cmpint(virConnectDomainEventDeregisterAny(conn, id_all), ==, 0);
    assert_log(fs, "168:0 ");
    g_assert_cmpint(all.freed + legacy.freed + filtered.freed, ==, 3);

    virDomainFree(dom_a);
    g_assert_cmpint(virEventRemoveTimeout(timer), ==, 0);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    g_string_free(all.text, TRUE);
    g_string_free(legacy.text, TRUE);
    g_string_free(filtered.text, TRUE);
    server_stop(fs);
}

/* Feature 14 not offered: the client goes straight to 167. */
static void test_no_callback_feature(void)
{
    check_fan_out(false, "167:0 ");
}

/* Feature 14 offered but 316 refused: one try, then 167, and no second 316 later. */
static void test_callback_refused(void)
{
    check_fan_out(true, "316 167:0 ");
}

/* The legacy API first: 105, and 106 when its last callback goes. */
static void test_legacy_api_first(void)
{
    FakeServer *fs = server_start(false);
    virConnectPtr conn = virConnectOpen(fs->uri);
    EventLog legacy = { .text = g_string_new(NULL) };
    int timer = virEventAddTimeout(100, event_log_noop_timer, NULL, NULL);

    g_assert_nonnull(conn);
    g_assert_cmpint(
        virConnectDomainEventRegister(conn, event_log_on_lifecycle, &legacy, event_log_on_free), ==,
        0);
    assert_log(fs, "105 ");
    server_send_lifecycle(fs, "dom-c", 0, 0); /* DEFINED */
    event_log_run_until(&legacy, 1, WAIT_MS);
    g_assert_cmpstr(legacy.text->str, ==, "dom-c:0/0 ");
    g_assert_cmpint(virConnectDomainEventDeregister(conn, event_log_on_lifecycle), ==, 0);
    assert_log(fs, "106 ");
    g_assert_cmpint(legacy.freed, ==, 1);
    g_assert_cmpint(virEventRemoveTimeout(timer), ==, 0);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    g_string_free(legacy.text, TRUE);
    server_stop(fs);
}

/* The server's refusal of a legacy registration reaches the caller as sent. */
static void test_legacy_refused(void)
{
    FakeServer *fs = server_start(true);
    virConnectPtr conn = virConnectOpen(fs->uri);
    EventLog log = { .text = g_string_new(NULL) };

    g_assert_nonnull(conn);
    g_assert_cmpint(virConnectDomainEventRegisterAny(
                        conn, NULL, VIR_DOMAIN_EVENT_ID_REBOOT,
                        VIR_DOMAIN_EVENT_CALLBACK(event_log_on_lifecycle), &log, event_log_on_free),
                    ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_ARG);
    assert_log(fs, "316 167:1 ");
    g_assert_cmpint(log.freed, ==, 0); /* never registered: not freed either */
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    g_string_free(log.text, TRUE);
    server_stop(fs);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_assert_cmpint(virEventRegisterDefaultImpl(), ==, 0);
    g_setenv("LIBVIRT_AUTOSTART", "0", TRUE);

    g_test_add_func("/client/legacy-events/no-callback-feature", test_no_callback_feature);
    g_test_add_func("/client/legacy-events/callback-refused", test_callback_refused);
    g_test_add_func("/client/legacy-events/legacy-api-first", test_legacy_api_first);
    g_test_add_func("/client/legacy-events/legacy-refused", test_legacy_refused);
    return g_test_run();
}
