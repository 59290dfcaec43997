/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Snapshot tree: a hash of SnapshotObj by name plus parent/child links. The metaroot
 * is a SnapshotObj without a definition; roots are its children, so "re-parent to the
 * deleted node's parent" is one operation whether that parent is a snapshot or not.
 */

#include <stdarg.h>
#include <string.h>

#include "conf/snapshot-def.h"
#include "state/snapshot-tree.h"
#include "util/error.h"

struct SnapshotTree {
    char *domain_name;
    GHashTable *objs; /* name -> SnapshotObj* (owned) */
    SnapshotObj metaroot;
    SnapshotObj *current;
};

#define SNAPSHOT_LIST_ALL_FLAGS 0x7ffu

static void snapshot_obj_free(gpointer data)
{
    SnapshotObj *obj = data;

    snapshot_def_free(obj->def);
    g_free(obj);
}

/**
 * snapshot_tree_new: an empty tree for the domain @domain_name (used in messages).
 */
SnapshotTree *snapshot_tree_new(const char *domain_name)
{
    SnapshotTree *tree = g_new0(SnapshotTree, 1);

    tree->domain_name = g_strdup(domain_name);
    tree->objs = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, snapshot_obj_free);
    return tree;
}

/**
 * snapshot_tree_free: free @tree and every snapshot in it (NULL allowed); returns NULL.
 */
SnapshotTree *snapshot_tree_free(SnapshotTree *tree)
{
    if (!tree)
        return NULL;
    g_hash_table_unref(tree->objs);
    g_free(tree->domain_name);
    g_free(tree);
    return NULL;
}

/**
 * snapshot_tree_change_new: an empty change record to pass to the tree operations.
 */
SnapshotTreeChange *snapshot_tree_change_new(void)
{
    SnapshotTreeChange *change = g_new0(SnapshotTreeChange, 1);

    change->removed = g_ptr_array_new_with_free_func(g_free);
    change->updated = g_ptr_array_new_with_free_func(g_free);
    change->updated_set = g_hash_table_new(g_str_hash, g_str_equal);
    return change;
}

/**
 * snapshot_tree_change_free: free @change (NULL allowed); returns NULL.
 */
SnapshotTreeChange *snapshot_tree_change_free(SnapshotTreeChange *change)
{
    if (!change)
        return NULL;
    g_ptr_array_unref(change->removed);
    g_hash_table_unref(change->updated_set);
    g_ptr_array_unref(change->updated);
    g_free(change);
    return NULL;
}

static void change_updated(SnapshotTreeChange *change, const SnapshotObj *obj)
{
    char *name;

    if (!change || g_hash_table_contains(change->updated_set, obj->def->name))
        return;
    name = g_strdup(obj->def->name);
    g_ptr_array_add(change->updated, name);
    g_hash_table_add(change->updated_set, name);
}

static void change_removed(SnapshotTreeChange *change, const char *name)
{
    if (!change)
        return;
    if (g_hash_table_remove(change->updated_set, name)) {
        for (guint i = 0; i < change->updated->len; i++) {
            if (strcmp(change->updated->pdata[i], name) == 0) {
                g_ptr_array_remove_index(change->updated, i);
                break;
            }
        }
    }
    g_ptr_array_add(change->removed, g_strdup(name));
}

/**
 * snapshot_tree_size: how many snapshots @tree holds.
 */
unsigned int snapshot_tree_size(const SnapshotTree *tree)
{
    return g_hash_table_size(tree->objs);
}

/**
 * snapshot_tree_lookup: the snapshot named @name, or NULL.
 */
SnapshotObj *snapshot_tree_lookup(const SnapshotTree *tree, const char *name)
{
    return name ? g_hash_table_lookup(tree->objs, name) : NULL;
}

/**
 * snapshot_tree_get: the snapshot named @name, or NULL with VIRT_ERR_NO_DOMAIN_SNAPSHOT.
 */
SnapshotObj *snapshot_tree_get(const SnapshotTree *tree, const char *name, GError **error)
{
    SnapshotObj *obj = snapshot_tree_lookup(tree, name);

    if (!obj)
        g_set_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_NO_DOMAIN_SNAPSHOT,
                    "domain '%s' has no snapshot named '%s'", tree->domain_name, name);
    return obj;
}

/**
 * snapshot_tree_current: the current snapshot, or NULL when there is none.
 */
