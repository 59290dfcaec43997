/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* RELAX NG validation of domain XML against a schema directory chosen by the caller.
 * Compiled schemas are cached per path: compiling libvirt's domain.rng takes far longer
 * than validating a document. This and domain_schema_default_dir() are the only places
 * conf/ touches the filesystem. */

#include <libxml/relaxng.h>

#include "conf/domain-def.h"
#include "conf/xml-read.h"
#include "util/error.h"

static GMutex schema_lock;
static GHashTable *schema_cache; /* path -> xmlRelaxNG* */

typedef struct SchemaErrors {
    GString *msg;
} SchemaErrors;

static void schema_collect_error(void *data, xmlError *err)
{
    SchemaErrors *errors = data;
    g_autofree char *msg = g_strdup(err->message ? err->message : "unknown error");

    if (errors->msg->len > 0)
        return; /* the first error is the useful one */
    g_strstrip(msg);
    if (err->node && ((xmlNode *)err->node)->type == XML_ELEMENT_NODE)
        g_string_append_printf(errors->msg,
                               "element <%s>: ", (const char *)((xmlNode *)err->node)->name);
    g_string_append(errors->msg, msg);
}

static xmlRelaxNG *schema_load(const char *path, GError **error)
{
    xmlRelaxNG *schema;
    xmlRelaxNGParserCtxt *pctxt;
    SchemaErrors errors = { .msg = g_string_new(NULL) };

    g_mutex_lock(&schema_lock);
    if (!schema_cache)
        schema_cache = g_hash_table_new(g_str_hash, g_str_equal);
    schema = g_hash_table_lookup(schema_cache, path);
    if (!schema) {
        pctxt = xmlRelaxNGNewParserCtxt(path);
        xmlRelaxNGSetParserStructuredErrors(pctxt, schema_collect_error, &errors);
        schema = xmlRelaxNGParse(pctxt);
        xmlRelaxNGFreeParserCtxt(pctxt);
        if (schema)
            g_hash_table_insert(schema_cache, g_strdup(path), schema);
    }
    g_mutex_unlock(&schema_lock);
    if (!schema)
        g_set_error(error, VIRT_CONF_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "cannot load RNG schema '%s': %s", path, errors.msg->str);
    g_string_free(errors.msg, TRUE);
    return schema;
}

static bool schema_validate_doc(const char *path, xmlDoc *doc, GError **error)
{
    xmlRelaxNG *schema = schema_load(path, error);
    xmlRelaxNGValidCtxt *vctxt;
    SchemaErrors errors = { .msg = g_string_new(NULL) };
    int r;

    if (!schema) {
        g_string_free(errors.msg, TRUE);
        return false;
    }
    vctxt = xmlRelaxNGNewValidCtxt(schema);
    xmlRelaxNGSetValidStructuredErrors(vctxt, schema_collect_error, &errors);
    r = xmlRelaxNGValidateDoc(vctxt, doc);
    xmlRelaxNGFreeValidCtxt(vctxt);
    if (r != 0)
        g_set_error(error, VIRT_XML_ERROR, VIRT_ERR_XML_INVALID_SCHEMA,
                    "XML document does not conform to the schema '%s': %s", path,
                    errors.msg->len ? errors.msg->str : "invalid document");
    g_string_free(errors.msg, TRUE);
    return r == 0;
}

/**
 * domain_schema_default_dir: where domain.rng is: the source tree for an uninstalled
 * build (VIRTKIT_SOURCE_SCHEMA_DIR), else the installed VIRTKIT_SCHEMA_DIR.
 */
char *domain_schema_default_dir(void)
{
    g_autofree char *in_tree = g_build_filename(VIRTKIT_SOURCE_SCHEMA_DIR, "domain.rng", NULL);

    if (g_file_test(in_tree, G_FILE_TEST_IS_REGULAR))
        return g_strdup(VIRTKIT_SOURCE_SCHEMA_DIR);
    return g_strdup(VIRTKIT_SCHEMA_DIR);
}

/**
 * domain_schema_validate_xml: check @xml against <@schema_dir>/domain.rng. Pass our
 * schema directory, or libvirt's (/usr/share/libvirt/schemas) to check compatibility.
 */
bool domain_schema_validate_xml(const char *schema_dir, const char *xml, GError **error)
{
    g_autofree char *path = g_build_filename(schema_dir, "domain.rng", NULL);
    g_autoptr(xmlDoc) doc = xml_doc_parse_safe(xml, "domain", VIRT_DOMAIN_ERROR, error);

    if (!doc)
        return false;
    return schema_validate_doc(path, doc, error);
}
