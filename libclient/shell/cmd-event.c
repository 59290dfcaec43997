/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtsh "event": wait for domain events and print them as virsh does
 * ("event 'lifecycle' for domain 'test': Suspended Paused"), ending with
 * "events received: N"; the status is 0 only when an event arrived. Only lifecycle
 * events are produced by virtkit's drivers; the other event ids can be waited for
 * (--all registers every one, as virsh does) but never print.
 */

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shell.h"

/* virsh's names, indexed by virDomainEventID */
static const char *const event_names[VIR_DOMAIN_EVENT_ID_LAST] = {
    "lifecycle",
    "reboot",
    "rtc-change",
    "watchdog",
    "io-error",
    "graphics",
    "io-error-reason",
    "control-error",
    "block-job",
    "disk-change",
    "tray-change",
    "pm-wakeup",
    "pm-suspend",
    "balloon-change",
    "pm-suspend-disk",
    "device-removed",
    "block-job-2",
    "tunable",
    "agent-lifecycle",
    "device-added",
    "migration-iteration",
    "job-completed",
    "device-removal-failed",
    "metadata-change",
    "block-threshold",
    "memory-failure",
    "memory-device-size-change",
};

static const char *const lifecycle_names[VIR_DOMAIN_EVENT_LAST] = {
    "Defined", "Undefined", "Started",     "Suspended", "Resumed",
    "Stopped", "Shutdown",  "PMSuspended", "Crashed",
};

typedef struct DetailNames {
    const char *const *names;
    size_t n;
} DetailNames;

#define DETAILS(...)                                                      \
    {                                                                     \
        (const char *const[]){ __VA_ARGS__ },                             \
            sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(char *) \
    }

static const DetailNames detail_names[VIR_DOMAIN_EVENT_LAST] = {
    [VIR_DOMAIN_EVENT_DEFINED] = DETAILS("Added", "Updated", "Renamed", "Snapshot"),
    [VIR_DOMAIN_EVENT_UNDEFINED] = DETAILS("Removed", "Renamed"),
    [VIR_DOMAIN_EVENT_STARTED] =
        DETAILS("Booted", "Migrated", "Restored", "Snapshot", "Event wakeup"),
    [VIR_DOMAIN_EVENT_SUSPENDED] =
        DETAILS("Paused", "Migrated", "I/O Error", "Watchdog", "Restored", "Snapshot", "API error",
                "Post-copy", "Post-copy Error"),
    [VIR_DOMAIN_EVENT_RESUMED] =
        DETAILS("Unpaused", "Migrated", "Snapshot", "Post-copy", "Post-copy Error"),
    [VIR_DOMAIN_EVENT_STOPPED] =
        DETAILS("Shutdown", "Destroyed", "Crashed", "Migrated", "Saved", "Failed", "Snapshot"),
    [VIR_DOMAIN_EVENT_SHUTDOWN] =
        DETAILS("Finished", "Finished after guest request", "Finished after host request"),
    [VIR_DOMAIN_EVENT_PMSUSPENDED] = DETAILS("Memory", "Disk"),
    [VIR_DOMAIN_EVENT_CRASHED] = DETAILS("Panicked", "Crashloaded"),
};

typedef struct EventWait {
    Shell *sh;
    bool loop;
    bool timestamp;
    int count;
    bool timed_out;
} EventWait;

static volatile sig_atomic_t event_interrupted;

static void on_sigint(int sig)
{
    event_interrupted = 1;
}

static const char *lifecycle_to_string(int event)
{
    if (event < 0 || event >= VIR_DOMAIN_EVENT_LAST)
        return "unknown";
    return lifecycle_names[event];
}

static const char *detail_to_string(int event, int detail)
{
    if (event < 0 || event >= VIR_DOMAIN_EVENT_LAST || detail < 0 ||
        (size_t)detail >= detail_names[event].n)
        return "unknown";
    return detail_names[event].names[detail];
}

/* virsh's --timestamp prefix: "2024-01-31 12:00:00.123+0000: " */
static void print_timestamp(Shell *sh)
{
    gint64 now = g_get_real_time();
    time_t secs = (time_t)(now / G_USEC_PER_SEC);
    struct tm tm;
    char date[64], zone[16];

    localtime_r(&secs, &tm);
    strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
    strftime(zone, sizeof(zone), "%z", &tm);
    shell_print(sh, "%s.%03d%s: ", date, (int)(now % G_USEC_PER_SEC / 1000), zone);
}

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    EventWait *wait = opaque;

    if (wait->timestamp)
        print_timestamp(wait->sh);
    shell_print(wait->sh, "event 'lifecycle' for domain '%s': %s %s\n", virDomainGetName(dom),
                lifecycle_to_string(event), detail_to_string(event, detail));
    fflush(stdout);
    wait->count++;
    return 0;
}

/* Events other than lifecycle are never produced; the callback exists so that
 * --all registers every id as virsh does. */
