/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Handlers of the snapshot, managed-save and save/restore procedures (facts §1.12:
 * 54, 55, 182-193, 232, 233, 235, 236, 244, 246, 247, 271, 272, 274, 275, 388, 389): each
 * unpacks its args and calls one DriverOps entry. */

#include <string.h>

#include "daemon/daemon-priv.h"
#include "daemon/dispatch.h"
#include "util/error.h"

#define OP(call, name) (dispatch_require_op((call), (const void *)(call)->ops->name, error))

/* A borrowed view of a wire snapshot: valid while @wire is. */
typedef struct WireSnapshot {
    DomainRef dom;
    SnapshotRef ref;
} WireSnapshot;

static const SnapshotRef *snapshot_from_wire(const remote_nonnull_domain_snapshot *wire,
                                             WireSnapshot *view)
{
    dispatch_domain_from_wire(&wire->dom, &view->dom);
    view->ref.name = wire->name;
    view->ref.dom = &view->dom;
    return &view->ref;
}

static void snapshot_to_wire(const SnapshotRef *ref, remote_nonnull_domain_snapshot *wire)
{
    wire->name = g_strdup(ref->name);
    dispatch_domain_to_wire(ref->dom, &wire->dom);
}

static bool snapshot_ret(SnapshotRef *ref, remote_nonnull_domain_snapshot *ret)
{
    if (!ref)
        return false;
    snapshot_to_wire(ref, ret);
    snapshot_ref_free(ref);
    return true;
}

static bool check_count(guint n, const char *what, GError **error)
{
    if (n <= REMOTE_DOMAIN_SNAPSHOT_LIST_MAX)
        return true;
    g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC, "too many %s '%u' for limit '%d'", what, n,
                REMOTE_DOMAIN_SNAPSHOT_LIST_MAX);
    return false;
}

static bool check_maxnames(int max, GError **error)
{
    if (max >= 0 && max <= REMOTE_DOMAIN_SNAPSHOT_LIST_MAX)
        return true;
    g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC, "maxnames %d outside 0..%d", max,
                REMOTE_DOMAIN_SNAPSHOT_LIST_MAX);
    return false;
}

/* At most @max of @names (char*) into a wire string array. */
static void names_to_wire(GPtrArray *names, int max, u_int *ret_len,
                          remote_nonnull_string **ret_val)
{
    guint n = MIN(names->len, (guint)max);

    *ret_len = n;
    *ret_val = g_new0(remote_nonnull_string, MAX(n, 1));
    for (guint i = 0; i < n; i++)
        (*ret_val)[i] = g_strdup(names->pdata[i]);
}

/* @snaps (SnapshotRef*) into a wire snapshot array, unless the caller wants the count. */
static bool snaps_to_wire(GPtrArray *snaps, int need_results, u_int *ret_len,
                          remote_nonnull_domain_snapshot **ret_val, int *ret_count, GError **error)
{
    if (!check_count(snaps->len, "domain snapshots", error))
        return false;
    *ret_count = snaps->len;
    if (!need_results)
        return true;
    *ret_len = snaps->len;
    *ret_val = g_new0(remote_nonnull_domain_snapshot, MAX(snaps->len, 1));
    for (guint i = 0; i < snaps->len; i++)
        snapshot_to_wire(snaps->pdata[i], &(*ret_val)[i]);
    return true;
}

/* managed save */

bool dispatch_remote_domain_managed_save(DispatchCall *call,
                                         const remote_domain_managed_save_args *args,
                                         GError **error)
{
    DomainRef ref;

    if (!OP(call, domain_managed_save))
        return false;
    dispatch_domain_from_wire(&args->dom, &ref);
    return call->ops->domain_managed_save(call->conn, &ref, args->flags, error);
}

bool dispatch_remote_domain_managed_save_remove(DispatchCall *call,
                                                const remote_domain_managed_save_remove_args *args,
                                                GError **error)
{
    DomainRef ref;

    if (!OP(call, domain_managed_save_remove))
        return false;
    dispatch_domain_from_wire(&args->dom, &ref);
    return call->ops->domain_managed_save_remove(call->conn, &ref, args->flags, error);
}

