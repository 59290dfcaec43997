/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* In-memory fake driver for the daemon tests. */

#include <string.h>
#include <unistd.h>

#include "driver/test-driver.h"
#include "fake-driver.h"
#include "util/error.h"

static bool test_driver_daemon_init(const DaemonPaths *paths, GError **error)
{
    return test_driver_default_hold(error);
}

static void test_driver_daemon_shutdown(void)
{
    test_driver_default_release();
}

const DaemonInfo test_driver_daemon_info = {
    .name = "virttestd",
    .sock_prefix = "libvirt",
    .driver_scheme = "test",
    .default_uri = "test:///default",
    .init = test_driver_daemon_init,
    .shutdown = test_driver_daemon_shutdown,
};

int fake_driver_block_fd = -1;

const DaemonInfo fake_driver_info = {
    .name = "virtfaked",
    .sock_prefix = "virtfaked",
    .driver_scheme = "fake",
    .default_uri = "fake:///default",
};

typedef struct FakeDomain {
    char *name;
    uint8_t uuid[VIRT_UUID_LEN];
    int id;
    int state; /* 1 running, 3 paused, 5 shut off */
    bool autostart;
    int files_fd; /* create_with_files: the first descriptor, kept while it runs */
} FakeDomain;

struct DriverConn {
    DriverEventFunc cb;
    void *data;
    char *uri;
};

static GMutex fake_lock;
/* held for reading while callbacks run, for writing by close: once connect_close
 * returns no callback for that connection is running or will run (driver.h) */
static GRWLock fake_emit_lock;
static GPtrArray *fake_domains; /* FakeDomain* */
static GPtrArray *fake_conns;   /* DriverConn* */
static int fake_next_id = 1;

static bool fake_open(const VirtUri *uri, unsigned int flags, DriverEventFunc cb, void *data,
                      DriverConn **ret_conn, GError **error)
{
    DriverConn *conn;

    if (g_strcmp0(uri->path, "/default") != 0) {
        g_set_error(error, VIRT_TEST_ERROR, VIRT_ERR_NO_CONNECT, "no fake at '%s'", uri->path);
        return false;
    }
    conn = g_new0(DriverConn, 1);
    conn->cb = cb;
    conn->data = data;
    conn->uri = virt_uri_format(uri);
    g_mutex_lock(&fake_lock);
    if (!fake_conns) {
        fake_conns = g_ptr_array_new();
        fake_domains = g_ptr_array_new();
    }
    g_ptr_array_add(fake_conns, conn);
    g_mutex_unlock(&fake_lock);
    *ret_conn = conn;
    return true;
}

static void fake_close(DriverConn *conn)
{
    g_rw_lock_writer_lock(&fake_emit_lock);
    g_mutex_lock(&fake_lock);
    g_ptr_array_remove(fake_conns, conn);
    g_mutex_unlock(&fake_lock);
    g_rw_lock_writer_unlock(&fake_emit_lock);
    g_free(conn->uri);
    g_free(conn);
}

/* called without the lock, as driver.h requires */
static void fake_emit(const FakeDomain *d, int event, int detail)
{
    g_autoptr(DomainRef) ref = domain_ref_new(d->name, d->uuid, d->id);
    DomainEvent ev = { .event_id = 0, .dom = ref, .event = event, .detail = detail };
    g_autoptr(GPtrArray) conns = NULL;

    g_rw_lock_reader_lock(&fake_emit_lock);
    g_mutex_lock(&fake_lock);
    conns = g_ptr_array_copy(fake_conns, NULL, NULL);
    g_mutex_unlock(&fake_lock);
    for (guint i = 0; i < conns->len; i++) {
        DriverConn *c = conns->pdata[i];

        c->cb(&ev, c->data);
    }
    g_rw_lock_reader_unlock(&fake_emit_lock);
}

static char *fake_get_uri(DriverConn *conn, GError **error)
{
    return g_strdup(conn->uri);
}

static char *fake_get_hostname(DriverConn *conn, GError **error)
{
    return g_strdup("fakehost");
}

/* big on purpose: tests fill a client's write queue with it */
static char *fake_get_capabilities(DriverConn *conn, GError **error)
{
    GString *caps = g_string_new("<capabilities>");
    char c;

    /* a long (low-priority) job while a test holds the block pipe */
    if (fake_driver_block_fd >= 0)
        (void)!read(fake_driver_block_fd, &c, 1);
    while (caps->len < 256 * 1024)
        g_string_append(caps, "<padding>0123456789abcdef</padding>");
    g_string_append(caps, "</capabilities>");
    return g_string_free(caps, FALSE);
}

static bool fake_get_version(DriverConn *conn, uint64_t *ret, GError **error)
{
    *ret = 1002003;
    return true;
}

