#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's test command: install dependencies, build with -Werror, run the whole
# suite, then build again with AddressSanitizer + UndefinedBehaviorSanitizer and run the
# suite once more. `--quick` skips the sanitizer pass.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
[ "${1:-}" = "--quick" ] && quick=1

./tools/install-deps.sh

summary() {
    # Print "N passed, N failed" over the test logs given.
    /usr/bin/python3 - "$@" <<'PY'
import json, sys
ok = bad = skip = 0
for line in (l for f in sys.argv[1:] for l in open(f)):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"): ok += 1
    elif r == "SKIP": skip += 1
    else: bad += 1
print(f"{ok} passed, {bad} failed, {skip} skipped")
PY
}

run_suite() {
    local dir=$1 bench=$2; shift 2
    rm -rf "$dir"
    meson setup "$dir" --werror "$@" >/dev/null
    ninja -C "$dir"
    local rc=0
    meson test -C "$dir" --print-errorlogs --no-suite bench || rc=$?
    cp "$dir/meson-logs/testlog.json" "$dir/suite-testlog.json"
    local logs=("$dir/suite-testlog.json")
    if [ "$bench" = yes ]; then
        meson test -C "$dir" --suite bench --verbose || rc=$?
        logs+=("$dir/meson-logs/testlog.json")
    fi
    printf '%s: ' "$dir"
    summary "${logs[@]}"
    all_logs+=("${logs[@]}")
    return $rc
}

rc=0
all_logs=()
run_suite build-test yes || rc=1
if [ $quick -eq 0 ]; then
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        run_suite build-asan no -Db_sanitize=address,undefined -Db_lundef=false || rc=1
fi
printf 'total: '
summary "${all_logs[@]}"
exit $rc
