/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Snapshot ops answered from a domain's SnapshotTree, the same for every driver.
 * Messages follow libvirt's as Debian's virsh shows them.
 */

#include <string.h>

#include "conf/domain-def.h"
#include "driver/driver-domain-common.h"
#include "driver/driver-snapshot-common.h"
#include "util/error.h"

static void set_no_snapshot(const DriverSnapshotCtx *ctx, GError **error, const char *name)
{
    g_set_error(error, ctx->edom, VIRT_ERR_NO_DOMAIN_SNAPSHOT,
                "Domain snapshot not found: no domain snapshot with matching name '%s'", name);
}

/**
 * driver_snapshot_get_locked: the snapshot @name of @obj, or NULL with
 * NO_DOMAIN_SNAPSHOT. Caller holds obj->lock.
 */
SnapshotObj *driver_snapshot_get_locked(const DriverSnapshotCtx *ctx, DomainObj *obj,
                                        const char *name, GError **error)
{
    SnapshotObj *snap = snapshot_tree_lookup(ctx->tree_locked(obj), name);

    if (!snap)
        set_no_snapshot(ctx, error, name);
    return snap;
}

/**
 * driver_snapshot_lock: the domain object of @ref, locked, with its snapshot in
 * *ret_snap; release with driver_snapshot_unlock(). NULL with @error set.
 */
DomainObj *driver_snapshot_lock(const DriverSnapshotCtx *ctx, const SnapshotRef *ref,
                                SnapshotObj **ret_snap, GError **error)
{
    DomainObj *obj = driver_domain_obj_from_ref(ctx->domains, ctx->edom, ref->dom, error);

    if (!obj)
        return NULL;
    g_mutex_lock(&obj->lock);
    *ret_snap = driver_snapshot_get_locked(ctx, obj, ref->name, error);
    if (!*ret_snap) {
        driver_snapshot_unlock(obj);
        return NULL;
    }
    return obj;
}

void driver_snapshot_unlock(DomainObj *obj)
{
    g_mutex_unlock(&obj->lock);
    domain_obj_unref(obj);
}

SnapshotRef *driver_snapshot_ref_locked(DomainObj *obj, const SnapshotObj *snap)
{
    g_autoptr(DomainRef) dom = driver_domain_ref_locked(obj);

    return snapshot_ref_new(snap->def->name, dom);
}

static bool flag_error(GError **error, const char *msg)
{
    g_set_error_literal(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_INVALID_ARG, msg);
    return false;
}

/**
 * driver_snapshot_check_create_flags: the combinations libvirt's API layer refuses.
 */
bool driver_snapshot_check_create_flags(unsigned int flags, GError **error)
{
    if ((flags & DRIVER_SNAPSHOT_CREATE_CURRENT) && !(flags & DRIVER_SNAPSHOT_CREATE_REDEFINE))
        return flag_error(error, "Flag 'VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE' is required by flag "
                                 "'VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT'");
    if ((flags & DRIVER_SNAPSHOT_CREATE_REDEFINE) && (flags & DRIVER_SNAPSHOT_CREATE_NO_METADATA))
        return flag_error(error, "Flags 'VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE' and "
                                 "'VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA' are mutually "
                                 "exclusive");
    if ((flags & DRIVER_SNAPSHOT_CREATE_REDEFINE) && (flags & DRIVER_SNAPSHOT_CREATE_HALT))
        return flag_error(error, "Flags 'VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE' and "
                                 "'VIR_DOMAIN_SNAPSHOT_CREATE_HALT' are mutually exclusive");
    return true;
}

bool driver_snapshot_check_revert_flags(unsigned int flags, GError **error)
{
    if ((flags & DRIVER_SNAPSHOT_REVERT_RUNNING) && (flags & DRIVER_SNAPSHOT_REVERT_PAUSED))
        return flag_error(error, "Flags 'VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING' and "
                                 "'VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED' are mutually exclusive");
    return true;
}

bool driver_snapshot_check_delete_flags(unsigned int flags, GError **error)
{
    if ((flags & SNAPSHOT_DELETE_CHILDREN) && (flags & SNAPSHOT_DELETE_CHILDREN_ONLY))
        return flag_error(error, "Flags 'VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN' and "
                                 "'VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY' are mutually "
                                 "exclusive");
    return true;
}

