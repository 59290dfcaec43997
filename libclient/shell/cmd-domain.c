/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtsh commands that change domains: define, create, start, shutdown,
 * destroy, reboot, reset, suspend, resume, autostart, desc, metadata, and dumpxml.
 * Messages and their order follow virsh so scripts keep working.
 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shell.h"

static bool cmd_define(Shell *sh, const ShellCall *call)
{
    const char *file = shell_call_get(call, "file");
    unsigned int flags = shell_call_has(call, "validate") ? VIR_DOMAIN_DEFINE_VALIDATE : 0;
    g_autofree char *xml = shell_read_file(sh, file);
    virDomainPtr dom;

    if (!xml)
        return false;
    dom = flags ? virDomainDefineXMLFlags(sh->conn, xml, flags) : virDomainDefineXML(sh->conn, xml);
    if (!dom) {
        shell_error(sh, "Failed to define domain from %s", file);
        return false;
    }
    shell_print_extra(sh, "Domain '%s' defined from %s\n", virDomainGetName(dom), file);
    virDomainFree(dom);
    return true;
}

static const ShellOptDef opts_define[] = {
    { "file", SHELL_OPT_DATA, SHELL_OPT_REQUIRED, "file containing an XML domain description" },
    { "validate", SHELL_OPT_BOOL, 0, "validate the XML against the schema" },
    { NULL },
};

/* --pass-fds N,M,...: numbers as virsh reads them (strtol over the whole word, so
 * leading blanks pass); an empty value means none. Returns false after an error. */
static bool parse_pass_fds(Shell *sh, const ShellCall *call, GArray **ret_fds)
{
    const char *arg = shell_call_get(call, "pass-fds");
    g_auto(GStrv) words = NULL;

    *ret_fds = g_array_new(FALSE, FALSE, sizeof(int));
    if (!arg || !*arg)
        return true;
    words = g_strsplit(arg, ",", -1);
    for (char **w = words; *w; w++) {
        char *end = NULL;
        long v;

        errno = 0;
        v = strtol(*w, &end, 10);
        if (errno || end == *w || *end || v < INT_MIN || v > INT_MAX) {
            shell_error(sh, "Unable to parse FD number '%s'", *w);
            return false;
        }
        g_array_append_val(*ret_fds, (int){ (int)v });
    }
    return true;
}

static bool cmd_create(Shell *sh, const ShellCall *call)
{
    const char *file = shell_call_get(call, "file");
    unsigned int flags = 0;
    g_autofree char *xml = shell_read_file(sh, file);
    g_autoptr(GArray) fds = NULL;
    virDomainPtr dom;

    if (!xml || !parse_pass_fds(sh, call, &fds))
        return false;
    if (shell_call_has(call, "paused"))
        flags |= VIR_DOMAIN_START_PAUSED;
    if (shell_call_has(call, "autodestroy"))
        flags |= VIR_DOMAIN_START_AUTODESTROY;
    if (shell_call_has(call, "validate"))
        flags |= VIR_DOMAIN_START_VALIDATE;
    if (fds->len > 0)
        dom = virDomainCreateXMLWithFiles(sh->conn, xml, fds->len, (int *)fds->data, flags);
    else
        dom = virDomainCreateXML(sh->conn, xml, flags);
    if (!dom) {
        shell_error(sh, "Failed to create domain from %s", file);
        return false;
    }
    shell_print_extra(sh, "Domain '%s' created from %s\n", virDomainGetName(dom), file);
    virDomainFree(dom);
    return true;
}

static const ShellOptDef opts_create[] = {
    { "file", SHELL_OPT_DATA, SHELL_OPT_REQUIRED, "file containing an XML domain description" },
    { "paused", SHELL_OPT_BOOL, 0, "leave the guest paused after creation" },
    { "autodestroy", SHELL_OPT_BOOL, 0, "automatically destroy the guest when virsh disconnects" },
    { "pass-fds", SHELL_OPT_STRING, 0, "pass file descriptors N,M,... to the guest" },
    { "validate", SHELL_OPT_BOOL, 0, "validate the XML against the schema" },
    { NULL },
};