SnapshotObj *snapshot_tree_current(const SnapshotTree *tree)
{
    return tree->current;
}

static SnapshotObj *snapshot_obj_parent_or_meta(SnapshotTree *tree, SnapshotObj *obj)
{
    return obj->parent ? obj->parent : &tree->metaroot;
}

static void snapshot_obj_unlink(SnapshotTree *tree, SnapshotObj *obj)
{
    SnapshotObj *parent = snapshot_obj_parent_or_meta(tree, obj);

    for (SnapshotObj **p = &parent->first_child; *p; p = &(*p)->sibling) {
        if (*p == obj) {
            *p = obj->sibling;
            parent->n_children--;
            break;
        }
    }
    obj->sibling = NULL;
    obj->parent = NULL;
}

static void snapshot_obj_set_parent(SnapshotObj *obj, SnapshotObj *parent)
{
    obj->parent = parent;
    g_free(obj->def->parent_name);
    obj->def->parent_name = parent ? g_strdup(parent->def->name) : NULL;
}

/* Put @obj first among @parent's children (NULL = a root) and keep def->parent_name
 * true. Newest first, as libvirt 9.0 links them (measured with its test driver): walks,
 * and so TOPOLOGICAL listings and a snapshot's children, give the latest created or
 * redefined child first. */
static void snapshot_obj_link(SnapshotTree *tree, SnapshotObj *obj, SnapshotObj *parent)
{
    SnapshotObj *holder = parent ? parent : &tree->metaroot;

    obj->sibling = holder->first_child;
    holder->first_child = obj;
    holder->n_children++;
    snapshot_obj_set_parent(obj, parent);
}

/**
 * snapshot_tree_set_current - make @obj (NULL for none) the current snapshot
 * @tree: the tree
 * @obj: a snapshot of @tree, or NULL
 * @change: records the old and the new current as updated (their <active> changes)
 *
 * Returns: whether the current snapshot changed.
 */
bool snapshot_tree_set_current(SnapshotTree *tree, SnapshotObj *obj, SnapshotTreeChange *change)
{
    if (tree->current == obj)
        return false;
    if (tree->current) {
        tree->current->def->current = false;
        change_updated(change, tree->current);
    }
    tree->current = obj;
    if (obj) {
        obj->def->current = true;
        change_updated(change, obj);
    }
    return true;
}

static SnapshotObj *snapshot_tree_insert(SnapshotTree *tree, SnapshotDef *def)
{
    SnapshotObj *obj = g_new0(SnapshotObj, 1);

    obj->def = def;
    def->current = false;
    g_hash_table_insert(tree->objs, def->name, obj);
    return obj;
}

static bool snapshot_tree_check_room(SnapshotTree *tree, GError **error)
{
    if (snapshot_tree_size(tree) < SNAPSHOT_TREE_MAX)
        return true;
    g_set_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_OPERATION_INVALID,
                "domain '%s' already has the maximum of %d snapshots", tree->domain_name,
                SNAPSHOT_TREE_MAX);
    return false;
}

/**
 * snapshot_tree_add - install a newly created snapshot
 * @tree: the tree
 * @def: a post-parsed definition; taken over on success only
 * @change: records what the store must write
 * @error: OPERATION_INVALID when the name is taken or the tree is full
 *
 * As in libvirt, the new snapshot's parent is the current snapshot (its <parent> from
 * the XML is ignored), and it becomes current.
 *
 * Returns: the new snapshot, or NULL with @error set.
 */
SnapshotObj *snapshot_tree_add(SnapshotTree *tree, SnapshotDef *def, SnapshotTreeChange *change,
                               GError **error)
{
    SnapshotObj *obj;

    g_assert(def->name); /* post-parsed */
    if (snapshot_tree_lookup(tree, def->name)) {
        g_set_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_OPERATION_INVALID,
                    "domain '%s' already has a snapshot named '%s'", tree->domain_name, def->name);
        return NULL;
    }
    if (!snapshot_tree_check_room(tree, error))
        return NULL;
    obj = snapshot_tree_insert(tree, def);
    snapshot_obj_link(tree, obj, tree->current);
    change_updated(change, obj);
    snapshot_tree_set_current(tree, obj, change);
    return obj;
}

static bool snapshot_is_ancestor(const SnapshotObj *ancestor, const SnapshotObj *obj)
{
    for (const SnapshotObj *p = obj; p; p = p->parent) {
        if (p == ancestor)
            return true;
    }
    return false;
}

