/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The undefine policy against an oracle: every one of the 128 flag combinations times
 * every domain situation, each outcome compared with the rules written out plainly
 * below (libvirt-facts §3.2), plus literal cases that pin the exact wording.
 */

#include <glib.h>

#include <string.h>

#include "conf/undefine-policy.h"
#include "util/error.h"

typedef struct Expect {
    bool ok;
    VirtErrorCode code;
    char *message;
    UndefinePlan plan;
} Expect;

static void expect_clear(Expect *e)
{
    g_clear_pointer(&e->message, g_free);
}

static char *plural(unsigned int n, const char *what)
{
    return g_strdup_printf("%u %s%s", n, what, n == 1 ? "" : "s");
}

/* The rules, in order, as a reader of libvirt-facts §3.2 would state them. */
static Expect oracle(unsigned int f, const DomainFacts *d)
{
    Expect e = { .ok = false, .code = VIRT_ERR_OPERATION_INVALID };
    bool nvram = f & 4, keep_nvram = f & 8, tpm = f & 32, keep_tpm = f & 64;

    /* 1. asking to both keep and delete the same thing is a contradiction */
    if (nvram && keep_nvram) {
        e.message =
            g_strdup_printf("cannot both keep and delete the NVRAM of domain '%s'", d->name);
        return e;
    }
    if (tpm && keep_tpm) {
        e.message =
            g_strdup_printf("cannot both keep and delete the TPM state of domain '%s'", d->name);
        return e;
    }
    /* 2. nothing to undefine on a transient domain */
    if (!d->persistent) {
        e.message = g_strdup_printf("cannot undefine transient domain '%s'", d->name);
        return e;
    }
    /* 3. a shut-off domain may not leave snapshots or checkpoints behind silently */
    if (!d->active && d->n_snapshots > 0 && !(f & 2)) {
        g_autofree char *n = plural(d->n_snapshots, "snapshot");
        e.message = g_strdup_printf("cannot undefine domain '%s': it has %s; use "
                                    "--snapshots-metadata to remove %s metadata with it",
                                    d->name, n, d->n_snapshots == 1 ? "its" : "their");
        return e;
    }
    if (!d->active && d->n_checkpoints > 0 && !(f & 16)) {
        g_autofree char *n = plural(d->n_checkpoints, "checkpoint");
        e.message = g_strdup_printf("cannot undefine domain '%s': it has %s; use "
                                    "--checkpoints-metadata to remove %s metadata with it",
                                    d->name, n, d->n_checkpoints == 1 ? "its" : "their");
        return e;
    }
    /* 4. a managed-save image needs MANAGED_SAVE, running or not */
    if (d->has_managed_save && !(f & 1)) {
        e.message = g_strdup_printf("cannot undefine domain '%s' while it has a managed save "
                                    "image; use --managed-save to remove it with it",
                                    d->name);
        return e;
    }
    /* 5. an NVRAM file needs an explicit decision */
    if (d->has_nvram_file && !nvram && !keep_nvram) {
        e.message = g_strdup_printf("cannot undefine domain '%s' while it has an NVRAM file; "
                                    "use --nvram to remove it or --keep-nvram to keep it",
                                    d->name);
        return e;
    }
    /* 6./7. the config goes; a shut-off domain goes with everything it owns, a running
     * one stays as a transient domain with its metadata */
    e.ok = true;
    e.plan.remove_config = true;
    e.plan.action = d->active ? UNDEFINE_ACTION_MAKE_TRANSIENT : UNDEFINE_ACTION_REMOVE_OBJECT;
    e.plan.delete_snapshot_metadata = !d->active;
    e.plan.delete_checkpoint_metadata = !d->active;
    e.plan.delete_managed_save = d->has_managed_save;
    e.plan.delete_nvram = d->has_nvram_file && nvram;
    if (d->active || !d->has_tpm_state)
        e.plan.delete_tpm_state = false;
    else if (tpm)
        e.plan.delete_tpm_state = true;
    else if (keep_tpm)
        e.plan.delete_tpm_state = false;
    else
        e.plan.delete_tpm_state = !d->tpm_persistent_state;
    return e;
}

