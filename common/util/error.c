/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Error convention: functions that can fail take `GError **error` last and set it
 * exactly once, with a domain from virt_error_quark() and a VirtErrorCode. Thin
 * syscall wrappers instead return -errno and leave the message to their caller.
 */

#include "util/error.h"

static const char *const domain_quark_names[_VIRT_FROM_MAX] = {
#include "util/error-domains.inc"
};

static GQuark domain_quarks[_VIRT_FROM_MAX];

static void error_quarks_init(void)
{
    static gsize initialized = 0;

    if (g_once_init_enter(&initialized)) {
        for (int i = 0; i < _VIRT_FROM_MAX; i++)
            domain_quarks[i] = g_quark_from_static_string(domain_quark_names[i]);
        g_once_init_leave(&initialized, 1);
    }
}

/**
 * virt_error_quark: the GError domain for a libvirt error domain.
 */
GQuark virt_error_quark(VirtErrorDomain domain)
{
    g_return_val_if_fail(domain >= 0 && domain < _VIRT_FROM_MAX, 0);
    error_quarks_init();
    return domain_quarks[domain];
}

/**
 * virt_error_domain_from_quark: the libvirt error domain of a quark made by
 * virt_error_quark(), or VIRT_FROM_NONE for any other quark.
 */
VirtErrorDomain virt_error_domain_from_quark(GQuark quark)
{
    error_quarks_init();
    for (int i = 0; i < _VIRT_FROM_MAX; i++) {
        if (domain_quarks[i] == quark)
            return (VirtErrorDomain)i;
    }
    return VIRT_FROM_NONE;
}

/**
 * virt_error_identity: the {domain, code} pair a GError travels with. Errors from
 * other libraries (GIO, GLib file errors) become INTERNAL_ERROR so that the wire
 * never carries a code the client would misinterpret.
 */
void virt_error_identity(const GError *error, VirtErrorDomain *ret_domain, VirtErrorCode *ret_code)
{
    GQuark q = error->domain;
    bool ours = false;

    error_quarks_init();
    for (int i = 0; i < _VIRT_FROM_MAX; i++) {
        if (domain_quarks[i] == q) {
            ours = true;
            break;
        }
    }
    if (!ours || error->code <= 0 || error->code >= _VIRT_ERR_MAX) {
        *ret_domain = ours ? virt_error_domain_from_quark(q) : VIRT_FROM_NONE;
        *ret_code = VIRT_ERR_INTERNAL_ERROR;
        return;
    }
    *ret_domain = virt_error_domain_from_quark(q);
    *ret_code = (VirtErrorCode)error->code;
}

/**
 * virt_error_set_errno: report a failed system call the way libvirt's system errors
 * read ("cannot open file '/x': No such file or directory"), with the system-error
 * code so the client sees VIR_ERR_SYSTEM_ERROR. Returns false.
 */
bool virt_error_set_errno(GError **error, GQuark domain, int errnum, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, domain, VIRT_ERR_SYSTEM_ERROR, "%s: %s", msg, g_strerror(errnum));
    return false;
}
