/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Taps on the host (see qemu-host-net.h): /dev/net/tun for the device and its fd,
 * libnl-route for the rest (host-side MAC, bridge port, link up). Every lookup goes
 * through rtnetlink rather than /sys/class/net, which shows the network namespace
 * sysfs was mounted in, not the daemon's.
 *
 * Nothing here is undone by hand: the taps made are not persistent, so closing their
 * fds (qemu_host_net_free, after QEMU has its copies) removes them with their bridge
 * port once QEMU lets go too. libvirt on Linux relies on the same.
 */

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "qemu-host-net.h"
#include "util/error.h"
#include "util/fd-util.h"

#define TUN_PATH "/dev/net/tun"
/* how many taken vnetN names a start steps over before giving up */
#define QEMU_TAP_NAME_TRIES 1024

typedef struct nl_sock NlSock;
typedef struct rtnl_link RtnlLink;
typedef struct nl_addr NlAddr;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlSock, nl_socket_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RtnlLink, rtnl_link_put)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlAddr, nl_addr_put)

typedef struct HostTap {
    guint index; /* of the <interface> */
    int fd;
    char *ifname;
} HostTap;

struct QemuHostNet {
    GArray *taps; /* HostTap */
};

static void host_tap_clear(gpointer data)
{
    HostTap *tap = data;

    virt_fd_close(tap->fd);
    g_free(tap->ifname);
}

/**
 * qemu_host_net_free: close our fds of the taps; the taps we made disappear once QEMU
 * (if it got them) closes its copies too.
 */
QemuHostNet *qemu_host_net_free(QemuHostNet *net)
{
    if (!net)
        return NULL;
    g_array_unref(net->taps);
    g_free(net);
    return NULL;
}

static bool nl_failed(GError **error, int nlerr, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* A libnl error (negative NLE_*) as a system error. */
static bool nl_failed(GError **error, int nlerr, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_SYSTEM_ERROR, "%s: %s", msg, nl_geterror(nlerr));
    return false;
}

static NlSock *host_nl_open(GError **error)
{
    g_autoptr(NlSock) sk = nl_socket_alloc();
    int r;

    if (!sk) {
        g_set_error_literal(error, VIRT_QEMU_ERROR, VIRT_ERR_NO_MEMORY,
                            "cannot allocate a netlink socket");
        return NULL;
    }
    if ((r = nl_connect(sk, NETLINK_ROUTE)) < 0) {
        nl_failed(error, r, "cannot open a route netlink socket");
        return NULL;
    }
    return g_steal_pointer(&sk);
}

static bool nl_no_device(int r)
{
    return r == -NLE_OBJ_NOTFOUND || r == -NLE_NODEV;
}

/* The ifindex of bridge @plan->bridge, with an error that says what to do. */
static int host_bridge_index(NlSock *sk, const QemuTapPlan *plan, GError **error)
{
    g_autoptr(RtnlLink) br = NULL;
    const char *kind;
    int r = rtnl_link_get_kernel(sk, 0, plan->bridge, &br);

    if (nl_no_device(r)) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                    "bridge '%s' for %s: no such device; create the bridge or change "
                    "<source bridge>",
                    plan->bridge, plan->what);
        return -1;
    }
    if (r < 0) {
        nl_failed(error, r, "cannot look up bridge '%s' for %s", plan->bridge, plan->what);
        return -1;
    }
    kind = rtnl_link_get_type(br);
    if (g_strcmp0(kind, "bridge") != 0) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                    "'%s' for %s is not a bridge (it is a %s device); change <source bridge>",
                    plan->bridge, plan->what, kind ? kind : "plain");
        return -1;
    }
    return rtnl_link_get_ifindex(br);
}

/* TUNSETIFF on a fresh fd: -errno, or the fd. */
static int host_tun_attach(const char *name, short flags)
{
    g_auto(VirtFd) fd = open(TUN_PATH, O_RDWR | O_CLOEXEC);
    struct ifreq ifr = { 0 };

    if (fd < 0)
        return -errno;
    g_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
    ifr.ifr_flags = flags;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0)
        return -errno;
    return g_steal_fd(&fd);
}

static short host_tap_flags(const QemuTapPlan *plan)
{
    return (short)(IFF_TAP | IFF_NO_PI | (plan->vnet_hdr ? IFF_VNET_HDR : 0));
}

static bool host_tun_failed(GError **error, int r, const char *name, const QemuTapPlan *plan)
{
    if (r == -EPERM || r == -EACCES)
        return virt_error_set_errno(error, VIRT_QEMU_ERROR, -r,
                                    "cannot create tap '%s' for %s (needs CAP_NET_ADMIN: use "
                                    "qemu:///system, or a tap made beforehand with "
                                    "<interface type='ethernet'> and <target managed='no'/>)",
                                    name, plan->what);
    return virt_error_set_errno(error, VIRT_QEMU_ERROR, -r, "cannot create tap '%s' for %s", name,
                                plan->what);
}