static char *describe(unsigned int f, const DomainFacts *d)
{
    return g_strdup_printf("flags=0x%02x persistent=%d active=%d snapshots=%u checkpoints=%u "
                           "managedsave=%d nvram=%d tpm=%d tpm_persistent=%d",
                           f, d->persistent, d->active, d->n_snapshots, d->n_checkpoints,
                           d->has_managed_save, d->has_nvram_file, d->has_tpm_state,
                           d->tpm_persistent_state);
}

static void check_one(unsigned int f, const DomainFacts *d)
{
    UndefineRequest req = { .flags = f };
    UndefinePlan sentinel = { .delete_nvram = true, .action = 42 };
    UndefinePlan plan = sentinel;
    g_autoptr(GError) error = NULL;
    Expect e = oracle(f, d);
    bool ok = undefine_policy_plan(&req, d, &plan, &error);

    if (ok != e.ok) {
        g_autofree char *what = describe(f, d);
        g_test_message("%s: expected %s, got %s", what, e.ok ? "success" : e.message,
                       ok ? "success" : error->message);
        g_test_fail();
    } else if (!ok) {
        g_assert_error(error, VIRT_DOMAIN_ERROR, (gint)e.code);
        g_assert_cmpstr(error->message, ==, e.message);
        g_assert_true(memcmp(&plan, &sentinel, sizeof(plan)) == 0); /* untouched */
    } else {
        g_assert_no_error(error);
        g_assert_cmpint(plan.action, ==, e.plan.action);
        g_assert_cmpint(plan.remove_config, ==, e.plan.remove_config);
        g_assert_cmpint(plan.delete_snapshot_metadata, ==, e.plan.delete_snapshot_metadata);
        g_assert_cmpint(plan.delete_checkpoint_metadata, ==, e.plan.delete_checkpoint_metadata);
        g_assert_cmpint(plan.delete_managed_save, ==, e.plan.delete_managed_save);
        g_assert_cmpint(plan.delete_nvram, ==, e.plan.delete_nvram);
        g_assert_cmpint(plan.delete_tpm_state, ==, e.plan.delete_tpm_state);
    }
    expect_clear(&e);
}

static void test_table(void)
{
    static const unsigned int counts[] = { 0, 1, 2 };
    unsigned int n_cases = 0, n_ok = 0;

    for (unsigned int bits = 0; bits < 128; bits++) {
        for (unsigned int s = 0; s < G_N_ELEMENTS(counts); s++) {
            for (unsigned int c = 0; c < G_N_ELEMENTS(counts); c++) {
                for (unsigned int f = 0; f < 128; f++) {
                    DomainFacts d = {
                        .name = "web1",
                        .persistent = bits & 1,
                        .active = bits & 2,
                        .has_managed_save = bits & 4,
                        .has_nvram_file = bits & 8,
                        .has_tpm_state = bits & 16,
                        .tpm_persistent_state = bits & 32,
                        .n_snapshots = counts[s],
                        .n_checkpoints = counts[c],
                    };
                    UndefineRequest req = { .flags = f };
                    UndefinePlan plan;

                    if (bits & 64) /* the same situations under another name */
                        d.name = "db 'two'";
                    check_one(f, &d);
                    n_ok += undefine_policy_plan(&req, &d, &plan, NULL);
                    n_cases++;
                }
            }
        }
    }
    g_assert_cmpuint(n_cases, ==, 128 * 9 * 128);
    /* both outcomes are well represented, so the table is not trivially one-sided */
    g_assert_cmpuint(n_ok, >, n_cases / 20);
    g_assert_cmpuint(n_ok, <, n_cases / 2);
}

static const DomainFacts web1 = { .name = "web1", .persistent = true };

static void check_literal(const DomainFacts *d, unsigned int flags, const char *message)
{
    UndefineRequest req = { .flags = flags };
    UndefinePlan plan;
    g_autoptr(GError) error = NULL;

    g_assert_false(undefine_policy_plan(&req, d, &plan, &error));
    g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_INVALID);
    g_assert_cmpstr(error->message, ==, message);
}

