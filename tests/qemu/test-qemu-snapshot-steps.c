/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Tier: pure (fake file system). The step runner undoes completed steps in reverse
 * when one fails; the plans of reverting to and deleting external snapshots, run
 * against a fake file system with a failure injected at every step in turn, leave the
 * files and the config exactly as they were (delete: the guest's view and config), and
 * when nothing fails end with no overlay left that nothing needs.
 */

#include <string.h>

#include "conf/domain-def.h"
#include "conf/snapshot-def.h"
#include "qemu-snapshot-steps.h"
#include "util/error.h"

/* ---- the fake host ---- */

typedef struct FakeHost {
    GHashTable *files; /* path -> content */
    DomainDef *config;
    int fail_at;      /* the main step (counted from 0) that fails; -1 = none */
    int undo_fail_at; /* the undo (counted from 0) that fails; -1 = none */
    int cleanup_fail; /* cleanup steps fail */
    int runs, undos;
    GString *log;
} FakeHost;

static bool fake_fail(GError **error, const char *what)
{
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED, "injected failure: %s", what);
    return false;
}

static bool fake_need(FakeHost *h, const char *path, bool present, GError **error)
{
    if (g_hash_table_contains(h->files, path) == present)
        return true;
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED, "'%s' %s", path,
                present ? "missing" : "exists");
    return false;
}

static void fake_move(FakeHost *h, const char *from, const char *to)
{
    char *content = g_strdup(g_hash_table_lookup(h->files, from));

    g_hash_table_remove(h->files, from);
    g_hash_table_insert(h->files, g_strdup(to), content);
}

/* @step->path's data merged into its backing file @step->path2 */
static bool fake_merge(FakeHost *h, const QemuStep *step, GError **error)
{
    if (!fake_need(h, step->path, true, error) || !fake_need(h, step->path2, true, error))
        return false;
    g_hash_table_insert(h->files, g_strdup(step->path2),
                        g_strdup_printf("%s + %s",
                                        (char *)g_hash_table_lookup(h->files, step->path2),
                                        (char *)g_hash_table_lookup(h->files, step->path)));
    return true;
}

static bool fake_run(const QemuStep *step, void *opaque, GError **error)
{
    FakeHost *h = opaque;
    g_autofree char *what = qemu_step_describe(step);

    g_string_append_printf(h->log, "run %s\n", what);
    if (step->cleanup ? h->cleanup_fail : h->runs++ == h->fail_at)
        return fake_fail(error, what);
    switch (step->kind) {
    case QEMU_STEP_RENAME:
        if (!fake_need(h, step->path, true, error) || !fake_need(h, step->path2, false, error))
            return false;
        fake_move(h, step->path, step->path2);
        return true;
    case QEMU_STEP_CREATE_OVERLAY:
        if (!fake_need(h, step->path, false, error) || !fake_need(h, step->path2, true, error))
            return false;
        g_hash_table_insert(h->files, g_strdup(step->path),
                            g_strdup_printf("overlay on %s", step->path2));
        return true;
    case QEMU_STEP_COMMIT:
        return fake_merge(h, step, error);
    case QEMU_STEP_BLOCK_COMMIT:
        /* QEMU merged and switched: the live config follows in the same step */
        if (!fake_merge(h, step, error))
            return false;
        for (guint i = 0; i < h->config->disks->len; i++) {
            DomainDiskDef *disk = h->config->disks->pdata[i];

            if (g_strcmp0(disk->target_dev, step->target) == 0)
                qemu_disk_set_image(disk, step->path2, step->format);
        }
        return true;
    case QEMU_STEP_SET_CONFIG:
        domain_def_free(h->config);
        h->config = domain_def_copy(step->def);
        return true;
    case QEMU_STEP_UNLINK:
        if (!fake_need(h, step->path, true, error))
            return false;
        g_hash_table_remove(h->files, step->path);
        return true;
    case _QEMU_STEP_KIND_MAX:
    case _QEMU_STEP_KIND_INVALID:
        break;
    }
    return fake_fail(error, "unknown step");
}

