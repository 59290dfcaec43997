/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virDomainCreateXMLWithFiles / virDomainCreateWithFiles through libclient (tier: real
 * daemons). Against tests/daemon's fake driver in a forked daemon, whose
 * create-with-files writes the domain's name into every descriptor but the first and
 * keeps the first while the domain runs: the descriptors arrive, in order, and the
 * daemon's /proc/PID/fd count shows the kept one. Against the real proxyd with
 * test:///default, which starts the domain and leaves the descriptors alone as
 * libvirt's test driver does: the daemon closes them (the pipes see EOF) and its
 * descriptor count comes back. In process, test:///default accepts and ignores them.
 * Every error path (invalid XML, a read-only connection, a descriptor that is not
 * open, 33 descriptors) fails with its error and leaves the caller's descriptor
 * table as it was: the caller's descriptors stay open, no copy lingers. In process,
 * as with libvirt's test driver, descriptors are not even looked at.
 */

#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "client-priv.h"
#include "../daemon/fake-driver.h" /* not tests/client's fake driver */
#include "remote-harness.h"
#include "test-harness.h"

#define WAIT_MS 10000

static const char dom_xml[] = "<domain type='test'>\n"
                              "  <name>%s</name>\n"
                              "  <memory unit='KiB'>65536</memory>\n"
                              "  <os><type arch='i686'>hvm</type></os>\n"
                              "</domain>\n";

/* Close our write end; then whether every other copy is gone too (EOF in time). */
static bool pipe_release(TestPipe *p)
{
    bool closed;

    close(p->w);
    closed = test_pipe_closed(p->r, WAIT_MS);
    close(p->r);
    return closed;
}

static void assert_error(int code, const char *part)
{
    virErrorPtr err = virGetLastError();

    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, code);
    if (part && !strstr(err->message, part))
        g_error("'%s' is not in the error message '%s'", part, err->message);
}

/* The caller's own descriptors are untouched: still open, nothing more, nothing less. */
static void assert_own_fds(unsigned int base, const int *fds, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++)
        g_assert_cmpint(fcntl(fds[i], F_GETFD), >=, 0);
    g_assert_cmpuint(test_count_fds(getpid()), ==, base);
}

/* The fake driver sees the descriptors, in order: it writes into the second and keeps
 * the first (one more in the daemon) until the domain is destroyed. */
static void test_fake_daemon_gets_fds(void)
{
    TestDaemon *td = test_daemon_start(&fake_driver_ops, &fake_driver_info, NULL);
    g_autofree char *uri = g_strdup_printf("fake+unix:///default?socket=%s", td->sock_rw);
    virConnectPtr conn = virConnectOpen(uri);
    virDomainPtr dom = NULL;
    TestPipe kept = test_pipe_new(), written = test_pipe_new();
    int fds[2] = { kept.w, written.w };
    unsigned int base, daemon_base;
    char buf[16] = { 0 };
    struct pollfd pfd = { kept.r, POLLIN, 0 };

    g_assert_nonnull(conn);
    dom = virDomainDefineXML(conn, "<domain><name>files</name></domain>");
    g_assert_nonnull(dom);
    base = test_count_fds(getpid());
    daemon_base = test_count_fds(td->pid);
    g_assert_cmpint(virDomainCreateWithFiles(dom, 2, fds, 0), ==, 0);
    g_assert_cmpint(virDomainGetID(dom), >, 0);
    assert_own_fds(base, fds, 2);
    g_assert_cmpint(read(written.r, buf, sizeof(buf) - 1), ==, 5);
    g_assert_cmpstr(buf, ==, "files");
    g_assert_true(pipe_release(&written));
    g_assert_true(test_wait_fd_count(td->pid, daemon_base + 1, WAIT_MS));
    close(kept.w);
    g_assert_cmpint(poll(&pfd, 1, 0), ==, 0); /* the daemon's copy holds it open */
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_true(test_pipe_closed(kept.r, WAIT_MS));
    close(kept.r);
    g_assert_true(test_wait_fd_count(td->pid, daemon_base, WAIT_MS));

    /* not implemented by the fake: its NO_SUPPORT comes back, nothing stays open */
    kept = test_pipe_new();
    base = test_count_fds(getpid());
    g_assert_null(
        virDomainCreateXMLWithFiles(conn, "<domain><name>x</name></domain>", 1, &kept.w, 0));
    assert_error(VIR_ERR_NO_SUPPORT, NULL);
    assert_own_fds(base, &kept.w, 1);
    g_assert_true(pipe_release(&kept));
    g_assert_true(test_wait_fd_count(td->pid, daemon_base, WAIT_MS));

    virDomainFree(dom);
    virConnectClose(conn);
    g_assert_cmpint(test_daemon_stop(td), ==, 0);
    test_daemon_free(td);
}

/* proxyd's test driver starts the domains and leaves the descriptors to the daemon,
 * which closes them. */
