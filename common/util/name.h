/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Validation of names that clients choose (domains, snapshots) before they are used as
 * file names: no '/', no "." or "..", no control characters, valid UTF-8, bounded length.
 */

#include <stddef.h>

#define VIRT_NAME_MAX 255

/* NULL when the name is acceptable, otherwise a short reason for a message such as
 * "domain name 'a/b' is invalid: it contains '/'". */
const char *virt_name_check(const char *name);
