/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tier: real daemon, real-TCG guests. Snapshots and managed save of the tiny real guest
 * (mkguest.sh) with a qcow2 disk, through libclient against virtqemud:
 * - internal snapshot of the running guest, the guest powered off, revert: the guest
 *   comes back where it was (it powers off on the button again, without booting);
 * - internal snapshot of the shut-off guest (qemu-img), revert and delete; a raw disk
 *   is refused naming it;
 * - external disk-only snapshot of the running guest (blockdev-snapshot), revert and
 *   delete: the files left are exactly the original image;
 * - external snapshot deleted while the guest runs (QEMU's block commit): what the
 *   guest wrote after the snapshot is in the original image, the overlay is gone, the
 *   guest writes on; first (root only) with the original image on a full tmpfs: the
 *   commit job fails and the snapshot, the overlay and the guest on it stay;
 * - managed save and start restoring (the guest continues), --paused stays paused,
 *   undefine refused while the image exists.
 * The guest's serial log is a file QEMU truncates when it opens it again: a restored or
 * reverted guest that never printed VIRTKIT-GUEST-UP again did not boot.
 */

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <virtkit/virtkit.h>

#include "qemud-harness.h"

#define BOOT_MS 60000

static TestQemud *qd;
static virConnectPtr conn;
static char *kernel, *initrd, *imgdir;

static bool build_guest(void)
{
    const char *srcdir = g_getenv("VIRTKIT_TEST_SRCDIR");
    g_autofree char *script = g_build_filename(srcdir, "qemu", "mkguest.sh", NULL);
    const char *argv[] = { script, g_getenv("VIRTKIT_TEST_CACHE"), NULL };
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;
    gint status = -1;

    if (!argv[1] ||
        !g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL, &out, NULL, &status, NULL) ||
        status != 0)
        return false;
    lines = g_strsplit(out, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        if (g_str_has_prefix(lines[i], "KERNEL="))
            kernel = g_strdup(lines[i] + 7);
        else if (g_str_has_prefix(lines[i], "INITRD="))
            initrd = g_strdup(lines[i] + 7);
    }
    return kernel && initrd;
}

/* @rc of a libvirt call must be 0; else fail with the error it left. */
#define CHECK(call) check_rc((call), #call)

static void check_rc(int rc, const char *what)
{
    virErrorPtr err = virGetLastError();

    if (rc != 0)
        g_error("%s failed: %s", what, err && err->message ? err->message : "no error");
}

static char *run(const char *cmdline)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    gint status = -1;

    g_assert_true(g_spawn_command_line_sync(cmdline, &out, &err, &status, NULL));
    if (status != 0)
        g_error("'%s' failed: %s", cmdline, err);
    return g_steal_pointer(&out);
}

static char *img_path(const char *name)
{
    return g_build_filename(imgdir, name, NULL);
}

static char *make_disk(const char *name, const char *format)
{
    char *path = img_path(name);
    g_autofree char *cmd = g_strdup_printf("qemu-img create -q -f %s %s 16M", format, path);
    g_autofree char *out = run(cmd);

    return path;
}

static char *serial_path(const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.serial", name);

    return img_path(file);
}

/* The tiny guest @name on @disk; @cmdline_extra is added to its kernel command line. */
static virDomainPtr define_guest_cmdline(const char *name, const char *disk, const char *format,
                                         const char *cmdline_extra)
{
    g_autofree char *serial = serial_path(name);
    g_autofree char *xml =
        g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>128</memory>"
                        "<os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel>"
                        "<initrd>%s</initrd><cmdline>console=ttyS0 panic=-1 quiet%s</cmdline></os>"
                        "<features><acpi/><apic/></features><devices>"
                        "<disk type='file' device='disk'><driver name='qemu' type='%s'/>"
                        "<source file='%s'/><target dev='vda' bus='virtio'/></disk>"
                        "<serial type='file'><source path='%s'/></serial>"
                        "<memballoon model='none'/></devices></domain>",
                        name, kernel, initrd, cmdline_extra, format, disk, serial);
    virDomainPtr dom = virDomainDefineXML(conn, xml);

    g_assert_nonnull(dom);
    return dom;
}

