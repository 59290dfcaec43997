/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Disk defaults libvirt applies for every driver: the bus guessed from the target name,
 * drive addresses for controller buses, and the controllers those addresses imply. */

#include <string.h>

#include "conf/domain-postparse-priv.h"
#include "conf/xml-extras.h"

static const struct {
    const char *prefix;
    DomainDiskBus bus;
} disk_prefixes[] = {
    { "xvd", DOMAIN_DISK_BUS_XEN },   { "ubd", DOMAIN_DISK_BUS_UML },
    { "vd", DOMAIN_DISK_BUS_VIRTIO }, { "sd", DOMAIN_DISK_BUS_SCSI },
    { "hd", DOMAIN_DISK_BUS_IDE },    { "fd", DOMAIN_DISK_BUS_FDC },
};

static void domain_post_parse_disk_buses(DomainDef *def)
{
    for (guint i = 0; i < def->disks->len; i++) {
        DomainDiskDef *disk = g_ptr_array_index(def->disks, i);

        for (size_t p = 0; p < G_N_ELEMENTS(disk_prefixes); p++) {
            if (disk->target_bus == DOMAIN_DISK_BUS_NONE &&
                g_str_has_prefix(disk->target_dev, disk_prefixes[p].prefix))
                disk->target_bus = disk_prefixes[p].bus;
        }
        if (disk->target_bus == DOMAIN_DISK_BUS_NONE)
            disk->target_bus = disk->device == DOMAIN_DISK_DEVICE_FLOPPY ? DOMAIN_DISK_BUS_FDC
                                                                         : DOMAIN_DISK_BUS_IDE;
    }
}

/* Drives per controller and buses per controller of the buses with drive addresses. */
static bool domain_drive_geometry(DomainDiskBus bus, int *ret_units, int *ret_buses)
{
    switch (bus) {
    case DOMAIN_DISK_BUS_IDE:
        *ret_units = 2;
        *ret_buses = 2;
        return true;
    case DOMAIN_DISK_BUS_FDC:
        *ret_units = 2;
        *ret_buses = 1;
        return true;
    case DOMAIN_DISK_BUS_SCSI:
        *ret_units = 7;
        *ret_buses = 1;
        return true;
    case DOMAIN_DISK_BUS_SATA:
        *ret_units = 6;
        *ret_buses = 1;
        return true;
    case DOMAIN_DISK_BUS_NONE:
    case DOMAIN_DISK_BUS_VIRTIO:
    case DOMAIN_DISK_BUS_XEN:
    case DOMAIN_DISK_BUS_USB:
    case DOMAIN_DISK_BUS_UML:
    case DOMAIN_DISK_BUS_SD:
    case _DOMAIN_DISK_BUS_MAX:
    case _DOMAIN_DISK_BUS_INVALID:
        break;
    }
    return false;
}

static const XmlElem *domain_disk_address(const DomainDiskDef *disk)
{
    for (guint i = 0; disk->extras && i < disk->extras->children->len; i++) {
        const XmlElem *elem = g_ptr_array_index(disk->extras->children, i);
        if (g_strcmp0(elem->name, "address") == 0)
            return elem;
    }
    return NULL;
}

/* The controller index of a disk's drive address, or -1. */
static int domain_disk_controller(const DomainDiskDef *disk)
{
    const XmlElem *addr = domain_disk_address(disk);
    const char *type = NULL;
    const char *controller = NULL;
    guint64 value;

    for (guint i = 0; addr && i < addr->attrs->len; i++) {
        const XmlAttr *attr = g_ptr_array_index(addr->attrs, i);
        if (strcmp(attr->name, "type") == 0)
            type = attr->value;
        else if (strcmp(attr->name, "controller") == 0)
            controller = attr->value;
    }
    if (g_strcmp0(type, "drive") != 0 || !controller)
        return -1;
    if (!g_ascii_string_to_unsigned(controller, 10, 0, 1024, &value, NULL))
        return -1;
    return (int)value;
}

