/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The virDomainSnapshot*, virDomainManagedSave*, virDomainSave* and virDomainRestore* API: argument
 * checks as libvirt's API layer makes them, then one DriverOps call. A snapshot handle holds a
 * reference on its domain handle.
 */

#include <string.h>

#include "client-priv.h"

#define CLIENT_SNAPSHOT_MAGIC 0x76533170u

struct _virDomainSnapshot {
    uint32_t magic;
    gint refs;
    virDomainPtr domain; /* holds a reference */
    char *name;
};

static bool snapshot_check(virDomainSnapshotPtr snap, const char *api)
{
    client_error_reset();
    if (snap && snap->magic == CLIENT_SNAPSHOT_MAGIC)
        return true;
    client_error_set(VIRT_FROM_DOMAIN_SNAPSHOT, VIRT_ERR_INVALID_DOMAIN_SNAPSHOT,
                     "Invalid snapshot in %s", api);
    return false;
}

static bool snapshot_writable(virDomainSnapshotPtr snap, const char *api)
{
    return snapshot_check(snap, api) && client_connect_check_writable(snap->domain->conn, api);
}

static bool domain_enter(virDomainPtr dom, const char *api, bool write)
{
    client_error_reset();
    if (!client_domain_check(dom, api))
        return false;
    return !write || client_connect_check_writable(dom->conn, api);
}

static bool require(const void *op, const char *api)
{
    if (op)
        return true;
    client_error_no_support(api);
    return false;
}

static virDomainSnapshotPtr snapshot_new(virDomainPtr dom, SnapshotRef *ref)
{
    virDomainSnapshotPtr snap;

    if (!ref)
        return NULL;
    snap = g_new0(virDomainSnapshot, 1);
    snap->magic = CLIENT_SNAPSHOT_MAGIC;
    snap->refs = 1;
    virDomainRef(dom);
    snap->domain = dom;
    snap->name = g_strdup(ref->name);
    snapshot_ref_free(ref);
    return snap;
}

/* The driver's name for @snap; @view borrows from @snap. */
typedef struct SnapView {
    DomainRef dom;
    SnapshotRef ref;
} SnapView;

static const SnapshotRef *snapshot_view(virDomainSnapshotPtr snap, SnapView *view)
{
    client_domain_to_ref(snap->domain, &view->dom);
    view->ref.name = snap->name;
    view->ref.dom = &view->dom;
    return &view->ref;
}

static int fail(GError *error)
{
    client_error_set_gerror(error);
    return -1;
}

static bool save_state_flags_ok(unsigned int flags)
{
    if (!(flags & VIR_DOMAIN_SAVE_RUNNING) || !(flags & VIR_DOMAIN_SAVE_PAUSED))
        return true;
    client_error_invalid_arg(VIRT_FROM_DOMAIN, "Flags 'VIR_DOMAIN_SAVE_RUNNING' and "
                                               "'VIR_DOMAIN_SAVE_PAUSED' are mutually exclusive");
    return false;
}

/* A saved image's path as the daemon needs it: absolute (libvirt's client does the
 * same), or NULL with the error set. */
static char *image_path(const char *path, const char *api)
{
    if (!path || !*path) {
        client_error_invalid_arg(VIRT_FROM_DOMAIN, "path in %s must not be empty", api);
        return NULL;
    }
    return g_canonicalize_filename(path, NULL);
}

/**
 * virDomainManagedSave: save the running domain's state to an image the next start
 * resumes from, and stop it. Returns 0 or -1.
 */
int virDomainManagedSave(virDomainPtr dom, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    DomainRef ref;

    if (!domain_enter(dom, __func__, true) ||
        !require(dom->conn->ops->domain_managed_save, __func__))
        return -1;
    if (!save_state_flags_ok(flags))
        return -1;
    client_domain_to_ref(dom, &ref);
    if (!dom->conn->ops->domain_managed_save(dom->conn->drv, &ref, flags, &error))
        return fail(error);
    dom->id = -1;
    return 0;
}

/**
 * virDomainManagedSaveRemove: delete the domain's managed-save image, if any. 0 or -1.
 */