static bool fake_node_info(DriverConn *conn, NodeInfo *ret, GError **error)
{
    *ret = (NodeInfo){ .model = "fake-cpu",
                       .memory_kib = 1 << 20,
                       .cpus = 4,
                       .mhz = 1000,
                       .nodes = 1,
                       .sockets = 1,
                       .cores = 4,
                       .threads = 1 };
    return true;
}

static FakeDomain *fake_find(const char *name, const uint8_t *uuid, int id)
{
    for (guint i = 0; fake_domains && i < fake_domains->len; i++) {
        FakeDomain *d = fake_domains->pdata[i];

        if ((name && strcmp(d->name, name) == 0) ||
            (uuid && memcmp(d->uuid, uuid, VIRT_UUID_LEN) == 0) || (id > 0 && d->id == id))
            return d;
    }
    return NULL;
}

static DomainRef *fake_lookup(const char *name, const uint8_t *uuid, int id, GError **error)
{
    FakeDomain *d;
    DomainRef *ref = NULL;

    g_mutex_lock(&fake_lock);
    d = fake_find(name, uuid, id);
    if (d)
        ref = domain_ref_new(d->name, d->uuid, d->id);
    g_mutex_unlock(&fake_lock);
    if (!ref)
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_NO_DOMAIN,
                    "Domain not found: no domain with matching %s", name ? name : "key");
    return ref;
}

static DomainRef *fake_lookup_by_name(DriverConn *conn, const char *name, GError **error)
{
    static const uint8_t no_uuid[VIRT_UUID_LEN];

    /* the daemon runs in a forked child whose loop is its main thread */
    if (strcmp(name, "whoami") == 0)
        return domain_ref_new(gettid() == getpid() ? "loop" : "worker", no_uuid, -1);
    /* a read that would have to wait: refused where waiting is not allowed */
    if (strcmp(name, "mustwait") == 0) {
        if (!driver_may_wait()) {
            driver_set_would_block(error, "the test");
            return NULL;
        }
        return domain_ref_new(gettid() == getpid() ? "loop" : "worker", no_uuid, -1);
    }
    if (strcmp(name, "block") == 0 && fake_driver_block_fd >= 0) {
        char c;

        /* hold this call in flight until the test writes a byte for it */
        (void)!read(fake_driver_block_fd, &c, 1);
    }
    return fake_lookup(name, NULL, 0, error);
}

static DomainRef *fake_lookup_by_uuid(DriverConn *conn, const uint8_t *uuid, GError **error)
{
    return fake_lookup(NULL, uuid, 0, error);
}

static DomainRef *fake_lookup_by_id(DriverConn *conn, int id, GError **error)
{
    return fake_lookup(NULL, NULL, id, error);
}

static void fake_ref_free(gpointer ref)
{
    domain_ref_free(ref);
}

static bool fake_list_all(DriverConn *conn, unsigned int flags, GPtrArray **ret, GError **error)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(fake_ref_free);

    g_mutex_lock(&fake_lock);
    for (guint i = 0; fake_domains && i < fake_domains->len; i++) {
        FakeDomain *d = fake_domains->pdata[i];
        bool active = d->state != 5;

        if ((flags & 1) && !(flags & 2) && !active)
            continue;
        if ((flags & 2) && !(flags & 1) && active)
            continue;
        g_ptr_array_add(out, domain_ref_new(d->name, d->uuid, d->id));
    }
    g_mutex_unlock(&fake_lock);
    *ret = out;
    return true;
}

static DomainRef *fake_define(DriverConn *conn, const char *xml, unsigned int flags, GError **error)
{
    const char *start = strstr(xml, "<name>");
    const char *end = start ? strstr(start, "</name>") : NULL;
    FakeDomain *d;
    FakeDomain copy;
    DomainRef *ref;

    if (!start || !end) {
        g_set_error(error, VIRT_CONF_ERROR, VIRT_ERR_XML_ERROR, "XML error: missing <name>");
        return NULL;
    }
    d = g_new0(FakeDomain, 1);
    d->name = g_strndup(start + 6, (gsize)(end - start - 6));
    virt_uuid_generate(d->uuid);
    d->id = -1;
    d->state = 5;
    d->files_fd = -1;
    g_mutex_lock(&fake_lock);
    g_ptr_array_add(fake_domains, d);
    copy = *d;
    copy.name = g_strdup(d->name);
    g_mutex_unlock(&fake_lock);
    fake_emit(&copy, 0, 0);
    ref = domain_ref_new(copy.name, copy.uuid, copy.id);
    g_free(copy.name);
    return ref;
}

