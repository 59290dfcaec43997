/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Lifecycle of the domain model: constructors with "not given" defaults, destructors,
 * deep copy, MAC address text form. */

#include <stdio.h>

#include "conf/domain-def.h"
#include "conf/xml-extras.h"

/**
 * domain_disk_def_new: a disk with libvirt's defaults (type file, device disk).
 */
DomainDiskDef *domain_disk_def_new(void)
{
    return g_new0(DomainDiskDef, 1);
}

/**
 * domain_disk_def_free: accepts NULL, returns NULL.
 */
DomainDiskDef *domain_disk_def_free(DomainDiskDef *disk)
{
    if (!disk)
        return NULL;
    g_free(disk->driver_name);
    g_free(disk->driver_type);
    g_free(disk->driver_cache);
    g_free(disk->source);
    g_free(disk->target_dev);
    g_free(disk->serial);
    xml_extras_free(disk->boot_extras);
    xml_extras_free(disk->driver_extras);
    xml_extras_free(disk->source_extras);
    xml_extras_free(disk->target_extras);
    xml_extras_free(disk->extras);
    g_free(disk);
    return NULL;
}

/**
 * domain_controller_def_new: a controller without index (-1).
 */
DomainControllerDef *domain_controller_def_new(void)
{
    DomainControllerDef *ctrl = g_new0(DomainControllerDef, 1);

    ctrl->index = -1;
    return ctrl;
}

/**
 * domain_controller_def_free: accepts NULL, returns NULL.
 */
DomainControllerDef *domain_controller_def_free(DomainControllerDef *ctrl)
{
    if (!ctrl)
        return NULL;
    g_free(ctrl->model);
    xml_extras_free(ctrl->extras);
    g_free(ctrl);
    return NULL;
}

/**
 * domain_net_def_new: an interface without MAC (post-parse generates one).
 */
DomainNetDef *domain_net_def_new(void)
{
    return g_new0(DomainNetDef, 1);
}

/**
 * domain_net_def_free: accepts NULL, returns NULL.
 */
DomainNetDef *domain_net_def_free(DomainNetDef *net)
{
    if (!net)
        return NULL;
    g_free(net->source);
    g_free(net->source_mode);
    g_free(net->model);
    g_free(net->target_dev);
    xml_extras_free(net->mac_extras);
    xml_extras_free(net->source_extras);
    xml_extras_free(net->model_extras);
    xml_extras_free(net->target_extras);
    xml_extras_free(net->extras);
    g_free(net);
    return NULL;
}

/**
 * domain_chr_def_new: a character device without target port (-1).
 */
DomainChrDef *domain_chr_def_new(void)
{
    DomainChrDef *chr = g_new0(DomainChrDef, 1);

    chr->target_port = -1;
    return chr;
}

/**
 * domain_chr_def_free: accepts NULL, returns NULL.
 */
DomainChrDef *domain_chr_def_free(DomainChrDef *chr)
{
    if (!chr)
        return NULL;
    g_free(chr->source_path);
    g_free(chr->source_mode);
    g_free(chr->target_type);
    xml_extras_free(chr->source_extras);
    xml_extras_free(chr->target_extras);
    xml_extras_free(chr->extras);
    g_free(chr);
    return NULL;
}

/**
 * domain_graphics_def_new: graphics with an automatic port (-1).
 */
DomainGraphicsDef *domain_graphics_def_new(void)
{
    DomainGraphicsDef *gfx = g_new0(DomainGraphicsDef, 1);

    gfx->port = -1;
    return gfx;
}

/**
 * domain_graphics_def_free: accepts NULL, returns NULL; the password is wiped first.
 */
DomainGraphicsDef *domain_graphics_def_free(DomainGraphicsDef *gfx)
{
    if (!gfx)
        return NULL;
    g_free(gfx->autoport);
    g_free(gfx->listen);
    if (gfx->passwd)
        memset(gfx->passwd, 0, strlen(gfx->passwd));
    g_free(gfx->passwd);
    xml_extras_free(gfx->extras);
    g_free(gfx);
    return NULL;
}

