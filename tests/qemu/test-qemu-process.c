/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tier: real-TCG (skipped without qemu-system-x86_64). One QEMU process at a time,
 * from the command our builder makes for a disk-less guest: launch to QMP-ready,
 * query-status, STOP/RESUME events, the exited callback on quit and on an external
 * SIGKILL, kill with a grace period (and past it), QEMU's own message when it refuses
 * its arguments, and a new QemuProcess attaching to a running QEMU after the first was
 * freed without killing it (what a daemon restart does), a wedged QEMU (SIGSTOP) that
 * times out while another answers. Waits have deadlines.
 */

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu-process.h"
#include "qemu-test-loop.h"
#include "qemu-test-util.h"
#include "util/error.h"

#define LAUNCH_TIMEOUT_MS 30000
#define CALL_TIMEOUT_MS 10000
#define WAIT_US (30 * G_USEC_PER_SEC)

typedef struct Fixture {
    QemuTestLoop *loop;
    LoopInvoker *inv;
    char *tmp;
    char *monitor_path;
    char *log_path;
    GAsyncQueue *seen; /* "RESUME", "STOP", ..., "exited" in the order they happened */
    gint exited;       /* how many exited callbacks */
    bool wrong_thread;
    QemuProcess *proc;
} Fixture;

static void on_event(QemuProcess *proc, const QemuMonitorMessage *event, void *opaque)
{
    Fixture *f = opaque;

    (void)proc;
    if (!loop_invoker_on_loop(f->inv))
        f->wrong_thread = true;
    g_async_queue_push(f->seen, g_strdup(event->event));
}

static void on_exited(QemuProcess *proc, void *opaque)
{
    Fixture *f = opaque;

    if (!loop_invoker_on_loop(f->inv))
        f->wrong_thread = true;
    g_atomic_int_inc(&f->exited);
    qemu_test_kill_forget(qemu_process_pid(proc));
    g_async_queue_push(f->seen, g_strdup("exited"));
}

static const QemuProcessCallbacks callbacks = { on_event, on_exited };

static void fixture_setup(Fixture *f, gconstpointer data)
{
    (void)data;
    memset(f, 0, sizeof(*f));
    f->loop = qemu_test_loop_start();
    f->inv = qemu_test_loop_invoker(f->loop);
    f->tmp = g_dir_make_tmp("virtkit-process-XXXXXX", NULL);
    g_assert_nonnull(f->tmp);
    f->monitor_path = g_build_filename(f->tmp, "monitor.sock", NULL);
    f->log_path = g_build_filename(f->tmp, "qemu.log", NULL);
    f->seen = g_async_queue_new_full(g_free);
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    (void)data;
    if (f->proc) {
        (void)kill(qemu_process_pid(f->proc), SIGKILL);
        qemu_process_free(f->proc);
    }
    qemu_test_loop_stop(f->loop);
    g_assert_false(f->wrong_thread);
    qemu_test_rm_rf(f->tmp);
    g_free(f->tmp);
    g_free(f->monitor_path);
    g_free(f->log_path);
    g_async_queue_unref(f->seen);
}

static bool have_qemu(void)
{
    g_autofree char *binary = g_find_program_in_path("qemu-system-x86_64");

    if (!binary)
        g_test_skip("qemu-system-x86_64 is not installed (no real-TCG tier here)");
    return binary != NULL;
}

static QemuProcess *launch(Fixture *f, Command *cmd, GError **error)
{
    QemuProcess *proc = qemu_process_launch(f->inv, "tiny", cmd, f->monitor_path, f->log_path,
                                            LAUNCH_TIMEOUT_MS, &callbacks, f, error);

    if (proc)
        qemu_test_kill_on_abort(qemu_process_pid(proc));
    return proc;
}

