/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The test driver's ops. Behaviour, error codes and messages follow libvirt's test
 * driver as Debian's `virsh -c test:///default` shows it, except where virtkit is
 * deliberately stricter (start of a running domain and undefine of a transient one are
 * OPERATION_INVALID; autostart of a transient domain is refused) or richer (start and
 * create accept VIR_DOMAIN_START_PAUSED).
 *
 * Every state change runs as a job on the domain object (test_driver_run_job): take the job (fails
 * at once when busy), change and commit under the object's short lock, drop the job,
 * then deliver the queued events with no lock held.
 */

#include "driver/test-driver.h"

#include <unistd.h>

#include "conf/undefine-policy.h"
#include "driver/test-driver-priv.h"
#include "util/error.h"
#include "util/file-util.h"

#define TEST_MAX_VCPUS 32
#define TEST_VERSION 2
#define NODE_FILE_MAX (16 * 1024 * 1024)

/* libvirt's flag values (reference/libvirt-facts.md §1.13, §3.1) */
enum {
    CONNECT_RO = 1u << 0,
    CONNECT_NO_ALIASES = 1u << 1,
    START_PAUSED = 1u << 0,
    START_FORCE_BOOT = 1u << 3,
    START_VALIDATE = 1u << 4,
    DEFINE_VALIDATE = 1u << 0,
    DESTROY_GRACEFUL = 1u << 0,
    REBOOT_ALL = 0x1f,
    AFFECT_LIVE = 1u << 0,
    AFFECT_CONFIG = 1u << 1,
};

/* ---- connections and events ------------------------------------------------------ */

static GMutex default_lock;
static TestDriver *default_drv;
static unsigned int default_users; /* open connections + holds */

static TestDriver *default_acquire(GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&default_lock);

    if (!default_drv) {
        TestDriver *drv = test_driver_new("test:///default");

        if (!test_driver_load_default(drv, error)) {
            test_driver_unref(drv);
            return NULL;
        }
        default_drv = drv;
    }
    default_users++;
    return test_driver_ref(default_drv);
}

static void default_release_one(void)
{
    TestDriver *drop = NULL;

    g_mutex_lock(&default_lock);
    g_assert(default_users > 0);
    if (--default_users == 0)
        drop = g_steal_pointer(&default_drv);
    g_mutex_unlock(&default_lock);
    test_driver_unref(drop);
}

/**
 * test_driver_default_hold: keep test:///default alive until the matching
 * test_driver_default_release(), even with no connection open.
 */
bool test_driver_default_hold(GError **error)
{
    TestDriver *drv = default_acquire(error);

    if (!drv)
        return false;
    test_driver_unref(drv);
    return true;
}

/**
 * test_driver_default_release: drop a hold taken by test_driver_default_hold().
 */
void test_driver_default_release(void)
{
    default_release_one();
}

static TestDriver *open_file(const char *path, GError **error)
{
    g_autofree char *xml = NULL;
    g_autofree char *uri = g_strconcat("test://", path, NULL);
    g_autofree char *dir = g_path_get_dirname(path);
    TestDriver *drv;

    if (!virt_file_read_bounded(path, NODE_FILE_MAX, &xml, NULL, NULL)) {
        g_set_error(error, VIRT_TEST_ERROR, VIRT_ERR_XML_ERROR,
                    "XML error: failed to parse xml document '%s'", path);
        return NULL;
    }
    drv = test_driver_new(uri);
    if (!test_driver_load_node(drv, xml, dir, error)) {
        test_driver_unref(drv);
        return NULL;
    }
    return drv;
}