static int domain_start(virDomainPtr dom, unsigned int flags)
{
    return flags ? virDomainCreateWithFlags(dom, flags) : virDomainCreate(dom);
}

static const ShellDomainAction action_start = {
    SHELL_BY_UUID | SHELL_BY_NAME, domain_start, "start", "started", NULL,
};

static bool cmd_start(Shell *sh, const ShellCall *call)
{
    const char *name;
    virDomainPtr dom = shell_lookup_domain(sh, call, SHELL_BY_UUID | SHELL_BY_NAME, &name);
    g_autoptr(GArray) fds = NULL;
    unsigned int flags = 0;
    int rc;
    bool ok;

    if (!dom)
        return false;
    if (virDomainGetID(dom) != (unsigned int)-1) {
        shell_error(sh, "Domain is already active");
        virDomainFree(dom);
        return false;
    }
    if (!parse_pass_fds(sh, call, &fds)) {
        virDomainFree(dom);
        return false;
    }
    if (shell_call_has(call, "paused"))
        flags |= VIR_DOMAIN_START_PAUSED;
    if (shell_call_has(call, "autodestroy"))
        flags |= VIR_DOMAIN_START_AUTODESTROY;
    if (shell_call_has(call, "force-boot"))
        flags |= VIR_DOMAIN_START_FORCE_BOOT;
    if (fds->len > 0)
        rc = virDomainCreateWithFiles(dom, fds->len, (int *)fds->data, flags);
    else
        rc = domain_start(dom, flags);
    ok = shell_domain_report(sh, rc == 0, name, &action_start);
    virDomainFree(dom);
    return ok;
}

static const ShellOptDef opts_start[] = {
    { "domain", SHELL_OPT_DATA, SHELL_OPT_REQUIRED, "name or uuid of the inactive domain" },
    { "paused", SHELL_OPT_BOOL, 0, "leave the guest paused after creation" },
    { "autodestroy", SHELL_OPT_BOOL, 0, "automatically destroy the guest when virsh disconnects" },
    { "force-boot", SHELL_OPT_BOOL, 0, "force fresh boot by discarding any managed save" },
    { "pass-fds", SHELL_OPT_STRING, 0, "pass file descriptors N,M,... to the guest" },
    { NULL },
};

static bool parse_modes(Shell *sh, const ShellCall *call, unsigned int *ret_flags)
{
    static const char *const modes[] = { "acpi", "agent", "initctl", "signal", "paravirt" };
    const char *arg = shell_call_get(call, "mode");
    g_auto(GStrv) parts = NULL;
    unsigned int flags = 0;

    if (!arg) {
        *ret_flags = 0;
        return true;
    }
    parts = g_strsplit(arg, ",", -1);
    for (size_t i = 0; parts[i]; i++) {
        size_t m = 0;

        while (m < G_N_ELEMENTS(modes) && strcmp(parts[i], modes[m]) != 0)
            m++;
        if (m == G_N_ELEMENTS(modes)) {
            shell_error(sh,
                        "Unknown mode %s value, expecting 'acpi', 'agent', 'initctl', "
                        "'signal' or 'paravirt'",
                        parts[i]);
            return false;
        }
        flags |= 1u << m; /* SHUTDOWN_* and REBOOT_* share these bits */
    }
    *ret_flags = flags;
    return true;
}

static int domain_shutdown(virDomainPtr dom, unsigned int flags)
{
    return flags ? virDomainShutdownFlags(dom, flags) : virDomainShutdown(dom);
}

static bool cmd_shutdown(Shell *sh, const ShellCall *call)
{
    static const ShellDomainAction action = {
        SHELL_BY_ANY, domain_shutdown, "shutdown", "is being shutdown", NULL,
    };
    unsigned int flags;

    return parse_modes(sh, call, &flags) && shell_domain_action(sh, call, &action, flags);
}

