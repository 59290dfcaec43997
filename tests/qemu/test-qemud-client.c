/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtqemud through libclient (tier: real daemon, real-TCG for the guests): host
 * calls and capabilities, define/list/dumpxml/undefine with the config files, errors
 * (unknown element at start, start of a running domain), a disk-less TCG guest
 * started, paused, resumed and destroyed with its lifecycle events in order, a
 * transient guest that vanishes when destroyed, a guest saved to a file and restored
 * (the image's XML read and redefined, a relative path, the refusals).
 */

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <virtkit/virtkit.h>

#include "qemud-harness.h"
#include "remote-harness.h"

#define WAIT_MS 20000

static TestQemud *qd;
static virConnectPtr conn;

static const char guest_xml[] = "<domain type='qemu'>\n"
                                "  <name>%s</name>\n"
                                "  <memory unit='MiB'>64</memory>\n"
                                "  <vcpu>1</vcpu>\n"
                                "  <os><type arch='x86_64'>hvm</type></os>\n"
                                "%s"
                                "</domain>\n";

static char *guest(const char *name, const char *extra)
{
    return g_strdup_printf(guest_xml, name, extra ? extra : "");
}

static void assert_error(int code, const char *part)
{
    virErrorPtr err = virGetLastError();

    g_assert_nonnull(err);
    if (err->code != code || !strstr(err->message, part))
        g_error("expected error %d with '%s', got %d: %s", code, part, err->code, err->message);
}

static char *root_path(const char *rel)
{
    return g_build_filename(qd->root, rel, NULL);
}

/* ---- host ---- */

static void test_host(void)
{
    g_autofree char *uri = virConnectGetURI(conn);
    g_autofree char *caps = virConnectGetCapabilities(conn);
    unsigned long version = 0;
    virNodeInfo info;

    g_assert_true(g_str_has_prefix(uri, "qemu+unix:///system"));
    g_assert_cmpstr(virConnectGetType(conn), ==, "QEMU");
    g_assert_cmpint(virConnectGetVersion(conn, &version), ==, 0);
    g_assert_cmpuint(version, >=, 7000000);
    g_assert_nonnull(caps);
    g_assert_nonnull(strstr(caps, "<domain type='qemu'"));
    g_assert_nonnull(strstr(caps, "qemu-system-x86_64</emulator>"));
    g_assert_cmpint(virNodeGetInfo(conn, &info), ==, 0);
    g_assert_cmpuint(info.cpus, >, 0);
    g_assert_cmpuint(info.memory, >, 0);
    g_assert_cmpint(virConnectGetMaxVcpus(conn, "qemu"), >, 1);
}

/* ---- definitions ---- */

static void test_define_undefine(void)
{
    g_autofree char *xml = guest("def1", NULL);
    g_autofree char *config = root_path("etc/qemu/def1.xml");
    g_autofree char *dump = NULL;
    g_autofree char *saved = NULL;
    virDomainPtr *doms = NULL;
    virDomainPtr dom = virDomainDefineXML(conn, xml);
    int n, state, reason;

    g_assert_nonnull(dom);
    /* the QEMU driver's defaults: canonical machine, emulator, controllers */
    dump = virDomainGetXMLDesc(dom, 0);
    g_assert_nonnull(strstr(dump, "machine='pc-i440fx-"));
    g_assert_nonnull(strstr(dump, "<emulator>"));
    g_assert_nonnull(strstr(dump, "<memballoon model='virtio'/>"));
    g_assert_true(g_file_get_contents(config, &saved, NULL, NULL));
    g_assert_nonnull(strstr(saved, "<name>def1</name>"));
    g_assert_cmpint(virDomainGetState(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_SHUTOFF);
    n = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_INACTIVE);
    g_assert_cmpint(n, ==, 1);
    g_assert_cmpstr(virDomainGetName(doms[0]), ==, "def1");
    virDomainFree(doms[0]);
    free(doms);

    g_assert_cmpint(virDomainSetAutostart(dom, 1), ==, 0);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    g_assert_false(g_file_test(config, G_FILE_TEST_EXISTS));
    g_assert_null(virDomainLookupByName(conn, "def1"));
    assert_error(VIR_ERR_NO_DOMAIN, "def1");
    virDomainFree(dom);
}

/* A config survives the daemon: killed and started again, the domain is still there. */
static void test_define_survives_restart(void)
{
    g_autofree char *xml = guest("keep1", NULL);
    virDomainPtr dom = virDomainDefineXML(conn, xml);

    g_assert_nonnull(dom);
    virDomainFree(dom);
    virConnectClose(conn);
    test_qemud_kill(qd, SIGKILL);
    test_qemud_restart(qd);
    conn = virConnectOpen(qd->uri);
    g_assert_nonnull(conn);
    dom = virDomainLookupByName(conn, "keep1");
    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);
}

