/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The QEMU driver's definitions and queries: define and undefine (persisted through
 * the ConfigStore, the undefine policy from conf/), lookups, lists, facts, XML,
 * autostart and metadata. The generic parts are common/driver's.
 */

#include "qemu-driver.h"

#include <errno.h>
#include <unistd.h>

#include "conf/undefine-policy.h"
#include "qemu-command.h"
#include "state/snapshot-store.h"
#include "util/error.h"

/* libvirt's flag values (reference/libvirt-facts.md §1.13) */
enum {
    DEFINE_VALIDATE = 1u << 0,
    AFFECT_LIVE = 1u << 0,
    AFFECT_CONFIG = 1u << 1,
};

bool qemu_driver_check_flags(unsigned int flags, unsigned int allowed, const char *func,
                             GError **error)
{
    return driver_check_flags(flags, allowed, func, VIRT_QEMU_ERROR, error);
}

DomainObj *qemu_driver_obj(DriverConn *conn, const DomainRef *dom, GError **error)
{
    return driver_domain_obj_from_ref(conn->drv->domains, VIRT_QEMU_ERROR, dom, error);
}

/**
 * qemu_domain_priv_locked: the QEMU data of @obj, made on first use. Caller holds
 * obj->lock.
 */
QemuDomainPriv *qemu_domain_priv_locked(DomainObj *obj)
{
    if (!obj->priv) {
        obj->priv = g_new0(QemuDomainPriv, 1);
        obj->priv_free = qemu_domain_priv_free;
    }
    return obj->priv;
}

/**
 * qemu_driver_post_parse: the QEMU driver's defaults for the emulator @def names (whose
 * capabilities are probed if need be), then validation; what a define and a
 * redefined snapshot's config get.
 */
bool qemu_driver_post_parse(QemuDriver *drv, DomainDef *def, GError **error)
{
    const QemuCaps *caps;
    DomainPostParseOps ops;

    if (def->os.type != DOMAIN_OS_HVM) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_CONFIG_UNSUPPORTED,
                    "unsupported configuration: domain '%s': os type '%s' is not supported by "
                    "QEMU",
                    def->name, domain_os_type_to_string(def->os.type));
        return false;
    }
    if (!(caps = qemu_driver_caps_for_def(drv, def, error)))
        return false;
    ops = qemu_post_parse_ops(caps);
    return domain_def_post_parse(def, &ops, error) && domain_def_validate(def, error);
}

/**
 * qemu_driver_parse: a definition from @xml, post-parsed by qemu_driver_post_parse().
 */
DomainDef *qemu_driver_parse(QemuDriver *drv, const char *xml, DomainParseFlags flags,
                             GError **error)
{
    g_autoptr(DomainDef) def = domain_def_parse_string(xml, flags, error);

    if (!def || !qemu_driver_post_parse(drv, def, error))
        return NULL;
    return g_steal_pointer(&def);
}

bool qemu_driver_save_config(QemuDriver *drv, const DomainDef *def, GError **error)
{
    g_autofree char *xml =
        domain_def_format(def, -1, DOMAIN_FORMAT_SECURE | DOMAIN_FORMAT_INACTIVE);

    return config_store_write_config(drv->store, def->name, xml, error);
}

/* ---- lookups and lists ------------------------------------------------------------- */

DomainRef *qemu_domain_lookup_by_name(DriverConn *conn, const char *name, GError **error)
{
    return driver_domain_lookup_by_name(conn->drv->domains, VIRT_QEMU_ERROR, name, error);
}

DomainRef *qemu_domain_lookup_by_uuid(DriverConn *conn, const uint8_t uuid[VIRT_UUID_LEN],
                                      GError **error)
{
    return driver_domain_lookup_by_uuid(conn->drv->domains, VIRT_QEMU_ERROR, uuid, error);
}

DomainRef *qemu_domain_lookup_by_id(DriverConn *conn, int id, GError **error)
{
    return driver_domain_lookup_by_id(conn->drv->domains, VIRT_QEMU_ERROR, id, error);
}

