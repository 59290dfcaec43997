# SPDX-License-Identifier: LGPL-2.1-or-later
"""Benchmarks of proxyd through Debian's python3-libvirt; prints numbers, asserts nothing.

Against proxyd serving test:///default (started under a temporary --root with the
compat tests' helper), and, where Debian's libvirtd is installed, the same workload
against libvirtd's test+unix:///default in the same run, with the ratios next to the
issue's targets.

libvirtd runs as a private instance that cannot touch the host: a temporary
libvirtd.conf (unix sockets in a temporary directory, no TCP/TLS, auth none, log to a
temporary file), --pid-file in that directory, and LIBVIRT_DRIVER_DIR pointing at an
empty directory so no hypervisor/network/storage driver module loads (the test driver
is built into libvirt.so). Its idle RSS is therefore lower than a stock libvirtd's.
"""

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "compat"))
import compat  # noqa: E402

N_LATENCY = 5000
N_CLIENTS = 32
N_PER_CLIENT = 300
N_DOMAINS = 1000
N_STARTS = 5
LIBVIRTD = "/usr/sbin/libvirtd"
DEADLINE_S = 20


def say(msg=""):
    print(msg, flush=True)


def wait_accepting(path, proc, deadline_s=DEADLINE_S):
    """Poll connect() on @path until it succeeds; seconds since the call, or None."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return True
        except OSError:
            time.sleep(0.0005)
        finally:
            s.close()
    return False


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


class Libvirtd:
    """A private libvirtd (see the module comment); stopped with SIGTERM."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="virtkit-bench-libvirtd-")
        run = os.path.join(self.root, "run")
        drivers = os.path.join(self.root, "drivers")
        os.mkdir(run, 0o700)
        os.mkdir(drivers, 0o700)
        self.sock = os.path.join(run, "libvirt-sock")
        conf = os.path.join(self.root, "libvirtd.conf")
        with open(conf, "w") as f:
            f.write(f'listen_tls = 0\nlisten_tcp = 0\nunix_sock_dir = "{run}"\n'
                    'unix_sock_rw_perms = "0700"\nunix_sock_ro_perms = "0700"\n'
                    'unix_sock_admin_perms = "0700"\n'
                    'auth_unix_rw = "none"\nauth_unix_ro = "none"\n'
                    f'log_outputs = "3:file:{self.root}/libvirtd.log"\n')
        env = dict(os.environ, LIBVIRT_DRIVER_DIR=drivers)
        self.log = open(os.path.join(self.root, "stderr.log"), "w+")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            [LIBVIRTD, "--config", conf, "--pid-file", os.path.join(self.root, "libvirtd.pid")],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.ok = wait_accepting(self.sock, self.proc)
        self.start_s = time.perf_counter() - t0

    def uri(self):
        return f"test+unix:///default?socket={self.sock}"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=DEADLINE_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.root, ignore_errors=True)


def proxyd_exec_to_accepting(exe):
    """Median seconds from exec to a successful connect() over N_STARTS fresh starts."""
    times = []
    for _ in range(N_STARTS):
        root = tempfile.mkdtemp(prefix="virtkit-bench-start-")
        sock = os.path.join(root, "run", "libvirt", "libvirt-sock")
        env = dict(os.environ)
        env.pop("G_DEBUG", None)
        env.pop("NOTIFY_SOCKET", None)
        t0 = time.perf_counter()
        proc = subprocess.Popen([exe, "--root", root], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ok = wait_accepting(sock, proc)
        dt = time.perf_counter() - t0
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=DEADLINE_S)
        shutil.rmtree(root, ignore_errors=True)
        if ok:
            times.append(dt)
    return statistics.median(times) if times else None


def libvirtd_exec_to_accepting():
    times = []
    for _ in range(N_STARTS):
        d = Libvirtd()
        if d.ok:
            times.append(d.start_s)
        d.stop()
    return statistics.median(times) if times else None


def bench_latency(libvirt, uri):
    conn = libvirt.open(uri)
    for _ in range(200):  # warm up
        conn.lookupByName("test")
    samples = []
    for _ in range(N_LATENCY):
        t0 = time.perf_counter_ns()
        conn.lookupByName("test")
        samples.append(time.perf_counter_ns() - t0)
    conn.close()
    samples.sort()
    return (statistics.fmean(samples) / 1000, samples[len(samples) // 2] / 1000,
            samples[int(len(samples) * 0.99)] / 1000)


def bench_throughput(libvirt, uri):
    conns = [libvirt.open(uri) for _ in range(N_CLIENTS)]
    barrier = threading.Barrier(N_CLIENTS + 1)
    errors = []

    def worker(conn):
        barrier.wait()
        try:
            for _ in range(N_PER_CLIENT):
                conn.lookupByName("test")
        except Exception as e:  # printed, not asserted
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(c,)) for c in conns]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    dt = time.perf_counter() - t0
    for c in conns:
        c.close()
    if errors:
        say(f"#   {len(errors)} clients failed, first: {errors[0]}")
    return N_CLIENTS * N_PER_CLIENT / dt


