/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tier: golden (pure parsers) + unit (the installed writer, captured in a temp file). */

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "util/error.h"
#include "util/file-util.h"
#include "util/log.h"

typedef struct ParseCase {
    const char *in;
    const char *formatted; /* NULL: parse must fail */
    const char *error;
} ParseCase;

static const ParseCase filter_cases[] = {
    { "1:rpc 3:conf", "1:rpc 3:conf", NULL },
    { "  debug:rpc\t\twarning:conf  ", "1:rpc 3:conf", NULL },
    { "1:+rpc", "1:rpc", NULL },
    { "4:virtkit-*", "4:virtkit-*", NULL },
    { "", "", NULL },
    { "5:rpc", NULL, "invalid log filter '5:rpc': invalid log level '5'" },
    { "0:rpc", NULL, "invalid log filter '0:rpc': invalid log level '0'" },
    { "rpc", NULL, "invalid log filter 'rpc': expected level:match" },
    { "1:", NULL, "invalid log filter '1:': expected level:match" },
    { "1:+", NULL, "invalid log filter '1:+': expected level:match" },
    { "1:a:b", NULL, "invalid log filter '1:a:b': expected level:match" },
    { "loud:rpc", NULL, "invalid log filter 'loud:rpc': invalid log level 'loud'" },
};

static const ParseCase output_cases[] = {
    { "1:stderr", "1:stderr", NULL },
    { "2:file:/var/log/virtkit.log 3:journald", "2:file:/var/log/virtkit.log 3:journald", NULL },
    { "info:stderr", "2:stderr", NULL },
    { "1:file:relative.log", NULL,
      "invalid log output '1:file:relative.log': the file path must be absolute" },
    { "1:file:", NULL, "invalid log output '1:file:': the file path must be absolute" },
    { "1:syslog:virtkit", NULL,
      "invalid log output '1:syslog:virtkit': destination must be stderr, file:/path or "
      "journald" },
    { "stderr", NULL, "invalid log output 'stderr': expected level:destination" },
    { "9:stderr", NULL, "invalid log output '9:stderr': invalid log level '9'" },
};

static void test_filters_parse(gconstpointer data)
{
    const ParseCase *c = data;
    g_autoptr(GPtrArray) filters = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *formatted = NULL;

    if (!c->formatted) {
        g_assert_false(virt_log_filters_parse(c->in, &filters, &error));
        g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG);
        g_assert_true(g_str_has_prefix(error->message, c->error));
        g_assert_null(filters);
        return;
    }
    g_assert_true(virt_log_filters_parse(c->in, &filters, &error));
    g_assert_no_error(error);
    formatted = virt_log_filters_format(filters);
    g_assert_cmpstr(formatted, ==, c->formatted);
}

static void test_outputs_parse(gconstpointer data)
{
    const ParseCase *c = data;
    g_autoptr(GPtrArray) outputs = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *formatted = NULL;

    if (!c->formatted) {
        g_assert_false(virt_log_outputs_parse(c->in, &outputs, &error));
        g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG);
        g_assert_true(g_str_has_prefix(error->message, c->error));
        g_assert_null(outputs);
        return;
    }
    g_assert_true(virt_log_outputs_parse(c->in, &outputs, &error));
    g_assert_no_error(error);
    formatted = virt_log_outputs_format(outputs);
    g_assert_cmpstr(formatted, ==, c->formatted);
}

static void test_level_parse(void)
{
    static const struct {
        const char *in;
        int level;
    } cases[] = {
        { "1", VIRT_LOG_DEBUG },
        { "2", VIRT_LOG_INFO },
        { "3", VIRT_LOG_WARNING },
        { "4", VIRT_LOG_ERROR },
        { "debug", VIRT_LOG_DEBUG },
        { "error", VIRT_LOG_ERROR },
        { "0", -1 },
        { "5", -1 },
        { "12", -1 },
        { "", -1 },
        { "DEBUG", -1 },
        { "warn", -1 },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        VirtLogLevel level = 0;
        bool ok = virt_log_level_parse(cases[i].in, &level, &error);

        g_assert_cmpint(ok, ==, cases[i].level > 0);
        if (ok) {
            g_assert_cmpint(level, ==, cases[i].level);
        } else {
            g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG);
            g_assert_cmpint(level, ==, 0);
        }
    }
}

