#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The error identities (virErrorNumber, virErrorDomain, level) python3-libvirt sees from
proxyd's test:///default, case by case, against what libvirt 9.0's libvirtd returns.

Programs branch on get_error_code() and get_error_domain() (OpenStack, virt-manager,
scripts), so each row of CASES records libvirt's identity, measured with Debian 12's
libvirtd 9.0.0 serving its built-in test driver. A row whose "ours" differs is a
deliberate difference, with the reason next to it.

Run with --libvirtd to measure the table against a private libvirtd instead (as
tests/bench/bench.py starts it); rows whose libvirt identity changed are reported. The
suite itself needs no libvirtd.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compat import Proxyd, Tap, proxyd_exe  # noqa: E402

try:
    import libvirt
except ImportError:
    libvirt = None

TEST_UUID = "6695eb01-f6a4-8304-79aa-97f2502e193f"  # the default domain "test", running
OTHER_UUID = "11111111-2222-3333-4444-555555555555"
FLAG = 1 << 30
SNAP = "<domainsnapshot><name>{}</name></domainsnapshot>"

# virErrorDomain values (python3-libvirt names them VIR_FROM_*)
NONE, XML, RPC, TEST, DOMAIN, SNAPSHOT = 0, 5, 7, 12, 20, 35


def dom_xml(name, extra="", uuid=None, mem="131072", dtype="test", unit="KiB"):
    uuid_el = f"<uuid>{uuid}</uuid>" if uuid else ""
    return (f"<domain type='{dtype}'><name>{name}</name>{uuid_el}"
            f"<memory unit='{unit}'>{mem}</memory><vcpu>1</vcpu>"
            f"<os><type arch='i686'>hvm</type></os>{extra}</domain>")


def inactive(c, name):
    return c.defineXML(dom_xml(name))


def running(c, name):
    return c.createXML(dom_xml(name))


def test_dom(c):
    return c.lookupByName("test")


