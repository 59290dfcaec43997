/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The saved image header (qemu-save.h) and the QMP commands of save and restore. */

#include <string.h>

#include "qemu-save.h"
#include "util/error.h"
#include "util/uuid.h"

QemuSaveHeader *qemu_save_header_free(QemuSaveHeader *hdr)
{
    if (!hdr)
        return NULL;
    g_free(hdr->xml);
    g_free(hdr);
    return NULL;
}

static void qemu_save_put32(uint8_t *p, uint32_t v)
{
    v = GUINT32_TO_LE(v);
    memcpy(p, &v, sizeof(v));
}

static uint32_t qemu_save_get32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return GUINT32_FROM_LE(v);
}

static void qemu_save_put64(uint8_t *p, uint64_t v)
{
    v = GUINT64_TO_LE(v);
    memcpy(p, &v, sizeof(v));
}

static uint64_t qemu_save_get64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
    return GUINT64_FROM_LE(v);
}

/**
 * qemu_save_header_encode: the bytes before QEMU's stream: header, @xml and zeros up to
 * the 4 KiB boundary at least QEMU_SAVE_XML_ROOM bytes after it (the stream's offset).
 */
static GBytes *header_encode(const char *xml, bool paused, size_t offset)
{
    size_t xml_len = strlen(xml) + 1;
    uint8_t *buf = g_malloc0(offset);

    memcpy(buf, QEMU_SAVE_MAGIC, 16);
    qemu_save_put32(buf + 16, QEMU_SAVE_VERSION);
    qemu_save_put32(buf + 20, paused ? 1u : 0u);
    qemu_save_put32(buf + 24, (uint32_t)xml_len);
    qemu_save_put64(buf + 32, offset);
    memcpy(buf + QEMU_SAVE_HEADER_SIZE, xml, xml_len);
    return g_bytes_new_take(buf, offset);
}

GBytes *qemu_save_header_encode(const char *xml, bool paused)
{
    size_t xml_len = strlen(xml) + 1;

    /* room for a somewhat longer XML later (save-image-define) */
    size_t end = QEMU_SAVE_HEADER_SIZE + xml_len + QEMU_SAVE_XML_ROOM;

    return header_encode(xml, paused,
                         (end + QEMU_SAVE_ALIGN - 1) / QEMU_SAVE_ALIGN * QEMU_SAVE_ALIGN);
}

/**
 * qemu_save_header_encode_at: the bytes before the stream of an existing image whose
 * stream starts at @data_offset, with @xml in place of its XML. The stream does not
 * move, so @xml must fit before it (libvirt has the same limit).
 */
GBytes *qemu_save_header_encode_at(const char *xml, bool paused, uint64_t data_offset,
                                   const char *path, GError **error)
{
    size_t xml_len = strlen(xml) + 1;

    if (xml_len > QEMU_SAVE_MAX_XML || QEMU_SAVE_HEADER_SIZE + xml_len > data_offset) {
        g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                    "operation failed: the new XML (%zu bytes) does not fit in the saved image "
                    "'%s' (room for %" G_GUINT64_FORMAT ")",
                    xml_len, path, data_offset - QEMU_SAVE_HEADER_SIZE);
        return NULL;
    }
    return header_encode(xml, paused, data_offset);
}

static QemuSaveHeader *qemu_save_bad(GError **error, const char *path, const char *why)
{
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_OPERATION_FAILED,
                "'%s' is not a usable saved image: %s", path, why);
    return NULL;
}

/**
 * qemu_save_header_decode - check and decode the fixed part of a saved image
 * @buf: the first @len bytes of the file
 * @path: the file, for messages
 *
 * Returns: the header without its XML, or NULL with @error (not an image, a version
 * from a newer virtkit, inconsistent lengths).
 */
QemuSaveHeader *qemu_save_header_decode(const uint8_t *buf, size_t len, const char *path,
                                        GError **error)
{
    g_autoptr(QemuSaveHeader) hdr = g_new0(QemuSaveHeader, 1);
    uint32_t flags;

    if (len < QEMU_SAVE_HEADER_SIZE || memcmp(buf, QEMU_SAVE_MAGIC, 16) != 0)
        return qemu_save_bad(error, path, "no virtkit header");
    hdr->version = qemu_save_get32(buf + 16);
    if (hdr->version != QEMU_SAVE_VERSION) {
        g_autofree char *why = g_strdup_printf("version %u, this virtkit reads version %u",
                                               hdr->version, QEMU_SAVE_VERSION);

        return qemu_save_bad(error, path, why);
    }
    flags = qemu_save_get32(buf + 20);
    hdr->xml_len = qemu_save_get32(buf + 24);
    hdr->data_offset = qemu_save_get64(buf + 32);
    if (flags & ~1u)
        return qemu_save_bad(error, path, "unknown flags");
    hdr->paused = flags & 1u;
    if (hdr->xml_len < 2 || hdr->xml_len > QEMU_SAVE_MAX_XML)
        return qemu_save_bad(error, path, "bad XML length");
    if (hdr->data_offset % QEMU_SAVE_ALIGN ||
        hdr->data_offset < (uint64_t)QEMU_SAVE_HEADER_SIZE + hdr->xml_len)
        return qemu_save_bad(error, path, "bad stream offset");
    return g_steal_pointer(&hdr);
}

