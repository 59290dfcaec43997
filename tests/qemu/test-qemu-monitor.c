/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tier: fake-backed. The QMP client against a fake QEMU on the other end of a
 * socketpair: the test thread plays QEMU (greeting, replies in any order, events,
 * errors, silence, EOF, garbage), callers run on their own threads, the monitor's I/O
 * on a loop thread. Every wait has a deadline.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qemu-monitor.h"
#include "qemu-test-loop.h"
#include "util/error.h"
#include "util/fd-util.h"

#define PEER_TIMEOUT_MS 10000
#define CALL_TIMEOUT_MS 10000

#define GREETING                                                                       \
    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, " \
    "\"package\": \"Debian 1:7.2+dfsg-7+deb12u18+b3\"}, \"capabilities\": [\"oob\"]}}\r\n"

/* The fake QEMU: our end of the socketpair and what it has read so far. */
typedef struct Peer {
    int fd;
    GString *in;
} Peer;

/* What the monitor's callbacks saw (loop thread), for the test thread to wait on. */
typedef struct Seen {
    GAsyncQueue *events; /* char* event names */
    GAsyncQueue *eofs;   /* char* reasons ("" for a clean EOF) */
    bool all_on_loop;
    LoopInvoker *inv;
    bool close_in_event; /* close the monitor from the event callback */
} Seen;

typedef struct Fixture {
    QemuTestLoop *loop;
    LoopInvoker *inv;
    Peer peer;
    Seen seen;
    int mon_fd; /* the monitor's end, until a test opens it */
    QemuMonitor *mon;
} Fixture;

static void peer_write(Peer *peer, const char *text)
{
    size_t len = strlen(text);

    while (len > 0) {
        ssize_t n = send(peer->fd, text, len, MSG_NOSIGNAL);

        g_assert_cmpint(n, >, 0);
        text += n;
        len -= (size_t)n;
    }
}

/* The next command the monitor sent, as a JSON object (execute, id, arguments). */
static JsonObject *peer_read_command(Peer *peer)
{
    gint64 deadline = g_get_monotonic_time() + PEER_TIMEOUT_MS * 1000;

    for (;;) {
        char *nl = memchr(peer->in->str, '\n', peer->in->len);
        struct pollfd pfd = { .fd = peer->fd, .events = POLLIN };
        char chunk[4096];
        ssize_t n;

        if (nl) {
            g_autoptr(JsonParser) parser = json_parser_new();
            g_autoptr(GError) error = NULL;
            size_t len = (size_t)(nl - peer->in->str) + 1;
            JsonObject *obj;

            g_assert_true(json_parser_load_from_data(parser, peer->in->str, (gssize)len, &error));
            g_assert_no_error(error);
            g_string_erase(peer->in, 0, (gssize)len);
            obj = json_node_get_object(json_parser_get_root(parser));
            return json_object_ref(obj);
        }
        g_assert_cmpint(poll(&pfd, 1, (int)((deadline - g_get_monotonic_time()) / 1000)), ==, 1);
        n = read(peer->fd, chunk, sizeof(chunk));
        g_assert_cmpint(n, >, 0);
        g_string_append_len(peer->in, chunk, n);
    }
}

static void peer_expect(Peer *peer, const char *execute, const char *id)
{
    g_autoptr(JsonObject) cmd = peer_read_command(peer);

    g_assert_cmpstr(json_object_get_string_member(cmd, "execute"), ==, execute);
    g_assert_cmpstr(json_object_get_string_member(cmd, "id"), ==, id);
}

static void peer_reply(Peer *peer, const char *id, const char *value)
{
    g_autofree char *text = g_strdup_printf("{\"return\": %s, \"id\": \"%s\"}\r\n", value, id);

    peer_write(peer, text);
}

static void peer_event(Peer *peer, const char *event)
{
    g_autofree char *text = g_strdup_printf(
        "{\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 1}, \"event\": \"%s\"}\r\n",
        event);

    peer_write(peer, text);
}

static void seen_event(QemuMonitor *mon, const QemuMonitorMessage *event, void *opaque)
{
    Seen *seen = opaque;

    if (!loop_invoker_on_loop(seen->inv))
        seen->all_on_loop = false;
    g_async_queue_push(seen->events, g_strdup(event->event));
    if (seen->close_in_event)
        qemu_monitor_close(mon);
}