# Each case: setup(conn, ro_conn) returns the failing call. libvirt: its (code, domain),
# None when libvirt's call succeeds. ours: given only where we deliberately differ.
CASES = [
    # lookups
    ("lookup of an unknown name", lambda c, ro: lambda: c.lookupByName("nosuch"),
     ("NO_DOMAIN", TEST)),
    ("lookup of an unknown UUID", lambda c, ro: lambda: c.lookupByUUIDString(OTHER_UUID),
     ("NO_DOMAIN", TEST)),
    ("lookup of an unknown ID", lambda c, ro: lambda: c.lookupByID(9999),
     ("NO_DOMAIN", TEST)),
    ("a domain object after undefine",
     lambda c, ro: (lambda d: (d.undefine(), d.create)[1])(inactive(c, "gone")),
     ("NO_DOMAIN", TEST)),
    ("a transient domain object after destroy",
     lambda c, ro: (lambda d: (d.destroy(), d.suspend)[1])(running(c, "gone2")),
     ("NO_DOMAIN", TEST)),
    # XML that is not well-formed: the parser's line and column
    ("define: unterminated XML",
     lambda c, ro: lambda: c.defineXML("<domain type='test'><name>x</name>"),
     ("XML_DETAIL", DOMAIN)),
    ("define: text that is not XML", lambda c, ro: lambda: c.defineXML("this is not xml"),
     ("XML_DETAIL", DOMAIN)),
    ("define: empty document", lambda c, ro: lambda: c.defineXML(""),
     ("XML_DETAIL", DOMAIN)),
    ("snapshot: unterminated XML",
     lambda c, ro: lambda: inactive(c, "sx").snapshotCreateXML("<domainsnapshot>"),
     ("XML_DETAIL", SNAPSHOT)),
    ("setMetadata: unterminated XML",
     lambda c, ro: lambda: test_dom(c).setMetadata(
         libvirt.VIR_DOMAIN_METADATA_ELEMENT, "<a>", "x", "http://example.org/", 0),
     ("XML_DETAIL", DOMAIN)),
    # well-formed but wrong
    ("define: root element <network>",
     lambda c, ro: lambda: c.defineXML("<network><name>x</name></network>"),
     ("XML_ERROR", XML)),
    ("define: no <name>",
     lambda c, ro: lambda: c.defineXML(
         "<domain type='test'><memory>1024</memory><os><type>hvm</type></os></domain>"),
     ("NO_NAME", DOMAIN)),
    ("define: empty <name>", lambda c, ro: lambda: c.defineXML(dom_xml("")),
     ("NO_NAME", DOMAIN)),
    ("define: name with '/'", lambda c, ro: lambda: c.defineXML(dom_xml("a/b")),
     ("XML_ERROR", DOMAIN)),
    ("define: <memory>abc</memory>", lambda c, ro: lambda: c.defineXML(dom_xml("m", mem="abc")),
     ("XML_ERROR", XML)),
    ("define: negative <memory>", lambda c, ro: lambda: c.defineXML(dom_xml("m", mem="-5")),
     ("XML_ERROR", XML)),
    ("define: <memory unit='bogus'>",
     lambda c, ro: lambda: c.defineXML(dom_xml("m", unit="bogus")),
     ("INVALID_ARG", NONE)),
    ("define: no <memory>",
     lambda c, ro: lambda: c.defineXML(
         "<domain type='test'><name>nm</name><os><type>hvm</type></os></domain>"),
     ("XML_ERROR", DOMAIN)),
    ("define: no <os>",
     lambda c, ro: lambda: c.defineXML(
         "<domain type='test'><name>no</name><memory>1024</memory></domain>"),
     ("XML_ERROR", DOMAIN)),
    ("define: <domain type='nosuch'>",
     lambda c, ro: lambda: c.defineXML(dom_xml("t", dtype="nosuch")),
     ("CONFIG_UNSUPPORTED", DOMAIN)),
    ("define: <os><type>nosuch</type>",
     lambda c, ro: lambda: c.defineXML(dom_xml("o").replace(">hvm<", ">nosuch<")),
     ("CONFIG_UNSUPPORTED", DOMAIN)),
    ("define: <type arch='nosucharch'>",
     lambda c, ro: lambda: c.defineXML(dom_xml("a").replace("i686", "nosucharch")),
     ("CONFIG_UNSUPPORTED", DOMAIN)),
    ("define: <on_poweroff>nosuch</on_poweroff>",
     lambda c, ro: lambda: c.defineXML(dom_xml("p", extra="<on_poweroff>nosuch</on_poweroff>")),
     ("CONFIG_UNSUPPORTED", DOMAIN)),
    ("define: <vcpu>x</vcpu>",
     lambda c, ro: lambda: c.defineXML(dom_xml("v").replace("<vcpu>1<", "<vcpu>x<")),
     ("XML_ERROR", DOMAIN)),
    ("define: <vcpu placement='x'>",
     lambda c, ro: lambda: c.defineXML(dom_xml("v").replace("<vcpu>", "<vcpu placement='x'>")),
     ("XML_ERROR", XML)),
    ("define: <disk device='nosuch'>",
     lambda c, ro: lambda: c.defineXML(dom_xml("d", extra=(
         "<devices><disk type='file' device='nosuch'><source file='/tmp/x'/>"
         "<target dev='vda'/></disk></devices>"))),
     ("XML_ERROR", XML)),
    ("define: <disk> without <target>",
     lambda c, ro: lambda: c.defineXML(dom_xml("d", extra=(
         "<devices><disk type='file' device='disk'><source file='/tmp/x'/></disk>"
         "</devices>"))),
     ("NO_TARGET", DOMAIN)),
    ("define: two disks on target vda",
     lambda c, ro: lambda: c.defineXML(dom_xml("d", extra=(
         "<devices><disk type='file' device='disk'><source file='/tmp/x'/>"
         "<target dev='vda'/></disk><disk type='file' device='disk'>"
         "<source file='/tmp/y'/><target dev='vda'/></disk></devices>"))),
     ("XML_ERROR", DOMAIN)),
    ("define: <mac address='zz'>",
     lambda c, ro: lambda: c.defineXML(dom_xml("n", extra=(
         "<devices><interface type='network'><mac address='zz'/>"
         "<source network='default'/></interface></devices>"))),
     ("XML_ERROR", DOMAIN)),
    ("define VALIDATE: schema refuses <memory>abc</memory>",
     lambda c, ro: lambda: c.defineXMLFlags(dom_xml("m", mem="abc"),
                                            libvirt.VIR_DOMAIN_DEFINE_VALIDATE),
     ("XML_INVALID_SCHEMA", XML)),
    ("define: bad <uuid>",
     lambda c, ro: lambda: c.defineXML(dom_xml("u", uuid="not-a-uuid")),
     ("INTERNAL_ERROR", DOMAIN), ("XML_ERROR", DOMAIN),
     "a malformed UUID is the user's XML, not an internal error"),
    ("define: <domain> without type=",
     lambda c, ro: lambda: c.defineXML(
         "<domain><name>nt</name><memory>1024</memory><os><type>hvm</type></os></domain>"),
     ("INTERNAL_ERROR", DOMAIN), ("XML_ERROR", DOMAIN),
     "a missing attribute is the user's XML, not an internal error"),
    ("define VALIDATE: unknown element <bogus/>",
     lambda c, ro: lambda: c.defineXMLFlags(dom_xml("b", extra="<bogus/>"),
                                            libvirt.VIR_DOMAIN_DEFINE_VALIDATE),
     ("XML_INVALID_SCHEMA", XML), None,
     "virtkit's schema is open for elements it keeps verbatim (common/schemas/domain.rng)"),
    # names and UUIDs already taken
    ("define: existing name, other UUID",
     lambda c, ro: lambda: c.defineXML(dom_xml("test", uuid=OTHER_UUID)),
     ("OPERATION_FAILED", DOMAIN)),
    ("define: existing UUID, other name",
     lambda c, ro: lambda: c.defineXML(dom_xml("other", uuid=TEST_UUID)),
     ("OPERATION_FAILED", DOMAIN)),
    ("createXML: name of a running domain, other UUID",
     lambda c, ro: lambda: c.createXML(dom_xml("test", uuid=OTHER_UUID)),
     ("OPERATION_FAILED", DOMAIN)),
    ("createXML: a running domain again",
     lambda c, ro: lambda: c.createXML(dom_xml("test", uuid=TEST_UUID)),
     ("OPERATION_INVALID", DOMAIN)),
    # lifecycle in the wrong state
    ("create of a running domain", lambda c, ro: running(c, "r1").create,
     ("INTERNAL_ERROR", TEST)),
    ("suspend of an inactive domain", lambda c, ro: inactive(c, "i1").suspend,
     ("INTERNAL_ERROR", TEST)),
    ("suspend of a paused domain",
     lambda c, ro: (lambda d: (d.suspend(), d.suspend)[1])(running(c, "p1")),
     ("INTERNAL_ERROR", TEST)),
    ("resume of an inactive domain", lambda c, ro: inactive(c, "i2").resume,
     ("INTERNAL_ERROR", TEST)),
    ("resume of a running domain", lambda c, ro: running(c, "r2").resume,
     ("INTERNAL_ERROR", TEST)),
    ("shutdown of an inactive domain", lambda c, ro: inactive(c, "i3").shutdown,
     ("INTERNAL_ERROR", TEST)),
    ("destroy of an inactive domain", lambda c, ro: inactive(c, "i4").destroy,
     ("OPERATION_INVALID", DOMAIN)),
    ("reboot of an inactive domain", lambda c, ro: lambda: inactive(c, "i5").reboot(0),
     ("OPERATION_INVALID", DOMAIN)),
    ("managedSave of an inactive domain",
     lambda c, ro: lambda: inactive(c, "i6").managedSave(0),
     ("OPERATION_INVALID", DOMAIN)),
    # undefine
    ("undefine with a snapshot, no flag",
     lambda c, ro: (lambda d: (d.snapshotCreateXML(SNAP.format("s1")), d.undefine)[1])(
         inactive(c, "us")),
     ("OPERATION_INVALID", TEST)),
    ("undefine with a managed-save image, no flag",
     lambda c, ro: (lambda d: (d.create(), d.managedSave(0), d.undefine)[2])(
         inactive(c, "um")),
     ("OPERATION_INVALID", TEST)),
    ("undefine of a transient domain", lambda c, ro: running(c, "ut").undefine,
     None, ("OPERATION_INVALID", TEST),
     "as libvirt's QEMU driver: a transient domain has no definition to remove"),
    ("setAutostart on a transient domain",
     lambda c, ro: lambda: running(c, "at").setAutostart(1),
     None, ("OPERATION_INVALID", TEST),
     "as libvirt's QEMU driver: a transient domain cannot start at boot"),
    # snapshots
    ("snapshot lookup of an unknown name",
     lambda c, ro: lambda: test_dom(c).snapshotLookupByName("nosuch"),
     ("NO_DOMAIN_SNAPSHOT", TEST)),
    ("current snapshot of a domain without one",
     lambda c, ro: lambda: inactive(c, "sc").snapshotCurrent(),
     ("NO_DOMAIN_SNAPSHOT", TEST)),
    ("parent of a root snapshot",
     lambda c, ro: inactive(c, "sp").snapshotCreateXML(SNAP.format("s1")).getParent,
     ("NO_DOMAIN_SNAPSHOT", TEST)),
    ("a snapshot twice",
     lambda c, ro: (lambda d: (d.snapshotCreateXML(SNAP.format("s1")),
                               lambda: d.snapshotCreateXML(SNAP.format("s1")))[1])(
         inactive(c, "sd")),
     ("OPERATION_FAILED", DOMAIN)),
    ("delete of a deleted snapshot",
     lambda c, ro: (lambda s: (s.delete(), s.delete)[1])(
         inactive(c, "sdt").snapshotCreateXML(SNAP.format("s1"))),
     ("NO_DOMAIN_SNAPSHOT", TEST)),
    ("revert to a deleted snapshot",
     lambda c, ro: (lambda d, s: (s.delete(), lambda: d.revertToSnapshot(s, 0))[1])(
         *(lambda d: (d, d.snapshotCreateXML(SNAP.format("s1"))))(inactive(c, "rd"))),
     ("NO_DOMAIN_SNAPSHOT", TEST)),
    ("revert with RUNNING|PAUSED",
     lambda c, ro: (lambda d: lambda: d.revertToSnapshot(
         d.snapshotCreateXML(SNAP.format("s1")),
         libvirt.VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING | libvirt.VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED))(
         inactive(c, "rf")),
     ("INVALID_ARG", SNAPSHOT)),
    # unsupported flags
    ("createWithFlags(1<<30)", lambda c, ro: lambda: inactive(c, "f1").createWithFlags(FLAG),
     ("INVALID_ARG", TEST)),
    ("destroyFlags(1<<30)", lambda c, ro: lambda: test_dom(c).destroyFlags(FLAG),
     ("INVALID_ARG", TEST)),
    ("undefineFlags(1<<30)", lambda c, ro: lambda: inactive(c, "f2").undefineFlags(FLAG),
     ("INVALID_ARG", TEST)),
    ("XMLDesc(1<<30)", lambda c, ro: lambda: test_dom(c).XMLDesc(FLAG),
     ("INVALID_ARG", TEST)),
    ("defineXMLFlags(1<<30)", lambda c, ro: lambda: c.defineXMLFlags(dom_xml("f3"), FLAG),
     ("INVALID_ARG", TEST)),
    ("shutdownFlags(1<<30)", lambda c, ro: lambda: test_dom(c).shutdownFlags(FLAG),
     ("INVALID_ARG", TEST)),
    ("listAllDomains(1<<30)", lambda c, ro: lambda: c.listAllDomains(FLAG),
     ("INVALID_ARG", TEST)),
    ("snapshotCreateXML(1<<30)",
     lambda c, ro: lambda: inactive(c, "f4").snapshotCreateXML(SNAP.format("s"), FLAG),
     ("INVALID_ARG", TEST)),
    ("managedSave(1<<30)", lambda c, ro: lambda: test_dom(c).managedSave(FLAG),
     ("INVALID_ARG", TEST)),
    ("state(1<<30)", lambda c, ro: lambda: test_dom(c).state(FLAG),
     ("INVALID_ARG", TEST)),
    # metadata
    ("metadata that is not there",
     lambda c, ro: lambda: test_dom(c).metadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT,
                                                "http://example.org/", 0),
     ("NO_DOMAIN_METADATA", DOMAIN)),
    ("metadata of an unknown type", lambda c, ro: lambda: test_dom(c).metadata(99, None, 0),
     ("INVALID_ARG", DOMAIN)),
    # read-only connections
    ("read-only defineXML", lambda c, ro: lambda: ro.defineXML(dom_xml("rod")),
     ("OPERATION_DENIED", DOMAIN)),
    ("read-only destroy", lambda c, ro: test_dom(ro).destroy,
     ("OPERATION_DENIED", DOMAIN)),
    ("read-only suspend", lambda c, ro: test_dom(ro).suspend,
     ("OPERATION_DENIED", DOMAIN)),
    ("read-only undefine", lambda c, ro: test_dom(ro).undefine,
     ("OPERATION_DENIED", DOMAIN)),
]


