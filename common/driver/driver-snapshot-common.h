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

/* collect into *@ret (true) or fail (false); count: the number collected or -1 */
bool driver_snapshot_collect_into(const DriverSnapshotCtx *ctx, const DomainRef *dom,
                                  const char *from, unsigned int flags, bool names, GPtrArray **ret,
                                  const char *func, GError **error);
int driver_snapshot_count(const DriverSnapshotCtx *ctx, const DomainRef *dom, const char *from,
                          unsigned int flags, const char *func, GError **error);

/*
 * The read-only snapshot ops of a driver, PREFIX_domain_list_all_snapshots …
 * PREFIX_domain_snapshot_has_metadata, answered by the functions above. DriverConn is
 * private to each driver, so the driver passes CTX_FN, its
 * `const DriverSnapshotCtx *CTX_FN(DriverConn *conn, DriverSnapshotCtx *buf)`, and these
 * macros write the thin entry points its ops table names (instead of every driver
 * repeating them by hand).
 */
#define DRIVER_SNAPSHOT_DECLARE_READ_OPS(PREFIX)                                                 \
    bool PREFIX##_domain_list_all_snapshots(DriverConn *conn, const DomainRef *dom,              \
                                            unsigned int flags, GPtrArray **ret_snaps,           \
                                            GError **error);                                     \
    int PREFIX##_domain_snapshot_num(DriverConn *conn, const DomainRef *dom, unsigned int flags, \
                                     GError **error);                                            \
    bool PREFIX##_domain_snapshot_list_names(DriverConn *conn, const DomainRef *dom,             \
                                             unsigned int flags, GPtrArray **ret_names,          \
                                             GError **error);                                    \
    bool PREFIX##_domain_snapshot_list_all_children(DriverConn *conn, const SnapshotRef *snap,   \
                                                    unsigned int flags, GPtrArray **ret_snaps,   \
                                                    GError **error);                             \
    int PREFIX##_domain_snapshot_num_children(DriverConn *conn, const SnapshotRef *snap,         \
                                              unsigned int flags, GError **error);               \
    bool PREFIX##_domain_snapshot_list_children_names(DriverConn *conn, const SnapshotRef *snap, \
                                                      unsigned int flags, GPtrArray **ret_names, \
                                                      GError **error);                           \
    SnapshotRef *PREFIX##_domain_snapshot_lookup_by_name(DriverConn *conn, const DomainRef *dom, \
                                                         const char *name, unsigned int flags,   \
                                                         GError **error);                        \
    bool PREFIX##_domain_has_current_snapshot(DriverConn *conn, const DomainRef *dom,            \
                                              unsigned int flags, bool *ret, GError **error);    \
    SnapshotRef *PREFIX##_domain_snapshot_current(DriverConn *conn, const DomainRef *dom,        \
                                                  unsigned int flags, GError **error);           \
    SnapshotRef *PREFIX##_domain_snapshot_get_parent(DriverConn *conn, const SnapshotRef *snap,  \
                                                     unsigned int flags, GError **error);        \
    char *PREFIX##_domain_snapshot_get_xml_desc(DriverConn *conn, const SnapshotRef *snap,       \
                                                unsigned int flags, GError **error);             \
    bool PREFIX##_domain_snapshot_is_current(DriverConn *conn, const SnapshotRef *snap,          \
                                             unsigned int flags, bool *ret, GError **error);     \
    bool PREFIX##_domain_snapshot_has_metadata(DriverConn *conn, const SnapshotRef *snap,        \
                                               unsigned int flags, bool *ret, GError **error)