static void seen_eof(QemuMonitor *mon, const char *reason, void *opaque)
{
    Seen *seen = opaque;

    (void)mon;
    if (!loop_invoker_on_loop(seen->inv))
        seen->all_on_loop = false;
    g_async_queue_push(seen->eofs, g_strdup(reason ? reason : ""));
}

static const QemuMonitorCallbacks seen_callbacks = { seen_event, seen_eof };

static char *seen_pop(GAsyncQueue *queue)
{
    char *item = g_async_queue_timeout_pop(queue, PEER_TIMEOUT_MS * 1000);

    g_assert_nonnull(item);
    return item;
}

/* A job on its own thread: open or call, with the outcome kept for the test. */
typedef struct Job {
    Fixture *f;
    int fd;
    unsigned timeout_ms;
    QemuMonitorCommand *cmd;
    int pass_fd;
    GThread *thread;
    QemuMonitor *mon;
    QemuMonitorMessage *reply;
    GError *error;
} Job;

static gpointer job_open_thread(gpointer data)
{
    Job *job = data;

    job->mon = qemu_monitor_open(job->f->inv, job->fd, "test", job->timeout_ms, &seen_callbacks,
                                 &job->f->seen, &job->error);
    return NULL;
}

static gpointer job_call_thread(gpointer data)
{
    Job *job = data;

    qemu_monitor_call_with_fd(job->f->mon, g_steal_pointer(&job->cmd), job->pass_fd,
                              job->timeout_ms, &job->reply, &job->error);
    return NULL;
}

static Job *job_call(Fixture *f, const char *name, unsigned timeout_ms)
{
    Job *job = g_new0(Job, 1);

    job->f = f;
    job->cmd = qemu_monitor_command_new(name);
    job->timeout_ms = timeout_ms;
    job->pass_fd = -1;
    job->thread = g_thread_new("call", job_call_thread, job);
    return job;
}

/* Wait for the job's thread; the job is freed, its reply/error handed over. */
static void job_finish(Job *job, QemuMonitorMessage **ret_reply, GError **ret_error)
{
    g_thread_join(job->thread);
    qemu_monitor_command_free(job->cmd);
    if (ret_reply)
        *ret_reply = job->reply;
    else
        qemu_monitor_message_free(job->reply);
    if (ret_error)
        *ret_error = job->error;
    else
        g_assert_no_error(job->error);
    g_free(job);
}

static void fixture_base(Fixture *f)
{
    int sv[2];

    f->loop = qemu_test_loop_start();
    f->inv = qemu_test_loop_invoker(f->loop);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    f->peer.fd = sv[0];
    f->peer.in = g_string_new("");
    f->seen.events = g_async_queue_new_full(g_free);
    f->seen.eofs = g_async_queue_new_full(g_free);
    f->seen.all_on_loop = true;
    f->seen.inv = f->inv;
    f->seen.close_in_event = false;
    f->mon_fd = sv[1];
    f->mon = NULL;
}

/* qemu_monitor_open() on its own thread; the test plays QEMU meanwhile. */
static Job *job_open(Fixture *f, unsigned timeout_ms)
{
    Job *job = g_new0(Job, 1);

    job->f = f;
    job->fd = f->mon_fd;
    job->timeout_ms = timeout_ms;
    job->thread = g_thread_new("open", job_open_thread, job);
    return job;
}

/* The open's outcome: the monitor, or NULL with *ret_error. */
static QemuMonitor *job_open_finish(Job *job, GError **ret_error)
{
    QemuMonitor *mon;

    g_thread_join(job->thread);
    mon = job->mon;
    *ret_error = job->error;
    g_free(job);
    return mon;
}

static void fixture_setup_unopened(Fixture *f, gconstpointer data)
{
    (void)data;
    fixture_base(f);
}

/* Open through the greeting and qmp_capabilities. */
static void fixture_setup(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    Job *job;

    (void)data;
    fixture_base(f);
    job = job_open(f, CALL_TIMEOUT_MS);
    peer_write(&f->peer, GREETING);
    peer_expect(&f->peer, "qmp_capabilities", "libvirt-1");
    peer_reply(&f->peer, "libvirt-1", "{}");
    f->mon = job_open_finish(job, &error);
    g_assert_no_error(error);
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    (void)data;
    qemu_monitor_close(f->mon);
    qemu_test_loop_stop(f->loop);
    g_assert_true(f->seen.all_on_loop);
    virt_fd_close(f->peer.fd);
    g_string_free(f->peer.in, TRUE);
    g_async_queue_unref(f->seen.events);
    g_async_queue_unref(f->seen.eofs);
}

