/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtsh commands around what a domain leaves behind: undefine (with its
 * metadata and storage options), managedsave and managedsave-remove.
 *
 * undefine asks first what the domain has, exactly as virsh 9.0 does (active?
 * managed-save image? how many snapshots, how many with metadata?), drops the
 * flags that have nothing to act on, and only then calls virDomainUndefineFlags;
 * when it cannot prove the flags safe it goes piecewise and refuses itself
 * ("Refusing to undefine while domain managed save image exists") without
 * asking the daemon. Scripts see the same messages either way.
 */

#include <string.h>

#include "shell.h"

/* What undefine found out before deciding (virsh's probes). */
typedef struct UndefineProbe {
    int running;
    int has_managed_save;
    int has_snapshots;
    int has_snapshots_metadata;
    bool managed_save_safe; /* undefineFlags will not strand a managed-save image */
    bool snapshots_safe;    /* ... nor snapshot metadata */
} UndefineProbe;

/* A probe that the driver does not support counts as "none". */
static bool probe_count(Shell *sh, int value, int *ret)
{
    if (value >= 0) {
        *ret = value;
        return true;
    }
    if (virGetLastErrorCode() != VIR_ERR_NO_SUPPORT)
        return false;
    shell_reset_error(sh);
    *ret = 0;
    return true;
}

static bool undefine_probe(Shell *sh, virDomainPtr dom, unsigned int flags, UndefineProbe *p)
{
    p->managed_save_safe = flags & VIR_DOMAIN_UNDEFINE_MANAGED_SAVE;
    p->snapshots_safe = flags & VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA;
    p->running = virDomainIsActive(dom);
    if (p->running < 0)
        return false;
    if (p->running)
        return true; /* undefining a running domain removes nothing yet */
    if (!probe_count(sh, virDomainHasManagedSaveImage(dom, 0), &p->has_managed_save) ||
        !probe_count(sh, virDomainSnapshotNum(dom, 0), &p->has_snapshots))
        return false;
    if (!p->has_snapshots)
        return true;
    p->has_snapshots_metadata = virDomainSnapshotNum(dom, VIR_DOMAIN_SNAPSHOT_LIST_METADATA);
    if (p->has_snapshots_metadata < 0) {
        /* a server without the flag: assume every snapshot has metadata */
        shell_reset_error(sh);
        p->has_snapshots_metadata = p->has_snapshots;
    } else {
        p->managed_save_safe = p->snapshots_safe = true;
    }
    return true;
}

/* Drop the flags with nothing to act on, so older servers do not refuse them. */
static unsigned int undefine_trim_flags(unsigned int flags, UndefineProbe *p)
{
    if (!p->has_managed_save) {
        flags &= ~VIR_DOMAIN_UNDEFINE_MANAGED_SAVE;
        p->managed_save_safe = true;
    }
    if (!p->has_snapshots)
        p->snapshots_safe = true;
    if (!p->has_snapshots_metadata) {
        flags &= ~VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA;
        p->snapshots_safe = true;
    }
    return flags;
}

/* Is disk `target`/`source` one of the requested ones? Ticks it off if so. */
static bool volume_wanted(char **wanted, const char *target, const char *source)
{
    if (!wanted)
        return true; /* --remove-all-storage */
    for (size_t i = 0; wanted[i]; i++) {
        if (wanted[i][0] && (strcmp(wanted[i], target) == 0 || strcmp(wanted[i], source) == 0)) {
            wanted[i][0] = '\0';
            return true;
        }
    }
    return false;
}

/* One <disk> of the domain: virsh looks its volume up in the storage driver;
 * libvirtkit has no storage API, so no volume is ever managed and virsh's
 * "remove it manually" message is what the user gets. */
static void undefine_storage_disk(Shell *sh, xmlXPathContextPtr ctxt, char **wanted)
{
    g_autofree char *target = shell_xpath_string(ctxt, "string(./target/@dev)");
    g_autofree char *source = shell_xpath_string(ctxt, "string(./source/@file|./source/@dir|"
                                                       "./source/@name|./source/@dev|"
                                                       "./source/@volume)");
    g_autofree char *pool = NULL;

    if (!target || !source || !volume_wanted(wanted, target, source))
        return;
    pool = shell_xpath_string(ctxt, "string(./source/@pool)");
    if (pool)
        shell_error(sh, "Storage pool '%s' for volume '%s' not found.", pool, target);
    else
        shell_error(sh, "Storage volume '%s'(%s) is not managed by libvirt. Remove it manually.\n",
                    target, source);
}