int virDomainManagedSaveRemove(virDomainPtr dom, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    DomainRef ref;

    if (!domain_enter(dom, __func__, true) ||
        !require(dom->conn->ops->domain_managed_save_remove, __func__))
        return -1;
    client_domain_to_ref(dom, &ref);
    if (!dom->conn->ops->domain_managed_save_remove(dom->conn->drv, &ref, flags, &error))
        return fail(error);
    return 0;
}

/**
 * virDomainSnapshotCreateXML: take (or, with REDEFINE, re-install) a snapshot.
 * Returns a new snapshot handle or NULL.
 */
virDomainSnapshotPtr virDomainSnapshotCreateXML(virDomainPtr domain, const char *xmlDesc,
                                                unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    SnapshotRef *ref;
    DomainRef dref;

    if (!domain_enter(domain, __func__, true) ||
        !require(domain->conn->ops->domain_snapshot_create_xml, __func__))
        return NULL;
    if (!xmlDesc) {
        client_error_invalid_arg(VIRT_FROM_DOMAIN_SNAPSHOT, "xmlDesc in %s must not be NULL",
                                 __func__);
        return NULL;
    }
    client_domain_to_ref(domain, &dref);
    ref = domain->conn->ops->domain_snapshot_create_xml(domain->conn->drv, &dref, xmlDesc, flags,
                                                        &error);
    if (!ref) {
        fail(error);
        return NULL;
    }
    if (flags & 8 /* HALT */)
        domain->id = -1;
    return snapshot_new(domain, ref);
}

/* @snaps (SnapshotRef*) as handles in a NULL-terminated array. */
static int snapshots_out(virDomainPtr dom, GPtrArray *snaps, virDomainSnapshotPtr **ret)
{
    int n = snaps->len;

    if (ret) {
        *ret = g_new0(virDomainSnapshotPtr, snaps->len + 1);
        for (guint i = 0; i < snaps->len; i++)
            (*ret)[i] = snapshot_new(dom, snapshot_ref_copy(snaps->pdata[i]));
    }
    return n;
}

/**
 * virDomainListAllSnapshots: the domain's snapshots filtered by @flags. Returns their
 * number (and, with @snaps, a NULL-terminated array to free), or -1.
 */
int virDomainListAllSnapshots(virDomainPtr domain, virDomainSnapshotPtr **snaps, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) list = NULL;
    DomainRef ref;

    if (snaps)
        *snaps = NULL;
    if (!domain_enter(domain, __func__, false) ||
        !require(domain->conn->ops->domain_list_all_snapshots, __func__))
        return -1;
    client_domain_to_ref(domain, &ref);
    if (!domain->conn->ops->domain_list_all_snapshots(domain->conn->drv, &ref, flags, &list,
                                                      &error))
        return fail(error);
    return snapshots_out(domain, list, snaps);
}

/**
 * virDomainSnapshotNum: how many snapshots pass @flags, or -1.
 */
int virDomainSnapshotNum(virDomainPtr domain, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    DomainRef ref;
    int n;

    if (!domain_enter(domain, __func__, false) ||
        !require(domain->conn->ops->domain_snapshot_num, __func__))
        return -1;
    client_domain_to_ref(domain, &ref);
    n = domain->conn->ops->domain_snapshot_num(domain->conn->drv, &ref, flags, &error);
    return n < 0 ? fail(error) : n;
}

static int names_out(GPtrArray *list, char **names, int nameslen)
{
    int n = MIN((int)list->len, nameslen);

    for (int i = 0; i < n; i++)
        names[i] = g_strdup(list->pdata[i]);
    return n;
}

static bool names_args(char **names, int nameslen, const char *api)
{
    if (nameslen < 0) {
        client_error_invalid_arg(VIRT_FROM_DOMAIN_SNAPSHOT,
                                 "maxnames in %s must be zero or "
                                 "greater",
                                 api);
        return false;
    }
    if (!names && nameslen) {
        client_error_invalid_arg(VIRT_FROM_DOMAIN_SNAPSHOT, "names in %s must not be NULL", api);
        return false;
    }
    return true;
}

/**
 * virDomainSnapshotListNames: up to @nameslen names (caller frees each). Count or -1.
 */