static void test_greeting(Fixture *f, gconstpointer data)
{
    const QemuMonitorVersion *ver = qemu_monitor_version(f->mon);

    (void)data;
    g_assert_cmpuint(ver->major, ==, 7);
    g_assert_cmpuint(ver->minor, ==, 2);
    g_assert_cmpuint(ver->micro, ==, 22);
    g_assert_cmpstr(qemu_monitor_name(f->mon), ==, "test");
}

static const char *reply_string(const QemuMonitorMessage *reply)
{
    return json_node_get_string(reply->value);
}

/* Two callers; QEMU answers the second first, with events in between. */
static void test_out_of_order(Fixture *f, gconstpointer data)
{
    g_autoptr(QemuMonitorMessage) reply_a = NULL;
    g_autoptr(QemuMonitorMessage) reply_b = NULL;
    g_autofree char *ev1 = NULL;
    g_autofree char *ev2 = NULL;
    Job *a = job_call(f, "query-a", CALL_TIMEOUT_MS);
    Job *b = job_call(f, "query-b", CALL_TIMEOUT_MS);
    g_autoptr(JsonObject) c1 = peer_read_command(&f->peer);
    g_autoptr(JsonObject) c2 = peer_read_command(&f->peer);
    const char *id_a, *id_b;

    (void)data;
    if (g_str_equal(json_object_get_string_member(c1, "execute"), "query-a")) {
        id_a = json_object_get_string_member(c1, "id");
        id_b = json_object_get_string_member(c2, "id");
    } else {
        id_a = json_object_get_string_member(c2, "id");
        id_b = json_object_get_string_member(c1, "id");
    }
    g_assert_cmpstr(id_a, !=, id_b);
    peer_event(&f->peer, "STOP");
    peer_reply(&f->peer, id_b, "\"for b\"");
    peer_event(&f->peer, "RESUME");
    peer_reply(&f->peer, id_a, "\"for a\"");
    job_finish(a, &reply_a, NULL);
    job_finish(b, &reply_b, NULL);
    g_assert_cmpstr(reply_string(reply_a), ==, "for a");
    g_assert_cmpstr(reply_string(reply_b), ==, "for b");
    ev1 = seen_pop(f->seen.events);
    ev2 = seen_pop(f->seen.events);
    g_assert_cmpstr(ev1, ==, "STOP");
    g_assert_cmpstr(ev2, ==, "RESUME");
}

static void test_qmp_error(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    Job *job = job_call(f, "device_del", CALL_TIMEOUT_MS);

    (void)data;
    peer_expect(&f->peer, "device_del", "libvirt-2");
    peer_write(&f->peer, "{\"id\": \"libvirt-2\", \"error\": {\"class\": \"DeviceNotFound\", "
                         "\"desc\": \"Device 'net9' not found\"}}\r\n");
    job_finish(job, NULL, &error);
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED);
    g_assert_cmpstr(error->message, ==,
                    "unable to execute QEMU command 'device_del': Device 'net9' not found "
                    "(DeviceNotFound)");
}

static void test_eof_with_pending(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) again = NULL;
    g_autofree char *reason = NULL;
    Job *job = job_call(f, "query-status", CALL_TIMEOUT_MS);

    (void)data;
    peer_expect(&f->peer, "query-status", "libvirt-2");
    virt_fd_close(f->peer.fd);
    f->peer.fd = -1;
    job_finish(job, NULL, &error);
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED);
    g_assert_cmpstr(error->message, ==, "QEMU for domain 'test' closed its monitor");
    reason = seen_pop(f->seen.eofs);
    g_assert_cmpstr(reason, ==, "");

    /* later calls fail at once, with the same words; eof was reported once */
    g_assert_false(qemu_monitor_call(f->mon, qemu_monitor_command_new("query-status"),
                                     CALL_TIMEOUT_MS, NULL, &again));
    g_assert_cmpstr(again->message, ==, "QEMU for domain 'test' closed its monitor");
    g_assert_null(g_async_queue_try_pop(f->seen.eofs));
}

