/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Dispatch over real sockets against a forked daemon hosting the fake driver: the
 * handshake virsh performs, read-only denial, NO_SUPPORT, bad programs and payloads,
 * the in-flight limit with keepalive still answered, events and legacy lists.
 */

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake-driver.h"
#include "rpc/remote-protocol.h"
#include "rpc/wire-error.h"
#include "test-harness.h"
#include "util/error.h"

static uint32_t serial;

#define CALL(fd, proc, args, ret) test_call((fd), REMOTE_PROGRAM, (proc), serial++, (args), (ret))

static void assert_ok(GError *error)
{
    g_assert_no_error(error);
}

static void assert_code(GError *error, int code)
{
    g_assert_nonnull(error);
    g_assert_cmpint(error->code, ==, code);
    g_error_free(error);
}

static void open_conn(int fd, const char *uri, unsigned int flags)
{
    remote_auth_list_ret auth = { { 0 } };
    remote_connect_supports_feature_args feat = { 10 };
    remote_connect_supports_feature_ret sup = { 0 };
    char *name = (char *)uri;
    remote_connect_open_args open = { uri ? &name : NULL, flags };

    assert_ok(CALL(fd, REMOTE_PROC_AUTH_LIST, NULL, &auth));
    g_assert_cmpuint(auth.types.types_len, ==, 1);
    g_assert_cmpint(auth.types.types_val[0], ==, REMOTE_AUTH_NONE);
    xdr_free((xdrproc_t)xdr_remote_auth_list_ret, &auth);
    assert_ok(CALL(fd, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, &feat, &sup));
    g_assert_cmpint(sup.supported, ==, 1);
    assert_ok(CALL(fd, REMOTE_PROC_CONNECT_OPEN, &open, NULL));
}

static TestDaemon *start(const char *conf)
{
    return test_daemon_start_with_config(&fake_driver_ops, &fake_driver_info,
                                         conf ? conf : "[daemon]\n");
}

static void stop(TestDaemon *td)
{
    g_assert_cmpint(test_daemon_stop(td), ==, 0);
    test_daemon_free(td);
}

static void test_handshake(void)
{
    TestDaemon *td = start(NULL);
    int fd = test_connect(td->sock_rw);
    remote_connect_supports_feature_args feat = { 0 };
    remote_connect_supports_feature_ret sup = { 0 };
    remote_connect_get_type_ret type = { 0 };
    remote_connect_get_hostname_ret host = { 0 };
    remote_connect_get_uri_ret uri = { 0 };

    open_conn(fd, "fake:///default", 0);
    for (int f = 0; f < 20; f++) {
        feat.feature = f;
        assert_ok(CALL(fd, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, &feat, &sup));
        g_assert_cmpint(sup.supported, ==, f == 8 || f == 10 || f == 14 || f == 15);
    }
    assert_ok(CALL(fd, REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK, NULL, NULL));
    assert_ok(CALL(fd, REMOTE_PROC_CONNECT_GET_TYPE, NULL, &type));
    g_assert_cmpstr(type.type, ==, "FAKE");
    assert_ok(CALL(fd, REMOTE_PROC_CONNECT_GET_HOSTNAME, NULL, &host));
    g_assert_cmpstr(host.hostname, ==, "fakehost");
    assert_ok(CALL(fd, REMOTE_PROC_CONNECT_GET_URI, NULL, &uri));
    g_assert_cmpstr(uri.uri, ==, "fake:///default");
    assert_ok(CALL(fd, REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK, NULL, NULL));
    /* CONNECT_CLOSE: the reply comes, then the socket closes */
    assert_ok(CALL(fd, REMOTE_PROC_CONNECT_CLOSE, NULL, NULL));
    g_assert_true(test_wait_eof(fd, 10000));
    close(fd);
    xdr_free((xdrproc_t)xdr_remote_connect_get_type_ret, &type);
    xdr_free((xdrproc_t)xdr_remote_connect_get_hostname_ret, &host);
    xdr_free((xdrproc_t)xdr_remote_connect_get_uri_ret, &uri);
    stop(td);
}

