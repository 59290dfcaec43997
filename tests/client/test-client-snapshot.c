/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The virDomainSnapshot* and virDomainManagedSave* API through libvirtkit.so against
 * the in-process test driver: the scenario (s1, s2 child of s1, revert, delete,
 * undefine refused then allowed, no inherited snapshots), argument checks, and
 * handles' references.
 */

#include <string.h>

#include <glib.h>
#include <virtkit/virtkit.h>

static const char dom_xml[] = "<domain type='test'><name>d1</name>"
                              "<uuid>11111111-2222-3333-4444-555555555555</uuid>"
                              "<memory>1024</memory><os><type>hvm</type></os></domain>";

static virDomainSnapshotPtr create(virDomainPtr dom, const char *name, unsigned int flags)
{
    g_autofree char *xml =
        g_strdup_printf("<domainsnapshot><name>%s</name></domainsnapshot>", name);
    virDomainSnapshotPtr snap = virDomainSnapshotCreateXML(dom, xml, flags);

    g_assert_nonnull(snap);
    g_assert_cmpstr(virDomainSnapshotGetName(snap), ==, name);
    return snap;
}

static void assert_last_error(int code, const char *needle)
{
    virErrorPtr err = virGetLastError();

    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, code);
    if (needle)
        g_assert_nonnull(strstr(err->message, needle));
}

static void test_scenario(void)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    virDomainPtr dom = virDomainDefineXML(conn, dom_xml);
    virDomainSnapshotPtr s1, s2, cur, parent, *list = NULL;
    char *names[4] = { NULL };
    char *xml;

    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainHasCurrentSnapshot(dom, 0), ==, 0);
    s1 = create(dom, "s1", 0);
    s2 = create(dom, "s2", 0);
    g_assert_cmpint(virDomainSnapshotNum(dom, 0), ==, 2);
    g_assert_cmpint(virDomainSnapshotListNames(dom, names, 4, 0), ==, 2);
    g_assert_cmpstr(names[0], ==, "s1");
    g_assert_cmpstr(names[1], ==, "s2");
    free(names[0]);
    free(names[1]);
    cur = virDomainSnapshotCurrent(dom, 0);
    g_assert_cmpstr(virDomainSnapshotGetName(cur), ==, "s2");
    g_assert_cmpint(virDomainSnapshotIsCurrent(s2, 0), ==, 1);
    g_assert_cmpint(virDomainSnapshotHasMetadata(s1, 0), ==, 1);
    parent = virDomainSnapshotGetParent(s2, 0);
    g_assert_cmpstr(virDomainSnapshotGetName(parent), ==, "s1");
    g_assert_null(virDomainSnapshotGetParent(s1, 0));
    assert_last_error(VIR_ERR_NO_DOMAIN_SNAPSHOT, "does not have a parent");
    g_assert_cmpint(virDomainSnapshotNumChildren(s1, 0), ==, 1);
    g_assert_cmpint(virDomainSnapshotListAllChildren(s1, &list, 0), ==, 1);
    g_assert_cmpstr(virDomainSnapshotGetName(list[0]), ==, "s2");
    g_assert_null(list[1]);
    virDomainSnapshotFree(list[0]);
    free(list);
    g_assert_cmpint(virDomainSnapshotListChildrenNames(s1, names, 4, 0), ==, 1);
    free(names[0]);
    g_assert_true(virDomainSnapshotGetDomain(s1) == dom);
    g_assert_true(virDomainSnapshotGetConnect(s1) == conn);
    xml = virDomainSnapshotGetXMLDesc(s2, 0);
    g_assert_nonnull(strstr(xml, "<parent>\n    <name>s1</name>"));
    free(xml);

    g_assert_cmpint(virDomainRevertToSnapshot(s1, 0), ==, 0);
    g_assert_cmpint(virDomainSnapshotIsCurrent(s1, 0), ==, 1);
    g_assert_cmpint(virDomainSnapshotDelete(s1, 0), ==, 0);
    g_assert_cmpint(virDomainSnapshotNum(dom, VIR_DOMAIN_SNAPSHOT_LIST_ROOTS), ==, 1);
    g_assert_cmpint(virDomainListAllSnapshots(dom, &list, VIR_DOMAIN_SNAPSHOT_LIST_ROOTS), ==, 1);
    g_assert_cmpstr(virDomainSnapshotGetName(list[0]), ==, "s2");
    virDomainSnapshotFree(list[0]);
    free(list);
    g_assert_null(virDomainSnapshotLookupByName(dom, "s1", 0));
    assert_last_error(VIR_ERR_NO_DOMAIN_SNAPSHOT, "'s1'");

    g_assert_cmpint(virDomainUndefine(dom), ==, -1);
    assert_last_error(VIR_ERR_OPERATION_INVALID, "1 snapshot");
    g_assert_cmpint(virDomainUndefineFlags(dom, VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA), ==, 0);
    virDomainSnapshotFree(s1);
    virDomainSnapshotFree(s2);
    virDomainSnapshotFree(cur);
    virDomainSnapshotFree(parent);
    virDomainFree(dom);
    dom = virDomainDefineXML(conn, dom_xml);
    g_assert_cmpint(virDomainSnapshotNum(dom, 0), ==, 0);
    virDomainFree(dom);
    virConnectClose(conn);
}

