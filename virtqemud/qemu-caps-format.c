/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The QEMU guest of <capabilities> (filled into conf's model, which formats it) and
 * <domainCapabilities> as libvirt formats them for QEMU (formatcaps.html,
 * formatdomaincaps.html; both validate against libvirt's capability.rng and
 * domaincaps.rng). Only what this driver really implements is
 * announced as supported: an application that trusts domcapabilities must not be
 * offered a device the command line builder would refuse.
 */

#include <string.h>

#include "conf/capabilities.h"
#include "conf/xml-writer.h"
#include "qemu-caps.h"
#include "util/error.h"

static unsigned qemu_caps_wordsize(const char *arch)
{
    static const char *const arch32[] = { "i686", "armv7l", "ppc", "mips", "mipsel", NULL };

    return g_strv_contains(arch32, arch) ? 32 : 64;
}

/**
 * qemu_caps_add_guest: the <guest> of @qc in @caps (conf/capabilities.h formats it in
 * libvirt's layout): hvm on the emulator's arch, its machines with the default first
 * and aliases naming their machine, the domain types it can run (qemu; kvm only when
 * KVM is usable), and the features libvirt lists for x86.
 */
void qemu_caps_add_guest(Capabilities *caps, const QemuCaps *qc)
{
    CapsGuest *guest =
        capabilities_add_guest(caps, "hvm", qc->arch, qemu_caps_wordsize(qc->arch), qc->binary);
    const char *def = qemu_caps_default_machine(qc);
    const QemuMonitorMachine *dm = def ? qemu_caps_machine_lookup(qc, def) : NULL;

    if (dm) {
        caps_guest_add_machine(guest, dm->name, NULL, dm->max_cpus);
        if (dm->alias)
            caps_guest_add_machine(guest, dm->alias, dm->name, dm->max_cpus);
    }
    for (guint i = 0; i < qc->machines->len; i++) {
        const QemuMonitorMachine *m = g_ptr_array_index(qc->machines, i);

        if (m == dm)
            continue;
        caps_guest_add_machine(guest, m->name, NULL, m->max_cpus);
        if (m->alias)
            caps_guest_add_machine(guest, m->alias, m->name, m->max_cpus);
    }
    for (DomainVirtType t = DOMAIN_VIRT_QEMU; t <= DOMAIN_VIRT_KVM; t++) {
        if (qemu_caps_supports_virt_type(qc, t))
            caps_guest_add_domain(guest, domain_virt_type_to_string(t), NULL);
    }
    if (g_str_equal(qc->arch, "i686")) {
        caps_guest_add_feature(guest, "pae", NULL, NULL);
        caps_guest_add_feature(guest, "nonpae", NULL, NULL);
    }
    caps_guest_add_feature(guest, "acpi", "on", "yes");
    caps_guest_add_feature(guest, "apic", "on", "no");
    caps_guest_add_feature(guest, "cpuselection", NULL, NULL);
    caps_guest_add_feature(guest, "deviceboot", NULL, NULL);
    caps_guest_add_feature(guest, "disksnapshot", "on", "no");
}

/* ---- domainCapabilities ---- */

static void qemu_caps_write_enum(XmlWriter *w, const char *name, const char *const *values)
{
    xml_writer_start(w, "enum");
    xml_writer_attr(w, "name", name);
    for (size_t i = 0; values[i]; i++)
        xml_writer_text_element(w, "value", values[i]);
    xml_writer_end(w);
}

static void qemu_caps_write_supported(XmlWriter *w, const char *name, bool supported)
{
    xml_writer_start(w, name);
    xml_writer_attr(w, "supported", supported ? "yes" : "no");
}

/* query-cpu-definitions does not name vendors; libvirt takes them from its CPU map.
 * Model families are stable names, so a short table gives the same answer. */
static const char *qemu_caps_cpu_vendor(const char *model)
{
    static const char *const amd[] = { "EPYC", "Opteron", "phenom", "athlon", NULL };
    static const char *const intel[] = {
        "Conroe",      "Penryn",      "Nehalem",     "Westmere",
        "SandyBridge", "IvyBridge",   "Haswell",     "Broadwell",
        "Skylake",     "Cascadelake", "Cooperlake",  "Icelake",
        "Snowridge",   "Denverton",   "KnightsMill", "SapphireRapids",
        "core2duo",    "coreduo",     "n270",        "pentium",
        "486",         NULL,
    };

    for (size_t i = 0; amd[i]; i++) {
        if (g_str_has_prefix(model, amd[i]))
            return "AMD";
    }
    if (g_str_has_prefix(model, "Dhyana"))
        return "Hygon";
    for (size_t i = 0; intel[i]; i++) {
        if (g_str_has_prefix(model, intel[i]))
            return "Intel";
    }
    return "unknown";
}

static void qemu_caps_write_cpu(XmlWriter *w, const QemuCaps *caps, DomainVirtType type)
{
    static const char *const on_off[] = { "on", "off", NULL };

    GPtrArray *models = type == DOMAIN_VIRT_KVM ? caps->cpu_models_kvm : caps->cpu_models;

    xml_writer_start(w, "cpu");
    xml_writer_start(w, "mode");
    xml_writer_attr(w, "name", "host-passthrough");
    xml_writer_attr(w, "supported", type == DOMAIN_VIRT_KVM ? "yes" : "no");
    xml_writer_end(w);
    xml_writer_start(w, "mode");
    xml_writer_attr(w, "name", "maximum");
    xml_writer_attr(w, "supported", "yes");
    qemu_caps_write_enum(w, "maximumMigratable", on_off);
    xml_writer_end(w);
    xml_writer_start(w, "mode");
    xml_writer_attr(w, "name", "host-model");
    xml_writer_attr(w, "supported", "no");
    xml_writer_end(w);
    xml_writer_start(w, "mode");
    xml_writer_attr(w, "name", "custom");
    xml_writer_attr(w, "supported", "yes");
    for (guint i = 0; i < models->len; i++) {
        const QemuMonitorCpuModel *m = g_ptr_array_index(models, i);

        /* host/max/base are not models: "host" and "max" are the modes above */
        if (g_str_equal(m->name, "host") || g_str_equal(m->name, "max") ||
            g_str_equal(m->name, "base"))
            continue;
        xml_writer_start(w, "model");
        xml_writer_attr(w, "usable", m->usable ? "yes" : "no");
        if (m->deprecated)
            xml_writer_attr(w, "deprecated", "yes");
        xml_writer_attr(w, "vendor", qemu_caps_cpu_vendor(m->name));
        xml_writer_text(w, m->name);
        xml_writer_end(w);
    }
    xml_writer_end(w);
    xml_writer_end(w);
}

/* An enum value offered only when the QEMU binary has the device behind it. */
typedef struct QemuCapsValue {
    const char *value;
    QemuCapsFlag flag;
} QemuCapsValue;

static void qemu_caps_write_enum_caps(XmlWriter *w, const QemuCaps *caps, const char *name,
                                      const QemuCapsValue *values, size_t n)
{
    g_autoptr(GPtrArray) list = g_ptr_array_new();

    for (size_t i = 0; i < n; i++) {
        if (qemu_caps_has(caps, values[i].flag))
            g_ptr_array_add(list, (char *)values[i].value);
    }
    g_ptr_array_add(list, NULL);
    qemu_caps_write_enum(w, name, (const char *const *)list->pdata);
}

static void qemu_caps_write_devices(XmlWriter *w, const QemuCaps *caps)
{
    static const QemuCapsValue disk_devices[] = {
        { "disk", QEMU_CAPS_DEVICE_IDE_HD },
        { "cdrom", QEMU_CAPS_DEVICE_IDE_CD },
    };
    static const QemuCapsValue buses[] = {
        { "ide", QEMU_CAPS_DEVICE_IDE_HD },
        { "scsi", QEMU_CAPS_DEVICE_SCSI_HD },
        { "virtio", QEMU_CAPS_DEVICE_VIRTIO_BLK_PCI },
        { "sata", QEMU_CAPS_DEVICE_ICH9_AHCI },
    };
    static const QemuCapsValue graphics[] = {
        { "vnc", QEMU_CAPS_VNC },
        { "spice", QEMU_CAPS_SPICE },
    };
    static const QemuCapsValue videos[] = {
        { "vga", QEMU_CAPS_DEVICE_VGA },
        { "cirrus", QEMU_CAPS_DEVICE_CIRRUS_VGA },
        { "qxl", QEMU_CAPS_DEVICE_QXL_VGA },
        { "virtio", QEMU_CAPS_DEVICE_VIRTIO_VGA },
    };
    static const QemuCapsValue rng_models[] = {
        { "virtio", QEMU_CAPS_DEVICE_VIRTIO_RNG_PCI },
    };
    static const char *const rng_backends[] = { "random", NULL };
    static const char *const none[] = { NULL };

    xml_writer_start(w, "devices");
    qemu_caps_write_supported(w, "disk", true);
    qemu_caps_write_enum_caps(w, caps, "diskDevice", disk_devices, G_N_ELEMENTS(disk_devices));
    qemu_caps_write_enum_caps(w, caps, "bus", buses, G_N_ELEMENTS(buses));
    xml_writer_end(w);
    qemu_caps_write_supported(w, "graphics", true);
    qemu_caps_write_enum_caps(w, caps, "type", graphics, G_N_ELEMENTS(graphics));
    xml_writer_end(w);
    qemu_caps_write_supported(w, "video", true);
    qemu_caps_write_enum_caps(w, caps, "modelType", videos, G_N_ELEMENTS(videos));
    xml_writer_end(w);
    qemu_caps_write_supported(w, "hostdev", false);
    qemu_caps_write_enum(w, "mode", none);
    xml_writer_end(w);
    qemu_caps_write_supported(w, "rng", qemu_caps_has(caps, QEMU_CAPS_DEVICE_VIRTIO_RNG_PCI));
    qemu_caps_write_enum_caps(w, caps, "model", rng_models, G_N_ELEMENTS(rng_models));
    qemu_caps_write_enum(w, "backendModel", rng_backends);
    xml_writer_end(w);
    qemu_caps_write_supported(w, "filesystem", false);
    qemu_caps_write_enum(w, "driverType", none);
    xml_writer_end(w);
    xml_writer_end(w);
}

static void qemu_caps_write_features(XmlWriter *w)
{
    static const char *const unsupported[] = { "vmcoreinfo", "genid", "backingStoreInput",
                                               "backup",     "sev",   NULL };

    xml_writer_start(w, "features");
    qemu_caps_write_supported(w, "gic", false);
    qemu_caps_write_enum(w, "version", (const char *const[]){ NULL });
    xml_writer_end(w);
    for (size_t i = 0; unsupported[i]; i++) {
        qemu_caps_write_supported(w, unsupported[i], false);
        xml_writer_end(w);
    }
    xml_writer_end(w);
}

static bool qemu_caps_check_domcaps_args(const QemuCaps *caps, DomainVirtType type,
                                         const char *machine, GError **error)
{
    if (type != DOMAIN_VIRT_QEMU && type != DOMAIN_VIRT_KVM) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INVALID_ARG,
                    "virttype '%s' is not supported by the QEMU driver",
                    domain_virt_type_to_string(type) ? domain_virt_type_to_string(type) : "");
        return false;
    }
    if (!qemu_caps_supports_virt_type(caps, type)) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_CONFIG_UNSUPPORTED,
                    "virttype '%s' is not supported by emulator '%s'",
                    domain_virt_type_to_string(type), caps->binary);
        return false;
    }
    if (machine && !qemu_caps_machine_lookup(caps, machine)) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INVALID_ARG,
                    "the machine '%s' is not supported by emulator '%s'", machine, caps->binary);
        return false;
    }
    return true;
}

