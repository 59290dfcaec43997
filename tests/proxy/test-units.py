# SPDX-License-Identifier: LGPL-2.1-or-later
"""The systemd units (units/) and socket activation of the daemons.

- `systemd-analyze verify` of every generated unit (their ExecStart binaries are
  pointed at stand-ins: verify checks that the command is executable), with no
  warning allowed;
- what the units say: libvirt's socket paths and modes, Type=notify, --timeout;
- socket activation through systemd-socket-activate with named fds (--fdname): the
  daemon serves the first client on the inherited sockets, does not create its own,
  and exits after --timeout once idle;
- re-activation the way systemd does it: the listening sockets stay open in this
  test (as in systemd), the daemon is started when a client is waiting, exits when
  idle, and the next client starts it again on the same sockets.
"""

import configparser
import glob
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "compat"))
from compat import Tap  # noqa: E402

UNITS = os.environ["VIRTKIT_UNITS_DIR"]
SBINDIR = os.environ["VIRTKIT_SBINDIR"]
RUNSTATEDIR = os.environ["VIRTKIT_RUNSTATEDIR"]
PROXYD = os.environ["VIRTKIT_PROXYD"]
FAKE_QEMUD = os.environ["VIRTKIT_TEST_QEMUD"]
VIRTQEMUD = os.environ.get("VIRTKIT_VIRTQEMUD", "")
DAEMONS = {"virtqemud": "virtqemud", "virtxend": "virtxend", "virtlxcd": "virtlxcd",
           "virtbhyved": "virtbhyved", "virtproxyd": "libvirt"}


def read_unit(path):
    p = configparser.ConfigParser(strict=False, interpolation=None)
    p.optionxform = str
    with open(path) as f:
        # repeated keys (Requires=, After=) are fine for systemd, not for configparser
        lines, seen = [], set()
        section = ""
        for line in f:
            s = line.strip()
            if s.startswith("["):
                section = s
            elif "=" in s and not s.startswith("#"):
                key = section + s.split("=", 1)[0]
                if key in seen:
                    continue
                seen.add(key)
            lines.append(line)
    p.read_string("".join(lines))
    return p


def verify_units(tap):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        tap.ok(True, "systemd-analyze verify # SKIP systemd-analyze is not installed")
        return
    with tempfile.TemporaryDirectory(prefix="virtkit-units-") as d:
        sbin = os.path.join(d, "sbin")
        os.mkdir(sbin)
        units = sorted(glob.glob(os.path.join(UNITS, "*.service")) +
                       glob.glob(os.path.join(UNITS, "*.socket")))
        for u in units:
            with open(u) as f:
                text = f.read()
            with open(os.path.join(d, os.path.basename(u)), "w") as f:
                f.write(text.replace(SBINDIR + "/", sbin + "/"))
        for b in ["virtqemud", "virtxend", "virtlxcd", "virtbhyved", "virtremoted"]:
            os.symlink("/bin/true", os.path.join(sbin, b))
        os.symlink(PROXYD, os.path.join(sbin, "proxyd"))
        copies = [os.path.join(d, os.path.basename(u)) for u in units]
        r = subprocess.run([analyze, "verify", "--man=no", *copies], cwd=d,
                           capture_output=True, text=True)
        if r.returncode != 0 and "Failed to" in r.stderr and "verify" not in r.stderr:
            tap.ok(True, f"systemd-analyze verify # SKIP cannot run here: {r.stderr.strip()}")
            return
        tap.ok(r.returncode == 0 and not r.stderr.strip() and len(units) == 22,
               f"systemd-analyze verify of {len(units)} units, no warnings",
               r.stderr + r.stdout)


