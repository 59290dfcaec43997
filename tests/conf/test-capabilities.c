/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Capabilities formatter: the test driver's capabilities must come out byte for byte as
 * Debian's libvirt 9.0 prints them (`virsh -c test:///default capabilities`, recorded in
 * data/capabilities/test-default.xml); a fuller KVM-like host checks the optional parts,
 * and both validate against libvirt's capability.rng when it is installed.
 */

#include <string.h>

#include "test-golden.h"
#include "util/error.h"
#include "conf/capabilities.h"
#include "conf/xml-read.h"
#include "util/uuid.h"

#include <libxml/relaxng.h>

#define LIBVIRT_CAPS_RNG "/usr/share/libvirt/schemas/capability.rng"

static char *data_dir;
static GHashTable *used_files;

/* What libvirt's test driver reports (reference/libvirt-facts.md §4). */
static Capabilities *caps_test_default(void)
{
    Capabilities *caps = capabilities_new("i686");
    const unsigned int cell_page[] = { 4, 8 };
    const char *const os_types[] = { "hvm", "xen" };

    g_ptr_array_add(caps->host.cpu_features, g_strdup("pae"));
    g_ptr_array_add(caps->host.cpu_features, g_strdup("nonpae"));
    capabilities_add_page_size(caps, 4);
    capabilities_add_page_size(caps, 8);
    capabilities_add_page_size(caps, 2048);
    capabilities_add_page_size(caps, 1048576);
    caps->host.power_management_known = true;
    caps->host.iommu_support = g_strdup("no");
    for (unsigned int c = 0; c < 2; c++) {
        CapsNumaCell *cell = capabilities_add_cell(caps, c, (c + 1) * 2097152ULL);

        caps_cell_add_pages(cell, cell_page[c], 524288);
        caps_cell_add_pages(cell, 2048, 0);
        caps_cell_add_pages(cell, 1048576, 0);
        for (unsigned int i = 0; i < 8; i++) {
            g_autofree char *siblings = g_strdup_printf("%u", c * 8 + i);
            caps_cell_add_cpu(cell, c * 8 + i, (int)c, 0, (int)i, siblings);
        }
    }
    capabilities_add_secmodel(caps, "testSecurity", "");
    for (size_t i = 0; i < G_N_ELEMENTS(os_types); i++) {
        CapsGuest *guest =
            capabilities_add_guest(caps, os_types[i], "i686", 32, "/usr/bin/test-hv");

        caps_guest_add_domain(guest, "test", NULL);
        caps_guest_add_feature(guest, "pae", NULL, NULL);
        caps_guest_add_feature(guest, "nonpae", NULL, NULL);
    }
    return caps;
}

/* Every optional part once: uuid, model, topology, migration, distances, base labels,
 * machines with canonical names, per-domain emulators, toggled features. */
