/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The snapshot metadata store in a temporary directory: file layout and modes, the
 * current marker following the tree, load with broken files (kept and reported), and
 * delete-all. */

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "conf/snapshot-def.h"
#include "state/snapshot-store.h"
#include "state/snapshot-tree.h"
#include "util/error.h"

#define DOMAIN_XML                                                         \
    "<domain type='kvm'><name>web1</name><memory unit='KiB'>1024</memory>" \
    "<os><type>hvm</type></os></domain>"

typedef struct Fixture {
    char *root; /* the snapshot_dir */
    SnapshotStore *store;
} Fixture;

static void fixture_setup(Fixture *f, gconstpointer data)
{
    f->root = g_dir_make_tmp("virtkit-snapstore-XXXXXX", NULL);
    g_assert_nonnull(f->root);
    f->store = snapshot_store_new(f->root);
}

static void remove_tree(const char *path)
{
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    const char *entry;

    while (d && (entry = g_dir_read_name(d))) {
        g_autofree char *child = g_build_filename(path, entry, NULL);

        if (g_file_test(child, G_FILE_TEST_IS_DIR))
            remove_tree(child);
        else
            (void)g_unlink(child);
    }
    (void)g_rmdir(path);
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    remove_tree(f->root);
    g_free(f->root);
    snapshot_store_free(f->store);
}

static char *snapshot_xml(const char *name, const char *parent, bool current)
{
    g_autofree char *parent_xml =
        parent ? g_strdup_printf("<parent><name>%s</name></parent>", parent) : g_strdup("");

    return g_strdup_printf("<domainsnapshot><name>%s</name><state>running</state>%s"
                           "<creationTime>1700000000</creationTime>%s<active>%d</active>"
                           "</domainsnapshot>",
                           name, parent_xml, DOMAIN_XML, current);
}

static SnapshotDef *mkdef(const char *name)
{
    g_autofree char *xml = snapshot_xml(name, NULL, false);
    g_autoptr(GError) error = NULL;
    SnapshotDef *def = snapshot_def_parse_full(xml, SNAPSHOT_PARSE_REDEFINE, 0, &error);

    g_assert_no_error(error);
    return def;
}

static char *file_path(Fixture *f, const char *domain, const char *file)
{
    return g_build_filename(f->root, domain, file, NULL);
}

static char *read_file(Fixture *f, const char *domain, const char *file)
{
    g_autofree char *path = file_path(f, domain, file);
    char *data = NULL;

    g_assert_true(g_file_get_contents(path, &data, NULL, NULL));
    return data;
}

static bool file_active(Fixture *f, const char *snapshot)
{
    g_autofree char *file = g_strconcat(snapshot, ".xml", NULL);
    g_autofree char *xml = read_file(f, "web1", file);

    if (strstr(xml, "<active>1</active>"))
        return true;
    g_assert_nonnull(strstr(xml, "<active>0</active>"));
    return false;
}

