# SPDX-License-Identifier: LGPL-2.1-or-later
"""Debian's real virsh through proxyd's libvirt-sock, routed to the real virtqemud.

The same scenarios as the direct tests, with the legacy socket in the URI
(qemu+unix:///system?socket=.../libvirt-sock): list, define a disk-less guest,
dominfo, start and destroy it when QEMU can run, undefine, errors; the read-only
socket; an empty URI (remote+unix:///) that lands on virtqemud; a driver daemon that
is not running; and session mode, where proxyd starts virtqemud itself.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "compat"))
from compat import Tap  # noqa: E402

# virsh() and check() as the direct compat tests run them
_direct = __import__("test-virsh")
virsh, check = _direct.virsh, _direct.check

VIRSH = shutil.which("virsh") or "/usr/bin/virsh"
PROXYD = os.environ["VIRTKIT_PROXYD"]
VIRTQEMUD = os.environ.get("VIRTKIT_VIRTQEMUD", "")
NOBODY = 65534

GUEST_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
</domain>
"""


class Daemon:
    """A daemon under @root, ready when it says READY=1 (sd_notify)."""

    def __init__(self, exe, root, args=(), uid=0, env=None):
        self.root = root
        self.log_path = os.path.join(root, f"{os.path.basename(exe)}-{os.getpid()}.log")
        notify_path = os.path.join(root, f"notify-{os.path.basename(exe)}")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        notify.settimeout(30)
        if uid:
            os.chown(notify_path, uid, -1)
        full_env = dict(os.environ, NOTIFY_SOCKET=notify_path, **(env or {}))
        full_env.pop("G_DEBUG", None)
        log = open(self.log_path, "w")

        def drop():
            if uid:
                os.setgid(uid)
                os.setuid(uid)

        self.proc = subprocess.Popen([exe, "--root", root, *args], env=full_env, stdout=log,
                                     stderr=subprocess.STDOUT, preexec_fn=drop)
        log.close()
        try:
            while "READY=1" not in notify.recv(4096).decode():
                pass
        finally:
            notify.close()
            os.unlink(notify_path)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        with open(self.log_path) as f:
            return f.read()


def qemu_can_run():
    return shutil.which("qemu-system-x86_64") is not None


def test_driver_uri(tap, root):
    """test+unix:/// through the same socket is still served by proxyd itself."""
    sock = os.path.join(root, "run", "libvirt", "libvirt-sock")
    uri = f"test+unix:///default?socket={sock}"
    check(tap, virsh(uri, "list", "--all"), "test:///default served in proxyd", out=r"\btest\b")
    xml = os.path.join(root, "t.xml")
    with open(xml, "w") as f:
        f.write("<domain type='test'><name>t1</name><memory>131072</memory>"
                "<os><type>hvm</type></os></domain>")
    check(tap, virsh(uri, "define", xml), "test: define", out=r"Domain 't1' defined")
    check(tap, virsh(uri, "dominfo", "t1"), "test: dominfo", out=r"State:\s+shut off")
    check(tap, virsh(uri, "undefine", "t1"), "test: undefine", out=r"undefined")


def test_qemu(tap, root):
    run = os.path.join(root, "run", "libvirt")
    uri = f"qemu+unix:///system?socket={run}/libvirt-sock"
    ro_uri = f"qemu+unix:///system?socket={run}/libvirt-sock-ro"
    xml = os.path.join(root, "guest.xml")
    with open(xml, "w") as f:
        f.write(GUEST_XML.format(name="proxied"))
    check(tap, virsh(uri, "list", "--all"), "qemu: list through libvirt-sock")
    check(tap, virsh(uri, "define", xml), "qemu: define a disk-less guest",
          out=r"Domain 'proxied' defined")
    check(tap, virsh(uri, "list", "--all"), "qemu: the guest is listed",
          out=r"-\s+proxied\s+shut off")
    check(tap, virsh(uri, "dominfo", "proxied"), "qemu: dominfo",
          out=r"OS Type:\s+hvm(.|\n)*State:\s+shut off")
    direct = f"qemu+unix:///system?socket={run}/virtqemud-sock"
    check(tap, virsh(direct, "dominfo", "proxied"), "qemu: the same guest seen directly",
          out=r"Name:\s+proxied")
    check(tap, virsh(ro_uri, "dominfo", "proxied", readonly=True), "qemu: ro socket reads",
          out=r"Name:\s+proxied")
    check(tap, virsh(ro_uri, "undefine", "proxied", readonly=True), "qemu: ro socket refuses",
          rc=1, err=r"read only access prevents")
    check(tap, virsh(uri, "dominfo", "nosuch"), "qemu: unknown domain", rc=1,
          err=r"failed to get domain 'nosuch'")
    bad = os.path.join(root, "bad.xml")
    with open(bad, "w") as f:
        f.write("<domain type='qemu'><memory>65536</memory></domain>")
    check(tap, virsh(uri, "define", bad), "qemu: virtqemud's error for bad XML comes back",
          rc=1, err=r"error: Failed to define domain from .*bad\.xml\nerror: .*name")
    empty = f"remote+unix:///?socket={run}/libvirt-sock"
    check(tap, virsh(empty, "list", "--all"), "empty URI: proxyd probes and opens virtqemud",
          out=r"proxied\s+shut off")
    check(tap, virsh(empty, "domcapabilities"), "empty URI: QEMU's domain capabilities",
          out=r"<path>.*qemu-system")
    if qemu_can_run():
        check(tap, virsh(uri, "start", "proxied", timeout=120), "qemu: start the guest",
              out=r"Domain 'proxied' started")
        check(tap, virsh(uri, "list"), "qemu: running", out=r"\d+\s+proxied\s+running")
        check(tap, virsh(uri, "destroy", "proxied"), "qemu: destroy", out=r"destroyed")
    else:
        tap.ok(True, "qemu: start # SKIP qemu-system-x86_64 is not installed")
    check(tap, virsh(uri, "undefine", "proxied"), "qemu: undefine", out=r"has been undefined")
    check(tap, virsh(uri, "list", "--all"), "qemu: gone")


