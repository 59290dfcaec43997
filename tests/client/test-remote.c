/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libclient's remote driver against the real proxyd (tier: real daemon, test
 * driver): the whole API over the wire compared call by call with the in-process
 * test driver, error identity passthrough (NO_DOMAIN 42, OPERATION_DENIED 29,
 * NO_SUPPORT 3), overlapping calls from 8 threads, lifecycle events in order with
 * local fan-out, the close callback when the daemon dies, keepalive against a
 * stopped daemon, and session autostart.
 */

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>

#include "client-priv.h"
#include "event-log.h"
#include "remote-driver-priv.h"
#include "remote-harness.h"
#include "remote-sockets.h"
#include "rpc/client.h"

#define WAIT_MS 20000

static const char dom_xml[] = "<domain type='test'>\n"
                              "  <name>%s</name>\n"
                              "  <uuid>%s</uuid>\n"
                              "  <memory unit='KiB'>65536</memory>\n"
                              "  <vcpu>1</vcpu>\n"
                              "  <os><type arch='i686'>hvm</type></os>\n"
                              "</domain>\n";

/* ---- helpers ---- */

static void log_error(GString *log, const char *what)
{
    virErrorPtr err = virGetLastError();

    g_assert_nonnull(err);
    g_string_append_printf(log, "%s: error code=%d domain=%d message=%s\n", what, err->code,
                           err->domain, err->message);
}

static void log_int(GString *log, const char *what, long long value)
{
    if (value < 0)
        log_error(log, what);
    else
        g_string_append_printf(log, "%s: %lld\n", what, value);
}

static void log_str(GString *log, const char *what, char *value)
{
    if (!value)
        log_error(log, what);
    else
        g_string_append_printf(log, "%s: %s\n", what, value);
    free(value);
}

static void log_domain(GString *log, const char *what, virDomainPtr dom)
{
    char uuid[VIR_UUID_STRING_BUFLEN];

    if (!dom) {
        log_error(log, what);
        return;
    }
    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
    g_string_append_printf(log, "%s: %s %s %d\n", what, virDomainGetName(dom), uuid,
                           (int)virDomainGetID(dom));
}

static void log_info(GString *log, virDomainPtr dom)
{
    virDomainInfo info;
    int state, reason;

    log_int(log, "info", virDomainGetInfo(dom, &info));
    g_string_append_printf(log, "  state=%d max=%lu mem=%lu vcpus=%u\n", info.state, info.maxMem,
                           info.memory, info.nrVirtCpu);
    log_int(log, "get-state", virDomainGetState(dom, &state, &reason, 0));
    g_string_append_printf(log, "  %d/%d\n", state, reason);
    log_int(log, "is-active", virDomainIsActive(dom));
    log_int(log, "is-persistent", virDomainIsPersistent(dom));
    log_int(log, "is-updated", virDomainIsUpdated(dom));
    log_int(log, "managed-save", virDomainHasManagedSaveImage(dom, 0));
    log_str(log, "os-type", virDomainGetOSType(dom));
    log_int(log, "max-memory", (long long)virDomainGetMaxMemory(dom));
}

static void log_list(GString *log, virConnectPtr conn, unsigned int flags)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(conn, &doms, flags);

    log_int(log, "list-all", n);
    for (int i = 0; i < n; i++) {
        log_domain(log, "  ", doms[i]);
        virDomainFree(doms[i]);
    }
    free(doms);
}