static bool cmd_reboot(Shell *sh, const ShellCall *call)
{
    static const ShellDomainAction action = {
        SHELL_BY_ANY, virDomainReboot, "reboot", "is being rebooted", NULL,
    };
    unsigned int flags;

    return parse_modes(sh, call, &flags) && shell_domain_action(sh, call, &action, flags);
}

static const ShellOptDef opts_mode[] = {
    SHELL_OPT_DOMAIN,
    { "mode", SHELL_OPT_STRING, 0, "shutdown mode: acpi|agent|initctl|signal|paravirt" },
    { NULL },
};

static int domain_destroy(virDomainPtr dom, unsigned int flags)
{
    return flags ? virDomainDestroyFlags(dom, flags) : virDomainDestroy(dom);
}

static bool cmd_destroy(Shell *sh, const ShellCall *call)
{
    static const ShellDomainAction action = {
        SHELL_BY_ANY, domain_destroy, "destroy", "destroyed", NULL,
    };
    unsigned int flags = 0;

    if (shell_call_has(call, "graceful"))
        flags |= VIR_DOMAIN_DESTROY_GRACEFUL;
    if (shell_call_has(call, "remove-logs"))
        flags |= VIR_DOMAIN_DESTROY_REMOVE_LOGS;
    return shell_domain_action(sh, call, &action, flags);
}

static const ShellOptDef opts_destroy[] = {
    SHELL_OPT_DOMAIN,
    { "graceful", SHELL_OPT_BOOL, 0, "terminate gracefully" },
    { "remove-logs", SHELL_OPT_BOOL, 0, "remove domain logs" },
    { NULL },
};

static int domain_suspend(virDomainPtr dom, unsigned int flags)
{
    return virDomainSuspend(dom);
}

static int domain_resume(virDomainPtr dom, unsigned int flags)
{
    return virDomainResume(dom);
}

static bool cmd_reset(Shell *sh, const ShellCall *call)
{
    static const ShellDomainAction action = {
        SHELL_BY_ANY, virDomainReset, "reset", "was reset", NULL,
    };

    return shell_domain_action(sh, call, &action, 0);
}

static bool cmd_suspend(Shell *sh, const ShellCall *call)
{
    static const ShellDomainAction action = {
        SHELL_BY_ANY, domain_suspend, "suspend", "suspended", NULL,
    };

    return shell_domain_action(sh, call, &action, 0);
}

static bool cmd_resume(Shell *sh, const ShellCall *call)
{
    static const ShellDomainAction action = {
        SHELL_BY_ANY, domain_resume, "resume", "resumed", NULL,
    };

    return shell_domain_action(sh, call, &action, 0);
}

static const ShellOptDef opts_domain[] = {
    SHELL_OPT_DOMAIN,
    { NULL },
};

/* virDomainSetAutostart's argument travels as the action's flags */
static int domain_set_autostart(virDomainPtr dom, unsigned int enable)
{
    return virDomainSetAutostart(dom, (int)enable);
}

static bool cmd_autostart(Shell *sh, const ShellCall *call)
{
    static const ShellDomainAction enable = {
        SHELL_BY_ANY, domain_set_autostart, "mark", "marked as autostarted", " as autostarted",
    };
    static const ShellDomainAction disable = {
        SHELL_BY_ANY, domain_set_autostart, "unmark", "unmarked as autostarted", " as autostarted",
    };
    bool off = shell_call_has(call, "disable");

    return shell_domain_action(sh, call, off ? &disable : &enable, !off);
}

static const ShellOptDef opts_autostart[] = {
    SHELL_OPT_DOMAIN,
    { "disable", SHELL_OPT_BOOL, 0, "disable autostarting" },
    { NULL },
};

static unsigned int impact_flags(const ShellCall *call)
{
    unsigned int flags = VIR_DOMAIN_AFFECT_CURRENT;

    if (shell_call_has(call, "live"))
        flags |= VIR_DOMAIN_AFFECT_LIVE;
    if (shell_call_has(call, "config"))
        flags |= VIR_DOMAIN_AFFECT_CONFIG;
    return flags;
}

