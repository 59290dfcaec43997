/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Snapshot metadata files. A broken file is never removed by a load: it is skipped and
 * reported so the operator can repair it; only an explicit delete (snapshot delete,
 * undefine, a transient domain going away) removes files.
 */

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/snapshot-def.h"
#include "state/snapshot-store.h"
#include "state/snapshot-tree.h"
#include "util/error.h"
#include "util/file-util.h"
#include "util/name.h"

struct SnapshotStore {
    char *snapshot_dir;
};

/**
 * snapshot_store_new: a store rooted at @snapshot_dir (created on first write).
 */
SnapshotStore *snapshot_store_new(const char *snapshot_dir)
{
    SnapshotStore *store = g_new0(SnapshotStore, 1);

    store->snapshot_dir = g_strdup(snapshot_dir);
    return store;
}

/**
 * snapshot_store_free: free @store (NULL allowed); returns NULL.
 */
SnapshotStore *snapshot_store_free(SnapshotStore *store)
{
    if (!store)
        return NULL;
    g_free(store->snapshot_dir);
    g_free(store);
    return NULL;
}

static bool check_name(const char *what, const char *name, GError **error)
{
    const char *why = virt_name_check(name);

    if (!why)
        return true;
    g_set_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_INVALID_ARG, "%s '%s' is invalid: %s", what,
                name ? name : "", why);
    return false;
}

/**
 * snapshot_store_domain_dir: <snapshot_dir>/<domain>, after checking @domain is a safe
 * file name.
 */
char *snapshot_store_domain_dir(const SnapshotStore *store, const char *domain, GError **error)
{
    if (!check_name("domain name", domain, error))
        return NULL;
    return g_build_filename(store->snapshot_dir, domain, NULL);
}

/**
 * snapshot_store_path: <snapshot_dir>/<domain>/<snapshot>.xml, after checking both
 * names are safe file names.
 */
char *snapshot_store_path(const SnapshotStore *store, const char *domain, const char *snapshot,
                          GError **error)
{
    g_autofree char *dir = snapshot_store_domain_dir(store, domain, error);
    g_autofree char *file = NULL;

    if (!dir || !check_name("snapshot name", snapshot, error))
        return NULL;
    file = g_strconcat(snapshot, ".xml", NULL);
    return g_build_filename(dir, file, NULL);
}

/**
 * snapshot_store_write - persist one snapshot of @domain
 * @store: the store
 * @domain: the domain's name
 * @def: the snapshot; def->current decides <active>
 * @error: an invalid name, or the I/O failure
 *
 * Returns: true once the file is durably in place (atomic replace, mode 0600).
 */
bool snapshot_store_write(SnapshotStore *store, const char *domain, const SnapshotDef *def,
                          GError **error)
{
    g_autofree char *dir = snapshot_store_domain_dir(store, domain, error);
    g_autofree char *path = NULL;
    g_autofree char *xml = NULL;

    if (!dir)
        return false;
    path = snapshot_store_path(store, domain, def->name, error);
    if (!path)
        return false;
    /* the directory holds what may be secrets (SECURE format): owner only */
    if (!virt_dir_ensure(dir, 0700, error))
        return false;
    xml = snapshot_def_format(def, SNAPSHOT_FORMAT_SECURE | SNAPSHOT_FORMAT_INTERNAL);
    return virt_file_write_atomic(path, xml, strlen(xml), 0600, error);
}

static bool unlink_if_exists(const char *path, GError **error)
{
    if (unlink(path) == 0 || errno == ENOENT)
        return true;
    return virt_error_set_errno(error, VIRT_SNAPSHOT_ERROR, errno, "cannot remove '%s'", path);
}

/**
 * snapshot_store_delete: remove the file of snapshot @snapshot of @domain; a missing
 * file is not an error.
 */
bool snapshot_store_delete(SnapshotStore *store, const char *domain, const char *snapshot,
                           GError **error)
{
    g_autofree char *path = snapshot_store_path(store, domain, snapshot, error);

    return path && unlink_if_exists(path, error);
}

/* Store files are "<name>.xml"; interrupted atomic writes leave ".<name>..." temps. */
static bool is_store_entry(const char *entry)
{
    return entry[0] != '.' && g_str_has_suffix(entry, ".xml") && strlen(entry) > 4;
}

/**
 * snapshot_store_delete_all - remove all snapshot metadata of @domain and its directory
 * @store: the store
 * @domain: the domain's name
 * @error: the first removal that failed, or a directory that still holds other files
 *
 * Used when the domain goes away (undefine, a transient domain stopping), so a later
 * domain of the same name starts without snapshots. Every "*.xml" goes, unreadable ones
 * included: they belonged to the domain being removed.
 *
 * Returns: true when the directory is gone (or never existed).
 */
