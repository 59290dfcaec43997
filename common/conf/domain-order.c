/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The order in which libvirt writes the children of the elements virtkit models only in
 * part. Kept children libvirt knows go back to their libvirt position, so a definition
 * that went through virtkit diffs cleanly against libvirt's own output. */

#include <stddef.h>

#include "conf/domain-parse-priv.h"

const char *const domain_order_domain[] = {
    "name",
    "uuid",
    "genid",
    "title",
    "description",
    "metadata",
    "maxMemory",
    "memory",
    "currentMemory",
    "blkiotune",
    "memtune",
    "memoryBacking",
    "vcpu",
    "vcpus",
    "iothreads",
    "iothreadids",
    "defaultiothread",
    "cputune",
    "numatune",
    "resource",
    "sysinfo",
    "bootloader",
    "bootloader_args",
    "os",
    "idmap",
    "features",
    "cpu",
    "clock",
    "on_poweroff",
    "on_reboot",
    "on_crash",
    "on_lockfailure",
    "pm",
    "perf",
    "devices",
    "seclabel",
    "keywrap",
    "launchSecurity",
    NULL,
};

const char *const domain_order_os[] = {
    "type",      "firmware", "init",  "initarg",  "initenv", "initdir", "inituser",
    "initgroup", "loader",   "nvram", "kernel",   "initrd",  "cmdline", "dtb",
    "acpi",      "shim",     "boot",  "bootmenu", "smbios",  "bios",    NULL,
};

const char *const domain_order_features[] = {
    "acpi",           "apic",   "pae",    "hap",       "viridian",
    "privnet",        "hyperv", "kvm",    "xen",       "pvspinlock",
    "capabilities",   "pmu",    "vmport", "gic",       "smm",
    "ioapic",         "hpt",    "htm",    "nested-hv", "msrs",
    "ccf-assist",     "cfpc",   "sbbc",   "ibs",       "tcg",
    "async-teardown", "ras",    "ps2",    NULL,
};

const char *const domain_order_cpu[] = {
    "model", "vendor", "microcode", "topology", "cache", "maxphysaddr", "feature", "numa", NULL,
};

const char *const domain_order_devices[] = {
    "emulator", "disk",       "controller", "lease",   "filesystem", "interface",   "smartcard",
    "serial",   "parallel",   "console",    "channel", "input",      "tpm",         "graphics",
    "sound",    "audio",      "video",      "hostdev", "redirdev",   "redirfilter", "hub",
    "watchdog", "memballoon", "rng",        "panic",   "shmem",      "memory",      "iommu",
    "vsock",    "crypto",     "pstore",     NULL,
};

const char *const domain_order_disk[] = {
    "driver",   "auth",    "source",  "backingStore", "backenddomain", "mirror",    "target",
    "geometry", "blockio", "iotune",  "readonly",     "shareable",     "transient", "serial",
    "wwn",      "vendor",  "product", "encryption",   "boot",          "acpi",      "alias",
    "address",  NULL,
};

const char *const domain_order_net[] = {
    "mac",      "source",     "virtualport",   "vlan",      "port",    "ip",    "route",
    "script",   "downscript", "backenddomain", "bandwidth", "target",  "guest", "model",
    "driver",   "backend",    "filterref",     "tune",      "teaming", "link",  "mtu",
    "coalesce", "boot",       "acpi",          "alias",     "address", "rom",   NULL,
};
