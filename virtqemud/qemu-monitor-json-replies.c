/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Typed readers of the QMP replies the driver relies on (query-status, query-version,
 * query-machines, query-cpu-definitions, query-kvm, query-commands, query-jobs,
 * query-migrate, query-qmp-schema). Each checks the shape it reads.
 */

#include <string.h>

#include "qemu-monitor-json.h"
#include "util/error.h"

ENUM_TABLE_DEFINE(
    qemu_monitor_run_state, QemuMonitorRunState,
    _QEMU_RUN_STATE_MAX, [QEMU_RUN_STATE_DEBUG] = "debug", [QEMU_RUN_STATE_INMIGRATE] = "inmigrate",
    [QEMU_RUN_STATE_INTERNAL_ERROR] = "internal-error", [QEMU_RUN_STATE_IO_ERROR] = "io-error",
    [QEMU_RUN_STATE_PAUSED] = "paused", [QEMU_RUN_STATE_POSTMIGRATE] = "postmigrate",
    [QEMU_RUN_STATE_PRELAUNCH] = "prelaunch", [QEMU_RUN_STATE_FINISH_MIGRATE] = "finish-migrate",
    [QEMU_RUN_STATE_RESTORE_VM] = "restore-vm", [QEMU_RUN_STATE_RUNNING] = "running",
    [QEMU_RUN_STATE_SAVE_VM] = "save-vm", [QEMU_RUN_STATE_SHUTDOWN] = "shutdown",
    [QEMU_RUN_STATE_SUSPENDED] = "suspended", [QEMU_RUN_STATE_WATCHDOG] = "watchdog",
    [QEMU_RUN_STATE_GUEST_PANICKED] = "guest-panicked", [QEMU_RUN_STATE_COLO] = "colo");

struct QemuMonitorSchema {
    GHashTable *commands; /* name -> JsonObject* entry (borrowed from root) */
    GHashTable *events;   /* name -> JsonObject* entry */
    GHashTable *types;    /* masked type name -> JsonObject* entry */
    JsonNode *root;       /* keeps the entries alive */
};

void qemu_monitor_version_clear(QemuMonitorVersion *ver)
{
    g_clear_pointer(&ver->package, g_free);
}

QemuMonitorMachine *qemu_monitor_machine_free(QemuMonitorMachine *machine)
{
    if (!machine)
        return NULL;
    g_free(machine->name);
    g_free(machine->alias);
    g_free(machine->default_cpu_type);
    g_free(machine);
    return NULL;
}

static void qemu_monitor_machine_free_notify(void *p)
{
    qemu_monitor_machine_free(p);
}

QemuMonitorCpuModel *qemu_monitor_cpu_model_free(QemuMonitorCpuModel *model)
{
    if (!model)
        return NULL;
    g_free(model->name);
    g_free(model->alias_of);
    g_free(model);
    return NULL;
}

static void qemu_monitor_cpu_model_free_notify(void *p)
{
    qemu_monitor_cpu_model_free(p);
}

QemuMonitorJob *qemu_monitor_job_free(QemuMonitorJob *job)
{
    if (!job)
        return NULL;
    g_free(job->id);
    g_free(job->type);
    g_free(job->status);
    g_free(job->error);
    g_free(job);
    return NULL;
}

static void qemu_monitor_job_free_notify(void *p)
{
    qemu_monitor_job_free(p);
}

QemuMonitorSchema *qemu_monitor_schema_free(QemuMonitorSchema *schema)
{
    if (!schema)
        return NULL;
    g_hash_table_unref(schema->commands);
    g_hash_table_unref(schema->events);
    g_hash_table_unref(schema->types);
    json_node_unref(schema->root);
    g_free(schema);
    return NULL;
}

static bool qemu_monitor_bad_reply(GError **error, const char *command, const char *what)
{
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                "malformed reply to QEMU command '%s': %s", command, what);
    return false;
}

