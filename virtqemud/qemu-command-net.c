/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Network interfaces: -netdev (user networking, or a tap the prepare step opened and
 * hands over as an fd) and the NIC -device with its MAC.
 */

#include "qemu-command-priv.h"
#include "util/error.h"

static const struct {
    const char *model, *driver;
    QemuCapsFlag flag;
} qemu_net_models[] = {
    { "virtio", "virtio-net-pci", QEMU_CAPS_DEVICE_VIRTIO_NET_PCI },
    { "e1000", "e1000", QEMU_CAPS_DEVICE_E1000 },
    { "rtl8139", "rtl8139", QEMU_CAPS_DEVICE_RTL8139 },
};

/* The netdev for interface @i: user networking needs nothing from the host; bridge,
 * ethernet and network interfaces use the tap the prepare step made. */
static bool qemu_build_netdev(QemuBuild *b, const DomainNetDef *net, guint i, const char *what,
                              const char *id, GError **error)
{
    int fd = i < b->prep->tap_fds->len ? g_array_index(b->prep->tap_fds, int, i) : -1;

    switch (net->type) {
    case DOMAIN_NET_TYPE_USER:
        command_add_arg(b->cmd, "-netdev");
        command_add_argf(b->cmd, "user,id=%s", id);
        return true;
    case DOMAIN_NET_TYPE_BRIDGE:
    case DOMAIN_NET_TYPE_ETHERNET:
    case DOMAIN_NET_TYPE_NETWORK:
        if (fd < 3) {
            g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                        "domain '%s': no tap device prepared for %s", b->def->name, what);
            return false;
        }
        command_pass_fd(b->cmd, fd, 0);
        command_add_arg(b->cmd, "-netdev");
        command_add_argf(b->cmd, "tap,fd=%d,id=%s", fd, id);
        return true;
    case DOMAIN_NET_TYPE_VHOSTUSER:
    case DOMAIN_NET_TYPE_SERVER:
    case DOMAIN_NET_TYPE_CLIENT:
    case DOMAIN_NET_TYPE_MCAST:
    case DOMAIN_NET_TYPE_UDP:
    case DOMAIN_NET_TYPE_INTERNAL:
    case DOMAIN_NET_TYPE_DIRECT:
    case DOMAIN_NET_TYPE_HOSTDEV:
    case DOMAIN_NET_TYPE_VDPA:
    case DOMAIN_NET_TYPE_NULL:
    case DOMAIN_NET_TYPE_VDS:
    case _DOMAIN_NET_TYPE_MAX:
    case _DOMAIN_NET_TYPE_INVALID:
        break;
    }
    return qemu_build_unsupported(b, error, "%s: interface type '%s' is not implemented", what,
                                  domain_net_type_to_string(net->type));
}

static bool qemu_build_net(QemuBuild *b, const DomainNetDef *net, guint i, GError **error)
{
    /* managed='no' (a tap the user made) is the prepare step's business */
    static const char *const target_attrs[] = { "managed", NULL };
    g_autofree char *what = g_strdup_printf("interface %u", i);
    g_autofree char *netdev = g_strdup_printf("hostnet%u", i);
    g_autofree char *id = g_strdup_printf("net%u", i);
    const char *model = net->model ? net->model : "rtl8139";
    JsonBuilder *p;
    char mac[18];
    size_t m = 0;

    if (!qemu_build_check_extras(b, net->extras, what, qemu_pci_device_ok_children, NULL, error) ||
        !qemu_build_check_extras(b, net->mac_extras, what, NULL, NULL, error) ||
        !qemu_build_check_extras(b, net->source_extras, what, NULL, NULL, error) ||
        !qemu_build_check_extras(b, net->model_extras, what, NULL, NULL, error) ||
        !qemu_build_check_extras(b, net->target_extras, what, NULL, target_attrs, error))
        return false;
    while (m < G_N_ELEMENTS(qemu_net_models) && !g_str_equal(qemu_net_models[m].model, model))
        m++;
    if (m == G_N_ELEMENTS(qemu_net_models))
        return qemu_build_unsupported(b, error, "%s: model '%s' is not implemented", what, model);
    if (!qemu_build_need_caps(b, qemu_net_models[m].flag, qemu_net_models[m].driver, error) ||
        !qemu_build_netdev(b, net, i, what, netdev, error))
        return false;
    domain_mac_format(net->mac, mac);
    p = qemu_props_new("driver", qemu_net_models[m].driver);
    qemu_props_str(p, "netdev", netdev);
    qemu_props_str(p, "id", id);
    qemu_props_str(p, "mac", mac);
    if (!qemu_build_pci_address(b, net->extras, what, p, error)) {
        g_object_unref(p);
        return false;
    }
    qemu_build_add_json(b, "-device", p);
    return true;
}

/**
 * qemu_build_nets: -netdev and NIC -device of every <interface>.
 */
bool qemu_build_nets(QemuBuild *b, GError **error)
{
    for (guint i = 0; i < b->def->nets->len; i++) {
        if (!qemu_build_net(b, g_ptr_array_index(b->def->nets, i), i, error))
            return false;
    }
    return true;
}
