/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tier: unit (spawns /bin/sh and coreutils). Running commands: status, capture, clean
 * environment, exactly the passed fds, async spawn with a pidfd, exec errors. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/command.h"
#include "util/error.h"

static CommandResult *run_ok(Command *cmd, size_t max)
{
    g_autoptr(GError) error = NULL;
    CommandResult *res = NULL;

    g_assert_true(command_run(cmd, max, &res, &error));
    g_assert_no_error(error);
    g_assert_nonnull(res);
    return res;
}

static Command *sh(const char *script)
{
    Command *cmd = command_new("/bin/sh");

    command_add_arg_pair(cmd, "-c", script);
    return cmd;
}

static void test_true(void)
{
    g_autoptr(Command) cmd = command_new("/bin/true");
    g_autoptr(CommandResult) res = run_ok(cmd, 1024);

    g_assert_cmpint(res->status, ==, 0);
    g_assert_cmpint(res->signal, ==, 0);
    g_assert_cmpstr(res->out, ==, "");
    g_assert_cmpuint(res->out_len, ==, 0);
    g_assert_true(command_result_check(res, cmd, NULL));
}

static void test_exit_status(void)
{
    g_autoptr(Command) cmd = sh("echo 'it broke' >&2; exit 3");
    g_autoptr(CommandResult) res = run_ok(cmd, 1024);
    g_autoptr(GError) error = NULL;

    g_assert_cmpint(res->status, ==, 3);
    g_assert_cmpint(res->signal, ==, 0);
    g_assert_cmpstr(res->err, ==, "it broke\n");
    g_assert_false(command_result_check(res, cmd, &error));
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INTERNAL_ERROR);
    g_assert_cmpstr(error->message, ==, "command '/bin/sh' exited with status 3: it broke");
}

static void test_signal(void)
{
    g_autoptr(Command) cmd = sh("kill -TERM $$");
    g_autoptr(CommandResult) res = run_ok(cmd, 1024);
    g_autoptr(GError) error = NULL;

    g_assert_cmpint(res->status, ==, -1);
    g_assert_cmpint(res->signal, ==, SIGTERM);
    g_assert_false(command_result_check(res, cmd, &error));
    g_assert_true(g_str_has_prefix(error->message, "command '/bin/sh' was killed by signal 15"));
}

static void test_capture(void)
{
    g_autoptr(Command) cmd = sh("printf 'out\\0put'; printf err >&2");
    g_autoptr(CommandResult) res = run_ok(cmd, 1024);

    g_assert_cmpuint(res->out_len, ==, 7);
    g_assert_cmpmem(res->out, 7, "out\0put", 7);
    g_assert_cmpint(res->out[7], ==, '\0');
    g_assert_false(res->out_truncated);
    g_assert_cmpstr(res->err, ==, "err");
}

static void test_capture_bound(void)
{
    /* 1 MiB through a 64 KiB pipe: the child would block forever if we stopped reading. */
    g_autoptr(Command) cmd = sh("head -c 1048576 /dev/zero; head -c 300000 /dev/zero >&2");
    g_autoptr(CommandResult) res = run_ok(cmd, 1000);

    g_assert_cmpint(res->status, ==, 0);
    g_assert_cmpuint(res->out_len, ==, 1000);
    g_assert_true(res->out_truncated);
    g_assert_cmpuint(res->err_len, ==, 1000);
    g_assert_true(res->err_truncated);
}

static void test_env_clean(void)
{
    g_autoptr(Command) empty = command_new("/usr/bin/env");
    g_autoptr(Command) some = command_new("/usr/bin/env");
    g_autoptr(CommandResult) r1 = NULL;
    g_autoptr(CommandResult) r2 = NULL;

    g_assert_true(g_setenv("VIRTKIT_TEST_LEAK", "secret", TRUE));
    r1 = run_ok(empty, 4096);
    g_assert_cmpstr(r1->out, ==, "");

    command_add_env(some, "A", "1");
    command_add_env(some, "B", "x y");
    r2 = run_ok(some, 4096);
    g_assert_cmpstr(r2->out, ==, "A=1\nB=x y\n");
}

