/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The config store in a temporary directory: atomic 0600 writes, autostart links,
 * status files, and loading that skips (and keeps) broken files. */

#include "state/config-store.h"

#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"

typedef struct Fixture {
    char *dir;
    char *config_dir;
    char *autostart_dir;
    char *state_dir;
    ConfigStore *store;
} Fixture;

static void fixture_set_up(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;

    f->dir = g_dir_make_tmp("virtkit-config-store-XXXXXX", &error);
    g_assert_no_error(error);
    f->config_dir = g_build_filename(f->dir, "etc", "test", NULL);
    f->autostart_dir = g_build_filename(f->config_dir, "autostart", NULL);
    f->state_dir = g_build_filename(f->dir, "run", "test", NULL);
    f->store = config_store_new(f->config_dir, f->autostart_dir, f->state_dir);
}

static void remove_tree(const char *path)
{
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    const char *entry;

    while (d && (entry = g_dir_read_name(d))) {
        g_autofree char *child = g_build_filename(path, entry, NULL);

        if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
            remove_tree(child);
        else
            g_assert_cmpint(unlink(child), ==, 0);
    }
    g_assert_cmpint(rmdir(path), ==, 0);
}

static void fixture_tear_down(Fixture *f, gconstpointer data)
{
    config_store_free(f->store);
    remove_tree(f->dir);
    g_free(f->dir);
    g_free(f->config_dir);
    g_free(f->autostart_dir);
    g_free(f->state_dir);
}

/* A stand-in for the driver's parser: "<domain><name>N</name></domain>" only. */
static DomainDef *fake_parse(const char *xml, void *data, GError **error)
{
    const char *start = strstr(xml, "<name>");
    const char *end = start ? strstr(start, "</name>") : NULL;
    DomainDef *def;

    (*(int *)data)++;
    if (!g_str_has_prefix(xml, "<domain>") || !end) {
        g_set_error(error, VIRT_CONF_ERROR, VIRT_ERR_XML_ERROR, "XML error: not a domain");
        return NULL;
    }
    def = domain_def_new();
    def->name = g_strndup(start + 6, end - start - 6);
    return def;
}

static char *domain_xml(const char *name)
{
    return g_strdup_printf("<domain><name>%s</name></domain>", name);
}

static void test_write_config(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = domain_xml("web1");
    g_autofree char *path = config_store_config_path(f->store, "web1");
    g_autofree char *read = NULL;
    struct stat st;

    g_assert_true(config_store_write_config(f->store, "web1", xml, &error));
    g_assert_no_error(error);
    g_assert_true(g_file_get_contents(path, &read, NULL, NULL));
    g_assert_cmpstr(read, ==, xml);
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 07777, ==, 0600);

    /* rewriting replaces the file and leaves no temporary behind */
    g_assert_true(config_store_write_config(f->store, "web1", "<domain/>", &error));
    g_clear_pointer(&read, g_free);
    g_assert_true(g_file_get_contents(path, &read, NULL, NULL));
    g_assert_cmpstr(read, ==, "<domain/>");
    {
        g_autoptr(GDir) d = g_dir_open(f->config_dir, 0, NULL);
        const char *entry;
        guint n = 0;

        while ((entry = g_dir_read_name(d))) {
            g_assert_cmpstr(entry, ==, "web1.xml");
            n++;
        }
        g_assert_cmpuint(n, ==, 1);
    }

    g_assert_true(config_store_delete_config(f->store, "web1", &error));
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    /* deleting what is not there is fine */
    g_assert_true(config_store_delete_config(f->store, "web1", &error));
    g_assert_no_error(error);
}

static void test_bad_names(Fixture *f, gconstpointer data)
{
    static const char *const names[] = { "a/b", "..", ".", "", "x\ny" };

    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autoptr(GError) error = NULL;

        g_assert_false(config_store_write_config(f->store, names[i], "<domain/>", &error));
        g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INVALID_ARG);
        g_clear_error(&error);
        g_assert_false(config_store_set_autostart(f->store, names[i], true, &error));
        g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INVALID_ARG);
        g_clear_error(&error);
        g_assert_false(config_store_delete_config(f->store, names[i], &error));
        g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INVALID_ARG);
    }
    g_assert_false(g_file_test(f->config_dir, G_FILE_TEST_EXISTS));
}

