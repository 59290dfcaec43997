/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The QEMU driver's state and its connect and host ops.
 *
 * Capabilities are probed lazily, one binary at a time: a call that needs the caps of
 * one emulator waits for that probe only (a per-binary lock), and the result comes
 * from the on-disk cache (qemu_caps_cache_get) when the binary did not change. At
 * start a background thread warms the host emulator's entry, so the daemon accepts
 * clients at once and the first define rarely waits.
 */

#include "qemu-console.h"
#include "qemu-driver.h"
#include "qemu-host-net.h"
#include "qemu-snapshot-ops.h"

#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "conf/capabilities.h"
#include "util/error.h"
#include "util/file-util.h"

struct QemuCapsSlot {
    GMutex lock; /* held for the whole probe of this binary */
    char *binary;
    QemuCaps *caps;     /* current caps; NULL until probed */
    GPtrArray *retired; /* QemuCaps* replaced after a change of the binary (kept alive,
                         * callers may still hold them) */
};

static QemuDriver *qemu_drv;

QemuDriver *qemu_driver_get(void)
{
    return qemu_drv;
}

/* ---- capabilities ------------------------------------------------------------------ */

static void caps_free_notify(gpointer caps)
{
    qemu_caps_free(caps);
}

static void caps_slot_free(gpointer data)
{
    QemuCapsSlot *slot = data;

    g_mutex_clear(&slot->lock);
    g_free(slot->binary);
    qemu_caps_free(slot->caps);
    g_ptr_array_unref(slot->retired);
    g_free(slot);
}

static QemuCapsSlot *caps_slot_get(QemuDriver *drv, const char *binary)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&drv->caps_lock);
    QemuCapsSlot *slot = g_hash_table_lookup(drv->caps_slots, binary);

    if (!slot) {
        slot = g_new0(QemuCapsSlot, 1);
        g_mutex_init(&slot->lock);
        slot->binary = g_strdup(binary);
        slot->retired = g_ptr_array_new_with_free_func(caps_free_notify);
        g_hash_table_insert(drv->caps_slots, g_strdup(binary), slot);
    }
    return slot;
}

/* Whether @caps still describe the binary on disk (cheap: one stat). */
static bool caps_still_current(const QemuCaps *caps)
{
    QemuCapsStamp stamp;

    return qemu_caps_stamp_read(caps->binary, &stamp, NULL) &&
           qemu_caps_is_current(caps, caps->binary, &stamp, caps->probed_by);
}

/* The capabilities @slot holds and that are current, without waiting for its lock. */
static const QemuCaps *caps_ready(QemuCapsSlot *slot, GError **error)
{
    const QemuCaps *caps = NULL;

    if (!g_mutex_trylock(&slot->lock)) {
        driver_set_would_block(error, "a capability probe");
        return NULL;
    }
    if (slot->caps && caps_still_current(slot->caps))
        caps = slot->caps; /* lives as long as the driver */
    g_mutex_unlock(&slot->lock);
    if (!caps)
        driver_set_would_block(error, "a capability probe");
    return caps;
}

/**
 * qemu_driver_caps_for_binary: the capabilities of @binary, probed (or read from the
 * cache) on first need. Waits only for a probe of this same binary. The result lives
 * as long as the driver.
 */
const QemuCaps *qemu_driver_caps_for_binary(QemuDriver *drv, const char *binary, GError **error)
{
    QemuCapsSlot *slot = caps_slot_get(drv, binary);
    g_autoptr(GMutexLocker) locker = NULL;
    QemuCaps *caps;

    /* an inline read on the daemon's loop (version, max vcpus) takes what is probed
     * already; a probe (seconds), or waiting for one, is a worker's business */
    if (!driver_may_wait())
        return caps_ready(slot, error);
    locker = g_mutex_locker_new(&slot->lock);
    if (slot->caps && caps_still_current(slot->caps))
        return slot->caps;
    caps =
        qemu_caps_cache_get(drv->paths->cache_dir, binary, QEMU_CAPS_PROBE_TIMEOUT_MS, NULL, error);
    if (!caps)
        return NULL;
    if (slot->caps)
        g_ptr_array_add(slot->retired, slot->caps);
    slot->caps = caps;
    return caps;
}

