/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

/**
 * util_process_init: create lazily-initialised library state once, before threads
 * race for it. Call from main() or an API entry point; idempotent and thread-safe.
 */
void util_process_init(void);
