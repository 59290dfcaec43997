/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tier: integration. A read-only connection must not obtain secrets: the daemon
 * itself refuses the flags that turn a read into one revealing them (the schema's
 * @ro_denied_flags) with OPERATION_DENIED naming the API, before the handler runs,
 * and the connection stays usable. The same calls without the flag work there, and on
 * the read-write socket the flag works and brings the VNC password.
 *
 * Raw packets on purpose: every real client (libvirt.so under virsh and
 * python3-libvirt, and our libclient) refuses these flags on a read-only connection
 * before sending anything, so only a hand-made packet shows what the daemon does with
 * one, i.e. what a client that skips that courtesy gets.
 *
 * The daemon hosts the real test driver (proxyd's); managed save needs a hypervisor,
 * so its image is stood in for by the domain's own definition: the point is the gate.
 */

#include <string.h>
#include <unistd.h>

#include "driver/test-driver.h"
#include "fake-driver.h"
#include "rpc/remote-protocol.h"
#include "rpc/wire-error.h"
#include "test-harness.h"
#include "util/error.h"

#define XML_SECURE 1u     /* VIR_DOMAIN_XML_SECURE, *_SNAPSHOT_XML_SECURE, *_SAVE_IMAGE_* */
#define XML_INACTIVE 2u   /* VIR_DOMAIN_XML_INACTIVE */
#define XML_MIGRATABLE 8u /* VIR_DOMAIN_XML_MIGRATABLE */
#define CONNECT_RO 1u     /* VIR_CONNECT_RO */
#define SECRET "passwd='s3cret'"

static const char domain_xml[] = "<domain type='test'><name>vault</name><memory>1024</memory>"
                                 "<os><type>hvm</type></os><devices>"
                                 "<graphics type='vnc' port='-1' autoport='yes' " SECRET "/>"
                                 "</devices></domain>";

static uint32_t serial;

#define CALL(fd, proc, args, ret) test_call((fd), REMOTE_PROGRAM, (proc), serial++, (args), (ret))

/* The managed-save image of @dom, as if it held the domain's definition. */
static char *stand_in_managed_save_get_xml_desc(DriverConn *conn, const DomainRef *dom,
                                                unsigned int flags, GError **error)
{
    return test_driver_ops.domain_get_xml_desc(conn, dom, flags & XML_SECURE, error);
}

static DriverOps ro_daemon_ops;

typedef struct Fixture {
    TestDaemon *td;
    int rw;
    int ro;       /* on the read-only socket */
    int rw_as_ro; /* VIR_CONNECT_RO on the read-write socket */
    remote_domain_define_xml_ret dom;
    remote_domain_snapshot_create_xml_ret snap;
} Fixture;

static void open_conn(int fd, unsigned int flags)
{
    char *name = (char *)"test:///default";
    remote_connect_open_args open = { &name, flags };

    g_assert_no_error(CALL(fd, REMOTE_PROC_CONNECT_OPEN, &open, NULL));
}

static void fixture_setup(Fixture *f, gconstpointer data)
{
    remote_domain_define_xml_args def = { (char *)domain_xml };
    remote_domain_snapshot_create_xml_args snap = { { 0 } };

    f->td = test_daemon_start(&ro_daemon_ops, &test_driver_daemon_info, NULL);
    f->rw = test_connect(f->td->sock_rw);
    f->ro = test_connect(f->td->sock_ro);
    f->rw_as_ro = test_connect(f->td->sock_rw);
    open_conn(f->rw, 0);
    open_conn(f->ro, 0);
    open_conn(f->rw_as_ro, CONNECT_RO);
    g_assert_no_error(CALL(f->rw, REMOTE_PROC_DOMAIN_DEFINE_XML, &def, &f->dom));
    snap.dom = f->dom.dom;
    snap.xml_desc = (char *)"<domainsnapshot><name>s1</name></domainsnapshot>";
    g_assert_no_error(CALL(f->rw, REMOTE_PROC_DOMAIN_SNAPSHOT_CREATE_XML, &snap, &f->snap));
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    xdr_free((xdrproc_t)xdr_remote_domain_define_xml_ret, (char *)&f->dom);
    xdr_free((xdrproc_t)xdr_remote_domain_snapshot_create_xml_ret, (char *)&f->snap);
    close(f->rw);
    close(f->ro);
    close(f->rw_as_ro);
    g_assert_cmpint(test_daemon_stop(f->td), ==, 0);
    test_daemon_free(f->td);
}

/* One procedure whose flag reveals secrets. */
typedef struct FlagCase {
    const char *path;
    int proc;
    unsigned int flags; /* with the denied flag */
    const char *api;
    bool brings_secret; /* on the read-write socket */
} FlagCase;

static const FlagCase flag_cases[] = {
    { "/daemon/ro-flags/get-xml-desc/secure", REMOTE_PROC_DOMAIN_GET_XML_DESC,
      XML_SECURE | XML_INACTIVE, "virDomainGetXMLDesc", true },
    { "/daemon/ro-flags/get-xml-desc/migratable", REMOTE_PROC_DOMAIN_GET_XML_DESC, XML_MIGRATABLE,
      "virDomainGetXMLDesc", false },
    { "/daemon/ro-flags/snapshot-get-xml-desc/secure", REMOTE_PROC_DOMAIN_SNAPSHOT_GET_XML_DESC,
      XML_SECURE, "virDomainSnapshotGetXMLDesc", true },
    { "/daemon/ro-flags/managed-save-get-xml-desc/secure",
      REMOTE_PROC_DOMAIN_MANAGED_SAVE_GET_XML_DESC, XML_SECURE, "virDomainManagedSaveGetXMLDesc",
      true },
};

/* The three procedures' args and rets: an object and flags in, one string out. */
typedef union XmlArgs {
    remote_domain_get_xml_desc_args dom;
    remote_domain_snapshot_get_xml_desc_args snap;
    remote_domain_managed_save_get_xml_desc_args managed;
} XmlArgs;

typedef union XmlRet {
    remote_domain_get_xml_desc_ret dom;
    remote_domain_snapshot_get_xml_desc_ret snap;
    remote_domain_managed_save_get_xml_desc_ret managed;
} XmlRet;

/* @c's call on @fd with @flags: its XML, or NULL and @ret_error. */
static char *xml_call(Fixture *f, int fd, const FlagCase *c, unsigned int flags, GError **ret_error)
{
    const RpcProcInfo *info = rpc_proc_lookup(REMOTE_PROGRAM, c->proc);
    XmlArgs args = { { { 0 } } };
    XmlRet ret = { { 0 } };
    char *xml;

    switch (c->proc) {
    case REMOTE_PROC_DOMAIN_SNAPSHOT_GET_XML_DESC:
        args.snap = (remote_domain_snapshot_get_xml_desc_args){ f->snap.snap, flags };
        break;
    case REMOTE_PROC_DOMAIN_MANAGED_SAVE_GET_XML_DESC:
        args.managed = (remote_domain_managed_save_get_xml_desc_args){ f->dom.dom, flags };
        break;
    default:
        args.dom = (remote_domain_get_xml_desc_args){ f->dom.dom, flags };
        break;
    }
    *ret_error = CALL(fd, c->proc, &args, &ret);
    if (*ret_error)
        return NULL;
    xml = g_strdup(ret.dom.xml);
    rpc_payload_clear(&info->ret, &ret);
    return xml;
}

static void assert_secure_denied(Fixture *f, int fd, const FlagCase *c)
{
    g_autofree char *want = g_strdup_printf(
        "operation forbidden: %s with secure flag needs a read-write connection", c->api);
    g_autoptr(GError) error = NULL;

    g_assert_null(xml_call(f, fd, c, c->flags, &error));
    g_assert_nonnull(error);
    g_assert_cmpint(error->code, ==, VIRT_ERR_OPERATION_DENIED);
    g_assert_cmpstr(error->message, ==, want);
}

static void assert_xml(Fixture *f, int fd, const FlagCase *c, unsigned int flags, bool secret)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = xml_call(f, fd, c, flags, &error);

    g_assert_no_error(error);
    g_assert_nonnull(strstr(xml, "<name>vault</name>"));
    g_assert_true((strstr(xml, SECRET) != NULL) == secret);
}

