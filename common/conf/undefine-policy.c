/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdarg.h>

#include "conf/undefine-policy.h"
#include "util/error.h"

ENUM_TABLE_DEFINE(undefine_action, UndefineAction,
                  _UNDEFINE_ACTION_MAX, [UNDEFINE_ACTION_REMOVE_OBJECT] = "remove-object",
                  [UNDEFINE_ACTION_MAKE_TRANSIENT] = "make-transient");

static bool refuse(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static bool refuse(GError **error, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(error, VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_INVALID, msg);
    return false;
}

/* Metadata of an inactive domain would be stranded by the undefine (a later domain of
 * the same name would inherit it), so it is refused unless the caller asked for it to
 * go too. A running domain keeps its metadata until it stops. */
static bool check_metadata(const DomainFacts *facts, unsigned int count, bool flag,
                           const char *what, const char *option, GError **error)
{
    if (facts->active || count == 0 || flag)
        return true;
    return refuse(error,
                  "cannot undefine domain '%s': it has %u %s%s; use %s to remove %s metadata "
                  "with it",
                  facts->name, count, what, count == 1 ? "" : "s", option,
                  count == 1 ? "its" : "their");
}

static bool check_conflicts(unsigned int flags, unsigned int supported, const DomainFacts *facts,
                            GError **error)
{
    unsigned int known = supported ? supported & UNDEFINE_FLAGS_ALL : UNDEFINE_FLAGS_ALL;

    if (flags & ~known) {
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INVALID_ARG,
                    "unsupported undefine flags 0x%x for domain '%s'", flags & ~known, facts->name);
        return false;
    }
    if ((flags & UNDEFINE_NVRAM) && (flags & UNDEFINE_KEEP_NVRAM))
        return refuse(error, "cannot both keep and delete the NVRAM of domain '%s'", facts->name);
    if ((flags & UNDEFINE_TPM) && (flags & UNDEFINE_KEEP_TPM))
        return refuse(error, "cannot both keep and delete the TPM state of domain '%s'",
                      facts->name);
    return true;
}

/* undefine_policy_plan() with the refusals in VIRT_FROM_DOMAIN */
static bool undefine_policy_decide(const UndefineRequest *req, const DomainFacts *facts,
                                   UndefinePlan *ret_plan, GError **error)
{
    unsigned int flags = req->flags;
    UndefinePlan plan = { .remove_config = true };

    if (!check_conflicts(flags, req->supported, facts, error))
        return false;
    if (!facts->persistent)
        return refuse(error, "cannot undefine transient domain '%s'", facts->name);
    if (!check_metadata(facts, facts->n_snapshots, flags & UNDEFINE_SNAPSHOTS_METADATA, "snapshot",
                        "--snapshots-metadata", error))
        return false;
    if (!check_metadata(facts, facts->n_checkpoints, flags & UNDEFINE_CHECKPOINTS_METADATA,
                        "checkpoint", "--checkpoints-metadata", error))
        return false;
    if (facts->has_managed_save && !(flags & UNDEFINE_MANAGED_SAVE))
        return refuse(error,
                      "cannot undefine domain '%s' while it has a managed save image; use "
                      "--managed-save to remove it with it",
                      facts->name);
    if (facts->has_nvram_file && !(flags & (UNDEFINE_NVRAM | UNDEFINE_KEEP_NVRAM)))
        return refuse(error,
                      "cannot undefine domain '%s' while it has an NVRAM file; use --nvram to "
                      "remove it or --keep-nvram to keep it",
                      facts->name);

    plan.action = facts->active ? UNDEFINE_ACTION_MAKE_TRANSIENT : UNDEFINE_ACTION_REMOVE_OBJECT;
    /* Removing the object takes every piece of metadata with it, even files of
     * snapshots the caller did not count, so nothing is left for a namesake. */
    plan.delete_snapshot_metadata = !facts->active;
    plan.delete_checkpoint_metadata = !facts->active;
    plan.delete_managed_save = facts->has_managed_save;
    plan.delete_nvram = facts->has_nvram_file && (flags & UNDEFINE_NVRAM);
    if (!facts->active && facts->has_tpm_state) {
        plan.delete_tpm_state = (flags & UNDEFINE_TPM) ||
                                (!(flags & UNDEFINE_KEEP_TPM) && !facts->tpm_persistent_state);
    }
    *ret_plan = plan;
    return true;
}

/**
 * undefine_policy_plan - decide what undefining a domain does, or why it is refused
 * @req: the caller's flags, and the flags the driver implements (others: INVALID_ARG)
 * @facts: the domain's situation
 * @ret_plan: what the driver must do, in any order it likes; written only on success
 * @error: VIRT_ERR_OPERATION_INVALID (or INVALID_ARG for unknown flags) naming the
 *         domain and what to pass
 *
 * The checks run in libvirt's order (conflicting flags, transient, snapshots,
 * checkpoints, managed save, NVRAM) so the first refusal a user sees is libvirt's.
 * TPM state is decided only when the object is removed; a running domain's TPM state
 * is handled when it stops.
 *
 * Returns: true with @ret_plan filled, false with @error set.
 */
bool undefine_policy_plan(const UndefineRequest *req, const DomainFacts *facts,
                          UndefinePlan *ret_plan, GError **error)
{
    g_autoptr(GError) err = NULL;

    if (undefine_policy_decide(req, facts, ret_plan, &err))
        return true;
    /* the refusal comes from the driver, as libvirt's do (VIR_FROM_TEST, VIR_FROM_QEMU) */
    if (req->edom)
        err->domain = req->edom;
    g_propagate_error(error, g_steal_pointer(&err));
    return false;
}

/**
 * undefine_policy_plan_transient_stop - what goes when a transient domain stops
 * @facts: the domain's situation (persistent is false)
 * @ret_plan: always filled
 *
 * The object is removed and, with it, all snapshot and checkpoint metadata (libvirt
 * discards it there, so a later domain of the same name inherits nothing) and TPM state
 * unless the domain asked to keep it. Disk contents, the NVRAM file and a managed-save
 * image (which a transient domain cannot have) are left alone.
 */
void undefine_policy_plan_transient_stop(const DomainFacts *facts, UndefinePlan *ret_plan)
{
    *ret_plan = (UndefinePlan){
        .delete_snapshot_metadata = true,
        .delete_checkpoint_metadata = true,
        .delete_tpm_state = facts->has_tpm_state && !facts->tpm_persistent_state,
        .action = UNDEFINE_ACTION_REMOVE_OBJECT,
    };
}
