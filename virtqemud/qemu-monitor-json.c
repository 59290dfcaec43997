/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * QMP messages: building commands and parsing what QEMU sends (greeting, replies,
 * events). Typed readers of the replies are in qemu-monitor-json-replies.c. Everything
 * a peer sends is checked for shape before use: a malformed message is an error, never
 * a crash.
 */

#include <string.h>

#include "qemu-monitor-json.h"
#include "util/error.h"

ENUM_TABLE_DEFINE(qemu_monitor_message_type, QemuMonitorMessageType,
                  _QEMU_MONITOR_MESSAGE_MAX, [QEMU_MONITOR_MESSAGE_GREETING] = "greeting",
                  [QEMU_MONITOR_MESSAGE_RETURN] = "return", [QEMU_MONITOR_MESSAGE_ERROR] = "error",
                  [QEMU_MONITOR_MESSAGE_EVENT] = "event");

ENUM_TABLE_DEFINE(
    qemu_monitor_event_type, QemuMonitorEventType,
    _QEMU_EVENT_MAX, [QEMU_EVENT_SHUTDOWN] = "SHUTDOWN", [QEMU_EVENT_POWERDOWN] = "POWERDOWN",
    [QEMU_EVENT_RESET] = "RESET", [QEMU_EVENT_STOP] = "STOP", [QEMU_EVENT_RESUME] = "RESUME",
    [QEMU_EVENT_SUSPEND] = "SUSPEND", [QEMU_EVENT_WAKEUP] = "WAKEUP",
    [QEMU_EVENT_GUEST_PANICKED] = "GUEST_PANICKED",
    [QEMU_EVENT_JOB_STATUS_CHANGE] = "JOB_STATUS_CHANGE", [QEMU_EVENT_MIGRATION] = "MIGRATION",
    [QEMU_EVENT_MIGRATION_PASS] = "MIGRATION_PASS", [QEMU_EVENT_DEVICE_DELETED] = "DEVICE_DELETED",
    [QEMU_EVENT_BLOCK_JOB_COMPLETED] = "BLOCK_JOB_COMPLETED");

#define QEMU_MONITOR_ID_PREFIX "libvirt-"

QemuMonitorMessage *qemu_monitor_message_free(QemuMonitorMessage *msg)
{
    if (!msg)
        return NULL;
    if (msg->root)
        json_node_unref(msg->root);
    g_free(msg->id);
    g_free(msg->error_class);
    g_free(msg->error_desc);
    g_free(msg->event);
    g_free(msg);
    return NULL;
}

QemuMonitorCommand *qemu_monitor_command_new(const char *name)
{
    QemuMonitorCommand *cmd = g_new0(QemuMonitorCommand, 1);

    cmd->name = g_strdup(name);
    return cmd;
}

QemuMonitorCommand *qemu_monitor_command_free(QemuMonitorCommand *cmd)
{
    if (!cmd)
        return NULL;
    g_free(cmd->name);
    if (cmd->args)
        json_object_unref(cmd->args);
    g_free(cmd);
    return NULL;
}

/* Arguments are created on first use, so a command without any sends none. */
static JsonObject *qemu_monitor_command_args(QemuMonitorCommand *cmd)
{
    if (!cmd->args)
        cmd->args = json_object_new();
    return cmd->args;
}

static void qemu_monitor_args_add_strv(JsonObject *args, const char *name,
                                       const char *const *values)
{
    JsonArray *array = json_array_new();

    for (size_t i = 0; values && values[i]; i++)
        json_array_add_string_element(array, values[i]);
    json_object_set_array_member(args, name, array);
}

/**
 * qemu_monitor_serial_id: the id string of command number @serial ("libvirt-N", the
 * spelling libvirt uses, so QEMU logs read the same).
 */
char *qemu_monitor_serial_id(unsigned serial)
{
    return g_strdup_printf(QEMU_MONITOR_ID_PREFIX "%u", serial);
}

