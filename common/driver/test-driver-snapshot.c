/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The test driver's snapshots and managed save. Like libvirt's test driver it keeps
 * everything in memory: each domain object's priv is its SnapshotTree (state/), read
 * and changed under the object's lock, changed only inside a job. Nothing goes to the
 * on-disk snapshot store, which is for drivers with persistent state.
 *
 * Codes and messages follow libvirt's test driver as Debian's virsh (libvirt 9.0) shows
 * them, checked against it on test:///default. Where virtkit differs, on purpose:
 * - NO_METADATA is implemented (the snapshot is taken and forgotten);
 * - reverting to a shut-off snapshot with RUNNING or PAUSED starts the domain, as the
 *   API documents and the QEMU driver does (libvirt 9.0's test driver leaves it shut
 *   off);
 * - start resumes from a managed-save image (STARTED/RESTORED, paused when it was saved
 *   so) where libvirt's test driver boots afresh (BOOTED);
 * - DISK_ONLY and REUSE_EXT are refused with a message saying why (LIVE and QUIESCE are
 *   accepted and change nothing, as there).
 * LEAVES with NO_LEAVES selects nothing, as in libvirt (state/snapshot-tree.c).
 */

#include <string.h>

#include "conf/snapshot-def.h"
#include "conf/undefine-policy.h"
#include "driver/driver-snapshot-common.h"
#include "driver/test-driver-priv.h"
#include "state/snapshot-tree.h"
#include "util/error.h"

/* libvirt's flag values (reference/libvirt-facts.md §3.4, §1.13) */
enum {
    CREATE_REDEFINE = 1u << 0,
    CREATE_CURRENT = 1u << 1,
    CREATE_NO_METADATA = 1u << 2,
    CREATE_HALT = 1u << 3,
    CREATE_DISK_ONLY = 1u << 4,
    CREATE_REUSE_EXT = 1u << 5,
    CREATE_QUIESCE = 1u << 6,
    CREATE_ATOMIC = 1u << 7,
    CREATE_LIVE = 1u << 8,
    CREATE_VALIDATE = 1u << 9,
    REVERT_RUNNING = 1u << 0,
    REVERT_PAUSED = 1u << 1,
    REVERT_FORCE = 1u << 2,
    SAVE_BYPASS_CACHE = 1u << 0,
    SAVE_RUNNING = 1u << 1,
    SAVE_PAUSED = 1u << 2,
};

/* ---- the tree of a domain -------------------------------------------------------- */

static void tree_free_notify(gpointer tree)
{
    snapshot_tree_free(tree);
}

/* @obj's snapshot tree, created on first use. Caller holds obj->lock. */
static SnapshotTree *tree_locked(DomainObj *obj)
{
    if (!obj->priv) {
        obj->priv = snapshot_tree_new(obj->def->name);
        obj->priv_free = tree_free_notify;
    }
    return obj->priv;
}

static void sync_count_locked(DomainObj *obj)
{
    obj->n_snapshots = snapshot_tree_size(tree_locked(obj));
}

/**
 * test_driver_snapshot_forget_locked: drop every snapshot of @obj (undefine with
 * SNAPSHOTS_METADATA, or a transient domain that stopped). Caller holds obj->lock.
 */
void test_driver_snapshot_forget_locked(DomainObj *obj)
{
    if (obj->priv)
        snapshot_tree_clear(obj->priv, NULL);
    obj->n_snapshots = 0;
}

static void snapshot_def_free_notify(gpointer def)
{
    snapshot_def_free(def);
}

/**
 * test_driver_snapshot_preload_locked: install the snapshots a node file gives a
 * domain (<test:domainsnapshot>), as libvirt's test driver does: each one is a
 * redefinition, <active>1</active> marks the current one. A node file is a fixture, so
 * anything inconsistent (a definition that does not parse, a duplicate name, a missing
 * parent, two current ones) fails the load, naming the domain. Caller holds obj->lock.
 */
