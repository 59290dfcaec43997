#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Post-process rpcgen's XDR code for remote-protocol.x.

rpcgen derives the header guard from the file name (which has a dash, so the guard
is not an identifier), includes the header by the path it was given, and calls
libtirpc's xdr_string/xdr_bytes/xdr_array, which allocate the length a peer claims
before checking that the bytes are there. For the header we replace the guard with
#pragma once; for the code we include the header by its project path and route
those three calls through the bounded wrappers of xdr-bounds.h.

Usage: xdr-fixup.py header INPUT.h OUTPUT.h
       xdr-fixup.py code INPUT.c OUTPUT.c HEADER_INCLUDE
"""

import re
import sys


def fix_header(text):
    text, n = re.subn(r"^#ifndef (\S+)\n#define \1\n", "#pragma once\n", text, count=1,
                      flags=re.M)
    if n != 1:
        return None
    text, n = re.subn(r"^#endif /\* !_\S+ \*/\s*$", "", text, count=1, flags=re.M)
    return text if n == 1 else None


def fix_code(text, header):
    text, n = re.subn(r'^#include "[^"]*"$',
                      f'#include "{header}"\n#include "rpc/xdr-bounds.h"',
                      text, count=1, flags=re.M)
    if n != 1:
        return None
    return re.sub(r"\bxdr_(string|bytes|array)\s*\(", r"rpc_xdr_\1 (", text)


def main(argv):
    if len(argv) < 4 or argv[1] not in ("header", "code") or len(argv) != (4 if argv[1] == "header" else 5):
        print(__doc__, file=sys.stderr)
        return 2
    mode, src, dst = argv[1:4]
    with open(src, encoding="utf-8") as f:
        text = f.read()
    text = fix_header(text) if mode == "header" else fix_code(text, argv[4])
    if text is None:
        print(f"{src}: unexpected rpcgen output, cannot post-process", file=sys.stderr)
        return 1
    with open(dst, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