static virDomainPtr define_guest(const char *name, const char *disk, const char *format)
{
    return define_guest_cmdline(name, disk, format, "");
}

static void start_ready(virDomainPtr dom)
{
    g_autofree char *serial = serial_path(virDomainGetName(dom));

    CHECK(virDomainCreate(dom));
    g_assert_true(test_qemud_wait_file_contains(serial, "VIRTKIT-GUEST-READY", BOOT_MS));
}

static void assert_state(virDomainPtr dom, int want, int want_reason)
{
    int state = -1, reason = -1;

    CHECK(virDomainGetState(dom, &state, &reason, 0));
    g_assert_cmpint(state, ==, want);
    if (want_reason >= 0)
        g_assert_cmpint(reason, ==, want_reason);
}

/* The guest powers off on the ACPI button: it was waiting for it, so it runs the
 * /init it started with; no VIRTKIT-GUEST-UP since the serial file was opened again
 * means it did not boot again. */
static void power_off_continued(virDomainPtr dom)
{
    g_autofree char *serial = serial_path(virDomainGetName(dom));
    g_autofree char *text = NULL;

    CHECK(virDomainShutdown(dom));
    g_assert_true(test_qemud_wait_file_contains(serial, "VIRTKIT-GUEST-POWEROFF", BOOT_MS));
    g_assert_true(g_file_get_contents(serial, &text, NULL, NULL));
    g_assert_null(strstr(text, "VIRTKIT-GUEST-UP"));
}

static bool img_has_snapshot(const char *path, const char *tag)
{
    g_autofree char *cmd = g_strdup_printf("qemu-img snapshot -U -l %s", path);
    g_autofree char *out = run(cmd);
    g_autofree char *needle = g_strdup_printf(" %s ", tag);

    return strstr(out, needle) != NULL;
}

static char *meta_path(const char *dom, const char *snap)
{
    g_autofree char *file = g_strdup_printf("%s.xml", snap);

    return g_build_filename(qd->root, "lib", "qemu", "snapshot", dom, file, NULL);
}

/* Lifecycle events of every domain, "name:event/detail " in order. */
static GString *events;

static int on_lifecycle(virConnectPtr c, virDomainPtr dom, int event, int detail, void *opaque)
{
    g_string_append_printf(events, "%s:%d/%d ", virDomainGetName(dom), event, detail);
    return 0;
}

static void noop_timer(int timer, void *opaque)
{
}

/* Wait for the event "name:event/detail" (it is then consumed from the log). */
static void wait_event(virDomainPtr dom, int event, int detail)
{
    g_autofree char *want = g_strdup_printf("%s:%d/%d ", virDomainGetName(dom), event, detail);
    int64_t deadline = g_get_monotonic_time() + (int64_t)BOOT_MS * 1000;
    char *at;

    while (!(at = strstr(events->str, want))) {
        if (g_get_monotonic_time() > deadline)
            g_error("no event %s; seen: %s", want, events->str);
        CHECK(virEventRunDefaultImpl());
    }
    g_string_erase(events, 0, (at - events->str) + (gssize)strlen(want));
}

static void wait_shutoff(virDomainPtr dom)
{
    wait_event(dom, VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN);
    assert_state(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SHUTDOWN);
}

/* ---- internal ---- */

