/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Tier: golden (pure). Snapshot plans of the QEMU driver: data/snapshot/<domain>.xml and
 * <snap>.snap.xml, with the domain running, paused or shut off and the create flags of
 * each case below, give <case>.plan (per-disk plan, the qemu-img argv or QMP commands,
 * the aligned snapshot XML, the new config of an external snapshot) or <case>.err.
 * Also: job outcomes from the recorded snapshot jobs of QEMU 7.2, block node replies,
 * and libvirt's default overlay names.
 */

#include "conf/domain-def.h"
#include "qemu-command.h"
#include "qemu-snapshot.h"
#include "qemu-test-util.h"
#include "util/error.h"

#define QEMU_IMG "/usr/bin/qemu-img"

enum { SHUTOFF, RUNNING, PAUSED };

typedef struct SnapCase {
    const char *name;
    const char *dom;
    const char *snap;
    int state;
    unsigned int flags;
} SnapCase;

#define DISK_ONLY QEMU_SNAPSHOT_CREATE_DISK_ONLY

static const SnapCase cases[] = {
    { "internal-running", "dom-qcow2", "plain", RUNNING, 0 },
    { "internal-paused", "dom-qcow2", "plain", PAUSED, 0 },
    { "internal-shutoff", "dom-qcow2", "plain", SHUTOFF, 0 },
    { "internal-exclude-raw", "dom-raw", "exclude-vdb", RUNNING, 0 },
    { "internal-nodisk-shutoff", "dom-nodisk", "plain", SHUTOFF, 0 },
    { "external-shutoff", "dom-qcow2", "plain", SHUTOFF, DISK_ONLY },
    { "external-running", "dom-qcow2", "plain", RUNNING, DISK_ONLY },
    { "external-given-file", "dom-qcow2", "given-file", RUNNING, DISK_ONLY },
    { "external-raw-base", "dom-raw", "plain", SHUTOFF, DISK_ONLY },
    { "external-names", "dom-names", "plain", SHUTOFF, DISK_ONLY },
    { "error-internal-raw", "dom-raw", "plain", RUNNING, 0 },
    { "error-internal-raw-shutoff", "dom-raw", "plain", SHUTOFF, 0 },
    { "error-memory-no-running", "dom-qcow2", "memory-no", RUNNING, 0 },
    { "error-memory-external", "dom-qcow2", "memory-external", RUNNING, 0 },
    { "error-memory-internal-shutoff", "dom-qcow2", "memory-internal", SHUTOFF, 0 },
    { "error-memory-shutoff", "dom-qcow2", "memory-external", SHUTOFF, DISK_ONLY },
    { "error-mixed", "dom-qcow2", "mixed", SHUTOFF, 0 },
    { "error-external-not-disk-only", "dom-qcow2", "given-file", RUNNING, 0 },
    { "error-collision", "dom-qcow2", "collision", SHUTOFF, DISK_ONLY },
    { "error-onto-other-disk", "dom-qcow2", "onto-other-disk", SHUTOFF, DISK_ONLY },
    { "error-disk-only-no-disks", "dom-qcow2", "no-disks", SHUTOFF, DISK_ONLY },
    { "error-overlay-raw", "dom-qcow2", "overlay-raw", SHUTOFF, DISK_ONLY },
    { "error-unknown-disk", "dom-qcow2", "unknown-disk", RUNNING, 0 },
    { "error-nodisk-running", "dom-nodisk", "plain", RUNNING, 0 },
    { "error-quiesce", "dom-qcow2", "plain", RUNNING, DISK_ONLY | QEMU_SNAPSHOT_CREATE_QUIESCE },
    { "error-reuse-ext", "dom-qcow2", "plain", RUNNING,
      DISK_ONLY | QEMU_SNAPSHOT_CREATE_REUSE_EXT },
    { "error-live", "dom-qcow2", "plain", RUNNING, QEMU_SNAPSHOT_CREATE_LIVE },
};

static QemuCaps *test_caps;
static GHashTable *used;

