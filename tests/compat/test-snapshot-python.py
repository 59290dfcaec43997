#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Issue 4 with Debian's python3-libvirt against proxyd's test driver: the snapshot
tree, current, revert with its events, delete, undefine policy, transient stop and
managed save, with libvirt's error codes."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compat import DOMAIN_XML, Proxyd, Tap, proxyd_exe  # noqa: E402

try:
    import libvirt
except ImportError:
    libvirt = None


def err_code(fn):
    try:
        fn()
    except libvirt.libvirtError as e:
        return e.get_error_code(), e.get_error_message()
    return None, None


def main():
    tap = Tap()
    if libvirt is None:
        tap.skip_all("python3-libvirt is not installed")
    libvirt.registerErrorHandler(lambda *a: None, None)
    d = Proxyd(proxyd_exe())
    try:
        c = libvirt.open(d.uri())
        dom = c.defineXML(DOMAIN_XML.format(name="web1"))
        dom.create()
        s1 = dom.snapshotCreateXML("<domainsnapshot><name>s1</name></domainsnapshot>")
        s2 = dom.snapshotCreateXML("<domainsnapshot><name>s2</name></domainsnapshot>")
        tap.ok(dom.snapshotListNames() == ["s1", "s2"], "names s1 s2", dom.snapshotListNames())
        tap.ok(s2.getParent().getName() == "s1", "s2's parent is s1")
        tap.ok(dom.snapshotCurrent().getName() == "s2", "current is s2")
        tap.ok(s1.numChildren() == 1 and s1.listAllChildren()[0].getName() == "s2",
               "children of s1")
        tap.ok([s.getName() for s in dom.listAllSnapshots(libvirt.VIR_DOMAIN_SNAPSHOT_LIST_LEAVES)]
               == ["s2"], "leaves")
        tap.ok("<name>s1</name>" in s2.getXMLDesc(), "XML names the parent")
        code, _ = err_code(lambda: s1.getParent())
        tap.ok(code == libvirt.VIR_ERR_NO_DOMAIN_SNAPSHOT, "root has no parent", code)
        code, _ = err_code(lambda: dom.snapshotLookupByName("nope"))
        tap.ok(code == libvirt.VIR_ERR_NO_DOMAIN_SNAPSHOT, "lookup of a missing snapshot", code)

        dom.revertToSnapshot(s1)
        tap.ok(s1.isCurrent() == 1 and dom.state() == [1, 4], "revert: current, running "
               "from snapshot", dom.state())
        s1.delete()
        roots = dom.listAllSnapshots(libvirt.VIR_DOMAIN_SNAPSHOT_LIST_ROOTS)
        tap.ok([s.getName() for s in roots] == ["s2"], "s2 is a root after deleting s1")
        dom.destroy()
        code, msg = err_code(lambda: dom.undefine())
        tap.ok(code == libvirt.VIR_ERR_OPERATION_INVALID and "snapshot" in msg,
               "undefine refused", msg)
        dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)
        dom = c.defineXML(DOMAIN_XML.format(name="web1"))
        tap.ok(dom.snapshotNum() == 0, "a new web1 has no snapshots")

        tr = c.createXML(DOMAIN_XML.format(name="tr"))
        tr.snapshotCreateXML("<domainsnapshot><name>t</name></domainsnapshot>")
        tap.ok(tr.hasCurrentSnapshot() == 1, "transient domain has a snapshot")
        tr.destroy()
        tr = c.createXML(DOMAIN_XML.format(name="tr"))
        tap.ok(tr.snapshotNum() == 0, "recreated transient domain has none")
        tr.destroy()

        dom.create()
        dom.managedSave()
        tap.ok(dom.hasManagedSaveImage() == 1 and dom.state() == [5, 5], "managed save")
        tap.ok([x.name() for x in c.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE)]
               == ["web1"], "MANAGEDSAVE filter")
        code, msg = err_code(lambda: dom.undefine())
        tap.ok(code == libvirt.VIR_ERR_OPERATION_INVALID, "undefine refused with managed save",
               msg)
        dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE)
        code, _ = err_code(lambda: c.lookupByName("web1"))
        tap.ok(code == libvirt.VIR_ERR_NO_DOMAIN, "undefined with --managed-save")
        c.close()
    finally:
        rc, log = d.stop()
    tap.ok(rc == 0, "proxyd exits 0 on SIGTERM", log)
    tap.done()


if __name__ == "__main__":
    main()
