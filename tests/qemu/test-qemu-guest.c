/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The tiny real guest (tests/qemu/mkguest.sh: Debian's cloud kernel and a busybox
 * initramfs) booted under TCG with the command line our builder makes for a
 * kernel/initrd domain with its serial port on a file: the guest reports ready on the
 * serial console, system_powerdown makes it power off, QEMU reports SHUTDOWN from the
 * guest and exits. Waits use inotify and poll with deadlines, never sleeps.
 * Tier: real-TCG (skipped without qemu-system-x86_64 or when the guest cannot be built).
 */

#include <poll.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "qemu-command.h"
#include "qemu-test-qmp.h"
#include "qemu-test-util.h"
#include "util/error.h"

#define BOOT_TIMEOUT_MS 120000

static char *guest_kernel, *guest_initrd;

static bool build_guest(void)
{
    const char *srcdir = g_getenv("VIRTKIT_TEST_SRCDIR");
    const char *builddir = g_getenv("VIRTKIT_TEST_BUILDDIR");
    g_autofree char *script = g_build_filename(srcdir, "qemu", "mkguest.sh", NULL);
    g_autofree char *cache = g_getenv("VIRTKIT_TEST_CACHE")
                                 ? g_strdup(g_getenv("VIRTKIT_TEST_CACHE"))
                                 : g_build_filename(builddir, "qemu", "guest-cache", NULL);
    const char *argv[] = { script, cache, NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_auto(GStrv) lines = NULL;
    gint status = -1;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL, &out, &err, &status, NULL) ||
        status != 0) {
        g_test_message("mkguest.sh failed: %s", err ? err : "");
        return false;
    }
    lines = g_strsplit(out, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        if (g_str_has_prefix(lines[i], "KERNEL="))
            guest_kernel = g_strdup(lines[i] + 7);
        else if (g_str_has_prefix(lines[i], "INITRD="))
            guest_initrd = g_strdup(lines[i] + 7);
    }
    return guest_kernel && guest_initrd;
}

static char *guest_xml(const char *serial)
{
    return g_strdup_printf("<domain type='qemu'>\n"
                           "  <name>tiny</name>\n"
                           "  <memory unit='MiB'>128</memory>\n"
                           "  <os>\n"
                           "    <type arch='x86_64' machine='pc'>hvm</type>\n"
                           "    <kernel>%s</kernel>\n"
                           "    <initrd>%s</initrd>\n"
                           "    <cmdline>console=ttyS0 panic=-1 quiet</cmdline>\n"
                           "  </os>\n"
                           "  <features><acpi/><apic/></features>\n"
                           "  <devices>\n"
                           "    <serial type='file'><source path='%s'/></serial>\n"
                           "    <memballoon model='none'/>\n"
                           "  </devices>\n"
                           "</domain>\n",
                           guest_kernel, guest_initrd, serial);
}

/* Wait until @path contains @marker: inotify on the file, a re-read on every change. */
static bool wait_serial(const char *path, const char *marker, int timeout_ms)
{
    int64_t deadline = g_get_monotonic_time() + (int64_t)timeout_ms * 1000;
    int ino = inotify_init1(IN_CLOEXEC);
    bool found = false;

    g_assert_cmpint(ino, >=, 0);
    g_assert_cmpint(inotify_add_watch(ino, path, IN_MODIFY), >=, 0);
    while (!found) {
        g_autofree char *text = NULL;
        struct pollfd pfd = { .fd = ino, .events = POLLIN };
        int64_t left = (deadline - g_get_monotonic_time()) / 1000;
        char buf[4096];

        (void)g_file_get_contents(path, &text, NULL, NULL);
        found = text && strstr(text, marker);
        if (found || left <= 0 || poll(&pfd, 1, (int)left) <= 0)
            break;
        (void)!read(ino, buf, sizeof(buf));
    }
    close(ino);
    return found;
}

static void test_boot_powerdown(void)
{
    g_autofree char *binary = g_find_program_in_path("qemu-system-x86_64");
    g_autofree char *tmp = NULL;
    g_autofree char *serial = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *text = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(QemuCaps) caps = NULL;
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(QemuPrepared) prep = qemu_prepared_new();
    g_autoptr(Command) cmd = NULL;
    g_autoptr(QemuTestVm) vm = NULL;
    g_autoptr(QemuMonitorMessage) reply = NULL;
    g_autoptr(QemuMonitorMessage) shutdown = NULL;
    DomainPostParseOps ops;
    int our_fd, qemu_fd;

    if (!binary) {
        g_test_skip("qemu-system-x86_64 is not installed (no real-TCG tier here)");
        return;
    }
    if (!build_guest()) {
        g_test_skip("the tiny guest could not be built (no Debian archive?)");
        return;
    }
    caps = qemu_caps_probe(binary, 20000, &error);
    g_assert_no_error(error);
    tmp = g_dir_make_tmp("virtkit-guest-XXXXXX", NULL);
    serial = g_build_filename(tmp, "serial.log", NULL);
    g_assert_true(g_file_set_contents(serial, "", 0, NULL));
    xml = guest_xml(serial);
    ops = qemu_post_parse_ops(caps);
    def = domain_def_parse_full(xml, 0, &ops, &error);
    g_assert_no_error(error);

    qemu_test_vm_socketpair(&our_fd, &qemu_fd);
    prep->monitor_fd = qemu_fd;
    prep->monitor_fd_connected = true;
    prep->lib_dir = g_strdup(tmp);
    prep->pidfile = g_build_filename(tmp, "qemu.pid", NULL);
    g_assert_true(qemu_build_command(def, caps, prep, &cmd, &error));
    g_assert_no_error(error);
    vm = qemu_test_vm_start(cmd, our_fd, qemu_fd, &error);
    g_assert_no_error(error);

    reply = qemu_test_vm_cmd(vm, "cont", &error);
    g_assert_no_error(error);
    g_assert_true(wait_serial(serial, "VIRTKIT-GUEST-READY", BOOT_TIMEOUT_MS));
    g_clear_pointer(&reply, qemu_monitor_message_free);
    reply = qemu_test_vm_cmd(vm, "system_powerdown", &error);
    g_assert_no_error(error);
    shutdown = qemu_test_vm_wait_event(vm, "SHUTDOWN", 60000, &error);
    g_assert_no_error(error);
    g_assert_true(qemu_monitor_event_bool(shutdown, "guest", false));
    g_assert_cmpstr(qemu_monitor_event_string(shutdown, "reason"), ==, "guest-shutdown");
    /* on_poweroff='destroy': QEMU goes away by itself */
    g_assert_cmpint(qemu_test_vm_wait_exit(vm, 30000), ==, 0);
    g_assert_true(g_file_get_contents(serial, &text, NULL, NULL));
    g_assert_nonnull(strstr(text, "VIRTKIT-GUEST-POWEROFF"));
    qemu_test_rm_rf(tmp);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemu/guest/boot-powerdown", test_boot_powerdown);
    return g_test_run();
}
