#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Record real QMP conversations with this machine's QEMU into .replies fixtures.

usage: tests/qemu/record-replies.py [QEMU_BINARY]   (default: qemu-system-x86_64)

Writes tests/qemu/data/caps/x86_64-<major.minor>.replies (the capability probe under TCG),
x86_64-<major.minor>-kvm.replies (the short probe asking for KVM) and
tests/qemu/data/qmp/<scenario>.replies (lifecycle, errors, snapshot jobs, migrate to
file, blockdev-snapshot). Re-record after a QEMU upgrade, then run
`meson test -C build --suite qemu` and review `git diff tests/qemu/data`.

File format: one JSON message per block, pretty-printed, blocks separated by one empty
line, in the order they went over the wire. Blocks with "execute" are what we sent;
the first block is QEMU's greeting; every other block is a reply or an event.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
QEMU = sys.argv[1] if len(sys.argv) > 1 else "qemu-system-x86_64"


class Session:
    def __init__(self, args, tmp):
        self.tmp = tmp
        self.sock_path = os.path.join(tmp, "qmp.sock")
        self.proc = subprocess.Popen([QEMU] + args + [
            "-qmp", "unix:%s,server=on,wait=off" % self.sock_path],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(self.sock_path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                self.sock.close()
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise SystemExit("QEMU did not open its QMP socket: %s"
                                     % self.proc.stderr.read().decode())
                time.sleep(0.005)
        self.file = self.sock.makefile("rwb", buffering=0)
        self.log = [self.read()]
        self.serial = 0
        self.pending = []

    def read(self):
        line = self.file.readline()
        if not line:
            raise EOFError("QMP socket closed")
        return json.loads(line)

    def cmd(self, name, **args):
        self.serial += 1
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        msg["id"] = "libvirt-%d" % self.serial
        self.log.append(msg)
        self.file.write((json.dumps(msg) + "\r\n").encode())
        while True:
            r = self.read()
            self.log.append(r)
            if "event" in r:
                self.pending.append(r)
                continue
            return r

    def wait_event(self, name, pred=lambda e: True, timeout=30):
        end = time.monotonic() + timeout
        while True:
            for e in self.pending:
                if e["event"] == name and pred(e):
                    self.pending.remove(e)
                    return e
            if time.monotonic() > end:
                raise SystemExit("timeout waiting for event %s" % name)
            self.sock.settimeout(max(0.1, end - time.monotonic()))
            r = self.read()
            self.sock.settimeout(None)
            self.log.append(r)
            self.pending.append(r)

    def job(self, name, **args):
        self.cmd(name, **args)
        self.wait_event("JOB_STATUS_CHANGE", lambda e: e["data"]["id"] == args["job-id"]
                        and e["data"]["status"] == "concluded")
        self.cmd("query-jobs")
        self.cmd("job-dismiss", id=args["job-id"])

    def quit(self):
        self.cmd("quit")
        try:
            while True:
                self.log.append(self.read())
        except (EOFError, ConnectionResetError):
            pass
        self.proc.wait(timeout=20)

    def save(self, path):
        text = "\n\n".join(json.dumps(m, indent=2) for m in self.log) + "\n"
        with open(path, "w") as f:
            # fixtures must not depend on this run's temp directory
            f.write(text.replace(self.tmp, "/var/tmp/qmp-record"))
        print("wrote %s (%d messages)" % (os.path.relpath(path, HERE), len(self.log)))


def record_caps(tmp):
    # like libvirt: the full probe under TCG, then a short one asking for KVM (TCG as
    # fallback, so query-kvm tells whether KVM really works) for the KVM CPU models
    s = Session(["-machine", "none", "-accel", "tcg", "-nodefaults", "-nographic", "-S"], tmp)
    s.cmd("qmp_capabilities")
    for c in ["query-version", "query-target", "query-kvm", "query-machines",
              "query-cpu-definitions", "query-commands", "query-qmp-schema"]:
        s.cmd(c)
    s.cmd("qom-list-types", implements="accel")
    s.cmd("qom-list-types", implements="device", abstract=False)
    s.quit()
    ver = s.log[0]["QMP"]["version"]["qemu"]
    name = "x86_64-%d.%d" % (ver["major"], ver["minor"])
    s.save(os.path.join(DATA, "caps", name + ".replies"))
    k = Session(["-machine", "none", "-accel", "kvm", "-accel", "tcg", "-nodefaults",
                 "-nographic", "-S"], tmp)
    k.cmd("qmp_capabilities")
    k.cmd("query-kvm")
    k.cmd("query-cpu-definitions")
    k.quit()
    k.save(os.path.join(DATA, "caps", name + "-kvm.replies"))


BASE = ["-accel", "tcg", "-machine", "pc", "-m", "64", "-nodefaults", "-nographic", "-S"]


def record_lifecycle(tmp):
    s = Session(BASE + ["-no-shutdown"], tmp)
    s.cmd("qmp_capabilities")
    for c in ["query-status", "cont", "query-status", "stop", "query-status", "cont",
              "system_reset", "system_powerdown", "query-status"]:
        s.cmd(c)
    s.quit()
    s.save(os.path.join(DATA, "qmp", "lifecycle.replies"))


def record_errors(tmp):
    s = Session(BASE, tmp)
    s.cmd("query-status")                   # before qmp_capabilities: CommandNotFound
    s.cmd("qmp_capabilities")
    s.cmd("no-such-command")
    s.cmd("query-status", bogus=1)          # unexpected argument
    s.cmd("snapshot-delete", **{"job-id": "x", "tag": "t", "devices": ["nope"]})
    s.cmd("blockdev-snapshot", node="nope", overlay="nope2")
    s.quit()
    s.save(os.path.join(DATA, "qmp", "errors.replies"))


def disk_args(tmp, name="disk.qcow2"):
    disk = os.path.join(tmp, name)
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "16M"], check=True)
    return disk, ["-blockdev", "driver=file,filename=%s,node-name=file0" % disk,
                  "-blockdev", "driver=qcow2,file=file0,node-name=disk0",
                  "-device", "virtio-blk-pci,drive=disk0,id=vda"]


