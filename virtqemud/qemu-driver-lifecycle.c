/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Starting and stopping guests: prepare the per-domain paths and the taps
 * (qemu-host-net.c), build the command line (pure, qemu-command.c), launch QEMU paused
 * (-S) with QMP ready (qemu-process.c), `cont` unless asked to stay paused, commit
 * running and write the status file. Destroy kills the process (its taps go with it);
 * shutdown, reboot, reset, suspend and resume are QMP commands whose
 * consequences QEMU reports back (qemu-driver-events.c).
 */

#include "qemu-driver.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "daemon/loop-invoke.h"
#include "qemu-command.h"
#include "qemu-host-net.h"
#include "state/snapshot-tree.h"
#include "util/error.h"
#include "util/file-util.h"

/* libvirt's flag values (reference/libvirt-facts.md §1.13) */
enum {
    START_PAUSED = 1u << 0,
    START_AUTODESTROY = 1u << 1,
    START_BYPASS_CACHE = 1u << 2,
    START_FORCE_BOOT = 1u << 3,
    START_VALIDATE = 1u << 4,
    DESTROY_GRACEFUL = 1u << 0,
    SHUTDOWN_ACPI = 1u << 0,
    REBOOT_ACPI = 1u << 0,
};

void qemu_domain_priv_free(gpointer data)
{
    QemuDomainPriv *priv = data;

    if (!priv)
        return;
    /* a process still attached at this point is left running (daemon exit) */
    qemu_process_free(priv->proc);
    qemu_proc_ctx_free(priv->ctx);
    snapshot_tree_free(priv->snapshots);
    g_free(priv->run_dir);
    g_free(priv->monitor_path);
    g_free(priv->pidfile);
    g_free(priv->log_path);
    g_free(priv);
}

/* ---- start ------------------------------------------------------------------------- */

/* The per-domain paths of a start. Caller holds obj->lock. */
static void set_paths_locked(QemuDriver *drv, DomainObj *obj)
{
    QemuDomainPriv *priv = qemu_domain_priv_locked(obj);
    const char *name = obj->def->name;
    g_autofree char *dir_name = g_strdup_printf("domain-%s", name);
    g_autofree char *pid_name = g_strdup_printf("%s.pid", name);
    g_autofree char *log_name = g_strdup_printf("%s.log", name);

    g_free(priv->run_dir);
    g_free(priv->monitor_path);
    g_free(priv->pidfile);
    g_free(priv->log_path);
    priv->run_dir = g_build_filename(drv->paths->lib_dir, dir_name, NULL);
    priv->monitor_path = g_build_filename(priv->run_dir, "monitor.sock", NULL);
    priv->pidfile = g_build_filename(drv->paths->state_dir, pid_name, NULL);
    priv->log_path = g_build_filename(drv->paths->log_dir, log_name, NULL);
}

/* The taps of @def's interfaces (qemu-host-net.h), their fds in @prep. */
static QemuHostNet *prepare_host_net(QemuDriver *drv, const DomainDef *def, QemuPrepared *prep,
                                     GError **error)
{
    g_autoptr(GPtrArray) plan = NULL;
    QemuHostNet *net;

    if (!qemu_net_plan(def, &plan, error) ||
        !(net = qemu_host_net_setup(plan, &drv->next_tap, error)))
        return NULL;
    for (guint i = 0; i < def->nets->len; i++) {
        int fd = qemu_host_net_fd(net, i);

        g_array_append_val(prep->tap_fds, fd);
    }
    return net;
}

/* The command line of @obj, and in @ret_net the host resources it refers to (keep
 * them until QEMU runs). */
