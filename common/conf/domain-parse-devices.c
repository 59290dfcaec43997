/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Parsing of <devices>: one function per modelled device kind; unknown device kinds and
 * every unmodelled part of a known device are kept verbatim. */

#include <string.h>

#include "conf/domain-parse-priv.h"
#include "conf/xml-extras.h"
#include "conf/xml-read.h"
#include "util/error.h"

#define PARSE_ENUM_ATTR(node, attr, dflt, from_string, ret, error) \
    ({                                                             \
        g_autofree char *_str = xml_prop(node, attr);              \
        bool _ok = true;                                           \
        if (!_str && !(dflt)) {                                    \
            _ok = xml_error_missing_attr(node, attr, error);       \
        } else {                                                   \
            *(ret) = from_string(_str ? _str : (dflt));            \
            if ((int)*(ret) < 0)                                   \
                _ok = xml_error_bad_attr(node, attr, _str, error); \
        }                                                          \
        _ok;                                                       \
    })

/* The path attribute of a disk <source> by disk type; NULL: the source is kept whole. */
static const char *domain_disk_source_attr(DomainDiskType type)
{
    switch (type) {
    case DOMAIN_DISK_TYPE_FILE:
        return "file";
    case DOMAIN_DISK_TYPE_BLOCK:
        return "dev";
    case DOMAIN_DISK_TYPE_DIR:
        return "dir";
    case DOMAIN_DISK_TYPE_NETWORK:
    case DOMAIN_DISK_TYPE_VOLUME:
    case DOMAIN_DISK_TYPE_NVME:
    case DOMAIN_DISK_TYPE_VHOSTUSER:
    case _DOMAIN_DISK_TYPE_MAX:
    case _DOMAIN_DISK_TYPE_INVALID:
        break;
    }
    return NULL;
}

static bool domain_parse_disk_source(xmlNode *node, DomainDiskDef *disk, GError **error)
{
    const char *attr = domain_disk_source_attr(disk->type);
    const char *known[] = { attr, NULL };

    if (attr)
        domain_set_str(&disk->source, xml_prop(node, attr));
    disk->source_extras = xml_extras_collect(node, known, NULL);
    return true;
}

static bool domain_parse_disk_target(xmlNode *node, DomainDiskDef *disk, GError **error)
{
    static const char *const known[] = { "dev", "bus", NULL };

    domain_set_str(&disk->target_dev, xml_prop(node, "dev"));
    if (!disk->target_dev)
        return xml_error_missing_attr(node, "dev", error);
    g_autofree char *bus = xml_prop(node, "bus");

    disk->target_bus = bus ? domain_disk_bus_from_string(bus) : DOMAIN_DISK_BUS_NONE;
    if (disk->target_bus < 0)
        return xml_error_bad_attr(node, "bus", bus, error);
    disk->target_extras = xml_extras_collect(node, known, NULL);
    return true;
}

static bool domain_parse_disk_driver(xmlNode *node, DomainDiskDef *disk, GError **error)
{
    static const char *const known[] = { "name", "type", "cache", NULL };

    domain_set_str(&disk->driver_name, xml_prop(node, "name"));
    domain_set_str(&disk->driver_type, xml_prop(node, "type"));
    domain_set_str(&disk->driver_cache, xml_prop(node, "cache"));
    disk->driver_extras = xml_extras_collect(node, known, NULL);
    return true;
}

static bool domain_parse_disk_child(xmlNode *c, DomainDiskDef *disk, GError **error)
{
    if (xml_node_is(c, "driver"))
        return domain_parse_disk_driver(c, disk, error);
    if (xml_node_is(c, "source"))
        return domain_parse_disk_source(c, disk, error);
    if (xml_node_is(c, "target"))
        return domain_parse_disk_target(c, disk, error);
    if (xml_node_is(c, "boot")) {
        static const char *const known[] = { "order", NULL };

        disk->boot_extras = xml_extras_free(disk->boot_extras);
        disk->boot_extras = xml_extras_collect(c, known, NULL);
        return xml_prop_uint(c, "order", &disk->boot_order, error);
    }
    if (xml_node_is(c, "readonly"))
        disk->readonly = true;
    else if (xml_node_is(c, "shareable"))
        disk->shareable = true;
    else if (xml_node_is(c, "serial"))
        domain_set_str(&disk->serial, xml_text(c));
    return true;
}

