/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Consoles of QEMU guests (qemu-console.c): DriverOps.domain_open_console. */

#include <glib.h>
#include <stdbool.h>

#include "conf/domain-def.h"
#include "driver/driver.h"
#include "qemu-monitor-json.h"

/* pure */
char *qemu_console_chardev(const DomainDef *def, const char *dev_name, GError **error);
char *qemu_console_pty_path(const QemuMonitorMessage *reply, const char *id, GError **error);

bool qemu_domain_open_console(DriverConn *conn, const DomainRef *dom, const char *dev_name,
                              unsigned int flags, int *ret_fd, GError **error);