static Command *build_command(QemuDriver *drv, DomainObj *obj, const QemuCaps *caps,
                              QemuHostNet **ret_net, GError **error)
{
    g_autoptr(QemuPrepared) prep = qemu_prepared_new();
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(QemuHostNet) net = NULL;
    Command *cmd = NULL;

    g_mutex_lock(&obj->lock);
    set_paths_locked(drv, obj);
    def = domain_def_copy(obj->def);
    prep->monitor_path = g_strdup(qemu_domain_priv_locked(obj)->monitor_path);
    prep->pidfile = g_strdup(qemu_domain_priv_locked(obj)->pidfile);
    prep->lib_dir = g_strdup(qemu_domain_priv_locked(obj)->run_dir);
    g_mutex_unlock(&obj->lock);
    /* files outside the lock (the job keeps them ours): readers never wait for I/O */
    (void)g_unlink(prep->monitor_path);
    (void)g_unlink(prep->pidfile);
    if (!virt_dir_ensure(prep->lib_dir, 0700, error) ||
        !(net = prepare_host_net(drv, def, prep, error)))
        return NULL;
    prep->monitor_fd = QEMU_PROCESS_MONITOR_FD;
    prep->monitor_fd_connected = false;
    prep->monitor_fd_launcher = true;
    if (!qemu_build_command(def, caps, prep, &cmd, error))
        return NULL;
    command_set_new_session(cmd);
    *ret_net = g_steal_pointer(&net);
    return cmd;
}

/* The tap names go into the live definition, so dumpxml and the status file (for a
 * restarted daemon) show them as libvirt's do; the persistent definition keeps what
 * the user wrote. Caller holds obj->lock. */
static void set_tap_names_locked(DomainObj *obj, const QemuHostNet *net)
{
    g_autoptr(DomainDef) live = domain_def_copy(obj->def);

    if (!qemu_host_net_apply(net, live))
        return;
    if (obj->persistent && !obj->new_def)
        obj->new_def = g_steal_pointer(&obj->def);
    domain_def_free(obj->def);
    obj->def = g_steal_pointer(&live);
}

/* Launch QEMU for @obj: on success it runs paused (-S) and priv holds the process. */
bool qemu_driver_launch(QemuDriver *drv, DomainObj *obj, const QemuCaps *caps,
                        const char *const *extra_args, GError **error)
{
    /* our fds of the taps close on return: QEMU holds its own copies by then */
    g_autoptr(QemuHostNet) net = NULL;
    g_autoptr(Command) cmd = build_command(drv, obj, caps, &net, error);
    g_autofree char *name = NULL;
    g_autofree char *monitor = NULL;
    g_autofree char *log = NULL;
    QemuProcCtx *ctx;
    QemuProcess *proc;
    unsigned generation;

    if (!cmd)
        return false;
    if (extra_args)
        command_add_argv(cmd, extra_args);
    g_mutex_lock(&obj->lock);
    QemuDomainPriv *priv = qemu_domain_priv_locked(obj);

    name = g_strdup(obj->def->name);
    monitor = g_strdup(priv->monitor_path);
    log = g_strdup(priv->log_path);
    generation = ++priv->generation;
    g_mutex_unlock(&obj->lock);

    ctx = qemu_proc_ctx_new(drv, obj, generation);
    proc = qemu_process_launch(daemon_loop_invoker(), name, cmd, monitor, log,
                               QEMU_LAUNCH_TIMEOUT_MS, &qemu_driver_process_callbacks, ctx, error);
    if (!proc) {
        qemu_proc_ctx_free(ctx);
        return false;
    }
    g_mutex_lock(&obj->lock);
    priv->proc = proc;
    priv->ctx = ctx;
    priv->pid = qemu_process_pid(proc);
    priv->got_shutdown = false;
    priv->exit_pending = false;
    priv->stale_seq = 0;
    set_tap_names_locked(obj, net);
    g_mutex_unlock(&obj->lock);
    return true;
}

/**
 * qemu_driver_start_obj: start the inactive domain @obj (caller holds its job).
 * STARTED/BOOTED (and SUSPENDED/PAUSED with START_PAUSED) go to @events.
 */
