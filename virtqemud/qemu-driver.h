/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The QEMU driver behind virtqemud: one QemuDriver per daemon (qemu:///system or
 * qemu:///session), the DriverOps table over it, and what its files share.
 *
 * Files: qemu-driver.c (state, connect and host ops, capabilities),
 * qemu-driver-domain.c (definitions, lookups, queries), qemu-driver-lifecycle.c
 * (start, stop, pause, reboot), qemu-driver-events.c (QMP events and QEMU exits),
 * qemu-driver-status.c (status files, reconnect after a daemon restart, autostart).
 *
 * Threads: ops run on the daemon's workers; QMP events and process exits arrive on
 * the loop thread. State changes run as jobs on the domain (domain_obj_begin_job),
 * except what QEMU reports on its own (guest poweroff, crash, STOP/RESUME), which is
 * committed under the object's lock by the loop thread; reads never wait on a job.
 */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "conf/domain-def.h"
#include "driver/driver-domain-common.h"
#include "driver/driver.h"
#include "qemu-caps.h"
#include "qemu-process.h"
#include "state/config-store.h"
#include "state/paths.h"

#define QEMU_CAPS_PROBE_TIMEOUT_MS 30000
#define QEMU_MONITOR_TIMEOUT_MS 30000 /* default: a wedged QEMU fails its job after this */
#define QEMU_LAUNCH_TIMEOUT_MS 30000
#define QEMU_KILL_GRACE_MS 3000
/* default: a graceful destroy (SIGTERM only) gives up after this, as libvirt's (75 polls
 * of 200 ms) */
#define QEMU_GRACEFUL_WAIT_MS 15000

typedef struct QemuCapsSlot QemuCapsSlot;
typedef struct QemuProcCtx QemuProcCtx;

typedef struct QemuDriver {
    bool privileged;
    char *uri; /* what connect_get_uri answers: qemu:///system or qemu:///session */
    char *host_arch;
    StatePaths *paths;
    ConfigStore *store;
    DomainObjList *domains;
    DriverEventHub *events;

    GMutex caps_lock;          /* protects caps_slots (not the probes) */
    GHashTable *caps_slots;    /* binary path -> QemuCapsSlot* */
    GThread *warmup;           /* probes the host's emulator at start, off the main thread */
    GThread *startup;          /* reconnects to running guests, then autostarts */
    GThreadPool *events_pool;  /* one thread: QMP events and exits, in order */
    GThreadPool *restart_pool; /* boots guests again after a poweroff (monitor calls) */
    GPtrArray *reconnect;      /* DomainObj* found running at start, for the startup thread */

    gint active;   /* running guests: the daemon does not exit idle while > 0 */
    gint next_tap; /* N of the next generated tap name vnetN (qemu-host-net.h) */
} QemuDriver;

struct DriverConn {
    QemuDriver *drv;
    DriverEventSink *sink;
};

/* What the driver keeps per domain (DomainObj.priv), under obj->lock. */
typedef struct QemuDomainPriv {
    QemuProcess *proc;   /* freed only by the holder of the domain's job */
    QemuProcCtx *ctx;    /* the callbacks' data of proc */
    unsigned generation; /* counts starts: events of an older process are ignored */
    pid_t pid;
    char *run_dir;      /* per-domain directory: QMP socket, QEMU's HOME */
    char *monitor_path; /* QMP unix socket */
    char *pidfile;
    char *log_path;
    bool got_shutdown;    /* QEMU reported SHUTDOWN: its exit is a shutdown, not a crash */
    bool exit_pending;    /* QEMU exited while a job ran: the job's end handles it */
    bool destroying;      /* destroy killed it: its SHUTDOWN (host-signal) is no news */
    bool fake_reboot;     /* a reboot asked for the ACPI poweroff: boot again after it */
    bool action_paused;   /* the reboot made QEMU pause on poweroff (set-action) */
    bool restart_pending; /* boot again when the job running now ends */
    int stale_seq;        /* STOP/RESUME queued up to this QemuProcCtx.seq were a restart's */
    struct SnapshotTree *snapshots; /* snapshot metadata (qemu-snapshot-ops.c) */
} QemuDomainPriv;

/* qemu-driver.c */
extern const DriverOps qemu_driver_ops;
bool qemu_driver_init(bool privileged, const char *root, GError **error);
void qemu_driver_shutdown(void);
bool qemu_driver_inhibit_idle(void);
QemuDriver *qemu_driver_get(void);

const QemuCaps *qemu_driver_caps_for_binary(QemuDriver *drv, const char *binary, GError **error);
const QemuCaps *qemu_driver_caps_for_def(QemuDriver *drv, const DomainDef *def, GError **error);
/* parse + QEMU post-parse + validate (define, create) */
bool qemu_driver_post_parse(QemuDriver *drv, DomainDef *def, GError **error);
DomainDef *qemu_driver_parse(QemuDriver *drv, const char *xml, DomainParseFlags flags,
                             GError **error);
void qemu_driver_emit(QemuDriver *drv, GPtrArray *events);

/* qemu-driver-status.c */
bool qemu_driver_load(QemuDriver *drv, GError **error);
void qemu_driver_startup(QemuDriver *drv);
void qemu_driver_detach_all(QemuDriver *drv);
/* Rewrite the status file of @obj while it runs (failures are logged). */
void qemu_driver_write_status(QemuDriver *drv, DomainObj *obj);
void qemu_driver_delete_status(QemuDriver *drv, const char *name);

/* qemu-driver-events.c */
extern const QemuProcessCallbacks qemu_driver_process_callbacks;
bool qemu_driver_events_init(QemuDriver *drv, GError **error);
void qemu_driver_events_shutdown(QemuDriver *drv);
QemuProcCtx *qemu_proc_ctx_new(QemuDriver *drv, DomainObj *obj, unsigned generation);
void qemu_proc_ctx_free(QemuProcCtx *ctx);
bool qemu_driver_job_begin(DomainObj *obj, const char *job, GError **error);
/* End the job; a QEMU exit seen meanwhile is handled now, by this thread. */
void qemu_driver_job_end(QemuDriver *drv, DomainObj *obj);
/* Commit the stop of @obj's QEMU (gone or killed): shut off with @reason, files
 * removed, transient domains dropped, STOPPED/@detail queued. Caller holds the job. */
void qemu_driver_process_stop(QemuDriver *drv, DomainObj *obj, int reason, int detail,
                              GPtrArray *events);
/* Boot @obj's powered-off guest again (on_poweroff='restart', a reboot), off the
 * events thread. */
void qemu_driver_schedule_restart(QemuDriver *drv, DomainObj *obj);
/* The monitor timeout of jobs and a graceful destroy's wait: configured once at init,
 * then read. */
void qemu_driver_timeouts_configure(void);
unsigned qemu_driver_monitor_timeout(void);
unsigned qemu_driver_graceful_wait(void);
/* Run the QMP command @cmd (taken) on @obj's monitor. Caller holds the job. */
bool qemu_driver_monitor_run(DomainObj *obj, QemuMonitorCommand *cmd,
                             QemuMonitorMessage **ret_reply, GError **error);
/* The same passing a copy of @fd with it (getfd). */
bool qemu_driver_monitor_run_fd(DomainObj *obj, QemuMonitorCommand *cmd, int fd,
                                QemuMonitorMessage **ret_reply, GError **error);

/* qemu-driver-lifecycle.c */
void qemu_domain_priv_free(gpointer priv);
/* Launch QEMU for @obj paused (-S), @extra_args appended (NULL = none; a restore's
 * -incoming defer). Caller holds the job. */
bool qemu_driver_launch(QemuDriver *drv, DomainObj *obj, const QemuCaps *caps,
                        const char *const *extra_args, GError **error);
bool qemu_driver_start_obj(QemuDriver *drv, DomainObj *obj, unsigned int flags, GPtrArray *events,
                           GError **error);
DomainRef *qemu_domain_create(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                              GError **error);
DomainRef *qemu_domain_create_xml(DriverConn *conn, const char *xml, unsigned int flags,
                                  GError **error);
bool qemu_domain_destroy(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                         GError **error);
bool qemu_domain_shutdown(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                          GError **error);
bool qemu_domain_reboot(DriverConn *conn, const DomainRef *dom, unsigned int flags, GError **error);
bool qemu_domain_reset(DriverConn *conn, const DomainRef *dom, unsigned int flags, GError **error);
bool qemu_domain_suspend(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                         GError **error);
bool qemu_domain_resume(DriverConn *conn, const DomainRef *dom, unsigned int flags, GError **error);

/* qemu-driver-domain.c */
DomainObj *qemu_driver_obj(DriverConn *conn, const DomainRef *dom, GError **error);
bool qemu_driver_check_flags(unsigned int flags, unsigned int allowed, const char *func,
                             GError **error);
bool qemu_driver_save_config(QemuDriver *drv, const DomainDef *def, GError **error);
/* A stopped transient domain's leftovers (snapshot metadata, ...), by conf's plan. */
void qemu_driver_transient_cleanup(QemuDriver *drv, DomainObj *obj);
QemuDomainPriv *qemu_domain_priv_locked(DomainObj *obj);
DomainRef *qemu_domain_lookup_by_name(DriverConn *conn, const char *name, GError **error);
DomainRef *qemu_domain_lookup_by_uuid(DriverConn *conn, const uint8_t uuid[VIRT_UUID_LEN],
                                      GError **error);
DomainRef *qemu_domain_lookup_by_id(DriverConn *conn, int id, GError **error);
bool qemu_connect_list_all_domains(DriverConn *conn, unsigned int flags, GPtrArray **ret_doms,
                                   GError **error);
DomainRef *qemu_domain_define_xml(DriverConn *conn, const char *xml, unsigned int flags,
                                  GError **error);
bool qemu_domain_undefine(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                          GError **error);
char *qemu_domain_get_xml_desc(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                               GError **error);
bool qemu_domain_get_autostart(DriverConn *conn, const DomainRef *dom, bool *ret, GError **error);
bool qemu_domain_set_autostart(DriverConn *conn, const DomainRef *dom, bool autostart,
                               GError **error);
char *qemu_domain_get_metadata(DriverConn *conn, const DomainRef *dom, int type, const char *uri,
                               unsigned int flags, GError **error);
bool qemu_domain_set_metadata(DriverConn *conn, const DomainRef *dom, int type,
                              const char *metadata, const char *key, const char *uri,
                              unsigned int flags, GError **error);
bool qemu_domain_get_info(DriverConn *conn, const DomainRef *dom, DomainInfo *ret_info,
                          GError **error);
bool qemu_domain_get_state(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                           int *ret_state, int *ret_reason, GError **error);
bool qemu_domain_is_active(DriverConn *conn, const DomainRef *dom, bool *ret, GError **error);
bool qemu_domain_is_persistent(DriverConn *conn, const DomainRef *dom, bool *ret, GError **error);
bool qemu_domain_is_updated(DriverConn *conn, const DomainRef *dom, bool *ret, GError **error);
bool qemu_domain_has_managed_save_image(DriverConn *conn, const DomainRef *dom, bool *ret,
                                        GError **error);
char *qemu_domain_get_os_type(DriverConn *conn, const DomainRef *dom, GError **error);
bool qemu_domain_get_max_memory(DriverConn *conn, const DomainRef *dom, uint64_t *ret_kib,
                                GError **error);
