/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The QEMU driver's snapshot ops. The plan comes from qemu-snapshot.h (pure); this file
 * carries it out: QMP snapshot jobs on a running guest (their outcome read from
 * query-jobs), qemu-img on a shut-off one, overlays and blockdev-snapshot for external
 * disk-only snapshots, and the external revert/delete plans run by the step runner
 * with real file operations. Metadata goes to the driver's SnapshotStore after every
 * change and is loaded at start.
 *
 * Locking: the tree (QemuDomainPriv.snapshots) changes only under the domain's job and
 * obj->lock; the store is written by the job holder without obj->lock (readers only read
 * the tree under the lock, and nobody else changes it while the job is held).
 */

#include "qemu-snapshot-ops.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "driver/driver-snapshot-common.h"
#include "qemu-save.h"
#include "qemu-snapshot-steps.h"
#include "qemu-snapshot.h"
#include "state/snapshot-store.h"
#include "util/error.h"

enum {
    CREATE_SUPPORTED = 0x3ffu, /* refusals with reasons come from qemu_snapshot_prepare */
    REVERT_SUPPORTED = DRIVER_SNAPSHOT_REVERT_RUNNING | DRIVER_SNAPSHOT_REVERT_PAUSED |
                       DRIVER_SNAPSHOT_REVERT_FORCE,
    DELETE_SUPPORTED =
        SNAPSHOT_DELETE_CHILDREN | SNAPSHOT_DELETE_METADATA_ONLY | SNAPSHOT_DELETE_CHILDREN_ONLY,
    START_PAUSED = 1u << 0,
};

/* ---- waiting for QEMU's jobs ------------------------------------------------------- */

static GMutex notify_lock;
static GCond notify_cond;
static guint64 notify_seq;

void qemu_async_job_notify(void)
{
    g_mutex_lock(&notify_lock);
    notify_seq++;
    g_cond_broadcast(&notify_cond);
    g_mutex_unlock(&notify_lock);
}

static guint64 notify_now(void)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&notify_lock);

    return notify_seq;
}

/* Until an event came after @seen, at most a second (then the caller asks QEMU again:
 * an event lost to a reconnect cannot hang a job; a wedged QEMU fails the query). */
static void notify_wait(guint64 seen)
{
    gint64 end = g_get_monotonic_time() + G_USEC_PER_SEC;
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&notify_lock);

    while (notify_seq == seen) {
        if (!g_cond_wait_until(&notify_cond, &notify_lock, end))
            break;
    }
}

/**
 * qemu_snapshot_wait_job: wait for the QMP job @job_id to conclude (JOB_STATUS_CHANGE
 * wakes us, query-jobs says how it ended), then dismiss it. Caller holds the job.
 */
bool qemu_snapshot_wait_job(DomainObj *obj, const char *job_id, GError **error)
{
    for (;;) {
        g_autoptr(QemuMonitorMessage) reply = NULL;
        g_autoptr(GError) err = NULL;
        guint64 seen = notify_now();
        bool done = false;
        bool ok;

        if (!qemu_driver_monitor_run(obj, qemu_monitor_command_new("query-jobs"), &reply, error))
            return false;
        ok = qemu_snapshot_job_outcome(reply, job_id, &done, &err);
        if (ok && !done) {
            notify_wait(seen);
            continue;
        }
        (void)qemu_driver_monitor_run(obj, qemu_monitor_cmd_job_dismiss(job_id), NULL, NULL);
        if (!ok)
            g_propagate_error(error, g_steal_pointer(&err));
        return ok;
    }
}

/* How job @job_id stands in a query-jobs reply: *ret_job NULL when QEMU lost it. */
static bool job_lookup(DomainObj *obj, const char *job_id, QemuMonitorJob **ret_job, GError **error)
{
    g_autoptr(QemuMonitorMessage) reply = NULL;
    g_autoptr(GPtrArray) jobs = NULL;

    if (!qemu_driver_monitor_run(obj, qemu_monitor_command_new("query-jobs"), &reply, error) ||
        !(jobs = qemu_monitor_parse_jobs(reply, error)))
        return false;
    *ret_job = NULL;
    for (guint i = 0; i < jobs->len; i++) {
        if (g_str_equal(((QemuMonitorJob *)jobs->pdata[i])->id, job_id)) {
            *ret_job = g_ptr_array_steal_index(jobs, i);
            break;
        }
    }
    return true;
}

/**
 * qemu_snapshot_wait_job_ready: wait until the QMP job @job_id (an active block
 * commit) is ready to complete (BLOCK_JOB_READY's JOB_STATUS_CHANGE wakes us). A job
 * that ends first fails with QEMU's error; it is left for the caller to dismiss.
 */
bool qemu_snapshot_wait_job_ready(DomainObj *obj, const char *job_id, GError **error)
{
    for (;;) {
        g_autoptr(QemuMonitorJob) job = NULL;
        guint64 seen = notify_now();

        if (!job_lookup(obj, job_id, &job, error))
            return false;
        if (!job) {
            g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                        "QEMU does not know job '%s' (query-jobs)", job_id);
            return false;
        }
        if (g_strcmp0(job->status, "ready") == 0)
            return true;
        if (g_strcmp0(job->status, "concluded") == 0 || g_strcmp0(job->status, "null") == 0 ||
            g_strcmp0(job->status, "aborting") == 0) {
            g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                        "QEMU job '%s' (%s) failed: %s", job_id, job->type ? job->type : "?",
                        job->error ? job->error : "it ended before it was ready");
            return false;
        }
        notify_wait(seen);
    }
}

