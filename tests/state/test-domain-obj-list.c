/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Domain objects and the object list: indexes, add/redefine rules, activation, the
 * list filter (table-driven) and the job lock. */

#include "state/domain-obj-list.h"

#include "util/error.h"

static DomainDef *make_def(const char *name, const char *uuid)
{
    DomainDef *def = domain_def_new();

    def->name = g_strdup(name);
    g_assert_true(virt_uuid_parse(uuid, def->uuid));
    def->has_uuid = true;
    def->memory_kib = 1024;
    return def;
}

#define UUID_A "11111111-2222-3333-4444-555555555555"
#define UUID_B "11111111-2222-3333-4444-666666666666"

static DomainObj *add_ok(DomainObjList *list, DomainDef *def, unsigned int flags,
                         bool *ret_was_persistent)
{
    g_autoptr(GError) error = NULL;
    DomainObj *obj = NULL;

    g_assert_true(domain_obj_list_add(list, def, flags, NULL, &obj, ret_was_persistent, &error));
    g_assert_no_error(error);
    g_assert_nonnull(obj);
    return obj;
}

static void test_add_find(void)
{
    g_autoptr(DomainObjList) list = domain_obj_list_new();
    g_autoptr(DomainObj) obj = NULL;
    g_autoptr(DomainObj) by_name = NULL;
    g_autoptr(DomainObj) by_uuid = NULL;
    uint8_t uuid[VIRT_UUID_LEN];
    bool was_persistent = true;

    obj = add_ok(list, make_def("a", UUID_A), 0, &was_persistent);
    g_assert_false(was_persistent);
    g_assert_true(obj->persistent);
    g_assert_cmpint(obj->id, ==, -1);
    g_assert_cmpint(obj->state, ==, DOMAIN_STATE_SHUTOFF);
    g_assert_cmpuint(domain_obj_list_count(list), ==, 1);

    by_name = domain_obj_list_find_by_name(list, "a");
    g_assert_true(by_name == obj);
    virt_uuid_parse(UUID_A, uuid);
    by_uuid = domain_obj_list_find_by_uuid(list, uuid);
    g_assert_true(by_uuid == obj);
    g_assert_null(domain_obj_list_find_by_name(list, "b"));
    virt_uuid_parse(UUID_B, uuid);
    g_assert_null(domain_obj_list_find_by_uuid(list, uuid));
    g_assert_null(domain_obj_list_find_by_id(list, 1));
    g_assert_null(domain_obj_list_find_by_id(list, -1));
}

static void test_add_clashes(void)
{
    g_autoptr(DomainObjList) list = domain_obj_list_new();
    g_autoptr(DomainObj) obj = add_ok(list, make_def("a", UUID_A), 0, NULL);
    g_autoptr(GError) error = NULL;
    DomainObj *other = NULL;

    g_assert_false(domain_obj_list_add(list, make_def("a", UUID_B), 0, NULL, &other, NULL, &error));
    g_assert_null(other);
    g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_FAILED);
    g_assert_cmpstr(error->message, ==,
                    "operation failed: domain 'a' already exists with uuid " UUID_A);
    g_clear_error(&error);

    g_assert_false(domain_obj_list_add(list, make_def("b", UUID_A), 0, NULL, &other, NULL, &error));
    g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_FAILED);
    g_assert_cmpstr(error->message, ==,
                    "operation failed: domain 'a' is already defined with uuid " UUID_A);
    g_assert_cmpuint(domain_obj_list_count(list), ==, 1);
}

