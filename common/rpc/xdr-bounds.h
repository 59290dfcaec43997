/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Bounded replacements for libtirpc's xdr_string, xdr_bytes and xdr_array, used by
 * the generated marshalling code (see xdr-fixup.py). When decoding from a memory
 * stream they refuse a length that the remaining input cannot hold before anything
 * is allocated, so a 30-byte packet cannot make the decoder allocate 4 MiB. The
 * schema's own maximum is still enforced by libtirpc.
 */

#include <rpc/types.h>
#include <rpc/xdr.h>

bool_t rpc_xdr_string(XDR *xdrs, char **sp, u_int maxsize);
bool_t rpc_xdr_bytes(XDR *xdrs, char **sp, u_int *sizep, u_int maxsize);
bool_t rpc_xdr_array(XDR *xdrs, caddr_t *addrp, u_int *sizep, u_int maxsize, u_int elsize,
                     xdrproc_t elproc);
