/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What QEMU tells the driver on its own: QMP events (SHUTDOWN, STOP, RESUME) and the
 * exit of its process. The process callbacks run on the daemon's loop and must not
 * block, so they only queue the news to one driver thread, which handles it in order:
 * state changes under the object's lock, status files, lifecycle events.
 *
 * Who commits a stop: whoever holds the domain's job. An exit seen while a job runs
 * (a destroy that killed QEMU, a suspend whose monitor broke) is marked pending and
 * handled when that job ends (qemu_driver_job_end), so a process is never freed under
 * a thread that is talking to it.
 */

#include "qemu-driver.h"

#include <glib/gstdio.h>

#include "qemu-snapshot-ops.h"
#include "util/error.h"

struct QemuProcCtx {
    QemuDriver *drv;
    DomainObj *obj; /* a reference, dropped with the context */
    unsigned generation;
    gint seq; /* counts the events queued (loop thread), see QemuDomainPriv.stale_seq */
};

typedef enum QemuNewsKind {
    QEMU_NEWS_EVENT,
    QEMU_NEWS_EXIT,
} QemuNewsKind;

typedef struct QemuNews {
    QemuNewsKind kind;
    QemuDriver *drv;
    DomainObj *obj;
    unsigned generation;
    QemuMonitorEventType event;
    bool guest; /* SHUTDOWN: the guest asked for it */
    int seq;    /* events: QemuProcCtx.seq when it was queued */
} QemuNews;

QemuProcCtx *qemu_proc_ctx_new(QemuDriver *drv, DomainObj *obj, unsigned generation)
{
    QemuProcCtx *ctx = g_new0(QemuProcCtx, 1);

    ctx->drv = drv;
    ctx->obj = domain_obj_ref(obj);
    ctx->generation = generation;
    return ctx;
}

void qemu_proc_ctx_free(QemuProcCtx *ctx)
{
    if (!ctx)
        return;
    domain_obj_unref(ctx->obj);
    g_free(ctx);
}

static void news_free(QemuNews *news)
{
    domain_obj_unref(news->obj);
    g_free(news);
}

static void news_push(QemuProcCtx *ctx, QemuNewsKind kind, QemuMonitorEventType event, bool guest)
{
    QemuNews *news = g_new0(QemuNews, 1);

    news->kind = kind;
    news->drv = ctx->drv;
    news->obj = domain_obj_ref(ctx->obj);
    news->generation = ctx->generation;
    news->event = event;
    news->guest = guest;
    news->seq = g_atomic_int_add(&ctx->seq, 1) + 1;
    g_thread_pool_push(ctx->drv->events_pool, news, NULL);
}

/* loop thread */
static void on_qemu_event(QemuProcess *proc, const QemuMonitorMessage *event, void *opaque)
{
    QemuMonitorEventType type = qemu_monitor_event_type(event);

    switch (type) {
    case QEMU_EVENT_SHUTDOWN:
    case QEMU_EVENT_STOP:
    case QEMU_EVENT_RESUME:
    case QEMU_EVENT_RESET:
        news_push(opaque, QEMU_NEWS_EVENT, type, qemu_monitor_event_bool(event, "guest", false));
        qemu_async_job_notify();
        break;
    case QEMU_EVENT_POWERDOWN:
    case QEMU_EVENT_SUSPEND:
    case QEMU_EVENT_WAKEUP:
    case QEMU_EVENT_JOB_STATUS_CHANGE:
    case QEMU_EVENT_MIGRATION:
        qemu_async_job_notify(); /* snapshot jobs and saves wait for these */
        break;
    case QEMU_EVENT_GUEST_PANICKED:
    case QEMU_EVENT_MIGRATION_PASS:
    case QEMU_EVENT_DEVICE_DELETED:
    case QEMU_EVENT_BLOCK_JOB_COMPLETED:
    case _QEMU_EVENT_MAX:
    case _QEMU_EVENT_INVALID:
        break;
    }
}

/* loop thread */
static void on_qemu_exited(QemuProcess *proc, void *opaque)
{
    news_push(opaque, QEMU_NEWS_EXIT, _QEMU_EVENT_INVALID, false);
}

const QemuProcessCallbacks qemu_driver_process_callbacks = {
    .event = on_qemu_event,
    .exited = on_qemu_exited,
};

/* ---- jobs -------------------------------------------------------------------------- */

bool qemu_driver_job_begin(DomainObj *obj, const char *job, GError **error)
{
    return domain_obj_begin_job(obj, job, error);
}

