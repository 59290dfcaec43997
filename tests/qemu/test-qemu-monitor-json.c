/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * QMP message building and parsing against conversations recorded from this machine's
 * QEMU 7.2 (tests/qemu/record-replies.py): every message QEMU sent parses, every
 * command we recorded is rebuilt identically by our builders, and the typed readers
 * give the values QEMU reported. Tier: golden (pure).
 */

#include <string.h>

#include "qemu-monitor-json.h"
#include "qemu-test-util.h"
#include "util/error.h"

static const char *const replies_files[] = {
    "x86_64-7.2.replies",        "x86_64-7.2-kvm.replies",
    "lifecycle.replies",         "errors.replies",
    "snapshot-jobs.replies",     "migrate-file.replies",
    "blockdev-snapshot.replies",
};

/* Every message parses: greeting first, then only replies and events; every reply
 * answers a command we sent. */
static void test_replay(const void *data)
{
    g_autoptr(QemuTestConversation) conv = qemu_test_conversation_load(data);
    const QemuMonitorMessage *greeting = g_ptr_array_index(conv->received, 0);
    g_auto(QemuMonitorVersion) ver = { 0 };
    g_autoptr(GError) error = NULL;
    guint replies = 0;

    g_assert_cmpint(greeting->type, ==, QEMU_MONITOR_MESSAGE_GREETING);
    g_assert_true(qemu_monitor_greeting_version(greeting, &ver, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(ver.major, ==, 7);
    g_assert_cmpuint(ver.minor, ==, 2);
    for (guint i = 1; i < conv->received->len; i++) {
        const QemuMonitorMessage *msg = g_ptr_array_index(conv->received, i);
        unsigned serial = 0;

        g_assert_cmpint(msg->type, !=, QEMU_MONITOR_MESSAGE_GREETING);
        if (msg->type == QEMU_MONITOR_MESSAGE_EVENT) {
            g_assert_nonnull(msg->event);
            g_assert_cmpint(msg->ts_seconds, >, 1600000000);
            continue;
        }
        g_assert_true(qemu_monitor_reply_serial(msg, &serial));
        g_assert_cmpuint(serial, >=, 1);
        g_assert_cmpuint(serial, <=, conv->sent->len);
        replies++;
    }
    g_assert_cmpuint(replies, ==, conv->sent->len);
}

static const char *node_str(JsonObject *args, const char *member)
{
    return json_object_get_string_member(args, member);
}

static GStrv node_strv(JsonObject *args, const char *member)
{
    JsonArray *array = json_object_get_array_member(args, member);
    GStrv v = g_new0(char *, json_array_get_length(array) + 1);

    for (guint i = 0; i < json_array_get_length(array); i++)
        v[i] = g_strdup(json_array_get_string_element(array, i));
    return v;
}

/* Our builder for the recorded command, fed with the recorded argument values. */
static QemuMonitorCommand *rebuild(const char *name, JsonObject *args)
{
    g_auto(GStrv) devices = NULL;

    if (!args)
        return qemu_monitor_command_new(name);
    if (json_object_has_member(args, "devices"))
        devices = node_strv(args, "devices");
    if (g_str_equal(name, "snapshot-save"))
        return qemu_monitor_cmd_snapshot_save(node_str(args, "job-id"), node_str(args, "tag"),
                                              node_str(args, "vmstate"),
                                              (const char *const *)devices);
    if (g_str_equal(name, "snapshot-load"))
        return qemu_monitor_cmd_snapshot_load(node_str(args, "job-id"), node_str(args, "tag"),
                                              node_str(args, "vmstate"),
                                              (const char *const *)devices);
    if (g_str_equal(name, "snapshot-delete"))
        return qemu_monitor_cmd_snapshot_delete(node_str(args, "job-id"), node_str(args, "tag"),
                                                (const char *const *)devices);
    if (g_str_equal(name, "job-dismiss"))
        return qemu_monitor_cmd_job_dismiss(node_str(args, "id"));
    if (g_str_equal(name, "migrate-set-capabilities"))
        return qemu_monitor_cmd_migrate_set_events();
    if (g_str_equal(name, "migrate"))
        return qemu_monitor_cmd_migrate(node_str(args, "uri"));
    if (g_str_equal(name, "blockdev-add") && g_str_equal(node_str(args, "driver"), "file"))
        return qemu_monitor_cmd_blockdev_add_file(node_str(args, "node-name"),
                                                  node_str(args, "filename"));
    if (g_str_equal(name, "blockdev-add"))
        return qemu_monitor_cmd_blockdev_add_overlay(
            node_str(args, "node-name"), node_str(args, "driver"), node_str(args, "file"));
    if (g_str_equal(name, "blockdev-snapshot"))
        return qemu_monitor_cmd_blockdev_snapshot(node_str(args, "node"),
                                                  node_str(args, "overlay"));
    if (g_str_equal(name, "qom-list-types"))
        return qemu_monitor_cmd_qom_list_types(node_str(args, "implements"),
                                               !json_object_has_member(args, "abstract"));
    return NULL; /* deliberately malformed commands of errors.replies */
}

/* Our builders produce exactly what QEMU was sent (same members, same id). */
static void test_build(const void *data)
{
    g_autoptr(QemuTestConversation) conv = qemu_test_conversation_load(data);
    guint rebuilt = 0;

    for (guint i = 0; i < conv->sent->len; i++) {
        JsonObject *rec = json_node_get_object(g_ptr_array_index(conv->sent, i));
        const char *name = json_object_get_string_member(rec, "execute");
        JsonObject *args = json_object_has_member(rec, "arguments")
                               ? json_object_get_object_member(rec, "arguments")
                               : NULL;
        g_autoptr(QemuMonitorCommand) cmd = rebuild(name, args);
        g_autofree char *line = NULL;
        g_autoptr(JsonNode) ours = NULL;
        g_autoptr(GError) error = NULL;

        if (!cmd)
            continue;
        line = qemu_monitor_command_format(cmd, i + 1);
        g_assert_true(g_str_has_suffix(line, "}\r\n"));
        ours = json_from_string(line, &error);
        g_assert_no_error(error);
        if (!json_node_equal(ours, g_ptr_array_index(conv->sent, i))) {
            g_test_message("rebuilt %s differs: %s", name, line);
            g_test_fail();
        }
        rebuilt++;
    }
    /* only errors.replies sends commands our builders would never make */
    g_assert_cmpuint(rebuilt, >=, conv->sent->len - 1);
}

static void test_lifecycle(void)
{
    g_autoptr(QemuTestConversation) conv = qemu_test_conversation_load("lifecycle.replies");
    static const QemuMonitorRunState expect[] = {
        [2] = QEMU_RUN_STATE_PRELAUNCH,
        [4] = QEMU_RUN_STATE_RUNNING,
        [6] = QEMU_RUN_STATE_PAUSED,
        [10] = QEMU_RUN_STATE_RUNNING,
    };
    const char *events[] = { "RESUME", "STOP", "RESUME", "RESET", "POWERDOWN", "SHUTDOWN" };
    guint ev = 0;

    for (unsigned serial = 2; serial <= 10; serial += 2) {
        QemuMonitorStatus status;
        g_autoptr(GError) error = NULL;

        if (serial == 8)
            continue;
        g_assert_true(
            qemu_monitor_parse_status(qemu_test_conversation_reply(conv, serial), &status, &error));
        g_assert_no_error(error);
        g_assert_cmpstr(qemu_monitor_run_state_to_string(status.state), ==,
                        qemu_monitor_run_state_to_string(expect[serial]));
        g_assert_cmpint(status.running, ==, status.state == QEMU_RUN_STATE_RUNNING);
    }
    for (guint i = 0; i < conv->received->len && ev < G_N_ELEMENTS(events); i++) {
        const QemuMonitorMessage *msg = g_ptr_array_index(conv->received, i);

        if (msg->type == QEMU_MONITOR_MESSAGE_EVENT && g_str_equal(msg->event, events[ev]))
            ev++;
    }
    g_assert_cmpuint(ev, ==, G_N_ELEMENTS(events));
}

static void test_shutdown_event(void)
{
    g_autoptr(QemuTestConversation) conv = qemu_test_conversation_load("lifecycle.replies");
    const QemuMonitorMessage *last = NULL;

    for (guint i = 0; i < conv->received->len; i++) {
        const QemuMonitorMessage *msg = g_ptr_array_index(conv->received, i);

        if (qemu_monitor_event_type(msg) == QEMU_EVENT_SHUTDOWN)
            last = msg;
    }
    g_assert_nonnull(last);
    g_assert_cmpstr(qemu_monitor_event_string(last, "reason"), ==, "host-qmp-quit");
    g_assert_false(qemu_monitor_event_bool(last, "guest", true));
    g_assert_null(qemu_monitor_event_string(last, "guest"));
    g_assert_true(qemu_monitor_event_bool(last, "missing", true));
}

static void check_error(const QemuTestConversation *conv, unsigned serial, const char *command,
                        int code, const char *message)
{
    g_autoptr(GError) error = NULL;

    g_assert_false(
        qemu_monitor_reply_check(qemu_test_conversation_reply(conv, serial), command, &error));
    g_assert_error(error, VIRT_QEMU_ERROR, code);
    g_assert_cmpstr(error->message, ==, message);
}

static void test_errors(void)
{
    g_autoptr(QemuTestConversation) conv = qemu_test_conversation_load("errors.replies");
    QemuMonitorStatus status;
    g_autoptr(GError) error = NULL;

    check_error(conv, 1, "query-status", VIRT_ERR_OPERATION_UNSUPPORTED,
                "unable to execute QEMU command 'query-status': Expecting capabilities "
                "negotiation with 'qmp_capabilities' (CommandNotFound)");
    check_error(conv, 3, "no-such-command", VIRT_ERR_OPERATION_UNSUPPORTED,
                "unable to execute QEMU command 'no-such-command': The command no-such-command "
                "has not been found (CommandNotFound)");
    check_error(conv, 4, "query-status", VIRT_ERR_INTERNAL_ERROR,
                "unable to execute QEMU command 'query-status': Parameter 'bogus' is unexpected "
                "(GenericError)");
    check_error(conv, 6, "blockdev-snapshot", VIRT_ERR_INTERNAL_ERROR,
                "unable to execute QEMU command 'blockdev-snapshot': Cannot find device='nope' "
                "nor node-name='nope' (GenericError)");
    /* typed readers refuse error replies the same way */
    g_assert_false(
        qemu_monitor_parse_status(qemu_test_conversation_reply(conv, 1), &status, &error));
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_UNSUPPORTED);
}

static const QemuMonitorJob *find_job(GPtrArray *jobs, const char *id)
{
    for (guint i = 0; i < jobs->len; i++) {
        const QemuMonitorJob *job = g_ptr_array_index(jobs, i);

        if (g_str_equal(job->id, id))
            return job;
    }
    return NULL;
}

static void test_snapshot_jobs(void)
{
    g_autoptr(QemuTestConversation) conv = qemu_test_conversation_load("snapshot-jobs.replies");
    const struct {
        unsigned serial;
        const char *id, *type, *error;
    } cases[] = {
        { 3, "save0", "snapshot-save", NULL },
        { 6, "load0", "snapshot-load", NULL },
        { 9, "load1", "snapshot-load", "Snapshot 'missing' does not exist in one or more devices" },
        { 12, "del0", "snapshot-delete", NULL },
    };
    guint concluded = 0;

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) jobs =
            qemu_monitor_parse_jobs(qemu_test_conversation_reply(conv, cases[i].serial), &error);
        const QemuMonitorJob *job;

        g_assert_no_error(error);
        job = find_job(jobs, cases[i].id);
        g_assert_nonnull(job);
        g_assert_cmpstr(job->type, ==, cases[i].type);
        g_assert_cmpstr(job->status, ==, "concluded");
        g_assert_cmpstr(job->error, ==, cases[i].error);
    }
    for (guint i = 0; i < conv->received->len; i++) {
        const QemuMonitorMessage *msg = g_ptr_array_index(conv->received, i);

        if (qemu_monitor_event_type(msg) == QEMU_EVENT_JOB_STATUS_CHANGE &&
            g_strcmp0(qemu_monitor_event_string(msg, "status"), "concluded") == 0)
            concluded++;
    }
    g_assert_cmpuint(concluded, ==, 4);
}

