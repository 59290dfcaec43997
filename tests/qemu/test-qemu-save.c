/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Tier: pure. The saved image header: round trip, the stream on a 4 KiB boundary, and
 * every corruption refused with a message naming the file; the XML of an image replaced
 * in place (and refused when it does not fit); which XML may replace an image's; the
 * restore state rules; the QMP commands of save and restore.
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

/* An XML that would fit before the first 4 KiB boundary still gets QEMU_SAVE_XML_ROOM
 * bytes to grow: the stream starts at the next one. */
static void test_room(void)
{
    g_autofree char *xml3k = g_strnfill(QEMU_SAVE_ALIGN - QEMU_SAVE_HEADER_SIZE - 100, 'x');
    g_autofree char *grown =
        g_strnfill(QEMU_SAVE_ALIGN - QEMU_SAVE_HEADER_SIZE - 100 + QEMU_SAVE_XML_ROOM, 'y');
    g_autoptr(GBytes) bytes = qemu_save_header_encode(xml3k, false);
    g_autoptr(GBytes) again = NULL;

    g_assert_cmpuint(g_bytes_get_size(bytes), ==, 2 * QEMU_SAVE_ALIGN);
    again = qemu_save_header_encode_at(grown, false, 2 * QEMU_SAVE_ALIGN, "/s/web1.save", NULL);
    g_assert_nonnull(again);
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

/* The XML of an existing image is replaced in place; the stream never moves. */
static void test_encode_at(void)
{
    g_autofree char *fits = g_strnfill(QEMU_SAVE_ALIGN - QEMU_SAVE_HEADER_SIZE - 1, 'x');
    g_autofree char *too_big = g_strnfill(QEMU_SAVE_ALIGN - QEMU_SAVE_HEADER_SIZE, 'x');
    g_autoptr(GBytes) bytes =
        qemu_save_header_encode_at(fits, true, QEMU_SAVE_ALIGN, "/s/web1.save", NULL);
    g_autoptr(GBytes) none = NULL;
    g_autoptr(QemuSaveHeader) hdr = NULL;
    g_autoptr(GError) error = NULL;
    gsize len;
    const uint8_t *buf;

    g_assert_nonnull(bytes);
    buf = g_bytes_get_data(bytes, &len);
    g_assert_cmpuint(len, ==, QEMU_SAVE_ALIGN);
    hdr = qemu_save_header_decode(buf, len, "/s/web1.save", &error);
    g_assert_no_error(error);
    g_assert_true(hdr->paused);
    g_assert_cmpuint(hdr->data_offset, ==, QEMU_SAVE_ALIGN);
    g_assert_true(qemu_save_header_decode_xml(hdr, buf + QEMU_SAVE_HEADER_SIZE, hdr->xml_len,
                                              "/s/web1.save", &error));
    g_assert_cmpstr(hdr->xml, ==, fits);

    none = qemu_save_header_encode_at(too_big, false, QEMU_SAVE_ALIGN, "/s/web1.save", &error);
    g_assert_null(none);
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED);
    g_assert_nonnull(strstr(error->message, "does not fit in the saved image '/s/web1.save'"));
}

static DomainDef *parse(const char *text)
{
    g_autoptr(GError) error = NULL;
    DomainDef *def = domain_def_parse_string(text, DOMAIN_PARSE_INACTIVE, &error);

    g_assert_no_error(error);
    return def;
}

#define UUID1 "<uuid>7d1e0d6a-0c7b-4b3f-9f0e-1b2c3d4e5f60</uuid>"
#define UUID2 "<uuid>7d1e0d6a-0c7b-4b3f-9f0e-1b2c3d4e5f61</uuid>"
#define DOM(name, uuid, mem, vcpus, extra)                                                      \
    "<domain type='qemu'><name>" name "</name>" uuid "<memory unit='MiB'>" mem                  \
    "</memory><vcpu>" vcpus "</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>" extra \
    "</domain>"

/* Which XML may replace an image's: the same domain and machine; what differs is named. */
static void test_compatible(void)
{
    static const struct {
        const char *given;
        const char *why; /* NULL: compatible */
    } cases[] = {
        { DOM("web1", UUID1, "64", "1", "<description>new</description>"), NULL },
        { DOM("web2", UUID1, "64", "1", ""), "domain name 'web1' was saved, 'web2' given" },
        { DOM("web1", UUID2, "64", "1", ""), "domain UUID" },
        { DOM("web1", UUID1, "128", "1", ""), "memory (KiB) '65536' was saved, '131072' given" },
        { DOM("web1", UUID1, "64", "2", ""), "vcpu count '1' was saved, '2' given" },
        { DOM("web1", UUID1, "64", "1",
              "<devices><disk type='file'><source file='/d.img'/><target dev='vda'/></disk>"
              "</devices>"),
          "disk count '0' was saved, '1' given" },
        { DOM("web1", UUID1, "64", "1", "<devices><interface type='user'/></devices>"),
          "interface count" },
    };
    g_autoptr(DomainDef) saved = parse(DOM("web1", UUID1, "64", "1", ""));

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(DomainDef) given = parse(cases[i].given);
        g_autoptr(GError) error = NULL;
        bool ok = qemu_save_check_compatible(saved, given, "/s/web1.img", &error);

        if (!cases[i].why) {
            g_assert_no_error(error);
            g_assert_true(ok);
            continue;
        }
        g_assert_false(ok);
        g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_CONFIG_UNSUPPORTED);
        g_assert_nonnull(strstr(error->message, "'/s/web1.img'"));
        if (!strstr(error->message, cases[i].why))
            g_error("case %zu: '%s' lacks '%s'", i, error->message, cases[i].why);
    }
}

static void test_state_flags(void)
{
    g_autoptr(GError) error = NULL;

    g_assert_true(qemu_save_check_state_flags(QEMU_SAVE_RUNNING | QEMU_SAVE_BYPASS_CACHE, NULL));
    g_assert_true(qemu_save_check_state_flags(QEMU_SAVE_PAUSED, NULL));
    g_assert_false(qemu_save_check_state_flags(QEMU_SAVE_RUNNING | QEMU_SAVE_PAUSED, &error));
    g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INVALID_ARG);
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
    g_test_add_func("/qemu/save/room", test_room);
    g_test_add_func("/qemu/save/encode-at", test_encode_at);
    g_test_add_func("/qemu/save/compatible", test_compatible);
    g_test_add_func("/qemu/save/state-flags", test_state_flags);
    g_test_add_func("/qemu/save/paths-and-commands", test_paths_and_commands);
    return g_test_run();
}
