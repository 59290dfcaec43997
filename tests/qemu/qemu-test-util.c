/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "qemu-test-util.h"

char *qemu_test_data_dir(const char *subdir)
{
    const char *srcdir = g_getenv("VIRTKIT_TEST_SRCDIR");

    g_assert_nonnull(srcdir);
    return g_build_filename(srcdir, "qemu", "data", subdir, NULL);
}

char *qemu_test_read(const char *path)
{
    g_autoptr(GError) error = NULL;
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, &error))
        g_error("cannot read test data '%s': %s", path, error->message);
    return text;
}

bool qemu_test_regenerate(void)
{
    return g_strcmp0(g_getenv("REGENERATE_GOLDEN"), "1") == 0;
}

/* Blocks are pretty-printed JSON separated by one empty line; JSON never contains one. */
GPtrArray *qemu_test_replies_load(const char *path)
{
    g_autofree char *text = qemu_test_read(path);
    g_auto(GStrv) blocks = g_strsplit(text, "\n\n", -1);
    GPtrArray *msgs = g_ptr_array_new_with_free_func(g_free);

    for (size_t i = 0; blocks[i]; i++) {
        g_strstrip(blocks[i]);
        if (blocks[i][0])
            g_ptr_array_add(msgs, g_strdup(blocks[i]));
    }
    return msgs;
}

static void qemu_test_show_diff(const char *path, const char *actual)
{
    g_autofree char *tmp = NULL;
    g_autofree char *cmd = NULL;
    g_autofree char *out = NULL;
    int fd = g_file_open_tmp("qemu-golden-XXXXXX", &tmp, NULL);

    if (fd < 0)
        return;
    (void)!write(fd, actual, strlen(actual));
    close(fd);
    cmd = g_strdup_printf("diff -u '%s' '%s'", path, tmp);
    (void)g_spawn_command_line_sync(cmd, &out, NULL, NULL, NULL);
    g_test_message("golden mismatch for %s:\n%s", path, out ? out : "");
    (void)g_unlink(tmp);
}

void qemu_test_compare_golden(const char *path, const char *actual)
{
    g_autofree char *expected = NULL;

    if (qemu_test_regenerate()) {
        g_assert_true(g_file_set_contents(path, actual, -1, NULL));
        return;
    }
    if (!g_file_get_contents(path, &expected, NULL, NULL)) {
        g_test_message("golden file %s is missing (REGENERATE_GOLDEN=1 creates it)", path);
        g_test_fail();
        return;
    }
    if (strcmp(expected, actual) != 0) {
        qemu_test_show_diff(path, actual);
        g_test_fail();
    }
}

void qemu_test_mark_used(GHashTable *used, const char *file)
{
    g_hash_table_add(used, g_strdup(file));
}

void qemu_test_check_unused(const char *dir, GHashTable *used)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    g_assert_nonnull(d);
    while ((name = g_dir_read_name(d))) {
        if (!g_hash_table_contains(used, name)) {
            g_test_message("data file '%s' in %s is used by no test case", name, dir);
            g_test_fail();
        }
    }
}
