/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * virtkit public API: connections and the host. libvirt's libvirt-host.h names,
 * values and semantics for the subset virtkit implements.
 */

#ifndef VIRTKIT_H_INSIDE
#error "include <virtkit/virtkit.h>, not this file"
#endif

typedef struct _virConnect virConnect;
typedef virConnect *virConnectPtr;

typedef enum {
    VIR_CONNECT_RO = (1 << 0),         /* a read-only connection */
    VIR_CONNECT_NO_ALIASES = (1 << 1), /* accepted, no effect: virtkit has no URI aliases */
} virConnectFlags;

#define VIR_UUID_BUFLEN (16)
#define VIR_UUID_STRING_BUFLEN (36 + 1)

#define VIR_NODEINFO_MAXCPUS(nodeinfo) \
    ((nodeinfo).nodes * (nodeinfo).sockets * (nodeinfo).cores * (nodeinfo).threads)

typedef struct _virNodeInfo {
    char model[32];       /* CPU model */
    unsigned long memory; /* memory size in KiB */
    unsigned int cpus;    /* number of active CPUs */
    unsigned int mhz;     /* expected CPU frequency, 0 if unknown */
    unsigned int nodes;   /* NUMA cells, 1 for uniform memory access */
    unsigned int sockets; /* CPU sockets per node */
    unsigned int cores;   /* cores per socket */
    unsigned int threads; /* threads per core */
} virNodeInfo;
typedef virNodeInfo *virNodeInfoPtr;

#define VIR_SECURITY_LABEL_BUFLEN (4096 + 1)
#define VIR_SECURITY_MODEL_BUFLEN (256 + 1)
#define VIR_SECURITY_DOI_BUFLEN (256 + 1)

/* A domain's security label (virDomainGetSecurityLabel). */
typedef struct _virSecurityLabel {
    char label[VIR_SECURITY_LABEL_BUFLEN]; /* "" when there is none */
    int enforcing;                         /* 1 enforcing, 0 permissive */
} virSecurityLabel;
typedef virSecurityLabel *virSecurityLabelPtr;

/* The host's security model (virNodeGetSecurityModel). */
typedef struct _virSecurityModel {
    char model[VIR_SECURITY_MODEL_BUFLEN]; /* "" when no security driver is active */
    char doi[VIR_SECURITY_DOI_BUFLEN];     /* domain of interpretation */
} virSecurityModel;
typedef virSecurityModel *virSecurityModelPtr;

/* library */
int virGetVersion(unsigned long *libVer, const char *type, unsigned long *typeVer);
int virInitialize(void);

/* connections */
virConnectPtr virConnectOpen(const char *name);
virConnectPtr virConnectOpenReadOnly(const char *name);
int virConnectClose(virConnectPtr conn);
int virConnectRef(virConnectPtr conn);

/* connection queries */
const char *virConnectGetType(virConnectPtr conn);
int virConnectGetVersion(virConnectPtr conn, unsigned long *hvVer);
int virConnectGetLibVersion(virConnectPtr conn, unsigned long *libVer);
char *virConnectGetHostname(virConnectPtr conn);
char *virConnectGetURI(virConnectPtr conn);
char *virConnectGetCapabilities(virConnectPtr conn);
int virConnectGetMaxVcpus(virConnectPtr conn, const char *type);
int virConnectIsAlive(virConnectPtr conn);
int virConnectIsSecure(virConnectPtr conn);
int virConnectIsEncrypted(virConnectPtr conn);

/* host */
int virNodeGetInfo(virConnectPtr conn, virNodeInfoPtr info);
int virNodeGetSecurityModel(virConnectPtr conn, virSecurityModelPtr secmodel);
