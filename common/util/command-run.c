/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Running commands: fork + execve with exactly the fds, environment, working directory
 * and umask the Command records. Everything the child needs is prepared before fork()
 * so that the child only makes async-signal-safe calls (the daemons are threaded).
 * exec failures come back to the parent over a CLOEXEC pipe, so "no such binary" is a
 * GError naming the binary rather than an exit status 127.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/command-priv.h"
#include "util/error.h"
#include "util/fd-util.h"

typedef enum SpawnStage {
    SPAWN_STAGE_FDS,
    SPAWN_STAGE_CHDIR,
    SPAWN_STAGE_EXEC,
} SpawnStage;

typedef struct SpawnReport {
    int stage;
    int err;
} SpawnReport;

/* What the child does, computed in the parent. */
typedef struct SpawnPlan {
    char *path;
    char **argv;
    char **envp;
    int devnull;
    guint n_map;
    int *map_from; /* parent fds ... */
    int *map_to;   /* ... and where the child gets them, 0-2 first */
    int *temps;    /* scratch for the child */
    int max_child_fd;
    int base; /* above every fd named in the map */
    int max_fd;
    const char *working_dir;
    mode_t umask;
    bool has_umask;
    bool new_session;
} SpawnPlan;

static void spawn_plan_clear(SpawnPlan *plan)
{
    g_free(plan->path);
    if (plan->devnull >= 0)
        (void)close(plan->devnull);
    g_free(plan->map_from);
    g_free(plan->map_to);
    g_free(plan->temps);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(SpawnPlan, spawn_plan_clear)

static bool spawn_resolve_binary(const char *binary, SpawnPlan *plan, GError **error)
{
    if (strchr(binary, '/')) {
        plan->path = g_strdup(binary);
        return true;
    }
    /* Looked up in our PATH, not the child's: tests put fake binaries first in PATH. */
    plan->path = g_find_program_in_path(binary);
    if (plan->path)
        return true;
    return virt_error_set_errno(error, VIRT_UTIL_ERROR, ENOENT,
                                "cannot find executable '%s' in PATH", binary);
}

static void spawn_plan_add(SpawnPlan *plan, int from, int to)
{
    plan->map_from[plan->n_map] = from;
    plan->map_to[plan->n_map] = to;
    plan->n_map++;
    plan->max_child_fd = MAX(plan->max_child_fd, to);
    plan->base = MAX(plan->base, MAX(from, to) + 1);
}

/* @std_fds overrides the command's stdin/stdout/stderr where it is not -1. */
static bool spawn_plan_prepare(Command *cmd, const int std_fds[3], SpawnPlan *plan, GError **error)
{
    guint n = 3 + cmd->fds->len;
    long open_max = sysconf(_SC_OPEN_MAX);

    if (!command_check(cmd, error))
        return false;
    if (!spawn_resolve_binary(cmd->argv->pdata[0], plan, error))
        return false;
    plan->argv = (char **)cmd->argv->pdata;
    plan->envp = (char **)command_get_env(cmd);
    plan->map_from = g_new(int, n);
    plan->map_to = g_new(int, n);
    plan->temps = g_new(int, n);
    plan->max_fd = open_max > 0 ? (int)MIN(open_max, 1 << 20) : 65536;
    for (int i = 0; i < 3; i++) {
        int fd = std_fds[i] >= 0 ? std_fds[i] : cmd->std_fds[i];

        if (fd < 0 && plan->devnull < 0)
            plan->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (fd < 0 && plan->devnull < 0)
            return virt_error_set_errno(error, VIRT_UTIL_ERROR, errno, "cannot open '/dev/null'");
        spawn_plan_add(plan, fd >= 0 ? fd : plan->devnull, i);
    }
    for (guint i = 0; i < cmd->fds->len; i++) {
        const CommandFd *f = &g_array_index(cmd->fds, CommandFd, i);

        spawn_plan_add(plan, f->parent_fd, f->child_fd);
    }
    plan->working_dir = cmd->working_dir;
    plan->umask = cmd->umask;
    plan->has_umask = cmd->has_umask;
    plan->new_session = cmd->new_session;
    return true;
}

/* Close [lo, hi], hi < 0 meaning "all above lo". Without close_range() (kernels before
 * 5.9) fall back to a loop bounded by the fd limit computed before fork(). */
static void close_range_safe(int lo, int hi, int max_fd)
{
    if (hi >= 0 && lo > hi)
        return;
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned)lo, hi < 0 ? ~0u : (unsigned)hi, 0) == 0)
        return;
