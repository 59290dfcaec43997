/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Remote driver internals shared by remote-driver.c (connection, handshake, events)
 * and remote-driver-domain.c (the domain ops).
 */

#include "remote-driver.h"
#include "rpc/client.h"
#include "rpc/remote-protocol.h"

struct DriverConn {
    RpcClient *client;
    char *server_uri; /* from CONNECT_GET_URI when we opened with an empty name */
    char *uri;        /* the URI we were opened with, formatted */
    bool keepalive_supported;
    /* feature 14 (316/317/318) offered and 316 not refused; changed only by
     * registrations, which the API layer serializes */
    bool event_callbacks_supported;
    bool close_callbacks_supported; /* feature 15: 360/361 */

    GMutex lock; /* protects the fields below */
    char *hv_type;
    bool close_reported;
    int close_reason;
    bool close_callback_registered;
    RemoteEventSink event_sink;
    RemoteCloseSink close_sink;
    void *sink_data;
};

/* One call of the remote program; release @ret with remote_ret_clear(). */
bool remote_call(DriverConn *conn, int proc, const void *args, void *ret, GError **error);
bool remote_call_with_fds(DriverConn *conn, int proc, const void *args, const int *fds,
                          unsigned int n_fds, void *ret, GError **error);
void remote_ret_clear(int proc, void *ret);

void remote_dom_to_wire(const DomainRef *ref, remote_nonnull_domain *ret_wire);
DomainRef *remote_dom_from_wire(const remote_nonnull_domain *wire);

/* domain ops (remote-driver-domain.c) */
bool remote_connect_list_all_domains(DriverConn *conn, unsigned int flags, GPtrArray **ret_doms,
                                     GError **error);
DomainRef *remote_domain_lookup_by_name(DriverConn *conn, const char *name, GError **error);
DomainRef *remote_domain_lookup_by_uuid(DriverConn *conn, const uint8_t uuid[VIRT_UUID_LEN],
                                        GError **error);
DomainRef *remote_domain_lookup_by_id(DriverConn *conn, int id, GError **error);
DomainRef *remote_domain_define_xml(DriverConn *conn, const char *xml, unsigned int flags,
                                    GError **error);
bool remote_domain_undefine(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                            GError **error);
char *remote_domain_get_xml_desc(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                 GError **error);
bool remote_domain_get_autostart(DriverConn *conn, const DomainRef *dom, bool *ret, GError **error);
bool remote_domain_set_autostart(DriverConn *conn, const DomainRef *dom, bool autostart,
                                 GError **error);
char *remote_domain_get_metadata(DriverConn *conn, const DomainRef *dom, int type, const char *uri,
                                 unsigned int flags, GError **error);
bool remote_domain_set_metadata(DriverConn *conn, const DomainRef *dom, int type,
                                const char *metadata, const char *key, const char *uri,
                                unsigned int flags, GError **error);
DomainRef *remote_domain_create(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                GError **error);
DomainRef *remote_domain_create_xml(DriverConn *conn, const char *xml, unsigned int flags,
                                    GError **error);
DomainRef *remote_domain_create_with_files(DriverConn *conn, const DomainRef *dom, int *fds,
                                           unsigned int n_fds, unsigned int flags, GError **error);
DomainRef *remote_domain_create_xml_with_files(DriverConn *conn, const char *xml, int *fds,
                                               unsigned int n_fds, unsigned int flags,
                                               GError **error);
bool remote_domain_destroy(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                           GError **error);
bool remote_domain_shutdown(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                            GError **error);
bool remote_domain_reboot(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                          GError **error);
bool remote_domain_reset(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                         GError **error);
bool remote_domain_suspend(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                           GError **error);
bool remote_domain_resume(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                          GError **error);
bool remote_domain_get_info(DriverConn *conn, const DomainRef *dom, DomainInfo *ret_info,
                            GError **error);
