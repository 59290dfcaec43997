/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Helpers of the qemu tests: .replies fixtures, recorded conversations and caps.
 * Golden files and data paths come from tests/lib/test-golden.h. */

#include <glib.h>
#include <stdbool.h>

#include "qemu-caps.h"
#include "qemu-monitor-json.h"
#include "test-golden.h"

/* The messages of a .replies file (see record-replies.py), as JSON texts in order. */
GPtrArray *qemu_test_replies_load(const char *path);

/* Remove a temporary directory tree of a test. */
void qemu_test_rm_rf(const char *path);

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
