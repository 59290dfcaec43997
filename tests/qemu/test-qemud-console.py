# SPDX-License-Identifier: LGPL-2.1-or-later
"""The console of a real TCG guest through virtqemud (tier: real daemon, real-TCG
guest) with libvirt's own clients: python3-libvirt's stream sees the tiny guest's
serial output from its first line (started paused, console opened, resumed), one
session at a time, virsh console takes it over with --force on a pty, errors for an
unknown device, a file serial and a shut-off guest, and destroy ends the stream."""

import os
import pty
import subprocess
import time

from qemud import WAIT, Qemud, Tap, define, tiny_guest, virsh, wait_for
from compat import pty_read_until  # noqa: E402 (qemud put it on the path)

try:
    import libvirt
except ImportError:
    libvirt = None


def console_xml(name, serial_xml):
    kernel, initrd = tiny_guest()
    return (f"<domain type='qemu'><name>{name}</name><memory unit='MiB'>128</memory>"
            f"<os><type arch='x86_64' machine='pc'>hvm</type><kernel>{kernel}</kernel>"
            f"<initrd>{initrd}</initrd><cmdline>console=ttyS0 panic=-1 quiet</cmdline></os>"
            f"<features><acpi/><apic/></features><devices>{serial_xml}"
            f"<memballoon model='none'/></devices></domain>")


def stream_read_until(conn, st, marker, timeout=WAIT * 2):
    """Read a VIR_STREAM_NONBLOCK stream until @marker; b'' ends it, errors raise."""
    data = b""
    deadline = time.monotonic() + timeout
    while marker not in data and time.monotonic() < deadline:
        conn.getHostname()  # a call makes the client read its socket
        got = st.recv(4096)
        if got == -2:
            time.sleep(0.05)
            continue
        if not got:
            break
        data += got
    return data


def test_console(t, qd):
    conn = libvirt.open(qd.uri)
    rc, out, err = define(qd, console_xml("con", "<serial type='pty'/>"), "con")
    t.ok(rc == 0, "define a guest with its serial port on a pty", err)
    rc, out, err = virsh(qd, "start", "--paused", "con")
    t.ok(rc == 0, "start it paused", err + qd.log())
    dom = conn.lookupByName("con")
    st = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
    dom.openConsole(None, st, 0)
    t.ok(True, "openConsole(None) on the running guest")
    dom.resume()
    data = stream_read_until(conn, st, b"VIRTKIT-GUEST-READY")
    t.ok(b"VIRTKIT-GUEST-UP" in data and b"VIRTKIT-GUEST-READY" in data,
         "the guest's serial output arrives through the stream", data[-2000:])
    try:
        dom.openConsole("serial0", conn.newStream(0), 0)
        t.ok(False, "a second session is refused")
    except libvirt.libvirtError as e:
        t.ok(e.get_error_code() == libvirt.VIR_ERR_OPERATION_FAILED and
             "Active console session" in str(e), "a second session is refused", str(e))

    pid, master = pty.fork()
    if pid == 0:
        os.execvp("virsh", ["virsh", "-c", qd.uri, "console", "--force", "con"])
    try:
        banner = pty_read_until(master, b"(Ctrl + ])")
        t.ok(b"Connected to domain 'con'" in banner, "virsh console --force connects", banner)
        try:
            while True:  # the python session ends with an error
                conn.getHostname()
                if st.recv(4096) == -2:
                    time.sleep(0.05)
            t.ok(False, "the forced-out session reports an error")
        except libvirt.libvirtError as e:
            t.ok(e.get_error_code() == libvirt.VIR_ERR_OPERATION_ABORTED,
                 "the forced-out session reports an error", str(e))
        os.write(master, b"\x1d")
        done = wait_for(lambda: os.waitpid(pid, os.WNOHANG)[0] == pid)
        t.ok(done, "^] ends virsh console")
        if done:
            pid = 0
    finally:
        if pid:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        os.close(master)

    for dev, code, what in (("serial7", libvirt.VIR_ERR_INTERNAL_ERROR, "an unknown device"),
                            ("console9", libvirt.VIR_ERR_INTERNAL_ERROR, "an unknown console")):
        try:
            dom.openConsole(dev, conn.newStream(0), 0)
            t.ok(False, f"{what} is refused")
        except libvirt.libvirtError as e:
            t.ok(e.get_error_code() == code and dev in str(e), f"{what} is refused", str(e))

    st = conn.newStream(0)
    dom.openConsole("serial0", st, 0)
    dom.destroy()
    got = b""
    try:
        while True:
            chunk = st.recv(4096)
            if not chunk:
                break
            got += chunk
        t.ok(True, "destroy ends the console stream (end of data)")
        st.finish()
    except libvirt.libvirtError as e:
        t.ok(False, "destroy ends the console stream (end of data)", str(e))
    try:
        dom.openConsole(None, conn.newStream(0), 0)
        t.ok(False, "a shut-off guest has no console")
    except libvirt.libvirtError as e:
        t.ok(e.get_error_code() == libvirt.VIR_ERR_OPERATION_INVALID,
             "a shut-off guest has no console", str(e))
    virsh(qd, "undefine", "con")

    serial = qd.path("file.serial")
    define(qd, console_xml("file", f"<serial type='file'><source path='{serial}'/></serial>"),
           "file")
    rc, out, err = virsh(qd, "start", "--paused", "file")
    try:
        conn.lookupByName("file").openConsole(None, conn.newStream(0), 0)
        t.ok(False, "a console on a file is refused")
    except libvirt.libvirtError as e:
        t.ok(e.get_error_code() == libvirt.VIR_ERR_OPERATION_FAILED and "PTY" in str(e),
             "a console on a file is refused", str(e))
    virsh(qd, "destroy", "file")
    virsh(qd, "undefine", "file")
    conn.close()


def main():
    t = Tap()
    if libvirt is None:
        t.skip_all("python3-libvirt is not installed")
    if not os.access("/usr/bin/qemu-system-x86_64", os.X_OK):
        t.skip_all("qemu-system-x86_64 is not installed")
    try:
        tiny_guest()
    except (subprocess.SubprocessError, OSError, KeyError) as e:
        t.skip_all(f"the tiny guest cannot be built: {e}")
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    qd = Qemud()
    try:
        test_console(t, qd)
    finally:
        qd.stop()
    t.done()


if __name__ == "__main__":
    main()
