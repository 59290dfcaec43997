# SPDX-License-Identifier: LGPL-2.1-or-later
"""Debian's virsh against virtqemud: snapshots, managed save, save and restore (tier:
real daemon, real-TCG guests). The tiny real guest with a qcow2 disk, booted once:
snapshot-create-as, snapshot-list (with parents), snapshot-current, snapshot-revert of a
running snapshot after the guest powered off (it comes back where it was: it powers off
on the button again without booting; QEMU truncates the serial file when it opens it
again, so VIRTKIT-GUEST-UP would show a boot), snapshot-delete (metadata and the qcow2
snapshot); reverted to s1 again (instead of a second boot): managedsave + start
restoring, save + save-image-dumpxml + restore, the guest still the same one afterwards;
undefine of the running domain with --snapshots-metadata (it goes on transient, its
snapshot metadata goes when it stops, the qcow2 snapshot stays). A disk-less guest,
while the tiny one boots: undefine refused while a managed-save image exists, until
--managed-save; virtsh's save, save-image-dumpxml, save-image-define, restore,
managedsave-dumpxml and managedsave-define print what virsh prints (success and error),
and the redefined XML is the one that runs."""

import os
import re
import subprocess

from qemud import Qemud, define, diskless_xml, qemu_tap, tiny_xml, virsh, wait_for


def read(path):
    with open(path, errors="replace") as f:
        return f.read()


def domstate(qd, name):
    rc, out, err = virsh(qd, "domstate", "--reason", name)
    return out.strip() if rc == 0 else err.strip()


def img_snapshots(path):
    out = subprocess.run(["qemu-img", "snapshot", "-U", "-l", path], capture_output=True,
                         text=True, check=True).stdout
    return [line.split()[1] for line in out.splitlines()[2:] if line.split()]


def power_off(t, qd, name, serial, what):
    rc, out, err = virsh(qd, "shutdown", name)
    t.ok(rc == 0 and wait_for(lambda: "VIRTKIT-GUEST-POWEROFF" in read(serial), timeout=60),
         f"{what}: the guest powers off on the button", err + read(serial))
    t.ok(wait_for(lambda: domstate(qd, name) == "shut off (shutdown)"), f"{what}: shut off",
         domstate(qd, name))


def continued(t, qd, name, serial, what):
    """Power the guest off with the button it was waiting for: it did not boot again."""
    rc, out, err = virsh(qd, "shutdown", name)
    t.ok(rc == 0 and wait_for(lambda: "VIRTKIT-GUEST-POWEROFF" in read(serial), timeout=60),
         f"{what}: the guest powers off on the button", err + read(serial))
    t.ok("VIRTKIT-GUEST-UP" not in read(serial), f"{what}: the guest did not boot again",
         read(serial))
    t.ok(wait_for(lambda: domstate(qd, name) == "shut off (shutdown)"), f"{what}: shut off",
         domstate(qd, name))


def test_snapshots(t, qd, name, disk, serial):
    rc, out, err = virsh(qd, "snapshot-create-as", name, "s1", "--description", "first")
    t.ok(rc == 0 and "Domain snapshot s1 created" in out, "snapshot-create-as s1", out + err)
    rc, out, err = virsh(qd, "snapshot-create-as", name, "s2")
    t.ok(rc == 0 and "Domain snapshot s2 created" in out, "snapshot-create-as s2", out + err)
    rc, out, err = virsh(qd, "snapshot-list", name, "--parent")
    lines = [line.split() for line in out.splitlines()[2:] if line.strip()]
    # columns: name, creation time (3 words), state, parent (none for s1)
    t.ok(rc == 0 and [(w[0], w[4], w[5:]) for w in lines] ==
         [("s1", "running", []), ("s2", "running", ["s1"])],
         "snapshot-list --parent: s1 and s2 running, s2's parent s1", out + err)
    rc, out, err = virsh(qd, "snapshot-current", "--name", name)
    t.ok(rc == 0 and out.strip() == "s2", "snapshot-current: s2", out + err)
    t.ok(img_snapshots(disk) == ["s1", "s2"], "both are qcow2 snapshots", img_snapshots(disk))

    power_off(t, qd, name, serial, "before the revert")
    rc, out, err = virsh(qd, "snapshot-revert", name, "s1")
    t.ok(rc == 0 and domstate(qd, name) == "running (from snapshot)",
         "snapshot-revert s1: running (from snapshot)", err + domstate(qd, name))
    continued(t, qd, name, serial, "after the revert")
    rc, out, err = virsh(qd, "snapshot-current", "--name", name)
    t.ok(rc == 0 and out.strip() == "s1", "snapshot-current: s1 after the revert", out + err)
    rc, out, err = virsh(qd, "snapshot-delete", name, "s2")
    t.ok(rc == 0 and "Domain snapshot s2 deleted" in out, "snapshot-delete s2", out + err)
    rc, out, err = virsh(qd, "snapshot-list", name, "--name")
    t.ok(rc == 0 and out.split() == ["s1"], "snapshot-list: s1 left", out + err)
    t.ok(img_snapshots(disk) == ["s1"], "the qcow2 snapshot s2 is gone", img_snapshots(disk))


