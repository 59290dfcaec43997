/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Undefine policy: what undefining a domain does to its snapshot and checkpoint
 * metadata, managed-save image, NVRAM and TPM state. One pure decision that every driver
 * calls and carries out; no driver repeats these rules.
 */

#include <glib.h>
#include <stdbool.h>

#include "util/enum-table.h"

/* virDomainUndefineFlagsValues, same numbers. */
typedef enum UndefineFlags {
    UNDEFINE_MANAGED_SAVE = 1u << 0,
    UNDEFINE_SNAPSHOTS_METADATA = 1u << 1,
    UNDEFINE_NVRAM = 1u << 2,
    UNDEFINE_KEEP_NVRAM = 1u << 3,
    UNDEFINE_CHECKPOINTS_METADATA = 1u << 4,
    UNDEFINE_TPM = 1u << 5,
    UNDEFINE_KEEP_TPM = 1u << 6,
} UndefineFlags;

#define UNDEFINE_FLAGS_ALL 0x7fu

typedef struct UndefineRequest {
    unsigned int flags;     /* UndefineFlags */
    unsigned int supported; /* the flags this driver implements; 0 = all of them */
    GQuark edom;            /* the driver's error domain; 0 = VIRT_FROM_DOMAIN */
} UndefineRequest;

/* What the driver knows about the domain at the time of the call. */
typedef struct DomainFacts {
    const char *name;
    bool persistent;
    bool active;
    unsigned int n_snapshots;   /* snapshots with metadata */
    unsigned int n_checkpoints; /* checkpoints with metadata */
    bool has_managed_save;      /* a managed-save image exists */
    bool has_nvram_file;        /* a local NVRAM file exists */
    bool has_tpm_state;         /* persistent swtpm state exists */
    bool tpm_persistent_state;  /* <tpm><backend persistent_state='yes'>: keep by default */
} DomainFacts;

typedef enum UndefineAction {
    UNDEFINE_ACTION_REMOVE_OBJECT,  /* inactive: the domain object goes away */
    UNDEFINE_ACTION_MAKE_TRANSIENT, /* running: it keeps running as a transient domain */
    _UNDEFINE_ACTION_MAX,
    _UNDEFINE_ACTION_INVALID = -EINVAL,
} UndefineAction;
ENUM_TABLE_DECLARE(undefine_action, UndefineAction);

typedef struct UndefinePlan {
    bool delete_snapshot_metadata;
    bool delete_checkpoint_metadata;
    bool delete_managed_save;
    bool delete_nvram;
    bool delete_tpm_state;
    bool remove_config; /* the persistent config file and autostart link */
    UndefineAction action;
} UndefinePlan;

bool undefine_policy_plan(const UndefineRequest *req, const DomainFacts *facts,
                          UndefinePlan *ret_plan, GError **error);
/* What goes when a transient domain stops (destroy, shutdown, crash): never refused. */
void undefine_policy_plan_transient_stop(const DomainFacts *facts, UndefinePlan *ret_plan);
