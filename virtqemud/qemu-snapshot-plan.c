/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * What a snapshot request means for a QEMU domain, pure: defaults aligned as libvirt
 * aligns them (a running guest's snapshot saves its memory internally, a disk-only one
 * is external), the refusals (raw disks cannot hold internal snapshots, internal and
 * external cannot be mixed), external overlay names, and the commands that do the work.
 */

#include <string.h>

#include "qemu-snapshot.h"
#include "util/error.h"

static void qemu_snapshot_disk_free(gpointer data)
{
    QemuSnapshotDisk *disk = data;

    g_free(disk->target);
    g_free(disk->source);
    g_free(disk->format);
    g_free(disk->node);
    g_free(disk->overlay);
    g_free(disk->overlay_storage_node);
    g_free(disk->overlay_format_node);
    g_free(disk);
}

QemuSnapshotPlan *qemu_snapshot_plan_free(QemuSnapshotPlan *plan)
{
    if (!plan)
        return NULL;
    g_free(plan->vmstate_node);
    if (plan->disks)
        g_ptr_array_unref(plan->disks);
    g_free(plan);
    return NULL;
}

/**
 * qemu_snapshot_disk_node: the format node of disk @index of @dom, named as
 * qemu-command names it (libvirt numbers from the last disk, the first gets the highest).
 */
char *qemu_snapshot_disk_node(const DomainDef *dom, guint index)
{
    return g_strdup_printf("libvirt-%u-format", dom->disks->len - index);
}

/**
 * qemu_snapshot_overlay_name: libvirt's default external file: the source with its
 * suffix replaced by the snapshot name ("/i/a.qcow2" → "/i/a.s1"), or the name appended
 * when the file has no suffix ("/i/a" → "/i/a.s1").
 */
char *qemu_snapshot_overlay_name(const char *source, const char *snapshot)
{
    const char *dot = strrchr(source, '.');

    if (dot && !strchr(dot, '/') && dot > source && dot[-1] != '/')
        return g_strdup_printf("%.*s.%s", (int)(dot - source), source, snapshot);
    return g_strdup_printf("%s.%s", source, snapshot);
}