static bool test_connect_open(const VirtUri *uri, unsigned int flags, DriverEventFunc event_cb,
                              void *event_data, DriverConn **ret_conn, GError **error)
{
    const char *path = uri->path ? uri->path : "";
    DriverConn *conn;
    TestDriver *drv;
    bool is_default = strcmp(path, "/default") == 0;

    if (!test_driver_check_flags(flags, CONNECT_RO | CONNECT_NO_ALIASES, "test_connect_open",
                                 error))
        return false;
    if (g_strcmp0(uri->driver, "test") != 0 || uri->host) {
        g_set_error(error, VIRT_TEST_ERROR, VIRT_ERR_NO_CONNECT,
                    "no connection driver available for '%s'", uri->scheme ? uri->scheme : "");
        return false;
    }
    if (!*path || strcmp(path, "/") == 0) {
        g_set_error_literal(error, VIRT_TEST_ERROR, VIRT_ERR_INVALID_ARG,
                            "invalid argument: supply a path or use test:///default");
        return false;
    }
    drv = is_default ? default_acquire(error) : open_file(path, error);
    if (!drv)
        return false;

    conn = g_new0(DriverConn, 1);
    conn->drv = drv;
    conn->is_default = is_default;
    conn->sink = driver_event_hub_add(drv->events, event_cb, event_data);
    *ret_conn = conn;
    return true;
}

static void test_connect_close(DriverConn *conn)
{
    TestDriver *drv;

    if (!conn)
        return;
    drv = conn->drv;
    driver_event_hub_remove(drv->events, conn->sink);
    if (conn->is_default)
        default_release_one();
    test_driver_unref(drv);
    g_free(conn);
}

/* ---- connection queries ----------------------------------------------------------- */

static char *test_connect_get_uri(DriverConn *conn, GError **error)
{
    return g_strdup(conn->drv->uri);
}

static bool test_connect_get_version(DriverConn *conn, uint64_t *ret_version, GError **error)
{
    *ret_version = TEST_VERSION;
    return true;
}

static char *test_connect_get_hostname(DriverConn *conn, GError **error)
{
    return driver_host_name();
}

static char *test_connect_get_capabilities(DriverConn *conn, GError **error)
{
    return test_driver_format_capabilities(conn->drv);
}

static int test_connect_get_max_vcpus(DriverConn *conn, const char *type, GError **error)
{
    return TEST_MAX_VCPUS;
}

static bool test_node_get_info(DriverConn *conn, NodeInfo *ret_info, GError **error)
{
    *ret_info = conn->drv->node;
    return true;
}

/* ---- lookups ------------------------------------------------------------------------ */

static bool test_connect_list_all_domains(DriverConn *conn, unsigned int flags,
                                          GPtrArray **ret_doms, GError **error)
{
    if (!test_driver_check_flags(flags, DOMAIN_LIST_ALL_FLAGS, "test_connect_list_all_domains",
                                 error))
        return false;
    *ret_doms = driver_domain_list_all(conn->drv->domains, flags);
    return true;
}

static DomainRef *test_domain_lookup_by_name(DriverConn *conn, const char *name, GError **error)
{
    return driver_domain_lookup_by_name(conn->drv->domains, VIRT_TEST_ERROR, name, error);
}

static DomainRef *test_domain_lookup_by_uuid(DriverConn *conn, const uint8_t uuid[VIRT_UUID_LEN],
                                             GError **error)
{
    return driver_domain_lookup_by_uuid(conn->drv->domains, VIRT_TEST_ERROR, uuid, error);
}

static DomainRef *test_domain_lookup_by_id(DriverConn *conn, int id, GError **error)
{
    return driver_domain_lookup_by_id(conn->drv->domains, VIRT_TEST_ERROR, id, error);
}

/* ---- jobs --------------------------------------------------------------------------- */

/* Run @body as the job @job on the domain @dom, then deliver its events. */
bool test_driver_run_job(DriverConn *conn, const DomainRef *dom, const char *job, JobBody body,
                         unsigned int flags, DomainObj **ret_obj, GError **error)
{
    g_autoptr(DomainObj) obj = test_driver_obj_from_ref(conn, dom, error);
    g_autoptr(GPtrArray) events = driver_events_new();
    bool ok;

    if (!obj || !domain_obj_begin_job(obj, job, error))
        return false;
    ok = body(conn->drv, obj, flags, events, error);
    domain_obj_end_job(obj);
    driver_event_hub_emit(conn->drv->events, events);
    if (ok && ret_obj)
        *ret_obj = g_steal_pointer(&obj);
    return ok;
}

/* ---- lifecycle ---------------------------------------------------------------------- */

/* A managed-save image is resumed from (STARTED/RESTORED) and then dropped; it comes
 * back paused (SUSPENDED/RESTORED) when it was saved so, as in libvirt's QEMU driver.
 * FORCE_BOOT discards it and boots. */
