/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libclient (libvirtkit.so, public header only) against proxyd: the latency of a
 * cheap call and the throughput of 32 concurrent clients. Prints numbers, asserts
 * nothing about them; the proxyd comes from tests/client's harness.
 *
 * bench-libclient --uri URI [--label NAME] measures URI instead (bench.py runs it
 * against proxyd and libvirtd side by side: libclient speaks to either).
 */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

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

static void bench_throughput(const char *uri)
{
    Client clients[N_CLIENTS] = { 0 };
    GThread *threads[N_CLIENTS];
    int64_t t0, dt;
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
    for (int i = 0; i < N_CLIENTS; i++)
        threads[i] = g_thread_new("bench-client", client_thread, &clients[i]);
    g_mutex_lock(&start_lock);
    started = true;
    t0 = g_get_monotonic_time();
    g_cond_broadcast(&start_cond);
    g_mutex_unlock(&start_lock);
    for (int i = 0; i < N_CLIENTS; i++)
        g_thread_join(threads[i]);
    dt = g_get_monotonic_time() - t0;
    for (int i = 0; i < N_CLIENTS; i++) {
        failures += clients[i].failures;
        virConnectClose(clients[i].conn);
    }
    printf("%s: %d clients x %d virDomainLookupByName: %.0f calls/s (%d failed)\n", label,
           N_CLIENTS, N_PER_CLIENT, (double)N_CLIENTS * N_PER_CLIENT * 1e6 / (double)dt, failures);
}

int main(int argc, char **argv)
{
    g_autofree char *uri = NULL;
    g_autofree char *name = NULL;
    GOptionEntry entries[] = {
        { "uri", 0, 0, G_OPTION_ARG_STRING, &uri, "measure this URI (no proxyd)", "URI" },
        { "label", 0, 0, G_OPTION_ARG_STRING, &name, "prefix of the printed lines", "NAME" },
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