bool qemu_driver_start_obj(QemuDriver *drv, DomainObj *obj, unsigned int flags, GPtrArray *events,
                           GError **error)
{
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(GPtrArray) ignored = driver_events_new();
    bool paused = flags & START_PAUSED;
    const QemuCaps *caps;

    g_mutex_lock(&obj->lock);
    if (domain_obj_is_active_locked(obj)) {
        g_mutex_unlock(&obj->lock);
        g_set_error_literal(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: domain is already running");
        return false;
    }
    def = domain_def_copy(obj->def);
    g_mutex_unlock(&obj->lock);
    if (!(caps = qemu_driver_caps_for_def(drv, def, error)) ||
        !qemu_driver_launch(drv, obj, caps, NULL, error))
        return false;
    if (!paused && !qemu_driver_monitor_run(obj, qemu_monitor_command_new("cont"), NULL, error)) {
        QemuProcess *proc;

        g_mutex_lock(&obj->lock);
        proc = qemu_domain_priv_locked(obj)->proc;
        g_mutex_unlock(&obj->lock);
        (void)qemu_process_kill(proc, 0, NULL);
        /* never activated: no STOPPED event */
        qemu_driver_process_stop(drv, obj, DOMAIN_SHUTOFF_FAILED, DOMAIN_EVENT_STOPPED_FAILED,
                                 ignored);
        return false;
    }
    g_atomic_int_inc(&drv->active);
    domain_obj_list_activate(drv->domains, obj, -1,
                             paused ? DOMAIN_STATE_PAUSED : DOMAIN_STATE_RUNNING,
                             paused ? DOMAIN_PAUSED_USER : DOMAIN_RUNNING_BOOTED);
    qemu_driver_write_status(drv, obj);
    driver_events_queue(events, obj, DOMAIN_EVENT_STARTED, DOMAIN_EVENT_STARTED_BOOTED);
    if (paused)
        driver_events_queue(events, obj, DOMAIN_EVENT_SUSPENDED, DOMAIN_EVENT_SUSPENDED_PAUSED);
    return true;
}

DomainRef *qemu_domain_create(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                              GError **error)
{
    g_autoptr(DomainObj) obj = NULL;
    g_autoptr(GPtrArray) events = driver_events_new();
    bool ok;

    if (!qemu_driver_check_flags(
            flags, START_PAUSED | START_AUTODESTROY | START_BYPASS_CACHE | START_FORCE_BOOT,
            "qemu_domain_create", error) ||
        !(obj = qemu_driver_obj(conn, dom, error)) || !qemu_driver_job_begin(obj, "start", error))
        return NULL;
    ok = qemu_driver_start_obj(conn->drv, obj, flags, events, error);
    qemu_driver_job_end(conn->drv, obj);
    qemu_driver_emit(conn->drv, events);
    return ok ? driver_domain_ref(obj) : NULL;
}

DomainRef *qemu_domain_create_xml(DriverConn *conn, const char *xml, unsigned int flags,
                                  GError **error)
{
    const unsigned int add_flags =
        DOMAIN_OBJ_LIST_ADD_LIVE | DOMAIN_OBJ_LIST_ADD_CHECK_LIVE | DOMAIN_OBJ_LIST_ADD_BEGIN_JOB;
    QemuDriver *drv = conn->drv;
    g_autoptr(GPtrArray) events = driver_events_new();
    g_autoptr(DomainObj) obj = NULL;
    DomainParseFlags parse = 0;
    DomainDef *def;
    bool ok;

    if (!qemu_driver_check_flags(flags, START_PAUSED | START_AUTODESTROY | START_VALIDATE,
                                 "qemu_domain_create_xml", error))
        return NULL;
    if (flags & START_VALIDATE)
        parse |= DOMAIN_PARSE_VALIDATE_SCHEMA;
    if (!(def = qemu_driver_parse(drv, xml, parse, error)) ||
        !domain_obj_list_add(drv->domains, def, add_flags, "create", &obj, NULL, error))
        return NULL;
    ok = qemu_driver_start_obj(drv, obj, flags, events, error);
    if (!ok) {
        g_mutex_lock(&obj->lock);
        bool transient = !obj->persistent;
        g_mutex_unlock(&obj->lock);

        if (transient)
            domain_obj_list_remove(drv->domains, obj);
    }
    qemu_driver_job_end(drv, obj);
    qemu_driver_emit(drv, events);
    return ok ? driver_domain_ref(obj) : NULL;
}

/* ---- stop -------------------------------------------------------------------------- */

/* Sleep until @obj's job ends or @ms passed (obj->lock held); whether it is free. */
static bool wait_job_ms_locked(DomainObj *obj, unsigned ms)
{
    return domain_obj_wait_job_locked(obj, g_get_monotonic_time() + (gint64)ms * 1000);
}

/* A graceful destroy that QEMU outlived: libvirt's system error (EBUSY), then what
 * happened and what the user can do. */
static bool set_graceful_refused(const char *name, pid_t pid, GError **error)
{
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_SYSTEM_ERROR,
                "Failed to terminate process %d with SIGTERM: %s (QEMU of domain '%s' did not "
                "exit within %u ms of SIGTERM and is left running; destroy the domain without "
                "--graceful to kill it)",
                (int)pid, g_strerror(EBUSY), name, qemu_driver_graceful_wait());
    return false;
}