static JsonObject *qemu_monitor_reply_object(const QemuMonitorMessage *reply, const char *command,
                                             GError **error)
{
    if (!qemu_monitor_reply_check(reply, command, error))
        return NULL;
    if (!JSON_NODE_HOLDS_OBJECT(reply->value)) {
        qemu_monitor_bad_reply(error, command, "return value is not an object");
        return NULL;
    }
    return json_node_get_object(reply->value);
}

static JsonArray *qemu_monitor_reply_array(const QemuMonitorMessage *reply, const char *command,
                                           GError **error)
{
    if (!qemu_monitor_reply_check(reply, command, error))
        return NULL;
    if (!JSON_NODE_HOLDS_ARRAY(reply->value)) {
        qemu_monitor_bad_reply(error, command, "return value is not an array");
        return NULL;
    }
    return json_node_get_array(reply->value);
}

static bool qemu_monitor_node_is(JsonNode *node, GType type)
{
    return node && JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == type;
}

static const char *qemu_monitor_get_string(JsonObject *obj, const char *member)
{
    JsonNode *node = json_object_get_member(obj, member);

    return qemu_monitor_node_is(node, G_TYPE_STRING) ? json_node_get_string(node) : NULL;
}

static bool qemu_monitor_get_bool(JsonObject *obj, const char *member, bool fallback)
{
    JsonNode *node = json_object_get_member(obj, member);

    return qemu_monitor_node_is(node, G_TYPE_BOOLEAN) ? json_node_get_boolean(node) : fallback;
}

static bool qemu_monitor_get_uint(JsonObject *obj, const char *member, unsigned *ret)
{
    JsonNode *node = json_object_get_member(obj, member);
    gint64 v;

    if (!qemu_monitor_node_is(node, G_TYPE_INT64))
        return false;
    v = json_node_get_int(node);
    if (v < 0 || v > G_MAXUINT)
        return false;
    *ret = (unsigned)v;
    return true;
}

/* The {"qemu": {major, minor, micro}, "package"} object of query-version and the greeting. */
static bool qemu_monitor_version_from(JsonObject *obj, const char *command,
                                      QemuMonitorVersion *ret_version, GError **error)
{
    JsonNode *qemu = json_object_get_member(obj, "qemu");
    QemuMonitorVersion ver = { 0 };
    JsonObject *q;

    if (!qemu || !JSON_NODE_HOLDS_OBJECT(qemu))
        return qemu_monitor_bad_reply(error, command, "no 'qemu' version object");
    q = json_node_get_object(qemu);
    if (!qemu_monitor_get_uint(q, "major", &ver.major) ||
        !qemu_monitor_get_uint(q, "minor", &ver.minor) ||
        !qemu_monitor_get_uint(q, "micro", &ver.micro))
        return qemu_monitor_bad_reply(error, command, "version numbers missing");
    ver.package = g_strdup(qemu_monitor_get_string(obj, "package"));
    *ret_version = ver;
    return true;
}

/**
 * qemu_monitor_greeting_version: QEMU's version from the QMP greeting.
 */
bool qemu_monitor_greeting_version(const QemuMonitorMessage *greeting,
                                   QemuMonitorVersion *ret_version, GError **error)
{
    JsonNode *version;

    if (greeting->type != QEMU_MONITOR_MESSAGE_GREETING)
        return qemu_monitor_bad_reply(error, "greeting", "not a QMP greeting");
    version = json_object_get_member(json_node_get_object(greeting->value), "version");
    if (!version || !JSON_NODE_HOLDS_OBJECT(version))
        return qemu_monitor_bad_reply(error, "greeting", "no version object");
    return qemu_monitor_version_from(json_node_get_object(version), "greeting", ret_version, error);
}

bool qemu_monitor_parse_version(const QemuMonitorMessage *reply, QemuMonitorVersion *ret_version,
                                GError **error)
{
    JsonObject *obj = qemu_monitor_reply_object(reply, "query-version", error);

    if (!obj)
        return false;
    return qemu_monitor_version_from(obj, "query-version", ret_version, error);
}