/* --storage / --remove-all-storage before the undefine: false stops the command. */
static bool undefine_storage(Shell *sh, const ShellCall *call, virDomainPtr dom, bool running)
{
    const char *vols = shell_call_get(call, "storage");
    g_auto(GStrv) wanted = vols ? g_strsplit(vols, ",", -1) : NULL;
    g_autofree char *xml = NULL;
    xmlDocPtr doc;
    xmlXPathContextPtr ctxt = NULL;
    xmlXPathObjectPtr disks;
    bool missing = false;

    if (running) {
        shell_error(sh, "Storage volume deletion is supported only on stopped domains");
        return false;
    }
    if (vols && shell_call_has(call, "remove-all-storage")) {
        shell_error(sh, "Specified both --storage and --remove-all-storage");
        return false;
    }
    xml = virDomainGetXMLDesc(dom, 0);
    if (!xml) {
        shell_error(sh, "Could not retrieve domain XML description");
        return false;
    }
    doc = shell_xml_parse(xml, &ctxt);
    if (!doc)
        return false;
    disks = xmlXPathEvalExpression(BAD_CAST "/domain/devices/disk", ctxt);
    for (int i = 0; disks && disks->nodesetval && i < disks->nodesetval->nodeNr; i++) {
        ctxt->node = disks->nodesetval->nodeTab[i];
        undefine_storage_disk(sh, ctxt, wanted);
    }
    xmlXPathFreeObject(disks);
    shell_xml_free(doc, ctxt);
    for (size_t i = 0; wanted && wanted[i]; i++) {
        if (wanted[i][0]) {
            shell_error(sh, "Volume '%s' was not found in domain's definition.\n", wanted[i]);
            missing = true;
        }
    }
    return !missing;
}

static bool undefine_options(Shell *sh, const ShellCall *call, unsigned int *ret_flags)
{
    static const struct {
        const char *opt;
        unsigned int flag;
    } map[] = {
        { "managed-save", VIR_DOMAIN_UNDEFINE_MANAGED_SAVE },
        { "snapshots-metadata", VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA },
        { "checkpoints-metadata", VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA },
        { "nvram", VIR_DOMAIN_UNDEFINE_NVRAM },
        { "keep-nvram", VIR_DOMAIN_UNDEFINE_KEEP_NVRAM },
        { "tpm", VIR_DOMAIN_UNDEFINE_TPM },
        { "keep-tpm", VIR_DOMAIN_UNDEFINE_KEEP_TPM },
    };
    unsigned int flags = 0;

    if (shell_call_has(call, "delete-storage-volume-snapshots") &&
        !shell_call_has(call, "remove-all-storage")) {
        shell_error(sh, "Option --remove-all-storage is required by option "
                        "--delete-storage-volume-snapshots");
        return false;
    }
    if (shell_call_has(call, "nvram") && shell_call_has(call, "keep-nvram")) {
        shell_error(sh, "Options --nvram and --keep-nvram are mutually exclusive");
        return false;
    }
    if (shell_call_has(call, "tpm") && shell_call_has(call, "keep-tpm")) {
        shell_error(sh, "Options --tpm and --keep-tpm are mutually exclusive");
        return false;
    }
    if (shell_call_has(call, "wipe-storage") && !shell_call_has(call, "storage") &&
        !shell_call_has(call, "remove-all-storage")) {
        shell_error(sh, "'--wipe-storage' requires '--storage <string>' or '--remove-all-storage'");
        return false;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
        if (shell_call_has(call, map[i].opt))
            flags |= map[i].flag;
    }
    *ret_flags = flags;
    return true;
}

/* What virsh does when undefineFlags is unsafe or unsupported: one step at a time,
 * refusing itself what would strand metadata. Returns the undefine's result, or
 * -2 when it refused (already reported, no "Failed to undefine" line). */
static int undefine_piecewise(Shell *sh, const ShellCall *call, virDomainPtr dom,
                              const UndefineProbe *p)
{
    if (p->has_managed_save) {
        if (!shell_call_has(call, "managed-save")) {
            shell_error(sh, "Refusing to undefine while domain managed save image exists");
            return -2;
        }
        if (virDomainManagedSaveRemove(dom, 0) < 0)
            return -2;
    }
    if (p->has_snapshots_metadata) {
        if (shell_call_has(call, "snapshots-metadata"))
            shell_error(sh, "Unable to remove metadata of %d snapshots", p->has_snapshots_metadata);
        else
            shell_error(sh, "Refusing to undefine while %d snapshots exist",
                        p->has_snapshots_metadata);
        return -2;
    }
    return virDomainUndefine(dom);
}

static int undefine_run(Shell *sh, const ShellCall *call, virDomainPtr dom, unsigned int flags,
                        const UndefineProbe *p)
{
    bool nvram = flags & VIR_DOMAIN_UNDEFINE_NVRAM;
    int code;

    if ((p->managed_save_safe && p->snapshots_safe) || nvram) {
        if (virDomainUndefineFlags(dom, flags) == 0)
            return 0;
        code = virGetLastErrorCode();
        if (nvram || (code != VIR_ERR_NO_SUPPORT && code != VIR_ERR_INVALID_ARG))
            return -1;
        shell_reset_error(sh);
    }
    return undefine_piecewise(sh, call, dom, p);
}