/*
 * Get the user out of a stuck job, as libvirt's destroy (it kills QEMU before it
 * takes the job): when another job (a save, a snapshot) holds the running @obj, send
 * SIGTERM to its QEMU (SIGKILL after the grace unless @graceful) and wait for that job
 * to see the monitor close and fail. Its end commits the stop (exit_commit: destroyed,
 * because `destroying` is set). Only signals here: the process stays the holder's to
 * free. *@ret_killed: whether QEMU was killed that way. A graceful destroy that QEMU
 * outlived fails and leaves all as it was (the job goes on, the SIGTERM pending).
 */
static bool kill_under_job(DomainObj *obj, bool graceful, bool *ret_killed, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);
    QemuDomainPriv *priv = obj->priv;

    *ret_killed = false;
    if (!obj->job || !priv || !priv->proc || !domain_obj_is_active_locked(obj))
        return true;
    priv->destroying = true;
    qemu_process_signal(priv->proc, SIGTERM);
    if (!wait_job_ms_locked(obj, graceful ? qemu_driver_graceful_wait() : QEMU_KILL_GRACE_MS) &&
        priv->proc) {
        if (graceful && !qemu_process_exited(priv->proc)) {
            priv->destroying = false;
            return set_graceful_refused(obj->def->name, qemu_process_pid(priv->proc), error);
        }
        if (!graceful)
            qemu_process_signal(priv->proc, SIGKILL);
        (void)wait_job_ms_locked(obj, QEMU_KILL_GRACE_MS);
    }
    *ret_killed = true;
    return true;
}

/* Stop @obj's QEMU for a destroy (caller holds the job): SIGTERM, SIGKILL after the
 * grace unless @graceful, in which case a QEMU that outlived SIGTERM is left running
 * (not destroying any more: its later exit is news) and the destroy fails. */
static bool kill_process(DomainObj *obj, bool graceful, GError **error)
{
    g_autofree char *name = NULL;
    QemuProcess *proc;
    bool ok, gone = true;

    g_mutex_lock(&obj->lock);
    name = g_strdup(obj->def->name);
    proc = qemu_domain_priv_locked(obj)->proc;
    qemu_domain_priv_locked(obj)->destroying = true;
    g_mutex_unlock(&obj->lock);
    if (graceful)
        ok = qemu_process_terminate(proc, qemu_driver_graceful_wait(), &gone, error);
    else
        ok = qemu_process_kill(proc, QEMU_KILL_GRACE_MS, error);
    g_mutex_lock(&obj->lock);
    qemu_domain_priv_locked(obj)->destroying = ok && gone;
    g_mutex_unlock(&obj->lock);
    return ok && (gone || set_graceful_refused(name, qemu_process_pid(proc), error));
}

/* libvirt's destroy; VIR_DOMAIN_DESTROY_GRACEFUL sends SIGTERM only and fails, leaving
 * the domain running, when QEMU does not exit within qemu_driver_graceful_wait(). */
bool qemu_domain_destroy(DriverConn *conn, const DomainRef *dom, unsigned int flags, GError **error)
{
    QemuDriver *drv = conn->drv;
    g_autoptr(DomainObj) obj = NULL;
    g_autoptr(GPtrArray) events = driver_events_new();
    bool graceful = (flags & DESTROY_GRACEFUL) != 0;
    bool ok, killed;

    if (!qemu_driver_check_flags(flags, DESTROY_GRACEFUL, "qemu_domain_destroy", error) ||
        !(obj = qemu_driver_obj(conn, dom, error)) ||
        !kill_under_job(obj, graceful, &killed, error))
        return false;
    if (killed) {
        /* the killed job's end stopped it already (a transient one is gone) */
        g_mutex_lock(&obj->lock);
        ok = !domain_obj_is_active_locked(obj);
        g_mutex_unlock(&obj->lock);
        if (ok)
            return true;
    }
    if (!qemu_driver_job_begin(obj, "destroy", error))
        return false;
    ok = driver_domain_check_active(obj, error) && kill_process(obj, graceful, error);
    if (ok)
        qemu_driver_process_stop(drv, obj, DOMAIN_SHUTOFF_DESTROYED, DOMAIN_EVENT_STOPPED_DESTROYED,
                                 events);
    qemu_driver_job_end(drv, obj);
    qemu_driver_emit(drv, events);
    return ok;
}

