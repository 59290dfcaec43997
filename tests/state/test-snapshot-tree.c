/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The snapshot tree: create, redefine, current, every delete mode, load with broken
 * input, and every list flag combination against a plainly written oracle. */

#include <stdarg.h>
#include <string.h>

#include "conf/snapshot-def.h"
#include "state/snapshot-tree.h"
#include "util/error.h"

static SnapshotDef *mkdef(const char *name, const char *parent, SnapshotState state,
                          SnapshotLocation memory)
{
    SnapshotDef *def = snapshot_def_new();

    def->name = g_strdup(name);
    def->parent_name = g_strdup(parent);
    def->state = state;
    def->creation_time = 1700000000;
    def->memory = memory;
    if (memory == SNAPSHOT_LOCATION_EXTERNAL)
        def->memory_file = g_strdup_printf("/snap/%s.mem", name);
    return def;
}

static SnapshotDef *running(const char *name, const char *parent)
{
    return mkdef(name, parent, SNAPSHOT_STATE_RUNNING, SNAPSHOT_LOCATION_INTERNAL);
}

/* "name(parent)" for every snapshot in topological order, '*' after the current. */
static char *tree_dump(const SnapshotTree *tree)
{
    g_autoptr(GPtrArray) all = snapshot_tree_list(tree, NULL, 0, NULL);
    GString *out = g_string_new(NULL);

    for (guint i = 0; i < all->len; i++) {
        const SnapshotObj *obj = all->pdata[i];

        g_string_append_printf(out, "%s%s(%s)%s", i ? " " : "", obj->def->name,
                               obj->parent ? obj->parent->def->name : "",
                               obj == snapshot_tree_current(tree) ? "*" : "");
        /* the definition and the links agree, and so does the current marker */
        g_assert_cmpstr(obj->def->parent_name, ==, obj->parent ? obj->parent->def->name : NULL);
        g_assert_cmpint(obj->def->current, ==, obj == snapshot_tree_current(tree));
    }
    return g_string_free(out, FALSE);
}

static char *names_of(const GPtrArray *list)
{
    GString *out = g_string_new(NULL);

    for (guint i = 0; i < list->len; i++) {
        const SnapshotObj *obj = list->pdata[i];

        g_string_append_printf(out, "%s%s", i ? " " : "", obj->def->name);
    }
    return g_string_free(out, FALSE);
}

static int cmp_str_ptr(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static char *strv_of(GPtrArray *names)
{
    g_autoptr(GPtrArray) sorted = g_ptr_array_new(); /* borrows the strings */
    GString *out = g_string_new(NULL);

    for (guint i = 0; i < names->len; i++)
        g_ptr_array_add(sorted, names->pdata[i]);
    g_ptr_array_sort(sorted, cmp_str_ptr);
    for (guint i = 0; i < sorted->len; i++)
        g_string_append_printf(out, "%s%s", i ? " " : "", *(const char *const *)&sorted->pdata[i]);
    return g_string_free(out, FALSE);
}

#define assert_tree(tree, expected)               \
    do {                                          \
        g_autofree char *dump_ = tree_dump(tree); \
        g_assert_cmpstr(dump_, ==, expected);     \
    } while (0)

static void add(SnapshotTree *tree, SnapshotDef *def)
{
    g_autoptr(GError) error = NULL;

    g_assert_nonnull(snapshot_tree_add(tree, def, NULL, &error));
    g_assert_no_error(error);
}

static void test_add(void)
{
    g_autoptr(SnapshotTree) tree = snapshot_tree_new("web1");
    g_autoptr(SnapshotTreeChange) change = snapshot_tree_change_new();
    g_autoptr(GError) error = NULL;
    g_autoptr(SnapshotDef) dup = running("s1", NULL);
    g_autofree char *updated = NULL;

    g_assert_null(snapshot_tree_current(tree));
    add(tree, running("s1", NULL));
    /* the parent written in the XML of a new snapshot does not count */
    g_assert_nonnull(snapshot_tree_add(tree, running("s2", "elsewhere"), change, &error));
    assert_tree(tree, "s1() s2(s1)*");
    updated = strv_of(change->updated);
    g_assert_cmpstr(updated, ==, "s1 s2"); /* s1 loses <active>1 */
    g_assert_cmpuint(change->removed->len, ==, 0);

    g_assert_null(snapshot_tree_add(tree, dup, NULL, &error));
    g_assert_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_OPERATION_INVALID);
    g_assert_cmpstr(error->message, ==, "domain 'web1' already has a snapshot named 's1'");
    g_assert_cmpuint(snapshot_tree_size(tree), ==, 2);
    g_clear_error(&error);
    g_assert_null(snapshot_tree_get(tree, "nope", &error));
    g_assert_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_NO_DOMAIN_SNAPSHOT);
    g_assert_cmpstr(error->message, ==, "domain 'web1' has no snapshot named 'nope'");
}