bool qemu_connect_list_all_domains(DriverConn *conn, unsigned int flags, GPtrArray **ret_doms,
                                   GError **error)
{
    if (!qemu_driver_check_flags(flags, DOMAIN_LIST_ALL_FLAGS, "qemu_connect_list_all_domains",
                                 error))
        return false;
    *ret_doms = driver_domain_list_all(conn->drv->domains, flags);
    return true;
}

/* ---- define and undefine ----------------------------------------------------------- */

/* Whether the list will refuse @def: it takes the name or UUID of another domain, or
 * its domain is busy with a job. */
static bool define_conflicts(QemuDriver *drv, const DomainDef *def)
{
    g_autoptr(DomainObj) by_name = domain_obj_list_find_by_name(drv->domains, def->name);
    g_autoptr(DomainObj) by_uuid = domain_obj_list_find_by_uuid(drv->domains, def->uuid);
    bool busy = false;

    if (by_uuid) {
        g_mutex_lock(&by_uuid->lock);
        busy = by_uuid->job != NULL;
        g_mutex_unlock(&by_uuid->lock);
    }
    return by_name != by_uuid || busy;
}

/**
 * qemu_domain_define_xml: the config file is written before the object changes, so a
 * failed write leaves the domain as it was. A definition that clashes with another
 * domain's name or UUID is refused by the list before anything is written.
 */
DomainRef *qemu_domain_define_xml(DriverConn *conn, const char *xml, unsigned int flags,
                                  GError **error)
{
    QemuDriver *drv = conn->drv;
    DomainParseFlags parse = DOMAIN_PARSE_INACTIVE;
    g_autoptr(GPtrArray) events = driver_events_new();
    g_autoptr(DomainObj) obj = NULL;
    g_autoptr(DomainDef) def = NULL;
    bool was_persistent;

    if (!qemu_driver_check_flags(flags, DEFINE_VALIDATE, "qemu_domain_define_xml", error))
        return NULL;
    if (flags & DEFINE_VALIDATE)
        parse |= DOMAIN_PARSE_VALIDATE_SCHEMA;
    if (!(def = qemu_driver_parse(drv, xml, parse, error)))
        return NULL;
    if (!define_conflicts(drv, def) && !qemu_driver_save_config(drv, def, error))
        return NULL;
    if (!domain_obj_list_add(drv->domains, g_steal_pointer(&def), DOMAIN_OBJ_LIST_ADD_BEGIN_JOB,
                             "define", &obj, &was_persistent, error))
        return NULL;
    driver_events_queue(events, obj, DOMAIN_EVENT_DEFINED,
                        was_persistent ? DOMAIN_EVENT_DEFINED_UPDATED : DOMAIN_EVENT_DEFINED_ADDED);
    domain_obj_end_job(obj);
    qemu_driver_emit(drv, events);
    return driver_domain_ref(obj);
}

static bool file_exists(const char *dir, const char *name, const char *suffix)
{
    g_autofree char *file = g_strconcat(name, suffix, NULL);
    g_autofree char *path = g_build_filename(dir, file, NULL);

    return g_file_test(path, G_FILE_TEST_EXISTS);
}

static bool remove_file(const char *dir, const char *name, const char *suffix, GError **error)
{
    g_autofree char *file = g_strconcat(name, suffix, NULL);
    g_autofree char *path = g_build_filename(dir, file, NULL);

    if (unlink(path) < 0 && errno != ENOENT)
        return virt_error_set_errno(error, VIRT_QEMU_ERROR, errno, "cannot remove '%s'", path);
    return true;
}

