/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * QEMU capabilities: what one QEMU binary offers, built (purely) from the replies of
 * a probe over QMP, serialized as JSON for the per-binary cache, and formatted as
 * libvirt's <capabilities> guests and <domainCapabilities>. The probe itself (spawning
 * QEMU) and the cache files are in qemu-caps-probe.c.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "conf/capabilities.h"
#include "conf/domain-def.h"
#include "qemu-monitor-json.h"
#include "util/enum-table.h"

/* Flags for what the driver relies on. The spelling of each is its name in the cache. */
typedef enum QemuCapsFlag {
    /* accelerators (qom-list-types implements=accel) */
    QEMU_CAPS_ACCEL_TCG,
    QEMU_CAPS_ACCEL_KVM,
    /* QMP commands and command-line features (query-qmp-schema) */
    QEMU_CAPS_SNAPSHOT_JOBS,     /* snapshot-save/-load/-delete */
    QEMU_CAPS_BLOCKDEV_SNAPSHOT, /* blockdev-snapshot */
    QEMU_CAPS_SET_ACTION,        /* set-action / -action */
    QEMU_CAPS_DEVICE_JSON,       /* -device takes JSON (device_add feature json-cli) */
    QEMU_CAPS_BLOCKDEV_QCOW2,    /* blockdev-add driver qcow2 */
    QEMU_CAPS_BLOCKDEV_RAW,      /* blockdev-add driver raw */
    QEMU_CAPS_BLOCKDEV_HOST_DEVICE,
    QEMU_CAPS_VNC,   /* query-vnc: built with VNC */
    QEMU_CAPS_SPICE, /* query-spice: built with SPICE */
    QEMU_CAPS_QUERY_JOBS,
    /* devices (qom-list-types implements=device) */
    QEMU_CAPS_DEVICE_VIRTIO_BLK_PCI,
    QEMU_CAPS_DEVICE_VIRTIO_SCSI_PCI,
    QEMU_CAPS_DEVICE_SCSI_HD,
    QEMU_CAPS_DEVICE_SCSI_CD,
    QEMU_CAPS_DEVICE_IDE_HD,
    QEMU_CAPS_DEVICE_IDE_CD,
    QEMU_CAPS_DEVICE_ICH9_AHCI,
    QEMU_CAPS_DEVICE_PIIX3_USB_UHCI,
    QEMU_CAPS_DEVICE_QEMU_XHCI,
    QEMU_CAPS_DEVICE_USB_EHCI,
    QEMU_CAPS_DEVICE_VIRTIO_NET_PCI,
    QEMU_CAPS_DEVICE_E1000,
    QEMU_CAPS_DEVICE_RTL8139,
    QEMU_CAPS_DEVICE_ISA_SERIAL,
    QEMU_CAPS_DEVICE_VGA,
    QEMU_CAPS_DEVICE_CIRRUS_VGA,
    QEMU_CAPS_DEVICE_VIRTIO_VGA,
    QEMU_CAPS_DEVICE_QXL_VGA,
    QEMU_CAPS_DEVICE_USB_TABLET,
    QEMU_CAPS_DEVICE_USB_MOUSE,
    QEMU_CAPS_DEVICE_USB_KBD,
    QEMU_CAPS_DEVICE_VIRTIO_BALLOON_PCI,
    QEMU_CAPS_DEVICE_VIRTIO_RNG_PCI,
    QEMU_CAPS_DEVICE_VIRTIO_SERIAL_PCI,
    QEMU_CAPS_DEVICE_VIRTCONSOLE,
    _QEMU_CAPS_MAX,
    _QEMU_CAPS_INVALID = -EINVAL,
} QemuCapsFlag;
ENUM_TABLE_DECLARE(qemu_caps_flag, QemuCapsFlag);

