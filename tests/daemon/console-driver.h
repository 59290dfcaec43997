/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A console for test drivers: domain_open_console connects to the unix socket
 * CONSOLE_DIR/<domain>.sock (CONSOLE_DIR/<domain>-<dev>.sock for a named device),
 * where the test listens and plays the guest's serial port. Only running or paused
 * domains have one, as with QEMU.
 */

#include "driver/driver.h"

/* Where the sockets are; set before the daemon starts (it forks). */
extern char *console_driver_dir;

/* @base's ops plus domain_open_console (state checked with @base->domain_get_state). */
DriverOps console_driver_wrap(const DriverOps *base);
