/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A small in-memory DriverOps for the daemon tests (scheme "fake"): domains defined
 * from "<domain><name>N</name></domain>", lifecycle events to every open connection,
 * and a lookup of the name "block" (high priority) and get-capabilities (low priority)
 * that wait for a byte on fake_driver_block_fd when it is set, so tests can hold
 * calls in flight. A lookup of "whoami" answers a domain named "loop" when it ran on
 * the daemon's main (loop) thread, "worker" otherwise. fake_driver_inline_ops is the
 * same driver claiming reads_never_block (its "block" lookup then holds the loop).
 * Create-with-files keeps the first descriptor while the domain runs and writes the
 * domain's name into the others; create-XML-with-files is not implemented.
 */

#include "daemon/daemon.h"
#include "driver/driver.h"

/* proxyd's test driver (test_driver_ops) as a daemon: sockets "libvirt-sock*", as
 * libvirt's own clients look for them, and test:///default held for the daemon's life
 * so that every connection shares its domains. */
extern const DaemonInfo test_driver_daemon_info;

/* "virtfaked": its sockets, scheme "fake", default URI fake:///default */
extern const DaemonInfo fake_driver_info;
extern const DriverOps fake_driver_ops;
extern const DriverOps fake_driver_inline_ops;
extern int fake_driver_block_fd;
