/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tier: unit. The sd-event autoptr cleanups release what they hold. */

#include "util/sd-autoptr.h"

static int on_defer(sd_event_source *source, void *userdata)
{
    int *count = userdata;

    (*count)++;
    return sd_event_exit(sd_event_source_get_event(source), 0);
}

static void test_sd_event_autoptr(void)
{
    g_autoptr(sd_event) event = NULL;
    g_autoptr(sd_event_source) source = NULL;
    int count = 0;

    g_assert_cmpint(sd_event_new(&event), >=, 0);
    g_assert_cmpint(sd_event_add_defer(event, &source, on_defer, &count), >=, 0);
    g_assert_cmpint(sd_event_loop(event), ==, 0);
    g_assert_cmpint(count, ==, 1);
    /* both unreferenced at scope exit; valgrind/ASan runs check nothing leaks */
}

static void test_sd_bus_message_null(void)
{
    g_autoptr(sd_bus_message) msg = NULL;
    g_autoptr(sd_bus) bus = NULL;

    g_assert_null(msg); /* the cleanups accept NULL */
    g_assert_null(bus);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/util/sd-autoptr/event", test_sd_event_autoptr);
    g_test_add_func("/util/sd-autoptr/null", test_sd_bus_message_null);
    return g_test_run();
}
