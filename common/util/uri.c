/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Connection URIs on top of GUri. GUri does the RFC 3986 work (authority, IPv6
 * literals, ports, percent-decoding of user and path); this file adds what libvirt
 * layers on top: the driver+transport scheme split and the ordered query parameters
 * that the remote driver consumes.
 */

#include <string.h>

#include "util/error.h"
#include "util/uri.h"

/*
 * Parameters only the client acts on (which socket or command to use, how to check
 * hosts and certificates). libvirt's remote driver strips these before it sends the
 * URI to the daemon, so the daemon never sees client-side paths. Compared without case,
 * as libvirt does.
 */
static const char *const client_only_params[] = {
    "name",         "command",  "socket",  "auth",        "sshauth",
    "netcat",       "keyfile",  "pkipath", "known_hosts", "known_hosts_verify",
    "tls_priority", "mode",     "proxy",   "no_sanity",   "no_verify",
    "no_tty",       "authfile",
};

static VirtUriParam *uri_param_new(char *name, char *value)
{
    VirtUriParam *p = g_new0(VirtUriParam, 1);

    p->name = name;
    p->value = value;
    return p;
}

static void uri_param_free(gpointer data)
{
    VirtUriParam *p = data;

    g_free(p->name);
    g_free(p->value);
    g_free(p);
}

/**
 * virt_uri_free: free @uri and everything it owns. Accepts NULL; returns NULL.
 */
VirtUri *virt_uri_free(VirtUri *uri)
{
    if (!uri)
        return NULL;
    g_free(uri->scheme);
    g_free(uri->driver);
    g_free(uri->transport);
    g_free(uri->user);
    g_free(uri->host);
    g_free(uri->path);
    if (uri->params)
        g_ptr_array_unref(uri->params);
    g_free(uri);
    return NULL;
}

/* Split "a=b&c&d=%2F" into decoded pairs, in order. '&' and ';' both separate, as in
 * libvirt; a name without '=' gets the empty value; empty segments are skipped. */
static bool uri_parse_params(const char *str, const char *query, GPtrArray *params, GError **error)
{
    g_auto(GStrv) parts = g_strsplit_set(query, "&;", -1);

    for (size_t i = 0; parts[i]; i++) {
        char *eq;
        g_autofree char *name = NULL;
        g_autofree char *value = NULL;

        if (!*parts[i])
            continue;
        eq = strchr(parts[i], '=');
        if (eq)
            *eq = '\0';
        name = g_uri_unescape_string(parts[i], NULL);
        value = g_uri_unescape_string(eq ? eq + 1 : "", NULL);
        if (!name || !value) {
            g_set_error(error, VIRT_URI_ERROR, VIRT_ERR_INTERNAL_ERROR,
                        "cannot parse URI '%s': bad percent-encoding in parameter '%s'", str,
                        parts[i]);
            return false;
        }
        if (!*name) {
            g_set_error(error, VIRT_URI_ERROR, VIRT_ERR_INTERNAL_ERROR,
                        "cannot parse URI '%s': parameter with an empty name", str);
            return false;
        }
        g_ptr_array_add(params, uri_param_new(g_steal_pointer(&name), g_steal_pointer(&value)));
    }
    return true;
}

/* "qemu+ssh" -> driver "qemu", transport "ssh"; both parts must be non-empty. */
static bool uri_split_scheme(const char *str, VirtUri *uri, GError **error)
{
    const char *plus = strchr(uri->scheme, '+');

    if (!plus) {
        uri->driver = g_strdup(uri->scheme);
        return true;
    }
    if (plus == uri->scheme || plus[1] == '\0' || strchr(plus + 1, '+')) {
        g_set_error(error, VIRT_URI_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "cannot parse URI '%s': scheme '%s' is not driver or driver+transport", str,
                    uri->scheme);
        return false;
    }
    uri->driver = g_strndup(uri->scheme, (gsize)(plus - uri->scheme));
    uri->transport = g_strdup(plus + 1);
    return true;
}

/**
 * virt_uri_parse: parse driver[+transport]://[user@][host][:port]/path[?params].
 *
 * "test://" and "test:" parse (empty path); whether a driver accepts that is the
 * driver's business, as in libvirt. Refused: empty strings, strings without a scheme,
 * bad ports or IPv6 literals, bad percent-encoding and fragments. The scheme is
 * lower-cased; user and path are percent-decoded; the host of "[::1]" is "::1".
 */