static void test_redefine(void)
{
    g_autoptr(DomainObjList) list = domain_obj_list_new();
    g_autoptr(DomainObj) obj = add_ok(list, make_def("a", UUID_A), 0, NULL);
    g_autoptr(DomainObj) again = NULL;
    g_autoptr(DomainObj) running = NULL;
    DomainDef *def2 = make_def("a", UUID_A);
    DomainDef *def3 = make_def("a", UUID_A);
    bool was_persistent = false;

    def2->memory_kib = 2048;
    again = add_ok(list, def2, 0, &was_persistent);
    g_assert_true(again == obj);
    g_assert_true(was_persistent);
    g_assert_true(obj->def == def2);
    g_assert_null(obj->new_def);

    /* while running, a new persistent config waits in new_def until the stop */
    g_assert_cmpint(domain_obj_list_activate(list, obj, -1, DOMAIN_STATE_RUNNING, 1), ==, 1);
    def3->memory_kib = 4096;
    running = add_ok(list, def3, 0, NULL);
    g_assert_true(obj->def == def2);
    g_assert_true(obj->new_def == def3);
    g_assert_true(domain_obj_persistent_def_locked(obj) == def3);
    g_assert_false(domain_obj_list_deactivate(list, obj, DOMAIN_SHUTOFF_DESTROYED));
    g_assert_true(obj->def == def3);
    g_assert_null(obj->new_def);
    g_assert_cmpint(obj->reason, ==, DOMAIN_SHUTOFF_DESTROYED);
}

static void test_live_add(void)
{
    g_autoptr(DomainObjList) list = domain_obj_list_new();
    g_autoptr(DomainObj) obj = NULL;
    g_autoptr(DomainObj) live = NULL;
    g_autoptr(DomainObj) refused = NULL;
    g_autoptr(GError) error = NULL;
    DomainDef *persistent = make_def("a", UUID_A);
    DomainDef *transient = make_def("a", UUID_A);
    const unsigned int live_flags = DOMAIN_OBJ_LIST_ADD_LIVE | DOMAIN_OBJ_LIST_ADD_CHECK_LIVE;

    obj = add_ok(list, persistent, 0, NULL);
    /* a live def for an inactive persistent domain keeps its config for later */
    live = add_ok(list, transient, live_flags, NULL);
    g_assert_true(live == obj);
    g_assert_true(obj->def == transient);
    g_assert_true(obj->new_def == persistent);
    g_assert_true(obj->persistent);
    domain_obj_list_activate(list, obj, -1, DOMAIN_STATE_RUNNING, 1);

    g_assert_false(
        domain_obj_list_add(list, make_def("a", UUID_A), live_flags, NULL, &refused, NULL, &error));
    g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_INVALID);
    g_assert_cmpstr(error->message, ==,
                    "Requested operation is not valid: domain 'a' is already active");
    domain_obj_list_deactivate(list, obj, DOMAIN_SHUTOFF_SHUTDOWN);
    g_assert_true(obj->def == persistent);
}

static void test_transient_vanishes(void)
{
    g_autoptr(DomainObjList) list = domain_obj_list_new();
    g_autoptr(DomainObj) obj = NULL;
    g_autoptr(DomainObj) found = NULL;
    g_autoptr(GError) error = NULL;

    obj = add_ok(list, make_def("t", UUID_B), DOMAIN_OBJ_LIST_ADD_LIVE, NULL);
    g_assert_false(obj->persistent);
    g_assert_cmpint(domain_obj_list_activate(list, obj, -1, DOMAIN_STATE_RUNNING, 1), ==, 1);
    g_assert_cmpint(domain_obj_list_activate(list, obj, 7, DOMAIN_STATE_RUNNING, 1), ==, 7);
    g_assert_null(domain_obj_list_find_by_id(list, 1));
    found = domain_obj_list_find_by_id(list, 7);
    g_assert_true(found == obj);
    g_assert_cmpint(domain_obj_list_next_id(list), ==, 8);

    g_assert_true(domain_obj_list_deactivate(list, obj, DOMAIN_SHUTOFF_DESTROYED));
    g_assert_true(obj->removed);
    g_assert_cmpuint(domain_obj_list_count(list), ==, 0);
    g_assert_null(domain_obj_list_find_by_id(list, 7));
    g_assert_null(domain_obj_list_find_by_name(list, "t"));

    /* a stale reference can no longer start a job */
    g_assert_false(domain_obj_begin_job(obj, "start", &error));
    g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_NO_DOMAIN);
    g_assert_cmpstr(error->message, ==,
                    "Domain not found: no domain with matching uuid '" UUID_B "' (t)");
}