def record_snapshots(tmp):
    disk, extra = disk_args(tmp)
    s = Session(BASE + extra, tmp)
    s.cmd("qmp_capabilities")
    s.job("snapshot-save", **{"job-id": "save0", "tag": "snap1", "vmstate": "disk0",
                              "devices": ["disk0"]})
    s.job("snapshot-load", **{"job-id": "load0", "tag": "snap1", "vmstate": "disk0",
                              "devices": ["disk0"]})
    s.job("snapshot-load", **{"job-id": "load1", "tag": "missing", "vmstate": "disk0",
                              "devices": ["disk0"]})
    s.job("snapshot-delete", **{"job-id": "del0", "tag": "snap1", "devices": ["disk0"]})
    s.quit()
    s.save(os.path.join(DATA, "qmp", "snapshot-jobs.replies"))


def record_migrate_file(tmp):
    s = Session(BASE, tmp)
    s.cmd("qmp_capabilities")
    s.cmd("stop")
    s.cmd("migrate-set-capabilities", capabilities=[{"capability": "events", "state": True}])
    s.cmd("migrate", uri="exec:cat > '%s'" % os.path.join(tmp, "save.img"))
    s.wait_event("MIGRATION", lambda e: e["data"]["status"] in ("completed", "failed"))
    s.cmd("query-migrate")
    s.quit()
    s.save(os.path.join(DATA, "qmp", "migrate-file.replies"))


def record_blockdev_snapshot(tmp):
    disk, extra = disk_args(tmp)
    overlay = os.path.join(tmp, "overlay.qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", disk,
                    overlay], check=True)
    s = Session(BASE + extra, tmp)
    s.cmd("qmp_capabilities")
    s.cmd("blockdev-add", driver="file", filename=overlay, **{"node-name": "file1"})
    s.cmd("blockdev-add", driver="qcow2", file="file1", backing=None,
          **{"node-name": "overlay1"})
    s.cmd("blockdev-snapshot", node="disk0", overlay="overlay1")
    s.quit()
    s.save(os.path.join(DATA, "qmp", "blockdev-snapshot.replies"))


def main():
    with tempfile.TemporaryDirectory(prefix="virtkit-qmp-") as tmp:
        record_caps(tmp)
        record_lifecycle(tmp)
        record_errors(tmp)
        record_snapshots(tmp)
        record_migrate_file(tmp)
        record_blockdev_snapshot(tmp)


if __name__ == "__main__":
    main()
