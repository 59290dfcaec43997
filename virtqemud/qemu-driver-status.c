/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What survives a daemon restart. Persistent configs are loaded as they were written
 * at define time (already with the driver's defaults, so no probe is needed to start
 * the daemon). Every running guest has a status file in the state directory:
 *
 *   <domstatus state='running' reason='booted' pid='1234' id='1'
 *              [transient='yes'] [shutdown='yes'] [fakereboot='yes' [poweroff='pause']]>
 *     <monitor path='.../monitor.sock' type='unix'/>
 *     <paths run='...' pidfile='...' log='...'/>
 *     <domain type='qemu'> ... the live definition ... </domain>
 *   </domstatus>
 *
 * shutdown: QEMU reported the guest's poweroff; fakereboot: a reboot pressed the ACPI
 * button and the poweroff that follows boots the guest again; poweroff='pause': that
 * reboot made QEMU pause on poweroff instead of exiting (set-action), which the guest
 * is reset from and the action set back.
 *
 * On start the guests of the status files come back active at once (reads answer
 * from the file), busy with the job "reconnect" while a startup thread attaches to
 * each QEMU (its pid and QMP socket) and asks it for its run state; a QEMU that is gone
 * makes its domain shut off (crashed). Then, once per host boot, autostart.
 */

#include "qemu-driver.h"

#include <libxml/tree.h>
#include <string.h>

#include "conf/xml-read.h"
#include "conf/xml-writer.h"
#include "daemon/loop-invoke.h"
#include "qemu-snapshot-ops.h"
#include "util/error.h"
#include "util/file-util.h"

#define BOOT_ID_FILE "/proc/sys/kernel/random/boot_id"
#define AUTOSTART_MARKER "autostarted-boot-id"

/* ---- the status file ------------------------------------------------------------- */

static void attr_append(GString *buf, const char *name, const char *value)
{
    g_string_append_printf(buf, " %s='", name);
    xml_escape_append(buf, value ? value : "");
    g_string_append_c(buf, '\'');
}

/* Caller holds obj->lock; @obj is active. */
static char *status_format_locked(DomainObj *obj)
{
    const QemuDomainPriv *priv = qemu_domain_priv_locked(obj);
    g_autofree char *domain = domain_def_format(obj->def, obj->id, DOMAIN_FORMAT_SECURE);
    GString *buf = g_string_new("<domstatus");

    attr_append(buf, "state", domain_state_to_string(obj->state));
    attr_append(buf, "reason", domain_state_reason_to_string(obj->state, obj->reason));
    g_string_append_printf(buf, " pid='%d' id='%d'", (int)priv->pid, obj->id);
    if (!obj->persistent)
        g_string_append(buf, " transient='yes'");
    if (priv->got_shutdown)
        g_string_append(buf, " shutdown='yes'");
    if (priv->fake_reboot)
        g_string_append(buf, " fakereboot='yes'");
    if (priv->action_paused)
        g_string_append(buf, " poweroff='pause'");
    g_string_append(buf, ">\n  <monitor");
    attr_append(buf, "path", priv->monitor_path);
    g_string_append(buf, " type='unix'/>\n  <paths");
    attr_append(buf, "run", priv->run_dir);
    attr_append(buf, "pidfile", priv->pidfile);
    attr_append(buf, "log", priv->log_path);
    g_string_append(buf, "/>\n");
    g_string_append(buf, domain);
    g_string_append(buf, "</domstatus>\n");
    return g_string_free(buf, FALSE);
}

/**
 * qemu_driver_write_status: save what a restarted daemon needs to find @obj's QEMU
 * again. Nothing is written for an inactive domain. Failures are logged: the guest
 * runs on, and the next change writes again.
 */
void qemu_driver_write_status(QemuDriver *drv, DomainObj *obj)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *name = NULL;

    g_mutex_lock(&obj->lock);
    if (domain_obj_is_active_locked(obj) && obj->priv) {
        xml = status_format_locked(obj);
        name = g_strdup(obj->def->name);
    }
    g_mutex_unlock(&obj->lock);
    if (xml && !config_store_write_status(drv->store, name, xml, &error))
        g_warning("cannot save the status of domain '%s': %s", name, error->message);
}

void qemu_driver_delete_status(QemuDriver *drv, const char *name)
{
    g_autoptr(GError) error = NULL;

    if (!config_store_delete_status(drv->store, name, &error))
        g_warning("cannot remove the status of domain '%s': %s", name, error->message);
}

typedef struct QemuStatus {
    DomainState state;
    int reason;
    int pid;
    int id;
    bool transient;
    bool got_shutdown;
    bool fake_reboot;
    bool action_paused;
    char *monitor_path;
    char *run_dir;
    char *pidfile;
    char *log_path;
    DomainDef *def;
} QemuStatus;