static bool qemu_snapshot_unsupported(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static bool qemu_snapshot_unsupported(GError **error, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(error, VIRT_QEMU_ERROR, VIRT_ERR_CONFIG_UNSUPPORTED, msg);
    return false;
}

/* The flags this driver refuses, with why. */
static bool qemu_snapshot_check_flags(const SnapshotDef *def, unsigned int flags, GError **error)
{
    if (flags & QEMU_SNAPSHOT_CREATE_QUIESCE)
        return qemu_snapshot_unsupported(error,
                                         "snapshot '%s': quiescing needs a guest agent, which "
                                         "this driver does not implement",
                                         def->name);
    if (flags & QEMU_SNAPSHOT_CREATE_REUSE_EXT)
        return qemu_snapshot_unsupported(error,
                                         "snapshot '%s': reusing existing external files is not "
                                         "implemented; let the driver create the overlays",
                                         def->name);
    if (flags & QEMU_SNAPSHOT_CREATE_LIVE)
        return qemu_snapshot_unsupported(error,
                                         "snapshot '%s': live snapshots need external memory, "
                                         "which this driver does not implement",
                                         def->name);
    return true;
}

/* State and memory as libvirt sets them for a new snapshot. */
static bool qemu_snapshot_align_memory(SnapshotDef *def, const DomainDef *dom, bool active,
                                       bool paused, unsigned int flags, GError **error)
{
    if (flags & QEMU_SNAPSHOT_CREATE_DISK_ONLY) {
        if (def->memory != SNAPSHOT_LOCATION_DEFAULT && def->memory != SNAPSHOT_LOCATION_NO)
            return qemu_snapshot_unsupported(error,
                                             "disk-only snapshot '%s' cannot save memory "
                                             "(<memory snapshot='%s'>)",
                                             def->name, snapshot_location_to_string(def->memory));
        def->state = SNAPSHOT_STATE_DISK_SNAPSHOT;
        def->memory = SNAPSHOT_LOCATION_NO;
        return true;
    }
    def->state = !active  ? SNAPSHOT_STATE_SHUTOFF
                 : paused ? SNAPSHOT_STATE_PAUSED
                          : SNAPSHOT_STATE_RUNNING;
    if (def->memory == SNAPSHOT_LOCATION_DEFAULT)
        def->memory = active ? SNAPSHOT_LOCATION_INTERNAL : SNAPSHOT_LOCATION_NO;
    if (def->memory == SNAPSHOT_LOCATION_EXTERNAL || def->memory == SNAPSHOT_LOCATION_MANUAL)
        return qemu_snapshot_unsupported(error,
                                         "snapshot '%s': memory snapshot='%s' is not "
                                         "implemented; use an internal snapshot or a "
                                         "disk-only one",
                                         def->name, snapshot_location_to_string(def->memory));
    if (active && def->memory == SNAPSHOT_LOCATION_NO)
        return qemu_snapshot_unsupported(error,
                                         "internal snapshot '%s' of running domain '%s' must "
                                         "include the memory state; use --disk-only for disks "
                                         "alone",
                                         def->name, dom->name);
    if (!active && def->memory == SNAPSHOT_LOCATION_INTERNAL)
        return qemu_snapshot_unsupported(error,
                                         "snapshot '%s': domain '%s' is not running, it has no "
                                         "memory state to save",
                                         def->name, dom->name);
    return snapshot_def_validate(def, error);
}

static QemuSnapshotDisk *qemu_snapshot_disk_new(const DomainDef *dom, guint i,
                                                const SnapshotDiskDef *sdisk)
{
    const DomainDiskDef *ddisk = dom->disks->pdata[i];
    QemuSnapshotDisk *disk = g_new0(QemuSnapshotDisk, 1);

    disk->target = g_strdup(ddisk->target_dev);
    disk->location = sdisk->snapshot;
    disk->source = g_strdup(ddisk->source);
    disk->format = g_strdup(ddisk->driver_type ? ddisk->driver_type : "raw");
    disk->node = qemu_snapshot_disk_node(dom, i);
    return disk;
}

/* Internal: every captured disk must be a qcow2 image. */
static bool qemu_snapshot_check_internal(const DomainDef *dom, const QemuSnapshotDisk *disk,
                                         GError **error)
{
    if (!g_str_equal(disk->format, "qcow2"))
        return qemu_snapshot_unsupported(error,
                                         "internal snapshot of disk '%s' of domain '%s' needs a "
                                         "qcow2 image, its format is '%s'; use an external "
                                         "(--disk-only) snapshot or exclude the disk",
                                         disk->target, dom->name, disk->format);
    return true;
}

/* External: the overlay file (given or libvirt's default), always qcow2. */
static bool qemu_snapshot_prepare_external(const SnapshotDef *def, const DomainDef *dom,
                                           const DomainDiskDef *ddisk, SnapshotDiskDef *sdisk,
                                           QemuSnapshotDisk *disk, GError **error)
{
    if (ddisk->type != DOMAIN_DISK_TYPE_FILE)
        return qemu_snapshot_unsupported(error,
                                         "external snapshot of disk '%s' of domain '%s': only "
                                         "file disks are implemented, not '%s'",
                                         disk->target, dom->name,
                                         domain_disk_type_to_string(ddisk->type));
    if (sdisk->driver_type && !g_str_equal(sdisk->driver_type, "qcow2"))
        return qemu_snapshot_unsupported(error,
                                         "external snapshot of disk '%s': overlay format '%s' "
                                         "is not implemented, only qcow2",
                                         disk->target, sdisk->driver_type);
    if (sdisk->type && !g_str_equal(sdisk->type, "file"))
        return qemu_snapshot_unsupported(error,
                                         "external snapshot of disk '%s': overlay type '%s' is "
                                         "not implemented, only file",
                                         disk->target, sdisk->type);
    if (!sdisk->source)
        sdisk->source = qemu_snapshot_overlay_name(ddisk->source, def->name);
    if (sdisk->source[0] != '/')
        return qemu_snapshot_unsupported(error,
                                         "external snapshot of disk '%s': overlay '%s' is not "
                                         "an absolute path",
                                         disk->target, sdisk->source);
    g_free(sdisk->driver_type);
    sdisk->driver_type = g_strdup("qcow2");
    g_free(sdisk->type);
    sdisk->type = g_strdup("file");
    disk->overlay = g_strdup(sdisk->source);
    return true;
}

/* Two disks cannot share an overlay, nor can an overlay be another disk's image. */
static bool qemu_snapshot_check_overlays(const DomainDef *dom, const QemuSnapshotPlan *plan,
                                         GError **error)
{
    for (guint i = 0; i < plan->disks->len; i++) {
        const QemuSnapshotDisk *a = plan->disks->pdata[i];

        for (guint j = 0; a->overlay && j < dom->disks->len; j++) {
            const DomainDiskDef *d = dom->disks->pdata[j];

            if (g_strcmp0(d->source, a->overlay) == 0)
                return qemu_snapshot_unsupported(error,
                                                 "external snapshot of disk '%s': overlay '%s' "
                                                 "is the image of disk '%s'",
                                                 a->target, a->overlay, d->target_dev);
        }
        for (guint j = i + 1; a->overlay && j < plan->disks->len; j++) {
            const QemuSnapshotDisk *b = plan->disks->pdata[j];

            if (g_strcmp0(a->overlay, b->overlay) == 0)
                return qemu_snapshot_unsupported(error,
                                                 "disks '%s' and '%s' would both use overlay "
                                                 "'%s'; give them distinct <source file=...>",
                                                 a->target, b->target, a->overlay);
        }
    }
    return true;
}

static bool qemu_snapshot_plan_disks(SnapshotDef *def, const DomainDef *dom, QemuSnapshotPlan *plan,
                                     GError **error)
{
    bool any_internal = false;

    for (guint i = 0; i < def->disks->len; i++) {
        SnapshotDiskDef *sdisk = def->disks->pdata[i];
        const DomainDiskDef *ddisk = dom->disks->pdata[i];
        QemuSnapshotDisk *disk;

        if (sdisk->snapshot == SNAPSHOT_LOCATION_NO)
            continue;
        if (sdisk->snapshot == SNAPSHOT_LOCATION_MANUAL)
            return qemu_snapshot_unsupported(error,
                                             "disk '%s': snapshot='manual' is not "
                                             "implemented",
                                             sdisk->name);
        disk = qemu_snapshot_disk_new(dom, i, sdisk);
        g_ptr_array_add(plan->disks, disk);
        if (sdisk->snapshot == SNAPSHOT_LOCATION_INTERNAL) {
            any_internal = true;
            if (!qemu_snapshot_check_internal(dom, disk, error))
                return false;
        } else {
            plan->external = true;
            if (!qemu_snapshot_prepare_external(def, dom, ddisk, sdisk, disk, error))
                return false;
        }
    }
    if (any_internal && plan->external)
        return qemu_snapshot_unsupported(error,
                                         "snapshot '%s' mixes internal and external disks, which "
                                         "is not supported",
                                         def->name);
    return qemu_snapshot_check_overlays(dom, plan, error);
}

/**
 * qemu_snapshot_prepare - align a new snapshot with its domain and plan the work
 * @def: the parsed definition; state, memory and disks are filled in
 * @dom: the domain's current (live when active) definition
 * @active: the guest runs; @paused: it is paused
 * @flags: virDomainSnapshotCreateFlags
 * @ret_plan: what to do per disk
 * @error: VIRT_ERR_CONFIG_UNSUPPORTED naming the snapshot, disk and domain
 *
 * As libvirt: DISK_ONLY makes an external disk-only snapshot (state disk-snapshot);
 * otherwise a running guest's snapshot saves its memory internally and its disks
 * internally; a shut-off guest's captures its disks internally.
 *
 * Returns: true with *ret_plan set.
 */
bool qemu_snapshot_prepare(SnapshotDef *def, const DomainDef *dom, bool active, bool paused,
                           unsigned int flags, QemuSnapshotPlan **ret_plan, GError **error)
{
    g_autoptr(QemuSnapshotPlan) plan = g_new0(QemuSnapshotPlan, 1);
    bool disk_only = flags & QEMU_SNAPSHOT_CREATE_DISK_ONLY;

    plan->disks = g_ptr_array_new_with_free_func(qemu_snapshot_disk_free);
    if (!qemu_snapshot_check_flags(def, flags, error) ||
        !qemu_snapshot_align_memory(def, dom, active, paused, flags, error) ||
        !snapshot_def_align_disks(
            def, dom, disk_only ? SNAPSHOT_LOCATION_EXTERNAL : SNAPSHOT_LOCATION_INTERNAL, error) ||
        !qemu_snapshot_plan_disks(def, dom, plan, error))
        return false;
    if (disk_only && (!plan->external || plan->disks->len == 0))
        return qemu_snapshot_unsupported(error,
                                         "disk-only snapshot '%s' of domain '%s' needs at least "
                                         "one disk with snapshot='external'",
                                         def->name, dom->name);
    if (!disk_only && plan->external)
        return qemu_snapshot_unsupported(error,
                                         "snapshot '%s': external disk snapshots are only "
                                         "implemented as disk-only snapshots (--disk-only)",
                                         def->name);
    plan->with_memory = def->memory == SNAPSHOT_LOCATION_INTERNAL;
    if (plan->with_memory) {
        if (plan->disks->len == 0)
            return qemu_snapshot_unsupported(error,
                                             "snapshot '%s' of running domain '%s' needs a "
                                             "qcow2 disk to hold its memory state",
                                             def->name, dom->name);
        plan->vmstate_node = g_strdup(((QemuSnapshotDisk *)plan->disks->pdata[0])->node);
    }
    *ret_plan = g_steal_pointer(&plan);
    return true;
}

/**
 * qemu_snapshot_plan_devices: the format nodes of an internal snapshot's disks, for the
 * "devices" of snapshot-save/-load/-delete.
 */
GStrv qemu_snapshot_plan_devices(const QemuSnapshotPlan *plan)
{
    GStrv devices = g_new0(char *, plan->disks->len + 1);

    for (guint i = 0; i < plan->disks->len; i++)
        devices[i] = g_strdup(((QemuSnapshotDisk *)plan->disks->pdata[i])->node);
    return devices;
}

/* ---- qemu-img ---- */

/**
 * qemu_snapshot_img_snapshot: `qemu-img snapshot -q -c|-a|-d TAG --image-opts
 * driver=qcow2,file.filename=IMAGE`: qemu-img snapshot takes no -f, and the image
 * options name the format so qemu-img never probes it (commas in the path doubled).
 */
Command *qemu_snapshot_img_snapshot(const char *qemu_img, char op, const char *tag,
                                    const char *image)
{
    Command *cmd = command_new(qemu_img);
    char opt[3] = { '-', op, '\0' };
    g_auto(GStrv) parts = g_strsplit(image, ",", -1);
    g_autofree char *escaped = g_strjoinv(",,", parts);

    command_add_args(cmd, "snapshot", "-q", opt, tag, "--image-opts", NULL);
    command_add_argf(cmd, "driver=qcow2,file.driver=file,file.filename=%s", escaped);
    return cmd;
}

/**
 * qemu_snapshot_img_create_overlay: `qemu-img create -f qcow2 -F FMT -b BACKING OVERLAY`;
 * with @size (a running guest holds the backing image locked) `-u` and the size.
 */
Command *qemu_snapshot_img_create_overlay(const char *qemu_img, const char *overlay,
                                          const char *backing, const char *backing_format,
                                          uint64_t size)
{
    Command *cmd = command_new(qemu_img);

    command_add_args(cmd, "create", "-q", "-f", "qcow2", "-F", backing_format, "-b", backing, NULL);
    if (size)
        command_add_arg(cmd, "-u");
    command_add_arg(cmd, overlay);
    if (size)
        command_add_argf(cmd, "%" G_GUINT64_FORMAT, size);
    return cmd;
}

/**
 * qemu_snapshot_img_commit: `qemu-img commit -q -f qcow2 -d IMAGE`: write the overlay's
 * data into its backing file; -d keeps the overlay as it is, so until the config no
 * longer names it the guest's view is unchanged.
 */
Command *qemu_snapshot_img_commit(const char *qemu_img, const char *image)
{
    Command *cmd = command_new(qemu_img);

    command_add_args(cmd, "commit", "-q", "-f", "qcow2", "-d", image, NULL);
    return cmd;
}

/* ---- QMP ---- */

static void qemu_snapshot_free_command(gpointer cmd)
{
    qemu_monitor_command_free(cmd);
}

/**
 * qemu_snapshot_live_external_commands: blockdev-add of the overlay's file node, of its
 * qcow2 node (backing null: blockdev-snapshot links the chain), then blockdev-snapshot.
 */
GPtrArray *qemu_snapshot_live_external_commands(const QemuSnapshotDisk *disk)
{
    GPtrArray *cmds = g_ptr_array_new_with_free_func(qemu_snapshot_free_command);

    g_ptr_array_add(cmds,
                    qemu_monitor_cmd_blockdev_add_file(disk->overlay_storage_node, disk->overlay));
    g_ptr_array_add(cmds, qemu_monitor_cmd_blockdev_add_overlay(disk->overlay_format_node, "qcow2",
                                                                disk->overlay_storage_node));
    g_ptr_array_add(cmds,
                    qemu_monitor_cmd_blockdev_snapshot(disk->node, disk->overlay_format_node));
    return cmds;
}

/**
 * qemu_snapshot_job_outcome - the state of job @job_id in a query-jobs reply
 * @query_jobs_reply: a successful reply to query-jobs
 * @job_id: the job
 * @ret_done: whether it concluded
 * @error: QEMU's own error when the job concluded with one, or the job is missing
 *
 * A failed snapshot job concludes like a successful one; its error is only here.
 *
 * Returns: false with @error when the job failed or is unknown.
 */
bool qemu_snapshot_job_outcome(const QemuMonitorMessage *query_jobs_reply, const char *job_id,
                               bool *ret_done, GError **error)
{
    g_autoptr(GPtrArray) jobs = qemu_monitor_parse_jobs(query_jobs_reply, error);

    if (!jobs)
        return false;
    for (guint i = 0; i < jobs->len; i++) {
        const QemuMonitorJob *job = jobs->pdata[i];

        if (!g_str_equal(job->id, job_id))
            continue;
        if (g_strcmp0(job->status, "concluded") != 0 && g_strcmp0(job->status, "null") != 0) {
            *ret_done = false;
            return true;
        }
        if (job->error) {
            g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                        "QEMU job '%s' (%s) failed: %s", job_id, job->type ? job->type : "?",
                        job->error);
            return false;
        }
        *ret_done = true;
        return true;
    }
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                "QEMU does not know job '%s' (query-jobs)", job_id);
    return false;
}

