/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Domain ops shared by the drivers (see driver-domain-common.h). Messages follow
 * libvirt's, which are the same in its test and QEMU drivers apart from the error
 * domain.
 */

#include "driver/driver-domain-common.h"

#include <string.h>
#include <unistd.h>

#include "util/error.h"

/* libvirt's flag values (reference/libvirt-facts.md §1.13) */
enum {
    XML_SECURE = 1u << 0,
    XML_INACTIVE = 1u << 1,
    XML_UPDATE_CPU = 1u << 2,
    XML_MIGRATABLE = 1u << 3,
    AFFECT_LIVE = 1u << 0,
    AFFECT_CONFIG = 1u << 1,
};

/* ---- events ---------------------------------------------------------------------- */

struct DriverEventSink {
    gint refcount;
    DriverEventFunc cb;
    void *data;
    GMutex lock; /* held while calling cb, so none runs after removal */
    bool closed;
};

struct DriverEventHub {
    GMutex lock;
    GPtrArray *sinks; /* DriverEventSink*, one reference each */
};

static DriverEventSink *sink_ref(DriverEventSink *sink)
{
    g_atomic_int_inc(&sink->refcount);
    return sink;
}

static void sink_unref(gpointer data)
{
    DriverEventSink *sink = data;

    if (!g_atomic_int_dec_and_test(&sink->refcount))
        return;
    g_mutex_clear(&sink->lock);
    g_free(sink);
}

/**
 * driver_event_hub_new: an empty set of event receivers.
 */
DriverEventHub *driver_event_hub_new(void)
{
    DriverEventHub *hub = g_new0(DriverEventHub, 1);

    g_mutex_init(&hub->lock);
    hub->sinks = g_ptr_array_new_with_free_func(sink_unref);
    return hub;
}

DriverEventHub *driver_event_hub_free(DriverEventHub *hub)
{
    if (!hub)
        return NULL;
    g_ptr_array_unref(hub->sinks);
    g_mutex_clear(&hub->lock);
    g_free(hub);
    return NULL;
}

/**
 * driver_event_hub_add: deliver the hub's events to @cb(@data) until removed.
 */
DriverEventSink *driver_event_hub_add(DriverEventHub *hub, DriverEventFunc cb, void *data)
{
    DriverEventSink *sink = g_new0(DriverEventSink, 1);

    sink->refcount = 1;
    sink->cb = cb;
    sink->data = data;
    g_mutex_init(&sink->lock);
    g_mutex_lock(&hub->lock);
    g_ptr_array_add(hub->sinks, sink);
    g_mutex_unlock(&hub->lock);
    return sink;
}

/**
 * driver_event_hub_remove: stop delivering to @sink; waits for a delivery in progress.
 */
void driver_event_hub_remove(DriverEventHub *hub, DriverEventSink *sink)
{
    if (!sink)
        return;
    sink_ref(sink);
    g_mutex_lock(&hub->lock);
    g_ptr_array_remove(hub->sinks, sink);
    g_mutex_unlock(&hub->lock);
    g_mutex_lock(&sink->lock);
    sink->closed = true;
    g_mutex_unlock(&sink->lock);
    sink_unref(sink);
}

/**
 * driver_event_hub_emit: deliver @events to every sink of @hub, in order. No hub lock
 * is held while the callbacks run; each sink's own lock only keeps removal from
 * overtaking them.
 */
void driver_event_hub_emit(DriverEventHub *hub, GPtrArray *events)
{
    g_autoptr(GPtrArray) sinks = NULL;

    if (!events || !events->len)
        return;
    sinks = g_ptr_array_new_with_free_func(sink_unref);
    g_mutex_lock(&hub->lock);
    for (guint i = 0; i < hub->sinks->len; i++)
        g_ptr_array_add(sinks, sink_ref(hub->sinks->pdata[i]));
    g_mutex_unlock(&hub->lock);

    for (guint i = 0; i < sinks->len; i++) {
        DriverEventSink *sink = sinks->pdata[i];

        g_mutex_lock(&sink->lock);
        for (guint e = 0; e < events->len && !sink->closed && sink->cb; e++)
            sink->cb(events->pdata[e], sink->data);
        g_mutex_unlock(&sink->lock);
    }
}

