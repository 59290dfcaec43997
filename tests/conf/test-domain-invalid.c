/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Domain XML that must be refused: data/domain-invalid/<case>.xml goes through parse,
 * post-parse and validate (domain_def_parse_full); the GError message must equal
 * <case>.err (without its trailing newline) and the error must be a conf error.
 */

#include <string.h>

#include "test-golden.h"
#include "conf/domain-def.h"
#include "util/error.h"

static char *data_dir;
static GHashTable *used_files;

static void test_invalid(const void *data)
{
    const char *name = data;
    g_autofree char *xml_path = g_strdup_printf("%s/%s.xml", data_dir, name);
    g_autofree char *err_path = g_strdup_printf("%s/%s.err", data_dir, name);
    g_autofree char *xml = test_read(xml_path);
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainDef) def = domain_def_parse_full(xml, 0, NULL, &error);
    g_autofree char *actual = NULL;

    g_assert_null(def);
    g_assert_nonnull(error);
    /* the golden file holds libvirt's {domain, code} for the case with the message */
    actual = g_strdup_printf("%s %d: %s\n", g_quark_to_string(error->domain), error->code,
                             error->message);
    test_compare_golden(err_path, actual);
}

static void invalid_add(const char *name)
{
    g_autofree char *path = g_strdup_printf("/conf/invalid/%s", name);
    g_autofree char *xml = g_strdup_printf("%s.xml", name);
    g_autofree char *err = g_strdup_printf("%s.err", name);

    test_mark_used(used_files, xml);
    test_mark_used(used_files, err);
    g_test_add_data_func(path, name, test_invalid);
}

static void test_unused_data(void)
{
    test_check_unused(data_dir, used_files);
}

#define DO_TEST_INVALID(name) invalid_add(name)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    data_dir = test_data_dir("conf", "domain-invalid");
    used_files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    DO_TEST_INVALID("bad-boot-dev");
    DO_TEST_INVALID("bad-lifecycle");
    DO_TEST_INVALID("bad-mac");
    DO_TEST_INVALID("bad-os-type");
    DO_TEST_INVALID("bad-uuid");
    DO_TEST_INVALID("billion-laughs");
    DO_TEST_INVALID("clock-timezone-missing");
    DO_TEST_INVALID("controller-missing-type");
    DO_TEST_INVALID("disk-bad-bus");
    DO_TEST_INVALID("disk-bad-type");
    DO_TEST_INVALID("disk-missing-target");
    DO_TEST_INVALID("doctype-entity");
    DO_TEST_INVALID("doctype-external");
    DO_TEST_INVALID("duplicate-controller");
    DO_TEST_INVALID("duplicate-disk-target");
    DO_TEST_INVALID("duplicate-mac");
    DO_TEST_INVALID("filesystem-missing-target");
    DO_TEST_INVALID("graphics-bad-port");
    DO_TEST_INVALID("interface-missing-type");
    DO_TEST_INVALID("loader-bad-readonly");
    DO_TEST_INVALID("malformed");
    DO_TEST_INVALID("max-memory-smaller");
    DO_TEST_INVALID("memory-bad-unit");
    DO_TEST_INVALID("memory-negative");
    DO_TEST_INVALID("memory-not-number");
    DO_TEST_INVALID("memory-overflow");
    DO_TEST_INVALID("memory-zero");
    DO_TEST_INVALID("missing-memory");
    DO_TEST_INVALID("missing-name");
    DO_TEST_INVALID("missing-os");
    DO_TEST_INVALID("missing-os-type");
    DO_TEST_INVALID("missing-type");
    DO_TEST_INVALID("multicast-mac");
    DO_TEST_INVALID("name-control-char");
    DO_TEST_INVALID("name-empty");
    DO_TEST_INVALID("name-slash");
    DO_TEST_INVALID("rng-missing-backend");
    DO_TEST_INVALID("title-newline");
    DO_TEST_INVALID("too-deep");
    DO_TEST_INVALID("unknown-domain-type");
    DO_TEST_INVALID("vcpu-current-too-big");
    DO_TEST_INVALID("vcpu-zero");
    DO_TEST_INVALID("wrong-root");
    DO_TEST_INVALID("boot-device-and-os");

    g_test_add_func("/conf/invalid/no-unused-data", test_unused_data);
    return g_test_run();
}
