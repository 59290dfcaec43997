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
    { "create-pass-fds", DEF "'create new.xml --pass-fds 0,2; domstate new1'", ORACLE },
    { "create-pass-fds-bad", DEF "'create new.xml --pass-fds 1,,2; create new.xml --pass-fds 3x'",
      ORACLE },
    { "start-pass-fds", DEF "'define new.xml; start new1 --pass-fds 2; domstate new1'", ORACLE },
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
/* snapshots (one fresh test driver per run; "S2" makes s1 then its child s2) */
#define S2 "snapshot-create-as test s1; snapshot-create-as test s2; "
#define S4 S2 "snapshot-create-as test s3; snapshot-revert test s1; snapshot-create-as test s4; "
    { "snapshot-create-as", DEF "'" S2 "snapshot-list test; snapshot-info test s1'", ORACLE },
    { "snapshot-create-as-print-xml",
      DEF "'snapshot-create-as test --print-xml; snapshot-create-as test s1 \"a <b> & c\" "
          "--print-xml --diskspec vda,snapshot=external,file=/tmp/x.qcow2 --diskspec "
          "vdb,snapshot=no --memspec file=/tmp/m,snapshot=external; "
          "snapshot-create-as test s1 d vda vdb,driver=qcow2,file=/a --print-xml'",
      ORACLE },
    { "snapshot-create-as-bad-spec",
      DEF "'snapshot-create-as test s1 --diskspec vda,foo=1 --print-xml'", ORACLE },
    { "snapshot-create-as-bad-memspec",
      DEF "'snapshot-create-as test s1 --memspec snapshot=foo,bar'", ORACLE },
    { "snapshot-create-as-halt", DEF "'snapshot-create-as test s1 --halt; list --all'", ORACLE },
    { "snapshot-create-as-duplicate", DEF "'" S2 "snapshot-create-as test s1'", ORACLE },
    { "snapshot-create-as-no-metadata",
      DEF "'snapshot-create-as test s1 --no-metadata; snapshot-list test'", 0 },
    { "snapshot-create-as-disk-only", DEF "snapshot-create-as test s1 --disk-only", 0 },
    /* libvirt's test driver takes --live and --quiesce and changes nothing */
    { "snapshot-create-as-live-quiesce",
      DEF "'snapshot-create-as test s1 --live; snapshot-create-as test s2 --quiesce; "
          "domstate test; snapshot-list test --name'",
      ORACLE },
    /* a redefinition without <memory> gets it from its state */
    { "snapshot-redefine-no-memory",
      DEF "'snapshot-create test snap-redefine-nomem.xml --redefine; "
          "snapshot-dumpxml test off'",
      ORACLE },
    /* a redefined config comes back as the domain parser fills it in, and an internal
     * snapshot gets one <disks> entry per disk, as libvirt 9.0 gives them */
    { "snapshot-redefine-fill",
      DEF "'snapshot-create test snap-redefine-min.xml --redefine; snapshot-dumpxml test min'",
      ORACLE },
    /* an invalid config is refused naming the snapshot, and nothing is installed or
     * replaced (libvirt's messages name neither, so not an oracle case) */
    { "snapshot-redefine-bad-domain",
      DEF "'snapshot-create test snap-redefine-bad-domain.xml --redefine; "
          "snapshot-list test --name; snapshot-create test snap-redefine-min.xml --redefine; "
          "snapshot-create test snap-redefine-bad-inactive.xml --redefine; "
          "snapshot-info test min; snapshot-dumpxml test min'",
      0 },
    /* --leaves with --no-leaves lists nothing, as libvirt 9.0 answers */
    { "snapshot-list-leaves-no-leaves",
      DEF "'snapshot-create-as test s1; snapshot-create-as test s2; "
          "snapshot-list test --leaves --no-leaves --name'",
      ORACLE },
    { "snapshot-create-as-no-domain", DEF "snapshot-create-as", ORACLE },
    { "snapshot-create-as-unknown-domain", DEF "snapshot-create-as nope s1", ORACLE },
    { "snapshot-create-xml",
      DEF "'snapshot-create test snap-new.xml --validate; snapshot-info test fromxml'", ORACLE },
    { "snapshot-create-missing-file", DEF "snapshot-create test missing.xml", ORACLE },
    { "snapshot-create-current-needs-redefine", DEF "snapshot-create test snap-new.xml --current",
      ORACLE },
    { "snapshot-create-redefine",
      DEF "'snapshot-create test snap-redefine.xml --redefine; snapshot-list test; "
          "snapshot-current test --name; snapshot-create-as test s1; "
          "snapshot-create test snap-redefine.xml --redefine --current; snapshot-current test "
          "--name; snapshot-list test --tree'",
      ORACLE },
    { "snapshot-create-redefine-no-time", DEF "snapshot-create test snap-new.xml --redefine", 0 },
    { "snapshot-create-generated-name", DEF "'snapshot-create test; snapshot-list test --name'",
      0 },
