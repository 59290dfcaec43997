/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The daemon's log setup: level and filters from the config or --verbose. */

/* @level: 1 debug, 2 info, 3 warning, 4 error; @filters: "N:match ..." or NULL */
void daemon_log_setup(const char *daemon_name, int level, const char *filters);