/* The emulator for guests of @arch: qemu-system-<arch> on $PATH or in /usr/bin. */
static char *emulator_for_arch(const char *arch, GError **error)
{
    g_autofree char *name = g_strdup_printf("qemu-system-%s", arch);
    g_autofree char *usr = g_build_filename("/usr/bin", name, NULL);
    char *path = g_find_program_in_path(name);

    if (path)
        return path;
    if (g_file_test(usr, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer(&usr);
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_CONFIG_UNSUPPORTED,
                "unsupported configuration: no emulator for architecture '%s' (%s is not "
                "installed)",
                arch, name);
    return NULL;
}

/**
 * qemu_driver_caps_for_def: the capabilities of the emulator that runs @def: its
 * <emulator>, else the one for its architecture, else the host's.
 */
const QemuCaps *qemu_driver_caps_for_def(QemuDriver *drv, const DomainDef *def, GError **error)
{
    g_autofree char *binary = NULL;

    if (def->emulator)
        return qemu_driver_caps_for_binary(drv, def->emulator, error);
    binary = emulator_for_arch(def->os.arch ? def->os.arch : drv->host_arch, error);
    return binary ? qemu_driver_caps_for_binary(drv, binary, error) : NULL;
}

/* Every installed qemu-system-<arch> (no variants such as -microvm), sorted. */
static GPtrArray *installed_emulators(void)
{
    g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    const char *env = g_getenv("PATH");
    g_autofree char *search = g_strconcat(env ? env : "", ":/usr/bin", NULL);
    g_auto(GStrv) dirs = g_strsplit(search, ":", -1);

    for (guint i = 0; dirs[i]; i++) {
        g_autoptr(GDir) d = *dirs[i] ? g_dir_open(dirs[i], 0, NULL) : NULL;
        const char *entry;

        while (d && (entry = g_dir_read_name(d))) {
            g_autofree char *path = NULL;

            if (!g_str_has_prefix(entry, "qemu-system-") ||
                strchr(entry + strlen("qemu-system-"), '-') || g_hash_table_contains(seen, entry))
                continue;
            path = g_build_filename(dirs[i], entry, NULL);
            if (!g_file_test(path, G_FILE_TEST_IS_EXECUTABLE))
                continue;
            g_hash_table_add(seen, g_strdup(entry));
            g_ptr_array_add(found, g_steal_pointer(&path));
        }
    }
    g_ptr_array_sort(found, (GCompareFunc)g_strcmp0);
    return g_steal_pointer(&found);
}

typedef struct ProbeJob {
    QemuDriver *drv;
    const char *binary;
    const QemuCaps *caps;
    GError *error;
} ProbeJob;

static gpointer probe_thread(gpointer data)
{
    ProbeJob *job = data;

    job->caps = qemu_driver_caps_for_binary(job->drv, job->binary, &job->error);
    return NULL;
}

static gpointer warmup_thread(gpointer data)
{
    QemuDriver *drv = data;
    g_autofree char *binary = emulator_for_arch(drv->host_arch, NULL);

    if (binary)
        (void)qemu_driver_caps_for_binary(drv, binary, NULL);
    return NULL;
}

/* ---- host facts -------------------------------------------------------------------- */

static char *host_arch_now(void)
{
    struct utsname u;

    if (uname(&u) < 0)
        return g_strdup("x86_64");
    if (g_str_has_suffix(u.machine, "86") && u.machine[0] == 'i')
        return g_strdup("i686");
    return g_strdup(u.machine);
}

static uint64_t meminfo_total_kib(void)
{
    g_autofree char *text = NULL;
    const char *line;

    if (!g_file_get_contents("/proc/meminfo", &text, NULL, NULL))
        return 0;
    line = strstr(text, "MemTotal:");
    return line ? g_ascii_strtoull(line + strlen("MemTotal:"), NULL, 10) : 0;
}

static unsigned int cpuinfo_mhz(void)
{
    g_autofree char *text = NULL;
    const char *line;

    if (!g_file_get_contents("/proc/cpuinfo", &text, NULL, NULL) ||
        !(line = strstr(text, "cpu MHz")) || !(line = strchr(line, ':')))
        return 0;
    return (unsigned int)g_ascii_strtoull(line + 1, NULL, 10);
}

/* ---- state ------------------------------------------------------------------------- */

static QemuDriver *driver_new(bool privileged, const char *root, GError **error)
{
    g_autoptr(StatePaths) paths = NULL;
    const StatePathsEnv env = {
        .xdg_runtime_dir = g_getenv("XDG_RUNTIME_DIR"),
        .xdg_config_home = g_getenv("XDG_CONFIG_HOME"),
        .xdg_cache_home = g_getenv("XDG_CACHE_HOME"),
        .home = g_getenv("HOME"),
    };
    QemuDriver *drv;

    if (!state_paths_compute("qemu", privileged, root && *root ? root : NULL, &env, &paths, error))
        return NULL;
    drv = g_new0(QemuDriver, 1);
    drv->privileged = privileged;
    drv->uri = g_strdup(privileged ? "qemu:///system" : "qemu:///session");
    drv->host_arch = host_arch_now();
    drv->paths = g_steal_pointer(&paths);
    drv->store =
        config_store_new(drv->paths->config_dir, drv->paths->autostart_dir, drv->paths->state_dir);
    drv->domains = domain_obj_list_new();
    drv->events = driver_event_hub_new();
    g_mutex_init(&drv->caps_lock);
    drv->caps_slots = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, caps_slot_free);
    return drv;
}

