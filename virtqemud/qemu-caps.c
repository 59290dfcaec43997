/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * QEMU capabilities from probe replies (pure), lookups, and the JSON form kept in the
 * per-binary cache. A cache file that does not parse, or names a flag this build does
 * not know, is rejected so the caller probes again.
 */

#include <string.h>

#include "qemu-caps.h"
#include "util/error.h"

ENUM_TABLE_DEFINE(
    qemu_caps_flag, QemuCapsFlag, _QEMU_CAPS_MAX, [QEMU_CAPS_ACCEL_TCG] = "accel.tcg",
    [QEMU_CAPS_ACCEL_KVM] = "accel.kvm", [QEMU_CAPS_SNAPSHOT_JOBS] = "snapshot-jobs",
    [QEMU_CAPS_BLOCKDEV_SNAPSHOT] = "blockdev-snapshot", [QEMU_CAPS_SET_ACTION] = "set-action",
    [QEMU_CAPS_DEVICE_JSON] = "device-json", [QEMU_CAPS_BLOCKDEV_QCOW2] = "blockdev.qcow2",
    [QEMU_CAPS_BLOCKDEV_RAW] = "blockdev.raw",
    [QEMU_CAPS_BLOCKDEV_HOST_DEVICE] = "blockdev.host_device", [QEMU_CAPS_VNC] = "vnc",
    [QEMU_CAPS_SPICE] = "spice", [QEMU_CAPS_QUERY_JOBS] = "query-jobs",
    [QEMU_CAPS_DEVICE_VIRTIO_BLK_PCI] = "device.virtio-blk-pci",
    [QEMU_CAPS_DEVICE_VIRTIO_SCSI_PCI] = "device.virtio-scsi-pci",
    [QEMU_CAPS_DEVICE_SCSI_HD] = "device.scsi-hd", [QEMU_CAPS_DEVICE_SCSI_CD] = "device.scsi-cd",
    [QEMU_CAPS_DEVICE_IDE_HD] = "device.ide-hd", [QEMU_CAPS_DEVICE_IDE_CD] = "device.ide-cd",
    [QEMU_CAPS_DEVICE_ICH9_AHCI] = "device.ich9-ahci",
    [QEMU_CAPS_DEVICE_PIIX3_USB_UHCI] = "device.piix3-usb-uhci",
    [QEMU_CAPS_DEVICE_QEMU_XHCI] = "device.qemu-xhci",
    [QEMU_CAPS_DEVICE_USB_EHCI] = "device.usb-ehci",
    [QEMU_CAPS_DEVICE_VIRTIO_NET_PCI] = "device.virtio-net-pci",
    [QEMU_CAPS_DEVICE_E1000] = "device.e1000", [QEMU_CAPS_DEVICE_RTL8139] = "device.rtl8139",
    [QEMU_CAPS_DEVICE_ISA_SERIAL] = "device.isa-serial", [QEMU_CAPS_DEVICE_VGA] = "device.VGA",
    [QEMU_CAPS_DEVICE_CIRRUS_VGA] = "device.cirrus-vga",
    [QEMU_CAPS_DEVICE_VIRTIO_VGA] = "device.virtio-vga",
    [QEMU_CAPS_DEVICE_QXL_VGA] = "device.qxl-vga",
    [QEMU_CAPS_DEVICE_USB_TABLET] = "device.usb-tablet",
    [QEMU_CAPS_DEVICE_USB_MOUSE] = "device.usb-mouse",
    [QEMU_CAPS_DEVICE_USB_KBD] = "device.usb-kbd",
    [QEMU_CAPS_DEVICE_VIRTIO_BALLOON_PCI] = "device.virtio-balloon-pci",
    [QEMU_CAPS_DEVICE_VIRTIO_RNG_PCI] = "device.virtio-rng-pci",
    [QEMU_CAPS_DEVICE_VIRTIO_SERIAL_PCI] = "device.virtio-serial-pci",
    [QEMU_CAPS_DEVICE_VIRTCONSOLE] = "device.virtconsole");

/* A cache file is only ever a few hundred KiB; anything far larger is not ours. */
#define QEMU_CAPS_MAX_LIST 4096

static void qemu_caps_machine_free_notify(void *p)
{
    qemu_monitor_machine_free(p);
}

static void qemu_caps_cpu_model_free_notify(void *p)
{
    qemu_monitor_cpu_model_free(p);
}

