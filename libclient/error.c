/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The per-thread last error of the public API. Every public entry point resets it
 * and, on failure, fills it exactly once from the GError the layers below raised,
 * keeping that GError's libvirt identity {domain, code}.
 *
 * A GError's message is the full message users see: drivers word it as libvirt
 * does ("Requested operation is not valid: domain is not running"), daemons send
 * it verbatim, and so it is kept verbatim here too, so that an in-process
 * connection and one through a daemon report exactly the same text. Only errors
 * libclient raises itself get libvirt's per-code wording added here.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client-priv.h"

typedef struct ErrorText {
    const char *generic; /* when there is no detail */
    const char *format;  /* one %s for the detail; NULL means "<generic>: %s" */
} ErrorText;

/* libvirt's wording per error number; the texts are part of the observable
 * behaviour scripts match on, so they follow libvirt exactly. */
static const ErrorText error_texts[_VIRT_ERR_MAX] = {
    [VIRT_ERR_INTERNAL_ERROR] = { "internal error", NULL },
    [VIRT_ERR_NO_MEMORY] = { "out of memory", NULL },
    [VIRT_ERR_NO_SUPPORT] = { "this function is not supported by the connection driver", NULL },
    [VIRT_ERR_UNKNOWN_HOST] = { "unknown host", "unknown host %s" },
    [VIRT_ERR_NO_CONNECT] = { "no connection driver available",
                              "no connection driver available for %s" },
    [VIRT_ERR_INVALID_CONN] = { "invalid connection pointer in",
                                "invalid connection pointer in %s" },
    [VIRT_ERR_INVALID_DOMAIN] = { "invalid domain pointer in", "invalid domain pointer in %s" },
    [VIRT_ERR_INVALID_ARG] = { "invalid argument", NULL },
    [VIRT_ERR_OPERATION_FAILED] = { "operation failed", NULL },
    [VIRT_ERR_GET_FAILED] = { "GET operation failed", NULL },
    [VIRT_ERR_POST_FAILED] = { "POST operation failed", NULL },
    [VIRT_ERR_HTTP_ERROR] = { "got unknown HTTP error code", "got unknown HTTP error code %s" },
    [VIRT_ERR_SEXPR_SERIAL] = { "failed to serialize S-Expr", NULL },
    [VIRT_ERR_NO_XEN] = { "could not use Xen hypervisor entry",
                          "could not use Xen hypervisor entry %s" },
    [VIRT_ERR_XEN_CALL] = { "failed Xen syscall", "failed Xen syscall %s" },
    [VIRT_ERR_OS_TYPE] = { "unknown OS type", "unknown OS type %s" },
    [VIRT_ERR_NO_KERNEL] = { "missing kernel information", NULL },
    [VIRT_ERR_NO_ROOT] = { "missing root device information",
                           "missing root device information in %s" },
    [VIRT_ERR_NO_SOURCE] = { "missing source information for device",
                             "missing source information for device %s" },
    [VIRT_ERR_NO_TARGET] = { "missing target information for device",
                             "missing target information for device %s" },
    [VIRT_ERR_NO_NAME] = { "missing name information", "missing name information in %s" },
    [VIRT_ERR_NO_OS] = { "missing operating system information",
                         "missing operating system information for %s" },
    [VIRT_ERR_NO_DEVICE] = { "missing devices information", "missing devices information for %s" },
    [VIRT_ERR_NO_XENSTORE] = { "could not connect to Xen Store",
                               "could not connect to Xen Store %s" },
    [VIRT_ERR_DRIVER_FULL] = { "too many drivers registered", "too many drivers registered in %s" },
    [VIRT_ERR_CALL_FAILED] = { "library call failed", NULL },
    [VIRT_ERR_XML_ERROR] = { "XML description is invalid or not well formed", "XML error: %s" },
    [VIRT_ERR_DOM_EXIST] = { "this domain exists already", "domain %s exists already" },
    [VIRT_ERR_OPERATION_DENIED] = { "operation forbidden for read only access",
                                    "operation forbidden: %s" },
    [VIRT_ERR_OPEN_FAILED] = { "failed to open configuration file",
                               "failed to open configuration file %s" },
    [VIRT_ERR_READ_FAILED] = { "failed to read configuration file",
                               "failed to read configuration file %s" },
    [VIRT_ERR_PARSE_FAILED] = { "failed to parse configuration file",
                                "failed to parse configuration file %s" },
    [VIRT_ERR_CONF_SYNTAX] = { "configuration file syntax error", NULL },
    [VIRT_ERR_WRITE_FAILED] = { "failed to write configuration file", NULL },
    [VIRT_ERR_XML_DETAIL] = { "parser error", "%s" },
    [VIRT_ERR_INVALID_NETWORK] = { "invalid network pointer in", "invalid network pointer in %s" },
    [VIRT_ERR_NETWORK_EXIST] = { "this network exists already", "network %s exists already" },
    [VIRT_ERR_SYSTEM_ERROR] = { "system call error", "%s" },
    [VIRT_ERR_RPC] = { "RPC error", "%s" },
    [VIRT_ERR_GNUTLS_ERROR] = { "GNUTLS call error", "%s" },
    [41] = { "Failed to find the network", NULL },
    [VIRT_ERR_NO_DOMAIN] = { "Domain not found", NULL },
    [VIRT_ERR_NO_NETWORK] = { "Network not found", NULL },
    [VIRT_ERR_INVALID_MAC] = { "invalid MAC address", NULL },
    [VIRT_ERR_AUTH_FAILED] = { "authentication failed", NULL },
    [VIRT_ERR_INVALID_STORAGE_POOL] = { "invalid storage pool pointer in",
                                        "invalid storage pool pointer in %s" },
    [VIRT_ERR_INVALID_STORAGE_VOL] = { "invalid storage volume pointer in",
                                       "invalid storage volume pointer in %s" },
    [48] = { "Failed to find a storage driver", NULL },
    [VIRT_ERR_NO_STORAGE_POOL] = { "Storage pool not found", NULL },
    [VIRT_ERR_NO_STORAGE_VOL] = { "Storage volume not found", NULL },
    [51] = { "Failed to find a node driver", NULL },
    [VIRT_ERR_INVALID_NODE_DEVICE] = { "invalid node device pointer",
                                       "invalid node device pointer in %s" },
    [VIRT_ERR_NO_NODE_DEVICE] = { "Node device not found", NULL },
    [VIRT_ERR_NO_SECURITY_MODEL] = { "Security model not found", NULL },
    [VIRT_ERR_OPERATION_INVALID] = { "Requested operation is not valid", NULL },
    [56] = { "Failed to find the interface", NULL },
    [VIRT_ERR_NO_INTERFACE] = { "Interface not found", NULL },
    [VIRT_ERR_INVALID_INTERFACE] = { "invalid interface pointer in",
                                     "invalid interface pointer in %s" },
    [VIRT_ERR_MULTIPLE_INTERFACES] = { "multiple matching interfaces found", NULL },
    [60] = { "Failed to start the nwfilter driver", NULL },
    [VIRT_ERR_INVALID_NWFILTER] = { "Invalid network filter", NULL },
    [VIRT_ERR_NO_NWFILTER] = { "Network filter not found", NULL },
    [VIRT_ERR_BUILD_FIREWALL] = { "Error while building firewall", NULL },
    [64] = { "Failed to find a secret storage driver", NULL },
    [VIRT_ERR_INVALID_SECRET] = { "Invalid secret", NULL },
    [VIRT_ERR_NO_SECRET] = { "Secret not found", NULL },
    [VIRT_ERR_CONFIG_UNSUPPORTED] = { "unsupported configuration", NULL },
    [VIRT_ERR_OPERATION_TIMEOUT] = { "Timed out during operation", NULL },
    [VIRT_ERR_MIGRATE_PERSIST_FAILED] = { "Failed to make domain persistent after migration",
                                          NULL },
    [VIRT_ERR_HOOK_SCRIPT_FAILED] = { "Hook script execution failed", NULL },
    [VIRT_ERR_INVALID_DOMAIN_SNAPSHOT] = { "Invalid domain snapshot", NULL },
    [VIRT_ERR_NO_DOMAIN_SNAPSHOT] = { "Domain snapshot not found", NULL },
    [VIRT_ERR_INVALID_STREAM] = { "invalid stream pointer", "invalid stream pointer in %s" },
    [VIRT_ERR_ARGUMENT_UNSUPPORTED] = { "argument unsupported", NULL },
    [VIRT_ERR_STORAGE_PROBE_FAILED] = { "Storage pool probe failed", NULL },
    [VIRT_ERR_STORAGE_POOL_BUILT] = { "Storage pool already built", NULL },
    [VIRT_ERR_SNAPSHOT_REVERT_RISKY] = { "revert requires force", NULL },
    [VIRT_ERR_OPERATION_ABORTED] = { "operation aborted", NULL },
    [VIRT_ERR_AUTH_CANCELLED] = { "authentication cancelled", NULL },
    [VIRT_ERR_NO_DOMAIN_METADATA] = { "metadata not found", NULL },
    [VIRT_ERR_MIGRATE_UNSAFE] = { "Unsafe migration", NULL },
    [VIRT_ERR_OVERFLOW] = { "numerical overflow", NULL },
    [VIRT_ERR_BLOCK_COPY_ACTIVE] = { "block copy still active", NULL },
    [VIRT_ERR_OPERATION_UNSUPPORTED] = { "Operation not supported", NULL },
    [VIRT_ERR_SSH] = { "SSH transport error", NULL },
    [VIRT_ERR_AGENT_UNRESPONSIVE] = { "Guest agent is not responding", NULL },
    [VIRT_ERR_RESOURCE_BUSY] = { "resource busy", NULL },
    [VIRT_ERR_ACCESS_DENIED] = { "access denied", NULL },
    [VIRT_ERR_DBUS_SERVICE] = { "error from service", NULL },
    [VIRT_ERR_STORAGE_VOL_EXIST] = { "this storage volume exists already",
                                     "storage volume %s exists already" },
    [VIRT_ERR_CPU_INCOMPATIBLE] = { "the CPU is incompatible with host CPU", NULL },
    [VIRT_ERR_XML_INVALID_SCHEMA] = { "XML document failed to validate against schema", NULL },
    [VIRT_ERR_MIGRATE_FINISH_OK] = { "migration successfully aborted", NULL },
    [VIRT_ERR_AUTH_UNAVAILABLE] = { "authentication unavailable", NULL },
    [VIRT_ERR_NO_SERVER] = { "Server not found", NULL },
    [VIRT_ERR_NO_CLIENT] = { "Client not found", NULL },
    [VIRT_ERR_AGENT_UNSYNCED] = { "guest agent replied with wrong id to guest-sync command", NULL },
    [VIRT_ERR_LIBSSH] = { "libssh transport error", NULL },
    [VIRT_ERR_DEVICE_MISSING] = { "device not found", NULL },
    [VIRT_ERR_INVALID_NWFILTER_BINDING] = { "Invalid network filter binding", NULL },
    [VIRT_ERR_NO_NWFILTER_BINDING] = { "Network filter binding not found", NULL },
    [VIRT_ERR_INVALID_DOMAIN_CHECKPOINT] = { "Invalid domain checkpoint", NULL },
    [VIRT_ERR_NO_DOMAIN_CHECKPOINT] = { "Domain checkpoint not found", NULL },
    [VIRT_ERR_NO_DOMAIN_BACKUP] = { "Domain backup job id not found", NULL },
    [VIRT_ERR_INVALID_NETWORK_PORT] = { "Invalid network port pointer", NULL },
    [VIRT_ERR_NETWORK_PORT_EXIST] = { "this network port exists already",
                                      "network port %s exists already" },
    [VIRT_ERR_NO_NETWORK_PORT] = { "network port not found", NULL },
    [VIRT_ERR_NO_HOSTNAME] = { "no hostname found", NULL },
    [VIRT_ERR_CHECKPOINT_INCONSISTENT] = { "checkpoint inconsistent", NULL },
    [VIRT_ERR_MULTIPLE_DOMAINS] = { "multiple matching domains found", NULL },
};

