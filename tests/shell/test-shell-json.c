/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtsh --json: run the binary, parse what it prints back with json-glib and
 * check the documented shapes and values (test:///default and a custom node).
 *
 * Usage: test-shell-json VIRTSH_PATH
 */

#include <string.h>

#include <json-glib/json-glib.h>

static char *virtsh_path;
static char *node_uri;

/* Run virtsh -q (no trailing blank line) and parse stdout as one JSON document. */
static JsonNode *run_json(const char *uri, const char *command, int expect_status)
{
    const char *argv[] = { virtsh_path, "-q", "-c", uri, command, NULL };
    g_auto(GStrv) env = g_environ_setenv(g_get_environ(), "LC_ALL", "C", TRUE);
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonParser) parser = json_parser_new();
    int wait_status = 0;

    g_assert_true(g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &wait_status, &error));
    g_assert_no_error(error);
    g_assert_true(WIFEXITED(wait_status));
    g_assert_cmpint(WEXITSTATUS(wait_status), ==, expect_status);
    if (expect_status != 0) {
        g_assert_cmpstr(out, ==, "");
        g_assert_true(g_str_has_prefix(err, "error: "));
        return NULL;
    }
    g_assert_cmpstr(err, ==, "");
    g_assert_true(json_parser_load_from_data(parser, out, -1, &error));
    g_assert_no_error(error);
    return json_node_copy(json_parser_get_root(parser));
}

static JsonObject *root_object(JsonNode *node)
{
    g_assert_true(JSON_NODE_HOLDS_OBJECT(node));
    return json_node_get_object(node);
}

static void test_list(void)
{
    g_autoptr(JsonNode) node = run_json("test:///default", "list --all --json", 0);
    JsonArray *doms = json_object_get_array_member(root_object(node), "domains");
    JsonObject *d;

    g_assert_cmpuint(json_array_get_length(doms), ==, 1);
    d = json_array_get_object_element(doms, 0);
    g_assert_cmpint(json_object_get_int_member(d, "id"), ==, 1);
    g_assert_cmpstr(json_object_get_string_member(d, "name"), ==, "test");
    g_assert_cmpstr(json_object_get_string_member(d, "uuid"), ==,
                    "6695eb01-f6a4-8304-79aa-97f2502e193f");
    g_assert_cmpstr(json_object_get_string_member(d, "state"), ==, "running");
    g_assert_cmpint(json_object_get_int_member(d, "state_code"), ==, 1);
    g_assert_true(json_object_has_member(d, "reason"));
    g_assert_true(json_object_get_boolean_member(d, "persistent"));
    g_assert_false(json_object_get_boolean_member(d, "autostart"));
    g_assert_true(json_object_get_null_member(d, "title"));
}

static void test_list_node(void)
{
    g_autoptr(JsonNode) node = run_json(node_uri, "list --all --json", 0);
    JsonArray *doms = json_object_get_array_member(root_object(node), "domains");
    const char *const order[] = { "web1", "batch", "db1" };

    g_assert_cmpuint(json_array_get_length(doms), ==, 3);
    for (guint i = 0; i < 3; i++) {
        JsonObject *d = json_array_get_object_element(doms, i);

        g_assert_cmpstr(json_object_get_string_member(d, "name"), ==, order[i]);
    }
    g_assert_true(json_object_get_null_member(json_array_get_object_element(doms, 2), "id"));
    g_assert_cmpstr(json_object_get_string_member(json_array_get_object_element(doms, 2), "state"),
                    ==, "shut off");
    g_assert_cmpstr(json_object_get_string_member(json_array_get_object_element(doms, 1), "state"),
                    ==, "paused");
    /* null while the test driver has no metadata ops, then the node file's title */
    if (!json_object_get_null_member(json_array_get_object_element(doms, 0), "title"))
        g_assert_cmpstr(
            json_object_get_string_member(json_array_get_object_element(doms, 0), "title"), ==,
            "Front end");
}

static void test_list_empty(void)
{
    g_autoptr(JsonNode) node = run_json("test:///default", "list --inactive --json", 0);

    g_assert_cmpuint(
        json_array_get_length(json_object_get_array_member(root_object(node), "domains")), ==, 0);
}

