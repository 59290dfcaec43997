# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared helpers of the virtqemud tests driven by libvirt's own clients: the daemon
under a temporary --root (readiness from its sd_notify), guests' XML, the tiny real
guest from mkguest.sh, waits with deadlines. TAP output comes from tests/compat."""

import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import libvirt

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "compat"))
from compat import Tap  # noqa: E402

WAIT = 30.0
HERE = os.path.dirname(os.path.abspath(__file__))


def qemu_tap():
    """The TAP stream of a test that runs guests: the whole test is skipped without QEMU."""
    t = Tap()
    if not os.path.exists("/usr/bin/qemu-system-x86_64"):
        t.skip_all("qemu-system-x86_64 is not installed")
    return t


def libvirt_event_thread():
    """python3-libvirt's errors as exceptions only (no printing), and its default event
    loop running on a thread of its own, for the event callbacks."""
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    libvirt.virEventRegisterDefaultImpl()
    threading.Thread(target=event_loop, daemon=True).start()


def wait_for(cond, timeout=WAIT, step=0.05):
    """Poll cond() until it is true or the deadline passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


def file_contains(path, needle):
    try:
        with open(path, errors="replace") as f:
            return needle in f.read()
    except OSError:
        return False


def pid_gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def stopped_with_sigterm_pending(pid):
    """Whether @pid is alive, stopped (SIGSTOP), and a SIGTERM waits for its SIGCONT."""
    try:
        with open(f"/proc/{pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
    except OSError:
        return False
    pending = int(fields["ShdPnd"], 16) | int(fields["SigPnd"], 16)
    return fields["State"].split()[0] == "T" and bool(pending & (1 << (signal.SIGTERM - 1)))


def die_with_parent():
    # a test that dies must not leave its daemon behind (PR_SET_PDEATHSIG)
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)


