/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The test driver's state machine through its ops table: every op, every error path
 * with its libvirt code, domain and message, and the lifecycle events each change
 * emits. Expectations come from Debian's libvirt 9.0 (`virsh -c test:///default`).
 */

#include "driver/test-driver.h"

#include <unistd.h>

#include "state/domain-obj.h"
#include "util/error.h"

#include "driver-test-util.h"

#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"

static int get_id(Conn *c, const char *name)
{
    g_autoptr(DomainRef) ref = lookup(c, name);

    return ref->id;
}

static bool query(Conn *c, DomainBoolQueryFunc fn, const DomainRef *dom)
{
    g_autoptr(GError) error = NULL;
    bool ret = false;

    g_assert_true(fn(c->conn, dom, &ret, &error));
    g_assert_no_error(error);
    return ret;
}

static void assert_golden(const char *actual, const char *file)
{
    g_autofree char *path = data_path(file);
    g_autofree char *expected = NULL;

    g_assert_true(g_file_get_contents(path, &expected, NULL, NULL));
    g_assert_cmpstr(actual, ==, expected);
}

static const char minimal_xml[] = "<domain type='test'><name>d1</name>"
                                  "<uuid>11111111-2222-3333-4444-555555555555</uuid>"
                                  "<memory>1024</memory><os><type>hvm</type></os></domain>";

/* ---- connection ------------------------------------------------------------------ */

static void test_default_connection(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *uri = NULL;
    g_autofree char *host = NULL;
    g_autofree char *caps = NULL;
    char expect_host[256] = "";
    uint64_t version = 0;
    NodeInfo info;
    Conn c;

    conn_open(&c, "test:///default");
    g_assert_cmpstr(OPS->name, ==, "test");
    g_assert_cmpstr(OPS->hv_type, ==, "TEST");
    uri = OPS->connect_get_uri(c.conn, &error);
    g_assert_cmpstr(uri, ==, "test:///default");
    g_assert_true(OPS->connect_get_version(c.conn, &version, &error));
    g_assert_cmpuint(version, ==, 2);
    host = OPS->connect_get_hostname(c.conn, &error);
    gethostname(expect_host, sizeof(expect_host) - 1);
    g_assert_cmpstr(host, ==, expect_host);
    g_assert_cmpint(OPS->connect_get_max_vcpus(c.conn, NULL, &error), ==, 32);
    g_assert_cmpint(OPS->connect_get_max_vcpus(c.conn, "kvm", &error), ==, 32);
    g_assert_true(OPS->node_get_info(c.conn, &info, &error));
    g_assert_cmpstr(info.model, ==, "i686");
    g_assert_cmpuint(info.memory_kib, ==, 3145728);
    g_assert_cmpuint(info.cpus, ==, 16);
    g_assert_cmpuint(info.mhz, ==, 1400);
    g_assert_cmpuint(info.nodes, ==, 2);
    g_assert_cmpuint(info.sockets, ==, 2);
    g_assert_cmpuint(info.cores, ==, 2);
    g_assert_cmpuint(info.threads, ==, 2);
    caps = OPS->connect_get_capabilities(c.conn, &error);
    assert_golden(caps, "default-capabilities.xml");
    g_assert_no_error(error);
    conn_close(&c);
}

static void test_open_errors(void)
{
    static const struct {
        const char *uri;
        int code;
        const char *message;
    } cases[] = {
        { "test:///", VIRT_ERR_INVALID_ARG,
          "invalid argument: supply a path or use test:///default" },
        { "test://", VIRT_ERR_INVALID_ARG,
          "invalid argument: supply a path or use test:///default" },
        { "test:///nonexistent/file.xml", VIRT_ERR_XML_ERROR,
          "XML error: failed to parse xml document '/nonexistent/file.xml'" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        Conn c;

        g_assert_false(conn_open_uri(&c, cases[i].uri, &error));
        assert_gerror(error, VIRT_FROM_TEST, cases[i].code, cases[i].message);
        g_ptr_array_unref(c.events);
        g_mutex_clear(&c.lock);
    }
}

static void test_open_flags(void)
{
    g_autoptr(VirtUri) uri = virt_uri_parse("test:///default", NULL);
    g_autoptr(GError) error = NULL;
    DriverConn *conn = NULL;

    g_assert_false(OPS->connect_open(uri, 4, NULL, NULL, &conn, &error));
    g_assert_null(conn);
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_INVALID_ARG,
                  "unsupported flags (0x4) in function test_connect_open");
    /* read-only is the API layer's business; the driver accepts the flag */
    g_assert_true(OPS->connect_open(uri, 1, NULL, NULL, &conn, &error));
    OPS->connect_close(conn);
}