static void test_dominfo(void)
{
    g_autoptr(JsonNode) node = run_json("test:///default", "dominfo test --json", 0);
    JsonObject *o = root_object(node);

    g_assert_cmpint(json_object_get_int_member(o, "id"), ==, 1);
    g_assert_cmpstr(json_object_get_string_member(o, "name"), ==, "test");
    g_assert_cmpstr(json_object_get_string_member(o, "state"), ==, "running");
    g_assert_cmpint(json_object_get_int_member(o, "cpus"), ==, 2);
    g_assert_cmpint(json_object_get_int_member(o, "max_memory_kib"), ==, 8388608);
    g_assert_cmpint(json_object_get_int_member(o, "used_memory_kib"), ==, 2097152);
    g_assert_true(json_object_get_boolean_member(o, "persistent"));
    g_assert_false(json_object_get_boolean_member(o, "managed_save"));
    g_assert_true(json_object_has_member(o, "cpu_time_ns"));
    g_assert_true(json_object_has_member(o, "os_type"));
    g_assert_cmpstr(json_object_get_string_member(o, "security_model"), ==, "testSecurity");
    g_assert_cmpstr(json_object_get_string_member(o, "security_label"), ==, "libvirt-test");
}

static void test_dominfo_inactive(void)
{
    g_autoptr(JsonNode) node = run_json(node_uri, "dominfo db1 --json", 0);
    JsonObject *o = root_object(node);

    g_assert_true(json_object_get_null_member(o, "id"));
    g_assert_cmpstr(json_object_get_string_member(o, "state"), ==, "shut off");
    g_assert_cmpint(json_object_get_int_member(o, "state_code"), ==, 5);
    /* inactive domains have no label */
    g_assert_true(json_object_get_null_member(o, "security_label"));
}

static void test_domstate(void)
{
    g_autoptr(JsonNode) node = run_json(node_uri, "domstate batch --json", 0);
    JsonObject *o = root_object(node);

    g_assert_cmpstr(json_object_get_string_member(o, "state"), ==, "paused");
    g_assert_cmpint(json_object_get_int_member(o, "state_code"), ==, 3);
    g_assert_true(json_object_has_member(o, "reason"));
    g_assert_true(json_object_has_member(o, "reason_code"));
}

static void test_nodeinfo(void)
{
    g_autoptr(JsonNode) node = run_json("test:///default", "nodeinfo --json", 0);
    JsonObject *o = root_object(node);
    g_autoptr(JsonNode) custom = run_json(node_uri, "nodeinfo --json", 0);

    g_assert_cmpstr(json_object_get_string_member(o, "cpu_model"), ==, "i686");
    g_assert_cmpint(json_object_get_int_member(o, "cpus"), ==, 16);
    g_assert_cmpint(json_object_get_int_member(o, "mhz"), ==, 1400);
    g_assert_cmpint(json_object_get_int_member(o, "sockets"), ==, 2);
    g_assert_cmpint(json_object_get_int_member(o, "cores_per_socket"), ==, 2);
    g_assert_cmpint(json_object_get_int_member(o, "threads_per_core"), ==, 2);
    g_assert_cmpint(json_object_get_int_member(o, "numa_cells"), ==, 2);
    g_assert_cmpint(json_object_get_int_member(o, "memory_kib"), ==, 3145728);
    g_assert_cmpint(json_object_get_int_member(root_object(custom), "cpus"), ==, 4);
}

static void test_version(void)
{
    g_autoptr(JsonNode) node = run_json("test:///default", "version --json", 0);
    JsonObject *o = root_object(node);

    g_assert_cmpstr(json_object_get_string_member(o, "library"), ==, "9.0.0");
    g_assert_cmpint(json_object_get_int_member(o, "library_number"), ==, 9000000);
    g_assert_cmpstr(json_object_get_string_member(o, "hypervisor"), ==, "TEST");
    g_assert_cmpstr(json_object_get_string_member(o, "virtkit"), ==, VIRTKIT_VERSION);
    g_assert_true(json_object_has_member(o, "hypervisor_version"));
}

