/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Table test of the directory layout (DESIGN.md §4). */

#include "state/paths.h"

#include "util/error.h"

typedef struct PathCase {
    const char *what;
    const char *driver;
    bool privileged;
    const char *root;
    StatePathsEnv env;
    const char *socket_dir, *config_dir, *autostart_dir, *state_dir, *lib_dir, *save_dir,
        *snapshot_dir, *cache_dir, *log_dir;
} PathCase;

static const PathCase cases[] = {
    { "system",
      "qemu",
      true,
      NULL,
      { NULL, NULL, NULL, NULL },
      "/run/libvirt",
      "/etc/libvirt/qemu",
      "/etc/libvirt/qemu/autostart",
      "/run/libvirt/qemu",
      "/var/lib/libvirt/qemu",
      "/var/lib/libvirt/qemu/save",
      "/var/lib/libvirt/qemu/snapshot",
      "/var/cache/libvirt/qemu",
      "/var/log/libvirt/qemu" },
    { "system ignores env",
      "lxc",
      true,
      NULL,
      { "/r", "/c", "/k", "/h" },
      "/run/libvirt",
      "/etc/libvirt/lxc",
      "/etc/libvirt/lxc/autostart",
      "/run/libvirt/lxc",
      "/var/lib/libvirt/lxc",
      "/var/lib/libvirt/lxc/save",
      "/var/lib/libvirt/lxc/snapshot",
      "/var/cache/libvirt/lxc",
      "/var/log/libvirt/lxc" },
    { "session xdg",
      "qemu",
      false,
      NULL,
      { "/run/user/1000", "/x/conf", "/x/cache", "/home/u" },
      "/run/user/1000/libvirt",
      "/x/conf/libvirt/qemu",
      "/x/conf/libvirt/qemu/autostart",
      "/run/user/1000/libvirt/qemu/run",
      "/x/conf/libvirt/qemu/lib",
      "/x/conf/libvirt/qemu/save",
      "/x/conf/libvirt/qemu/snapshot",
      "/x/cache/libvirt/qemu/cache",
      "/x/cache/libvirt/qemu/log" },
    { "session home fallback",
      "qemu",
      false,
      NULL,
      { NULL, "", NULL, "/home/u" },
      "/home/u/.cache/libvirt",
      "/home/u/.config/libvirt/qemu",
      "/home/u/.config/libvirt/qemu/autostart",
      "/home/u/.cache/libvirt/qemu/run",
      "/home/u/.config/libvirt/qemu/lib",
      "/home/u/.config/libvirt/qemu/save",
      "/home/u/.config/libvirt/qemu/snapshot",
      "/home/u/.cache/libvirt/qemu/cache",
      "/home/u/.cache/libvirt/qemu/log" },
    { "session xdg without home",
      "bhyve",
      false,
      NULL,
      { "/rt", "/c", "/k", NULL },
      "/rt/libvirt",
      "/c/libvirt/bhyve",
      "/c/libvirt/bhyve/autostart",
      "/rt/libvirt/bhyve/run",
      "/c/libvirt/bhyve/lib",
      "/c/libvirt/bhyve/save",
      "/c/libvirt/bhyve/snapshot",
      "/k/libvirt/bhyve/cache",
      "/k/libvirt/bhyve/log" },
    { "root system",
      "qemu",
      true,
      "/tmp/r",
      { NULL, NULL, NULL, NULL },
      "/tmp/r/run",
      "/tmp/r/etc/qemu",
      "/tmp/r/etc/qemu/autostart",
      "/tmp/r/run/qemu",
      "/tmp/r/lib/qemu",
      "/tmp/r/lib/qemu/save",
      "/tmp/r/lib/qemu/snapshot",
      "/tmp/r/cache/qemu",
      "/tmp/r/log/qemu" },
    { "root session ignores env",
      "xen",
      false,
      "/srv/vk/",
      { "/rt", "/c", "/k", "/h" },
      "/srv/vk/run",
      "/srv/vk/etc/xen",
      "/srv/vk/etc/xen/autostart",
      "/srv/vk/run/xen",
      "/srv/vk/lib/xen",
      "/srv/vk/lib/xen/save",
      "/srv/vk/lib/xen/snapshot",
      "/srv/vk/cache/xen",
      "/srv/vk/log/xen" },
};

static void test_paths_case(gconstpointer data)
{
    const PathCase *c = data;
    g_autoptr(StatePaths) p = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true(state_paths_compute(c->driver, c->privileged, c->root, &c->env, &p, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(p->socket_dir, ==, c->socket_dir);
    g_assert_cmpstr(p->config_dir, ==, c->config_dir);
    g_assert_cmpstr(p->autostart_dir, ==, c->autostart_dir);
    g_assert_cmpstr(p->state_dir, ==, c->state_dir);
    g_assert_cmpstr(p->lib_dir, ==, c->lib_dir);
    g_assert_cmpstr(p->save_dir, ==, c->save_dir);
    g_assert_cmpstr(p->snapshot_dir, ==, c->snapshot_dir);
    g_assert_cmpstr(p->cache_dir, ==, c->cache_dir);
    g_assert_cmpstr(p->log_dir, ==, c->log_dir);
    g_assert_nonnull(p->checkpoint_dir);
    g_assert_nonnull(p->dump_dir);
    g_assert_nonnull(p->nvram_dir);
}

typedef struct BadCase {
    const char *what;
    const char *driver;
    bool privileged;
    const char *root;
    StatePathsEnv env;
    int code;
    const char *message;
} BadCase;

static const BadCase bad_cases[] = {
    { "relative root",
      "qemu",
      true,
      "rel/dir",
      { 0 },
      VIRT_ERR_INVALID_ARG,
      "invalid argument: root directory 'rel/dir' must be an absolute path" },
    { "session without home",
      "qemu",
      false,
      NULL,
      { "/rt", NULL, "/k", NULL },
      VIRT_ERR_INTERNAL_ERROR,
      "internal error: cannot find the user's directories: HOME is not set" },
    { "driver with slash",
      "a/b",
      true,
      NULL,
      { 0 },
      VIRT_ERR_INTERNAL_ERROR,
      "internal error: invalid driver name 'a/b'" },
    { "dot driver",
      "..",
      true,
      NULL,
      { 0 },
      VIRT_ERR_INTERNAL_ERROR,
      "internal error: invalid driver name '..'" },
    { "empty driver",
      "",
      true,
      NULL,
      { 0 },
      VIRT_ERR_INTERNAL_ERROR,
      "internal error: invalid driver name ''" },
};

static void test_paths_bad(gconstpointer data)
{
    const BadCase *c = data;
    StatePaths *p = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_false(state_paths_compute(c->driver, c->privileged, c->root, &c->env, &p, &error));
    g_assert_null(p);
    g_assert_error(error, VIRT_UTIL_ERROR, c->code);
    g_assert_cmpstr(error->message, ==, c->message);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *name = g_strdup_printf("/state/paths/%s", cases[i].what);
        g_test_add_data_func(name, &cases[i], test_paths_case);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        g_autofree char *name = g_strdup_printf("/state/paths/bad/%s", bad_cases[i].what);
        g_test_add_data_func(name, &bad_cases[i], test_paths_bad);
    }
    return g_test_run();
}
