/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Connections: URI defaults, driver selection, and the connection-level API.
 *
 * Every connection sits on a DriverOps table (common/driver/driver.h): the
 * in-process test driver for "test:///default" and "test:///ABS/PATH.xml", and the
 * remote driver (remote-driver.c) for everything else ("qemu:///system",
 * "test+unix:///default", any host or ?socket=), which forwards each op over RPC.
 *
 * Default URI when virConnectOpen() gets NULL or "": $VIRTKIT_DEFAULT_URI, then
 * $LIBVIRT_DEFAULT_URI, then qemu:///system for root and qemu:///session for others.
 */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client-events.h"
#include "client-priv.h"
#include "conf/xml-read.h"
#include "remote-driver.h"
#include "util/uri.h"
#ifdef VIRTKIT_HAVE_TEST_DRIVER
#include "driver/test-driver.h"
#endif

static const DriverOps *const builtin_drivers[] = {
#ifdef VIRTKIT_HAVE_TEST_DRIVER
    &test_driver_ops,
#endif
    NULL,
};

static GMutex extra_drivers_lock;
static GPtrArray *extra_drivers; /* const DriverOps* */

/**
 * client_driver_register: make an in-process driver reachable by its URI scheme
 * (tests use it for fake drivers). Built-in drivers win on a name clash.
 */
void client_driver_register(const DriverOps *ops)
{
    g_mutex_lock(&extra_drivers_lock);
    if (!extra_drivers)
        extra_drivers = g_ptr_array_new();
    g_ptr_array_add(extra_drivers, (gpointer)ops);
    g_mutex_unlock(&extra_drivers_lock);
}

static const DriverOps *driver_find(const VirtUri *uri)
{
    const DriverOps *found = NULL;

    /* driver+transport URIs, a host or an explicit socket always mean "through a
     * daemon", and so does every driver without an in-process implementation */
    if (uri->transport || !uri->driver || (uri->host && *uri->host) ||
        virt_uri_get_param(uri, "socket"))
        return &remote_driver_ops;
    for (size_t i = 0; builtin_drivers[i]; i++) {
        if (g_strcmp0(builtin_drivers[i]->name, uri->driver) == 0)
            return builtin_drivers[i];
    }
    g_mutex_lock(&extra_drivers_lock);
    for (guint i = 0; extra_drivers && i < extra_drivers->len && !found; i++) {
        const DriverOps *ops = g_ptr_array_index(extra_drivers, i);

        if (g_strcmp0(ops->name, uri->driver) == 0)
            found = ops;
    }
    g_mutex_unlock(&extra_drivers_lock);
    return found ? found : &remote_driver_ops;
}

static char *connect_default_uri(const char *name)
{
    const char *env;

    if (name && *name)
        return g_strdup(name);
    env = getenv("VIRTKIT_DEFAULT_URI");
    if (env && *env)
        return g_strdup(env);
    env = getenv("LIBVIRT_DEFAULT_URI");
    if (env && *env)
        return g_strdup(env);
    return g_strdup(geteuid() == 0 ? "qemu:///system" : "qemu:///session");
}

static virConnectPtr connect_open(const char *name, unsigned int flags)
{
    g_autofree char *uri_str = connect_default_uri(name);
    g_autoptr(VirtUri) uri = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(ClientEvents) events = client_events_new();
    const DriverOps *ops;
    DriverConn *drv = NULL;
    virConnectPtr conn;

    virInitialize();
    client_error_reset();
    uri = virt_uri_parse(uri_str, &error);
    if (!uri) {
        client_error_set_gerror(error);
        return NULL;
    }
    ops = driver_find(uri);
    if (!ops->connect_open(uri, flags, client_events_driver_cb, events, &drv, &error)) {
        client_error_set_gerror(error);
        return NULL;
    }
    conn = g_new0(virConnect, 1);
    conn->magic = CLIENT_CONNECT_MAGIC;
    conn->refs = 1;
    conn->ops = ops;
    conn->drv = drv;
    conn->uri = g_steal_pointer(&uri_str);
    conn->flags = flags;
    conn->events = g_steal_pointer(&events);
    client_events_attach(conn->events, conn);
    return conn;
}

/**
 * virConnectOpen: open a read-write connection to the hypervisor named by a URI
 * (NULL or "" for the default, see the top of this file).
 *
 * Returns a connection to release with virConnectClose(), or NULL on error.
 */
virConnectPtr virConnectOpen(const char *name)
{
    return connect_open(name, 0);
}

/**
 * virConnectOpenReadOnly: like virConnectOpen(), but every call that changes
 * something fails with VIR_ERR_OPERATION_DENIED.
 */
virConnectPtr virConnectOpenReadOnly(const char *name)
{
    return connect_open(name, VIR_CONNECT_RO);
}

/**
 * client_connect_check: is `conn` a live connection? Sets INVALID_CONN if not.
 */
