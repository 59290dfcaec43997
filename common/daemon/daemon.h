/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The server core every daemon runs: one sd-event loop owning all sockets, a worker
 * pool for calls, the remote program dispatched to one DriverOps table, and the admin
 * program on the admin socket. A daemon's main.c fills a DaemonInfo and calls
 * daemon_run().
 */

#include <glib.h>
#include <stdbool.h>

#include "daemon/config.h"
#include "driver/driver.h"

typedef struct DaemonRouter DaemonRouter;

typedef struct DaemonInfo {
    const char *name;          /* "virtqemud", "virtproxyd": units, pid and config file */
    const char *sock_prefix;   /* "virtqemud", "libvirt": socket file names */
    const char *driver_scheme; /* URI scheme served: "qemu", "test" */
    const char *default_uri;   /* opened for an empty CONNECT_OPEN name; NULL means
                                * "<scheme>:///system" or "<scheme>:///session" */

    /* optional hooks, all called on the main thread */
    bool (*init)(const DaemonPaths *paths, GError **error); /* before accepting clients */
    void (*shutdown)(void);                                 /* after the last client */
    void (*reload)(void);                                   /* SIGHUP */
    bool (*inhibit_idle)(void); /* true while the driver must keep running (guests up) */

    const DaemonRouter *router; /* proxyd: CONNECT_OPEN may go to another daemon (route.h) */
} DaemonInfo;

int daemon_run(const DriverOps *ops, const DaemonInfo *info, int argc, char **argv);

/* Hold off the idle exit (thread-safe, counted). */
void daemon_inhibit_acquire(void);
void daemon_inhibit_release(void);