/* one entry point: NAME(PARAMS) returns COMMON(CTX_FN(conn), ARGS…, "NAME", error) */
#define DRIVER_SNAPSHOT_READ_OP(RET, NAME, PARAMS, COMMON, CTX_FN, ...) \
    RET NAME PARAMS                                                     \
    {                                                                   \
        DriverSnapshotCtx ctx_;                                         \
        return COMMON(CTX_FN(conn, &ctx_), __VA_ARGS__, #NAME, error);  \
    }

#define DRIVER_SNAPSHOT_DEFINE_READ_OPS(PREFIX, CTX_FN)                                           \
    DRIVER_SNAPSHOT_READ_OP(bool, PREFIX##_domain_list_all_snapshots,                             \
                            (DriverConn * conn, const DomainRef *dom, unsigned int flags,         \
                             GPtrArray **ret_snaps, GError **error),                              \
                            driver_snapshot_collect_into, CTX_FN, dom, NULL, flags, false,        \
                            ret_snaps)                                                            \
    DRIVER_SNAPSHOT_READ_OP(                                                                      \
        int, PREFIX##_domain_snapshot_num,                                                        \
        (DriverConn * conn, const DomainRef *dom, unsigned int flags, GError **error),            \
        driver_snapshot_count, CTX_FN, dom, NULL, flags)                                          \
    DRIVER_SNAPSHOT_READ_OP(bool, PREFIX##_domain_snapshot_list_names,                            \
                            (DriverConn * conn, const DomainRef *dom, unsigned int flags,         \
                             GPtrArray **ret_names, GError **error),                              \
                            driver_snapshot_collect_into, CTX_FN, dom, NULL, flags, true,         \
                            ret_names)                                                            \
    DRIVER_SNAPSHOT_READ_OP(bool, PREFIX##_domain_snapshot_list_all_children,                     \
                            (DriverConn * conn, const SnapshotRef *snap, unsigned int flags,      \
                             GPtrArray **ret_snaps, GError **error),                              \
                            driver_snapshot_collect_into, CTX_FN, snap->dom, snap->name, flags,   \
                            false, ret_snaps)                                                     \
    DRIVER_SNAPSHOT_READ_OP(                                                                      \
        int, PREFIX##_domain_snapshot_num_children,                                               \
        (DriverConn * conn, const SnapshotRef *snap, unsigned int flags, GError **error),         \
        driver_snapshot_count, CTX_FN, snap->dom, snap->name, flags)                              \
    DRIVER_SNAPSHOT_READ_OP(bool, PREFIX##_domain_snapshot_list_children_names,                   \
                            (DriverConn * conn, const SnapshotRef *snap, unsigned int flags,      \
                             GPtrArray **ret_names, GError **error),                              \
                            driver_snapshot_collect_into, CTX_FN, snap->dom, snap->name, flags,   \
                            true, ret_names)                                                      \
    DRIVER_SNAPSHOT_READ_OP(SnapshotRef *, PREFIX##_domain_snapshot_lookup_by_name,               \
                            (DriverConn * conn, const DomainRef *dom, const char *name,           \
                             unsigned int flags, GError **error),                                 \
                            driver_snapshot_lookup_by_name, CTX_FN, dom, name, flags)             \
    DRIVER_SNAPSHOT_READ_OP(                                                                      \
        bool, PREFIX##_domain_has_current_snapshot,                                               \
        (DriverConn * conn, const DomainRef *dom, unsigned int flags, bool *ret, GError **error), \
        driver_snapshot_has_current, CTX_FN, dom, flags, ret)                                     \
    DRIVER_SNAPSHOT_READ_OP(                                                                      \
        SnapshotRef *, PREFIX##_domain_snapshot_current,                                          \
        (DriverConn * conn, const DomainRef *dom, unsigned int flags, GError **error),            \
        driver_snapshot_current, CTX_FN, dom, flags)                                              \
    DRIVER_SNAPSHOT_READ_OP(                                                                      \
        SnapshotRef *, PREFIX##_domain_snapshot_get_parent,                                       \
        (DriverConn * conn, const SnapshotRef *snap, unsigned int flags, GError **error),         \
        driver_snapshot_get_parent, CTX_FN, snap, flags)                                          \
    DRIVER_SNAPSHOT_READ_OP(                                                                      \
        char *, PREFIX##_domain_snapshot_get_xml_desc,                                            \
        (DriverConn * conn, const SnapshotRef *snap, unsigned int flags, GError **error),         \
        driver_snapshot_get_xml_desc, CTX_FN, snap, flags)                                        \
    DRIVER_SNAPSHOT_READ_OP(bool, PREFIX##_domain_snapshot_is_current,                            \
                            (DriverConn * conn, const SnapshotRef *snap, unsigned int flags,      \
                             bool *ret, GError **error),                                          \
                            driver_snapshot_is_current, CTX_FN, snap, flags, ret)                 \
    DRIVER_SNAPSHOT_READ_OP(bool, PREFIX##_domain_snapshot_has_metadata,                          \
                            (DriverConn * conn, const SnapshotRef *snap, unsigned int flags,      \
                             bool *ret, GError **error),                                          \
                            driver_snapshot_has_metadata, CTX_FN, snap, flags, ret)
