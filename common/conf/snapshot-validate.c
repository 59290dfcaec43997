/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Snapshot defaults (creation time and name, from a clock value the caller passes in),
 * cross-checks, and alignment of the disk list with the domain's disks. */

#include <inttypes.h>
#include <string.h>

#include "conf/domain-def.h"
#include "conf/snapshot-def.h"
#include "util/error.h"

/**
 * snapshot_def_post_parse - fill in what a new snapshot was not given
 * @def: the definition
 * @now: the current time in seconds since the epoch (the caller's clock)
 * @error: unused today; kept for defaults that can fail
 *
 * A snapshot without a creation time was created @now; one without a name is named
 * after its creation time, as libvirt does.
 *
 * Returns: true.
 */
bool snapshot_def_post_parse(SnapshotDef *def, int64_t now, GError **error)
{
    if (!def->creation_time)
        def->creation_time = now;
    if (!def->name)
        def->name = g_strdup_printf("%" PRId64, def->creation_time);
    return true;
}

static bool snapshot_validate_disks(const SnapshotDef *def, GError **error)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

    for (guint i = 0; i < def->disks->len; i++) {
        const SnapshotDiskDef *disk = def->disks->pdata[i];

        if (!g_hash_table_add(seen, disk->name)) {
            g_set_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_XML_ERROR,
                        "disk '%s' is listed more than once in <disks> of snapshot '%s'",
                        disk->name, def->name);
            return false;
        }
    }
    return true;
}

/**
 * snapshot_def_validate - cross-checks between the parts of a definition
 * @def: a parsed, post-parsed definition
 * @error: VIRT_SNAPSHOT_ERROR/XML_ERROR naming the snapshot and the element
 *
 * Returns: true when @def is consistent.
 */
bool snapshot_def_validate(const SnapshotDef *def, GError **error)
{
    bool offline =
        def->state == SNAPSHOT_STATE_SHUTOFF || def->state == SNAPSHOT_STATE_DISK_SNAPSHOT;

    if (def->parent_name && def->name && strcmp(def->parent_name, def->name) == 0) {
        g_set_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_XML_ERROR,
                    "snapshot '%s' names itself in <parent>", def->name);
        return false;
    }
    /* a shut-off guest has no memory to save, and disk-only means no memory */
    if (offline &&
        (def->memory == SNAPSHOT_LOCATION_INTERNAL || def->memory == SNAPSHOT_LOCATION_EXTERNAL)) {
        g_set_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_XML_ERROR,
                    "snapshot '%s' has <state>%s</state> but <memory snapshot='%s'>: no "
                    "memory state to save",
                    def->name, snapshot_state_to_string(def->state),
                    snapshot_location_to_string(def->memory));
        return false;
    }
    return snapshot_validate_disks(def, error);
}

/* Default-fill and check one embedded config; errors say which snapshot and element. */
static bool snapshot_fill_domain(const SnapshotDef *def, DomainDef *dom, const char *element,
                                 SnapshotDomainFill fill, void *opaque, GError **error)
{
    if (!dom || fill(dom, opaque, error))
        return true;
    g_prefix_error(error, "invalid <%s> in snapshot '%s': ", element, def->name);
    return false;
}

/**
 * snapshot_def_fill_redefined - complete a redefined snapshot as libvirt does
 * @def: a definition parsed with SNAPSHOT_PARSE_REDEFINE
 * @fill: the driver's post-parse and validation of a domain, as its define applies them
 * @opaque: for @fill
 * @error: @fill's error (its code kept) prefixed with the element and the snapshot, or
 *         a listed disk the config lacks
 *
 * libvirt parses a redefined snapshot's <domain> and <inactiveDomain> with its domain
 * parser, so they come back default-filled (arch, boot device, clock, lifecycle
 * actions, disk buses, controllers) and are refused when invalid, and it gives an
 * internal snapshot one <disks> entry per disk of that config (measured on libvirt
 * 9.0's test driver). External ones keep their <disks> as given: libvirt would make
 * up overlay file names for the disks they leave out, which virtkit does not guess.
 * On failure @def may be partly filled; the caller drops it.
 *
 * Returns: true, or false with @error set.
 */
bool snapshot_def_fill_redefined(SnapshotDef *def, SnapshotDomainFill fill, void *opaque,
                                 GError **error)
{
    if (!snapshot_fill_domain(def, def->dom, "domain", fill, opaque, error) ||
        !snapshot_fill_domain(def, def->inactive_dom, "inactiveDomain", fill, opaque, error))
        return false;
    if (!def->dom || def->state == SNAPSHOT_STATE_DISK_SNAPSHOT || snapshot_def_is_external(def))
        return true;
    return snapshot_def_align_disks(def, def->dom, SNAPSHOT_LOCATION_INTERNAL, error);
}

