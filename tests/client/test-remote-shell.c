/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtsh over the wire prints exactly what it prints in process: each case runs the
 * real virtsh binary twice, with -c test:///default (in-process test driver) and with
 * -c test+unix:///default?socket=... against a fresh proxyd (same starting state),
 * and compares stdout, stderr and the exit status. Node-file cases use
 * test:///PATH.xml and test+unix:///PATH.xml the same way.
 *
 * CPU time is masked: it follows the clock. Not compared: "uri" (the URIs differ by design) and
 * broken XML, whose parser message the daemon sends without libvirt's "XML error: " prefix (virsh
 * shows the same bare message against it).
 *
 * Usage: test-remote-shell (VIRTKIT_VIRTSH, VIRTKIT_PROXYD, VIRTKIT_TEST_SRCDIR)
 */

#include <poll.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "remote-harness.h"

typedef struct ShellCase {
    const char *name;
    bool node;        /* use the node file instead of test:///default */
    bool readonly;    /* -r */
    const char *args; /* shell words after "-c URI" */
} ShellCase;

static const ShellCase cases[] = {
    { "version", false, false, "version" },
    { "hostname", false, false, "hostname" },
    { "nodeinfo", false, false, "nodeinfo" },
    { "capabilities", false, false, "capabilities" },
    { "list", false, false, "'list; list --all; list --inactive; list --name; list --uuid'" },
    { "list-title", false, false, "'list --all --name --uuid; list --title'" },
    { "dominfo", false, false,
      "'dominfo test; dominfo 1; dominfo 6695eb01-f6a4-8304-79aa-97f2502e193f'" },
    { "domstate", false, false, "'domstate test; domstate test --reason'" },
    { "ids", false, false, "'domid test; domname 1; domuuid test; domuuid 1'" },
    { "dumpxml", false, false, "'dumpxml test; dumpxml --inactive --security-info test'" },
    { "lifecycle", false, false,
      "'define new.xml; list --all; start new1; list; suspend new1; domstate new1; "
      "resume new1; destroy new1; undefine new1; list --all'" },
    { "create-destroy", false, false,
      "'create new.xml; list --all; dominfo new1; destroy new1; list --all'" },
    { "shutdown-reboot-reset", false, false,
      "'reboot test; reset test; shutdown test; list --all'" },
    { "undefine-running", false, false,
      "'undefine test; list --all; dominfo test; destroy test; list --all'" },
    { "start-active", false, false, "start test" },
    { "start-paused", false, false, "'define new.xml; start --paused new1; domstate new1'" },
    { "autostart", false, false, "'autostart test; dominfo test; autostart --disable test'" },
    { "desc", false, false,
      "'desc test; desc test --new-desc hello there; desc test; desc test --title "
      "--new-desc T; list --title'" },
    { "metadata", false, false,
      "'metadata test http://example.org/ --key ex --set <foo>bar</foo>; "
      "metadata test http://example.org/; metadata test --uri http://example.org/ "
      "--key ex --remove; metadata test http://example.org/'" },
    { "unknown-domain", false, false, "'dominfo nope; domid nope; list'" },
    { "resume-running", false, false, "resume test" },
    { "undefine-errors", false, false, "'undefine test --nvram --keep-nvram; undefine nope'" },
    { "define-missing-file", false, false, "define missing.xml" },
    { "readonly", false, true, "'list; destroy test; define new.xml; undefine test'" },
    { "events-timeout", false, false, "'event --all --timeout 1; event --list'" },
    { "events-errors", false, false,
      "'event; event --event bogus; event --domain nope --all --timeout 1'" },
    { "node-list", true, false, "'list --all; list --state-paused; list --inactive'" },
    { "node-info", true, false, "'dominfo db1; domstate batch; domid db1; resume batch; list'" },
    { "node-destroy-inactive", true, false, "destroy db1" },
};

typedef struct RunResult {
    char *out;
    char *err;
    int status;
} RunResult;

static void run_result_clear(RunResult *r)
{
    g_free(r->out);
    g_free(r->err);
}

/* The test driver's CPU time follows the clock (as libvirt's does): mask it. */
static char *normalize(char *text)
{
    g_autoptr(GRegex) re = g_regex_new("^CPU time: .*$", G_REGEX_MULTILINE, 0, NULL);
    char *ret = g_regex_replace_literal(re, text, -1, 0, "CPU time: N", 0, NULL);

    g_free(text);
    return ret;
}

static void run_virtsh(const char *uri, const ShellCase *c, RunResult *ret)
{
    const char *virtsh = g_getenv("VIRTKIT_VIRTSH");
    g_autofree char *datadir =
        g_build_filename(g_getenv("VIRTKIT_TEST_SRCDIR"), "shell", "data", NULL);
    g_autofree char *quoted = g_shell_quote(uri);
    g_autofree char *cmdline =
        g_strdup_printf("%s %s -c %s %s", virtsh, c->readonly ? "-r" : "", quoted, c->args);
    g_auto(GStrv) argv = NULL;
    g_auto(GStrv) env = g_get_environ();
    g_autoptr(GError) error = NULL;

    g_assert_nonnull(virtsh);
    g_assert_true(g_shell_parse_argv(cmdline, NULL, &argv, &error));
    env = g_environ_unsetenv(env, "LIBVIRT_DEFAULT_URI");
    env = g_environ_unsetenv(env, "VIRTKIT_DEFAULT_URI");
    env = g_environ_setenv(env, "LIBVIRT_AUTOSTART", "0", TRUE);
    env = g_environ_setenv(env, "LC_ALL", "C", TRUE);
    g_assert_true(g_spawn_sync(datadir, argv, env, G_SPAWN_DEFAULT, NULL, NULL, &ret->out,
                               &ret->err, &ret->status, &error));
    g_assert_no_error(error);
    ret->out = normalize(ret->out);
}

