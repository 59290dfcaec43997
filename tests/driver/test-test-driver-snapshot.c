/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The test driver's snapshots and managed save through its ops table: tree, current,
 * filters, XML, revert with its events and states, delete, REDEFINE / NO_METADATA /
 * HALT / VALIDATE, managed save with start resuming from it, the listing filters, and
 * undefine / transient stop through conf's undefine policy. Every error path is checked
 * with its code, domain and message (libvirt 9.0's test driver where it has one).
 */

#include "driver/test-driver.h"

#include <string.h>

#include "state/domain-obj.h"
#include "util/error.h"

#include "driver-test-util.h"

static SnapshotRef *snap_create(Conn *c, const DomainRef *dom, const char *name, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *xml =
        g_strdup_printf("<domainsnapshot><name>%s</name><description>about %s</description>"
                        "</domainsnapshot>",
                        name, name);
    SnapshotRef *ref = OPS->domain_snapshot_create_xml(c->conn, dom, xml, flags, &error);

    g_assert_no_error(error);
    g_assert_nonnull(ref);
    g_assert_cmpstr(ref->name, ==, name);
    g_assert_cmpstr(ref->dom->name, ==, dom->name);
    return ref;
}

static SnapshotRef *snap_lookup(Conn *c, const DomainRef *dom, const char *name)
{
    g_autoptr(GError) error = NULL;
    SnapshotRef *ref = OPS->domain_snapshot_lookup_by_name(c->conn, dom, name, 0, &error);

    g_assert_no_error(error);
    return ref;
}

/* The names a listing of @dom (or below @from) gives, space separated. */
static char *names(Conn *c, const DomainRef *dom, const char *from, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) list = NULL;
    g_autoptr(GPtrArray) refs = NULL;
    g_autoptr(SnapshotRef) top = from ? snap_lookup(c, dom, from) : NULL;
    GString *s = g_string_new(NULL);
    int num;

    if (top) {
        g_assert_true(OPS->domain_snapshot_list_children_names(c->conn, top, flags, &list, &error));
        g_assert_true(OPS->domain_snapshot_list_all_children(c->conn, top, flags, &refs, &error));
        num = OPS->domain_snapshot_num_children(c->conn, top, flags, &error);
    } else {
        g_assert_true(OPS->domain_snapshot_list_names(c->conn, dom, flags, &list, &error));
        g_assert_true(OPS->domain_list_all_snapshots(c->conn, dom, flags, &refs, &error));
        num = OPS->domain_snapshot_num(c->conn, dom, flags, &error);
    }
    g_assert_no_error(error);
    g_assert_cmpint(num, ==, list->len);
    g_assert_cmpint(refs->len, ==, list->len);
    for (guint i = 0; i < list->len; i++) {
        SnapshotRef *ref = refs->pdata[i];

        g_assert_cmpstr(ref->name, ==, list->pdata[i]);
        g_assert_cmpmem(ref->dom->uuid, VIRT_UUID_LEN, dom->uuid, VIRT_UUID_LEN);
        g_string_append_printf(s, "%s%s", i ? " " : "", (char *)list->pdata[i]);
    }
    return g_string_free(s, FALSE);
}

#define assert_names(c, dom, from, flags, expected)       \
    do {                                                  \
        g_autofree char *_n = names(c, dom, from, flags); \
        g_assert_cmpstr(_n, ==, expected);                \
    } while (0)

static char *current_name(Conn *c, const DomainRef *dom)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SnapshotRef) cur = NULL;
    bool has = false;

    g_assert_true(OPS->domain_has_current_snapshot(c->conn, dom, 0, &has, &error));
    cur = OPS->domain_snapshot_current(c->conn, dom, 0, has ? &error : NULL);
    g_assert_no_error(error);
    g_assert_true(has == (cur != NULL));
    return cur ? g_strdup(cur->name) : NULL;
}

#define assert_current(c, dom, expected)              \
    do {                                              \
        g_autofree char *_cur = current_name(c, dom); \
        g_assert_cmpstr(_cur, ==, expected);          \
    } while (0)

static bool snap_query(Conn *c, SnapshotBoolQueryFunc fn, const SnapshotRef *snap)
{
    g_autoptr(GError) error = NULL;
    bool ret = false;

    g_assert_true(fn(c->conn, snap, 0, &ret, &error));
    g_assert_no_error(error);
    return ret;
}

static bool dom_query(Conn *c, DomainBoolQueryFunc fn, const DomainRef *dom)
{
    g_autoptr(GError) error = NULL;
    bool ret = false;

    g_assert_true(fn(c->conn, dom, &ret, &error));
    g_assert_no_error(error);
    return ret;
}

static char *snap_xml(Conn *c, const DomainRef *dom, const char *name)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SnapshotRef) ref = snap_lookup(c, dom, name);
    char *xml = OPS->domain_snapshot_get_xml_desc(c->conn, ref, 0, &error);

    g_assert_no_error(error);
    return xml;
}

static const char other_xml[] = "<domain type='test'><name>d1</name>"
                                "<uuid>11111111-2222-3333-4444-555555555555</uuid>"
                                "<memory>1024</memory><os><type>hvm</type></os></domain>";

/* ---- tree, current, listing ---------------------------------------------------------- */

