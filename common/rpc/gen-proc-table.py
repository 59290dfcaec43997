#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Generate the procedure table from remote-protocol.x.

The schema is the single source of truth: rpcgen turns its types into XDR code, and
this script turns its procedure enums and their doc-comment annotations into a C
table (number -> name, payload xdrprocs and sizes, access class, priority, acl,
where the daemon runs it, whether it needs an open connection, the flags a read-only
connection may not pass and where they sit in the decoded arguments), so nothing
about a procedure is written twice.

Usage: gen-proc-table.py SCHEMA.x OUTPUT.c HEADER_INCLUDE
"""

import re
import sys

ANNOTATION_KEYS = {"access", "priority", "auth", "open", "acl", "stream", "kind", "dispatch",
                   "ro_denied_flags"}
ACCESS = {"read-only": "RPC_PROC_ACCESS_READ_ONLY", "read-write": "RPC_PROC_ACCESS_READ_WRITE"}
PRIORITY = {"low": "RPC_PROC_PRIORITY_LOW", "high": "RPC_PROC_PRIORITY_HIGH"}
STREAM = {"none": "RPC_PROC_STREAM_NONE", "read": "RPC_PROC_STREAM_READ",
          "write": "RPC_PROC_STREAM_WRITE"}
DISPATCH = {"worker": "RPC_PROC_DISPATCH_WORKER", "inline": "RPC_PROC_DISPATCH_INLINE",
            "loop": "RPC_PROC_DISPATCH_LOOP"}
RO_DENIED = {"secure": "RPC_PROC_RO_DENIED_SECURE", "write": "RPC_PROC_RO_DENIED_WRITE"}
# libvirt's @acl perms that a flag of a read-only call may demand: the flag reveals
# secrets (read_secure) or changes state (write), so a read-only connection must not
# pass it and the procedure has to say which flags those are
RO_DENIED_ACL_PERMS = {"read_secure", "write"}


class SchemaError(Exception):
    pass


def strip_comments_keep_doc(text):
    """Return (code without comments, list of (offset, doc comment)) pairs."""
    docs = []
    out = []
    pos = 0
    for m in re.finditer(r"/\*.*?\*/", text, re.S):
        out.append(text[pos:m.start()])
        # keep length so offsets in the stripped text stay comparable
        out.append(" " * (m.end() - m.start()))
        if m.group(0).startswith("/**"):
            docs.append((m.start(), m.group(0)))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), docs


def parse_annotations(doc, where):
    ann = {"acl": []}
    for line in doc.splitlines():
        m = re.match(r"\s*(?:/\*\*|\*)?\s*@(\w+):\s*(\S.*?)\s*(?:\*/)?\s*$", line)
        if not m:
            continue
        key, value = m.group(1), m.group(2)
        if key not in ANNOTATION_KEYS:
            raise SchemaError(f"{where}: unknown annotation '@{key}'")
        if key == "acl":
            if value != "none":
                ann["acl"].append(value)
        elif key in ann:
            raise SchemaError(f"{where}: annotation '@{key}' given twice")
        else:
            ann[key] = value
    return ann


def parse(text):
    code, docs = strip_comments_keep_doc(text)
    consts = {m.group(1): m.group(2)
              for m in re.finditer(r"\bconst\s+(\w+)\s*=\s*(\w+)\s*;", code)}
    types = set(re.findall(r"\b(?:struct|union)\s+(\w+)\s*(?:\{|switch)", code))
    types |= set(re.findall(r"\btypedef\b[^;]*?\b(\w+)\s*(?:\[[^\]]*\]|<[^>]*>)?\s*;", code))
    programs = []
    for m in re.finditer(r"\benum\s+(\w+)_procedure\s*\{(.*?)\}", code, re.S):
        prefix = m.group(1)
        body_start = m.start(2)
        procs = []
        for e in re.finditer(r"\b([A-Z0-9_]+)\s*=\s*(\d+)", m.group(2)):
            name, number = e.group(1), int(e.group(2))
            where = f"{name}"
            offset = body_start + e.start()
            preceding = [d for (o, d) in docs if o < offset]
            if not preceding:
                raise SchemaError(f"{where}: no annotation comment")
            doc_offset = max(o for (o, d) in docs if o < offset)
            between = code[doc_offset:offset]
            if "," in between or "{" in between:
                raise SchemaError(f"{where}: no annotation comment")
            procs.append((name, number, parse_annotations(preceding[-1], where)))
        programs.append((prefix, procs))
    return consts, types, programs


def flag_structs(text):
    """The structs with a 32-bit 'unsigned int flags' member (@ro_denied_flags reads it)."""
    code, _ = strip_comments_keep_doc(text)
    return {m.group(1) for m in re.finditer(r"\bstruct\s+(\w+)\s*\{([^}]*)\}", code)
            if re.search(r"(?:^|;)\s*unsigned\s+int\s+flags\s*;", m.group(2))}


def c_proc(t):
    # xdrproc_t is variadic; going through void (*)(void) is the cast gcc accepts
    return f"(xdrproc_t)(void (*)(void))xdr_{t if t else 'void'}"


def c_size(t):
    return f"sizeof({t})" if t else "0"


def c_str(s):
    return f'"{s}"' if s is not None else "NULL"


def parse_ro_denied(name, ann, args, with_flags):
    """(kind, mask) of '@ro_denied_flags: secure|write MASK', or None; checked against
    the procedure's access class, its acl and its argument struct."""
    value = ann.get("ro_denied_flags")
    flag_perms = [a for a in ann["acl"] if len(a.split(":")) == 3
                  and a.split(":")[1] in RO_DENIED_ACL_PERMS]
    if value is None:
        if ann["access"] == "read-only" and flag_perms:
            raise SchemaError(f"{name}: '@acl: {flag_perms[0]}' on a read-only call needs "
                              "'@ro_denied_flags: secure|write MASK'")
        return None
    m = re.fullmatch(r"(\w+)\s+(0x[0-9a-fA-F]+|[0-9]+)", value)
    if not m or m.group(1) not in RO_DENIED:
        raise SchemaError(f"{name}: bad @ro_denied_flags '{value}' (secure|write MASK)")
    mask = int(m.group(2), 0)
    if not 0 < mask < 1 << 32:
        raise SchemaError(f"{name}: @ro_denied_flags mask must be a nonzero 32-bit value")
    if ann["access"] != "read-only":
        raise SchemaError(f"{name}: '@ro_denied_flags' on a read-write call (refused whole)")
    if args not in with_flags:
        raise SchemaError(f"{name}: '@ro_denied_flags' needs an 'unsigned int flags' "
                          "member in its _args struct")
    return m.group(1), mask


