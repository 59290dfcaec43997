/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Internals of the test driver shared by its files and its tests. */

#include <glib.h>
#include <stdbool.h>

#include "conf/domain-def.h"
#include "driver/driver.h"
#include "state/domain-obj-list.h"

/* One in-memory "host": test:///default has one per process, every custom-file
 * connection has its own. */
typedef struct TestDriver {
    gint refcount;
    char *uri; /* what connect_get_uri answers */
    NodeInfo node;
    bool default_cells; /* capabilities list the built-in NUMA cells (only default) */
    DomainObjList *domains;

    GMutex conns_lock; /* protects conns */
    GPtrArray *conns;  /* DriverConn* that receive this driver's events (not owned) */
} TestDriver;

extern const DomainPostParseOps test_driver_post_parse_ops;

/* test-driver-node.c: a driver built from a <node> document */
TestDriver *test_driver_new(const char *uri);
TestDriver *test_driver_ref(TestDriver *drv);
void test_driver_unref(TestDriver *drv);
bool test_driver_load_node(TestDriver *drv, const char *xml, const char *base_dir, GError **error);
bool test_driver_load_default(TestDriver *drv, GError **error);

/* test-driver-caps.c */
char *test_driver_format_capabilities(const TestDriver *drv);