QemuCaps *qemu_caps_new(void)
{
    QemuCaps *caps = g_new0(QemuCaps, 1);

    caps->machines = g_ptr_array_new_with_free_func(qemu_caps_machine_free_notify);
    caps->cpu_models = g_ptr_array_new_with_free_func(qemu_caps_cpu_model_free_notify);
    caps->cpu_models_kvm = g_ptr_array_new_with_free_func(qemu_caps_cpu_model_free_notify);
    return caps;
}

QemuCaps *qemu_caps_free(QemuCaps *caps)
{
    if (!caps)
        return NULL;
    g_free(caps->binary);
    g_free(caps->arch);
    g_free(caps->package);
    g_ptr_array_unref(caps->machines);
    g_ptr_array_unref(caps->cpu_models);
    g_ptr_array_unref(caps->cpu_models_kvm);
    g_free(caps->probed_by);
    g_free(caps);
    return NULL;
}

bool qemu_caps_has(const QemuCaps *caps, QemuCapsFlag flag)
{
    g_assert(flag >= 0 && flag < _QEMU_CAPS_MAX);
    return caps->flags[flag];
}

void qemu_caps_set(QemuCaps *caps, QemuCapsFlag flag, bool value)
{
    g_assert(flag >= 0 && flag < _QEMU_CAPS_MAX);
    caps->flags[flag] = value;
}

/* QOM type name of each device flag. */
static const struct {
    QemuCapsFlag flag;
    const char *type;
} qemu_caps_devices[] = {
    { QEMU_CAPS_DEVICE_VIRTIO_BLK_PCI, "virtio-blk-pci" },
    { QEMU_CAPS_DEVICE_VIRTIO_SCSI_PCI, "virtio-scsi-pci" },
    { QEMU_CAPS_DEVICE_SCSI_HD, "scsi-hd" },
    { QEMU_CAPS_DEVICE_SCSI_CD, "scsi-cd" },
    { QEMU_CAPS_DEVICE_IDE_HD, "ide-hd" },
    { QEMU_CAPS_DEVICE_IDE_CD, "ide-cd" },
    { QEMU_CAPS_DEVICE_ICH9_AHCI, "ich9-ahci" },
    { QEMU_CAPS_DEVICE_PIIX3_USB_UHCI, "piix3-usb-uhci" },
    { QEMU_CAPS_DEVICE_QEMU_XHCI, "qemu-xhci" },
    { QEMU_CAPS_DEVICE_USB_EHCI, "usb-ehci" },
    { QEMU_CAPS_DEVICE_VIRTIO_NET_PCI, "virtio-net-pci" },
    { QEMU_CAPS_DEVICE_E1000, "e1000" },
    { QEMU_CAPS_DEVICE_RTL8139, "rtl8139" },
    { QEMU_CAPS_DEVICE_ISA_SERIAL, "isa-serial" },
    { QEMU_CAPS_DEVICE_VGA, "VGA" },
    { QEMU_CAPS_DEVICE_CIRRUS_VGA, "cirrus-vga" },
    { QEMU_CAPS_DEVICE_VIRTIO_VGA, "virtio-vga" },
    { QEMU_CAPS_DEVICE_QXL_VGA, "qxl-vga" },
    { QEMU_CAPS_DEVICE_USB_TABLET, "usb-tablet" },
    { QEMU_CAPS_DEVICE_USB_MOUSE, "usb-mouse" },
    { QEMU_CAPS_DEVICE_USB_KBD, "usb-kbd" },
    { QEMU_CAPS_DEVICE_VIRTIO_BALLOON_PCI, "virtio-balloon-pci" },
    { QEMU_CAPS_DEVICE_VIRTIO_RNG_PCI, "virtio-rng-pci" },
    { QEMU_CAPS_DEVICE_VIRTIO_SERIAL_PCI, "virtio-serial-pci" },
    { QEMU_CAPS_DEVICE_VIRTCONSOLE, "virtconsole" },
};

