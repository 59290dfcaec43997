/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * virDomainGetMetadata/virDomainSetMetadata on a definition. Custom metadata lives under
 * <metadata> as one element per namespace URI, stored with the caller's key as prefix
 * (<app:foo xmlns:app="uri">); get returns it without that namespace, as libvirt does.
 */

#include <libxml/tree.h>
#include <string.h>

#include "conf/domain-def.h"
#include "conf/xml-extras.h"
#include "conf/xml-read.h"
#include "util/error.h"

static bool metadata_not_found(GError **error)
{
    g_set_error_literal(error, VIRT_DOMAIN_ERROR, VIRT_ERR_NO_DOMAIN_METADATA,
                        "metadata not found: Requested metadata element is not present");
    return false;
}

static bool metadata_type_valid(int type, GError **error)
{
    if (type >= 0 && type < _DOMAIN_METADATA_MAX)
        return true;
    g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INVALID_ARG, "unknown metadata type '%d'", type);
    return false;
}

static int metadata_find(const DomainDef *def, const char *uri)
{
    if (!def->metadata)
        return -1;
    for (guint i = 0; i < def->metadata->children->len; i++) {
        const XmlElem *elem = g_ptr_array_index(def->metadata->children, i);
        if (g_strcmp0(xml_elem_namespace(elem), uri) == 0)
            return (int)i;
    }
    return -1;
}

/* A copy of @elem with the prefix bound to @uri dropped from names and declarations. */
static XmlElem *metadata_strip_ns(const XmlElem *elem, const char *prefix)
{
    XmlElem *copy = xml_elem_copy(elem);
    g_autofree char *decl = g_strdup_printf("xmlns:%s", prefix);
    g_autofree char *qual = g_strdup_printf("%s:", prefix);

    if (!copy->name)
        return copy;
    if (g_str_has_prefix(copy->name, qual))
        memmove(copy->name, copy->name + strlen(qual), strlen(copy->name) - strlen(qual) + 1);
    for (guint i = copy->attrs->len; i > 0; i--) {
        const XmlAttr *attr = g_ptr_array_index(copy->attrs, i - 1);
        if (strcmp(attr->name, decl) == 0)
            g_ptr_array_remove_index(copy->attrs, i - 1);
    }
    for (guint i = 0; i < copy->children->len; i++) {
        XmlElem *child = g_ptr_array_index(copy->children, i);
        g_ptr_array_index(copy->children, i) = metadata_strip_ns(child, prefix);
        xml_elem_free(child);
    }
    return copy;
}

static char *metadata_element_format(const XmlElem *stored)
{
    const char *colon = strchr(stored->name, ':');
    g_autofree char *prefix = colon ? g_strndup(stored->name, colon - stored->name) : NULL;
    g_autoptr(XmlElem) bare = prefix ? metadata_strip_ns(stored, prefix) : xml_elem_copy(stored);
    GString *buf = g_string_new(NULL);
    XmlWriter w;

    xml_writer_init(&w, buf, 0);
    w.libxml_style = true;
    xml_elem_write(&w, bare);
    if (buf->len && buf->str[buf->len - 1] == '\n')
        g_string_truncate(buf, buf->len - 1);
    return g_string_free(buf, FALSE);
}

static char *metadata_text_get(const char *text, GError **error)
{
    if (!text) {
        metadata_not_found(error);
        return NULL;
    }
    return g_strdup(text);
}

/**
 * domain_def_get_metadata: the description (type 0), title (1) or the custom element
 * in namespace @uri (2). A missing one is VIRT_ERR_NO_DOMAIN_METADATA.
 */