/* A job @job on a running @dom that sends the QMP command @command. */
static bool run_command_job(DriverConn *conn, const DomainRef *dom, const char *job,
                            const char *command, bool need_running, GError **error)
{
    g_autoptr(DomainObj) obj = qemu_driver_obj(conn, dom, error);
    bool ok;

    if (!obj || !qemu_driver_job_begin(obj, job, error))
        return false;
    ok = driver_domain_check_active(obj, error);
    if (ok && need_running) {
        g_mutex_lock(&obj->lock);
        ok = obj->state == DOMAIN_STATE_RUNNING;
        g_mutex_unlock(&obj->lock);
        if (!ok)
            g_set_error_literal(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_INVALID,
                                "Requested operation is not valid: domain is not running");
    }
    ok = ok && qemu_driver_monitor_run(obj, qemu_monitor_command_new(command), NULL, error);
    qemu_driver_job_end(conn->drv, obj);
    return ok;
}

/* The ACPI power button; the guest's SHUTDOWN and QEMU's exit finish the job later. */
bool qemu_domain_shutdown(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                          GError **error)
{
    return qemu_driver_check_flags(flags, SHUTDOWN_ACPI, "qemu_domain_shutdown", error) &&
           run_command_job(conn, dom, "shutdown", "system_powerdown", false, error);
}

/* Whether @obj's guest can be asked to power off through ACPI. */
static bool check_acpi(DomainObj *obj, const char *what, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);

    if (obj->def->features & DOMAIN_FEATURE_ACPI)
        return true;
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_INVALID,
                "Requested operation is not valid: domain '%s' cannot be asked to %s through "
                "ACPI: its definition lacks <features><acpi/></features>",
                obj->def->name, what);
    return false;
}

/* Mark the poweroff that comes as a reboot, QEMU pausing on it instead of exiting
 * (libvirt's "fake reboot"); false when <on_reboot> says the guest stays off. */
static bool reboot_prepare(DomainObj *obj, GError **error)
{
    DomainLifecycleAction on_reboot, on_poweroff;
    bool pause;

    g_mutex_lock(&obj->lock);
    on_reboot = obj->def->on_reboot;
    on_poweroff = obj->def->on_poweroff;
    g_mutex_unlock(&obj->lock);
    if (on_reboot == DOMAIN_LIFECYCLE_DESTROY || on_reboot == DOMAIN_LIFECYCLE_PRESERVE)
        return true; /* as libvirt: the reboot becomes a shutdown */
    /* without -no-shutdown (on_poweroff destroy) QEMU would exit on the poweroff */
    pause = on_poweroff != DOMAIN_LIFECYCLE_RESTART && on_poweroff != DOMAIN_LIFECYCLE_PRESERVE;
    if (pause &&
        !qemu_driver_monitor_run(obj, qemu_monitor_cmd_set_action_shutdown("pause"), NULL, error))
        return false;
    g_mutex_lock(&obj->lock);
    qemu_domain_priv_locked(obj)->fake_reboot = true;
    qemu_domain_priv_locked(obj)->action_paused = pause;
    g_mutex_unlock(&obj->lock);
    return true;
}

/* Undo reboot_prepare after the power button could not be pressed. */
static void reboot_cancel(DomainObj *obj)
{
    bool unpause;

    g_mutex_lock(&obj->lock);
    unpause = qemu_domain_priv_locked(obj)->action_paused;
    qemu_domain_priv_locked(obj)->fake_reboot = false;
    qemu_domain_priv_locked(obj)->action_paused = false;
    g_mutex_unlock(&obj->lock);
    if (unpause)
        (void)qemu_driver_monitor_run(obj, qemu_monitor_cmd_set_action_shutdown("poweroff"), NULL,
                                      NULL);
}

