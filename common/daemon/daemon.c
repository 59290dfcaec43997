/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* daemon_run(): options, config, pid file, the sd-event loop, signals and idle exit. */

#define G_LOG_DOMAIN "virtkit-daemon"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

#include "conf/xml-read.h"
#include "daemon/daemon-priv.h"
#include "daemon/loop-invoke.h"
#include "daemon/log.h"
#include "daemon/route-priv.h"
#include "daemon/worker.h"
#include "util/error.h"

static gint daemon_inhibit_count;
static LoopInvoker *daemon_invoker; /* the running daemon's; main thread writes it */

/**
 * daemon_loop_invoker - run work on the running daemon's loop (loop-invoke.h)
 *
 * Valid from the init hook until the shutdown hook has returned; NULL otherwise.
 */
LoopInvoker *daemon_loop_invoker(void)
{
    return daemon_invoker;
}

/**
 * daemon_inhibit_acquire - keep the daemon from exiting while idle
 *
 * Drivers call this (through their main.c) while guests run; counted, thread-safe.
 */
void daemon_inhibit_acquire(void)
{
    g_atomic_int_inc(&daemon_inhibit_count);
}

/** daemon_inhibit_release - drop one daemon_inhibit_acquire() */
void daemon_inhibit_release(void)
{
    g_atomic_int_add(&daemon_inhibit_count, -1);
}

bool daemon_inhibited(Daemon *daemon)
{
    if (g_atomic_int_get(&daemon_inhibit_count) > 0)
        return true;
    return daemon->info->inhibit_idle && daemon->info->inhibit_idle();
}

Daemon *daemon_new(const DriverOps *ops, const DaemonInfo *info)
{
    Daemon *daemon = g_new0(Daemon, 1);

    daemon->ops = ops;
    daemon->info = info;
    daemon->uid = geteuid();
    daemon->pid_fd = -1;
    daemon->handoff_fd = -1;
    daemon->listeners = g_ptr_array_new();
    daemon->clients = g_hash_table_new(g_int64_hash, g_int64_equal);
    daemon->started_at = g_get_monotonic_time();
    return daemon;
}

Daemon *daemon_free(Daemon *daemon)
{
    if (!daemon)
        return NULL;
    if (daemon->listeners)
        listener_close_all(daemon);
    client_close_all(daemon);
    daemon_route_close_all(daemon);
    if (daemon->invoker)
        loop_invoker_stop(daemon->invoker);
    /* waits for running calls; their replies are dropped with their clients */
    daemon->workers = worker_pool_free(daemon->workers);
    g_clear_pointer(&daemon->listeners, g_ptr_array_unref);
    g_clear_pointer(&daemon->clients, g_hash_table_unref);
    daemon->idle_timer = sd_event_source_disable_unref(daemon->idle_timer);
    if (daemon->invoker == daemon_invoker)
        daemon_invoker = NULL;
    daemon->invoker = loop_invoker_free(daemon->invoker);
    daemon->event = sd_event_unref(daemon->event);
    if (daemon->pid_fd >= 0) {
        (void)unlink(daemon->paths.pid_file);
        close(daemon->pid_fd);
    }
    daemon_options_clear(&daemon->opts);
    daemon_config_clear(&daemon->config);
    daemon_paths_clear(&daemon->paths);
    g_free(daemon);
    return NULL;
}

static bool daemon_pidfile_acquire(Daemon *daemon, GError **error)
{
    const char *path = daemon->paths.pid_file;
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *pid = g_strdup_printf("%d\n", (int)getpid());
    int fd;

    (void)g_mkdir_with_parents(dir, 0755);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR, "cannot open pid file '%s': %s",
                    path, g_strerror(errno));
        return false;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        char buf[32] = "";

        (void)!read(fd, buf, sizeof(buf) - 1);
        g_strchomp(buf);
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_OPERATION_INVALID,
                    "%s is already running (pid file '%s' is locked by pid %s)", daemon->info->name,
                    path, *buf ? buf : "?");
        close(fd);
        return false;
    }
    if (ftruncate(fd, 0) < 0 || write(fd, pid, strlen(pid)) != (ssize_t)strlen(pid)) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR, "cannot write pid file '%s': %s",
                    path, g_strerror(errno));
        close(fd);
        return false;
    }
    daemon->pid_fd = fd;
    return true;
}

static unsigned int daemon_client_count(Daemon *daemon)
{
    return g_hash_table_size(daemon->clients) + daemon_route_count(daemon);
}

static int daemon_on_idle_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
    Daemon *daemon = userdata;

    if (daemon_client_count(daemon) == 0 && !daemon_inhibited(daemon)) {
        g_info("idle for %d seconds, exiting", daemon->opts.timeout);
        return sd_event_exit(daemon->event, 0);
    }
    /* still busy: look again a full timeout later */
    (void)sd_event_source_set_time_relative(s, (uint64_t)daemon->opts.timeout * G_USEC_PER_SEC);
    return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