/* siblings at several levels, made in the order m k z, b q under k, c x, a, p under c */
#define SIBS                                                                            \
    "snapshot-create-as test m; snapshot-create-as test k; snapshot-create-as test z; " \
    "snapshot-revert test k; snapshot-create-as test b; snapshot-revert test k; "       \
    "snapshot-create-as test q; snapshot-revert test m; snapshot-create-as test c; "    \
    "snapshot-create-as test x; snapshot-revert test m; snapshot-create-as test a; "    \
    "snapshot-revert test c; snapshot-create-as test p; "
    /* libvirt 9.0 lists a parent's children newest first; a plain delete moves the
     * children, in their order, before the parent's other children */
    { "snapshot-list-topological",
      DEF "'" SIBS "snapshot-list test --topological --name; snapshot-list test --tree; "
          "snapshot-list test --from m --topological --name; "
          "snapshot-list test --from m --descendants --topological --name; "
          "snapshot-list test --from k --topological --name; "
          "snapshot-list test --leaves --topological --name; "
          "snapshot-list test --no-leaves --topological --name; "
          "snapshot-delete test c; snapshot-list test --from m --topological --name; "
          "snapshot-delete test m; snapshot-list test --roots --topological --name; "
          "snapshot-list test --topological --name'",
      ORACLE },
    { "snapshot-list-tree", DEF "'" S4 "snapshot-list test --tree'", ORACLE },
    { "snapshot-list-parent", DEF "'" S4 "snapshot-list test --parent'", ORACLE },
    { "snapshot-list-filters",
      DEF "'" S4 "snapshot-list test --roots; snapshot-list test --leaves; snapshot-list test "
          "--no-leaves --name; snapshot-list test --metadata --name; snapshot-list test "
          "--no-metadata; snapshot-list test --active --name; snapshot-list test --inactive; "
          "snapshot-list test --internal --name; snapshot-list test --external; "
          "snapshot-list test --disk-only'",
      ORACLE },
    { "snapshot-list-from",
      DEF "'" S4 "snapshot-list test --from s1; snapshot-list test s1 --descendants; "
          "snapshot-list test --from s1 --tree; snapshot-list test --from s1 --descendants "
          "--tree; snapshot-list test --from s2 --name'",
      ORACLE },
    { "snapshot-list-current",
      DEF "'" S4 "snapshot-list test --current; snapshot-list test --current --tree; "
          "snapshot-current test s1; snapshot-list test --current --descendants --name'",
      ORACLE },
    { "snapshot-list-empty", DEF "'snapshot-list test; snapshot-list test --tree'", ORACLE },
    { "snapshot-list-case-order",
      DEF "'snapshot-create-as test B; snapshot-create-as test a; snapshot-create-as test C; "
          "snapshot-list test --name; snapshot-list test --tree'",
      ORACLE },
    { "snapshot-list-tree-name", DEF "snapshot-list test --tree --name", ORACLE },
    { "snapshot-list-tree-parent", DEF "snapshot-list test --tree --parent", ORACLE },
    { "snapshot-list-tree-leaves", DEF "snapshot-list test --tree --leaves", ORACLE },
    { "snapshot-list-roots-from", DEF "snapshot-list test --roots --from s1", ORACLE },
    { "snapshot-list-roots-current", DEF "snapshot-list test --roots --current", ORACLE },
    { "snapshot-list-from-current", DEF "'" S2 "snapshot-list test --from s1 --current'", ORACLE },
    { "snapshot-list-descendants-alone", DEF "snapshot-list test --descendants", ORACLE },
    { "snapshot-list-from-unknown", DEF "snapshot-list test --from nope", ORACLE },
    { "snapshot-list-unknown-domain", DEF "snapshot-list nope", ORACLE },
    { "snapshot-info", DEF "'" S2 "snapshot-info test --current; snapshot-info test s1'", ORACLE },
    { "snapshot-info-both", DEF "'" S2 "snapshot-info test s1 --current'", ORACLE },
    { "snapshot-info-neither", DEF "snapshot-info test", ORACLE },
    { "snapshot-info-unknown", DEF "snapshot-info test nope", ORACLE },
    { "snapshot-dumpxml",
      DEF "'" S2 "snapshot-dumpxml test s2; snapshot-dumpxml test s1 --security-info'", ORACLE },
    { "snapshot-dumpxml-missing-name", DEF "snapshot-dumpxml test", ORACLE },
    { "snapshot-current",
      DEF "'" S2 "snapshot-current test --name; snapshot-current test s1; snapshot-current "
          "test --security-info'",
      ORACLE },
    { "snapshot-current-none", DEF "'snapshot-current test; snapshot-current test --name'",
      ORACLE },
    { "snapshot-current-name-conflict", DEF "snapshot-current test s1 --name", ORACLE },
    { "snapshot-current-unknown", DEF "snapshot-current test nope", ORACLE },
    { "snapshot-parent", DEF "'" S2 "snapshot-parent test s2; snapshot-parent test --current'",
      ORACLE },
    { "snapshot-parent-root", DEF "'" S2 "snapshot-parent test s1'", ORACLE },
    { "snapshot-parent-neither", DEF "snapshot-parent test", ORACLE },
    { "snapshot-revert",
      DEF "'" S2 "snapshot-revert test s1; snapshot-current test --name; snapshot-revert test "
          "s2 --paused; domstate test; destroy test; snapshot-revert test --current --running "
          "--force; domstate test'",
      ORACLE },
    { "snapshot-revert-conflict", DEF "'" S2 "snapshot-revert test s1 --running --paused'",
      ORACLE },
    { "snapshot-revert-inactive",
      DEF "'destroy test; snapshot-create-as test off; start test; snapshot-revert test off; "
          "domstate test --reason; snapshot-revert test off --running; domstate test'",
      0 },
    { "snapshot-revert-unknown", DEF "snapshot-revert test nope", ORACLE },
    { "snapshot-revert-neither", DEF "snapshot-revert test", ORACLE },
    { "snapshot-delete",
      DEF "'" S4 "snapshot-delete test s1; snapshot-list test --tree; snapshot-delete test "
          "--current; snapshot-list test --parent'",
      ORACLE },
    { "snapshot-delete-children",
      DEF "'" S4 "snapshot-delete test s2 --children; snapshot-delete test s1 --children-only; "
          "snapshot-list test --tree'",
      ORACLE },
    { "snapshot-delete-conflict", DEF "'" S2 "snapshot-delete test s1 --children --children-only'",
      ORACLE },
    { "snapshot-delete-metadata",
      DEF "'" S2 "snapshot-delete test s1 --metadata; snapshot-list test'", 0 },
    { "snapshot-delete-unknown", DEF "snapshot-delete test nope", ORACLE },
    { "snapshot-delete-neither", DEF "snapshot-delete test", ORACLE },
    /* managed save: checked by hand against virsh, whose own managedsave now and then
     * hangs on the in-process test driver (a race in its job watcher), so no oracle */
    { "managedsave",
      DEF "'managedsave test; dominfo test; list --all --with-managed-save; start test; "
          "domstate test --reason'",
      0 },
    { "managedsave-paused", DEF "'managedsave test --paused; start test; domstate test --reason'",
      0 },
    { "managedsave-was-paused",
      DEF "'suspend test; managedsave test; start test; domstate test --reason'", 0 },
    { "managedsave-running",
      DEF "'suspend test; managedsave test --running; start test; domstate test --reason'", 0 },
    { "managedsave-conflict", DEF "managedsave test --running --paused", 0 },
    { "managedsave-inactive", DEF "'destroy test; managedsave test'", 0 },
    { "managedsave-remove",
      DEF "'managedsave test; managedsave-remove test; managedsave-remove test; start test; "
          "domstate test --reason'",
      0 },
    { "managedsave-remove-none", DEF "managedsave-remove test", ORACLE },
    { "managedsave-undefine",
      DEF "'managedsave test; undefine test; undefine test --managed-save; list --all'", 0 },
    /* undefine probes and flags */
    { "undefine-snapshots",
      DEF "'" S2 "destroy test; undefine test; undefine test --snapshots-metadata; list --all'",
      0 },
    { "undefine-running-snapshots",
      DEF "'snapshot-create-as test s1; undefine test; list --all; snapshot-list test --name; "
          "destroy test; list --all'",
      ORACLE },
    { "undefine-flags",
      DEF "'destroy test; undefine test --keep-nvram --tpm --checkpoints-metadata "
          "--managed-save --snapshots-metadata; list --all'",
      ORACLE },
    { "undefine-keep-tpm", DEF "'destroy test; undefine test --keep-tpm'", ORACLE },
    { "undefine-tpm-conflict", DEF "undefine test --tpm --keep-tpm", ORACLE },
    { "undefine-remove-all-storage", DEF "'destroy test; undefine test --remove-all-storage'",
      ORACLE },
    { "undefine-storage-missing", DEF "'destroy test; undefine test --storage vda,/nope,foo'",
      ORACLE },
    { "undefine-storage-running", DEF "undefine test --storage vda --remove-all-storage", ORACLE },
    { "undefine-storage-both",
      DEF "'destroy test; undefine test --storage vda --remove-all-storage'", ORACLE },
    { "undefine-wipe-alone", DEF "undefine test --wipe-storage", ORACLE },
    { "undefine-delete-snapshots-alone", DEF "undefine test --delete-storage-volume-snapshots",
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
    env = g_environ_setenv(env, "TZ", "UTC", TRUE);
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

/* Words that differ from run to run: CPU time is wall-clock based in the test
 * driver (as in libvirt's); snapshots carry their creation time (and a snapshot
 * without a name is named after it). */
static const struct {
    const char *pattern;
    const char *replacement;
} varying[] = {
    { "^CPU time:.*$", "CPU time:       <varies>" },
    { "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4}", "<date>                   " },
    { "<creationTime>\\d+</creationTime>", "<creationTime>T</creationTime>" },
    { "^Domain snapshot \\d{9,} created", "Domain snapshot <time> created" },
    { "^\\d{9,}$", "<time>" },
};

char *normalize(const char *text)
{
    char *out = g_strdup(text);

    for (size_t i = 0; i < G_N_ELEMENTS(varying); i++) {
        g_autoptr(GRegex) re = g_regex_new(varying[i].pattern, G_REGEX_MULTILINE, 0, NULL);
        char *next = g_regex_replace_literal(re, out, -1, 0, varying[i].replacement, 0, NULL);

        g_assert_nonnull(next);
        g_free(out);
        out = next;
    }
    return out;
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
