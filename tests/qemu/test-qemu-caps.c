/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Capabilities from the probe replies recorded from this machine's QEMU 7.2:
 * flags, machines, cache JSON round trip, and the <capabilities>/<domainCapabilities>
 * goldens (data/caps/x86_64-7.2.*), which must also validate against libvirt's own
 * schemas when they are installed. Tier: golden (pure).
 */

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <string.h>

#include "qemu-caps.h"
#include "qemu-test-util.h"
#include "util/error.h"

#define LIBVIRT_SCHEMA_DIR "/usr/share/libvirt/schemas"
#define CAPS_FILE "x86_64-7.2.replies"

static char *data_dir;
static GHashTable *used_files;

static char *golden_path(const char *name)
{
    return g_build_filename(data_dir, name, NULL);
}

static void check_schema(const char *rng, const char *xml)
{
    g_autofree char *path = g_build_filename(LIBVIRT_SCHEMA_DIR, rng, NULL);
    xmlRelaxNGParserCtxtPtr pctxt;
    xmlRelaxNGPtr schema;
    xmlRelaxNGValidCtxtPtr vctxt;
    xmlDocPtr doc;
    int r;

    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        g_test_message("libvirt's %s is not installed: schema check skipped", rng);
        return;
    }
    pctxt = xmlRelaxNGNewParserCtxt(path);
    schema = xmlRelaxNGParse(pctxt);
    g_assert_nonnull(schema);
    vctxt = xmlRelaxNGNewValidCtxt(schema);
    doc = xmlReadMemory(xml, (int)strlen(xml), "caps.xml", NULL, XML_PARSE_NONET);
    g_assert_nonnull(doc);
    r = xmlRelaxNGValidateDoc(vctxt, doc);
    if (r != 0) {
        g_test_message("libvirt's %s rejects:\n%s", rng, xml);
        g_test_fail();
    }
    xmlFreeDoc(doc);
    xmlRelaxNGFreeValidCtxt(vctxt);
    xmlRelaxNGFree(schema);
    xmlRelaxNGFreeParserCtxt(pctxt);
}

static void test_flags(void)
{
    g_autoptr(QemuCaps) caps = qemu_test_caps_load(CAPS_FILE);

    g_assert_cmpstr(caps->arch, ==, "x86_64");
    g_assert_cmpuint(caps->version, ==, 7002022);
    g_assert_true(caps->kvm_present);
    for (int f = 0; f < _QEMU_CAPS_MAX; f++) {
        if (!qemu_caps_has(caps, f))
            g_test_message("QEMU 7.2 lacks %s", qemu_caps_flag_to_string(f));
        /* everything we rely on is in Debian's 7.2 */
        g_assert_true(qemu_caps_has(caps, f));
    }
    g_assert_cmpuint(caps->machines->len, ==, 59);
    g_assert_cmpuint(caps->cpu_models->len, ==, 132);
    /* this machine has a working /dev/kvm (the recording says so) */
    g_assert_true(caps->kvm_usable);
    g_assert_cmpuint(caps->cpu_models_kvm->len, ==, 132);
    /* TCG emulates qemu64 fully */
    g_assert_true(qemu_caps_cpu_model_lookup(caps, "qemu64")->usable);
}

static void test_machines(void)
{
    g_autoptr(QemuCaps) caps = qemu_test_caps_load(CAPS_FILE);

    g_assert_cmpstr(qemu_caps_default_machine(caps), ==, "pc-i440fx-7.2");
    g_assert_cmpstr(qemu_caps_machine_lookup(caps, "pc")->name, ==, "pc-i440fx-7.2");
    g_assert_cmpstr(qemu_caps_machine_lookup(caps, "q35")->name, ==, "pc-q35-7.2");
    g_assert_cmpuint(qemu_caps_machine_lookup(caps, "q35")->max_cpus, ==, 288);
    g_assert_null(qemu_caps_machine_lookup(caps, "virt"));
    g_assert_nonnull(qemu_caps_cpu_model_lookup(caps, "qemu64"));
    g_assert_null(qemu_caps_cpu_model_lookup(caps, "nope"));
}

static void test_virt_types(void)
{
    g_autoptr(QemuCaps) caps = qemu_test_caps_load(CAPS_FILE);

    g_assert_true(qemu_caps_supports_virt_type(caps, DOMAIN_VIRT_QEMU));
    g_assert_false(qemu_caps_supports_virt_type(caps, DOMAIN_VIRT_XEN));
    caps->kvm_usable = false;
    g_assert_false(qemu_caps_supports_virt_type(caps, DOMAIN_VIRT_KVM));
    caps->kvm_usable = true;
    g_assert_true(qemu_caps_supports_virt_type(caps, DOMAIN_VIRT_KVM));
    qemu_caps_set(caps, QEMU_CAPS_ACCEL_TCG, false);
    g_assert_false(qemu_caps_supports_virt_type(caps, DOMAIN_VIRT_QEMU));
}

