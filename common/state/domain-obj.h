/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Live domain objects: a definition plus run state, flags and a per-domain job lock.
 *
 * Locking: every field below `lock` is read and written only with `lock` held, and
 * only for a short time (no I/O, no waiting). State changes are serialized by the job
 * (domain_obj_begin_job): a caller that changes state first takes the job, which fails
 * at once when another job holds it, then commits its changes under `lock`. Readers
 * never take the job; they copy what they need under `lock` and so always see the last
 * committed state. Installed DomainDefs are never modified in place: a change builds a
 * new def and swaps it in under `lock`.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "conf/domain-def.h"
#include "util/enum-table.h"

/* virDomainState: numbers travel on the wire. */
typedef enum DomainState {
    DOMAIN_STATE_NOSTATE = 0,
    DOMAIN_STATE_RUNNING = 1,
    DOMAIN_STATE_BLOCKED = 2,
    DOMAIN_STATE_PAUSED = 3,
    DOMAIN_STATE_SHUTDOWN = 4,
    DOMAIN_STATE_SHUTOFF = 5,
    DOMAIN_STATE_CRASHED = 6,
    DOMAIN_STATE_PMSUSPENDED = 7,
    _DOMAIN_STATE_MAX,
    _DOMAIN_STATE_INVALID = -EINVAL,
} DomainState;
/* The words virsh prints: "running", "shut off", "in shutdown", ... */
ENUM_TABLE_DECLARE(domain_state, DomainState);

typedef enum DomainNostateReason {
    DOMAIN_NOSTATE_UNKNOWN = 0,
    _DOMAIN_NOSTATE_MAX,
    _DOMAIN_NOSTATE_INVALID = -EINVAL,
} DomainNostateReason;
ENUM_TABLE_DECLARE(domain_nostate_reason, DomainNostateReason);

typedef enum DomainRunningReason {
    DOMAIN_RUNNING_UNKNOWN = 0,
    DOMAIN_RUNNING_BOOTED = 1,
    DOMAIN_RUNNING_MIGRATED = 2,
    DOMAIN_RUNNING_RESTORED = 3,
    DOMAIN_RUNNING_FROM_SNAPSHOT = 4,
    DOMAIN_RUNNING_UNPAUSED = 5,
    DOMAIN_RUNNING_MIGRATION_CANCELED = 6,
    DOMAIN_RUNNING_SAVE_CANCELED = 7,
    DOMAIN_RUNNING_WAKEUP = 8,
    DOMAIN_RUNNING_CRASHED = 9,
    DOMAIN_RUNNING_POSTCOPY = 10,
    DOMAIN_RUNNING_POSTCOPY_FAILED = 11,
    _DOMAIN_RUNNING_MAX,
    _DOMAIN_RUNNING_INVALID = -EINVAL,
} DomainRunningReason;
ENUM_TABLE_DECLARE(domain_running_reason, DomainRunningReason);

typedef enum DomainBlockedReason {
    DOMAIN_BLOCKED_UNKNOWN = 0,
    _DOMAIN_BLOCKED_MAX,
    _DOMAIN_BLOCKED_INVALID = -EINVAL,
} DomainBlockedReason;
ENUM_TABLE_DECLARE(domain_blocked_reason, DomainBlockedReason);

typedef enum DomainPausedReason {
    DOMAIN_PAUSED_UNKNOWN = 0,
    DOMAIN_PAUSED_USER = 1,
    DOMAIN_PAUSED_MIGRATION = 2,
    DOMAIN_PAUSED_SAVE = 3,
    DOMAIN_PAUSED_DUMP = 4,
    DOMAIN_PAUSED_IOERROR = 5,
    DOMAIN_PAUSED_WATCHDOG = 6,
    DOMAIN_PAUSED_FROM_SNAPSHOT = 7,
    DOMAIN_PAUSED_SHUTTING_DOWN = 8,
    DOMAIN_PAUSED_SNAPSHOT = 9,
    DOMAIN_PAUSED_CRASHED = 10,
    DOMAIN_PAUSED_STARTING_UP = 11,
    DOMAIN_PAUSED_POSTCOPY = 12,
    DOMAIN_PAUSED_POSTCOPY_FAILED = 13,
    DOMAIN_PAUSED_API_ERROR = 14,
    _DOMAIN_PAUSED_MAX,
    _DOMAIN_PAUSED_INVALID = -EINVAL,
} DomainPausedReason;
ENUM_TABLE_DECLARE(domain_paused_reason, DomainPausedReason);

