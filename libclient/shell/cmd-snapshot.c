/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtsh snapshot commands: snapshot-create, snapshot-create-as, snapshot-list,
 * snapshot-info, snapshot-dumpxml, snapshot-current, snapshot-parent,
 * snapshot-revert and snapshot-delete. Text output, messages, the order of option
 * checks and the calls made are virsh 9.0's, byte for byte.
 *
 * --json shapes (stable; times are seconds since the epoch):
 *   snapshot-list  {"snapshots": [{"name": "s1", "creation_time": 1700000000,
 *                   "state": "running", "parent": null, "current": false,
 *                   "location": "internal"}, ...]}
 *                  the snapshots the filters select, in text order; --tree,
 *                  --parent and --name do not change the shape ("parent" gives
 *                  the tree)
 *   snapshot-info  {"name", "domain", "current", "state", "location", "parent",
 *                   "children", "descendants", "metadata"}   (unknown: null)
 */

#include <stdlib.h>
#include <string.h>

#include "shell.h"

/* What virsh reads from a snapshot's XML. */
typedef struct SnapFacts {
    char *state;
    char *parent; /* NULL for a root */
    gint64 created;
    bool external; /* memory or any disk snapshotted externally */
} SnapFacts;

static void snap_facts_clear(SnapFacts *f)
{
    g_free(f->state);
    g_free(f->parent);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(SnapFacts, snap_facts_clear)

static bool snap_facts_parse(const char *xml, SnapFacts *ret)
{
    xmlXPathContextPtr ctxt = NULL;
    xmlDocPtr doc = shell_xml_parse(xml, &ctxt);
    double created;

    if (!doc)
        return false;
    ret->state = shell_xpath_string(ctxt, "string(/domainsnapshot/state)");
    ret->parent = shell_xpath_string(ctxt, "string(/domainsnapshot/parent/name)");
    created = shell_xpath_number(ctxt, "number(/domainsnapshot/creationTime)");
    ret->created = created == created ? (gint64)created : 0; /* NaN: absent */
    ret->external =
        shell_xpath_number(ctxt, "count(/domainsnapshot/memory[@snapshot='external'] | "
                                 "/domainsnapshot/disks/disk[@snapshot='external'])") > 0;
    shell_xml_free(doc, ctxt);
    return ret->state != NULL;
}

/* The facts of a snapshot, from its XML (one call). */
static bool snap_facts_get(Shell *sh, virDomainSnapshotPtr snap, SnapFacts *ret)
{
    g_autofree char *xml = virDomainSnapshotGetXMLDesc(snap, 0);

    if (!xml)
        return false;
    if (!snap_facts_parse(xml, ret)) {
        shell_error(sh, "unexpected problem reading snapshot xml");
        return false;
    }
    return true;
}

/*
 * The snapshot named by option `arg` or, with --current, the current one, as
 * virsh resolves them (and with its messages). `exclusive`: both at once is an error.
 */
static virDomainSnapshotPtr snap_lookup(Shell *sh, const ShellCall *call, const char *arg,
                                        bool exclusive, virDomainPtr dom)
{
    const char *name = shell_call_get(call, arg);
    bool current = shell_call_has(call, "current");

    if (exclusive && current && name) {
        shell_error(sh, "--%s and --current are mutually exclusive", arg);
        return NULL;
    }
    if (name)
        return virDomainSnapshotLookupByName(dom, name, 0);
    if (current)
        return virDomainSnapshotCurrent(dom, 0);
    shell_error(sh, "--%s or --current is required", arg);
    return NULL;
}

/* ---- snapshot-create, snapshot-create-as ------------------------------------------- */

static const struct {
    const char *opt;
    unsigned int flag;
} create_flags[] = {
    { "redefine", VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE },
    { "current", VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT },
    { "no-metadata", VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA },
    { "halt", VIR_DOMAIN_SNAPSHOT_CREATE_HALT },
    { "disk-only", VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY },
    { "reuse-external", VIR_DOMAIN_SNAPSHOT_CREATE_REUSE_EXT },
    { "quiesce", VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE },
    { "atomic", VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC },
    { "live", VIR_DOMAIN_SNAPSHOT_CREATE_LIVE },
    { "validate", VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE },
};

/* The creation flags both snapshot-create and snapshot-create-as take, in virsh's
 * order (snap_create_flags reads them). */
/* clang-format off */
#define SNAPSHOT_CREATE_FLAG_OPTS                                                      \
    { "no-metadata", SHELL_OPT_BOOL, 0, "take snapshot but create no metadata" },     \
    { "halt", SHELL_OPT_BOOL, 0, "halt domain after snapshot is created" },           \
    { "disk-only", SHELL_OPT_BOOL, 0, "capture disk state but not vm state" },        \
    { "reuse-external", SHELL_OPT_BOOL, 0, "reuse any existing external files" },     \
    { "quiesce", SHELL_OPT_BOOL, 0, "quiesce guest's file systems" },                 \
    { "atomic", SHELL_OPT_BOOL, 0, "require atomic operation" },                      \
    { "live", SHELL_OPT_BOOL, 0, "take a live snapshot" },                            \
    { "validate", SHELL_OPT_BOOL, 0, "validate the XML against the schema" }
/* clang-format on */

static unsigned int snap_create_flags(const ShellCall *call)
{
    unsigned int flags = 0;

    for (size_t i = 0; i < G_N_ELEMENTS(create_flags); i++) {
        const ShellOptDef *opts = call->def->opts;
        bool defined = false;

        for (size_t o = 0; opts[o].name && !defined; o++)
            defined = strcmp(opts[o].name, create_flags[i].opt) == 0;
        if (defined && shell_call_has(call, create_flags[i].opt))
            flags |= create_flags[i].flag;
    }
    return flags;
}

static bool snap_create(Shell *sh, virDomainPtr dom, const char *xml, unsigned int flags,
                        const char *from)
{
    virDomainSnapshotPtr snap = virDomainSnapshotCreateXML(dom, xml, flags);

    if (!snap)
        return false;
    if (from)
        shell_print_extra(sh, "Domain snapshot %s created from '%s'",
                          virDomainSnapshotGetName(snap), from);
    else
        shell_print_extra(sh, "Domain snapshot %s created", virDomainSnapshotGetName(snap));
    virDomainSnapshotFree(snap);
    return true;
}

static bool cmd_snapshot_create(Shell *sh, const ShellCall *call)
{
    const char *from = shell_call_get(call, "xmlfile");
    unsigned int flags = snap_create_flags(call);
    g_autofree char *xml = NULL;
    virDomainPtr dom = shell_lookup_domain(sh, call, SHELL_BY_ANY, NULL);
    bool ok;

    if (!dom)
        return false;
    xml = from ? shell_read_file(sh, from) : g_strdup("<domainsnapshot/>");
    ok = xml && snap_create(sh, dom, xml, flags, from);
    virDomainFree(dom);
    return ok;
}

static const ShellOptDef opts_snapshot_create[] = {
    SHELL_OPT_DOMAIN,
    { "xmlfile", SHELL_OPT_DATA, 0, "domain snapshot XML" },
    { "redefine", SHELL_OPT_BOOL, 0, "redefine metadata for existing snapshot" },
    { "current", SHELL_OPT_BOOL, 0, "with redefine, set current snapshot" },
    SNAPSHOT_CREATE_FLAG_OPTS,
    { NULL },
};

/* "[file=]/path[,snapshot=type]" as <memory .../>; false if it does not parse. */
static bool add_memspec(GString *buf, const char *spec)
{
    g_auto(GStrv) parts = g_strsplit(spec, ",", -1);
    const char *snapshot = NULL, *file = NULL;
    g_autofree char *snapshot_esc = NULL, *file_esc = NULL;

    for (size_t i = 0; parts[i]; i++) {
        if (!snapshot && g_str_has_prefix(parts[i], "snapshot="))
            snapshot = parts[i] + strlen("snapshot=");
        else if (!file && g_str_has_prefix(parts[i], "file="))
            file = parts[i] + strlen("file=");
        else if (!file && parts[i][0] == '/')
            file = parts[i];
        else
            return false;
    }
    g_string_append(buf, "  <memory");
    if (snapshot) {
        snapshot_esc = g_markup_escape_text(snapshot, -1);
        g_string_append_printf(buf, " snapshot='%s'", snapshot_esc);
    }
    if (file) {
        file_esc = g_markup_escape_text(file, -1);
        g_string_append_printf(buf, " file='%s'", file_esc);
    }
    g_string_append(buf, "/>\n");
    return true;
}

/* "disk[,snapshot=type][,driver=type][,file=name]" as <disk>; false if it does not parse. */
static bool add_diskspec(GString *buf, const char *spec)
{
    g_auto(GStrv) parts = g_strsplit(spec, ",", -1);
    const char *snapshot = NULL, *driver = NULL, *file = NULL;
    g_autofree char *name = NULL;

    if (!parts[0] || !parts[0][0])
        return false;
    for (size_t i = 1; parts[i]; i++) {
        if (!snapshot && g_str_has_prefix(parts[i], "snapshot="))
            snapshot = parts[i] + strlen("snapshot=");
        else if (!driver && g_str_has_prefix(parts[i], "driver="))
            driver = parts[i] + strlen("driver=");
        else if (!file && g_str_has_prefix(parts[i], "file="))
            file = parts[i] + strlen("file=");
        else
            return false;
    }
    name = g_markup_escape_text(parts[0], -1);
    g_string_append_printf(buf, "    <disk name='%s'", name);
    if (snapshot)
        g_string_append_printf(buf, " snapshot='%s'", snapshot);
    if (!driver && !file) {
        g_string_append(buf, "/>\n");
        return true;
    }
    g_string_append(buf, ">\n");
    if (driver)
        g_string_append_printf(buf, "      <driver type='%s'/>\n", driver);
    if (file) {
        g_autofree char *file_esc = g_markup_escape_text(file, -1);

        g_string_append_printf(buf, "      <source file='%s'/>\n", file_esc);
    }
    g_string_append(buf, "    </disk>\n");
    return true;
}

/* The <domainsnapshot> document snapshot-create-as describes, or NULL (reported). */
static char *snapshot_create_as_xml(Shell *sh, const ShellCall *call)
{
    g_autoptr(GString) buf = g_string_new("<domainsnapshot>\n");
    const char *name = shell_call_get(call, "name");
    const char *desc = shell_call_get(call, "description");
    const char *memspec = shell_call_get(call, "memspec");
    const char *const *disks = shell_call_get_words(call);

    if (name) {
        g_autofree char *esc = g_markup_escape_text(name, -1);

        g_string_append_printf(buf, "  <name>%s</name>\n", esc);
    }
    if (desc) {
        g_autofree char *esc = g_markup_escape_text(desc, -1);

        g_string_append_printf(buf, "  <description>%s</description>\n", esc);
    }
    if (memspec && !add_memspec(buf, memspec)) {
        shell_error(sh, "unable to parse memspec: %s", memspec);
        return NULL;
    }
    if (disks[0]) {
        g_string_append(buf, "  <disks>\n");
        for (size_t i = 0; disks[i]; i++) {
            if (!add_diskspec(buf, disks[i])) {
                shell_error(sh, "unable to parse diskspec: %s", disks[i]);
                return NULL;
            }
        }
        g_string_append(buf, "  </disks>\n");
    }
    g_string_append(buf, "</domainsnapshot>\n");
    return g_string_free(g_steal_pointer(&buf), FALSE);
}

static bool cmd_snapshot_create_as(Shell *sh, const ShellCall *call)
{
    unsigned int flags = snap_create_flags(call);
    g_autofree char *xml = NULL;
    virDomainPtr dom = shell_lookup_domain(sh, call, SHELL_BY_ANY, NULL);
    bool ok;

    if (!dom)
        return false;
    xml = snapshot_create_as_xml(sh, call);
    if (xml && shell_call_has(call, "print-xml")) {
        shell_print(sh, "%s\n", xml);
        ok = true;
    } else {
        ok = xml && snap_create(sh, dom, xml, flags, NULL);
    }
    virDomainFree(dom);
    return ok;
}

static const ShellOptDef opts_snapshot_create_as[] = {
    SHELL_OPT_DOMAIN,
    { "name", SHELL_OPT_DATA, 0, "name of snapshot" },
    { "description", SHELL_OPT_DATA, 0, "description of snapshot" },
    { "print-xml", SHELL_OPT_BOOL, 0, "print XML document rather than create" },
    SNAPSHOT_CREATE_FLAG_OPTS,
    { "memspec", SHELL_OPT_STRING, 0, "memory attributes: [file=]name[,snapshot=type]" },
    { "diskspec", SHELL_OPT_ARGV, 0,
      "disk attributes: disk[,snapshot=type][,driver=type][,file=name]" },
    { NULL },
};

/* ---- snapshot-info, snapshot-dumpxml, snapshot-parent, snapshot-current ------------ */

static void json_set_string(JsonBuilder *b, const char *key, const char *value)
{
    json_builder_set_member_name(b, key);
    if (value)
        json_builder_add_string_value(b, value);
    else
        json_builder_add_null_value(b);
}

static void json_set_int(JsonBuilder *b, const char *key, gint64 value, bool known)
{
    json_builder_set_member_name(b, key);
    if (known)
        json_builder_add_int_value(b, value);
    else
        json_builder_add_null_value(b);
}

static void json_set_tristate(JsonBuilder *b, const char *key, int value)
{
    json_builder_set_member_name(b, key);
    if (value < 0)
        json_builder_add_null_value(b);
    else
        json_builder_add_boolean_value(b, value);
}

typedef struct SnapInfo {
    int current;
    SnapFacts facts;
    int children;
    int descendants;
    int metadata;
} SnapInfo;

static bool snapshot_info_gather(Shell *sh, virDomainSnapshotPtr snap, SnapInfo *ret)
{
    ret->current = virDomainSnapshotIsCurrent(snap, 0);
    if (ret->current < 0)
        return false;
    if (!snap_facts_get(sh, snap, &ret->facts))
        return false;
    ret->children = virDomainSnapshotNumChildren(snap, 0);
    if (ret->children < 0)
        return false;
    ret->descendants = virDomainSnapshotNumChildren(snap, VIR_DOMAIN_SNAPSHOT_LIST_DESCENDANTS);
    if (ret->descendants < 0)
        return false;
    ret->metadata = virDomainSnapshotHasMetadata(snap, 0);
    if (ret->metadata < 0)
        shell_reset_error(sh); /* virsh leaves the line out */
    return true;
}

static void snapshot_info_json(Shell *sh, virDomainSnapshotPtr snap, const SnapInfo *si)
{
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_object(b);
    json_set_string(b, "name", virDomainSnapshotGetName(snap));
    json_set_string(b, "domain", virDomainGetName(virDomainSnapshotGetDomain(snap)));
    json_set_tristate(b, "current", si->current);
    json_set_string(b, "state", si->facts.state);
    json_set_string(b, "location", si->facts.external ? "external" : "internal");
    json_set_string(b, "parent", si->facts.parent);
    json_set_int(b, "children", si->children, true);
    json_set_int(b, "descendants", si->descendants, true);
    json_set_tristate(b, "metadata", si->metadata);
    json_builder_end_object(b);
    shell_print_json(sh, json_builder_get_root(b));
}

static void snapshot_info_text(Shell *sh, virDomainSnapshotPtr snap, const SnapInfo *si)
{
    shell_print(sh, "%-15s %s\n", "Name:", virDomainSnapshotGetName(snap));
    shell_print(sh, "%-15s %s\n", "Domain:", virDomainGetName(virDomainSnapshotGetDomain(snap)));
    shell_print(sh, "%-15s %s\n", "Current:", si->current > 0 ? "yes" : "no");
    shell_print(sh, "%-15s %s\n", "State:", si->facts.state);
    shell_print(sh, "%-15s %s\n", "Location:", si->facts.external ? "external" : "internal");
    shell_print(sh, "%-15s %s\n", "Parent:", si->facts.parent ? si->facts.parent : "-");
    shell_print(sh, "%-15s %d\n", "Children:", si->children);
    shell_print(sh, "%-15s %d\n", "Descendants:", si->descendants);
    if (si->metadata >= 0)
        shell_print(sh, "%-15s %s\n", "Metadata:", si->metadata ? "yes" : "no");
}

static bool cmd_snapshot_info(Shell *sh, const ShellCall *call)
{
    virDomainPtr dom = shell_lookup_domain(sh, call, SHELL_BY_ANY, NULL);
    virDomainSnapshotPtr snap;
    SnapInfo si = { 0 };
    bool ok;

    if (!dom)
        return false;
    snap = snap_lookup(sh, call, "snapshotname", true, dom);
    ok = snap && snapshot_info_gather(sh, snap, &si);
    if (ok && shell_call_has(call, "json"))
        snapshot_info_json(sh, snap, &si);
    else if (ok)
        snapshot_info_text(sh, snap, &si);
    snap_facts_clear(&si.facts);
    if (snap)
        virDomainSnapshotFree(snap);
    virDomainFree(dom);
    return ok;
}

static const ShellOptDef opts_snapshot_info[] = {
    SHELL_OPT_DOMAIN,
    { "snapshotname", SHELL_OPT_DATA, 0, "snapshot name" },
    { "current", SHELL_OPT_BOOL, 0, "info on current snapshot" },
    SHELL_OPT_JSON,
    { NULL },
};

static bool cmd_snapshot_dumpxml(Shell *sh, const ShellCall *call)
{
    unsigned int flags = shell_call_has(call, "security-info") ? VIR_DOMAIN_SNAPSHOT_XML_SECURE : 0;
    virDomainPtr dom = shell_lookup_domain(sh, call, SHELL_BY_ANY, NULL);
    virDomainSnapshotPtr snap;
    g_autofree char *xml = NULL;

    if (!dom)
        return false;
    snap = virDomainSnapshotLookupByName(dom, shell_call_get(call, "snapshotname"), 0);
    if (snap) {
        xml = virDomainSnapshotGetXMLDesc(snap, flags);
        virDomainSnapshotFree(snap);
    }
    virDomainFree(dom);
    if (!xml)
        return false;
    shell_print(sh, "%s", xml);
    return true;
}

static const ShellOptDef opts_snapshot_dumpxml[] = {
    SHELL_OPT_DOMAIN,
    { "snapshotname", SHELL_OPT_DATA, SHELL_OPT_REQUIRED, "snapshot name" },
    { "security-info", SHELL_OPT_BOOL, 0, "include security sensitive information in XML dump" },
    { NULL },
};

/* The parent's name, NULL for a root (no error left behind) or on failure. */
static char *snap_parent_name(Shell *sh, virDomainSnapshotPtr snap, bool *ret_failed)
{
    virDomainSnapshotPtr parent = virDomainSnapshotGetParent(snap, 0);
    char *name;

    *ret_failed = false;
    if (!parent) {
        if (virGetLastErrorCode() == VIR_ERR_NO_DOMAIN_SNAPSHOT)
            shell_reset_error(sh);
        else
            *ret_failed = true;
        return NULL;
    }
    name = g_strdup(virDomainSnapshotGetName(parent));
    virDomainSnapshotFree(parent);
    return name;
}

static bool cmd_snapshot_parent(Shell *sh, const ShellCall *call)
{
    virDomainPtr dom = shell_lookup_domain(sh, call, SHELL_BY_ANY, NULL);
    virDomainSnapshotPtr snap;
    g_autofree char *parent = NULL;
    bool failed = true;

    if (!dom)
        return false;
    snap = snap_lookup(sh, call, "snapshotname", true, dom);
    if (snap) {
        parent = snap_parent_name(sh, snap, &failed);
        if (!parent && !failed) {
            shell_error(sh, "snapshot '%s' has no parent", virDomainSnapshotGetName(snap));
            failed = true;
        }
        virDomainSnapshotFree(snap);
    }
    virDomainFree(dom);
    if (failed)
        return false;
    shell_print(sh, "%s", parent);
    return true;
}

static const ShellOptDef opts_snapshot_parent[] = {
    SHELL_OPT_DOMAIN,
    { "snapshotname", SHELL_OPT_DATA, 0, "find parent of snapshot name" },
    { "current", SHELL_OPT_BOOL, 0, "find parent of current snapshot" },
    { NULL },
};

/* snapshot-current NAME: make NAME current by redefining it with CURRENT. */
static bool snapshot_set_current(Shell *sh, virDomainPtr dom, const char *name)
{
    virDomainSnapshotPtr snap = virDomainSnapshotLookupByName(dom, name, 0);
    virDomainSnapshotPtr again = NULL;
    g_autofree char *xml = NULL;

    if (!snap)
        return false;
    xml = virDomainSnapshotGetXMLDesc(snap, VIR_DOMAIN_SNAPSHOT_XML_SECURE);
    virDomainSnapshotFree(snap);
    if (xml)
        again = virDomainSnapshotCreateXML(
            dom, xml, VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE | VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT);
    if (!again)
        return false;
    virDomainSnapshotFree(again);
    shell_print_extra(sh, "Snapshot %s set as current", name);
    return true;
}

static bool snapshot_show_current(Shell *sh, const ShellCall *call, virDomainPtr dom)
{
    unsigned int flags = shell_call_has(call, "security-info") ? VIR_DOMAIN_SNAPSHOT_XML_SECURE : 0;
    int has = virDomainHasCurrentSnapshot(dom, 0);
    virDomainSnapshotPtr snap;
    g_autofree char *xml = NULL;

    if (has < 0)
        return false;
    if (!has) {
        shell_error(sh, "domain '%s' has no current snapshot", virDomainGetName(dom));
        return false;
    }
    snap = virDomainSnapshotCurrent(dom, 0);
    if (!snap)
        return false;
    if (shell_call_has(call, "name")) {
        shell_print(sh, "%s", virDomainSnapshotGetName(snap));
        virDomainSnapshotFree(snap);
        return true;
    }
    xml = virDomainSnapshotGetXMLDesc(snap, flags);
    virDomainSnapshotFree(snap);
    if (!xml)
        return false;
    shell_print(sh, "%s", xml);
    return true;
}

static bool cmd_snapshot_current(Shell *sh, const ShellCall *call)
{
    const char *name = shell_call_get(call, "snapshotname");
    virDomainPtr dom;
    bool ok;

    if (name && shell_call_has(call, "name")) {
        shell_error(sh, "Options --name and --snapshotname are mutually exclusive");
        return false;
    }
    dom = shell_lookup_domain(sh, call, SHELL_BY_ANY, NULL);
    if (!dom)
        return false;
    ok = name ? snapshot_set_current(sh, dom, name) : snapshot_show_current(sh, call, dom);
    virDomainFree(dom);
    return ok;
}

static const ShellOptDef opts_snapshot_current[] = {
    SHELL_OPT_DOMAIN,
    { "name", SHELL_OPT_BOOL, 0, "list the name, rather than the full xml" },
    { "security-info", SHELL_OPT_BOOL, 0, "include security sensitive information in XML dump" },
    { "snapshotname", SHELL_OPT_DATA, 0, "name of existing snapshot to make current" },
    { NULL },
};

/* ---- snapshot-revert, snapshot-delete ----------------------------------------------- */

static bool cmd_snapshot_revert(Shell *sh, const ShellCall *call)
{
    unsigned int flags = 0;
    bool force = shell_call_has(call, "force");
    virDomainPtr dom = shell_lookup_domain(sh, call, SHELL_BY_ANY, NULL);
    virDomainSnapshotPtr snap;
    int rc = -1;

    if (!dom)
        return false;
    if (shell_call_has(call, "running"))
        flags |= VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING;
    if (shell_call_has(call, "paused"))
        flags |= VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED;
    if (shell_call_has(call, "reset-nvram"))
        flags |= VIR_DOMAIN_SNAPSHOT_REVERT_RESET_NVRAM;
    snap = snap_lookup(sh, call, "snapshotname", true, dom);
    if (snap) {
        rc = virDomainRevertToSnapshot(snap, flags);
        /* as virsh: --force only when the driver says the revert is risky */
        if (rc < 0 && force && virGetLastErrorCode() == VIR_ERR_SNAPSHOT_REVERT_RISKY) {
            shell_reset_error(sh);
            rc = virDomainRevertToSnapshot(snap, flags | VIR_DOMAIN_SNAPSHOT_REVERT_FORCE);
        }
        if (rc < 0)
            shell_error(sh, "Failed to revert snapshot %s", virDomainSnapshotGetName(snap));
        else
            shell_print_extra(sh, "Domain snapshot %s reverted\n", virDomainSnapshotGetName(snap));
        virDomainSnapshotFree(snap);
    }
    virDomainFree(dom);
    return rc == 0;
}

static const ShellOptDef opts_snapshot_revert[] = {
    SHELL_OPT_DOMAIN,
    { "snapshotname", SHELL_OPT_DATA, 0, "snapshot name" },
    { "current", SHELL_OPT_BOOL, 0, "revert to current snapshot" },
    { "running", SHELL_OPT_BOOL, 0, "after reverting, change state to running" },
    { "paused", SHELL_OPT_BOOL, 0, "after reverting, change state to paused" },
    { "force", SHELL_OPT_BOOL, 0, "try harder on risky reverts" },
    { "reset-nvram", SHELL_OPT_BOOL, 0, "re-initialize NVRAM from its pristine template" },
    { NULL },
};

static bool cmd_snapshot_delete(Shell *sh, const ShellCall *call)
{
    unsigned int flags = 0;
    virDomainPtr dom = shell_lookup_domain(sh, call, SHELL_BY_ANY, NULL);
    virDomainSnapshotPtr snap;
    bool ok = false;

    if (!dom)
        return false;
    snap = snap_lookup(sh, call, "snapshotname", true, dom);
    if (shell_call_has(call, "children"))
        flags |= VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN;
    if (shell_call_has(call, "children-only"))
        flags |= VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY;
    if (shell_call_has(call, "metadata"))
        flags |= VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY;
    if (snap) {
        const char *name = virDomainSnapshotGetName(snap);

        ok = virDomainSnapshotDelete(snap, flags) == 0;
        if (!ok)
            shell_error(sh, "Failed to delete snapshot %s", name);
        else if (flags & VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY)
            shell_print_extra(sh, "Domain snapshot %s children deleted\n", name);
        else
            shell_print_extra(sh, "Domain snapshot %s deleted\n", name);
        virDomainSnapshotFree(snap);
    }
    virDomainFree(dom);
    return ok;
}

static const ShellOptDef opts_snapshot_delete[] = {
    SHELL_OPT_DOMAIN,
    { "snapshotname", SHELL_OPT_DATA, 0, "snapshot name" },
    { "current", SHELL_OPT_BOOL, 0, "delete current snapshot" },
    { "children", SHELL_OPT_BOOL, 0, "delete snapshot and all children" },
    { "children-only", SHELL_OPT_BOOL, 0, "delete children but not snapshot" },
    { "metadata", SHELL_OPT_BOOL, 0,
      "delete only libvirt metadata, leaving snapshot contents behind" },
    { NULL },
};

/* ---- snapshot-list ------------------------------------------------------------------ */

/* One listed snapshot and what the listing shows of it. */
typedef struct ListEntry {
    virDomainSnapshotPtr snap;
    SnapFacts facts;
    int parent; /* index of the parent in the list, -1: a root of the tree */
} ListEntry;

static void list_entry_clear(gpointer data)
{
    ListEntry *e = data;

    virDomainSnapshotFree(e->snap);
    snap_facts_clear(&e->facts);
}

static int list_entry_sort(gconstpointer a, gconstpointer b)
{
    const ListEntry *ea = a, *eb = b;

    return g_ascii_strcasecmp(virDomainSnapshotGetName(ea->snap),
                              virDomainSnapshotGetName(eb->snap));
}

/* Everything the listing shows, in virsh's order; with --tree the start itself too. */
static GArray *snapshot_list_collect(Shell *sh, virDomainPtr dom, virDomainSnapshotPtr from,
                                     unsigned int flags, bool tree)
{
    g_autoptr(GArray) list = g_array_new(FALSE, TRUE, sizeof(ListEntry));
    virDomainSnapshotPtr *snaps = NULL;
    int n = from ? virDomainSnapshotListAllChildren(from, &snaps, flags)
                 : virDomainListAllSnapshots(dom, &snaps, flags);

    g_array_set_clear_func(list, list_entry_clear);
    if (n < 0)
        return NULL;
    for (int i = 0; i < n; i++)
        g_array_append_val(list, ((ListEntry){ .snap = snaps[i], .parent = -1 }));
    free(snaps);
    if (from && tree) {
        virDomainSnapshotRef(from);
        g_array_append_val(list, ((ListEntry){ .snap = from, .parent = -1 }));
    }
    if (!(flags & VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL))
        g_array_sort(list, list_entry_sort);
    for (guint i = 0; i < list->len; i++) {
        if (!snap_facts_get(sh, g_array_index(list, ListEntry, i).snap,
                            &g_array_index(list, ListEntry, i).facts))
            return NULL;
    }
    for (guint i = 0; i < list->len; i++) {
        ListEntry *e = &g_array_index(list, ListEntry, i);

        for (guint p = 0; e->facts.parent && p < list->len; p++) {
            if (strcmp(e->facts.parent,
                       virDomainSnapshotGetName(g_array_index(list, ListEntry, p).snap)) == 0)
                e->parent = (int)p;
        }
    }
    return g_steal_pointer(&list);
}

/* virsh's tree drawing: "+- child" under " |" connectors, a blank-ish line after
 * each last leaf. `indent` grows and shrinks as the walk descends and returns. */
static void tree_print(Shell *sh, GArray *list, guint node, guint last, bool root, GString *indent)
{
    const ListEntry *e = &g_array_index(list, ListEntry, node);
    int last_child = -1;

    shell_print(sh, "%s%s%s\n", indent->str, root ? "" : "+- ", virDomainSnapshotGetName(e->snap));
    if (!root)
        g_string_append(indent, node == last ? "  " : "| ");
    for (guint i = 0; i < list->len; i++) {
        if (g_array_index(list, ListEntry, i).parent == (int)node)
            last_child = (int)i;
    }
    if (last_child >= 0)
        shell_print(sh, "%s  |\n", indent->str);
    g_string_append(indent, "  ");
    for (guint i = 0; i < list->len; i++) {
        if (g_array_index(list, ListEntry, i).parent == (int)node)
            tree_print(sh, list, i, (guint)last_child, false, indent);
    }
    g_string_truncate(indent, indent->len - 2);
    if (last_child < 0 && node == last)
        shell_print(sh, "%s\n", indent->str);
    if (!root)
        g_string_truncate(indent, indent->len - 2);
}

static char *format_time(gint64 when)
{
    g_autoptr(GDateTime) t = g_date_time_new_from_unix_local(when);

    return t ? g_date_time_format(t, "%Y-%m-%d %H:%M:%S %z") : g_strdup("");
}

static void snapshot_list_table(Shell *sh, GArray *list, bool with_parent)
{
    static const char *const header[] = { "Name", "Creation Time", "State", NULL };
    static const char *const header_parent[] = { "Name", "Creation Time", "State", "Parent", NULL };
    g_autoptr(ShellTable) table = shell_table_new(with_parent ? header_parent : header);
    g_autofree char *text = NULL;

    for (guint i = 0; i < list->len; i++) {
        const ListEntry *e = &g_array_index(list, ListEntry, i);
        g_autofree char *when = format_time(e->facts.created);
        const char *cells[] = { virDomainSnapshotGetName(e->snap), when, e->facts.state,
                                e->facts.parent ? e->facts.parent : "", NULL };

        if (!with_parent)
            cells[3] = NULL;
        shell_table_add_row(table, cells);
    }
    text = shell_table_format(table, !sh->quiet);
    shell_print(sh, "%s", text);
}

static void snapshot_list_json(Shell *sh, GArray *list)
{
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "snapshots");
    json_builder_begin_array(b);
    for (guint i = 0; i < list->len; i++) {
        const ListEntry *e = &g_array_index(list, ListEntry, i);
        int current = virDomainSnapshotIsCurrent(e->snap, 0);

        shell_reset_error(sh);
        json_builder_begin_object(b);
        json_set_string(b, "name", virDomainSnapshotGetName(e->snap));
        json_set_int(b, "creation_time", e->facts.created, true);
        json_set_string(b, "state", e->facts.state);
        json_set_string(b, "parent", e->facts.parent);
        json_set_tristate(b, "current", current);
        json_set_string(b, "location", e->facts.external ? "external" : "internal");
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    shell_print_json(sh, json_builder_get_root(b));
}

static void snapshot_list_print(Shell *sh, const ShellCall *call, GArray *list)
{
    if (shell_call_has(call, "json")) {
        snapshot_list_json(sh, list);
    } else if (shell_call_has(call, "tree")) {
        g_autoptr(GString) indent = g_string_new(NULL);

        for (guint i = 0; i < list->len; i++) {
            if (g_array_index(list, ListEntry, i).parent < 0)
                tree_print(sh, list, i, i, true, indent);
        }
    } else if (shell_call_has(call, "name")) {
        for (guint i = 0; i < list->len; i++)
            shell_print(sh, "%s\n",
                        virDomainSnapshotGetName(g_array_index(list, ListEntry, i).snap));
    } else {
        snapshot_list_table(sh, list, shell_call_has(call, "parent"));
    }
}

static bool exclusive(Shell *sh, const ShellCall *call, const char *a, const char *b)
{
    if (!shell_call_has(call, a) || !shell_call_has(call, b))
        return true;
    shell_error(sh, "Options --%s and --%s are mutually exclusive", a, b);
    return false;
}

/* The listing flags, checked in virsh's order and with its messages. */
static bool snapshot_list_flags(Shell *sh, const ShellCall *call, unsigned int *ret_flags)
{
    static const struct {
        const char *opt;
        unsigned int flag;
        bool no_tree;
    } filters[] = {
        { "leaves", VIR_DOMAIN_SNAPSHOT_LIST_LEAVES, true },
        { "no-leaves", VIR_DOMAIN_SNAPSHOT_LIST_NO_LEAVES, true },
        { "inactive", VIR_DOMAIN_SNAPSHOT_LIST_INACTIVE, true },
        { "active", VIR_DOMAIN_SNAPSHOT_LIST_ACTIVE, true },
        { "disk-only", VIR_DOMAIN_SNAPSHOT_LIST_DISK_ONLY, true },
        { "internal", VIR_DOMAIN_SNAPSHOT_LIST_INTERNAL, true },
        { "external", VIR_DOMAIN_SNAPSHOT_LIST_EXTERNAL, true },
        { "roots", VIR_DOMAIN_SNAPSHOT_LIST_ROOTS, false },
        { "metadata", VIR_DOMAIN_SNAPSHOT_LIST_METADATA, false },
        { "no-metadata", VIR_DOMAIN_SNAPSHOT_LIST_NO_METADATA, false },
        { "topological", VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL, false },
    };
    bool tree = shell_call_has(call, "tree");
    unsigned int flags = 0;

    if (!exclusive(sh, call, "tree", "name") || !exclusive(sh, call, "parent", "roots") ||
        !exclusive(sh, call, "parent", "tree") || !exclusive(sh, call, "roots", "tree") ||
        !exclusive(sh, call, "roots", "from") || !exclusive(sh, call, "roots", "current"))
        return false;
    for (size_t i = 0; i < G_N_ELEMENTS(filters); i++) {
        if (!shell_call_has(call, filters[i].opt))
            continue;
        if (tree && filters[i].no_tree) {
            shell_error(sh, "--%s and --tree are mutually exclusive", filters[i].opt);
            return false;
        }
        flags |= filters[i].flag;
    }
    if (shell_call_has(call, "descendants")) {
        if (!shell_call_has(call, "from") && !shell_call_has(call, "current")) {
            shell_error(sh, "--descendants requires either --from or --current");
            return false;
        }
        flags |= VIR_DOMAIN_SNAPSHOT_LIST_DESCENDANTS;
    }
    *ret_flags = flags;
    return true;
}

static bool cmd_snapshot_list(Shell *sh, const ShellCall *call)
{
    unsigned int flags;
    virDomainPtr dom;
    virDomainSnapshotPtr from = NULL;
    g_autoptr(GArray) list = NULL;

    if (!snapshot_list_flags(sh, call, &flags))
        return false;
    dom = shell_lookup_domain(sh, call, SHELL_BY_ANY, NULL);
    if (!dom)
        return false;
    if (shell_call_has(call, "from") || shell_call_has(call, "current")) {
        from = snap_lookup(sh, call, "from", true, dom);
        if (!from) {
            virDomainFree(dom);
            return false;
        }
    }
    list = snapshot_list_collect(sh, dom, from, flags, shell_call_has(call, "tree"));
    if (list)
        snapshot_list_print(sh, call, list);
    if (from)
        virDomainSnapshotFree(from);
    virDomainFree(dom);
    return list != NULL;
}

static const ShellOptDef opts_snapshot_list[] = {
    SHELL_OPT_DOMAIN,
    { "parent", SHELL_OPT_BOOL, 0, "add a column showing parent snapshot" },
    { "roots", SHELL_OPT_BOOL, 0, "list only snapshots without parents" },
    { "leaves", SHELL_OPT_BOOL, 0, "list only snapshots without children" },
    { "no-leaves", SHELL_OPT_BOOL, 0, "list only snapshots that are not leaves (with children)" },
    { "metadata", SHELL_OPT_BOOL, 0,
      "list only snapshots that have metadata that would prevent undefine" },
    { "no-metadata", SHELL_OPT_BOOL, 0,
      "list only snapshots that have no metadata managed by libvirt" },
    { "inactive", SHELL_OPT_BOOL, 0, "filter by snapshots taken while inactive" },
    { "active", SHELL_OPT_BOOL, 0,
      "filter by snapshots taken while active (full system snapshots)" },
    { "disk-only", SHELL_OPT_BOOL, 0, "filter by disk-only snapshots" },
    { "internal", SHELL_OPT_BOOL, 0, "filter by internal snapshots" },
    { "external", SHELL_OPT_BOOL, 0, "filter by external snapshots" },
    { "tree", SHELL_OPT_BOOL, 0, "list snapshots in a tree" },
    { "from", SHELL_OPT_DATA, 0, "limit list to children of given snapshot" },
    { "current", SHELL_OPT_BOOL, 0, "limit list to children of current snapshot" },
    { "descendants", SHELL_OPT_BOOL, 0, "with --from, list all descendants" },
    { "name", SHELL_OPT_BOOL, 0, "list snapshot names only" },
    { "topological", SHELL_OPT_BOOL, 0, "sort list topologically rather than by name" },
    SHELL_OPT_JSON,
    { NULL },
};

const ShellCmdDef shell_snapshot_cmds[] = {
    { "snapshot-create", cmd_snapshot_create, opts_snapshot_create, "snapshot",
      "Create a snapshot from XML" },
    { "snapshot-create-as", cmd_snapshot_create_as, opts_snapshot_create_as, "snapshot",
      "Create a snapshot from a set of args" },
    { "snapshot-current", cmd_snapshot_current, opts_snapshot_current, "snapshot",
      "Get or set the current snapshot" },
    { "snapshot-delete", cmd_snapshot_delete, opts_snapshot_delete, "snapshot",
      "Delete a domain snapshot" },
    { "snapshot-dumpxml", cmd_snapshot_dumpxml, opts_snapshot_dumpxml, "snapshot",
      "Dump XML for a domain snapshot" },
    { "snapshot-info", cmd_snapshot_info, opts_snapshot_info, "snapshot", "snapshot information" },
    { "snapshot-list", cmd_snapshot_list, opts_snapshot_list, "snapshot",
      "List snapshots for a domain" },
    { "snapshot-parent", cmd_snapshot_parent, opts_snapshot_parent, "snapshot",
      "Get the name of the parent of a snapshot" },
    { "snapshot-revert", cmd_snapshot_revert, opts_snapshot_revert, "snapshot",
      "Revert a domain to a snapshot" },
    { NULL },
};
