/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * QEMU command line, the machine-wide part: environment, name, machine and
 * accelerator, CPU, memory, SMP, monitor, clock, lifecycle actions and boot. Devices
 * are in qemu-command-{disk,net,chr,devices}.c. The order of options follows libvirt's,
 * so command lines read the same to people used to it.
 */

#include <string.h>

#include "qemu-command-priv.h"
#include "util/error.h"

QemuPrepared *qemu_prepared_new(void)
{
    QemuPrepared *prep = g_new0(QemuPrepared, 1);

    prep->monitor_fd = -1;
    prep->tap_fds = g_array_new(FALSE, FALSE, sizeof(int));
    prep->graphics_ports = g_array_new(FALSE, FALSE, sizeof(int));
    return prep;
}

QemuPrepared *qemu_prepared_free(QemuPrepared *prep)
{
    if (!prep)
        return NULL;
    g_free(prep->monitor_path);
    g_free(prep->pidfile);
    g_free(prep->lib_dir);
    g_array_unref(prep->tap_fds);
    g_array_unref(prep->graphics_ports);
    g_free(prep);
    return NULL;
}

/* ---- helpers shared by the builder files ---- */

bool qemu_build_unsupported(const QemuBuild *b, GError **error, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_CONFIG_UNSUPPORTED, "domain '%s': %s",
                b->def->name, msg);
    return false;
}

/**
 * qemu_build_check_extras: refuse what the parser kept but this driver does not
 * implement: any child element of @extras not in @ok_children and any attribute not
 * in @ok_attrs (both NULL-terminated, may be NULL). @what names the owner ("disk
 * 'vda'").
 */
bool qemu_build_check_extras(const QemuBuild *b, const XmlExtras *extras, const char *what,
                             const char *const *ok_children, const char *const *ok_attrs,
                             GError **error)
{
    if (!extras)
        return true;
    for (guint i = 0; i < extras->attrs->len; i++) {
        const XmlAttr *attr = g_ptr_array_index(extras->attrs, i);

        if (!ok_attrs || !g_strv_contains(ok_attrs, attr->name))
            return qemu_build_unsupported(b, error,
                                          "%s uses attribute '%s', which the QEMU driver does "
                                          "not implement",
                                          what, attr->name);
    }
    for (guint i = 0; i < extras->children->len; i++) {
        const XmlElem *elem = g_ptr_array_index(extras->children, i);

        if (!elem->name)
            continue; /* kept text */
        if (!ok_children || !g_strv_contains(ok_children, elem->name))
            return qemu_build_unsupported(b, error,
                                          "%s uses <%s>, which the QEMU driver does not "
                                          "implement",
                                          what, elem->name);
    }
    return true;
}

const XmlElem *qemu_build_extras_child(const XmlExtras *extras, const char *name)
{
    for (guint i = 0; extras && i < extras->children->len; i++) {
        const XmlElem *elem = g_ptr_array_index(extras->children, i);

        if (g_strcmp0(elem->name, name) == 0)
            return elem;
    }
    return NULL;
}

const char *qemu_build_elem_attr(const XmlElem *elem, const char *name)
{
    for (guint i = 0; elem && i < elem->attrs->len; i++) {
        const XmlAttr *attr = g_ptr_array_index(elem->attrs, i);

        if (g_str_equal(attr->name, name))
            return attr->value;
    }
    return NULL;
}

const char *qemu_build_extras_attr(const XmlExtras *extras, const char *name)
{
    for (guint i = 0; extras && i < extras->attrs->len; i++) {
        const XmlAttr *attr = g_ptr_array_index(extras->attrs, i);

        if (g_str_equal(attr->name, name))
            return attr->value;
    }
    return NULL;
}

bool qemu_build_need_caps(const QemuBuild *b, QemuCapsFlag flag, const char *what, GError **error)
{
    if (qemu_caps_has(b->caps, flag))
        return true;
    return qemu_build_unsupported(b, error, "%s is not supported by emulator '%s'", what,
                                  b->caps->binary);
}

const char *const qemu_pci_device_ok_children[] = { "alias", "address", NULL };

static bool qemu_pci_number(const char *text, guint64 max, guint64 *ret)
{
    /* libvirt writes them as 0x.. hex; plain decimal is accepted too */
    if (!text)
        return false;
    if (g_str_has_prefix(text, "0x"))
        return g_ascii_string_to_unsigned(text + 2, 16, 0, max, ret, NULL);
    return g_ascii_string_to_unsigned(text, 10, 0, max, ret, NULL);
}