static void test_json_roundtrip(void)
{
    g_autoptr(QemuCaps) caps = qemu_test_caps_load(CAPS_FILE);
    g_autofree char *path = golden_path("x86_64-7.2.cache.json");
    g_autofree char *json = NULL;
    g_autofree char *again = NULL;
    g_autoptr(QemuCaps) back = NULL;
    g_autoptr(GError) error = NULL;

    caps->binary_size = 1234;
    caps->binary_mtime_ns = 5678;
    caps->probed_by = g_strdup("0.1.0");
    json = qemu_caps_to_json(caps);
    test_compare_golden(path, json);
    back = qemu_caps_from_json(json, &error);
    g_assert_no_error(error);
    again = qemu_caps_to_json(back);
    g_assert_cmpstr(again, ==, json);
    g_assert_cmpint(back->binary_mtime_ns, ==, 5678);
}

static void test_json_invalid(void)
{
    const struct {
        const char *text, *message;
    } cases[] = {
        { "nope", "invalid QEMU capabilities cache: not JSON" },
        { "[]", "invalid QEMU capabilities cache: not an object" },
        { "{\"arch\": \"x86_64\"}", "invalid QEMU capabilities cache: no binary or arch" },
        { "{\"binary\": \"/q\", \"arch\": \"x86_64\"}",
          "invalid QEMU capabilities cache: no flags" },
        { "{\"binary\": \"/q\", \"arch\": \"x86_64\", \"flags\": [\"future-flag\"]}",
          "invalid QEMU capabilities cache: unknown flag" },
        { "{\"binary\": \"/q\", \"arch\": \"x86_64\", \"flags\": [], \"machines\": [{}]}",
          "invalid QEMU capabilities cache: machine without a name" },
        { "{\"binary\": \"/q\", \"arch\": \"x86_64\", \"flags\": [], \"machines\": []}",
          "invalid QEMU capabilities cache: no cpu models" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(QemuCaps) caps = qemu_caps_from_json(cases[i].text, &error);

        g_assert_null(caps);
        g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR);
        g_assert_cmpstr(error->message, ==, cases[i].message);
    }
}

/* The cache is only used when every part of its key still matches. */
static void test_is_current(void)
{
    g_autoptr(QemuCaps) caps = qemu_test_caps_load(CAPS_FILE);
    const QemuCapsStamp stamp = { .size = 10, .mtime_ns = 20, .kvm_device = true };
    const struct {
        const char *binary;
        QemuCapsStamp stamp;
        const char *version;
        bool current;
    } cases[] = {
        { "/usr/bin/qemu-system-x86_64", { 10, 20, true }, "0.1.0", true },
        { "/usr/local/bin/qemu-system-x86_64", { 10, 20, true }, "0.1.0", false },
        { "/usr/bin/qemu-system-x86_64", { 11, 20, true }, "0.1.0", false },
        { "/usr/bin/qemu-system-x86_64", { 10, 21, true }, "0.1.0", false },
        { "/usr/bin/qemu-system-x86_64", { 10, 20, false }, "0.1.0", false },
        { "/usr/bin/qemu-system-x86_64", { 10, 20, true }, "0.2.0", false },
    };

    qemu_caps_set_stamp(caps, &stamp, "0.1.0");
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        g_assert_cmpint(
            qemu_caps_is_current(caps, cases[i].binary, &cases[i].stamp, cases[i].version), ==,
            cases[i].current);
}

static char *format_caps(const QemuCaps *qc)
{
    g_autoptr(Capabilities) caps = capabilities_new("x86_64");
    const uint8_t uuid[16] = { 0x2b, 0x5e, 0x4c, 0x9a, 0x1f, 0x0e, 0x4d, 0x39,
                               0x9a, 0x43, 0x6f, 0x0e, 0x8b, 0x1d, 0x2c, 0x77 };

    memcpy(caps->host.uuid, uuid, sizeof(uuid));
    caps->host.has_uuid = true;
    caps->host.power_management_known = true;
    caps->host.iommu_support = g_strdup("no");
    capabilities_add_secmodel(caps, "none", "0");
    qemu_caps_add_guest(caps, qc);
    return capabilities_format(caps);
}

static void test_capabilities_xml(void)
{
    g_autoptr(QemuCaps) caps = qemu_test_caps_load(CAPS_FILE);
    g_autoptr(QemuCaps) nokvm = qemu_test_caps_load(CAPS_FILE);
    g_autofree char *path = golden_path("x86_64-7.2.caps.xml");
    g_autofree char *path_nokvm = golden_path("x86_64-7.2-nokvm.caps.xml");
    g_autofree char *xml = format_caps(caps);
    g_autofree char *xml_nokvm = NULL;

    test_compare_golden(path, xml);
    check_schema("capability.rng", xml);
    /* without usable KVM only type 'qemu' is offered */
    nokvm->kvm_usable = false;
    xml_nokvm = format_caps(nokvm);
    test_compare_golden(path_nokvm, xml_nokvm);
    g_assert_null(strstr(xml_nokvm, "<domain type='kvm'/>"));
    g_assert_nonnull(strstr(xml, "<domain type='kvm'/>"));
    check_schema("capability.rng", xml_nokvm);
}

