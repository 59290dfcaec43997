/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Benchmark (suite 'bench'): spawn to QMP-ready (greeting read, qmp_capabilities
 * answered), 10 runs each, of
 *   - bare QEMU: `qemu-system-x86_64 -machine none -qmp unix:PATH,server=on,wait=off`,
 *     ready once its socket appears (inotify), we connect and negotiate;
 *   - qemu_process_launch() of the same `-machine none` QEMU (socket handed over);
 *   - qemu_process_launch() of the disk-less TCG guest our builder makes (-machine pc).
 * Prints numbers; asserts only that every start worked. Issue 5's target: within 50 ms
 * of bare QEMU's spawn-to-ready.
 */

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemu-process.h"
#include "qemu-test-loop.h"
#include "qemu-test-util.h"
#include "util/error.h"
#include "util/fd-util.h"

#define RUNS 10
#define TIMEOUT_MS 30000

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static void report(const char *what, double *ms)
{
    qsort(ms, RUNS, sizeof(double), compare_double);
    printf("# %-34s median %6.1f ms  min %6.1f ms  max %6.1f ms  (%d runs)\n", what, ms[RUNS / 2],
           ms[0], ms[RUNS - 1], RUNS);
}

/* Wait (inotify on @dir, no sleeps) until @path exists. */
static void wait_for_file(const char *dir, const char *path)
{
    g_auto(VirtFd) ino = inotify_init1(IN_CLOEXEC);
    gint64 deadline = g_get_monotonic_time() + (gint64)TIMEOUT_MS * 1000;

    g_assert_cmpint(ino, >=, 0);
    g_assert_cmpint(inotify_add_watch(ino, dir, IN_CREATE), >=, 0);
    while (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        struct pollfd pfd = { .fd = ino, .events = POLLIN };
        char buf[4096];

        g_assert_cmpint(poll(&pfd, 1, (int)((deadline - g_get_monotonic_time()) / 1000)), ==, 1);
        (void)!read(ino, buf, sizeof(buf));
    }
}

/* QEMU binds before it listens: between the two a connect is refused, which is what
 * makes bare QEMU's readiness a matter of retrying (microseconds here). */
static int connect_unix(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    gint64 deadline = g_get_monotonic_time() + (gint64)TIMEOUT_MS * 1000;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    while (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        g_assert_cmpint(errno, ==, ECONNREFUSED);
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        sched_yield();
    }
    return fd;
}

static double run_bare(LoopInvoker *inv, const char *dir)
{
    g_autofree char *sock = g_build_filename(dir, "bare.sock", NULL);
    g_autoptr(Command) cmd = command_new("qemu-system-x86_64");
    g_autoptr(GError) error = NULL;
    QemuMonitor *mon;
    gint64 t0;
    double ms;
    pid_t pid;

    (void)unlink(sock);
    command_add_args(cmd, "-machine", "none", "-nodefaults", "-nographic", "-S", "-qmp", NULL);
    command_add_argf(cmd, "unix:%s,server=on,wait=off", sock);
    t0 = g_get_monotonic_time();
    g_assert_true(command_spawn(cmd, &pid, NULL, &error));
    qemu_test_kill_on_abort(pid);
    wait_for_file(dir, sock);
    mon = qemu_monitor_open(inv, connect_unix(sock), "bare", TIMEOUT_MS, NULL, NULL, &error);
    g_assert_no_error(error);
    ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
    qemu_monitor_close(mon);
    (void)kill(pid, SIGKILL);
    (void)waitpid(pid, NULL, 0);
    qemu_test_kill_forget(pid);
    return ms;
}

static double run_launch(LoopInvoker *inv, const char *dir, Command *cmd)
{
    g_autofree char *sock = g_build_filename(dir, "launch.sock", NULL);
    g_autofree char *log = g_build_filename(dir, "qemu.log", NULL);
    g_autoptr(GError) error = NULL;
    QemuProcess *proc;
    gint64 t0 = g_get_monotonic_time();
    double ms;

    proc = qemu_process_launch(inv, "bench", cmd, sock, log, TIMEOUT_MS, NULL, NULL, &error);
    g_assert_no_error(error);
    ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
    qemu_test_kill_on_abort(qemu_process_pid(proc));
    g_assert_true(qemu_process_kill(proc, 0, &error));
    qemu_test_kill_forget(qemu_process_pid(proc));
    qemu_process_free(proc);
    return ms;
}

static Command *machine_none_command(void)
{
    Command *cmd = command_new("qemu-system-x86_64");

    command_add_args(cmd, "-machine", "none", "-nodefaults", "-nographic", "-S", "-chardev", NULL);
    command_add_argf(cmd, "socket,id=charmonitor,fd=%d,server=on,wait=off",
                     QEMU_PROCESS_MONITOR_FD);
    command_add_args(cmd, "-mon", "chardev=charmonitor,id=monitor,mode=control", NULL);
    return cmd;
}

static void bench_spawn_ready(void)
{
    g_autofree char *binary = g_find_program_in_path("qemu-system-x86_64");
    g_autoptr(QemuTestLoop) loop = NULL;
    g_autofree char *tmp = NULL;
    double bare[RUNS], none[RUNS], tiny[RUNS];
    LoopInvoker *inv;

    if (!binary) {
        g_test_skip("qemu-system-x86_64 is not installed");
        return;
    }
    loop = qemu_test_loop_start();
    inv = qemu_test_loop_invoker(loop);
    tmp = g_dir_make_tmp("virtkit-process-bench-XXXXXX", NULL);
    /* alternate, so that machine load drifts hit all three alike */
    for (int i = 0; i < RUNS; i++) {
        g_autoptr(Command) none_cmd = machine_none_command();
        g_autoptr(Command) tiny_cmd = qemu_test_tiny_command("bench", tmp);

        bare[i] = run_bare(inv, tmp);
        none[i] = run_launch(inv, tmp, none_cmd);
        tiny[i] = run_launch(inv, tmp, tiny_cmd);
    }
    report("bare qemu -machine none -qmp unix:", bare);
    report("qemu_process_launch -machine none", none);
    report("qemu_process_launch disk-less pc", tiny);
    qemu_test_rm_rf(tmp);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemu/bench/process-spawn-ready", bench_spawn_ready);
    return g_test_run();
}