static void test_case(gconstpointer data)
{
    const ShellCase *c = data;
    g_autofree char *node =
        g_build_filename(g_getenv("VIRTKIT_TEST_SRCDIR"), "shell", "data", "node.xml", NULL);
    g_autofree char *local_uri = NULL;
    g_autofree char *remote_uri = NULL;
    TestProxyd *pd = test_proxyd_start(NULL);
    RunResult local = { 0 }, remote = { 0 };

    if (c->node) {
        local_uri = g_strdup_printf("test://%s", node);
        remote_uri = g_strdup_printf("test+unix://%s?socket=%s", node, pd->sock);
    } else {
        local_uri = g_strdup("test:///default");
        remote_uri = g_strdup(pd->uri);
    }
    run_virtsh(local_uri, c, &local);
    run_virtsh(remote_uri, c, &remote);
    test_proxyd_stop(pd);
    if (g_strcmp0(local.out, remote.out) != 0 || g_strcmp0(local.err, remote.err) != 0)
        g_test_message("in process:\n%s%s\nremote:\n%s%s", local.out, local.err, remote.out,
                       remote.err);
    g_assert_cmpstr(remote.out, ==, local.out);
    g_assert_cmpstr(remote.err, ==, local.err);
    g_assert_cmpint(remote.status, ==, local.status);
    run_result_clear(&local);
    run_result_clear(&remote);
}

/* Run one virtsh command against @uri and expect success. */
static void virtsh_ok(const char *uri, const char *args)
{
    ShellCase c = { .name = "action", .args = args };
    RunResult r = { 0 };

    run_virtsh(uri, &c, &r);
    g_assert_cmpint(r.status, ==, 0);
    run_result_clear(&r);
}

/* Read what @fd has within @timeout_ms into @buf; false at EOF. */
static bool read_some(int fd, GString *buf, int timeout_ms)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    char chunk[4096];
    ssize_t n;

    if (poll(&pfd, 1, timeout_ms) <= 0)
        return true;
    n = read(fd, chunk, sizeof(chunk));
    if (n <= 0)
        return false;
    g_string_append_len(buf, chunk, n);
    return true;
}

/* "virtsh event --all --loop" sees another client's actions, in order, printed as
 * virsh prints them, and exits 0 with the count after its timeout. */
static void test_event_loop_output(void)
{
    TestProxyd *pd = test_proxyd_start(NULL);
    g_autofree char *datadir =
        g_build_filename(g_getenv("VIRTKIT_TEST_SRCDIR"), "shell", "data", NULL);
    const char *argv[] = { g_getenv("VIRTKIT_VIRTSH"),
                           "-c",
                           pd->uri,
                           "event",
                           "--all",
                           "--loop",
                           "--timeout",
                           "5",
                           NULL };
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GString) seen = g_string_new(NULL);
    g_auto(GStrv) lines = NULL;
    g_autoptr(GError) error = NULL;
    int64_t deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    int out_fd, status;
    GPid pid;

    g_assert_true(g_spawn_async_with_pipes(datadir, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                           NULL, NULL, &pid, NULL, &out_fd, NULL, &error));
    g_assert_no_error(error);
    /* the watcher registers at some point after it starts: poke until it reports */
    while (!strstr(out->str, "Resumed") && g_get_monotonic_time() < deadline) {
        virtsh_ok(pd->uri, "'suspend test; resume test'");
        read_some(out_fd, out, 100);
    }
    g_assert_nonnull(strstr(out->str, "Resumed"));
    virtsh_ok(pd->uri, "'define new.xml; start new1; suspend new1; resume new1; destroy new1; "
                       "undefine new1'");
    while (read_some(out_fd, out, 1000))
        ;
    close(out_fd);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_spawn_close_pid(pid);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* the pokes' events (domain 'test') are not part of the comparison */
    lines = g_strsplit(out->str, "\n", -1);
    for (char **l = lines; *l; l++) {
        if (!strstr(*l, "domain 'test'"))
            g_string_append_printf(seen, "%s\n", *l);
    }
    g_assert_true(g_str_has_prefix(seen->str,
                                   "event 'lifecycle' for domain 'new1': Defined Added\n"
                                   "event 'lifecycle' for domain 'new1': Started Booted\n"
                                   "event 'lifecycle' for domain 'new1': Suspended Paused\n"
                                   "event 'lifecycle' for domain 'new1': Resumed Unpaused\n"
                                   "event 'lifecycle' for domain 'new1': Stopped Destroyed\n"
                                   "event 'lifecycle' for domain 'new1': Undefined Removed\n"
                                   "event loop timed out\n"
                                   "events received: "));
    test_proxyd_stop(pd);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_strdup_printf("/client/remote-shell/%s", cases[i].name);

        g_test_add_data_func(path, &cases[i], test_case);
    }
    g_test_add_func("/client/remote-shell/event-loop-output", test_event_loop_output);
    return g_test_run();
}
