/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One QEMU process. Its pidfd is watched on the loop, so an exit is seen at once even
 * without systemd as PID 1; a child of ours is reaped through the pidfd (waitid
 * P_PIDFD), which cannot reap some other child that reused the pid. The QMP socket
 * is a listening socket we bind and hand over, connected to before QEMU even runs: the
 * connection waits in the backlog, and if QEMU dies first the backlog goes with it and
 * our end reads EOF, so neither success nor failure needs polling.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemu-process.h"
#include "util/error.h"
#include "util/fd-util.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* How long a SIGKILLed (or failed) QEMU may take to be gone. */
#define QEMU_PROCESS_KILL_WAIT_MS 10000
/* How much of QEMU's log an error quotes. */
#define QEMU_PROCESS_LOG_TAIL 4096
#define QEMU_PROCESS_LOG_LINES 3

struct QemuProcess {
    LoopInvoker *loop;
    char *name;
    char *monitor_path;
    QemuProcessCallbacks cb;
    void *opaque;
    pid_t pid;
    int pidfd;
    QemuMonitor *mon;
    sd_event_source *pid_source; /* loop thread only */
    bool freed;                  /* loop thread only: no more callbacks */
    bool armed;                  /* loop thread only: launch/attach returned it */
    GMutex lock;
    bool exited; /* under lock */
};

static int process_pidfd_open(pid_t pid)
{
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int process_pidfd_signal(int pidfd, int sig)
{
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* Whether the pidfd says "exited" within @timeout_ms (-1: forever). */
static bool process_wait_pidfd(int pidfd, int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

    for (;;) {
        struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
        int left =
            timeout_ms < 0 ? -1 : (int)MAX(0, (deadline - g_get_monotonic_time() + 999) / 1000);
        int n = poll(&pfd, 1, left);

        if (n > 0)
            return true;
        if (n == 0 || errno != EINTR)
            return false;
    }
}

/* The process is gone: reap it if it is ours, tell the owner. Loop thread. */
static void process_on_exit(QemuProcess *proc)
{
    siginfo_t info = { 0 };

    g_mutex_lock(&proc->lock);
    if (proc->exited) {
        g_mutex_unlock(&proc->lock);
        return;
    }
    proc->exited = true;
    g_mutex_unlock(&proc->lock);
    proc->pid_source = sd_event_source_disable_unref(proc->pid_source);
    /* ECHILD: not our child (attached after a restart); init reaps it */
    while (waitid((idtype_t)P_PIDFD, (id_t)proc->pidfd, &info, WEXITED | WNOHANG) < 0 &&
           errno == EINTR)
        ;
    /* its last events (SHUTDOWN, ...) before the exit */
    if (proc->mon)
        qemu_monitor_drain(proc->mon);
    if (proc->armed && !proc->freed && proc->cb.exited)
        proc->cb.exited(proc, proc->opaque);
}

static int process_on_pidfd(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
    (void)s;
    (void)fd;
    (void)revents;
    process_on_exit(userdata);
    return 0;
}

static void process_on_event(QemuMonitor *mon, const QemuMonitorMessage *event, void *opaque)
{
    QemuProcess *proc = opaque;

    (void)mon;
    if (!proc->freed && proc->cb.event)
        proc->cb.event(proc, event, proc->opaque);
}

static const QemuMonitorCallbacks process_monitor_callbacks = { .event = process_on_event };

typedef struct ProcessLoopOp {
    QemuProcess *proc;
    int r;
} ProcessLoopOp;

static void process_watch_on_loop(void *data)
{
    ProcessLoopOp *op = data;
    QemuProcess *proc = op->proc;

    op->r = sd_event_add_io(loop_invoker_event(proc->loop), &proc->pid_source, proc->pidfd, EPOLLIN,
                            process_on_pidfd, proc);
}

static void process_check_on_loop(void *data)
{
    QemuProcess *proc = data;

    if (process_wait_pidfd(proc->pidfd, 0))
        process_on_exit(proc);
}

/* From now on the owner hears of the exit; false when it came first (the start fails). */
static void process_arm_on_loop(void *data)
{
    ProcessLoopOp *op = data;

    op->proc->armed = true;
    op->r = qemu_process_exited(op->proc) ? -ESRCH : 0;
}

static bool process_arm(QemuProcess *proc, GError **error)
{
    ProcessLoopOp op = { .proc = proc };

    loop_invoker_call(proc->loop, process_arm_on_loop, &op);
    if (op.r < 0)
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                    "QEMU for domain '%s' exited while it was being connected", proc->name);
    return op.r == 0;
}

static void process_free_on_loop(void *data)
{
    QemuProcess *proc = data;

    proc->freed = true;
    proc->pid_source = sd_event_source_disable_unref(proc->pid_source);
}

static QemuProcess *process_new(LoopInvoker *loop, const char *name, const char *monitor_path,
                                const QemuProcessCallbacks *cb, void *opaque)
{
    QemuProcess *proc = g_new0(QemuProcess, 1);

    proc->loop = loop;
    proc->name = g_strdup(name);
    proc->monitor_path = g_strdup(monitor_path);
    if (cb)
        proc->cb = *cb;
    proc->opaque = opaque;
    proc->pid = -1;
    proc->pidfd = -1;
    g_mutex_init(&proc->lock);
    return proc;
}

/**
 * qemu_process_free: forget the process: no callback runs after this returns, the
 * monitor is closed; QEMU itself keeps running (see qemu_process_kill()). Any thread.
 */
QemuProcess *qemu_process_free(QemuProcess *proc)
{
    if (!proc)
        return NULL;
    loop_invoker_call(proc->loop, process_free_on_loop, proc);
    qemu_monitor_close(proc->mon);
    virt_fd_close(proc->pidfd);
    g_mutex_clear(&proc->lock);
    g_free(proc->monitor_path);
    g_free(proc->name);
    g_free(proc);
    return NULL;
}

/* Watch the pidfd on the loop; an exit before this is seen right away. */
static bool process_watch(QemuProcess *proc, GError **error)
{
    ProcessLoopOp op = { .proc = proc };

    loop_invoker_call(proc->loop, process_watch_on_loop, &op);
    if (op.r < 0)
        return virt_error_set_errno(error, VIRT_QEMU_ERROR, -op.r,
                                    "cannot watch QEMU of domain '%s'", proc->name);
    return true;
}

static bool process_sockaddr(const char *path, struct sockaddr_un *ret_addr, GError **error)
{
    memset(ret_addr, 0, sizeof(*ret_addr));
    ret_addr->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(ret_addr->sun_path)) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "monitor socket path '%s' is too long", path);
        return false;
    }
    strcpy(ret_addr->sun_path, path);
    return true;
}

