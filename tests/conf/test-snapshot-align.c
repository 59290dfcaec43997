/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Snapshot defaults and disk alignment with the domain: one entry per domain disk in
 * the domain's order, names resolved to targets, defaults by disk kind. */

#include <string.h>

#include "conf/domain-def.h"
#include "conf/snapshot-def.h"
#include "util/error.h"

static const char domain_xml[] =
    "<domain type='kvm'><name>web1</name><memory unit='KiB'>1024</memory>"
    "<os><type>hvm</type></os><devices>"
    "<disk type='file' device='disk'><source file='/img/web1.qcow2'/>"
    "<target dev='vda' bus='virtio'/></disk>"
    "<disk type='file' device='disk'><source file='/img/shared.raw'/>"
    "<target dev='vdb' bus='virtio'/><readonly/></disk>"
    "<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>"
    "</devices></domain>";

static DomainDef *domain(void)
{
    g_autoptr(GError) error = NULL;
    DomainDef *dom = domain_def_parse_string(domain_xml, 0, &error);

    g_assert_no_error(error);
    return dom;
}

static SnapshotDef *snapshot(const char *xml)
{
    g_autoptr(GError) error = NULL;
    SnapshotDef *def = snapshot_def_parse_full(xml, 0, 1700000000, &error);

    g_assert_no_error(error);
    return def;
}

/* "name:location" for every disk entry */
static char *disks_of(const SnapshotDef *def)
{
    GString *out = g_string_new(NULL);

    for (guint i = 0; i < def->disks->len; i++) {
        const SnapshotDiskDef *disk = def->disks->pdata[i];

        g_string_append_printf(out, "%s%s:%s", i ? " " : "", disk->name,
                               snapshot_location_to_string(disk->snapshot));
    }
    return g_string_free(out, FALSE);
}

static void check_align(const char *xml, SnapshotLocation def_loc, const char *expected)
{
    g_autoptr(DomainDef) dom = domain();
    g_autoptr(SnapshotDef) def = snapshot(xml);
    g_autoptr(GError) error = NULL;
    g_autofree char *got = NULL;

    g_assert_true(snapshot_def_align_disks(def, dom, def_loc, &error));
    g_assert_no_error(error);
    got = disks_of(def);
    g_assert_cmpstr(got, ==, expected);
}

static void test_align(void)
{
    /* nothing listed: full snapshot, disk-only snapshot */
    check_align("<domainsnapshot/>", SNAPSHOT_LOCATION_INTERNAL, "vda:internal vdb:no hdc:no");
    check_align("<domainsnapshot/>", SNAPSHOT_LOCATION_EXTERNAL, "vda:external vdb:no hdc:no");
    /* listed out of order, one by its source path; an explicit choice wins */
    check_align("<domainsnapshot><disks><disk name='vdb' snapshot='internal'/>"
                "<disk name='/img/web1.qcow2'><source file='/img/web1.s1.qcow2'/></disk>"
                "</disks></domainsnapshot>",
                SNAPSHOT_LOCATION_INTERNAL, "vda:external vdb:internal hdc:no");
}

static void check_align_error(const char *xml, const char *message)
{
    g_autoptr(DomainDef) dom = domain();
    g_autoptr(SnapshotDef) def = snapshot(xml);
    g_autoptr(GError) error = NULL;

    g_assert_false(snapshot_def_align_disks(def, dom, SNAPSHOT_LOCATION_INTERNAL, &error));
    g_assert_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_XML_ERROR);
    g_assert_cmpstr(error->message, ==, message);
}

static void test_align_errors(void)
{
    check_align_error("<domainsnapshot><name>s1</name><disks><disk name='vdz'/></disks>"
                      "</domainsnapshot>",
                      "snapshot 's1' lists disk 'vdz', which domain 'web1' does not have");
    check_align_error("<domainsnapshot><name>s1</name><disks><disk name='vda'/>"
                      "<disk name='/img/web1.qcow2' snapshot='no'/></disks></domainsnapshot>",
                      "disk 'vda' is listed more than once in <disks> of snapshot 's1'");
}

static void test_post_parse(void)
{
    g_autoptr(SnapshotDef) def = snapshot_def_new();
    g_autoptr(SnapshotDef) named = snapshot_def_new();

    g_assert_true(snapshot_def_post_parse(def, 1234567890, NULL));
    g_assert_cmpstr(def->name, ==, "1234567890");
    g_assert_cmpint(def->creation_time, ==, 1234567890);
    named->name = g_strdup("kept");
    named->creation_time = 42;
    g_assert_true(snapshot_def_post_parse(named, 1234567890, NULL));
    g_assert_cmpstr(named->name, ==, "kept");
    g_assert_cmpint(named->creation_time, ==, 42);
}