bool remote_domain_get_state(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                             int *ret_state, int *ret_reason, GError **error);
bool remote_domain_is_active(DriverConn *conn, const DomainRef *dom, bool *ret, GError **error);
bool remote_domain_is_persistent(DriverConn *conn, const DomainRef *dom, bool *ret, GError **error);
bool remote_domain_is_updated(DriverConn *conn, const DomainRef *dom, bool *ret, GError **error);
bool remote_domain_has_managed_save_image(DriverConn *conn, const DomainRef *dom, bool *ret,
                                          GError **error);
char *remote_domain_get_os_type(DriverConn *conn, const DomainRef *dom, GError **error);
bool remote_domain_get_max_memory(DriverConn *conn, const DomainRef *dom, uint64_t *ret_kib,
                                  GError **error);
bool remote_node_get_security_model(DriverConn *conn, char **ret_model, char **ret_doi,
                                    GError **error);
bool remote_domain_get_security_label(DriverConn *conn, const DomainRef *dom, char **ret_label,
                                      bool *ret_enforcing, GError **error);

/* snapshot and managed-save ops (remote-driver-snapshot.c) */
bool remote_domain_managed_save(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                GError **error);
bool remote_domain_managed_save_remove(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                       GError **error);
bool remote_domain_save(DriverConn *conn, const DomainRef *dom, const char *to, const char *dxml,
                        unsigned int flags, GError **error);
bool remote_domain_restore(DriverConn *conn, const char *from, const char *dxml, unsigned int flags,
                           GError **error);
char *remote_domain_save_image_get_xml_desc(DriverConn *conn, const char *file, unsigned int flags,
                                            GError **error);
bool remote_domain_save_image_define_xml(DriverConn *conn, const char *file, const char *dxml,
                                         unsigned int flags, GError **error);
char *remote_domain_managed_save_get_xml_desc(DriverConn *conn, const DomainRef *dom,
                                              unsigned int flags, GError **error);
bool remote_domain_managed_save_define_xml(DriverConn *conn, const DomainRef *dom, const char *dxml,
                                           unsigned int flags, GError **error);
SnapshotRef *remote_domain_snapshot_create_xml(DriverConn *conn, const DomainRef *dom,
                                               const char *xml, unsigned int flags, GError **error);
bool remote_domain_list_all_snapshots(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                      GPtrArray **ret_snaps, GError **error);
int remote_domain_snapshot_num(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                               GError **error);
bool remote_domain_snapshot_list_names(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                       GPtrArray **ret_names, GError **error);
SnapshotRef *remote_domain_snapshot_lookup_by_name(DriverConn *conn, const DomainRef *dom,
                                                   const char *name, unsigned int flags,
                                                   GError **error);
bool remote_domain_has_current_snapshot(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                                        bool *ret, GError **error);
SnapshotRef *remote_domain_snapshot_current(DriverConn *conn, const DomainRef *dom,
                                            unsigned int flags, GError **error);
SnapshotRef *remote_domain_snapshot_get_parent(DriverConn *conn, const SnapshotRef *snap,
                                               unsigned int flags, GError **error);
char *remote_domain_snapshot_get_xml_desc(DriverConn *conn, const SnapshotRef *snap,
                                          unsigned int flags, GError **error);
bool remote_domain_snapshot_is_current(DriverConn *conn, const SnapshotRef *snap,
                                       unsigned int flags, bool *ret, GError **error);
bool remote_domain_snapshot_has_metadata(DriverConn *conn, const SnapshotRef *snap,
                                         unsigned int flags, bool *ret, GError **error);
bool remote_domain_snapshot_list_all_children(DriverConn *conn, const SnapshotRef *snap,
                                              unsigned int flags, GPtrArray **ret_snaps,
                                              GError **error);
int remote_domain_snapshot_num_children(DriverConn *conn, const SnapshotRef *snap,
                                        unsigned int flags, GError **error);
bool remote_domain_snapshot_list_children_names(DriverConn *conn, const SnapshotRef *snap,
                                                unsigned int flags, GPtrArray **ret_names,
                                                GError **error);
bool remote_domain_revert_to_snapshot(DriverConn *conn, const SnapshotRef *snap, unsigned int flags,
                                      GError **error);
bool remote_domain_snapshot_delete(DriverConn *conn, const SnapshotRef *snap, unsigned int flags,
                                   GError **error);