/**
 * qemu_build_pci_address: the guest PCI address a definition gives a device (as
 * libvirt's own XML always does), on the root bus: pci.0 (i440FX) or pcie.0 (Q35).
 * Other buses, domains and address types are refused: the device would land
 * elsewhere than described.
 */
bool qemu_build_pci_address(const QemuBuild *b, const XmlExtras *extras, const char *what,
                            JsonBuilder *p, GError **error)
{
    const XmlElem *addr = qemu_build_extras_child(extras, "address");
    guint64 domain = 0, bus = 0, slot = 0, function = 0;
    const char *multi;

    if (!addr)
        return true;
    if (g_strcmp0(qemu_build_elem_attr(addr, "type"), "pci") != 0)
        return qemu_build_unsupported(b, error, "%s: address type '%s' is not implemented", what,
                                      qemu_build_elem_attr(addr, "type"));
    if ((qemu_build_elem_attr(addr, "domain") &&
         !qemu_pci_number(qemu_build_elem_attr(addr, "domain"), 0xffff, &domain)) ||
        (qemu_build_elem_attr(addr, "bus") &&
         !qemu_pci_number(qemu_build_elem_attr(addr, "bus"), 0xff, &bus)) ||
        !qemu_pci_number(qemu_build_elem_attr(addr, "slot"), 0x1f, &slot) ||
        (qemu_build_elem_attr(addr, "function") &&
         !qemu_pci_number(qemu_build_elem_attr(addr, "function"), 7, &function)))
        return qemu_build_unsupported(b, error, "%s: invalid PCI address", what);
    if (domain != 0 || bus != 0)
        return qemu_build_unsupported(b, error, "%s: only PCI bus 0 is implemented", what);
    qemu_props_str(p, "bus", b->q35 ? "pcie.0" : "pci.0");
    {
        g_autofree char *a = function
                                 ? g_strdup_printf("0x%x.0x%x", (unsigned)slot, (unsigned)function)
                                 : g_strdup_printf("0x%x", (unsigned)slot);

        qemu_props_str(p, "addr", a);
    }
    multi = qemu_build_elem_attr(addr, "multifunction");
    if (multi)
        qemu_props_bool(p, "multifunction", g_str_equal(multi, "on"));
    return true;
}

JsonBuilder *qemu_props_new(const char *key, const char *value)
{
    JsonBuilder *p = json_builder_new();

    json_builder_begin_object(p);
    qemu_props_str(p, key, value);
    return p;
}

void qemu_props_str(JsonBuilder *p, const char *name, const char *value)
{
    json_builder_set_member_name(p, name);
    json_builder_add_string_value(p, value);
}

void qemu_props_int(JsonBuilder *p, const char *name, gint64 value)
{
    json_builder_set_member_name(p, name);
    json_builder_add_int_value(p, value);
}

void qemu_props_bool(JsonBuilder *p, const char *name, bool value)
{
    json_builder_set_member_name(p, name);
    json_builder_add_boolean_value(p, value);
}

/* -device/-blockdev/-object take JSON: no escaping rules to get wrong for paths. */
void qemu_build_add_json(QemuBuild *b, const char *option, JsonBuilder *p)
{
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *text = NULL;

    json_builder_end_object(p);
    root = json_builder_get_root(p);
    text = json_to_string(root, FALSE);
    command_add_args(b->cmd, option, text, NULL);
    g_object_unref(p);
}

char *qemu_build_opt_escape(const char *value)
{
    GString *s = g_string_new(NULL);

    for (const char *c = value; *c; c++) {
        if (*c == ',')
            g_string_append_c(s, ',');
        g_string_append_c(s, *c);
    }
    return g_string_free(s, FALSE);
}

/* ---- the machine-wide part ---- */

/* A clean environment: QEMU's HOME and XDG dirs are the domain's own directory. A
 * clock in a named timezone is QEMU's localtime with TZ set (as libvirt does). */
