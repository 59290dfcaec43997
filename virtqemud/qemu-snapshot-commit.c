/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Deleting an external snapshot of a running domain: QEMU merges the overlay the disk
 * runs on into the image the snapshot froze (an active block commit), while the guest
 * keeps writing. The job copies the overlay's data down and reports "ready"
 * (BLOCK_JOB_READY); job-complete then switches the disk onto the base image. Only
 * after QEMU switched does the config follow and are the overlay's nodes dropped; the
 * file itself goes with the step plan's cleanup, after the snapshot metadata is gone.
 *
 * Never data loss: until the switch the guest runs on the overlay and the overlay is
 * never written by us, so a job that fails or is cancelled changes nothing the guest
 * sees (the base image may hold a partial copy of data the overlay still covers).
 * After the switch the guest writes to the base image and the configs must name it,
 * whatever fails next.
 */

#include <glib/gstdio.h>

#include "qemu-snapshot-ops.h"
#include "qemu-snapshot-steps.h"
#include "qemu-snapshot.h"
#include "util/error.h"

/* The nodes of a commit: the disk's root (the overlay's format node), the overlay's
 * protocol node, and the base image's format node. */
typedef struct CommitNodes {
    char *top;
    char *top_storage;
    char *base;
} CommitNodes;

static void commit_nodes_clear(CommitNodes *n)
{
    g_free(n->top);
    g_free(n->top_storage);
    g_free(n->base);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(CommitNodes, commit_nodes_clear)

/* Which image the disk whose active image was @step->path runs on now. */
static bool commit_switched(DomainObj *obj, const QemuStep *step, bool *ret_switched,
                            GError **error)
{
    g_autoptr(QemuMonitorMessage) reply = NULL;
    g_autofree char *on_overlay = NULL;
    g_autofree char *on_base = NULL;

    if (!qemu_driver_monitor_run(obj, qemu_monitor_command_new("query-block"), &reply, error))
        return false;
    on_overlay = qemu_snapshot_parse_top_node(reply, step->path, NULL);
    on_base = qemu_snapshot_parse_top_node(reply, step->path2, NULL);
    if (!on_overlay == !on_base) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "QEMU runs disk '%s' on neither '%s' nor '%s'", step->target, step->path,
                    step->path2);
        return false;
    }
    *ret_switched = on_base != NULL;
    return true;
}

static bool commit_nodes(DomainObj *obj, const QemuStep *step, CommitNodes *n, GError **error)
{
    g_autoptr(QemuMonitorMessage) block = NULL;
    g_autoptr(QemuMonitorMessage) nodes = NULL;

    return qemu_driver_monitor_run(obj, qemu_monitor_command_new("query-block"), &block, error) &&
           (n->top = qemu_snapshot_parse_top_node(block, step->path, error)) &&
           qemu_driver_monitor_run(obj, qemu_monitor_command_new("query-named-block-nodes"), &nodes,
                                   error) &&
           (n->top_storage = qemu_snapshot_parse_file_node(nodes, step->path, true, error)) &&
           (n->base = qemu_snapshot_parse_file_node(nodes, step->path2, false, error));
}

/* Stop a commit that will not complete: cancelled before the switch, the disk stays on
 * the overlay. Best effort: the caller already has its error. */
static void commit_abort(DomainObj *obj, const char *job_id)
{
    (void)qemu_driver_monitor_run(obj, qemu_monitor_cmd_job("job-cancel", job_id), NULL, NULL);
    (void)qemu_snapshot_wait_job(obj, job_id, NULL); /* concludes "cancelled"; dismissed */
}

/* The job from start to the switch. On failure the job is gone and QEMU may or may
 * not have switched (a completion whose conclusion failed): the caller asks QEMU. */
