/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * QMP messages, pure: commands are built as text lines with libvirt's "libvirt-N" ids,
 * and lines read from the monitor are parsed into greetings, replies and events, with
 * typed readers for the replies the driver relies on. The socket I/O lives in
 * qemu-monitor.c; nothing here touches a file descriptor or a clock.
 */

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/enum-table.h"

/* A peer-controlled size: the largest line we accept (query-qmp-schema is ~250 KiB). */
#define QEMU_MONITOR_MAX_MESSAGE (16u * 1024 * 1024)

typedef enum QemuMonitorMessageType {
    QEMU_MONITOR_MESSAGE_GREETING,
    QEMU_MONITOR_MESSAGE_RETURN,
    QEMU_MONITOR_MESSAGE_ERROR,
    QEMU_MONITOR_MESSAGE_EVENT,
    _QEMU_MONITOR_MESSAGE_MAX,
    _QEMU_MONITOR_MESSAGE_INVALID = -EINVAL,
} QemuMonitorMessageType;
ENUM_TABLE_DECLARE(qemu_monitor_message_type, QemuMonitorMessageType);

typedef struct QemuMonitorMessage {
    QemuMonitorMessageType type;
    JsonNode *root;  /* the whole message */
    char *id;        /* replies: the command's id, NULL when QEMU sent none */
    JsonNode *value; /* borrowed from root: "return", event "data" or greeting "QMP" */
    char *error_class;
    char *error_desc;
    char *event;
    int64_t ts_seconds; /* events: QEMU's timestamp */
    int64_t ts_microseconds;
} QemuMonitorMessage;

/* Command, as built: execute name and optional arguments. */
typedef struct QemuMonitorCommand {
    char *name;
    JsonObject *args; /* NULL = no arguments */
} QemuMonitorCommand;

typedef enum QemuMonitorRunState {
    QEMU_RUN_STATE_DEBUG,
    QEMU_RUN_STATE_INMIGRATE,
    QEMU_RUN_STATE_INTERNAL_ERROR,
    QEMU_RUN_STATE_IO_ERROR,
    QEMU_RUN_STATE_PAUSED,
    QEMU_RUN_STATE_POSTMIGRATE,
    QEMU_RUN_STATE_PRELAUNCH,
    QEMU_RUN_STATE_FINISH_MIGRATE,
    QEMU_RUN_STATE_RESTORE_VM,
    QEMU_RUN_STATE_RUNNING,
    QEMU_RUN_STATE_SAVE_VM,
    QEMU_RUN_STATE_SHUTDOWN,
    QEMU_RUN_STATE_SUSPENDED,
    QEMU_RUN_STATE_WATCHDOG,
    QEMU_RUN_STATE_GUEST_PANICKED,
    QEMU_RUN_STATE_COLO,
    _QEMU_RUN_STATE_MAX,
    _QEMU_RUN_STATE_INVALID = -EINVAL,
} QemuMonitorRunState;
ENUM_TABLE_DECLARE(qemu_monitor_run_state, QemuMonitorRunState);

/* The events the driver acts on; others parse fine and keep their name. */
typedef enum QemuMonitorEventType {
    QEMU_EVENT_SHUTDOWN,
    QEMU_EVENT_POWERDOWN,
    QEMU_EVENT_RESET,
    QEMU_EVENT_STOP,
    QEMU_EVENT_RESUME,
    QEMU_EVENT_SUSPEND,
    QEMU_EVENT_WAKEUP,
    QEMU_EVENT_GUEST_PANICKED,
    QEMU_EVENT_JOB_STATUS_CHANGE,
    QEMU_EVENT_MIGRATION,
    QEMU_EVENT_MIGRATION_PASS,
    QEMU_EVENT_DEVICE_DELETED,
    QEMU_EVENT_BLOCK_JOB_COMPLETED,
    _QEMU_EVENT_MAX,
    _QEMU_EVENT_INVALID = -EINVAL,
} QemuMonitorEventType;
ENUM_TABLE_DECLARE(qemu_monitor_event_type, QemuMonitorEventType);

typedef struct QemuMonitorVersion {
    unsigned major, minor, micro;
    char *package;
} QemuMonitorVersion;

typedef struct QemuMonitorStatus {
    QemuMonitorRunState state;
    bool running;
} QemuMonitorStatus;

typedef struct QemuMonitorMachine {
    char *name;
    char *alias; /* "pc", "q35" or NULL */
    bool is_default;
    unsigned max_cpus;
    bool deprecated;
    char *default_cpu_type; /* "qemu64-x86_64-cpu" or NULL */
} QemuMonitorMachine;

typedef struct QemuMonitorCpuModel {
    char *name;
    bool usable; /* no unavailable features with the accelerator probed */
    bool deprecated;
    char *alias_of; /* versioned model this alias resolves to, or NULL */
} QemuMonitorCpuModel;

typedef struct QemuMonitorJob {
    char *id;
    char *type;   /* "snapshot-save", ... */
    char *status; /* "concluded", ... */
    char *error;  /* a failed job still concludes: its error is only here */
} QemuMonitorJob;

/* The part of query-qmp-schema we query: commands with their argument objects, events,
 * and every entity by its (masked) type name so arguments can be followed. */
typedef struct QemuMonitorSchema QemuMonitorSchema;

