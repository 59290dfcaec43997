/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Command lines for child processes (after libvirt's vircommand idea). Building is pure:
 * argv, an environment that starts empty, fds to hand over, working directory and umask;
 * mistakes are remembered and reported once by command_check()/command_to_string()/
 * the run functions, so builders can add arguments without checking every call.
 * Running (command-run.c) forks, sets up exactly the recorded fds and environment, and
 * execs; nothing of the parent leaks into the child.
 */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

typedef struct Command Command;

typedef enum CommandFdFlags {
    /* the command owns the fd from now on and closes it when it is freed */
    COMMAND_FD_CLOSE_PARENT = 1u << 0,
} CommandFdFlags;

typedef struct CommandResult {
    int status; /* exit status, or -1 when killed by a signal */
    int signal; /* the terminating signal, or 0 */
    char *out;  /* NUL-terminated; at most max_output bytes kept */
    size_t out_len;
    bool out_truncated;
    char *err;
    size_t err_len;
    bool err_truncated;
} CommandResult;

/* lifecycle */
Command *command_new(const char *binary);
Command *command_new_argv(const char *const *argv);
Command *command_free(Command *cmd);
CommandResult *command_result_free(CommandResult *res);

/* arguments */
void command_add_arg(Command *cmd, const char *arg);
void command_add_argf(Command *cmd, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void command_add_arg_pair(Command *cmd, const char *name, const char *value);
void command_add_args(Command *cmd, ...) G_GNUC_NULL_TERMINATED;
void command_add_argv(Command *cmd, const char *const *argv);

/* environment: empty unless added to */
void command_add_env(Command *cmd, const char *name, const char *value);
void command_add_env_common(Command *cmd);

/* fds and process attributes */
void command_pass_fd(Command *cmd, int fd, CommandFdFlags flags);
void command_map_fd(Command *cmd, int parent_fd, int child_fd, CommandFdFlags flags);
void command_set_stdin_fd(Command *cmd, int fd);
void command_set_stdout_fd(Command *cmd, int fd);
void command_set_stderr_fd(Command *cmd, int fd);
void command_set_working_dir(Command *cmd, const char *dir);
void command_set_umask(Command *cmd, mode_t mask);
void command_set_new_session(Command *cmd);
void command_set_timeout(Command *cmd, unsigned timeout_ms);

/* queries (pure) */
bool command_check(const Command *cmd, GError **error);
char *command_to_string(const Command *cmd, GError **error);
const char *const *command_get_argv(const Command *cmd);
const char *const *command_get_env(const Command *cmd);

/* run (command-run.c) */
bool command_run(Command *cmd, size_t max_output, CommandResult **ret_result, GError **error);
bool command_result_check(const CommandResult *res, const Command *cmd, GError **error);
bool command_spawn(Command *cmd, pid_t *ret_pid, int *ret_pidfd, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Command, command_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CommandResult, command_result_free)
