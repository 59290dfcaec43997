/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Session mode: start a driver daemon that is not running, as libvirt's client
 * does, with its idle timeout so that it goes away on its own. The daemon is not our
 * child (GLib's spawn goes through an intermediate process) and gets its own session.
 * We learn that it is ready from its sd_notify(READY=1) on a private abstract socket,
 * and that it failed from the end of its stderr, whose text becomes the error.
 */

#define G_LOG_DOMAIN "virtkit-proxyd"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "proxyd.h"
#include "util/error.h"

/* How long a started daemon gets to become ready (libvirt's client waits as long). */
#define AUTOSTART_WAIT_MS 20000
/* What libvirt's client passes to a daemon it starts. */
#define AUTOSTART_TIMEOUT "120"
#define AUTOSTART_STDERR_MAX 4096

static void autostart_child_setup(gpointer data)
{
    /* not in proxyd's session: a signal to proxyd's group must not stop it */
    (void)setsid();
}

/* A datagram socket at an abstract address; @ret_name is its NOTIFY_SOCKET value. */
static int autostart_notify_socket(char **ret_name, GError **error)
{
    static gint counter;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_autofree char *name =
        g_strdup_printf("virtkit-proxyd/%d/%d", (int)getpid(), g_atomic_int_add(&counter, 1));
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

    memcpy(addr.sun_path + 1, name, strlen(name));
    if (fd < 0 ||
        bind(fd, (struct sockaddr *)&addr,
             (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name))) < 0) {
        g_set_error(error, VIRT_REMOTE_ERROR, VIRT_ERR_SYSTEM_ERROR,
                    "cannot create a notification socket: %s", g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *ret_name = g_strconcat("@", name, NULL);
    return fd;
}

/* READY=1 on @notify_fd (true), or the daemon's stderr ended first / the wait ran out. */
static bool autostart_wait_ready(const char *daemon, int notify_fd, int err_fd, GError **error)
{
    gint64 deadline = g_get_monotonic_time() + AUTOSTART_WAIT_MS * 1000;
    g_autoptr(GString) errtext = g_string_new(NULL);

    for (;;) {
        struct pollfd fds[2] = { { notify_fd, POLLIN, 0 }, { err_fd, POLLIN, 0 } };
        int left = (int)((deadline - g_get_monotonic_time()) / 1000);
        char buf[1024];
        ssize_t n;

        if (left <= 0 || poll(fds, 2, left) == 0) {
            g_set_error(error, VIRT_REMOTE_ERROR, VIRT_ERR_NO_CONNECT,
                        "%s did not become ready within %d seconds", daemon,
                        AUTOSTART_WAIT_MS / 1000);
            return false;
        }
        n = recv(notify_fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
        if (n > 0) {
            buf[n] = '\0';
            if (strstr(buf, "READY=1"))
                return true;
        }
        if (!(fds[1].revents & (POLLIN | POLLHUP)))
            continue;
        n = read(err_fd, buf, sizeof(buf));
        if (n > 0 && errtext->len < AUTOSTART_STDERR_MAX)
            g_string_append_len(errtext, buf, n);
        if (n == 0) {
            g_strstrip(errtext->str);
            g_set_error(error, VIRT_REMOTE_ERROR, VIRT_ERR_NO_CONNECT,
                        "%s exited before it was ready: %s", daemon,
                        *errtext->str ? errtext->str : "(no message)");
            return false;
        }
    }
}

/**
 * proxyd_autostart - start a session driver daemon and wait until it serves
 * @daemon: its name, for messages
 * @binary: its executable
 * @root: --root to pass on, or NULL
 * @error: it cannot be run, fails on startup, or is not ready in time
 */
bool proxyd_autostart(const char *daemon, const char *binary, const char *root, GError **error)
{
    const char *argv[] = { binary, "--timeout", AUTOSTART_TIMEOUT, root ? "--root" : NULL,
                           root,   NULL };
    g_auto(GStrv) envp = g_get_environ();
    g_autofree char *notify_name = NULL;
    g_autoptr(GError) local = NULL;
    int notify_fd = autostart_notify_socket(&notify_name, error);
    int err_fd = -1;
    bool ok;

    if (notify_fd < 0)
        return false;
    envp = g_environ_setenv(envp, "NOTIFY_SOCKET", notify_name, TRUE);
    g_info("starting %s ('%s')", daemon, binary);
    if (!g_spawn_async_with_pipes(NULL, (char **)argv, envp, G_SPAWN_STDOUT_TO_DEV_NULL,
                                  autostart_child_setup, NULL, NULL, NULL, NULL, &err_fd, &local)) {
        close(notify_fd);
        g_set_error(error, VIRT_REMOTE_ERROR, VIRT_ERR_NO_CONNECT, "cannot start %s ('%s'): %s",
                    daemon, binary, local->message);
        return false;
    }
    ok = autostart_wait_ready(daemon, notify_fd, err_fd, error);
    close(notify_fd);
    /* from now on its stderr goes nowhere, as with libvirt's autostart */
    close(err_fd);
    return ok;
}
