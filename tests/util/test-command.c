/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tier: golden (pure). Command building, deferred errors and command_to_string(). */

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "util/command.h"
#include "util/error.h"

static Command *build_qemu_like(void)
{
    Command *cmd = command_new("/usr/bin/qemu-system-x86_64");

    command_add_env_common(cmd);
    command_add_env(cmd, "HOME", "/var/lib/virtkit/qemu/domain-1-web 1");
    command_add_arg_pair(cmd, "-name", "guest=web 1,debug-threads=on");
    command_add_args(cmd, "-S", "-no-user-config", NULL);
    command_add_argf(cmd, "%s=%d", "-m", 1024);
    command_add_arg_pair(cmd, "-append", "console=ttyS0 root='/dev/vda'");
    command_add_arg(cmd, "");
    command_add_arg(cmd, "$HOME;rm -rf *");
    return cmd;
}

typedef struct GoldenCase {
    const char *name;
    Command *(*build)(void);
    const char *expected;
} GoldenCase;

static Command *build_plain(void)
{
    Command *cmd = command_new("true");

    return cmd;
}

static Command *build_env_replace(void)
{
    Command *cmd = command_new("/bin/env");

    command_add_env(cmd, "A", "1");
    command_add_env(cmd, "B", "two words");
    command_add_env(cmd, "A", "3"); /* replaced in place */
    command_add_env(cmd, "EMPTY", "");
    return cmd;
}

static Command *build_from_argv(void)
{
    static const char *const argv[] = { "/sbin/ip", "link", "set", "vnet0", "up", NULL };

    return command_new_argv(argv);
}

static Command *build_safe_chars(void)
{
    Command *cmd = command_new("/bin/x");

    command_add_args(cmd, "a-b_c.d/e:f,g=h+i%j@k", "tab\there", "it's", "new\nline", "~", NULL);
    return cmd;
}

static const GoldenCase golden[] = {
    { "plain", build_plain, "true" },
    { "qemu-like", build_qemu_like,
      "LC_ALL=C PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "
      "HOME='/var/lib/virtkit/qemu/domain-1-web 1' /usr/bin/qemu-system-x86_64 -name "
      "'guest=web 1,debug-threads=on' -S -no-user-config -m=1024 -append "
      "'console=ttyS0 root='\\''/dev/vda'\\''' '' '$HOME;rm -rf *'" },
    { "env-replace", build_env_replace, "A=3 B='two words' EMPTY='' /bin/env" },
    { "from-argv", build_from_argv, "/sbin/ip link set vnet0 up" },
    { "safe-chars", build_safe_chars,
      "/bin/x a-b_c.d/e:f,g=h+i%j@k 'tab\there' 'it'\\''s' 'new\nline' '~'" },
};

static void test_golden(gconstpointer data)
{
    const GoldenCase *c = data;
    g_autoptr(Command) cmd = c->build();
    g_autoptr(GError) error = NULL;
    g_autofree char *s = command_to_string(cmd, &error);

    g_assert_no_error(error);
    g_assert_cmpstr(s, ==, c->expected);
}

static void test_argv_env(void)
{
    g_autoptr(Command) cmd = build_env_replace();
    const char *const *argv = command_get_argv(cmd);
    const char *const *env = command_get_env(cmd);
    g_autoptr(Command) bare = command_new("/bin/true");

    g_assert_cmpstr(argv[0], ==, "/bin/env");
    g_assert_null(argv[1]);
    g_assert_cmpstr(env[0], ==, "A=3");
    g_assert_cmpstr(env[1], ==, "B=two words");
    g_assert_cmpstr(env[2], ==, "EMPTY=");
    g_assert_null(env[3]);
    g_assert_null(command_get_env(bare)[0]);
}

typedef struct ErrorCase {
    const char *name;
    void (*build)(Command *cmd);
    const char *message;
} ErrorCase;

static void err_null_arg(Command *cmd)
{
    command_add_arg(cmd, "-a");
    command_add_arg(cmd, NULL);
    command_add_arg(cmd, "-b"); /* ignored after the first error */
}

static void err_env_name(Command *cmd)
{
    command_add_env(cmd, "A=B", "x");
    command_add_env(cmd, "", "y"); /* only the first mistake is reported */
}