static void qemu_status_clear(QemuStatus *st)
{
    g_free(st->monitor_path);
    g_free(st->run_dir);
    g_free(st->pidfile);
    g_free(st->log_path);
    domain_def_free(st->def);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(QemuStatus, qemu_status_clear)

static DomainDef *status_parse_domain(xmlNode *node, GError **error)
{
    xmlBuffer *buf;
    DomainDef *def;

    if (!node) {
        g_set_error_literal(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                            "internal error: status file has no <domain>");
        return NULL;
    }
    buf = xmlBufferCreate();
    xmlNodeDump(buf, node->doc, node, 0, 0);
    def = domain_def_parse_full((const char *)xmlBufferContent(buf), 0, NULL, error);
    xmlBufferFree(buf);
    return def;
}

static bool status_parse(const char *xml, QemuStatus *st, GError **error)
{
    g_autoptr(xmlDoc) doc = xml_doc_parse_safe(xml, "domstatus", VIRT_QEMU_ERROR, error);
    g_autofree char *state = NULL;
    g_autofree char *reason = NULL;
    g_autofree char *transient = NULL;
    g_autofree char *shutdown = NULL;
    g_autofree char *fake_reboot = NULL;
    g_autofree char *poweroff = NULL;
    xmlNode *root;

    if (!doc)
        return false;
    root = xmlDocGetRootElement(doc);
    state = xml_prop(root, "state");
    reason = xml_prop(root, "reason");
    transient = xml_prop(root, "transient");
    shutdown = xml_prop(root, "shutdown");
    fake_reboot = xml_prop(root, "fakereboot");
    poweroff = xml_prop(root, "poweroff");
    st->state = state ? domain_state_from_string(state) : _DOMAIN_STATE_INVALID;
    if ((int)st->state < 0)
        return xml_error_bad_attr(root, "state", state ? state : "", error);
    if (!xml_prop_int(root, "pid", &st->pid, error) || !xml_prop_int(root, "id", &st->id, error))
        return false;
    st->reason = reason ? domain_state_reason_from_string(st->state, reason) : 0;
    st->reason = MAX(st->reason, 0);
    st->transient = g_strcmp0(transient, "yes") == 0;
    st->got_shutdown = g_strcmp0(shutdown, "yes") == 0;
    st->fake_reboot = g_strcmp0(fake_reboot, "yes") == 0;
    st->action_paused = st->fake_reboot && g_strcmp0(poweroff, "pause") == 0;
    st->monitor_path = xml_prop(xml_child(root, "monitor"), "path");
    st->run_dir = xml_prop(xml_child(root, "paths"), "run");
    st->pidfile = xml_prop(xml_child(root, "paths"), "pidfile");
    st->log_path = xml_prop(xml_child(root, "paths"), "log");
    if (st->pid <= 0 || st->id <= 0 || !st->monitor_path)
        return xml_error_missing_attr(root, st->pid <= 0 ? "pid" : "id", error);
    st->def = status_parse_domain(xml_child(root, "domain"), error);
    return st->def != NULL;
}

/* ---- load -------------------------------------------------------------------------- */

static void obj_unref_notify(gpointer obj)
{
    domain_obj_unref(obj);
}

/* Configs were written with the driver's defaults: the generic parse is enough. */
static DomainDef *config_parse(const char *xml, void *data, GError **error)
{
    return domain_def_parse_full(xml, DOMAIN_PARSE_INACTIVE, NULL, error);
}

static void log_problems(GPtrArray *problems)
{
    for (guint i = 0; problems && i < problems->len; i++)
        g_warning("%s", ((GError *)problems->pdata[i])->message);
}

/* A running guest of a status file comes back active, busy with "reconnect". */
static DomainObj *status_activate(QemuDriver *drv, QemuStatus *st, GError **error)
{
    unsigned int add = DOMAIN_OBJ_LIST_ADD_LIVE | DOMAIN_OBJ_LIST_ADD_BEGIN_JOB;
    g_autoptr(DomainObj) obj = NULL;

    if (!domain_obj_list_add(drv->domains, g_steal_pointer(&st->def), add, "reconnect", &obj, NULL,
                             error))
        return NULL;
    g_mutex_lock(&obj->lock);
    QemuDomainPriv *priv = qemu_domain_priv_locked(obj);

    priv->pid = st->pid;
    priv->got_shutdown = st->got_shutdown;
    priv->fake_reboot = st->fake_reboot;
    priv->action_paused = st->action_paused;
    priv->monitor_path = g_steal_pointer(&st->monitor_path);
    priv->run_dir = g_steal_pointer(&st->run_dir);
    priv->pidfile = g_steal_pointer(&st->pidfile);
    priv->log_path = g_steal_pointer(&st->log_path);
    g_mutex_unlock(&obj->lock);
    domain_obj_list_activate(drv->domains, obj, st->id, st->state, st->reason);
    g_atomic_int_inc(&drv->active);
    return g_steal_pointer(&obj);
}

static void load_status_files(QemuDriver *drv, GPtrArray *ret_objs)
{
    g_autoptr(GPtrArray) files = NULL;
    g_autoptr(GPtrArray) problems = NULL;
    g_autoptr(GError) error = NULL;

    if (!config_store_load_status(drv->store, &files, &problems, &error)) {
        g_warning("cannot read the status of running guests: %s", error->message);
        return;
    }
    log_problems(problems);
    for (guint i = 0; i < files->len; i++) {
        StoredFile *file = files->pdata[i];
        g_auto(QemuStatus) st = { 0 };
        g_autoptr(GError) local = NULL;
        DomainObj *obj;

        if (!status_parse(file->xml, &st, &local) || !(obj = status_activate(drv, &st, &local))) {
            g_warning("cannot use status file '%s': %s", file->path, local->message);
            continue;
        }
        g_ptr_array_add(ret_objs, obj);
    }
}

/**
 * qemu_driver_load: persistent configs with their autostart flags, then the guests
 * that were running (active at once, reconnected by the startup thread).
 */
bool qemu_driver_load(QemuDriver *drv, GError **error)
{
    g_autoptr(GPtrArray) problems = NULL;

    if (!config_store_load_domains(drv->store, config_parse, drv, drv->domains, &problems, error))
        return false;
    log_problems(problems);
    drv->reconnect = g_ptr_array_new_with_free_func(obj_unref_notify);
    load_status_files(drv, drv->reconnect);
    return true;
}

/* ---- reconnect --------------------------------------------------------------------- */

/* QEMU stayed after the guest powered off (-no-shutdown, or the pause a reboot set),
 * maybe while no daemon listened: as the SHUTDOWN event would have (handle_shutdown),
 * a reboot or on_poweroff='restart' boots the guest again once the reconnect job ends
 * (the fake reboot's state came from the status file). Caller holds obj->lock. */
static void reconnect_powered_off_locked(DomainObj *obj)
{
    QemuDomainPriv *priv = qemu_domain_priv_locked(obj);
    bool restart = priv->fake_reboot || obj->def->on_poweroff == DOMAIN_LIFECYCLE_RESTART;

    priv->got_shutdown = true;
    priv->restart_pending = restart;
    if (!restart && obj->def->on_poweroff == DOMAIN_LIFECYCLE_PRESERVE)
        domain_obj_set_state_locked(obj, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_SHUTTING_DOWN);
    else
        domain_obj_set_state_locked(obj, DOMAIN_STATE_SHUTDOWN, DOMAIN_SHUTDOWN_USER);
}

static bool reconnect_attach(QemuDriver *drv, DomainObj *obj, GError **error)
{
    g_autoptr(QemuMonitorMessage) reply = NULL;
    g_autofree char *name = NULL;
    g_autofree char *monitor = NULL;
    QemuMonitorStatus status;
    QemuProcCtx *ctx;
    QemuProcess *proc;
    pid_t pid;
    unsigned gen;

    g_mutex_lock(&obj->lock);
    QemuDomainPriv *priv = qemu_domain_priv_locked(obj);

    name = g_strdup(obj->def->name);
    monitor = g_strdup(priv->monitor_path);
    pid = priv->pid;
    gen = ++priv->generation;
    g_mutex_unlock(&obj->lock);

    ctx = qemu_proc_ctx_new(drv, obj, gen);
    proc = qemu_process_attach(daemon_loop_invoker(), name, pid, monitor, QEMU_LAUNCH_TIMEOUT_MS,
                               &qemu_driver_process_callbacks, ctx, error);
    if (!proc) {
        qemu_proc_ctx_free(ctx);
        return false;
    }
    g_mutex_lock(&obj->lock);
    priv->proc = proc;
    priv->ctx = ctx;
    g_mutex_unlock(&obj->lock);
    if (!qemu_driver_monitor_run(obj, qemu_monitor_command_new("query-status"), &reply, error) ||
        !qemu_monitor_parse_status(reply, &status, error))
        return false;
    g_mutex_lock(&obj->lock);
    if (status.state == QEMU_RUN_STATE_SHUTDOWN)
        reconnect_powered_off_locked(obj);
    else if (status.running && obj->state != DOMAIN_STATE_RUNNING)
        domain_obj_set_state_locked(obj, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNKNOWN);
    else if (!status.running && obj->state == DOMAIN_STATE_RUNNING)
        domain_obj_set_state_locked(obj, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_UNKNOWN);
    g_mutex_unlock(&obj->lock);
    return true;
}

static void reconnect_one(QemuDriver *drv, DomainObj *obj)
{
    g_autoptr(GPtrArray) events = driver_events_new();
    g_autoptr(GError) error = NULL;

    if (reconnect_attach(drv, obj, &error)) {
        qemu_driver_write_status(drv, obj);
    } else {
        g_debug("QEMU of a running domain is gone: %s", error->message);
        qemu_driver_process_stop(drv, obj, DOMAIN_SHUTOFF_CRASHED, DOMAIN_EVENT_STOPPED_FAILED,
                                 events);
    }
    qemu_driver_job_end(drv, obj);
    qemu_driver_emit(drv, events);
}

/* ---- autostart --------------------------------------------------------------------- */

/* Autostart runs once per host boot: the marker holds the boot id it ran for. */
static bool autostart_due(QemuDriver *drv)
{
    g_autofree char *boot_id = NULL;
    g_autofree char *done = NULL;
    g_autofree char *marker = g_build_filename(drv->paths->state_dir, AUTOSTART_MARKER, NULL);
    g_autoptr(GError) error = NULL;

    if (!g_file_get_contents(BOOT_ID_FILE, &boot_id, NULL, NULL))
        boot_id = g_strdup("unknown\n");
    if (g_file_get_contents(marker, &done, NULL, NULL) && g_strcmp0(done, boot_id) == 0)
        return false;
    if (!virt_file_write_atomic(marker, boot_id, strlen(boot_id), 0600, &error))
        g_warning("cannot write '%s': %s", marker, error->message);
    return true;
}

static void autostart_one(QemuDriver *drv, DomainObj *obj)
{
    g_autoptr(GPtrArray) events = driver_events_new();
    g_autoptr(GError) error = NULL;
    g_autofree char *name = NULL;
    bool want;

    g_mutex_lock(&obj->lock);
    want = obj->persistent && obj->autostart && !domain_obj_is_active_locked(obj);
    name = g_strdup(obj->def->name);
    g_mutex_unlock(&obj->lock);
    if (!want || !qemu_driver_job_begin(obj, "autostart", &error))
        return;
    /* as libvirt: a managed-save image is restored, not booted over */
    if (!qemu_save_start_obj(drv, obj, 0, events, &error))
        g_warning("cannot autostart domain '%s': %s", name, error->message);
    qemu_driver_job_end(drv, obj);
    qemu_driver_emit(drv, events);
}

static gpointer startup_thread(gpointer data)
{
    QemuDriver *drv = data;
    g_autoptr(GPtrArray) reconnect = g_steal_pointer(&drv->reconnect);
    g_autoptr(GPtrArray) all = NULL;

    for (guint i = 0; reconnect && i < reconnect->len; i++)
        reconnect_one(drv, reconnect->pdata[i]);
    if (!autostart_due(drv))
        return NULL;
    all = domain_obj_list_collect(drv->domains, DOMAIN_LIST_AUTOSTART | DOMAIN_LIST_INACTIVE);
    for (guint i = 0; i < all->len; i++)
        autostart_one(drv, all->pdata[i]);
    return NULL;
}

/**
 * qemu_driver_startup: reconnect to the guests found running, then autostart, on a
 * thread of their own (QMP needs the daemon's loop running).
 */
void qemu_driver_startup(QemuDriver *drv)
{
    drv->startup = g_thread_new("qemu-startup", startup_thread, drv);
}

/**
 * qemu_driver_detach_all: close every monitor and leave the guests running, their
 * status files in place for the next daemon.
 */
void qemu_driver_detach_all(QemuDriver *drv)
{
    g_autoptr(GPtrArray) all = domain_obj_list_collect(drv->domains, DOMAIN_LIST_ACTIVE);

    if (drv->startup)
        g_thread_join(g_steal_pointer(&drv->startup));
    for (guint i = 0; i < all->len; i++) {
        DomainObj *obj = all->pdata[i];
        QemuProcess *proc = NULL;
        QemuProcCtx *ctx = NULL;

        if (!domain_obj_begin_job(obj, "detach", NULL))
            continue; /* busy to the end: its process is released with the object */
        g_mutex_lock(&obj->lock);
        if (obj->priv) {
            proc = g_steal_pointer(&((QemuDomainPriv *)obj->priv)->proc);
            ctx = g_steal_pointer(&((QemuDomainPriv *)obj->priv)->ctx);
        }
        g_mutex_unlock(&obj->lock);
        qemu_process_free(proc);
        qemu_proc_ctx_free(ctx);
        domain_obj_end_job(obj);
    }
}
