/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Saved guest images (managed save and save to a file), pure part. An image is our own
 * small header, the domain's XML, then QEMU's migration stream from a 4 KiB boundary:
 *
 *   0   magic "VirtkitQemuSave\n" (16 bytes)
 *   16  u32 version (1), little endian
 *   20  u32 flags: bit 0 = the guest was paused when saved
 *   24  u32 length of the XML including its NUL
 *   28  u32 reserved (0)
 *   32  u64 offset of the migration stream (a multiple of 4096)
 *   40  reserved to 64 (0)
 *   64  the XML, NUL-terminated, then zeros up to the stream (at least
 *       QEMU_SAVE_XML_ROOM of them, so a redefined XML may grow a little)
 *
 * The save writes to <image>.partial (owner-only), then fsyncs and renames it into
 * place, so an image that exists is complete. The QMP commands: getfd, migrate
 * "fd:NAME" (never "exec:": no shell), and for the restore QEMU started with
 * "-incoming defer", getfd and migrate-incoming "fd:NAME".
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "conf/domain-def.h"
#include "qemu-monitor-json.h"
#include "util/command.h"

#define QEMU_SAVE_MAGIC "VirtkitQemuSave\n"
#define QEMU_SAVE_VERSION 1u
#define QEMU_SAVE_HEADER_SIZE 64u
#define QEMU_SAVE_ALIGN 4096u
#define QEMU_SAVE_XML_ROOM 1024u /* at least this much free after the XML */
#define QEMU_SAVE_MAX_XML (10u * 1024 * 1024)
#define QEMU_SAVE_FDNAME "virtkit-save"

/* virDomainSaveRestoreFlags / virDomainManagedSave flags */
enum {
    QEMU_SAVE_BYPASS_CACHE = 1u << 0,
    QEMU_SAVE_RUNNING = 1u << 1,
    QEMU_SAVE_PAUSED = 1u << 2,
};

typedef struct QemuSaveHeader {
    uint32_t version;
    bool paused;          /* restore leaves the guest paused */
    uint32_t xml_len;     /* with the NUL */
    uint64_t data_offset; /* the migration stream */
    char *xml;            /* NULL until the XML part is decoded */
} QemuSaveHeader;

/* lifecycle */
QemuSaveHeader *qemu_save_header_free(QemuSaveHeader *hdr);

/* encoding: the header, the XML and the padding up to the stream */
GBytes *qemu_save_header_encode(const char *xml, bool paused);
/* the same with the stream at @data_offset (an existing image's): NULL with @error when
 * @xml does not fit before it */
GBytes *qemu_save_header_encode_at(const char *xml, bool paused, uint64_t data_offset,
                                   const char *path, GError **error);
/* decoding in two reads: the fixed part (QEMU_SAVE_HEADER_SIZE bytes), then the XML
 * (xml_len bytes at QEMU_SAVE_HEADER_SIZE) */
QemuSaveHeader *qemu_save_header_decode(const uint8_t *buf, size_t len, const char *path,
                                        GError **error);
bool qemu_save_header_decode_xml(QemuSaveHeader *hdr, const uint8_t *buf, size_t len,
                                 const char *path, GError **error);

/* paths: <save_dir>/<name>.save and its temporary */
char *qemu_save_managed_path(const char *save_dir, const char *name);
char *qemu_save_partial_path(const char *image);

/* Whether a restore leaves the guest paused: the saved state unless @flags say. */
bool qemu_save_restore_paused(const QemuSaveHeader *hdr, unsigned int flags);
/* RUNNING and PAUSED exclude each other (save, restore, image define) */
bool qemu_save_check_state_flags(unsigned int flags, GError **error);

/* Whether @given may replace @saved, the definition a saved image was made with: the
 * same domain (name, UUID) and the same machine the saved state belongs to (memory,
 * vcpus, architecture, machine type, number of disks and interfaces). @path names the
 * image in messages. */
bool qemu_save_check_compatible(const DomainDef *saved, const DomainDef *given, const char *path,
                                GError **error);

/* QMP */
QemuMonitorCommand *qemu_save_cmd_max_bandwidth(void);
QemuMonitorCommand *qemu_save_cmd_migrate_incoming(const char *uri);
/* a MIGRATION event or query-migrate status: done (completed), failed (failed,
 * cancelled), else still going */
typedef enum QemuSaveProgress {
    QEMU_SAVE_PROGRESS_ACTIVE,
    QEMU_SAVE_PROGRESS_COMPLETED,
    QEMU_SAVE_PROGRESS_FAILED,
    _QEMU_SAVE_PROGRESS_MAX,
    _QEMU_SAVE_PROGRESS_INVALID = -EINVAL,
} QemuSaveProgress;
QemuSaveProgress qemu_save_progress(const char *status);
/* QEMU's argv for a restore: -incoming defer */
void qemu_save_add_incoming(Command *cmd);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuSaveHeader, qemu_save_header_free)
