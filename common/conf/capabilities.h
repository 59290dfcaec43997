/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Capabilities: the model behind virConnectGetCapabilities (host CPU, power management,
 * NUMA cells, security models; guests with os type, arch, emulator, machines, domain
 * types, features) and its formatter in libvirt's exact layout. Drivers fill it in.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct CapsPages {
    unsigned int size_kib;
    uint64_t count; /* pages in a NUMA cell; unused in the host CPU's list */
} CapsPages;

typedef struct CapsCellCpu {
    unsigned int id;
    int socket_id; /* -1: attribute omitted (likewise die_id, core_id) */
    int die_id;
    int core_id;
    char *siblings; /* NULL: omitted */
} CapsCellCpu;

typedef struct CapsCellDistance {
    unsigned int id;
    unsigned int value;
} CapsCellDistance;

typedef struct CapsNumaCell {
    unsigned int id;
    uint64_t memory_kib;
    GArray *pages;     /* CapsPages */
    GArray *distances; /* CapsCellDistance */
    GArray *cpus;      /* CapsCellCpu */
} CapsNumaCell;

typedef struct CapsSecModel {
    char *model;
    char *doi;
    GPtrArray *baselabels; /* char*: "type", "label", "type", "label", ... */
} CapsSecModel;

typedef struct CapsHost {
    uint8_t uuid[16];
    bool has_uuid;
    char *arch;
    char *cpu_model; /* NULL: omitted (likewise cpu_vendor) */
    char *cpu_vendor;
    unsigned int sockets; /* <topology>: written when sockets > 0 */
    unsigned int dies;
    unsigned int clusters; /* 0: attribute omitted */
    unsigned int cores;
    unsigned int threads;
    GPtrArray *cpu_features;         /* char*: <pae/>, <vmx/>, ... in order */
    GArray *page_sizes;              /* CapsPages (count unused) */
    bool power_management_known;     /* false: no <power_management> at all */
    GPtrArray *power_management;     /* char*: "suspend_mem", "suspend_disk", ... */
    char *iommu_support;             /* "yes"/"no"/NULL (omitted) */
    bool migration_live;             /* <migration_features> when live or transports */
    GPtrArray *migration_transports; /* char*: "tcp", "rdma", ... */
    GPtrArray *cells;                /* CapsNumaCell* */
    GPtrArray *secmodels;            /* CapsSecModel* */
} CapsHost;

typedef struct CapsMachine {
    char *name;
    char *canonical;       /* NULL: omitted */
    unsigned int max_cpus; /* 0: omitted */
} CapsMachine;

typedef struct CapsGuestDomain {
    char *type;          /* "kvm", "qemu", "test", ... */
    char *emulator;      /* NULL: the arch's emulator applies */
    GPtrArray *machines; /* CapsMachine* specific to this domain type */
} CapsGuestDomain;

typedef struct CapsGuestFeature {
    char *name;
    char *default_state; /* "on"/"off"/NULL */
    char *toggle;        /* "yes"/"no"/NULL */
} CapsGuestFeature;

typedef struct CapsGuest {
    char *os_type; /* "hvm", "xen", "exe", ... */
    char *arch;
    unsigned int wordsize;
    char *emulator;
    char *loader;
    GPtrArray *machines; /* CapsMachine* */
    GPtrArray *domains;  /* CapsGuestDomain* */
    GPtrArray *features; /* CapsGuestFeature* */
} CapsGuest;

typedef struct Capabilities {
    CapsHost host;
    GPtrArray *guests; /* CapsGuest* */
} Capabilities;

/* lifecycle */
Capabilities *capabilities_new(const char *host_arch);
Capabilities *capabilities_free(Capabilities *caps);

/* building */
CapsNumaCell *capabilities_add_cell(Capabilities *caps, unsigned int id, uint64_t memory_kib);
void caps_cell_add_pages(CapsNumaCell *cell, unsigned int size_kib, uint64_t count);
void caps_cell_add_distance(CapsNumaCell *cell, unsigned int id, unsigned int value);
void caps_cell_add_cpu(CapsNumaCell *cell, unsigned int id, int socket_id, int die_id, int core_id,
                       const char *siblings);
void capabilities_add_page_size(Capabilities *caps, unsigned int size_kib);
CapsSecModel *capabilities_add_secmodel(Capabilities *caps, const char *model, const char *doi);
void caps_secmodel_add_baselabel(CapsSecModel *sec, const char *type, const char *label);
CapsGuest *capabilities_add_guest(Capabilities *caps, const char *os_type, const char *arch,
                                  unsigned int wordsize, const char *emulator);
void caps_guest_add_machine(CapsGuest *guest, const char *name, const char *canonical,
                            unsigned int max_cpus);
CapsGuestDomain *caps_guest_add_domain(CapsGuest *guest, const char *type, const char *emulator);
void caps_guest_domain_add_machine(CapsGuestDomain *dom, const char *name, const char *canonical,
                                   unsigned int max_cpus);
void caps_guest_add_feature(CapsGuest *guest, const char *name, const char *default_state,
                            const char *toggle);

/* format */
char *capabilities_format(const Capabilities *caps);

/* lookup: the guest for @os_type on @arch (NULL arch: any), or NULL */
const CapsGuest *capabilities_find_guest(const Capabilities *caps, const char *os_type,
                                         const char *arch);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Capabilities, capabilities_free)