static bool start_body(TestDriver *drv, DomainObj *obj, unsigned int flags, GPtrArray *events,
                       GError **error)
{
    bool start_paused = flags & START_PAUSED;
    bool paused, restore;

    g_mutex_lock(&obj->lock);
    if (domain_obj_is_active_locked(obj)) {
        g_mutex_unlock(&obj->lock);
        /* libvirt's test driver: an internal error, as for the other state checks below */
        g_set_error(error, VIRT_TEST_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "internal error: domain '%s' is already running", obj->def->name);
        return false;
    }
    restore = obj->has_managed_save && !(flags & START_FORCE_BOOT);
    paused = start_paused || (restore && obj->managed_save_paused);
    obj->has_managed_save = false;
    obj->managed_save_paused = false;
    g_mutex_unlock(&obj->lock);

    domain_obj_list_activate(drv->domains, obj, -1,
                             paused ? DOMAIN_STATE_PAUSED : DOMAIN_STATE_RUNNING,
                             paused    ? DOMAIN_PAUSED_USER
                             : restore ? DOMAIN_RUNNING_RESTORED
                                       : DOMAIN_RUNNING_BOOTED);
    driver_events_queue(events, obj, DOMAIN_EVENT_STARTED,
                        restore ? DOMAIN_EVENT_STARTED_RESTORED : DOMAIN_EVENT_STARTED_BOOTED);
    if (paused)
        driver_events_queue(events, obj, DOMAIN_EVENT_SUSPENDED,
                            restore && !start_paused ? DOMAIN_EVENT_SUSPENDED_RESTORED
                                                     : DOMAIN_EVENT_SUSPENDED_PAUSED);
    return true;
}

static DomainRef *test_domain_create(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                     GError **error)
{
    g_autoptr(DomainObj) obj = NULL;

    if (!test_driver_check_flags(flags, START_PAUSED | START_FORCE_BOOT, "test_domain_create",
                                 error) ||
        !test_driver_run_job(conn, dom, "start", start_body, flags, &obj, error))
        return NULL;
    return driver_domain_ref(obj);
}

/* libvirt's test driver starts the domain as the plain call does and leaves the
 * caller's descriptors alone (the daemon closes them): so does this one */
static DomainRef *test_domain_create_with_files(DriverConn *conn, const DomainRef *dom, int *fds,
                                                unsigned int n_fds, unsigned int flags,
                                                GError **error)
{
    return test_domain_create(conn, dom, flags, error);
}

void test_driver_stop_obj(TestDriver *drv, DomainObj *obj, int reason, int detail,
                          GPtrArray *events)
{
    if (domain_obj_list_deactivate(drv->domains, obj, reason)) {
        /* a transient domain that stops takes its snapshot metadata with it, so a
         * later domain of the same name does not inherit it */
        g_mutex_lock(&obj->lock);
        test_driver_transient_stop_locked(obj);
        g_mutex_unlock(&obj->lock);
    }
    driver_events_queue(events, obj, DOMAIN_EVENT_STOPPED, detail);
}

static bool destroy_body(TestDriver *drv, DomainObj *obj, unsigned int flags, GPtrArray *events,
                         GError **error)
{
    if (!driver_domain_check_active(obj, error))
        return false;
    test_driver_stop_obj(drv, obj, DOMAIN_SHUTOFF_DESTROYED, DOMAIN_EVENT_STOPPED_DESTROYED,
                         events);
    return true;
}

static bool test_domain_destroy(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                GError **error)
{
    return test_driver_check_flags(flags, DESTROY_GRACEFUL, "test_domain_destroy", error) &&
           test_driver_run_job(conn, dom, "destroy", destroy_body, flags, NULL, error);
}

/* libvirt's test driver reports these as internal errors naming the domain. */
static bool check_state_locked(DomainObj *obj, bool ok, const char *what, GError **error)
{
    if (ok)
        return true;
    g_set_error(error, VIRT_TEST_ERROR, VIRT_ERR_INTERNAL_ERROR, "internal error: domain '%s' %s",
                obj->def->name, what);
    return false;
}

