/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include "conf/xml-extras.h"

static XmlAttr *xml_attr_new(const char *name, const char *value)
{
    XmlAttr *attr = g_new0(XmlAttr, 1);

    attr->name = g_strdup(name);
    attr->value = g_strdup(value);
    return attr;
}

static void xml_attr_free(gpointer data)
{
    XmlAttr *attr = data;

    if (!attr)
        return;
    g_free(attr->name);
    g_free(attr->value);
    g_free(attr);
}

static void xml_elem_free_void(gpointer data)
{
    (void)xml_elem_free(data);
}

static GPtrArray *xml_attr_array_new(void)
{
    return g_ptr_array_new_with_free_func(xml_attr_free);
}

static GPtrArray *xml_elem_array_new(void)
{
    return g_ptr_array_new_with_free_func(xml_elem_free_void);
}

/**
 * xml_extras_new: an empty store.
 */
XmlExtras *xml_extras_new(void)
{
    XmlExtras *extras = g_new0(XmlExtras, 1);

    extras->attrs = xml_attr_array_new();
    extras->children = xml_elem_array_new();
    return extras;
}

/**
 * xml_extras_free: release @extras; accepts NULL, returns NULL.
 */
XmlExtras *xml_extras_free(XmlExtras *extras)
{
    if (!extras)
        return NULL;
    g_ptr_array_unref(extras->attrs);
    g_ptr_array_unref(extras->children);
    g_free(extras);
    return NULL;
}

/**
 * xml_extras_is_empty: whether @extras (possibly NULL) holds nothing.
 */
bool xml_extras_is_empty(const XmlExtras *extras)
{
    return !extras || (extras->attrs->len == 0 && extras->children->len == 0);
}

/**
 * xml_elem_new: an empty element @name to keep after the modelled sibling @anchor.
 */
XmlElem *xml_elem_new(const char *name, const char *anchor)
{
    XmlElem *elem = g_new0(XmlElem, 1);

    elem->name = g_strdup(name);
    elem->anchor = g_strdup(anchor);
    elem->attrs = xml_attr_array_new();
    elem->children = xml_elem_array_new();
    return elem;
}

/**
 * xml_elem_add_attr: append an attribute to @elem.
 */
void xml_elem_add_attr(XmlElem *elem, const char *name, const char *value)
{
    g_ptr_array_add(elem->attrs, xml_attr_new(name, value));
}

/**
 * xml_elem_free: release a kept element and its subtree; accepts NULL, returns NULL.
 */
XmlElem *xml_elem_free(XmlElem *elem)
{
    if (!elem)
        return NULL;
    g_free(elem->name);
    g_free(elem->text);
    g_free(elem->anchor);
    if (elem->attrs)
        g_ptr_array_unref(elem->attrs);
    if (elem->children)
        g_ptr_array_unref(elem->children);
    g_free(elem);
    return NULL;
}

static void xml_attrs_copy_into(GPtrArray *dst, const GPtrArray *src)
{
    for (guint i = 0; i < src->len; i++) {
        const XmlAttr *attr = g_ptr_array_index(src, i);
        g_ptr_array_add(dst, xml_attr_new(attr->name, attr->value));
    }
}

/**
 * xml_elem_copy: deep copy of a kept element.
 */
XmlElem *xml_elem_copy(const XmlElem *elem)
{
    XmlElem *copy = g_new0(XmlElem, 1);

    copy->name = g_strdup(elem->name);
    copy->text = g_strdup(elem->text);
    copy->anchor = g_strdup(elem->anchor);
    if (!elem->name)
        return copy;
    copy->attrs = xml_attr_array_new();
    copy->children = xml_elem_array_new();
    xml_attrs_copy_into(copy->attrs, elem->attrs);
    for (guint i = 0; i < elem->children->len; i++)
        g_ptr_array_add(copy->children, xml_elem_copy(g_ptr_array_index(elem->children, i)));
    return copy;
}

/**
 * xml_extras_copy: deep copy; NULL stays NULL.
 */
XmlExtras *xml_extras_copy(const XmlExtras *extras)
{
    XmlExtras *copy;

    if (!extras)
        return NULL;
    copy = xml_extras_new();
    xml_attrs_copy_into(copy->attrs, extras->attrs);
    for (guint i = 0; i < extras->children->len; i++)
        g_ptr_array_add(copy->children, xml_elem_copy(g_ptr_array_index(extras->children, i)));
    return copy;
}

static char *xml_qualified_name(const xmlNs *ns, const xmlChar *name)
{
    if (ns && ns->prefix)
        return g_strdup_printf("%s:%s", (const char *)ns->prefix, (const char *)name);
    return g_strdup((const char *)name);
}

