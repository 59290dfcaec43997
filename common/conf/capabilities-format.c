/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Capabilities -> XML, in the layout of libvirt's virCapabilitiesFormatXML (including
 * its blank lines between <host> and each <guest>, which clients may diff against). */

#include "conf/capabilities.h"
#include "conf/xml-writer.h"
#include "util/uuid.h"

static void caps_format_empty(XmlWriter *w, const char *name)
{
    xml_writer_start(w, name);
    xml_writer_end(w);
}

static void caps_format_host_cpu(XmlWriter *w, const CapsHost *host)
{
    xml_writer_start(w, "cpu");
    xml_writer_text_element(w, "arch", host->arch);
    xml_writer_text_element(w, "model", host->cpu_model);
    xml_writer_text_element(w, "vendor", host->cpu_vendor);
    if (host->sockets) {
        xml_writer_start(w, "topology");
        xml_writer_attr_uint(w, "sockets", host->sockets);
        xml_writer_attr_uint(w, "dies", host->dies);
        if (host->clusters)
            xml_writer_attr_uint(w, "clusters", host->clusters);
        xml_writer_attr_uint(w, "cores", host->cores);
        xml_writer_attr_uint(w, "threads", host->threads);
        xml_writer_end(w);
    }
    if (host->cpu_features->len) {
        xml_writer_start(w, "features");
        for (guint i = 0; i < host->cpu_features->len; i++)
            caps_format_empty(w, g_ptr_array_index(host->cpu_features, i));
        xml_writer_end(w);
    }
    for (guint i = 0; i < host->page_sizes->len; i++) {
        xml_writer_start(w, "pages");
        xml_writer_attr(w, "unit", "KiB");
        xml_writer_attr_uint(w, "size", g_array_index(host->page_sizes, CapsPages, i).size_kib);
        xml_writer_end(w);
    }
    xml_writer_end(w);
}

static void caps_format_power_migration(XmlWriter *w, const CapsHost *host)
{
    if (host->power_management_known) {
        xml_writer_start(w, "power_management");
        for (guint i = 0; i < host->power_management->len; i++)
            caps_format_empty(w, g_ptr_array_index(host->power_management, i));
        xml_writer_end(w);
    }
    if (host->iommu_support) {
        xml_writer_start(w, "iommu");
        xml_writer_attr(w, "support", host->iommu_support);
        xml_writer_end(w);
    }
    if (!host->migration_live && host->migration_transports->len == 0)
        return;
    xml_writer_start(w, "migration_features");
    if (host->migration_live)
        caps_format_empty(w, "live");
    if (host->migration_transports->len) {
        xml_writer_start(w, "uri_transports");
        for (guint i = 0; i < host->migration_transports->len; i++)
            xml_writer_text_element(w, "uri_transport",
                                    g_ptr_array_index(host->migration_transports, i));
        xml_writer_end(w);
    }
    xml_writer_end(w);
}

static void caps_format_cell_cpus(XmlWriter *w, const CapsNumaCell *cell)
{
    xml_writer_start(w, "cpus");
    xml_writer_attr_uint(w, "num", cell->cpus->len);
    for (guint i = 0; i < cell->cpus->len; i++) {
        const CapsCellCpu *cpu = &g_array_index(cell->cpus, CapsCellCpu, i);

        xml_writer_start(w, "cpu");
        xml_writer_attr_uint(w, "id", cpu->id);
        if (cpu->socket_id >= 0)
            xml_writer_attr_int(w, "socket_id", cpu->socket_id);
        if (cpu->die_id >= 0)
            xml_writer_attr_int(w, "die_id", cpu->die_id);
        if (cpu->core_id >= 0)
            xml_writer_attr_int(w, "core_id", cpu->core_id);
        xml_writer_attr(w, "siblings", cpu->siblings);
        xml_writer_end(w);
    }
    xml_writer_end(w);
}

static void caps_format_cell(XmlWriter *w, const CapsNumaCell *cell)
{
    char num[32];

    xml_writer_start(w, "cell");
    xml_writer_attr_uint(w, "id", cell->id);
    xml_writer_start(w, "memory");
    xml_writer_attr(w, "unit", "KiB");
    g_snprintf(num, sizeof(num), "%" G_GUINT64_FORMAT, cell->memory_kib);
    xml_writer_text(w, num);
    xml_writer_end(w);
    for (guint i = 0; i < cell->pages->len; i++) {
        const CapsPages *pages = &g_array_index(cell->pages, CapsPages, i);

        xml_writer_start(w, "pages");
        xml_writer_attr(w, "unit", "KiB");
        xml_writer_attr_uint(w, "size", pages->size_kib);
        g_snprintf(num, sizeof(num), "%" G_GUINT64_FORMAT, pages->count);
        xml_writer_text(w, num);
        xml_writer_end(w);
    }
    if (cell->distances->len) {
        xml_writer_start(w, "distances");
        for (guint i = 0; i < cell->distances->len; i++) {
            const CapsCellDistance *d = &g_array_index(cell->distances, CapsCellDistance, i);

            xml_writer_start(w, "sibling");
            xml_writer_attr_uint(w, "id", d->id);
            xml_writer_attr_uint(w, "value", d->value);
            xml_writer_end(w);
        }
        xml_writer_end(w);
    }
    caps_format_cell_cpus(w, cell);
    xml_writer_end(w);
}

