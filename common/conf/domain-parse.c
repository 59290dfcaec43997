/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Domain XML -> DomainDef: the <domain> element and its simple children. Everything the
 * parser does not model is kept in the XmlExtras of the element it appeared in. */

#include <string.h>

#include "conf/domain-parse-priv.h"
#include "conf/xml-extras.h"
#include "conf/xml-read.h"
#include "util/error.h"
#include "util/name.h"

static const char *const domain_known_attrs[] = { "type", "id", NULL };
static const char *const domain_known_children[] = {
    "name",   "uuid",          "title",     "description", "metadata", "maxMemory",
    "memory", "currentMemory", "vcpu",      "os",          "features", "cpu",
    "clock",  "on_poweroff",   "on_reboot", "on_crash",    "devices",  NULL,
};

static bool domain_parse_name(xmlNode *node, DomainDef *def, GError **error)
{
    g_autofree char *name = xml_text(node);
    const char *why = virt_name_check(name);

    if (why) {
        /* control characters are the problem being reported: show them escaped */
        g_autofree char *shown = g_strescape(name, NULL);
        /* libvirt takes an empty name for a missing one */
        return domain_parse_error(error, *name ? VIRT_ERR_XML_ERROR : VIRT_ERR_NO_NAME,
                                  "domain name '%s' is invalid: %s", shown, why);
    }
    domain_set_str(&def->name, g_steal_pointer(&name));
    return true;
}

static bool domain_parse_uuid(xmlNode *node, DomainDef *def, GError **error)
{
    g_autofree char *text = xml_text(node);

    g_strstrip(text);
    if (!virt_uuid_parse(text, def->uuid))
        return domain_parse_error(error, VIRT_ERR_XML_ERROR, "invalid UUID '%s' in <uuid>", text);
    def->has_uuid = true;
    return true;
}

static bool domain_parse_title(xmlNode *node, DomainDef *def, GError **error)
{
    g_autofree char *title = xml_text(node);

    /* virsh list --title prints one line per domain */
    if (strchr(title, '\n'))
        return domain_parse_error(error, VIRT_ERR_XML_ERROR,
                                  "domain title must not contain newlines");
    domain_set_str(&def->title, g_steal_pointer(&title));
    return true;
}

static bool domain_parse_description(xmlNode *node, DomainDef *def, GError **error)
{
    domain_set_str(&def->description, xml_text(node));
    return true;
}

static bool domain_parse_metadata(xmlNode *node, DomainDef *def, GError **error)
{
    xml_extras_free(def->metadata);
    def->metadata = xml_extras_new(); /* an empty <metadata/> round-trips */
    for (xmlNode *c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        /* each entry must stand alone: metadata get returns it as its own document */
        g_ptr_array_add(def->metadata->children, xml_elem_from_node(c, true));
    }
    return true;
}

static bool domain_parse_memory(xmlNode *node, DomainDef *def, GError **error)
{
    static const char *const known[] = { "unit", NULL };

    def->memory_extras = xml_extras_free(def->memory_extras);
    def->memory_extras = xml_extras_collect(node, known, NULL);
    return domain_parse_memory_node(node, &def->memory_kib, error);
}

static bool domain_parse_cur_memory(xmlNode *node, DomainDef *def, GError **error)
{
    return domain_parse_memory_node(node, &def->cur_memory_kib, error);
}

static bool domain_parse_max_memory(xmlNode *node, DomainDef *def, GError **error)
{
    if (!xml_prop_uint(node, "slots", &def->max_memory_slots, error))
        return false;
    return domain_parse_memory_node(node, &def->max_memory_kib, error);
}