/* How QEMU's exit reads: a destroy that killed it under another job (the destroy
 * waits for that job, whose end commits the stop), after a SHUTDOWN a shutdown,
 * otherwise a crash. */
static void exit_commit(QemuDriver *drv, DomainObj *obj, GPtrArray *events)
{
    bool shutdown, destroyed;

    g_mutex_lock(&obj->lock);
    shutdown = qemu_domain_priv_locked(obj)->got_shutdown;
    destroyed = qemu_domain_priv_locked(obj)->destroying;
    g_mutex_unlock(&obj->lock);
    if (destroyed)
        qemu_driver_process_stop(drv, obj, DOMAIN_SHUTOFF_DESTROYED, DOMAIN_EVENT_STOPPED_DESTROYED,
                                 events);
    else if (shutdown)
        qemu_driver_process_stop(drv, obj, DOMAIN_SHUTOFF_SHUTDOWN, DOMAIN_EVENT_STOPPED_SHUTDOWN,
                                 events);
    else
        qemu_driver_process_stop(drv, obj, DOMAIN_SHUTOFF_CRASHED, DOMAIN_EVENT_STOPPED_FAILED,
                                 events);
}

/**
 * qemu_driver_job_end: release @obj's job; when QEMU exited during it, commit the stop
 * first (the job is kept for that, so nobody else starts in between).
 */
void qemu_driver_job_end(QemuDriver *drv, DomainObj *obj)
{
    g_autoptr(GPtrArray) events = driver_events_new();
    QemuDomainPriv *priv;
    bool pending, restart = false;

    g_mutex_lock(&obj->lock);
    pending = obj->priv && ((QemuDomainPriv *)obj->priv)->exit_pending;
    if (pending)
        ((QemuDomainPriv *)obj->priv)->exit_pending = false;
    g_mutex_unlock(&obj->lock);
    if (pending)
        exit_commit(drv, obj, events);
    /* a restart that found the job taken waits for exactly this moment: same lock */
    g_mutex_lock(&obj->lock);
    domain_obj_end_job_locked(obj);
    priv = obj->priv;
    if (priv && priv->restart_pending && priv->proc) {
        priv->restart_pending = false;
        restart = true;
    }
    g_mutex_unlock(&obj->lock);
    if (restart)
        qemu_driver_schedule_restart(drv, obj);
    qemu_driver_emit(drv, events);
}

/* ---- stop -------------------------------------------------------------------------- */

static void remove_run_files(const QemuDomainPriv *priv)
{
    if (priv->monitor_path)
        (void)g_unlink(priv->monitor_path);
    if (priv->pidfile)
        (void)g_unlink(priv->pidfile);
    if (priv->run_dir)
        (void)g_rmdir(priv->run_dir);
}

void qemu_driver_process_stop(QemuDriver *drv, DomainObj *obj, int reason, int detail,
                              GPtrArray *events)
{
    g_autofree char *name = NULL;
    QemuProcess *proc;
    QemuProcCtx *ctx;
    bool was_active, removed;

    g_mutex_lock(&obj->lock);
    QemuDomainPriv *priv = qemu_domain_priv_locked(obj);

    name = g_strdup(obj->def->name);
    was_active = domain_obj_is_active_locked(obj);
    proc = g_steal_pointer(&priv->proc);
    ctx = g_steal_pointer(&priv->ctx);
    priv->generation++;
    priv->pid = 0;
    priv->got_shutdown = false;
    priv->exit_pending = false;
    priv->destroying = false;
    priv->fake_reboot = false;
    priv->action_paused = false;
    priv->restart_pending = false;
    remove_run_files(priv);
    g_mutex_unlock(&obj->lock);

    /* after this no callback of the old process runs */
    qemu_process_free(proc);
    qemu_proc_ctx_free(ctx);
    qemu_driver_delete_status(drv, name);
    if (!was_active)
        return;
    removed = domain_obj_list_deactivate(drv->domains, obj, reason);
    if (removed)
        qemu_driver_transient_cleanup(drv, obj);
    driver_events_queue(events, obj, DOMAIN_EVENT_STOPPED, detail);
    g_atomic_int_dec_and_test(&drv->active);
}

/* How long a job waits for one answer of QEMU, and a graceful destroy for QEMU's exit
 * after SIGTERM (qemu_driver_timeouts_configure). */
static unsigned monitor_timeout_ms = QEMU_MONITOR_TIMEOUT_MS;
static unsigned graceful_wait_ms = QEMU_GRACEFUL_WAIT_MS;

