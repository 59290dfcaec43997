/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tier: golden (pure). Connection URI parse, format and the name sent to the server. */

#include <string.h>

#include "util/error.h"
#include "util/uri.h"

typedef struct UriCase {
    const char *in;
    const char *driver;
    const char *transport;
    const char *user;
    const char *host;
    int port;
    const char *path;
    const char *params; /* "name=value|name=value", decoded; NULL for none */
    const char *formatted;
    const char *for_server;
} UriCase;

static const UriCase good[] = {
    { "test:///default", "test", NULL, NULL, NULL, -1, "/default", NULL, "test:///default",
      "test:///default" },
    { "test://", "test", NULL, NULL, NULL, -1, "", NULL, "test://", "test://" },
    { "test:", "test", NULL, NULL, NULL, -1, "", NULL, "test://", "test://" },
    { "xen:///", "xen", NULL, NULL, NULL, -1, "/", NULL, "xen:///", "xen:///" },
    { "lxc:///", "lxc", NULL, NULL, NULL, -1, "/", NULL, "lxc:///", "lxc:///" },
    { "bhyve:///system", "bhyve", NULL, NULL, NULL, -1, "/system", NULL, "bhyve:///system",
      "bhyve:///system" },
    { "qemu:///system?socket=/x", "qemu", NULL, NULL, NULL, -1, "/system", "socket=/x",
      "qemu:///system?socket=/x", "qemu:///system" },
    { "qemu+ssh://user@host:2222/system?keyfile=/k", "qemu", "ssh", "user", "host", 2222, "/system",
      "keyfile=/k", "qemu+ssh://user@host:2222/system?keyfile=/k", "qemu:///system" },
    { "qemu+ssh://[::1]:22/system", "qemu", "ssh", NULL, "::1", 22, "/system", NULL,
      "qemu+ssh://[::1]:22/system", "qemu:///system" },
    { "qemu+tls://[2001:db8::2]/system", "qemu", "tls", NULL, "2001:db8::2", -1, "/system", NULL,
      "qemu+tls://[2001:db8::2]/system", "qemu:///system" },
    { "QEMU+Unix:///session", "qemu", "unix", NULL, NULL, -1, "/session", NULL,
      "qemu+unix:///session", "qemu:///session" },
    { "qemu+tcp://10.0.0.1:16509/system", "qemu", "tcp", NULL, "10.0.0.1", 16509, "/system", NULL,
      "qemu+tcp://10.0.0.1:16509/system", "qemu:///system" },
    /* decoding; order kept; unknown parameters go to the server, client-only ones don't */
    { "test:///default?foo=bar%20baz&socket=/s&x", "test", NULL, NULL, NULL, -1, "/default",
      "foo=bar baz|socket=/s|x=", "test:///default?foo=bar%20baz&socket=/s&x=",
      "test:///default?foo=bar%20baz&x=" },
    { "qemu+ssh://root@h/system?no_verify=1&no_tty=1&known_hosts=/kh&known_hosts_verify=auto"
      "&sshauth=agent&command=/bin/ssh&netcat=nc&pkipath=/p&tls_priority=NORMAL&mode=direct"
      "&proxy=native&auth=sasl&Socket=/S&no_sanity=1&authfile=/a&keep=me",
      "qemu", "ssh", "root", "h", -1, "/system",
      "no_verify=1|no_tty=1|known_hosts=/kh|known_hosts_verify=auto|sshauth=agent|"
      "command=/bin/ssh|netcat=nc|pkipath=/p|tls_priority=NORMAL|mode=direct|proxy=native|"
      "auth=sasl|Socket=/S|no_sanity=1|authfile=/a|keep=me",
      "qemu+ssh://root@h/system?no_verify=1&no_tty=1&known_hosts=/kh&known_hosts_verify=auto"
      "&sshauth=agent&command=/bin/ssh&netcat=nc&pkipath=/p&tls_priority=NORMAL&mode=direct"
      "&proxy=native&auth=sasl&Socket=/S&no_sanity=1&authfile=/a&keep=me",
      "qemu:///system?keep=me" },
    /* an explicit name= is what the server gets */
    { "qemu+ssh://h/?name=qemu:///session", "qemu", "ssh", NULL, "h", -1, "/",
      "name=qemu:///session", "qemu+ssh://h/?name=qemu:///session", "qemu:///session" },
    /* "remote" lets the daemon probe, which is spelt as the empty name */
    { "remote://h/", "remote", NULL, NULL, "h", -1, "/", NULL, "remote://h/", "" },
    { "remote+ssh://h/system", "remote", "ssh", NULL, "h", -1, "/system", NULL,
      "remote+ssh://h/system", "" },
    /* escaping round-trips: '&', '=', '+' and spaces in values, '%20' in the path */
    { "test:///a%20b.xml?k=a%26b%3Dc%2Bd;e=1", "test", NULL, NULL, NULL, -1, "/a b.xml",
      "k=a&b=c+d|e=1", "test:///a%20b.xml?k=a%26b%3Dc%2Bd&e=1",
      "test:///a%20b.xml?k=a%26b%3Dc%2Bd&e=1" },
    { "test://us%40er@h/x?", "test", NULL, "us@er", "h", -1, "/x", NULL, "test://us%40er@h/x",
      "test:///x" },
    { "test:///tmp/node.xml", "test", NULL, NULL, NULL, -1, "/tmp/node.xml", NULL,
      "test:///tmp/node.xml", "test:///tmp/node.xml" },
};

