/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Internal split of the domain formatter: top level (domain-format.c), <os>, <cpu>,
 * <clock>, <features> (domain-format-os.c), <devices> (domain-format-devices.c). */

#include "conf/domain-def.h"
#include "conf/xml-writer.h"

void domain_format_os(XmlWriter *w, const DomainOsDef *os);
void domain_format_features(XmlWriter *w, const DomainDef *def);
void domain_format_cpu(XmlWriter *w, const DomainCpuDef *cpu);
void domain_format_clock(XmlWriter *w, const DomainClockDef *clock);
void domain_format_devices(XmlWriter *w, const DomainDef *def, DomainFormatFlags flags);
