/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtsh host and session commands: connect, uri, version, hostname, nodeinfo,
 * capabilities, help, quit/exit. Text output follows virsh's layout exactly.
 *
 * --json shapes (stable):
 *   uri       {"uri": "test:///default"}
 *   hostname  {"hostname": "vm"}
 *   version   {"library": "9.0.0", "library_number": 9000000, "api": "TEST",
 *              "api_version": "9.0.0", "hypervisor": "TEST",
 *              "hypervisor_version": "0.0.2", "hypervisor_version_number": 2,
 *              "virtkit": "0.1.0"}        (hypervisor_version* null if unknown)
 *   nodeinfo  {"cpu_model": "i686", "cpus": 16, "mhz": 1400, "sockets": 2,
 *              "cores_per_socket": 2, "threads_per_core": 2, "numa_cells": 2,
 *              "memory_kib": 3145728}
 */

#include <stdlib.h>
#include <string.h>

#include "shell.h"

static const ShellOptDef opts_none[] = { { NULL } };
static const ShellOptDef opts_json[] = {
    { "json", SHELL_OPT_BOOL, 0, "print JSON" },
    { NULL },
};

static bool cmd_connect(Shell *sh, const ShellCall *call)
{
    const char *name = shell_call_get(call, "name");

    return shell_connect(sh, name ? name : sh->uri, shell_call_has(call, "readonly"));
}

static const ShellOptDef opts_connect[] = {
    { "name", SHELL_OPT_DATA, 0, "hypervisor connection URI" },
    { "readonly", SHELL_OPT_BOOL, 0, "read-only connection" },
    { NULL },
};

static JsonNode *json_single(const char *key, const char *value)
{
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_object(b);
    json_builder_set_member_name(b, key);
    json_builder_add_string_value(b, value);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

static bool cmd_uri(Shell *sh, const ShellCall *call)
{
    g_autofree char *uri = virConnectGetURI(sh->conn);

    if (!uri) {
        shell_error(sh, "failed to get URI");
        return false;
    }
    if (shell_call_has(call, "json"))
        shell_print_json(sh, json_single("uri", uri));
    else
        shell_print(sh, "%s\n", uri);
    return true;
}

static bool cmd_hostname(Shell *sh, const ShellCall *call)
{
    g_autofree char *host = virConnectGetHostname(sh->conn);

    if (!host) {
        shell_error(sh, "failed to get hostname");
        return false;
    }
    if (shell_call_has(call, "json"))
        shell_print_json(sh, json_single("hostname", host));
    else
        shell_print(sh, "%s\n", host);
    return true;
}

static char *version_string(unsigned long v)
{
    return g_strdup_printf("%lu.%lu.%lu", v / 1000000, (v / 1000) % 1000, v % 1000);
}

static void version_json(Shell *sh, unsigned long lib, const char *type, unsigned long api,
                         bool have_hv, unsigned long hv)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autofree char *lib_s = version_string(lib);
    g_autofree char *api_s = version_string(api);
    g_autofree char *hv_s = version_string(hv);

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "library");
    json_builder_add_string_value(b, lib_s);
    json_builder_set_member_name(b, "library_number");
    json_builder_add_int_value(b, lib);
    json_builder_set_member_name(b, "api");
    json_builder_add_string_value(b, type);
    json_builder_set_member_name(b, "api_version");
    json_builder_add_string_value(b, api_s);
    json_builder_set_member_name(b, "hypervisor");
    json_builder_add_string_value(b, type);
    json_builder_set_member_name(b, "hypervisor_version");
    if (have_hv)
        json_builder_add_string_value(b, hv_s);
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "hypervisor_version_number");
    if (have_hv)
        json_builder_add_int_value(b, hv);
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "virtkit");
    json_builder_add_string_value(b, VIRTKIT_VERSION);
    json_builder_end_object(b);
    shell_print_json(sh, json_builder_get_root(b));
}

static bool cmd_version(Shell *sh, const ShellCall *call)
{
    unsigned long lib = 0, api = 0, hv = 0;
    const char *type = virConnectGetType(sh->conn);
    g_autofree char *lib_s = NULL;
    g_autofree char *api_s = NULL;
    g_autofree char *hv_s = NULL;
    bool have_hv;

    if (!type) {
        shell_error(sh, "failed to get hypervisor type");
        return false;
    }
    if (virGetVersion(&lib, type, &api) < 0) {
        shell_error(sh, "failed to get the library version");
        return false;
    }
    have_hv = virConnectGetVersion(sh->conn, &hv) == 0 && hv != 0;
    shell_reset_error(sh);
    if (shell_call_has(call, "json")) {
        version_json(sh, lib, type, api, have_hv, hv);
        return true;
    }
    lib_s = version_string(lib);
    api_s = version_string(api);
    shell_print(sh, "Compiled against library: libvirt %s\n", lib_s);
    shell_print(sh, "Using library: libvirt %s\n", lib_s);
    shell_print(sh, "Using API: %s %s\n", type, api_s);
    if (!have_hv) {
        shell_print(sh, "Cannot extract running %s hypervisor version\n", type);
        return true;
    }
    hv_s = version_string(hv);
    shell_print(sh, "Running hypervisor: %s %s\n", type, hv_s);
    return true;
}