/* save to a file and restore (55/232, 54/233), the image's XML (235, 236) */

bool dispatch_remote_domain_save(DispatchCall *call, const remote_domain_save_args *args,
                                 GError **error)
{
    DomainRef ref;

    if (!OP(call, domain_save))
        return false;
    dispatch_domain_from_wire(&args->dom, &ref);
    return call->ops->domain_save(call->conn, &ref, args->to, NULL, 0, error);
}

bool dispatch_remote_domain_save_flags(DispatchCall *call,
                                       const remote_domain_save_flags_args *args, GError **error)
{
    DomainRef ref;

    if (!OP(call, domain_save))
        return false;
    dispatch_domain_from_wire(&args->dom, &ref);
    return call->ops->domain_save(call->conn, &ref, args->to, args->dxml ? *args->dxml : NULL,
                                  args->flags, error);
}

bool dispatch_remote_domain_restore(DispatchCall *call, const remote_domain_restore_args *args,
                                    GError **error)
{
    return OP(call, domain_restore) &&
           call->ops->domain_restore(call->conn, args->from, NULL, 0, error);
}

bool dispatch_remote_domain_restore_flags(DispatchCall *call,
                                          const remote_domain_restore_flags_args *args,
                                          GError **error)
{
    return OP(call, domain_restore) &&
           call->ops->domain_restore(call->conn, args->from, args->dxml ? *args->dxml : NULL,
                                     args->flags, error);
}

bool dispatch_remote_domain_save_image_get_xml_desc(
    DispatchCall *call, const remote_domain_save_image_get_xml_desc_args *args,
    remote_domain_save_image_get_xml_desc_ret *ret, GError **error)
{
    if (!OP(call, domain_save_image_get_xml_desc))
        return false;
    ret->xml =
        call->ops->domain_save_image_get_xml_desc(call->conn, args->file, args->flags, error);
    return ret->xml != NULL;
}

bool dispatch_remote_domain_save_image_define_xml(
    DispatchCall *call, const remote_domain_save_image_define_xml_args *args, GError **error)
{
    return OP(call, domain_save_image_define_xml) &&
           call->ops->domain_save_image_define_xml(call->conn, args->file, args->dxml, args->flags,
                                                   error);
}

bool dispatch_remote_domain_managed_save_get_xml_desc(
    DispatchCall *call, const remote_domain_managed_save_get_xml_desc_args *args,
    remote_domain_managed_save_get_xml_desc_ret *ret, GError **error)
{
    DomainRef ref;

    if (!OP(call, domain_managed_save_get_xml_desc))
        return false;
    dispatch_domain_from_wire(&args->dom, &ref);
    ret->xml = call->ops->domain_managed_save_get_xml_desc(call->conn, &ref, args->flags, error);
    return ret->xml != NULL;
}

bool dispatch_remote_domain_managed_save_define_xml(
    DispatchCall *call, const remote_domain_managed_save_define_xml_args *args, GError **error)
{
    DomainRef ref;

    if (!OP(call, domain_managed_save_define_xml))
        return false;
    if (!args->dxml) {
        g_set_error_literal(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INVALID_ARG,
                            "invalid argument: dxml must not be NULL");
        return false;
    }
    dispatch_domain_from_wire(&args->dom, &ref);
    return call->ops->domain_managed_save_define_xml(call->conn, &ref, *args->dxml, args->flags,
                                                     error);
}

/* snapshots of a domain */

bool dispatch_remote_domain_snapshot_create_xml(DispatchCall *call,
                                                const remote_domain_snapshot_create_xml_args *args,
                                                remote_domain_snapshot_create_xml_ret *ret,
                                                GError **error)
{
    DomainRef ref;

    if (!OP(call, domain_snapshot_create_xml))
        return false;
    dispatch_domain_from_wire(&args->dom, &ref);
    return snapshot_ret(
        call->ops->domain_snapshot_create_xml(call->conn, &ref, args->xml_desc, args->flags, error),
        &ret->snap);
}

