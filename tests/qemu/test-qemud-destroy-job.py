# SPDX-License-Identifier: LGPL-2.1-or-later
"""virsh destroy gets a user out of a stuck job (issue 5; tier: real daemon, real
disk-less TCG guests, Debian's virsh and python3-libvirt). As libvirt's destroy, which
kills QEMU before it takes the domain's job: a save (to a file, then a managed save) is
held up by a QEMU that stopped answering (SIGSTOP before the save: its first QMP
command never gets a reply), and `virsh destroy` must still succeed. The save fails
saying the domain was destroyed during it, the domain is shut off (destroyed) with one
STOPPED/DESTROYED event, its QEMU is gone, no image or partial image is left (no
managed-save image either), and the daemon goes on serving: the same domain starts
again and stops with a plain destroy. Before the first destroy, `virsh destroy
--graceful` (SIGTERM only; the daemon's VIRTKIT_QEMU_GRACEFUL_WAIT_MS is short) fails
naming the domain and `without --graceful`, and leaves everything as it was: the domain
running, the save stuck, QEMU alive and stopped with the SIGTERM pending."""

import glob
import os
import signal
import threading

import libvirt

from qemud import (diskless_xml, pid_gone, run_daemon_test, stopped_with_sigterm_pending,
                   virsh, wait_for)

DESTROYED = "STOPPED/1"


def partials(qd):
    return glob.glob(os.path.join(qd.root, "**", "*.partial"), recursive=True)


def run_save(qd, name, save):
    """Start save(dom) on a connection of its own; returns (thread, outcome list)."""
    outcome = []

    def body():
        conn = libvirt.open(qd.uri)
        try:
            save(conn.lookupByName(name))
            outcome.append(None)
        except libvirt.libvirtError as e:
            outcome.append(str(e))
        finally:
            conn.close()

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread, outcome


def graceful_refused(t, qd, ev, dom, pid, outcome, what):
    """`virsh destroy --graceful` under the stuck save: SIGTERM only, which the stopped
    QEMU cannot act on, so it fails after the (short) wait and changes nothing."""
    name = dom.name()
    rc, _, err = virsh(qd, "destroy", "--graceful", name)
    t.ok(rc != 0 and f"Failed to terminate process {pid} with SIGTERM" in err and
         f"domain '{name}'" in err and "without --graceful" in err,
         f"{what}: destroy --graceful fails, naming the domain and what to do", err)
    t.ok(dom.isActive() == 1, f"{what}: still running after the refused destroy")
    t.ok(stopped_with_sigterm_pending(pid), f"{what}: QEMU alive, its SIGTERM pending", pid)
    t.ok(not outcome, f"{what}: the save is still stuck", outcome)
    t.ok(not [e for e in ev.of(name) if ":STOPPED/" in e], f"{what}: no STOPPED event")


def destroy_stuck_save(t, qd, conn, ev, name, what, save, graceful_first=False):
    dom = conn.lookupByName(name)
    dom.create()
    pid = qd.guest_pid(name)
    t.ok(pid > 0, f"{what}: QEMU runs", pid)
    os.kill(pid, signal.SIGSTOP)  # QMP unanswered: the save's first command hangs
    thread, outcome = run_save(qd, name, save)
    # the save holds the job once its partial image exists
    t.ok(wait_for(lambda: partials(qd)), f"{what}: the save started")
    t.ok(not outcome, f"{what}: the save is stuck", outcome)
    if graceful_first:
        graceful_refused(t, qd, ev, dom, pid, outcome, what)

    rc, _, err = virsh(qd, "destroy", name)
    t.ok(rc == 0, f"{what}: virsh destroy succeeds under the stuck job", err)
    thread.join(timeout=60)
    t.ok(outcome and outcome[0] and f"domain '{name}' was destroyed during the" in outcome[0],
         f"{what}: the save fails, saying the domain was destroyed", outcome)
    t.ok(dom.state() == [libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_SHUTOFF_DESTROYED],
         f"{what}: shut off (destroyed)", dom.state())
    t.ok(ev.wait_for(DESTROYED, name), f"{what}: STOPPED/DESTROYED event", ev.of(name))
    t.ok(wait_for(lambda: pid_gone(pid)), f"{what}: no QEMU left", pid)
    t.ok(not partials(qd), f"{what}: no partial image left", partials(qd))
    t.ok(not os.path.exists(qd.path(f"{name}.img")), f"{what}: no image at the path")
    t.ok(not dom.hasManagedSaveImage(), f"{what}: no managed-save image")
    t.ok(not os.path.exists(qd.path("run", "qemu", f"{name}.xml")), f"{what}: no status file")

    # the daemon still serves the domain: start and a plain destroy
    dom.create()
    t.ok(dom.isActive() == 1, f"{what}: the domain starts again")
    dom.destroy()
    # DEFINED, STARTED, STOPPED (under the save), STARTED, STOPPED
    t.ok(ev.wait(5, name)[-1] == f"{name}:{DESTROYED}", f"{what}: destroyed again", ev.of(name))
    stops = [e for e in ev.of(name) if ":STOPPED/" in e]
    t.ok(stops == [f"{name}:{DESTROYED}"] * 2, f"{what}: one STOPPED event per destroy", stops)


def main(t, qd, conn, ev):
    conn.defineXML(diskless_xml("dj1"))
    conn.defineXML(diskless_xml("dj2"))
    image = qd.path("dj1.img")
    destroy_stuck_save(t, qd, conn, ev, "dj1", "save to a file", lambda d: d.save(image),
                       graceful_first=True)
    destroy_stuck_save(t, qd, conn, ev, "dj2", "managed save", lambda d: d.managedSave())


# the refusal of destroy --graceful waits VIRTKIT_QEMU_GRACEFUL_WAIT_MS
run_daemon_test(main, {"VIRTKIT_QEMU_GRACEFUL_WAIT_MS": "2000"})
