/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Parsing of <os>, <features>, <cpu> and <clock>. */

#include <string.h>

#include "conf/domain-parse-priv.h"
#include "conf/xml-extras.h"
#include "conf/xml-read.h"
#include "util/error.h"

static const char *const os_known_children[] = {
    "type", "loader", "nvram",   "kernel", "initrd", "cmdline",
    "dtb",  "init",   "initarg", "boot",   NULL,
};
static const char *const boot_devs[] = { "hd", "fd", "cdrom", "network", NULL };

/* libvirt's architecture names (virArch); an arch outside them is refused at parse time,
 * one the driver cannot run is for the driver to refuse */
static const char *const known_archs[] = {
    "alpha",  "armv6l",   "armv7l",      "armv7b",   "aarch64",    "cris",         "i686",
    "ia64",   "lm32",     "loongarch64", "m68k",     "microblaze", "microblazeel", "mips",
    "mipsel", "mips64",   "mips64el",    "openrisc", "parisc",     "parisc64",     "ppc",
    "ppcle",  "ppc64",    "ppc64le",     "ppcemb",   "riscv32",    "riscv64",      "s390",
    "s390x",  "sh4",      "sh4eb",       "sparc",    "sparc64",    "unicore32",    "x86_64",
    "xtensa", "xtensaeb", NULL,
};

static bool domain_parse_os_type(xmlNode *node, DomainOsDef *os, GError **error)
{
    static const char *const known[] = { "arch", "machine", NULL };
    g_autofree char *text = xml_text(node);

    g_strstrip(text);
    os->type = domain_os_type_from_string(text);
    if (os->type < 0)
        return domain_parse_error(error, VIRT_ERR_CONFIG_UNSUPPORTED,
                                  "unknown OS type '%s' in <os><type>: expected hvm, xen, "
                                  "xenpvh, linux or exe",
                                  text);
    domain_set_str(&os->arch, xml_prop(node, "arch"));
    if (os->arch && !g_strv_contains(known_archs, os->arch))
        return domain_parse_error(error, VIRT_ERR_CONFIG_UNSUPPORTED,
                                  "unknown architecture '%s' in <type arch='%s'>: expected a "
                                  "name such as x86_64, i686 or aarch64",
                                  os->arch, os->arch);
    domain_set_str(&os->machine, xml_prop(node, "machine"));
    os->type_extras = xml_extras_collect(node, known, NULL);
    return true;
}

static bool domain_parse_os_loader(xmlNode *node, DomainOsDef *os, GError **error)
{
    static const char *const known[] = { "readonly", "type", "secure", NULL };
    const char *readonly = NULL;
    const char *secure = NULL;
    g_autofree char *text = xml_text(node);
    g_autofree char *type = xml_prop(node, "type");

    if (!xml_prop_yesno(node, "readonly", &readonly, error) ||
        !xml_prop_yesno(node, "secure", &secure, error))
        return false;
    if (type && strcmp(type, "rom") != 0 && strcmp(type, "pflash") != 0)
        return xml_error_bad_attr(node, "type", type, error);
    g_strstrip(text);
    domain_set_str(&os->loader, *text ? g_steal_pointer(&text) : NULL);
    domain_set_str(&os->loader_readonly, g_strdup(readonly));
    domain_set_str(&os->loader_secure, g_strdup(secure));
    domain_set_str(&os->loader_type, g_steal_pointer(&type));
    os->loader_extras = xml_extras_collect(node, known, NULL);
    return true;
}

static bool domain_parse_os_nvram(xmlNode *node, DomainOsDef *os, GError **error)
{
    static const char *const known[] = { "template", NULL };
    g_autofree char *text = xml_text(node);

    g_strstrip(text);
    /* a network-backed nvram has a <source> child instead of text; it stays in extras */
    domain_set_str(&os->nvram, *text && !xml_child(node, "source") ? g_steal_pointer(&text) : NULL);
    domain_set_str(&os->nvram_template, xml_prop(node, "template"));
    os->nvram_extras = xml_extras_collect(node, known, NULL);
    return true;
}

static bool domain_parse_os_boot(xmlNode *node, DomainOsDef *os, GError **error)
{
    g_autofree char *dev = xml_prop(node, "dev");

    if (!dev)
        return xml_error_missing_attr(node, "dev", error);
    if (!g_strv_contains(boot_devs, dev))
        return xml_error_bad_attr(node, "dev", dev, error);
    g_ptr_array_add(os->boot_devs, g_steal_pointer(&dev));
    return true;
}

static bool domain_parse_os_child(xmlNode *c, DomainOsDef *os, GError **error)
{
    if (xml_node_is(c, "type"))
        return domain_parse_os_type(c, os, error);
    if (xml_node_is(c, "loader"))
        return domain_parse_os_loader(c, os, error);
    if (xml_node_is(c, "nvram"))
        return domain_parse_os_nvram(c, os, error);
    if (xml_node_is(c, "boot"))
        return domain_parse_os_boot(c, os, error);
    if (xml_node_is(c, "kernel"))
        domain_set_str(&os->kernel, xml_text(c));
    else if (xml_node_is(c, "initrd"))
        domain_set_str(&os->initrd, xml_text(c));
    else if (xml_node_is(c, "cmdline"))
        domain_set_str(&os->cmdline, xml_text(c));
    else if (xml_node_is(c, "dtb"))
        domain_set_str(&os->dtb, xml_text(c));
    else if (xml_node_is(c, "init"))
        domain_set_str(&os->init, xml_text(c));
    else if (xml_node_is(c, "initarg"))
        g_ptr_array_add(os->init_args, xml_text(c));
    return true;
}