static int process_socket_listen(const char *path, GError **error)
{
    struct sockaddr_un addr;
    g_auto(VirtFd) fd = -1;

    if (!process_sockaddr(path, &addr, error))
        return -1;
    if (unlink(path) < 0 && errno != ENOENT) {
        virt_error_set_errno(error, VIRT_QEMU_ERROR, errno, "cannot remove stale socket '%s'",
                             path);
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 1) < 0) {
        virt_error_set_errno(error, VIRT_QEMU_ERROR, errno, "cannot listen on '%s'", path);
        return -1;
    }
    return g_steal_fd(&fd);
}

static int process_socket_connect(const char *path, GError **error)
{
    struct sockaddr_un addr;
    g_auto(VirtFd) fd = -1;
    int r;

    if (!process_sockaddr(path, &addr, error))
        return -1;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        virt_error_set_errno(error, VIRT_QEMU_ERROR, errno, "cannot create a socket");
        return -1;
    }
    while ((r = connect(fd, (struct sockaddr *)&addr, sizeof(addr))) < 0 && errno == EINTR)
        ;
    if (r < 0) {
        virt_error_set_errno(error, VIRT_QEMU_ERROR, errno, "cannot connect to '%s'", path);
        return -1;
    }
    return g_steal_fd(&fd);
}

/* The last few lines QEMU wrote to its log since @offset, joined by "; ", or NULL.
 * @log_fd is open for reading too (the child gets it as stdout and stderr). */
