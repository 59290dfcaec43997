/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Domain queries and settings: info, state, XML, autostart, metadata, and the
 * boolean "is ..." calls.
 */

#include <stdlib.h>
#include <string.h>

#include "client-priv.h"

static bool query_enter(virDomainPtr dom, const char *api)
{
    client_error_reset();
    return client_domain_check(dom, api);
}

static bool query_arg(const void *arg, const char *name, const char *api)
{
    if (arg)
        return true;
    client_error_invalid_arg(VIRT_FROM_DOMAIN, "%s in %s must not be NULL", name, api);
    return false;
}

/**
 * virDomainGetInfo: state, memory, vCPUs and CPU time of a domain. 0 or -1.
 */
int virDomainGetInfo(virDomainPtr domain, virDomainInfoPtr info)
{
    g_autoptr(GError) error = NULL;
    DomainInfo di = { 0 };
    DomainRef ref;

    if (!query_enter(domain, __func__) || !query_arg(info, "info", __func__))
        return -1;
    if (!domain->conn->ops->domain_get_info) {
        client_error_no_support(__func__);
        return -1;
    }
    client_domain_to_ref(domain, &ref);
    if (!domain->conn->ops->domain_get_info(domain->conn->drv, &ref, &di, &error)) {
        client_error_set_gerror(error);
        return -1;
    }
    memset(info, 0, sizeof(*info));
    info->state = (unsigned char)di.state;
    info->maxMem = di.max_mem_kib;
    info->memory = di.memory_kib;
    info->nrVirtCpu = (unsigned short)di.nr_virt_cpu;
    info->cpuTime = di.cpu_time_ns;
    return 0;
}

/**
 * virDomainGetState: the domain's virDomainState and its reason (the matching
 * virDomain*Reason enum); `reason` may be NULL. 0 or -1.
 */
int virDomainGetState(virDomainPtr domain, int *state, int *reason, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    DomainRef ref;
    int st, rs;

    if (!query_enter(domain, __func__) || !query_arg(state, "state", __func__))
        return -1;
    if (!domain->conn->ops->domain_get_state) {
        client_error_no_support(__func__);
        return -1;
    }
    client_domain_to_ref(domain, &ref);
    if (!domain->conn->ops->domain_get_state(domain->conn->drv, &ref, flags, &st, &rs, &error)) {
        client_error_set_gerror(error);
        return -1;
    }
    *state = st;
    if (reason)
        *reason = rs;
    return 0;
}

/**
 * virDomainGetXMLDesc: the domain's XML (VIR_DOMAIN_XML_* flags); free() it.
 * SECURE is refused on read-only connections, as libvirt does.
 */
char *virDomainGetXMLDesc(virDomainPtr domain, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    DomainRef ref;
    char *xml;

    if (!query_enter(domain, __func__))
        return NULL;
    if ((domain->conn->flags & VIR_CONNECT_RO) && (flags & VIR_DOMAIN_XML_SECURE)) {
        client_error_set(VIRT_FROM_DOMAIN, VIRT_ERR_OPERATION_DENIED,
                         "virDomainGetXMLDesc with secure flag");
        return NULL;
    }
    if (!domain->conn->ops->domain_get_xml_desc) {
        client_error_no_support(__func__);
        return NULL;
    }
    client_domain_to_ref(domain, &ref);
    xml = domain->conn->ops->domain_get_xml_desc(domain->conn->drv, &ref, flags, &error);
    if (!xml)
        client_error_set_gerror(error);
    return xml;
}

/**
 * virDomainGetOSType: the guest OS type ("hvm", "linux", "exe"); free() it.
 */
char *virDomainGetOSType(virDomainPtr domain)
{
    g_autoptr(GError) error = NULL;
    DomainRef ref;
    char *type;

    if (!query_enter(domain, __func__))
        return NULL;
    if (!domain->conn->ops->domain_get_os_type) {
        client_error_no_support(__func__);
        return NULL;
    }
    client_domain_to_ref(domain, &ref);
    type = domain->conn->ops->domain_get_os_type(domain->conn->drv, &ref, &error);
    if (!type)
        client_error_set_gerror(error);
    return type;
}