static bool commit_run(DomainObj *obj, const char *job_id, const CommitNodes *n, GError **error)
{
    if (!qemu_driver_monitor_run(obj, qemu_monitor_cmd_block_commit(job_id, n->top, n->base), NULL,
                                 error))
        return false;
    if (!qemu_snapshot_wait_job_ready(obj, job_id, error) ||
        !qemu_driver_monitor_run(obj, qemu_monitor_cmd_job("job-complete", job_id), NULL, error)) {
        commit_abort(obj, job_id);
        return false;
    }
    return qemu_snapshot_wait_job(obj, job_id, error);
}

/* @def's disk @step->target on @step->path2, when it named @step->path. */
static bool def_switch_disk(DomainDef *def, const QemuStep *step)
{
    for (guint i = 0; def && i < def->disks->len; i++) {
        DomainDiskDef *disk = def->disks->pdata[i];

        if (g_strcmp0(disk->target_dev, step->target) != 0 ||
            g_strcmp0(disk->source, step->path) != 0)
            continue;
        qemu_disk_set_image(disk, step->path2, step->format);
        return true;
    }
    return false;
}

/* QEMU switched the disk: the live config (and the persistent one, when it named the
 * overlay too) must say so, whatever else fails. */
static void commit_follow(QemuDriver *drv, DomainObj *obj, const QemuStep *step)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainDef) persistent = NULL;
    g_autofree char *name = NULL;

    g_mutex_lock(&obj->lock);
    def_switch_disk(obj->def, step);
    if (obj->new_def && def_switch_disk(obj->new_def, step))
        persistent = domain_def_copy(obj->new_def);
    name = g_strdup(obj->def->name);
    g_mutex_unlock(&obj->lock);
    qemu_driver_write_status(drv, obj);
    if (persistent && !qemu_driver_save_config(drv, persistent, &error))
        g_warning("domain '%s' runs disk '%s' on '%s', but its saved config still names '%s': "
                  "%s",
                  name, step->target, step->path2, step->path, error->message);
}

/* Close the overlay in QEMU: it is no longer in the disk's chain. */
static void commit_drop_nodes(DomainObj *obj, const CommitNodes *n)
{
    g_autoptr(GError) error = NULL;

    if (!qemu_driver_monitor_run(obj, qemu_snapshot_cmd_blockdev_del(n->top), NULL, &error) ||
        !qemu_driver_monitor_run(obj, qemu_snapshot_cmd_blockdev_del(n->top_storage), NULL, &error))
        g_debug("overlay nodes '%s'/'%s' stay open in QEMU: %s", n->top, n->top_storage,
                error->message);
}

/**
 * qemu_snapshot_block_commit - carry out a QEMU_STEP_BLOCK_COMMIT on a running domain
 * @drv: the driver
 * @obj: the domain (caller holds its job)
 * @step: merge @step->path, the active image of disk @step->target, into @step->path2
 * @error: why the disk still runs on the overlay
 *
 * Returns: true once the disk runs on @step->path2 and the configs name it.
 */
bool qemu_snapshot_block_commit(QemuDriver *drv, DomainObj *obj, const QemuStep *step,
                                GError **error)
{
    g_autofree char *job_id = g_strdup_printf("virtkit-commit-%s", step->target);
    g_auto(CommitNodes) n = { 0 };
    g_autoptr(GError) err = NULL;
    bool switched = false;

    if (commit_nodes(obj, step, &n, &err) && commit_run(obj, job_id, &n, &err) &&
        commit_switched(obj, step, &switched, &err) && !switched)
        g_set_error(&err, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                    "QEMU completed the commit job but did not switch to the base image");
    /* a failure late in the job may come after the switch: QEMU has the last word */
    if (err && n.top && !switched)
        (void)commit_switched(obj, step, &switched, NULL);
    if (!switched) {
        g_propagate_prefixed_error(error, g_steal_pointer(&err),
                                   "live commit of disk '%s' ('%s' into '%s') failed; the "
                                   "domain still runs on '%s', which keeps all its data: ",
                                   step->target, step->path, step->path2, step->path);
        return false;
    }
    if (err)
        g_debug("disk '%s' switched to '%s' although: %s", step->target, step->path2, err->message);
    commit_follow(drv, obj, step);
    commit_drop_nodes(obj, &n);
    return true;
}
