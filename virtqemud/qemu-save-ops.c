/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Managed save and save to a file: the guest's state migrates into an image (qemu-save.h
 * format: our header with the domain's XML and the paused flag, then QEMU's stream)
 * through an fd passed with getfd ("fd:" migration: no shell), QEMU stops, the domain is
 * shut off (STOPPED/SAVED). The image is written as .partial and renamed when complete,
 * owner-only, so an image that exists is a whole one.
 *
 * Restore (start with a managed-save image, virDomainRestore) runs the guest with the
 * definition kept in the image, as libvirt does: a config edited after the save is the
 * persistent one again after the restored guest stops, never applied to the saved state.
 * QEMU starts with -incoming defer, gets the stream (migrate-incoming "fd:") and resumes
 * unless the image says paused (STARTED/RESTORED). A managed-save image is removed once
 * restored; a file given to virDomainRestore is the user's and stays.
 *
 * VIR_DOMAIN_SAVE_BYPASS_CACHE / VIR_DOMAIN_START_BYPASS_CACHE (the image written or
 * read with O_DIRECT, libvirt's iohelper) are refused naming the flag wherever an image
 * is involved, never silently ignored; a start that boots (no image) ignores
 * START_BYPASS_CACHE as libvirt does.
 */

#include "qemu-snapshot-ops.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "qemu-save.h"
#include "util/error.h"
#include "util/fd-util.h"
#include "util/file-util.h"

enum {
    START_PAUSED = 1u << 0,
    START_AUTODESTROY = 1u << 1,
    START_BYPASS_CACHE = 1u << 2,
    START_FORCE_BOOT = 1u << 3,
};

static char *managed_path_locked(QemuDriver *drv, DomainObj *obj)
{
    return qemu_save_managed_path(drv->paths->save_dir, obj->def->name);
}

static bool sys_error(GError **error, const char *what, const char *path)
{
    return virt_error_set_errno(error, VIRT_QEMU_ERROR, errno, "cannot %s '%s'", what, path);
}

/* The caller asked for the image's I/O to bypass the page cache (@flag, named @name,
 * set in @flags) for the operation @op: not supported, said with the flag's name and
 * what to do. */
static bool refuse_bypass_cache(unsigned int flags, unsigned int flag, const char *name,
                                const char *op, GError **error)
{
    if (!(flags & flag))
        return true;
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_ARGUMENT_UNSUPPORTED,
                "argument unsupported: %s is not supported by virtqemud (the saved image "
                "would be written or read with O_DIRECT, bypassing the host's page cache); "
                "%s without that flag",
                name, op);
    return false;
}

static bool refuse_save_bypass(unsigned int flags, const char *op, GError **error)
{
    return refuse_bypass_cache(flags, QEMU_SAVE_BYPASS_CACHE, "VIR_DOMAIN_SAVE_BYPASS_CACHE", op,
                               error);
}

/* ---- save -------------------------------------------------------------------------- */

/* The partial image with its header written; the fd is positioned at the stream. */
static int open_partial(const char *partial, const char *xml, bool paused, GError **error)
{
    g_autoptr(GBytes) header = qemu_save_header_encode(xml, paused);
    g_auto(VirtFd) fd = -1;
    gsize len;
    const char *data = g_bytes_get_data(header, &len);

    (void)g_unlink(partial); /* a leftover of a save that died */
    fd = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        sys_error(error, "create", partial);
        return -1;
    }
    while (len > 0) {
        ssize_t n = write(fd, data, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            sys_error(error, "write", partial);
            (void)g_unlink(partial);
            return -1;
        }
        data += n;
        len -= (gsize)n;
    }
    return g_steal_fd(&fd);
}

/* fsync, rename into place, fsync the directory. */
static bool finish_image(int fd, const char *partial, const char *path, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_auto(VirtFd) dfd = -1;

    if (fsync(fd) < 0)
        return sys_error(error, "sync", partial);
    if (rename(partial, path) < 0)
        return sys_error(error, "rename", partial);
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0)
        (void)fsync(dfd);
    return true;
}

/* The QMP part: stopped guest's state into @fd. Every command waits at most the
 * driver's monitor timeout; the migration itself has no limit (as libvirt's save: a
 * large guest on a slow disk takes what it takes), each query-migrate of its wait
 * does (qemu_save_wait_migration), so a QEMU that stops answering fails the save. */