/* libvirt keeps disks of one bus (as written: an unspecified bus is a bus of its own) in
 * drive-index order: a new disk goes before the first later-indexed disk of its bus, or
 * right after the last disk of its bus, or at the end. */
static guint domain_disk_insert_position(GPtrArray *disks, const DomainDiskDef *disk)
{
    int index = domain_disk_name_index(disk->target_dev);
    int at = -1;

    for (int i = (int)disks->len - 1; i >= 0; i--) {
        const DomainDiskDef *other = g_ptr_array_index(disks, i);

        if (other->target_bus != disk->target_bus)
            continue;
        if (domain_disk_name_index(other->target_dev) > index)
            at = i;
        else if (at == -1)
            at = i + 1;
    }
    return at == -1 ? disks->len : (guint)at;
}

static bool domain_parse_disk(xmlNode *node, DomainDef *def, GError **error)
{
    static const char *const known_attrs[] = { "type", "device", NULL };
    static const char *const known_children[] = { "driver",   "source",    "target", "boot",
                                                  "readonly", "shareable", "serial", NULL };
    g_autoptr(DomainDiskDef) disk = domain_disk_def_new();
    guint position;

    if (!PARSE_ENUM_ATTR(node, "type", "file", domain_disk_type_from_string, &disk->type, error) ||
        !PARSE_ENUM_ATTR(node, "device", "disk", domain_disk_device_from_string, &disk->device,
                         error))
        return false;
    for (xmlNode *c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && !domain_parse_disk_child(c, disk, error))
            return false;
    }
    if (!disk->target_dev) {
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_NO_TARGET,
                    "missing required element <target> in <disk>");
        return false;
    }
    disk->extras = xml_extras_collect_ordered(node, known_attrs, known_children, domain_order_disk);
    position = domain_disk_insert_position(def->disks, disk);
    g_ptr_array_insert(def->disks, (gint)position, g_steal_pointer(&disk));
    return true;
}

static bool domain_parse_controller(xmlNode *node, DomainDef *def, GError **error)
{
    static const char *const known_attrs[] = { "type", "index", "model", NULL };
    g_autoptr(DomainControllerDef) ctrl = domain_controller_def_new();
    unsigned int index = 0;
    g_autofree char *index_str = xml_prop(node, "index");

    if (!PARSE_ENUM_ATTR(node, "type", NULL, domain_controller_type_from_string, &ctrl->type,
                         error))
        return false;
    if (!xml_prop_uint(node, "index", &index, error))
        return false;
    if (index > G_MAXINT)
        return xml_error_bad_attr(node, "index", index_str, error);
    ctrl->index = index_str ? (int)index : -1;
    ctrl->model = xml_prop(node, "model");
    ctrl->extras = xml_extras_collect(node, known_attrs, NULL);
    g_ptr_array_add(def->controllers, g_steal_pointer(&ctrl));
    return true;
}

static bool domain_parse_net_mac(xmlNode *node, DomainNetDef *net, GError **error)
{
    static const char *const known[] = { "address", NULL };
    g_autofree char *addr = xml_prop(node, "address");

    if (!addr)
        return xml_error_missing_attr(node, "address", error);
    if (!domain_mac_parse(addr, net->mac)) {
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_XML_ERROR,
                    "invalid MAC address '%s' in <mac>", addr);
        return false;
    }
    if (net->mac[0] & 1) {
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_XML_ERROR,
                    "invalid MAC address '%s' in <mac>: expected a unicast address", addr);
        return false;
    }
    net->has_mac = true;
    net->mac_extras = xml_extras_collect(node, known, NULL);
    return true;
}

