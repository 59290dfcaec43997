/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Domain XML round trips: data/domain-xml2xml/<case>.xml is parsed, post-parsed,
 * validated and formatted; the result must equal <case>.out.xml (or the input itself
 * when there is no .out.xml), format again to the same text, survive domain_def_copy,
 * and validate against our schema and libvirt's.
 */

#include <glib/gstdio.h>
#include <string.h>

#include "test-golden.h"
#include "conf/domain-def.h"

#define LIBVIRT_SCHEMA_DIR "/usr/share/libvirt/schemas"

typedef struct Xml2XmlCase {
    const char *name;
    int id;
    DomainFormatFlags flags;
    bool skip_libvirt_schema; /* driver-private namespaces libvirt's schema lacks */
} Xml2XmlCase;

static char *data_dir;
static GHashTable *used_files;

static char *xml2xml_format(const char *xml, int id, DomainFormatFlags flags)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainDef) def = domain_def_parse_full(xml, 0, NULL, &error);

    g_assert_no_error(error);
    g_assert_nonnull(def);
    return domain_def_format(def, id, flags);
}

static void xml2xml_check_copy(const char *xml, const char *expected, const Xml2XmlCase *tc)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainDef) def = domain_def_parse_full(xml, 0, NULL, &error);
    g_autoptr(DomainDef) copy = NULL;
    g_autofree char *out = NULL;

    g_assert_no_error(error);
    copy = domain_def_copy(def);
    out = domain_def_format(copy, tc->id, tc->flags);
    g_assert_cmpstr(out, ==, expected);
}

static void xml2xml_check_schema(const char *dir, const char *xml)
{
    g_autoptr(GError) error = NULL;

    if (!domain_schema_validate_xml(dir, xml, &error)) {
        g_test_message("schema %s rejects: %s\n%s", dir, error->message, xml);
        g_test_fail();
    }
}

static void test_xml2xml(const void *data)
{
    const Xml2XmlCase *tc = data;
    g_autofree char *in_path = g_strdup_printf("%s/%s.xml", data_dir, tc->name);
    g_autofree char *out_path = g_strdup_printf("%s/%s.out.xml", data_dir, tc->name);
    g_autofree char *in = test_read(in_path);
    g_autofree char *out = xml2xml_format(in, tc->id, tc->flags);
    g_autofree char *again = NULL;

    if (test_regenerate() && strcmp(in, out) == 0)
        (void)g_unlink(out_path);
    else if (test_regenerate() || g_file_test(out_path, G_FILE_TEST_EXISTS))
        test_compare_golden(out_path, out);
    else
        test_compare_golden(in_path, out);

    /* the canonical form is a fixed point */
    again = xml2xml_format(out, tc->id, tc->flags);
    g_assert_cmpstr(again, ==, out);
    xml2xml_check_copy(in, out, tc);
    xml2xml_check_schema(VIRTKIT_SOURCE_SCHEMA_DIR, out);
    /* DOMAIN_PARSE_VALIDATE_SCHEMA must accept every input we can parse */
    xml2xml_check_schema(VIRTKIT_SOURCE_SCHEMA_DIR, in);
}

static void test_xml2xml_libvirt_schema(const void *data)
{
    const Xml2XmlCase *tc = data;
    g_autofree char *in_path = g_strdup_printf("%s/%s.xml", data_dir, tc->name);
    g_autofree char *in = NULL;
    g_autofree char *out = NULL;

    if (tc->skip_libvirt_schema) {
        g_test_skip("uses a namespace libvirt's schema does not describe");
        return;
    }
    if (!g_file_test(LIBVIRT_SCHEMA_DIR "/domain.rng", G_FILE_TEST_EXISTS)) {
        g_test_skip("libvirt's domain.rng is not installed");
        return;
    }
    in = test_read(in_path);
    out = xml2xml_format(in, tc->id, tc->flags);
    xml2xml_check_schema(LIBVIRT_SCHEMA_DIR, out);
}

