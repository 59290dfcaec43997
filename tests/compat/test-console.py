#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Console streams with libvirt's own clients: python3-libvirt's virStream API and
Debian's `virsh console` (on a pty) against the tests-only console-daemon, whose
test:///default consoles are unix sockets this test listens on (it plays the guest).
"""

import os
import pty
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compat import Proxyd, Tap, pty_read_until  # noqa: E402

try:
    import libvirt
except ImportError:
    libvirt = None

TIMEOUT = 20
VIRSH = shutil.which("virsh") or "/usr/bin/virsh"


class Consoles:
    """The guest side: a listening socket per console; accept() is what the daemon opened."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="virtkit-consoles-")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(os.path.join(self.dir, "test.sock"))
        self.listener.listen(8)
        self.listener.settimeout(TIMEOUT)

    def accept(self):
        peer, _ = self.listener.accept()
        peer.settimeout(TIMEOUT)
        return peer

    def close(self):
        self.listener.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def recv_until_eof(peer):
    data = b""
    while True:
        chunk = peer.recv(65536)
        if not chunk:
            return data
        data += chunk


def recv_until(peer, marker):
    got = b""
    while marker not in got:
        chunk = peer.recv(64)
        if not chunk:
            break
        got += chunk
    return got


def stream_recv_exact(st, n):
    data = b""
    while len(data) < n:
        chunk = st.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def python_tests(tap, d, consoles):
    conn = libvirt.open(d.uri())
    dom = conn.lookupByName("test")

    st = conn.newStream(0)
    dom.openConsole(None, st, 0)
    peer = consoles.accept()
    tap.ok(True, "openConsole(None, stream, 0) on a running domain")
    peer.sendall(b"login: ")
    tap.ok(stream_recv_exact(st, 7) == b"login: ", "stream.recv gets what the guest wrote")
    st.send(b"root\n")
    got = b""
    while len(got) < 5:
        got += peer.recv(5 - len(got))
    tap.ok(got == b"root\n", "stream.send reaches the guest", got)
    big = bytes(range(256)) * 4096  # 1 MiB through the daemon and back
    sender = threading.Thread(target=peer.sendall, args=(big,))
    sender.start()
    echoed = stream_recv_exact(st, len(big))
    sender.join()
    tap.ok(echoed == big, "1 MiB from the guest arrives intact and in order", len(echoed))

    st2 = conn.newStream(0)
    try:
        dom.openConsole(None, st2, 0)
        tap.ok(False, "a second console session is refused")
    except libvirt.libvirtError as e:
        tap.ok(e.get_error_code() == libvirt.VIR_ERR_OPERATION_FAILED and
               "Active console session exists for this domain" in str(e),
               "a second console session is refused", f"{e.get_error_code()}: {e}")
    refused = consoles.accept()  # what the driver opened for it, closed again
    tap.ok(recv_until_eof(refused) == b"", "the refused session's console is closed")
    refused.close()
    dom.openConsole(None, st2, libvirt.VIR_DOMAIN_CONSOLE_FORCE)
    peer2 = consoles.accept()
    try:
        st.recv(16)
        tap.ok(False, "FORCE ends the first session with an error")
    except libvirt.libvirtError as e:
        tap.ok(e.get_error_code() == libvirt.VIR_ERR_OPERATION_ABORTED,
               "FORCE ends the first session with an error", f"{e.get_error_code()}: {e}")
    tap.ok(recv_until_eof(peer) == b"", "the first session's console is closed")
    peer.close()
    try:
        st.abort()
        tap.ok(False, "the ended stream reports its error again")
    except libvirt.libvirtError as e:
        tap.ok(e.get_error_code() == libvirt.VIR_ERR_OPERATION_ABORTED,
               "the ended stream reports its error again", str(e))

    peer2.sendall(b"bye")
    peer2.close()
    tap.ok(stream_recv_exact(st2, 16) == b"bye", "data sent before the guest hung up")
    tap.ok(st2.recv(16) == b"", "the guest hanging up is the end of the stream (recv gives b'')")
    st2.finish()
    tap.ok(True, "finish after the end of data is confirmed")

    st3 = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
    dom.openConsole(None, st3, 0)
    peer3 = consoles.accept()
    tap.ok(st3.recv(16) == -2, "a non-blocking recv with nothing buffered gives -2")
    peer3.sendall(b"abc")
    got = b""
    deadline = time.monotonic() + TIMEOUT
    while len(got) < 3 and time.monotonic() < deadline:
        conn.getHostname()  # a call makes the client read its socket
        r = st3.recv(16)
        if r != -2:
            got += r
    tap.ok(got == b"abc", "a non-blocking recv gets the data once it arrived", got)
    st3.abort()
    tap.ok(recv_until_eof(peer3) == b"", "abort closes the console")
    peer3.close()

    st4 = conn.newStream(0)
    try:
        dom.openConsole(None, st4, 8)
        tap.ok(False, "unknown flags are refused")
    except libvirt.libvirtError as e:
        tap.ok(e.get_error_code() == libvirt.VIR_ERR_INVALID_ARG, "unknown flags are refused",
               str(e))
    ro = libvirt.openReadOnly(d.uri(sock=d.sock_ro))
    try:
        ro.lookupByName("test").openConsole(None, ro.newStream(0), 0)
        tap.ok(False, "a read-only connection cannot open a console")
    except libvirt.libvirtError as e:
        tap.ok(e.get_error_code() == libvirt.VIR_ERR_OPERATION_DENIED,
               "a read-only connection cannot open a console", str(e))
    ro.close()
    conn.close()