static void err_env_digit(Command *cmd)
{
    command_add_env(cmd, "1A", "x");
}

static void err_fd_std(Command *cmd)
{
    command_map_fd(cmd, 5, 1, 0);
}

static void err_fd_twice(Command *cmd)
{
    command_pass_fd(cmd, 5, 0);
    command_map_fd(cmd, 6, 5, 0);
}

static void err_fd_negative(Command *cmd)
{
    command_pass_fd(cmd, -1, 0);
}

static void err_workdir(Command *cmd)
{
    command_set_working_dir(cmd, "relative/dir");
}

static const ErrorCase errors[] = {
    { "null-arg", err_null_arg, "command '/bin/x': NULL argument after '-a'" },
    { "env-name", err_env_name, "command '/bin/x': invalid environment variable 'A=B'" },
    { "env-digit", err_env_digit, "command '/bin/x': invalid environment variable '1A'" },
    { "fd-std", err_fd_std, "command '/bin/x': cannot pass fd 5 as fd 1" },
    { "fd-twice", err_fd_twice, "command '/bin/x': fd 5 is passed twice" },
    { "fd-negative", err_fd_negative, "command '/bin/x': cannot pass fd -1 as fd -1" },
    { "workdir", err_workdir,
      "command '/bin/x': working directory 'relative/dir' is not absolute" },
};

static void test_error(gconstpointer data)
{
    const ErrorCase *c = data;
    g_autoptr(Command) cmd = command_new("/bin/x");
    g_autoptr(GError) error = NULL;
    g_autofree char *s = NULL;

    c->build(cmd);
    s = command_to_string(cmd, &error);
    g_assert_null(s);
    g_assert_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG);
    g_assert_cmpstr(error->message, ==, c->message);
    g_clear_error(&error);
    g_assert_false(command_check(cmd, &error));
    g_assert_cmpstr(error->message, ==, c->message);
}

static void test_no_binary(void)
{
    g_autoptr(Command) cmd = command_new("");
    g_autoptr(Command) cmd2 = command_new_argv((const char *const[]){ NULL });
    g_autoptr(GError) error = NULL;

    g_assert_false(command_check(cmd, &error));
    g_assert_cmpstr(error->message, ==, "command has no binary");
    g_clear_error(&error);
    g_assert_false(command_check(cmd2, &error));
}

static bool fd_is_open(int fd)
{
    return fcntl(fd, F_GETFD) >= 0;
}

static void test_owned_fd_closed(void)
{
    int fds[2];
    Command *cmd = command_new("/bin/x");
    g_autoptr(Command) bad = command_new("/bin/x");

    g_assert_cmpint(pipe(fds), ==, 0);
    command_pass_fd(cmd, fds[0], COMMAND_FD_CLOSE_PARENT);
    command_pass_fd(cmd, fds[1], 0);
    g_assert_true(fd_is_open(fds[0]));
    command_free(cmd);
    g_assert_false(fd_is_open(fds[0])); /* owned: closed with the command */
    g_assert_true(fd_is_open(fds[1]));  /* borrowed: still ours */

    /* an owned fd is closed even when it is refused */
    g_assert_cmpint(pipe(fds), ==, 0);
    command_pass_fd(bad, fds[0], 0);
    command_map_fd(bad, fds[1], fds[0], COMMAND_FD_CLOSE_PARENT);
    g_assert_false(command_check(bad, NULL));
    g_assert_false(fd_is_open(fds[1]));
    (void)close(fds[0]);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(golden); i++) {
        g_autofree char *name = g_strdup_printf("/util/command/golden/%s", golden[i].name);

        g_test_add_data_func(name, &golden[i], test_golden);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(errors); i++) {
        g_autofree char *name = g_strdup_printf("/util/command/error/%s", errors[i].name);

        g_test_add_data_func(name, &errors[i], test_error);
    }
    g_test_add_func("/util/command/argv-env", test_argv_env);
    g_test_add_func("/util/command/no-binary", test_no_binary);
    g_test_add_func("/util/command/owned-fd-closed", test_owned_fd_closed);
    return g_test_run();
}
