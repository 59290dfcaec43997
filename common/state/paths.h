/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Where a driver keeps its files (DESIGN.md §4), computed purely from the driver name,
 * the mode, an optional --root and environment values the caller read.
 */

#include <glib.h>
#include <stdbool.h>

/* Environment values; NULL or "" = unset. */
typedef struct StatePathsEnv {
    const char *xdg_runtime_dir;
    const char *xdg_config_home;
    const char *xdg_cache_home;
    const char *home;
} StatePathsEnv;

typedef struct StatePaths {
    char *socket_dir;     /* <daemon>-sock, -sock-ro, -admin-sock */
    char *config_dir;     /* persistent configs: <name>.xml */
    char *autostart_dir;  /* <config_dir>/autostart: <name>.xml -> ../<name>.xml */
    char *state_dir;      /* runtime status of live guests: <name>.xml */
    char *lib_dir;        /* per-guest working directories */
    char *save_dir;       /* managed save images */
    char *snapshot_dir;   /* snapshot metadata: <name>/<snapshot>.xml */
    char *checkpoint_dir; /* checkpoint metadata */
    char *dump_dir;
    char *nvram_dir;
    char *cache_dir;
    char *log_dir;
} StatePaths;

/* lifecycle */
StatePaths *state_paths_free(StatePaths *paths);

/* computation (pure) */
bool state_paths_compute(const char *driver, bool privileged, const char *root,
                         const StatePathsEnv *env, StatePaths **ret_paths, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(StatePaths, state_paths_free)
