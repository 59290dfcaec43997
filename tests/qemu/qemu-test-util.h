/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Helpers of the qemu tests: data paths, .replies fixtures, golden files with
 * REGENERATE_GOLDEN=1, and the "every data file is used" check. */

#include <glib.h>
#include <stdbool.h>

#include "qemu-caps.h"
#include "qemu-monitor-json.h"

/* $VIRTKIT_TEST_SRCDIR/qemu/data/<subdir> */
char *qemu_test_data_dir(const char *subdir);
char *qemu_test_read(const char *path);
bool qemu_test_regenerate(void);

/* The messages of a .replies file (see record-replies.py), as JSON texts in order. */
GPtrArray *qemu_test_replies_load(const char *path);

/* Compare @actual with the file @path (rewriting it when REGENERATE_GOLDEN=1); on a
 * mismatch the test fails and shows a unified diff. */
void qemu_test_compare_golden(const char *path, const char *actual);

/* Remove a temporary directory tree of a test. */
void qemu_test_rm_rf(const char *path);

void qemu_test_mark_used(GHashTable *used, const char *file);
void qemu_test_check_unused(const char *dir, GHashTable *used);

/* A recorded conversation: what we sent and what QEMU answered. @file is a name in
 * data/caps (x86_64-*) or data/qmp. */
typedef struct QemuTestConversation {
    GPtrArray *sent;     /* JsonNode*: the commands, in order */
    GPtrArray *received; /* QemuMonitorMessage*: greeting, replies, events */
} QemuTestConversation;

QemuTestConversation *qemu_test_conversation_load(const char *file);
void qemu_test_conversation_free(QemuTestConversation *conv);
const QemuMonitorMessage *qemu_test_conversation_reply(const QemuTestConversation *conv,
                                                       unsigned serial);
/* The reply to the first command named @name (with "implements": @implements if set). */
const QemuMonitorMessage *qemu_test_conversation_reply_to(const QemuTestConversation *conv,
                                                          const char *name, const char *implements);

/* Capabilities built from data/caps/<file> (the recorded probe), binary
 * /usr/bin/qemu-system-x86_64. */
QemuCaps *qemu_test_caps_load(const char *file);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuTestConversation, qemu_test_conversation_free)