/**
 * daemon_update_idle - (re)arm or stop the idle-exit timer after the client count changed
 * @daemon: the daemon
 *
 * The timer runs only while no client is connected on any socket (admin included).
 */
void daemon_update_idle(Daemon *daemon)
{
    uint64_t usec = (uint64_t)daemon->opts.timeout * G_USEC_PER_SEC;
    int enabled = SD_EVENT_OFF;

    if (!daemon->idle_timer)
        return;
    if (daemon_client_count(daemon) > 0) {
        (void)sd_event_source_set_enabled(daemon->idle_timer, SD_EVENT_OFF);
        return;
    }
    (void)sd_event_source_get_enabled(daemon->idle_timer, &enabled);
    if (enabled != SD_EVENT_OFF)
        return;
    (void)sd_event_source_set_time_relative(daemon->idle_timer, usec);
    (void)sd_event_source_set_enabled(daemon->idle_timer, SD_EVENT_ONESHOT);
}

/**
 * daemon_set_timeout - change the idle timeout at run time (admin)
 * @daemon: the daemon
 * @timeout: seconds; 0 disables the idle exit
 */
bool daemon_set_timeout(Daemon *daemon, int timeout, GError **error)
{
    int r;

    daemon->opts.timeout = timeout;
    daemon->idle_timer = sd_event_source_disable_unref(daemon->idle_timer);
    if (timeout <= 0)
        return true;
    r = sd_event_add_time_relative(daemon->event, &daemon->idle_timer, CLOCK_MONOTONIC,
                                   (uint64_t)timeout * G_USEC_PER_SEC, 0, daemon_on_idle_timer,
                                   daemon);
    if (r < 0) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR, "cannot create idle timer: %s",
                    g_strerror(-r));
        return false;
    }
    (void)sd_event_source_set_enabled(daemon->idle_timer, SD_EVENT_OFF);
    daemon_update_idle(daemon);
    return true;
}

static int daemon_on_quit_signal(sd_event_source *s, const struct signalfd_siginfo *si,
                                 void *userdata)
{
    Daemon *daemon = userdata;

    g_info("received signal %u, shutting down", si->ssi_signo);
    return sd_event_exit(daemon->event, 0);
}

/* Re-read the config file; socket settings only change with a restart. */
static void daemon_reload_config(Daemon *daemon)
{
    g_autoptr(GError) error = NULL;
    DaemonConfig config;

    daemon_config_init(&config, daemon->paths.privileged);
    if (!daemon_config_load_file(&config, daemon->paths.config_file,
                                 daemon->opts.config_file != NULL, &error) ||
        !daemon_log_setup(&config, daemon->opts.verbose, &error) ||
        !worker_pool_set_limits(daemon->workers, -1, (int)config.max_workers, -1, &error)) {
        g_warning("reload: keeping the previous configuration: %s", error->message);
        daemon_config_clear(&config);
        return;
    }
    g_free(config.unix_sock_dir);
    g_free(config.unix_sock_group);
    config.unix_sock_dir = g_steal_pointer(&daemon->config.unix_sock_dir);
    config.unix_sock_group = g_steal_pointer(&daemon->config.unix_sock_group);
    config.unix_sock_rw_perms = daemon->config.unix_sock_rw_perms;
    config.unix_sock_ro_perms = daemon->config.unix_sock_ro_perms;
    config.unix_sock_admin_perms = daemon->config.unix_sock_admin_perms;
    daemon_config_clear(&daemon->config);
    daemon->config = config;
    poll_window_set_max(&daemon->poll_window, config.poll_max_us);
}

static int daemon_on_reload_signal(sd_event_source *s, const struct signalfd_siginfo *si,
                                   void *userdata)
{
    Daemon *daemon = userdata;

    /* systemd's notify-reload protocol: RELOADING=1 ... READY=1 */
    (void)sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64, (uint64_t)g_get_monotonic_time());
    g_info("received SIGHUP, reloading");
    daemon_reload_config(daemon);
    if (daemon->info->reload)
        daemon->info->reload();
    (void)sd_notify(0, "READY=1");
    return 0;
}

static bool daemon_setup_loop(Daemon *daemon, GError **error)
{
    int r = sd_event_new(&daemon->event);

    if (r < 0) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR, "sd_event_new: %s",
                    g_strerror(-r));
        return false;
    }
    /* the signals are blocked in every thread since daemon_block_signals() */
    if ((r = sd_event_add_signal(daemon->event, NULL, SIGTERM, daemon_on_quit_signal, daemon)) <
            0 ||
        (r = sd_event_add_signal(daemon->event, NULL, SIGINT, daemon_on_quit_signal, daemon)) < 0 ||
        (r = sd_event_add_signal(daemon->event, NULL, SIGHUP, daemon_on_reload_signal, daemon)) <
            0) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR, "cannot watch signals: %s",
                    g_strerror(-r));
        return false;
    }
    if (!daemon_set_timeout(daemon, daemon->opts.timeout, error))
        return false;
    daemon->invoker = loop_invoker_new(daemon->event, error);
    if (!daemon->invoker)
        return false;
    daemon_invoker = daemon->invoker;
    daemon->workers = worker_pool_new(daemon, error);
    return daemon->workers != NULL;
}

