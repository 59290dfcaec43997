/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virStream and virDomainOpenConsole through libvirtkit.so, against tests/daemon's
 * console-daemon ($VIRTKIT_PROXYD): its test:///default consoles are unix sockets
 * this test listens on. Blocking and non-blocking receive, send, finish, abort,
 * event callbacks on the default loop, one session per console and FORCE, free
 * without finish, argument checks; virEventAddHandle on a pipe.
 */

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <virtkit/virtkit.h>

#include "remote-harness.h"

#define TIMEOUT_MS 20000

typedef struct Fixture {
    char *dir;
    int listen_fd;
    TestProxyd *pd;
    virConnectPtr conn;
    virDomainPtr dom;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_autofree char *path = NULL;

    f->dir = g_dir_make_tmp("virtkit-consoles-XXXXXX", NULL);
    path = g_build_filename(f->dir, "test.sock", NULL);
    strcpy(addr.sun_path, path);
    f->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(bind(f->listen_fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(f->listen_fd, 4), ==, 0);
    g_setenv("VIRTKIT_TEST_CONSOLE_DIR", f->dir, TRUE);
    f->pd = test_proxyd_start(NULL);
    f->conn = virConnectOpen(f->pd->uri);
    g_assert_nonnull(f->conn);
    f->dom = virDomainLookupByName(f->conn, "test");
    g_assert_nonnull(f->dom);
}

static void teardown(Fixture *f, gconstpointer data)
{
    virDomainFree(f->dom);
    g_assert_cmpint(virConnectClose(f->conn), ==, 0);
    test_proxyd_stop(f->pd);
    close(f->listen_fd);
    test_remove_tree(f->dir);
    g_free(f->dir);
}

static int accept_console(Fixture *f)
{
    struct pollfd pfd = { f->listen_fd, POLLIN, 0 };
    int fd;

    g_assert_cmpint(poll(&pfd, 1, TIMEOUT_MS), ==, 1);
    fd = accept4(f->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    g_assert_cmpint(fd, >=, 0);
    return fd;
}

static void read_exact(int fd, char *buf, size_t len)
{
    while (len > 0) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        ssize_t n;

        g_assert_cmpint(poll(&pfd, 1, TIMEOUT_MS), ==, 1);
        n = read(fd, buf, len);
        g_assert_cmpint(n, >, 0);
        buf += n;
        len -= (size_t)n;
    }
}

static bool wait_eof(int fd)
{
    for (;;) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        char buf[256];
        ssize_t n;

        if (poll(&pfd, 1, TIMEOUT_MS) != 1)
            return false;
        n = read(fd, buf, sizeof(buf));
        if (n <= 0)
            return true;
    }
}

static void test_blocking(Fixture *f, gconstpointer data)
{
    virStreamPtr st = virStreamNew(f->conn, 0);
    char buf[64] = { 0 };
    int peer;

    g_assert_nonnull(st);
    g_assert_cmpint(virDomainOpenConsole(f->dom, NULL, st, 0), ==, 0);
    peer = accept_console(f);
    g_assert_cmpint(write(peer, "login: ", 7), ==, 7);
    g_assert_cmpint(virStreamRecv(st, buf, 3), ==, 3); /* waits, then takes what fits */
    g_assert_cmpint(virStreamRecv(st, buf + 3, sizeof(buf) - 4), ==, 4);
    g_assert_cmpstr(buf, ==, "login: ");
    g_assert_cmpint(virStreamSend(st, "root\n", 5), ==, 5);
    read_exact(peer, buf, 5);
    g_assert_cmpmem(buf, 5, "root\n", 5);
    /* the opened stream cannot be opened twice */
    g_assert_cmpint(virDomainOpenConsole(f->dom, NULL, st, 0), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virStreamFinish(st), ==, 0);
    g_assert_true(wait_eof(peer));
    g_assert_cmpint(virStreamSend(st, "x", 1), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_INVALID);
    g_assert_cmpint(virStreamFree(st), ==, 0);
    close(peer);
}

typedef struct Watch {
    GString *got;
    int calls;
    int last_events;
    bool ended;
    int freed;
} Watch;

