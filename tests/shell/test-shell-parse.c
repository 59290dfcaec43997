/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtsh's pure parts: splitting command lines, binding options, the list table
 * layout and the state/reason words. Table-driven; expected texts are what
 * Debian's virsh 9.0 produces.
 */

#include <string.h>

#include "shell.h"

typedef struct SplitCase {
    const char *line;
    const char *expect; /* commands joined by " | ", words by "," */
} SplitCase;

static const SplitCase split_cases[] = {
    { "list", "list" },
    { "  list   --all  ", "list,--all" },
    { "list; dominfo test", "list | dominfo,test" },
    { "list;dominfo test;", "list | dominfo,test" },
    { ";;", "" },
    { "", "" },
    { "desc test --new-desc 'a;b'", "desc,test,--new-desc,a;b" },
    { "desc test \"two words\" x\\ y", "desc,test,two words,x y" },
    { "echo \"a\\\"b\" 'c\\d'", "echo,a\"b,c\\d" },
    { "list # a comment; not a command", "list" },
    { "list\n dominfo 1", "list,dominfo,1" },
    { "a''b \"\"", "ab," },
};

static char *join_commands(GPtrArray *cmds)
{
    g_autoptr(GString) out = g_string_new(NULL);

    for (guint i = 0; i < cmds->len; i++) {
        g_autofree char *words = g_strjoinv(",", g_ptr_array_index(cmds, i));

        if (i)
            g_string_append(out, " | ");
        g_string_append(out, words);
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

static void test_split(gconstpointer data)
{
    const SplitCase *c = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) cmds = shell_split_line(c->line, &error);
    g_autofree char *joined = NULL;

    g_assert_no_error(error);
    joined = join_commands(cmds);
    g_assert_cmpstr(joined, ==, c->expect);
}

static void test_split_errors(void)
{
    g_autoptr(GError) error = NULL;

    g_assert_null(shell_split_line("list 'unterminated", &error));
    g_assert_cmpstr(error->message, ==, "dangling '");
    g_clear_error(&error);
    g_assert_null(shell_split_line("list \"x", &error));
    g_assert_cmpstr(error->message, ==, "dangling \"");
}

typedef struct BindCase {
    const char *line;
    const char *error; /* NULL: parses */
} BindCase;

static const BindCase bind_cases[] = {
    { "list --foo", "command 'list' doesn't support option --foo" },
    { "dominfo", "command 'dominfo' requires <domain> option" },
    { "dominfo test extra", "unexpected data 'extra'" },
    { "dominfo --domain", "expected syntax: --domain <string>" },
    { "bogus", "unknown command: 'bogus'" },
    { "list --all=yes", "invalid '=' after option --all" },
    { "domstate --reason", "command 'domstate' requires <domain> option" },
    { "dominfo --domain=test", NULL },
    { "dominfo --domain test", NULL },
    { "dominfo -- --odd-name", NULL },
    { "undefine test --nvram --keep-nvram", NULL },
    { "desc test some new text", NULL },
};

static void test_bind(gconstpointer data)
{
    const BindCase *c = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) cmds = shell_split_line(c->line, &error);
    g_autoptr(ShellCall) call = NULL;

    g_assert_no_error(error);
    call = shell_call_parse(g_ptr_array_index(cmds, 0), &error);
    if (c->error) {
        g_assert_null(call);
        g_assert_cmpstr(error->message, ==, c->error);
    } else {
        g_assert_no_error(error);
        g_assert_nonnull(call);
    }
}

static ShellCall *parse_one(const char *line)
{
    g_autoptr(GPtrArray) cmds = shell_split_line(line, NULL);

    return shell_call_parse(g_ptr_array_index(cmds, 0), NULL);
}

static void test_values(void)
{
    g_autoptr(ShellCall) a = parse_one("dominfo -- --odd-name");
    g_autoptr(ShellCall) b = parse_one("desc test some new text --title");
    g_autoptr(ShellCall) c = parse_one("desc --new-desc=hello --title test");
    g_autoptr(ShellCall) d = parse_one("metadata test http://x/ --key k --set '<a/>'");
    g_autoptr(ShellCall) e = parse_one("echo --shell 'a  b' c");

    g_assert_cmpstr(shell_call_get(a, "domain"), ==, "--odd-name");
    g_assert_false(shell_call_has(a, "json"));
    /* ARGV takes the data words; options after them still count, as in virsh
     * ("desc test some new text --title" sets the title) */
    g_assert_cmpstr(shell_call_get(b, "domain"), ==, "test");
    g_assert_cmpstr(shell_call_get(b, "new-desc"), ==, "some new text");
    g_assert_true(shell_call_has(b, "title"));
    g_assert_cmpstr(shell_call_get(c, "new-desc"), ==, "hello");
    g_assert_cmpstr(shell_call_get(c, "domain"), ==, "test");
    g_assert_true(shell_call_has(c, "title"));
    g_assert_cmpstr(shell_call_get_words(b)[0], ==, "some");
    g_assert_cmpstr(shell_call_get_words(b)[2], ==, "text");
    g_assert_null(shell_call_get_words(b)[3]);
    g_assert_cmpstr(shell_call_get_words(c)[0], ==, "hello");
    g_assert_null(shell_call_get_words(a)[0]);
    g_assert_cmpstr(shell_call_get(d, "uri"), ==, "http://x/");
    g_assert_cmpstr(shell_call_get(d, "key"), ==, "k");
    g_assert_cmpstr(shell_call_get(d, "set"), ==, "<a/>");
    /* quoted words keep their inner blanks */
    g_assert_cmpstr(shell_call_get_words(e)[0], ==, "a  b");
    g_assert_cmpstr(shell_call_get_words(e)[1], ==, "c");
    g_assert_true(shell_call_has(e, "shell"));
}