def wait_child(pid, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        select.select([], [], [], 0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None


class ConsoleOnPty:
    """A console client on a pty; killed on exit unless it ended (wait())."""

    def __init__(self, argv):
        env = dict(os.environ, LC_ALL="C", LIBVIRT_AUTOSTART="0")
        self.pid, self.master = pty.fork()
        if self.pid == 0:
            os.execvpe(argv[0], argv, env)

    def wait(self):
        rc = wait_child(self.pid)
        self.pid = None
        return rc

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.master)


def shell_tests(tap, d, consoles, name, argv):
    cmd = argv + ["-c", d.uri(), "console", "test"]
    with ConsoleOnPty(cmd) as con:
        banner = pty_read_until(con.master, b"(Ctrl + ])\r\n")
        tap.ok(b"Connected to domain 'test'\r\nEscape character is ^] (Ctrl + ])\r\n" in banner,
               f"{name} console: the banner", banner)
        peer = consoles.accept()
        peer.sendall(b"guest output\r\n")
        out = pty_read_until(con.master, b"guest output")
        tap.ok(b"guest output" in out, f"{name} console: guest output on the terminal", out)
        os.write(con.master, b"typed\r")
        got = recv_until(peer, b"typed\r")
        tap.ok(got == b"typed\r", f"{name} console: keystrokes reach the guest raw", got)
        os.write(con.master, b"\x1d")
        rc = con.wait()
        tap.ok(rc == 0, f"{name} console: ^] ends it with status 0", rc)
        tap.ok(recv_until_eof(peer) == b"", f"{name} console: the console closes after ^]")
        peer.close()

    # the guest hanging up ends the session too
    with ConsoleOnPty(cmd) as con:
        pty_read_until(con.master, b"(Ctrl + ])\r\n")
        consoles.accept().close()
        rc = con.wait()
        tap.ok(rc is not None, f"{name} console: ends when the guest hangs up", rc)


def virtsh_pipe_test(tap, d, consoles, virtsh):
    """virtsh console with stdin and stdout not terminals: the end of stdin finishes."""
    env = dict(os.environ, LC_ALL="C", LIBVIRT_AUTOSTART="0")
    proc = subprocess.Popen([virtsh, "-c", d.uri(), "console", "test"], env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        peer = consoles.accept()
        peer.sendall(b"from guest\n")
        proc.stdin.write(b"from stdin\n")
        proc.stdin.flush()
        got = recv_until(peer, b"from stdin\n")
        tap.ok(got == b"from stdin\n", "virtsh console: piped stdin reaches the guest", got)
        # the guest's line travels on its own (daemon, stream) and may still be under way
        # when stdin's has arrived: what ends before the end of stdin is not the point
        out = pty_read_until(proc.stdout.fileno(), b"from guest\n", timeout=TIMEOUT)
        proc.stdin.close()
        out += proc.stdout.read()  # EOF once virtsh exits (the meson timeout backs this)
        err = proc.stderr.read()
        proc.wait(timeout=TIMEOUT)
        tap.ok(proc.returncode == 0 and out.startswith(b"Connected to domain 'test'\n") and
               b"from guest\n" in out, "virtsh console: the end of stdin finishes the session",
               f"rc={proc.returncode}\nstdout={out!r}\nstderr={err!r}")
        tap.ok(recv_until_eof(peer) == b"", "virtsh console: the console closes after stdin ends")
        peer.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def main():
    tap = Tap()
    exe = os.environ.get("VIRTKIT_CONSOLE_DAEMON")
    if not exe or not os.access(exe, os.X_OK):
        raise SystemExit("VIRTKIT_CONSOLE_DAEMON must name the console-daemon executable")
    consoles = Consoles()
    os.environ["VIRTKIT_TEST_CONSOLE_DIR"] = consoles.dir
    d = Proxyd(exe)
    try:
        if libvirt is None:
            tap.ok(True, "# SKIP python3-libvirt is not installed")
        else:
            libvirt.registerErrorHandler(lambda ctx, err: None, None)
            python_tests(tap, d, consoles)
        if os.access(VIRSH, os.X_OK):
            shell_tests(tap, d, consoles, "virsh", [VIRSH])
        virtsh = os.environ.get("VIRTKIT_VIRTSH")
        if virtsh and os.access(virtsh, os.X_OK):
            shell_tests(tap, d, consoles, "virtsh", [virtsh])
            virtsh_pipe_test(tap, d, consoles, virtsh)
    finally:
        rc, log = d.stop()
        consoles.close()
        tap.ok(rc == 0, "the daemon exits cleanly on SIGTERM", log)
    tap.done()


if __name__ == "__main__":
    main()
