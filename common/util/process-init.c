/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Process-wide set-up of glib state that is not safe to create from several threads at
 * once. glib 2.74 creates the "C" locale behind g_ascii_strtoull() and friends lazily,
 * inside the window where g_ascii_string_to_unsigned() has cleared errno and before it
 * reads it back; when two threads race there, the loser's futex wait leaves EAGAIN in
 * errno and a valid number such as "64" is reported as "not an unsigned number"
 * (seen in CI: a domain with <memory>64</memory> refused). One parse on the first
 * thread creates that locale before any other thread can race for it.
 */

#include "util/process-init.h"

void util_process_init(void)
{
    static gsize initialized = 0;

    if (g_once_init_enter(&initialized)) {
        (void)g_ascii_strtoull("0", NULL, 10);
        g_once_init_leave(&initialized, 1);
    }
}
