/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libclient's API layer on a fake driver: error identities and libvirt wording,
 * read-only denial before the driver, refcounting, default URIs, the last-error
 * API, and per-thread errors under concurrent use of one connection.
 */

#include <stdlib.h>
#include <string.h>

#include "client-priv.h"
#include "fake-driver.h"

static void assert_error(int code, int domain, const char *message)
{
    virErrorPtr err = virGetLastError();

    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, code);
    g_assert_cmpint(err->domain, ==, domain);
    g_assert_cmpint(err->level, ==, VIR_ERR_ERROR);
    g_assert_cmpstr(err->message, ==, message);
    g_assert_cmpstr(virGetLastErrorMessage(), ==, message);
    g_assert_cmpint(virGetLastErrorCode(), ==, code);
    g_assert_cmpint(virGetLastErrorDomain(), ==, domain);
}

#define NO_ROOT "/nonexistent/virtkit-test-root"
#define NO_SOCKET                                                                          \
    "Failed to connect socket to '" NO_ROOT "/run/libvirt/libvirt-sock': No such file or " \
    "directory"

static void test_open_errors(void)
{
    /* drivers without an in-process implementation are reached through a daemon,
     * and none runs under NO_ROOT */
    g_assert_null(virConnectOpen("nope:///x"));
    assert_error(VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, NO_SOCKET);

    /* driver+transport means "through a daemon" even for an in-process driver */
    g_assert_null(virConnectOpen("fake+unix:///"));
    assert_error(VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, NO_SOCKET);

    g_assert_null(virConnectOpen("fake:///fail"));
    assert_error(VIR_ERR_OPEN_FAILED, VIR_FROM_TEST, "failed to open configuration file '/fail'");

    g_assert_null(virConnectOpen("::not a uri"));
    g_assert_nonnull(virGetLastError());
    g_assert_cmpint(fake_driver_open_count(), ==, 0);
}

static void test_default_uri(void)
{
    virConnectPtr conn;

    g_setenv("VIRTKIT_DEFAULT_URI", "fake:///virtkit", TRUE);
    g_setenv("LIBVIRT_DEFAULT_URI", "nope:///libvirt", TRUE);
    conn = virConnectOpen(NULL);
    g_assert_nonnull(conn);
    g_assert_cmpstr(conn->uri, ==, "fake:///virtkit");
    g_assert_cmpint(virConnectClose(conn), ==, 0);

    g_unsetenv("VIRTKIT_DEFAULT_URI");
    g_assert_null(virConnectOpen(""));
    assert_error(VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, NO_SOCKET);
    g_setenv("LIBVIRT_DEFAULT_URI", "fake:///libvirt", TRUE);
    conn = virConnectOpen(NULL);
    g_assert_nonnull(conn);
    g_assert_cmpstr(conn->uri, ==, "fake:///libvirt");
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    g_unsetenv("LIBVIRT_DEFAULT_URI");
}