static void xml_ns_decl_add(GPtrArray *attrs, const xmlNs *ns)
{
    g_autofree char *name = NULL;

    name = ns->prefix ? g_strdup_printf("xmlns:%s", (const char *)ns->prefix) : g_strdup("xmlns");
    g_ptr_array_add(attrs, xml_attr_new(name, (const char *)ns->href));
}

static bool xml_ns_declared_on(const xmlNode *node, const xmlNs *ns)
{
    for (const xmlNs *d = node ? node->nsDef : NULL; d; d = d->next) {
        if (d == ns)
            return true;
    }
    return false;
}

/* Declare @ns on the element being copied unless the copy already has it in scope or
 * the document root declares it (the root's declarations are kept in the domain's own
 * extras, so repeating them would only add noise). */
static void xml_ns_reconcile(const xmlNode *node, const xmlNs *ns, bool self_contained,
                             GPtrArray *scope, GPtrArray *attrs)
{
    if (!ns || (ns->prefix && strcmp((const char *)ns->prefix, "xml") == 0))
        return;
    for (guint i = 0; i < scope->len; i++) {
        if (g_ptr_array_index(scope, i) == ns)
            return;
    }
    if (!self_contained && xml_ns_declared_on(xmlDocGetRootElement(node->doc), ns))
        return;
    xml_ns_decl_add(attrs, ns);
    g_ptr_array_add(scope, (gpointer)ns);
}

static char *xml_attr_value(const xmlAttr *a)
{
    xmlChar *raw = xmlNodeListGetString(a->doc, a->children, 1);
    char *value = g_strdup(raw ? (const char *)raw : "");

    xmlFree(raw);
    return value;
}

static XmlAttr *xml_attr_from_node(const xmlAttr *a)
{
    XmlAttr *attr = g_new0(XmlAttr, 1);

    attr->name = xml_qualified_name(a->ns, a->name);
    attr->value = xml_attr_value(a);
    return attr;
}

static bool xml_node_has_element_child(const xmlNode *node)
{
    for (const xmlNode *c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE)
            return true;
    }
    return false;
}

static bool xml_text_is_blank(const char *text)
{
    for (const char *p = text; *p; p++) {
        if (!g_ascii_isspace(*p))
            return false;
    }
    return true;
}

static XmlElem *xml_elem_from_node_scoped(xmlNode *node, bool self_contained, GPtrArray *scope);

static void xml_elem_add_children(XmlElem *elem, xmlNode *node, bool self_contained,
                                  GPtrArray *scope)
{
    bool structured = xml_node_has_element_child(node);

    for (xmlNode *c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            g_ptr_array_add(elem->children, xml_elem_from_node_scoped(c, self_contained, scope));
        } else if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            XmlElem *text;

            /* indentation between child elements is layout, not content */
            if (structured && xml_text_is_blank((const char *)c->content))
                continue;
            text = g_new0(XmlElem, 1);
            text->text = g_strdup((const char *)c->content);
            g_ptr_array_add(elem->children, text);
        }
    }
}

static XmlElem *xml_elem_from_node_scoped(xmlNode *node, bool self_contained, GPtrArray *scope)
{
    XmlElem *elem = g_new0(XmlElem, 1);
    guint scope_len = scope->len;

    elem->name = xml_qualified_name(node->ns, node->name);
    elem->attrs = xml_attr_array_new();
    elem->children = xml_elem_array_new();
    for (xmlNs *d = node->nsDef; d; d = d->next) {
        xml_ns_decl_add(elem->attrs, d);
        g_ptr_array_add(scope, d);
    }
    xml_ns_reconcile(node, node->ns, self_contained, scope, elem->attrs);
    for (xmlAttr *a = node->properties; a; a = a->next)
        xml_ns_reconcile(node, a->ns, self_contained, scope, elem->attrs);
    for (xmlAttr *a = node->properties; a; a = a->next)
        g_ptr_array_add(elem->attrs, xml_attr_from_node(a));
    xml_elem_add_children(elem, node, self_contained, scope);
    g_ptr_array_set_size(scope, scope_len);
    return elem;
}

/**
 * xml_elem_from_node: copy the libxml2 subtree at @node into a kept element.
 */
XmlElem *xml_elem_from_node(xmlNode *node, bool self_contained)
{
    g_autoptr(GPtrArray) scope = g_ptr_array_new();

    return xml_elem_from_node_scoped(node, self_contained, scope);
}

static bool xml_name_listed(const xmlChar *name, const char *const *list)
{
    for (; list && *list; list++) {
        if (strcmp((const char *)name, *list) == 0)
            return true;
    }
    return false;
}