static void last_error_destroy(gpointer data)
{
    virFreeError(data);
}

static GPrivate last_error_key = G_PRIVATE_INIT(last_error_destroy);
/* The GError this thread last received from a daemon (never dereferenced unless
 * it is the one being reported): such errors are recorded exactly as sent. */
static GPrivate wire_error_key;
static virErrorFunc error_handler;
static void *error_handler_data;
static GMutex error_handler_lock;

/* The thread's error record; allocated on first use, freed at thread exit. */
static virErrorPtr last_error_object(void)
{
    virErrorPtr err = g_private_get(&last_error_key);

    if (!err) {
        err = calloc(1, sizeof(*err));
        if (!err)
            g_error("out of memory");
        g_private_set(&last_error_key, err);
    }
    return err;
}

/* Does `message` already carry the wording of `fmt` around its detail? */
static bool message_has_wording(const char *message, const char *fmt)
{
    const char *pct = strstr(fmt, "%s");
    size_t head = pct - fmt;
    size_t tail = strlen(pct + 2);
    size_t len = strlen(message);

    if (head == 0 && tail == 0)
        return true;
    return len >= head + tail && strncmp(message, fmt, head) == 0 &&
           strcmp(message + len - tail, pct + 2) == 0;
}

/**
 * client_error_format_message: libvirt's full message for an error number and a
 * detail (NULL or "" for none), e.g. "Domain not found: no domain named 'x'".
 */