static void test_flag_case(Fixture *f, gconstpointer data)
{
    const FlagCase *c = data;

    /* refused on the read-only socket; the connection goes on answering */
    assert_secure_denied(f, f->ro, c);
    assert_xml(f, f->ro, c, c->flags & ~rpc_proc_lookup(REMOTE_PROGRAM, c->proc)->ro_denied.mask,
               false);
    assert_secure_denied(f, f->ro, c);
    assert_xml(f, f->ro, c, 0, false);
    /* a read-only open on the read-write socket is read-only too */
    assert_secure_denied(f, f->rw_as_ro, c);
    assert_xml(f, f->rw_as_ro, c, 0, false);
    /* read-write: the flag is honoured */
    assert_xml(f, f->rw, c, c->flags, c->brings_secret);
    assert_xml(f, f->rw, c, 0, false);
}

/* virDomainSaveImageGetXMLDesc reads whatever file it is given as the daemon: libvirt
 * refuses it on read-only connections whatever the flags (CVE-2019-10161). */
static void test_save_image(Fixture *f, gconstpointer data)
{
    remote_domain_save_image_get_xml_desc_args args = { (char *)"/var/lib/x.save", 0 };
    const FlagCase get_xml = flag_cases[0];
    GError *error = CALL(f->ro, REMOTE_PROC_DOMAIN_SAVE_IMAGE_GET_XML_DESC, &args, NULL);

    g_assert_nonnull(error);
    g_assert_cmpint(error->code, ==, VIRT_ERR_OPERATION_DENIED);
    g_assert_cmpstr(error->message, ==,
                    "operation forbidden: read only access prevents virDomainSaveImageGetXMLDesc");
    g_clear_error(&error);
    assert_xml(f, f->ro, &get_xml, 0, false);
    /* read-write gets past the gate to the driver, which keeps no save images */
    error = CALL(f->rw, REMOTE_PROC_DOMAIN_SAVE_IMAGE_GET_XML_DESC, &args, NULL);
    g_assert_nonnull(error);
    g_assert_cmpint(error->code, ==, VIRT_ERR_NO_SUPPORT);
    g_clear_error(&error);
}

int main(int argc, char **argv)
{
    ro_daemon_ops = test_driver_ops;
    ro_daemon_ops.domain_managed_save_get_xml_desc = stand_in_managed_save_get_xml_desc;
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(flag_cases); i++)
        g_test_add(flag_cases[i].path, Fixture, &flag_cases[i], fixture_setup, test_flag_case,
                   fixture_teardown);
    g_test_add("/daemon/ro-flags/save-image-get-xml-desc", Fixture, NULL, fixture_setup,
               test_save_image, fixture_teardown);
    return g_test_run();
}