typedef enum DomainShutdownReason {
    DOMAIN_SHUTDOWN_UNKNOWN = 0,
    DOMAIN_SHUTDOWN_USER = 1,
    _DOMAIN_SHUTDOWN_MAX,
    _DOMAIN_SHUTDOWN_INVALID = -EINVAL,
} DomainShutdownReason;
ENUM_TABLE_DECLARE(domain_shutdown_reason, DomainShutdownReason);

typedef enum DomainShutoffReason {
    DOMAIN_SHUTOFF_UNKNOWN = 0,
    DOMAIN_SHUTOFF_SHUTDOWN = 1,
    DOMAIN_SHUTOFF_DESTROYED = 2,
    DOMAIN_SHUTOFF_CRASHED = 3,
    DOMAIN_SHUTOFF_MIGRATED = 4,
    DOMAIN_SHUTOFF_SAVED = 5,
    DOMAIN_SHUTOFF_FAILED = 6,
    DOMAIN_SHUTOFF_FROM_SNAPSHOT = 7,
    DOMAIN_SHUTOFF_DAEMON = 8,
    _DOMAIN_SHUTOFF_MAX,
    _DOMAIN_SHUTOFF_INVALID = -EINVAL,
} DomainShutoffReason;
ENUM_TABLE_DECLARE(domain_shutoff_reason, DomainShutoffReason);

typedef enum DomainCrashedReason {
    DOMAIN_CRASHED_UNKNOWN = 0,
    DOMAIN_CRASHED_PANICKED = 1,
    _DOMAIN_CRASHED_MAX,
    _DOMAIN_CRASHED_INVALID = -EINVAL,
} DomainCrashedReason;
ENUM_TABLE_DECLARE(domain_crashed_reason, DomainCrashedReason);

typedef enum DomainPmsuspendedReason {
    DOMAIN_PMSUSPENDED_UNKNOWN = 0,
    _DOMAIN_PMSUSPENDED_MAX,
    _DOMAIN_PMSUSPENDED_INVALID = -EINVAL,
} DomainPmsuspendedReason;
ENUM_TABLE_DECLARE(domain_pmsuspended_reason, DomainPmsuspendedReason);

/* virDomainEventType and the per-event details (lifecycle events). */
typedef enum DomainEventType {
    DOMAIN_EVENT_DEFINED = 0,
    DOMAIN_EVENT_UNDEFINED = 1,
    DOMAIN_EVENT_STARTED = 2,
    DOMAIN_EVENT_SUSPENDED = 3,
    DOMAIN_EVENT_RESUMED = 4,
    DOMAIN_EVENT_STOPPED = 5,
    DOMAIN_EVENT_SHUTDOWN = 6,
    DOMAIN_EVENT_PMSUSPENDED = 7,
    DOMAIN_EVENT_CRASHED = 8,
    _DOMAIN_EVENT_MAX,
    _DOMAIN_EVENT_INVALID = -EINVAL,
} DomainEventType;
ENUM_TABLE_DECLARE(domain_event_type, DomainEventType);

