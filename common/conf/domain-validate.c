/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Cross-element checks on a parsed (and usually post-parsed) definition. */

#include <string.h>

#include "conf/domain-def.h"
#include "conf/domain-parse-priv.h"
#include "conf/xml-extras.h"
#include "util/error.h"
#include "util/name.h"

static bool domain_extras_has_child(const XmlExtras *extras, const char *name)
{
    for (guint i = 0; extras && i < extras->children->len; i++) {
        const XmlElem *elem = g_ptr_array_index(extras->children, i);
        if (g_strcmp0(elem->name, name) == 0)
            return true;
    }
    return false;
}

/**
 * domain_def_has_device_boot: whether any device carries a <boot order>, which excludes
 * <os><boot dev> (libvirt refuses both together).
 */
bool domain_def_has_device_boot(const DomainDef *def)
{
    for (guint i = 0; i < def->disks->len; i++) {
        const DomainDiskDef *disk = g_ptr_array_index(def->disks, i);
        if (disk->boot_order)
            return true;
    }
    for (guint i = 0; i < def->nets->len; i++) {
        const DomainNetDef *net = g_ptr_array_index(def->nets, i);
        if (domain_extras_has_child(net->extras, "boot"))
            return true;
    }
    return false;
}

static bool domain_validate_disks(const DomainDef *def, GError **error)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

    for (guint i = 0; i < def->disks->len; i++) {
        const DomainDiskDef *disk = g_ptr_array_index(def->disks, i);

        if (!g_hash_table_add(seen, disk->target_dev))
            return domain_parse_error(error, VIRT_ERR_XML_ERROR, "duplicate disk target '%s'",
                                      disk->target_dev);
    }
    return true;
}

static bool domain_validate_controllers(const DomainDef *def, GError **error)
{
    for (guint i = 0; i < def->controllers->len; i++) {
        const DomainControllerDef *a = g_ptr_array_index(def->controllers, i);

        for (guint j = i + 1; a->index >= 0 && j < def->controllers->len; j++) {
            const DomainControllerDef *b = g_ptr_array_index(def->controllers, j);

            if (a->type == b->type && a->index == b->index)
                return domain_parse_error(error, VIRT_ERR_XML_ERROR,
                                          "multiple '%s' controllers with index '%d'",
                                          domain_controller_type_to_string(a->type), a->index);
        }
    }
    return true;
}

static bool domain_validate_nets(const DomainDef *def, GError **error)
{
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (guint i = 0; i < def->nets->len; i++) {
        const DomainNetDef *net = g_ptr_array_index(def->nets, i);
        char mac[18];

        if (!net->has_mac)
            continue;
        domain_mac_format(net->mac, mac);
        if (!g_hash_table_add(seen, g_strdup(mac)))
            return domain_parse_error(error, VIRT_ERR_XML_ERROR, "duplicate MAC address '%s'", mac);
    }
    return true;
}

static bool domain_validate_memory_vcpus(const DomainDef *def, GError **error)
{
    if (def->memory_kib == 0)
        return domain_parse_error(error, VIRT_ERR_XML_ERROR,
                                  "memory size in <memory> must be greater than zero");
    if (def->max_memory_kib && def->max_memory_kib < def->memory_kib)
        return domain_parse_error(error, VIRT_ERR_XML_ERROR,
                                  "<maxMemory> (%" G_GUINT64_FORMAT " KiB) is smaller than "
                                  "<memory> (%" G_GUINT64_FORMAT " KiB)",
                                  def->max_memory_kib, def->memory_kib);
    if (def->vcpus_current > def->vcpus)
        return domain_parse_error(error, VIRT_ERR_CONFIG_UNSUPPORTED,
                                  "current vcpu count %u is larger than the maximum %u "
                                  "in <vcpu>",
                                  def->vcpus_current, def->vcpus);
    return true;
}

/**
 * domain_def_validate: checks that span elements (duplicate disk targets, controller
 * indexes and MACs, memory and vcpu limits, device vs os boot order, name). Run after
 * domain_def_post_parse().
 */
bool domain_def_validate(const DomainDef *def, GError **error)
{
    const char *why = virt_name_check(def->name);

    if (why)
        return domain_parse_error(error, VIRT_ERR_XML_ERROR, "domain name '%s' is invalid: %s",
                                  def->name ? def->name : "", why);
    if (!domain_validate_memory_vcpus(def, error))
        return false;
    if (def->os.boot_devs->len && domain_def_has_device_boot(def))
        return domain_parse_error(error, VIRT_ERR_CONFIG_UNSUPPORTED,
                                  "per-device boot elements cannot be used together with "
                                  "os/boot elements");
    if (!domain_validate_disks(def, error) || !domain_validate_controllers(def, error))
        return false;
    return domain_validate_nets(def, error);
}
