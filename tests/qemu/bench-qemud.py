# SPDX-License-Identifier: LGPL-2.1-or-later
"""Benchmarks of virtqemud (issue 5); prints numbers, asserts nothing.

Through Debian's python3-libvirt, against virtqemud from the build directory under a
temporary --root (qemud.Qemud), against bare QEMU, and side by side with a private
libvirtd 9.0 (qemu driver) in the same run:

- start-to-running and destroy of a disk-less TCG guest (N_STARTS runs each);
  bare QEMU gets the very argv and environment virtqemud's builder produced (read back
  from /proc of a guest it started), its QMP listening socket handed over as fd 3 the
  way the launcher does it, and is timed from posix_spawn to qmp_capabilities answered
  (spawn-to-ready) and to `cont` answered (spawn-to-running);
- N_DOMAINS defines and undefines, the daemon's RSS with them defined and with
  N_RUNNING guests running;
- the capability probe through the daemon: the first domcapabilities on an empty cache
  (cold) and after a daemon restart (cached).

The phases alternate between the daemons (and bare QEMU), so that load from elsewhere
on the machine hits all alike; compare ratios from one run only.

The private libvirtd must not touch the host: it runs as root in a mount namespace of
its own (unshare --mount) in which /run, /var, /etc/libvirt, /etc/passwd and
/etc/group are bind mounts of a temporary directory. Its qemu.conf turns off what
would reach outside it: no security driver (no AppArmor profiles loaded into the host's
kernel), no cgroup controllers (nothing made in the host's cgroupfs), QEMU's stdio to a
file (no virtlogd), QEMU as root (Debian's libvirt-qemu user exists only in the
namespace's passwd). LIBVIRT_DRIVER_DIR holds only the qemu driver module.
"""

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import libvirt

import qemud

N_STARTS = 10
N_DOMAINS = 1000
N_CHUNK = 100  # defines/undefines alternate between the daemons in chunks
N_RUNNING = 5
N_CAPS = 3
LIBVIRTD = "/usr/sbin/libvirtd"
QEMU_DRIVER = "/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so"
WAIT = 60.0


def say(msg=""):
    print(msg, flush=True)


def ms(seconds):
    return seconds * 1000.0


def summary(samples):
    """'median X ms (min A, max B)' of @samples (seconds)."""
    return (f"median {ms(statistics.median(samples)):7.1f} ms "
            f"(min {ms(min(samples)):6.1f}, max {ms(max(samples)):7.1f})")


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024.0


def timed(func, *args):
    t0 = time.perf_counter()
    func(*args)
    return time.perf_counter() - t0


def notify_wait(notify, proc):
    """Block until the daemon sends READY=1 on @notify; False when it exits first."""
    notify.settimeout(0.5)
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if "READY=1" in notify.recv(4096).decode():
                return True
        except socket.timeout:
            pass
    return False


# ---- bare QEMU ----------------------------------------------------------------------


