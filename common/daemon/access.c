/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who may use which socket (DESIGN.md §7). Pure: polkit comes later. */

#include "daemon/daemon-priv.h"

/**
 * access_peer_trusted - whether a peer needs no further authentication
 * @kind: socket the peer connected to
 * @privileged: system mode
 * @daemon_uid: the daemon's own uid
 * @peer_uid: SO_PEERCRED uid of the peer
 *
 * Root is trusted everywhere. The read-only socket is open to everyone: it only allows
 * read-only procedures, like libvirt's without polkit. The rw and admin sockets trust
 * other users only in session mode when they are the daemon's own user.
 */
bool access_peer_trusted(DaemonSocketKind kind, bool privileged, uid_t daemon_uid, uid_t peer_uid)
{
    if (peer_uid == 0)
        return true;
    switch (kind) {
    case DAEMON_SOCKET_RO:
        return true;
    case DAEMON_SOCKET_RW:
    case DAEMON_SOCKET_ADMIN:
        return !privileged && peer_uid == daemon_uid;
    case _DAEMON_SOCKET_MAX:
    case _DAEMON_SOCKET_INVALID:
        break;
    }
    return false;
}