static void test_internal_running(void)
{
    g_autofree char *disk = make_disk("int1.qcow2", "qcow2");
    g_autofree char *meta = meta_path("int1", "s1");
    virDomainPtr dom = define_guest("int1", disk, "qcow2");
    virDomainSnapshotPtr snap;
    g_autofree char *xml = NULL;

    start_ready(dom);
    snap = virDomainSnapshotCreateXML(dom, "<domainsnapshot><name>s1</name></domainsnapshot>", 0);
    g_assert_nonnull(snap);
    xml = virDomainSnapshotGetXMLDesc(snap, 0);
    g_assert_nonnull(strstr(xml, "<state>running</state>"));
    g_assert_nonnull(strstr(xml, "<memory snapshot='internal'/>"));
    g_assert_true(img_has_snapshot(disk, "s1"));
    g_assert_true(g_file_test(meta, G_FILE_TEST_EXISTS));
    assert_state(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);

    /* the guest goes away; the snapshot brings it back where it was */
    CHECK(virDomainShutdown(dom));
    wait_shutoff(dom);
    CHECK(virDomainRevertToSnapshot(snap, 0));
    assert_state(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_FROM_SNAPSHOT);
    g_assert_cmpint(virDomainSnapshotIsCurrent(snap, 0), ==, 1);
    power_off_continued(dom);
    wait_shutoff(dom);

    /* delete (shut off: qemu-img) */
    CHECK(virDomainSnapshotDelete(snap, 0));
    g_assert_false(img_has_snapshot(disk, "s1"));
    g_assert_false(g_file_test(meta, G_FILE_TEST_EXISTS));
    CHECK(virDomainSnapshotNum(dom, 0));
    virDomainSnapshotFree(snap);
    CHECK(virDomainUndefine(dom));
    virDomainFree(dom);
}

static void test_internal_shutoff(void)
{
    g_autofree char *disk = make_disk("int2.qcow2", "qcow2");
    g_autofree char *raw = make_disk("int2.raw", "raw");
    virDomainPtr dom = define_guest("int2", disk, "qcow2");
    virDomainPtr rawdom = define_guest("int2raw", raw, "raw");
    virDomainSnapshotPtr snap;
    virErrorPtr err;
    g_autofree char *xml = NULL;

    snap = virDomainSnapshotCreateXML(dom, "<domainsnapshot><name>off</name></domainsnapshot>", 0);
    g_assert_nonnull(snap);
    xml = virDomainSnapshotGetXMLDesc(snap, 0);
    g_assert_nonnull(strstr(xml, "<state>shutoff</state>"));
    g_assert_true(img_has_snapshot(disk, "off"));
    CHECK(virDomainRevertToSnapshot(snap, 0));
    assert_state(dom, VIR_DOMAIN_SHUTOFF, -1);
    /* undefine needs the snapshots' metadata to go too */
    g_assert_cmpint(virDomainUndefine(dom), ==, -1);
    err = virGetLastError();
    g_assert_nonnull(strstr(err->message, "snapshot"));
    CHECK(virDomainSnapshotDelete(snap, 0));
    g_assert_false(img_has_snapshot(disk, "off"));
    virDomainSnapshotFree(snap);

    g_assert_null(virDomainSnapshotCreateXML(rawdom, "<domainsnapshot/>", 0));
    err = virGetLastError();
    g_assert_cmpint(err->code, ==, VIR_ERR_CONFIG_UNSUPPORTED);
    g_assert_nonnull(strstr(err->message, "disk 'vda'"));
    CHECK(virDomainUndefine(dom));
    CHECK(virDomainUndefine(rawdom));
    virDomainFree(dom);
    virDomainFree(rawdom);
}

/* ---- external ---- */

static gint cmp_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static char *dir_listing(const char *dir, const char *prefix)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    const char *e;

    while ((e = g_dir_read_name(d)))
        if (g_str_has_prefix(e, prefix))
            g_ptr_array_add(names, (gpointer)e);
    g_ptr_array_sort(names, cmp_names);
    g_ptr_array_add(names, NULL);
    return g_strjoinv(" ", (char **)names->pdata);
}

/* The image directory holds exactly these files of the guest (sorted, space-separated). */
/* @dir holds exactly these files starting with @prefix (sorted, space-separated). */
static void assert_files(const char *dir, const char *prefix, const char *expected)
{
    g_autofree char *files = dir_listing(dir, prefix);

    g_assert_cmpstr(files, ==, expected);
}

static void assert_dir_listing(const char *expected)
{
    g_autofree char *files = dir_listing(imgdir, "ext1");

    g_assert_cmpstr(files, ==, expected);
}