static bool migrate_to_fd(DomainObj *obj, int fd, GError **error)
{
    return qemu_driver_monitor_run(obj, qemu_monitor_cmd_migrate_set_events(), NULL, error) &&
           qemu_driver_monitor_run(obj, qemu_save_cmd_max_bandwidth(), NULL, error) &&
           qemu_driver_monitor_run_fd(obj, qemu_monitor_cmd_getfd(QEMU_SAVE_FDNAME), fd, NULL,
                                      error) &&
           qemu_driver_monitor_run(obj, qemu_monitor_cmd_migrate("fd:" QEMU_SAVE_FDNAME), NULL,
                                   error) &&
           qemu_save_wait_migration(obj, error);
}

/* The definition a saved image carries: inactive (no live-only data), with secrets. */
static char *image_xml(const DomainDef *def)
{
    return domain_def_format(def, -1, DOMAIN_FORMAT_SECURE | DOMAIN_FORMAT_INACTIVE);
}

/* Save the running @obj into @path (the XML @xml, NULL: its live definition), stop it. */
static bool save_image(QemuDriver *drv, DomainObj *obj, const char *path, const char *xml,
                       unsigned int flags, GPtrArray *events, GError **error)
{
    g_autofree char *partial = qemu_save_partial_path(path);
    g_autofree char *own_xml = NULL;
    g_auto(VirtFd) fd = -1;
    bool running, paused;

    g_mutex_lock(&obj->lock);
    running = obj->state == DOMAIN_STATE_RUNNING;
    if (!xml)
        xml = own_xml = image_xml(obj->def);
    g_mutex_unlock(&obj->lock);
    paused = (flags & QEMU_SAVE_PAUSED) || (!running && !(flags & QEMU_SAVE_RUNNING));
    if ((fd = open_partial(partial, xml, paused, error)) < 0)
        return false;
    if ((running && !qemu_driver_monitor_run(obj, qemu_monitor_command_new("stop"), NULL, error)) ||
        !migrate_to_fd(obj, fd, error) || !finish_image(fd, partial, path, error)) {
        (void)g_unlink(partial);
        if (running)
            (void)qemu_driver_monitor_run(obj, qemu_monitor_command_new("cont"), NULL, NULL);
        return false;
    }
    return qemu_snapshot_kill(drv, obj, DOMAIN_SHUTOFF_SAVED, DOMAIN_EVENT_STOPPED_SAVED, events,
                              error);
}

static bool managed_save_body(QemuDriver *drv, DomainObj *obj, unsigned int flags,
                              GPtrArray *events, GError **error)
{
    g_autofree char *path = NULL;
    bool persistent;

    if (!driver_domain_check_active(obj, error))
        return false;
    g_mutex_lock(&obj->lock);
    persistent = obj->persistent;
    path = managed_path_locked(drv, obj);
    g_mutex_unlock(&obj->lock);
    if (!persistent) {
        g_set_error_literal(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: cannot do managed save for "
                            "transient domain");
        return false;
    }
    if (!virt_dir_ensure(drv->paths->save_dir, 0700, error) ||
        !save_image(drv, obj, path, NULL, flags, events, error))
        return false;
    g_mutex_lock(&obj->lock);
    obj->has_managed_save = true;
    g_mutex_unlock(&obj->lock);
    return true;
}

bool qemu_domain_managed_save(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                              GError **error)
{
    QemuDriver *drv = conn->drv;
    g_autoptr(GPtrArray) events = driver_events_new();
    g_autoptr(DomainObj) obj = NULL;
    bool ok;

    if (!qemu_save_check_state_flags(flags, error) ||
        !qemu_driver_check_flags(flags,
                                 QEMU_SAVE_BYPASS_CACHE | QEMU_SAVE_RUNNING | QEMU_SAVE_PAUSED,
                                 "qemu_domain_managed_save", error) ||
        !refuse_save_bypass(flags, "save it", error) ||
        !(obj = qemu_driver_obj(conn, dom, error)) ||
        !qemu_driver_job_begin(obj, "managed-save", error))
        return false;
    ok = managed_save_body(drv, obj, flags, events, error);
    qemu_driver_job_end(drv, obj);
    qemu_driver_emit(drv, events);
    return ok;
}

