/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The procedure table generated from remote-protocol.x by gen-proc-table.py: for
 * every program and procedure, its payload marshalling (libtirpc xdrprocs made by
 * rpcgen from the same schema), access class, priority, acl, auth, open, dispatch
 * and ro_denied_flags annotations.
 */

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rpc/types.h>
#include <rpc/xdr.h>

#include "util/enum-table.h"

typedef enum RpcProcAccess {
    RPC_PROC_ACCESS_READ_ONLY,
    RPC_PROC_ACCESS_READ_WRITE,
    _RPC_PROC_ACCESS_MAX,
    _RPC_PROC_ACCESS_INVALID = -EINVAL,
} RpcProcAccess;

typedef enum RpcProcPriority {
    RPC_PROC_PRIORITY_LOW,
    RPC_PROC_PRIORITY_HIGH,
    _RPC_PROC_PRIORITY_MAX,
    _RPC_PROC_PRIORITY_INVALID = -EINVAL,
} RpcProcPriority;

typedef enum RpcProcKind {
    RPC_PROC_KIND_CALL,    /* CALL with _args, REPLY with _ret */
    RPC_PROC_KIND_MESSAGE, /* MESSAGE with _msg (events, keepalive) */
    _RPC_PROC_KIND_MAX,
    _RPC_PROC_KIND_INVALID = -EINVAL,
} RpcProcKind;

typedef enum RpcProcStream {
    RPC_PROC_STREAM_NONE,
    RPC_PROC_STREAM_READ,  /* server -> client data */
    RPC_PROC_STREAM_WRITE, /* client -> server data */
    _RPC_PROC_STREAM_MAX,
    _RPC_PROC_STREAM_INVALID = -EINVAL,
} RpcProcStream;

/* Where a daemon runs the call (the schema's @dispatch annotation). */
typedef enum RpcProcDispatch {
    RPC_PROC_DISPATCH_WORKER, /* a worker thread: may block (the default) */
    RPC_PROC_DISPATCH_INLINE, /* a cheap read answered from committed state: the loop
                               * thread when the driver's reads never block */
    RPC_PROC_DISPATCH_LOOP,   /* the loop thread always: touches only session state */
    _RPC_PROC_DISPATCH_MAX,
    _RPC_PROC_DISPATCH_INVALID = -EINVAL,
} RpcProcDispatch;

/* Why a read-only connection may not pass a flag (the schema's @ro_denied_flags). */
typedef enum RpcProcRoDenied {
    RPC_PROC_RO_DENIED_SECURE, /* the flag reveals secrets (VIR_DOMAIN_XML_SECURE) */
    RPC_PROC_RO_DENIED_WRITE,  /* the flag makes the read change state (VCPU_GUEST) */
    _RPC_PROC_RO_DENIED_MAX,
    _RPC_PROC_RO_DENIED_INVALID = -EINVAL,
} RpcProcRoDenied;

ENUM_TABLE_DECLARE(rpc_proc_access, RpcProcAccess);
ENUM_TABLE_DECLARE(rpc_proc_priority, RpcProcPriority);
ENUM_TABLE_DECLARE(rpc_proc_dispatch, RpcProcDispatch);

/* One payload type: xdr_void with size 0 when the payload is empty. */
typedef struct RpcPayloadType {
    xdrproc_t proc;
    size_t size;
    const char *name; /* NULL when void */
} RpcPayloadType;

/* Flags of a read-only procedure that a read-only connection may not pass, and where
 * the "unsigned int flags" member sits in the decoded _args struct. */
typedef struct RpcProcFlagGate {
    uint32_t mask; /* 0: the procedure has no such flag */
    RpcProcRoDenied why;
    size_t offset; /* offsetof(args type, flags) */
} RpcProcFlagGate;

typedef struct RpcProcInfo {
    uint32_t prog;
    int proc;
    const char *name; /* "REMOTE_PROC_CONNECT_OPEN" */
    RpcProcKind kind;
    RpcPayloadType args;
    RpcPayloadType ret;
    RpcPayloadType msg;
    RpcProcAccess access;
    RpcProcPriority priority;
    RpcProcStream stream;
    RpcProcDispatch dispatch;
    bool needs_auth;
    bool needs_open;        /* remote program: refused until CONNECT_OPEN succeeded */
    const char *const *acl; /* NULL-terminated "object:perm[:FLAG]" or NULL */
    RpcProcFlagGate ro_denied;
} RpcProcInfo;

typedef struct RpcProgramInfo {
    uint32_t prog;
    uint32_t vers;
    const char *name;         /* "remote", "keepalive", "admin" */
    const RpcProcInfo *procs; /* sorted by proc */
    size_t n_procs;
} RpcProgramInfo;

/* Generated. */
extern const RpcProgramInfo rpc_programs[];
extern const size_t rpc_n_programs;

const RpcProgramInfo *rpc_program_lookup(uint32_t prog);
const RpcProcInfo *rpc_proc_lookup(uint32_t prog, int proc);
const RpcProcInfo *rpc_proc_lookup_by_name(const char *name);
uint32_t rpc_proc_ro_denied_flags(const RpcProcInfo *info, const void *args);
