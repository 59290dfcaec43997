# SPDX-License-Identifier: LGPL-2.1-or-later
"""Benchmarks of proxyd through Debian's python3-libvirt; prints numbers, asserts nothing.

Against proxyd serving test:///default (started under a temporary --root with the
compat tests' helper), and, where Debian's libvirtd is installed, the same workload
against libvirtd's test+unix:///default in the same run, with the ratios next to the
issue's targets. Both daemons run at once and the phases alternate between them
(latency in rounds of N_LATENCY/N_ROUNDS calls), so a busy machine loads both alike.
Throughput is measured with 32 client processes, one connection each (independent
clients, what issue 3 asks about), and with 32 threads of this one process (bound by
the client's GIL; kept for comparison with earlier runs).
bench-libclient ($VIRTKIT_BENCH_LIBCLIENT) measures both through libclient too.

libvirtd runs as a private instance that cannot touch the host: a temporary
libvirtd.conf (unix sockets in a temporary directory, no TCP/TLS, auth none, log to a
temporary file), --pid-file in that directory, and LIBVIRT_DRIVER_DIR pointing at an
empty directory so no hypervisor/network/storage driver module loads (the test driver
is built into libvirt.so). Its idle RSS is therefore lower than a stock libvirtd's.
"""

import glob
import multiprocessing
import os
import re
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
N_ROUNDS = 10  # latency rounds, alternating between the daemons
N_TPUT_ROUNDS = 5
N_LC_ROUNDS = 2
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


def cpu_ns(pid):
    """CPU time the live threads of @pid have used (schedstat, ns)."""
    total = 0
    for path in glob.glob(f"/proc/{pid}/task/*/schedstat"):
        try:
            with open(path) as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass  # the thread went away
    return total


class Target:
    """A daemon under test: its URI, its pid and what was measured on it."""

    def __init__(self, name, uri, pid):
        self.name = name
        self.uri = uri
        self.pid = pid
        self.r = {}


