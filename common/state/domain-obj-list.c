/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Domain object list. The UUID index owns one reference per object; the name and id
 * indexes point at the same objects. Names and UUIDs of an object never change, so
 * the index keys are private copies taken when the object is added.
 */

#include "state/domain-obj-list.h"

#include "util/error.h"

struct DomainObjList {
    GMutex lock;
    GHashTable *by_uuid; /* uint8_t[16] (owned copy) -> DomainObj* (owned ref) */
    GHashTable *by_name; /* char* (owned copy) -> DomainObj* */
    GHashTable *by_id;   /* GINT_TO_POINTER(id) -> DomainObj* */
    int next_id;
};

static guint uuid_hash(gconstpointer key)
{
    const uint8_t *u = key;
    guint h = 5381;

    for (int i = 0; i < VIRT_UUID_LEN; i++)
        h = h * 33 + u[i];
    return h;
}

static gboolean uuid_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, VIRT_UUID_LEN) == 0;
}

static void obj_unref_notify(gpointer obj)
{
    domain_obj_unref(obj);
}

/**
 * domain_obj_list_new: an empty list; ids start at 1.
 */
DomainObjList *domain_obj_list_new(void)
{
    DomainObjList *list = g_new0(DomainObjList, 1);

    g_mutex_init(&list->lock);
    list->by_uuid = g_hash_table_new_full(uuid_hash, uuid_equal, g_free, obj_unref_notify);
    list->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    list->by_id = g_hash_table_new(g_direct_hash, g_direct_equal);
    list->next_id = 1;
    return list;
}

/**
 * domain_obj_list_free: drop the list and its references. Accepts NULL; returns NULL.
 */
DomainObjList *domain_obj_list_free(DomainObjList *list)
{
    if (!list)
        return NULL;
    g_hash_table_destroy(list->by_id);
    g_hash_table_destroy(list->by_name);
    g_hash_table_destroy(list->by_uuid);
    g_mutex_clear(&list->lock);
    g_free(list);
    return NULL;
}

/* Within one group of flags, no flag set means "no filter"; otherwise at least one
 * set flag must describe the domain. */
static bool filter_group(unsigned int flags, unsigned int yes, unsigned int no, bool fact)
{
    if (!(flags & (yes | no)))
        return true;
    return ((flags & yes) && fact) || ((flags & no) && !fact);
}

static bool filter_state(unsigned int flags, DomainState state)
{
    const unsigned int group =
        DOMAIN_LIST_RUNNING | DOMAIN_LIST_PAUSED | DOMAIN_LIST_SHUTOFF | DOMAIN_LIST_OTHER;

    if (!(flags & group))
        return true;
    switch (state) {
    case DOMAIN_STATE_RUNNING:
        return flags & DOMAIN_LIST_RUNNING;
    case DOMAIN_STATE_PAUSED:
        return flags & DOMAIN_LIST_PAUSED;
    case DOMAIN_STATE_SHUTOFF:
        return flags & DOMAIN_LIST_SHUTOFF;
    case DOMAIN_STATE_NOSTATE:
    case DOMAIN_STATE_BLOCKED:
    case DOMAIN_STATE_SHUTDOWN:
    case DOMAIN_STATE_CRASHED:
    case DOMAIN_STATE_PMSUSPENDED:
    case _DOMAIN_STATE_MAX:
    case _DOMAIN_STATE_INVALID:
        break;
    }
    return flags & DOMAIN_LIST_OTHER;
}

/**
 * domain_list_filter_match: whether a domain described by @facts passes the
 * virConnectListAllDomains filter @flags. Pure.
 */
bool domain_list_filter_match(unsigned int flags, const DomainObjFacts *facts)
{
    return filter_group(flags, DOMAIN_LIST_ACTIVE, DOMAIN_LIST_INACTIVE, facts->active) &&
           filter_group(flags, DOMAIN_LIST_PERSISTENT, DOMAIN_LIST_TRANSIENT, facts->persistent) &&
           filter_state(flags, facts->state) &&
           filter_group(flags, DOMAIN_LIST_MANAGEDSAVE, DOMAIN_LIST_NO_MANAGEDSAVE,
                        facts->has_managed_save) &&
           filter_group(flags, DOMAIN_LIST_AUTOSTART, DOMAIN_LIST_NO_AUTOSTART, facts->autostart) &&
           filter_group(flags, DOMAIN_LIST_HAS_SNAPSHOT, DOMAIN_LIST_NO_SNAPSHOT,
                        facts->n_snapshots > 0) &&
           filter_group(flags, DOMAIN_LIST_HAS_CHECKPOINT, DOMAIN_LIST_NO_CHECKPOINT,
                        facts->n_checkpoints > 0);
}

/* Install @def in the existing object @obj (locked). Persistent definitions wait in
 * new_def while the domain runs; a live definition for an inactive persistent domain
 * keeps the persistent one in new_def so that it comes back after the stop. */
