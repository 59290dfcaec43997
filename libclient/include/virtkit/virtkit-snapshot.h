/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * virtkit public API: domain snapshots, managed save, save and restore. libvirt's
 * libvirt-domain-snapshot.h names, values and semantics.
 */

#ifndef VIRTKIT_H_INSIDE
#error "include <virtkit/virtkit.h>, not this file"
#endif

typedef struct _virDomainSnapshot virDomainSnapshot;
typedef virDomainSnapshot *virDomainSnapshotPtr;

typedef enum {
    VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE = (1 << 0),
    VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT = (1 << 1),
    VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA = (1 << 2),
    VIR_DOMAIN_SNAPSHOT_CREATE_HALT = (1 << 3),
    VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY = (1 << 4),
    VIR_DOMAIN_SNAPSHOT_CREATE_REUSE_EXT = (1 << 5),
    VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE = (1 << 6),
    VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC = (1 << 7),
    VIR_DOMAIN_SNAPSHOT_CREATE_LIVE = (1 << 8),
    VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE = (1 << 9),
} virDomainSnapshotCreateFlags;

typedef enum {
    VIR_DOMAIN_SNAPSHOT_LIST_ROOTS = (1 << 0),
    VIR_DOMAIN_SNAPSHOT_LIST_DESCENDANTS = (1 << 0),
    VIR_DOMAIN_SNAPSHOT_LIST_METADATA = (1 << 1),
    VIR_DOMAIN_SNAPSHOT_LIST_LEAVES = (1 << 2),
    VIR_DOMAIN_SNAPSHOT_LIST_NO_LEAVES = (1 << 3),
    VIR_DOMAIN_SNAPSHOT_LIST_NO_METADATA = (1 << 4),
    VIR_DOMAIN_SNAPSHOT_LIST_INACTIVE = (1 << 5),
    VIR_DOMAIN_SNAPSHOT_LIST_ACTIVE = (1 << 6),
    VIR_DOMAIN_SNAPSHOT_LIST_DISK_ONLY = (1 << 7),
    VIR_DOMAIN_SNAPSHOT_LIST_INTERNAL = (1 << 8),
    VIR_DOMAIN_SNAPSHOT_LIST_EXTERNAL = (1 << 9),
    VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL = (1 << 10),
} virDomainSnapshotListFlags;

typedef enum {
    VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING = 1 << 0,
    VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED = 1 << 1,
    VIR_DOMAIN_SNAPSHOT_REVERT_FORCE = 1 << 2,
    VIR_DOMAIN_SNAPSHOT_REVERT_RESET_NVRAM = 1 << 3,
} virDomainSnapshotRevertFlags;

typedef enum {
    VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN = (1 << 0),
    VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY = (1 << 1),
    VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY = (1 << 2),
} virDomainSnapshotDeleteFlags;

typedef enum {
    VIR_DOMAIN_SNAPSHOT_XML_SECURE = (1 << 0),
} virDomainSnapshotXMLFlags;

/* managed save */
typedef enum {
    VIR_DOMAIN_SAVE_BYPASS_CACHE = 1 << 0,
    VIR_DOMAIN_SAVE_RUNNING = 1 << 1,
    VIR_DOMAIN_SAVE_PAUSED = 1 << 2,
    VIR_DOMAIN_SAVE_RESET_NVRAM = 1 << 3,
} virDomainSaveRestoreFlags;

int virDomainManagedSave(virDomainPtr dom, unsigned int flags);
int virDomainManagedSaveRemove(virDomainPtr dom, unsigned int flags);

/* save to a file and restore */
typedef enum {
    VIR_DOMAIN_SAVE_IMAGE_XML_SECURE = 1 << 0,
} virDomainSaveImageXMLFlags;

int virDomainSave(virDomainPtr dom, const char *to);
int virDomainSaveFlags(virDomainPtr dom, const char *to, const char *dxml, unsigned int flags);
int virDomainRestore(virConnectPtr conn, const char *from);
int virDomainRestoreFlags(virConnectPtr conn, const char *from, const char *dxml,
                          unsigned int flags);
char *virDomainSaveImageGetXMLDesc(virConnectPtr conn, const char *file, unsigned int flags);
int virDomainSaveImageDefineXML(virConnectPtr conn, const char *file, const char *dxml,
                                unsigned int flags);
char *virDomainManagedSaveGetXMLDesc(virDomainPtr dom, unsigned int flags);
int virDomainManagedSaveDefineXML(virDomainPtr dom, const char *dxml, unsigned int flags);

virDomainSnapshotPtr virDomainSnapshotCreateXML(virDomainPtr domain, const char *xmlDesc,
                                                unsigned int flags);
int virDomainListAllSnapshots(virDomainPtr domain, virDomainSnapshotPtr **snaps,
                              unsigned int flags);
int virDomainSnapshotNum(virDomainPtr domain, unsigned int flags);
int virDomainSnapshotListNames(virDomainPtr domain, char **names, int nameslen, unsigned int flags);
virDomainSnapshotPtr virDomainSnapshotLookupByName(virDomainPtr domain, const char *name,
                                                   unsigned int flags);
int virDomainHasCurrentSnapshot(virDomainPtr domain, unsigned int flags);
virDomainSnapshotPtr virDomainSnapshotCurrent(virDomainPtr domain, unsigned int flags);
virDomainSnapshotPtr virDomainSnapshotGetParent(virDomainSnapshotPtr snapshot, unsigned int flags);
char *virDomainSnapshotGetXMLDesc(virDomainSnapshotPtr snapshot, unsigned int flags);
int virDomainSnapshotIsCurrent(virDomainSnapshotPtr snapshot, unsigned int flags);
int virDomainSnapshotHasMetadata(virDomainSnapshotPtr snapshot, unsigned int flags);
int virDomainSnapshotListAllChildren(virDomainSnapshotPtr snapshot, virDomainSnapshotPtr **snaps,
                                     unsigned int flags);
int virDomainSnapshotNumChildren(virDomainSnapshotPtr snapshot, unsigned int flags);
int virDomainSnapshotListChildrenNames(virDomainSnapshotPtr snapshot, char **names, int nameslen,
                                       unsigned int flags);
int virDomainRevertToSnapshot(virDomainSnapshotPtr snapshot, unsigned int flags);
int virDomainSnapshotDelete(virDomainSnapshotPtr snapshot, unsigned int flags);
int virDomainSnapshotRef(virDomainSnapshotPtr snapshot);
int virDomainSnapshotFree(virDomainSnapshotPtr snapshot);
const char *virDomainSnapshotGetName(virDomainSnapshotPtr snapshot);
virDomainPtr virDomainSnapshotGetDomain(virDomainSnapshotPtr snapshot);
virConnectPtr virDomainSnapshotGetConnect(virDomainSnapshotPtr snapshot);
