/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the domain XML parser. Built into tests/lib/fuzz-driver.c (seed
 * replay plus bounded random mutations, run by `meson test`) and, where the compiler
 * has -fsanitize=fuzzer, as a libFuzzer binary for longer runs by hand.
 *
 * Whatever hostile bytes come in, parsing must fail cleanly with a message or give a
 * definition that post-parses, validates or refuses, and whose formatted XML parses
 * again: the formatter never writes something its own parser rejects.
 */

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>

#include "conf/domain-def.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *xml = g_strndup((const char *)data, size);
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainDef) def = domain_def_parse_string(xml, 0, &error);
    g_autoptr(DomainDef) again = NULL;
    g_autofree char *out = NULL;

    if (!def) {
        g_assert(error && error->message && *error->message);
        return 0;
    }
    if (!domain_def_post_parse(def, NULL, &error))
        return 0;
    (void)domain_def_validate(def, NULL);
    out = domain_def_format(def, -1, DOMAIN_FORMAT_SECURE);
    again = domain_def_parse_string(out, 0, &error);
    if (!again) {
        g_printerr("formatted XML does not parse again: %s\n--- input\n%s\n--- output\n%s\n",
                   error->message, xml, out);
        abort();
    }
    return 0;
}
