/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Domain objects and the domain API. A virDomainPtr is a reference-counted handle
 * {name, uuid, cached id} on a connection; every call turns it into the DomainRef
 * the driver ops take, and checks read-only access before the driver sees a
 * mutating call.
 */

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "client-priv.h"

/**
 * client_domain_new: a handle for a domain the driver returned; takes a reference
 * on the connection.
 */
virDomainPtr client_domain_new(virConnectPtr conn, const DomainRef *ref)
{
    virDomainPtr dom = g_new0(virDomain, 1);

    dom->magic = CLIENT_DOMAIN_MAGIC;
    dom->refs = 1;
    g_atomic_int_inc(&conn->refs);
    dom->conn = conn;
    dom->name = g_strdup(ref->name);
    memcpy(dom->uuid, ref->uuid, VIR_UUID_BUFLEN);
    dom->id = ref->id;
    return dom;
}

/**
 * client_domain_to_ref: the DomainRef naming `dom`; borrows dom's name.
 */
void client_domain_to_ref(virDomainPtr dom, DomainRef *ret_ref)
{
    ret_ref->name = dom->name;
    memcpy(ret_ref->uuid, dom->uuid, VIR_UUID_BUFLEN);
    ret_ref->id = g_atomic_int_get(&dom->id);
}

/**
 * client_domain_check: is `dom` a live domain handle? Sets INVALID_DOMAIN if not.
 */
bool client_domain_check(virDomainPtr dom, const char *api)
{
    if (!dom || dom->magic != CLIENT_DOMAIN_MAGIC || g_atomic_int_get(&dom->refs) <= 0) {
        client_error_set(VIRT_FROM_DOMAIN, VIRT_ERR_INVALID_DOMAIN, "%s", api);
        return false;
    }
    return true;
}

/* Entry checks of every domain call: a valid handle, and write access if needed. */
static bool domain_enter(virDomainPtr dom, const char *api, bool mutating)
{
    client_error_reset();
    if (!client_domain_check(dom, api))
        return false;
    if (mutating && !client_connect_check_writable(dom->conn, api))
        return false;
    return true;
}

static bool arg_nonnull(const void *arg, const char *name, const char *api)
{
    if (arg)
        return true;
    client_error_invalid_arg(VIRT_FROM_DOMAIN, "%s in %s must not be NULL", name, api);
    return false;
}

/**
 * virDomainRef: take one more reference on a domain handle. Returns 0 or -1.
 */
int virDomainRef(virDomainPtr domain)
{
    if (!domain_enter(domain, __func__, false))
        return -1;
    g_atomic_int_inc(&domain->refs);
    return 0;
}

/**
 * virDomainFree: drop one reference on a domain handle (the domain itself is not
 * affected). Returns 0 or -1.
 */
int virDomainFree(virDomainPtr domain)
{
    virConnectPtr conn;

    if (!domain_enter(domain, __func__, false))
        return -1;
    if (!g_atomic_int_dec_and_test(&domain->refs))
        return 0;
    conn = domain->conn;
    domain->magic = 0;
    g_free(domain->name);
    g_free(domain);
    (void)virConnectClose(conn);
    return 0;
}

/**
 * virDomainGetConnect: the connection of a domain handle (no new reference).
 */
virConnectPtr virDomainGetConnect(virDomainPtr domain)
{
    if (!domain_enter(domain, __func__, false))
        return NULL;
    return domain->conn;
}

/**
 * virDomainGetName: the domain's name, owned by the handle.
 */
const char *virDomainGetName(virDomainPtr domain)
{
    if (!domain_enter(domain, __func__, false))
        return NULL;
    return domain->name;
}

/**
 * virDomainGetUUID: copy the 16 raw UUID bytes into `uuid`. Returns 0 or -1.
 */
int virDomainGetUUID(virDomainPtr domain, unsigned char *uuid)
{
    if (!domain_enter(domain, __func__, false) || !arg_nonnull(uuid, "uuid", __func__))
        return -1;
    memcpy(uuid, domain->uuid, VIR_UUID_BUFLEN);
    return 0;
}

/**
 * virDomainGetUUIDString: write the UUID's text form into `buf` (at least
 * VIR_UUID_STRING_BUFLEN bytes). Returns 0 or -1.
 */
int virDomainGetUUIDString(virDomainPtr domain, char *buf)
{
    if (!domain_enter(domain, __func__, false) || !arg_nonnull(buf, "buf", __func__))
        return -1;
    virt_uuid_format(domain->uuid, buf);
    return 0;
}

