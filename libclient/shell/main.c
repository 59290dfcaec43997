/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtsh: a virsh-compatible command line on libvirtkit.
 *
 *   virtsh [-c URI] [-r] [-q] COMMAND [ARG...]     one command, words as given
 *   virtsh [-c URI] [-r] [-q] 'CMD ARGS; CMD ...'  a command string, ';'-separated
 *   virtsh [-c URI] [-r] [-q]                      commands read from stdin
 *
 * Connection URI: -c, else $VIRTSH_DEFAULT_CONNECT_URI, else
 * $VIRSH_DEFAULT_CONNECT_URI, else the library default (libvirtkit: see
 * virConnectOpen()).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shell.h"

static void usage(FILE *out)
{
    fprintf(out, "\nvirtsh [options]... [<command_string>]\n"
                 "virtsh [options]... <command> [args...]\n\n"
                 "  options:\n"
                 "    -c | --connect=URI      hypervisor connection URI\n"
                 "    -h | --help             this help\n"
                 "    -q | --quiet            quiet mode\n"
                 "    -r | --readonly         connect readonly\n"
                 "    -v | --version          program version\n\n"
                 "  commands (non interactive mode):\n\n"
                 "  (use 'virtsh help' for the list of commands)\n\n");
}

typedef struct MainOpts {
    const char *uri;
    bool readonly;
    bool quiet;
    int first_arg;
} MainOpts;

/* virsh-style options before the command; returns -1 to go on, else an exit code */
static int parse_options(int argc, char **argv, MainOpts *opts)
{
    int i = 1;

    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "-c") == 0 || strcmp(a, "--connect") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "error: option '%s' requires an argument\n", a);
                return 1;
            }
            opts->uri = argv[++i];
        } else if (g_str_has_prefix(a, "--connect=")) {
            opts->uri = a + strlen("--connect=");
        } else if (g_str_has_prefix(a, "-c")) {
            opts->uri = a + 2;
        } else if (strcmp(a, "-r") == 0 || strcmp(a, "--readonly") == 0) {
            opts->readonly = true;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            opts->quiet = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--version") == 0) {
            printf("%s\n", VIRTKIT_VERSION);
            return 0;
        } else {
            fprintf(stderr, "error: unsupported option '%s'. See --help.\n", a);
            return 1;
        }
    }
    opts->first_arg = i;
    return -1;
}

static int run_stdin(Shell *sh)
{
    bool tty = isatty(STDIN_FILENO);
    char line[65536];
    int status = 0;

    for (;;) {
        g_autofree char *trimmed = NULL;

        if (tty) {
            fputs("virtsh # ", stdout);
            fflush(stdout);
        }
        if (!fgets(line, sizeof(line), stdin))
            break;
        trimmed = g_strstrip(g_strdup(line));
        if (strcmp(trimmed, "quit") == 0 || strcmp(trimmed, "exit") == 0)
            break;
        status = shell_run_line(sh, trimmed);
    }
    return status;
}

int main(int argc, char **argv)
{
    MainOpts opts = { 0 };
    Shell sh = { 0 };
    int status = parse_options(argc, argv, &opts);

    if (status >= 0)
        return status;
    if (!opts.uri)
        opts.uri = g_getenv("VIRTSH_DEFAULT_CONNECT_URI");
    if (!opts.uri)
        opts.uri = g_getenv("VIRSH_DEFAULT_CONNECT_URI");
    sh.uri = g_strdup(opts.uri);
    sh.readonly = opts.readonly;
    sh.quiet = opts.quiet;
    virSetErrorFunc(&sh, shell_error_handler);

    if (argc - opts.first_arg == 1)
        status = shell_run_line(&sh, argv[opts.first_arg]);
    else if (argc - opts.first_arg > 1)
        status = shell_run_argv(&sh, argv + opts.first_arg);
    else
        status = run_stdin(&sh);

    shell_disconnect(&sh);
    shell_reset_error(&sh);
    g_free(sh.uri);
    fflush(stdout);
    return status;
}
