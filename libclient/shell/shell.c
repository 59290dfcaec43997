/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The virtsh session: the connection, running parsed commands the way virsh does,
 * output helpers and domain-argument resolution.
 *
 * As in virsh: a whole line is parsed before anything runs (a parse error runs
 * nothing); every command that ran is followed by an empty line on stdout (not
 * with -q); a failing command prints its own "error: ..." line and then the
 * library's last error; the exit status is that of the last command.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "shell.h"

/**
 * shell_print: write to stdout.
 */
void shell_print(Shell *sh, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
}

/**
 * shell_print_extra: write to stdout unless quiet (-q): virsh's vshPrintExtra.
 */
void shell_print_extra(Shell *sh, const char *fmt, ...)
{
    va_list ap;

    if (sh->quiet)
        return;
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
}

/**
 * shell_error: "error: ..." on stderr.
 */
void shell_error(Shell *sh, const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fputs("error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

/**
 * shell_print_json: print a JSON document (and take ownership of it).
 */
void shell_print_json(Shell *sh, JsonNode *node)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autofree char *text = NULL;

    json_generator_set_pretty(gen, TRUE);
    json_generator_set_indent(gen, 2);
    json_generator_set_root(gen, node);
    text = json_generator_to_data(gen, NULL);
    json_node_unref(node);
    shell_print(sh, "%s\n", text);
}

/**
 * shell_error_handler: the library's error callback: keep a copy of each error as
 * it is raised, since the next API call (even virDomainFree) resets the library's
 * own last error. virsh does the same.
 */
void shell_error_handler(void *data, virErrorPtr err)
{
    Shell *sh = data;

    virFreeError(sh->last_error);
    sh->last_error = virSaveLastError();
}

/**
 * shell_reset_error: forget the saved error (it was handled or is expected).
 */
void shell_reset_error(Shell *sh)
{
    virFreeError(sh->last_error);
    sh->last_error = NULL;
    virResetLastError();
}

static void report_last_error(Shell *sh)
{
    virErrorPtr err = sh->last_error;

    if (err)
        shell_error(sh, "%s", err->message ? err->message : "unknown error");
    shell_reset_error(sh);
}

/**
 * shell_connect: open a connection to `uri` (NULL: the library's default),
 * replacing the current one only on success. Prints virsh's errors on failure.
 */
bool shell_connect(Shell *sh, const char *uri, bool readonly)
{
    virConnectPtr conn = readonly ? virConnectOpenReadOnly(uri) : virConnectOpen(uri);

    if (!conn) {
        shell_error(sh, "failed to connect to the hypervisor");
        report_last_error(sh);
        return false;
    }
    /* as virsh: ping a silent daemon every 5 s, give up after 6 misses; in-process
     * connections have no keepalive, which is no error for the session */
    if (virConnectSetKeepAlive(conn, 5, 6) < 0)
        shell_reset_error(sh);
    shell_disconnect(sh);
    sh->conn = conn;
    if (uri != sh->uri) {
        g_free(sh->uri);
        sh->uri = g_strdup(uri);
    }
    sh->readonly = readonly;
    return true;
}

/**
 * shell_disconnect: close the session's connection, if any.
 */
void shell_disconnect(Shell *sh)
{
    if (!sh->conn)
        return;
    (void)virConnectClose(sh->conn);
    sh->conn = NULL;
}

static bool parse_id(const char *s, int *ret_id)
{
    char *end = NULL;
    long v;

    if (!*s || !g_ascii_isdigit(*s))
        return false;
    v = strtol(s, &end, 10);
    if (*end || v < 0 || v > G_MAXINT)
        return false;
    *ret_id = (int)v;
    return true;
}

/**
 * shell_lookup_domain: the domain named by the call's "domain" option, tried as an
 * id, then a UUID (36 characters), then a name, limited to `how`. Prints "failed to
 * get domain" when nothing matches.
 */
virDomainPtr shell_lookup_domain(Shell *sh, const ShellCall *call, unsigned int how,
                                 const char **ret_name)
{
    const char *arg = shell_call_get(call, "domain");
    virDomainPtr dom = NULL;
    int id;

    if ((how & SHELL_BY_ID) && parse_id(arg, &id))
        dom = virDomainLookupByID(sh->conn, id);
    if (!dom && (how & SHELL_BY_UUID) && strlen(arg) == VIR_UUID_STRING_BUFLEN - 1)
        dom = virDomainLookupByUUIDString(sh->conn, arg);
    if (!dom && (how & SHELL_BY_NAME))
        dom = virDomainLookupByName(sh->conn, arg);
    /* failed attempts by id or UUID are not errors, nor is the name lookup's */
    shell_reset_error(sh);
    if (!dom) {
        shell_error(sh, "failed to get domain '%s'", arg);
        return NULL;
    }
    if (ret_name)
        *ret_name = virDomainGetName(dom);
    return dom;
}

#define SHELL_MAX_XML_FILE (10 * 1024 * 1024)

/**
 * shell_read_file: read an XML file as virsh does, with virsh's messages.
 */
char *shell_read_file(Shell *sh, const char *path)
{
    g_autoptr(GString) buf = g_string_new(NULL);
    char chunk[8192];
    FILE *f = fopen(path, "r");
    size_t n;

    if (!f) {
        shell_error(sh, "Failed to open file '%s': %s", path, g_strerror(errno));
        return NULL;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        g_string_append_len(buf, chunk, n);
        if (buf->len > SHELL_MAX_XML_FILE) {
            fclose(f);
            shell_error(sh, "File '%s' is too large", path);
            return NULL;
        }
    }
    if (ferror(f)) {
        shell_error(sh, "Failed to read file '%s': %s", path, g_strerror(errno));
        fclose(f);
        return NULL;
    }
    fclose(f);
    return g_string_free(g_steal_pointer(&buf), FALSE);
}

/**
 * shell_domain_report: virsh's words for the outcome of a domain action:
 * "Domain 'NAME' DONE" (and a newline) or "error: Failed to VERB domain 'NAME'TAIL".
 */
bool shell_domain_report(Shell *sh, bool ok, const char *name, const ShellDomainAction *action)
{
    if (ok)
        shell_print_extra(sh, "Domain '%s' %s\n", name, action->done);
    else
        shell_error(sh, "Failed to %s domain '%s'%s", action->verb, name,
                    action->fail_tail ? action->fail_tail : "");
    return ok;
}

/**
 * shell_domain_action: the shape of most domain commands: look the call's domain
 * up (`action->lookup`), run `action->run` with `flags`, report as virsh does.
 */
bool shell_domain_action(Shell *sh, const ShellCall *call, const ShellDomainAction *action,
                         unsigned int flags)
{
    const char *name;
    virDomainPtr dom = shell_lookup_domain(sh, call, action->lookup, &name);
    bool ok;

    if (!dom)
        return false;
    ok = shell_domain_report(sh, action->run(dom, flags) == 0, name, action);
    virDomainFree(dom);
    return ok;
}

static void calls_free(GPtrArray *calls)
{
    for (guint i = 0; i < calls->len; i++)
        shell_call_free(g_ptr_array_index(calls, i));
    g_ptr_array_unref(calls);
}

/* Run parsed commands in order; returns the exit status of the last. */
static int run_calls(Shell *sh, GPtrArray *calls)
{
    int status = 0;

    for (guint i = 0; i < calls->len; i++) {
        const ShellCall *call = g_ptr_array_index(calls, i);
        bool ok;

        if (!call->def->no_connect && !sh->conn && !shell_connect(sh, sh->uri, sh->readonly))
            return 1;
        shell_reset_error(sh);
        ok = call->def->run(sh, call);
        if (!ok)
            report_last_error(sh);
        shell_print_extra(sh, "\n");
        fflush(stdout);
        status = ok ? 0 : 1;
    }
    return status;
}

static int run_words(Shell *sh, GPtrArray *commands)
{
    GPtrArray *calls = g_ptr_array_new();
    int status;

    for (guint i = 0; i < commands->len; i++) {
        g_autoptr(GError) error = NULL;
        ShellCall *call = shell_call_parse(g_ptr_array_index(commands, i), &error);

        if (!call) {
            shell_error(sh, "%s", error->message);
            calls_free(calls);
            return 1;
        }
        g_ptr_array_add(calls, call);
    }
    status = run_calls(sh, calls);
    calls_free(calls);
    return status;
}

/**
 * shell_run_line: parse and run a command string ("list --all; dominfo web1").
 * Returns the exit status: 0 if the last command succeeded, 1 otherwise.
 */
int shell_run_line(Shell *sh, const char *line)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) commands = shell_split_line(line, &error);

    if (!commands) {
        shell_error(sh, "%s", error->message);
        return 1;
    }
    return run_words(sh, commands);
}

/**
 * shell_run_argv: run one command given as separate words (no ';' splitting, as
 * virsh does with several arguments).
 */
int shell_run_argv(Shell *sh, char **argv)
{
    g_autoptr(GPtrArray) commands = g_ptr_array_new();

    g_ptr_array_add(commands, argv);
    return run_words(sh, commands);
}