bool test_driver_snapshot_preload_locked(DomainObj *obj, GPtrArray *xmls, GError **error)
{
    g_autoptr(GPtrArray) defs = g_ptr_array_new_with_free_func(snapshot_def_free_notify);
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func((GDestroyNotify)g_error_free);
    int64_t now = g_get_real_time() / G_USEC_PER_SEC;

    for (guint i = 0; i < xmls->len; i++) {
        g_autoptr(GError) err = NULL;
        SnapshotDef *def = snapshot_def_parse_full(
            xmls->pdata[i], SNAPSHOT_PARSE_REDEFINE | SNAPSHOT_PARSE_INTERNAL, now, &err);

        if (!def) {
            g_set_error(error, VIRT_TEST_ERROR, VIRT_ERR_XML_ERROR,
                        "XML error: snapshot %u of domain '%s' in the node file: %s", i + 1,
                        obj->def->name, err->message);
            return false;
        }
        g_ptr_array_add(defs, def);
    }
    snapshot_tree_load(tree_locked(obj), defs, problems);
    sync_count_locked(obj);
    if (problems->len) {
        const GError *first = problems->pdata[0];

        g_set_error(error, VIRT_TEST_ERROR, VIRT_ERR_XML_ERROR,
                    "XML error: snapshots of domain '%s' in the node file: %s", obj->def->name,
                    first->message);
        return false;
    }
    return true;
}

/**
 * test_driver_transient_stop_locked: carry out conf's plan for a transient domain that
 * has stopped and left the list. Caller holds obj->lock.
 */
void test_driver_transient_stop_locked(DomainObj *obj)
{
    const DomainFacts facts = {
        .name = obj->def->name,
        .persistent = obj->persistent,
        .active = false,
        .n_snapshots = obj->n_snapshots,
        .n_checkpoints = obj->n_checkpoints,
        .has_managed_save = obj->has_managed_save,
    };
    UndefinePlan plan;

    undefine_policy_plan_transient_stop(&facts, &plan);
    if (plan.delete_snapshot_metadata)
        test_driver_snapshot_forget_locked(obj);
    if (plan.delete_checkpoint_metadata)
        obj->n_checkpoints = 0;
    if (plan.delete_managed_save)
        obj->has_managed_save = false;
}

static const DriverSnapshotCtx *snapshot_ctx(DriverConn *conn, DriverSnapshotCtx *ctx)
{
    *ctx = (DriverSnapshotCtx){ conn->drv->domains, VIRT_TEST_ERROR, tree_locked };
    return ctx;
}

/* The snapshot @name of @obj. Caller holds obj->lock. */
static SnapshotObj *snapshot_get_locked(DomainObj *obj, const char *name, GError **error)
{
    const DriverSnapshotCtx ctx = { NULL, VIRT_TEST_ERROR, tree_locked };

    return driver_snapshot_get_locked(&ctx, obj, name, error);
}

/* ---- snapshot jobs ---------------------------------------------------------------- */

typedef bool (*SnapshotJobBody)(TestDriver *drv, DomainObj *obj, void *arg, unsigned int flags,
                                GPtrArray *events, GError **error);

/* Run @body as the job @job on @dom, then deliver its events. */
static bool run_snapshot_job(DriverConn *conn, const DomainRef *dom, const char *job,
                             SnapshotJobBody body, void *arg, unsigned int flags, GError **error)
{
    g_autoptr(DomainObj) obj = test_driver_obj_from_ref(conn, dom, error);
    g_autoptr(GPtrArray) events = driver_events_new();
    bool ok;

    if (!obj || !domain_obj_begin_job(obj, job, error))
        return false;
    ok = body(conn->drv, obj, arg, flags, events, error);
    domain_obj_end_job(obj);
    driver_event_hub_emit(conn->drv->events, events);
    return ok;
}

/* ---- create ------------------------------------------------------------------------ */

/* The checks libvirt's API layer makes, then what this driver supports. LIVE and
 * QUIESCE are accepted and change nothing, as in libvirt's test driver (there is no
 * guest to keep running or to freeze). */
static bool check_create_flags(unsigned int flags, GError **error)
{
    const unsigned int refused = CREATE_DISK_ONLY | CREATE_REUSE_EXT;

    if (!driver_snapshot_check_create_flags(flags, error))
        return false;
    if (flags & refused) {
        g_set_error(error, VIRT_TEST_ERROR, VIRT_ERR_INVALID_ARG,
                    "unsupported flags (0x%x) in function test_domain_snapshot_create_xml: the "
                    "test driver takes only internal full-system snapshots (no disk-only or "
                    "reuse-external snapshots)",
                    flags & refused);
        return false;
    }
    return test_driver_check_flags(flags,
                                   CREATE_REDEFINE | CREATE_CURRENT | CREATE_NO_METADATA |
                                       CREATE_HALT | CREATE_ATOMIC | CREATE_VALIDATE |
                                       CREATE_QUIESCE | CREATE_LIVE,
                                   "test_domain_snapshot_create_xml", error);
}

