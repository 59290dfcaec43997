/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The worker pool: calls run on worker threads (a normal pool and a priority pool for
 * cheap reads, so lookups are never starved by long jobs), and anything a worker or a
 * driver thread produces reaches the loop thread through worker_pool_post().
 */

#include <glib.h>
#include <stdbool.h>

typedef struct Daemon Daemon;
typedef struct WorkerPool WorkerPool;

/* Runs on the loop thread with the data given to worker_pool_post(). */
typedef void (*LoopFunc)(Daemon *daemon, gpointer data);

/* lifecycle */
WorkerPool *worker_pool_new(Daemon *daemon, GError **error);
WorkerPool *worker_pool_free(WorkerPool *pool); /* finishes queued work, runs posts */

/* any thread */
void worker_pool_submit(WorkerPool *pool, bool priority, GFunc func, gpointer data);
void worker_pool_post(WorkerPool *pool, LoopFunc func, gpointer data);

/* admin: thread pool parameters */
typedef struct WorkerPoolStats {
    unsigned int min_workers;
    unsigned int max_workers;
    unsigned int prio_workers;
    unsigned int n_workers;
    unsigned int free_workers;
    unsigned int job_queue_depth;
} WorkerPoolStats;

void worker_pool_get_stats(WorkerPool *pool, WorkerPoolStats *ret_stats);
bool worker_pool_set_limits(WorkerPool *pool, int min_workers, int max_workers, int prio_workers,
                            GError **error);