/**
 * virDomainGetMaxMemory: the domain's maximum memory in KiB, 0 on error.
 */
unsigned long virDomainGetMaxMemory(virDomainPtr domain)
{
    g_autoptr(GError) error = NULL;
    DomainRef ref;
    uint64_t kib;

    if (!query_enter(domain, __func__))
        return 0;
    if (!domain->conn->ops->domain_get_max_memory) {
        client_error_no_support(__func__);
        return 0;
    }
    client_domain_to_ref(domain, &ref);
    if (!domain->conn->ops->domain_get_max_memory(domain->conn->drv, &ref, &kib, &error)) {
        client_error_set_gerror(error);
        return 0;
    }
    return kib;
}

static int domain_bool_query(virDomainPtr domain, DomainBoolQueryFunc fn, const char *api)
{
    g_autoptr(GError) error = NULL;
    DomainRef ref;
    bool value;

    if (!query_enter(domain, api))
        return -1;
    if (!fn) {
        client_error_no_support(api);
        return -1;
    }
    client_domain_to_ref(domain, &ref);
    if (!fn(domain->conn->drv, &ref, &value, &error)) {
        client_error_set_gerror(error);
        return -1;
    }
    return value ? 1 : 0;
}

/**
 * virDomainIsActive: 1 if running (or paused), 0 if not, -1 on error.
 */
int virDomainIsActive(virDomainPtr domain)
{
    if (!query_enter(domain, __func__))
        return -1;
    return domain_bool_query(domain, domain->conn->ops->domain_is_active, __func__);
}

/**
 * virDomainIsPersistent: 1 if the domain has a persistent definition, 0 if it is
 * transient, -1 on error.
 */
int virDomainIsPersistent(virDomainPtr domain)
{
    if (!query_enter(domain, __func__))
        return -1;
    return domain_bool_query(domain, domain->conn->ops->domain_is_persistent, __func__);
}

/**
 * virDomainIsUpdated: 1 if the running domain's definition changed since it
 * started, 0 if not, -1 on error.
 */
int virDomainIsUpdated(virDomainPtr domain)
{
    if (!query_enter(domain, __func__))
        return -1;
    return domain_bool_query(domain, domain->conn->ops->domain_is_updated, __func__);
}

/**
 * virDomainHasManagedSaveImage: 1 if a managed save image exists, 0 if not, -1 on
 * error.
 */
int virDomainHasManagedSaveImage(virDomainPtr domain, unsigned int flags)
{
    if (!query_enter(domain, __func__))
        return -1;
    return domain_bool_query(domain, domain->conn->ops->domain_has_managed_save_image, __func__);
}

/**
 * virDomainGetAutostart: store 1 in `autostart` if the domain starts with the
 * host, 0 if not. Returns 0 or -1.
 */
int virDomainGetAutostart(virDomainPtr domain, int *autostart)
{
    int r;

    if (!query_enter(domain, __func__) || !query_arg(autostart, "autostart", __func__))
        return -1;
    r = domain_bool_query(domain, domain->conn->ops->domain_get_autostart, __func__);
    if (r < 0)
        return -1;
    *autostart = r;
    return 0;
}

/**
 * virDomainSetAutostart: make the domain start (or not) with the host. 0 or -1.
 */
int virDomainSetAutostart(virDomainPtr domain, int autostart)
{
    g_autoptr(GError) error = NULL;
    DomainRef ref;

    if (!query_enter(domain, __func__) || !client_connect_check_writable(domain->conn, __func__))
        return -1;
    if (!domain->conn->ops->domain_set_autostart) {
        client_error_no_support(__func__);
        return -1;
    }
    client_domain_to_ref(domain, &ref);
    if (!domain->conn->ops->domain_set_autostart(domain->conn->drv, &ref, autostart != 0, &error)) {
        client_error_set_gerror(error);
        return -1;
    }
    return 0;
}

