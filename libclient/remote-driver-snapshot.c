/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The remote driver's snapshot and managed-save ops: each builds the procedure's
 * rpcgen args struct and makes one call (procedures 182, 184-193, 244, 246, 247, 271,
 * 272, 274, 275).
 */

#include <string.h>

#include "remote-driver-priv.h"
#include "util/error.h"

static void snap_to_wire(const SnapshotRef *ref, remote_nonnull_domain_snapshot *wire)
{
    wire->name = ref->name;
    remote_dom_to_wire(ref->dom, &wire->dom);
}

static SnapshotRef *snap_from_wire(const remote_nonnull_domain_snapshot *wire)
{
    g_autoptr(DomainRef) dom = remote_dom_from_wire(&wire->dom);

    return snapshot_ref_new(wire->name, dom);
}

/* A call whose ret is one remote_nonnull_domain_snapshot. */
static SnapshotRef *snap_returning(DriverConn *conn, int proc, const void *args, GError **error)
{
    remote_domain_snapshot_current_ret ret = { 0 };
    SnapshotRef *ref;

    G_STATIC_ASSERT(sizeof(ret) == sizeof(remote_domain_snapshot_create_xml_ret));
    G_STATIC_ASSERT(sizeof(ret) == sizeof(remote_domain_snapshot_get_parent_ret));
    G_STATIC_ASSERT(sizeof(ret) == sizeof(remote_domain_snapshot_lookup_by_name_ret));
    if (!remote_call(conn, proc, args, &ret, error))
        return NULL;
    ref = snap_from_wire(&ret.snap);
    remote_ret_clear(proc, &ret);
    return ref;
}

/* A call whose ret is one int. */
static int int_returning(DriverConn *conn, int proc, const void *args, GError **error)
{
    int ret = 0;

    if (!remote_call(conn, proc, args, &ret, error))
        return -1;
    return ret;
}

static void snapshot_ref_free_notify(gpointer ref)
{
    snapshot_ref_free(ref);
}

/* {snapshots<>, ret} into SnapshotRef*. */
static GPtrArray *snaps_from_wire(u_int len, const remote_nonnull_domain_snapshot *val)
{
    GPtrArray *out = g_ptr_array_new_full(len, snapshot_ref_free_notify);

    for (u_int i = 0; i < len; i++)
        g_ptr_array_add(out, snap_from_wire(&val[i]));
    return out;
}

static GPtrArray *names_from_wire(u_int len, char **val)
{
    GPtrArray *out = g_ptr_array_new_full(len, g_free);

    for (u_int i = 0; i < len; i++)
        g_ptr_array_add(out, g_strdup(val[i]));
    return out;
}

bool remote_domain_managed_save(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                GError **error)
{
    remote_domain_managed_save_args args = { .flags = flags };

    remote_dom_to_wire(dom, &args.dom);
    return remote_call(conn, REMOTE_PROC_DOMAIN_MANAGED_SAVE, &args, NULL, error);
}

bool remote_domain_managed_save_remove(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                       GError **error)
{
    remote_domain_managed_save_remove_args args = { .flags = flags };

    remote_dom_to_wire(dom, &args.dom);
    return remote_call(conn, REMOTE_PROC_DOMAIN_MANAGED_SAVE_REMOVE, &args, NULL, error);
}

bool remote_domain_save(DriverConn *conn, const DomainRef *dom, const char *to, const char *dxml,
                        unsigned int flags, GError **error)
{
    remote_domain_save_flags_args args = { .to = (char *)to,
                                           .dxml = dxml ? (char **)&dxml : NULL,
                                           .flags = flags };

    remote_dom_to_wire(dom, &args.dom);
    return remote_call(conn, REMOTE_PROC_DOMAIN_SAVE_FLAGS, &args, NULL, error);
}

bool remote_domain_restore(DriverConn *conn, const char *from, const char *dxml, unsigned int flags,
                           GError **error)
{
    remote_domain_restore_flags_args args = { .from = (char *)from,
                                              .dxml = dxml ? (char **)&dxml : NULL,
                                              .flags = flags };

    return remote_call(conn, REMOTE_PROC_DOMAIN_RESTORE_FLAGS, &args, NULL, error);
}

char *remote_domain_save_image_get_xml_desc(DriverConn *conn, const char *file, unsigned int flags,
                                            GError **error)
{
    remote_domain_save_image_get_xml_desc_args args = { .file = (char *)file, .flags = flags };
    remote_domain_save_image_get_xml_desc_ret ret = { 0 };
    char *xml;

    if (!remote_call(conn, REMOTE_PROC_DOMAIN_SAVE_IMAGE_GET_XML_DESC, &args, &ret, error))
        return NULL;
    xml = g_strdup(ret.xml);
    remote_ret_clear(REMOTE_PROC_DOMAIN_SAVE_IMAGE_GET_XML_DESC, &ret);
    return xml;
}

