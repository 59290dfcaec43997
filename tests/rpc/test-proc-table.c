/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tier: golden (pure). The generated procedure table against libvirt's numbers. */

#include <glib.h>

#include "rpc/proc-table.h"
#include "rpc/remote-protocol.h"

static void test_programs(void)
{
    g_assert_cmpuint(rpc_n_programs, ==, 3);
    g_assert_nonnull(rpc_program_lookup(0x20008086));
    g_assert_nonnull(rpc_program_lookup(0x6b656570));
    g_assert_nonnull(rpc_program_lookup(0x06900690));
    g_assert_null(rpc_program_lookup(0x20008087)); /* QEMU program: not served */
    g_assert_cmpuint(rpc_program_lookup(REMOTE_PROGRAM)->vers, ==, 1);
}

typedef struct ProcCase {
    const char *name;
    int number;
    RpcProcAccess access;
    RpcProcPriority priority;
} ProcCase;

static const ProcCase proc_cases[] = {
    { "REMOTE_PROC_CONNECT_OPEN", 1, RPC_PROC_ACCESS_READ_ONLY, RPC_PROC_PRIORITY_HIGH },
    { "REMOTE_PROC_NODE_GET_INFO", 6, RPC_PROC_ACCESS_READ_ONLY, RPC_PROC_PRIORITY_HIGH },
    { "REMOTE_PROC_DOMAIN_CREATE", 9, RPC_PROC_ACCESS_READ_WRITE, RPC_PROC_PRIORITY_LOW },
    { "REMOTE_PROC_DOMAIN_DEFINE_XML", 11, RPC_PROC_ACCESS_READ_WRITE, RPC_PROC_PRIORITY_HIGH },
    { "REMOTE_PROC_DOMAIN_DESTROY", 12, RPC_PROC_ACCESS_READ_WRITE, RPC_PROC_PRIORITY_HIGH },
    { "REMOTE_PROC_DOMAIN_GET_INFO", 16, RPC_PROC_ACCESS_READ_ONLY, RPC_PROC_PRIORITY_LOW },
    { "REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME", 23, RPC_PROC_ACCESS_READ_ONLY, RPC_PROC_PRIORITY_HIGH },
    { "REMOTE_PROC_AUTH_LIST", 66, RPC_PROC_ACCESS_READ_ONLY, RPC_PROC_PRIORITY_HIGH },
    { "REMOTE_PROC_DOMAIN_SNAPSHOT_CREATE_XML", 185, RPC_PROC_ACCESS_READ_WRITE,
      RPC_PROC_PRIORITY_LOW },
    { "REMOTE_PROC_DOMAIN_OPEN_CONSOLE", 201, RPC_PROC_ACCESS_READ_WRITE, RPC_PROC_PRIORITY_LOW },
    { "REMOTE_PROC_DOMAIN_GET_STATE", 212, RPC_PROC_ACCESS_READ_ONLY, RPC_PROC_PRIORITY_HIGH },
    { "REMOTE_PROC_DOMAIN_UNDEFINE_FLAGS", 231, RPC_PROC_ACCESS_READ_WRITE,
      RPC_PROC_PRIORITY_HIGH },
    { "REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS", 273, RPC_PROC_ACCESS_READ_ONLY,
      RPC_PROC_PRIORITY_HIGH },
    { "REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY", 316, RPC_PROC_ACCESS_READ_ONLY,
      RPC_PROC_PRIORITY_HIGH },
    { "REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE", 318, RPC_PROC_ACCESS_READ_ONLY,
      RPC_PROC_PRIORITY_LOW },
    { "REMOTE_PROC_CONNECT_SET_IDENTITY", 419, RPC_PROC_ACCESS_READ_ONLY, RPC_PROC_PRIORITY_LOW },
    { "REMOTE_PROC_DOMAIN_GET_MESSAGES", 426, RPC_PROC_ACCESS_READ_ONLY, RPC_PROC_PRIORITY_LOW },
    { "KEEPALIVE_PROC_PING", 1, RPC_PROC_ACCESS_READ_ONLY, RPC_PROC_PRIORITY_HIGH },
    { "ADMIN_PROC_CLIENT_CLOSE", 11, RPC_PROC_ACCESS_READ_WRITE, RPC_PROC_PRIORITY_HIGH },
};

static void test_proc_case(gconstpointer data)
{
    const ProcCase *c = data;
    const RpcProcInfo *info = rpc_proc_lookup_by_name(c->name);

    g_assert_nonnull(info);
    g_assert_cmpint(info->proc, ==, c->number);
    g_assert_true(rpc_proc_lookup(info->prog, info->proc) == info);
    g_assert_cmpint(info->access, ==, c->access);
    g_assert_cmpint(info->priority, ==, c->priority);
}

