/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Connection URIs: driver[+transport]://[user@][host][:port]/path[?params].
 * Pure parsing and formatting; no environment look-ups here (LIBVIRT_DEFAULT_URI is
 * read by the caller).
 */

#include <glib.h>

typedef struct VirtUriParam {
    char *name;
    char *value;
} VirtUriParam;

typedef struct VirtUri {
    char *scheme;    /* as written: "qemu+ssh" */
    char *driver;    /* "qemu" */
    char *transport; /* "ssh", "unix", "tls", ...; NULL when absent */
    char *user;
    char *host;        /* NULL when absent */
    int port;          /* -1 when absent */
    char *path;        /* "/system", "/default", "/abs/file.xml"; "" when absent */
    GPtrArray *params; /* VirtUriParam*, in order */
} VirtUri;

/* lifecycle */
VirtUri *virt_uri_free(VirtUri *uri);

/* parse/format */
VirtUri *virt_uri_parse(const char *str, GError **error);
char *virt_uri_format(const VirtUri *uri);
/* The name a client sends in CONNECT_OPEN: no transport, no client-only parameters
 * (socket, mode, proxy, no_verify, no_tty, pkipath, keyfile, ...). */
char *virt_uri_format_for_server(const VirtUri *uri);

/* queries */
const char *virt_uri_get_param(const VirtUri *uri, const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VirtUri, virt_uri_free)
