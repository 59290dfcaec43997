/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Socket choice and session autostart for remote connections (see remote-sockets.h).
 *
 * Autostart follows libvirt's client: the daemon is started detached (it outlives
 * us, and exits on its own after --timeout 120 idle seconds), then we wait for its
 * socket to appear. The wait is event driven (inotify on the socket directory) and
 * bounded by a deadline; a daemon that cannot be executed is reported at once.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "remote-sockets.h"
#include "rpc/client.h"
#include "util/error.h"

ENUM_TABLE_DEFINE(remote_socket_mode, RemoteSocketMode,
                  _REMOTE_SOCKET_MODE_MAX, [REMOTE_SOCKET_MODE_AUTO] = "auto",
                  [REMOTE_SOCKET_MODE_LEGACY] = "legacy", [REMOTE_SOCKET_MODE_DIRECT] = "direct");

/* How long a started daemon gets to create its socket. */
#define REMOTE_AUTOSTART_WAIT_MS 20000
/* What libvirt's client passes to a daemon it starts. */
#define REMOTE_AUTOSTART_TIMEOUT "120"

/**
 * remote_socket_plan_clear: free the strings of a plan.
 */
void remote_socket_plan_clear(RemoteSocketPlan *plan)
{
    g_clear_pointer(&plan->path, g_free);
    g_clear_pointer(&plan->daemon_path, g_free);
    g_clear_pointer(&plan->root, g_free);
}

/**
 * remote_socket_env_from_environ: the process's real environment for the choice.
 * The strings point into the environment.
 */
void remote_socket_env_from_environ(RemoteSocketEnv *ret_env)
{
    const char *daemon_path = g_getenv("VIRTD_PATH");

    if (!daemon_path)
        daemon_path = g_getenv("LIBVIRTD_PATH");
    *ret_env = (RemoteSocketEnv){
        .uid = geteuid(),
        .runtime_root = g_getenv("VIRTKIT_RUNTIME_ROOT"),
        .xdg_runtime_dir = g_getenv("XDG_RUNTIME_DIR"),
        .autostart = g_getenv("LIBVIRT_AUTOSTART"),
        .daemon_path = daemon_path,
#ifdef VIRTKIT_SBINDIR
        .sbindir = VIRTKIT_SBINDIR,
#else
        .sbindir = "/usr/sbin",
#endif
    };
}

/**
 * remote_socket_exists: the probe remote_sockets_plan() uses outside tests: is
 * there a socket at @path?
 */
bool remote_socket_exists(const char *path, void *user_data)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* The driver's own daemon ("virtqemud"), or NULL when only the legacy socket
 * serves it: the test driver lives in proxyd, and "remote" means "whatever the
 * legacy daemon offers". */
static char *driver_daemon_name(const char *driver)
{
    if (!driver || g_str_equal(driver, "test") || g_str_equal(driver, "remote"))
        return NULL;
    return g_strdup_printf("virt%sd", driver);
}

static bool plan_check_transport(const VirtUri *uri, GError **error)
{
    bool has_host = uri->host && *uri->host;
    /* libvirt: no transport means tls when a host is named, else unix */
    const char *transport = uri->transport ? uri->transport : has_host ? "tls" : "unix";

    if (!g_str_equal(transport, "unix")) {
        g_set_error(error, VIRT_REMOTE_ERROR, VIRT_ERR_NO_SUPPORT,
                    "remote transport '%s' is not supported yet", transport);
        return false;
    }
    if (has_host) {
        g_set_error(error, VIRT_REMOTE_ERROR, VIRT_ERR_INVALID_ARG,
                    "unix transport does not take a host name: '%s'", uri->host);
        return false;
    }
    return true;
}

static char *plan_socket_dir(const RemoteSocketEnv *env, bool session, GError **error)
{
    /* daemons started with --root put both modes' sockets at ROOT/run/libvirt */
    if (env->runtime_root && *env->runtime_root)
        return g_build_filename(env->runtime_root, "run", "libvirt", NULL);
    /* libvirt's client spells it LOCALSTATEDIR/run, which is /run on every
     * current system; its error messages show this path */
    if (!session)
        return g_strdup("/var/run/libvirt");
    if (!env->xdg_runtime_dir || !*env->xdg_runtime_dir) {
        g_set_error(error, VIRT_REMOTE_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "XDG_RUNTIME_DIR is not set; cannot find the session daemon's socket");
        return NULL;
    }
    return g_build_filename(env->xdg_runtime_dir, "libvirt", NULL);
}

