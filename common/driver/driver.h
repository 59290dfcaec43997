/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The driver ops table every hypervisor implements (libvirt's virHypervisorDriver,
 * reduced to what we serve). A NULL entry means "unsupported": callers answer with
 * VIRT_ERR_NO_SUPPORT. Every op may be called concurrently from several threads on the
 * same DriverConn. Errors are GErrors from util/error.h.
 *
 * The same table is implemented by in-process drivers (the test driver) and, in
 * libclient, by the remote driver that forwards every op over RPC.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/uri.h"
#include "util/uuid.h"

typedef struct DriverConn DriverConn; /* per-connection state, private to a driver */

/* How callers name a domain: what travels as remote_nonnull_domain. Drivers look
 * domains up by UUID; name and id are informative. */
typedef struct DomainRef {
    char *name;
    uint8_t uuid[VIRT_UUID_LEN];
    int id; /* -1 when inactive */
} DomainRef;

DomainRef *domain_ref_new(const char *name, const uint8_t uuid[VIRT_UUID_LEN], int id);
DomainRef *domain_ref_copy(const DomainRef *ref);
DomainRef *domain_ref_free(DomainRef *ref);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainRef, domain_ref_free)

/* How callers name a snapshot: remote_nonnull_domain_snapshot {name, dom}. */
typedef struct SnapshotRef {
    char *name;
    DomainRef *dom;
} SnapshotRef;

SnapshotRef *snapshot_ref_new(const char *name, const DomainRef *dom);
SnapshotRef *snapshot_ref_copy(const SnapshotRef *ref);
SnapshotRef *snapshot_ref_free(SnapshotRef *ref);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SnapshotRef, snapshot_ref_free)

/* virNodeInfo */
typedef struct NodeInfo {
    char model[32];
    uint64_t memory_kib;
    unsigned int cpus;
    unsigned int mhz;
    unsigned int nodes;
    unsigned int sockets;
    unsigned int cores;
    unsigned int threads;
} NodeInfo;

/* virDomainInfo */
typedef struct DomainInfo {
    int state; /* VIR_DOMAIN_* state number */
    uint64_t max_mem_kib;
    uint64_t memory_kib;
    unsigned int nr_virt_cpu;
    uint64_t cpu_time_ns;
} DomainInfo;

/* Events leave a driver through exactly one place: the DriverEventFunc given to
 * connect_open. It may be called from any thread, never with driver locks held, and
 * must not call back into the driver (daemons and libclient only queue the event). */
typedef struct DomainEvent {
    int event_id; /* VIR_DOMAIN_EVENT_ID_*: 0 = LIFECYCLE */
    DomainRef *dom;
    int event;  /* LIFECYCLE: VIR_DOMAIN_EVENT_* (DEFINED 0, ... CRASHED 8) */
    int detail; /* LIFECYCLE: the per-event detail number */
} DomainEvent;

typedef void (*DriverEventFunc)(const DomainEvent *event, void *user_data);

typedef bool (*DomainActionFunc)(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                 GError **error);
typedef bool (*DomainBoolQueryFunc)(DriverConn *conn, const DomainRef *dom, bool *ret,
                                    GError **error);

typedef bool (*SnapshotActionFunc)(DriverConn *conn, const SnapshotRef *snap, unsigned int flags,
                                   GError **error);
typedef bool (*SnapshotBoolQueryFunc)(DriverConn *conn, const SnapshotRef *snap, unsigned int flags,
                                      bool *ret, GError **error);