static void xml2xml_add(const char *name, int id, DomainFormatFlags flags, bool skip_libvirt)
{
    Xml2XmlCase *tc = g_new0(Xml2XmlCase, 1);
    g_autofree char *path = g_strdup_printf("/conf/xml2xml/%s", name);
    g_autofree char *schema_path = g_strdup_printf("/conf/xml2xml-libvirt-schema/%s", name);
    g_autofree char *in = g_strdup_printf("%s.xml", name);
    g_autofree char *out = g_strdup_printf("%s.out.xml", name);
    g_autofree char *out_path = g_build_filename(data_dir, out, NULL);

    *tc = (Xml2XmlCase){
        .name = name, .id = id, .flags = flags, .skip_libvirt_schema = skip_libvirt
    };
    test_mark_used(used_files, in);
    if (g_file_test(out_path, G_FILE_TEST_EXISTS))
        test_mark_used(used_files, out);
    g_test_add_data_func_full(path, tc, test_xml2xml, NULL);
    g_test_add_data_func(schema_path, tc, test_xml2xml_libvirt_schema);
}

static void test_unused_data(void)
{
    test_check_unused(data_dir, used_files);
}

#define DO_TEST(name) xml2xml_add(name, -1, DOMAIN_FORMAT_SECURE, false)
#define DO_TEST_FULL(name, id, flags) xml2xml_add(name, id, flags, false)
#define DO_TEST_NO_LIBVIRT_SCHEMA(name) xml2xml_add(name, -1, DOMAIN_FORMAT_SECURE, true)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    data_dir = test_data_dir("conf", "domain-xml2xml");
    used_files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    DO_TEST("clock-localtime");
    DO_TEST("clock-timezone");
    DO_TEST("clock-variable");
    DO_TEST("comments-and-blanks");
    DO_TEST("controllers");
    DO_TEST("cpu-custom-model");
    DO_TEST("cpu-host-passthrough");
    DO_TEST("cpu-no-mode");
    DO_TEST("devices-unknown");
    DO_TEST("disk-block-shareable");
    DO_TEST("disk-bus-from-target");
    DO_TEST("disk-cdrom-floppy");
    DO_TEST("disk-file-driver");
    DO_TEST("disk-network-kept");
    DO_TEST("disk-unknown-children");
    DO_TEST("emulator-only");
    DO_TEST("features-basic");
    DO_TEST("features-unknown");
    DO_TEST("filesystem-lxc");
    DO_TEST("filesystem-mount");
    DO_TEST("full-qemu");
    DO_TEST("graphics-spice");
    DO_TEST("graphics-vnc");
    DO_TEST_FULL("graphics-vnc-insecure", -1, 0);
    DO_TEST_FULL("inactive-no-id", 7, DOMAIN_FORMAT_INACTIVE | DOMAIN_FORMAT_SECURE);
    DO_TEST("input-devices");
    DO_TEST("interface-bridge");
    DO_TEST("interface-direct");
    DO_TEST("interface-ethernet");
    DO_TEST("interface-network");
    DO_TEST("interface-user");
    DO_TEST("lifecycle-actions");
    DO_TEST_FULL("live-id", 7, DOMAIN_FORMAT_SECURE);
    DO_TEST("memballoon-none");
    DO_TEST("memballoon-stats");
    DO_TEST("memory-units");
    DO_TEST("metadata");
    DO_TEST("minimal");
    DO_TEST("name-escapes");
    DO_TEST("os-boot-order");
    DO_TEST("os-container-init");
    DO_TEST("os-direct-kernel");
    DO_TEST("os-loader-nvram");
    DO_TEST("os-xen-pv");
    DO_TEST("rng-egd");
    DO_TEST("rng-random");
    DO_TEST("serial-console-pty");
    DO_TEST("serial-file");
    DO_TEST("serial-tcp-kept");
    DO_TEST("serial-unix");
    DO_TEST("test-default");
    DO_TEST_NO_LIBVIRT_SCHEMA("test-namespace");
    DO_TEST("title-description");
    DO_TEST("unknown-toplevel");
    DO_TEST("vcpu-placement");
    DO_TEST("video-models");
    DO_TEST("os-firmware-auto");
    DO_TEST("disk-addresses");

    g_test_add_func("/conf/xml2xml/no-unused-data", test_unused_data);
    return g_test_run();
}