static void test_messages(void)
{
    DomainFacts d = web1;

    d.n_snapshots = 2;
    check_literal(&d, 0,
                  "cannot undefine domain 'web1': it has 2 snapshots; use --snapshots-metadata "
                  "to remove their metadata with it");
    d.n_snapshots = 1;
    check_literal(&d, UNDEFINE_MANAGED_SAVE,
                  "cannot undefine domain 'web1': it has 1 snapshot; use --snapshots-metadata "
                  "to remove its metadata with it");
    d = web1;
    d.has_managed_save = true;
    check_literal(&d, UNDEFINE_SNAPSHOTS_METADATA,
                  "cannot undefine domain 'web1' while it has a managed save image; use "
                  "--managed-save to remove it with it");
    check_literal(&web1, UNDEFINE_NVRAM | UNDEFINE_KEEP_NVRAM,
                  "cannot both keep and delete the NVRAM of domain 'web1'");
    d = web1;
    d.persistent = false;
    d.active = true;
    check_literal(&d, 0, "cannot undefine transient domain 'web1'");
}

static void test_running_keeps_metadata(void)
{
    DomainFacts d = web1;
    UndefineRequest req = { .flags = UNDEFINE_SNAPSHOTS_METADATA };
    UndefinePlan plan;
    g_autoptr(GError) error = NULL;

    d.active = true;
    d.n_snapshots = 3;
    d.has_tpm_state = true;
    g_assert_true(undefine_policy_plan(&req, &d, &plan, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(undefine_action_to_string(plan.action), ==, "make-transient");
    g_assert_false(plan.delete_snapshot_metadata);
    g_assert_false(plan.delete_tpm_state);
    g_assert_true(plan.remove_config);
}

static void test_unknown_flags(void)
{
    UndefineRequest req = { .flags = 0x80 };
    UndefinePlan plan;
    g_autoptr(GError) error = NULL;

    g_assert_false(undefine_policy_plan(&req, &web1, &plan, &error));
    g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INVALID_ARG);
    g_assert_cmpstr(error->message, ==, "unsupported undefine flags 0x80 for domain 'web1'");
}

static void test_driver_subset(void)
{
    /* libvirt's test driver implements MANAGED_SAVE and SNAPSHOTS_METADATA only */
    const unsigned int test_driver = UNDEFINE_MANAGED_SAVE | UNDEFINE_SNAPSHOTS_METADATA;
    DomainFacts d = web1;
    UndefinePlan plan;

    d.n_snapshots = 1;
    for (unsigned int f = 0; f < 128; f++) {
        UndefineRequest req = { .flags = f, .supported = test_driver };
        g_autoptr(GError) error = NULL;
        bool ok = undefine_policy_plan(&req, &d, &plan, &error);

        if (f & ~test_driver) {
            g_autofree char *msg = g_strdup_printf(
                "unsupported undefine flags 0x%x for domain 'web1'", f & ~test_driver);

            g_assert_false(ok);
            g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INVALID_ARG);
            g_assert_cmpstr(error->message, ==, msg);
        } else {
            /* within the subset, the same rules as everywhere */
            g_assert_cmpint(ok, ==, (f & UNDEFINE_SNAPSHOTS_METADATA) != 0);
        }
    }
}

static void test_transient_stop(void)
{
    for (unsigned int bits = 0; bits < 8; bits++) {
        DomainFacts d = {
            .name = "web1",
            .n_snapshots = 3,
            .has_nvram_file = bits & 1,
            .has_tpm_state = bits & 2,
            .tpm_persistent_state = bits & 4,
        };
        UndefinePlan plan;

        undefine_policy_plan_transient_stop(&d, &plan);
        g_assert_cmpint(plan.action, ==, UNDEFINE_ACTION_REMOVE_OBJECT);
        g_assert_true(plan.delete_snapshot_metadata);
        g_assert_true(plan.delete_checkpoint_metadata);
        g_assert_false(plan.remove_config);
        g_assert_false(plan.delete_nvram);
        g_assert_false(plan.delete_managed_save);
        g_assert_cmpint(plan.delete_tpm_state, ==, (bits & 2) && !(bits & 4));
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/undefine-policy/table", test_table);
    g_test_add_func("/undefine-policy/messages", test_messages);
    g_test_add_func("/undefine-policy/running-keeps-metadata", test_running_keeps_metadata);
    g_test_add_func("/undefine-policy/unknown-flags", test_unknown_flags);
    g_test_add_func("/undefine-policy/driver-subset", test_driver_subset);
    g_test_add_func("/undefine-policy/transient-stop", test_transient_stop);
    return g_test_run();
}
