# SPDX-License-Identifier: LGPL-2.1-or-later
"""Host networking of virtqemud through python3-libvirt (tier: real-namespace + real
daemon + real-TCG QEMU, disk-less guests). The test re-runs itself in a network
namespace of its own (`unshare -n`), so the daemon, QEMU and `ip` only ever see the
bridge made here, never the host's network. As root only.
- <interface type='bridge'>: a tap vnetN made at start, up, port of br-test, MAC
  fe:<rest of the guest's>, vnet_hdr for virtio, shown in dumpxml and the status file,
  not in the persistent definition; gone after destroy and after QEMU crashes;
- <interface type='ethernet'>: a tap named by <target dev>; with managed='no' the
  user's persistent tap is used and left in place;
- refusals: a missing bridge, a taken tap name, a missing managed='no' tap: clear
  errors, and no tap of the failed start is left;
- kill -9 of the daemon: after the restart dumpxml still names the taps, new names go
  on after them, destroy still removes them."""

import json
import os
import shutil
import signal
import subprocess
import sys

import libvirt

from qemud import Qemud, Tap, WAIT, diskless_xml, libvirt_event_thread, wait_for

NS_MARK = "VIRTKIT_TEST_NETNS"
BRIDGE = "br-test"


def ip(*args, check=True):
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check,
                          timeout=WAIT)


def link(name):
    """`ip -d link show NAME` as a dict, or None when there is no such link."""
    p = ip("-j", "-d", "link", "show", "dev", name, check=False)
    return json.loads(p.stdout)[0] if p.returncode == 0 and p.stdout.strip() else None


def taps():
    """Names of every tap in the namespace."""
    out = json.loads(ip("-j", "-d", "link", "show").stdout)
    return sorted(l["ifname"] for l in out
                  if l.get("linkinfo", {}).get("info_data", {}).get("type") == "tap")


def iface(kind, mac, source="", target="", model="virtio"):
    src = f"<source bridge='{source}'/>" if source else ""
    return (f"<interface type='{kind}'><mac address='{mac}'/>{src}{target}"
            f"<model type='{model}'/></interface>")


def guest_xml(name, *ifaces):
    return diskless_xml(name, "<devices>" + "".join(ifaces) + "</devices>")


def check_tap(t, name, mac, master, vnet_hdr, what):
    l = link(name)
    t.ok(l is not None, f"{what}: tap '{name}' exists")
    if l is None:
        return
    data = l["linkinfo"]["info_data"]
    t.ok("UP" in l["flags"], f"{what}: '{name}' is up", l["flags"])
    t.ok(l.get("master") == master, f"{what}: '{name}' has master {master}", l.get("master"))
    t.ok(l["address"] == "fe" + mac[2:], f"{what}: '{name}' has the host-side MAC fe:..",
         l["address"])
    t.ok(data["vnet_hdr"] == vnet_hdr and not data["persist"],
         f"{what}: '{name}' vnet_hdr={vnet_hdr}, not persistent", data)


def target_devs(xml):
    return [part.split("'")[0] for part in xml.split("<target dev='")[1:]]


def test_bridge(t, qd, conn):
    """Transient guest on br-test: vnet0 with everything libvirt sets; destroy."""
    mac = "52:54:00:12:34:56"
    dom = conn.createXML(guest_xml("nb1", iface("bridge", mac, BRIDGE)), 0)
    t.ok(target_devs(dom.XMLDesc(0)) == ["vnet0"], "dumpxml shows <target dev='vnet0'/>",
         dom.XMLDesc(0))
    check_tap(t, "vnet0", mac, BRIDGE, True, "bridge")
    with open(qd.path("run", "qemu", "nb1.xml")) as f:
        t.ok("<target dev='vnet0'/>" in f.read(), "the status file names vnet0")
    return dom


def test_persistent(t, conn):
    """Persistent guest: a bridge tap (vnet1) and an ethernet tap named by the user."""
    mac1, mac2 = "52:54:00:00:00:a1", "52:54:00:00:00:a2"
    dom = conn.defineXML(guest_xml("np1", iface("bridge", mac1, BRIDGE),
                                   iface("ethernet", mac2, target="<target dev='tap-np1'/>",
                                         model="e1000")))
    dom.create()
    t.ok(target_devs(dom.XMLDesc(0)) == ["vnet1", "tap-np1"],
         "dumpxml: the generated and the given tap names", target_devs(dom.XMLDesc(0)))
    t.ok(target_devs(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)) == ["tap-np1"],
         "the persistent definition keeps no generated name")
    check_tap(t, "vnet1", mac1, BRIDGE, True, "second guest, bridge")
    check_tap(t, "tap-np1", mac2, None, False, "ethernet")
    return dom