typedef struct KeptChild {
    XmlElem *elem;
    int key;   /* position in the canonical order (see xml_extras_collect_ordered) */
    int order; /* position in the document, to keep the sort stable */
} KeptChild;

static int xml_name_index(const char *name, const char *const *list)
{
    for (int i = 0; list && list[i]; i++) {
        if (strcmp(name, list[i]) == 0)
            return i;
    }
    return -1;
}

/* The modelled sibling libvirt writes right before canonical position @pos. */
static const char *xml_canonical_anchor(int pos, const char *const *known,
                                        const char *const *canonical)
{
    for (int i = pos - 1; i >= 0; i--) {
        if (xml_name_listed((const xmlChar *)canonical[i], known))
            return canonical[i];
    }
    return "";
}

static int kept_child_cmp(const void *a, const void *b)
{
    const KeptChild *x = a;
    const KeptChild *y = b;

    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Sort key: 2 * canonical index + 1 for listed names; an unlisted child sits right after
 * its document-order anchor (2 * anchor index + 1, before listed ones that follow), and
 * children before any modelled one come first (0). */
static int kept_child_key(const XmlElem *elem, const xmlNode *c, const char *const *canonical)
{
    int pos = c->ns ? -1 : xml_name_index((const char *)c->name, canonical);

    if (pos >= 0)
        return 2 * pos + 2;
    pos = elem->anchor[0] ? xml_name_index(elem->anchor, canonical) : -1;
    return pos >= 0 ? 2 * pos + 1 : 0;
}

static void xml_extras_collect_children(XmlExtras *extras, xmlNode *node,
                                        const char *const *known_children,
                                        const char *const *canonical)
{
    g_autoptr(GArray) kept = g_array_new(FALSE, FALSE, sizeof(KeptChild));
    const char *anchor = "";
    int order = 0;

    for (xmlNode *c = node->children; c; c = c->next) {
        KeptChild child = { .order = order++ };
        int pos;

        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (!c->ns && xml_name_listed(c->name, known_children)) {
            anchor = (const char *)c->name;
            continue;
        }
        pos = c->ns ? -1 : xml_name_index((const char *)c->name, canonical);
        child.elem = xml_elem_from_node(c, false);
        child.elem->anchor =
            g_strdup(pos >= 0 ? xml_canonical_anchor(pos, known_children, canonical) : anchor);
        child.key = canonical ? kept_child_key(child.elem, c, canonical) : 0;
        g_array_append_val(kept, child);
    }
    g_array_sort(kept, kept_child_cmp);
    for (guint i = 0; i < kept->len; i++)
        g_ptr_array_add(extras->children, g_array_index(kept, KeptChild, i).elem);
}

/* Most modelled elements have nothing to keep: find out without allocating. */
static bool xml_node_has_extras(const xmlNode *node, const char *const *known_attrs,
                                const char *const *known_children)
{
    if (node->nsDef)
        return true;
    for (const xmlAttr *a = node->properties; a; a = a->next) {
        if (a->ns || !xml_name_listed(a->name, known_attrs))
            return true;
    }
    for (const xmlNode *c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && (c->ns || !xml_name_listed(c->name, known_children)))
            return true;
    }
    return false;
}

/**
 * xml_extras_collect_ordered: keep every attribute, namespace declaration and child
 * element of @node that the caller's parser does not model (namespaced ones never are).
 * With @canonical, children libvirt knows are placed where libvirt writes them; others
 * follow the modelled sibling they followed in the input. NULL when nothing is kept.
 */
XmlExtras *xml_extras_collect_ordered(xmlNode *node, const char *const *known_attrs,
                                      const char *const *known_children,
                                      const char *const *canonical)
{
    g_autoptr(XmlExtras) extras = NULL;

    if (!xml_node_has_extras(node, known_attrs, known_children))
        return NULL;
    extras = xml_extras_new();

    for (xmlNs *d = node->nsDef; d; d = d->next)
        xml_ns_decl_add(extras->attrs, d);
    for (xmlAttr *a = node->properties; a; a = a->next) {
        if (!a->ns && xml_name_listed(a->name, known_attrs))
            continue;
        g_ptr_array_add(extras->attrs, xml_attr_from_node(a));
    }
    xml_extras_collect_children(extras, node, known_children, canonical);
    if (xml_extras_is_empty(extras))
        return NULL;
    return g_steal_pointer(&extras);
}

/**
 * xml_extras_collect: xml_extras_collect_ordered() keeping the input's order.
 */
XmlExtras *xml_extras_collect(xmlNode *node, const char *const *known_attrs,
                              const char *const *known_children)
{
    return xml_extras_collect_ordered(node, known_attrs, known_children, NULL);
}