/**
 * qemu_domain_reboot: virDomainReboot as libvirt does it without a guest agent: the
 * ACPI power button, and when the guest has powered off QEMU resets it and it boots
 * again (qemu_driver_schedule_restart); QEMU's RESET becomes the REBOOT event.
 * <on_reboot> destroy or preserve turn the reboot into a shutdown.
 */
bool qemu_domain_reboot(DriverConn *conn, const DomainRef *dom, unsigned int flags, GError **error)
{
    g_autoptr(DomainObj) obj = NULL;
    bool ok;

    if (!qemu_driver_check_flags(flags, REBOOT_ACPI, "qemu_domain_reboot", error) ||
        !(obj = qemu_driver_obj(conn, dom, error)) || !qemu_driver_job_begin(obj, "reboot", error))
        return false;
    ok = driver_domain_check_active(obj, error) && check_acpi(obj, "reboot", error) &&
         reboot_prepare(obj, error);
    if (ok)
        qemu_driver_write_status(conn->drv, obj); /* a restarted daemon finishes the reboot */
    if (ok &&
        !qemu_driver_monitor_run(obj, qemu_monitor_command_new("system_powerdown"), NULL, error)) {
        reboot_cancel(obj);
        qemu_driver_write_status(conn->drv, obj);
        ok = false;
    }
    qemu_driver_job_end(conn->drv, obj);
    return ok;
}

/* QEMU's own reset (no guest involvement); the REBOOT event follows QEMU's RESET.
 * With on_reboot='destroy' (-no-reboot) QEMU turns it into a shutdown. */
bool qemu_domain_reset(DriverConn *conn, const DomainRef *dom, unsigned int flags, GError **error)
{
    return qemu_driver_check_flags(flags, 0, "qemu_domain_reset", error) &&
           run_command_job(conn, dom, "reset", "system_reset", false, error);
}

/* stop/cont as a job; the job commits the state (QEMU's STOP/RESUME, seen while a job
 * runs, change nothing) */
static bool pause_job(DriverConn *conn, const DomainRef *dom, bool pause, GError **error)
{
    QemuDriver *drv = conn->drv;
    g_autoptr(DomainObj) obj = qemu_driver_obj(conn, dom, error);
    g_autoptr(GPtrArray) events = driver_events_new();
    DomainState want = pause ? DOMAIN_STATE_RUNNING : DOMAIN_STATE_PAUSED;
    bool ok;

    if (!obj || !qemu_driver_job_begin(obj, pause ? "suspend" : "resume", error))
        return false;
    ok = driver_domain_check_active(obj, error);
    if (ok) {
        g_mutex_lock(&obj->lock);
        ok = obj->state == want;
        g_mutex_unlock(&obj->lock);
        if (!ok)
            g_set_error_literal(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_INVALID,
                                pause ? "Requested operation is not valid: domain is not running"
                                      : "Requested operation is not valid: domain is not paused");
    }
    ok = ok && qemu_driver_monitor_run(obj, qemu_monitor_command_new(pause ? "stop" : "cont"), NULL,
                                       error);
    if (ok) {
        g_mutex_lock(&obj->lock);
        if (pause)
            domain_obj_set_state_locked(obj, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER);
        else
            domain_obj_set_state_locked(obj, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNPAUSED);
        g_mutex_unlock(&obj->lock);
        qemu_driver_write_status(drv, obj);
        driver_events_queue(events, obj, pause ? DOMAIN_EVENT_SUSPENDED : DOMAIN_EVENT_RESUMED,
                            pause ? DOMAIN_EVENT_SUSPENDED_PAUSED : DOMAIN_EVENT_RESUMED_UNPAUSED);
    }
    qemu_driver_job_end(drv, obj);
    qemu_driver_emit(drv, events);
    return ok;
}

bool qemu_domain_suspend(DriverConn *conn, const DomainRef *dom, unsigned int flags, GError **error)
{
    return qemu_driver_check_flags(flags, 0, "qemu_domain_suspend", error) &&
           pause_job(conn, dom, true, error);
}

bool qemu_domain_resume(DriverConn *conn, const DomainRef *dom, unsigned int flags, GError **error)
{
    return qemu_driver_check_flags(flags, 0, "qemu_domain_resume", error) &&
           pause_job(conn, dom, false, error);
}
