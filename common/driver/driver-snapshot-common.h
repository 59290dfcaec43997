/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The snapshot ops every driver answers the same way from a domain's SnapshotTree
 * (state/snapshot-tree.h): listing with its filters, lookup, current, parent, XML,
 * is-current, has-metadata, children, and the flag checks libvirt's API layer makes.
 * A driver says where a domain's tree lives (DriverSnapshotCtx.tree_locked) and which
 * error domain its messages carry; the operations that touch disks stay in the driver.
 */

#include <glib.h>
#include <stdbool.h>

#include "conf/snapshot-def.h"
#include "driver/driver.h"
#include "state/domain-obj-list.h"
#include "state/snapshot-tree.h"

/* libvirt's flag values (reference/libvirt-facts.md §3.4) */
enum {
    DRIVER_SNAPSHOT_CREATE_REDEFINE = 1u << 0,
    DRIVER_SNAPSHOT_CREATE_CURRENT = 1u << 1,
    DRIVER_SNAPSHOT_CREATE_NO_METADATA = 1u << 2,
    DRIVER_SNAPSHOT_CREATE_HALT = 1u << 3,
    DRIVER_SNAPSHOT_CREATE_DISK_ONLY = 1u << 4,
    DRIVER_SNAPSHOT_CREATE_REUSE_EXT = 1u << 5,
    DRIVER_SNAPSHOT_CREATE_QUIESCE = 1u << 6,
    DRIVER_SNAPSHOT_CREATE_ATOMIC = 1u << 7,
    DRIVER_SNAPSHOT_CREATE_LIVE = 1u << 8,
    DRIVER_SNAPSHOT_CREATE_VALIDATE = 1u << 9,
    DRIVER_SNAPSHOT_REVERT_RUNNING = 1u << 0,
    DRIVER_SNAPSHOT_REVERT_PAUSED = 1u << 1,
    DRIVER_SNAPSHOT_REVERT_FORCE = 1u << 2,
    DRIVER_SNAPSHOT_XML_SECURE = 1u << 0,
    DRIVER_SNAPSHOT_LIST_ALL = 0x7ffu,
};

typedef struct DriverSnapshotCtx {
    DomainObjList *domains;
    GQuark edom;
    /* @obj's tree, made on first use; caller holds obj->lock */
    SnapshotTree *(*tree_locked)(DomainObj *obj);
} DriverSnapshotCtx;

/* lookups: the snapshot @name of @obj (caller holds obj->lock); the domain object of
 * @ref locked with its snapshot (release with driver_snapshot_unlock) */
SnapshotObj *driver_snapshot_get_locked(const DriverSnapshotCtx *ctx, DomainObj *obj,
                                        const char *name, GError **error);
DomainObj *driver_snapshot_lock(const DriverSnapshotCtx *ctx, const SnapshotRef *ref,
                                SnapshotObj **ret_snap, GError **error);
void driver_snapshot_unlock(DomainObj *obj);
SnapshotRef *driver_snapshot_ref_locked(DomainObj *obj, const SnapshotObj *snap);

/* the API layer's checks */
bool driver_snapshot_check_create_flags(unsigned int flags, GError **error);
bool driver_snapshot_check_revert_flags(unsigned int flags, GError **error);
bool driver_snapshot_check_delete_flags(unsigned int flags, GError **error);
/* a redefined snapshot's <domain> must be this domain (by UUID) */
bool driver_snapshot_check_redefine_locked(const DomainObj *obj, const SnapshotDef *def,
                                           GError **error);

/* the read-only ops (@func names the driver function in flag errors) */
GPtrArray *driver_snapshot_collect(const DriverSnapshotCtx *ctx, const DomainRef *dom,
                                   const char *from, unsigned int flags, bool names,
                                   const char *func, GError **error);
SnapshotRef *driver_snapshot_lookup_by_name(const DriverSnapshotCtx *ctx, const DomainRef *dom,
                                            const char *name, unsigned int flags, const char *func,
                                            GError **error);
bool driver_snapshot_has_current(const DriverSnapshotCtx *ctx, const DomainRef *dom,
                                 unsigned int flags, bool *ret, const char *func, GError **error);
SnapshotRef *driver_snapshot_current(const DriverSnapshotCtx *ctx, const DomainRef *dom,
                                     unsigned int flags, const char *func, GError **error);
SnapshotRef *driver_snapshot_get_parent(const DriverSnapshotCtx *ctx, const SnapshotRef *snap,
                                        unsigned int flags, const char *func, GError **error);
char *driver_snapshot_get_xml_desc(const DriverSnapshotCtx *ctx, const SnapshotRef *snap,
                                   unsigned int flags, const char *func, GError **error);
bool driver_snapshot_is_current(const DriverSnapshotCtx *ctx, const SnapshotRef *snap,
                                unsigned int flags, bool *ret, const char *func, GError **error);
/* every snapshot a driver knows has metadata (NO_METADATA ones are forgotten) */
bool driver_snapshot_has_metadata(const DriverSnapshotCtx *ctx, const SnapshotRef *snap,
                                  unsigned int flags, bool *ret, const char *func, GError **error);
