#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Debian's python3-libvirt against proxyd over test+unix:///default?socket=..."""

import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compat import DOMAIN_XML, Proxyd, Tap, proxyd_exe  # noqa: E402

try:
    import libvirt
except ImportError:
    libvirt = None


def event_loop():
    while True:
        libvirt.virEventRunDefaultImpl()


def main():
    tap = Tap()
    if libvirt is None:
        tap.skip_all("python3-libvirt is not installed")
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    libvirt.virEventRegisterDefaultImpl()
    threading.Thread(target=event_loop, daemon=True).start()
    proxyd = Proxyd(proxyd_exe())
    try:
        run(tap, proxyd)
    finally:
        rc, log = proxyd.stop()
        tap.ok(rc == 0, "proxyd exits cleanly on SIGTERM", log)
    tap.done()


def run(tap, proxyd):
    conn = libvirt.open(proxyd.uri())
    tap.ok(conn.getType() == "TEST", "getType", conn.getType())
    events = []
    cond = threading.Condition()

    def on_lifecycle(c, dom, event, detail, opaque):
        if dom.name() == "pydom":
            with cond:
                events.append(event)
                cond.notify_all()

    cb = conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, on_lifecycle,
                                     None)
    actor = libvirt.open(proxyd.uri())
    dom = actor.defineXML(DOMAIN_XML.format(name="pydom"))
    dom.create()
    dom.suspend()
    dom.resume()
    dom.destroy()
    want = [libvirt.VIR_DOMAIN_EVENT_DEFINED, libvirt.VIR_DOMAIN_EVENT_STARTED,
            libvirt.VIR_DOMAIN_EVENT_SUSPENDED, libvirt.VIR_DOMAIN_EVENT_RESUMED,
            libvirt.VIR_DOMAIN_EVENT_STOPPED]
    with cond:
        cond.wait_for(lambda: len(events) >= len(want), timeout=20)
    tap.ok(events == want, "domainEventRegisterAny: DEFINED, STARTED, SUSPENDED, RESUMED, "
           "STOPPED", f"got {events}")
    conn.domainEventDeregisterAny(cb)

    active = conn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE)
    inactive = conn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_INACTIVE)
    every = conn.listAllDomains(0)
    tap.ok([d.name() for d in active] == ["test"], "listAllDomains ACTIVE",
           [d.name() for d in active])
    tap.ok([d.name() for d in inactive] == ["pydom"], "listAllDomains INACTIVE",
           [d.name() for d in inactive])
    tap.ok(sorted(d.name() for d in every) == ["pydom", "test"], "listAllDomains all")
    persistent = conn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_PERSISTENT)
    tap.ok(len(persistent) == 2, "listAllDomains PERSISTENT")

    uuid = dom.UUIDString()
    found = conn.lookupByUUIDString(uuid)
    tap.ok(found.name() == "pydom", "lookupByUUIDString")
    xml = found.XMLDesc(0)
    tap.ok("<name>pydom</name>" in xml and uuid in xml, "XMLDesc", xml)
    tap.ok(found.info()[0] == libvirt.VIR_DOMAIN_SHUTOFF, "info state shut off")

    for what, fn in (("lookupByName", lambda: conn.lookupByName("nosuch")),
                     ("lookupByUUIDString",
                      lambda: conn.lookupByUUIDString("00000000-0000-0000-0000-000000000001")),
                     ("lookupByID", lambda: conn.lookupByID(4242))):
        try:
            fn()
            tap.ok(False, f"{what} of an unknown domain fails")
        except libvirt.libvirtError as e:
            tap.ok(e.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN,
                   f"{what} of an unknown domain: VIR_ERR_NO_DOMAIN",
                   f"{e.get_error_code()} {e}")

    ro = libvirt.openReadOnly(proxyd.uri(sock=proxyd.sock_ro))
    try:
        ro.defineXML(DOMAIN_XML.format(name="rodom"))
        tap.ok(False, "read-only define refused")
    except libvirt.libvirtError as e:
        tap.ok(e.get_error_code() == libvirt.VIR_ERR_OPERATION_DENIED,
               "read-only define: VIR_ERR_OPERATION_DENIED", f"{e.get_error_code()} {e}")
    tap.ok(len(ro.listAllDomains(0)) == 2, "read-only listAllDomains")
    secrets(tap, actor, ro)
    dom.undefine()
    ro.close()
    actor.close()
    conn.close()


def secrets(tap, rw, ro):
    """A VNC password reaches read-write connections only. libvirt.so refuses
    VIR_DOMAIN_XML_SECURE on a read-only connection before sending anything, so this
    shows what real clients get; that the daemon refuses the flag itself is proven with
    hand-made packets in tests/daemon/test-ro-flags.c."""
    xml = DOMAIN_XML.format(name="pysecret").replace(
        "</os>", "</os><devices><graphics type='vnc' port='-1' passwd='s3cret'/></devices>")
    rw.defineXML(xml)
    try:
        tap.ok("passwd='s3cret'" in rw.lookupByName("pysecret").XMLDesc(
            libvirt.VIR_DOMAIN_XML_SECURE), "read-write XMLDesc(SECURE) has the VNC passwd")
        rodom = ro.lookupByName("pysecret")
        plain = rodom.XMLDesc(0)
        tap.ok("<graphics" in plain and "passwd" not in plain,
               "read-only XMLDesc(0): graphics without passwd", plain)
        try:
            rodom.XMLDesc(libvirt.VIR_DOMAIN_XML_SECURE)
            tap.ok(False, "read-only XMLDesc(SECURE) refused")
        except libvirt.libvirtError as e:
            tap.ok(e.get_error_code() == libvirt.VIR_ERR_OPERATION_DENIED,
                   "read-only XMLDesc(SECURE): VIR_ERR_OPERATION_DENIED",
                   f"{e.get_error_code()} {e}")
        tap.ok(ro.lookupByName("pysecret").isActive() == 0,
               "the read-only connection still answers")
    finally:
        rw.lookupByName("pysecret").undefine()


if __name__ == "__main__":
    main()