def check_contents(tap):
    for name, prefix in DAEMONS.items():
        svc = read_unit(os.path.join(UNITS, name + ".service"))
        ok = (svc["Service"]["Type"] == "notify" and
              "--timeout 120" in svc["Service"]["Environment"] and
              svc["Service"]["ExecStart"].startswith(SBINDIR + "/"))
        tap.ok(ok, f"{name}.service: Type=notify, --timeout 120, ExecStart in sbindir")
        if name != "virtproxyd":
            tap.ok(svc["Service"].get("KillMode") == "process",
                   f"{name}.service: guests survive the daemon (KillMode=process)")
        else:
            tap.ok(svc["Service"].get("ProtectSystem") == "strict" and
                   svc["Service"].get("NoNewPrivileges") == "yes" and
                   svc["Service"].get("ProtectHome") == "yes" and
                   svc["Service"].get("PrivateTmp") == "yes",
                   "virtproxyd.service: hardened (ProtectSystem=strict, ProtectHome, PrivateTmp, "
                   "NoNewPrivileges)")
        for suffix, path, mode in [("", "-sock", "0600"), ("-ro", "-sock-ro", "0666"),
                                   ("-admin", "-admin-sock", "0600")]:
            sock = read_unit(os.path.join(UNITS, f"{name}{suffix}.socket"))
            want = f"{RUNSTATEDIR}/libvirt/{prefix}{path}"
            tap.ok(sock["Socket"]["ListenStream"] == want and
                   sock["Socket"]["SocketMode"] == mode and
                   sock["Socket"]["Service"] == name + ".service",
                   f"{name}{suffix}.socket listens on {want} mode {mode}")
    tls = read_unit(os.path.join(UNITS, "virtremoted-tls.socket"))
    tap.ok(tls["Socket"]["ListenStream"] == "16514", "virtremoted-tls.socket on port 16514")