static void test_define_errors(void)
{
    g_autofree char *bad_arch = guest("bad1", "<devices><emulator>/nonexistent/qemu</emulator>"
                                              "</devices>\n");

    g_assert_null(virDomainDefineXML(conn, "<domain type='qemu'><name>x</name></domain>"));
    g_assert_null(virDomainDefineXML(conn, bad_arch));
    g_assert_null(virDomainLookupByName(conn, "bad1"));
}

/* ---- guests (real TCG) ---- */

typedef struct EventLog {
    GString *text;
    int count;
} EventLog;

static int on_lifecycle(virConnectPtr c, virDomainPtr dom, int event, int detail, void *opaque)
{
    EventLog *log = opaque;

    g_string_append_printf(log->text, "%s:%d/%d ", virDomainGetName(dom), event, detail);
    log->count++;
    return 0;
}

static void noop_timer(int timer, void *opaque)
{
}

static void run_until(EventLog *log, int count)
{
    int64_t deadline = g_get_monotonic_time() + (int64_t)WAIT_MS * 1000;

    while (log->count < count) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_assert_cmpint(virEventRunDefaultImpl(), ==, 0);
    }
}

static void assert_state(virDomainPtr dom, int want_state, int want_reason)
{
    int state = -1, reason = -1;

    g_assert_cmpint(virDomainGetState(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, want_state);
    g_assert_cmpint(reason, ==, want_reason);
}

static void test_guest_lifecycle(void)
{
    g_autofree char *xml = guest("tcg1", NULL);
    g_autofree char *status = root_path("run/qemu/tcg1.xml");
    g_autofree char *saved = NULL;
    g_autofree char *expect = NULL;
    EventLog log = { .text = g_string_new(NULL) };
    int timer = virEventAddTimeout(100, noop_timer, NULL, NULL);
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), &log, NULL);
    virDomainPtr dom;
    pid_t pid;

    g_assert_cmpint(id, >=, 0);
    dom = virDomainDefineXML(conn, xml);
    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    g_assert_cmpint((int)virDomainGetID(dom), >, 0);
    assert_state(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    pid = test_qemud_guest_pid(qd, "tcg1");
    g_assert_cmpint(pid, >, 0);
    /* the status file: state, reason, pid, QMP socket and the live definition */
    g_assert_true(g_file_get_contents(status, &saved, NULL, NULL));
    expect = g_strdup_printf("<domstatus state='running' reason='booted' pid='%d' id='%d'", pid,
                             (int)virDomainGetID(dom));
    g_assert_true(g_str_has_prefix(saved, expect));
    g_assert_nonnull(strstr(saved, "monitor.sock' type='unix'/>"));
    g_assert_nonnull(strstr(saved, "<domain type='qemu' id='"));
    g_assert_cmpint(kill(pid, 0), ==, 0);

    g_assert_cmpint(virDomainCreate(dom), ==, -1);
    assert_error(VIR_ERR_OPERATION_INVALID, "already running");

    g_assert_cmpint(virDomainSuspend(dom), ==, 0);
    assert_state(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    g_assert_cmpint(virDomainSuspend(dom), ==, -1);
    g_assert_cmpint(virDomainResume(dom), ==, 0);
    assert_state(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);

    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    assert_state(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED);
    g_assert_true(test_wait_pid_exit(pid, WAIT_MS));
    g_assert_false(g_file_test(status, G_FILE_TEST_EXISTS));
    g_assert_cmpint(virDomainDestroy(dom), ==, -1);
    assert_error(VIR_ERR_OPERATION_INVALID, "not running");
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);

    run_until(&log, 6);
    g_assert_cmpstr(log.text->str, ==, "tcg1:0/0 tcg1:2/0 tcg1:3/0 tcg1:4/0 tcg1:5/1 tcg1:1/0 ");
    g_assert_cmpint(virConnectDomainEventDeregisterAny(conn, id), ==, 0);
    g_assert_cmpint(virEventRemoveTimeout(timer), ==, 0);
    g_string_free(log.text, TRUE);
    virDomainFree(dom);
}

