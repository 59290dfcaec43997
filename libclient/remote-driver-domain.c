/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The remote driver's domain ops: each builds the procedure's rpcgen args struct
 * and makes one call; marshalling comes from the generated table in common/rpc.
 *
 * Where libvirt has an old procedure and a *_FLAGS one, flags == 0 uses the old one,
 * as libvirt's API entry points without flags do (virsh's traces show 12 for
 * "destroy", 33 for "shutdown", 11 for "define").
 *
 * rpcgen makes one struct per procedure; all {dom} args and all {dom, flags} args
 * share a layout, so a single struct of each shape serves them (checked below).
 */

#include <string.h>

#include "remote-driver-priv.h"
#include "util/error.h"

typedef remote_domain_suspend_args RemoteDomArgs;     /* { dom } */
typedef remote_domain_reboot_args RemoteDomFlagsArgs; /* { dom, flags } */

#define ASSERT_SAME_SHAPE(a, b)                                                      \
    G_STATIC_ASSERT(sizeof(a) == sizeof(b) && offsetof(a, dom) == offsetof(b, dom)); \
    G_STATIC_ASSERT(sizeof(((a *)0)->dom) == sizeof(((b *)0)->dom))

ASSERT_SAME_SHAPE(RemoteDomArgs, remote_domain_destroy_args);
ASSERT_SAME_SHAPE(RemoteDomArgs, remote_domain_shutdown_args);
ASSERT_SAME_SHAPE(RemoteDomArgs, remote_domain_resume_args);
ASSERT_SAME_SHAPE(RemoteDomArgs, remote_domain_undefine_args);
ASSERT_SAME_SHAPE(RemoteDomArgs, remote_domain_create_args);
ASSERT_SAME_SHAPE(RemoteDomArgs, remote_domain_is_active_args);
ASSERT_SAME_SHAPE(RemoteDomArgs, remote_domain_is_persistent_args);
ASSERT_SAME_SHAPE(RemoteDomArgs, remote_domain_is_updated_args);
ASSERT_SAME_SHAPE(RemoteDomArgs, remote_domain_get_autostart_args);
ASSERT_SAME_SHAPE(RemoteDomFlagsArgs, remote_domain_destroy_flags_args);
ASSERT_SAME_SHAPE(RemoteDomFlagsArgs, remote_domain_shutdown_flags_args);
ASSERT_SAME_SHAPE(RemoteDomFlagsArgs, remote_domain_reset_args);
ASSERT_SAME_SHAPE(RemoteDomFlagsArgs, remote_domain_undefine_flags_args);
ASSERT_SAME_SHAPE(RemoteDomFlagsArgs, remote_domain_has_managed_save_image_args);
G_STATIC_ASSERT(offsetof(RemoteDomFlagsArgs, flags) ==
                offsetof(remote_domain_destroy_flags_args, flags));
G_STATIC_ASSERT(offsetof(RemoteDomFlagsArgs, flags) ==
                offsetof(remote_domain_has_managed_save_image_args, flags));

/* Every ret that is one int ({active}, {persistent}, {result}, ...). */
typedef remote_domain_is_active_ret RemoteIntRet;
G_STATIC_ASSERT(sizeof(RemoteIntRet) == sizeof(int));

/* Every ret that is one remote_nonnull_domain. */
typedef remote_domain_lookup_by_name_ret RemoteDomRet;
G_STATIC_ASSERT(sizeof(RemoteDomRet) == sizeof(remote_domain_define_xml_ret));
G_STATIC_ASSERT(sizeof(RemoteDomRet) == sizeof(remote_domain_create_xml_ret));
G_STATIC_ASSERT(sizeof(RemoteDomRet) == sizeof(remote_domain_create_with_files_ret));
G_STATIC_ASSERT(sizeof(RemoteDomRet) == sizeof(remote_domain_create_xml_with_files_ret));
ASSERT_SAME_SHAPE(RemoteDomFlagsArgs, remote_domain_create_with_files_args);
G_STATIC_ASSERT(offsetof(RemoteDomFlagsArgs, flags) ==
                offsetof(remote_domain_create_with_files_args, flags));