/* The test driver's guest powers off at once: no SHUTDOWN event, just the stop. */
static bool shutdown_body(TestDriver *drv, DomainObj *obj, unsigned int flags, GPtrArray *events,
                          GError **error)
{
    bool ok;

    g_mutex_lock(&obj->lock);
    ok = check_state_locked(obj, domain_obj_is_active_locked(obj), "not running", error);
    g_mutex_unlock(&obj->lock);
    if (!ok)
        return false;
    test_driver_stop_obj(drv, obj, DOMAIN_SHUTOFF_SHUTDOWN, DOMAIN_EVENT_STOPPED_SHUTDOWN, events);
    return true;
}

static bool test_domain_shutdown(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                 GError **error)
{
    return test_driver_check_flags(flags, 0, "test_domain_shutdown", error) &&
           test_driver_run_job(conn, dom, "shutdown", shutdown_body, flags, NULL, error);
}

/* A reboot goes through shutdown and then does what <on_reboot> says. */
static bool reboot_body(TestDriver *drv, DomainObj *obj, unsigned int flags, GPtrArray *events,
                        GError **error)
{
    DomainLifecycleAction action;

    if (!driver_domain_check_active(obj, error))
        return false;
    g_mutex_lock(&obj->lock);
    action = obj->def->on_reboot;
    switch (action) {
    case DOMAIN_LIFECYCLE_DESTROY:
    case DOMAIN_LIFECYCLE_COREDUMP_DESTROY:
    case DOMAIN_LIFECYCLE_PRESERVE: /* the fake guest has nothing to preserve */
        g_mutex_unlock(&obj->lock);
        test_driver_stop_obj(drv, obj, DOMAIN_SHUTOFF_SHUTDOWN, DOMAIN_EVENT_STOPPED_SHUTDOWN,
                             events);
        return true;
    case DOMAIN_LIFECYCLE_DEFAULT:
    case DOMAIN_LIFECYCLE_RESTART:
    case DOMAIN_LIFECYCLE_RESTART_RENAME:
    case DOMAIN_LIFECYCLE_COREDUMP_RESTART:
    case _DOMAIN_LIFECYCLE_MAX:
    case _DOMAIN_LIFECYCLE_INVALID:
        domain_obj_set_state_locked(obj, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
        break;
    }
    g_mutex_unlock(&obj->lock);
    return true;
}

static bool test_domain_reboot(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                               GError **error)
{
    return test_driver_check_flags(flags, REBOOT_ALL, "test_domain_reboot", error) &&
           test_driver_run_job(conn, dom, "reboot", reboot_body, flags, NULL, error);
}

/* A reset of the fake guest changes nothing visible. */
static bool reset_body(TestDriver *drv, DomainObj *obj, unsigned int flags, GPtrArray *events,
                       GError **error)
{
    return driver_domain_check_active(obj, error);
}

static bool test_domain_reset(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                              GError **error)
{
    return test_driver_check_flags(flags, 0, "test_domain_reset", error) &&
           test_driver_run_job(conn, dom, "reset", reset_body, flags, NULL, error);
}

static bool suspend_body(TestDriver *drv, DomainObj *obj, unsigned int flags, GPtrArray *events,
                         GError **error)
{
    g_mutex_lock(&obj->lock);
    if (!check_state_locked(obj,
                            domain_obj_is_active_locked(obj) && obj->state != DOMAIN_STATE_PAUSED,
                            "not running", error)) {
        g_mutex_unlock(&obj->lock);
        return false;
    }
    domain_obj_set_state_locked(obj, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER);
    g_mutex_unlock(&obj->lock);
    driver_events_queue(events, obj, DOMAIN_EVENT_SUSPENDED, DOMAIN_EVENT_SUSPENDED_PAUSED);
    return true;
}

static bool test_domain_suspend(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                GError **error)
{
    return test_driver_check_flags(flags, 0, "test_domain_suspend", error) &&
           test_driver_run_job(conn, dom, "suspend", suspend_body, flags, NULL, error);
}

static bool resume_body(TestDriver *drv, DomainObj *obj, unsigned int flags, GPtrArray *events,
                        GError **error)
{
    g_mutex_lock(&obj->lock);
    if (!check_state_locked(obj, obj->state == DOMAIN_STATE_PAUSED, "not paused", error)) {
        g_mutex_unlock(&obj->lock);
        return false;
    }
    domain_obj_set_state_locked(obj, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNPAUSED);
    g_mutex_unlock(&obj->lock);
    driver_events_queue(events, obj, DOMAIN_EVENT_RESUMED, DOMAIN_EVENT_RESUMED_UNPAUSED);
    return true;
}

static bool test_domain_resume(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                               GError **error)
{
    return test_driver_check_flags(flags, 0, "test_domain_resume", error) &&
           test_driver_run_job(conn, dom, "resume", resume_body, flags, NULL, error);
}

/* ---- definition ---------------------------------------------------------------------- */

static DomainDef *parse_def(const char *xml, bool validate, GError **error)
{
    DomainParseFlags flags = DOMAIN_PARSE_INACTIVE;

    if (validate)
        flags |= DOMAIN_PARSE_VALIDATE_SCHEMA;
    return domain_def_parse_full(xml, flags, &test_driver_post_parse_ops, error);
}

static DomainRef *test_domain_define_xml(DriverConn *conn, const char *xml, unsigned int flags,
                                         GError **error)
{
    g_autoptr(GPtrArray) events = driver_events_new();
    g_autoptr(DomainObj) obj = NULL;
    DomainDef *def;
    bool was_persistent;

    if (!test_driver_check_flags(flags, DEFINE_VALIDATE, "test_domain_define_xml", error))
        return NULL;
    if (!(def = parse_def(xml, flags & DEFINE_VALIDATE, error)))
        return NULL;
    if (!domain_obj_list_add(conn->drv->domains, def, DOMAIN_OBJ_LIST_ADD_BEGIN_JOB, "define", &obj,
                             &was_persistent, error))
        return NULL;
    driver_events_queue(events, obj, DOMAIN_EVENT_DEFINED,
                        was_persistent ? DOMAIN_EVENT_DEFINED_UPDATED : DOMAIN_EVENT_DEFINED_ADDED);
    domain_obj_end_job(obj);
    driver_event_hub_emit(conn->drv->events, events);
    return driver_domain_ref(obj);
}

/* The rules are conf's undefine policy; the test driver implements what libvirt's does
 * (managed save images and snapshot metadata, kept in memory) and has no files to delete. A running
 * domain stays and becomes transient; an inactive one goes away. */
static bool undefine_body(TestDriver *drv, DomainObj *obj, unsigned int flags, GPtrArray *events,
                          GError **error)
{
    const UndefineRequest req = {
        .flags = flags,
        .supported = UNDEFINE_MANAGED_SAVE | UNDEFINE_SNAPSHOTS_METADATA,
        .edom = VIRT_TEST_ERROR,
    };
    UndefinePlan plan;
    DomainFacts facts;

    g_mutex_lock(&obj->lock);
    facts = (DomainFacts){
        .name = obj->def->name,
        .persistent = obj->persistent,
        .active = domain_obj_is_active_locked(obj),
        .n_snapshots = obj->n_snapshots,
        .n_checkpoints = obj->n_checkpoints,
        .has_managed_save = obj->has_managed_save,
    };
    if (!undefine_policy_plan(&req, &facts, &plan, error)) {
        g_mutex_unlock(&obj->lock);
        return false;
    }
    if (plan.delete_managed_save)
        obj->has_managed_save = false;
    if (plan.delete_snapshot_metadata)
        test_driver_snapshot_forget_locked(obj);
    if (plan.delete_checkpoint_metadata)
        obj->n_checkpoints = 0;
    obj->autostart = false;
    if (plan.action == UNDEFINE_ACTION_MAKE_TRANSIENT) {
        obj->persistent = false;
        g_clear_pointer(&obj->new_def, domain_def_free);
    }
    g_mutex_unlock(&obj->lock);
    driver_events_queue(events, obj, DOMAIN_EVENT_UNDEFINED, DOMAIN_EVENT_UNDEFINED_REMOVED);
    if (plan.action == UNDEFINE_ACTION_REMOVE_OBJECT)
        domain_obj_list_remove(drv->domains, obj);
    return true;
}

static bool test_domain_undefine(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                 GError **error)
{
    return test_driver_run_job(conn, dom, "undefine", undefine_body, flags, NULL, error);
}

static DomainRef *test_domain_create_xml(DriverConn *conn, const char *xml, unsigned int flags,
                                         GError **error)
{
    const unsigned int add_flags =
        DOMAIN_OBJ_LIST_ADD_LIVE | DOMAIN_OBJ_LIST_ADD_CHECK_LIVE | DOMAIN_OBJ_LIST_ADD_BEGIN_JOB;
    g_autoptr(GPtrArray) events = driver_events_new();
    g_autoptr(DomainObj) obj = NULL;
    DomainDef *def;
    bool paused = flags & START_PAUSED;

    if (!test_driver_check_flags(flags, START_PAUSED | START_VALIDATE, "test_domain_create_xml",
                                 error))
        return NULL;
    if (!(def = parse_def(xml, flags & START_VALIDATE, error)))
        return NULL;
    if (!domain_obj_list_add(conn->drv->domains, def, add_flags, "create", &obj, NULL, error))
        return NULL;
    domain_obj_list_activate(conn->drv->domains, obj, -1,
                             paused ? DOMAIN_STATE_PAUSED : DOMAIN_STATE_RUNNING,
                             paused ? DOMAIN_PAUSED_USER : DOMAIN_RUNNING_BOOTED);
    driver_events_queue(events, obj, DOMAIN_EVENT_STARTED, DOMAIN_EVENT_STARTED_BOOTED);
    if (paused)
        driver_events_queue(events, obj, DOMAIN_EVENT_SUSPENDED, DOMAIN_EVENT_SUSPENDED_PAUSED);
    domain_obj_end_job(obj);
    driver_event_hub_emit(conn->drv->events, events);
    return driver_domain_ref(obj);
}

/* as test_domain_create_with_files() */
static DomainRef *test_domain_create_xml_with_files(DriverConn *conn, const char *xml, int *fds,
                                                    unsigned int n_fds, unsigned int flags,
                                                    GError **error)
{
    return test_domain_create_xml(conn, xml, flags, error);
}

static char *test_domain_get_xml_desc(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                      GError **error)
{
    return driver_domain_get_xml_desc(conn->drv->domains, VIRT_TEST_ERROR, dom, flags,
                                      "test_domain_get_xml_desc", error);
}

static bool autostart_body(TestDriver *drv, DomainObj *obj, unsigned int flags, GPtrArray *events,
                           GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);

    if (!obj->persistent) {
        g_set_error_literal(error, VIRT_TEST_ERROR, VIRT_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: cannot set autostart for "
                            "transient domain");
        return false;
    }
    obj->autostart = flags != 0;
    return true;
}

