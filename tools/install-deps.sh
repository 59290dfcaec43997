#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install everything virtkit needs to build and test on Debian 12. Idempotent.
set -euo pipefail

packages=(
    # build
    gcc pkg-config meson ninja-build python3 rpcsvc-proto clang-format
    libglib2.0-dev libxml2-dev libjson-glib-dev libgnutls28-dev libssh-dev
    libsystemd-dev libnl-3-dev libnl-route-3-dev libtirpc-dev
    # tests: libvirt's real clients and schemas, xmllint, certtool, valgrind
    libvirt-clients python3-libvirt libvirt0 libxml2-utils gnutls-bin valgrind
    # libvirtd itself, only so the benchmarks can measure it side by side (private temp
    # config; never started as a service); its qemu driver for tests/qemu/bench-qemud.py
    libvirt-daemon libvirt-daemon-driver-qemu
    # tests of host networking: ip (bridges, taps) in a network namespace of the test
    iproute2
    # units: systemd-analyze verify, systemd-socket-activate
    systemd
    # qemu: the real-TCG tier (the test guest itself is fetched by tests/qemu/mkguest.sh)
    qemu-system-x86 qemu-utils
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "virtkit needs these Debian packages: ${missing[*]}" >&2
    echo "run this script as root (or with sudo) to install them" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
