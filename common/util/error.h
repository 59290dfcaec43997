/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Errors: GError at every module boundary. The GError domain is one quark per
 * libvirt error domain and the code is a VirtErrorCode, so an error keeps its libvirt
 * identity {domain, code, message} from where it is raised to the wire and to
 * virGetLastError() in libclient.
 */

#include <glib.h>
#include <stdbool.h>

#include "util/error-codes.h"

GQuark virt_error_quark(VirtErrorDomain domain);
VirtErrorDomain virt_error_domain_from_quark(GQuark quark);

/* The wire identity of any GError; foreign domains map to {NONE/INTERNAL_ERROR}. */
void virt_error_identity(const GError *error, VirtErrorDomain *ret_domain, VirtErrorCode *ret_code);

/* Per-component shorthands (STYLE.md §4). */
#define VIRT_UTIL_ERROR virt_error_quark(VIRT_FROM_NONE)
#define VIRT_CONF_ERROR virt_error_quark(VIRT_FROM_CONF)
#define VIRT_XML_ERROR virt_error_quark(VIRT_FROM_XML)
#define VIRT_DOMAIN_ERROR virt_error_quark(VIRT_FROM_DOMAIN)
#define VIRT_SNAPSHOT_ERROR virt_error_quark(VIRT_FROM_DOMAIN_SNAPSHOT)
#define VIRT_RPC_ERROR virt_error_quark(VIRT_FROM_RPC)
#define VIRT_REMOTE_ERROR virt_error_quark(VIRT_FROM_REMOTE)
#define VIRT_TEST_ERROR virt_error_quark(VIRT_FROM_TEST)
#define VIRT_QEMU_ERROR virt_error_quark(VIRT_FROM_QEMU)
#define VIRT_LXC_ERROR virt_error_quark(VIRT_FROM_LXC)
#define VIRT_LIBXL_ERROR virt_error_quark(VIRT_FROM_LIBXL)
#define VIRT_BHYVE_ERROR virt_error_quark(VIRT_FROM_BHYVE)
#define VIRT_URI_ERROR virt_error_quark(VIRT_FROM_URI)
#define VIRT_ADMIN_ERROR virt_error_quark(VIRT_FROM_ADMIN)
#define VIRT_ACCESS_ERROR virt_error_quark(VIRT_FROM_ACCESS)

/* Set @error to {@domain, VIRT_ERR_SYSTEM_ERROR} with the formatted message followed by
 * ": " and g_strerror(@errnum). Always returns false so callers can `return` it. */
bool virt_error_set_errno(GError **error, GQuark domain, int errnum, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