static char *process_log_tail(int log_fd, off_t offset)
{
    char buf[QEMU_PROCESS_LOG_TAIL + 1];
    off_t end = lseek(log_fd, 0, SEEK_END);
    off_t start = MAX(offset, end - QEMU_PROCESS_LOG_TAIL);
    g_auto(GStrv) lines = NULL;
    g_autoptr(GPtrArray) kept = g_ptr_array_new();
    ssize_t n;

    if (end <= offset)
        return NULL;
    n = pread(log_fd, buf, (size_t)(end - start), start);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    lines = g_strsplit(buf, "\n", -1);
    for (guint i = g_strv_length(lines); i > 0 && kept->len < QEMU_PROCESS_LOG_LINES; i--) {
        char *line = g_strstrip(lines[i - 1]);

        if (*line)
            g_ptr_array_insert(kept, 0, line);
    }
    if (kept->len == 0)
        return NULL;
    g_ptr_array_add(kept, NULL);
    return g_strjoinv("; ", (char **)kept->pdata);
}

/* A launch failed after the spawn: make sure QEMU is gone, quote its log. */
static void process_launch_fail(QemuProcess *proc, int log_fd, off_t log_start, GError *local,
                                GError **error)
{
    g_autofree char *tail = NULL;

    (void)process_pidfd_signal(proc->pidfd, SIGKILL);
    (void)process_wait_pidfd(proc->pidfd, QEMU_PROCESS_KILL_WAIT_MS);
    /* reaped without an exited callback: the caller only sees the error */
    loop_invoker_call(proc->loop, process_free_on_loop, proc);
    loop_invoker_call(proc->loop, process_check_on_loop, proc);
    tail = process_log_tail(log_fd, log_start);
    if (tail)
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "QEMU for domain '%s' failed to start: %s", proc->name, tail);
    else
        g_set_error(error, local->domain, local->code, "QEMU for domain '%s' failed to start: %s",
                    proc->name, local->message);
    g_error_free(local);
    qemu_process_free(proc);
}

static int process_open_log(const char *log_path, off_t *ret_start, GError **error)
{
    int fd = open(log_path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

    if (fd < 0) {
        virt_error_set_errno(error, VIRT_QEMU_ERROR, errno, "cannot open log file '%s'", log_path);
        return -1;
    }
    *ret_start = lseek(fd, 0, SEEK_END);
    return fd;
}

static gint64 process_deadline(unsigned timeout_ms)
{
    return timeout_ms ? g_get_monotonic_time() + (gint64)timeout_ms * 1000 : -1;
}

/* What is left of @deadline for a monitor timeout (0 = none, at least 1 ms). */
static unsigned process_remaining(gint64 deadline)
{
    if (deadline < 0)
        return 0;
    return (unsigned)MAX(1, (deadline - g_get_monotonic_time()) / 1000);
}

/* Spawn @cmd with the listening socket, the log and a session of its own. */
static bool process_spawn(QemuProcess *proc, Command *cmd, int listen_fd, int log_fd,
                          GError **error)
{
    command_map_fd(cmd, listen_fd, QEMU_PROCESS_MONITOR_FD, 0);
    command_set_stdout_fd(cmd, log_fd);
    command_set_stderr_fd(cmd, log_fd);
    command_set_new_session(cmd);
    if (!command_spawn(cmd, &proc->pid, &proc->pidfd, error))
        return false;
    if (proc->pidfd < 0) {
        (void)kill(proc->pid, SIGKILL);
        (void)waitpid(proc->pid, NULL, 0);
        return virt_error_set_errno(error, VIRT_QEMU_ERROR, ENOSYS,
                                    "cannot watch QEMU for domain '%s' without pidfd", proc->name);
    }
    return true;
}

/**
 * qemu_process_launch: start QEMU for domain @name from @cmd (built with
 * QemuPrepared.monitor_fd = QEMU_PROCESS_MONITOR_FD and monitor_fd_launcher set; used
 * once) in a session of its own, with a clean environment (as @cmd has it), stdout and
 * stderr appended to @log_path, its QMP socket listening at @monitor_path. Returns once
 * QMP is negotiated, within @timeout_ms (0: no limit). On failure QEMU is killed and
 * the error quotes the end of its log. Not on the loop's thread.
 */
QemuProcess *qemu_process_launch(LoopInvoker *loop, const char *name, Command *cmd,
                                 const char *monitor_path, const char *log_path,
                                 unsigned timeout_ms, const QemuProcessCallbacks *cb, void *opaque,
                                 GError **error)
{
    gint64 deadline = process_deadline(timeout_ms);
    g_autoptr(QemuProcess) proc = process_new(loop, name, monitor_path, cb, opaque);
    g_auto(VirtFd) listen_fd = -1;
    g_auto(VirtFd) client_fd = -1;
    g_auto(VirtFd) log_fd = -1;
    GError *local = NULL;
    off_t log_start = 0;

    g_assert(!loop_invoker_on_loop(loop));
    if ((log_fd = process_open_log(log_path, &log_start, error)) < 0 ||
        (listen_fd = process_socket_listen(monitor_path, error)) < 0 ||
        (client_fd = process_socket_connect(monitor_path, error)) < 0)
        return NULL;
    if (!process_spawn(proc, cmd, listen_fd, log_fd, error))
        return NULL;
    /* only QEMU holds the listener now: its death resets our pending connection */
    virt_fd_close(g_steal_fd(&listen_fd));
    if (!process_watch(proc, &local)) {
        process_launch_fail(g_steal_pointer(&proc), log_fd, log_start, local, error);
        return NULL;
    }
    proc->mon = qemu_monitor_open(loop, g_steal_fd(&client_fd), name, process_remaining(deadline),
                                  &process_monitor_callbacks, proc, &local);
    if (!proc->mon || !process_arm(proc, &local)) {
        process_launch_fail(g_steal_pointer(&proc), log_fd, log_start, local, error);
        return NULL;
    }
    return g_steal_pointer(&proc);
}

/* The inodes of the unix sockets bound to @path (/proc/net/unix). */
static GHashTable *process_socket_inodes(const char *path)
{
    GHashTable *inodes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents("/proc/net/unix", &text, NULL, NULL))
        return inodes;
    lines = g_strsplit(text, "\n", -1);
    for (guint i = 1; lines[i]; i++) {
        /* Num RefCount Protocol Flags Type St Inode Path */
        g_auto(GStrv) f = g_strsplit_set(g_strstrip(lines[i]), " ", 8);

        if (g_strv_length(f) == 8 && g_str_equal(g_strstrip(f[7]), path))
            g_hash_table_add(inodes, g_strdup_printf("socket:[%s]", f[6]));
    }
    return inodes;
}