static void test_small(void)
{
    g_autoptr(JsonNode) host = run_json("test:///default", "hostname --json", 0);
    g_autoptr(JsonNode) uri = run_json("test:///default", "uri --json", 0);
    g_autoptr(JsonNode) id = run_json("test:///default", "domid test --json", 0);
    g_autoptr(JsonNode) inactive = run_json(node_uri, "domid db1 --json", 0);
    g_autoptr(JsonNode) name = run_json("test:///default", "domname 1 --json", 0);
    g_autoptr(JsonNode) uuid = run_json("test:///default", "domuuid test --json", 0);

    g_assert_cmpstr(json_object_get_string_member(root_object(host), "hostname"), ==,
                    g_get_host_name());
    g_assert_cmpstr(json_object_get_string_member(root_object(uri), "uri"), ==, "test:///default");
    g_assert_cmpint(json_object_get_int_member(root_object(id), "id"), ==, 1);
    g_assert_true(json_object_get_null_member(root_object(inactive), "id"));
    g_assert_cmpstr(json_object_get_string_member(root_object(name), "name"), ==, "test");
    g_assert_cmpstr(json_object_get_string_member(root_object(uuid), "uuid"), ==,
                    "6695eb01-f6a4-8304-79aa-97f2502e193f");
}

/* test:///default lives as long as one virtsh, so each run makes s1 and its child s2
 * first (-q keeps the creation messages out of stdout) */
#define TWO_SNAPSHOTS "snapshot-create-as test s1 --description one; snapshot-create-as test s2; "

static JsonObject *snapshot_member(JsonArray *snaps, guint i, const char *name)
{
    JsonObject *o = json_array_get_object_element(snaps, i);

    g_assert_cmpstr(json_object_get_string_member(o, "name"), ==, name);
    return o;
}

static void test_snapshot_list(void)
{
    g_autoptr(JsonNode) node =
        run_json("test:///default", TWO_SNAPSHOTS "snapshot-list test --json", 0);
    JsonArray *snaps = json_object_get_array_member(root_object(node), "snapshots");
    JsonObject *s1, *s2;

    g_assert_cmpuint(json_array_get_length(snaps), ==, 2);
    s1 = snapshot_member(snaps, 0, "s1");
    s2 = snapshot_member(snaps, 1, "s2");
    g_assert_true(json_object_get_null_member(s1, "parent"));
    g_assert_cmpstr(json_object_get_string_member(s2, "parent"), ==, "s1");
    g_assert_false(json_object_get_boolean_member(s1, "current"));
    g_assert_true(json_object_get_boolean_member(s2, "current"));
    g_assert_cmpstr(json_object_get_string_member(s1, "state"), ==, "running");
    g_assert_cmpstr(json_object_get_string_member(s1, "location"), ==, "internal");
    g_assert_cmpint(json_object_get_int_member(s1, "creation_time"), >, 0);
    g_assert_cmpint(json_object_get_int_member(s2, "creation_time"), >=,
                    json_object_get_int_member(s1, "creation_time"));
}

/* the filters choose the members; --tree and --name keep the shape */
static void test_snapshot_list_filters(void)
{
    static const struct {
        const char *opts;
        const char *names[3];
    } cases[] = {
        { "--roots", { "s1" } },
        { "--leaves", { "s2" } },
        { "--no-leaves", { "s1" } },
        { "--current", { NULL } }, /* the children of the current one, as virsh */
        { "--from s1", { "s2" } },
        { "--parent --name", { "s1", "s2" } },
        { "--tree", { "s1", "s2" } },
        { "--inactive", { NULL } }, /* both were taken while running */
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *cmd =
            g_strdup_printf(TWO_SNAPSHOTS "snapshot-list test --json %s", cases[i].opts);
        g_autoptr(JsonNode) node = run_json("test:///default", cmd, 0);
        JsonArray *snaps = json_object_get_array_member(root_object(node), "snapshots");
        guint n = 0;

        while (n < G_N_ELEMENTS(cases[i].names) && cases[i].names[n])
            n++;
        g_test_message("snapshot-list %s", cases[i].opts);
        g_assert_cmpuint(json_array_get_length(snaps), ==, n);
        for (guint j = 0; j < n; j++)
            snapshot_member(snaps, j, cases[i].names[j]);
    }
}

