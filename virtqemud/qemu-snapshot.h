/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Snapshots of QEMU domains, pure part: what a snapshot request means for each disk
 * (internal, external, none) once aligned with the domain as libvirt aligns it, the
 * qemu-img command lines for a shut-off guest, the QMP commands for a running one, the
 * outcome of a snapshot job read from query-jobs, the overlay files of an external
 * snapshot and the domain config that uses them, and the plans (ordered steps) of
 * reverting to and deleting an external snapshot. Nothing here touches a file or the
 * monitor: facts about the host (which files exist) come in as arguments.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "conf/domain-def.h"
#include "conf/snapshot-def.h"
#include "qemu-monitor-json.h"
#include "util/command.h"

/* virDomainSnapshotCreateFlags (facts §3.4) */
enum {
    QEMU_SNAPSHOT_CREATE_REDEFINE = 1u << 0,
    QEMU_SNAPSHOT_CREATE_CURRENT = 1u << 1,
    QEMU_SNAPSHOT_CREATE_NO_METADATA = 1u << 2,
    QEMU_SNAPSHOT_CREATE_HALT = 1u << 3,
    QEMU_SNAPSHOT_CREATE_DISK_ONLY = 1u << 4,
    QEMU_SNAPSHOT_CREATE_REUSE_EXT = 1u << 5,
    QEMU_SNAPSHOT_CREATE_QUIESCE = 1u << 6,
    QEMU_SNAPSHOT_CREATE_ATOMIC = 1u << 7,
    QEMU_SNAPSHOT_CREATE_LIVE = 1u << 8,
    QEMU_SNAPSHOT_CREATE_VALIDATE = 1u << 9,
};

/* One disk a snapshot captures. */
typedef struct QemuSnapshotDisk {
    char *target;               /* "vda" */
    SnapshotLocation location;  /* INTERNAL or EXTERNAL */
    char *source;               /* the disk's image now (an external overlay's backing) */
    char *format;               /* its format: "qcow2", "raw" */
    char *node;                 /* its format node as qemu-command names it */
    char *overlay;              /* external: the new image */
    char *overlay_storage_node; /* external, live: node names of the new image */
    char *overlay_format_node;
} QemuSnapshotDisk;

typedef struct QemuSnapshotPlan {
    bool external;      /* disk-only external snapshot; otherwise internal */
    bool with_memory;   /* internal snapshot of a running or paused guest */
    char *vmstate_node; /* with_memory: the node the VM state is saved to */
    GPtrArray *disks;   /* QemuSnapshotDisk*, the domain's order; disks not captured absent */
} QemuSnapshotPlan;

/* lifecycle */
QemuSnapshotPlan *qemu_snapshot_plan_free(QemuSnapshotPlan *plan);

/* The format node name qemu-command gives disk @index of @dom (libvirt-N-format). */
char *qemu_snapshot_disk_node(const DomainDef *dom, guint index);

/* Align @def with @dom (state, memory, per-disk location, external file names) as
 * libvirt does for a new snapshot, check what this driver can do, and plan it.
 * @active: the guest runs (running or paused); @paused: it is paused. */
bool qemu_snapshot_prepare(SnapshotDef *def, const DomainDef *dom, bool active, bool paused,
                           unsigned int flags, QemuSnapshotPlan **ret_plan, GError **error);

/* The plan of an existing internal snapshot for the domain config @dom (revert, delete). */
QemuSnapshotPlan *qemu_snapshot_plan_for_existing(const SnapshotDef *def, const DomainDef *dom);

/* The default file of an external overlay of @source for snapshot @snapshot. */
char *qemu_snapshot_overlay_name(const char *source, const char *snapshot);

/* Internal snapshot: the format nodes of the disks (for "devices") */
GStrv qemu_snapshot_plan_devices(const QemuSnapshotPlan *plan);

/* the job of internal snapshot operation @op ("save", "load", "delete") */
char *qemu_snapshot_job_id(const char *op);
QemuMonitorCommand *qemu_snapshot_cmd_internal(const QemuSnapshotPlan *plan, const char *op,
                                               const char *tag);

/* qemu-img argv for a shut-off guest: op is 'c' (create), 'a' (apply) or 'd' (delete) */
Command *qemu_snapshot_img_snapshot(const char *qemu_img, char op, const char *tag,
                                    const char *image);
/* qemu-img create of an overlay on @backing (format @backing_format); @size > 0 adds
 * -u and the size, so a backing image in use by a running QEMU is not opened */
Command *qemu_snapshot_img_create_overlay(const char *qemu_img, const char *overlay,
                                          const char *backing, const char *backing_format,
                                          uint64_t size);
/* qemu-img commit of @image into its backing file (the image itself is left as is) */
Command *qemu_snapshot_img_commit(const char *qemu_img, const char *image);

/* The QMP commands of a live external snapshot of @disk, in order: blockdev-add of the
 * file and format nodes of the overlay, then blockdev-snapshot. */
GPtrArray *qemu_snapshot_live_external_commands(const QemuSnapshotDisk *disk);

/* transaction of every disk's blockdev-snapshot (all or none); blockdev-del of a node */
QemuMonitorCommand *qemu_snapshot_cmd_transaction(const QemuSnapshotPlan *plan);
QemuMonitorCommand *qemu_snapshot_cmd_blockdev_del(const char *node);

/* A job's outcome from query-jobs: true and *ret_done when it concluded (with @error set
 * to QEMU's error when it failed: then false), true and !*ret_done while it runs. */
bool qemu_snapshot_job_outcome(const QemuMonitorMessage *query_jobs_reply, const char *job_id,
                               bool *ret_done, GError **error);

/* query-named-block-nodes (flat) → the virtual size of node @node */
bool qemu_snapshot_parse_node_size(const QemuMonitorMessage *reply, const char *node,
                                   uint64_t *ret_size, GError **error);
/* query-named-block-nodes → the lowest N with no libvirt-N-* node: new nodes' index */
bool qemu_snapshot_parse_next_node_index(const QemuMonitorMessage *reply, unsigned *ret_index,
                                         GError **error);
/* Name the overlay nodes of a live external snapshot libvirt-N-storage/-format from
 * @first_index upwards. */
void qemu_snapshot_plan_name_nodes(QemuSnapshotPlan *plan, unsigned first_index);
/* query-block → the node QEMU's device reads whose top image is @filename: after a
 * live external snapshot that is the overlay's node, no longer libvirt-N-format */
char *qemu_snapshot_parse_top_node(const QemuMonitorMessage *reply, const char *filename,
                                   GError **error);

/* The config of @dom after the external snapshot @plan: overlays as qcow2 sources. */
/* The node opening @filename in a query-named-block-nodes reply: protocol or format. */
char *qemu_snapshot_parse_file_node(const QemuMonitorMessage *reply, const char *filename,
                                    bool storage, GError **error);
DomainDef *qemu_snapshot_apply_external(const DomainDef *dom, const QemuSnapshotPlan *plan);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuSnapshotPlan, qemu_snapshot_plan_free)