static JsonArray *qemu_snapshot_reply_array(const QemuMonitorMessage *reply, const char *what,
                                            GError **error)
{
    if (reply->type != QEMU_MONITOR_MESSAGE_RETURN || !reply->value ||
        !JSON_NODE_HOLDS_ARRAY(reply->value)) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "unexpected reply to %s: not a list", what);
        return NULL;
    }
    return json_node_get_array(reply->value);
}

static const char *qemu_snapshot_obj_string(JsonObject *obj, const char *member)
{
    JsonNode *node = obj ? json_object_get_member(obj, member) : NULL;

    return node && JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_STRING
               ? json_node_get_string(node)
               : NULL;
}

static JsonObject *qemu_snapshot_obj_object(JsonObject *obj, const char *member)
{
    JsonNode *node = obj ? json_object_get_member(obj, member) : NULL;

    return node && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
}

/**
 * qemu_snapshot_parse_node_size: the virtual size of node @node in a reply to
 * query-named-block-nodes, for the size of an overlay created with -u.
 */
bool qemu_snapshot_parse_node_size(const QemuMonitorMessage *reply, const char *node,
                                   uint64_t *ret_size, GError **error)
{
    JsonArray *array = qemu_snapshot_reply_array(reply, "query-named-block-nodes", error);

    for (guint i = 0; array && i < json_array_get_length(array); i++) {
        JsonObject *obj = json_array_get_object_element(array, i);
        JsonObject *image = qemu_snapshot_obj_object(obj, "image");
        JsonNode *size = image ? json_object_get_member(image, "virtual-size") : NULL;

        if (g_strcmp0(qemu_snapshot_obj_string(obj, "node-name"), node) != 0)
            continue;
        if (!size || !JSON_NODE_HOLDS_VALUE(size) || json_node_get_int(size) <= 0)
            break;
        *ret_size = (uint64_t)json_node_get_int(size);
        return true;
    }
    if (array)
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "QEMU reports no size for block node '%s'", node);
    return false;
}