static void assert_params(const VirtUri *uri, const char *expected)
{
    g_auto(GStrv) pairs = expected ? g_strsplit(expected, "|", -1) : g_new0(char *, 1);

    g_assert_cmpuint(uri->params->len, ==, g_strv_length(pairs));
    for (guint i = 0; pairs[i]; i++) {
        const VirtUriParam *p = g_ptr_array_index(uri->params, i);
        g_autofree char *got = g_strdup_printf("%s=%s", p->name, p->value);

        g_assert_cmpstr(got, ==, pairs[i]);
    }
}

static void test_uri_good(gconstpointer data)
{
    const UriCase *c = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(VirtUri) uri = virt_uri_parse(c->in, &error);
    g_autoptr(VirtUri) again = NULL;
    g_autofree char *formatted = NULL;
    g_autofree char *for_server = NULL;
    g_autofree char *formatted_again = NULL;

    g_assert_no_error(error);
    g_assert_nonnull(uri);
    g_assert_cmpstr(uri->driver, ==, c->driver);
    g_assert_cmpstr(uri->transport, ==, c->transport);
    g_assert_cmpstr(uri->user, ==, c->user);
    g_assert_cmpstr(uri->host, ==, c->host);
    g_assert_cmpint(uri->port, ==, c->port);
    g_assert_cmpstr(uri->path, ==, c->path);
    assert_params(uri, c->params);

    formatted = virt_uri_format(uri);
    g_assert_cmpstr(formatted, ==, c->formatted);
    for_server = virt_uri_format_for_server(uri);
    g_assert_cmpstr(for_server, ==, c->for_server);

    /* format(parse(format(x))) is stable */
    again = virt_uri_parse(formatted, &error);
    g_assert_no_error(error);
    formatted_again = virt_uri_format(again);
    g_assert_cmpstr(formatted_again, ==, formatted);
}

typedef struct UriBadCase {
    const char *in;
    int code;
    const char *message;
} UriBadCase;

static const UriBadCase bad[] = {
    { "", VIRT_ERR_INVALID_ARG, "cannot parse URI '': the URI is empty" },
    { "test", VIRT_ERR_INTERNAL_ERROR,
      "cannot parse URI 'test': it does not start with a scheme such as 'qemu:'" },
    { "/var/run/sock", VIRT_ERR_INTERNAL_ERROR,
      "cannot parse URI '/var/run/sock': it does not start with a scheme such as 'qemu:'" },
    { "qemu+:///system", VIRT_ERR_INTERNAL_ERROR,
      "cannot parse URI 'qemu+:///system': scheme 'qemu+' is not driver or driver+transport" },
    { "+ssh://h/", VIRT_ERR_INTERNAL_ERROR, "cannot parse URI '+ssh://h/': it does not start" },
    { "qemu+ssh+x://h/", VIRT_ERR_INTERNAL_ERROR,
      "cannot parse URI 'qemu+ssh+x://h/': scheme 'qemu+ssh+x' is not driver or "
      "driver+transport" },
    { "qemu://h:99999/system", VIRT_ERR_INTERNAL_ERROR, "cannot parse URI 'qemu://h:99999/" },
    { "qemu://h:abc/system", VIRT_ERR_INTERNAL_ERROR, "cannot parse URI 'qemu://h:abc/" },
    { "qemu+ssh://[::1/system", VIRT_ERR_INTERNAL_ERROR, "cannot parse URI 'qemu+ssh://[::1/" },
    { "test:///default#frag", VIRT_ERR_INTERNAL_ERROR,
      "cannot parse URI 'test:///default#frag': fragments ('#...') are not supported" },
    { "test:///default?a=%zz", VIRT_ERR_INTERNAL_ERROR,
      "cannot parse URI 'test:///default?a=%zz': Invalid %-encoding" },
    { "test:///default?a=%00", VIRT_ERR_INTERNAL_ERROR, "bad percent-encoding" },
    { "test:///default?=v", VIRT_ERR_INTERNAL_ERROR,
      "cannot parse URI 'test:///default?=v': parameter with an empty name" },
};

static void test_uri_bad(gconstpointer data)
{
    const UriBadCase *c = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(VirtUri) uri = virt_uri_parse(c->in, &error);

    g_assert_null(uri);
    g_assert_error(error, VIRT_URI_ERROR, c->code);
    if (!strstr(error->message, c->message))
        g_error("'%s': message '%s' does not contain '%s'", c->in, error->message, c->message);
}

static void test_uri_null(void)
{
    g_autoptr(GError) error = NULL;

    g_assert_null(virt_uri_parse(NULL, &error));
    g_assert_error(error, VIRT_URI_ERROR, VIRT_ERR_INVALID_ARG);
}

static void test_uri_get_param(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VirtUri) uri = virt_uri_parse("qemu:///system?Mode=legacy&a=1&a=2&e", &error);

    g_assert_no_error(error);
    g_assert_cmpstr(virt_uri_get_param(uri, "mode"), ==, "legacy");
    g_assert_cmpstr(virt_uri_get_param(uri, "a"), ==, "2"); /* last one wins */
    g_assert_cmpstr(virt_uri_get_param(uri, "e"), ==, "");
    g_assert_null(virt_uri_get_param(uri, "socket"));
    g_assert_null(virt_uri_free(NULL));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        g_autofree char *name = g_strdup_printf("/util/uri/good/%zu", i);

        g_test_add_data_func(name, &good[i], test_uri_good);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *name = g_strdup_printf("/util/uri/bad/%zu", i);

        g_test_add_data_func(name, &bad[i], test_uri_bad);
    }
    g_test_add_func("/util/uri/null", test_uri_null);
    g_test_add_func("/util/uri/get-param", test_uri_get_param);
    return g_test_run();
}