static void test_external(void)
{
    g_autofree char *disk = make_disk("ext1.qcow2", "qcow2");
    g_autofree char *overlay = img_path("ext1.e1");
    virDomainPtr dom = define_guest("ext1", disk, "qcow2");
    virDomainSnapshotPtr snap;
    g_autofree char *xml = NULL;
    g_autofree char *info = NULL;
    g_autofree char *cmd = NULL;

    start_ready(dom);
    snap = virDomainSnapshotCreateXML(dom, "<domainsnapshot><name>e1</name></domainsnapshot>",
                                      VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY);
    g_assert_nonnull(snap);
    xml = virDomainGetXMLDesc(dom, 0);
    g_assert_nonnull(strstr(xml, overlay));
    g_free(xml);
    xml = virDomainSnapshotGetXMLDesc(snap, 0);
    g_assert_nonnull(strstr(xml, "<state>disk-snapshot</state>"));
    cmd = g_strdup_printf("qemu-img info -U %s", overlay);
    info = run(cmd);
    g_assert_nonnull(strstr(info, disk)); /* backing file */
    assert_state(dom, VIR_DOMAIN_RUNNING, -1);

    /* revert: the guest stops, a new overlay replaces the one it ran on */
    CHECK(virDomainRevertToSnapshot(snap, 0));
    assert_state(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT);
    assert_dir_listing("ext1.e1 ext1.qcow2 ext1.serial");

    /* delete: merged down, back on the original image, no overlay left */
    CHECK(virDomainSnapshotDelete(snap, 0));
    assert_dir_listing("ext1.qcow2 ext1.serial");
    g_free(xml);
    xml = virDomainGetXMLDesc(dom, 0);
    g_assert_nonnull(strstr(xml, disk));
    g_assert_null(strstr(xml, overlay));
    CHECK(virDomainSnapshotNum(dom, 0));
    virDomainSnapshotFree(snap);

    /* offline disk-only: qemu-img create, then delete */
    snap = virDomainSnapshotCreateXML(dom, "<domainsnapshot><name>e2</name></domainsnapshot>",
                                      VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY);
    g_assert_nonnull(snap);
    assert_dir_listing("ext1.e2 ext1.qcow2 ext1.serial");
    CHECK(virDomainSnapshotDelete(snap, 0));
    assert_dir_listing("ext1.qcow2 ext1.serial");
    virDomainSnapshotFree(snap);
    CHECK(virDomainUndefine(dom));
    virDomainFree(dom);
}

/* ---- external, deleted while the guest runs ---- */

/* The disk-writing guest (guest-init.sh, virtkit.disk=write) writes block @n when the
 * power button is pressed. */
static void guest_write(virDomainPtr dom, int n)
{
    g_autofree char *serial = serial_path(virDomainGetName(dom));
    g_autofree char *wrote = g_strdup_printf("VIRTKIT-WROTE %d\r\n", n); /* a tty line */

    CHECK(virDomainShutdown(dom));
    g_assert_true(test_qemud_wait_file_contains(serial, wrote, BOOT_MS));
}

/* The blocks the guest wrote that the image @path holds, "1 2 ..." (read shut off). */
static char *image_blocks(const char *path)
{
    g_autofree char *base = g_path_get_basename(path);
    g_autofree char *file = g_strdup_printf("%s.raw", base);
    g_autofree char *raw = img_path(file); /* not next to @path: that may be a tiny tmpfs */
    g_autofree char *cmd =
        g_strdup_printf("qemu-img dd -O raw if=%s of=%s bs=1M count=8", path, raw);
    g_autofree char *out = run(cmd);
    g_autofree char *data = NULL;
    g_autoptr(GString) blocks = g_string_new(NULL);
    gsize len = 0;

    g_assert_true(g_file_get_contents(raw, &data, &len, NULL));
    g_assert_cmpint(g_unlink(raw), ==, 0);
    for (int n = 1; (gsize)(n + 1) << 20 <= len; n++) {
        g_autofree char *marker = g_strdup_printf("VIRTKIT-DATA-%d\n", n);

        if (memcmp(data + ((gsize)n << 20), marker, strlen(marker)) == 0)
            g_string_append_printf(blocks, "%s%d", blocks->len ? " " : "", n);
    }
    return g_string_free(g_steal_pointer(&blocks), FALSE);
}