static void event_free(gpointer data)
{
    DomainEvent *ev = data;

    domain_ref_free(ev->dom);
    g_free(ev);
}

GPtrArray *driver_events_new(void)
{
    return g_ptr_array_new_with_free_func(event_free);
}

/**
 * driver_events_queue: add a lifecycle event of @obj to @events.
 */
void driver_events_queue(GPtrArray *events, DomainObj *obj, DomainEventType event, int detail)
{
    DomainEvent *ev = g_new0(DomainEvent, 1);

    ev->event_id = 0; /* VIR_DOMAIN_EVENT_ID_LIFECYCLE */
    ev->dom = driver_domain_ref(obj);
    ev->event = event;
    ev->detail = detail;
    g_ptr_array_add(events, ev);
}

/**
 * driver_events_queue_reboot: add a reboot event (VIR_DOMAIN_EVENT_ID_REBOOT) of @obj.
 */
void driver_events_queue_reboot(GPtrArray *events, DomainObj *obj)
{
    DomainEvent *ev = g_new0(DomainEvent, 1);

    ev->event_id = 1; /* VIR_DOMAIN_EVENT_ID_REBOOT */
    ev->dom = driver_domain_ref(obj);
    g_ptr_array_add(events, ev);
}

char *driver_host_name(void)
{
    char name[256];

    if (gethostname(name, sizeof(name) - 1) < 0)
        return g_strdup(g_get_host_name());
    name[sizeof(name) - 1] = '\0';
    return g_strdup(name);
}

/* ---- references and lookups -------------------------------------------------------- */

/* Caller holds obj->lock. */
DomainRef *driver_domain_ref_locked(const DomainObj *obj)
{
    return domain_ref_new(obj->def->name, obj->def->uuid, obj->id);
}

DomainRef *driver_domain_ref(DomainObj *obj)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);

    return driver_domain_ref_locked(obj);
}

bool driver_check_flags(unsigned int flags, unsigned int allowed, const char *func, GQuark edom,
                        GError **error)
{
    if (!(flags & ~allowed))
        return true;
    g_set_error(error, edom, VIRT_ERR_INVALID_ARG, "unsupported flags (0x%x) in function %s",
                flags & ~allowed, func);
    return false;
}

static void set_no_domain_uuid(GQuark edom, const uint8_t uuid[VIRT_UUID_LEN], const char *name,
                               GError **error)
{
    char str[VIRT_UUID_STRING_LEN];

    virt_uuid_format(uuid, str);
    if (name)
        g_set_error(error, edom, VIRT_ERR_NO_DOMAIN,
                    "Domain not found: no domain with matching uuid '%s' (%s)", str, name);
    else
        g_set_error(error, edom, VIRT_ERR_NO_DOMAIN,
                    "Domain not found: no domain with matching uuid '%s'", str);
}

/**
 * driver_domain_obj_from_ref: the object @dom names (by UUID, as libvirt's drivers look
 * domains up), a new reference.
 */
DomainObj *driver_domain_obj_from_ref(DomainObjList *list, GQuark edom, const DomainRef *dom,
                                      GError **error)
{
    DomainObj *obj = domain_obj_list_find_by_uuid(list, dom->uuid);

    if (!obj)
        set_no_domain_uuid(edom, dom->uuid, dom->name, error);
    return obj;
}

DomainRef *driver_domain_lookup_by_name(DomainObjList *list, GQuark edom, const char *name,
                                        GError **error)
{
    g_autoptr(DomainObj) obj = domain_obj_list_find_by_name(list, name);

    if (!obj) {
        g_set_error(error, edom, VIRT_ERR_NO_DOMAIN,
                    "Domain not found: no domain with matching name '%s'", name);
        return NULL;
    }
    return driver_domain_ref(obj);
}