static void test_migrate(void)
{
    g_autoptr(QemuTestConversation) conv = qemu_test_conversation_load("migrate-file.replies");
    g_autofree char *status = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GError) error = NULL;
    bool completed_event = false;

    g_assert_true(
        qemu_monitor_parse_migrate(qemu_test_conversation_reply(conv, 5), &status, &err, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(status, ==, "completed");
    g_assert_null(err);
    for (guint i = 0; i < conv->received->len; i++) {
        const QemuMonitorMessage *msg = g_ptr_array_index(conv->received, i);

        if (qemu_monitor_event_type(msg) == QEMU_EVENT_MIGRATION &&
            g_strcmp0(qemu_monitor_event_string(msg, "status"), "completed") == 0)
            completed_event = true;
    }
    g_assert_true(completed_event);
}

static const QemuMonitorMachine *find_machine(GPtrArray *machines, const char *name)
{
    for (guint i = 0; i < machines->len; i++) {
        const QemuMonitorMachine *m = g_ptr_array_index(machines, i);

        if (g_str_equal(m->name, name))
            return m;
    }
    return NULL;
}

static void test_caps_queries(void)
{
    g_autoptr(QemuTestConversation) conv = qemu_test_conversation_load("x86_64-7.2.replies");
    g_autoptr(GError) error = NULL;
    g_auto(QemuMonitorVersion) ver = { 0 };
    g_autofree char *arch = NULL;
    g_autoptr(GPtrArray) machines = NULL;
    g_autoptr(GPtrArray) cpus = NULL;
    g_auto(GStrv) commands = NULL;
    const QemuMonitorMachine *pc;
    bool present = false, enabled = false;

    g_assert_true(qemu_monitor_parse_version(qemu_test_conversation_reply(conv, 2), &ver, &error));
    g_assert_cmpuint(ver.micro, ==, 22);
    g_assert_cmpstr(ver.package, ==, "Debian 1:7.2+dfsg-7+deb12u18+b3");
    g_assert_true(
        qemu_monitor_parse_target_arch(qemu_test_conversation_reply(conv, 3), &arch, &error));
    g_assert_cmpstr(arch, ==, "x86_64");
    g_assert_true(
        qemu_monitor_parse_kvm(qemu_test_conversation_reply(conv, 4), &present, &enabled, &error));
    g_assert_true(present);
    machines = qemu_monitor_parse_machines(qemu_test_conversation_reply(conv, 5), &error);
    g_assert_no_error(error);
    g_assert_cmpuint(machines->len, ==, 59);
    pc = find_machine(machines, "pc-i440fx-7.2");
    g_assert_nonnull(pc);
    g_assert_cmpstr(pc->alias, ==, "pc");
    g_assert_true(pc->is_default);
    g_assert_cmpuint(pc->max_cpus, ==, 255);
    g_assert_cmpstr(find_machine(machines, "pc-q35-7.2")->alias, ==, "q35");
    cpus = qemu_monitor_parse_cpu_models(qemu_test_conversation_reply(conv, 6), &error);
    g_assert_no_error(error);
    g_assert_cmpuint(cpus->len, ==, 132);
    commands =
        qemu_monitor_parse_names(qemu_test_conversation_reply(conv, 7), "query-commands", &error);
    g_assert_no_error(error);
    g_assert_cmpuint(g_strv_length(commands), ==, 216);
    g_assert_true(g_strv_contains((const char *const *)commands, "snapshot-save"));
}

static void test_schema(void)
{
    g_autoptr(QemuTestConversation) conv = qemu_test_conversation_load("x86_64-7.2.replies");
    g_autoptr(GError) error = NULL;
    g_autoptr(QemuMonitorSchema) schema =
        qemu_monitor_parse_schema(qemu_test_conversation_reply(conv, 8), &error);

    g_assert_no_error(error);
    g_assert_true(qemu_monitor_schema_has_command(schema, "blockdev-snapshot"));
    g_assert_true(qemu_monitor_schema_has_command(schema, "snapshot-load"));
    g_assert_false(qemu_monitor_schema_has_command(schema, "JOB_STATUS_CHANGE"));
    g_assert_true(qemu_monitor_schema_has_event(schema, "JOB_STATUS_CHANGE"));
    g_assert_true(qemu_monitor_schema_command_has_arg(schema, "migrate", "uri"));
    g_assert_false(qemu_monitor_schema_command_has_arg(schema, "migrate", "no-such-arg"));
    g_assert_true(qemu_monitor_schema_command_has_arg(schema, "set-action", "reboot"));
    /* a union: the member lives in a variant (qcow2's "data-file") */
    g_assert_true(qemu_monitor_schema_command_has_arg(schema, "blockdev-add", "data-file"));
    g_assert_true(qemu_monitor_schema_arg_enum_has(schema, "blockdev-add", "driver", "qcow2"));
    g_assert_false(qemu_monitor_schema_arg_enum_has(schema, "blockdev-add", "driver", "nope"));
    g_assert_false(qemu_monitor_schema_arg_enum_has(schema, "nope", "driver", "qcow2"));
    g_assert_true(qemu_monitor_schema_command_has_feature(schema, "device_add", "json-cli"));
    g_assert_false(qemu_monitor_schema_command_has_feature(schema, "device_add", "nope"));
    g_assert_false(qemu_monitor_schema_command_has_feature(schema, "query-status", "json-cli"));
}

static void test_qom_types(void)
{
    g_autoptr(QemuTestConversation) conv = qemu_test_conversation_load("x86_64-7.2.replies");
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) accels =
        qemu_monitor_parse_names(qemu_test_conversation_reply(conv, 9), "qom-list-types", &error);
    g_auto(GStrv) devices =
        qemu_monitor_parse_names(qemu_test_conversation_reply(conv, 10), "qom-list-types", &error);

    g_assert_true(g_strv_contains((const char *const *)accels, "tcg-accel"));
    g_assert_true(g_strv_contains((const char *const *)accels, "kvm-accel"));
    g_assert_true(g_strv_contains((const char *const *)devices, "virtio-blk-pci"));
    g_assert_false(g_strv_contains((const char *const *)devices, "pci-device"));
}

