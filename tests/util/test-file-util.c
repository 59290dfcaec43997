/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tier: unit (temp dir). Atomic writes, bounded reads, mkdir -p. */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "util/error.h"
#include "util/file-util.h"

typedef struct Fixture {
    char *dir;
} Fixture;

static void fixture_setup(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;

    f->dir = g_dir_make_tmp("virtkit-file-util-XXXXXX", &error);
    g_assert_no_error(error);
}

static void remove_tree(const char *path)
{
    GDir *d = g_dir_open(path, 0, NULL);
    const char *name;

    if (d) {
        while ((name = g_dir_read_name(d))) {
            g_autofree char *child = g_build_filename(path, name, NULL);

            remove_tree(child);
        }
        g_dir_close(d);
    }
    (void)g_remove(path);
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    remove_tree(f->dir);
    g_free(f->dir);
}

static guint count_entries(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    guint n = 0;

    g_assert_nonnull(d);
    while (g_dir_read_name(d))
        n++;
    g_dir_close(d);
    return n;
}

static void assert_contents(const char *path, const char *expected)
{
    g_autofree char *data = NULL;
    g_autoptr(GError) error = NULL;
    size_t len = 0;

    g_assert_true(virt_file_read_bounded(path, 1024, &data, &len, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(data, ==, expected);
    g_assert_cmpuint(len, ==, strlen(expected));
}

static void test_write_atomic_replaces(Fixture *f, gconstpointer data)
{
    g_autofree char *path = g_build_filename(f->dir, "a.xml", NULL);
    g_autoptr(GError) error = NULL;
    struct stat st;

    g_assert_true(virt_file_write_atomic(path, "one", 3, 0600, &error));
    g_assert_no_error(error);
    assert_contents(path, "one");
    g_assert_true(virt_file_write_atomic(path, "second", 6, 0644, &error));
    g_assert_no_error(error);
    assert_contents(path, "second");
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 07777, ==, 0644);
    g_assert_cmpuint(count_entries(f->dir), ==, 1); /* no temp left behind */

    /* empty contents are a valid file */
    g_assert_true(virt_file_write_atomic(path, "", 0, 0600, &error));
    assert_contents(path, "");
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 07777, ==, 0600);
}

static void test_write_atomic_rename_fails(Fixture *f, gconstpointer data)
{
    /* A non-empty directory at the target: everything works up to rename(). */
    g_autofree char *path = g_build_filename(f->dir, "busy", NULL);
    g_autofree char *inner = g_build_filename(path, "keep", NULL);
    g_autoptr(GError) error = NULL;

    g_assert_cmpint(g_mkdir(path, 0700), ==, 0);
    g_assert_true(g_file_set_contents(inner, "x", 1, NULL));
    g_assert_false(virt_file_write_atomic(path, "new", 3, 0600, &error));
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR);
    g_assert_nonnull(strstr(error->message, "cannot rename"));
    g_assert_nonnull(strstr(error->message, path));
    g_assert_cmpuint(count_entries(f->dir), ==, 1);
    g_assert_true(g_file_test(inner, G_FILE_TEST_IS_REGULAR));
}

static void test_write_atomic_write_fails(Fixture *f, gconstpointer data)
{
    /* RLIMIT_FSIZE makes write() fail with EFBIG half way through. */
    g_autofree char *path = g_build_filename(f->dir, "big.xml", NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *big = g_malloc0(8192);
    struct rlimit old, lim;
    void (*old_handler)(int);
    bool ok;

    g_assert_true(virt_file_write_atomic(path, "old", 3, 0600, &error));
    g_assert_cmpint(getrlimit(RLIMIT_FSIZE, &old), ==, 0);
    lim = old;
    lim.rlim_cur = 4096;
    old_handler = signal(SIGXFSZ, SIG_IGN);
    g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &lim), ==, 0);
    ok = virt_file_write_atomic(path, big, 8192, 0600, &error);
    g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &old), ==, 0);
    signal(SIGXFSZ, old_handler);

    g_assert_false(ok);
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR);
    g_assert_true(g_str_has_prefix(error->message, "cannot write '"));
    assert_contents(path, "old");
    g_assert_cmpuint(count_entries(f->dir), ==, 1);
}

