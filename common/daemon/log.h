/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The daemon's logging: util/log.h's writer configured from the config file's
 * log_level / log_filters / log_outputs, overridden by the VIRTKIT_LOG_* environment
 * (as LIBVIRT_LOG_* override libvirtd.conf) and by --verbose.
 */

#include <glib.h>
#include <stdbool.h>

typedef struct DaemonConfig DaemonConfig;

bool daemon_log_setup(const DaemonConfig *config, bool verbose, GError **error);