/**
 * virDomainGetID: the id the domain had when the handle was made or last
 * started/destroyed through it; (unsigned int)-1 when inactive or on error.
 */
unsigned int virDomainGetID(virDomainPtr domain)
{
    if (!domain_enter(domain, __func__, false))
        return (unsigned int)-1;
    return (unsigned int)g_atomic_int_get(&domain->id);
}

/* lookups */

typedef DomainRef *(*LookupFunc)(DriverConn *conn, const void *key, GError **error);

static virDomainPtr domain_from_result(virConnectPtr conn, DomainRef *ref, GError *error)
{
    virDomainPtr dom;

    if (!ref) {
        client_error_set_gerror(error);
        return NULL;
    }
    dom = client_domain_new(conn, ref);
    domain_ref_free(ref);
    return dom;
}

/**
 * virDomainLookupByName: a handle for the domain called `name`, NULL (NO_DOMAIN)
 * if there is none.
 */
virDomainPtr virDomainLookupByName(virConnectPtr conn, const char *name)
{
    g_autoptr(GError) error = NULL;
    DomainRef *ref;

    client_error_reset();
    if (!client_connect_check(conn, __func__) || !arg_nonnull(name, "name", __func__))
        return NULL;
    if (!conn->ops->domain_lookup_by_name) {
        client_error_no_support(__func__);
        return NULL;
    }
    ref = conn->ops->domain_lookup_by_name(conn->drv, name, &error);
    return domain_from_result(conn, ref, error);
}

/**
 * virDomainLookupByUUID: a handle for the domain with these 16 raw UUID bytes.
 */
virDomainPtr virDomainLookupByUUID(virConnectPtr conn, const unsigned char *uuid)
{
    g_autoptr(GError) error = NULL;
    DomainRef *ref;

    client_error_reset();
    if (!client_connect_check(conn, __func__) || !arg_nonnull(uuid, "uuid", __func__))
        return NULL;
    if (!conn->ops->domain_lookup_by_uuid) {
        client_error_no_support(__func__);
        return NULL;
    }
    ref = conn->ops->domain_lookup_by_uuid(conn->drv, uuid, &error);
    return domain_from_result(conn, ref, error);
}

/**
 * virDomainLookupByUUIDString: a handle for the domain with this UUID text;
 * INVALID_ARG if `uuidstr` is not a UUID.
 */
virDomainPtr virDomainLookupByUUIDString(virConnectPtr conn, const char *uuidstr)
{
    uint8_t uuid[VIR_UUID_BUFLEN];
    virDomainPtr dom;

    client_error_reset();
    if (!client_connect_check(conn, __func__) || !arg_nonnull(uuidstr, "uuidstr", __func__))
        return NULL;
    if (!virt_uuid_parse(uuidstr, uuid)) {
        client_error_invalid_arg(VIRT_FROM_DOMAIN, "Invalid UUID");
        return NULL;
    }
    dom = virDomainLookupByUUID(conn, uuid);
    return dom;
}

/**
 * virDomainLookupByID: a handle for the running domain with this id.
 */
virDomainPtr virDomainLookupByID(virConnectPtr conn, int id)
{
    g_autoptr(GError) error = NULL;
    DomainRef *ref;

    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return NULL;
    if (id < 0) {
        client_error_invalid_arg(VIRT_FROM_DOMAIN, "id in %s must be greater than or equal to 0",
                                 __func__);
        return NULL;
    }
    if (!conn->ops->domain_lookup_by_id) {
        client_error_no_support(__func__);
        return NULL;
    }
    ref = conn->ops->domain_lookup_by_id(conn->drv, id, &error);
    return domain_from_result(conn, ref, error);
}

/* definition */

static virDomainPtr domain_define(virConnectPtr conn, const char *xml, unsigned int flags,
                                  const char *api)
{
    g_autoptr(GError) error = NULL;
    DomainRef *ref;

    client_error_reset();
    if (!client_connect_check(conn, api) || !client_connect_check_writable(conn, api) ||
        !arg_nonnull(xml, "xml", api))
        return NULL;
    if (!conn->ops->domain_define_xml) {
        client_error_no_support(api);
        return NULL;
    }
    ref = conn->ops->domain_define_xml(conn->drv, xml, flags, &error);
    return domain_from_result(conn, ref, error);
}

