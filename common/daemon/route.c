/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The core's side of routing (route.h): offering CONNECT_OPEN to the router on a
 * worker, and on the loop turning a routed client into a splice once the open's
 * reply is queued. A spliced connection is no longer a Client: the core only
 * counts it (for the idle exit) and closes it at shutdown.
 */

#define G_LOG_DOMAIN "virtkit-daemon"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/client.h"
#include "daemon/daemon-priv.h"
#include "daemon/dispatch.h"
#include "daemon/keepalive.h"
#include "daemon/route-priv.h"
#include "rpc/splice.h"
#include "rpc/wire-error.h"
#include "util/error.h"

#define CONNECT_RO 1u /* VIR_CONNECT_RO */

/**
 * daemon_route_connect_open - offer a CONNECT_OPEN to the daemon's router (worker)
 * @call: the call
 * @args: its arguments
 * @ret_local_name: serve here: the URI to open instead of the client's, or NULL
 * @ret_spliced: true when the client goes to another daemon
 * @error: the router's error, for the client
 */
bool daemon_route_connect_open(DispatchCall *call, const remote_connect_open_args *args,
                               char **ret_local_name, bool *ret_spliced, GError **error)
{
    Client *client = call->client;
    const DaemonRouter *router = call->daemon->info->router;
    DaemonRouteResult res = { .upstream_fd = -1, .handoff_fd = -1 };
    DaemonRouteRequest req = {
        .name = args->name ? *args->name : NULL,
        .flags = args->flags,
        .keepalive = client->keepalive, /* set on the loop before this call was read */
        .cred = client->cred,
        .paths = &call->daemon->paths,
    };
    g_autoptr(GBytes) packet = NULL;
    g_autofree char *token = NULL;

    *ret_local_name = NULL;
    *ret_spliced = false;
    if (!router)
        return true;
    g_mutex_lock(&client->lock);
    req.readonly = client->readonly || (args->flags & CONNECT_RO);
    g_mutex_unlock(&client->lock);
    if (req.readonly)
        req.flags |= CONNECT_RO;
    if (!router->open(&req, &res, error))
        return false;
    if (res.upstream_fd < 0 && res.handoff_fd < 0) {
        *ret_local_name = res.local_name;
        return true;
    }
    if (res.handoff_fd >= 0) {
        /* the driver daemon answers this very CONNECT_OPEN itself */
        packet = rpc_message_encode_call(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_OPEN,
                                         call->header->serial, args, error);
        token = packet ? daemon_identity_token_acquire(call->daemon->paths.run_dir, error) : NULL;
        if (!token) {
            close(res.handoff_fd);
            return false;
        }
    }
    g_mutex_lock(&client->lock);
    client->routed = true;
    client->handoff = res.handoff_fd >= 0;
    client->route_fd = client->handoff ? res.handoff_fd : res.upstream_fd;
    client->route_serial = call->header->serial;
    client->route_open_packet = g_steal_pointer(&packet);
    client->route_token = g_steal_pointer(&token);
    g_mutex_unlock(&client->lock);
    *ret_spliced = true;
    return true;
}

/* ---- handoff: the proxy's side ---- */

#define HANDOFF_MAGIC "VKHANDOF"
#define HANDOFF_VERSION 1u
#define HANDOFF_READONLY 1u
#define HANDOFF_KEEPALIVE 2u
#define HANDOFF_TOKEN_LEN 64u
#define HANDOFF_PACKET_MAX 65536u

typedef struct HandoffHeader {
    char magic[8];
    uint32_t version;
    uint32_t flags;
    char token[HANDOFF_TOKEN_LEN];
    uint32_t packet_len;
} HandoffHeader;

static bool route_send_handoff(int hfd, Client *client, GBytes *packet, const char *token,
                               GError **error)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control = { 0 };
    HandoffHeader h = { .version = HANDOFF_VERSION };
    gsize len = 0;
    const void *data = g_bytes_get_data(packet, &len);
    struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)data, len } };
    struct msghdr mh = { .msg_iov = iov,
                         .msg_iovlen = 2,
                         .msg_control = control.buf,
                         .msg_controllen = sizeof(control.buf) };
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

    memcpy(h.magic, HANDOFF_MAGIC, sizeof(h.magic));
    h.flags =
        (client->readonly ? HANDOFF_READONLY : 0) | (client->keepalive ? HANDOFF_KEEPALIVE : 0);
    memcpy(h.token, token, MIN(strlen(token), sizeof(h.token)));
    h.packet_len = (uint32_t)len;
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &client->fd, sizeof(int));
    if (sendmsg(hfd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)(sizeof(h) + len)) {
        g_set_error(error, VIRT_RPC_ERROR, VIRT_ERR_SYSTEM_ERROR,
                    "cannot hand the connection to its driver daemon: %s", g_strerror(errno));
        return false;
    }
    return true;
}

