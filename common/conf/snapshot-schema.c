/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* RELAX NG validation of snapshot XML (the VALIDATE flag of snapshot create, and the
 * tests). Like domain-schema.c, the one place snapshot code reads a file: the schema,
 * compiled once per path. */

#include <libxml/relaxng.h>
#include <string.h>

#include "conf/snapshot-def.h"
#include "conf/xml-read.h"
#include "util/error.h"

static GMutex snapshot_schema_lock;
static GHashTable *snapshot_schema_cache; /* path -> xmlRelaxNG* */

static void snapshot_schema_error(void *data, xmlError *err)
{
    GString *msg = data;

    if (msg->len > 0)
        return; /* the first error is the useful one */
    if (err->node && ((xmlNode *)err->node)->type == XML_ELEMENT_NODE)
        g_string_append_printf(msg, "element <%s>: ", (const char *)((xmlNode *)err->node)->name);
    g_string_append(msg, err->message ? err->message : "unknown error");
    g_strchomp(msg->str);
    msg->len = strlen(msg->str);
}

static xmlRelaxNG *snapshot_schema_load(const char *path, GString *msg)
{
    xmlRelaxNG *schema;

    g_mutex_lock(&snapshot_schema_lock);
    if (!snapshot_schema_cache)
        snapshot_schema_cache = g_hash_table_new(g_str_hash, g_str_equal);
    schema = g_hash_table_lookup(snapshot_schema_cache, path);
    if (!schema) {
        xmlRelaxNGParserCtxt *pctxt = xmlRelaxNGNewParserCtxt(path);

        xmlRelaxNGSetParserStructuredErrors(pctxt, snapshot_schema_error, msg);
        schema = xmlRelaxNGParse(pctxt);
        xmlRelaxNGFreeParserCtxt(pctxt);
        if (schema)
            g_hash_table_insert(snapshot_schema_cache, g_strdup(path), schema);
    }
    g_mutex_unlock(&snapshot_schema_lock);
    return schema;
}

/**
 * snapshot_schema_validate_xml - check @xml against <@schema_dir>/domainsnapshot.rng
 * @schema_dir: ours (VIRTKIT_SOURCE_SCHEMA_DIR / VIRTKIT_SCHEMA_DIR) or libvirt's
 * @xml: a <domainsnapshot> document
 * @error: XML_ERROR for malformed XML, XML_INVALID_SCHEMA naming the first bad element,
 *         INTERNAL_ERROR when the schema cannot be loaded
 *
 * Returns: true when @xml conforms.
 */
bool snapshot_schema_validate_xml(const char *schema_dir, const char *xml, GError **error)
{
    g_autofree char *path = g_build_filename(schema_dir, "domainsnapshot.rng", NULL);
    g_autoptr(xmlDoc) doc = xml_doc_parse_safe(xml, "domainsnapshot", VIRT_SNAPSHOT_ERROR, error);
    g_autoptr(GString) msg = g_string_new(NULL);
    xmlRelaxNG *schema;
    xmlRelaxNGValidCtxt *vctxt;
    int r;

    if (!doc)
        return false;
    schema = snapshot_schema_load(path, msg);
    if (!schema) {
        g_set_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "cannot load RNG schema '%s': %s", path, msg->str);
        return false;
    }
    vctxt = xmlRelaxNGNewValidCtxt(schema);
    xmlRelaxNGSetValidStructuredErrors(vctxt, snapshot_schema_error, msg);
    r = xmlRelaxNGValidateDoc(vctxt, doc);
    xmlRelaxNGFreeValidCtxt(vctxt);
    if (r != 0)
        g_set_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_XML_INVALID_SCHEMA,
                    "snapshot XML does not conform to the schema '%s': %s", path,
                    msg->len ? msg->str : "invalid document");
    return r == 0;
}