def test_refusals(t, conn):
    before = taps()
    try:
        conn.createXML(guest_xml("nbad", iface("bridge", "52:54:00:00:00:b1", BRIDGE),
                                 iface("bridge", "52:54:00:00:00:b2", "br9")), 0)
        t.ok(False, "a missing bridge is refused")
    except libvirt.libvirtError as e:
        msg = str(e)
        t.ok("bridge 'br9'" in msg and "52:54:00:00:00:b2" in msg and "no such device" in msg
             and "<source bridge>" in msg, "a missing bridge: the error names it and says "
             "what to do", msg)
    t.ok(taps() == before, "a failed start leaves no tap (the first interface's is gone)",
         (before, taps()))
    t.ok("nbad" not in conn.listDefinedDomains() and not any(
        d.name() == "nbad" for d in conn.listAllDomains()), "the failed guest is not listed")
    try:
        conn.createXML(guest_xml("ntaken", iface("ethernet", "52:54:00:00:00:c1",
                                                 target="<target dev='tap-np1'/>")), 0)
        t.ok(False, "a taken tap name is refused")
    except libvirt.libvirtError as e:
        t.ok("'tap-np1'" in str(e) and "already exists" in str(e) and "managed='no'" in str(e),
             "a taken tap name: the error names it and the way out", str(e))
    try:
        conn.createXML(guest_xml("nmiss", iface("ethernet", "52:54:00:00:00:d1",
                                                target="<target dev='mytap9' managed='no'/>")),
                       0)
        t.ok(False, "a missing managed='no' tap is refused")
    except libvirt.libvirtError as e:
        t.ok("'mytap9'" in str(e) and "does not exist" in str(e),
             "a missing managed='no' tap: the error names it", str(e))
    t.ok(taps() == before and link("mytap9") is None, "still no new tap", taps())


def test_unmanaged(t, conn):
    """ethernet + managed='no': the user's tap is used as it is and survives the guest."""
    ip("tuntap", "add", "dev", "mytap0", "mode", "tap")
    mine = link("mytap0")
    dom = conn.createXML(guest_xml("nu1", iface("ethernet", "52:54:00:00:00:e1", model="e1000",
                                                target="<target dev='mytap0' managed='no'/>")),
                         0)
    now = link("mytap0")
    t.ok(now["address"] == mine["address"] and now["flags"] == mine["flags"],
         "managed='no': the tap is not changed", now)
    t.ok("<target dev='mytap0' managed='no'/>" in dom.XMLDesc(0), "dumpxml keeps managed='no'",
         dom.XMLDesc(0))
    dom.destroy()
    t.ok(link("mytap0") is not None, "managed='no': the tap is still there after destroy")
    ip("link", "del", "mytap0")


def test_restart(t, qd, conn, nb1, np1):
    """kill -9 the daemon; the restarted one knows the taps and removes them."""
    qd.kill()
    qd.start()
    conn = libvirt.open(qd.uri)
    nb1 = conn.lookupByName("nb1")
    np1 = conn.lookupByName("np1")
    t.ok(target_devs(nb1.XMLDesc(0)) == ["vnet0"], "after the restart: nb1 still on vnet0")
    nn = conn.createXML(guest_xml("nn1", iface("bridge", "52:54:00:00:00:f1", BRIDGE)), 0)
    t.ok(target_devs(nn.XMLDesc(0)) == ["vnet2"],
         "after the restart: new names go on after the running guests' (vnet2)",
         target_devs(nn.XMLDesc(0)))
    nb1.destroy()
    t.ok(link("vnet0") is None, "destroy after the restart removes vnet0", taps())
    # a crash: QEMU killed under the daemon
    pid = np1.ID() and qd.guest_pid("np1")
    os.kill(pid, signal.SIGKILL)
    t.ok(wait_for(lambda: np1.state()[0] == libvirt.VIR_DOMAIN_SHUTOFF),
         "np1 is shut off after its QEMU was killed", np1.state())
    t.ok(link("vnet1") is None and link("tap-np1") is None, "the crashed guest's taps are gone",
         taps())
    t.ok(target_devs(np1.XMLDesc(0)) == ["tap-np1"], "shut off: back to the persistent names")
    nn.destroy()
    np1.undefine()
    t.ok(taps() == [], "no tap left", taps())
    conn.close()


def main():
    usable = os.geteuid() == 0 and shutil.which("unshare") and shutil.which("ip")
    # nothing printed before this: the TAP stream starts in the namespace
    if usable and not os.environ.get(NS_MARK):
        os.environ[NS_MARK] = "1"
        os.execvp("unshare", ["unshare", "-n", sys.executable, os.path.abspath(__file__)])
    t = Tap()
    if not usable:
        t.skip_all("needs root, unshare and ip (taps in a network namespace of its own)")
    if not os.path.exists("/usr/bin/qemu-system-x86_64"):
        t.skip_all("qemu-system-x86_64 is not installed")
    ip("link", "add", BRIDGE, "type", "bridge")
    ip("link", "set", BRIDGE, "up")
    libvirt_event_thread()
    qd = Qemud()
    try:
        conn = libvirt.open(qd.uri)
        nb1 = test_bridge(t, qd, conn)
        np1 = test_persistent(t, conn)
        test_refusals(t, conn)
        test_unmanaged(t, conn)
        conn.close()
        test_restart(t, qd, conn, nb1, np1)
    finally:
        qd.stop()
    t.done()


if __name__ == "__main__":
    main()