/**
 * qemu_snapshot_parse_top_node: the node of the device whose top image is @filename in
 * a reply to query-block.
 */
char *qemu_snapshot_parse_top_node(const QemuMonitorMessage *reply, const char *filename,
                                   GError **error)
{
    JsonArray *array = qemu_snapshot_reply_array(reply, "query-block", error);

    for (guint i = 0; array && i < json_array_get_length(array); i++) {
        JsonObject *inserted =
            qemu_snapshot_obj_object(json_array_get_object_element(array, i), "inserted");
        const char *node = qemu_snapshot_obj_string(inserted, "node-name");

        if (node && g_strcmp0(qemu_snapshot_obj_string(inserted, "file"), filename) == 0)
            return g_strdup(node);
    }
    if (array)
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "QEMU has no disk with image '%s' (query-block)", filename);
    return NULL;
}

/**
 * qemu_snapshot_parse_file_node: in a reply to query-named-block-nodes, the node that
 * opens @filename: its protocol node ("file" driver) when @storage, else its format
 * node.
 */
char *qemu_snapshot_parse_file_node(const QemuMonitorMessage *reply, const char *filename,
                                    bool storage, GError **error)
{
    JsonArray *array = qemu_snapshot_reply_array(reply, "query-named-block-nodes", error);

    for (guint i = 0; array && i < json_array_get_length(array); i++) {
        JsonObject *obj = json_array_get_object_element(array, i);
        const char *node = qemu_snapshot_obj_string(obj, "node-name");

        if (node && g_strcmp0(qemu_snapshot_obj_string(obj, "file"), filename) == 0 &&
            (g_strcmp0(qemu_snapshot_obj_string(obj, "drv"), "file") == 0) == storage)
            return g_strdup(node);
    }
    if (array)
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "QEMU has no %s node for '%s' (query-named-block-nodes)",
                    storage ? "protocol" : "format", filename);
    return NULL;
}

