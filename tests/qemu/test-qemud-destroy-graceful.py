# SPDX-License-Identifier: LGPL-2.1-or-later
"""VIR_DOMAIN_DESTROY_GRACEFUL (`virsh destroy --graceful`) as libvirt's QEMU driver does
it (tier: real daemon, real disk-less TCG guests, Debian's virsh and python3-libvirt):
SIGTERM only, never SIGKILL. The daemon runs with a short graceful wait
($VIRTKIT_QEMU_GRACEFUL_WAIT_MS; libvirt's and the default are 15 s).
- A running QEMU exits on the SIGTERM: the destroy succeeds (virsh and python), the
  domain is shut off (destroyed) with one STOPPED/DESTROYED event, QEMU is gone.
- A QEMU that cannot act on SIGTERM (SIGSTOPped: the signal stays pending) outlives the
  wait: the destroy fails with libvirt's system error "Failed to terminate process <pid>
  with SIGTERM" (EBUSY), naming the domain and saying to destroy it without --graceful;
  the domain is still running and answers, QEMU is alive, stopped, its SIGTERM pending.
  After SIGCONT QEMU acts on it: SHUTDOWN (host) and the stop reads as libvirt's for a
  QEMU that exits on a signal libvirt did not send: shut off (shutdown),
  STOPPED/SHUTDOWN. A plain destroy of a stopped QEMU still kills it (SIGKILL).
The refusal under a stuck job is in test-qemud-destroy-job."""

import os
import signal

import libvirt

from qemud import (diskless_xml, pid_gone, run_daemon_test, stopped_with_sigterm_pending,
                   virsh, wait_for)

WAIT_MS = 2000
DESTROYED = "STOPPED/1"
SHUTOFF_DESTROYED = [libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_SHUTOFF_DESTROYED]


def stops(ev, name):
    return [e for e in ev.of(name) if ":STOPPED/" in e]


def test_graceful(t, qd, ev, dom, destroy, what):
    name = dom.name()
    dom.create()
    pid = qd.guest_pid(name)
    before = len(stops(ev, name))
    t.ok(pid > 0, f"{what}: QEMU runs", pid)
    destroy(dom)
    t.ok(dom.state() == SHUTOFF_DESTROYED, f"{what}: shut off (destroyed)", dom.state())
    t.ok(wait_for(lambda: len(stops(ev, name)) > before), f"{what}: a STOPPED event")
    t.ok(stops(ev, name)[before:] == [f"{name}:{DESTROYED}"], f"{what}: one STOPPED/DESTROYED",
         ev.of(name))
    t.ok(pid_gone(pid), f"{what}: QEMU gone", pid)


def virsh_graceful(qd):
    def destroy(dom):
        rc, _, err = virsh(qd, "destroy", "--graceful", dom.name())
        if rc != 0:
            raise RuntimeError(err)
    return destroy


def test_refused(t, qd, ev, dom):
    name = dom.name()
    dom.create()
    pid = qd.guest_pid(name)
    os.kill(pid, signal.SIGSTOP)  # the SIGTERM stays pending until SIGCONT
    try:
        dom.destroyFlags(libvirt.VIR_DOMAIN_DESTROY_GRACEFUL)
        t.ok(False, "graceful destroy of a stopped QEMU fails")
    except libvirt.libvirtError as e:
        msg = str(e)
        t.ok(e.get_error_code() == libvirt.VIR_ERR_SYSTEM_ERROR and
             f"Failed to terminate process {pid} with SIGTERM" in msg and
             "Device or resource busy" in msg and f"QEMU of domain '{name}' did not exit" in msg
             and "destroy the domain without --graceful" in msg,
             "graceful destroy fails: libvirt's system error, the domain, what to do", msg)
    rc, _, err = virsh(qd, "destroy", "--graceful", name)
    t.ok(rc != 0 and f"Failed to terminate process {pid} with SIGTERM" in err and
         f"domain '{name}'" in err, "virsh destroy --graceful fails the same way", err)

    t.ok(dom.state() == [libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_RUNNING_BOOTED],
         "still running (booted)", dom.state())
    t.ok(stopped_with_sigterm_pending(pid), "QEMU alive, stopped, the SIGTERM pending", pid)
    t.ok(qd.guest_pid(name) == pid and os.path.exists(qd.path("run", "qemu", f"{name}.xml")),
         "pid and status files kept")
    rc, out, err = virsh(qd, "domstate", "--reason", name)
    t.ok(rc == 0 and out.strip() == "running (booted)", "virsh domstate: running (booted)",
         out + err)
    t.ok(not stops(ev, name), "no STOPPED event", ev.of(name))

    # QEMU acts on the pending SIGTERM: a stop the daemon did not cause
    os.kill(pid, signal.SIGCONT)
    t.ok(ev.wait_for("STOPPED/0", name), "STOPPED/SHUTDOWN once QEMU acts on it", ev.of(name))
    t.ok(dom.state() == [libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_SHUTOFF_SHUTDOWN],
         "shut off (shutdown)", dom.state())
    t.ok(f"{name}:SHUTDOWN/2" in ev.of(name) and stops(ev, name) == [f"{name}:STOPPED/0"],
         "SHUTDOWN/HOST then one STOPPED/SHUTDOWN", ev.of(name))
    t.ok(wait_for(lambda: pid_gone(pid)), "QEMU gone", pid)

    # without the flag a stopped QEMU is still killed (SIGKILL after the grace)
    dom.create()
    pid = qd.guest_pid(name)
    os.kill(pid, signal.SIGSTOP)
    dom.destroy()
    t.ok(dom.state() == SHUTOFF_DESTROYED and wait_for(lambda: pid_gone(pid)),
         "a plain destroy kills a stopped QEMU", dom.state())


def main(t, qd, conn, ev):
    gd1 = conn.defineXML(diskless_xml("gd1"))
    test_graceful(t, qd, ev, gd1, virsh_graceful(qd), "virsh destroy --graceful")
    test_graceful(t, qd, ev, gd1, lambda d: d.destroyFlags(libvirt.VIR_DOMAIN_DESTROY_GRACEFUL),
                  "destroyFlags(GRACEFUL)")
    test_refused(t, qd, ev, conn.defineXML(diskless_xml("gd2")))


run_daemon_test(main, {"VIRTKIT_QEMU_GRACEFUL_WAIT_MS": str(WAIT_MS)})
