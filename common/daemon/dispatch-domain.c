/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Handlers of the domain procedures: each unpacks its args, calls one DriverOps entry. */

#include <string.h>

#include "daemon/daemon-priv.h"
#include "daemon/dispatch.h"
#include "util/error.h"

/* virConnectListAllDomains flags used to derive the legacy list procedures */
#define LIST_ACTIVE 1u
#define LIST_INACTIVE 2u

#define OP(call, name) (dispatch_require_op((call), (const void *)(call)->ops->name, error))

static bool domain_ret(DomainRef *ref, remote_nonnull_domain *ret)
{
    if (!ref)
        return false;
    dispatch_domain_to_wire(ref, ret);
    domain_ref_free(ref);
    return true;
}

static bool domain_action(DispatchCall *call, DomainActionFunc op,
                          const remote_nonnull_domain *wire, unsigned int flags, GError **error)
{
    DomainRef ref;

    if (!dispatch_require_op(call, (const void *)op, error))
        return false;
    dispatch_domain_from_wire(wire, &ref);
    return op(call->conn, &ref, flags, error);
}

static bool domain_query(DispatchCall *call, DomainBoolQueryFunc op,
                         const remote_nonnull_domain *wire, int *ret, GError **error)
{
    DomainRef ref;
    bool value = false;

    if (!dispatch_require_op(call, (const void *)op, error))
        return false;
    dispatch_domain_from_wire(wire, &ref);
    if (!op(call->conn, &ref, &value, error))
        return false;
    *ret = value ? 1 : 0;
    return true;
}

/* lookups */

bool dispatch_remote_domain_lookup_by_name(DispatchCall *call,
                                           const remote_domain_lookup_by_name_args *args,
                                           remote_domain_lookup_by_name_ret *ret, GError **error)
{
    return OP(call, domain_lookup_by_name) &&
           domain_ret(call->ops->domain_lookup_by_name(call->conn, args->name, error), &ret->dom);
}

bool dispatch_remote_domain_lookup_by_uuid(DispatchCall *call,
                                           const remote_domain_lookup_by_uuid_args *args,
                                           remote_domain_lookup_by_uuid_ret *ret, GError **error)
{
    return OP(call, domain_lookup_by_uuid) &&
           domain_ret(
               call->ops->domain_lookup_by_uuid(call->conn, (const uint8_t *)args->uuid, error),
               &ret->dom);
}

bool dispatch_remote_domain_lookup_by_id(DispatchCall *call,
                                         const remote_domain_lookup_by_id_args *args,
                                         remote_domain_lookup_by_id_ret *ret, GError **error)
{
    return OP(call, domain_lookup_by_id) &&
           domain_ret(call->ops->domain_lookup_by_id(call->conn, args->id, error), &ret->dom);
}

/* lists */

static GPtrArray *domain_list(DispatchCall *call, unsigned int flags, GError **error)
{
    GPtrArray *doms = NULL;

    if (!OP(call, connect_list_all_domains) ||
        !call->ops->connect_list_all_domains(call->conn, flags, &doms, error))
        return NULL;
    return doms;
}

bool dispatch_remote_connect_list_all_domains(DispatchCall *call,
                                              const remote_connect_list_all_domains_args *args,
                                              remote_connect_list_all_domains_ret *ret,
                                              GError **error)
{
    g_autoptr(GPtrArray) doms = domain_list(call, args->flags, error);

    if (!doms)
        return false;
    if (doms->len > REMOTE_DOMAIN_LIST_MAX) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC, "too many domains '%u' for limit '%d'",
                    doms->len, REMOTE_DOMAIN_LIST_MAX);
        return false;
    }
    ret->ret = doms->len;
    if (!args->need_results)
        return true;
    ret->domains.domains_len = doms->len;
    ret->domains.domains_val = g_new0(remote_nonnull_domain, MAX(doms->len, 1));
    for (guint i = 0; i < doms->len; i++)
        dispatch_domain_to_wire(doms->pdata[i], &ret->domains.domains_val[i]);
    return true;
}