/**
 * qemu_save_wait_migration: wait until query-migrate reports the end of the migration
 * (MIGRATION events wake us); QEMU's error when it failed. No limit on the whole (a
 * save takes as long as the guest's memory needs), but every query-migrate waits at
 * most the monitor timeout: a QEMU that stops answering fails the job. Caller holds
 * the job.
 */
bool qemu_save_wait_migration(DomainObj *obj, GError **error)
{
    for (;;) {
        g_autoptr(QemuMonitorMessage) reply = NULL;
        g_autofree char *status = NULL;
        g_autofree char *desc = NULL;
        guint64 seen = notify_now();

        if (!qemu_driver_monitor_run(obj, qemu_monitor_command_new("query-migrate"), &reply,
                                     error) ||
            !qemu_monitor_parse_migrate(reply, &status, &desc, error))
            return false;
        switch (qemu_save_progress(status)) {
        case QEMU_SAVE_PROGRESS_COMPLETED:
            return true;
        case QEMU_SAVE_PROGRESS_FAILED:
            g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                        "operation failed: migration of the guest state %s: %s", status,
                        desc ? desc : "QEMU gave no reason");
            return false;
        case QEMU_SAVE_PROGRESS_ACTIVE:
        case _QEMU_SAVE_PROGRESS_MAX:
        case _QEMU_SAVE_PROGRESS_INVALID:
            break;
        }
        notify_wait(seen);
    }
}

/* ---- helpers ----------------------------------------------------------------------- */

const char *qemu_snapshot_qemu_img(void)
{
    static char *path;

    if (g_once_init_enter(&path)) {
        char *found = g_find_program_in_path("qemu-img");

        g_once_init_leave(&path, found ? found : g_strdup("/usr/bin/qemu-img"));
    }
    return path;
}

bool qemu_snapshot_run_command(Command *cmd, GError **error)
{
    g_autoptr(Command) owned = cmd;
    g_autoptr(CommandResult) res = NULL;

    return command_run(owned, 64 * 1024, &res, error) && command_result_check(res, owned, error);
}

bool qemu_snapshot_kill(QemuDriver *drv, DomainObj *obj, int reason, int detail, GPtrArray *events,
                        GError **error)
{
    QemuProcess *proc;

    bool ok;

    g_mutex_lock(&obj->lock);
    proc = qemu_domain_priv_locked(obj)->proc;
    /* as destroy: the SHUTDOWN QEMU reports for our signal is no news */
    qemu_domain_priv_locked(obj)->destroying = true;
    g_mutex_unlock(&obj->lock);
    ok = !proc || qemu_process_kill(proc, QEMU_KILL_GRACE_MS, error);
    g_mutex_lock(&obj->lock);
    qemu_domain_priv_locked(obj)->destroying = ok;
    g_mutex_unlock(&obj->lock);
    if (ok)
        qemu_driver_process_stop(drv, obj, reason, detail, events);
    return ok;
}

static SnapshotTree *tree_locked(DomainObj *obj)
{
    QemuDomainPriv *priv = qemu_domain_priv_locked(obj);

    if (!priv->snapshots)
        priv->snapshots = snapshot_tree_new(obj->def->name);
    return priv->snapshots;
}

static const DriverSnapshotCtx *snapshot_ctx(DriverConn *conn, DriverSnapshotCtx *ctx)
{
    *ctx = (DriverSnapshotCtx){ conn->drv->domains, VIRT_QEMU_ERROR, tree_locked };
    return ctx;
}

/* Write what @change did to the store; keeps obj->n_snapshots in step. Caller holds
 * the job (not obj->lock). */
static bool persist(QemuDriver *drv, DomainObj *obj, const SnapshotTreeChange *change,
                    GError **error)
{
    g_autoptr(SnapshotStore) store = snapshot_store_new(drv->paths->snapshot_dir);
    g_autofree char *name = NULL;
    SnapshotTree *tree;

    g_mutex_lock(&obj->lock);
    name = g_strdup(obj->def->name);
    tree = tree_locked(obj);
    obj->n_snapshots = snapshot_tree_size(tree);
    g_mutex_unlock(&obj->lock);
    return snapshot_store_apply(store, name, tree, change, error);
}

/**
 * qemu_snapshot_load_all: every domain's snapshot metadata from the store, at start.
 */
void qemu_snapshot_load_all(QemuDriver *drv)
{
    g_autoptr(GPtrArray) objs = domain_obj_list_collect(drv->domains, 0);
    g_autoptr(SnapshotStore) store = snapshot_store_new(drv->paths->snapshot_dir);

    for (guint i = 0; i < objs->len; i++) {
        DomainObj *obj = objs->pdata[i];
        g_autoptr(SnapshotTree) tree = NULL;
        g_autoptr(GPtrArray) problems =
            g_ptr_array_new_with_free_func((GDestroyNotify)g_error_free);
        g_autoptr(GError) error = NULL;
        g_autofree char *name = NULL;

        g_mutex_lock(&obj->lock);
        name = g_strdup(obj->def->name);
        g_mutex_unlock(&obj->lock);
        tree = snapshot_tree_new(name);
        if (!snapshot_store_load(store, name, tree, problems, &error))
            g_warning("snapshots of domain '%s' not loaded: %s", name, error->message);
        for (guint j = 0; j < problems->len; j++)
            g_warning("snapshots of domain '%s': %s", name,
                      ((GError *)problems->pdata[j])->message);
        g_mutex_lock(&obj->lock);
        QemuDomainPriv *priv = qemu_domain_priv_locked(obj);

        snapshot_tree_free(priv->snapshots);
        priv->snapshots = g_steal_pointer(&tree);
        obj->n_snapshots = snapshot_tree_size(priv->snapshots);
        g_mutex_unlock(&obj->lock);
    }
}

/* ---- read-only ops: driver-snapshot-common ---- */