static void assert_runs_on(virDomainPtr dom, const char *image)
{
    g_autofree char *xml = virDomainGetXMLDesc(dom, 0);
    g_autofree char *source = g_strdup_printf("<source file='%s'", image);

    g_assert_nonnull(xml);
    g_assert_nonnull(strstr(xml, source));
    assert_state(dom, VIR_DOMAIN_RUNNING, -1);
}

static bool small_fs_usable; /* root in its own mount namespace: a tiny tmpfs can be made */

/* Fill the file system of @dir (the filler file is returned). */
static char *fill_fs(const char *dir)
{
    char *path = g_build_filename(dir, "filler", NULL);
    static const char chunk[65536];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    g_assert_cmpint(fd, >=, 0);
    while (write(fd, chunk, sizeof(chunk)) > 0)
        continue;
    while (write(fd, chunk, 512) > 0)
        continue;
    g_assert_cmpint(errno, ==, ENOSPC);
    g_assert_cmpint(fsync(fd), ==, 0);
    g_assert_cmpint(close(fd), ==, 0);
    return path;
}

/* The image the commit writes into is on a full file system: the commit job fails,
 * and the snapshot, its overlay and the running guest on it stay as they were; the
 * guest writes on (block @n, to the overlay) once there is room again. */
static void live_delete_fails(virDomainPtr dom, virDomainSnapshotPtr snap, const char *dir,
                              const char *overlay, int n)
{
    g_autofree char *filler = fill_fs(dir);
    virErrorPtr err;

    g_assert_cmpint(virDomainSnapshotDelete(snap, 0), ==, -1);
    err = virGetLastError();
    g_assert_nonnull(err);
    g_test_message("delete on a full file system: %s", err->message);
    g_assert_nonnull(strstr(err->message, "live commit of disk 'vda'"));
    g_assert_nonnull(strstr(err->message, "still runs on"));
    g_assert_nonnull(strstr(err->message, "No space left on device"));
    g_assert_cmpint(virDomainSnapshotNum(dom, 0), ==, 1);
    assert_files(dir, "live1", "live1.e1 live1.qcow2");
    assert_runs_on(dom, overlay);
    g_assert_cmpint(g_unlink(filler), ==, 0);
    guest_write(dom, n);
}

/* What the guest wrote after the snapshot is merged by QEMU into the image it froze
 * while the guest runs, which then goes on writing to that image. As root the image is
 * on a tiny tmpfs and a first delete meets a full file system (live_delete_fails). */
static void test_external_live_delete(void)
{
    g_autofree char *dir = g_build_filename(imgdir, "small", NULL);
    g_autofree char *disk = g_build_filename(dir, "live1.qcow2", NULL);
    g_autofree char *overlay = g_build_filename(dir, "live1.e1", NULL);
    g_autofree char *cmd = g_strdup_printf("qemu-img create -q -f qcow2 %s 16M", disk);
    g_autofree char *out = NULL;
    g_autofree char *blocks = NULL;
    virDomainSnapshotPtr snap;
    virDomainPtr dom;
    int n = 0;

    g_assert_cmpint(g_mkdir(dir, 0700), ==, 0);
    if (small_fs_usable)
        g_assert_cmpint(mount("tmpfs", dir, "tmpfs", 0, "size=4m,mode=0700"), ==, 0);
    else
        g_test_message("not root: the failing commit (full file system) is not tested");
    out = run(cmd);
    dom = define_guest_cmdline("live1", disk, "qcow2", " virtkit.disk=write");
    start_ready(dom);
    guest_write(dom, ++n); /* into the image, before the snapshot */
    snap = virDomainSnapshotCreateXML(dom, "<domainsnapshot><name>e1</name></domainsnapshot>",
                                      VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY);
    g_assert_nonnull(snap);
    assert_files(dir, "live1", "live1.e1 live1.qcow2");
    guest_write(dom, ++n); /* into the overlay */
    if (small_fs_usable)
        live_delete_fails(dom, snap, dir, overlay, ++n);

    CHECK(virDomainSnapshotDelete(snap, 0));
    assert_files(dir, "live1", "live1.qcow2");
    assert_runs_on(dom, disk);
    g_assert_cmpint(virDomainSnapshotNum(dom, 0), ==, 0);
    guest_write(dom, ++n); /* into the image again */
    CHECK(virDomainDestroy(dom));
    blocks = image_blocks(disk);
    g_assert_cmpstr(blocks, ==, small_fs_usable ? "1 2 3 4" : "1 2 3");
    virDomainSnapshotFree(snap);
    CHECK(virDomainUndefine(dom));
    virDomainFree(dom);
    if (small_fs_usable)
        g_assert_cmpint(umount2(dir, MNT_DETACH), ==, 0);
}