/**
 * qemu_monitor_command_format: the line to send for @cmd as command number @serial:
 * {"execute":…,"arguments":{…},"id":"libvirt-N"} followed by CR LF.
 */
char *qemu_monitor_command_format(const QemuMonitorCommand *cmd, unsigned serial)
{
    g_autoptr(JsonObject) obj = json_object_new();
    g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autofree char *id = qemu_monitor_serial_id(serial);
    g_autofree char *text = NULL;

    json_object_set_string_member(obj, "execute", cmd->name);
    if (cmd->args)
        json_object_set_object_member(obj, "arguments", json_object_ref(cmd->args));
    json_object_set_string_member(obj, "id", id);
    json_node_set_object(node, obj);
    json_generator_set_root(gen, node);
    text = json_generator_to_data(gen, NULL);
    return g_strconcat(text, "\r\n", NULL);
}

static QemuMonitorCommand *qemu_monitor_cmd_snapshot(const char *name, const char *job_id,
                                                     const char *tag, const char *vmstate,
                                                     const char *const *devices)
{
    QemuMonitorCommand *cmd = qemu_monitor_command_new(name);
    JsonObject *args = qemu_monitor_command_args(cmd);

    json_object_set_string_member(args, "job-id", job_id);
    json_object_set_string_member(args, "tag", tag);
    if (vmstate)
        json_object_set_string_member(args, "vmstate", vmstate);
    qemu_monitor_args_add_strv(args, "devices", devices);
    return cmd;
}

/**
 * qemu_monitor_cmd_snapshot_save: internal snapshot job (QEMU >= 6.0) saving the VM
 * state into node @vmstate and a snapshot named @tag on every node of @devices.
 */
QemuMonitorCommand *qemu_monitor_cmd_snapshot_save(const char *job_id, const char *tag,
                                                   const char *vmstate, const char *const *devices)
{
    return qemu_monitor_cmd_snapshot("snapshot-save", job_id, tag, vmstate, devices);
}

QemuMonitorCommand *qemu_monitor_cmd_snapshot_load(const char *job_id, const char *tag,
                                                   const char *vmstate, const char *const *devices)
{
    return qemu_monitor_cmd_snapshot("snapshot-load", job_id, tag, vmstate, devices);
}

QemuMonitorCommand *qemu_monitor_cmd_snapshot_delete(const char *job_id, const char *tag,
                                                     const char *const *devices)
{
    return qemu_monitor_cmd_snapshot("snapshot-delete", job_id, tag, NULL, devices);
}

QemuMonitorCommand *qemu_monitor_cmd_job_dismiss(const char *job_id)
{
    return qemu_monitor_cmd_job("job-dismiss", job_id);
}

/**
 * qemu_monitor_cmd_block_commit: an active commit job @job_id merging the root node
 * @top (the disk's active image) into @base_node. It stays after it concluded
 * (auto-dismiss off) so that query-jobs still tells how it ended.
 */
QemuMonitorCommand *qemu_monitor_cmd_block_commit(const char *job_id, const char *top,
                                                  const char *base_node)
{
    QemuMonitorCommand *cmd = qemu_monitor_command_new("block-commit");
    JsonObject *args = qemu_monitor_command_args(cmd);

    json_object_set_string_member(args, "job-id", job_id);
    json_object_set_string_member(args, "device", top);
    json_object_set_string_member(args, "base-node", base_node);
    json_object_set_boolean_member(args, "auto-dismiss", FALSE);
    return cmd;
}

/**
 * qemu_monitor_cmd_job: a command on the QMP job @job_id ("job-complete",
 * "job-cancel", "job-dismiss", ...).
 */
QemuMonitorCommand *qemu_monitor_cmd_job(const char *command, const char *job_id)
{
    QemuMonitorCommand *cmd = qemu_monitor_command_new(command);

    json_object_set_string_member(qemu_monitor_command_args(cmd), "id", job_id);
    return cmd;
}

/**
 * qemu_monitor_cmd_set_action_shutdown: what QEMU does when the guest powers off:
 * "poweroff" (exit) or "pause" (stay, so that the guest can be booted again).
 */
