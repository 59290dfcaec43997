/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live domain objects. Messages carry libvirt's per-code prefix ("Requested operation
 * is not valid: ...") because they travel verbatim to clients that print them.
 */

#include "state/domain-obj.h"

#include "util/error.h"

ENUM_TABLE_DEFINE(
    domain_state, DomainState,
    _DOMAIN_STATE_MAX, [DOMAIN_STATE_NOSTATE] = "no state", [DOMAIN_STATE_RUNNING] = "running",
    [DOMAIN_STATE_BLOCKED] = "idle", [DOMAIN_STATE_PAUSED] = "paused",
    [DOMAIN_STATE_SHUTDOWN] = "in shutdown", [DOMAIN_STATE_SHUTOFF] = "shut off",
    [DOMAIN_STATE_CRASHED] = "crashed", [DOMAIN_STATE_PMSUSPENDED] = "pmsuspended");

ENUM_TABLE_DEFINE(domain_nostate_reason, DomainNostateReason,
                  _DOMAIN_NOSTATE_MAX, [DOMAIN_NOSTATE_UNKNOWN] = "unknown");

ENUM_TABLE_DEFINE(
    domain_running_reason, DomainRunningReason,
    _DOMAIN_RUNNING_MAX, [DOMAIN_RUNNING_UNKNOWN] = "unknown", [DOMAIN_RUNNING_BOOTED] = "booted",
    [DOMAIN_RUNNING_MIGRATED] = "migrated", [DOMAIN_RUNNING_RESTORED] = "restored",
    [DOMAIN_RUNNING_FROM_SNAPSHOT] = "from snapshot", [DOMAIN_RUNNING_UNPAUSED] = "unpaused",
    [DOMAIN_RUNNING_MIGRATION_CANCELED] = "migration canceled",
    [DOMAIN_RUNNING_SAVE_CANCELED] = "save canceled", [DOMAIN_RUNNING_WAKEUP] = "event wakeup",
    [DOMAIN_RUNNING_CRASHED] = "crashed", [DOMAIN_RUNNING_POSTCOPY] = "post-copy",
    [DOMAIN_RUNNING_POSTCOPY_FAILED] = "post-copy failed");

ENUM_TABLE_DEFINE(domain_blocked_reason, DomainBlockedReason,
                  _DOMAIN_BLOCKED_MAX, [DOMAIN_BLOCKED_UNKNOWN] = "unknown");

ENUM_TABLE_DEFINE(
    domain_paused_reason, DomainPausedReason,
    _DOMAIN_PAUSED_MAX, [DOMAIN_PAUSED_UNKNOWN] = "unknown", [DOMAIN_PAUSED_USER] = "user",
    [DOMAIN_PAUSED_MIGRATION] = "migrating", [DOMAIN_PAUSED_SAVE] = "saving",
    [DOMAIN_PAUSED_DUMP] = "dumping", [DOMAIN_PAUSED_IOERROR] = "I/O error",
    [DOMAIN_PAUSED_WATCHDOG] = "watchdog", [DOMAIN_PAUSED_FROM_SNAPSHOT] = "from snapshot",
    [DOMAIN_PAUSED_SHUTTING_DOWN] = "shutting down", [DOMAIN_PAUSED_SNAPSHOT] = "creating snapshot",
    [DOMAIN_PAUSED_CRASHED] = "crashed", [DOMAIN_PAUSED_STARTING_UP] = "starting up",
    [DOMAIN_PAUSED_POSTCOPY] = "post-copy", [DOMAIN_PAUSED_POSTCOPY_FAILED] = "post-copy failed",
    [DOMAIN_PAUSED_API_ERROR] = "api error");

ENUM_TABLE_DEFINE(
    domain_shutdown_reason, DomainShutdownReason,
    _DOMAIN_SHUTDOWN_MAX, [DOMAIN_SHUTDOWN_UNKNOWN] = "unknown", [DOMAIN_SHUTDOWN_USER] = "user");

ENUM_TABLE_DEFINE(
    domain_shutoff_reason, DomainShutoffReason,
    _DOMAIN_SHUTOFF_MAX, [DOMAIN_SHUTOFF_UNKNOWN] = "unknown",
    [DOMAIN_SHUTOFF_SHUTDOWN] = "shutdown", [DOMAIN_SHUTOFF_DESTROYED] = "destroyed",
    [DOMAIN_SHUTOFF_CRASHED] = "crashed", [DOMAIN_SHUTOFF_MIGRATED] = "migrated",
    [DOMAIN_SHUTOFF_SAVED] = "saved", [DOMAIN_SHUTOFF_FAILED] = "failed",
    [DOMAIN_SHUTOFF_FROM_SNAPSHOT] = "from snapshot", [DOMAIN_SHUTOFF_DAEMON] = "daemon");

