/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtsh save, restore, save-image-dumpxml and save-image-define: a guest's state in a
 * file of the user's, with virsh 9.0's options and messages; managedsave-dumpxml and
 * managedsave-define, the same for the image of a managed save. The path travels as
 * given (the library makes it absolute); --xml names a file holding a compatible
 * domain XML to keep in the image instead.
 */

#include "shell.h"

/* --running / --paused as virDomainSaveRestoreFlags */
static unsigned int state_flags(const ShellCall *call)
{
    unsigned int flags = 0;

    if (shell_call_has(call, "running"))
        flags |= VIR_DOMAIN_SAVE_RUNNING;
    if (shell_call_has(call, "paused"))
        flags |= VIR_DOMAIN_SAVE_PAUSED;
    return flags;
}

/* the same and --bypass-cache (save, restore) */
static unsigned int save_flags(const ShellCall *call)
{
    return state_flags(call) |
           (shell_call_has(call, "bypass-cache") ? VIR_DOMAIN_SAVE_BYPASS_CACHE : 0);
}

/* The XML of --xml FILE; false when the file cannot be read (error printed). */
static bool opt_xml(Shell *sh, const ShellCall *call, char **ret_xml)
{
    const char *file = shell_call_get(call, "xml");

    *ret_xml = NULL;
    if (!file)
        return true;
    *ret_xml = shell_read_file(sh, file);
    return *ret_xml != NULL;
}

static bool cmd_save(Shell *sh, const ShellCall *call)
{
    const char *to = shell_call_get(call, "file");
    g_autofree char *xml = NULL;
    const char *name;
    virDomainPtr dom = shell_lookup_domain(sh, call, SHELL_BY_ANY, &name);
    bool ok;

    if (!dom)
        return false;
    ok = opt_xml(sh, call, &xml) && virDomainSaveFlags(dom, to, xml, save_flags(call)) == 0;
    if (ok)
        shell_print_extra(sh, "\nDomain '%s' saved to %s\n", name, to);
    else
        shell_error(sh, "Failed to save domain '%s' to %s", name, to);
    virDomainFree(dom);
    return ok;
}

static const ShellOptDef opts_save[] = {
    SHELL_OPT_DOMAIN,
    { "file", SHELL_OPT_DATA, SHELL_OPT_REQUIRED, "where to save the data" },
    { "bypass-cache", SHELL_OPT_BOOL, 0, "avoid file system cache when saving" },
    { "xml", SHELL_OPT_STRING, 0, "filename containing updated XML for the target" },
    { "running", SHELL_OPT_BOOL, 0, "set domain to be running on restore" },
    { "paused", SHELL_OPT_BOOL, 0, "set domain to be paused on restore" },
    { "verbose", SHELL_OPT_BOOL, 0, "display the progress of save" },
    { NULL },
};

static bool cmd_restore(Shell *sh, const ShellCall *call)
{
    const char *from = shell_call_get(call, "file");
    g_autofree char *xml = NULL;
    bool ok;

    if (shell_call_has(call, "reset-nvram")) {
        shell_error(sh, "Failed to restore domain from %s: resetting NVRAM is not supported", from);
        return false;
    }
    ok = opt_xml(sh, call, &xml) &&
         virDomainRestoreFlags(sh->conn, from, xml, save_flags(call)) == 0;
    if (ok)
        shell_print_extra(sh, "Domain restored from %s\n", from);
    else
        shell_error(sh, "Failed to restore domain from %s", from);
    return ok;
}

static const ShellOptDef opts_restore[] = {
    { "file", SHELL_OPT_DATA, SHELL_OPT_REQUIRED, "the state to restore" },
    { "bypass-cache", SHELL_OPT_BOOL, 0, "avoid file system cache when restoring" },
    { "xml", SHELL_OPT_STRING, 0, "filename containing updated XML for the target" },
    { "running", SHELL_OPT_BOOL, 0, "restore domain into running state" },
    { "paused", SHELL_OPT_BOOL, 0, "restore domain into paused state" },
    { "reset-nvram", SHELL_OPT_BOOL, 0, "re-initialize NVRAM from its pristine template" },
    { NULL },
};

static bool cmd_save_image_dumpxml(Shell *sh, const ShellCall *call)
{
    const char *file = shell_call_get(call, "file");
    unsigned int flags =
        shell_call_has(call, "security-info") ? VIR_DOMAIN_SAVE_IMAGE_XML_SECURE : 0;
    g_autofree char *xml = virDomainSaveImageGetXMLDesc(sh->conn, file, flags);

    if (!xml)
        return false;
    shell_print(sh, "%s", xml);
    return true;
}