QemuMonitorCommand *qemu_monitor_cmd_set_action_shutdown(const char *action)
{
    QemuMonitorCommand *cmd = qemu_monitor_command_new("set-action");

    json_object_set_string_member(qemu_monitor_command_args(cmd), "shutdown", action);
    return cmd;
}

/**
 * qemu_monitor_cmd_migrate_set_events: turn on MIGRATION events, so the end of a save
 * is seen without polling query-migrate.
 */
QemuMonitorCommand *qemu_monitor_cmd_migrate_set_events(void)
{
    QemuMonitorCommand *cmd = qemu_monitor_command_new("migrate-set-capabilities");
    JsonArray *caps = json_array_new();
    JsonObject *cap = json_object_new();

    json_object_set_string_member(cap, "capability", "events");
    json_object_set_boolean_member(cap, "state", TRUE);
    json_array_add_object_element(caps, cap);
    json_object_set_array_member(qemu_monitor_command_args(cmd), "capabilities", caps);
    return cmd;
}

/**
 * qemu_monitor_cmd_migrate: migrate to @uri; saving to a file uses "fd:NAME" after
 * getfd (QEMU 7.2 has no file: URI) or "exec:…".
 */
QemuMonitorCommand *qemu_monitor_cmd_migrate(const char *uri)
{
    QemuMonitorCommand *cmd = qemu_monitor_command_new("migrate");

    json_object_set_string_member(qemu_monitor_command_args(cmd), "uri", uri);
    return cmd;
}

/* The fd itself travels as SCM_RIGHTS ancillary data with this command (monitor I/O). */
QemuMonitorCommand *qemu_monitor_cmd_getfd(const char *fdname)
{
    QemuMonitorCommand *cmd = qemu_monitor_command_new("getfd");

    json_object_set_string_member(qemu_monitor_command_args(cmd), "fdname", fdname);
    return cmd;
}

QemuMonitorCommand *qemu_monitor_cmd_blockdev_add_file(const char *node_name, const char *filename)
{
    QemuMonitorCommand *cmd = qemu_monitor_command_new("blockdev-add");
    JsonObject *args = qemu_monitor_command_args(cmd);

    json_object_set_string_member(args, "driver", "file");
    json_object_set_string_member(args, "filename", filename);
    json_object_set_string_member(args, "node-name", node_name);
    return cmd;
}

/**
 * qemu_monitor_cmd_blockdev_add_overlay: a format node on @file_node with "backing":
 * null, as blockdev-snapshot wants (it attaches the backing chain itself).
 */
QemuMonitorCommand *qemu_monitor_cmd_blockdev_add_overlay(const char *node_name, const char *format,
                                                          const char *file_node)
{
    QemuMonitorCommand *cmd = qemu_monitor_command_new("blockdev-add");
    JsonObject *args = qemu_monitor_command_args(cmd);

    json_object_set_string_member(args, "driver", format);
    json_object_set_string_member(args, "file", file_node);
    json_object_set_null_member(args, "backing");
    json_object_set_string_member(args, "node-name", node_name);
    return cmd;
}

QemuMonitorCommand *qemu_monitor_cmd_blockdev_snapshot(const char *node, const char *overlay)
{
    QemuMonitorCommand *cmd = qemu_monitor_command_new("blockdev-snapshot");
    JsonObject *args = qemu_monitor_command_args(cmd);

    json_object_set_string_member(args, "node", node);
    json_object_set_string_member(args, "overlay", overlay);
    return cmd;
}

QemuMonitorCommand *qemu_monitor_cmd_qom_list_types(const char *implements, bool abstract_too)
{
    QemuMonitorCommand *cmd = qemu_monitor_command_new("qom-list-types");
    JsonObject *args = qemu_monitor_command_args(cmd);

    json_object_set_string_member(args, "implements", implements);
    if (!abstract_too)
        json_object_set_boolean_member(args, "abstract", FALSE);
    return cmd;
}

