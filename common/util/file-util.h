/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* File helpers for the persistent stores: atomic replacement and bounded reads. */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

/* Write @len bytes to @path atomically: temp file in the same directory, fsync, rename
 * over @path, fsync the directory. The file gets @mode (0600 for anything that may hold
 * secrets). On failure @path is untouched and no temp file is left behind. */
bool virt_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                            GError **error);

/* Read a whole file, refusing files larger than @max_len. NUL-terminated. */
bool virt_file_read_bounded(const char *path, size_t max_len, char **ret_data, size_t *ret_len,
                            GError **error);

/* mkdir -p with @mode for created directories. */
bool virt_dir_ensure(const char *path, mode_t mode, GError **error);
