/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtsh listing and information commands: list, dominfo, domstate, domid,
 * domname, domuuid. Text output is virsh's, byte for byte.
 *
 * --json shapes (stable; ids are null for inactive domains):
 *   list      {"domains": [{"id": 1, "name": "test", "uuid": "...",
 *              "state": "running", "state_code": 1, "reason": "booted",
 *              "reason_code": 1, "persistent": true, "autostart": false,
 *              "title": null}, ...]}          in virsh's order (ids, then names)
 *   dominfo   {"id", "name", "uuid", "os_type", "state", "state_code", "cpus",
 *              "cpu_time_ns", "max_memory_kib", "used_memory_kib", "persistent",
 *              "autostart", "managed_save", "security_model", "security_label"}
 *                                             (unknown values are null)
 *   domstate  {"state": "running", "state_code": 1, "reason": "booted",
 *              "reason_code": 1}
 *   domid     {"id": 1}      domname {"name": "test"}      domuuid {"uuid": "..."}
 */

#include <stdlib.h>
#include <string.h>

#include "shell.h"

/* virsh's order: running domains by id, then inactive ones by name */
static int domain_sort(gconstpointer a, gconstpointer b)
{
    virDomainPtr da = *(virDomainPtr *)a;
    virDomainPtr db = *(virDomainPtr *)b;
    unsigned int ida = virDomainGetID(da);
    unsigned int idb = virDomainGetID(db);
    unsigned int inactive = (unsigned int)-1;

    if (ida == inactive && idb == inactive)
        return g_ascii_strcasecmp(virDomainGetName(da), virDomainGetName(db));
    if (ida != inactive && idb != inactive)
        return ida < idb ? -1 : ida > idb;
    return ida != inactive ? -1 : 1;
}

static unsigned int list_flags(const ShellCall *call)
{
    static const struct {
        const char *opt;
        unsigned int flag;
    } filters[] = {
        { "persistent", VIR_CONNECT_LIST_DOMAINS_PERSISTENT },
        { "transient", VIR_CONNECT_LIST_DOMAINS_TRANSIENT },
        { "autostart", VIR_CONNECT_LIST_DOMAINS_AUTOSTART },
        { "no-autostart", VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART },
        { "state-running", VIR_CONNECT_LIST_DOMAINS_RUNNING },
        { "state-paused", VIR_CONNECT_LIST_DOMAINS_PAUSED },
        { "state-shutoff", VIR_CONNECT_LIST_DOMAINS_SHUTOFF },
        { "state-other", VIR_CONNECT_LIST_DOMAINS_OTHER },
        { "with-managed-save", VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE },
        { "without-managed-save", VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE },
        { "with-snapshot", VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT },
        { "without-snapshot", VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT },
    };
    unsigned int flags = 0;
    bool state_filter = false;

    if (shell_call_has(call, "inactive"))
        flags |= VIR_CONNECT_LIST_DOMAINS_INACTIVE;
    if (shell_call_has(call, "all"))
        flags |= VIR_CONNECT_LIST_DOMAINS_ACTIVE | VIR_CONNECT_LIST_DOMAINS_INACTIVE;
    for (size_t i = 0; i < G_N_ELEMENTS(filters); i++) {
        if (!shell_call_has(call, filters[i].opt))
            continue;
        flags |= filters[i].flag;
        if (g_str_has_prefix(filters[i].opt, "state-"))
            state_filter = true;
    }
    /* plain "list" shows running domains only */
    if (!(flags & (VIR_CONNECT_LIST_DOMAINS_ACTIVE | VIR_CONNECT_LIST_DOMAINS_INACTIVE)) &&
        !state_filter)
        flags |= VIR_CONNECT_LIST_DOMAINS_ACTIVE;
    return flags;
}

static char *domain_title(Shell *sh, virDomainPtr dom)
{
    char *title = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_TITLE, NULL, 0);

    shell_reset_error(sh);
    return title;
}

static void json_add_id(JsonBuilder *b, virDomainPtr dom)
{
    unsigned int id = virDomainGetID(dom);

    json_builder_set_member_name(b, "id");
    if (id == (unsigned int)-1)
        json_builder_add_null_value(b);
    else
        json_builder_add_int_value(b, id);
}

static void json_add_tristate(JsonBuilder *b, const char *key, int value)
{
    json_builder_set_member_name(b, key);
    if (value < 0)
        json_builder_add_null_value(b);
    else
        json_builder_add_boolean_value(b, value);
}