bool qemu_domain_managed_save_remove(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                     GError **error)
{
    g_autoptr(DomainObj) obj = NULL;
    g_autofree char *path = NULL;
    bool ok = true;

    if (!qemu_driver_check_flags(flags, 0, "qemu_domain_managed_save_remove", error) ||
        !(obj = qemu_driver_obj(conn, dom, error)) ||
        !qemu_driver_job_begin(obj, "managed-save-remove", error))
        return false;
    g_mutex_lock(&obj->lock);
    path = managed_path_locked(conn->drv, obj);
    g_mutex_unlock(&obj->lock);
    if (unlink(path) < 0 && errno != ENOENT)
        ok = sys_error(error, "remove", path);
    if (ok) {
        g_mutex_lock(&obj->lock);
        obj->has_managed_save = false;
        g_mutex_unlock(&obj->lock);
    }
    qemu_driver_job_end(conn->drv, obj);
    return ok;
}

/* Paths of images clients name are the daemon's: relative ones would depend on its
 * working directory (libvirt's client makes them absolute before sending). */
static bool check_image_path(const char *path, GError **error)
{
    if (path && g_path_is_absolute(path) && !strchr(path, '\n'))
        return true;
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INVALID_ARG,
                "invalid argument: saved image path '%s' must be absolute", path ? path : "");
    return false;
}

/* @dxml for the image of @obj: parsed, checked against the running definition. */
static char *save_dxml(QemuDriver *drv, DomainObj *obj, const char *dxml, const char *path,
                       GError **error)
{
    g_autoptr(DomainDef) given = qemu_driver_parse(drv, dxml, DOMAIN_PARSE_INACTIVE, error);
    g_autoptr(DomainDef) live = NULL;

    if (!given)
        return NULL;
    g_mutex_lock(&obj->lock);
    live = domain_def_copy(obj->def);
    g_mutex_unlock(&obj->lock);
    if (!qemu_save_check_compatible(live, given, path, error))
        return NULL;
    return image_xml(given);
}

/**
 * qemu_domain_save: virDomainSaveFlags: the running domain's state into the file @to,
 * the domain stopped (STOPPED/SAVED; a transient one goes away). @dxml, optional,
 * replaces the XML the image keeps for the restore.
 */
bool qemu_domain_save(DriverConn *conn, const DomainRef *dom, const char *to, const char *dxml,
                      unsigned int flags, GError **error)
{
    QemuDriver *drv = conn->drv;
    g_autoptr(GPtrArray) events = driver_events_new();
    g_autoptr(DomainObj) obj = NULL;
    g_autofree char *xml = NULL;
    bool ok;

    if (!qemu_save_check_state_flags(flags, error) ||
        !qemu_driver_check_flags(flags,
                                 QEMU_SAVE_BYPASS_CACHE | QEMU_SAVE_RUNNING | QEMU_SAVE_PAUSED,
                                 "qemu_domain_save", error) ||
        !refuse_save_bypass(flags, "save it", error) || !check_image_path(to, error) ||
        !(obj = qemu_driver_obj(conn, dom, error)) || !qemu_driver_job_begin(obj, "save", error))
        return false;
    ok = driver_domain_check_active(obj, error) &&
         (!dxml || (xml = save_dxml(drv, obj, dxml, to, error))) &&
         save_image(drv, obj, to, xml, flags, events, error);
    qemu_driver_job_end(drv, obj);
    qemu_driver_emit(drv, events);
    return ok;
}

/* ---- restore ----------------------------------------------------------------------- */

static bool check_inactive(DomainObj *obj, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);

    if (!domain_obj_is_active_locked(obj))
        return true;
    g_set_error_literal(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_INVALID,
                        "Requested operation is not valid: domain is already running");
    return false;
}