static void assert_security(Conn *c, const DomainRef *dom, const char *label, bool enforcing)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *model = NULL;
    g_autofree char *doi = NULL;
    g_autofree char *got = NULL;
    bool enf = !enforcing;

    g_assert_true(OPS->node_get_security_model(c->conn, &model, &doi, &error));
    g_assert_cmpstr(model, ==, "testSecurity");
    g_assert_cmpstr(doi, ==, "");
    g_assert_true(OPS->domain_get_security_label(c->conn, dom, &got, &enf, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(got, ==, label);
    g_assert_cmpint(enf, ==, enforcing);
}

static void test_default_domain(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) dom = NULL;
    g_autoptr(DomainRef) by_id = NULL;
    g_autoptr(DomainRef) by_uuid = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *inactive = NULL;
    g_autofree char *os = NULL;
    uint8_t uuid[VIRT_UUID_LEN];
    DomainInfo info;
    uint64_t maxmem = 0;
    Conn c;

    conn_open(&c, "test:///default");
    dom = lookup(&c, "test");
    g_assert_cmpint(dom->id, ==, 1);
    virt_uuid_parse(TEST_UUID, uuid);
    g_assert_cmpmem(dom->uuid, VIRT_UUID_LEN, uuid, VIRT_UUID_LEN);
    by_id = OPS->domain_lookup_by_id(c.conn, 1, &error);
    g_assert_cmpstr(by_id->name, ==, "test");
    by_uuid = OPS->domain_lookup_by_uuid(c.conn, uuid, &error);
    g_assert_cmpstr(by_uuid->name, ==, "test");
    /* libvirt loads it running with reason "unknown" */
    assert_state(&c, dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNKNOWN);

    xml = OPS->domain_get_xml_desc(c.conn, dom, 0, &error);
    g_assert_no_error(error);
    assert_golden(xml, "default-test.xml");
    inactive = OPS->domain_get_xml_desc(c.conn, dom, 2, &error);
    g_assert_true(g_str_has_prefix(inactive, "<domain type='test'>\n"));

    g_assert_true(OPS->domain_get_info(c.conn, dom, &info, &error));
    g_assert_cmpint(info.state, ==, DOMAIN_STATE_RUNNING);
    g_assert_cmpuint(info.max_mem_kib, ==, 8388608);
    g_assert_cmpuint(info.memory_kib, ==, 2097152);
    g_assert_cmpuint(info.nr_virt_cpu, ==, 2);
    g_assert_cmpuint(info.cpu_time_ns, >, 0);
    g_assert_true(OPS->domain_get_max_memory(c.conn, dom, &maxmem, &error));
    g_assert_cmpuint(maxmem, ==, 8388608);
    os = OPS->domain_get_os_type(c.conn, dom, &error);
    g_assert_cmpstr(os, ==, "linux");
    g_assert_true(query(&c, OPS->domain_is_active, dom));
    g_assert_true(query(&c, OPS->domain_is_persistent, dom));
    g_assert_false(query(&c, OPS->domain_is_updated, dom));
    g_assert_false(query(&c, OPS->domain_has_managed_save_image, dom));
    g_assert_false(query(&c, OPS->domain_get_autostart, dom));
    assert_security(&c, dom, "libvirt-test", true);
    assert_events(&c, "");
    conn_close(&c);
}