int virDomainSnapshotListNames(virDomainPtr domain, char **names, int nameslen, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) list = NULL;
    DomainRef ref;

    if (!domain_enter(domain, __func__, false) || !names_args(names, nameslen, __func__) ||
        !require(domain->conn->ops->domain_snapshot_list_names, __func__))
        return -1;
    client_domain_to_ref(domain, &ref);
    if (!domain->conn->ops->domain_snapshot_list_names(domain->conn->drv, &ref, flags, &list,
                                                       &error))
        return fail(error);
    return names_out(list, names, nameslen);
}

/**
 * virDomainSnapshotLookupByName: the snapshot @name of @domain, or NULL.
 */
virDomainSnapshotPtr virDomainSnapshotLookupByName(virDomainPtr domain, const char *name,
                                                   unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    SnapshotRef *snap;
    DomainRef ref;

    if (!domain_enter(domain, __func__, false) ||
        !require(domain->conn->ops->domain_snapshot_lookup_by_name, __func__))
        return NULL;
    if (!name) {
        client_error_invalid_arg(VIRT_FROM_DOMAIN_SNAPSHOT, "name in %s must not be NULL",
                                 __func__);
        return NULL;
    }
    client_domain_to_ref(domain, &ref);
    snap = domain->conn->ops->domain_snapshot_lookup_by_name(domain->conn->drv, &ref, name, flags,
                                                             &error);
    if (!snap)
        fail(error);
    return snapshot_new(domain, snap);
}

/**
 * virDomainHasCurrentSnapshot: 1 if the domain has a current snapshot, 0 if not, -1.
 */
int virDomainHasCurrentSnapshot(virDomainPtr domain, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    DomainRef ref;
    bool has = false;

    if (!domain_enter(domain, __func__, false) ||
        !require(domain->conn->ops->domain_has_current_snapshot, __func__))
        return -1;
    client_domain_to_ref(domain, &ref);
    if (!domain->conn->ops->domain_has_current_snapshot(domain->conn->drv, &ref, flags, &has,
                                                        &error))
        return fail(error);
    return has ? 1 : 0;
}

/**
 * virDomainSnapshotCurrent: the current snapshot, or NULL (NO_DOMAIN_SNAPSHOT if none).
 */
virDomainSnapshotPtr virDomainSnapshotCurrent(virDomainPtr domain, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    SnapshotRef *snap;
    DomainRef ref;

    if (!domain_enter(domain, __func__, false) ||
        !require(domain->conn->ops->domain_snapshot_current, __func__))
        return NULL;
    client_domain_to_ref(domain, &ref);
    snap = domain->conn->ops->domain_snapshot_current(domain->conn->drv, &ref, flags, &error);
    if (!snap)
        fail(error);
    return snapshot_new(domain, snap);
}

/**
 * virDomainSnapshotGetParent: the parent snapshot, or NULL (NO_DOMAIN_SNAPSHOT for a
 * root).
 */
virDomainSnapshotPtr virDomainSnapshotGetParent(virDomainSnapshotPtr snapshot, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    SnapshotRef *parent;
    SnapView view;

    if (!snapshot_check(snapshot, __func__) ||
        !require(snapshot->domain->conn->ops->domain_snapshot_get_parent, __func__))
        return NULL;
    parent = snapshot->domain->conn->ops->domain_snapshot_get_parent(
        snapshot->domain->conn->drv, snapshot_view(snapshot, &view), flags, &error);
    if (!parent)
        fail(error);
    return snapshot_new(snapshot->domain, parent);
}

/**
 * virDomainSnapshotGetXMLDesc: the snapshot's XML (caller frees), or NULL.
 */
char *virDomainSnapshotGetXMLDesc(virDomainSnapshotPtr snapshot, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    SnapView view;
    char *xml;

    if (!snapshot_check(snapshot, __func__) ||
        !require(snapshot->domain->conn->ops->domain_snapshot_get_xml_desc, __func__))
        return NULL;
    if ((flags & VIR_DOMAIN_SNAPSHOT_XML_SECURE) &&
        !client_connect_check_writable(snapshot->domain->conn, __func__))
        return NULL;
    xml = snapshot->domain->conn->ops->domain_snapshot_get_xml_desc(
        snapshot->domain->conn->drv, snapshot_view(snapshot, &view), flags, &error);
    if (!xml)
        fail(error);
    return xml;
}

