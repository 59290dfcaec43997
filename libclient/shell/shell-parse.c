/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtsh command lines, as virsh reads them: words split on blanks, '...' and
 * "..." quoting, backslash escapes, ';' between commands, '#' comments; then each
 * command's words bound to its options (--name, --name=value, --name value, and
 * positional data in definition order). Pure: strings in, ShellCalls out.
 */

#include <string.h>

#include "shell.h"

#define SHELL_PARSE_ERROR g_quark_from_static_string("virtsh-parse-error")

static const ShellCmdDef *const cmd_tables[] = {
    shell_host_cmds,     shell_domain_cmds,  shell_info_cmds,
    shell_event_cmds,    shell_console_cmds, shell_snapshot_cmds,
    shell_undefine_cmds, shell_save_cmds,    NULL,
};

/**
 * shell_cmd_find: the definition of command `name`, or NULL.
 */
const ShellCmdDef *shell_cmd_find(const char *name)
{
    for (size_t t = 0; cmd_tables[t]; t++) {
        for (const ShellCmdDef *def = cmd_tables[t]; def->name; def++) {
            if (strcmp(def->name, name) == 0)
                return def;
        }
    }
    return NULL;
}

typedef enum SplitResult {
    SPLIT_WORD,
    SPLIT_COMMAND_END, /* ';' */
    SPLIT_LINE_END,
    SPLIT_ERROR,
} SplitResult;

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Read one word at *p into ret_word, or report what ended the command. */
static SplitResult split_word(const char **p, char **ret_word, GError **error)
{
    g_autoptr(GString) word = g_string_new(NULL);
    const char *s = *p;
    char quote = 0;

    while (is_blank(*s))
        s++;
    if (*s == '#') /* a comment runs to the end of the line */
        s += strlen(s);
    if (*s == '\0') {
        *p = s;
        return SPLIT_LINE_END;
    }
    if (*s == ';') {
        *p = s + 1;
        return SPLIT_COMMAND_END;
    }
    for (; *s; s++) {
        if (quote) {
            if (*s == quote)
                quote = 0;
            else if (*s == '\\' && quote == '"' && s[1])
                g_string_append_c(word, *++s);
            else
                g_string_append_c(word, *s);
            continue;
        }
        if (is_blank(*s) || *s == ';')
            break;
        if (*s == '\'' || *s == '"')
            quote = *s;
        else if (*s == '\\' && s[1])
            g_string_append_c(word, *++s);
        else
            g_string_append_c(word, *s);
    }
    if (quote) {
        g_set_error(error, SHELL_PARSE_ERROR, 1, "dangling %s", quote == '"' ? "\"" : "'");
        return SPLIT_ERROR;
    }
    *p = s;
    *ret_word = g_string_free(g_steal_pointer(&word), FALSE);
    return SPLIT_WORD;
}

static void split_flush(GPtrArray *cmds, GPtrArray **words)
{
    if ((*words)->len == 0)
        return;
    g_ptr_array_add(*words, NULL);
    g_ptr_array_add(cmds, g_ptr_array_free(*words, FALSE));
    *words = g_ptr_array_new_with_free_func(g_free);
}

/**
 * shell_split_line: the commands of a line, each a NULL-terminated word vector
 * (empty commands are dropped).
 */
GPtrArray *shell_split_line(const char *line, GError **error)
{
    g_autoptr(GPtrArray) cmds = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    GPtrArray *words = g_ptr_array_new_with_free_func(g_free);
    const char *p = line;

    for (;;) {
        char *word = NULL;
        SplitResult r = split_word(&p, &word, error);

        switch (r) {
        case SPLIT_WORD:
            g_ptr_array_add(words, word);
            continue;
        case SPLIT_COMMAND_END:
            split_flush(cmds, &words);
            continue;
        case SPLIT_LINE_END:
            split_flush(cmds, &words);
            g_ptr_array_unref(words);
            return g_steal_pointer(&cmds);
        case SPLIT_ERROR:
            g_ptr_array_unref(words);
            return NULL;
        }
    }
}

static int opt_index(const ShellCmdDef *def, const char *name, size_t len)
{
    for (int i = 0; def->opts[i].name; i++) {
        if (strlen(def->opts[i].name) == len && strncmp(def->opts[i].name, name, len) == 0)
            return i;
    }
    return -1;
}

/* The option the next data word goes to: the first unset DATA one, else an ARGV
 * one (which takes more words even when already given by name). */
static int next_positional(const ShellCall *call)
{
    int argv_idx = -1;

    for (int i = 0; call->def->opts[i].name; i++) {
        ShellOptType type = call->def->opts[i].type;

        if (type == SHELL_OPT_ARGV && argv_idx < 0)
            argv_idx = i;
        if ((type == SHELL_OPT_DATA || type == SHELL_OPT_ARGV) && !call->values[i])
            return i;
    }
    return argv_idx;
}

