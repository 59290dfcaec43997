/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * domain_def_get/set_metadata against what Debian's libvirt 9.0 does for
 * `virsh -c test:///default metadata|desc test ...` (expected texts recorded from it).
 */

#include <string.h>

#include "conf/domain-def.h"
#include "util/error.h"

#define APP_URI "http://example.org/app"

static const char base_xml[] = "<domain type='test'>\n"
                               "  <name>test</name>\n"
                               "  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>\n"
                               "  <memory unit='KiB'>8388608</memory>\n"
                               "  <os>\n"
                               "    <type arch='i686'>hvm</type>\n"
                               "  </os>\n"
                               "</domain>\n";

static DomainDef *metadata_def(void)
{
    g_autoptr(GError) error = NULL;
    DomainDef *def = domain_def_parse_full(base_xml, 0, NULL, &error);

    g_assert_no_error(error);
    return def;
}

static void assert_not_found(const DomainDef *def, int type, const char *uri)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *got = domain_def_get_metadata(def, type, uri, &error);

    g_assert_null(got);
    g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_NO_DOMAIN_METADATA);
    g_assert_cmpstr(error->message, ==,
                    "metadata not found: Requested metadata element is not present");
}

static char *get_ok(const DomainDef *def, int type, const char *uri)
{
    g_autoptr(GError) error = NULL;
    char *got = domain_def_get_metadata(def, type, uri, &error);

    g_assert_no_error(error);
    return got;
}

static void set_ok(DomainDef *def, int type, const char *value, const char *key, const char *uri)
{
    g_autoptr(GError) error = NULL;

    g_assert_true(domain_def_set_metadata(def, type, value, key, uri, &error));
    g_assert_no_error(error);
}

static void assert_formatted_contains(const DomainDef *def, const char *fragment)
{
    g_autofree char *xml = domain_def_format(def, -1, 0);

    if (!strstr(xml, fragment))
        g_error("formatted XML lacks\n%s\nin\n%s", fragment, xml);
}

static void test_element_set_get(void)
{
    g_autoptr(DomainDef) def = metadata_def();
    g_autofree char *got = NULL;

    assert_not_found(def, DOMAIN_METADATA_ELEMENT, APP_URI);
    set_ok(def, DOMAIN_METADATA_ELEMENT, "<foo a=\"1\"><bar>x</bar></foo>", "app", APP_URI);
    got = get_ok(def, DOMAIN_METADATA_ELEMENT, APP_URI);
    g_assert_cmpstr(got, ==, "<foo a=\"1\">\n  <bar>x</bar>\n</foo>");
    assert_formatted_contains(def, "  <metadata>\n"
                                   "    <app:foo xmlns:app=\"http://example.org/app\" a=\"1\">\n"
                                   "      <app:bar>x</app:bar>\n"
                                   "    </app:foo>\n"
                                   "  </metadata>\n");
}

static void test_element_mixed_content(void)
{
    g_autoptr(DomainDef) def = metadata_def();
    g_autofree char *got = NULL;

    set_ok(def, DOMAIN_METADATA_ELEMENT, "<foo xmlns:z=\"http://z\"><z:q/>text<b/></foo>", "app",
           APP_URI);
    got = get_ok(def, DOMAIN_METADATA_ELEMENT, APP_URI);
    g_assert_cmpstr(got, ==, "<foo xmlns:z=\"http://z\"><z:q/>text<b/></foo>");
    assert_formatted_contains(def, "    <app:foo xmlns:z=\"http://z\" "
                                   "xmlns:app=\"http://example.org/app\"><z:q/>text<app:b/>"
                                   "</app:foo>\n");
}

static void test_element_replace_remove(void)
{
    g_autoptr(DomainDef) def = metadata_def();
    g_autofree char *got = NULL;

    set_ok(def, DOMAIN_METADATA_ELEMENT, "<foo/>", "app", APP_URI);
    set_ok(def, DOMAIN_METADATA_ELEMENT, "<other/>", "app", "http://example.org/b");
    set_ok(def, DOMAIN_METADATA_ELEMENT, "<foo2/>", "app", APP_URI);
    got = get_ok(def, DOMAIN_METADATA_ELEMENT, APP_URI);
    g_assert_cmpstr(got, ==, "<foo2/>");
    set_ok(def, DOMAIN_METADATA_ELEMENT, NULL, NULL, APP_URI);
    assert_not_found(def, DOMAIN_METADATA_ELEMENT, APP_URI);
    assert_formatted_contains(def, "  <metadata>\n"
                                   "    <app:other xmlns:app=\"http://example.org/b\"/>\n"
                                   "  </metadata>\n");
    set_ok(def, DOMAIN_METADATA_ELEMENT, NULL, NULL, "http://example.org/b");
    /* as in libvirt, the emptied element stays */
    assert_formatted_contains(def, "  <metadata/>\n");
}

