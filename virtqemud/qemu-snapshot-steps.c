/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The step runner: main steps in order, undone in reverse when one fails; cleanup steps
 * only once the operation has committed. */

#include "qemu-snapshot-steps.h"
#include "util/error.h"

ENUM_TABLE_DEFINE(qemu_step_kind, QemuStepKind, _QEMU_STEP_KIND_MAX, "rename", "create-overlay",
                  "commit", "block-commit", "set-config", "unlink");

static void qemu_step_free(gpointer data)
{
    QemuStep *step = data;

    g_free(step->path);
    g_free(step->path2);
    g_free(step->format);
    g_free(step->target);
    domain_def_free(step->def);
    domain_def_free(step->old_def);
    g_free(step);
}

QemuSteps *qemu_steps_new(void)
{
    QemuSteps *steps = g_new0(QemuSteps, 1);

    steps->steps = g_ptr_array_new_with_free_func(qemu_step_free);
    return steps;
}

QemuSteps *qemu_steps_free(QemuSteps *steps)
{
    if (!steps)
        return NULL;
    g_ptr_array_unref(steps->steps);
    g_free(steps);
    return NULL;
}

/**
 * qemu_disk_set_image: point @disk at the image @path of format @format (a config
 * following an overlay or a commit).
 */
void qemu_disk_set_image(DomainDiskDef *disk, const char *path, const char *format)
{
    g_free(disk->source);
    disk->source = g_strdup(path);
    g_free(disk->driver_type);
    disk->driver_type = g_strdup(format);
}

/**
 * qemu_steps_add: append a step; unlink steps are always cleanup steps.
 */
QemuStep *qemu_steps_add(QemuSteps *steps, QemuStepKind kind, const char *path, const char *path2)
{
    QemuStep *step = g_new0(QemuStep, 1);

    step->kind = kind;
    step->path = g_strdup(path);
    step->path2 = g_strdup(path2);
    step->cleanup = kind == QEMU_STEP_UNLINK;
    g_ptr_array_add(steps->steps, step);
    return step;
}

/**
 * qemu_step_describe: "rename '/a' to '/b'", for messages and tests.
 */
char *qemu_step_describe(const QemuStep *step)
{
    switch (step->kind) {
    case QEMU_STEP_RENAME:
        return g_strdup_printf("rename '%s' to '%s'", step->path, step->path2);
    case QEMU_STEP_CREATE_OVERLAY:
        return g_strdup_printf("create overlay '%s' on '%s' (%s)", step->path, step->path2,
                               step->format);
    case QEMU_STEP_COMMIT:
        return g_strdup_printf("commit '%s' into its backing file", step->path);
    case QEMU_STEP_BLOCK_COMMIT:
        return g_strdup_printf("live commit of disk '%s': '%s' into '%s' (%s)", step->target,
                               step->path, step->path2, step->format);
    case QEMU_STEP_SET_CONFIG: {
        g_autoptr(GString) s = g_string_new("set config:");

        for (guint i = 0; step->def && i < step->def->disks->len; i++) {
            const DomainDiskDef *disk = step->def->disks->pdata[i];

            g_string_append_printf(s, " %s=%s(%s)", disk->target_dev,
                                   disk->source ? disk->source : "-",
                                   disk->driver_type ? disk->driver_type : "raw");
        }
        return g_string_free(g_steal_pointer(&s), FALSE);
    }
    case QEMU_STEP_UNLINK:
        return g_strdup_printf("remove '%s'", step->path);
    case _QEMU_STEP_KIND_MAX:
    case _QEMU_STEP_KIND_INVALID:
        break;
    }
    return g_strdup("?");
}

char *qemu_steps_describe(const QemuSteps *steps)
{
    g_autoptr(GString) s = g_string_new(NULL);

    for (guint i = 0; i < steps->steps->len; i++) {
        const QemuStep *step = steps->steps->pdata[i];
        g_autofree char *what = qemu_step_describe(step);

        g_string_append_printf(s, "%s%s\n", step->cleanup ? "cleanup: " : "", what);
    }
    return g_string_free(g_steal_pointer(&s), FALSE);
}

/* Undo the first @n main steps in reverse; failures are appended to @msg. */
static void qemu_steps_undo_n(QemuSteps *steps, guint n, const QemuStepOps *ops, void *opaque,
                              GString *msg)
{
    for (guint i = n; i-- > 0;) {
        const QemuStep *step = steps->steps->pdata[i];
        g_autoptr(GError) err = NULL;

        if (step->cleanup || step->kind == QEMU_STEP_COMMIT || step->kind == QEMU_STEP_BLOCK_COMMIT)
            continue; /* a commit leaves the overlay's view intact: nothing to undo */
        if (!ops->undo(step, opaque, &err)) {
            g_autofree char *what = qemu_step_describe(step);

            g_string_append_printf(msg, "; undoing '%s' also failed: %s", what, err->message);
        }
    }
}

/**
 * qemu_steps_run - run the main steps in order
 * @steps: the plan
 * @ops: how steps are carried out and undone
 * @opaque: for @ops
 * @error: the failing step's error, plus every undo that failed too
 *
 * When a step fails, the steps done before it are undone in reverse order, so the host
 * is as it was before the call.
 *
 * Returns: true when every main step succeeded.
 */
bool qemu_steps_run(QemuSteps *steps, const QemuStepOps *ops, void *opaque, GError **error)
{
    steps->n_done = 0;
    for (guint i = 0; i < steps->steps->len; i++) {
        const QemuStep *step = steps->steps->pdata[i];
        g_autoptr(GError) err = NULL;
        g_autoptr(GString) msg = NULL;

        if (step->cleanup)
            continue;
        if (ops->run(step, opaque, &err)) {
            steps->n_done = i + 1;
            continue;
        }
        msg = g_string_new(err->message);
        qemu_steps_undo_n(steps, i, ops, opaque, msg);
        steps->n_done = 0;
        g_set_error_literal(error, err->domain, err->code, msg->str);
        return false;
    }
    return true;
}

/**
 * qemu_steps_undo_all: undo a successful run (a later part of the operation failed);
 * undo failures are reported in @error, if given.
 */
void qemu_steps_undo_all(QemuSteps *steps, const QemuStepOps *ops, void *opaque, GError **error)
{
    g_autoptr(GString) msg = g_string_new(NULL);

    qemu_steps_undo_n(steps, steps->n_done, ops, opaque, msg);
    steps->n_done = 0;
    if (msg->len)
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED, "rollback incomplete%s",
                    msg->str);
}

/**
 * qemu_steps_cleanup: run the cleanup steps of a committed operation.
 *
 * Returns: (transfer full): char* messages of the ones that failed (files left behind).
 */
GPtrArray *qemu_steps_cleanup(QemuSteps *steps, const QemuStepOps *ops, void *opaque)
{
    GPtrArray *problems = g_ptr_array_new_with_free_func(g_free);

    for (guint i = 0; i < steps->steps->len; i++) {
        const QemuStep *step = steps->steps->pdata[i];
        g_autoptr(GError) err = NULL;

        if (step->cleanup && !ops->run(step, opaque, &err))
            g_ptr_array_add(problems, g_strdup(err->message));
    }
    return problems;
}