static void test_kinds(void)
{
    g_autoptr(SnapshotDef) def = snapshot_def_new();
    SnapshotDiskDef *disk = snapshot_disk_def_new();

    def->state = SNAPSHOT_STATE_SHUTOFF;
    g_assert_true(snapshot_def_is_inactive(def));
    g_assert_false(snapshot_def_is_disk_only(def));
    g_assert_false(snapshot_def_is_external(def));
    def->state = SNAPSHOT_STATE_DISK_SNAPSHOT;
    g_assert_true(snapshot_def_is_disk_only(def));
    g_assert_false(snapshot_def_is_inactive(def));
    disk->snapshot = SNAPSHOT_LOCATION_EXTERNAL;
    g_ptr_array_add(def->disks, disk);
    g_assert_true(snapshot_def_is_external(def));
    disk->snapshot = SNAPSHOT_LOCATION_INTERNAL;
    g_assert_false(snapshot_def_is_external(def));
    def->memory = SNAPSHOT_LOCATION_EXTERNAL;
    g_assert_true(snapshot_def_is_external(def));
    g_assert_cmpstr(snapshot_state_to_string(SNAPSHOT_STATE_DISK_SNAPSHOT), ==, "disk-snapshot");
    g_assert_cmpint(snapshot_location_from_string("manual"), ==, SNAPSHOT_LOCATION_MANUAL);
}

/* ---- a redefined snapshot completed (snapshot_def_fill_redefined) ---- */

/* the generic post-parse and validation, counting its calls */
static bool fill_generic(DomainDef *dom, void *opaque, GError **error)
{
    (*(int *)opaque)++;
    return domain_def_post_parse(dom, NULL, error) && domain_def_validate(dom, error);
}

static SnapshotDef *redefined(const char *state, const char *extra, const char *memory)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = g_strdup_printf(
        "<domainsnapshot><name>s1</name><state>%s</state>"
        "<creationTime>1700000000</creationTime>%s"
        "<domain type='kvm'><name>web1</name>%s<os><type>hvm</type></os><devices>"
        "<disk type='file' device='disk'><source file='/img/a.qcow2'/><target dev='vda'/>"
        "</disk><disk type='file' device='cdrom'><target dev='hdc'/><readonly/></disk>"
        "</devices></domain></domainsnapshot>",
        state, extra, memory);
    SnapshotDef *def = snapshot_def_parse_full(xml, SNAPSHOT_PARSE_REDEFINE, 1, &error);

    g_assert_no_error(error);
    return def;
}

static void test_fill_redefined(void)
{
    g_autoptr(SnapshotDef) def = redefined("shutoff", "", "<memory>1024</memory>");
    g_autoptr(SnapshotDef) ext =
        redefined("shutoff",
                  "<disks><disk name='vda' snapshot='external'><source file='/o.qcow2'/>"
                  "</disk></disks>",
                  "<memory>1024</memory>");
    g_autoptr(SnapshotDef) ds = redefined("disk-snapshot", "", "<memory>1024</memory>");
    g_autoptr(GError) error = NULL;
    g_autofree char *disks = NULL;
    int calls = 0;

    /* the config filled in as a defined one (a bus for each disk),
     * and an internal snapshot aligned: one entry per disk, the empty cdrom not taken */
    g_assert_true(snapshot_def_fill_redefined(def, fill_generic, &calls, &error));
    g_assert_no_error(error);
    g_assert_cmpint(calls, ==, 1);
    g_assert_cmpint(((DomainDiskDef *)def->dom->disks->pdata[0])->target_bus, ==,
                    DOMAIN_DISK_BUS_VIRTIO);
    disks = disks_of(def);
    g_assert_cmpstr(disks, ==, "vda:internal hdc:no");
    g_clear_pointer(&disks, g_free);
    /* external and disk-only ones keep their <disks> as given */
    g_assert_true(snapshot_def_fill_redefined(ext, fill_generic, &calls, &error));
    disks = disks_of(ext);
    g_assert_cmpstr(disks, ==, "vda:external");
    g_clear_pointer(&disks, g_free);
    g_assert_true(snapshot_def_fill_redefined(ds, fill_generic, &calls, &error));
    g_assert_cmpuint(ds->disks->len, ==, 0);
    g_assert_no_error(error);
}

static void test_fill_redefined_errors(void)
{
    g_autoptr(SnapshotDef) nomem = redefined("shutoff", "", "<memory>0</memory>");
    g_autoptr(SnapshotDef) stray =
        redefined("running", "<disks><disk name='vdz' snapshot='internal'/></disks>",
                  "<memory>1024</memory>");
    g_autoptr(GError) error = NULL;
    int calls = 0;

    /* parsed, but refused by the domain validation: its error, naming the snapshot */
    g_assert_false(snapshot_def_fill_redefined(nomem, fill_generic, &calls, &error));
    g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_XML_ERROR);
    g_assert_cmpstr(error->message, ==,
                    "invalid <domain> in snapshot 's1': memory size in <memory> must be greater "
                    "than zero");
    g_clear_error(&error);
    g_assert_false(snapshot_def_fill_redefined(stray, fill_generic, &calls, &error));
    g_assert_error(error, VIRT_SNAPSHOT_ERROR, VIRT_ERR_XML_ERROR);
    g_assert_cmpstr(error->message, ==,
                    "snapshot 's1' lists disk 'vdz', which domain 'web1' does not have");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/conf/snapshot-align/align", test_align);
    g_test_add_func("/conf/snapshot-align/errors", test_align_errors);
    g_test_add_func("/conf/snapshot-align/post-parse", test_post_parse);
    g_test_add_func("/conf/snapshot-align/kinds", test_kinds);
    g_test_add_func("/conf/snapshot-align/fill-redefined", test_fill_redefined);
    g_test_add_func("/conf/snapshot-align/fill-redefined-errors", test_fill_redefined_errors);
    return g_test_run();
}