/* Everything the API does, recorded; run on both connections and compared. */
static void scenario(virConnectPtr conn, GString *log)
{
    g_autofree char *xml =
        g_strdup_printf(dom_xml, "remote1", "aaaaaaaa-2222-3333-4444-555555555555");
    unsigned long ver;
    virNodeInfo node;
    virDomainPtr dom, dom2;
    int autostart;

    g_string_append_printf(log, "type: %s\n", virConnectGetType(conn));
    log_int(log, "version", virConnectGetVersion(conn, &ver));
    g_string_append_printf(log, "  %lu\n", ver);
    log_str(log, "hostname", virConnectGetHostname(conn));
    log_str(log, "capabilities", virConnectGetCapabilities(conn));
    log_int(log, "max-vcpus", virConnectGetMaxVcpus(conn, NULL));
    log_int(log, "nodeinfo", virNodeGetInfo(conn, &node));
    g_string_append_printf(log, "  %s %lu %u %u %u %u %u %u\n", node.model, node.memory, node.cpus,
                           node.mhz, node.nodes, node.sockets, node.cores, node.threads);
    log_int(log, "num-of-domains", virConnectNumOfDomains(conn));
    log_int(log, "num-of-defined", virConnectNumOfDefinedDomains(conn));
    log_list(log, conn, 0);

    log_domain(log, "lookup-unknown", virDomainLookupByName(conn, "nosuch"));
    log_domain(log, "lookup-id-unknown", virDomainLookupByID(conn, 4242));
    log_domain(log, "lookup-uuid-unknown",
               virDomainLookupByUUIDString(conn, "11111111-2222-3333-4444-555555555555"));

    dom = virDomainDefineXML(conn, xml);
    log_domain(log, "define", dom);
    g_assert_nonnull(dom);
    log_list(log, conn, VIR_CONNECT_LIST_DOMAINS_INACTIVE);
    log_info(log, dom);
    log_int(log, "suspend-inactive", virDomainSuspend(dom));
    log_int(log, "create", virDomainCreate(dom));
    log_domain(log, "after-create", dom);
    dom2 = virDomainLookupByID(conn, (int)virDomainGetID(dom));
    log_domain(log, "lookup-id", dom2);
    virDomainFree(dom2);
    log_info(log, dom);
    log_str(log, "xml", virDomainGetXMLDesc(dom, 0));
    log_int(log, "set-autostart", virDomainSetAutostart(dom, 1));
    log_int(log, "get-autostart", virDomainGetAutostart(dom, &autostart));
    g_string_append_printf(log, "  %d\n", autostart);
    log_int(log, "set-metadata",
            virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_DESCRIPTION, "hello", NULL, NULL, 0));
    log_str(log, "get-metadata",
            virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_DESCRIPTION, NULL, 0));
    log_str(log, "get-metadata-missing",
            virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_TITLE, NULL, 0));
    log_int(log, "suspend", virDomainSuspend(dom));
    log_info(log, dom);
    log_int(log, "resume", virDomainResume(dom));
    log_int(log, "resume-again", virDomainResume(dom));
    log_int(log, "reboot", virDomainReboot(dom, 0));
    log_int(log, "reset", virDomainReset(dom, 0));
    log_int(log, "shutdown", virDomainShutdown(dom));
    log_int(log, "destroy-inactive", virDomainDestroy(dom));
    log_int(log, "create-with-flags", virDomainCreateWithFlags(dom, VIR_DOMAIN_START_PAUSED));
    log_info(log, dom);
    log_int(log, "destroy-flags", virDomainDestroyFlags(dom, 0));
    log_int(log, "undefine", virDomainUndefineFlags(dom, 0));
    log_int(log, "undefine-again", virDomainUndefine(dom));
    virDomainFree(dom);

    dom = virDomainCreateXML(conn, xml, 0);
    log_domain(log, "create-xml", dom);
    log_int(log, "is-persistent", virDomainIsPersistent(dom));
    log_int(log, "destroy-transient", virDomainDestroy(dom));
    log_domain(log, "gone", virDomainLookupByName(conn, "remote1"));
    virDomainFree(dom);
    log_list(log, conn, VIR_CONNECT_LIST_DOMAINS_ACTIVE | VIR_CONNECT_LIST_DOMAINS_PERSISTENT);
}

/* ---- tests ---- */

static void test_api_matches_in_process(void)
{
    TestProxyd *pd = test_proxyd_start(NULL);
    virConnectPtr remote = virConnectOpen(pd->uri);
    virConnectPtr local = virConnectOpen("test:///default");
    g_autoptr(GString) rlog = g_string_new(NULL);
    g_autoptr(GString) llog = g_string_new(NULL);
    char *uri;

    g_assert_nonnull(remote);
    g_assert_nonnull(local);
    g_assert_true(remote_driver_is(remote->ops));
    uri = virConnectGetURI(remote);
    g_assert_cmpstr(uri, ==, pd->uri);
    free(uri);
    g_assert_cmpint(virConnectIsAlive(remote), ==, 1);
    scenario(remote, rlog);
    scenario(local, llog);
    if (!g_str_equal(rlog->str, llog->str))
        g_test_message("remote:\n%s\nin-process:\n%s", rlog->str, llog->str);
    g_assert_cmpstr(rlog->str, ==, llog->str);
    /* the errors are the daemon's, unchanged: NO_DOMAIN from the test driver */
    g_assert_nonnull(strstr(rlog->str, "lookup-unknown: error code=42 domain=12 message=Domain "
                                       "not found: no domain with matching name 'nosuch'"));

    /* the daemon words its errors itself; ones it sends bare (the XML parser's)
     * arrive as sent, which is what libvirt's own client shows too */
    g_assert_null(virDomainDefineXML(remote, "<domain"));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_XML_DETAIL);
    g_assert_cmpint(virGetLastErrorDomain(), ==, VIR_FROM_DOMAIN);
    g_assert_true(g_str_has_prefix(virGetLastErrorMessage(), "malformed XML at line 1"));
    g_assert_cmpint(virConnectClose(remote), ==, 0);
    g_assert_cmpint(virConnectClose(local), ==, 0);
    test_proxyd_stop(pd);
}

