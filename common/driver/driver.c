/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DomainRef: how callers name a domain across the ops table; may-wait marking. */

#include "driver/driver.h"

#include <string.h>

/**
 * domain_ref_new: a reference to the domain @name / @uuid with @id (-1 if inactive).
 */
DomainRef *domain_ref_new(const char *name, const uint8_t uuid[VIRT_UUID_LEN], int id)
{
    DomainRef *ref = g_new0(DomainRef, 1);

    ref->name = g_strdup(name);
    memcpy(ref->uuid, uuid, VIRT_UUID_LEN);
    ref->id = id;
    return ref;
}

/**
 * domain_ref_copy: a deep copy of @ref; NULL for NULL.
 */
DomainRef *domain_ref_copy(const DomainRef *ref)
{
    if (!ref)
        return NULL;
    return domain_ref_new(ref->name, ref->uuid, ref->id);
}

/**
 * domain_ref_free: free @ref. Accepts NULL; returns NULL.
 */
DomainRef *domain_ref_free(DomainRef *ref)
{
    if (!ref)
        return NULL;
    g_free(ref->name);
    g_free(ref);
    return NULL;
}

/**
 * snapshot_ref_new: a reference to the snapshot @name of the domain @dom (copied).
 */
SnapshotRef *snapshot_ref_new(const char *name, const DomainRef *dom)
{
    SnapshotRef *ref = g_new0(SnapshotRef, 1);

    ref->name = g_strdup(name);
    ref->dom = domain_ref_copy(dom);
    return ref;
}

/**
 * snapshot_ref_copy: a deep copy of @ref; NULL for NULL.
 */
SnapshotRef *snapshot_ref_copy(const SnapshotRef *ref)
{
    if (!ref)
        return NULL;
    return snapshot_ref_new(ref->name, ref->dom);
}

/**
 * snapshot_ref_free: free @ref. Accepts NULL; returns NULL.
 */
SnapshotRef *snapshot_ref_free(SnapshotRef *ref)
{
    if (!ref)
        return NULL;
    g_free(ref->name);
    domain_ref_free(ref->dom);
    g_free(ref);
    return NULL;
}

/* Per thread: a daemon's loop thread clears it around inline reads. */
static __thread bool no_wait;

/**
 * driver_may_wait: whether the calling thread may wait for something that can take
 * long (a lock held across I/O, a child process, a monitor reply).
 */
bool driver_may_wait(void)
{
    return !no_wait;
}

/**
 * driver_set_may_wait: mark the calling thread; the daemon clears it while an
 * inline read runs on its event loop (DriverOps.reads_never_block).
 */
void driver_set_may_wait(bool may_wait)
{
    no_wait = !may_wait;
}

G_DEFINE_QUARK(virtkit - driver - would - block, driver_would_block_error)

/**
 * driver_set_would_block: fail an op that would have to wait for @what where it may
 * not (driver_may_wait() is false). Always returns false.
 */
bool driver_set_would_block(GError **error, const char *what)
{
    g_set_error(error, DRIVER_WOULD_BLOCK_ERROR, 0, "would wait for %s", what);
    return false;
}
