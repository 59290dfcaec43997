/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include "util/uuid.h"

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/**
 * virt_uuid_parse: parse a UUID; separators ('-' or ' ') may appear between byte
 * pairs, surrounding blanks are ignored, exactly 32 hex digits are required.
 */
bool virt_uuid_parse(const char *str, uint8_t ret_uuid[VIRT_UUID_LEN])
{
    uint8_t out[VIRT_UUID_LEN];
    const char *p = str;
    int n = 0;

    if (!str)
        return false;
    while (*p == ' ')
        p++;
    while (n < VIRT_UUID_LEN) {
        int hi, lo;

        if (*p == '-' || *p == ' ') {
            p++;
            continue;
        }
        hi = hex_value(p[0]);
        if (hi < 0)
            return false;
        lo = hex_value(p[1]);
        if (lo < 0)
            return false;
        out[n++] = (uint8_t)(hi << 4 | lo);
        p += 2;
    }
    while (*p == ' ')
        p++;
    if (*p != '\0')
        return false;
    memcpy(ret_uuid, out, VIRT_UUID_LEN);
    return true;
}

/**
 * virt_uuid_format: the canonical lower-case 8-4-4-4-12 form.
 */
void virt_uuid_format(const uint8_t uuid[VIRT_UUID_LEN], char ret_str[VIRT_UUID_STRING_LEN])
{
    g_snprintf(ret_str, VIRT_UUID_STRING_LEN,
               "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", uuid[0],
               uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7], uuid[8], uuid[9],
               uuid[10], uuid[11], uuid[12], uuid[13], uuid[14], uuid[15]);
}

/**
 * virt_uuid_generate: a random (version 4) UUID.
 */
void virt_uuid_generate(uint8_t ret_uuid[VIRT_UUID_LEN])
{
    g_autofree char *s = g_uuid_string_random();
    bool ok = virt_uuid_parse(s, ret_uuid);

    g_assert(ok);
}

bool virt_uuid_is_null(const uint8_t uuid[VIRT_UUID_LEN])
{
    for (int i = 0; i < VIRT_UUID_LEN; i++) {
        if (uuid[i])
            return false;
    }
    return true;
}
