/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Forwarded caller identity (see identity.h): collecting it for a proxy, the typed
 * parameters on the wire, the proxy token and the CONNECT_SET_IDENTITY handler.
 */

#define G_LOG_DOMAIN "virtkit-daemon"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/daemon-priv.h"
#include "daemon/dispatch.h"
#include "daemon/identity.h"
#include "util/error.h"
#include "util/file-util.h"

#define TOKEN_BYTES 32
#define TOKEN_HEX_LEN (TOKEN_BYTES * 2)

DaemonIdentity *daemon_identity_free(DaemonIdentity *identity)
{
    if (!identity)
        return NULL;
    g_free(identity->user_name);
    g_free(identity->group_name);
    g_free(identity->sasl_user_name);
    g_free(identity->x509_dname);
    g_free(identity->selinux_context);
    g_free(identity);
    return NULL;
}

/* Field 22 of /proc/PID/stat: after the ")" that ends the command name, field 3 on. */
static bool identity_process_time(pid_t pid, uint64_t *ret)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *data = NULL;
    g_auto(GStrv) fields = NULL;
    const char *p;

    if (!g_file_get_contents(path, &data, NULL, NULL) || !(p = strrchr(data, ')')))
        return false;
    fields = g_strsplit(p + 2, " ", 21);
    if (g_strv_length(fields) < 20)
        return false;
    return g_ascii_string_to_unsigned(fields[19], 10, 0, G_MAXUINT64, ret, NULL);
}

/* The process's SELinux context, when SELinux is on (other LSMs use the file too). */
static char *identity_selinux_context(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/attr/current", (int)pid);
    g_autofree char *data = NULL;

    if (!g_file_test("/sys/fs/selinux/enforce", G_FILE_TEST_EXISTS) ||
        !g_file_get_contents(path, &data, NULL, NULL))
        return NULL;
    g_strchomp(data);
    return *data ? g_steal_pointer(&data) : NULL;
}

/**
 * daemon_identity_from_peer - the identity of a connected peer
 * @cred: its SO_PEERCRED
 *
 * Names come from the user and group databases, the process start time and the
 * SELinux context from /proc (read from a worker: the peer's socket may already be
 * gone); each is left out when it cannot be found.
 */
DaemonIdentity *daemon_identity_from_peer(const struct ucred *cred)
{
    DaemonIdentity *id = g_new0(DaemonIdentity, 1);
    struct passwd *pw = getpwuid(cred->uid);
    struct group *gr = getgrgid(cred->gid);

    id->has_uid = id->has_gid = id->has_pid = true;
    id->uid = cred->uid;
    id->gid = cred->gid;
    id->pid = cred->pid;
    id->user_name = pw ? g_strdup(pw->pw_name) : NULL;
    id->group_name = gr ? g_strdup(gr->gr_name) : NULL;
    id->has_process_time = identity_process_time(cred->pid, &id->process_time);
    id->selinux_context = identity_selinux_context(cred->pid);
    return id;
}

static void param_add_string(GArray *params, const char *field, const char *value)
{
    remote_typed_param p = { 0 };

    if (!value)
        return;
    p.field = g_strdup(field);
    p.value.type = REMOTE_TYPED_PARAM_STRING;
    p.value.remote_typed_param_value_u.s = g_strdup(value);
    g_array_append_val(params, p);
}

static void param_add_number(GArray *params, const char *field, int type, uint64_t value)
{
    remote_typed_param p = { .field = g_strdup(field) };

    p.value.type = type;
    if (type == REMOTE_TYPED_PARAM_LLONG)
        p.value.remote_typed_param_value_u.l = (int64_t)value;
    else
        p.value.remote_typed_param_value_u.ul = value;
    g_array_append_val(params, p);
}

/**
 * daemon_identity_to_params - the typed parameters of CONNECT_SET_IDENTITY
 * @identity: the caller
 * @token: the proxy token, sent as DAEMON_IDENTITY_TOKEN_PARAM; may be NULL
 * @ret_val: array, release with daemon_identity_params_free()
 * @ret_len: its length
 */