static bool plan_mode(const VirtUri *uri, RemoteSocketMode *ret_mode, GError **error)
{
    const char *mode = virt_uri_get_param(uri, "mode");
    RemoteSocketMode m = REMOTE_SOCKET_MODE_AUTO;

    if (mode) {
        m = remote_socket_mode_from_string(mode);
        if (m < 0) {
            g_set_error(error, VIRT_REMOTE_ERROR, VIRT_ERR_INVALID_ARG, "Unknown remote mode '%s'",
                        mode);
            return false;
        }
    }
    *ret_mode = m;
    return true;
}

/* The socket file of @prefix in @dir for this access. Session daemons have no
 * read-only socket: a read-only session connection uses the rw one. */
static char *plan_socket_path(const char *dir, const char *prefix, bool readonly, bool session)
{
    return g_strdup_printf("%s/%s-sock%s", dir, prefix, readonly && !session ? "-ro" : "");
}

static char *plan_daemon_path(const RemoteSocketEnv *env, const char *daemon)
{
    if (env->daemon_path && *env->daemon_path)
        return g_strdup(env->daemon_path);
    return g_build_filename(env->sbindir, daemon ? daemon : "proxyd", NULL);
}

/**
 * remote_sockets_plan - choose the socket for a remote connection
 * @uri: the connection URI (driver[+unix]:///path[?socket=...&mode=...])
 * @readonly: a read-only open
 * @env: uid, directories and environment switches
 * @exists: probe for an existing socket (remote_socket_exists() outside tests)
 * @exists_data: for @exists
 * @ret_plan: filled on success; release with remote_socket_plan_clear()
 * @error: unsupported transport, unknown mode, no runtime directory
 *
 * Session mode, as in libvirt, is a non-root user opening a "/session" URI or any
 * test+ URI; only session mode starts a missing daemon, unless LIBVIRT_AUTOSTART=0.
 */
bool remote_sockets_plan(const VirtUri *uri, bool readonly, const RemoteSocketEnv *env,
                         RemoteSocketExistsFunc exists, void *exists_data,
                         RemoteSocketPlan *ret_plan, GError **error)
{
    const char *sock = virt_uri_get_param(uri, "socket");
    bool session = env->uid != 0 &&
                   (g_strcmp0(uri->path, "/session") == 0 || g_strcmp0(uri->driver, "test") == 0);
    g_autofree char *daemon = driver_daemon_name(uri->driver);
    g_autofree char *dir = NULL;
    g_autofree char *direct = NULL;
    g_autofree char *legacy = NULL;
    RemoteSocketMode mode;
    bool use_direct = false;

    if (!plan_check_transport(uri, error) || !plan_mode(uri, &mode, error))
        return false;
    if (sock && *sock) {
        *ret_plan = (RemoteSocketPlan){ .path = g_strdup(sock), .session = session };
        return true;
    }
    dir = plan_socket_dir(env, session, error);
    if (!dir)
        return false;
    legacy = plan_socket_path(dir, "libvirt", readonly, session);
    if (daemon)
        direct = plan_socket_path(dir, daemon, readonly, session);
    switch (mode) {
    case REMOTE_SOCKET_MODE_LEGACY:
        use_direct = false;
        break;
    case REMOTE_SOCKET_MODE_DIRECT:
        use_direct = daemon != NULL;
        break;
    case REMOTE_SOCKET_MODE_AUTO:
    case _REMOTE_SOCKET_MODE_MAX:
    case _REMOTE_SOCKET_MODE_INVALID:
        /* the driver's own daemon when it runs; else the legacy socket, which is
         * also the default when neither runs (as Debian's libvirt is built) */
        use_direct = daemon && exists(direct, exists_data);
        break;
    }
    *ret_plan = (RemoteSocketPlan){
        .path = use_direct ? g_steal_pointer(&direct) : g_steal_pointer(&legacy),
        .session = session,
    };
    if (session && g_strcmp0(env->autostart, "0") != 0) {
        ret_plan->daemon_path = plan_daemon_path(env, use_direct ? daemon : NULL);
        if (env->runtime_root && *env->runtime_root)
            ret_plan->root = g_strdup(env->runtime_root);
    }
    return true;
}

/* ---- I/O: connecting and starting the daemon ---- */

/* Grandchild of the caller: exec the daemon, or report errno on @err_fd. */
static void autostart_exec(const RemoteSocketPlan *plan, int err_fd)
{
    const char *argv[] = {
        plan->daemon_path, "--timeout", REMOTE_AUTOSTART_TIMEOUT, plan->root ? "--root" : NULL,
        plan->root,        NULL
    };
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    int err;

    if (null_fd >= 0) {
        dup2(null_fd, STDIN_FILENO);
        dup2(null_fd, STDOUT_FILENO);
        dup2(null_fd, STDERR_FILENO);
    }
    execv(plan->daemon_path, (char **)argv);
    err = errno;
    (void)!write(err_fd, &err, sizeof(err));
    _exit(127);
}