static bool test_domain_set_autostart(DriverConn *conn, const DomainRef *dom, bool autostart,
                                      GError **error)
{
    return test_driver_run_job(conn, dom, "autostart", autostart_body, autostart, NULL, error);
}

/* ---- metadata ------------------------------------------------------------------------- */

static char *test_domain_get_metadata(DriverConn *conn, const DomainRef *dom, int type,
                                      const char *uri, unsigned int flags, GError **error)
{
    return driver_domain_get_metadata(conn->drv->domains, VIRT_TEST_ERROR, dom, type, uri, flags,
                                      "test_domain_get_metadata", error);
}

static bool test_domain_set_metadata(DriverConn *conn, const DomainRef *dom, int type,
                                     const char *metadata, const char *key, const char *uri,
                                     unsigned int flags, GError **error)
{
    const DriverMetadataChange change = { type, metadata, key, uri };
    g_autoptr(DomainObj) obj = NULL;
    bool ok;

    if (!test_driver_check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG, "test_domain_set_metadata",
                                 error) ||
        !(obj = test_driver_obj_from_ref(conn, dom, error)) ||
        !domain_obj_begin_job(obj, "metadata", error))
        return false;
    g_mutex_lock(&obj->lock);
    ok = driver_domain_set_metadata_locked(obj, flags, &change, error);
    g_mutex_unlock(&obj->lock);
    domain_obj_end_job(obj);
    return ok;
}