/* The checks libvirt makes before a redefinition: the parent exists and linking to it
 * creates no cycle; an existing snapshot keeps its online/offline nature. */
static bool snapshot_redefine_check(SnapshotTree *tree, const SnapshotDef *def,
                                    const SnapshotObj *existing, SnapshotObj **ret_parent,
                                    GError **error)
{
    SnapshotObj *parent = snapshot_tree_lookup(tree, def->parent_name);

    if (def->parent_name && !parent) {
        g_set_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_INVALID_ARG,
                    "parent '%s' of snapshot '%s' not found in domain '%s'", def->parent_name,
                    def->name, tree->domain_name);
        return false;
    }
    if (existing && parent && snapshot_is_ancestor(existing, parent)) {
        g_set_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_INVALID_ARG,
                    "parent '%s' would make a cycle with snapshot '%s'", def->parent_name,
                    def->name);
        return false;
    }
    if (existing && snapshot_def_is_inactive(existing->def) != snapshot_def_is_inactive(def)) {
        g_set_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_INVALID_ARG,
                    "cannot change snapshot '%s' of domain '%s' between online and offline "
                    "state",
                    def->name, tree->domain_name);
        return false;
    }
    *ret_parent = parent;
    return true;
}

/**
 * snapshot_tree_redefine - install or replace a snapshot from its full XML (REDEFINE)
 * @tree: the tree
 * @def: a definition parsed with SNAPSHOT_PARSE_REDEFINE; taken over on success only
 * @make_current: the CURRENT flag
 * @change: records what the store must write
 * @error: INVALID_ARG for a missing parent or a cycle
 *
 * The parent named in @def is used (it must exist). An existing snapshot of that name
 * is replaced in place and keeps its children. Current moves only with @make_current,
 * except that a replaced current snapshot stays current.
 *
 * Returns: the snapshot, or NULL with @error set.
 */
SnapshotObj *snapshot_tree_redefine(SnapshotTree *tree, SnapshotDef *def, bool make_current,
                                    SnapshotTreeChange *change, GError **error)
{
    SnapshotObj *existing = snapshot_tree_lookup(tree, def->name);
    SnapshotObj *parent = NULL;
    SnapshotObj *obj;

    g_assert(def->name); /* REDEFINE requires it */
    if (!snapshot_redefine_check(tree, def, existing, &parent, error))
        return NULL;
    if (!existing && !snapshot_tree_check_room(tree, error))
        return NULL;
    if (existing) {
        bool was_current = existing == tree->current;

        snapshot_obj_unlink(tree, existing);
        g_hash_table_steal(tree->objs, existing->def->name);
        snapshot_def_free(existing->def);
        existing->def = def;
        g_hash_table_insert(tree->objs, def->name, existing);
        def->current = was_current;
        obj = existing;
    } else {
        obj = snapshot_tree_insert(tree, def);
    }
    snapshot_obj_link(tree, obj, parent);
    change_updated(change, obj);
    if (make_current)
        snapshot_tree_set_current(tree, obj, change);
    return obj;
}

/* The next snapshot after @obj in a pre-order walk of the subtree below @top (parents
 * before children), without recursion: a chain of thousands of snapshots must not
 * exhaust a worker thread's stack. */
static SnapshotObj *snapshot_walk_next(const SnapshotObj *top, const SnapshotObj *obj, bool descend)
{
    if (descend && obj->first_child)
        return obj->first_child;
    for (const SnapshotObj *p = obj; p && p != top; p = p->parent) {
        if (p->sibling)
            return p->sibling;
        if (p->parent == NULL) /* a root: the walk below the metaroot ends here */
            return NULL;
    }
    return NULL;
}

/* Remove every descendant of @obj; *ret_hit_current tells whether the current snapshot
 * was among them. */
static void snapshot_remove_descendants(SnapshotTree *tree, SnapshotObj *obj,
                                        SnapshotTreeChange *change, bool *ret_hit_current)
{
    g_autoptr(GPtrArray) doomed = g_ptr_array_new();

    for (SnapshotObj *c = obj->first_child; c; c = snapshot_walk_next(obj, c, true))
        g_ptr_array_add(doomed, c);
    /* reverse pre-order: every child goes before its parent */
    for (guint i = doomed->len; i-- > 0;) {
        SnapshotObj *child = doomed->pdata[i];

        if (child == tree->current) {
            *ret_hit_current = true;
            tree->current = NULL;
        }
        snapshot_obj_unlink(tree, child);
        change_removed(change, child->def->name);
        g_hash_table_remove(tree->objs, child->def->name);
    }
}

