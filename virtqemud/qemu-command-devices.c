/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Graphics (VNC, SPICE), video adapters, input devices, the memory balloon and the
 * random number generator.
 */

#include "qemu-command-priv.h"
#include "util/error.h"

/* The address to listen on: <graphics listen=> or <listen type='address' address=>;
 * without one, loopback, as libvirt's default qemu.conf does. */
static bool qemu_graphics_listen(QemuBuild *b, const DomainGraphicsDef *gfx, const char *what,
                                 const char **ret_listen, GError **error)
{
    const XmlElem *listen = qemu_build_extras_child(gfx->extras, "listen");
    const char *addr = gfx->listen;

    if (listen) {
        if (g_strcmp0(qemu_build_elem_attr(listen, "type"), "address") != 0)
            return qemu_build_unsupported(b, error, "%s: <listen type='%s'> is not implemented",
                                          what, qemu_build_elem_attr(listen, "type"));
        if (!addr)
            addr = qemu_build_elem_attr(listen, "address");
    }
    *ret_listen = addr && *addr ? addr : "127.0.0.1";
    return true;
}

static bool qemu_graphics_port(QemuBuild *b, const DomainGraphicsDef *gfx, guint i,
                               const char *what, int *ret_port, GError **error)
{
    int port =
        i < b->prep->graphics_ports->len ? g_array_index(b->prep->graphics_ports, int, i) : -1;

    if (port < 0 && g_strcmp0(gfx->autoport, "yes") != 0)
        port = gfx->port;
    if (port < 5900 || port > 65535) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "domain '%s': no port prepared for %s", b->def->name, what);
        return false;
    }
    *ret_port = port;
    return true;
}

static bool qemu_build_graphics_one(QemuBuild *b, const DomainGraphicsDef *gfx, guint i,
                                    GError **error)
{
    g_autofree char *what = g_strdup_printf("graphics %u", i);
    const char *listen = NULL;
    int port;

    if (!qemu_build_check_extras(b, gfx->extras, what, (const char *const[]){ "listen", NULL },
                                 NULL, error))
        return false;
    if (gfx->type != DOMAIN_GRAPHICS_TYPE_VNC && gfx->type != DOMAIN_GRAPHICS_TYPE_SPICE)
        return qemu_build_unsupported(b, error, "%s: type '%s' is not implemented", what,
                                      domain_graphics_type_to_string(gfx->type));
    if (!qemu_graphics_listen(b, gfx, what, &listen, error) ||
        !qemu_graphics_port(b, gfx, i, what, &port, error))
        return false;
    if (gfx->type == DOMAIN_GRAPHICS_TYPE_VNC) {
        if (!qemu_build_need_caps(b, QEMU_CAPS_VNC, "VNC", error))
            return false;
        /* the password itself is set over QMP (set_password) after start */
        command_add_arg(b->cmd, "-vnc");
        command_add_argf(b->cmd, "%s:%d%s", listen, port - 5900, gfx->passwd ? ",password=on" : "");
        return true;
    }
    if (!qemu_build_need_caps(b, QEMU_CAPS_SPICE, "SPICE", error))
        return false;
    command_add_arg(b->cmd, "-spice");
    command_add_argf(b->cmd, "port=%d,addr=%s%s,seamless-migration=on", port, listen,
                     gfx->passwd ? "" : ",disable-ticketing=on");
    return true;
}

/**
 * qemu_build_graphics: -vnc / -spice for each <graphics> (ports from the prepare step).
 */
bool qemu_build_graphics(QemuBuild *b, GError **error)
{
    if (b->def->graphics->len > 1)
        return qemu_build_unsupported(b, error, "more than one <graphics> is not implemented");
    for (guint i = 0; i < b->def->graphics->len; i++) {
        if (!qemu_build_graphics_one(b, g_ptr_array_index(b->def->graphics, i), i, error))
            return false;
    }
    return true;
}