/* Carry out what conf's plan says about files; the config goes last. */
static bool undefine_files(QemuDriver *drv, const char *name, const UndefinePlan *plan,
                           GError **error)
{
    g_autoptr(SnapshotStore) snapshots = snapshot_store_new(drv->paths->snapshot_dir);

    if (plan->delete_managed_save && !remove_file(drv->paths->save_dir, name, ".save", error))
        return false;
    if (plan->delete_nvram && !remove_file(drv->paths->nvram_dir, name, "_VARS.fd", error))
        return false;
    if (plan->delete_snapshot_metadata && !snapshot_store_delete_all(snapshots, name, error))
        return false;
    if (!plan->remove_config)
        return true;
    return config_store_set_autostart(drv->store, name, false, error) &&
           config_store_delete_config(drv->store, name, error);
}

/*
 * Plan and carry out an undefine of @obj, whose job the caller holds: the job keeps
 * the object as it is, so the files are removed outside its lock (readers on the
 * loop never wait for file I/O) and the result is committed under it afterwards.
 */
static bool undefine_obj(QemuDriver *drv, DomainObj *obj, unsigned int flags, bool *ret_remove,
                         GError **error)
{
    const UndefineRequest req = { .flags = flags, .supported = 0, .edom = VIRT_QEMU_ERROR };
    g_autofree char *name = NULL;
    DomainFacts facts = { 0 };
    UndefinePlan plan;

    g_mutex_lock(&obj->lock);
    name = g_strdup(obj->def->name);
    facts.persistent = obj->persistent;
    facts.active = domain_obj_is_active_locked(obj);
    facts.n_snapshots = obj->n_snapshots;
    facts.n_checkpoints = obj->n_checkpoints;
    g_mutex_unlock(&obj->lock);
    facts.name = name;
    facts.has_managed_save = file_exists(drv->paths->save_dir, name, ".save");
    facts.has_nvram_file = file_exists(drv->paths->nvram_dir, name, "_VARS.fd");
    if (!undefine_policy_plan(&req, &facts, &plan, error) ||
        !undefine_files(drv, name, &plan, error))
        return false;
    g_mutex_lock(&obj->lock);
    if (plan.delete_snapshot_metadata)
        obj->n_snapshots = 0;
    if (plan.delete_checkpoint_metadata)
        obj->n_checkpoints = 0;
    if (plan.delete_managed_save)
        obj->has_managed_save = false;
    obj->autostart = false;
    if (plan.action == UNDEFINE_ACTION_MAKE_TRANSIENT) {
        obj->persistent = false;
        g_clear_pointer(&obj->new_def, domain_def_free);
    }
    *ret_remove = !domain_obj_is_active_locked(obj);
    g_mutex_unlock(&obj->lock);
    return true;
}

/**
 * qemu_domain_undefine: conf's undefine policy decides; a running domain keeps
 * running as a transient one, an inactive one goes away.
 */
bool qemu_domain_undefine(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                          GError **error)
{
    QemuDriver *drv = conn->drv;
    g_autoptr(DomainObj) obj = qemu_driver_obj(conn, dom, error);
    g_autoptr(GPtrArray) events = driver_events_new();
    bool ok, remove = false;

    if (!obj || !domain_obj_begin_job(obj, "undefine", error))
        return false;
    ok = undefine_obj(drv, obj, flags, &remove, error);
    if (ok) {
        driver_events_queue(events, obj, DOMAIN_EVENT_UNDEFINED, DOMAIN_EVENT_UNDEFINED_REMOVED);
        if (remove)
            domain_obj_list_remove(drv->domains, obj);
        else
            qemu_driver_write_status(drv, obj);
    }
    domain_obj_end_job(obj);
    qemu_driver_emit(drv, events);
    return ok;
}

/**
 * qemu_driver_transient_cleanup: what conf's plan says goes when the transient domain
 * @obj stopped (it already left the list).
 */