static bool domain_parse_net_source(xmlNode *node, DomainNetDef *net, GError **error)
{
    const char *attr = domain_net_source_attr(net->type);
    bool direct = net->type == DOMAIN_NET_TYPE_DIRECT;
    const char *known[] = { attr, direct ? "mode" : NULL, NULL };

    if (!attr) {
        net->source_extras = xml_extras_collect(node, NULL, NULL);
        return true;
    }
    domain_set_str(&net->source, xml_prop(node, attr));
    if (direct)
        domain_set_str(&net->source_mode, xml_prop(node, "mode"));
    net->source_extras = xml_extras_collect(node, known, NULL);
    return true;
}

static bool domain_parse_net_child(xmlNode *c, DomainNetDef *net, GError **error)
{
    static const char *const type_only[] = { "type", NULL };
    static const char *const dev_only[] = { "dev", NULL };

    if (xml_node_is(c, "mac"))
        return domain_parse_net_mac(c, net, error);
    if (xml_node_is(c, "source"))
        return domain_parse_net_source(c, net, error);
    if (xml_node_is(c, "model")) {
        domain_set_str(&net->model, xml_prop(c, "type"));
        net->model_extras = xml_extras_collect(c, type_only, NULL);
    } else if (xml_node_is(c, "target")) {
        domain_set_str(&net->target_dev, xml_prop(c, "dev"));
        net->target_extras = xml_extras_collect(c, dev_only, NULL);
    }
    return true;
}

static bool domain_parse_net(xmlNode *node, DomainDef *def, GError **error)
{
    static const char *const known_attrs[] = { "type", NULL };
    static const char *const known_children[] = { "mac", "source", "model", "target", NULL };
    g_autoptr(DomainNetDef) net = domain_net_def_new();

    if (!PARSE_ENUM_ATTR(node, "type", NULL, domain_net_type_from_string, &net->type, error))
        return false;
    for (xmlNode *c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && !domain_parse_net_child(c, net, error))
            return false;
    }
    net->extras = xml_extras_collect_ordered(node, known_attrs, known_children, domain_order_net);
    g_ptr_array_add(def->nets, g_steal_pointer(&net));
    return true;
}

/* Character devices whose <source> is a path (+ mode for unix); tcp, udp and the rest
 * keep their <source> elements whole. */
static bool domain_chr_has_path(DomainChrType type)
{
    switch (type) {
    case DOMAIN_CHR_TYPE_PTY:
    case DOMAIN_CHR_TYPE_DEV:
    case DOMAIN_CHR_TYPE_FILE:
    case DOMAIN_CHR_TYPE_PIPE:
    case DOMAIN_CHR_TYPE_UNIX:
        return true;
    case DOMAIN_CHR_TYPE_NULL:
    case DOMAIN_CHR_TYPE_VC:
    case DOMAIN_CHR_TYPE_STDIO:
    case DOMAIN_CHR_TYPE_UDP:
    case DOMAIN_CHR_TYPE_TCP:
    case DOMAIN_CHR_TYPE_SPICEVMC:
    case DOMAIN_CHR_TYPE_SPICEPORT:
    case DOMAIN_CHR_TYPE_NMDM:
    case DOMAIN_CHR_TYPE_QEMU_VDAGENT:
    case DOMAIN_CHR_TYPE_DBUS:
    case _DOMAIN_CHR_TYPE_MAX:
    case _DOMAIN_CHR_TYPE_INVALID:
        break;
    }
    return false;
}

static bool domain_parse_chr_source(xmlNode *node, DomainChrDef *chr, GError **error)
{
    static const char *const known[] = { "path", "mode", NULL };

    domain_set_str(&chr->source_path, xml_prop(node, "path"));
    domain_set_str(&chr->source_mode, xml_prop(node, "mode"));
    if (chr->source_mode && strcmp(chr->source_mode, "bind") != 0 &&
        strcmp(chr->source_mode, "connect") != 0)
        return xml_error_bad_attr(node, "mode", chr->source_mode, error);
    chr->source_extras = xml_extras_collect(node, known, NULL);
    return true;
}

