/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Probing a QEMU binary and caching the result (I/O). Two QEMUs are started at once
 * with -machine none: the full probe under TCG and a short one asking for KVM, each
 * with its monitor on one end of a socketpair (no socket file, no connect race). Each
 * gets its whole list of queries at once, so both work through them side by side; we
 * read the replies in order, then SIGKILL both. The exchange is blocking with one
 * deadline for the whole probe: callers run it on a worker, never on the event loop.
 */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "qemu-caps.h"
#include "util/command.h"
#include "util/error.h"
#include "util/file-util.h"

#define QEMU_PROBE_MAX_STDERR 4096
#define QEMU_CAPS_CACHE_MAX (64u * 1024 * 1024)

typedef struct QemuProbe {
    const char *binary;
    pid_t pid;
    int fd;             /* our end of the monitor socketpair */
    int err_fd;         /* memfd holding QEMU's stderr */
    GString *in;        /* bytes read, not yet a full line */
    bool kvm;           /* the probe asking for KVM */
    unsigned serial;    /* commands sent */
    unsigned received;  /* replies read */
    int64_t deadline;   /* g_get_monotonic_time() units */
    GPtrArray *replies; /* QemuMonitorMessage*, kept until the caps are built */
} QemuProbe;

static void qemu_probe_reply_free(void *p)
{
    qemu_monitor_message_free(p);
}

static void qemu_probe_free(QemuProbe *p)
{
    if (!p)
        return;
    if (p->pid > 0) {
        /* QEMU must not outlive the probe (usually qemu_probe_kill() came first) */
        (void)kill(p->pid, SIGKILL);
        (void)waitpid(p->pid, NULL, 0);
    }
    if (p->fd >= 0)
        close(p->fd);
    if (p->err_fd >= 0)
        close(p->err_fd);
    g_string_free(p->in, TRUE);
    g_ptr_array_unref(p->replies);
    g_free(p);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuProbe, qemu_probe_free)

/* Stop @p's QEMU without waiting; qemu_probe_free() reaps it. */
static void qemu_probe_kill(QemuProbe *p)
{
    if (p && p->pid > 0)
        (void)kill(p->pid, SIGKILL);
}

static Command *qemu_probe_command(const char *binary, bool kvm, int mon_fd, int err_fd)
{
    Command *cmd = command_new(binary);

    command_add_env_common(cmd);
    command_add_args(cmd, "-machine", "none", NULL);
    if (kvm)
        command_add_args(cmd, "-accel", "kvm", NULL);
    command_add_args(cmd, "-accel", "tcg", "-nodefaults", "-no-user-config", "-nographic", "-S",
                     "-chardev", "socket,id=qmp,fd=3", "-mon", "chardev=qmp,mode=control", NULL);
    command_map_fd(cmd, mon_fd, 3, COMMAND_FD_CLOSE_PARENT);
    command_set_stderr_fd(cmd, err_fd);
    return cmd;
}

static QemuProbe *qemu_probe_start(const char *binary, bool kvm, int64_t deadline, GError **error)
{
    g_autoptr(QemuProbe) p = g_new0(QemuProbe, 1);
    g_autoptr(Command) cmd = NULL;
    int sv[2];

    p->binary = binary;
    p->kvm = kvm;
    p->fd = p->err_fd = -1;
    p->in = g_string_new(NULL);
    p->deadline = deadline;
    p->replies = g_ptr_array_new_with_free_func(qemu_probe_reply_free);
    p->err_fd = memfd_create("qemu-probe-stderr", MFD_CLOEXEC);
    if (p->err_fd < 0) {
        virt_error_set_errno(error, VIRT_QEMU_ERROR, errno, "cannot create a memfd");
        return NULL;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        virt_error_set_errno(error, VIRT_QEMU_ERROR, errno, "cannot create a socketpair");
        return NULL;
    }
    p->fd = sv[0];
    cmd = qemu_probe_command(binary, kvm, sv[1], p->err_fd);
    if (!command_spawn(cmd, &p->pid, NULL, error)) {
        g_prefix_error(error, "cannot probe QEMU binary '%s': ", binary);
        return NULL;
    }
    return g_steal_pointer(&p);
}

/* QEMU's own words on why it failed, from its stderr. */
static char *qemu_probe_stderr(QemuProbe *p)
{
    char buf[QEMU_PROBE_MAX_STDERR];
    ssize_t n = pread(p->err_fd, buf, sizeof(buf) - 1, 0);

    if (n <= 0)
        return g_strdup("");
    buf[n] = '\0';
    return g_strdup(g_strstrip(buf));
}

