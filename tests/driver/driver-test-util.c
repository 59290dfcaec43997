/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "state/domain-obj.h"

#include "driver-test-util.h"

static void on_event(const DomainEvent *ev, void *data)
{
    Conn *c = data;

    g_assert_cmpint(ev->event_id, ==, 0);
    g_mutex_lock(&c->lock);
    g_ptr_array_add(c->events, g_strdup_printf("%s %s %d", ev->dom->name,
                                               domain_event_type_to_string(ev->event), ev->detail));
    g_mutex_unlock(&c->lock);
}

char *data_path(const char *file)
{
    const char *src = g_getenv("VIRTKIT_TEST_SRCDIR");

    g_assert_nonnull(src);
    return g_build_filename(src, "driver", "data", file, NULL);
}

bool conn_open_uri(Conn *c, const char *uri_str, GError **error)
{
    g_autoptr(VirtUri) uri = virt_uri_parse(uri_str, error);

    g_mutex_init(&c->lock);
    c->events = g_ptr_array_new_with_free_func(g_free);
    return uri && OPS->connect_open(uri, 0, on_event, c, &c->conn, error);
}

void conn_open(Conn *c, const char *uri)
{
    g_autoptr(GError) error = NULL;

    g_assert_true(conn_open_uri(c, uri, &error));
    g_assert_no_error(error);
}

void conn_open_file(Conn *c, const char *file)
{
    g_autofree char *path = data_path(file);
    g_autofree char *uri = g_strconcat("test://", path, NULL);

    conn_open(c, uri);
}

/* Opening test://<data>/@file must fail: its error. */
GError *conn_open_file_error(const char *file)
{
    g_autofree char *path = data_path(file);
    g_autofree char *uri = g_strconcat("test://", path, NULL);
    GError *error = NULL;
    Conn c;

    g_test_message("%s", file);
    g_assert_false(conn_open_uri(&c, uri, &error));
    g_assert_nonnull(error);
    g_ptr_array_unref(c.events);
    g_mutex_clear(&c.lock);
    return error;
}

void conn_close(Conn *c)
{
    OPS->connect_close(c->conn);
    g_ptr_array_unref(c->events);
    g_mutex_clear(&c->lock);
}

char *take_events(Conn *c)
{
    GString *s = g_string_new(NULL);

    g_mutex_lock(&c->lock);
    for (guint i = 0; i < c->events->len; i++)
        g_string_append_printf(s, "%s%s", i ? "; " : "", (char *)c->events->pdata[i]);
    g_ptr_array_set_size(c->events, 0);
    g_mutex_unlock(&c->lock);
    return g_string_free(s, FALSE);
}

DomainRef *lookup(Conn *c, const char *name)
{
    g_autoptr(GError) error = NULL;
    DomainRef *ref = OPS->domain_lookup_by_name(c->conn, name, &error);

    g_assert_no_error(error);
    g_assert_nonnull(ref);
    return ref;
}

void assert_state(Conn *c, const DomainRef *dom, int state, int reason)
{
    g_autoptr(GError) error = NULL;
    int s = -1, r = -1;

    g_assert_true(OPS->domain_get_state(c->conn, dom, 0, &s, &r, &error));
    g_assert_no_error(error);
    g_assert_cmpint(s, ==, state);
    g_assert_cmpint(r, ==, reason);
}