/* A new snapshot captures the domain as it is now. Caller holds obj->lock. */
static bool fill_new_locked(DomainObj *obj, SnapshotDef *def, GError **error)
{
    bool active = domain_obj_is_active_locked(obj);

    /* SnapshotState numbers are virDomainState's */
    def->state = (SnapshotState)obj->state;
    if (def->memory == SNAPSHOT_LOCATION_DEFAULT)
        def->memory = active ? SNAPSHOT_LOCATION_INTERNAL : SNAPSHOT_LOCATION_NO;
    if (!snapshot_def_validate(def, error))
        return false;
    domain_def_free(def->dom);
    def->dom = domain_def_copy(obj->def);
    return snapshot_def_align_disks(def, obj->def, SNAPSHOT_LOCATION_INTERNAL, error);
}

/* A redefined snapshot's config gets what libvirt's domain parser adds to a domain of
 * this driver (not the interface names a define adds). */
static bool fill_domain(DomainDef *dom, void *opaque, GError **error)
{
    return domain_def_post_parse(dom, &test_driver_parser_ops, error) &&
           domain_def_validate(dom, error);
}

typedef struct CreateArgs {
    const char *xml;
    SnapshotRef *result;
} CreateArgs;

/* Install @def (taken over) in @obj's tree, or only name it with NO_METADATA. */
static SnapshotRef *install_locked(DomainObj *obj, SnapshotDef **def, unsigned int flags,
                                   GError **error)
{
    SnapshotTree *tree = tree_locked(obj);
    g_autoptr(DomainRef) dom = driver_domain_ref_locked(obj);
    SnapshotObj *snap;

    if (flags & CREATE_REDEFINE) {
        if (!driver_snapshot_check_redefine_locked(obj, *def, error) ||
            !(snap = snapshot_tree_redefine(tree, *def, flags & CREATE_CURRENT, NULL, error)))
            return NULL;
        *def = NULL;
        return snapshot_ref_new(snap->def->name, dom);
    }
    if (snapshot_tree_lookup(tree, (*def)->name)) {
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_FAILED,
                    "operation failed: domain moment %s already exists", (*def)->name);
        return NULL;
    }
    if (!fill_new_locked(obj, *def, error))
        return NULL;
    if (flags & CREATE_NO_METADATA) /* taken, and at once forgotten */
        return snapshot_ref_new((*def)->name, dom);
    if (!(snap = snapshot_tree_add(tree, *def, NULL, error)))
        return NULL;
    *def = NULL;
    return snapshot_ref_new(snap->def->name, dom);
}

static bool create_body(TestDriver *drv, DomainObj *obj, void *arg, unsigned int flags,
                        GPtrArray *events, GError **error)
{
    CreateArgs *args = arg;
    const int64_t now = g_get_real_time() / G_USEC_PER_SEC;
    g_autoptr(SnapshotDef) def = NULL;
    bool halt;

    g_mutex_lock(&obj->lock);
    if (!obj->persistent && (flags & CREATE_HALT)) {
        g_mutex_unlock(&obj->lock);
        g_set_error_literal(error, VIRT_TEST_ERROR, VIRT_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: cannot halt after transient domain "
                            "snapshot");
        return false;
    }
    g_mutex_unlock(&obj->lock);
    def = snapshot_def_parse_full(
        args->xml, (flags & CREATE_REDEFINE) ? SNAPSHOT_PARSE_REDEFINE : 0, now, error);
    if (!def ||
        ((flags & CREATE_REDEFINE) && !snapshot_def_fill_redefined(def, fill_domain, NULL, error)))
        return false;

    g_mutex_lock(&obj->lock);
    args->result = install_locked(obj, &def, flags, error);
    sync_count_locked(obj);
    halt = args->result && (flags & CREATE_HALT) && domain_obj_is_active_locked(obj);
    g_mutex_unlock(&obj->lock);
    if (halt)
        test_driver_stop_obj(drv, obj, DOMAIN_SHUTOFF_FROM_SNAPSHOT,
                             DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT, events);
    return args->result != NULL;
}

SnapshotRef *test_domain_snapshot_create_xml(DriverConn *conn, const DomainRef *dom,
                                             const char *xml, unsigned int flags, GError **error)
{
    CreateArgs args = { .xml = xml };

    if (!check_create_flags(flags, error))
        return NULL;
    if (flags & CREATE_VALIDATE) {
        g_autofree char *dir = domain_schema_default_dir();

        if (!snapshot_schema_validate_xml(dir, xml, error))
            return NULL;
    }
    if (!run_snapshot_job(conn, dom, "snapshot-create", create_body, &args, flags, error))
        return NULL;
    return args.result;
}

/* ---- listing and queries: driver-snapshot-common ---- */

