/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Reading XML safely: bounded size and depth, no network, no entity substitution, no
 * DTD loading, DOCTYPEs with entity declarations or external subsets refused before
 * libxml2 sees them. Plus the small accessors every conf parser uses.
 */

#include <glib.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stdint.h>

#define XML_DOC_MAX_SIZE (10 * 1024 * 1024)
#define XML_DOC_MAX_DEPTH 48

/*
 * Process-wide set-up for libxml2 (xmlInitParser is not reentrant) and glib's lazily made
 * state (util_process_init). Call before a second thread exists: daemon main, API entry.
 */
void xml_library_init(void);

/* Parse @xml whose root element must be @root_name; syntax errors are in @syntax_domain. */
xmlDoc *xml_doc_parse_safe(const char *xml, const char *root_name, GQuark syntax_domain,
                           GError **error);

/* Accessors return newly allocated strings (g_free) or NULL when absent. */
char *xml_prop(const xmlNode *node, const char *name);
char *xml_text(const xmlNode *node);
bool xml_node_is(const xmlNode *node, const char *name);
xmlNode *xml_child(const xmlNode *node, const char *name);

/* Errors naming the element and attribute; all return false for `return conf_...;`. */
bool xml_error_missing_attr(const xmlNode *node, const char *attr, GError **error);
bool xml_error_bad_attr(const xmlNode *node, const char *attr, const char *value, GError **error);
bool xml_error_bad_text(const xmlNode *node, const char *value, const char *expected,
                        GError **error);

/* Numbers: absent attribute leaves *ret untouched and succeeds. */
bool xml_prop_uint(const xmlNode *node, const char *name, unsigned int *ret, GError **error);
bool xml_prop_int(const xmlNode *node, const char *name, int *ret, GError **error);
bool xml_prop_yesno(const xmlNode *node, const char *name, const char **ret, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)