/**
 * qemu_snapshot_apply_external: @dom with every external disk of @plan switched to its
 * overlay (qcow2; the old image is the overlay's backing file, recorded in its header).
 */
DomainDef *qemu_snapshot_apply_external(const DomainDef *dom, const QemuSnapshotPlan *plan)
{
    DomainDef *copy = domain_def_copy(dom);

    for (guint i = 0; i < plan->disks->len; i++) {
        const QemuSnapshotDisk *sdisk = plan->disks->pdata[i];

        for (guint j = 0; sdisk->overlay && j < copy->disks->len; j++) {
            DomainDiskDef *disk = copy->disks->pdata[j];

            if (g_strcmp0(disk->target_dev, sdisk->target) != 0)
                continue;
            g_free(disk->source);
            disk->source = g_strdup(sdisk->overlay);
            g_free(disk->driver_type);
            disk->driver_type = g_strdup("qcow2");
        }
    }
    return copy;
}

/**
 * qemu_snapshot_parse_next_node_index: one more than the highest N of the
 * libvirt-N-storage/-format nodes in a reply to query-named-block-nodes.
 */
bool qemu_snapshot_parse_next_node_index(const QemuMonitorMessage *reply, unsigned *ret_index,
                                         GError **error)
{
    JsonArray *array = qemu_snapshot_reply_array(reply, "query-named-block-nodes", error);
    unsigned next = 1;

    if (!array)
        return false;
    for (guint i = 0; i < json_array_get_length(array); i++) {
        const char *name =
            qemu_snapshot_obj_string(json_array_get_object_element(array, i), "node-name");
        guint64 n;
        g_autofree char *digits = NULL;
        const char *dash;

        if (!name || !g_str_has_prefix(name, "libvirt-") || !(dash = strchr(name + 8, '-')))
            continue;
        digits = g_strndup(name + 8, dash - (name + 8));
        if (g_ascii_string_to_unsigned(digits, 10, 1, 1000000, &n, NULL) && n >= next)
            next = (unsigned)n + 1;
    }
    *ret_index = next;
    return true;
}