/* ---- parsing ---- */

static bool qemu_monitor_malformed(GError **error, const char *what)
{
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                "malformed QMP message from QEMU: %s", what);
    return false;
}

static const char *qemu_monitor_object_string(JsonObject *obj, const char *member)
{
    JsonNode *node = json_object_get_member(obj, member);

    if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(node);
}

static bool qemu_monitor_parse_event(QemuMonitorMessage *msg, JsonObject *obj, GError **error)
{
    JsonNode *ts = json_object_get_member(obj, "timestamp");
    const char *name = qemu_monitor_object_string(obj, "event");

    if (!name)
        return qemu_monitor_malformed(error, "event name is not a string");
    msg->type = QEMU_MONITOR_MESSAGE_EVENT;
    msg->event = g_strdup(name);
    if (ts && JSON_NODE_HOLDS_OBJECT(ts)) {
        JsonObject *t = json_node_get_object(ts);

        msg->ts_seconds = json_object_get_int_member_with_default(t, "seconds", 0);
        msg->ts_microseconds = json_object_get_int_member_with_default(t, "microseconds", 0);
    }
    msg->value = json_object_get_member(obj, "data");
    if (msg->value && !JSON_NODE_HOLDS_OBJECT(msg->value))
        return qemu_monitor_malformed(error, "event data is not an object");
    return true;
}

static bool qemu_monitor_parse_error_reply(QemuMonitorMessage *msg, JsonObject *obj, GError **error)
{
    JsonNode *err = json_object_get_member(obj, "error");
    const char *klass, *desc;

    if (!JSON_NODE_HOLDS_OBJECT(err))
        return qemu_monitor_malformed(error, "error member is not an object");
    klass = qemu_monitor_object_string(json_node_get_object(err), "class");
    desc = qemu_monitor_object_string(json_node_get_object(err), "desc");
    if (!klass || !desc)
        return qemu_monitor_malformed(error, "error without class or desc");
    msg->type = QEMU_MONITOR_MESSAGE_ERROR;
    msg->error_class = g_strdup(klass);
    msg->error_desc = g_strdup(desc);
    return true;
}

static bool qemu_monitor_classify(QemuMonitorMessage *msg, JsonObject *obj, GError **error)
{
    if (json_object_has_member(obj, "QMP")) {
        msg->type = QEMU_MONITOR_MESSAGE_GREETING;
        msg->value = json_object_get_member(obj, "QMP");
        if (!JSON_NODE_HOLDS_OBJECT(msg->value))
            return qemu_monitor_malformed(error, "greeting is not an object");
        return true;
    }
    if (json_object_has_member(obj, "event"))
        return qemu_monitor_parse_event(msg, obj, error);
    if (json_object_has_member(obj, "return")) {
        msg->type = QEMU_MONITOR_MESSAGE_RETURN;
        msg->value = json_object_get_member(obj, "return");
        return true;
    }
    if (json_object_has_member(obj, "error"))
        return qemu_monitor_parse_error_reply(msg, obj, error);
    return qemu_monitor_malformed(error, "neither greeting, reply nor event");
}

/**
 * qemu_monitor_message_parse: parse one line QEMU sent (without or with its line end).
 * Lines over QEMU_MONITOR_MAX_MESSAGE bytes, invalid JSON and objects of unknown shape
 * are errors.
 */
QemuMonitorMessage *qemu_monitor_message_parse(const char *line, size_t len, GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    g_autoptr(QemuMonitorMessage) msg = g_new0(QemuMonitorMessage, 1);
    g_autoptr(GError) local = NULL;
    JsonObject *obj;
    const char *id;

    if (len > QEMU_MONITOR_MAX_MESSAGE) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "QMP message from QEMU is too large (%zu bytes, limit %u)", len,
                    QEMU_MONITOR_MAX_MESSAGE);
        return NULL;
    }
    if (!json_parser_load_from_data(parser, line, (gssize)len, &local)) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "cannot parse QMP message from QEMU: %s", local->message);
        return NULL;
    }
    msg->root = json_parser_steal_root(parser);
    if (!msg->root || !JSON_NODE_HOLDS_OBJECT(msg->root)) {
        qemu_monitor_malformed(error, "not a JSON object");
        return NULL;
    }
    obj = json_node_get_object(msg->root);
    if (!qemu_monitor_classify(msg, obj, error))
        return NULL;
    id = qemu_monitor_object_string(obj, "id");
    msg->id = g_strdup(id);
    return g_steal_pointer(&msg);
}