static void json_add_state(JsonBuilder *b, int state, int reason)
{
    json_builder_set_member_name(b, "state");
    json_builder_add_string_value(b, shell_state_to_string(state));
    json_builder_set_member_name(b, "state_code");
    json_builder_add_int_value(b, state);
    json_builder_set_member_name(b, "reason");
    json_builder_add_string_value(b, shell_state_reason_to_string(state, reason));
    json_builder_set_member_name(b, "reason_code");
    json_builder_add_int_value(b, reason);
}

static void list_json_domain(Shell *sh, JsonBuilder *b, virDomainPtr dom)
{
    char uuid[VIR_UUID_STRING_BUFLEN];
    g_autofree char *title = domain_title(sh, dom);
    int state = VIR_DOMAIN_NOSTATE, reason = 0, autostart = -1;

    virDomainGetUUIDString(dom, uuid);
    if (virDomainGetState(dom, &state, &reason, 0) < 0)
        state = VIR_DOMAIN_NOSTATE;
    if (virDomainGetAutostart(dom, &autostart) < 0)
        autostart = -1;
    shell_reset_error(sh);
    json_builder_begin_object(b);
    json_add_id(b, dom);
    json_builder_set_member_name(b, "name");
    json_builder_add_string_value(b, virDomainGetName(dom));
    json_builder_set_member_name(b, "uuid");
    json_builder_add_string_value(b, uuid);
    json_add_state(b, state, reason);
    json_add_tristate(b, "persistent", virDomainIsPersistent(dom));
    json_add_tristate(b, "autostart", autostart);
    json_builder_set_member_name(b, "title");
    if (title)
        json_builder_add_string_value(b, title);
    else
        json_builder_add_null_value(b);
    json_builder_end_object(b);
    shell_reset_error(sh);
}

static void list_json(Shell *sh, GPtrArray *doms)
{
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "domains");
    json_builder_begin_array(b);
    for (guint i = 0; i < doms->len; i++)
        list_json_domain(sh, b, g_ptr_array_index(doms, i));
    json_builder_end_array(b);
    json_builder_end_object(b);
    shell_print_json(sh, json_builder_get_root(b));
}

/* The State column: with --managed-save, virsh says "saved" for a shut-off domain
 * that has a managed-save image (start resumes it). */
static const char *list_state(Shell *sh, virDomainPtr dom, bool mark_managed)
{
    int state = VIR_DOMAIN_NOSTATE;

    if (virDomainGetState(dom, &state, NULL, 0) < 0)
        shell_reset_error(sh);
    if (mark_managed && state == VIR_DOMAIN_SHUTOFF) {
        int saved = virDomainHasManagedSaveImage(dom, 0);

        shell_reset_error(sh);
        if (saved > 0)
            return "saved";
    }
    return shell_state_to_string(state);
}

static void list_table(Shell *sh, const ShellCall *call, GPtrArray *doms)
{
    static const char *const header[] = { "Id", "Name", "State", NULL };
    static const char *const header_title[] = { "Id", "Name", "State", "Title", NULL };
    bool with_title = shell_call_has(call, "title");
    bool mark_managed = shell_call_has(call, "managed-save");
    g_autoptr(ShellTable) table = shell_table_new(with_title ? header_title : header);
    g_autofree char *text = NULL;

    for (guint i = 0; i < doms->len; i++) {
        virDomainPtr dom = g_ptr_array_index(doms, i);
        unsigned int id = virDomainGetID(dom);
        g_autofree char *id_s = id == (unsigned int)-1 ? g_strdup("-") : g_strdup_printf("%u", id);
        g_autofree char *title = with_title ? domain_title(sh, dom) : NULL;
        const char *cells[5] = { id_s, virDomainGetName(dom), list_state(sh, dom, mark_managed),
                                 NULL, NULL };

        if (with_title)
            cells[3] = title ? title : "";
        shell_table_add_row(table, cells);
    }
    text = shell_table_format(table, !sh->quiet);
    shell_print(sh, "%s", text);
}

static void domain_free(gpointer dom)
{
    virDomainFree(dom);
}