/* Plain delete: the children move up to the deleted snapshot's parent, in their order
 * and before its other children, as libvirt 9.0 moves them. */
static void snapshot_reparent_children(SnapshotTree *tree, SnapshotObj *obj,
                                       SnapshotTreeChange *change)
{
    SnapshotObj *holder = obj->parent ? obj->parent : &tree->metaroot;
    SnapshotObj *last = NULL;

    if (!obj->first_child)
        return;
    for (SnapshotObj *c = obj->first_child; c; c = c->sibling) {
        snapshot_obj_set_parent(c, obj->parent);
        change_updated(change, c);
        last = c;
    }
    last->sibling = holder->first_child;
    holder->first_child = obj->first_child;
    holder->n_children += obj->n_children;
    obj->first_child = NULL;
    obj->n_children = 0;
}

/**
 * snapshot_tree_delete - remove a snapshot, its subtree, or only its descendants
 * @tree: the tree
 * @obj: a snapshot of @tree
 * @flags: SnapshotDeleteFlags; METADATA_ONLY changes nothing here (the caller skips
 *         the disk work)
 * @change: records removed snapshots and re-parented ones, and the current change
 * @error: INVALID_ARG for CHILDREN with CHILDREN_ONLY, or unknown flags
 *
 * Plain: @obj's children are re-parented to @obj's parent. CHILDREN: @obj and all its
 * descendants go. CHILDREN_ONLY: only the descendants go. When the current snapshot
 * goes, the nearest surviving ancestor (possibly none) becomes current: @obj itself
 * with CHILDREN_ONLY, else @obj's parent, as libvirt's test driver does.
 *
 * Returns: true, or false with @error set and nothing changed.
 */
bool snapshot_tree_delete(SnapshotTree *tree, SnapshotObj *obj, unsigned int flags,
                          SnapshotTreeChange *change, GError **error)
{
    bool hit_current = false;
    SnapshotObj *parent = obj->parent;

    if (flags & ~(SNAPSHOT_DELETE_CHILDREN | SNAPSHOT_DELETE_METADATA_ONLY |
                  SNAPSHOT_DELETE_CHILDREN_ONLY)) {
        g_set_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_INVALID_ARG,
                    "unsupported snapshot delete flags 0x%x", flags);
        return false;
    }
    if ((flags & SNAPSHOT_DELETE_CHILDREN) && (flags & SNAPSHOT_DELETE_CHILDREN_ONLY)) {
        g_set_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_INVALID_ARG,
                    "cannot delete snapshot '%s' with both --children and --children-only",
                    obj->def->name);
        return false;
    }
    if (flags & (SNAPSHOT_DELETE_CHILDREN | SNAPSHOT_DELETE_CHILDREN_ONLY)) {
        snapshot_remove_descendants(tree, obj, change, &hit_current);
        if (hit_current)
            snapshot_tree_set_current(tree, obj, change);
        if (flags & SNAPSHOT_DELETE_CHILDREN_ONLY)
            return true;
    } else {
        snapshot_reparent_children(tree, obj, change);
    }
    if (obj == tree->current) {
        tree->current = NULL;
        snapshot_tree_set_current(tree, parent, change);
    }
    snapshot_obj_unlink(tree, obj);
    change_removed(change, obj->def->name);
    g_hash_table_remove(tree->objs, obj->def->name);
    return true;
}

/**
 * snapshot_tree_clear: remove every snapshot (undefine, or a transient domain that
 * stopped); @change lists them all as removed.
 */
void snapshot_tree_clear(SnapshotTree *tree, SnapshotTreeChange *change)
{
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init(&iter, tree->objs);
    while (g_hash_table_iter_next(&iter, &key, NULL))
        change_removed(change, key);
    tree->current = NULL;
    tree->metaroot.first_child = NULL;
    tree->metaroot.n_children = 0;
    g_hash_table_remove_all(tree->objs);
}

/* libvirt's filter groups: within a group, no flag set means no filtering by it, and
 * several flags select what any of them selects, except LEAVES with NO_LEAVES, which
 * selects nothing (each excludes what the other keeps, as libvirt 9.0 answers). */
