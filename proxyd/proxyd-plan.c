/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which daemon serves a URI (pure: the existence probes are passed in).
 *
 * qemu, xen, lxc and bhyve URIs go to virt<driver>d through its socket in our run
 * directory (the read-only one for read-only clients in system mode; session
 * daemons have none). Everything else is served here: test:/// by the in-process
 * test driver, unknown schemes by the core's "no connection driver" error. An empty
 * name probes the driver daemons' sockets in libvirt's order (system: xen, qemu,
 * lxc, bhyve; session: qemu) and, in session mode, the installed binaries; with
 * nothing found it falls back to our own default (test:///default).
 */

#include <string.h>

#include "proxyd.h"
#include "util/error.h"
#include "util/uri.h"

static const char *const proxyd_routed_drivers[] = { "qemu", "xen", "lxc", "bhyve" };
static const char *const proxyd_system_probe[] = { "xen", "qemu", "lxc", "bhyve" };
static const char *const proxyd_session_probe[] = { "qemu" };

void proxyd_plan_clear(ProxydPlan *plan)
{
    g_clear_pointer(&plan->uri, g_free);
    g_clear_pointer(&plan->daemon, g_free);
    g_clear_pointer(&plan->socket_path, g_free);
    g_clear_pointer(&plan->handoff_path, g_free);
}

static bool proxyd_driver_routed(const char *driver)
{
    for (guint i = 0; i < G_N_ELEMENTS(proxyd_routed_drivers); i++) {
        if (g_strcmp0(driver, proxyd_routed_drivers[i]) == 0)
            return true;
    }
    return false;
}

static char *proxyd_socket_path(const ProxydPlanEnv *env, const char *daemon, bool readonly)
{
    return g_strdup_printf("%s/%s-sock%s", env->run_dir, daemon,
                           readonly && env->privileged ? "-ro" : "");
}

/* Empty name: the first driver daemon that is there, in libvirt's order. */
static char *proxyd_probe(bool readonly, const ProxydPlanEnv *env)
{
    const char *const *order = env->privileged ? proxyd_system_probe : proxyd_session_probe;
    guint n =
        env->privileged ? G_N_ELEMENTS(proxyd_system_probe) : G_N_ELEMENTS(proxyd_session_probe);
    const char *mode = env->privileged ? "system" : "session";

    for (guint i = 0; i < n; i++) {
        g_autofree char *daemon = g_strdup_printf("virt%sd", order[i]);
        g_autofree char *path = proxyd_socket_path(env, daemon, readonly);

        if (env->socket_exists(path, env->user_data))
            return g_strdup_printf("%s:///%s", order[i], mode);
    }
    for (guint i = 0; !env->privileged && i < n; i++) {
        g_autofree char *daemon = g_strdup_printf("virt%sd", order[i]);

        if (env->daemon_installed(daemon, env->user_data))
            return g_strdup_printf("%s:///%s", order[i], mode);
    }
    return NULL;
}

/**
 * proxyd_plan_route - decide where a CONNECT_OPEN goes
 * @name: the client's URI; NULL or "" to probe
 * @readonly: a read-only client
 * @env: mode, run directory and probes
 * @ret_plan: filled on success; release with proxyd_plan_clear()
 * @error: @name does not parse
 */
bool proxyd_plan_route(const char *name, bool readonly, const ProxydPlanEnv *env,
                       ProxydPlan *ret_plan, GError **error)
{
    g_autofree char *probed = NULL;
    g_autoptr(VirtUri) uri = NULL;

    *ret_plan = (ProxydPlan){ 0 };
    if (!name || !*name) {
        probed = proxyd_probe(readonly, env);
        if (!probed) {
            ret_plan->local = true;
            return true;
        }
        name = probed;
    }
    uri = virt_uri_parse(name, error);
    if (!uri)
        return false;
    if (!proxyd_driver_routed(uri->driver) || uri->transport || uri->host) {
        /* the core answers these: test:///, or its "no connection driver" error */
        ret_plan->local = true;
        ret_plan->uri = g_steal_pointer(&probed);
        return true;
    }
    ret_plan->uri = g_strdup(name);
    ret_plan->daemon = g_strdup_printf("virt%sd", uri->driver);
    ret_plan->socket_path = proxyd_socket_path(env, ret_plan->daemon, readonly);
    ret_plan->handoff_path =
        g_strconcat(env->run_dir, "/", ret_plan->daemon, DAEMON_HANDOFF_SOCK_SUFFIX, NULL);
    return true;
}