static void qemu_build_env(QemuBuild *b)
{
    const char *lib = b->prep->lib_dir;

    command_add_env_common(b->cmd);
    if (lib) {
        g_autofree char *data = g_build_filename(lib, ".local", "share", NULL);
        g_autofree char *cache = g_build_filename(lib, ".cache", NULL);
        g_autofree char *config = g_build_filename(lib, ".config", NULL);

        command_add_env(b->cmd, "HOME", lib);
        command_add_env(b->cmd, "XDG_DATA_HOME", data);
        command_add_env(b->cmd, "XDG_CACHE_HOME", cache);
        command_add_env(b->cmd, "XDG_CONFIG_HOME", config);
    }
    if (g_strcmp0(b->def->clock.offset, "timezone") == 0)
        command_add_env(b->cmd, "TZ", b->def->clock.timezone);
}

static bool qemu_build_check_domain(QemuBuild *b, GError **error)
{
    const DomainDef *def = b->def;

    if (def->os.type != DOMAIN_OS_HVM)
        return qemu_build_unsupported(b, error, "os type '%s' is not supported by QEMU",
                                      domain_os_type_to_string(def->os.type));
    if (def->os.arch && g_strcmp0(def->os.arch, b->caps->arch) != 0)
        return qemu_build_unsupported(b, error,
                                      "architecture '%s' is not supported by emulator '%s'",
                                      def->os.arch, b->caps->binary);
    if (def->virt_type == DOMAIN_VIRT_KVM &&
        !qemu_caps_supports_virt_type(b->caps, DOMAIN_VIRT_KVM))
        return qemu_build_unsupported(b, error,
                                      "domain type 'kvm' needs KVM, which is not available on "
                                      "this host; use type='qemu'");
    if (def->virt_type != DOMAIN_VIRT_KVM && def->virt_type != DOMAIN_VIRT_QEMU)
        return qemu_build_unsupported(b, error, "domain type '%s' is not supported by QEMU",
                                      domain_virt_type_to_string(def->virt_type));
    return qemu_build_need_caps(
        b, def->virt_type == DOMAIN_VIRT_KVM ? QEMU_CAPS_ACCEL_KVM : QEMU_CAPS_ACCEL_TCG,
        "the accelerator", error);
}

/* Elements of the definition that have no QEMU equivalent here, refused up front. */
static bool qemu_build_check_toplevel(QemuBuild *b, GError **error)
{
    static const char *const features_ok[] = { "pae", "vmport", NULL };
    static const char *const memory_ok[] = { "dumpCore", NULL };
    static const char *const os_ok[] = { "bootmenu", NULL };
    const DomainDef *def = b->def;

    if (!qemu_build_check_extras(b, def->extras, "the definition", NULL, NULL, error) ||
        !qemu_build_check_extras(b, def->features_extras, "<features>", features_ok, NULL, error) ||
        !qemu_build_check_extras(b, def->apic_extras, "<apic>", NULL, NULL, error) ||
        !qemu_build_check_extras(b, def->memory_extras, "<memory>", NULL, memory_ok, error) ||
        !qemu_build_check_extras(b, def->os.extras, "<os>", os_ok, NULL, error) ||
        !qemu_build_check_extras(b, def->os.type_extras, "<os><type>", NULL, NULL, error) ||
        !qemu_build_check_extras(b, def->devices_extras, "<devices>", NULL, NULL, error))
        return false;
    if (def->os.loader || def->os.nvram)
        return qemu_build_unsupported(b, error, "<loader>/<nvram> firmware is not implemented");
    if (def->os.dtb || def->os.init)
        return qemu_build_unsupported(b, error, "<os> <dtb>/<init> are not supported by QEMU x86");
    if (g_strcmp0(def->vcpu_placement, "auto") == 0 || def->vcpu_cpuset)
        return qemu_build_unsupported(b, error, "<vcpu> placement/cpuset is not implemented");
    if (def->filesystems->len)
        return qemu_build_unsupported(b, error, "<filesystem> is not implemented");
    return true;
}

