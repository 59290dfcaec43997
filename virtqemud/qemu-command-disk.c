/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Controllers and disks. Disks go through -blockdev: a protocol node (file or
 * host_device) and a format node (raw or qcow2) named libvirt-N-storage/-format as
 * libvirt names them, then a -device on the disk's bus.
 */

#include <string.h>

#include "qemu-command-priv.h"
#include "util/error.h"

static bool qemu_build_usb_controller(QemuBuild *b, const DomainControllerDef *ctrl, GError **error)
{
    static const struct {
        const char *model, *driver;
        QemuCapsFlag flag;
    } models[] = {
        { "piix3-uhci", "piix3-usb-uhci", QEMU_CAPS_DEVICE_PIIX3_USB_UHCI },
        { "qemu-xhci", "qemu-xhci", QEMU_CAPS_DEVICE_QEMU_XHCI },
        { "ehci", "usb-ehci", QEMU_CAPS_DEVICE_USB_EHCI },
    };
    const char *model = ctrl->model ? ctrl->model : b->q35 ? "qemu-xhci" : "piix3-uhci";

    if (g_str_equal(model, "none"))
        return true;
    if (ctrl->index != 0)
        return qemu_build_unsupported(b, error, "only USB controller index 0 is implemented");
    for (size_t i = 0; i < G_N_ELEMENTS(models); i++) {
        JsonBuilder *p;

        if (!g_str_equal(models[i].model, model))
            continue;
        if (!qemu_build_need_caps(b, models[i].flag, "the USB controller", error))
            return false;
        p = qemu_props_new("driver", models[i].driver);
        qemu_props_str(p, "id", "usb");
        if (!qemu_build_pci_address(b, ctrl->extras, "the USB controller", p, error)) {
            g_object_unref(p);
            return false;
        }
        qemu_build_add_json(b, "-device", p);
        b->has_usb = true;
        return true;
    }
    return qemu_build_unsupported(b, error, "USB controller model '%s' is not implemented", model);
}

static bool qemu_build_simple_controller(QemuBuild *b, const DomainControllerDef *ctrl,
                                         const char *driver, const char *prefix, int index,
                                         QemuCapsFlag flag, GError **error)
{
    g_autofree char *id = g_strdup_printf("%s%d", prefix, index);
    JsonBuilder *p;

    if (!qemu_build_need_caps(b, flag, driver, error))
        return false;
    p = qemu_props_new("driver", driver);
    qemu_props_str(p, "id", id);
    if (!qemu_build_pci_address(b, ctrl->extras, id, p, error)) {
        g_object_unref(p);
        return false;
    }
    qemu_build_add_json(b, "-device", p);
    return true;
}

static bool qemu_build_controller(QemuBuild *b, const DomainControllerDef *ctrl, GError **error)
{
    const char *type = domain_controller_type_to_string(ctrl->type);
    int index = ctrl->index < 0 ? 0 : ctrl->index;

    switch (ctrl->type) {
    case DOMAIN_CONTROLLER_TYPE_IDE:
        if (b->q35 || index != 0)
            return qemu_build_unsupported(b, error,
                                          "IDE controller %d is not available on "
                                          "machine '%s'",
                                          index, b->machine->name);
        return true; /* the i440FX's own PIIX IDE (any <address> is where it always is) */
    case DOMAIN_CONTROLLER_TYPE_SATA:
        if (b->q35 && index == 0)
            return true; /* the Q35's own AHCI */
        return qemu_build_simple_controller(b, ctrl, "ich9-ahci", "sata", index,
                                            QEMU_CAPS_DEVICE_ICH9_AHCI, error);
    case DOMAIN_CONTROLLER_TYPE_SCSI:
        if (ctrl->model && !g_str_equal(ctrl->model, "virtio-scsi"))
            return qemu_build_unsupported(b, error,
                                          "SCSI controller model '%s' is not "
                                          "implemented",
                                          ctrl->model);
        return qemu_build_simple_controller(b, ctrl, "virtio-scsi-pci", "scsi", index,
                                            QEMU_CAPS_DEVICE_VIRTIO_SCSI_PCI, error);
    case DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL:
        b->has_vserial = true;
        return qemu_build_simple_controller(b, ctrl, "virtio-serial-pci", "virtio-serial", index,
                                            QEMU_CAPS_DEVICE_VIRTIO_SERIAL_PCI, error);
    case DOMAIN_CONTROLLER_TYPE_USB:
        return qemu_build_usb_controller(b, ctrl, error);
    case DOMAIN_CONTROLLER_TYPE_PCI:
        if (index == 0 &&
            (!ctrl->model || g_str_equal(ctrl->model, b->q35 ? "pcie-root" : "pci-root")))
            return true; /* the root bus every machine has */
        return qemu_build_unsupported(b, error, "PCI controller model '%s' is not implemented",
                                      ctrl->model ? ctrl->model : "");
    case DOMAIN_CONTROLLER_TYPE_FDC:
    case DOMAIN_CONTROLLER_TYPE_CCID:
    case DOMAIN_CONTROLLER_TYPE_XENBUS:
    case DOMAIN_CONTROLLER_TYPE_ISA:
    case _DOMAIN_CONTROLLER_TYPE_MAX:
    case _DOMAIN_CONTROLLER_TYPE_INVALID:
        break;
    }
    return qemu_build_unsupported(b, error, "<controller type='%s'> is not implemented",
                                  type ? type : "");
}

