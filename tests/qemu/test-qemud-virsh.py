# SPDX-License-Identifier: LGPL-2.1-or-later
"""Debian's virsh against virtqemud (tier: real daemon, real-TCG guests):
capabilities, domcapabilities, define/start/dominfo/domstate/suspend/resume/destroy of
a disk-less guest, ACPI shutdown of the tiny real guest, kill -9 of the daemon with two
guests running and a restart (both found, destroy works), a guest killed while the
daemon was down (shut off, crashed), and the errors: start of a running domain,
unknown element at start, type='kvm' without a usable /dev/kvm."""

import os
import signal
import subprocess
import sys

from qemud import (Qemud, WAIT, define, diskless_xml, file_contains, qemu_tap, tiny_xml, virsh,
                   wait_for)


def domstate(qd, name):
    rc, out, err = virsh(qd, "domstate", "--reason", name)
    return out.strip() if rc == 0 else err.strip()


def virsh_not_busy(qd, *args):
    """virsh, repeated while the domain is busy with a job (the reconnect after a
    restart); returns the last (rc, out, err)."""
    last = []

    def attempt():
        last[:] = virsh(qd, *args)
        return last[0] == 0 or "busy" not in last[2]

    wait_for(attempt)
    return tuple(last)


def test_host(t, qd):
    rc, out, err = virsh(qd, "capabilities")
    t.ok(rc == 0 and "<domain type='qemu'" in out and "qemu-system-x86_64" in out,
         "capabilities list the qemu-system-x86_64 guest", err or out[:2000])
    rc, out, err = virsh(qd, "domcapabilities", "--virttype", "qemu")
    t.ok(rc == 0 and "<domain>qemu</domain>" in out, "domcapabilities for TCG", err)
    rc, out, err = virsh(qd, "version")
    t.ok(rc == 0 and "Running hypervisor: QEMU 7." in out, "version: QEMU's", out + err)
    rc, out, err = virsh(qd, "nodeinfo")
    t.ok(rc == 0 and "CPU(s):" in out, "nodeinfo", out + err)


def test_diskless(t, qd):
    rc, out, err = define(qd, diskless_xml("d1"), "d1")
    t.ok(rc == 0, "define d1", err)
    rc, out, err = virsh(qd, "start", "d1")
    t.ok(rc == 0, "start d1", err + qd.log())
    t.ok(domstate(qd, "d1") == "running (booted)", "d1 running (booted)", domstate(qd, "d1"))
    rc, out, err = virsh(qd, "dominfo", "d1")
    t.ok(rc == 0 and "State:          running" in out and "Persistent:     yes" in out,
         "dominfo d1", out + err)
    rc, out, err = virsh(qd, "start", "d1")
    t.ok(rc != 0 and "already active" in err, "start of a running domain is refused", err)
    rc, out, err = virsh(qd, "suspend", "d1")
    t.ok(rc == 0 and domstate(qd, "d1") == "paused (user)", "suspend", err)
    rc, out, err = virsh(qd, "resume", "d1")
    t.ok(rc == 0 and domstate(qd, "d1") == "running (unpaused)", "resume", err)
    rc, out, err = virsh(qd, "dumpxml", "d1")
    t.ok(rc == 0 and "<domain type='qemu' id='" in out, "live XML has the id", out + err)
    pid = qd.guest_pid("d1")
    rc, out, err = virsh(qd, "destroy", "d1")
    t.ok(rc == 0 and domstate(qd, "d1") == "shut off (destroyed)", "destroy", err)
    t.ok(pid > 0 and wait_for(lambda: not os.path.exists(f"/proc/{pid}")), "QEMU is gone")
    t.ok(not os.path.exists(qd.path("run", "qemu", "d1.xml")), "status file removed")
    rc, out, err = virsh(qd, "undefine", "d1")
    t.ok(rc == 0, "undefine d1", err)


def test_errors(t, qd):
    define(qd, diskless_xml("odd", "<devices><watchdog model='i6300esb'/></devices>"), "odd")
    rc, out, err = virsh(qd, "start", "odd")
    t.ok(rc != 0 and "watchdog" in err, "unknown element refused at start, named", err)
    t.ok(domstate(qd, "odd").startswith("shut off"), "it stays shut off", domstate(qd, "odd"))
    virsh(qd, "undefine", "odd")