static void test_domcaps_xml(const void *data)
{
    const char *variant = data; /* "qemu", "kvm" or "q35" */
    g_autoptr(QemuCaps) caps = qemu_test_caps_load(CAPS_FILE);
    g_autofree char *name = g_strdup_printf("x86_64-7.2.domcaps-%s.xml", variant);
    g_autofree char *path = golden_path(name);
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;
    DomainVirtType type = g_str_equal(variant, "kvm") ? DOMAIN_VIRT_KVM : DOMAIN_VIRT_QEMU;

    xml = qemu_caps_format_domain_caps(caps, type, g_str_equal(variant, "q35") ? "q35" : NULL,
                                       &error);
    g_assert_no_error(error);
    test_compare_golden(path, xml);
    check_schema("domaincaps.rng", xml);
}

static void test_domcaps_errors(void)
{
    g_autoptr(QemuCaps) caps = qemu_test_caps_load(CAPS_FILE);
    const struct {
        DomainVirtType type;
        const char *machine;
        bool kvm_usable;
        int code;
        const char *message;
    } cases[] = {
        { DOMAIN_VIRT_XEN, NULL, true, VIRT_ERR_INVALID_ARG,
          "virttype 'xen' is not supported by the QEMU driver" },
        { DOMAIN_VIRT_KVM, NULL, false, VIRT_ERR_CONFIG_UNSUPPORTED,
          "virttype 'kvm' is not supported by emulator '/usr/bin/qemu-system-x86_64'" },
        { DOMAIN_VIRT_QEMU, "virt", true, VIRT_ERR_INVALID_ARG,
          "the machine 'virt' is not supported by emulator '/usr/bin/qemu-system-x86_64'" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autofree char *xml = NULL;

        caps->kvm_usable = cases[i].kvm_usable;
        xml = qemu_caps_format_domain_caps(caps, cases[i].type, cases[i].machine, &error);
        g_assert_null(xml);
        g_assert_error(error, VIRT_QEMU_ERROR, cases[i].code);
        g_assert_cmpstr(error->message, ==, cases[i].message);
    }
}

/* A reply of the wrong kind anywhere makes the whole probe fail, with QEMU's words. */
static void test_from_bad_replies(void)
{
    g_autoptr(QemuTestConversation) conv = qemu_test_conversation_load(CAPS_FILE);
    const char *err_text = "{\"id\": \"libvirt-3\", \"error\": {\"class\": \"GenericError\", "
                           "\"desc\": \"boom\"}}";
    g_autoptr(QemuMonitorMessage) err =
        qemu_monitor_message_parse(err_text, strlen(err_text), NULL);
    g_autoptr(GError) error = NULL;
    QemuCapsReplies replies = {
        .version = qemu_test_conversation_reply_to(conv, "query-version", NULL),
        .target = qemu_test_conversation_reply_to(conv, "query-target", NULL),
        .kvm = qemu_test_conversation_reply_to(conv, "query-kvm", NULL),
        .machines = err,
    };

    g_assert_null(qemu_caps_from_replies("/q", &replies, &error));
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR);
    g_assert_cmpstr(error->message, ==,
                    "unable to execute QEMU command 'query-machines': boom (GenericError)");
}

static void test_unused_data(void)
{
    test_check_unused(data_dir, used_files);
}

/* Every data file, listed where the cases are registered. */
static const char *const caps_files[] = {
    CAPS_FILE,
    "x86_64-7.2-kvm.replies",
    "x86_64-7.2.cache.json",
    "x86_64-7.2.caps.xml",
    "x86_64-7.2-nokvm.caps.xml",
    "x86_64-7.2.domcaps-qemu.xml",
    "x86_64-7.2.domcaps-kvm.xml",
    "x86_64-7.2.domcaps-q35.xml",
};

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    data_dir = test_data_dir("qemu", "caps");
    used_files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(caps_files); i++)
        test_mark_used(used_files, caps_files[i]);

    g_test_add_func("/qemu/caps/flags", test_flags);
    g_test_add_func("/qemu/caps/machines", test_machines);
    g_test_add_func("/qemu/caps/virt-types", test_virt_types);
    g_test_add_func("/qemu/caps/json-roundtrip", test_json_roundtrip);
    g_test_add_func("/qemu/caps/json-invalid", test_json_invalid);
    g_test_add_func("/qemu/caps/is-current", test_is_current);
    g_test_add_func("/qemu/caps/capabilities-xml", test_capabilities_xml);
    g_test_add_data_func("/qemu/caps/domcaps-xml/qemu", "qemu", test_domcaps_xml);
    g_test_add_data_func("/qemu/caps/domcaps-xml/kvm", "kvm", test_domcaps_xml);
    g_test_add_data_func("/qemu/caps/domcaps-xml/q35", "q35", test_domcaps_xml);
    g_test_add_func("/qemu/caps/domcaps-errors", test_domcaps_errors);
    g_test_add_func("/qemu/caps/from-bad-replies", test_from_bad_replies);
    g_test_add_func("/qemu/caps/no-unused-data", test_unused_data);
    return g_test_run();
}