/* Open @path and read its header and XML; the fd is left at the stream. */
static int open_image(const char *path, int oflags, QemuSaveHeader **ret_hdr, GError **error)
{
    uint8_t fixed[QEMU_SAVE_HEADER_SIZE];
    g_autoptr(QemuSaveHeader) hdr = NULL;
    g_autofree uint8_t *xml = NULL;
    g_auto(VirtFd) fd = open(path, oflags | O_CLOEXEC);

    if (fd < 0) {
        sys_error(error, "open", path);
        return -1;
    }
    if (pread(fd, fixed, sizeof(fixed), 0) != (ssize_t)sizeof(fixed)) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                    "'%s' is not a usable saved image: too short", path);
        return -1;
    }
    if (!(hdr = qemu_save_header_decode(fixed, sizeof(fixed), path, error)))
        return -1;
    xml = g_malloc(hdr->xml_len);
    if (pread(fd, xml, hdr->xml_len, QEMU_SAVE_HEADER_SIZE) != (ssize_t)hdr->xml_len) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                    "'%s' is not a usable saved image: truncated", path);
        return -1;
    }
    if (!qemu_save_header_decode_xml(hdr, xml, hdr->xml_len, path, error))
        return -1;
    if (lseek(fd, (off_t)hdr->data_offset, SEEK_SET) < 0) {
        sys_error(error, "seek in", path);
        return -1;
    }
    *ret_hdr = g_steal_pointer(&hdr);
    return g_steal_fd(&fd);
}

/* QEMU waits with -incoming defer: feed it the stream (timeouts as migrate_to_fd). */
static bool migrate_from_fd(DomainObj *obj, int fd, GError **error)
{
    return qemu_driver_monitor_run(obj, qemu_monitor_cmd_migrate_set_events(), NULL, error) &&
           qemu_driver_monitor_run_fd(obj, qemu_monitor_cmd_getfd(QEMU_SAVE_FDNAME), fd, NULL,
                                      error) &&
           qemu_driver_monitor_run(obj, qemu_save_cmd_migrate_incoming("fd:" QEMU_SAVE_FDNAME),
                                   NULL, error) &&
           qemu_save_wait_migration(obj, error);
}

/* The definition to restore @path with: the image's, or @dxml checked against it. */
static DomainDef *image_def(QemuDriver *drv, const QemuSaveHeader *hdr, const char *dxml,
                            const char *path, GError **error)
{
    g_autoptr(DomainDef) saved = qemu_driver_parse(drv, hdr->xml, DOMAIN_PARSE_INACTIVE, error);
    g_autoptr(DomainDef) given = NULL;

    if (!saved) {
        g_prefix_error(error, "the domain XML in '%s' is unusable: ", path);
        return NULL;
    }
    if (!dxml)
        return g_steal_pointer(&saved);
    if (!(given = qemu_driver_parse(drv, dxml, DOMAIN_PARSE_INACTIVE, error)) ||
        !qemu_save_check_compatible(saved, given, path, error))
        return NULL;
    return g_steal_pointer(&given);
}

/* Run @def as the live definition of the inactive @obj; its persistent one waits in
 * new_def for the stop (as a transient start's). Caller holds the job. */
static void install_live_def(DomainObj *obj, DomainDef *def)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);

    if (!obj->new_def)
        obj->new_def = obj->def;
    else
        domain_def_free(obj->def);
    obj->def = def;
}

/* A restore that failed before the domain became active: back to its persistent
 * definition. */
static void drop_live_def(DomainObj *obj)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);

    if (!obj->new_def)
        return;
    domain_def_free(obj->def);
    obj->def = g_steal_pointer(&obj->new_def);
}

/* Run @obj's (live) definition from the stream at @fd; left @paused, it reports
 * SUSPENDED/@paused_detail (libvirt: PAUSED when the caller asked for it, RESTORED
 * when the image says so) and the state paused (migrating): libvirt 9.0 leaves a
 * restored guest in the reason of the incoming migration it was started for (there is
 * no "restored" paused reason). Caller holds the job. */