void daemon_identity_to_params(const DaemonIdentity *identity, const char *token,
                               remote_typed_param **ret_val, u_int *ret_len)
{
    GArray *params = g_array_new(FALSE, TRUE, sizeof(remote_typed_param));

    param_add_string(params, "user-name", identity->user_name);
    if (identity->has_uid)
        param_add_number(params, "unix-user-id", REMOTE_TYPED_PARAM_ULLONG, identity->uid);
    param_add_string(params, "group-name", identity->group_name);
    if (identity->has_gid)
        param_add_number(params, "unix-group-id", REMOTE_TYPED_PARAM_ULLONG, identity->gid);
    if (identity->has_pid)
        param_add_number(params, "process-id", REMOTE_TYPED_PARAM_LLONG, (uint64_t)identity->pid);
    if (identity->has_process_time)
        param_add_number(params, "process-time", REMOTE_TYPED_PARAM_ULLONG, identity->process_time);
    param_add_string(params, "sasl-user-name", identity->sasl_user_name);
    param_add_string(params, "x509-distinguished-name", identity->x509_dname);
    param_add_string(params, "selinux-context", identity->selinux_context);
    param_add_string(params, DAEMON_IDENTITY_TOKEN_PARAM, token);
    *ret_len = params->len;
    *ret_val = (remote_typed_param *)g_array_free(params, FALSE);
}

void daemon_identity_params_free(remote_typed_param *params, u_int n)
{
    for (u_int i = 0; i < n; i++) {
        g_free(params[i].field);
        if (params[i].value.type == REMOTE_TYPED_PARAM_STRING)
            g_free(params[i].value.remote_typed_param_value_u.s);
    }
    g_free(params);
}

/* Where a known field goes, and the type it must have. */
static bool identity_take_param(DaemonIdentity *id, const remote_typed_param *p,
                                const char **ret_token, GError **error)
{
    const remote_typed_param_value *v = &p->value;
    const char *const strings[] = { "user-name",       "group-name",
                                    "sasl-user-name",  "x509-distinguished-name",
                                    "selinux-context", DAEMON_IDENTITY_TOKEN_PARAM };
    char **string_slots[] = { &id->user_name,  &id->group_name,      &id->sasl_user_name,
                              &id->x509_dname, &id->selinux_context, NULL };
    int want = REMOTE_TYPED_PARAM_ULLONG;

    for (guint i = 0; i < G_N_ELEMENTS(strings); i++) {
        if (strcmp(p->field, strings[i]) != 0)
            continue;
        if (v->type != REMOTE_TYPED_PARAM_STRING)
            break;
        if (string_slots[i])
            *string_slots[i] = g_strdup(v->remote_typed_param_value_u.s);
        else
            *ret_token = v->remote_typed_param_value_u.s;
        return true;
    }
    if (strcmp(p->field, "process-id") == 0)
        want = REMOTE_TYPED_PARAM_LLONG;
    if (v->type == want && strcmp(p->field, "unix-user-id") == 0) {
        id->has_uid = true;
        id->uid = v->remote_typed_param_value_u.ul;
    } else if (v->type == want && strcmp(p->field, "unix-group-id") == 0) {
        id->has_gid = true;
        id->gid = v->remote_typed_param_value_u.ul;
    } else if (v->type == want && strcmp(p->field, "process-id") == 0) {
        id->has_pid = true;
        id->pid = v->remote_typed_param_value_u.l;
    } else if (v->type == want && strcmp(p->field, "process-time") == 0) {
        id->has_process_time = true;
        id->process_time = v->remote_typed_param_value_u.ul;
    } else {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG,
                    "invalid argument: identity parameter '%s' unknown or of the wrong type",
                    p->field);
        return false;
    }
    return true;
}

/**
 * daemon_identity_from_params - parse CONNECT_SET_IDENTITY's typed parameters
 * @params: the parameters
 * @n: their count
 * @ret_token: the proxy token if one was sent (points into @params), else NULL
 * @error: an unknown field, a field of the wrong type, or one given twice
 */
DaemonIdentity *daemon_identity_from_params(const remote_typed_param *params, u_int n,
                                            const char **ret_token, GError **error)
{
    g_autoptr(DaemonIdentity) id = g_new0(DaemonIdentity, 1);

    *ret_token = NULL;
    for (u_int i = 0; i < n; i++) {
        for (u_int j = 0; j < i; j++) {
            if (strcmp(params[i].field, params[j].field) == 0) {
                g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG,
                            "invalid argument: identity parameter '%s' given twice",
                            params[i].field);
                return NULL;
            }
        }
        if (!identity_take_param(id, &params[i], ret_token, error))
            return NULL;
    }
    return g_steal_pointer(&id);
}