static bool fake_undo(const QemuStep *step, void *opaque, GError **error)
{
    FakeHost *h = opaque;
    g_autofree char *what = qemu_step_describe(step);

    g_string_append_printf(h->log, "undo %s\n", what);
    if (h->undos++ == h->undo_fail_at)
        return fake_fail(error, what);
    switch (step->kind) {
    case QEMU_STEP_RENAME:
        fake_move(h, step->path2, step->path);
        return true;
    case QEMU_STEP_CREATE_OVERLAY:
        g_hash_table_remove(h->files, step->path);
        return true;
    case QEMU_STEP_SET_CONFIG:
        domain_def_free(h->config);
        h->config = domain_def_copy(step->old_def);
        return true;
    case QEMU_STEP_COMMIT:
    case QEMU_STEP_BLOCK_COMMIT:
    case QEMU_STEP_UNLINK:
    case _QEMU_STEP_KIND_MAX:
    case _QEMU_STEP_KIND_INVALID:
        break;
    }
    return fake_fail(error, "cannot undo");
}

static const QemuStepOps fake_ops = { fake_run, fake_undo };

static bool fake_exists(const char *path, void *opaque)
{
    return g_hash_table_contains(((FakeHost *)opaque)->files, path);
}

static char *fake_state(FakeHost *h)
{
    g_autoptr(GList) keys = g_list_sort(g_hash_table_get_keys(h->files), (GCompareFunc)strcmp);
    GString *s = g_string_new(NULL);

    for (GList *l = keys; l; l = l->next)
        g_string_append_printf(s, "%s: %s\n", (char *)l->data,
                               (char *)g_hash_table_lookup(h->files, l->data));
    for (guint i = 0; i < h->config->disks->len; i++) {
        const DomainDiskDef *disk = h->config->disks->pdata[i];

        g_string_append_printf(s, "config %s=%s (%s)\n", disk->target_dev, disk->source,
                               disk->driver_type);
    }
    return g_string_free(s, FALSE);
}

/* ---- domains and snapshots ---- */

static DomainDef *make_dom(const char *source, const char *format)
{
    g_autofree char *xml = g_strdup_printf(
        "<domain type='qemu'><name>web1</name><memory>131072</memory><os><type>hvm</type>"
        "</os><devices><disk type='file' device='disk'><driver name='qemu' type='%s'/>"
        "<source file='%s'/><target dev='vda' bus='virtio'/></disk></devices></domain>",
        format, source);
    g_autoptr(GError) error = NULL;
    DomainDef *def = domain_def_parse_full(xml, 0, NULL, &error);

    g_assert_no_error(error);
    return def;
}

/* An external snapshot that froze @base (format @format) and moved vda onto @overlay. */
static SnapshotDef *make_snap(const char *name, const char *base, const char *format,
                              const char *overlay)
{
    SnapshotDef *def = snapshot_def_new();
    SnapshotDiskDef *disk = snapshot_disk_def_new();

    def->name = g_strdup(name);
    def->state = SNAPSHOT_STATE_DISK_SNAPSHOT;
    def->memory = SNAPSHOT_LOCATION_NO;
    def->dom = make_dom(base, format);
    disk->name = g_strdup("vda");
    disk->snapshot = SNAPSHOT_LOCATION_EXTERNAL;
    disk->source = g_strdup(overlay);
    disk->driver_type = g_strdup("qcow2");
    g_ptr_array_add(def->disks, disk);
    return def;
}

typedef struct Scenario {
    GHashTable *files;
    DomainDef *config;
    GPtrArray *snaps; /* SnapshotDef* */
} Scenario;

static void scenario_free(Scenario *sc)
{
    g_hash_table_unref(sc->files);
    domain_def_free(sc->config);
    g_ptr_array_unref(sc->snaps);
    g_free(sc);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Scenario, scenario_free)

static void snap_free_notify(gpointer def)
{
    snapshot_def_free(def);
}

/* a.qcow2 (the user's image), s1 froze it (overlay a.s1), s2 froze a.s1 (overlay
 * a.s2); the domain runs on @current. */
static Scenario *scenario_chain(const char *current, bool with_s2)
{
    Scenario *sc = g_new0(Scenario, 1);

    sc->files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    sc->snaps = g_ptr_array_new_with_free_func(snap_free_notify);
    g_hash_table_insert(sc->files, g_strdup("/i/a.qcow2"), g_strdup("user data"));
    g_hash_table_insert(sc->files, g_strdup("/i/a.s1"), g_strdup("after s1"));
    g_ptr_array_add(sc->snaps, make_snap("s1", "/i/a.qcow2", "qcow2", "/i/a.s1"));
    if (with_s2) {
        g_hash_table_insert(sc->files, g_strdup("/i/a.s2"), g_strdup("after s2"));
        g_ptr_array_add(sc->snaps, make_snap("s2", "/i/a.s1", "qcow2", "/i/a.s2"));
    }
    if (!g_hash_table_contains(sc->files, current))
        g_hash_table_insert(sc->files, g_strdup(current), g_strdup("current"));
    sc->config = make_dom(current, "qcow2");
    return sc;
}