enum {
    DOMAIN_EVENT_DEFINED_ADDED = 0,
    DOMAIN_EVENT_DEFINED_UPDATED = 1,
    DOMAIN_EVENT_DEFINED_RENAMED = 2,
    DOMAIN_EVENT_DEFINED_FROM_SNAPSHOT = 3,
    DOMAIN_EVENT_UNDEFINED_REMOVED = 0,
    DOMAIN_EVENT_UNDEFINED_RENAMED = 1,
    DOMAIN_EVENT_STARTED_BOOTED = 0,
    DOMAIN_EVENT_STARTED_MIGRATED = 1,
    DOMAIN_EVENT_STARTED_RESTORED = 2,
    DOMAIN_EVENT_STARTED_FROM_SNAPSHOT = 3,
    DOMAIN_EVENT_STARTED_WAKEUP = 4,
    DOMAIN_EVENT_SUSPENDED_PAUSED = 0,
    DOMAIN_EVENT_SUSPENDED_MIGRATED = 1,
    DOMAIN_EVENT_SUSPENDED_IOERROR = 2,
    DOMAIN_EVENT_SUSPENDED_WATCHDOG = 3,
    DOMAIN_EVENT_SUSPENDED_RESTORED = 4,
    DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT = 5,
    DOMAIN_EVENT_SUSPENDED_API_ERROR = 6,
    DOMAIN_EVENT_RESUMED_UNPAUSED = 0,
    DOMAIN_EVENT_RESUMED_MIGRATED = 1,
    DOMAIN_EVENT_RESUMED_FROM_SNAPSHOT = 2,
    DOMAIN_EVENT_STOPPED_SHUTDOWN = 0,
    DOMAIN_EVENT_STOPPED_DESTROYED = 1,
    DOMAIN_EVENT_STOPPED_CRASHED = 2,
    DOMAIN_EVENT_STOPPED_MIGRATED = 3,
    DOMAIN_EVENT_STOPPED_SAVED = 4,
    DOMAIN_EVENT_STOPPED_FAILED = 5,
    DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT = 6,
    DOMAIN_EVENT_SHUTDOWN_FINISHED = 0,
    DOMAIN_EVENT_SHUTDOWN_GUEST = 1,
    DOMAIN_EVENT_SHUTDOWN_HOST = 2,
};

typedef struct DomainObj {
    GMutex lock;
    gint refcount; /* atomic; not protected by lock */

    DomainDef *def;     /* live definition while active, else the persistent one */
    DomainDef *new_def; /* persistent config waiting for the next stop; NULL if none */
    int id;             /* -1 while inactive */
    DomainState state;
    int reason; /* per-state reason enum above */
    bool persistent;
    bool autostart;
    bool has_managed_save;
    bool managed_save_paused; /* drivers without an image header (test): the image resumes
                                 paused (SAVE_PAUSED, or saved paused without SAVE_RUNNING) */
    bool updated;             /* live config changed without the persistent one */
    bool removed;             /* taken out of its list; every later job fails */
    unsigned int n_snapshots; /* kept up to date by the owner of snapshot metadata */
    unsigned int n_checkpoints;
    const char *job; /* name of the running job (static string); NULL when idle */
    GCond job_cond;  /* broadcast when the job ends (destroy waits for a killed job) */

    void *priv; /* driver-private data, freed with priv_free */
    GDestroyNotify priv_free;
} DomainObj;

/* A copy of what readers look at, taken under the lock in one go. */
typedef struct DomainObjFacts {
    int id;
    DomainState state;
    int reason;
    bool active;
    bool persistent;
    bool autostart;
    bool has_managed_save;
    bool updated;
    unsigned int n_snapshots;
    unsigned int n_checkpoints;
} DomainObjFacts;

/* lifecycle */
DomainObj *domain_obj_new(DomainDef *def);
DomainObj *domain_obj_ref(DomainObj *obj);
DomainObj *domain_obj_unref(DomainObj *obj);

/* reasons (virsh's words) */
const char *domain_state_reason_to_string(DomainState state, int reason);
int domain_state_reason_from_string(DomainState state, const char *str);

/* locked helpers: caller holds obj->lock */
bool domain_obj_is_active_locked(const DomainObj *obj);
void domain_obj_set_state_locked(DomainObj *obj, DomainState state, int reason);
void domain_obj_get_facts_locked(const DomainObj *obj, DomainObjFacts *ret_facts);
/* The definition that survives a stop: new_def when pending, else def. */
const DomainDef *domain_obj_persistent_def_locked(const DomainObj *obj);

/* unlocked convenience: take the lock themselves */
void domain_obj_get_facts(DomainObj *obj, DomainObjFacts *ret_facts);

/* jobs */
bool domain_obj_begin_job(DomainObj *obj, const char *job, GError **error);
void domain_obj_end_job(DomainObj *obj);
void domain_obj_end_job_locked(DomainObj *obj);
bool domain_obj_wait_job_locked(DomainObj *obj, gint64 end_time);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainObj, domain_obj_unref)