/* A new tap named @plan->ifname, which must not exist yet (libvirt refuses to take
 * over a tap it did not make: it might be another guest's). */
static int host_tap_create_named(const QemuTapPlan *plan, GError **error)
{
    int fd = host_tun_attach(plan->ifname, (short)(host_tap_flags(plan) | IFF_TUN_EXCL));

    if (fd == -EBUSY || fd == -EEXIST) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                    "tap device '%s' for %s already exists; remove it, change <target dev>, "
                    "or use it as it is with <interface type='ethernet'> and "
                    "<target managed='no'/>",
                    plan->ifname, plan->what);
        return -1;
    }
    if (fd < 0)
        host_tun_failed(error, fd, plan->ifname, plan);
    return fd;
}

/* A new tap vnetN, N counting up from *@next_index past names that are taken. */
static int host_tap_create_generated(const QemuTapPlan *plan, gint *next_index, char **ret_name,
                                     GError **error)
{
    for (guint tries = 0; tries < QEMU_TAP_NAME_TRIES; tries++) {
        /* wraps to 0 after G_MAXINT, as libvirt's counter */
        int n = g_atomic_int_add(next_index, 1) & G_MAXINT;
        g_autofree char *name = NULL;
        int fd;

        name = g_strdup_printf(QEMU_TAP_PREFIX "%d", n);
        fd = host_tun_attach(name, (short)(host_tap_flags(plan) | IFF_TUN_EXCL));
        if (fd == -EBUSY || fd == -EEXIST)
            continue;
        if (fd < 0) {
            host_tun_failed(error, fd, name, plan);
            return -1;
        }
        *ret_name = g_steal_pointer(&name);
        return fd;
    }
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                "no free tap name for %s: %d names from " QEMU_TAP_PREFIX "N on are taken",
                plan->what, QEMU_TAP_NAME_TRIES);
    return -1;
}

/* The user's own persistent tap @plan->ifname (managed='no'), opened as it is. */
static int host_tap_open_existing(NlSock *sk, const QemuTapPlan *plan, GError **error)
{
    g_autoptr(RtnlLink) link = NULL;
    g_auto(VirtFd) fd = -1;
    struct ifreq ifr = { 0 };
    int r = rtnl_link_get_kernel(sk, 0, plan->ifname, &link);

    if (nl_no_device(r)) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                    "tap device '%s' for %s does not exist; create it (ip tuntap add dev %s "
                    "mode tap) or drop <target managed='no'/>",
                    plan->ifname, plan->what, plan->ifname);
        return -1;
    }
    if (r < 0) {
        nl_failed(error, r, "cannot look up tap '%s' for %s", plan->ifname, plan->what);
        return -1;
    }
    fd = host_tun_attach(plan->ifname, host_tap_flags(plan));
    if (fd < 0) {
        virt_error_set_errno(error, VIRT_QEMU_ERROR, -fd,
                             "cannot open tap '%s' for %s (is it a tap device, not in use, "
                             "and owned by this user?)",
                             plan->ifname, plan->what);
        return -1;
    }
    /* gone between the lookup and TUNSETIFF, which then made a new one: refuse it */
    if (ioctl(fd, TUNGETIFF, &ifr) < 0 || !(ifr.ifr_flags & IFF_PERSIST)) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                    "tap device '%s' for %s is not a persistent tap; create it with "
                    "'ip tuntap add dev %s mode tap' or drop <target managed='no'/>",
                    plan->ifname, plan->what, plan->ifname);
        return -1;
    }
    return g_steal_fd(&fd);
}

/* Apply @change to link @name; @what names the change for the error. */
static bool host_link_change(NlSock *sk, const char *name, RtnlLink *change, const char *what,
                             const QemuTapPlan *plan, GError **error)
{
    g_autoptr(RtnlLink) link = NULL;
    int r = rtnl_link_get_kernel(sk, 0, name, &link);

    if (r >= 0)
        r = rtnl_link_change(sk, link, change, 0);
    if (r < 0)
        return nl_failed(error, r, "cannot %s of tap '%s' for %s", what, name, plan->what);
    return true;
}