static void write_raw(Fixture *f, const char *file, const char *text)
{
    g_autofree char *dir = g_build_filename(f->root, "web1", NULL);
    g_autofree char *path = g_build_filename(dir, file, NULL);

    g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

static void apply(Fixture *f, SnapshotTree *tree, SnapshotTreeChange *change)
{
    g_autoptr(GError) error = NULL;

    g_assert_true(snapshot_store_apply(f->store, "web1", tree, change, &error));
    g_assert_no_error(error);
}

static void test_layout(Fixture *f, gconstpointer data)
{
    g_autoptr(SnapshotDef) def = mkdef("s1");
    g_autoptr(GError) error = NULL;
    g_autofree char *path = NULL;
    g_autofree char *dir = g_build_filename(f->root, "web1", NULL);
    g_autofree char *xml = NULL;
    g_autofree char *expected_path = g_build_filename(f->root, "web1", "s1.xml", NULL);
    g_autofree char *expected_xml = NULL;
    struct stat st;

    def->current = true;
    expected_xml = snapshot_def_format(def, SNAPSHOT_FORMAT_SECURE | SNAPSHOT_FORMAT_INTERNAL);
    g_assert_true(snapshot_store_write(f->store, "web1", def, &error));
    g_assert_no_error(error);
    path = snapshot_store_path(f->store, "web1", "s1", &error);
    g_assert_cmpstr(path, ==, expected_path);
    g_assert_cmpint(g_stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    g_assert_cmpint(g_stat(dir, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0700);
    xml = read_file(f, "web1", "s1.xml");
    g_assert_cmpstr(xml, ==, expected_xml);
    g_assert_true(file_active(f, "s1"));
}

static void test_bad_names(Fixture *f, gconstpointer data)
{
    g_autoptr(SnapshotDef) def = mkdef("s1");
    g_autoptr(GError) error = NULL;
    g_autofree char *outside = g_build_filename(f->root, "..", "s1.xml", NULL);

    g_assert_false(snapshot_store_write(f->store, "..", def, &error));
    g_assert_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_INVALID_ARG);
    g_assert_cmpstr(error->message, ==, "domain name '..' is invalid: '.' and '..' are reserved");
    g_assert_false(g_file_test(outside, G_FILE_TEST_EXISTS));
    g_clear_error(&error);
    g_assert_null(snapshot_store_path(f->store, "web1", "a/b", &error));
    g_assert_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_false(snapshot_store_delete_all(f->store, "x/y", &error));
    g_assert_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_INVALID_ARG);
}

static char *tree_dump(const SnapshotTree *tree)
{
    g_autoptr(GPtrArray) all = snapshot_tree_list(tree, NULL, 0, NULL);
    GString *out = g_string_new(NULL);

    for (guint i = 0; i < all->len; i++) {
        const SnapshotObj *obj = all->pdata[i];

        g_string_append_printf(out, "%s%s(%s)%s", i ? " " : "", obj->def->name,
                               obj->parent ? obj->parent->def->name : "",
                               obj == snapshot_tree_current(tree) ? "*" : "");
    }
    return g_string_free(out, FALSE);
}

static char *reload(Fixture *f, GPtrArray *problems);

static void assert_reload(Fixture *f, GPtrArray *problems, const char *expected)
{
    g_autofree char *dump = reload(f, problems);

    g_assert_cmpstr(dump, ==, expected);
}

static char *reload(Fixture *f, GPtrArray *problems)
{
    g_autoptr(SnapshotTree) tree = snapshot_tree_new("web1");
    g_autoptr(GError) error = NULL;

    g_assert_true(snapshot_store_load(f->store, "web1", tree, problems, &error));
    g_assert_no_error(error);
    return tree_dump(tree);
}

/* The files follow the tree: add, delete (re-parent, current moves), set current. */
static void test_follow_tree(Fixture *f, gconstpointer data)
{
    g_autoptr(SnapshotTree) tree = snapshot_tree_new("web1");
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func((GDestroyNotify)g_error_free);
    const char *const names[] = { "s1", "s2", "s3" };
    g_autofree char *s2_path = file_path(f, "web1", "s2.xml");

    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autoptr(SnapshotTreeChange) change = snapshot_tree_change_new();

        g_assert_nonnull(snapshot_tree_add(tree, mkdef(names[i]), change, NULL));
        apply(f, tree, change);
    }
    g_assert_false(file_active(f, "s1"));
    g_assert_false(file_active(f, "s2"));
    g_assert_true(file_active(f, "s3"));
    assert_reload(f, problems, "s1() s2(s1) s3(s2)*");

    {
        g_autoptr(SnapshotTreeChange) change = snapshot_tree_change_new();

        snapshot_tree_set_current(tree, snapshot_tree_lookup(tree, "s2"), change);
        apply(f, tree, change);
        g_assert_true(file_active(f, "s2"));
        g_assert_false(file_active(f, "s3"));
    }
    {
        g_autoptr(SnapshotTreeChange) change = snapshot_tree_change_new();

        g_assert_true(
            snapshot_tree_delete(tree, snapshot_tree_lookup(tree, "s2"), 0, change, NULL));
        apply(f, tree, change);
    }
    g_assert_false(g_file_test(s2_path, G_FILE_TEST_EXISTS));
    g_assert_true(file_active(f, "s1"));
    assert_reload(f, problems, "s1()* s3(s1)");
    g_assert_cmpuint(problems->len, ==, 0);
}

