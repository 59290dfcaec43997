/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirtkit.so's ABI surface: every function the public headers declare is in
 * libclient.sym and exported, nothing in libclient.sym is missing from the
 * headers, and internals (libclient's and the static layers') stay hidden.
 *
 * Usage: test-client-symbols PATH/TO/libvirtkit.so
 */

#include <dlfcn.h>
#include <string.h>

#include <glib.h>

static const char *lib_path;
static char *src_root;

/* Every "vir*(" name declared in the public headers. */
static GHashTable *header_functions(void)
{
    static const char *const headers[] = { "virtkit-host.h",     "virtkit-domain.h",
                                           "virtkit-error.h",    "virtkit-event.h",
                                           "virtkit-snapshot.h", "virtkit-stream.h" };
    GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GRegex) re = g_regex_new("\\b(vir[A-Z][A-Za-z]*)\\(", 0, 0, NULL);

    for (size_t i = 0; i < G_N_ELEMENTS(headers); i++) {
        g_autofree char *path =
            g_build_filename(src_root, "libclient", "include", "virtkit", headers[i], NULL);
        g_autofree char *text = NULL;
        g_autoptr(GMatchInfo) m = NULL;

        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        g_regex_match(re, text, 0, &m);
        for (; g_match_info_matches(m); g_match_info_next(m, NULL))
            g_hash_table_add(names, g_match_info_fetch(m, 1));
    }
    return names;
}

/* The names listed as global in libclient.sym. */
static GHashTable *sym_file_functions(void)
{
    g_autofree char *path = g_build_filename(src_root, "libclient", "libclient.sym", NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        char *line = g_strstrip(lines[i]);

        if (g_str_has_prefix(line, "vir") && g_str_has_suffix(line, ";")) {
            line[strlen(line) - 1] = '\0';
            g_hash_table_add(names, g_strdup(line));
        }
    }
    return names;
}

static void test_headers_match_sym_file(void)
{
    g_autoptr(GHashTable) declared = header_functions();
    g_autoptr(GHashTable) listed = sym_file_functions();
    GHashTableIter it;
    gpointer name;

    g_assert_cmpuint(g_hash_table_size(declared), >, 60);
    g_hash_table_iter_init(&it, declared);
    while (g_hash_table_iter_next(&it, &name, NULL)) {
        if (!g_hash_table_contains(listed, name))
            g_test_message("declared but not exported: %s", (char *)name);
        g_assert_true(g_hash_table_contains(listed, name));
    }
    g_hash_table_iter_init(&it, listed);
    while (g_hash_table_iter_next(&it, &name, NULL)) {
        if (!g_hash_table_contains(declared, name))
            g_test_message("exported but not declared: %s", (char *)name);
        g_assert_true(g_hash_table_contains(declared, name));
    }
}

static void test_exports(void)
{
    g_autoptr(GHashTable) listed = sym_file_functions();
    static const char *const hidden[] = {
        "client_error_set", "client_domain_new", "client_driver_register", "virt_uuid_parse",
        "virt_uri_parse",   "test_driver_ops",   "domain_ref_free",        "virt_error_identity",
    };
    void *lib = dlopen(lib_path, RTLD_NOW | RTLD_LOCAL);
    GHashTableIter it;
    gpointer name;

    if (!lib)
        g_error("dlopen %s: %s", lib_path, dlerror());
    g_hash_table_iter_init(&it, listed);
    while (g_hash_table_iter_next(&it, &name, NULL)) {
        if (!dlsym(lib, name))
            g_test_message("not exported: %s", (char *)name);
        g_assert_nonnull(dlsym(lib, name));
    }
    for (size_t i = 0; i < G_N_ELEMENTS(hidden); i++) {
        if (dlsym(lib, hidden[i]))
            g_test_message("leaked internal symbol: %s", hidden[i]);
        g_assert_null(dlsym(lib, hidden[i]));
    }
    dlclose(lib);
}

int main(int argc, char **argv)
{
    const char *srcdir;
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (argc < 2)
        g_error("usage: %s PATH/TO/libvirtkit.so", argv[0]);
    lib_path = argv[1];
    srcdir = g_getenv("VIRTKIT_TEST_SRCDIR");
    g_assert_nonnull(srcdir);
    src_root = g_path_get_dirname(srcdir);
    g_test_add_func("/client/symbols/headers-match-sym-file", test_headers_match_sym_file);
    g_test_add_func("/client/symbols/exports", test_exports);
    ret = g_test_run();
    g_free(src_root);
    return ret;
}