/* ---- generic shapes ---- */

static bool dom_action(DriverConn *conn, int proc, int proc_flags, const DomainRef *dom,
                       unsigned int flags, GError **error)
{
    RemoteDomFlagsArgs args = { .flags = flags };

    remote_dom_to_wire(dom, &args.dom);
    if (flags == 0 && proc > 0)
        return remote_call(conn, proc, &args, NULL, error);
    return remote_call(conn, proc_flags, &args, NULL, error);
}

/* A call returning one domain, passing @n_fds descriptors @fds with it. */
static DomainRef *dom_returning_fds(DriverConn *conn, int proc, const void *args, const int *fds,
                                    unsigned int n_fds, GError **error)
{
    RemoteDomRet ret = { 0 };
    DomainRef *ref;

    if (!remote_call_with_fds(conn, proc, args, fds, n_fds, &ret, error))
        return NULL;
    ref = remote_dom_from_wire(&ret.dom);
    remote_ret_clear(proc, &ret);
    return ref;
}

static DomainRef *dom_returning(DriverConn *conn, int proc, const void *args, GError **error)
{
    return dom_returning_fds(conn, proc, args, NULL, 0, error);
}

static bool dom_int_query(DriverConn *conn, int proc, const void *args, int *ret_value,
                          GError **error)
{
    RemoteIntRet ret = { 0 };

    if (!remote_call(conn, proc, args, &ret, error))
        return false;
    memcpy(ret_value, &ret, sizeof(int));
    return true;
}

static bool dom_bool_query(DriverConn *conn, int proc, const DomainRef *dom, bool *ret,
                           GError **error)
{
    RemoteDomFlagsArgs args = { .flags = 0 };
    int value;

    remote_dom_to_wire(dom, &args.dom);
    if (!dom_int_query(conn, proc, &args, &value, error))
        return false;
    *ret = value != 0;
    return true;
}

/* A call returning one string (the first member of its ret). */
static char *dom_string_call(DriverConn *conn, int proc, const void *args, GError **error)
{
    remote_domain_get_xml_desc_ret ret = { 0 };
    char *value;

    G_STATIC_ASSERT(sizeof(ret) == sizeof(remote_domain_get_os_type_ret));
    G_STATIC_ASSERT(sizeof(ret) == sizeof(remote_domain_get_metadata_ret));
    if (!remote_call(conn, proc, args, &ret, error))
        return NULL;
    value = g_strdup(ret.xml);
    remote_ret_clear(proc, &ret);
    return value;
}

/* ---- lists and lookups ---- */

bool remote_connect_list_all_domains(DriverConn *conn, unsigned int flags, GPtrArray **ret_doms,
                                     GError **error)
{
    remote_connect_list_all_domains_args args = { .need_results = 1, .flags = flags };
    remote_connect_list_all_domains_ret ret = { 0 };
    GPtrArray *doms;

    if (!remote_call(conn, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS, &args, &ret, error))
        return false;
    doms = g_ptr_array_new_with_free_func((GDestroyNotify)(void (*)(void))domain_ref_free);
    for (u_int i = 0; i < ret.domains.domains_len; i++)
        g_ptr_array_add(doms, remote_dom_from_wire(&ret.domains.domains_val[i]));
    remote_ret_clear(REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS, &ret);
    *ret_doms = doms;
    return true;
}

DomainRef *remote_domain_lookup_by_name(DriverConn *conn, const char *name, GError **error)
{
    remote_domain_lookup_by_name_args args = { .name = (char *)name };

    return dom_returning(conn, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, &args, error);
}