def identity(fn):
    """(code, domain, level, message) of the libvirtError @fn raises, or None."""
    try:
        fn()
    except libvirt.libvirtError as e:
        return e.get_error_code(), e.get_error_domain(), e.get_error_level(), str(e)
    return None


def code_of(name):
    return getattr(libvirt, "VIR_ERR_" + name)


def run_case(uri, ro_uri, setup):
    conn = libvirt.open(uri)
    ro = libvirt.openReadOnly(ro_uri)
    try:
        return identity(setup(conn, ro))
    finally:
        ro.close()
        conn.close()


def check(tap, uri, ro_uri):
    for row in CASES:
        desc, setup, theirs = row[:3]
        ours, why = (row[3], row[4]) if len(row) > 3 else (theirs, None)
        got = run_case(uri, ro_uri, setup)
        note = f" (libvirt: {theirs or 'no error'}; {why})" if why else ""
        if ours is None:
            tap.ok(got is None, f"{desc}: no error{note}", got)
            continue
        want = (code_of(ours[0]), ours[1], libvirt.VIR_ERR_ERROR)
        tap.ok(got is not None and got[:3] == want,
               f"{desc}: {ours[0]}, domain {ours[1]}{note}",
               f"got {got}, want {want}")


def check_detail(tap, uri):
    """libvirt shows where the parser stopped; so do we, with the offending line."""
    conn = libvirt.open(uri)
    try:
        got = identity(lambda: conn.defineXML(
            "<domain type='test'>\n  <name>x</name>\n  <memory>1</memory\n</domain>\n"))
        msg = got[3] if got else ""
        tap.ok("line 4" in msg and "expected '>'" in msg and "\n</domain>\n^" in msg,
               "malformed XML: line, libxml2's first error and the line with a caret", got)
        got = identity(lambda: conn.defineXML("<domain type='test'><name>x</name><oops></domain>"))
        msg = got[3] if got else ""
        tap.ok("column" in msg and "Opening and ending tag mismatch" in msg,
               "malformed XML: the first error (the mismatch), not the one after", got)
        got = identity(lambda: conn.defineXML(dom_xml("u", unit="bogus")))
        tap.ok(got is not None and "bogus" in got[3] and "MiB" in got[3],
               "bad unit: names it and lists the valid ones", got)
    finally:
        conn.close()


