# SPDX-License-Identifier: LGPL-2.1-or-later
"""virtqemud's lifecycle corners through python3-libvirt (tier: real daemon, real-TCG
guests): reboot of the tiny real guest, <on_poweroff>restart</on_poweroff> and
<on_reboot>destroy</on_reboot> honoured, a QEMU that dies under a running daemon
(shut off, crashed, STOPPED/FAILED), autostart once per host boot, and no idle exit
while a guest runs."""

import os
import signal

import libvirt

from qemud import (Events, Qemud, diskless_xml, libvirt_event_thread, not_busy, qemu_tap, tiny_xml,
                   wait_for)


def count_in(path, needle):
    try:
        with open(path, errors="replace") as f:
            return f.read().count(needle)
    except OSError:
        return 0


def boot_tiny(t, qd, conn, name, extra=""):
    serial = qd.path(f"{name}.serial")
    open(serial, "w").close()
    dom = conn.defineXML(tiny_xml(name, serial, extra))
    dom.create()
    t.ok(wait_for(lambda: count_in(serial, "VIRTKIT-GUEST-READY") == 1, timeout=120),
         f"{name} is ready")
    return dom, serial


def test_reboot_and_poweroff_restart(t, qd, conn):
    """One boot of the tiny guest for both: a reboot, then an ACPI poweroff that
    <on_poweroff>restart</on_poweroff> turns into a new boot."""
    dom, serial = boot_tiny(t, qd, conn, "pr1", "<on_poweroff>restart</on_poweroff>")
    dom.reboot()
    t.ok(wait_for(lambda: count_in(serial, "VIRTKIT-GUEST-READY") == 2, timeout=120),
         "reboot: the guest booted again")
    t.ok(dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING, "still running", dom.state())
    dom.shutdown()
    t.ok(wait_for(lambda: count_in(serial, "VIRTKIT-GUEST-READY") == 3, timeout=120),
         "on_poweroff=restart: the guest powered off and booted again")
    t.ok(wait_for(lambda: dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING), "running again",
         dom.state())
    dom.destroy()
    dom.undefine()


def test_on_reboot_destroy(t, qd, conn):
    dom = conn.defineXML(diskless_xml("rd1", "<on_reboot>destroy</on_reboot>"))
    dom.create()
    dom.reboot()
    t.ok(wait_for(lambda: dom.state() == [libvirt.VIR_DOMAIN_SHUTOFF,
                                          libvirt.VIR_DOMAIN_SHUTOFF_SHUTDOWN]),
         "on_reboot=destroy: a reboot shuts it off", dom.state())
    dom.undefine()


def test_crash(t, qd, conn):
    ev = Events(conn)
    dom = conn.defineXML(diskless_xml("cr1"))
    dom.create()
    pid = qd.guest_pid("cr1")
    os.kill(pid, signal.SIGKILL)
    t.ok(wait_for(lambda: dom.state() == [libvirt.VIR_DOMAIN_SHUTOFF,
                                          libvirt.VIR_DOMAIN_SHUTOFF_CRASHED]),
         "QEMU killed: shut off (crashed)", dom.state())
    got = ev.wait(3)
    t.ok(got == ["cr1:DEFINED/0", "cr1:STARTED/0", "cr1:STOPPED/5"], "STOPPED/FAILED", got)
    t.ok(not os.path.exists(qd.path("run", "qemu", "cr1.xml")), "status file removed")
    ev.close()
    dom.create()
    t.ok(dom.isActive(), "it starts again")
    dom.destroy()
    dom.undefine()


def test_autostart(t, qd):
    conn = libvirt.open(qd.uri)
    conn.defineXML(diskless_xml("as1")).setAutostart(1)
    conn.close()
    # a daemon restart in the same boot does not autostart
    qd.kill(signal.SIGTERM)
    qd.start()
    conn = libvirt.open(qd.uri)
    t.ok(not conn.lookupByName("as1").isActive(), "no autostart again in the same boot")
    conn.close()
    # a new boot: the daemon's marker of the boot it autostarted is gone
    qd.kill(signal.SIGTERM)
    os.unlink(qd.path("run", "qemu", "autostarted-boot-id"))
    qd.start()
    conn = libvirt.open(qd.uri)
    dom = conn.lookupByName("as1")
    t.ok(wait_for(lambda: dom.isActive()), "autostarted after a host boot")
    t.ok(dom.autostart() == 1, "autostart flag kept")
    wait_for(lambda: not_busy(dom.destroy))  # the autostart job may still be ending
    dom.undefine()
    conn.close()


def test_no_idle_exit(t):
    qd = Qemud(args=["--timeout", "1"])
    try:
        conn = libvirt.open(qd.uri)
        conn.createXML(diskless_xml("idle1"), 0)  # no reference kept: the connection closes
        conn.close()
        # a running guest holds the daemon past its idle timeout
        t.ok(not wait_for(lambda: qd.proc.poll() is not None, timeout=3),
             "no idle exit while a guest runs")
        conn = libvirt.open(qd.uri)
        conn.lookupByName("idle1").destroy()
        conn.close()
        t.ok(wait_for(lambda: qd.proc.poll() is not None, timeout=20),
             "idle exit once no guest runs and no client is connected")
    finally:
        qd.stop()


def main():
    t = qemu_tap()
    libvirt_event_thread()
    qd = Qemud()
    try:
        conn = libvirt.open(qd.uri)
        test_reboot_and_poweroff_restart(t, qd, conn)
        test_on_reboot_destroy(t, qd, conn)
        test_crash(t, qd, conn)
        conn.close()
        test_autostart(t, qd)
    finally:
        qd.stop()
    test_no_idle_exit(t)
    t.done()


if __name__ == "__main__":
    main()
