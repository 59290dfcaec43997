/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libclient (libvirtkit.so, public header only) against proxyd: the latency of a
 * cheap call and the throughput of 32 concurrent clients, as 32 processes (what issue 3
 * means: independent clients) and as 32 threads of this process. Prints numbers,
 * asserts nothing about them; the proxyd comes from tests/client's harness.
 *
 * bench-libclient --uri URI [--label NAME] measures URI instead (bench.py runs it
 * against proxyd and libvirtd side by side: libclient speaks to either);
 * --latency-only skips the throughput runs. The throughput runs also put all 32 threads
 * on one shared connection, where their calls overlap on one socket.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <virtkit/virtkit.h>

#include <glib.h>

#include "remote-harness.h"

#define N_LATENCY 5000
#define N_WARMUP 200
#define N_CLIENTS 32
#define N_PER_CLIENT 300

typedef struct Client {
    virConnectPtr conn;
    int failures;
} Client;

static int lookup_once(virConnectPtr conn)
{
    virDomainPtr dom = virDomainLookupByName(conn, "test");

    if (!dom)
        return -1;
    virDomainFree(dom);
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

static const char *label = "libclient";

static void bench_latency(const char *uri)
{
    g_autofree int64_t *samples = g_new(int64_t, N_LATENCY);
    virConnectPtr conn = virConnectOpen(uri);
    double sum = 0;
    int failures = 0;

    if (!conn) {
        printf("%s: cannot connect to %s\n", label, uri);
        return;
    }
    for (int i = 0; i < N_WARMUP; i++)
        failures += lookup_once(conn) < 0;
    for (int i = 0; i < N_LATENCY; i++) {
        int64_t t0 = g_get_monotonic_time();

        failures += lookup_once(conn) < 0;
        samples[i] = g_get_monotonic_time() - t0;
        sum += (double)samples[i];
    }
    virConnectClose(conn);
    qsort(samples, N_LATENCY, sizeof(*samples), cmp_i64);
    printf("%s: virDomainLookupByName latency, N=%d: mean %.1f µs, p50 %" G_GINT64_FORMAT
           " µs, p99 %" G_GINT64_FORMAT " µs (%d failed)\n",
           label, N_LATENCY, sum / N_LATENCY, samples[N_LATENCY / 2], samples[N_LATENCY * 99 / 100],
           failures);
}

static void print_throughput(const char *mode, int64_t dt_us, int failures)
{
    printf("%s: %d client %s x %d virDomainLookupByName: %.0f calls/s (%d failed)\n", label,
           N_CLIENTS, mode, N_PER_CLIENT, (double)N_CLIENTS * N_PER_CLIENT * 1e6 / (double)dt_us,
           failures);
}

/* The start line: every client is connected before the clock starts. */
static GMutex start_lock;
static GCond start_cond;
static bool started;

static gpointer client_thread(gpointer data)
{
    Client *c = data;

    g_mutex_lock(&start_lock);
    while (!started)
        g_cond_wait(&start_cond, &start_lock);
    g_mutex_unlock(&start_lock);
    for (int i = 0; i < N_PER_CLIENT; i++)
        c->failures += lookup_once(c->conn) < 0;
    return NULL;
}

/* One thread per client, all released at once; returns the time until the last
 * one finished. */
static int64_t run_client_threads(Client clients[N_CLIENTS])
{
    GThread *threads[N_CLIENTS];
    int64_t t0;

    started = false;
    for (int i = 0; i < N_CLIENTS; i++)
        threads[i] = g_thread_new("bench-client", client_thread, &clients[i]);
    g_mutex_lock(&start_lock);
    started = true;
    t0 = g_get_monotonic_time();
    g_cond_broadcast(&start_cond);
    g_mutex_unlock(&start_lock);
    for (int i = 0; i < N_CLIENTS; i++)
        g_thread_join(threads[i]);
    return g_get_monotonic_time() - t0;
}

/* N_CLIENTS threads of this process, one connection each. */
static void bench_throughput_threads(const char *uri)
{
    Client clients[N_CLIENTS] = { 0 };
    int64_t dt;
    int failures = 0;

    for (int i = 0; i < N_CLIENTS; i++) {
        clients[i].conn = virConnectOpen(uri);
        if (!clients[i].conn) {
            printf("%s: client %d cannot connect\n", label, i);
            for (int j = 0; j < i; j++)
                virConnectClose(clients[j].conn);
            return;
        }
    }
    dt = run_client_threads(clients);
    for (int i = 0; i < N_CLIENTS; i++) {
        failures += clients[i].failures;
        virConnectClose(clients[i].conn);
    }
    print_throughput("threads", dt, failures);
}

/* What a client process reports: less than PIPE_BUF, so writes of it never mix. */
typedef struct ProcessResult {
    int64_t end_us; /* g_get_monotonic_time(): CLOCK_MONOTONIC, one clock for all */
    int failures;   /* -1: could not connect */
} ProcessResult;

/*
 * One client process: connect, report ready, wait at the start line (the parent
 * closes @go_fd's write end), call, report. Forked while this process has no
 * connection (and so no libclient thread) open.
 */
static G_NORETURN void process_client(const char *uri, int ready_fd, int go_fd, int result_fd)
{
    ProcessResult res = { 0 };
    virConnectPtr conn = virConnectOpen(uri);
    char byte = conn ? 1 : 0;

    (void)!write(ready_fd, &byte, 1);
    while (read(go_fd, &byte, 1) < 0 && errno == EINTR)
        ;
    if (!conn)
        res.failures = -1;
    for (int i = 0; conn && i < N_PER_CLIENT; i++)
        res.failures += lookup_once(conn) < 0;
    res.end_us = g_get_monotonic_time();
    (void)!write(result_fd, &res, sizeof(res));
    if (conn)
        virConnectClose(conn);
    _exit(0);
}

static bool read_full(int fd, void *buf, size_t size)
{
    size_t got = 0;

    while (got < size) {
        ssize_t n = read(fd, (char *)buf + got, size - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        got += (size_t)n;
    }
    return true;
}

/* N_CLIENTS threads sharing one connection: their calls overlap on one socket, so
 * this is what the client's reader hand-over costs (issue 3). */
static void bench_throughput_shared(const char *uri)
{
    Client clients[N_CLIENTS] = { 0 };
    virConnectPtr conn = virConnectOpen(uri);
    int64_t dt;
    int failures = 0;

    if (!conn) {
        printf("%s: cannot connect to %s\n", label, uri);
        return;
    }
    for (int i = 0; i < N_CLIENTS; i++)
        clients[i].conn = conn;
    dt = run_client_threads(clients);
    for (int i = 0; i < N_CLIENTS; i++)
        failures += clients[i].failures;
    virConnectClose(conn);
    print_throughput("threads on one connection", dt, failures);
}

/* N_CLIENTS processes, one connection each: from all connected to the last reply. */
static void bench_throughput_processes(const char *uri)
{
    int ready[2], go[2], result[2];
    pid_t pids[N_CLIENTS];
    char ok[N_CLIENTS];
    int64_t t0, end = 0;
    int failures = 0, lost = 0;

    if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0 || pipe2(result, O_CLOEXEC) < 0) {
        printf("%s: pipe: %s\n", label, g_strerror(errno));
        return;
    }
    fflush(stdout);
    for (int i = 0; i < N_CLIENTS; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            close(go[1]);
            process_client(uri, ready[1], go[0], result[1]);
        }
    }
    close(ready[1]);
    close(go[0]);
    close(result[1]);
    (void)read_full(ready[0], ok, sizeof(ok));
    t0 = g_get_monotonic_time();
    close(go[1]); /* everyone starts */
    for (int i = 0; i < N_CLIENTS; i++) {
        ProcessResult res;

        if (!read_full(result[0], &res, sizeof(res))) {
            lost++;
            continue;
        }
        if (res.failures < 0)
            lost++;
        else
            failures += res.failures;
        end = MAX(end, res.end_us);
    }
    for (int i = 0; i < N_CLIENTS; i++)
        (void)waitpid(pids[i], NULL, 0);
    close(ready[0]);
    close(result[0]);
    if (lost) {
        printf("%s: %d client processes could not connect or died\n", label, lost);
        return;
    }
    print_throughput("processes", end - t0, failures);
}