static bool cmd_list(Shell *sh, const ShellCall *call)
{
    virDomainPtr *list = NULL;
    g_autoptr(GPtrArray) doms = g_ptr_array_new_with_free_func(domain_free);
    bool names = shell_call_has(call, "name");
    bool uuids = shell_call_has(call, "uuid");
    int n = virConnectListAllDomains(sh->conn, &list, list_flags(call));

    if (n < 0) {
        shell_error(sh, "Failed to list domains");
        return false;
    }
    for (int i = 0; i < n; i++)
        g_ptr_array_add(doms, list[i]);
    free(list);
    g_ptr_array_sort(doms, domain_sort);
    if (shell_call_has(call, "json")) {
        list_json(sh, doms);
        return true;
    }
    if (!names && !uuids) {
        list_table(sh, call, doms);
        return true;
    }
    for (guint i = 0; i < doms->len; i++) {
        virDomainPtr dom = g_ptr_array_index(doms, i);
        char uuid[VIR_UUID_STRING_BUFLEN];

        virDomainGetUUIDString(dom, uuid);
        if (names && uuids)
            shell_print(sh, "%s %s\n", uuid, virDomainGetName(dom));
        else
            shell_print(sh, "%s\n", uuids ? uuid : virDomainGetName(dom));
    }
    return true;
}

static const ShellOptDef opts_list[] = {
    { "inactive", SHELL_OPT_BOOL, 0, "list inactive domains" },
    { "all", SHELL_OPT_BOOL, 0, "list inactive & active domains" },
    { "transient", SHELL_OPT_BOOL, 0, "list transient domains" },
    { "persistent", SHELL_OPT_BOOL, 0, "list persistent domains" },
    { "with-managed-save", SHELL_OPT_BOOL, 0, "list domains with managed save state" },
    { "without-managed-save", SHELL_OPT_BOOL, 0, "list domains without managed save" },
    { "autostart", SHELL_OPT_BOOL, 0, "list domains with autostart enabled" },
    { "no-autostart", SHELL_OPT_BOOL, 0, "list domains with autostart disabled" },
    { "with-snapshot", SHELL_OPT_BOOL, 0, "list domains with existing snapshot" },
    { "without-snapshot", SHELL_OPT_BOOL, 0, "list domains without a snapshot" },
    { "state-running", SHELL_OPT_BOOL, 0, "list domains in running state" },
    { "state-paused", SHELL_OPT_BOOL, 0, "list domains in paused state" },
    { "state-shutoff", SHELL_OPT_BOOL, 0, "list domains in shutoff state" },
    { "state-other", SHELL_OPT_BOOL, 0, "list domains in other states" },
    { "uuid", SHELL_OPT_BOOL, 0, "list uuid's only" },
    { "name", SHELL_OPT_BOOL, 0, "list domain names only" },
    { "table", SHELL_OPT_BOOL, 0, "list table (default)" },
    { "managed-save", SHELL_OPT_BOOL, 0, "mark inactive domains with managed save state" },
    { "title", SHELL_OPT_BOOL, 0, "show domain title" },
    SHELL_OPT_JSON,
    { NULL },
};

static const char *yes_no_unknown(int v)
{
    return v < 0 ? "unknown" : v ? "yes" : "no";
}

typedef struct DomInfo {
    bool have_secmodel;
    virSecurityModel secmodel;
    bool have_seclabel;
    virSecurityLabel seclabel;
    char uuid[VIR_UUID_STRING_BUFLEN];
    char *os_type;
    bool have_info;
    virDomainInfo info;
    int persistent;
    int autostart; /* -1: unknown */
    int managed_save;
} DomInfo;

static void dominfo_gather(Shell *sh, virDomainPtr dom, DomInfo *di)
{
    virDomainGetUUIDString(dom, di->uuid);
    di->os_type = virDomainGetOSType(dom);
    di->have_info = virDomainGetInfo(dom, &di->info) == 0;
    di->persistent = virDomainIsPersistent(dom);
    if (virDomainGetAutostart(dom, &di->autostart) < 0)
        di->autostart = -1;
    di->managed_save = virDomainHasManagedSaveImage(dom, 0);
    shell_reset_error(sh);
    /* as virsh: security lines only when a model is active, the label only when set */
    di->have_secmodel = virNodeGetSecurityModel(virDomainGetConnect(dom), &di->secmodel) == 0 &&
                        di->secmodel.model[0];
    if (di->have_secmodel)
        di->have_seclabel =
            virDomainGetSecurityLabel(dom, &di->seclabel) == 0 && di->seclabel.label[0];
    shell_reset_error(sh);
}