def bench_latency(libvirt, targets):
    """lookupByName N_LATENCY times on each target, in rounds that alternate between
    the targets, so that both see the same machine load; also the daemon's CPU time
    per call (its live threads' schedstat)."""
    conns = [libvirt.open(t.uri) for t in targets]
    samples = [[] for _ in targets]
    cpu = [0 for _ in targets]
    per_round = N_LATENCY // N_ROUNDS
    for c in conns:
        for _ in range(200):  # warm up
            c.lookupByName("test")
    for r in range(N_ROUNDS):
        order = range(len(targets)) if r % 2 == 0 else reversed(range(len(targets)))
        for i in order:
            c, s = conns[i], samples[i]
            c0 = cpu_ns(targets[i].pid)
            for _ in range(per_round):
                t0 = time.perf_counter_ns()
                c.lookupByName("test")
                s.append(time.perf_counter_ns() - t0)
            cpu[i] += cpu_ns(targets[i].pid) - c0
    for t, c, s, used in zip(targets, conns, samples, cpu):
        c.close()
        s.sort()
        t.r["lat"] = (statistics.fmean(s) / 1000, s[len(s) // 2] / 1000,
                      s[int(len(s) * 0.99)] / 1000)
        t.r["cpu"] = used / len(s) / 1000
        say(f"{t.name}: lookupByName latency, N={len(s)}: mean {t.r['lat'][0]:.1f} µs, "
            f"p50 {t.r['lat'][1]:.1f} µs, p99 {t.r['lat'][2]:.1f} µs; "
            f"daemon CPU {t.r['cpu']:.1f} µs/call")


def bench_throughput_threads(libvirt, uri):
    """N_CLIENTS threads of this process, one connection each. Returns calls/s and
    the clients' CPU time per call (µs, summed over their threads)."""
    conns = [libvirt.open(uri) for _ in range(N_CLIENTS)]
    barrier = threading.Barrier(N_CLIENTS + 1)
    errors = []
    cpu = []

    def worker(conn):
        barrier.wait()
        t0 = time.thread_time()
        try:
            for _ in range(N_PER_CLIENT):
                conn.lookupByName("test")
        except libvirt.libvirtError as e:  # printed, not asserted
            errors.append(e)
        cpu.append(time.thread_time() - t0)

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
    return N_CLIENTS * N_PER_CLIENT / dt, sum(cpu) / (N_CLIENTS * N_PER_CLIENT) * 1e6


def process_client(libvirt, uri, barrier, results):
    """One client process: connect, wait at the start line, call, report its end time
    (perf_counter is CLOCK_MONOTONIC, the same clock in every process) and CPU time."""
    try:
        conn = libvirt.open(uri)
    except libvirt.libvirtError as e:
        barrier.abort()
        results.put((None, 0.0, str(e)))
        return
    error = None
    cpu = 0.0
    try:
        barrier.wait(timeout=DEADLINE_S)
        cpu = time.process_time()
        for _ in range(N_PER_CLIENT):
            conn.lookupByName("test")
        cpu = time.process_time() - cpu
    except (libvirt.libvirtError, threading.BrokenBarrierError) as e:  # printed, not asserted
        error = str(e) or "another client could not connect"
    results.put((time.perf_counter(), cpu, error))
    conn.close()


def bench_throughput_processes(libvirt, uri):
    """N_CLIENTS client processes, one connection each: calls/s from the moment all
    are connected to the last one's last reply, and their CPU time per call (µs).
    Forked with no connection open; each opens its own after the fork."""
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(N_CLIENTS + 1)
    results = ctx.SimpleQueue()
    procs = [ctx.Process(target=process_client, args=(libvirt, uri, barrier, results))
             for _ in range(N_CLIENTS)]
    for p in procs:
        p.start()
    try:
        barrier.wait(timeout=DEADLINE_S)
    except threading.BrokenBarrierError:
        pass  # a client could not connect: its error comes back below
    t0 = time.perf_counter()
    got = [results.get() for _ in procs]
    for p in procs:
        p.join()
    errors = [e for _, _, e in got if e]
    if errors:
        say(f"#   {len(errors)} clients failed, first: {errors[0]}")
        return 0.0, 0.0
    n = N_CLIENTS * N_PER_CLIENT
    return n / (max(t for t, _, _ in got) - t0), sum(c for _, c, _ in got) / n * 1e6


TPUT_MODES = (("processes", bench_throughput_processes), ("threads", bench_throughput_threads))


def bench_throughput_all(libvirt, targets):
    """N_TPUT_ROUNDS runs per target and client mode, alternating between the targets;
    the median is reported, with the CPU time per call of the clients and of the
    daemon over all runs (where the time goes: the machine has few cores)."""
    for mode, func in TPUT_MODES:
        runs = [[] for _ in targets]
        client_cpu = [[] for _ in targets]
        daemon_ns = [0 for _ in targets]
        for _ in range(N_TPUT_ROUNDS):
            for i, t in enumerate(targets):
                c0 = cpu_ns(t.pid)
                rate, cpu = func(libvirt, t.uri)
                daemon_ns[i] += cpu_ns(t.pid) - c0
                runs[i].append(rate)
                client_cpu[i].append(cpu)
        for t, r, cc, dn in zip(targets, runs, client_cpu, daemon_ns):
            t.r["tput-" + mode] = statistics.median(r)
            daemon = dn / 1000 / (N_TPUT_ROUNDS * N_CLIENTS * N_PER_CLIENT)
            say(f"{t.name}: {N_CLIENTS} client {mode} x {N_PER_CLIENT} lookupByName: "
                f"{t.r['tput-' + mode]:.0f} calls/s (median of " +
                ", ".join(f"{x:.0f}" for x in r) + f"); CPU per call: clients "
                f"{statistics.fmean(cc):.0f} µs, daemon {daemon:.0f} µs")


def bench_domains(libvirt, targets):
    """define, list, lookup and undefine N_DOMAINS domains; each phase runs on every
    target before the next phase starts."""
    names = [f"bench-{i:04d}" for i in range(N_DOMAINS)]
    conns = [libvirt.open(t.uri) for t in targets]
    doms = [[] for _ in targets]

    def define(i):
        for n in names:
            conns[i].defineXML(compat.DOMAIN_XML.format(name=n))

    def listing(i):
        conns[i].listAllDomains()
        conns[i].listDefinedDomains()

    def lookup(i):
        doms[i] = [conns[i].lookupByName(n) for n in names]

    def undefine(i):
        for d in doms[i]:
            d.undefine()

    for t in targets:
        t.r["dom"] = {}
    for phase, func in (("define", define), ("list", listing), ("lookup", lookup),
                        ("undefine", undefine)):
        for i, t in enumerate(targets):
            t0 = time.perf_counter()
            func(i)
            t.r["dom"][phase] = time.perf_counter() - t0
    for t, c in zip(targets, conns):
        c.close()
        say(f"{t.name}: {N_DOMAINS} domains: " +
            ", ".join(f"{k} {v:.3f} s" for k, v in t.r["dom"].items()))


def idle_rss(libvirt, uri, pid):
    conn = libvirt.open(uri)
    conn.getHostname()
    conn.close()
    return rss_kib(pid)


LIBCLIENT_LAT = re.compile(r"latency, N=\d+: mean ([0-9.]+) µs, p50 ([0-9.]+) µs")
LIBCLIENT_TPUT = re.compile(r"client (processes|threads) x \d+ virDomainLookupByName: ([0-9.]+) calls/s")


def bench_libclient(targets):
    """bench-libclient --uri against each target, alternating, N_LC_ROUNDS times."""
    exe = os.environ.get("VIRTKIT_BENCH_LIBCLIENT")
    if not exe or not os.access(exe, os.X_OK):
        say("libclient: VIRTKIT_BENCH_LIBCLIENT not set, skipped")
        return
    got = [{"mean": [], "p50": [], "processes": [], "threads": []} for _ in targets]
    for _ in range(N_LC_ROUNDS):
        for t, g in zip(targets, got):
            out = subprocess.run([exe, "--uri", t.uri, "--label", f"libclient -> {t.name}"],
                                 capture_output=True, text=True, timeout=300).stdout
            sys.stdout.write(out)
            m = LIBCLIENT_LAT.search(out)
            if m:
                g["mean"].append(float(m.group(1)))
                g["p50"].append(float(m.group(2)))
            for m in LIBCLIENT_TPUT.finditer(out):
                g[m.group(1)].append(float(m.group(2)))
    for t, g in zip(targets, got):
        if all(g.values()):
            t.r["lc"] = {k: statistics.median(v) for k, v in g.items()}


def workload(libvirt, targets, latency_only):
    for t in targets:
        t.r["rss"] = idle_rss(libvirt, t.uri, t.pid)
        say(f"{t.name}: idle RSS after connect+disconnect: {t.r['rss'] / 1024:.1f} MiB")
    bench_latency(libvirt, targets + latency_only)
    bench_throughput_all(libvirt, targets)
    bench_libclient(targets)
    bench_domains(libvirt, targets)
    for t in targets:
        say(f"{t.name}: RSS after the workload: {rss_kib(t.pid) / 1024:.1f} MiB")


def ratios(p, l):
    say()
    say("proxyd / libvirtd, measured side by side (targets from issue 3, printed, not asserted):")
    say(f"  latency mean  {p['lat'][0] / l['lat'][0]:.2f}x   (target <= 0.50)")
    say(f"  latency p50   {p['lat'][1] / l['lat'][1]:.2f}x   (target <= 0.50)")
    say(f"  daemon CPU per call {p['cpu'] / l['cpu']:.2f}x")
    say(f"  throughput, {N_CLIENTS} client processes  "
        f"{p['tput-processes'] / l['tput-processes']:.2f}x   (target >= 2.00)")
    say(f"  throughput, {N_CLIENTS} threads of one process  "
        f"{p['tput-threads'] / l['tput-threads']:.2f}x   (GIL-bound client, see README)")
    if "nopoll" in p:
        n = p["nopoll"]
        say(f"  latency with poll_max_us = 0 (the loop sleeps at once): mean "
            f"{n['lat'][0] / l['lat'][0]:.2f}x, p50 {n['lat'][1] / l['lat'][1]:.2f}x, "
            f"daemon CPU per call {n['cpu'] / l['cpu']:.2f}x")
    if "lc" in p and "lc" in l:
        pl, ll = p["lc"], l["lc"]
        say(f"  libclient latency mean {pl['mean'] / ll['mean']:.2f}x, "
            f"p50 {pl['p50'] / ll['p50']:.2f}x; throughput, processes "
            f"{pl['processes'] / ll['processes']:.2f}x, threads "
            f"{pl['threads'] / ll['threads']:.2f}x")
    say(f"  idle RSS      {p['rss'] / l['rss']:.2f}x   (target <= 0.50; libvirtd runs "
        "without driver modules here)")
    for k in p["dom"]:
        say(f"  {k:<12}  {p['dom'][k] / l['dom'][k]:.2f}x")
    if p.get("start") and l.get("start"):
        say(f"  exec-to-accepting {p['start'] / l['start']:.2f}x")


def libvirtd_usable():
    if not os.access(LIBVIRTD, os.X_OK):
        say(f"libvirtd: {LIBVIRTD} is not installed, no comparison")
        return False
    if os.geteuid() != 0:
        say("libvirtd: not root, no comparison")
        return False
    return True


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
    lstart = None
    compare = libvirtd_usable()
    if compare:
        lstart = libvirtd_exec_to_accepting()
        say(f"libvirtd: exec to accepting, median of {N_STARTS}: "
            f"{lstart * 1000:.1f} ms" if lstart else "libvirtd: never accepted")
    pd = compat.Proxyd(exe)
    # the same proxyd with the loop's polling turned off, for the latency only: what
    # polling buys and what it costs (common/daemon/poll-window.h)
    nopoll_conf = tempfile.NamedTemporaryFile("w", prefix="virtkit-bench-", suffix=".conf")
    nopoll_conf.write("[daemon]\npoll_max_us = 0\n")
    nopoll_conf.flush()
    pd_nopoll = compat.Proxyd(exe, ["--config", nopoll_conf.name])
    d = Libvirtd() if compare else None
    try:
        targets = [Target("proxyd", pd.uri(), pd.proc.pid)]
        nopoll = Target("proxyd, poll_max_us = 0", pd_nopoll.uri(), pd_nopoll.proc.pid)
        targets[0].r["nopoll"] = nopoll.r
        if d and d.ok:
            targets.append(Target("libvirtd", d.uri(), d.proc.pid))
        elif d:
            say("libvirtd: did not start, no comparison")
        targets[0].r["start"] = start
        if len(targets) > 1:
            targets[1].r["start"] = lstart
        workload(libvirt, targets, [nopoll])
    finally:
        pd.stop()
        pd_nopoll.stop()
        nopoll_conf.close()
        if d:
            d.stop()
    if len(targets) > 1:
        ratios(targets[0].r, targets[1].r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