/* lifecycle */
QemuMonitorMessage *qemu_monitor_message_free(QemuMonitorMessage *msg);
QemuMonitorCommand *qemu_monitor_command_new(const char *name);
QemuMonitorCommand *qemu_monitor_command_free(QemuMonitorCommand *cmd);
void qemu_monitor_version_clear(QemuMonitorVersion *ver);
QemuMonitorMachine *qemu_monitor_machine_free(QemuMonitorMachine *machine);
QemuMonitorCpuModel *qemu_monitor_cpu_model_free(QemuMonitorCpuModel *model);
QemuMonitorJob *qemu_monitor_job_free(QemuMonitorJob *job);
QemuMonitorSchema *qemu_monitor_schema_free(QemuMonitorSchema *schema);

/* building commands */
char *qemu_monitor_command_format(const QemuMonitorCommand *cmd, unsigned serial);
char *qemu_monitor_serial_id(unsigned serial);
QemuMonitorCommand *qemu_monitor_cmd_snapshot_save(const char *job_id, const char *tag,
                                                   const char *vmstate, const char *const *devices);
QemuMonitorCommand *qemu_monitor_cmd_snapshot_load(const char *job_id, const char *tag,
                                                   const char *vmstate, const char *const *devices);
QemuMonitorCommand *qemu_monitor_cmd_snapshot_delete(const char *job_id, const char *tag,
                                                     const char *const *devices);
QemuMonitorCommand *qemu_monitor_cmd_job_dismiss(const char *job_id);
QemuMonitorCommand *qemu_monitor_cmd_job(const char *command, const char *job_id);
QemuMonitorCommand *qemu_monitor_cmd_block_commit(const char *job_id, const char *top,
                                                  const char *base_node);
QemuMonitorCommand *qemu_monitor_cmd_set_action_shutdown(const char *action);
QemuMonitorCommand *qemu_monitor_cmd_migrate_set_events(void);
QemuMonitorCommand *qemu_monitor_cmd_migrate(const char *uri);
QemuMonitorCommand *qemu_monitor_cmd_getfd(const char *fdname);
QemuMonitorCommand *qemu_monitor_cmd_blockdev_add_file(const char *node_name, const char *filename);
QemuMonitorCommand *qemu_monitor_cmd_blockdev_add_overlay(const char *node_name, const char *format,
                                                          const char *file_node);
QemuMonitorCommand *qemu_monitor_cmd_blockdev_snapshot(const char *node, const char *overlay);
QemuMonitorCommand *qemu_monitor_cmd_qom_list_types(const char *implements, bool abstract_too);

/* parsing what QEMU sends */
QemuMonitorMessage *qemu_monitor_message_parse(const char *line, size_t len, GError **error);
bool qemu_monitor_reply_check(const QemuMonitorMessage *reply, const char *command, GError **error);
bool qemu_monitor_reply_serial(const QemuMonitorMessage *reply, unsigned *ret_serial);
bool qemu_monitor_greeting_version(const QemuMonitorMessage *greeting,
                                   QemuMonitorVersion *ret_version, GError **error);
QemuMonitorEventType qemu_monitor_event_type(const QemuMonitorMessage *event);
const char *qemu_monitor_event_string(const QemuMonitorMessage *event, const char *member);
bool qemu_monitor_event_bool(const QemuMonitorMessage *event, const char *member, bool fallback);

/* typed replies: @reply must be a successful reply of that command */
bool qemu_monitor_parse_status(const QemuMonitorMessage *reply, QemuMonitorStatus *ret_status,
                               GError **error);
bool qemu_monitor_parse_version(const QemuMonitorMessage *reply, QemuMonitorVersion *ret_version,
                                GError **error);
bool qemu_monitor_parse_target_arch(const QemuMonitorMessage *reply, char **ret_arch,
                                    GError **error);
bool qemu_monitor_parse_kvm(const QemuMonitorMessage *reply, bool *ret_present, bool *ret_enabled,
                            GError **error);
GPtrArray *qemu_monitor_parse_machines(const QemuMonitorMessage *reply, GError **error);
GPtrArray *qemu_monitor_parse_cpu_models(const QemuMonitorMessage *reply, GError **error);
GStrv qemu_monitor_parse_names(const QemuMonitorMessage *reply, const char *command,
                               GError **error);
GPtrArray *qemu_monitor_parse_jobs(const QemuMonitorMessage *reply, GError **error);
bool qemu_monitor_parse_migrate(const QemuMonitorMessage *reply, char **ret_status,
                                char **ret_error, GError **error);
QemuMonitorSchema *qemu_monitor_parse_schema(const QemuMonitorMessage *reply, GError **error);

/* schema queries */
bool qemu_monitor_schema_has_command(const QemuMonitorSchema *schema, const char *command);
bool qemu_monitor_schema_has_event(const QemuMonitorSchema *schema, const char *event);
bool qemu_monitor_schema_command_has_arg(const QemuMonitorSchema *schema, const char *command,
                                         const char *arg);
bool qemu_monitor_schema_command_has_feature(const QemuMonitorSchema *schema, const char *command,
                                             const char *feature);
bool qemu_monitor_schema_arg_enum_has(const QemuMonitorSchema *schema, const char *command,
                                      const char *arg, const char *value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorMessage, qemu_monitor_message_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorCommand, qemu_monitor_command_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(QemuMonitorVersion, qemu_monitor_version_clear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorMachine, qemu_monitor_machine_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorCpuModel, qemu_monitor_cpu_model_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorJob, qemu_monitor_job_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorSchema, qemu_monitor_schema_free)