static bool domain_parse_vcpu(xmlNode *node, DomainDef *def, GError **error)
{
    g_autofree char *text = xml_text(node);
    guint64 vcpus;

    g_strstrip(text);
    if (!g_ascii_string_to_unsigned(text, 10, 1, G_MAXUINT16, &vcpus, NULL))
        return domain_parse_error(error, VIRT_ERR_XML_ERROR,
                                  "invalid vcpu count '%s' in <vcpu>: expected an "
                                  "integer from 1 to 65535",
                                  text);
    def->vcpus = (unsigned int)vcpus;
    if (!xml_prop_uint(node, "current", &def->vcpus_current, error))
        return false;
    domain_set_str(&def->vcpu_placement, xml_prop(node, "placement"));
    if (def->vcpu_placement && strcmp(def->vcpu_placement, "static") != 0 &&
        strcmp(def->vcpu_placement, "auto") != 0)
        return xml_error_bad_attr(node, "placement", def->vcpu_placement, error);
    domain_set_str(&def->vcpu_cpuset, xml_prop(node, "cpuset"));
    return true;
}

static bool domain_parse_lifecycle(xmlNode *node, DomainLifecycleAction *ret, GError **error)
{
    g_autofree char *text = xml_text(node);
    DomainLifecycleAction action;

    g_strstrip(text);
    action = domain_lifecycle_action_from_string(text);
    if (action < 0)
        return domain_parse_error(error, VIRT_ERR_CONFIG_UNSUPPORTED,
                                  "unsupported value '%s' in <%s>: expected destroy, restart, "
                                  "rename-restart, preserve, coredump-destroy or "
                                  "coredump-restart",
                                  text, (const char *)node->name);
    *ret = action;
    return true;
}

static bool domain_parse_on_poweroff(xmlNode *node, DomainDef *def, GError **error)
{
    return domain_parse_lifecycle(node, &def->on_poweroff, error);
}

static bool domain_parse_on_reboot(xmlNode *node, DomainDef *def, GError **error)
{
    return domain_parse_lifecycle(node, &def->on_reboot, error);
}

static bool domain_parse_on_crash(xmlNode *node, DomainDef *def, GError **error)
{
    return domain_parse_lifecycle(node, &def->on_crash, error);
}

static bool domain_parse_os_node(xmlNode *node, DomainDef *def, GError **error)
{
    return domain_parse_os(node, &def->os, error);
}

static bool domain_parse_cpu_node(xmlNode *node, DomainDef *def, GError **error)
{
    return domain_parse_cpu(node, &def->cpu, error);
}

static bool domain_parse_clock_node(xmlNode *node, DomainDef *def, GError **error)
{
    return domain_parse_clock(node, &def->clock, error);
}

typedef bool (*DomainChildParser)(xmlNode *node, DomainDef *def, GError **error);

static const struct {
    const char *name;
    DomainChildParser parse;
} domain_child_parsers[] = {
    { "name", domain_parse_name },
    { "uuid", domain_parse_uuid },
    { "title", domain_parse_title },
    { "description", domain_parse_description },
    { "metadata", domain_parse_metadata },
    { "memory", domain_parse_memory },
    { "currentMemory", domain_parse_cur_memory },
    { "maxMemory", domain_parse_max_memory },
    { "vcpu", domain_parse_vcpu },
    { "os", domain_parse_os_node },
    { "features", domain_parse_features },
    { "cpu", domain_parse_cpu_node },
    { "clock", domain_parse_clock_node },
    { "on_poweroff", domain_parse_on_poweroff },
    { "on_reboot", domain_parse_on_reboot },
    { "on_crash", domain_parse_on_crash },
    { "devices", domain_parse_devices },
};

static bool domain_parse_child(xmlNode *node, DomainDef *def, GError **error)
{
    for (size_t i = 0; i < G_N_ELEMENTS(domain_child_parsers); i++) {
        if (xml_node_is(node, domain_child_parsers[i].name))
            return domain_child_parsers[i].parse(node, def, error);
    }
    return true; /* kept in def->extras */
}

static bool domain_parse_root_attrs(xmlNode *root, DomainDef *def, GError **error)
{
    g_autofree char *type = xml_prop(root, "type");

    if (!type)
        return domain_parse_error(error, VIRT_ERR_XML_ERROR,
                                  "missing required attribute 'type' on <domain>: use e.g. "
                                  "<domain type='kvm'>");
    def->virt_type = domain_virt_type_from_string(type);
    if (def->virt_type < 0)
        return domain_parse_error(error, VIRT_ERR_CONFIG_UNSUPPORTED,
                                  "unknown domain type '%s' in <domain type='%s'>: expected a "
                                  "libvirt domain type such as kvm, qemu or test",
                                  type, type);
    /* id= is live state owned by the driver: ignored on input */
    return true;
}