static void test_connect_queries(void)
{
    virConnectPtr conn = virConnectOpen("fake:///");
    unsigned long ver = 0;
    char *s;

    g_assert_nonnull(conn);
    g_assert_cmpstr(virConnectGetType(conn), ==, "FAKE");
    g_assert_null(virGetLastError());
    s = virConnectGetHostname(conn);
    g_assert_cmpstr(s, ==, "fakehost");
    free(s);
    s = virConnectGetURI(conn);
    g_assert_cmpstr(s, ==, "fake:///");
    free(s);
    g_assert_cmpint(virConnectGetLibVersion(conn, &ver), ==, 0);
    g_assert_cmpuint(ver, ==, LIBVIR_VERSION_NUMBER);
    g_assert_cmpint(virConnectIsAlive(conn), ==, 1);
    {
        virSecurityModel model;

        /* no security ops: an empty model, as libvirt reports without a security driver */
        memset(&model, 'x', sizeof(model));
        g_assert_cmpint(virNodeGetSecurityModel(conn, &model), ==, 0);
        g_assert_cmpstr(model.model, ==, "");
        g_assert_cmpstr(model.doi, ==, "");
    }

    g_assert_cmpint(virConnectGetVersion(conn, &ver), ==, -1);
    assert_error(VIR_ERR_NO_SUPPORT, VIR_FROM_NONE,
                 "this function is not supported by the connection driver: "
                 "virConnectGetVersion");
    g_assert_null(virConnectGetCapabilities(conn));
    assert_error(VIR_ERR_OPERATION_FAILED, VIR_FROM_TEST, "operation failed");
    /* driver messages are kept verbatim (a daemon sends them so); foreign GError
     * domains become INTERNAL_ERROR */
    g_assert_null(virConnectGetCapabilities(conn));
    assert_error(VIR_ERR_INTERNAL_ERROR, VIR_FROM_NONE, "no capabilities here");
    g_assert_cmpint(virConnectGetMaxVcpus(conn, NULL), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_NO_SUPPORT);
    g_assert_cmpint(virNodeGetInfo(conn, NULL), ==, -1);
    /* argument checks carry no code wording, as libvirt's */
    assert_error(VIR_ERR_INVALID_ARG, VIR_FROM_NONE, "info in virNodeGetInfo must not be NULL");

    /* a successful call clears the previous error */
    g_assert_cmpstr(virConnectGetType(conn), ==, "FAKE");
    g_assert_null(virGetLastError());
    g_assert_cmpstr(virGetLastErrorMessage(), ==, "no error");
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

static void test_invalid_pointers(void)
{
    g_assert_null(virConnectGetType(NULL));
    assert_error(VIR_ERR_INVALID_CONN, VIR_FROM_NONE,
                 "invalid connection pointer in virConnectGetType");
    g_assert_cmpint(virConnectClose(NULL), ==, -1);
    g_assert_null(virDomainGetName(NULL));
    assert_error(VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOMAIN,
                 "invalid domain pointer in virDomainGetName");
    g_assert_cmpint(virDomainFree(NULL), ==, -1);
    g_assert_cmpuint(virDomainGetID(NULL), ==, (unsigned int)-1);
}

static void test_lookup_errors(void)
{
    virConnectPtr conn = virConnectOpen("fake:///");

    g_assert_null(virDomainLookupByName(conn, "nope"));
    assert_error(VIR_ERR_NO_DOMAIN, VIR_FROM_TEST,
                 "Domain not found: no domain with matching name 'nope'");
    g_assert_null(virDomainLookupByUUIDString(conn, "not-a-uuid"));
    assert_error(VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, "Invalid UUID");
    g_assert_null(virDomainLookupByName(conn, NULL));
    assert_error(VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN,
                 "name in virDomainLookupByName must not be NULL");
    g_assert_null(virDomainLookupByID(conn, 7));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_NO_SUPPORT);
    g_assert_null(virDomainLookupByID(conn, -1));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

static void test_refcounting(void)
{
    virConnectPtr conn = virConnectOpen("fake:///");
    virDomainPtr dom, dom2;
    char uuid[VIR_UUID_STRING_BUFLEN];

    g_assert_cmpint(fake_driver_open_count(), ==, 1);
    g_assert_cmpint(virConnectRef(conn), ==, 0);
    g_assert_cmpint(virConnectClose(conn), ==, 1);

    dom = virDomainLookupByName(conn, "fake1");
    g_assert_nonnull(dom);
    g_assert_cmpstr(virDomainGetName(dom), ==, "fake1");
    g_assert_cmpuint(virDomainGetID(dom), ==, 7);
    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
    g_assert_cmpstr(uuid, ==, "fa4e0102-0304-0506-0708-090a0b0c0d0e");
    dom2 = virDomainLookupByUUIDString(conn, uuid);
    g_assert_nonnull(dom2);
    g_assert_true(virDomainGetConnect(dom2) == conn);

    /* the domains keep the driver connection open after the caller's close */
    g_assert_cmpint(virConnectClose(conn), ==, 2);
    g_assert_cmpint(fake_driver_open_count(), ==, 1);
    g_assert_cmpint(virDomainRef(dom), ==, 0);
    g_assert_cmpint(virDomainFree(dom), ==, 0);
    g_assert_cmpint(virDomainFree(dom), ==, 0);
    g_assert_cmpint(fake_driver_open_count(), ==, 1);
    g_assert_cmpint(virDomainFree(dom2), ==, 0);
    g_assert_cmpint(fake_driver_open_count(), ==, 0);
}

static void test_read_only(void)
{
    virConnectPtr conn = virConnectOpenReadOnly("fake:///");
    virDomainPtr dom = virDomainLookupByName(conn, "fake1");
    virDomainInfo info;

    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainDestroy(dom), ==, -1);
    assert_error(VIR_ERR_OPERATION_DENIED, VIR_FROM_DOMAIN,
                 "operation forbidden: read only access prevents virDomainDestroy");
    /* str1/str2 as libvirt fills them: the wording's format, then the detail */
    g_assert_cmpstr(virGetLastError()->str1, ==, "operation forbidden: %s");
    g_assert_cmpint(virDomainDestroyFlags(dom, 0), ==, -1);
    g_assert_cmpstr(virGetLastError()->str2, ==, "read only access prevents virDomainDestroyFlags");
    g_assert_cmpint(virDomainUndefineFlags(dom, 0), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_DENIED);
    g_assert_cmpint(virDomainCreate(dom), ==, -1);
    g_assert_cmpint(virDomainSetAutostart(dom, 1), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_DENIED);
    g_assert_cmpint(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_TITLE, "t", NULL, NULL, 0), ==,
                    -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_DENIED);
    g_assert_null(virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_SECURE));
    assert_error(VIR_ERR_OPERATION_DENIED, VIR_FROM_DOMAIN,
                 "operation forbidden: virDomainGetXMLDesc with secure flag");
    g_assert_null(virDomainDefineXML(conn, "<domain/>"));
    assert_error(VIR_ERR_OPERATION_DENIED, VIR_FROM_DOMAIN,
                 "operation forbidden: read only access prevents virDomainDefineXML");
    g_assert_null(virDomainCreateXML(conn, "<domain/>", 0));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_DENIED);

    /* reads still work, and the driver never saw the refused destroy */
    g_assert_cmpint(virDomainGetInfo(dom, &info), ==, 0);
    g_assert_cmpint(info.state, ==, VIR_DOMAIN_RUNNING);
    g_assert_cmpint(virDomainFree(dom), ==, 0);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

