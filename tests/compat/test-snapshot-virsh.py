#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Issue 4 against proxyd's test driver, the same scenario with Debian's real virsh
(`--client virsh`) and with our virtsh (`--client virtsh`, the binary in
$VIRTKIT_VIRTSH): snapshot tree and current, revert, delete re-parenting, undefine
refused then allowed with --snapshots-metadata, no inherited snapshots, transient
domains losing theirs when destroyed, managed save blocking undefine until
--managed-save."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compat import DOMAIN_XML, Proxyd, Tap, proxyd_exe  # noqa: E402

CLIENTS = {
    "virsh": lambda: shutil.which("virsh") or "/usr/bin/virsh",
    "virtsh": lambda: os.environ.get("VIRTKIT_VIRTSH"),
}
CLIENT = None  # the binary under test, set by main()


def virsh(uri, *args):
    env = dict(os.environ, LC_ALL="C", LIBVIRT_AUTOSTART="0")
    return subprocess.run([CLIENT, "-c", uri] + list(args), capture_output=True, text=True,
                          timeout=60, env=env)


def check(tap, res, desc, rc=0, out=None, err=None):
    ok = res.returncode == rc
    if out is not None:
        ok = ok and re.search(out, res.stdout, re.M) is not None
    if err is not None:
        ok = ok and re.search(err, res.stderr, re.M) is not None
    return tap.ok(ok, desc, f"rc={res.returncode}\nstdout:\n{res.stdout}\nstderr:\n{res.stderr}")


REDEFINE_MIN = """<domainsnapshot><name>min</name><state>shutoff</state>
<creationTime>1700000000</creationTime>
<domain type='test'><name>ord1</name><uuid>{uuid}</uuid>{memory}<os><type>hvm</type></os>
</domain></domainsnapshot>
"""


def check_order_and_redefine(tap, uri, tmp):
    """--topological lists a parent's children newest first, and a redefined minimal
    config comes back default-filled, both as libvirt 9.0 (tests/shell has the same
    against Debian's virsh on libvirt's own test driver); a broken config names the
    snapshot and installs nothing."""
    xml = os.path.join(tmp, "ord1.xml")
    with open(xml, "w") as f:
        f.write(DOMAIN_XML.format(name="ord1"))
    check(tap, virsh(uri, "define", xml), "define ord1")
    check(tap, virsh(uri, "start", "ord1"), "start ord1")
    for name, back_to in [("r", None), ("a", None), ("b", "r"), ("c", "r"), ("c1", "a"),
                          ("c2", "a")]:
        if back_to:
            virsh(uri, "snapshot-revert", "ord1", back_to)
        check(tap, virsh(uri, "snapshot-create-as", "ord1", name), f"create {name}")
    check(tap, virsh(uri, "snapshot-list", "ord1", "--topological", "--name"),
          "topological: newest child first", out=r"\Ar\nc\nb\na\nc2\nc1\n")
    check(tap, virsh(uri, "snapshot-list", "ord1", "--from", "a", "--topological", "--name"),
          "children of a, newest first", out=r"\Ac2\nc1\n")
    uuid = virsh(uri, "domuuid", "ord1").stdout.strip()
    good = os.path.join(tmp, "min.xml")
    bad = os.path.join(tmp, "bad.xml")
    with open(good, "w") as f:
        f.write(REDEFINE_MIN.format(uuid=uuid, memory="<memory>8192</memory>"))
    with open(bad, "w") as f:
        f.write(REDEFINE_MIN.format(uuid=uuid, memory="").replace("min", "bad"))
    check(tap, virsh(uri, "snapshot-create", "ord1", good, "--redefine"), "redefine min")
    check(tap, virsh(uri, "snapshot-dumpxml", "ord1", "min"), "min's config is filled in",
          out=r"<currentMemory unit='KiB'>8192</currentMemory>\n    "
              r"<vcpu placement='static'>1</vcpu>\n    <os>\n      "
              r"<type arch='i686'>hvm</type>\n      <boot dev='hd'/>\n    </os>\n    "
              r"<clock offset='utc'/>")
    check(tap, virsh(uri, "snapshot-create", "ord1", bad, "--redefine"),
          "a config without memory is refused", rc=1,
          err=r"invalid <domain> in snapshot 'bad': missing required element <memory>")
    check(tap, virsh(uri, "snapshot-info", "ord1", "bad"), "bad was not installed", rc=1,
          err=r"no domain snapshot with matching name 'bad'")
    check(tap, virsh(uri, "destroy", "ord1"), "destroy ord1")
    check(tap, virsh(uri, "undefine", "ord1", "--snapshots-metadata"), "undefine ord1")


