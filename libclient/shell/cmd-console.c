/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtsh "console": the guest's console on this terminal, as virsh runs it. A
 * VIR_STREAM_NONBLOCK stream and stdin are watched on the default event loop; the
 * terminal is raw while connected; ^] (or the end of stdin) ends the session with
 * virStreamFinish, the guest hanging up ends it too.
 *
 * Unlike virsh, stdin need not be a terminal (then it is read as it comes, and its
 * end finishes the session), which is what scripts and tests use.
 */

#include <errno.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "shell.h"

#define CONSOLE_ESCAPE 0x1d /* ^] */

typedef struct Console {
    Shell *sh;
    virStreamPtr st;
    int stdin_watch;
    bool quit;
    bool failed; /* the stream ended with an error */
} Console;

/* End the session: @graceful finishes the stream, else it is aborted. */
static void console_shutdown(Console *con, bool graceful)
{
    if (con->quit)
        return;
    con->quit = true;
    virStreamEventRemoveCallback(con->st);
    if (con->stdin_watch > 0)
        virEventRemoveHandle(con->stdin_watch);
    con->stdin_watch = -1;
    if (graceful ? virStreamFinish(con->st) < 0 : virStreamAbort(con->st) < 0)
        virResetLastError(); /* the session is over either way */
}

static bool write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        buf += n;
        len -= (size_t)n;
    }
    return true;
}

static void console_on_stream(virStreamPtr st, int events, void *opaque)
{
    Console *con = opaque;
    char buf[4096];

    for (;;) {
        int got = virStreamRecv(st, buf, sizeof(buf));

        if (got == -2)
            return; /* nothing more for now */
        if (got == 0) {
            console_shutdown(con, true); /* the guest hung up */
            return;
        }
        if (got < 0) {
            con->failed = true;
            console_shutdown(con, false);
            return;
        }
        if (!write_all(STDOUT_FILENO, buf, (size_t)got)) {
            console_shutdown(con, false);
            return;
        }
    }
}

static void console_on_stdin(int watch, int fd, int events, void *opaque)
{
    Console *con = opaque;
    char buf[1024];
    ssize_t n = read(fd, buf, sizeof(buf));
    char *esc;

    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        console_shutdown(con, true);
        return;
    }
    esc = memchr(buf, CONSOLE_ESCAPE, (size_t)n);
    if (esc)
        n = esc - buf;
    if (n > 0 && virStreamSend(con->st, buf, (size_t)n) < 0) {
        con->failed = true;
        console_shutdown(con, false);
        return;
    }
    if (esc)
        console_shutdown(con, true);
}

/* Run the session; the terminal (if stdin is one) is raw meanwhile. */
static void console_run(Console *con)
{
    struct termios saved, raw;
    bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;

    if (tty) {
        raw = saved;
        cfmakeraw(&raw);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
    }
    while (!con->quit)
        virEventRunDefaultImpl();
    if (tty)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
}

static bool cmd_console(Shell *sh, const ShellCall *call)
{
    Console con = { .sh = sh, .stdin_watch = -1 };
    unsigned int flags = 0;
    const char *name;
    virDomainPtr dom = shell_lookup_domain(sh, call, SHELL_BY_ANY, &name);
    int state = 0;
    bool ok = false;

    if (!dom)
        return false;
    if (shell_call_has(call, "force"))
        flags |= VIR_DOMAIN_CONSOLE_FORCE;
    if (shell_call_has(call, "safe"))
        flags |= VIR_DOMAIN_CONSOLE_SAFE;
    if (virDomainGetState(dom, &state, NULL, 0) < 0) {
        shell_error(sh, "Unable to get domain status");
    } else if (state == VIR_DOMAIN_SHUTOFF) {
        shell_error(sh, "The domain is not running");
    } else {
        shell_print_extra(sh, "Connected to domain '%s'\n", virDomainGetName(dom));
        shell_print_extra(sh, "Escape character is ^] (Ctrl + ])\n");
        fflush(stdout);
        virEventRegisterDefaultImpl();
        con.st = virStreamNew(sh->conn, VIR_STREAM_NONBLOCK);
        if (con.st &&
            virDomainOpenConsole(dom, shell_call_get(call, "devname"), con.st, flags) == 0 &&
            virStreamEventAddCallback(con.st, VIR_STREAM_EVENT_READABLE, console_on_stream, &con,
                                      NULL) == 0 &&
            (con.stdin_watch = virEventAddHandle(STDIN_FILENO, VIR_EVENT_HANDLE_READABLE,
                                                 console_on_stdin, &con, NULL)) > 0) {
            console_run(&con);
            /* the stream's error, kept for the shell to report */
            ok = !con.failed;
            shell_print_extra(sh, "\n");
        }
    }
    if (con.st) {
        if (!con.quit)
            virStreamEventRemoveCallback(con.st);
        virStreamFree(con.st);
    }
    virDomainFree(dom);
    return ok;
}

static const ShellOptDef opts_console[] = {
    { "domain", SHELL_OPT_DATA, SHELL_OPT_REQUIRED, "domain name, id or uuid" },
    { "devname", SHELL_OPT_STRING, 0, "character device name" },
    { "force", SHELL_OPT_BOOL, 0,
      "force console connection (disconnect already connected sessions)" },
    { "safe", SHELL_OPT_BOOL, 0, "only connect if safe console handling is supported" },
    { NULL },
};

const ShellCmdDef shell_console_cmds[] = {
    { "console", cmd_console, opts_console, "domain", "connect to the guest console" },
    { NULL },
};
