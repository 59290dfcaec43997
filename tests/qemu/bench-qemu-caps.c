/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Benchmark (suite 'bench'): capability probe of the real qemu-system-x86_64, cold
 * (both QEMUs started, every query) and cached (stat + read + parse the cache file).
 * Prints numbers, asserts nothing beyond success. libvirt 9.0 measured here: cold probe
 * 3.7 s.
 */

#include <stdio.h>

#include "qemu-caps.h"
#include "qemu-test-util.h"

#define RUNS 5

static void bench_caps(void)
{
    g_autofree char *binary = g_find_program_in_path("qemu-system-x86_64");
    g_autofree char *tmp = NULL;
    double cold[RUNS], cached[RUNS];

    if (!binary) {
        g_test_skip("qemu-system-x86_64 is not installed");
        return;
    }
    tmp = g_dir_make_tmp("virtkit-caps-bench-XXXXXX", NULL);
    for (int i = 0; i < RUNS; i++) {
        g_autofree char *dir = g_strdup_printf("%s/%d", tmp, i);
        g_autoptr(GError) error = NULL;
        bool probed = false;
        int64_t t0 = g_get_monotonic_time();
        g_autoptr(QemuCaps) a = qemu_caps_cache_get(dir, binary, 20000, &probed, &error);
        int64_t t1 = g_get_monotonic_time();
        g_autoptr(QemuCaps) b = NULL;

        g_assert_no_error(error);
        g_assert_true(probed);
        b = qemu_caps_cache_get(dir, binary, 20000, &probed, &error);
        g_assert_no_error(error);
        g_assert_false(probed);
        cold[i] = (double)(t1 - t0) / 1000.0;
        cached[i] = (double)(g_get_monotonic_time() - t1) / 1000.0;
    }
    for (int i = 0; i < RUNS; i++)
        g_test_message("run %d: cold probe %.1f ms, cached load %.2f ms", i, cold[i], cached[i]);
    printf("# qemu caps: cold probe min %.1f ms, cached load min %.2f ms (%d runs)\n",
           MIN(MIN(cold[0], cold[1]), MIN(cold[2], MIN(cold[3], cold[4]))),
           MIN(MIN(cached[0], cached[1]), MIN(cached[2], MIN(cached[3], cached[4]))), RUNS);
    qemu_test_rm_rf(tmp);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemu/bench/caps", bench_caps);
    return g_test_run();
}