static void test_redefine(void)
{
    g_autoptr(SnapshotTree) tree = snapshot_tree_new("web1");
    g_autoptr(GError) error = NULL;
    g_autoptr(SnapshotDef) orphan = running("o", "missing");
    g_autoptr(SnapshotDef) cycle = running("a", "c");
    g_autoptr(SnapshotDef) offline = mkdef("b", "a", SNAPSHOT_STATE_SHUTOFF, 0);
    SnapshotObj *b;

    /* a transient domain's manager re-creates metadata, parents first */
    g_assert_nonnull(snapshot_tree_redefine(tree, running("a", NULL), false, NULL, &error));
    g_assert_nonnull(snapshot_tree_redefine(tree, running("b", "a"), false, NULL, &error));
    g_assert_nonnull(snapshot_tree_redefine(tree, running("c", "b"), true, NULL, &error));
    g_assert_no_error(error);
    assert_tree(tree, "a() b(a) c(b)*");
    /* without CURRENT, current stays */
    g_assert_nonnull(snapshot_tree_redefine(tree, running("d", "a"), false, NULL, &error));
    assert_tree(tree, "a() d(a) b(a) c(b)*"); /* the latest child first, as libvirt */

    g_assert_null(snapshot_tree_redefine(tree, orphan, false, NULL, &error));
    g_assert_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_INVALID_ARG);
    g_assert_cmpstr(error->message, ==,
                    "parent 'missing' of snapshot 'o' not found in domain 'web1'");
    g_clear_error(&error);
    g_assert_null(snapshot_tree_redefine(tree, cycle, false, NULL, &error));
    g_assert_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_INVALID_ARG);
    g_assert_cmpstr(error->message, ==, "parent 'c' would make a cycle with snapshot 'a'");
    g_clear_error(&error);
    g_assert_null(snapshot_tree_redefine(tree, offline, false, NULL, &error));
    g_assert_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_INVALID_ARG);
    g_clear_error(&error);
    assert_tree(tree, "a() d(a) b(a) c(b)*");

    /* replacing keeps children; moving b under d moves its subtree */
    b = snapshot_tree_redefine(tree, running("b", "d"), false, NULL, &error);
    g_assert_no_error(error);
    g_assert_nonnull(b);
    g_assert_true(b == snapshot_tree_lookup(tree, "b"));
    assert_tree(tree, "a() d(a) b(d) c(b)*");
    /* redefining the current one keeps it current */
    g_assert_nonnull(snapshot_tree_redefine(tree, running("c", "b"), false, NULL, &error));
    assert_tree(tree, "a() d(a) b(d) c(b)*");
    g_assert_nonnull(snapshot_tree_redefine(tree, running("a", NULL), true, NULL, &error));
    assert_tree(tree, "a()* d(a) b(d) c(b)");
    g_assert_true(snapshot_tree_set_current(tree, NULL, NULL));
    g_assert_false(snapshot_tree_set_current(tree, NULL, NULL));
    assert_tree(tree, "a() d(a) b(d) c(b)");
}

