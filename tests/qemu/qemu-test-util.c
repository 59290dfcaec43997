/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "qemu-test-util.h"
#include "test-golden.h"

/* Blocks are pretty-printed JSON separated by one empty line; JSON never contains one. */
GPtrArray *qemu_test_replies_load(const char *path)
{
    g_autofree char *text = test_read(path);
    g_auto(GStrv) blocks = g_strsplit(text, "\n\n", -1);
    GPtrArray *msgs = g_ptr_array_new_with_free_func(g_free);

    for (size_t i = 0; blocks[i]; i++) {
        g_strstrip(blocks[i]);
        if (blocks[i][0])
            g_ptr_array_add(msgs, g_strdup(blocks[i]));
    }
    return msgs;
}

void qemu_test_rm_rf(const char *path)
{
    const char *argv[] = { "rm", "-rf", "--", path, NULL };
    gint status = -1;

    g_assert_true(g_str_has_prefix(path, g_get_tmp_dir()));
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                               NULL, &status, NULL));
    g_assert_cmpint(status, ==, 0);
}

static void qemu_test_message_free(void *p)
{
    qemu_monitor_message_free(p);
}

void qemu_test_conversation_free(QemuTestConversation *conv)
{
    g_ptr_array_unref(conv->sent);
    g_ptr_array_unref(conv->received);
    g_free(conv);
}

QemuTestConversation *qemu_test_conversation_load(const char *file)
{
    g_autofree char *dir = test_data_dir("qemu", g_str_has_prefix(file, "x86_64") ? "caps" : "qmp");
    g_autofree char *path = g_build_filename(dir, file, NULL);
    g_autoptr(GPtrArray) blocks = qemu_test_replies_load(path);
    QemuTestConversation *conv = g_new0(QemuTestConversation, 1);

    conv->sent = g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref);
    conv->received = g_ptr_array_new_with_free_func(qemu_test_message_free);
    for (guint i = 0; i < blocks->len; i++) {
        const char *text = g_ptr_array_index(blocks, i);
        g_autoptr(GError) error = NULL;
        g_autoptr(JsonNode) node = json_from_string(text, &error);

        g_assert_no_error(error);
        if (json_object_has_member(json_node_get_object(node), "execute")) {
            g_ptr_array_add(conv->sent, g_steal_pointer(&node));
        } else {
            QemuMonitorMessage *msg = qemu_monitor_message_parse(text, strlen(text), &error);

            g_assert_no_error(error);
            g_ptr_array_add(conv->received, msg);
        }
    }
    return conv;
}

const QemuMonitorMessage *qemu_test_conversation_reply(const QemuTestConversation *conv,
                                                       unsigned serial)
{
    for (guint i = 0; i < conv->received->len; i++) {
        const QemuMonitorMessage *msg = g_ptr_array_index(conv->received, i);
        unsigned n;

        if (qemu_monitor_reply_serial(msg, &n) && n == serial)
            return msg;
    }
    g_error("no reply with id libvirt-%u", serial);
}

const QemuMonitorMessage *qemu_test_conversation_reply_to(const QemuTestConversation *conv,
                                                          const char *name, const char *implements)
{
    for (guint i = 0; i < conv->sent->len; i++) {
        JsonObject *cmd = json_node_get_object(g_ptr_array_index(conv->sent, i));
        JsonObject *args = json_object_has_member(cmd, "arguments")
                               ? json_object_get_object_member(cmd, "arguments")
                               : NULL;

        if (!g_str_equal(json_object_get_string_member(cmd, "execute"), name))
            continue;
        if (implements && (!args || g_strcmp0(json_object_get_string_member_with_default(
                                                  args, "implements", NULL),
                                              implements) != 0))
            continue;
        return qemu_test_conversation_reply(conv, i + 1);
    }
    g_error("no command %s in the conversation", name);
}

QemuCaps *qemu_test_caps_load(const char *file)
{
    g_autoptr(QemuTestConversation) conv = qemu_test_conversation_load(file);
    g_autofree char *kvm_file =
        g_strdup_printf("%.*s-kvm.replies", (int)(strlen(file) - strlen(".replies")), file);
    g_autoptr(QemuTestConversation) kvm = qemu_test_conversation_load(kvm_file);
    g_autoptr(GError) error = NULL;
    QemuCapsReplies replies = {
        .version = qemu_test_conversation_reply_to(conv, "query-version", NULL),
        .target = qemu_test_conversation_reply_to(conv, "query-target", NULL),
        .kvm = qemu_test_conversation_reply_to(conv, "query-kvm", NULL),
        .machines = qemu_test_conversation_reply_to(conv, "query-machines", NULL),
        .cpu_definitions = qemu_test_conversation_reply_to(conv, "query-cpu-definitions", NULL),
        .schema = qemu_test_conversation_reply_to(conv, "query-qmp-schema", NULL),
        .accels = qemu_test_conversation_reply_to(conv, "qom-list-types", "accel"),
        .devices = qemu_test_conversation_reply_to(conv, "qom-list-types", "device"),
        .kvm_kvm = qemu_test_conversation_reply_to(kvm, "query-kvm", NULL),
        .kvm_cpu_definitions = qemu_test_conversation_reply_to(kvm, "query-cpu-definitions", NULL),
    };
    QemuCaps *caps = qemu_caps_from_replies("/usr/bin/qemu-system-x86_64", &replies, &error);

    g_assert_no_error(error);
    return caps;
}
