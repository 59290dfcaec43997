/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Managed save: the guest's state migrates into <save_dir>/<name>.save (qemu-save.h
 * format: our header with the live XML and the paused flag, then QEMU's stream) through
 * an fd passed with getfd ("fd:" migration: no shell), QEMU stops, the domain is shut
 * off (STOPPED/SAVED). Start finds the image, launches QEMU with -incoming defer, feeds
 * it the stream (migrate-incoming "fd:"), resumes unless it was saved paused
 * (STARTED/RESTORED), and removes the image. The image is written as .partial and
 * renamed when complete, owner-only, so an image that exists is a whole one.
 */

#include "qemu-snapshot-ops.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
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

/* The QMP part: stopped guest's state into @fd. */
static bool migrate_to_fd(DomainObj *obj, int fd, GError **error)
{
    QemuMonitor *mon = NULL;
    g_autoptr(QemuMonitorMessage) reply = NULL;

    if (!qemu_driver_monitor_run(obj, qemu_monitor_cmd_migrate_set_events(), NULL, error) ||
        !qemu_driver_monitor_run(obj, qemu_save_cmd_max_bandwidth(), NULL, error))
        return false;
    g_mutex_lock(&obj->lock);
    if (obj->priv && ((QemuDomainPriv *)obj->priv)->proc)
        mon = qemu_process_monitor(((QemuDomainPriv *)obj->priv)->proc);
    g_mutex_unlock(&obj->lock);
    if (!mon) {
        g_set_error_literal(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: domain is not running");
        return false;
    }
    if (!qemu_monitor_call_with_fd(mon, qemu_monitor_cmd_getfd(QEMU_SAVE_FDNAME), fd,
                                   QEMU_MONITOR_TIMEOUT_MS, &reply, error) ||
        !qemu_monitor_reply_check(reply, "getfd", error))
        return false;
    return qemu_driver_monitor_run(obj, qemu_monitor_cmd_migrate("fd:" QEMU_SAVE_FDNAME), NULL,
                                   error) &&
           qemu_save_wait_migration(obj, error);
}

static bool save_body(QemuDriver *drv, DomainObj *obj, unsigned int flags, GPtrArray *events,
                      GError **error)
{
    g_autofree char *path = NULL;
    g_autofree char *partial = NULL;
    g_autofree char *xml = NULL;
    g_auto(VirtFd) fd = -1;
    bool running, persistent, paused;

    if (!driver_domain_check_active(obj, error))
        return false;
    g_mutex_lock(&obj->lock);
    running = obj->state == DOMAIN_STATE_RUNNING;
    persistent = obj->persistent;
    path = managed_path_locked(drv, obj);
    xml = domain_def_format(obj->def, -1, DOMAIN_FORMAT_SECURE);
    g_mutex_unlock(&obj->lock);
    if (!persistent) {
        g_set_error_literal(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: cannot do managed save for "
                            "transient domain");
        return false;
    }
    paused = (flags & QEMU_SAVE_PAUSED) || (!running && !(flags & QEMU_SAVE_RUNNING));
    partial = qemu_save_partial_path(path);
    if (!virt_dir_ensure(drv->paths->save_dir, 0700, error) ||
        (fd = open_partial(partial, xml, paused, error)) < 0)
        return false;
    if ((running && !qemu_driver_monitor_run(obj, qemu_monitor_command_new("stop"), NULL, error)) ||
        !migrate_to_fd(obj, fd, error) || !finish_image(fd, partial, path, error)) {
        (void)g_unlink(partial);
        if (running)
            (void)qemu_driver_monitor_run(obj, qemu_monitor_command_new("cont"), NULL, NULL);
        return false;
    }
    if (!qemu_snapshot_kill(drv, obj, DOMAIN_SHUTOFF_SAVED, DOMAIN_EVENT_STOPPED_SAVED, events,
                            error))
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

    if ((flags & QEMU_SAVE_RUNNING) && (flags & QEMU_SAVE_PAUSED)) {
        g_set_error_literal(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INVALID_ARG,
                            "Flags 'VIR_DOMAIN_SAVE_RUNNING' and 'VIR_DOMAIN_SAVE_PAUSED' are "
                            "mutually exclusive");
        return false;
    }
    if (!qemu_driver_check_flags(flags,
                                 QEMU_SAVE_BYPASS_CACHE | QEMU_SAVE_RUNNING | QEMU_SAVE_PAUSED,
                                 "qemu_domain_managed_save", error) ||
        !(obj = qemu_driver_obj(conn, dom, error)) ||
        !qemu_driver_job_begin(obj, "managed-save", error))
        return false;
    ok = save_body(drv, obj, flags, events, error);
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
static int open_image(const char *path, QemuSaveHeader **ret_hdr, GError **error)
{
    uint8_t fixed[QEMU_SAVE_HEADER_SIZE];
    g_autoptr(QemuSaveHeader) hdr = NULL;
    g_autofree uint8_t *xml = NULL;
    g_auto(VirtFd) fd = open(path, O_RDONLY | O_CLOEXEC);

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

/* QEMU waits with -incoming defer: feed it the stream. */
static bool migrate_from_fd(DomainObj *obj, int fd, GError **error)
{
    g_autoptr(QemuMonitorMessage) reply = NULL;
    QemuMonitor *mon = NULL;

    g_mutex_lock(&obj->lock);
    if (obj->priv && ((QemuDomainPriv *)obj->priv)->proc)
        mon = qemu_process_monitor(((QemuDomainPriv *)obj->priv)->proc);
    g_mutex_unlock(&obj->lock);
    if (!mon) {
        g_set_error_literal(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                            "operation failed: QEMU went away during the restore");
        return false;
    }
    return qemu_driver_monitor_run(obj, qemu_monitor_cmd_migrate_set_events(), NULL, error) &&
           qemu_monitor_call_with_fd(mon, qemu_monitor_cmd_getfd(QEMU_SAVE_FDNAME), fd,
                                     QEMU_MONITOR_TIMEOUT_MS, &reply, error) &&
           qemu_monitor_reply_check(reply, "getfd", error) &&
           qemu_driver_monitor_run(obj, qemu_save_cmd_migrate_incoming("fd:" QEMU_SAVE_FDNAME),
                                   NULL, error) &&
           qemu_save_wait_migration(obj, error);
}

static bool restore_body(QemuDriver *drv, DomainObj *obj, const char *path, unsigned int flags,
                         GPtrArray *events, GError **error)
{
    static const char *const incoming[] = { "-incoming", "defer", NULL };
    g_autoptr(QemuSaveHeader) hdr = NULL;
    g_autoptr(GPtrArray) ignored = driver_events_new();
    g_autoptr(DomainDef) def = NULL;
    g_auto(VirtFd) fd = open_image(path, &hdr, error);
    const QemuCaps *caps;
    bool paused;

    if (fd < 0)
        return false;
    paused = (flags & START_PAUSED) || qemu_save_restore_paused(hdr, 0);
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
                             paused ? DOMAIN_PAUSED_USER : DOMAIN_RUNNING_RESTORED);
    qemu_driver_write_status(drv, obj);
    driver_events_queue(events, obj, DOMAIN_EVENT_STARTED, DOMAIN_EVENT_STARTED_RESTORED);
    if (paused)
        driver_events_queue(events, obj, DOMAIN_EVENT_SUSPENDED, DOMAIN_EVENT_SUSPENDED_RESTORED);
    return true;
}

static bool restore_managed(QemuDriver *drv, DomainObj *obj, const char *path, unsigned int flags,
                            GPtrArray *events, GError **error)
{
    if (!restore_body(drv, obj, path, flags, events, error))
        return false;
    if (unlink(path) < 0)
        g_warning("domain restored, but its managed-save image '%s' was not removed: %s", path,
                  g_strerror(errno));
    g_mutex_lock(&obj->lock);
    obj->has_managed_save = false;
    g_mutex_unlock(&obj->lock);
    return true;
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
    g_autofree char *path = NULL;
    bool ok;

    if (!qemu_driver_check_flags(
            flags, START_PAUSED | START_AUTODESTROY | START_BYPASS_CACHE | START_FORCE_BOOT,
            "qemu_domain_create", error) ||
        !(obj = qemu_driver_obj(conn, dom, error)))
        return NULL;
    g_mutex_lock(&obj->lock);
    path = managed_path_locked(drv, obj);
    g_mutex_unlock(&obj->lock);
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return qemu_domain_create(conn, dom, flags, error);
    if (flags & START_FORCE_BOOT) {
        if (unlink(path) < 0 && errno != ENOENT) {
            sys_error(error, "remove", path);
            return NULL;
        }
        return qemu_domain_create(conn, dom, flags & ~START_FORCE_BOOT, error);
    }
    if (!qemu_driver_job_begin(obj, "start", error))
        return NULL;
    ok = check_inactive(obj, error) && restore_managed(drv, obj, path, flags, events, error);
    qemu_driver_job_end(drv, obj);
    qemu_driver_emit(drv, events);
    return ok ? driver_domain_ref(obj) : NULL;
}