static bool cmd_undefine(Shell *sh, const ShellCall *call)
{
    static const ShellDomainAction action = { SHELL_BY_ANY, NULL, "undefine", "has been undefined",
                                              NULL };
    UndefineProbe probe = { 0 };
    unsigned int flags;
    const char *name;
    virDomainPtr dom;
    int rc = -2;

    if (!undefine_options(sh, call, &flags))
        return false;
    dom = shell_lookup_domain(sh, call, SHELL_BY_ANY, &name);
    if (!dom)
        return false;
    if (undefine_probe(sh, dom, flags, &probe)) {
        flags = undefine_trim_flags(flags, &probe);
        if ((!shell_call_has(call, "storage") && !shell_call_has(call, "remove-all-storage")) ||
            undefine_storage(sh, call, dom, probe.running))
            rc = undefine_run(sh, call, dom, flags, &probe);
    }
    if (rc != -2)
        shell_domain_report(sh, rc == 0, name, &action);
    virDomainFree(dom);
    return rc == 0;
}

static const ShellOptDef opts_undefine[] = {
    SHELL_OPT_DOMAIN,
    { "managed-save", SHELL_OPT_BOOL, 0, "remove domain managed state file" },
    { "storage", SHELL_OPT_STRING, 0,
      "remove associated storage volumes (comma separated list of targets or source paths) "
      "(see domblklist)" },
    { "remove-all-storage", SHELL_OPT_BOOL, 0,
      "remove all associated storage volumes (use with caution)" },
    { "delete-storage-volume-snapshots", SHELL_OPT_BOOL, 0,
      "delete snapshots associated with volume(s), requires --remove-all-storage" },
    { "wipe-storage", SHELL_OPT_BOOL, 0, "wipe data on the removed volumes" },
    { "snapshots-metadata", SHELL_OPT_BOOL, 0,
      "remove all domain snapshot metadata (vm must be inactive)" },
    { "checkpoints-metadata", SHELL_OPT_BOOL, 0,
      "remove all domain checkpoint metadata (vm must be inactive)" },
    { "nvram", SHELL_OPT_BOOL, 0, "remove nvram file" },
    { "keep-nvram", SHELL_OPT_BOOL, 0, "keep nvram file" },
    { "tpm", SHELL_OPT_BOOL, 0, "remove TPM state" },
    { "keep-tpm", SHELL_OPT_BOOL, 0, "keep TPM state" },
    { NULL },
};

static bool cmd_managedsave(Shell *sh, const ShellCall *call)
{
    unsigned int flags = 0;
    const char *name;
    virDomainPtr dom = shell_lookup_domain(sh, call, SHELL_BY_ANY, &name);
    bool ok;

    if (!dom)
        return false;
    if (shell_call_has(call, "bypass-cache"))
        flags |= VIR_DOMAIN_SAVE_BYPASS_CACHE;
    if (shell_call_has(call, "running"))
        flags |= VIR_DOMAIN_SAVE_RUNNING;
    if (shell_call_has(call, "paused"))
        flags |= VIR_DOMAIN_SAVE_PAUSED;
    ok = virDomainManagedSave(dom, flags) == 0;
    if (ok)
        shell_print_extra(sh, "\nDomain '%s' state saved by libvirt\n", name);
    else
        shell_error(sh, "Failed to save domain '%s' state", name);
    virDomainFree(dom);
    return ok;
}

static const ShellOptDef opts_managedsave[] = {
    SHELL_OPT_DOMAIN,
    { "bypass-cache", SHELL_OPT_BOOL, 0, "avoid file system cache when saving" },
    { "running", SHELL_OPT_BOOL, 0, "set domain to be running on next start" },
    { "paused", SHELL_OPT_BOOL, 0, "set domain to be paused on next start" },
    { "verbose", SHELL_OPT_BOOL, 0, "display the progress of save" },
    { NULL },
};

static bool cmd_managedsave_remove(Shell *sh, const ShellCall *call)
{
    const char *name;
    virDomainPtr dom = shell_lookup_domain(sh, call, SHELL_BY_ANY, &name);
    int has;
    bool ok = false;

    if (!dom)
        return false;
    has = virDomainHasManagedSaveImage(dom, 0);
    if (has < 0) {
        shell_error(sh, "Failed to check for domain managed save image");
    } else if (!has) {
        shell_print_extra(sh, "Domain '%s' has no manage save image; removal skipped", name);
        ok = true;
    } else if (virDomainManagedSaveRemove(dom, 0) < 0) {
        shell_error(sh, "Failed to remove managed save image for domain '%s'", name);
    } else {
        shell_print_extra(sh, "Removed managedsave image for domain '%s'", name);
        ok = true;
    }
    virDomainFree(dom);
    return ok;
}

static const ShellOptDef opts_managedsave_remove[] = {
    SHELL_OPT_DOMAIN,
    { NULL },
};

const ShellCmdDef shell_undefine_cmds[] = {
    { "managedsave", cmd_managedsave, opts_managedsave, "domain",
      "managed save of a domain state" },
    { "managedsave-remove", cmd_managedsave_remove, opts_managedsave_remove, "domain",
      "Remove managed save of a domain" },
    { "undefine", cmd_undefine, opts_undefine, "domain", "undefine a domain" },
    { NULL },
};