bool client_connect_check(virConnectPtr conn, const char *api)
{
    if (!conn || conn->magic != CLIENT_CONNECT_MAGIC || g_atomic_int_get(&conn->refs) <= 0) {
        client_error_set(VIRT_FROM_NONE, VIRT_ERR_INVALID_CONN, "%s", api);
        return false;
    }
    return true;
}

/**
 * client_connect_check_writable: refuse a mutating API on a read-only connection,
 * as libvirt's API layer does (before the driver sees the call).
 */
bool client_connect_check_writable(virConnectPtr conn, const char *api)
{
    /* every mutating API is a domain API today: libvirt reports those from DOMAIN */
    if (conn->flags & VIR_CONNECT_RO) {
        client_error_set(VIRT_FROM_DOMAIN, VIRT_ERR_OPERATION_DENIED,
                         "read only access prevents %s", api);
        return false;
    }
    return true;
}

/**
 * client_error_no_support: the error for a NULL entry in the driver's table.
 */
void client_error_no_support(const char *api)
{
    client_error_set(VIRT_FROM_NONE, VIRT_ERR_NO_SUPPORT, "%s", api);
}

/**
 * virConnectRef: take one more reference on a connection.
 *
 * Returns 0, or -1 on an invalid connection.
 */
int virConnectRef(virConnectPtr conn)
{
    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return -1;
    g_atomic_int_inc(&conn->refs);
    return 0;
}

/**
 * virConnectClose: drop one reference; the driver connection closes with the last
 * one (domains hold references too).
 *
 * Returns the number of references left (0 when closed), or -1 on error.
 */
int virConnectClose(virConnectPtr conn)
{
    int old;

    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return -1;
    old = g_atomic_int_add(&conn->refs, -1);
    if (old > 1)
        return old - 1;
    client_events_detach(conn->events);
    conn->ops->connect_close(conn->drv);
    client_events_unref(conn->events);
    conn->magic = 0;
    g_free(conn->uri);
    g_free(conn);
    return 0;
}

/**
 * virConnectGetType: the hypervisor's name ("TEST", "QEMU"); a static string.
 */
const char *virConnectGetType(virConnectPtr conn)
{
    g_autoptr(GError) error = NULL;
    const char *type;

    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return NULL;
    if (!remote_driver_is(conn->ops))
        return conn->ops->hv_type;
    type = remote_driver_get_type(conn->drv, &error);
    if (!type)
        client_error_set_gerror(error);
    return type;
}

/**
 * virConnectGetVersion: the hypervisor's version, major * 1,000,000 + minor * 1,000
 * + micro. Returns 0 or -1.
 */
int virConnectGetVersion(virConnectPtr conn, unsigned long *hvVer)
{
    g_autoptr(GError) error = NULL;
    uint64_t version;

    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return -1;
    if (!hvVer) {
        client_error_invalid_arg(VIRT_FROM_NONE, "hvVer in %s must not be NULL", __func__);
        return -1;
    }
    if (!conn->ops->connect_get_version) {
        client_error_no_support(__func__);
        return -1;
    }
    if (!conn->ops->connect_get_version(conn->drv, &version, &error)) {
        client_error_set_gerror(error);
        return -1;
    }
    *hvVer = version;
    return 0;
}

/**
 * virConnectGetLibVersion: the libvirt API level of the library serving the
 * connection (LIBVIR_VERSION_NUMBER for in-process drivers). Returns 0 or -1.
 */
int virConnectGetLibVersion(virConnectPtr conn, unsigned long *libVer)
{
    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return -1;
    if (!libVer) {
        client_error_invalid_arg(VIRT_FROM_NONE, "libVer in %s must not be NULL", __func__);
        return -1;
    }
    *libVer = LIBVIR_VERSION_NUMBER;
    return 0;
}

/**
 * virGetVersion: the library's libvirt API level and, for `type`, the API level of
 * that driver (the same number: every driver is built in). Returns 0 or -1.
 */
int virGetVersion(unsigned long *libVer, const char *type, unsigned long *typeVer)
{
    client_error_reset();
    if (!libVer) {
        client_error_invalid_arg(VIRT_FROM_NONE, "libVer in %s must not be NULL", __func__);
        return -1;
    }
    *libVer = LIBVIR_VERSION_NUMBER;
    if (typeVer)
        *typeVer = LIBVIR_VERSION_NUMBER;
    return 0;
}

/**
 * virInitialize: process-wide set-up of the libraries the client uses from several threads;
 * connection opening does it too, so calling it is optional, as in libvirt. Returns 0.
 */
int virInitialize(void)
{
    xml_library_init();
    return 0;
}

typedef char *(*ConnStringFunc)(DriverConn *conn, GError **error);

static char *connect_get_string(virConnectPtr conn, ConnStringFunc fn, const char *api)
{
    g_autoptr(GError) error = NULL;
    char *ret;

    if (!fn) {
        client_error_no_support(api);
        return NULL;
    }
    ret = fn(conn->drv, &error);
    if (!ret)
        client_error_set_gerror(error);
    return ret;
}

