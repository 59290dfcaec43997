/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fd-util.h"
#include "util/file-util.h"

/* A temp file that is unlinked unless its path was cleared (after the rename). */
typedef struct TempFile {
    char *path;
    int fd;
} TempFile;

static void temp_file_clear(TempFile *tmp)
{
    int saved = errno;

    if (tmp->fd >= 0)
        (void)close(tmp->fd);
    if (tmp->path)
        (void)unlink(tmp->path);
    g_free(tmp->path);
    errno = saved;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(TempFile, temp_file_clear)

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int fsync_dir(const char *dir)
{
    g_auto(VirtFd) fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0)
        return -errno;
    if (fsync(fd) < 0)
        return -errno;
    return 0;
}

/* Fill the temp file: contents, permissions, and durable on disk before the rename. */
static bool temp_file_fill(TempFile *tmp, const void *data, size_t len, mode_t mode, GError **error)
{
    int r = write_all(tmp->fd, data, len);

    if (r < 0)
        return virt_error_set_errno(error, VIRT_UTIL_ERROR, -r, "cannot write '%s'", tmp->path);
    if (fchmod(tmp->fd, mode) < 0)
        return virt_error_set_errno(error, VIRT_UTIL_ERROR, errno, "cannot set mode %04o on '%s'",
                                    (unsigned)mode, tmp->path);
    if (fsync(tmp->fd) < 0)
        return virt_error_set_errno(error, VIRT_UTIL_ERROR, errno, "cannot sync '%s'", tmp->path);
    /* close() can report a delayed write error (NFS); don't rename a file that failed. */
    if (close(g_steal_fd(&tmp->fd)) < 0)
        return virt_error_set_errno(error, VIRT_UTIL_ERROR, errno, "cannot close '%s'", tmp->path);
    return true;
}

/**
 * virt_file_write_atomic: replace @path with @data so that a crash leaves either the old
 * or the new contents, never a mix. The temp file lives in the same directory (rename
 * is only atomic within a filesystem) and gets @mode exactly, regardless of umask.
 *
 * If only the final directory fsync fails, @path already holds the new contents but its
 * durability is unknown; that is still reported as an error.
 */
bool virt_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                            GError **error)
{
    g_autofree char *dir = NULL;
    g_autofree char *base = NULL;
    g_auto(TempFile) tmp = { .path = NULL, .fd = -1 };
    int r;

    if (!path || !*path || g_str_has_suffix(path, "/")) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG,
                    "cannot write file '%s': not a file path", path ? path : "");
        return false;
    }
    dir = g_path_get_dirname(path);
    base = g_path_get_basename(path);
    tmp.path = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
    tmp.fd = mkostemp(tmp.path, O_CLOEXEC);
    if (tmp.fd < 0) {
        g_clear_pointer(&tmp.path, g_free); /* nothing was created */
        return virt_error_set_errno(error, VIRT_UTIL_ERROR, errno,
                                    "cannot create a temporary file for '%s'", path);
    }
    if (!temp_file_fill(&tmp, data, len, mode, error))
        return false;
    if (rename(tmp.path, path) < 0)
        return virt_error_set_errno(error, VIRT_UTIL_ERROR, errno, "cannot rename '%s' to '%s'",
                                    tmp.path, path);
    g_clear_pointer(&tmp.path, g_free); /* it is @path now: keep it */
    r = fsync_dir(dir);
    if (r < 0)
        return virt_error_set_errno(error, VIRT_UTIL_ERROR, -r, "cannot sync directory '%s'", dir);
    return true;
}

/* Read up to @max_len + 1 bytes so that "exactly at the limit" and "over it" differ. */
static bool read_fd_bounded(int fd, const char *path, size_t max_len, char **ret_data,
                            size_t *ret_len, GError **error)
{
    g_autofree char *data = NULL;
    size_t alloc = 0;
    size_t len = 0;

    for (;;) {
        size_t want;
        ssize_t n;

        if (len == alloc) {
            alloc = alloc ? alloc * 2 : 4096;
            data = g_realloc(data, alloc + 1);
        }
        want = alloc - len;
        if (max_len - len < want)
            want = max_len - len + 1;
        n = read(fd, data + len, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return virt_error_set_errno(error, VIRT_UTIL_ERROR, errno, "cannot read file '%s'",
                                        path);
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > max_len) {
            g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_OVERFLOW,
                        "file '%s' is larger than the limit of %zu bytes", path, max_len);
            return false;
        }
    }
    data[len] = '\0';
    *ret_len = len;
    *ret_data = g_steal_pointer(&data);
    return true;
}

/**
 * virt_file_read_bounded: read all of @path, refusing more than @max_len bytes. The size
 * is enforced while reading, not only from fstat(), so /proc files and files that grow
 * under us are bounded too. *ret_data is NUL-terminated; @ret_len may be NULL.
 */
bool virt_file_read_bounded(const char *path, size_t max_len, char **ret_data, size_t *ret_len,
                            GError **error)
{
    g_auto(VirtFd) fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    char *data = NULL;
    size_t len = 0;

    if (fd < 0)
        return virt_error_set_errno(error, VIRT_UTIL_ERROR, errno, "cannot open file '%s'", path);
    if (fstat(fd, &st) < 0)
        return virt_error_set_errno(error, VIRT_UTIL_ERROR, errno, "cannot stat file '%s'", path);
    if (S_ISDIR(st.st_mode))
        return virt_error_set_errno(error, VIRT_UTIL_ERROR, EISDIR, "cannot read file '%s'", path);
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max_len) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_OVERFLOW,
                    "file '%s' is larger than the limit of %zu bytes", path, max_len);
        return false;
    }
    if (!read_fd_bounded(fd, path, max_len, &data, &len, error))
        return false;
    if (ret_len)
        *ret_len = len;
    *ret_data = data;
    return true;
}

/**
 * virt_dir_ensure: create @path and missing parents with @mode (subject to umask). An
 * existing directory is fine; an existing non-directory is an error.
 */
bool virt_dir_ensure(const char *path, mode_t mode, GError **error)
{
    struct stat st;

    if (!path || !*path) {
        g_set_error(error, VIRT_UTIL_ERROR, VIRT_ERR_INVALID_ARG,
                    "cannot create directory '': empty path");
        return false;
    }
    if (g_mkdir_with_parents(path, (int)mode) < 0)
        return virt_error_set_errno(error, VIRT_UTIL_ERROR, errno, "cannot create directory '%s'",
                                    path);
    if (stat(path, &st) < 0)
        return virt_error_set_errno(error, VIRT_UTIL_ERROR, errno, "cannot create directory '%s'",
                                    path);
    if (!S_ISDIR(st.st_mode))
        return virt_error_set_errno(error, VIRT_UTIL_ERROR, ENOTDIR, "cannot create directory '%s'",
                                    path);
    return true;
}
