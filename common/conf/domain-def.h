/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Domain definition: the pure in-memory model of libvirt's domain XML. Parsing,
 * post-parse defaults, validation and formatting live in domain-parse.c,
 * domain-postparse.c, domain-validate.c and domain-format.c. No I/O here.
 *
 * Losslessness: every modelled element keeps what the parser did not model in its
 * XmlExtras (unknown attributes and child elements, verbatim), and the formatter writes
 * them back, so XML we do not fully understand still round-trips.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/enum-table.h"

#include "util/uuid.h"

#define DOMAIN_UUID_LEN VIRT_UUID_LEN
#define DOMAIN_UUID_STRING_LEN VIRT_UUID_STRING_LEN

typedef struct XmlExtras XmlExtras; /* opaque, owned by conf/ (xml-extras.h) */

typedef enum DomainVirtType {
    DOMAIN_VIRT_QEMU,
    DOMAIN_VIRT_KVM,
    DOMAIN_VIRT_XEN,
    DOMAIN_VIRT_LXC,
    DOMAIN_VIRT_BHYVE,
    DOMAIN_VIRT_TEST,
    _DOMAIN_VIRT_MAX,
    _DOMAIN_VIRT_INVALID = -EINVAL,
} DomainVirtType;
ENUM_TABLE_DECLARE(domain_virt_type, DomainVirtType);

typedef enum DomainOsType {
    DOMAIN_OS_HVM,
    DOMAIN_OS_XEN, /* PV */
    DOMAIN_OS_XENPVH,
    DOMAIN_OS_LINUX,
    DOMAIN_OS_EXE, /* containers */
    _DOMAIN_OS_MAX,
    _DOMAIN_OS_INVALID = -EINVAL,
} DomainOsType;
ENUM_TABLE_DECLARE(domain_os_type, DomainOsType);

typedef enum DomainLifecycleAction {
    DOMAIN_LIFECYCLE_DEFAULT, /* not given in the XML */
    DOMAIN_LIFECYCLE_DESTROY,
    DOMAIN_LIFECYCLE_RESTART,
    DOMAIN_LIFECYCLE_RESTART_RENAME,
    DOMAIN_LIFECYCLE_PRESERVE,
    DOMAIN_LIFECYCLE_COREDUMP_DESTROY,
    DOMAIN_LIFECYCLE_COREDUMP_RESTART,
    _DOMAIN_LIFECYCLE_MAX,
    _DOMAIN_LIFECYCLE_INVALID = -EINVAL,
} DomainLifecycleAction;
ENUM_TABLE_DECLARE(domain_lifecycle_action, DomainLifecycleAction);

/* Device structs: full field lists are in this header; one struct per device kind. */
typedef struct DomainDiskDef DomainDiskDef;
typedef struct DomainControllerDef DomainControllerDef;
typedef struct DomainNetDef DomainNetDef;
typedef struct DomainChrDef DomainChrDef; /* serial, console */
typedef struct DomainGraphicsDef DomainGraphicsDef;
typedef struct DomainVideoDef DomainVideoDef;
typedef struct DomainInputDef DomainInputDef;
typedef struct DomainMemballoonDef DomainMemballoonDef;
typedef struct DomainRngDef DomainRngDef;
typedef struct DomainFsDef DomainFsDef;

typedef struct DomainOsDef {
    DomainOsType type;
    char *arch;           /* NULL = not given */
    char *machine;        /* NULL = not given */
    GPtrArray *boot_devs; /* char*: "hd", "cdrom", "network", "fd", in order */
    char *kernel;
    char *initrd;
    char *cmdline;
    char *dtb;
    char *loader;          /* path, NULL = none */
    char *loader_readonly; /* "yes"/"no"/NULL, kept as written */
    char *loader_type;     /* "rom"/"pflash"/NULL */
    char *loader_secure;   /* "yes"/"no"/NULL */
    char *nvram;           /* path, NULL = none */
    char *nvram_template;
    char *init;           /* containers */
    GPtrArray *init_args; /* char* */
    XmlExtras *extras;
} DomainOsDef;

typedef enum DomainFeature {
    DOMAIN_FEATURE_ACPI = 1u << 0,
    DOMAIN_FEATURE_APIC = 1u << 1,
    DOMAIN_FEATURE_PAE = 1u << 2,
} DomainFeature;

