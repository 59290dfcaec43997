# SPDX-License-Identifier: LGPL-2.1-or-later
"""virtqemud's lifecycle corners through python3-libvirt and Debian's virsh (tier: real
daemon, real-TCG guests). Four tiny real guests boot side by side and serve every
check that needs a guest OS (no check waits for a boot another could share):
- pr1: `virsh reboot` is an ACPI poweroff after which QEMU resets the guest and it
  boots again; `virsh event --event reboot` and python's REBOOT callback see it;
- pw1 (<on_poweroff>restart</on_poweroff>): the guest's own poweroff boots it again,
  state reason "booted"; virDomainReset is QEMU's system_reset and a REBOOT event too;
- rd1 (<on_reboot>destroy</on_reboot>): a reboot shuts it off;
- mk1 (disk-less, no ACPI): a reboot is refused naming <acpi/>; its resets make the
  REBOOT events that tell when virsh's registration is in place; then its QEMU is
  killed under the running daemon (shut off, crashed, STOPPED/FAILED);
- pr2 (and pr1 again): reboots in progress survive kill -9 of the daemon (the fake
  reboot is in the status file), whether the guest powers off after the restart (pr2:
  SHUTDOWN seen by the new daemon, REBOOT event, it boots again) or while no daemon
  runs (pr1: QEMU found paused on the poweroff at reconnect, it boots again).
Then autostart once per host boot, and no idle exit while a guest runs."""

import os
import signal
import subprocess
import threading

import libvirt

from qemud import (Events, Qmp, Qemud, WAIT, count_in, define_tiny, diskless_xml,
                   libvirt_event_thread, monitor_path, not_busy, qemu_tap, virsh, wait_for,
                   wait_ready)


class VirshEvents:
    """`virsh event --event reboot --loop` in the background, its lines collected."""

    def __init__(self, qd):
        self.lines = []
        self.proc = subprocess.Popen(["virsh", "-c", qd.uri, "event", "--event", "reboot",
                                      "--loop", "--timeout", str(int(WAIT * 4))],
                                     stdout=subprocess.PIPE, text=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.strip())

    def has(self, name):
        return f"event 'reboot' for domain '{name}'" in self.lines

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=WAIT)


def test_reboot_refused_without_acpi(t, mk1):
    try:
        mk1.reboot()
        t.ok(False, "reboot without <acpi/> is refused")
    except libvirt.libvirtError as e:
        t.ok(e.get_error_code() == libvirt.VIR_ERR_OPERATION_INVALID and "<acpi/>" in str(e) and
             "'mk1'" in str(e), "reboot without <acpi/> is refused naming it", str(e))


def virsh_event_ready(qd, mk1):
    """virsh event, once a reset of mk1 shows up in its output (registration done)."""
    ve = VirshEvents(qd)

    def reset_seen():
        mk1.reset()
        return wait_for(lambda: ve.has("mk1"), timeout=0.5)
    if not wait_for(reset_seen):
        raise RuntimeError(f"virsh event never reported mk1's reset: {ve.lines}")
    return ve


def test_reboot(t, qd, ev, ve, pr1, serial):
    """`virsh reboot`: the guest powers off, QEMU resets it, it boots again."""
    t.ok(wait_for(lambda: ve.has("pr1"), timeout=120), "virsh event: reboot of pr1", ve.lines)
    t.ok(wait_ready(serial, 2), "reboot: the guest powered off and booted again")
    t.ok(ev.wait_for("RESUMED/0", "pr1"), "RESUMED after the reset", ev.of("pr1"))
    got = ev.of("pr1")
    t.ok(got[:3] == ["pr1:DEFINED/0", "pr1:STARTED/0", "pr1:SHUTDOWN/1"] and
         "pr1:REBOOT" in got and not any("STOPPED" in e for e in got),
         "events: SHUTDOWN/guest, REBOOT, never STOPPED", got)
    t.ok(pr1.state() == [libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_RUNNING_BOOTED],
         "running (booted) after the reboot", pr1.state())


