/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* fake:/// — a minimal DriverOps for libclient's unit tests. */

#include "driver/driver.h"

extern const DriverOps fake_driver_ops;

int fake_driver_open_count(void);