static void test_proxyd_create_with_files(void)
{
    TestProxyd *pd = test_proxyd_start(NULL);
    virConnectPtr conn = virConnectOpen(pd->uri);
    g_autofree char *xml = g_strdup_printf(dom_xml, "withfiles");
    g_autofree char *defined_xml = g_strdup_printf(dom_xml, "defined");
    TestPipe p[2] = { test_pipe_new(), test_pipe_new() };
    int fds[2] = { p[0].w, p[1].w };
    virDomainPtr dom, defined;
    unsigned int base, daemon_base;

    g_assert_nonnull(conn);
    defined = virDomainDefineXML(conn, defined_xml);
    g_assert_nonnull(defined);
    base = test_count_fds(getpid());
    daemon_base = test_count_fds(pd->pid);

    dom = virDomainCreateXMLWithFiles(conn, xml, 2, fds, 0);
    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainIsActive(dom), ==, 1);
    g_assert_cmpint(virDomainGetID(dom), >, 0);
    assert_own_fds(base, fds, 2);
    g_assert_true(pipe_release(&p[0]));
    g_assert_true(pipe_release(&p[1]));
    g_assert_true(test_wait_fd_count(pd->pid, daemon_base, WAIT_MS));

    p[0] = test_pipe_new();
    base = test_count_fds(getpid());
    g_assert_cmpint(virDomainCreateWithFiles(defined, 1, &p[0].w, 0), ==, 0);
    g_assert_cmpint(virDomainIsActive(defined), ==, 1);
    g_assert_cmpint(virDomainGetID(defined), >, 0);
    assert_own_fds(base, &p[0].w, 1);
    g_assert_true(pipe_release(&p[0]));
    g_assert_true(test_wait_fd_count(pd->pid, daemon_base, WAIT_MS));

    virDomainFree(dom);
    virDomainFree(defined);
    virConnectClose(conn);
    test_proxyd_stop(pd);
}

/* Every refusal leaves the caller's table as it was and the daemon's too; the
 * connection goes on working. */
static void test_proxyd_refusals(void)
{
    TestProxyd *pd = test_proxyd_start(NULL);
    virConnectPtr conn = virConnectOpen(pd->uri);
    virConnectPtr ro = virConnectOpenReadOnly(pd->uri_ro);
    g_autofree char *xml = g_strdup_printf(dom_xml, "refused");
    int many[33];
    TestPipe p = test_pipe_new();
    unsigned int base, daemon_base;
    int closed_fd;

    g_assert_nonnull(conn);
    g_assert_nonnull(ro);
    for (size_t i = 0; i < G_N_ELEMENTS(many); i++)
        many[i] = p.w;
    base = test_count_fds(getpid());
    daemon_base = test_count_fds(pd->pid);

    /* the daemon parses and refuses: the descriptor it got is closed */
    g_assert_null(virDomainCreateXMLWithFiles(conn, "<domain", 1, &p.w, 0));
    g_assert_cmpint(virGetLastError()->code == VIR_ERR_XML_ERROR ||
                        virGetLastError()->code == VIR_ERR_XML_DETAIL,
                    ==, TRUE);
    assert_own_fds(base, &p.w, 1);

    /* refused before anything is sent */
    g_assert_null(virDomainCreateXMLWithFiles(conn, xml, G_N_ELEMENTS(many), many, 0));
    assert_error(VIR_ERR_RPC, "at most 32");
    assert_own_fds(base, &p.w, 1);
    g_assert_null(virDomainCreateXMLWithFiles(ro, xml, 1, &p.w, 0));
    assert_error(VIR_ERR_OPERATION_DENIED, NULL);
    assert_own_fds(base, &p.w, 1);
    g_assert_null(virDomainCreateXMLWithFiles(conn, xml, 1, NULL, 0));
    assert_error(VIR_ERR_INVALID_ARG, "files");
    closed_fd = fcntl(p.w, F_DUPFD_CLOEXEC, 3);
    close(closed_fd);
    g_assert_null(virDomainCreateXMLWithFiles(conn, xml, 1, &closed_fd, 0));
    assert_error(VIR_ERR_SYSTEM_ERROR, "Unable to duplicate FD");
    assert_own_fds(base, &p.w, 1);

    g_assert_true(pipe_release(&p));
    g_assert_true(test_wait_fd_count(pd->pid, daemon_base, WAIT_MS));
    /* nothing was started and the connection works */
    g_assert_null(virDomainLookupByName(conn, "refused"));
    assert_error(VIR_ERR_NO_DOMAIN, NULL);
    virConnectClose(ro);
    virConnectClose(conn);
    test_proxyd_stop(pd);
}

/* In process, test:///default starts the domain and ignores the descriptors, which
 * stay the caller's. */
static void test_in_process(void)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    g_autofree char *xml = g_strdup_printf(dom_xml, "inproc");
    g_autofree char *defined_xml = g_strdup_printf(dom_xml, "inproc-defined");
    TestPipe p = test_pipe_new();
    virDomainPtr dom;
    unsigned int base;
    struct pollfd pfd = { p.r, POLLIN, 0 };

    g_assert_nonnull(conn);
    base = test_count_fds(getpid());
    dom = virDomainCreateXMLWithFiles(conn, xml, 1, &p.w, 0);
    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainIsActive(dom), ==, 1);
    assert_own_fds(base, &p.w, 1);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virDomainFree(dom);
    dom = virDomainDefineXML(conn, defined_xml);
    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainCreateWithFiles(dom, 1, &p.w, 0), ==, 0);
    g_assert_cmpint(virDomainIsActive(dom), ==, 1);
    g_assert_cmpint(virDomainGetID(dom), >, 0);
    assert_own_fds(base, &p.w, 1);
    g_assert_cmpint(poll(&pfd, 1, 0), ==, 0); /* open, nothing written */
    g_assert_true(pipe_release(&p));
    /* nothing checks them: a descriptor that is not open is accepted (libvirt's too) */
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_cmpint(virDomainCreateWithFiles(dom, 1, (int[]){ -1 }, 0), ==, 0);
    virDomainFree(dom);
    virConnectClose(conn);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/client/remote-fds/fake-daemon-gets-fds", test_fake_daemon_gets_fds);
    g_test_add_func("/client/remote-fds/proxyd-create-with-files", test_proxyd_create_with_files);
    g_test_add_func("/client/remote-fds/proxyd-refusals", test_proxyd_refusals);
    g_test_add_func("/client/remote-fds/in-process", test_in_process);
    return g_test_run();
}
