/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Unit tests of the domain model beyond the golden files: generated defaults (UUID,
 * MACs), driver post-parse hooks, format flags, the size bound, schema validation with
 * our schema and libvirt's, and copies.
 */

#include <string.h>

#include "conf/domain-def.h"
#include "conf/domain-parse-priv.h"
#include "util/error.h"

static const char two_nics_xml[] =
    "<domain type='kvm'>\n"
    "  <name>gen</name>\n"
    "  <memory>1024</memory>\n"
    "  <os><type>hvm</type></os>\n"
    "  <devices>\n"
    "    <disk type='file'><source file='/a'/><target dev='sda'/></disk>\n"
    "    <interface type='user'/>\n"
    "    <interface type='network'><source network='n'/></interface>\n"
    "    <graphics type='vnc' passwd='secret'/>\n"
    "  </devices>\n"
    "</domain>\n";

static DomainDef *parse_ok(const char *xml, const DomainPostParseOps *ops)
{
    g_autoptr(GError) error = NULL;
    DomainDef *def = domain_def_parse_full(xml, 0, ops, &error);

    g_assert_no_error(error);
    g_assert_nonnull(def);
    return def;
}

static void test_generated_uuid_and_macs(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainDef) raw = domain_def_parse_string(two_nics_xml, 0, &error);
    g_autoptr(DomainDef) def = parse_ok(two_nics_xml, NULL);
    const DomainNetDef *nic0 = g_ptr_array_index(def->nets, 0);
    const DomainNetDef *nic1 = g_ptr_array_index(def->nets, 1);

    g_assert_no_error(error);
    g_assert_false(raw->has_uuid);
    g_assert_false(((DomainNetDef *)g_ptr_array_index(raw->nets, 0))->has_mac);
    g_assert_true(def->has_uuid);
    g_assert_false(virt_uuid_is_null(def->uuid));
    g_assert_true(nic0->has_mac && nic1->has_mac);
    g_assert_cmpint(nic0->mac[0], ==, 0x52);
    g_assert_cmpint(nic0->mac[1], ==, 0x54);
    g_assert_cmpint(nic0->mac[2], ==, 0x00);
    g_assert_cmpint(def->cur_memory_kib, ==, 1024);
    g_assert_cmpuint(def->vcpus, ==, 1);
    g_assert_cmpuint(def->vcpus_current, ==, 1);
}

static void test_format_flags(void)
{
    g_autoptr(DomainDef) def = parse_ok(two_nics_xml, NULL);
    g_autofree char *live = domain_def_format(def, 4, 0);
    g_autofree char *inactive = domain_def_format(def, 4, DOMAIN_FORMAT_INACTIVE);
    g_autofree char *secure = domain_def_format(def, -1, DOMAIN_FORMAT_SECURE);

    g_assert_true(g_str_has_prefix(live, "<domain type='kvm' id='4'>\n"));
    g_assert_true(g_str_has_prefix(inactive, "<domain type='kvm'>\n"));
    g_assert_null(strstr(live, "passwd="));
    g_assert_nonnull(strstr(secure, "passwd='secret'"));
}

typedef struct HookLog {
    GString *calls;
    bool fail_device;
} HookLog;

static bool hook_domain(DomainDef *def, void *opaque, GError **error)
{
    HookLog *log = opaque;

    /* a driver fills in what only it knows, e.g. the default architecture */
    g_assert_null(def->os.arch);
    def->os.arch = g_strdup("i686");
    g_string_append(log->calls, "domain;");
    return true;
}

static bool hook_device(DomainDef *def, DomainDeviceKind kind, void *device, void *opaque,
                        GError **error)
{
    HookLog *log = opaque;

    g_string_append_printf(log->calls, "%s;", domain_device_kind_to_string(kind));
    if (kind == DOMAIN_DEVICE_NET && log->fail_device) {
        g_set_error(error, VIRT_CONF_ERROR, VIRT_ERR_CONFIG_UNSUPPORTED,
                    "interface type is not supported by this driver");
        return false;
    }
    return true;
}

static void test_driver_hooks(void)
{
    HookLog log = { .calls = g_string_new(NULL) };
    const DomainPostParseOps ops = { .domain = hook_domain, .device = hook_device, .opaque = &log };
    g_autoptr(DomainDef) def = parse_ok(two_nics_xml, &ops);
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainDef) refused = NULL;

    g_assert_cmpstr(def->os.arch, ==, "i686");
    /* generic defaults run first: the implicit scsi controller is already there */
    g_assert_cmpstr(log.calls->str, ==, "domain;disk;controller;interface;interface;graphics;");
    g_string_truncate(log.calls, 0);
    log.fail_device = true;
    refused = domain_def_parse_full(two_nics_xml, 0, &ops, &error);
    g_assert_null(refused);
    g_assert_error(error, VIRT_CONF_ERROR, VIRT_ERR_CONFIG_UNSUPPORTED);
    g_string_free(log.calls, TRUE);
}