/**
 * qemu_save_header_decode_xml: take the XML (@len = hdr->xml_len bytes read at offset
 * QEMU_SAVE_HEADER_SIZE) into @hdr, checking its terminator.
 */
bool qemu_save_header_decode_xml(QemuSaveHeader *hdr, const uint8_t *buf, size_t len,
                                 const char *path, GError **error)
{
    if (len != hdr->xml_len || buf[len - 1] != '\0' || memchr(buf, '\0', len) != buf + len - 1) {
        qemu_save_bad(error, path, "truncated or corrupt XML");
        return false;
    }
    g_free(hdr->xml);
    hdr->xml = g_strdup((const char *)buf);
    return true;
}

char *qemu_save_managed_path(const char *save_dir, const char *name)
{
    return g_strdup_printf("%s/%s.save", save_dir, name);
}

char *qemu_save_partial_path(const char *image)
{
    return g_strdup_printf("%s.partial", image);
}

bool qemu_save_restore_paused(const QemuSaveHeader *hdr, unsigned int flags)
{
    if (flags & QEMU_SAVE_RUNNING)
        return false;
    if (flags & QEMU_SAVE_PAUSED)
        return true;
    return hdr->paused;
}

bool qemu_save_check_state_flags(unsigned int flags, GError **error)
{
    if (!(flags & QEMU_SAVE_RUNNING) || !(flags & QEMU_SAVE_PAUSED))
        return true;
    g_set_error_literal(error, VIRT_DOMAIN_ERROR, VIRT_ERR_INVALID_ARG,
                        "Flags 'VIR_DOMAIN_SAVE_RUNNING' and 'VIR_DOMAIN_SAVE_PAUSED' are "
                        "mutually exclusive");
    return false;
}

static bool differs(GError **error, const char *path, const char *what, const char *saved,
                    const char *given)
{
    g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_CONFIG_UNSUPPORTED,
                "unsupported configuration: the XML does not fit the saved image '%s': %s "
                "'%s' was saved, '%s' given",
                path, what, saved ? saved : "(default)", given ? given : "(default)");
    return false;
}

static bool differs_num(GError **error, const char *path, const char *what, uint64_t saved,
                        uint64_t given)
{
    g_autofree char *a = g_strdup_printf("%" G_GUINT64_FORMAT, saved);
    g_autofree char *b = g_strdup_printf("%" G_GUINT64_FORMAT, given);

    return differs(error, path, what, a, b);
}

bool qemu_save_check_compatible(const DomainDef *saved, const DomainDef *given, const char *path,
                                GError **error)
{
    char a[VIRT_UUID_STRING_LEN], b[VIRT_UUID_STRING_LEN];

    if (g_strcmp0(saved->name, given->name) != 0)
        return differs(error, path, "domain name", saved->name, given->name);
    if (memcmp(saved->uuid, given->uuid, sizeof(saved->uuid)) != 0) {
        virt_uuid_format(saved->uuid, a);
        virt_uuid_format(given->uuid, b);
        return differs(error, path, "domain UUID", a, b);
    }
    if (saved->memory_kib != given->memory_kib)
        return differs_num(error, path, "memory (KiB)", saved->memory_kib, given->memory_kib);
    if (saved->vcpus != given->vcpus)
        return differs_num(error, path, "vcpu count", saved->vcpus, given->vcpus);
    if (g_strcmp0(saved->os.arch, given->os.arch) != 0)
        return differs(error, path, "architecture", saved->os.arch, given->os.arch);
    if (g_strcmp0(saved->os.machine, given->os.machine) != 0)
        return differs(error, path, "machine type", saved->os.machine, given->os.machine);
    if (saved->disks->len != given->disks->len)
        return differs_num(error, path, "disk count", saved->disks->len, given->disks->len);
    if (saved->nets->len != given->nets->len)
        return differs_num(error, path, "interface count", saved->nets->len, given->nets->len);
    return true;
}

/**
 * qemu_save_cmd_max_bandwidth: lift QEMU's default 32 MiB/s migration limit, which
 * would make a save to a local file needlessly slow.
 */
QemuMonitorCommand *qemu_save_cmd_max_bandwidth(void)
{
    QemuMonitorCommand *cmd = qemu_monitor_command_new("migrate-set-parameters");

    cmd->args = json_object_new();
    json_object_set_int_member(cmd->args, "max-bandwidth", G_GINT64_CONSTANT(1) << 40);
    return cmd;
}

QemuMonitorCommand *qemu_save_cmd_migrate_incoming(const char *uri)
{
    QemuMonitorCommand *cmd = qemu_monitor_command_new("migrate-incoming");

    cmd->args = json_object_new();
    json_object_set_string_member(cmd->args, "uri", uri);
    return cmd;
}

QemuSaveProgress qemu_save_progress(const char *status)
{
    if (g_strcmp0(status, "completed") == 0)
        return QEMU_SAVE_PROGRESS_COMPLETED;
    if (g_strcmp0(status, "failed") == 0 || g_strcmp0(status, "cancelled") == 0)
        return QEMU_SAVE_PROGRESS_FAILED;
    return QEMU_SAVE_PROGRESS_ACTIVE;
}

void qemu_save_add_incoming(Command *cmd)
{
    command_add_args(cmd, "-incoming", "defer", NULL);
}