static void test_write_atomic_bad_dir(Fixture *f, gconstpointer data)
{
    g_autofree char *path = g_build_filename(f->dir, "missing", "a.xml", NULL);
    g_autoptr(GError) error = NULL;

    g_assert_false(virt_file_write_atomic(path, "x", 1, 0600, &error));
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR);
    g_assert_nonnull(strstr(error->message, path));
    g_assert_nonnull(strstr(error->message, g_strerror(ENOENT)));
    g_clear_error(&error);

    g_assert_false(virt_file_write_atomic("", "x", 1, 0600, &error));
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_false(virt_file_write_atomic("/tmp/dir/", "x", 1, 0600, &error));
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG);
}

static void test_read_bounded(Fixture *f, gconstpointer data)
{
    g_autofree char *path = g_build_filename(f->dir, "r", NULL);
    g_autofree char *missing = g_build_filename(f->dir, "nope", NULL);
    g_autofree char *out = NULL;
    g_autoptr(GError) error = NULL;
    size_t len = 99;

    g_assert_true(g_file_set_contents(path, "12345", 5, NULL));
    /* exactly at the limit is fine */
    g_assert_true(virt_file_read_bounded(path, 5, &out, &len, &error));
    g_assert_cmpstr(out, ==, "12345");
    g_assert_cmpuint(len, ==, 5);
    g_clear_pointer(&out, g_free);
    /* ret_len is optional */
    g_assert_true(virt_file_read_bounded(path, 5, &out, NULL, &error));
    g_clear_pointer(&out, g_free);

    len = 99;
    g_assert_false(virt_file_read_bounded(path, 4, &out, &len, &error));
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_OVERFLOW);
    g_assert_nonnull(strstr(error->message, "limit of 4 bytes"));
    g_assert_null(out);
    g_assert_cmpuint(len, ==, 99); /* untouched on failure */
    g_clear_error(&error);

    g_assert_false(virt_file_read_bounded(missing, 4, &out, &len, &error));
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR);
    g_assert_true(g_str_has_prefix(error->message, "cannot open file '"));
    g_clear_error(&error);

    g_assert_false(virt_file_read_bounded(f->dir, 4, &out, &len, &error));
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR);
    g_clear_error(&error);
}

static void test_read_bounded_pipe(void)
{
    /* Not a regular file: fstat says nothing about the size, the read loop must bound. */
    g_autofree char *out = NULL;
    g_autoptr(GError) error = NULL;
    size_t len = 0;

    g_assert_true(virt_file_read_bounded("/proc/self/status", 1 << 20, &out, &len, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(len, >, 0);
    g_assert_cmpuint(strlen(out), ==, len);
    g_clear_pointer(&out, g_free);
    g_assert_false(virt_file_read_bounded("/proc/self/status", 10, &out, &len, &error));
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_OVERFLOW);
}

static void test_dir_ensure(Fixture *f, gconstpointer data)
{
    g_autofree char *deep = g_build_filename(f->dir, "a", "b", "c", NULL);
    g_autofree char *file = g_build_filename(f->dir, "file", NULL);
    g_autofree char *under_file = g_build_filename(file, "x", NULL);
    g_autoptr(GError) error = NULL;

    g_assert_true(virt_dir_ensure(deep, 0700, &error));
    g_assert_no_error(error);
    g_assert_true(g_file_test(deep, G_FILE_TEST_IS_DIR));
    g_assert_true(virt_dir_ensure(deep, 0700, &error)); /* idempotent */

    g_assert_true(g_file_set_contents(file, "", 0, NULL));
    g_assert_false(virt_dir_ensure(file, 0700, &error));
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR);
    g_assert_nonnull(strstr(error->message, file));
    g_clear_error(&error);
    g_assert_false(virt_dir_ensure(under_file, 0700, &error));
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR);
    g_clear_error(&error);
    g_assert_false(virt_dir_ensure("", 0700, &error));
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG);
}

#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ADD("/util/file/write-atomic/replaces", test_write_atomic_replaces);
    ADD("/util/file/write-atomic/rename-fails", test_write_atomic_rename_fails);
    ADD("/util/file/write-atomic/write-fails", test_write_atomic_write_fails);
    ADD("/util/file/write-atomic/bad-dir", test_write_atomic_bad_dir);
    ADD("/util/file/read-bounded", test_read_bounded);
    g_test_add_func("/util/file/read-bounded/proc", test_read_bounded_pipe);
    ADD("/util/file/dir-ensure", test_dir_ensure);
    return g_test_run();
}
