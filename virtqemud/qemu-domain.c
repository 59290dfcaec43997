/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The QEMU driver's post-parse defaults, on top of the generic ones (conf/): the
 * emulator and architecture, the machine type in its canonical name (an alias such as
 * "pc" is resolved against the capabilities, as libvirt records it at define time),
 * and the devices libvirt's QEMU driver adds: PCI root, USB controller, PS/2 inputs
 * with graphics, a video adapter with graphics, and the memory balloon.
 */

#include "qemu-command-priv.h"
#include "util/error.h"

static bool qemu_has_controller(const DomainDef *def, DomainControllerType type)
{
    for (guint i = 0; i < def->controllers->len; i++) {
        const DomainControllerDef *ctrl = g_ptr_array_index(def->controllers, i);

        if (ctrl->type == type)
            return true;
    }
    return false;
}

static void qemu_add_controller(DomainDef *def, DomainControllerType type, const char *model)
{
    DomainControllerDef *ctrl = domain_controller_def_new();

    ctrl->type = type;
    ctrl->index = 0;
    ctrl->model = g_strdup(model);
    g_ptr_array_add(def->controllers, ctrl);
}

static void qemu_add_input(DomainDef *def, const char *type)
{
    DomainInputDef *input = domain_input_def_new();

    input->type = g_strdup(type);
    input->bus = g_strdup("ps2");
    g_ptr_array_add(def->inputs, input);
}

static bool qemu_post_parse_machine(DomainDef *def, const QemuCaps *caps, GError **error)
{
    const char *name = def->os.machine ? def->os.machine : qemu_caps_default_machine(caps);
    const QemuMonitorMachine *m = name ? qemu_caps_machine_lookup(caps, name) : NULL;

    if (!m) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_CONFIG_UNSUPPORTED,
                    "emulator '%s' does not support machine type '%s'", caps->binary,
                    name ? name : "");
        return false;
    }
    g_free(def->os.machine);
    def->os.machine = g_strdup(m->name);
    if (!def->os.arch)
        def->os.arch = g_strdup(caps->arch);
    if (!def->emulator)
        def->emulator = g_strdup(caps->binary);
    return true;
}

static void qemu_post_parse_devices(DomainDef *def)
{
    bool q35 = g_str_has_prefix(def->os.machine, "pc-q35");

    if (!qemu_has_controller(def, DOMAIN_CONTROLLER_TYPE_USB))
        qemu_add_controller(def, DOMAIN_CONTROLLER_TYPE_USB, q35 ? "qemu-xhci" : "piix3-uhci");
    if (!qemu_has_controller(def, DOMAIN_CONTROLLER_TYPE_PCI))
        qemu_add_controller(def, DOMAIN_CONTROLLER_TYPE_PCI, q35 ? "pcie-root" : "pci-root");
    if (def->graphics->len && !def->inputs->len) {
        qemu_add_input(def, "mouse");
        qemu_add_input(def, "keyboard");
    }
    if (def->graphics->len && !def->videos->len) {
        DomainVideoDef *video = domain_video_def_new();

        video->model = g_strdup("vga");
        video->vram = 16384;
        video->heads = 1;
        video->primary = g_strdup("yes");
        g_ptr_array_add(def->videos, video);
    }
    if (!def->memballoon) {
        def->memballoon = domain_memballoon_def_new();
        def->memballoon->model = g_strdup("virtio");
    }
}

static bool qemu_post_parse_domain(DomainDef *def, void *opaque, GError **error)
{
    const QemuCaps *caps = opaque;

    if (def->os.type != DOMAIN_OS_HVM)
        return true; /* refused when started; nothing to default */
    if (!qemu_post_parse_machine(def, caps, error))
        return false;
    qemu_post_parse_devices(def);
    return true;
}

/**
 * qemu_post_parse_ops: the post-parse hooks for domains run by the emulator @caps
 * describes (which must outlive the returned ops' use).
 */
DomainPostParseOps qemu_post_parse_ops(const QemuCaps *caps)
{
    return (DomainPostParseOps){ .domain = qemu_post_parse_domain, .opaque = (void *)caps };
}
