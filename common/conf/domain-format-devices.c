/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Formatting of <devices>, in libvirt's device order; kept device kinds follow the
 * modelled kind they came after in the input. */

#include "conf/domain-format-priv.h"
#include "conf/xml-extras.h"

/* <name attr='value' extras...>extras children</name>, skipped when there is nothing */
static void domain_format_simple(XmlWriter *w, const char *name, const char *attr,
                                 const char *value, const XmlExtras *extras)
{
    if (!value && xml_extras_is_empty(extras))
        return;
    xml_writer_start(w, name);
    xml_writer_attr(w, attr, value);
    xml_extras_write_attrs(w, extras);
    xml_extras_write_all(w, extras);
    xml_writer_end(w);
}

static void domain_format_disk_source(XmlWriter *w, const DomainDiskDef *disk)
{
    static const char *const attrs[] = {
        [DOMAIN_DISK_TYPE_FILE] = "file",
        [DOMAIN_DISK_TYPE_BLOCK] = "dev",
        [DOMAIN_DISK_TYPE_DIR] = "dir",
    };
    const char *attr = (size_t)disk->type < G_N_ELEMENTS(attrs) ? attrs[disk->type] : NULL;

    domain_format_simple(w, "source", attr ? attr : "file", attr ? disk->source : NULL,
                         disk->source_extras);
    xml_extras_write_after(w, disk->extras, "source");
}

static void domain_format_disk_body(XmlWriter *w, const DomainDiskDef *disk)
{
    xml_extras_write_after(w, disk->extras, "");
    if (disk->driver_name || disk->driver_type || disk->driver_cache || disk->driver_extras) {
        xml_writer_start(w, "driver");
        xml_writer_attr(w, "name", disk->driver_name);
        xml_writer_attr(w, "type", disk->driver_type);
        xml_writer_attr(w, "cache", disk->driver_cache);
        xml_extras_write_attrs(w, disk->driver_extras);
        xml_extras_write_all(w, disk->driver_extras);
        xml_writer_end(w);
    }
    xml_extras_write_after(w, disk->extras, "driver");
    domain_format_disk_source(w, disk);
    xml_writer_start(w, "target");
    xml_writer_attr(w, "dev", disk->target_dev);
    xml_writer_attr(w, "bus", domain_disk_bus_to_string(disk->target_bus));
    xml_extras_write_attrs(w, disk->target_extras);
    xml_extras_write_all(w, disk->target_extras);
    xml_writer_end(w);
    xml_extras_write_after(w, disk->extras, "target");
}

static void domain_format_disk(XmlWriter *w, const DomainDiskDef *disk)
{
    xml_writer_start(w, "disk");
    xml_writer_attr(w, "type", domain_disk_type_to_string(disk->type));
    xml_writer_attr(w, "device", domain_disk_device_to_string(disk->device));
    xml_extras_write_attrs(w, disk->extras);
    domain_format_disk_body(w, disk);
    if (disk->readonly) {
        xml_writer_start(w, "readonly");
        xml_writer_end(w);
    }
    xml_extras_write_after(w, disk->extras, "readonly");
    if (disk->shareable) {
        xml_writer_start(w, "shareable");
        xml_writer_end(w);
    }
    xml_extras_write_after(w, disk->extras, "shareable");
    xml_writer_text_element(w, "serial", disk->serial);
    xml_extras_write_after(w, disk->extras, "serial");
    /* <boot> belongs to the device info block libvirt writes last (boot, alias, address) */
    if (disk->boot_order) {
        xml_writer_start(w, "boot");
        xml_writer_attr_uint(w, "order", disk->boot_order);
        xml_extras_write_attrs(w, disk->boot_extras);
        xml_writer_end(w);
    }
    xml_extras_write_after(w, disk->extras, "boot");
    xml_writer_end(w);
}

static void domain_format_controller(XmlWriter *w, const DomainControllerDef *ctrl)
{
    xml_writer_start(w, "controller");
    xml_writer_attr(w, "type", domain_controller_type_to_string(ctrl->type));
    if (ctrl->index >= 0)
        xml_writer_attr_int(w, "index", ctrl->index);
    xml_writer_attr(w, "model", ctrl->model);
    xml_extras_write_attrs(w, ctrl->extras);
    xml_extras_write_all(w, ctrl->extras);
    xml_writer_end(w);
}

static void domain_format_net_source(XmlWriter *w, const DomainNetDef *net)
{
    const char *attr = domain_net_source_attr(net->type);

    if (!net->source && !net->source_mode && xml_extras_is_empty(net->source_extras))
        return;
    xml_writer_start(w, "source");
    xml_writer_attr(w, attr ? attr : "dev", net->source);
    xml_writer_attr(w, "mode", net->source_mode);
    xml_extras_write_attrs(w, net->source_extras);
    xml_extras_write_all(w, net->source_extras);
    xml_writer_end(w);
}