static void dominfo_text(Shell *sh, virDomainPtr dom, const DomInfo *di)
{
    unsigned int id = virDomainGetID(dom);

    if (id == (unsigned int)-1)
        shell_print(sh, "%-15s %s\n", "Id:", "-");
    else
        shell_print(sh, "%-15s %u\n", "Id:", id);
    shell_print(sh, "%-15s %s\n", "Name:", virDomainGetName(dom));
    shell_print(sh, "%-15s %s\n", "UUID:", di->uuid);
    if (di->os_type)
        shell_print(sh, "%-15s %s\n", "OS Type:", di->os_type);
    if (di->have_info) {
        shell_print(sh, "%-15s %s\n", "State:", shell_state_to_string(di->info.state));
        shell_print(sh, "%-15s %d\n", "CPU(s):", di->info.nrVirtCpu);
        if (di->info.cpuTime != 0)
            shell_print(sh, "%-15s %.1lfs\n", "CPU time:", di->info.cpuTime / 1000000000.0);
        if (di->info.maxMem != (unsigned long)G_MAXUINT)
            shell_print(sh, "%-15s %lu KiB\n", "Max memory:", di->info.maxMem);
        else
            shell_print(sh, "%-15s %s\n", "Max memory:", "no limit");
        shell_print(sh, "%-15s %lu KiB\n", "Used memory:", di->info.memory);
    }
    shell_print(sh, "%-15s %s\n", "Persistent:", yes_no_unknown(di->persistent));
    if (di->autostart >= 0)
        shell_print(sh, "%-15s %s\n", "Autostart:", di->autostart ? "enable" : "disable");
    shell_print(sh, "%-15s %s\n", "Managed save:", yes_no_unknown(di->managed_save));
    if (!di->have_secmodel)
        return;
    shell_print(sh, "%-15s %s\n", "Security model:", di->secmodel.model);
    shell_print(sh, "%-15s %s\n", "Security DOI:", di->secmodel.doi);
    if (di->have_seclabel)
        shell_print(sh, "%-15s %s (%s)\n", "Security label:", di->seclabel.label,
                    di->seclabel.enforcing ? "enforcing" : "permissive");
}

static void json_add_uint_or_null(JsonBuilder *b, const char *key, bool have, guint64 v)
{
    json_builder_set_member_name(b, key);
    if (have)
        json_builder_add_int_value(b, (gint64)v);
    else
        json_builder_add_null_value(b);
}

static void dominfo_json(Shell *sh, virDomainPtr dom, const DomInfo *di)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    bool have = di->have_info;

    json_builder_begin_object(b);
    json_add_id(b, dom);
    json_builder_set_member_name(b, "name");
    json_builder_add_string_value(b, virDomainGetName(dom));
    json_builder_set_member_name(b, "uuid");
    json_builder_add_string_value(b, di->uuid);
    json_builder_set_member_name(b, "os_type");
    if (di->os_type)
        json_builder_add_string_value(b, di->os_type);
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "state");
    if (have)
        json_builder_add_string_value(b, shell_state_to_string(di->info.state));
    else
        json_builder_add_null_value(b);
    json_add_uint_or_null(b, "state_code", have, have ? di->info.state : 0);
    json_add_uint_or_null(b, "cpus", have, have ? di->info.nrVirtCpu : 0);
    json_add_uint_or_null(b, "cpu_time_ns", have, have ? di->info.cpuTime : 0);
    json_add_uint_or_null(b, "max_memory_kib", have, have ? di->info.maxMem : 0);
    json_add_uint_or_null(b, "used_memory_kib", have, have ? di->info.memory : 0);
    json_add_tristate(b, "persistent", di->persistent);
    json_add_tristate(b, "autostart", di->autostart);
    json_add_tristate(b, "managed_save", di->managed_save);
    json_builder_set_member_name(b, "security_model");
    if (di->have_secmodel)
        json_builder_add_string_value(b, di->secmodel.model);
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "security_label");
    if (di->have_seclabel)
        json_builder_add_string_value(b, di->seclabel.label);
    else
        json_builder_add_null_value(b);
    json_builder_end_object(b);
    shell_print_json(sh, json_builder_get_root(b));
}

static bool cmd_dominfo(Shell *sh, const ShellCall *call)
{
    virDomainPtr dom = shell_lookup_domain(sh, call, SHELL_BY_ANY, NULL);
    DomInfo di = { 0 };

    if (!dom)
        return false;
    dominfo_gather(sh, dom, &di);
    if (shell_call_has(call, "json"))
        dominfo_json(sh, dom, &di);
    else
        dominfo_text(sh, dom, &di);
    free(di.os_type);
    virDomainFree(dom);
    return true;
}

