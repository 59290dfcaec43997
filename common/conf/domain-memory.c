/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Memory sizes with units, as libvirt's formatdomain documentation describes them. */

#include <string.h>

#include "conf/domain-parse-priv.h"
#include "conf/xml-read.h"
#include "util/error.h"

/* bytes per unit; units are case-insensitive as in libvirt ("kib", "MB", "g", ...):
 * a bare letter or "<letter>iB" is a power of 1024, "<letter>B" a power of 1000. */
static bool domain_unit_scale(const char *unit, uint64_t *ret_scale)
{
    static const char letters[] = "kmgtpe";
    const char *pos;
    uint64_t base;
    uint64_t scale = 1;

    if (!unit || g_ascii_strcasecmp(unit, "KiB") == 0) {
        *ret_scale = 1024;
        return true;
    }
    if (g_ascii_strcasecmp(unit, "b") == 0 || g_ascii_strcasecmp(unit, "bytes") == 0) {
        *ret_scale = 1;
        return true;
    }
    pos = unit[0] ? strchr(letters, g_ascii_tolower(unit[0])) : NULL;
    if (!pos)
        return false;
    if (unit[1] == '\0' || g_ascii_strcasecmp(unit + 1, "iB") == 0)
        base = 1024;
    else if (g_ascii_strcasecmp(unit + 1, "B") == 0)
        base = 1000;
    else
        return false;
    for (long i = 0; i <= pos - letters; i++)
        scale *= base;
    *ret_scale = scale;
    return true;
}

/**
 * domain_parse_scaled: @value in @unit (NULL = KiB) as KiB, rounded up. False for an
 * unknown unit, a non-numeric value or more bytes than 64 bits hold; the caller words
 * the error since only it knows the element.
 */
bool domain_parse_scaled(const char *value, const char *unit, uint64_t *ret_kib)
{
    uint64_t scale;
    guint64 num;

    if (!domain_unit_scale(unit, &scale))
        return false;
    if (!g_ascii_string_to_unsigned(value, 10, 0, G_MAXUINT64, &num, NULL))
        return false;
    if (num > G_MAXUINT64 / scale)
        return false;
    num *= scale;
    *ret_kib = num / 1024 + (num % 1024 ? 1 : 0);
    return true;
}

/**
 * domain_parse_memory_node: the value of a <memory>-like element in KiB, with an error
 * naming the element for a bad value, a bad unit or an overflow.
 */
bool domain_parse_memory_node(xmlNode *node, uint64_t *ret_kib, GError **error)
{
    const char *name = (const char *)node->name;
    g_autofree char *text = xml_text(node);
    g_autofree char *unit = xml_prop(node, "unit");
    uint64_t scale;
    guint64 num;

    g_strstrip(text);
    /* libvirt's unit scaling is a utility outside any driver: {NONE, INVALID_ARG} */
    if (unit && !domain_unit_scale(unit, &scale)) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG,
                    "unknown unit '%s' in <%s unit='%s'>: use b, KiB, MiB, GiB, TiB (or KB, "
                    "MB, ...)",
                    unit, name, unit);
        return false;
    }
    if (!g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT64, &num, NULL)) {
        g_set_error(error, VIRT_XML_ERROR, VIRT_ERR_XML_ERROR,
                    "invalid memory value '%s' in <%s>: expected a non-negative integer", text,
                    name);
        return false;
    }
    if (!domain_parse_scaled(text, unit, ret_kib)) {
        g_set_error(error, VIRT_XML_ERROR, VIRT_ERR_XML_ERROR,
                    "memory value '%s%s%s' in <%s> is too large", text, unit ? " " : "",
                    unit ? unit : "", name);
        return false;
    }
    return true;
}

/**
 * domain_parse_error: set {VIRT_FROM_DOMAIN, @code} with the formatted message.
 */
bool domain_parse_error(GError **error, VirtErrorCode code, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(error, VIRT_DOMAIN_ERROR, code, msg);
    return false;
}

/**
 * domain_set_str: replace the string in @field by @value (taking ownership).
 */
void domain_set_str(char **field, char *value)
{
    g_free(*field);
    *field = value;
}