DRIVER_SNAPSHOT_DEFINE_READ_OPS(qemu, snapshot_ctx)

/* ---- the domain as a snapshot operation sees it -------------------------------------- */

typedef struct DomFacts {
    bool active, paused, persistent;
    DomainDef *live;           /* obj->def */
    DomainDef *persistent_def; /* the config that survives a stop */
} DomFacts;

static void dom_facts_clear(DomFacts *f)
{
    domain_def_free(f->live);
    domain_def_free(f->persistent_def);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(DomFacts, dom_facts_clear)

static void dom_facts_get(DomainObj *obj, DomFacts *f)
{
    g_mutex_lock(&obj->lock);
    f->active = domain_obj_is_active_locked(obj);
    f->paused = obj->state == DOMAIN_STATE_PAUSED;
    f->persistent = obj->persistent;
    f->live = domain_def_copy(obj->def);
    f->persistent_def = domain_def_copy(domain_obj_persistent_def_locked(obj));
    g_mutex_unlock(&obj->lock);
}

/* The config of inactive @obj becomes @def (saved first when persistent). */
static bool install_config(QemuDriver *drv, DomainObj *obj, const DomainDef *def, GError **error)
{
    DomainDef *copy = domain_def_copy(def);
    bool persistent;

    g_mutex_lock(&obj->lock);
    persistent = obj->persistent;
    g_free(copy->name);
    copy->name = g_strdup(obj->def->name);
    memcpy(copy->uuid, obj->def->uuid, sizeof(copy->uuid));
    g_mutex_unlock(&obj->lock);
    if (persistent && !qemu_driver_save_config(drv, copy, error)) {
        domain_def_free(copy);
        return false;
    }
    g_mutex_lock(&obj->lock);
    domain_def_free(obj->def);
    obj->def = copy;
    g_clear_pointer(&obj->new_def, domain_def_free);
    g_mutex_unlock(&obj->lock);
    return true;
}

/* The nodes QEMU's devices read now (a live external snapshot moved them). */
static bool resolve_nodes(DomainObj *obj, QemuSnapshotPlan *plan, GError **error)
{
    g_autoptr(QemuMonitorMessage) reply = NULL;

    if (!qemu_driver_monitor_run(obj, qemu_monitor_command_new("query-block"), &reply, error))
        return false;
    for (guint i = 0; i < plan->disks->len; i++) {
        QemuSnapshotDisk *disk = plan->disks->pdata[i];
        char *node = qemu_snapshot_parse_top_node(reply, disk->source, error);

        if (!node)
            return false;
        g_free(disk->node);
        disk->node = node;
    }
    if (plan->with_memory && plan->disks->len) {
        g_free(plan->vmstate_node);
        plan->vmstate_node = g_strdup(((QemuSnapshotDisk *)plan->disks->pdata[0])->node);
    }
    return true;
}

/* ---- internal snapshots -------------------------------------------------------------- */

/* snapshot-save/-load/-delete on the running guest */
static bool internal_live(DomainObj *obj, QemuSnapshotPlan *plan, const char *op, const char *tag,
                          GError **error)
{
    g_autofree char *job = qemu_snapshot_job_id(op);

    return resolve_nodes(obj, plan, error) &&
           qemu_driver_monitor_run(obj, qemu_snapshot_cmd_internal(plan, op, tag), NULL, error) &&
           qemu_snapshot_wait_job(obj, job, error);
}

/* qemu-img snapshot on every disk of a shut-off guest; a failed create removes the
 * snapshots already made */
static bool internal_offline(QemuSnapshotPlan *plan, char op, const char *tag, GError **error)
{
    for (guint i = 0; i < plan->disks->len; i++) {
        const QemuSnapshotDisk *disk = plan->disks->pdata[i];

        if (qemu_snapshot_run_command(
                qemu_snapshot_img_snapshot(qemu_snapshot_qemu_img(), op, tag, disk->source), error))
            continue;
        for (guint j = i; op == 'c' && j-- > 0;) {
            disk = plan->disks->pdata[j];
            (void)qemu_snapshot_run_command(
                qemu_snapshot_img_snapshot(qemu_snapshot_qemu_img(), 'd', tag, disk->source), NULL);
        }
        return false;
    }
    return true;
}

/* ---- external snapshots ---------------------------------------------------------------- */

static bool check_overlays_free(const QemuSnapshotPlan *plan, GError **error)
{
    for (guint i = 0; i < plan->disks->len; i++) {
        const QemuSnapshotDisk *disk = plan->disks->pdata[i];

        if (g_file_test(disk->overlay, G_FILE_TEST_EXISTS)) {
            g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_INVALID,
                        "Requested operation is not valid: external snapshot file for disk '%s' "
                        "already exists and is not a block device: '%s'",
                        disk->target, disk->overlay);
            return false;
        }
    }
    return true;
}

static void unlink_overlays(const QemuSnapshotPlan *plan, guint n)
{
    for (guint i = 0; i < n; i++)
        (void)g_unlink(((QemuSnapshotDisk *)plan->disks->pdata[i])->overlay);
}

/* qemu-img create of every overlay; @sizes (live) are the images' virtual sizes */
static bool create_overlays(const QemuSnapshotPlan *plan, const uint64_t *sizes, GError **error)
{
    for (guint i = 0; i < plan->disks->len; i++) {
        const QemuSnapshotDisk *disk = plan->disks->pdata[i];

        if (!qemu_snapshot_run_command(
                qemu_snapshot_img_create_overlay(qemu_snapshot_qemu_img(), disk->overlay,
                                                 disk->source, disk->format, sizes ? sizes[i] : 0),
                error)) {
            unlink_overlays(plan, i);
            return false;
        }
    }
    return true;
}