static void test_lifecycle_errors(void)
{
    virConnectPtr conn = virConnectOpen("fake:///");
    virDomainPtr dom = virDomainLookupByName(conn, "fake1");

    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_cmpuint(virDomainGetID(dom), ==, (unsigned int)-1);
    g_assert_cmpint(virDomainDestroy(dom), ==, -1);
    assert_error(VIR_ERR_OPERATION_INVALID, VIR_FROM_DOMAIN,
                 "Requested operation is not valid: domain 'fake1' is not running");
    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    g_assert_cmpuint(virDomainGetID(dom), ==, 7);
    /* the driver's message is reported as it is */
    g_assert_cmpint(virDomainCreate(dom), ==, -1);
    assert_error(VIR_ERR_OPERATION_INVALID, VIR_FROM_DOMAIN,
                 "Requested operation is not valid: domain is already running");
    g_assert_cmpint(virDomainSuspend(dom), ==, -1);
    assert_error(VIR_ERR_NO_SUPPORT, VIR_FROM_NONE,
                 "this function is not supported by the connection driver: virDomainSuspend");
    g_assert_cmpint(virDomainFree(dom), ==, 0);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

static void test_list(void)
{
    virConnectPtr conn = virConnectOpen("fake:///");
    virDomainPtr *doms = NULL;
    int ids[4] = { 0 };
    char *names[4] = { NULL };

    g_assert_cmpint(virConnectListAllDomains(conn, &doms, 0), ==, 1);
    g_assert_cmpstr(virDomainGetName(doms[0]), ==, "fake1");
    g_assert_null(doms[1]);
    virDomainFree(doms[0]);
    free(doms);
    g_assert_cmpint(virConnectListAllDomains(conn, NULL, VIR_CONNECT_LIST_DOMAINS_INACTIVE), ==, 0);
    g_assert_cmpint(virConnectListAllDomains(conn, NULL, 1u << 20), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virConnectNumOfDomains(conn), ==, 1);
    g_assert_cmpint(virConnectListDomains(conn, ids, 4), ==, 1);
    g_assert_cmpint(ids[0], ==, 7);
    g_assert_cmpint(virConnectListDomains(conn, ids, 0), ==, 0);
    g_assert_cmpint(virConnectNumOfDefinedDomains(conn), ==, 0);
    g_assert_cmpint(virConnectListDefinedDomains(conn, names, 4), ==, 0);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

static void test_error_api(void)
{
    virError copy = { 0 };
    virErrorPtr saved;

    virResetLastError();
    g_assert_null(virGetLastError());
    g_assert_null(virSaveLastError());
    g_assert_cmpint(virCopyLastError(&copy), ==, 0);
    g_assert_null(virConnectOpen("nope:///"));
    g_assert_cmpint(virCopyLastError(&copy), ==, VIR_ERR_SYSTEM_ERROR);
    g_assert_cmpstr(copy.message, ==, NO_SOCKET);
    /* str1 as libvirt fills it: the wording's format */
    g_assert_cmpstr(copy.str1, ==, "%s");
    g_assert_cmpint(copy.int1, ==, -1);
    virResetError(&copy);
    g_assert_null(copy.message);
    saved = virSaveLastError();
    g_assert_nonnull(saved);
    virResetLastError();
    g_assert_null(virGetLastError());
    g_assert_cmpint(saved->code, ==, VIR_ERR_SYSTEM_ERROR);
    virFreeError(saved);
    virFreeError(NULL);
}

static int handler_calls;

static void count_errors(void *data, virErrorPtr err)
{
    g_assert_true(data == &handler_calls);
    g_assert_cmpint(err->code, ==, VIR_ERR_SYSTEM_ERROR);
    handler_calls++;
}

static void test_error_handler(void)
{
    virSetErrorFunc(&handler_calls, count_errors);
    g_assert_null(virConnectOpen("nope:///"));
    virSetErrorFunc(NULL, NULL);
    g_assert_null(virConnectOpen("nope:///"));
    g_assert_cmpint(handler_calls, ==, 1);
}

static void test_message_wording(void)
{
    g_autofree char *a = client_error_format_message(VIRT_ERR_DOM_EXIST, "'x'");
    g_autofree char *b =
        client_error_format_message(VIRT_ERR_DOM_EXIST, "domain 'x' exists already");
    g_autofree char *c = client_error_format_message(VIRT_ERR_NO_DOMAIN, NULL);
    g_autofree char *d = client_error_format_message(VIRT_ERR_SYSTEM_ERROR, "open: EIO");
    g_autofree char *e = client_error_format_message(999, "odd");

    g_assert_cmpstr(a, ==, "domain 'x' exists already");
    g_assert_cmpstr(b, ==, "domain 'x' exists already");
    g_assert_cmpstr(c, ==, "Domain not found");
    g_assert_cmpstr(d, ==, "open: EIO");
    g_assert_cmpstr(e, ==, "odd");
}

#define N_THREADS 8
#define N_ROUNDS 2000

static gpointer hammer(gpointer data)
{
    virConnectPtr conn = data;
    g_autofree char *bad = g_strdup_printf("missing-%p", (void *)g_thread_self());
    g_autofree char *expect =
        g_strdup_printf("Domain not found: no domain with matching name '%s'", bad);

    for (int i = 0; i < N_ROUNDS; i++) {
        virDomainPtr dom = virDomainLookupByName(conn, "fake1");
        virDomainInfo info;

        g_assert_nonnull(dom);
        g_assert_cmpint(virDomainGetInfo(dom, &info), ==, 0);
        g_assert_cmpint(info.nrVirtCpu, ==, 2);
        g_assert_cmpint(virDomainRef(dom), ==, 0);
        g_assert_cmpint(virDomainFree(dom), ==, 0);
        g_assert_cmpint(virDomainFree(dom), ==, 0);
        /* each thread sees its own last error, never another thread's */
        g_assert_null(virDomainLookupByName(conn, bad));
        g_assert_cmpstr(virGetLastErrorMessage(), ==, expect);
    }
    return NULL;
}

static void test_threads(void)
{
    virConnectPtr conn = virConnectOpen("fake:///");
    GThread *threads[N_THREADS];

    for (int i = 0; i < N_THREADS; i++)
        threads[i] = g_thread_new("hammer", hammer, conn);
    for (int i = 0; i < N_THREADS; i++)
        g_thread_join(threads[i]);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    g_assert_cmpint(fake_driver_open_count(), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    client_driver_register(&fake_driver_ops);
    g_unsetenv("VIRTKIT_DEFAULT_URI");
    g_unsetenv("LIBVIRT_DEFAULT_URI");
    /* remote opens look for daemons below a root where none runs, and start none */
    g_setenv("VIRTKIT_RUNTIME_ROOT", NO_ROOT, TRUE);
    g_setenv("LIBVIRT_AUTOSTART", "0", TRUE);

    g_test_add_func("/client/api/open-errors", test_open_errors);
    g_test_add_func("/client/api/default-uri", test_default_uri);
    g_test_add_func("/client/api/connect-queries", test_connect_queries);
    g_test_add_func("/client/api/invalid-pointers", test_invalid_pointers);
    g_test_add_func("/client/api/lookup-errors", test_lookup_errors);
    g_test_add_func("/client/api/refcounting", test_refcounting);
    g_test_add_func("/client/api/read-only", test_read_only);
    g_test_add_func("/client/api/lifecycle-errors", test_lifecycle_errors);
    g_test_add_func("/client/api/list", test_list);
    g_test_add_func("/client/api/error-api", test_error_api);
    g_test_add_func("/client/api/error-handler", test_error_handler);
    g_test_add_func("/client/api/message-wording", test_message_wording);
    g_test_add_func("/client/api/threads", test_threads);
    return g_test_run();
}