bool remote_domain_save_image_define_xml(DriverConn *conn, const char *file, const char *dxml,
                                         unsigned int flags, GError **error)
{
    remote_domain_save_image_define_xml_args args = { .file = (char *)file,
                                                      .dxml = (char *)dxml,
                                                      .flags = flags };

    return remote_call(conn, REMOTE_PROC_DOMAIN_SAVE_IMAGE_DEFINE_XML, &args, NULL, error);
}

char *remote_domain_managed_save_get_xml_desc(DriverConn *conn, const DomainRef *dom,
                                              unsigned int flags, GError **error)
{
    remote_domain_managed_save_get_xml_desc_args args = { .flags = flags };
    remote_domain_managed_save_get_xml_desc_ret ret = { 0 };
    char *xml;

    remote_dom_to_wire(dom, &args.dom);
    if (!remote_call(conn, REMOTE_PROC_DOMAIN_MANAGED_SAVE_GET_XML_DESC, &args, &ret, error))
        return NULL;
    xml = g_strdup(ret.xml);
    remote_ret_clear(REMOTE_PROC_DOMAIN_MANAGED_SAVE_GET_XML_DESC, &ret);
    return xml;
}

bool remote_domain_managed_save_define_xml(DriverConn *conn, const DomainRef *dom, const char *dxml,
                                           unsigned int flags, GError **error)
{
    remote_domain_managed_save_define_xml_args args = { .dxml = (char **)&dxml, .flags = flags };

    remote_dom_to_wire(dom, &args.dom);
    return remote_call(conn, REMOTE_PROC_DOMAIN_MANAGED_SAVE_DEFINE_XML, &args, NULL, error);
}

SnapshotRef *remote_domain_snapshot_create_xml(DriverConn *conn, const DomainRef *dom,
                                               const char *xml, unsigned int flags, GError **error)
{
    remote_domain_snapshot_create_xml_args args = { .xml_desc = (char *)xml, .flags = flags };

    remote_dom_to_wire(dom, &args.dom);
    return snap_returning(conn, REMOTE_PROC_DOMAIN_SNAPSHOT_CREATE_XML, &args, error);
}

bool remote_domain_list_all_snapshots(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                      GPtrArray **ret_snaps, GError **error)
{
    remote_domain_list_all_snapshots_args args = { .need_results = 1, .flags = flags };
    remote_domain_list_all_snapshots_ret ret = { 0 };
    const int proc = REMOTE_PROC_DOMAIN_LIST_ALL_SNAPSHOTS;

    remote_dom_to_wire(dom, &args.dom);
    if (!remote_call(conn, proc, &args, &ret, error))
        return false;
    *ret_snaps = snaps_from_wire(ret.snapshots.snapshots_len, ret.snapshots.snapshots_val);
    remote_ret_clear(proc, &ret);
    return true;
}

int remote_domain_snapshot_num(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                               GError **error)
{
    remote_domain_snapshot_num_args args = { .flags = flags };

    remote_dom_to_wire(dom, &args.dom);
    return int_returning(conn, REMOTE_PROC_DOMAIN_SNAPSHOT_NUM, &args, error);
}

bool remote_domain_snapshot_list_names(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                       GPtrArray **ret_names, GError **error)
{
    remote_domain_snapshot_list_names_args args = {
        .maxnames = REMOTE_DOMAIN_SNAPSHOT_LIST_MAX,
        .flags = flags,
    };
    remote_domain_snapshot_list_names_ret ret = { 0 };
    const int proc = REMOTE_PROC_DOMAIN_SNAPSHOT_LIST_NAMES;

    remote_dom_to_wire(dom, &args.dom);
    if (!remote_call(conn, proc, &args, &ret, error))
        return false;
    *ret_names = names_from_wire(ret.names.names_len, ret.names.names_val);
    remote_ret_clear(proc, &ret);
    return true;
}

SnapshotRef *remote_domain_snapshot_lookup_by_name(DriverConn *conn, const DomainRef *dom,
                                                   const char *name, unsigned int flags,
                                                   GError **error)
{
    remote_domain_snapshot_lookup_by_name_args args = { .name = (char *)name, .flags = flags };

    remote_dom_to_wire(dom, &args.dom);
    return snap_returning(conn, REMOTE_PROC_DOMAIN_SNAPSHOT_LOOKUP_BY_NAME, &args, error);
}

bool remote_domain_has_current_snapshot(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                        bool *ret, GError **error)
{
    remote_domain_has_current_snapshot_args args = { .flags = flags };
    int r;

    remote_dom_to_wire(dom, &args.dom);
    r = int_returning(conn, REMOTE_PROC_DOMAIN_HAS_CURRENT_SNAPSHOT, &args, error);
    if (r < 0)
        return false;
    *ret = r != 0;
    return true;
}

SnapshotRef *remote_domain_snapshot_current(DriverConn *conn, const DomainRef *dom,
                                            unsigned int flags, GError **error)
{
    remote_domain_snapshot_current_args args = { .flags = flags };

    remote_dom_to_wire(dom, &args.dom);
    return snap_returning(conn, REMOTE_PROC_DOMAIN_SNAPSHOT_CURRENT, &args, error);
}

