/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pure half of commands: building argv/env/fd lists with deferred errors, and the
 * one-line rendering that converter golden tests compare against.
 */

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "util/command-priv.h"
#include "util/error.h"

/* Remember the first mistake only; later calls become no-ops (see command_check()). */
static void command_fail(Command *cmd, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void command_fail(Command *cmd, const char *fmt, ...)
{
    va_list ap;

    if (cmd->error)
        return;
    va_start(ap, fmt);
    cmd->error = g_error_new_valist(VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG, fmt, ap);
    va_end(ap);
}

/**
 * command_new: a command running @binary, an absolute path or a name looked up in PATH
 * when it runs. The environment starts empty.
 */
Command *command_new(const char *binary)
{
    Command *cmd = g_new0(Command, 1);

    cmd->argv = g_ptr_array_new_null_terminated(8, g_free, TRUE);
    cmd->env = g_ptr_array_new_null_terminated(4, g_free, TRUE);
    cmd->fds = g_array_new(FALSE, FALSE, sizeof(CommandFd));
    for (int i = 0; i < 3; i++)
        cmd->std_fds[i] = -1;
    if (!binary || !*binary) {
        command_fail(cmd, "command has no binary");
        binary = "";
    }
    g_ptr_array_add(cmd->argv, g_strdup(binary));
    return cmd;
}

/**
 * command_new_argv: a command from a NULL-terminated argv; argv[0] is the binary.
 */
Command *command_new_argv(const char *const *argv)
{
    Command *cmd = command_new(argv ? argv[0] : NULL);

    if (argv && argv[0])
        command_add_argv(cmd, argv + 1);
    return cmd;
}

/**
 * command_free: free @cmd, closing the fds it owns. Accepts NULL; returns NULL.
 */
Command *command_free(Command *cmd)
{
    if (!cmd)
        return NULL;
    for (guint i = 0; i < cmd->fds->len; i++) {
        CommandFd *f = &g_array_index(cmd->fds, CommandFd, i);

        if (f->owned)
            (void)close(f->parent_fd);
    }
    g_array_unref(cmd->fds);
    g_ptr_array_unref(cmd->argv);
    g_ptr_array_unref(cmd->env);
    g_free(cmd->working_dir);
    g_clear_error(&cmd->error);
    g_free(cmd);
    return NULL;
}

/**
 * command_add_arg: append one argument. NULL is recorded as an error.
 */
void command_add_arg(Command *cmd, const char *arg)
{
    if (cmd->error)
        return;
    if (!arg) {
        command_fail(cmd, "command '%s': NULL argument after '%s'",
                     (const char *)cmd->argv->pdata[0],
                     (const char *)cmd->argv->pdata[cmd->argv->len - 1]);
        return;
    }
    g_ptr_array_add(cmd->argv, g_strdup(arg));
}

/**
 * command_add_argf: append one printf-formatted argument.
 */
void command_add_argf(Command *cmd, const char *fmt, ...)
{
    va_list ap;

    if (cmd->error)
        return;
    va_start(ap, fmt);
    g_ptr_array_add(cmd->argv, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

/**
 * command_add_arg_pair: append "@name" and "@value" as two arguments ("-m" "1024").
 */
void command_add_arg_pair(Command *cmd, const char *name, const char *value)
{
    command_add_arg(cmd, name);
    command_add_arg(cmd, value);
}

/**
 * command_add_args: append every argument up to the terminating NULL.
 */
void command_add_args(Command *cmd, ...)
{
    va_list ap;
    const char *arg;

    va_start(ap, cmd);
    while ((arg = va_arg(ap, const char *)))
        command_add_arg(cmd, arg);
    va_end(ap);
}

/**
 * command_add_argv: append every element of a NULL-terminated vector.
 */
void command_add_argv(Command *cmd, const char *const *argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        command_add_arg(cmd, argv[i]);
}

static bool env_name_valid(const char *name)
{
    if (!name || !(g_ascii_isalpha(*name) || *name == '_'))
        return false;
    for (const char *p = name; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '_')
            return false;
    }
    return true;
}

/**
 * command_add_env: set @name=@value in the child's environment, replacing an earlier
 * value in place (the rendering keeps the first position, so goldens stay stable).
 */
void command_add_env(Command *cmd, const char *name, const char *value)
{
    g_autofree char *prefix = NULL;

    if (cmd->error)
        return;
    if (!env_name_valid(name) || !value) {
        command_fail(cmd, "command '%s': invalid environment variable '%s'",
                     (const char *)cmd->argv->pdata[0], name ? name : "");
        return;
    }
    prefix = g_strconcat(name, "=", NULL);
    for (guint i = 0; i < cmd->env->len; i++) {
        if (g_str_has_prefix(cmd->env->pdata[i], prefix)) {
            g_free(cmd->env->pdata[i]);
            cmd->env->pdata[i] = g_strconcat(prefix, value, NULL);
            return;
        }
    }
    g_ptr_array_add(cmd->env, g_strconcat(prefix, value, NULL));
}

/**
 * command_add_env_common: the few variables almost every helper binary needs, with
 * fixed values so that output stays reproducible: LC_ALL=C and a system PATH.
 */
void command_add_env_common(Command *cmd)
{
    command_add_env(cmd, "LC_ALL", "C");
    command_add_env(cmd, "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
}

/**
 * command_map_fd: make @parent_fd available as @child_fd (>= 3) in the child. With
 * COMMAND_FD_CLOSE_PARENT the command takes ownership of @parent_fd.
 */
void command_map_fd(Command *cmd, int parent_fd, int child_fd, CommandFdFlags flags)
{
    CommandFd f = { parent_fd, child_fd, (flags & COMMAND_FD_CLOSE_PARENT) != 0 };

    if (cmd->error) {
        if (f.owned && parent_fd >= 0)
            (void)close(parent_fd);
        return;
    }
    if (parent_fd < 0 || child_fd < 3) {
        command_fail(cmd, "command '%s': cannot pass fd %d as fd %d",
                     (const char *)cmd->argv->pdata[0], parent_fd, child_fd);
        return;
    }
    for (guint i = 0; i < cmd->fds->len; i++) {
        if (g_array_index(cmd->fds, CommandFd, i).child_fd == child_fd) {
            command_fail(cmd, "command '%s': fd %d is passed twice",
                         (const char *)cmd->argv->pdata[0], child_fd);
            if (f.owned)
                (void)close(parent_fd);
            return;
        }
    }
    g_array_append_val(cmd->fds, f);
}

/**
 * command_pass_fd: keep @fd open in the child under the same number.
 */
void command_pass_fd(Command *cmd, int fd, CommandFdFlags flags)
{
    command_map_fd(cmd, fd, fd, flags);
}

/**
 * command_set_stdin_fd: the child's stdin (borrowed: it must stay open until the
 * command is run). Unset means /dev/null; the same holds for stdout and stderr.
 */
void command_set_stdin_fd(Command *cmd, int fd)
{
    cmd->std_fds[0] = fd;
}

void command_set_stdout_fd(Command *cmd, int fd)
{
    cmd->std_fds[1] = fd;
}

void command_set_stderr_fd(Command *cmd, int fd)
{
    cmd->std_fds[2] = fd;
}

/**
 * command_set_working_dir: the child's working directory (absolute).
 */
void command_set_working_dir(Command *cmd, const char *dir)
{
    if (cmd->error)
        return;
    if (!dir || !g_path_is_absolute(dir)) {
        command_fail(cmd, "command '%s': working directory '%s' is not absolute",
                     (const char *)cmd->argv->pdata[0], dir ? dir : "");
        return;
    }
    g_free(cmd->working_dir);
    cmd->working_dir = g_strdup(dir);
}

/**
 * command_set_umask: the child's umask.
 */
void command_set_umask(Command *cmd, mode_t mask)
{
    cmd->umask = mask & 0777;
    cmd->has_umask = true;
}

/**
 * command_set_new_session: run the child in a session of its own (setsid()), so it has
 * no controlling terminal and signals to our process group (a killed daemon's, ^C)
 * do not reach it.
 */
void command_set_new_session(Command *cmd)
{
    cmd->new_session = true;
}

/**
 * command_set_timeout: how long command_run() lets the child run before killing it;
 * 0 (the default) waits forever. Not used by command_spawn(): the caller's event loop
 * owns that child.
 */
void command_set_timeout(Command *cmd, unsigned timeout_ms)
{
    cmd->timeout_ms = timeout_ms;
}

/**
 * command_check: report the first mistake made while building @cmd, if any.
 */
bool command_check(const Command *cmd, GError **error)
{
    if (!cmd->error)
        return true;
    g_propagate_error(error, g_error_copy(cmd->error));
    return false;
}

/* Quote for a POSIX shell only when needed, so goldens stay readable. */
static void append_shell_quoted(GString *out, const char *s)
{
    static const char safe[] = "@%+=:,./-_";
    bool plain = *s != '\0';

    for (const char *p = s; *p && plain; p++)
        plain = g_ascii_isalnum(*p) || strchr(safe, *p);
    if (plain) {
        g_string_append(out, s);
        return;
    }
    g_string_append_c(out, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            g_string_append(out, "'\\''");
        else
            g_string_append_c(out, *p);
    }
    g_string_append_c(out, '\'');
}

/**
 * command_to_string: "NAME=value ... binary arg ..." on one line, shell-quoted where
 * needed, with the environment in the order it was added. Fds, working directory and
 * umask are not shown (they are host-specific). The deferred error if building failed.
 */
char *command_to_string(const Command *cmd, GError **error)
{
    GString *out;

    if (!command_check(cmd, error))
        return NULL;
    out = g_string_new(NULL);
    for (guint i = 0; i < cmd->env->len; i++) {
        const char *kv = cmd->env->pdata[i];
        const char *eq = strchr(kv, '=');

        g_string_append_len(out, kv, eq - kv + 1);
        append_shell_quoted(out, eq + 1);
        g_string_append_c(out, ' ');
    }
    for (guint i = 0; i < cmd->argv->len; i++) {
        if (i)
            g_string_append_c(out, ' ');
        append_shell_quoted(out, cmd->argv->pdata[i]);
    }
    return g_string_free(out, FALSE);
}

/**
 * command_get_argv: the NULL-terminated argument vector, argv[0] first.
 */
const char *const *command_get_argv(const Command *cmd)
{
    return (const char *const *)cmd->argv->pdata;
}

/**
 * command_get_env: the NULL-terminated "NAME=value" environment.
 */
const char *const *command_get_env(const Command *cmd)
{
    static const char *const empty[] = { NULL };

    /* a null-terminated GPtrArray may still have no storage while empty */
    return cmd->env->pdata ? (const char *const *)cmd->env->pdata : empty;
}