static void test_managed_save(void)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    virDomainPtr dom = virDomainLookupByName(conn, "test");

    g_assert_cmpint(virDomainManagedSave(dom, 0), ==, 0);
    g_assert_cmpint(virDomainHasManagedSaveImage(dom, 0), ==, 1);
    g_assert_cmpint(virDomainUndefine(dom), ==, -1);
    assert_last_error(VIR_ERR_OPERATION_INVALID, "managed save");
    g_assert_cmpint(virDomainManagedSave(dom, 0), ==, -1);
    assert_last_error(VIR_ERR_OPERATION_INVALID, "not running");
    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    g_assert_cmpint(virDomainHasManagedSaveImage(dom, 0), ==, 0);
    g_assert_cmpint(virDomainManagedSave(dom, 0), ==, 0);
    g_assert_cmpint(virDomainUndefineFlags(dom, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE), ==, 0);
    virDomainFree(dom);
    virConnectClose(conn);
}

static void test_args(void)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    virDomainPtr dom = virDomainLookupByName(conn, "test");

    g_assert_null(virDomainSnapshotCreateXML(dom, NULL, 0));
    assert_last_error(VIR_ERR_INVALID_ARG, NULL);
    g_assert_null(virDomainSnapshotCreateXML(NULL, "<domainsnapshot/>", 0));
    g_assert_cmpint(virDomainSnapshotFree(NULL), ==, -1);
    g_assert_null(virDomainSnapshotGetName(NULL));
    g_assert_cmpint(virDomainSnapshotListNames(dom, NULL, 3, 0), ==, -1);
    assert_last_error(VIR_ERR_INVALID_ARG, NULL);
    g_assert_null(virDomainSnapshotCurrent(dom, 0));
    assert_last_error(VIR_ERR_NO_DOMAIN_SNAPSHOT, "current snapshot");
    virDomainFree(dom);
    virConnectClose(conn);

    /* read-only connections may list but not change */
    conn = virConnectOpenReadOnly("test:///default");
    dom = virDomainLookupByName(conn, "test");
    g_assert_null(virDomainSnapshotCreateXML(dom, "<domainsnapshot/>", 0));
    assert_last_error(VIR_ERR_OPERATION_DENIED, NULL);
    g_assert_cmpint(virDomainManagedSave(dom, 0), ==, -1);
    assert_last_error(VIR_ERR_OPERATION_DENIED, NULL);
    g_assert_cmpint(virDomainSnapshotNum(dom, 0), ==, 0);
    /* reading a saved image opens a file the caller names: read-write only, any flags */
    g_assert_null(virDomainSaveImageGetXMLDesc(conn, "/tmp/any.img", 0));
    assert_last_error(VIR_ERR_OPERATION_DENIED, NULL);
    virDomainFree(dom);
    virConnectClose(conn);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/client/snapshot/scenario", test_scenario);
    g_test_add_func("/client/snapshot/managed-save", test_managed_save);
    g_test_add_func("/client/snapshot/args", test_args);
    return g_test_run();
}