def bench_domains(conn):
    names = [f"bench-{i:04d}" for i in range(N_DOMAINS)]
    phases = {}
    t0 = time.perf_counter()
    for n in names:
        conn.defineXML(compat.DOMAIN_XML.format(name=n))
    phases["define"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    listed = len(conn.listAllDomains())
    listed += len(conn.listDefinedDomains())
    phases["list"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    doms = [conn.lookupByName(n) for n in names]
    phases["lookup"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for d in doms:
        d.undefine()
    phases["undefine"] = time.perf_counter() - t0
    return phases


def idle_rss(libvirt, uri, pid):
    conn = libvirt.open(uri)
    conn.getHostname()
    conn.close()
    return rss_kib(pid)


def workload(libvirt, name, uri, pid):
    r = {}
    r["rss"] = idle_rss(libvirt, uri, pid)
    say(f"{name}: idle RSS after connect+disconnect: {r['rss'] / 1024:.1f} MiB")
    r["lat"] = bench_latency(libvirt, uri)
    say(f"{name}: lookupByName latency, N={N_LATENCY}: mean {r['lat'][0]:.1f} µs, "
        f"p50 {r['lat'][1]:.1f} µs, p99 {r['lat'][2]:.1f} µs")
    r["tput"] = bench_throughput(libvirt, uri)
    say(f"{name}: {N_CLIENTS} clients x {N_PER_CLIENT} lookupByName: {r['tput']:.0f} calls/s")
    conn = libvirt.open(uri)
    r["dom"] = bench_domains(conn)
    conn.close()
    say(f"{name}: {N_DOMAINS} domains: " +
        ", ".join(f"{k} {v:.3f} s" for k, v in r["dom"].items()))
    say(f"{name}: RSS after the workload: {rss_kib(pid) / 1024:.1f} MiB")
    return r


def ratios(p, l):
    say()
    say("proxyd / libvirtd (targets from issue 3, printed, not asserted):")
    say(f"  latency mean  {p['lat'][0] / l['lat'][0]:.2f}x   (target <= 0.50)")
    say(f"  latency p50   {p['lat'][1] / l['lat'][1]:.2f}x   (target <= 0.50)")
    say(f"  throughput    {p['tput'] / l['tput']:.2f}x   (target >= 2.00)")
    say(f"  idle RSS      {p['rss'] / l['rss']:.2f}x   (target <= 0.50; libvirtd runs "
        "without driver modules here)")
    for k in p["dom"]:
        say(f"  {k:<12}  {p['dom'][k] / l['dom'][k]:.2f}x")
    if p.get("start") and l.get("start"):
        say(f"  exec-to-accepting {p['start'] / l['start']:.2f}x")


def main():
    try:
        import libvirt
    except ImportError:
        say("SKIP: python3-libvirt is not installed")
        return 77
    libvirt.registerErrorHandler(lambda *_: None, None)
    exe = compat.proxyd_exe()

    say(f"proxyd: {exe}")
    start = proxyd_exec_to_accepting(exe)
    say(f"proxyd: exec to accepting, median of {N_STARTS}: "
        f"{start * 1000:.1f} ms" if start else "proxyd: never accepted")
    pd = compat.Proxyd(exe)
    try:
        p = workload(libvirt, "proxyd", pd.uri(), pd.proc.pid)
        p["start"] = start
    finally:
        pd.stop()

    say()
    if not os.access(LIBVIRTD, os.X_OK):
        say(f"libvirtd: {LIBVIRTD} is not installed, no comparison")
        return 0
    if os.geteuid() != 0:
        say("libvirtd: not root, no comparison")
        return 0
    lstart = libvirtd_exec_to_accepting()
    say(f"libvirtd: exec to accepting, median of {N_STARTS}: "
        f"{lstart * 1000:.1f} ms" if lstart else "libvirtd: never accepted")
    d = Libvirtd()
    try:
        if not d.ok:
            say("libvirtd: did not start, no comparison")
            return 0
        l = workload(libvirt, "libvirtd", d.uri(), d.proc.pid)
        l["start"] = lstart
    finally:
        d.stop()
    ratios(p, l)
    return 0


if __name__ == "__main__":
    sys.exit(main())