/**
 * qemu_caps_format_domain_caps: libvirt's <domainCapabilities> for @caps with
 * domain type @type and machine @machine (NULL = QEMU's default machine; an alias is
 * shown as the machine it stands for).
 */
char *qemu_caps_format_domain_caps(const QemuCaps *caps, DomainVirtType type, const char *machine,
                                   GError **error)
{
    static const char *const none[] = { NULL };
    const QemuMonitorMachine *m;
    GString *buf;
    XmlWriter w;

    if (!qemu_caps_check_domcaps_args(caps, type, machine, error))
        return NULL;
    m = qemu_caps_machine_lookup(caps, machine ? machine : qemu_caps_default_machine(caps));
    buf = g_string_new(NULL);
    xml_writer_init(&w, buf, 0);
    xml_writer_start(&w, "domainCapabilities");
    xml_writer_text_element(&w, "path", caps->binary);
    xml_writer_text_element(&w, "domain", domain_virt_type_to_string(type));
    if (m)
        xml_writer_text_element(&w, "machine", m->name);
    xml_writer_text_element(&w, "arch", caps->arch);
    if (m) {
        xml_writer_start(&w, "vcpu");
        xml_writer_attr_uint(&w, "max", m->max_cpus);
        xml_writer_end(&w);
    }
    qemu_caps_write_supported(&w, "iothreads", false);
    xml_writer_end(&w);
    qemu_caps_write_supported(&w, "os", true);
    qemu_caps_write_enum(&w, "firmware", none);
    qemu_caps_write_supported(&w, "loader", false);
    qemu_caps_write_enum(&w, "type", none);
    xml_writer_end(&w);
    xml_writer_end(&w);
    qemu_caps_write_cpu(&w, caps, type);
    qemu_caps_write_devices(&w, caps);
    qemu_caps_write_features(&w);
    xml_writer_end(&w);
    return g_string_free(buf, FALSE);
}