static void test_open_errors(void)
{
    TestDaemon *td = start(NULL);
    int fd = test_connect(td->sock_rw);
    char *bad = (char *)"qemu:///system";
    char *good = (char *)"fake:///default";
    remote_connect_open_args open = { &bad, 0 };
    remote_connect_get_uri_ret uri = { 0 };

    /* before CONNECT_OPEN only the handshake procedures work */
    assert_code(CALL(fd, REMOTE_PROC_CONNECT_GET_HOSTNAME, NULL, NULL), VIRT_ERR_INTERNAL_ERROR);
    assert_code(CALL(fd, REMOTE_PROC_CONNECT_OPEN, &open, NULL), VIRT_ERR_NO_CONNECT);
    open.name = &good;
    assert_ok(CALL(fd, REMOTE_PROC_CONNECT_OPEN, &open, NULL));
    assert_code(CALL(fd, REMOTE_PROC_CONNECT_OPEN, &open, NULL), VIRT_ERR_INTERNAL_ERROR);
    close(fd);

    /* an empty name opens the driver's default */
    fd = test_connect(td->sock_rw);
    open_conn(fd, "", 0);
    assert_ok(CALL(fd, REMOTE_PROC_CONNECT_GET_URI, NULL, &uri));
    g_assert_cmpstr(uri.uri, ==, "fake:///default");
    xdr_free((xdrproc_t)xdr_remote_connect_get_uri_ret, &uri);
    close(fd);
    stop(td);
}

static void test_readonly(void)
{
    TestDaemon *td = start(NULL);
    int ro = test_connect(td->sock_ro);
    int rw = test_connect(td->sock_rw);
    remote_domain_define_xml_args def = { (char *)"<domain><name>d1</name></domain>" };
    remote_connect_list_all_domains_args list = { 1, 0 };
    remote_connect_list_all_domains_ret all = { { 0 } };

    open_conn(ro, "fake:///default", 0);
    assert_code(CALL(ro, REMOTE_PROC_DOMAIN_DEFINE_XML, &def, NULL), VIRT_ERR_OPERATION_DENIED);
    assert_ok(CALL(ro, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS, &list, &all));
    xdr_free((xdrproc_t)xdr_remote_connect_list_all_domains_ret, &all);
    /* VIR_CONNECT_RO on the rw socket */
    open_conn(rw, "fake:///default", 1);
    assert_code(CALL(rw, REMOTE_PROC_DOMAIN_DEFINE_XML, &def, NULL), VIRT_ERR_OPERATION_DENIED);
    assert_ok(CALL(rw, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS, &list, &all));
    g_assert_cmpuint(all.ret, ==, 0);
    xdr_free((xdrproc_t)xdr_remote_connect_list_all_domains_ret, &all);
    close(ro);
    close(rw);
    stop(td);
}

static void send_raw_call(int fd, uint32_t prog, uint32_t vers, int proc, const void *payload,
                          size_t len)
{
    RpcHeader h = { prog, vers, proc, RPC_MESSAGE_CALL, serial++, RPC_STATUS_OK };
    g_autoptr(GBytes) packet = rpc_message_encode(&h, 0, payload, len, NULL);
    gsize n = 0;
    const void *data = g_bytes_get_data(packet, &n);

    test_send_raw(fd, data, n);
}

static GError *recv_error(int fd)
{
    g_autoptr(RpcMessage) msg = test_recv_message(fd, 10000);

    g_assert_nonnull(msg);
    g_assert_cmpint(msg->header.type, ==, RPC_MESSAGE_REPLY);
    g_assert_cmpint(msg->header.status, ==, RPC_STATUS_ERROR);
    return rpc_message_decode_error(msg);
}