static bool qemu_caps_add_types(QemuCaps *caps, const QemuCapsReplies *replies, GError **error)
{
    g_auto(GStrv) accels = qemu_monitor_parse_names(replies->accels, "qom-list-types", error);
    g_auto(GStrv) devices = NULL;

    if (!accels)
        return false;
    devices = qemu_monitor_parse_names(replies->devices, "qom-list-types", error);
    if (!devices)
        return false;
    caps->flags[QEMU_CAPS_ACCEL_TCG] = g_strv_contains((const char *const *)accels, "tcg-accel");
    caps->flags[QEMU_CAPS_ACCEL_KVM] = g_strv_contains((const char *const *)accels, "kvm-accel");
    for (size_t i = 0; i < G_N_ELEMENTS(qemu_caps_devices); i++)
        caps->flags[qemu_caps_devices[i].flag] =
            g_strv_contains((const char *const *)devices, qemu_caps_devices[i].type);
    return true;
}

static bool qemu_caps_add_schema(QemuCaps *caps, const QemuCapsReplies *replies, GError **error)
{
    g_autoptr(QemuMonitorSchema) s = qemu_monitor_parse_schema(replies->schema, error);

    if (!s)
        return false;
    caps->flags[QEMU_CAPS_SNAPSHOT_JOBS] = qemu_monitor_schema_has_command(s, "snapshot-save") &&
                                           qemu_monitor_schema_has_command(s, "snapshot-load") &&
                                           qemu_monitor_schema_has_command(s, "snapshot-delete");
    caps->flags[QEMU_CAPS_BLOCKDEV_SNAPSHOT] =
        qemu_monitor_schema_has_command(s, "blockdev-snapshot");
    caps->flags[QEMU_CAPS_SET_ACTION] = qemu_monitor_schema_has_command(s, "set-action");
    caps->flags[QEMU_CAPS_DEVICE_JSON] =
        qemu_monitor_schema_command_has_feature(s, "device_add", "json-cli");
    caps->flags[QEMU_CAPS_BLOCKDEV_QCOW2] =
        qemu_monitor_schema_arg_enum_has(s, "blockdev-add", "driver", "qcow2");
    caps->flags[QEMU_CAPS_BLOCKDEV_RAW] =
        qemu_monitor_schema_arg_enum_has(s, "blockdev-add", "driver", "raw");
    caps->flags[QEMU_CAPS_BLOCKDEV_HOST_DEVICE] =
        qemu_monitor_schema_arg_enum_has(s, "blockdev-add", "driver", "host_device");
    caps->flags[QEMU_CAPS_VNC] = qemu_monitor_schema_has_command(s, "query-vnc");
    caps->flags[QEMU_CAPS_SPICE] = qemu_monitor_schema_has_command(s, "query-spice");
    caps->flags[QEMU_CAPS_QUERY_JOBS] = qemu_monitor_schema_has_command(s, "query-jobs") &&
                                        qemu_monitor_schema_has_command(s, "job-dismiss");
    return true;
}

static bool qemu_caps_add_basics(QemuCaps *caps, const QemuCapsReplies *replies, GError **error)
{
    g_auto(QemuMonitorVersion) ver = { 0 };
    bool enabled = false;

    if (!qemu_monitor_parse_version(replies->version, &ver, error))
        return false;
    caps->version = ver.major * 1000000 + ver.minor * 1000 + ver.micro;
    caps->package = g_steal_pointer(&ver.package);
    if (!qemu_monitor_parse_target_arch(replies->target, &caps->arch, error))
        return false;
    if (!qemu_monitor_parse_kvm(replies->kvm, &caps->kvm_present, &enabled, error))
        return false;
    return true;
}

/* The KVM probe asked for KVM with TCG as fallback: "enabled" says which one won. */
static bool qemu_caps_add_kvm(QemuCaps *caps, const QemuCapsReplies *replies, GError **error)
{
    g_autoptr(GPtrArray) cpus = NULL;
    bool present = false, enabled = false;

    if (!replies->kvm_kvm)
        return true;
    if (!qemu_monitor_parse_kvm(replies->kvm_kvm, &present, &enabled, error))
        return false;
    caps->kvm_usable = present && enabled;
    if (!caps->kvm_usable)
        return true;
    cpus = qemu_monitor_parse_cpu_models(replies->kvm_cpu_definitions, error);
    if (!cpus)
        return false;
    g_ptr_array_extend_and_steal(caps->cpu_models_kvm, g_steal_pointer(&cpus));
    return true;
}

/**
 * qemu_caps_from_replies: capabilities of @binary from the replies of one probe.
 * Every reply must be a successful one of the right shape.
 */