static bool xml_elem_has_text_child(const XmlElem *elem)
{
    for (guint i = 0; i < elem->children->len; i++) {
        const XmlElem *child = g_ptr_array_index(elem->children, i);
        if (!child->name)
            return true;
    }
    return false;
}

/* Serialize without layout: text inside an element is content, so indentation added
 * around its siblings would change it (libxml2 makes the same choice). */
static void xml_elem_write_compact(GString *buf, const XmlElem *elem, bool libxml_style)
{
    const char quote = libxml_style ? '"' : '\'';

    if (!elem->name) {
        if (libxml_style)
            xml_escape_append_libxml(buf, elem->text, false);
        else
            xml_escape_append(buf, elem->text);
        return;
    }
    g_string_append_printf(buf, "<%s", elem->name);
    for (guint i = 0; i < elem->attrs->len; i++) {
        const XmlAttr *attr = g_ptr_array_index(elem->attrs, i);

        g_string_append_printf(buf, " %s=%c", attr->name, quote);
        if (libxml_style)
            xml_escape_append_libxml(buf, attr->value, true);
        else
            xml_escape_append(buf, attr->value);
        g_string_append_c(buf, quote);
    }
    if (elem->children->len == 0) {
        g_string_append(buf, "/>");
        return;
    }
    g_string_append_c(buf, '>');
    for (guint i = 0; i < elem->children->len; i++)
        xml_elem_write_compact(buf, g_ptr_array_index(elem->children, i), libxml_style);
    g_string_append_printf(buf, "</%s>", elem->name);
}

/**
 * xml_elem_write: write a kept element (or text node) and its subtree.
 */
void xml_elem_write(XmlWriter *w, const XmlElem *elem)
{
    if (!elem->name) {
        xml_writer_text(w, elem->text);
        return;
    }
    if (xml_elem_has_text_child(elem) && elem->children->len > 1) {
        g_autoptr(GString) buf = g_string_new(NULL);

        xml_elem_write_compact(buf, elem, w->libxml_style);
        xml_writer_raw_line(w, buf->str);
        return;
    }
    xml_writer_start(w, elem->name);
    for (guint i = 0; i < elem->attrs->len; i++) {
        const XmlAttr *attr = g_ptr_array_index(elem->attrs, i);
        xml_writer_attr(w, attr->name, attr->value);
    }
    for (guint i = 0; i < elem->children->len; i++)
        xml_elem_write(w, g_ptr_array_index(elem->children, i));
    xml_writer_end(w);
}

/**
 * xml_extras_write_attrs: write the kept attributes into the start tag being written.
 */
void xml_extras_write_attrs(XmlWriter *w, const XmlExtras *extras)
{
    if (!extras)
        return;
    for (guint i = 0; i < extras->attrs->len; i++) {
        const XmlAttr *attr = g_ptr_array_index(extras->attrs, i);
        xml_writer_attr(w, attr->name, attr->value);
    }
}

/**
 * xml_extras_write_after: write the kept children that followed the modelled sibling
 * @anchor ("" = before any modelled child) in the parsed document.
 */
void xml_extras_write_after(XmlWriter *w, const XmlExtras *extras, const char *anchor)
{
    if (!extras)
        return;
    for (guint i = 0; i < extras->children->len; i++) {
        const XmlElem *elem = g_ptr_array_index(extras->children, i);
        if (g_strcmp0(elem->anchor, anchor) == 0)
            xml_elem_write(w, elem);
    }
}

/**
 * xml_extras_write_all: write every kept child in order, ignoring anchors.
 */
void xml_extras_write_all(XmlWriter *w, const XmlExtras *extras)
{
    if (!extras)
        return;
    for (guint i = 0; i < extras->children->len; i++)
        xml_elem_write(w, g_ptr_array_index(extras->children, i));
}

/**
 * xml_elem_namespace: the namespace URI of @elem's own name, looked up in its own
 * declarations (kept metadata elements are self-contained); NULL if none.
 */
const char *xml_elem_namespace(const XmlElem *elem)
{
    const char *colon = elem->name ? strchr(elem->name, ':') : NULL;
    g_autofree char *decl = NULL;

    if (!elem->name)
        return NULL;
    decl = colon ? g_strdup_printf("xmlns:%.*s", (int)(colon - elem->name), elem->name)
                 : g_strdup("xmlns");
    for (guint i = 0; i < elem->attrs->len; i++) {
        const XmlAttr *attr = g_ptr_array_index(elem->attrs, i);
        if (strcmp(attr->name, decl) == 0)
            return attr->value;
    }
    return NULL;
}