static void test_bad_calls(void)
{
    TestDaemon *td = start(NULL);
    int fd = test_connect(td->sock_rw);
    remote_connect_get_type_ret type = { 0 };
    const uint8_t garbage[] = { 0x7f, 0xff, 0xff, 0xff, 1, 2, 3 };

    open_conn(fd, "fake:///default", 0);
    /* in the schema but not implemented, and not in the schema at all */
    remote_domain_snapshot_num_args snap_num = { .dom = { .name = (char *)"x", .id = -1 } };

    assert_code(CALL(fd, REMOTE_PROC_DOMAIN_SNAPSHOT_NUM, &snap_num, NULL), VIRT_ERR_NO_SUPPORT);
    send_raw_call(fd, REMOTE_PROGRAM, 1, 9999, NULL, 0);
    assert_code(recv_error(fd), VIRT_ERR_NO_SUPPORT);
    /* unknown program / version */
    send_raw_call(fd, 0x12345678, 1, 1, NULL, 0);
    assert_code(recv_error(fd), VIRT_ERR_RPC);
    send_raw_call(fd, REMOTE_PROGRAM, 7, 1, NULL, 0);
    assert_code(recv_error(fd), VIRT_ERR_RPC);
    /* the admin program is not served on the main socket */
    send_raw_call(fd, ADMIN_PROGRAM, 1, 1, NULL, 0);
    assert_code(recv_error(fd), VIRT_ERR_RPC);
    /* a payload that does not decode */
    send_raw_call(fd, REMOTE_PROGRAM, 1, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, garbage,
                  sizeof(garbage));
    assert_code(recv_error(fd), VIRT_ERR_RPC);
    /* the connection still works */
    assert_ok(CALL(fd, REMOTE_PROC_CONNECT_GET_TYPE, NULL, &type));
    xdr_free((xdrproc_t)xdr_remote_connect_get_type_ret, &type);
    close(fd);
    stop(td);
}

static void test_inflight_keepalive(void)
{
    TestDaemon *td;
    int pipefd[2];
    int fd;
    char *block = (char *)"block";
    remote_domain_lookup_by_name_args args = { block };
    RpcHeader ping = { KEEPALIVE_PROGRAM,   1, KEEPALIVE_PROC_PING,
                       RPC_MESSAGE_MESSAGE, 0, RPC_STATUS_OK };
    g_autoptr(GBytes) ping_packet = rpc_message_encode(&ping, 0, NULL, 0, NULL);
    int replies = 0;

    g_assert_cmpint(pipe(pipefd), ==, 0);
    fake_driver_block_fd = pipefd[0];
    td = start("[daemon]\nmax_client_requests = 2\nmax_workers = 4\n");
    close(pipefd[0]);
    fake_driver_block_fd = -1;
    fd = test_connect(td->sock_rw);
    open_conn(fd, "fake:///default", 0);
    /* three blocking calls: two run, one waits; then a PING must still get its PONG */
    for (int i = 0; i < 3; i++) {
        g_autoptr(GBytes) call = rpc_message_encode_call(
            REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, 1000 + i, &args, NULL);
        gsize n = 0;
        const void *data = g_bytes_get_data(call, &n);

        test_send_raw(fd, data, n);
    }
    test_send_raw(fd, g_bytes_get_data(ping_packet, NULL), g_bytes_get_size(ping_packet));
    {
        g_autoptr(RpcMessage) pong = test_recv_message(fd, 10000);

        g_assert_nonnull(pong);
        g_assert_cmphex(pong->header.prog, ==, KEEPALIVE_PROGRAM);
        g_assert_cmpint(pong->header.proc, ==, KEEPALIVE_PROC_PONG);
    }
    /* release: every call is answered (no such domain) */
    g_assert_cmpint(write(pipefd[1], "xyz", 3), ==, 3);
    close(pipefd[1]);
    while (replies < 3) {
        g_autoptr(RpcMessage) msg = test_recv_message(fd, 10000);

        g_assert_nonnull(msg);
        if (msg->header.type != RPC_MESSAGE_REPLY)
            continue;
        g_assert_cmpuint(msg->header.serial, >=, 1000);
        g_assert_cmpint(msg->header.status, ==, RPC_STATUS_ERROR);
        replies++;
    }
    close(fd);
    stop(td);
}