static bool qemu_build_video(QemuBuild *b, const DomainVideoDef *video, guint i, GError **error)
{
    g_autofree char *what = g_strdup_printf("video %u", i);
    g_autofree char *id = g_strdup_printf("video%u", i);
    const char *model = video->model ? video->model : "vga";
    JsonBuilder *p;

    if (!qemu_build_check_extras(b, video->extras, what, qemu_pci_device_ok_children, NULL,
                                 error) ||
        !qemu_build_check_extras(b, video->model_extras, what, NULL, NULL, error))
        return false;
    if (g_str_equal(model, "none"))
        return true;
    if (i > 0)
        return qemu_build_unsupported(b, error,
                                      "%s: secondary video adapters are not "
                                      "implemented",
                                      what);
    if (g_str_equal(model, "vga") || g_str_equal(model, "cirrus")) {
        bool vga = g_str_equal(model, "vga");

        if (!qemu_build_need_caps(b, vga ? QEMU_CAPS_DEVICE_VGA : QEMU_CAPS_DEVICE_CIRRUS_VGA,
                                  model, error))
            return false;
        p = qemu_props_new("driver", vga ? "VGA" : "cirrus-vga");
        qemu_props_str(p, "id", id);
        qemu_props_int(p, "vgamem_mb", video->vram / 1024);
    } else if (g_str_equal(model, "virtio")) {
        if (!qemu_build_need_caps(b, QEMU_CAPS_DEVICE_VIRTIO_VGA, "virtio-vga", error))
            return false;
        p = qemu_props_new("driver", "virtio-vga");
        qemu_props_str(p, "id", id);
        qemu_props_int(p, "max_outputs", video->heads);
    } else if (g_str_equal(model, "qxl")) {
        if (!qemu_build_need_caps(b, QEMU_CAPS_DEVICE_QXL_VGA, "qxl-vga", error))
            return false;
        p = qemu_props_new("driver", "qxl-vga");
        qemu_props_str(p, "id", id);
        qemu_props_int(p, "ram_size", (gint64)video->ram * 1024);
        qemu_props_int(p, "vram_size", (gint64)video->vram * 1024);
        qemu_props_int(p, "vgamem_mb", video->vgamem / 1024);
        qemu_props_int(p, "max_outputs", video->heads);
    } else {
        return qemu_build_unsupported(b, error, "%s: model '%s' is not implemented", what, model);
    }
    if (!qemu_build_pci_address(b, video->extras, what, p, error)) {
        g_object_unref(p);
        return false;
    }
    qemu_build_add_json(b, "-device", p);
    return true;
}

bool qemu_build_videos(QemuBuild *b, GError **error)
{
    for (guint i = 0; i < b->def->videos->len; i++) {
        if (!qemu_build_video(b, g_ptr_array_index(b->def->videos, i), i, error))
            return false;
    }
    return true;
}

/* <address type='usb' bus='0' port='1'/> → "port" on the one USB bus. */
static bool qemu_build_usb_port(QemuBuild *b, const XmlExtras *extras, const char *what,
                                JsonBuilder *p, GError **error)
{
    const XmlElem *addr = qemu_build_extras_child(extras, "address");
    const char *port;

    if (!addr)
        return true;
    port = qemu_build_elem_attr(addr, "port");
    if (g_strcmp0(qemu_build_elem_attr(addr, "type"), "usb") != 0 || !port ||
        g_strcmp0(qemu_build_elem_attr(addr, "bus"), "0") != 0)
        return qemu_build_unsupported(b, error, "%s: only USB addresses on bus 0 are implemented",
                                      what);
    qemu_props_str(p, "port", port);
    return true;
}

static bool qemu_build_input(QemuBuild *b, const DomainInputDef *input, guint i, GError **error)
{
    static const struct {
        const char *type, *driver;
        QemuCapsFlag flag;
    } usb[] = {
        { "tablet", "usb-tablet", QEMU_CAPS_DEVICE_USB_TABLET },
        { "mouse", "usb-mouse", QEMU_CAPS_DEVICE_USB_MOUSE },
        { "keyboard", "usb-kbd", QEMU_CAPS_DEVICE_USB_KBD },
    };
    g_autofree char *what = g_strdup_printf("input %u", i);
    g_autofree char *id = g_strdup_printf("input%u", i);
    const char *bus = input->bus                              ? input->bus
                      : g_strcmp0(input->type, "tablet") == 0 ? "usb"
                                                              : "ps2";
    JsonBuilder *p;

    if (!qemu_build_check_extras(b, input->extras, what,
                                 (const char *const[]){ "alias", "address", NULL }, NULL, error))
        return false;
    if (g_str_equal(bus, "ps2") &&
        (g_strcmp0(input->type, "mouse") == 0 || g_strcmp0(input->type, "keyboard") == 0))
        return true; /* the PC's own PS/2 ports */
    for (size_t u = 0; g_str_equal(bus, "usb") && u < G_N_ELEMENTS(usb); u++) {
        if (g_strcmp0(input->type, usb[u].type) != 0)
            continue;
        if (!b->has_usb)
            return qemu_build_unsupported(b, error, "%s: USB input needs a USB controller", what);
        if (!qemu_build_need_caps(b, usb[u].flag, usb[u].driver, error))
            return false;
        p = qemu_props_new("driver", usb[u].driver);
        qemu_props_str(p, "id", id);
        qemu_props_str(p, "bus", "usb.0");
        if (!qemu_build_usb_port(b, input->extras, what, p, error)) {
            g_object_unref(p);
            return false;
        }
        qemu_build_add_json(b, "-device", p);
        return true;
    }
    return qemu_build_unsupported(b, error, "%s: type '%s' on bus '%s' is not implemented", what,
                                  input->type ? input->type : "", bus);
}

