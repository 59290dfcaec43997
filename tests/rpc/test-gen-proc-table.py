#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Tier: golden (pure). gen-proc-table.py refuses schemas that would make the table
lie: a procedure without an access class, an unknown annotation, a number used
twice, a payload type no procedure uses, a message with call payloads, a call that
changes state marked to run inline on a daemon's loop thread, an @auth: none call
that would need an open connection, flags denied to read-only connections that the
table could not find or that an acl demands but nobody declared.

Usage: test-gen-proc-table.py PATH/TO/gen-proc-table.py
"""

import importlib.util
import sys

BASE = """
const REMOTE_PROGRAM = 0x20008086;
const REMOTE_PROTOCOL_VERSION = 1;
struct remote_foo_args { int a; };
struct remote_foo_ret { int b; };
struct remote_bar_msg { int c; };
struct remote_qux_args { int x; unsigned int flags; };
enum remote_procedure {
    /**
     * @access: read-only
     * @priority: high
     * @dispatch: inline
     * @acl: domain:read
     */
    REMOTE_PROC_FOO = 1,

    /**
     * @access: read-only
     * @open: none
     */
    REMOTE_PROC_BAR = 2,

    /**
     * @access: read-only
     * @acl: domain:read_secure:VIR_X_SECURE
     * @ro_denied_flags: secure 0x9
     */
    REMOTE_PROC_QUX = 3
};
"""

BAD = {
    "missing-access": ("@access: read-only\n     * @priority: high", "@priority: high"),
    "bad-access": ("@access: read-only\n     * @priority", "@access: sometimes\n     * @priority"),
    "unknown-annotation": ("@priority: high", "@priority: high\n     * @colour: blue"),
    "duplicate-number": ("REMOTE_PROC_BAR = 2", "REMOTE_PROC_BAR = 1"),
    "unused-type": ("struct remote_foo_args", "struct remote_baz_args { int z; };\nstruct remote_foo_args"),
    "bad-priority": ("@priority: high", "@priority: urgent"),
    "no-comment": ("    /**\n     * @access: read-only\n     * @open: none\n     */\n    REMOTE_PROC_BAR",
                   "    REMOTE_PROC_BAR"),
    "message-with-args": ("@priority: high", "@priority: high\n     * @kind: message"),
    "bad-dispatch": ("@dispatch: inline", "@dispatch: sometimes"),
    "inline-read-write": ("@access: read-only\n     * @priority: high",
                          "@access: read-write\n     * @priority: high"),
    "bad-open": ("@priority: high", "@priority: high\n     * @open: later"),
    "auth-none-needs-open": ("@priority: high", "@priority: high\n     * @auth: none"),
    "ro-denied-undeclared": ("\n     * @ro_denied_flags: secure 0x9", ""),
    "ro-denied-bad-kind": ("@ro_denied_flags: secure", "@ro_denied_flags: secret"),
    "ro-denied-zero-mask": ("@ro_denied_flags: secure 0x9", "@ro_denied_flags: secure 0"),
    "ro-denied-read-write": ("@access: read-only\n     * @acl: domain:read_secure",
                             "@access: read-write\n     * @acl: domain:read_secure"),
    "ro-denied-no-flags-member": ("unsigned int flags;", "unsigned int mode;"),
}


def load(path):
    spec = importlib.util.spec_from_file_location("gen_proc_table", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main(argv):
    mod = load(argv[1])
    failures = 0
    print("1..%d" % (2 + len(BAD)))
    n = 0

    lines = mod.build(*mod.parse(BASE), with_flags=mod.flag_structs(BASE))
    text = "\n".join(lines)
    n += 1
    ok = ("remote_foo_args" in text and "RPC_PROC_ACCESS_READ_ONLY" in text
          and "RPC_PROC_KIND_MESSAGE" in text and '"domain:read"' in text
          and "RPC_PROC_DISPATCH_INLINE" in text and "RPC_PROC_DISPATCH_WORKER" in text
          and ".needs_open = true" in text and ".needs_open = false" in text
          and "{ 0x9u, RPC_PROC_RO_DENIED_SECURE, offsetof(remote_qux_args, flags) }" in text
          and "sizeof(((remote_qux_args *)0)->flags) == sizeof(uint32_t)" in text
          and ".ro_denied = { 0 }" in text)
    print(("ok" if ok else "not ok") + f" {n} - valid schema builds")
    failures += not ok

    consts, types, programs = mod.parse(BASE)
    n += 1
    procs = dict((name, (num, ann)) for name, num, ann in programs[0][1])
    ok = (procs["REMOTE_PROC_FOO"][1].get("priority") == "high"
          and procs["REMOTE_PROC_BAR"][0] == 2 and programs[0][0] == "remote")
    print(("ok" if ok else "not ok") + f" {n} - annotations parsed")
    failures += not ok

    for name, (old, new) in BAD.items():
        n += 1
        schema = BASE.replace(old, new, 1)
        assert schema != BASE, name
        try:
            mod.build(*mod.parse(schema), with_flags=mod.flag_structs(schema))
            ok = False
        except mod.SchemaError:
            ok = True
        print(("ok" if ok else "not ok") + f" {n} - {name} refused")
        failures += not ok
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