ENUM_TABLE_DEFINE(domain_crashed_reason, DomainCrashedReason, _DOMAIN_CRASHED_MAX,
                  [DOMAIN_CRASHED_UNKNOWN] = "unknown", [DOMAIN_CRASHED_PANICKED] = "panicked");

ENUM_TABLE_DEFINE(domain_pmsuspended_reason, DomainPmsuspendedReason,
                  _DOMAIN_PMSUSPENDED_MAX, [DOMAIN_PMSUSPENDED_UNKNOWN] = "unknown");

/* The names libvirt uses in virDomainEventType's documentation, lower-cased. */
ENUM_TABLE_DEFINE(domain_event_type, DomainEventType,
                  _DOMAIN_EVENT_MAX, [DOMAIN_EVENT_DEFINED] = "defined",
                  [DOMAIN_EVENT_UNDEFINED] = "undefined", [DOMAIN_EVENT_STARTED] = "started",
                  [DOMAIN_EVENT_SUSPENDED] = "suspended", [DOMAIN_EVENT_RESUMED] = "resumed",
                  [DOMAIN_EVENT_STOPPED] = "stopped", [DOMAIN_EVENT_SHUTDOWN] = "shutdown",
                  [DOMAIN_EVENT_PMSUSPENDED] = "pmsuspended", [DOMAIN_EVENT_CRASHED] = "crashed");

/**
 * domain_state_reason_to_string: virsh's word for @reason in @state ("booted",
 * "destroyed", ...), or NULL when @reason is out of range for @state.
 */
const char *domain_state_reason_to_string(DomainState state, int reason)
{
    switch (state) {
    case DOMAIN_STATE_NOSTATE:
        return domain_nostate_reason_to_string(reason);
    case DOMAIN_STATE_RUNNING:
        return domain_running_reason_to_string(reason);
    case DOMAIN_STATE_BLOCKED:
        return domain_blocked_reason_to_string(reason);
    case DOMAIN_STATE_PAUSED:
        return domain_paused_reason_to_string(reason);
    case DOMAIN_STATE_SHUTDOWN:
        return domain_shutdown_reason_to_string(reason);
    case DOMAIN_STATE_SHUTOFF:
        return domain_shutoff_reason_to_string(reason);
    case DOMAIN_STATE_CRASHED:
        return domain_crashed_reason_to_string(reason);
    case DOMAIN_STATE_PMSUSPENDED:
        return domain_pmsuspended_reason_to_string(reason);
    case _DOMAIN_STATE_MAX:
    case _DOMAIN_STATE_INVALID:
        break;
    }
    return NULL;
}

/**
 * domain_state_reason_from_string: the reason number for virsh's word @str in
 * @state, or -EINVAL.
 */
int domain_state_reason_from_string(DomainState state, const char *str)
{
    switch (state) {
    case DOMAIN_STATE_NOSTATE:
        return domain_nostate_reason_from_string(str);
    case DOMAIN_STATE_RUNNING:
        return domain_running_reason_from_string(str);
    case DOMAIN_STATE_BLOCKED:
        return domain_blocked_reason_from_string(str);
    case DOMAIN_STATE_PAUSED:
        return domain_paused_reason_from_string(str);
    case DOMAIN_STATE_SHUTDOWN:
        return domain_shutdown_reason_from_string(str);
    case DOMAIN_STATE_SHUTOFF:
        return domain_shutoff_reason_from_string(str);
    case DOMAIN_STATE_CRASHED:
        return domain_crashed_reason_from_string(str);
    case DOMAIN_STATE_PMSUSPENDED:
        return domain_pmsuspended_reason_from_string(str);
    case _DOMAIN_STATE_MAX:
    case _DOMAIN_STATE_INVALID:
        break;
    }
    return -EINVAL;
}

/**
 * domain_obj_new: a new inactive, transient object owning @def (which must have a
 * name), with one reference.
 */
DomainObj *domain_obj_new(DomainDef *def)
{
    DomainObj *obj = g_new0(DomainObj, 1);

    g_assert(def && def->name);
    g_mutex_init(&obj->lock);
    g_cond_init(&obj->job_cond);
    obj->refcount = 1;
    obj->def = def;
    obj->id = -1;
    obj->state = DOMAIN_STATE_SHUTOFF;
    obj->reason = DOMAIN_SHUTOFF_UNKNOWN;
    return obj;
}