static gpointer oversize_writer(gpointer data)
{
    Peer *peer = data;
    g_autofree char *block = g_malloc(1024 * 1024);
    size_t sent = 0;

    memset(block, 'x', 1024 * 1024);
    /* until the monitor hangs up on us (EPIPE/ECONNRESET) */
    while (sent <= QEMU_MONITOR_MAX_MESSAGE + 1024 * 1024) {
        ssize_t n = send(peer->fd, block, 1024 * 1024, MSG_NOSIGNAL);

        if (n < 0)
            return GINT_TO_POINTER(errno);
        sent += (size_t)n;
    }
    return NULL;
}

static void test_oversized(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *reason = NULL;
    g_autofree char *expected = NULL;
    Job *job = job_call(f, "query-status", CALL_TIMEOUT_MS);
    GThread *writer;
    int err;

    (void)data;
    peer_expect(&f->peer, "query-status", "libvirt-2");
    writer = g_thread_new("oversize", oversize_writer, &f->peer);
    err = GPOINTER_TO_INT(g_thread_join(writer));
    g_assert_true(err == EPIPE || err == ECONNRESET);
    job_finish(job, NULL, &error);
    expected = g_strdup_printf("closed the monitor of QEMU for domain 'test': message longer "
                               "than %u bytes",
                               QEMU_MONITOR_MAX_MESSAGE);
    g_assert_cmpstr(error->message, ==, expected);
    reason = seen_pop(f->seen.eofs);
    g_assert_true(strstr(expected, reason));
}

static void test_malformed(Fixture *f, gconstpointer data)
{
    g_autofree char *reason = NULL;

    (void)data;
    peer_write(&f->peer, "{\"return\": \r\n");
    reason = seen_pop(f->seen.eofs);
    g_assert_true(g_str_has_prefix(reason, "cannot parse QMP message from QEMU"));
}

/* QEMU does not answer in time: that caller fails, later ones are served, and the
 * late reply goes nowhere. */
static void test_timeout(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(QemuMonitorMessage) reply = NULL;
    Job *job = job_call(f, "query-status", 200);

    (void)data;
    peer_expect(&f->peer, "query-status", "libvirt-2");
    job_finish(job, NULL, &error);
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_TIMEOUT);
    g_assert_cmpstr(error->message, ==,
                    "QEMU for domain 'test' did not answer 'query-status' within 0.2 s");

    job = job_call(f, "query-version", CALL_TIMEOUT_MS);
    peer_expect(&f->peer, "query-version", "libvirt-3");
    peer_reply(&f->peer, "libvirt-2", "\"late\"");
    peer_reply(&f->peer, "libvirt-3", "\"on time\"");
    job_finish(job, &reply, NULL);
    g_assert_cmpstr(reply_string(reply), ==, "on time");
    g_assert_null(g_async_queue_try_pop(f->seen.eofs));
}

/* The owner closes while a call waits: it fails, and no eof callback follows. */
static void test_close_pending(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    Job *job = job_call(f, "query-status", CALL_TIMEOUT_MS);

    (void)data;
    peer_expect(&f->peer, "query-status", "libvirt-2");
    qemu_monitor_close(g_steal_pointer(&f->mon));
    job_finish(job, NULL, &error);
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED);
    g_assert_cmpstr(error->message, ==, "the monitor of QEMU for domain 'test' was closed");
    g_assert_null(g_async_queue_try_pop(f->seen.eofs));
}

/* Closing from the event callback (loop thread) is allowed; nothing runs after. */
static void test_close_in_callback(Fixture *f, gconstpointer data)
{
    g_autofree char *ev = NULL;
    char buf[16];

    (void)data;
    f->seen.close_in_event = true;
    /* one write: the monitor may be gone before a second one */
    peer_write(&f->peer, "{\"event\": \"SHUTDOWN\", \"timestamp\": {\"seconds\": 1, "
                         "\"microseconds\": 2}}\r\n{\"event\": \"STOP\", \"timestamp\": "
                         "{\"seconds\": 1, \"microseconds\": 3}}\r\n");
    ev = seen_pop(f->seen.events);
    g_assert_cmpstr(ev, ==, "SHUTDOWN");
    /* our end sees the close; the second event was never delivered */
    g_assert_cmpint(read(f->peer.fd, buf, sizeof(buf)), ==, 0);
    g_assert_null(g_async_queue_try_pop(f->seen.events));
    g_assert_null(g_async_queue_try_pop(f->seen.eofs));
    f->mon = NULL; /* the callback closed it */
}

