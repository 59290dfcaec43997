/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Helpers shared by the test driver's tests: a connection that records the lifecycle
 * events it receives as "name event detail" strings, and assertions on errors, events
 * and states.
 */

#include <glib.h>
#include <stdbool.h>

#include "driver/test-driver.h"
#include "util/error.h"

#define OPS (&test_driver_ops)

typedef struct Conn {
    DriverConn *conn;
    GPtrArray *events; /* "name event detail" */
    GMutex lock;
} Conn;

char *data_path(const char *file);
bool conn_open_uri(Conn *c, const char *uri_str, GError **error);
void conn_open(Conn *c, const char *uri);
void conn_open_file(Conn *c, const char *file);
/* Opening test://<data>/@file must fail: its error. */
GError *conn_open_file_error(const char *file);
void conn_close(Conn *c);
/* The events seen since the last call, joined with "; ". */
char *take_events(Conn *c);
DomainRef *lookup(Conn *c, const char *name);
void assert_state(Conn *c, const DomainRef *dom, int state, int reason);

#define assert_events(c, expected)             \
    do {                                       \
        g_autofree char *_ev = take_events(c); \
        g_assert_cmpstr(_ev, ==, expected);    \
    } while (0)

#define assert_gerror(err, dom, code, msg)                \
    do {                                                  \
        g_assert_error(err, virt_error_quark(dom), code); \
        g_assert_cmpstr((err)->message, ==, msg);         \
        g_clear_error(&(err));                            \
    } while (0)
