/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <domainsnapshot> XML -> SnapshotDef. As in libvirt, state, creationTime, parent and
 * the embedded domains are only read when redefining (REDEFINE): a new snapshot gets
 * them from the driver. <active> is read only from our own files (INTERNAL).
 */

#include <libxml/tree.h>
#include <stdarg.h>
#include <string.h>

#include "conf/domain-def.h"
#include "conf/snapshot-def.h"
#include "conf/xml-extras.h"
#include "conf/xml-read.h"
#include "util/error.h"
#include "util/name.h"

static const char *const snapshot_known_children[] = {
    "name",  "description", "state",          "creationTime", "parent", "memory",
    "disks", "domain",      "inactiveDomain", "active",       NULL,
};

static bool snapshot_xml_error(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static bool snapshot_xml_error(GError **error, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_XML_ERROR, msg);
    return false;
}

static bool snapshot_check_name(const char *what, const char *name, GError **error)
{
    const char *why = virt_name_check(name);

    if (!why)
        return true;
    g_set_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_INVALID_DOMAIN_SNAPSHOT,
                "%s '%s' is invalid: %s", what, name, why);
    return false;
}

static bool snapshot_check_path(const char *path, const char *where, GError **error)
{
    if (path[0] == '/')
        return true;
    return snapshot_xml_error(error, "%s '%s' must be an absolute path", where, path);
}

static bool snapshot_parse_location(xmlNode *node, SnapshotLocation *ret, GError **error)
{
    g_autofree char *value = xml_prop(node, "snapshot");
    SnapshotLocation loc;

    if (!value)
        return true;
    loc = snapshot_location_from_string(value);
    if (loc <= SNAPSHOT_LOCATION_DEFAULT)
        return snapshot_xml_error(error,
                                  "invalid value '%s' for attribute 'snapshot' of <%s>: "
                                  "expected no, internal, external or manual",
                                  value, (const char *)node->name);
    *ret = loc;
    return true;
}

static bool snapshot_parse_memory(xmlNode *node, SnapshotDef *def, GError **error)
{
    g_autofree char *file = xml_prop(node, "file");

    if (!snapshot_parse_location(node, &def->memory, error))
        return false;
    if (file && def->memory == SNAPSHOT_LOCATION_DEFAULT)
        def->memory = SNAPSHOT_LOCATION_EXTERNAL;
    if (file && def->memory != SNAPSHOT_LOCATION_EXTERNAL)
        return snapshot_xml_error(error, "<memory> file '%s' requires snapshot='external'", file);
    if (!file && def->memory == SNAPSHOT_LOCATION_EXTERNAL)
        return snapshot_xml_error(error, "<memory snapshot='external'> requires a file");
    if (file && !snapshot_check_path(file, "<memory> file", error))
        return false;
    def->memory_file = g_steal_pointer(&file);
    return true;
}

static bool snapshot_parse_disk_source(xmlNode *node, SnapshotDiskDef *disk, GError **error)
{
    static const char *const file_attrs[] = { "file", NULL };
    static const char *const dev_attrs[] = { "dev", NULL };
    bool block = disk->type && strcmp(disk->type, "block") == 0;
    const char *attr = block ? "dev" : "file";

    disk->source = xml_prop(node, attr);
    disk->source_extras = xml_extras_collect(node, block ? dev_attrs : file_attrs, NULL);
    if (disk->source && disk->source[0] != '/')
        return snapshot_xml_error(error, "source '%s' of disk '%s' must be an absolute path",
                                  disk->source, disk->name);
    return true;
}

static bool snapshot_parse_disk_children(xmlNode *node, SnapshotDiskDef *disk, GError **error)
{
    static const char *const driver_attrs[] = { "type", NULL };
    xmlNode *driver = xml_child(node, "driver");
    xmlNode *source = xml_child(node, "source");

    if (driver) {
        disk->driver_type = xml_prop(driver, "type");
        disk->driver_extras = xml_extras_collect(driver, driver_attrs, NULL);
    }
    if (source && !snapshot_parse_disk_source(source, disk, error))
        return false;
    /* a file or format only makes sense for a new overlay: it implies external */
    if ((driver || source) && disk->snapshot == SNAPSHOT_LOCATION_DEFAULT)
        disk->snapshot = SNAPSHOT_LOCATION_EXTERNAL;
    if ((driver || source) && disk->snapshot != SNAPSHOT_LOCATION_EXTERNAL)
        return snapshot_xml_error(error,
                                  "disk '%s' has <source> or <driver> but snapshot='%s': only "
                                  "external snapshots take them",
                                  disk->name, snapshot_location_to_string(disk->snapshot));
    return true;
}

