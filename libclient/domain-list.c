/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Listing domains: virConnectListAllDomains and the older count/list calls, all
 * on top of the driver's connect_list_all_domains.
 */

#include <stdlib.h>
#include <string.h>

#include "client-priv.h"

#define LIST_FILTERS_ALL 0xffffu /* every VIR_CONNECT_LIST_DOMAINS_* bit */

static GPtrArray *list_refs(virConnectPtr conn, unsigned int flags, const char *api)
{
    g_autoptr(GError) error = NULL;
    GPtrArray *refs = NULL;

    if (!conn->ops->connect_list_all_domains) {
        client_error_no_support(api);
        return NULL;
    }
    if (!conn->ops->connect_list_all_domains(conn->drv, flags, &refs, &error)) {
        client_error_set_gerror(error);
        return NULL;
    }
    return refs;
}

static void ref_destroy(gpointer ref)
{
    domain_ref_free(ref);
}

static void refs_free(GPtrArray *refs)
{
    /* whatever the driver set, the elements are DomainRefs we own now */
    g_ptr_array_set_free_func(refs, ref_destroy);
    g_ptr_array_unref(refs);
}

/**
 * virConnectListAllDomains: every domain matching the VIR_CONNECT_LIST_DOMAINS_*
 * filters. With `domains` non-NULL it receives a NULL-terminated array of handles
 * the caller frees (each with virDomainFree(), the array with free()).
 *
 * Returns the number of domains, or -1 on error.
 */
int virConnectListAllDomains(virConnectPtr conn, virDomainPtr **domains, unsigned int flags)
{
    GPtrArray *refs;
    virDomainPtr *out;
    int n;

    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return -1;
    if (flags & ~LIST_FILTERS_ALL) {
        client_error_invalid_arg(VIRT_FROM_DOMAIN, "unsupported flags (0x%x) in %s",
                                 flags & ~LIST_FILTERS_ALL, __func__);
        return -1;
    }
    refs = list_refs(conn, flags, __func__);
    if (!refs)
        return -1;
    n = (int)refs->len;
    if (domains) {
        out = calloc(refs->len + 1, sizeof(*out));
        if (!out)
            g_error("out of memory");
        for (guint i = 0; i < refs->len; i++)
            out[i] = client_domain_new(conn, g_ptr_array_index(refs, i));
        *domains = out;
    }
    refs_free(refs);
    return n;
}

/**
 * virConnectNumOfDomains: the number of running domains, or -1.
 */
int virConnectNumOfDomains(virConnectPtr conn)
{
    GPtrArray *refs;
    int n;

    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return -1;
    refs = list_refs(conn, VIR_CONNECT_LIST_DOMAINS_ACTIVE, __func__);
    if (!refs)
        return -1;
    n = (int)refs->len;
    refs_free(refs);
    return n;
}

/**
 * virConnectListDomains: the ids of up to `maxids` running domains. Returns how
 * many were stored, or -1.
 */
int virConnectListDomains(virConnectPtr conn, int *ids, int maxids)
{
    GPtrArray *refs;
    int n = 0;

    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return -1;
    if (maxids < 0 || (maxids > 0 && !ids)) {
        client_error_invalid_arg(VIRT_FROM_DOMAIN, "ids in %s must not be NULL", __func__);
        return -1;
    }
    refs = list_refs(conn, VIR_CONNECT_LIST_DOMAINS_ACTIVE, __func__);
    if (!refs)
        return -1;
    for (guint i = 0; i < refs->len && n < maxids; i++)
        ids[n++] = ((DomainRef *)g_ptr_array_index(refs, i))->id;
    refs_free(refs);
    return n;
}

/**
 * virConnectNumOfDefinedDomains: the number of defined, inactive domains, or -1.
 */
int virConnectNumOfDefinedDomains(virConnectPtr conn)
{
    GPtrArray *refs;
    int n;

    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return -1;
    refs = list_refs(conn, VIR_CONNECT_LIST_DOMAINS_INACTIVE, __func__);
    if (!refs)
        return -1;
    n = (int)refs->len;
    refs_free(refs);
    return n;
}

/**
 * virConnectListDefinedDomains: the names of up to `maxnames` inactive domains;
 * the caller free()s each name. Returns how many were stored, or -1.
 */
int virConnectListDefinedDomains(virConnectPtr conn, char **const names, int maxnames)
{
    GPtrArray *refs;
    int n = 0;

    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return -1;
    if (maxnames < 0 || (maxnames > 0 && !names)) {
        client_error_invalid_arg(VIRT_FROM_DOMAIN, "names in %s must not be NULL", __func__);
        return -1;
    }
    refs = list_refs(conn, VIR_CONNECT_LIST_DOMAINS_INACTIVE, __func__);
    if (!refs)
        return -1;
    for (guint i = 0; i < refs->len && n < maxnames; i++)
        names[n++] = g_strdup(((DomainRef *)g_ptr_array_index(refs, i))->name);
    refs_free(refs);
    return n;
}