typedef struct DomainCpuDef {
    char *mode;  /* "custom", "host-model", "host-passthrough", "maximum"; NULL = no <cpu> */
    char *match; /* "exact"/"minimum"/"strict"/NULL */
    char *check; /* "none"/"partial"/"full"/NULL */
    char *model;
    char *model_fallback; /* "allow"/"forbid"/NULL */
    XmlExtras *extras;    /* topology, feature, numa, ... */
} DomainCpuDef;

typedef struct DomainClockDef {
    char *offset;   /* "utc", "localtime", "timezone", "variable"; NULL = no <clock> */
    char *timezone; /* offset='timezone' */
    char *adjustment;
    char *basis;
    XmlExtras *extras; /* <timer> elements and the rest */
} DomainClockDef;

typedef struct DomainDef {
    DomainVirtType virt_type;
    char *name;
    uint8_t uuid[DOMAIN_UUID_LEN];
    bool has_uuid; /* false until post-parse generates one */
    char *title;
    char *description;
    XmlExtras *metadata; /* children of <metadata>, each a namespaced element */

    uint64_t memory_kib;     /* <memory>: maximum initial allocation */
    uint64_t cur_memory_kib; /* <currentMemory>; 0 = same as memory */
    uint64_t max_memory_kib; /* <maxMemory>; 0 = not given */
    unsigned int max_memory_slots;

    unsigned int vcpus;         /* <vcpu> value */
    unsigned int vcpus_current; /* current='N'; 0 = same as vcpus */
    char *vcpu_placement;       /* "static"/"auto"/NULL */
    char *vcpu_cpuset;

    DomainOsDef os;
    unsigned int features; /* DomainFeature bits */
    XmlExtras *features_extras;
    DomainCpuDef cpu;
    DomainClockDef clock;

    DomainLifecycleAction on_poweroff;
    DomainLifecycleAction on_reboot;
    DomainLifecycleAction on_crash;

    char *emulator;
    GPtrArray *disks;                /* DomainDiskDef* */
    GPtrArray *controllers;          /* DomainControllerDef* */
    GPtrArray *nets;                 /* DomainNetDef* */
    GPtrArray *serials;              /* DomainChrDef* */
    GPtrArray *consoles;             /* DomainChrDef* */
    GPtrArray *graphics;             /* DomainGraphicsDef* */
    GPtrArray *videos;               /* DomainVideoDef* */
    GPtrArray *inputs;               /* DomainInputDef* */
    GPtrArray *rngs;                 /* DomainRngDef* */
    GPtrArray *filesystems;          /* DomainFsDef* */
    DomainMemballoonDef *memballoon; /* NULL = not given */
    XmlExtras *devices_extras;       /* unmodelled devices (<hostdev>, <tpm>, ...) */

    XmlExtras *extras; /* unmodelled top-level elements and <domain> attributes */
} DomainDef;

typedef enum DomainParseFlags {
    DOMAIN_PARSE_VALIDATE_SCHEMA = 1u << 0, /* check against common/schemas/domain.rng */
    DOMAIN_PARSE_INACTIVE = 1u << 1,        /* ignore live-only data (id) */
} DomainParseFlags;

typedef enum DomainFormatFlags {
    DOMAIN_FORMAT_SECURE = 1u << 0,   /* include secrets (VIR_DOMAIN_XML_SECURE) */
    DOMAIN_FORMAT_INACTIVE = 1u << 1, /* no live-only data (VIR_DOMAIN_XML_INACTIVE) */
} DomainFormatFlags;

/* lifecycle */
DomainDef *domain_def_new(void);
DomainDef *domain_def_free(DomainDef *def);
DomainDef *domain_def_copy(const DomainDef *def); /* deep copy, never fails */

/* parse/format (domain-parse.c, domain-format.c) */
DomainDef *domain_def_parse_string(const char *xml, DomainParseFlags flags, GError **error);
/* id: the live domain id to write as <domain id='N'>, or -1 for none. */
char *domain_def_format(const DomainDef *def, int id, DomainFormatFlags flags);

/* post-parse defaults and validation (domain-postparse.c, domain-validate.c) */
typedef struct DomainPostParseOps DomainPostParseOps;
bool domain_def_post_parse(DomainDef *def, const DomainPostParseOps *driver_ops, GError **error);
bool domain_def_validate(const DomainDef *def, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainDef, domain_def_free)
