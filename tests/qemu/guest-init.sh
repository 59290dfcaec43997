#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# /init of virtkit's tiny test guest (busybox-static initramfs, see mkguest.sh).
# It reports on the serial console and powers off when the ACPI power button is
# pressed (with virtkit.disk=write on its command line it writes to its disk instead). VIRTKIT-GUEST-READY is printed only after the power button device is open,
# so a system_powerdown sent after the marker is never lost.
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
for m in /lib/modules/*.ko; do /bin/busybox insmod "$m" 2>/dev/null; done
echo "VIRTKIT-GUEST-UP kernel=$(/bin/busybox uname -r)"
ev=""
for d in /sys/class/input/event*; do
    [ "$(/bin/busybox cat "$d/device/name" 2>/dev/null)" = "Power Button" ] && ev="/dev/input/${d##*/}"
done
if [ -z "$ev" ]; then
    echo "VIRTKIT-GUEST-NO-POWER-BUTTON"
    exec /bin/busybox sh
fi
exec 3<"$ev"
if /bin/busybox grep -q 'virtkit.disk=write' /proc/cmdline; then
    # Disk writer: every press of the power button N writes 256 KiB at N MiB of
    # /dev/vda, "VIRTKIT-DATA-N" first, synced, then says VIRTKIT-WROTE N. Never
    # powers off. Events are read one at a time (24 bytes): only key presses count.
    n=0
    echo "VIRTKIT-GUEST-READY"
    while ev=$(/bin/busybox dd bs=24 count=1 <&3 2>/dev/null | /bin/busybox od -An -tu2 -j16 -N6); do
        set -- $ev
        [ "$1" = 1 ] && [ "$3" = 1 ] || continue
        n=$((n + 1))
        if { printf 'VIRTKIT-DATA-%d\n' "$n"; /bin/busybox head -c 262144 /dev/urandom; } |
            /bin/busybox dd of=/dev/vda bs=1M seek="$n" conv=notrunc,fsync iflag=fullblock 2>/dev/null
        then
            echo "VIRTKIT-WROTE $n"
        else
            echo "VIRTKIT-WRITE-FAILED $n"
        fi
    done
fi
echo "VIRTKIT-GUEST-READY"
/bin/busybox dd bs=24 count=1 of=/dev/null <&3 2>/dev/null
echo "VIRTKIT-GUEST-POWEROFF"
/bin/busybox poweroff -f