/* As libvirt: host-side MAC first, then the port of bridge @br (> 0), then up. */
static bool host_tap_configure(NlSock *sk, const QemuTapPlan *plan, const char *name, int br,
                               GError **error)
{
    g_autoptr(RtnlLink) mac = rtnl_link_alloc();
    g_autoptr(RtnlLink) master = rtnl_link_alloc();
    g_autoptr(RtnlLink) up = rtnl_link_alloc();
    g_autoptr(NlAddr) addr = nl_addr_build(AF_LLC, plan->host_mac, DOMAIN_MAC_LEN);
    g_autofree char *port = NULL;

    if (!mac || !master || !up || !addr) {
        g_set_error_literal(error, VIRT_QEMU_ERROR, VIRT_ERR_NO_MEMORY, "out of memory");
        return false;
    }
    rtnl_link_set_addr(mac, addr);
    if (!host_link_change(sk, name, mac, "set the MAC address", plan, error))
        return false;
    if (br > 0) {
        port = g_strdup_printf("attach to bridge '%s'", plan->bridge);
        rtnl_link_set_master(master, br);
        if (!host_link_change(sk, name, master, port, plan, error))
            return false;
    }
    rtnl_link_set_flags(up, IFF_UP);
    return host_link_change(sk, name, up, "bring up", plan, error);
}

static bool host_tap_setup(NlSock *sk, const QemuTapPlan *plan, gint *next_index, HostTap *tap,
                           GError **error)
{
    int br = 0;

    tap->index = plan->index;
    if (plan->existing) {
        tap->ifname = g_strdup(plan->ifname);
        tap->fd = host_tap_open_existing(sk, plan, error);
        return tap->fd >= 0;
    }
    /* a missing bridge is found before any tap is made */
    if (plan->bridge && (br = host_bridge_index(sk, plan, error)) < 0)
        return false;
    if (plan->ifname) {
        tap->ifname = g_strdup(plan->ifname);
        tap->fd = host_tap_create_named(plan, error);
    } else {
        tap->fd = host_tap_create_generated(plan, next_index, &tap->ifname, error);
    }
    return tap->fd >= 0 && host_tap_configure(sk, plan, tap->ifname, br, error);
}

/**
 * qemu_host_net_setup: carry out @plan (qemu_net_plan): per entry a tap made (or the
 * user's opened), configured and attached to its bridge. Generated names count up
 * from *@next_index (shared by the driver's starts; updated atomically). On failure
 * nothing made is left: the fds close and the taps with them.
 */
QemuHostNet *qemu_host_net_setup(const GPtrArray *plan, gint *next_index, GError **error)
{
    g_autoptr(QemuHostNet) net = g_new0(QemuHostNet, 1);
    g_autoptr(NlSock) sk = NULL;

    net->taps = g_array_new(FALSE, TRUE, sizeof(HostTap));
    g_array_set_clear_func(net->taps, host_tap_clear);
    if (plan->len == 0)
        return g_steal_pointer(&net);
    if (!(sk = host_nl_open(error)))
        return NULL;
    for (guint i = 0; i < plan->len; i++) {
        HostTap tap = { .fd = -1 };
        bool ok = host_tap_setup(sk, g_ptr_array_index(plan, i), next_index, &tap, error);

        g_array_append_val(net->taps, tap);
        if (!ok)
            return NULL;
    }
    return g_steal_pointer(&net);
}

static const HostTap *host_net_find(const QemuHostNet *net, guint index)
{
    for (guint i = 0; net && i < net->taps->len; i++) {
        const HostTap *tap = &g_array_index(net->taps, HostTap, i);

        if (tap->index == index)
            return tap;
    }
    return NULL;
}

/** qemu_host_net_fd: the tap fd of <interface> @index, or -1 (owned by @net). */
int qemu_host_net_fd(const QemuHostNet *net, guint index)
{
    const HostTap *tap = host_net_find(net, index);

    return tap ? tap->fd : -1;
}

/** qemu_host_net_ifname: the tap name of <interface> @index, or NULL. */
const char *qemu_host_net_ifname(const QemuHostNet *net, guint index)
{
    const HostTap *tap = host_net_find(net, index);

    return tap ? tap->ifname : NULL;
}

/**
 * qemu_host_net_apply: put the tap names into @def's <target dev> (the live
 * definition shows them, as libvirt's does). Returns whether anything changed.
 */
bool qemu_host_net_apply(const QemuHostNet *net, DomainDef *def)
{
    bool changed = false;

    for (guint i = 0; i < def->nets->len; i++) {
        DomainNetDef *nd = g_ptr_array_index(def->nets, i);
        const char *name = qemu_host_net_ifname(net, i);

        if (name && g_strcmp0(nd->target_dev, name) != 0) {
            g_free(nd->target_dev);
            nd->target_dev = g_strdup(name);
            changed = true;
        }
    }
    return changed;
}