/* Whether @pid holds a socket bound to @path, or names @path on its command line. */
static bool process_owns_monitor(pid_t pid, const char *path)
{
    g_autofree char *fd_dir = g_strdup_printf("/proc/%d/fd", (int)pid);
    g_autofree char *cmdline_path = g_strdup_printf("/proc/%d/cmdline", (int)pid);
    g_autoptr(GHashTable) inodes = process_socket_inodes(path);
    g_autofree char *cmdline = NULL;
    gsize len = 0;
    g_autoptr(GDir) dir = NULL;
    const char *entry;

    if (g_file_get_contents(cmdline_path, &cmdline, &len, NULL)) {
        for (gsize off = 0; off < len; off += strlen(cmdline + off) + 1) {
            if (strstr(cmdline + off, path))
                return true;
        }
    }
    dir = g_dir_open(fd_dir, 0, NULL);
    while (dir && (entry = g_dir_read_name(dir))) {
        g_autofree char *link = g_strdup_printf("%s/%s", fd_dir, entry);
        g_autofree char *target = g_file_read_link(link, NULL);

        if (target && g_hash_table_contains(inodes, target))
            return true;
    }
    return false;
}

/**
 * qemu_process_attach: find the QEMU of domain @name again after a daemon restart:
 * @pid must be alive and hold the monitor socket at @monitor_path; then QMP is
 * connected and negotiated within @timeout_ms (0: no limit). Error when it is gone or
 * is some other process. Not on the loop's thread.
 */