static bool snapshot_obj_matches(const SnapshotObj *obj, unsigned int flags)
{
    const unsigned int leaves = SNAPSHOT_LIST_LEAVES | SNAPSHOT_LIST_NO_LEAVES;
    const unsigned int metadata = SNAPSHOT_LIST_METADATA | SNAPSHOT_LIST_NO_METADATA;
    const unsigned int status =
        SNAPSHOT_LIST_INACTIVE | SNAPSHOT_LIST_ACTIVE | SNAPSHOT_LIST_DISK_ONLY;
    const unsigned int location = SNAPSHOT_LIST_INTERNAL | SNAPSHOT_LIST_EXTERNAL;
    const SnapshotDef *def = obj->def;

    /* every snapshot in the tree has metadata */
    if ((flags & metadata) && !(flags & SNAPSHOT_LIST_METADATA))
        return false;
    if ((flags & leaves) &&
        ((flags & leaves) == leaves ||
         !(flags & (obj->n_children ? SNAPSHOT_LIST_NO_LEAVES : SNAPSHOT_LIST_LEAVES))))
        return false;
    if (flags & status) {
        unsigned int mine = snapshot_def_is_inactive(def)    ? SNAPSHOT_LIST_INACTIVE
                            : snapshot_def_is_disk_only(def) ? SNAPSHOT_LIST_DISK_ONLY
                                                             : SNAPSHOT_LIST_ACTIVE;
        if (!(flags & mine))
            return false;
    }
    if ((flags & location) && !(flags & (snapshot_def_is_external(def) ? SNAPSHOT_LIST_EXTERNAL
                                                                       : SNAPSHOT_LIST_INTERNAL)))
        return false;
    return true;
}

/* Pre-order walk below @top: parents always come before their children. */
static void snapshot_collect(const SnapshotObj *top, bool recurse, unsigned int flags,
                             GPtrArray *out)
{
    for (SnapshotObj *c = top->first_child; c; c = snapshot_walk_next(top, c, recurse)) {
        if (snapshot_obj_matches(c, flags))
            g_ptr_array_add(out, c);
    }
}

/**
 * snapshot_tree_list - the snapshots of a domain, or below one snapshot, filtered
 * @tree: the tree
 * @from: NULL to list the domain's snapshots (ROOTS: roots only), or a snapshot to list
 *        its children (DESCENDANTS: all descendants, not just direct children)
 * @flags: SnapshotListFlags; groups LEAVES/NO_LEAVES, METADATA/NO_METADATA,
 *         INACTIVE/ACTIVE/DISK_ONLY and INTERNAL/EXTERNAL each filter only when one of
 *         their flags is given (LEAVES with NO_LEAVES: nothing, as libvirt)
 * @error: INVALID_ARG for unknown flags
 *
 * Returns: a new array of SnapshotObj* (not owned), always in pre-order with children
 * newest first, so TOPOLOGICAL needs no extra work; NULL with @error set. libvirt 9.0
 * gives the same order for ROOTS, for a snapshot's children and descendants, and for
 * TOPOLOGICAL; only its plain listing of a whole domain comes in hash table order, which
 * nothing can rely on, so it is ours too.
 */
GPtrArray *snapshot_tree_list(const SnapshotTree *tree, const SnapshotObj *from, unsigned int flags,
                              GError **error)
{
    GPtrArray *out;
    bool recurse;

    if (flags & ~SNAPSHOT_LIST_ALL_FLAGS) {
        g_set_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_INVALID_ARG,
                    "unsupported snapshot list flags 0x%x", flags & ~SNAPSHOT_LIST_ALL_FLAGS);
        return NULL;
    }
    out = g_ptr_array_new();
    if (from)
        recurse = flags & SNAPSHOT_LIST_DESCENDANTS;
    else
        recurse = !(flags & SNAPSHOT_LIST_ROOTS);
    snapshot_collect(from ? from : &tree->metaroot, recurse, flags, out);
    return out;
}