static void test_autostart(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *link = config_store_autostart_path(f->store, "web1");
    g_autofree char *target = NULL;

    g_assert_false(config_store_get_autostart(f->store, "web1"));
    g_assert_true(config_store_set_autostart(f->store, "web1", true, &error));
    g_assert_no_error(error);
    g_assert_true(config_store_get_autostart(f->store, "web1"));
    target = g_file_read_link(link, NULL);
    g_assert_cmpstr(target, ==, "../web1.xml");
    /* idempotent */
    g_assert_true(config_store_set_autostart(f->store, "web1", true, &error));
    g_assert_true(config_store_set_autostart(f->store, "web1", false, &error));
    g_assert_false(config_store_get_autostart(f->store, "web1"));
    g_assert_true(config_store_set_autostart(f->store, "web1", false, &error));
    g_assert_no_error(error);

    /* undefine removes the link with the config */
    g_assert_true(config_store_write_config(f->store, "web1", "<domain/>", &error));
    g_assert_true(config_store_set_autostart(f->store, "web1", true, &error));
    g_assert_true(config_store_delete_config(f->store, "web1", &error));
    g_assert_false(config_store_get_autostart(f->store, "web1"));
}

static void write_raw(const char *dir, const char *file, const char *contents)
{
    g_autofree char *path = g_build_filename(dir, file, NULL);

    g_assert_true(g_file_set_contents(path, contents, -1, NULL));
}

static void test_load(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) configs = NULL;
    g_autoptr(GPtrArray) problems = NULL;
    g_autofree char *a = domain_xml("a");
    g_autofree char *b = domain_xml("b");
    g_autofree char *broken_path = g_build_filename(f->config_dir, "broken.xml", NULL);
    int parsed = 0;
    StoredFile *file;

    g_assert_true(config_store_write_config(f->store, "b", b, &error));
    g_assert_true(config_store_write_config(f->store, "a", a, &error));
    g_assert_true(config_store_set_autostart(f->store, "b", true, &error));
    write_raw(f->config_dir, "broken.xml", "<domain><name>broken");
    write_raw(f->config_dir, "wrong.xml", "<domain><name>other</name></domain>");
    write_raw(f->config_dir, ".a.xml.ABC123", "leftover of an interrupted write");
    write_raw(f->config_dir, "notes.txt", "not a config");

    g_assert_true(
        config_store_load_configs(f->store, fake_parse, &parsed, &configs, &problems, &error));
    g_assert_no_error(error);
    g_assert_cmpint(parsed, ==, 4);
    g_assert_cmpuint(configs->len, ==, 2);
    file = configs->pdata[0];
    g_assert_cmpstr(file->name, ==, "a");
    g_assert_cmpstr(file->def->name, ==, "a");
    g_assert_false(file->autostart);
    file = configs->pdata[1];
    g_assert_cmpstr(file->name, ==, "b");
    g_assert_true(file->autostart);

    g_assert_cmpuint(problems->len, ==, 2);
    g_assert_true(strstr(((GError *)problems->pdata[0])->message, "broken.xml"));
    g_assert_true(strstr(((GError *)problems->pdata[0])->message, "not a domain"));
    g_assert_cmpint(((GError *)problems->pdata[0])->code, ==, VIRT_ERR_XML_ERROR);
    g_assert_true(
        strstr(((GError *)problems->pdata[1])->message, "does not match the domain name 'other'"));
    /* broken files are kept for the operator */
    g_assert_true(g_file_test(broken_path, G_FILE_TEST_EXISTS));
}

/* Two files with one UUID: the first (by name) wins, the second is reported. */
static DomainDef *fixed_uuid_parse(const char *xml, void *data, GError **error)
{
    DomainDef *def = fake_parse(xml, data, error);

    if (def) {
        virt_uuid_parse("11111111-2222-3333-4444-555555555555", def->uuid);
        if (strcmp(def->name, "b") == 0)
            def->uuid[15] = 0x66;
        def->has_uuid = true;
    }
    return def;
}