static bool qemu_build_machine(QemuBuild *b, GError **error)
{
    const DomainDef *def = b->def;
    const char *name = def->os.machine ? def->os.machine : qemu_caps_default_machine(b->caps);
    const char *dump = qemu_build_extras_attr(def->memory_extras, "dumpCore");
    const XmlElem *vmport = qemu_build_extras_child(def->features_extras, "vmport");
    g_autoptr(GString) opt = g_string_new(NULL);

    b->machine = name ? qemu_caps_machine_lookup(b->caps, name) : NULL;
    if (!b->machine)
        return qemu_build_unsupported(b, error, "emulator '%s' does not support machine type '%s'",
                                      b->caps->binary, name ? name : "");
    b->q35 = g_str_has_prefix(b->machine->name, "pc-q35");
    if (!b->q35 && !g_str_has_prefix(b->machine->name, "pc-i440fx"))
        return qemu_build_unsupported(b, error, "machine type '%s' is not implemented",
                                      b->machine->name);
    if (def->vcpus > b->machine->max_cpus)
        return qemu_build_unsupported(b, error, "%u vCPUs exceed the %u of machine '%s'",
                                      def->vcpus, b->machine->max_cpus, b->machine->name);
    g_string_append_printf(opt, "%s,usb=off,dump-guest-core=%s", b->machine->name,
                           g_strcmp0(dump, "on") == 0 ? "on" : "off");
    if (vmport)
        g_string_append_printf(opt, ",vmport=%s",
                               g_strcmp0(qemu_build_elem_attr(vmport, "state"), "on") == 0 ? "on"
                                                                                           : "off");
    for (guint i = 0; def->clock.extras && i < def->clock.extras->children->len; i++) {
        const XmlElem *timer = g_ptr_array_index(def->clock.extras->children, i);

        if (g_strcmp0(timer->name, "timer") == 0 &&
            g_strcmp0(qemu_build_elem_attr(timer, "name"), "hpet") == 0)
            g_string_append_printf(
                opt, ",hpet=%s",
                g_strcmp0(qemu_build_elem_attr(timer, "present"), "no") == 0 ? "off" : "on");
    }
    g_string_append_printf(opt, ",acpi=%s", def->features & DOMAIN_FEATURE_ACPI ? "on" : "off");
    command_add_args(b->cmd, "-machine", opt->str, NULL);
    command_add_args(b->cmd, "-accel", def->virt_type == DOMAIN_VIRT_KVM ? "kvm" : "tcg", NULL);
    return true;
}

static bool qemu_build_cpu_features(QemuBuild *b, GString *opt, GError **error)
{
    for (guint i = 0; b->def->cpu.extras && i < b->def->cpu.extras->children->len; i++) {
        const XmlElem *elem = g_ptr_array_index(b->def->cpu.extras->children, i);
        const char *policy = qemu_build_elem_attr(elem, "policy");
        const char *name = qemu_build_elem_attr(elem, "name");

        if (g_strcmp0(elem->name, "feature") != 0)
            continue;
        if (!name)
            return qemu_build_unsupported(b, error, "<cpu><feature> without a name");
        if (g_strcmp0(policy, "require") == 0 || g_strcmp0(policy, "force") == 0)
            g_string_append_printf(opt, ",%s=on", name);
        else if (g_strcmp0(policy, "disable") == 0 || g_strcmp0(policy, "forbid") == 0)
            g_string_append_printf(opt, ",%s=off", name);
        else
            return qemu_build_unsupported(b, error, "<cpu><feature policy='%s'> is not implemented",
                                          policy ? policy : "");
    }
    return true;
}

static bool qemu_build_cpu(QemuBuild *b, GError **error)
{
    static const char *const cpu_ok[] = { "topology", "feature", NULL };
    const DomainCpuDef *cpu = &b->def->cpu;
    g_autoptr(GString) opt = g_string_new(NULL);
    bool kvm = b->def->virt_type == DOMAIN_VIRT_KVM;

    if (!qemu_build_check_extras(b, cpu->extras, "<cpu>", cpu_ok, NULL, error) ||
        !qemu_build_check_extras(b, cpu->model_extras, "<cpu><model>", NULL, NULL, error))
        return false;
    if (!cpu->mode && !cpu->model)
        return true; /* no <cpu>: QEMU's default model for the machine */
    if (g_strcmp0(cpu->mode, "host-passthrough") == 0) {
        if (!kvm)
            return qemu_build_unsupported(b, error,
                                          "CPU mode 'host-passthrough' needs domain type 'kvm'");
        g_string_append(opt, "host");
    } else if (g_strcmp0(cpu->mode, "maximum") == 0) {
        g_string_append(opt, "max");
    } else if (!cpu->mode || g_str_equal(cpu->mode, "custom")) {
        const QemuMonitorCpuModel *m =
            cpu->model ? qemu_caps_cpu_model_lookup(b->caps, cpu->model) : NULL;

        if (!m)
            return qemu_build_unsupported(b, error, "CPU model '%s' is not supported by '%s'",
                                          cpu->model ? cpu->model : "", b->caps->binary);
        g_string_append(opt, m->name);
    } else {
        return qemu_build_unsupported(b, error, "CPU mode '%s' is not implemented", cpu->mode);
    }
    if (!qemu_build_cpu_features(b, opt, error))
        return false;
    command_add_args(b->cmd, "-cpu", opt->str, NULL);
    return true;
}