/* r -> a -> (b -> (c, d), e) ; current as given. Children are listed newest first:
 * r a e b d c. */
static SnapshotTree *build_delete_tree(const char *current)
{
    SnapshotTree *tree = snapshot_tree_new("web1");
    const char *const spec[][2] = {
        { "r", NULL }, { "a", "r" }, { "b", "a" }, { "c", "b" }, { "d", "b" }, { "e", "a" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(spec); i++)
        g_assert_nonnull(
            snapshot_tree_redefine(tree, running(spec[i][0], spec[i][1]), false, NULL, NULL));
    if (current)
        snapshot_tree_set_current(tree, snapshot_tree_lookup(tree, current), NULL);
    return tree;
}

typedef struct DeleteCase {
    const char *current;
    const char *victim;
    unsigned int flags;
    const char *tree;
    const char *removed;
    const char *updated;
} DeleteCase;

static const DeleteCase delete_cases[] = {
    /* plain: children move up, in their order before the parent's other children (as
     * libvirt 9.0 moves them); current moves to the parent */
    { "b", "b", 0, "r() a(r)* d(a) c(a) e(a)", "b", "a c d" },
    { "c", "b", 0, "r() a(r) d(a) c(a)* e(a)", "b", "c d" },
    { "c", "r", 0, "a() e(a) b(a) d(b) c(b)*", "r", "a" },
    { "r", "r", 0, "a() e(a) b(a) d(b) c(b)", "r", "a" },
    { "d", "d", SNAPSHOT_DELETE_METADATA_ONLY, "r() a(r) e(a) b(a)* c(b)", "d", "b" },
    /* CHILDREN: the subtree goes; current falls back to the parent */
    { "c", "b", SNAPSHOT_DELETE_CHILDREN, "r() a(r)* e(a)", "b c d", "a" },
    { "e", "b", SNAPSHOT_DELETE_CHILDREN, "r() a(r) e(a)*", "b c d", "" },
    { "r", "r", SNAPSHOT_DELETE_CHILDREN, "", "a b c d e r", "" },
    /* CHILDREN_ONLY: descendants go; current falls back to the snapshot itself */
    { "d", "b", SNAPSHOT_DELETE_CHILDREN_ONLY, "r() a(r) e(a) b(a)*", "c d", "b" },
    { "e", "a", SNAPSHOT_DELETE_CHILDREN_ONLY | SNAPSHOT_DELETE_METADATA_ONLY, "r() a(r)*",
      "b c d e", "a" },
    { "r", "c", SNAPSHOT_DELETE_CHILDREN_ONLY, "r()* a(r) e(a) b(a) d(b) c(b)", "", "" },
};

static void test_delete(const void *data)
{
    const DeleteCase *tc = data;
    g_autoptr(SnapshotTree) tree = build_delete_tree(tc->current);
    g_autoptr(SnapshotTreeChange) change = snapshot_tree_change_new();
    g_autoptr(GError) error = NULL;
    g_autofree char *removed = NULL;
    g_autofree char *updated = NULL;

    g_assert_true(snapshot_tree_delete(tree, snapshot_tree_lookup(tree, tc->victim), tc->flags,
                                       change, &error));
    g_assert_no_error(error);
    assert_tree(tree, tc->tree);
    removed = strv_of(change->removed);
    updated = strv_of(change->updated);
    g_assert_cmpstr(removed, ==, tc->removed);
    g_assert_cmpstr(updated, ==, tc->updated);
    for (guint i = 0; i < change->removed->len; i++)
        g_assert_null(snapshot_tree_lookup(tree, change->removed->pdata[i]));
}

static void test_delete_bad_flags(void)
{
    g_autoptr(SnapshotTree) tree = build_delete_tree("c");
    g_autoptr(GError) error = NULL;
    SnapshotObj *b = snapshot_tree_lookup(tree, "b");

    g_assert_false(snapshot_tree_delete(
        tree, b, SNAPSHOT_DELETE_CHILDREN | SNAPSHOT_DELETE_CHILDREN_ONLY, NULL, &error));
    g_assert_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_false(snapshot_tree_delete(tree, b, 8, NULL, &error));
    g_assert_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_INVALID_ARG);
    assert_tree(tree, "r() a(r) e(a) b(a) d(b) c(b)*");
}