void qemu_driver_transient_cleanup(QemuDriver *drv, DomainObj *obj)
{
    g_autofree char *name = NULL;
    bool has_managed_save;
    DomainFacts facts;
    UndefinePlan plan;

    g_mutex_lock(&obj->lock);
    name = g_strdup(obj->def->name);
    g_mutex_unlock(&obj->lock);
    has_managed_save = file_exists(drv->paths->save_dir, name, ".save"); /* no I/O locked */
    g_mutex_lock(&obj->lock);
    facts = (DomainFacts){
        .name = name,
        .persistent = obj->persistent,
        .n_snapshots = obj->n_snapshots,
        .n_checkpoints = obj->n_checkpoints,
        .has_managed_save = has_managed_save,
    };
    undefine_policy_plan_transient_stop(&facts, &plan);
    if (plan.delete_snapshot_metadata)
        obj->n_snapshots = 0;
    g_mutex_unlock(&obj->lock);
    plan.remove_config = false; /* a transient domain has none */
    (void)undefine_files(drv, name, &plan, NULL);
}

/* ---- XML, autostart, metadata ------------------------------------------------------ */

char *qemu_domain_get_xml_desc(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                               GError **error)
{
    return driver_domain_get_xml_desc(conn->drv->domains, VIRT_QEMU_ERROR, dom, flags,
                                      "qemu_domain_get_xml_desc", error);
}

bool qemu_domain_set_autostart(DriverConn *conn, const DomainRef *dom, bool autostart,
                               GError **error)
{
    QemuDriver *drv = conn->drv;
    g_autoptr(DomainObj) obj = qemu_driver_obj(conn, dom, error);
    g_autofree char *name = NULL;
    bool persistent, ok;

    if (!obj || !domain_obj_begin_job(obj, "autostart", error))
        return false;
    g_mutex_lock(&obj->lock);
    persistent = obj->persistent;
    name = g_strdup(obj->def->name);
    g_mutex_unlock(&obj->lock);
    if (!persistent) {
        g_set_error_literal(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: cannot set autostart for "
                            "transient domain");
        ok = false;
    } else {
        ok = config_store_set_autostart(drv->store, name, autostart, error);
    }
    if (ok) {
        g_mutex_lock(&obj->lock);
        obj->autostart = autostart;
        g_mutex_unlock(&obj->lock);
    }
    domain_obj_end_job(obj);
    return ok;
}

char *qemu_domain_get_metadata(DriverConn *conn, const DomainRef *dom, int type, const char *uri,
                               unsigned int flags, GError **error)
{
    return driver_domain_get_metadata(conn->drv->domains, VIRT_QEMU_ERROR, dom, type, uri, flags,
                                      "qemu_domain_get_metadata", error);
}

/* After a metadata change: the config file and the status file follow the object. */
static bool metadata_persist(QemuDriver *drv, DomainObj *obj, unsigned int flags, GError **error)
{
    g_autoptr(DomainDef) config = NULL;

    g_mutex_lock(&obj->lock);
    if (obj->persistent)
        config = domain_def_copy(domain_obj_persistent_def_locked(obj));
    g_mutex_unlock(&obj->lock);
    if (config && !qemu_driver_save_config(drv, config, error))
        return false;
    qemu_driver_write_status(drv, obj);
    return true;
}

bool qemu_domain_set_metadata(DriverConn *conn, const DomainRef *dom, int type,
                              const char *metadata, const char *key, const char *uri,
                              unsigned int flags, GError **error)
{
    const DriverMetadataChange change = { type, metadata, key, uri };
    g_autoptr(DomainObj) obj = NULL;
    bool ok;

    if (!qemu_driver_check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG, "qemu_domain_set_metadata",
                                 error) ||
        !(obj = qemu_driver_obj(conn, dom, error)) || !domain_obj_begin_job(obj, "metadata", error))
        return false;
    g_mutex_lock(&obj->lock);
    ok = driver_domain_set_metadata_locked(obj, flags, &change, error);
    g_mutex_unlock(&obj->lock);
    ok = ok && metadata_persist(conn->drv, obj, flags, error);
    domain_obj_end_job(obj);
    return ok;
}

/* ---- queries ----------------------------------------------------------------------- */

