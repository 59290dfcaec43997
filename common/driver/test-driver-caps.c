/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Capabilities of the test driver, as libvirt's test driver reports them: an i686 host
 * with two NUMA cells of eight CPUs (only for test:///default; custom node files get no
 * cells, as in libvirt), hvm and xen guests run by /usr/bin/test-hv, security model
 * "testSecurity".
 */

#include "conf/capabilities.h"
#include "driver/test-driver-priv.h"

#define CELLS 2
#define CPUS_PER_CELL 8

/* Cell i has (i+1) * 2 GiB; its first page size is 4 KiB for cell 0 and 8 KiB for
 * cell 1, which is what libvirt reports for its fake host. */
static void add_default_cells(Capabilities *caps)
{
    static const unsigned int first_page[CELLS] = { 4, 8 };

    for (unsigned int c = 0; c < CELLS; c++) {
        CapsNumaCell *cell = capabilities_add_cell(caps, c, (c + 1ULL) * 2 * 1024 * 1024);

        caps_cell_add_pages(cell, first_page[c], 524288);
        caps_cell_add_pages(cell, 2048, 0);
        caps_cell_add_pages(cell, 1048576, 0);
        for (unsigned int i = 0; i < CPUS_PER_CELL; i++) {
            unsigned int id = c * CPUS_PER_CELL + i;
            g_autofree char *siblings = g_strdup_printf("%u", id);

            caps_cell_add_cpu(cell, id, (int)c, 0, (int)i, siblings);
        }
    }
}

/**
 * test_driver_format_capabilities: the capabilities document of @drv.
 */
char *test_driver_format_capabilities(const TestDriver *drv)
{
    static const unsigned int page_sizes[] = { 4, 8, 2048, 1048576 };
    static const char *const os_types[] = { "hvm", "xen" };
    g_autoptr(Capabilities) caps = capabilities_new("i686");

    g_ptr_array_add(caps->host.cpu_features, g_strdup("pae"));
    g_ptr_array_add(caps->host.cpu_features, g_strdup("nonpae"));
    for (gsize i = 0; i < G_N_ELEMENTS(page_sizes); i++)
        capabilities_add_page_size(caps, page_sizes[i]);
    caps->host.power_management_known = true;
    caps->host.iommu_support = g_strdup("no");
    if (drv->default_cells)
        add_default_cells(caps);
    capabilities_add_secmodel(caps, "testSecurity", "");
    for (gsize i = 0; i < G_N_ELEMENTS(os_types); i++) {
        CapsGuest *guest =
            capabilities_add_guest(caps, os_types[i], "i686", 32, "/usr/bin/test-hv");

        caps_guest_add_domain(guest, "test", NULL);
        caps_guest_add_feature(guest, "pae", NULL, NULL);
        caps_guest_add_feature(guest, "nonpae", NULL, NULL);
    }
    return capabilities_format(caps);
}