static void test_clear(void)
{
    g_autoptr(SnapshotTree) tree = build_delete_tree("d");
    g_autoptr(SnapshotTreeChange) change = snapshot_tree_change_new();
    g_autofree char *removed = NULL;

    snapshot_tree_clear(tree, change);
    removed = strv_of(change->removed);
    g_assert_cmpstr(removed, ==, "a b c d e r");
    g_assert_cmpuint(snapshot_tree_size(tree), ==, 0);
    g_assert_null(snapshot_tree_current(tree));
    assert_tree(tree, "");
    add(tree, running("again", NULL));
    assert_tree(tree, "again()*");
}

/*
 * Listing. The tree:
 *   a shutoff internal       (root)
 *     b running internal
 *       d disk-snapshot external (leaf)
 *     c paused, external memory (leaf)
 *   e running internal       (root, leaf)
 */
static SnapshotTree *build_list_tree(void)
{
    SnapshotTree *tree = snapshot_tree_new("web1");
    SnapshotDef *d = mkdef("d", "b", SNAPSHOT_STATE_DISK_SNAPSHOT, SNAPSHOT_LOCATION_NO);
    SnapshotDiskDef *disk = snapshot_disk_def_new();

    disk->name = g_strdup("vda");
    disk->snapshot = SNAPSHOT_LOCATION_EXTERNAL;
    disk->source = g_strdup("/snap/d.qcow2");
    g_ptr_array_add(d->disks, disk);
    snapshot_tree_redefine(tree, mkdef("a", NULL, SNAPSHOT_STATE_SHUTOFF, SNAPSHOT_LOCATION_NO),
                           false, NULL, NULL);
    snapshot_tree_redefine(tree, running("b", "a"), false, NULL, NULL);
    snapshot_tree_redefine(tree, d, false, NULL, NULL);
    snapshot_tree_redefine(tree, mkdef("c", "a", SNAPSHOT_STATE_PAUSED, SNAPSHOT_LOCATION_EXTERNAL),
                           false, NULL, NULL);
    snapshot_tree_redefine(tree, running("e", NULL), true, NULL, NULL);
    g_assert_cmpuint(snapshot_tree_size(tree), ==, 5);
    return tree;
}

typedef struct Facts {
    const char *name;
    bool root, leaf, external;
    const char *kind; /* "inactive", "active", "disk-only" */
    const char *ancestors;
} Facts;

static const Facts list_facts[] = {
    { "a", true, false, false, "inactive", "" },    { "b", false, false, false, "active", "a" },
    { "d", false, true, true, "disk-only", "a b" }, { "c", false, true, true, "active", "a" },
    { "e", true, true, false, "active", "" },
};

/* A flag group filters only when one of its flags is set; then the snapshot must have
 * one of the set properties. */
static bool oracle_matches(const Facts *f, unsigned int flags)
{
    bool leaves = flags & 4, no_leaves = flags & 8, meta = flags & 2, no_meta = flags & 16;
    bool inactive = flags & 32, active = flags & 64, disk_only = flags & 128;
    bool internal = flags & 256, external = flags & 512;

    /* libvirt 9.0 answers nothing to LEAVES with NO_LEAVES (the other groups: either) */
    if (leaves && no_leaves)
        return false;
    if ((leaves || no_leaves) && !((leaves && f->leaf) || (no_leaves && !f->leaf)))
        return false;
    if ((meta || no_meta) && !meta) /* every snapshot here has metadata */
        return false;
    if ((inactive || active || disk_only) && !((inactive && strcmp(f->kind, "inactive") == 0) ||
                                               (active && strcmp(f->kind, "active") == 0) ||
                                               (disk_only && strcmp(f->kind, "disk-only") == 0)))
        return false;
    if ((internal || external) && !((internal && !f->external) || (external && f->external)))
        return false;
    return true;
}

