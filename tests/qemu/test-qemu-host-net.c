/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Tiers: pure (qemu_net_plan: names, bridge, host MAC, flags and every refusal) and
 * real-namespace (qemu_host_net_setup as root in a network namespace this process makes
 * with unshare(CLONE_NEWNET), so the host's network is never touched): taps made,
 * configured and gone with their fds; generated names skip taken ones; a failure
 * half-way leaves no tap; a managed='no' tap is used as is and kept.
 */

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "qemu-host-net.h"
#include "util/error.h"

static bool in_netns;

static DomainDef *parse(const char *devices)
{
    g_autofree char *xml =
        g_strdup_printf("<domain type='qemu'><name>n1</name><memory>65536</memory>"
                        "<os><type arch='x86_64'>hvm</type></os><devices>%s</devices></domain>",
                        devices);
    g_autoptr(GError) error = NULL;
    DomainDef *def = domain_def_parse_full(xml, 0, NULL, &error);

    g_assert_no_error(error);
    return def;
}

static GPtrArray *plan_of(const char *devices)
{
    g_autoptr(DomainDef) def = parse(devices);
    g_autoptr(GError) error = NULL;
    GPtrArray *plan = NULL;

    g_assert_true(qemu_net_plan(def, &plan, &error));
    g_assert_no_error(error);
    return plan;
}

#define BRIDGE(mac, br, extra)                                                         \
    "<interface type='bridge'><mac address='" mac "'/><source bridge='" br "'/>" extra \
    "<model type='virtio'/></interface>"
#define ETHERNET(mac, extra)                                                            \
    "<interface type='ethernet'><mac address='" mac "'/>" extra "<model type='e1000'/>" \
    "</interface>"

static void test_plan(void)
{
    static const uint8_t host_mac[] = { 0xfe, 0x54, 0x00, 0x12, 0x34, 0x56 };
    g_autoptr(GPtrArray) plan =
        plan_of("<interface type='user'><mac address='52:54:00:00:00:01'/></interface>" BRIDGE(
            "52:54:00:12:34:56", "br0", "")
                    BRIDGE("52:54:00:00:00:02", "br1", "<target dev='vnet7'/>")
                        ETHERNET("52:54:00:00:00:03", "<target dev='mytap'/>")
                            ETHERNET("52:54:00:00:00:04", "<target dev='vnet3' managed='no'/>"));
    QemuTapPlan *p;

    g_assert_cmpuint(plan->len, ==, 4); /* user networking needs no tap */
    p = plan->pdata[0];
    g_assert_cmpuint(p->index, ==, 1);
    g_assert_cmpstr(p->what, ==, "interface 52:54:00:12:34:56");
    g_assert_null(p->ifname);
    g_assert_cmpstr(p->bridge, ==, "br0");
    g_assert_cmpmem(p->host_mac, sizeof(host_mac), host_mac, sizeof(host_mac));
    g_assert_true(p->vnet_hdr);
    g_assert_false(p->existing);
    p = plan->pdata[1]; /* a vnetN name is made anew, as libvirt does */
    g_assert_null(p->ifname);
    g_assert_cmpstr(p->bridge, ==, "br1");
    p = plan->pdata[2];
    g_assert_cmpstr(p->ifname, ==, "mytap");
    g_assert_null(p->bridge);
    g_assert_false(p->vnet_hdr);
    g_assert_false(p->existing);
    p = plan->pdata[3]; /* the user's own tap keeps its name, whatever it is */
    g_assert_cmpstr(p->ifname, ==, "vnet3");
    g_assert_true(p->existing);
}

static void test_plan_errors(void)
{
    static const struct {
        const char *devices;
        int code;
        const char *message;
    } cases[] = {
        { "<interface type='network'><mac address='52:54:00:00:00:01'/>"
          "<source network='default'/></interface>",
          VIRT_ERR_CONFIG_UNSUPPORTED,
          "domain 'n1': interface 52:54:00:00:00:01: <interface type='network'> needs a virtual "
          "network driver, which virtkit does not have yet; use <interface type='bridge'> with "
          "the network's bridge instead" },
        { "<interface type='bridge'><mac address='52:54:00:00:00:01'/></interface>",
          VIRT_ERR_XML_ERROR,
          "domain 'n1': interface 52:54:00:00:00:01: <source bridge='...'/> is missing; name "
          "the host bridge to attach to" },
        { BRIDGE("52:54:00:00:00:01", "br0", "<target dev='t0' managed='no'/>"),
          VIRT_ERR_CONFIG_UNSUPPORTED,
          "domain 'n1': interface 52:54:00:00:00:01: <target managed='no'/> is only supported "
          "with <interface type='ethernet'>" },
        { ETHERNET("52:54:00:00:00:01", "<target managed='no'/>"), VIRT_ERR_XML_ERROR,
          "domain 'n1': interface 52:54:00:00:00:01: <target managed='no'/> needs the name of "
          "the existing tap in <target dev='...'/>" },
        { ETHERNET("52:54:00:00:00:01", "<target dev='t0' managed='maybe'/>"), VIRT_ERR_XML_ERROR,
          "domain 'n1': interface 52:54:00:00:00:01: <target managed='maybe'> must be 'yes' or "
          "'no'" },
        { ETHERNET("52:54:00:00:00:01", "<target dev='a-very-long-tap-name'/>"), VIRT_ERR_XML_ERROR,
          "domain 'n1': interface 52:54:00:00:00:01: <target dev='a-very-long-tap-name'> is not "
          "a usable interface name (at most 15 characters, no '/', ':', '%' or blanks)" },
        { ETHERNET("52:54:00:00:00:01", "<target dev='tap%d'/>"), VIRT_ERR_XML_ERROR,
          "domain 'n1': interface 52:54:00:00:00:01: <target dev='tap%d'> is not a usable "
          "interface name (at most 15 characters, no '/', ':', '%' or blanks)" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(DomainDef) def = parse(cases[i].devices);
        g_autoptr(GError) error = NULL;
        GPtrArray *plan = NULL;

        g_assert_false(qemu_net_plan(def, &plan, &error));
        g_assert_null(plan);
        g_assert_error(error, VIRT_QEMU_ERROR, cases[i].code);
        g_assert_cmpstr(error->message, ==, cases[i].message);
    }
}

static void test_name_index(void)
{
    g_assert_cmpint(qemu_tap_name_index("vnet0"), ==, 0);
    g_assert_cmpint(qemu_tap_name_index("vnet42"), ==, 42);
    g_assert_cmpint(qemu_tap_name_index("vnet"), ==, -1);
    g_assert_cmpint(qemu_tap_name_index("vnet-1"), ==, -1);
    g_assert_cmpint(qemu_tap_name_index("vnet1x"), ==, -1);
    g_assert_cmpint(qemu_tap_name_index("tap0"), ==, -1);
    g_assert_cmpint(qemu_tap_name_index(NULL), ==, -1);
}

/* ---- in the namespace ---- */

static void run(const char *cmdline)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *err = NULL;
    int status = 0;

    g_assert_true(g_spawn_command_line_sync(cmdline, NULL, &err, &status, &error));
    g_assert_no_error(error);
    if (status != 0)
        g_error("'%s' failed: %s", cmdline, err);
}

/* `ip -d link show NAME` as a JSON object, or NULL when there is no such link. */
static JsonNode *link_show(const char *name)
{
    g_autofree char *cmd = g_strdup_printf("ip -j -d link show dev %s", name);
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(JsonParser) parser = json_parser_new();
    int status = 0;
    JsonArray *arr;

    g_assert_true(g_spawn_command_line_sync(cmd, &out, &err, &status, NULL));
    if (status != 0)
        return NULL;
    g_assert_true(json_parser_load_from_data(parser, out, -1, NULL));
    arr = json_node_get_array(json_parser_get_root(parser));
    return json_node_copy(json_array_get_element(arr, 0));
}

static bool link_is_up(JsonObject *link)
{
    JsonArray *flags = json_object_get_array_member(link, "flags");

    for (guint i = 0; i < json_array_get_length(flags); i++) {
        if (g_str_equal(json_array_get_string_element(flags, i), "UP"))
            return true;
    }
    return false;
}

static bool link_exists(const char *name)
{
    return if_nametoindex(name) != 0;
}

static bool skip_outside_netns(void)
{
    if (!in_netns)
        g_test_skip("needs root and a network namespace of its own (unshare CLONE_NEWNET)");
    return !in_netns;
}

static QemuHostNet *setup(const char *devices, gint *next, GError **error)
{
    g_autoptr(GPtrArray) plan = plan_of(devices);

    return qemu_host_net_setup(plan, next, error);
}

static void test_setup_bridge(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(QemuHostNet) net = NULL;
    g_autoptr(JsonNode) vnet = NULL;
    g_autoptr(JsonNode) eth = NULL;
    g_autoptr(DomainDef) def = NULL;
    struct ifreq ifr = { 0 };
    JsonObject *o;
    gint next = 0;

    if (skip_outside_netns())
        return;
    run("ip tuntap add dev vnet0 mode tap"); /* taken: the generated name skips it */
    net = setup(BRIDGE("52:54:00:12:34:56", "br-test", "")
                    ETHERNET("52:54:00:00:00:03", "<target dev='mytap'/>"),
                &next, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(qemu_host_net_ifname(net, 0), ==, "vnet1");
    g_assert_cmpint(next, ==, 2);
    g_assert_cmpstr(qemu_host_net_ifname(net, 1), ==, "mytap");
    g_assert_cmpint(qemu_host_net_fd(net, 2), ==, -1);
    g_assert_cmpint(ioctl(qemu_host_net_fd(net, 0), TUNGETIFF, &ifr), ==, 0);
    g_assert_cmpstr(ifr.ifr_name, ==, "vnet1");
    g_assert_cmpint(ifr.ifr_flags & (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_PERSIST), ==,
                    IFF_TAP | IFF_NO_PI | IFF_VNET_HDR);
    g_assert_true(fcntl(qemu_host_net_fd(net, 0), F_GETFD) & FD_CLOEXEC);

    vnet = link_show("vnet1");
    g_assert_nonnull(vnet);
    o = json_node_get_object(vnet);
    g_assert_cmpstr(json_object_get_string_member(o, "master"), ==, "br-test");
    g_assert_cmpstr(json_object_get_string_member(o, "address"), ==, "fe:54:00:12:34:56");
    g_assert_true(link_is_up(o));
    eth = link_show("mytap");
    g_assert_nonnull(eth);
    o = json_node_get_object(eth);
    g_assert_false(json_object_has_member(o, "master"));
    g_assert_cmpstr(json_object_get_string_member(o, "address"), ==, "fe:54:00:00:00:03");

    def = parse(BRIDGE("52:54:00:12:34:56", "br-test", "")
                    ETHERNET("52:54:00:00:00:03", "<target dev='mytap'/>"));
    g_assert_true(qemu_host_net_apply(net, def));
    g_assert_cmpstr(((DomainNetDef *)def->nets->pdata[0])->target_dev, ==, "vnet1");
    g_assert_false(qemu_host_net_apply(net, def));

    g_clear_pointer(&net, qemu_host_net_free);
    g_assert_false(link_exists("vnet1"));
    g_assert_false(link_exists("mytap"));
    run("ip link del vnet0");
}

static void test_setup_failures(void)
{
    static const struct {
        const char *devices;
        const char *message;
    } cases[] = {
        { BRIDGE("52:54:00:00:00:01", "br-test", "") BRIDGE("52:54:00:00:00:02", "br9", ""),
          "bridge 'br9' for interface 52:54:00:00:00:02: no such device; create the bridge or "
          "change <source bridge>" },
        { BRIDGE("52:54:00:00:00:01", "br-test", "") BRIDGE("52:54:00:00:00:02", "veth0", ""),
          "'veth0' for interface 52:54:00:00:00:02 is not a bridge (it is a veth device); "
          "change <source bridge>" },
        { BRIDGE("52:54:00:00:00:01", "br-test", "")
              ETHERNET("52:54:00:00:00:02", "<target dev='taken0'/>"),
          "tap device 'taken0' for interface 52:54:00:00:00:02 already exists; remove it, "
          "change <target dev>, or use it as it is with <interface type='ethernet'> and "
          "<target managed='no'/>" },
        { BRIDGE("52:54:00:00:00:01", "br-test", "")
              ETHERNET("52:54:00:00:00:02", "<target dev='nosuch0' managed='no'/>"),
          "tap device 'nosuch0' for interface 52:54:00:00:00:02 does not exist; create it (ip "
          "tuntap add dev nosuch0 mode tap) or drop <target managed='no'/>" },
    };

    if (skip_outside_netns())
        return;
    run("ip link add veth0 type veth peer name veth1");
    run("ip tuntap add dev taken0 mode tap");
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        gint next = 100;
        g_autoptr(QemuHostNet) net = setup(cases[i].devices, &next, &error);

        g_assert_null(net);
        g_assert_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED);
        g_assert_cmpstr(error->message, ==, cases[i].message);
        /* the first interface's tap (vnet100) was made and is gone again */
        g_assert_cmpint(next, ==, 101);
        g_assert_false(link_exists("vnet100"));
        g_assert_false(link_exists("nosuch0"));
    }
    run("ip link del veth0");
    run("ip link del taken0");
}