static void on_stream(virStreamPtr st, int events, void *opaque)
{
    Watch *w = opaque;
    char buf[256];
    int n;

    w->calls++;
    w->last_events = events;
    while ((n = virStreamRecv(st, buf, sizeof(buf))) > 0)
        g_string_append_len(w->got, buf, n);
    if (n == 0 || n == -1) {
        w->ended = true;
        g_assert_cmpint(virStreamEventRemoveCallback(st), ==, 0);
    }
}

static void on_free(void *opaque)
{
    ((Watch *)opaque)->freed++;
}

static void run_until(bool *flag, GString *got, size_t len)
{
    while (!(flag && *flag) && !(got && got->len >= len))
        g_assert_cmpint(virEventRunDefaultImpl(), ==, 0);
}

static void test_nonblocking_events(Fixture *f, gconstpointer data)
{
    virStreamPtr st = virStreamNew(f->conn, VIR_STREAM_NONBLOCK);
    Watch w = { .got = g_string_new(NULL) };
    char buf[16];
    int peer;

    g_assert_cmpint(
        virStreamEventAddCallback(st, VIR_STREAM_EVENT_READABLE, on_stream, &w, on_free), ==, 0);
    g_assert_cmpint(virStreamEventAddCallback(st, VIR_STREAM_EVENT_READABLE, on_stream, &w, NULL),
                    ==, -1);
    g_assert_cmpint(virDomainOpenConsole(f->dom, NULL, st, VIR_DOMAIN_CONSOLE_SAFE), ==, 0);
    peer = accept_console(f);
    g_assert_cmpint(virStreamRecv(st, buf, sizeof(buf)), ==, -2);
    g_assert_cmpint(write(peer, "hello", 5), ==, 5);
    run_until(NULL, w.got, 5);
    g_assert_cmpstr(w.got->str, ==, "hello");
    g_assert_true(w.last_events & VIR_STREAM_EVENT_READABLE);
    /* the guest hangs up: READABLE (recv gives 0) and HANGUP */
    close(peer);
    run_until(&w.ended, NULL, 0);
    g_assert_true(w.last_events & VIR_STREAM_EVENT_HANGUP);
    g_assert_cmpint(w.freed, ==, 1);
    g_assert_cmpint(virStreamRecv(st, buf, sizeof(buf)), ==, 0);
    g_assert_cmpint(virStreamEventRemoveCallback(st), ==, -1);
    g_assert_cmpint(virStreamFinish(st), ==, 0);
    g_assert_cmpint(virStreamFree(st), ==, 0);
    g_string_free(w.got, TRUE);
}

static void test_exclusive(Fixture *f, gconstpointer data)
{
    virStreamPtr a = virStreamNew(f->conn, 0);
    virStreamPtr b = virStreamNew(f->conn, 0);
    virStreamPtr c = virStreamNew(f->conn, 0);
    char buf[16];
    int peer_a, peer_b;

    g_assert_cmpint(virDomainOpenConsole(f->dom, NULL, a, 0), ==, 0);
    peer_a = accept_console(f);
    g_assert_cmpint(virDomainOpenConsole(f->dom, NULL, b, 0), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_FAILED);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "operation failed: Active console session exists for this domain");
    peer_b = accept_console(f); /* what the driver opened for the refused session, closed */
    g_assert_true(wait_eof(peer_b));
    close(peer_b);
    g_assert_cmpint(virDomainOpenConsole(f->dom, NULL, c, VIR_DOMAIN_CONSOLE_FORCE), ==, 0);
    peer_b = accept_console(f);
    /* a's session ended with an error, reported by every later call */
    g_assert_cmpint(virStreamRecv(a, buf, sizeof(buf)), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_ABORTED);
    g_assert_cmpint(virStreamAbort(a), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_ABORTED);
    g_assert_true(wait_eof(peer_a));
    /* freeing an open stream aborts it: the console closes */
    g_assert_cmpint(virStreamFree(c), ==, 0);
    g_assert_true(wait_eof(peer_b));
    g_assert_cmpint(virStreamFree(a), ==, 0);
    g_assert_cmpint(virStreamFree(b), ==, 0);
    close(peer_a);
    close(peer_b);
}

