/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Device defaults libvirt applies for every driver: disk buses, MAC addresses, implicit
 * disk controllers, serial ports and the compat console, graphics ports and listens,
 * video sizes and the primary video. */

#include <string.h>

#include "conf/domain-postparse-priv.h"
#include "conf/xml-extras.h"

/* Disk bus from the target name's prefix, as libvirt guesses it. */
static DomainDiskBus domain_disk_bus_from_target(const char *dev)
{
    static const struct {
        const char *prefix;
        DomainDiskBus bus;
    } map[] = {
        { "xvd", DOMAIN_DISK_BUS_XEN }, { "vd", DOMAIN_DISK_BUS_VIRTIO },
        { "sd", DOMAIN_DISK_BUS_SCSI }, { "hd", DOMAIN_DISK_BUS_IDE },
        { "fd", DOMAIN_DISK_BUS_FDC },  { "ubd", DOMAIN_DISK_BUS_UML },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
        if (g_str_has_prefix(dev, map[i].prefix))
            return map[i].bus;
    }
    return DOMAIN_DISK_BUS_NONE;
}

static void domain_post_parse_disks(DomainDef *def)
{
    for (guint i = 0; i < def->disks->len; i++) {
        DomainDiskDef *disk = g_ptr_array_index(def->disks, i);

        if (disk->target_bus == DOMAIN_DISK_BUS_NONE && disk->target_dev)
            disk->target_bus = domain_disk_bus_from_target(disk->target_dev);
        if (disk->target_bus == DOMAIN_DISK_BUS_NONE)
            disk->target_bus = disk->device == DOMAIN_DISK_DEVICE_FLOPPY ? DOMAIN_DISK_BUS_FDC
                                                                         : DOMAIN_DISK_BUS_IDE;
    }
}

/* 52:54:00 is the locally administered prefix QEMU and libvirt use. */
static void domain_post_parse_nets(DomainDef *def)
{
    for (guint i = 0; i < def->nets->len; i++) {
        DomainNetDef *net = g_ptr_array_index(def->nets, i);

        if (net->has_mac)
            continue;
        net->mac[0] = 0x52;
        net->mac[1] = 0x54;
        net->mac[2] = 0x00;
        for (int b = 3; b < DOMAIN_MAC_LEN; b++)
            net->mac[b] = (uint8_t)g_random_int_range(0, 256);
        net->has_mac = true;
    }
}

/* Serial ports are numbered in order; a console on an HVM guest without a type is the
 * first serial port, as in libvirt. */
static void domain_post_parse_chrs(DomainDef *def)
{
    int next_port = 0;

    for (guint i = 0; i < def->serials->len; i++) {
        DomainChrDef *chr = g_ptr_array_index(def->serials, i);

        if (chr->target_port < 0)
            chr->target_port = next_port;
        next_port = MAX(next_port, chr->target_port + 1);
    }
    for (guint i = 0; i < def->consoles->len; i++) {
        DomainChrDef *chr = g_ptr_array_index(def->consoles, i);

        if (!chr->target_type && def->os.type == DOMAIN_OS_HVM)
            chr->target_type = g_strdup("serial");
        if (chr->target_port < 0)
            chr->target_port = 0;
    }
}

static bool domain_extras_child_named(const XmlExtras *extras, const char *name)
{
    for (guint i = 0; extras && i < extras->children->len; i++) {
        const XmlElem *elem = g_ptr_array_index(extras->children, i);
        if (g_strcmp0(elem->name, name) == 0)
            return true;
    }
    return false;
}

static bool domain_has_controller(const DomainDef *def, DomainControllerType type)
{
    for (guint i = 0; i < def->controllers->len; i++) {
        const DomainControllerDef *ctrl = g_ptr_array_index(def->controllers, i);
        if (ctrl->type == type)
            return true;
    }
    return false;
}

static bool domain_has_disk_bus(const DomainDef *def, DomainDiskBus bus)
{
    for (guint i = 0; i < def->disks->len; i++) {
        const DomainDiskDef *disk = g_ptr_array_index(def->disks, i);
        if (disk->target_bus == bus)
            return true;
    }
    return false;
}

/* A disk on a controller bus implies that controller (index 0), added in libvirt's
 * order: scsi, fdc, ide, sata. */
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
    for (size_t i = 0; i < G_N_ELEMENTS(implied); i++) {
        DomainControllerDef *ctrl;

        if (!domain_has_disk_bus(def, implied[i].bus) ||
            domain_has_controller(def, implied[i].type))
            continue;
        ctrl = domain_controller_def_new();
        ctrl->type = implied[i].type;
        ctrl->index = 0;
        g_ptr_array_add(def->controllers, ctrl);
    }
}

