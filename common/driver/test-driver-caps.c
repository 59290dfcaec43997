/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Capabilities XML of the test driver, laid out as `virsh -c test:///default
 * capabilities` prints it: an i686 host with two NUMA cells of eight CPUs (only for
 * test:///default; custom node files get no cells, as in libvirt), hvm and xen guests
 * run by /usr/bin/test-hv, security model "testSecurity".
 *
 * TODO: build this with conf/capabilities.h once it exists, keeping the output.
 */

#include "driver/test-driver-priv.h"

#define CELLS 2
#define CPUS_PER_CELL 8

static void format_host_cpu(GString *out)
{
    g_string_append(out, "    <cpu>\n"
                         "      <arch>i686</arch>\n"
                         "      <features>\n"
                         "        <pae/>\n"
                         "        <nonpae/>\n"
                         "      </features>\n");
    for (guint i = 0; i < 4; i++) {
        static const unsigned int sizes[] = { 4, 8, 2048, 1048576 };

        g_string_append_printf(out, "      <pages unit='KiB' size='%u'/>\n", sizes[i]);
    }
    g_string_append(out, "    </cpu>\n"
                         "    <power_management/>\n"
                         "    <iommu support='no'/>\n");
}

/* Cell i has (i+1) * 2 GiB; its first page size is 4 KiB for cell 0 and 8 KiB for
 * cell 1, which is what libvirt reports for its fake host. */
static void format_cell(GString *out, unsigned int cell)
{
    unsigned long long mem_kib = (cell + 1ULL) * 2 * 1024 * 1024;

    g_string_append_printf(out, "        <cell id='%u'>\n", cell);
    g_string_append_printf(out, "          <memory unit='KiB'>%llu</memory>\n", mem_kib);
    g_string_append_printf(out, "          <pages unit='KiB' size='%u'>524288</pages>\n",
                           cell == 0 ? 4 : 8);
    g_string_append(out, "          <pages unit='KiB' size='2048'>0</pages>\n"
                         "          <pages unit='KiB' size='1048576'>0</pages>\n");
    g_string_append_printf(out, "          <cpus num='%u'>\n", CPUS_PER_CELL);
    for (unsigned int c = 0; c < CPUS_PER_CELL; c++) {
        unsigned int id = cell * CPUS_PER_CELL + c;

        g_string_append_printf(out,
                               "            <cpu id='%u' socket_id='%u' die_id='0' "
                               "core_id='%u' siblings='%u'/>\n",
                               id, cell, c, id);
    }
    g_string_append(out, "          </cpus>\n"
                         "        </cell>\n");
}

static void format_topology(GString *out, bool cells)
{
    g_string_append_printf(out, "    <topology>\n      <cells num='%u'>\n", cells ? CELLS : 0);
    for (unsigned int i = 0; cells && i < CELLS; i++)
        format_cell(out, i);
    g_string_append(out, "      </cells>\n    </topology>\n");
}

static void format_guest(GString *out, const char *os_type)
{
    g_string_append_printf(out,
                           "  <guest>\n"
                           "    <os_type>%s</os_type>\n"
                           "    <arch name='i686'>\n"
                           "      <wordsize>32</wordsize>\n"
                           "      <emulator>/usr/bin/test-hv</emulator>\n"
                           "      <domain type='test'/>\n"
                           "    </arch>\n"
                           "    <features>\n"
                           "      <pae/>\n"
                           "      <nonpae/>\n"
                           "    </features>\n"
                           "  </guest>\n\n",
                           os_type);
}

/**
 * test_driver_format_capabilities: the capabilities document of @drv.
 */
char *test_driver_format_capabilities(const TestDriver *drv)
{
    GString *out = g_string_new("<capabilities>\n\n  <host>\n");

    format_host_cpu(out);
    format_topology(out, drv->default_cells);
    g_string_append(out, "    <secmodel>\n"
                         "      <model>testSecurity</model>\n"
                         "      <doi></doi>\n"
                         "    </secmodel>\n"
                         "  </host>\n\n");
    format_guest(out, "hvm");
    format_guest(out, "xen");
    g_string_append(out, "</capabilities>\n");
    return g_string_free(out, FALSE);
}