static bool qemu_probe_fail(QemuProbe *p, GError **error, const char *what)
{
    g_autofree char *err = qemu_probe_stderr(p);

    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                "cannot probe QEMU binary '%s': %s%s%s", p->binary, what, err[0] ? ": " : "", err);
    return false;
}

/* Read one line (a QMP message), waiting until the probe's deadline at most. */
static QemuMonitorMessage *qemu_probe_read(QemuProbe *p, GError **error)
{
    for (;;) {
        char *nl = memchr(p->in->str, '\n', p->in->len);
        struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
        int64_t left = (p->deadline - g_get_monotonic_time()) / 1000;
        char chunk[65536];
        ssize_t n;

        if (nl) {
            size_t len = (size_t)(nl - p->in->str) + 1;
            QemuMonitorMessage *msg = qemu_monitor_message_parse(p->in->str, len, error);

            g_string_erase(p->in, 0, (gssize)len);
            return msg;
        }
        if (p->in->len > QEMU_MONITOR_MAX_MESSAGE) {
            qemu_probe_fail(p, error, "QMP message too large");
            return NULL;
        }
        if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
            qemu_probe_fail(p, error, "timed out waiting for QMP");
            return NULL;
        }
        n = read(p->fd, chunk, sizeof(chunk));
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0) {
            qemu_probe_fail(p, error, "QEMU closed its monitor");
            return NULL;
        }
        g_string_append_len(p->in, chunk, n);
    }
}

