/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What every driver does the same way over common/state: the fan-out of events to
 * connections, DomainRefs of objects, lookups, filtered lists, facts, XML and metadata.
 * Drivers (the test driver, virtqemud, ...) wrap these in their ops; @edom is the error
 * domain their messages carry (VIRT_TEST_ERROR, VIRT_QEMU_ERROR, ...).
 */

#include <glib.h>
#include <stdbool.h>

#include "driver/driver.h"
#include "state/domain-obj-list.h"

/* ---- events ---------------------------------------------------------------------- */

/* The connections of one driver that receive its events. */
typedef struct DriverEventHub DriverEventHub;
typedef struct DriverEventSink DriverEventSink;

DriverEventHub *driver_event_hub_new(void);
DriverEventHub *driver_event_hub_free(DriverEventHub *hub);
DriverEventSink *driver_event_hub_add(DriverEventHub *hub, DriverEventFunc cb, void *data);
/* After this returns, @sink's callback is not running and never runs again. */
void driver_event_hub_remove(DriverEventHub *hub, DriverEventSink *sink);
/* Deliver @events (DomainEvent*) to every sink; call with no driver lock held. */
void driver_event_hub_emit(DriverEventHub *hub, GPtrArray *events);

GPtrArray *driver_events_new(void);
void driver_events_queue(GPtrArray *events, DomainObj *obj, DomainEventType event, int detail);
void driver_events_queue_reboot(GPtrArray *events, DomainObj *obj);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(DriverEventHub, driver_event_hub_free)

/* The host's name (virConnectGetHostname). */
char *driver_host_name(void);

/* ---- references and lookups -------------------------------------------------------- */

DomainRef *driver_domain_ref_locked(const DomainObj *obj);
DomainRef *driver_domain_ref(DomainObj *obj);

/* {@edom, INVALID_ARG} "unsupported flags (0x..) in function @func" for flags outside
 * @allowed. */
bool driver_check_flags(unsigned int flags, unsigned int allowed, const char *func, GQuark edom,
                        GError **error);

DomainObj *driver_domain_obj_from_ref(DomainObjList *list, GQuark edom, const DomainRef *dom,
                                      GError **error);
DomainRef *driver_domain_lookup_by_name(DomainObjList *list, GQuark edom, const char *name,
                                        GError **error);
DomainRef *driver_domain_lookup_by_uuid(DomainObjList *list, GQuark edom,
                                        const uint8_t uuid[VIRT_UUID_LEN], GError **error);
DomainRef *driver_domain_lookup_by_id(DomainObjList *list, GQuark edom, int id, GError **error);
/* The domains passing the DomainListFlags @flags, sorted by name (flags already checked). */
GPtrArray *driver_domain_list_all(DomainObjList *list, unsigned int flags);

/* ---- queries ------------------------------------------------------------------------- */

bool driver_domain_get_facts(DomainObjList *list, GQuark edom, const DomainRef *dom,
                             DomainObjFacts *ret_facts, GError **error);
/* virDomainInfo from the definition and state; cpu_time_ns is left 0. */
void driver_domain_info_locked(const DomainObj *obj, DomainInfo *ret_info);
/* {DOMAIN, OPERATION_INVALID} "domain is not running" unless @obj is active. */
bool driver_domain_check_active(DomainObj *obj, GError **error);
/* virDomainGetXMLDesc: SECURE 1, INACTIVE 2, UPDATE_CPU 4, MIGRATABLE 8. */
char *driver_domain_get_xml_desc(DomainObjList *list, GQuark edom, const DomainRef *dom,
                                 unsigned int flags, const char *func, GError **error);

/* ---- metadata ------------------------------------------------------------------------ */

typedef struct DriverMetadataChange {
    int type; /* DomainMetadataType */
    const char *metadata;
    const char *key;
    const char *uri;
} DriverMetadataChange;

char *driver_domain_get_metadata(DomainObjList *list, GQuark edom, const DomainRef *dom, int type,
                                 const char *uri, unsigned int flags, const char *func,
                                 GError **error);
/* Apply @change to the definitions @flags (AFFECT_LIVE 1, AFFECT_CONFIG 2) name, all or
 * nothing. Caller holds the domain's job and obj->lock. */
bool driver_domain_set_metadata_locked(DomainObj *obj, unsigned int flags,
                                       const DriverMetadataChange *change, GError **error);