/* "--name", "--name=value" or "--name value": consumes words[*i] (and maybe the next). */
static bool bind_option(ShellCall *call, char **words, size_t *i, GError **error)
{
    const char *arg = words[*i] + 2;
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    int idx = opt_index(call->def, arg, len);
    const ShellOptDef *opt;

    if (idx < 0) {
        g_set_error(error, SHELL_PARSE_ERROR, 1, "command '%s' doesn't support option --%.*s",
                    call->def->name, (int)len, arg);
        return false;
    }
    opt = &call->def->opts[idx];
    if (opt->type == SHELL_OPT_BOOL) {
        if (eq) {
            g_set_error(error, SHELL_PARSE_ERROR, 1, "invalid '=' after option --%s", opt->name);
            return false;
        }
        g_free(call->values[idx]);
        call->values[idx] = g_strdup("");
        return true;
    }
    if (!eq && !words[*i + 1]) {
        g_set_error(error, SHELL_PARSE_ERROR, 1, "expected syntax: --%s <string>", opt->name);
        return false;
    }
    g_free(call->values[idx]);
    call->values[idx] = g_strdup(eq ? eq + 1 : words[++*i]);
    if (opt->type == SHELL_OPT_ARGV)
        g_ptr_array_insert(call->argv_words, call->argv_words->len - 1,
                           g_strdup(call->values[idx]));
    return true;
}

static bool bind_positional(ShellCall *call, char **words, size_t *i, GError **error)
{
    int idx = next_positional(call);

    if (idx < 0) {
        g_set_error(error, SHELL_PARSE_ERROR, 1, "unexpected data '%s'", words[*i]);
        return false;
    }
    if (call->def->opts[idx].type == SHELL_OPT_ARGV) {
        /* one word at a time: as in virsh, options after the words still count */
        char *old = call->values[idx];

        g_ptr_array_insert(call->argv_words, call->argv_words->len - 1, g_strdup(words[*i]));
        call->values[idx] = old ? g_strjoin(" ", old, words[*i], NULL) : g_strdup(words[*i]);
        g_free(old);
        return true;
    }
    call->values[idx] = g_strdup(words[*i]);
    return true;
}

static bool check_required(const ShellCall *call, GError **error)
{
    for (int i = 0; call->def->opts[i].name; i++) {
        if ((call->def->opts[i].flags & SHELL_OPT_REQUIRED) && !call->values[i]) {
            g_set_error(error, SHELL_PARSE_ERROR, 1, "command '%s' requires <%s> option",
                        call->def->name, call->def->opts[i].name);
            return false;
        }
    }
    return true;
}

/**
 * shell_call_parse: bind a command's words (words[0] is its name) to its options.
 */
ShellCall *shell_call_parse(char **words, GError **error)
{
    g_autoptr(ShellCall) call = g_new0(ShellCall, 1);
    const ShellCmdDef *def = shell_cmd_find(words[0]);
    bool data_only = false;
    size_t n_opts = 0;

    if (!def) {
        g_set_error(error, SHELL_PARSE_ERROR, 1, "unknown command: '%s'", words[0]);
        return NULL;
    }
    while (def->opts[n_opts].name)
        n_opts++;
    call->def = def;
    call->values = g_new0(char *, n_opts + 1);
    call->argv_words = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(call->argv_words, NULL);
    for (size_t i = 1; words[i]; i++) {
        bool ok;

        if (!data_only && strcmp(words[i], "--") == 0) {
            data_only = true;
            continue;
        }
        if (!data_only && g_str_has_prefix(words[i], "--") && words[i][2])
            ok = bind_option(call, words, &i, error);
        else
            ok = bind_positional(call, words, &i, error);
        if (!ok)
            return NULL;
    }
    if (!check_required(call, error))
        return NULL;
    return g_steal_pointer(&call);
}

/**
 * shell_call_free: free a parsed command. Accepts NULL; returns NULL.
 */
ShellCall *shell_call_free(ShellCall *call)
{
    if (!call)
        return NULL;
    if (call->values) {
        for (size_t i = 0; call->def->opts[i].name; i++)
            g_free(call->values[i]);
        g_free(call->values);
    }
    if (call->argv_words)
        g_ptr_array_unref(call->argv_words);
    g_free(call);
    return NULL;
}

static int call_index(const ShellCall *call, const char *name)
{
    int idx = opt_index(call->def, name, strlen(name));

    g_assert(idx >= 0); /* a command asked for an option it does not define */
    return idx;
}

/**
 * shell_call_has: was option `name` given?
 */
bool shell_call_has(const ShellCall *call, const char *name)
{
    return call->values[call_index(call, name)] != NULL;
}

/**
 * shell_call_get: the value of option `name`, NULL when absent.
 */
const char *shell_call_get(const ShellCall *call, const char *name)
{
    return call->values[call_index(call, name)];
}

/**
 * shell_call_get_words: the ARGV option's words, one by one (empty if absent).
 */
const char *const *shell_call_get_words(const ShellCall *call)
{
    return (const char *const *)call->argv_words->pdata;
}