static void test_payload_types(void)
{
    const RpcProcInfo *open = rpc_proc_lookup(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_OPEN);
    const RpcProcInfo *close = rpc_proc_lookup(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_CLOSE);
    const RpcProcInfo *life =
        rpc_proc_lookup(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE);
    const RpcProcInfo *ping = rpc_proc_lookup(KEEPALIVE_PROGRAM, KEEPALIVE_PROC_PING);
    const RpcProcInfo *auth = rpc_proc_lookup(REMOTE_PROGRAM, REMOTE_PROC_AUTH_LIST);

    g_assert_cmpstr(open->args.name, ==, "remote_connect_open_args");
    g_assert_cmpuint(open->args.size, ==, sizeof(remote_connect_open_args));
    g_assert_null(open->ret.name);
    g_assert_cmpuint(open->ret.size, ==, 0);
    g_assert_null(close->args.name);
    g_assert_cmpint(life->kind, ==, RPC_PROC_KIND_MESSAGE);
    g_assert_cmpstr(life->msg.name, ==, "remote_domain_event_callback_lifecycle_msg");
    g_assert_cmpint(ping->kind, ==, RPC_PROC_KIND_MESSAGE);
    g_assert_null(ping->msg.name);
    g_assert_false(auth->needs_auth);
    g_assert_true(open->needs_auth);
    g_assert_cmpstr(open->acl[0], ==, "connect:getattr");
    g_assert_null(open->acl[1]);
    g_assert_null(auth->acl);
}

/* @open: none: exactly the handshake (auth, features, open, close) runs before the open */
static void test_before_open(void)
{
    static const char *const expected[] = {
        "REMOTE_PROC_CONNECT_OPEN",
        "REMOTE_PROC_CONNECT_CLOSE",
        "REMOTE_PROC_CONNECT_SUPPORTS_FEATURE",
        "REMOTE_PROC_AUTH_LIST",
        "REMOTE_PROC_AUTH_SASL_INIT",
        "REMOTE_PROC_AUTH_SASL_START",
        "REMOTE_PROC_AUTH_SASL_STEP",
        "REMOTE_PROC_AUTH_POLKIT",
        NULL,
    };
    const RpcProgramInfo *remote = rpc_program_lookup(REMOTE_PROGRAM);
    g_autoptr(GPtrArray) found = g_ptr_array_new();

    for (size_t i = 0; i < remote->n_procs; i++) {
        if (!remote->procs[i].needs_open)
            g_ptr_array_add(found, (gpointer)remote->procs[i].name);
    }
    g_assert_cmpuint(found->len, ==, g_strv_length((char **)expected));
    for (guint i = 0; i < found->len; i++)
        g_assert_true(g_strv_contains(expected, found->pdata[i]));
}

static RpcProcDispatch dispatch_of(uint32_t prog, int proc)
{
    const RpcProcInfo *info = rpc_proc_lookup(prog, proc);

    g_assert_nonnull(info);
    return info->dispatch;
}

/* @dispatch: cheap reads inline, session procedures on the loop, the rest on workers;
 * nothing that changes state may ever be inline. */
static void test_dispatch(void)
{
    g_assert_cmpint(dispatch_of(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME), ==,
                    RPC_PROC_DISPATCH_INLINE);
    g_assert_cmpint(dispatch_of(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_XML_DESC), ==,
                    RPC_PROC_DISPATCH_INLINE);
    g_assert_cmpint(dispatch_of(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS), ==,
                    RPC_PROC_DISPATCH_INLINE);
    g_assert_cmpint(dispatch_of(REMOTE_PROGRAM, REMOTE_PROC_AUTH_LIST), ==, RPC_PROC_DISPATCH_LOOP);
    g_assert_cmpint(
        dispatch_of(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY), ==,
        RPC_PROC_DISPATCH_LOOP);
    g_assert_cmpint(dispatch_of(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_OPEN), ==,
                    RPC_PROC_DISPATCH_WORKER);
    g_assert_cmpint(dispatch_of(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_DEFINE_XML), ==,
                    RPC_PROC_DISPATCH_WORKER);
    g_assert_cmpint(dispatch_of(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_CAPABILITIES), ==,
                    RPC_PROC_DISPATCH_WORKER);
    g_assert_cmpstr(rpc_proc_dispatch_to_string(RPC_PROC_DISPATCH_INLINE), ==, "inline");
    for (size_t i = 0; i < rpc_n_programs; i++) {
        for (size_t j = 0; j < rpc_programs[i].n_procs; j++) {
            const RpcProcInfo *info = &rpc_programs[i].procs[j];

            if (info->dispatch == RPC_PROC_DISPATCH_INLINE)
                g_assert_cmpint(info->access, ==, RPC_PROC_ACCESS_READ_ONLY);
        }
    }
}

/* @ro_denied_flags: exactly these read-only procedures have flags a read-only
 * connection may not pass, with libvirt's values; the gate reads them from decoded args. */