static void test_setup_existing(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(QemuHostNet) net = NULL;
    g_autoptr(JsonNode) before = NULL;
    g_autoptr(JsonNode) during = NULL;
    gint next = 0;

    if (skip_outside_netns())
        return;
    run("ip tuntap add dev mine0 mode tap");
    before = link_show("mine0");
    net = setup(ETHERNET("52:54:00:00:00:05", "<target dev='mine0' managed='no'/>"), &next, &error);
    g_assert_no_error(error);
    g_assert_cmpint(next, ==, 0);
    g_assert_cmpint(qemu_host_net_fd(net, 0), >=, 3);
    during = link_show("mine0");
    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(during), "address"), ==,
                    json_object_get_string_member(json_node_get_object(before), "address"));
    g_assert_false(json_object_has_member(json_node_get_object(during), "master"));
    g_assert_false(link_is_up(json_node_get_object(during)));
    g_clear_pointer(&net, qemu_host_net_free);
    g_assert_true(link_exists("mine0"));
    run("ip link del mine0");
}

/* A network namespace of our own with br-test in it, when root. */
static bool enter_netns(void)
{
    if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0)
        return false;
    run("ip link add br-test type bridge");
    return true;
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    in_netns = enter_netns();
    g_test_add_func("/qemu/host-net/plan", test_plan);
    g_test_add_func("/qemu/host-net/plan-errors", test_plan_errors);
    g_test_add_func("/qemu/host-net/name-index", test_name_index);
    g_test_add_func("/qemu/host-net/setup-bridge", test_setup_bridge);
    g_test_add_func("/qemu/host-net/setup-failures", test_setup_failures);
    g_test_add_func("/qemu/host-net/setup-existing", test_setup_existing);
    return g_test_run();
}
