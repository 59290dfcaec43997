/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Formatting of <os>, <features>, <cpu> and <clock>. */

#include "conf/domain-format-priv.h"
#include "conf/xml-extras.h"

static void domain_format_os_type(XmlWriter *w, const DomainOsDef *os)
{
    xml_writer_start(w, "type");
    xml_writer_attr(w, "arch", os->arch);
    xml_writer_attr(w, "machine", os->machine);
    xml_extras_write_attrs(w, os->type_extras);
    xml_writer_text(w, domain_os_type_to_string(os->type));
    xml_writer_end(w);
    xml_extras_write_after(w, os->extras, "type");
}

static void domain_format_os_init(XmlWriter *w, const DomainOsDef *os)
{
    xml_writer_text_element(w, "init", os->init);
    xml_extras_write_after(w, os->extras, "init");
    for (guint i = 0; i < os->init_args->len; i++)
        xml_writer_text_element(w, "initarg", g_ptr_array_index(os->init_args, i));
    xml_extras_write_after(w, os->extras, "initarg");
}

static void domain_format_os_firmware(XmlWriter *w, const DomainOsDef *os)
{
    if (os->loader || os->loader_type || os->loader_readonly || os->loader_extras) {
        xml_writer_start(w, "loader");
        xml_writer_attr(w, "readonly", os->loader_readonly);
        xml_writer_attr(w, "secure", os->loader_secure);
        xml_writer_attr(w, "type", os->loader_type);
        xml_extras_write_attrs(w, os->loader_extras);
        xml_extras_write_all(w, os->loader_extras);
        if (os->loader)
            xml_writer_text(w, os->loader);
        xml_writer_end(w);
    }
    xml_extras_write_after(w, os->extras, "loader");
    if (os->nvram || os->nvram_template || os->nvram_extras) {
        xml_writer_start(w, "nvram");
        xml_writer_attr(w, "template", os->nvram_template);
        xml_extras_write_attrs(w, os->nvram_extras);
        xml_extras_write_all(w, os->nvram_extras);
        if (os->nvram)
            xml_writer_text(w, os->nvram);
        xml_writer_end(w);
    }
    xml_extras_write_after(w, os->extras, "nvram");
}

static void domain_format_os_boot(XmlWriter *w, const DomainOsDef *os)
{
    static const char *const names[] = { "kernel", "initrd", "cmdline", "dtb" };
    const char *values[] = { os->kernel, os->initrd, os->cmdline, os->dtb };

    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        xml_writer_text_element(w, names[i], values[i]);
        xml_extras_write_after(w, os->extras, names[i]);
    }
    for (guint i = 0; i < os->boot_devs->len; i++) {
        xml_writer_start(w, "boot");
        xml_writer_attr(w, "dev", g_ptr_array_index(os->boot_devs, i));
        xml_writer_end(w);
    }
    xml_extras_write_after(w, os->extras, "boot");
}

/**
 * domain_format_os: <os> in libvirt's child order.
 */
void domain_format_os(XmlWriter *w, const DomainOsDef *os)
{
    xml_writer_start(w, "os");
    xml_extras_write_attrs(w, os->extras);
    xml_extras_write_after(w, os->extras, "");
    domain_format_os_type(w, os);
    domain_format_os_init(w, os);
    domain_format_os_firmware(w, os);
    domain_format_os_boot(w, os);
    xml_writer_end(w);
}

/**
 * domain_format_features: <features>, when any is set or kept.
 */
void domain_format_features(XmlWriter *w, const DomainDef *def)
{
    static const struct {
        DomainFeature bit;
        const char *name;
    } bits[] = {
        { DOMAIN_FEATURE_ACPI, "acpi" },
        { DOMAIN_FEATURE_APIC, "apic" },
        { DOMAIN_FEATURE_PAE, "pae" },
    };

    if (!def->features && !def->features_extras)
        return;
    xml_writer_start(w, "features");
    xml_extras_write_after(w, def->features_extras, "");
    for (size_t i = 0; i < G_N_ELEMENTS(bits); i++) {
        if (def->features & bits[i].bit) {
            const XmlExtras *attrs = bits[i].bit == DOMAIN_FEATURE_APIC ? def->apic_extras : NULL;

            xml_writer_start(w, bits[i].name);
            xml_extras_write_attrs(w, attrs);
            xml_extras_write_all(w, attrs);
            xml_writer_end(w);
        }
        xml_extras_write_after(w, def->features_extras, bits[i].name);
    }
    xml_writer_end(w);
}

/**
 * domain_format_cpu: <cpu>, when the definition has one.
 */
void domain_format_cpu(XmlWriter *w, const DomainCpuDef *cpu)
{
    if (!cpu->mode && !cpu->extras && !cpu->model)
        return;
    xml_writer_start(w, "cpu");
    xml_writer_attr(w, "mode", cpu->mode);
    xml_writer_attr(w, "match", cpu->match);
    xml_writer_attr(w, "check", cpu->check);
    xml_extras_write_attrs(w, cpu->extras);
    xml_extras_write_after(w, cpu->extras, "");
    if (cpu->model) {
        xml_writer_start(w, "model");
        xml_writer_attr(w, "fallback", cpu->model_fallback);
        xml_extras_write_attrs(w, cpu->model_extras);
        xml_writer_text(w, cpu->model);
        xml_writer_end(w);
    }
    xml_extras_write_after(w, cpu->extras, "model");
    xml_writer_end(w);
}

/**
 * domain_format_clock: <clock>, when the definition has one.
 */
void domain_format_clock(XmlWriter *w, const DomainClockDef *clock)
{
    if (!clock->offset)
        return;
    xml_writer_start(w, "clock");
    xml_writer_attr(w, "offset", clock->offset);
    xml_writer_attr(w, "timezone", clock->timezone);
    xml_writer_attr(w, "adjustment", clock->adjustment);
    xml_writer_attr(w, "basis", clock->basis);
    xml_extras_write_attrs(w, clock->extras);
    xml_extras_write_all(w, clock->extras);
    xml_writer_end(w);
}
