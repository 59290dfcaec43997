# SPDX-License-Identifier: LGPL-2.1-or-later
"""Save to a file, restore and managed save through python3-libvirt against virtqemud
(tier: real daemon, real-TCG guests). One boot of the tiny real guest carries the
guest-state checks: save to a file and restore, managed save and start, and autostart
restoring a managed-save image after a daemon restart, each time with the config edited
after the save (more memory: QEMU could not load the saved state into it), so the
restored guest must run with the XML kept in the image. The guest continued: its serial
file, which QEMU truncates when it opens it again, never shows VIRTKIT-GUEST-UP again,
and it powers off on the ACPI button it was waiting for. Disk-less guests for the rest:
a transient domain saved and restored, saved paused, the XML of an image and of a
managed-save image read and redefined, and the refusals (inactive domain, not an image, running namesake,
incompatible XML, missing files and directories, managed save of a transient domain);
a kill -9 of the daemon while a restored guest runs keeps it on the image's XML."""

import os
import signal
import stat

import libvirt

from qemud import (Events, Qemud, diskless_xml, libvirt_event_thread, not_busy, qemu_tap, tiny_xml,
                   wait_for)

SAVED = "STOPPED/4"
RESTORED = "STARTED/2"


def read(path):
    with open(path, errors="replace") as f:
        return f.read()


def edited(xml):
    """The same domain with twice the memory and a description: a config edited after
    the save that must not reach the restored guest."""
    return (xml.replace("131072", "262144")
            .replace("</uuid>", "</uuid><description>edited</description>"))


def live_memory(dom):
    return dom.info()[1]


def power_off_continued(t, dom, serial, what):
    dom.shutdown()
    t.ok(wait_for(lambda: "VIRTKIT-GUEST-POWEROFF" in read(serial), timeout=60),
         f"{what}: the guest powers off on the button it was waiting for")
    t.ok("VIRTKIT-GUEST-UP" not in read(serial), f"{what}: the guest did not boot again",
         read(serial))
    t.ok(wait_for(lambda: dom.state()[0] == libvirt.VIR_DOMAIN_SHUTOFF), f"{what}: shut off",
         dom.state())