/**
 * qemu_build_controllers: one -device per controller QEMU does not have built in.
 */
bool qemu_build_controllers(QemuBuild *b, GError **error)
{
    for (guint i = 0; i < b->def->controllers->len; i++) {
        const DomainControllerDef *ctrl = g_ptr_array_index(b->def->controllers, i);
        g_autofree char *what = g_strdup_printf(
            "controller '%s' %d", domain_controller_type_to_string(ctrl->type), ctrl->index);

        if (!qemu_build_check_extras(b, ctrl->extras, what, qemu_pci_device_ok_children, NULL,
                                     error) ||
            !qemu_build_controller(b, ctrl, error))
            return false;
    }
    return true;
}

/* ---- disks ---- */

typedef struct QemuDiskCache {
    const char *mode;
    bool direct, no_flush, write_cache;
} QemuDiskCache;

static const QemuDiskCache qemu_disk_caches[] = {
    { "none", true, false, true },           { "writeback", false, false, true },
    { "writethrough", false, false, false }, { "directsync", true, false, false },
    { "unsafe", false, true, true },
};

static void qemu_props_cache(JsonBuilder *p, const QemuDiskCache *cache)
{
    if (!cache)
        return;
    json_builder_set_member_name(p, "cache");
    json_builder_begin_object(p);
    qemu_props_bool(p, "direct", cache->direct);
    qemu_props_bool(p, "no-flush", cache->no_flush);
    json_builder_end_object(p);
}

typedef struct QemuDiskInfo {
    const DomainDiskDef *disk;
    const QemuDiskCache *cache; /* NULL = QEMU's default */
    const char *format;
    char *storage_node;
    char *format_node;
    bool readonly;
} QemuDiskInfo;

static bool qemu_disk_check(QemuBuild *b, const DomainDiskDef *disk, const char *what,
                            GError **error)
{
    static const char *const disk_ok[] = { "alias", "address", NULL };

    if (disk->type != DOMAIN_DISK_TYPE_FILE && disk->type != DOMAIN_DISK_TYPE_BLOCK)
        return qemu_build_unsupported(b, error, "%s: disk type '%s' is not implemented", what,
                                      domain_disk_type_to_string(disk->type));
    if (!qemu_build_check_extras(b, disk->extras, what, disk_ok, NULL, error) ||
        !qemu_build_check_extras(b, disk->driver_extras, what, NULL, NULL, error) ||
        !qemu_build_check_extras(b, disk->source_extras, what, NULL, NULL, error) ||
        !qemu_build_check_extras(b, disk->target_extras, what, NULL, NULL, error))
        return false;
    if (disk->device != DOMAIN_DISK_DEVICE_DISK && disk->device != DOMAIN_DISK_DEVICE_CDROM)
        return qemu_build_unsupported(b, error, "%s: device '%s' is not implemented", what,
                                      domain_disk_device_to_string(disk->device));
    if (!disk->source && disk->device != DOMAIN_DISK_DEVICE_CDROM)
        return qemu_build_unsupported(b, error, "%s has no source", what);
    if (disk->driver_name && !g_str_equal(disk->driver_name, "qemu"))
        return qemu_build_unsupported(b, error, "%s: driver name '%s' is not supported by QEMU",
                                      what, disk->driver_name);
    return true;
}