QemuProcess *qemu_process_attach(LoopInvoker *loop, const char *name, pid_t pid,
                                 const char *monitor_path, unsigned timeout_ms,
                                 const QemuProcessCallbacks *cb, void *opaque, GError **error)
{
    g_autoptr(QemuProcess) proc = process_new(loop, name, monitor_path, cb, opaque);
    int fd;

    g_assert(!loop_invoker_on_loop(loop));
    proc->pid = pid;
    proc->pidfd = pid > 0 ? process_pidfd_open(pid) : -1;
    if (proc->pidfd < 0 && (pid <= 0 || errno == ESRCH)) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                    "QEMU for domain '%s' (pid %d) is gone", name, (int)pid);
        return NULL;
    }
    if (proc->pidfd < 0) {
        virt_error_set_errno(error, VIRT_QEMU_ERROR, errno, "cannot watch pid %d of domain '%s'",
                             (int)pid, name);
        return NULL;
    }
    /* checked after the pidfd pins the process, so a reused pid cannot slip in */
    if (!process_owns_monitor(pid, monitor_path) || process_wait_pidfd(proc->pidfd, 0)) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                    "QEMU for domain '%s' (pid %d) is gone: no process holds '%s'", name, (int)pid,
                    monitor_path);
        return NULL;
    }
    if (!process_watch(proc, error))
        return NULL;
    fd = process_socket_connect(monitor_path, error);
    if (fd < 0)
        return NULL;
    proc->mon =
        qemu_monitor_open(loop, fd, name, timeout_ms, &process_monitor_callbacks, proc, error);
    if (!proc->mon || !process_arm(proc, error))
        return NULL;
    return g_steal_pointer(&proc);
}

/* SIGTERM to QEMU, which may have exited already (ESRCH is no failure). */
static bool process_sigterm(QemuProcess *proc, GError **error)
{
    if (process_pidfd_signal(proc->pidfd, SIGTERM) < 0 && errno != ESRCH)
        return virt_error_set_errno(error, VIRT_QEMU_ERROR, errno,
                                    "cannot signal QEMU of domain '%s' (pid %d)", proc->name,
                                    (int)proc->pid);
    return true;
}

/**
 * qemu_process_kill: SIGTERM, then SIGKILL when QEMU is still there after @grace_ms;
 * returns once it is gone and the exited callback has run. Not on the loop's thread
 * (the callback needs the loop).
 */
bool qemu_process_kill(QemuProcess *proc, unsigned grace_ms, GError **error)
{
    if (!qemu_process_exited(proc)) {
        if (!process_sigterm(proc, error))
            return false;
        if (!process_wait_pidfd(proc->pidfd, (int)MIN(grace_ms, (unsigned)G_MAXINT)))
            (void)process_pidfd_signal(proc->pidfd, SIGKILL);
        if (!process_wait_pidfd(proc->pidfd, QEMU_PROCESS_KILL_WAIT_MS)) {
            g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                        "QEMU of domain '%s' (pid %d) did not exit after SIGKILL", proc->name,
                        (int)proc->pid);
            return false;
        }
    }
    loop_invoker_call(proc->loop, process_check_on_loop, proc);
    return true;
}

/**
 * qemu_process_terminate: SIGTERM only (libvirt's graceful destroy, which never sends
 * SIGKILL). *@ret_gone: whether QEMU exited within @wait_ms; then the exited callback
 * has run. Otherwise it is left alone with the SIGTERM pending (a stopped QEMU acts on
 * it when continued). False when it cannot be signalled. Not on the loop's thread.
 */
bool qemu_process_terminate(QemuProcess *proc, unsigned wait_ms, bool *ret_gone, GError **error)
{
    *ret_gone = true;
    if (!qemu_process_exited(proc)) {
        if (!process_sigterm(proc, error))
            return false;
        *ret_gone = process_wait_pidfd(proc->pidfd, (int)MIN(wait_ms, (unsigned)G_MAXINT));
    }
    if (*ret_gone)
        loop_invoker_call(proc->loop, process_check_on_loop, proc);
    return true;
}

/**
 * qemu_process_signal: send @sig to QEMU without waiting (nothing when it exited). For a
 * destroy that does not hold the job: the holder sees the exit and frees the process.
 */
void qemu_process_signal(QemuProcess *proc, int sig)
{
    if (!qemu_process_exited(proc))
        (void)process_pidfd_signal(proc->pidfd, sig);
}

/** qemu_process_monitor: QEMU's QMP monitor (owned by the process). */
QemuMonitor *qemu_process_monitor(QemuProcess *proc)
{
    return proc->mon;
}

pid_t qemu_process_pid(QemuProcess *proc)
{
    return proc->pid;
}

/** qemu_process_exited: whether the exit has been seen (the callback ran or runs). */
bool qemu_process_exited(QemuProcess *proc)
{
    bool exited;

    g_mutex_lock(&proc->lock);
    exited = proc->exited;
    g_mutex_unlock(&proc->lock);
    return exited;
}
