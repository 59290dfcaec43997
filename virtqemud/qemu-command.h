/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Domain definition → QEMU command line, pure: the definition, the binary's
 * capabilities and the host facts gathered beforehand (QemuPrepared) go in, a Command
 * comes out. Nothing here opens a file, makes a tap or picks a port. Anything in the
 * definition this driver does not implement is refused with an error naming it, so a
 * guest never runs as a different machine than the one described.
 */

#include <glib.h>
#include <stdbool.h>

#include "conf/domain-def.h"
#include "qemu-caps.h"
#include "util/command.h"

/* Host facts for one start, collected by the driver's prepare step. */
typedef struct QemuPrepared {
    char *monitor_path;        /* QMP socket QEMU listens on (used when monitor_fd < 0) */
    int monitor_fd;            /* or a socket handed to QEMU as this fd (>= 3); -1 = none */
    bool monitor_fd_connected; /* monitor_fd is connected (socketpair), not listening */
    bool monitor_fd_launcher;  /* monitor_fd is only the child's fd number: the socket is
                                * made and mapped there by qemu_process_launch() */
    char *pidfile;
    char *lib_dir;          /* per-domain directory: QEMU's HOME and XDG directories */
    GArray *tap_fds;        /* int per <interface>: the tap fd to pass, -1 = none */
    GArray *graphics_ports; /* int per <graphics>: the VNC/SPICE port chosen, -1 = none */
} QemuPrepared;

/* lifecycle */
QemuPrepared *qemu_prepared_new(void);
QemuPrepared *qemu_prepared_free(QemuPrepared *prep);

/* building (pure) */
bool qemu_build_command(const DomainDef *def, const QemuCaps *caps, const QemuPrepared *prep,
                        Command **ret_cmd, GError **error);

/* post-parse hooks of the QEMU driver (qemu-domain.c): @opaque is the QemuCaps of the
 * emulator (machine default and canonical name, USB controller, memballoon, ...). */
DomainPostParseOps qemu_post_parse_ops(const QemuCaps *caps);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuPrepared, qemu_prepared_free)