/**
 * qemu_snapshot_plan_name_nodes: node names of the overlays of a live external
 * snapshot, libvirt-N-storage and libvirt-N-format with N from @first_index.
 */
void qemu_snapshot_plan_name_nodes(QemuSnapshotPlan *plan, unsigned first_index)
{
    for (guint i = 0; i < plan->disks->len; i++) {
        QemuSnapshotDisk *disk = plan->disks->pdata[i];

        g_free(disk->overlay_storage_node);
        g_free(disk->overlay_format_node);
        disk->overlay_storage_node = g_strdup_printf("libvirt-%u-storage", first_index + i);
        disk->overlay_format_node = g_strdup_printf("libvirt-%u-format", first_index + i);
    }
}

/**
 * qemu_snapshot_job_id: the job id of an internal snapshot operation ("save", "load",
 * "delete"); jobs are dismissed when they end, so one id per kind is enough.
 */
char *qemu_snapshot_job_id(const char *op)
{
    return g_strdup_printf("virtkit-snapshot-%s", op);
}

/**
 * qemu_snapshot_cmd_internal: the snapshot-save/-load/-delete job of @plan's disks for
 * the snapshot @tag (the VM state goes to or comes from plan->vmstate_node).
 */
QemuMonitorCommand *qemu_snapshot_cmd_internal(const QemuSnapshotPlan *plan, const char *op,
                                               const char *tag)
{
    g_autofree char *job = qemu_snapshot_job_id(op);
    g_auto(GStrv) devices = qemu_snapshot_plan_devices(plan);
    const char *const *devs = (const char *const *)devices;

    if (g_str_equal(op, "save"))
        return qemu_monitor_cmd_snapshot_save(job, tag, plan->vmstate_node, devs);
    if (g_str_equal(op, "load"))
        return qemu_monitor_cmd_snapshot_load(job, tag, plan->vmstate_node, devs);
    return qemu_monitor_cmd_snapshot_delete(job, tag, devs);
}