static void caps_format_topology(XmlWriter *w, const CapsHost *host)
{
    if (host->cells->len == 0)
        return;
    xml_writer_start(w, "topology");
    xml_writer_start(w, "cells");
    xml_writer_attr_uint(w, "num", host->cells->len);
    for (guint i = 0; i < host->cells->len; i++)
        caps_format_cell(w, g_ptr_array_index(host->cells, i));
    xml_writer_end(w);
    xml_writer_end(w);
}

static void caps_format_secmodel(XmlWriter *w, const CapsSecModel *sec)
{
    xml_writer_start(w, "secmodel");
    xml_writer_text_element(w, "model", sec->model);
    xml_writer_text_element(w, "doi", sec->doi);
    for (guint i = 0; i + 1 < sec->baselabels->len; i += 2) {
        xml_writer_start(w, "baselabel");
        xml_writer_attr(w, "type", g_ptr_array_index(sec->baselabels, i));
        xml_writer_text(w, g_ptr_array_index(sec->baselabels, i + 1));
        xml_writer_end(w);
    }
    xml_writer_end(w);
}

static void caps_format_host(XmlWriter *w, const CapsHost *host)
{
    char uuid[VIRT_UUID_STRING_LEN];

    xml_writer_start(w, "host");
    if (host->has_uuid) {
        virt_uuid_format(host->uuid, uuid);
        xml_writer_text_element(w, "uuid", uuid);
    }
    caps_format_host_cpu(w, host);
    caps_format_power_migration(w, host);
    caps_format_topology(w, host);
    for (guint i = 0; i < host->secmodels->len; i++)
        caps_format_secmodel(w, g_ptr_array_index(host->secmodels, i));
    xml_writer_end(w);
}

static void caps_format_machines(XmlWriter *w, const GPtrArray *machines)
{
    for (guint i = 0; i < machines->len; i++) {
        const CapsMachine *machine = g_ptr_array_index(machines, i);

        xml_writer_start(w, "machine");
        xml_writer_attr(w, "canonical", machine->canonical);
        if (machine->max_cpus)
            xml_writer_attr_uint(w, "maxCpus", machine->max_cpus);
        xml_writer_text(w, machine->name);
        xml_writer_end(w);
    }
}

static void caps_format_guest_arch(XmlWriter *w, const CapsGuest *guest)
{
    char num[16];

    xml_writer_start(w, "arch");
    xml_writer_attr(w, "name", guest->arch);
    g_snprintf(num, sizeof(num), "%u", guest->wordsize);
    xml_writer_text_element(w, "wordsize", num);
    xml_writer_text_element(w, "emulator", guest->emulator);
    xml_writer_text_element(w, "loader", guest->loader);
    caps_format_machines(w, guest->machines);
    for (guint i = 0; i < guest->domains->len; i++) {
        const CapsGuestDomain *dom = g_ptr_array_index(guest->domains, i);

        xml_writer_start(w, "domain");
        xml_writer_attr(w, "type", dom->type);
        xml_writer_text_element(w, "emulator", dom->emulator);
        caps_format_machines(w, dom->machines);
        xml_writer_end(w);
    }
    xml_writer_end(w);
}

static void caps_format_guest(XmlWriter *w, const CapsGuest *guest)
{
    xml_writer_start(w, "guest");
    xml_writer_text_element(w, "os_type", guest->os_type);
    caps_format_guest_arch(w, guest);
    if (guest->features->len) {
        xml_writer_start(w, "features");
        for (guint i = 0; i < guest->features->len; i++) {
            const CapsGuestFeature *feature = g_ptr_array_index(guest->features, i);

            xml_writer_start(w, feature->name);
            xml_writer_attr(w, "default", feature->default_state);
            xml_writer_attr(w, "toggle", feature->toggle);
            xml_writer_end(w);
        }
        xml_writer_end(w);
    }
    xml_writer_end(w);
}

/**
 * capabilities_format: @caps as the XML virConnectGetCapabilities returns.
 */
char *capabilities_format(const Capabilities *caps)
{
    GString *buf = g_string_new("<capabilities>\n\n");
    XmlWriter w;

    xml_writer_init(&w, buf, 1);
    caps_format_host(&w, &caps->host);
    g_string_append_c(buf, '\n');
    for (guint i = 0; i < caps->guests->len; i++) {
        caps_format_guest(&w, g_ptr_array_index(caps->guests, i));
        g_string_append_c(buf, '\n');
    }
    g_string_append(buf, "</capabilities>\n");
    return g_string_free(buf, FALSE);
}
