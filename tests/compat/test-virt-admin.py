#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Debian's real virt-admin against proxyd's admin socket, and against a driver daemon
(virtqemud) whose clients proxyd hands over: they are its clients, in its list and
within its max_clients."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compat import Proxyd, Tap, proxyd_exe  # noqa: E402

VIRT_ADMIN = shutil.which("virt-admin") or "/usr/bin/virt-admin"


def run(uri, *args):
    env = dict(os.environ, LC_ALL="C")
    return subprocess.run([VIRT_ADMIN, "-c", uri, *args], capture_output=True, text=True,
                          timeout=60, env=env)


def check(tap, res, desc, rc=0, out=None, err=None):
    ok = res.returncode == rc
    if out is not None:
        ok = ok and re.search(out, res.stdout, re.M) is not None
    if err is not None:
        ok = ok and re.search(err, res.stderr, re.M) is not None
    tap.ok(ok, desc, f"rc={res.returncode}\nstdout:\n{res.stdout}\nstderr:\n{res.stderr}")


def wait_for(cond, timeout=10):
    """Poll @cond (a state another process changes) until true or @timeout seconds."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def handed_over_clients(tap, virtqemud):
    """python3-libvirt through proxyd's libvirt-sock, handed over to virtqemud."""
    import libvirt
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    root = tempfile.mkdtemp(prefix="virtkit-compat-handoff-")
    qemud = proxyd = None
    conns = []
    try:
        qemud = Proxyd(virtqemud, root=root)
        proxyd = Proxyd(proxyd_exe(), root=root)
        admin = f"virtqemud:///system?socket={root}/run/libvirt/virtqemud-admin-sock"
        uri = f"qemu+unix:///system?socket={proxyd.sock}"
        conns.append(libvirt.open(uri))
        tap.ok(conns[0].getType() == "QEMU", "a qemu:/// client through proxyd reaches virtqemud")
        res = run(admin, "srv-clients-list", "virtqemud")
        ids = re.findall(r"^\s*(\d+)\s+unix", res.stdout, re.M)
        tap.ok(res.returncode == 0 and len(ids) == 1,
               "virtqemud's client list has the handed-over client", res.stdout + res.stderr)
        check(tap, run(admin, "client-info", "virtqemud", ids[0] if ids else "0"),
              "its client-info is the client's own process, not proxyd's",
              out=r"unix_process_id\s*: %d" % os.getpid())
        check(tap, run(admin, "srv-clients-info", "virtqemud"), "it counts in nclients",
              out=r"^nclients\s*: 1$")
        check(tap, run(admin, "srv-clients-set", "virtqemud", "--max-clients", "1"),
              "max_clients set to 1 (virt-admin's own connection is the admin server's)")
        try:
            conns.append(libvirt.open(uri))
            err = None
        except libvirt.libvirtError as e:
            err = str(e)
        tap.ok(err is not None and "max_clients" in err,
               "a second client handed over past max_clients is refused, saying why", err)
        check(tap, run(admin, "srv-clients-info", "virtqemud"), "the refused one never counted",
              out=r"^nclients\s*: 1$")
        conns.pop(0).close()
        tap.ok(wait_for(lambda: re.search(r"^nclients\s*: 0$", run(
            admin, "srv-clients-info", "virtqemud").stdout, re.M) is not None),
            "the client that left no longer counts")
        conns.append(libvirt.open(uri))
        tap.ok(conns[-1].getType() == "QEMU", "then a new client is handed over again")
    finally:
        for c in conns:
            c.close()
        for d in (proxyd, qemud):
            if d is not None:
                rc, log = d.stop()
                tap.ok(rc == 0, f"{os.path.basename(d.proc.args[0])} exits cleanly", log)
        shutil.rmtree(root, ignore_errors=True)


def main():
    tap = Tap()
    if not os.path.exists(VIRT_ADMIN):
        tap.skip_all("virt-admin is not installed")
    virtqemud = os.environ.get("VIRTKIT_VIRTQEMUD")
    if virtqemud:
        handed_over_clients(tap, virtqemud)
    proxyd = Proxyd(proxyd_exe())
    admin = f"virtproxyd:///system?socket={proxyd.admin_sock}"
    # a client to look at: a python-free raw connection is enough
    import socket
    peer = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    peer.connect(proxyd.sock)
    try:
        check(tap, run(admin, "version"), "version", out=r"Running against daemon: \d+")
        check(tap, run(admin, "srv-list"), "srv-list", out=r"virtproxyd(.|\n)*admin")
        check(tap, run(admin, "srv-threadpool-info", "virtproxyd"), "srv-threadpool-info",
              out=r"maxWorkers\s*: 20")
        check(tap, run(admin, "srv-threadpool-set", "virtproxyd", "--max-workers", "7"),
              "srv-threadpool-set")
        check(tap, run(admin, "srv-threadpool-info", "virtproxyd"), "threadpool changed",
              out=r"maxWorkers\s*: 7")
        res = run(admin, "srv-clients-list", "virtproxyd")
        check(tap, res, "srv-clients-list", out=r"^\s*1\s+unix")
        check(tap, run(admin, "client-info", "virtproxyd", "1"), "client-info",
              out=r"unix_process_id\s*: %d" % os.getpid())
        check(tap, run(admin, "srv-clients-info", "virtproxyd"), "srv-clients-info",
              out=r"nclients\s*: 1")
        check(tap, run(admin, "srv-clients-set", "virtproxyd", "--max-clients", "50"),
              "srv-clients-set")
        check(tap, run(admin, "srv-clients-info", "virtproxyd"), "client limit changed",
              out=r"nclients_max\s*: 50")
        check(tap, run(admin, "daemon-log-filters", "1:rpc 3:conf"), "set log filters")
        check(tap, run(admin, "daemon-log-filters"), "get log filters",
              out=r"Logging filters: 1:rpc 3:conf")
        check(tap, run(admin, "daemon-log-outputs"), "get log outputs",
              out=r"Logging outputs: \d:stderr")
        check(tap, run(admin, "client-disconnect", "virtproxyd", "1"), "client-disconnect",
              out=r"disconnected")
        peer.settimeout(10)
        tap.ok(peer.recv(1) == b"", "the disconnected client sees EOF")
        check(tap, run(admin, "client-info", "virtproxyd", "1"), "client gone", rc=1,
              err=r"no client with matching id '1'")
        check(tap, run(admin, "srv-threadpool-info", "nosuch"), "unknown server", rc=1,
              err=r"no server with matching name 'nosuch'")
        check(tap, run(admin, "daemon-timeout", "--timeout", "600"), "daemon-timeout")
    finally:
        peer.close()
        rc, log = proxyd.stop()
        tap.ok(rc == 0, "proxyd exits cleanly on SIGTERM", log)
    tap.done()


if __name__ == "__main__":
    main()