char *client_error_format_message(VirtErrorCode code, const char *detail)
{
    const ErrorText *text = NULL;
    g_autofree char *fmt = NULL;
    char *pct;

    if (code > 0 && code < _VIRT_ERR_MAX && error_texts[code].generic)
        text = &error_texts[code];
    if (!text)
        return g_strdup(detail && *detail ? detail : "unknown error");
    if (!detail || !*detail)
        return g_strdup(text->generic);
    fmt = text->format ? g_strdup(text->format) : g_strconcat(text->generic, ": %s", NULL);
    if (message_has_wording(detail, fmt))
        return g_strdup(detail);
    /* substitute by hand: the table is data, not a printf format we trust */
    pct = strstr(fmt, "%s");
    *pct = '\0';
    return g_strconcat(fmt, detail, pct + 2, NULL);
}

static void error_dispatch(virErrorPtr err)
{
    virErrorFunc handler;
    void *data;

    g_mutex_lock(&error_handler_lock);
    handler = error_handler;
    data = error_handler_data;
    g_mutex_unlock(&error_handler_lock);
    if (handler)
        handler(data, err);
}

/* str1 as libvirt fills it: the wording with its %s when there is a detail */
static char *error_str1(VirtErrorCode code, const char *detail)
{
    const ErrorText *text;

    if (code <= 0 || code >= _VIRT_ERR_MAX || !error_texts[code].generic)
        return NULL;
    text = &error_texts[code];
    if (!detail || !*detail)
        return g_strdup(text->generic);
    return text->format ? g_strdup(text->format) : g_strconcat(text->generic, ": %s", NULL);
}

