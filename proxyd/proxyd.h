/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * proxyd's router: which daemon serves a URI (proxyd-plan.c, pure), starting a
 * session daemon that is not running (proxyd-autostart.c) and the handshake with
 * the driver daemon for the caller (proxyd-upstream.c). The core splices the
 * client to the socket the router returns (common/daemon/route.h).
 */

#include <glib.h>
#include <stdbool.h>

#include "daemon/identity.h"
#include "daemon/route.h"

/* Where a client's CONNECT_OPEN goes. */
typedef struct ProxydPlan {
    bool local;         /* served here: test:///, or nothing else fits */
    char *uri;          /* the URI to open (the probed one for an empty name) */
    char *daemon;       /* "virtqemud" */
    char *socket_path;  /* its rw or ro socket in our run dir */
    char *handoff_path; /* where it takes clients over while it runs */
} ProxydPlan;

void proxyd_plan_clear(ProxydPlan *plan);

typedef bool (*ProxydExistsFunc)(const char *path, void *user_data);

/* What the plan depends on, gathered by the caller. */
typedef struct ProxydPlanEnv {
    bool privileged; /* system mode */
    const char *run_dir;
    ProxydExistsFunc socket_exists;
    ProxydExistsFunc daemon_installed; /* session probing, by daemon name */
    void *user_data;
} ProxydPlanEnv;

bool proxyd_plan_route(const char *name, bool readonly, const ProxydPlanEnv *env,
                       ProxydPlan *ret_plan, GError **error);

/* proxyd-autostart.c */
bool proxyd_autostart(const char *daemon, const char *binary, const char *root, GError **error);

/* proxyd-upstream.c */
int proxyd_upstream_open(const char *socket_path, const char *name, unsigned int flags,
                         bool keepalive, const DaemonIdentity *identity, const char *token,
                         GError **error);

/* proxyd-router.c */
extern const DaemonRouter proxyd_router;
bool proxyd_router_init(const DaemonPaths *paths, GError **error);
void proxyd_router_shutdown(void);
