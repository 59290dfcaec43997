/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Device defaults libvirt applies for every driver: MAC addresses, serial ports and the
 * compat console, graphics ports and listens, filesystem access, video sizes and the
 * primary video; disks are in domain-postparse-disks.c. */

#include <string.h>

#include "conf/domain-postparse-priv.h"
#include "conf/xml-extras.h"

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

static DomainChrDef *domain_console_from_serial(const DomainChrDef *serial)
{
    DomainChrDef *console = domain_chr_def_new();

    console->type = serial->type;
    console->source_path = g_strdup(serial->source_path);
    console->source_mode = g_strdup(serial->source_mode);
    console->source_extras = xml_extras_copy(serial->source_extras);
    console->extras = domain_chr_source_extras_copy(serial->extras);
    console->target_type = g_strdup("serial");
    console->target_port = serial->target_port;
    return console;
}

/* On HVM the first console is the first serial port: a serial console without serial
 * ports gets one, and when the first console is something else (virtio, ...) a copy of
 * the serial port is put in front of it, as libvirt does. */
static DomainChrDef *domain_serial_from_console(const DomainChrDef *console)
{
    DomainChrDef *serial = domain_chr_def_new();

    serial->type = console->type;
    serial->source_path = g_strdup(console->source_path);
    serial->source_mode = g_strdup(console->source_mode);
    serial->source_extras = xml_extras_copy(console->source_extras);
    serial->extras = domain_chr_source_extras_copy(console->extras);
    serial->target_port = console->target_port;
    return serial;
}

static void domain_post_parse_console(DomainDef *def)
{
    DomainChrDef *first = def->consoles->len ? g_ptr_array_index(def->consoles, 0) : NULL;
    bool serial_console = first && g_strcmp0(first->target_type, "serial") == 0;

    if (def->os.type != DOMAIN_OS_HVM)
        return;
    if (!def->serials->len && serial_console)
        g_ptr_array_add(def->serials, domain_serial_from_console(first));
    if (!def->serials->len || serial_console)
        return;
    g_ptr_array_insert(def->consoles, 0,
                       domain_console_from_serial(g_ptr_array_index(def->serials, 0)));
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

/* Filesystems are passed through unless told otherwise. */
static void domain_post_parse_filesystems(DomainDef *def)
{
    for (guint i = 0; i < def->filesystems->len; i++) {
        DomainFsDef *fs = g_ptr_array_index(def->filesystems, i);

        if (!fs->accessmode)
            fs->accessmode = g_strdup("passthrough");
    }
}

/* Graphics without a video device get the virt type's default adapter; drivers whose
 * default depends on the machine (QEMU) add theirs in their hook. */
static void domain_post_parse_default_video(DomainDef *def)
{
    DomainVideoDef *video;

    if (!def->graphics->len || def->videos->len || def->os.type != DOMAIN_OS_HVM)
        return;
    if (def->virt_type != DOMAIN_VIRT_TEST && def->virt_type != DOMAIN_VIRT_XEN)
        return;
    video = domain_video_def_new();
    video->model = g_strdup("cirrus");
    g_ptr_array_add(def->videos, video);
}

/**
 * domain_post_parse_devices: the generic device defaults, in dependency order (serial
 * ports and consoles before the controllers a virtio console implies).
 */
void domain_post_parse_devices(DomainDef *def)
{
    domain_post_parse_chrs(def);
    domain_post_parse_console(def);
    domain_post_parse_disks(def);
    domain_post_parse_nets(def);
    for (guint i = 0; i < def->graphics->len; i++)
        domain_post_parse_graphics_one(g_ptr_array_index(def->graphics, i));
    domain_post_parse_filesystems(def);
    domain_post_parse_default_video(def);
    domain_post_parse_videos(def);
}
