#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's quickstart: install dependencies, build, start proxyd under a temporary
# --root (nothing on the host is touched besides packages), and manage domains through
# it with virtkit's virtsh and with libvirt's own virsh, unchanged.
#
# For now proxyd serves the built-in test driver (test:///default); the quickstart will
# boot a real QEMU guest through virtqemud once that driver lands.
set -euo pipefail
cd "$(dirname "$0")/.."

./tools/install-deps.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null

root=$(mktemp -d /tmp/virtkit-quickstart.XXXXXX)
proxyd_pid=
cleanup() {
    [ -n "$proxyd_pid" ] && kill "$proxyd_pid" 2>/dev/null && wait "$proxyd_pid" 2>/dev/null
    rm -rf "$root"
}
trap cleanup EXIT

build/proxyd/proxyd --root "$root" >"$root/proxyd.log" 2>&1 &
proxyd_pid=$!
sock="$root/run/libvirt/libvirt-sock"
for _ in $(seq 100); do # up to 10 s for the socket to appear
    [ -S "$sock" ] && break
    kill -0 "$proxyd_pid" 2>/dev/null || { cat "$root/proxyd.log"; exit 1; }
    sleep 0.1
done
[ -S "$sock" ] || { echo "proxyd did not create $sock" >&2; cat "$root/proxyd.log"; exit 1; }

uri="test+unix:///default?socket=$sock"
echo "proxyd is running under $root (pid $proxyd_pid)"

run() {
    printf '\n\033[1m$ %s\033[0m\n' "$*"
    "$@"
}
virtsh() { build/libclient/shell/virtsh -c "$uri" "$@"; }

run virtsh list --all
run virtsh define examples/demo.xml
run virtsh start demo
run virtsh dominfo demo
run virtsh list --all --json
if command -v virsh >/dev/null; then
    # libvirt's own client, unmodified, on the same daemon
    run virsh -c "$uri" list --all
    run virsh -c "$uri" suspend demo
    run virsh -c "$uri" domstate demo --reason
    run virsh -c "$uri" resume demo
fi
run virtsh destroy demo
run virtsh undefine demo
run virtsh list --all
echo
echo "Done: proxyd stops and $root is removed."