static void test_read_only(void)
{
    TestProxyd *pd = test_proxyd_start(NULL);
    virConnectPtr ro = virConnectOpenReadOnly(pd->uri);
    virConnectPtr on_ro_sock = virConnectOpen(pd->uri_ro);
    virDomainPtr dom;

    g_assert_nonnull(ro);
    g_assert_nonnull(on_ro_sock);
    /* refused by the API layer on a read-only open */
    dom = virDomainLookupByName(ro, "test");
    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainSuspend(dom), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_DENIED);
    virDomainFree(dom);
    /* refused by the daemon: the -sock-ro socket forces read-only, the error crosses
     * the wire unchanged */
    dom = virDomainLookupByName(on_ro_sock, "test");
    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainSuspend(dom), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_DENIED);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "operation forbidden: read only access prevents virDomainSuspend");
    g_assert_cmpint(virDomainIsActive(dom), ==, 1);
    virDomainFree(dom);
    virConnectClose(ro);
    virConnectClose(on_ro_sock);
    test_proxyd_stop(pd);
}

static void test_no_support_passthrough(void)
{
    TestProxyd *pd = test_proxyd_start(NULL);
    virConnectPtr conn = virConnectOpen(pd->uri);
    g_autoptr(GError) error = NULL;
    remote_domain_get_vcpus_flags_args args = { .flags = 0 };
    remote_domain_get_vcpus_flags_ret ret = { 0 };
    virErrorPtr err;

    g_assert_nonnull(conn);
    /* a procedure of the schema the daemon does not implement */
    args.dom.name = (char *)"test";
    client_error_reset();
    g_assert_false(remote_call(conn->drv, REMOTE_PROC_DOMAIN_GET_VCPUS_FLAGS, &args, &ret, &error));
    g_assert_nonnull(error);
    client_error_set_gerror(error);
    err = virGetLastError();
    g_assert_cmpint(err->code, ==, VIR_ERR_NO_SUPPORT);
    g_assert_cmpstr(err->message, ==, error->message);
    /* the connection is still good */
    g_assert_cmpint(virConnectNumOfDomains(conn), ==, 1);
    virConnectClose(conn);
    test_proxyd_stop(pd);
}

typedef struct ThreadData {
    virConnectPtr conn;
    int index;
    int failures;
} ThreadData;

static gpointer thread_calls(gpointer data)
{
    ThreadData *td = data;
    g_autofree char *name = g_strdup_printf("thr%d", td->index);
    g_autofree char *uuid = g_strdup_printf("bbbbbbbb-2222-3333-4444-%012d", td->index);
    g_autofree char *xml = g_strdup_printf(dom_xml, name, uuid);

    for (int i = 0; i < 25; i++) {
        virDomainPtr dom = virDomainDefineXML(td->conn, xml);
        virDomainPtr found = dom ? virDomainLookupByName(td->conn, name) : NULL;
        virDomainInfo info;

        if (!found || strcmp(virDomainGetName(found), name) != 0 ||
            virDomainGetInfo(found, &info) < 0 || info.nrVirtCpu != 1 ||
            virDomainLookupByName(td->conn, "nosuch") != NULL ||
            virGetLastErrorCode() != VIR_ERR_NO_DOMAIN || virDomainUndefine(dom) < 0)
            td->failures++;
        if (found)
            virDomainFree(found);
        if (dom)
            virDomainFree(dom);
    }
    return NULL;
}

static void test_threads(void)
{
    TestProxyd *pd = test_proxyd_start(NULL);
    virConnectPtr conn = virConnectOpen(pd->uri);
    ThreadData data[8];
    GThread *threads[8];

    g_assert_nonnull(conn);
    for (int i = 0; i < 8; i++) {
        data[i] = (ThreadData){ .conn = conn, .index = i };
        threads[i] = g_thread_new("calls", thread_calls, &data[i]);
    }
    for (int i = 0; i < 8; i++) {
        g_thread_join(threads[i]);
        g_assert_cmpint(data[i].failures, ==, 0);
    }
    g_assert_cmpint(virConnectNumOfDefinedDomains(conn), ==, 0);
    virConnectClose(conn);
    test_proxyd_stop(pd);
}