/**
 * domain_video_def_new: a video device with nothing given.
 */
DomainVideoDef *domain_video_def_new(void)
{
    return g_new0(DomainVideoDef, 1);
}

/**
 * domain_video_def_free: accepts NULL, returns NULL.
 */
DomainVideoDef *domain_video_def_free(DomainVideoDef *video)
{
    if (!video)
        return NULL;
    g_free(video->model);
    g_free(video->primary);
    xml_extras_free(video->model_extras);
    xml_extras_free(video->extras);
    g_free(video);
    return NULL;
}

/**
 * domain_input_def_new: an input device with nothing given.
 */
DomainInputDef *domain_input_def_new(void)
{
    return g_new0(DomainInputDef, 1);
}

/**
 * domain_input_def_free: accepts NULL, returns NULL.
 */
DomainInputDef *domain_input_def_free(DomainInputDef *input)
{
    if (!input)
        return NULL;
    g_free(input->type);
    g_free(input->bus);
    xml_extras_free(input->extras);
    g_free(input);
    return NULL;
}

/**
 * domain_memballoon_def_new: a balloon with nothing given.
 */
DomainMemballoonDef *domain_memballoon_def_new(void)
{
    return g_new0(DomainMemballoonDef, 1);
}

/**
 * domain_memballoon_def_free: accepts NULL, returns NULL.
 */
DomainMemballoonDef *domain_memballoon_def_free(DomainMemballoonDef *balloon)
{
    if (!balloon)
        return NULL;
    g_free(balloon->model);
    xml_extras_free(balloon->extras);
    g_free(balloon);
    return NULL;
}

/**
 * domain_rng_def_new: an RNG device with nothing given.
 */
DomainRngDef *domain_rng_def_new(void)
{
    return g_new0(DomainRngDef, 1);
}

/**
 * domain_rng_def_free: accepts NULL, returns NULL.
 */
DomainRngDef *domain_rng_def_free(DomainRngDef *rng)
{
    if (!rng)
        return NULL;
    g_free(rng->model);
    g_free(rng->backend_model);
    g_free(rng->backend);
    xml_extras_free(rng->backend_extras);
    xml_extras_free(rng->extras);
    g_free(rng);
    return NULL;
}

/**
 * domain_fs_def_new: a filesystem with nothing given.
 */
DomainFsDef *domain_fs_def_new(void)
{
    return g_new0(DomainFsDef, 1);
}

/**
 * domain_fs_def_free: accepts NULL, returns NULL.
 */
DomainFsDef *domain_fs_def_free(DomainFsDef *fs)
{
    if (!fs)
        return NULL;
    g_free(fs->type);
    g_free(fs->accessmode);
    g_free(fs->source);
    g_free(fs->target);
    xml_extras_free(fs->source_extras);
    xml_extras_free(fs->target_extras);
    xml_extras_free(fs->extras);
    g_free(fs);
    return NULL;
}

#define DEVICE_FREE_FUNC(fn, type)    \
    static void fn##_void(gpointer p) \
    {                                 \
        (void)fn((type *)p);          \
    }

DEVICE_FREE_FUNC(domain_disk_def_free, DomainDiskDef)
DEVICE_FREE_FUNC(domain_controller_def_free, DomainControllerDef)
DEVICE_FREE_FUNC(domain_net_def_free, DomainNetDef)
DEVICE_FREE_FUNC(domain_chr_def_free, DomainChrDef)
DEVICE_FREE_FUNC(domain_graphics_def_free, DomainGraphicsDef)
DEVICE_FREE_FUNC(domain_video_def_free, DomainVideoDef)
DEVICE_FREE_FUNC(domain_input_def_free, DomainInputDef)
DEVICE_FREE_FUNC(domain_rng_def_free, DomainRngDef)
DEVICE_FREE_FUNC(domain_fs_def_free, DomainFsDef)

/**
 * domain_def_new: an empty definition with every device list allocated.
 */