bool qemu_build_inputs(QemuBuild *b, GError **error)
{
    for (guint i = 0; i < b->def->inputs->len; i++) {
        if (!qemu_build_input(b, g_ptr_array_index(b->def->inputs, i), i, error))
            return false;
    }
    return true;
}

static bool qemu_build_rng(QemuBuild *b, const DomainRngDef *rng, guint i, GError **error)
{
    g_autofree char *what = g_strdup_printf("rng %u", i);
    g_autofree char *obj = g_strdup_printf("objrng%u", i);
    g_autofree char *id = g_strdup_printf("rng%u", i);
    const XmlElem *rate = qemu_build_extras_child(rng->extras, "rate");
    const char *backend = rng->backend_model ? rng->backend_model : "random";
    JsonBuilder *p;

    if (!qemu_build_check_extras(b, rng->extras, what,
                                 (const char *const[]){ "alias", "rate", "address", NULL }, NULL,
                                 error) ||
        !qemu_build_check_extras(b, rng->backend_extras, what, NULL, NULL, error))
        return false;
    if (g_strcmp0(rng->model, "virtio") != 0)
        return qemu_build_unsupported(b, error, "%s: model '%s' is not implemented", what,
                                      rng->model ? rng->model : "");
    if (!qemu_build_need_caps(b, QEMU_CAPS_DEVICE_VIRTIO_RNG_PCI, "virtio-rng-pci", error))
        return false;
    if (g_str_equal(backend, "random")) {
        p = qemu_props_new("qom-type", "rng-random");
        qemu_props_str(p, "id", obj);
        qemu_props_str(p, "filename", rng->backend ? rng->backend : "/dev/urandom");
    } else if (g_str_equal(backend, "builtin")) {
        p = qemu_props_new("qom-type", "rng-builtin");
        qemu_props_str(p, "id", obj);
    } else {
        return qemu_build_unsupported(b, error, "%s: backend '%s' is not implemented", what,
                                      backend);
    }
    qemu_build_add_json(b, "-object", p);
    p = qemu_props_new("driver", "virtio-rng-pci");
    qemu_props_str(p, "rng", obj);
    qemu_props_str(p, "id", id);
    if (rate) {
        const char *bytes = qemu_build_elem_attr(rate, "bytes");
        const char *period = qemu_build_elem_attr(rate, "period");
        guint64 nb = 0, np = 1000;

        if (!bytes || !g_ascii_string_to_unsigned(bytes, 10, 1, G_MAXINT32, &nb, NULL) ||
            (period && !g_ascii_string_to_unsigned(period, 10, 1, G_MAXINT32, &np, NULL))) {
            g_object_unref(p);
            return qemu_build_unsupported(b, error, "%s: <rate> is invalid", what);
        }
        qemu_props_int(p, "max-bytes", (gint64)nb);
        qemu_props_int(p, "period", (gint64)np);
    }
    if (!qemu_build_pci_address(b, rng->extras, what, p, error)) {
        g_object_unref(p);
        return false;
    }
    qemu_build_add_json(b, "-device", p);
    return true;
}

/**
 * qemu_build_balloon_rng: the memory balloon and the RNG devices.
 */
bool qemu_build_balloon_rng(QemuBuild *b, GError **error)
{
    const DomainMemballoonDef *balloon = b->def->memballoon;

    if (balloon && !qemu_build_check_extras(b, balloon->extras, "memballoon",
                                            qemu_pci_device_ok_children, NULL, error))
        return false;
    if (balloon && g_strcmp0(balloon->model, "virtio") == 0) {
        JsonBuilder *p;

        if (!qemu_build_need_caps(b, QEMU_CAPS_DEVICE_VIRTIO_BALLOON_PCI, "virtio-balloon-pci",
                                  error))
            return false;
        p = qemu_props_new("driver", "virtio-balloon-pci");
        qemu_props_str(p, "id", "balloon0");
        if (!qemu_build_pci_address(b, balloon->extras, "memballoon", p, error)) {
            g_object_unref(p);
            return false;
        }
        qemu_build_add_json(b, "-device", p);
    } else if (balloon && g_strcmp0(balloon->model, "none") != 0) {
        return qemu_build_unsupported(b, error, "memballoon model '%s' is not implemented",
                                      balloon->model ? balloon->model : "");
    }
    for (guint i = 0; i < b->def->rngs->len; i++) {
        if (!qemu_build_rng(b, g_ptr_array_index(b->def->rngs, i), i, error))
            return false;
    }
    return true;
}