def main():
    global CLIENT
    tap = Tap()
    name = sys.argv[sys.argv.index("--client") + 1] if "--client" in sys.argv else "virsh"
    CLIENT = CLIENTS[name]()
    if not CLIENT or not os.access(CLIENT, os.X_OK):
        raise SystemExit(f"no {name} executable (VIRTKIT_VIRTSH names our virtsh)")
    d = Proxyd(proxyd_exe())
    uri = d.uri()
    tmp = tempfile.mkdtemp(prefix="virtkit-snap-")
    try:
        xml = os.path.join(tmp, "web1.xml")
        with open(xml, "w") as f:
            f.write(DOMAIN_XML.format(name="web1"))
        check(tap, virsh(uri, "define", xml), "define web1")
        check(tap, virsh(uri, "start", "web1"), "start web1")
        check(tap, virsh(uri, "snapshot-create-as", "web1", "s1"), "create s1",
              out=r"^Domain snapshot s1 created$")
        check(tap, virsh(uri, "snapshot-create-as", "web1", "s2"), "create s2")
        check(tap, virsh(uri, "list", "--all", "--with-snapshot", "--name"),
              "listed --with-snapshot", out=r"^web1$")
        check(tap, virsh(uri, "snapshot-list", "web1", "--tree"), "tree: s2 under s1",
              out=r"^s1\n  \|\n  \+- s2$")
        check(tap, virsh(uri, "snapshot-current", "web1", "--name"), "current is s2",
              out=r"^s2$")
        check(tap, virsh(uri, "snapshot-parent", "web1", "s2"), "parent of s2", out=r"^s1$")
        check(tap, virsh(uri, "snapshot-revert", "web1", "s1"), "revert to s1")
        check(tap, virsh(uri, "snapshot-current", "web1", "--name"), "current is s1",
              out=r"^s1$")
        check(tap, virsh(uri, "domstate", "web1", "--reason"), "running from snapshot",
              out=r"^running \(from snapshot\)$")
        check(tap, virsh(uri, "snapshot-delete", "web1", "s1"), "delete s1",
              out=r"^Domain snapshot s1 deleted$")
        check(tap, virsh(uri, "snapshot-list", "web1", "--roots", "--name"), "s2 is a root",
              out=r"\As2\n")
        check(tap, virsh(uri, "snapshot-info", "web1", "s2"), "snapshot-info s2",
              out=r"^Parent:\s+-$")
        check(tap, virsh(uri, "destroy", "web1"), "destroy web1")
        check(tap, virsh(uri, "undefine", "web1"), "undefine refused", rc=1,
              err=r"1 snapshot.*--snapshots-metadata")
        check(tap, virsh(uri, "undefine", "web1", "--snapshots-metadata"),
              "undefine --snapshots-metadata", out=r"has been undefined")
        check(tap, virsh(uri, "define", xml), "define web1 again")
        check(tap, virsh(uri, "snapshot-list", "web1", "--name"), "no inherited snapshots",
              out=r"\A\n?\Z")
        check(tap, virsh(uri, "list", "--all", "--without-snapshot", "--name"),
              "listed --without-snapshot", out=r"^web1$")

        # transient: its snapshots go when it stops
        txml = os.path.join(tmp, "tr.xml")
        with open(txml, "w") as f:
            f.write(DOMAIN_XML.format(name="tr"))
        check(tap, virsh(uri, "create", txml), "create transient tr")
        check(tap, virsh(uri, "snapshot-create-as", "tr", "t1"), "snapshot of tr")
        check(tap, virsh(uri, "snapshot-create-as", "tr", "t2", "--halt"), "halt refused",
              rc=1, err=r"cannot halt after transient domain snapshot")
        check(tap, virsh(uri, "destroy", "tr"), "destroy tr")
        check(tap, virsh(uri, "create", txml), "create tr again")
        check(tap, virsh(uri, "snapshot-list", "tr", "--name"), "tr has no snapshots",
              out=r"\A\n?\Z")
        check(tap, virsh(uri, "destroy", "tr"), "destroy tr again")

        # managed save
        check(tap, virsh(uri, "start", "web1"), "start web1")
        check(tap, virsh(uri, "managedsave", "web1"), "managedsave",
              out=r"Domain 'web1' state saved by libvirt")
        check(tap, virsh(uri, "list", "--all", "--managed-save"), "listed with managed save",
              out=r"web1\s+saved")
        check(tap, virsh(uri, "undefine", "web1"), "undefine refused with managed save",
              rc=1, err=r"managed save")
        check(tap, virsh(uri, "start", "web1"), "start restores")
        check(tap, virsh(uri, "domstate", "web1", "--reason"), "running (restored)",
              out=r"^running \(restored\)$")
        check(tap, virsh(uri, "managedsave", "web1"), "managedsave again")
        check(tap, virsh(uri, "undefine", "web1", "--managed-save"), "undefine --managed-save",
              out=r"has been undefined")
        check_order_and_redefine(tap, uri, tmp)
    finally:
        rc, log = d.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    tap.ok(rc == 0, "proxyd exits 0 on SIGTERM", log)
    tap.done()


if __name__ == "__main__":
    main()
