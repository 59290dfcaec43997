/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Many clients at once against a forked daemon (fake driver): each defines, starts,
 * suspends, resumes, destroys and undefines its own domain while a watcher receives
 * every lifecycle event. Checks replies match their calls under concurrency, that
 * no event is lost, and that a state read after each change sees it, with reads on
 * workers and with reads inline on the loop (a driver with reads_never_block).
 */

#include <string.h>
#include <unistd.h>

#include "fake-driver.h"
#include "rpc/remote-protocol.h"
#include "rpc/wire-error.h"
#include "test-harness.h"

#define N_CLIENTS 16
#define N_ROUNDS 20
#define EVENTS_PER_ROUND 6 /* defined, started, suspended, resumed, stopped, undefined */

static const DaemonInfo fake_info = {
    .name = "virtfaked",
    .sock_prefix = "virtfaked",
    .driver_scheme = "fake",
    .default_uri = "fake:///default",
};

static int open_client(const char *path)
{
    int fd = test_connect(path);
    char *name = (char *)"fake:///default";
    remote_connect_open_args open = { &name, 0 };

    g_assert_no_error(test_call(fd, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_OPEN, 0, &open, NULL));
    return fd;
}

static gpointer worker(gpointer data)
{
    const char *path = ((char **)data)[0];
    int index = GPOINTER_TO_INT(((char **)data)[1]);
    int fd = open_client(path);
    uint32_t serial = 1;

    for (int round = 0; round < N_ROUNDS; round++) {
        g_autofree char *xml =
            g_strdup_printf("<domain><name>w%d-%d</name></domain>", index, round);
        remote_domain_define_xml_args def = { xml };
        remote_domain_define_xml_ret dom = { { 0 } };
        const int actions[] = { REMOTE_PROC_DOMAIN_CREATE, REMOTE_PROC_DOMAIN_SUSPEND,
                                REMOTE_PROC_DOMAIN_RESUME, REMOTE_PROC_DOMAIN_DESTROY,
                                REMOTE_PROC_DOMAIN_UNDEFINE };
        const int states[] = { 1, 3, 1, 5 }; /* after each: running, paused, running, off */

        g_assert_no_error(
            test_call(fd, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_DEFINE_XML, serial++, &def, &dom));
        g_assert_true(g_str_has_prefix(dom.dom.name, "w"));
        for (gsize a = 0; a < G_N_ELEMENTS(actions); a++) {
            /* every one of these procedures takes just { dom } */
            remote_domain_create_args args = { dom.dom };
            remote_domain_get_state_args st = { dom.dom, 0 };
            remote_domain_get_state_ret st_ret = { 0 };

            g_assert_no_error(test_call(fd, REMOTE_PROGRAM, actions[a], serial++, &args, NULL));
            if (a >= G_N_ELEMENTS(states))
                continue;
            g_assert_no_error(test_call(fd, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_STATE, serial++,
                                        &st, &st_ret));
            g_assert_cmpint(st_ret.state, ==, states[a]);
        }
        xdr_free((xdrproc_t)xdr_remote_domain_define_xml_ret, &dom);
    }
    close(fd);
    return NULL;
}

static void test_concurrent_clients(gconstpointer ops)
{
    TestDaemon *td = test_daemon_start(ops, &fake_info, NULL);
    int watcher = open_client(td->sock_rw);
    remote_connect_domain_event_callback_register_any_args reg = { 0, NULL };
    remote_connect_domain_event_callback_register_any_ret cb = { 0 };
    GThread *threads[N_CLIENTS];
    char *args[N_CLIENTS][2];
    int events = 0;

    g_assert_no_error(test_call(watcher, REMOTE_PROGRAM,
                                REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, 1, &reg,
                                &cb));
    for (int i = 0; i < N_CLIENTS; i++) {
        args[i][0] = td->sock_rw;
        args[i][1] = GINT_TO_POINTER(i);
        threads[i] = g_thread_new("client", worker, args[i]);
    }
    for (int i = 0; i < N_CLIENTS; i++)
        g_thread_join(threads[i]);
    /* every event arrives */
    while (events < N_CLIENTS * N_ROUNDS * EVENTS_PER_ROUND) {
        g_autoptr(RpcMessage) msg = test_recv_message(watcher, 20000);

        g_assert_nonnull(msg);
        g_assert_cmpint(msg->header.type, ==, RPC_MESSAGE_MESSAGE);
        g_assert_cmpint(msg->header.proc, ==, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE);
        events++;
    }
    g_test_message("%d events received", events);
    close(watcher);
    g_assert_cmpint(test_daemon_stop(td), ==, 0);
    test_daemon_free(td);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/daemon/stress/concurrent-clients", &fake_driver_ops,
                         test_concurrent_clients);
    g_test_add_data_func("/daemon/stress/concurrent-clients-inline", &fake_driver_inline_ops,
                         test_concurrent_clients);
    return g_test_run();
}