/* Start the daemon detached (double fork, new session): it is not our child, so
 * no zombie is left and it keeps running after we exit. */
static bool autostart_spawn(const RemoteSocketPlan *plan, GError **error)
{
    int pipefd[2];
    int err = 0;
    int status;
    pid_t pid;
    ssize_t n;

    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        g_set_error(error, VIRT_REMOTE_ERROR, VIRT_ERR_SYSTEM_ERROR, "cannot create pipe: %s",
                    g_strerror(errno));
        return false;
    }
    pid = fork();
    if (pid < 0) {
        err = errno;
        close(pipefd[0]);
        close(pipefd[1]);
        g_set_error(error, VIRT_REMOTE_ERROR, VIRT_ERR_SYSTEM_ERROR, "cannot fork: %s",
                    g_strerror(err));
        return false;
    }
    if (pid == 0) {
        close(pipefd[0]);
        setsid();
        if (fork() == 0)
            autostart_exec(plan, pipefd[1]);
        _exit(0);
    }
    close(pipefd[1]);
    (void)waitpid(pid, &status, 0);
    /* EOF: exec succeeded (the pipe closed on exec); else the exec's errno */
    do
        n = read(pipefd[0], &err, sizeof(err));
    while (n < 0 && errno == EINTR);
    close(pipefd[0]);
    if (n == (ssize_t)sizeof(err)) {
        g_set_error(error, VIRT_REMOTE_ERROR, VIRT_ERR_SYSTEM_ERROR,
                    "Failed to start daemon '%s': %s", plan->daemon_path, g_strerror(err));
        return false;
    }
    return true;
}

/* One connect attempt: the fd, or -errno. */
static int socket_try_connect(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path))
        return -ENAMETOOLONG;
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int err = errno;

        close(fd);
        return -err;
    }
    return fd;
}

/* Connect to @path once it accepts, waiting up to the deadline. inotify reports
 * the socket's creation; between its bind() and listen() a connect is refused, so
 * a refused attempt is retried at the next event or after a short poll. */
static int socket_wait_connect(const char *path, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(path);
    int64_t deadline = g_get_monotonic_time() + REMOTE_AUTOSTART_WAIT_MS * 1000;
    int ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    int fd = -ENOENT;

    if (ifd >= 0 && inotify_add_watch(ifd, dir, IN_CREATE | IN_MOVED_TO | IN_ATTRIB) < 0) {
        close(ifd);
        ifd = -1;
    }
    for (;;) {
        int64_t left_ms = (deadline - g_get_monotonic_time()) / 1000;
        struct pollfd pfd = { .fd = ifd, .events = POLLIN };
        char buf[4096];

        fd = socket_try_connect(path);
        if (fd >= 0 || (fd != -ENOENT && fd != -ECONNREFUSED) || left_ms <= 0)
            break;
        /* without inotify (or between bind and listen) poll in short steps */
        if (poll(&pfd, ifd >= 0 ? 1 : 0, fd == -ECONNREFUSED || ifd < 0 ? 10 : left_ms) > 0)
            while (read(ifd, buf, sizeof(buf)) > 0)
                ;
    }
    if (ifd >= 0)
        close(ifd);
    if (fd < 0)
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_SYSTEM_ERROR,
                    "Failed to connect socket to '%s': %s", path, g_strerror(-fd));
    return fd;
}

static bool autostart_prepare_dir(const char *path, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(path);

    if (g_mkdir_with_parents(dir, 0700) < 0) {
        g_set_error(error, VIRT_REMOTE_ERROR, VIRT_ERR_SYSTEM_ERROR,
                    "cannot create directory '%s': %s", dir, g_strerror(errno));
        return false;
    }
    return true;
}

/**
 * remote_sockets_connect - connect to the planned socket
 * @plan: from remote_sockets_plan()
 * @error: the connect error ("Failed to connect socket to '...': ...")
 *
 * When the socket is missing (or refuses) and the plan names a daemon, the daemon
 * is started with --timeout 120 and we wait for its socket.
 *
 * Returns the RPC connection.
 */
RpcClient *remote_sockets_connect(const RemoteSocketPlan *plan, GError **error)
{
    int fd = socket_try_connect(plan->path);

    if (fd < 0 && plan->daemon_path && (fd == -ENOENT || fd == -ECONNREFUSED)) {
        if (!autostart_prepare_dir(plan->path, error) || !autostart_spawn(plan, error))
            return NULL;
        fd = socket_wait_connect(plan->path, error);
        if (fd < 0)
            return NULL;
    }
    if (fd < 0) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_SYSTEM_ERROR,
                    "Failed to connect socket to '%s': %s", plan->path, g_strerror(-fd));
        return NULL;
    }
    return rpc_client_new_fd(fd, error);
}
