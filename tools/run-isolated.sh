#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run one virtkit driver daemon isolated in its own mount, PID, IPC and UTS namespaces.
#
#   tools/run-isolated.sh --root ROOT [--share DIR]... [--device DEV]... -- DAEMON [ARGS...]
#
# The daemon sees a fresh root file system built in a tmpfs: the host's /usr read-only (its
# programs, libraries and the hypervisor's firmware), a handful of /etc files, a /dev with
# only the basic character devices plus the devices given with --device (e.g. /dev/kvm,
# /dev/net/tun), its own /proc and /tmp, and read-write exactly one host directory: ROOT,
# which holds its sockets (ROOT/run/libvirt), configs, state and logs; --share adds more
# read-only directories (the daemon's build tree, guest images). Nothing else of the host
# is visible; the daemon cannot see or signal host processes.
#
# ROOT is passed on as the daemon's --root, so its sockets appear on the host under
# ROOT/run/libvirt/ where proxyd (started with the same --root) routes clients to it.
#
# PID 1 of the new PID namespace is this script (a small supervisor), not the daemon, so
# the guests the daemon starts survive a crash or restart of the daemon as they do on the
# host. Stopping the supervisor (SIGTERM) stops the daemon, then the namespace, and with
# it every process inside — like stopping a container.
set -euo pipefail

usage() {
    echo "usage: $0 --root ROOT [--share DIR]... [--device DEV]... -- DAEMON [ARGS...]" >&2
    exit 2
}

root=
shares=()
devices=()
while [ $# -gt 0 ]; do
    case "$1" in
    --root) root=$(realpath -m "$2"); shift 2 ;;
    --share) shares+=("$(realpath "$2")"); shift 2 ;;
    --device) devices+=("$2"); shift 2 ;;
    --) shift; break ;;
    *) usage ;;
    esac
done
[ -n "$root" ] && [ $# -gt 0 ] || usage
[ "$(id -u)" = 0 ] || { echo "$0: needs root (it creates namespaces and mounts)" >&2; exit 1; }

# Wait for child $1 into $status; a trapped signal interrupts wait, so wait again.
wait_for() {
    while :; do
        status=0
        wait "$1" || status=$?
        kill -0 "$1" 2>/dev/null || return 0
    done
}

if [ "${VIRTKIT_ISOLATED_STAGE:-}" != inner ]; then
    mkdir -p "$root"
    new=$(mktemp -d /tmp/virtkit-isolated.XXXXXX) # mount point of the new root, inside only
    args=(--root "$root")
    for s in "${shares[@]}"; do args+=(--share "$s"); done
    for d in "${devices[@]}"; do args+=(--device "$d"); done
    VIRTKIT_ISOLATED_STAGE=inner VIRTKIT_ISOLATED_NEWROOT=$new \
        unshare --mount --pid --ipc --uts --fork --kill-child=TERM --propagation private \
        "$(realpath "$0")" "${args[@]}" -- "$@" &
    child=$!
    # unshare ignores SIGTERM while it waits: signal the supervisor (PID 1 inside) itself.
    trap 'kill -TERM $(cat "/proc/$child/task/$child/children" 2>/dev/null) 2>/dev/null' TERM INT
    wait_for "$child"
    rmdir "$new"
    exit "$status"
fi

# Inside the namespaces, still seeing the host's file systems: build the new root.
new=$VIRTKIT_ISOLATED_NEWROOT
mount -t tmpfs -o mode=0755 virtkit-root "$new"

bind_ro() { # bind host path $1 at the same path inside, read-only
    mkdir -p "$new$1"
    mount --rbind "$1" "$new$1"
    mount -o remount,bind,ro "$new$1"
}
bind_rw() {
    mkdir -p "$new$1"
    mount --rbind "$1" "$new$1"
}

bind_ro /usr
for link in bin sbin lib lib32 lib64 libx32; do # merged /usr: keep the symlinks
    [ -L "/$link" ] && ln -s "$(readlink "/$link")" "$new/$link"
done

mkdir -p "$new/etc"
for f in passwd group nsswitch.conf ld.so.cache localtime hosts; do
    [ -e "/etc/$f" ] && cp -L "/etc/$f" "$new/etc/$f"
done
echo "$(basename "$1")" >"$new/etc/hostname"

mkdir -p "$new/dev" "$new/proc" "$new/tmp" "$new/run"
mount -t tmpfs -o mode=0755,nosuid virtkit-dev "$new/dev"
for d in null zero full random urandom tty "${devices[@]##/dev/}"; do
    [ -e "/dev/$d" ] || { echo "$0: /dev/$d does not exist on this host" >&2; exit 1; }
    mkdir -p "$(dirname "$new/dev/$d")"
    touch "$new/dev/$d"
    mount --bind "/dev/$d" "$new/dev/$d"
done
mkdir -p "$new/dev/pts" "$new/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$new/dev/pts"
ln -s pts/ptmx "$new/dev/ptmx"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$new/dev/shm"
mount -t tmpfs -o mode=1777,nosuid,nodev tmp "$new/tmp"
mount -t tmpfs -o mode=0755,nosuid,nodev run "$new/run"

bind_rw "$root"
for s in "${shares[@]}"; do bind_ro "$s"; done

hostname "$(basename "$1")"
cd "$new"
mkdir -p .old-root
pivot_root . .old-root
mount -t proc -o nosuid,nodev,noexec proc /proc
umount -l /.old-root
rmdir /.old-root
cd /

# The supervisor: PID 1 forwards SIGTERM/SIGINT to the daemon and reaps orphans.
"$@" --root "$root" &
daemon_pid=$!
trap 'kill -TERM "$daemon_pid" 2>/dev/null' TERM INT
wait_for "$daemon_pid"
exit "$status"
