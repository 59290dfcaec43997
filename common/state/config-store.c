/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Config store. Loading never deletes or renames anything: a file that cannot be read
 * or parsed is skipped and reported to the caller (who logs it), so that a daemon
 * starts with every good domain and the operator can repair the bad file.
 */

#include "state/config-store.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/file-util.h"
#include "util/name.h"

struct ConfigStore {
    char *config_dir;
    char *autostart_dir;
    char *state_dir;
};

/**
 * config_store_new: a store on the given directories (created on first write).
 */
ConfigStore *config_store_new(const char *config_dir, const char *autostart_dir,
                              const char *state_dir)
{
    ConfigStore *store = g_new0(ConfigStore, 1);

    store->config_dir = g_strdup(config_dir);
    store->autostart_dir = g_strdup(autostart_dir);
    store->state_dir = g_strdup(state_dir);
    return store;
}

/**
 * config_store_free: free @store. Accepts NULL; returns NULL.
 */
ConfigStore *config_store_free(ConfigStore *store)
{
    if (!store)
        return NULL;
    g_free(store->config_dir);
    g_free(store->autostart_dir);
    g_free(store->state_dir);
    g_free(store);
    return NULL;
}

/**
 * stored_file_free: free @file. Accepts NULL; returns NULL.
 */
StoredFile *stored_file_free(StoredFile *file)
{
    if (!file)
        return NULL;
    g_free(file->name);
    g_free(file->path);
    g_free(file->xml);
    domain_def_free(file->def);
    g_free(file);
    return NULL;
}

static void stored_file_free_notify(gpointer file)
{
    stored_file_free(file);
}

static void error_free_notify(gpointer err)
{
    g_error_free(err);
}

static char *xml_path(const char *dir, const char *name)
{
    g_autofree char *file = g_strconcat(name, ".xml", NULL);

    return g_build_filename(dir, file, NULL);
}

/**
 * config_store_config_path: where the persistent config of @name lives.
 */
char *config_store_config_path(const ConfigStore *store, const char *name)
{
    return xml_path(store->config_dir, name);
}

/**
 * config_store_autostart_path: where the autostart link of @name lives.
 */
char *config_store_autostart_path(const ConfigStore *store, const char *name)
{
    return xml_path(store->autostart_dir, name);
}

/**
 * config_store_status_path: where the status file of @name lives.
 */
char *config_store_status_path(const ConfigStore *store, const char *name)
{
    return xml_path(store->state_dir, name);
}

/* Names come from clients: refuse anything that is not a plain file name. */
static bool check_name(const char *name, GError **error)
{
    const char *why = name ? virt_name_check(name) : "it is missing";

    if (!why)
        return true;
    g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INVALID_ARG,
                "invalid argument: domain name '%s' is invalid: %s", name ? name : "", why);
    return false;
}

static bool write_xml(const char *dir, const char *name, const char *xml, GError **error)
{
    g_autofree char *path = NULL;

    if (!check_name(name, error) || !virt_dir_ensure(dir, 0700, error))
        return false;
    path = xml_path(dir, name);
    return virt_file_write_atomic(path, xml, strlen(xml), 0600, error);
}

static bool unlink_if_exists(const char *path, GError **error)
{
    if (unlink(path) < 0 && errno != ENOENT)
        return virt_error_set_errno(error, VIRT_UTIL_ERROR, errno, "cannot remove '%s'", path);
    return true;
}

/**
 * config_store_write_config: save @xml as the persistent config of @name (0600).
 */
bool config_store_write_config(ConfigStore *store, const char *name, const char *xml,
                               GError **error)
{
    return write_xml(store->config_dir, name, xml, error);
}

/**
 * config_store_delete_config: remove the config and the autostart link of @name;
 * files that do not exist are fine.
 */
bool config_store_delete_config(ConfigStore *store, const char *name, GError **error)
{
    g_autofree char *link = NULL;
    g_autofree char *path = NULL;

    if (!check_name(name, error))
        return false;
    link = config_store_autostart_path(store, name);
    path = config_store_config_path(store, name);
    return unlink_if_exists(link, error) && unlink_if_exists(path, error);
}

