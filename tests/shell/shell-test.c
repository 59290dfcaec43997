/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtsh test cases and helpers (see shell-test.h).
 */

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shell-test.h"

#define DEF "-c test:///default "
#define NODE "-c test://@DATA@/node.xml "

const ShellCase shell_cases[] = {
    /* host */
    { "uri", DEF "uri", ORACLE },
    { "version", DEF "version", ORACLE },
    { "hostname", DEF "hostname", ORACLE },
    { "nodeinfo", DEF "nodeinfo", ORACLE },
    { "capabilities", DEF "capabilities", ORACLE },
    { "node-nodeinfo", NODE "nodeinfo", ORACLE },
    { "node-uri", NODE "uri", ORACLE },
    /* listing */
    { "list", DEF "list", ORACLE },
    { "list-all", DEF "list --all", ORACLE },
    { "list-inactive", DEF "list --inactive", ORACLE },
    { "list-name", DEF "list --name", ORACLE },
    { "list-uuid", DEF "list --uuid", ORACLE },
    { "list-name-uuid", DEF "'list --all --name --uuid'", ORACLE },
    { "list-title", DEF "list --title", ORACLE },
    { "node-list-all", NODE "list --all", ORACLE },
    { "node-list-title", NODE "list --all --title", ORACLE | METADATA },
    { "node-list-states", NODE "'list --state-paused; list --inactive; list --all --name'",
      ORACLE },
    { "quiet-list", "-q " DEF "'list --all; list --name'", ORACLE },
    /* info */
    { "dominfo", DEF "dominfo test", ORACLE },
    { "dominfo-by-id", DEF "dominfo 1", ORACLE },
    { "dominfo-by-uuid", DEF "dominfo 6695eb01-f6a4-8304-79aa-97f2502e193f", ORACLE },
    { "node-dominfo-inactive", NODE "dominfo db1", ORACLE },
    { "domstate", DEF "'domstate test; domstate test --reason'", 0 },
    { "node-domstate", NODE "'domstate batch; domstate db1'", ORACLE },
    { "domid", DEF "'domid test; domid 6695eb01-f6a4-8304-79aa-97f2502e193f'", ORACLE },
    { "node-domid-inactive", NODE "domid db1", ORACLE },
    { "domname", DEF "'domname 1; domname 6695eb01-f6a4-8304-79aa-97f2502e193f'", ORACLE },
    { "domname-by-name", DEF "domname test", ORACLE },
    { "domuuid", DEF "'domuuid test; domuuid 1'", ORACLE },
    { "dumpxml", DEF "dumpxml test", 0 },
    { "dumpxml-inactive", DEF "dumpxml --inactive --security-info test", 0 },
    /* lifecycle */
    { "lifecycle",
      DEF "'define new.xml; list --all; start new1; list; suspend new1; domstate new1; "
          "resume new1; destroy new1; undefine new1; list --all'",
      ORACLE },
    { "create-destroy", DEF "'create new.xml; list --all; dominfo new1; destroy new1; list --all'",
      ORACLE },
    { "shutdown-reboot-reset", DEF "'reboot test; reset test; shutdown test; list --all'", ORACLE },
    { "undefine-running",
      DEF "'undefine test; list --all; dominfo test; destroy test; "
          "list --all'",
      ORACLE },
    { "start-active", DEF "start test", ORACLE },
    { "start-paused", DEF "'define new.xml; start --paused new1; domstate new1'", 0 },
    { "autostart", DEF "'autostart test; dominfo test; autostart --disable test'", ORACLE },
    { "node-resume", NODE "'resume batch; list'", ORACLE },
    /* metadata */
    { "desc",
      DEF "'desc test; desc test --title; desc test --new-desc hello there; desc test; "
          "desc test --title --new-desc T; list --title'",
      ORACLE | METADATA },
    { "node-desc", NODE "'desc db1; desc web1 --title'", ORACLE | METADATA },
    { "metadata",
      DEF "'metadata test http://example.org/ --key ex --set <foo>bar</foo>; "
          "metadata test http://example.org/; metadata test --uri http://example.org/ "
          "--key ex --remove'",
      ORACLE | METADATA },
    { "metadata-missing", DEF "metadata test http://example.org/", ORACLE | METADATA },
    { "metadata-no-key", DEF "metadata test http://example.org/ --set '<a/>'", ORACLE },
    { "echo",
      DEF "\"echo; echo '$ virtsh list'; list; echo a b   c; echo --shell \\\"it's\\\" "
          "'a  b' plain; echo --xml '<a>' 'x  y'\"",
      ORACLE },
    /* errors and exit codes */
    { "unknown-domain", DEF "dominfo nope", ORACLE },
    { "unknown-domain-then-ok", DEF "'domid nope; list'", ORACLE },
    { "ok-then-unknown-domain", DEF "'list; domid nope'", ORACLE },
    { "unknown-command", DEF "bogus", ORACLE },
    { "parse-error-runs-nothing", DEF "'list; list --foo'", ORACLE },
    { "missing-option", DEF "dominfo", ORACLE },
    { "extra-data", DEF "dominfo test extra", ORACLE },
    { "missing-value", DEF "'dominfo --domain'", ORACLE },
    { "argv-no-split", DEF "list ';' domid test", ORACLE },
    { "resume-running", DEF "resume test", ORACLE },
    { "destroy-inactive", NODE "destroy db1", 0 },
    { "define-missing-file", DEF "define missing.xml", ORACLE },
    { "define-broken-xml", DEF "define broken.xml", 0 },
    { "undefine-nvram-conflict", DEF "undefine test --nvram --keep-nvram", ORACLE },
    { "undefine-unknown", DEF "undefine nope", ORACLE },
    { "readonly-destroy", "-r " DEF "destroy test", ORACLE },
    { "readonly-define", "-r " DEF "define new.xml", ORACLE },
    { "readonly-list-undefine", "-r " DEF "'list; undefine test'", ORACLE },
    { "no-driver", "-c qemu:///system list", 0 },
    { "connect-failure-keeps-session", DEF "'connect nope:///; uri'", 0 },
    { "bad-test-uri", "-c test:/// list", 0 },
};