static void test_lookup_errors(void)
{
    g_autoptr(GError) error = NULL;
    uint8_t uuid[VIRT_UUID_LEN];
    g_autoptr(DomainRef) ghost = NULL;
    bool b;
    int s, r;
    Conn c;

    conn_open(&c, "test:///default");
    g_assert_null(OPS->domain_lookup_by_name(c.conn, "nope", &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_NO_DOMAIN,
                  "Domain not found: no domain with matching name 'nope'");
    g_assert_null(OPS->domain_lookup_by_id(c.conn, 7, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_NO_DOMAIN,
                  "Domain not found: no domain with matching id 7");
    virt_uuid_parse("6695eb01-f6a4-8304-79aa-97f2502e193e", uuid);
    g_assert_null(OPS->domain_lookup_by_uuid(c.conn, uuid, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_NO_DOMAIN,
                  "Domain not found: no domain with matching uuid "
                  "'6695eb01-f6a4-8304-79aa-97f2502e193e'");

    /* every op on a domain that does not exist */
    ghost = domain_ref_new("ghost", uuid, -1);
#define GHOST_MSG                                                                            \
    "Domain not found: no domain with matching uuid '6695eb01-f6a4-8304-79aa-97f2502e193e' " \
    "(ghost)"
#define CHECK_GHOST(call)                                                    \
    do {                                                                     \
        g_assert_false(call);                                                \
        assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_NO_DOMAIN, GHOST_MSG); \
    } while (0)
    CHECK_GHOST(OPS->domain_create(c.conn, ghost, 0, &error) != NULL);
    CHECK_GHOST(OPS->domain_destroy(c.conn, ghost, 0, &error));
    CHECK_GHOST(OPS->domain_shutdown(c.conn, ghost, 0, &error));
    CHECK_GHOST(OPS->domain_reboot(c.conn, ghost, 0, &error));
    CHECK_GHOST(OPS->domain_reset(c.conn, ghost, 0, &error));
    CHECK_GHOST(OPS->domain_suspend(c.conn, ghost, 0, &error));
    CHECK_GHOST(OPS->domain_resume(c.conn, ghost, 0, &error));
    CHECK_GHOST(OPS->domain_undefine(c.conn, ghost, 0, &error));
    CHECK_GHOST(OPS->domain_get_xml_desc(c.conn, ghost, 0, &error) != NULL);
    CHECK_GHOST(OPS->domain_get_state(c.conn, ghost, 0, &s, &r, &error));
    CHECK_GHOST(OPS->domain_is_active(c.conn, ghost, &b, &error));
    CHECK_GHOST(OPS->domain_set_autostart(c.conn, ghost, true, &error));
    CHECK_GHOST(OPS->domain_get_os_type(c.conn, ghost, &error) != NULL);
    conn_close(&c);
}

/* ---- lifecycle -------------------------------------------------------------------- */

#define NOT_RUNNING "Requested operation is not valid: domain is not running"

static void test_lifecycle(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) dom = NULL;
    g_autoptr(DomainRef) started = NULL;
    Conn c;

    conn_open(&c, "test:///default");
    dom = lookup(&c, "test");

    g_assert_true(OPS->domain_destroy(c.conn, dom, 0, &error));
    g_assert_no_error(error);
    assert_events(&c, "test stopped 1");
    assert_state(&c, dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_DESTROYED);
    g_assert_cmpint(get_id(&c, "test"), ==, -1);
    assert_security(&c, dom, "", false);
    g_assert_false(query(&c, OPS->domain_is_active, dom));

    /* everything that needs a running domain */
    g_assert_false(OPS->domain_destroy(c.conn, dom, 0, &error));
    assert_gerror(error, VIRT_FROM_DOMAIN, VIRT_ERR_OPERATION_INVALID, NOT_RUNNING);
    g_assert_false(OPS->domain_suspend(c.conn, dom, 0, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_INTERNAL_ERROR,
                  "internal error: domain 'test' not running");
    g_assert_false(OPS->domain_resume(c.conn, dom, 0, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_INTERNAL_ERROR,
                  "internal error: domain 'test' not paused");
    g_assert_false(OPS->domain_shutdown(c.conn, dom, 0, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_INTERNAL_ERROR,
                  "internal error: domain 'test' not running");
    g_assert_false(OPS->domain_reboot(c.conn, dom, 0, &error));
    assert_gerror(error, VIRT_FROM_DOMAIN, VIRT_ERR_OPERATION_INVALID, NOT_RUNNING);
    g_assert_false(OPS->domain_reset(c.conn, dom, 0, &error));
    assert_gerror(error, VIRT_FROM_DOMAIN, VIRT_ERR_OPERATION_INVALID, NOT_RUNNING);
    assert_events(&c, "");

    /* start: ids continue after the highest ever given */
    started = OPS->domain_create(c.conn, dom, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpint(started->id, ==, 2);
    assert_events(&c, "test started 0");
    assert_state(&c, dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
    g_assert_null(OPS->domain_create(c.conn, dom, 0, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_INTERNAL_ERROR,
                  "internal error: domain 'test' is already running");

    g_assert_true(OPS->domain_suspend(c.conn, dom, 0, &error));
    assert_events(&c, "test suspended 0");
    assert_state(&c, dom, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER);
    g_assert_false(OPS->domain_suspend(c.conn, dom, 0, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_INTERNAL_ERROR,
                  "internal error: domain 'test' not running");
    g_assert_true(OPS->domain_resume(c.conn, dom, 0, &error));
    assert_events(&c, "test resumed 0");
    assert_state(&c, dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNPAUSED);
    g_assert_false(OPS->domain_resume(c.conn, dom, 0, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_INTERNAL_ERROR,
                  "internal error: domain 'test' not paused");

    /* reboot restarts in place (on_reboot=restart) without events; reset changes nothing */
    g_assert_true(OPS->domain_reboot(c.conn, dom, 0, &error));
    assert_state(&c, dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
    g_assert_true(OPS->domain_reset(c.conn, dom, 0, &error));
    assert_state(&c, dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
    g_assert_cmpint(get_id(&c, "test"), ==, 2);
    assert_events(&c, "");

    /* the test guest powers off at once */
    g_assert_true(OPS->domain_shutdown(c.conn, dom, 0, &error));
    assert_events(&c, "test stopped 0");
    assert_state(&c, dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_SHUTDOWN);

    /* a paused guest can be shut down too */
    g_clear_pointer(&started, domain_ref_free);
    started = OPS->domain_create(c.conn, dom, 1, &error);
    g_assert_cmpint(started->id, ==, 3);
    assert_events(&c, "test started 0; test suspended 0");
    assert_state(&c, dom, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER);
    g_assert_true(OPS->domain_shutdown(c.conn, dom, 0, &error));
    assert_events(&c, "test stopped 0");
    g_assert_no_error(error);
    conn_close(&c);
}

static void test_reboot_actions(void)
{
    static const struct {
        const char *action;
        bool stays;
    } cases[] = {
        { "destroy", false },       { "preserve", false },         { "restart", true },
        { "rename-restart", true }, { "coredump-destroy", false }, { "coredump-restart", true },
    };
    Conn c;

    conn_open(&c, "test:///default");
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autofree char *xml = g_strdup_printf("<domain type='test'><name>r%zu</name>"
                                               "<memory>1024</memory><os><type>hvm</type></os>"
                                               "<on_reboot>%s</on_reboot></domain>",
                                               i, cases[i].action);
        g_autoptr(DomainRef) dom = OPS->domain_create_xml(c.conn, xml, 0, &error);
        g_autofree char *name = g_strdup_printf("r%zu", i);
        g_autofree char *stopped = g_strdup_printf("r%zu stopped 0", i);
        g_autoptr(DomainRef) after = NULL;

        g_test_message("on_reboot %s", cases[i].action);
        g_assert_no_error(error);
        /* a paused guest reboots as well */
        g_assert_true(OPS->domain_suspend(c.conn, dom, 0, &error));
        g_free(take_events(&c));
        g_assert_true(OPS->domain_reboot(c.conn, dom, 0, &error));
        g_assert_no_error(error);
        after = OPS->domain_lookup_by_name(c.conn, name, NULL);
        if (cases[i].stays) {
            assert_events(&c, "");
            assert_state(&c, dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
        } else {
            /* transient: the stop removes it */
            assert_events(&c, stopped);
            g_assert_null(after);
        }
    }
    conn_close(&c);
}

static void test_unsupported_flags(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) dom = NULL;
    g_autoptr(GPtrArray) list = NULL;
    int s, r;
    Conn c;

    conn_open(&c, "test:///default");
    dom = lookup(&c, "test");
#define CHECK_FLAGS(call, msg)                                           \
    do {                                                                 \
        g_assert_false(call);                                            \
        assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_INVALID_ARG, msg); \
    } while (0)
    CHECK_FLAGS(OPS->domain_create(c.conn, dom, 2, &error) != NULL,
                "unsupported flags (0x2) in function test_domain_create");
    CHECK_FLAGS(OPS->domain_destroy(c.conn, dom, 6, &error),
                "unsupported flags (0x6) in function test_domain_destroy");
    CHECK_FLAGS(OPS->domain_shutdown(c.conn, dom, 1, &error),
                "unsupported flags (0x1) in function test_domain_shutdown");
    CHECK_FLAGS(OPS->domain_reboot(c.conn, dom, 0x20, &error),
                "unsupported flags (0x20) in function test_domain_reboot");
    CHECK_FLAGS(OPS->domain_reset(c.conn, dom, 1, &error),
                "unsupported flags (0x1) in function test_domain_reset");
    CHECK_FLAGS(OPS->domain_suspend(c.conn, dom, 1, &error),
                "unsupported flags (0x1) in function test_domain_suspend");
    CHECK_FLAGS(OPS->domain_resume(c.conn, dom, 1, &error),
                "unsupported flags (0x1) in function test_domain_resume");
    CHECK_FLAGS(OPS->domain_define_xml(c.conn, minimal_xml, 2, &error) != NULL,
                "unsupported flags (0x2) in function test_domain_define_xml");
    CHECK_FLAGS(OPS->domain_create_xml(c.conn, minimal_xml, 4, &error) != NULL,
                "unsupported flags (0x4) in function test_domain_create_xml");
    CHECK_FLAGS(OPS->domain_get_xml_desc(c.conn, dom, 16, &error) != NULL,
                "unsupported flags (0x10) in function test_domain_get_xml_desc");
    CHECK_FLAGS(OPS->domain_get_state(c.conn, dom, 1, &s, &r, &error),
                "unsupported flags (0x1) in function test_domain_get_state");
    CHECK_FLAGS(OPS->connect_list_all_domains(c.conn, 1u << 20, &list, &error),
                "unsupported flags (0x100000) in function test_connect_list_all_domains");
    g_assert_null(list);
    /* nothing changed */
    assert_state(&c, dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNKNOWN);
    g_assert_null(OPS->domain_lookup_by_name(c.conn, "d1", NULL));
    assert_events(&c, "");
    conn_close(&c);
}

/* ---- definition ------------------------------------------------------------------- */

static char *xml_with_memory(unsigned int kib)
{
    return g_strdup_printf("<domain type='test'><name>d1</name>"
                           "<uuid>11111111-2222-3333-4444-555555555555</uuid>"
                           "<memory>%u</memory><os><type>hvm</type></os></domain>",
                           kib);
}

static void test_define_undefine(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) d1 = NULL;
    g_autoptr(DomainRef) again = NULL;
    g_autoptr(DomainRef) started = NULL;
    g_autofree char *xml2 = xml_with_memory(2048);
    g_autofree char *live = NULL;
    g_autofree char *config = NULL;
    uint64_t maxmem = 0;
    Conn c;

    conn_open(&c, "test:///default");
    d1 = OPS->domain_define_xml(c.conn, minimal_xml, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(d1->name, ==, "d1");
    g_assert_cmpint(d1->id, ==, -1);
    assert_events(&c, "d1 defined 0");
    assert_state(&c, d1, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_UNKNOWN);
    g_assert_true(query(&c, OPS->domain_is_persistent, d1));

    again = OPS->domain_define_xml(c.conn, minimal_xml, 1, &error);
    g_assert_no_error(error);
    assert_events(&c, "d1 defined 1");

    g_assert_null(OPS->domain_define_xml(
        c.conn,
        "<domain type='test'><name>d1</name><uuid>11111111-2222-3333-4444-555555555556</uuid>"
        "<memory>1024</memory><os><type>hvm</type></os></domain>",
        0, &error));
    assert_gerror(error, VIRT_FROM_DOMAIN, VIRT_ERR_OPERATION_FAILED,
                  "operation failed: domain 'd1' already exists with uuid "
                  "11111111-2222-3333-4444-555555555555");
    g_assert_null(OPS->domain_define_xml(
        c.conn,
        "<domain type='test'><name>d2</name><uuid>11111111-2222-3333-4444-555555555555</uuid>"
        "<memory>1024</memory><os><type>hvm</type></os></domain>",
        0, &error));
    assert_gerror(error, VIRT_FROM_DOMAIN, VIRT_ERR_OPERATION_FAILED,
                  "operation failed: domain 'd1' is already defined with uuid "
                  "11111111-2222-3333-4444-555555555555");
    g_assert_null(OPS->domain_define_xml(c.conn, "<domain", 0, &error));
    g_assert_nonnull(error);
    g_clear_error(&error);
    assert_events(&c, "");

    /* a redefinition while running waits for the next stop */
    started = OPS->domain_create(c.conn, d1, 0, &error);
    g_assert_cmpint(started->id, ==, 2);
    g_clear_pointer(&again, domain_ref_free);
    again = OPS->domain_define_xml(c.conn, xml2, 0, &error);
    g_assert_no_error(error);
    assert_events(&c, "d1 started 0; d1 defined 1");
    g_assert_true(OPS->domain_get_max_memory(c.conn, d1, &maxmem, &error));
    g_assert_cmpuint(maxmem, ==, 1024);
    live = OPS->domain_get_xml_desc(c.conn, d1, 0, &error);
    config = OPS->domain_get_xml_desc(c.conn, d1, 2, &error);
    g_assert_true(strstr(live, "<domain type='test' id='2'>"));
    g_assert_true(strstr(live, ">1024</memory>"));
    g_assert_true(strstr(config, "<domain type='test'>"));
    g_assert_true(strstr(config, ">2048</memory>"));
    g_assert_true(OPS->domain_destroy(c.conn, d1, 0, &error));
    g_assert_true(OPS->domain_get_max_memory(c.conn, d1, &maxmem, &error));
    g_assert_cmpuint(maxmem, ==, 2048);
    assert_events(&c, "d1 stopped 1");

    /* undefine of an inactive domain removes it */
    g_assert_true(OPS->domain_undefine(c.conn, d1, 0, &error));
    g_assert_no_error(error);
    assert_events(&c, "d1 undefined 0");
    g_assert_null(OPS->domain_lookup_by_name(c.conn, "d1", &error));
    g_clear_error(&error);
    g_assert_false(OPS->domain_undefine(c.conn, d1, 0, &error));
    g_assert_error(error, VIRT_TEST_ERROR, VIRT_ERR_NO_DOMAIN);
    conn_close(&c);
}

static void test_undefine_running(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) dom = NULL;
    Conn c;

    conn_open(&c, "test:///default");
    dom = lookup(&c, "test");
    g_assert_true(OPS->domain_set_autostart(c.conn, dom, true, &error));
    g_assert_true(OPS->domain_undefine(c.conn, dom, 0, &error));
    g_assert_no_error(error);
    assert_events(&c, "test undefined 0");
    /* keeps running, now transient */
    g_assert_true(query(&c, OPS->domain_is_active, dom));
    g_assert_false(query(&c, OPS->domain_is_persistent, dom));
    g_assert_false(query(&c, OPS->domain_get_autostart, dom));
    assert_state(&c, dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNKNOWN);

    g_assert_false(OPS->domain_undefine(c.conn, dom, 0, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_OPERATION_INVALID,
                  "cannot undefine transient domain 'test'");
    g_assert_false(OPS->domain_set_autostart(c.conn, dom, true, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_OPERATION_INVALID,
                  "Requested operation is not valid: cannot set autostart for transient "
                  "domain");
    /* like libvirt's test driver: only --managed-save and --snapshots-metadata */
    g_assert_false(OPS->domain_undefine(c.conn, dom, 4, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_INVALID_ARG,
                  "unsupported undefine flags 0x4 for domain 'test'");
    g_assert_false(OPS->domain_undefine(c.conn, dom, 0x30, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_INVALID_ARG,
                  "unsupported undefine flags 0x30 for domain 'test'");

    /* and vanishes when it stops */
    g_assert_true(OPS->domain_destroy(c.conn, dom, 0, &error));
    assert_events(&c, "test stopped 1");
    g_assert_null(OPS->domain_lookup_by_name(c.conn, "test", &error));
    g_assert_error(error, VIRT_TEST_ERROR, VIRT_ERR_NO_DOMAIN);
    conn_close(&c);
}

static void test_create_xml(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) t = NULL;
    g_autoptr(DomainRef) d1 = NULL;
    g_autoptr(DomainRef) live = NULL;
    g_autofree char *xml2 = xml_with_memory(4096);
    uint64_t maxmem = 0;
    Conn c;

    conn_open(&c, "test:///default");
    t = OPS->domain_create_xml(c.conn, minimal_xml, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpint(t->id, ==, 2);
    assert_events(&c, "d1 started 0");
    assert_state(&c, t, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
    g_assert_false(query(&c, OPS->domain_is_persistent, t));

    g_assert_null(OPS->domain_create_xml(c.conn, minimal_xml, 0, &error));
    assert_gerror(error, VIRT_FROM_DOMAIN, VIRT_ERR_OPERATION_INVALID,
                  "Requested operation is not valid: domain 'd1' is already active");
    g_assert_null(OPS->domain_define_xml(c.conn,
                                         "<domain type='test'><name>test</name>"
                                         "<memory>1024</memory><os><type>hvm</type></os>"
                                         "</domain>",
                                         0, &error));
    g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_FAILED);
    g_clear_error(&error);

    /* defining a running transient domain makes it persistent ("added") */
    d1 = OPS->domain_define_xml(c.conn, minimal_xml, 0, &error);
    g_assert_no_error(error);
    assert_events(&c, "d1 defined 0");
    g_assert_true(query(&c, OPS->domain_is_persistent, t));
    g_assert_true(OPS->domain_shutdown(c.conn, t, 0, &error));
    assert_events(&c, "d1 stopped 0");
    g_clear_pointer(&d1, domain_ref_free);
    d1 = lookup(&c, "d1");

    /* create over an inactive persistent domain runs the new XML, then the config is back */
    live = OPS->domain_create_xml(c.conn, xml2, 1 | 16, &error);
    g_assert_no_error(error);
    g_assert_cmpint(live->id, ==, 3);
    assert_events(&c, "d1 started 0; d1 suspended 0");
    assert_state(&c, live, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER);
    g_assert_true(query(&c, OPS->domain_is_persistent, live));
    g_assert_true(OPS->domain_get_max_memory(c.conn, live, &maxmem, &error));
    g_assert_cmpuint(maxmem, ==, 4096);
    g_assert_true(OPS->domain_destroy(c.conn, live, 0, &error));
    g_assert_true(OPS->domain_get_max_memory(c.conn, live, &maxmem, &error));
    g_assert_cmpuint(maxmem, ==, 1024);

    /* a transient domain is gone after a stop */
    g_assert_true(OPS->domain_undefine(c.conn, live, 0, &error));
    g_clear_pointer(&t, domain_ref_free);
    t = OPS->domain_create_xml(c.conn, minimal_xml, 0, &error);
    g_assert_true(OPS->domain_destroy(c.conn, t, 0, &error));
    g_assert_no_error(error);
    assert_events(&c, "d1 stopped 1; d1 undefined 0; d1 started 0; d1 stopped 1");
    g_assert_null(OPS->domain_lookup_by_name(c.conn, "d1", NULL));
    conn_close(&c);
}

static void test_autostart(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) dom = NULL;
    Conn c;

    conn_open(&c, "test:///default");
    dom = lookup(&c, "test");
    g_assert_true(OPS->domain_set_autostart(c.conn, dom, true, &error));
    g_assert_true(query(&c, OPS->domain_get_autostart, dom));
    g_assert_true(OPS->domain_set_autostart(c.conn, dom, false, &error));
    g_assert_false(query(&c, OPS->domain_get_autostart, dom));
    g_assert_no_error(error);
    assert_events(&c, "");
    conn_close(&c);
}

static char *list_names(Conn *c, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) doms = NULL;
    GString *s = g_string_new(NULL);

    g_assert_true(OPS->connect_list_all_domains(c->conn, flags, &doms, &error));
    g_assert_no_error(error);
    for (guint i = 0; i < doms->len; i++) {
        DomainRef *ref = doms->pdata[i];

        g_string_append_printf(s, "%s%s:%d", i ? " " : "", ref->name, ref->id);
    }
    return g_string_free(s, FALSE);
}

static void test_list(void)
{
    static const struct {
        unsigned int flags;
        const char *names;
    } cases[] = {
        { 0, "fromfile:1 inline:-1 paused:3 trans:2" },
        { 1, "fromfile:1 paused:3 trans:2" },
        { 2, "inline:-1" },
        { 1 | 2, "fromfile:1 inline:-1 paused:3 trans:2" },
        { 4, "fromfile:1 inline:-1 paused:3" },
        { 8, "trans:2" },
        { 16, "fromfile:1 trans:2" },
        { 32, "paused:3" },
        { 64, "inline:-1" },
        { 128, "" },
        { 256, "inline:-1" },
        { 512, "fromfile:1 paused:3 trans:2" },
        { 1024, "" },
        { 2048, "fromfile:1 inline:-1 paused:3 trans:2" },
        { 4096, "" },
        { 8192, "fromfile:1 inline:-1 paused:3 trans:2" },
        { 1 | 4 | 16, "fromfile:1" },
    };
    Conn c;

    conn_open_file(&c, "node.xml");
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *names = list_names(&c, cases[i].flags);

        g_assert_cmpstr(names, ==, cases[i].names);
    }
    conn_close(&c);
}

/* ---- metadata ------------------------------------------------------------------------ */

static char *get_metadata(Conn *c, const DomainRef *dom, int type, const char *uri,
                          unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    char *value = OPS->domain_get_metadata(c->conn, dom, type, uri, flags, &error);

    g_assert_no_error(error);
    return value;
}

static void test_metadata(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) dom = NULL;
    g_autoptr(DomainRef) t = NULL;
    g_autofree char *desc = NULL;
    g_autofree char *desc_config = NULL;
    g_autofree char *elem = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *inactive = NULL;
    Conn c;

    conn_open(&c, "test:///default");
    dom = lookup(&c, "test");
    g_assert_null(OPS->domain_get_metadata(c.conn, dom, 0, NULL, 0, &error));
    assert_gerror(error, VIRT_FROM_DOMAIN, VIRT_ERR_NO_DOMAIN_METADATA,
                  "metadata not found: Requested metadata element is not present");
    g_assert_null(OPS->domain_get_metadata(c.conn, dom, 2, "http://example.org/x/", 0, &error));
    assert_gerror(error, VIRT_FROM_DOMAIN, VIRT_ERR_NO_DOMAIN_METADATA,
                  "metadata not found: Requested metadata element is not present");

    /* on a running domain "current" is the live definition only */
    g_assert_true(OPS->domain_set_metadata(c.conn, dom, 0, "hello", NULL, NULL, 0, &error));
    g_assert_no_error(error);
    desc = get_metadata(&c, dom, 0, NULL, 0);
    g_assert_cmpstr(desc, ==, "hello");
    g_assert_null(OPS->domain_get_metadata(c.conn, dom, 0, NULL, 2, &error));
    g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_NO_DOMAIN_METADATA);
    g_clear_error(&error);

    g_assert_true(OPS->domain_set_metadata(c.conn, dom, 0, "config", NULL, NULL, 2, &error));
    desc_config = get_metadata(&c, dom, 0, NULL, 2);
    g_assert_cmpstr(desc_config, ==, "config");
    g_clear_pointer(&desc, g_free);
    desc = get_metadata(&c, dom, 0, NULL, 1);
    g_assert_cmpstr(desc, ==, "hello");

    g_assert_true(OPS->domain_set_metadata(c.conn, dom, 2, "<foo>bar</foo>", "x",
                                           "http://example.org/x/", 1 | 2, &error));
    g_assert_no_error(error);
    elem = get_metadata(&c, dom, 2, "http://example.org/x/", 0);
    g_assert_cmpstr(elem, ==, "<foo>bar</foo>");
    xml = OPS->domain_get_xml_desc(c.conn, dom, 0, &error);
    g_assert_true(strstr(xml, "<description>hello</description>"));
    g_assert_true(strstr(xml, "<x:foo xmlns:x=\"http://example.org/x/\">bar</x:foo>") ||
                  strstr(xml, "<x:foo xmlns:x='http://example.org/x/'>bar</x:foo>"));
    inactive = OPS->domain_get_xml_desc(c.conn, dom, 2, &error);
    g_assert_true(strstr(inactive, "<description>config</description>"));

    /* flag errors */
    g_assert_null(OPS->domain_get_metadata(c.conn, dom, 0, NULL, 1 | 2, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_INVALID_ARG,
                  "invalid argument: flags 'affect live' and 'affect config' are mutually "
                  "exclusive");
    g_assert_null(OPS->domain_get_metadata(c.conn, dom, 0, NULL, 4, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_INVALID_ARG,
                  "unsupported flags (0x4) in function test_domain_get_metadata");
    g_assert_false(OPS->domain_set_metadata(c.conn, dom, 2, "<foo/>", NULL, NULL, 0, &error));
    g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INVALID_ARG);
    g_clear_error(&error);

    /* after a stop the config is what remains */
    g_assert_true(OPS->domain_destroy(c.conn, dom, 0, &error));
    g_clear_pointer(&desc, g_free);
    desc = get_metadata(&c, dom, 0, NULL, 0);
    g_assert_cmpstr(desc, ==, "config");
    g_assert_false(OPS->domain_set_metadata(c.conn, dom, 0, "x", NULL, NULL, 1, &error));
    assert_gerror(error, VIRT_FROM_DOMAIN, VIRT_ERR_OPERATION_INVALID, NOT_RUNNING);

    /* transient domains have no config */
    t = OPS->domain_create_xml(c.conn, minimal_xml, 0, &error);
    g_assert_false(OPS->domain_set_metadata(c.conn, t, 1, "title", NULL, NULL, 2, &error));
    assert_gerror(error, VIRT_FROM_DOMAIN, VIRT_ERR_OPERATION_INVALID,
                  "Requested operation is not valid: transient domains do not have any "
                  "persistent config");
    conn_close(&c);
}

/* ---- sharing, events, lifetime ------------------------------------------------------ */

static void test_default_shared(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) dom = NULL;
    Conn a, b, fresh;

    conn_open(&a, "test:///default");
    conn_open(&b, "test:///default");
    dom = lookup(&a, "test");
    g_assert_true(OPS->domain_destroy(a.conn, dom, 0, &error));
    /* both connections see the change and the event */
    assert_state(&b, dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_DESTROYED);
    assert_events(&a, "test stopped 1");
    assert_events(&b, "test stopped 1");

    /* a closed connection gets nothing more */
    conn_close(&b);
    domain_ref_free(OPS->domain_create(a.conn, dom, 0, &error));
    g_assert_no_error(error);
    assert_events(&a, "test started 0");
    g_assert_true(OPS->domain_destroy(a.conn, dom, 0, &error));
    conn_close(&a);

    /* the last close dropped the state: a new connection starts from scratch */
    conn_open(&fresh, "test:///default");
    assert_state(&fresh, dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNKNOWN);
    g_assert_cmpint(get_id(&fresh, "test"), ==, 1);
    conn_close(&fresh);
    g_assert_no_error(error);
}

static void test_default_hold(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) dom = NULL;
    Conn c;

    g_assert_true(test_driver_default_hold(&error));
    g_assert_true(test_driver_default_hold(&error));
    conn_open(&c, "test:///default");
    dom = lookup(&c, "test");
    g_assert_true(OPS->domain_destroy(c.conn, dom, 0, &error));
    conn_close(&c);

    conn_open(&c, "test:///default");
    assert_state(&c, dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_DESTROYED);
    conn_close(&c);
    test_driver_default_release();
    conn_open(&c, "test:///default");
    assert_state(&c, dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_DESTROYED);
    conn_close(&c);
    test_driver_default_release();

    conn_open(&c, "test:///default");
    assert_state(&c, dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNKNOWN);
    conn_close(&c);
    g_assert_no_error(error);
}

/* ---- custom node files -------------------------------------------------------------- */

static void test_node_file(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) inline_dom = NULL;
    g_autoptr(DomainRef) trans = NULL;
    g_autoptr(DomainRef) paused = NULL;
    g_autoptr(DomainRef) fromfile = NULL;
    g_autofree char *path = data_path("node.xml");
    g_autofree char *expected_uri = g_strconcat("test://", path, NULL);
    g_autofree char *uri = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *caps = NULL;
    NodeInfo info;
    Conn c, other, def;

    conn_open_file(&c, "node.xml");
    uri = OPS->connect_get_uri(c.conn, &error);
    g_assert_cmpstr(uri, ==, expected_uri);
    g_assert_true(OPS->node_get_info(c.conn, &info, &error));
    g_assert_cmpstr(info.model, ==, "i986");
    g_assert_cmpuint(info.cpus, ==, 50);
    g_assert_cmpuint(info.mhz, ==, 6000);
    g_assert_cmpuint(info.nodes, ==, 4);
    g_assert_cmpuint(info.sockets, ==, 4);
    g_assert_cmpuint(info.cores, ==, 4);
    g_assert_cmpuint(info.threads, ==, 2);
    g_assert_cmpuint(info.memory_kib, ==, 8192000);
    caps = OPS->connect_get_capabilities(c.conn, &error);
    /* libvirt prints an empty <cells num='0'> here; conf/ omits the empty topology */
    g_assert_null(strstr(caps, "<cell "));
    g_assert_true(strstr(caps, "<model>testSecurity</model>"));

    fromfile = lookup(&c, "fromfile");
    g_assert_cmpint(fromfile->id, ==, 1);
    assert_state(&c, fromfile, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNKNOWN);
    xml = OPS->domain_get_xml_desc(c.conn, fromfile, 0, &error);
    assert_golden(xml, "node-fromfile.xml");
    g_clear_pointer(&xml, g_free);

    inline_dom = lookup(&c, "inline");
    assert_state(&c, inline_dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_UNKNOWN);
    g_assert_true(query(&c, OPS->domain_has_managed_save_image, inline_dom));
    xml = OPS->domain_get_xml_desc(c.conn, inline_dom, 0, &error);
    assert_golden(xml, "node-inline.xml");

    trans = lookup(&c, "trans");
    g_assert_cmpint(trans->id, ==, 2);
    g_assert_false(query(&c, OPS->domain_is_persistent, trans));
    paused = lookup(&c, "paused");
    g_assert_cmpint(paused->id, ==, 3);
    assert_state(&c, paused, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_UNKNOWN);

    /* a managed save image blocks undefine unless asked to remove it */
    g_assert_false(OPS->domain_undefine(c.conn, inline_dom, 0, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_OPERATION_INVALID,
                  "cannot undefine domain 'inline' while it has a managed save image; use "
                  "--managed-save to remove it with it");
    g_assert_true(OPS->domain_undefine(c.conn, inline_dom, 1 | 2, &error));
    g_assert_no_error(error);
    assert_events(&c, "inline undefined 0");

    /* private per connection: another open of the same file sees the original */
    conn_open_file(&other, "node.xml");
    g_assert_true(query(&other, OPS->domain_has_managed_save_image, inline_dom));
    assert_events(&other, "");
    /* starting drops the image; ids continue after the loaded ones */
    {
        g_autoptr(DomainRef) started = OPS->domain_create(other.conn, inline_dom, 0, &error);

        g_assert_cmpint(started->id, ==, 4);
        g_assert_false(query(&other, OPS->domain_has_managed_save_image, inline_dom));
    }
    conn_close(&other);

    /* and test:///default is unaffected */
    conn_open(&def, "test:///default");
    g_assert_null(OPS->domain_lookup_by_name(def.conn, "fromfile", NULL));
    conn_close(&def);
    conn_close(&c);
}

static void test_node_file_errors(void)
{
    static const struct {
        const char *file;
        int code;
        const char *message; /* prefix */
    } cases[] = {
        { "node-bad-runstate.xml", VIRT_ERR_XML_ERROR, "XML error: runstate '9' out of range'" },
        { "node-managedsave-running.xml", VIRT_ERR_XML_ERROR,
          "XML error: domain with managedsave data can only have runstate 'shutoff'" },
        { "node-transient-shutoff.xml", VIRT_ERR_XML_ERROR,
          "XML error: transient domain cannot have runstate 'shutoff'" },
        { "node-wrong-root.xml", VIRT_ERR_XML_ERROR,
          "XML error: expecting root element of 'node', not 'nodex'" },
        { "node-bad-mhz.xml", VIRT_ERR_XML_ERROR, "XML error: invalid node cpu mhz value" },
        { "node-missing-file.xml", VIRT_ERR_XML_ERROR,
          "XML error: failed to parse xml document '" },
        { "node-duplicate.xml", VIRT_ERR_OPERATION_FAILED,
          "operation failed: domain 'x' already exists with uuid " },
        { "node-no-name.xml", -1, "" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = conn_open_file_error(cases[i].file);

        if (cases[i].code >= 0)
            g_assert_cmpint(error->code, ==, cases[i].code);
        g_assert_true(g_str_has_prefix(error->message, cases[i].message));
    }
}

/* ---- concurrency ------------------------------------------------------------------- */

typedef struct Worker {
    Conn *c;
    int starts;
    int stops;
} Worker;

/* Start/stop the same domain from several threads: each call either succeeds or fails
 * with a state or busy error; never anything else. */
static gpointer worker_run(gpointer data)
{
    Worker *w = data;
    g_autoptr(DomainRef) dom = lookup(w->c, "test");

    for (int i = 0; i < 200; i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(DomainRef) started = NULL;

        if (i % 2) {
            if (OPS->domain_destroy(w->c->conn, dom, 0, &error))
                w->stops++;
        } else if ((started = OPS->domain_create(w->c->conn, dom, 0, &error))) {
            w->starts++;
        }
        /* the other job busy, or destroy of a stopped domain: OPERATION_INVALID; start of
         * a running one: an internal error, as libvirt's test driver */
        if (error)
            g_assert_true(error->code == VIRT_ERR_OPERATION_INVALID ||
                          (i % 2 == 0 && error->code == VIRT_ERR_INTERNAL_ERROR));
    }
    return NULL;
}

static void test_concurrent_jobs(void)
{
    g_autoptr(DomainRef) dom = NULL;
    Worker workers[4];
    GThread *threads[4];
    int starts = 0, stops = 0, events = 0;
    bool active;
    Conn c;

    conn_open(&c, "test:///default");
    dom = lookup(&c, "test");
    for (int i = 0; i < 4; i++) {
        workers[i] = (Worker){ .c = &c };
        threads[i] = g_thread_new("worker", worker_run, &workers[i]);
    }
    for (int i = 0; i < 4; i++) {
        g_thread_join(threads[i]);
        starts += workers[i].starts;
        stops += workers[i].stops;
    }
    active = query(&c, OPS->domain_is_active, dom);
    /* it started running: every start was matched by a stop, give or take the end */
    g_assert_cmpint(stops - starts, ==, active ? 0 : 1);
    events = c.events->len;
    g_assert_cmpint(events, ==, starts + stops);
    conn_close(&c);
}

/* Readers (list, XML, metadata) while writers define, start, change metadata, destroy
 * and undefine: under ASan this finds any def freed while a reader still uses it. */
static gpointer churn_run(gpointer data)
{
    Conn *c = data;

    for (int i = 0; i < 100; i++) {
        g_autoptr(GError) error = NULL;
        g_autofree char *name = g_strdup_printf("churn-%p-%d", (void *)g_thread_self(), i % 3);
        g_autofree char *xml = g_strdup_printf("<domain type='test'><name>%s</name>"
                                               "<uuid>%08x-1111-2222-3333-%012d</uuid>"
                                               "<memory>1024</memory><os><type>hvm</type></os>"
                                               "</domain>",
                                               name, g_str_hash(name), i % 3);
        g_autoptr(DomainRef) dom = OPS->domain_define_xml(c->conn, xml, 0, &error);
        g_autoptr(DomainRef) started = NULL;

        g_assert_no_error(error);
        started = OPS->domain_create(c->conn, dom, 0, NULL);
        (void)OPS->domain_set_metadata(c->conn, dom, 0, "busy", NULL, NULL, 0, NULL);
        (void)OPS->domain_destroy(c->conn, dom, 0, NULL);
        if (i % 2)
            (void)OPS->domain_undefine(c->conn, dom, 0, NULL);
    }
    return NULL;
}

static gpointer reader_run(gpointer data)
{
    Conn *c = data;

    for (int i = 0; i < 100; i++) {
        g_autoptr(GPtrArray) doms = NULL;

        g_assert_true(OPS->connect_list_all_domains(c->conn, 0, &doms, NULL));
        for (guint d = 0; d < doms->len; d++) {
            g_autofree char *xml = OPS->domain_get_xml_desc(c->conn, doms->pdata[d], 0, NULL);
            g_autofree char *desc =
                OPS->domain_get_metadata(c->conn, doms->pdata[d], 0, NULL, 0, NULL);
            DomainInfo info;

            (void)OPS->domain_get_info(c->conn, doms->pdata[d], &info, NULL);
        }
    }
    return NULL;
}

static void test_concurrent_readers(void)
{
    GThread *threads[6];
    Conn c;

    conn_open(&c, "test:///default");
    for (int i = 0; i < 6; i++)
        threads[i] = g_thread_new("t", i < 3 ? churn_run : reader_run, &c);
    for (int i = 0; i < 6; i++)
        g_thread_join(threads[i]);
    {
        g_autoptr(DomainRef) t = lookup(&c, "test");

        assert_state(&c, t, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNKNOWN);
    }
    conn_close(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/driver/test/connection", test_default_connection);
    g_test_add_func("/driver/test/open-errors", test_open_errors);
    g_test_add_func("/driver/test/open-flags", test_open_flags);
    g_test_add_func("/driver/test/default-domain", test_default_domain);
    g_test_add_func("/driver/test/lookup-errors", test_lookup_errors);
    g_test_add_func("/driver/test/lifecycle", test_lifecycle);
    g_test_add_func("/driver/test/reboot-actions", test_reboot_actions);
    g_test_add_func("/driver/test/unsupported-flags", test_unsupported_flags);
    g_test_add_func("/driver/test/define-undefine", test_define_undefine);
    g_test_add_func("/driver/test/undefine-running", test_undefine_running);
    g_test_add_func("/driver/test/create-xml", test_create_xml);
    g_test_add_func("/driver/test/autostart", test_autostart);
    g_test_add_func("/driver/test/list", test_list);
    g_test_add_func("/driver/test/metadata", test_metadata);
    g_test_add_func("/driver/test/default-shared", test_default_shared);
    g_test_add_func("/driver/test/default-hold", test_default_hold);
    g_test_add_func("/driver/test/node-file", test_node_file);
    g_test_add_func("/driver/test/node-file-errors", test_node_file_errors);
    g_test_add_func("/driver/test/concurrent-jobs", test_concurrent_jobs);
    g_test_add_func("/driver/test/concurrent-readers", test_concurrent_readers);
    return g_test_run();
}