static void test_ro_denied(void)
{
    static const struct {
        int proc;
        uint32_t mask;
        RpcProcRoDenied why;
    } expected[] = {
        { REMOTE_PROC_DOMAIN_GET_XML_DESC, 0x9, RPC_PROC_RO_DENIED_SECURE }, /* SECURE|MIGRATABLE */
        { REMOTE_PROC_DOMAIN_SNAPSHOT_GET_XML_DESC, 0x1, RPC_PROC_RO_DENIED_SECURE },
        { REMOTE_PROC_DOMAIN_GET_VCPUS_FLAGS, 0x4, RPC_PROC_RO_DENIED_WRITE }, /* VCPU_GUEST */
        { REMOTE_PROC_DOMAIN_MANAGED_SAVE_GET_XML_DESC, 0x1, RPC_PROC_RO_DENIED_SECURE },
    };
    const RpcProgramInfo *remote = rpc_program_lookup(REMOTE_PROGRAM);
    const RpcProcInfo *xml = rpc_proc_lookup(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_XML_DESC);
    const RpcProcInfo *list = rpc_proc_lookup(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS);
    remote_domain_get_xml_desc_args args = { .flags = 0x1 | 0x2 };
    remote_connect_list_all_domains_args list_args = { .flags = 0xffffffffu };
    size_t n = 0;

    for (size_t i = 0; i < G_N_ELEMENTS(expected); i++) {
        const RpcProcInfo *info = rpc_proc_lookup(REMOTE_PROGRAM, expected[i].proc);

        g_assert_cmpuint(info->ro_denied.mask, ==, expected[i].mask);
        g_assert_cmpint(info->ro_denied.why, ==, expected[i].why);
        g_assert_cmpint(info->access, ==, RPC_PROC_ACCESS_READ_ONLY);
    }
    for (size_t i = 0; i < remote->n_procs; i++)
        n += remote->procs[i].ro_denied.mask != 0;
    g_assert_cmpuint(n, ==, G_N_ELEMENTS(expected));
    /* it reads a path to a file as the daemon: read-write whatever the flags */
    g_assert_cmpint(
        rpc_proc_lookup(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_SAVE_IMAGE_GET_XML_DESC)->access, ==,
        RPC_PROC_ACCESS_READ_WRITE);

    g_assert_cmpuint(xml->ro_denied.offset, ==, offsetof(remote_domain_get_xml_desc_args, flags));
    g_assert_cmpuint(rpc_proc_ro_denied_flags(xml, &args), ==, 0x1);
    args.flags = 0x2 | 0x4; /* INACTIVE | UPDATE_CPU: harmless */
    g_assert_cmpuint(rpc_proc_ro_denied_flags(xml, &args), ==, 0);
    args.flags = 0x8;
    g_assert_cmpuint(rpc_proc_ro_denied_flags(xml, &args), ==, 0x8);
    g_assert_cmpuint(rpc_proc_ro_denied_flags(list, &list_args), ==, 0);
    g_assert_cmpuint(rpc_proc_ro_denied_flags(xml, NULL), ==, 0);
}

static void test_unknown(void)
{
    g_assert_null(rpc_proc_lookup(REMOTE_PROGRAM, 0));
    g_assert_null(rpc_proc_lookup(REMOTE_PROGRAM, 300));   /* migrate compression cache: not ours */
    g_assert_null(rpc_proc_lookup(REMOTE_PROGRAM, 10000)); /* beyond libvirt's range */
    g_assert_null(rpc_proc_lookup(REMOTE_PROGRAM, -1));
    g_assert_null(rpc_proc_lookup(0x12345678, 1));
    g_assert_null(rpc_proc_lookup_by_name("REMOTE_PROC_NOPE"));
}

/* Every table is sorted and every proc's names agree with its program. */
static void test_sorted(void)
{
    for (size_t i = 0; i < rpc_n_programs; i++) {
        const RpcProgramInfo *p = &rpc_programs[i];

        for (size_t j = 0; j < p->n_procs; j++) {
            g_assert_cmpuint(p->procs[j].prog, ==, p->prog);
            if (j > 0)
                g_assert_cmpint(p->procs[j - 1].proc, <, p->procs[j].proc);
        }
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/proc-table/programs", test_programs);
    for (size_t i = 0; i < G_N_ELEMENTS(proc_cases); i++) {
        g_autofree char *path = g_strdup_printf("/rpc/proc-table/%s", proc_cases[i].name);
        g_test_add_data_func(path, &proc_cases[i], test_proc_case);
    }
    g_test_add_func("/rpc/proc-table/payload-types", test_payload_types);
    g_test_add_func("/rpc/proc-table/unknown", test_unknown);
    g_test_add_func("/rpc/proc-table/dispatch", test_dispatch);
    g_test_add_func("/rpc/proc-table/before-open", test_before_open);
    g_test_add_func("/rpc/proc-table/sorted", test_sorted);
    g_test_add_func("/rpc/proc-table/ro-denied", test_ro_denied);
    return g_test_run();
}
