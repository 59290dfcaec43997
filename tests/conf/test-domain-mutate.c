/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Robustness: every xml2xml input, truncated at many points and with single characters
 * replaced, must either be refused with a conf GError or parse into a definition that
 * formats and parses back. Deterministic (fixed mutation positions), a few seconds.
 */

#include <string.h>

#include "test-golden.h"
#include "conf/domain-def.h"
#include "util/error.h"

static unsigned long accepted;
static unsigned long refused;

static void mutate_check(const char *xml)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainDef) def = domain_def_parse_full(xml, 0, NULL, &error);
    g_autofree char *out = NULL;
    g_autoptr(DomainDef) again = NULL;

    if (!def) {
        g_assert_nonnull(error);
        /* the domain parser's, or the XML reader's, or libvirt's unit scaling (NONE) */
        g_assert_true(error->domain == VIRT_DOMAIN_ERROR || error->domain == VIRT_XML_ERROR ||
                      error->domain == VIRT_UTIL_ERROR);
        g_assert_nonnull(error->message);
        refused++;
        return;
    }
    accepted++;
    out = domain_def_format(def, -1, DOMAIN_FORMAT_SECURE);
    again = domain_def_parse_full(out, 0, NULL, &error);
    if (!again)
        g_error("formatted output of a mutated input does not parse: %s\n%s", error->message, out);
}

static void mutate_file(const char *path)
{
    static const char replacements[] = { '<', '>', '\'', '"', '/', '&', 'x', '0', ' ', '\n' };
    g_autofree char *xml = test_read(path);
    size_t len = strlen(xml);

    for (size_t cut = 0; cut < len; cut += 13) {
        g_autofree char *prefix = g_strndup(xml, cut);
        mutate_check(prefix);
    }
    for (size_t pos = 0; pos < len; pos += 5) {
        g_autofree char *copy = g_strdup(xml);

        copy[pos] = replacements[pos % G_N_ELEMENTS(replacements)];
        mutate_check(copy);
    }
}

static void test_mutations(void)
{
    g_autofree char *dir = test_data_dir("conf", "domain-xml2xml");
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    g_assert_nonnull(d);
    while ((name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        mutate_file(path);
    }
    g_test_message("%lu mutated documents accepted, %lu refused", accepted, refused);
    g_assert_cmpuint(refused, >, 0);
    g_assert_cmpuint(accepted, >, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/conf/domain/mutations", test_mutations);
    return g_test_run();
}
