/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Domain XML → QEMU command line goldens, like libvirt's qemuxmlconfdata: every case
 * is listed here. data/xml2argv/<case>.xml is parsed with the QEMU driver's post-parse
 * hooks against the capabilities recorded from QEMU 7.2 and built with fixed host facts;
 * the result must equal <case>.x86_64-7.2.args, or the error <case>.x86_64-7.2.err for
 * DO_TEST_FAILURE. REGENERATE_GOLDEN=1 rewrites them; unused data files fail the run.
 * Tier: golden (pure). Cases marked DO_TEST_RUN also start the command line under TCG
 * with -S and check QEMU accepts it (real-TCG tier, skipped without QEMU).
 */

#include <string.h>

#include "qemu-command.h"
#include "qemu-test-qmp.h"
#include "qemu-test-util.h"
#include "util/error.h"

#define CAPS_FILE "x86_64-7.2.replies"
#define SUFFIX "x86_64-7.2"

typedef enum CaseFlags {
    CASE_FAIL = 1u << 0,       /* building must fail with <case>.err */
    CASE_NO_KVM = 1u << 1,     /* this host has no usable KVM */
    CASE_RUN = 1u << 2,        /* start QEMU with the result (real-TCG) */
    CASE_MONITOR_FD = 1u << 3, /* monitor handed over as fd 3 instead of a path */
} CaseFlags;

typedef struct Xml2ArgvCase {
    const char *name;
    CaseFlags flags;
} Xml2ArgvCase;

static char *data_dir;
static GHashTable *used_files;
static QemuCaps *test_caps;

/* Lines as libvirt's .args files have them: env, binary, then one option (with its
 * value) per line. */
