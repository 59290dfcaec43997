/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Serial ports and consoles: a -chardev for the host side (pty, file, unix socket,
 * null) and isa-serial or virtconsole for the guest side. A serial console is the
 * serial port with the same number, not a second device.
 */

#include "qemu-command-priv.h"
#include "util/error.h"

static bool qemu_build_chardev(QemuBuild *b, const DomainChrDef *chr, const char *id,
                               const char *what, GError **error)
{
    g_autofree char *path = chr->source_path ? qemu_build_opt_escape(chr->source_path) : NULL;

    if (!qemu_build_check_extras(b, chr->source_extras, what, NULL, NULL, error))
        return false;
    switch (chr->type) {
    case DOMAIN_CHR_TYPE_PTY:
        command_add_arg(b->cmd, "-chardev");
        command_add_argf(b->cmd, "pty,id=%s", id);
        return true;
    case DOMAIN_CHR_TYPE_NULL:
        command_add_arg(b->cmd, "-chardev");
        command_add_argf(b->cmd, "null,id=%s", id);
        return true;
    case DOMAIN_CHR_TYPE_FILE:
        if (!path)
            break;
        command_add_arg(b->cmd, "-chardev");
        command_add_argf(b->cmd, "file,id=%s,path=%s", id, path);
        return true;
    case DOMAIN_CHR_TYPE_UNIX:
        if (!path)
            break;
        command_add_arg(b->cmd, "-chardev");
        command_add_argf(b->cmd, "socket,id=%s,path=%s,server=%s,wait=off", id, path,
                         g_strcmp0(chr->source_mode, "connect") == 0 ? "off" : "on");
        return true;
    case DOMAIN_CHR_TYPE_VC:
    case DOMAIN_CHR_TYPE_DEV:
    case DOMAIN_CHR_TYPE_PIPE:
    case DOMAIN_CHR_TYPE_STDIO:
    case DOMAIN_CHR_TYPE_UDP:
    case DOMAIN_CHR_TYPE_TCP:
    case DOMAIN_CHR_TYPE_SPICEVMC:
    case DOMAIN_CHR_TYPE_SPICEPORT:
    case DOMAIN_CHR_TYPE_NMDM:
    case DOMAIN_CHR_TYPE_QEMU_VDAGENT:
    case DOMAIN_CHR_TYPE_DBUS:
    case _DOMAIN_CHR_TYPE_MAX:
    case _DOMAIN_CHR_TYPE_INVALID:
        break;
    }
    return qemu_build_unsupported(
        b, error, "%s: type '%s'%s is not implemented", what, domain_chr_type_to_string(chr->type),
        path || chr->type != DOMAIN_CHR_TYPE_FILE ? "" : " without a path");
}

static bool qemu_build_serial(QemuBuild *b, const DomainChrDef *chr, GError **error)
{
    g_autofree char *what = g_strdup_printf("serial %d", chr->target_port);
    g_autofree char *chardev = g_strdup_printf("charserial%d", chr->target_port);
    g_autofree char *id = g_strdup_printf("serial%d", chr->target_port);
    const XmlElem *model;
    JsonBuilder *p;

    if (chr->type != DOMAIN_CHR_TYPE_PTY && chr->type != DOMAIN_CHR_TYPE_FILE &&
        chr->type != DOMAIN_CHR_TYPE_UNIX && chr->type != DOMAIN_CHR_TYPE_NULL)
        return qemu_build_unsupported(b, error, "%s: type '%s' is not implemented", what,
                                      domain_chr_type_to_string(chr->type));
    if (!qemu_build_check_extras(b, chr->extras, what, (const char *const[]){ "alias", NULL }, NULL,
                                 error) ||
        !qemu_build_check_extras(b, chr->target_extras, what,
                                 (const char *const[]){ "model", NULL }, NULL, error))
        return false;
    if (chr->target_type && !g_str_equal(chr->target_type, "isa-serial"))
        return qemu_build_unsupported(b, error, "%s: target type '%s' is not implemented", what,
                                      chr->target_type);
    /* libvirt writes <model name='isa-serial'/>; any other model is another device */
    model = qemu_build_extras_child(chr->target_extras, "model");
    if (model && g_strcmp0(qemu_build_elem_attr(model, "name"), "isa-serial") != 0)
        return qemu_build_unsupported(b, error, "%s: model '%s' is not implemented", what,
                                      qemu_build_elem_attr(model, "name"));
    if (chr->target_port > 3)
        return qemu_build_unsupported(b, error, "%s: the PC has 4 serial ports", what);
    if (!qemu_build_need_caps(b, QEMU_CAPS_DEVICE_ISA_SERIAL, "isa-serial", error) ||
        !qemu_build_chardev(b, chr, chardev, what, error))
        return false;
    p = qemu_props_new("driver", "isa-serial");
    qemu_props_str(p, "chardev", chardev);
    qemu_props_str(p, "id", id);
    qemu_props_int(p, "index", chr->target_port);
    qemu_build_add_json(b, "-device", p);
    return true;
}

static bool qemu_has_serial(const DomainDef *def, int port)
{
    for (guint i = 0; i < def->serials->len; i++) {
        const DomainChrDef *chr = g_ptr_array_index(def->serials, i);

        if (chr->target_port == port)
            return true;
    }
    return false;
}

static bool qemu_build_console(QemuBuild *b, const DomainChrDef *chr, guint i, GError **error)
{
    g_autofree char *what = g_strdup_printf("console %u", i);
    g_autofree char *chardev = g_strdup_printf("charconsole%u", i);
    g_autofree char *id = g_strdup_printf("console%u", i);
    JsonBuilder *p;

    if (g_strcmp0(chr->target_type, "serial") == 0) {
        /* the serial port itself; post-parse made sure it exists */
        if (!qemu_has_serial(b->def, chr->target_port))
            return qemu_build_unsupported(b, error, "%s: no serial port %d", what,
                                          chr->target_port);
        return true;
    }
    if (g_strcmp0(chr->target_type, "virtio") != 0)
        return qemu_build_unsupported(b, error, "%s: target type '%s' is not implemented", what,
                                      chr->target_type ? chr->target_type : "");
    if (!qemu_build_check_extras(b, chr->extras, what, (const char *const[]){ "alias", NULL }, NULL,
                                 error))
        return false;
    if (!b->has_vserial)
        return qemu_build_unsupported(b, error, "%s needs a virtio-serial controller", what);
    if (!qemu_build_need_caps(b, QEMU_CAPS_DEVICE_VIRTCONSOLE, "virtconsole", error) ||
        !qemu_build_chardev(b, chr, chardev, what, error))
        return false;
    p = qemu_props_new("driver", "virtconsole");
    qemu_props_str(p, "bus", "virtio-serial0.0");
    qemu_props_str(p, "chardev", chardev);
    qemu_props_str(p, "id", id);
    qemu_build_add_json(b, "-device", p);
    return true;
}

/**
 * qemu_build_chrs: serial ports, then the consoles that are not serial ports.
 */
bool qemu_build_chrs(QemuBuild *b, GError **error)
{
    for (guint i = 0; i < b->def->serials->len; i++) {
        if (!qemu_build_serial(b, g_ptr_array_index(b->def->serials, i), error))
            return false;
    }
    for (guint i = 0; i < b->def->consoles->len; i++) {
        if (!qemu_build_console(b, g_ptr_array_index(b->def->consoles, i), i, error))
            return false;
    }
    return true;
}