static bool cmd_domstate(Shell *sh, const ShellCall *call)
{
    virDomainPtr dom = shell_lookup_domain(sh, call, SHELL_BY_ANY, NULL);
    int state, reason;
    bool ok;

    if (!dom)
        return false;
    ok = virDomainGetState(dom, &state, &reason, 0) == 0;
    virDomainFree(dom);
    if (!ok)
        return false;
    if (shell_call_has(call, "json")) {
        g_autoptr(JsonBuilder) b = json_builder_new();

        json_builder_begin_object(b);
        json_add_state(b, state, reason);
        json_builder_end_object(b);
        shell_print_json(sh, json_builder_get_root(b));
    } else if (shell_call_has(call, "reason")) {
        shell_print(sh, "%s (%s)\n", shell_state_to_string(state),
                    shell_state_reason_to_string(state, reason));
    } else {
        shell_print(sh, "%s\n", shell_state_to_string(state));
    }
    return true;
}

static const ShellOptDef opts_domstate[] = {
    SHELL_OPT_DOMAIN,
    { "reason", SHELL_OPT_BOOL, 0, "also print reason for the state" },
    SHELL_OPT_JSON,
    { NULL },
};

static bool cmd_domid(Shell *sh, const ShellCall *call)
{
    virDomainPtr dom = shell_lookup_domain(sh, call, SHELL_BY_NAME | SHELL_BY_UUID, NULL);
    unsigned int id;

    if (!dom)
        return false;
    id = virDomainGetID(dom);
    if (shell_call_has(call, "json")) {
        g_autoptr(JsonBuilder) b = json_builder_new();

        json_builder_begin_object(b);
        json_add_id(b, dom);
        json_builder_end_object(b);
        shell_print_json(sh, json_builder_get_root(b));
    } else if (id == (unsigned int)-1) {
        shell_print(sh, "%s\n", "-");
    } else {
        shell_print(sh, "%u\n", id);
    }
    virDomainFree(dom);
    return true;
}

static bool print_single(Shell *sh, const ShellCall *call, const char *key, const char *value)
{
    if (shell_call_has(call, "json")) {
        g_autoptr(JsonBuilder) b = json_builder_new();

        json_builder_begin_object(b);
        json_builder_set_member_name(b, key);
        json_builder_add_string_value(b, value);
        json_builder_end_object(b);
        shell_print_json(sh, json_builder_get_root(b));
    } else {
        shell_print(sh, "%s\n", value);
    }
    return true;
}

static bool cmd_domname(Shell *sh, const ShellCall *call)
{
    virDomainPtr dom = shell_lookup_domain(sh, call, SHELL_BY_ID | SHELL_BY_UUID, NULL);

    if (!dom)
        return false;
    print_single(sh, call, "name", virDomainGetName(dom));
    virDomainFree(dom);
    return true;
}

static bool cmd_domuuid(Shell *sh, const ShellCall *call)
{
    virDomainPtr dom = shell_lookup_domain(sh, call, SHELL_BY_ID | SHELL_BY_NAME, NULL);
    char uuid[VIR_UUID_STRING_BUFLEN];
    bool ok;

    if (!dom)
        return false;
    ok = virDomainGetUUIDString(dom, uuid) == 0;
    if (ok)
        print_single(sh, call, "uuid", uuid);
    else
        shell_error(sh, "failed to get domain UUID");
    virDomainFree(dom);
    return ok;
}

static const ShellOptDef opts_domain_json[] = {
    SHELL_OPT_DOMAIN,
    SHELL_OPT_JSON,
    { NULL },
};

const ShellCmdDef shell_info_cmds[] = {
    { "domid", cmd_domid, opts_domain_json, "domain",
      "convert a domain name or UUID to domain id" },
    { "dominfo", cmd_dominfo, opts_domain_json, "monitor", "domain information" },
    { "domname", cmd_domname, opts_domain_json, "domain",
      "convert a domain id or UUID to domain name" },
    { "domstate", cmd_domstate, opts_domstate, "monitor", "domain state" },
    { "domuuid", cmd_domuuid, opts_domain_json, "domain",
      "convert a domain name or id to domain UUID" },
    { "list", cmd_list, opts_list, "monitor", "list domains" },
    { NULL },
};
