/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* DomainDef -> domain XML in libvirt's layout and element order. The formatter writes
 * what the model holds (defaults are post-parse's job) plus every kept extra. */

#include <inttypes.h>

#include "conf/domain-format-priv.h"
#include "conf/xml-extras.h"

static void domain_format_kib(XmlWriter *w, const char *name, unsigned int slots, uint64_t kib,
                              const XmlExtras *extras)
{
    char num[32];

    xml_writer_start(w, name);
    if (slots)
        xml_writer_attr_uint(w, "slots", slots);
    xml_writer_attr(w, "unit", "KiB");
    xml_extras_write_attrs(w, extras);
    g_snprintf(num, sizeof(num), "%" PRIu64, kib);
    xml_writer_text(w, num);
    xml_writer_end(w);
}

static void domain_format_memory(XmlWriter *w, const DomainDef *def)
{
    if (def->max_memory_kib)
        domain_format_kib(w, "maxMemory", def->max_memory_slots, def->max_memory_kib, NULL);
    xml_extras_write_after(w, def->extras, "maxMemory");
    domain_format_kib(w, "memory", 0, def->memory_kib, def->memory_extras);
    xml_extras_write_after(w, def->extras, "memory");
    domain_format_kib(w, "currentMemory", 0,
                      def->cur_memory_kib ? def->cur_memory_kib : def->memory_kib, NULL);
    xml_extras_write_after(w, def->extras, "currentMemory");
}

static void domain_format_vcpu(XmlWriter *w, const DomainDef *def)
{
    char num[16];

    if (def->vcpus) {
        xml_writer_start(w, "vcpu");
        xml_writer_attr(w, "placement", def->vcpu_placement);
        xml_writer_attr(w, "cpuset", def->vcpu_cpuset);
        if (def->vcpus_current && def->vcpus_current != def->vcpus)
            xml_writer_attr_uint(w, "current", def->vcpus_current);
        g_snprintf(num, sizeof(num), "%u", def->vcpus);
        xml_writer_text(w, num);
        xml_writer_end(w);
    }
    xml_extras_write_after(w, def->extras, "vcpu");
}

static void domain_format_metadata(XmlWriter *w, const DomainDef *def)
{
    /* libvirt serializes custom metadata with libxml2 (double quotes) */
    if (def->metadata) {
        xml_writer_start(w, "metadata");
        w->libxml_style = true;
        xml_extras_write_all(w, def->metadata);
        w->libxml_style = false;
        xml_writer_end(w);
    }
    xml_extras_write_after(w, def->extras, "metadata");
}

static void domain_format_head(XmlWriter *w, const DomainDef *def)
{
    char uuid[DOMAIN_UUID_STRING_LEN];

    xml_extras_write_after(w, def->extras, "");
    xml_writer_text_element(w, "name", def->name);
    xml_extras_write_after(w, def->extras, "name");
    if (def->has_uuid) {
        virt_uuid_format(def->uuid, uuid);
        xml_writer_text_element(w, "uuid", uuid);
    }
    xml_extras_write_after(w, def->extras, "uuid");
    xml_writer_text_element(w, "title", def->title);
    xml_extras_write_after(w, def->extras, "title");
    xml_writer_text_element(w, "description", def->description);
    xml_extras_write_after(w, def->extras, "description");
    domain_format_metadata(w, def);
}

static void domain_format_lifecycle(XmlWriter *w, const DomainDef *def)
{
    static const char *const names[] = { "on_poweroff", "on_reboot", "on_crash" };
    const DomainLifecycleAction actions[] = { def->on_poweroff, def->on_reboot, def->on_crash };

    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        xml_writer_text_element(w, names[i], domain_lifecycle_action_to_string(actions[i]));
        xml_extras_write_after(w, def->extras, names[i]);
    }
}

/**
 * domain_def_format: @def as libvirt domain XML.
 *
 * @id is the live domain id written as <domain id='N'> (-1, or DOMAIN_FORMAT_INACTIVE,
 * for none). The graphics password is written only with DOMAIN_FORMAT_SECURE.
 */
char *domain_def_format(const DomainDef *def, int id, DomainFormatFlags flags)
{
    GString *buf = g_string_sized_new(4096);
    XmlWriter w;

    xml_writer_init(&w, buf, 0);
    xml_writer_start(&w, "domain");
    xml_writer_attr(&w, "type", domain_virt_type_to_string(def->virt_type));
    if (id >= 0 && !(flags & DOMAIN_FORMAT_INACTIVE))
        xml_writer_attr_int(&w, "id", id);
    xml_extras_write_attrs(&w, def->extras);
    domain_format_head(&w, def);
    domain_format_memory(&w, def);
    domain_format_vcpu(&w, def);
    domain_format_os(&w, &def->os);
    xml_extras_write_after(&w, def->extras, "os");
    domain_format_features(&w, def);
    xml_extras_write_after(&w, def->extras, "features");
    domain_format_cpu(&w, &def->cpu);
    xml_extras_write_after(&w, def->extras, "cpu");
    domain_format_clock(&w, &def->clock);
    xml_extras_write_after(&w, def->extras, "clock");
    domain_format_lifecycle(&w, def);
    domain_format_devices(&w, def, flags);
    xml_extras_write_after(&w, def->extras, "devices");
    xml_writer_end(&w);
    return g_string_free(buf, FALSE);
}