static void test_match_domain(void)
{
    static const struct {
        const char *match;
        const char *domain;
        bool fits;
    } cases[] = {
        { "rpc", "rpc", true },
        { "rpc", "virtkit-rpc", true },
        { "rpc", "virtkit-rpc.server", true },
        { "rpc", "virtkit-rpcgen", false },
        { "rpc", "virtkit-xrpc", false },
        { "virtkit", "virtkit-conf", true },
        { "virtkit-conf", "virtkit-conf", true },
        { "conf", "virtkit-rpc", false },
        { "GLib", "GLib-GIO", true },
        { "virtkit-*", "virtkit-util", true },
        { "virtkit-*", "GLib", false },
        { "*", NULL, true },
        { "rpc", NULL, false },
        { "", "rpc", false },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        if (virt_log_match_domain(cases[i].match, cases[i].domain) != cases[i].fits)
            g_error("match '%s' on domain '%s' should be %d", cases[i].match,
                    cases[i].domain ? cases[i].domain : "(null)", cases[i].fits);
    }
}

static void test_config_wants(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VirtLogConfig) cfg =
        virt_log_config_parse("warning", "1:rpc 4:conf 2:virtkit", NULL, &error);

    g_assert_no_error(error);
    g_assert_true(virt_log_config_wants(cfg, "virtkit-rpc", VIRT_LOG_DEBUG));
    g_assert_false(virt_log_config_wants(cfg, "virtkit-conf", VIRT_LOG_WARNING));
    g_assert_true(virt_log_config_wants(cfg, "virtkit-conf", VIRT_LOG_ERROR));
    /* first matching filter wins: "conf" before "virtkit" */
    g_assert_false(virt_log_config_wants(cfg, "virtkit-conf", VIRT_LOG_INFO));
    g_assert_true(virt_log_config_wants(cfg, "virtkit-state", VIRT_LOG_INFO));
    g_assert_false(virt_log_config_wants(cfg, "virtkit-state", VIRT_LOG_DEBUG));
    /* global level for anything else */
    g_assert_false(virt_log_config_wants(cfg, "GLib", VIRT_LOG_INFO));
    g_assert_true(virt_log_config_wants(cfg, "GLib", VIRT_LOG_WARNING));
    g_assert_true(virt_log_config_wants(cfg, NULL, VIRT_LOG_WARNING));

    g_clear_pointer(&cfg, virt_log_config_free);
    g_assert_null(virt_log_config_parse("7", NULL, NULL, &error));
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_null(virt_log_config_parse(NULL, NULL, "1:nowhere", &error));
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG);
    g_clear_error(&error);

    cfg = virt_log_config_parse(NULL, "", "", &error);
    g_assert_no_error(error);
    g_assert_cmpint(cfg->level, ==, VIRT_LOG_WARNING);
    g_assert_cmpuint(cfg->filters->len, ==, 0);
    g_assert_cmpuint(cfg->outputs->len, ==, 0);
}

static void test_level_from_glib(void)
{
    g_assert_cmpint(virt_log_level_from_glib(G_LOG_LEVEL_DEBUG), ==, VIRT_LOG_DEBUG);
    g_assert_cmpint(virt_log_level_from_glib(G_LOG_LEVEL_INFO), ==, VIRT_LOG_INFO);
    g_assert_cmpint(virt_log_level_from_glib(G_LOG_LEVEL_MESSAGE), ==, VIRT_LOG_INFO);
    g_assert_cmpint(virt_log_level_from_glib(G_LOG_LEVEL_WARNING), ==, VIRT_LOG_WARNING);
    g_assert_cmpint(virt_log_level_from_glib(G_LOG_LEVEL_CRITICAL), ==, VIRT_LOG_ERROR);
    g_assert_cmpint(virt_log_level_from_glib(G_LOG_LEVEL_ERROR | G_LOG_FLAG_FATAL), ==,
                    VIRT_LOG_ERROR);
}

