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

/* Device structs: full field lists are in this header; one struct per device kind.
 * Every modelled element keeps its unmodelled attributes and children (<address>,
 * <alias>, ...) in an XmlExtras next to the fields, so they are written back verbatim. */
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

typedef enum DomainDiskType {
    DOMAIN_DISK_TYPE_FILE,
    DOMAIN_DISK_TYPE_BLOCK,
    DOMAIN_DISK_TYPE_DIR,
    DOMAIN_DISK_TYPE_NETWORK,
    DOMAIN_DISK_TYPE_VOLUME,
    DOMAIN_DISK_TYPE_NVME,
    DOMAIN_DISK_TYPE_VHOSTUSER,
    _DOMAIN_DISK_TYPE_MAX,
    _DOMAIN_DISK_TYPE_INVALID = -EINVAL,
} DomainDiskType;
ENUM_TABLE_DECLARE(domain_disk_type, DomainDiskType);

typedef enum DomainDiskDevice {
    DOMAIN_DISK_DEVICE_DISK,
    DOMAIN_DISK_DEVICE_CDROM,
    DOMAIN_DISK_DEVICE_FLOPPY,
    DOMAIN_DISK_DEVICE_LUN,
    _DOMAIN_DISK_DEVICE_MAX,
    _DOMAIN_DISK_DEVICE_INVALID = -EINVAL,
} DomainDiskDevice;
ENUM_TABLE_DECLARE(domain_disk_device, DomainDiskDevice);

typedef enum DomainDiskBus {
    DOMAIN_DISK_BUS_NONE, /* not given; post-parse derives it from the target name */
    DOMAIN_DISK_BUS_IDE,
    DOMAIN_DISK_BUS_FDC,
    DOMAIN_DISK_BUS_SCSI,
    DOMAIN_DISK_BUS_VIRTIO,
    DOMAIN_DISK_BUS_XEN,
    DOMAIN_DISK_BUS_USB,
    DOMAIN_DISK_BUS_UML,
    DOMAIN_DISK_BUS_SATA,
    DOMAIN_DISK_BUS_SD,
    _DOMAIN_DISK_BUS_MAX,
    _DOMAIN_DISK_BUS_INVALID = -EINVAL,
} DomainDiskBus;
ENUM_TABLE_DECLARE(domain_disk_bus, DomainDiskBus);

struct DomainDiskDef {
    DomainDiskType type;
    DomainDiskDevice device;
    char *driver_name;  /* <driver name=> "qemu", "file", ... */
    char *driver_type;  /* <driver type=> "raw", "qcow2", ... */
    char *driver_cache; /* <driver cache=> */
    char *source;       /* file= (file), dev= (block), dir= (dir); NULL = no path */
    char *target_dev;
    DomainDiskBus target_bus;
    bool readonly;
    bool shareable;
    unsigned int boot_order; /* <boot order=>; 0 = none */
    XmlExtras *boot_extras;  /* loadparm=, ... */
    char *serial;
    XmlExtras *driver_extras;
    XmlExtras *source_extras; /* network/volume sources: protocol, name, <host>, ... */
    XmlExtras *target_extras;
    XmlExtras *extras; /* <disk> attributes and children: <address>, <alias>, ... */
};

typedef enum DomainControllerType {
    DOMAIN_CONTROLLER_TYPE_IDE,
    DOMAIN_CONTROLLER_TYPE_FDC,
    DOMAIN_CONTROLLER_TYPE_SCSI,
    DOMAIN_CONTROLLER_TYPE_SATA,
    DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL,
    DOMAIN_CONTROLLER_TYPE_CCID,
    DOMAIN_CONTROLLER_TYPE_USB,
    DOMAIN_CONTROLLER_TYPE_PCI,
    DOMAIN_CONTROLLER_TYPE_XENBUS,
    DOMAIN_CONTROLLER_TYPE_ISA,
    _DOMAIN_CONTROLLER_TYPE_MAX,
    _DOMAIN_CONTROLLER_TYPE_INVALID = -EINVAL,
} DomainControllerType;
ENUM_TABLE_DECLARE(domain_controller_type, DomainControllerType);

struct DomainControllerDef {
    DomainControllerType type;
    int index;   /* -1 = not given */
    char *model; /* NULL = not given */
    XmlExtras *extras;
};

