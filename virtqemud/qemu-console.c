/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virDomainOpenConsole for QEMU guests: the pty QEMU made for the console or serial
 * port (found with query-chardev, by the chardev id qemu-command-chr.c gave it),
 * opened raw and handed to the daemon, which pumps it and keeps sessions exclusive.
 *
 * Devices are named as libvirt's aliases: "serialN", "consoleN"; none means the first
 * console, else the first serial port. A serial console is its serial port's pty.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "qemu-console.h"
#include "qemu-driver.h"
#include "util/error.h"

static const DomainChrDef *qemu_console_serial(const DomainDef *def, int port)
{
    for (guint i = 0; i < def->serials->len; i++) {
        const DomainChrDef *chr = g_ptr_array_index(def->serials, i);

        if (chr->target_port == port)
            return chr;
    }
    return NULL;
}

/* The chardev behind console @i of @def, and the device it really is. */
static char *qemu_console_of(const DomainDef *def, guint i, const DomainChrDef **ret_chr)
{
    const DomainChrDef *chr = g_ptr_array_index(def->consoles, i);

    if (g_strcmp0(chr->target_type, "serial") == 0) {
        *ret_chr = qemu_console_serial(def, chr->target_port);
        return *ret_chr ? g_strdup_printf("charserial%d", chr->target_port) : NULL;
    }
    *ret_chr = chr;
    return g_strdup_printf("charconsole%u", i);
}

/**
 * qemu_console_chardev - the QEMU chardev id of a console device (pure)
 * @def: the live definition
 * @dev_name: "serialN", "consoleN", or NULL for the first console (else serial port)
 * @error: INTERNAL_ERROR for an unknown device, OPERATION_FAILED for one not on a pty
 *
 * Returns the id ("charserial0"), or NULL.
 */
char *qemu_console_chardev(const DomainDef *def, const char *dev_name, GError **error)
{
    const DomainChrDef *chr = NULL;
    g_autofree char *id = NULL;
    guint64 n = 0;

    if (!dev_name && def->consoles->len > 0)
        id = qemu_console_of(def, 0, &chr);
    else if (!dev_name && def->serials->len > 0)
        dev_name = "serial0";
    if (dev_name && g_str_has_prefix(dev_name, "serial") &&
        g_ascii_string_to_unsigned(dev_name + 6, 10, 0, G_MAXINT, &n, NULL) &&
        (chr = qemu_console_serial(def, (int)n)))
        id = g_strdup_printf("charserial%d", (int)n);
    else if (dev_name && g_str_has_prefix(dev_name, "console") &&
             g_ascii_string_to_unsigned(dev_name + 7, 10, 0, G_MAXINT, &n, NULL) &&
             n < def->consoles->len)
        id = qemu_console_of(def, (guint)n, &chr);
    if (!id || !chr) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "internal error: cannot find character device %s",
                    dev_name ? dev_name : "<null>");
        return NULL;
    }
    if (chr->type != DOMAIN_CHR_TYPE_PTY) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                    "operation failed: character device %s is not using a PTY",
                    dev_name ? dev_name : "console0");
        return NULL;
    }
    return g_steal_pointer(&id);
}

/**
 * qemu_console_pty_path - the pty of chardev @id in a query-chardev reply (pure)
 * @reply: the reply
 * @id: the chardev id
 * @error: when QEMU lists no pty for it
 *
 * Returns "/dev/pts/N", or NULL.
 */
char *qemu_console_pty_path(const QemuMonitorMessage *reply, const char *id, GError **error)
{
    JsonArray *array;

    if (!qemu_monitor_reply_check(reply, "query-chardev", error))
        return NULL;
    array = reply->value && JSON_NODE_HOLDS_ARRAY(reply->value) ? json_node_get_array(reply->value)
                                                                : NULL;
    for (guint i = 0; array && i < json_array_get_length(array); i++) {
        JsonNode *node = json_array_get_element(array, i);
        JsonObject *obj = JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
        const char *label =
            obj ? json_object_get_string_member_with_default(obj, "label", NULL) : NULL;
        const char *file =
            obj ? json_object_get_string_member_with_default(obj, "filename", NULL) : NULL;

        if (g_strcmp0(label, id) == 0 && file && g_str_has_prefix(file, "pty:"))
            return g_strdup(file + 4);
    }
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                "operation failed: QEMU reports no pty for chardev '%s'", id);
    return NULL;
}

/* The chardev id of @dev_name on the running @obj, under its lock. */
static char *qemu_console_find(DomainObj *obj, const char *dev_name, GError **error)
{
    char *id;

    g_mutex_lock(&obj->lock);
    id = qemu_console_chardev(obj->def, dev_name, error);
    g_mutex_unlock(&obj->lock);
    return id;
}

static int qemu_console_open_pty(const char *path, GError **error)
{
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    struct termios tio;

    if (fd < 0) {
        virt_error_set_errno(error, VIRT_QEMU_ERROR, errno, "cannot open console pty '%s'", path);
        return -1;
    }
    /* bytes as they are: no echo, no line editing, no CR/LF mapping (as libvirt) */
    if (tcgetattr(fd, &tio) == 0) {
        cfmakeraw(&tio);
        (void)tcsetattr(fd, TCSANOW, &tio);
    }
    return fd;
}

/**
 * qemu_domain_open_console - DriverOps.domain_open_console for QEMU
 * @conn: the connection
 * @dom: a running domain
 * @dev_name: see qemu_console_chardev()
 * @flags: FORCE and SAFE (sessions are kept exclusive by the daemon)
 * @ret_fd: the pty, raw, non-blocking, owned by the caller
 * @error: why not
 */
bool qemu_domain_open_console(DriverConn *conn, const DomainRef *dom, const char *dev_name,
                              unsigned int flags, int *ret_fd, GError **error)
{
    g_autoptr(DomainObj) obj = NULL;
    g_autoptr(QemuMonitorMessage) reply = NULL;
    g_autofree char *id = NULL;
    g_autofree char *path = NULL;
    bool ok;
    int fd;

    if (!qemu_driver_check_flags(flags, DRIVER_CONSOLE_FORCE | DRIVER_CONSOLE_SAFE,
                                 "qemu_domain_open_console", error))
        return false;
    obj = qemu_driver_obj(conn, dom, error);
    if (!obj || !qemu_driver_job_begin(obj, "console", error))
        return false;
    ok = driver_domain_check_active(obj, error) && (id = qemu_console_find(obj, dev_name, error)) &&
         qemu_driver_monitor_run(obj, qemu_monitor_command_new("query-chardev"), &reply, error);
    qemu_driver_job_end(conn->drv, obj);
    if (!ok || !(path = qemu_console_pty_path(reply, id, error)))
        return false;
    fd = qemu_console_open_pty(path, error);
    if (fd < 0)
        return false;
    *ret_fd = fd;
    return true;
}