/* ---- events ---- */

static gboolean deadline_passed(int64_t deadline)
{
    return g_get_monotonic_time() > deadline;
}

static void test_events(void)
{
    TestProxyd *pd = test_proxyd_start(NULL);
    virConnectPtr watcher = virConnectOpen(pd->uri);
    virConnectPtr actor = virConnectOpen(pd->uri);
    g_autofree char *xml = g_strdup_printf(dom_xml, "ev1", "cccccccc-2222-3333-4444-555555555555");
    EventLog all = { .text = g_string_new(NULL) };
    EventLog other = { .text = g_string_new(NULL) };
    EventLog filtered = { .text = g_string_new(NULL) };
    EventLog legacy = { .text = g_string_new(NULL) };
    virDomainPtr dom, test_dom;
    int id_all, id_other, id_filtered, timer;

    g_assert_nonnull(watcher);
    g_assert_nonnull(actor);
    /* a timer keeps every iteration bounded */
    timer = virEventAddTimeout(100, event_log_noop_timer, NULL, NULL);
    g_assert_cmpint(timer, >, 0);
    id_all = virConnectDomainEventRegisterAny(watcher, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIR_DOMAIN_EVENT_CALLBACK(event_log_on_lifecycle),
                                              &all, event_log_on_free);
    g_assert_cmpint(id_all, >=, 0);
    /* the same function for the same event again is refused, as in libvirt */
    g_assert_cmpint(virConnectDomainEventRegisterAny(
                        watcher, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                        VIR_DOMAIN_EVENT_CALLBACK(event_log_on_lifecycle), &other, NULL),
                    ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_ARG);
    id_other = virConnectDomainEventRegisterAny(
        watcher, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
        VIR_DOMAIN_EVENT_CALLBACK(event_log_on_lifecycle_other), &other, event_log_on_free);
    g_assert_cmpint(id_other, >, id_all);
    test_dom = virDomainLookupByName(watcher, "test");
    id_filtered = virConnectDomainEventRegisterAny(
        watcher, test_dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
        VIR_DOMAIN_EVENT_CALLBACK(event_log_on_lifecycle), &filtered, event_log_on_free);
    g_assert_cmpint(id_filtered, >=, 0);
    g_assert_cmpint(
        virConnectDomainEventRegister(watcher, event_log_on_lifecycle, &legacy, event_log_on_free),
        ==, 0);
    g_assert_cmpint(virConnectDomainEventRegisterAny(
                        watcher, NULL, VIR_DOMAIN_EVENT_ID_LAST,
                        VIR_DOMAIN_EVENT_CALLBACK(event_log_on_lifecycle), &all, NULL),
                    ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_ARG);

    /* another client acts */
    dom = virDomainDefineXML(actor, xml);
    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    g_assert_cmpint(virDomainSuspend(dom), ==, 0);
    g_assert_cmpint(virDomainResume(dom), ==, 0);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virDomainFree(dom);
    dom = virDomainLookupByName(actor, "test");
    g_assert_cmpint(virDomainSuspend(dom), ==, 0);
    virDomainFree(dom);

    event_log_run_until(&all, 6, WAIT_MS);
    event_log_run_until(&other, 6, WAIT_MS);
    event_log_run_until(&filtered, 1, WAIT_MS);
    event_log_run_until(&legacy, 6, WAIT_MS);
    g_assert_cmpstr(all.text->str, ==, "ev1:0/0 ev1:2/0 ev1:3/0 ev1:4/0 ev1:5/1 test:3/0 ");
    g_assert_cmpstr(other.text->str, ==, all.text->str);
    g_assert_cmpstr(legacy.text->str, ==, all.text->str);
    g_assert_cmpstr(filtered.text->str, ==, "test:3/0 ");

    g_assert_cmpint(virConnectDomainEventDeregisterAny(watcher, id_other), ==, 0);
    g_assert_cmpint(other.freed, ==, 1);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(watcher, id_other), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virConnectDomainEventDeregister(watcher, event_log_on_lifecycle), ==, 0);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(watcher, id_filtered), ==, 0);

    /* the remaining registration still receives */
    dom = virDomainLookupByName(actor, "test");
    g_assert_cmpint(virDomainResume(dom), ==, 0);
    virDomainFree(dom);
    event_log_run_until(&all, 7, WAIT_MS);
    g_assert_cmpint(other.count, ==, 6);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(watcher, id_all), ==, 0);
    g_assert_cmpint(all.freed + filtered.freed + legacy.freed, ==, 3);

    virDomainFree(test_dom);
    g_assert_cmpint(virEventRemoveTimeout(timer), ==, 0);
    g_assert_cmpint(virEventRemoveTimeout(timer), ==, -1);
    g_assert_cmpint(virConnectClose(watcher), ==, 0);
    g_assert_cmpint(virConnectClose(actor), ==, 0);
    g_string_free(all.text, TRUE);
    g_string_free(other.text, TRUE);
    g_string_free(filtered.text, TRUE);
    g_string_free(legacy.text, TRUE);
    test_proxyd_stop(pd);
}