def test_missing(tap, root):
    run = os.path.join(root, "run", "libvirt")
    res = virsh(f"xen+unix:///system?socket={run}/libvirt-sock", "list")
    check(tap, res, "a driver daemon that is not running: a clear error", rc=1,
          err=r"virtxend is not running: cannot connect to its socket "
              r"'.*/virtxend-sock'.*systemctl start virtxend\.socket")


def test_session_autostart(tap):
    """Session mode (proxyd as an ordinary user): proxyd starts virtqemud."""
    if os.getuid() != 0:
        tap.ok(True, "session autostart # SKIP needs root to run proxyd as another user")
        return
    root = tempfile.mkdtemp(prefix="virtkit-proxy-session-")
    os.chmod(root, 0o755)
    os.chown(root, NOBODY, NOBODY)
    proxyd = None
    try:
        proxyd = Daemon(PROXYD, root, uid=NOBODY, env={"VIRTQEMUD_PATH": VIRTQEMUD})
        sock = os.path.join(root, "run", "libvirt", "libvirt-sock")
        res = virsh(f"qemu+unix:///session?socket={sock}", "uri")
        check(tap, virsh(f"qemu+unix:///session?socket={sock}", "list", "--all"),
              "session: proxyd starts virtqemud for qemu:///session")
        check(tap, res, "session: the connection works", out=r"qemu")
        pid_file = os.path.join(root, "run", "virtqemud.pid")
        tap.ok(os.path.exists(pid_file), "session: virtqemud runs under proxyd's --root")
        xml = os.path.join(root, "s.xml")
        with open(xml, "w") as f:
            f.write(GUEST_XML.format(name="sess"))
        check(tap, virsh(f"qemu+unix:///session?socket={sock}", "define", xml),
              "session: define through the autostarted daemon", out=r"defined")
    finally:
        pid_file = os.path.join(root, "run", "virtqemud.pid")
        if os.path.exists(pid_file):
            with open(pid_file) as f:
                pid = int(f.read().strip() or 0)
            if pid > 0:
                try:
                    fd = os.pidfd_open(pid)
                    os.kill(pid, signal.SIGTERM)
                    import select
                    select.select([fd], [], [], 30)
                    os.close(fd)
                except ProcessLookupError:
                    pass
        if proxyd:
            proxyd.stop()
        shutil.rmtree(root, ignore_errors=True)


def main():
    tap = Tap()
    if not VIRTQEMUD or not os.access(VIRTQEMUD, os.X_OK):
        tap.skip_all("VIRTKIT_VIRTQEMUD does not name virtqemud")
    root = tempfile.mkdtemp(prefix="virtkit-proxy-virsh-")
    qemud = proxyd = None
    try:
        qemud = Daemon(VIRTQEMUD, root)
        proxyd = Daemon(PROXYD, root)
        test_driver_uri(tap, root)
        test_qemu(tap, root)
        test_missing(tap, root)
    finally:
        logs = []
        for d in (proxyd, qemud):
            if d:
                logs.append(d.stop())
                tap.ok(d.proc.returncode == 0, f"{os.path.basename(d.proc.args[0])} exits cleanly",
                       logs[-1])
        shutil.rmtree(root, ignore_errors=True)
    test_session_autostart(tap)
    if tap.failed:
        for log in logs:
            for line in log.splitlines()[-20:]:
                print(f"# {line}")
    tap.done()


if __name__ == "__main__":
    main()