static SnapshotDiskDef *snapshot_parse_disk(xmlNode *node, GError **error)
{
    static const char *const known_attrs[] = { "name", "snapshot", "type", NULL };
    static const char *const known_children[] = { "driver", "source", NULL };
    g_autoptr(SnapshotDiskDef) disk = snapshot_disk_def_new();

    disk->name = xml_prop(node, "name");
    if (!disk->name || !*disk->name) {
        snapshot_xml_error(error, "missing required attribute 'name' on <disk> in <disks>");
        return NULL;
    }
    if (!snapshot_parse_location(node, &disk->snapshot, error))
        return NULL;
    disk->type = xml_prop(node, "type");
    if (disk->type && domain_disk_type_from_string(disk->type) < 0) {
        snapshot_xml_error(error, "invalid value '%s' for attribute 'type' of disk '%s'",
                           disk->type, disk->name);
        return NULL;
    }
    if (!snapshot_parse_disk_children(node, disk, error))
        return NULL;
    disk->extras = xml_extras_collect(node, known_attrs, known_children);
    return g_steal_pointer(&disk);
}

static bool snapshot_parse_disks(xmlNode *node, SnapshotDef *def, GError **error)
{
    for (xmlNode *c = node->children; c; c = c->next) {
        SnapshotDiskDef *disk;

        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (!xml_node_is(c, "disk"))
            return snapshot_xml_error(error, "unexpected element <%s> in <disks>",
                                      (const char *)c->name);
        disk = snapshot_parse_disk(c, error);
        if (!disk)
            return false;
        g_ptr_array_add(def->disks, disk);
    }
    return true;
}

/* The embedded domain goes through the domain parser's public entry point: copied into
 * a document of its own (which re-declares the namespaces it uses) and renamed to
 * <domain> for <inactiveDomain>. */
static DomainDef *snapshot_parse_domain(xmlNode *node, GError **error)
{
    g_autoptr(xmlDoc) doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *copy = xmlDocCopyNode(node, doc, 1);
    xmlChar *mem = NULL;
    int len = 0;
    DomainDef *dom;

    xmlDocSetRootElement(doc, copy);
    xmlNodeSetName(copy, (const xmlChar *)"domain");
    xmlDocDumpMemory(doc, &mem, &len);
    dom = domain_def_parse_string((const char *)mem, DOMAIN_PARSE_INACTIVE, error);
    xmlFree(mem);
    if (!dom) {
        /* <name> may come after the config: read it from the document */
        xmlNode *name_node = xml_child(node->parent, "name");
        g_autofree char *name = name_node ? g_strstrip(xml_text(name_node)) : NULL;

        if (name)
            g_prefix_error(error, "invalid <%s> in snapshot '%s': ", (const char *)node->name,
                           name);
        else
            g_prefix_error(error, "invalid <%s> in the snapshot: ", (const char *)node->name);
    }
    return dom;
}

static bool snapshot_parse_creation_time(xmlNode *node, SnapshotDef *def, GError **error)
{
    g_autofree char *text = xml_text(node);
    gint64 value;

    g_strstrip(text);
    if (!g_ascii_string_to_signed(text, 10, 1, G_MAXINT64, &value, NULL))
        return snapshot_xml_error(error,
                                  "invalid value '%s' in <creationTime>: expected seconds "
                                  "since the epoch",
                                  text);
    def->creation_time = value;
    return true;
}

static bool snapshot_parse_state(xmlNode *node, SnapshotDef *def, GError **error)
{
    g_autofree char *text = xml_text(node);

    g_strstrip(text);
    def->state = snapshot_state_from_string(text);
    if (def->state <= SNAPSHOT_STATE_NOSTATE) {
        def->state = SNAPSHOT_STATE_NOSTATE;
        return snapshot_xml_error(error,
                                  "invalid value '%s' in <state>: expected running, blocked, "
                                  "paused, shutdown, shutoff, crashed, pmsuspended or "
                                  "disk-snapshot",
                                  text);
    }
    return true;
}

static bool snapshot_parse_parent(xmlNode *node, SnapshotDef *def, GError **error)
{
    xmlNode *name = xml_child(node, "name");

    if (!name)
        return snapshot_xml_error(error, "missing <name> in <parent>");
    g_free(def->parent_name);
    def->parent_name = xml_text(name);
    g_strstrip(def->parent_name);
    return snapshot_check_name("parent snapshot name", def->parent_name, error);
}