/* *@ms from $@name (milliseconds, 100 to 3600000); a bad value is ignored, said so. */
static void configure_ms(const char *name, unsigned *ms)
{
    const char *env = g_getenv(name);
    guint64 value;

    if (!env)
        return;
    if (g_ascii_string_to_unsigned(env, 10, 100, 3600000, &value, NULL))
        *ms = (unsigned)value;
    else
        g_warning("%s='%s' is not a number of milliseconds between 100 and 3600000; using %u", name,
                  env, *ms);
}

/**
 * qemu_driver_timeouts_configure: the monitor timeout from
 * $VIRTKIT_QEMU_MONITOR_TIMEOUT_MS, else QEMU_MONITOR_TIMEOUT_MS (a wedged QEMU fails its
 * domain's job after this long); a graceful destroy's wait from
 * $VIRTKIT_QEMU_GRACEFUL_WAIT_MS, else QEMU_GRACEFUL_WAIT_MS.
 */
void qemu_driver_timeouts_configure(void)
{
    configure_ms("VIRTKIT_QEMU_MONITOR_TIMEOUT_MS", &monitor_timeout_ms);
    configure_ms("VIRTKIT_QEMU_GRACEFUL_WAIT_MS", &graceful_wait_ms);
}

unsigned qemu_driver_monitor_timeout(void)
{
    return monitor_timeout_ms;
}

unsigned qemu_driver_graceful_wait(void)
{
    return graceful_wait_ms;
}

/* "operation aborted: domain 'x' was destroyed during the save" when a destroy killed
 * QEMU under the job of the caller (qemu_domain_destroy), else NULL. */
static char *destroyed_during_job(DomainObj *obj)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);

    if (!obj->priv || !((QemuDomainPriv *)obj->priv)->destroying || !obj->job)
        return NULL;
    return g_strdup_printf("operation aborted: domain '%s' was destroyed during the %s",
                           obj->def->name, obj->job);
}

/**
 * qemu_driver_monitor_run_fd: @cmd on @obj's QMP monitor with a copy of @fd (-1: none),
 * within the monitor timeout, failing with QEMU's error for an error reply. Caller
 * holds the job, which keeps the process alive.
 */
bool qemu_driver_monitor_run_fd(DomainObj *obj, QemuMonitorCommand *cmd, int fd,
                                QemuMonitorMessage **ret_reply, GError **error)
{
    g_autoptr(QemuMonitorMessage) reply = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *name = g_strdup(cmd->name);
    QemuMonitor *mon = NULL;

    g_mutex_lock(&obj->lock);
    if (obj->priv && ((QemuDomainPriv *)obj->priv)->proc)
        mon = qemu_process_monitor(((QemuDomainPriv *)obj->priv)->proc);
    g_mutex_unlock(&obj->lock);
    if (!mon) {
        qemu_monitor_command_free(cmd);
        g_set_error_literal(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: domain is not running");
        return false;
    }
    if (!qemu_monitor_call_with_fd(mon, cmd, fd, monitor_timeout_ms, &reply, &err)) {
        g_autofree char *destroyed = destroyed_during_job(obj);

        /* say why QEMU went away, or what to do about one that stopped answering */
        if (destroyed)
            g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_ABORTED, "%s (%s)", destroyed,
                        err->message);
        else if (g_error_matches(err, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_TIMEOUT))
            g_set_error(error, err->domain, err->code,
                        "operation timed out: %s; the QEMU process may be hung: destroy the "
                        "domain to stop it",
                        err->message);
        else
            g_propagate_error(error, g_steal_pointer(&err));
        return false;
    }
    if (!qemu_monitor_reply_check(reply, name, error))
        return false;
    if (ret_reply)
        *ret_reply = g_steal_pointer(&reply);
    return true;
}

bool qemu_driver_monitor_run(DomainObj *obj, QemuMonitorCommand *cmd,
                             QemuMonitorMessage **ret_reply, GError **error)
{
    return qemu_driver_monitor_run_fd(obj, cmd, -1, ret_reply, error);
}

/* ---- the events thread ------------------------------------------------------------- */

/* Whether @news is about the process @obj runs now; caller holds obj->lock. */
static bool news_current_locked(DomainObj *obj, const QemuNews *news)
{
    return obj->priv && ((QemuDomainPriv *)obj->priv)->generation == news->generation &&
           ((QemuDomainPriv *)obj->priv)->proc;
}