static void test_element_errors(void)
{
    g_autoptr(DomainDef) def = metadata_def();
    g_autoptr(GError) error = NULL;

    g_assert_false(domain_def_set_metadata(def, DOMAIN_METADATA_ELEMENT, "<foo/>", "bad key",
                                           APP_URI, &error));
    g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INTERNAL_ERROR);
    g_assert_cmpstr(error->message, ==, "failed to validate prefix for a new XML namespace");
    g_clear_error(&error);
    g_assert_false(
        domain_def_set_metadata(def, DOMAIN_METADATA_ELEMENT, "<foo", "app", APP_URI, &error));
    g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_XML_DETAIL);
    g_clear_error(&error);
    g_assert_false(
        domain_def_set_metadata(def, DOMAIN_METADATA_ELEMENT, "<foo/>", "app", NULL, &error));
    g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_false(domain_def_set_metadata(def, 3, "x", NULL, NULL, &error));
    g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_null(domain_def_get_metadata(def, -1, NULL, &error));
    g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INVALID_ARG);
}

static void test_description_title(void)
{
    g_autoptr(DomainDef) def = metadata_def();
    g_autoptr(GError) error = NULL;
    g_autofree char *desc = NULL;
    g_autofree char *title = NULL;

    assert_not_found(def, DOMAIN_METADATA_DESCRIPTION, NULL);
    assert_not_found(def, DOMAIN_METADATA_TITLE, NULL);
    set_ok(def, DOMAIN_METADATA_DESCRIPTION, "hello & <x>", NULL, NULL);
    set_ok(def, DOMAIN_METADATA_TITLE, "T1", NULL, NULL);
    desc = get_ok(def, DOMAIN_METADATA_DESCRIPTION, NULL);
    title = get_ok(def, DOMAIN_METADATA_TITLE, NULL);
    g_assert_cmpstr(desc, ==, "hello & <x>");
    g_assert_cmpstr(title, ==, "T1");
    assert_formatted_contains(def, "  <title>T1</title>\n"
                                   "  <description>hello &amp; &lt;x&gt;</description>\n");
    g_assert_false(domain_def_set_metadata(def, DOMAIN_METADATA_TITLE, "a\nb", NULL, NULL, &error));
    g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INVALID_ARG);
    g_assert_cmpstr(error->message, ==, "metadata title can't contain newlines");
    set_ok(def, DOMAIN_METADATA_DESCRIPTION, "", NULL, NULL);
    assert_not_found(def, DOMAIN_METADATA_DESCRIPTION, NULL);
}

static void test_metadata_from_xml(void)
{
    static const char xml[] = "<domain type='kvm' xmlns:my='http://example.org/my'>\n"
                              "  <name>md</name>\n"
                              "  <metadata>\n"
                              "    <my:info><my:owner>ops</my:owner></my:info>\n"
                              "  </metadata>\n"
                              "  <memory>1024</memory>\n"
                              "  <os><type>hvm</type></os>\n"
                              "</domain>\n";
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainDef) def = domain_def_parse_full(xml, 0, NULL, &error);
    g_autoptr(DomainDef) copy = NULL;
    g_autofree char *got = NULL;

    g_assert_no_error(error);
    copy = domain_def_copy(def);
    got = get_ok(copy, DOMAIN_METADATA_ELEMENT, "http://example.org/my");
    g_assert_cmpstr(got, ==, "<info>\n  <owner>ops</owner>\n</info>");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/conf/metadata/element-set-get", test_element_set_get);
    g_test_add_func("/conf/metadata/element-mixed-content", test_element_mixed_content);
    g_test_add_func("/conf/metadata/element-replace-remove", test_element_replace_remove);
    g_test_add_func("/conf/metadata/element-errors", test_element_errors);
    g_test_add_func("/conf/metadata/description-title", test_description_title);
    g_test_add_func("/conf/metadata/from-xml", test_metadata_from_xml);
    return g_test_run();
}