static bool qemu_disk_info(QemuBuild *b, const DomainDiskDef *disk, guint i, const char *what,
                           QemuDiskInfo *info, GError **error)
{
    /* libvirt numbers nodes from the last disk, so the first disk gets the highest N */
    guint n = b->def->disks->len - i;

    *info = (QemuDiskInfo){ .disk = disk };
    info->format = disk->driver_type ? disk->driver_type : "raw";
    if (!g_str_equal(info->format, "raw") && !g_str_equal(info->format, "qcow2"))
        return qemu_build_unsupported(b, error, "%s: format '%s' is not implemented", what,
                                      info->format);
    if (!qemu_build_need_caps(
            b, g_str_equal(info->format, "raw") ? QEMU_CAPS_BLOCKDEV_RAW : QEMU_CAPS_BLOCKDEV_QCOW2,
            "the disk format", error))
        return false;
    if (disk->driver_cache && !g_str_equal(disk->driver_cache, "default")) {
        for (size_t c = 0; c < G_N_ELEMENTS(qemu_disk_caches); c++) {
            if (g_str_equal(qemu_disk_caches[c].mode, disk->driver_cache))
                info->cache = &qemu_disk_caches[c];
        }
        if (!info->cache)
            return qemu_build_unsupported(b, error, "%s: cache mode '%s' is not supported", what,
                                          disk->driver_cache);
    }
    info->readonly = disk->readonly || disk->device == DOMAIN_DISK_DEVICE_CDROM;
    info->storage_node = g_strdup_printf("libvirt-%u-storage", n);
    info->format_node = g_strdup_printf("libvirt-%u-format", n);
    return true;
}

static void qemu_build_blockdevs(QemuBuild *b, const QemuDiskInfo *info)
{
    const DomainDiskDef *disk = info->disk;
    JsonBuilder *p =
        qemu_props_new("driver", disk->type == DOMAIN_DISK_TYPE_BLOCK ? "host_device" : "file");

    qemu_props_str(p, "filename", disk->source);
    qemu_props_str(p, "node-name", info->storage_node);
    qemu_props_cache(p, info->cache);
    qemu_props_bool(p, "read-only", info->readonly);
    qemu_build_add_json(b, "-blockdev", p);
    p = qemu_props_new("node-name", info->format_node);
    qemu_props_bool(p, "read-only", info->readonly);
    qemu_props_cache(p, info->cache);
    qemu_props_str(p, "driver", info->format);
    qemu_props_str(p, "file", info->storage_node);
    qemu_build_add_json(b, "-blockdev", p);
}

/* The drive address post-parse gave every disk on a controller bus. */
static bool qemu_disk_address(QemuBuild *b, const DomainDiskDef *disk, const char *what,
                              unsigned addr[4], GError **error)
{
    static const char *const names[] = { "controller", "bus", "target", "unit" };
    const XmlElem *elem = qemu_build_extras_child(disk->extras, "address");

    if (!elem || g_strcmp0(qemu_build_elem_attr(elem, "type"), "drive") != 0)
        return qemu_build_unsupported(b, error, "%s needs a drive address", what);
    for (int i = 0; i < 4; i++) {
        const char *v = qemu_build_elem_attr(elem, names[i]);
        guint64 n = 0;

        if (v && !g_ascii_string_to_unsigned(v, 10, 0, 1024, &n, NULL))
            return qemu_build_unsupported(b, error, "%s: address %s='%s' is invalid", what,
                                          names[i], v);
        addr[i] = (unsigned)n;
    }
    return true;
}

static bool qemu_disk_bus_ide(QemuBuild *b, const QemuDiskInfo *info, const char *what,
                              JsonBuilder *p, GError **error)
{
    unsigned a[4];
    bool sata = info->disk->target_bus == DOMAIN_DISK_BUS_SATA;
    g_autofree char *bus = NULL;
    g_autofree char *id = NULL;

    if (!qemu_disk_address(b, info->disk, what, a, error))
        return false;
    if (!sata && (b->q35 || a[0] != 0 || a[1] > 1 || a[3] > 1))
        return qemu_build_unsupported(b, error,
                                      "%s: IDE address %u:%u:%u is not available on "
                                      "machine '%s'",
                                      what, a[0], a[1], a[3], b->machine->name);
    if (info->readonly && info->disk->device == DOMAIN_DISK_DEVICE_DISK)
        return qemu_build_unsupported(b, error, "%s: read-only IDE/SATA disks are not supported",
                                      what);
    if (sata)
        bus = b->q35 && a[0] == 0 ? g_strdup_printf("ide.%u", a[3])
                                  : g_strdup_printf("sata%u.%u", a[0], a[3]);
    else
        bus = g_strdup_printf("ide.%u", a[1]);
    id = sata ? g_strdup_printf("sata%u-0-%u", a[0], a[3])
              : g_strdup_printf("ide%u-%u-%u", a[0], a[1], a[3]);
    qemu_props_str(p, "bus", bus);
    if (!sata)
        qemu_props_int(p, "unit", a[3]);
    qemu_props_str(p, "id", id);
    return true;
}

