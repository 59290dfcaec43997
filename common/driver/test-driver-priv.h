/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Internals of the test driver shared by its files and its tests. */

#include <glib.h>
#include <stdbool.h>

#include "conf/domain-def.h"
#include "driver/driver-domain-common.h"
#include "driver/driver-snapshot-common.h"
#include "driver/driver.h"
#include "util/error.h"
#include "state/domain-obj-list.h"

/* One in-memory "host": test:///default has one per process, every custom-file
 * connection has its own. */
typedef struct TestDriver {
    gint refcount;
    char *uri; /* what connect_get_uri answers */
    NodeInfo node;
    bool default_cells; /* capabilities list the built-in NUMA cells (only default) */
    DomainObjList *domains;
    DriverEventHub *events; /* the connections that receive this driver's events */
} TestDriver;

extern const DomainPostParseOps test_driver_post_parse_ops;
/* only what libvirt's domain parser adds (a redefined snapshot's config) */
extern const DomainPostParseOps test_driver_parser_ops;

/* test-driver-node.c: a driver built from a <node> document */
TestDriver *test_driver_new(const char *uri);
TestDriver *test_driver_ref(TestDriver *drv);
void test_driver_unref(TestDriver *drv);
bool test_driver_load_node(TestDriver *drv, const char *xml, const char *base_dir, GError **error);
bool test_driver_load_default(TestDriver *drv, GError **error);

/* test-driver-caps.c */
char *test_driver_format_capabilities(const TestDriver *drv);

/* test-driver.c: what the driver's files share */
struct DriverConn {
    TestDriver *drv;
    bool is_default;
    DriverEventSink *sink;
};

typedef bool (*JobBody)(TestDriver *drv, DomainObj *obj, unsigned int flags, GPtrArray *events,
                        GError **error);

static inline bool test_driver_check_flags(unsigned int flags, unsigned int allowed,
                                           const char *func, GError **error)
{
    return driver_check_flags(flags, allowed, func, VIRT_TEST_ERROR, error);
}

static inline DomainObj *test_driver_obj_from_ref(DriverConn *conn, const DomainRef *dom,
                                                  GError **error)
{
    return driver_domain_obj_from_ref(conn->drv->domains, VIRT_TEST_ERROR, dom, error);
}

/* Run @body as the job @job on the domain @dom, then deliver its events. */
bool test_driver_run_job(DriverConn *conn, const DomainRef *dom, const char *job, JobBody body,
                         unsigned int flags, DomainObj **ret_obj, GError **error);
/* Stop @obj with @reason and queue STOPPED/@detail; a transient domain goes away with
 * its snapshot metadata. */
void test_driver_stop_obj(TestDriver *drv, DomainObj *obj, int reason, int detail,
                          GPtrArray *events);

/* test-driver-snapshot.c: snapshot metadata lives in DomainObj.priv (a SnapshotTree) */
/* Drop every snapshot of @obj (undefine with SNAPSHOTS_METADATA). */
void test_driver_snapshot_forget_locked(DomainObj *obj);
/* Install the <test:domainsnapshot> definitions (XML strings) of a node file. */
bool test_driver_snapshot_preload_locked(DomainObj *obj, GPtrArray *xmls, GError **error);
/* Carry out conf's plan for a transient domain that stopped. */
void test_driver_transient_stop_locked(DomainObj *obj);
bool test_domain_managed_save(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                              GError **error);
bool test_domain_managed_save_remove(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                     GError **error);
SnapshotRef *test_domain_snapshot_create_xml(DriverConn *conn, const DomainRef *dom,
                                             const char *xml, unsigned int flags, GError **error);
/* the read-only ops (driver-snapshot-common.h) */
DRIVER_SNAPSHOT_DECLARE_READ_OPS(test);
bool test_domain_revert_to_snapshot(DriverConn *conn, const SnapshotRef *snap, unsigned int flags,
                                    GError **error);
bool test_domain_snapshot_delete(DriverConn *conn, const SnapshotRef *snap, unsigned int flags,
                                 GError **error);