static void test_fds_only_passed(void)
{
    /* Three fds open without CLOEXEC in the parent; only one is passed. */
    int leak1 = open("/dev/null", O_RDONLY);
    int passed = open("/dev/null", O_RDONLY);
    int leak2 = open("/dev/null", O_RDONLY);
    /* Builtins only (no pipeline, no child): the shell's own fds are not disturbed. */
    g_autoptr(Command) cmd = sh("n=0; while [ $n -lt 256 ]; do [ -e /proc/self/fd/$n ] && "
                                "echo $n; n=$((n + 1)); done; true");
    g_autoptr(CommandResult) res = NULL;
    g_autofree char *expected = g_strdup_printf("0\n1\n2\n%d\n", passed);

    g_assert_cmpint(leak1, >=, 3);
    g_assert_cmpint(leak2, >=, 3);
    command_pass_fd(cmd, passed, 0);
    res = run_ok(cmd, 4096);
    g_assert_cmpstr(res->out, ==, expected);
    (void)close(leak1);
    (void)close(passed);
    (void)close(leak2);
}

static void test_fd_map(void)
{
    /* Swap two fds on the way in: the child must see each one's own contents. */
    int p1[2], p2[2];
    g_autoptr(Command) cmd = sh("cat <&3; cat <&4");
    g_autoptr(CommandResult) res = NULL;

    g_assert_cmpint(pipe(p1), ==, 0);
    g_assert_cmpint(pipe(p2), ==, 0);
    g_assert_cmpint(write(p1[1], "one\n", 4), ==, 4);
    g_assert_cmpint(write(p2[1], "two\n", 4), ==, 4);
    (void)close(p1[1]);
    (void)close(p2[1]);
    /* p2[0] becomes 3, p1[0] becomes 4 */
    command_map_fd(cmd, p2[0], 3, COMMAND_FD_CLOSE_PARENT);
    command_map_fd(cmd, p1[0], 4, COMMAND_FD_CLOSE_PARENT);
    res = run_ok(cmd, 4096);
    g_assert_cmpstr(res->out, ==, "two\none\n");
}

static void test_workdir_umask(void)
{
    g_autoptr(Command) cmd = sh("pwd; umask");
    g_autoptr(CommandResult) res = NULL;

    command_set_working_dir(cmd, "/proc");
    command_set_umask(cmd, 027);
    res = run_ok(cmd, 4096);
    g_assert_cmpstr(res->out, ==, "/proc\n0027\n");
}

static void test_stdin(void)
{
    int p[2];
    g_autoptr(Command) cmd = command_new("/bin/cat");
    g_autoptr(Command) devnull = command_new("/bin/cat");
    g_autoptr(CommandResult) res = NULL;
    g_autoptr(CommandResult) res2 = NULL;

    g_assert_cmpint(pipe(p), ==, 0);
    g_assert_cmpint(write(p[1], "input", 5), ==, 5);
    (void)close(p[1]);
    command_set_stdin_fd(cmd, p[0]);
    res = run_ok(cmd, 4096);
    g_assert_cmpstr(res->out, ==, "input");
    (void)close(p[0]);
    res2 = run_ok(devnull, 4096); /* stdin defaults to /dev/null: no hang */
    g_assert_cmpstr(res2->out, ==, "");
}

static void test_missing_binary(void)
{
    g_autoptr(Command) abs = command_new("/nonexistent/virtkit-no-such-binary");
    g_autoptr(Command) rel = command_new("virtkit-no-such-binary");
    g_autoptr(Command) dir = command_new("/bin/true");
    g_autoptr(GError) error = NULL;
    CommandResult *res = NULL;

    g_assert_false(command_run(abs, 1024, &res, &error));
    g_assert_null(res);
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR);
    g_assert_cmpstr(error->message, ==,
                    "cannot execute '/nonexistent/virtkit-no-such-binary': No such file or "
                    "directory");
    g_clear_error(&error);

    g_assert_false(command_run(rel, 1024, &res, &error));
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR);
    g_assert_cmpstr(error->message, ==,
                    "cannot find executable 'virtkit-no-such-binary' in PATH: No such file or "
                    "directory");
    g_clear_error(&error);

    command_set_working_dir(dir, "/nonexistent-dir");
    g_assert_false(command_run(dir, 1024, &res, &error));
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR);
    g_assert_cmpstr(error->message, ==,
                    "cannot change to directory '/nonexistent-dir' for '/bin/true': No such file "
                    "or directory");
}

static void test_path_lookup(void)
{
    g_autoptr(Command) cmd = command_new("true"); /* found in our PATH */
    g_autoptr(CommandResult) res = run_ok(cmd, 16);

    g_assert_cmpint(res->status, ==, 0);
}