/* The parts of a kept character device that describe its host side (tcp/udp sources,
 * protocol, log, live tty=), without its guest-side address or alias. */
static XmlExtras *domain_chr_source_extras_copy(const XmlExtras *extras)
{
    static const char *const host_side[] = { "source", "protocol", "log", NULL };
    XmlExtras *copy = xml_extras_copy(extras);

    if (!copy)
        return NULL;
    for (guint i = copy->children->len; i > 0; i--) {
        const XmlElem *elem = g_ptr_array_index(copy->children, i - 1);
        if (!g_strv_contains(host_side, elem->name))
            g_ptr_array_remove_index(copy->children, i - 1);
    }
    return copy;
}

/* An HVM guest with a serial port and no console gets the serial port as console. */
static void domain_post_parse_console(DomainDef *def)
{
    const DomainChrDef *serial;
    DomainChrDef *console;

    if (def->os.type != DOMAIN_OS_HVM || def->consoles->len || !def->serials->len)
        return;
    serial = g_ptr_array_index(def->serials, 0);
    console = domain_chr_def_new();
    console->type = serial->type;
    console->source_path = g_strdup(serial->source_path);
    console->source_mode = g_strdup(serial->source_mode);
    console->source_extras = xml_extras_copy(serial->source_extras);
    console->extras = domain_chr_source_extras_copy(serial->extras);
    console->target_type = g_strdup("serial");
    console->target_port = serial->target_port;
    g_ptr_array_add(def->consoles, console);
}

/* VNC and SPICE without a port pick one; without any listen they get an empty address
 * listen, which is how libvirt records "use the daemon's default". */
static void domain_post_parse_graphics_one(DomainGraphicsDef *gfx)
{
    bool network = gfx->type == DOMAIN_GRAPHICS_TYPE_VNC || gfx->type == DOMAIN_GRAPHICS_TYPE_SPICE;
    XmlElem *listen;

    if (!network)
        return;
    if (!gfx->autoport)
        gfx->autoport = g_strdup(gfx->port == -1 ? "yes" : "no");
    if (gfx->listen || domain_extras_child_named(gfx->extras, "listen"))
        return;
    if (!gfx->extras)
        gfx->extras = xml_extras_new();
    listen = xml_elem_new("listen", "");
    xml_elem_add_attr(listen, "type", "address");
    g_ptr_array_insert(gfx->extras->children, 0, listen);
}

/* Default video RAM by model (KiB), as libvirt fills it in. */
static unsigned int domain_video_default_vram(const char *model)
{
    static const struct {
        const char *model;
        unsigned int vram;
    } map[] = {
        { "vga", 16384 },   { "cirrus", 16384 }, { "xen", 16384 },
        { "bochs", 16384 }, { "vmvga", 4096 },   { "qxl", 65536 },
    };

    for (size_t i = 0; model && i < G_N_ELEMENTS(map); i++) {
        if (strcmp(model, map[i].model) == 0)
            return map[i].vram;
    }
    return 0;
}

static void domain_post_parse_videos(DomainDef *def)
{
    bool has_primary = false;

    for (guint i = 0; i < def->videos->len; i++) {
        DomainVideoDef *video = g_ptr_array_index(def->videos, i);

        if (!video->vram)
            video->vram = domain_video_default_vram(video->model);
        if (!video->heads)
            video->heads = 1;
        if (g_strcmp0(video->model, "qxl") == 0 && !video->ram)
            video->ram = 65536;
        if (g_strcmp0(video->model, "qxl") == 0 && !video->vgamem)
            video->vgamem = 16384;
        has_primary |= g_strcmp0(video->primary, "yes") == 0;
    }
    if (!has_primary && def->videos->len) {
        DomainVideoDef *first = g_ptr_array_index(def->videos, 0);
        g_free(first->primary);
        first->primary = g_strdup("yes");
    }
}

/**
 * domain_post_parse_devices: the generic device defaults, in dependency order (disk
 * buses before the controllers they imply, serial ports before the console).
 */
void domain_post_parse_devices(DomainDef *def)
{
    domain_post_parse_disks(def);
    domain_post_parse_controllers(def);
    domain_post_parse_nets(def);
    domain_post_parse_chrs(def);
    domain_post_parse_console(def);
    for (guint i = 0; i < def->graphics->len; i++)
        domain_post_parse_graphics_one(g_ptr_array_index(def->graphics, i));
    domain_post_parse_videos(def);
}
