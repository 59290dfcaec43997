/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * libclient's default event loop (event-loop.c): a GMainContext that
 * virEventRunDefaultImpl() iterates. The rest of libclient hands work to it.
 */

#include <glib.h>

/* The loop's context (a new reference), or NULL until virEventRegisterDefaultImpl(). */
GMainContext *client_event_loop_context(void);