def test_tiny_guest(t, qd):
    conn = libvirt.open(qd.uri)
    ev = Events(conn)
    serial = qd.path("sv1.serial")
    open(serial, "w").close()
    dom = conn.defineXML(tiny_xml("sv1", serial))
    xml = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    dom.create()
    t.ok(wait_for(lambda: "VIRTKIT-GUEST-READY" in read(serial), timeout=60), "sv1 is ready")

    # save to a file, config edited, restore
    image = qd.path("sv1.img")
    dom.save(image)
    t.ok(dom.state() == [libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_SHUTOFF_SAVED],
         "save: shut off (saved)", dom.state())
    t.ok(stat.S_IMODE(os.stat(image).st_mode) == 0o600, "save: the image is owner-only")
    t.ok(not dom.hasManagedSaveImage(), "save: no managed-save image")
    t.ok("<name>sv1</name>" in conn.saveImageGetXMLDesc(image), "save: the image keeps the XML")
    conn.defineXML(edited(xml))
    conn.restore(image)
    t.ok(dom.state() == [libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_RUNNING_RESTORED],
         "restore: running (restored)", dom.state())
    t.ok(live_memory(dom) == 128 * 1024, "restore: the image's XML runs, not the edited config",
         live_memory(dom))
    t.ok("edited" in dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
         and "edited" not in dom.XMLDesc(0), "restore: the edited config waits for the stop")
    t.ok(os.path.exists(image), "restore: the user's file stays")

    # managed save, config edited again, start
    dom.managedSave()
    t.ok(dom.hasManagedSaveImage() == 1, "managed save: image present")
    conn.defineXML(edited(xml).replace("edited", "edited twice"))
    dom.create()
    t.ok(dom.state() == [libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_RUNNING_RESTORED],
         "start: restored from the managed-save image", dom.state())
    t.ok(live_memory(dom) == 128 * 1024, "start: the image's XML runs", live_memory(dom))
    t.ok(not dom.hasManagedSaveImage(), "start: the managed-save image is gone")

    # autostart after a host boot restores a managed-save image instead of booting
    dom.managedSave()
    dom.setAutostart(1)
    want = ["sv1:DEFINED/0", "sv1:STARTED/0", "sv1:" + SAVED, "sv1:DEFINED/1", "sv1:" + RESTORED,
            "sv1:" + SAVED, "sv1:DEFINED/1", "sv1:" + RESTORED, "sv1:" + SAVED]
    got = ev.wait(len(want))
    t.ok(got == want, "events: STOPPED/SAVED and STARTED/RESTORED", got)
    ev.close()
    conn.close()
    qd.kill(signal.SIGTERM)
    os.unlink(qd.path("run", "qemu", "autostarted-boot-id"))
    qd.start()
    conn = libvirt.open(qd.uri)
    dom = conn.lookupByName("sv1")
    t.ok(wait_for(lambda: dom.state() == [libvirt.VIR_DOMAIN_RUNNING,
                                          libvirt.VIR_DOMAIN_RUNNING_RESTORED]),
         "autostart: restored from the managed-save image", dom.state())
    t.ok(wait_for(lambda: not dom.hasManagedSaveImage()), "autostart: the image is gone")
    t.ok(live_memory(dom) == 128 * 1024, "autostart: the image's XML runs", live_memory(dom))
    wait_for(lambda: not_busy(lambda: dom.setAutostart(0)))  # the autostart job may still end
    power_off_continued(t, dom, serial, "after three restores")
    t.ok(live_memory(dom) == 256 * 1024, "stopped: the edited config is the definition again",
         live_memory(dom))
    dom.undefine()
    conn.close()


def expect_error(t, func, code, needle, what):
    try:
        func()
    except libvirt.libvirtError as e:
        t.ok(e.get_error_code() == code and needle in e.get_error_message(), what,
             (e.get_error_code(), e.get_error_message()))
        return
    t.ok(False, what, "no error")


def test_transient_and_paused(t, qd, conn):
    image = qd.path("tr1.img")
    dom = conn.createXML(diskless_xml("tr1"), 0)
    dom.save(image)
    expect_error(t, lambda: conn.lookupByName("tr1"), libvirt.VIR_ERR_NO_DOMAIN, "tr1",
                 "a saved transient domain is gone")
    conn.restore(image)
    dom = conn.lookupByName("tr1")
    t.ok(dom.isActive() and not dom.isPersistent(), "restored transient", dom.state())
    expect_error(t, lambda: conn.restore(image), libvirt.VIR_ERR_OPERATION_INVALID,
                 "already active", "restore over the running domain is refused")

    # saved running, restored paused by flag; then saved paused, restored paused by image
    dom.saveFlags(image, None, 0)
    conn.restoreFlags(image, None, libvirt.VIR_DOMAIN_SAVE_PAUSED)
    dom = conn.lookupByName("tr1")
    # as libvirt 9.0: paused for the incoming migration the restore was
    t.ok(dom.state() == [libvirt.VIR_DOMAIN_PAUSED, libvirt.VIR_DOMAIN_PAUSED_MIGRATION],
         "restore --paused: paused (migrating)", dom.state())
    dom.saveFlags(image, None, libvirt.VIR_DOMAIN_SAVE_PAUSED)
    conn.restore(image)
    dom = conn.lookupByName("tr1")
    t.ok(dom.state() == [libvirt.VIR_DOMAIN_PAUSED, libvirt.VIR_DOMAIN_PAUSED_MIGRATION],
         "saved paused: restored paused (migrating)", dom.state())
    dom.destroy()

    # the image's XML: read, redefined (compatible: a description; running), used
    xml = conn.saveImageGetXMLDesc(image)
    conn.saveImageDefineXML(image, xml.replace("</name>", "</name><description>d2</description>"),
                            libvirt.VIR_DOMAIN_SAVE_RUNNING)
    t.ok("<description>d2</description>" in conn.saveImageGetXMLDesc(image),
         "save-image-define: the image keeps the new XML")
    conn.restore(image)
    dom = conn.lookupByName("tr1")
    t.ok(dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING and "d2" in dom.XMLDesc(0),
         "restored with the redefined XML, running as redefined", dom.state())
    expect_error(t, lambda: conn.restoreFlags(image, xml, 0),
                 libvirt.VIR_ERR_OPERATION_INVALID, "already active",
                 "restore with XML over the running domain is refused")
    dom.destroy()
    expect_error(t, lambda: conn.restoreFlags(image, xml.replace("65536", "131072"), 0),
                 libvirt.VIR_ERR_CONFIG_UNSUPPORTED, "memory",
                 "restore with XML of another machine is refused, naming what differs")
    expect_error(t, lambda: conn.saveImageDefineXML(image, xml.replace("tr1", "tr2"), 0),
                 libvirt.VIR_ERR_CONFIG_UNSUPPORTED, "domain name",
                 "save-image-define of another domain is refused")
    t.ok(not wait_for(lambda: conn.listAllDomains(), timeout=0.2), "no domain left behind")