static void test_build_error_not_run(void)
{
    g_autoptr(Command) cmd = command_new("/bin/true");
    g_autoptr(GError) error = NULL;
    CommandResult *res = NULL;
    pid_t pid = 0;

    command_add_env(cmd, "BAD NAME", "x");
    g_assert_false(command_run(cmd, 16, &res, &error));
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_false(command_spawn(cmd, &pid, NULL, &error));
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG);
    g_assert_cmpint(pid, ==, 0);
}

static void test_spawn_async(void)
{
    g_autoptr(Command) cmd = sh("read x; exit 7");
    g_autoptr(GError) error = NULL;
    struct pollfd pfd;
    pid_t pid = 0;
    int pidfd = -1;
    int wstatus = 0;
    int p[2];

    g_assert_cmpint(pipe(p), ==, 0);
    command_set_stdin_fd(cmd, p[0]);
    g_assert_true(command_spawn(cmd, &pid, &pidfd, &error));
    g_assert_no_error(error);
    g_assert_cmpint(pid, >, 0);
    (void)close(p[0]);
    if (pidfd >= 0) {
        g_assert_cmpint(fcntl(pidfd, F_GETFD) & FD_CLOEXEC, !=, 0);
        pfd = (struct pollfd){ pidfd, POLLIN, 0 };
        g_assert_cmpint(poll(&pfd, 1, 0), ==, 0); /* still running: waits on stdin */
    }
    g_assert_cmpint(write(p[1], "go\n", 3), ==, 3);
    (void)close(p[1]);
    if (pidfd >= 0) {
        pfd = (struct pollfd){ pidfd, POLLIN, 0 };
        g_assert_cmpint(poll(&pfd, 1, -1), ==, 1);
        (void)close(pidfd);
    }
    g_assert_cmpint(waitpid(pid, &wstatus, 0), ==, pid);
    g_assert_true(WIFEXITED(wstatus));
    g_assert_cmpint(WEXITSTATUS(wstatus), ==, 7);
}

static void test_timeout(void)
{
    g_autoptr(Command) cmd = sh("exec sleep 30");
    g_autoptr(Command) quick = sh("echo fine");
    g_autoptr(CommandResult) ok = NULL;
    g_autoptr(GError) error = NULL;
    CommandResult *res = NULL;
    gint64 start = g_get_monotonic_time();

    command_set_timeout(cmd, 100);
    g_assert_false(command_run(cmd, 1024, &res, &error));
    g_assert_null(res);
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_OPERATION_TIMEOUT);
    g_assert_cmpstr(error->message, ==, "command '/bin/sh' timed out after 100 ms");
    g_assert_cmpint(g_get_monotonic_time() - start, <, 10 * G_USEC_PER_SEC);

    command_set_timeout(quick, 10000);
    ok = run_ok(quick, 1024);
    g_assert_cmpstr(ok->out, ==, "fine\n");
}

static void test_signals_reset(void)
{
    /* A daemon ignores SIGPIPE and blocks signals; its children must not inherit that. */
    /* Builtins only: a forked grep would race with the shell's own masking around wait. */
    g_autoptr(Command) cmd = sh("while read k v; do case $k in SigBlk:|SigIgn:) echo \"$k $v\";; "
                                "esac; done </proc/self/status");
    g_autoptr(CommandResult) res = NULL;
    sigset_t set, old;

    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    res = run_ok(cmd, 4096);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    signal(SIGPIPE, SIG_DFL);
    g_assert_cmpstr(res->out, ==, "SigBlk: 0000000000000000\nSigIgn: 0000000000000000\n");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/util/command-run/true", test_true);
    g_test_add_func("/util/command-run/exit-status", test_exit_status);
    g_test_add_func("/util/command-run/signal", test_signal);
    g_test_add_func("/util/command-run/capture", test_capture);
    g_test_add_func("/util/command-run/capture-bound", test_capture_bound);
    g_test_add_func("/util/command-run/env-clean", test_env_clean);
    g_test_add_func("/util/command-run/fds-only-passed", test_fds_only_passed);
    g_test_add_func("/util/command-run/fd-map", test_fd_map);
    g_test_add_func("/util/command-run/workdir-umask", test_workdir_umask);
    g_test_add_func("/util/command-run/stdin", test_stdin);
    g_test_add_func("/util/command-run/missing-binary", test_missing_binary);
    g_test_add_func("/util/command-run/path-lookup", test_path_lookup);
    g_test_add_func("/util/command-run/build-error-not-run", test_build_error_not_run);
    g_test_add_func("/util/command-run/spawn-async", test_spawn_async);
    g_test_add_func("/util/command-run/signals-reset", test_signals_reset);
    g_test_add_func("/util/command-run/timeout", test_timeout);
    return g_test_run();
}