/* In process, the same API: events of the shared test:///default. */
static void test_events_in_process(void)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    EventLog log = { .text = g_string_new(NULL) };
    virDomainPtr dom;
    int id, timer = virEventAddTimeout(100, event_log_noop_timer, NULL, NULL);

    g_assert_nonnull(conn);
    id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                          VIR_DOMAIN_EVENT_CALLBACK(event_log_on_lifecycle), &log,
                                          NULL);
    g_assert_cmpint(id, >=, 0);
    dom = virDomainLookupByName(conn, "test");
    g_assert_cmpint(virDomainSuspend(dom), ==, 0);
    g_assert_cmpint(virDomainResume(dom), ==, 0);
    /* queued, not delivered inside the API calls */
    g_assert_cmpint(log.count, ==, 0);
    event_log_run_until(&log, 2, WAIT_MS);
    g_assert_cmpstr(log.text->str, ==, "test:3/0 test:4/0 ");
    g_assert_cmpint(virConnectDomainEventDeregisterAny(conn, id), ==, 0);
    virDomainFree(dom);
    virEventRemoveTimeout(timer);
    virConnectClose(conn);
    g_string_free(log.text, TRUE);
}

/* ---- close callback and keepalive ---- */

typedef struct CloseLog {
    int calls;
    int reason;
    int freed;
} CloseLog;

static void on_close(virConnectPtr conn, int reason, void *opaque)
{
    CloseLog *log = opaque;

    log->calls++;
    log->reason = reason;
}

static void on_close_free(void *opaque)
{
    ((CloseLog *)opaque)->freed++;
}

static void run_until_closed(CloseLog *log)
{
    int64_t deadline = g_get_monotonic_time() + WAIT_MS * 1000;
    int timer = virEventAddTimeout(100, event_log_noop_timer, NULL, NULL);

    while (log->calls == 0 && !deadline_passed(deadline))
        virEventRunDefaultImpl();
    virEventRemoveTimeout(timer);
    g_assert_cmpint(log->calls, ==, 1);
}

static void test_close_callback(void)
{
    TestProxyd *pd = test_proxyd_start(NULL);
    virConnectPtr conn = virConnectOpen(pd->uri);
    CloseLog log = { 0 };

    g_assert_nonnull(conn);
    g_assert_cmpint(virConnectRegisterCloseCallback(conn, on_close, &log, on_close_free), ==, 0);
    g_assert_cmpint(virConnectRegisterCloseCallback(conn, on_close, &log, NULL), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_INVALID);
    g_assert_cmpint(test_proxyd_signal(pd, SIGKILL, true, WAIT_MS), >=, 0);
    run_until_closed(&log);
    g_assert_cmpint(log.reason, ==, VIR_CONNECT_CLOSE_REASON_EOF);
    g_assert_cmpint(virConnectIsAlive(conn), ==, 0);
    g_assert_cmpint(virConnectNumOfDomains(conn), ==, -1);
    g_assert_cmpint(virConnectUnregisterCloseCallback(conn, on_close), ==, 0);
    g_assert_cmpint(log.freed, ==, 1);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    test_proxyd_stop(pd);
}