static char *format_args(const Command *cmd)
{
    const char *const *env = command_get_env(cmd);
    const char *const *argv = command_get_argv(cmd);
    g_autoptr(GString) out = g_string_new(NULL);

    for (size_t i = 0; env[i]; i++) {
        const char *eq = strchr(env[i], '=');
        g_autofree char *q = g_shell_quote(eq + 1);

        g_string_append_len(out, env[i], eq - env[i] + 1);
        g_string_append(out, strpbrk(eq + 1, " '\"$\\{}") ? q : eq + 1);
        g_string_append(out, " \\\n");
    }
    for (size_t i = 0; argv[i]; i++) {
        g_autofree char *q = g_shell_quote(argv[i]);

        g_string_append(out, strpbrk(argv[i], " '\"$\\{}*;&|<>") ? q : argv[i]);
        if (argv[i + 1] && argv[i][0] == '-' && argv[i + 1][0] != '-') {
            g_autofree char *v = g_shell_quote(argv[i + 1]);

            g_string_append_c(out, ' ');
            g_string_append(out, strpbrk(argv[i + 1], " '\"$\\{}*;&|<>") ? v : argv[i + 1]);
            i++;
        }
        g_string_append(out, argv[i + 1] ? " \\\n" : "\n");
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

static QemuPrepared *case_prepared(const DomainDef *def, CaseFlags flags)
{
    QemuPrepared *prep = qemu_prepared_new();

    prep->lib_dir = g_strdup_printf("/var/lib/libvirt/qemu/domain-%s", def->name);
    prep->pidfile = g_strdup_printf("/run/libvirt/qemu/%s.pid", def->name);
    if (flags & CASE_MONITOR_FD)
        prep->monitor_fd = 3;
    else
        prep->monitor_path = g_strdup_printf("%s/monitor.sock", prep->lib_dir);
    for (guint i = 0; i < def->nets->len; i++) {
        const DomainNetDef *net = g_ptr_array_index(def->nets, i);
        int fd = net->type == DOMAIN_NET_TYPE_USER ? -1 : 1729 + (int)i;

        g_array_append_val(prep->tap_fds, fd);
    }
    for (guint i = 0; i < def->graphics->len; i++) {
        const DomainGraphicsDef *gfx = g_ptr_array_index(def->graphics, i);
        int port = g_strcmp0(gfx->autoport, "yes") == 0 ? 5900 + (int)i : -1;

        g_array_append_val(prep->graphics_ports, port);
    }
    return prep;
}

/* Parse and post-parse as define does; a definition the driver refuses at define
 * time is an expected failure too (its message is the .err). */
static bool build_case(const char *xml, CaseFlags flags, char **ret_args, GError **error)
{
    DomainPostParseOps ops = qemu_post_parse_ops(test_caps);
    g_autoptr(DomainDef) def = domain_def_parse_full(xml, 0, &ops, error);
    g_autoptr(QemuPrepared) prep = NULL;
    g_autoptr(Command) cmd = NULL;

    if (!def)
        return false;
    prep = case_prepared(def, flags);
    if (!qemu_build_command(def, test_caps, prep, &cmd, error))
        return false;
    *ret_args = format_args(cmd);
    return true;
}

/* Real-TCG: QEMU 7.2 must accept the command line: it answers QMP, sits in prelaunch
 * (-S) and quits cleanly. Host paths of the case are not touched: only cases without
 * disks or sockets of their own are run. */
static void run_case(const char *xml, const char *name)
{
    g_autofree char *binary = g_find_program_in_path("qemu-system-x86_64");
    DomainPostParseOps ops = qemu_post_parse_ops(test_caps);
    g_autoptr(GError) error = NULL;
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(QemuPrepared) prep = NULL;
    g_autoptr(Command) cmd = NULL;
    g_autoptr(QemuTestVm) vm = NULL;
    g_autoptr(QemuMonitorMessage) reply = NULL;
    g_autoptr(QemuMonitorMessage) quit = NULL;
    g_autofree char *tmp = NULL;
    QemuMonitorStatus status;
    int our_fd, qemu_fd;

    if (!binary || !g_str_equal(binary, test_caps->binary)) {
        g_test_message("%s: not run: needs %s (real-TCG tier)", name, test_caps->binary);
        return;
    }
    def = domain_def_parse_full(xml, 0, &ops, &error);
    g_assert_no_error(error);
    tmp = g_dir_make_tmp("virtkit-argv-XXXXXX", NULL);
    prep = qemu_prepared_new();
    qemu_test_vm_socketpair(&our_fd, &qemu_fd);
    prep->monitor_fd = qemu_fd;
    prep->monitor_fd_connected = true;
    prep->lib_dir = g_strdup(tmp);
    prep->pidfile = g_build_filename(tmp, "qemu.pid", NULL);
    for (guint i = 0; i < def->graphics->len; i++) {
        int port = 5990 + (int)i;

        g_array_append_val(prep->graphics_ports, port);
    }
    g_assert_true(qemu_build_command(def, test_caps, prep, &cmd, &error));
    vm = qemu_test_vm_start(cmd, our_fd, qemu_fd, &error);
    g_assert_no_error(error);
    reply = qemu_test_vm_cmd(vm, "query-status", &error);
    g_assert_no_error(error);
    g_assert_true(qemu_monitor_parse_status(reply, &status, &error));
    g_assert_cmpint(status.state, ==, QEMU_RUN_STATE_PRELAUNCH);
    quit = qemu_test_vm_cmd(vm, "quit", &error);
    g_assert_no_error(error);
    g_assert_cmpint(qemu_test_vm_wait_exit(vm, 30000), ==, 0);
    qemu_test_rm_rf(tmp);
}

static void test_xml2argv(const void *data)
{
    const Xml2ArgvCase *tc = data;
    g_autofree char *xml_path = g_strdup_printf("%s/%s.xml", data_dir, tc->name);
    g_autofree char *xml = test_read(xml_path);
    g_autofree char *args = NULL;
    g_autoptr(GError) error = NULL;
    bool ok;

    test_caps->kvm_usable = !(tc->flags & CASE_NO_KVM);
    ok = build_case(xml, tc->flags, &args, &error);
    if (tc->flags & CASE_FAIL) {
        g_autofree char *path = g_strdup_printf("%s/%s.%s.err", data_dir, tc->name, SUFFIX);
        g_autofree char *msg = NULL;

        if (ok) {
            g_test_message("case %s was expected to fail, but built:\n%s", tc->name, args);
            g_test_fail();
            return;
        }
        msg = g_strdup_printf("%s\n", error->message);
        test_compare_golden(path, msg);
        return;
    }
    if (!ok) {
        g_test_message("case %s failed: %s", tc->name, error->message);
        g_test_fail();
        return;
    }
    {
        g_autofree char *path = g_strdup_printf("%s/%s.%s.args", data_dir, tc->name, SUFFIX);

        test_compare_golden(path, args);
    }
    if (tc->flags & CASE_RUN)
        run_case(xml, tc->name);
}

static void xml2argv_add(const char *name, CaseFlags flags)
{
    Xml2ArgvCase *tc = g_new0(Xml2ArgvCase, 1);
    g_autofree char *path = g_strdup_printf("/qemu/xml2argv/%s", name);
    g_autofree char *xml = g_strdup_printf("%s.xml", name);
    g_autofree char *out =
        g_strdup_printf("%s.%s.%s", name, SUFFIX, flags & CASE_FAIL ? "err" : "args");

    *tc = (Xml2ArgvCase){ .name = name, .flags = flags };
    test_mark_used(used_files, xml);
    test_mark_used(used_files, out);
    g_test_add_data_func_full(path, tc, test_xml2argv, g_free);
}

static void test_unused_data(void)
{
    test_check_unused(data_dir, used_files);
}

#define DO_TEST(name) xml2argv_add(name, 0)
#define DO_TEST_FLAGS(name, flags) xml2argv_add(name, flags)
#define DO_TEST_FAILURE(name) xml2argv_add(name, CASE_FAIL)
#define DO_TEST_FAILURE_FLAGS(name, flags) xml2argv_add(name, CASE_FAIL | (flags))

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    data_dir = test_data_dir("qemu", "xml2argv");
    used_files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    test_caps = qemu_test_caps_load(CAPS_FILE);

    DO_TEST_FLAGS("minimal", CASE_RUN);
    DO_TEST_FLAGS("minimal-q35", CASE_RUN);
    DO_TEST("machine-default");
    DO_TEST("machine-canonical");
    DO_TEST("kvm");
    DO_TEST("features-acpi");
    DO_TEST_FLAGS("features-vmport", CASE_RUN);
    DO_TEST("memory-dumpcore");
    DO_TEST_FLAGS("memory-max", CASE_RUN);
    DO_TEST("cpu-custom");
    DO_TEST("cpu-maximum");
    DO_TEST("cpu-host-passthrough");
    DO_TEST_FLAGS("cpu-features", CASE_RUN);
    DO_TEST("smp-current");
    DO_TEST_FLAGS("smp-topology", CASE_RUN);
    DO_TEST("clock-localtime");
    DO_TEST("clock-timezone");
    DO_TEST_FLAGS("clock-timers", CASE_RUN);
    DO_TEST_FLAGS("lifecycle-preserve", CASE_RUN);
    DO_TEST("lifecycle-restart");
    DO_TEST("lifecycle-noreboot");
    DO_TEST("boot-order");
    DO_TEST_FLAGS("boot-menu", CASE_RUN);
    DO_TEST("kernel-initrd");
    DO_TEST("disk-virtio");
    DO_TEST("disk-virtio-qcow2");
    DO_TEST("disk-ide");
    DO_TEST("disk-sata");
    DO_TEST("disk-sata-q35");
    DO_TEST("disk-scsi");
    DO_TEST("disk-cdrom");
    DO_TEST("disk-cdrom-empty");
    DO_TEST("disk-cdrom-scsi");
    DO_TEST("disk-readonly");
    DO_TEST("disk-cache");
    DO_TEST("disk-serial");
    DO_TEST("disk-boot-order");
    DO_TEST("disk-block");
    DO_TEST("disk-shareable");
    DO_TEST_FLAGS("net-user", CASE_RUN);
    DO_TEST("net-bridge");
    DO_TEST("net-ethernet");
    DO_TEST("net-network");
    DO_TEST_FLAGS("net-default-model", CASE_RUN);
    DO_TEST_FLAGS("serial-pty", CASE_RUN);
    DO_TEST_FLAGS("serial-isa-model", CASE_RUN);
    DO_TEST("serial-file");
    DO_TEST("serial-unix");
    DO_TEST("console-only");
    DO_TEST_FLAGS("console-virtio", CASE_RUN);
    DO_TEST_FLAGS("graphics-vnc", CASE_RUN);
    DO_TEST("graphics-vnc-listen");
    DO_TEST("graphics-spice");
    DO_TEST("video-cirrus");
    DO_TEST_FLAGS("video-virtio", CASE_RUN);
    DO_TEST("video-none");
    DO_TEST_FLAGS("input-usb", CASE_RUN);
    DO_TEST("memballoon-none");
    DO_TEST_FLAGS("rng-random", CASE_RUN);
    DO_TEST_FLAGS("rng-builtin-rate", CASE_RUN);
    DO_TEST("usb-none");
    DO_TEST_FLAGS("usb-xhci", CASE_RUN);
    DO_TEST_FLAGS("monitor-fd", CASE_MONITOR_FD);
    DO_TEST("guest-kernel-serial");
    DO_TEST("full");
    DO_TEST("pci-addresses");
    DO_TEST_FLAGS("pci-addresses-nodisk", CASE_RUN);
    DO_TEST_FAILURE_FLAGS("error-kvm-unavailable", CASE_NO_KVM);
    DO_TEST_FAILURE("error-machine-unknown");
    DO_TEST_FAILURE("error-arch");
    DO_TEST_FAILURE("error-cpu-model");
    DO_TEST_FAILURE("error-cpu-passthrough-tcg");
    DO_TEST_FAILURE("error-cpu-numa");
    DO_TEST_FAILURE("error-disk-vmdk");
    DO_TEST_FAILURE("error-disk-network");
    DO_TEST_FAILURE("error-disk-iotune");
    DO_TEST_FAILURE("error-disk-driver-attr");
    DO_TEST_FAILURE("error-disk-ide-q35");
    DO_TEST_FAILURE("error-disk-readonly-ide");
    DO_TEST_FAILURE("error-disk-floppy");
    DO_TEST_FAILURE("error-net-direct");
    DO_TEST_FAILURE("error-net-model");
    DO_TEST_FAILURE("error-hostdev");
    DO_TEST_FAILURE("error-graphics-sdl");
    DO_TEST_FAILURE("error-on-crash");
    DO_TEST_FAILURE("error-clock-variable");
    DO_TEST_FAILURE("error-loader");
    DO_TEST_FAILURE("error-numatune");
    DO_TEST_FAILURE("error-serial-tcp");
    DO_TEST_FAILURE("error-input-no-usb");
    DO_TEST_FAILURE("error-video-secondary");
    DO_TEST_FAILURE("error-filesystem");
    DO_TEST_FAILURE("error-vcpus-max");
    DO_TEST_FAILURE("error-pci-address-bus");
    DO_TEST_FAILURE("error-address-ccw");
    DO_TEST_FAILURE("error-serial-model");

    g_test_add_func("/qemu/xml2argv-data/no-unused-data", test_unused_data);
    ret = g_test_run();
    qemu_caps_free(test_caps);
    g_hash_table_unref(used_files);
    g_free(data_dir);
    return ret;
}
