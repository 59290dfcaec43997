/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared state and helpers of the command line builder (qemu-command*.c). */

#include <json-glib/json-glib.h>

#include "conf/xml-extras.h"
#include "qemu-command.h"

typedef struct QemuBuild {
    const DomainDef *def;
    const QemuCaps *caps;
    const QemuPrepared *prep;
    Command *cmd;
    const QemuMonitorMachine *machine;
    bool q35;         /* pc-q35-*: built-in AHCI, no IDE */
    bool has_usb;     /* a USB controller is on the command line */
    bool has_vserial; /* a virtio-serial controller is on the command line */
} QemuBuild;

/* errors: every refusal names the domain and the element */
bool qemu_build_unsupported(const QemuBuild *b, GError **error, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
bool qemu_build_check_extras(const QemuBuild *b, const XmlExtras *extras, const char *what,
                             const char *const *ok_children, const char *const *ok_attrs,
                             GError **error);
const XmlElem *qemu_build_extras_child(const XmlExtras *extras, const char *name);
const char *qemu_build_elem_attr(const XmlElem *elem, const char *name);
const char *qemu_build_extras_attr(const XmlExtras *extras, const char *name);
bool qemu_build_need_caps(const QemuBuild *b, QemuCapsFlag flag, const char *what, GError **error);

/* <address type='pci'> of a PCI device → "bus"/"addr" (root bus only) */
bool qemu_build_pci_address(const QemuBuild *b, const XmlExtras *extras, const char *what,
                            JsonBuilder *p, GError **error);
extern const char *const qemu_pci_device_ok_children[]; /* alias, address */

/* JSON objects for -device/-blockdev/-object, members in insertion order */
JsonBuilder *qemu_props_new(const char *key, const char *value);
void qemu_props_str(JsonBuilder *p, const char *name, const char *value);
void qemu_props_int(JsonBuilder *p, const char *name, gint64 value);
void qemu_props_bool(JsonBuilder *p, const char *name, bool value);
void qemu_build_add_json(QemuBuild *b, const char *option, JsonBuilder *p);
/* a key=value option value with ',' doubled as QEMU's option parser wants */
char *qemu_build_opt_escape(const char *value);

/* per device kind */
bool qemu_build_controllers(QemuBuild *b, GError **error);
bool qemu_build_disks(QemuBuild *b, GError **error);
bool qemu_build_nets(QemuBuild *b, GError **error);
bool qemu_build_chrs(QemuBuild *b, GError **error);
bool qemu_build_graphics(QemuBuild *b, GError **error);
bool qemu_build_videos(QemuBuild *b, GError **error);
bool qemu_build_inputs(QemuBuild *b, GError **error);
bool qemu_build_balloon_rng(QemuBuild *b, GError **error);
