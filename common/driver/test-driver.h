/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The test driver: libvirt's test:/// driver in memory, the reference implementation
 * of every op in driver.h. test:///default is one state shared by the whole process;
 * test:///ABSOLUTE/PATH.xml loads a <node> file into a state private to the
 * connection. Nothing is persisted.
 */

#include "driver/driver.h"

extern const DriverOps test_driver_ops;

/* Keep test:///default alive without a connection (a daemon holds it for its
 * lifetime); otherwise it is dropped, like libvirt's, when its last connection closes.
 * Holds nest. */
bool test_driver_default_hold(GError **error);
void test_driver_default_release(void);