/**
 * domain_parse_os: <os>; the <type> child is required.
 */
bool domain_parse_os(xmlNode *node, DomainOsDef *os, GError **error)
{
    if (!xml_child(node, "type")) {
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_XML_ERROR,
                    "missing required element <type> in <os>");
        return false;
    }
    for (xmlNode *c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && !domain_parse_os_child(c, os, error))
            return false;
    }
    os->extras = xml_extras_collect_ordered(node, NULL, os_known_children, domain_order_os);
    return true;
}

/**
 * domain_parse_features: <acpi/>, <apic/>, <pae/> as bits; every other feature
 * (<hyperv>, <kvm>, <vmport>, ...) is kept verbatim.
 */
bool domain_parse_features(xmlNode *node, DomainDef *def, GError **error)
{
    static const char *const known[] = { "acpi", "apic", "pae", NULL };

    def->features = 0;
    if (xml_child(node, "acpi"))
        def->features |= DOMAIN_FEATURE_ACPI;
    if (xml_child(node, "apic")) {
        def->features |= DOMAIN_FEATURE_APIC;
        def->apic_extras = xml_extras_free(def->apic_extras);
        def->apic_extras = xml_extras_collect(xml_child(node, "apic"), NULL, NULL);
    }
    if (xml_child(node, "pae"))
        def->features |= DOMAIN_FEATURE_PAE;
    def->features_extras = xml_extras_free(def->features_extras);
    def->features_extras = xml_extras_collect_ordered(node, NULL, known, domain_order_features);
    return true;
}

static bool domain_parse_choice(xmlNode *node, const char *attr, const char *const *allowed,
                                char **ret, GError **error)
{
    g_autofree char *value = xml_prop(node, attr);

    if (value && !g_strv_contains(allowed, value))
        return xml_error_bad_attr(node, attr, value, error);
    domain_set_str(ret, g_steal_pointer(&value));
    return true;
}

static bool domain_parse_cpu_model(xmlNode *node, DomainCpuDef *cpu, GError **error)
{
    static const char *const known[] = { "fallback", NULL };
    static const char *const fallbacks[] = { "allow", "forbid", NULL };
    g_autofree char *text = xml_text(node);

    if (!domain_parse_choice(node, "fallback", fallbacks, &cpu->model_fallback, error))
        return false;
    g_strstrip(text);
    domain_set_str(&cpu->model, g_steal_pointer(&text));
    cpu->model_extras = xml_extras_collect(node, known, NULL);
    return true;
}

/**
 * domain_parse_cpu: <cpu mode match check> and its <model>; topology, features, NUMA
 * cells and the rest are kept verbatim.
 */
bool domain_parse_cpu(xmlNode *node, DomainCpuDef *cpu, GError **error)
{
    static const char *const known_attrs[] = { "mode", "match", "check", NULL };
    static const char *const known_children[] = { "model", NULL };
    static const char *const modes[] = { "custom", "host-model", "host-passthrough", "maximum",
                                         NULL };
    static const char *const matches[] = { "exact", "minimum", "strict", NULL };
    static const char *const checks[] = { "none", "partial", "full", NULL };
    xmlNode *model = xml_child(node, "model");

    if (!domain_parse_choice(node, "mode", modes, &cpu->mode, error) ||
        !domain_parse_choice(node, "match", matches, &cpu->match, error) ||
        !domain_parse_choice(node, "check", checks, &cpu->check, error))
        return false;
    if (model && !domain_parse_cpu_model(model, cpu, error))
        return false;
    cpu->extras = xml_extras_collect_ordered(node, known_attrs, known_children, domain_order_cpu);
    return true;
}

/**
 * domain_parse_clock: <clock offset timezone adjustment basis>; <timer> elements kept.
 */
bool domain_parse_clock(xmlNode *node, DomainClockDef *clock, GError **error)
{
    static const char *const known[] = { "offset", "timezone", "adjustment", "basis", NULL };
    static const char *const offsets[] = { "utc",      "localtime", "timezone",
                                           "variable", "absolute",  NULL };
    static const char *const bases[] = { "utc", "localtime", NULL };

    if (!domain_parse_choice(node, "offset", offsets, &clock->offset, error) ||
        !domain_parse_choice(node, "basis", bases, &clock->basis, error))
        return false;
    if (!clock->offset)
        clock->offset = g_strdup("utc");
    domain_set_str(&clock->timezone, xml_prop(node, "timezone"));
    domain_set_str(&clock->adjustment, xml_prop(node, "adjustment"));
    if (strcmp(clock->offset, "timezone") == 0 && !clock->timezone)
        return xml_error_missing_attr(node, "timezone", error);
    clock->extras = xml_extras_collect(node, known, NULL);
    return true;
}