/**
 * qemu_monitor_parse_status: query-status. Unknown run states (a newer QEMU) are an
 * error rather than a guess.
 */
bool qemu_monitor_parse_status(const QemuMonitorMessage *reply, QemuMonitorStatus *ret_status,
                               GError **error)
{
    JsonObject *obj = qemu_monitor_reply_object(reply, "query-status", error);
    const char *status;
    QemuMonitorRunState state;

    if (!obj)
        return false;
    status = qemu_monitor_get_string(obj, "status");
    state = qemu_monitor_run_state_from_string(status);
    if (state < 0) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "QEMU reported an unknown run state '%s'", status ? status : "");
        return false;
    }
    *ret_status = (QemuMonitorStatus){
        .state = state,
        .running = qemu_monitor_get_bool(obj, "running", false),
    };
    return true;
}

bool qemu_monitor_parse_target_arch(const QemuMonitorMessage *reply, char **ret_arch,
                                    GError **error)
{
    JsonObject *obj = qemu_monitor_reply_object(reply, "query-target", error);
    const char *arch;

    if (!obj)
        return false;
    arch = qemu_monitor_get_string(obj, "arch");
    if (!arch)
        return qemu_monitor_bad_reply(error, "query-target", "no 'arch'");
    *ret_arch = g_strdup(arch);
    return true;
}

/**
 * qemu_monitor_parse_kvm: query-kvm. "present" is KVM support compiled in; "enabled"
 * is whether this QEMU runs with KVM, i.e. usable when the probe asked for it.
 */
bool qemu_monitor_parse_kvm(const QemuMonitorMessage *reply, bool *ret_present, bool *ret_enabled,
                            GError **error)
{
    JsonObject *obj = qemu_monitor_reply_object(reply, "query-kvm", error);

    if (!obj)
        return false;
    *ret_present = qemu_monitor_get_bool(obj, "present", false);
    *ret_enabled = qemu_monitor_get_bool(obj, "enabled", false);
    return true;
}

static QemuMonitorMachine *qemu_monitor_machine_from(JsonObject *obj)
{
    QemuMonitorMachine *m;
    const char *name = qemu_monitor_get_string(obj, "name");

    if (!name)
        return NULL;
    m = g_new0(QemuMonitorMachine, 1);
    m->name = g_strdup(name);
    m->alias = g_strdup(qemu_monitor_get_string(obj, "alias"));
    m->is_default = qemu_monitor_get_bool(obj, "is-default", false);
    m->deprecated = qemu_monitor_get_bool(obj, "deprecated", false);
    m->default_cpu_type = g_strdup(qemu_monitor_get_string(obj, "default-cpu-type"));
    if (!qemu_monitor_get_uint(obj, "cpu-max", &m->max_cpus))
        m->max_cpus = 1;
    return m;
}

/**
 * qemu_monitor_parse_machines: query-machines as QemuMonitorMachine*, in QEMU's order.
 */
GPtrArray *qemu_monitor_parse_machines(const QemuMonitorMessage *reply, GError **error)
{
    JsonArray *array = qemu_monitor_reply_array(reply, "query-machines", error);
    g_autoptr(GPtrArray) machines = NULL;

    if (!array)
        return NULL;
    machines = g_ptr_array_new_with_free_func(qemu_monitor_machine_free_notify);
    for (guint i = 0; i < json_array_get_length(array); i++) {
        JsonNode *node = json_array_get_element(array, i);
        QemuMonitorMachine *m = NULL;

        if (JSON_NODE_HOLDS_OBJECT(node))
            m = qemu_monitor_machine_from(json_node_get_object(node));
        if (!m) {
            qemu_monitor_bad_reply(error, "query-machines", "entry without a name");
            return NULL;
        }
        g_ptr_array_add(machines, m);
    }
    return g_steal_pointer(&machines);
}

