#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's quickstart: install dependencies, build, then walk through a short
# virtsh session. For now it runs on the in-process test driver (test:///default);
# it will boot a real QEMU guest through virtqemud once that driver lands.
set -euo pipefail
cd "$(dirname "$0")/.."

./tools/install-deps.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null

virtsh=build/libclient/shell/virtsh

# test:///default lives inside one process, so the whole session is one invocation:
# virtsh, like virsh, runs ';'-separated commands in order.
cmds=(
    "list --all"
    "define examples/demo.xml"
    "start demo"
    "dominfo demo"
    "list --all"
    "destroy demo"
    "undefine demo"
    "list --all"
)
script=""
for c in "${cmds[@]}"; do
    script+="echo; echo '\$ virtsh $c'; $c; "
done
"$virtsh" -c test:///default "$script"