static void test_remove(void)
{
    g_autoptr(DomainObjList) list = domain_obj_list_new();
    g_autoptr(DomainObj) a = add_ok(list, make_def("a", UUID_A), 0, NULL);
    g_autoptr(DomainObj) b = add_ok(list, make_def("b", UUID_B), 0, NULL);
    g_autoptr(GPtrArray) all = NULL;

    domain_obj_list_activate(list, b, -1, DOMAIN_STATE_RUNNING, 1);
    domain_obj_list_remove(list, b);
    g_assert_true(b->removed);
    g_assert_null(domain_obj_list_find_by_id(list, 1));
    g_assert_null(domain_obj_list_find_by_name(list, "b"));
    /* removing twice is harmless */
    domain_obj_list_remove(list, b);
    all = domain_obj_list_collect(list, 0);
    g_assert_cmpuint(all->len, ==, 1);
    g_assert_true(all->pdata[0] == a);
}

static void test_job_lock(void)
{
    g_autoptr(DomainObjList) list = domain_obj_list_new();
    g_autoptr(DomainObj) obj = add_ok(list, make_def("web1", UUID_A), 0, NULL);
    g_autoptr(DomainObj) busy = NULL;
    g_autoptr(GError) error = NULL;
    DomainObjFacts facts;

    g_assert_true(domain_obj_begin_job(obj, "start", &error));
    g_assert_no_error(error);
    g_assert_false(domain_obj_begin_job(obj, "destroy", &error));
    g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_INVALID);
    g_assert_cmpstr(error->message, ==,
                    "Requested operation is not valid: domain 'web1' is busy with start");
    g_clear_error(&error);

    /* a redefine is a state change too */
    g_assert_false(
        domain_obj_list_add(list, make_def("web1", UUID_A), 0, NULL, &busy, NULL, &error));
    g_assert_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_INVALID);
    g_clear_error(&error);

    /* readers do not wait */
    domain_obj_get_facts(obj, &facts);
    g_assert_cmpint(facts.state, ==, DOMAIN_STATE_SHUTOFF);

    domain_obj_end_job(obj);
    g_assert_true(domain_obj_begin_job(obj, "destroy", &error));
    domain_obj_end_job(obj);

    /* an add may hand the object back with the job held */
    g_assert_true(domain_obj_list_add(list, make_def("web1", UUID_A), DOMAIN_OBJ_LIST_ADD_BEGIN_JOB,
                                      "define", &busy, NULL, &error));
    g_assert_cmpstr(busy->job, ==, "define");
    g_assert_false(domain_obj_begin_job(obj, "start", NULL));
    domain_obj_end_job(busy);
}

typedef struct FilterCase {
    const char *what;
    unsigned int flags;
    DomainObjFacts facts;
    bool match;
} FilterCase;

#define RUNNING_P                                                         \
    {                                                                     \
        1, DOMAIN_STATE_RUNNING, 1, true, true, false, false, false, 0, 0 \
    }
#define SHUTOFF_P                                                         \
    {                                                                     \
        -1, DOMAIN_STATE_SHUTOFF, 0, false, true, true, true, false, 2, 0 \
    }
#define PAUSED_T                                                          \
    {                                                                     \
        3, DOMAIN_STATE_PAUSED, 1, true, false, false, false, false, 0, 1 \
    }
#define CRASHED_P                                                         \
    {                                                                     \
        4, DOMAIN_STATE_CRASHED, 0, true, true, false, false, false, 0, 0 \
    }