static int snapshot_bool(virDomainSnapshotPtr snapshot, SnapshotBoolQueryFunc op,
                         unsigned int flags, const char *api)
{
    g_autoptr(GError) error = NULL;
    SnapView view;
    bool value = false;

    if (!snapshot_check(snapshot, api) || !require((const void *)op, api))
        return -1;
    if (!op(snapshot->domain->conn->drv, snapshot_view(snapshot, &view), flags, &value, &error))
        return fail(error);
    return value ? 1 : 0;
}

/**
 * virDomainSnapshotIsCurrent: 1 if @snapshot is current, 0 if not, -1 on error.
 */
int virDomainSnapshotIsCurrent(virDomainSnapshotPtr snapshot, unsigned int flags)
{
    return snapshot_bool(snapshot,
                         snapshot_check(snapshot, __func__)
                             ? snapshot->domain->conn->ops->domain_snapshot_is_current
                             : NULL,
                         flags, __func__);
}

/**
 * virDomainSnapshotHasMetadata: 1 if the hypervisor tracks metadata for @snapshot.
 */
int virDomainSnapshotHasMetadata(virDomainSnapshotPtr snapshot, unsigned int flags)
{
    return snapshot_bool(snapshot,
                         snapshot_check(snapshot, __func__)
                             ? snapshot->domain->conn->ops->domain_snapshot_has_metadata
                             : NULL,
                         flags, __func__);
}

/**
 * virDomainSnapshotListAllChildren: the children (all descendants with DESCENDANTS)
 * of @snapshot. Count (and a NULL-terminated array with @snaps), or -1.
 */
int virDomainSnapshotListAllChildren(virDomainSnapshotPtr snapshot, virDomainSnapshotPtr **snaps,
                                     unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) list = NULL;
    SnapView view;

    if (snaps)
        *snaps = NULL;
    if (!snapshot_check(snapshot, __func__) ||
        !require(snapshot->domain->conn->ops->domain_snapshot_list_all_children, __func__))
        return -1;
    if (!snapshot->domain->conn->ops->domain_snapshot_list_all_children(
            snapshot->domain->conn->drv, snapshot_view(snapshot, &view), flags, &list, &error))
        return fail(error);
    return snapshots_out(snapshot->domain, list, snaps);
}

/**
 * virDomainSnapshotNumChildren: how many children pass @flags, or -1.
 */
int virDomainSnapshotNumChildren(virDomainSnapshotPtr snapshot, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    SnapView view;
    int n;

    if (!snapshot_check(snapshot, __func__) ||
        !require(snapshot->domain->conn->ops->domain_snapshot_num_children, __func__))
        return -1;
    n = snapshot->domain->conn->ops->domain_snapshot_num_children(
        snapshot->domain->conn->drv, snapshot_view(snapshot, &view), flags, &error);
    return n < 0 ? fail(error) : n;
}

/**
 * virDomainSnapshotListChildrenNames: up to @nameslen child names. Count or -1.
 */
int virDomainSnapshotListChildrenNames(virDomainSnapshotPtr snapshot, char **names, int nameslen,
                                       unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) list = NULL;
    SnapView view;

    if (!snapshot_check(snapshot, __func__) || !names_args(names, nameslen, __func__) ||
        !require(snapshot->domain->conn->ops->domain_snapshot_list_children_names, __func__))
        return -1;
    if (!snapshot->domain->conn->ops->domain_snapshot_list_children_names(
            snapshot->domain->conn->drv, snapshot_view(snapshot, &view), flags, &list, &error))
        return fail(error);
    return names_out(list, names, nameslen);
}

/**
 * virDomainRevertToSnapshot: bring the domain back to @snapshot. 0 or -1.
 */
int virDomainRevertToSnapshot(virDomainSnapshotPtr snapshot, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) now = NULL;
    virConnectPtr conn;
    SnapView view;

    if (!snapshot_writable(snapshot, __func__) ||
        !require(snapshot->domain->conn->ops->domain_revert_to_snapshot, __func__))
        return -1;
    conn = snapshot->domain->conn;
    if (!conn->ops->domain_revert_to_snapshot(conn->drv, snapshot_view(snapshot, &view), flags,
                                              &error))
        return fail(error);
    /* the domain may have started or stopped: refresh the cached id */
    if (conn->ops->domain_lookup_by_uuid &&
        (now = conn->ops->domain_lookup_by_uuid(conn->drv, snapshot->domain->uuid, NULL)))
        snapshot->domain->id = now->id;
    return 0;
}

