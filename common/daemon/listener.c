/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Listening sockets: taken from systemd (socket activation) or created under run_dir. */

#define G_LOG_DOMAIN "virtkit-daemon"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

#include "daemon/daemon-priv.h"
#include "util/error.h"

static Listener *listener_free(Listener *l)
{
    if (!l)
        return NULL;
    sd_event_source_disable_unref(l->source);
    if (l->fd >= 0)
        close(l->fd);
    if (l->unlink_on_exit && l->path)
        (void)unlink(l->path);
    g_free(l->path);
    g_free(l);
    return NULL;
}

static int listener_on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
    Listener *l = userdata;
    struct ucred cred = { 0 };
    socklen_t len = sizeof(cred);
    int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

    if (cfd < 0) {
        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
            g_warning("accept on '%s' failed: %s", l->path, g_strerror(errno));
        return 0;
    }
    if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
        g_warning("SO_PEERCRED on '%s' failed: %s", l->path, g_strerror(errno));
        close(cfd);
        return 0;
    }
    if (client_server_full(l->daemon, l->kind)) {
        g_warning("refusing client pid %d uid %u on '%s': max_clients %u reached", (int)cred.pid,
                  (unsigned int)cred.uid, l->path, l->daemon->config.max_clients);
        close(cfd);
        return 0;
    }
    (void)client_new(l->daemon, l->kind, cfd, &cred);
    return 0;
}

static bool listener_add(Daemon *daemon, DaemonSocketKind kind, int fd, const char *path,
                         bool created, GError **error)
{
    Listener *l = g_new0(Listener, 1);
    int r;

    l->daemon = daemon;
    l->kind = kind;
    l->fd = fd;
    l->path = g_strdup(path);
    l->unlink_on_exit = created;
    g_ptr_array_add(daemon->listeners, l);
    r = sd_event_add_io(daemon->event, &l->source, fd, EPOLLIN, listener_on_accept, l);
    if (r < 0) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR, "cannot watch socket '%s': %s",
                    path, g_strerror(-r));
        return false;
    }
    return true;
}

static bool listener_apply_perms(const char *path, unsigned int perms, const char *group,
                                 GError **error)
{
    if (group && *group) {
        struct group *gr = getgrnam(group);

        if (!gr) {
            g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_CONF_SYNTAX,
                        "unix_sock_group '%s' does not exist", group);
            return false;
        }
        if (chown(path, (uid_t)-1, gr->gr_gid) < 0) {
            g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR,
                        "cannot set group of '%s': %s", path, g_strerror(errno));
            return false;
        }
    }
    if (chmod(path, perms) < 0) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR, "cannot set mode of '%s': %s",
                    path, g_strerror(errno));
        return false;
    }
    return true;
}

static int listener_create(const char *path, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INTERNAL_ERROR, "socket path '%s' is too long",
                    path);
        return -1;
    }
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR, "socket(): %s",
                    g_strerror(errno));
        return -1;
    }
    /* a stale socket from a crashed daemon; the pid file lock proves nobody owns it */
    (void)unlink(path);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 128) < 0) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR, "cannot listen on '%s': %s",
                    path, g_strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static unsigned int listener_perms(const DaemonConfig *config, DaemonSocketKind kind)
{
    switch (kind) {
    case DAEMON_SOCKET_RW:
        return config->unix_sock_rw_perms;
    case DAEMON_SOCKET_RO:
        return config->unix_sock_ro_perms;
    case DAEMON_SOCKET_ADMIN:
        return config->unix_sock_admin_perms;
    case _DAEMON_SOCKET_MAX:
    case _DAEMON_SOCKET_INVALID:
        break;
    }
    return 0600;
}