static bool domain_check_max(int max, const char *what, GError **error)
{
    if (max < 0 || max > REMOTE_DOMAIN_LIST_MAX) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC, "%s %d outside 0..%d", what, max,
                    REMOTE_DOMAIN_LIST_MAX);
        return false;
    }
    return true;
}

bool dispatch_remote_connect_list_domains(DispatchCall *call,
                                          const remote_connect_list_domains_args *args,
                                          remote_connect_list_domains_ret *ret, GError **error)
{
    g_autoptr(GPtrArray) doms = NULL;
    guint n;

    if (!domain_check_max(args->maxids, "maxids", error))
        return false;
    doms = domain_list(call, LIST_ACTIVE, error);
    if (!doms)
        return false;
    n = MIN(doms->len, (guint)args->maxids);
    ret->ids.ids_len = n;
    ret->ids.ids_val = g_new0(int, MAX(n, 1));
    for (guint i = 0; i < n; i++)
        ret->ids.ids_val[i] = ((DomainRef *)doms->pdata[i])->id;
    return true;
}

bool dispatch_remote_connect_list_defined_domains(
    DispatchCall *call, const remote_connect_list_defined_domains_args *args,
    remote_connect_list_defined_domains_ret *ret, GError **error)
{
    g_autoptr(GPtrArray) doms = NULL;
    guint n;

    if (!domain_check_max(args->maxnames, "maxnames", error))
        return false;
    doms = domain_list(call, LIST_INACTIVE, error);
    if (!doms)
        return false;
    n = MIN(doms->len, (guint)args->maxnames);
    ret->names.names_len = n;
    ret->names.names_val = g_new0(remote_nonnull_string, MAX(n, 1));
    for (guint i = 0; i < n; i++)
        ret->names.names_val[i] = g_strdup(((DomainRef *)doms->pdata[i])->name);
    return true;
}

bool dispatch_remote_connect_num_of_domains(DispatchCall *call,
                                            remote_connect_num_of_domains_ret *ret, GError **error)
{
    g_autoptr(GPtrArray) doms = domain_list(call, LIST_ACTIVE, error);

    if (!doms)
        return false;
    ret->num = (int)doms->len;
    return true;
}

bool dispatch_remote_connect_num_of_defined_domains(DispatchCall *call,
                                                    remote_connect_num_of_defined_domains_ret *ret,
                                                    GError **error)
{
    g_autoptr(GPtrArray) doms = domain_list(call, LIST_INACTIVE, error);

    if (!doms)
        return false;
    ret->num = (int)doms->len;
    return true;
}

/* definition */

bool dispatch_remote_domain_define_xml(DispatchCall *call,
                                       const remote_domain_define_xml_args *args,
                                       remote_domain_define_xml_ret *ret, GError **error)
{
    return OP(call, domain_define_xml) &&
           domain_ret(call->ops->domain_define_xml(call->conn, args->xml, 0, error), &ret->dom);
}

bool dispatch_remote_domain_define_xml_flags(DispatchCall *call,
                                             const remote_domain_define_xml_flags_args *args,
                                             remote_domain_define_xml_flags_ret *ret,
                                             GError **error)
{
    return OP(call, domain_define_xml) &&
           domain_ret(call->ops->domain_define_xml(call->conn, args->xml, args->flags, error),
                      &ret->dom);
}

bool dispatch_remote_domain_undefine(DispatchCall *call, const remote_domain_undefine_args *args,
                                     GError **error)
{
    return domain_action(call, call->ops->domain_undefine, &args->dom, 0, error);
}

bool dispatch_remote_domain_undefine_flags(DispatchCall *call,
                                           const remote_domain_undefine_flags_args *args,
                                           GError **error)
{
    return domain_action(call, call->ops->domain_undefine, &args->dom, args->flags, error);
}