DomainRef *driver_domain_lookup_by_uuid(DomainObjList *list, GQuark edom,
                                        const uint8_t uuid[VIRT_UUID_LEN], GError **error)
{
    g_autoptr(DomainObj) obj = domain_obj_list_find_by_uuid(list, uuid);

    if (!obj) {
        set_no_domain_uuid(edom, uuid, NULL, error);
        return NULL;
    }
    return driver_domain_ref(obj);
}

DomainRef *driver_domain_lookup_by_id(DomainObjList *list, GQuark edom, int id, GError **error)
{
    g_autoptr(DomainObj) obj = domain_obj_list_find_by_id(list, id);

    if (!obj) {
        g_set_error(error, edom, VIRT_ERR_NO_DOMAIN,
                    "Domain not found: no domain with matching id %d", id);
        return NULL;
    }
    return driver_domain_ref(obj);
}

static gint compare_refs_by_name(gconstpointer a, gconstpointer b)
{
    const DomainRef *ra = *(DomainRef *const *)a;
    const DomainRef *rb = *(DomainRef *const *)b;

    return strcmp(ra->name, rb->name);
}

static void ref_free_notify(gpointer ref)
{
    domain_ref_free(ref);
}

/**
 * driver_domain_list_all: DomainRef* of the domains of @list that pass @flags.
 */
GPtrArray *driver_domain_list_all(DomainObjList *list, unsigned int flags)
{
    g_autoptr(GPtrArray) objs = domain_obj_list_collect(list, flags);
    GPtrArray *refs = g_ptr_array_new_full(objs->len, ref_free_notify);

    for (guint i = 0; i < objs->len; i++)
        g_ptr_array_add(refs, driver_domain_ref(objs->pdata[i]));
    g_ptr_array_sort(refs, compare_refs_by_name);
    return refs;
}

/* ---- queries ------------------------------------------------------------------------- */

/**
 * driver_domain_get_facts: what readers look at, from the last committed state (never
 * waits for a job).
 */
bool driver_domain_get_facts(DomainObjList *list, GQuark edom, const DomainRef *dom,
                             DomainObjFacts *ret_facts, GError **error)
{
    g_autoptr(DomainObj) obj = driver_domain_obj_from_ref(list, edom, dom, error);

    if (!obj)
        return false;
    domain_obj_get_facts(obj, ret_facts);
    return true;
}

void driver_domain_info_locked(const DomainObj *obj, DomainInfo *ret_info)
{
    const DomainDef *def = obj->def;

    *ret_info = (DomainInfo){
        .state = obj->state,
        .max_mem_kib = def->memory_kib,
        .memory_kib = def->cur_memory_kib ? def->cur_memory_kib : def->memory_kib,
        .nr_virt_cpu = def->vcpus_current ? def->vcpus_current : def->vcpus,
    };
}

bool driver_domain_check_active(DomainObj *obj, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);

    if (domain_obj_is_active_locked(obj))
        return true;
    g_set_error_literal(error, VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_INVALID,
                        "Requested operation is not valid: domain is not running");
    return false;
}

/**
 * driver_domain_get_xml_desc: the live definition (with its id) of a running domain,
 * or the persistent one with INACTIVE or MIGRATABLE.
 */
char *driver_domain_get_xml_desc(DomainObjList *list, GQuark edom, const DomainRef *dom,
                                 unsigned int flags, const char *func, GError **error)
{
    const unsigned int allowed = XML_SECURE | XML_INACTIVE | XML_UPDATE_CPU | XML_MIGRATABLE;
    g_autoptr(DomainObj) obj = NULL;
    g_autoptr(GMutexLocker) locker = NULL;
    DomainFormatFlags fmt = 0;
    bool inactive = flags & (XML_INACTIVE | XML_MIGRATABLE);

    if (!driver_check_flags(flags, allowed, func, edom, error) ||
        !(obj = driver_domain_obj_from_ref(list, edom, dom, error)))
        return NULL;
    if (flags & XML_SECURE)
        fmt |= DOMAIN_FORMAT_SECURE;
    if (inactive)
        fmt |= DOMAIN_FORMAT_INACTIVE;
    locker = g_mutex_locker_new(&obj->lock);
    if (inactive)
        return domain_def_format(domain_obj_persistent_def_locked(obj), -1, fmt);
    return domain_def_format(obj->def, obj->id, fmt);
}