def test_poweroff_restart(t, ev, pw1, serial):
    """The guest's poweroff with <on_poweroff>restart</on_poweroff> boots it again."""
    t.ok(wait_ready(serial, 2), "on_poweroff=restart: the guest powered off and booted again")
    # booted to readiness: QEMU's STOP and RESUME of the restart are long handled
    t.ok(pw1.state() == [libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_RUNNING_BOOTED],
         "running, reason booted", pw1.state())
    # QEMU's firmware resets the machine on a warm boot: each RESET is a REBOOT event
    got = [e for e in ev.of("pw1") if e != "pw1:REBOOT"]
    t.ok(got == ["pw1:DEFINED/0", "pw1:STARTED/0", "pw1:SHUTDOWN/1", "pw1:RESUMED/0"],
         "events: SHUTDOWN/guest, RESUMED", got)


def test_reset(t, ev, dom):
    """virDomainReset is QEMU's system_reset: a REBOOT event, no lifecycle change."""
    name = dom.name()
    n = len(ev.of(name))
    dom.reset()
    got = ev.wait(n + 1, name)[n:]
    t.ok(got and all(e == f"{name}:REBOOT" for e in got), "reset: a REBOOT event", got)
    t.ok(dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING, "reset: still running", dom.state())


def test_on_reboot_destroy(t, ev, rd1):
    t.ok(wait_for(lambda: rd1.state() == [libvirt.VIR_DOMAIN_SHUTOFF,
                                          libvirt.VIR_DOMAIN_SHUTOFF_SHUTDOWN], timeout=120),
         "on_reboot=destroy: a reboot shuts it off", rd1.state())
    got = ev.wait(4, "rd1")
    t.ok(got == ["rd1:DEFINED/0", "rd1:STARTED/0", "rd1:SHUTDOWN/1", "rd1:STOPPED/0"],
         "events: SHUTDOWN/guest, STOPPED/shutdown, no REBOOT", got)


def test_guests(t, qd, conn):
    """Four tiny guests boot side by side, are rebooted / powered off side by side,
    and are checked one after the other; pr1 and pr2 stay for the daemon's kill."""
    ev = Events(conn)
    pr1, pr1_serial = define_tiny(qd, conn, "pr1")
    pr2, pr2_serial = define_tiny(qd, conn, "pr2")
    pw1, pw1_serial = define_tiny(qd, conn, "pw1", "<on_poweroff>restart</on_poweroff>")
    rd1, rd1_serial = define_tiny(qd, conn, "rd1", "<on_reboot>destroy</on_reboot>")
    mk1 = conn.defineXML(diskless_xml("mk1"))
    for dom in (pr1, pr2, pw1, rd1, mk1):
        dom.create()
    # the disk-less checks run while the tiny guests boot
    test_reboot_refused_without_acpi(t, mk1)
    ve = virsh_event_ready(qd, mk1)
    try:
        t.ok(all(wait_ready(s) for s in (pr1_serial, pr2_serial, pw1_serial, rd1_serial)),
             "pr1, pr2, pw1 and rd1 are ready")
        for name in ("pr1", "rd1"):
            rc, _, err = virsh(qd, "reboot", name)
            t.ok(rc == 0, f"virsh reboot {name}", err)
        pw1.shutdown()
        test_reboot(t, qd, ev, ve, pr1, pr1_serial)
    finally:
        ve.close()
    test_poweroff_restart(t, ev, pw1, pw1_serial)
    test_on_reboot_destroy(t, ev, rd1)
    test_reset(t, ev, pw1)
    pw1.destroy()
    for dom in (pw1, rd1):
        dom.undefine()
    test_crash(t, qd, ev, mk1)
    ev.close()
    return pr1_serial, pr2_serial