static void test_format_line(void)
{
    /* 2026-11-26 13:08:54.123456 UTC */
    g_autofree char *line = virt_log_format_line(G_GINT64_CONSTANT(1795698534123456), 4242,
                                                 VIRT_LOG_INFO, "virtkit-rpc", "hello 'x'");
    g_autofree char *anon = virt_log_format_line(0, 1, VIRT_LOG_ERROR, NULL, NULL);

    g_assert_cmpstr(line, ==,
                    "2026-11-26 13:08:54.123+0000: 4242: info : virtkit-rpc : hello 'x'\n");
    g_assert_cmpstr(anon, ==, "1970-01-01 00:00:00.000+0000: 1: error : default : \n");
}

static char *capture_dir;

static char *read_log(const char *path)
{
    g_autoptr(GError) error = NULL;
    char *data = NULL;

    g_assert_true(virt_file_read_bounded(path, 1 << 22, &data, NULL, &error));
    g_assert_no_error(error);
    return data;
}

static void test_capture(void)
{
    g_autofree char *path = g_build_filename(capture_dir, "a.log", NULL);
    g_autofree char *outputs = g_strdup_printf("1:file:%s", path);
    g_autofree char *quiet_outputs = g_strdup_printf("3:file:%s", path);
    g_autoptr(GError) error = NULL;
    g_autoptr(VirtLogConfig) cfg = NULL;
    g_autoptr(VirtLogConfig) got = NULL;
    g_autofree char *text = NULL;
    g_autofree char *got_filters = NULL;
    g_auto(GStrv) lines = NULL;

    g_assert_true(g_setenv("VIRTKIT_LOG_LEVEL", "info", TRUE));
    g_assert_true(g_setenv("VIRTKIT_LOG_FILTERS", "1:rpc 4:conf", TRUE));
    g_assert_true(g_setenv("VIRTKIT_LOG_OUTPUTS", outputs, TRUE));
    g_assert_true(virt_log_install(&error));
    g_assert_no_error(error);

    g_log("virtkit-rpc", G_LOG_LEVEL_DEBUG, "rpc debug %d", 1);
    g_log("virtkit-conf", G_LOG_LEVEL_WARNING, "conf warning dropped");
    g_log("virtkit-conf", G_LOG_LEVEL_CRITICAL, "conf critical kept");
    g_log("virtkit-state", G_LOG_LEVEL_DEBUG, "state debug dropped");
    g_log("virtkit-state", G_LOG_LEVEL_INFO, "state info kept");
    g_log_structured("virtkit-daemon", G_LOG_LEVEL_MESSAGE, "MESSAGE", "structured %s", "kept");

    got = virt_log_get_config();
    got_filters = virt_log_filters_format(got->filters);
    g_assert_cmpstr(got_filters, ==, "1:rpc 4:conf");

    /* runtime change: the file output now only takes warnings and above */
    cfg = virt_log_config_parse("debug", NULL, quiet_outputs, &error);
    g_assert_no_error(error);
    g_assert_true(virt_log_set_config(cfg, &error));
    g_log("virtkit-rpc", G_LOG_LEVEL_INFO, "below the output level");
    g_log("virtkit-rpc", G_LOG_LEVEL_WARNING, "rpc warning kept");

    text = read_log(path);
    lines = g_strsplit(text, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, 6); /* 5 lines + the empty tail */
    g_assert_true(g_str_has_suffix(lines[0], ": debug : virtkit-rpc : rpc debug 1"));
    g_assert_true(g_str_has_suffix(lines[1], ": error : virtkit-conf : conf critical kept"));
    g_assert_true(g_str_has_suffix(lines[2], ": info : virtkit-state : state info kept"));
    g_assert_true(g_str_has_suffix(lines[3], ": info : virtkit-daemon : structured kept"));
    g_assert_true(g_str_has_suffix(lines[4], ": warning : virtkit-rpc : rpc warning kept"));
    g_assert_cmpstr(lines[5], ==, "");
}