static void test_pass_fd(Fixture *f, gconstpointer data)
{
    g_autoptr(QemuMonitorMessage) reply = NULL;
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    char line[512];
    struct iovec iov = { line, sizeof(line) - 1 };
    struct msghdr msg = { .msg_iov = &iov,
                          .msg_iovlen = 1,
                          .msg_control = control.buf,
                          .msg_controllen = sizeof(control.buf) };
    struct cmsghdr *c;
    int pipefd[2];
    int got = -1;
    char byte = 0;
    ssize_t n;
    Job *job = g_new0(Job, 1);

    (void)data;
    g_assert_cmpint(pipe2(pipefd, O_CLOEXEC), ==, 0);
    job->f = f;
    job->cmd = qemu_monitor_cmd_getfd("migrate");
    job->timeout_ms = CALL_TIMEOUT_MS;
    job->pass_fd = pipefd[1];
    job->thread = g_thread_new("call", job_call_thread, job);

    n = recvmsg(f->peer.fd, &msg, MSG_CMSG_CLOEXEC);
    g_assert_cmpint(n, >, 0);
    line[n] = '\0';
    g_assert_nonnull(strstr(line, "\"getfd\""));
    c = CMSG_FIRSTHDR(&msg);
    g_assert_nonnull(c);
    g_assert_cmpint(c->cmsg_type, ==, SCM_RIGHTS);
    memcpy(&got, CMSG_DATA(c), sizeof(int));
    g_string_append_len(f->peer.in, line, n);
    peer_expect(&f->peer, "getfd", "libvirt-2");
    peer_reply(&f->peer, "libvirt-2", "{}");
    job_finish(job, &reply, NULL);

    /* the received fd is the pipe's write end; ours stays open too */
    g_assert_cmpint(write(got, "q", 1), ==, 1);
    g_assert_cmpint(read(pipefd[0], &byte, 1), ==, 1);
    g_assert_cmpint(byte, ==, 'q');
    virt_fd_close(got);
    virt_fd_close(pipefd[0]);
    virt_fd_close(pipefd[1]);
}

/* Opening fails: no greeting in time, EOF first, qmp_capabilities refused. */
static void test_open_no_greeting(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;

    (void)data;
    g_assert_null(job_open_finish(job_open(f, 150), &error));
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_TIMEOUT);
    g_assert_cmpstr(error->message, ==,
                    "QEMU for domain 'test' did not greet on its monitor within 0.15 s");
}

static void test_open_eof(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;

    (void)data;
    virt_fd_close(f->peer.fd);
    f->peer.fd = -1;
    g_assert_null(job_open_finish(job_open(f, CALL_TIMEOUT_MS), &error));
    g_assert_cmpstr(error->message, ==, "QEMU for domain 'test' closed its monitor");
}

static void test_open_refused(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    Job *job = job_open(f, CALL_TIMEOUT_MS);

    (void)data;
    peer_write(&f->peer, GREETING);
    peer_expect(&f->peer, "qmp_capabilities", "libvirt-1");
    peer_write(&f->peer, "{\"id\": \"libvirt-1\", \"error\": {\"class\": \"CommandNotFound\", "
                         "\"desc\": \"Capabilities negotiation is already complete\"}}\r\n");
    g_assert_null(job_open_finish(job, &error));
    g_assert_cmpstr(error->message, ==,
                    "unable to execute QEMU command 'qmp_capabilities': Capabilities "
                    "negotiation is already complete (CommandNotFound)");
}

#define ADD(path, func) g_test_add(path, Fixture, NULL, fixture_setup, func, fixture_teardown)
#define ADD_UNOPENED(path, func) \
    g_test_add(path, Fixture, NULL, fixture_setup_unopened, func, fixture_teardown)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ADD("/monitor/greeting", test_greeting);
    ADD("/monitor/out-of-order", test_out_of_order);
    ADD("/monitor/qmp-error", test_qmp_error);
    ADD("/monitor/eof-with-pending", test_eof_with_pending);
    ADD("/monitor/oversized", test_oversized);
    ADD("/monitor/malformed", test_malformed);
    ADD("/monitor/timeout", test_timeout);
    ADD("/monitor/close-pending", test_close_pending);
    ADD("/monitor/close-in-callback", test_close_in_callback);
    ADD("/monitor/pass-fd", test_pass_fd);
    ADD_UNOPENED("/monitor/open-no-greeting", test_open_no_greeting);
    ADD_UNOPENED("/monitor/open-eof", test_open_eof);
    ADD_UNOPENED("/monitor/open-refused", test_open_refused);
    return g_test_run();
}
