/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib.h>
#include <string.h>

#include "util/name.h"

/**
 * virt_name_check: why @name cannot name an object, or NULL when it can. Names end up
 * as file names (<name>.xml, snapshot directories), so anything that could escape a
 * directory or confuse a terminal is refused here, once, for every caller.
 */
const char *virt_name_check(const char *name)
{
    if (!name || !*name)
        return "it is empty";
    if (strlen(name) > VIRT_NAME_MAX)
        return "it is longer than 255 bytes";
    if (!g_utf8_validate(name, -1, NULL))
        return "it is not valid UTF-8";
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return "'.' and '..' are reserved";
    if (strchr(name, '/'))
        return "it contains '/'";
    for (const char *p = name; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return "it contains a control character";
    }
    return NULL;
}
