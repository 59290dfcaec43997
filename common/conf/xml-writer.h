/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A small XML writer in libvirt's output style: two-space indentation, attributes in
 * single quotes, empty elements as <x/>. Start tags close lazily, so a caller opens an
 * element, adds attributes and optional children, and the writer picks <x/> or <x>..</x>.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define XML_WRITER_MAX_DEPTH 64

typedef struct XmlWriter {
    GString *buf;
    const char *stack[XML_WRITER_MAX_DEPTH];
    int depth;
    bool start_open;   /* the innermost start tag still lacks its '>' */
    bool has_text;     /* the innermost element holds text: close on the same line */
    bool libxml_style; /* double quotes and libxml2's escaping (libvirt's <metadata>) */
} XmlWriter;

void xml_writer_init(XmlWriter *w, GString *buf, int indent);
void xml_writer_start(XmlWriter *w, const char *name);
void xml_writer_attr(XmlWriter *w, const char *name, const char *value);
void xml_writer_attr_uint(XmlWriter *w, const char *name, uint64_t value);
void xml_writer_attr_int(XmlWriter *w, const char *name, int64_t value);
void xml_writer_text(XmlWriter *w, const char *text);
/* close the start tag now: the element is written as <x>..</x> even when empty */
void xml_writer_open_children(XmlWriter *w);
void xml_writer_end(XmlWriter *w);

/* <name>text</name>, nothing when text is NULL */
void xml_writer_text_element(XmlWriter *w, const char *name, const char *text);

/* a pre-serialized element on a line of its own */
void xml_writer_raw_line(XmlWriter *w, const char *xml);

void xml_escape_append(GString *buf, const char *text);
/* libxml2's escaping: text escapes <>&, attribute values also " and line breaks */
void xml_escape_append_libxml(GString *buf, const char *text, bool attr);