#endif
    for (int fd = lo; fd <= (hi < 0 ? max_fd : hi); fd++)
        (void)close(fd);
}

static G_GNUC_NORETURN void spawn_child_fail(int report_fd, SpawnStage stage)
{
    SpawnReport r = { stage, errno };

    (void)!write(report_fd, &r, sizeof(r));
    _exit(127);
}

/* Only async-signal-safe calls from here on. */
static G_GNUC_NORETURN void spawn_child(const SpawnPlan *p, int report_pipe)
{
    int report_fd = fcntl(report_pipe, F_DUPFD_CLOEXEC, p->base);
    sigset_t none;

    if (report_fd < 0)
        _exit(127);
    /* Two steps so that a mapping like 3->4, 4->3 cannot overwrite its own source. */
    for (guint i = 0; i < p->n_map; i++) {
        p->temps[i] = fcntl(p->map_from[i], F_DUPFD, p->base);
        if (p->temps[i] < 0)
            spawn_child_fail(report_fd, SPAWN_STAGE_FDS);
    }
    for (guint i = 0; i < p->n_map; i++) {
        if (dup2(p->temps[i], p->map_to[i]) < 0)
            spawn_child_fail(report_fd, SPAWN_STAGE_FDS);
    }
    for (int fd = 3; fd <= p->max_child_fd; fd++) {
        bool wanted = false;

        for (guint i = 0; i < p->n_map && !wanted; i++)
            wanted = p->map_to[i] == fd;
        if (!wanted)
            (void)close(fd);
    }
    /* everything else, including the scratch copies above report_fd */
    close_range_safe(p->max_child_fd + 1, report_fd - 1, p->max_fd);
    close_range_safe(report_fd + 1, -1, p->max_fd);

    for (int sig = 1; sig < NSIG; sig++)
        (void)signal(sig, SIG_DFL);
    sigemptyset(&none);
    (void)pthread_sigmask(SIG_SETMASK, &none, NULL);
    if (p->has_umask)
        (void)umask(p->umask);
    if (p->new_session)
        (void)setsid(); /* cannot fail: a forked child is never a group leader */
    if (p->working_dir && chdir(p->working_dir) < 0)
        spawn_child_fail(report_fd, SPAWN_STAGE_CHDIR);
    execve(p->path, p->argv, p->envp);
    spawn_child_fail(report_fd, SPAWN_STAGE_EXEC);
}

static void wait_reap(pid_t pid, int *ret_wstatus)
{
    int wstatus = 0;

    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
        ;
    if (ret_wstatus)
        *ret_wstatus = wstatus;
}

static bool spawn_report_error(const SpawnPlan *plan, const SpawnReport *r, GError **error)
{
    switch ((SpawnStage)r->stage) {
    case SPAWN_STAGE_FDS:
        return virt_error_set_errno(error, VIRT_UTIL_ERROR, r->err,
                                    "cannot set up file descriptors for '%s'", plan->path);
    case SPAWN_STAGE_CHDIR:
        return virt_error_set_errno(error, VIRT_UTIL_ERROR, r->err,
                                    "cannot change to directory '%s' for '%s'", plan->working_dir,
                                    plan->path);
    case SPAWN_STAGE_EXEC:
        return virt_error_set_errno(error, VIRT_UTIL_ERROR, r->err, "cannot execute '%s'",
                                    plan->path);
    }
    g_assert_not_reached();
}