static bool qemu_probe_write(QemuProbe *p, const char *line, GError **error)
{
    size_t len = strlen(line);

    while (len > 0) {
        ssize_t n = send(p->fd, line, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return qemu_probe_fail(p, error, "cannot write to the monitor");
        line += n;
        len -= (size_t)n;
    }
    return true;
}

/* Which of the two QEMUs answers a query. */
typedef enum QemuProbeOn {
    QEMU_PROBE_ON_TCG,
    QEMU_PROBE_ON_KVM,
    QEMU_PROBE_ON_EITHER, /* the KVM one when it runs (it has less to do), else TCG */
} QemuProbeOn;

/* One query of a probe and where its reply goes in QemuCapsReplies. */
typedef struct QemuProbeStep {
    const char *command;
    const char *qom_implements; /* for qom-list-types */
    bool qom_abstract_too;
    QemuProbeOn on;
    size_t reply_offset; /* offsetof(QemuCapsReplies, ...) */
} QemuProbeStep;

#define QEMU_PROBE_STEP(cmd, where, field)                                        \
    {                                                                             \
        cmd, NULL, false, QEMU_PROBE_ON_##where, offsetof(QemuCapsReplies, field) \
    }
#define QEMU_PROBE_QOM_STEP(impl, abstract, field)                                            \
    {                                                                                         \
        "qom-list-types", impl, abstract, QEMU_PROBE_ON_TCG, offsetof(QemuCapsReplies, field) \
    }

/*
 * query-qmp-schema (QEMU builds ~1 MB of JSON) and qom-list-types (QEMU loads all its
 * device modules first) are the two expensive queries; with a KVM probe running they
 * go to different QEMUs, which then work on two CPUs at once.
 */
static const QemuProbeStep qemu_probe_steps[] = {
    QEMU_PROBE_STEP("query-version", TCG, version),
    QEMU_PROBE_STEP("query-target", TCG, target),
    QEMU_PROBE_STEP("query-kvm", TCG, kvm),
    QEMU_PROBE_STEP("query-machines", TCG, machines),
    QEMU_PROBE_STEP("query-cpu-definitions", TCG, cpu_definitions),
    QEMU_PROBE_STEP("query-qmp-schema", EITHER, schema),
    QEMU_PROBE_QOM_STEP("accel", true, accels),
    QEMU_PROBE_QOM_STEP("device", false, devices),
    QEMU_PROBE_STEP("query-kvm", KVM, kvm_kvm),
    QEMU_PROBE_STEP("query-cpu-definitions", KVM, kvm_cpu_definitions),
};

/* Whether @step is for probe @p (the KVM one or not) when @with_kvm says whether the
 * KVM probe runs at all. */
static bool qemu_probe_step_is_for(const QemuProbeStep *step, const QemuProbe *p, bool with_kvm)
{
    switch (step->on) {
    case QEMU_PROBE_ON_TCG:
        return !p->kvm;
    case QEMU_PROBE_ON_KVM:
        return p->kvm;
    case QEMU_PROBE_ON_EITHER:
        return p->kvm == with_kvm;
    }
    g_assert_not_reached();
}

static bool qemu_probe_send(QemuProbe *p, const QemuMonitorCommand *cmd, GError **error)
{
    g_autofree char *line = qemu_monitor_command_format(cmd, ++p->serial);

    return qemu_probe_write(p, line, error);
}

/*
 * Send @p's whole conversation at once, right after the spawn: QMP queues commands and
 * answers them in order, so QEMU works through them while we read (no round trip per
 * query), and the TCG and KVM probes run side by side. The socket buffer holds it all
 * before QEMU even greets; qmp_capabilities goes first, as QMP requires.
 */
static bool qemu_probe_send_steps(QemuProbe *p, bool with_kvm, GError **error)
{
    g_autoptr(QemuMonitorCommand) negotiate = qemu_monitor_command_new("qmp_capabilities");

    if (!qemu_probe_send(p, negotiate, error))
        return false;
    for (size_t i = 0; i < G_N_ELEMENTS(qemu_probe_steps); i++) {
        const QemuProbeStep *step = &qemu_probe_steps[i];
        g_autoptr(QemuMonitorCommand) cmd = NULL;

        if (!qemu_probe_step_is_for(step, p, with_kvm))
            continue;
        cmd = step->qom_implements
                  ? qemu_monitor_cmd_qom_list_types(step->qom_implements, step->qom_abstract_too)
                  : qemu_monitor_command_new(step->command);
        if (!qemu_probe_send(p, cmd, error))
            return false;
    }
    return true;
}

/* The reply to @p's next command, kept in p->replies (events in between are dropped:
 * -S, nothing runs). */
static const QemuMonitorMessage *qemu_probe_receive(QemuProbe *p, GError **error)
{
    unsigned want = ++p->received;

    for (;;) {
        g_autoptr(QemuMonitorMessage) msg = qemu_probe_read(p, error);
        unsigned got;

        if (!msg)
            return NULL;
        if (msg->type == QEMU_MONITOR_MESSAGE_EVENT)
            continue;
        if (!qemu_monitor_reply_serial(msg, &got) || got != want) {
            qemu_probe_fail(p, error, "unexpected QMP message");
            return NULL;
        }
        g_ptr_array_add(p->replies, g_steal_pointer(&msg));
        return g_ptr_array_index(p->replies, p->replies->len - 1);
    }
}

/* Read what qemu_probe_send_steps() asked for, in the same order: the greeting, the
 * negotiation, then one reply per step into @r. */
static bool qemu_probe_receive_steps(QemuProbe *p, bool with_kvm, QemuCapsReplies *r,
                                     GError **error)
{
    g_autoptr(QemuMonitorMessage) greeting = qemu_probe_read(p, error);
    const QemuMonitorMessage *reply;

    if (!greeting)
        return false;
    if (greeting->type != QEMU_MONITOR_MESSAGE_GREETING)
        return qemu_probe_fail(p, error, "no QMP greeting");
    reply = qemu_probe_receive(p, error);
    if (!reply || !qemu_monitor_reply_check(reply, "qmp_capabilities", error))
        return false;
    for (size_t i = 0; i < G_N_ELEMENTS(qemu_probe_steps); i++) {
        const QemuProbeStep *step = &qemu_probe_steps[i];

        if (!qemu_probe_step_is_for(step, p, with_kvm))
            continue;
        if (!(reply = qemu_probe_receive(p, error)))
            return false;
        G_STRUCT_MEMBER(const QemuMonitorMessage *, r, step->reply_offset) = reply;
    }
    return true;
}

static bool qemu_caps_kvm_device_usable(void)
{
    return access("/dev/kvm", R_OK | W_OK) == 0;
}

/* Start a probe and queue its conversation; NULL with @error on failure. */
static QemuProbe *qemu_probe_begin(const char *binary, bool kvm, bool with_kvm, int64_t deadline,
                                   GError **error)
{
    g_autoptr(QemuProbe) p = qemu_probe_start(binary, kvm, deadline, error);

    if (!p || !qemu_probe_send_steps(p, with_kvm, error))
        return NULL;
    return g_steal_pointer(&p);
}

/**
 * qemu_caps_probe: start @binary (twice: TCG, and KVM when /dev/kvm is accessible) and
 * build its capabilities from the replies, within @timeout_ms for everything.
 * Blocking: run it on a worker thread.
 */
QemuCaps *qemu_caps_probe(const char *binary, unsigned timeout_ms, GError **error)
{
    int64_t deadline = g_get_monotonic_time() + (int64_t)timeout_ms * 1000;
    bool with_kvm = qemu_caps_kvm_device_usable();
    g_autoptr(QemuProbe) tcg = NULL;
    g_autoptr(QemuProbe) kvm = NULL;
    QemuCapsReplies replies = { 0 };

    /* both start now, so their startup times and conversations overlap */
    if (!(tcg = qemu_probe_begin(binary, false, with_kvm, deadline, error)) ||
        (with_kvm && !(kvm = qemu_probe_begin(binary, true, with_kvm, deadline, error))))
        return NULL;
    if (!qemu_probe_receive_steps(tcg, with_kvm, &replies, error) ||
        (kvm && !qemu_probe_receive_steps(kvm, with_kvm, &replies, error)))
        return NULL;
    /* A paused -machine none QEMU has nothing to save: SIGKILL both now, so that they
     * are torn down side by side while the replies are converted (the frees reap). */
    qemu_probe_kill(tcg);
    qemu_probe_kill(kvm);
    return qemu_caps_from_replies(binary, &replies, error);
}

/* ---- cache ---- */

/**
 * qemu_caps_stamp_read: the facts the cache is keyed by, for @binary now.
 */
bool qemu_caps_stamp_read(const char *binary, QemuCapsStamp *ret_stamp, GError **error)
{
    struct stat st;

    if (stat(binary, &st) < 0)
        return virt_error_set_errno(error, VIRT_QEMU_ERROR, errno, "cannot stat QEMU binary '%s'",
                                    binary);
    *ret_stamp = (QemuCapsStamp){
        .size = st.st_size,
        .mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec,
        .kvm_device = qemu_caps_kvm_device_usable(),
    };
    return true;
}

static char *qemu_caps_cache_path(const char *cache_dir, const char *binary)
{
    g_autofree char *base = g_path_get_basename(binary);
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, binary, -1);
    g_autofree char *name = g_strdup_printf("%s-%.16s.json", base, sum);

    return g_build_filename(cache_dir, name, NULL);
}