static void test_keepalive(void)
{
    TestProxyd *pd = test_proxyd_start(NULL);
    virConnectPtr conn = virConnectOpen(pd->uri);
    virConnectPtr local = virConnectOpen("test:///default");
    CloseLog log = { 0 };
    int64_t start;

    g_assert_nonnull(conn);
    /* in process there is nothing to keep alive */
    g_assert_cmpint(virConnectSetKeepAlive(local, 5, 6), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_NO_SUPPORT);
    virConnectClose(local);

    g_assert_cmpint(virConnectRegisterCloseCallback(conn, on_close, &log, NULL), ==, 0);
    g_assert_cmpint(virConnectSetKeepAlive(conn, 1, 1), ==, 0);
    /* a stopped daemon answers nothing: after 1 s a ping, after 2 s the close */
    start = g_get_monotonic_time();
    g_assert_cmpint(test_proxyd_signal(pd, SIGSTOP, false, 0), ==, 0);
    run_until_closed(&log);
    g_assert_cmpint(log.reason, ==, VIR_CONNECT_CLOSE_REASON_KEEPALIVE);
    g_assert_cmpint(g_get_monotonic_time() - start, >=, G_USEC_PER_SEC);
    g_assert_cmpint(virConnectIsAlive(conn), ==, 0);
    g_assert_cmpint(test_proxyd_signal(pd, SIGCONT, false, 0), ==, 0);
    g_assert_cmpint(virConnectUnregisterCloseCallback(conn, on_close), ==, 0);
    virConnectClose(conn);
    test_proxyd_stop(pd);
}

/* A quiet but answering daemon keeps the connection: its PONGs count. Unanswered,
 * pings every 1 s with 2 misses allowed would close it after 3 s; we watch for 4 s
 * (each PONG has 2 s, so a loaded machine does not fail the test). */
static void test_keepalive_answered(void)
{
    TestProxyd *pd = test_proxyd_start(NULL);
    virConnectPtr conn = virConnectOpen(pd->uri);
    int64_t deadline = g_get_monotonic_time() + 4 * G_USEC_PER_SEC;
    int timer = virEventAddTimeout(200, event_log_noop_timer, NULL, NULL);

    g_assert_cmpint(virConnectSetKeepAlive(conn, 1, 2), ==, 0);
    while (!deadline_passed(deadline))
        virEventRunDefaultImpl();
    g_assert_cmpint(virConnectIsAlive(conn), ==, 1);
    g_assert_cmpint(virConnectNumOfDomains(conn), ==, 1);
    virEventRemoveTimeout(timer);
    virConnectClose(conn);
    test_proxyd_stop(pd);
}

/* ---- what goes over the wire ---- */

/* A relay between the client and proxyd that records the client's calls as
 * "proc" (or "60[feature]" for SUPPORTS_FEATURE), in order. */
typedef struct Relay {
    char *path;
    int listen_fd;
    char *upstream;
    GThread *thread;
    GMutex lock;
    GString *calls;
} Relay;

static void relay_record(Relay *relay, RpcDecoder *decoder)
{
    RpcMessage *msg;

    while ((msg = rpc_decoder_pop(decoder))) {
        remote_connect_supports_feature_args feature = { 0 };
        const RpcPayloadType *type;

        if (msg->header.prog == REMOTE_PROGRAM && msg->header.type == RPC_MESSAGE_CALL) {
            g_mutex_lock(&relay->lock);
            g_string_append_printf(relay->calls, "%s%d", relay->calls->len ? " " : "",
                                   msg->header.proc);
            type = rpc_message_payload_type(&msg->header, NULL);
            if (msg->header.proc == REMOTE_PROC_CONNECT_SUPPORTS_FEATURE && type &&
                rpc_payload_decode(type, msg->payload, &feature, NULL))
                g_string_append_printf(relay->calls, "[%d]", feature.feature);
            g_mutex_unlock(&relay->lock);
        }
        rpc_message_free(msg);
    }
}

