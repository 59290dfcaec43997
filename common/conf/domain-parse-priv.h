/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Internal split of the domain parser: top level (domain-parse.c), <os> and friends
 * (domain-parse-os.c), <devices> (domain-parse-devices.c). */

#include <libxml/tree.h>

#include "conf/domain-def.h"
#include "util/error-codes.h"

bool domain_parse_os(xmlNode *node, DomainOsDef *os, GError **error);
bool domain_parse_features(xmlNode *node, DomainDef *def, GError **error);
bool domain_parse_cpu(xmlNode *node, DomainCpuDef *cpu, GError **error);
bool domain_parse_clock(xmlNode *node, DomainClockDef *clock, GError **error);
bool domain_parse_devices(xmlNode *node, DomainDef *def, GError **error);

/* "<memory unit='MiB'>512</memory>" -> KiB, rounding up as libvirt does. */
bool domain_parse_memory_node(xmlNode *node, uint64_t *ret_kib, GError **error);
bool domain_parse_scaled(const char *value, const char *unit, uint64_t *ret_kib);

/* {VIRT_FROM_DOMAIN, @code}: what libvirt's domain parser and validation report for a value it does
 * not take (CONFIG_UNSUPPORTED for the enumerations it checks itself, NO_NAME, XML_ERROR). */
bool domain_parse_error(GError **error, VirtErrorCode code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* replace *field with a new string */
void domain_set_str(char **field, char *value);

/* libvirt's child order per element (domain-order.c) */
extern const char *const domain_order_domain[];
extern const char *const domain_order_os[];
extern const char *const domain_order_features[];
extern const char *const domain_order_cpu[];
extern const char *const domain_order_devices[];
extern const char *const domain_order_disk[];
extern const char *const domain_order_net[];

DomainDef *domain_def_parse_node(xmlNode *root, DomainParseFlags flags, GError **error);