static void domain_disk_assign_address(DomainDiskDef *disk)
{
    int units, buses, index = domain_disk_name_index(disk->target_dev);
    g_autofree char *controller = NULL, *bus = NULL, *unit = NULL;
    XmlElem *addr;

    if (index < 0 || !domain_drive_geometry(disk->target_bus, &units, &buses) ||
        domain_disk_address(disk))
        return;
    controller = g_strdup_printf("%d", index / (units * buses));
    bus = g_strdup_printf("%d", (index % (units * buses)) / units);
    unit = g_strdup_printf("%d", index % units);
    addr = xml_elem_new("address", "boot");
    xml_elem_add_attr(addr, "type", "drive");
    xml_elem_add_attr(addr, "controller", controller);
    xml_elem_add_attr(addr, "bus", bus);
    xml_elem_add_attr(addr, "target", "0");
    xml_elem_add_attr(addr, "unit", unit);
    if (!disk->extras)
        disk->extras = xml_extras_new();
    g_ptr_array_add(disk->extras->children, addr);
}

static bool domain_has_controller(const DomainDef *def, DomainControllerType type, int index)
{
    for (guint i = 0; i < def->controllers->len; i++) {
        const DomainControllerDef *ctrl = g_ptr_array_index(def->controllers, i);
        if (ctrl->type == type && ctrl->index == index)
            return true;
    }
    return false;
}

static void domain_add_controllers(DomainDef *def, DomainControllerType type, int max_index)
{
    for (int index = 0; index <= max_index; index++) {
        DomainControllerDef *ctrl;

        if (domain_has_controller(def, type, index))
            continue;
        ctrl = domain_controller_def_new();
        ctrl->type = type;
        ctrl->index = index;
        g_ptr_array_add(def->controllers, ctrl);
    }
}

static int domain_max_controller(const DomainDef *def, DomainDiskBus bus)
{
    int max = -1;

    for (guint i = 0; i < def->disks->len; i++) {
        const DomainDiskDef *disk = g_ptr_array_index(def->disks, i);
        if (disk->target_bus == bus)
            max = MAX(max, MAX(domain_disk_controller(disk), 0));
    }
    return max;
}

static bool domain_uses_virtio_serial(const DomainDef *def)
{
    for (guint i = 0; i < def->consoles->len; i++) {
        const DomainChrDef *chr = g_ptr_array_index(def->consoles, i);
        if (g_strcmp0(chr->target_type, "virtio") == 0)
            return true;
    }
    for (guint i = 0; def->devices_extras && i < def->devices_extras->children->len; i++) {
        const XmlElem *elem = g_ptr_array_index(def->devices_extras->children, i);
        if (g_strcmp0(elem->name, "channel") == 0)
            return true;
    }
    return false;
}

/* Disks on controller buses imply every controller up to the highest index their
 * addresses use, added in libvirt's order (scsi, fdc, ide, sata); virtio consoles and
 * channels imply a virtio-serial controller. */
static void domain_post_parse_controllers(DomainDef *def)
{
    static const struct {
        DomainDiskBus bus;
        DomainControllerType type;
    } implied[] = {
        { DOMAIN_DISK_BUS_SCSI, DOMAIN_CONTROLLER_TYPE_SCSI },
        { DOMAIN_DISK_BUS_FDC, DOMAIN_CONTROLLER_TYPE_FDC },
        { DOMAIN_DISK_BUS_IDE, DOMAIN_CONTROLLER_TYPE_IDE },
        { DOMAIN_DISK_BUS_SATA, DOMAIN_CONTROLLER_TYPE_SATA },
    };

    if (def->os.type != DOMAIN_OS_HVM)
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(implied); i++)
        domain_add_controllers(def, implied[i].type, domain_max_controller(def, implied[i].bus));
    if (domain_uses_virtio_serial(def))
        domain_add_controllers(def, DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL, 0);
}

/**
 * domain_post_parse_disks: buses from target names, drive addresses, and the implied
 * controllers (which also covers virtio-serial, so run it after the consoles).
 */
void domain_post_parse_disks(DomainDef *def)
{
    domain_post_parse_disk_buses(def);
    if (def->os.type == DOMAIN_OS_HVM) {
        for (guint i = 0; i < def->disks->len; i++)
            domain_disk_assign_address(g_ptr_array_index(def->disks, i));
    }
    domain_post_parse_controllers(def);
}
