/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Socket choice of remote connections (remote_sockets_plan, pure), table-driven:
 * libvirt's rules for direct vs legacy sockets, read-only, session vs system mode,
 * ?socket= and ?mode=, autostart and its switches, and the refusals.
 */

#include <string.h>

#include <glib.h>

#include "remote-sockets.h"
#include "util/error.h"

#define QEMU_SOCK "virtqemud-sock"
#define LEGACY_SOCK "libvirt-sock"

typedef struct PlanCase {
    const char *uri;
    bool readonly;
    uid_t uid;
    const char *existing; /* socket file names that exist, ',' separated */
    const char *autostart;
    const char *runtime_root;
    /* expected */
    const char *path; /* NULL: an error */
    bool session;
    const char *daemon; /* what autostart runs, NULL for none */
    int code;           /* the error code when path is NULL */
} PlanCase;

static const PlanCase cases[] = {
    /* system mode: the driver daemon when it runs, else the legacy socket */
    { "qemu:///system", false, 0, "", NULL, NULL, "/var/run/libvirt/" LEGACY_SOCK },
    { "qemu:///system", false, 0, QEMU_SOCK, NULL, NULL, "/var/run/libvirt/" QEMU_SOCK },
    { "qemu:///system", false, 0, LEGACY_SOCK, NULL, NULL, "/var/run/libvirt/" LEGACY_SOCK },
    { "qemu:///system", false, 0, QEMU_SOCK "," LEGACY_SOCK, NULL, NULL,
      "/var/run/libvirt/" QEMU_SOCK },
    { "qemu+unix:///system", true, 0, QEMU_SOCK "-ro", NULL, NULL,
      "/var/run/libvirt/" QEMU_SOCK "-ro" },
    { "qemu:///system", true, 0, "", NULL, NULL, "/var/run/libvirt/" LEGACY_SOCK "-ro" },
    { "xen:///system", false, 0, "virtxend-sock", NULL, NULL, "/var/run/libvirt/virtxend-sock" },
    { "lxc:///system", false, 0, "virtlxcd-sock", NULL, NULL, "/var/run/libvirt/virtlxcd-sock" },
    { "bhyve:///system", false, 0, "virtbhyved-sock", NULL, NULL,
      "/var/run/libvirt/virtbhyved-sock" },
    /* the test driver lives in proxyd: always the legacy socket */
    { "test+unix:///default", false, 0, "", NULL, NULL, "/var/run/libvirt/" LEGACY_SOCK },
    { "remote:///", false, 0, "virtremoted-sock", NULL, NULL, "/var/run/libvirt/" LEGACY_SOCK },
    /* mode= forces one or the other */
    { "qemu:///system?mode=direct", false, 0, "", NULL, NULL, "/var/run/libvirt/" QEMU_SOCK },
    { "qemu:///system?mode=legacy", false, 0, QEMU_SOCK, NULL, NULL,
      "/var/run/libvirt/" LEGACY_SOCK },
    { "qemu:///system?mode=bogus", false, 0, "", NULL, NULL, NULL, false, NULL,
      VIRT_ERR_INVALID_ARG },
    /* ?socket= wins over everything */
    { "qemu:///system?socket=/tmp/x.sock", true, 0, QEMU_SOCK, NULL, NULL, "/tmp/x.sock" },
    /* session mode: non-root and /session or test+; starts the daemon */
    { "qemu:///session", false, 1000, "", NULL, NULL, "/xdg/libvirt/" LEGACY_SOCK, true,
      "/sbin/proxyd" },
    { "qemu:///session", false, 1000, QEMU_SOCK, NULL, NULL, "/xdg/libvirt/" QEMU_SOCK, true,
      "/sbin/virtqemud" },
    { "qemu:///session?mode=direct", false, 1000, "", NULL, NULL, "/xdg/libvirt/" QEMU_SOCK, true,
      "/sbin/virtqemud" },
    { "qemu:///session", true, 1000, QEMU_SOCK, NULL, NULL, "/xdg/libvirt/" QEMU_SOCK, true,
      "/sbin/virtqemud" },
    { "test+unix:///default", false, 1000, "", NULL, NULL, "/xdg/libvirt/" LEGACY_SOCK, true,
      "/sbin/proxyd" },
    { "qemu:///session", false, 1000, "", "0", NULL, "/xdg/libvirt/" LEGACY_SOCK, true, NULL },
    { "qemu:///session", false, 1000, "", "1", NULL, "/xdg/libvirt/" LEGACY_SOCK, true,
      "/sbin/proxyd" },
    /* root has no session mode; non-root /system is system mode (and never starts) */
    { "qemu:///session", false, 0, "", NULL, NULL, "/var/run/libvirt/" LEGACY_SOCK },
    { "qemu:///system", false, 1000, "", NULL, NULL, "/var/run/libvirt/" LEGACY_SOCK },
    /* a runtime root relocates both modes, like the daemons' --root */
    { "qemu:///system", false, 0, "", NULL, "/r", "/r/run/libvirt/" LEGACY_SOCK },
    { "qemu:///session", false, 1000, "", NULL, "/r", "/r/run/libvirt/" LEGACY_SOCK, true,
      "/sbin/proxyd" },
    /* refusals */
    { "qemu+ssh://host/system", false, 0, "", NULL, NULL, NULL, false, NULL, VIRT_ERR_NO_SUPPORT },
    { "qemu+tls://host/system", false, 0, "", NULL, NULL, NULL, false, NULL, VIRT_ERR_NO_SUPPORT },
    { "qemu+unix://host/system", false, 0, "", NULL, NULL, NULL, false, NULL,
      VIRT_ERR_INVALID_ARG },
    { "qemu://host/system", false, 0, "", NULL, NULL, NULL, false, NULL, VIRT_ERR_NO_SUPPORT },
};