static QemuMonitorCpuModel *qemu_monitor_cpu_model_from(JsonObject *obj)
{
    QemuMonitorCpuModel *model;
    const char *name = qemu_monitor_get_string(obj, "name");
    JsonNode *unavailable = json_object_get_member(obj, "unavailable-features");

    if (!name)
        return NULL;
    model = g_new0(QemuMonitorCpuModel, 1);
    model->name = g_strdup(name);
    model->deprecated = qemu_monitor_get_bool(obj, "deprecated", false);
    model->alias_of = g_strdup(qemu_monitor_get_string(obj, "alias-of"));
    /* without the member QEMU cannot tell; libvirt then treats the model as usable */
    model->usable = !unavailable || !JSON_NODE_HOLDS_ARRAY(unavailable) ||
                    json_array_get_length(json_node_get_array(unavailable)) == 0;
    return model;
}

GPtrArray *qemu_monitor_parse_cpu_models(const QemuMonitorMessage *reply, GError **error)
{
    JsonArray *array = qemu_monitor_reply_array(reply, "query-cpu-definitions", error);
    g_autoptr(GPtrArray) models = NULL;

    if (!array)
        return NULL;
    models = g_ptr_array_new_with_free_func(qemu_monitor_cpu_model_free_notify);
    for (guint i = 0; i < json_array_get_length(array); i++) {
        JsonNode *node = json_array_get_element(array, i);
        QemuMonitorCpuModel *m = NULL;

        if (JSON_NODE_HOLDS_OBJECT(node))
            m = qemu_monitor_cpu_model_from(json_node_get_object(node));
        if (!m) {
            qemu_monitor_bad_reply(error, "query-cpu-definitions", "entry without a name");
            return NULL;
        }
        g_ptr_array_add(models, m);
    }
    return g_steal_pointer(&models);
}

/**
 * qemu_monitor_parse_names: the "name" of every entry of an array reply
 * (query-commands, qom-list-types), sorted.
 */
static int qemu_monitor_strcmp_ptr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

GStrv qemu_monitor_parse_names(const QemuMonitorMessage *reply, const char *command, GError **error)
{
    JsonArray *array = qemu_monitor_reply_array(reply, command, error);
    g_autoptr(GStrvBuilder) builder = NULL;
    GStrv names;

    if (!array)
        return NULL;
    builder = g_strv_builder_new();
    for (guint i = 0; i < json_array_get_length(array); i++) {
        JsonNode *node = json_array_get_element(array, i);
        const char *name = NULL;

        if (JSON_NODE_HOLDS_OBJECT(node))
            name = qemu_monitor_get_string(json_node_get_object(node), "name");
        if (!name) {
            qemu_monitor_bad_reply(error, command, "entry without a name");
            return NULL;
        }
        g_strv_builder_add(builder, name);
    }
    names = g_strv_builder_end(builder);
    qsort(names, g_strv_length(names), sizeof(char *), qemu_monitor_strcmp_ptr);
    return names;
}

/**
 * qemu_monitor_parse_jobs: query-jobs. A job that failed concludes like a successful
 * one; its "error" member is the only trace of the failure.
 */
GPtrArray *qemu_monitor_parse_jobs(const QemuMonitorMessage *reply, GError **error)
{
    JsonArray *array = qemu_monitor_reply_array(reply, "query-jobs", error);
    g_autoptr(GPtrArray) jobs = NULL;

    if (!array)
        return NULL;
    jobs = g_ptr_array_new_with_free_func(qemu_monitor_job_free_notify);
    for (guint i = 0; i < json_array_get_length(array); i++) {
        JsonNode *node = json_array_get_element(array, i);
        JsonObject *obj;
        QemuMonitorJob *job;

        if (!JSON_NODE_HOLDS_OBJECT(node) ||
            !qemu_monitor_get_string(json_node_get_object(node), "id")) {
            qemu_monitor_bad_reply(error, "query-jobs", "entry without an id");
            return NULL;
        }
        obj = json_node_get_object(node);
        job = g_new0(QemuMonitorJob, 1);
        job->id = g_strdup(qemu_monitor_get_string(obj, "id"));
        job->type = g_strdup(qemu_monitor_get_string(obj, "type"));
        job->status = g_strdup(qemu_monitor_get_string(obj, "status"));
        job->error = g_strdup(qemu_monitor_get_string(obj, "error"));
        g_ptr_array_add(jobs, job);
    }
    return g_steal_pointer(&jobs);
}

