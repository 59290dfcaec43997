/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Shared by virtsh's golden, oracle and remote tests: the case table and helpers
 * that run a virtsh (or virsh) command line and compare outputs.
 * In arguments and goldens, @DATA@ stands for tests/shell/data (also the working
 * directory, so files are named relatively) and @HOSTNAME@ for the host's name.
 */

#include <stdbool.h>

#include <glib.h>

#define VIRSH_PATH "/usr/bin/virsh"

typedef enum CaseFlags {
    ORACLE = 1u << 0,   /* compare with real virsh too */
    METADATA = 1u << 1, /* needs the driver's metadata ops: skipped while it has none */
} CaseFlags;

typedef struct ShellCase {
    const char *name;
    const char *args; /* shell words after "virtsh" */
    unsigned int flags;
} ShellCase;

#define DEF "-c test:///default "
#define NODE "-c test://@DATA@/node.xml "

extern const ShellCase shell_cases[];
extern const size_t shell_n_cases;
extern char *virtsh_path;
extern char *data_dir;

typedef struct RunResult {
    char *out;
    char *err;
    int status;
} RunResult;

/* Reads VIRTSH_PATH from argv[1] and the data directory from the environment. */
void shell_test_init(int argc, char **argv);
void shell_test_fini(void);
char *substitute(const char *text);
char *unsubstitute(const char *text);
void run_args(const char *program, const char *args, RunResult *ret);
void run_result_clear(RunResult *r);
char *normalize(const char *text);
void assert_same_text(const char *what, const char *ours, const char *theirs);
/* g_test_skip()s a case the driver cannot run yet; returns whether it did. */
bool skip_case(const ShellCase *c);