static bool fake_exists(const char *path, void *user_data)
{
    g_auto(GStrv) names = g_strsplit(user_data, ",", -1);
    g_autofree char *base = g_path_get_basename(path);

    return names[0] && g_strv_contains((const char *const *)names, base);
}

static void test_plan(gconstpointer data)
{
    const PlanCase *c = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(VirtUri) uri = virt_uri_parse(c->uri, &error);
    RemoteSocketEnv env = {
        .uid = c->uid,
        .runtime_root = c->runtime_root,
        .xdg_runtime_dir = "/xdg",
        .autostart = c->autostart,
        .sbindir = "/sbin",
    };
    RemoteSocketPlan plan = { 0 };
    bool ok;

    g_assert_no_error(error);
    ok = remote_sockets_plan(uri, c->readonly, &env, fake_exists, (void *)c->existing, &plan,
                             &error);
    if (!c->path) {
        g_assert_false(ok);
        g_assert_nonnull(error);
        g_assert_cmpint(error->code, ==, c->code);
        g_assert_null(plan.path);
        return;
    }
    g_assert_no_error(error);
    g_assert_true(ok);
    g_assert_cmpstr(plan.path, ==, c->path);
    g_assert_cmpint(plan.session, ==, c->session);
    g_assert_cmpstr(plan.daemon_path, ==, c->daemon);
    g_assert_cmpstr(plan.root, ==, c->daemon ? c->runtime_root : NULL);
    remote_socket_plan_clear(&plan);
}

/* $VIRTD_PATH names the daemon to start, whatever the mode chose. */
static void test_daemon_path_override(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VirtUri) uri = virt_uri_parse("qemu:///session", &error);
    RemoteSocketEnv env = {
        .uid = 1000, .xdg_runtime_dir = "/xdg", .daemon_path = "/opt/d", .sbindir = "/sbin"
    };
    RemoteSocketPlan plan = { 0 };

    g_assert_true(remote_sockets_plan(uri, false, &env, fake_exists, (void *)"", &plan, &error));
    g_assert_cmpstr(plan.daemon_path, ==, "/opt/d");
    remote_socket_plan_clear(&plan);
}

/* Session mode needs $XDG_RUNTIME_DIR (or a runtime root). */
static void test_session_without_runtime_dir(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VirtUri) uri = virt_uri_parse("qemu:///session", &error);
    RemoteSocketEnv env = { .uid = 1000, .sbindir = "/sbin" };
    RemoteSocketPlan plan = { 0 };

    g_assert_false(remote_sockets_plan(uri, false, &env, fake_exists, (void *)"", &plan, &error));
    g_assert_error(error, virt_error_quark(VIRT_FROM_REMOTE), VIRT_ERR_INTERNAL_ERROR);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *name = g_strdelimit(g_strdup(cases[i].uri), "/", '_');
        g_autofree char *path =
            g_strdup_printf("/client/remote-sockets/%zu %s%s uid=%u", i, name,
                            cases[i].readonly ? " ro" : "", (unsigned int)cases[i].uid);

        g_test_add_data_func(path, &cases[i], test_plan);
    }
    g_test_add_func("/client/remote-sockets/daemon-path-override", test_daemon_path_override);
    g_test_add_func("/client/remote-sockets/session-without-runtime-dir",
                    test_session_without_runtime_dir);
    return g_test_run();
}