/**
 * snapshot_def_parse_full - parse, apply defaults with @now, and validate
 * @xml: the document
 * @flags: SnapshotParseFlags
 * @now: seconds since the epoch, for the default creation time and name
 * @error: the first problem found
 *
 * Returns: the definition, or NULL with @error set.
 */
SnapshotDef *snapshot_def_parse_full(const char *xml, SnapshotParseFlags flags, int64_t now,
                                     GError **error)
{
    g_autoptr(SnapshotDef) def = snapshot_def_parse_string(xml, flags, error);

    if (!def)
        return NULL;
    if (!snapshot_def_post_parse(def, now, error))
        return NULL;
    /* a redefinition without <memory> says by its state where the memory went, as
     * libvirt fills it in: nothing for a shut-off or disk-only one, internal otherwise */
    if ((flags & SNAPSHOT_PARSE_REDEFINE) && def->memory == SNAPSHOT_LOCATION_DEFAULT &&
        !def->memory_file)
        def->memory =
            def->state == SNAPSHOT_STATE_SHUTOFF || def->state == SNAPSHOT_STATE_DISK_SNAPSHOT
                ? SNAPSHOT_LOCATION_NO
                : SNAPSHOT_LOCATION_INTERNAL;
    if (!snapshot_def_validate(def, error))
        return NULL;
    return g_steal_pointer(&def);
}

static const DomainDiskDef *snapshot_find_domain_disk(const DomainDef *dom, const char *name)
{
    for (guint i = 0; i < dom->disks->len; i++) {
        const DomainDiskDef *disk = dom->disks->pdata[i];

        if (g_strcmp0(disk->target_dev, name) == 0)
            return disk;
    }
    /* libvirt also accepts the disk's source path as its name */
    for (guint i = 0; i < dom->disks->len; i++) {
        const DomainDiskDef *disk = dom->disks->pdata[i];

        if (name[0] == '/' && g_strcmp0(disk->source, name) == 0)
            return disk;
    }
    return NULL;
}

static void snapshot_disk_free_void(gpointer disk)
{
    snapshot_disk_def_free(disk);
}

static SnapshotDiskDef *snapshot_take_disk(GPtrArray *disks, const char *target)
{
    for (guint i = 0; i < disks->len; i++) {
        SnapshotDiskDef *disk = disks->pdata[i];

        if (g_strcmp0(disk->name, target) == 0)
            return g_ptr_array_steal_index(disks, i);
    }
    return NULL;
}

/* Rename every listed disk to its domain target, refusing names the domain lacks. */
static bool snapshot_name_disks_by_target(SnapshotDef *def, const DomainDef *dom, GError **error)
{
    for (guint i = 0; i < def->disks->len; i++) {
        SnapshotDiskDef *disk = def->disks->pdata[i];
        const DomainDiskDef *ddisk = snapshot_find_domain_disk(dom, disk->name);

        if (!ddisk || !ddisk->target_dev) {
            g_set_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_XML_ERROR,
                        "snapshot '%s' lists disk '%s', which domain '%s' does not have", def->name,
                        disk->name, dom->name);
            return false;
        }
        g_free(disk->name);
        disk->name = g_strdup(ddisk->target_dev);
    }
    return snapshot_validate_disks(def, error);
}

/**
 * snapshot_def_align_disks - one entry per domain disk, in the domain's order
 * @def: the definition; its disks are renamed to targets, reordered and completed
 * @dom: the domain whose disks are captured
 * @default_location: the location of disks the XML did not mention or left at default
 *                    (INTERNAL for a full snapshot, EXTERNAL for disk-only)
 * @error: a listed disk the domain lacks, or a disk listed twice
 *
 * Disks without a source, and read-only ones, are not captured (snapshot='no').
 *
 * Returns: true on success; on failure @def's disks may have been renamed only.
 */
bool snapshot_def_align_disks(SnapshotDef *def, const DomainDef *dom,
                              SnapshotLocation default_location, GError **error)
{
    g_autoptr(GPtrArray) aligned = NULL;

    if (!snapshot_name_disks_by_target(def, dom, error))
        return false;
    aligned = g_ptr_array_new_with_free_func(snapshot_disk_free_void);
    for (guint i = 0; i < dom->disks->len; i++) {
        const DomainDiskDef *ddisk = dom->disks->pdata[i];
        SnapshotDiskDef *disk = snapshot_take_disk(def->disks, ddisk->target_dev);

        if (!disk) {
            disk = snapshot_disk_def_new();
            disk->name = g_strdup(ddisk->target_dev);
        }
        if (disk->snapshot == SNAPSHOT_LOCATION_DEFAULT)
            disk->snapshot =
                (!ddisk->source || ddisk->readonly) ? SNAPSHOT_LOCATION_NO : default_location;
        g_ptr_array_add(aligned, disk);
    }
    /* anything left over was a duplicate, refused above */
    g_ptr_array_unref(def->disks);
    def->disks = g_steal_pointer(&aligned);
    return true;
}
