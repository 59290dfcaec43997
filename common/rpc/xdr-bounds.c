/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Length checks before allocation for the generated XDR code. Only memory streams
 * (xdrmem_create) are checked: there x_handy counts the bytes left, which is what
 * bounds a claimed length. Every XDR item takes at least 4 bytes, so an array of n
 * elements needs 4n bytes; strings and opaque data need n bytes.
 */

#include <glib.h>

#include "rpc/xdr-bounds.h"

/* libtirpc's xdrmem has one ops table for aligned buffers and one for unaligned. */
static bool_t is_xdrmem(const XDR *xdrs)
{
    static const struct xdr_ops *ops[2];
    static gsize initialized;

    if (g_once_init_enter(&initialized)) {
        uint32_t words[2] = { 0, 0 };

        for (int i = 0; i < 2; i++) {
            XDR probe;

            xdrmem_create(&probe, (char *)words + i, sizeof(uint32_t), XDR_DECODE);
            ops[i] = probe.x_ops;
        }
        g_once_init_leave(&initialized, 1);
    }
    return xdrs->x_ops == ops[0] || xdrs->x_ops == ops[1];
}

/* Whether a decoded count of @n items of at least @unit bytes each fits the input. */
static bool_t count_fits(XDR *xdrs, u_int unit)
{
    u_int pos;
    u_int n;
    bool_t ok;

    if (xdrs->x_op != XDR_DECODE || !is_xdrmem(xdrs))
        return TRUE;
    pos = xdr_getpos(xdrs);
    if (!xdr_u_int(xdrs, &n))
        return FALSE;
    ok = n <= xdrs->x_handy / unit;
    return xdr_setpos(xdrs, pos) && ok;
}

bool_t rpc_xdr_string(XDR *xdrs, char **sp, u_int maxsize)
{
    return count_fits(xdrs, 1) && xdr_string(xdrs, sp, maxsize);
}

bool_t rpc_xdr_bytes(XDR *xdrs, char **sp, u_int *sizep, u_int maxsize)
{
    return count_fits(xdrs, 1) && xdr_bytes(xdrs, sp, sizep, maxsize);
}

bool_t rpc_xdr_array(XDR *xdrs, caddr_t *addrp, u_int *sizep, u_int maxsize, u_int elsize,
                     xdrproc_t elproc)
{
    return count_fits(xdrs, 4) && xdr_array(xdrs, addrp, sizep, maxsize, elsize, elproc);
}