static void test_bad_settings_keep_old(void)
{
    g_autofree char *path = g_build_filename(capture_dir, "b.log", NULL);
    g_autofree char *outputs = g_strdup_printf("1:file:%s", path);
    g_autofree char *text = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(VirtLogConfig) cfg = virt_log_config_parse("debug", NULL, outputs, &error);
    g_autoptr(VirtLogConfig) bad =
        virt_log_config_parse(NULL, NULL, "1:file:/nonexistent-dir/x.log", &error);

    g_assert_no_error(error);
    g_assert_true(virt_log_set_config(cfg, &error));
    g_assert_false(virt_log_set_config(bad, &error));
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR);
    g_assert_true(
        g_str_has_prefix(error->message, "cannot open log file '/nonexistent-dir/x.log': "));
    g_clear_error(&error);

    g_assert_true(g_setenv("VIRTKIT_LOG_FILTERS", "9:rpc", TRUE));
    g_assert_false(virt_log_install(&error));
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG);
    g_assert_cmpstr(error->message, ==,
                    "invalid logging environment: invalid log filter '9:rpc': invalid log level "
                    "'9': expected 1-4 or debug, info, warning, error");

    g_log("virtkit-util", G_LOG_LEVEL_DEBUG, "still going to b.log");
    text = read_log(path);
    g_assert_true(g_str_has_suffix(text, ": debug : virtkit-util : still going to b.log\n"));
}

#define N_THREADS 8
#define N_LINES 500

static gpointer log_thread(gpointer data)
{
    for (int i = 0; i < N_LINES; i++)
        g_log("virtkit-rpc", G_LOG_LEVEL_DEBUG, "thread %d line %d %s", GPOINTER_TO_INT(data), i,
              "padding-padding-padding-padding-padding-padding-padding-padding");
    return NULL;
}

static gpointer set_config_thread(gpointer data)
{
    const VirtLogConfig *cfg = data;

    for (int i = 0; i < 200; i++)
        g_assert_true(virt_log_set_config(cfg, NULL));
    return NULL;
}

static void test_threads(void)
{
    g_autofree char *path = g_build_filename(capture_dir, "threads.log", NULL);
    g_autofree char *outputs = g_strdup_printf("1:file:%s", path);
    g_autoptr(GError) error = NULL;
    g_autoptr(VirtLogConfig) cfg = virt_log_config_parse("debug", NULL, outputs, &error);
    GThread *threads[N_THREADS + 1];
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    g_assert_true(virt_log_set_config(cfg, &error));
    for (int i = 0; i < N_THREADS; i++)
        threads[i] = g_thread_new("log", log_thread, GINT_TO_POINTER(i));
    threads[N_THREADS] = g_thread_new("cfg", set_config_thread, cfg);
    for (int i = 0; i <= N_THREADS; i++)
        g_thread_join(threads[i]);

    text = read_log(path);
    lines = g_strsplit(text, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, N_THREADS * N_LINES + 1);
    for (int i = 0; i < N_THREADS * N_LINES; i++) {
        if (!strstr(lines[i], ": debug : virtkit-rpc : thread ") ||
            !g_str_has_suffix(lines[i], "padding-padding"))
            g_error("mangled line %d: '%s'", i, lines[i]);
    }
}

int main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    int r;

    g_test_init(&argc, &argv, NULL);
    /* The capture test logs warnings and criticals on purpose. */
    g_log_set_always_fatal(G_LOG_LEVEL_ERROR);
    capture_dir = g_dir_make_tmp("virtkit-log-XXXXXX", &error);
    g_assert_no_error(error);

    for (size_t i = 0; i < G_N_ELEMENTS(filter_cases); i++) {
        g_autofree char *name = g_strdup_printf("/util/log/filters/%zu", i);

        g_test_add_data_func(name, &filter_cases[i], test_filters_parse);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(output_cases); i++) {
        g_autofree char *name = g_strdup_printf("/util/log/outputs/%zu", i);

        g_test_add_data_func(name, &output_cases[i], test_outputs_parse);
    }
    g_test_add_func("/util/log/level", test_level_parse);
    g_test_add_func("/util/log/match-domain", test_match_domain);
    g_test_add_func("/util/log/wants", test_config_wants);
    g_test_add_func("/util/log/level-from-glib", test_level_from_glib);
    g_test_add_func("/util/log/format-line", test_format_line);
    g_test_add_func("/util/log/capture", test_capture);
    g_test_add_func("/util/log/bad-settings-keep-old", test_bad_settings_keep_old);
    g_test_add_func("/util/log/threads", test_threads);
    r = g_test_run();

    for (const char *f = "a.log\0b.log\0threads.log\0"; *f; f += strlen(f) + 1) {
        g_autofree char *p = g_build_filename(capture_dir, f, NULL);

        (void)g_unlink(p);
    }
    (void)g_rmdir(capture_dir);
    g_free(capture_dir);
    return r;
}
