/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* SnapshotDef -> <domainsnapshot> XML in libvirt's element order, with every kept
 * extra written back after the element it followed. */

#include <inttypes.h>
#include <string.h>

#include "conf/domain-def.h"
#include "conf/snapshot-def.h"
#include "conf/xml-extras.h"
#include "conf/xml-writer.h"

static void snapshot_format_disk(XmlWriter *w, const SnapshotDiskDef *disk)
{
    bool block = disk->type && g_str_equal(disk->type, "block");

    xml_writer_start(w, "disk");
    xml_writer_attr(w, "name", disk->name);
    if (disk->snapshot != SNAPSHOT_LOCATION_DEFAULT)
        xml_writer_attr(w, "snapshot", snapshot_location_to_string(disk->snapshot));
    xml_writer_attr(w, "type", disk->type);
    xml_extras_write_attrs(w, disk->extras);
    xml_extras_write_after(w, disk->extras, "");
    if (disk->driver_type || disk->driver_extras) {
        xml_writer_start(w, "driver");
        xml_writer_attr(w, "type", disk->driver_type);
        xml_extras_write_attrs(w, disk->driver_extras);
        xml_extras_write_all(w, disk->driver_extras);
        xml_writer_end(w);
    }
    xml_extras_write_after(w, disk->extras, "driver");
    if (disk->source || disk->source_extras) {
        xml_writer_start(w, "source");
        xml_writer_attr(w, block ? "dev" : "file", disk->source);
        xml_extras_write_attrs(w, disk->source_extras);
        xml_extras_write_all(w, disk->source_extras);
        xml_writer_end(w);
    }
    xml_extras_write_after(w, disk->extras, "source");
    xml_writer_end(w);
}

static void snapshot_format_disks(XmlWriter *w, const SnapshotDef *def)
{
    if (def->disks->len == 0)
        return;
    xml_writer_start(w, "disks");
    for (guint i = 0; i < def->disks->len; i++)
        snapshot_format_disk(w, def->disks->pdata[i]);
    xml_writer_end(w);
}

static void snapshot_format_memory(XmlWriter *w, const SnapshotDef *def)
{
    if (def->memory == SNAPSHOT_LOCATION_DEFAULT)
        return;
    xml_writer_start(w, "memory");
    xml_writer_attr(w, "snapshot", snapshot_location_to_string(def->memory));
    xml_writer_attr(w, "file", def->memory_file);
    xml_writer_end(w);
}

/* The domain formatter writes a standalone document; indent it one level and, for
 * <inactiveDomain>, rename its root element. */
static void snapshot_format_domain(XmlWriter *w, const DomainDef *dom, const char *root,
                                   SnapshotFormatFlags flags)
{
    DomainFormatFlags dflags = DOMAIN_FORMAT_INACTIVE;
    g_autofree char *xml = NULL;
    g_auto(GStrv) lines = NULL;
    guint n;

    if (!dom)
        return;
    if (flags & SNAPSHOT_FORMAT_SECURE)
        dflags |= DOMAIN_FORMAT_SECURE;
    xml = domain_def_format(dom, -1, dflags);
    lines = g_strsplit(xml, "\n", -1);
    n = g_strv_length(lines);
    if (w->start_open) { /* close <domainsnapshot> before raw text */
        g_string_append(w->buf, ">\n");
        w->start_open = false;
    }
    for (guint i = 0; i < n; i++) {
        const char *line = lines[i];

        if (!*line)
            continue;
        g_string_append(w->buf, "  ");
        if (i == 0 && g_str_has_prefix(line, "<domain")) {
            g_string_append_printf(w->buf, "<%s%s", root, line + strlen("<domain"));
        } else if (i + 2 >= n && g_str_equal(line, "</domain>")) {
            g_string_append_printf(w->buf, "</%s>", root);
        } else {
            g_string_append(w->buf, line);
        }
        g_string_append_c(w->buf, '\n');
    }
}

static void snapshot_format_text(XmlWriter *w, const SnapshotDef *def, const char *name,
                                 const char *text)
{
    xml_writer_text_element(w, name, text);
    xml_extras_write_after(w, def->extras, name);
}

/**
 * snapshot_def_format - @def as <domainsnapshot> XML
 * @def: the definition
 * @flags: SNAPSHOT_FORMAT_SECURE passes secrets of the embedded domains through;
 *         SNAPSHOT_FORMAT_INTERNAL adds <active> (our on-disk format)
 *
 * Returns: the document (g_free).
 */
char *snapshot_def_format(const SnapshotDef *def, SnapshotFormatFlags flags)
{
    GString *buf = g_string_sized_new(4096);
    XmlWriter w;
    char num[32];

    xml_writer_init(&w, buf, 0);
    xml_writer_start(&w, "domainsnapshot");
    xml_extras_write_attrs(&w, def->extras);
    xml_extras_write_after(&w, def->extras, "");
    snapshot_format_text(&w, def, "name", def->name);
    snapshot_format_text(&w, def, "description", def->description);
    snapshot_format_text(&w, def, "state",
                         def->state ? snapshot_state_to_string(def->state) : NULL);
    if (def->parent_name) {
        xml_writer_start(&w, "parent");
        xml_writer_text_element(&w, "name", def->parent_name);
        xml_writer_end(&w);
    }
    xml_extras_write_after(&w, def->extras, "parent");
    g_snprintf(num, sizeof(num), "%" PRId64, def->creation_time);
    snapshot_format_text(&w, def, "creationTime", def->creation_time ? num : NULL);
    snapshot_format_memory(&w, def);
    xml_extras_write_after(&w, def->extras, "memory");
    snapshot_format_disks(&w, def);
    xml_extras_write_after(&w, def->extras, "disks");
    snapshot_format_domain(&w, def->dom, "domain", flags);
    xml_extras_write_after(&w, def->extras, "domain");
    snapshot_format_domain(&w, def->inactive_dom, "inactiveDomain", flags);
    xml_extras_write_after(&w, def->extras, "inactiveDomain");
    if (flags & SNAPSHOT_FORMAT_INTERNAL)
        xml_writer_text_element(&w, "active", def->current ? "1" : "0");
    xml_extras_write_after(&w, def->extras, "active");
    xml_writer_end(&w);
    return g_string_free(buf, FALSE);
}