static DomainDef *load_domain(const char *name)
{
    g_autofree char *dir = test_data_dir("qemu", "snapshot");
    g_autofree char *file = g_strdup_printf("%s.xml", name);
    g_autofree char *path = g_build_filename(dir, file, NULL);
    g_autofree char *xml = test_read(path);
    DomainPostParseOps ops = qemu_post_parse_ops(test_caps);
    g_autoptr(GError) error = NULL;
    DomainDef *def = domain_def_parse_full(xml, 0, &ops, &error);

    g_assert_no_error(error);
    test_mark_used(used, file);
    return def;
}

static void append_command(GString *out, QemuMonitorCommand *cmd)
{
    g_autofree char *line = qemu_monitor_command_format(cmd, 1);

    g_strchomp(line);
    g_string_append_printf(out, "%s\n", line);
    qemu_monitor_command_free(cmd);
}

static void append_argv(GString *out, Command *cmd)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *line = command_to_string(cmd, &error);

    g_assert_no_error(error);
    g_string_append_printf(out, "%s\n", line);
    command_free(cmd);
}

static void append_commands(GString *out, QemuSnapshotPlan *plan, const SnapshotDef *def, int state)
{
    g_string_append(out, "--- commands\n");
    if (!plan->external && state != SHUTOFF) {
        append_command(out, qemu_snapshot_cmd_internal(plan, "save", def->name));
        return;
    }
    if (plan->external && state != SHUTOFF)
        qemu_snapshot_plan_name_nodes(plan, 7);
    for (guint i = 0; i < plan->disks->len; i++) {
        QemuSnapshotDisk *disk = plan->disks->pdata[i];

        if (!plan->external) {
            append_argv(out, qemu_snapshot_img_snapshot(QEMU_IMG, 'c', def->name, disk->source));
        } else if (state == SHUTOFF) {
            append_argv(out, qemu_snapshot_img_create_overlay(QEMU_IMG, disk->overlay, disk->source,
                                                              disk->format, 0));
        } else {
            g_autoptr(GPtrArray) cmds = qemu_snapshot_live_external_commands(disk);

            append_argv(out, qemu_snapshot_img_create_overlay(QEMU_IMG, disk->overlay, disk->source,
                                                              disk->format, 10737418240));
            for (guint j = 0; j < cmds->len; j++) {
                g_autofree char *line = qemu_monitor_command_format(cmds->pdata[j], 1);

                g_string_append(out, g_strchomp(line));
                g_string_append_c(out, '\n');
            }
        }
    }
}

static char *describe_plan(QemuSnapshotPlan *plan, const SnapshotDef *def, const DomainDef *dom,
                           int state)
{
    GString *out = g_string_new(NULL);
    g_autofree char *xml = NULL;

    g_string_append_printf(out, "plan: %s%s%s\n", plan->external ? "external" : "internal",
                           plan->with_memory ? ", memory to " : "",
                           plan->with_memory ? plan->vmstate_node : "");
    for (guint i = 0; i < plan->disks->len; i++) {
        const QemuSnapshotDisk *disk = plan->disks->pdata[i];

        g_string_append_printf(out, "disk %s: %s of %s (%s, node %s)%s%s\n", disk->target,
                               snapshot_location_to_string(disk->location), disk->source,
                               disk->format, disk->node, disk->overlay ? " -> " : "",
                               disk->overlay ? disk->overlay : "");
    }
    append_commands(out, plan, def, state);
    xml = snapshot_def_format(def, 0);
    g_string_append_printf(out, "--- snapshot\n%s", xml);
    if (plan->external) {
        g_autoptr(DomainDef) config = qemu_snapshot_apply_external(dom, plan);

        g_string_append(out, "--- config\n");
        for (guint i = 0; i < config->disks->len; i++) {
            const DomainDiskDef *disk = config->disks->pdata[i];

            g_string_append_printf(out, "%s=%s (%s)\n", disk->target_dev, disk->source,
                                   disk->driver_type);
        }
    }
    return g_string_free(out, FALSE);
}