DomainRef *remote_domain_lookup_by_uuid(DriverConn *conn, const uint8_t uuid[VIRT_UUID_LEN],
                                        GError **error)
{
    remote_domain_lookup_by_uuid_args args;

    memcpy(args.uuid, uuid, VIRT_UUID_LEN);
    return dom_returning(conn, REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID, &args, error);
}

DomainRef *remote_domain_lookup_by_id(DriverConn *conn, int id, GError **error)
{
    remote_domain_lookup_by_id_args args = { .id = id };

    return dom_returning(conn, REMOTE_PROC_DOMAIN_LOOKUP_BY_ID, &args, error);
}

/* ---- definition ---- */

DomainRef *remote_domain_define_xml(DriverConn *conn, const char *xml, unsigned int flags,
                                    GError **error)
{
    remote_domain_define_xml_flags_args args = { .xml = (char *)xml, .flags = flags };
    remote_domain_define_xml_args old = { .xml = (char *)xml };

    if (flags == 0)
        return dom_returning(conn, REMOTE_PROC_DOMAIN_DEFINE_XML, &old, error);
    return dom_returning(conn, REMOTE_PROC_DOMAIN_DEFINE_XML_FLAGS, &args, error);
}

bool remote_domain_undefine(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                            GError **error)
{
    /* virsh always sends UNDEFINE_FLAGS, even with no flag */
    return dom_action(conn, -1, REMOTE_PROC_DOMAIN_UNDEFINE_FLAGS, dom, flags, error);
}

char *remote_domain_get_xml_desc(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                 GError **error)
{
    remote_domain_get_xml_desc_args args = { .flags = flags };

    remote_dom_to_wire(dom, &args.dom);
    return dom_string_call(conn, REMOTE_PROC_DOMAIN_GET_XML_DESC, &args, error);
}

bool remote_domain_get_autostart(DriverConn *conn, const DomainRef *dom, bool *ret, GError **error)
{
    return dom_bool_query(conn, REMOTE_PROC_DOMAIN_GET_AUTOSTART, dom, ret, error);
}

bool remote_domain_set_autostart(DriverConn *conn, const DomainRef *dom, bool autostart,
                                 GError **error)
{
    remote_domain_set_autostart_args args = { .autostart = autostart ? 1 : 0 };

    remote_dom_to_wire(dom, &args.dom);
    return remote_call(conn, REMOTE_PROC_DOMAIN_SET_AUTOSTART, &args, NULL, error);
}

char *remote_domain_get_metadata(DriverConn *conn, const DomainRef *dom, int type, const char *uri,
                                 unsigned int flags, GError **error)
{
    remote_domain_get_metadata_args args = { .type = type, .flags = flags };
    char *uri_copy = (char *)uri;

    remote_dom_to_wire(dom, &args.dom);
    args.uri = uri ? &uri_copy : NULL;
    return dom_string_call(conn, REMOTE_PROC_DOMAIN_GET_METADATA, &args, error);
}

bool remote_domain_set_metadata(DriverConn *conn, const DomainRef *dom, int type,
                                const char *metadata, const char *key, const char *uri,
                                unsigned int flags, GError **error)
{
    remote_domain_set_metadata_args args = { .type = type, .flags = flags };
    char *strs[3] = { (char *)metadata, (char *)key, (char *)uri };

    remote_dom_to_wire(dom, &args.dom);
    args.metadata = metadata ? &strs[0] : NULL;
    args.key = key ? &strs[1] : NULL;
    args.uri = uri ? &strs[2] : NULL;
    return remote_call(conn, REMOTE_PROC_DOMAIN_SET_METADATA, &args, NULL, error);
}

/* ---- lifecycle ---- */

/**
 * remote_domain_create: start a defined domain. Without flags this is DOMAIN_CREATE,
 * which returns nothing, followed by a lookup to learn the new id (what libvirt's
 * client does and virsh's trace shows); with flags CREATE_WITH_FLAGS returns it.
 */
