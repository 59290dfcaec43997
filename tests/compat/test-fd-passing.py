#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""python3-libvirt's createXMLWithFiles / createWithFiles against proxyd's test:///default.

libvirt's test driver starts the domain and leaves the descriptors alone, so does
ours; the daemon must receive them (libvirt's client sends them with SCM_RIGHTS after
the CALL_WITH_FDS packet) and close every one: the pipes whose write ends were passed
see EOF, and proxyd's descriptor count comes back to where it was.
"""

import os
import select
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compat import DOMAIN_XML, Proxyd, Tap, proxyd_exe  # noqa: E402

import libvirt  # noqa: E402

TIMEOUT_S = 10


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def pipe_closed(rfd):
    """Whether every copy of the pipe's write end is closed (EOF within TIMEOUT_S)."""
    while True:
        if not select.select([rfd], [], [], TIMEOUT_S)[0]:
            return False
        if os.read(rfd, 4096) == b"":
            return True


def with_pipes(n, call):
    """Run @call(write_ends); then whether all n pipes were closed by the daemon."""
    pipes = [os.pipe() for _ in range(n)]
    try:
        result = call([w for _, w in pipes])
    finally:
        for _, w in pipes:
            os.close(w)
    closed = all(pipe_closed(r) for r, _ in pipes)
    for r, _ in pipes:
        os.close(r)
    return result, closed


def main():
    tap = Tap()
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    proxyd = Proxyd(proxyd_exe())
    pid = proxyd.proc.pid
    try:
        conn = libvirt.open(proxyd.uri())
        base = fd_count(pid)

        dom, closed = with_pipes(2, lambda fds: conn.createXMLWithFiles(
            DOMAIN_XML.format(name="withfiles"), fds, 0))
        tap.ok(dom.name() == "withfiles" and dom.isActive() == 1,
               "createXMLWithFiles starts the domain")
        tap.ok(closed, "the descriptors passed with it are closed by the daemon")
        tap.ok(fd_count(pid) == base, "proxyd holds no descriptor more than before",
               f"{fd_count(pid)} != {base}")

        conn.defineXML(DOMAIN_XML.format(name="defined"))
        defined = conn.lookupByName("defined")
        ret, closed = with_pipes(1, lambda fds: defined.createWithFiles(fds, 0))
        tap.ok(ret == 0 and defined.isActive() == 1, "createWithFiles starts a defined domain")
        tap.ok(closed, "its descriptor is closed by the daemon")

        def refused(call):
            try:
                call()
            except libvirt.libvirtError as e:
                return e.get_error_code()
            return None

        code, closed = with_pipes(1, lambda fds: refused(
            lambda: conn.createXMLWithFiles("<domain", fds, 0)))
        tap.ok(code == libvirt.VIR_ERR_XML_DETAIL or code == libvirt.VIR_ERR_XML_ERROR,
               "invalid XML is refused as without files", code)
        tap.ok(closed, "the descriptor of a refused call is closed")

        ro = libvirt.openReadOnly(proxyd.uri())
        code, closed = with_pipes(1, lambda fds: refused(
            lambda: ro.createXMLWithFiles(DOMAIN_XML.format(name="ro"), fds, 0)))
        tap.ok(code == libvirt.VIR_ERR_OPERATION_DENIED, "a read-only connection is refused", code)
        tap.ok(closed, "the descriptor of a read-only refusal is closed")
        ro.close()

        tap.ok(conn.getLibVersion() > 0 and conn.lookupByName("withfiles").isActive() == 1,
               "the connection goes on working")
        conn.close()
    finally:
        rc, log = proxyd.stop()
        tap.ok(rc == 0, "proxyd exits cleanly", log)
    tap.done()


if __name__ == "__main__":
    main()