/* The token file, if it is ours: a regular file of our user, mode 0600. */
static char *identity_token_read(const char *path)
{
    g_autofree char *data = NULL;
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    ssize_t n;

    if (fd < 0)
        return NULL;
    data = g_malloc0(TOKEN_HEX_LEN + 2);
    n = read(fd, data, TOKEN_HEX_LEN + 1);
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 077) != 0 || n != TOKEN_HEX_LEN) {
        close(fd);
        return NULL;
    }
    close(fd);
    return g_steal_pointer(&data);
}

/**
 * daemon_identity_token_acquire - the proxy token of @run_dir, created if missing
 * @run_dir: the socket directory the proxy shares with the driver daemons
 * @error: the token cannot be created
 */
char *daemon_identity_token_acquire(const char *run_dir, GError **error)
{
    g_autofree char *path = g_build_filename(run_dir, DAEMON_IDENTITY_TOKEN_FILE, NULL);
    char *token = identity_token_read(path);
    uint8_t raw[TOKEN_BYTES];
    GString *hex;

    if (token)
        return token;
    if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_SYSTEM_ERROR,
                    "cannot get random bytes for the proxy token: %s", g_strerror(errno));
        return NULL;
    }
    hex = g_string_sized_new(TOKEN_HEX_LEN);
    for (guint i = 0; i < sizeof(raw); i++)
        g_string_append_printf(hex, "%02x", raw[i]);
    if (!virt_dir_ensure(run_dir, 0755, error) ||
        !virt_file_write_atomic(path, hex->str, hex->len, 0600, error)) {
        g_string_free(hex, TRUE);
        return NULL;
    }
    return g_string_free(hex, FALSE);
}

/**
 * daemon_identity_token_check - whether @token is the proxy token of @run_dir
 * @run_dir: the daemon's socket directory
 * @token: what the peer sent, or NULL
 */
bool daemon_identity_token_check(const char *run_dir, const char *token)
{
    g_autofree char *path = g_build_filename(run_dir, DAEMON_IDENTITY_TOKEN_FILE, NULL);
    g_autofree char *want = token ? identity_token_read(path) : NULL;
    unsigned int diff = 0;

    if (!want || strlen(token) != TOKEN_HEX_LEN)
        return false;
    for (guint i = 0; i < TOKEN_HEX_LEN; i++)
        diff |= (unsigned int)(want[i] ^ token[i]);
    return diff == 0;
}

bool dispatch_remote_connect_set_identity(DispatchCall *call,
                                          const remote_connect_set_identity_args *args,
                                          GError **error)
{
    Client *client = call->client;
    const char *token = NULL;
    g_autoptr(DaemonIdentity) id = NULL;
    bool peer_ok = client->cred.uid == 0 || client->cred.uid == call->daemon->uid;

    if (args->flags != 0) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG,
                    "invalid argument: unsupported flags (0x%x) in function "
                    "virConnectSetIdentity",
                    args->flags);
        return false;
    }
    id = daemon_identity_from_params(args->params.params_val, args->params.params_len, &token,
                                     error);
    if (!id)
        return false;
    if (!peer_ok || !daemon_identity_token_check(call->daemon->paths.run_dir, token)) {
        g_message("client %" G_GUINT64_FORMAT " (pid %d uid %u) may not forward an identity",
                  client->id, (int)client->cred.pid, (unsigned int)client->cred.uid);
        g_set_error(error, VIRT_ACCESS_ERROR, VIRT_ERR_ACCESS_DENIED,
                    "access denied: only a trusted proxy may forward a caller's identity");
        return false;
    }
    g_debug("client %" G_GUINT64_FORMAT " acts for uid %" G_GUINT64_FORMAT " pid %" G_GINT64_FORMAT,
            client->id, id->uid, id->pid);
    g_mutex_lock(&client->lock);
    daemon_identity_free(client->identity);
    client->identity = g_steal_pointer(&id);
    g_mutex_unlock(&client->lock);
    return true;
}