static gpointer relay_thread(gpointer data)
{
    Relay *relay = data;
    g_autoptr(RpcDecoder) decoder = rpc_decoder_new();
    int client = accept4(relay->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int server = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(client, >=, 0);
    strcpy(addr.sun_path, relay->upstream);
    g_assert_cmpint(connect(server, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    for (;;) {
        struct pollfd pfd[2] = { { .fd = client, .events = POLLIN },
                                 { .fd = server, .events = POLLIN } };
        char buf[65536];
        ssize_t n;

        g_assert_cmpint(poll(pfd, 2, -1), >, 0);
        if (pfd[0].revents) {
            n = read(client, buf, sizeof(buf));
            if (n <= 0)
                break;
            g_assert_true(rpc_decoder_feed(decoder, buf, (size_t)n, NULL));
            relay_record(relay, decoder);
            g_assert_cmpint(write(server, buf, (size_t)n), ==, n);
        }
        if (pfd[1].revents) {
            n = read(server, buf, sizeof(buf));
            if (n <= 0)
                break;
            g_assert_cmpint(write(client, buf, (size_t)n), ==, n);
        }
    }
    close(client);
    close(server);
    return NULL;
}

static Relay *relay_start(const char *root, const char *upstream)
{
    Relay *relay = g_new0(Relay, 1);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };

    relay->path = g_build_filename(root, "relay-sock", NULL);
    relay->upstream = g_strdup(upstream);
    relay->calls = g_string_new(NULL);
    g_mutex_init(&relay->lock);
    relay->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    strcpy(addr.sun_path, relay->path);
    g_assert_cmpint(bind(relay->listen_fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(relay->listen_fd, 1), ==, 0);
    relay->thread = g_thread_new("relay", relay_thread, relay);
    return relay;
}

/* Join after the client closed; returns the recorded calls. */
static char *relay_finish(Relay *relay)
{
    char *calls;

    g_thread_join(relay->thread);
    close(relay->listen_fd);
    calls = g_string_free(relay->calls, FALSE);
    g_mutex_clear(&relay->lock);
    g_free(relay->path);
    g_free(relay->upstream);
    g_free(relay);
    return calls;
}

static int on_nothing(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    return 0;
}

static int on_nothing_too(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    return 0;
}

/* libvirt's handshake order, the type asked once, one server registration per
 * (event, domain filter) shared by local callbacks, and virsh's close. */
static void test_wire_trace(void)
{
    TestProxyd *pd = test_proxyd_start(NULL);
    Relay *relay = relay_start(pd->root, pd->sock);
    g_autofree char *uri = g_strdup_printf("test+unix:///default?socket=%s", relay->path);
    g_autofree char *calls = NULL;
    virConnectPtr conn = virConnectOpen(uri);
    virDomainPtr dom;
    int a, b, c;

    g_assert_nonnull(conn);
    g_assert_cmpstr(virConnectGetType(conn), ==, "TEST");
    g_assert_cmpstr(virConnectGetType(conn), ==, "TEST");
    dom = virDomainLookupByName(conn, "test");
    a = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                         VIR_DOMAIN_EVENT_CALLBACK(on_nothing), NULL, NULL);
    b = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                         VIR_DOMAIN_EVENT_CALLBACK(on_nothing_too), NULL, NULL);
    c = virConnectDomainEventRegisterAny(conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                         VIR_DOMAIN_EVENT_CALLBACK(on_nothing), NULL, NULL);
    g_assert_cmpint(MIN(a, MIN(b, c)), >=, 0);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(conn, a), ==, 0);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(conn, c), ==, 0);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(conn, b), ==, 0);
    virDomainFree(dom);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    calls = relay_finish(relay);
    g_assert_cmpstr(calls, ==, "66 60[10] 1 60[14] 60[15] 3 23 316 316 317 317 2");
    test_proxyd_stop(pd);
}

/* "remote:///" lets the server choose: the open sends no name and asks for the URI
 * (110) right after it, before the feature probes, as libvirt's client does. */
static void test_server_chosen_uri(void)
{
    TestProxyd *pd = test_proxyd_start(NULL);
    Relay *relay = relay_start(pd->root, pd->sock);
    g_autofree char *uri = g_strdup_printf("remote+unix:///?socket=%s", relay->path);
    g_autofree char *calls = NULL;
    virConnectPtr conn = virConnectOpen(uri);
    char *got;

    g_assert_nonnull(conn);
    got = virConnectGetURI(conn);
    g_assert_cmpstr(got, ==, "test:///default");
    free(got);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    calls = relay_finish(relay);
    g_assert_cmpstr(calls, ==, "66 60[10] 1 110 60[14] 60[15] 2");
    test_proxyd_stop(pd);
}

/* ---- session autostart ---- */