/* DOMAIN_PARSE_INACTIVE: forget what a running domain's XML carries but a definition
 * must not: ports picked automatically and interface names the host generated. */
static void domain_def_strip_live(DomainDef *def)
{
    static const char *const generated[] = { "vnet", "macvtap", "macvlan" };

    for (guint i = 0; i < def->graphics->len; i++) {
        DomainGraphicsDef *gfx = g_ptr_array_index(def->graphics, i);

        if (g_strcmp0(gfx->autoport, "yes") == 0)
            gfx->port = -1;
    }
    for (guint i = 0; i < def->nets->len; i++) {
        DomainNetDef *net = g_ptr_array_index(def->nets, i);

        for (size_t g = 0; net->target_dev && g < G_N_ELEMENTS(generated); g++) {
            if (g_str_has_prefix(net->target_dev, generated[g]))
                g_clear_pointer(&net->target_dev, g_free);
        }
    }
}

/**
 * domain_def_parse_node: build a DomainDef from a parsed <domain> element.
 */
DomainDef *domain_def_parse_node(xmlNode *root, DomainParseFlags flags, GError **error)
{
    g_autoptr(DomainDef) def = domain_def_new();

    if (!domain_parse_root_attrs(root, def, error))
        return NULL;
    for (xmlNode *c = root->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && !domain_parse_child(c, def, error))
            return NULL;
    }
    if (!def->name) {
        domain_parse_error(error, VIRT_ERR_NO_NAME, "missing required element <name> in <domain>");
        return NULL;
    }
    if (!xml_child(root, "os")) {
        domain_parse_error(error, VIRT_ERR_XML_ERROR, "missing required element <os> in <domain>");
        return NULL;
    }
    if (!xml_child(root, "memory")) {
        domain_parse_error(error, VIRT_ERR_XML_ERROR,
                           "missing required element <memory> in <domain>");
        return NULL;
    }
    def->extras = xml_extras_collect_ordered(root, domain_known_attrs, domain_known_children,
                                             domain_order_domain);
    if (flags & DOMAIN_PARSE_INACTIVE)
        domain_def_strip_live(def);
    return g_steal_pointer(&def);
}

/**
 * domain_def_parse_string: parse libvirt domain XML held in @xml.
 *
 * Structural checks only (syntax, required elements, values and units, names, UUID);
 * defaults come from domain_def_post_parse() and cross-checks from domain_def_validate(),
 * or use domain_def_parse_full() for all three. With DOMAIN_PARSE_VALIDATE_SCHEMA the
 * document is first checked against common/schemas/domain.rng.
 */
DomainDef *domain_def_parse_string(const char *xml, DomainParseFlags flags, GError **error)
{
    g_autoptr(xmlDoc) doc = xml_doc_parse_safe(xml, "domain", VIRT_DOMAIN_ERROR, error);

    if (!doc)
        return NULL;
    if (flags & DOMAIN_PARSE_VALIDATE_SCHEMA) {
        g_autofree char *dir = domain_schema_default_dir();

        if (!domain_schema_validate_xml(dir, xml, error))
            return NULL;
    }
    return domain_def_parse_node(xmlDocGetRootElement(doc), flags, error);
}

/**
 * domain_def_parse_full: parse, apply defaults (generic, then @driver_ops) and validate:
 * what a driver's define and create use.
 */
DomainDef *domain_def_parse_full(const char *xml, DomainParseFlags flags,
                                 const DomainPostParseOps *driver_ops, GError **error)
{
    g_autoptr(DomainDef) def = domain_def_parse_string(xml, flags, error);

    if (!def)
        return NULL;
    if (!domain_def_post_parse(def, driver_ops, error))
        return NULL;
    if (!domain_def_validate(def, error))
        return NULL;
    return g_steal_pointer(&def);
}