static void test_case(gconstpointer data)
{
    const SnapCase *c = data;
    g_autofree char *dir = test_data_dir("qemu", "snapshot");
    g_autofree char *snap_file = g_strdup_printf("%s.snap.xml", c->snap);
    g_autofree char *snap_path = g_build_filename(dir, snap_file, NULL);
    g_autofree char *snap_xml = test_read(snap_path);
    g_autoptr(DomainDef) dom = load_domain(c->dom);
    g_autoptr(SnapshotDef) def = NULL;
    g_autoptr(QemuSnapshotPlan) plan = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *out_file = NULL;
    g_autofree char *out_path = NULL;
    g_autofree char *actual = NULL;
    bool ok;

    test_mark_used(used, snap_file);
    def = snapshot_def_parse_full(snap_xml, 0, 1700000000, &error);
    g_assert_no_error(error);
    ok = qemu_snapshot_prepare(def, dom, c->state != SHUTOFF, c->state == PAUSED, c->flags, &plan,
                               &error);
    out_file = g_strdup_printf("%s.%s", c->name, ok ? "plan" : "err");
    out_path = g_build_filename(dir, out_file, NULL);
    test_mark_used(used, out_file);
    if (ok) {
        g_assert_null(error);
        g_assert_false(g_str_has_prefix(c->name, "error-"));
        actual = describe_plan(plan, def, dom, c->state);
    } else {
        g_assert_nonnull(error);
        g_assert_null(plan);
        g_assert_true(g_str_has_prefix(c->name, "error-"));
        g_assert_true(error->domain == VIRT_QEMU_ERROR || error->domain == VIRT_SNAPSHOT_ERROR);
        actual = g_strdup_printf("%s\n", error->message);
    }
    test_compare_golden(out_path, actual);
}

static void test_overlay_names(void)
{
    static const char *const table[][2] = {
        { "/var/lib/images/web1.qcow2", "/var/lib/images/web1.s1" },
        { "/var/lib/images/web1", "/var/lib/images/web1.s1" },
        { "/var/lib.d/web1", "/var/lib.d/web1.s1" },
        { "/images/.hidden", "/images/.hidden.s1" },
        { "/images/a.b.img", "/images/a.b.s1" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
        g_autofree char *name = qemu_snapshot_overlay_name(table[i][0], "s1");

        g_assert_cmpstr(name, ==, table[i][1]);
    }
}

/* The recorded conversation: save0 and load0 conclude cleanly, load1 ('missing')
 * concludes too, with its error only in query-jobs. */
static void test_job_outcome(void)
{
    g_autoptr(QemuTestConversation) conv = qemu_test_conversation_load("snapshot-jobs.replies");
    g_autoptr(GError) error = NULL;
    const QemuMonitorMessage *reply;
    bool done = false;
    bool failed_seen = false;

    reply = qemu_test_conversation_reply_to(conv, "query-jobs", NULL);
    g_assert_true(qemu_snapshot_job_outcome(reply, "save0", &done, &error));
    g_assert_no_error(error);
    g_assert_true(done);
    g_assert_false(qemu_snapshot_job_outcome(reply, "nosuchjob", &done, &error));
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR);
    g_clear_error(&error);
    for (guint i = 0; i < conv->received->len; i++) {
        g_autoptr(GPtrArray) jobs = NULL;

        reply = conv->received->pdata[i];

        if (reply->type != QEMU_MONITOR_MESSAGE_RETURN || !JSON_NODE_HOLDS_ARRAY(reply->value) ||
            !(jobs = qemu_monitor_parse_jobs(reply, NULL)) || jobs->len == 0 ||
            !g_str_equal(((QemuMonitorJob *)jobs->pdata[0])->id, "load1"))
            continue;
        g_assert_false(qemu_snapshot_job_outcome(reply, "load1", &done, &error));
        g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED);
        g_assert_nonnull(strstr(error->message, "missing"));
        g_clear_error(&error);
        failed_seen = true;
    }
    g_assert_true(failed_seen);
}

