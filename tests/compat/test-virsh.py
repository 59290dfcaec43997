#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Debian's real virsh against proxyd over test+unix:///default?socket=..."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compat import DOMAIN_XML, Proxyd, Tap, proxyd_exe  # noqa: E402

VIRSH = shutil.which("virsh") or "/usr/bin/virsh"


def virsh(uri, *args, readonly=False, timeout=60):
    cmd = [VIRSH] + (["-r"] if readonly else []) + ["-c", uri] + list(args)
    env = dict(os.environ, LC_ALL="C", LIBVIRT_AUTOSTART="0")
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)


def check(tap, res, desc, rc=0, out=None, err=None):
    ok = res.returncode == rc
    if out is not None:
        ok = ok and re.search(out, res.stdout, re.M) is not None
    if err is not None:
        ok = ok and re.search(err, res.stderr, re.M) is not None
    return tap.ok(ok, desc, f"rc={res.returncode}\nstdout:\n{res.stdout}\nstderr:\n{res.stderr}")


def events_test(tap, d, uri):
    """virsh event --loop sees lifecycle events caused by another virsh."""
    env = dict(os.environ, LC_ALL="C", LIBVIRT_AUTOSTART="0")
    watcher = subprocess.Popen([VIRSH, "-c", uri, "event", "--all", "--loop", "--timeout", "60"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env)
    os.set_blocking(watcher.stdout.fileno(), False)
    buf = ""

    def read_lines(deadline):
        nonlocal buf
        import select
        while time.monotonic() < deadline:
            r, _, _ = select.select([watcher.stdout], [], [], max(0, deadline - time.monotonic()))
            if not r:
                break
            chunk = watcher.stdout.read()
            if not chunk:
                break
            buf += chunk
            if "\n" in buf:
                break
        lines, _, buf = buf.rpartition("\n")
        return [l for l in lines.splitlines() if l.strip()] if lines else []

    # we cannot see when the watcher has registered: poke the always-running domain
    # 'test' until its first event arrives, then run the real sequence
    seen = []
    for _ in range(100):
        virsh(uri, "suspend", "test")
        virsh(uri, "resume", "test")
        seen = read_lines(time.monotonic() + 0.5)
        if seen:
            break
    tap.ok(bool(seen), "virsh event: watcher receives events", "\n".join(seen))
    xml = os.path.join(d, "ev.xml")
    with open(xml, "w") as f:
        f.write(DOMAIN_XML.format(name="evdom"))
    for args in (["define", xml], ["start", "evdom"], ["suspend", "evdom"],
                 ["resume", "evdom"], ["destroy", "evdom"], ["undefine", "evdom"]):
        virsh(uri, *args)
    want = ["Defined", "Started", "Suspended", "Resumed", "Stopped", "Undefined"]
    got = []
    deadline = time.monotonic() + 20
    while len(got) < len(want) and time.monotonic() < deadline:
        for line in read_lines(deadline):
            m = re.search(r"event 'lifecycle' for domain '?evdom'?: (\w+)", line)
            if m:
                got.append(m.group(1))
    tap.ok(got == want, "virsh event: lifecycle order for another client's actions",
           f"got {got}")
    watcher.terminate()
    watcher.wait(timeout=10)


def main():
    tap = Tap()
    if not os.path.exists(VIRSH):
        tap.skip_all("virsh is not installed")
    d = tempfile.mkdtemp(prefix="virtkit-virsh-")
    proxyd = Proxyd(proxyd_exe())
    uri = proxyd.uri()
    try:
        check(tap, virsh(uri, "version"), "version", out=r"Running hypervisor: TEST")
        check(tap, virsh(uri, "hostname"), "hostname", out=r"\S")
        check(tap, virsh(uri, "nodeinfo"), "nodeinfo", out=r"CPU\(s\):\s+16")
        check(tap, virsh(uri, "capabilities"), "capabilities", out=r"<capabilities>")
        check(tap, virsh(uri, "list", "--all"), "list --all", out=r"^\s*1\s+test\s+running")
        xml = os.path.join(d, "dom.xml")
        with open(xml, "w") as f:
            f.write(DOMAIN_XML.format(name="compat1"))
        check(tap, virsh(uri, "define", xml), "define", out=r"Domain '?compat1'? defined")
        check(tap, virsh(uri, "domstate", "compat1"), "domstate shut off", out=r"shut off")
        check(tap, virsh(uri, "start", "compat1"), "start", out=r"Domain '?compat1'? started")
        check(tap, virsh(uri, "dominfo", "compat1"), "dominfo",
              out=r"State:\s+running")
        check(tap, virsh(uri, "dominfo", "test"), "dominfo security as libvirt's test driver",
              out=r"Security model: testSecurity(.|\n)*Security label: libvirt-test \(enforcing\)")
        check(tap, virsh(uri, "domstate", "compat1"), "domstate running", out=r"^running")
        check(tap, virsh(uri, "dumpxml", "compat1"), "dumpxml", out=r"<name>compat1</name>")
        check(tap, virsh(uri, "suspend", "compat1"), "suspend", out=r"suspended")
        check(tap, virsh(uri, "domstate", "compat1"), "domstate paused", out=r"^paused")
        check(tap, virsh(uri, "resume", "compat1"), "resume", out=r"resumed")
        res = virsh(uri, "domuuid", "compat1")
        check(tap, res, "domuuid", out=r"^[0-9a-f-]{36}$")
        uuid = res.stdout.strip()
        check(tap, virsh(uri, "domstate", uuid), "lookup by uuid", out=r"^running")
        check(tap, virsh(uri, "autostart", "compat1"), "autostart",
              out=r"marked as autostarted")
        check(tap, virsh(uri, "dominfo", "compat1"), "dominfo autostart",
              out=r"Autostart:\s+enable")
        check(tap, virsh(uri, "shutdown", "compat1"), "shutdown", out=r"is being shutdown")
        # the test driver powers off at once: destroy then fails as with libvirtd
        check(tap, virsh(uri, "start", "compat1"), "start again", out=r"started")
        check(tap, virsh(uri, "destroy", "compat1"), "destroy", out=r"destroyed")
        check(tap, virsh(uri, "undefine", "compat1"), "undefine", out=r"undefined")
        check(tap, virsh(uri, "list", "--all", "--name"), "list after undefine",
              out=r"^test$")
        # errors
        check(tap, virsh(uri, "dominfo", "nosuch"), "unknown domain", rc=1,
              err=r"failed to get domain 'nosuch'")
        bad = os.path.join(d, "bad.xml")
        with open(bad, "w") as f:
            f.write("<domain type='test'><name>broken</name>")
        check(tap, virsh(uri, "define", bad), "invalid XML", rc=1,
              err=r"Failed to define domain(.|\n)*Premature end of data")
        check(tap, virsh(uri, "define", xml, readonly=True), "read-only define refused",
              rc=1, err=r"read only access prevents|read-only")
        check(tap, virsh(proxyd.uri(sock=proxyd.sock_ro), "list", "--all"),
              "read-only socket lists", out=r"test")
        check(tap, virsh(proxyd.uri(sock=proxyd.sock_ro), "suspend", "test"),
              "read-only socket refuses suspend", rc=1, err=r"read only access prevents")
        node = os.path.join(d, "node.xml")
        with open(node, "w") as f:
            f.write("<node><domain type='test'><name>filedom</name><memory>131072</memory>"
                    "<os><type>hvm</type></os></domain></node>")
        check(tap, virsh(proxyd.uri(path=node), "list", "--all"), "test:///PATH.xml",
              out=r"filedom\s+running")
        check(tap, virsh(proxyd.uri(path=os.path.join(d, "missing.xml")), "list"),
              "test:///PATH.xml of a missing file", rc=1, err=r"failed to connect")
        check(tap, virsh(f"qemu+unix:///system?socket={proxyd.sock}", "list"),
              "a driver daemon that is not running", rc=1,
              err=r"virtqemud is not running: cannot connect to its socket .*virtqemud-sock")
        events_test(tap, d, uri)
    finally:
        rc, log = proxyd.stop()
        tap.ok(rc == 0, "proxyd exits cleanly on SIGTERM", log)
        shutil.rmtree(d, ignore_errors=True)
    tap.done()


if __name__ == "__main__":
    main()
