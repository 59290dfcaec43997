/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Command internals shared by the builder (command.c) and the runner (command-run.c). */

#include "util/command.h"

typedef struct CommandFd {
    int parent_fd;
    int child_fd;
    bool owned;
} CommandFd;

struct Command {
    GError *error;     /* the first deferred error */
    GPtrArray *argv;   /* char*, NULL-terminated */
    GPtrArray *env;    /* "NAME=value", NULL-terminated, names unique */
    GArray *fds;       /* CommandFd, child_fd unique and >= 3 */
    int std_fds[3];    /* borrowed; -1 means /dev/null */
    char *working_dir; /* NULL: inherit */
    mode_t umask;
    bool has_umask;
    bool new_session;    /* setsid() in the child */
    unsigned timeout_ms; /* command_run() only; 0: none */
};
