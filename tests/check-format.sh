#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every tracked C file is formatted as .clang-format says (STYLE.md §3).
set -euo pipefail
cd "$1"
if ! git rev-parse --git-dir >/dev/null 2>&1; then
    echo "1..0 # SKIP not a git checkout"
    exit 0
fi
mapfile -t files < <(git ls-files '*.c' '*.h')
echo "1..1"
if clang-format --dry-run -Werror "${files[@]}"; then
    echo "ok 1 - ${#files[@]} files formatted"
else
    echo "not ok 1 - run clang-format -i on the files above"
fi