/**
 * qemu_monitor_reply_serial: the N of a reply's "libvirt-N" id; false for replies
 * without an id of ours.
 */
bool qemu_monitor_reply_serial(const QemuMonitorMessage *reply, unsigned *ret_serial)
{
    guint64 n;

    if (!reply->id || !g_str_has_prefix(reply->id, QEMU_MONITOR_ID_PREFIX))
        return false;
    if (!g_ascii_string_to_unsigned(reply->id + strlen(QEMU_MONITOR_ID_PREFIX), 10, 1, G_MAXUINT,
                                    &n, NULL))
        return false;
    *ret_serial = (unsigned)n;
    return true;
}

/* QEMU's error classes (qapi/error.json) mapped to libvirt's error codes. */
static VirtErrorCode qemu_monitor_error_code(const char *klass)
{
    if (g_str_equal(klass, "CommandNotFound"))
        return VIRT_ERR_OPERATION_UNSUPPORTED;
    if (g_str_equal(klass, "DeviceNotActive") || g_str_equal(klass, "DeviceNotFound"))
        return VIRT_ERR_OPERATION_FAILED;
    return VIRT_ERR_INTERNAL_ERROR;
}

/**
 * qemu_monitor_reply_check: turn an error reply to @command into a GError in the
 * VIRT_QEMU_ERROR domain. The code follows QEMU's error class (CommandNotFound →
 * OPERATION_UNSUPPORTED, DeviceNotFound/DeviceNotActive → OPERATION_FAILED, others
 * INTERNAL_ERROR); the message carries QEMU's description and its class.
 */
bool qemu_monitor_reply_check(const QemuMonitorMessage *reply, const char *command, GError **error)
{
    switch (reply->type) {
    case QEMU_MONITOR_MESSAGE_RETURN:
        return true;
    case QEMU_MONITOR_MESSAGE_ERROR:
        g_set_error(error, VIRT_QEMU_ERROR, qemu_monitor_error_code(reply->error_class),
                    "unable to execute QEMU command '%s': %s (%s)", command, reply->error_desc,
                    reply->error_class);
        return false;
    case QEMU_MONITOR_MESSAGE_GREETING:
    case QEMU_MONITOR_MESSAGE_EVENT:
    case _QEMU_MONITOR_MESSAGE_MAX:
    case _QEMU_MONITOR_MESSAGE_INVALID:
        break;
    }
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                "unexpected QMP message in reply to QEMU command '%s'", command);
    return false;
}

QemuMonitorEventType qemu_monitor_event_type(const QemuMonitorMessage *event)
{
    if (event->type != QEMU_MONITOR_MESSAGE_EVENT)
        return _QEMU_EVENT_INVALID;
    return qemu_monitor_event_type_from_string(event->event);
}

/**
 * qemu_monitor_event_string: a string member of the event's data, or NULL when it is
 * absent or not a string.
 */
const char *qemu_monitor_event_string(const QemuMonitorMessage *event, const char *member)
{
    if (!event->value)
        return NULL;
    return qemu_monitor_object_string(json_node_get_object(event->value), member);
}

bool qemu_monitor_event_bool(const QemuMonitorMessage *event, const char *member, bool fallback)
{
    JsonNode *node;

    if (!event->value)
        return fallback;
    node = json_object_get_member(json_node_get_object(event->value), member);
    if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_BOOLEAN)
        return fallback;
    return json_node_get_boolean(node);
}
