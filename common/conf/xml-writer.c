/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <inttypes.h>

#include "conf/xml-writer.h"

/**
 * xml_writer_init: start writing into @buf at @indent levels (two spaces each). The
 * initial level lets a caller embed a formatted fragment inside a larger document.
 */
void xml_writer_init(XmlWriter *w, GString *buf, int indent)
{
    *w = (XmlWriter){ .buf = buf };
    /* Pre-existing levels are anonymous: they are never closed by this writer. */
    for (int i = 0; i < indent && i < XML_WRITER_MAX_DEPTH; i++)
        w->stack[w->depth++] = NULL;
}

static void xml_writer_indent(XmlWriter *w)
{
    for (int i = 0; i < w->depth; i++)
        g_string_append(w->buf, "  ");
}

/* Finish a pending start tag because a child or text follows. */
static void xml_writer_close_start(XmlWriter *w, bool newline)
{
    if (!w->start_open)
        return;
    g_string_append_c(w->buf, '>');
    if (newline)
        g_string_append_c(w->buf, '\n');
    w->start_open = false;
}

/**
 * xml_escape_append: append @text with the five XML special characters escaped, as
 * libvirt does for both attribute values and text.
 */
void xml_escape_append(GString *buf, const char *text)
{
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '<':
            g_string_append(buf, "&lt;");
            break;
        case '>':
            g_string_append(buf, "&gt;");
            break;
        case '&':
            g_string_append(buf, "&amp;");
            break;
        case '\'':
            g_string_append(buf, "&apos;");
            break;
        case '"':
            g_string_append(buf, "&quot;");
            break;
        default:
            g_string_append_c(buf, *p);
        }
    }
}

/**
 * xml_escape_append_libxml: escape as libxml2's serializer does, which libvirt uses for
 * <metadata> content (and virsh shows to users).
 */
void xml_escape_append_libxml(GString *buf, const char *text, bool attr)
{
    for (const char *p = text; *p; p++) {
        if (*p == '<')
            g_string_append(buf, "&lt;");
        else if (*p == '>')
            g_string_append(buf, "&gt;");
        else if (*p == '&')
            g_string_append(buf, "&amp;");
        else if (*p == '\r')
            g_string_append(buf, "&#13;");
        else if (attr && *p == '"')
            g_string_append(buf, "&quot;");
        else if (attr && *p == '\n')
            g_string_append(buf, "&#10;");
        else if (attr && *p == '\t')
            g_string_append(buf, "&#9;");
        else
            g_string_append_c(buf, *p);
    }
}

/**
 * xml_writer_raw_line: write already serialized @xml as a child line of the current
 * element (used for mixed content, which must not be re-indented).
 */
void xml_writer_raw_line(XmlWriter *w, const char *xml)
{
    xml_writer_close_start(w, true);
    xml_writer_indent(w);
    g_string_append(w->buf, xml);
    g_string_append_c(w->buf, '\n');
}

/**
 * xml_writer_start: open element @name; @name must stay valid until xml_writer_end.
 */
void xml_writer_start(XmlWriter *w, const char *name)
{
    g_assert(w->depth < XML_WRITER_MAX_DEPTH);
    xml_writer_close_start(w, true);
    xml_writer_indent(w);
    g_string_append_c(w->buf, '<');
    g_string_append(w->buf, name);
    w->stack[w->depth++] = name;
    w->start_open = true;
    w->has_text = false;
}

/**
 * xml_writer_attr: add an attribute to the element just started; NULL @value adds
 * nothing, which keeps optional attributes one line at the call site.
 */
void xml_writer_attr(XmlWriter *w, const char *name, const char *value)
{
    if (!value)
        return;
    g_assert(w->start_open);
    g_string_append_c(w->buf, ' ');
    g_string_append(w->buf, name);
    if (w->libxml_style) {
        g_string_append(w->buf, "=\"");
        xml_escape_append_libxml(w->buf, value, true);
        g_string_append_c(w->buf, '"');
        return;
    }
    g_string_append(w->buf, "='");
    xml_escape_append(w->buf, value);
    g_string_append_c(w->buf, '\'');
}

/**
 * xml_writer_attr_uint: add a decimal unsigned attribute.
 */
void xml_writer_attr_uint(XmlWriter *w, const char *name, uint64_t value)
{
    char num[32];

    g_snprintf(num, sizeof(num), "%" PRIu64, value);
    xml_writer_attr(w, name, num);
}

/**
 * xml_writer_attr_int: add a decimal signed attribute.
 */
void xml_writer_attr_int(XmlWriter *w, const char *name, int64_t value)
{
    char num[32];

    g_snprintf(num, sizeof(num), "%" PRId64, value);
    xml_writer_attr(w, name, num);
}

/**
 * xml_writer_text: add escaped text content to the current element; the element then
 * closes on the same line.
 */
void xml_writer_text(XmlWriter *w, const char *text)
{
    xml_writer_close_start(w, false);
    if (w->libxml_style)
        xml_escape_append_libxml(w->buf, text, false);
    else
        xml_escape_append(w->buf, text);
    w->has_text = true;
}

/**
 * xml_writer_open_children: finish the start tag so that the element is written with
 * a separate end tag even without children (libvirt's empty <devices>).
 */
void xml_writer_open_children(XmlWriter *w)
{
    xml_writer_close_start(w, true);
}

/**
 * xml_writer_end: close the innermost element.
 */
void xml_writer_end(XmlWriter *w)
{
    const char *name;

    g_assert(w->depth > 0 && w->stack[w->depth - 1]);
    name = w->stack[--w->depth];
    if (w->start_open) {
        g_string_append(w->buf, "/>\n");
    } else {
        if (!w->has_text)
            xml_writer_indent(w);
        g_string_append_printf(w->buf, "</%s>\n", name);
    }
    w->start_open = false;
    w->has_text = false;
}

/**
 * xml_writer_text_element: write <@name>@text</@name>; nothing when @text is NULL.
 */
void xml_writer_text_element(XmlWriter *w, const char *name, const char *text)
{
    if (!text)
        return;
    xml_writer_start(w, name);
    xml_writer_text(w, text);
    xml_writer_end(w);
}