/**
 * qemu_monitor_parse_migrate: query-migrate: the status ("completed", "failed", ...;
 * NULL before any migration) and QEMU's error description when it failed.
 */
bool qemu_monitor_parse_migrate(const QemuMonitorMessage *reply, char **ret_status,
                                char **ret_error, GError **error)
{
    JsonObject *obj = qemu_monitor_reply_object(reply, "query-migrate", error);

    if (!obj)
        return false;
    *ret_status = g_strdup(qemu_monitor_get_string(obj, "status"));
    *ret_error = g_strdup(qemu_monitor_get_string(obj, "error-desc"));
    return true;
}

/* ---- query-qmp-schema ---- */

/**
 * qemu_monitor_parse_schema: index query-qmp-schema by command, event and type name.
 * Type names other than built-ins are masked numbers that change between QEMU builds,
 * so queries always start from a command or an event.
 */
QemuMonitorSchema *qemu_monitor_parse_schema(const QemuMonitorMessage *reply, GError **error)
{
    JsonArray *array = qemu_monitor_reply_array(reply, "query-qmp-schema", error);
    g_autoptr(QemuMonitorSchema) schema = NULL;

    if (!array)
        return NULL;
    schema = g_new0(QemuMonitorSchema, 1);
    schema->commands = g_hash_table_new(g_str_hash, g_str_equal);
    schema->events = g_hash_table_new(g_str_hash, g_str_equal);
    schema->types = g_hash_table_new(g_str_hash, g_str_equal);
    schema->root = json_node_ref(reply->value);
    for (guint i = 0; i < json_array_get_length(array); i++) {
        JsonNode *node = json_array_get_element(array, i);
        JsonObject *entry;
        const char *name, *meta;

        if (!JSON_NODE_HOLDS_OBJECT(node))
            continue;
        entry = json_node_get_object(node);
        name = qemu_monitor_get_string(entry, "name");
        meta = qemu_monitor_get_string(entry, "meta-type");
        if (!name || !meta) {
            qemu_monitor_bad_reply(error, "query-qmp-schema", "entry without name or meta-type");
            return NULL;
        }
        if (g_str_equal(meta, "command"))
            g_hash_table_insert(schema->commands, (char *)name, entry);
        else if (g_str_equal(meta, "event"))
            g_hash_table_insert(schema->events, (char *)name, entry);
        else
            g_hash_table_insert(schema->types, (char *)name, entry);
    }
    return g_steal_pointer(&schema);
}

bool qemu_monitor_schema_has_command(const QemuMonitorSchema *schema, const char *command)
{
    return g_hash_table_contains(schema->commands, command);
}

bool qemu_monitor_schema_has_event(const QemuMonitorSchema *schema, const char *event)
{
    return g_hash_table_contains(schema->events, event);
}

static JsonObject *qemu_monitor_schema_type(const QemuMonitorSchema *schema, const char *name)
{
    return name ? g_hash_table_lookup(schema->types, name) : NULL;
}