bool dispatch_remote_domain_get_xml_desc(DispatchCall *call,
                                         const remote_domain_get_xml_desc_args *args,
                                         remote_domain_get_xml_desc_ret *ret, GError **error)
{
    DomainRef ref;

    if (!OP(call, domain_get_xml_desc))
        return false;
    dispatch_domain_from_wire(&args->dom, &ref);
    ret->xml = call->ops->domain_get_xml_desc(call->conn, &ref, args->flags, error);
    return ret->xml != NULL;
}

bool dispatch_remote_domain_get_autostart(DispatchCall *call,
                                          const remote_domain_get_autostart_args *args,
                                          remote_domain_get_autostart_ret *ret, GError **error)
{
    return domain_query(call, call->ops->domain_get_autostart, &args->dom, &ret->autostart, error);
}

bool dispatch_remote_domain_set_autostart(DispatchCall *call,
                                          const remote_domain_set_autostart_args *args,
                                          GError **error)
{
    DomainRef ref;

    if (!OP(call, domain_set_autostart))
        return false;
    dispatch_domain_from_wire(&args->dom, &ref);
    return call->ops->domain_set_autostart(call->conn, &ref, args->autostart != 0, error);
}

bool dispatch_remote_domain_get_metadata(DispatchCall *call,
                                         const remote_domain_get_metadata_args *args,
                                         remote_domain_get_metadata_ret *ret, GError **error)
{
    DomainRef ref;

    if (!OP(call, domain_get_metadata))
        return false;
    dispatch_domain_from_wire(&args->dom, &ref);
    ret->metadata = call->ops->domain_get_metadata(
        call->conn, &ref, args->type, args->uri ? *args->uri : NULL, args->flags, error);
    return ret->metadata != NULL;
}

bool dispatch_remote_domain_set_metadata(DispatchCall *call,
                                         const remote_domain_set_metadata_args *args,
                                         GError **error)
{
    DomainRef ref;

    if (!OP(call, domain_set_metadata))
        return false;
    dispatch_domain_from_wire(&args->dom, &ref);
    return call->ops->domain_set_metadata(
        call->conn, &ref, args->type, args->metadata ? *args->metadata : NULL,
        args->key ? *args->key : NULL, args->uri ? *args->uri : NULL, args->flags, error);
}

/* lifecycle */

static bool domain_create(DispatchCall *call, const remote_nonnull_domain *wire, unsigned int flags,
                          remote_nonnull_domain *ret, GError **error)
{
    DomainRef ref;
    DomainRef *started;

    if (!OP(call, domain_create))
        return false;
    dispatch_domain_from_wire(wire, &ref);
    started = call->ops->domain_create(call->conn, &ref, flags, error);
    if (!started)
        return false;
    if (ret)
        dispatch_domain_to_wire(started, ret);
    domain_ref_free(started);
    return true;
}

bool dispatch_remote_domain_create(DispatchCall *call, const remote_domain_create_args *args,
                                   GError **error)
{
    return domain_create(call, &args->dom, 0, NULL, error);
}

bool dispatch_remote_domain_create_with_flags(DispatchCall *call,
                                              const remote_domain_create_with_flags_args *args,
                                              remote_domain_create_with_flags_ret *ret,
                                              GError **error)
{
    return domain_create(call, &args->dom, args->flags, &ret->dom, error);
}

bool dispatch_remote_domain_create_xml(DispatchCall *call,
                                       const remote_domain_create_xml_args *args,
                                       remote_domain_create_xml_ret *ret, GError **error)
{
    return OP(call, domain_create_xml) &&
           domain_ret(call->ops->domain_create_xml(call->conn, args->xml_desc, args->flags, error),
                      &ret->dom);
}