static bool daemon_configure(Daemon *daemon, int argc, char **argv, GError **error)
{
    g_autofree char *config_file = NULL;
    bool privileged = daemon->uid == 0;
    const char *config_home = g_get_user_config_dir();

    if (!daemon_options_parse(&daemon->opts, &argc, &argv, error))
        return false;
    if (daemon->opts.version)
        return true;
    daemon_config_init(&daemon->config, privileged);
    config_file = daemon->opts.config_file
                      ? g_strdup(daemon->opts.config_file)
                      : daemon_paths_default_config(daemon->info->name, privileged,
                                                    daemon->opts.root, config_home);
    if (!daemon_config_load_file(&daemon->config, config_file, daemon->opts.config_file != NULL,
                                 error))
        return false;
    if (!daemon_log_setup(&daemon->config, daemon->opts.verbose, error))
        return false;
    return daemon_paths_compute(daemon->info->name, daemon->info->sock_prefix, privileged,
                                &daemon->opts, &daemon->config, g_getenv("XDG_RUNTIME_DIR"),
                                config_home, &daemon->paths, error);
}

static void daemon_block_signals(void)
{
    sigset_t set;

    /* before any thread exists, so that only the loop's signalfd sees them */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    (void)pthread_sigmask(SIG_BLOCK, &set, NULL);
    (void)signal(SIGPIPE, SIG_IGN);
}

static int daemon_serve(Daemon *daemon, GError **error)
{
    int r;

    if (!daemon_pidfile_acquire(daemon, error))
        return -1;
    /* the loop (and its invoker) exist before the init hook, which may use them */
    if (!daemon_setup_loop(daemon, error))
        return -1;
    if (daemon->info->init && !daemon->info->init(&daemon->paths, error))
        return -1;
    if (!listener_setup_all(daemon, error) || !daemon_route_handoff_listen(daemon, error))
        return -1;
    daemon_update_idle(daemon);
    (void)sd_notify(0, "READY=1");
    g_info("%s %s ready on '%s'", daemon->info->name, VIRTKIT_VERSION,
           daemon->paths.sockets[DAEMON_SOCKET_RW]);
    poll_window_init(&daemon->poll_window, daemon->config.poll_max_us);
    r = loop_run(daemon->event, &daemon->poll_window, &daemon->loop_stats);
    (void)sd_notify(0, "STOPPING=1");
    g_info("loop: %" PRIu64 " events, %" PRIu64 " caught while polling, %" PRIu64
           " polls preempted",
           daemon->loop_stats.iterations, daemon->loop_stats.caught, daemon->loop_stats.preempted);
    if (r < 0) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR, "event loop failed: %s",
                    g_strerror(-r));
        return -1;
    }
    return r;
}

/**
 * daemon_run - the whole life of a daemon
 * @ops: the driver it hosts
 * @info: its names and hooks
 * @argc: from main()
 * @argv: from main()
 *
 * Returns the process exit status: 0 after SIGTERM/SIGINT or an idle exit, 1 when
 * startup fails (the reason is logged once).
 */
int daemon_run(const DriverOps *ops, const DaemonInfo *info, int argc, char **argv)
{
    g_autoptr(Daemon) daemon = NULL;
    g_autoptr(GError) error = NULL;
    int r;

    xml_library_init(); /* before the first worker thread */
    daemon_block_signals();
    daemon = daemon_new(ops, info);
    if (!daemon_configure(daemon, argc, argv, &error)) {
        fprintf(stderr, "%s: %s\n", info->name, error->message);
        return 1;
    }
    if (daemon->opts.version) {
        printf("%s (virtkit) %s\n", info->name, VIRTKIT_VERSION);
        return 0;
    }
    r = daemon_serve(daemon, &error);
    if (r < 0) {
        /* stderr directly: under G_DEBUG=fatal-warnings a g_critical() would abort */
        fprintf(stderr, "%s: %s\n", info->name, error->message);
        return 1;
    }
    listener_close_all(daemon);
    client_close_all(daemon);
    daemon_route_close_all(daemon);
    /* a worker waiting in loop_invoker_call() must not wait for the stopped loop */
    loop_invoker_stop(daemon->invoker);
    daemon->workers = worker_pool_free(daemon->workers);
    if (info->shutdown)
        info->shutdown();
    return r;
}