static void test_priority_pool(void)
{
    TestDaemon *td;
    int pipefd[2];
    int slow;
    int fast;
    char *nope = (char *)"nope";
    remote_domain_lookup_by_name_args lookup = { nope };
    remote_connect_get_capabilities_ret caps = { 0 };
    g_autoptr(GBytes) call = NULL;

    g_assert_cmpint(pipe(pipefd), ==, 0);
    fake_driver_block_fd = pipefd[0];
    td = start("[daemon]\nmax_workers = 1\n");
    close(pipefd[0]);
    fake_driver_block_fd = -1;
    slow = test_connect(td->sock_rw);
    fast = test_connect(td->sock_rw);
    open_conn(slow, "fake:///default", 0);
    open_conn(fast, "fake:///default", 0);
    /* a long job takes the only normal worker ... */
    call = rpc_message_encode_call(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_CAPABILITIES, 7000, NULL,
                                   NULL);
    test_send_raw(slow, g_bytes_get_data(call, NULL), g_bytes_get_size(call));
    /* ... and a high-priority lookup is still answered, by the priority pool */
    assert_code(CALL(fast, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, &lookup, NULL), VIRT_ERR_NO_DOMAIN);
    g_assert_cmpint(write(pipefd[1], "x", 1), ==, 1);
    close(pipefd[1]);
    {
        g_autoptr(RpcMessage) reply = test_recv_message(slow, 10000);

        g_assert_nonnull(reply);
        g_assert_cmpuint(reply->header.serial, ==, 7000);
        g_assert_cmpint(reply->header.status, ==, RPC_STATUS_OK);
    }
    xdr_free((xdrproc_t)xdr_remote_connect_get_capabilities_ret, &caps);
    close(slow);
    close(fast);
    stop(td);
}

static remote_domain_define_xml_ret define(int fd, const char *name)
{
    g_autofree char *xml = g_strdup_printf("<domain><name>%s</name></domain>", name);
    remote_domain_define_xml_args args = { xml };
    remote_domain_define_xml_ret ret = { { 0 } };

    assert_ok(CALL(fd, REMOTE_PROC_DOMAIN_DEFINE_XML, &args, &ret));
    return ret;
}

