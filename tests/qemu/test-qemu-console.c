/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pure parts of QEMU consoles: which chardev a device name means (serialN,
 * consoleN, none; a serial console is its serial port, a virtio console its own
 * chardev; non-pty and unknown devices refused) and the pty in a query-chardev reply
 * (as QEMU 7.2 words it).
 */

#include <string.h>

#include "qemu-console.h"
#include "util/error.h"

#define DOMAIN(devices)                                                \
    "<domain type='qemu'><name>c</name><memory unit='MiB'>64</memory>" \
    "<os><type arch='x86_64'>hvm</type></os><devices>" devices "</devices></domain>"

static DomainDef *parse(const char *xml)
{
    g_autoptr(GError) error = NULL;
    DomainDef *def = domain_def_parse_full(xml, 0, NULL, &error);

    g_assert_no_error(error);
    return def;
}

static void assert_chardev(const DomainDef *def, const char *dev, const char *want)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *id = qemu_console_chardev(def, dev, &error);

    g_assert_no_error(error);
    g_assert_cmpstr(id, ==, want);
}

static void assert_refused(const DomainDef *def, const char *dev, int code, const char *text)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *id = qemu_console_chardev(def, dev, &error);

    g_assert_null(id);
    g_assert_error(error, VIRT_QEMU_ERROR, code);
    g_assert_nonnull(strstr(error->message, text));
}

static void test_chardev(void)
{
    g_autoptr(DomainDef) serial = parse(DOMAIN("<serial type='pty'/><serial type='pty'/>"));
    g_autoptr(DomainDef) virtio =
        parse(DOMAIN("<controller type='virtio-serial' index='0'/><serial type='file'>"
                     "<source path='/tmp/s'/></serial><console type='pty'><target type='virtio'/>"
                     "</console>"));
    g_autoptr(DomainDef) none = parse(DOMAIN(""));

    /* the default console is serial 0 (post-parse adds a serial console) */
    assert_chardev(serial, NULL, "charserial0");
    assert_chardev(serial, "serial1", "charserial1");
    assert_chardev(serial, "console0", "charserial0");
    assert_refused(serial, "serial2", VIRT_ERR_INTERNAL_ERROR,
                   "cannot find character device serial2");
    assert_refused(serial, "serialx", VIRT_ERR_INTERNAL_ERROR, "serialx");
    assert_refused(serial, "parallel0", VIRT_ERR_INTERNAL_ERROR, "parallel0");
    /* the file serial is console 0, the virtio console console 1 */
    assert_refused(virtio, NULL, VIRT_ERR_OPERATION_FAILED, "is not using a PTY");
    assert_refused(virtio, "serial0", VIRT_ERR_OPERATION_FAILED, "serial0 is not using a PTY");
    assert_chardev(virtio, "console1", "charconsole1");
    assert_refused(none, NULL, VIRT_ERR_INTERNAL_ERROR, "cannot find character device <null>");
}

static QemuMonitorMessage *message(const char *text)
{
    g_autoptr(GError) error = NULL;
    QemuMonitorMessage *msg = qemu_monitor_message_parse(text, strlen(text), &error);

    g_assert_no_error(error);
    return msg;
}

static void test_pty_path(void)
{
    g_autoptr(QemuMonitorMessage) reply =
        message("{\"return\": [{\"frontend-open\": false, \"filename\": \"disconnected:unix:/r/qmp,"
                "server=on\", \"label\": \"monitor\"}, {\"frontend-open\": true, \"filename\": "
                "\"pty:/dev/pts/7\", \"label\": \"charserial0\"}, {\"frontend-open\": true, "
                "\"filename\": \"file\", \"label\": \"charserial1\"}], \"id\": \"libvirt-5\"}");
    g_autoptr(QemuMonitorMessage) failed = message(
        "{\"id\": \"libvirt-6\", \"error\": {\"class\": \"GenericError\", \"desc\": \"no\"}}");
    g_autoptr(GError) error = NULL;
    g_autofree char *path = qemu_console_pty_path(reply, "charserial0", &error);

    g_assert_no_error(error);
    g_assert_cmpstr(path, ==, "/dev/pts/7");
    g_assert_null(qemu_console_pty_path(reply, "charserial1", &error));
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED);
    g_clear_error(&error);
    g_assert_null(qemu_console_pty_path(reply, "charconsole0", &error));
    g_assert_nonnull(strstr(error->message, "charconsole0"));
    g_clear_error(&error);
    g_assert_null(qemu_console_pty_path(failed, "charserial0", &error));
    g_assert_nonnull(error);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemu/console/chardev", test_chardev);
    g_test_add_func("/qemu/console/pty-path", test_pty_path);
    return g_test_run();
}