bool snapshot_store_delete_all(SnapshotStore *store, const char *domain, GError **error)
{
    g_autofree char *dir = snapshot_store_domain_dir(store, domain, error);
    g_autoptr(GDir) d = NULL;
    g_autoptr(GError) local = NULL;
    const char *entry;

    if (!dir)
        return false;
    d = g_dir_open(dir, 0, &local);
    if (!d) {
        if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return true;
        g_set_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_SYSTEM_ERROR, "%s", local->message);
        return false;
    }
    while ((entry = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, entry, NULL);

        if (is_store_entry(entry) && !unlink_if_exists(path, error))
            return false;
    }
    if (rmdir(dir) < 0 && errno != ENOENT)
        return virt_error_set_errno(error, VIRT_SNAPSHOT_ERROR, errno,
                                    "cannot remove snapshot directory '%s'", dir);
    return true;
}

/**
 * snapshot_store_apply - make the files of @domain follow a change of its tree
 * @store: the store
 * @domain: the domain's name
 * @tree: the tree after the change
 * @change: what snapshot_tree_add/redefine/delete/set_current/clear recorded
 * @error: the first failure; files handled before it stay handled
 *
 * Returns: true when every removed file is gone and every updated one rewritten.
 */
bool snapshot_store_apply(SnapshotStore *store, const char *domain, const SnapshotTree *tree,
                          const SnapshotTreeChange *change, GError **error)
{
    for (guint i = 0; i < change->removed->len; i++) {
        if (!snapshot_store_delete(store, domain, change->removed->pdata[i], error))
            return false;
    }
    for (guint i = 0; i < change->updated->len; i++) {
        const SnapshotObj *obj = snapshot_tree_lookup(tree, change->updated->pdata[i]);

        if (obj && !snapshot_store_write(store, domain, obj->def, error))
            return false;
    }
    return true;
}

static int compare_entries(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One file -> a definition whose name matches the file name, or a problem. */
static SnapshotDef *load_file(const char *dir, const char *entry, GError **error)
{
    g_autofree char *path = g_build_filename(dir, entry, NULL);
    g_autofree char *xml = NULL;
    g_autofree char *want = g_strndup(entry, strlen(entry) - strlen(".xml"));
    g_autoptr(SnapshotDef) def = NULL;
    g_autoptr(GError) local = NULL;
    struct stat st;

    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        g_set_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_CONF_SYNTAX,
                    "snapshot file '%s' is not a regular file", path);
        return NULL;
    }
    if (!virt_file_read_bounded(path, SNAPSHOT_STORE_MAX_FILE_SIZE, &xml, NULL, error))
        return NULL;
    def =
        snapshot_def_parse_full(xml, SNAPSHOT_PARSE_REDEFINE | SNAPSHOT_PARSE_INTERNAL, 0, &local);
    if (!def) {
        g_set_error(error, VIRT_SNAPSHOT_ERROR, local->code, "cannot load snapshot file '%s': %s",
                    path, local->message);
        return NULL;
    }
    if (strcmp(def->name, want) != 0) {
        g_set_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_CONF_SYNTAX,
                    "snapshot file '%s' holds snapshot '%s'", path, def->name);
        return NULL;
    }
    return g_steal_pointer(&def);
}

static bool list_entries(const char *dir, GPtrArray *entries, GError **error)
{
    g_autoptr(GDir) d = NULL;
    g_autoptr(GError) local = NULL;
    const char *entry;

    d = g_dir_open(dir, 0, &local);
    if (!d) {
        if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return true;
        g_set_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_SYSTEM_ERROR,
                    "cannot read snapshot directory: %s", local->message);
        return false;
    }
    while ((entry = g_dir_read_name(d))) {
        if (is_store_entry(entry))
            g_ptr_array_add(entries, g_strdup(entry));
    }
    g_ptr_array_sort(entries, compare_entries);
    return true;
}

/**
 * snapshot_store_load - read every snapshot of @domain into @tree
 * @store: the store
 * @domain: the domain's name
 * @tree: the domain's tree (normally empty)
 * @problems: GError* appended for files that cannot be read or parsed, whose name does
 *            not match their content, and for tree inconsistencies (missing parents,
 *            several current snapshots); those files stay untouched
 * @error: only for a directory that exists but cannot be read
 *
 * Returns: true when the directory was read (or does not exist).
 */
bool snapshot_store_load(SnapshotStore *store, const char *domain, SnapshotTree *tree,
                         GPtrArray *problems, GError **error)
{
    g_autofree char *dir = snapshot_store_domain_dir(store, domain, error);
    g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) defs = g_ptr_array_new();

    if (!dir || !list_entries(dir, entries, error))
        return false;
    for (guint i = 0; i < entries->len; i++) {
        GError *problem = NULL;
        SnapshotDef *def = load_file(dir, entries->pdata[i], &problem);

        if (def)
            g_ptr_array_add(defs, def);
        else
            g_ptr_array_add(problems, problem);
    }
    snapshot_tree_load(tree, defs, problems);
    return true;
}