static const FilterCase filter_cases[] = {
    { "no flags", 0, RUNNING_P, true },
    { "no flags shutoff", 0, SHUTOFF_P, true },
    { "active", DOMAIN_LIST_ACTIVE, RUNNING_P, true },
    { "active vs shutoff", DOMAIN_LIST_ACTIVE, SHUTOFF_P, false },
    { "inactive", DOMAIN_LIST_INACTIVE, SHUTOFF_P, true },
    { "inactive vs running", DOMAIN_LIST_INACTIVE, RUNNING_P, false },
    { "active|inactive", DOMAIN_LIST_ACTIVE | DOMAIN_LIST_INACTIVE, SHUTOFF_P, true },
    { "persistent", DOMAIN_LIST_PERSISTENT, RUNNING_P, true },
    { "persistent vs transient", DOMAIN_LIST_PERSISTENT, PAUSED_T, false },
    { "transient", DOMAIN_LIST_TRANSIENT, PAUSED_T, true },
    { "transient vs persistent", DOMAIN_LIST_TRANSIENT, SHUTOFF_P, false },
    { "running", DOMAIN_LIST_RUNNING, RUNNING_P, true },
    { "running vs paused", DOMAIN_LIST_RUNNING, PAUSED_T, false },
    { "paused", DOMAIN_LIST_PAUSED, PAUSED_T, true },
    { "shutoff", DOMAIN_LIST_SHUTOFF, SHUTOFF_P, true },
    { "shutoff vs running", DOMAIN_LIST_SHUTOFF, RUNNING_P, false },
    { "other crashed", DOMAIN_LIST_OTHER, CRASHED_P, true },
    { "other vs running", DOMAIN_LIST_OTHER, RUNNING_P, false },
    { "running|paused", DOMAIN_LIST_RUNNING | DOMAIN_LIST_PAUSED, PAUSED_T, true },
    { "running|paused vs shutoff", DOMAIN_LIST_RUNNING | DOMAIN_LIST_PAUSED, SHUTOFF_P, false },
    { "managedsave", DOMAIN_LIST_MANAGEDSAVE, SHUTOFF_P, true },
    { "managedsave vs none", DOMAIN_LIST_MANAGEDSAVE, RUNNING_P, false },
    { "no managedsave", DOMAIN_LIST_NO_MANAGEDSAVE, RUNNING_P, true },
    { "no managedsave vs saved", DOMAIN_LIST_NO_MANAGEDSAVE, SHUTOFF_P, false },
    { "autostart", DOMAIN_LIST_AUTOSTART, SHUTOFF_P, true },
    { "autostart vs none", DOMAIN_LIST_AUTOSTART, RUNNING_P, false },
    { "no autostart", DOMAIN_LIST_NO_AUTOSTART, RUNNING_P, true },
    { "has snapshot", DOMAIN_LIST_HAS_SNAPSHOT, SHUTOFF_P, true },
    { "has snapshot vs none", DOMAIN_LIST_HAS_SNAPSHOT, RUNNING_P, false },
    { "no snapshot", DOMAIN_LIST_NO_SNAPSHOT, RUNNING_P, true },
    { "no snapshot vs some", DOMAIN_LIST_NO_SNAPSHOT, SHUTOFF_P, false },
    { "has checkpoint", DOMAIN_LIST_HAS_CHECKPOINT, PAUSED_T, true },
    { "no checkpoint vs some", DOMAIN_LIST_NO_CHECKPOINT, PAUSED_T, false },
    { "groups combine with and", DOMAIN_LIST_ACTIVE | DOMAIN_LIST_TRANSIENT, RUNNING_P, false },
    { "groups combine with and 2", DOMAIN_LIST_ACTIVE | DOMAIN_LIST_TRANSIENT, PAUSED_T, true },
    { "inactive persistent autostart",
      DOMAIN_LIST_INACTIVE | DOMAIN_LIST_PERSISTENT | DOMAIN_LIST_AUTOSTART, SHUTOFF_P, true },
};

static void test_filter_case(gconstpointer data)
{
    const FilterCase *c = data;

    g_assert_cmpint(domain_list_filter_match(c->flags, &c->facts), ==, c->match);
}