static void driver_free(QemuDriver *drv)
{
    if (!drv)
        return;
    qemu_driver_events_shutdown(drv);
    if (drv->reconnect)
        g_ptr_array_unref(drv->reconnect);
    domain_obj_list_free(drv->domains);
    driver_event_hub_free(drv->events);
    config_store_free(drv->store);
    g_hash_table_destroy(drv->caps_slots);
    g_mutex_clear(&drv->caps_lock);
    state_paths_free(drv->paths);
    g_free(drv->host_arch);
    g_free(drv->uri);
    g_free(drv);
}

static bool make_dirs(const StatePaths *p, GError **error)
{
    const char *const dirs[] = { p->config_dir, p->autostart_dir, p->state_dir,   p->lib_dir,
                                 p->cache_dir,  p->log_dir,       p->snapshot_dir };

    for (gsize i = 0; i < G_N_ELEMENTS(dirs); i++) {
        if (!virt_dir_ensure(dirs[i], 0700, error))
            return false;
    }
    return true;
}

/* As libvirt: generated tap names go on after the highest vnetN a running guest has,
 * so a restarted daemon does not hand out names just freed by a stopping one. */
static void reserve_tap_names(QemuDriver *drv)
{
    g_autoptr(GPtrArray) all = domain_obj_list_collect(drv->domains, DOMAIN_LIST_ACTIVE);

    for (guint i = 0; i < all->len; i++) {
        DomainObj *obj = all->pdata[i];

        g_mutex_lock(&obj->lock);
        for (guint n = 0; n < obj->def->nets->len; n++) {
            const DomainNetDef *net = g_ptr_array_index(obj->def->nets, n);
            int index = qemu_tap_name_index(net->target_dev);

            if (index >= drv->next_tap && index < G_MAXINT)
                drv->next_tap = index + 1;
        }
        g_mutex_unlock(&obj->lock);
    }
}

/**
 * qemu_driver_init: the daemon's driver: paths below @root (or the mode's defaults),
 * persistent configs, then the guests that were running (reconnect), then autostart.
 * Capability probing starts in the background and never delays this.
 */
bool qemu_driver_init(bool privileged, const char *root, GError **error)
{
    QemuDriver *drv = driver_new(privileged, root, error);

    if (!drv)
        return false;
    qemu_driver_timeouts_configure();
    if (!make_dirs(drv->paths, error) || !qemu_driver_events_init(drv, error) ||
        !qemu_driver_load(drv, error)) {
        driver_free(drv);
        return false;
    }
    qemu_snapshot_load_all(drv);
    reserve_tap_names(drv);
    qemu_drv = drv;
    drv->warmup = g_thread_new("qemu-caps-warmup", warmup_thread, drv);
    qemu_driver_startup(drv);
    return true;
}