/**
 * virDomainDefineXML: define (or redefine) a persistent domain from its XML.
 */
virDomainPtr virDomainDefineXML(virConnectPtr conn, const char *xml)
{
    return domain_define(conn, xml, 0, __func__);
}

/**
 * virDomainDefineXMLFlags: virDomainDefineXML() with VIR_DOMAIN_DEFINE_* flags.
 */
virDomainPtr virDomainDefineXMLFlags(virConnectPtr conn, const char *xml, unsigned int flags)
{
    return domain_define(conn, xml, flags, __func__);
}

/*
 * The caller's descriptors stay the caller's (libvirt's API neither closes nor checks
 * them): the remote driver sends copies, the in-process test driver ignores them as
 * libvirt's does. Drivers get a copy of the array, never the caller's, so one that
 * marks a slot (driver.h) cannot write into it.
 */
static bool files_check(unsigned int nfiles, const int *files, const char *api)
{
    return nfiles == 0 || arg_nonnull(files, "files", api);
}

/**
 * virDomainCreateXML: start a transient domain from its XML.
 */
virDomainPtr virDomainCreateXML(virConnectPtr conn, const char *xmlDesc, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    DomainRef *ref;

    client_error_reset();
    if (!client_connect_check(conn, __func__) || !client_connect_check_writable(conn, __func__) ||
        !arg_nonnull(xmlDesc, "xmlDesc", __func__))
        return NULL;
    if (!conn->ops->domain_create_xml) {
        client_error_no_support(__func__);
        return NULL;
    }
    ref = conn->ops->domain_create_xml(conn->drv, xmlDesc, flags, &error);
    return domain_from_result(conn, ref, error);
}

/**
 * virDomainCreateXMLWithFiles: virDomainCreateXML() passing @nfiles descriptors
 * @files to the domain (LXC hands them to its init; the test drivers ignore them).
 * The descriptors stay the caller's. Over a remote connection copies travel with
 * the call, which only a local unix socket can carry (at most 32, each one open).
 */
virDomainPtr virDomainCreateXMLWithFiles(virConnectPtr conn, const char *xmlDesc,
                                         unsigned int nfiles, int *files, unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    g_autofree int *copy = NULL;
    DomainRef *ref;

    client_error_reset();
    if (!client_connect_check(conn, __func__) || !client_connect_check_writable(conn, __func__) ||
        !arg_nonnull(xmlDesc, "xmlDesc", __func__) || !files_check(nfiles, files, __func__))
        return NULL;
    if (!conn->ops->domain_create_xml_with_files) {
        client_error_no_support(__func__);
        return NULL;
    }
    copy = g_memdup2(files, sizeof(int) * nfiles);
    ref = conn->ops->domain_create_xml_with_files(conn->drv, xmlDesc, copy, nfiles, flags, &error);
    return domain_from_result(conn, ref, error);
}

/* Run one DomainActionFunc picked by its offset in DriverOps. */
static int domain_action(virDomainPtr dom, size_t op_offset, unsigned int flags, const char *api)
{
    g_autoptr(GError) error = NULL;
    DomainActionFunc fn;
    DomainRef ref;

    if (!domain_enter(dom, api, true))
        return -1;
    fn = *(const DomainActionFunc *)((const char *)dom->conn->ops + op_offset);
    if (!fn) {
        client_error_no_support(api);
        return -1;
    }
    client_domain_to_ref(dom, &ref);
    if (!fn(dom->conn->drv, &ref, flags, &error)) {
        client_error_set_gerror(error);
        return -1;
    }
    return 0;
}

#define OP(field) offsetof(DriverOps, field)

/**
 * virDomainUndefine: remove a domain's persistent definition (a running domain
 * becomes transient). Returns 0 or -1.
 */
int virDomainUndefine(virDomainPtr domain)
{
    return domain_action(domain, OP(domain_undefine), 0, __func__);
}

/**
 * virDomainUndefineFlags: virDomainUndefine() with VIR_DOMAIN_UNDEFINE_* flags.
 */
int virDomainUndefineFlags(virDomainPtr domain, unsigned int flags)
{
    return domain_action(domain, OP(domain_undefine), flags, __func__);
}

/* A destroyed domain has no id any more; libvirt's handles forget it too. */
static int domain_destroy(virDomainPtr dom, unsigned int flags, const char *api)
{
    if (domain_action(dom, OP(domain_destroy), flags, api) < 0)
        return -1;
    g_atomic_int_set(&dom->id, -1);
    return 0;
}