/**
 * driver_snapshot_check_redefine_locked: a redefined snapshot must carry this domain's
 * config (same UUID). Caller holds obj->lock.
 */
bool driver_snapshot_check_redefine_locked(const DomainObj *obj, const SnapshotDef *def,
                                           GError **error)
{
    char uuid[VIRT_UUID_STRING_LEN];

    if (def->dom && memcmp(def->dom->uuid, obj->def->uuid, VIRT_UUID_LEN) == 0)
        return true;
    virt_uuid_format(obj->def->uuid, uuid);
    g_set_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_INVALID_ARG,
                "invalid argument: definition for snapshot %s must use uuid %s", def->name, uuid);
    return false;
}

static void snapshot_ref_free_notify(gpointer ref)
{
    snapshot_ref_free(ref);
}

/**
 * driver_snapshot_collect: the snapshots of @dom, or below the snapshot @from, filtered
 * by @flags: SnapshotRef* or, with @names, char*.
 */
GPtrArray *driver_snapshot_collect(const DriverSnapshotCtx *ctx, const DomainRef *dom,
                                   const char *from, unsigned int flags, bool names,
                                   const char *func, GError **error)
{
    g_autoptr(DomainObj) obj = NULL;
    g_autoptr(GPtrArray) list = NULL;
    g_autoptr(DomainRef) ref = NULL;
    SnapshotObj *top = NULL;
    GPtrArray *out;

    if (!driver_check_flags(flags, DRIVER_SNAPSHOT_LIST_ALL, func, ctx->edom, error) ||
        !(obj = driver_domain_obj_from_ref(ctx->domains, ctx->edom, dom, error)))
        return NULL;
    g_mutex_lock(&obj->lock);
    if (!from || (top = driver_snapshot_get_locked(ctx, obj, from, error)))
        list = snapshot_tree_list(ctx->tree_locked(obj), top, flags, error);
    ref = driver_domain_ref_locked(obj);
    out = list ? g_ptr_array_new_full(list->len, names ? g_free : snapshot_ref_free_notify) : NULL;
    for (guint i = 0; list && i < list->len; i++) {
        const SnapshotObj *snap = list->pdata[i];

        g_ptr_array_add(out, names ? (gpointer)g_strdup(snap->def->name)
                                   : (gpointer)snapshot_ref_new(snap->def->name, ref));
    }
    g_mutex_unlock(&obj->lock);
    return out;
}

bool driver_snapshot_collect_into(const DriverSnapshotCtx *ctx, const DomainRef *dom,
                                  const char *from, unsigned int flags, bool names, GPtrArray **ret,
                                  const char *func, GError **error)
{
    GPtrArray *out = driver_snapshot_collect(ctx, dom, from, flags, names, func, error);

    if (!out)
        return false;
    *ret = out;
    return true;
}

int driver_snapshot_count(const DriverSnapshotCtx *ctx, const DomainRef *dom, const char *from,
                          unsigned int flags, const char *func, GError **error)
{
    g_autoptr(GPtrArray) out = driver_snapshot_collect(ctx, dom, from, flags, true, func, error);

    return out ? (int)out->len : -1;
}

SnapshotRef *driver_snapshot_lookup_by_name(const DriverSnapshotCtx *ctx, const DomainRef *dom,
                                            const char *name, unsigned int flags, const char *func,
                                            GError **error)
{
    g_autoptr(DomainObj) obj = NULL;
    g_autoptr(GMutexLocker) locker = NULL;
    SnapshotObj *snap;

    if (!driver_check_flags(flags, 0, func, ctx->edom, error) ||
        !(obj = driver_domain_obj_from_ref(ctx->domains, ctx->edom, dom, error)))
        return NULL;
    locker = g_mutex_locker_new(&obj->lock);
    if (!(snap = driver_snapshot_get_locked(ctx, obj, name, error)))
        return NULL;
    return driver_snapshot_ref_locked(obj, snap);
}

/* The current snapshot of @dom, NULL (no error) when it has none; *ret_obj is locked
 * on success. */