static void handle_exit(QemuDriver *drv, DomainObj *obj, const QemuNews *news)
{
    g_autoptr(GPtrArray) events = driver_events_new();
    bool handle;

    g_mutex_lock(&obj->lock);
    handle = news_current_locked(obj, news);
    if (handle && obj->job) {
        /* the job's end commits it */
        qemu_domain_priv_locked(obj)->exit_pending = true;
        handle = false;
    } else if (handle) {
        obj->job = "stop";
    }
    g_mutex_unlock(&obj->lock);
    if (!handle)
        return;
    exit_commit(drv, obj, events);
    domain_obj_end_job(obj);
    qemu_driver_emit(drv, events);
}

/* ---- booting again after a poweroff ------------------------------------------------ */

typedef struct QemuRestart {
    QemuDriver *drv;
    DomainObj *obj; /* a reference */
    unsigned generation;
} QemuRestart;

/**
 * qemu_driver_schedule_restart: boot @obj's guest again, which powered off while QEMU
 * stayed (on_poweroff='restart' runs QEMU with -no-shutdown; a reboot set the
 * shutdown action to pause). Runs on the restart pool: monitor calls must not hold up
 * the events of other domains.
 */
void qemu_driver_schedule_restart(QemuDriver *drv, DomainObj *obj)
{
    QemuRestart *r = g_new0(QemuRestart, 1);

    r->drv = drv;
    r->obj = domain_obj_ref(obj);
    g_mutex_lock(&obj->lock);
    r->generation = obj->priv ? ((QemuDomainPriv *)obj->priv)->generation : 0;
    g_mutex_unlock(&obj->lock);
    g_thread_pool_push(drv->restart_pool, r, NULL);
}

/* Take the job for the restart, or leave it to the end of the job running now. */
static bool restart_begin(QemuRestart *r, bool *ret_unpause)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&r->obj->lock);
    QemuDomainPriv *priv = r->obj->priv;

    if (!priv || !priv->proc || priv->generation != r->generation ||
        !domain_obj_is_active_locked(r->obj))
        return false;
    if (r->obj->job) {
        priv->restart_pending = true;
        return false;
    }
    r->obj->job = "restart";
    *ret_unpause = priv->action_paused;
    return true;
}

/* system_reset, the poweroff action back when a reboot changed it, cont. */
static bool restart_guest(DomainObj *obj, bool unpause, GError **error)
{
    return qemu_driver_monitor_run(obj, qemu_monitor_command_new("system_reset"), NULL, error) &&
           (!unpause || qemu_driver_monitor_run(
                            obj, qemu_monitor_cmd_set_action_shutdown("poweroff"), NULL, error)) &&
           qemu_driver_monitor_run(obj, qemu_monitor_command_new("cont"), NULL, error);
}

