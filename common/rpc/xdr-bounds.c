/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Length checks before allocation for the generated XDR code. Only memory streams
 * (xdrmem_create) are checked: there x_handy counts the bytes left, which is what
 * bounds a claimed length. Every XDR item takes at least 4 bytes, so an array of n
 * elements needs 4n bytes; strings and opaque data need n bytes.
 */

#include <glib.h>

#include "rpc/xdr-bounds.h"

static const struct xdr_ops *xdrmem_ops(void)
{
    static const struct xdr_ops *ops;
    static gsize initialized;

    if (g_once_init_enter(&initialized)) {
        char byte = 0;
        XDR probe;

        xdrmem_create(&probe, &byte, sizeof(byte), XDR_DECODE);
        ops = probe.x_ops;
        g_once_init_leave(&initialized, 1);
    }
    return ops;
}

/* Whether a decoded count of @n items of at least @unit bytes each fits the input. */
static bool_t count_fits(XDR *xdrs, u_int unit)
{
    u_int pos;
    u_int n;
    bool_t ok;

    if (xdrs->x_op != XDR_DECODE || xdrs->x_ops != xdrmem_ops())
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