QemuCaps *qemu_caps_from_replies(const char *binary, const QemuCapsReplies *replies, GError **error)
{
    g_autoptr(QemuCaps) caps = qemu_caps_new();
    g_autoptr(GPtrArray) machines = NULL;
    g_autoptr(GPtrArray) cpus = NULL;

    caps->binary = g_strdup(binary);
    if (!qemu_caps_add_basics(caps, replies, error))
        return NULL;
    machines = qemu_monitor_parse_machines(replies->machines, error);
    if (!machines)
        return NULL;
    cpus = qemu_monitor_parse_cpu_models(replies->cpu_definitions, error);
    if (!cpus)
        return NULL;
    g_ptr_array_extend_and_steal(caps->machines, g_steal_pointer(&machines));
    g_ptr_array_extend_and_steal(caps->cpu_models, g_steal_pointer(&cpus));
    if (!qemu_caps_add_schema(caps, replies, error))
        return NULL;
    if (!qemu_caps_add_types(caps, replies, error))
        return NULL;
    if (!qemu_caps_add_kvm(caps, replies, error))
        return NULL;
    return g_steal_pointer(&caps);
}

/**
 * qemu_caps_machine_lookup: the machine type @name, or the one it is an alias of
 * ("pc" → pc-i440fx-7.2). NULL when QEMU has no such machine.
 */
const QemuMonitorMachine *qemu_caps_machine_lookup(const QemuCaps *caps, const char *name)
{
    for (guint i = 0; i < caps->machines->len; i++) {
        const QemuMonitorMachine *m = g_ptr_array_index(caps->machines, i);

        if (g_str_equal(m->name, name) || g_strcmp0(m->alias, name) == 0)
            return m;
    }
    return NULL;
}

const char *qemu_caps_default_machine(const QemuCaps *caps)
{
    for (guint i = 0; i < caps->machines->len; i++) {
        const QemuMonitorMachine *m = g_ptr_array_index(caps->machines, i);

        if (m->is_default)
            return m->name;
    }
    return NULL;
}

const QemuMonitorCpuModel *qemu_caps_cpu_model_lookup(const QemuCaps *caps, const char *name)
{
    for (guint i = 0; i < caps->cpu_models->len; i++) {
        const QemuMonitorCpuModel *m = g_ptr_array_index(caps->cpu_models, i);

        if (g_str_equal(m->name, name))
            return m;
    }
    return NULL;
}

/**
 * qemu_caps_supports_virt_type: type='qemu' needs TCG; type='kvm' needs a QEMU with KVM
 * that the probe could really use.
 */
bool qemu_caps_supports_virt_type(const QemuCaps *caps, DomainVirtType type)
{
    if (type == DOMAIN_VIRT_QEMU)
        return caps->flags[QEMU_CAPS_ACCEL_TCG];
    if (type == DOMAIN_VIRT_KVM)
        return caps->flags[QEMU_CAPS_ACCEL_KVM] && caps->kvm_usable;
    return false;
}

/* ---- cache serialization ---- */

static JsonNode *qemu_caps_machines_to_json(const QemuCaps *caps)
{
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_array(b);
    for (guint i = 0; i < caps->machines->len; i++) {
        const QemuMonitorMachine *m = g_ptr_array_index(caps->machines, i);

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, m->name);
        if (m->alias) {
            json_builder_set_member_name(b, "alias");
            json_builder_add_string_value(b, m->alias);
        }
        json_builder_set_member_name(b, "default");
        json_builder_add_boolean_value(b, m->is_default);
        json_builder_set_member_name(b, "max-cpus");
        json_builder_add_int_value(b, m->max_cpus);
        json_builder_set_member_name(b, "deprecated");
        json_builder_add_boolean_value(b, m->deprecated);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    return json_builder_get_root(b);
}

static JsonNode *qemu_caps_cpus_to_json(GPtrArray *models)
{
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_array(b);
    for (guint i = 0; i < models->len; i++) {
        const QemuMonitorCpuModel *m = g_ptr_array_index(models, i);

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, m->name);
        json_builder_set_member_name(b, "usable");
        json_builder_add_boolean_value(b, m->usable);
        json_builder_set_member_name(b, "deprecated");
        json_builder_add_boolean_value(b, m->deprecated);
        if (m->alias_of) {
            json_builder_set_member_name(b, "alias-of");
            json_builder_add_string_value(b, m->alias_of);
        }
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    return json_builder_get_root(b);
}

static void qemu_caps_member_string(JsonObject *obj, const char *name, const char *value)
{
    if (value)
        json_object_set_string_member(obj, name, value);
}

