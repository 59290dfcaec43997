/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Internal split of post-parse: domain-level defaults (domain-postparse.c) and device
 * defaults (domain-postparse-devices.c). */

#include "conf/domain-def.h"

void domain_post_parse_devices(DomainDef *def);
void domain_post_parse_disks(DomainDef *def);
