/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * DOMAIN_OPEN_CONSOLE (201): the driver opens the console, the stream code pumps it.
 *
 * One session per console, for every driver: a second client gets libvirt's
 * "Active console session exists for this domain" unless it passes FORCE, which ends
 * the first session (its client sees a STREAM ERROR) and takes the console over.
 * Sessions are keyed by domain UUID and what the driver opened: the character device
 * itself for a pty (so "serial0" and the default console are one session when they
 * are one device), the device name as given for anything else.
 */

#define G_LOG_DOMAIN "virtkit-daemon"

#include <sys/stat.h>
#include <unistd.h>

#include "daemon/daemon-priv.h"
#include "daemon/dispatch.h"
#include "daemon/stream.h"
#include "daemon/worker.h"
#include "util/error.h"

typedef struct ConsoleSession {
    char *key;
    char *dom_name;
    uint64_t client_id;
    uint32_t serial;
} ConsoleSession;

typedef struct ConsoleTakeover {
    uint64_t client_id;
    uint32_t serial;
    char *dom_name;
} ConsoleTakeover;

/* Any thread, under console_lock: key -> ConsoleSession (the current one). A session
 * belongs to its stream (or to the handler before the stream starts). */
static GMutex console_lock;
static GHashTable *console_sessions;

static ConsoleSession *console_session_free(ConsoleSession *session)
{
    g_free(session->key);
    g_free(session->dom_name);
    g_free(session);
    return NULL;
}

/* The session's stream ended (loop thread), or its open failed (worker). */
static void console_session_release(gpointer data)
{
    ConsoleSession *session = data;

    g_mutex_lock(&console_lock);
    if (console_sessions && g_hash_table_lookup(console_sessions, session->key) == session)
        g_hash_table_remove(console_sessions, session->key);
    g_mutex_unlock(&console_lock);
    console_session_free(session);
}

static void console_on_takeover(Daemon *daemon, gpointer data)
{
    ConsoleTakeover *t = data;
    g_autoptr(GError) error =
        g_error_new(VIRT_UTIL_ERROR, VIRT_ERR_OPERATION_ABORTED,
                    "operation aborted: the console of domain '%s' was taken over by a forced "
                    "session",
                    t->dom_name);

    stream_abort_by_id(daemon, t->client_id, t->serial, error);
    g_free(t->dom_name);
    g_free(t);
}

/* What identifies the console behind @fd. */
static char *console_session_key(const DomainRef *dom, const char *dev_name, int fd)
{
    char uuid[VIRT_UUID_STRING_LEN];
    struct stat st;

    virt_uuid_format(dom->uuid, uuid);
    if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode))
        return g_strdup_printf("%s/rdev:%ju", uuid, (uintmax_t)st.st_rdev);
    return g_strdup_printf("%s/name:%s", uuid, dev_name ? dev_name : "");
}

/* Claim the console @fd for @call, ending the current session when @force. */
static ConsoleSession *console_session_claim(DispatchCall *call, const DomainRef *dom,
                                             const char *dev_name, int fd, bool force,
                                             GError **error)
{
    ConsoleSession *session;
    ConsoleSession *old;

    session = g_new0(ConsoleSession, 1);
    session->key = console_session_key(dom, dev_name, fd);
    session->dom_name = g_strdup(dom->name);
    session->client_id = call->client->id;
    session->serial = call->header->serial;
    g_mutex_lock(&console_lock);
    if (!console_sessions)
        console_sessions = g_hash_table_new(g_str_hash, g_str_equal);
    old = g_hash_table_lookup(console_sessions, session->key);
    if (old && !force) {
        g_mutex_unlock(&console_lock);
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_OPERATION_FAILED,
                    "operation failed: Active console session exists for this domain");
        return console_session_free(session);
    }
    if (old) {
        ConsoleTakeover *t = g_new0(ConsoleTakeover, 1);

        /* under the lock, so this post follows the old stream's start post */
        t->client_id = old->client_id;
        t->serial = old->serial;
        t->dom_name = g_strdup(old->dom_name);
        worker_pool_post(call->daemon->workers, console_on_takeover, t);
    }
    g_hash_table_replace(console_sessions, session->key, session);
    g_mutex_unlock(&console_lock);
    return session;
}

/* Start the stream unless a forced session took the console meanwhile. */
static bool console_session_start(DispatchCall *call, ConsoleSession *session, int fd,
                                  GError **error)
{
    bool current;

    g_mutex_lock(&console_lock);
    current = g_hash_table_lookup(console_sessions, session->key) == session;
    if (current) /* under the lock: a later takeover's post comes after this start */
        stream_start(call, fd, console_session_release, session);
    g_mutex_unlock(&console_lock);
    if (current)
        return true;
    close(fd);
    g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_OPERATION_ABORTED,
                "operation aborted: the console of domain '%s' was taken over by a forced session",
                session->dom_name);
    console_session_free(session);
    return false;
}

bool dispatch_remote_domain_open_console(DispatchCall *call,
                                         const remote_domain_open_console_args *args,
                                         GError **error)
{
    const unsigned int known = DRIVER_CONSOLE_FORCE | DRIVER_CONSOLE_SAFE;
    const char *dev_name = args->dev_name ? *args->dev_name : NULL;
    ConsoleSession *session;
    DomainRef dom;
    int fd = -1;

    if (args->flags & ~known) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG,
                    "unsupported flags (0x%x) in function virDomainOpenConsole",
                    args->flags & ~known);
        return false;
    }
    if (!dispatch_require_op(call, call->ops->domain_open_console, error))
        return false;
    dispatch_domain_from_wire(&args->dom, &dom);
    if (!call->ops->domain_open_console(call->conn, &dom, dev_name, args->flags, &fd, error))
        return false;
    session =
        console_session_claim(call, &dom, dev_name, fd, args->flags & DRIVER_CONSOLE_FORCE, error);
    if (!session) {
        close(fd);
        return false;
    }
    return console_session_start(call, session, fd, error);
}