/* The member @arg of an object type, looking into union variants as well. */
static JsonObject *qemu_monitor_schema_member(const QemuMonitorSchema *schema, JsonObject *type,
                                              const char *arg, unsigned depth)
{
    const char *lists[] = { "members", "variants" };

    if (!type || depth > 4)
        return NULL;
    for (size_t l = 0; l < G_N_ELEMENTS(lists); l++) {
        JsonNode *node = json_object_get_member(type, lists[l]);
        JsonArray *array;

        if (!node || !JSON_NODE_HOLDS_ARRAY(node))
            continue;
        array = json_node_get_array(node);
        for (guint i = 0; i < json_array_get_length(array); i++) {
            JsonNode *m = json_array_get_element(array, i);
            JsonObject *obj = JSON_NODE_HOLDS_OBJECT(m) ? json_node_get_object(m) : NULL;
            JsonObject *found;

            if (!obj)
                continue;
            if (l == 0 && g_strcmp0(qemu_monitor_get_string(obj, "name"), arg) == 0)
                return obj;
            if (l == 0)
                continue;
            found = qemu_monitor_schema_member(
                schema, qemu_monitor_schema_type(schema, qemu_monitor_get_string(obj, "type")), arg,
                depth + 1);
            if (found)
                return found;
        }
    }
    return NULL;
}

static JsonObject *qemu_monitor_schema_command_arg(const QemuMonitorSchema *schema,
                                                   const char *command, const char *arg)
{
    JsonObject *cmd = g_hash_table_lookup(schema->commands, command);

    if (!cmd)
        return NULL;
    return qemu_monitor_schema_member(
        schema, qemu_monitor_schema_type(schema, qemu_monitor_get_string(cmd, "arg-type")), arg, 0);
}

/**
 * qemu_monitor_schema_command_has_arg: whether @command takes an argument @arg (in its
 * argument object or any of its union variants).
 */
bool qemu_monitor_schema_command_has_arg(const QemuMonitorSchema *schema, const char *command,
                                         const char *arg)
{
    return qemu_monitor_schema_command_arg(schema, command, arg) != NULL;
}

/**
 * qemu_monitor_schema_arg_enum_has: whether the enum-typed argument @arg of @command
 * accepts @value (e.g. blockdev-add driver qcow2).
 */
bool qemu_monitor_schema_arg_enum_has(const QemuMonitorSchema *schema, const char *command,
                                      const char *arg, const char *value)
{
    JsonObject *member = qemu_monitor_schema_command_arg(schema, command, arg);
    JsonObject *type;
    JsonNode *values;

    if (!member)
        return false;
    type = qemu_monitor_schema_type(schema, qemu_monitor_get_string(member, "type"));
    if (!type || g_strcmp0(qemu_monitor_get_string(type, "meta-type"), "enum") != 0)
        return false;
    values = json_object_get_member(type, "values");
    if (!values || !JSON_NODE_HOLDS_ARRAY(values))
        return false;
    for (guint i = 0; i < json_array_get_length(json_node_get_array(values)); i++) {
        JsonNode *v = json_array_get_element(json_node_get_array(values), i);

        if (qemu_monitor_node_is(v, G_TYPE_STRING) && g_str_equal(json_node_get_string(v), value))
            return true;
    }
    return false;
}

/**
 * qemu_monitor_schema_command_has_feature: whether @command is tagged with @feature
 * (e.g. device_add "json-cli": -device accepts JSON).
 */
bool qemu_monitor_schema_command_has_feature(const QemuMonitorSchema *schema, const char *command,
                                             const char *feature)
{
    JsonObject *cmd = g_hash_table_lookup(schema->commands, command);
    JsonNode *features = cmd ? json_object_get_member(cmd, "features") : NULL;

    if (!features || !JSON_NODE_HOLDS_ARRAY(features))
        return false;
    for (guint i = 0; i < json_array_get_length(json_node_get_array(features)); i++) {
        JsonNode *f = json_array_get_element(json_node_get_array(features), i);

        if (qemu_monitor_node_is(f, G_TYPE_STRING) && g_str_equal(json_node_get_string(f), feature))
            return true;
    }
    return false;
}