static QemuMonitorMessage *parse_reply(const char *json)
{
    g_autoptr(GError) error = NULL;
    QemuMonitorMessage *msg = qemu_monitor_message_parse(json, strlen(json), &error);

    g_assert_no_error(error);
    return msg;
}

static void test_job_running(void)
{
    g_autoptr(QemuMonitorMessage) reply =
        parse_reply("{\"return\": [{\"id\": \"virtkit-snapshot-save\", \"type\": "
                    "\"snapshot-save\", \"status\": \"running\", \"current-progress\": 0, "
                    "\"total-progress\": 1}], \"id\": \"libvirt-9\"}");
    g_autoptr(GError) error = NULL;
    bool done = true;

    g_assert_true(qemu_snapshot_job_outcome(reply, "virtkit-snapshot-save", &done, &error));
    g_assert_no_error(error);
    g_assert_false(done);
}

static void test_block_nodes(void)
{
    g_autoptr(QemuMonitorMessage) nodes = parse_reply(
        "{\"return\": [{\"node-name\": \"libvirt-1-format\", \"image\": {\"virtual-size\": "
        "10737418240, \"filename\": \"/i/a.qcow2\"}}, {\"node-name\": \"libvirt-4-storage\", "
        "\"image\": {\"virtual-size\": 196616}}, {\"node-name\": \"#block123\"}], \"id\": "
        "\"libvirt-3\"}");
    g_autoptr(QemuMonitorMessage) block = parse_reply(
        "{\"return\": [{\"device\": \"\", \"qdev\": \"/machine/peripheral/virtio-disk0/"
        "virtio-backend\", \"inserted\": {\"node-name\": \"libvirt-5-format\", \"file\": "
        "\"/i/a.s1\"}}, {\"device\": \"\", \"qdev\": \"ide0-1-0\", \"tray_open\": false}], "
        "\"id\": \"libvirt-4\"}");
    g_autoptr(QemuMonitorMessage) bad = parse_reply("{\"return\": {}, \"id\": \"libvirt-5\"}");
    g_autoptr(GError) error = NULL;
    g_autofree char *top = NULL;
    uint64_t size = 0;
    unsigned next = 0;

    g_assert_true(qemu_snapshot_parse_node_size(nodes, "libvirt-1-format", &size, &error));
    g_assert_cmpuint(size, ==, 10737418240);
    g_assert_false(qemu_snapshot_parse_node_size(nodes, "#block123", &size, &error));
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR);
    g_clear_error(&error);
    g_assert_true(qemu_snapshot_parse_next_node_index(nodes, &next, &error));
    g_assert_cmpuint(next, ==, 5);
    top = qemu_snapshot_parse_top_node(block, "/i/a.s1", &error);
    g_assert_no_error(error);
    g_assert_cmpstr(top, ==, "libvirt-5-format");
    g_assert_null(qemu_snapshot_parse_top_node(block, "/i/none", &error));
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR);
    g_clear_error(&error);
    g_assert_false(qemu_snapshot_parse_next_node_index(bad, &next, &error));
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR);
}

static void test_unused(void)
{
    g_autofree char *dir = test_data_dir("qemu", "snapshot");

    test_check_unused(dir, used);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    test_caps = qemu_test_caps_load("x86_64-7.2.replies");
    used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_strdup_printf("/qemu/snapshot-plan/%s", cases[i].name);

        g_test_add_data_func(path, &cases[i], test_case);
    }
    g_test_add_func("/qemu/snapshot/overlay-names", test_overlay_names);
    g_test_add_func("/qemu/snapshot/job-outcome", test_job_outcome);
    g_test_add_func("/qemu/snapshot/job-running", test_job_running);
    g_test_add_func("/qemu/snapshot/block-nodes", test_block_nodes);
    g_test_add_func("/qemu/snapshot-data/no-unused-data", test_unused);
    ret = g_test_run();
    g_hash_table_unref(used);
    qemu_caps_free(test_caps);
    return ret;
}
