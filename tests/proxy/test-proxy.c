/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyd routing end to end with raw packets: the real proxyd binary and a driver
 * daemon (VIRTKIT_TEST_QEMUD: the tests-only fake-qemud, or the real virtqemud)
 * under one temporary --root. Daemons report readiness with sd_notify and die with
 * the test (PDEATHSIG); every test removes its root.
 */

#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/identity.h"
#include "rpc/wire-error.h"
#include "test-harness.h"
#include "util/error.h"

#define NOBODY_UID 65534

typedef struct Proc {
    pid_t pid;
    int pidfd;
} Proc;

typedef struct Fixture {
    char *root;
    char *run_dir;
    Proc proxyd;
    Proc qemud;
    unsigned int serial;
} Fixture;

typedef struct SpawnOpts {
    uid_t uid;              /* 0: stay root */
    const char *const *env; /* extra "NAME=value" */
} SpawnOpts;

static const char *test_exe(const char *var)
{
    const char *exe = g_getenv(var);

    g_assert_nonnull(exe);
    return exe;
}

/* Run @argv with NOTIFY_SOCKET and wait for READY=1; fails if it exits first. */
static Proc spawn_ready(const char *root, const char *const *argv, const SpawnOpts *opts)
{
    g_autofree char *notify = g_strdup_printf("%s/notify-%d", root, g_random_int());
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int nfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    Proc p;

    strcpy(addr.sun_path, notify);
    g_assert_cmpint(bind(nfd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    if (opts && opts->uid)
        g_assert_cmpint(chown(notify, opts->uid, (gid_t)-1), ==, 0);
    p.pid = fork();
    g_assert_cmpint(p.pid, >=, 0);
    if (p.pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        setenv("NOTIFY_SOCKET", notify, 1);
        unsetenv("G_DEBUG");
        for (int i = 0; opts && opts->env && opts->env[i]; i++)
            putenv((char *)opts->env[i]);
        if (opts && opts->uid && (setgid(opts->uid) < 0 || setuid(opts->uid) < 0))
            _exit(126);
        execv(argv[0], (char **)argv);
        _exit(127);
    }
    p.pidfd = (int)syscall(SYS_pidfd_open, p.pid, 0);
    for (;;) {
        struct pollfd fds[2] = { { nfd, POLLIN, 0 }, { p.pidfd, POLLIN, 0 } };
        char buf[256];
        ssize_t n;

        g_assert_cmpint(poll(fds, 2, 20000), >, 0);
        g_assert_false(fds[1].revents & POLLIN); /* died during startup */
        n = recv(nfd, buf, sizeof(buf) - 1, 0);
        g_assert_cmpint(n, >, 0);
        buf[n] = '\0';
        if (strstr(buf, "READY=1"))
            break;
    }
    close(nfd);
    (void)unlink(notify);
    return p;
}

static int proc_stop(Proc *p)
{
    int status = -1;

    if (p->pid <= 0)
        return -1;
    kill(p->pid, SIGTERM);
    g_assert_cmpint(waitpid(p->pid, &status, 0), ==, p->pid);
    close(p->pidfd);
    p->pid = 0;
    return status;
}

/* Wait up to @ms for @p to exit by itself; its wait status or -1. */
static int proc_wait(Proc *p, int ms)
{
    struct pollfd pfd = { p->pidfd, POLLIN, 0 };
    int status = -1;

    if (poll(&pfd, 1, ms) != 1)
        return -1;
    g_assert_cmpint(waitpid(p->pid, &status, 0), ==, p->pid);
    close(p->pidfd);
    p->pid = 0;
    return status;
}

static void start_proxyd(Fixture *fx, const SpawnOpts *opts, const char *timeout)
{
    const char *argv[] = { test_exe("VIRTKIT_PROXYD"),   "--root", fx->root,
                           timeout ? "--timeout" : NULL, timeout,  NULL };

    fx->proxyd = spawn_ready(fx->root, argv, opts);
}

static void start_qemud(Fixture *fx)
{
    const char *argv[] = { test_exe("VIRTKIT_TEST_QEMUD"), "--root", fx->root, NULL };

    fx->qemud = spawn_ready(fx->root, argv, NULL);
}

static void fixture_setup(Fixture *fx, gconstpointer data)
{
    fx->root = g_dir_make_tmp("virtkit-proxy-XXXXXX", NULL);
    g_assert_nonnull(fx->root);
    fx->run_dir = g_build_filename(fx->root, "run", "libvirt", NULL);
    if (g_strcmp0(data, "no-qemud") != 0 && g_strcmp0(data, "manual") != 0)
        start_qemud(fx);
    if (g_strcmp0(data, "manual") != 0)
        start_proxyd(fx, NULL, NULL);
}

static void rm_rf(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *child = g_build_filename(path, name, NULL);

        rm_rf(child);
    }
    (void)remove(path);
}

static void fixture_teardown(Fixture *fx, gconstpointer data)
{
    /* a clean exit after SIGTERM (sanitizer builds: no leak, no error) */
    g_assert_cmpint(proc_stop(&fx->proxyd), <=, 0);
    g_assert_cmpint(proc_stop(&fx->qemud), <=, 0);
    rm_rf(fx->root);
    g_free(fx->root);
    g_free(fx->run_dir);
}

static char *sock_path(Fixture *fx, const char *name)
{
    return g_build_filename(fx->run_dir, name, NULL);
}

static GError *call(Fixture *fx, int fd, int proc, const void *args, void *ret)
{
    return test_call(fd, REMOTE_PROGRAM, proc, ++fx->serial, args, ret);
}

/* The libvirt client's handshake; returns the connection, or sets @ret_error. */
static int open_conn(Fixture *fx, const char *sock, const char *name, unsigned int flags,
                     GError **ret_error)
{
    g_autofree char *path = sock_path(fx, sock);
    int fd = test_connect(path);
    char *name_copy = (char *)name;
    remote_connect_open_args args = { .name = name ? &name_copy : NULL, .flags = flags };
    remote_connect_supports_feature_args feature = { 10 };
    remote_connect_supports_feature_ret supported = { 0 };
    remote_auth_list_ret auth = { { 0 } };
    GError *error = NULL;

    g_assert_no_error(call(fx, fd, REMOTE_PROC_AUTH_LIST, NULL, &auth));
    g_free(auth.types.types_val);
    g_assert_no_error(call(fx, fd, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, &feature, &supported));
    g_assert_cmpint(supported.supported, ==, 1);
    error = call(fx, fd, REMOTE_PROC_CONNECT_OPEN, &args, NULL);
    if (error) {
        *ret_error = error;
        close(fd);
        return -1;
    }
    return fd;
}

static char *get_uri(Fixture *fx, int fd)
{
    remote_connect_get_uri_ret ret = { 0 };

    g_assert_no_error(call(fx, fd, REMOTE_PROC_CONNECT_GET_URI, NULL, &ret));
    return ret.uri;
}

static char *get_type(Fixture *fx, int fd)
{
    remote_connect_get_type_ret ret = { 0 };

    g_assert_no_error(call(fx, fd, REMOTE_PROC_CONNECT_GET_TYPE, NULL, &ret));
    return ret.type;
}

static GError *define(Fixture *fx, int fd, const char *name)
{
    g_autofree char *xml =
        g_strdup_printf("<domain type='test'><name>%s</name><memory>131072</memory><vcpu>1</vcpu>"
                        "<os><type>hvm</type></os></domain>",
                        name);
    remote_domain_define_xml_args args = { .xml = xml };
    remote_domain_define_xml_ret ret = { { 0 } };
    GError *error = call(fx, fd, REMOTE_PROC_DOMAIN_DEFINE_XML, &args, &ret);

    g_free(ret.dom.name);
    return error;
}

static bool lookup(Fixture *fx, int fd, const char *name)
{
    remote_domain_lookup_by_name_args args = { .name = (char *)name };
    remote_domain_lookup_by_name_ret ret = { { 0 } };
    g_autoptr(GError) error = call(fx, fd, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, &args, &ret);

    g_free(ret.dom.name);
    return error == NULL;
}

/* qemu:///system through libvirt-sock reaches the driver daemon: its URI, its
 * domains, its events and its keepalive answers come back through the splice. */
static void test_route_qemu(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *uri = NULL;
    g_autofree char *direct_uri = NULL;
    remote_connect_domain_event_callback_register_any_args reg = { .eventID = 0 };
    remote_connect_domain_event_callback_register_any_ret reg_ret = { 0 };
    uint8_t ping[28] = { 0, 0, 0, 28, 0x6b, 0x65, 0x65, 0x70, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2 };
    int fd = open_conn(fx, "libvirt-sock", "qemu:///system", 0, &error);
    int direct;

    g_assert_no_error(error);
    uri = get_uri(fx, fd);
    g_assert_cmpstr(uri, ==, "qemu:///system");
    g_assert_no_error(
        call(fx, fd, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, &reg, &reg_ret));
    /* a domain defined by a direct client of the driver daemon: the proxied client
     * gets its event through the splice, and sees it */
    direct = open_conn(fx, "virtqemud-sock", "qemu:///system", 0, &error);
    g_assert_no_error(error);
    direct_uri = get_uri(fx, direct);
    g_assert_cmpstr(direct_uri, ==, "qemu:///system");
    g_assert_no_error(define(fx, direct, "proxied1"));
    close(direct);
    for (;;) {
        g_autoptr(RpcMessage) msg = test_recv_message(fd, 20000);

        g_assert_nonnull(msg);
        if (msg->header.type == RPC_MESSAGE_MESSAGE &&
            msg->header.proc == REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE)
            break;
    }
    g_assert_true(lookup(fx, fd, "proxied1"));
    /* keepalive PING to the driver daemon, PONG back */
    test_send_raw(fd, ping, sizeof(ping));
    for (;;) {
        g_autoptr(RpcMessage) msg = test_recv_message(fd, 20000);

        g_assert_nonnull(msg);
        if (msg->header.prog == 0x6b656570 && msg->header.proc == 2)
            break;
    }
    close(fd);
}

/* Handed over (the default), the client talks to the driver daemon directly: proxyd
 * can go away. Spliced (VIRTKIT_PROXYD_HANDOFF=0), the connection ends with it. */
static void test_route_proxyd_exit(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    int fd = open_conn(fx, "libvirt-sock", "qemu:///system", 0, &error);
    bool spliced = g_strcmp0(g_getenv("VIRTKIT_PROXYD_HANDOFF"), "0") == 0;

    g_assert_no_error(error);
    g_assert_cmpint(proc_stop(&fx->proxyd), ==, 0);
    if (spliced) {
        g_assert_true(test_wait_eof(fd, 20000));
    } else {
        g_autofree char *uri = get_uri(fx, fd);

        g_assert_cmpstr(uri, ==, "qemu:///system");
        g_assert_no_error(define(fx, fd, "after-proxyd"));
    }
    close(fd);
}

/* A read-only client reaches the read-only socket of the driver daemon. */
static void test_route_readonly(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    remote_connect_num_of_domains_ret num = { 0 };
    int fd = open_conn(fx, "libvirt-sock-ro", "qemu:///system", 0, &error);

    g_assert_no_error(error);
    g_assert_no_error(call(fx, fd, REMOTE_PROC_CONNECT_NUM_OF_DOMAINS, NULL, &num));
    g_assert_cmpint(num.num, >=, 1);
    error = define(fx, fd, "nope");
    g_assert_error(error, VIRT_RPC_ERROR, VIRT_ERR_OPERATION_DENIED);
    close(fd);
}

/* No name: the first driver daemon there is; CONNECT_GET_URI tells which. */
static void test_route_empty_uri(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *uri = NULL;
    int fd = open_conn(fx, "libvirt-sock", NULL, 0, &error);

    g_assert_no_error(error);
    uri = get_uri(fx, fd);
    g_assert_cmpstr(uri, ==, "qemu:///system");
    close(fd);
    /* "" as well */
    fd = open_conn(fx, "libvirt-sock-ro", "", 0, &error);
    g_assert_no_error(error);
    g_free(uri);
    uri = get_uri(fx, fd);
    g_assert_cmpstr(uri, ==, "qemu:///system");
    close(fd);
}

/* No driver daemon: an empty name gets proxyd's own test:///default, test:/// is
 * served in-process, and qemu:///system names what is missing and how to start it. */
static void test_route_no_daemon(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *uri = NULL;
    g_autofree char *type = NULL;
    g_autofree char *path = sock_path(fx, "virtqemud-sock");
    int fd = open_conn(fx, "libvirt-sock", NULL, 0, &error);

    g_assert_no_error(error);
    uri = get_uri(fx, fd);
    g_assert_cmpstr(uri, ==, "test:///default");
    type = get_type(fx, fd);
    g_assert_cmpstr(type, ==, "TEST");
    close(fd);
    fd = open_conn(fx, "libvirt-sock", "qemu:///system", 0, &error);
    g_assert_cmpint(fd, ==, -1);
    g_assert_error(error, VIRT_REMOTE_ERROR, VIRT_ERR_NO_CONNECT);
    g_assert_nonnull(strstr(error->message, "virtqemud is not running"));
    g_assert_nonnull(strstr(error->message, path));
    g_assert_nonnull(strstr(error->message, "systemctl start virtqemud.socket"));
    g_clear_error(&error);
    /* a scheme nobody serves: the core's answer */
    fd = open_conn(fx, "libvirt-sock", "vbox:///system", 0, &error);
    g_assert_error(error, VIRT_RPC_ERROR, VIRT_ERR_NO_CONNECT);
}

/* The driver daemon's error for the open reaches the client unchanged. */
static void test_route_upstream_error(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    int fd = open_conn(fx, "libvirt-sock", "qemu:///bogus", 0, &error);

    g_assert_cmpint(fd, ==, -1);
    g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR);
    g_assert_nonnull(strstr(error->message, "'/bogus'"));
}

