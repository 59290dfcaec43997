/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tier: real daemon, real-TCG guests (disk-less). A wedged QEMU (SIGSTOP) under
 * virtqemud with a short monitor timeout ($VIRTKIT_QEMU_MONITOR_TIMEOUT_MS):
 * - the job on that domain fails after the timeout with an error that names the domain
 *   and says what to do, and the domain is still running;
 * - while that job waits, reads of the same domain answer at once, a second state
 *   change on it fails at once as busy, and another domain suspends and resumes;
 * - destroy stops the stopped QEMU (SIGKILL after the grace period).
 */

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <virtkit/virtkit.h>

#include "qemud-harness.h"

#define TIMEOUT_MS 1500
#define FAST_US (G_USEC_PER_SEC / 2) /* what "at once" means on a loaded machine */

static TestQemud *qd;

static virDomainPtr start_guest(virConnectPtr conn, const char *name)
{
    g_autofree char *xml = g_strdup_printf("<domain type='qemu'><name>%s</name>"
                                           "<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                                           "<os><type arch='x86_64'>hvm</type></os></domain>",
                                           name);
    virDomainPtr dom = virDomainCreateXML(conn, xml, 0);

    g_assert_nonnull(dom);
    return dom;
}

typedef struct Suspender {
    virConnectPtr conn;
    int rc;
    int code;
    char *message;
    gint64 elapsed_us;
} Suspender;

/* virDomainSuspend of w1 on its own connection (the job that meets the wedged QEMU). */
static gpointer suspend_thread(gpointer data)
{
    Suspender *s = data;
    virDomainPtr dom = virDomainLookupByName(s->conn, "w1");
    gint64 t0 = g_get_monotonic_time();
    virErrorPtr err;

    g_assert_nonnull(dom);
    s->rc = virDomainSuspend(dom);
    s->elapsed_us = g_get_monotonic_time() - t0;
    err = virGetLastError();
    s->code = err ? err->code : 0;
    s->message = g_strdup(err && err->message ? err->message : "");
    virDomainFree(dom);
    return NULL;
}

/* Whether the job on w1 has begun: a second state change fails as busy. */
static bool w1_busy(virDomainPtr w1)
{
    virErrorPtr err;

    if (virDomainResume(w1) == 0)
        g_error("resume of the wedged w1 succeeded");
    err = virGetLastError();
    return err && err->message && strstr(err->message, "busy with suspend");
}

static void assert_fast(gint64 t0, const char *what)
{
    gint64 us = g_get_monotonic_time() - t0;

    if (us > FAST_US)
        g_error("%s took %" G_GINT64_FORMAT " ms while another domain's QEMU is wedged", what,
                us / 1000);
}

static void test_wedged(void)
{
    virConnectPtr conn = virConnectOpen(qd->uri);
    Suspender s = { .conn = virConnectOpen(qd->uri) };
    virDomainPtr w1, w2;
    GThread *thread;
    pid_t pid;
    int state = -1, reason = -1;
    gint64 t0;

    g_assert_nonnull(conn);
    g_assert_nonnull(s.conn);
    w1 = start_guest(conn, "w1");
    w2 = start_guest(conn, "w2");
    pid = test_qemud_guest_pid(qd, "w1");
    g_assert_cmpint(pid, >, 0);
    g_assert_cmpint(kill(pid, SIGSTOP), ==, 0);

    thread = g_thread_new("suspend", suspend_thread, &s);
    /* the job is under way once a second one is refused (polled: no event says so) */
    t0 = g_get_monotonic_time();
    while (!w1_busy(w1)) {
        g_assert_cmpint(g_get_monotonic_time() - t0, <, TIMEOUT_MS * 1000);
        g_usleep(10000);
    }
    t0 = g_get_monotonic_time();
    g_assert_cmpint(virDomainGetState(w1, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_RUNNING);
    assert_fast(t0, "reading the state of the wedged domain");
    t0 = g_get_monotonic_time();
    g_assert_cmpint(virDomainSuspend(w2), ==, 0);
    g_assert_cmpint(virDomainResume(w2), ==, 0);
    assert_fast(t0, "suspend and resume of another domain");

    g_thread_join(thread);
    g_assert_cmpint(s.rc, ==, -1);
    g_assert_cmpint(s.code, ==, VIR_ERR_OPERATION_TIMEOUT);
    g_test_message("the wedged domain's job: %s", s.message);
    g_assert_nonnull(strstr(s.message, "'w1'"));
    g_assert_nonnull(strstr(s.message, "did not answer 'stop'"));
    g_assert_nonnull(strstr(s.message, "destroy the domain"));
    g_assert_cmpint(s.elapsed_us, >=, TIMEOUT_MS * 1000);
    g_assert_cmpint(s.elapsed_us, <, 10 * G_USEC_PER_SEC);
    g_assert_cmpint(virDomainGetState(w1, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_RUNNING);

    /* destroy: SIGTERM waits for SIGCONT, the grace period ends with SIGKILL */
    g_assert_cmpint(virDomainDestroy(w1), ==, 0);
    g_assert_cmpint(kill(pid, 0), ==, -1);
    g_assert_cmpint(virDomainDestroy(w2), ==, 0);
    virDomainFree(w1);
    virDomainFree(w2);
    g_free(s.message);
    g_assert_cmpint(virConnectClose(s.conn), >=, 0);
    g_assert_cmpint(virConnectClose(conn), >=, 0);
}

int main(int argc, char **argv)
{
    g_autofree char *reason = NULL;
    g_autofree char *timeout = g_strdup_printf("%d", TIMEOUT_MS);
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (!test_qemud_usable(&reason)) {
        g_test_skip(reason);
        return 77;
    }
    g_setenv("VIRTKIT_QEMU_MONITOR_TIMEOUT_MS", timeout, TRUE); /* the daemon inherits it */
    qd = test_qemud_start();
    g_test_add_func("/qemu/qemud-wedged/timeout", test_wedged);
    ret = g_test_run();
    test_qemud_stop(qd);
    return ret;
}