/* Wait for the next lifecycle event message; returns its proc. */
static int next_event(int fd, int *ret_cb, int *ret_event)
{
    for (;;) {
        g_autoptr(RpcMessage) msg = test_recv_message(fd, 10000);

        g_assert_nonnull(msg);
        if (msg->header.type != RPC_MESSAGE_MESSAGE || msg->header.prog != REMOTE_PROGRAM)
            continue;
        if (msg->header.proc == REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE) {
            remote_domain_event_callback_lifecycle_msg m = { 0 };

            g_assert_true(rpc_payload_decode(
                &rpc_proc_lookup(REMOTE_PROGRAM, msg->header.proc)->msg, msg->payload, &m, NULL));
            *ret_cb = m.callbackID;
            *ret_event = m.msg.event;
            xdr_free((xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg, &m);
        } else {
            remote_domain_event_lifecycle_msg m = { { 0 } };

            g_assert_cmpint(msg->header.proc, ==, REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE);
            g_assert_true(rpc_payload_decode(
                &rpc_proc_lookup(REMOTE_PROGRAM, msg->header.proc)->msg, msg->payload, &m, NULL));
            *ret_cb = -1;
            *ret_event = m.event;
            xdr_free((xdrproc_t)xdr_remote_domain_event_lifecycle_msg, &m);
        }
        return msg->header.proc;
    }
}

static void test_events(void)
{
    TestDaemon *td = start(NULL);
    int watcher = test_connect(td->sock_rw);
    int legacy = test_connect(td->sock_rw);
    int actor = test_connect(td->sock_rw);
    remote_connect_domain_event_callback_register_any_args reg = { 0, NULL };
    remote_connect_domain_event_callback_register_any_ret cb = { 0 };
    remote_connect_domain_event_register_ret legacy_ret = { 0 };
    remote_domain_define_xml_ret dom;
    remote_domain_create_args create;
    int id = 0;
    int event = 0;

    open_conn(watcher, "fake:///default", 0);
    open_conn(legacy, "fake:///default", 0);
    open_conn(actor, "fake:///default", 0);
    assert_ok(CALL(watcher, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, &reg, &cb));
    g_assert_cmpint(cb.callbackID, >, 0);
    assert_ok(CALL(legacy, REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER, NULL, &legacy_ret));
    g_assert_cmpint(legacy_ret.cb_registered, ==, 1);

    dom = define(actor, "ev1");
    create.dom = dom.dom;
    assert_ok(CALL(actor, REMOTE_PROC_DOMAIN_CREATE, &create, NULL));

    g_assert_cmpint(next_event(watcher, &id, &event), ==, 318);
    g_assert_cmpint(id, ==, cb.callbackID);
    g_assert_cmpint(event, ==, 0); /* DEFINED */
    g_assert_cmpint(next_event(watcher, &id, &event), ==, 318);
    g_assert_cmpint(event, ==, 2); /* STARTED */
    g_assert_cmpint(next_event(legacy, &id, &event), ==, 107);
    g_assert_cmpint(event, ==, 0);
    g_assert_cmpint(next_event(legacy, &id, &event), ==, 107);
    g_assert_cmpint(event, ==, 2);

    /* deregistered: no more events; unknown ids are refused */
    assert_ok(CALL(watcher, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
                   &(remote_connect_domain_event_callback_deregister_any_args){ cb.callbackID },
                   NULL));
    assert_code(CALL(watcher, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
                     &(remote_connect_domain_event_callback_deregister_any_args){ cb.callbackID },
                     NULL),
                VIRT_ERR_INVALID_ARG);
    xdr_free((xdrproc_t)xdr_remote_domain_define_xml_ret, &dom);
    close(watcher);
    close(legacy);
    close(actor);
    stop(td);
}

static void test_event_filters(void)
{
    TestDaemon *td = start(NULL);
    int filtered = test_connect(td->sock_rw);
    int any = test_connect(td->sock_rw);
    int gone = test_connect(td->sock_rw);
    int actor = test_connect(td->sock_rw);
    remote_domain_define_xml_ret a;
    remote_domain_define_xml_ret b;
    remote_connect_domain_event_callback_register_any_args reg = { 0, NULL };
    remote_connect_domain_event_callback_register_any_ret cb = { 0 };
    remote_connect_domain_event_register_any_args legacy_any = { 0 };
    int id = 0;
    int event = 0;

    open_conn(filtered, "fake:///default", 0);
    open_conn(any, "fake:///default", 0);
    open_conn(gone, "fake:///default", 0);
    open_conn(actor, "fake:///default", 0);
    a = define(actor, "fa");
    /* only events of domain "fa" */
    reg.dom = &a.dom;
    assert_ok(CALL(filtered, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, &reg, &cb));
    /* 167 for lifecycle: delivered as 107; twice is refused, bad ids too */
    assert_ok(CALL(any, REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY, &legacy_any, NULL));
    assert_code(CALL(any, REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY, &legacy_any, NULL),
                VIRT_ERR_INTERNAL_ERROR);
    legacy_any.eventID = 16;
    assert_code(CALL(any, REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY, &legacy_any, NULL),
                VIRT_ERR_INVALID_ARG);
    /* a client that registers and leaves must not disturb anybody */
    reg.dom = NULL;
    assert_ok(CALL(gone, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, &reg, &cb));
    close(gone);

    b = define(actor, "fb");
    assert_ok(CALL(actor, REMOTE_PROC_DOMAIN_CREATE, &(remote_domain_create_args){ a.dom }, NULL));
    /* the filtered watcher skips "fb"'s DEFINED: its first event is "fa" STARTED */
    g_assert_cmpint(next_event(filtered, &id, &event), ==, 318);
    g_assert_cmpint(event, ==, 2);
    g_assert_cmpint(next_event(any, &id, &event), ==, 107);
    g_assert_cmpint(event, ==, 0); /* fb DEFINED */
    g_assert_cmpint(next_event(any, &id, &event), ==, 107);
    g_assert_cmpint(event, ==, 2); /* fa STARTED */
    xdr_free((xdrproc_t)xdr_remote_domain_define_xml_ret, &a);
    xdr_free((xdrproc_t)xdr_remote_domain_define_xml_ret, &b);
    close(filtered);
    close(any);
    close(actor);
    stop(td);
}

static void test_lists(void)
{
    TestDaemon *td = start(NULL);
    int fd = test_connect(td->sock_rw);
    remote_domain_define_xml_ret a;
    remote_domain_define_xml_ret b;
    remote_connect_num_of_domains_ret num = { 0 };
    remote_connect_num_of_defined_domains_ret ndef = { 0 };
    remote_connect_list_domains_ret ids = { { 0 } };
    remote_connect_list_defined_domains_ret names = { { 0 } };
    remote_domain_lookup_by_name_args missing = { (char *)"nope" };
    GError *error;

    open_conn(fd, "fake:///default", 0);
    a = define(fd, "a");
    b = define(fd, "b");
    assert_ok(CALL(fd, REMOTE_PROC_DOMAIN_CREATE, &(remote_domain_create_args){ a.dom }, NULL));
    assert_ok(CALL(fd, REMOTE_PROC_CONNECT_NUM_OF_DOMAINS, NULL, &num));
    g_assert_cmpint(num.num, ==, 1);
    assert_ok(CALL(fd, REMOTE_PROC_CONNECT_NUM_OF_DEFINED_DOMAINS, NULL, &ndef));
    g_assert_cmpint(ndef.num, ==, 1);
    assert_ok(CALL(fd, REMOTE_PROC_CONNECT_LIST_DOMAINS, &(remote_connect_list_domains_args){ 10 },
                   &ids));
    g_assert_cmpuint(ids.ids.ids_len, ==, 1);
    g_assert_cmpint(ids.ids.ids_val[0], >, 0);
    assert_ok(CALL(fd, REMOTE_PROC_CONNECT_LIST_DEFINED_DOMAINS,
                   &(remote_connect_list_defined_domains_args){ 10 }, &names));
    g_assert_cmpuint(names.names.names_len, ==, 1);
    g_assert_cmpstr(names.names.names_val[0], ==, "b");
    assert_code(
        CALL(fd, REMOTE_PROC_CONNECT_LIST_DOMAINS, &(remote_connect_list_domains_args){ -1 }, NULL),
        VIRT_ERR_RPC);
    /* a missing domain is a clean NO_DOMAIN */
    error = CALL(fd, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, &missing, NULL);
    g_assert_nonnull(error);
    g_assert_cmpint(virt_error_domain_from_quark(error->domain), ==, VIRT_FROM_DOMAIN);
    assert_code(error, VIRT_ERR_NO_DOMAIN);
    xdr_free((xdrproc_t)xdr_remote_connect_list_domains_ret, &ids);
    xdr_free((xdrproc_t)xdr_remote_connect_list_defined_domains_ret, &names);
    xdr_free((xdrproc_t)xdr_remote_domain_define_xml_ret, &a);
    xdr_free((xdrproc_t)xdr_remote_domain_define_xml_ret, &b);
    close(fd);
    stop(td);
}

static void test_slow_reader(void)
{
    TestDaemon *td = start("[daemon]\nmax_client_queue_mib = 1\n");
    int slow = test_connect(td->sock_rw);
    int good = test_connect(td->sock_rw);
    remote_connect_get_hostname_ret host = { 0 };
    struct pollfd pfd = { slow, POLLRDHUP, 0 };

    open_conn(slow, "fake:///default", 0);
    open_conn(good, "fake:///default", 0);
    /* 64 calls of 256 KiB replies, never read: more than the socket buffer plus 1 MiB */
    for (int i = 0; i < 64; i++) {
        g_autoptr(GBytes) call = rpc_message_encode_call(
            REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_CAPABILITIES, 5000 + i, NULL, NULL);

        test_send_raw(slow, g_bytes_get_data(call, NULL), g_bytes_get_size(call));
    }
    /* the daemon hangs up on it without us reading a byte */
    g_assert_cmpint(poll(&pfd, 1, 20000), ==, 1);
    g_assert_true(pfd.revents & (POLLRDHUP | POLLHUP));
    /* and everybody else is served as before */
    assert_ok(CALL(good, REMOTE_PROC_CONNECT_GET_HOSTNAME, NULL, &host));
    g_assert_cmpstr(host.hostname, ==, "fakehost");
    xdr_free((xdrproc_t)xdr_remote_connect_get_hostname_ret, &host);
    close(slow);
    close(good);
    stop(td);
}

static void test_admin_program(void)
{
    TestDaemon *td = start(NULL);
    int admin = test_connect(td->sock_admin);
    int rw = test_connect(td->sock_rw);
    admin_connect_list_servers_args list = { 1, 0 };
    admin_connect_list_servers_ret servers = { { 0 } };
    admin_server_list_clients_args clients_args = { { (char *)"virtfaked" }, 1, 0 };
    admin_server_list_clients_ret clients = { { 0 } };
    admin_client_close_args close_args = { { { (char *)"virtfaked" }, 0, 0, 0 }, 0 };

    assert_ok(test_call(admin, ADMIN_PROGRAM, ADMIN_PROC_CONNECT_OPEN, serial++,
                        &(admin_connect_open_args){ 0 }, NULL));
    assert_ok(test_call(admin, ADMIN_PROGRAM, ADMIN_PROC_CONNECT_LIST_SERVERS, serial++, &list,
                        &servers));
    g_assert_cmpuint(servers.ret, ==, 2);
    g_assert_cmpstr(servers.servers.servers_val[0].name, ==, "virtfaked");
    g_assert_cmpstr(servers.servers.servers_val[1].name, ==, "admin");
    open_conn(rw, "fake:///default", 0);
    assert_ok(test_call(admin, ADMIN_PROGRAM, ADMIN_PROC_SERVER_LIST_CLIENTS, serial++,
                        &clients_args, &clients));
    g_assert_cmpuint(clients.ret, ==, 1);
    close_args.clnt.id = clients.clients.clients_val[0].id;
    assert_ok(
        test_call(admin, ADMIN_PROGRAM, ADMIN_PROC_CLIENT_CLOSE, serial++, &close_args, NULL));
    g_assert_true(test_wait_eof(rw, 10000));
    /* gone now */
    assert_code(
        test_call(admin, ADMIN_PROGRAM, ADMIN_PROC_CLIENT_CLOSE, serial++, &close_args, NULL),
        VIRT_ERR_NO_CLIENT);
    /* the remote program is not served on the admin socket */
    assert_code(CALL(admin, REMOTE_PROC_AUTH_LIST, NULL, NULL), VIRT_ERR_RPC);
    xdr_free((xdrproc_t)xdr_admin_connect_list_servers_ret, &servers);
    xdr_free((xdrproc_t)xdr_admin_server_list_clients_ret, &clients);
    close(admin);
    close(rw);
    stop(td);
}

static void test_keepalive_timeout(void)
{
    TestDaemon *td = start("[daemon]\nkeepalive_interval = 1\nkeepalive_count = 1\n");
    int quiet = test_connect(td->sock_rw);
    int other = test_connect(td->sock_rw);
    g_autoptr(RpcMessage) ping = NULL;

    /* only a client that asked for feature 10 is pinged */
    open_conn(quiet, "fake:///default", 0);
    ping = test_recv_message(quiet, 10000);
    g_assert_nonnull(ping);
    g_assert_cmphex(ping->header.prog, ==, KEEPALIVE_PROGRAM);
    g_assert_cmpint(ping->header.proc, ==, KEEPALIVE_PROC_PING);
    /* it never answers: dropped after keepalive_count unanswered pings */
    g_assert_true(test_wait_eof(quiet, 10000));
    /* a client that never asked is left alone (it sent nothing since connecting) */
    assert_ok(CALL(other, REMOTE_PROC_AUTH_LIST, NULL, NULL));
    close(quiet);
    close(other);
    stop(td);
}

/* In a child running as nobody: what an untrusted peer gets on the rw socket. */
static void untrusted_peer(const char *path)
{
    int fd;
    GError *error;

    if (setgid(65534) < 0 || setuid(65534) < 0)
        _exit(2);
    fd = test_connect(path);
    error = CALL(fd, REMOTE_PROC_CONNECT_GET_TYPE, NULL, NULL);
    if (!error || error->code != VIRT_ERR_RPC)
        _exit(3);
    g_error_free(error);
    error = CALL(fd, REMOTE_PROC_AUTH_LIST, NULL, NULL);
    if (!error || error->code != VIRT_ERR_AUTH_FAILED)
        _exit(4);
    g_error_free(error);
    /* refused peers are closed */
    _exit(test_wait_eof(fd, 10000) ? 0 : 5);
}

static void test_untrusted_peer(void)
{
    TestDaemon *td;
    int status = 0;
    pid_t pid;

    if (geteuid() != 0) {
        g_test_skip("needs root to act as another user");
        return;
    }
    /* a world-connectable rw socket: only the auth decision keeps nobody out */
    td = start("[daemon]\nunix_sock_rw_perms = 0666\n");
    (void)chmod(td->root, 0755);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0)
        untrusted_peer(td->sock_rw);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    stop(td);
}