static void test_table(void)
{
    static const char *const header[] = { "Id", "Name", "State", NULL };
    static const char *const header_t[] = { "Id", "Name", "State", "Title", NULL };
    static const char *const r1[] = { "1", "test", "running", NULL };
    static const char *const r2[] = { "-", "a-very-long-domain-name-here", "shut off", NULL };
    static const char *const t1[] = { "1", "test", "running", "", NULL };
    static const char *const t2[] = { "2", "d1", "shut off", "My title", NULL };
    g_autoptr(ShellTable) empty = shell_table_new(header);
    g_autoptr(ShellTable) one = shell_table_new(header);
    g_autoptr(ShellTable) two = shell_table_new(header);
    g_autoptr(ShellTable) titled = shell_table_new(header_t);
    g_autofree char *s_empty = NULL, *s_one = NULL, *s_one_q = NULL, *s_two = NULL;
    g_autofree char *s_titled = NULL;

    shell_table_add_row(one, r1);
    shell_table_add_row(two, r1);
    shell_table_add_row(two, r2);
    shell_table_add_row(titled, t1);
    shell_table_add_row(titled, t2);
    s_empty = shell_table_format(empty, true);
    s_one = shell_table_format(one, true);
    s_one_q = shell_table_format(one, false);
    s_two = shell_table_format(two, true);
    s_titled = shell_table_format(titled, true);
    g_assert_cmpstr(s_empty, ==, " Id   Name   State\n--------------------\n");
    g_assert_cmpstr(s_one, ==,
                    " Id   Name   State\n----------------------\n 1    test   running\n");
    g_assert_cmpstr(s_one_q, ==, " 1   test   running\n");
    g_assert_cmpstr(s_two, ==,
                    " Id   Name                           State\n"
                    "-----------------------------------------------\n"
                    " 1    test                           running\n"
                    " -    a-very-long-domain-name-here   shut off\n");
    g_assert_cmpstr(s_titled, ==,
                    " Id   Name   State      Title\n"
                    "----------------------------------\n"
                    " 1    test   running    \n"
                    " 2    d1     shut off   My title\n");
}

static void test_state_words(void)
{
    g_assert_cmpstr(shell_state_to_string(VIR_DOMAIN_SHUTOFF), ==, "shut off");
    g_assert_cmpstr(shell_state_to_string(VIR_DOMAIN_BLOCKED), ==, "idle");
    g_assert_cmpstr(shell_state_to_string(99), ==, "no state");
    g_assert_cmpstr(shell_state_reason_to_string(VIR_DOMAIN_RUNNING, 1), ==, "booted");
    g_assert_cmpstr(shell_state_reason_to_string(VIR_DOMAIN_RUNNING, 0), ==, "unknown");
    g_assert_cmpstr(shell_state_reason_to_string(VIR_DOMAIN_PAUSED, 1), ==, "user");
    g_assert_cmpstr(shell_state_reason_to_string(VIR_DOMAIN_SHUTOFF, 2), ==, "destroyed");
    g_assert_cmpstr(shell_state_reason_to_string(VIR_DOMAIN_SHUTOFF, 99), ==, "unknown");
    g_assert_cmpstr(shell_state_reason_to_string(VIR_DOMAIN_CRASHED, 1), ==, "panicked");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(split_cases); i++) {
        g_autofree char *name = g_strdup_printf("/shell/split/%zu", i);

        g_test_add_data_func(name, &split_cases[i], test_split);
    }
    g_test_add_func("/shell/split/errors", test_split_errors);
    for (size_t i = 0; i < G_N_ELEMENTS(bind_cases); i++) {
        g_autofree char *name = g_strdup_printf("/shell/bind/%zu", i);

        g_test_add_data_func(name, &bind_cases[i], test_bind);
    }
    g_test_add_func("/shell/values", test_values);
    g_test_add_func("/shell/table", test_table);
    g_test_add_func("/shell/state-words", test_state_words);
    return g_test_run();
}