/* Shut-off guest: overlays, then the config names them. */
static bool external_offline(QemuDriver *drv, DomainObj *obj, const QemuSnapshotPlan *plan,
                             const DomFacts *f, GError **error)
{
    g_autoptr(DomainDef) config = qemu_snapshot_apply_external(f->persistent_def, plan);

    if (!create_overlays(plan, NULL, error))
        return false;
    if (!install_config(drv, obj, config, error)) {
        unlink_overlays(plan, plan->disks->len);
        return false;
    }
    return true;
}

/* Running guest: overlays made with the images' sizes (QEMU holds them locked), added as
 * nodes, then one transaction switches every disk; failures undo it all. */
static bool external_live_switch(DomainObj *obj, QemuSnapshotPlan *plan, GError **error)
{
    g_autoptr(QemuMonitorMessage) nodes = NULL;
    g_autofree uint64_t *sizes = g_new0(uint64_t, plan->disks->len + 1);
    unsigned next = 0;
    guint added = 0;
    bool ok = true;

    if (!resolve_nodes(obj, plan, error) ||
        !qemu_driver_monitor_run(obj, qemu_monitor_command_new("query-named-block-nodes"), &nodes,
                                 error) ||
        !qemu_snapshot_parse_next_node_index(nodes, &next, error))
        return false;
    qemu_snapshot_plan_name_nodes(plan, next);
    for (guint i = 0; i < plan->disks->len; i++) {
        if (!qemu_snapshot_parse_node_size(nodes, ((QemuSnapshotDisk *)plan->disks->pdata[i])->node,
                                           &sizes[i], error))
            return false;
    }
    if (!create_overlays(plan, sizes, error))
        return false;
    for (; ok && added < plan->disks->len; added++) {
        g_autoptr(GPtrArray) cmds = qemu_snapshot_live_external_commands(plan->disks->pdata[added]);

        /* the two blockdev-adds; the blockdev-snapshots go in one transaction */
        ok = qemu_driver_monitor_run(obj, g_ptr_array_steal_index(cmds, 0), NULL, error) &&
             qemu_driver_monitor_run(obj, g_ptr_array_steal_index(cmds, 0), NULL, error);
    }
    ok = ok && qemu_driver_monitor_run(obj, qemu_snapshot_cmd_transaction(plan), NULL, error);
    if (ok)
        return true;
    for (guint i = added; i-- > 0;) {
        const QemuSnapshotDisk *disk = plan->disks->pdata[i];

        (void)qemu_driver_monitor_run(
            obj, qemu_snapshot_cmd_blockdev_del(disk->overlay_format_node), NULL, NULL);
        (void)qemu_driver_monitor_run(
            obj, qemu_snapshot_cmd_blockdev_del(disk->overlay_storage_node), NULL, NULL);
    }
    unlink_overlays(plan, plan->disks->len);
    return false;
}

static bool external_live(QemuDriver *drv, DomainObj *obj, QemuSnapshotPlan *plan,
                          const DomFacts *f, GError **error)
{
    g_autoptr(DomainDef) live = NULL;
    g_autoptr(DomainDef) config = NULL;
    bool has_new_def;

    if (!external_live_switch(obj, plan, error))
        return false;
    live = qemu_snapshot_apply_external(f->live, plan);
    config = qemu_snapshot_apply_external(f->persistent_def, plan);
    /* QEMU already writes to the overlays: the configs must follow whatever happens */
    if (f->persistent && !qemu_driver_save_config(drv, config, error))
        g_warning("domain '%s' runs on its new overlays, but its config still names the old "
                  "images",
                  f->live->name);
    g_mutex_lock(&obj->lock);
    has_new_def = obj->new_def != NULL;
    domain_def_free(obj->def);
    obj->def = g_steal_pointer(&live);
    if (has_new_def) {
        domain_def_free(obj->new_def);
        obj->new_def = g_steal_pointer(&config);
    }
    g_mutex_unlock(&obj->lock);
    qemu_driver_write_status(drv, obj);
    return true;
}

/* ---- create ------------------------------------------------------------------------- */

static bool redefine(QemuDriver *drv, DomainObj *obj, SnapshotDef **def, unsigned int flags,
                     char **ret_name, GError **error)
{
    g_autoptr(SnapshotTreeChange) change = snapshot_tree_change_new();
    SnapshotObj *snap = NULL;

    g_mutex_lock(&obj->lock);
    if (driver_snapshot_check_redefine_locked(obj, *def, error))
        snap = snapshot_tree_redefine(tree_locked(obj), *def,
                                      flags & DRIVER_SNAPSHOT_CREATE_CURRENT, change, error);
    if (snap) {
        *def = NULL;
        *ret_name = g_strdup(snap->def->name);
    }
    g_mutex_unlock(&obj->lock);
    return snap && persist(drv, obj, change, error);
}

/* The disk (and memory) work of a new snapshot. */
static bool take(QemuDriver *drv, DomainObj *obj, SnapshotDef *def, unsigned int flags,
                 GError **error)
{
    g_auto(DomFacts) f = { 0 };
    g_autoptr(QemuSnapshotPlan) plan = NULL;

    dom_facts_get(obj, &f);
    if (!qemu_snapshot_prepare(def, f.live, f.active, f.paused, flags, &plan, error))
        return false;
    domain_def_free(def->dom);
    def->dom = domain_def_copy(f.live);
    if (plan->external) {
        if (!check_overlays_free(plan, error))
            return false;
        return f.active ? external_live(drv, obj, plan, &f, error)
                        : external_offline(drv, obj, plan, &f, error);
    }
    if (f.active)
        return internal_live(obj, plan, "save", def->name, error);
    return internal_offline(plan, 'c', def->name, error);
}

