/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Building a test driver from a <node> document, as libvirt's test driver does for
 * test:///PATH.xml (reference/libvirt-facts.md §4). test:///default is the same loader
 * run on a built-in document.
 *
 * Domains may carry elements in the test namespace: <test:runstate> (a DomainState
 * number, default running), <test:transient/>, <test:hasmanagedsave/> and
 * <test:domainsnapshot> (a snapshot's XML inline, or file='rel.xml' naming a
 * <domainsnapshot> document; <active>1</active> marks the current one). They are read
 * and removed here, before the domain XML reaches conf/.
 */

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "driver/test-driver-priv.h"
#include "util/error.h"
#include "util/file-util.h"

#define TEST_NS_URI "http://libvirt.org/schemas/domain/test/1.0"
#define NODE_FILE_MAX (16 * 1024 * 1024)

/* Written out the way `virsh -c test:///default dumpxml test` shows it, so that the
 * result does not depend on which defaults post-parse fills in. */
static const char default_node_xml[] =
    "<node>\n"
    "  <domain type='test'>\n"
    "    <name>test</name>\n"
    "    <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>\n"
    "    <memory unit='KiB'>8388608</memory>\n"
    "    <currentMemory unit='KiB'>2097152</currentMemory>\n"
    "    <vcpu placement='static'>2</vcpu>\n"
    "    <os>\n"
    "      <type arch='i686'>hvm</type>\n"
    "      <boot dev='hd'/>\n"
    "    </os>\n"
    "    <clock offset='utc'/>\n"
    "    <on_poweroff>destroy</on_poweroff>\n"
    "    <on_reboot>restart</on_reboot>\n"
    "    <on_crash>destroy</on_crash>\n"
    "    <devices>\n"
    "      <disk type='file' device='disk'>\n"
    "        <source file='/guest/diskimage1'/>\n"
    "        <target dev='vda' bus='virtio'/>\n"
    "        <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>\n"
    "      </disk>\n"
    "      <interface type='network'>\n"
    "        <mac address='aa:bb:cc:dd:ee:ff'/>\n"
    "        <source network='default'/>\n"
    "        <target dev='testnet0'/>\n"
    "        <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0'/>\n"
    "      </interface>\n"
    "      <memballoon model='virtio'>\n"
    "        <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>\n"
    "      </memballoon>\n"
    "    </devices>\n"
    "  </domain>\n"
    "</node>\n";

static const NodeInfo default_node_info = {
    .model = "i686",
    .memory_kib = 3145728,
    .cpus = 16,
    .mhz = 1400,
    .nodes = 2,
    .sockets = 2,
    .cores = 2,
    .threads = 2,
};

/* What the test namespace said about one domain. */
typedef struct TestDomainExtras {
    DomainState runstate;
    bool transient;
    bool has_managed_save;
    GPtrArray *snapshots; /* char*: <domainsnapshot> documents */
} TestDomainExtras;