/* Fork and exec; returns once exec succeeded (or failed, with @error set). */
static bool spawn_start(Command *cmd, const int std_fds[3], pid_t *ret_pid, GError **error)
{
    g_auto(SpawnPlan) plan = { .devnull = -1, .max_child_fd = 2 };
    g_auto(VirtFd) report_rd = -1;
    int report[2];
    sigset_t all, old;
    SpawnReport r;
    ssize_t n;
    pid_t pid;

    if (!spawn_plan_prepare(cmd, std_fds, &plan, error))
        return false;
    if (pipe2(report, O_CLOEXEC) < 0)
        return virt_error_set_errno(error, VIRT_UTIL_ERROR, errno, "cannot create a pipe");
    report_rd = report[0];
    plan.base = MAX(plan.base, report[1] + 1);

    /* No parent signal handler may run in the child between fork and exec. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid = fork();
    if (pid == 0)
        spawn_child(&plan, report[1]);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    (void)close(report[1]);
    if (pid < 0)
        return virt_error_set_errno(error, VIRT_UTIL_ERROR, errno, "cannot fork '%s'", plan.path);

    while ((n = read(report_rd, &r, sizeof(r))) < 0 && errno == EINTR)
        ;
    if (n == (ssize_t)sizeof(r)) {
        wait_reap(pid, NULL);
        return spawn_report_error(&plan, &r, error);
    }
    *ret_pid = pid;
    return true;
}

/* -1 when the kernel has no pidfd_open (before 5.3) or a tool like valgrind hides it. */
static int pidfd_open_cloexec(pid_t pid)
{
#ifdef SYS_pidfd_open
    /* Race-free: the child is ours and not reaped yet, so the pid cannot be reused.
     * pidfds are always close-on-exec. */
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    return -1;
#endif
}

/**
 * command_spawn: start @cmd and return without waiting. *ret_pid is the child to reap;
 * *ret_pidfd (optional) is a pidfd for an event loop, or -1 when the kernel has none
 * (then watch the pid, e.g. sd_event_add_child). stdio not set on @cmd is /dev/null.
 */
bool command_spawn(Command *cmd, pid_t *ret_pid, int *ret_pidfd, GError **error)
{
    static const int no_override[3] = { -1, -1, -1 };
    pid_t pid;

    if (!spawn_start(cmd, no_override, &pid, error))
        return false;
    *ret_pid = pid;
    if (ret_pidfd)
        *ret_pidfd = pidfd_open_cloexec(pid);
    return true;
}

typedef struct Capture {
    int fd;
    GByteArray *buf;
    bool truncated;
} Capture;

/* Read what is available; false at EOF. Beyond @max the data is read and dropped so
 * that a chatty child never blocks on a full pipe. */
static bool capture_read(Capture *c, size_t max)
{
    char chunk[4096];
    ssize_t n = read(c->fd, chunk, sizeof(chunk));

    if (n < 0)
        return errno == EINTR || errno == EAGAIN;
    if (n == 0)
        return false;
    if (c->buf->len < max) {
        size_t keep = MIN((size_t)n, max - c->buf->len);

        g_byte_array_append(c->buf, (const guint8 *)chunk, (guint)keep);
        if (keep < (size_t)n)
            c->truncated = true;
    } else {
        c->truncated = true;
    }
    return true;
}

static int poll_timeout(gint64 deadline)
{
    gint64 left;

    if (deadline < 0)
        return -1;
    left = (deadline - g_get_monotonic_time() + 999) / 1000;
    return (int)CLAMP(left, 0, G_MAXINT);
}

/* Drain both pipes until EOF and, when there is a pidfd, until the child has exited.
 * Returns false when @deadline (monotonic usec, -1 for none) passes first. */
static bool capture_all(Capture *cap, size_t max, int pidfd, gint64 deadline)
{
    struct pollfd pfd[3] = {
        { cap[0].fd, POLLIN, 0 },
        { cap[1].fd, POLLIN, 0 },
        { pidfd, POLLIN, 0 },
    };
    int pending = pidfd >= 0 ? 3 : 2;

    while (pending > 0) {
        int n = poll(pfd, 3, poll_timeout(deadline));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return true; /* cannot wait any smarter; waitpid() follows */
        if (n == 0)
            return false;
        for (int i = 0; i < 3; i++) {
            if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            if (i == 2 || !capture_read(&cap[i], max)) {
                pfd[i].fd = -1;
                pending--;
            }
        }
    }
    return true;
}

static char *capture_steal(Capture *c, size_t *ret_len)
{
    *ret_len = c->buf->len;
    g_byte_array_append(c->buf, (const guint8 *)"", 1);
    return (char *)g_byte_array_free(g_steal_pointer(&c->buf), FALSE);
}

static CommandResult *result_new(int wstatus, Capture *cap)
{
    CommandResult *res = g_new0(CommandResult, 1);

    res->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    res->signal = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
    res->out = capture_steal(&cap[0], &res->out_len);
    res->out_truncated = cap[0].truncated;
    res->err = capture_steal(&cap[1], &res->err_len);
    res->err_truncated = cap[1].truncated;
    return res;
}

static bool run_timed_out(const Command *cmd, pid_t pid, GError **error)
{
    (void)kill(pid, SIGKILL);
    wait_reap(pid, NULL);
    g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_OPERATION_TIMEOUT,
                "command '%s' timed out after %u ms", (const char *)cmd->argv->pdata[0],
                cmd->timeout_ms);
    return false;
}

