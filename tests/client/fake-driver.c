/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A tiny in-process driver for libclient's unit tests ("fake:///"): one domain
 * "fake1" (running, id 7), errors with known identities worded as drivers word
 * them, and NULL entries for the NO_SUPPORT path. Counts open connections so tests can check
 * refcounting.
 */

#include <string.h>

#include "fake-driver.h"
#include "util/error.h"

struct DriverConn {
    int unused;
};

static const uint8_t fake_uuid[VIRT_UUID_LEN] = { 0xfa, 0x4e, 1, 2,  3,  4,  5,  6,
                                                  7,    8,    9, 10, 11, 12, 13, 14 };
static gint fake_open_count;
static gint fake_active = 1;

int fake_driver_open_count(void)
{
    return g_atomic_int_get(&fake_open_count);
}

static bool fake_open(const VirtUri *uri, unsigned int flags, DriverEventFunc event_cb,
                      void *event_data, DriverConn **ret_conn, GError **error)
{
    if (g_strcmp0(uri->path, "/fail") == 0) {
        g_set_error(error, VIRT_TEST_ERROR, VIRT_ERR_OPEN_FAILED,
                    "failed to open configuration file '%s'", uri->path);
        return false;
    }
    g_atomic_int_inc(&fake_open_count);
    *ret_conn = g_new0(DriverConn, 1);
    return true;
}

static void fake_close(DriverConn *conn)
{
    g_atomic_int_add(&fake_open_count, -1);
    g_free(conn);
}

static char *fake_hostname(DriverConn *conn, GError **error)
{
    return g_strdup("fakehost");
}

static char *fake_capabilities(DriverConn *conn, GError **error)
{
    static bool empty;

    /* every other call: an error without a message gets the code's generic text */
    empty = !empty;
    if (empty) {
        g_set_error_literal(error, VIRT_TEST_ERROR, VIRT_ERR_OPERATION_FAILED, "");
        return NULL;
    }
    /* a foreign GError domain: must surface as INTERNAL_ERROR */
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "no capabilities here");
    return NULL;
}

static DomainRef *fake_ref(void)
{
    return domain_ref_new("fake1", fake_uuid, g_atomic_int_get(&fake_active) ? 7 : -1);
}

static DomainRef *fake_lookup_by_name(DriverConn *conn, const char *name, GError **error)
{
    if (strcmp(name, "fake1") != 0) {
        g_set_error(error, VIRT_TEST_ERROR, VIRT_ERR_NO_DOMAIN,
                    "Domain not found: no domain with matching name '%s'", name);
        return NULL;
    }
    return fake_ref();
}

static DomainRef *fake_lookup_by_uuid(DriverConn *conn, const uint8_t uuid[VIRT_UUID_LEN],
                                      GError **error)
{
    if (memcmp(uuid, fake_uuid, VIRT_UUID_LEN) != 0) {
        g_set_error(error, VIRT_TEST_ERROR, VIRT_ERR_NO_DOMAIN,
                    "Domain not found: no domain with matching uuid");
        return NULL;
    }
    return fake_ref();
}

static bool fake_list(DriverConn *conn, unsigned int flags, GPtrArray **ret_doms, GError **error)
{
    GPtrArray *doms = g_ptr_array_new();

    if (!(flags & 2) || (flags & 1))
        g_ptr_array_add(doms, fake_ref());
    *ret_doms = doms;
    return true;
}

static bool fake_destroy(DriverConn *conn, const DomainRef *dom, unsigned int flags, GError **error)
{
    if (!g_atomic_int_compare_and_exchange(&fake_active, 1, 0)) {
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_INVALID,
                    "Requested operation is not valid: domain '%s' is not running", dom->name);
        return false;
    }
    return true;
}

static DomainRef *fake_create(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                              GError **error)
{
    if (!g_atomic_int_compare_and_exchange(&fake_active, 0, 1)) {
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_INVALID,
                    "Requested operation is not valid: domain is already running");
        return NULL;
    }
    return fake_ref();
}

static bool fake_get_info(DriverConn *conn, const DomainRef *dom, DomainInfo *ret_info,
                          GError **error)
{
    ret_info->state = g_atomic_int_get(&fake_active) ? 1 : 5;
    ret_info->max_mem_kib = 1024;
    ret_info->memory_kib = 512;
    ret_info->nr_virt_cpu = 2;
    ret_info->cpu_time_ns = 0;
    return true;
}

const DriverOps fake_driver_ops = {
    .name = "fake",
    .hv_type = "FAKE",
    .connect_open = fake_open,
    .connect_close = fake_close,
    .connect_get_hostname = fake_hostname,
    .connect_get_capabilities = fake_capabilities,
    .connect_list_all_domains = fake_list,
    .domain_lookup_by_name = fake_lookup_by_name,
    .domain_lookup_by_uuid = fake_lookup_by_uuid,
    .domain_create = fake_create,
    .domain_destroy = fake_destroy,
    .domain_get_info = fake_get_info,
};