/* ---- managed save ---- */

static void test_managed_save(void)
{
    g_autofree char *disk = make_disk("save1.qcow2", "qcow2");
    g_autofree char *image = g_build_filename(qd->root, "lib", "qemu", "save", "save1.save", NULL);
    virDomainPtr dom = define_guest("save1", disk, "qcow2");
    struct stat st;

    start_ready(dom);
    CHECK(virDomainManagedSave(dom, 0));
    wait_event(dom, VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SAVED);
    assert_state(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SAVED);
    g_assert_cmpint(virDomainHasManagedSaveImage(dom, 0), ==, 1);
    g_assert_cmpint(stat(image, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    g_assert_cmpint(virDomainUndefine(dom), ==, -1);

    CHECK(virDomainCreate(dom));
    wait_event(dom, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_RESTORED);
    assert_state(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_RESTORED);
    g_assert_false(g_file_test(image, G_FILE_TEST_EXISTS));
    CHECK(virDomainHasManagedSaveImage(dom, 0));

    /* saved paused: restored paused, and it still runs on where it was */
    CHECK(virDomainManagedSave(dom, 4 /* VIR_DOMAIN_SAVE_PAUSED */));
    wait_event(dom, VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SAVED);
    CHECK(virDomainCreate(dom));
    wait_event(dom, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_RESTORED);
    assert_state(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION); /* as libvirt 9.0 */
    CHECK(virDomainResume(dom));
    power_off_continued(dom);
    wait_shutoff(dom);
    g_assert_false(g_file_test(image, G_FILE_TEST_EXISTS));
    CHECK(virDomainUndefine(dom));
    virDomainFree(dom);
}

int main(int argc, char **argv)
{
    g_autofree char *reason = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (!test_qemud_usable(&reason)) {
        g_test_skip(reason);
        return 77;
    }
    if (!build_guest()) {
        g_test_message("the tiny guest could not be built (mkguest.sh)");
        return 77;
    }
    /* a private mount namespace, inherited by the daemon and QEMU, for a tiny tmpfs */
    small_fs_usable = geteuid() == 0 && unshare(CLONE_NEWNS) == 0 &&
                      mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
    qd = test_qemud_start();
    imgdir = g_build_filename(qd->root, "images", NULL);
    g_assert_cmpint(g_mkdir(imgdir, 0700), ==, 0);
    CHECK(virEventRegisterDefaultImpl());
    conn = virConnectOpen(qd->uri);
    g_assert_nonnull(conn);
    events = g_string_new(NULL);
    g_assert_cmpint(virEventAddTimeout(100, noop_timer, NULL, NULL), >=, 0);
    g_assert_cmpint(virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                     VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), NULL,
                                                     NULL),
                    >=, 0);
    g_test_add_func("/qemu/snapshot-guest/internal-running", test_internal_running);
    g_test_add_func("/qemu/snapshot-guest/internal-shutoff", test_internal_shutoff);
    g_test_add_func("/qemu/snapshot-guest/external", test_external);
    g_test_add_func("/qemu/snapshot-guest/external-live-delete", test_external_live_delete);
    g_test_add_func("/qemu/snapshot-guest/managed-save", test_managed_save);
    ret = g_test_run();
    virConnectClose(conn);
    test_qemud_stop(qd);
    return ret;
}
