/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * libclient internals shared by its source files and its unit tests: the object
 * structs behind virConnectPtr/virDomainPtr and the last-error plumbing.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include <virtkit/virtkit.h>

#include "driver/driver.h"
#include "util/error.h"

typedef struct ClientEvents ClientEvents;

#define CLIENT_CONNECT_MAGIC 0x7643316eu
#define CLIENT_DOMAIN_MAGIC 0x76443164u

/* Everything but refs is fixed at open time, so readers need no lock. */
struct _virConnect {
    uint32_t magic;
    gint refs;
    const DriverOps *ops;
    DriverConn *drv;
    char *uri;            /* the URI this connection was opened with, defaults applied */
    unsigned int flags;   /* virConnectFlags */
    ClientEvents *events; /* callbacks and their queue (connect-events.c) */
};

struct _virDomain {
    uint32_t magic;
    gint refs;
    virConnectPtr conn; /* holds a reference */
    char *name;
    uint8_t uuid[VIR_UUID_BUFLEN];
    gint id; /* cached like libvirt's; -1 when inactive; updated by create/destroy */
};

/* errors */
void client_error_reset(void);
void client_error_set(VirtErrorDomain domain, VirtErrorCode code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
void client_error_set_gerror(const GError *error);
/* The error came from a daemon, worded already: client_error_set_gerror() keeps it. */
void client_error_mark_verbatim(const GError *error);
/* INVALID_ARG as libvirt's API layer raises it: the message without code wording */
void client_error_invalid_arg(VirtErrorDomain domain, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
char *client_error_format_message(VirtErrorCode code, const char *detail);

/* objects */
bool client_connect_check(virConnectPtr conn, const char *api);
bool client_connect_check_writable(virConnectPtr conn, const char *api);
bool client_domain_check(virDomainPtr dom, const char *api);
virDomainPtr client_domain_new(virConnectPtr conn, const DomainRef *ref);
void client_domain_to_ref(virDomainPtr dom, DomainRef *ret_ref);
void client_error_no_support(const char *api);
bool client_copy_fixed(char *dst, size_t size, const char *src, const char *what);

/* drivers: tests may register extra in-process drivers (looked up by URI scheme,
 * after the built-in ones) */
void client_driver_register(const DriverOps *ops);