/**
 * virDomainDestroy: stop a domain at once. Returns 0 or -1.
 */
int virDomainDestroy(virDomainPtr domain)
{
    return domain_destroy(domain, 0, __func__);
}

/**
 * virDomainDestroyFlags: virDomainDestroy() with VIR_DOMAIN_DESTROY_* flags.
 */
int virDomainDestroyFlags(virDomainPtr domain, unsigned int flags)
{
    return domain_destroy(domain, flags, __func__);
}

/**
 * virDomainShutdown: ask the guest to shut down. Returns 0 or -1.
 */
int virDomainShutdown(virDomainPtr domain)
{
    return domain_action(domain, OP(domain_shutdown), 0, __func__);
}

/**
 * virDomainShutdownFlags: virDomainShutdown() with VIR_DOMAIN_SHUTDOWN_* flags.
 */
int virDomainShutdownFlags(virDomainPtr domain, unsigned int flags)
{
    return domain_action(domain, OP(domain_shutdown), flags, __func__);
}

/**
 * virDomainReboot: ask the guest to reboot. Returns 0 or -1.
 */
int virDomainReboot(virDomainPtr domain, unsigned int flags)
{
    return domain_action(domain, OP(domain_reboot), flags, __func__);
}

/**
 * virDomainReset: reset the guest's virtual hardware at once. Returns 0 or -1.
 */
int virDomainReset(virDomainPtr domain, unsigned int flags)
{
    return domain_action(domain, OP(domain_reset), flags, __func__);
}

/**
 * virDomainSuspend: pause a running domain. Returns 0 or -1.
 */
int virDomainSuspend(virDomainPtr domain)
{
    return domain_action(domain, OP(domain_suspend), 0, __func__);
}

/**
 * virDomainResume: continue a paused domain. Returns 0 or -1.
 */
int virDomainResume(virDomainPtr domain)
{
    return domain_action(domain, OP(domain_resume), 0, __func__);
}

/* The start of @dom by create or create-with-files: the handle learns its new id. */
static int domain_started(virDomainPtr dom, DomainRef *started, const GError *error)
{
    if (!started) {
        client_error_set_gerror(error);
        return -1;
    }
    g_atomic_int_set(&dom->id, started->id);
    domain_ref_free(started);
    return 0;
}

static int domain_create(virDomainPtr dom, unsigned int flags, const char *api)
{
    g_autoptr(GError) error = NULL;
    DomainRef ref;
    DomainRef *started;

    if (!domain_enter(dom, api, true))
        return -1;
    if (!dom->conn->ops->domain_create) {
        client_error_no_support(api);
        return -1;
    }
    client_domain_to_ref(dom, &ref);
    started = dom->conn->ops->domain_create(dom->conn->drv, &ref, flags, &error);
    return domain_started(dom, started, error);
}

/**
 * virDomainCreate: start a defined domain; the handle's id is updated. 0 or -1.
 */
int virDomainCreate(virDomainPtr domain)
{
    return domain_create(domain, 0, __func__);
}

/**
 * virDomainCreateWithFlags: virDomainCreate() with VIR_DOMAIN_START_* flags.
 */
int virDomainCreateWithFlags(virDomainPtr domain, unsigned int flags)
{
    return domain_create(domain, flags, __func__);
}

/**
 * virDomainCreateWithFiles: virDomainCreateWithFlags() passing @nfiles descriptors
 * @files, as virDomainCreateXMLWithFiles() does. 0 or -1.
 */
int virDomainCreateWithFiles(virDomainPtr domain, unsigned int nfiles, int *files,
                             unsigned int flags)
{
    g_autoptr(GError) error = NULL;
    g_autofree int *copy = NULL;
    DomainRef ref;
    DomainRef *started;

    if (!domain_enter(domain, __func__, true) || !files_check(nfiles, files, __func__))
        return -1;
    if (!domain->conn->ops->domain_create_with_files) {
        client_error_no_support(__func__);
        return -1;
    }
    copy = g_memdup2(files, sizeof(int) * nfiles);
    client_domain_to_ref(domain, &ref);
    started = domain->conn->ops->domain_create_with_files(domain->conn->drv, &ref, copy, nfiles,
                                                          flags, &error);
    return domain_started(domain, started, error);
}