/**
 * qemu_caps_to_json: the cache form of @caps (pretty-printed JSON).
 */
char *qemu_caps_to_json(const QemuCaps *caps)
{
    g_autoptr(JsonObject) obj = json_object_new();
    g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);
    g_autoptr(JsonGenerator) gen = json_generator_new();
    JsonArray *flags = json_array_new();

    qemu_caps_member_string(obj, "binary", caps->binary);
    json_object_set_int_member(obj, "binary-size", caps->binary_size);
    json_object_set_int_member(obj, "binary-mtime-ns", caps->binary_mtime_ns);
    json_object_set_boolean_member(obj, "kvm-device", caps->kvm_device);
    qemu_caps_member_string(obj, "probed-by", caps->probed_by);
    qemu_caps_member_string(obj, "arch", caps->arch);
    json_object_set_int_member(obj, "version", caps->version);
    qemu_caps_member_string(obj, "package", caps->package);
    json_object_set_boolean_member(obj, "kvm-present", caps->kvm_present);
    json_object_set_boolean_member(obj, "kvm-usable", caps->kvm_usable);
    for (int i = 0; i < _QEMU_CAPS_MAX; i++) {
        if (caps->flags[i])
            json_array_add_string_element(flags, qemu_caps_flag_to_string(i));
    }
    json_object_set_array_member(obj, "flags", flags);
    json_object_set_member(obj, "machines", qemu_caps_machines_to_json(caps));
    json_object_set_member(obj, "cpu-models", qemu_caps_cpus_to_json(caps->cpu_models));
    json_object_set_member(obj, "cpu-models-kvm", qemu_caps_cpus_to_json(caps->cpu_models_kvm));
    json_node_set_object(root, obj);
    json_generator_set_root(gen, root);
    json_generator_set_pretty(gen, TRUE);
    return json_generator_to_data(gen, NULL);
}

static bool qemu_caps_bad_cache(GError **error, const char *what)
{
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                "invalid QEMU capabilities cache: %s", what);
    return false;
}

static JsonArray *qemu_caps_json_array(JsonObject *obj, const char *name)
{
    JsonNode *node = json_object_get_member(obj, name);

    if (!node || !JSON_NODE_HOLDS_ARRAY(node) ||
        json_array_get_length(json_node_get_array(node)) > QEMU_CAPS_MAX_LIST)
        return NULL;
    return json_node_get_array(node);
}

static bool qemu_caps_flags_from_json(QemuCaps *caps, JsonObject *obj, GError **error)
{
    JsonArray *flags = qemu_caps_json_array(obj, "flags");

    if (!flags)
        return qemu_caps_bad_cache(error, "no flags");
    for (guint i = 0; i < json_array_get_length(flags); i++) {
        JsonNode *node = json_array_get_element(flags, i);
        QemuCapsFlag f = _QEMU_CAPS_INVALID;

        if (JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_STRING)
            f = qemu_caps_flag_from_string(json_node_get_string(node));
        if (f < 0)
            return qemu_caps_bad_cache(error, "unknown flag");
        caps->flags[f] = true;
    }
    return true;
}

static const char *qemu_caps_json_string(JsonObject *obj, const char *name)
{
    JsonNode *node = json_object_get_member(obj, name);

    if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(node);
}

static bool qemu_caps_machines_from_json(QemuCaps *caps, JsonObject *obj, GError **error)
{
    JsonArray *array = qemu_caps_json_array(obj, "machines");

    if (!array)
        return qemu_caps_bad_cache(error, "no machines");
    for (guint i = 0; i < json_array_get_length(array); i++) {
        JsonNode *node = json_array_get_element(array, i);
        JsonObject *m;
        QemuMonitorMachine *machine;

        if (!JSON_NODE_HOLDS_OBJECT(node) ||
            !qemu_caps_json_string(json_node_get_object(node), "name"))
            return qemu_caps_bad_cache(error, "machine without a name");
        m = json_node_get_object(node);
        machine = g_new0(QemuMonitorMachine, 1);
        machine->name = g_strdup(qemu_caps_json_string(m, "name"));
        machine->alias = g_strdup(qemu_caps_json_string(m, "alias"));
        machine->is_default = json_object_get_boolean_member_with_default(m, "default", FALSE);
        machine->max_cpus = (unsigned)json_object_get_int_member_with_default(m, "max-cpus", 1);
        machine->deprecated = json_object_get_boolean_member_with_default(m, "deprecated", FALSE);
        g_ptr_array_add(caps->machines, machine);
    }
    return true;
}

