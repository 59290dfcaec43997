/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <signal.h>
#include <string.h>

#include "qemu-command.h"
#include "qemu-process.h"
#include "qemu-test-loop.h"
#include "qemu-test-util.h"

struct QemuTestLoop {
    GThread *thread;
    GMutex lock;
    GCond cond;
    LoopInvoker *inv; /* set by the thread once the loop is ready */
};

static gpointer qemu_test_loop_thread(gpointer data)
{
    QemuTestLoop *loop = data;
    g_autoptr(GError) error = NULL;
    sd_event *event = NULL;
    LoopInvoker *inv;

    g_assert_cmpint(sd_event_new(&event), >=, 0);
    inv = loop_invoker_new(event, &error);
    g_assert_no_error(error);
    g_mutex_lock(&loop->lock);
    loop->inv = inv;
    g_cond_signal(&loop->cond);
    g_mutex_unlock(&loop->lock);
    g_assert_cmpint(sd_event_loop(event), >=, 0);
    loop_invoker_free(inv);
    sd_event_unref(event);
    return NULL;
}

QemuTestLoop *qemu_test_loop_start(void)
{
    QemuTestLoop *loop = g_new0(QemuTestLoop, 1);

    g_mutex_init(&loop->lock);
    g_cond_init(&loop->cond);
    loop->thread = g_thread_new("test-loop", qemu_test_loop_thread, loop);
    g_mutex_lock(&loop->lock);
    while (!loop->inv)
        g_cond_wait(&loop->cond, &loop->lock);
    g_mutex_unlock(&loop->lock);
    return loop;
}

LoopInvoker *qemu_test_loop_invoker(QemuTestLoop *loop)
{
    return loop->inv;
}

static void qemu_test_loop_exit(void *data)
{
    QemuTestLoop *loop = data;

    (void)sd_event_exit(loop_invoker_event(loop->inv), 0);
}

void qemu_test_loop_stop(QemuTestLoop *loop)
{
    if (!loop)
        return;
    loop_invoker_post(loop->inv, qemu_test_loop_exit, loop, NULL);
    g_thread_join(loop->thread);
    g_mutex_clear(&loop->lock);
    g_cond_clear(&loop->cond);
    g_free(loop);
}

Command *qemu_test_tiny_command(const char *name, const char *dir)
{
    g_autoptr(QemuCaps) caps = qemu_test_caps_load("x86_64-7.2.replies");
    g_autoptr(QemuPrepared) prep = qemu_prepared_new();
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *xml =
        g_strdup_printf("<domain type='qemu'>\n"
                        "  <name>%s</name>\n"
                        "  <memory unit='MiB'>64</memory>\n"
                        "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
                        "  <devices><memballoon model='none'/></devices>\n"
                        "</domain>\n",
                        name);
    DomainPostParseOps ops = qemu_post_parse_ops(caps);
    Command *cmd = NULL;

    def = domain_def_parse_full(xml, 0, &ops, &error);
    g_assert_no_error(error);
    prep->monitor_fd = QEMU_PROCESS_MONITOR_FD;
    prep->monitor_fd_launcher = true;
    prep->lib_dir = g_strdup(dir);
    prep->pidfile = g_build_filename(dir, "qemu.pid", NULL);
    g_assert_true(qemu_build_command(def, caps, prep, &cmd, &error));
    g_assert_no_error(error);
    return cmd;
}

#define KILL_MAX 64
static pid_t kill_pids[KILL_MAX];
static gint kill_count;

static void qemu_test_kill_handler(int sig)
{
    int n = MIN(g_atomic_int_get(&kill_count), KILL_MAX);

    for (int i = 0; i < n; i++) {
        if (kill_pids[i] > 0)
            (void)kill(kill_pids[i], SIGKILL);
    }
    (void)signal(sig, SIG_DFL);
    (void)raise(sig);
}

void qemu_test_kill_on_abort(pid_t pid)
{
    int i = g_atomic_int_add(&kill_count, 1);

    if (i == 0) {
        struct sigaction sa;

        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = qemu_test_kill_handler;
        sigemptyset(&sa.sa_mask);
        (void)sigaction(SIGABRT, &sa, NULL);
        (void)sigaction(SIGTERM, &sa, NULL);
        (void)sigaction(SIGINT, &sa, NULL);
        (void)sigaction(SIGSEGV, &sa, NULL);
    }
    if (i < KILL_MAX)
        kill_pids[i] = pid;
}

void qemu_test_kill_forget(pid_t pid)
{
    for (int i = 0; i < MIN(g_atomic_int_get(&kill_count), KILL_MAX); i++) {
        if (kill_pids[i] == pid)
            kill_pids[i] = 0;
    }
}