static bool create_new(QemuDriver *drv, DomainObj *obj, SnapshotDef **def, unsigned int flags,
                       GPtrArray *events, char **ret_name, GError **error)
{
    g_autoptr(SnapshotTreeChange) change = snapshot_tree_change_new();
    bool exists, persistent, active;

    g_mutex_lock(&obj->lock);
    exists = snapshot_tree_lookup(tree_locked(obj), (*def)->name) != NULL;
    persistent = obj->persistent;
    active = domain_obj_is_active_locked(obj);
    g_mutex_unlock(&obj->lock);
    if (exists) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                    "operation failed: domain snapshot '%s' already exists", (*def)->name);
        return false;
    }
    if (!persistent && (flags & DRIVER_SNAPSHOT_CREATE_HALT)) {
        g_set_error_literal(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: cannot halt after transient "
                            "domain snapshot");
        return false;
    }
    if (!take(drv, obj, *def, flags, error))
        return false;
    *ret_name = g_strdup((*def)->name);
    if (active && (flags & DRIVER_SNAPSHOT_CREATE_HALT))
        (void)qemu_snapshot_kill(drv, obj, DOMAIN_SHUTOFF_FROM_SNAPSHOT,
                                 DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT, events, NULL);
    if (flags & DRIVER_SNAPSHOT_CREATE_NO_METADATA)
        return true;
    g_mutex_lock(&obj->lock);
    bool added = snapshot_tree_add(tree_locked(obj), *def, change, error) != NULL;
    g_mutex_unlock(&obj->lock);
    if (!added)
        return false;
    *def = NULL;
    return persist(drv, obj, change, error);
}

/* A redefined snapshot's config gets what a defined domain gets. */
static bool fill_domain(DomainDef *dom, void *opaque, GError **error)
{
    return qemu_driver_post_parse(opaque, dom, error);
}

SnapshotRef *qemu_domain_snapshot_create_xml(DriverConn *conn, const DomainRef *dom,
                                             const char *xml, unsigned int flags, GError **error)
{
    QemuDriver *drv = conn->drv;
    const int64_t now = g_get_real_time() / G_USEC_PER_SEC;
    g_autoptr(GPtrArray) events = driver_events_new();
    g_autoptr(DomainObj) obj = NULL;
    g_autoptr(SnapshotDef) def = NULL;
    g_autoptr(DomainRef) ref = NULL;
    g_autofree char *name = NULL;
    bool ok;

    if (!driver_snapshot_check_create_flags(flags, error) ||
        !qemu_driver_check_flags(flags, CREATE_SUPPORTED, "qemu_domain_snapshot_create_xml", error))
        return NULL;
    if (flags & DRIVER_SNAPSHOT_CREATE_VALIDATE) {
        g_autofree char *dir = domain_schema_default_dir();

        if (!snapshot_schema_validate_xml(dir, xml, error))
            return NULL;
    }
    def = snapshot_def_parse_full(
        xml, (flags & DRIVER_SNAPSHOT_CREATE_REDEFINE) ? SNAPSHOT_PARSE_REDEFINE : 0, now, error);
    if (def && (flags & DRIVER_SNAPSHOT_CREATE_REDEFINE) &&
        !snapshot_def_fill_redefined(def, fill_domain, drv, error))
        return NULL;
    if (!def || !(obj = qemu_driver_obj(conn, dom, error)) ||
        !qemu_driver_job_begin(obj, "snapshot-create", error))
        return NULL;
    if (flags & DRIVER_SNAPSHOT_CREATE_REDEFINE)
        ok = redefine(drv, obj, &def, flags, &name, error);
    else
        ok = create_new(drv, obj, &def, flags, events, &name, error);
    ref = driver_domain_ref(obj);
    qemu_driver_job_end(drv, obj);
    qemu_driver_emit(drv, events);
    return ok ? snapshot_ref_new(name, ref) : NULL;
}

static void snapshot_def_free_notify(gpointer def)
{
    snapshot_def_free(def);
}

/* ---- the steps of external revert and delete, for real --------------------------------- */

typedef struct RealSteps {
    QemuDriver *drv;
    DomainObj *obj;
} RealSteps;

static bool errno_error(GError **error, const char *what, const char *path)
{
    return virt_error_set_errno(error, VIRT_QEMU_ERROR, errno, "cannot %s '%s'", what, path);
}

static bool real_run(const QemuStep *step, void *opaque, GError **error)
{
    RealSteps *rs = opaque;

    switch (step->kind) {
    case QEMU_STEP_RENAME:
        if (g_file_test(step->path2, G_FILE_TEST_EXISTS)) {
            errno = EEXIST;
            return errno_error(error, "rename a file to", step->path2);
        }
        return rename(step->path, step->path2) == 0 || errno_error(error, "rename", step->path);
    case QEMU_STEP_CREATE_OVERLAY:
        return qemu_snapshot_run_command(qemu_snapshot_img_create_overlay(qemu_snapshot_qemu_img(),
                                                                          step->path, step->path2,
                                                                          step->format, 0),
                                         error);
    case QEMU_STEP_COMMIT:
        return qemu_snapshot_run_command(
            qemu_snapshot_img_commit(qemu_snapshot_qemu_img(), step->path), error);
    case QEMU_STEP_BLOCK_COMMIT:
        return qemu_snapshot_block_commit(rs->drv, rs->obj, step, error);
    case QEMU_STEP_SET_CONFIG:
        return install_config(rs->drv, rs->obj, step->def, error);
    case QEMU_STEP_UNLINK:
        return unlink(step->path) == 0 || errno_error(error, "remove", step->path);
    case _QEMU_STEP_KIND_MAX:
    case _QEMU_STEP_KIND_INVALID:
        break;
    }
    g_set_error_literal(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR, "unknown step");
    return false;
}