static void test_autostart(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *root = g_dir_make_tmp("virtkit-autostart-XXXXXX", &error);
    g_autofree char *pidfile = NULL;
    g_autofree char *pid_text = NULL;
    g_autoptr(VirtUri) uri = virt_uri_parse("test+unix:///default", &error);
    g_autoptr(RpcClient) client = NULL;
    RemoteSocketEnv env = {
        .uid = 1000, /* session mode, whoever runs the test */
        .runtime_root = root,
        .daemon_path = test_proxyd_exe(),
        .sbindir = "/nonexistent",
    };
    RemoteSocketPlan plan = { 0 };
    remote_auth_list_ret auth = { 0 };

    g_assert_no_error(error);
    g_assert_true(remote_sockets_plan(uri, false, &env, remote_socket_exists, NULL, &plan, &error));
    g_assert_no_error(error);
    g_assert_false(g_file_test(plan.path, G_FILE_TEST_EXISTS));
    g_assert_cmpstr(plan.daemon_path, ==, test_proxyd_exe());
    client = remote_sockets_connect(&plan, &error);
    g_assert_no_error(error);
    g_assert_nonnull(client);
    g_assert_true(
        rpc_client_call(client, REMOTE_PROGRAM, REMOTE_PROC_AUTH_LIST, NULL, &auth, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(auth.types.types_len, ==, 1);
    rpc_payload_clear(&rpc_proc_lookup(REMOTE_PROGRAM, REMOTE_PROC_AUTH_LIST)->ret, &auth);
    g_clear_pointer(&client, rpc_client_unref);

    /* the daemon runs detached: stop it through its pid file */
    pidfile = g_build_filename(root, "run", "virtproxyd.pid", NULL);
    g_assert_true(test_wait_for_path(pidfile, WAIT_MS));
    g_assert_true(g_file_get_contents(pidfile, &pid_text, NULL, NULL));
    g_assert_cmpint(kill((pid_t)atoi(pid_text), SIGTERM), ==, 0);
    g_assert_true(test_wait_pid_exit((pid_t)atoi(pid_text), WAIT_MS));

    /* a daemon that cannot be started is reported at once */
    g_free(plan.path);
    plan.path = g_build_filename(root, "elsewhere", "sock", NULL);
    g_free(plan.daemon_path);
    plan.daemon_path = g_strdup("/nonexistent/daemon");
    g_assert_null(remote_sockets_connect(&plan, &error));
    g_assert_error(error, virt_error_quark(VIRT_FROM_REMOTE), VIRT_ERR_SYSTEM_ERROR);
    g_assert_nonnull(strstr(error->message, "/nonexistent/daemon"));
    remote_socket_plan_clear(&plan);
    g_clear_error(&error);
    test_remove_tree(root);
}

/* As a non-root user the whole open autostarts (root has no session mode). */
static void test_autostart_open(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *root = NULL;
    g_autofree char *pidfile = NULL;
    g_autofree char *pid_text = NULL;
    virConnectPtr conn;

    if (geteuid() == 0) {
        g_test_skip("root has no session daemons");
        return;
    }
    root = g_dir_make_tmp("virtkit-autostart-XXXXXX", &error);
    pidfile = g_build_filename(root, "run", "virtproxyd.pid", NULL);
    g_setenv("VIRTKIT_RUNTIME_ROOT", root, TRUE);
    g_setenv("VIRTD_PATH", test_proxyd_exe(), TRUE);
    g_unsetenv("LIBVIRT_AUTOSTART");
    conn = virConnectOpen("test+unix:///default");
    g_setenv("LIBVIRT_AUTOSTART", "0", TRUE);
    g_assert_nonnull(conn);
    g_assert_cmpint(virConnectNumOfDomains(conn), ==, 1);
    virConnectClose(conn);
    g_assert_true(test_wait_for_path(pidfile, WAIT_MS));
    g_assert_true(g_file_get_contents(pidfile, &pid_text, NULL, NULL));
    g_assert_cmpint(kill((pid_t)atoi(pid_text), SIGTERM), ==, 0);
    g_assert_true(test_wait_pid_exit((pid_t)atoi(pid_text), WAIT_MS));
    test_remove_tree(root);
    g_unsetenv("VIRTKIT_RUNTIME_ROOT");
    g_unsetenv("VIRTD_PATH");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_assert_cmpint(virEventRegisterDefaultImpl(), ==, 0);
    g_setenv("LIBVIRT_AUTOSTART", "0", TRUE);

    g_test_add_func("/client/remote/api-matches-in-process", test_api_matches_in_process);
    g_test_add_func("/client/remote/read-only", test_read_only);
    g_test_add_func("/client/remote/no-support", test_no_support_passthrough);
    g_test_add_func("/client/remote/threads", test_threads);
    g_test_add_func("/client/remote/events", test_events);
    g_test_add_func("/client/remote/events-in-process", test_events_in_process);
    g_test_add_func("/client/remote/close-callback", test_close_callback);
    g_test_add_func("/client/remote/keepalive", test_keepalive);
    g_test_add_func("/client/remote/keepalive-answered", test_keepalive_answered);
    g_test_add_func("/client/remote/wire-trace", test_wire_trace);
    g_test_add_func("/client/remote/server-chosen-uri", test_server_chosen_uri);
    g_test_add_func("/client/remote/autostart", test_autostart);
    g_test_add_func("/client/remote/autostart-open", test_autostart_open);
    return g_test_run();
}
