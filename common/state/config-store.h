/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The on-disk store of one driver: persistent configs <config_dir>/<name>.xml (0600),
 * autostart links <autostart_dir>/<name>.xml -> ../<name>.xml, and status files of live
 * guests <state_dir>/<name>.xml. Every write is atomic (util/file-util.h).
 */

#include <glib.h>
#include <stdbool.h>

#include "conf/domain-def.h"
#include "state/domain-obj-list.h"

typedef struct ConfigStore ConfigStore;

/* One file found by a load: its name (file name without ".xml"), path and contents. */
typedef struct StoredFile {
    char *name;
    char *path;
    char *xml;
    DomainDef *def; /* config loads only */
    bool autostart; /* config loads only */
} StoredFile;

/* Turns a config file's XML into a definition (the driver's parse + post-parse). */
typedef DomainDef *(*ConfigParseFunc)(const char *xml, void *data, GError **error);

#define CONFIG_STORE_MAX_FILE_SIZE (10 * 1024 * 1024)

/* lifecycle */
ConfigStore *config_store_new(const char *config_dir, const char *autostart_dir,
                              const char *state_dir);
ConfigStore *config_store_free(ConfigStore *store);
StoredFile *stored_file_free(StoredFile *file);

/* paths */
char *config_store_config_path(const ConfigStore *store, const char *name);
char *config_store_autostart_path(const ConfigStore *store, const char *name);
char *config_store_status_path(const ConfigStore *store, const char *name);

/* configs */
bool config_store_write_config(ConfigStore *store, const char *name, const char *xml,
                               GError **error);
bool config_store_delete_config(ConfigStore *store, const char *name, GError **error);
bool config_store_set_autostart(ConfigStore *store, const char *name, bool autostart,
                                GError **error);
bool config_store_get_autostart(ConfigStore *store, const char *name);
bool config_store_load_configs(ConfigStore *store, ConfigParseFunc parse, void *parse_data,
                               GPtrArray **ret_configs, GPtrArray **ret_problems, GError **error);

bool config_store_load_domains(ConfigStore *store, ConfigParseFunc parse, void *parse_data,
                               DomainObjList *list, GPtrArray **ret_problems, GError **error);

/* status of live guests */
bool config_store_write_status(ConfigStore *store, const char *name, const char *xml,
                               GError **error);
bool config_store_delete_status(ConfigStore *store, const char *name, GError **error);
bool config_store_load_status(ConfigStore *store, GPtrArray **ret_files, GPtrArray **ret_problems,
                              GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ConfigStore, config_store_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StoredFile, stored_file_free)