static bool real_undo(const QemuStep *step, void *opaque, GError **error)
{
    RealSteps *rs = opaque;

    switch (step->kind) {
    case QEMU_STEP_RENAME:
        return rename(step->path2, step->path) == 0 || errno_error(error, "rename", step->path2);
    case QEMU_STEP_CREATE_OVERLAY:
        return unlink(step->path) == 0 || errno_error(error, "remove", step->path);
    case QEMU_STEP_SET_CONFIG:
        return install_config(rs->drv, rs->obj, step->old_def, error);
    case QEMU_STEP_COMMIT:
    case QEMU_STEP_BLOCK_COMMIT:
    case QEMU_STEP_UNLINK:
    case _QEMU_STEP_KIND_MAX:
    case _QEMU_STEP_KIND_INVALID:
        break;
    }
    return true;
}

static const QemuStepOps real_step_ops = { real_run, real_undo };

static bool file_exists(const char *path, void *opaque)
{
    return g_file_test(path, G_FILE_TEST_EXISTS);
}

/* Copies of every snapshot definition of @obj, for the external plans' facts. */
static GPtrArray *all_defs(DomainObj *obj)
{
    GPtrArray *defs = g_ptr_array_new_with_free_func(snapshot_def_free_notify);
    g_autoptr(GPtrArray) list = NULL;

    g_mutex_lock(&obj->lock);
    list = snapshot_tree_list(tree_locked(obj), NULL, 0, NULL);
    for (guint i = 0; list && i < list->len; i++)
        g_ptr_array_add(defs, snapshot_def_copy(((SnapshotObj *)list->pdata[i])->def));
    g_mutex_unlock(&obj->lock);
    return defs;
}

/* Run @steps, then @commit (the metadata change), then the cleanup; a failed commit
 * undoes the steps. */
static bool run_steps(QemuDriver *drv, DomainObj *obj, QemuSteps *steps,
                      bool (*commit)(QemuDriver *, DomainObj *, void *, GError **), void *arg,
                      GError **error)
{
    RealSteps rs = { drv, obj };
    g_autoptr(GPtrArray) problems = NULL;

    if (!qemu_steps_run(steps, &real_step_ops, &rs, error))
        return false;
    if (commit && !commit(drv, obj, arg, error)) {
        qemu_steps_undo_all(steps, &real_step_ops, &rs, NULL);
        return false;
    }
    problems = qemu_steps_cleanup(steps, &real_step_ops, &rs);
    for (guint i = 0; i < problems->len; i++)
        g_warning("domain snapshot cleanup left a file behind: %s", (char *)problems->pdata[i]);
    return true;
}

/* ---- revert ---------------------------------------------------------------------------- */

static DomainState revert_target(const SnapshotDef *def, unsigned int flags)
{
    if (flags & DRIVER_SNAPSHOT_REVERT_RUNNING)
        return DOMAIN_STATE_RUNNING;
    if (flags & DRIVER_SNAPSHOT_REVERT_PAUSED)
        return DOMAIN_STATE_PAUSED;
    if (def->state == SNAPSHOT_STATE_RUNNING || def->state == SNAPSHOT_STATE_PAUSED)
        return (DomainState)def->state;
    return DOMAIN_STATE_SHUTOFF;
}

/* After a load or a start, bring QEMU to @target and record it. */
static bool settle_state(QemuDriver *drv, DomainObj *obj, DomainState target, GError **error)
{
    g_autoptr(QemuMonitorMessage) reply = NULL;
    QemuMonitorStatus status;

    if (!qemu_driver_monitor_run(obj, qemu_monitor_command_new("query-status"), &reply, error) ||
        !qemu_monitor_parse_status(reply, &status, error))
        return false;
    if (target == DOMAIN_STATE_RUNNING && !status.running &&
        !qemu_driver_monitor_run(obj, qemu_monitor_command_new("cont"), NULL, error))
        return false;
    if (target == DOMAIN_STATE_PAUSED && status.running &&
        !qemu_driver_monitor_run(obj, qemu_monitor_command_new("stop"), NULL, error))
        return false;
    g_mutex_lock(&obj->lock);
    domain_obj_set_state_locked(obj, target,
                                target == DOMAIN_STATE_RUNNING ? DOMAIN_RUNNING_FROM_SNAPSHOT
                                                               : DOMAIN_PAUSED_FROM_SNAPSHOT);
    g_mutex_unlock(&obj->lock);
    qemu_driver_write_status(drv, obj);
    return true;
}

static void queue_started(GPtrArray *events, DomainObj *obj, DomainState target)
{
    driver_events_queue(events, obj, DOMAIN_EVENT_STARTED, DOMAIN_EVENT_STARTED_FROM_SNAPSHOT);
    if (target == DOMAIN_STATE_PAUSED)
        driver_events_queue(events, obj, DOMAIN_EVENT_SUSPENDED,
                            DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT);
}

/* The running guest loads the snapshot's memory and disks in place. */
static bool revert_live(QemuDriver *drv, DomainObj *obj, const SnapshotDef *sdef,
                        DomainState target, GPtrArray *events, GError **error)
{
    g_auto(DomFacts) f = { 0 };
    g_autoptr(QemuSnapshotPlan) plan = NULL;

    dom_facts_get(obj, &f);
    plan = qemu_snapshot_plan_for_existing(sdef, f.live);
    if (!internal_live(obj, plan, "load", sdef->name, error) ||
        !settle_state(drv, obj, target, error))
        return false;
    driver_events_queue(events, obj, DOMAIN_EVENT_STOPPED, DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT);
    queue_started(events, obj, target);
    return true;
}

