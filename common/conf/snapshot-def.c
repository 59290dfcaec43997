/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* SnapshotDef lifecycle, copies and the enum tables. */

#include "conf/domain-def.h"
#include "conf/snapshot-def.h"
#include "conf/xml-extras.h"

ENUM_TABLE_DEFINE(
    snapshot_state, SnapshotState, _SNAPSHOT_STATE_MAX, [SNAPSHOT_STATE_NOSTATE] = "nostate",
    [SNAPSHOT_STATE_RUNNING] = "running", [SNAPSHOT_STATE_BLOCKED] = "blocked",
    [SNAPSHOT_STATE_PAUSED] = "paused", [SNAPSHOT_STATE_SHUTDOWN] = "shutdown",
    [SNAPSHOT_STATE_SHUTOFF] = "shutoff", [SNAPSHOT_STATE_CRASHED] = "crashed",
    [SNAPSHOT_STATE_PMSUSPENDED] = "pmsuspended", [SNAPSHOT_STATE_DISK_SNAPSHOT] = "disk-snapshot");

ENUM_TABLE_DEFINE(snapshot_location, SnapshotLocation,
                  _SNAPSHOT_LOCATION_MAX, [SNAPSHOT_LOCATION_DEFAULT] = "default",
                  [SNAPSHOT_LOCATION_NO] = "no", [SNAPSHOT_LOCATION_INTERNAL] = "internal",
                  [SNAPSHOT_LOCATION_EXTERNAL] = "external", [SNAPSHOT_LOCATION_MANUAL] = "manual");

static void snapshot_disk_def_free_void(gpointer disk)
{
    snapshot_disk_def_free(disk);
}

/**
 * snapshot_disk_def_new: an empty disk entry (location not given).
 */
SnapshotDiskDef *snapshot_disk_def_new(void)
{
    return g_new0(SnapshotDiskDef, 1);
}

/**
 * snapshot_disk_def_free: free @disk (NULL allowed); returns NULL.
 */
SnapshotDiskDef *snapshot_disk_def_free(SnapshotDiskDef *disk)
{
    if (!disk)
        return NULL;
    g_free(disk->name);
    g_free(disk->type);
    g_free(disk->driver_type);
    g_free(disk->source);
    xml_extras_free(disk->driver_extras);
    xml_extras_free(disk->source_extras);
    xml_extras_free(disk->extras);
    g_free(disk);
    return NULL;
}

static SnapshotDiskDef *snapshot_disk_def_copy(const SnapshotDiskDef *src)
{
    SnapshotDiskDef *disk = snapshot_disk_def_new();

    disk->name = g_strdup(src->name);
    disk->snapshot = src->snapshot;
    disk->type = g_strdup(src->type);
    disk->driver_type = g_strdup(src->driver_type);
    disk->source = g_strdup(src->source);
    disk->driver_extras = xml_extras_copy(src->driver_extras);
    disk->source_extras = xml_extras_copy(src->source_extras);
    disk->extras = xml_extras_copy(src->extras);
    return disk;
}

/**
 * snapshot_def_new: an empty definition: no name, no state, no disks, no domain.
 */
SnapshotDef *snapshot_def_new(void)
{
    SnapshotDef *def = g_new0(SnapshotDef, 1);

    def->disks = g_ptr_array_new_with_free_func(snapshot_disk_def_free_void);
    return def;
}

/**
 * snapshot_def_free: free @def (NULL allowed); returns NULL.
 */
SnapshotDef *snapshot_def_free(SnapshotDef *def)
{
    if (!def)
        return NULL;
    g_free(def->name);
    g_free(def->description);
    g_free(def->parent_name);
    g_free(def->memory_file);
    g_ptr_array_unref(def->disks);
    domain_def_free(def->dom);
    domain_def_free(def->inactive_dom);
    xml_extras_free(def->extras);
    g_free(def);
    return NULL;
}

/**
 * snapshot_def_copy: a deep copy of @def; never fails.
 */
SnapshotDef *snapshot_def_copy(const SnapshotDef *src)
{
    SnapshotDef *def = snapshot_def_new();

    def->name = g_strdup(src->name);
    def->description = g_strdup(src->description);
    def->state = src->state;
    def->creation_time = src->creation_time;
    def->parent_name = g_strdup(src->parent_name);
    def->memory = src->memory;
    def->memory_file = g_strdup(src->memory_file);
    for (guint i = 0; i < src->disks->len; i++)
        g_ptr_array_add(def->disks, snapshot_disk_def_copy(src->disks->pdata[i]));
    def->dom = src->dom ? domain_def_copy(src->dom) : NULL;
    def->inactive_dom = src->inactive_dom ? domain_def_copy(src->inactive_dom) : NULL;
    def->current = src->current;
    def->extras = xml_extras_copy(src->extras);
    return def;
}

/**
 * snapshot_def_is_external: true when memory or any disk is captured externally
 * (libvirt's LIST_EXTERNAL); the complement is LIST_INTERNAL.
 */
bool snapshot_def_is_external(const SnapshotDef *def)
{
    if (def->memory == SNAPSHOT_LOCATION_EXTERNAL)
        return true;
    for (guint i = 0; i < def->disks->len; i++) {
        const SnapshotDiskDef *disk = def->disks->pdata[i];

        if (disk->snapshot == SNAPSHOT_LOCATION_EXTERNAL)
            return true;
    }
    return false;
}

/**
 * snapshot_def_is_inactive: the domain was shut off (LIST_INACTIVE).
 */
bool snapshot_def_is_inactive(const SnapshotDef *def)
{
    return def->state == SNAPSHOT_STATE_SHUTOFF;
}

/**
 * snapshot_def_is_disk_only: disks only, no memory (LIST_DISK_ONLY).
 */
bool snapshot_def_is_disk_only(const SnapshotDef *def)
{
    return def->state == SNAPSHOT_STATE_DISK_SNAPSHOT;
}
