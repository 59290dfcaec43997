/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* UUIDs as 16 raw bytes (the wire's remote_uuid) and their 36-character text form. */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define VIRT_UUID_LEN 16
#define VIRT_UUID_STRING_LEN 37 /* 36 characters + NUL */

/* Accepts the canonical dashed form and, as libvirt does, 32 hex digits with dashes
 * or spaces between pairs. Returns false (no GError: callers name the object). */
bool virt_uuid_parse(const char *str, uint8_t ret_uuid[VIRT_UUID_LEN]);
void virt_uuid_format(const uint8_t uuid[VIRT_UUID_LEN], char ret_str[VIRT_UUID_STRING_LEN]);
void virt_uuid_generate(uint8_t ret_uuid[VIRT_UUID_LEN]);
bool virt_uuid_is_null(const uint8_t uuid[VIRT_UUID_LEN]);
