/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemu-test-qmp.h"
#include "util/error.h"

#define QEMU_TEST_TIMEOUT_MS 30000

void qemu_test_vm_socketpair(int *ret_our_fd, int *ret_qemu_fd)
{
    int sv[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    *ret_our_fd = sv[0];
    *ret_qemu_fd = sv[1];
}

static void qemu_test_msg_free(void *p)
{
    qemu_monitor_message_free(p);
}

void qemu_test_vm_free(QemuTestVm *vm)
{
    if (!vm)
        return;
    if (vm->pid > 0) {
        (void)kill(vm->pid, SIGKILL);
        (void)waitpid(vm->pid, NULL, 0);
    }
    if (vm->pidfd >= 0)
        close(vm->pidfd);
    if (vm->fd >= 0)
        close(vm->fd);
    g_string_free(vm->in, TRUE);
    g_ptr_array_unref(vm->events);
    g_free(vm);
}

static QemuMonitorMessage *qemu_test_vm_read(QemuTestVm *vm, int timeout_ms, GError **error)
{
    int64_t deadline = g_get_monotonic_time() + (int64_t)timeout_ms * 1000;

    for (;;) {
        char *nl = memchr(vm->in->str, '\n', vm->in->len);
        struct pollfd pfd = { .fd = vm->fd, .events = POLLIN };
        int64_t left = (deadline - g_get_monotonic_time()) / 1000;
        char chunk[65536];
        ssize_t n;

        if (nl) {
            size_t len = (size_t)(nl - vm->in->str) + 1;
            QemuMonitorMessage *msg = qemu_monitor_message_parse(vm->in->str, len, error);

            g_string_erase(vm->in, 0, (gssize)len);
            return msg;
        }
        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
            g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR, "QMP timeout");
            return NULL;
        }
        n = read(vm->fd, chunk, sizeof(chunk));
        if (n <= 0) {
            g_set_error(error, VIRT_QEMU_ERROR, VIRT_ERR_INTERNAL_ERROR, "QMP closed");
            return NULL;
        }
        g_string_append_len(vm->in, chunk, n);
    }
}

QemuMonitorMessage *qemu_test_vm_cmd(QemuTestVm *vm, const char *name, GError **error)
{
    g_autoptr(QemuMonitorCommand) cmd = qemu_monitor_command_new(name);
    g_autofree char *line = qemu_monitor_command_format(cmd, ++vm->serial);

    g_assert_cmpint(send(vm->fd, line, strlen(line), MSG_NOSIGNAL), ==, (ssize_t)strlen(line));
    for (;;) {
        QemuMonitorMessage *msg = qemu_test_vm_read(vm, QEMU_TEST_TIMEOUT_MS, error);
        unsigned serial;

        if (!msg)
            return NULL;
        if (msg->type == QEMU_MONITOR_MESSAGE_EVENT) {
            g_ptr_array_add(vm->events, msg);
            continue;
        }
        if (qemu_monitor_reply_serial(msg, &serial) && serial == vm->serial &&
            qemu_monitor_reply_check(msg, name, error))
            return msg;
        qemu_monitor_message_free(msg);
        return NULL;
    }
}

QemuMonitorMessage *qemu_test_vm_wait_event(QemuTestVm *vm, const char *event, int timeout_ms,
                                            GError **error)
{
    for (guint i = 0; i < vm->events->len; i++) {
        QemuMonitorMessage *msg = g_ptr_array_index(vm->events, i);

        if (g_str_equal(msg->event, event))
            return g_ptr_array_steal_index(vm->events, i);
    }
    for (;;) {
        QemuMonitorMessage *msg = qemu_test_vm_read(vm, timeout_ms, error);

        if (!msg || (msg->type == QEMU_MONITOR_MESSAGE_EVENT && g_str_equal(msg->event, event)))
            return msg;
        g_ptr_array_add(vm->events, msg);
    }
}

int qemu_test_vm_wait_exit(QemuTestVm *vm, int timeout_ms)
{
    struct pollfd pfd = { .fd = vm->pidfd, .events = POLLIN };
    int status = 0;

    if (vm->pidfd >= 0 && poll(&pfd, 1, timeout_ms) <= 0)
        return -1;
    if (waitpid(vm->pid, &status, 0) != vm->pid)
        return -1;
    vm->pid = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

QemuTestVm *qemu_test_vm_start(Command *cmd, int our_fd, int qemu_fd, GError **error)
{
    g_autoptr(QemuTestVm) vm = g_new0(QemuTestVm, 1);
    g_autoptr(QemuMonitorMessage) greeting = NULL;
    g_autoptr(QemuMonitorMessage) caps = NULL;
    bool ok;

    vm->fd = our_fd;
    vm->pidfd = -1;
    vm->in = g_string_new(NULL);
    vm->events = g_ptr_array_new_with_free_func(qemu_test_msg_free);
    ok = command_spawn(cmd, &vm->pid, &vm->pidfd, error);
    close(qemu_fd);
    if (!ok)
        return NULL;
    greeting = qemu_test_vm_read(vm, QEMU_TEST_TIMEOUT_MS, error);
    if (!greeting)
        return NULL;
    g_assert_cmpint(greeting->type, ==, QEMU_MONITOR_MESSAGE_GREETING);
    caps = qemu_test_vm_cmd(vm, "qmp_capabilities", error);
    if (!caps)
        return NULL;
    return g_steal_pointer(&vm);
}