def test_crash(t, qd, ev, mk1):
    n = len(ev.of("mk1"))
    os.kill(qd.guest_pid("mk1"), signal.SIGKILL)
    t.ok(wait_for(lambda: mk1.state() == [libvirt.VIR_DOMAIN_SHUTOFF,
                                          libvirt.VIR_DOMAIN_SHUTOFF_CRASHED]),
         "QEMU killed: shut off (crashed)", mk1.state())
    got = ev.wait(n + 1, "mk1")[n:]
    t.ok(got == ["mk1:STOPPED/5"], "STOPPED/FAILED", got)
    t.ok(not os.path.exists(qd.path("run", "qemu", "mk1.xml")), "status file removed")
    mk1.create()
    t.ok(mk1.isActive(), "it starts again")
    mk1.destroy()
    mk1.undefine()


def reboot_paused(t, qd, dom):
    """Reboot @dom while it is paused: the ACPI button waits in the paused guest, so the
    poweroff comes only when it runs again."""
    dom.suspend()
    dom.reboot()
    with open(qd.path("run", "qemu", f"{dom.name()}.xml")) as f:
        t.ok("fakereboot='yes'" in f.read(), f"{dom.name()}: the reboot is in the status file")


def expect_booted_again(t, qd, conn, name, serial, boots, what):
    dom = conn.lookupByName(name)
    t.ok(wait_ready(serial, boots + 1), f"{what}: the guest powered off and booted again",
         count_in(serial, "VIRTKIT-GUEST-READY"))
    t.ok(wait_for(lambda: dom.state() == [libvirt.VIR_DOMAIN_RUNNING,
                                          libvirt.VIR_DOMAIN_RUNNING_BOOTED]),
         f"{what}: running (booted)", dom.state())
    with open(qd.path("run", "qemu", f"{name}.xml")) as f:
        t.ok("fakereboot" not in f.read(), f"{what}: the reboot is done in the status file")


def test_reboot_across_restart(t, qd, pr1_serial, pr2_serial):
    """kill -9 of the daemon in the middle of two reboots: the restarted daemon finishes
    both (before, it reset QEMU's poweroff action and the guests stayed off). pr2's
    guest powers off after the restart, pr1's while no daemon runs (QEMU pauses on it,
    the reboot's action); they boot again side by side."""
    conn = libvirt.open(qd.uri)
    boots = {name: count_in(serial, "VIRTKIT-GUEST-READY")
             for name, serial in (("pr1", pr1_serial), ("pr2", pr2_serial))}
    for name in ("pr1", "pr2"):
        reboot_paused(t, qd, conn.lookupByName(name))
    qd.kill()
    qmp = Qmp(monitor_path(qd, "pr1"))
    try:
        qmp.call("cont")
        t.ok(wait_for(lambda: qmp.call("query-status")["status"] == "shutdown", timeout=120),
             "without a daemon: pr1's guest powered off, QEMU stayed")
    finally:
        qmp.close()
    qd.start()
    conn = libvirt.open(qd.uri)
    ev = Events(conn)
    pr2 = conn.lookupByName("pr2")
    t.ok(wait_for(lambda: not_busy(pr2.resume)), "pr2 resumed once reconnected")
    t.ok(ev.wait_for("REBOOT", "pr2", timeout=120), "pr2: REBOOT event from the new daemon",
         ev.of("pr2"))
    expect_booted_again(t, qd, conn, "pr2", pr2_serial, boots["pr2"],
                        "pr2, poweroff after the restart")
    got = ev.of("pr2")
    t.ok("pr2:SHUTDOWN/1" in got and not any("STOPPED" in e for e in got),
         "pr2 events: SHUTDOWN/guest, never STOPPED", got)
    expect_booted_again(t, qd, conn, "pr1", pr1_serial, boots["pr1"],
                        "pr1, poweroff without a daemon")
    t.ok(not any("STOPPED" in e for e in ev.of("pr1")), "pr1 events: never STOPPED",
         ev.of("pr1"))
    ev.close()
    for name in ("pr1", "pr2"):
        dom = conn.lookupByName(name)
        wait_for(lambda: not_busy(dom.destroy))  # the restart job may still be ending
        dom.undefine()
    conn.close()


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
        serials = test_guests(t, qd, conn)
        test_reboot_across_restart(t, qd, *serials)
        test_autostart(t, qd)
    finally:
        qd.stop()
    test_no_idle_exit(t)
    t.done()


if __name__ == "__main__":
    main()
