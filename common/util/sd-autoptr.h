/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * g_autoptr() for the sd-event and sd-bus objects, so daemon code has one cleanup
 * spelling (STYLE.md §4) instead of mixing in systemd's _cleanup_(..._unrefp).
 * Header-only: including it needs libsystemd_dep, linking util does not.
 */

#include <glib.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(sd_event, sd_event_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sd_event_source, sd_event_source_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sd_bus, sd_bus_flush_close_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sd_bus_message, sd_bus_message_unref)
