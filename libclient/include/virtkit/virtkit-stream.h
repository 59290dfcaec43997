/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * virtkit public API: data streams and domain consoles, with libvirt's
 * libvirt-stream.h / libvirt-domain.h names, values and semantics for the subset
 * virtkit implements (consoles over remote connections; no sparse streams).
 */

#ifndef VIRTKIT_H_INSIDE
#error "include <virtkit/virtkit.h>, not this file"
#endif

#include <stddef.h>

typedef struct _virStream virStream;
typedef virStream *virStreamPtr;

typedef enum {
    VIR_STREAM_NONBLOCK = (1 << 0),
} virStreamFlags;

typedef enum {
    VIR_STREAM_EVENT_READABLE = (1 << 0),
    VIR_STREAM_EVENT_WRITABLE = (1 << 1),
    VIR_STREAM_EVENT_ERROR = (1 << 2),
    VIR_STREAM_EVENT_HANGUP = (1 << 3),
} virStreamEventType;

typedef void (*virStreamEventCallback)(virStreamPtr stream, int events, void *opaque);

virStreamPtr virStreamNew(virConnectPtr conn, unsigned int flags);
int virStreamRef(virStreamPtr st);
int virStreamSend(virStreamPtr st, const char *data, size_t nbytes);
int virStreamRecv(virStreamPtr st, char *data, size_t nbytes);
int virStreamEventAddCallback(virStreamPtr stream, int events, virStreamEventCallback cb,
                              void *opaque, virFreeCallback ff);
int virStreamEventUpdateCallback(virStreamPtr stream, int events);
int virStreamEventRemoveCallback(virStreamPtr stream);
int virStreamFinish(virStreamPtr st);
int virStreamAbort(virStreamPtr st);
int virStreamFree(virStreamPtr st);

typedef enum {
    VIR_DOMAIN_CONSOLE_FORCE = (1 << 0), /* take over another session of that console */
    VIR_DOMAIN_CONSOLE_SAFE = (1 << 1),  /* only if concurrent sessions are refused */
} virDomainConsoleFlags;

int virDomainOpenConsole(virDomainPtr dom, const char *dev_name, virStreamPtr st,
                         unsigned int flags);