class Qemud:
    """virtqemud under a temporary root; kill -9 and restart keep the root."""

    def __init__(self, wrapper=(), args=()):
        self.exe = os.environ["VIRTKIT_VIRTQEMUD"]
        self.wrapper = list(wrapper)
        self.args = list(args)
        self.root = tempfile.mkdtemp(prefix="virtkit-qemud-")
        self.sock = os.path.join(self.root, "run", "libvirt", "virtqemud-sock")
        self.uri = f"qemu+unix:///system?socket={self.sock}"
        self.proc = None
        self.reaper = start_reaper(self.root)
        self.start()

    def start(self):
        notify, notify_path = notify_socket(self.root)
        notify.settimeout(WAIT)
        env = dict(os.environ, NOTIFY_SOCKET=notify_path)
        env.pop("G_DEBUG", None)
        log = open(os.path.join(self.root, "virtqemud.log"), "a")
        self.proc = subprocess.Popen([*self.wrapper, self.exe, "--root", self.root, *self.args], env=env,
                                     stdout=log, stderr=subprocess.STDOUT,
                                     preexec_fn=die_with_parent)
        log.close()
        try:
            while "READY=1" not in notify.recv(4096).decode():
                pass
        finally:
            notify.close()

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=WAIT)
        self.proc = None

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def guest_pid(self, name):
        try:
            with open(self.path("run", "qemu", f"{name}.pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return 0

    def log(self):
        try:
            with open(self.path("virtqemud.log")) as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        """SIGTERM the daemon, kill every QEMU of the root, remove the root."""
        self.kill(signal.SIGTERM)
        clean_root(self.root)


def notify_socket(root):
    """A fresh sd_notify socket at @root/notify for a daemon's READY=1: (socket, path)."""
    path = os.path.join(root, "notify")
    if os.path.exists(path):
        os.unlink(path)
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(path)
    return notify, path


def clean_root(root, pid_dir=os.path.join("run", "qemu")):
    """Kill every QEMU whose pid file is in @root/@pid_dir, then remove @root."""
    qemu_dir = os.path.join(root, pid_dir)
    for entry in os.listdir(qemu_dir) if os.path.isdir(qemu_dir) else []:
        if not entry.endswith(".pid"):
            continue
        try:
            with open(os.path.join(qemu_dir, entry)) as f:
                pid = int(f.read().strip())
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError):
            continue
        wait_for(lambda: not os.path.exists(f"/proc/{pid}"))
    if not os.environ.get("VIRTKIT_TEST_KEEP_ROOT"):
        shutil.rmtree(root, ignore_errors=True)


def start_reaper(root, pid_dir=os.path.join("run", "qemu")):
    """A test killed by its timeout runs no finally: a forked reaper waits for the
    test process to end (EOF on a pipe) and then cleans the root and its guests. It
    runs in a session of its own: meson's timeout kills the test's process group.
    Returns the pipe's write end, held open for the test's lifetime."""
    r, w = os.pipe()
    if os.fork() == 0:
        os.setsid()
        os.close(w)
        try:
            os.read(r, 1)
        finally:
            clean_root(root, pid_dir)
            os._exit(0)
    os.close(r)
    return w


class Qmp:
    """QMP straight to a guest's QEMU while no daemon holds its monitor socket (the
    daemon was killed): commands and their replies, events skipped."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(WAIT)
        self.sock.connect(path)
        self.file = self.sock.makefile("rwb", buffering=0)
        self.file.readline()  # greeting
        self.call("qmp_capabilities")

    def call(self, command):
        self.file.write(json.dumps({"execute": command}).encode() + b"\n")
        while True:
            reply = json.loads(self.file.readline())
            if "event" in reply:
                continue
            if "error" in reply:
                raise RuntimeError(f"QMP {command}: {reply['error']}")
            return reply["return"]

    def close(self):
        self.file.close()
        self.sock.close()


def monitor_path(qd, name):
    """The QMP socket of @name's QEMU, from the daemon's status file."""
    with open(qd.path("run", "qemu", f"{name}.xml")) as f:
        return re.search(r"<monitor path='([^']*)'", f.read()).group(1)


def virsh(qd, *args, check=False):
    """Run Debian's virsh on the daemon; returns (rc, stdout, stderr)."""
    p = subprocess.run(["virsh", "-c", qd.uri, *args], capture_output=True, text=True,
                       timeout=WAIT * 2)
    if check and p.returncode != 0:
        raise RuntimeError(f"virsh {' '.join(args)}: {p.stderr}")
    return p.returncode, p.stdout, p.stderr


def diskless_xml(name, extra=""):
    return (f"<domain type='qemu'><name>{name}</name><memory unit='MiB'>64</memory>"
            f"<vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os>{extra}</domain>")


_guest = None


def tiny_guest():
    """(kernel, initrd) of the tiny real guest, built and cached by mkguest.sh."""
    global _guest
    if _guest is None:
        cache = os.environ.get("VIRTKIT_TEST_CACHE") or os.path.join(tempfile.gettempdir(),
                                                                     "virtkit-test-cache")
        out = subprocess.run([os.path.join(HERE, "mkguest.sh"), cache], capture_output=True,
                             text=True, timeout=600, check=True).stdout
        vals = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        _guest = (vals["KERNEL"], vals["INITRD"])
    return _guest


def tiny_xml(name, serial, extra=""):
    kernel, initrd = tiny_guest()
    return (f"<domain type='qemu'><name>{name}</name><memory unit='MiB'>128</memory>"
            f"<os><type arch='x86_64' machine='pc'>hvm</type><kernel>{kernel}</kernel>"
            f"<initrd>{initrd}</initrd><cmdline>console=ttyS0 panic=-1 quiet</cmdline></os>"
            f"<features><acpi/><apic/></features>{extra}<devices>"
            f"<serial type='file'><source path='{serial}'/></serial>"
            f"<memballoon model='none'/></devices></domain>")


def define(qd, xml, name):
    path = qd.path(f"{name}.xml")
    with open(path, "w") as f:
        f.write(xml)
    return virsh(qd, "define", path)


LIFECYCLE = ("DEFINED", "UNDEFINED", "STARTED", "SUSPENDED", "RESUMED", "STOPPED", "SHUTDOWN")


def event_loop():
    while True:
        libvirt.virEventRunDefaultImpl()


class Events:
    """Lifecycle events as "name:EVENT/detail" and reboot events as "name:REBOOT", in
    the order the daemon sent them, for every domain of @conn."""

    def __init__(self, conn):
        self.cond = threading.Condition()
        self.seen = []
        self.conn = conn
        self.cbs = [
            conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                        self.on_lifecycle, None),
            conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_REBOOT,
                                        self.on_reboot, None),
        ]

    def _add(self, text):
        with self.cond:
            self.seen.append(text)
            self.cond.notify_all()

    def on_lifecycle(self, conn, dom, event, detail, opaque):
        self._add(f"{dom.name()}:{LIFECYCLE[event]}/{detail}")

    def on_reboot(self, conn, dom, opaque):
        self._add(f"{dom.name()}:REBOOT")

    def of(self, name):
        with self.cond:
            return [e for e in self.seen if e.startswith(name + ":")]

    def wait(self, count, name=None, timeout=WAIT):
        """The events (of domain @name, or all) once there are @count of them, or at the
        deadline."""
        with self.cond:
            self.cond.wait_for(lambda: len(self._pick(name)) >= count, timeout=timeout)
            return self._pick(name)

    def wait_for(self, event, name, timeout=WAIT):
        """Whether the event @event ("REBOOT", "STOPPED/0", ...) of @name came."""
        want = f"{name}:{event}"
        with self.cond:
            return self.cond.wait_for(lambda: want in self.seen, timeout=timeout)

    def _pick(self, name):
        return list(self.seen) if name is None else [e for e in self.seen
                                                     if e.startswith(name + ":")]

    def close(self):
        for cb in self.cbs:
            self.conn.domainEventDeregisterAny(cb)


def run_daemon_test(body, env=None):
    """A TAP test of a fresh daemon (@env added to its environment): body(t, qd, conn,
    ev) with a connection and its Events; the daemon is stopped even when body fails."""
    t = qemu_tap()
    libvirt_event_thread()
    os.environ.update(env or {})  # the daemon inherits it
    qd = Qemud()
    try:
        conn = libvirt.open(qd.uri)
        ev = Events(conn)
        body(t, qd, conn, ev)
        ev.close()
        conn.close()
    finally:
        qd.stop()
    t.done()


def count_in(path, needle):
    """How often @needle is in the file @path (a guest's serial log)."""
    try:
        with open(path, errors="replace") as f:
            return f.read().count(needle)
    except OSError:
        return 0


def define_tiny(qd, conn, name, extra=""):
    """Define the tiny guest @name with an empty serial log; returns (dom, serial)."""
    serial = qd.path(f"{name}.serial")
    open(serial, "w").close()
    return conn.defineXML(tiny_xml(name, serial, extra)), serial


def wait_ready(serial, count=1, timeout=120):
    """Whether the guest printed its readiness line @count times (boots)."""
    return wait_for(lambda: count_in(serial, "VIRTKIT-GUEST-READY") >= count, timeout=timeout)


def not_busy(func):
    """Call func(); False (to retry) while the domain is busy with a job."""
    try:
        func()
        return True
    except libvirt.libvirtError as e:
        if "busy" not in str(e):
            raise
        return False