def c_ro_denied(ro_denied, args):
    if not ro_denied:
        return "{ 0 }"
    kind, mask = ro_denied
    return (f"{{ 0x{mask:x}u, {RO_DENIED[kind]}, offsetof({args}, flags) }}")


def build(consts, types, programs, with_flags=frozenset()):
    used = set()
    lines = []
    prog_entries = []
    for prefix, procs in programs:
        up = prefix.upper()
        if f"{up}_PROGRAM" not in consts or f"{up}_PROTOCOL_VERSION" not in consts:
            raise SchemaError(f"{prefix}: missing {up}_PROGRAM or {up}_PROTOCOL_VERSION")
        seen = {}
        rows = []
        for name, number, ann in sorted(procs, key=lambda p: p[1]):
            if number in seen:
                raise SchemaError(f"{name}: number {number} already used by {seen[number]}")
            seen[number] = name
            if not name.startswith(f"{up}_PROC_"):
                raise SchemaError(f"{name}: must start with {up}_PROC_")
            base = prefix + "_" + name[len(up) + 6:].lower()
            args = base + "_args" if base + "_args" in types else None
            ret = base + "_ret" if base + "_ret" in types else None
            msg = base + "_msg" if base + "_msg" in types else None
            used.update(t for t in (args, ret, msg) if t)
            if "access" not in ann or ann["access"] not in ACCESS:
                raise SchemaError(f"{name}: '@access: read-only|read-write' is mandatory")
            priority = ann.get("priority", "low")
            if priority not in PRIORITY:
                raise SchemaError(f"{name}: bad @priority '{priority}'")
            stream = ann.get("stream", "none")
            if stream not in STREAM:
                raise SchemaError(f"{name}: bad @stream '{stream}'")
            auth = ann.get("auth", "required")
            if auth not in ("none", "required"):
                raise SchemaError(f"{name}: bad @auth '{auth}'")
            opened = ann.get("open", "required")
            if opened not in ("none", "required"):
                raise SchemaError(f"{name}: bad @open '{opened}'")
            dispatch = ann.get("dispatch", "worker")
            if dispatch not in DISPATCH:
                raise SchemaError(f"{name}: bad @dispatch '{dispatch}'")
            # the loop thread must never run anything that changes driver state
            if dispatch == "inline" and ann["access"] != "read-only":
                raise SchemaError(f"{name}: '@dispatch: inline' needs '@access: read-only'")
            kind = ann.get("kind", "message" if msg else "call")
            if kind not in ("call", "message"):
                raise SchemaError(f"{name}: bad @kind '{kind}'")
            if kind == "message" and (args or ret):
                raise SchemaError(f"{name}: a message has no _args/_ret types")
            # authenticating comes before opening: an auth step cannot need the open
            if kind == "call" and auth == "none" and opened != "none":
                raise SchemaError(f"{name}: '@auth: none' needs '@open: none'")
            ro_denied = parse_ro_denied(name, ann, args, with_flags)
            if ro_denied:
                # the dispatcher reads the flags as a uint32_t at that offset
                lines.append(f"G_STATIC_ASSERT(sizeof((({args} *)0)->flags) == "
                             "sizeof(uint32_t));")
            acl = "NULL"
            if ann["acl"]:
                acl_name = f"{base}_acl"
                lines.append(f"static const char *const {acl_name}[] = {{ "
                             + ", ".join(c_str(a) for a in ann["acl"]) + ", NULL };")
                acl = acl_name
            rows.append(
                "    {\n"
                f"        .prog = {up}_PROGRAM,\n"
                f"        .proc = {name},\n"
                f"        .name = {c_str(name)},\n"
                f"        .kind = RPC_PROC_KIND_{kind.upper()},\n"
                f"        .args = {{ {c_proc(args)}, {c_size(args)}, {c_str(args)} }},\n"
                f"        .ret = {{ {c_proc(ret)}, {c_size(ret)}, {c_str(ret)} }},\n"
                f"        .msg = {{ {c_proc(msg)}, {c_size(msg)}, {c_str(msg)} }},\n"
                f"        .access = {ACCESS[ann['access']]},\n"
                f"        .priority = {PRIORITY[priority]},\n"
                f"        .stream = {STREAM[stream]},\n"
                f"        .dispatch = {DISPATCH[dispatch]},\n"
                f"        .needs_auth = {'false' if auth == 'none' else 'true'},\n"
                f"        .needs_open = {'false' if opened == 'none' else 'true'},\n"
                f"        .acl = {acl},\n"
                f"        .ro_denied = {c_ro_denied(ro_denied, args)},\n"
                "    },")
        lines.append(f"static const RpcProcInfo {prefix}_procs[] = {{")
        lines.extend(rows)
        lines.append("};")
        lines.append("")
        prog_entries.append(
            f"    {{ {up}_PROGRAM, {up}_PROTOCOL_VERSION, {c_str(prefix)}, {prefix}_procs, "
            f"G_N_ELEMENTS({prefix}_procs) }},")
    unused = sorted(t for t in types
                    if re.search(r"_(args|ret|msg)$", t) and t not in used)
    if unused:
        raise SchemaError("payload types no procedure uses: " + ", ".join(unused))
    lines.append("const RpcProgramInfo rpc_programs[] = {")
    lines.extend(prog_entries)
    lines.append("};")
    lines.append("const size_t rpc_n_programs = G_N_ELEMENTS(rpc_programs);")
    return lines


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    schema, output, header = argv[1:]
    with open(schema, encoding="utf-8") as f:
        text = f.read()
    try:
        lines = build(*parse(text), with_flags=flag_structs(text))
    except SchemaError as e:
        print(f"{schema}: {e}", file=sys.stderr)
        return 1
    with open(output, "w", encoding="utf-8") as f:
        f.write("/* SPDX-License-Identifier: LGPL-2.1-or-later */\n")
        f.write("/* Generated by gen-proc-table.py from remote-protocol.x: do not edit. */\n\n")
        f.write("#include \"rpc/proc-table.h\"\n")
        f.write(f"#include \"{header}\"\n\n")
        f.write("\n".join(lines))
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