static void launch_tiny(Fixture *f)
{
    g_autoptr(Command) cmd = qemu_test_tiny_command("tiny", f->tmp);
    g_autoptr(GError) error = NULL;

    f->proc = launch(f, cmd, &error);
    g_assert_no_error(error);
    g_assert_nonnull(f->proc);
}

static char *seen_pop(Fixture *f)
{
    char *item = g_async_queue_timeout_pop(f->seen, WAIT_US);

    g_assert_nonnull(item);
    return item;
}

static void expect_seen(Fixture *f, const char *what)
{
    g_autofree char *item = seen_pop(f);

    g_assert_cmpstr(item, ==, what);
}

static void call(Fixture *f, const char *name, QemuMonitorMessage **ret_reply)
{
    g_autoptr(GError) error = NULL;

    g_assert_true(qemu_monitor_call(qemu_process_monitor(f->proc), qemu_monitor_command_new(name),
                                    CALL_TIMEOUT_MS, ret_reply, &error));
    g_assert_no_error(error);
}

static void assert_status(Fixture *f, QemuMonitorRunState state)
{
    g_autoptr(QemuMonitorMessage) reply = NULL;
    g_autoptr(GError) error = NULL;
    QemuMonitorStatus status;

    call(f, "query-status", &reply);
    g_assert_true(qemu_monitor_parse_status(reply, &status, &error));
    g_assert_cmpint(status.state, ==, state);
}

/* Launch, talk, stop and continue, quit: SHUTDOWN comes before the exit. */
static void test_launch_events_quit(Fixture *f, gconstpointer data)
{
    pid_t pid;

    (void)data;
    if (!have_qemu())
        return;
    launch_tiny(f);
    pid = qemu_process_pid(f->proc);
    /* its own session: a killed daemon's process group does not take it along */
    g_assert_cmpint(getsid(pid), ==, pid);
    g_assert_cmpuint(qemu_monitor_version(qemu_process_monitor(f->proc))->major, >=, 7);
    assert_status(f, QEMU_RUN_STATE_PRELAUNCH);

    call(f, "cont", NULL);
    expect_seen(f, "RESUME");
    assert_status(f, QEMU_RUN_STATE_RUNNING);
    call(f, "stop", NULL);
    expect_seen(f, "STOP");
    assert_status(f, QEMU_RUN_STATE_PAUSED);

    call(f, "quit", NULL);
    expect_seen(f, "SHUTDOWN");
    expect_seen(f, "exited");
    g_assert_true(qemu_process_exited(f->proc));
    g_assert_cmpint(kill(pid, 0), <, 0); /* reaped, not a zombie */
    g_assert_cmpint(g_atomic_int_get(&f->exited), ==, 1);
    /* killing what is gone is fine and reports no second exit */
    g_assert_true(qemu_process_kill(f->proc, 100, NULL));
    g_assert_cmpint(g_atomic_int_get(&f->exited), ==, 1);
}

static void test_external_sigkill(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;

    (void)data;
    if (!have_qemu())
        return;
    launch_tiny(f);
    g_assert_cmpint(kill(qemu_process_pid(f->proc), SIGKILL), ==, 0);
    expect_seen(f, "exited");
    g_assert_true(qemu_process_exited(f->proc));
    g_assert_false(qemu_monitor_call(qemu_process_monitor(f->proc),
                                     qemu_monitor_command_new("query-status"), CALL_TIMEOUT_MS,
                                     NULL, &error));
    g_assert_cmpstr(error->message, ==, "QEMU for domain 'tiny' closed its monitor");
}

/* SIGTERM is enough for a healthy QEMU; the exited callback has run on return. */
static void test_kill_grace(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *item = NULL;

    (void)data;
    if (!have_qemu())
        return;
    launch_tiny(f);
    call(f, "cont", NULL);
    expect_seen(f, "RESUME");
    g_assert_true(qemu_process_kill(f->proc, 10000, &error));
    g_assert_no_error(error);
    g_assert_cmpint(g_atomic_int_get(&f->exited), ==, 1);
    /* QEMU reports the signal as a host shutdown before it goes */
    item = seen_pop(f);
    g_assert_cmpstr(item, ==, "SHUTDOWN");
    expect_seen(f, "exited");
}