static void nodeinfo_json(Shell *sh, const virNodeInfo *info)
{
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "cpu_model");
    json_builder_add_string_value(b, info->model);
    json_builder_set_member_name(b, "cpus");
    json_builder_add_int_value(b, info->cpus);
    json_builder_set_member_name(b, "mhz");
    json_builder_add_int_value(b, info->mhz);
    json_builder_set_member_name(b, "sockets");
    json_builder_add_int_value(b, info->sockets);
    json_builder_set_member_name(b, "cores_per_socket");
    json_builder_add_int_value(b, info->cores);
    json_builder_set_member_name(b, "threads_per_core");
    json_builder_add_int_value(b, info->threads);
    json_builder_set_member_name(b, "numa_cells");
    json_builder_add_int_value(b, info->nodes);
    json_builder_set_member_name(b, "memory_kib");
    json_builder_add_int_value(b, info->memory);
    json_builder_end_object(b);
    shell_print_json(sh, json_builder_get_root(b));
}

static bool cmd_nodeinfo(Shell *sh, const ShellCall *call)
{
    virNodeInfo info;

    if (virNodeGetInfo(sh->conn, &info) < 0) {
        shell_error(sh, "failed to get node information");
        return false;
    }
    if (shell_call_has(call, "json")) {
        nodeinfo_json(sh, &info);
        return true;
    }
    shell_print(sh, "%-20s %s\n", "CPU model:", info.model);
    shell_print(sh, "%-20s %u\n", "CPU(s):", info.cpus);
    shell_print(sh, "%-20s %u MHz\n", "CPU frequency:", info.mhz);
    shell_print(sh, "%-20s %u\n", "CPU socket(s):", info.sockets);
    shell_print(sh, "%-20s %u\n", "Core(s) per socket:", info.cores);
    shell_print(sh, "%-20s %u\n", "Thread(s) per core:", info.threads);
    shell_print(sh, "%-20s %u\n", "NUMA cell(s):", info.nodes);
    shell_print(sh, "%-20s %lu KiB\n", "Memory size:", info.memory);
    return true;
}

static bool cmd_capabilities(Shell *sh, const ShellCall *call)
{
    g_autofree char *caps = virConnectGetCapabilities(sh->conn);

    if (!caps) {
        shell_error(sh, "failed to get capabilities");
        return false;
    }
    /* virsh adds a newline even though the document ends with one */
    shell_print(sh, "%s\n", caps);
    return true;
}

/* --shell: quote a word so a POSIX shell reads it back unchanged */
static void echo_append_shell(GString *out, const char *word)
{
    if (*word && strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                              "0123456789_./:@%+=,-") == strlen(word)) {
        g_string_append(out, word);
        return;
    }
    g_string_append_c(out, '\'');
    for (const char *p = word; *p; p++) {
        if (*p == '\'')
            g_string_append(out, "'\\''");
        else
            g_string_append_c(out, *p);
    }
    g_string_append_c(out, '\'');
}

static bool cmd_echo(Shell *sh, const ShellCall *call)
{
    const char *const *words = shell_call_get_words(call);
    g_autoptr(GString) out = g_string_new(NULL);

    for (size_t i = 0; words[i]; i++) {
        g_autofree char *escaped = NULL;

        if (i)
            g_string_append_c(out, ' ');
        if (shell_call_has(call, "shell")) {
            echo_append_shell(out, words[i]);
        } else if (shell_call_has(call, "xml")) {
            escaped = g_markup_escape_text(words[i], -1);
            g_string_append(out, escaped);
        } else {
            g_string_append(out, words[i]);
        }
    }
    /* like desc, no newline of its own: the one after every command ends it */
    if (shell_call_has(call, "err"))
        shell_error(sh, "%s", out->str);
    else
        shell_print(sh, "%s", out->str);
    return true;
}

static const ShellOptDef opts_echo[] = {
    { "shell", SHELL_OPT_BOOL, 0, "escape for shell use" },
    { "xml", SHELL_OPT_BOOL, 0, "escape for XML use" },
    { "err", SHELL_OPT_BOOL, 0, "output to stderr" },
    { "string", SHELL_OPT_ARGV, 0, "arguments to echo" },
    { NULL },
};