char *domain_def_get_metadata(const DomainDef *def, int type, const char *uri, GError **error)
{
    int index;

    if (!metadata_type_valid(type, error))
        return NULL;
    switch ((DomainMetadataType)type) {
    case DOMAIN_METADATA_DESCRIPTION:
        return metadata_text_get(def->description, error);
    case DOMAIN_METADATA_TITLE:
        return metadata_text_get(def->title, error);
    case DOMAIN_METADATA_ELEMENT:
        if (!uri) {
            g_set_error_literal(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INVALID_ARG,
                                "a namespace URI is required for element metadata");
            return NULL;
        }
        index = metadata_find(def, uri);
        if (index < 0) {
            metadata_not_found(error);
            return NULL;
        }
        return metadata_element_format(g_ptr_array_index(def->metadata->children, index));
    case _DOMAIN_METADATA_MAX:
    case _DOMAIN_METADATA_INVALID:
        break;
    }
    g_assert_not_reached();
}

/* Put every un-namespaced element of the subtree into @ns. */
static void metadata_set_ns(xmlNode *node, xmlNs *ns)
{
    for (xmlNode *c = node; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (!c->ns)
            xmlSetNs(c, ns);
        metadata_set_ns(c->children, ns);
    }
}

static XmlElem *metadata_element_parse(const char *xml, const char *key, const char *uri,
                                       GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    xmlNode *root;
    xmlNs *ns;

    if (xmlValidateNCName((const xmlChar *)key, 0) != 0) {
        g_set_error_literal(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INTERNAL_ERROR,
                            "failed to validate prefix for a new XML namespace");
        return NULL;
    }
    doc = xml_doc_parse_safe(xml, NULL, VIRT_DOMAIN_ERROR, error);
    if (!doc)
        return NULL;
    root = xmlDocGetRootElement(doc);
    ns = xmlNewNs(root, (const xmlChar *)uri, (const xmlChar *)key);
    if (!ns) {
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "metadata element already declares the prefix '%s'", key);
        return NULL;
    }
    metadata_set_ns(root, ns);
    return xml_elem_from_node(root, true);
}

static bool metadata_element_set(DomainDef *def, const char *metadata, const char *key,
                                 const char *uri, GError **error)
{
    g_autoptr(XmlElem) elem = NULL;
    int index;

    if (!uri || (metadata && !key)) {
        g_set_error_literal(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INVALID_ARG,
                            "element metadata needs a namespace URI and, to set it, a key");
        return false;
    }
    if (metadata && !(elem = metadata_element_parse(metadata, key, uri, error)))
        return false;
    /* libvirt keeps an emptied <metadata/> in the XML once it existed */
    if (!def->metadata)
        def->metadata = xml_extras_new();
    while ((index = metadata_find(def, uri)) >= 0)
        g_ptr_array_remove_index(def->metadata->children, index);
    if (elem)
        g_ptr_array_add(def->metadata->children, g_steal_pointer(&elem));
    return true;
}

static void metadata_text_set(char **field, const char *text)
{
    g_free(*field);
    *field = text && *text ? g_strdup(text) : NULL;
}

/**
 * domain_def_set_metadata: set or (with NULL or "" @metadata) remove the description
 * (type 0), title (1, no newlines) or the custom element for @uri (2), stored under the
 * prefix @key.
 */
bool domain_def_set_metadata(DomainDef *def, int type, const char *metadata, const char *key,
                             const char *uri, GError **error)
{
    if (!metadata_type_valid(type, error))
        return false;
    switch ((DomainMetadataType)type) {
    case DOMAIN_METADATA_DESCRIPTION:
        metadata_text_set(&def->description, metadata);
        return true;
    case DOMAIN_METADATA_TITLE:
        if (metadata && strchr(metadata, '\n')) {
            g_set_error_literal(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INVALID_ARG,
                                "metadata title can't contain newlines");
            return false;
        }
        metadata_text_set(&def->title, metadata);
        return true;
    case DOMAIN_METADATA_ELEMENT:
        return metadata_element_set(def, metadata, key, uri, error);
    case _DOMAIN_METADATA_MAX:
    case _DOMAIN_METADATA_INVALID:
        break;
    }
    g_assert_not_reached();
}
