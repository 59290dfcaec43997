/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The handshake with a driver daemon on behalf of a client, on a worker thread with
 * a blocking socket: AUTH_LIST, the keepalive feature if the client asked for it,
 * CONNECT_OPEN with the client's name and flags, then CONNECT_SET_IDENTITY with the
 * client's identity (libvirt's order: the identity needs an open connection).
 * Packets are read one at a time, exactly, so that nothing after the last reply is
 * consumed: from then on the splice carries the bytes.
 */

#define G_LOG_DOMAIN "virtkit-proxyd"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "proxyd.h"
#include "rpc/message.h"
#include "rpc/wire-error.h"
#include "util/error.h"

/* A driver daemon that does not answer its handshake within this is broken. */
#define UPSTREAM_IO_TIMEOUT_SEC 30
#define FEATURE_PROGRAM_KEEPALIVE 10

typedef struct Upstream {
    int fd;
    const char *path;
    uint32_t serial;
} Upstream;

static bool upstream_io(Upstream *up, bool writing, void *buf, size_t len, GError **error)
{
    uint8_t *p = buf;

    while (len > 0) {
        ssize_t n = writing ? send(up->fd, p, len, MSG_NOSIGNAL) : recv(up->fd, p, len, 0);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_SYSTEM_ERROR,
                        "driver daemon socket '%s': %s", up->path,
                        n == 0            ? "closed by the daemon"
                        : errno == EAGAIN ? "no answer"
                                          : g_strerror(errno));
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* One whole packet, decoded. */
static RpcMessage *upstream_recv(Upstream *up, GError **error)
{
    g_autoptr(RpcDecoder) decoder = rpc_decoder_new();
    g_autofree uint8_t *body = NULL;
    uint32_t word;
    uint32_t len;

    if (!upstream_io(up, false, &word, sizeof(word), error))
        return NULL;
    len = GUINT32_FROM_BE(word);
    if (len < RPC_MESSAGE_LEN_SIZE + RPC_MESSAGE_HEADER_SIZE ||
        len - RPC_MESSAGE_LEN_SIZE > RPC_MESSAGE_MAX) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_RPC, "driver daemon sent a packet of length %u",
                    len);
        return NULL;
    }
    body = g_malloc(len - RPC_MESSAGE_LEN_SIZE);
    if (!upstream_io(up, false, body, len - RPC_MESSAGE_LEN_SIZE, error) ||
        !rpc_decoder_feed(decoder, &word, sizeof(word), error) ||
        !rpc_decoder_feed(decoder, body, len - RPC_MESSAGE_LEN_SIZE, error))
        return NULL;
    return rpc_decoder_pop(decoder);
}

/* A remote CALL and its reply; other packets meanwhile (a keepalive PING) are dropped. */
static bool upstream_call(Upstream *up, int proc, const void *args, void *ret, GError **error)
{
    const RpcProcInfo *info = rpc_proc_lookup(REMOTE_PROGRAM, proc);
    uint32_t serial = ++up->serial;
    g_autoptr(GBytes) packet = rpc_message_encode_call(REMOTE_PROGRAM, proc, serial, args, error);
    gsize size = 0;

    if (!packet || !upstream_io(up, true, (void *)g_bytes_get_data(packet, &size),
                                g_bytes_get_size(packet), error))
        return false;
    for (;;) {
        g_autoptr(RpcMessage) msg = upstream_recv(up, error);
        const RpcHeader *h;

        if (!msg)
            return false;
        h = &msg->header;
        if (h->prog != REMOTE_PROGRAM || h->type != RPC_MESSAGE_REPLY || h->serial != serial)
            continue;
        if (h->status == RPC_STATUS_ERROR) {
            g_propagate_error(error, rpc_message_decode_error(msg));
            return false;
        }
        return rpc_payload_decode(&info->ret, msg->payload, ret ? ret : &(int){ 0 }, error);
    }
}

static int upstream_connect(const char *path, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct timeval tv = { .tv_sec = UPSTREAM_IO_TIMEOUT_SEC };
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_INTERNAL_ERROR, "socket path '%s' is too long",
                    path);
        return -ENAMETOOLONG;
    }
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int err = errno;

        if (fd >= 0)
            close(fd);
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_SYSTEM_ERROR,
                    "Failed to connect socket to '%s': %s", path, g_strerror(err));
        return -err;
    }
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    return fd;
}

static bool upstream_check_auth(Upstream *up, GError **error)
{
    remote_auth_list_ret auth = { { 0 } };
    const RpcProcInfo *info = rpc_proc_lookup(REMOTE_PROGRAM, REMOTE_PROC_AUTH_LIST);
    bool none = false;

    if (!upstream_call(up, REMOTE_PROC_AUTH_LIST, NULL, &auth, error))
        return false;
    for (u_int i = 0; i < auth.types.types_len; i++)
        none = none || auth.types.types_val[i] == REMOTE_AUTH_NONE;
    none = none || auth.types.types_len == 0;
    rpc_payload_clear(&info->ret, &auth);
    if (!none)
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_AUTH_FAILED,
                    "the driver daemon on '%s' asks for an authentication proxyd cannot do",
                    up->path);
    return none;
}

static bool upstream_handshake(Upstream *up, const char *name, unsigned int flags, bool keepalive,
                               const DaemonIdentity *identity, const char *token, GError **error)
{
    char *name_copy = (char *)name;
    remote_connect_open_args open_args = { .name = name ? &name_copy : NULL, .flags = flags };
    remote_connect_supports_feature_args feature = { FEATURE_PROGRAM_KEEPALIVE };
    remote_connect_supports_feature_ret supported = { 0 };
    remote_connect_set_identity_args ident = { { 0 } };
    bool ok;

    if (!upstream_check_auth(up, error))
        return false;
    /* the client asked us to ping it: from now on the driver daemon does */
    if (keepalive &&
        !upstream_call(up, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, &feature, &supported, error))
        return false;
    if (!upstream_call(up, REMOTE_PROC_CONNECT_OPEN, &open_args, NULL, error))
        return false;
    daemon_identity_to_params(identity, token, &ident.params.params_val, &ident.params.params_len);
    ok = upstream_call(up, REMOTE_PROC_CONNECT_SET_IDENTITY, &ident, NULL, error);
    daemon_identity_params_free(ident.params.params_val, ident.params.params_len);
    return ok;
}

/**
 * proxyd_upstream_open - connect to a driver daemon and open @name there for a client
 * @socket_path: the daemon's socket
 * @name: the URI, as the client sent it
 * @flags: CONNECT_OPEN flags
 * @keepalive: the client asked for keepalive
 * @identity: the client
 * @token: the proxy token that makes the daemon accept @identity
 * @error: -errno of a failed connect is returned as well, for the caller to tell a
 *         missing daemon from a failing one; otherwise the daemon's own error
 *
 * Returns the blocking, connected socket, ready to be spliced.
 */
int proxyd_upstream_open(const char *socket_path, const char *name, unsigned int flags,
                         bool keepalive, const DaemonIdentity *identity, const char *token,
                         GError **error)
{
    Upstream up = { .path = socket_path };

    up.fd = upstream_connect(socket_path, error);
    if (up.fd < 0)
        return up.fd;
    if (!upstream_handshake(&up, name, flags, keepalive, identity, token, error)) {
        close(up.fd);
        return -EPROTO;
    }
    return up.fd;
}
