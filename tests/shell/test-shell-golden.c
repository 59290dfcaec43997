/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtsh golden tests: each case runs the real virtsh binary (in-process test
 * driver, a fresh state per run) and compares stdout, stderr and the exit status
 * with data/golden/<case>.txt. Cases marked ORACLE are also run through Debian's
 * real virsh, when /usr/bin/virsh exists, and must print the same (after
 * normalize() drops what legitimately differs).
 *
 * Regenerate with REGENERATE_GOLDEN=1 and review the diff.
 * In arguments and goldens, @DATA@ stands for tests/shell/data (also the working
 * directory, so files are named relatively) and @HOSTNAME@ for the host's name.
 *
 * Usage: test-shell-golden VIRTSH_PATH
 */

#include <string.h>

#include "shell-test.h"

static char *format_result(const ShellCase *c, const RunResult *r)
{
    g_autofree char *raw = unsubstitute(r->out);
    g_autofree char *out = normalize(raw);
    g_autofree char *err = unsubstitute(r->err);

    return g_strdup_printf("$ virtsh %s\n--- stdout\n%s--- stderr\n%s--- exit %d\n", c->args, out,
                           err, r->status);
}

static void test_golden(gconstpointer data)
{
    const ShellCase *c = data;
    g_autofree char *path = g_strdup_printf("%s/golden/%s.txt", data_dir, c->name);
    g_autofree char *expect = NULL;
    g_autofree char *actual = NULL;
    RunResult r = { 0 };

    if (skip_case(c))
        return;
    run_args(virtsh_path, c->args, &r);
    actual = format_result(c, &r);
    run_result_clear(&r);
    if (g_getenv("REGENERATE_GOLDEN")) {
        g_assert_true(g_file_set_contents(path, actual, -1, NULL));
        return;
    }
    if (!g_file_get_contents(path, &expect, NULL, NULL)) {
        g_test_message("missing %s (REGENERATE_GOLDEN=1 writes it)", path);
        g_test_fail();
        return;
    }
    assert_same_text(c->name, actual, expect);
}

static void test_oracle(gconstpointer data)
{
    const ShellCase *c = data;
    RunResult ours = { 0 }, theirs = { 0 };
    g_autofree char *ours_out = NULL, *theirs_out = NULL;

    if (!g_file_test(VIRSH_PATH, G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_skip("no " VIRSH_PATH);
        return;
    }
    if (skip_case(c))
        return;
    run_args(virtsh_path, c->args, &ours);
    run_args(VIRSH_PATH, c->args, &theirs);
    ours_out = normalize(ours.out);
    theirs_out = normalize(theirs.out);
    assert_same_text("stdout", ours_out, theirs_out);
    assert_same_text("stderr", ours.err, theirs.err);
    if (ours.status != theirs.status) {
        g_test_message("exit status: virtsh %d, virsh %d", ours.status, theirs.status);
        g_test_fail();
    }
    run_result_clear(&ours);
    run_result_clear(&theirs);
}

/* Every golden file belongs to a case (stale files fail the suite). */
static void test_no_stray_goldens(void)
{
    g_autofree char *dir_path = g_strdup_printf("%s/golden", data_dir);
    g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
    const char *entry;

    g_assert_nonnull(dir);
    while ((entry = g_dir_read_name(dir))) {
        bool known = false;

        for (size_t i = 0; i < shell_n_cases && !known; i++) {
            g_autofree char *file = g_strdup_printf("%s.txt", shell_cases[i].name);

            known = strcmp(entry, file) == 0;
        }
        if (!known)
            g_test_message("golden file without a case: %s", entry);
        g_assert_true(known);
    }
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    shell_test_init(argc, argv);
    for (size_t i = 0; i < shell_n_cases; i++) {
        g_autofree char *golden = g_strdup_printf("/shell/golden/%s", shell_cases[i].name);

        g_test_add_data_func(golden, &shell_cases[i], test_golden);
        if (shell_cases[i].flags & ORACLE) {
            g_autofree char *oracle = g_strdup_printf("/shell/virsh/%s", shell_cases[i].name);

            g_test_add_data_func(oracle, &shell_cases[i], test_oracle);
        }
    }
    g_test_add_func("/shell/golden/no-stray-files", test_no_stray_goldens);
    ret = g_test_run();
    shell_test_fini();
    return ret;
}
