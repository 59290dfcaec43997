/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Logging: a GLib structured log writer with libvirt-style levels, filters and outputs.
 * Every g_debug()/g_info()/g_warning() in the process goes through it once
 * virt_log_install() has run.
 *
 *   VIRTKIT_LOG_LEVEL=debug|info|warning|error or 1-4      (default: warning)
 *   VIRTKIT_LOG_FILTERS="1:rpc 3:conf"   level:match, first match wins
 *   VIRTKIT_LOG_OUTPUTS="1:stderr 2:file:/var/log/x.log 3:journald"
 *
 * A message of level L from log domain D is kept when L >= the level of the first filter
 * whose match fits D, or L >= the global level when none does. Each output then gets
 * it when L >= the output's own level. A match fits D when D starts with it at a
 * component boundary ('.' or '-'), anywhere in D: "rpc" fits "virtkit-rpc" and
 * "virtkit-rpc.server" but not "virtkit-rpcgen". A match containing '*' or '?' is a
 * glob over the whole domain instead. G_LOG_DOMAIN is "virtkit-<layer>" per directory.
 */

#include <errno.h>
#include <glib.h>
#include <stdbool.h>

#include "util/enum-table.h"

typedef enum VirtLogLevel {
    VIRT_LOG_DEBUG = 1,
    VIRT_LOG_INFO = 2,
    VIRT_LOG_WARNING = 3,
    VIRT_LOG_ERROR = 4,
    _VIRT_LOG_LEVEL_MAX,
    _VIRT_LOG_LEVEL_INVALID = -EINVAL,
} VirtLogLevel;

typedef enum VirtLogDest {
    VIRT_LOG_DEST_STDERR,
    VIRT_LOG_DEST_FILE,
    VIRT_LOG_DEST_JOURNALD,
    _VIRT_LOG_DEST_MAX,
    _VIRT_LOG_DEST_INVALID = -EINVAL,
} VirtLogDest;

typedef struct VirtLogFilter {
    VirtLogLevel level;
    char *match;
} VirtLogFilter;

typedef struct VirtLogOutput {
    VirtLogLevel level;
    VirtLogDest dest;
    char *path; /* VIRT_LOG_DEST_FILE only */
} VirtLogOutput;

typedef struct VirtLogConfig {
    VirtLogLevel level;
    GPtrArray *filters; /* VirtLogFilter*, in order */
    GPtrArray *outputs; /* VirtLogOutput*; empty: "1:stderr", or the journal when stderr
                         * is connected to it (a systemd service) */
} VirtLogConfig;

ENUM_TABLE_DECLARE(virt_log_level, VirtLogLevel);
ENUM_TABLE_DECLARE(virt_log_dest, VirtLogDest);

/* lifecycle */
VirtLogConfig *virt_log_config_new(void);
VirtLogConfig *virt_log_config_free(VirtLogConfig *cfg);

/* parse/format (pure) */
bool virt_log_level_parse(const char *str, VirtLogLevel *ret_level, GError **error);
bool virt_log_filters_parse(const char *str, GPtrArray **ret_filters, GError **error);
bool virt_log_outputs_parse(const char *str, GPtrArray **ret_outputs, GError **error);
/* NULL or empty strings keep the defaults. */
VirtLogConfig *virt_log_config_parse(const char *level, const char *filters, const char *outputs,
                                     GError **error);
char *virt_log_filters_format(const GPtrArray *filters);
char *virt_log_outputs_format(const GPtrArray *outputs);

/* decisions (pure) */
bool virt_log_match_domain(const char *match, const char *domain);
bool virt_log_config_wants(const VirtLogConfig *cfg, const char *domain, VirtLogLevel level);
VirtLogLevel virt_log_level_from_glib(GLogLevelFlags flags);
char *virt_log_format_line(gint64 real_time_usec, long tid, VirtLogLevel level, const char *domain,
                           const char *message);

/* process-wide */
bool virt_log_install(GError **error);
bool virt_log_set_config(const VirtLogConfig *cfg, GError **error);
VirtLogConfig *virt_log_get_config(void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VirtLogConfig, virt_log_config_free)
