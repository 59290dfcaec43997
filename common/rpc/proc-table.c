/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lookups in the generated procedure table. */

#include <stdlib.h>
#include <string.h>

#include "rpc/proc-table.h"

ENUM_TABLE_DEFINE(rpc_proc_access, RpcProcAccess,
                  _RPC_PROC_ACCESS_MAX, [RPC_PROC_ACCESS_READ_ONLY] = "read-only",
                  [RPC_PROC_ACCESS_READ_WRITE] = "read-write");

ENUM_TABLE_DEFINE(
    rpc_proc_priority, RpcProcPriority,
    _RPC_PROC_PRIORITY_MAX, [RPC_PROC_PRIORITY_LOW] = "low", [RPC_PROC_PRIORITY_HIGH] = "high");

ENUM_TABLE_DEFINE(rpc_proc_dispatch, RpcProcDispatch,
                  _RPC_PROC_DISPATCH_MAX, [RPC_PROC_DISPATCH_WORKER] = "worker",
                  [RPC_PROC_DISPATCH_INLINE] = "inline", [RPC_PROC_DISPATCH_LOOP] = "loop");

/**
 * rpc_program_lookup: the program with number @prog, or NULL if we serve no such
 * program.
 */
const RpcProgramInfo *rpc_program_lookup(uint32_t prog)
{
    for (size_t i = 0; i < rpc_n_programs; i++) {
        if (rpc_programs[i].prog == prog)
            return &rpc_programs[i];
    }
    return NULL;
}

static int proc_compare(const void *key, const void *member)
{
    int proc = *(const int *)key;
    const RpcProcInfo *info = member;

    return (proc > info->proc) - (proc < info->proc);
}

/**
 * rpc_proc_lookup: procedure @proc of program @prog, or NULL when it is not in the
 * schema (the server answers such calls with VIRT_ERR_NO_SUPPORT).
 */
const RpcProcInfo *rpc_proc_lookup(uint32_t prog, int proc)
{
    const RpcProgramInfo *program = rpc_program_lookup(prog);

    if (!program)
        return NULL;
    return bsearch(&proc, program->procs, program->n_procs, sizeof(RpcProcInfo), proc_compare);
}

/**
 * rpc_proc_lookup_by_name: look a procedure up by its enum name, e.g.
 * "REMOTE_PROC_CONNECT_OPEN" (tests, tracing tools).
 */
const RpcProcInfo *rpc_proc_lookup_by_name(const char *name)
{
    for (size_t i = 0; i < rpc_n_programs; i++) {
        for (size_t j = 0; j < rpc_programs[i].n_procs; j++) {
            if (strcmp(rpc_programs[i].procs[j].name, name) == 0)
                return &rpc_programs[i].procs[j];
        }
    }
    return NULL;
}

/**
 * rpc_proc_ro_denied_flags: the flags in @args, decoded arguments of @info, that a
 * read-only connection may not pass (the schema's @ro_denied_flags); 0 when none are
 * set or the procedure has no such flags.
 */
uint32_t rpc_proc_ro_denied_flags(const RpcProcInfo *info, const void *args)
{
    uint32_t flags;

    if (!info->ro_denied.mask || !args)
        return 0;
    /* the generator placed offset on a 32-bit member of this very args type */
    memcpy(&flags, (const char *)args + info->ro_denied.offset, sizeof(flags));
    return flags & info->ro_denied.mask;
}