def client(uri, *args):
    return subprocess.Popen(["virsh", "-q", "-c", uri, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(proc, timeout=30):
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return proc.returncode, out, err


def wait_exit(proc, timeout):
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


def kill(proc):
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def socket_activate_tool(tap, root):
    """systemd-socket-activate listens, passes the named fds to proxyd on the first
    connection; proxyd serves it on them and exits when idle."""
    tool = shutil.which("systemd-socket-activate")
    if not tool:
        tap.ok(True, "systemd-socket-activate # SKIP not installed")
        return
    run = os.path.join(root, "run", "libvirt")
    os.makedirs(run)
    paths = [os.path.join(run, n) for n in ["libvirt-sock", "libvirt-sock-ro", "libvirt-admin-sock"]]
    args = [tool]
    for p in paths:
        args += ["-l", p]
    args += ["--fdname=virtproxyd.socket:virtproxyd-ro.socket:virtproxyd-admin.socket",
             PROXYD, "--root", root, "--timeout", "1"]
    env = dict(os.environ)
    env.pop("G_DEBUG", None)
    daemon = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        # the tool creates the sockets before anything runs; wait for them
        sel_deadline = 200
        while not all(os.path.exists(p) for p in paths) and sel_deadline > 0:
            select.select([], [], [], 0.05)
            sel_deadline -= 1
        inodes = [os.stat(p).st_ino for p in paths]
        rc, out, err = finish(client(f"test+unix:///default?socket={paths[0]}", "list", "--all"))
        tap.ok(rc == 0 and "test" in out, "first client activates proxyd on libvirt-sock",
               err)
        rc, out, err = finish(client(f"test+unix:///default?socket={paths[1]}", "domstate",
                                     "test"))
        tap.ok(rc == 0 and "running" in out, "the -ro socket is the inherited read-only one",
               err)
        rc, out, err = finish(client(f"test+unix:///default?socket={paths[1]}", "suspend",
                                     "test"))
        tap.ok(rc != 0 and "read only" in err, "... and refuses writes", err)
        tap.ok([os.stat(p).st_ino for p in paths] == inodes,
               "proxyd used the inherited sockets (none re-created)")
        status = wait_exit(daemon, 30)
        log = daemon.stdout.read()
        tap.ok(status == 0, "proxyd exits after --timeout when idle", log)
        tap.ok("Execing" in log and "unclaimed" not in log and "not one of ours" not in log,
               "every named fd was claimed", log)
    finally:
        kill(daemon)


class Activator:
    """What systemd does for a socket unit: hold the listening sockets, start the
    service when a client waits and the service is not running."""

    def __init__(self, root, name, prefix, exe):
        run = os.path.join(root, "run", "libvirt")
        os.makedirs(run, exist_ok=True)
        self.root, self.name, self.exe = root, name, exe
        self.log = os.path.join(root, f"{name}.log")
        self.paths = [os.path.join(run, f"{prefix}-sock"), os.path.join(run, f"{prefix}-sock-ro"),
                      os.path.join(run, f"{prefix}-admin-sock")]
        self.socks = []
        for p in self.paths:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(p)
            s.listen(16)
            self.socks.append(s)
        self.pid = 0
        self.starts = 0

    def start_on_demand(self, timeout=20):
        """Wait for a client on any socket, then start the daemon with them."""
        r, _, _ = select.select(self.socks, [], [], timeout)
        if not r:
            return False
        env = dict(os.environ, LISTEN_FDS="3",
                   LISTEN_FDNAMES=f"{self.name}.socket:{self.name}-ro.socket:"
                                  f"{self.name}-admin.socket")
        env.pop("G_DEBUG", None)
        argv = [self.exe, "--root", self.root, "--timeout", "1"]
        log = os.open(self.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        high = [os.dup(s.fileno()) for s in self.socks]  # above 3..5 before the dup2s
        pid = os.fork()
        if pid == 0:
            try:
                moved = [os.dup2(fd, 100 + i) for i, fd in enumerate(high)]
                os.dup2(log, 1)
                os.dup2(log, 2)
                for i, fd in enumerate(moved):
                    os.dup2(fd, 3 + i)
                env["LISTEN_PID"] = str(os.getpid())
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        for fd in high + [log]:
            os.close(fd)
        self.pid = pid
        self.starts += 1
        return True

    def wait_exit(self, timeout):
        """The daemon's exit status, or None if it is still running."""
        pidfd = os.pidfd_open(self.pid)
        try:
            r, _, _ = select.select([pidfd], [], [], timeout)
        finally:
            os.close(pidfd)
        if not r:
            return None
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        return os.waitstatus_to_exitcode(status)

    def read_log(self):
        with open(self.log) as f:
            return f.read()

    def close(self):
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        for s in self.socks:
            s.close()


def reactivation(tap, root, name, prefix, exe, uri, expect):
    act = Activator(root, name, prefix, exe)
    try:
        for round_ in (1, 2):
            c = client(uri, "list", "--all")
            started = act.start_on_demand()
            rc, out, err = finish(c)
            tap.ok(started and rc == 0 and expect in out,
                   f"{name}: client {round_} starts it on the held sockets and is served", err)
            status = act.wait_exit(30)
            tap.ok(status == 0, f"{name}: exits after --timeout 1 once idle (round {round_})",
                   act.read_log())
        tap.ok(act.starts == 2, f"{name}: started once per idle period")
    finally:
        act.close()


def main():
    tap = Tap()
    verify_units(tap)
    check_contents(tap)
    with tempfile.TemporaryDirectory(prefix="virtkit-activate-") as root:
        socket_activate_tool(tap, root)
    with tempfile.TemporaryDirectory(prefix="virtkit-activate-") as root:
        reactivation(tap, root, "virtproxyd", "libvirt", PROXYD,
                     f"test+unix:///default?socket={root}/run/libvirt/libvirt-sock", "test")
    with tempfile.TemporaryDirectory(prefix="virtkit-activate-") as root:
        # the real virtqemud where it is built, else the tests-only stand-in
        real = VIRTQEMUD and os.access(VIRTQEMUD, os.X_OK)
        reactivation(tap, root, "virtqemud", "virtqemud", VIRTQEMUD if real else FAKE_QEMUD,
                     f"qemu+unix:///system?socket={root}/run/libvirt/virtqemud-sock",
                     "" if real else "test")
    tap.done()


if __name__ == "__main__":
    main()