/* Change a domain's state: @from 0 = any; returns the new snapshot for events. */
static bool fake_transition(const DomainRef *dom, int from, int to, bool remove,
                            FakeDomain *ret_copy, GError **error)
{
    FakeDomain *d;

    g_mutex_lock(&fake_lock);
    d = fake_find(NULL, dom->uuid, 0);
    if (!d || (from && d->state != from)) {
        g_mutex_unlock(&fake_lock);
        g_set_error(error, VIRT_DOMAIN_ERROR, d ? VIRT_ERR_OPERATION_INVALID : VIRT_ERR_NO_DOMAIN,
                    d ? "domain '%s' is in the wrong state" : "Domain not found: '%s'", dom->name);
        return false;
    }
    d->state = to;
    if (to == 1 && d->id < 0)
        d->id = fake_next_id++;
    if (to == 5) {
        d->id = -1;
        if (d->files_fd >= 0)
            close(d->files_fd);
        d->files_fd = -1;
    }
    *ret_copy = *d;
    ret_copy->name = g_strdup(d->name); /* the caller's, valid after unlocking */
    if (remove) {
        g_ptr_array_remove(fake_domains, d);
        g_free(d->name);
        g_free(d);
    }
    g_mutex_unlock(&fake_lock);
    return true;
}

static DomainRef *fake_create(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                              GError **error)
{
    FakeDomain c;

    DomainRef *ref;

    if (!fake_transition(dom, 5, 1, false, &c, error))
        return NULL;
    fake_emit(&c, 2, 0);
    ref = domain_ref_new(c.name, c.uuid, c.id);
    g_free(c.name);
    return ref;
}

/* Writes the domain's name into every descriptor but the first, which it keeps while
 * the domain runs: the tests see both kinds closed at the right time. */
static DomainRef *fake_create_with_files(DriverConn *conn, const DomainRef *dom, int *fds,
                                         unsigned int n_fds, unsigned int flags, GError **error)
{
    DomainRef *ref = fake_create(conn, dom, flags, error);
    FakeDomain *d;

    if (!ref)
        return NULL;
    for (unsigned int i = 1; i < n_fds; i++)
        g_assert_cmpint(write(fds[i], ref->name, strlen(ref->name)), ==, strlen(ref->name));
    if (n_fds == 0)
        return ref;
    g_mutex_lock(&fake_lock);
    d = fake_find(NULL, ref->uuid, 0);
    if (d && d->files_fd < 0)
        d->files_fd = g_steal_fd(&fds[0]);
    g_mutex_unlock(&fake_lock);
    return ref;
}

#define FAKE_ACTION(fn, from, to, remove, event, detail)                                       \
    static bool fn(DriverConn *conn, const DomainRef *dom, unsigned int flags, GError **error) \
    {                                                                                          \
        FakeDomain c;                                                                          \
        if (!fake_transition(dom, from, to, remove, &c, error))                                \
            return false;                                                                      \
        fake_emit(&c, event, detail);                                                          \
        g_free(c.name);                                                                        \
        return true;                                                                           \
    }

FAKE_ACTION(fake_suspend, 1, 3, false, 3, 0)
FAKE_ACTION(fake_resume, 3, 1, false, 4, 0)
FAKE_ACTION(fake_destroy, 0, 5, false, 5, 1)
FAKE_ACTION(fake_undefine, 5, 5, true, 1, 0)

static bool fake_get_state(DriverConn *conn, const DomainRef *dom, unsigned int flags,
                           int *ret_state, int *ret_reason, GError **error)
{
    FakeDomain *d;

    g_mutex_lock(&fake_lock);
    d = fake_find(NULL, dom->uuid, 0);
    if (d) {
        *ret_state = d->state;
        *ret_reason = 1;
    }
    g_mutex_unlock(&fake_lock);
    if (!d)
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_NO_DOMAIN, "Domain not found");
    return d != NULL;
}

/* one table, two answers to whether reads may run on the daemon's loop */
#define FAKE_DRIVER_OPS                                                                           \
    .name = "fake", .hv_type = "FAKE", .connect_open = fake_open, .connect_close = fake_close,    \
    .connect_get_uri = fake_get_uri, .connect_get_version = fake_get_version,                     \
    .connect_get_hostname = fake_get_hostname, .connect_get_capabilities = fake_get_capabilities, \
    .node_get_info = fake_node_info, .connect_list_all_domains = fake_list_all,                   \
    .domain_lookup_by_name = fake_lookup_by_name, .domain_lookup_by_uuid = fake_lookup_by_uuid,   \
    .domain_lookup_by_id = fake_lookup_by_id, .domain_define_xml = fake_define,                   \
    .domain_undefine = fake_undefine, .domain_create = fake_create,                               \
    .domain_create_with_files = fake_create_with_files, .domain_destroy = fake_destroy,           \
    .domain_suspend = fake_suspend, .domain_resume = fake_resume,                                 \
    .domain_get_state = fake_get_state

const DriverOps fake_driver_ops = { FAKE_DRIVER_OPS };
const DriverOps fake_driver_inline_ops = { FAKE_DRIVER_OPS, .reads_never_block = true };