static void test_size_bound(void)
{
    GString *big = g_string_new("<domain type='kvm'><name>big</name><description>");
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainDef) def = NULL;

    while (big->len <= 10 * 1024 * 1024)
        g_string_append(big, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    g_string_append(big, "</description><memory>1</memory><os><type>hvm</type></os></domain>");
    def = domain_def_parse_string(big->str, 0, &error);
    g_assert_null(def);
    g_assert_error(error, VIRT_XML_ERROR, VIRT_ERR_XML_ERROR);
    g_assert_nonnull(strstr(error->message, "is larger than the limit of 10485760 bytes"));
    g_string_free(big, TRUE);
}

static void test_schema_flag(void)
{
    static const char bad[] =
        "<domain type='kvm'><name>s</name><memory>1</memory>"
        "<os><type>hvm</type></os><devices><disk type='file'>"
        "<target dev='vda' tray='open'/><readonly/><iotune><x>1</x></iotune></disk>"
        "</devices><on_crash>destroy</on_crash><vcpu>1</vcpu>"
        "<features><acpi/></features><bogus foo='1'/></domain>";
    static const char invalid[] = "<domain type='kvm'><name>s</name><memory>1</memory>"
                                  "<os><type>hvm</type></os><vcpu placement='sometimes'>1</vcpu>"
                                  "</domain>";
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainDef) ok = domain_def_parse_string(bad, DOMAIN_PARSE_VALIDATE_SCHEMA, &error);
    g_autoptr(DomainDef) refused = NULL;

    /* kept content (unknown elements and attributes) is valid for our schema */
    g_assert_no_error(error);
    g_assert_nonnull(ok);
    refused = domain_def_parse_string(invalid, DOMAIN_PARSE_VALIDATE_SCHEMA, &error);
    g_assert_null(refused);
    g_assert_error(error, VIRT_XML_ERROR, VIRT_ERR_XML_INVALID_SCHEMA);
}

static void test_schema_libvirt(void)
{
    static const char invalid[] = "<domain type='kvm'><name>s</name><memory>1</memory>"
                                  "<os><type>hvm</type></os><devices><disk type='bogus'/>"
                                  "</devices></domain>";
    g_autoptr(GError) error = NULL;

    if (!g_file_test("/usr/share/libvirt/schemas/domain.rng", G_FILE_TEST_EXISTS)) {
        g_test_skip("libvirt's domain.rng is not installed");
        return;
    }
    /* proves the libvirt check in the xml2xml test is able to fail */
    g_assert_false(domain_schema_validate_xml("/usr/share/libvirt/schemas", invalid, &error));
    g_assert_error(error, VIRT_XML_ERROR, VIRT_ERR_XML_INVALID_SCHEMA);
    g_clear_error(&error);
    g_assert_false(domain_schema_validate_xml("/nonexistent", invalid, &error));
    g_assert_error(error, VIRT_CONF_ERROR, VIRT_ERR_INTERNAL_ERROR);
}

static void test_copy_independent(void)
{
    g_autoptr(DomainDef) def = parse_ok(two_nics_xml, NULL);
    g_autoptr(DomainDef) copy = domain_def_copy(def);
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;

    g_free(copy->name);
    copy->name = g_strdup("other");
    a = domain_def_format(def, -1, DOMAIN_FORMAT_SECURE);
    b = domain_def_format(copy, -1, DOMAIN_FORMAT_SECURE);
    g_assert_cmpstr(def->name, ==, "gen");
    g_assert_cmpstr(strstr(a, "</name>"), ==, strstr(b, "</name>"));
    g_assert_true(memcmp(def->uuid, copy->uuid, sizeof(def->uuid)) == 0);
}

static void test_mac_text(void)
{
    uint8_t mac[DOMAIN_MAC_LEN];
    char text[18];

    g_assert_true(domain_mac_parse("AA:bb:0C:dd:ee:0F", mac));
    domain_mac_format(mac, text);
    g_assert_cmpstr(text, ==, "aa:bb:0c:dd:ee:0f");
    g_assert_false(domain_mac_parse("aa:bb:cc:dd:ee", mac));
    g_assert_false(domain_mac_parse("aa-bb-cc-dd-ee-ff", mac));
    g_assert_false(domain_mac_parse(NULL, mac));
}

/* formatdomain's unit list: powers of 1024 (bare letter or "<letter>iB"), powers of 1000
 * ("<letter>B"), bytes; case-insensitive; results in KiB rounded up. */