static bool impact_valid(Shell *sh, const ShellCall *call)
{
    if (shell_call_has(call, "current") &&
        (shell_call_has(call, "live") || shell_call_has(call, "config"))) {
        shell_error(sh, "Options --current and --%s are mutually exclusive",
                    shell_call_has(call, "live") ? "live" : "config");
        return false;
    }
    return true;
}

static bool desc_show(Shell *sh, virDomainPtr dom, bool title, unsigned int flags)
{
    int type = title ? VIR_DOMAIN_METADATA_TITLE : VIR_DOMAIN_METADATA_DESCRIPTION;
    g_autofree char *text = virDomainGetMetadata(dom, type, NULL, flags);

    if (text) {
        shell_print(sh, "%s", text);
        return true;
    }
    if (virGetLastErrorCode() != VIR_ERR_NO_DOMAIN_METADATA)
        return false;
    shell_reset_error(sh);
    shell_print_extra(sh, title ? "No title for domain: %s" : "No description for domain: %s",
                      virDomainGetName(dom));
    return true;
}

static bool cmd_desc(Shell *sh, const ShellCall *call)
{
    bool title = shell_call_has(call, "title");
    const char *text = shell_call_get(call, "new-desc");
    unsigned int flags = impact_flags(call);
    virDomainPtr dom;
    bool ok;

    if (!impact_valid(sh, call))
        return false;
    if (shell_call_has(call, "edit")) {
        shell_error(sh, "desc --edit is not supported by virtsh; use --new-desc");
        return false;
    }
    dom = shell_lookup_domain(sh, call, SHELL_BY_ANY, NULL);
    if (!dom)
        return false;
    if (!text) {
        ok = desc_show(sh, dom, title, flags);
        virDomainFree(dom);
        return ok;
    }
    ok = virDomainSetMetadata(dom,
                              title ? VIR_DOMAIN_METADATA_TITLE : VIR_DOMAIN_METADATA_DESCRIPTION,
                              text, NULL, NULL, flags) == 0;
    if (!ok)
        shell_error(sh, title ? "Failed to set new domain title"
                              : "Failed to set new domain description");
    else
        shell_print_extra(sh, title ? "Domain title updated successfully"
                                    : "Domain description updated successfully");
    virDomainFree(dom);
    return ok;
}

static const ShellOptDef opts_desc[] = {
    SHELL_OPT_DOMAIN,
    { "live", SHELL_OPT_BOOL, 0, "modify/get running state" },
    { "config", SHELL_OPT_BOOL, 0, "modify/get persistent state" },
    { "current", SHELL_OPT_BOOL, 0, "modify/get current state" },
    { "title", SHELL_OPT_BOOL, 0, "modify/get the title instead of description" },
    { "edit", SHELL_OPT_BOOL, 0, "open an editor to modify the description" },
    { "new-desc", SHELL_OPT_ARGV, 0, "message" },
    { NULL },
};

static bool cmd_metadata(Shell *sh, const ShellCall *call)
{
    const char *uri = shell_call_get(call, "uri");
    const char *key = shell_call_get(call, "key");
    const char *set = shell_call_get(call, "set");
    bool rm = shell_call_has(call, "remove");
    unsigned int flags = impact_flags(call);
    g_autofree char *data = NULL;
    virDomainPtr dom;
    bool ok;

    if (!impact_valid(sh, call))
        return false;
    if ((set || rm) && !key) {
        shell_error(sh, "namespace key is required when modifying metadata");
        return false;
    }
    if (set && rm) {
        shell_error(sh, "Options --set and --remove are mutually exclusive");
        return false;
    }
    dom = shell_lookup_domain(sh, call, SHELL_BY_ANY, NULL);
    if (!dom)
        return false;
    if (set || rm) {
        ok = virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, set, key, uri, flags) == 0;
        if (ok)
            shell_print_extra(sh, "%s\n", set ? "Metadata modified" : "Metadata removed");
        virDomainFree(dom);
        return ok;
    }
    data = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, uri, flags);
    if (data)
        shell_print(sh, "%s\n", data);
    virDomainFree(dom);
    return data != NULL;
}