/* When the driver daemon goes away, its clients see the connection close. */
static void test_route_upstream_exit(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    int fd = open_conn(fx, "libvirt-sock", "qemu:///system", 0, &error);

    g_assert_no_error(error);
    g_assert_cmpint(proc_stop(&fx->qemud), ==, 0);
    g_assert_true(test_wait_eof(fd, 20000));
    close(fd);
}

/* The driver daemon sees the proxied caller, not proxyd (virt-admin client-info). */
static void test_identity_forwarded(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *admin_path = sock_path(fx, "virtqemud-admin-sock");
    int fd = open_conn(fx, "libvirt-sock", "qemu:///system", 0, &error);
    int admin = test_connect(admin_path);
    admin_connect_open_args open_args = { 0 };
    admin_server_list_clients_args list_args = { { (char *)"virtqemud" }, 1, 0 };
    admin_server_list_clients_ret list = { { 0 } };
    bool found = false;

    g_assert_no_error(error);
    g_assert_no_error(
        test_call(admin, ADMIN_PROGRAM, ADMIN_PROC_CONNECT_OPEN, 1, &open_args, NULL));
    g_assert_no_error(
        test_call(admin, ADMIN_PROGRAM, ADMIN_PROC_SERVER_LIST_CLIENTS, 2, &list_args, &list));
    for (u_int i = 0; i < list.clients.clients_len; i++) {
        admin_client_get_info_args args = { list.clients.clients_val[i], 0 };
        admin_client_get_info_ret info = { { 0 } };

        g_assert_no_error(
            test_call(admin, ADMIN_PROGRAM, ADMIN_PROC_CLIENT_GET_INFO, 3 + i, &args, &info));
        for (u_int j = 0; j < info.params.params_len; j++) {
            admin_typed_param *p = &info.params.params_val[j];

            if (g_str_equal(p->field, "unix_process_id") &&
                p->value.admin_typed_param_value_u.i == (int)getpid())
                found = true;
        }
        xdr_free((xdrproc_t)xdr_admin_client_get_info_ret, (char *)&info);
    }
    xdr_free((xdrproc_t)xdr_admin_server_list_clients_ret, (char *)&list);
    g_assert_true(found);
    close(admin);
    close(fd);
}