static bool oracle_below(const Facts *f, const char *from, bool descendants)
{
    g_auto(GStrv) anc = g_strsplit(f->ancestors, " ", -1);
    guint n = g_strv_length(anc);

    if (!from)
        return !descendants || f->root; /* here the bit means ROOTS */
    if (descendants)
        return g_strv_contains((const char *const *)anc, from);
    return n > 0 && strcmp(anc[n - 1], from) == 0;
}

static void check_topological(const GPtrArray *list)
{
    for (guint i = 0; i < list->len; i++) {
        const SnapshotObj *obj = list->pdata[i];

        for (guint j = i + 1; j < list->len; j++) {
            const SnapshotObj *later = list->pdata[j];

            for (const SnapshotObj *p = obj->parent; p; p = p->parent)
                g_assert_true(p != later);
        }
    }
}

static void test_list_all_flags(void)
{
    g_autoptr(SnapshotTree) tree = build_list_tree();
    const char *const froms[] = { NULL, "a", "b", "d", "e" };

    for (size_t k = 0; k < G_N_ELEMENTS(froms); k++) {
        const SnapshotObj *from = snapshot_tree_lookup(tree, froms[k]);

        for (unsigned int flags = 0; flags < 2048; flags++) {
            g_autoptr(GPtrArray) list = snapshot_tree_list(tree, from, flags, NULL);
            g_autoptr(GHashTable) got = g_hash_table_new(g_str_hash, g_str_equal);

            g_assert_nonnull(list);
            check_topological(list);
            for (guint i = 0; i < list->len; i++)
                g_assert_true(g_hash_table_add(got, ((SnapshotObj *)list->pdata[i])->def->name));
            for (size_t i = 0; i < G_N_ELEMENTS(list_facts); i++) {
                const Facts *f = &list_facts[i];
                bool want = oracle_below(f, froms[k], flags & 1) && oracle_matches(f, flags);

                if (want != g_hash_table_contains(got, f->name)) {
                    g_test_message("from=%s flags=0x%x: '%s' %s", froms[k] ? froms[k] : "-", flags,
                                   f->name, want ? "missing" : "unexpected");
                    g_test_fail();
                }
            }
        }
    }
}

static void check_list(SnapshotTree *tree, const char *from, unsigned int flags,
                       const char *expected)
{
    g_autoptr(GPtrArray) list =
        snapshot_tree_list(tree, snapshot_tree_lookup(tree, from), flags, NULL);
    g_autofree char *names = names_of(list);

    g_assert_cmpstr(names, ==, expected);
}

static void test_list_literal(void)
{
    g_autoptr(SnapshotTree) tree = build_list_tree();
    g_autoptr(GError) error = NULL;

    /* roots and children newest first (e and c were redefined last) */
    check_list(tree, NULL, 0, "e a c b d");
    check_list(tree, NULL, SNAPSHOT_LIST_ROOTS, "e a");
    check_list(tree, NULL, SNAPSHOT_LIST_LEAVES, "e c d");
    check_list(tree, NULL, SNAPSHOT_LIST_NO_LEAVES, "a b");
    check_list(tree, NULL, SNAPSHOT_LIST_LEAVES | SNAPSHOT_LIST_NO_LEAVES, "");
    check_list(tree, NULL, SNAPSHOT_LIST_NO_METADATA, "");
    check_list(tree, NULL, SNAPSHOT_LIST_METADATA, "e a c b d");
    check_list(tree, NULL, SNAPSHOT_LIST_INACTIVE, "a");
    check_list(tree, NULL, SNAPSHOT_LIST_ACTIVE, "e c b");
    check_list(tree, NULL, SNAPSHOT_LIST_DISK_ONLY, "d");
    check_list(tree, NULL, SNAPSHOT_LIST_INACTIVE | SNAPSHOT_LIST_DISK_ONLY, "a d");
    check_list(tree, NULL, SNAPSHOT_LIST_EXTERNAL, "c d");
    check_list(tree, NULL, SNAPSHOT_LIST_INTERNAL, "e a b");
    check_list(tree, NULL, SNAPSHOT_LIST_ROOTS | SNAPSHOT_LIST_LEAVES, "e");
    check_list(tree, NULL, SNAPSHOT_LIST_TOPOLOGICAL, "e a c b d");
    check_list(tree, "a", 0, "c b");
    check_list(tree, "a", SNAPSHOT_LIST_DESCENDANTS, "c b d");
    check_list(tree, "a", SNAPSHOT_LIST_DESCENDANTS | SNAPSHOT_LIST_LEAVES, "c d");
    check_list(tree, "e", SNAPSHOT_LIST_DESCENDANTS, "");

    g_assert_null(snapshot_tree_list(tree, NULL, 2048, &error));
    g_assert_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_INVALID_ARG);
}