typedef struct DriverOps {
    const char *name;    /* URI driver it serves: "test", "qemu", ... */
    const char *hv_type; /* virConnectGetType: "TEST", "QEMU", ... */
    /* The ops behind the schema's "@dispatch: inline" procedures (lookups, info, state,
     * XML, lists) answer from memory and take only locks that are never held across
     * I/O or a wait: a daemon may then run them on its event loop thread. One that
     * sometimes has to wait (a first capability probe) checks driver_may_wait() and,
     * where it may not, fails with DRIVER_WOULD_BLOCK_ERROR: the call then runs where
     * waiting is allowed. */
    bool reads_never_block;

    /* connection */
    bool (*connect_open)(const VirtUri *uri, unsigned int flags, DriverEventFunc event_cb,
                         void *event_data, DriverConn **ret_conn, GError **error);
    void (*connect_close)(DriverConn *conn);
    char *(*connect_get_uri)(DriverConn *conn, GError **error);
    bool (*connect_get_version)(DriverConn *conn, uint64_t *ret_version, GError **error);
    char *(*connect_get_hostname)(DriverConn *conn, GError **error);
    char *(*connect_get_capabilities)(DriverConn *conn, GError **error);
    /* virConnectGetDomainCapabilities: any of the strings may be NULL (defaults) */
    char *(*connect_get_domain_capabilities)(DriverConn *conn, const char *emulator,
                                             const char *arch, const char *machine,
                                             const char *virttype, unsigned int flags,
                                             GError **error);
    int (*connect_get_max_vcpus)(DriverConn *conn, const char *type, GError **error);
    bool (*node_get_info)(DriverConn *conn, NodeInfo *ret_info, GError **error);
    bool (*connect_list_all_domains)(DriverConn *conn, unsigned int flags,
                                     GPtrArray **ret_doms /* DomainRef* */, GError **error);

    /* lookups */
    DomainRef *(*domain_lookup_by_name)(DriverConn *conn, const char *name, GError **error);
    DomainRef *(*domain_lookup_by_uuid)(DriverConn *conn, const uint8_t uuid[VIRT_UUID_LEN],
                                        GError **error);
    DomainRef *(*domain_lookup_by_id)(DriverConn *conn, int id, GError **error);

    /* definition */
    DomainRef *(*domain_define_xml)(DriverConn *conn, const char *xml, unsigned int flags,
                                    GError **error);
    DomainActionFunc domain_undefine;
    char *(*domain_get_xml_desc)(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                 GError **error);
    DomainBoolQueryFunc domain_get_autostart;
    bool (*domain_set_autostart)(DriverConn *conn, const DomainRef *dom, bool autostart,
                                 GError **error);
    char *(*domain_get_metadata)(DriverConn *conn, const DomainRef *dom, int type, const char *uri,
                                 unsigned int flags, GError **error);
    bool (*domain_set_metadata)(DriverConn *conn, const DomainRef *dom, int type,
                                const char *metadata, const char *key, const char *uri,
                                unsigned int flags, GError **error);

    /* lifecycle; create returns the domain with its new id */
    DomainRef *(*domain_create)(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                GError **error);
    DomainRef *(*domain_create_xml)(DriverConn *conn, const char *xml, unsigned int flags,
                                    GError **error);
    /* virDomainCreateWithFiles / virDomainCreateXMLWithFiles: @fds are descriptors the
     * caller passed for the guest (LXC hands them to its init). A driver keeps one by
     * setting its slot to -1; the daemon closes the others after the call. */
    DomainRef *(*domain_create_with_files)(DriverConn *conn, const DomainRef *dom, int *fds,
                                           unsigned int n_fds, unsigned int flags, GError **error);
    DomainRef *(*domain_create_xml_with_files)(DriverConn *conn, const char *xml, int *fds,
                                               unsigned int n_fds, unsigned int flags,
                                               GError **error);
    DomainActionFunc domain_destroy;
    DomainActionFunc domain_shutdown;
    DomainActionFunc domain_reboot;
    DomainActionFunc domain_reset;
    DomainActionFunc domain_suspend;
    DomainActionFunc domain_resume;

    /* queries */
    bool (*domain_get_info)(DriverConn *conn, const DomainRef *dom, DomainInfo *ret_info,
                            GError **error);
    bool (*domain_get_state)(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                             int *ret_state, int *ret_reason, GError **error);
    DomainBoolQueryFunc domain_is_active;
    DomainBoolQueryFunc domain_is_persistent;
    DomainBoolQueryFunc domain_is_updated;
    DomainBoolQueryFunc domain_has_managed_save_image;
    char *(*domain_get_os_type)(DriverConn *conn, const DomainRef *dom, GError **error);
    bool (*domain_get_max_memory)(DriverConn *conn, const DomainRef *dom, uint64_t *ret_kib,
                                  GError **error);

    /* managed save (virDomainManagedSave flags: BYPASS_CACHE 1, RUNNING 2, PAUSED 4) */
    DomainActionFunc domain_managed_save;
    DomainActionFunc domain_managed_save_remove;

    /* save to a file and restore from one (virDomainSaveFlags, virDomainRestoreFlags:
     * flags as managed save's, paths absolute; @dxml, optional, replaces the domain XML
     * kept in the image by a compatible one), and the image's XML (flags: SECURE 1 for
     * reading it; RUNNING 2, PAUSED 4 for defining it) */
    bool (*domain_save)(DriverConn *conn, const DomainRef *dom, const char *to, const char *dxml,
                        unsigned int flags, GError **error);
    bool (*domain_restore)(DriverConn *conn, const char *from, const char *dxml, unsigned int flags,
                           GError **error);
    char *(*domain_save_image_get_xml_desc)(DriverConn *conn, const char *file, unsigned int flags,
                                            GError **error);
    bool (*domain_save_image_define_xml)(DriverConn *conn, const char *file, const char *dxml,
                                         unsigned int flags, GError **error);
    /* the same for the domain's managed-save image */
    char *(*domain_managed_save_get_xml_desc)(DriverConn *conn, const DomainRef *dom,
                                              unsigned int flags, GError **error);
    bool (*domain_managed_save_define_xml)(DriverConn *conn, const DomainRef *dom, const char *dxml,
                                           unsigned int flags, GError **error);

    /* snapshots (virDomainSnapshot*; flag numbers as libvirt's, facts §3.4). Lists of
     * snapshots are GPtrArray of SnapshotRef*, lists of names GPtrArray of char*, both
     * with their free functions set, in topological order (parents first). */
    SnapshotRef *(*domain_snapshot_create_xml)(DriverConn *conn, const DomainRef *dom,
                                               const char *xml, unsigned int flags, GError **error);
    bool (*domain_list_all_snapshots)(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                      GPtrArray **ret_snaps, GError **error);
    int (*domain_snapshot_num)(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                               GError **error);
    bool (*domain_snapshot_list_names)(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                       GPtrArray **ret_names, GError **error);
    SnapshotRef *(*domain_snapshot_lookup_by_name)(DriverConn *conn, const DomainRef *dom,
                                                   const char *name, unsigned int flags,
                                                   GError **error);
    bool (*domain_has_current_snapshot)(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                        bool *ret, GError **error);
    SnapshotRef *(*domain_snapshot_current)(DriverConn *conn, const DomainRef *dom,
                                            unsigned int flags, GError **error);
    SnapshotRef *(*domain_snapshot_get_parent)(DriverConn *conn, const SnapshotRef *snap,
                                               unsigned int flags, GError **error);
    char *(*domain_snapshot_get_xml_desc)(DriverConn *conn, const SnapshotRef *snap,
                                          unsigned int flags, GError **error);
    SnapshotBoolQueryFunc domain_snapshot_is_current;
    SnapshotBoolQueryFunc domain_snapshot_has_metadata;
    bool (*domain_snapshot_list_all_children)(DriverConn *conn, const SnapshotRef *snap,
                                              unsigned int flags, GPtrArray **ret_snaps,
                                              GError **error);
    int (*domain_snapshot_num_children)(DriverConn *conn, const SnapshotRef *snap,
                                        unsigned int flags, GError **error);
    bool (*domain_snapshot_list_children_names)(DriverConn *conn, const SnapshotRef *snap,
                                                unsigned int flags, GPtrArray **ret_names,
                                                GError **error);
    SnapshotActionFunc domain_revert_to_snapshot; /* RUNNING 1, PAUSED 2, FORCE 4 */
    SnapshotActionFunc domain_snapshot_delete;    /* CHILDREN 1, METADATA_ONLY 2, CHILDREN_ONLY 4 */

    /* security (virNodeGetSecurityModel, virDomainGetSecurityLabel: what virsh dominfo
     * prints); NULL = no security driver, callers answer an empty model and label */
    bool (*node_get_security_model)(DriverConn *conn, char **ret_model, char **ret_doi,
                                    GError **error);
    bool (*domain_get_security_label)(DriverConn *conn, const DomainRef *dom, char **ret_label,
                                      bool *ret_enforcing, GError **error);

    /* consoles (virDomainOpenConsole): a file descriptor connected to the guest's
     * console @dev_name (NULL: the first console or serial port), which the caller
     * owns and pumps. Flags as libvirt's: DRIVER_CONSOLE_FORCE, DRIVER_CONSOLE_SAFE;
     * one session per console is enforced by the caller (the daemon), not the driver. */
    bool (*domain_open_console)(DriverConn *conn, const DomainRef *dom, const char *dev_name,
                                unsigned int flags, int *ret_fd, GError **error);
} DriverOps;

/* Whether the calling thread may wait (for a lock held across I/O, a child, a
 * monitor); false while a daemon runs an inline read on its loop thread. */
bool driver_may_wait(void);
void driver_set_may_wait(bool may_wait);
/* The error of an op that would have to wait where it may not (reads_never_block). */
#define DRIVER_WOULD_BLOCK_ERROR (driver_would_block_error_quark())
GQuark driver_would_block_error_quark(void);
bool driver_set_would_block(GError **error, const char *what);

/* virDomainConsoleFlags */
#define DRIVER_CONSOLE_FORCE (1u << 0) /* take the console over from another session */
#define DRIVER_CONSOLE_SAFE (1u << 1)  /* only if concurrent sessions are refused safely */