const size_t shell_n_cases = G_N_ELEMENTS(shell_cases);

char *virtsh_path;
char *data_dir;

char *substitute(const char *text)
{
    g_autofree char *a = NULL;
    g_auto(GStrv) parts = g_strsplit(text, "@DATA@", -1);

    a = g_strjoinv(data_dir, parts);
    g_strfreev(parts);
    parts = g_strsplit(a, "@HOSTNAME@", -1);
    return g_strjoinv(g_get_host_name(), parts);
}

char *unsubstitute(const char *text)
{
    g_autofree char *a = NULL;
    g_auto(GStrv) parts = g_strsplit(text, data_dir, -1);
    g_autofree char *host_line = g_strdup_printf("\n%s\n", g_get_host_name());

    a = g_strjoinv("@DATA@", parts);
    g_strfreev(parts);
    /* the host name only ever appears as a line of its own ("hostname") */
    parts = g_strsplit(a, host_line, -1);
    return g_strjoinv("\n@HOSTNAME@\n", parts);
}

void run_result_clear(RunResult *r)
{
    g_free(r->out);
    g_free(r->err);
}

static char **clean_env(void)
{
    char **env = g_get_environ();

    for (const char *const *v = (const char *const[]){ "LIBVIRT_DEFAULT_URI", "VIRTKIT_DEFAULT_URI",
                                                       "VIRSH_DEFAULT_CONNECT_URI",
                                                       "VIRTSH_DEFAULT_CONNECT_URI", NULL };
         *v; v++)
        env = g_environ_unsetenv(env, *v);
    /* remote URIs find no daemon (and start none) below a root that does not exist */
    env = g_environ_setenv(env, "VIRTKIT_RUNTIME_ROOT", "/nonexistent/virtkit-test-root", TRUE);
    env = g_environ_setenv(env, "LIBVIRT_AUTOSTART", "0", TRUE);
    return g_environ_setenv(env, "LC_ALL", "C", TRUE);
}

void run_args(const char *program, const char *raw_args, RunResult *ret)
{
    g_autofree char *args = substitute(raw_args);
    g_autofree char *cmdline = g_strdup_printf("'%s' %s", program, args);
    g_auto(GStrv) argv = NULL;
    g_auto(GStrv) env = clean_env();
    g_autoptr(GError) error = NULL;
    int wait_status = 0;

    g_assert_true(g_shell_parse_argv(cmdline, NULL, &argv, &error));
    g_assert_true(g_spawn_sync(data_dir, argv, env, G_SPAWN_DEFAULT, NULL, NULL, &ret->out,
                               &ret->err, &wait_status, &error));
    g_assert_no_error(error);
    g_assert_true(WIFEXITED(wait_status));
    ret->status = WEXITSTATUS(wait_status);
}

/* CPU time is wall-clock based in the test driver (as in libvirt's): never stable. */
char *normalize(const char *text)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GString *out = g_string_new(NULL);

    for (size_t i = 0; lines[i]; i++) {
        if (g_str_has_prefix(lines[i], "CPU time:"))
            g_string_append(out, "CPU time:       <varies>");
        else
            g_string_append(out, lines[i]);
        if (lines[i + 1])
            g_string_append_c(out, '\n');
    }
    return g_string_free(out, FALSE);
}

/* Fail at the first differing line, showing just that line. */
void assert_same_text(const char *what, const char *ours, const char *theirs)
{
    g_auto(GStrv) a = g_strsplit(ours, "\n", -1);
    g_auto(GStrv) b = g_strsplit(theirs, "\n", -1);
    size_t i = 0;

    while (a[i] && b[i] && strcmp(a[i], b[i]) == 0)
        i++;
    if (!a[i] && !b[i])
        return;
    g_test_message("%s differs at line %zu:\n  virtsh:   %s\n  expected: %s", what, i + 1,
                   a[i] ? a[i] : "<end>", b[i] ? b[i] : "<end>");
    g_test_fail();
}

static int metadata_supported = -1;

/* Does the driver implement metadata? (virtsh desc fails with NO_SUPPORT if not) */
static bool have_metadata(void)
{
    static const ShellCase probe = { "probe", DEF "desc test", 0 };
    RunResult r = { 0 };

    if (metadata_supported < 0) {
        run_args(virtsh_path, probe.args, &r);
        metadata_supported = strstr(r.err, "not supported") == NULL;
        run_result_clear(&r);
    }
    return metadata_supported;
}

bool skip_case(const ShellCase *c)
{
    if ((c->flags & METADATA) && !have_metadata()) {
        g_test_skip("the test driver has no metadata ops yet");
        return true;
    }
    return false;
}

/**
 * shell_test_init: take the virtsh path (argv[1]) and find the data directory.
 */
void shell_test_init(int argc, char **argv)
{
    const char *srcdir = g_getenv("VIRTKIT_TEST_SRCDIR");

    if (argc < 2)
        g_error("usage: %s VIRTSH_PATH", argv[0]);
    virtsh_path = g_canonicalize_filename(argv[1], NULL); /* tests chdir */
    g_assert_nonnull(srcdir);
    data_dir = g_build_filename(srcdir, "shell", "data", NULL);
}

void shell_test_fini(void)
{
    g_free(virtsh_path);
    g_free(data_dir);
}