static void test_abort(Fixture *f, gconstpointer data)
{
    virStreamPtr st = virStreamNew(f->conn, 0);
    int peer;

    g_assert_cmpint(virStreamRef(st), ==, 0);
    g_assert_cmpint(virDomainOpenConsole(f->dom, "serial0", st, 0), ==, -1); /* no such socket */
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_FAILED);
    g_assert_cmpint(virDomainOpenConsole(f->dom, NULL, st, 0), ==, 0);
    peer = accept_console(f);
    g_assert_cmpint(virStreamAbort(st), ==, 0);
    g_assert_true(wait_eof(peer));
    g_assert_cmpint(virStreamFree(st), ==, 0);
    g_assert_cmpint(virStreamFree(st), ==, 0);
    close(peer);
}

static void test_refused(Fixture *f, gconstpointer data)
{
    virConnectPtr ro = virConnectOpenReadOnly(f->pd->uri_ro);
    virDomainPtr dom = virDomainLookupByName(ro, "test");
    virStreamPtr st = virStreamNew(ro, 0);
    virConnectPtr local = virConnectOpen("test:///default");
    virDomainPtr ldom = virDomainLookupByName(local, "test");
    virStreamPtr lst = virStreamNew(local, 0);
    char buf[4];

    g_assert_cmpint(virDomainOpenConsole(dom, NULL, st, 0), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_DENIED);
    g_assert_cmpint(virStreamRecv(st, buf, sizeof(buf)), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_INVALID);
    g_assert_cmpint(virStreamFinish(st), ==, -1);
    /* a stream of another connection, unknown flags, NULL arguments */
    g_assert_cmpint(virDomainOpenConsole(f->dom, NULL, st, 0), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_ARG);
    g_assert_null(virStreamNew(ro, 2));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virStreamSend(NULL, "x", 1), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_STREAM);
    /* the in-process test driver has no consoles, like libvirt's */
    g_assert_cmpint(virDomainOpenConsole(ldom, NULL, lst, 0), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_NO_SUPPORT);
    virStreamFree(lst);
    virDomainFree(ldom);
    virConnectClose(local);
    virStreamFree(st);
    virDomainFree(dom);
    virConnectClose(ro);
}

typedef struct Handle {
    int calls;
    int events;
    int freed;
} Handle;

static void on_handle(int watch, int fd, int events, void *opaque)
{
    Handle *h = opaque;
    char c;

    h->calls++;
    h->events = events;
    if (events & VIR_EVENT_HANDLE_READABLE)
        (void)!read(fd, &c, 1);
}

static void on_handle_free(void *opaque)
{
    ((Handle *)opaque)->freed++;
}

static void test_handles(void)
{
    Handle h = { 0 };
    int fds[2];
    int watch;

    g_assert_cmpint(virEventRegisterDefaultImpl(), ==, 0);
    g_assert_cmpint(pipe(fds), ==, 0);
    watch = virEventAddHandle(fds[0], VIR_EVENT_HANDLE_READABLE, on_handle, &h, on_handle_free);
    g_assert_cmpint(watch, >, 0);
    g_assert_cmpint(write(fds[1], "ab", 2), ==, 2);
    while (h.calls < 2) /* level-triggered: once per byte read */
        g_assert_cmpint(virEventRunDefaultImpl(), ==, 0);
    g_assert_cmpint(h.events, ==, VIR_EVENT_HANDLE_READABLE);
    close(fds[1]);
    while (!(h.events & VIR_EVENT_HANDLE_HANGUP))
        g_assert_cmpint(virEventRunDefaultImpl(), ==, 0);
    virEventUpdateHandle(watch, 0); /* HANGUP would come again; disabled it does not */
    g_assert_cmpint(virEventRemoveHandle(watch), ==, 0);
    g_assert_cmpint(h.freed, ==, 1);
    g_assert_cmpint(virEventRemoveHandle(watch), ==, -1);
    close(fds[0]);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    virEventRegisterDefaultImpl();
    g_test_add_func("/client/stream/handles", test_handles);
    g_test_add("/client/stream/blocking", Fixture, NULL, setup, test_blocking, teardown);
    g_test_add("/client/stream/nonblocking-events", Fixture, NULL, setup, test_nonblocking_events,
               teardown);
    g_test_add("/client/stream/exclusive", Fixture, NULL, setup, test_exclusive, teardown);
    g_test_add("/client/stream/abort", Fixture, NULL, setup, test_abort, teardown);
    g_test_add("/client/stream/refused", Fixture, NULL, setup, test_refused, teardown);
    return g_test_run();
}