/* A transient guest: started paused from XML, gone once destroyed. */
static void test_guest_transient(void)
{
    g_autofree char *xml = guest("tcg2", NULL);
    virDomainPtr dom = virDomainCreateXML(conn, xml, VIR_DOMAIN_START_PAUSED);

    g_assert_nonnull(dom);
    assert_state(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    g_assert_cmpint(virDomainIsPersistent(dom), ==, 0);
    g_assert_cmpint(virDomainUndefine(dom), ==, -1);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_null(virDomainLookupByName(conn, "tcg2"));
    virDomainFree(dom);
}

/* A new config while running waits for the stop; undefine of a running domain makes
 * it transient, and it goes away when destroyed. */
static void test_guest_redefine_undefine_running(void)
{
    g_autofree char *xml = guest("tcg3", NULL);
    g_autofree char *config = root_path("etc/qemu/tcg3.xml");
    g_autofree char *status = root_path("run/qemu/tcg3.xml");
    g_autofree char *live = NULL;
    g_autofree char *inactive = NULL;
    virDomainPtr dom = virDomainDefineXML(conn, xml);
    virDomainPtr again;
    char *at;

    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    /* the same domain with 96 MiB: the live definition keeps 64 MiB until the stop */
    inactive = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    at = strstr(inactive, "<memory unit='KiB'>65536</memory>");
    g_assert_nonnull(at);
    memcpy(at + strlen("<memory unit='KiB'>"), "98304", 5);
    again = virDomainDefineXML(conn, inactive);
    g_assert_nonnull(again);
    virDomainFree(again);
    g_clear_pointer(&inactive, g_free);
    live = virDomainGetXMLDesc(dom, 0);
    inactive = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    g_assert_nonnull(strstr(live, "<memory unit='KiB'>65536</memory>"));
    g_assert_nonnull(strstr(inactive, "<memory unit='KiB'>98304</memory>"));

    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    g_assert_cmpint(virDomainIsActive(dom), ==, 1);
    g_assert_cmpint(virDomainIsPersistent(dom), ==, 0);
    g_assert_false(g_file_test(config, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(status, G_FILE_TEST_EXISTS));
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_null(virDomainLookupByName(conn, "tcg3"));
    g_assert_false(g_file_test(status, G_FILE_TEST_EXISTS));
    virDomainFree(dom);
}

/* What the driver does not implement refuses the start, naming the element. */
static void test_guest_unknown_element(void)
{
    g_autofree char *xml = guest("odd1", "<devices><watchdog model='i6300esb'/></devices>\n");
    virDomainPtr dom = virDomainDefineXML(conn, xml);

    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainCreate(dom), ==, -1);
    assert_error(VIR_ERR_CONFIG_UNSUPPORTED, "watchdog");
    assert_state(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_UNKNOWN);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);
}