/**
 * virDomainGetMetadata: the domain's description, title, or the custom metadata
 * element in namespace `uri` (virDomainMetadataType); free() it. NULL with
 * NO_DOMAIN_METADATA when there is none.
 */
char *virDomainGetMetadata(virDomainPtr domain, int type, const char *uri, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    DomainRef ref;
    char *ret;

    if (!query_enter(domain, __func__))
        return NULL;
    if (type == VIR_DOMAIN_METADATA_ELEMENT && !uri) {
        client_error_invalid_arg(VIRT_FROM_DOMAIN, "uri in %s must not be NULL", __func__);
        return NULL;
    }
    if (type != VIR_DOMAIN_METADATA_ELEMENT && uri) {
        client_error_invalid_arg(VIRT_FROM_DOMAIN, "uri in %s must be NULL", __func__);
        return NULL;
    }
    if (!domain->conn->ops->domain_get_metadata) {
        client_error_no_support(__func__);
        return NULL;
    }
    client_domain_to_ref(domain, &ref);
    ret = domain->conn->ops->domain_get_metadata(domain->conn->drv, &ref, type, uri, flags, &error);
    if (!ret)
        client_error_set_gerror(error);
    return ret;
}

/**
 * virDomainSetMetadata: set (or, with NULL `metadata`, remove) the description,
 * title or a custom metadata element under `key` in namespace `uri`. 0 or -1.
 */
int virDomainSetMetadata(virDomainPtr domain, int type, const char *metadata, const char *key,
                         const char *uri, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    DomainRef ref;

    if (!query_enter(domain, __func__) || !client_connect_check_writable(domain->conn, __func__))
        return -1;
    if (type == VIR_DOMAIN_METADATA_ELEMENT && (!uri || (metadata && !key))) {
        client_error_invalid_arg(VIRT_FROM_DOMAIN, "%s in %s must not be NULL", uri ? "key" : "uri",
                                 __func__);
        return -1;
    }
    if (type != VIR_DOMAIN_METADATA_ELEMENT && (uri || key)) {
        client_error_invalid_arg(VIRT_FROM_DOMAIN, "%s in %s must be NULL", uri ? "uri" : "key",
                                 __func__);
        return -1;
    }
    if (!domain->conn->ops->domain_set_metadata) {
        client_error_no_support(__func__);
        return -1;
    }
    client_domain_to_ref(domain, &ref);
    if (!domain->conn->ops->domain_set_metadata(domain->conn->drv, &ref, type, metadata, key, uri,
                                                flags, &error)) {
        client_error_set_gerror(error);
        return -1;
    }
    return 0;
}

/**
 * virDomainGetSecurityLabel: the domain's security label and whether it is
 * enforced; an empty label when there is none (inactive domains, no security
 * driver). Returns 0 or -1.
 */
int virDomainGetSecurityLabel(virDomainPtr domain, virSecurityLabelPtr seclabel)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *label = NULL;
    bool enforcing = false;
    DomainRef ref;

    if (!query_enter(domain, __func__) || !query_arg(seclabel, "seclabel", __func__))
        return -1;
    memset(seclabel, 0, sizeof(*seclabel));
    if (!domain->conn->ops->domain_get_security_label)
        return 0;
    client_domain_to_ref(domain, &ref);
    if (!domain->conn->ops->domain_get_security_label(domain->conn->drv, &ref, &label, &enforcing,
                                                      &error)) {
        client_error_set_gerror(error);
        return -1;
    }
    if (!client_copy_fixed(seclabel->label, sizeof(seclabel->label), label, "security label"))
        return -1;
    seclabel->enforcing = enforcing;
    return 0;
}
