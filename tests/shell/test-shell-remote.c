/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtsh through a daemon: every golden case that talks to test:///default or the
 * custom node file runs again with virtsh on test+unix://...?socket= against a
 * fresh proxyd (--root in a temporary directory), and must print exactly what the
 * in-process run prints. Where /usr/bin/virsh exists, virsh runs the same
 * remote command line against another fresh proxyd and must agree too.
 *
 * Usage: test-shell-remote VIRTSH_PATH PROXYD_PATH
 */

#include <string.h>

#include "remote-harness.h"
#include "shell-test.h"

/* The case's arguments with its URI pointed at the daemon's socket. */
static char *remote_args(const char *args, const char *sock)
{
    g_autofree char *def = g_strdup_printf("-c 'test+unix:///default?socket=%s' ", sock);
    g_autofree char *node = g_strdup_printf("-c 'test+unix://@DATA@/node.xml?socket=%s' ", sock);
    g_auto(GStrv) a = g_strsplit(args, "-c test:///default ", -1);
    g_autofree char *tmp = g_strjoinv(def, a);
    g_auto(GStrv) b = g_strsplit(tmp, "-c test://@DATA@/node.xml ", -1);

    return g_strjoinv(node, b);
}

static void run_remote(const char *program, const ShellCase *c, RunResult *ret)
{
    /* ready when it says READY=1 (sd_notify), not when its socket file appears */
    TestProxyd *pd = test_proxyd_start(NULL);
    g_autofree char *args = remote_args(c->args, pd->sock);

    run_args(program, args, ret);
    test_proxyd_stop(pd);
}

static void assert_same_result(const char *who, const RunResult *a, const RunResult *b)
{
    g_autofree char *a_out = normalize(a->out);
    g_autofree char *b_out = normalize(b->out);
    g_autofree char *what_out = g_strdup_printf("%s stdout", who);
    g_autofree char *what_err = g_strdup_printf("%s stderr", who);

    assert_same_text(what_out, a_out, b_out);
    assert_same_text(what_err, a->err, b->err);
    if (a->status != b->status) {
        g_test_message("%s exit status: %d vs %d", who, a->status, b->status);
        g_test_fail();
    }
}

static void test_remote(gconstpointer data)
{
    const ShellCase *c = data;
    RunResult local = { 0 }, remote = { 0 }, virsh = { 0 };

    if (skip_case(c))
        return;
    run_args(virtsh_path, c->args, &local);
    run_remote(virtsh_path, c, &remote);
    assert_same_result("virtsh remote vs in-process", &remote, &local);
    if (g_file_test(VIRSH_PATH, G_FILE_TEST_IS_EXECUTABLE)) {
        run_remote(VIRSH_PATH, c, &virsh);
        assert_same_result("virtsh vs virsh, both remote", &remote, &virsh);
        run_result_clear(&virsh);
    }
    run_result_clear(&local);
    run_result_clear(&remote);
}

/* Cases whose output names the URI, or that are about connecting itself. */
static bool remote_applies(const ShellCase *c)
{
    static const char *const excluded[] = { "uri", "node-uri", "connect-failure-keeps-session" };

    for (size_t i = 0; i < G_N_ELEMENTS(excluded); i++) {
        if (strcmp(c->name, excluded[i]) == 0)
            return false;
    }
    return strstr(c->args, "-c test:///default ") || strstr(c->args, "-c test://@DATA@/node.xml ");
}

int main(int argc, char **argv)
{
    g_autofree char *proxyd_path = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (argc < 3)
        g_error("usage: %s VIRTSH_PATH PROXYD_PATH", argv[0]);
    shell_test_init(argc, argv);
    proxyd_path = g_canonicalize_filename(argv[2], NULL); /* tests chdir */
    g_setenv("VIRTKIT_PROXYD", proxyd_path, TRUE);
    for (size_t i = 0; i < shell_n_cases; i++) {
        g_autofree char *name = g_strdup_printf("/shell/remote/%s", shell_cases[i].name);

        if (remote_applies(&shell_cases[i]))
            g_test_add_data_func(name, &shell_cases[i], test_remote);
    }
    ret = g_test_run();
    shell_test_fini();
    return ret;
}
