/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pure half of logging: parsing and formatting the level/filter/output strings
 * (libvirt's log_filters/log_outputs syntax) and deciding whether a message is kept.
 */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/error.h"
#include "util/log.h"

ENUM_TABLE_DEFINE(virt_log_level, VirtLogLevel,
                  _VIRT_LOG_LEVEL_MAX, [VIRT_LOG_DEBUG] = "debug", [VIRT_LOG_INFO] = "info",
                  [VIRT_LOG_WARNING] = "warning", [VIRT_LOG_ERROR] = "error");

ENUM_TABLE_DEFINE(virt_log_dest, VirtLogDest, _VIRT_LOG_DEST_MAX, [VIRT_LOG_DEST_STDERR] = "stderr",
                  [VIRT_LOG_DEST_FILE] = "file", [VIRT_LOG_DEST_JOURNALD] = "journald");

static void log_filter_free(gpointer data)
{
    VirtLogFilter *f = data;

    g_free(f->match);
    g_free(f);
}

static void log_output_free(gpointer data)
{
    VirtLogOutput *o = data;

    g_free(o->path);
    g_free(o);
}

/**
 * virt_log_config_new: the default configuration: level warning, no filters, and no
 * explicit outputs (which means everything that passes goes to stderr).
 */
VirtLogConfig *virt_log_config_new(void)
{
    VirtLogConfig *cfg = g_new0(VirtLogConfig, 1);

    cfg->level = VIRT_LOG_WARNING;
    cfg->filters = g_ptr_array_new_with_free_func(log_filter_free);
    cfg->outputs = g_ptr_array_new_with_free_func(log_output_free);
    return cfg;
}

/**
 * virt_log_config_free: free @cfg. Accepts NULL; returns NULL.
 */
VirtLogConfig *virt_log_config_free(VirtLogConfig *cfg)
{
    if (!cfg)
        return NULL;
    g_ptr_array_unref(cfg->filters);
    g_ptr_array_unref(cfg->outputs);
    g_free(cfg);
    return NULL;
}

/**
 * virt_log_level_parse: "1".."4" (libvirt's numbers) or a level name.
 */
bool virt_log_level_parse(const char *str, VirtLogLevel *ret_level, GError **error)
{
    VirtLogLevel level = _VIRT_LOG_LEVEL_INVALID;

    if (str && str[0] >= '1' && str[0] <= '4' && str[1] == '\0')
        level = (VirtLogLevel)(str[0] - '0');
    else if (str)
        level = virt_log_level_from_string(str);
    if (level < 0) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG,
                    "invalid log level '%s': expected 1-4 or debug, info, warning, error",
                    str ? str : "");
        return false;
    }
    *ret_level = level;
    return true;
}

/* Split "level:rest" of one filter or output entry. */
static bool log_entry_split(const char *kind, const char *entry, VirtLogLevel *ret_level,
                            const char **ret_rest, GError **error)
{
    const char *colon = strchr(entry, ':');
    g_autofree char *level_str = NULL;

    if (!colon || colon[1] == '\0') {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG,
                    "invalid log %s '%s': expected level:%s", kind, entry,
                    strcmp(kind, "filter") == 0 ? "match" : "destination");
        return false;
    }
    level_str = g_strndup(entry, (gsize)(colon - entry));
    if (!virt_log_level_parse(level_str, ret_level, error)) {
        g_prefix_error(error, "invalid log %s '%s': ", kind, entry);
        return false;
    }
    *ret_rest = colon + 1;
    return true;
}

/**
 * virt_log_filters_parse: "1:rpc 3:conf" into filters, in order. A leading '+' on the
 * match (libvirt's "with stack trace") is accepted and ignored.
 */
bool virt_log_filters_parse(const char *str, GPtrArray **ret_filters, GError **error)
{
    g_autoptr(GPtrArray) filters = g_ptr_array_new_with_free_func(log_filter_free);
    g_auto(GStrv) entries = g_strsplit_set(str ? str : "", " \t\n", -1);

    for (size_t i = 0; entries[i]; i++) {
        VirtLogFilter *f;
        VirtLogLevel level;
        const char *match;

        if (!*entries[i])
            continue;
        if (!log_entry_split("filter", entries[i], &level, &match, error))
            return false;
        if (*match == '+')
            match++;
        if (!*match || strchr(match, ':')) {
            g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG,
                        "invalid log filter '%s': expected level:match", entries[i]);
            return false;
        }
        f = g_new0(VirtLogFilter, 1);
        f->level = level;
        f->match = g_strdup(match);
        g_ptr_array_add(filters, f);
    }
    *ret_filters = g_steal_pointer(&filters);
    return true;
}

static bool log_output_parse_dest(const char *entry, const char *rest, VirtLogOutput *o,
                                  GError **error)
{
    if (strcmp(rest, "stderr") == 0) {
        o->dest = VIRT_LOG_DEST_STDERR;
        return true;
    }
    if (strcmp(rest, "journald") == 0) {
        o->dest = VIRT_LOG_DEST_JOURNALD;
        return true;
    }
    if (g_str_has_prefix(rest, "file:")) {
        o->dest = VIRT_LOG_DEST_FILE;
        o->path = g_strdup(rest + strlen("file:"));
        if (g_path_is_absolute(o->path))
            return true;
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG,
                    "invalid log output '%s': the file path must be absolute", entry);
        return false;
    }
    g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG,
                "invalid log output '%s': destination must be stderr, file:/path or journald",
                entry);
    return false;
}

/**
 * virt_log_outputs_parse: "1:stderr 2:file:/path 3:journald" into outputs, in order.
 * libvirt's syslog output is not provided (journald covers it).
 */