typedef struct QemuCaps {
    char *binary;     /* absolute path of the emulator */
    char *arch;       /* query-target: "x86_64" */
    unsigned version; /* major * 1000000 + minor * 1000 + micro */
    char *package;
    GPtrArray *machines;       /* QemuMonitorMachine*, QEMU's order */
    GPtrArray *cpu_models;     /* QemuMonitorCpuModel*, QEMU's order, usability under TCG */
    GPtrArray *cpu_models_kvm; /* the same under KVM; empty unless kvm_usable */
    bool kvm_present;          /* QEMU was built with KVM */
    bool kvm_usable;           /* the KVM probe really ran with KVM */
    bool flags[_QEMU_CAPS_MAX];

    /* cache key of the binary the replies came from (set by the probe) */
    int64_t binary_size;
    int64_t binary_mtime_ns;
    bool kvm_device; /* /dev/kvm was accessible when probed */
    char *probed_by; /* VIRTKIT_VERSION of the daemon that probed */
} QemuCaps;

/* What the cache is keyed by, read from the host (qemu_caps_stamp_read). */
typedef struct QemuCapsStamp {
    int64_t size;
    int64_t mtime_ns;
    bool kvm_device;
} QemuCapsStamp;

/* The probe's replies, one per query (borrowed). As libvirt does, the full probe runs
 * under TCG and a short second one asks for KVM (with TCG as fallback): its query-kvm
 * tells whether KVM really works, its query-cpu-definitions what is usable with it. */
typedef struct QemuCapsReplies {
    const QemuMonitorMessage *version;             /* query-version */
    const QemuMonitorMessage *target;              /* query-target */
    const QemuMonitorMessage *kvm;                 /* query-kvm */
    const QemuMonitorMessage *machines;            /* query-machines */
    const QemuMonitorMessage *cpu_definitions;     /* query-cpu-definitions */
    const QemuMonitorMessage *schema;              /* query-qmp-schema */
    const QemuMonitorMessage *accels;              /* qom-list-types implements=accel */
    const QemuMonitorMessage *devices;             /* qom-list-types implements=device */
    const QemuMonitorMessage *kvm_kvm;             /* KVM probe: query-kvm; NULL = not run */
    const QemuMonitorMessage *kvm_cpu_definitions; /* KVM probe: query-cpu-definitions */
} QemuCapsReplies;

/* lifecycle */
QemuCaps *qemu_caps_new(void);
QemuCaps *qemu_caps_free(QemuCaps *caps);

/* building (pure) */
QemuCaps *qemu_caps_from_replies(const char *binary, const QemuCapsReplies *replies,
                                 GError **error);
bool qemu_caps_has(const QemuCaps *caps, QemuCapsFlag flag);
void qemu_caps_set(QemuCaps *caps, QemuCapsFlag flag, bool value);

/* queries */
const QemuMonitorMachine *qemu_caps_machine_lookup(const QemuCaps *caps, const char *name);
const char *qemu_caps_default_machine(const QemuCaps *caps);
const QemuMonitorCpuModel *qemu_caps_cpu_model_lookup(const QemuCaps *caps, const char *name);
bool qemu_caps_supports_virt_type(const QemuCaps *caps, DomainVirtType type);

/* cache serialization (JSON) and validity (pure) */
char *qemu_caps_to_json(const QemuCaps *caps);
QemuCaps *qemu_caps_from_json(const char *text, GError **error);
void qemu_caps_set_stamp(QemuCaps *caps, const QemuCapsStamp *stamp, const char *version);
bool qemu_caps_is_current(const QemuCaps *caps, const char *binary, const QemuCapsStamp *stamp,
                          const char *version);

/* probe and cache (qemu-caps-probe.c, I/O, blocking: run on a worker) */
QemuCaps *qemu_caps_probe(const char *binary, unsigned timeout_ms, GError **error);
bool qemu_caps_stamp_read(const char *binary, QemuCapsStamp *ret_stamp, GError **error);
QemuCaps *qemu_caps_cache_get(const char *cache_dir, const char *binary, unsigned timeout_ms,
                              bool *ret_probed, GError **error);

/* XML (qemu-caps-format.c) */
void qemu_caps_add_guest(Capabilities *caps, const QemuCaps *qc);
char *qemu_caps_format_domain_caps(const QemuCaps *caps, DomainVirtType type, const char *machine,
                                   GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuCaps, qemu_caps_free)