static GPtrArray *defs_of(SnapshotDef *first, ...)
{
    GPtrArray *defs =
        g_ptr_array_new_with_free_func((GDestroyNotify)(void (*)(void))snapshot_def_free);
    va_list ap;

    va_start(ap, first);
    for (SnapshotDef *d = first; d; d = va_arg(ap, SnapshotDef *))
        g_ptr_array_add(defs, d);
    va_end(ap);
    return defs;
}

static SnapshotDef *marked(SnapshotDef *def)
{
    def->current = true;
    return def;
}

static char *problems_of(const GPtrArray *problems)
{
    GString *out = g_string_new(NULL);

    for (guint i = 0; i < problems->len; i++) {
        const GError *e = problems->pdata[i];

        g_assert_true(e->domain == VIRT_SNAPSHOT_ERROR);
        g_string_append_printf(out, "%s\n", e->message);
    }
    return g_string_free(out, FALSE);
}

static void test_load(void)
{
    g_autoptr(SnapshotTree) tree = snapshot_tree_new("web1");
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func((GDestroyNotify)g_error_free);
    /* children before parents, a duplicate, an orphan and a two-node cycle */
    g_autoptr(GPtrArray) defs = defs_of(
        running("c", "b"), marked(running("b", "a")), running("a", NULL), running("b", NULL),
        running("orphan", "gone"), running("x", "y"), running("y", "x"), NULL);
    g_autofree char *text = NULL;

    snapshot_tree_load(tree, defs, problems);
    g_assert_cmpuint(defs->len, ==, 0);
    /* all made in the same second: linked by name, y under x before x meets the cycle */
    assert_tree(tree, "a() b(a)* c(b) orphan() x() y(x)");
    text = problems_of(problems);
    g_assert_cmpstr(text, ==,
                    "domain 'web1' has two definitions of snapshot 'b'; the later one is "
                    "ignored\n"
                    "snapshot 'x' of domain 'web1' has parent 'y', which would make a cycle; "
                    "it is loaded as a root\n"
                    "snapshot 'orphan' of domain 'web1' names a missing parent 'gone'; it is "
                    "loaded as a root\n");
}

static SnapshotDef *made_at(SnapshotDef *def, int64_t when)
{
    def->creation_time = when;
    return def;
}

/* Read back in any order, children come newest first (by creationTime, then by name),
 * as they were listed before the restart. */
static void test_load_order(void)
{
    g_autoptr(SnapshotTree) tree = snapshot_tree_new("web1");
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func((GDestroyNotify)g_error_free);
    g_autoptr(GPtrArray) defs =
        defs_of(made_at(running("c", "a"), 30), made_at(running("z", NULL), 5),
                made_at(running("b", "a"), 20), made_at(running("a", NULL), 10),
                made_at(running("d", "a"), 30), made_at(running("e", "b"), 40), NULL);

    snapshot_tree_load(tree, defs, problems);
    g_assert_cmpuint(problems->len, ==, 0);
    assert_tree(tree, "a() c(a) d(a) b(a) e(b) z()");
}