/* ---- queries ---------------------------------------------------------------------------- */

/* Reads never wait for a job. */
static bool get_facts(DriverConn *conn, const DomainRef *dom, DomainObjFacts *ret_facts,
                      GError **error)
{
    return driver_domain_get_facts(conn->drv->domains, VIRT_TEST_ERROR, dom, ret_facts, error);
}

static bool test_domain_get_info(DriverConn *conn, const DomainRef *dom, DomainInfo *ret_info,
                                 GError **error)
{
    g_autoptr(DomainObj) obj = test_driver_obj_from_ref(conn, dom, error);

    if (!obj)
        return false;
    g_mutex_lock(&obj->lock);
    driver_domain_info_locked(obj, ret_info);
    g_mutex_unlock(&obj->lock);
    /* like libvirt's test driver: the wall clock stands in for CPU time */
    ret_info->cpu_time_ns = (uint64_t)g_get_real_time() * 1000;
    return true;
}

static bool test_domain_get_state(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                  int *ret_state, int *ret_reason, GError **error)
{
    DomainObjFacts facts;

    if (!test_driver_check_flags(flags, 0, "test_domain_get_state", error) ||
        !get_facts(conn, dom, &facts, error))
        return false;
    *ret_state = facts.state;
    *ret_reason = facts.reason;
    return true;
}

