/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Worker threads for calls; an eventfd brings their results back to the loop. */

#define G_LOG_DOMAIN "virtkit-daemon"

#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "daemon/daemon-priv.h"
#include "daemon/worker.h"
#include "util/error.h"

#define PRIO_WORKERS_DEFAULT 5

typedef struct WorkerJob {
    GFunc func;
    gpointer data;
    gint *busy; /* the pool's count of queued + running jobs */
} WorkerJob;

typedef struct LoopPost {
    LoopFunc func;
    gpointer data;
} LoopPost;

struct WorkerPool {
    Daemon *daemon;
    GThreadPool *normal;
    GThreadPool *prio;
    gint busy_normal; /* jobs queued or running in @normal */
    unsigned int min_workers;
    GMutex lock;  /* guards posts */
    GQueue posts; /* LoopPost* */
    int event_fd;
    sd_event_source *source;
    bool stopped; /* pools are gone: jobs run inline on the caller */
};

static void worker_run_job(gpointer job_ptr, gpointer user_data)
{
    WorkerJob *job = job_ptr;

    job->func(job->data, user_data);
    if (job->busy)
        g_atomic_int_add(job->busy, -1);
    g_free(job);
}

static void worker_pool_run_posts(WorkerPool *pool)
{
    for (;;) {
        LoopPost *post;

        g_mutex_lock(&pool->lock);
        post = g_queue_pop_head(&pool->posts);
        g_mutex_unlock(&pool->lock);
        if (!post)
            return;
        post->func(pool->daemon, post->data);
        g_free(post);
    }
}

static int worker_on_event_fd(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
    WorkerPool *pool = userdata;
    uint64_t n;

    (void)!read(fd, &n, sizeof(n));
    worker_pool_run_posts(pool);
    return 0;
}

/**
 * worker_pool_new - start the worker pools for @daemon
 * @daemon: daemon with config and loop set up
 * @error: set when threads or the eventfd cannot be created
 */
WorkerPool *worker_pool_new(Daemon *daemon, GError **error)
{
    g_autoptr(GError) local = NULL;
    WorkerPool *pool = g_new0(WorkerPool, 1);
    int r;

    pool->daemon = daemon;
    pool->min_workers = 0;
    g_mutex_init(&pool->lock);
    g_queue_init(&pool->posts);
    pool->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    pool->normal =
        g_thread_pool_new(worker_run_job, daemon, daemon->config.max_workers, FALSE, &local);
    if (pool->normal)
        pool->prio = g_thread_pool_new(worker_run_job, daemon, PRIO_WORKERS_DEFAULT, FALSE, &local);
    if (!pool->prio || pool->event_fd < 0) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR,
                    "cannot start worker threads: %s", local ? local->message : g_strerror(errno));
        return worker_pool_free(pool);
    }
    r = sd_event_add_io(daemon->event, &pool->source, pool->event_fd, EPOLLIN, worker_on_event_fd,
                        pool);
    if (r < 0) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR, "cannot watch eventfd: %s",
                    g_strerror(-r));
        return worker_pool_free(pool);
    }
    return pool;
}

/**
 * worker_pool_free - stop the pools
 * @pool: pool or NULL
 *
 * Jobs already queued still run; the posts they leave are then run here, on the
 * calling (loop) thread, so that nothing they own leaks. Returns NULL.
 */
WorkerPool *worker_pool_free(WorkerPool *pool)
{
    if (!pool)
        return NULL;
    if (pool->normal)
        g_thread_pool_free(pool->normal, FALSE, TRUE);
    if (pool->prio)
        g_thread_pool_free(pool->prio, FALSE, TRUE);
    pool->normal = pool->prio = NULL;
    pool->stopped = true;
    worker_pool_run_posts(pool);
    sd_event_source_disable_unref(pool->source);
    if (pool->event_fd >= 0)
        close(pool->event_fd);
    g_mutex_clear(&pool->lock);
    g_free(pool);
    return NULL;
}