static bool qemu_disk_bus_scsi(QemuBuild *b, const QemuDiskInfo *info, const char *what,
                               JsonBuilder *p, GError **error)
{
    unsigned a[4];
    g_autofree char *bus = NULL;
    g_autofree char *id = NULL;

    if (!qemu_disk_address(b, info->disk, what, a, error))
        return false;
    bus = g_strdup_printf("scsi%u.0", a[0]);
    id = g_strdup_printf("scsi%u-0-%u-%u", a[0], a[2], a[3]);
    qemu_props_str(p, "bus", bus);
    qemu_props_int(p, "channel", 0);
    qemu_props_int(p, "scsi-id", a[2]);
    qemu_props_int(p, "lun", a[3]);
    qemu_props_str(p, "id", id);
    return true;
}

static const char *qemu_disk_driver(QemuBuild *b, const DomainDiskDef *disk, QemuCapsFlag *flag)
{
    bool cd = disk->device == DOMAIN_DISK_DEVICE_CDROM;

    switch (disk->target_bus) {
    case DOMAIN_DISK_BUS_VIRTIO:
        *flag = QEMU_CAPS_DEVICE_VIRTIO_BLK_PCI;
        return cd ? NULL : "virtio-blk-pci";
    case DOMAIN_DISK_BUS_IDE:
    case DOMAIN_DISK_BUS_SATA:
        *flag = cd ? QEMU_CAPS_DEVICE_IDE_CD : QEMU_CAPS_DEVICE_IDE_HD;
        return cd ? "ide-cd" : "ide-hd";
    case DOMAIN_DISK_BUS_SCSI:
        *flag = cd ? QEMU_CAPS_DEVICE_SCSI_CD : QEMU_CAPS_DEVICE_SCSI_HD;
        return cd ? "scsi-cd" : "scsi-hd";
    case DOMAIN_DISK_BUS_NONE:
    case DOMAIN_DISK_BUS_FDC:
    case DOMAIN_DISK_BUS_XEN:
    case DOMAIN_DISK_BUS_USB:
    case DOMAIN_DISK_BUS_UML:
    case DOMAIN_DISK_BUS_SD:
    case _DOMAIN_DISK_BUS_MAX:
    case _DOMAIN_DISK_BUS_INVALID:
        break;
    }
    (void)b;
    return NULL;
}

static bool qemu_build_disk_device(QemuBuild *b, const QemuDiskInfo *info, const char *what,
                                   GError **error)
{
    const DomainDiskDef *disk = info->disk;
    QemuCapsFlag flag = QEMU_CAPS_DEVICE_IDE_HD;
    const char *driver = qemu_disk_driver(b, disk, &flag);
    g_autoptr(JsonBuilder) p = NULL;
    bool ok;

    if (!driver)
        return qemu_build_unsupported(b, error, "%s: %s on bus '%s' is not implemented", what,
                                      domain_disk_device_to_string(disk->device),
                                      domain_disk_bus_to_string(disk->target_bus));
    if (!qemu_build_need_caps(b, flag, driver, error))
        return false;
    p = qemu_props_new("driver", driver);
    if (disk->target_bus == DOMAIN_DISK_BUS_VIRTIO) {
        g_autofree char *id =
            g_strdup_printf("virtio-disk%d", domain_disk_name_index(disk->target_dev));

        qemu_props_str(p, "id", id);
        ok = qemu_build_pci_address(b, disk->extras, what, p, error);
    } else if (disk->target_bus == DOMAIN_DISK_BUS_SCSI) {
        ok = qemu_disk_bus_scsi(b, info, what, p, error);
    } else {
        ok = qemu_disk_bus_ide(b, info, what, p, error);
    }
    if (!ok)
        return false;
    if (disk->source)
        qemu_props_str(p, "drive", info->format_node);
    if (info->cache)
        qemu_props_str(p, "write-cache", info->cache->write_cache ? "on" : "off");
    if (disk->shareable)
        qemu_props_bool(p, "share-rw", true);
    if (disk->serial)
        qemu_props_str(p, "serial", disk->serial);
    if (disk->boot_order)
        qemu_props_int(p, "bootindex", disk->boot_order);
    qemu_build_add_json(b, "-device", g_steal_pointer(&p));
    return true;
}

/**
 * qemu_build_disks: -blockdev nodes and the -device of every disk and cdrom.
 */
bool qemu_build_disks(QemuBuild *b, GError **error)
{
    for (guint i = 0; i < b->def->disks->len; i++) {
        const DomainDiskDef *disk = g_ptr_array_index(b->def->disks, i);
        g_autofree char *what = g_strdup_printf("disk '%s'", disk->target_dev);
        QemuDiskInfo info;
        bool ok;

        if (!qemu_disk_check(b, disk, what, error) ||
            !qemu_disk_info(b, disk, i, what, &info, error))
            return false;
        if (disk->source)
            qemu_build_blockdevs(b, &info);
        ok = qemu_build_disk_device(b, &info, what, error);
        g_free(info.storage_node);
        g_free(info.format_node);
        if (!ok)
            return false;
    }
    return true;
}