static void test_malformed(void)
{
    const struct {
        const char *text, *message;
    } cases[] = {
        { "not json", "cannot parse QMP message from QEMU: " },
        { "[1,2]", "malformed QMP message from QEMU: not a JSON object" },
        { "{\"foo\": 1}", "malformed QMP message from QEMU: neither greeting, reply nor event" },
        { "{\"error\": {\"class\": \"GenericError\"}}",
          "malformed QMP message from QEMU: error without class or desc" },
        { "{\"error\": 3}", "malformed QMP message from QEMU: error member is not an object" },
        { "{\"event\": 3}", "malformed QMP message from QEMU: event name is not a string" },
        { "{\"event\": \"STOP\", \"data\": []}",
          "malformed QMP message from QEMU: event data is not an object" },
        { "{\"QMP\": 1}", "malformed QMP message from QEMU: greeting is not an object" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(QemuMonitorMessage) msg =
            qemu_monitor_message_parse(cases[i].text, strlen(cases[i].text), &error);

        g_assert_null(msg);
        g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR);
        g_assert_true(g_str_has_prefix(error->message, cases[i].message));
    }
}

static void test_limits_and_ids(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(QemuMonitorMessage) msg = NULL;
    const char *ok = "{\"return\": {}, \"id\": \"libvirt-42\"}";
    const char *bad_ids[] = { "{\"return\": {}, \"id\": \"libvirt-x\"}",
                              "{\"return\": {}, \"id\": \"other-3\"}", "{\"return\": {}}",
                              "{\"return\": {}, \"id\": 3}" };
    unsigned serial = 0;
    QemuMonitorStatus status;

    g_assert_null(qemu_monitor_message_parse(ok, QEMU_MONITOR_MAX_MESSAGE + 1, &error));
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR);
    g_clear_error(&error);
    msg = qemu_monitor_message_parse(ok, strlen(ok), &error);
    g_assert_true(qemu_monitor_reply_serial(msg, &serial));
    g_assert_cmpuint(serial, ==, 42);
    /* a return value of the wrong shape is an error, not a crash */
    g_assert_false(qemu_monitor_parse_status(msg, &status, &error));
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR);
    g_clear_error(&error);
    g_assert_null(qemu_monitor_parse_machines(msg, &error));
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR);
    for (size_t i = 0; i < G_N_ELEMENTS(bad_ids); i++) {
        g_autoptr(QemuMonitorMessage) m =
            qemu_monitor_message_parse(bad_ids[i], strlen(bad_ids[i]), NULL);

        g_assert_nonnull(m);
        g_assert_false(qemu_monitor_reply_serial(m, &serial));
    }
}