static Capabilities *caps_kvm_host(void)
{
    Capabilities *caps = capabilities_new("x86_64");
    CapsNumaCell *cell;
    CapsSecModel *sec;
    CapsGuest *guest;
    CapsGuestDomain *dom;

    g_assert_true(virt_uuid_parse("0e6b2ae1-4a6c-4d4e-9c5b-7ea2b8f4d9a1", caps->host.uuid));
    caps->host.has_uuid = true;
    caps->host.cpu_model = g_strdup("Skylake-Client-IBRS");
    caps->host.cpu_vendor = g_strdup("Intel");
    caps->host.sockets = 1;
    caps->host.dies = 1;
    caps->host.cores = 2;
    caps->host.threads = 2;
    g_ptr_array_add(caps->host.cpu_features, g_strdup("vmx"));
    capabilities_add_page_size(caps, 4);
    capabilities_add_page_size(caps, 2048);
    caps->host.power_management_known = true;
    g_ptr_array_add(caps->host.power_management, g_strdup("suspend_mem"));
    caps->host.iommu_support = g_strdup("yes");
    caps->host.migration_live = true;
    g_ptr_array_add(caps->host.migration_transports, g_strdup("tcp"));
    g_ptr_array_add(caps->host.migration_transports, g_strdup("rdma"));
    cell = capabilities_add_cell(caps, 0, 16305800);
    caps_cell_add_pages(cell, 4, 4076450);
    caps_cell_add_pages(cell, 2048, 0);
    caps_cell_add_distance(cell, 0, 10);
    for (unsigned int i = 0; i < 4; i++)
        caps_cell_add_cpu(cell, i, 0, 0, (int)i / 2, i < 2 ? "0-1" : "2-3");
    sec = capabilities_add_secmodel(caps, "dac", "0");
    caps_secmodel_add_baselabel(sec, "kvm", "+64055:+64055");
    caps_secmodel_add_baselabel(sec, "qemu", "+64055:+64055");
    guest = capabilities_add_guest(caps, "hvm", "x86_64", 64, "/usr/bin/qemu-system-x86_64");
    caps_guest_add_machine(guest, "pc-i440fx-7.2", NULL, 255);
    caps_guest_add_machine(guest, "pc", "pc-i440fx-7.2", 255);
    caps_guest_add_domain(guest, "qemu", NULL);
    dom = caps_guest_add_domain(guest, "kvm", "/usr/bin/kvm");
    caps_guest_domain_add_machine(dom, "pc-q35-7.2", NULL, 288);
    caps_guest_add_feature(guest, "acpi", "on", "yes");
    caps_guest_add_feature(guest, "apic", "on", "no");
    caps_guest_add_feature(guest, "cpuselection", NULL, NULL);
    caps_guest_add_feature(guest, "deviceboot", NULL, NULL);
    caps_guest_add_feature(guest, "disksnapshot", "on", "no");
    guest = capabilities_add_guest(caps, "exe", "x86_64", 64, "/usr/libexec/libvirt_lxc");
    caps_guest_add_domain(guest, "lxc", NULL);
    return caps;
}

static void caps_check_libvirt_schema(const char *xml)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    xmlRelaxNGParserCtxt *pctxt;
    xmlRelaxNG *schema;
    xmlRelaxNGValidCtxt *vctxt;

    if (!g_file_test(LIBVIRT_CAPS_RNG, G_FILE_TEST_EXISTS)) {
        g_test_message("libvirt's capability.rng is not installed: schema check skipped");
        return;
    }
    doc = xml_doc_parse_safe(xml, "capabilities", VIRT_XML_ERROR, &error);
    g_assert_no_error(error);
    pctxt = xmlRelaxNGNewParserCtxt(LIBVIRT_CAPS_RNG);
    schema = xmlRelaxNGParse(pctxt);
    g_assert_nonnull(schema);
    vctxt = xmlRelaxNGNewValidCtxt(schema);
    g_assert_cmpint(xmlRelaxNGValidateDoc(vctxt, doc), ==, 0);
    xmlRelaxNGFreeValidCtxt(vctxt);
    xmlRelaxNGFree(schema);
    xmlRelaxNGFreeParserCtxt(pctxt);
}

static void caps_check(const char *name, Capabilities *(*build)(void))
{
    g_autoptr(Capabilities) caps = build();
    g_autofree char *xml = capabilities_format(caps);
    g_autofree char *path = g_strdup_printf("%s/%s.xml", data_dir, name);

    test_compare_golden(path, xml);
    caps_check_libvirt_schema(xml);
}

static void test_caps_test_default(void)
{
    caps_check("test-default", caps_test_default);
}

static void test_caps_kvm_host(void)
{
    caps_check("kvm-host", caps_kvm_host);
}

static void test_caps_find_guest(void)
{
    g_autoptr(Capabilities) caps = caps_kvm_host();

    g_assert_nonnull(capabilities_find_guest(caps, "exe", NULL));
    g_assert_nonnull(capabilities_find_guest(caps, "hvm", "x86_64"));
    g_assert_null(capabilities_find_guest(caps, "hvm", "aarch64"));
    g_assert_null(capabilities_find_guest(caps, "xen", NULL));
}

static void test_unused_data(void)
{
    test_check_unused(data_dir, used_files);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    data_dir = test_data_dir("conf", "capabilities");
    used_files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    test_mark_used(used_files, "test-default.xml");
    test_mark_used(used_files, "kvm-host.xml");

    g_test_add_func("/conf/capabilities/test-default", test_caps_test_default);
    g_test_add_func("/conf/capabilities/kvm-host", test_caps_kvm_host);
    g_test_add_func("/conf/capabilities/find-guest", test_caps_find_guest);
    g_test_add_func("/conf/capabilities/no-unused-data", test_unused_data);
    return g_test_run();
}