static void assign_def_locked(DomainObj *obj, DomainDef *def, bool live)
{
    bool active = domain_obj_is_active_locked(obj);

    if (live) {
        if (!active && obj->persistent) {
            domain_def_free(obj->new_def);
            obj->new_def = obj->def;
        } else {
            domain_def_free(obj->def);
        }
        obj->def = def;
        return;
    }
    if (active) {
        domain_def_free(obj->new_def);
        obj->new_def = def;
    } else {
        domain_def_free(obj->def);
        obj->def = def;
    }
    obj->persistent = true;
}

static bool check_existing_locked(DomainObj *obj, const DomainDef *def, unsigned int add_flags,
                                  GError **error)
{
    char uuid[VIRT_UUID_STRING_LEN];

    virt_uuid_format(obj->def->uuid, uuid);
    if (strcmp(obj->def->name, def->name) != 0) {
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_FAILED,
                    "operation failed: domain '%s' is already defined with uuid %s", obj->def->name,
                    uuid);
        return false;
    }
    if ((add_flags & DOMAIN_OBJ_LIST_ADD_CHECK_LIVE) && domain_obj_is_active_locked(obj)) {
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_INVALID,
                    "Requested operation is not valid: domain '%s' is already active",
                    obj->def->name);
        return false;
    }
    if (obj->job) {
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_INVALID,
                    "Requested operation is not valid: domain '%s' is busy with %s", obj->def->name,
                    obj->job);
        return false;
    }
    return true;
}

static bool add_existing_locked(DomainObj *obj, DomainDef *def, unsigned int add_flags,
                                const char *job, bool *ret_was_persistent, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);

    if (!check_existing_locked(obj, def, add_flags, error))
        return false;
    *ret_was_persistent = obj->persistent;
    assign_def_locked(obj, def, add_flags & DOMAIN_OBJ_LIST_ADD_LIVE);
    if (add_flags & DOMAIN_OBJ_LIST_ADD_BEGIN_JOB)
        obj->job = job;
    return true;
}

static bool check_name_free_locked(DomainObjList *list, const DomainDef *def, GError **error)
{
    DomainObj *other = g_hash_table_lookup(list->by_name, def->name);
    char uuid[VIRT_UUID_STRING_LEN];

    if (!other)
        return true;
    /* its def may be swapped (metadata changes hold only the object lock) */
    g_mutex_lock(&other->lock);
    virt_uuid_format(other->def->uuid, uuid);
    g_mutex_unlock(&other->lock);
    g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_FAILED,
                "operation failed: domain '%s' already exists with uuid %s", def->name, uuid);
    return false;
}

/**
 * domain_obj_list_add: add the definition @def (taken over, also on failure), with
 * libvirt's rules: the same name and UUID as an existing object update it (a running
 * domain keeps the new persistent config pending in new_def); a clash of only one of
 * them fails with OPERATION_FAILED. With DOMAIN_OBJ_LIST_ADD_LIVE the def is a live
 * (transient) one; with DOMAIN_OBJ_LIST_ADD_CHECK_LIVE an active namesake is refused;
 * with DOMAIN_OBJ_LIST_ADD_BEGIN_JOB the object comes back holding the job @job, so no
 * other caller can act on it before the caller's change is complete (an existing
 * object busy with a job is refused). @ret_obj gets a new reference;
 * @ret_was_persistent (optional) whether a persistent config existed before.
 */
bool domain_obj_list_add(DomainObjList *list, DomainDef *def, unsigned int add_flags,
                         const char *job, DomainObj **ret_obj, bool *ret_was_persistent,
                         GError **error)
{
    g_autoptr(DomainDef) owned = def;
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&list->lock);
    DomainObj *obj = g_hash_table_lookup(list->by_uuid, def->uuid);
    bool was_persistent = false;

    if (obj) {
        if (!add_existing_locked(obj, def, add_flags, job, &was_persistent, error))
            return false;
        g_steal_pointer(&owned);
    } else {
        if (!check_name_free_locked(list, def, error))
            return false;
        obj = domain_obj_new(g_steal_pointer(&owned));
        obj->persistent = !(add_flags & DOMAIN_OBJ_LIST_ADD_LIVE);
        if (add_flags & DOMAIN_OBJ_LIST_ADD_BEGIN_JOB)
            obj->job = job;
        g_hash_table_insert(list->by_uuid, g_memdup2(def->uuid, VIRT_UUID_LEN), obj);
        g_hash_table_insert(list->by_name, g_strdup(def->name), obj);
    }
    *ret_obj = domain_obj_ref(obj);
    if (ret_was_persistent)
        *ret_was_persistent = was_persistent;
    return true;
}

/* Caller holds list->lock. */
static void remove_locked(DomainObjList *list, DomainObj *obj)
{
    const DomainDef *def = obj->def;

    if (g_hash_table_lookup(list->by_uuid, def->uuid) != obj)
        return;
    if (obj->id >= 0 && g_hash_table_lookup(list->by_id, GINT_TO_POINTER(obj->id)) == obj)
        g_hash_table_remove(list->by_id, GINT_TO_POINTER(obj->id));
    g_hash_table_remove(list->by_name, def->name);
    obj->removed = true;
    /* last: this may drop the list's reference */
    g_hash_table_remove(list->by_uuid, def->uuid);
}

