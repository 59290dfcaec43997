# SPDX-License-Identifier: LGPL-2.1-or-later
"""virtqemud isolated in its own mount, PID, IPC and UTS namespaces (tools/run-isolated.sh),
proxyd on the host routing Debian's real virsh to it through libvirt-sock.

Checks: the daemon really is in other namespaces and sees only what it was given; real
virsh through proxyd defines and starts a guest; restarting proxyd disturbs neither the
guest nor the daemon; stopping the isolated daemon takes its namespace down.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "compat"))
from compat import Tap  # noqa: E402

VIRSH = shutil.which("virsh") or "/usr/bin/virsh"
GUEST_XML = """<domain type='qemu'>
  <name>iso1</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
</domain>
"""


class Notified:
    """A daemon (argv) whose sd_notify READY=1 we wait for; NOTIFY_SOCKET lives under
    @root so it is reachable from inside the isolated file system too."""

    def __init__(self, argv, root, name):
        self.log = open(os.path.join(root, name + ".log"), "w+")
        path = os.path.join(root, name + ".notify")
        if os.path.exists(path):
            os.unlink(path)
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(path)
        notify.settimeout(60)
        env = dict(os.environ, NOTIFY_SOCKET=path)
        env.pop("G_DEBUG", None)
        self.proc = subprocess.Popen(argv, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        try:
            while "READY=1" not in notify.recv(4096).decode():
                pass
        finally:
            notify.close()

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.seek(0)
        return self.proc.returncode, self.log.read()


def virsh(uri, *args):
    return subprocess.run([VIRSH, "-c", uri, *args], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, LC_ALL="C"))


def descendants(pid):
    """@pid and every process below it, as the kernel lists children."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:  # it exited meanwhile
            pass
    return found


def isolated_pids(supervisor):
    """The processes of the PID namespace that the run-isolated.sh process @supervisor
    created: below it, in a PID namespace other than ours. Only this test's own tree is
    looked at, so daemons of tests running beside it cannot be mistaken for ours."""
    own = ns(os.getpid(), "pid")
    pids = []
    for pid in descendants(supervisor):
        try:
            if ns(pid, "pid") != own:
                pids.append(pid)
        except OSError:
            pass
    return pids


def pids_of(exe_path, candidates):
    """The pids among @candidates whose executable is @exe_path."""
    found = []
    for pid in candidates:
        try:
            if os.readlink(f"/proc/{pid}/exe") == exe_path:
                found.append(pid)
        except OSError:
            pass
    return found