/**
 * qemu_driver_shutdown: let go of the driver. Guests keep running (their status files
 * stay for the next start); monitors are closed.
 */
void qemu_driver_shutdown(void)
{
    QemuDriver *drv = g_steal_pointer(&qemu_drv);

    if (!drv)
        return;
    if (drv->warmup)
        g_thread_join(drv->warmup);
    qemu_driver_detach_all(drv);
    qemu_driver_events_shutdown(drv);
    driver_free(drv);
}

bool qemu_driver_inhibit_idle(void)
{
    return qemu_drv && g_atomic_int_get(&qemu_drv->active) > 0;
}

void qemu_driver_emit(QemuDriver *drv, GPtrArray *events)
{
    driver_event_hub_emit(drv->events, events);
}

/* ---- connect and host ops ---------------------------------------------------------- */

static bool qemu_connect_open(const VirtUri *uri, unsigned int flags, DriverEventFunc event_cb,
                              void *event_data, DriverConn **ret_conn, GError **error)
{
    QemuDriver *drv = qemu_drv;
    const char *want = drv && drv->privileged ? "/system" : "/session";
    DriverConn *conn;

    if (!qemu_driver_check_flags(flags, 1u /* RO */ | 2u /* NO_ALIASES */, "qemu_connect_open",
                                 error))
        return false;
    if (!drv || g_strcmp0(uri->driver, "qemu") != 0 || uri->host) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_NO_CONNECT,
                    "no connection driver available for '%s'", uri->scheme ? uri->scheme : "");
        return false;
    }
    if (g_strcmp0(uri->path, want) != 0) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "internal error: unexpected QEMU URI path '%s', try qemu://%s",
                    uri->path ? uri->path : "", want);
        return false;
    }
    conn = g_new0(DriverConn, 1);
    conn->drv = drv;
    conn->sink = driver_event_hub_add(drv->events, event_cb, event_data);
    *ret_conn = conn;
    return true;
}

static void qemu_connect_close(DriverConn *conn)
{
    if (!conn)
        return;
    driver_event_hub_remove(conn->drv->events, conn->sink);
    g_free(conn);
}

static char *qemu_connect_get_uri(DriverConn *conn, GError **error)
{
    return g_strdup(conn->drv->uri);
}

static bool qemu_connect_get_version(DriverConn *conn, uint64_t *ret_version, GError **error)
{
    g_autoptr(DomainDef) def = domain_def_new();
    const QemuCaps *caps = qemu_driver_caps_for_def(conn->drv, def, error);

    if (!caps)
        return false;
    *ret_version = caps->version;
    return true;
}

static char *qemu_connect_get_hostname(DriverConn *conn, GError **error)
{
    return driver_host_name();
}

/* The caps of every installed emulator, probed in parallel. */
static bool probe_all(QemuDriver *drv, GPtrArray *binaries, GPtrArray *ret_caps, GError **error)
{
    g_autofree ProbeJob *jobs = g_new0(ProbeJob, binaries->len);
    g_autofree GThread **threads = g_new0(GThread *, binaries->len);
    bool ok = true;

    for (guint i = 0; i < binaries->len; i++) {
        jobs[i] = (ProbeJob){ .drv = drv, .binary = binaries->pdata[i] };
        threads[i] = g_thread_new("qemu-caps-probe", probe_thread, &jobs[i]);
    }
    for (guint i = 0; i < binaries->len; i++) {
        g_thread_join(threads[i]);
        if (jobs[i].caps)
            g_ptr_array_add(ret_caps, (gpointer)jobs[i].caps);
        else if (ok)
            g_propagate_error(error, g_steal_pointer(&jobs[i].error));
        ok = ok && jobs[i].caps;
        g_clear_error(&jobs[i].error);
    }
    return ok;
}