static bool restore_body(QemuDriver *drv, DomainObj *obj, int fd, bool paused, int paused_detail,
                         GPtrArray *events, GError **error)
{
    static const char *const incoming[] = { "-incoming", "defer", NULL };
    g_autoptr(GPtrArray) ignored = driver_events_new();
    g_autoptr(DomainDef) def = NULL;
    const QemuCaps *caps;

    g_mutex_lock(&obj->lock);
    def = domain_def_copy(obj->def);
    g_mutex_unlock(&obj->lock);
    if (!(caps = qemu_driver_caps_for_def(drv, def, error)) ||
        !qemu_driver_launch(drv, obj, caps, incoming, error))
        return false;
    if (!migrate_from_fd(obj, fd, error) ||
        (!paused && !qemu_driver_monitor_run(obj, qemu_monitor_command_new("cont"), NULL, error))) {
        /* never activated: no STOPPED event; the image stays for another try */
        (void)qemu_snapshot_kill(drv, obj, DOMAIN_SHUTOFF_FAILED, DOMAIN_EVENT_STOPPED_FAILED,
                                 ignored, NULL);
        return false;
    }
    g_atomic_int_inc(&drv->active);
    domain_obj_list_activate(drv->domains, obj, -1,
                             paused ? DOMAIN_STATE_PAUSED : DOMAIN_STATE_RUNNING,
                             paused ? DOMAIN_PAUSED_MIGRATION : DOMAIN_RUNNING_RESTORED);
    qemu_driver_write_status(drv, obj);
    driver_events_queue(events, obj, DOMAIN_EVENT_STARTED, DOMAIN_EVENT_STARTED_RESTORED);
    if (paused)
        driver_events_queue(events, obj, DOMAIN_EVENT_SUSPENDED, paused_detail);
    return true;
}

/* Restore the inactive persistent @obj from its managed-save image @path, with the
 * definition the image keeps; the image goes once the guest runs. */
static bool restore_managed(QemuDriver *drv, DomainObj *obj, const char *path, unsigned int flags,
                            GPtrArray *events, GError **error)
{
    g_autoptr(QemuSaveHeader) hdr = NULL;
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(DomainDef) current = NULL;
    g_auto(VirtFd) fd = open_image(path, O_RDONLY, &hdr, error);

    if (fd < 0 || !(def = image_def(drv, hdr, NULL, path, error)))
        return false;
    g_mutex_lock(&obj->lock);
    current = domain_def_copy(obj->def);
    g_mutex_unlock(&obj->lock);
    if (g_strcmp0(def->name, current->name) != 0 ||
        memcmp(def->uuid, current->uuid, sizeof(def->uuid)) != 0) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                    "operation failed: the managed-save image '%s' belongs to domain '%s', not "
                    "'%s'; remove it with managedsave-remove",
                    path, def->name, current->name);
        return false;
    }
    install_live_def(obj, g_steal_pointer(&def));
    if (!restore_body(drv, obj, fd, (flags & START_PAUSED) || qemu_save_restore_paused(hdr, 0),
                      (flags & START_PAUSED) ? DOMAIN_EVENT_SUSPENDED_PAUSED
                                             : DOMAIN_EVENT_SUSPENDED_RESTORED,
                      events, error)) {
        drop_live_def(obj);
        return false;
    }
    if (unlink(path) < 0)
        g_warning("domain restored, but its managed-save image '%s' was not removed: %s", path,
                  g_strerror(errno));
    g_mutex_lock(&obj->lock);
    obj->has_managed_save = false;
    g_mutex_unlock(&obj->lock);
    return true;
}

/**
 * qemu_save_start_obj: start the inactive @obj (caller holds its job): from its
 * managed-save image when there is one (START_FORCE_BOOT removes it and boots), else
 * a boot. For virDomainCreate and autostart.
 */
bool qemu_save_start_obj(QemuDriver *drv, DomainObj *obj, unsigned int flags, GPtrArray *events,
                         GError **error)
{
    g_autofree char *path = NULL;

    if (!check_inactive(obj, error))
        return false;
    g_mutex_lock(&obj->lock);
    path = managed_path_locked(drv, obj);
    g_mutex_unlock(&obj->lock);
    if (g_file_test(path, G_FILE_TEST_EXISTS)) {
        if (!(flags & START_FORCE_BOOT))
            return refuse_bypass_cache(flags, START_BYPASS_CACHE, "VIR_DOMAIN_START_BYPASS_CACHE",
                                       "start the domain", error) &&
                   restore_managed(drv, obj, path, flags, events, error);
        if (unlink(path) < 0 && errno != ENOENT)
            return sys_error(error, "remove", path);
        g_mutex_lock(&obj->lock);
        obj->has_managed_save = false;
        g_mutex_unlock(&obj->lock);
    }
    return qemu_driver_start_obj(drv, obj, flags & ~START_FORCE_BOOT, events, error);
}

/**
 * qemu_domain_create_or_restore: virDomainCreateWithFlags; a managed-save image is
 * restored (FORCE_BOOT removes it and boots instead).
 */