static bool set_current_commit(QemuDriver *drv, DomainObj *obj, void *arg, GError **error)
{
    g_autoptr(SnapshotTreeChange) change = snapshot_tree_change_new();
    SnapshotObj *snap;

    g_mutex_lock(&obj->lock);
    snap = snapshot_tree_lookup(tree_locked(obj), arg);
    if (snap)
        snapshot_tree_set_current(tree_locked(obj), snap, change);
    g_mutex_unlock(&obj->lock);
    return persist(drv, obj, change, error);
}

/* The disks of the shut-off guest go back to the snapshot, and its config with them. */
static bool revert_disks(QemuDriver *drv, DomainObj *obj, const SnapshotDef *sdef, GError **error)
{
    g_auto(DomFacts) f = { 0 };

    dom_facts_get(obj, &f);
    if (snapshot_def_is_external(sdef)) {
        g_autoptr(GPtrArray) defs = all_defs(obj);
        const QemuExternalFacts facts = { f.persistent_def, defs, file_exists, NULL };
        g_autoptr(QemuSteps) steps = NULL;

        return qemu_external_plan_revert(sdef, &facts, &steps, error) &&
               run_steps(drv, obj, steps, set_current_commit, sdef->name, error);
    } else {
        g_autoptr(QemuSnapshotPlan) plan =
            qemu_snapshot_plan_for_existing(sdef, sdef->dom ? sdef->dom : f.persistent_def);

        /* a snapshot with memory is loaded whole (disks too) when the guest starts */
        return (sdef->memory == SNAPSHOT_LOCATION_INTERNAL ||
                internal_offline(plan, 'a', sdef->name, error)) &&
               (!sdef->dom || install_config(drv, obj, sdef->dom, error)) &&
               set_current_commit(drv, obj, sdef->name, error);
    }
}

/* Start the reverted guest: a snapshot with memory is loaded into a paused QEMU. */
static bool revert_start(QemuDriver *drv, DomainObj *obj, const SnapshotDef *sdef,
                         DomainState target, GPtrArray *events, GError **error)
{
    g_autoptr(GPtrArray) ignored = driver_events_new();

    if (!qemu_driver_start_obj(drv, obj, START_PAUSED, ignored, error))
        return false;
    if (sdef->memory == SNAPSHOT_LOCATION_INTERNAL) {
        g_auto(DomFacts) f = { 0 };
        g_autoptr(QemuSnapshotPlan) plan = NULL;

        dom_facts_get(obj, &f);
        plan = qemu_snapshot_plan_for_existing(sdef, f.live);
        if (!internal_live(obj, plan, "load", sdef->name, error)) {
            (void)qemu_snapshot_kill(drv, obj, DOMAIN_SHUTOFF_FAILED, DOMAIN_EVENT_STOPPED_FAILED,
                                     events, NULL);
            return false;
        }
    }
    if (!settle_state(drv, obj, target, error))
        return false;
    queue_started(events, obj, target);
    return true;
}

static bool revert_check(DomainObj *obj, const char *name, unsigned int flags,
                         SnapshotDef **ret_def, bool *ret_active, GError **error)
{
    const DriverSnapshotCtx ctx = { NULL, VIRT_QEMU_ERROR, tree_locked };
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);
    SnapshotObj *snap = driver_snapshot_get_locked(&ctx, obj, name, error);

    if (!snap)
        return false;
    if (!obj->persistent && revert_target(snap->def, flags) == DOMAIN_STATE_SHUTOFF) {
        g_set_error_literal(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: transient domain needs to request "
                            "run or pause to revert to inactive snapshot");
        return false;
    }
    if (!snap->def->dom && !(flags & DRIVER_SNAPSHOT_REVERT_FORCE)) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_SNAPSHOT_REVERT_RISKY,
                    "revert requires force: snapshot '%s' lacks domain '%s' rollback info",
                    snap->def->name, obj->def->name);
        return false;
    }
    *ret_def = snapshot_def_copy(snap->def);
    *ret_active = domain_obj_is_active_locked(obj);
    return true;
}

static bool revert_body(QemuDriver *drv, DomainObj *obj, const char *name, unsigned int flags,
                        GPtrArray *events, GError **error)
{
    g_autoptr(SnapshotDef) sdef = NULL;
    DomainState target;
    bool active, persistent;

    if (!revert_check(obj, name, flags, &sdef, &active, error))
        return false;
    target = revert_target(sdef, flags);
    if (active && target != DOMAIN_STATE_SHUTOFF && !snapshot_def_is_external(sdef) &&
        sdef->memory == SNAPSHOT_LOCATION_INTERNAL)
        return revert_live(drv, obj, sdef, target, events, error) &&
               set_current_commit(drv, obj, sdef->name, error);
    if (active && !qemu_snapshot_kill(drv, obj, DOMAIN_SHUTOFF_FROM_SNAPSHOT,
                                      DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT, events, error))
        return false;
    if (!revert_disks(drv, obj, sdef, error))
        return false;
    g_mutex_lock(&obj->lock);
    persistent = obj->persistent;
    g_mutex_unlock(&obj->lock);
    if (persistent)
        driver_events_queue(events, obj, DOMAIN_EVENT_DEFINED, DOMAIN_EVENT_DEFINED_FROM_SNAPSHOT);
    return target == DOMAIN_STATE_SHUTOFF || revert_start(drv, obj, sdef, target, events, error);
}

