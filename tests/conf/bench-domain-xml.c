/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Benchmark (suite 'bench'): parse + post-parse + validate + format of a typical ~4 KB
 * domain XML (data/domain-xml2xml/full-qemu.xml) per second. Prints, asserts nothing
 * about speed, runs about a second.
 */

#include "test-golden.h"
#include "conf/domain-def.h"

static void bench_parse_format(void)
{
    g_autofree char *dir = test_data_dir("conf", "domain-xml2xml");
    g_autofree char *path = g_build_filename(dir, "full-qemu.xml", NULL);
    g_autofree char *xml = test_read(path);
    g_autoptr(GTimer) timer = g_timer_new();
    unsigned long rounds = 0;
    double elapsed;

    do {
        for (int i = 0; i < 100; i++) {
            g_autoptr(GError) error = NULL;
            g_autoptr(DomainDef) def = domain_def_parse_full(xml, 0, NULL, &error);
            g_autofree char *out = NULL;

            g_assert_no_error(error);
            out = domain_def_format(def, -1, DOMAIN_FORMAT_SECURE);
        }
        rounds += 100;
        elapsed = g_timer_elapsed(timer, NULL);
    } while (elapsed < 1.0);
    g_test_message("parse+format of a %zu-byte domain XML: %.0f per second (%lu in %.2f s)",
                   strlen(xml), rounds / elapsed, rounds, elapsed);
    g_test_minimized_result(rounds / elapsed, "%.0f parse+format per second", rounds / elapsed);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/conf/bench/parse-format", bench_parse_format);
    return g_test_run();
}