/**
 * daemon_route_handoff - hand a routed client to its driver daemon (loop thread)
 * @client: a client whose CONNECT_OPEN just finished
 * @reply: our reply to it
 *
 * Returns the reply to send: @reply when the client is not handed over, an error
 * reply when handing it over failed, NULL when it was handed over (the driver daemon
 * answers the open; the client has left this daemon).
 */
GBytes *daemon_route_handoff(Client *client, GBytes *reply)
{
    g_autoptr(GBytes) packet = NULL;
    g_autofree char *token = NULL;
    g_autoptr(GError) error = NULL;
    RpcHeader h = {
        REMOTE_PROGRAM, 1, REMOTE_PROC_CONNECT_OPEN, RPC_MESSAGE_CALL, 0, RPC_STATUS_OK
    };
    int hfd;
    bool sent;

    if (!client->routed || !client->handoff)
        return reply;
    g_mutex_lock(&client->lock);
    hfd = client->route_fd;
    h.serial = client->route_serial;
    packet = g_steal_pointer(&client->route_open_packet);
    token = g_steal_pointer(&client->route_token);
    client->route_fd = -1;
    client->routed = client->handoff = false;
    g_mutex_unlock(&client->lock);
    if (client->dead) {
        close(hfd);
        return reply;
    }
    /* bytes we read past the open would be lost to the daemon: keep such a client */
    sent = rpc_decoder_buffered(client->decoder) == 0 && client->out.length == 0 &&
           route_send_handoff(hfd, client, packet, token, &error);
    close(hfd);
    g_bytes_unref(reply);
    if (!sent) {
        g_autoptr(GError) local = NULL;

        if (!error)
            g_set_error(&error, VIRT_RPC_ERROR, VIRT_ERR_RPC,
                        "the client sent more than its open before it was answered");
        return rpc_message_encode_error(&h, error, &local);
    }
    g_debug("client %" G_GUINT64_FORMAT " handed to its driver daemon", client->id);
    client->io = sd_event_source_disable_unref(client->io);
    close(client->fd);
    client->fd = -1;
    client_disconnect(client, NULL);
    return NULL;
}

static void route_splice_free(gpointer splice)
{
    rpc_splice_free(splice);
}

static void route_on_splice_done(RpcSplice *splice, const GError *error, gpointer user_data)
{
    Daemon *daemon = user_data;

    if (error)
        g_message("spliced connection ended: %s", error->message);
    g_hash_table_remove(daemon->splices, splice);
    daemon_update_idle(daemon);
}

/* What the client sent beyond its CONNECT_OPEN (calls waiting for a free slot) goes
 * upstream; replies not written to it yet go first on its side. */
static bool route_queue_pending(Client *client, RpcSplice *splice, GError **error)
{
    for (GList *l = client->deferred.head; l; l = l->next) {
        RpcMessage *msg = l->data;
        g_autoptr(GBytes) packet =
            rpc_message_encode(&msg->header, msg->n_fds, g_bytes_get_data(msg->payload, NULL),
                               g_bytes_get_size(msg->payload), error);

        if (!packet || !rpc_splice_queue(splice, RPC_SPLICE_SIDE_B, g_bytes_get_data(packet, NULL),
                                         g_bytes_get_size(packet), error))
            return false;
    }
    for (GList *l = client->out.head; l; l = l->next) {
        gsize size = 0;
        const uint8_t *data = g_bytes_get_data(l->data, &size);
        size_t skip = l == client->out.head ? client->out_offset : 0;

        if (!rpc_splice_queue(splice, RPC_SPLICE_SIDE_A, data + skip, size - skip, error))
            return false;
    }
    return true;
}

/**
 * daemon_route_attach - splice a routed client to its upstream (loop thread)
 * @client: a client whose CONNECT_OPEN reply was just queued
 *
 * Does nothing for a client that was not routed. The client leaves the core's
 * tables as if it had disconnected, but its socket lives on in the splice.
 */