static char *qemu_connect_get_capabilities(DriverConn *conn, GError **error)
{
    QemuDriver *drv = conn->drv;
    g_autoptr(GPtrArray) binaries = installed_emulators();
    g_autoptr(GPtrArray) all = g_ptr_array_new();
    g_autoptr(Capabilities) caps = capabilities_new(drv->host_arch);
    long ncpus = sysconf(_SC_NPROCESSORS_ONLN);

    if (!probe_all(drv, binaries, all, error))
        return NULL;
    caps->host.power_management_known = true;
    caps->host.iommu_support = g_strdup("no");
    capabilities_add_page_size(caps, 4);
    capabilities_add_page_size(caps, 2048);
    capabilities_add_page_size(caps, 1048576);
    caps->host.sockets = 1;
    caps->host.dies = 1;
    caps->host.cores = ncpus > 0 ? (unsigned int)ncpus : 1;
    caps->host.threads = 1;
    capabilities_add_secmodel(caps, "none", "0");
    for (guint i = 0; i < all->len; i++)
        qemu_caps_add_guest(caps, all->pdata[i]);
    return capabilities_format(caps);
}

static char *qemu_connect_get_domain_capabilities(DriverConn *conn, const char *emulator,
                                                  const char *arch, const char *machine,
                                                  const char *virttype, unsigned int flags,
                                                  GError **error)
{
    g_autofree char *binary = NULL;
    const QemuCaps *caps;
    int type = DOMAIN_VIRT_QEMU;

    if (!qemu_driver_check_flags(flags, 0, "qemu_connect_get_domain_capabilities", error))
        return NULL;
    binary = emulator ? g_strdup(emulator)
                      : emulator_for_arch(arch ? arch : conn->drv->host_arch, error);
    if (!binary || !(caps = qemu_driver_caps_for_binary(conn->drv, binary, error)))
        return NULL;
    if (arch && g_strcmp0(arch, caps->arch) != 0) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INVALID_ARG,
                    "invalid argument: architecture from emulator '%s' doesn't match given "
                    "architecture '%s'",
                    caps->arch, arch);
        return NULL;
    }
    if (virttype)
        type = domain_virt_type_from_string(virttype);
    else if (qemu_caps_supports_virt_type(caps, DOMAIN_VIRT_KVM))
        type = DOMAIN_VIRT_KVM;
    if (type != DOMAIN_VIRT_QEMU && type != DOMAIN_VIRT_KVM) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INVALID_ARG,
                    "invalid argument: unknown virttype: %s", virttype);
        return NULL;
    }
    return qemu_caps_format_domain_caps(caps, type, machine, error);
}

static int qemu_connect_get_max_vcpus(DriverConn *conn, const char *type, GError **error)
{
    g_autoptr(DomainDef) def = domain_def_new();
    const QemuCaps *caps;
    unsigned int max = 0;

    if (type && g_ascii_strcasecmp(type, "qemu") != 0 && g_ascii_strcasecmp(type, "kvm") != 0) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INVALID_ARG,
                    "invalid argument: unknown type '%s'", type);
        return -1;
    }
    if (!(caps = qemu_driver_caps_for_def(conn->drv, def, error)))
        return -1;
    for (guint i = 0; i < caps->machines->len; i++) {
        const QemuMonitorMachine *m = g_ptr_array_index(caps->machines, i);

        max = MAX(max, (unsigned int)m->max_cpus);
    }
    return (int)max;
}

static bool qemu_node_get_info(DriverConn *conn, NodeInfo *ret_info, GError **error)
{
    long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
    NodeInfo info = { 0 };

    g_strlcpy(info.model, conn->drv->host_arch, sizeof(info.model));
    info.memory_kib = meminfo_total_kib();
    info.cpus = ncpus > 0 ? (unsigned int)ncpus : 1;
    info.mhz = cpuinfo_mhz();
    info.nodes = 1;
    info.sockets = 1;
    info.cores = info.cpus;
    info.threads = 1;
    *ret_info = info;
    return true;
}

