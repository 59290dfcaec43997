/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Probing the real QEMU of this machine and the capability cache. Tier: real-TCG
 * (skipped when qemu-system-x86_64 is not installed). The cache test puts the binary
 * behind a wrapper script in a temporary directory so its mtime can be changed.
 */

#include <glib/gstdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu-caps.h"
#include "qemu-test-util.h"
#include "util/error.h"

#define PROBE_TIMEOUT_MS 20000

static char *qemu_binary;

static bool need_qemu(void)
{
    if (qemu_binary)
        return true;
    g_test_skip("qemu-system-x86_64 is not installed");
    return false;
}

static void test_probe(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(QemuCaps) caps = NULL;

    if (!need_qemu())
        return;
    caps = qemu_caps_probe(qemu_binary, PROBE_TIMEOUT_MS, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(caps->arch, ==, "x86_64");
    g_assert_cmpuint(caps->version, >=, 7002000);
    g_assert_nonnull(qemu_caps_default_machine(caps));
    g_assert_nonnull(qemu_caps_machine_lookup(caps, "pc"));
    g_assert_true(qemu_caps_has(caps, QEMU_CAPS_ACCEL_TCG));
    g_assert_true(qemu_caps_has(caps, QEMU_CAPS_DEVICE_VIRTIO_BLK_PCI));
    g_assert_true(qemu_caps_supports_virt_type(caps, DOMAIN_VIRT_QEMU));
    if (access("/dev/kvm", R_OK | W_OK) != 0)
        g_assert_false(caps->kvm_usable);
    else
        g_test_message("KVM usable: %s", caps->kvm_usable ? "yes" : "no");
}

static void test_probe_not_qemu(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(QemuCaps) caps = qemu_caps_probe("/bin/true", PROBE_TIMEOUT_MS, &error);

    g_assert_null(caps);
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR);
    g_assert_true(g_str_has_prefix(error->message, "cannot probe QEMU binary '/bin/true': "));
}

static void test_probe_missing(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(QemuCaps) caps = qemu_caps_cache_get("/nonexistent-cache", "/nonexistent/qemu",
                                                   PROBE_TIMEOUT_MS, NULL, &error);

    g_assert_null(caps);
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_SYSTEM_ERROR);
    g_assert_true(g_str_has_prefix(error->message, "cannot stat QEMU binary '/nonexistent/qemu'"));
}

static void test_cache(void)
{
    g_autofree char *tmp = NULL;
    g_autofree char *bin = NULL;
    g_autofree char *cache = NULL;
    g_autofree char *script = NULL;
    bool probed = false;

    if (!need_qemu())
        return;
    tmp = g_dir_make_tmp("virtkit-caps-XXXXXX", NULL);
    bin = g_build_filename(tmp, "qemu-system-x86_64", NULL);
    cache = g_build_filename(tmp, "cache", NULL);
    /* a wrapper script: its mtime is ours to change (a copied QEMU finds no modules) */
    script = g_strdup_printf("#!/bin/sh\nexec '%s' \"$@\"\n", qemu_binary);
    g_assert_true(g_file_set_contents(bin, script, -1, NULL));
    g_assert_cmpint(g_chmod(bin, 0755), ==, 0);

    for (int round = 0; round < 4; round++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(QemuCaps) caps =
            qemu_caps_cache_get(cache, bin, PROBE_TIMEOUT_MS, &probed, &error);

        g_assert_no_error(error);
        g_assert_cmpstr(caps->binary, ==, bin);
        g_assert_cmpstr(caps->probed_by, ==, VIRTKIT_VERSION);
        /* round 0: cold; 1: cached; 2: after an mtime change; 3: after a corrupt file */
        g_assert_cmpint(probed, ==, round != 1);
        if (round == 1) {
            struct timespec ts[2] = { { 1000000, 0 }, { 1000000, 0 } };

            g_assert_cmpint(utimensat(AT_FDCWD, bin, ts, 0), ==, 0);
        } else if (round == 2) {
            g_autoptr(GDir) d = g_dir_open(cache, 0, NULL);
            const char *name = g_dir_read_name(d);
            g_autofree char *path = g_build_filename(cache, name, NULL);

            g_assert_true(g_file_set_contents(path, "{garbage", -1, NULL));
        }
    }
    qemu_test_rm_rf(tmp);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qemu_binary = g_find_program_in_path("qemu-system-x86_64");

    g_test_add_func("/qemu/caps-probe/probe", test_probe);
    g_test_add_func("/qemu/caps-probe/not-qemu", test_probe_not_qemu);
    g_test_add_func("/qemu/caps-probe/missing", test_probe_missing);
    g_test_add_func("/qemu/caps-probe/cache", test_cache);
    return g_test_run();
}
