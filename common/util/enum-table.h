/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * One string table per enum. ENUM_TABLE_DECLARE goes in the header next to the enum,
 * ENUM_TABLE_DEFINE in exactly one .c file:
 *
 *   ENUM_TABLE_DECLARE(domain_state, DomainState);
 *   ENUM_TABLE_DEFINE(domain_state, DomainState, _DOMAIN_STATE_MAX,
 *                     [DOMAIN_STATE_RUNNING] = "running", ...);
 *
 * gives domain_state_to_string() (NULL for out-of-range values) and
 * domain_state_from_string() (-EINVAL, i.e. the enum's _INVALID, for unknown strings).
 */

#include <errno.h>
#include <string.h>

#define ENUM_TABLE_DECLARE(name, type)        \
    const char *name##_to_string(type value); \
    type name##_from_string(const char *str)

#define ENUM_TABLE_DEFINE(name, type, max, ...)                       \
    static const char *const name##_table[max] = { __VA_ARGS__ };     \
    const char *name##_to_string(type value)                          \
    {                                                                 \
        if ((int)value < 0 || (int)value >= (int)(max))               \
            return NULL;                                              \
        return name##_table[value];                                   \
    }                                                                 \
    type name##_from_string(const char *str)                          \
    {                                                                 \
        if (!str)                                                     \
            return (type)-EINVAL;                                     \
        for (int i = 0; i < (int)(max); i++) {                        \
            if (name##_table[i] && strcmp(name##_table[i], str) == 0) \
                return (type)i;                                       \
        }                                                             \
        return (type)-EINVAL;                                         \
    }                                                                 \
    struct name##_table_semicolon_eater
