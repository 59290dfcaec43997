/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Snapshot XML golden tests. data/snapshot-xml2xml/<case>.xml is parsed (with the
 * case's parse flags and a fixed "now"), post-parsed, validated and formatted; the
 * result must equal <case>.out.xml (or the input when there is none), be a fixed point,
 * survive snapshot_def_copy, and validate against our domainsnapshot.rng and libvirt's.
 * data/snapshot-invalid/<case>.xml must be refused with the message in <case>.err.
 */

#include <glib/gstdio.h>
#include <string.h>

#include "test-golden.h"
#include "conf/snapshot-def.h"
#include "util/error.h"

#define LIBVIRT_SCHEMA_DIR "/usr/share/libvirt/schemas"
#define TEST_NOW 1700000000

typedef struct SnapshotCase {
    const char *name;
    SnapshotParseFlags parse_flags;
    SnapshotFormatFlags format_flags;
    bool extension; /* uses content libvirt's schema does not allow (kept verbatim) */
} SnapshotCase;

static char *xml2xml_dir;
static char *invalid_dir;
static GHashTable *xml2xml_used;
static GHashTable *invalid_used;

static char *snapshot_roundtrip(const char *xml, const SnapshotCase *tc)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SnapshotDef) def = snapshot_def_parse_full(xml, tc->parse_flags, TEST_NOW, &error);

    g_assert_no_error(error);
    g_assert_nonnull(def);
    return snapshot_def_format(def, tc->format_flags);
}

static void check_schema(const char *dir, const char *xml)
{
    g_autoptr(GError) error = NULL;

    if (!snapshot_schema_validate_xml(dir, xml, &error)) {
        g_test_message("schema in %s rejects the output: %s\n%s", dir, error->message, xml);
        g_test_fail();
    }
}

static void check_copy(const char *xml, const char *expected, const SnapshotCase *tc)
{
    g_autoptr(SnapshotDef) def = snapshot_def_parse_full(xml, tc->parse_flags, TEST_NOW, NULL);
    g_autoptr(SnapshotDef) copy = snapshot_def_copy(def);
    g_autofree char *out = snapshot_def_format(copy, tc->format_flags);

    g_assert_cmpstr(out, ==, expected);
}

static void test_xml2xml(const void *data)
{
    const SnapshotCase *tc = data;
    g_autofree char *in_path = g_strdup_printf("%s/%s.xml", xml2xml_dir, tc->name);
    g_autofree char *out_path = g_strdup_printf("%s/%s.out.xml", xml2xml_dir, tc->name);
    g_autofree char *in = test_read(in_path);
    g_autofree char *out = snapshot_roundtrip(in, tc);
    g_autofree char *again = NULL;

    if (test_regenerate() && strcmp(in, out) == 0)
        (void)g_unlink(out_path);
    else if (test_regenerate() || g_file_test(out_path, G_FILE_TEST_EXISTS))
        test_compare_golden(out_path, out);
    else
        test_compare_golden(in_path, out);

    again = snapshot_roundtrip(out, tc);
    g_assert_cmpstr(again, ==, out);
    check_copy(in, out, tc);
    check_schema(VIRTKIT_SOURCE_SCHEMA_DIR, out);
}

static void test_libvirt_schema(const void *data)
{
    const SnapshotCase *tc = data;
    g_autofree char *in_path = g_strdup_printf("%s/%s.xml", xml2xml_dir, tc->name);
    g_autofree char *in = NULL;
    g_autofree char *out = NULL;

    if (tc->extension) {
        g_test_skip("the case has content outside libvirt's schema");
        return;
    }
    if (!g_file_test(LIBVIRT_SCHEMA_DIR "/domainsnapshot.rng", G_FILE_TEST_EXISTS)) {
        g_test_skip("libvirt's domainsnapshot.rng is not installed");
        return;
    }
    in = test_read(in_path);
    out = snapshot_roundtrip(in, tc);
    check_schema(LIBVIRT_SCHEMA_DIR, out);
}

static void test_invalid(const void *data)
{
    const SnapshotCase *tc = data;
    g_autofree char *xml_path = g_strdup_printf("%s/%s.xml", invalid_dir, tc->name);
    g_autofree char *err_path = g_strdup_printf("%s/%s.err", invalid_dir, tc->name);
    g_autofree char *xml = test_read(xml_path);
    g_autoptr(GError) error = NULL;
    g_autoptr(SnapshotDef) def = snapshot_def_parse_full(xml, tc->parse_flags, TEST_NOW, &error);
    g_autofree char *actual = NULL;

    g_assert_null(def);
    g_assert_nonnull(error);
    /* the golden file holds the error's {domain, code}: snapshot errors, or the domain
     * parser's for an embedded <domain> */
    actual = g_strdup_printf("%s %d: %s\n", g_quark_to_string(error->domain), error->code,
                             error->message);
    test_compare_golden(err_path, actual);
}

static void xml2xml_add(const char *name, SnapshotParseFlags pflags, SnapshotFormatFlags fflags,
                        bool extension)
{
    SnapshotCase *tc = g_new0(SnapshotCase, 1);
    g_autofree char *path = g_strdup_printf("/conf/snapshot-xml2xml/%s", name);
    g_autofree char *schema_path = g_strdup_printf("/conf/snapshot-libvirt-schema/%s", name);
    g_autofree char *in = g_strdup_printf("%s.xml", name);
    g_autofree char *out = g_strdup_printf("%s.out.xml", name);
    g_autofree char *out_path = g_build_filename(xml2xml_dir, out, NULL);

    *tc = (SnapshotCase){
        .name = name, .parse_flags = pflags, .format_flags = fflags, .extension = extension
    };
    test_mark_used(xml2xml_used, in);
    if (g_file_test(out_path, G_FILE_TEST_EXISTS))
        test_mark_used(xml2xml_used, out);
    g_test_add_data_func_full(path, tc, test_xml2xml, NULL);
    g_test_add_data_func_full(schema_path, tc, test_libvirt_schema, g_free);
}

