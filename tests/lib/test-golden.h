/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Golden-file helpers shared by every test area: data paths, golden comparison with
 * regeneration (REGENERATE_GOLDEN=1), and the check that every data file is used by
 * some case (libvirt's harness rule: no forgotten goldens).
 */

#include <glib.h>
#include <stdbool.h>

/* $VIRTKIT_TEST_SRCDIR/<area>/data/<subdir> */
char *test_data_dir(const char *area, const char *subdir);
/* A whole data file; aborts the test when it cannot be read. */
char *test_read(const char *path);
bool test_regenerate(void);

/* Compare @actual with the file @path (rewriting it when regenerating); on mismatch fail
 * the test with a unified diff in the log. */
void test_compare_golden(const char *path, const char *actual);

/* Record that @file (a name inside a data dir) belongs to a case. */
void test_mark_used(GHashTable *used, const char *file);
/* Fail, listing every file in @dir that no case used. */
void test_check_unused(const char *dir, GHashTable *used);