def test_refusals(t, qd, conn):
    dom = conn.defineXML(diskless_xml("rf1"))
    expect_error(t, lambda: dom.save(qd.path("rf1.img")), libvirt.VIR_ERR_OPERATION_INVALID,
                 "not running", "save of an inactive domain is refused")
    junk = qd.path("junk.img")
    with open(junk, "w") as f:
        f.write("not an image\n" * 10)
    expect_error(t, lambda: conn.restore(junk), libvirt.VIR_ERR_OPERATION_FAILED, junk,
                 "restore of a file that is no image names it")
    expect_error(t, lambda: conn.saveImageGetXMLDesc(qd.path("missing.img")),
                 libvirt.VIR_ERR_SYSTEM_ERROR, "missing.img", "a missing image is named")
    dom.create()
    expect_error(t, lambda: dom.save(qd.path("nodir", "rf1.img")), libvirt.VIR_ERR_SYSTEM_ERROR,
                 "nodir", "save into a missing directory names it")
    t.ok(dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING, "a failed save leaves the guest running",
         dom.state())
    expect_error(t, lambda: dom.saveFlags(qd.path("rf1.img"), None,
                                          libvirt.VIR_DOMAIN_SAVE_RUNNING
                                          | libvirt.VIR_DOMAIN_SAVE_PAUSED),
                 libvirt.VIR_ERR_INVALID_ARG, "mutually exclusive", "RUNNING with PAUSED refused")
    test_bypass_cache(t, qd, conn, dom)
    dom.destroy()

    # the managed-save image's XML: none yet; then read, redefined paused, refused when
    # incompatible, and the one that runs at the start
    expect_error(t, lambda: dom.managedSaveGetXMLDesc(0), libvirt.VIR_ERR_OPERATION_INVALID,
                 "does not have managed save image", "no managed-save image: no XML")
    dom.create()
    dom.managedSave()
    xml = dom.managedSaveGetXMLDesc(0)
    t.ok("<name>rf1</name>" in xml, "managedsave-dumpxml", xml)
    expect_error(t, lambda: dom.managedSaveDefineXML(xml.replace("65536", "131072"), 0),
                 libvirt.VIR_ERR_CONFIG_UNSUPPORTED, "memory", "incompatible XML refused")
    dom.managedSaveDefineXML(xml.replace("</name>", "</name><description>ms</description>"),
                             libvirt.VIR_DOMAIN_SAVE_PAUSED)
    dom.create()
    t.ok(dom.state()[0] == libvirt.VIR_DOMAIN_PAUSED and "ms" in dom.XMLDesc(0),
         "started paused with the redefined XML", dom.state())
    t.ok("<description>" not in dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE),
         "the config stays as it was")
    dom.destroy()
    dom.undefine()
    tr = conn.createXML(diskless_xml("rf2"), 0)
    expect_error(t, tr.managedSave, libvirt.VIR_ERR_OPERATION_INVALID, "transient",
                 "managed save of a transient domain is refused")
    tr.destroy()