static void restart_run(gpointer data, gpointer user_data)
{
    QemuRestart *r = data;
    g_autoptr(GPtrArray) events = driver_events_new();
    g_autoptr(GError) error = NULL;
    bool unpause = false;

    if (restart_begin(r, &unpause)) {
        g_mutex_lock(&r->obj->lock);
        QemuDomainPriv *priv = qemu_domain_priv_locked(r->obj);
        QemuProcess *proc = priv->proc;
        g_autofree char *name = g_strdup(r->obj->def->name);
        g_mutex_unlock(&r->obj->lock);

        if (restart_guest(r->obj, unpause, &error)) {
            g_mutex_lock(&r->obj->lock);
            /* QEMU's STOP (poweroff) and RESUME (our cont) were queued before cont's
             * reply: the events thread must not take them for news */
            priv->stale_seq = g_atomic_int_get(&priv->ctx->seq);
            priv->got_shutdown = false;
            priv->fake_reboot = false;
            priv->action_paused = false;
            domain_obj_set_state_locked(r->obj, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
            g_mutex_unlock(&r->obj->lock);
            qemu_driver_write_status(r->drv, r->obj);
            driver_events_queue(events, r->obj, DOMAIN_EVENT_RESUMED,
                                DOMAIN_EVENT_RESUMED_UNPAUSED);
        } else {
            /* the guest is powered off already: stop QEMU rather than leave it hanging */
            g_warning("domain '%s' powered off and cannot boot again (%s); stopping it", name,
                      error->message);
            (void)qemu_process_kill(proc, QEMU_KILL_GRACE_MS, NULL);
        }
        qemu_driver_emit(r->drv, events);
        qemu_driver_job_end(r->drv, r->obj);
    }
    domain_obj_unref(r->obj);
    g_free(r);
}

/* SHUTDOWN: the guest (or the ACPI button) powered it off; QEMU exits next unless
 * on_poweroff keeps it, or a reboot asked to boot it again. */
static void handle_shutdown(QemuDriver *drv, DomainObj *obj, const QemuNews *news,
                            GPtrArray *events)
{
    DomainLifecycleAction action;
    bool restart;

    g_mutex_lock(&obj->lock);
    QemuDomainPriv *priv = qemu_domain_priv_locked(obj);

    if (priv->destroying) {
        g_mutex_unlock(&obj->lock);
        return;
    }
    priv->got_shutdown = true;
    action = obj->def->on_poweroff;
    restart = priv->fake_reboot || action == DOMAIN_LIFECYCLE_RESTART;
    if (action == DOMAIN_LIFECYCLE_PRESERVE && !restart)
        domain_obj_set_state_locked(obj, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_SHUTTING_DOWN);
    else
        domain_obj_set_state_locked(obj, DOMAIN_STATE_SHUTDOWN, DOMAIN_SHUTDOWN_USER);
    g_mutex_unlock(&obj->lock);
    driver_events_queue(events, obj, DOMAIN_EVENT_SHUTDOWN,
                        news->guest ? DOMAIN_EVENT_SHUTDOWN_GUEST : DOMAIN_EVENT_SHUTDOWN_HOST);
    qemu_driver_write_status(drv, obj);
    if (restart)
        qemu_driver_schedule_restart(drv, obj);
}

/* STOP and RESUME that no job of ours caused (a job sets the state itself). */
static void handle_run_state(QemuDriver *drv, DomainObj *obj, const QemuNews *news,
                             GPtrArray *events)
{
    bool stop = news->event == QEMU_EVENT_STOP;
    bool changed = false;

    g_mutex_lock(&obj->lock);
    if (news->seq <= qemu_domain_priv_locked(obj)->stale_seq) {
        g_mutex_unlock(&obj->lock);
        return;
    }
    if (!obj->job && obj->state == DOMAIN_STATE_RUNNING && stop) {
        domain_obj_set_state_locked(obj, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_UNKNOWN);
        changed = true;
    } else if (!obj->job && obj->state == DOMAIN_STATE_PAUSED && !stop) {
        domain_obj_set_state_locked(obj, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNPAUSED);
        changed = true;
    }
    g_mutex_unlock(&obj->lock);
    if (!changed)
        return;
    driver_events_queue(events, obj, stop ? DOMAIN_EVENT_SUSPENDED : DOMAIN_EVENT_RESUMED,
                        stop ? DOMAIN_EVENT_SUSPENDED_PAUSED : DOMAIN_EVENT_RESUMED_UNPAUSED);
    qemu_driver_write_status(drv, obj);
}

static void handle_news(gpointer data, gpointer user_data)
{
    QemuNews *news = data;
    g_autoptr(GPtrArray) events = driver_events_new();
    bool current;

    if (news->kind == QEMU_NEWS_EXIT) {
        handle_exit(news->drv, news->obj, news);
        news_free(news);
        return;
    }
    g_mutex_lock(&news->obj->lock);
    current = news_current_locked(news->obj, news) && domain_obj_is_active_locked(news->obj);
    g_mutex_unlock(&news->obj->lock);
    if (current && news->event == QEMU_EVENT_SHUTDOWN)
        handle_shutdown(news->drv, news->obj, news, events);
    else if (current && news->event == QEMU_EVENT_RESET)
        driver_events_queue_reboot(events, news->obj); /* any reset, as libvirt reports it */
    else if (current)
        handle_run_state(news->drv, news->obj, news, events);
    qemu_driver_emit(news->drv, events);
    news_free(news);
}

bool qemu_driver_events_init(QemuDriver *drv, GError **error)
{
    drv->events_pool = g_thread_pool_new(handle_news, drv, 1, FALSE, error);
    if (!drv->events_pool)
        return false;
    drv->restart_pool = g_thread_pool_new(restart_run, drv, 2, FALSE, error);
    return drv->restart_pool != NULL;
}

/* Handle what is queued, then stop the threads (the events thread queues restarts). */
void qemu_driver_events_shutdown(QemuDriver *drv)
{
    if (drv->events_pool)
        g_thread_pool_free(g_steal_pointer(&drv->events_pool), FALSE, TRUE);
    if (drv->restart_pool)
        g_thread_pool_free(g_steal_pointer(&drv->restart_pool), FALSE, TRUE);
}
