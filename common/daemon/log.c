/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Daemon log writer: messages at or above the configured level go to stderr. */

#include <glib.h>
#include <stdio.h>
#include <unistd.h>

#include "daemon/log.h"

static int log_threshold = 3;
static const char *log_name = "daemon";

static int log_level_number(GLogLevelFlags flags)
{
    if (flags & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
        return 4;
    /* peers misbehaving are logged with g_message(): shown with warnings */
    if (flags & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE))
        return 3;
    if (flags & G_LOG_LEVEL_INFO)
        return 2;
    return 1;
}

static GLogWriterOutput log_writer(GLogLevelFlags flags, const GLogField *fields, gsize n_fields,
                                   gpointer user_data)
{
    const char *message = NULL;
    const char *domain = "";
    int level = log_level_number(flags);

    if (level < log_threshold)
        return G_LOG_WRITER_HANDLED;
    for (gsize i = 0; i < n_fields; i++) {
        if (g_str_equal(fields[i].key, "MESSAGE"))
            message = fields[i].value;
        else if (g_str_equal(fields[i].key, "GLIB_DOMAIN"))
            domain = fields[i].value;
    }
    fprintf(stderr, "%s[%d]: %d: %s: %s\n", log_name, (int)getpid(), level, domain,
            message ? message : "");
    return G_LOG_WRITER_HANDLED;
}

/**
 * daemon_log_setup - route GLib logging through the daemon's level filter
 * @daemon_name: prefix of every line
 * @level: minimum level shown (1 debug ... 4 error)
 * @filters: libvirt-style filters; kept for the admin interface (level only for now)
 */
void daemon_log_setup(const char *daemon_name, int level, const char *filters)
{
    log_name = daemon_name;
    log_threshold = level;
    g_log_set_writer_func(log_writer, NULL, NULL);
}
