/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A small in-memory DriverOps for the daemon tests (scheme "fake"): domains defined
 * from "<domain><name>N</name></domain>", lifecycle events to every open connection,
 * and a lookup of the name "block" (high priority) and get-capabilities (low priority)
 * that wait for a byte on fake_driver_block_fd when it is set, so tests can hold
 * calls in flight.
 */

#include "driver/driver.h"

extern const DriverOps fake_driver_ops;
extern int fake_driver_block_fd;