DRIVER_SNAPSHOT_DEFINE_READ_OPS(test, snapshot_ctx)

/* ---- revert ------------------------------------------------------------------------- */

/* What the domain is after reverting to @def with @flags. */
static DomainState revert_target(const SnapshotDef *def, unsigned int flags)
{
    if (flags & REVERT_RUNNING)
        return DOMAIN_STATE_RUNNING;
    if (flags & REVERT_PAUSED)
        return DOMAIN_STATE_PAUSED;
    if (def->state == SNAPSHOT_STATE_RUNNING || def->state == SNAPSHOT_STATE_PAUSED)
        return (DomainState)def->state;
    return DOMAIN_STATE_SHUTOFF;
}

static bool check_revert_locked(DomainObj *obj, const SnapshotDef *def, unsigned int flags,
                                GError **error)
{
    if (!obj->persistent && revert_target(def, flags) == DOMAIN_STATE_SHUTOFF) {
        g_set_error_literal(error, VIRT_TEST_ERROR, VIRT_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: transient domain needs to request "
                            "run or pause to revert to inactive snapshot");
        return false;
    }
    if (!def->dom) {
        g_set_error(error, VIRT_TEST_ERROR, VIRT_ERR_SNAPSHOT_REVERT_RISKY,
                    "revert requires force: snapshot '%s' lacks domain '%s' rollback info",
                    def->name, obj->def->name);
        return false;
    }
    return true;
}

/* Put the captured config in place; @target is what the domain becomes. */
static void install_config(TestDriver *drv, DomainObj *obj, DomainDef *config, bool was_active,
                           DomainState target)
{
    int reason = target == DOMAIN_STATE_RUNNING  ? DOMAIN_RUNNING_FROM_SNAPSHOT
                 : target == DOMAIN_STATE_PAUSED ? DOMAIN_PAUSED_FROM_SNAPSHOT
                                                 : DOMAIN_SHUTOFF_FROM_SNAPSHOT;

    g_mutex_lock(&obj->lock);
    /* the index of the list is by this object's name and UUID, which stay */
    g_free(config->name);
    config->name = g_strdup(obj->def->name);
    domain_def_free(obj->def);
    obj->def = config;
    g_clear_pointer(&obj->new_def, domain_def_free);
    obj->updated = false;
    if (was_active || target == DOMAIN_STATE_SHUTOFF)
        domain_obj_set_state_locked(obj, target, reason);
    g_mutex_unlock(&obj->lock);
    if (!was_active && target != DOMAIN_STATE_SHUTOFF)
        domain_obj_list_activate(drv->domains, obj, -1, target, reason);
}

/* The domain stops (STOPPED/FROM_SNAPSHOT) if it ran, takes the snapshot's config
 * (DEFINED/FROM_SNAPSHOT when persistent) and starts again when the snapshot (or
 * @flags) say so (STARTED/FROM_SNAPSHOT, plus SUSPENDED/FROM_SNAPSHOT when paused).
 * A running domain that comes back running keeps its id. */
static bool revert_body(TestDriver *drv, DomainObj *obj, void *arg, unsigned int flags,
                        GPtrArray *events, GError **error)
{
    DomainDef *config;
    SnapshotObj *snap;
    DomainState target;
    bool was_active, persistent;

    g_mutex_lock(&obj->lock);
    if (!(snap = snapshot_get_locked(obj, arg, error)) ||
        !check_revert_locked(obj, snap->def, flags, error)) {
        g_mutex_unlock(&obj->lock);
        return false;
    }
    target = revert_target(snap->def, flags);
    config = domain_def_copy(snap->def->dom);
    was_active = domain_obj_is_active_locked(obj);
    persistent = obj->persistent;
    snapshot_tree_set_current(tree_locked(obj), snap, NULL);
    obj->has_managed_save = false; /* the image no longer matches the disks */
    g_mutex_unlock(&obj->lock);

    if (was_active && target == DOMAIN_STATE_SHUTOFF)
        test_driver_stop_obj(drv, obj, DOMAIN_SHUTOFF_FROM_SNAPSHOT,
                             DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT, events);
    else if (was_active)
        driver_events_queue(events, obj, DOMAIN_EVENT_STOPPED, DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT);
    install_config(drv, obj, config, was_active && target != DOMAIN_STATE_SHUTOFF, target);
    if (persistent)
        driver_events_queue(events, obj, DOMAIN_EVENT_DEFINED, DOMAIN_EVENT_DEFINED_FROM_SNAPSHOT);
    if (target != DOMAIN_STATE_SHUTOFF)
        driver_events_queue(events, obj, DOMAIN_EVENT_STARTED, DOMAIN_EVENT_STARTED_FROM_SNAPSHOT);
    if (target == DOMAIN_STATE_PAUSED)
        driver_events_queue(events, obj, DOMAIN_EVENT_SUSPENDED,
                            DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT);
    return true;
}