static GError *set_identity(Fixture *fx, int fd, const char *token)
{
    struct ucred cred = { getpid(), getuid(), getgid() };
    g_autoptr(DaemonIdentity) id = daemon_identity_from_peer(&cred);
    remote_connect_set_identity_args args = { { 0 } };
    GError *error;

    daemon_identity_to_params(id, token, &args.params.params_val, &args.params.params_len);
    error = call(fx, fd, REMOTE_PROC_CONNECT_SET_IDENTITY, &args, NULL);
    daemon_identity_params_free(args.params.params_val, args.params.params_len);
    return error;
}

/* Only a trusted proxy may forward an identity: the token, and the peer's uid. */
static void test_identity_refused(Fixture *fx, gconstpointer data)
{
    g_autofree char *token_path = sock_path(fx, DAEMON_IDENTITY_TOKEN_FILE);
    g_autofree char *token = NULL;
    g_autoptr(GError) error = NULL;
    int fd = open_conn(fx, "virtqemud-sock-ro", "qemu:///system", 0, &error);
    struct stat st;
    pid_t pid;
    int status;

    g_assert_no_error(error);
    g_assert_true(g_file_get_contents(token_path, &token, NULL, NULL));
    g_assert_cmpint(stat(token_path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    error = set_identity(fx, fd, NULL);
    g_assert_error(error, VIRT_ACCESS_ERROR, VIRT_ERR_ACCESS_DENIED);
    g_clear_error(&error);
    error =
        set_identity(fx, fd, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    g_assert_error(error, VIRT_ACCESS_ERROR, VIRT_ERR_ACCESS_DENIED);
    g_clear_error(&error);
    /* as root with the token: accepted (proxyd does exactly this) */
    g_assert_no_error(set_identity(fx, fd, token));
    close(fd);
    if (getuid() != 0)
        return;
    /* another user with the token is still refused: the peer check */
    g_assert_cmpint(chmod(fx->root, 0755), ==, 0);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        g_autoptr(GError) child_error = NULL;

        if (setgid(NOBODY_UID) < 0 || setuid(NOBODY_UID) < 0)
            _exit(2);
        fd = open_conn(fx, "virtqemud-sock-ro", "qemu:///system", 0, &child_error);
        child_error = set_identity(fx, fd, token);
        _exit(g_error_matches(child_error, VIRT_ACCESS_ERROR, VIRT_ERR_ACCESS_DENIED) ? 0 : 1);
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

/* An idle proxyd counts spliced connections: it exits once the last one closed. */
static void test_idle_exit(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    int fd;

    start_qemud(fx);
    start_proxyd(fx, NULL, "1");
    fd = open_conn(fx, "libvirt-sock", "qemu:///system", 0, &error);
    g_assert_no_error(error);
    g_assert_no_error(define(fx, fd, "still-there"));
    close(fd);
    g_assert_cmpint(proc_wait(&fx->proxyd, 20000), ==, 0);
}

/* Session mode: proxyd as uid 65534 under a root it owns, starting @virtqemud.
 * False (the test is skipped) unless we are root. */
static bool start_session_proxyd(Fixture *fx, const char *virtqemud)
{
    g_autofree char *env = g_strdup_printf("VIRTQEMUD_PATH=%s", virtqemud);
    const char *envv[] = { env, NULL };
    SpawnOpts opts = { NOBODY_UID, envv };

    if (getuid() != 0) {
        g_test_skip("needs root to run proxyd as another user (session mode)");
        return false;
    }
    g_assert_cmpint(chown(fx->root, NOBODY_UID, NOBODY_UID), ==, 0);
    start_proxyd(fx, &opts, NULL);
    return true;
}

/* The daemon proxyd started is not our child: stop it through its pid file. */
static void stop_autostarted(Fixture *fx)
{
    g_autofree char *pid_file = g_build_filename(fx->root, "run", "virtqemud.pid", NULL);
    g_autofree char *pid_text = NULL;
    struct pollfd pfd = { -1, POLLIN, 0 };
    pid_t pid;

    g_assert_true(g_file_get_contents(pid_file, &pid_text, NULL, NULL));
    pid = (pid_t)atoi(pid_text);
    g_assert_cmpint(pid, >, 0);
    pfd.fd = (int)syscall(SYS_pidfd_open, pid, 0);
    g_assert_cmpint(pfd.fd, >=, 0);
    kill(pid, SIGTERM);
    g_assert_cmpint(poll(&pfd, 1, 20000), ==, 1);
    close(pfd.fd);
}

/* Session mode: the missing driver daemon is started, with --root and --timeout. */
static void test_autostart(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *uri = NULL;
    int fd;

    if (!start_session_proxyd(fx, test_exe("VIRTKIT_TEST_QEMUD")))
        return;
    fd = open_conn(fx, "libvirt-sock", "qemu:///session", 0, &error);
    g_assert_no_error(error);
    uri = get_uri(fx, fd);
    g_assert_cmpstr(uri, ==, "qemu:///session");
    g_assert_no_error(define(fx, fd, "session1"));
    close(fd);
    stop_autostarted(fx);
}

/* A driver daemon that fails to start: its own message reaches the client. */
static void test_autostart_fails(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    int fd;

    if (!start_session_proxyd(fx, "/bin/false"))
        return;
    fd = open_conn(fx, "libvirt-sock", "qemu:///session", 0, &error);
    g_assert_cmpint(fd, ==, -1);
    g_assert_error(error, VIRT_REMOTE_ERROR, VIRT_ERR_NO_CONNECT);
    g_assert_nonnull(strstr(error->message, "virtqemud exited before it was ready"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/proxy/route/qemu", Fixture, NULL, fixture_setup, test_route_qemu,
               fixture_teardown);
    g_test_add("/proxy/route/proxyd-exit", Fixture, NULL, fixture_setup, test_route_proxyd_exit,
               fixture_teardown);
    g_test_add("/proxy/route/readonly", Fixture, NULL, fixture_setup, test_route_readonly,
               fixture_teardown);
    g_test_add("/proxy/route/empty-uri", Fixture, NULL, fixture_setup, test_route_empty_uri,
               fixture_teardown);
    g_test_add("/proxy/route/no-daemon", Fixture, "no-qemud", fixture_setup, test_route_no_daemon,
               fixture_teardown);
    g_test_add("/proxy/route/upstream-error", Fixture, NULL, fixture_setup,
               test_route_upstream_error, fixture_teardown);
    g_test_add("/proxy/route/upstream-exit", Fixture, NULL, fixture_setup, test_route_upstream_exit,
               fixture_teardown);
    g_test_add("/proxy/identity/forwarded", Fixture, NULL, fixture_setup, test_identity_forwarded,
               fixture_teardown);
    g_test_add("/proxy/identity/refused", Fixture, NULL, fixture_setup, test_identity_refused,
               fixture_teardown);
    g_test_add("/proxy/idle-exit", Fixture, "manual", fixture_setup, test_idle_exit,
               fixture_teardown);
    g_test_add("/proxy/autostart/session", Fixture, "manual", fixture_setup, test_autostart,
               fixture_teardown);
    g_test_add("/proxy/autostart/fails", Fixture, "manual", fixture_setup, test_autostart_fails,
               fixture_teardown);
    return g_test_run();
}