/* The descriptors of the CALL_WITH_FDS go to the driver, which may keep some. */
bool dispatch_remote_domain_create_with_files(DispatchCall *call,
                                              const remote_domain_create_with_files_args *args,
                                              remote_domain_create_with_files_ret *ret,
                                              GError **error)
{
    DomainRef ref;

    if (!OP(call, domain_create_with_files))
        return false;
    dispatch_domain_from_wire(&args->dom, &ref);
    return domain_ret(call->ops->domain_create_with_files(call->conn, &ref, call->fds, call->n_fds,
                                                          args->flags, error),
                      &ret->dom);
}

bool dispatch_remote_domain_create_xml_with_files(
    DispatchCall *call, const remote_domain_create_xml_with_files_args *args,
    remote_domain_create_xml_with_files_ret *ret, GError **error)
{
    return OP(call, domain_create_xml_with_files) &&
           domain_ret(call->ops->domain_create_xml_with_files(call->conn, args->xml_desc, call->fds,
                                                              call->n_fds, args->flags, error),
                      &ret->dom);
}

bool dispatch_remote_domain_destroy(DispatchCall *call, const remote_domain_destroy_args *args,
                                    GError **error)
{
    return domain_action(call, call->ops->domain_destroy, &args->dom, 0, error);
}

bool dispatch_remote_domain_destroy_flags(DispatchCall *call,
                                          const remote_domain_destroy_flags_args *args,
                                          GError **error)
{
    return domain_action(call, call->ops->domain_destroy, &args->dom, args->flags, error);
}

bool dispatch_remote_domain_shutdown(DispatchCall *call, const remote_domain_shutdown_args *args,
                                     GError **error)
{
    return domain_action(call, call->ops->domain_shutdown, &args->dom, 0, error);
}

bool dispatch_remote_domain_shutdown_flags(DispatchCall *call,
                                           const remote_domain_shutdown_flags_args *args,
                                           GError **error)
{
    return domain_action(call, call->ops->domain_shutdown, &args->dom, args->flags, error);
}

bool dispatch_remote_domain_reboot(DispatchCall *call, const remote_domain_reboot_args *args,
                                   GError **error)
{
    return domain_action(call, call->ops->domain_reboot, &args->dom, args->flags, error);
}

bool dispatch_remote_domain_reset(DispatchCall *call, const remote_domain_reset_args *args,
                                  GError **error)
{
    return domain_action(call, call->ops->domain_reset, &args->dom, args->flags, error);
}

bool dispatch_remote_domain_suspend(DispatchCall *call, const remote_domain_suspend_args *args,
                                    GError **error)
{
    return domain_action(call, call->ops->domain_suspend, &args->dom, 0, error);
}

bool dispatch_remote_domain_resume(DispatchCall *call, const remote_domain_resume_args *args,
                                   GError **error)
{
    return domain_action(call, call->ops->domain_resume, &args->dom, 0, error);
}

/* queries */

bool dispatch_remote_domain_get_info(DispatchCall *call, const remote_domain_get_info_args *args,
                                     remote_domain_get_info_ret *ret, GError **error)
{
    DomainInfo info = { 0 };
    DomainRef ref;

    if (!OP(call, domain_get_info))
        return false;
    dispatch_domain_from_wire(&args->dom, &ref);
    if (!call->ops->domain_get_info(call->conn, &ref, &info, error))
        return false;
    ret->state = (u_char)info.state;
    ret->maxMem = info.max_mem_kib;
    ret->memory = info.memory_kib;
    ret->nrVirtCpu = (u_short)info.nr_virt_cpu;
    ret->cpuTime = info.cpu_time_ns;
    return true;
}

bool dispatch_remote_domain_get_state(DispatchCall *call, const remote_domain_get_state_args *args,
                                      remote_domain_get_state_ret *ret, GError **error)
{
    DomainRef ref;
    int state = 0;
    int reason = 0;

    if (!OP(call, domain_get_state))
        return false;
    dispatch_domain_from_wire(&args->dom, &ref);
    if (!call->ops->domain_get_state(call->conn, &ref, args->flags, &state, &reason, error))
        return false;
    ret->state = state;
    ret->reason = reason;
    return true;
}

