/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

bool alloc_watch_available(void);
void alloc_watch_start(void);
/* The largest single allocation requested since alloc_watch_start(). */
size_t alloc_watch_stop(void);