bool virt_log_outputs_parse(const char *str, GPtrArray **ret_outputs, GError **error)
{
    g_autoptr(GPtrArray) outputs = g_ptr_array_new_with_free_func(log_output_free);
    g_auto(GStrv) entries = g_strsplit_set(str ? str : "", " \t\n", -1);

    for (size_t i = 0; entries[i]; i++) {
        VirtLogOutput *o;
        VirtLogLevel level;
        const char *rest;

        if (!*entries[i])
            continue;
        if (!log_entry_split("output", entries[i], &level, &rest, error))
            return false;
        o = g_new0(VirtLogOutput, 1);
        o->level = level;
        g_ptr_array_add(outputs, o);
        if (!log_output_parse_dest(entries[i], rest, o, error))
            return false;
    }
    *ret_outputs = g_steal_pointer(&outputs);
    return true;
}

/**
 * virt_log_config_parse: a configuration from the three strings (environment variables
 * or config file values). NULL or empty strings keep the defaults.
 */
VirtLogConfig *virt_log_config_parse(const char *level, const char *filters, const char *outputs,
                                     GError **error)
{
    g_autoptr(VirtLogConfig) cfg = virt_log_config_new();

    if (level && *level && !virt_log_level_parse(level, &cfg->level, error))
        return NULL;
    if (filters && *filters) {
        g_ptr_array_unref(cfg->filters);
        cfg->filters = NULL;
        if (!virt_log_filters_parse(filters, &cfg->filters, error))
            return NULL;
    }
    if (outputs && *outputs) {
        g_ptr_array_unref(cfg->outputs);
        cfg->outputs = NULL;
        if (!virt_log_outputs_parse(outputs, &cfg->outputs, error))
            return NULL;
    }
    return g_steal_pointer(&cfg);
}

/**
 * virt_log_filters_format: filters back in their string form, numeric levels as libvirt
 * prints them ("1:rpc 3:conf").
 */
char *virt_log_filters_format(const GPtrArray *filters)
{
    GString *out = g_string_new(NULL);

    for (guint i = 0; i < filters->len; i++) {
        const VirtLogFilter *f = g_ptr_array_index((GPtrArray *)filters, i);

        g_string_append_printf(out, "%s%d:%s", i ? " " : "", (int)f->level, f->match);
    }
    return g_string_free(out, FALSE);
}

/**
 * virt_log_outputs_format: outputs back in their string form ("1:stderr 2:file:/x").
 */
char *virt_log_outputs_format(const GPtrArray *outputs)
{
    GString *out = g_string_new(NULL);

    for (guint i = 0; i < outputs->len; i++) {
        const VirtLogOutput *o = g_ptr_array_index((GPtrArray *)outputs, i);

        g_string_append_printf(out, "%s%d:%s", i ? " " : "", (int)o->level,
                               virt_log_dest_to_string(o->dest));
        if (o->dest == VIRT_LOG_DEST_FILE)
            g_string_append_printf(out, ":%s", o->path);
    }
    return g_string_free(out, FALSE);
}

/**
 * virt_log_match_domain: whether filter @match fits log domain @domain (see log.h).
 */
bool virt_log_match_domain(const char *match, const char *domain)
{
    size_t n = strlen(match);

    if (n == 0)
        return false;
    if (!domain)
        domain = "";
    if (strpbrk(match, "*?"))
        return g_pattern_match_simple(match, domain);
    for (const char *p = domain; (p = strstr(p, match)); p++) {
        bool starts = p == domain || p[-1] == '.' || p[-1] == '-';
        bool ends = p[n] == '\0' || p[n] == '.' || p[n] == '-';

        if (starts && ends)
            return true;
    }
    return false;
}

/**
 * virt_log_config_wants: whether a message of @level from @domain passes the filters
 * (or the global level when no filter fits). Outputs apply their own level after this.
 */
bool virt_log_config_wants(const VirtLogConfig *cfg, const char *domain, VirtLogLevel level)
{
    for (guint i = 0; i < cfg->filters->len; i++) {
        const VirtLogFilter *f = g_ptr_array_index(cfg->filters, i);

        if (virt_log_match_domain(f->match, domain))
            return level >= f->level;
    }
    return level >= cfg->level;
}

/**
 * virt_log_level_from_glib: GLib's levels on ours; MESSAGE counts as info and CRITICAL
 * as error.
 */
VirtLogLevel virt_log_level_from_glib(GLogLevelFlags flags)
{
    if (flags & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
        return VIRT_LOG_ERROR;
    if (flags & G_LOG_LEVEL_WARNING)
        return VIRT_LOG_WARNING;
    if (flags & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO))
        return VIRT_LOG_INFO;
    return VIRT_LOG_DEBUG;
}

/**
 * virt_log_format_line: one log line in libvirt's layout, UTC with milliseconds:
 * "2026-11-26 13:08:54.123+0000: 4242: debug : virtkit-rpc : message\n".
 */
char *virt_log_format_line(gint64 real_time_usec, long tid, VirtLogLevel level, const char *domain,
                           const char *message)
{
    time_t secs = (time_t)(real_time_usec / G_USEC_PER_SEC);
    int msecs = (int)((real_time_usec % G_USEC_PER_SEC) / 1000);
    struct tm tm;
    char stamp[32];

    gmtime_r(&secs, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    return g_strdup_printf("%s.%03d+0000: %ld: %s : %s : %s\n", stamp, msecs, tid,
                           virt_log_level_to_string(level), domain ? domain : "default",
                           message ? message : "");
}