static bool current_locked(const DriverSnapshotCtx *ctx, const DomainRef *dom, unsigned int flags,
                           const char *func, DomainObj **ret_obj, SnapshotObj **ret_snap,
                           GError **error)
{
    DomainObj *obj;

    if (!driver_check_flags(flags, 0, func, ctx->edom, error) ||
        !(obj = driver_domain_obj_from_ref(ctx->domains, ctx->edom, dom, error)))
        return false;
    g_mutex_lock(&obj->lock);
    *ret_snap = snapshot_tree_current(ctx->tree_locked(obj));
    *ret_obj = obj;
    return true;
}

bool driver_snapshot_has_current(const DriverSnapshotCtx *ctx, const DomainRef *dom,
                                 unsigned int flags, bool *ret, const char *func, GError **error)
{
    DomainObj *obj;
    SnapshotObj *snap;

    if (!current_locked(ctx, dom, flags, func, &obj, &snap, error))
        return false;
    *ret = snap != NULL;
    driver_snapshot_unlock(obj);
    return true;
}

SnapshotRef *driver_snapshot_current(const DriverSnapshotCtx *ctx, const DomainRef *dom,
                                     unsigned int flags, const char *func, GError **error)
{
    SnapshotRef *ref = NULL;
    DomainObj *obj;
    SnapshotObj *snap;

    if (!current_locked(ctx, dom, flags, func, &obj, &snap, error))
        return NULL;
    if (snap)
        ref = driver_snapshot_ref_locked(obj, snap);
    else
        g_set_error_literal(error, ctx->edom, VIRT_ERR_NO_DOMAIN_SNAPSHOT,
                            "Domain snapshot not found: the domain does not have a current "
                            "snapshot");
    driver_snapshot_unlock(obj);
    return ref;
}

SnapshotRef *driver_snapshot_get_parent(const DriverSnapshotCtx *ctx, const SnapshotRef *snap,
                                        unsigned int flags, const char *func, GError **error)
{
    SnapshotRef *ref = NULL;
    SnapshotObj *sobj;
    DomainObj *obj;

    if (!driver_check_flags(flags, 0, func, ctx->edom, error) ||
        !(obj = driver_snapshot_lock(ctx, snap, &sobj, error)))
        return NULL;
    if (sobj->parent)
        ref = driver_snapshot_ref_locked(obj, sobj->parent);
    else
        g_set_error(error, ctx->edom, VIRT_ERR_NO_DOMAIN_SNAPSHOT,
                    "Domain snapshot not found: snapshot '%s' does not have a parent",
                    sobj->def->name);
    driver_snapshot_unlock(obj);
    return ref;
}

char *driver_snapshot_get_xml_desc(const DriverSnapshotCtx *ctx, const SnapshotRef *snap,
                                   unsigned int flags, const char *func, GError **error)
{
    SnapshotObj *sobj;
    DomainObj *obj;
    char *xml;

    if (!driver_check_flags(flags, DRIVER_SNAPSHOT_XML_SECURE, func, ctx->edom, error) ||
        !(obj = driver_snapshot_lock(ctx, snap, &sobj, error)))
        return NULL;
    xml = snapshot_def_format(sobj->def,
                              (flags & DRIVER_SNAPSHOT_XML_SECURE) ? SNAPSHOT_FORMAT_SECURE : 0);
    driver_snapshot_unlock(obj);
    return xml;
}

bool driver_snapshot_is_current(const DriverSnapshotCtx *ctx, const SnapshotRef *snap,
                                unsigned int flags, bool *ret, const char *func, GError **error)
{
    SnapshotObj *sobj;
    DomainObj *obj;

    if (!driver_check_flags(flags, 0, func, ctx->edom, error) ||
        !(obj = driver_snapshot_lock(ctx, snap, &sobj, error)))
        return false;
    *ret = snapshot_tree_current(ctx->tree_locked(obj)) == sobj;
    driver_snapshot_unlock(obj);
    return true;
}

bool driver_snapshot_has_metadata(const DriverSnapshotCtx *ctx, const SnapshotRef *snap,
                                  unsigned int flags, bool *ret, const char *func, GError **error)
{
    SnapshotObj *sobj;
    DomainObj *obj;

    if (!driver_check_flags(flags, 0, func, ctx->edom, error) ||
        !(obj = driver_snapshot_lock(ctx, snap, &sobj, error)))
        return false;
    *ret = true;
    driver_snapshot_unlock(obj);
    return true;
}