#define DEFINE_BOOL_QUERY(fn, field)                                                  \
    static bool fn(DriverConn *conn, const DomainRef *dom, bool *ret, GError **error) \
    {                                                                                 \
        DomainObjFacts facts;                                                         \
                                                                                      \
        if (!get_facts(conn, dom, &facts, error))                                     \
            return false;                                                             \
        *ret = facts.field;                                                           \
        return true;                                                                  \
    }

DEFINE_BOOL_QUERY(test_domain_is_active, active)
DEFINE_BOOL_QUERY(test_domain_is_persistent, persistent)
DEFINE_BOOL_QUERY(test_domain_is_updated, updated)
DEFINE_BOOL_QUERY(test_domain_has_managed_save_image, has_managed_save)
DEFINE_BOOL_QUERY(test_domain_get_autostart, autostart)

/* libvirt's test driver answers "linux" whatever the <os><type> says. */
static char *test_domain_get_os_type(DriverConn *conn, const DomainRef *dom, GError **error)
{
    g_autoptr(DomainObj) obj = test_driver_obj_from_ref(conn, dom, error);

    return obj ? g_strdup("linux") : NULL;
}

static bool test_domain_get_max_memory(DriverConn *conn, const DomainRef *dom, uint64_t *ret_kib,
                                       GError **error)
{
    g_autoptr(DomainObj) obj = test_driver_obj_from_ref(conn, dom, error);

    if (!obj)
        return false;
    g_mutex_lock(&obj->lock);
    *ret_kib = obj->def->memory_kib;
    g_mutex_unlock(&obj->lock);
    return true;
}

/* ---- security --------------------------------------------------------------------------- */

static bool test_node_get_security_model(DriverConn *conn, char **ret_model, char **ret_doi,
                                         GError **error)
{
    *ret_model = g_strdup("testSecurity");
    *ret_doi = g_strdup("");
    return true;
}

/* Running domains carry libvirt's fixed test label; inactive ones have none. */
static bool test_domain_get_security_label(DriverConn *conn, const DomainRef *dom, char **ret_label,
                                           bool *ret_enforcing, GError **error)
{
    DomainObjFacts facts;

    if (!get_facts(conn, dom, &facts, error))
        return false;
    *ret_label = g_strdup(facts.active ? "libvirt-test" : "");
    *ret_enforcing = facts.active;
    return true;
}

/* ---- post-parse ------------------------------------------------------------------------- */

/* The test host is i686: guests without an arch get it, as libvirt's parser gives
 * them. */
static bool test_post_parse_arch(DomainDef *def, void *opaque, GError **error)
{
    if (!def->os.arch)
        def->os.arch = g_strdup("i686");
    return true;
}

/* Interfaces without a <target dev> also get the name libvirt's test driver gives
 * them when a domain is defined or created, "testnet<index>". */
