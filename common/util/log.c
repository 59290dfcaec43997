/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The process-wide half of logging: the GLib structured writer and the active
 * configuration. GLib allows one writer per process, installed once; later changes
 * (config file, admin API) swap the configuration under a mutex. Outputs are written
 * under the same mutex so lines from different threads never interleave. Nothing in
 * here may log: the writer would deadlock on itself.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "util/log.h"

typedef struct LogState {
    VirtLogConfig *cfg;
    int *fds; /* per output: the open file for VIRT_LOG_DEST_FILE, else -1 */
} LogState;

static GMutex log_lock;
static LogState log_state;
static gsize log_installed;
static bool log_stderr_is_journal; /* started by systemd with stderr to the journal */

static void log_fds_close(int *fds, guint n)
{
    for (guint i = 0; fds && i < n; i++) {
        if (fds[i] >= 0)
            (void)close(fds[i]);
    }
    g_free(fds);
}

/* Open the files of @cfg before switching to it, so a bad path keeps the old setup. */
static int *log_fds_open(const VirtLogConfig *cfg, GError **error)
{
    int *fds = g_new(int, cfg->outputs->len + 1);

    for (guint i = 0; i < cfg->outputs->len; i++) {
        const VirtLogOutput *o = g_ptr_array_index(cfg->outputs, i);

        fds[i] = -1;
        if (o->dest != VIRT_LOG_DEST_FILE)
            continue;
        fds[i] = open(o->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
        if (fds[i] < 0) {
            (void)virt_error_set_errno(error, VIRT_UTIL_ERROR, errno, "cannot open log file '%s'",
                                       o->path);
            log_fds_close(fds, i);
            return NULL;
        }
    }
    return fds;
}

static VirtLogConfig *log_config_copy(const VirtLogConfig *cfg)
{
    VirtLogConfig *copy = virt_log_config_new();

    copy->level = cfg->level;
    for (guint i = 0; i < cfg->filters->len; i++) {
        const VirtLogFilter *f = g_ptr_array_index(cfg->filters, i);
        VirtLogFilter *c = g_new0(VirtLogFilter, 1);

        c->level = f->level;
        c->match = g_strdup(f->match);
        g_ptr_array_add(copy->filters, c);
    }
    for (guint i = 0; i < cfg->outputs->len; i++) {
        const VirtLogOutput *o = g_ptr_array_index(cfg->outputs, i);
        VirtLogOutput *c = g_new0(VirtLogOutput, 1);

        c->level = o->level;
        c->dest = o->dest;
        c->path = g_strdup(o->path);
        g_ptr_array_add(copy->outputs, c);
    }
    return copy;
}

static void log_write_fd(int fd, const char *line, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, line, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; /* nowhere to report a failing log output */
        line += n;
        len -= (size_t)n;
    }
}

static void log_emit(GLogLevelFlags flags, const GLogField *fields, gsize n_fields,
                     VirtLogLevel level, const char *line)
{
    size_t len = strlen(line);

    if (log_state.cfg->outputs->len == 0) {
        /* Like libvirt's daemons: no explicit output means the journal when stderr
         * already goes there (keeps priorities and fields), stderr otherwise. */
        if (log_stderr_is_journal)
            (void)g_log_writer_journald(flags, fields, n_fields, NULL);
        else
            log_write_fd(STDERR_FILENO, line, len);
        return;
    }
    for (guint i = 0; i < log_state.cfg->outputs->len; i++) {
        const VirtLogOutput *o = g_ptr_array_index(log_state.cfg->outputs, i);

        if (level < o->level)
            continue;
        switch (o->dest) {
        case VIRT_LOG_DEST_STDERR:
            log_write_fd(STDERR_FILENO, line, len);
            break;
        case VIRT_LOG_DEST_FILE:
            log_write_fd(log_state.fds[i], line, len);
            break;
        case VIRT_LOG_DEST_JOURNALD:
            (void)g_log_writer_journald(flags, fields, n_fields, NULL);
            break;
        case _VIRT_LOG_DEST_MAX:
        case _VIRT_LOG_DEST_INVALID:
            g_assert_not_reached();
        }
    }
}