typedef enum DomainNetType {
    DOMAIN_NET_TYPE_USER,
    DOMAIN_NET_TYPE_ETHERNET,
    DOMAIN_NET_TYPE_VHOSTUSER,
    DOMAIN_NET_TYPE_SERVER,
    DOMAIN_NET_TYPE_CLIENT,
    DOMAIN_NET_TYPE_MCAST,
    DOMAIN_NET_TYPE_UDP,
    DOMAIN_NET_TYPE_NETWORK,
    DOMAIN_NET_TYPE_BRIDGE,
    DOMAIN_NET_TYPE_INTERNAL,
    DOMAIN_NET_TYPE_DIRECT,
    DOMAIN_NET_TYPE_HOSTDEV,
    DOMAIN_NET_TYPE_VDPA,
    DOMAIN_NET_TYPE_NULL,
    DOMAIN_NET_TYPE_VDS,
    _DOMAIN_NET_TYPE_MAX,
    _DOMAIN_NET_TYPE_INVALID = -EINVAL,
} DomainNetType;
ENUM_TABLE_DECLARE(domain_net_type, DomainNetType);
/* The <source> attribute naming an interface's source for @type (network, bridge, dev);
 * NULL when the source is kept whole. */
const char *domain_net_source_attr(DomainNetType type);

#define DOMAIN_MAC_LEN 6

struct DomainNetDef {
    DomainNetType type;
    uint8_t mac[DOMAIN_MAC_LEN];
    bool has_mac;      /* false until post-parse generates one */
    char *source;      /* network= (network), bridge= (bridge), dev= (direct, ethernet) */
    char *source_mode; /* direct: "vepa", "bridge", "private", "passthrough" */
    char *model;       /* <model type=> */
    char *target_dev;  /* <target dev=> */
    XmlExtras *mac_extras;
    XmlExtras *source_extras;
    XmlExtras *model_extras;
    XmlExtras *target_extras;
    XmlExtras *extras;
};

typedef enum DomainChrType {
    DOMAIN_CHR_TYPE_NULL,
    DOMAIN_CHR_TYPE_VC,
    DOMAIN_CHR_TYPE_PTY,
    DOMAIN_CHR_TYPE_DEV,
    DOMAIN_CHR_TYPE_FILE,
    DOMAIN_CHR_TYPE_PIPE,
    DOMAIN_CHR_TYPE_STDIO,
    DOMAIN_CHR_TYPE_UDP,
    DOMAIN_CHR_TYPE_TCP,
    DOMAIN_CHR_TYPE_UNIX,
    DOMAIN_CHR_TYPE_SPICEVMC,
    DOMAIN_CHR_TYPE_SPICEPORT,
    DOMAIN_CHR_TYPE_NMDM,
    DOMAIN_CHR_TYPE_QEMU_VDAGENT,
    DOMAIN_CHR_TYPE_DBUS,
    _DOMAIN_CHR_TYPE_MAX,
    _DOMAIN_CHR_TYPE_INVALID = -EINVAL,
} DomainChrType;
ENUM_TABLE_DECLARE(domain_chr_type, DomainChrType);

struct DomainChrDef {
    DomainChrType type;
    char *source_path; /* path= (file, unix, dev, pipe, live pty) */
    char *source_mode; /* unix: "bind"/"connect" */
    char *target_type; /* serial: "isa-serial", ...; console: "serial", "virtio", ... */
    int target_port;   /* -1 = not given */
    XmlExtras *source_extras;
    XmlExtras *target_extras;
    XmlExtras *extras; /* <chr> attributes (tty=) and children (<log>, <alias>, ...) */
};

typedef enum DomainGraphicsType {
    DOMAIN_GRAPHICS_TYPE_SDL,
    DOMAIN_GRAPHICS_TYPE_VNC,
    DOMAIN_GRAPHICS_TYPE_RDP,
    DOMAIN_GRAPHICS_TYPE_DESKTOP,
    DOMAIN_GRAPHICS_TYPE_SPICE,
    DOMAIN_GRAPHICS_TYPE_EGL_HEADLESS,
    DOMAIN_GRAPHICS_TYPE_DBUS,
    _DOMAIN_GRAPHICS_TYPE_MAX,
    _DOMAIN_GRAPHICS_TYPE_INVALID = -EINVAL,
} DomainGraphicsType;
ENUM_TABLE_DECLARE(domain_graphics_type, DomainGraphicsType);

struct DomainGraphicsDef {
    DomainGraphicsType type;
    int port;          /* -1 = not given / automatic */
    char *autoport;    /* "yes"/"no"/NULL, kept as written */
    char *listen;      /* listen address (attribute or <listen type='address'>) */
    char *passwd;      /* secret: formatted only with DOMAIN_FORMAT_SECURE */
    XmlExtras *extras; /* keymap=, tlsPort=, <listen type='network'>, <channel>, ... */
};