void daemon_route_attach(Client *client)
{
    Daemon *daemon = client->daemon;
    g_autoptr(GError) error = NULL;
    g_autoptr(RpcSplice) splice = NULL;
    int upstream;
    int fd;

    if (!client->routed)
        return;
    g_mutex_lock(&client->lock);
    upstream = client->route_fd;
    client->route_fd = -1;
    client->routed = false;
    g_mutex_unlock(&client->lock);
    if (client->dead) {
        close(upstream);
        return;
    }
    if (rpc_decoder_buffered(client->decoder) > 0) {
        close(upstream);
        client_disconnect(client, "it sent part of a packet before its open was answered");
        return;
    }
    (void)fcntl(upstream, F_SETFL, fcntl(upstream, F_GETFL) | O_NONBLOCK);
    /* the core lets go of the socket: the io source goes, the fd stays open */
    fd = client->fd;
    client->io = sd_event_source_disable_unref(client->io);
    splice = rpc_splice_new(daemon->event, fd, upstream, route_on_splice_done, daemon);
    if (!route_queue_pending(client, splice, &error) || !rpc_splice_start(splice, &error)) {
        g_message("cannot splice client %" G_GUINT64_FORMAT ": %s", client->id, error->message);
        client->fd = -1; /* closed with the splice */
        client_disconnect(client, NULL);
        return;
    }
    client->fd = -1;
    g_debug("client %" G_GUINT64_FORMAT " spliced to its driver daemon", client->id);
    if (!daemon->splices)
        daemon->splices =
            g_hash_table_new_full(g_direct_hash, g_direct_equal, route_splice_free, NULL);
    g_hash_table_add(daemon->splices, g_steal_pointer(&splice));
    client_disconnect(client, NULL);
}

/* A routed client that went away before its splice started (client_unref). */
void daemon_route_client_clear(Client *client)
{
    if (client->routed && client->route_fd >= 0)
        close(client->route_fd);
    client->routed = false;
    g_clear_pointer(&client->route_open_packet, g_bytes_unref);
    g_clear_pointer(&client->route_token, g_free);
    client->identity = daemon_identity_free(client->identity);
}

unsigned int daemon_route_count(Daemon *daemon)
{
    return daemon->splices ? g_hash_table_size(daemon->splices) : 0;
}

/* Shutdown: close every spliced connection. */
void daemon_route_close_all(Daemon *daemon)
{
    g_clear_pointer(&daemon->splices, g_hash_table_unref);
    daemon->handoff_source = sd_event_source_disable_unref(daemon->handoff_source);
    if (daemon->handoff_fd >= 0) {
        close(daemon->handoff_fd);
        (void)unlink(daemon->handoff_path);
        daemon->handoff_fd = -1;
    }
    g_clear_pointer(&daemon->handoff_path, g_free);
    g_clear_pointer(&daemon->handoff_pending, g_hash_table_unref);
}

/* ---- handoff: the driver daemon's side ---- */

/* A handed-over client past max_clients: its CONNECT_OPEN gets an error saying so (a
 * client that connected here would not have been accepted), then it is closed. */
static void route_refuse_client(Daemon *daemon, RpcMessage *msg, int fd, const struct ucred *cred)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) reply = NULL;

    g_warning("refusing client pid %d uid %u handed over by a proxy: max_clients %u reached",
              (int)cred->pid, (unsigned int)cred->uid, daemon->config.max_clients);
    g_set_error(&error, VIRT_RPC_ERROR, VIRT_ERR_OPERATION_FAILED,
                "%s refuses the connection: it serves its maximum of %u clients (max_clients)",
                daemon->info->name, daemon->config.max_clients);
    reply = rpc_message_encode_error(&msg->header, error, NULL);
    /* a fresh socket takes one small packet; if not, the close says enough */
    if (reply)
        (void)send(fd, g_bytes_get_data(reply, NULL), g_bytes_get_size(reply),
                   MSG_NOSIGNAL | MSG_DONTWAIT);
    rpc_message_free(msg);
    close(fd);
}

/* A handed-over client: its own credentials decide what it may do, as if it had
 * connected here, and it counts toward max_clients like one; then its CONNECT_OPEN is
 * dispatched like any packet. */
static void route_adopt_client(Daemon *daemon, const HandoffHeader *h, const uint8_t *packet,
                               int fd)
{
    g_autoptr(RpcDecoder) decoder = rpc_decoder_new();
    g_autoptr(GError) error = NULL;
    DaemonSocketKind kind = (h->flags & HANDOFF_READONLY) ? DAEMON_SOCKET_RO : DAEMON_SOCKET_RW;
    struct ucred cred = { 0 };
    socklen_t len = sizeof(cred);
    RpcMessage *msg;
    Client *client;

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
        !rpc_decoder_feed(decoder, packet, h->packet_len, &error) ||
        !(msg = rpc_decoder_pop(decoder))) {
        g_message("dropping a handed-over client: %s",
                  error ? error->message : "no credentials or no whole packet");
        close(fd);
        return;
    }
    if (client_server_full(daemon, kind)) {
        route_refuse_client(daemon, msg, fd, &cred);
        return;
    }
    (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    client = client_new(daemon, kind, fd, &cred);
    if (!client) {
        rpc_message_free(msg);
        return;
    }
    if (h->flags & HANDOFF_KEEPALIVE)
        keepalive_start(client);
    dispatch_packet(client, msg);
}

