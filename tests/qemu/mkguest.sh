#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# mkguest.sh [CACHE_DIR] - build virtkit's tiny real test guest and print its paths.
#
# Debian's cloud kernel and busybox-static are fetched with `apt-get download` and
# unpacked with `dpkg-deb -x` into the cache directory: nothing is installed on the
# host (a linux-image package must never be installed here: it hooks the bootloader).
# The initramfs holds busybox, the button/evdev modules and guest-init.sh as /init.
# Output (stdout): "KERNEL=<path>" and "INITRD=<path>". Cached: a second run only
# prints. CACHE_DIR defaults to $VIRTKIT_TEST_CACHE, else $XDG_CACHE_HOME/virtkit-test.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache=${1:-${VIRTKIT_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/virtkit-test}}
kernel="$cache/vmlinuz"
initrd="$cache/initrd.gz"
stamp="$cache/guest.stamp"
# the initramfs depends on our /init: rebuild when it changes
want=$(cat "$here/guest-init.sh" "$0" | cksum)

if [ -f "$kernel" ] && [ -f "$initrd" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    echo "KERNEL=$kernel"
    echo "INITRD=$initrd"
    exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT

# the versioned package behind the meta package, e.g. linux-image-6.1.0-26-cloud-amd64
pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
      sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n 1)
if [ -z "$pkg" ]; then
    echo "mkguest: cannot resolve linux-image-cloud-amd64 (run apt-get update?)" >&2
    exit 1
fi
# the .debs stay in the cache: a change of /init does not download them again
mkdir -p "$cache/debs"
if ! ls "$cache/debs/$pkg"_*.deb >/dev/null 2>&1 || ! ls "$cache"/debs/busybox-static_*.deb >/dev/null 2>&1; then
    (cd "$cache/debs" && apt-get download -q "$pkg" busybox-static >/dev/null 2>"$work/apt.err") ||
        { cat "$work/apt.err" >&2; exit 1; }
fi
dpkg-deb -x "$(ls "$cache/debs/$pkg"_*.deb | head -n 1)" "$work/kernel"
dpkg-deb -x "$(ls "$cache"/debs/busybox-static_*.deb | head -n 1)" "$work/busybox"

moddir=$(echo "$work"/kernel/lib/modules/*)
root="$work/root"
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/lib/modules"
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
# numbered in load order (/init loads them in glob order): virtio_blk needs the rest
n=10
for mod in drivers/acpi/button.ko drivers/input/evdev.ko drivers/virtio/virtio_ring.ko \
           drivers/virtio/virtio.ko drivers/virtio/virtio_pci_legacy_dev.ko \
           drivers/virtio/virtio_pci_modern_dev.ko drivers/virtio/virtio_pci.ko \
           drivers/block/virtio_blk.ko; do
    dest="$root/lib/modules/$n-$(basename "$mod")"
    n=$((n + 1))
    if [ -f "$moddir/kernel/$mod" ]; then
        cp "$moddir/kernel/$mod" "$dest"
    elif [ -f "$moddir/kernel/$mod.xz" ]; then
        xz -dc "$moddir/kernel/$mod.xz" > "$dest"
    fi
done
cp "$here/guest-init.sh" "$root/init"
chmod 755 "$root/init"
(cd "$root" && find . | "$root/bin/busybox" cpio -o -H newc 2>/dev/null) | gzip -9 > "$work/initrd.gz"

cp "$work"/kernel/boot/vmlinuz-* "$work/vmlinuz"
mv "$work/vmlinuz" "$kernel"
mv "$work/initrd.gz" "$initrd"
echo "$want" > "$stamp"
echo "KERNEL=$kernel"
echo "INITRD=$initrd"
