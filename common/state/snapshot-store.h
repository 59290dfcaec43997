/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The on-disk snapshot metadata of one driver (libvirt-facts §3.5):
 * <snapshot_dir>/<domain>/<snapshot>.xml, our internal <domainsnapshot> format (SECURE,
 * with <active> marking the current snapshot), mode 0600, each written atomically.
 * Loading never deletes or rewrites a file: what cannot be used is reported.
 */

#include <glib.h>
#include <stdbool.h>

typedef struct SnapshotDef SnapshotDef;
typedef struct SnapshotTree SnapshotTree;
typedef struct SnapshotTreeChange SnapshotTreeChange;
typedef struct SnapshotStore SnapshotStore;

#define SNAPSHOT_STORE_MAX_FILE_SIZE (10 * 1024 * 1024)

/* lifecycle */
SnapshotStore *snapshot_store_new(const char *snapshot_dir);
SnapshotStore *snapshot_store_free(SnapshotStore *store);

/* paths (NULL with an error for names that are not safe file names) */
char *snapshot_store_domain_dir(const SnapshotStore *store, const char *domain, GError **error);
char *snapshot_store_path(const SnapshotStore *store, const char *domain, const char *snapshot,
                          GError **error);

/* writes */
bool snapshot_store_write(SnapshotStore *store, const char *domain, const SnapshotDef *def,
                          GError **error);
bool snapshot_store_delete(SnapshotStore *store, const char *domain, const char *snapshot,
                           GError **error);
bool snapshot_store_delete_all(SnapshotStore *store, const char *domain, GError **error);
/* Follow a tree operation: delete the removed snapshots' files, rewrite the updated. */
bool snapshot_store_apply(SnapshotStore *store, const char *domain, const SnapshotTree *tree,
                          const SnapshotTreeChange *change, GError **error);

/* load at start: fills @tree; every unusable file or inconsistency becomes a GError* in
 * @problems; false only when the directory itself cannot be read */
bool snapshot_store_load(SnapshotStore *store, const char *domain, SnapshotTree *tree,
                         GPtrArray *problems, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SnapshotStore, snapshot_store_free)