static void bench_throughput(const char *uri)
{
    bench_throughput_processes(uri);
    fflush(stdout);
    bench_throughput_threads(uri);
    fflush(stdout);
    bench_throughput_shared(uri);
}

int main(int argc, char **argv)
{
    g_autofree char *uri = NULL;
    g_autofree char *name = NULL;
    gboolean latency_only = FALSE;
    GOptionEntry entries[] = {
        { "uri", 0, 0, G_OPTION_ARG_STRING, &uri, "measure this URI (no proxyd)", "URI" },
        { "label", 0, 0, G_OPTION_ARG_STRING, &name, "prefix of the printed lines", "NAME" },
        { "latency-only", 0, 0, G_OPTION_ARG_NONE, &latency_only, "skip the throughput runs",
          NULL },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_autoptr(GError) error = NULL;
    TestProxyd *pd;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "%s\n", error->message);
        return 2;
    }
    if (name)
        label = name;
    if (uri) {
        bench_latency(uri);
        fflush(stdout);
        if (!latency_only)
            bench_throughput(uri);
        return 0;
    }
    pd = test_proxyd_start(NULL);
    printf("libclient: proxyd %s\n", test_proxyd_exe());
    fflush(stdout);
    bench_latency(pd->uri);
    fflush(stdout);
    bench_throughput(pd->uri);
    test_proxyd_stop(pd);
    return 0;
}