DomainRef *remote_domain_create(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                GError **error)
{
    RemoteDomFlagsArgs args = { .flags = flags };

    remote_dom_to_wire(dom, &args.dom);
    if (flags != 0)
        return dom_returning(conn, REMOTE_PROC_DOMAIN_CREATE_WITH_FLAGS, &args, error);
    if (!remote_call(conn, REMOTE_PROC_DOMAIN_CREATE, &args, NULL, error))
        return NULL;
    return remote_domain_lookup_by_uuid(conn, dom->uuid, error);
}

DomainRef *remote_domain_create_xml(DriverConn *conn, const char *xml, unsigned int flags,
                                    GError **error)
{
    remote_domain_create_xml_args args = { .xml_desc = (char *)xml, .flags = flags };

    return dom_returning(conn, REMOTE_PROC_DOMAIN_CREATE_XML, &args, error);
}

/* Copies of the descriptors travel beside the CALL_WITH_FDS packet; the caller's stay
 * open and untouched. */
DomainRef *remote_domain_create_with_files(DriverConn *conn, const DomainRef *dom, int *fds,
                                           unsigned int n_fds, unsigned int flags, GError **error)
{
    RemoteDomFlagsArgs args = { .flags = flags };

    remote_dom_to_wire(dom, &args.dom);
    return dom_returning_fds(conn, REMOTE_PROC_DOMAIN_CREATE_WITH_FILES, &args, fds, n_fds, error);
}

DomainRef *remote_domain_create_xml_with_files(DriverConn *conn, const char *xml, int *fds,
                                               unsigned int n_fds, unsigned int flags,
                                               GError **error)
{
    remote_domain_create_xml_with_files_args args = { .xml_desc = (char *)xml, .flags = flags };

    return dom_returning_fds(conn, REMOTE_PROC_DOMAIN_CREATE_XML_WITH_FILES, &args, fds, n_fds,
                             error);
}

bool remote_domain_destroy(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                           GError **error)
{
    return dom_action(conn, REMOTE_PROC_DOMAIN_DESTROY, REMOTE_PROC_DOMAIN_DESTROY_FLAGS, dom,
                      flags, error);
}

bool remote_domain_shutdown(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                            GError **error)
{
    return dom_action(conn, REMOTE_PROC_DOMAIN_SHUTDOWN, REMOTE_PROC_DOMAIN_SHUTDOWN_FLAGS, dom,
                      flags, error);
}

bool remote_domain_reboot(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                          GError **error)
{
    return dom_action(conn, -1, REMOTE_PROC_DOMAIN_REBOOT, dom, flags, error);
}

bool remote_domain_reset(DriverConn *conn, const DomainRef *dom, unsigned int flags, GError **error)
{
    return dom_action(conn, -1, REMOTE_PROC_DOMAIN_RESET, dom, flags, error);
}

/* Suspend and resume have no flags on the wire (the API takes none either). */
bool remote_domain_suspend(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                           GError **error)
{
    RemoteDomArgs args;

    remote_dom_to_wire(dom, &args.dom);
    return remote_call(conn, REMOTE_PROC_DOMAIN_SUSPEND, &args, NULL, error);
}

bool remote_domain_resume(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                          GError **error)
{
    RemoteDomArgs args;

    remote_dom_to_wire(dom, &args.dom);
    return remote_call(conn, REMOTE_PROC_DOMAIN_RESUME, &args, NULL, error);
}

/* ---- queries ---- */

bool remote_domain_get_info(DriverConn *conn, const DomainRef *dom, DomainInfo *ret_info,
                            GError **error)
{
    remote_domain_get_info_args args;
    remote_domain_get_info_ret ret = { 0 };

    remote_dom_to_wire(dom, &args.dom);
    if (!remote_call(conn, REMOTE_PROC_DOMAIN_GET_INFO, &args, &ret, error))
        return false;
    *ret_info = (DomainInfo){
        .state = ret.state,
        .max_mem_kib = ret.maxMem,
        .memory_kib = ret.memory,
        .nr_virt_cpu = ret.nrVirtCpu,
        .cpu_time_ns = ret.cpuTime,
    };
    return true;
}

