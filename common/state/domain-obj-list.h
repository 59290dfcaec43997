/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The set of domains a driver knows, indexed by name, UUID and (while active) id.
 * Thread-safe. Lock order: list lock before any object lock; never the reverse.
 * Lookups return a new reference to the object.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "state/domain-obj.h"

typedef struct DomainObjList DomainObjList;

/* virConnectListAllDomainsFlags */
typedef enum DomainListFlags {
    DOMAIN_LIST_ACTIVE = 1u << 0,
    DOMAIN_LIST_INACTIVE = 1u << 1,
    DOMAIN_LIST_PERSISTENT = 1u << 2,
    DOMAIN_LIST_TRANSIENT = 1u << 3,
    DOMAIN_LIST_RUNNING = 1u << 4,
    DOMAIN_LIST_PAUSED = 1u << 5,
    DOMAIN_LIST_SHUTOFF = 1u << 6,
    DOMAIN_LIST_OTHER = 1u << 7,
    DOMAIN_LIST_MANAGEDSAVE = 1u << 8,
    DOMAIN_LIST_NO_MANAGEDSAVE = 1u << 9,
    DOMAIN_LIST_AUTOSTART = 1u << 10,
    DOMAIN_LIST_NO_AUTOSTART = 1u << 11,
    DOMAIN_LIST_HAS_SNAPSHOT = 1u << 12,
    DOMAIN_LIST_NO_SNAPSHOT = 1u << 13,
    DOMAIN_LIST_HAS_CHECKPOINT = 1u << 14,
    DOMAIN_LIST_NO_CHECKPOINT = 1u << 15,
    DOMAIN_LIST_ALL_FLAGS = 0xffffu,
} DomainListFlags;

typedef enum DomainObjListAddFlags {
    /* @def is a live definition (create_xml), not a persistent one (define) */
    DOMAIN_OBJ_LIST_ADD_LIVE = 1u << 0,
    /* refuse when an object with this UUID is already active */
    DOMAIN_OBJ_LIST_ADD_CHECK_LIVE = 1u << 1,
    /* return the object with the job @job taken (fails when it is busy) */
    DOMAIN_OBJ_LIST_ADD_BEGIN_JOB = 1u << 2,
} DomainObjListAddFlags;

/* lifecycle */
DomainObjList *domain_obj_list_new(void);
DomainObjList *domain_obj_list_free(DomainObjList *list);

/* filter: pure; whether a domain with @facts passes the DomainListFlags @flags */
bool domain_list_filter_match(unsigned int flags, const DomainObjFacts *facts);

/* changes */
bool domain_obj_list_add(DomainObjList *list, DomainDef *def, unsigned int add_flags,
                         const char *job, DomainObj **ret_obj, bool *ret_was_persistent,
                         GError **error);
void domain_obj_list_remove(DomainObjList *list, DomainObj *obj);
int domain_obj_list_activate(DomainObjList *list, DomainObj *obj, int id, DomainState state,
                             int reason);
bool domain_obj_list_deactivate(DomainObjList *list, DomainObj *obj, int reason);

/* lookups: a new reference, or NULL */
DomainObj *domain_obj_list_find_by_name(DomainObjList *list, const char *name);
DomainObj *domain_obj_list_find_by_uuid(DomainObjList *list, const uint8_t uuid[VIRT_UUID_LEN]);
DomainObj *domain_obj_list_find_by_id(DomainObjList *list, int id);

/* queries */
guint domain_obj_list_count(DomainObjList *list);
GPtrArray *domain_obj_list_collect(DomainObjList *list, unsigned int flags);
int domain_obj_list_next_id(DomainObjList *list);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainObjList, domain_obj_list_free)