static void qemu_build_memory(QemuBuild *b)
{
    const DomainDef *def = b->def;

    if (def->max_memory_kib)
        command_add_argf(b->cmd,
                         "size=%" G_GUINT64_FORMAT "k,slots=%u,maxmem=%" G_GUINT64_FORMAT "k",
                         def->memory_kib, def->max_memory_slots, def->max_memory_kib);
    else
        command_add_argf(b->cmd, "size=%" G_GUINT64_FORMAT "k", def->memory_kib);
}

/* -smp current,maxcpus=N with <topology> when given, else N sockets of one core. */
static bool qemu_build_smp(QemuBuild *b, GError **error)
{
    const XmlElem *topo = qemu_build_extras_child(b->def->cpu.extras, "topology");
    unsigned vals[4] = { b->def->vcpus, 1, 1, 1 }; /* sockets dies cores threads */
    static const char *const names[] = { "sockets", "dies", "cores", "threads" };

    for (int i = 0; topo && i < 4; i++) {
        const char *v = qemu_build_elem_attr(topo, names[i]);
        guint64 n = 1;

        if (v && !g_ascii_string_to_unsigned(v, 10, 1, 4096, &n, NULL))
            return qemu_build_unsupported(b, error, "<topology> %s='%s' is invalid", names[i], v);
        vals[i] = (unsigned)n;
    }
    if (topo && vals[0] * vals[1] * vals[2] * vals[3] != b->def->vcpus)
        return qemu_build_unsupported(b, error, "<topology> gives %u vCPUs but <vcpu> asks for %u",
                                      vals[0] * vals[1] * vals[2] * vals[3], b->def->vcpus);
    command_add_arg(b->cmd, "-smp");
    command_add_argf(b->cmd, "%u,maxcpus=%u,sockets=%u,dies=%u,cores=%u,threads=%u",
                     b->def->vcpus_current, b->def->vcpus, vals[0], vals[1], vals[2], vals[3]);
    return true;
}

static bool qemu_build_monitor(QemuBuild *b, GError **error)
{
    const QemuPrepared *prep = b->prep;

    if (prep->monitor_fd >= 3) {
        /* with monitor_fd_launcher the launcher maps its socket to that number */
        if (!prep->monitor_fd_launcher)
            command_pass_fd(b->cmd, prep->monitor_fd, 0);
        command_add_arg(b->cmd, "-chardev");
        /* a listening socket (as libvirt passes) or our end of a socketpair */
        command_add_argf(b->cmd, "socket,id=charmonitor,fd=%d%s", prep->monitor_fd,
                         prep->monitor_fd_connected ? "" : ",server=on,wait=off");
    } else if (prep->monitor_path) {
        g_autofree char *path = qemu_build_opt_escape(prep->monitor_path);

        command_add_arg(b->cmd, "-chardev");
        command_add_argf(b->cmd, "socket,id=charmonitor,path=%s,server=on,wait=off", path);
    } else {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "domain '%s': no monitor socket prepared", b->def->name);
        return false;
    }
    command_add_args(b->cmd, "-mon", "chardev=charmonitor,id=monitor,mode=control", NULL);
    return true;
}

/* <clock> → -rtc; timers with a QEMU equivalent are honoured, others refused. */
static bool qemu_build_timer(QemuBuild *b, const XmlElem *timer, GString *rtc, GError **error)
{
    const char *name = qemu_build_elem_attr(timer, "name");
    const char *tick = qemu_build_elem_attr(timer, "tickpolicy");
    const char *present = qemu_build_elem_attr(timer, "present");

    if (g_strcmp0(name, "rtc") == 0 && g_strcmp0(tick, "catchup") == 0 && !present) {
        g_string_append(rtc, ",driftfix=slew");
        return true;
    }
    if (g_strcmp0(name, "pit") == 0 && g_strcmp0(tick, "delay") == 0 && !present) {
        /* QEMU's PIT delays lost ticks by default; only the in-kernel one needs telling */
        if (b->def->virt_type == DOMAIN_VIRT_KVM)
            command_add_args(b->cmd, "-global", "kvm-pit.lost_tick_policy=delay", NULL);
        return true;
    }
    if (g_strcmp0(name, "hpet") == 0 && present && !tick)
        return true; /* machine option hpet=, see qemu_build_machine() */
    return qemu_build_unsupported(b, error,
                                  "<timer name='%s'> with these attributes is not "
                                  "implemented",
                                  name ? name : "");
}