static bool domain_parse_chr_target(xmlNode *node, DomainChrDef *chr, GError **error)
{
    static const char *const known[] = { "type", "port", NULL };
    unsigned int port = 0;
    g_autofree char *port_str = xml_prop(node, "port");

    if (!xml_prop_uint(node, "port", &port, error))
        return false;
    if (port > G_MAXINT)
        return xml_error_bad_attr(node, "port", port_str, error);
    chr->target_port = port_str ? (int)port : -1;
    domain_set_str(&chr->target_type, xml_prop(node, "type"));
    chr->target_extras = xml_extras_collect(node, known, NULL);
    return true;
}

static bool domain_parse_chr(xmlNode *node, GPtrArray *list, GError **error)
{
    static const char *const known_attrs[] = { "type", NULL };
    g_autoptr(DomainChrDef) chr = domain_chr_def_new();
    xmlNode *source = xml_child(node, "source");
    xmlNode *target = xml_child(node, "target");
    const char *known_children[] = { "target", NULL, NULL };

    if (!PARSE_ENUM_ATTR(node, "type", "pty", domain_chr_type_from_string, &chr->type, error))
        return false;
    if (source && domain_chr_has_path(chr->type)) {
        known_children[1] = "source";
        if (!domain_parse_chr_source(source, chr, error))
            return false;
    }
    if (target && !domain_parse_chr_target(target, chr, error))
        return false;
    chr->extras = xml_extras_collect(node, known_attrs, known_children);
    g_ptr_array_add(list, g_steal_pointer(&chr));
    return true;
}

static bool domain_parse_serial(xmlNode *node, DomainDef *def, GError **error)
{
    return domain_parse_chr(node, def->serials, error);
}

static bool domain_parse_console(xmlNode *node, DomainDef *def, GError **error)
{
    return domain_parse_chr(node, def->consoles, error);
}

/* <listen type='address' address='X'/> is the element form of listen='X': it is modelled
 * (and written back in both forms, as libvirt does); other <listen>s stay verbatim. */
static void domain_graphics_take_listen(DomainGraphicsDef *gfx)
{
    GPtrArray *children = gfx->extras ? gfx->extras->children : NULL;

    for (guint i = 0; children && i < children->len; i++) {
        XmlElem *elem = g_ptr_array_index(children, i);
        const char *type = NULL;
        const char *address = NULL;

        if (g_strcmp0(elem->name, "listen") != 0)
            continue;
        for (guint j = 0; j < elem->attrs->len; j++) {
            XmlAttr *attr = g_ptr_array_index(elem->attrs, j);
            if (strcmp(attr->name, "type") == 0)
                type = attr->value;
            else if (strcmp(attr->name, "address") == 0)
                address = attr->value;
        }
        if (g_strcmp0(type, "address") != 0 || !address || elem->attrs->len != 2 ||
            (gfx->listen && strcmp(gfx->listen, address) != 0))
            continue;
        if (!gfx->listen)
            gfx->listen = g_strdup(address);
        g_ptr_array_remove_index(children, i);
        return;
    }
}

static bool domain_parse_graphics(xmlNode *node, DomainDef *def, GError **error)
{
    static const char *const known_attrs[] = {
        "type", "port", "autoport", "listen", "passwd", NULL
    };
    g_autoptr(DomainGraphicsDef) gfx = domain_graphics_def_new();
    const char *autoport = NULL;

    if (!PARSE_ENUM_ATTR(node, "type", NULL, domain_graphics_type_from_string, &gfx->type, error) ||
        !xml_prop_int(node, "port", &gfx->port, error) ||
        !xml_prop_yesno(node, "autoport", &autoport, error))
        return false;
    if (gfx->port < -1 || gfx->port > 65535) {
        g_autofree char *port = xml_prop(node, "port");
        return xml_error_bad_attr(node, "port", port, error);
    }
    gfx->autoport = g_strdup(autoport);
    gfx->listen = xml_prop(node, "listen");
    gfx->passwd = xml_prop(node, "passwd");
    gfx->extras = xml_extras_collect(node, known_attrs, NULL);
    domain_graphics_take_listen(gfx);
    g_ptr_array_add(def->graphics, g_steal_pointer(&gfx));
    return true;
}