static FakeHost *host_new(const Scenario *sc, int fail_at)
{
    FakeHost *h = g_new0(FakeHost, 1);
    GHashTableIter it;
    gpointer k, v;

    h->files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_hash_table_iter_init(&it, sc->files);
    while (g_hash_table_iter_next(&it, &k, &v))
        g_hash_table_insert(h->files, g_strdup(k), g_strdup(v));
    h->config = domain_def_copy(sc->config);
    h->fail_at = fail_at;
    h->undo_fail_at = -1;
    h->log = g_string_new(NULL);
    return h;
}

static void host_free(FakeHost *h)
{
    g_hash_table_unref(h->files);
    domain_def_free(h->config);
    g_string_free(h->log, TRUE);
    g_free(h);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(FakeHost, host_free)

typedef enum { OP_REVERT, OP_DELETE } Op;

static QemuSteps *plan_op(const Scenario *sc, Op op, const char *snap, FakeHost *h)
{
    QemuExternalFacts facts = { sc->config, sc->snaps, fake_exists, h };
    g_autoptr(GError) error = NULL;
    QemuSteps *steps = NULL;
    const SnapshotDef *def = NULL;

    for (guint i = 0; i < sc->snaps->len; i++) {
        if (g_str_equal(((SnapshotDef *)sc->snaps->pdata[i])->name, snap))
            def = sc->snaps->pdata[i];
    }
    g_assert_nonnull(def);
    if (op == OP_REVERT)
        g_assert_true(qemu_external_plan_revert(def, &facts, &steps, &error));
    else
        g_assert_true(qemu_external_plan_delete(def, true, false, &facts, &steps, &error));
    g_assert_no_error(error);
    return steps;
}

static guint count_main(const QemuSteps *steps)
{
    guint n = 0;

    for (guint i = 0; i < steps->steps->len; i++)
        n += !((QemuStep *)steps->steps->pdata[i])->cleanup;
    return n;
}

/* Run @op with a failure at every main step in turn: the host must be as before
 * (a delete's commit cannot be undone, so there: the overlays and the config). Then
 * without failure: the host must be @expected and the plan @expected_plan. */
static void check_op(const Scenario *sc, Op op, const char *snap, const char *expected_plan,
                     const char *expected)
{
    g_autoptr(FakeHost) h0 = host_new(sc, -1);
    g_autofree char *before = fake_state(h0);
    g_autoptr(QemuSteps) steps = plan_op(sc, op, snap, h0);
    g_autofree char *described = qemu_steps_describe(steps);
    g_autoptr(GPtrArray) problems = NULL;
    g_autofree char *after = NULL;

    g_assert_cmpstr(described, ==, expected_plan);
    for (guint k = 0; k < count_main(steps); k++) {
        g_autoptr(FakeHost) h = host_new(sc, (int)k);
        g_autoptr(GError) error = NULL;
        g_autofree char *state = NULL;

        g_assert_false(qemu_steps_run(steps, &fake_ops, h, &error));
        g_assert_nonnull(strstr(error->message, "injected failure"));
        g_assert_null(strstr(error->message, "undoing"));
        state = fake_state(h);
        if (op == OP_REVERT || k == 0) {
            g_assert_cmpstr(state, ==, before);
        } else {
            /* commits done: the frozen image changed, the guest's overlay and the
             * config did not */
            const char *cur = ((DomainDiskDef *)sc->config->disks->pdata[0])->source;

            g_assert_cmpstr(g_hash_table_lookup(h->files, cur), ==,
                            g_hash_table_lookup(sc->files, cur));
            g_assert_cmpstr(((DomainDiskDef *)h->config->disks->pdata[0])->source, ==, cur);
        }
    }
    g_assert_true(qemu_steps_run(steps, &fake_ops, h0, NULL));
    problems = qemu_steps_cleanup(steps, &fake_ops, h0);
    g_assert_cmpuint(problems->len, ==, 0);
    after = fake_state(h0);
    g_assert_cmpstr(after, ==, expected);
}

static void test_revert_fresh(void)
{
    g_autoptr(Scenario) sc = scenario_chain("/i/a.s1", false);

    check_op(sc, OP_REVERT, "s1",
             "rename '/i/a.s1' to '/i/a.s1.virtkit-discard'\n"
             "create overlay '/i/a.s1' on '/i/a.qcow2' (qcow2)\n"
             "set config: vda=/i/a.s1(qcow2)\n"
             "cleanup: remove '/i/a.s1.virtkit-discard'\n",
             "/i/a.qcow2: user data\n"
             "/i/a.s1: overlay on /i/a.qcow2\n"
             "config vda=/i/a.s1 (qcow2)\n");
}

/* s2 needs a.s1 (it froze it): the revert to s1 takes a.s1.1 and drops a.s2 */
static void test_revert_chain(void)
{
    g_autoptr(Scenario) sc = scenario_chain("/i/a.s2", true);

    check_op(sc, OP_REVERT, "s1",
             "rename '/i/a.s2' to '/i/a.s2.virtkit-discard'\n"
             "create overlay '/i/a.s1.1' on '/i/a.qcow2' (qcow2)\n"
             "set config: vda=/i/a.s1.1(qcow2)\n"
             "cleanup: remove '/i/a.s2.virtkit-discard'\n",
             "/i/a.qcow2: user data\n"
             "/i/a.s1: after s1\n"
             "/i/a.s1.1: overlay on /i/a.qcow2\n"
             "config vda=/i/a.s1.1 (qcow2)\n");
}

/* back to s2 from the revert overlay a.s1.1: that one goes, a.s2 is created again */
static void test_revert_back(void)
{
    g_autoptr(Scenario) sc = scenario_chain("/i/a.s1.1", true);

    g_hash_table_remove(sc->files, "/i/a.s2");
    check_op(sc, OP_REVERT, "s2",
             "rename '/i/a.s1.1' to '/i/a.s1.1.virtkit-discard'\n"
             "create overlay '/i/a.s2' on '/i/a.s1' (qcow2)\n"
             "set config: vda=/i/a.s2(qcow2)\n"
             "cleanup: remove '/i/a.s1.1.virtkit-discard'\n",
             "/i/a.qcow2: user data\n"
             "/i/a.s1: after s1\n"
             "/i/a.s2: overlay on /i/a.s1\n"
             "config vda=/i/a.s2 (qcow2)\n");
}

/* an image the user put in the config is never removed; a.s1 exists, so a.s1.1 */
static void test_revert_user_image(void)
{
    g_autoptr(Scenario) sc = scenario_chain("/srv/own.qcow2", false);

    check_op(sc, OP_REVERT, "s1",
             "create overlay '/i/a.s1.1' on '/i/a.qcow2' (qcow2)\n"
             "set config: vda=/i/a.s1.1(qcow2)\n",
             "/i/a.qcow2: user data\n"
             "/i/a.s1: after s1\n"
             "/i/a.s1.1: overlay on /i/a.qcow2\n"
             "/srv/own.qcow2: current\n"
             "config vda=/i/a.s1.1 (qcow2)\n");
}

/* the guest runs on s2's overlay: merged into a.s1, which becomes the disk again */
static void test_delete_active_chain(void)
{
    g_autoptr(Scenario) sc = scenario_chain("/i/a.s2", true);

    check_op(sc, OP_DELETE, "s2",
             "commit '/i/a.s2' into its backing file\n"
             "cleanup: remove '/i/a.s2'\n"
             "set config: vda=/i/a.s1(qcow2)\n",
             "/i/a.qcow2: user data\n"
             "/i/a.s1: after s1 + after s2\n"
             "config vda=/i/a.s1 (qcow2)\n");
}

/* a revert overlay of s1 is merged into the user's image when s1 goes */
static void test_delete_revert_overlay(void)
{
    g_autoptr(Scenario) sc = scenario_chain("/i/a.s1.1", false);

    check_op(sc, OP_DELETE, "s1",
             "commit '/i/a.s1.1' into its backing file\n"
             "cleanup: remove '/i/a.s1.1'\n"
             "cleanup: remove '/i/a.s1'\n"
             "set config: vda=/i/a.qcow2(qcow2)\n",
             "/i/a.qcow2: user data + current\n"
             "config vda=/i/a.qcow2 (qcow2)\n");
}

/* s2 is not what the guest runs on: only its overlay, which nothing needs, goes */
static void test_delete_inactive_branch(void)
{
    g_autoptr(Scenario) sc = scenario_chain("/i/a.s1.1", true);

    check_op(sc, OP_DELETE, "s2", "cleanup: remove '/i/a.s2'\n",
             "/i/a.qcow2: user data\n"
             "/i/a.s1: after s1\n"
             "/i/a.s1.1: current\n"
             "config vda=/i/a.s1.1 (qcow2)\n");
}

static void test_delete_refused(void)
{
    g_autoptr(Scenario) sc = scenario_chain("/i/a.s2", true);
    g_autoptr(FakeHost) h = host_new(sc, -1);
    QemuExternalFacts facts = { sc->config, sc->snaps, fake_exists, h };
    g_autoptr(GError) error = NULL;
    QemuSteps *steps = NULL;

    g_assert_false(
        qemu_external_plan_delete(sc->snaps->pdata[0], false, false, &facts, &steps, &error));
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_UNSUPPORTED);
    g_assert_nonnull(strstr(error->message, "'s1' that has children"));
    g_assert_null(steps);
}