static void test_tree(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) dom = NULL;
    g_autoptr(SnapshotRef) s1 = NULL;
    g_autoptr(SnapshotRef) s2 = NULL;
    g_autoptr(SnapshotRef) s3 = NULL;
    g_autoptr(SnapshotRef) parent = NULL;
    g_autofree char *xml = NULL;
    Conn c;

    conn_open(&c, "test:///default");
    dom = lookup(&c, "test");
    assert_names(&c, dom, NULL, 0, "");
    assert_current(&c, dom, NULL);

    s1 = snap_create(&c, dom, "s1", 0);
    s2 = snap_create(&c, dom, "s2", 0);
    assert_events(&c, "");
    assert_current(&c, dom, "s2");
    g_assert_true(snap_query(&c, OPS->domain_snapshot_is_current, s2));
    g_assert_false(snap_query(&c, OPS->domain_snapshot_is_current, s1));
    g_assert_true(snap_query(&c, OPS->domain_snapshot_has_metadata, s1));
    parent = OPS->domain_snapshot_get_parent(c.conn, s2, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(parent->name, ==, "s1");

    xml = snap_xml(&c, dom, "s2");
    g_assert_true(strstr(xml, "<name>s2</name>\n  <description>about s2</description>\n"
                              "  <state>running</state>\n  <parent>\n    <name>s1</name>\n"
                              "  </parent>\n"));
    g_assert_true(strstr(xml, "<memory snapshot='internal'/>\n  <disks>\n"
                              "    <disk name='vda' snapshot='internal'/>\n  </disks>\n"
                              "  <domain type='test'>\n"));
    g_assert_null(strstr(xml, "<active>"));

    /* back to s1 and branch: s3 is a second child of s1 */
    g_assert_true(OPS->domain_revert_to_snapshot(c.conn, s1, 0, &error));
    s3 = snap_create(&c, dom, "s3", 0);
    /* the newer child first, as libvirt 9.0 links them */
    assert_names(&c, dom, NULL, 0, "s1 s3 s2");
    assert_names(&c, dom, NULL, 1 /* ROOTS */, "s1");
    assert_names(&c, dom, NULL, 4 /* LEAVES */, "s3 s2");
    assert_names(&c, dom, NULL, 8 /* NO_LEAVES */, "s1");
    assert_names(&c, dom, NULL, 2 /* METADATA */, "s1 s3 s2");
    assert_names(&c, dom, NULL, 16 /* NO_METADATA */, "");
    assert_names(&c, dom, NULL, 32 /* INACTIVE */, "");
    assert_names(&c, dom, NULL, 64 /* ACTIVE */, "s1 s3 s2");
    assert_names(&c, dom, NULL, 128 /* DISK_ONLY */, "");
    assert_names(&c, dom, NULL, 256 /* INTERNAL */, "s1 s3 s2");
    assert_names(&c, dom, NULL, 512 /* EXTERNAL */, "");
    assert_names(&c, dom, NULL, 1024 /* TOPOLOGICAL */, "s1 s3 s2");
    assert_names(&c, dom, NULL, 1 | 4, "");
    assert_names(&c, dom, "s1", 0, "s3 s2");
    assert_names(&c, dom, "s1", 1 /* DESCENDANTS */, "s3 s2");
    assert_names(&c, dom, "s2", 0, "");
    assert_current(&c, dom, "s3");
    conn_close(&c);
}