static void test_domain_extras_clear(TestDomainExtras *extras)
{
    g_clear_pointer(&extras->snapshots, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(TestDomainExtras, test_domain_extras_clear)

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlBuffer, xmlBufferFree)

static void xml_free_string(xmlChar *s)
{
    xmlFree(s);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlChar, xml_free_string)

/**
 * test_driver_new: an empty driver with the default node info.
 */
TestDriver *test_driver_new(const char *uri)
{
    TestDriver *drv = g_new0(TestDriver, 1);

    drv->refcount = 1;
    drv->uri = g_strdup(uri);
    drv->node = default_node_info;
    drv->domains = domain_obj_list_new();
    drv->events = driver_event_hub_new();
    return drv;
}

/**
 * test_driver_ref: take a reference to @drv.
 */
TestDriver *test_driver_ref(TestDriver *drv)
{
    g_atomic_int_inc(&drv->refcount);
    return drv;
}

/**
 * test_driver_unref: drop a reference; the last one frees the driver and its domains.
 */
void test_driver_unref(TestDriver *drv)
{
    if (!drv || !g_atomic_int_dec_and_test(&drv->refcount))
        return;
    driver_event_hub_free(drv->events);
    domain_obj_list_free(drv->domains);
    g_free(drv->uri);
    g_free(drv);
}

/* libxml2 without network access or external entities; no messages on stderr. */
static xmlDoc *read_xml(const char *xml, const char *what, GError **error)
{
    xmlDoc *doc = xmlReadMemory(xml, (int)strlen(xml), what, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

    if (!doc || !xmlDocGetRootElement(doc)) {
        xmlFreeDoc(doc);
        g_set_error(error, VIRT_TEST_ERROR, VIRT_ERR_XML_ERROR,
                    "XML error: failed to parse xml document '%s'", what);
        return NULL;
    }
    return doc;
}

static bool is_element(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static bool is_test_ns(const xmlNode *n)
{
    return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           strcmp((const char *)n->ns->href, TEST_NS_URI) == 0;
}

static bool parse_uint(const char *s, unsigned long long max, unsigned long long *ret)
{
    char *end = NULL;
    unsigned long long v;

    if (!s || !g_ascii_isdigit(*s))
        return false;
    errno = 0;
    v = g_ascii_strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return false;
    *ret = v;
    return true;
}

static bool node_uint(const xmlNode *n, const char *what, unsigned long long max,
                      unsigned long long *ret, GError **error)
{
    g_autoptr(xmlChar) text = xmlNodeGetContent(n);
    g_autofree char *s = g_strstrip(g_strdup((const char *)text));

    if (parse_uint(s, max, ret))
        return true;
    g_set_error(error, VIRT_TEST_ERROR, VIRT_ERR_XML_ERROR, "XML error: invalid node %s value",
                what);
    return false;
}

static bool load_cpu_field(NodeInfo *info, const xmlNode *n, unsigned int *active, GError **error)
{
    unsigned long long v;
    const char *name = (const char *)n->name;
    g_autofree char *what = g_strdup_printf("cpu %s", name);

    if (strcmp(name, "model") == 0) {
        g_autoptr(xmlChar) text = xmlNodeGetContent(n);

        g_strlcpy(info->model, text ? (const char *)text : "", sizeof(info->model));
        return true;
    }
    if (!node_uint(n, what, G_MAXUINT, &v, error))
        return false;
    if (strcmp(name, "nodes") == 0)
        info->nodes = v;
    else if (strcmp(name, "sockets") == 0)
        info->sockets = v;
    else if (strcmp(name, "cores") == 0)
        info->cores = v;
    else if (strcmp(name, "threads") == 0)
        info->threads = v;
    else if (strcmp(name, "mhz") == 0)
        info->mhz = v;
    else if (strcmp(name, "active") == 0)
        *active = v;
    return true;
}

/* <cpu>: topology and speed; cpus = <active> when given (at most the topology's
 * total), otherwise the product of the topology. */
static bool load_cpu(NodeInfo *info, const xmlNode *cpu, GError **error)
{
    unsigned int active = 0;
    unsigned long long total;

    for (const xmlNode *n = cpu->children; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && !load_cpu_field(info, n, &active, error))
            return false;
    }
    total = (unsigned long long)info->nodes * info->sockets * info->cores * info->threads;
    info->cpus = total > G_MAXUINT ? G_MAXUINT : (unsigned int)total;
    if (active && active < info->cpus)
        info->cpus = active;
    return true;
}

static bool load_runstate(const xmlNode *n, TestDomainExtras *extras, GError **error)
{
    g_autoptr(xmlChar) text = xmlNodeGetContent(n);
    unsigned long long v;

    if (!parse_uint((const char *)text, G_MAXUINT, &v) || v >= _DOMAIN_STATE_MAX) {
        g_set_error(error, VIRT_TEST_ERROR, VIRT_ERR_XML_ERROR,
                    "XML error: runstate '%s' out of range'", text ? (const char *)text : "");
        return false;
    }
    extras->runstate = (DomainState)v;
    return true;
}

/* Drop the declaration of the test namespace from @dom once its elements are gone, so
 * that it does not reappear in the domain's XML. */
static void drop_test_ns_decl(xmlNode *dom)
{
    xmlNs **link = &dom->nsDef;

    while (*link) {
        xmlNs *ns = *link;

        if (ns->href && strcmp((const char *)ns->href, TEST_NS_URI) == 0) {
            *link = ns->next;
            ns->next = NULL;
            xmlFreeNs(ns);
        } else {
            link = &ns->next;
        }
    }
}

static char *dump_node(xmlDoc *doc, xmlNode *node)
{
    g_autoptr(xmlBuffer) buf = xmlBufferCreate();

    xmlNodeDump(buf, doc, node, 0, 0);
    return g_strdup((const char *)xmlBufferContent(buf));
}

/* The text of a file='...' reference of the node document (relative to @base_dir),
 * which must be a @root document. */
static char *read_referenced(const char *base_dir, const char *file, const char *root,
                             GError **error)
{
    g_autofree char *path = g_build_filename(base_dir, file, NULL);
    g_autofree char *text = NULL;
    g_autoptr(xmlDoc) doc = NULL;

    if (!virt_file_read_bounded(path, NODE_FILE_MAX, &text, NULL, NULL)) {
        g_set_error(error, VIRT_TEST_ERROR, VIRT_ERR_XML_ERROR,
                    "XML error: failed to parse xml document '%s'", path);
        return NULL;
    }
    if (!(doc = read_xml(text, path, error)))
        return NULL;
    if (!is_element(xmlDocGetRootElement(doc), root)) {
        g_set_error(error, VIRT_TEST_ERROR, VIRT_ERR_XML_ERROR,
                    "XML error: expecting root element of '%s', not '%s' in '%s'", root,
                    xmlDocGetRootElement(doc)->name, path);
        return NULL;
    }
    return g_steal_pointer(&text);
}

/* <test:domainsnapshot>: its content is a <domainsnapshot>, or file='...' names one. */
static bool take_snapshot(xmlDoc *doc, xmlNode *n, const char *base_dir, TestDomainExtras *extras,
                          GError **error)
{
    g_autoptr(xmlChar) file = xmlGetProp(n, (const xmlChar *)"file");
    char *xml;

    if (file) {
        if (!(xml = read_referenced(base_dir, (const char *)file, "domainsnapshot", error)))
            return false;
    } else {
        /* the element itself, renamed out of the test namespace */
        xmlNodeSetName(n, (const xmlChar *)"domainsnapshot");
        xmlSetNs(n, NULL);
        xml = dump_node(doc, n);
    }
    if (!extras->snapshots)
        extras->snapshots = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(extras->snapshots, xml);
    return true;
}

/* Read and unlink the test namespace elements of @dom. */
static bool take_test_extras(xmlDoc *doc, xmlNode *dom, const char *base_dir,
                             TestDomainExtras *extras, GError **error)
{
    xmlNode *next;

    *extras = (TestDomainExtras){ .runstate = DOMAIN_STATE_RUNNING };
    for (xmlNode *n = dom->children; n; n = next) {
        next = n->next;
        if (!is_test_ns(n))
            continue;
        if (is_element(n, "runstate") && !load_runstate(n, extras, error))
            return false;
        if (is_element(n, "transient"))
            extras->transient = true;
        if (is_element(n, "hasmanagedsave"))
            extras->has_managed_save = true;
        if (is_element(n, "domainsnapshot") && !take_snapshot(doc, n, base_dir, extras, error))
            return false;
        /* anything else of the namespace: not modelled */
        xmlUnlinkNode(n);
        xmlFreeNode(n);
    }
    drop_test_ns_decl(dom);
    if (extras->has_managed_save && extras->runstate != DOMAIN_STATE_SHUTOFF) {
        g_set_error(error, VIRT_TEST_ERROR, VIRT_ERR_XML_ERROR,
                    "XML error: domain with managedsave data can only have runstate 'shutoff'");
        return false;
    }
    if (extras->transient && extras->runstate == DOMAIN_STATE_SHUTOFF) {
        g_set_error(error, VIRT_TEST_ERROR, VIRT_ERR_XML_ERROR,
                    "XML error: transient domain cannot have runstate 'shutoff'");
        return false;
    }
    return true;
}

static bool add_domain(TestDriver *drv, const char *xml, const TestDomainExtras *extras,
                       GError **error)
{
    g_autoptr(DomainObj) obj = NULL;
    DomainDef *def;
    unsigned int flags = extras->transient ? DOMAIN_OBJ_LIST_ADD_LIVE : 0;
    bool ok;

    def = domain_def_parse_full(xml, DOMAIN_PARSE_INACTIVE, &test_driver_post_parse_ops, error);
    if (!def)
        return false;
    if (!domain_obj_list_add(drv->domains, def, flags, NULL, &obj, NULL, error))
        return false;
    g_mutex_lock(&obj->lock);
    obj->has_managed_save = extras->has_managed_save;
    ok = !extras->snapshots || test_driver_snapshot_preload_locked(obj, extras->snapshots, error);
    g_mutex_unlock(&obj->lock);
    if (!ok)
        return false;
    /* Loaded domains keep reason 0 ("unknown"), as libvirt's do. */
    if (extras->runstate == DOMAIN_STATE_SHUTOFF)
        return true;
    domain_obj_list_activate(drv->domains, obj, -1, extras->runstate, 0);
    return true;
}

/* A <domain> of the node document: inline, or <domain file='rel.xml'/> relative to
 * @base_dir. */
static bool load_domain(TestDriver *drv, xmlDoc *doc, xmlNode *node, const char *base_dir,
                        GError **error)
{
    g_autoptr(xmlChar) file = xmlGetProp(node, (const xmlChar *)"file");
    g_autoptr(xmlDoc) sub = NULL;
    g_autofree char *xml = NULL;
    g_auto(TestDomainExtras) extras = { 0 };

    if (file) {
        g_autofree char *text = read_referenced(base_dir, (const char *)file, "domain", error);
        g_autofree char *path = g_build_filename(base_dir, (const char *)file, NULL);

        if (!text || !(sub = read_xml(text, path, error)))
            return false;
        doc = sub;
        node = xmlDocGetRootElement(sub);
    }
    if (!take_test_extras(doc, node, base_dir, &extras, error))
        return false;
    xml = dump_node(doc, node);
    return add_domain(drv, xml, &extras, error);
}

/**
 * test_driver_load_node: fill @drv from the <node> document @xml: node info overrides
 * and domains (file='...' references are relative to @base_dir). Networks, pools,
 * interfaces and devices are not modelled and are ignored.
 */
bool test_driver_load_node(TestDriver *drv, const char *xml, const char *base_dir, GError **error)
{
    g_autoptr(xmlDoc) doc = read_xml(xml, drv->uri, error);
    xmlNode *root;

    if (!doc)
        return false;
    root = xmlDocGetRootElement(doc);
    if (!is_element(root, "node")) {
        g_set_error(error, VIRT_TEST_ERROR, VIRT_ERR_XML_ERROR,
                    "XML error: expecting root element of 'node', not '%s'", root->name);
        return false;
    }
    for (xmlNode *n = root->children; n; n = n->next) {
        unsigned long long mem;

        if (is_element(n, "cpu") && !load_cpu(&drv->node, n, error))
            return false;
        if (is_element(n, "memory")) {
            if (!node_uint(n, "memory", G_MAXUINT64, &mem, error))
                return false;
            drv->node.memory_kib = mem;
        }
    }
    for (xmlNode *n = root->children; n; n = n->next) {
        if (is_element(n, "domain") && !load_domain(drv, doc, n, base_dir, error))
            return false;
    }
    return true;
}

/**
 * test_driver_load_default: fill @drv with what libvirt's test:///default holds.
 */
bool test_driver_load_default(TestDriver *drv, GError **error)
{
    drv->default_cells = true;
    return test_driver_load_node(drv, default_node_xml, "/", error);
}