bool remote_domain_get_state(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                             int *ret_state, int *ret_reason, GError **error)
{
    remote_domain_get_state_args args = { .flags = flags };
    remote_domain_get_state_ret ret = { 0 };

    remote_dom_to_wire(dom, &args.dom);
    if (!remote_call(conn, REMOTE_PROC_DOMAIN_GET_STATE, &args, &ret, error))
        return false;
    *ret_state = ret.state;
    *ret_reason = ret.reason;
    return true;
}

bool remote_domain_is_active(DriverConn *conn, const DomainRef *dom, bool *ret, GError **error)
{
    return dom_bool_query(conn, REMOTE_PROC_DOMAIN_IS_ACTIVE, dom, ret, error);
}

bool remote_domain_is_persistent(DriverConn *conn, const DomainRef *dom, bool *ret, GError **error)
{
    return dom_bool_query(conn, REMOTE_PROC_DOMAIN_IS_PERSISTENT, dom, ret, error);
}

bool remote_domain_is_updated(DriverConn *conn, const DomainRef *dom, bool *ret, GError **error)
{
    return dom_bool_query(conn, REMOTE_PROC_DOMAIN_IS_UPDATED, dom, ret, error);
}

bool remote_domain_has_managed_save_image(DriverConn *conn, const DomainRef *dom, bool *ret,
                                          GError **error)
{
    return dom_bool_query(conn, REMOTE_PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE, dom, ret, error);
}

char *remote_domain_get_os_type(DriverConn *conn, const DomainRef *dom, GError **error)
{
    remote_domain_get_os_type_args args;

    remote_dom_to_wire(dom, &args.dom);
    return dom_string_call(conn, REMOTE_PROC_DOMAIN_GET_OS_TYPE, &args, error);
}

bool remote_domain_get_max_memory(DriverConn *conn, const DomainRef *dom, uint64_t *ret_kib,
                                  GError **error)
{
    remote_domain_get_max_memory_args args;
    remote_domain_get_max_memory_ret ret = { 0 };

    remote_dom_to_wire(dom, &args.dom);
    if (!remote_call(conn, REMOTE_PROC_DOMAIN_GET_MAX_MEMORY, &args, &ret, error))
        return false;
    *ret_kib = ret.memory;
    return true;
}

/* ---- security ---- */

/* libvirt sends these char<> arrays with their terminating NUL counted */
static char *wire_chars(const char *val, u_int len)
{
    return val ? g_strndup(val, len) : g_strdup("");
}

bool remote_node_get_security_model(DriverConn *conn, char **ret_model, char **ret_doi,
                                    GError **error)
{
    remote_node_get_security_model_ret ret = { 0 };

    if (!remote_call(conn, REMOTE_PROC_NODE_GET_SECURITY_MODEL, NULL, &ret, error))
        return false;
    *ret_model = wire_chars(ret.model.model_val, ret.model.model_len);
    *ret_doi = wire_chars(ret.doi.doi_val, ret.doi.doi_len);
    remote_ret_clear(REMOTE_PROC_NODE_GET_SECURITY_MODEL, &ret);
    return true;
}

bool remote_domain_get_security_label(DriverConn *conn, const DomainRef *dom, char **ret_label,
                                      bool *ret_enforcing, GError **error)
{
    remote_domain_get_security_label_args args;
    remote_domain_get_security_label_ret ret = { 0 };

    remote_dom_to_wire(dom, &args.dom);
    if (!remote_call(conn, REMOTE_PROC_DOMAIN_GET_SECURITY_LABEL, &args, &ret, error))
        return false;
    *ret_label = wire_chars(ret.label.label_val, ret.label.label_len);
    *ret_enforcing = ret.enforcing != 0;
    remote_ret_clear(REMOTE_PROC_DOMAIN_GET_SECURITY_LABEL, &ret);
    return true;
}