static bool qemu_caps_cpus_from_json(GPtrArray *models, JsonObject *obj, const char *member,
                                     GError **error)
{
    JsonArray *array = qemu_caps_json_array(obj, member);

    if (!array)
        return qemu_caps_bad_cache(error, "no cpu models");
    for (guint i = 0; i < json_array_get_length(array); i++) {
        JsonNode *node = json_array_get_element(array, i);
        JsonObject *m;
        QemuMonitorCpuModel *model;

        if (!JSON_NODE_HOLDS_OBJECT(node) ||
            !qemu_caps_json_string(json_node_get_object(node), "name"))
            return qemu_caps_bad_cache(error, "cpu model without a name");
        m = json_node_get_object(node);
        model = g_new0(QemuMonitorCpuModel, 1);
        model->name = g_strdup(qemu_caps_json_string(m, "name"));
        model->usable = json_object_get_boolean_member_with_default(m, "usable", FALSE);
        model->deprecated = json_object_get_boolean_member_with_default(m, "deprecated", FALSE);
        model->alias_of = g_strdup(qemu_caps_json_string(m, "alias-of"));
        g_ptr_array_add(models, model);
    }
    return true;
}

/**
 * qemu_caps_from_json: read a cache file written by qemu_caps_to_json().
 */
QemuCaps *qemu_caps_from_json(const char *text, GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    g_autoptr(QemuCaps) caps = qemu_caps_new();
    JsonNode *root;
    JsonObject *obj;

    if (!json_parser_load_from_data(parser, text, -1, NULL)) {
        qemu_caps_bad_cache(error, "not JSON");
        return NULL;
    }
    root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        qemu_caps_bad_cache(error, "not an object");
        return NULL;
    }
    obj = json_node_get_object(root);
    caps->binary = g_strdup(qemu_caps_json_string(obj, "binary"));
    caps->arch = g_strdup(qemu_caps_json_string(obj, "arch"));
    caps->package = g_strdup(qemu_caps_json_string(obj, "package"));
    caps->probed_by = g_strdup(qemu_caps_json_string(obj, "probed-by"));
    if (!caps->binary || !caps->arch) {
        qemu_caps_bad_cache(error, "no binary or arch");
        return NULL;
    }
    caps->binary_size = json_object_get_int_member_with_default(obj, "binary-size", -1);
    caps->binary_mtime_ns = json_object_get_int_member_with_default(obj, "binary-mtime-ns", -1);
    caps->kvm_device = json_object_get_boolean_member_with_default(obj, "kvm-device", FALSE);
    caps->version = (unsigned)json_object_get_int_member_with_default(obj, "version", 0);
    caps->kvm_present = json_object_get_boolean_member_with_default(obj, "kvm-present", FALSE);
    caps->kvm_usable = json_object_get_boolean_member_with_default(obj, "kvm-usable", FALSE);
    if (!qemu_caps_flags_from_json(caps, obj, error) ||
        !qemu_caps_machines_from_json(caps, obj, error) ||
        !qemu_caps_cpus_from_json(caps->cpu_models, obj, "cpu-models", error) ||
        !qemu_caps_cpus_from_json(caps->cpu_models_kvm, obj, "cpu-models-kvm", error))
        return NULL;
    return g_steal_pointer(&caps);
}

void qemu_caps_set_stamp(QemuCaps *caps, const QemuCapsStamp *stamp, const char *version)
{
    caps->binary_size = stamp->size;
    caps->binary_mtime_ns = stamp->mtime_ns;
    caps->kvm_device = stamp->kvm_device;
    g_free(caps->probed_by);
    caps->probed_by = g_strdup(version);
}

/**
 * qemu_caps_is_current: whether cached @caps still describe @binary: same path, size
 * and mtime, the same /dev/kvm access, and probed by this @version of virtkit (a newer
 * virtkit may look for more).
 */
bool qemu_caps_is_current(const QemuCaps *caps, const char *binary, const QemuCapsStamp *stamp,
                          const char *version)
{
    return g_strcmp0(caps->binary, binary) == 0 && caps->binary_size == stamp->size &&
           caps->binary_mtime_ns == stamp->mtime_ns && caps->kvm_device == stamp->kvm_device &&
           g_strcmp0(caps->probed_by, version) == 0;
}