VirtUri *virt_uri_parse(const char *str, GError **error)
{
    g_autoptr(GUri) guri = NULL;
    g_autoptr(VirtUri) uri = NULL;
    g_autoptr(GError) local = NULL;
    const char *host;
    const char *query;

    if (!str || !*str) {
        g_set_error(error, VIRT_URI_ERROR, VIRT_ERR_INVALID_ARG,
                    "cannot parse URI '': the URI is empty");
        return NULL;
    }
    if (!g_uri_peek_scheme(str)) {
        g_set_error(error, VIRT_URI_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "cannot parse URI '%s': it does not start with a scheme such as 'qemu:'", str);
        return NULL;
    }
    guri = g_uri_parse(str, G_URI_FLAGS_NON_DNS | G_URI_FLAGS_ENCODED_QUERY, &local);
    if (!guri) {
        g_set_error(error, VIRT_URI_ERROR, VIRT_ERR_INTERNAL_ERROR, "cannot parse URI '%s': %s",
                    str, local->message);
        return NULL;
    }
    if (g_uri_get_fragment(guri)) {
        g_set_error(error, VIRT_URI_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "cannot parse URI '%s': fragments ('#...') are not supported", str);
        return NULL;
    }

    uri = g_new0(VirtUri, 1);
    uri->params = g_ptr_array_new_with_free_func(uri_param_free);
    uri->scheme = g_strdup(g_uri_get_scheme(guri));
    if (!uri_split_scheme(str, uri, error))
        return NULL;
    uri->user = g_strdup(g_uri_get_user(guri));
    host = g_uri_get_host(guri);
    uri->host = host && *host ? g_strdup(host) : NULL;
    uri->port = g_uri_get_port(guri);
    uri->path = g_strdup(g_uri_get_path(guri));
    query = g_uri_get_query(guri);
    if (query && !uri_parse_params(str, query, uri->params, error))
        return NULL;
    return g_steal_pointer(&uri);
}

static bool param_is_client_only(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(client_only_params); i++) {
        if (g_ascii_strcasecmp(name, client_only_params[i]) == 0)
            return true;
    }
    return false;
}

/* '/', ':', '@' and ',' are left readable ("socket=/run/x"); '&', '=', '+', '#' and
 * the rest are escaped so that the result parses back to the same pairs. */
#define PARAM_ALLOWED_CHARS "/:@,"

static void uri_append_params(GString *out, const VirtUri *uri, bool for_server)
{
    bool first = true;

    for (guint i = 0; i < uri->params->len; i++) {
        const VirtUriParam *p = g_ptr_array_index(uri->params, i);
        g_autofree char *name = NULL;
        g_autofree char *value = NULL;

        if (for_server && param_is_client_only(p->name))
            continue;
        name = g_uri_escape_string(p->name, PARAM_ALLOWED_CHARS, FALSE);
        value = g_uri_escape_string(p->value, PARAM_ALLOWED_CHARS, FALSE);
        g_string_append_c(out, first ? '?' : '&');
        g_string_append_printf(out, "%s=%s", name, value);
        first = false;
    }
}

static void uri_append_path(GString *out, const VirtUri *uri)
{
    g_autofree char *path = NULL;

    if (!uri->path)
        return;
    path = g_uri_escape_string(uri->path, G_URI_RESERVED_CHARS_ALLOWED_IN_PATH, FALSE);
    g_string_append(out, path);
}

/**
 * virt_uri_format: the URI as a string, always with "//" after the scheme, the way
 * libvirt prints URIs ("test:///default"). Parsing the result gives back @uri.
 */
char *virt_uri_format(const VirtUri *uri)
{
    GString *out = g_string_new(uri->scheme);

    g_string_append(out, "://");
    if (uri->user) {
        g_autofree char *user =
            g_uri_escape_string(uri->user, G_URI_RESERVED_CHARS_ALLOWED_IN_USERINFO, FALSE);
        g_string_append_printf(out, "%s@", user);
    }
    if (uri->host && strchr(uri->host, ':')) {
        g_autofree char *host = g_uri_escape_string(uri->host, ":", FALSE);
        g_string_append_printf(out, "[%s]", host);
    } else if (uri->host) {
        g_string_append(out, uri->host);
    }
    if (uri->port >= 0)
        g_string_append_printf(out, ":%d", uri->port);
    uri_append_path(out, uri);
    uri_append_params(out, uri, false);
    return g_string_free(out, FALSE);
}

/**
 * virt_uri_format_for_server: the name a client sends in CONNECT_OPEN. As libvirt's
 * remote driver does: an explicit "name" parameter wins; otherwise the driver alone as
 * scheme (no transport), no user, host or port (they are meaningless on the server),
 * the path, and the parameters minus the client-only ones. The "remote" driver asks the
 * daemon to pick its default, which is spelt as the empty name.
 */
char *virt_uri_format_for_server(const VirtUri *uri)
{
    const char *name = virt_uri_get_param(uri, "name");
    GString *out;

    if (name)
        return g_strdup(name);
    if (g_ascii_strcasecmp(uri->driver, "remote") == 0)
        return g_strdup("");
    out = g_string_new(uri->driver);
    g_string_append(out, "://");
    uri_append_path(out, uri);
    uri_append_params(out, uri, true);
    return g_string_free(out, FALSE);
}

/**
 * virt_uri_get_param: the value of parameter @name (compared without case, as libvirt's
 * remote driver does), the last one if it is repeated; NULL when absent.
 */
const char *virt_uri_get_param(const VirtUri *uri, const char *name)
{
    const char *value = NULL;

    for (guint i = 0; i < uri->params->len; i++) {
        const VirtUriParam *p = g_ptr_array_index(uri->params, i);

        if (g_ascii_strcasecmp(p->name, name) == 0)
            value = p->value;
    }
    return value;
}