static bool qemu_build_clock(QemuBuild *b, GError **error)
{
    const DomainClockDef *clock = &b->def->clock;
    g_autoptr(GString) rtc = g_string_new("base=");

    if (!g_strcmp0(clock->offset, "utc") || !clock->offset)
        g_string_append(rtc, "utc");
    else if (g_str_equal(clock->offset, "localtime") || g_str_equal(clock->offset, "timezone"))
        g_string_append(rtc, "localtime");
    else
        return qemu_build_unsupported(b, error, "<clock offset='%s'> is not implemented",
                                      clock->offset);
    if (clock->adjustment || clock->basis)
        return qemu_build_unsupported(b, error, "<clock> adjustment/basis is not implemented");
    for (guint i = 0; clock->extras && i < clock->extras->children->len; i++) {
        const XmlElem *elem = g_ptr_array_index(clock->extras->children, i);

        if (!elem->name)
            continue;
        if (!g_str_equal(elem->name, "timer"))
            return qemu_build_unsupported(b, error,
                                          "<clock> uses <%s>, which the QEMU driver "
                                          "does not implement",
                                          elem->name);
        if (!qemu_build_timer(b, elem, rtc, error))
            return false;
    }
    command_add_args(b->cmd, "-rtc", rtc->str, NULL);
    return true;
}

/*
 * Lifecycle: with on_poweroff='destroy' QEMU exits by itself when the guest powers off
 * (the daemon sees SHUTDOWN and the exit). Any other poweroff action keeps QEMU
 * (-no-shutdown) so the daemon can restart or preserve the guest. on_reboot='destroy'
 * turns a reboot into a poweroff (-no-reboot). on_crash only matters with a panic
 * device, which this driver does not create; 'destroy' is QEMU's default.
 */
static bool qemu_build_lifecycle(QemuBuild *b, GError **error)
{
    const DomainDef *def = b->def;

    switch (def->on_poweroff) {
    case DOMAIN_LIFECYCLE_DEFAULT:
    case DOMAIN_LIFECYCLE_DESTROY:
        break;
    case DOMAIN_LIFECYCLE_RESTART:
    case DOMAIN_LIFECYCLE_PRESERVE:
        command_add_arg(b->cmd, "-no-shutdown");
        break;
    case DOMAIN_LIFECYCLE_RESTART_RENAME:
    case DOMAIN_LIFECYCLE_COREDUMP_DESTROY:
    case DOMAIN_LIFECYCLE_COREDUMP_RESTART:
    case _DOMAIN_LIFECYCLE_MAX:
    case _DOMAIN_LIFECYCLE_INVALID:
        return qemu_build_unsupported(b, error, "<on_poweroff>%s</on_poweroff> is not supported",
                                      domain_lifecycle_action_to_string(def->on_poweroff));
    }
    if (def->on_reboot == DOMAIN_LIFECYCLE_DESTROY)
        command_add_arg(b->cmd, "-no-reboot");
    else if (def->on_reboot != DOMAIN_LIFECYCLE_RESTART &&
             def->on_reboot != DOMAIN_LIFECYCLE_DEFAULT)
        return qemu_build_unsupported(b, error, "<on_reboot>%s</on_reboot> is not supported",
                                      domain_lifecycle_action_to_string(def->on_reboot));
    if (def->on_crash != DOMAIN_LIFECYCLE_DESTROY && def->on_crash != DOMAIN_LIFECYCLE_DEFAULT)
        return qemu_build_unsupported(b, error, "<on_crash>%s</on_crash> is not supported",
                                      domain_lifecycle_action_to_string(def->on_crash));
    return true;
}