static void test_collect(void)
{
    g_autoptr(DomainObjList) list = domain_obj_list_new();
    g_autoptr(DomainObj) a = add_ok(list, make_def("a", UUID_A), 0, NULL);
    g_autoptr(DomainObj) b = add_ok(list, make_def("b", UUID_B), 0, NULL);
    g_autoptr(GPtrArray) active = NULL;
    g_autoptr(GPtrArray) inactive = NULL;

    domain_obj_list_activate(list, b, -1, DOMAIN_STATE_RUNNING, 1);
    active = domain_obj_list_collect(list, DOMAIN_LIST_ACTIVE);
    inactive = domain_obj_list_collect(list, DOMAIN_LIST_INACTIVE);
    g_assert_cmpuint(active->len, ==, 1);
    g_assert_true(active->pdata[0] == b);
    g_assert_cmpuint(inactive->len, ==, 1);
    g_assert_true(inactive->pdata[0] == a);
}

static void test_state_strings(void)
{
    g_assert_cmpstr(domain_state_to_string(DOMAIN_STATE_SHUTOFF), ==, "shut off");
    g_assert_cmpstr(domain_state_to_string(DOMAIN_STATE_SHUTDOWN), ==, "in shutdown");
    g_assert_cmpstr(domain_state_to_string(DOMAIN_STATE_BLOCKED), ==, "idle");
    g_assert_null(domain_state_to_string(_DOMAIN_STATE_MAX));
    g_assert_cmpint(domain_state_from_string("paused"), ==, DOMAIN_STATE_PAUSED);
    g_assert_cmpint(domain_state_from_string("bogus"), ==, _DOMAIN_STATE_INVALID);
    g_assert_cmpstr(domain_state_reason_to_string(DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED), ==,
                    "booted");
    g_assert_cmpstr(domain_state_reason_to_string(DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_DESTROYED),
                    ==, "destroyed");
    g_assert_cmpstr(domain_state_reason_to_string(DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER), ==,
                    "user");
    g_assert_cmpstr(domain_state_reason_to_string(DOMAIN_STATE_RUNNING, 0), ==, "unknown");
    g_assert_null(domain_state_reason_to_string(DOMAIN_STATE_SHUTDOWN, 5));
    g_assert_null(domain_state_reason_to_string(_DOMAIN_STATE_INVALID, 0));
    g_assert_cmpint(domain_state_reason_from_string(DOMAIN_STATE_RUNNING, "unpaused"), ==,
                    DOMAIN_RUNNING_UNPAUSED);
    g_assert_cmpint(domain_state_reason_from_string(DOMAIN_STATE_CRASHED, "booted"), ==, -EINVAL);
    for (int s = 0; s < _DOMAIN_STATE_MAX; s++) {
        g_assert_nonnull(domain_state_to_string(s));
        g_assert_cmpstr(domain_state_reason_to_string(s, 0), ==, "unknown");
    }
    g_assert_cmpstr(domain_event_type_to_string(DOMAIN_EVENT_STOPPED), ==, "stopped");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/state/obj-list/add-find", test_add_find);
    g_test_add_func("/state/obj-list/clashes", test_add_clashes);
    g_test_add_func("/state/obj-list/redefine", test_redefine);
    g_test_add_func("/state/obj-list/live-add", test_live_add);
    g_test_add_func("/state/obj-list/transient-vanishes", test_transient_vanishes);
    g_test_add_func("/state/obj-list/remove", test_remove);
    g_test_add_func("/state/obj-list/collect", test_collect);
    g_test_add_func("/state/obj/job-lock", test_job_lock);
    g_test_add_func("/state/obj/state-strings", test_state_strings);
    for (gsize i = 0; i < G_N_ELEMENTS(filter_cases); i++) {
        g_autofree char *name = g_strdup_printf("/state/filter/%s", filter_cases[i].what);
        g_test_add_data_func(name, &filter_cases[i], test_filter_case);
    }
    return g_test_run();
}