DomainDef *domain_def_new(void)
{
    DomainDef *def = g_new0(DomainDef, 1);

    def->os.boot_devs = g_ptr_array_new_with_free_func(g_free);
    def->os.init_args = g_ptr_array_new_with_free_func(g_free);
    def->disks = g_ptr_array_new_with_free_func(domain_disk_def_free_void);
    def->controllers = g_ptr_array_new_with_free_func(domain_controller_def_free_void);
    def->nets = g_ptr_array_new_with_free_func(domain_net_def_free_void);
    def->serials = g_ptr_array_new_with_free_func(domain_chr_def_free_void);
    def->consoles = g_ptr_array_new_with_free_func(domain_chr_def_free_void);
    def->graphics = g_ptr_array_new_with_free_func(domain_graphics_def_free_void);
    def->videos = g_ptr_array_new_with_free_func(domain_video_def_free_void);
    def->inputs = g_ptr_array_new_with_free_func(domain_input_def_free_void);
    def->rngs = g_ptr_array_new_with_free_func(domain_rng_def_free_void);
    def->filesystems = g_ptr_array_new_with_free_func(domain_fs_def_free_void);
    return def;
}

static void domain_os_def_clear(DomainOsDef *os)
{
    g_free(os->arch);
    g_free(os->machine);
    g_ptr_array_unref(os->boot_devs);
    g_free(os->kernel);
    g_free(os->initrd);
    g_free(os->cmdline);
    g_free(os->dtb);
    g_free(os->loader);
    g_free(os->loader_readonly);
    g_free(os->loader_type);
    g_free(os->loader_secure);
    g_free(os->nvram);
    g_free(os->nvram_template);
    g_free(os->init);
    g_ptr_array_unref(os->init_args);
    xml_extras_free(os->type_extras);
    xml_extras_free(os->loader_extras);
    xml_extras_free(os->nvram_extras);
    xml_extras_free(os->extras);
}

static void domain_cpu_clock_clear(DomainCpuDef *cpu, DomainClockDef *clock)
{
    g_free(cpu->mode);
    g_free(cpu->match);
    g_free(cpu->check);
    g_free(cpu->model);
    g_free(cpu->model_fallback);
    xml_extras_free(cpu->model_extras);
    xml_extras_free(cpu->extras);
    g_free(clock->offset);
    g_free(clock->timezone);
    g_free(clock->adjustment);
    g_free(clock->basis);
    xml_extras_free(clock->extras);
}

/**
 * domain_def_free: release @def and everything it owns; accepts NULL, returns NULL.
 */
DomainDef *domain_def_free(DomainDef *def)
{
    if (!def)
        return NULL;
    g_free(def->name);
    g_free(def->title);
    g_free(def->description);
    xml_extras_free(def->metadata);
    xml_extras_free(def->memory_extras);
    g_free(def->vcpu_placement);
    g_free(def->vcpu_cpuset);
    domain_os_def_clear(&def->os);
    xml_extras_free(def->apic_extras);
    xml_extras_free(def->features_extras);
    domain_cpu_clock_clear(&def->cpu, &def->clock);
    g_free(def->emulator);
    g_ptr_array_unref(def->disks);
    g_ptr_array_unref(def->controllers);
    g_ptr_array_unref(def->nets);
    g_ptr_array_unref(def->serials);
    g_ptr_array_unref(def->consoles);
    g_ptr_array_unref(def->graphics);
    g_ptr_array_unref(def->videos);
    g_ptr_array_unref(def->inputs);
    g_ptr_array_unref(def->rngs);
    g_ptr_array_unref(def->filesystems);
    domain_memballoon_def_free(def->memballoon);
    xml_extras_free(def->devices_extras);
    xml_extras_free(def->extras);
    g_free(def);
    return NULL;
}

/**
 * domain_def_copy: deep copy of @def. Implemented as format + parse of the complete
 * (secure) XML, which the xml2xml tests prove lossless; fields the XML cannot carry are
 * copied explicitly. Never fails for a definition that came from the parser.
 */