static char *log_field_string(const GLogField *field)
{
    if (field->length < 0)
        return g_strdup(field->value);
    return g_strndup(field->value, (gsize)field->length);
}

static GLogWriterOutput log_writer(GLogLevelFlags flags, const GLogField *fields, gsize n_fields,
                                   gpointer user_data)
{
    VirtLogLevel level = virt_log_level_from_glib(flags);
    g_autofree char *domain = NULL;
    g_autofree char *message = NULL;
    g_autofree char *line = NULL;

    for (gsize i = 0; i < n_fields; i++) {
        if (!domain && strcmp(fields[i].key, "GLIB_DOMAIN") == 0)
            domain = log_field_string(&fields[i]);
        else if (!message && strcmp(fields[i].key, "MESSAGE") == 0)
            message = log_field_string(&fields[i]);
    }

    g_mutex_lock(&log_lock);
    if (virt_log_config_wants(log_state.cfg, domain, level)) {
        line = virt_log_format_line(g_get_real_time(), (long)gettid(), level, domain, message);
        log_emit(flags, fields, n_fields, level, line);
    }
    g_mutex_unlock(&log_lock);
    return G_LOG_WRITER_HANDLED;
}

/**
 * virt_log_set_config: make a copy of @cfg the active configuration. Log files are
 * opened (append, 0600) before anything changes; if one cannot be opened the previous
 * configuration stays and @error says which file.
 */
bool virt_log_set_config(const VirtLogConfig *cfg, GError **error)
{
    VirtLogConfig *copy;
    VirtLogConfig *old_cfg;
    int *fds = log_fds_open(cfg, error);
    int *old_fds;

    if (!fds)
        return false;
    copy = log_config_copy(cfg);
    g_mutex_lock(&log_lock);
    old_cfg = log_state.cfg;
    old_fds = log_state.fds;
    log_state.cfg = copy;
    log_state.fds = fds;
    g_mutex_unlock(&log_lock);
    log_fds_close(old_fds, old_cfg ? old_cfg->outputs->len : 0);
    virt_log_config_free(old_cfg);
    return true;
}

/**
 * virt_log_get_config: a copy of the active configuration (for the admin API).
 */
VirtLogConfig *virt_log_get_config(void)
{
    VirtLogConfig *copy;

    g_mutex_lock(&log_lock);
    copy = log_state.cfg ? log_config_copy(log_state.cfg) : virt_log_config_new();
    g_mutex_unlock(&log_lock);
    return copy;
}

/**
 * virt_log_install: install the writer (once per process; later calls only re-read
 * the environment) and apply VIRTKIT_LOG_LEVEL, VIRTKIT_LOG_FILTERS and
 * VIRTKIT_LOG_OUTPUTS. On a bad variable the defaults (or the previous setup) stay
 * active, the writer is installed anyway, and @error names the problem.
 */
bool virt_log_install(GError **error)
{
    g_autoptr(VirtLogConfig) cfg = NULL;
    g_autoptr(GError) local = NULL;

    if (g_once_init_enter(&log_installed)) {
        g_mutex_lock(&log_lock);
        log_state.cfg = virt_log_config_new();
        log_state.fds = NULL;
        log_stderr_is_journal = g_log_writer_is_journald(STDERR_FILENO);
        g_mutex_unlock(&log_lock);
        g_log_set_writer_func(log_writer, NULL, NULL);
        g_once_init_leave(&log_installed, 1);
    }
    cfg = virt_log_config_parse(g_getenv("VIRTKIT_LOG_LEVEL"), g_getenv("VIRTKIT_LOG_FILTERS"),
                                g_getenv("VIRTKIT_LOG_OUTPUTS"), &local);
    if (!cfg) {
        g_propagate_prefixed_error(error, g_steal_pointer(&local), "invalid logging environment: ");
        return false;
    }
    return virt_log_set_config(cfg, error);
}
