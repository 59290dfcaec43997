/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Caller identity forwarded by a proxy (CONNECT_SET_IDENTITY, 419), with libvirt's
 * typed-parameter names (user-name, unix-user-id, group-name, unix-group-id,
 * process-id, process-time, sasl-user-name, x509-distinguished-name,
 * selinux-context).
 *
 * A driver daemon takes a forwarded identity only from a trusted proxy: the peer
 * runs as root or as the daemon's own user, and it proves it is proxyd or
 * virtremoted with the token in the socket directory (a file only that user can
 * read), sent as the extra parameter "virtkit-proxy-token". Anyone else gets
 * VIR_ERR_ACCESS_DENIED.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "rpc/remote-protocol.h"

#define DAEMON_IDENTITY_TOKEN_PARAM "virtkit-proxy-token"
#define DAEMON_IDENTITY_TOKEN_FILE "virtkit-proxy-token"

typedef struct DaemonIdentity {
    char *user_name;
    char *group_name;
    bool has_uid, has_gid, has_pid, has_process_time;
    uint64_t uid;
    uint64_t gid;
    int64_t pid;
    uint64_t process_time; /* clock ticks since boot, /proc/PID/stat field 22 */
    char *sasl_user_name;
    char *x509_dname;
    char *selinux_context;
} DaemonIdentity;

DaemonIdentity *daemon_identity_free(DaemonIdentity *identity);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DaemonIdentity, daemon_identity_free)

/* I/O: who the peer with these credentials is */
DaemonIdentity *daemon_identity_from_peer(const struct ucred *cred);

/* pure: to and from the wire's typed parameters (token not included / returned apart) */
void daemon_identity_to_params(const DaemonIdentity *identity, const char *token,
                               remote_typed_param **ret_val, u_int *ret_len);
DaemonIdentity *daemon_identity_from_params(const remote_typed_param *params, u_int n,
                                            const char **ret_token, GError **error);
void daemon_identity_params_free(remote_typed_param *params, u_int n);

/* the proxy token in @run_dir: proxyd creates it, driver daemons check it */
char *daemon_identity_token_acquire(const char *run_dir, GError **error);
bool daemon_identity_token_check(const char *run_dir, const char *token);