/* <os><boot dev> → -boot order=; per-device <boot order> became bootindex instead. */
static bool qemu_build_boot(QemuBuild *b, GError **error)
{
    static const struct {
        const char *dev;
        char letter;
    } map[] = { { "hd", 'c' }, { "cdrom", 'd' }, { "network", 'n' }, { "fd", 'a' } };
    const XmlElem *menu = qemu_build_extras_child(b->def->os.extras, "bootmenu");
    g_autoptr(GString) opt = g_string_new(NULL);

    for (guint i = 0; !domain_def_has_device_boot(b->def) && i < b->def->os.boot_devs->len; i++) {
        const char *dev = g_ptr_array_index(b->def->os.boot_devs, i);
        size_t m = 0;

        while (m < G_N_ELEMENTS(map) && !g_str_equal(map[m].dev, dev))
            m++;
        if (m == G_N_ELEMENTS(map))
            return qemu_build_unsupported(b, error, "<boot dev='%s'> is not supported", dev);
        g_string_append_c(opt, map[m].letter);
    }
    if (opt->len)
        g_string_prepend(opt, "order=");
    if (menu) {
        const char *timeout = qemu_build_elem_attr(menu, "timeout");

        g_string_append_printf(opt, "%smenu=%s", opt->len ? "," : "",
                               g_strcmp0(qemu_build_elem_attr(menu, "enable"), "yes") == 0 ? "on"
                                                                                           : "off");
        if (timeout)
            g_string_append_printf(opt, ",splash-time=%s", timeout);
    }
    g_string_append_printf(opt, "%sstrict=on", opt->len ? "," : "");
    command_add_args(b->cmd, "-boot", opt->str, NULL);
    return true;
}

static void qemu_build_kernel(QemuBuild *b)
{
    const DomainOsDef *os = &b->def->os;

    if (os->kernel)
        command_add_args(b->cmd, "-kernel", os->kernel, NULL);
    if (os->initrd)
        command_add_args(b->cmd, "-initrd", os->initrd, NULL);
    if (os->cmdline)
        command_add_args(b->cmd, "-append", os->cmdline, NULL);
}

static bool qemu_build_head(QemuBuild *b, GError **error)
{
    char uuid[VIRT_UUID_STRING_LEN];
    g_autofree char *name = qemu_build_opt_escape(b->def->name);

    command_add_arg(b->cmd, "-name");
    command_add_argf(b->cmd, "guest=%s,debug-threads=on", name);
    command_add_arg(b->cmd, "-S");
    if (!qemu_build_machine(b, error) || !qemu_build_cpu(b, error))
        return false;
    command_add_arg(b->cmd, "-m");
    qemu_build_memory(b);
    if (!qemu_build_smp(b, error))
        return false;
    virt_uuid_format(b->def->uuid, uuid);
    command_add_args(b->cmd, "-uuid", uuid, NULL);
    if (!b->def->graphics->len)
        command_add_args(b->cmd, "-display", "none", NULL);
    command_add_args(b->cmd, "-no-user-config", "-nodefaults", NULL);
    if (!qemu_build_monitor(b, error) || !qemu_build_clock(b, error) ||
        !qemu_build_lifecycle(b, error) || !qemu_build_boot(b, error))
        return false;
    qemu_build_kernel(b);
    return true;
}

static bool qemu_build_devices(QemuBuild *b, GError **error)
{
    return qemu_build_controllers(b, error) && qemu_build_disks(b, error) &&
           qemu_build_nets(b, error) && qemu_build_chrs(b, error) && qemu_build_inputs(b, error) &&
           qemu_build_graphics(b, error) && qemu_build_videos(b, error) &&
           qemu_build_balloon_rng(b, error);
}

/**
 * qemu_build_command: the QEMU command line for @def on the binary described by @caps,
 * with the host resources in @prep. Pure: no I/O. Fails, naming the element, on
 * anything in @def this driver does not implement.
 */
bool qemu_build_command(const DomainDef *def, const QemuCaps *caps, const QemuPrepared *prep,
                        Command **ret_cmd, GError **error)
{
    g_autoptr(Command) cmd = command_new(caps->binary);
    QemuBuild b = { .def = def, .caps = caps, .prep = prep, .cmd = cmd };

    if (!qemu_build_check_domain(&b, error) || !qemu_build_check_toplevel(&b, error))
        return false;
    qemu_build_env(&b);
    if (!qemu_build_head(&b, error) || !qemu_build_devices(&b, error))
        return false;
    if (prep->pidfile)
        command_add_args(cmd, "-pidfile", prep->pidfile, NULL);
    command_add_args(cmd, "-msg", "timestamp=on", NULL);
    if (!command_check(cmd, error))
        return false;
    *ret_cmd = g_steal_pointer(&cmd);
    return true;
}