const DriverOps qemu_driver_ops = {
    .name = "qemu",
    .hv_type = "QEMU",
    /* the inline reads copy committed state under obj->lock, which is never held
     * across I/O or a wait (monitor calls, file writes and kills happen outside it,
     * under the job); version and max vcpus answer from probed capabilities or say
     * they would block (qemu_driver_caps_for_binary); info, node info and managed-save
     * read /proc or stat our own state directory */
    .reads_never_block = true,
    .connect_open = qemu_connect_open,
    .connect_close = qemu_connect_close,
    .connect_get_uri = qemu_connect_get_uri,
    .connect_get_version = qemu_connect_get_version,
    .connect_get_hostname = qemu_connect_get_hostname,
    .connect_get_capabilities = qemu_connect_get_capabilities,
    .connect_get_domain_capabilities = qemu_connect_get_domain_capabilities,
    .connect_get_max_vcpus = qemu_connect_get_max_vcpus,
    .node_get_info = qemu_node_get_info,
    .connect_list_all_domains = qemu_connect_list_all_domains,
    .domain_lookup_by_name = qemu_domain_lookup_by_name,
    .domain_lookup_by_uuid = qemu_domain_lookup_by_uuid,
    .domain_lookup_by_id = qemu_domain_lookup_by_id,
    .domain_define_xml = qemu_domain_define_xml,
    .domain_undefine = qemu_domain_undefine,
    .domain_get_xml_desc = qemu_domain_get_xml_desc,
    .domain_get_autostart = qemu_domain_get_autostart,
    .domain_set_autostart = qemu_domain_set_autostart,
    .domain_get_metadata = qemu_domain_get_metadata,
    .domain_set_metadata = qemu_domain_set_metadata,
    .domain_get_info = qemu_domain_get_info,
    .domain_get_state = qemu_domain_get_state,
    .domain_is_active = qemu_domain_is_active,
    .domain_is_persistent = qemu_domain_is_persistent,
    .domain_is_updated = qemu_domain_is_updated,
    .domain_has_managed_save_image = qemu_domain_has_managed_save_image,
    .domain_get_os_type = qemu_domain_get_os_type,
    .domain_get_max_memory = qemu_domain_get_max_memory,
    .domain_create = qemu_domain_create_or_restore, /* qemu-save-ops.c */
    .domain_create_xml = qemu_domain_create_xml,
    .domain_destroy = qemu_domain_destroy,
    .domain_shutdown = qemu_domain_shutdown,
    .domain_reboot = qemu_domain_reboot,
    .domain_reset = qemu_domain_reset,
    .domain_suspend = qemu_domain_suspend,
    .domain_resume = qemu_domain_resume,
    .domain_open_console = qemu_domain_open_console,
    /* snapshots and managed save: qemu-snapshot-ops.c, qemu-save-ops.c */
    .domain_managed_save = qemu_domain_managed_save,
    .domain_managed_save_remove = qemu_domain_managed_save_remove,
    .domain_save = qemu_domain_save,
    .domain_restore = qemu_domain_restore,
    .domain_save_image_get_xml_desc = qemu_domain_save_image_get_xml_desc,
    .domain_save_image_define_xml = qemu_domain_save_image_define_xml,
    .domain_managed_save_get_xml_desc = qemu_domain_managed_save_get_xml_desc,
    .domain_managed_save_define_xml = qemu_domain_managed_save_define_xml,
    .domain_snapshot_create_xml = qemu_domain_snapshot_create_xml,
    .domain_list_all_snapshots = qemu_domain_list_all_snapshots,
    .domain_snapshot_num = qemu_domain_snapshot_num,
    .domain_snapshot_list_names = qemu_domain_snapshot_list_names,
    .domain_snapshot_lookup_by_name = qemu_domain_snapshot_lookup_by_name,
    .domain_has_current_snapshot = qemu_domain_has_current_snapshot,
    .domain_snapshot_current = qemu_domain_snapshot_current,
    .domain_snapshot_get_parent = qemu_domain_snapshot_get_parent,
    .domain_snapshot_get_xml_desc = qemu_domain_snapshot_get_xml_desc,
    .domain_snapshot_is_current = qemu_domain_snapshot_is_current,
    .domain_snapshot_has_metadata = qemu_domain_snapshot_has_metadata,
    .domain_snapshot_list_all_children = qemu_domain_snapshot_list_all_children,
    .domain_snapshot_num_children = qemu_domain_snapshot_num_children,
    .domain_snapshot_list_children_names = qemu_domain_snapshot_list_children_names,
    .domain_revert_to_snapshot = qemu_domain_revert_to_snapshot,
    .domain_snapshot_delete = qemu_domain_snapshot_delete,
};