/**
 * domain_obj_list_remove: take @obj out of every index and mark it removed, so later
 * jobs on stale references fail with NO_DOMAIN. The caller keeps its own reference.
 */
void domain_obj_list_remove(DomainObjList *list, DomainObj *obj)
{
    g_mutex_lock(&list->lock);
    g_mutex_lock(&obj->lock);
    remove_locked(list, obj);
    g_mutex_unlock(&obj->lock);
    g_mutex_unlock(&list->lock);
}

/**
 * domain_obj_list_activate: commit @obj as active in one step: id (@id, or the next
 * free one when @id < 0), id index, state and reason. Returns the id.
 */
int domain_obj_list_activate(DomainObjList *list, DomainObj *obj, int id, DomainState state,
                             int reason)
{
    g_mutex_lock(&list->lock);
    if (id < 0)
        id = list->next_id++;
    else if (id >= list->next_id)
        list->next_id = id + 1;
    g_mutex_lock(&obj->lock);
    if (obj->id >= 0)
        g_hash_table_remove(list->by_id, GINT_TO_POINTER(obj->id));
    obj->id = id;
    domain_obj_set_state_locked(obj, state, reason);
    if (!obj->removed)
        g_hash_table_insert(list->by_id, GINT_TO_POINTER(id), obj);
    g_mutex_unlock(&obj->lock);
    g_mutex_unlock(&list->lock);
    return id;
}

/**
 * domain_obj_list_deactivate: commit the stop of @obj in one step: no id, SHUTOFF with
 * @reason, the pending persistent config becomes the definition, and a transient
 * domain leaves the list. Returns true when it was removed.
 */
bool domain_obj_list_deactivate(DomainObjList *list, DomainObj *obj, int reason)
{
    bool removed = false;

    g_mutex_lock(&list->lock);
    g_mutex_lock(&obj->lock);
    if (obj->id >= 0 && g_hash_table_lookup(list->by_id, GINT_TO_POINTER(obj->id)) == obj)
        g_hash_table_remove(list->by_id, GINT_TO_POINTER(obj->id));
    obj->id = -1;
    domain_obj_set_state_locked(obj, DOMAIN_STATE_SHUTOFF, reason);
    obj->updated = false;
    if (obj->new_def) {
        domain_def_free(obj->def);
        obj->def = g_steal_pointer(&obj->new_def);
    }
    if (!obj->persistent) {
        remove_locked(list, obj);
        removed = true;
    }
    g_mutex_unlock(&obj->lock);
    g_mutex_unlock(&list->lock);
    return removed;
}

static DomainObj *find_ref(DomainObjList *list, GHashTable *table, gconstpointer key)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&list->lock);
    DomainObj *obj = g_hash_table_lookup(table, key);

    return obj ? domain_obj_ref(obj) : NULL;
}

/**
 * domain_obj_list_find_by_name: a new reference to the domain called @name, or NULL.
 */
DomainObj *domain_obj_list_find_by_name(DomainObjList *list, const char *name)
{
    return find_ref(list, list->by_name, name);
}

/**
 * domain_obj_list_find_by_uuid: a new reference to the domain with @uuid, or NULL.
 */
DomainObj *domain_obj_list_find_by_uuid(DomainObjList *list, const uint8_t uuid[VIRT_UUID_LEN])
{
    return find_ref(list, list->by_uuid, uuid);
}

/**
 * domain_obj_list_find_by_id: a new reference to the active domain with @id, or NULL.
 */
DomainObj *domain_obj_list_find_by_id(DomainObjList *list, int id)
{
    if (id < 0)
        return NULL;
    return find_ref(list, list->by_id, GINT_TO_POINTER(id));
}

/**
 * domain_obj_list_count: how many domains the list holds.
 */
guint domain_obj_list_count(DomainObjList *list)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&list->lock);

    return g_hash_table_size(list->by_uuid);
}

/**
 * domain_obj_list_collect: new references to every domain passing the filter @flags
 * (DomainListFlags; unknown bits are the caller's to refuse), in no particular order.
 * The array frees its references.
 */
GPtrArray *domain_obj_list_collect(DomainObjList *list, unsigned int flags)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&list->lock);
    GPtrArray *out = g_ptr_array_new_full(g_hash_table_size(list->by_uuid), obj_unref_notify);
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init(&iter, list->by_uuid);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        DomainObj *obj = value;
        DomainObjFacts facts;

        domain_obj_get_facts(obj, &facts);
        if (domain_list_filter_match(flags, &facts))
            g_ptr_array_add(out, domain_obj_ref(obj));
    }
    return out;
}

/**
 * domain_obj_list_next_id: the id the next activation without an explicit id gets.
 */
int domain_obj_list_next_id(DomainObjList *list)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&list->lock);

    return list->next_id;
}
