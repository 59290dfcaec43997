/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Tier: pure. The saved image header: round trip, the stream on a 4 KiB boundary, and
 * every corruption refused with a message naming the file; the restore state rules;
 * the QMP commands of save and restore.
 */

#include <string.h>

#include "qemu-save.h"
#include "util/error.h"

static const char *xml = "<domain type='qemu'><name>web1</name></domain>";

static void test_round_trip(void)
{
    for (int paused = 0; paused <= 1; paused++) {
        g_autoptr(GBytes) bytes = qemu_save_header_encode(xml, paused);
        gsize len;
        const uint8_t *buf = g_bytes_get_data(bytes, &len);
        g_autoptr(GError) error = NULL;
        g_autoptr(QemuSaveHeader) hdr = qemu_save_header_decode(buf, len, "/s/web1.save", &error);

        g_assert_no_error(error);
        g_assert_cmpuint(len, ==, QEMU_SAVE_ALIGN);
        g_assert_cmpuint(hdr->data_offset, ==, len);
        g_assert_cmpuint(hdr->version, ==, 1);
        g_assert_cmpint(hdr->paused, ==, paused);
        g_assert_cmpuint(hdr->xml_len, ==, strlen(xml) + 1);
        g_assert_true(qemu_save_header_decode_xml(hdr, buf + QEMU_SAVE_HEADER_SIZE, hdr->xml_len,
                                                  "/s/web1.save", &error));
        g_assert_cmpstr(hdr->xml, ==, xml);
        g_assert_true(qemu_save_restore_paused(hdr, QEMU_SAVE_PAUSED));
        g_assert_false(qemu_save_restore_paused(hdr, QEMU_SAVE_RUNNING));
        g_assert_cmpint(qemu_save_restore_paused(hdr, 0), ==, paused);
    }
}

static void test_large_xml(void)
{
    g_autofree char *big = g_strnfill(QEMU_SAVE_ALIGN, 'x');
    g_autoptr(GBytes) bytes = qemu_save_header_encode(big, false);

    g_assert_cmpuint(g_bytes_get_size(bytes), ==, 2 * QEMU_SAVE_ALIGN);
}

static void expect_bad(const uint8_t *buf, size_t len, const char *why)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(QemuSaveHeader) hdr = qemu_save_header_decode(buf, len, "/s/web1.save", &error);

    g_assert_null(hdr);
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED);
    g_assert_nonnull(strstr(error->message, "'/s/web1.save'"));
    g_assert_nonnull(strstr(error->message, why));
}

static void test_corrupt(void)
{
    g_autoptr(GBytes) bytes = qemu_save_header_encode(xml, false);
    gsize len;
    const uint8_t *orig = g_bytes_get_data(bytes, &len);
    g_autofree uint8_t *buf = g_memdup2(orig, len);
    g_autoptr(QemuSaveHeader) hdr = NULL;
    g_autoptr(GError) error = NULL;

    expect_bad(buf, 10, "no virtkit header");
    buf[0] = 'X';
    expect_bad(buf, len, "no virtkit header");
    buf[0] = orig[0];
    buf[16] = 2;
    expect_bad(buf, len, "version 2");
    buf[16] = orig[16];
    buf[20] = 4;
    expect_bad(buf, len, "unknown flags");
    buf[20] = orig[20];
    buf[26] = 0xff; /* xml length way too big */
    expect_bad(buf, len, "bad XML length");
    buf[26] = orig[26];
    buf[33] = 0x11; /* offset not a 4 KiB multiple */
    expect_bad(buf, len, "bad stream offset");
    buf[33] = orig[33];
    hdr = qemu_save_header_decode(buf, len, "/s/web1.save", &error);
    g_assert_no_error(error);
    g_assert_false(qemu_save_header_decode_xml(hdr, buf + QEMU_SAVE_HEADER_SIZE, hdr->xml_len - 1,
                                               "/s/web1.save", &error));
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED);
    g_clear_error(&error);
    buf[QEMU_SAVE_HEADER_SIZE + 3] = '\0'; /* an early NUL */
    g_assert_false(qemu_save_header_decode_xml(hdr, buf + QEMU_SAVE_HEADER_SIZE, hdr->xml_len,
                                               "/s/web1.save", &error));
    g_assert_nonnull(strstr(error->message, "corrupt XML"));
}

static void test_paths_and_commands(void)
{
    g_autofree char *path = qemu_save_managed_path("/r/var/lib/libvirt/qemu/save", "web1");
    g_autofree char *partial = qemu_save_partial_path(path);
    g_autoptr(QemuMonitorCommand) bw = qemu_save_cmd_max_bandwidth();
    g_autoptr(QemuMonitorCommand) in = qemu_save_cmd_migrate_incoming("fd:" QEMU_SAVE_FDNAME);
    g_autofree char *bw_text = qemu_monitor_command_format(bw, 3);
    g_autofree char *in_text = qemu_monitor_command_format(in, 4);
    g_autoptr(Command) cmd = command_new("/usr/bin/qemu-system-x86_64");
    g_autofree char *argv = NULL;

    g_assert_cmpstr(path, ==, "/r/var/lib/libvirt/qemu/save/web1.save");
    g_assert_cmpstr(partial, ==, "/r/var/lib/libvirt/qemu/save/web1.save.partial");
    g_assert_cmpstr(bw_text, ==,
                    "{\"execute\":\"migrate-set-parameters\",\"arguments\":{\"max-bandwidth\":"
                    "1099511627776},\"id\":\"libvirt-3\"}\r\n");
    g_assert_cmpstr(in_text, ==,
                    "{\"execute\":\"migrate-incoming\",\"arguments\":{\"uri\":\"fd:virtkit-save\"},"
                    "\"id\":\"libvirt-4\"}\r\n");
    qemu_save_add_incoming(cmd);
    argv = command_to_string(cmd, NULL);
    g_assert_cmpstr(argv, ==, "/usr/bin/qemu-system-x86_64 -incoming defer");
    g_assert_cmpint(qemu_save_progress("completed"), ==, QEMU_SAVE_PROGRESS_COMPLETED);
    g_assert_cmpint(qemu_save_progress("failed"), ==, QEMU_SAVE_PROGRESS_FAILED);
    g_assert_cmpint(qemu_save_progress("cancelled"), ==, QEMU_SAVE_PROGRESS_FAILED);
    g_assert_cmpint(qemu_save_progress("active"), ==, QEMU_SAVE_PROGRESS_ACTIVE);
    g_assert_cmpint(qemu_save_progress(NULL), ==, QEMU_SAVE_PROGRESS_ACTIVE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemu/save/round-trip", test_round_trip);
    g_test_add_func("/qemu/save/large-xml", test_large_xml);
    g_test_add_func("/qemu/save/corrupt", test_corrupt);
    g_test_add_func("/qemu/save/paths-and-commands", test_paths_and_commands);
    return g_test_run();
}