static void on_other_event(virConnectPtr conn, virDomainPtr dom, void *opaque)
{
    ((EventWait *)opaque)->count++;
}

static void on_timeout(int timer, void *opaque)
{
    ((EventWait *)opaque)->timed_out = true;
}

/* A short tick so that an interrupt (SIGINT) is noticed even when the signal went
 * to another thread. */
static void on_tick(int timer, void *opaque)
{
}

static bool event_parse_timeout(Shell *sh, const ShellCall *call, int *ret_ms)
{
    const char *arg = shell_call_get(call, "timeout");
    char *end = NULL;
    long value;

    *ret_ms = -1;
    if (!arg)
        return true;
    value = strtol(arg, &end, 10);
    if (!*arg || *end || value < 1 || value > G_MAXINT / 1000) {
        shell_error(sh, "invalid timeout");
        return false;
    }
    *ret_ms = (int)value * 1000;
    return true;
}

static int event_find(const char *name)
{
    for (int i = 0; i < VIR_DOMAIN_EVENT_ID_LAST; i++) {
        if (strcmp(event_names[i], name) == 0)
            return i;
    }
    return -1;
}

static void event_run(EventWait *wait, int timeout_ms)
{
    int timer = timeout_ms > 0 ? virEventAddTimeout(timeout_ms, on_timeout, wait, NULL) : -1;
    int tick = virEventAddTimeout(200, on_tick, NULL, NULL);
    struct sigaction sa = { .sa_handler = on_sigint }, old;

    event_interrupted = 0;
    sigaction(SIGINT, &sa, &old);
    while (!wait->timed_out && !event_interrupted && (wait->loop || wait->count == 0))
        virEventRunDefaultImpl();
    sigaction(SIGINT, &old, NULL);
    if (timer > 0)
        virEventRemoveTimeout(timer);
    virEventRemoveTimeout(tick);
}

static bool cmd_event(Shell *sh, const ShellCall *call)
{
    const char *event = shell_call_get(call, "event");
    bool all = shell_call_has(call, "all");
    EventWait wait = { .sh = sh,
                       .loop = shell_call_has(call, "loop"),
                       .timestamp = shell_call_has(call, "timestamp") };
    g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(int));
    virDomainPtr dom = NULL;
    int timeout_ms, only = -1;

    if (shell_call_has(call, "list")) {
        for (int i = 0; i < VIR_DOMAIN_EVENT_ID_LAST; i++)
            shell_print(sh, "%s\n", event_names[i]);
        return true;
    }
    if (!all && !event) {
        shell_error(sh, "one of --list, --all, or --event <type> is required");
        return false;
    }
    if (event && !all && (only = event_find(event)) < 0) {
        shell_error(sh, "unknown event type %s", event);
        return false;
    }
    if (!event_parse_timeout(sh, call, &timeout_ms))
        return false;
    if (shell_call_has(call, "domain") &&
        !(dom = shell_lookup_domain(sh, call, SHELL_BY_ANY, NULL)))
        return false;
    virEventRegisterDefaultImpl();
    for (int i = 0; i < VIR_DOMAIN_EVENT_ID_LAST; i++) {
        virConnectDomainEventGenericCallback cb = i == VIR_DOMAIN_EVENT_ID_LIFECYCLE
                                                      ? VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle)
                                                      : on_other_event;
        int id;

        if (!all && i != only)
            continue;
        id = virConnectDomainEventRegisterAny(sh->conn, dom, i, cb, &wait, NULL);
        if (id < 0)
            break;
        g_array_append_val(ids, id);
    }
    if (ids->len == (guint)(all ? VIR_DOMAIN_EVENT_ID_LAST : 1)) {
        event_run(&wait, timeout_ms);
        if (event_interrupted)
            shell_print(sh, "event loop interrupted\n");
        else if (wait.timed_out)
            shell_print(sh, "event loop timed out\n");
        shell_print(sh, "events received: %d\n", wait.count);
    }
    for (guint i = 0; i < ids->len; i++)
        virConnectDomainEventDeregisterAny(sh->conn, g_array_index(ids, int, i));
    if (dom)
        virDomainFree(dom);
    return wait.count > 0;
}

static const ShellOptDef opts_event[] = {
    { "domain", SHELL_OPT_STRING, 0, "filter by domain name, id or uuid" },
    { "event", SHELL_OPT_STRING, 0, "which event type to wait for" },
    { "all", SHELL_OPT_BOOL, 0, "wait for all events instead of just one type" },
    { "loop", SHELL_OPT_BOOL, 0, "loop until timeout or interrupt, rather than one-shot" },
    { "timeout", SHELL_OPT_STRING, 0, "timeout seconds" },
    { "list", SHELL_OPT_BOOL, 0, "list valid event types" },
    { "timestamp", SHELL_OPT_BOOL, 0, "show timestamp for each printed event" },
    { NULL },
};

const ShellCmdDef shell_event_cmds[] = {
    { "event", cmd_event, opts_event, "domain", "Domain Events" },
    { NULL },
};