DomainRef *qemu_domain_create_or_restore(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                         GError **error)
{
    QemuDriver *drv = conn->drv;
    g_autoptr(GPtrArray) events = driver_events_new();
    g_autoptr(DomainObj) obj = NULL;
    bool ok;

    if (!qemu_driver_check_flags(
            flags, START_PAUSED | START_AUTODESTROY | START_BYPASS_CACHE | START_FORCE_BOOT,
            "qemu_domain_create", error) ||
        !(obj = qemu_driver_obj(conn, dom, error)) || !qemu_driver_job_begin(obj, "start", error))
        return NULL;
    ok = qemu_save_start_obj(drv, obj, flags, events, error);
    qemu_driver_job_end(drv, obj);
    qemu_driver_emit(drv, events);
    return ok ? driver_domain_ref(obj) : NULL;
}

/**
 * qemu_domain_restore: virDomainRestoreFlags: run the domain saved in @from with the
 * definition kept there (or @dxml, checked against it). A persistent domain of that name
 * and UUID runs it as its live definition; otherwise it comes back transient. The file
 * stays.
 */
bool qemu_domain_restore(DriverConn *conn, const char *from, const char *dxml, unsigned int flags,
                         GError **error)
{
    const unsigned int add_flags =
        DOMAIN_OBJ_LIST_ADD_LIVE | DOMAIN_OBJ_LIST_ADD_CHECK_LIVE | DOMAIN_OBJ_LIST_ADD_BEGIN_JOB;
    QemuDriver *drv = conn->drv;
    g_autoptr(GPtrArray) events = driver_events_new();
    g_autoptr(QemuSaveHeader) hdr = NULL;
    g_autoptr(DomainObj) obj = NULL;
    g_auto(VirtFd) fd = -1;
    DomainDef *def;
    bool ok;

    if (!qemu_save_check_state_flags(flags, error) ||
        !qemu_driver_check_flags(flags,
                                 QEMU_SAVE_BYPASS_CACHE | QEMU_SAVE_RUNNING | QEMU_SAVE_PAUSED,
                                 "qemu_domain_restore", error) ||
        !refuse_save_bypass(flags, "restore it", error) || !check_image_path(from, error) ||
        (fd = open_image(from, O_RDONLY, &hdr, error)) < 0 ||
        !(def = image_def(drv, hdr, dxml, from, error)) ||
        !domain_obj_list_add(drv->domains, def, add_flags, "restore", &obj, NULL, error))
        return false;
    ok = restore_body(drv, obj, fd, qemu_save_restore_paused(hdr, flags),
                      DOMAIN_EVENT_SUSPENDED_RESTORED, events, error);
    if (!ok) {
        bool transient;

        drop_live_def(obj);
        g_mutex_lock(&obj->lock);
        transient = !obj->persistent;
        g_mutex_unlock(&obj->lock);
        if (transient)
            domain_obj_list_remove(drv->domains, obj);
    }
    qemu_driver_job_end(drv, obj);
    qemu_driver_emit(drv, events);
    return ok;
}

/* ---- the XML in an image ----------------------------------------------------------- */

/* The definition kept in the image @path (flags: SECURE 1 = with secrets). */
static char *image_get_xml(const char *path, unsigned int flags, GError **error)
{
    g_autoptr(QemuSaveHeader) hdr = NULL;
    g_autoptr(DomainDef) def = NULL;
    g_auto(VirtFd) fd = open_image(path, O_RDONLY, &hdr, error);

    if (fd < 0 || !(def = domain_def_parse_string(hdr->xml, DOMAIN_PARSE_INACTIVE, error)))
        return NULL;
    return domain_def_format(def, -1,
                             DOMAIN_FORMAT_INACTIVE | ((flags & 1u) ? DOMAIN_FORMAT_SECURE : 0));
}

/* Replace the definition kept in the image @path by the compatible @dxml; RUNNING /
 * PAUSED in @flags change the state a restore leaves the guest in. The stream does not
 * move: the new XML must fit before it. */
