# SPDX-License-Identifier: LGPL-2.1-or-later
"""python3-libvirt against virtqemud (tier: real daemon, real-TCG guests): lifecycle
events in order for the tiny real guest (start, suspend, resume, guest poweroff through
ACPI, undefine), a second state change on a busy domain failing at once, a transient
guest vanishing when destroyed, events flowing again after a kill -9 of the
daemon and a restart, and reads answered while a domain's QEMU does not answer its
monitor and holds the only worker."""

import os
import shutil
import signal
import tempfile
import threading

import libvirt

from qemud import (Events, Qemud, WAIT, diskless_xml, file_contains, libvirt_event_thread,
                   not_busy, qemu_tap, tiny_xml, wait_for)

def test_events(t, qd, conn):
    ev = Events(conn)
    serial = qd.path("tiny.serial")
    open(serial, "w").close()
    dom = conn.defineXML(tiny_xml("tiny", serial))
    dom.create()
    t.ok(dom.state() == [libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_RUNNING_BOOTED],
         "running (booted)", dom.state())
    t.ok(wait_for(lambda: file_contains(serial, "VIRTKIT-GUEST-READY"), timeout=60),
         "the guest is ready")
    dom.suspend()
    dom.resume()
    info = dom.info()
    t.ok(info[0] == libvirt.VIR_DOMAIN_RUNNING and info[1] == 128 * 1024 and info[4] > 0,
         "info: running, memory, cpu time", info)
    dom.shutdown()
    want = ["tiny:DEFINED/0", "tiny:STARTED/0", "tiny:SUSPENDED/0", "tiny:RESUMED/0",
            "tiny:SHUTDOWN/1", "tiny:STOPPED/0"]
    got = ev.wait(len(want))
    t.ok(got == want, "events: DEFINED, STARTED, SUSPENDED, RESUMED, SHUTDOWN/guest, "
         "STOPPED/shutdown", got)
    t.ok(dom.state() == [libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_SHUTOFF_SHUTDOWN],
         "shut off (shutdown)", dom.state())
    dom.undefine()
    got = ev.wait(len(want) + 1)
    t.ok(got[-1:] == ["tiny:UNDEFINED/0"], "UNDEFINED", got)
    ev.close()


def in_background(call):
    """Run call() on a thread; returns the started thread and the list its libvirt
    error message lands in."""
    errors = []

    def run():
        try:
            call()
        except libvirt.libvirtError as e:
            errors.append(str(e))

    th = threading.Thread(target=run)
    th.start()
    return th, errors


def test_busy(t, qd, conn):
    """A QEMU that is held back keeps the job "start"; a destroy meanwhile fails at once,
    and reads answer. The emulator wrapper says when it runs and waits for the test to
    release it: the destroy happens during the start, whatever the machine's load."""
    slow = qd.path("slow-qemu")
    running = qd.path("slow-running")
    release = qd.path("slow-release")
    with open(slow, "w") as f:
        f.write("#!/bin/sh\n"
                f"case \"$*\" in *guest=slow1*) : > {running}\n"
                f"  while [ ! -e {release} ]; do sleep 0.05; done;; esac\n"
                "exec /usr/bin/qemu-system-x86_64 \"$@\"\n")
    os.chmod(slow, 0o755)
    dom = conn.defineXML(diskless_xml("slow1", f"<devices><emulator>{slow}</emulator></devices>"))
    th, errors = in_background(dom.create)
    try:
        t.ok(wait_for(lambda: os.path.exists(running)), "start began (the emulator runs)")
        try:
            dom.destroy()
            t.ok(False, "destroy during start fails")
        except libvirt.libvirtError as e:
            t.ok(e.get_error_code() == libvirt.VIR_ERR_OPERATION_INVALID and
                 "busy with start" in str(e), "destroy during start: busy with start", str(e))
        t.ok(dom.state()[0] == libvirt.VIR_DOMAIN_SHUTOFF, "reads answer during the job",
             dom.state())
    finally:
        open(release, "w").close()
    th.join(WAIT)
    t.ok(not errors and dom.isActive(), "the start finished", errors)
    dom.destroy()
    dom.undefine()


def test_transient(t, qd, conn):
    dom = conn.createXML(diskless_xml("tr1"), 0)
    t.ok(dom.isActive() and not dom.isPersistent(), "transient guest running")
    dom.destroy()
    try:
        conn.lookupByName("tr1")
        t.ok(False, "a destroyed transient guest is gone")
    except libvirt.libvirtError as e:
        t.ok(e.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN, "a destroyed transient guest is gone")