def ppid(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def describe(pids):
    """pid, parent and executable of each of @pids, for a failure's diagnostics."""
    out = []
    for pid in pids:
        try:
            out.append(f"{pid} (parent {ppid(pid)}): {os.readlink(f'/proc/{pid}/exe')}")
        except OSError:
            out.append(f"{pid}: gone")
    return "\n".join(out)


def top_level(pids):
    """@pids without those whose parent is among them: a daemon that has just forked (to
    exec a capability probe's QEMU, say) shows its child with the daemon's executable
    until the exec, which is not a second daemon."""
    out = []
    for pid in pids:
        try:
            if ppid(pid) not in pids:
                out.append(pid)
        except OSError:  # a child that exec'd or exited meanwhile
            pass
    return out


def ns(pid, kind):
    return os.readlink(f"/proc/{pid}/ns/{kind}")


def wait_gone(pid, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not os.path.exists(f"/proc/{pid}"):
            return True
        time.sleep(0.05)
    return False


def main():
    tap = Tap()
    qemud = os.environ.get("VIRTKIT_VIRTQEMUD")
    proxyd = os.environ.get("VIRTKIT_PROXYD")
    script = os.environ.get("VIRTKIT_RUN_ISOLATED")
    if os.geteuid() != 0:
        tap.skip_all("needs root to create namespaces")
    if not shutil.which("qemu-system-x86_64"):
        tap.skip_all("qemu-system-x86_64 is not installed")
    if not os.path.exists(VIRSH):
        tap.skip_all("virsh is not installed")
    build = os.path.dirname(os.path.dirname(qemud))
    root = tempfile.mkdtemp(prefix="virtkit-isolated-")
    uri = f"qemu+unix:///system?socket={root}/run/libvirt/libvirt-sock"
    iso = px = None
    try:
        iso = Notified([script, "--root", root, "--share", build, "--", qemud], root, "virtqemud")
        inside = isolated_pids(iso.proc.pid)
        qemud_pids = top_level(pids_of(os.path.realpath(qemud), inside))
        tap.ok(len(qemud_pids) == 1, "one virtqemud runs", describe(inside))
        qpid = qemud_pids[0]
        for kind in ("mnt", "pid", "ipc", "uts"):
            tap.ok(ns(qpid, kind) != ns(os.getpid(), kind), f"virtqemud has its own {kind} namespace")
        tap.ok(ns(qpid, "net") == ns(os.getpid(), "net"), "virtqemud shares the host network namespace")
        with open(f"/proc/{qpid}/status") as f:
            nspid = [line.split()[-1] for line in f if line.startswith("NSpid:")]
        tap.ok(nspid and nspid[0] != "1", "virtqemud is not PID 1 of its namespace (a supervisor is)", nspid)
        # its view of the file system: /usr yes, the host's /work or /home no
        inner_root = f"/proc/{qpid}/root"
        tap.ok(os.path.isdir(inner_root + "/usr/bin"), "the daemon sees /usr")
        tap.ok(not os.path.exists(inner_root + "/home") and not os.path.exists(inner_root + "/var"),
               "the daemon does not see the host's /home or /var")
        tap.ok(os.path.isdir(inner_root + root), "the daemon sees its --root")

        px = Notified([proxyd, "--root", root], root, "proxyd")
        r = virsh(uri, "version")
        tap.ok(r.returncode == 0 and "Running hypervisor: QEMU" in r.stdout,
               "virsh through proxyd reaches the isolated virtqemud", r.stdout + r.stderr)
        xml = os.path.join(root, "iso1.xml")
        with open(xml, "w") as f:
            f.write(GUEST_XML)
        r = virsh(uri, "define", xml)
        tap.ok(r.returncode == 0, "virsh define through proxyd", r.stdout + r.stderr)
        r = virsh(uri, "start", "iso1")
        tap.ok(r.returncode == 0, "virsh start through proxyd", r.stdout + r.stderr)
        r = virsh(uri, "domstate", "iso1")
        tap.ok(r.stdout.strip() == "running", "guest is running", r.stdout + r.stderr)
        qemu_pids = [p for p in pids_of(os.path.realpath(shutil.which("qemu-system-x86_64")),
                                        isolated_pids(iso.proc.pid))
                     if b"guest=iso1" in open(f"/proc/{p}/cmdline", "rb").read()]
        tap.ok(len(qemu_pids) == 1 and ns(qemu_pids[0], "pid") == ns(qpid, "pid")
               and ns(qemu_pids[0], "mnt") == ns(qpid, "mnt"),
               "the guest's QEMU runs inside the daemon's namespaces", qemu_pids)

        rc, log = px.stop()
        tap.ok(rc == 0, "proxyd stops cleanly", log)
        px = Notified([proxyd, "--root", root], root, "proxyd")
        tap.ok(iso.proc.poll() is None and os.path.exists(f"/proc/{qpid}"),
               "restarting proxyd leaves virtqemud running")
        tap.ok(all(os.path.exists(f"/proc/{p}") for p in qemu_pids),
               "restarting proxyd leaves the guest's QEMU running")
        r = virsh(uri, "domstate", "iso1")
        tap.ok(r.stdout.strip() == "running", "after proxyd's restart virsh still sees the guest running",
               r.stdout + r.stderr)
        r = virsh(uri, "destroy", "iso1")
        tap.ok(r.returncode == 0, "virsh destroy through the new proxyd", r.stdout + r.stderr)
        tap.ok(all(wait_gone(p) for p in qemu_pids), "the guest's QEMU is gone after destroy")
        r = virsh(uri, "undefine", "iso1")
        tap.ok(r.returncode == 0, "virsh undefine", r.stdout + r.stderr)

        rc, log = iso.stop()
        iso = None
        tap.ok(rc == 0, "the isolated daemon stops cleanly on SIGTERM", log)
        tap.ok(wait_gone(qpid), "virtqemud is gone with its namespace")
    finally:
        for d in (px, iso):
            if d is not None:
                d.stop()
        shutil.rmtree(root, ignore_errors=True)
    tap.done()


if __name__ == "__main__":
    main()