/**
 * command_run: run @cmd to completion, capturing stdout and stderr (at most
 * @max_output bytes of each are kept; the rest is drained and the result says it was
 * truncated). A non-zero exit is not an error here: see command_result_check(). With
 * command_set_timeout() the child is killed (SIGKILL) once the time is up and the
 * error is VIRT_ERR_OPERATION_TIMEOUT. Blocks; daemons call it from a worker thread.
 */
bool command_run(Command *cmd, size_t max_output, CommandResult **ret_result, GError **error)
{
    g_auto(VirtFd) out_rd = -1;
    g_auto(VirtFd) out_wr = -1;
    g_auto(VirtFd) err_rd = -1;
    g_auto(VirtFd) err_wr = -1;
    g_auto(VirtFd) pidfd = -1;
    gint64 deadline = -1;
    Capture cap[2];
    int fds[2];
    int wstatus;
    pid_t pid;
    bool done;

    if (pipe2(fds, O_CLOEXEC) < 0)
        return virt_error_set_errno(error, VIRT_UTIL_ERROR, errno, "cannot create a pipe");
    out_rd = fds[0];
    out_wr = fds[1];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return virt_error_set_errno(error, VIRT_UTIL_ERROR, errno, "cannot create a pipe");
    err_rd = fds[0];
    err_wr = fds[1];

    if (cmd->timeout_ms)
        deadline = g_get_monotonic_time() + (gint64)cmd->timeout_ms * 1000;
    if (!spawn_start(cmd, (const int[3]){ -1, out_wr, err_wr }, &pid, error))
        return false;
    virt_fd_close(g_steal_fd(&out_wr));
    virt_fd_close(g_steal_fd(&err_wr));
    pidfd = pidfd_open_cloexec(pid);

    cap[0] = (Capture){ out_rd, g_byte_array_new(), false };
    cap[1] = (Capture){ err_rd, g_byte_array_new(), false };
    done = capture_all(cap, max_output, pidfd, deadline);
    if (!done) {
        g_byte_array_unref(cap[0].buf);
        g_byte_array_unref(cap[1].buf);
        return run_timed_out(cmd, pid, error);
    }
    wait_reap(pid, &wstatus);
    *ret_result = result_new(wstatus, cap);
    return true;
}

/**
 * command_result_check: an error unless the command exited with status 0. The message
 * names the binary and carries the child's stderr, which is usually the only
 * explanation there is.
 */
bool command_result_check(const CommandResult *res, const Command *cmd, GError **error)
{
    const char *binary = command_get_argv(cmd)[0];
    g_autofree char *err = g_strstrip(g_strdup(res->err ? res->err : ""));

    if (res->signal) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "command '%s' was killed by signal %d (%s)%s%s", binary, res->signal,
                    g_strsignal(res->signal), *err ? ": " : "", err);
        return false;
    }
    if (res->status != 0) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "command '%s' exited with status %d%s%s", binary, res->status, *err ? ": " : "",
                    err);
        return false;
    }
    return true;
}

/**
 * command_result_free: free @res. Accepts NULL; returns NULL.
 */
CommandResult *command_result_free(CommandResult *res)
{
    if (!res)
        return NULL;
    g_free(res->out);
    g_free(res->err);
    g_free(res);
    return NULL;
}
