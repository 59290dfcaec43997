/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Host networking of a start: the tap devices behind <interface type='bridge'> and
 * <interface type='ethernet'>, made before QEMU runs and handed to it as fds.
 *
 * Two halves. qemu_net_plan() (qemu-net-plan.c) is pure: from the definition it decides
 * per interface whether a tap is needed, its name (or "generate one"), the bridge, the
 * host-side MAC and the tap flags, and refuses what cannot work. qemu_host_net_setup()
 * (qemu-host-net.c) carries the plan out on the host: /dev/net/tun and rtnetlink
 * (libnl-route). The taps are not persistent: the kernel removes one when the last fd
 * on it closes, so a failed start (our fds closed) and a stopped or crashed QEMU (its
 * fds closed) leave nothing behind. A pre-existing tap (ethernet, <target
 * managed='no'/>) is persistent and only opened, never changed or removed.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "conf/domain-def.h"

/* Automatically named taps: vnet0, vnet1, ... (libvirt's prefix). */
#define QEMU_TAP_PREFIX "vnet"

/* The tap of one <interface>. */
typedef struct QemuTapPlan {
    guint index;                      /* position of the <interface> in the definition */
    char *what;                       /* "interface 52:54:00:..:..", for messages */
    char *ifname;                     /* name to create or open; NULL: the next free vnetN */
    char *bridge;                     /* type='bridge': attach the tap to it; NULL otherwise */
    uint8_t host_mac[DOMAIN_MAC_LEN]; /* the guest's MAC with the first byte 0xfe */
    bool vnet_hdr;                    /* IFF_VNET_HDR (virtio NICs) */
    bool existing;                    /* ethernet managed='no': open the user's tap as is */
} QemuTapPlan;

/* planning (pure) */
QemuTapPlan *qemu_tap_plan_free(QemuTapPlan *plan);
bool qemu_net_plan(const DomainDef *def, GPtrArray **ret_plan, GError **error);
/* highest N of a vnetN @name, or -1 */
int qemu_tap_name_index(const char *name);

/* setup on the host (I/O) */
typedef struct QemuHostNet QemuHostNet;

QemuHostNet *qemu_host_net_setup(const GPtrArray *plan, gint *next_index, GError **error);
QemuHostNet *qemu_host_net_free(QemuHostNet *net);
int qemu_host_net_fd(const QemuHostNet *net, guint index);
const char *qemu_host_net_ifname(const QemuHostNet *net, guint index);
bool qemu_host_net_apply(const QemuHostNet *net, DomainDef *def);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuTapPlan, qemu_tap_plan_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuHostNet, qemu_host_net_free)