static const ShellOptDef opts_metadata[] = {
    SHELL_OPT_DOMAIN,
    { "uri", SHELL_OPT_DATA, SHELL_OPT_REQUIRED, "URI of the namespace" },
    { "live", SHELL_OPT_BOOL, 0, "modify/get running state" },
    { "config", SHELL_OPT_BOOL, 0, "modify/get persistent state" },
    { "current", SHELL_OPT_BOOL, 0, "modify/get current state" },
    { "key", SHELL_OPT_STRING, 0, "key to be used as a namespace identifier" },
    { "set", SHELL_OPT_STRING, 0, "new metadata to set" },
    { "remove", SHELL_OPT_BOOL, 0, "remove the metadata corresponding to an uri" },
    { NULL },
};

static bool cmd_dumpxml(Shell *sh, const ShellCall *call)
{
    unsigned int flags = 0;
    g_autofree char *xml = NULL;
    virDomainPtr dom = shell_lookup_domain(sh, call, SHELL_BY_ANY, NULL);

    if (!dom)
        return false;
    if (shell_call_has(call, "inactive"))
        flags |= VIR_DOMAIN_XML_INACTIVE;
    if (shell_call_has(call, "security-info"))
        flags |= VIR_DOMAIN_XML_SECURE;
    if (shell_call_has(call, "update-cpu"))
        flags |= VIR_DOMAIN_XML_UPDATE_CPU;
    if (shell_call_has(call, "migratable"))
        flags |= VIR_DOMAIN_XML_MIGRATABLE;
    xml = virDomainGetXMLDesc(dom, flags);
    virDomainFree(dom);
    if (!xml)
        return false;
    shell_print(sh, "%s%s", xml, g_str_has_suffix(xml, "\n") ? "" : "\n");
    return true;
}

static const ShellOptDef opts_dumpxml[] = {
    SHELL_OPT_DOMAIN,
    { "inactive", SHELL_OPT_BOOL, 0, "show inactive defined XML" },
    { "security-info", SHELL_OPT_BOOL, 0, "include security sensitive information in XML dump" },
    { "update-cpu", SHELL_OPT_BOOL, 0, "update guest CPU according to host CPU" },
    { "migratable", SHELL_OPT_BOOL, 0, "provide XML suitable for migrations" },
    { NULL },
};

const ShellCmdDef shell_domain_cmds[] = {
    { "autostart", cmd_autostart, opts_autostart, "domain", "autostart a domain" },
    { "create", cmd_create, opts_create, "domain", "create a domain from an XML file" },
    { "define", cmd_define, opts_define, "domain",
      "define (but don't start) a domain from an XML file" },
    { "desc", cmd_desc, opts_desc, "domain", "show or set domain's description or title" },
    { "destroy", cmd_destroy, opts_destroy, "domain", "destroy (stop) a domain" },
    { "dumpxml", cmd_dumpxml, opts_dumpxml, "domain", "domain information in XML" },
    { "metadata", cmd_metadata, opts_metadata, "domain",
      "show or set domain's custom XML metadata" },
    { "reboot", cmd_reboot, opts_mode, "domain", "reboot a domain" },
    { "reset", cmd_reset, opts_domain, "domain", "reset a domain" },
    { "resume", cmd_resume, opts_domain, "domain", "resume a domain" },
    { "shutdown", cmd_shutdown, opts_mode, "domain", "gracefully shutdown a domain" },
    { "start", cmd_start, opts_start, "domain", "start a (previously defined) inactive domain" },
    { "suspend", cmd_suspend, opts_domain, "domain", "suspend a domain" },
    { NULL },
};