DomainDef *domain_def_copy(const DomainDef *def)
{
    g_autofree char *xml = domain_def_format(def, -1, DOMAIN_FORMAT_SECURE);
    g_autoptr(GError) error = NULL;
    DomainDef *copy = domain_def_parse_string(xml, 0, &error);

    if (!copy)
        g_error("domain_def_copy: formatted XML does not parse back: %s", error->message);
    copy->has_uuid = def->has_uuid;
    memcpy(copy->uuid, def->uuid, sizeof(copy->uuid));
    copy->cur_memory_kib = def->cur_memory_kib;
    copy->vcpus_current = def->vcpus_current;
    return copy;
}

/**
 * domain_disk_name_index: the drive index encoded in a target name after its prefix
 * (fd, hd, sd, vd, xvd, ubd): letters in bijective base 26, as libvirt computes it.
 */
int domain_disk_name_index(const char *dev)
{
    static const char *const prefixes[] = { "xvd", "ubd", "fd", "hd", "sd", "vd" };
    const char *p = NULL;
    int index = 0;

    for (size_t i = 0; dev && i < G_N_ELEMENTS(prefixes) && !p; i++) {
        if (g_str_has_prefix(dev, prefixes[i]))
            p = dev + strlen(prefixes[i]);
    }
    if (!p || !g_ascii_islower(*p))
        return -1;
    for (int i = 0; g_ascii_islower(p[i]); i++) {
        if (index > G_MAXINT / 32)
            return -1;
        index = (i == 0 ? 0 : (index + 1) * 26) + (p[i] - 'a');
    }
    return index;
}

/**
 * domain_mac_parse: six colon-separated hex pairs.
 */
bool domain_mac_parse(const char *str, uint8_t ret_mac[DOMAIN_MAC_LEN])
{
    uint8_t mac[DOMAIN_MAC_LEN];

    if (!str || strlen(str) != 17)
        return false;
    for (int i = 0; i < DOMAIN_MAC_LEN; i++) {
        const char *p = str + i * 3;
        int hi = g_ascii_xdigit_value(p[0]);
        int lo = g_ascii_xdigit_value(p[1]);

        if (hi < 0 || lo < 0 || (i < DOMAIN_MAC_LEN - 1 && p[2] != ':'))
            return false;
        mac[i] = (uint8_t)(hi << 4 | lo);
    }
    memcpy(ret_mac, mac, sizeof(mac));
    return true;
}

/**
 * domain_mac_format: lower-case text form, as libvirt writes it.
 */
void domain_mac_format(const uint8_t mac[DOMAIN_MAC_LEN], char ret_str[18])
{
    g_snprintf(ret_str, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
               mac[5]);
}

/**
 * domain_net_source_attr: the <source> attribute that names an interface's source for
 * @type, shared by the parser and the formatter; NULL when the source is kept whole.
 */
const char *domain_net_source_attr(DomainNetType type)
{
    switch (type) {
    case DOMAIN_NET_TYPE_NETWORK:
        return "network";
    case DOMAIN_NET_TYPE_BRIDGE:
        return "bridge";
    case DOMAIN_NET_TYPE_DIRECT:
        return "dev";
    case DOMAIN_NET_TYPE_USER:
    case DOMAIN_NET_TYPE_ETHERNET:
    case DOMAIN_NET_TYPE_VHOSTUSER:
    case DOMAIN_NET_TYPE_SERVER:
    case DOMAIN_NET_TYPE_CLIENT:
    case DOMAIN_NET_TYPE_MCAST:
    case DOMAIN_NET_TYPE_UDP:
    case DOMAIN_NET_TYPE_INTERNAL:
    case DOMAIN_NET_TYPE_HOSTDEV:
    case DOMAIN_NET_TYPE_VDPA:
    case DOMAIN_NET_TYPE_NULL:
    case DOMAIN_NET_TYPE_VDS:
    case _DOMAIN_NET_TYPE_MAX:
    case _DOMAIN_NET_TYPE_INVALID:
        break;
    }
    return NULL;
}