/* The link target is relative so that a store moved with --root stays valid. */
static char *autostart_target(const ConfigStore *store, const char *name)
{
    g_autofree char *file = g_strconcat(name, ".xml", NULL);
    g_autofree char *parent = g_path_get_dirname(store->autostart_dir);

    if (g_strcmp0(parent, store->config_dir) == 0)
        return g_build_filename("..", file, NULL);
    return config_store_config_path(store, name);
}

/**
 * config_store_set_autostart: create or remove the autostart link of @name.
 * Idempotent.
 */
bool config_store_set_autostart(ConfigStore *store, const char *name, bool autostart,
                                GError **error)
{
    g_autofree char *link = NULL;
    g_autofree char *target = NULL;

    if (!check_name(name, error))
        return false;
    link = config_store_autostart_path(store, name);
    if (!autostart)
        return unlink_if_exists(link, error);
    if (!virt_dir_ensure(store->autostart_dir, 0700, error))
        return false;
    target = autostart_target(store, name);
    if (!unlink_if_exists(link, error))
        return false;
    if (symlink(target, link) < 0)
        return virt_error_set_errno(error, VIRT_UTIL_ERROR, errno,
                                    "cannot create autostart link '%s'", link);
    return true;
}

/**
 * config_store_get_autostart: whether @name has an autostart link.
 */
bool config_store_get_autostart(ConfigStore *store, const char *name)
{
    g_autofree char *link = NULL;
    struct stat st;

    if (virt_name_check(name))
        return false;
    link = config_store_autostart_path(store, name);
    return lstat(link, &st) == 0;
}

/**
 * config_store_write_status: save @xml as the status of the live guest @name.
 */
bool config_store_write_status(ConfigStore *store, const char *name, const char *xml,
                               GError **error)
{
    return write_xml(store->state_dir, name, xml, error);
}

/**
 * config_store_delete_status: remove the status file of @name, if any.
 */
bool config_store_delete_status(ConfigStore *store, const char *name, GError **error)
{
    g_autofree char *path = NULL;

    if (!check_name(name, error))
        return false;
    path = config_store_status_path(store, name);
    return unlink_if_exists(path, error);
}

/* The domain name a directory entry stands for, or NULL for entries that are not
 * store files (temporary files of an interrupted write start with '.'). */
static char *entry_name(const char *entry)
{
    if (entry[0] == '.' || !g_str_has_suffix(entry, ".xml"))
        return NULL;
    return g_strndup(entry, strlen(entry) - strlen(".xml"));
}

static StoredFile *read_entry(const char *dir, const char *entry, GError **error)
{
    g_autoptr(StoredFile) file = g_new0(StoredFile, 1);
    struct stat st;

    file->name = entry_name(entry);
    file->path = g_build_filename(dir, entry, NULL);
    if (virt_name_check(file->name)) {
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_CONF_SYNTAX,
                    "config file '%s' has an invalid name", file->path);
        return NULL;
    }
    if (lstat(file->path, &st) == 0 && !S_ISREG(st.st_mode)) {
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_CONF_SYNTAX,
                    "config file '%s' is not a regular file", file->path);
        return NULL;
    }
    if (!virt_file_read_bounded(file->path, CONFIG_STORE_MAX_FILE_SIZE, &file->xml, NULL, error))
        return NULL;
    return g_steal_pointer(&file);
}

static gint compare_entries(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every "<name>.xml" of @dir, sorted by name; unreadable ones go to @problems. A
 * missing directory is an empty store. */
static bool read_dir(const char *dir, GPtrArray *files, GPtrArray *problems, GError **error)
{
    g_autoptr(GDir) d = NULL;
    g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) local = NULL;
    const char *entry;

    d = g_dir_open(dir, 0, &local);
    if (!d) {
        if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return true;
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR, "cannot open directory: %s",
                    local->message);
        return false;
    }
    while ((entry = g_dir_read_name(d))) {
        g_autofree char *name = entry_name(entry);

        if (name)
            g_ptr_array_add(entries, g_strdup(entry));
    }
    g_ptr_array_sort(entries, compare_entries);
    for (guint i = 0; i < entries->len; i++) {
        GError *problem = NULL;
        StoredFile *file = read_entry(dir, entries->pdata[i], &problem);

        if (file)
            g_ptr_array_add(files, file);
        else
            g_ptr_array_add(problems, problem);
    }
    return true;
}