static bool domain_parse_video(xmlNode *node, DomainDef *def, GError **error)
{
    static const char *const model_known[] = { "type",  "ram",     "vram", "vgamem",
                                               "heads", "primary", NULL };
    static const char *const known_children[] = { "model", NULL };
    g_autoptr(DomainVideoDef) video = domain_video_def_new();
    xmlNode *model = xml_child(node, "model");

    if (model) {
        video->model = xml_prop(model, "type");
        const char *primary = NULL;

        if (!xml_prop_uint(model, "ram", &video->ram, error) ||
            !xml_prop_uint(model, "vram", &video->vram, error) ||
            !xml_prop_uint(model, "vgamem", &video->vgamem, error) ||
            !xml_prop_uint(model, "heads", &video->heads, error) ||
            !xml_prop_yesno(model, "primary", &primary, error))
            return false;
        video->primary = g_strdup(primary);
        video->model_extras = xml_extras_collect(model, model_known, NULL);
    }
    video->extras = xml_extras_collect(node, NULL, known_children);
    g_ptr_array_add(def->videos, g_steal_pointer(&video));
    return true;
}

static bool domain_parse_input(xmlNode *node, DomainDef *def, GError **error)
{
    static const char *const known_attrs[] = { "type", "bus", NULL };
    static const char *const types[] = {
        "mouse", "tablet", "keyboard", "passthrough", "evdev", NULL
    };
    g_autoptr(DomainInputDef) input = domain_input_def_new();

    input->type = xml_prop(node, "type");
    if (!input->type)
        return xml_error_missing_attr(node, "type", error);
    if (!g_strv_contains(types, input->type))
        return xml_error_bad_attr(node, "type", input->type, error);
    input->bus = xml_prop(node, "bus");
    input->extras = xml_extras_collect(node, known_attrs, NULL);
    g_ptr_array_add(def->inputs, g_steal_pointer(&input));
    return true;
}

static bool domain_parse_memballoon(xmlNode *node, DomainDef *def, GError **error)
{
    static const char *const known_attrs[] = { "model", NULL };
    g_autoptr(DomainMemballoonDef) balloon = domain_memballoon_def_new();

    balloon->model = xml_prop(node, "model");
    if (!balloon->model)
        return xml_error_missing_attr(node, "model", error);
    balloon->extras = xml_extras_collect(node, known_attrs, NULL);
    domain_memballoon_def_free(def->memballoon);
    def->memballoon = g_steal_pointer(&balloon);
    return true;
}

static bool domain_parse_rng(xmlNode *node, DomainDef *def, GError **error)
{
    static const char *const known_attrs[] = { "model", NULL };
    static const char *const known_children[] = { "backend", NULL };
    static const char *const backend_known[] = { "model", NULL };
    g_autoptr(DomainRngDef) rng = domain_rng_def_new();
    xmlNode *backend = xml_child(node, "backend");

    rng->model = xml_prop(node, "model");
    if (!rng->model)
        return xml_error_missing_attr(node, "model", error);
    if (!backend) {
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_XML_ERROR,
                    "missing required element <backend> in <rng>");
        return false;
    }
    rng->backend_model = xml_prop(backend, "model");
    if (!rng->backend_model)
        return xml_error_missing_attr(backend, "model", error);
    if (!xml_child(backend, "source")) {
        rng->backend = xml_text(backend);
        g_strstrip(rng->backend);
        if (!*rng->backend)
            domain_set_str(&rng->backend, NULL);
    }
    rng->backend_extras = xml_extras_collect(backend, backend_known, NULL);
    rng->extras = xml_extras_collect(node, known_attrs, known_children);
    g_ptr_array_add(def->rngs, g_steal_pointer(&rng));
    return true;
}

