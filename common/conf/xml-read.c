/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <libxml/parser.h>
#include <string.h>

#include "conf/xml-read.h"
#include "util/error.h"
#include "util/process-init.h"

static bool xml_error(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static bool xml_error(GError **error, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(error, VIRT_XML_ERROR, VIRT_ERR_XML_ERROR, msg);
    return false;
}

/* Skip from @p past the first @end; NULL when @end never comes (libxml2 then reports
 * the malformed document). */
static const char *xml_scan_past(const char *p, const char *end)
{
    const char *hit = strstr(p, end);

    return hit ? hit + strlen(end) : NULL;
}

/* A DOCTYPE may only name the root element: entity declarations and external subsets
 * are how XML reads files (XXE) or explodes in memory (billion laughs). */
static const char *xml_scan_doctype(const char *p, GError **error)
{
    const char *start = p;
    int brackets = 0;
    char quote = 0;

    for (; *p; p++) {
        if (quote) {
            quote = *p == quote ? 0 : quote;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '[') {
            brackets++;
        } else if (*p == ']') {
            brackets--;
        } else if (*p == '>' && brackets <= 0) {
            break;
        }
    }
    g_autofree char *decl = g_strndup(start, p - start);
    if (strstr(decl, "<!ENTITY") || strstr(decl, "SYSTEM") || strstr(decl, "PUBLIC")) {
        xml_error(error, "refusing an XML DOCTYPE with entity declarations or an external "
                         "subset");
        return NULL;
    }
    return *p ? p + 1 : p;
}

/* Skip a start or end tag; quoted attribute values may contain '>'. */
static const char *xml_scan_tag(const char *p, bool *ret_self_closing)
{
    char quote = 0;

    for (; *p; p++) {
        if (quote) {
            quote = *p == quote ? 0 : quote;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '>') {
            *ret_self_closing = p[-1] == '/';
            return p + 1;
        }
    }
    *ret_self_closing = false;
    return p;
}

/* Bound the nesting depth before libxml2 builds anything, and refuse dangerous
 * DOCTYPEs. Malformed input is left for libxml2 to report precisely. */
static bool xml_prescan(const char *xml, GError **error)
{
    int depth = 0;
    const char *p = xml;

    while (p && (p = strchr(p, '<'))) {
        bool self_closing = false;

        if (g_str_has_prefix(p, "<!--")) {
            p = xml_scan_past(p + 4, "-->");
        } else if (g_str_has_prefix(p, "<![CDATA[")) {
            p = xml_scan_past(p + 9, "]]>");
        } else if (g_str_has_prefix(p, "<?")) {
            p = xml_scan_past(p + 2, "?>");
        } else if (g_str_has_prefix(p, "<!")) {
            p = xml_scan_doctype(p, error);
            if (!p)
                return false;
        } else if (p[1] == '/') {
            depth--;
            p = xml_scan_tag(p + 1, &self_closing);
        } else {
            p = xml_scan_tag(p + 1, &self_closing);
            if (!self_closing && ++depth > XML_DOC_MAX_DEPTH)
                return xml_error(error, "XML document is nested deeper than %d elements",
                                 XML_DOC_MAX_DEPTH);
        }
    }
    return true;
}

/* The first error libxml2 raised: later ones are usually consequences of it (a tag
 * mismatch is followed by "premature end of data"), so it is the one to report. */
typedef struct XmlFirstError {
    char *msg;
    int line;
    int col;
} XmlFirstError;

/* Also keeps libxml2 2.9 from printing errors to stderr. @data is the parser context,
 * whose _private holds the XmlFirstError. */
static void xml_keep_first_error(void *data, xmlError *err)
{
    XmlFirstError *first = ((xmlParserCtxt *)data)->_private;

    if (first->msg || !err)
        return;
    first->msg = g_strstrip(g_strdup(err->message ? err->message : "unknown error"));
    first->line = err->line;
    first->col = err->int2;
}

/* The text of line @line (1-based) of @xml, at most XML_CONTEXT_WIDTH characters around
 * @col (1-based, updated to index the excerpt). */
#define XML_CONTEXT_WIDTH 80
static char *xml_line_excerpt(const char *xml, int line, int *col)
{
    const char *p = xml;
    const char *end;
    int start = 0;
    int len;

    for (int i = 1; i < line && p; i++) {
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    if (!p)
        return NULL;
    end = strchr(p, '\n');
    len = end ? (int)(end - p) : (int)strlen(p);
    if (len == 0)
        return NULL;
    if (*col > XML_CONTEXT_WIDTH / 2 && len > XML_CONTEXT_WIDTH)
        start = MIN(*col - XML_CONTEXT_WIDTH / 2, len - XML_CONTEXT_WIDTH);
    *col = CLAMP(*col - start, 1, MIN(len - start, XML_CONTEXT_WIDTH) + 1);
    return g_strndup(p + start, MIN(len - start, XML_CONTEXT_WIDTH));
}

/* "malformed XML at line L, column C: <libxml2's message>", then the offending line and a
 * caret under the column as libvirt shows them, so the user sees where to fix it. */
static void xml_syntax_error(const char *xml, const XmlFirstError *first, GQuark domain,
                             GError **error)
{
    const char *msg = first->msg ? first->msg : "unknown error";
    int col = MAX(first->col, 1);
    g_autofree char *excerpt = first->line > 0 ? xml_line_excerpt(xml, first->line, &col) : NULL;

    if (!excerpt) {
        g_set_error(error, domain, VIRT_ERR_XML_DETAIL, "malformed XML at line %d: %s", first->line,
                    msg);
        return;
    }
    g_autofree char *dashes = g_strnfill(col - 1, '-');
    g_set_error(error, domain, VIRT_ERR_XML_DETAIL,
                "malformed XML at line %d, column %d: %s\n%s\n%s^", first->line, first->col, msg,
                excerpt, dashes);
}

static bool xml_check_root(xmlDoc *doc, const char *root_name, GError **error)
{
    xmlNode *root = xmlDocGetRootElement(doc);

    if (!root)
        return xml_error(error, "XML document has no root element");
    if (root_name && (root->ns || strcmp((const char *)root->name, root_name) != 0))
        return xml_error(error, "unexpected root element <%s>, expecting <%s>",
                         (const char *)root->name, root_name);
    return true;
}

/**
 * xml_library_init: libxml2's global parser state made once, on the calling thread, before
 * workers parse concurrently (libxml2 2.9 initialises lazily and not thread-safely).
 */
void xml_library_init(void)
{
    static gsize initialized = 0;

    util_process_init();
    if (g_once_init_enter(&initialized)) {
        xmlInitParser();
        g_once_init_leave(&initialized, 1);
    }
}

/**
 * xml_doc_parse_safe: parse an untrusted XML document held in memory.
 *
 * Never touches a file or the network, bounds size (XML_DOC_MAX_SIZE) and depth
 * (XML_DOC_MAX_DEPTH), and checks that the root element is @root_name (NULL: any). A
 * document that is not well-formed is {@syntax_domain, VIRT_ERR_XML_DETAIL} as in libvirt
 * (the domain of the object being parsed), showing the line and column libxml2 stopped at;
 * the other refusals are {VIRT_FROM_XML, VIRT_ERR_XML_ERROR}.
 */
xmlDoc *xml_doc_parse_safe(const char *xml, const char *root_name, GQuark syntax_domain,
                           GError **error)
{
    const int options = XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOCDATA |
                        XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
    size_t len = strlen(xml);
    xmlParserCtxt *ctxt;
    XmlFirstError first = { 0 };
    g_autoptr(xmlDoc) doc = NULL;

    if (len > XML_DOC_MAX_SIZE) {
        xml_error(error, "XML document of %zu bytes is larger than the limit of %d bytes", len,
                  XML_DOC_MAX_SIZE);
        return NULL;
    }
    if (!xml_prescan(xml, error))
        return NULL;
    ctxt = xmlNewParserCtxt();
    g_assert(ctxt);
    ctxt->sax->serror = xml_keep_first_error;
    ctxt->_private = &first;
    doc = xmlCtxtReadMemory(ctxt, xml, (int)len, NULL, "UTF-8", options);
    if (!doc || ctxt->wellFormed == 0) {
        xml_syntax_error(xml, &first, syntax_domain, error);
        xmlFreeParserCtxt(ctxt);
        g_free(first.msg);
        return NULL;
    }
    g_free(first.msg);
    xmlFreeParserCtxt(ctxt);
    if (!xml_check_root(doc, root_name, error))
        return NULL;
    return g_steal_pointer(&doc);
}

/**
 * xml_prop: the value of the unqualified attribute @name, or NULL.
 */
char *xml_prop(const xmlNode *node, const char *name)
{
    xmlChar *raw = xmlGetNoNsProp(node, (const xmlChar *)name);
    char *value = g_strdup((const char *)raw);

    xmlFree(raw);
    return value;
}

/**
 * xml_text: the text content of @node ("" for an empty element).
 */
char *xml_text(const xmlNode *node)
{
    xmlChar *raw = xmlNodeGetContent(node);
    char *value = g_strdup(raw ? (const char *)raw : "");

    xmlFree(raw);
    return value;
}

/**
 * xml_node_is: whether @node is the un-namespaced element @name.
 */
bool xml_node_is(const xmlNode *node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && !node->ns &&
           strcmp((const char *)node->name, name) == 0;
}

/**
 * xml_child: the first un-namespaced child element @name of @node, or NULL.
 */
xmlNode *xml_child(const xmlNode *node, const char *name)
{
    for (xmlNode *c = node->children; c; c = c->next) {
        if (xml_node_is(c, name))
            return c;
    }
    return NULL;
}

/**
 * xml_error_missing_attr: "missing required attribute 'type' on <domain>".
 */
bool xml_error_missing_attr(const xmlNode *node, const char *attr, GError **error)
{
    return xml_error(error, "missing required attribute '%s' on <%s>", attr,
                     (const char *)node->name);
}

/**
 * xml_error_bad_attr: "invalid value 'x' for attribute 'type' of <disk>".
 */
bool xml_error_bad_attr(const xmlNode *node, const char *attr, const char *value, GError **error)
{
    return xml_error(error, "invalid value '%s' for attribute '%s' of <%s>", value, attr,
                     (const char *)node->name);
}

/**
 * xml_error_bad_text: "invalid value 'x' in <on_crash>: expected ...".
 */
bool xml_error_bad_text(const xmlNode *node, const char *value, const char *expected,
                        GError **error)
{
    return xml_error(error, "invalid value '%s' in <%s>: expected %s", value,
                     (const char *)node->name, expected);
}

/**
 * xml_prop_uint: parse an optional non-negative decimal attribute.
 */
bool xml_prop_uint(const xmlNode *node, const char *name, unsigned int *ret, GError **error)
{
    g_autofree char *str = xml_prop(node, name);
    guint64 value;

    if (!str)
        return true;
    if (!g_ascii_string_to_unsigned(str, 10, 0, G_MAXUINT, &value, NULL))
        return xml_error(error,
                         "invalid value '%s' for attribute '%s' of <%s>: expected a "
                         "non-negative integer",
                         str, name, (const char *)node->name);
    *ret = (unsigned int)value;
    return true;
}

/**
 * xml_prop_int: parse an optional decimal attribute that may be negative (port='-1').
 */
bool xml_prop_int(const xmlNode *node, const char *name, int *ret, GError **error)
{
    g_autofree char *str = xml_prop(node, name);
    gint64 value;

    if (!str)
        return true;
    if (!g_ascii_string_to_signed(str, 10, G_MININT, G_MAXINT, &value, NULL))
        return xml_error(error,
                         "invalid value '%s' for attribute '%s' of <%s>: expected an "
                         "integer",
                         str, name, (const char *)node->name);
    *ret = (int)value;
    return true;
}

/**
 * xml_prop_yesno: an optional yes/no attribute, returned as the static string.
 */
bool xml_prop_yesno(const xmlNode *node, const char *name, const char **ret, GError **error)
{
    g_autofree char *str = xml_prop(node, name);

    if (!str)
        return true;
    if (strcmp(str, "yes") == 0)
        *ret = "yes";
    else if (strcmp(str, "no") == 0)
        *ret = "no";
    else
        return xml_error(error,
                         "invalid value '%s' for attribute '%s' of <%s>: expected "
                         "'yes' or 'no'",
                         str, name, (const char *)node->name);
    return true;
}
