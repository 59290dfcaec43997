/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyd's DaemonRouter: plan the route of a CONNECT_OPEN, reach the driver daemon
 * (starting it in session mode), and hand the core a socket on which the open and
 * the caller's identity are done.
 */

#define G_LOG_DOMAIN "virtkit-proxyd"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "proxyd.h"
#include "util/error.h"

#ifndef VIRTKIT_SBINDIR
#define VIRTKIT_SBINDIR "/usr/sbin"
#endif

static char *proxyd_token;
/* one autostart at a time: a second daemon would lose the pid-file race and exit */
static GMutex proxyd_autostart_lock;

static bool proxyd_socket_exists(const char *path, void *user_data)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* $<DAEMON>_PATH (VIRTQEMUD_PATH, ...) wins, as libvirt's client honours VIRTD_PATH. */
static char *proxyd_daemon_binary(const char *daemon)
{
    g_autofree char *upper = g_ascii_strup(daemon, -1);
    g_autofree char *var = g_strconcat(upper, "_PATH", NULL);
    const char *env = g_getenv(var);

    if (env && *env)
        return g_strdup(env);
    return g_build_filename(VIRTKIT_SBINDIR, daemon, NULL);
}

static bool proxyd_daemon_installed(const char *daemon, void *user_data)
{
    g_autofree char *binary = proxyd_daemon_binary(daemon);

    return g_file_test(binary, G_FILE_TEST_IS_EXECUTABLE);
}

/* System mode: systemd's socket units start driver daemons, not us. */
static void proxyd_missing_daemon_error(const ProxydPlan *plan, int err, GError **error)
{
    g_set_error(error, VIRT_REMOTE_ERROR, VIRT_ERR_NO_CONNECT,
                "%s is not running: cannot connect to its socket '%s' for '%s': %s; start it "
                "with 'systemctl start %s.socket' (socket activation) or run '%s --timeout 120'",
                plan->daemon, plan->socket_path, plan->uri, g_strerror(-err), plan->daemon,
                plan->daemon);
}

/* Session mode: start the daemon (once, whoever asks first) and open again. */
static int proxyd_open_autostart(const DaemonRouteRequest *req, const ProxydPlan *plan,
                                 const DaemonIdentity *identity, GError **error)
{
    g_autofree char *binary = proxyd_daemon_binary(plan->daemon);
    const char *root =
        req->paths->state_root && *req->paths->state_root ? req->paths->state_root : NULL;
    g_autoptr(GError) local = NULL;
    int fd;

    g_mutex_lock(&proxyd_autostart_lock);
    fd = proxyd_upstream_open(plan->socket_path, plan->uri, req->flags, req->keepalive, identity,
                              proxyd_token, &local);
    if (fd == -ENOENT || fd == -ECONNREFUSED) {
        g_clear_error(&local);
        fd = proxyd_autostart(plan->daemon, binary, root, &local)
                 ? proxyd_upstream_open(plan->socket_path, plan->uri, req->flags, req->keepalive,
                                        identity, proxyd_token, &local)
                 : -1;
    }
    g_mutex_unlock(&proxyd_autostart_lock);
    if (fd < 0)
        g_propagate_error(error, g_steal_pointer(&local));
    return fd;
}

/*
 * A running driver daemon takes the client over: no proxy between them from the
 * open on, so a call costs what it costs directly. Off with VIRTKIT_PROXYD_HANDOFF=0
 * (every connection is spliced then); a daemon that is not running has no handoff
 * socket listening, and its first client is spliced (through socket activation).
 */
static int proxyd_handoff_connect(const ProxydPlan *plan)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (g_strcmp0(g_getenv("VIRTKIT_PROXYD_HANDOFF"), "0") == 0 ||
        strlen(plan->handoff_path) >= sizeof(addr.sun_path))
        return -1;
    strcpy(addr.sun_path, plan->handoff_path);
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static bool proxyd_route_open(const DaemonRouteRequest *req, DaemonRouteResult *ret, GError **error)
{
    ProxydPlanEnv env = {
        .privileged = req->paths->privileged,
        .run_dir = req->paths->run_dir,
        .socket_exists = proxyd_socket_exists,
        .daemon_installed = proxyd_daemon_installed,
    };
    g_autoptr(DaemonIdentity) identity = NULL;
    g_autoptr(GError) local = NULL;
    ProxydPlan plan;
    int fd;

    if (!proxyd_plan_route(req->name, req->readonly, &env, &plan, error))
        return false;
    if (plan.local) {
        ret->local_name = g_steal_pointer(&plan.uri);
        proxyd_plan_clear(&plan);
        return true;
    }
    ret->handoff_fd = proxyd_handoff_connect(&plan);
    if (ret->handoff_fd >= 0) {
        g_debug("client pid %d handed to %s for '%s'", (int)req->cred.pid, plan.daemon, plan.uri);
        proxyd_plan_clear(&plan);
        return true;
    }
    identity = daemon_identity_from_peer(&req->cred);
    fd = proxyd_upstream_open(plan.socket_path, plan.uri, req->flags, req->keepalive, identity,
                              proxyd_token, &local);
    if ((fd == -ENOENT || fd == -ECONNREFUSED) && req->paths->privileged) {
        proxyd_missing_daemon_error(&plan, fd, error);
    } else if (fd == -ENOENT || fd == -ECONNREFUSED) {
        fd = proxyd_open_autostart(req, &plan, identity, error);
    } else if (fd < 0) {
        g_propagate_error(error, g_steal_pointer(&local));
    }
    if (fd >= 0)
        g_debug("client pid %d routed to %s for '%s'", (int)req->cred.pid, plan.daemon, plan.uri);
    proxyd_plan_clear(&plan);
    ret->upstream_fd = fd;
    return fd >= 0;
}

const DaemonRouter proxyd_router = {
    .open = proxyd_route_open,
};

/**
 * proxyd_router_init - before the first client: the token the driver daemons trust
 * @paths: proxyd's paths; the token lives in its socket directory
 * @error: the token cannot be created
 */
bool proxyd_router_init(const DaemonPaths *paths, GError **error)
{
    proxyd_token = daemon_identity_token_acquire(paths->run_dir, error);
    return proxyd_token != NULL;
}

void proxyd_router_shutdown(void)
{
    g_clear_pointer(&proxyd_token, g_free);
}
