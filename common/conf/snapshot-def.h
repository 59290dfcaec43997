/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Snapshot definition: the pure model of libvirt's <domainsnapshot> XML. Parsing in
 * snapshot-parse.c, defaults and checks in snapshot-validate.c, output in
 * snapshot-format.c. No I/O; the creation time default is passed in.
 *
 * Elements and attributes not modelled are kept verbatim (XmlExtras) and written back.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/enum-table.h"

typedef struct XmlExtras XmlExtras;
typedef struct DomainDef DomainDef;

/* virDomainSnapshotState: the domain state captured (or disk-snapshot). */
typedef enum SnapshotState {
    SNAPSHOT_STATE_NOSTATE, /* not given */
    SNAPSHOT_STATE_RUNNING,
    SNAPSHOT_STATE_BLOCKED,
    SNAPSHOT_STATE_PAUSED,
    SNAPSHOT_STATE_SHUTDOWN,
    SNAPSHOT_STATE_SHUTOFF,
    SNAPSHOT_STATE_CRASHED,
    SNAPSHOT_STATE_PMSUSPENDED,
    SNAPSHOT_STATE_DISK_SNAPSHOT,
    _SNAPSHOT_STATE_MAX,
    _SNAPSHOT_STATE_INVALID = -EINVAL,
} SnapshotState;
ENUM_TABLE_DECLARE(snapshot_state, SnapshotState);

/* virDomainSnapshotLocation: where memory or a disk is captured. */
typedef enum SnapshotLocation {
    SNAPSHOT_LOCATION_DEFAULT, /* not given */
    SNAPSHOT_LOCATION_NO,
    SNAPSHOT_LOCATION_INTERNAL,
    SNAPSHOT_LOCATION_EXTERNAL,
    SNAPSHOT_LOCATION_MANUAL,
    _SNAPSHOT_LOCATION_MAX,
    _SNAPSHOT_LOCATION_INVALID = -EINVAL,
} SnapshotLocation;
ENUM_TABLE_DECLARE(snapshot_location, SnapshotLocation);

typedef struct SnapshotDiskDef {
    char *name;                /* target dev ("vda") or the disk's source path */
    SnapshotLocation snapshot; /* DEFAULT until aligned with the domain */
    char *type;                /* type= "file", "block", "network"...; NULL = not given */
    char *driver_type;         /* <driver type=>: "qcow2" ... */
    char *source;              /* <source file=> (or dev= for type='block') */
    XmlExtras *driver_extras;
    XmlExtras *source_extras;
    XmlExtras *extras; /* <disk> attributes and children not modelled */
} SnapshotDiskDef;

typedef struct SnapshotDef {
    char *name; /* NULL until post-parse when not given */
    char *description;
    SnapshotState state;
    int64_t creation_time; /* seconds since the epoch; 0 = not given */
    char *parent_name;     /* NULL = a root */
    SnapshotLocation memory;
    char *memory_file;       /* external memory only */
    GPtrArray *disks;        /* SnapshotDiskDef*, in XML order */
    DomainDef *dom;          /* the domain config at snapshot time; NULL = none */
    DomainDef *inactive_dom; /* <inactiveDomain>: the persistent config of a running VM */
    bool current;            /* <active>1</active>: only with SNAPSHOT_PARSE/FORMAT_INTERNAL */
    XmlExtras *extras;       /* top-level elements not modelled (<cookie>, ...) */
} SnapshotDef;

typedef enum SnapshotParseFlags {
    SNAPSHOT_PARSE_REDEFINE = 1u << 0, /* re-install: name, creationTime, state, domain */
    SNAPSHOT_PARSE_INTERNAL = 1u << 1, /* our on-disk format: <active> is read */
} SnapshotParseFlags;

typedef enum SnapshotFormatFlags {
    SNAPSHOT_FORMAT_SECURE = 1u << 0,   /* secrets in the embedded domain */
    SNAPSHOT_FORMAT_INTERNAL = 1u << 1, /* write <active> */
} SnapshotFormatFlags;

/* lifecycle */
SnapshotDef *snapshot_def_new(void);
SnapshotDef *snapshot_def_free(SnapshotDef *def);
SnapshotDef *snapshot_def_copy(const SnapshotDef *def);
SnapshotDiskDef *snapshot_disk_def_new(void);
SnapshotDiskDef *snapshot_disk_def_free(SnapshotDiskDef *disk);

/* parse/format (snapshot-parse.c, snapshot-format.c) */
SnapshotDef *snapshot_def_parse_string(const char *xml, SnapshotParseFlags flags, GError **error);
char *snapshot_def_format(const SnapshotDef *def, SnapshotFormatFlags flags);

/* defaults and checks (snapshot-validate.c) */
bool snapshot_def_post_parse(SnapshotDef *def, int64_t now, GError **error);
bool snapshot_def_validate(const SnapshotDef *def, GError **error);
/* parse + post-parse + validate: what snapshot create and redefine use */
SnapshotDef *snapshot_def_parse_full(const char *xml, SnapshotParseFlags flags, int64_t now,
                                     GError **error);
/* REDEFINE: default-fill and validate the embedded <domain>/<inactiveDomain> with @fill
 * (what the driver's domain parser adds), and align an internal snapshot's disks */
typedef bool (*SnapshotDomainFill)(DomainDef *dom, void *opaque, GError **error);
bool snapshot_def_fill_redefined(SnapshotDef *def, SnapshotDomainFill fill, void *opaque,
                                 GError **error);
/* Give every disk of @dom exactly one entry (in @dom's order), naming it by target;
 * unlisted disks get @default_location (NO for empty or read-only ones). */
bool snapshot_def_align_disks(SnapshotDef *def, const DomainDef *dom,
                              SnapshotLocation default_location, GError **error);
/* internal, external, or disk-only: what the list filters of libvirt test */
bool snapshot_def_is_external(const SnapshotDef *def);
bool snapshot_def_is_inactive(const SnapshotDef *def);
bool snapshot_def_is_disk_only(const SnapshotDef *def);

/* schema (snapshot-format.c): check @xml against <@schema_dir>/domainsnapshot.rng */
bool snapshot_schema_validate_xml(const char *schema_dir, const char *xml, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SnapshotDef, snapshot_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SnapshotDiskDef, snapshot_disk_def_free)
