/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Post-parse defaults: what libvirt fills in for every driver after parsing, followed by
 * the driver's own hooks. Random parts (UUID, MAC) come from GLib's generator: they are
 * the one non-deterministic step, kept out of parse and format. */

#include <string.h>

#include "conf/domain-def.h"
#include "conf/domain-postparse-priv.h"
#include "conf/xml-extras.h"
#include "util/error.h"

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
    /* per-device <boot order> and <os><boot dev> exclude each other */
    if (def->os.type == DOMAIN_OS_HVM && def->os.boot_devs->len == 0 &&
        !domain_def_has_device_boot(def))
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
 * domain_def_post_parse: fill in the defaults libvirt applies for every driver after
 * parsing (UUID, currentMemory, vcpus, boot device, clock, lifecycle actions, and the
 * device defaults of domain_post_parse_devices()), then run @driver_ops (may be NULL):
 * the domain hook first, then the device hook for every device.
 */
bool domain_def_post_parse(DomainDef *def, const DomainPostParseOps *driver_ops, GError **error)
{
    domain_post_parse_basics(def);
    domain_post_parse_devices(def);
    if (!driver_ops)
        return true;
    if (driver_ops->domain && !driver_ops->domain(def, driver_ops->opaque, error))
        return false;
    if (driver_ops->device && !domain_post_parse_driver_devices(def, driver_ops, error))
        return false;
    return true;
}