static const ShellOptDef opts_save_image_dumpxml[] = {
    { "file", SHELL_OPT_DATA, SHELL_OPT_REQUIRED, "saved state file to read" },
    { "security-info", SHELL_OPT_BOOL, 0, "include security sensitive information in XML dump" },
    { NULL },
};

static bool cmd_save_image_define(Shell *sh, const ShellCall *call)
{
    const char *file = shell_call_get(call, "file");
    g_autofree char *xml = shell_read_file(sh, shell_call_get(call, "xml"));

    if (!xml)
        return false;
    if (virDomainSaveImageDefineXML(sh->conn, file, xml, state_flags(call)) < 0) {
        shell_error(sh, "Failed to update %s", file);
        return false;
    }
    shell_print_extra(sh, "State file %s updated.\n", file);
    return true;
}

static const ShellOptDef opts_save_image_define[] = {
    { "file", SHELL_OPT_DATA, SHELL_OPT_REQUIRED, "saved state file to modify" },
    { "xml", SHELL_OPT_DATA, SHELL_OPT_REQUIRED, "filename containing updated XML for the target" },
    { "running", SHELL_OPT_BOOL, 0, "set domain to be running on restore" },
    { "paused", SHELL_OPT_BOOL, 0, "set domain to be paused on restore" },
    { NULL },
};

static bool cmd_managedsave_dumpxml(Shell *sh, const ShellCall *call)
{
    unsigned int flags =
        shell_call_has(call, "security-info") ? VIR_DOMAIN_SAVE_IMAGE_XML_SECURE : 0;
    virDomainPtr dom = shell_lookup_domain(sh, call, SHELL_BY_ANY, NULL);
    g_autofree char *xml = NULL;

    if (!dom)
        return false;
    xml = virDomainManagedSaveGetXMLDesc(dom, flags);
    virDomainFree(dom);
    if (!xml)
        return false;
    shell_print(sh, "%s", xml);
    return true;
}

static const ShellOptDef opts_managedsave_dumpxml[] = {
    SHELL_OPT_DOMAIN,
    { "security-info", SHELL_OPT_BOOL, 0, "include security sensitive information in XML dump" },
    { NULL },
};

static bool cmd_managedsave_define(Shell *sh, const ShellCall *call)
{
    const char *name;
    virDomainPtr dom = shell_lookup_domain(sh, call, SHELL_BY_ANY, &name);
    g_autofree char *xml = NULL;
    bool ok;

    if (!dom)
        return false;
    ok = (xml = shell_read_file(sh, shell_call_get(call, "xml"))) &&
         virDomainManagedSaveDefineXML(dom, xml, state_flags(call)) == 0;
    if (ok)
        shell_print_extra(sh, "Managed save state file of domain '%s' updated.\n", name);
    else if (xml)
        shell_error(sh, "Failed to update %s XML configuration", name);
    virDomainFree(dom);
    return ok;
}

static const ShellOptDef opts_managedsave_define[] = {
    SHELL_OPT_DOMAIN,
    { "xml", SHELL_OPT_DATA, SHELL_OPT_REQUIRED, "filename containing updated XML for the target" },
    { "running", SHELL_OPT_BOOL, 0, "set domain to be running on start" },
    { "paused", SHELL_OPT_BOOL, 0, "set domain to be paused on start" },
    { NULL },
};

const ShellCmdDef shell_save_cmds[] = {
    { "managedsave-define", cmd_managedsave_define, opts_managedsave_define, "domain",
      "redefine the XML for a domain's managed save state file" },
    { "managedsave-dumpxml", cmd_managedsave_dumpxml, opts_managedsave_dumpxml, "domain",
      "Domain information of managed save state file in XML" },
    { "restore", cmd_restore, opts_restore, "domain",
      "restore a domain from a saved state in a file" },
    { "save", cmd_save, opts_save, "domain", "save a domain state to a file" },
    { "save-image-define", cmd_save_image_define, opts_save_image_define, "domain",
      "redefine the XML for a domain's saved state file" },
    { "save-image-dumpxml", cmd_save_image_dumpxml, opts_save_image_dumpxml, "domain",
      "saved state domain information in XML" },
    { NULL },
};