def measure_libvirtd():
    """Run the table against a private libvirtd; print the rows whose libvirt column is
    stale. Not part of the suite."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
    from bench import Libvirtd

    daemon = Libvirtd()
    stale = 0
    try:
        for row in CASES:
            desc, setup, theirs = row[:3]
            got = run_case(daemon.uri(), daemon.uri(), setup)
            want = None if theirs is None else (code_of(theirs[0]), theirs[1])
            if (got and got[:2]) != want:
                stale += 1
                print(f"DIFFERS {desc}: libvirtd {got}, table {theirs}")
            else:
                print(f"same    {desc}: {got}")
    finally:
        daemon.stop()
    return 1 if stale else 0


def main():
    if libvirt is None:
        Tap().skip_all("python3-libvirt is not installed")
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    if "--libvirtd" in sys.argv:
        sys.exit(measure_libvirtd())
    tap = Tap()
    proxyd = Proxyd(proxyd_exe())
    try:
        check(tap, proxyd.uri(), proxyd.uri(sock=proxyd.sock_ro))
        check_detail(tap, proxyd.uri())
    finally:
        rc, log = proxyd.stop()
        tap.ok(rc == 0, "proxyd exits cleanly on SIGTERM", log)
    tap.done()


if __name__ == "__main__":
    main()