struct DomainVideoDef {
    char *model;             /* <model type=> "vga", "cirrus", "virtio", "qxl", ... */
    unsigned int ram;        /* KiB (qxl); 0 = not given */
    unsigned int vram;       /* KiB; 0 = not given */
    unsigned int vgamem;     /* KiB (qxl); 0 = not given */
    unsigned int heads;      /* 0 = not given */
    char *primary;           /* "yes"/"no"/NULL */
    XmlExtras *model_extras; /* vram64=, <acceleration>, <resolution>, ... */
    XmlExtras *extras;
};

struct DomainInputDef {
    char *type; /* "mouse", "tablet", "keyboard", "passthrough", "evdev" */
    char *bus;  /* "ps2", "usb", "xen", "virtio", NULL */
    XmlExtras *extras;
};

struct DomainMemballoonDef {
    char *model; /* "virtio", "xen", "none", ... */
    XmlExtras *extras;
};

struct DomainRngDef {
    char *model;         /* "virtio" */
    char *backend_model; /* "random", "egd", "builtin" */
    char *backend;       /* text of <backend>: "/dev/urandom"; NULL = none */
    XmlExtras *backend_extras;
    XmlExtras *extras; /* <rate>, <address>, ... */
};

struct DomainFsDef {
    char *type;       /* "mount" (default), "block", "file", "template", "ram", "bind" */
    char *accessmode; /* "passthrough", "mapped", "squash", NULL */
    char *source;     /* dir= (mount, bind), dev=, file=, name=, usage= by type */
    char *target;     /* <target dir=> */
    bool readonly;
    XmlExtras *source_extras;
    XmlExtras *target_extras;
    XmlExtras *extras; /* <driver>, <binary>, <address>, ... */
};

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
    char *init;               /* containers */
    GPtrArray *init_args;     /* char* */
    XmlExtras *type_extras;   /* unmodelled attributes of <type> */
    XmlExtras *loader_extras; /* stateless=, format=, ... */
    XmlExtras *nvram_extras;
    XmlExtras *extras; /* <os> attributes (firmware=) and children (<bios>, <smbios>, ...) */
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
    char *model_fallback;    /* "allow"/"forbid"/NULL */
    XmlExtras *model_extras; /* vendor_id=, ... */
    XmlExtras *extras;       /* topology, feature, numa, ... */
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
    XmlExtras *memory_extras; /* unmodelled attributes of <memory> (dumpCore=) */

    unsigned int vcpus;         /* <vcpu> value */
    unsigned int vcpus_current; /* current='N'; 0 = same as vcpus */
    char *vcpu_placement;       /* "static"/"auto"/NULL */
    char *vcpu_cpuset;

    DomainOsDef os;
    unsigned int features;  /* DomainFeature bits */
    XmlExtras *apic_extras; /* <apic eoi='on'/> */
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
    DOMAIN_PARSE_INACTIVE = 1u << 1, /* drop live-only data: id, automatic ports, vnet names */
} DomainParseFlags;

typedef enum DomainFormatFlags {
    DOMAIN_FORMAT_SECURE = 1u << 0,   /* include secrets (VIR_DOMAIN_XML_SECURE) */
    DOMAIN_FORMAT_INACTIVE = 1u << 1, /* no live-only data (VIR_DOMAIN_XML_INACTIVE) */
} DomainFormatFlags;

/* lifecycle */
DomainDef *domain_def_new(void);
DomainDef *domain_def_free(DomainDef *def);
DomainDef *domain_def_copy(const DomainDef *def); /* deep copy, never fails */

/* device lifecycle: _new gives the "not given" defaults (index/port -1, ...) */
DomainDiskDef *domain_disk_def_new(void);
DomainDiskDef *domain_disk_def_free(DomainDiskDef *disk);
DomainControllerDef *domain_controller_def_new(void);
DomainControllerDef *domain_controller_def_free(DomainControllerDef *ctrl);
DomainNetDef *domain_net_def_new(void);
DomainNetDef *domain_net_def_free(DomainNetDef *net);
DomainChrDef *domain_chr_def_new(void);
DomainChrDef *domain_chr_def_free(DomainChrDef *chr);
DomainGraphicsDef *domain_graphics_def_new(void);
DomainGraphicsDef *domain_graphics_def_free(DomainGraphicsDef *gfx);
DomainVideoDef *domain_video_def_new(void);
DomainVideoDef *domain_video_def_free(DomainVideoDef *video);
DomainInputDef *domain_input_def_new(void);
DomainInputDef *domain_input_def_free(DomainInputDef *input);
DomainMemballoonDef *domain_memballoon_def_new(void);
DomainMemballoonDef *domain_memballoon_def_free(DomainMemballoonDef *balloon);
DomainRngDef *domain_rng_def_new(void);
DomainRngDef *domain_rng_def_free(DomainRngDef *rng);
DomainFsDef *domain_fs_def_new(void);
DomainFsDef *domain_fs_def_free(DomainFsDef *fs);

