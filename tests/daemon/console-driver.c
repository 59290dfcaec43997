/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A console on a unix socket the test listens on (see console-driver.h). */

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "console-driver.h"
#include "util/error.h"

char *console_driver_dir;
static const DriverOps *console_base;

static bool console_open(DriverConn *conn, const DomainRef *dom, const char *dev_name,
                         unsigned int flags, int *ret_fd, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_autofree char *file = dev_name ? g_strdup_printf("%s-%s.sock", dom->name, dev_name)
                                     : g_strdup_printf("%s.sock", dom->name);
    g_autofree char *path = g_build_filename(console_driver_dir, file, NULL);
    int state = 0;
    int reason = 0;
    int fd;

    if (!console_base->domain_get_state(conn, dom, 0, &state, &reason, error))
        return false;
    if (state != 1 && state != 3) {
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_INVALID,
                    "Requested operation is not valid: domain is not running");
        return false;
    }
    if (strlen(path) >= sizeof(addr.sun_path)) {
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INTERNAL_ERROR,
                    "internal error: console path '%s' too long", path);
        return false;
    }
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int saved = errno;

        if (fd >= 0)
            close(fd);
        g_set_error(error, VIRT_DOMAIN_ERROR, VIRT_ERR_OPERATION_FAILED,
                    "operation failed: cannot connect to the console of domain '%s' at '%s': %s",
                    dom->name, path, g_strerror(saved));
        return false;
    }
    *ret_fd = fd;
    return true;
}

DriverOps console_driver_wrap(const DriverOps *base)
{
    DriverOps ops = *base;

    console_base = base;
    ops.domain_open_console = console_open;
    return ops;
}