bool dispatch_remote_domain_list_all_snapshots(DispatchCall *call,
                                               const remote_domain_list_all_snapshots_args *args,
                                               remote_domain_list_all_snapshots_ret *ret,
                                               GError **error)
{
    g_autoptr(GPtrArray) snaps = NULL;
    DomainRef ref;

    if (!OP(call, domain_list_all_snapshots))
        return false;
    dispatch_domain_from_wire(&args->dom, &ref);
    if (!call->ops->domain_list_all_snapshots(call->conn, &ref, args->flags, &snaps, error))
        return false;
    return snaps_to_wire(snaps, args->need_results, &ret->snapshots.snapshots_len,
                         &ret->snapshots.snapshots_val, &ret->ret, error);
}

bool dispatch_remote_domain_snapshot_num(DispatchCall *call,
                                         const remote_domain_snapshot_num_args *args,
                                         remote_domain_snapshot_num_ret *ret, GError **error)
{
    DomainRef ref;

    if (!OP(call, domain_snapshot_num))
        return false;
    dispatch_domain_from_wire(&args->dom, &ref);
    ret->num = call->ops->domain_snapshot_num(call->conn, &ref, args->flags, error);
    return ret->num >= 0;
}

bool dispatch_remote_domain_snapshot_list_names(DispatchCall *call,
                                                const remote_domain_snapshot_list_names_args *args,
                                                remote_domain_snapshot_list_names_ret *ret,
                                                GError **error)
{
    g_autoptr(GPtrArray) names = NULL;
    DomainRef ref;

    if (!check_maxnames(args->maxnames, error) || !OP(call, domain_snapshot_list_names))
        return false;
    dispatch_domain_from_wire(&args->dom, &ref);
    if (!call->ops->domain_snapshot_list_names(call->conn, &ref, args->flags, &names, error))
        return false;
    names_to_wire(names, args->maxnames, &ret->names.names_len, &ret->names.names_val);
    return true;
}

bool dispatch_remote_domain_snapshot_lookup_by_name(
    DispatchCall *call, const remote_domain_snapshot_lookup_by_name_args *args,
    remote_domain_snapshot_lookup_by_name_ret *ret, GError **error)
{
    DomainRef ref;

    if (!OP(call, domain_snapshot_lookup_by_name))
        return false;
    dispatch_domain_from_wire(&args->dom, &ref);
    return snapshot_ret(
        call->ops->domain_snapshot_lookup_by_name(call->conn, &ref, args->name, args->flags, error),
        &ret->snap);
}

bool dispatch_remote_domain_has_current_snapshot(
    DispatchCall *call, const remote_domain_has_current_snapshot_args *args,
    remote_domain_has_current_snapshot_ret *ret, GError **error)
{
    DomainRef ref;
    bool value = false;

    if (!OP(call, domain_has_current_snapshot))
        return false;
    dispatch_domain_from_wire(&args->dom, &ref);
    if (!call->ops->domain_has_current_snapshot(call->conn, &ref, args->flags, &value, error))
        return false;
    ret->result = value ? 1 : 0;
    return true;
}

bool dispatch_remote_domain_snapshot_current(DispatchCall *call,
                                             const remote_domain_snapshot_current_args *args,
                                             remote_domain_snapshot_current_ret *ret,
                                             GError **error)
{
    DomainRef ref;

    if (!OP(call, domain_snapshot_current))
        return false;
    dispatch_domain_from_wire(&args->dom, &ref);
    return snapshot_ret(call->ops->domain_snapshot_current(call->conn, &ref, args->flags, error),
                        &ret->snap);
}

/* one snapshot */

bool dispatch_remote_domain_snapshot_get_xml_desc(
    DispatchCall *call, const remote_domain_snapshot_get_xml_desc_args *args,
    remote_domain_snapshot_get_xml_desc_ret *ret, GError **error)
{
    WireSnapshot view;

    if (!OP(call, domain_snapshot_get_xml_desc))
        return false;
    ret->xml = call->ops->domain_snapshot_get_xml_desc(
        call->conn, snapshot_from_wire(&args->snap, &view), args->flags, error);
    return ret->xml != NULL;
}