/* A cache file that is missing, unreadable or stale just means: probe again. */
static QemuCaps *qemu_caps_cache_load(const char *path, const char *binary,
                                      const QemuCapsStamp *stamp)
{
    g_autofree char *text = NULL;
    g_autoptr(QemuCaps) caps = NULL;

    if (!virt_file_read_bounded(path, QEMU_CAPS_CACHE_MAX, &text, NULL, NULL))
        return NULL;
    caps = qemu_caps_from_json(text, NULL);
    if (!caps || !qemu_caps_is_current(caps, binary, stamp, VIRTKIT_VERSION))
        return NULL;
    return g_steal_pointer(&caps);
}

/**
 * qemu_caps_cache_get: the capabilities of @binary from @cache_dir when the cached copy
 * is current (same path, size, mtime, /dev/kvm access and virtkit version); otherwise
 * probe, store and return. *ret_probed tells which happened (optional).
 */
QemuCaps *qemu_caps_cache_get(const char *cache_dir, const char *binary, unsigned timeout_ms,
                              bool *ret_probed, GError **error)
{
    g_autofree char *path = qemu_caps_cache_path(cache_dir, binary);
    g_autoptr(QemuCaps) caps = NULL;
    g_autofree char *json = NULL;
    QemuCapsStamp stamp;

    if (!qemu_caps_stamp_read(binary, &stamp, error))
        return NULL;
    caps = qemu_caps_cache_load(path, binary, &stamp);
    if (caps) {
        if (ret_probed)
            *ret_probed = false;
        return g_steal_pointer(&caps);
    }
    caps = qemu_caps_probe(binary, timeout_ms, error);
    if (!caps)
        return NULL;
    qemu_caps_set_stamp(caps, &stamp, VIRTKIT_VERSION);
    json = qemu_caps_to_json(caps);
    if (!virt_dir_ensure(cache_dir, 0755, error) ||
        !virt_file_write_atomic(path, json, strlen(json), 0644, error))
        return NULL;
    if (ret_probed)
        *ret_probed = true;
    return g_steal_pointer(&caps);
}
