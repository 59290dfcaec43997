/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Plans for reverting to and deleting external (disk-only) snapshots, pure.
 *
 * An external snapshot S froze images B (the sources in S's <domain>) and moved the
 * domain onto overlays O (the sources in S's <disks>). A file is *needed* when some
 * snapshot's <domain> names it (it holds that snapshot's state, and it is the backing
 * file of every overlay created on it). A file is *ours* when it is an overlay some
 * snapshot created (O) or a revert overlay (O.N). Only files that are ours and not
 * needed are ever removed, and only as cleanup after the new state is in place; the
 * user's own images are never removed.
 */

#include <string.h>

#include "qemu-snapshot-steps.h"
#include "util/error.h"

#define QEMU_REVERT_MAX_CANDIDATES 100

static bool qemu_def_names_file(const DomainDef *dom, const char *path)
{
    for (guint i = 0; dom && i < dom->disks->len; i++) {
        if (g_strcmp0(((const DomainDiskDef *)dom->disks->pdata[i])->source, path) == 0)
            return true;
    }
    return false;
}

/* Some snapshot other than @except (by name: callers may pass copies) froze @path. */
static bool qemu_file_needed(const QemuExternalFacts *facts, const SnapshotDef *except,
                             const char *path)
{
    for (guint i = 0; facts->snapshots && i < facts->snapshots->len; i++) {
        const SnapshotDef *def = facts->snapshots->pdata[i];

        if ((!except || g_strcmp0(def->name, except->name) != 0) &&
            (qemu_def_names_file(def->dom, path) || qemu_def_names_file(def->inactive_dom, path)))
            return true;
    }
    return false;
}

/* @path is @overlay or a revert overlay of it (@overlay.N). */
static bool qemu_file_derived(const char *path, const char *overlay)
{
    size_t len = strlen(overlay);

    if (!path || strncmp(path, overlay, len) != 0)
        return false;
    if (path[len] == '\0')
        return true;
    if (path[len] != '.' || path[len + 1] == '\0')
        return false;
    for (const char *p = path + len + 1; *p; p++) {
        if (!g_ascii_isdigit(*p))
            return false;
    }
    return true;
}

static bool qemu_file_ours(const QemuExternalFacts *facts, const char *path)
{
    for (guint i = 0; facts->snapshots && i < facts->snapshots->len; i++) {
        const SnapshotDef *def = facts->snapshots->pdata[i];

        for (guint j = 0; j < def->disks->len; j++) {
            const SnapshotDiskDef *disk = def->disks->pdata[j];

            if (disk->snapshot == SNAPSHOT_LOCATION_EXTERNAL &&
                qemu_file_derived(path, disk->source))
                return true;
        }
    }
    return false;
}

static DomainDiskDef *qemu_def_disk(const DomainDef *dom, const char *target)
{
    for (guint i = 0; dom && i < dom->disks->len; i++) {
        DomainDiskDef *disk = dom->disks->pdata[i];

        if (g_strcmp0(disk->target_dev, target) == 0)
            return disk;
    }
    return NULL;
}

static bool qemu_external_error(GError **error, int code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static bool qemu_external_error(GError **error, int code, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(error, VIRT_QEMU_ERROR, code, msg);
    return false;
}

/* The image S froze for disk @sdisk and its format. */
static bool qemu_external_base(const SnapshotDef *snap, const SnapshotDiskDef *sdisk,
                               const DomainDiskDef **ret_base, GError **error)
{
    const DomainDiskDef *base = qemu_def_disk(snap->dom, sdisk->name);

    if (!base || !base->source || !sdisk->source)
        return qemu_external_error(error, VIRT_ERR_INTERNAL_ERROR,
                                   "external snapshot '%s' does not record the image of disk "
                                   "'%s'",
                                   snap->name, sdisk->name);
    *ret_base = base;
    return true;
}

/* A name for the new overlay of a revert: the snapshot's own overlay name when free
 * (or when it is the file being discarded), else the first free O.N. */
static char *qemu_revert_overlay_name(const SnapshotDef *snap, const SnapshotDiskDef *sdisk,
                                      const char *discarded, const QemuExternalFacts *facts,
                                      GHashTable *chosen, GError **error)
{
    for (unsigned n = 0; n < QEMU_REVERT_MAX_CANDIDATES; n++) {
        g_autofree char *cand =
            n ? g_strdup_printf("%s.%u", sdisk->source, n) : g_strdup(sdisk->source);

        if (g_hash_table_contains(chosen, cand) || qemu_file_needed(facts, NULL, cand))
            continue;
        if (g_strcmp0(cand, discarded) == 0 || !facts->exists(cand, facts->opaque))
            return g_steal_pointer(&cand);
    }
    qemu_external_error(error, VIRT_ERR_OPERATION_FAILED,
                        "cannot revert disk '%s' to snapshot '%s': '%s' and its %d numbered "
                        "variants are all taken",
                        sdisk->name, snap->name, sdisk->source, QEMU_REVERT_MAX_CANDIDATES);
    return NULL;
}

typedef struct QemuRevertDisk {
    const SnapshotDiskDef *sdisk;
    const DomainDiskDef *base;
    char *discard;     /* the current overlay, left behind by the revert; or NULL */
    char *discard_tmp; /* where it waits until the revert is committed */
    char *overlay;     /* the new overlay */
} QemuRevertDisk;

static void qemu_revert_disk_clear(gpointer data)
{
    QemuRevertDisk *rd = data;

    g_free(rd->discard);
    g_free(rd->discard_tmp);
    g_free(rd->overlay);
}

static bool qemu_revert_disk_prepare(const SnapshotDef *snap, const SnapshotDiskDef *sdisk,
                                     const QemuExternalFacts *facts, GHashTable *chosen,
                                     QemuRevertDisk *rd, GError **error)
{
    const DomainDiskDef *cur = qemu_def_disk(facts->current, sdisk->name);
    const char *c = cur ? cur->source : NULL;

    rd->sdisk = sdisk;
    if (!qemu_external_base(snap, sdisk, &rd->base, error))
        return false;
    if (c && !g_str_equal(c, rd->base->source) && !qemu_file_needed(facts, NULL, c) &&
        qemu_file_ours(facts, c)) {
        rd->discard = g_strdup(c);
        rd->discard_tmp = g_strdup_printf("%s.virtkit-discard", c);
        if (facts->exists(rd->discard_tmp, facts->opaque))
            return qemu_external_error(error, VIRT_ERR_OPERATION_FAILED,
                                       "cannot revert to snapshot '%s': '%s' is left from an "
                                       "earlier failed operation; remove it first",
                                       snap->name, rd->discard_tmp);
    }
    rd->overlay = qemu_revert_overlay_name(snap, sdisk, rd->discard, facts, chosen, error);
    if (!rd->overlay)
        return false;
    g_hash_table_add(chosen, g_strdup(rd->overlay));
    return true;
}

static DomainDef *qemu_revert_config(const SnapshotDef *snap, const QemuExternalFacts *facts,
                                     GArray *disks)
{
    DomainDef *def = domain_def_copy(snap->dom);

    g_free(def->name);
    def->name = g_strdup(facts->current->name);
    for (guint i = 0; i < disks->len; i++) {
        const QemuRevertDisk *rd = &g_array_index(disks, QemuRevertDisk, i);
        DomainDiskDef *disk = qemu_def_disk(def, rd->sdisk->name);

        g_free(disk->source);
        disk->source = g_strdup(rd->overlay);
        g_free(disk->driver_type);
        disk->driver_type = g_strdup("qcow2");
    }
    return def;
}

static void qemu_revert_add_steps(QemuSteps *steps, const SnapshotDef *snap,
                                  const QemuExternalFacts *facts, GArray *disks)
{
    QemuStep *step;

    for (guint i = 0; i < disks->len; i++) {
        const QemuRevertDisk *rd = &g_array_index(disks, QemuRevertDisk, i);

        if (rd->discard)
            qemu_steps_add(steps, QEMU_STEP_RENAME, rd->discard, rd->discard_tmp);
    }
    for (guint i = 0; i < disks->len; i++) {
        const QemuRevertDisk *rd = &g_array_index(disks, QemuRevertDisk, i);

        step = qemu_steps_add(steps, QEMU_STEP_CREATE_OVERLAY, rd->overlay, rd->base->source);
        step->format = g_strdup(rd->base->driver_type ? rd->base->driver_type : "raw");
    }
    step = qemu_steps_add(steps, QEMU_STEP_SET_CONFIG, NULL, NULL);
    step->def = qemu_revert_config(snap, facts, disks);
    step->old_def = domain_def_copy(facts->current);
    for (guint i = 0; i < disks->len; i++) {
        const QemuRevertDisk *rd = &g_array_index(disks, QemuRevertDisk, i);

        if (rd->discard)
            qemu_steps_add(steps, QEMU_STEP_UNLINK, rd->discard_tmp, NULL);
    }
}

/**
 * qemu_external_plan_revert - the steps of reverting to an external snapshot
 * @snap: the snapshot (with its <domain>)
 * @facts: the domain's config, its snapshots, and which files exist
 * @ret_steps: renames of the overlays left behind, creation of the new overlays on the
 *             images @snap froze, the new config, then (cleanup) removal of what was
 *             left behind
 * @error: a snapshot without its domain, or no usable overlay name
 *
 * The overlay the domain runs on is left behind only when it is ours and no snapshot
 * needs it; it is renamed first (its name may be reused for the new overlay) and
 * removed only after the config names the new overlays.
 *
 * Returns: true with *ret_steps.
 */
bool qemu_external_plan_revert(const SnapshotDef *snap, const QemuExternalFacts *facts,
                               QemuSteps **ret_steps, GError **error)
{
    g_autoptr(GArray) disks = g_array_new(FALSE, TRUE, sizeof(QemuRevertDisk));
    g_autoptr(GHashTable) chosen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(QemuSteps) steps = qemu_steps_new();

    g_array_set_clear_func(disks, qemu_revert_disk_clear);
    if (!snap->dom)
        return qemu_external_error(error, VIRT_ERR_SNAPSHOT_REVERT_RISKY,
                                   "snapshot '%s' lacks the domain config to revert to",
                                   snap->name);
    for (guint i = 0; i < snap->disks->len; i++) {
        const SnapshotDiskDef *sdisk = snap->disks->pdata[i];
        QemuRevertDisk rd = { 0 };

        if (sdisk->snapshot != SNAPSHOT_LOCATION_EXTERNAL)
            continue;
        if (!qemu_revert_disk_prepare(snap, sdisk, facts, chosen, &rd, error)) {
            qemu_revert_disk_clear(&rd);
            return false;
        }
        g_array_append_val(disks, rd);
    }
    qemu_revert_add_steps(steps, snap, facts, disks);
    *ret_steps = g_steal_pointer(&steps);
    return true;
}

/* ---- delete ---- */

/* The data of the overlay @c the domain runs on goes into the frozen image @base:
 * qemu-img commit and the config switched back (shut off), or QEMU's block commit,
 * which switches the running disk (and its config) itself. */
static void qemu_delete_merge(const char *c, const DomainDiskDef *base, bool active,
                              QemuSteps *steps, DomainDiskDef *config_disk, bool *ret_changed)
{
    const char *format = base->driver_type ? base->driver_type : "raw";

    if (active) {
        QemuStep *step = qemu_steps_add(steps, QEMU_STEP_BLOCK_COMMIT, c, base->source);

        step->format = g_strdup(format);
        step->target = g_strdup(config_disk->target_dev);
    } else {
        qemu_steps_add(steps, QEMU_STEP_COMMIT, c, base->source);
        qemu_disk_set_image(config_disk, base->source, format);
        *ret_changed = true;
    }
    qemu_steps_add(steps, QEMU_STEP_UNLINK, c, NULL);
}

/* One disk of a delete: commit the domain's overlay into the frozen image, or only
 * remove the snapshot's overlay when nothing uses it. Sets *@ret_changed when the
 * config must be switched back to the frozen image. */
static bool qemu_delete_disk(const SnapshotDef *snap, const SnapshotDiskDef *sdisk, bool active,
                             const QemuExternalFacts *facts, QemuSteps *steps,
                             DomainDiskDef *config_disk, bool *ret_changed, GError **error)
{
    const DomainDiskDef *base;
    g_autofree char *c = g_strdup(config_disk ? config_disk->source : NULL);

    if (!qemu_external_base(snap, sdisk, &base, error))
        return false;
    if (qemu_file_derived(c, sdisk->source)) {
        /* the domain runs on an overlay of the frozen image: merge it down */
        if (qemu_file_needed(facts, snap, base->source))
            return qemu_external_error(error, VIRT_ERR_OPERATION_UNSUPPORTED,
                                       "cannot delete external snapshot '%s': its image '%s' is "
                                       "also the state of another snapshot",
                                       snap->name, base->source);
        qemu_delete_merge(c, base, active, steps, config_disk, ret_changed);
    }
    if (g_strcmp0(c, sdisk->source) != 0 && facts->exists(sdisk->source, facts->opaque) &&
        !qemu_file_needed(facts, snap, sdisk->source))
        qemu_steps_add(steps, QEMU_STEP_UNLINK, sdisk->source, NULL);
    return true;
}

/**
 * qemu_external_plan_delete - the steps of deleting an external snapshot
 * @snap: the snapshot
 * @is_leaf: it has no children (others are refused, as libvirt refuses them)
 * @active: the domain runs: QEMU merges its overlays down (block commit) and the live
 *          config follows each switch, no config step
 * @facts: the domain's config, its snapshots (including @snap), which files exist
 * @ret_steps: commits of the domain's overlays into the images @snap froze and the
 *             config back on those images, then (cleanup) removal of overlays nothing
 *             needs any more (the overlays merged down too, once QEMU left them)
 * @error: VIRT_ERR_OPERATION_UNSUPPORTED saying what to do instead
 *
 * Returns: true with *ret_steps (possibly only cleanup steps, or none).
 */
bool qemu_external_plan_delete(const SnapshotDef *snap, bool is_leaf, bool active,
                               const QemuExternalFacts *facts, QemuSteps **ret_steps,
                               GError **error)
{
    g_autoptr(QemuSteps) steps = qemu_steps_new();
    g_autoptr(DomainDef) config = domain_def_copy(facts->current);
    bool changed = false;

    if (!is_leaf)
        return qemu_external_error(error, VIRT_ERR_OPERATION_UNSUPPORTED,
                                   "deleting external snapshot '%s' that has children is not "
                                   "supported; delete its children first",
                                   snap->name);
    for (guint i = 0; i < snap->disks->len; i++) {
        const SnapshotDiskDef *sdisk = snap->disks->pdata[i];

        if (sdisk->snapshot == SNAPSHOT_LOCATION_EXTERNAL &&
            !qemu_delete_disk(snap, sdisk, active, facts, steps, qemu_def_disk(config, sdisk->name),
                              &changed, error))
            return false;
    }
    if (changed) {
        /* cleanup steps run apart: the config follows the commits */
        QemuStep *step = qemu_steps_add(steps, QEMU_STEP_SET_CONFIG, NULL, NULL);

        step->def = g_steal_pointer(&config);
        step->old_def = domain_def_copy(facts->current);
    }
    *ret_steps = g_steal_pointer(&steps);
    return true;
}
