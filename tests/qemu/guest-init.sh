#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# /init of virtkit's tiny test guest (busybox-static initramfs, see mkguest.sh).
# It reports on the serial console and powers off when the ACPI power button is
# pressed. VIRTKIT-GUEST-READY is printed only after the power button device is open,
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
echo "VIRTKIT-GUEST-READY"
/bin/busybox dd bs=24 count=1 of=/dev/null <&3 2>/dev/null
echo "VIRTKIT-GUEST-POWEROFF"
/bin/busybox poweroff -f