/* Which of our sockets an activation fd is: by unit name, else by its bound path. */
static DaemonSocketKind listener_match_activated(Daemon *daemon, int fd, const char *name)
{
    struct sockaddr_un addr = { 0 };
    socklen_t len = sizeof(addr);
    const char *suffixes[_DAEMON_SOCKET_MAX] = {
        [DAEMON_SOCKET_RW] = ".socket",
        [DAEMON_SOCKET_RO] = "-ro.socket",
        [DAEMON_SOCKET_ADMIN] = "-admin.socket",
    };

    for (int k = 0; k < _DAEMON_SOCKET_MAX; k++) {
        g_autofree char *unit = g_strconcat(daemon->info->name, suffixes[k], NULL);

        if (name && strcmp(name, unit) == 0 && daemon->paths.sockets[k])
            return k;
    }
    if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0 || addr.sun_family != AF_UNIX)
        return _DAEMON_SOCKET_INVALID;
    for (int k = 0; k < _DAEMON_SOCKET_MAX; k++) {
        if (daemon->paths.sockets[k] && strcmp(addr.sun_path, daemon->paths.sockets[k]) == 0)
            return k;
    }
    return _DAEMON_SOCKET_INVALID;
}

static bool listener_take_activated(Daemon *daemon, bool *taken, GError **error)
{
    g_auto(GStrv) names = NULL;
    int n = sd_listen_fds_with_names(1, &names);

    if (n < 0) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR,
                    "cannot read activation sockets: %s", g_strerror(-n));
        return false;
    }
    for (int i = 0; i < n; i++) {
        int fd = SD_LISTEN_FDS_START + i;
        const char *name = names ? names[i] : NULL;
        DaemonSocketKind kind = listener_match_activated(daemon, fd, name);

        if (kind < 0 || taken[kind]) {
            g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INTERNAL_ERROR,
                        "activation socket '%s' (fd %d) is not one of ours", name ? name : "?", fd);
            return false;
        }
        (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
        (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        taken[kind] = true;
        if (!listener_add(daemon, kind, fd, daemon->paths.sockets[kind], false, error))
            return false;
        g_debug("using activation socket '%s' for %s", name ? name : "?",
                daemon_socket_kind_to_string(kind));
    }
    return true;
}

/**
 * listener_setup_all - listen on the rw, ro and admin sockets
 * @daemon: the daemon, paths computed and loop created
 * @error: set when a socket cannot be taken or created
 *
 * Activation fds are matched by unit name (<daemon>.socket, <daemon>-ro.socket,
 * <daemon>-admin.socket) or by path; an fd that matches nothing fails startup, as in
 * libvirt. Sockets systemd did not pass are created with the configured modes.
 */
bool listener_setup_all(Daemon *daemon, GError **error)
{
    bool taken[_DAEMON_SOCKET_MAX] = { false };
    mode_t dir_mode = daemon->paths.privileged ? 0755 : 0700;

    if (!listener_take_activated(daemon, taken, error))
        return false;
    if (g_mkdir_with_parents(daemon->paths.run_dir, dir_mode) < 0) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR,
                    "cannot create socket directory '%s': %s", daemon->paths.run_dir,
                    g_strerror(errno));
        return false;
    }
    for (int k = 0; k < _DAEMON_SOCKET_MAX; k++) {
        const char *path = daemon->paths.sockets[k];
        int fd;

        if (!path || taken[k])
            continue;
        fd = listener_create(path, error);
        if (fd < 0)
            return false;
        if (!listener_add(daemon, k, fd, path, true, error) ||
            !listener_apply_perms(path, listener_perms(&daemon->config, k),
                                  k == DAEMON_SOCKET_ADMIN ? NULL : daemon->config.unix_sock_group,
                                  error))
            return false;
        g_debug("listening on '%s'", path);
    }
    return true;
}

/* Stop accepting; remove the socket files we created. */
void listener_close_all(Daemon *daemon)
{
    while (daemon->listeners->len > 0)
        listener_free(g_ptr_array_steal_index(daemon->listeners, daemon->listeners->len - 1));
}