def test_shutdown(t, qd):
    serial = qd.path("tiny.serial")
    open(serial, "w").close()
    define(qd, tiny_xml("tiny", serial), "tiny")
    rc, out, err = virsh(qd, "start", "tiny")
    t.ok(rc == 0, "start the tiny guest", err + qd.log())
    t.ok(wait_for(lambda: file_contains(serial, "VIRTKIT-GUEST-READY"), timeout=60),
         "the guest is ready")
    rc, out, err = virsh(qd, "shutdown", "tiny")
    t.ok(rc == 0, "shutdown (ACPI)", err)
    t.ok(wait_for(lambda: domstate(qd, "tiny") == "shut off (shutdown)"),
         "shut off (shutdown)", domstate(qd, "tiny"))
    virsh(qd, "undefine", "tiny")


def test_restart(t, qd):
    for name in ("r1", "r2", "r3"):
        define(qd, diskless_xml(name), name)
        virsh(qd, "start", name)
    virsh(qd, "suspend", "r2")
    pids = {name: qd.guest_pid(name) for name in ("r1", "r2", "r3")}
    qd.kill(signal.SIGKILL)
    # r3's QEMU dies while no daemon watches it
    os.kill(pids["r3"], signal.SIGKILL)
    wait_for(lambda: not os.path.exists(f"/proc/{pids['r3']}"))
    qd.start()
    t.ok(wait_for(lambda: domstate(qd, "r1") == "running (booted)"), "r1 found running",
         domstate(qd, "r1") + qd.log())
    t.ok(wait_for(lambda: domstate(qd, "r2") == "paused (user)"), "r2 found paused",
         domstate(qd, "r2"))
    t.ok(wait_for(lambda: domstate(qd, "r3") == "shut off (crashed)"),
         "r3, killed meanwhile, is shut off (crashed)", domstate(qd, "r3"))
    t.ok(not os.path.exists(qd.path("run", "qemu", "r3.xml")), "r3's status file removed")
    t.ok(qd.guest_pid("r1") == pids["r1"], "r1 is the same QEMU")
    rc, out, err = virsh(qd, "list")
    t.ok(rc == 0 and " r1 " in out and " r2 " in out and " r3 " not in out, "list", out)
    rc, out, err = virsh_not_busy(qd, "resume", "r2")
    t.ok(rc == 0 and domstate(qd, "r2") == "running (unpaused)", "r2 resumes", err)
    for name in ("r1", "r2"):
        rc, out, err = virsh_not_busy(qd, "destroy", name)
        t.ok(rc == 0 and domstate(qd, name) == "shut off (destroyed)",
             f"destroy {name} after the restart", err)
        t.ok(wait_for(lambda: not os.path.exists(f"/proc/{pids[name]}")), f"{name}'s QEMU is gone")
    for name in ("r1", "r2", "r3"):
        virsh(qd, "undefine", name)


def test_kvm_unusable(t):
    """type='kvm' with /dev/kvm hidden (an empty file bound over it in a mount
    namespace of the daemon): refused at start, with a clear error."""
    if not os.path.exists("/dev/kvm") or os.geteuid() != 0:
        wrapper = []
    else:
        wrapper = ["unshare", "-m", "--propagation", "private", "sh", "-c",
                   'mount --bind /dev/null /dev/kvm && exec "$@"', "sh"]
    qd = Qemud(wrapper=wrapper)
    try:
        define(qd, diskless_xml("k1").replace("type='qemu'", "type='kvm'"), "k1")
        rc, out, err = virsh(qd, "start", "k1")
        t.ok(rc != 0 and "KVM" in err and "type='qemu'" in err,
             "type='kvm' refused when KVM is not usable", err + qd.log())
        rc, out, err = virsh(qd, "capabilities")
        t.ok("<domain type='kvm'" not in out, "capabilities offer no kvm domain", out[-2000:])
    finally:
        qd.stop()


def main():
    t = qemu_tap()
    qd = Qemud()
    try:
        test_host(t, qd)
        test_diskless(t, qd)
        test_errors(t, qd)
        test_shutdown(t, qd)
        test_restart(t, qd)
    finally:
        qd.stop()
    test_kvm_unusable(t)
    t.done()


if __name__ == "__main__":
    main()