static void test_unknown_state(void)
{
    const char *text = "{\"return\": {\"status\": \"dancing\", \"running\": true}}";
    g_autoptr(QemuMonitorMessage) msg = qemu_monitor_message_parse(text, strlen(text), NULL);
    g_autoptr(GError) error = NULL;
    QemuMonitorStatus status;

    g_assert_false(qemu_monitor_parse_status(msg, &status, &error));
    g_assert_cmpstr(error->message, ==, "QEMU reported an unknown run state 'dancing'");
}

static void test_format_no_args(void)
{
    g_autoptr(QemuMonitorCommand) cmd = qemu_monitor_command_new("query-status");
    g_autofree char *line = qemu_monitor_command_format(cmd, 7);

    g_assert_cmpstr(line, ==, "{\"execute\":\"query-status\",\"id\":\"libvirt-7\"}\r\n");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    for (size_t i = 0; i < G_N_ELEMENTS(replies_files); i++) {
        g_autofree char *replay = g_strdup_printf("/qemu/monitor-json/replay/%s", replies_files[i]);
        g_autofree char *build = g_strdup_printf("/qemu/monitor-json/build/%s", replies_files[i]);

        g_test_add_data_func(replay, replies_files[i], test_replay);
        g_test_add_data_func(build, replies_files[i], test_build);
    }
    g_test_add_func("/qemu/monitor-json/lifecycle", test_lifecycle);
    g_test_add_func("/qemu/monitor-json/shutdown-event", test_shutdown_event);
    g_test_add_func("/qemu/monitor-json/errors", test_errors);
    g_test_add_func("/qemu/monitor-json/snapshot-jobs", test_snapshot_jobs);
    g_test_add_func("/qemu/monitor-json/migrate", test_migrate);
    g_test_add_func("/qemu/monitor-json/caps-queries", test_caps_queries);
    g_test_add_func("/qemu/monitor-json/schema", test_schema);
    g_test_add_func("/qemu/monitor-json/qom-types", test_qom_types);
    g_test_add_func("/qemu/monitor-json/malformed", test_malformed);
    g_test_add_func("/qemu/monitor-json/limits-and-ids", test_limits_and_ids);
    g_test_add_func("/qemu/monitor-json/unknown-state", test_unknown_state);
    g_test_add_func("/qemu/monitor-json/format-no-args", test_format_no_args);
    return g_test_run();
}