/**
 * virDomainSnapshotDelete: delete @snapshot (its children too with CHILDREN, only
 * them with CHILDREN_ONLY; metadata only with METADATA_ONLY). 0 or -1.
 */
int virDomainSnapshotDelete(virDomainSnapshotPtr snapshot, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    SnapView view;

    if (!snapshot_writable(snapshot, __func__) ||
        !require(snapshot->domain->conn->ops->domain_snapshot_delete, __func__))
        return -1;
    if (!snapshot->domain->conn->ops->domain_snapshot_delete(
            snapshot->domain->conn->drv, snapshot_view(snapshot, &view), flags, &error))
        return fail(error);
    return 0;
}

/**
 * virDomainSnapshotRef: one more reference on the handle. 0 or -1.
 */
int virDomainSnapshotRef(virDomainSnapshotPtr snapshot)
{
    if (!snapshot_check(snapshot, __func__))
        return -1;
    g_atomic_int_inc(&snapshot->refs);
    return 0;
}

/**
 * virDomainSnapshotFree: drop a reference on the handle (the snapshot stays). 0 or -1.
 */
int virDomainSnapshotFree(virDomainSnapshotPtr snapshot)
{
    virDomainPtr dom;

    if (!snapshot_check(snapshot, __func__))
        return -1;
    if (!g_atomic_int_dec_and_test(&snapshot->refs))
        return 0;
    dom = snapshot->domain;
    snapshot->magic = 0;
    g_free(snapshot->name);
    g_free(snapshot);
    virDomainFree(dom);
    return 0;
}

/**
 * virDomainSnapshotGetName: the snapshot's name (owned by the handle), or NULL.
 */
const char *virDomainSnapshotGetName(virDomainSnapshotPtr snapshot)
{
    return snapshot_check(snapshot, __func__) ? snapshot->name : NULL;
}

/**
 * virDomainSnapshotGetDomain: the domain (no new reference), or NULL.
 */
virDomainPtr virDomainSnapshotGetDomain(virDomainSnapshotPtr snapshot)
{
    return snapshot_check(snapshot, __func__) ? snapshot->domain : NULL;
}

/**
 * virDomainSnapshotGetConnect: the connection (no new reference), or NULL.
 */
virConnectPtr virDomainSnapshotGetConnect(virDomainSnapshotPtr snapshot)
{
    return snapshot_check(snapshot, __func__) ? snapshot->domain->conn : NULL;
}

/**
 * virDomainSaveFlags: save the running domain's state into the file @to and stop it;
 * virDomainRestore runs it again. @dxml (optional) replaces the domain XML kept in the
 * image by a compatible one. Flags: VIR_DOMAIN_SAVE_BYPASS_CACHE, _RUNNING, _PAUSED
 * (the state the restore leaves it in). Returns 0 or -1.
 */
int virDomainSaveFlags(virDomainPtr dom, const char *to, const char *dxml, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *path = NULL;
    DomainRef ref;

    if (!domain_enter(dom, __func__, true) || !require(dom->conn->ops->domain_save, __func__) ||
        !save_state_flags_ok(flags) || !(path = image_path(to, __func__)))
        return -1;
    client_domain_to_ref(dom, &ref);
    if (!dom->conn->ops->domain_save(dom->conn->drv, &ref, path, dxml, flags, &error))
        return fail(error);
    dom->id = -1;
    return 0;
}

int virDomainSave(virDomainPtr dom, const char *to)
{
    return virDomainSaveFlags(dom, to, NULL, 0);
}

/**
 * virDomainRestoreFlags: run the domain saved in @from again, with the XML kept there
 * (or the compatible @dxml). Flags as virDomainSaveFlags'. Returns 0 or -1.
 */
int virDomainRestoreFlags(virConnectPtr conn, const char *from, const char *dxml,
                          unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *path = NULL;

    client_error_reset();
    if (!client_connect_check(conn, __func__) || !client_connect_check_writable(conn, __func__) ||
        !require(conn->ops->domain_restore, __func__) || !save_state_flags_ok(flags) ||
        !(path = image_path(from, __func__)))
        return -1;
    if (!conn->ops->domain_restore(conn->drv, path, dxml, flags, &error))
        return fail(error);
    return 0;
}

