/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Helpers of the qemu tests: data paths, .replies fixtures, golden files with
 * REGENERATE_GOLDEN=1, and the "every data file is used" check. */

#include <glib.h>
#include <stdbool.h>

/* $VIRTKIT_TEST_SRCDIR/qemu/data/<subdir> */
char *qemu_test_data_dir(const char *subdir);
char *qemu_test_read(const char *path);
bool qemu_test_regenerate(void);

/* The messages of a .replies file (see record-replies.py), as JSON texts in order. */
GPtrArray *qemu_test_replies_load(const char *path);

/* Compare @actual with the file @path (rewriting it when REGENERATE_GOLDEN=1); on a
 * mismatch the test fails and shows a unified diff. */
void qemu_test_compare_golden(const char *path, const char *actual);

void qemu_test_mark_used(GHashTable *used, const char *file);
void qemu_test_check_unused(const char *dir, GHashTable *used);