def test_managed_save_and_save(t, qd, name):
    rc, out, err = virsh(qd, "managedsave", name)
    t.ok(rc == 0 and f"Domain '{name}' state saved by libvirt" in out, "managedsave", out + err)
    t.ok(domstate(qd, name) == "shut off (saved)", "shut off (saved)", domstate(qd, name))
    rc, out, err = virsh(qd, "dominfo", name)
    t.ok(rc == 0 and "Managed save:   yes" in out, "dominfo: managed save yes", out + err)
    rc, out, err = virsh(qd, "list", "--all", "--with-managed-save", "--name")
    t.ok(rc == 0 and out.split() == [name], "list --with-managed-save", out + err)
    rc, out, err = virsh(qd, "start", name)
    t.ok(rc == 0 and domstate(qd, name) == "running (restored)", "start restores",
         err + domstate(qd, name))
    rc, out, err = virsh(qd, "dominfo", name)
    t.ok(rc == 0 and "Managed save:   no" in out, "the managed-save image is gone", out + err)

    image = qd.path(f"{name}.img")
    rc, out, err = virsh(qd, "save", name, image)
    t.ok(rc == 0 and f"Domain '{name}' saved to {image}" in out, "save to a file", out + err)
    t.ok(domstate(qd, name) == "shut off (saved)", "shut off (saved)", domstate(qd, name))
    rc, out, err = virsh(qd, "save-image-dumpxml", image)
    t.ok(rc == 0 and f"<name>{name}</name>" in out, "save-image-dumpxml", out[:300] + err)
    rc, out, err = virsh(qd, "restore", image)
    t.ok(rc == 0 and f"Domain restored from {image}" in out, "restore", out + err)
    t.ok(domstate(qd, name) == "running (restored)", "running (restored)", domstate(qd, name))


def test_undefine_running_with_snapshots(t, qd, name, disk):
    meta = qd.path("lib", "qemu", "snapshot", name)
    rc, out, err = virsh(qd, "start", name)
    t.ok(rc == 0, "started again", err)
    rc, out, err = virsh(qd, "undefine", name, "--snapshots-metadata")
    t.ok(rc == 0 and f"Domain '{name}' has been undefined" in out,
         "undefine --snapshots-metadata of the running domain", out + err)
    rc, out, err = virsh(qd, "dominfo", name)
    t.ok(rc == 0 and "Persistent:     no" in out and "State:          running" in out,
         "it runs on, transient", out + err)
    rc, out, err = virsh(qd, "snapshot-list", name, "--name")
    t.ok(rc == 0 and out.split() == ["s1"] and os.path.exists(os.path.join(meta, "s1.xml")),
         "its snapshot metadata stays while it runs", out + err)
    rc, out, err = virsh(qd, "destroy", name)
    t.ok(rc == 0, "destroy", err)
    rc, out, err = virsh(qd, "dominfo", name)
    t.ok(rc != 0 and "failed to get domain" in err, "the transient domain is gone", out + err)
    t.ok(not os.path.exists(meta), "its snapshot metadata went with it", meta)
    t.ok(img_snapshots(disk) == ["s1"], "the qcow2 snapshot itself stays", img_snapshots(disk))


def test_undefine_managed_save(t, qd):
    define(qd, diskless_xml("ms1"), "ms1")
    virsh(qd, "start", "ms1", check=True)
    virsh(qd, "managedsave", "ms1", check=True)
    image = qd.path("lib", "qemu", "save", "ms1.save")
    rc, out, err = virsh(qd, "undefine", "ms1")
    t.ok(rc != 0 and "managed save" in err, "undefine refused while a managed-save image exists",
         out + err)
    t.ok(os.path.exists(image) and domstate(qd, "ms1") == "shut off (saved)",
         "the domain and its image stay")
    rc, out, err = virsh(qd, "undefine", "ms1", "--managed-save")
    t.ok(rc == 0 and "Domain 'ms1' has been undefined" in out, "undefine --managed-save",
         out + err)
    t.ok(not os.path.exists(image), "the managed-save image is gone", image)