/* the running guest is on s2's overlay: QEMU merges it into a.s1 and switches (the
 * config follows in that step); the overlay goes once the snapshot is gone. A failed
 * commit changes nothing (QEMU still runs on the overlay). */
static void test_delete_live(void)
{
    g_autoptr(Scenario) sc = scenario_chain("/i/a.s2", true);
    g_autoptr(FakeHost) h = host_new(sc, -1);
    g_autoptr(FakeHost) failing = host_new(sc, 0);
    g_autofree char *before = fake_state(failing);
    QemuExternalFacts facts = { sc->config, sc->snaps, fake_exists, h };
    g_autoptr(QemuSteps) steps = NULL;
    g_autoptr(GPtrArray) problems = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *described = NULL;
    g_autofree char *state = NULL;

    g_assert_true(
        qemu_external_plan_delete(sc->snaps->pdata[1], true, true, &facts, &steps, &error));
    described = qemu_steps_describe(steps);
    g_assert_cmpstr(described, ==,
                    "live commit of disk 'vda': '/i/a.s2' into '/i/a.s1' (qcow2)\n"
                    "cleanup: remove '/i/a.s2'\n");
    g_assert_false(qemu_steps_run(steps, &fake_ops, failing, &error));
    g_assert_nonnull(strstr(error->message, "injected failure"));
    state = fake_state(failing);
    g_assert_cmpstr(state, ==, before);
    g_free(state);
    g_assert_true(qemu_steps_run(steps, &fake_ops, h, NULL));
    problems = qemu_steps_cleanup(steps, &fake_ops, h);
    g_assert_cmpuint(problems->len, ==, 0);
    state = fake_state(h);
    g_assert_cmpstr(state, ==,
                    "/i/a.qcow2: user data\n"
                    "/i/a.s1: after s1 + after s2\n"
                    "config vda=/i/a.s1 (qcow2)\n");
}