bool dispatch_remote_domain_snapshot_get_parent(DispatchCall *call,
                                                const remote_domain_snapshot_get_parent_args *args,
                                                remote_domain_snapshot_get_parent_ret *ret,
                                                GError **error)
{
    WireSnapshot view;

    if (!OP(call, domain_snapshot_get_parent))
        return false;
    return snapshot_ret(call->ops->domain_snapshot_get_parent(
                            call->conn, snapshot_from_wire(&args->snap, &view), args->flags, error),
                        &ret->snap);
}

static bool snapshot_query(DispatchCall *call, SnapshotBoolQueryFunc op,
                           const remote_nonnull_domain_snapshot *wire, unsigned int flags, int *ret,
                           GError **error)
{
    WireSnapshot view;
    bool value = false;

    if (!dispatch_require_op(call, (const void *)op, error) ||
        !op(call->conn, snapshot_from_wire(wire, &view), flags, &value, error))
        return false;
    *ret = value ? 1 : 0;
    return true;
}

bool dispatch_remote_domain_snapshot_is_current(DispatchCall *call,
                                                const remote_domain_snapshot_is_current_args *args,
                                                remote_domain_snapshot_is_current_ret *ret,
                                                GError **error)
{
    return snapshot_query(call, call->ops->domain_snapshot_is_current, &args->snap, args->flags,
                          &ret->current, error);
}

bool dispatch_remote_domain_snapshot_has_metadata(
    DispatchCall *call, const remote_domain_snapshot_has_metadata_args *args,
    remote_domain_snapshot_has_metadata_ret *ret, GError **error)
{
    return snapshot_query(call, call->ops->domain_snapshot_has_metadata, &args->snap, args->flags,
                          &ret->metadata, error);
}

bool dispatch_remote_domain_snapshot_list_all_children(
    DispatchCall *call, const remote_domain_snapshot_list_all_children_args *args,
    remote_domain_snapshot_list_all_children_ret *ret, GError **error)
{
    g_autoptr(GPtrArray) snaps = NULL;
    WireSnapshot view;

    if (!OP(call, domain_snapshot_list_all_children) ||
        !call->ops->domain_snapshot_list_all_children(
            call->conn, snapshot_from_wire(&args->snapshot, &view), args->flags, &snaps, error))
        return false;
    return snaps_to_wire(snaps, args->need_results, &ret->snapshots.snapshots_len,
                         &ret->snapshots.snapshots_val, &ret->ret, error);
}

bool dispatch_remote_domain_snapshot_num_children(
    DispatchCall *call, const remote_domain_snapshot_num_children_args *args,
    remote_domain_snapshot_num_children_ret *ret, GError **error)
{
    WireSnapshot view;

    if (!OP(call, domain_snapshot_num_children))
        return false;
    ret->num = call->ops->domain_snapshot_num_children(
        call->conn, snapshot_from_wire(&args->snap, &view), args->flags, error);
    return ret->num >= 0;
}

bool dispatch_remote_domain_snapshot_list_children_names(
    DispatchCall *call, const remote_domain_snapshot_list_children_names_args *args,
    remote_domain_snapshot_list_children_names_ret *ret, GError **error)
{
    g_autoptr(GPtrArray) names = NULL;
    WireSnapshot view;

    if (!check_maxnames(args->maxnames, error) || !OP(call, domain_snapshot_list_children_names) ||
        !call->ops->domain_snapshot_list_children_names(
            call->conn, snapshot_from_wire(&args->snap, &view), args->flags, &names, error))
        return false;
    names_to_wire(names, args->maxnames, &ret->names.names_len, &ret->names.names_val);
    return true;
}

bool dispatch_remote_domain_revert_to_snapshot(DispatchCall *call,
                                               const remote_domain_revert_to_snapshot_args *args,
                                               GError **error)
{
    WireSnapshot view;

    return OP(call, domain_revert_to_snapshot) &&
           call->ops->domain_revert_to_snapshot(call->conn, snapshot_from_wire(&args->snap, &view),
                                                args->flags, error);
}

bool dispatch_remote_domain_snapshot_delete(DispatchCall *call,
                                            const remote_domain_snapshot_delete_args *args,
                                            GError **error)
{
    WireSnapshot view;

    return OP(call, domain_snapshot_delete) &&
           call->ops->domain_snapshot_delete(call->conn, snapshot_from_wire(&args->snap, &view),
                                             args->flags, error);
}