static void test_load_two_current(void)
{
    g_autoptr(SnapshotTree) tree = snapshot_tree_new("web1");
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func((GDestroyNotify)g_error_free);
    g_autoptr(GPtrArray) defs =
        defs_of(marked(running("a", NULL)), marked(running("b", "a")), NULL);
    g_autofree char *text = NULL;

    snapshot_tree_load(tree, defs, problems);
    assert_tree(tree, "a() b(a)");
    text = problems_of(problems);
    g_assert_cmpstr(text, ==,
                    "2 snapshots of domain 'web1' are marked current ('a', 'b'); none is made "
                    "current\n");
}

/* A long chain and a wide fan: no recursion limit, no quadratic change records. */
static void test_big(void)
{
    g_autoptr(SnapshotTree) tree = snapshot_tree_new("web1");
    g_autoptr(SnapshotTreeChange) change = snapshot_tree_change_new();
    g_autoptr(GPtrArray) list = NULL;
    g_autoptr(GError) error = NULL;
    const guint n = 10000;

    for (guint i = 0; i < n; i++) {
        g_autofree char *name = g_strdup_printf("c%u", i);

        add(tree, running(name, NULL));
    }
    list =
        snapshot_tree_list(tree, snapshot_tree_lookup(tree, "c0"), SNAPSHOT_LIST_DESCENDANTS, NULL);
    g_assert_cmpuint(list->len, ==, n - 1);
    g_clear_pointer(&list, g_ptr_array_unref);
    list = snapshot_tree_list(tree, NULL, SNAPSHOT_LIST_LEAVES, NULL);
    g_assert_cmpuint(list->len, ==, 1);
    g_assert_true(snapshot_tree_delete(tree, snapshot_tree_lookup(tree, "c0"),
                                       SNAPSHOT_DELETE_CHILDREN, change, &error));
    g_assert_cmpuint(change->removed->len, ==, n);
    g_assert_cmpuint(snapshot_tree_size(tree), ==, 0);
    g_assert_null(snapshot_tree_current(tree));

    /* fan: n children under one snapshot, which then goes */
    add(tree, running("hub", NULL));
    for (guint i = 0; i < n; i++) {
        g_autofree char *name = g_strdup_printf("f%u", i);

        g_assert_nonnull(snapshot_tree_redefine(tree, running(name, "hub"), false, NULL, NULL));
    }
    g_clear_pointer(&change, snapshot_tree_change_free);
    change = snapshot_tree_change_new();
    g_assert_true(snapshot_tree_delete(tree, snapshot_tree_lookup(tree, "hub"), 0, change, &error));
    g_assert_cmpuint(change->updated->len, ==, n);
    g_clear_pointer(&list, g_ptr_array_unref);
    list = snapshot_tree_list(tree, NULL, SNAPSHOT_LIST_ROOTS, NULL);
    g_assert_cmpuint(list->len, ==, n);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/snapshot-tree/add", test_add);
    g_test_add_func("/snapshot-tree/redefine", test_redefine);
    for (size_t i = 0; i < G_N_ELEMENTS(delete_cases); i++) {
        g_autofree char *path = g_strdup_printf("/snapshot-tree/delete/%zu-%s-0x%x", i,
                                                delete_cases[i].victim, delete_cases[i].flags);
        g_test_add_data_func(path, &delete_cases[i], test_delete);
    }
    g_test_add_func("/snapshot-tree/delete-bad-flags", test_delete_bad_flags);
    g_test_add_func("/snapshot-tree/clear", test_clear);
    g_test_add_func("/snapshot-tree/list-all-flags", test_list_all_flags);
    g_test_add_func("/snapshot-tree/list-literal", test_list_literal);
    g_test_add_func("/snapshot-tree/load", test_load);
    g_test_add_func("/snapshot-tree/load-order", test_load_order);
    g_test_add_func("/snapshot-tree/load-two-current", test_load_two_current);
    g_test_add_func("/snapshot-tree/big", test_big);
    return g_test_run();
}
