/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * virtkit: the C client library. It keeps libvirt's API names, types, enum values
 * and semantics for what it implements, so a program written against libvirt's
 * <libvirt/libvirt.h> for those calls compiles against this header unchanged.
 *
 * All objects are reference counted and every call is thread-safe. Errors are
 * reported through a per-thread last error (virGetLastError()). Strings returned
 * as `char *` are the caller's and are released with free().
 */

#ifdef __cplusplus
extern "C" {
#endif

#define VIRTKIT_H_INSIDE

/* The libvirt API level these headers follow (major * 1,000,000 + minor * 1,000 +
 * micro); what virGetVersion() and virConnectGetLibVersion() report. */
#define LIBVIR_VERSION_NUMBER 9000000

#define LIBVIR_CHECK_VERSION(major, minor, micro) \
    ((major)*1000000 + (minor)*1000 + (micro) <= LIBVIR_VERSION_NUMBER)

typedef struct _virNetwork virNetwork; /* opaque; networks are not implemented yet */
typedef virNetwork *virNetworkPtr;

#include <virtkit/virtkit-host.h>
#include <virtkit/virtkit-domain.h>
#include <virtkit/virtkit-snapshot.h>
#include <virtkit/virtkit-error.h>
#include <virtkit/virtkit-event.h>
#include <virtkit/virtkit-stream.h>

#undef VIRTKIT_H_INSIDE

#ifdef __cplusplus
}
#endif