static unsigned int admin_max_clients(int admin)
{
    admin_server_get_client_limits_args args = { { (char *)"virtfaked" }, 0 };
    admin_server_get_client_limits_ret ret = { { 0 } };
    unsigned int value = 0;

    assert_ok(test_call(admin, ADMIN_PROGRAM, ADMIN_PROC_SERVER_GET_CLIENT_LIMITS, serial++, &args,
                        &ret));
    for (u_int i = 0; i < ret.params.params_len; i++) {
        if (strcmp(ret.params.params_val[i].field, "nclients_max") == 0)
            value = ret.params.params_val[i].value.admin_typed_param_value_u.ui;
    }
    xdr_free((xdrproc_t)xdr_admin_server_get_client_limits_ret, &ret);
    return value;
}

static void test_reload(void)
{
    g_autofree char *dir = g_dir_make_tmp("virtkit-conf-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "d.conf", NULL);
    const char *args[] = { "--config", path, NULL };
    TestDaemon *td;
    int admin;

    g_assert_true(g_file_set_contents(path, "[daemon]\nmax_clients = 10\n", -1, NULL));
    td = test_daemon_start(&fake_driver_ops, &fake_driver_info, args);
    admin = test_connect(td->sock_admin);
    g_assert_cmpuint(admin_max_clients(admin), ==, 10);
    /* SIGHUP re-reads the file; systemd's RELOADING=1 ... READY=1 tells us when */
    g_assert_true(g_file_set_contents(path, "[daemon]\nmax_clients = 20\n", -1, NULL));
    kill(td->pid, SIGHUP);
    test_daemon_wait_notify(td, "READY=1");
    g_assert_cmpuint(admin_max_clients(admin), ==, 20);
    close(admin);
    (void)unlink(path);
    (void)rmdir(dir);
    stop(td);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/daemon/dispatch/handshake", test_handshake);
    g_test_add_func("/daemon/dispatch/open-errors", test_open_errors);
    g_test_add_func("/daemon/dispatch/readonly", test_readonly);
    g_test_add_func("/daemon/dispatch/bad-calls", test_bad_calls);
    g_test_add_func("/daemon/dispatch/inflight-keepalive", test_inflight_keepalive);
    g_test_add_func("/daemon/dispatch/events", test_events);
    g_test_add_func("/daemon/dispatch/lists", test_lists);
    g_test_add_func("/daemon/dispatch/slow-reader", test_slow_reader);
    g_test_add_func("/daemon/dispatch/admin", test_admin_program);
    g_test_add_func("/daemon/dispatch/keepalive-timeout", test_keepalive_timeout);
    g_test_add_func("/daemon/dispatch/untrusted-peer", test_untrusted_peer);
    g_test_add_func("/daemon/dispatch/reload", test_reload);
    g_test_add_func("/daemon/dispatch/priority-pool", test_priority_pool);
    g_test_add_func("/daemon/dispatch/event-filters", test_event_filters);
    return g_test_run();
}