int virDomainRestore(virConnectPtr conn, const char *from)
{
    return virDomainRestoreFlags(conn, from, NULL, 0);
}

/**
 * virDomainSaveImageGetXMLDesc: the domain XML kept in the saved image @file; free()
 * it. VIR_DOMAIN_SAVE_IMAGE_XML_SECURE includes secrets. Refused on read-only
 * connections whatever the flags, as libvirt does since 5.5: the daemon would open any
 * file the caller names with its own rights.
 */
char *virDomainSaveImageGetXMLDesc(virConnectPtr conn, const char *file, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *path = NULL;
    char *xml;

    client_error_reset();
    if (!client_connect_check(conn, __func__) || !client_connect_check_writable(conn, __func__) ||
        !require(conn->ops->domain_save_image_get_xml_desc, __func__))
        return NULL;
    if (!(path = image_path(file, __func__)))
        return NULL;
    xml = conn->ops->domain_save_image_get_xml_desc(conn->drv, path, flags, &error);
    if (!xml)
        client_error_set_gerror(error);
    return xml;
}

/**
 * virDomainSaveImageDefineXML: replace the domain XML kept in the saved image @file by
 * the compatible @dxml; VIR_DOMAIN_SAVE_RUNNING / _PAUSED change the state a restore
 * leaves the guest in. Returns 0 or -1.
 */
int virDomainSaveImageDefineXML(virConnectPtr conn, const char *file, const char *dxml,
                                unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *path = NULL;

    client_error_reset();
    if (!client_connect_check(conn, __func__) || !client_connect_check_writable(conn, __func__) ||
        !require(conn->ops->domain_save_image_define_xml, __func__) ||
        !save_state_flags_ok(flags) || !(path = image_path(file, __func__)))
        return -1;
    if (!dxml) {
        client_error_invalid_arg(VIRT_FROM_DOMAIN, "dxml in %s must not be NULL", __func__);
        return -1;
    }
    if (!conn->ops->domain_save_image_define_xml(conn->drv, path, dxml, flags, &error))
        return fail(error);
    return 0;
}

/**
 * virDomainManagedSaveGetXMLDesc: the domain XML kept in @dom's managed-save image;
 * free() it. VIR_DOMAIN_SAVE_IMAGE_XML_SECURE (refused read-only) includes secrets.
 */
char *virDomainManagedSaveGetXMLDesc(virDomainPtr dom, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    DomainRef ref;
    char *xml;

    if (!domain_enter(dom, __func__, false) ||
        !require(dom->conn->ops->domain_managed_save_get_xml_desc, __func__))
        return NULL;
    if ((dom->conn->flags & VIR_CONNECT_RO) && (flags & VIR_DOMAIN_SAVE_IMAGE_XML_SECURE)) {
        client_error_set(VIRT_FROM_DOMAIN, VIRT_ERR_OPERATION_DENIED,
                         "virDomainManagedSaveGetXMLDesc with secure flag");
        return NULL;
    }
    client_domain_to_ref(dom, &ref);
    xml = dom->conn->ops->domain_managed_save_get_xml_desc(dom->conn->drv, &ref, flags, &error);
    if (!xml)
        client_error_set_gerror(error);
    return xml;
}

/**
 * virDomainManagedSaveDefineXML: replace the domain XML kept in @dom's managed-save
 * image by the compatible @dxml; VIR_DOMAIN_SAVE_RUNNING / _PAUSED change the state the
 * next start leaves the guest in. Returns 0 or -1.
 */
int virDomainManagedSaveDefineXML(virDomainPtr dom, const char *dxml, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    DomainRef ref;

    if (!domain_enter(dom, __func__, true) ||
        !require(dom->conn->ops->domain_managed_save_define_xml, __func__) ||
        !save_state_flags_ok(flags))
        return -1;
    if (!dxml) {
        client_error_invalid_arg(VIRT_FROM_DOMAIN, "dxml in %s must not be NULL", __func__);
        return -1;
    }
    client_domain_to_ref(dom, &ref);
    if (!dom->conn->ops->domain_managed_save_define_xml(dom->conn->drv, &ref, dxml, flags, &error))
        return fail(error);
    return 0;
}
