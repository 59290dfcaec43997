/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tier: golden (pure). GError <-> libvirt {domain, code} identity. */

#include <gio/gio.h>

#include "util/error.h"

static void test_error_identity(void)
{
    g_autoptr(GError) e = g_error_new(VIRT_DOMAIN_ERROR, VIRT_ERR_NO_DOMAIN, "no domain");
    g_autoptr(GError) foreign = g_error_new(G_FILE_ERROR, G_FILE_ERROR_NOENT, "gone");
    VirtErrorDomain d;
    VirtErrorCode c;

    virt_error_identity(e, &d, &c);
    g_assert_cmpint(d, ==, 20);
    g_assert_cmpint(c, ==, 42);
    virt_error_identity(foreign, &d, &c);
    g_assert_cmpint(d, ==, VIRT_FROM_NONE);
    g_assert_cmpint(c, ==, VIRT_ERR_INTERNAL_ERROR);
}

static void test_error_quarks_distinct(void)
{
    for (int i = 0; i < _VIRT_FROM_MAX; i++) {
        GQuark q = virt_error_quark((VirtErrorDomain)i);

        g_assert_cmpint(virt_error_domain_from_quark(q), ==, i);
    }
    g_assert_cmpint(VIRT_FROM_CONF, ==, 9);
    g_assert_cmpint(VIRT_FROM_DOMAIN_SNAPSHOT, ==, 35);
    g_assert_cmpint(VIRT_ERR_OPERATION_INVALID, ==, 55);
    g_assert_cmpint(VIRT_ERR_NO_SUPPORT, ==, 3);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/util/error/identity", test_error_identity);
    g_test_add_func("/util/error/quarks", test_error_quarks_distinct);
    return g_test_run();
}