/**
 * domain_obj_ref: take a reference; returns @obj.
 */
DomainObj *domain_obj_ref(DomainObj *obj)
{
    g_atomic_int_inc(&obj->refcount);
    return obj;
}

/**
 * domain_obj_unref: drop a reference, freeing the object with the last one.
 * Accepts NULL; returns NULL.
 */
DomainObj *domain_obj_unref(DomainObj *obj)
{
    if (!obj || !g_atomic_int_dec_and_test(&obj->refcount))
        return NULL;
    if (obj->priv_free)
        obj->priv_free(obj->priv);
    domain_def_free(obj->def);
    domain_def_free(obj->new_def);
    g_cond_clear(&obj->job_cond);
    g_mutex_clear(&obj->lock);
    g_free(obj);
    return NULL;
}

/**
 * domain_obj_is_active_locked: whether the domain runs (has an id).
 */
bool domain_obj_is_active_locked(const DomainObj *obj)
{
    return obj->id >= 0;
}

/**
 * domain_obj_set_state_locked: commit a new state and reason.
 */
void domain_obj_set_state_locked(DomainObj *obj, DomainState state, int reason)
{
    g_assert(state >= 0 && state < _DOMAIN_STATE_MAX);
    obj->state = state;
    obj->reason = reason;
}

/**
 * domain_obj_get_facts_locked: copy the reader-visible facts of @obj.
 */
void domain_obj_get_facts_locked(const DomainObj *obj, DomainObjFacts *ret_facts)
{
    *ret_facts = (DomainObjFacts){
        .id = obj->id,
        .state = obj->state,
        .reason = obj->reason,
        .active = domain_obj_is_active_locked(obj),
        .persistent = obj->persistent,
        .autostart = obj->autostart,
        .has_managed_save = obj->has_managed_save,
        .updated = obj->updated,
        .n_snapshots = obj->n_snapshots,
        .n_checkpoints = obj->n_checkpoints,
    };
}

/**
 * domain_obj_get_facts: domain_obj_get_facts_locked() taking the lock itself.
 */
void domain_obj_get_facts(DomainObj *obj, DomainObjFacts *ret_facts)
{
    g_mutex_lock(&obj->lock);
    domain_obj_get_facts_locked(obj, ret_facts);
    g_mutex_unlock(&obj->lock);
}

/**
 * domain_obj_persistent_def_locked: the configuration that a stop would leave: the
 * pending new_def if there is one, else def.
 */
const DomainDef *domain_obj_persistent_def_locked(const DomainObj *obj)
{
    return obj->new_def ? obj->new_def : obj->def;
}

/**
 * domain_obj_begin_job: claim the domain for the state change @job (a static string
 * such as "start", used in messages). Never waits (DESIGN.md §3): a domain busy with
 * another job, or one already removed from its list, fails at once.
 */
bool domain_obj_begin_job(DomainObj *obj, const char *job, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);

    if (obj->removed) {
        char uuid[VIRT_UUID_STRING_LEN];

        virt_uuid_format(obj->def->uuid, uuid);
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_NO_DOMAIN,
                    "Domain not found: no domain with matching uuid '%s' (%s)", uuid,
                    obj->def->name);
        return false;
    }
    if (obj->job) {
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_INVALID,
                    "Requested operation is not valid: domain '%s' is busy with %s", obj->def->name,
                    obj->job);
        return false;
    }
    obj->job = job;
    return true;
}

/**
 * domain_obj_end_job: release the job taken by domain_obj_begin_job().
 */
void domain_obj_end_job(DomainObj *obj)
{
    g_mutex_lock(&obj->lock);
    domain_obj_end_job_locked(obj);
    g_mutex_unlock(&obj->lock);
}

/**
 * domain_obj_end_job_locked: domain_obj_end_job() with obj->lock held; wakes a waiter
 * of domain_obj_wait_job_locked().
 */
void domain_obj_end_job_locked(DomainObj *obj)
{
    g_assert(obj->job);
    obj->job = NULL;
    g_cond_broadcast(&obj->job_cond);
}

/**
 * domain_obj_wait_job_locked: wait (obj->lock held, released while waiting) until no
 * job holds @obj or the monotonic time @end_time passed; whether it is free. The one
 * exception to "never waits": a destroy that killed the QEMU under a stuck job waits
 * for that job to see it and fail, as libvirt's destroy does.
 */
bool domain_obj_wait_job_locked(DomainObj *obj, gint64 end_time)
{
    while (obj->job) {
        if (!g_cond_wait_until(&obj->job_cond, &obj->lock, end_time))
            return !obj->job;
    }
    return true;
}