def test_snapshot_redefine(t, qd):
    """A redefined snapshot's minimal config gets what a define of it gets (machine,
    defaults), as libvirt's domain parser fills it in; a broken one is refused naming
    the snapshot and leaves nothing behind, also after a restart."""
    minimal = ("<domain type='qemu'><name>red1</name><uuid>{uuid}</uuid>{memory}"
               "<os><type arch='x86_64'>hvm</type></os></domain>")
    uuid = "7d4c2a8e-5b1f-4c3a-9e2d-1f0a3b4c5d6e"
    good = minimal.format(uuid=uuid, memory="<memory unit='MiB'>64</memory>")
    redef = libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE

    def snap_xml(name, config):
        return (f"<domainsnapshot><name>{name}</name><state>shutoff</state>"
                f"<creationTime>1700000000</creationTime>{config}</domainsnapshot>")

    conn = libvirt.open(qd.uri)
    dom = conn.defineXML(good)
    defined = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    embedded = "".join("  " + line + "\n" for line in defined.splitlines())
    xml = dom.snapshotCreateXML(snap_xml("min", good), redef).getXMLDesc(0)
    t.ok(embedded in xml and "machine='pc" in xml,
         "the snapshot's config is the defined one", f"{xml}\n---\n{defined}")
    broken = minimal.format(uuid=uuid, memory="<memory unit='MiB'>0</memory>")
    try:
        dom.snapshotCreateXML(snap_xml("bad", broken), redef)
        t.ok(False, "a config with no memory is refused")
    except libvirt.libvirtError as e:
        t.ok(e.get_error_code() == libvirt.VIR_ERR_XML_ERROR and
             "invalid <domain> in snapshot 'bad'" in str(e),
             "a config with no memory is refused", str(e))
    conn.close()
    qd.kill(signal.SIGKILL)
    qd.start()
    conn = libvirt.open(qd.uri)
    dom = conn.lookupByName("red1")
    t.ok(dom.snapshotListNames() == ["min"] and
         dom.snapshotLookupByName("min").getXMLDesc(0) == xml,
         "after a restart: min as it was, no bad", dom.snapshotListNames())
    dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)
    conn.close()


def test_restart_events(t, qd):
    conn = libvirt.open(qd.uri)
    dom = conn.defineXML(diskless_xml("ev1"))
    dom.create()
    conn.close()
    qd.kill(signal.SIGKILL)
    qd.start()
    conn = libvirt.open(qd.uri)
    ev = Events(conn)
    dom = conn.lookupByName("ev1")
    t.ok(wait_for(lambda: dom.state() == [libvirt.VIR_DOMAIN_RUNNING,
                                          libvirt.VIR_DOMAIN_RUNNING_BOOTED]),
         "found running after the restart", dom.state())
    # the reconnect job may still run: retry while busy
    wait_for(lambda: not_busy(dom.suspend))
    dom.resume()
    dom.destroy()
    want = ["ev1:SUSPENDED/0", "ev1:RESUMED/0", "ev1:STOPPED/1"]
    got = ev.wait(len(want))
    t.ok(got == want, "events flow after the restart", got)
    ev.close()
    dom.undefine()
    conn.close()


def busy_with(dom, job):
    """Whether @dom's job is @job: a harmless job of its own (autostart off, as it is;
    a high-priority call, so it does not queue behind a busy worker) is refused."""
    try:
        dom.setAutostart(0)
        return False
    except libvirt.libvirtError as e:
        return f"busy with {job}" in str(e)


def test_wedged_monitor(t):
    """virtqemud with one worker: a suspend of a domain whose QEMU is stopped (SIGSTOP:
    its monitor never answers) holds that worker. Reads of that domain and of another
    one are answered meanwhile, low-priority ones too, which on a worker would queue
    behind the suspend until the monitor times out: they run on the daemon's loop."""
    conf_dir = tempfile.mkdtemp(prefix="virtkit-qemud-conf-")
    conf = os.path.join(conf_dir, "virtqemud.conf")
    with open(conf, "w") as f:
        f.write("[daemon]\nmax_workers = 1\n")
    qd = Qemud(args=["--config", conf])
    pid = 0
    try:
        conn = libvirt.open(qd.uri)
        wedged = conn.defineXML(diskless_xml("wedged1"))
        other = conn.defineXML(diskless_xml("other1"))
        wedged.create()
        pid = qd.guest_pid("wedged1")
        os.kill(pid, signal.SIGSTOP)
        th, errors = in_background(wedged.suspend)
        t.ok(wait_for(lambda: busy_with(wedged, "suspend")), "suspend waits for the monitor")
        t.ok(other.info()[0] == libvirt.VIR_DOMAIN_SHUTOFF, "info of another domain")
        t.ok(wedged.info()[0] == libvirt.VIR_DOMAIN_RUNNING, "info of the wedged domain")
        t.ok(wedged.state()[0] == libvirt.VIR_DOMAIN_RUNNING, "state of the wedged domain")
        t.ok(conn.lookupByName("other1").UUID() == other.UUID(), "lookup of another domain")
        names = sorted(d.name() for d in conn.listAllDomains())
        t.ok(names == ["other1", "wedged1"], "list", names)
        t.ok("<name>other1</name>" in other.XMLDesc(), "XML of another domain")
        t.ok(not other.hasManagedSaveImage(), "managed-save check of another domain")
        t.ok(conn.getVersion() > 0, "version from the probed capabilities")
        t.ok(th.is_alive(), "the suspend still waits for the monitor")
        os.kill(pid, signal.SIGCONT)
        pid = 0
        th.join(WAIT)
        t.ok(not errors and wedged.state()[0] == libvirt.VIR_DOMAIN_PAUSED,
             "the suspend finishes once QEMU runs again", errors)
        wedged.destroy()
        wedged.undefine()
        other.undefine()
        conn.close()
    finally:
        if pid:
            os.kill(pid, signal.SIGCONT)
        qd.stop()
        shutil.rmtree(conf_dir, ignore_errors=True)


def main():
    t = qemu_tap()
    libvirt_event_thread()
    qd = Qemud()
    try:
        conn = libvirt.open(qd.uri)
        test_events(t, qd, conn)
        test_busy(t, qd, conn)
        test_transient(t, qd, conn)
        conn.close()
        test_restart_events(t, qd)
        test_snapshot_redefine(t, qd)
    finally:
        qd.stop()
    test_wedged_monitor(t)
    t.done()


if __name__ == "__main__":
    main()