static void test_snapshot_list_empty(void)
{
    g_autoptr(JsonNode) node = run_json("test:///default", "snapshot-list test --json", 0);

    g_assert_cmpuint(
        json_array_get_length(json_object_get_array_member(root_object(node), "snapshots")), ==, 0);
}

static void test_snapshot_info(void)
{
    g_autoptr(JsonNode) n1 =
        run_json("test:///default", TWO_SNAPSHOTS "snapshot-info test s1 --json", 0);
    g_autoptr(JsonNode) n2 =
        run_json("test:///default", TWO_SNAPSHOTS "snapshot-info test --current --json", 0);
    JsonObject *o1 = root_object(n1);
    JsonObject *o2 = root_object(n2);

    g_assert_cmpstr(json_object_get_string_member(o1, "name"), ==, "s1");
    g_assert_cmpstr(json_object_get_string_member(o1, "domain"), ==, "test");
    g_assert_false(json_object_get_boolean_member(o1, "current"));
    g_assert_cmpstr(json_object_get_string_member(o1, "state"), ==, "running");
    g_assert_cmpstr(json_object_get_string_member(o1, "location"), ==, "internal");
    g_assert_true(json_object_get_null_member(o1, "parent"));
    g_assert_cmpint(json_object_get_int_member(o1, "children"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(o1, "descendants"), ==, 1);
    g_assert_true(json_object_get_boolean_member(o1, "metadata"));

    g_assert_cmpstr(json_object_get_string_member(o2, "name"), ==, "s2");
    g_assert_true(json_object_get_boolean_member(o2, "current"));
    g_assert_cmpstr(json_object_get_string_member(o2, "parent"), ==, "s1");
    g_assert_cmpint(json_object_get_int_member(o2, "children"), ==, 0);
    g_assert_cmpint(json_object_get_int_member(o2, "descendants"), ==, 0);
}

static void test_snapshot_errors(void)
{
    g_assert_null(run_json("test:///default", "snapshot-info test nope --json", 1));
    g_assert_null(run_json("test:///default", "snapshot-info test --current --json", 1));
    g_assert_null(run_json("test:///default", "snapshot-list nope --json", 1));
    g_assert_null(run_json("test:///default", "snapshot-list test --json --roots --from s1", 1));
}

static void test_errors(void)
{
    g_assert_null(run_json("test:///default", "dominfo nope --json", 1));
    g_assert_null(run_json("test:///default", "list --json --bogus", 1));
}

int main(int argc, char **argv)
{
    const char *srcdir;
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (argc < 2)
        g_error("usage: %s VIRTSH_PATH", argv[0]);
    virtsh_path = g_canonicalize_filename(argv[1], NULL); /* tests chdir */
    srcdir = g_getenv("VIRTKIT_TEST_SRCDIR");
    g_assert_nonnull(srcdir);
    node_uri = g_strdup_printf("test://%s/shell/data/node.xml", srcdir);
    g_test_add_func("/shell/json/list", test_list);
    g_test_add_func("/shell/json/list-node", test_list_node);
    g_test_add_func("/shell/json/list-empty", test_list_empty);
    g_test_add_func("/shell/json/dominfo", test_dominfo);
    g_test_add_func("/shell/json/dominfo-inactive", test_dominfo_inactive);
    g_test_add_func("/shell/json/domstate", test_domstate);
    g_test_add_func("/shell/json/nodeinfo", test_nodeinfo);
    g_test_add_func("/shell/json/version", test_version);
    g_test_add_func("/shell/json/small", test_small);
    g_test_add_func("/shell/json/errors", test_errors);
    g_test_add_func("/shell/json/snapshot-list", test_snapshot_list);
    g_test_add_func("/shell/json/snapshot-list-filters", test_snapshot_list_filters);
    g_test_add_func("/shell/json/snapshot-list-empty", test_snapshot_list_empty);
    g_test_add_func("/shell/json/snapshot-info", test_snapshot_info);
    g_test_add_func("/shell/json/snapshot-errors", test_snapshot_errors);
    ret = g_test_run();
    g_free(virtsh_path);
    g_free(node_uri);
    return ret;
}