static void test_errors(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) dom = NULL;
    g_autoptr(DomainRef) gone = NULL;
    g_autoptr(SnapshotRef) s1 = NULL;
    g_autoptr(SnapshotRef) missing = NULL;
    g_autoptr(GPtrArray) list = NULL;
    const char *x = "<domainsnapshot><name>s9</name></domainsnapshot>";
    bool ret;
    Conn c;

    conn_open(&c, "test:///default");
    dom = lookup(&c, "test");
    gone = domain_ref_copy(dom);
    gone->uuid[0] ^= 0xff;
    missing = snapshot_ref_new("nope", dom);

    g_assert_null(OPS->domain_snapshot_current(c.conn, dom, 0, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_NO_DOMAIN_SNAPSHOT,
                  "Domain snapshot not found: the domain does not have a current snapshot");
    s1 = snap_create(&c, dom, "s1", 0);

    /* create */
    g_assert_null(OPS->domain_snapshot_create_xml(
        c.conn, dom, "<domainsnapshot><name>s1</name></domainsnapshot>", 0, &error));
    assert_gerror(error, VIRT_FROM_DOMAIN, VIRT_ERR_OPERATION_FAILED,
                  "operation failed: domain moment s1 already exists");
    g_assert_null(OPS->domain_snapshot_create_xml(c.conn, dom, x, 2, &error));
    assert_gerror(error, VIRT_FROM_DOMAIN_SNAPSHOT, VIRT_ERR_INVALID_ARG,
                  "Flag 'VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE' is required by flag "
                  "'VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT'");
    g_assert_null(OPS->domain_snapshot_create_xml(c.conn, dom, x, 1 | 8, &error));
    assert_gerror(error, VIRT_FROM_DOMAIN_SNAPSHOT, VIRT_ERR_INVALID_ARG,
                  "Flags 'VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE' and "
                  "'VIR_DOMAIN_SNAPSHOT_CREATE_HALT' are mutually exclusive");
    g_assert_null(OPS->domain_snapshot_create_xml(c.conn, dom, x, 1 | 4, &error));
    assert_gerror(error, VIRT_FROM_DOMAIN_SNAPSHOT, VIRT_ERR_INVALID_ARG,
                  "Flags 'VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE' and "
                  "'VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA' are mutually exclusive");
    /* DISK_ONLY and REUSE_EXT are refused (libvirt: unsupported flags) */
    for (unsigned int f = 16; f <= 32; f <<= 1) {
        g_assert_null(OPS->domain_snapshot_create_xml(c.conn, dom, x, f, &error));
        g_assert_error(error, VIRT_TEST_ERROR, VIRT_ERR_INVALID_ARG);
        g_assert_true(strstr(error->message, "only internal full-system snapshots"));
        g_clear_error(&error);
    }
    g_assert_null(OPS->domain_snapshot_create_xml(c.conn, dom, x, 1024, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_INVALID_ARG,
                  "unsupported flags (0x400) in function test_domain_snapshot_create_xml");
    g_assert_null(OPS->domain_snapshot_create_xml(c.conn, dom, "<foo/>", 0, &error));
    g_assert_nonnull(error);
    g_clear_error(&error);
    /* VALIDATE checks against the schema what the parser lets through */
    g_assert_null(OPS->domain_snapshot_create_xml(
        c.conn, dom, "<domainsnapshot><name>v</name><active>2</active></domainsnapshot>", 512,
        &error));
    g_assert_nonnull(error);
    g_clear_error(&error);
    g_clear_pointer(&s1, snapshot_ref_free);
    s1 = OPS->domain_snapshot_create_xml(
        c.conn, dom, "<domainsnapshot><name>v</name><active>2</active></domainsnapshot>", 0,
        &error);
    g_assert_no_error(error);
    g_assert_true(OPS->domain_snapshot_delete(c.conn, s1, 0, &error));
    g_clear_pointer(&s1, snapshot_ref_free);
    s1 = snap_lookup(&c, dom, "s1");
    g_assert_null(OPS->domain_snapshot_create_xml(c.conn, gone, x, 0, &error));
    g_assert_error(error, VIRT_TEST_ERROR, VIRT_ERR_NO_DOMAIN);
    g_clear_error(&error);
    /* a shut-off guest has no memory to capture */
    g_assert_true(OPS->domain_destroy(c.conn, dom, 0, &error));
    g_assert_null(OPS->domain_snapshot_create_xml(
        c.conn, dom, "<domainsnapshot><name>m</name><memory snapshot='internal'/></domainsnapshot>",
        0, &error));
    g_assert_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_XML_ERROR);
    g_clear_error(&error);

    /* lookups and queries */
    g_assert_null(OPS->domain_snapshot_lookup_by_name(c.conn, dom, "nope", 0, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_NO_DOMAIN_SNAPSHOT,
                  "Domain snapshot not found: no domain snapshot with matching name 'nope'");
    g_assert_null(OPS->domain_snapshot_lookup_by_name(c.conn, dom, "s1", 1, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_INVALID_ARG,
                  "unsupported flags (0x1) in function test_domain_snapshot_lookup_by_name");
    g_assert_null(OPS->domain_snapshot_get_parent(c.conn, s1, 0, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_NO_DOMAIN_SNAPSHOT,
                  "Domain snapshot not found: snapshot 's1' does not have a parent");
    g_assert_null(OPS->domain_snapshot_get_parent(c.conn, missing, 0, &error));
    g_assert_error(error, VIRT_TEST_ERROR, VIRT_ERR_NO_DOMAIN_SNAPSHOT);
    g_clear_error(&error);
    g_assert_null(OPS->domain_snapshot_get_xml_desc(c.conn, s1, 2, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_INVALID_ARG,
                  "unsupported flags (0x2) in function test_domain_snapshot_get_xml_desc");
    g_assert_null(OPS->domain_snapshot_get_xml_desc(c.conn, missing, 0, &error));
    g_assert_error(error, VIRT_TEST_ERROR, VIRT_ERR_NO_DOMAIN_SNAPSHOT);
    g_clear_error(&error);
    g_assert_false(OPS->domain_snapshot_is_current(c.conn, missing, 0, &ret, &error));
    g_assert_error(error, VIRT_TEST_ERROR, VIRT_ERR_NO_DOMAIN_SNAPSHOT);
    g_clear_error(&error);
    g_assert_false(OPS->domain_snapshot_has_metadata(c.conn, s1, 1, &ret, &error));
    g_assert_error(error, VIRT_TEST_ERROR, VIRT_ERR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_false(OPS->domain_has_current_snapshot(c.conn, dom, 1, &ret, &error));
    g_assert_error(error, VIRT_TEST_ERROR, VIRT_ERR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_false(OPS->domain_has_current_snapshot(c.conn, gone, 0, &ret, &error));
    g_assert_error(error, VIRT_TEST_ERROR, VIRT_ERR_NO_DOMAIN);
    g_clear_error(&error);
    g_assert_false(OPS->domain_list_all_snapshots(c.conn, dom, 0x800, &list, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_INVALID_ARG,
                  "unsupported flags (0x800) in function test_domain_list_all_snapshots");
    g_assert_cmpint(OPS->domain_snapshot_num(c.conn, gone, 0, &error), ==, -1);
    g_assert_error(error, VIRT_TEST_ERROR, VIRT_ERR_NO_DOMAIN);
    g_clear_error(&error);
    g_assert_cmpint(OPS->domain_snapshot_num_children(c.conn, missing, 0, &error), ==, -1);
    g_assert_error(error, VIRT_TEST_ERROR, VIRT_ERR_NO_DOMAIN_SNAPSHOT);
    g_clear_error(&error);
    g_assert_false(OPS->domain_snapshot_list_children_names(c.conn, s1, 0x800, &list, &error));
    g_assert_error(error, VIRT_TEST_ERROR, VIRT_ERR_INVALID_ARG);
    g_clear_error(&error);

    /* revert and delete */
    g_assert_false(OPS->domain_revert_to_snapshot(c.conn, s1, 3, &error));
    assert_gerror(error, VIRT_FROM_DOMAIN_SNAPSHOT, VIRT_ERR_INVALID_ARG,
                  "Flags 'VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING' and "
                  "'VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED' are mutually exclusive");
    g_assert_false(OPS->domain_revert_to_snapshot(c.conn, s1, 8, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_INVALID_ARG,
                  "unsupported flags (0x8) in function test_domain_revert_to_snapshot");
    g_assert_false(OPS->domain_revert_to_snapshot(c.conn, missing, 0, &error));
    g_assert_error(error, VIRT_TEST_ERROR, VIRT_ERR_NO_DOMAIN_SNAPSHOT);
    g_clear_error(&error);
    g_assert_false(OPS->domain_snapshot_delete(c.conn, s1, 5, &error));
    assert_gerror(error, VIRT_FROM_DOMAIN_SNAPSHOT, VIRT_ERR_INVALID_ARG,
                  "Flags 'VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN' and "
                  "'VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY' are mutually exclusive");
    g_assert_false(OPS->domain_snapshot_delete(c.conn, s1, 8, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_INVALID_ARG,
                  "unsupported flags (0x8) in function test_domain_snapshot_delete");
    g_assert_false(OPS->domain_snapshot_delete(c.conn, missing, 0, &error));
    g_assert_error(error, VIRT_TEST_ERROR, VIRT_ERR_NO_DOMAIN_SNAPSHOT);
    g_clear_error(&error);
    assert_names(&c, dom, NULL, 0, "s1");
    conn_close(&c);
}

/* ---- create flags ---------------------------------------------------------------------- */

static void test_redefine(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) dom = NULL;
    g_autoptr(DomainRef) d1 = NULL;
    g_autoptr(SnapshotRef) s1 = NULL;
    g_autoptr(SnapshotRef) s2 = NULL;
    g_autoptr(SnapshotRef) back = NULL;
    g_autofree char *xml1 = NULL;
    g_autofree char *xml2 = NULL;
    g_autofree char *again = NULL;
    Conn c;

    conn_open(&c, "test:///default");
    dom = lookup(&c, "test");
    s1 = snap_create(&c, dom, "s1", 0);
    s2 = snap_create(&c, dom, "s2", 0);
    xml1 = snap_xml(&c, dom, "s1");
    xml2 = snap_xml(&c, dom, "s2");

    /* metadata-only delete of both, as a management application would before a stop */
    g_assert_true(OPS->domain_snapshot_delete(c.conn, s1, 1 | 2, &error));
    assert_names(&c, dom, NULL, 0, "");
    g_assert_cmpint(OPS->domain_snapshot_num(c.conn, dom, 0, &error), ==, 0);

    /* a child before its parent is refused */
    g_assert_null(OPS->domain_snapshot_create_xml(c.conn, dom, xml2, 1, &error));
    g_assert_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_INVALID_ARG);
    g_clear_error(&error);
    back = OPS->domain_snapshot_create_xml(c.conn, dom, xml1, 1, &error);
    g_assert_no_error(error);
    assert_current(&c, dom, NULL); /* REDEFINE alone does not move current */
    g_clear_pointer(&back, snapshot_ref_free);
    back = OPS->domain_snapshot_create_xml(c.conn, dom, xml2, 1 | 2, &error);
    g_assert_no_error(error);
    assert_current(&c, dom, "s2");
    again = snap_xml(&c, dom, "s2");
    g_assert_cmpstr(again, ==, xml2);
    assert_names(&c, dom, "s1", 0, "s2");

    /* redefining an existing one replaces it in place; current stays */
    g_clear_pointer(&back, snapshot_ref_free);
    back = OPS->domain_snapshot_create_xml(c.conn, dom, xml1, 1, &error);
    g_assert_no_error(error);
    assert_current(&c, dom, "s2");
    assert_names(&c, dom, NULL, 0, "s1 s2");

    /* another domain's snapshot is refused */
    d1 = OPS->domain_define_xml(c.conn, other_xml, 0, &error);
    g_assert_null(OPS->domain_snapshot_create_xml(c.conn, d1, xml1, 1, &error));
    assert_gerror(error, VIRT_FROM_DOMAIN_SNAPSHOT, VIRT_ERR_INVALID_ARG,
                  "invalid argument: definition for snapshot s1 must use uuid "
                  "11111111-2222-3333-4444-555555555555");
    /* REDEFINE needs the full XML */
    g_assert_null(OPS->domain_snapshot_create_xml(
        c.conn, dom, "<domainsnapshot><name>s1</name></domainsnapshot>", 1, &error));
    g_assert_nonnull(error);
    g_clear_error(&error);
    conn_close(&c);
}

static void test_no_metadata_halt_validate(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) dom = NULL;
    g_autoptr(DomainRef) tr = NULL;
    g_autoptr(SnapshotRef) nm = NULL;
    g_autoptr(SnapshotRef) h = NULL;
    g_autoptr(SnapshotRef) v = NULL;
    g_autoptr(SnapshotRef) off = NULL;
    g_autofree char *xml = NULL;
    Conn c;

    conn_open(&c, "test:///default");
    dom = lookup(&c, "test");
    nm = snap_create(&c, dom, "nm", 4);
    g_assert_null(OPS->domain_snapshot_lookup_by_name(c.conn, dom, "nm", 0, &error));
    g_assert_error(error, VIRT_TEST_ERROR, VIRT_ERR_NO_DOMAIN_SNAPSHOT);
    g_clear_error(&error);
    assert_names(&c, dom, NULL, 0, "");

    v = snap_create(&c, dom, "v", 512 | 128);
    h = snap_create(&c, dom, "h", 8);
    assert_events(&c, "test stopped 6");
    assert_state(&c, dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_FROM_SNAPSHOT);
    xml = snap_xml(&c, dom, "h");
    g_assert_true(strstr(xml, "<state>running</state>")); /* captured before the halt */
    g_assert_true(strstr(xml, "<parent>\n    <name>v</name>"));

    /* on an inactive domain HALT changes nothing; the snapshot is of a shut-off guest */
    off = snap_create(&c, dom, "off", 8);
    assert_events(&c, "");
    g_clear_pointer(&xml, g_free);
    xml = snap_xml(&c, dom, "off");
    g_assert_true(strstr(xml, "<state>shutoff</state>"));
    g_assert_true(strstr(xml, "<memory snapshot='no'/>"));
    assert_names(&c, dom, NULL, 32 /* INACTIVE */, "off");

    tr = OPS->domain_create_xml(c.conn, other_xml, 0, &error);
    g_assert_no_error(error);
    g_assert_null(OPS->domain_snapshot_create_xml(
        c.conn, tr, "<domainsnapshot><name>x</name></domainsnapshot>", 8, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_OPERATION_INVALID,
                  "Requested operation is not valid: cannot halt after transient domain "
                  "snapshot");
    conn_close(&c);
}

/* ---- revert -------------------------------------------------------------------------- */

static void test_revert(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) dom = NULL;
    g_autoptr(DomainRef) redefined = NULL;
    g_autoptr(SnapshotRef) run = NULL;
    g_autoptr(SnapshotRef) paused = NULL;
    g_autoptr(SnapshotRef) off = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *newxml = NULL;
    uint64_t maxmem = 0;
    Conn c;

    conn_open(&c, "test:///default");
    dom = lookup(&c, "test");
    run = snap_create(&c, dom, "run", 0);
    g_assert_true(OPS->domain_suspend(c.conn, dom, 0, &error));
    paused = snap_create(&c, dom, "paused", 0);
    g_assert_true(OPS->domain_destroy(c.conn, dom, 0, &error));
    off = snap_create(&c, dom, "off", 0);
    assert_events(&c, "test suspended 0; test stopped 1");

    /* a config change after the snapshots: revert brings the captured one back */
    xml = OPS->domain_get_xml_desc(c.conn, dom, 2, &error);
    newxml = g_strdup(strstr(xml, "8388608") ? xml : NULL);
    g_assert_nonnull(newxml);
    memcpy(strstr(newxml, "8388608"), "4194304", 7);
    redefined = OPS->domain_define_xml(c.conn, newxml, 0, &error);
    g_assert_no_error(error);
    assert_events(&c, "test defined 1");

    g_assert_true(OPS->domain_revert_to_snapshot(c.conn, run, 0, &error));
    g_assert_no_error(error);
    assert_events(&c, "test defined 3; test started 3");
    assert_state(&c, dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_FROM_SNAPSHOT);
    g_assert_true(OPS->domain_get_max_memory(c.conn, dom, &maxmem, &error));
    g_assert_cmpuint(maxmem, ==, 8388608);
    assert_current(&c, dom, "run");

    g_assert_true(OPS->domain_revert_to_snapshot(c.conn, paused, 0, &error));
    assert_events(&c, "test stopped 6; test defined 3; test started 3; test suspended 5");
    assert_state(&c, dom, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_FROM_SNAPSHOT);

    g_assert_true(OPS->domain_revert_to_snapshot(c.conn, off, 0, &error));
    assert_events(&c, "test stopped 6; test defined 3");
    assert_state(&c, dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_FROM_SNAPSHOT);

    /* the flags override the captured state */
    g_assert_true(OPS->domain_revert_to_snapshot(c.conn, off, 1, &error));
    assert_events(&c, "test defined 3; test started 3");
    assert_state(&c, dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_FROM_SNAPSHOT);
    g_assert_true(OPS->domain_revert_to_snapshot(c.conn, run, 2 | 4, &error));
    assert_events(&c, "test stopped 6; test defined 3; test started 3; test suspended 5");
    assert_state(&c, dom, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_FROM_SNAPSHOT);
    g_assert_true(OPS->domain_revert_to_snapshot(c.conn, paused, 1, &error));
    assert_events(&c, "test stopped 6; test defined 3; test started 3");
    assert_state(&c, dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_FROM_SNAPSHOT);
    assert_current(&c, dom, "paused");
    conn_close(&c);
}

static void test_revert_transient(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) dom = NULL;
    g_autoptr(SnapshotRef) s = NULL;
    g_autoptr(SnapshotRef) off = NULL;
    g_autoptr(SnapshotRef) back = NULL;
    g_autofree char *offxml = NULL;
    Conn c;

    conn_open(&c, "test:///default");
    dom = OPS->domain_define_xml(c.conn, other_xml, 0, &error);
    off = snap_create(&c, dom, "off", 0);
    offxml = snap_xml(&c, dom, "off");
    g_assert_true(OPS->domain_undefine(c.conn, dom, 2, &error));
    g_clear_pointer(&dom, domain_ref_free);
    dom = OPS->domain_create_xml(c.conn, other_xml, 0, &error);
    g_assert_no_error(error);
    s = snap_create(&c, dom, "s", 0);
    back = OPS->domain_snapshot_create_xml(c.conn, dom, offxml, 1, &error);
    g_assert_no_error(error);
    assert_events(&c, "d1 defined 0; d1 undefined 0; d1 started 0");

    g_assert_false(OPS->domain_revert_to_snapshot(c.conn, back, 0, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_OPERATION_INVALID,
                  "Requested operation is not valid: transient domain needs to request run or "
                  "pause to revert to inactive snapshot");
    g_assert_true(OPS->domain_revert_to_snapshot(c.conn, back, 1, &error));
    assert_events(&c, "d1 stopped 6; d1 started 3");
    g_assert_true(OPS->domain_revert_to_snapshot(c.conn, s, 0, &error));
    assert_events(&c, "d1 stopped 6; d1 started 3");
    g_assert_true(dom_query(&c, OPS->domain_is_active, dom));
    conn_close(&c);
}

/* ---- delete -------------------------------------------------------------------------- */

static void test_delete(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) dom = NULL;
    g_autoptr(SnapshotRef) a = NULL;
    g_autoptr(SnapshotRef) b = NULL;
    g_autoptr(SnapshotRef) c1 = NULL;
    g_autoptr(SnapshotRef) d = NULL;
    g_autoptr(SnapshotRef) e = NULL;
    Conn c;

    conn_open(&c, "test:///default");
    dom = lookup(&c, "test");
    /* a - b - c1, and a - d - e */
    a = snap_create(&c, dom, "a", 0);
    b = snap_create(&c, dom, "b", 0);
    c1 = snap_create(&c, dom, "c1", 0);
    g_assert_true(OPS->domain_revert_to_snapshot(c.conn, a, 0, &error));
    d = snap_create(&c, dom, "d", 0);
    e = snap_create(&c, dom, "e", 0);

    /* plain: children move up, before the parent's other children (libvirt 9.0);
     * current moves to the parent */
    g_assert_true(OPS->domain_snapshot_delete(c.conn, b, 0, &error));
    assert_names(&c, dom, "a", 0, "c1 d");
    g_assert_true(OPS->domain_snapshot_delete(c.conn, e, 0, &error));
    assert_current(&c, dom, "d");
    /* CHILDREN_ONLY keeps the snapshot itself */
    g_assert_true(OPS->domain_snapshot_delete(c.conn, a, 4, &error));
    assert_names(&c, dom, NULL, 0, "a");
    assert_current(&c, dom, "a");
    /* CHILDREN takes all; a root that was current leaves none */
    d = (snapshot_ref_free(d), snap_create(&c, dom, "d", 0));
    g_assert_true(OPS->domain_snapshot_delete(c.conn, a, 1, &error));
    assert_names(&c, dom, NULL, 0, "");
    assert_current(&c, dom, NULL);
    g_assert_true(OPS->domain_snapshot_delete(c.conn, d, 0, &error) == false);
    g_assert_error(error, VIRT_TEST_ERROR, VIRT_ERR_NO_DOMAIN_SNAPSHOT);
    g_clear_error(&error);
    /* a plain delete of the root s1: s2 becomes a root */
    a = (snapshot_ref_free(a), snap_create(&c, dom, "s1", 0));
    b = (snapshot_ref_free(b), snap_create(&c, dom, "s2", 0));
    g_assert_true(OPS->domain_snapshot_delete(c.conn, a, 0, &error));
    assert_names(&c, dom, NULL, 1, "s2");
    assert_events(&c, "test stopped 6; test defined 3; test started 3");
    conn_close(&c);
}

/* What libvirt 9.0's test driver does (checked with Debian's virsh on test:///default):
 * LIVE and QUIESCE are accepted and change nothing, running or not; LEAVES with
 * NO_LEAVES lists nothing. */
static void test_libvirt_quirks(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) dom = NULL;
    g_autoptr(SnapshotRef) live = NULL;
    g_autoptr(SnapshotRef) quiesced = NULL;
    Conn c;

    conn_open(&c, "test:///default");
    dom = lookup(&c, "test");
    live = OPS->domain_snapshot_create_xml(
        c.conn, dom, "<domainsnapshot><name>live</name></domainsnapshot>", 256, &error);
    g_assert_no_error(error);
    assert_state(&c, dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNKNOWN); /* untouched */
    g_assert_true(OPS->domain_destroy(c.conn, dom, 0, &error));
    quiesced = OPS->domain_snapshot_create_xml(
        c.conn, dom, "<domainsnapshot><name>quiesced</name></domainsnapshot>", 64, &error);
    g_assert_no_error(error);
    assert_state(&c, dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_DESTROYED);
    assert_names(&c, dom, NULL, 0, "live quiesced");
    assert_names(&c, dom, NULL, 4, "quiesced"); /* LEAVES */
    assert_names(&c, dom, NULL, 8, "live");     /* NO_LEAVES */
    assert_names(&c, dom, NULL, 4 | 8, "");     /* both */
    assert_names(&c, dom, "live", 4 | 8, "");
    conn_close(&c);
}

/* ---- managed save -------------------------------------------------------------------- */

static char *list_names(Conn *c, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) doms = NULL;
    GString *s = g_string_new(NULL);

    g_assert_true(OPS->connect_list_all_domains(c->conn, flags, &doms, &error));
    for (guint i = 0; i < doms->len; i++)
        g_string_append_printf(s, "%s%s", i ? " " : "", ((DomainRef *)doms->pdata[i])->name);
    return g_string_free(s, FALSE);
}

#define assert_list(c, flags, expected)             \
    do {                                            \
        g_autofree char *_l = list_names(c, flags); \
        g_assert_cmpstr(_l, ==, expected);          \
    } while (0)

static void test_managed_save(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) dom = NULL;
    g_autoptr(DomainRef) d1 = NULL;
    g_autoptr(DomainRef) tr = NULL;
    g_autoptr(DomainRef) started = NULL;
    Conn c;

    conn_open(&c, "test:///default");
    dom = lookup(&c, "test");
    d1 = OPS->domain_define_xml(c.conn, other_xml, 0, &error);
    assert_events(&c, "d1 defined 0");

    g_assert_false(OPS->domain_managed_save(c.conn, d1, 0, &error));
    assert_gerror(error, VIRT_FROM_DOMAIN, VIRT_ERR_OPERATION_INVALID,
                  "Requested operation is not valid: domain is not running");
    g_assert_false(OPS->domain_managed_save(c.conn, dom, 8, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_INVALID_ARG,
                  "unsupported flags (0x8) in function test_domain_managed_save");
    g_assert_false(OPS->domain_managed_save(c.conn, dom, 2 | 4, &error));
    g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_false(OPS->domain_managed_save_remove(c.conn, dom, 1, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_INVALID_ARG,
                  "unsupported flags (0x1) in function test_domain_managed_save_remove");

    g_assert_true(OPS->domain_managed_save(c.conn, dom, 1, &error));
    g_assert_no_error(error);
    assert_events(&c, "test stopped 4");
    assert_state(&c, dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_SAVED);
    g_assert_true(dom_query(&c, OPS->domain_has_managed_save_image, dom));
    assert_list(&c, 256, "test");
    assert_list(&c, 512, "d1");
    assert_list(&c, 0, "d1 test");

    /* start resumes from the image and drops it */
    started = OPS->domain_create(c.conn, dom, 0, &error);
    g_assert_no_error(error);
    assert_events(&c, "test started 2");
    assert_state(&c, dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_RESTORED);
    g_assert_false(dom_query(&c, OPS->domain_has_managed_save_image, dom));

    /* FORCE_BOOT discards it */
    g_assert_true(OPS->domain_managed_save(c.conn, dom, 0, &error));
    g_clear_pointer(&started, domain_ref_free);
    started = OPS->domain_create(c.conn, dom, 8, &error);
    g_assert_no_error(error);
    assert_events(&c, "test stopped 4; test started 0");
    assert_state(&c, dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);

    /* remove, with and without an image */
    g_assert_true(OPS->domain_managed_save(c.conn, dom, 0, &error));
    g_assert_true(OPS->domain_managed_save_remove(c.conn, dom, 0, &error));
    g_assert_false(dom_query(&c, OPS->domain_has_managed_save_image, dom));
    g_assert_true(OPS->domain_managed_save_remove(c.conn, dom, 0, &error));
    g_assert_no_error(error);

    tr = OPS->domain_create_xml(c.conn,
                                "<domain type='test'><name>tr</name><memory>1024</memory>"
                                "<os><type>hvm</type></os></domain>",
                                0, &error);
    g_assert_false(OPS->domain_managed_save(c.conn, tr, 0, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_OPERATION_INVALID,
                  "Requested operation is not valid: cannot do managed save for transient "
                  "domain");
    conn_close(&c);
}

/* The image resumes as it was saved (libvirt's QEMU driver): paused with SAVE_PAUSED or
 * when the domain was paused without SAVE_RUNNING (SUSPENDED/RESTORED); START_PAUSED
 * pauses it anyway (SUSPENDED/PAUSED). */
static void managed_save_then_start(Conn *c, const DomainRef *dom, bool suspend,
                                    unsigned int save_flags, unsigned int start_flags,
                                    DomainState state, int reason, const char *events)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) started = NULL;

    if (suspend)
        g_assert_true(OPS->domain_suspend(c->conn, dom, 0, &error));
    g_assert_true(OPS->domain_managed_save(c->conn, dom, save_flags, &error));
    started = OPS->domain_create(c->conn, dom, start_flags, &error);
    g_assert_no_error(error);
    assert_state(c, dom, state, reason);
    assert_events(c, events);
    g_assert_true(OPS->domain_destroy(c->conn, dom, 0, &error));
    g_clear_pointer(&started, domain_ref_free);
    started = OPS->domain_create(c->conn, dom, 0, &error);
    g_assert_no_error(error);
    assert_events(c, "test stopped 1; test started 0");
}

static void test_managed_save_paused(void)
{
    g_autoptr(DomainRef) dom = NULL;
    Conn c;

    conn_open(&c, "test:///default");
    dom = lookup(&c, "test");
    managed_save_then_start(&c, dom, false, 4, 0, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER,
                            "test stopped 4; test started 2; test suspended 4");
    managed_save_then_start(&c, dom, true, 0, 0, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER,
                            "test suspended 0; test stopped 4; test started 2; test suspended 4");
    managed_save_then_start(&c, dom, true, 2, 0, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_RESTORED,
                            "test suspended 0; test stopped 4; test started 2");
    managed_save_then_start(&c, dom, false, 0, 1, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER,
                            "test stopped 4; test started 2; test suspended 0");
    conn_close(&c);
}

/* ---- snapshots in a node file ----------------------------------------------------------- */

/* <test:domainsnapshot> inline and file='...', the current one marked <active>1</active> */
static void test_node_file(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) dom = NULL;
    g_autoptr(DomainRef) plain = NULL;
    g_autoptr(SnapshotRef) s1 = NULL;
    g_autofree char *xml = NULL;
    Conn c;

    conn_open_file(&c, "node-snapshots.xml");
    dom = lookup(&c, "snappy");
    plain = lookup(&c, "plain");
    /* children newest first by creationTime (s3 is the later one) */
    assert_names(&c, dom, NULL, 0, "s1 s3 s2");
    assert_names(&c, dom, NULL, 1, "s1");    /* ROOTS */
    assert_names(&c, dom, "s1", 0, "s3 s2"); /* children */
    assert_names(&c, dom, NULL, 32, "s3");   /* INACTIVE: taken shut off */
    assert_names(&c, plain, NULL, 0, "");
    assert_current(&c, dom, "s2");
    assert_list(&c, 4096, "snappy"); /* HAS_SNAPSHOT */
    assert_list(&c, 8192, "plain");  /* NO_SNAPSHOT */
    s1 = OPS->domain_snapshot_lookup_by_name(c.conn, dom, "s1", 0, &error);
    g_assert_no_error(error);
    xml = OPS->domain_snapshot_get_xml_desc(c.conn, s1, 0, &error);
    g_assert_no_error(error);
    g_assert_nonnull(strstr(xml, "<description>first</description>"));
    g_assert_nonnull(strstr(xml, "<creationTime>1700000000</creationTime>"));
    g_assert_null(strstr(xml, "test:")); /* out of the test namespace */
    /* no <memory> in a redefinition: from the state, as libvirt */
    g_assert_nonnull(strstr(xml, "<memory snapshot='internal'/>"));
    g_assert_null(strstr(xml, "<active>"));
    /* they are metadata like any other: undefine asks for --snapshots-metadata */
    g_assert_false(OPS->domain_undefine(c.conn, dom, 0, &error));
    g_assert_error(error, VIRT_TEST_ERROR, VIRT_ERR_OPERATION_INVALID);
    g_assert_nonnull(strstr(error->message, "3 snapshots"));
    conn_close(&c);
}

static void test_node_file_errors(void)
{
    static const struct {
        const char *file;
        const char *message; /* prefix */
    } cases[] = {
        { "node-snapshot-two-current.xml",
          "XML error: snapshots of domain 'snappy' in the node file: 2 snapshots of domain "
          "'snappy' are marked current" },
        { "node-snapshot-orphan.xml",
          "XML error: snapshots of domain 'snappy' in the node file: " },
        { "node-snapshot-bad.xml", "XML error: snapshot 2 of domain 'snappy' in the node file: " },
        { "node-snapshot-missing-file.xml", "XML error: failed to parse xml document '" },
        { "node-snapshot-wrong-root.xml",
          "XML error: expecting root element of 'domainsnapshot', not 'domain' in '" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = conn_open_file_error(cases[i].file);

        g_assert_error(error, VIRT_TEST_ERROR, VIRT_ERR_XML_ERROR);
        if (!g_str_has_prefix(error->message, cases[i].message))
            g_error("%s: unexpected error: %s", cases[i].file, error->message);
    }
}

/* ---- undefine and transient stop ------------------------------------------------------ */

static void test_undefine(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) d1 = NULL;
    g_autoptr(DomainRef) started = NULL;
    g_autoptr(SnapshotRef) s1 = NULL;
    g_autoptr(SnapshotRef) s2 = NULL;
    Conn c;

    conn_open(&c, "test:///default");
    d1 = OPS->domain_define_xml(c.conn, other_xml, 0, &error);
    s1 = snap_create(&c, d1, "s1", 0);
    s2 = snap_create(&c, d1, "s2", 0);
    assert_list(&c, 4096, "d1");
    assert_list(&c, 8192, "test");

    g_assert_false(OPS->domain_undefine(c.conn, d1, 0, &error));
    assert_gerror(error, VIRT_FROM_TEST, VIRT_ERR_OPERATION_INVALID,
                  "cannot undefine domain 'd1': it has 2 snapshots; use --snapshots-metadata to "
                  "remove their metadata with it");
    /* managed save too */
    started = OPS->domain_create(c.conn, d1, 0, &error);
    g_assert_true(OPS->domain_managed_save(c.conn, d1, 0, &error));
    g_assert_false(OPS->domain_undefine(c.conn, d1, 2, &error));
    g_assert_error(error, VIRT_TEST_ERROR, VIRT_ERR_OPERATION_INVALID);
    g_assert_true(strstr(error->message, "managed save"));
    g_clear_error(&error);
    g_assert_true(OPS->domain_undefine(c.conn, d1, 1 | 2, &error));
    g_assert_no_error(error);
    assert_events(&c, "d1 defined 0; d1 started 0; d1 stopped 4; d1 undefined 0");

    /* a new domain with that name and UUID starts with nothing */
    g_clear_pointer(&d1, domain_ref_free);
    d1 = OPS->domain_define_xml(c.conn, other_xml, 0, &error);
    assert_names(&c, d1, NULL, 0, "");
    assert_current(&c, d1, NULL);
    g_assert_false(dom_query(&c, OPS->domain_has_managed_save_image, d1));
    assert_list(&c, 4096, "");
    g_assert_true(OPS->domain_undefine(c.conn, d1, 0, &error));
    conn_close(&c);
}

static void test_transient_stop(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainRef) tr = NULL;
    g_autoptr(DomainRef) dom = NULL;
    g_autoptr(SnapshotRef) s = NULL;
    Conn c;

    conn_open(&c, "test:///default");
    tr = OPS->domain_create_xml(c.conn, other_xml, 0, &error);
    s = snap_create(&c, tr, "s", 0);
    assert_list(&c, 4096, "d1");
    g_assert_true(OPS->domain_destroy(c.conn, tr, 0, &error));
    g_clear_pointer(&tr, domain_ref_free);
    tr = OPS->domain_create_xml(c.conn, other_xml, 0, &error);
    assert_names(&c, tr, NULL, 0, "");
    g_assert_true(OPS->domain_shutdown(c.conn, tr, 0, &error));

    /* undefined while running: snapshots stay until it stops */
    dom = lookup(&c, "test");
    g_clear_pointer(&s, snapshot_ref_free);
    s = snap_create(&c, dom, "s", 0);
    g_assert_true(OPS->domain_undefine(c.conn, dom, 0, &error));
    assert_names(&c, dom, NULL, 0, "s");
    g_assert_true(OPS->domain_shutdown(c.conn, dom, 0, &error));
    g_assert_null(OPS->domain_lookup_by_name(c.conn, "test", NULL));
    g_clear_pointer(&dom, domain_ref_free);
    dom = OPS->domain_create_xml(c.conn,
                                 "<domain type='test'><name>test</name><memory>1024</memory>"
                                 "<os><type>hvm</type></os></domain>",
                                 0, &error);
    g_assert_no_error(error);
    assert_names(&c, dom, NULL, 0, "");
    conn_close(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/driver/snapshot/tree", test_tree);
    g_test_add_func("/driver/snapshot/errors", test_errors);
    g_test_add_func("/driver/snapshot/redefine", test_redefine);
    g_test_add_func("/driver/snapshot/no-metadata-halt-validate", test_no_metadata_halt_validate);
    g_test_add_func("/driver/snapshot/revert", test_revert);
    g_test_add_func("/driver/snapshot/revert-transient", test_revert_transient);
    g_test_add_func("/driver/snapshot/delete", test_delete);
    g_test_add_func("/driver/snapshot/managed-save", test_managed_save);
    g_test_add_func("/driver/snapshot/managed-save-paused", test_managed_save_paused);
    g_test_add_func("/driver/snapshot/libvirt-quirks", test_libvirt_quirks);
    g_test_add_func("/driver/snapshot/node-file", test_node_file);
    g_test_add_func("/driver/snapshot/node-file-errors", test_node_file_errors);
    g_test_add_func("/driver/snapshot/undefine", test_undefine);
    g_test_add_func("/driver/snapshot/transient-stop", test_transient_stop);
    return g_test_run();
}
