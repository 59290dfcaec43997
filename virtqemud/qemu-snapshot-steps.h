/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Changes to disk images that must not lose data when a step fails: a plan is an
 * ordered list of steps, each with its undo, run by a small runner that undoes the
 * completed steps in reverse order when one fails. Steps that cannot be undone (a
 * commit into a backing file, deleting a file) are placed so that nothing after them can
 * fail the operation: a commit keeps the overlay intact, and deletions run only as
 * cleanup once the new state is committed (a failed cleanup leaves a file behind and
 * says which, it never undoes the operation).
 *
 * Plans of the external snapshot operations (qemu-snapshot-external.c) are pure: what
 * exists on the host comes in through a callback; the steps are data, carried out by
 * the QemuStepOps the caller gives (the driver's real file and qemu-img operations, or
 * a test's fake file system).
 */

#include <glib.h>
#include <stdbool.h>

#include "conf/domain-def.h"
#include "conf/snapshot-def.h"
#include "util/enum-table.h"

typedef enum QemuStepKind {
    QEMU_STEP_RENAME,         /* @path → @path2; undo: back */
    QEMU_STEP_CREATE_OVERLAY, /* qcow2 @path on backing @path2 (format @format); undo: unlink */
    QEMU_STEP_COMMIT,         /* qemu-img commit @path into its backing; no undo */
    QEMU_STEP_BLOCK_COMMIT,   /* the running QEMU merges its active image @path of disk
                               * @target into the backing @path2 (@format) and switches to
                               * it, the live config following; no undo (QEMU runs on
                               * @path2, @path stays intact) */
    QEMU_STEP_SET_CONFIG,     /* install @def as the domain config; undo: @old_def */
    QEMU_STEP_UNLINK,         /* remove @path; cleanup only */
    _QEMU_STEP_KIND_MAX,
    _QEMU_STEP_KIND_INVALID = -EINVAL,
} QemuStepKind;
ENUM_TABLE_DECLARE(qemu_step_kind, QemuStepKind);

typedef struct QemuStep {
    QemuStepKind kind;
    char *path;
    char *path2;
    char *format;
    char *target; /* BLOCK_COMMIT: the disk (target dev) */
    DomainDef *def;
    DomainDef *old_def;
    bool cleanup; /* runs after the operation is committed; failures only reported */
} QemuStep;

typedef struct QemuStepOps {
    bool (*run)(const QemuStep *step, void *opaque, GError **error);
    bool (*undo)(const QemuStep *step, void *opaque, GError **error);
} QemuStepOps;

typedef struct QemuSteps {
    GPtrArray *steps; /* QemuStep*, main steps first, then cleanup steps */
    guint n_done;     /* main steps done and not undone */
} QemuSteps;

/* lifecycle */
QemuSteps *qemu_steps_new(void);
QemuSteps *qemu_steps_free(QemuSteps *steps);
QemuStep *qemu_steps_add(QemuSteps *steps, QemuStepKind kind, const char *path, const char *path2);

/* queries */
char *qemu_step_describe(const QemuStep *step);
char *qemu_steps_describe(const QemuSteps *steps); /* one line per step, for tests */

/* running: main steps, undone in reverse on failure (undo failures are added to the
 * error); undo_all reverts a successful run when a later part of the operation fails;
 * cleanup runs the cleanup steps, collecting failures as messages */
bool qemu_steps_run(QemuSteps *steps, const QemuStepOps *ops, void *opaque, GError **error);
void qemu_steps_undo_all(QemuSteps *steps, const QemuStepOps *ops, void *opaque, GError **error);
GPtrArray *qemu_steps_cleanup(QemuSteps *steps, const QemuStepOps *ops, void *opaque);

/* ---- external snapshot plans (pure) ---- */

/* @disk reads the image @path of format @format from now on. */
void qemu_disk_set_image(DomainDiskDef *disk, const char *path, const char *format);

/* What the plans need to know about the host and the domain's other snapshots. */
typedef struct QemuExternalFacts {
    const DomainDef *current; /* the domain's config now */
    GPtrArray *snapshots;     /* const SnapshotDef*: every snapshot of the domain */
    bool (*exists)(const char *path, void *opaque);
    void *opaque;
} QemuExternalFacts;

/* Revert to the external snapshot @snap: new overlays on the images it froze, the
 * config switched to them, the overlays of the state left behind removed afterwards. */
bool qemu_external_plan_revert(const SnapshotDef *snap, const QemuExternalFacts *facts,
                               QemuSteps **ret_steps, GError **error);
/* Delete the external snapshot @snap (a leaf): when the domain runs on its overlays,
 * their data is committed into the images it froze and the config switched back (a
 * running domain: by QEMU, block commit); overlays nothing needs any more are removed.
 * @active: the domain runs (facts->current is then its live config). */
bool qemu_external_plan_delete(const SnapshotDef *snap, bool is_leaf, bool active,
                               const QemuExternalFacts *facts, QemuSteps **ret_steps,
                               GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuSteps, qemu_steps_free)