def shell(qd, exe, *args):
    p = subprocess.run([exe, "-c", qd.uri, *args], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def test_virtsh_same_output(t, qd):
    """virtsh's save commands print what virsh prints, on the same guest in turn."""
    virtsh = os.environ["VIRTKIT_VIRTSH"]
    define(qd, diskless_xml("vt1"), "vt1")
    image = qd.path("vt1.img")
    junk = qd.path("junk.img")
    with open(junk, "w") as f:
        f.write("no image\n")
    newxml = qd.path("vt1-new.xml")
    for exe, who in (("virsh", "virsh"), (virtsh, "virtsh")):
        virsh(qd, "start", "vt1", check=True)
        got = [shell(qd, exe, "save", "vt1", image, "--paused")]
        got.append(shell(qd, exe, "save-image-dumpxml", image))
        with open(newxml, "w") as f:
            f.write(got[-1][1].replace("</name>", f"</name><description>{who}</description>", 1))
        got.append(shell(qd, exe, "save-image-define", image, newxml, "--running"))
        got.append(shell(qd, exe, "restore", image))
        t.ok(domstate(qd, "vt1") == "running (restored)", f"{who}: restored running as redefined",
             domstate(qd, "vt1"))
        rc, out, err = virsh(qd, "dumpxml", "vt1")
        t.ok(f"<description>{who}</description>" in out, f"{who}: with the redefined XML")
        got.append(shell(qd, exe, "restore", junk))
        # the XML of the managed-save image, read and redefined (started paused)
        virsh(qd, "managedsave", "vt1", check=True)
        got.append(shell(qd, exe, "managedsave-dumpxml", "vt1"))
        with open(newxml, "w") as f:
            f.write(re.sub(r"\s*<description>.*</description>", "", got[-1][1])
                    .replace("</name>", f"</name><description>m{who}</description>", 1))
        got.append(shell(qd, exe, "managedsave-define", "vt1", newxml, "--paused"))
        virsh(qd, "start", "vt1", check=True)
        rc, out, err = virsh(qd, "dumpxml", "vt1")
        t.ok(domstate(qd, "vt1") == "paused (migrating)" and
             f"<description>m{who}</description>" in out,
             f"{who}: managedsave-define: started paused with the redefined XML",
             domstate(qd, "vt1"))
        got.append(shell(qd, exe, "managedsave-dumpxml", "vt1"))
        virsh(qd, "destroy", "vt1", check=True)
        if exe == "virsh":
            want = got
            continue
        for (rc, out, err), (wrc, wout, werr), what in zip(got, want, (
                "save", "save-image-dumpxml", "save-image-define", "restore", "restore junk",
                "managedsave-dumpxml", "managedsave-define", "managedsave-dumpxml without image")):
            # the XML the two rounds put in differs in its description only
            wout, out = (re.sub(r"<description>m?virsh</description>", "", wout),
                         re.sub(r"<description>m?virtsh</description>", "", out))
            t.ok((rc, out, err) == (wrc, wout, werr), f"virtsh {what}: as virsh",
                 [(rc, out, err), (wrc, wout, werr)])
    virsh(qd, "undefine", "vt1", check=True)


def main():
    t = qemu_tap()
    qd = Qemud()
    try:
        name = "vs1"
        serial = qd.path(f"{name}.serial")
        disk = qd.path(f"{name}.qcow2")
        open(serial, "w").close()
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "16M"], check=True)
        xml = tiny_xml(name, serial).replace(
            "<devices>", "<devices><disk type='file' device='disk'><driver name='qemu' "
            f"type='qcow2'/><source file='{disk}'/><target dev='vda' bus='virtio'/></disk>")
        define(qd, xml, name)
        virsh(qd, "start", name, check=True)
        # the disk-less checks run while the tiny guest boots (the one boot of the test)
        test_undefine_managed_save(t, qd)
        test_virtsh_same_output(t, qd)
        t.ok(wait_for(lambda: "VIRTKIT-GUEST-READY" in read(serial), timeout=60),
             "the guest is ready")
        test_snapshots(t, qd, name, disk, serial)
        # back to the ready guest of s1 without a boot, for managed save and save
        rc, out, err = virsh(qd, "snapshot-revert", name, "s1")
        t.ok(rc == 0 and domstate(qd, name) == "running (from snapshot)",
             "snapshot-revert s1 again: running", err + domstate(qd, name))
        test_managed_save_and_save(t, qd, name)
        continued(t, qd, name, serial, "after revert, managedsave, start, save and restore")
        test_undefine_running_with_snapshots(t, qd, name, disk)
    finally:
        qd.stop()
    t.done()


if __name__ == "__main__":
    main()
