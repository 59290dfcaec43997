#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's quickstart: install dependencies, build, start virtqemud and proxyd under a
# temporary --root (nothing on the host changes besides packages), and boot a real tiny
# Linux guest under QEMU through them: list, dominfo, its serial console, an internal
# snapshot and a revert, then an ACPI shutdown — with virtkit's virtsh and with libvirt's
# own virsh, unchanged, on the same daemons.
#
# The guest is Debian's cloud kernel plus busybox in an initramfs, built once by
# tests/qemu/mkguest.sh into ~/.cache/virtkit-test (about 30 MB downloaded by apt-get
# download; nothing is installed). It runs under TCG, so no /dev/kvm is needed.
set -euo pipefail
cd "$(dirname "$0")/.."

./tools/install-deps.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null

eval "$(tests/qemu/mkguest.sh)" # sets KERNEL and INITRD

root=$(mktemp -d /tmp/virtkit-quickstart.XXXXXX)
pids=()
console_fd=
cleanup() {
    [ -n "$console_fd" ] && exec 3>&-
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
    # a guest left running (the script failed half-way) goes with the root
    pkill -f -- "-pidfile $root/" 2>/dev/null || true
    rm -rf "$root"
}
trap cleanup EXIT

start_daemon() { # start_daemon NAME SOCKET: run build/NAME under the root, wait for SOCKET
    local exe=$1 sock=$2 log="$root/$(basename "$1").log"
    "build/$exe" --root "$root" >"$log" 2>&1 &
    pids+=($!)
    for _ in $(seq 200); do # up to 20 s
        [ -S "$sock" ] && return 0
        kill -0 "${pids[-1]}" 2>/dev/null || break
        sleep 0.1
    done
    echo "$exe did not create $sock:" >&2
    cat "$log" >&2
    exit 1
}
start_daemon virtqemud/virtqemud "$root/run/libvirt/virtqemud-sock"
start_daemon proxyd/proxyd "$root/run/libvirt/libvirt-sock"
echo "virtqemud and proxyd are running under $root"

# clients reach virtqemud through proxyd's legacy libvirt-sock, as older clients do
uri="qemu+unix:///system?socket=$root/run/libvirt/libvirt-sock"
run() {
    printf '\n\033[1m$ %s\033[0m\n' "$*"
    "$@"
}
virtsh() { build/libclient/shell/virtsh -c "$uri" "$@"; }

qemu-img create -q -f qcow2 "$root/tiny.qcow2" 64M
sed -e "s|@KERNEL@|$KERNEL|" -e "s|@INITRD@|$INITRD|" -e "s|@DISK@|$root/tiny.qcow2|" \
    examples/tiny.xml >"$root/tiny.xml"

run virtsh define "$root/tiny.xml"
run virtsh start tiny
run virtsh list --all
run virtsh dominfo tiny

# The serial console over an RPC stream; its input is a pipe we hold open, so the session
# lasts until we end it once the guest says it is up.
printf '\n\033[1m$ virtsh console tiny\033[0m   (until the guest reports ready)\n'
mkfifo "$root/console.in"
exec 3<>"$root/console.in"
console_fd=3
coproc CONSOLE { exec build/libclient/shell/virtsh -c "$uri" console tiny <"$root/console.in"; }
console_pid=$CONSOLE_PID # bash unsets CONSOLE_PID when the coprocess ends
exec 4<&"${CONSOLE[0]}"
ready=
while IFS= read -r -t 180 line <&4; do
    printf '  | %s\n' "${line%$'\r'}"
    if [[ $line == *VIRTKIT-GUEST-READY* ]]; then
        ready=1
        break
    fi
done
kill "$console_pid" 2>/dev/null || true
wait "$console_pid" 2>/dev/null || true
exec 4<&-
[ -n "$ready" ] || { echo "the guest did not report ready on its console" >&2; exit 1; }

run virtsh snapshot-create-as tiny booted --description "right after boot"
run virtsh snapshot-list tiny
run virtsh suspend tiny
run virtsh snapshot-revert tiny booted
run virtsh domstate tiny --reason

if command -v virsh >/dev/null; then
    # libvirt's own client, unmodified, on the same daemons
    run virsh -c "$uri" list --all
    run virsh -c "$uri" snapshot-list tiny --tree
    run virsh -c "$uri" dominfo tiny
fi

run virtsh shutdown tiny
for _ in $(seq 120); do # the guest powers off when it sees the ACPI button
    [ "$(virtsh domstate tiny)" = "shut off" ] && break
    sleep 0.5
done
run virtsh domstate tiny --reason
run virtsh undefine tiny --snapshots-metadata
run virtsh list --all
echo
echo "Done: the daemons stop and $root is removed."