/* The attribute of a filesystem <source> by type; NULL: the source is kept whole. */
static const char *domain_fs_source_attr(const char *type)
{
    static const char *const map[][2] = {
        { "mount", "dir" }, { "bind", "dir" },      { "block", "dev" },
        { "file", "file" }, { "template", "name" }, { "ram", "usage" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
        if (strcmp(type, map[i][0]) == 0)
            return map[i][1];
    }
    return NULL;
}

static bool domain_parse_fs_children(xmlNode *node, DomainFsDef *fs, GError **error)
{
    static const char *const target_known[] = { "dir", NULL };
    xmlNode *source = xml_child(node, "source");
    xmlNode *target = xml_child(node, "target");
    const char *attr = domain_fs_source_attr(fs->type);
    const char *source_known[] = { attr, NULL };

    if (source) {
        if (attr)
            fs->source = xml_prop(source, attr);
        fs->source_extras = xml_extras_collect(source, source_known, NULL);
    }
    if (!target || !(fs->target = xml_prop(target, "dir"))) {
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_NO_TARGET,
                    "missing required <target dir='...'/> in <filesystem>");
        return false;
    }
    fs->target_extras = xml_extras_collect(target, target_known, NULL);
    fs->readonly = xml_child(node, "readonly") != NULL;
    return true;
}

static bool domain_parse_fs(xmlNode *node, DomainDef *def, GError **error)
{
    static const char *const known_attrs[] = { "type", "accessmode", NULL };
    static const char *const known_children[] = { "source", "target", "readonly", NULL };
    static const char *const types[] = { "mount", "block", "file",   "template",
                                         "ram",   "bind",  "volume", NULL };
    static const char *const modes[] = { "passthrough", "mapped", "squash", NULL };
    g_autoptr(DomainFsDef) fs = domain_fs_def_new();

    fs->type = xml_prop(node, "type");
    if (!fs->type)
        fs->type = g_strdup("mount");
    if (!g_strv_contains(types, fs->type))
        return xml_error_bad_attr(node, "type", fs->type, error);
    fs->accessmode = xml_prop(node, "accessmode");
    if (fs->accessmode && !g_strv_contains(modes, fs->accessmode))
        return xml_error_bad_attr(node, "accessmode", fs->accessmode, error);
    if (!domain_parse_fs_children(node, fs, error))
        return false;
    fs->extras = xml_extras_collect(node, known_attrs, known_children);
    g_ptr_array_add(def->filesystems, g_steal_pointer(&fs));
    return true;
}

static bool domain_parse_emulator(xmlNode *node, DomainDef *def, GError **error)
{
    g_autofree char *text = xml_text(node);

    g_strstrip(text);
    domain_set_str(&def->emulator, g_steal_pointer(&text));
    return true;
}

typedef bool (*DeviceParser)(xmlNode *node, DomainDef *def, GError **error);

static const struct {
    const char *name;
    DeviceParser parse;
} device_parsers[] = {
    { "emulator", domain_parse_emulator },     { "disk", domain_parse_disk },
    { "controller", domain_parse_controller }, { "filesystem", domain_parse_fs },
    { "interface", domain_parse_net },         { "serial", domain_parse_serial },
    { "console", domain_parse_console },       { "input", domain_parse_input },
    { "graphics", domain_parse_graphics },     { "video", domain_parse_video },
    { "memballoon", domain_parse_memballoon }, { "rng", domain_parse_rng },
};

/**
 * domain_parse_devices: every child of <devices>; kinds without a parser go to
 * def->devices_extras.
 */
bool domain_parse_devices(xmlNode *node, DomainDef *def, GError **error)
{
    const char *known[G_N_ELEMENTS(device_parsers) + 1] = { NULL };

    for (size_t i = 0; i < G_N_ELEMENTS(device_parsers); i++)
        known[i] = device_parsers[i].name;
    for (xmlNode *c = node->children; c; c = c->next) {
        for (size_t i = 0; i < G_N_ELEMENTS(device_parsers); i++) {
            if (xml_node_is(c, device_parsers[i].name) && !device_parsers[i].parse(c, def, error))
                return false;
        }
    }
    def->devices_extras = xml_extras_free(def->devices_extras);
    def->devices_extras = xml_extras_collect_ordered(node, NULL, known, domain_order_devices);
    return true;
}
