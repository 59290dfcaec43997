/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "test-golden.h"

char *test_data_dir(const char *area, const char *subdir)
{
    const char *srcdir = g_getenv("VIRTKIT_TEST_SRCDIR");

    g_assert_nonnull(srcdir);
    return g_build_filename(srcdir, area, "data", subdir, NULL);
}

char *test_read(const char *path)
{
    g_autoptr(GError) error = NULL;
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, &error))
        g_error("cannot read test data '%s': %s", path, error->message);
    return text;
}

bool test_regenerate(void)
{
    return g_strcmp0(g_getenv("REGENERATE_GOLDEN"), "1") == 0;
}

static void test_show_diff(const char *path, const char *actual)
{
    g_autofree char *tmp = NULL;
    g_autofree char *out = NULL;
    const char *argv[] = { "diff", "-u", "--", path, NULL, NULL };
    int fd = g_file_open_tmp("virtkit-golden-XXXXXX", &tmp, NULL);

    if (fd < 0)
        return;
    (void)!write(fd, actual, strlen(actual));
    close(fd);
    argv[4] = tmp;
    (void)g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, NULL,
                       NULL);
    g_test_message("golden mismatch for %s:\n%s", path, out ? out : "");
    (void)g_unlink(tmp);
}

void test_compare_golden(const char *path, const char *actual)
{
    g_autofree char *expected = NULL;

    if (test_regenerate()) {
        g_assert_true(g_file_set_contents(path, actual, -1, NULL));
        return;
    }
    if (!g_file_get_contents(path, &expected, NULL, NULL)) {
        g_test_message("golden file %s is missing (REGENERATE_GOLDEN=1 creates it)", path);
        g_test_fail();
        return;
    }
    if (strcmp(expected, actual) != 0) {
        test_show_diff(path, actual);
        g_test_fail();
    }
}

void test_mark_used(GHashTable *used, const char *file)
{
    g_hash_table_add(used, g_strdup(file));
}

void test_check_unused(const char *dir, GHashTable *used)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    g_assert_nonnull(d);
    if (test_regenerate()) {
        g_test_skip("goldens are being regenerated");
        return;
    }
    while ((name = g_dir_read_name(d))) {
        if (!g_hash_table_contains(used, name)) {
            g_test_message("data file '%s' in %s is used by no test case", name, dir);
            g_test_fail();
        }
    }
}