/* Every {snap, flags} args struct has this layout. */
typedef remote_domain_snapshot_get_parent_args RemoteSnapFlagsArgs;

SnapshotRef *remote_domain_snapshot_get_parent(DriverConn *conn, const SnapshotRef *snap,
                                               unsigned int flags, GError **error)
{
    RemoteSnapFlagsArgs args = { .flags = flags };

    snap_to_wire(snap, &args.snap);
    return snap_returning(conn, REMOTE_PROC_DOMAIN_SNAPSHOT_GET_PARENT, &args, error);
}

char *remote_domain_snapshot_get_xml_desc(DriverConn *conn, const SnapshotRef *snap,
                                          unsigned int flags, GError **error)
{
    remote_domain_snapshot_get_xml_desc_args args = { .flags = flags };
    remote_domain_snapshot_get_xml_desc_ret ret = { 0 };
    const int proc = REMOTE_PROC_DOMAIN_SNAPSHOT_GET_XML_DESC;
    char *xml;

    snap_to_wire(snap, &args.snap);
    if (!remote_call(conn, proc, &args, &ret, error))
        return NULL;
    xml = g_strdup(ret.xml);
    remote_ret_clear(proc, &ret);
    return xml;
}

static bool snap_bool_query(DriverConn *conn, int proc, const SnapshotRef *snap, unsigned int flags,
                            bool *ret, GError **error)
{
    RemoteSnapFlagsArgs args = { .flags = flags };
    int r;

    snap_to_wire(snap, &args.snap);
    r = int_returning(conn, proc, &args, error);
    if (r < 0)
        return false;
    *ret = r != 0;
    return true;
}

bool remote_domain_snapshot_is_current(DriverConn *conn, const SnapshotRef *snap,
                                       unsigned int flags, bool *ret, GError **error)
{
    return snap_bool_query(conn, REMOTE_PROC_DOMAIN_SNAPSHOT_IS_CURRENT, snap, flags, ret, error);
}

bool remote_domain_snapshot_has_metadata(DriverConn *conn, const SnapshotRef *snap,
                                         unsigned int flags, bool *ret, GError **error)
{
    return snap_bool_query(conn, REMOTE_PROC_DOMAIN_SNAPSHOT_HAS_METADATA, snap, flags, ret, error);
}

bool remote_domain_snapshot_list_all_children(DriverConn *conn, const SnapshotRef *snap,
                                              unsigned int flags, GPtrArray **ret_snaps,
                                              GError **error)
{
    remote_domain_snapshot_list_all_children_args args = { .need_results = 1, .flags = flags };
    remote_domain_snapshot_list_all_children_ret ret = { 0 };
    const int proc = REMOTE_PROC_DOMAIN_SNAPSHOT_LIST_ALL_CHILDREN;

    snap_to_wire(snap, &args.snapshot);
    if (!remote_call(conn, proc, &args, &ret, error))
        return false;
    *ret_snaps = snaps_from_wire(ret.snapshots.snapshots_len, ret.snapshots.snapshots_val);
    remote_ret_clear(proc, &ret);
    return true;
}

int remote_domain_snapshot_num_children(DriverConn *conn, const SnapshotRef *snap,
                                        unsigned int flags, GError **error)
{
    RemoteSnapFlagsArgs args = { .flags = flags };

    snap_to_wire(snap, &args.snap);
    return int_returning(conn, REMOTE_PROC_DOMAIN_SNAPSHOT_NUM_CHILDREN, &args, error);
}

bool remote_domain_snapshot_list_children_names(DriverConn *conn, const SnapshotRef *snap,
                                                unsigned int flags, GPtrArray **ret_names,
                                                GError **error)
{
    remote_domain_snapshot_list_children_names_args args = {
        .maxnames = REMOTE_DOMAIN_SNAPSHOT_LIST_MAX,
        .flags = flags,
    };
    remote_domain_snapshot_list_children_names_ret ret = { 0 };
    const int proc = REMOTE_PROC_DOMAIN_SNAPSHOT_LIST_CHILDREN_NAMES;

    snap_to_wire(snap, &args.snap);
    if (!remote_call(conn, proc, &args, &ret, error))
        return false;
    *ret_names = names_from_wire(ret.names.names_len, ret.names.names_val);
    remote_ret_clear(proc, &ret);
    return true;
}

bool remote_domain_revert_to_snapshot(DriverConn *conn, const SnapshotRef *snap, unsigned int flags,
                                      GError **error)
{
    RemoteSnapFlagsArgs args = { .flags = flags };

    snap_to_wire(snap, &args.snap);
    return remote_call(conn, REMOTE_PROC_DOMAIN_REVERT_TO_SNAPSHOT, &args, NULL, error);
}

bool remote_domain_snapshot_delete(DriverConn *conn, const SnapshotRef *snap, unsigned int flags,
                                   GError **error)
{
    RemoteSnapFlagsArgs args = { .flags = flags };

    snap_to_wire(snap, &args.snap);
    return remote_call(conn, REMOTE_PROC_DOMAIN_SNAPSHOT_DELETE, &args, NULL, error);
}