bool test_domain_revert_to_snapshot(DriverConn *conn, const SnapshotRef *snap, unsigned int flags,
                                    GError **error)
{
    if (!driver_snapshot_check_revert_flags(flags, error) ||
        !test_driver_check_flags(flags, REVERT_RUNNING | REVERT_PAUSED | REVERT_FORCE,
                                 "test_domain_revert_to_snapshot", error))
        return false;
    return run_snapshot_job(conn, snap->dom, "snapshot-revert", revert_body, snap->name, flags,
                            error);
}

/* ---- delete ------------------------------------------------------------------------- */

/* The test driver has no disk contents to merge: every delete is a metadata change. */
static bool delete_body(TestDriver *drv, DomainObj *obj, void *arg, unsigned int flags,
                        GPtrArray *events, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);
    SnapshotObj *snap = snapshot_get_locked(obj, arg, error);
    bool ok;

    if (!snap)
        return false;
    ok = snapshot_tree_delete(tree_locked(obj), snap, flags, NULL, error);
    sync_count_locked(obj);
    return ok;
}

bool test_domain_snapshot_delete(DriverConn *conn, const SnapshotRef *snap, unsigned int flags,
                                 GError **error)
{
    if (!driver_snapshot_check_delete_flags(flags, error) ||
        !test_driver_check_flags(flags,
                                 SNAPSHOT_DELETE_CHILDREN | SNAPSHOT_DELETE_METADATA_ONLY |
                                     SNAPSHOT_DELETE_CHILDREN_ONLY,
                                 "test_domain_snapshot_delete", error))
        return false;
    return run_snapshot_job(conn, snap->dom, "snapshot-delete", delete_body, snap->name, flags,
                            error);
}

/* ---- managed save ------------------------------------------------------------------- */

static bool managed_save_body(TestDriver *drv, DomainObj *obj, unsigned int flags,
                              GPtrArray *events, GError **error)
{
    bool persistent, paused;

    if (!driver_domain_check_active(obj, error))
        return false;
    g_mutex_lock(&obj->lock);
    persistent = obj->persistent;
    /* as libvirt's QEMU driver: the image resumes as the domain was, unless the caller
     * said otherwise (SAVE_RUNNING or SAVE_PAUSED) */
    paused =
        (flags & SAVE_PAUSED) || (obj->state == DOMAIN_STATE_PAUSED && !(flags & SAVE_RUNNING));
    g_mutex_unlock(&obj->lock);
    if (!persistent) {
        g_set_error_literal(error, VIRT_TEST_ERROR, VIRT_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: cannot do managed save for "
                            "transient domain");
        return false;
    }
    test_driver_stop_obj(drv, obj, DOMAIN_SHUTOFF_SAVED, DOMAIN_EVENT_STOPPED_SAVED, events);
    g_mutex_lock(&obj->lock);
    obj->has_managed_save = true;
    obj->managed_save_paused = paused;
    g_mutex_unlock(&obj->lock);
    return true;
}

bool test_domain_managed_save(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                              GError **error)
{
    if ((flags & SAVE_RUNNING) && (flags & SAVE_PAUSED)) {
        g_set_error_literal(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INVALID_ARG,
                            "Flags 'VIR_DOMAIN_SAVE_RUNNING' and 'VIR_DOMAIN_SAVE_PAUSED' are "
                            "mutually exclusive");
        return false;
    }
    return test_driver_check_flags(flags, SAVE_BYPASS_CACHE | SAVE_RUNNING | SAVE_PAUSED,
                                   "test_domain_managed_save", error) &&
           test_driver_run_job(conn, dom, "managed-save", managed_save_body, flags, NULL, error);
}

static bool managed_save_remove_body(TestDriver *drv, DomainObj *obj, unsigned int flags,
                                     GPtrArray *events, GError **error)
{
    g_mutex_lock(&obj->lock);
    obj->has_managed_save = false;
    g_mutex_unlock(&obj->lock);
    return true;
}

bool test_domain_managed_save_remove(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                     GError **error)
{
    return test_driver_check_flags(flags, 0, "test_domain_managed_save_remove", error) &&
           test_driver_run_job(conn, dom, "managed-save-remove", managed_save_remove_body, flags,
                               NULL, error);
}
