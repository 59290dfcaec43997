/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Post-parse defaults: what libvirt fills in for every driver after parsing, followed by
 * the driver's own hooks. Random parts (UUID, MAC) come from GLib's generator: they are
 * the one non-deterministic step, kept out of parse and format. */

#include <string.h>

#include "conf/domain-def.h"
#include "conf/xml-extras.h"
#include "util/error.h"

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

static void domain_post_parse_graphics(DomainDef *def)
{
    for (guint i = 0; i < def->graphics->len; i++) {
        DomainGraphicsDef *gfx = g_ptr_array_index(def->graphics, i);
        bool has_port =
            gfx->type == DOMAIN_GRAPHICS_TYPE_VNC || gfx->type == DOMAIN_GRAPHICS_TYPE_SPICE;

        if (has_port && !gfx->autoport)
            gfx->autoport = g_strdup(gfx->port == -1 ? "yes" : "no");
    }
}

static void domain_post_parse_basics(DomainDef *def)
{
    if (!def->has_uuid) {
        virt_uuid_generate(def->uuid);
        def->has_uuid = true;
    }
    if (!def->cur_memory_kib || def->cur_memory_kib > def->memory_kib)
        def->cur_memory_kib = def->memory_kib;
    if (!def->vcpus)
        def->vcpus = 1;
    if (!def->vcpus_current)
        def->vcpus_current = def->vcpus;
    if (!def->vcpu_placement)
        def->vcpu_placement = g_strdup("static");
    if (def->os.type == DOMAIN_OS_HVM && def->os.boot_devs->len == 0 && !def->os.kernel)
        g_ptr_array_add(def->os.boot_devs, g_strdup("hd"));
    if (!def->clock.offset)
        def->clock.offset = g_strdup("utc");
    if (!def->on_poweroff)
        def->on_poweroff = DOMAIN_LIFECYCLE_DESTROY;
    if (!def->on_reboot)
        def->on_reboot = DOMAIN_LIFECYCLE_RESTART;
    if (!def->on_crash)
        def->on_crash = DOMAIN_LIFECYCLE_DESTROY;
}

static bool domain_post_parse_device_list(DomainDef *def, const DomainPostParseOps *ops,
                                          DomainDeviceKind kind, GPtrArray *list, GError **error)
{
    for (guint i = 0; i < list->len; i++) {
        if (!ops->device(def, kind, g_ptr_array_index(list, i), ops->opaque, error))
            return false;
    }
    return true;
}

static bool domain_post_parse_driver_devices(DomainDef *def, const DomainPostParseOps *ops,
                                             GError **error)
{
    const struct {
        DomainDeviceKind kind;
        GPtrArray *list;
    } lists[] = {
        { DOMAIN_DEVICE_DISK, def->disks },       { DOMAIN_DEVICE_CONTROLLER, def->controllers },
        { DOMAIN_DEVICE_NET, def->nets },         { DOMAIN_DEVICE_SERIAL, def->serials },
        { DOMAIN_DEVICE_CONSOLE, def->consoles }, { DOMAIN_DEVICE_GRAPHICS, def->graphics },
        { DOMAIN_DEVICE_VIDEO, def->videos },     { DOMAIN_DEVICE_INPUT, def->inputs },
        { DOMAIN_DEVICE_RNG, def->rngs },         { DOMAIN_DEVICE_FS, def->filesystems },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(lists); i++) {
        if (!domain_post_parse_device_list(def, ops, lists[i].kind, lists[i].list, error))
            return false;
    }
    if (def->memballoon &&
        !ops->device(def, DOMAIN_DEVICE_MEMBALLOON, def->memballoon, ops->opaque, error))
        return false;
    return true;
}

/**
 * domain_def_post_parse: fill in the defaults libvirt applies after parsing (UUID, MACs,
 * disk buses from target names, currentMemory, current vcpus, boot device, lifecycle
 * actions, serial/console targets, graphics autoport), then run @driver_ops (may be
 * NULL): the domain hook first, then the device hook for every device.
 */
bool domain_def_post_parse(DomainDef *def, const DomainPostParseOps *driver_ops, GError **error)
{
    domain_post_parse_basics(def);
    domain_post_parse_disks(def);
    domain_post_parse_nets(def);
    domain_post_parse_chrs(def);
    domain_post_parse_graphics(def);
    if (!driver_ops)
        return true;
    if (driver_ops->domain && !driver_ops->domain(def, driver_ops->opaque, error))
        return false;
    if (driver_ops->device && !domain_post_parse_driver_devices(def, driver_ops, error))
        return false;
    return true;
}