/* A stopped QEMU cannot act on SIGTERM: SIGKILL follows after the grace period. */
static void test_kill_after_grace(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    gint64 start;

    (void)data;
    if (!have_qemu())
        return;
    launch_tiny(f);
    g_assert_cmpint(kill(qemu_process_pid(f->proc), SIGSTOP), ==, 0);
    start = g_get_monotonic_time();
    g_assert_true(qemu_process_kill(f->proc, 300, &error));
    g_assert_no_error(error);
    g_assert_cmpint(g_get_monotonic_time() - start, >=, 300 * 1000);
    g_assert_true(qemu_process_exited(f->proc));
    expect_seen(f, "exited");
}

static void test_launch_bad_argument(Fixture *f, gconstpointer data)
{
    g_autoptr(Command) cmd = NULL;
    g_autoptr(GError) error = NULL;
    struct stat st;

    (void)data;
    if (!have_qemu())
        return;
    cmd = qemu_test_tiny_command("tiny", f->tmp);
    command_add_args(cmd, "-device", "virtkit-bogus", NULL);
    f->proc = launch(f, cmd, &error);
    g_assert_null(f->proc);
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR);
    g_test_message("%s", error->message);
    g_assert_true(g_str_has_prefix(error->message, "QEMU for domain 'tiny' failed to start: "));
    g_assert_nonnull(strstr(error->message, "-device virtkit-bogus: 'virtkit-bogus' is not a "
                                            "valid device model name"));
    /* the failed start left its words in the log too */
    g_assert_cmpint(stat(f->log_path, &st), ==, 0);
    g_assert_cmpint(st.st_size, >, 0);
    g_assert_cmpint(g_atomic_int_get(&f->exited), ==, 0);
}

static void test_launch_no_binary(Fixture *f, gconstpointer data)
{
    g_autoptr(Command) cmd = command_new("/nonexistent/qemu-system-x86_64");
    g_autoptr(GError) error = NULL;

    (void)data;
    f->proc = launch(f, cmd, &error);
    g_assert_null(f->proc);
    g_assert_nonnull(strstr(error->message, "cannot execute '/nonexistent/qemu-system-x86_64'"));
}

/* The daemon restarts: the first QemuProcess is freed without killing QEMU, a new one
 * attaches by pid and monitor path, and events flow to it. */
static void test_attach(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    pid_t pid;

    (void)data;
    if (!have_qemu())
        return;
    launch_tiny(f);
    pid = qemu_process_pid(f->proc);
    f->proc = qemu_process_free(f->proc);
    g_assert_cmpint(kill(pid, 0), ==, 0);

    f->proc = qemu_process_attach(f->inv, "tiny", pid, f->monitor_path, LAUNCH_TIMEOUT_MS,
                                  &callbacks, f, &error);
    g_assert_no_error(error);
    g_assert_cmpint(qemu_process_pid(f->proc), ==, pid);
    assert_status(f, QEMU_RUN_STATE_PRELAUNCH);
    call(f, "cont", NULL);
    expect_seen(f, "RESUME");
    g_assert_true(qemu_process_kill(f->proc, 10000, &error));
    g_assert_no_error(error);
    /* only the attached one reports the exit */
    g_assert_cmpint(g_atomic_int_get(&f->exited), ==, 1);
}