/* CPU time of a running QEMU (utime + stime of the process), 0 when unknown. */
static uint64_t process_cpu_time_ns(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *text = NULL;
    g_auto(GStrv) fields = NULL;
    const char *rest;
    long ticks = sysconf(_SC_CLK_TCK);

    if (pid <= 0 || !g_file_get_contents(path, &text, NULL, NULL) || !(rest = strrchr(text, ')')))
        return 0;
    fields = g_strsplit(rest + 2, " ", 16);
    /* after "pid (comm) ": state is field 0, utime 11, stime 12 */
    if (g_strv_length(fields) < 14 || ticks <= 0)
        return 0;
    return (g_ascii_strtoull(fields[11], NULL, 10) + g_ascii_strtoull(fields[12], NULL, 10)) *
           (1000000000ull / (uint64_t)ticks);
}

bool qemu_domain_get_info(DriverConn *conn, const DomainRef *dom, DomainInfo *ret_info,
                          GError **error)
{
    g_autoptr(DomainObj) obj = qemu_driver_obj(conn, dom, error);
    pid_t pid = 0;

    if (!obj)
        return false;
    g_mutex_lock(&obj->lock);
    driver_domain_info_locked(obj, ret_info);
    if (obj->priv && domain_obj_is_active_locked(obj))
        pid = ((QemuDomainPriv *)obj->priv)->pid;
    g_mutex_unlock(&obj->lock);
    ret_info->cpu_time_ns = process_cpu_time_ns(pid);
    return true;
}

bool qemu_domain_get_state(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                           int *ret_state, int *ret_reason, GError **error)
{
    DomainObjFacts facts;

    if (!qemu_driver_check_flags(flags, 0, "qemu_domain_get_state", error) ||
        !driver_domain_get_facts(conn->drv->domains, VIRT_QEMU_ERROR, dom, &facts, error))
        return false;
    *ret_state = facts.state;
    *ret_reason = facts.reason;
    return true;
}

#define DEFINE_BOOL_QUERY(fn, field)                                                           \
    bool fn(DriverConn *conn, const DomainRef *dom, bool *ret, GError **error)                 \
    {                                                                                          \
        DomainObjFacts facts;                                                                  \
                                                                                               \
        if (!driver_domain_get_facts(conn->drv->domains, VIRT_QEMU_ERROR, dom, &facts, error)) \
            return false;                                                                      \
        *ret = facts.field;                                                                    \
        return true;                                                                           \
    }

DEFINE_BOOL_QUERY(qemu_domain_is_active, active)
DEFINE_BOOL_QUERY(qemu_domain_is_persistent, persistent)
DEFINE_BOOL_QUERY(qemu_domain_is_updated, updated)
DEFINE_BOOL_QUERY(qemu_domain_get_autostart, autostart)

bool qemu_domain_has_managed_save_image(DriverConn *conn, const DomainRef *dom, bool *ret,
                                        GError **error)
{
    g_autoptr(DomainObj) obj = qemu_driver_obj(conn, dom, error);
    g_autofree char *name = NULL;

    if (!obj)
        return false;
    g_mutex_lock(&obj->lock);
    name = g_strdup(obj->def->name);
    g_mutex_unlock(&obj->lock);
    *ret = file_exists(conn->drv->paths->save_dir, name, ".save");
    return true;
}

char *qemu_domain_get_os_type(DriverConn *conn, const DomainRef *dom, GError **error)
{
    g_autoptr(DomainObj) obj = qemu_driver_obj(conn, dom, error);
    g_autoptr(GMutexLocker) locker = NULL;

    if (!obj)
        return NULL;
    locker = g_mutex_locker_new(&obj->lock);
    return g_strdup(domain_os_type_to_string(obj->def->os.type));
}

bool qemu_domain_get_max_memory(DriverConn *conn, const DomainRef *dom, uint64_t *ret_kib,
                                GError **error)
{
    g_autoptr(DomainObj) obj = qemu_driver_obj(conn, dom, error);

    if (!obj)
        return false;
    g_mutex_lock(&obj->lock);
    *ret_kib = obj->def->memory_kib;
    g_mutex_unlock(&obj->lock);
    return true;
}