static void domain_format_net(XmlWriter *w, const DomainNetDef *net)
{
    char mac[18];

    xml_writer_start(w, "interface");
    xml_writer_attr(w, "type", domain_net_type_to_string(net->type));
    xml_extras_write_attrs(w, net->extras);
    xml_extras_write_after(w, net->extras, "");
    if (net->has_mac) {
        domain_mac_format(net->mac, mac);
        domain_format_simple(w, "mac", "address", mac, net->mac_extras);
    }
    xml_extras_write_after(w, net->extras, "mac");
    domain_format_net_source(w, net);
    xml_extras_write_after(w, net->extras, "source");
    domain_format_simple(w, "target", "dev", net->target_dev, net->target_extras);
    xml_extras_write_after(w, net->extras, "target");
    domain_format_simple(w, "model", "type", net->model, net->model_extras);
    xml_extras_write_after(w, net->extras, "model");
    xml_writer_end(w);
}

static void domain_format_chr(XmlWriter *w, const char *name, const DomainChrDef *chr)
{
    xml_writer_start(w, name);
    xml_writer_attr(w, "type", domain_chr_type_to_string(chr->type));
    xml_extras_write_attrs(w, chr->extras);
    xml_extras_write_after(w, chr->extras, "");
    if (chr->source_path || chr->source_mode || chr->source_extras) {
        xml_writer_start(w, "source");
        xml_writer_attr(w, "mode", chr->source_mode);
        xml_writer_attr(w, "path", chr->source_path);
        xml_extras_write_attrs(w, chr->source_extras);
        xml_extras_write_all(w, chr->source_extras);
        xml_writer_end(w);
    }
    xml_extras_write_after(w, chr->extras, "source");
    if (chr->target_type || chr->target_port >= 0 || chr->target_extras) {
        xml_writer_start(w, "target");
        xml_writer_attr(w, "type", chr->target_type);
        if (chr->target_port >= 0)
            xml_writer_attr_int(w, "port", chr->target_port);
        xml_extras_write_attrs(w, chr->target_extras);
        xml_extras_write_all(w, chr->target_extras);
        xml_writer_end(w);
    }
    xml_extras_write_after(w, chr->extras, "target");
    xml_writer_end(w);
}

static void domain_format_graphics(XmlWriter *w, const DomainGraphicsDef *gfx,
                                   DomainFormatFlags flags)
{
    xml_writer_start(w, "graphics");
    xml_writer_attr(w, "type", domain_graphics_type_to_string(gfx->type));
    /* an automatic VNC port shows as port='-1'; other types omit it */
    if (gfx->port != -1 || (gfx->type == DOMAIN_GRAPHICS_TYPE_VNC && gfx->autoport))
        xml_writer_attr_int(w, "port", gfx->port);
    xml_writer_attr(w, "autoport", gfx->autoport);
    xml_writer_attr(w, "listen", gfx->listen);
    xml_extras_write_attrs(w, gfx->extras);
    if (flags & DOMAIN_FORMAT_SECURE)
        xml_writer_attr(w, "passwd", gfx->passwd);
    if (gfx->listen) {
        xml_writer_start(w, "listen");
        xml_writer_attr(w, "type", "address");
        xml_writer_attr(w, "address", gfx->listen);
        xml_writer_end(w);
    }
    xml_extras_write_all(w, gfx->extras);
    xml_writer_end(w);
}

static void domain_format_video(XmlWriter *w, const DomainVideoDef *video)
{
    xml_writer_start(w, "video");
    xml_extras_write_attrs(w, video->extras);
    xml_extras_write_after(w, video->extras, "");
    if (video->model || video->vram || video->heads || video->primary || video->model_extras) {
        xml_writer_start(w, "model");
        xml_writer_attr(w, "type", video->model);
        if (video->ram)
            xml_writer_attr_uint(w, "ram", video->ram);
        if (video->vram)
            xml_writer_attr_uint(w, "vram", video->vram);
        if (video->vgamem)
            xml_writer_attr_uint(w, "vgamem", video->vgamem);
        if (video->heads)
            xml_writer_attr_uint(w, "heads", video->heads);
        xml_writer_attr(w, "primary", video->primary);
        xml_extras_write_attrs(w, video->model_extras);
        xml_extras_write_all(w, video->model_extras);
        xml_writer_end(w);
    }
    xml_extras_write_after(w, video->extras, "model");
    xml_writer_end(w);
}

static void domain_format_input(XmlWriter *w, const DomainInputDef *input)
{
    xml_writer_start(w, "input");
    xml_writer_attr(w, "type", input->type);
    xml_writer_attr(w, "bus", input->bus);
    xml_extras_write_attrs(w, input->extras);
    xml_extras_write_all(w, input->extras);
    xml_writer_end(w);
}