def test_bypass_cache(t, qd, conn, dom):
    """O_DIRECT images are not supported: every BYPASS_CACHE that would touch an image is
    refused naming the flag (never ignored), and nothing changed; a boot ignores it."""
    image = qd.path("rf1.img")
    save = libvirt.VIR_DOMAIN_SAVE_BYPASS_CACHE
    expect_error(t, lambda: dom.saveFlags(image, None, save), libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED,
                 "VIR_DOMAIN_SAVE_BYPASS_CACHE", "save --bypass-cache refused naming the flag")
    expect_error(t, lambda: dom.managedSave(save), libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED,
                 "VIR_DOMAIN_SAVE_BYPASS_CACHE", "managedsave --bypass-cache refused")
    t.ok(dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING and not os.path.exists(image) and
         not dom.hasManagedSaveImage(), "still running, no image written", dom.state())
    dom.save(image)
    expect_error(t, lambda: conn.restoreFlags(image, None, save),
                 libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED, "VIR_DOMAIN_SAVE_BYPASS_CACHE",
                 "restore --bypass-cache refused")
    t.ok(not dom.isActive(), "not restored", dom.state())
    conn.restore(image)
    dom.managedSave()
    expect_error(t, lambda: dom.createWithFlags(libvirt.VIR_DOMAIN_START_BYPASS_CACHE),
                 libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED, "VIR_DOMAIN_START_BYPASS_CACHE",
                 "start --bypass-cache of a managed-save image refused")
    t.ok(not dom.isActive() and dom.hasManagedSaveImage(), "the managed-save image stays")
    dom.managedSaveRemove()
    dom.createWithFlags(libvirt.VIR_DOMAIN_START_BYPASS_CACHE)
    t.ok(dom.isActive(), "start --bypass-cache without an image boots (as libvirt)")


def test_restart_keeps_image_xml(t, qd):
    """kill -9 of the daemon while a guest runs a restored image's XML: after the
    restart it still runs that XML, and the config edited after the save is the
    definition once it stops."""
    conn = libvirt.open(qd.uri)
    dom = conn.defineXML(diskless_xml("rs1"))
    xml = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    image = qd.path("rs1.img")
    dom.create()
    dom.save(image)
    conn.defineXML(xml.replace("65536", "131072"))
    conn.restore(image)
    conn.close()
    qd.kill()
    qd.start()
    conn = libvirt.open(qd.uri)
    dom = conn.lookupByName("rs1")
    t.ok(wait_for(lambda: dom.state() == [libvirt.VIR_DOMAIN_RUNNING,
                                          libvirt.VIR_DOMAIN_RUNNING_RESTORED]),
         "after kill -9 and a restart: running (restored)", dom.state())
    t.ok(dom.info()[1] == 65536 and "131072" in dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE),
         "it runs the image's XML, the edited config waits", dom.info())
    wait_for(lambda: not_busy(dom.destroy))  # the reconnect job may still be ending
    t.ok(dom.info()[1] == 131072, "stopped: the edited config is the definition",
         dom.info())
    dom.undefine()
    conn.close()


def main():
    t = qemu_tap()
    libvirt_event_thread()
    qd = Qemud()
    try:
        test_tiny_guest(t, qd)
        conn = libvirt.open(qd.uri)
        test_transient_and_paused(t, qd, conn)
        test_refusals(t, qd, conn)
        conn.close()
        test_restart_keeps_image_xml(t, qd)
    finally:
        qd.stop()
    t.done()


if __name__ == "__main__":
    main()