static void test_load_broken(Fixture *f, gconstpointer data)
{
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func((GDestroyNotify)g_error_free);
    g_autofree char *good = snapshot_xml("good", NULL, true);
    g_autofree char *child = snapshot_xml("child", "good", false);
    g_autofree char *orphan = snapshot_xml("orphan", "gone", false);
    g_autofree char *other = snapshot_xml("other", NULL, false);
    g_autofree char *dir_entry = file_path(f, "web1", "dir.xml");
    g_autofree char *dump = NULL;
    const char *const kept[] = { "broken.xml", "renamed.xml", "dir.xml", ".tmp.xml.ABC123" };

    write_raw(f, "good.xml", good);
    write_raw(f, "child.xml", child);
    write_raw(f, "orphan.xml", orphan);
    write_raw(f, "broken.xml", "<domainsnapshot><name>broken</name>");
    write_raw(f, "renamed.xml", other);
    write_raw(f, ".tmp.xml.ABC123", "half-written");
    write_raw(f, "notes.txt", "not a snapshot");
    g_assert_cmpint(g_mkdir(dir_entry, 0700), ==, 0);

    dump = reload(f, problems);
    g_assert_cmpstr(dump, ==, "good()* child(good) orphan()");
    g_assert_cmpuint(problems->len, ==, 4);
    for (guint i = 0; i < problems->len; i++) {
        const GError *e = problems->pdata[i];

        g_assert_true(e->domain == VIRT_SNAPSHOT_ERROR);
        g_test_message("problem: %s", e->message);
    }
    g_assert_nonnull(strstr(((GError *)problems->pdata[0])->message, "broken.xml"));
    g_assert_nonnull(strstr(((GError *)problems->pdata[1])->message, "dir.xml"));
    g_assert_nonnull(
        strstr(((GError *)problems->pdata[2])->message, "renamed.xml' holds snapshot 'other'"));
    g_assert_nonnull(strstr(((GError *)problems->pdata[3])->message, "missing parent 'gone'"));
    /* nothing was deleted or rewritten */
    for (size_t i = 0; i < G_N_ELEMENTS(kept); i++) {
        g_autofree char *path = file_path(f, "web1", kept[i]);

        g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
    }
    g_free(dump);
    dump = read_file(f, "web1", "orphan.xml");
    g_assert_cmpstr(dump, ==, orphan);
}

static void test_load_two_current(Fixture *f, gconstpointer data)
{
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func((GDestroyNotify)g_error_free);
    g_autofree char *a = snapshot_xml("a", NULL, true);
    g_autofree char *b = snapshot_xml("b", "a", true);
    g_autofree char *dump = NULL;

    write_raw(f, "a.xml", a);
    write_raw(f, "b.xml", b);
    dump = reload(f, problems);
    g_assert_cmpstr(dump, ==, "a() b(a)");
    g_assert_cmpuint(problems->len, ==, 1);
    g_assert_cmpstr(((GError *)problems->pdata[0])->message, ==,
                    "2 snapshots of domain 'web1' are marked current ('a', 'b'); none is made "
                    "current");
}

static void test_load_missing_dir(Fixture *f, gconstpointer data)
{
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func((GDestroyNotify)g_error_free);
    g_autofree char *dump = reload(f, problems);

    g_assert_cmpstr(dump, ==, "");
    g_assert_cmpuint(problems->len, ==, 0);
}

static void test_delete_all(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SnapshotDef) def = mkdef("s1");
    g_autofree char *dir = g_build_filename(f->root, "web1", NULL);
    g_autofree char *notes = file_path(f, "web1", "notes.txt");
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func((GDestroyNotify)g_error_free);
    g_autofree char *dump = NULL;

    g_assert_true(snapshot_store_write(f->store, "web1", def, &error));
    write_raw(f, "broken.xml", "garbage");
    write_raw(f, "notes.txt", "someone else's file");
    /* a stranger's file keeps the directory: reported, the metadata is still gone */
    g_assert_false(snapshot_store_delete_all(f->store, "web1", &error));
    g_assert_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_SYSTEM_ERROR);
    g_clear_error(&error);
    dump = reload(f, problems);
    g_assert_cmpstr(dump, ==, "");
    g_assert_cmpuint(problems->len, ==, 0);

    g_assert_cmpint(g_unlink(notes), ==, 0);
    g_assert_true(snapshot_store_delete_all(f->store, "web1", &error));
    g_assert_no_error(error);
    g_assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));
    /* idempotent */
    g_assert_true(snapshot_store_delete_all(f->store, "web1", &error));
    g_assert_true(snapshot_store_delete(f->store, "web1", "s1", &error));
    g_assert_no_error(error);
}

static void test_unreadable_dir(Fixture *f, gconstpointer data)
{
    g_autoptr(SnapshotTree) tree = snapshot_tree_new("web1");
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func((GDestroyNotify)g_error_free);
    g_autoptr(GError) error = NULL;
    g_autofree char *path = g_build_filename(f->root, "web1", NULL);

    /* the domain's snapshot "directory" is a file */
    g_assert_true(g_file_set_contents(path, "x", -1, NULL));
    g_assert_false(snapshot_store_load(f->store, "web1", tree, problems, &error));
    g_assert_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_SYSTEM_ERROR);
}

#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ADD("/snapshot-store/layout", test_layout);
    ADD("/snapshot-store/bad-names", test_bad_names);
    ADD("/snapshot-store/follow-tree", test_follow_tree);
    ADD("/snapshot-store/load-broken", test_load_broken);
    ADD("/snapshot-store/load-two-current", test_load_two_current);
    ADD("/snapshot-store/load-missing-dir", test_load_missing_dir);
    ADD("/snapshot-store/delete-all", test_delete_all);
    ADD("/snapshot-store/unreadable-dir", test_unreadable_dir);
    return g_test_run();
}