static bool test_post_parse_domain(DomainDef *def, void *opaque, GError **error)
{
    test_post_parse_arch(def, opaque, error);
    for (guint i = 0; def->nets && i < def->nets->len; i++) {
        DomainNetDef *net = g_ptr_array_index(def->nets, i);

        if (!net->target_dev)
            net->target_dev = g_strdup_printf("testnet%u", i);
    }
    return true;
}

const DomainPostParseOps test_driver_post_parse_ops = {
    .domain = test_post_parse_domain,
};

const DomainPostParseOps test_driver_parser_ops = {
    .domain = test_post_parse_arch,
};

const DriverOps test_driver_ops = {
    .name = "test",
    .hv_type = "TEST",
    .reads_never_block = true,
    .connect_open = test_connect_open,
    .connect_close = test_connect_close,
    .connect_get_uri = test_connect_get_uri,
    .connect_get_version = test_connect_get_version,
    .connect_get_hostname = test_connect_get_hostname,
    .connect_get_capabilities = test_connect_get_capabilities,
    .connect_get_max_vcpus = test_connect_get_max_vcpus,
    .node_get_info = test_node_get_info,
    .connect_list_all_domains = test_connect_list_all_domains,
    .domain_lookup_by_name = test_domain_lookup_by_name,
    .domain_lookup_by_uuid = test_domain_lookup_by_uuid,
    .domain_lookup_by_id = test_domain_lookup_by_id,
    .domain_define_xml = test_domain_define_xml,
    .domain_undefine = test_domain_undefine,
    .domain_get_xml_desc = test_domain_get_xml_desc,
    .domain_get_autostart = test_domain_get_autostart,
    .domain_set_autostart = test_domain_set_autostart,
    .domain_get_metadata = test_domain_get_metadata,
    .domain_set_metadata = test_domain_set_metadata,
    .domain_create = test_domain_create,
    .domain_create_xml = test_domain_create_xml,
    .domain_create_with_files = test_domain_create_with_files,
    .domain_create_xml_with_files = test_domain_create_xml_with_files,
    .domain_destroy = test_domain_destroy,
    .domain_shutdown = test_domain_shutdown,
    .domain_reboot = test_domain_reboot,
    .domain_reset = test_domain_reset,
    .domain_suspend = test_domain_suspend,
    .domain_resume = test_domain_resume,
    .domain_get_info = test_domain_get_info,
    .domain_get_state = test_domain_get_state,
    .domain_is_active = test_domain_is_active,
    .domain_is_persistent = test_domain_is_persistent,
    .domain_is_updated = test_domain_is_updated,
    .domain_has_managed_save_image = test_domain_has_managed_save_image,
    .domain_get_os_type = test_domain_get_os_type,
    .domain_get_max_memory = test_domain_get_max_memory,
    .domain_managed_save = test_domain_managed_save,
    .domain_managed_save_remove = test_domain_managed_save_remove,
    .domain_snapshot_create_xml = test_domain_snapshot_create_xml,
    .domain_list_all_snapshots = test_domain_list_all_snapshots,
    .domain_snapshot_num = test_domain_snapshot_num,
    .domain_snapshot_list_names = test_domain_snapshot_list_names,
    .domain_snapshot_lookup_by_name = test_domain_snapshot_lookup_by_name,
    .domain_has_current_snapshot = test_domain_has_current_snapshot,
    .domain_snapshot_current = test_domain_snapshot_current,
    .domain_snapshot_get_parent = test_domain_snapshot_get_parent,
    .domain_snapshot_get_xml_desc = test_domain_snapshot_get_xml_desc,
    .domain_snapshot_is_current = test_domain_snapshot_is_current,
    .domain_snapshot_has_metadata = test_domain_snapshot_has_metadata,
    .domain_snapshot_list_all_children = test_domain_snapshot_list_all_children,
    .domain_snapshot_num_children = test_domain_snapshot_num_children,
    .domain_snapshot_list_children_names = test_domain_snapshot_list_children_names,
    .domain_revert_to_snapshot = test_domain_revert_to_snapshot,
    .domain_snapshot_delete = test_domain_snapshot_delete,
    .node_get_security_model = test_node_get_security_model,
    .domain_get_security_label = test_domain_get_security_label,
};