static bool parse_config(ConfigStore *store, StoredFile *file, ConfigParseFunc parse,
                         void *parse_data, GError **error)
{
    g_autoptr(GError) local = NULL;

    file->def = parse(file->xml, parse_data, &local);
    if (!file->def) {
        g_set_error(error, VIRT_DOMAIN_ERROR, local ? local->code : VIRT_ERR_XML_ERROR,
                    "cannot load config file '%s': %s", file->path,
                    local ? local->message : "unknown error");
        return false;
    }
    if (g_strcmp0(file->def->name, file->name) != 0) {
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_CONF_SYNTAX,
                    "config file '%s' does not match the domain name '%s'", file->path,
                    file->def->name);
        return false;
    }
    file->autostart = config_store_get_autostart(store, file->name);
    return true;
}

/**
 * config_store_load_configs: read and parse every persistent config with @parse.
 * Files that cannot be read or parsed, or whose name does not match the domain, are
 * skipped (never deleted) and reported in @ret_problems (GError*). Fails only when the
 * config directory itself cannot be read; a missing one is an empty store.
 * @ret_configs holds StoredFile* with def and autostart set, sorted by name.
 */
bool config_store_load_configs(ConfigStore *store, ConfigParseFunc parse, void *parse_data,
                               GPtrArray **ret_configs, GPtrArray **ret_problems, GError **error)
{
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(stored_file_free_notify);
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(error_free_notify);
    g_autoptr(GPtrArray) good = g_ptr_array_new_with_free_func(stored_file_free_notify);

    if (!read_dir(store->config_dir, files, problems, error))
        return false;
    for (guint i = 0; i < files->len; i++) {
        GError *problem = NULL;

        if (parse_config(store, files->pdata[i], parse, parse_data, &problem))
            g_ptr_array_add(good, g_steal_pointer(&files->pdata[i]));
        else
            g_ptr_array_add(problems, problem);
    }
    *ret_configs = g_steal_pointer(&good);
    *ret_problems = g_steal_pointer(&problems);
    return true;
}

/**
 * config_store_load_domains: what a daemon does on start: load every persistent config
 * (config_store_load_configs) into @list as inactive persistent domains with their
 * autostart flag. Files that cannot be loaded, and definitions the list refuses (two
 * files with one UUID), are skipped and reported in @ret_problems (GError*).
 */
bool config_store_load_domains(ConfigStore *store, ConfigParseFunc parse, void *parse_data,
                               DomainObjList *list, GPtrArray **ret_problems, GError **error)
{
    g_autoptr(GPtrArray) configs = NULL;
    g_autoptr(GPtrArray) problems = NULL;

    if (!config_store_load_configs(store, parse, parse_data, &configs, &problems, error))
        return false;
    for (guint i = 0; i < configs->len; i++) {
        StoredFile *file = configs->pdata[i];
        g_autoptr(DomainObj) obj = NULL;
        GError *problem = NULL;

        if (!domain_obj_list_add(list, g_steal_pointer(&file->def), 0, NULL, &obj, NULL,
                                 &problem)) {
            g_prefix_error(&problem, "cannot load config file '%s': ", file->path);
            g_ptr_array_add(problems, problem);
            continue;
        }
        g_mutex_lock(&obj->lock);
        obj->autostart = file->autostart;
        g_mutex_unlock(&obj->lock);
    }
    *ret_problems = g_steal_pointer(&problems);
    return true;
}

/**
 * config_store_load_status: read every status file (StoredFile* with xml set; the
 * format is the driver's). Unreadable files are reported in @ret_problems.
 */
bool config_store_load_status(ConfigStore *store, GPtrArray **ret_files, GPtrArray **ret_problems,
                              GError **error)
{
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(stored_file_free_notify);
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(error_free_notify);

    if (!read_dir(store->state_dir, files, problems, error))
        return false;
    *ret_files = g_steal_pointer(&files);
    *ret_problems = g_steal_pointer(&problems);
    return true;
}
