/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tier: unit (real threads, real processes). util_process_init() must make glib's number
 * parsing safe when the first parses of a process happen on several threads at once. The
 * race lives only in a fresh process, so each round is a new process of this binary
 * ("--race") whose threads parse "64" together; without the set-up about 7 processes in 100
 * see a spurious failure here (glib 2.74, 2 cores), so 150 rounds catch a regression
 * almost surely.
 */

#include <stdbool.h>
#include <string.h>

#include "util/process-init.h"

#define RACE_THREADS 8
#define RACE_ROUNDS 150
#define CONTROL_ROUNDS 50

static gint race_go;
static gint race_failures;

static gpointer race_parse(gpointer data)
{
    guint64 n;

    (void)data;
    while (!g_atomic_int_get(&race_go))
        ;
    if (!g_ascii_string_to_unsigned("64", 10, 0, G_MAXUINT64, &n, NULL) || n != 64)
        g_atomic_int_inc(&race_failures);
    return NULL;
}

/* One round in this fresh process: the exit status is the number of failed parses. */
static int race_round(bool init_first)
{
    GThread *threads[RACE_THREADS];

    if (init_first)
        util_process_init();
    for (int i = 0; i < RACE_THREADS; i++)
        threads[i] = g_thread_new("race", race_parse, NULL);
    g_atomic_int_set(&race_go, 1);
    for (int i = 0; i < RACE_THREADS; i++)
        g_thread_join(threads[i]);
    return g_atomic_int_get(&race_failures);
}

static int processes_failing(const char *mode, int rounds)
{
    const char *argv[] = { "/proc/self/exe", "--race", mode, NULL };
    int failing = 0;

    for (int i = 0; i < rounds; i++) {
        g_autoptr(GError) error = NULL;
        int status;

        g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                                   NULL, &status, &error));
        g_assert_no_error(error);
        if (!g_spawn_check_wait_status(status, NULL))
            failing++;
    }
    return failing;
}

static void test_parse_race_with_init(void)
{
    g_assert_cmpint(processes_failing("init", RACE_ROUNDS), ==, 0);
}

static void test_parse_race_without_init(void)
{
    /* The control: shows the race is real on this glib; not asserted, it is a chance. */
    g_test_message("without util_process_init: %d of %d processes saw a spurious failure",
                   processes_failing("none", CONTROL_ROUNDS), CONTROL_ROUNDS);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--race") == 0)
        return race_round(strcmp(argv[2], "init") == 0);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/util/process-init/parse-race", test_parse_race_with_init);
    g_test_add_func("/util/process-init/parse-race-control", test_parse_race_without_init);
    return g_test_run();
}
