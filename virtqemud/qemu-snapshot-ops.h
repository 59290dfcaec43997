/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The QEMU driver's snapshot and managed-save ops (qemu-snapshot-ops.c,
 * qemu-save-ops.c): the planning of qemu-snapshot.h and qemu-save.h carried out with
 * qemu-img, QMP jobs and files. Snapshot metadata lives in QemuDomainPriv.snapshots and
 * on disk in the driver's SnapshotStore (<snapshot_dir>/<domain>/<snapshot>.xml).
 */

#include <glib.h>
#include <stdbool.h>

#include "driver/driver-snapshot-common.h"
#include "qemu-driver.h"

/* Wake the waiters of QMP jobs and migrations (JOB_STATUS_CHANGE, MIGRATION); called
 * on the loop thread, never blocks. */
void qemu_async_job_notify(void);

/* Load every domain's snapshot metadata at start; problems are logged, never fatal. */
void qemu_snapshot_load_all(QemuDriver *drv);

/* snapshots */
SnapshotRef *qemu_domain_snapshot_create_xml(DriverConn *conn, const DomainRef *dom,
                                             const char *xml, unsigned int flags, GError **error);
/* the read-only ops (driver-snapshot-common.h) */
DRIVER_SNAPSHOT_DECLARE_READ_OPS(qemu);
bool qemu_domain_revert_to_snapshot(DriverConn *conn, const SnapshotRef *snap, unsigned int flags,
                                    GError **error);
bool qemu_domain_snapshot_delete(DriverConn *conn, const SnapshotRef *snap, unsigned int flags,
                                 GError **error);

/* managed save (qemu-save-ops.c) */
bool qemu_domain_managed_save(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                              GError **error);
bool qemu_domain_managed_save_remove(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                     GError **error);
/* start: resumes from the managed-save image when there is one (FORCE_BOOT discards it) */
DomainRef *qemu_domain_create_or_restore(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                         GError **error);
/* the same for a caller that holds @obj's job (autostart) */
bool qemu_save_start_obj(QemuDriver *drv, DomainObj *obj, unsigned int flags, GPtrArray *events,
                         GError **error);
/* save to a file, restore, the XML in an image (qemu-save-ops.c) */
bool qemu_domain_save(DriverConn *conn, const DomainRef *dom, const char *to, const char *dxml,
                      unsigned int flags, GError **error);
bool qemu_domain_restore(DriverConn *conn, const char *from, const char *dxml, unsigned int flags,
                         GError **error);
char *qemu_domain_save_image_get_xml_desc(DriverConn *conn, const char *file, unsigned int flags,
                                          GError **error);
bool qemu_domain_save_image_define_xml(DriverConn *conn, const char *file, const char *dxml,
                                       unsigned int flags, GError **error);
char *qemu_domain_managed_save_get_xml_desc(DriverConn *conn, const DomainRef *dom,
                                            unsigned int flags, GError **error);
bool qemu_domain_managed_save_define_xml(DriverConn *conn, const DomainRef *dom, const char *dxml,
                                         unsigned int flags, GError **error);

/* helpers shared by the two files (qemu-snapshot-ops.c) */
/* Wait for QMP job @job_id to conclude, then dismiss it; QEMU's error if it failed. */
bool qemu_snapshot_wait_job(DomainObj *obj, const char *job_id, GError **error);
/* Wait until the QMP job @job_id is ready to complete (an active commit). */
bool qemu_snapshot_wait_job_ready(DomainObj *obj, const char *job_id, GError **error);
/* The QEMU_STEP_BLOCK_COMMIT @step on running @obj (qemu-snapshot-commit.c). */
struct QemuStep;
bool qemu_snapshot_block_commit(QemuDriver *drv, DomainObj *obj, const struct QemuStep *step,
                                GError **error);
/* Run @cmd (taken); output and status checked. */
bool qemu_snapshot_run_command(Command *cmd, GError **error);
const char *qemu_snapshot_qemu_img(void);
/* Kill @obj's QEMU and commit the stop with @reason/@detail. Caller holds the job. */
bool qemu_snapshot_kill(QemuDriver *drv, DomainObj *obj, int reason, int detail, GPtrArray *events,
                        GError **error);
/* Wait until QMP's query-migrate says the migration ended. */
bool qemu_save_wait_migration(DomainObj *obj, GError **error);