bool qemu_domain_revert_to_snapshot(DriverConn *conn, const SnapshotRef *snap, unsigned int flags,
                                    GError **error)
{
    QemuDriver *drv = conn->drv;
    g_autoptr(GPtrArray) events = driver_events_new();
    g_autoptr(DomainObj) obj = NULL;
    bool ok;

    if (!driver_snapshot_check_revert_flags(flags, error) ||
        !qemu_driver_check_flags(flags, REVERT_SUPPORTED, "qemu_domain_revert_to_snapshot",
                                 error) ||
        !(obj = qemu_driver_obj(conn, snap->dom, error)) ||
        !qemu_driver_job_begin(obj, "snapshot-revert", error))
        return false;
    ok = revert_body(drv, obj, snap->name, flags, events, error);
    qemu_driver_job_end(drv, obj);
    qemu_driver_emit(drv, events);
    return ok;
}

/* ---- delete ---------------------------------------------------------------------------- */

typedef struct DeleteArgs {
    const char *name;
    unsigned int flags;
} DeleteArgs;

static bool delete_commit(QemuDriver *drv, DomainObj *obj, void *arg, GError **error)
{
    const DeleteArgs *args = arg;
    g_autoptr(SnapshotTreeChange) change = snapshot_tree_change_new();
    SnapshotObj *snap;
    bool ok = false;

    g_mutex_lock(&obj->lock);
    snap = snapshot_tree_lookup(tree_locked(obj), args->name);
    if (snap)
        ok = snapshot_tree_delete(tree_locked(obj), snap, args->flags, change, error);
    g_mutex_unlock(&obj->lock);
    return ok && persist(drv, obj, change, error);
}

/* The disk work of deleting the internal snapshot @def. */
static bool delete_internal(DomainObj *obj, const SnapshotDef *def, const DomFacts *f,
                            GError **error)
{
    g_autoptr(QemuSnapshotPlan) plan = NULL;

    if (f->active) {
        plan = qemu_snapshot_plan_for_existing(def, f->live);
        return plan->disks->len == 0 || internal_live(obj, plan, "delete", def->name, error);
    }
    plan = qemu_snapshot_plan_for_existing(def, def->dom ? def->dom : f->persistent_def);
    return internal_offline(plan, 'd', def->name, error);
}

/* The snapshots a delete removes (children first) and whether @name is a leaf. */
static GPtrArray *delete_targets(DomainObj *obj, const char *name, unsigned int flags,
                                 bool *ret_leaf, GError **error)
{
    const DriverSnapshotCtx ctx = { NULL, VIRT_QEMU_ERROR, tree_locked };
    GPtrArray *targets = g_ptr_array_new_with_free_func(snapshot_def_free_notify);
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);
    SnapshotObj *snap = driver_snapshot_get_locked(&ctx, obj, name, error);
    g_autoptr(GPtrArray) below = NULL;

    if (!snap) {
        g_ptr_array_unref(targets);
        return NULL;
    }
    *ret_leaf = snap->n_children == 0;
    if (flags & (SNAPSHOT_DELETE_CHILDREN | SNAPSHOT_DELETE_CHILDREN_ONLY))
        below = snapshot_tree_list(tree_locked(obj), snap, SNAPSHOT_LIST_DESCENDANTS, NULL);
    for (guint i = below ? below->len : 0; i-- > 0;)
        g_ptr_array_add(targets, snapshot_def_copy(((SnapshotObj *)below->pdata[i])->def));
    if (!(flags & SNAPSHOT_DELETE_CHILDREN_ONLY))
        g_ptr_array_add(targets, snapshot_def_copy(snap->def));
    return targets;
}

static bool delete_body(QemuDriver *drv, DomainObj *obj, const char *name, unsigned int flags,
                        GError **error)
{
    DeleteArgs args = { name, flags };
    g_autoptr(GPtrArray) targets = NULL;
    bool leaf = false;

    if (!(targets = delete_targets(obj, name, flags, &leaf, error)))
        return false;
    if (flags & SNAPSHOT_DELETE_METADATA_ONLY)
        return delete_commit(drv, obj, &args, error);
    for (guint i = 0; i < targets->len; i++) {
        const SnapshotDef *def = targets->pdata[i];
        g_auto(DomFacts) f = { 0 };

        dom_facts_get(obj, &f);
        if (snapshot_def_is_external(def)) {
            g_autoptr(GPtrArray) defs = all_defs(obj);
            /* a running domain's disks are what QEMU runs on: the live config */
            const QemuExternalFacts facts = { f.active ? f.live : f.persistent_def, defs,
                                              file_exists, NULL };
            g_autoptr(QemuSteps) steps = NULL;

            if (flags & (SNAPSHOT_DELETE_CHILDREN | SNAPSHOT_DELETE_CHILDREN_ONLY)) {
                g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_UNSUPPORTED,
                            "deletion of external snapshot '%s' with its children is not "
                            "supported; delete them one by one, leaves first",
                            def->name);
                return false;
            }
            return qemu_external_plan_delete(def, leaf, f.active, &facts, &steps, error) &&
                   run_steps(drv, obj, steps, delete_commit, &args, error);
        }
        if (!delete_internal(obj, def, &f, error))
            return false;
    }
    return delete_commit(drv, obj, &args, error);
}

bool qemu_domain_snapshot_delete(DriverConn *conn, const SnapshotRef *snap, unsigned int flags,
                                 GError **error)
{
    QemuDriver *drv = conn->drv;
    g_autoptr(DomainObj) obj = NULL;
    bool ok;

    if (!driver_snapshot_check_delete_flags(flags, error) ||
        !qemu_driver_check_flags(flags, DELETE_SUPPORTED, "qemu_domain_snapshot_delete", error) ||
        !(obj = qemu_driver_obj(conn, snap->dom, error)) ||
        !qemu_driver_job_begin(obj, "snapshot-delete", error))
        return false;
    ok = delete_body(drv, obj, snap->name, flags, error);
    qemu_driver_job_end(drv, obj);
    return ok;
}