static void problem_add(GPtrArray *problems, VirtErrorCode code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void problem_add(GPtrArray *problems, VirtErrorCode code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_ptr_array_add(problems, g_error_new_valist(VIRT_SNAPSHOT_ERROR, code, fmt, ap));
    va_end(ap);
}

/* Oldest first, and among equally old ones by name backwards: linking each in front of
 * its siblings in this order leaves children newest first (then by name), as they were
 * before the daemon stopped when each was made in its own second. (libvirt relinks in
 * hash table order, which keeps no order at all.) */
static gint compare_load_order(gconstpointer a, gconstpointer b)
{
    const SnapshotDef *x = (*(SnapshotObj *const *)a)->def;
    const SnapshotDef *y = (*(SnapshotObj *const *)b)->def;

    if (x->creation_time != y->creation_time)
        return x->creation_time < y->creation_time ? -1 : 1;
    return -strcmp(x->name, y->name);
}

/* Link every loaded snapshot to its parent; a missing parent or a parent that would
 * close a cycle leaves the snapshot a root. */
static void snapshot_load_link(SnapshotTree *tree, GPtrArray *objs, GPtrArray *problems)
{
    for (guint i = 0; i < objs->len; i++) {
        SnapshotObj *obj = objs->pdata[i];
        g_autofree char *want = g_strdup(obj->def->parent_name);
        SnapshotObj *parent = snapshot_tree_lookup(tree, want);

        if (want && !parent) {
            problem_add(problems, VIRT_ERR_INVALID_DOMAIN_SNAPSHOT,
                        "snapshot '%s' of domain '%s' names a missing parent '%s'; it is "
                        "loaded as a root",
                        obj->def->name, tree->domain_name, want);
        } else if (parent && snapshot_is_ancestor(obj, parent)) {
            problem_add(problems, VIRT_ERR_INVALID_DOMAIN_SNAPSHOT,
                        "snapshot '%s' of domain '%s' has parent '%s', which would make a "
                        "cycle; it is loaded as a root",
                        obj->def->name, tree->domain_name, want);
            parent = NULL;
        }
        snapshot_obj_link(tree, obj, parent); /* inserted unlinked */
    }
}

static SnapshotObj *snapshot_load_insert(SnapshotTree *tree, SnapshotDef *def, GPtrArray *problems)
{
    if (snapshot_tree_lookup(tree, def->name)) {
        problem_add(problems, VIRT_ERR_INVALID_DOMAIN_SNAPSHOT,
                    "domain '%s' has two definitions of snapshot '%s'; the later one is "
                    "ignored",
                    tree->domain_name, def->name);
        snapshot_def_free(def);
        return NULL;
    }
    if (snapshot_tree_size(tree) >= SNAPSHOT_TREE_MAX) {
        problem_add(problems, VIRT_ERR_OPERATION_INVALID,
                    "domain '%s' has more than %d snapshots; snapshot '%s' is ignored",
                    tree->domain_name, SNAPSHOT_TREE_MAX, def->name);
        snapshot_def_free(def);
        return NULL;
    }
    return snapshot_tree_insert(tree, def);
}

/**
 * snapshot_tree_load - install definitions read back from disk, in any order
 * @tree: the tree (normally empty)
 * @defs: SnapshotDef*, all taken over (the array is emptied)
 * @problems: GError* appended for every inconsistency; none of them stops the load
 *
 * See the header for how each inconsistency is resolved.
 */
void snapshot_tree_load(SnapshotTree *tree, GPtrArray *defs, GPtrArray *problems)
{
    g_autoptr(GPtrArray) objs = g_ptr_array_new();
    g_autoptr(GPtrArray) marked = g_ptr_array_new();

    for (guint i = 0; i < defs->len; i++) {
        SnapshotDef *def = g_steal_pointer(&defs->pdata[i]);
        bool current = def->current;
        SnapshotObj *obj = snapshot_load_insert(tree, def, problems);

        if (!obj)
            continue;
        g_ptr_array_add(objs, obj);
        if (current)
            g_ptr_array_add(marked, obj);
    }
    g_ptr_array_set_size(defs, 0);
    /* linked only once all are in, so a child may come before its parent */
    g_ptr_array_sort(objs, compare_load_order);
    snapshot_load_link(tree, objs, problems);
    if (marked->len == 1) {
        snapshot_tree_set_current(tree, marked->pdata[0], NULL);
    } else if (marked->len > 1) {
        g_autoptr(GString) names = g_string_new(NULL);

        for (guint i = 0; i < marked->len; i++) {
            const SnapshotObj *obj = marked->pdata[i];

            g_string_append_printf(names, "%s'%s'", i ? ", " : "", obj->def->name);
        }
        problem_add(problems, VIRT_ERR_INVALID_DOMAIN_SNAPSHOT,
                    "%u snapshots of domain '%s' are marked current (%s); none is made "
                    "current",
                    marked->len, tree->domain_name, names->str);
    }
}