/* Save to a file and restore through libclient: the image's XML read and redefined,
 * a relative path made absolute by the library, the refusals. */
static void test_guest_save_restore(void)
{
    g_autofree char *xml = guest("sv1", NULL);
    g_autofree char *image = root_path("sv1.img");
    g_autofree char *cwd = g_get_current_dir();
    g_autofree char *image_xml = NULL;
    g_autofree char *redefined = NULL;
    g_autofree char *live = NULL;
    g_auto(GStrv) parts = NULL;
    virDomainPtr dom = virDomainDefineXML(conn, xml);

    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainSave(dom, image), ==, -1);
    assert_error(VIR_ERR_OPERATION_INVALID, "not running");
    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    g_assert_cmpint(
        virDomainSaveFlags(dom, image, NULL, VIR_DOMAIN_SAVE_RUNNING | VIR_DOMAIN_SAVE_PAUSED), ==,
        -1);
    assert_error(VIR_ERR_INVALID_ARG, "mutually exclusive");
    g_assert_cmpint(virDomainSaveFlags(dom, image, NULL, VIR_DOMAIN_SAVE_PAUSED), ==, 0);
    g_assert_cmpint((int)virDomainGetID(dom), ==, -1);
    assert_state(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SAVED);

    image_xml = virDomainSaveImageGetXMLDesc(conn, image, 0);
    g_assert_nonnull(image_xml);
    g_assert_nonnull(strstr(image_xml, "<name>sv1</name>"));
    parts = g_strsplit(image_xml, "</name>", 2);
    redefined =
        g_strconcat(parts[0], "</name><description>from the image</description>", parts[1], NULL);
    g_assert_cmpint(virDomainSaveImageDefineXML(conn, image, redefined, VIR_DOMAIN_SAVE_RUNNING),
                    ==, 0);

    /* a relative path: the library makes it absolute against the caller's directory */
    g_assert_cmpint(chdir(qd->root), ==, 0);
    g_assert_cmpint(virDomainRestore(conn, "sv1.img"), ==, 0);
    g_assert_cmpint(chdir(cwd), ==, 0);
    assert_state(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_RESTORED);
    live = virDomainGetXMLDesc(dom, 0);
    g_assert_nonnull(strstr(live, "from the image"));
    g_assert_cmpint(virDomainRestore(conn, image), ==, -1);
    assert_error(VIR_ERR_OPERATION_INVALID, "already active");
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_cmpint(virDomainRestoreFlags(conn, image, NULL, VIR_DOMAIN_SAVE_PAUSED), ==, 0);
    assert_state(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION); /* as libvirt 9.0 */
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_null(virDomainSaveImageGetXMLDesc(conn, "", 0));
    assert_error(VIR_ERR_INVALID_ARG, "must not be empty");
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);
}

int main(int argc, char **argv)
{
    g_autofree char *reason = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (!test_qemud_usable(&reason)) {
        g_test_skip(reason);
        return 77;
    }
    qd = test_qemud_start();
    g_assert_cmpint(virEventRegisterDefaultImpl(), ==, 0);
    conn = virConnectOpen(qd->uri);
    g_assert_nonnull(conn);
    g_test_add_func("/qemud/host", test_host);
    g_test_add_func("/qemud/define-undefine", test_define_undefine);
    g_test_add_func("/qemud/define-survives-restart", test_define_survives_restart);
    g_test_add_func("/qemud/define-errors", test_define_errors);
    g_test_add_func("/qemud/guest/lifecycle", test_guest_lifecycle);
    g_test_add_func("/qemud/guest/transient", test_guest_transient);
    g_test_add_func("/qemud/guest/unknown-element", test_guest_unknown_element);
    g_test_add_func("/qemud/guest/redefine-undefine-running", test_guest_redefine_undefine_running);
    g_test_add_func("/qemud/guest/save-restore", test_guest_save_restore);
    ret = g_test_run();
    virConnectClose(conn);
    test_qemud_stop(qd);
    return ret;
}