class BareQemu:
    """The argv and environment virtqemud gave a guest's QEMU, run without a daemon."""

    def __init__(self, qd, name, workdir):
        pid = qd.guest_pid(name)
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().decode().split("\0")[:-1]
        with open(f"/proc/{pid}/environ", "rb") as f:
            env = f.read().decode().split("\0")[:-1]
        self.env = dict(e.split("=", 1) for e in env)
        self.pidfile = os.path.join(workdir, "bare.pid")
        self.sock = os.path.join(workdir, "bare.sock")
        self.log = os.path.join(workdir, "bare.log")
        i = argv.index("-pidfile")
        argv[i + 1] = self.pidfile
        self.argv = argv
        self.ready = []
        self.running = []
        self.destroy = []

    def command_line(self):
        return " ".join(self.argv)

    def run_once(self):
        """Spawn (QMP socket as fd 3, as the launcher hands it over), negotiate, cont,
        then SIGTERM and reap; records the three times."""
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        listener.bind(self.sock)
        listener.listen(1)
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.connect(self.sock)  # waits in the backlog until QEMU accepts
        spare = os.dup(listener.fileno())  # never fd 3 itself: dup2(3, 3) keeps CLOEXEC
        log = os.open(self.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        actions = [(os.POSIX_SPAWN_DUP2, spare, 3), (os.POSIX_SPAWN_DUP2, log, 1),
                   (os.POSIX_SPAWN_DUP2, log, 2)]
        t0 = time.perf_counter()
        pid = os.posix_spawn(self.argv[0], self.argv, self.env, file_actions=actions,
                             setsid=True)
        os.close(spare)
        os.close(log)
        listener.close()
        try:
            qmp = client.makefile("rwb", buffering=0)
            qmp.readline()  # greeting
            self._call(qmp, b'{"execute":"qmp_capabilities"}\n')
            t1 = time.perf_counter()
            self._call(qmp, b'{"execute":"cont"}\n')
            t2 = time.perf_counter()
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
            t3 = time.perf_counter()
        except BaseException:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise
        finally:
            client.close()
        self.ready.append(t1 - t0)
        self.running.append(t2 - t0)
        self.destroy.append(t3 - t2)

    @staticmethod
    def _call(qmp, line):
        qmp.write(line)
        while True:
            reply = qmp.readline()
            if not reply:
                raise RuntimeError("QEMU closed its monitor")
            if b'"return"' in reply or b'"error"' in reply:
                return reply


# ---- a private libvirtd -------------------------------------------------------------


LIBVIRTD_CONF = """listen_tls = 0
listen_tcp = 0
unix_sock_rw_perms = "0700"
unix_sock_ro_perms = "0700"
unix_sock_admin_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
"""

QEMU_CONF = """security_driver = "none"
cgroup_controllers = [ ]
stdio_handler = "file"
user = "root"
group = "root"
"""

# Runs in the new mount namespace: bind the private tree over the host's paths, exec.
NAMESPACE_SETUP = """set -e
R="$1"
mount --make-rprivate /
mount --bind "$R/etc" /etc/libvirt
mount --bind "$R/passwd" /etc/passwd
mount --bind "$R/group" /etc/group
mount --bind "$R/run" /run
mount --bind "$R/var" /var
mkdir -p /var/lib/libvirt /var/cache/libvirt /var/log/libvirt /run/libvirt
[ -e /var/run ] || ln -s /run /var/run
exec /usr/sbin/libvirtd --config /etc/libvirt/libvirtd.conf
"""


def libvirtd_unavailable():
    """Why a private libvirtd with the qemu driver cannot run here, or None."""
    if not os.path.exists(LIBVIRTD):
        return f"{LIBVIRTD} is not installed (Debian package libvirt-daemon)"
    if not os.path.exists(QEMU_DRIVER):
        return f"{QEMU_DRIVER} is missing (Debian package libvirt-daemon-driver-qemu)"
    if os.geteuid() != 0:
        return "its private mount namespace needs root"
    if not shutil.which("unshare"):
        return "unshare(1) is missing"
    return None


class Libvirtd:
    """libvirtd 9.0 with only its qemu driver, in a mount namespace of its own (see the
    module comment). Keeps its tree over a restart (for the cached probe)."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="virtkit-bench-libvirtd-")
        for d in ("etc", "run", "var", "drivers"):
            os.mkdir(os.path.join(self.root, d), 0o700)
        os.symlink(QEMU_DRIVER, os.path.join(self.root, "drivers", os.path.basename(QEMU_DRIVER)))
        self._write("etc/libvirtd.conf", LIBVIRTD_CONF)
        self._write("etc/qemu.conf", QEMU_CONF)
        self._write("setup.sh", NAMESPACE_SETUP)
        with open("/etc/passwd") as f:
            passwd = f.read()
        with open("/etc/group") as f:
            group = f.read()
        # libvirt resolves its built-in default user before it reads qemu.conf
        if "\nlibvirt-qemu:" not in "\n" + passwd:
            passwd += "libvirt-qemu:x:64055:64055::/var/lib/libvirt:/usr/sbin/nologin\n"
        if "\nlibvirt-qemu:" not in "\n" + group:
            group += "libvirt-qemu:x:64055:\n"
        if "\nkvm:" not in "\n" + group:
            group += "kvm:x:64056:\n"
        self._write("passwd", passwd)
        self._write("group", group)
        self.sock = os.path.join(self.root, "run", "libvirt", "libvirt-sock")
        self.uri = f"qemu+unix:///system?socket={self.sock}"
        self.reaper = qemud.start_reaper(self.root, os.path.join("run", "libvirt", "qemu"))
        self.proc = None
        self.error = None
        self.start()

    def _write(self, rel, text):
        with open(os.path.join(self.root, rel), "w") as f:
            f.write(text)

    def start(self):
        notify, notify_path = qemud.notify_socket(self.root)
        env = dict(os.environ, NOTIFY_SOCKET=notify_path,
                   LIBVIRT_DRIVER_DIR=os.path.join(self.root, "drivers"))
        env.pop("G_DEBUG", None)  # the tests' fatal-warnings is not for libvirtd
        with open(os.path.join(self.root, "stderr.log"), "a") as log:
            self.proc = subprocess.Popen(
                ["unshare", "--mount", "sh", os.path.join(self.root, "setup.sh"), self.root],
                env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=qemud.die_with_parent)
        try:
            ok = notify_wait(notify, self.proc)
        finally:
            notify.close()
        if not ok:
            self.error = "libvirtd did not start: " + self.log_tail()
        return ok

    def log_tail(self):
        text = ""
        for rel in ("stderr.log", "var/log/libvirt/libvirtd.log"):
            try:
                with open(os.path.join(self.root, rel), errors="replace") as f:
                    text += f.read()
            except OSError:
                pass
        lines = [line for line in text.splitlines() if "error" in line] or text.splitlines()
        return " | ".join(lines[-3:]) or "(no log)"

    @property
    def pid(self):
        return self.proc.pid  # sh and unshare exec: this is libvirtd itself

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def remove(self):
        self.stop()
        qemud.clean_root(self.root, os.path.join("run", "libvirt", "qemu"))
        os.close(self.reaper)


# ---- the phases ---------------------------------------------------------------------


class Target:
    """A daemon under test and its samples."""

    def __init__(self, name, uri, pid):
        self.name = name
        self.conn = libvirt.open(uri)
        self.pid = pid
        self.start = []
        self.destroy = []
        self.r = {}


def start_destroy_once(t, dom):
    t.start.append(timed(dom.createWithFlags, 0))
    t.destroy.append(timed(dom.destroy))


def bench_start_destroy(targets, bare):
    doms = [t.conn.defineXML(qemud.diskless_xml("bench-start")) for t in targets]
    for t, d in zip(targets, doms):  # warm up (caps loaded, files created)
        d.createWithFlags(0)
        d.destroy()
    for i in range(N_STARTS):
        order = [lambda: bare.run_once()]
        order += [lambda t=t, d=d: start_destroy_once(t, d) for t, d in zip(targets, doms)]
        for step in order[i % len(order):] + order[:i % len(order)]:
            step()
    for d in doms:
        d.undefine()
    say(f"start-to-running and destroy, disk-less TCG guest, {N_STARTS} runs:")
    say(f"  bare QEMU spawn -> QMP ready          {summary(bare.ready)}")
    say(f"  bare QEMU spawn -> running (cont)     {summary(bare.running)}")
    for t in targets:
        say(f"  {t.name:10} createWithFlags          {summary(t.start)}")
    say(f"  bare QEMU SIGTERM -> reaped           {summary(bare.destroy)}")
    for t in targets:
        say(f"  {t.name:10} destroy                  {summary(t.destroy)}")
    vq = targets[0]
    gap = statistics.median(vq.start) - statistics.median(bare.ready)
    say(f"  virtqemud start - bare spawn-to-ready: {ms(gap):+.1f} ms (target <= +50 ms); "
        f"- bare spawn-to-running: "
        f"{ms(statistics.median(vq.start) - statistics.median(bare.running)):+.1f} ms")
    for t in targets[1:]:
        say(f"  virtqemud / {t.name}: start "
            f"{statistics.median(vq.start) / statistics.median(t.start):.2f}x, destroy "
            f"{statistics.median(vq.destroy) / statistics.median(t.destroy):.2f}x")


def in_chunks(targets, names, op):
    """Run op(target, name) over @names on every target, alternating in chunks;
    returns the seconds per target."""
    spent = [0.0 for _ in targets]
    for c in range(0, len(names), N_CHUNK):
        for k, t in enumerate(targets):
            t0 = time.perf_counter()
            for n in names[c:c + N_CHUNK]:
                op(t, n)
            spent[k] += time.perf_counter() - t0
    return spent


def bench_many(targets):
    names = [f"bench-{i:04d}" for i in range(N_DOMAINS)]
    xml = {n: qemud.diskless_xml(n) for n in names}
    rss0 = [rss_mib(t.pid) for t in targets]
    defs = in_chunks(targets, names, lambda t, n: t.conn.defineXML(xml[n]))
    rss = [rss_mib(t.pid) for t in targets]
    undefs = in_chunks(targets, names, lambda t, n: t.conn.lookupByName(n).undefine())
    say(f"{N_DOMAINS} defines, then {N_DOMAINS} undefines (lookupByName + undefine):")
    for t, d, u, r0, r in zip(targets, defs, undefs, rss0, rss):
        say(f"  {t.name:10} define {d:6.2f} s ({ms(d) / N_DOMAINS:5.2f} ms each), "
            f"undefine {u:6.2f} s ({ms(u) / N_DOMAINS:5.2f} ms each); "
            f"RSS {r0:5.1f} MiB idle, {r:5.1f} MiB with {N_DOMAINS} defined")
        t.r["rss_defined"] = r
        t.r["define"] = d
    for t in targets[1:]:
        vq = targets[0]
        say(f"  virtqemud / {t.name}: define {vq.r['define'] / t.r['define']:.2f}x, "
            f"RSS with {N_DOMAINS} defined {vq.r['rss_defined'] / t.r['rss_defined']:.2f}x")


def bench_running(targets):
    say(f"RSS with {N_RUNNING} disk-less guests running:")
    for t in targets:
        doms = [t.conn.createXML(qemud.diskless_xml(f"bench-run-{i}"), 0)
                for i in range(N_RUNNING)]
        t.r["rss_running"] = rss_mib(t.pid)
        for d in doms:
            d.destroy()
        say(f"  {t.name:10} {t.r['rss_running']:5.1f} MiB")
    for t in targets[1:]:
        say(f"  virtqemud / {t.name}: "
            f"{targets[0].r['rss_running'] / t.r['rss_running']:.2f}x")


def domcaps_time(uri):
    conn = libvirt.open(uri)
    try:
        return timed(conn.getDomainCapabilities, None, "x86_64", None, "qemu", 0)
    finally:
        conn.close()


def caps_virtqemud():
    cold, cached = [], []
    for _ in range(N_CAPS):
        qd = qemud.Qemud()
        try:
            cold.append(domcaps_time(qd.uri))
            qd.kill(signal.SIGTERM)
            qd.start()
            cached.append(domcaps_time(qd.uri))
        finally:
            qd.stop()
    return cold, cached


def caps_libvirtd():
    cold, cached = [], []
    for _ in range(N_CAPS):
        lv = Libvirtd()
        try:
            if lv.error:
                return None, lv.error
            cold.append(domcaps_time(lv.uri))
            lv.stop()
            if not lv.start():
                return None, lv.error
            cached.append(domcaps_time(lv.uri))
        finally:
            lv.remove()
    return cold, cached


def bench_caps(with_libvirtd):
    say(f"capability probe through the daemon: first domcapabilities (x86_64, qemu), "
        f"{N_CAPS} runs:")
    vq_cold, vq_cached = caps_virtqemud()
    say(f"  virtqemud  cold (empty cache)   {summary(vq_cold)} (target < 1000 ms)")
    say(f"  virtqemud  cached (restarted)   {summary(vq_cached)}")
    if not with_libvirtd:
        return
    lv_cold, lv_cached = caps_libvirtd()
    if lv_cold is None:
        say(f"  libvirtd   not measured: {lv_cached}")
        return
    say(f"  libvirtd   cold (empty cache)   {summary(lv_cold)}")
    say(f"  libvirtd   cached (restarted)   {summary(lv_cached)}")
    say(f"  virtqemud / libvirtd: cold "
        f"{statistics.median(vq_cold) / statistics.median(lv_cold):.2f}x, cached "
        f"{statistics.median(vq_cached) / statistics.median(lv_cached):.2f}x")


def main():
    libvirt.registerErrorHandler(lambda *a: None, None)
    if not shutil.which("qemu-system-x86_64"):
        say("qemu-system-x86_64 is not installed: nothing to measure")
        return 0
    why_not = libvirtd_unavailable()
    t_begin = time.monotonic()
    say(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
    qd = qemud.Qemud()
    lv = None if why_not else Libvirtd()
    if lv and lv.error:
        why_not = lv.error
        lv.remove()
        lv = None
    if why_not:
        say(f"libvirtd side by side: not run: {why_not}")
    workdir = tempfile.mkdtemp(prefix="virtkit-bench-bare-")
    try:
        targets = [Target("virtqemud", qd.uri, qd.proc.pid)]
        if lv:
            targets.append(Target("libvirtd", lv.uri, lv.pid))
        probe = targets[0].conn.createXML(qemud.diskless_xml("bench-argv"), 0)
        bare = BareQemu(qd, "bench-argv", workdir)
        probe.destroy()
        say("bare QEMU runs virtqemud's command line: " + bare.command_line())
        bench_start_destroy(targets, bare)
        bench_many(targets)
        bench_running(targets)
        for t in targets:
            t.conn.close()
    finally:
        qd.stop()
        if lv:
            lv.remove()
        shutil.rmtree(workdir, ignore_errors=True)
    bench_caps(lv is not None)
    say(f"load average at end: {os.getloadavg()[0]:.1f}; "
        f"{time.monotonic() - t_begin:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
