/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Daemon logging setup on util/log.h. */

#include "daemon/config.h"
#include "daemon/log.h"
#include "util/log.h"

static const char *log_pick(const char *env_name, const char *config_value)
{
    const char *env = g_getenv(env_name);

    return env && *env ? env : config_value;
}

/**
 * daemon_log_setup - install the log writer with the daemon's settings
 * @config: log_level, log_filters, log_outputs
 * @verbose: --verbose: debug level whatever the config says
 * @error: set on an invalid level, filter or output
 */
bool daemon_log_setup(const DaemonConfig *config, bool verbose, GError **error)
{
    g_autofree char *level = g_strdup_printf("%d", verbose ? 1 : config->log_level);
    g_autoptr(VirtLogConfig) cfg = NULL;

    (void)virt_log_install(NULL); /* the writer; our own settings follow */
    cfg = virt_log_config_parse(verbose ? level : log_pick("VIRTKIT_LOG_LEVEL", level),
                                log_pick("VIRTKIT_LOG_FILTERS", config->log_filters),
                                log_pick("VIRTKIT_LOG_OUTPUTS", config->log_outputs), error);
    return cfg && virt_log_set_config(cfg, error);
}
