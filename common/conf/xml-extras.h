/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * XmlExtras: what the parser of one element did not model (attributes, namespace
 * declarations, child elements), kept as a small self-owned tree so it can be copied and
 * written back verbatim. Each kept child remembers the modelled sibling it followed
 * ("anchor"), so the formatter puts it back in the same place.
 */

#include <glib.h>
#include <libxml/tree.h>
#include <stdbool.h>

#include "conf/xml-writer.h"

typedef struct XmlExtras XmlExtras;

typedef struct XmlAttr {
    char *name; /* qualified: "dumpCore", "xmlns:qemu", "test:foo" */
    char *value;
} XmlAttr;

typedef struct XmlElem {
    char *name;          /* qualified name; NULL for a text node */
    char *text;          /* text node content */
    GPtrArray *attrs;    /* XmlAttr* */
    GPtrArray *children; /* XmlElem* */
    char *anchor;        /* extras children only: preceding modelled sibling, "" = first */
} XmlElem;

struct XmlExtras {
    GPtrArray *attrs;    /* XmlAttr* */
    GPtrArray *children; /* XmlElem* */
};

/* lifecycle */
XmlExtras *xml_extras_new(void);
XmlExtras *xml_extras_free(XmlExtras *extras);
XmlExtras *xml_extras_copy(const XmlExtras *extras);
bool xml_extras_is_empty(const XmlExtras *extras);
XmlElem *xml_elem_new(const char *name, const char *anchor);
void xml_elem_add_attr(XmlElem *elem, const char *name, const char *value);
XmlElem *xml_elem_free(XmlElem *elem);
XmlElem *xml_elem_copy(const XmlElem *elem);

/* capture: everything of @node not listed in @known_attrs / @known_children (NULL-
 * terminated, unqualified names). Returns NULL when nothing is left over. */
XmlExtras *xml_extras_collect(xmlNode *node, const char *const *known_attrs,
                              const char *const *known_children);
/* Same, but children named in @canonical (libvirt's child order for this element, which
 * must include every name in @known_children) are anchored and ordered as libvirt writes
 * them, whatever their order in the input. */
XmlExtras *xml_extras_collect_ordered(xmlNode *node, const char *const *known_attrs,
                                      const char *const *known_children,
                                      const char *const *canonical);
/* a libxml2 subtree as an XmlElem; with @self_contained every namespace it uses is
 * declared on the copy itself (metadata elements must stand alone). */
XmlElem *xml_elem_from_node(xmlNode *node, bool self_contained);

/* output */
void xml_extras_write_attrs(XmlWriter *w, const XmlExtras *extras);
void xml_extras_write_after(XmlWriter *w, const XmlExtras *extras, const char *anchor);
void xml_extras_write_all(XmlWriter *w, const XmlExtras *extras);
void xml_elem_write(XmlWriter *w, const XmlElem *elem);

/* lookup for the metadata API */
const char *xml_elem_namespace(const XmlElem *elem);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(XmlExtras, xml_extras_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(XmlElem, xml_elem_free)