static bool snapshot_parse_active(xmlNode *node, SnapshotDef *def, GError **error)
{
    g_autofree char *text = xml_text(node);

    g_strstrip(text);
    if (strcmp(text, "0") != 0 && strcmp(text, "1") != 0)
        return snapshot_xml_error(error, "invalid value '%s' in <active>: expected 0 or 1", text);
    def->current = text[0] == '1';
    return true;
}

/* The elements a redefinition carries; ignored otherwise, as libvirt does. */
static bool snapshot_parse_redefine_child(xmlNode *c, SnapshotDef *def, GError **error)
{
    if (xml_node_is(c, "state"))
        return snapshot_parse_state(c, def, error);
    if (xml_node_is(c, "creationTime"))
        return snapshot_parse_creation_time(c, def, error);
    if (xml_node_is(c, "parent"))
        return snapshot_parse_parent(c, def, error);
    if (xml_node_is(c, "domain")) {
        domain_def_free(def->dom);
        def->dom = snapshot_parse_domain(c, error);
        return def->dom != NULL;
    }
    if (xml_node_is(c, "inactiveDomain")) {
        domain_def_free(def->inactive_dom);
        def->inactive_dom = snapshot_parse_domain(c, error);
        return def->inactive_dom != NULL;
    }
    return true;
}

static bool snapshot_parse_child(xmlNode *c, SnapshotDef *def, SnapshotParseFlags flags,
                                 GError **error)
{
    if (xml_node_is(c, "name")) {
        g_free(def->name);
        def->name = xml_text(c);
        g_strstrip(def->name);
        return snapshot_check_name("snapshot name", def->name, error);
    }
    if (xml_node_is(c, "description")) {
        g_free(def->description);
        def->description = xml_text(c);
        return true;
    }
    if (xml_node_is(c, "memory"))
        return snapshot_parse_memory(c, def, error);
    if (xml_node_is(c, "disks"))
        return snapshot_parse_disks(c, def, error);
    if (xml_node_is(c, "active"))
        return !(flags & SNAPSHOT_PARSE_INTERNAL) || snapshot_parse_active(c, def, error);
    if (flags & SNAPSHOT_PARSE_REDEFINE)
        return snapshot_parse_redefine_child(c, def, error);
    return true;
}

static bool snapshot_check_redefine(const SnapshotDef *def, GError **error)
{
    if (!def->name)
        return snapshot_xml_error(error, "a redefined snapshot needs a <name>");
    if (!def->creation_time)
        return snapshot_xml_error(error, "redefined snapshot '%s' lacks <creationTime>", def->name);
    if (def->state == SNAPSHOT_STATE_NOSTATE)
        return snapshot_xml_error(error, "redefined snapshot '%s' lacks <state>", def->name);
    if (!def->dom)
        return snapshot_xml_error(error, "redefined snapshot '%s' lacks <domain>", def->name);
    return true;
}

/**
 * snapshot_def_parse_string - parse <domainsnapshot> XML
 * @xml: the document
 * @flags: SNAPSHOT_PARSE_REDEFINE reads (and requires) name, creationTime, state and
 *         domain; SNAPSHOT_PARSE_INTERNAL also reads <active>
 * @error: VIRT_SNAPSHOT_ERROR (XML_ERROR, or INVALID_DOMAIN_SNAPSHOT for names);
 *         errors in an embedded domain keep the domain parser's error, prefixed
 *
 * Structural checks only; snapshot_def_parse_full() adds defaults and validation.
 *
 * Returns: the definition, or NULL with @error set.
 */
SnapshotDef *snapshot_def_parse_string(const char *xml, SnapshotParseFlags flags, GError **error)
{
    g_autoptr(xmlDoc) doc = xml_doc_parse_safe(xml, "domainsnapshot", VIRT_SNAPSHOT_ERROR, error);
    g_autoptr(SnapshotDef) def = NULL;
    xmlNode *root;

    if (!doc)
        return NULL;
    root = xmlDocGetRootElement(doc);
    def = snapshot_def_new();
    for (xmlNode *c = root->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && !snapshot_parse_child(c, def, flags, error))
            return NULL;
    }
    if ((flags & SNAPSHOT_PARSE_REDEFINE) && !snapshot_check_redefine(def, error))
        return NULL;
    def->extras = xml_extras_collect(root, NULL, snapshot_known_children);
    return g_steal_pointer(&def);
}
