/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which taps a start needs (pure; see qemu-host-net.h). libvirt's rules: a tap per
 * bridge or ethernet interface, named by <target dev> unless that is empty or uses the
 * prefix libvirt keeps for names it generates ("vnet"), the host side of the MAC
 * starting with 0xfe so that a bridge never takes the tap's address as its own, and
 * <target managed='no'/> only for ethernet, meaning "use my tap as it is".
 */

#include <string.h>

#include "conf/xml-extras.h"
#include "qemu-host-net.h"
#include "util/error.h"

/* IFNAMSIZ - 1 */
#define QEMU_TAP_NAME_MAX 15

QemuTapPlan *qemu_tap_plan_free(QemuTapPlan *plan)
{
    if (!plan)
        return NULL;
    g_free(plan->what);
    g_free(plan->ifname);
    g_free(plan->bridge);
    g_free(plan);
    return NULL;
}

static void tap_plan_free_notify(gpointer plan)
{
    qemu_tap_plan_free(plan);
}

/**
 * qemu_tap_name_index: N of a generated name "vnetN", or -1 for any other name.
 */
int qemu_tap_name_index(const char *name)
{
    const char *digits;
    guint64 n;

    if (!name || !g_str_has_prefix(name, QEMU_TAP_PREFIX))
        return -1;
    digits = name + strlen(QEMU_TAP_PREFIX);
    if (!g_ascii_isdigit(*digits) || !g_ascii_string_to_unsigned(digits, 10, 0, G_MAXINT, &n, NULL))
        return -1;
    return (int)n;
}

static const char *net_target_attr(const DomainNetDef *net, const char *name)
{
    for (guint i = 0; net->target_extras && i < net->target_extras->attrs->len; i++) {
        const XmlAttr *attr = g_ptr_array_index(net->target_extras->attrs, i);

        if (g_str_equal(attr->name, name))
            return attr->value;
    }
    return NULL;
}

/* A name the kernel takes literally: not too long, no '/', no ':' (alias), no '%'
 * (a template the kernel would fill in), no blanks. */
static bool tap_name_ok(const char *name)
{
    if (!*name || strlen(name) > QEMU_TAP_NAME_MAX || g_str_equal(name, ".") ||
        g_str_equal(name, ".."))
        return false;
    for (const char *p = name; *p; p++) {
        if (*p == '/' || *p == ':' || *p == '%' || g_ascii_isspace(*p) || !g_ascii_isprint(*p))
            return false;
    }
    return true;
}

static bool plan_error(GError **error, int code, const DomainDef *def, const char *what,
                       const char *fmt, ...) G_GNUC_PRINTF(5, 6);

static bool plan_error(GError **error, int code, const DomainDef *def, const char *what,
                       const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, VIRT_QEMU_ERROR, code, "domain '%s': %s: %s", def->name, what, msg);
    return false;
}

/* The tap of @net (bridge or ethernet), or false with the reason. */
static bool plan_tap(const DomainDef *def, const DomainNetDef *net, guint index,
                     QemuTapPlan **ret_plan, GError **error)
{
    g_autoptr(QemuTapPlan) plan = g_new0(QemuTapPlan, 1);
    const char *managed = net_target_attr(net, "managed");
    char mac[18];

    domain_mac_format(net->mac, mac);
    plan->index = index;
    plan->what = g_strdup_printf("interface %s", mac);
    memcpy(plan->host_mac, net->mac, DOMAIN_MAC_LEN);
    plan->host_mac[0] = 0xfe;
    plan->vnet_hdr = g_strcmp0(net->model, "virtio") == 0;
    if (managed && !g_str_equal(managed, "no") && !g_str_equal(managed, "yes"))
        return plan_error(error, VIRT_ERR_XML_ERROR, def, plan->what,
                          "<target managed='%s'> must be 'yes' or 'no'", managed);
    plan->existing = g_strcmp0(managed, "no") == 0;
    if (plan->existing && net->type != DOMAIN_NET_TYPE_ETHERNET)
        return plan_error(error, VIRT_ERR_CONFIG_UNSUPPORTED, def, plan->what,
                          "<target managed='no'/> is only supported with "
                          "<interface type='ethernet'>");
    if (net->target_dev && !tap_name_ok(net->target_dev))
        return plan_error(error, VIRT_ERR_XML_ERROR, def, plan->what,
                          "<target dev='%s'> is not a usable interface name (at most %d "
                          "characters, no '/', ':', '%%' or blanks)",
                          net->target_dev, QEMU_TAP_NAME_MAX);
    /* as libvirt: a vnetN name is one we generated earlier, so a new one is made */
    if (net->target_dev && (plan->existing || qemu_tap_name_index(net->target_dev) < 0))
        plan->ifname = g_strdup(net->target_dev);
    if (plan->existing && !plan->ifname)
        return plan_error(error, VIRT_ERR_XML_ERROR, def, plan->what,
                          "<target managed='no'/> needs the name of the existing tap in "
                          "<target dev='...'/>");
    if (net->type == DOMAIN_NET_TYPE_BRIDGE) {
        if (!net->source || !*net->source)
            return plan_error(error, VIRT_ERR_XML_ERROR, def, plan->what,
                              "<source bridge='...'/> is missing; name the host bridge to "
                              "attach to");
        plan->bridge = g_strdup(net->source);
    }
    *ret_plan = g_steal_pointer(&plan);
    return true;
}

/**
 * qemu_net_plan: the taps @def needs, one QemuTapPlan per bridge or ethernet
 * interface, in interface order. type='network' is refused (no virtual network driver
 * yet); the other types need no tap (user) or are refused by the command builder.
 */
bool qemu_net_plan(const DomainDef *def, GPtrArray **ret_plan, GError **error)
{
    g_autoptr(GPtrArray) plans = g_ptr_array_new_with_free_func(tap_plan_free_notify);

    for (guint i = 0; i < def->nets->len; i++) {
        const DomainNetDef *net = g_ptr_array_index(def->nets, i);
        QemuTapPlan *plan = NULL;

        if (net->type == DOMAIN_NET_TYPE_NETWORK) {
            char mac[18];
            g_autofree char *what = NULL;

            domain_mac_format(net->mac, mac);
            what = g_strdup_printf("interface %s", mac);
            return plan_error(error, VIRT_ERR_CONFIG_UNSUPPORTED, def, what,
                              "<interface type='network'> needs a virtual network driver, "
                              "which virtkit does not have yet; use <interface type='bridge'> "
                              "with the network's bridge instead");
        }
        if (net->type != DOMAIN_NET_TYPE_BRIDGE && net->type != DOMAIN_NET_TYPE_ETHERNET)
            continue;
        if (!plan_tap(def, net, i, &plan, error))
            return false;
        g_ptr_array_add(plans, plan);
    }
    *ret_plan = g_steal_pointer(&plans);
    return true;
}