bool dispatch_remote_domain_is_active(DispatchCall *call, const remote_domain_is_active_args *args,
                                      remote_domain_is_active_ret *ret, GError **error)
{
    return domain_query(call, call->ops->domain_is_active, &args->dom, &ret->active, error);
}

bool dispatch_remote_domain_is_persistent(DispatchCall *call,
                                          const remote_domain_is_persistent_args *args,
                                          remote_domain_is_persistent_ret *ret, GError **error)
{
    return domain_query(call, call->ops->domain_is_persistent, &args->dom, &ret->persistent, error);
}

bool dispatch_remote_domain_is_updated(DispatchCall *call,
                                       const remote_domain_is_updated_args *args,
                                       remote_domain_is_updated_ret *ret, GError **error)
{
    return domain_query(call, call->ops->domain_is_updated, &args->dom, &ret->updated, error);
}

bool dispatch_remote_domain_has_managed_save_image(
    DispatchCall *call, const remote_domain_has_managed_save_image_args *args,
    remote_domain_has_managed_save_image_ret *ret, GError **error)
{
    return domain_query(call, call->ops->domain_has_managed_save_image, &args->dom, &ret->result,
                        error);
}

bool dispatch_remote_domain_get_os_type(DispatchCall *call,
                                        const remote_domain_get_os_type_args *args,
                                        remote_domain_get_os_type_ret *ret, GError **error)
{
    DomainRef ref;

    if (!OP(call, domain_get_os_type))
        return false;
    dispatch_domain_from_wire(&args->dom, &ref);
    ret->type = call->ops->domain_get_os_type(call->conn, &ref, error);
    return ret->type != NULL;
}

bool dispatch_remote_domain_get_max_memory(DispatchCall *call,
                                           const remote_domain_get_max_memory_args *args,
                                           remote_domain_get_max_memory_ret *ret, GError **error)
{
    DomainRef ref;
    uint64_t kib = 0;

    if (!OP(call, domain_get_max_memory))
        return false;
    dispatch_domain_from_wire(&args->dom, &ref);
    if (!call->ops->domain_get_max_memory(call->conn, &ref, &kib, error))
        return false;
    ret->memory = kib;
    return true;
}

bool dispatch_remote_domain_get_security_label(DispatchCall *call,
                                               const remote_domain_get_security_label_args *args,
                                               remote_domain_get_security_label_ret *ret,
                                               GError **error)
{
    g_autofree char *label = NULL;
    bool enforcing = false;
    DomainRef ref;

    dispatch_domain_from_wire(&args->dom, &ref);
    /* no security driver: an empty label, not enforcing */
    if (call->ops->domain_get_security_label &&
        !call->ops->domain_get_security_label(call->conn, &ref, &label, &enforcing, error))
        return false;
    /* the label travels with its NUL, as libvirt sends it */
    ret->label.label_len = (u_int)strlen(label ? label : "") + 1;
    ret->label.label_val = g_strdup(label ? label : "");
    ret->enforcing = enforcing ? 1 : 0;
    return true;
}

bool dispatch_remote_domain_get_messages(DispatchCall *call,
                                         const remote_domain_get_messages_args *args,
                                         remote_domain_get_messages_ret *ret, GError **error)
{
    DomainRef ref;
    bool active = false;

    /* no tainting or deprecation messages are tracked; still fail for unknown domains */
    if (!OP(call, domain_is_active))
        return false;
    dispatch_domain_from_wire(&args->dom, &ref);
    if (!call->ops->domain_is_active(call->conn, &ref, &active, error))
        return false;
    ret->msgs.msgs_len = 0;
    ret->msgs.msgs_val = NULL;
    return true;
}