static void route_source_free(gpointer source)
{
    sd_event_source_disable_unref(source);
}

static int route_on_handoff_message(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
    Daemon *daemon = userdata;
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * 4)];
    } control;
    HandoffHeader h = { { 0 } };
    g_autofree uint8_t *packet = g_malloc(HANDOFF_PACKET_MAX);
    struct iovec iov[2] = { { &h, sizeof(h) }, { packet, HANDOFF_PACKET_MAX } };
    struct msghdr mh = { .msg_iov = iov,
                         .msg_iovlen = 2,
                         .msg_control = control.buf,
                         .msg_controllen = sizeof(control.buf) };
    ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    g_autofree char *token = NULL;
    int client_fd = -1;
    int n_fds = 0;

    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        size_t k = c->cmsg_type == SCM_RIGHTS ? (c->cmsg_len - CMSG_LEN(0)) / sizeof(int) : 0;

        for (size_t i = 0; i < k; i++, n_fds++) {
            int one;

            memcpy(&one, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            if (client_fd < 0)
                client_fd = one;
            else
                close(one);
        }
    }
    token = g_strndup(h.token, sizeof(h.token));
    if (n < (ssize_t)sizeof(h) || memcmp(h.magic, HANDOFF_MAGIC, sizeof(h.magic)) != 0 ||
        h.version != HANDOFF_VERSION || h.packet_len != (size_t)n - sizeof(h) || n_fds != 1 ||
        !daemon_identity_token_check(daemon->paths.run_dir, token)) {
        /* n == 0: the proxy's client left before it was handed over */
        if (n != 0)
            g_message("refusing a malformed or untrusted handoff");
        if (client_fd >= 0)
            close(client_fd);
    } else {
        route_adopt_client(daemon, &h, packet, client_fd);
    }
    /* one message per connection: the source (and with it the fd) goes */
    g_hash_table_remove(daemon->handoff_pending, s);
    return 0;
}

static int route_on_handoff_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
    Daemon *daemon = userdata;
    struct ucred cred = { 0 };
    socklen_t len = sizeof(cred);
    sd_event_source *msg_source = NULL;
    int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

    if (cfd < 0)
        return 0;
    /* only a proxy running as root or as us may hand clients over */
    if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
        (cred.uid != 0 && cred.uid != daemon->uid) ||
        sd_event_add_io(daemon->event, &msg_source, cfd, EPOLLIN, route_on_handoff_message,
                        daemon) < 0) {
        close(cfd);
        return 0;
    }
    (void)sd_event_source_set_io_fd_own(msg_source, true);
    g_hash_table_add(daemon->handoff_pending, msg_source);
    return 0;
}

/**
 * daemon_route_handoff_listen - driver daemons: take clients handed over by proxyd
 * @daemon: a daemon without a router, its loop running
 * @error: the socket cannot be created
 *
 * <run_dir>/<sock_prefix>-handoff-sock, seqpacket, mode 0600; removed at exit.
 */
bool daemon_route_handoff_listen(Daemon *daemon, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_autofree char *path = NULL;
    int fd;

    if (daemon->info->router)
        return true;
    path = g_strconcat(daemon->paths.run_dir, "/", daemon->info->sock_prefix,
                       DAEMON_HANDOFF_SOCK_SUFFIX, NULL);
    if (strlen(path) >= sizeof(addr.sun_path))
        return true; /* proxies then splice; nothing is lost */
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    (void)unlink(path);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || chmod(path, 0600) < 0 ||
        listen(fd, 64) < 0 ||
        sd_event_add_io(daemon->event, &daemon->handoff_source, fd, EPOLLIN,
                        route_on_handoff_accept, daemon) < 0) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR,
                    "cannot listen on the handoff socket '%s': %s", path, g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    daemon->handoff_fd = fd;
    daemon->handoff_path = g_steal_pointer(&path);
    daemon->handoff_pending =
        g_hash_table_new_full(g_direct_hash, g_direct_equal, route_source_free, NULL);
    return true;
}
