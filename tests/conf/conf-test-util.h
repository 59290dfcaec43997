/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared helpers of the conf tests: data paths, golden comparison and regeneration
 * (REGENERATE_GOLDEN=1), and the "every data file is used" check. */

#include <glib.h>
#include <stdbool.h>

/* $VIRTKIT_TEST_SRCDIR/conf/data/<subdir> */
char *conf_test_data_dir(const char *subdir);
char *conf_test_read(const char *path);
bool conf_test_regenerate(void);

/* Compare @actual with the file @path (regenerating it when asked); on mismatch fail the
 * test with a unified diff. */
void conf_test_compare_golden(const char *path, const char *actual);

/* Record that @file (a name inside the data dir) belongs to a case. */
void conf_test_mark_used(GHashTable *used, const char *file);
/* Fail listing every file in @dir that no case used. */
void conf_test_check_unused(const char *dir, GHashTable *used);