/* drive index of a disk target name: "sda" 0, "hdc" 2, "vdaa" 26; -1 if none */
int domain_disk_name_index(const char *dev);

/* MAC addresses: "52:54:00:ab:cd:ef" */
bool domain_mac_parse(const char *str, uint8_t ret_mac[DOMAIN_MAC_LEN]);
void domain_mac_format(const uint8_t mac[DOMAIN_MAC_LEN], char ret_str[18]);

/* parse/format (domain-parse.c, domain-format.c) */
DomainDef *domain_def_parse_string(const char *xml, DomainParseFlags flags, GError **error);
/* id: the live domain id to write as <domain id='N'>, or -1 for none. */
char *domain_def_format(const DomainDef *def, int id, DomainFormatFlags flags);

/* post-parse defaults and validation (domain-postparse.c, domain-validate.c) */
typedef enum DomainDeviceKind {
    DOMAIN_DEVICE_DISK,
    DOMAIN_DEVICE_CONTROLLER,
    DOMAIN_DEVICE_NET,
    DOMAIN_DEVICE_SERIAL,
    DOMAIN_DEVICE_CONSOLE,
    DOMAIN_DEVICE_GRAPHICS,
    DOMAIN_DEVICE_VIDEO,
    DOMAIN_DEVICE_INPUT,
    DOMAIN_DEVICE_MEMBALLOON,
    DOMAIN_DEVICE_RNG,
    DOMAIN_DEVICE_FS,
    _DOMAIN_DEVICE_MAX,
    _DOMAIN_DEVICE_INVALID = -EINVAL,
} DomainDeviceKind;
ENUM_TABLE_DECLARE(domain_device_kind, DomainDeviceKind);

/* A driver's additions to the generic defaults. Both hooks are optional; they run after
 * the generic step for the domain and once per device (device points to the struct of
 * that kind, e.g. DomainDiskDef* for DOMAIN_DEVICE_DISK). */
typedef struct DomainPostParseOps {
    bool (*domain)(DomainDef *def, void *opaque, GError **error);
    bool (*device)(DomainDef *def, DomainDeviceKind kind, void *device, void *opaque,
                   GError **error);
    void *opaque;
} DomainPostParseOps;

bool domain_def_post_parse(DomainDef *def, const DomainPostParseOps *driver_ops, GError **error);
bool domain_def_validate(const DomainDef *def, GError **error);
bool domain_def_has_device_boot(const DomainDef *def);

/* parse + post-parse (with driver_ops, may be NULL) + validate: what define/create use */
DomainDef *domain_def_parse_full(const char *xml, DomainParseFlags flags,
                                 const DomainPostParseOps *driver_ops, GError **error);

/* metadata (domain-metadata.c): libvirt's virDomainGet/SetMetadata on a definition */
typedef enum DomainMetadataType {
    DOMAIN_METADATA_DESCRIPTION = 0,
    DOMAIN_METADATA_TITLE = 1,
    DOMAIN_METADATA_ELEMENT = 2,
    _DOMAIN_METADATA_MAX,
    _DOMAIN_METADATA_INVALID = -EINVAL,
} DomainMetadataType;

char *domain_def_get_metadata(const DomainDef *def, int type, const char *uri, GError **error);
bool domain_def_set_metadata(DomainDef *def, int type, const char *metadata, const char *key,
                             const char *uri, GError **error);

/* schema (domain-schema.c): the one place conf reads a file (the RNG schema) */
char *domain_schema_default_dir(void);
bool domain_schema_validate_xml(const char *schema_dir, const char *xml, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainDef, domain_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainDiskDef, domain_disk_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainControllerDef, domain_controller_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainNetDef, domain_net_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainChrDef, domain_chr_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainGraphicsDef, domain_graphics_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainVideoDef, domain_video_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainInputDef, domain_input_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainMemballoonDef, domain_memballoon_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainRngDef, domain_rng_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainFsDef, domain_fs_def_free)