static void test_attach_refused(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *msg = NULL;
    pid_t pid;

    (void)data;
    if (!have_qemu())
        return;
    /* a live process that is not this domain's QEMU (the test itself) */
    f->proc = qemu_process_attach(f->inv, "tiny", getpid(), f->monitor_path, CALL_TIMEOUT_MS,
                                  &callbacks, f, &error);
    g_assert_null(f->proc);
    msg = g_strdup_printf("QEMU for domain 'tiny' (pid %d) is gone: no process holds '%s'",
                          (int)getpid(), f->monitor_path);
    g_assert_cmpstr(error->message, ==, msg);
    g_clear_error(&error);

    /* a QEMU that died meanwhile */
    launch_tiny(f);
    pid = qemu_process_pid(f->proc);
    g_assert_true(qemu_process_kill(f->proc, 0, NULL));
    f->proc = qemu_process_free(f->proc);
    f->proc = qemu_process_attach(f->inv, "tiny", pid, f->monitor_path, CALL_TIMEOUT_MS, &callbacks,
                                  f, &error);
    g_assert_null(f->proc);
    g_clear_pointer(&msg, g_free);
    msg = g_strdup_printf("QEMU for domain 'tiny' (pid %d) is gone", (int)pid);
    g_assert_cmpstr(error->message, ==, msg);
}

/* A wedged QEMU (stopped with SIGSTOP): its call fails after the timeout, another
 * QEMU on the same loop answers meanwhile, and once it runs again it is usable. */
static void test_wedged(Fixture *f, gconstpointer data)
{
    g_autoptr(Command) cmd = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *other_dir = NULL;
    g_autofree char *other_sock = NULL;
    g_autofree char *other_log = NULL;
    g_autoptr(QemuMonitorMessage) reply = NULL;
    QemuProcess *other;
    pid_t pid;

    (void)data;
    if (!have_qemu())
        return;
    launch_tiny(f);
    pid = qemu_process_pid(f->proc);
    other_sock = g_build_filename(f->tmp, "other.sock", NULL);
    other_log = g_build_filename(f->tmp, "other.log", NULL);
    other_dir = g_build_filename(f->tmp, "other", NULL);
    g_assert_cmpint(g_mkdir(other_dir, 0700), ==, 0);
    cmd = qemu_test_tiny_command("other", other_dir);
    other = qemu_process_launch(f->inv, "other", cmd, other_sock, other_log, LAUNCH_TIMEOUT_MS,
                                NULL, NULL, &error);
    g_assert_no_error(error);
    qemu_test_kill_on_abort(qemu_process_pid(other));

    g_assert_cmpint(kill(pid, SIGSTOP), ==, 0);
    g_assert_false(qemu_monitor_call(qemu_process_monitor(f->proc),
                                     qemu_monitor_command_new("query-status"), 300, NULL, &error));
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_TIMEOUT);
    g_assert_cmpstr(error->message, ==,
                    "QEMU for domain 'tiny' did not answer 'query-status' within 0.3 s");
    g_clear_error(&error);
    g_assert_true(qemu_monitor_call(qemu_process_monitor(other),
                                    qemu_monitor_command_new("query-status"), CALL_TIMEOUT_MS, NULL,
                                    &error));
    g_assert_no_error(error);

    g_assert_cmpint(kill(pid, SIGCONT), ==, 0);
    call(f, "query-name", &reply);
    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(reply->value), "name"), ==,
                    "tiny");
    g_assert_true(qemu_process_kill(other, 10000, &error));
    qemu_test_kill_forget(qemu_process_pid(other));
    qemu_process_free(other);
}

#define ADD(path, func) g_test_add(path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ADD("/process/launch-events-quit", test_launch_events_quit);
    ADD("/process/external-sigkill", test_external_sigkill);
    ADD("/process/kill-grace", test_kill_grace);
    ADD("/process/kill-after-grace", test_kill_after_grace);
    ADD("/process/launch-bad-argument", test_launch_bad_argument);
    ADD("/process/launch-no-binary", test_launch_no_binary);
    ADD("/process/wedged", test_wedged);
    ADD("/process/attach", test_attach);
    ADD("/process/attach-refused", test_attach_refused);
    return g_test_run();
}
