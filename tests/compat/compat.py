# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared helpers of the compat tests: proxyd under a temporary --root, TAP output.

The daemon reports readiness with sd_notify(READY=1) on a socket we own, so the tests
wait for it instead of polling for the socket file.
"""

import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0
        print("TAP version 13", flush=True)

    def ok(self, cond, desc, detail=None):
        self.n += 1
        if not cond:
            self.failed += 1
            print(f"not ok {self.n} - {desc}", flush=True)
            if detail is not None:
                for line in str(detail).splitlines():
                    print(f"# {line}", flush=True)
        else:
            print(f"ok {self.n} - {desc}", flush=True)
        return cond

    def skip_all(self, reason):
        print(f"1..0 # SKIP {reason}", flush=True)
        sys.exit(0)

    def done(self):
        print(f"1..{self.n}", flush=True)
        sys.exit(1 if self.failed else 0)


class Proxyd:
    """proxyd under a temporary root; stopped with SIGTERM. With @root: any daemon
    (@exe) under that root, which the caller owns (several daemons may share it)."""

    def __init__(self, exe, extra_args=(), root=None):
        self.owns_root = root is None
        self.root = tempfile.mkdtemp(prefix="virtkit-compat-") if root is None else root
        self.sock = os.path.join(self.root, "run", "libvirt", "libvirt-sock")
        self.sock_ro = self.sock + "-ro"
        self.admin_sock = os.path.join(self.root, "run", "libvirt", "libvirt-admin-sock")
        name = os.path.basename(exe)
        self.log = open(os.path.join(self.root, name + ".log"), "w+")
        notify_path = os.path.join(self.root, name + ".notify")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        notify.settimeout(20)
        env = dict(os.environ, NOTIFY_SOCKET=notify_path)
        env.pop("G_DEBUG", None)
        self.proc = subprocess.Popen([exe, "--root", self.root, *extra_args], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        try:
            while True:
                data = notify.recv(4096).decode()
                if "READY=1" in data:
                    break
        finally:
            notify.close()

    def uri(self, path="/default", sock=None):
        return f"test+unix://{path}?socket={sock or self.sock}"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            rc = self.proc.wait(timeout=20)
        else:
            rc = self.proc.returncode
        self.log.seek(0)
        log = self.log.read()
        self.log.close()
        if self.owns_root:
            shutil.rmtree(self.root, ignore_errors=True)
        return rc, log


def proxyd_exe():
    exe = os.environ.get("VIRTKIT_PROXYD")
    if not exe or not os.access(exe, os.X_OK):
        raise SystemExit("VIRTKIT_PROXYD must name the proxyd executable")
    return exe


DOMAIN_XML = """<domain type='test'>
  <name>{name}</name>
  <memory unit='KiB'>131072</memory>
  <vcpu>1</vcpu>
  <os><type arch='i686'>hvm</type></os>
</domain>
"""


def pty_read_until(fd, marker, timeout=20):
    """Read a pty master until @marker shows, it closes, or @timeout seconds pass."""
    buf = b""
    deadline = time.monotonic() + timeout
    while marker not in buf:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed its side
            break
        if not chunk:
            break
        buf += chunk
    return buf