static void test_memory_units(void)
{
    static const struct {
        const char *value;
        const char *unit;
        uint64_t kib;
    } ok[] = {
        { "1", NULL, 1 },
        { "1025", "b", 2 },
        { "2048", "bytes", 2 },
        { "1", "KB", 1 },
        { "1000", "KB", 977 },
        { "4", "k", 4 },
        { "4", "KiB", 4 },
        { "1", "MB", 977 },
        { "1", "M", 1024 },
        { "1", "MiB", 1024 },
        { "1", "GB", 976563 },
        { "1", "G", 1048576 },
        { "1", "gib", 1048576 },
        { "1", "TB", 976562500 },
        { "1", "T", 1073741824 },
        { "1", "TiB", 1073741824 },
        { "1", "PiB", 1099511627776ULL },
        { "2", "EiB", 2251799813685248ULL },
        { "0", "GiB", 0 },
    };
    static const struct {
        const char *value;
        const char *unit;
    } bad[] = {
        { "1", "XB" },
        { "1", "KiBB" },
        { "1", "" },
        { "abc", "KiB" },
        { "-1", NULL },
        { "16", "EiB" },
        { "18446744073709551616", "b" },
        { "1.5", "G" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
        uint64_t kib = 42;

        g_assert_true(domain_parse_scaled(ok[i].value, ok[i].unit, &kib));
        g_assert_cmpuint(kib, ==, ok[i].kib);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        uint64_t kib = 42;

        g_assert_false(domain_parse_scaled(bad[i].value, bad[i].unit, &kib));
        g_assert_cmpuint(kib, ==, 42);
    }
}

static void test_depth_limit_edge(void)
{
    GString *xml = g_string_new("<domain type='kvm'><name>deep</name><metadata>"
                                "<a:x xmlns:a='http://example.org/a'>");
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainDef) def = NULL;

    /* domain, metadata, a:x and 45 more: exactly the limit of 48 */
    for (int i = 0; i < 45; i++)
        g_string_append(xml, "<a:y>");
    for (int i = 0; i < 45; i++)
        g_string_append(xml, "</a:y>");
    g_string_append(xml, "</a:x></metadata><memory>1</memory><os><type>hvm</type></os></domain>");
    def = domain_def_parse_string(xml->str, 0, &error);
    g_assert_no_error(error);
    g_assert_nonnull(def);
    g_string_free(xml, TRUE);
}

static void test_parse_inactive(void)
{
    static const char live[] = "<domain type='kvm' id='3'><name>live</name><memory>1024</memory>"
                               "<os><type>hvm</type></os><devices>"
                               "<interface type='network'><source network='n'/>"
                               "<target dev='vnet4'/></interface>"
                               "<interface type='ethernet'><target dev='tap-own'/></interface>"
                               "<graphics type='vnc' port='5901' autoport='yes'/>"
                               "<graphics type='vnc' port='5999' autoport='no'/>"
                               "</devices></domain>";
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainDef) kept = domain_def_parse_string(live, 0, &error);
    g_autoptr(DomainDef) def = domain_def_parse_string(live, DOMAIN_PARSE_INACTIVE, &error);
    const DomainGraphicsDef *autoport = g_ptr_array_index(def->graphics, 0);
    const DomainGraphicsDef *fixed = g_ptr_array_index(def->graphics, 1);

    g_assert_no_error(error);
    g_assert_cmpstr(((DomainNetDef *)g_ptr_array_index(kept->nets, 0))->target_dev, ==, "vnet4");
    g_assert_cmpint(((DomainGraphicsDef *)g_ptr_array_index(kept->graphics, 0))->port, ==, 5901);
    g_assert_null(((DomainNetDef *)g_ptr_array_index(def->nets, 0))->target_dev);
    g_assert_cmpstr(((DomainNetDef *)g_ptr_array_index(def->nets, 1))->target_dev, ==, "tap-own");
    g_assert_cmpint(autoport->port, ==, -1);
    g_assert_cmpint(fixed->port, ==, 5999);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/conf/domain/generated-uuid-macs", test_generated_uuid_and_macs);
    g_test_add_func("/conf/domain/format-flags", test_format_flags);
    g_test_add_func("/conf/domain/driver-hooks", test_driver_hooks);
    g_test_add_func("/conf/domain/size-bound", test_size_bound);
    g_test_add_func("/conf/domain/schema-flag", test_schema_flag);
    g_test_add_func("/conf/domain/schema-libvirt", test_schema_libvirt);
    g_test_add_func("/conf/domain/copy", test_copy_independent);
    g_test_add_func("/conf/domain/mac-text", test_mac_text);
    g_test_add_func("/conf/domain/memory-units", test_memory_units);
    g_test_add_func("/conf/domain/depth-limit-edge", test_depth_limit_edge);
    g_test_add_func("/conf/domain/parse-inactive", test_parse_inactive);
    return g_test_run();
}