static bool cmd_quit(Shell *sh, const ShellCall *call)
{
    /* only meaningful interactively; main() stops reading after it */
    return true;
}

static const struct {
    const char *keyword;
    const char *title;
} help_groups[] = {
    { "domain", "Domain Management" },
    { "monitor", "Domain Monitoring" },
    { "host", "Host and Hypervisor" },
    { "virsh", "Virsh itself" },
};

static void help_all(Shell *sh)
{
    shell_print(sh, "Grouped commands:\n\n");
    for (size_t g = 0; g < G_N_ELEMENTS(help_groups); g++) {
        g_autoptr(GPtrArray) names = g_ptr_array_new();
        const ShellCmdDef *const tables[] = { shell_domain_cmds, shell_info_cmds, shell_host_cmds,
                                              shell_event_cmds, shell_console_cmds };

        shell_print(sh, " %s (help keyword '%s'):\n", help_groups[g].title, help_groups[g].keyword);
        for (size_t t = 0; t < G_N_ELEMENTS(tables); t++) {
            for (const ShellCmdDef *def = tables[t]; def->name; def++) {
                if (strcmp(def->group, help_groups[g].keyword) == 0)
                    g_ptr_array_add(names, (gpointer)def);
            }
        }
        for (guint i = 0; i < names->len; i++) {
            const ShellCmdDef *def = g_ptr_array_index(names, i);

            shell_print(sh, "    %-30s %s\n", def->name, def->summary);
        }
        shell_print(sh, "\n");
    }
}

static void help_command(Shell *sh, const ShellCmdDef *def)
{
    shell_print(sh, "  NAME\n    %s - %s\n\n  SYNOPSIS\n    %s", def->name, def->summary,
                def->name);
    for (const ShellOptDef *o = def->opts; o->name; o++) {
        switch (o->type) {
        case SHELL_OPT_BOOL:
            shell_print(sh, " [--%s]", o->name);
            break;
        case SHELL_OPT_STRING: /* never positional: virsh shows its name */
            shell_print(sh, (o->flags & SHELL_OPT_REQUIRED) ? " --%s <string>" : " [--%s <string>]",
                        o->name);
            break;
        case SHELL_OPT_DATA:
        case SHELL_OPT_ARGV:
            shell_print(sh, (o->flags & SHELL_OPT_REQUIRED) ? " <%s>" : " [<%s>]", o->name);
            break;
        }
    }
    shell_print(sh, "\n\n");
    if (!def->opts[0].name)
        return;
    shell_print(sh, "  OPTIONS\n");
    for (const ShellOptDef *o = def->opts; o->name; o++) {
        g_autofree char *spec = NULL;

        if (o->type == SHELL_OPT_BOOL)
            spec = g_strdup_printf("--%s", o->name);
        else if (o->type == SHELL_OPT_STRING)
            spec = g_strdup_printf("--%s <string>", o->name);
        else
            spec = g_strdup_printf("[--%s] <string>", o->name);
        shell_print(sh, "    %-15s  %s\n", spec, o->help);
    }
    shell_print(sh, "\n");
}

static bool cmd_help(Shell *sh, const ShellCall *call)
{
    const char *what = shell_call_get(call, "command");
    const ShellCmdDef *def;

    if (!what) {
        help_all(sh);
        return true;
    }
    def = shell_cmd_find(what);
    if (!def) {
        shell_error(sh, "command or command group '%s' doesn't exist", what);
        return false;
    }
    help_command(sh, def);
    return true;
}

static const ShellOptDef opts_help[] = {
    { "command", SHELL_OPT_DATA, 0, "Prints global help, command specific help" },
    { NULL },
};

const ShellCmdDef shell_host_cmds[] = {
    { "capabilities", cmd_capabilities, opts_none, "host", "capabilities" },
    { "connect", cmd_connect, opts_connect, "virsh", "(re)connect to hypervisor", true },
    { "echo", cmd_echo, opts_echo, "virsh", "echo arguments", true },
    { "exit", cmd_quit, opts_none, "virsh", "quit this interactive terminal", true },
    { "help", cmd_help, opts_help, "virsh", "print help", true },
    { "hostname", cmd_hostname, opts_json, "host", "print the hypervisor hostname" },
    { "nodeinfo", cmd_nodeinfo, opts_json, "host", "node information" },
    { "quit", cmd_quit, opts_none, "virsh", "quit this interactive terminal", true },
    { "uri", cmd_uri, opts_json, "host", "print the hypervisor canonical URI" },
    { "version", cmd_version, opts_json, "host", "show version" },
    { NULL },
};