static void invalid_add(const char *name, SnapshotParseFlags pflags)
{
    SnapshotCase *tc = g_new0(SnapshotCase, 1);
    g_autofree char *path = g_strdup_printf("/conf/snapshot-invalid/%s", name);
    g_autofree char *xml = g_strdup_printf("%s.xml", name);
    g_autofree char *err = g_strdup_printf("%s.err", name);

    *tc = (SnapshotCase){ .name = name, .parse_flags = pflags };
    test_mark_used(invalid_used, xml);
    test_mark_used(invalid_used, err);
    g_test_add_data_func_full(path, tc, test_invalid, g_free);
}

static void test_unused_data(void)
{
    test_check_unused(xml2xml_dir, xml2xml_used);
    test_check_unused(invalid_dir, invalid_used);
}

#define REDEFINE SNAPSHOT_PARSE_REDEFINE
#define ONDISK (SNAPSHOT_PARSE_REDEFINE | SNAPSHOT_PARSE_INTERNAL)
#define SECURE SNAPSHOT_FORMAT_SECURE
#define SECURE_INTERNAL (SNAPSHOT_FORMAT_SECURE | SNAPSHOT_FORMAT_INTERNAL)

#define DO_TEST(name, pflags, fflags) xml2xml_add(name, pflags, fflags, false)
#define DO_TEST_EXTENSION(name, pflags, fflags) xml2xml_add(name, pflags, fflags, true)
#define DO_TEST_INVALID(name, pflags) invalid_add(name, pflags)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xml2xml_dir = test_data_dir("conf", "snapshot-xml2xml");
    invalid_dir = test_data_dir("conf", "snapshot-invalid");
    xml2xml_used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    invalid_used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    /* snapshot create input: defaults come from "now" */
    DO_TEST("create-empty", 0, SECURE);
    DO_TEST("create-name-description", 0, SECURE);
    DO_TEST("create-ignores-redefine-fields", 0, SECURE);
    DO_TEST("memory-internal", 0, SECURE);
    DO_TEST("memory-file-implies-external", 0, SECURE);
    DO_TEST("disks-mixed", 0, SECURE);
    DO_TEST("disk-source-implies-external", 0, SECURE);
    DO_TEST("disk-block", 0, SECURE);
    DO_TEST("disk-network-kept", 0, SECURE);
    DO_TEST_EXTENSION("unknown-elements", 0, SECURE);
    DO_TEST("description-escaping", 0, SECURE);
    /* redefinition and our on-disk format */
    DO_TEST("redefine-full", REDEFINE, SECURE);
    DO_TEST("redefine-root-shutoff", REDEFINE, SECURE);
    DO_TEST("redefine-inactive-domain", REDEFINE, SECURE);
    DO_TEST("redefine-disk-only", REDEFINE, SECURE);
    DO_TEST("domain-namespace", REDEFINE, SECURE);
    DO_TEST("libvirt-test-driver", REDEFINE, SECURE);
    DO_TEST("internal-current", ONDISK, SECURE_INTERNAL);
    DO_TEST("internal-not-current", ONDISK, SECURE_INTERNAL);
    DO_TEST("active-ignored-without-internal", REDEFINE, SECURE);
    DO_TEST("cookie-kept", REDEFINE, SECURE);
    DO_TEST("reordered-input", REDEFINE, SECURE);
    DO_TEST("secure-password", REDEFINE, 0);

    DO_TEST_INVALID("bad-state", REDEFINE);
    DO_TEST_INVALID("bad-creation-time", REDEFINE);
    DO_TEST_INVALID("name-slash", 0);
    DO_TEST_INVALID("name-dotdot", 0);
    DO_TEST_INVALID("memory-file-not-external", 0);
    DO_TEST_INVALID("memory-external-no-file", 0);
    DO_TEST_INVALID("memory-relative-file", 0);
    DO_TEST_INVALID("memory-bad-location", 0);
    DO_TEST_INVALID("disk-no-name", 0);
    DO_TEST_INVALID("disk-bad-location", 0);
    DO_TEST_INVALID("disk-source-not-external", 0);
    DO_TEST_INVALID("disk-relative-source", 0);
    DO_TEST_INVALID("disk-bad-type", 0);
    DO_TEST_INVALID("disk-twice", 0);
    DO_TEST_INVALID("disks-unexpected-child", 0);
    DO_TEST_INVALID("redefine-no-name", REDEFINE);
    DO_TEST_INVALID("redefine-no-creation-time", REDEFINE);
    DO_TEST_INVALID("redefine-no-state", REDEFINE);
    DO_TEST_INVALID("redefine-no-domain", REDEFINE);
    DO_TEST_INVALID("redefine-bad-domain", REDEFINE);
    DO_TEST_INVALID("own-parent", REDEFINE);
    DO_TEST_INVALID("parent-without-name", REDEFINE);
    DO_TEST_INVALID("shutoff-with-memory", REDEFINE);
    DO_TEST_INVALID("active-bad-value", SNAPSHOT_PARSE_INTERNAL);
    DO_TEST_INVALID("wrong-root", 0);
    DO_TEST_INVALID("malformed", 0);

    g_test_add_func("/conf/snapshot/no-unused-data", test_unused_data);
    return g_test_run();
}