typedef enum Wording {
    WORDING_ADD,  /* libclient's own errors: add libvirt's per-code wording */
    WORDING_KEEP, /* a driver's message, already worded: keep it; str1 is the format */
    WORDING_NONE, /* argument checks: the message alone, no str1 (as libvirt's) */
} Wording;

static void error_record(VirtErrorDomain domain, VirtErrorCode code, const char *detail,
                         Wording wording)
{
    virErrorPtr err = last_error_object();

    virResetError(err);
    err->code = code;
    err->domain = domain;
    err->level = VIR_ERR_ERROR;
    err->message =
        wording == WORDING_ADD ? client_error_format_message(code, detail) : g_strdup(detail);
    err->str1 = wording == WORDING_NONE ? NULL : error_str1(code, detail);
    err->str2 = g_strdup(detail);
    err->int1 = -1;
    err->int2 = -1;
    error_dispatch(err);
}

/* A daemon's error: message as sent, str1 as libvirtd fills it. */
static void error_record_verbatim(VirtErrorDomain domain, VirtErrorCode code, const char *message)
{
    virErrorPtr err = last_error_object();

    virResetError(err);
    err->code = code;
    err->domain = domain;
    err->level = VIR_ERR_ERROR;
    err->message = g_strdup(message);
    err->str1 = g_strdup(message);
    err->int1 = -1;
    err->int2 = -1;
    error_dispatch(err);
}

/**
 * client_error_reset: forget the thread's last error (start of every public call).
 */
void client_error_reset(void)
{
    virErrorPtr err = g_private_get(&last_error_key);

    g_private_set(&wire_error_key, NULL);
    if (err)
        virResetError(err);
}

/**
 * client_error_set: record an error raised by libclient itself; fmt is the detail.
 */
void client_error_set(VirtErrorDomain domain, VirtErrorCode code, const char *fmt, ...)
{
    g_autofree char *detail = NULL;
    va_list ap;

    va_start(ap, fmt);
    detail = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_record(domain, code, detail, WORDING_ADD);
}

/**
 * client_error_invalid_arg: record INVALID_ARG with the message as given, as
 * libvirt's argument checks do ("uri in virDomainGetMetadata must not be NULL").
 */
void client_error_invalid_arg(VirtErrorDomain domain, const char *fmt, ...)
{
    g_autofree char *message = NULL;
    va_list ap;

    va_start(ap, fmt);
    message = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_record(domain, VIRT_ERR_INVALID_ARG, message, WORDING_NONE);
}

/**
 * client_error_set_gerror: record the error a driver (or any lower layer) raised,
 * with its libvirt identity.
 */