/**
 * virConnectGetHostname: the host's name; free() it. NULL on error.
 */
char *virConnectGetHostname(virConnectPtr conn)
{
    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return NULL;
    return connect_get_string(conn, conn->ops->connect_get_hostname, __func__);
}

/**
 * virConnectGetURI: the canonical URI of the connection; free() it. NULL on error.
 */
char *virConnectGetURI(virConnectPtr conn)
{
    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return NULL;
    if (!conn->ops->connect_get_uri)
        return g_strdup(conn->uri);
    return connect_get_string(conn, conn->ops->connect_get_uri, __func__);
}

/**
 * virConnectGetCapabilities: the capabilities XML; free() it. NULL on error.
 */
char *virConnectGetCapabilities(virConnectPtr conn)
{
    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return NULL;
    return connect_get_string(conn, conn->ops->connect_get_capabilities, __func__);
}

/**
 * virConnectGetMaxVcpus: the most vCPUs a guest of `type` (NULL: the default) may
 * have, or -1 on error.
 */
int virConnectGetMaxVcpus(virConnectPtr conn, const char *type)
{
    g_autoptr(GError) error = NULL;
    int ret;

    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return -1;
    if (!conn->ops->connect_get_max_vcpus) {
        client_error_no_support(__func__);
        return -1;
    }
    ret = conn->ops->connect_get_max_vcpus(conn->drv, type, &error);
    if (ret < 0)
        client_error_set_gerror(error);
    return ret;
}

/**
 * virConnectIsAlive: 1 while the connection works (always, in process), 0 once a
 * remote one closed, -1 on an invalid connection. Local: no call to the server.
 */
int virConnectIsAlive(virConnectPtr conn)
{
    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return -1;
    if (remote_driver_is(conn->ops))
        return remote_driver_is_alive(conn->drv) ? 1 : 0;
    return 1;
}

/**
 * virConnectIsSecure: 1: in-process connections cannot be eavesdropped.
 */
int virConnectIsSecure(virConnectPtr conn)
{
    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return -1;
    return 1;
}

/**
 * virConnectIsEncrypted: 0: in-process connections use no encryption.
 */
int virConnectIsEncrypted(virConnectPtr conn)
{
    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return -1;
    return 0;
}

/**
 * virNodeGetInfo: memory, CPU and NUMA facts of the host. Returns 0 or -1.
 */
int virNodeGetInfo(virConnectPtr conn, virNodeInfoPtr info)
{
    g_autoptr(GError) error = NULL;
    NodeInfo ni = { 0 };

    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return -1;
    if (!info) {
        client_error_invalid_arg(VIRT_FROM_NONE, "info in %s must not be NULL", __func__);
        return -1;
    }
    if (!conn->ops->node_get_info) {
        client_error_no_support(__func__);
        return -1;
    }
    if (!conn->ops->node_get_info(conn->drv, &ni, &error)) {
        client_error_set_gerror(error);
        return -1;
    }
    memset(info, 0, sizeof(*info));
    memcpy(info->model, ni.model, sizeof(info->model));
    info->model[sizeof(info->model) - 1] = '\0';
    info->memory = ni.memory_kib;
    info->cpus = ni.cpus;
    info->mhz = ni.mhz;
    info->nodes = ni.nodes;
    info->sockets = ni.sockets;
    info->cores = ni.cores;
    info->threads = ni.threads;
    return 0;
}

/* Copy a driver string into a fixed libvirt buffer, refusing what does not fit. */
bool client_copy_fixed(char *dst, size_t size, const char *src, const char *what)
{
    size_t len = src ? strlen(src) : 0;

    if (len >= size) {
        client_error_set(VIRT_FROM_NONE, VIRT_ERR_INTERNAL_ERROR, "%s exceeds maximum: %zu > %zu",
                         what, len, size - 1);
        return false;
    }
    if (len)
        memcpy(dst, src, len);
    dst[len] = '\0';
    return true;
}

/**
 * virNodeGetSecurityModel: the host's security model and DOI; both empty when the
 * driver has no security driver. Returns 0 or -1.
 */
int virNodeGetSecurityModel(virConnectPtr conn, virSecurityModelPtr secmodel)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *model = NULL;
    g_autofree char *doi = NULL;

    client_error_reset();
    if (!client_connect_check(conn, __func__))
        return -1;
    if (!secmodel) {
        client_error_invalid_arg(VIRT_FROM_NONE, "secmodel in %s must not be NULL", __func__);
        return -1;
    }
    memset(secmodel, 0, sizeof(*secmodel));
    if (!conn->ops->node_get_security_model)
        return 0;
    if (!conn->ops->node_get_security_model(conn->drv, &model, &doi, &error)) {
        client_error_set_gerror(error);
        return -1;
    }
    if (!client_copy_fixed(secmodel->model, sizeof(secmodel->model), model, "security model") ||
        !client_copy_fixed(secmodel->doi, sizeof(secmodel->doi), doi, "security DOI"))
        return -1;
    return 0;
}