/**
 * qemu_snapshot_cmd_transaction: one transaction of the blockdev-snapshot of every
 * disk of @plan, so a live external snapshot switches all disks or none.
 */
QemuMonitorCommand *qemu_snapshot_cmd_transaction(const QemuSnapshotPlan *plan)
{
    QemuMonitorCommand *cmd = qemu_monitor_command_new("transaction");
    JsonArray *actions = json_array_new();

    for (guint i = 0; i < plan->disks->len; i++) {
        const QemuSnapshotDisk *disk = plan->disks->pdata[i];
        JsonObject *action = json_object_new();
        JsonObject *data = json_object_new();

        json_object_set_string_member(data, "node", disk->node);
        json_object_set_string_member(data, "overlay", disk->overlay_format_node);
        json_object_set_string_member(action, "type", "blockdev-snapshot");
        json_object_set_object_member(action, "data", data);
        json_array_add_object_element(actions, action);
    }
    cmd->args = json_object_new();
    json_object_set_array_member(cmd->args, "actions", actions);
    return cmd;
}

QemuMonitorCommand *qemu_snapshot_cmd_blockdev_del(const char *node)
{
    QemuMonitorCommand *cmd = qemu_monitor_command_new("blockdev-del");

    cmd->args = json_object_new();
    json_object_set_string_member(cmd->args, "node-name", node);
    return cmd;
}

/**
 * qemu_snapshot_plan_for_existing: the plan of the existing internal snapshot @def for
 * the domain config @dom (a revert or delete): its internal disks that @dom still has,
 * with @dom's images and node names; the VM state on the first of them.
 */
QemuSnapshotPlan *qemu_snapshot_plan_for_existing(const SnapshotDef *def, const DomainDef *dom)
{
    QemuSnapshotPlan *plan = g_new0(QemuSnapshotPlan, 1);

    plan->disks = g_ptr_array_new_with_free_func(qemu_snapshot_disk_free);
    for (guint i = 0; i < def->disks->len; i++) {
        const SnapshotDiskDef *sdisk = def->disks->pdata[i];

        for (guint j = 0; sdisk->snapshot == SNAPSHOT_LOCATION_INTERNAL && j < dom->disks->len;
             j++) {
            const DomainDiskDef *ddisk = dom->disks->pdata[j];

            if (g_strcmp0(ddisk->target_dev, sdisk->name) == 0 && ddisk->source)
                g_ptr_array_add(plan->disks, qemu_snapshot_disk_new(dom, j, sdisk));
        }
    }
    plan->with_memory = def->memory == SNAPSHOT_LOCATION_INTERNAL;
    if (plan->with_memory && plan->disks->len)
        plan->vmstate_node = g_strdup(((QemuSnapshotDisk *)plan->disks->pdata[0])->node);
    return plan;
}
