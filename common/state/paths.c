/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Directory layout, as libvirt's for system and session mode:
 *
 *   system: /etc/libvirt/<drv>, /run/libvirt/<drv>, /var/lib/libvirt/<drv>/...,
 *           /var/cache/libvirt/<drv>, /var/log/libvirt/<drv>, sockets in /run/libvirt
 *   session: $XDG_CONFIG_HOME/libvirt/<drv> (configs, lib, save, snapshot, ...),
 *           $XDG_RUNTIME_DIR/libvirt/<drv>/run (status), $XDG_CACHE_HOME/libvirt/<drv>
 *           (cache, log), sockets in $XDG_RUNTIME_DIR/libvirt
 *   --root R: R/etc/<drv>, R/run/<drv>, R/lib/<drv>/..., R/cache/<drv>, R/log/<drv>,
 *           sockets in R/run; the mode does not matter.
 *
 * The XDG fallbacks follow the XDG spec and GLib: config ~/.config, cache ~/.cache,
 * runtime falls back to the cache directory.
 */

#include "state/paths.h"

#include "util/error.h"

/**
 * state_paths_free: free @paths. Accepts NULL; returns NULL.
 */
StatePaths *state_paths_free(StatePaths *paths)
{
    if (!paths)
        return NULL;
    g_free(paths->socket_dir);
    g_free(paths->config_dir);
    g_free(paths->autostart_dir);
    g_free(paths->state_dir);
    g_free(paths->lib_dir);
    g_free(paths->save_dir);
    g_free(paths->snapshot_dir);
    g_free(paths->checkpoint_dir);
    g_free(paths->dump_dir);
    g_free(paths->nvram_dir);
    g_free(paths->cache_dir);
    g_free(paths->log_dir);
    g_free(paths);
    return NULL;
}

static bool is_set(const char *s)
{
    return s && *s;
}

/* The directories that hold per-guest files, all below @lib. */
static void fill_lib_dirs(StatePaths *p, const char *lib)
{
    p->lib_dir = g_strdup(lib);
    p->save_dir = g_build_filename(lib, "save", NULL);
    p->snapshot_dir = g_build_filename(lib, "snapshot", NULL);
    p->checkpoint_dir = g_build_filename(lib, "checkpoint", NULL);
    p->dump_dir = g_build_filename(lib, "dump", NULL);
    p->nvram_dir = g_build_filename(lib, "nvram", NULL);
}

static StatePaths *compute_root(const char *drv, const char *root)
{
    StatePaths *p = g_new0(StatePaths, 1);
    g_autofree char *lib = g_build_filename(root, "lib", drv, NULL);

    p->socket_dir = g_build_filename(root, "run", NULL);
    p->config_dir = g_build_filename(root, "etc", drv, NULL);
    p->state_dir = g_build_filename(root, "run", drv, NULL);
    p->cache_dir = g_build_filename(root, "cache", drv, NULL);
    p->log_dir = g_build_filename(root, "log", drv, NULL);
    fill_lib_dirs(p, lib);
    return p;
}

static StatePaths *compute_system(const char *drv)
{
    StatePaths *p = g_new0(StatePaths, 1);
    g_autofree char *lib = g_build_filename("/var/lib/libvirt", drv, NULL);

    p->socket_dir = g_strdup("/run/libvirt");
    p->config_dir = g_build_filename("/etc/libvirt", drv, NULL);
    p->state_dir = g_build_filename("/run/libvirt", drv, NULL);
    p->cache_dir = g_build_filename("/var/cache/libvirt", drv, NULL);
    p->log_dir = g_build_filename("/var/log/libvirt", drv, NULL);
    fill_lib_dirs(p, lib);
    return p;
}

static bool compute_session(const char *drv, const StatePathsEnv *env, StatePaths **ret_paths,
                            GError **error)
{
    g_autofree char *config_home = NULL;
    g_autofree char *cache_home = NULL;
    g_autofree char *runtime = NULL;
    g_autofree char *lib = NULL;
    StatePaths *p;

    if ((!is_set(env->xdg_config_home) || !is_set(env->xdg_cache_home)) && !is_set(env->home)) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "internal error: cannot find the user's directories: HOME is not set");
        return false;
    }
    config_home = is_set(env->xdg_config_home) ? g_strdup(env->xdg_config_home)
                                               : g_build_filename(env->home, ".config", NULL);
    cache_home = is_set(env->xdg_cache_home) ? g_strdup(env->xdg_cache_home)
                                             : g_build_filename(env->home, ".cache", NULL);
    runtime = is_set(env->xdg_runtime_dir) ? g_strdup(env->xdg_runtime_dir) : g_strdup(cache_home);

    p = g_new0(StatePaths, 1);
    lib = g_build_filename(config_home, "libvirt", drv, "lib", NULL);
    p->socket_dir = g_build_filename(runtime, "libvirt", NULL);
    p->config_dir = g_build_filename(config_home, "libvirt", drv, NULL);
    p->state_dir = g_build_filename(runtime, "libvirt", drv, "run", NULL);
    p->cache_dir = g_build_filename(cache_home, "libvirt", drv, "cache", NULL);
    p->log_dir = g_build_filename(cache_home, "libvirt", drv, "log", NULL);
    p->lib_dir = g_steal_pointer(&lib);
    p->save_dir = g_build_filename(p->config_dir, "save", NULL);
    p->snapshot_dir = g_build_filename(p->config_dir, "snapshot", NULL);
    p->checkpoint_dir = g_build_filename(p->config_dir, "checkpoint", NULL);
    p->dump_dir = g_build_filename(p->config_dir, "dump", NULL);
    p->nvram_dir = g_build_filename(p->config_dir, "nvram", NULL);
    *ret_paths = p;
    return true;
}

/**
 * state_paths_compute: every directory of @driver ("qemu", "lxc", ...) for system
 * (@privileged) or session mode, or below @root when it is given. Pure: @env carries
 * the environment values the caller read. Fails for a relative @root, a bad driver
 * name, or a session without HOME when an XDG directory is unset.
 */
bool state_paths_compute(const char *driver, bool privileged, const char *root,
                         const StatePathsEnv *env, StatePaths **ret_paths, GError **error)
{
    StatePaths *p;

    if (!driver || !*driver || strchr(driver, '/') || driver[0] == '.') {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "internal error: invalid driver name '%s'", driver ? driver : "");
        return false;
    }
    if (root) {
        if (!g_path_is_absolute(root)) {
            g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG,
                        "invalid argument: root directory '%s' must be an absolute path", root);
            return false;
        }
        p = compute_root(driver, root);
    } else if (privileged) {
        p = compute_system(driver);
    } else {
        if (!compute_session(driver, env, &p, error))
            return false;
    }
    p->autostart_dir = g_build_filename(p->config_dir, "autostart", NULL);
    *ret_paths = p;
    return true;
}