void client_error_set_gerror(const GError *error)
{
    VirtErrorDomain domain;
    VirtErrorCode code;

    if (!error) {
        error_record(VIRT_FROM_NONE, VIRT_ERR_INTERNAL_ERROR, "driver failed without a message",
                     WORDING_ADD);
        return;
    }
    virt_error_identity(error, &domain, &code);
    if (error == g_private_get(&wire_error_key)) {
        /* from a daemon: str1 repeats the message, as libvirtd fills it */
        g_private_set(&wire_error_key, NULL);
        error_record_verbatim(domain, code, error->message);
        return;
    }
    if (!error->message || !*error->message) {
        error_record(domain, code, NULL, WORDING_ADD); /* the code's generic text */
        return;
    }
    error_record(domain, code, error->message, WORDING_KEEP);
}

/**
 * client_error_mark_verbatim: @error came over the wire with libvirt's wording
 * already in its message; when it is reported, keep {domain, code, message} as
 * they are. (Every GError is now kept verbatim; this stays for the remote driver.)
 */
void client_error_mark_verbatim(const GError *error)
{
    g_private_set(&wire_error_key, (gpointer)error);
}

/**
 * virGetLastError: the calling thread's last error.
 *
 * Returns a pointer owned by the library (valid until the thread's next API call)
 * or NULL when the last call succeeded.
 */
virErrorPtr virGetLastError(void)
{
    virErrorPtr err = g_private_get(&last_error_key);

    if (!err || err->code == VIR_ERR_OK)
        return NULL;
    return err;
}

/**
 * virGetLastErrorMessage: the last error's message, or "no error".
 */
const char *virGetLastErrorMessage(void)
{
    virErrorPtr err = virGetLastError();

    if (!err)
        return "no error";
    if (!err->message)
        return "unknown error";
    return err->message;
}

/**
 * virGetLastErrorCode: the last error's virErrorNumber, VIR_ERR_OK (0) if none.
 */
int virGetLastErrorCode(void)
{
    virErrorPtr err = virGetLastError();

    return err ? err->code : VIR_ERR_OK;
}

/**
 * virGetLastErrorDomain: the last error's virErrorDomain, VIR_FROM_NONE if none.
 */
int virGetLastErrorDomain(void)
{
    virErrorPtr err = virGetLastError();

    return err ? err->domain : VIR_FROM_NONE;
}

/**
 * virResetLastError: forget the calling thread's last error.
 */
void virResetLastError(void)
{
    client_error_reset();
}

/**
 * virResetError: release the strings of an error record and zero it.
 */
void virResetError(virErrorPtr err)
{
    if (!err)
        return;
    free(err->message);
    free(err->str1);
    free(err->str2);
    free(err->str3);
    memset(err, 0, sizeof(*err));
}

/**
 * virFreeError: reset and free an error returned by virSaveLastError().
 */
void virFreeError(virErrorPtr err)
{
    virResetError(err);
    free(err);
}

static void error_copy(const virError *from, virErrorPtr to)
{
    virResetError(to);
    to->code = from->code;
    to->domain = from->domain;
    to->level = from->level;
    to->message = g_strdup(from->message);
    to->str1 = g_strdup(from->str1);
    to->str2 = g_strdup(from->str2);
    to->str3 = g_strdup(from->str3);
    to->int1 = from->int1;
    to->int2 = from->int2;
}

/**
 * virCopyLastError: copy the last error into `to` (reset first; free its strings
 * later with virResetError()).
 *
 * Returns the error code, 0 when there is no error, -1 if `to` is NULL.
 */
int virCopyLastError(virErrorPtr to)
{
    virErrorPtr err = virGetLastError();

    if (!to)
        return -1;
    if (!err) {
        virResetError(to);
        return 0;
    }
    error_copy(err, to);
    return to->code;
}

/**
 * virSaveLastError: a copy of the last error the caller frees with virFreeError(),
 * or NULL when there is no error.
 */
virErrorPtr virSaveLastError(void)
{
    virErrorPtr err = virGetLastError();
    virErrorPtr copy;

    if (!err)
        return NULL;
    copy = calloc(1, sizeof(*copy));
    if (!copy)
        return NULL;
    error_copy(err, copy);
    return copy;
}

/**
 * virSetErrorFunc: a process-wide function called with every error as it is
 * raised (NULL to remove it). Unlike libvirt, virtkit never prints errors to stderr
 * when no handler is set.
 */
void virSetErrorFunc(void *userData, virErrorFunc handler)
{
    g_mutex_lock(&error_handler_lock);
    error_handler = handler;
    error_handler_data = userData;
    g_mutex_unlock(&error_handler_lock);
}