static bool image_define_xml(QemuDriver *drv, const char *path, const char *dxml,
                             unsigned int flags, GError **error)
{
    g_autoptr(QemuSaveHeader) hdr = NULL;
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(GBytes) header = NULL;
    g_autofree char *xml = NULL;
    g_auto(VirtFd) fd = open_image(path, O_RDWR, &hdr, error);
    const uint8_t *data;
    gsize len;

    if (fd < 0 || !(def = image_def(drv, hdr, dxml, path, error)))
        return false;
    xml = image_xml(def);
    if (!(header = qemu_save_header_encode_at(xml, qemu_save_restore_paused(hdr, flags),
                                              hdr->data_offset, path, error)))
        return false;
    data = g_bytes_get_data(header, &len);
    if (pwrite(fd, data, len, 0) != (ssize_t)len || fsync(fd) < 0)
        return sys_error(error, "write", path);
    return true;
}

/**
 * qemu_domain_save_image_get_xml_desc: the definition kept in the image @file
 * (VIR_DOMAIN_SAVE_IMAGE_XML_SECURE = 1: with secrets).
 */
char *qemu_domain_save_image_get_xml_desc(DriverConn *conn, const char *file, unsigned int flags,
                                          GError **error)
{
    if (!qemu_driver_check_flags(flags, 1u, "qemu_domain_save_image_get_xml_desc", error) ||
        !check_image_path(file, error))
        return NULL;
    return image_get_xml(file, flags, error);
}

/**
 * qemu_domain_save_image_define_xml: virDomainSaveImageDefineXML (image_define_xml).
 */
bool qemu_domain_save_image_define_xml(DriverConn *conn, const char *file, const char *dxml,
                                       unsigned int flags, GError **error)
{
    return qemu_save_check_state_flags(flags, error) &&
           qemu_driver_check_flags(flags, QEMU_SAVE_RUNNING | QEMU_SAVE_PAUSED,
                                   "qemu_domain_save_image_define_xml", error) &&
           check_image_path(file, error) && image_define_xml(conn->drv, file, dxml, flags, error);
}

/* The managed-save image of @obj, or NULL with libvirt's error when it has none. */
static char *managed_image(QemuDriver *drv, DomainObj *obj, GError **error)
{
    g_autofree char *path = NULL;

    g_mutex_lock(&obj->lock);
    path = managed_path_locked(drv, obj);
    g_mutex_unlock(&obj->lock);
    if (g_file_test(path, G_FILE_TEST_EXISTS))
        return g_steal_pointer(&path);
    g_set_error_literal(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_INVALID,
                        "Requested operation is not valid: domain does not have managed save "
                        "image");
    return NULL;
}

/**
 * qemu_domain_managed_save_get_xml_desc: the definition kept in @dom's managed-save
 * image (VIR_DOMAIN_SAVE_IMAGE_XML_SECURE = 1: with secrets).
 */
char *qemu_domain_managed_save_get_xml_desc(DriverConn *conn, const DomainRef *dom,
                                            unsigned int flags, GError **error)
{
    g_autoptr(DomainObj) obj = NULL;
    g_autofree char *path = NULL;

    if (!qemu_driver_check_flags(flags, 1u, "qemu_domain_managed_save_get_xml_desc", error) ||
        !(obj = qemu_driver_obj(conn, dom, error)) ||
        !(path = managed_image(conn->drv, obj, error)))
        return NULL;
    return image_get_xml(path, flags, error);
}

/**
 * qemu_domain_managed_save_define_xml: replace the definition kept in @dom's
 * managed-save image, as qemu_domain_save_image_define_xml; under the domain's job, so
 * no start restores the image meanwhile.
 */
bool qemu_domain_managed_save_define_xml(DriverConn *conn, const DomainRef *dom, const char *dxml,
                                         unsigned int flags, GError **error)
{
    g_autoptr(DomainObj) obj = NULL;
    g_autofree char *path = NULL;
    bool ok;

    if (!qemu_save_check_state_flags(flags, error) ||
        !qemu_driver_check_flags(flags, QEMU_SAVE_RUNNING | QEMU_SAVE_PAUSED,
                                 "qemu_domain_managed_save_define_xml", error) ||
        !(obj = qemu_driver_obj(conn, dom, error)) ||
        !qemu_driver_job_begin(obj, "managed-save-define", error))
        return false;
    ok = (path = managed_image(conn->drv, obj, error)) &&
         image_define_xml(conn->drv, path, dxml, flags, error);
    qemu_driver_job_end(conn->drv, obj);
    return ok;
}
