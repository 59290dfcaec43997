/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The snapshot tree of one domain: snapshots indexed by name, linked parent /
 * first-child / next-sibling under a metaroot whose children are the roots, and the
 * current snapshot. Operations follow libvirt's snapshot API semantics (create,
 * redefine, delete with its flags, list with every filter).
 *
 * Not thread-safe: the caller holds the domain object's lock.
 *
 * A driver's snapshot create, in order: snapshot_def_parse_full() (REDEFINE when asked),
 * for a new snapshot snapshot_def_align_disks() with the domain and the disk work, then
 * snapshot_tree_add() or, for REDEFINE, snapshot_tree_redefine() (after checking the
 * XML's domain UUID is this domain's), then snapshot_store_apply() with the change.
 * Undefine and transient stop: snapshot_tree_clear() + snapshot_store_delete_all().
 */

#include <glib.h>
#include <stdbool.h>

typedef struct SnapshotDef SnapshotDef;
typedef struct SnapshotTree SnapshotTree;

/* A refusal to grow a tree past this many snapshots (a peer controls the count). */
#define SNAPSHOT_TREE_MAX 16384

typedef struct SnapshotObj SnapshotObj;
struct SnapshotObj {
    SnapshotDef *def;         /* owned; def->parent_name and def->current kept in sync */
    SnapshotObj *parent;      /* NULL for a root */
    SnapshotObj *first_child; /* children newest first, as libvirt links them */
    SnapshotObj *sibling;
    unsigned int n_children;
};

/* virDomainSnapshotListFlags, same numbers. ROOTS and DESCENDANTS share a bit: ROOTS
 * when listing a domain, DESCENDANTS when listing the children of a snapshot. */
typedef enum SnapshotListFlags {
    SNAPSHOT_LIST_ROOTS = 1u << 0,
    SNAPSHOT_LIST_DESCENDANTS = 1u << 0,
    SNAPSHOT_LIST_METADATA = 1u << 1,
    SNAPSHOT_LIST_LEAVES = 1u << 2,
    SNAPSHOT_LIST_NO_LEAVES = 1u << 3,
    SNAPSHOT_LIST_NO_METADATA = 1u << 4,
    SNAPSHOT_LIST_INACTIVE = 1u << 5,
    SNAPSHOT_LIST_ACTIVE = 1u << 6,
    SNAPSHOT_LIST_DISK_ONLY = 1u << 7,
    SNAPSHOT_LIST_INTERNAL = 1u << 8,
    SNAPSHOT_LIST_EXTERNAL = 1u << 9,
    SNAPSHOT_LIST_TOPOLOGICAL = 1u << 10,
} SnapshotListFlags;

/* virDomainSnapshotDeleteFlags, same numbers. */
typedef enum SnapshotDeleteFlags {
    SNAPSHOT_DELETE_CHILDREN = 1u << 0,
    SNAPSHOT_DELETE_METADATA_ONLY = 1u << 1, /* the caller skips the disk work */
    SNAPSHOT_DELETE_CHILDREN_ONLY = 1u << 2,
} SnapshotDeleteFlags;

/* What a change did, so the on-disk store can follow it: files to remove and files to
 * rewrite (re-parented snapshots, the old and new current). */
typedef struct SnapshotTreeChange {
    GPtrArray *removed;      /* char*: names no longer in the tree */
    GPtrArray *updated;      /* char*: names whose definition changed */
    GHashTable *updated_set; /* private: the names in @updated, for de-duplication */
} SnapshotTreeChange;

/* lifecycle */
SnapshotTree *snapshot_tree_new(const char *domain_name);
SnapshotTree *snapshot_tree_free(SnapshotTree *tree);
SnapshotTreeChange *snapshot_tree_change_new(void);
SnapshotTreeChange *snapshot_tree_change_free(SnapshotTreeChange *change);

/* lookup */
unsigned int snapshot_tree_size(const SnapshotTree *tree);
SnapshotObj *snapshot_tree_lookup(const SnapshotTree *tree, const char *name);
SnapshotObj *snapshot_tree_get(const SnapshotTree *tree, const char *name, GError **error);
SnapshotObj *snapshot_tree_current(const SnapshotTree *tree);

/* changes */
SnapshotObj *snapshot_tree_add(SnapshotTree *tree, SnapshotDef *def, SnapshotTreeChange *change,
                               GError **error);
SnapshotObj *snapshot_tree_redefine(SnapshotTree *tree, SnapshotDef *def, bool make_current,
                                    SnapshotTreeChange *change, GError **error);
bool snapshot_tree_set_current(SnapshotTree *tree, SnapshotObj *obj, SnapshotTreeChange *change);
bool snapshot_tree_delete(SnapshotTree *tree, SnapshotObj *obj, unsigned int flags,
                          SnapshotTreeChange *change, GError **error);
void snapshot_tree_clear(SnapshotTree *tree, SnapshotTreeChange *change);
/* Install definitions in any order (the on-disk store at start): links parents (each
 * parent's children newest first by creationTime, then by name), makes the one marked
 * current (def->current) current. Problems are appended to @problems as
 * GError* and never stop the load: a missing parent or a cycle makes the snapshot a
 * root; a duplicate name drops the later definition; more than one marked current
 * leaves none current. */
void snapshot_tree_load(SnapshotTree *tree, GPtrArray *defs, GPtrArray *problems);

/* listing: SnapshotObj* in pre-order (parents before children, children newest first) */
GPtrArray *snapshot_tree_list(const SnapshotTree *tree, const SnapshotObj *from, unsigned int flags,
                              GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SnapshotTree, snapshot_tree_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SnapshotTreeChange, snapshot_tree_change_free)
