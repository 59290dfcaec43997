/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * TEMPORARY: DomainRef helpers until common/driver/driver.c lands with the test
 * driver; compiled only while that file does not exist (see meson.build).
 */

#include <string.h>

#include "driver/driver.h"

DomainRef *domain_ref_new(const char *name, const uint8_t uuid[VIRT_UUID_LEN], int id)
{
    DomainRef *ref = g_new0(DomainRef, 1);

    ref->name = g_strdup(name);
    memcpy(ref->uuid, uuid, VIRT_UUID_LEN);
    ref->id = id;
    return ref;
}

DomainRef *domain_ref_copy(const DomainRef *ref)
{
    return domain_ref_new(ref->name, ref->uuid, ref->id);
}

DomainRef *domain_ref_free(DomainRef *ref)
{
    if (!ref)
        return NULL;
    g_free(ref->name);
    g_free(ref);
    return NULL;
}
