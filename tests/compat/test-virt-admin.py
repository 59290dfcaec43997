#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Debian's real virt-admin against proxyd's admin socket."""

import os
import re
import shutil
import subprocess
import sys

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


def main():
    tap = Tap()
    if not os.path.exists(VIRT_ADMIN):
        tap.skip_all("virt-admin is not installed")
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