static void test_revert_leftover(void)
{
    g_autoptr(Scenario) sc = scenario_chain("/i/a.s1", false);
    g_autoptr(FakeHost) h = host_new(sc, -1);
    QemuExternalFacts facts = { sc->config, sc->snaps, fake_exists, h };
    g_autoptr(GError) error = NULL;
    QemuSteps *steps = NULL;
    SnapshotDef *nodom = sc->snaps->pdata[0];

    g_hash_table_insert(h->files, g_strdup("/i/a.s1.virtkit-discard"), g_strdup("old"));
    g_assert_false(qemu_external_plan_revert(sc->snaps->pdata[0], &facts, &steps, &error));
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED);
    g_assert_nonnull(strstr(error->message, "a.s1.virtkit-discard"));
    g_clear_error(&error);
    g_clear_pointer(&nodom->dom, domain_def_free);
    g_assert_false(qemu_external_plan_revert(nodom, &facts, &steps, &error));
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_SNAPSHOT_REVERT_RISKY);
    g_assert_null(steps);
}

/* ---- the runner alone ---- */

static QemuSteps *three_renames(void)
{
    QemuSteps *steps = qemu_steps_new();

    qemu_steps_add(steps, QEMU_STEP_RENAME, "/a", "/a2");
    qemu_steps_add(steps, QEMU_STEP_RENAME, "/b", "/b2");
    qemu_steps_add(steps, QEMU_STEP_UNLINK, "/c", NULL);
    qemu_steps_add(steps, QEMU_STEP_RENAME, "/d", "/d2");
    return steps;
}