/**
 * worker_pool_submit - run @func(@data) on a worker thread
 * @pool: the pool
 * @priority: a cheap call that must not wait behind long jobs: it may use the
 *            priority pool when the normal one is full
 * @func: called as func(data, daemon)
 * @data: handed to @func, which owns it
 */
void worker_pool_submit(WorkerPool *pool, bool priority, GFunc func, gpointer data)
{
    WorkerJob *job;

    if (pool->stopped) {
        func(data, pool->daemon);
        return;
    }
    job = g_new0(WorkerJob, 1);
    job->func = func;
    job->data = data;
    /* like libvirt's priority workers: a cheap call uses the normal pool while it has
     * a free thread, and the priority pool only when long jobs fill the normal one */
    if (priority &&
        g_atomic_int_get(&pool->busy_normal) >= g_thread_pool_get_max_threads(pool->normal)) {
        (void)g_thread_pool_push(pool->prio, job, NULL);
        return;
    }
    job->busy = &pool->busy_normal;
    g_atomic_int_inc(&pool->busy_normal);
    /* g_thread_pool_push only fails when a thread cannot be created; the job is then
     * still queued and runs on an existing thread */
    (void)g_thread_pool_push(pool->normal, job, NULL);
}

/**
 * worker_pool_post - run @func(daemon, @data) on the loop thread soon
 * @pool: the pool
 * @func: runs on the loop thread
 * @data: handed to @func, which owns it
 *
 * Thread-safe; the only way results of calls and driver events reach the loop.
 */
void worker_pool_post(WorkerPool *pool, LoopFunc func, gpointer data)
{
    LoopPost *post = g_new0(LoopPost, 1);
    uint64_t one = 1;
    bool wake;

    post->func = func;
    post->data = data;
    g_mutex_lock(&pool->lock);
    /* the loop drains the queue until it finds it empty: one wakeup per batch */
    wake = pool->posts.length == 0;
    g_queue_push_tail(&pool->posts, post);
    g_mutex_unlock(&pool->lock);
    if (wake)
        (void)!write(pool->event_fd, &one, sizeof(one));
}

/* Thread-pool parameters as virt-admin shows them. */
void worker_pool_get_stats(WorkerPool *pool, WorkerPoolStats *ret_stats)
{
    unsigned int n = g_thread_pool_get_num_threads(pool->normal);
    int max = g_thread_pool_get_max_threads(pool->normal);
    unsigned int queued = g_thread_pool_unprocessed(pool->normal);

    *ret_stats = (WorkerPoolStats){
        .min_workers = pool->min_workers,
        .max_workers = max < 0 ? 0 : (unsigned int)max,
        .prio_workers = (unsigned int)g_thread_pool_get_max_threads(pool->prio),
        .n_workers = n,
        .free_workers = queued > 0 ? 0 : n,
        .job_queue_depth = queued,
    };
}

/**
 * worker_pool_set_limits - change pool sizes; a negative value keeps the current one
 * @pool: the pool
 * @min_workers: kept for the admin interface (threads start on demand)
 * @max_workers: normal pool size, >= 1
 * @prio_workers: priority pool size, >= 1
 * @error: set on out-of-range values
 */
bool worker_pool_set_limits(WorkerPool *pool, int min_workers, int max_workers, int prio_workers,
                            GError **error)
{
    int cur_max = g_thread_pool_get_max_threads(pool->normal);
    int new_min = min_workers >= 0 ? min_workers : (int)pool->min_workers;
    int new_max = max_workers >= 0 ? max_workers : cur_max;

    if (new_max < 1 || new_min > new_max || prio_workers == 0) {
        g_set_error(error, VIRT_ADMIN_ERROR, VIRT_ERR_INVALID_ARG,
                    "invalid thread pool limits: minWorkers %d, maxWorkers %d", new_min, new_max);
        return false;
    }
    if (!g_thread_pool_set_max_threads(pool->normal, new_max, error))
        return false;
    if (prio_workers > 0 && !g_thread_pool_set_max_threads(pool->prio, prio_workers, error))
        return false;
    pool->min_workers = (unsigned int)new_min;
    return true;
}