static void domain_format_rng(XmlWriter *w, const DomainRngDef *rng)
{
    xml_writer_start(w, "rng");
    xml_writer_attr(w, "model", rng->model);
    xml_extras_write_attrs(w, rng->extras);
    xml_extras_write_after(w, rng->extras, "");
    xml_writer_start(w, "backend");
    xml_writer_attr(w, "model", rng->backend_model);
    xml_extras_write_attrs(w, rng->backend_extras);
    xml_extras_write_all(w, rng->backend_extras);
    if (rng->backend)
        xml_writer_text(w, rng->backend);
    xml_writer_end(w);
    xml_extras_write_after(w, rng->extras, "backend");
    xml_writer_end(w);
}

static void domain_format_fs(XmlWriter *w, const DomainFsDef *fs)
{
    static const char *const map[][2] = {
        { "mount", "dir" }, { "bind", "dir" },      { "block", "dev" },
        { "file", "file" }, { "template", "name" }, { "ram", "usage" },
    };
    const char *attr = "dir";

    for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
        if (g_strcmp0(fs->type, map[i][0]) == 0)
            attr = map[i][1];
    }
    xml_writer_start(w, "filesystem");
    xml_writer_attr(w, "type", fs->type);
    xml_writer_attr(w, "accessmode", fs->accessmode);
    xml_extras_write_attrs(w, fs->extras);
    xml_extras_write_after(w, fs->extras, "");
    domain_format_simple(w, "source", attr, fs->source, fs->source_extras);
    xml_extras_write_after(w, fs->extras, "source");
    domain_format_simple(w, "target", "dir", fs->target, fs->target_extras);
    xml_extras_write_after(w, fs->extras, "target");
    if (fs->readonly) {
        xml_writer_start(w, "readonly");
        xml_writer_end(w);
    }
    xml_extras_write_after(w, fs->extras, "readonly");
    xml_writer_end(w);
}

static void domain_format_device_list(XmlWriter *w, const DomainDef *def, const char *name,
                                      DomainFormatFlags flags)
{
    const XmlExtras *extras = def->devices_extras;

    if (g_str_equal(name, "disk")) {
        for (guint i = 0; i < def->disks->len; i++)
            domain_format_disk(w, g_ptr_array_index(def->disks, i));
    } else if (g_str_equal(name, "controller")) {
        for (guint i = 0; i < def->controllers->len; i++)
            domain_format_controller(w, g_ptr_array_index(def->controllers, i));
    } else if (g_str_equal(name, "filesystem")) {
        for (guint i = 0; i < def->filesystems->len; i++)
            domain_format_fs(w, g_ptr_array_index(def->filesystems, i));
    } else if (g_str_equal(name, "interface")) {
        for (guint i = 0; i < def->nets->len; i++)
            domain_format_net(w, g_ptr_array_index(def->nets, i));
    } else if (g_str_equal(name, "serial")) {
        for (guint i = 0; i < def->serials->len; i++)
            domain_format_chr(w, "serial", g_ptr_array_index(def->serials, i));
    } else if (g_str_equal(name, "console")) {
        for (guint i = 0; i < def->consoles->len; i++)
            domain_format_chr(w, "console", g_ptr_array_index(def->consoles, i));
    } else if (g_str_equal(name, "input")) {
        for (guint i = 0; i < def->inputs->len; i++)
            domain_format_input(w, g_ptr_array_index(def->inputs, i));
    } else if (g_str_equal(name, "graphics")) {
        for (guint i = 0; i < def->graphics->len; i++)
            domain_format_graphics(w, g_ptr_array_index(def->graphics, i), flags);
    } else if (g_str_equal(name, "video")) {
        for (guint i = 0; i < def->videos->len; i++)
            domain_format_video(w, g_ptr_array_index(def->videos, i));
    } else if (g_str_equal(name, "memballoon")) {
        if (def->memballoon)
            domain_format_simple(w, "memballoon", "model", def->memballoon->model,
                                 def->memballoon->extras);
    } else if (g_str_equal(name, "rng")) {
        for (guint i = 0; i < def->rngs->len; i++)
            domain_format_rng(w, g_ptr_array_index(def->rngs, i));
    }
    xml_extras_write_after(w, extras, name);
}

/**
 * domain_format_devices: <devices> in libvirt's order (emulator, disk, controller,
 * filesystem, interface, serial, console, input, graphics, video, memballoon, rng).
 */
void domain_format_devices(XmlWriter *w, const DomainDef *def, DomainFormatFlags flags)
{
    static const char *const order[] = { "disk",   "controller", "filesystem", "interface",
                                         "serial", "console",    "input",      "graphics",
                                         "video",  "memballoon", "rng" };

    xml_writer_start(w, "devices");
    xml_extras_write_attrs(w, def->devices_extras);
    xml_writer_open_children(w);
    xml_extras_write_after(w, def->devices_extras, "");
    xml_writer_text_element(w, "emulator", def->emulator);
    xml_extras_write_after(w, def->devices_extras, "emulator");
    for (size_t i = 0; i < G_N_ELEMENTS(order); i++)
        domain_format_device_list(w, def, order[i], flags);
    xml_writer_end(w);
}