static void test_runner_order(void)
{
    g_autoptr(Scenario) sc = scenario_chain("/i/a.s1", false);
    g_autoptr(FakeHost) h = host_new(sc, 2);
    g_autoptr(QemuSteps) steps = three_renames();
    g_autoptr(GError) error = NULL;

    for (const char *const *p = (const char *const[]){ "/a", "/b", "/c", "/d", NULL }; *p; p++)
        g_hash_table_insert(h->files, g_strdup(*p), g_strdup("x"));
    g_assert_false(qemu_steps_run(steps, &fake_ops, h, &error));
    g_assert_cmpstr(h->log->str, ==,
                    "run rename '/a' to '/a2'\n"
                    "run rename '/b' to '/b2'\n"
                    "run rename '/d' to '/d2'\n"
                    "undo rename '/b' to '/b2'\n"
                    "undo rename '/a' to '/a2'\n");
    g_assert_true(g_hash_table_contains(h->files, "/a"));
    g_assert_true(g_hash_table_contains(h->files, "/c"));
}

static void test_runner_undo_fails(void)
{
    g_autoptr(Scenario) sc = scenario_chain("/i/a.s1", false);
    g_autoptr(FakeHost) h = host_new(sc, 2);
    g_autoptr(QemuSteps) steps = three_renames();
    g_autoptr(GError) error = NULL;

    for (const char *const *p = (const char *const[]){ "/a", "/b", "/c", "/d", NULL }; *p; p++)
        g_hash_table_insert(h->files, g_strdup(*p), g_strdup("x"));
    h->undo_fail_at = 0;
    g_assert_false(qemu_steps_run(steps, &fake_ops, h, &error));
    g_assert_cmpstr(error->message, ==,
                    "injected failure: rename '/d' to '/d2'; undoing 'rename '/b' to '/b2'' "
                    "also failed: injected failure: rename '/b' to '/b2'");
    /* the other undo still ran */
    g_assert_true(g_hash_table_contains(h->files, "/a"));
}

static void test_runner_cleanup(void)
{
    g_autoptr(Scenario) sc = scenario_chain("/i/a.s1", false);
    g_autoptr(FakeHost) h = host_new(sc, -1);
    g_autoptr(QemuSteps) steps = three_renames();
    g_autoptr(GPtrArray) problems = NULL;
    g_autoptr(GError) error = NULL;

    for (const char *const *p = (const char *const[]){ "/a", "/b", "/c", "/d", NULL }; *p; p++)
        g_hash_table_insert(h->files, g_strdup(*p), g_strdup("x"));
    g_assert_true(qemu_steps_run(steps, &fake_ops, h, &error));
    g_assert_null(strstr(h->log->str, "/c"));
    /* a later part of the operation failed: everything goes back */
    qemu_steps_undo_all(steps, &fake_ops, h, &error);
    g_assert_no_error(error);
    g_assert_true(g_hash_table_contains(h->files, "/d"));
    g_assert_true(qemu_steps_run(steps, &fake_ops, h, &error));
    h->cleanup_fail = 1;
    problems = qemu_steps_cleanup(steps, &fake_ops, h);
    g_assert_cmpuint(problems->len, ==, 1);
    g_assert_cmpstr(problems->pdata[0], ==, "injected failure: remove '/c'");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemu/snapshot-steps/runner/order", test_runner_order);
    g_test_add_func("/qemu/snapshot-steps/runner/undo-fails", test_runner_undo_fails);
    g_test_add_func("/qemu/snapshot-steps/runner/cleanup", test_runner_cleanup);
    g_test_add_func("/qemu/snapshot-steps/revert/fresh", test_revert_fresh);
    g_test_add_func("/qemu/snapshot-steps/revert/chain", test_revert_chain);
    g_test_add_func("/qemu/snapshot-steps/revert/back", test_revert_back);
    g_test_add_func("/qemu/snapshot-steps/revert/user-image", test_revert_user_image);
    g_test_add_func("/qemu/snapshot-steps/revert/leftover", test_revert_leftover);
    g_test_add_func("/qemu/snapshot-steps/delete/active-chain", test_delete_active_chain);
    g_test_add_func("/qemu/snapshot-steps/delete/revert-overlay", test_delete_revert_overlay);
    g_test_add_func("/qemu/snapshot-steps/delete/inactive-branch", test_delete_inactive_branch);
    g_test_add_func("/qemu/snapshot-steps/delete/live", test_delete_live);
    g_test_add_func("/qemu/snapshot-steps/delete/refused", test_delete_refused);
    return g_test_run();
}