/* ---- metadata ------------------------------------------------------------------------ */

/* Which definitions a metadata call with @flags (virDomainModificationImpact) touches. */
static bool metadata_targets_locked(DomainObj *obj, unsigned int flags, bool *ret_live,
                                    bool *ret_config, GError **error)
{
    bool active = domain_obj_is_active_locked(obj);
    bool live = flags & AFFECT_LIVE;
    bool config = flags & AFFECT_CONFIG;

    if (!live && !config) {
        live = active;
        config = !active;
    }
    if (live && !active) {
        g_set_error_literal(error, VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: domain is not running");
        return false;
    }
    if (config && !obj->persistent) {
        g_set_error_literal(error, VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: transient domains do not have "
                            "any persistent config");
        return false;
    }
    *ret_live = live;
    *ret_config = config;
    return true;
}

char *driver_domain_get_metadata(DomainObjList *list, GQuark edom, const DomainRef *dom, int type,
                                 const char *uri, unsigned int flags, const char *func,
                                 GError **error)
{
    g_autoptr(DomainObj) obj = NULL;
    g_autoptr(GMutexLocker) locker = NULL;
    bool live, config;

    if (!driver_check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG, func, edom, error))
        return NULL;
    if ((flags & AFFECT_LIVE) && (flags & AFFECT_CONFIG)) {
        g_set_error_literal(error, edom, VIRT_ERR_INVALID_ARG,
                            "invalid argument: flags 'affect live' and 'affect config' are "
                            "mutually exclusive");
        return NULL;
    }
    if (!(obj = driver_domain_obj_from_ref(list, edom, dom, error)))
        return NULL;
    locker = g_mutex_locker_new(&obj->lock);
    if (!metadata_targets_locked(obj, flags, &live, &config, error))
        return NULL;
    return domain_def_get_metadata(live ? obj->def : domain_obj_persistent_def_locked(obj), type,
                                   uri, error);
}

/**
 * driver_domain_set_metadata_locked: changes are made on copies and swapped in only
 * when every copy succeeded.
 */
bool driver_domain_set_metadata_locked(DomainObj *obj, unsigned int flags,
                                       const DriverMetadataChange *c, GError **error)
{
    g_autoptr(DomainDef) live_def = NULL;
    g_autoptr(DomainDef) config_def = NULL;
    bool live, config, active = domain_obj_is_active_locked(obj);

    if (!metadata_targets_locked(obj, flags, &live, &config, error))
        return false;
    if (live) {
        live_def = domain_def_copy(obj->def);
        if (!domain_def_set_metadata(live_def, c->type, c->metadata, c->key, c->uri, error))
            return false;
    }
    if (config) {
        config_def = domain_def_copy(domain_obj_persistent_def_locked(obj));
        if (!domain_def_set_metadata(config_def, c->type, c->metadata, c->key, c->uri, error))
            return false;
    }
    if (live_def) {
        /* the persistent config must not follow a live-only change */
        if (obj->persistent && !obj->new_def)
            obj->new_def = g_steal_pointer(&obj->def);
        domain_def_free(obj->def);
        obj->def = g_steal_pointer(&live_def);
    }
    if (config_def && active) {
        domain_def_free(obj->new_def);
        obj->new_def = g_steal_pointer(&config_def);
    } else if (config_def) {
        domain_def_free(obj->def);
        obj->def = g_steal_pointer(&config_def);
    }
    return true;
}
