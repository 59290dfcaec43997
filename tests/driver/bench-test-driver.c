/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Benchmark: define and list 10,000 domains on the test driver (issue 2). Prints
 * numbers; asserts only that the operations succeed.
 */

#include "driver/test-driver.h"

#define N_DOMAINS 10000

static const char xml_template[] =
    "<domain type='test'>\n"
    "  <name>bench-%05u</name>\n"
    "  <memory unit='KiB'>1048576</memory>\n"
    "  <vcpu>2</vcpu>\n"
    "  <os><type arch='i686'>hvm</type><boot dev='hd'/></os>\n"
    "  <devices>\n"
    "    <disk type='file' device='disk'>\n"
    "      <source file='/var/lib/images/bench-%05u.qcow2'/>\n"
    "      <target dev='vda' bus='virtio'/>\n"
    "    </disk>\n"
    "    <interface type='network'><source network='default'/></interface>\n"
    "  </devices>\n"
    "</domain>\n";

static void ref_free(gpointer ref)
{
    domain_ref_free(ref);
}

static double elapsed(gint64 start)
{
    return (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
}

static void report(const char *what, guint n, double secs)
{
    g_print("# %-40s %6u in %8.3f s  %10.0f /s\n", what, n, secs, secs > 0 ? n / secs : 0.0);
}

static guint list(DriverConn *conn, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) doms = NULL;

    g_assert_true(test_driver_ops.connect_list_all_domains(conn, flags, &doms, &error));
    return doms->len;
}

static void bench(DriverConn *conn)
{
    g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func(ref_free);
    gint64 t;
    guint n;

    t = g_get_monotonic_time();
    for (guint i = 0; i < N_DOMAINS; i++) {
        g_autoptr(GError) error = NULL;
        g_autofree char *xml = g_strdup_printf(xml_template, i, i);
        DomainRef *ref = test_driver_ops.domain_define_xml(conn, xml, 0, &error);

        g_assert_no_error(error);
        g_ptr_array_add(refs, ref);
    }
    report("define", N_DOMAINS, elapsed(t));

    t = g_get_monotonic_time();
    n = list(conn, 0);
    report("list all (one call)", n, elapsed(t));
    g_assert_cmpuint(n, ==, N_DOMAINS + 1);

    t = g_get_monotonic_time();
    for (int i = 0; i < 10; i++)
        n = list(conn, 2 /* INACTIVE */);
    report("list inactive x10 (domains per call)", n, elapsed(t) / 10);

    t = g_get_monotonic_time();
    for (guint i = 0; i < N_DOMAINS; i++) {
        g_autoptr(DomainRef) ref =
            test_driver_ops.domain_lookup_by_name(conn, ((DomainRef *)refs->pdata[i])->name, NULL);
        g_assert_nonnull(ref);
    }
    report("lookup by name", N_DOMAINS, elapsed(t));

    t = g_get_monotonic_time();
    for (guint i = 0; i < N_DOMAINS; i++) {
        g_autoptr(DomainRef) ref = test_driver_ops.domain_create(conn, refs->pdata[i], 0, NULL);
        g_assert_nonnull(ref);
    }
    report("start", N_DOMAINS, elapsed(t));

    t = g_get_monotonic_time();
    n = list(conn, 1 /* ACTIVE */);
    report("list active (one call)", n, elapsed(t));

    t = g_get_monotonic_time();
    for (guint i = 0; i < N_DOMAINS; i++) {
        g_autofree char *xml = test_driver_ops.domain_get_xml_desc(conn, refs->pdata[i], 0, NULL);
        g_assert_nonnull(xml);
    }
    report("dumpxml", N_DOMAINS, elapsed(t));

    t = g_get_monotonic_time();
    for (guint i = 0; i < N_DOMAINS; i++) {
        g_assert_true(test_driver_ops.domain_destroy(conn, refs->pdata[i], 0, NULL));
        g_assert_true(test_driver_ops.domain_undefine(conn, refs->pdata[i], 0, NULL));
    }
    report("destroy + undefine", N_DOMAINS, elapsed(t));
}

static void test_bench(void)
{
    g_autoptr(VirtUri) uri = virt_uri_parse("test:///default", NULL);
    g_autoptr(GError) error = NULL;
    DriverConn *conn = NULL;

    g_assert_true(test_driver_ops.connect_open(uri, 0, NULL, NULL, &conn, &error));
    bench(conn);
    test_driver_ops.connect_close(conn);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bench/driver/define-list-10000", test_bench);
    return g_test_run();
}