static void test_load_domains(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) problems = NULL;
    g_autoptr(DomainObjList) list = domain_obj_list_new();
    g_autoptr(DomainObj) a = NULL;
    g_autoptr(DomainObj) b = NULL;
    g_autofree char *xa = domain_xml("a");
    g_autofree char *xb = domain_xml("b");
    g_autofree char *xc = domain_xml("c");
    int parsed = 0;

    g_assert_true(config_store_write_config(f->store, "a", xa, &error));
    g_assert_true(config_store_write_config(f->store, "b", xb, &error));
    g_assert_true(config_store_write_config(f->store, "c", xc, &error));
    g_assert_true(config_store_set_autostart(f->store, "b", true, &error));
    write_raw(f->config_dir, "broken.xml", "garbage");

    g_assert_true(
        config_store_load_domains(f->store, fixed_uuid_parse, &parsed, list, &problems, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(domain_obj_list_count(list), ==, 2);
    a = domain_obj_list_find_by_name(list, "a");
    b = domain_obj_list_find_by_name(list, "b");
    g_assert_true(a->persistent);
    g_assert_false(a->autostart);
    g_assert_true(b->autostart);
    g_assert_cmpint(b->state, ==, DOMAIN_STATE_SHUTOFF);
    g_assert_null(domain_obj_list_find_by_name(list, "c"));
    g_assert_cmpuint(problems->len, ==, 2);
    g_assert_true(strstr(((GError *)problems->pdata[0])->message, "broken.xml"));
    g_assert_true(g_str_has_suffix(((GError *)problems->pdata[1])->message,
                                   "c.xml': operation failed: domain 'a' is already defined "
                                   "with uuid 11111111-2222-3333-4444-555555555555"));
}

static void test_load_missing_dir(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) configs = NULL;
    g_autoptr(GPtrArray) problems = NULL;
    int parsed = 0;

    g_assert_true(
        config_store_load_configs(f->store, fake_parse, &parsed, &configs, &problems, &error));
    g_assert_cmpuint(configs->len, ==, 0);
    g_assert_cmpuint(problems->len, ==, 0);
}

static void test_status(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) files = NULL;
    g_autoptr(GPtrArray) problems = NULL;
    g_autofree char *path = config_store_status_path(f->store, "vm");
    struct stat st;

    g_assert_true(config_store_write_status(f->store, "vm", "<domstatus/>", &error));
    g_assert_no_error(error);
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 07777, ==, 0600);
    g_assert_true(config_store_load_status(f->store, &files, &problems, &error));
    g_assert_cmpuint(files->len, ==, 1);
    g_assert_cmpstr(((StoredFile *)files->pdata[0])->xml, ==, "<domstatus/>");
    g_assert_cmpuint(problems->len, ==, 0);
    g_assert_true(config_store_delete_status(f->store, "vm", &error));
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
}

static void test_unreadable_dir(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(ConfigStore) store = NULL;
    g_autofree char *file = g_build_filename(f->dir, "plain-file", NULL);
    GPtrArray *configs = NULL;
    GPtrArray *problems = NULL;
    int parsed = 0;

    /* a config "directory" that is a file cannot be listed: the load fails */
    g_assert_true(g_file_set_contents(file, "x", -1, NULL));
    store = config_store_new(file, f->autostart_dir, f->state_dir);
    g_assert_false(
        config_store_load_configs(store, fake_parse, &parsed, &configs, &problems, &error));
    g_assert_nonnull(error);
    g_assert_null(configs);
    g_assert_null(problems);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) \
    g_test_add("/state/config-store/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
    ADD("write-config", test_write_config);
    ADD("bad-names", test_bad_names);
    ADD("autostart", test_autostart);
    ADD("load", test_load);
    ADD("load-domains", test_load_domains);
    ADD("load-missing-dir", test_load_missing_dir);
    ADD("status", test_status);
    ADD("unreadable-dir", test_unreadable_dir);
    return g_test_run();
}
