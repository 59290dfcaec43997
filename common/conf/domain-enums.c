/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* String tables for the domain model's enums: the spellings of libvirt's domain XML. */

#include "conf/domain-def.h"

ENUM_TABLE_DEFINE(domain_virt_type, DomainVirtType, _DOMAIN_VIRT_MAX, [DOMAIN_VIRT_QEMU] = "qemu",
                  [DOMAIN_VIRT_KVM] = "kvm", [DOMAIN_VIRT_XEN] = "xen", [DOMAIN_VIRT_LXC] = "lxc",
                  [DOMAIN_VIRT_BHYVE] = "bhyve", [DOMAIN_VIRT_TEST] = "test");

ENUM_TABLE_DEFINE(
    domain_os_type, DomainOsType, _DOMAIN_OS_MAX, [DOMAIN_OS_HVM] = "hvm", [DOMAIN_OS_XEN] = "xen",
    [DOMAIN_OS_XENPVH] = "xenpvh", [DOMAIN_OS_LINUX] = "linux", [DOMAIN_OS_EXE] = "exe");

/* DEFAULT has no spelling: it means "not given" and is never written. */
ENUM_TABLE_DEFINE(
    domain_lifecycle_action, DomainLifecycleAction,
    _DOMAIN_LIFECYCLE_MAX, [DOMAIN_LIFECYCLE_DEFAULT] = NULL,
    [DOMAIN_LIFECYCLE_DESTROY] = "destroy", [DOMAIN_LIFECYCLE_RESTART] = "restart",
    [DOMAIN_LIFECYCLE_RESTART_RENAME] = "rename-restart", [DOMAIN_LIFECYCLE_PRESERVE] = "preserve",
    [DOMAIN_LIFECYCLE_COREDUMP_DESTROY] = "coredump-destroy",
    [DOMAIN_LIFECYCLE_COREDUMP_RESTART] = "coredump-restart");

ENUM_TABLE_DEFINE(domain_disk_type, DomainDiskType,
                  _DOMAIN_DISK_TYPE_MAX, [DOMAIN_DISK_TYPE_FILE] = "file",
                  [DOMAIN_DISK_TYPE_BLOCK] = "block", [DOMAIN_DISK_TYPE_DIR] = "dir",
                  [DOMAIN_DISK_TYPE_NETWORK] = "network", [DOMAIN_DISK_TYPE_VOLUME] = "volume",
                  [DOMAIN_DISK_TYPE_NVME] = "nvme", [DOMAIN_DISK_TYPE_VHOSTUSER] = "vhostuser");

ENUM_TABLE_DEFINE(domain_disk_device, DomainDiskDevice, _DOMAIN_DISK_DEVICE_MAX,
                  [DOMAIN_DISK_DEVICE_DISK] = "disk", [DOMAIN_DISK_DEVICE_CDROM] = "cdrom",
                  [DOMAIN_DISK_DEVICE_FLOPPY] = "floppy", [DOMAIN_DISK_DEVICE_LUN] = "lun");

ENUM_TABLE_DEFINE(
    domain_disk_bus, DomainDiskBus, _DOMAIN_DISK_BUS_MAX, [DOMAIN_DISK_BUS_NONE] = NULL,
    [DOMAIN_DISK_BUS_IDE] = "ide", [DOMAIN_DISK_BUS_FDC] = "fdc", [DOMAIN_DISK_BUS_SCSI] = "scsi",
    [DOMAIN_DISK_BUS_VIRTIO] = "virtio", [DOMAIN_DISK_BUS_XEN] = "xen",
    [DOMAIN_DISK_BUS_USB] = "usb", [DOMAIN_DISK_BUS_UML] = "uml", [DOMAIN_DISK_BUS_SATA] = "sata",
    [DOMAIN_DISK_BUS_SD] = "sd");

ENUM_TABLE_DEFINE(domain_controller_type, DomainControllerType, _DOMAIN_CONTROLLER_TYPE_MAX,
                  [DOMAIN_CONTROLLER_TYPE_IDE] = "ide", [DOMAIN_CONTROLLER_TYPE_FDC] = "fdc",
                  [DOMAIN_CONTROLLER_TYPE_SCSI] = "scsi", [DOMAIN_CONTROLLER_TYPE_SATA] = "sata",
                  [DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL] = "virtio-serial",
                  [DOMAIN_CONTROLLER_TYPE_CCID] = "ccid", [DOMAIN_CONTROLLER_TYPE_USB] = "usb",
                  [DOMAIN_CONTROLLER_TYPE_PCI] = "pci", [DOMAIN_CONTROLLER_TYPE_XENBUS] = "xenbus",
                  [DOMAIN_CONTROLLER_TYPE_ISA] = "isa");

ENUM_TABLE_DEFINE(
    domain_net_type, DomainNetType, _DOMAIN_NET_TYPE_MAX, [DOMAIN_NET_TYPE_USER] = "user",
    [DOMAIN_NET_TYPE_ETHERNET] = "ethernet", [DOMAIN_NET_TYPE_VHOSTUSER] = "vhostuser",
    [DOMAIN_NET_TYPE_SERVER] = "server", [DOMAIN_NET_TYPE_CLIENT] = "client",
    [DOMAIN_NET_TYPE_MCAST] = "mcast", [DOMAIN_NET_TYPE_UDP] = "udp",
    [DOMAIN_NET_TYPE_NETWORK] = "network", [DOMAIN_NET_TYPE_BRIDGE] = "bridge",
    [DOMAIN_NET_TYPE_INTERNAL] = "internal", [DOMAIN_NET_TYPE_DIRECT] = "direct",
    [DOMAIN_NET_TYPE_HOSTDEV] = "hostdev", [DOMAIN_NET_TYPE_VDPA] = "vdpa",
    [DOMAIN_NET_TYPE_NULL] = "null", [DOMAIN_NET_TYPE_VDS] = "vds");

ENUM_TABLE_DEFINE(
    domain_chr_type, DomainChrType, _DOMAIN_CHR_TYPE_MAX, [DOMAIN_CHR_TYPE_NULL] = "null",
    [DOMAIN_CHR_TYPE_VC] = "vc", [DOMAIN_CHR_TYPE_PTY] = "pty", [DOMAIN_CHR_TYPE_DEV] = "dev",
    [DOMAIN_CHR_TYPE_FILE] = "file", [DOMAIN_CHR_TYPE_PIPE] = "pipe",
    [DOMAIN_CHR_TYPE_STDIO] = "stdio", [DOMAIN_CHR_TYPE_UDP] = "udp", [DOMAIN_CHR_TYPE_TCP] = "tcp",
    [DOMAIN_CHR_TYPE_UNIX] = "unix", [DOMAIN_CHR_TYPE_SPICEVMC] = "spicevmc",
    [DOMAIN_CHR_TYPE_SPICEPORT] = "spiceport", [DOMAIN_CHR_TYPE_NMDM] = "nmdm",
    [DOMAIN_CHR_TYPE_QEMU_VDAGENT] = "qemu-vdagent", [DOMAIN_CHR_TYPE_DBUS] = "dbus");

ENUM_TABLE_DEFINE(
    domain_graphics_type, DomainGraphicsType,
    _DOMAIN_GRAPHICS_TYPE_MAX, [DOMAIN_GRAPHICS_TYPE_SDL] = "sdl",
    [DOMAIN_GRAPHICS_TYPE_VNC] = "vnc", [DOMAIN_GRAPHICS_TYPE_RDP] = "rdp",
    [DOMAIN_GRAPHICS_TYPE_DESKTOP] = "desktop", [DOMAIN_GRAPHICS_TYPE_SPICE] = "spice",
    [DOMAIN_GRAPHICS_TYPE_EGL_HEADLESS] = "egl-headless", [DOMAIN_GRAPHICS_TYPE_DBUS] = "dbus");

ENUM_TABLE_DEFINE(domain_device_kind, DomainDeviceKind,
                  _DOMAIN_DEVICE_MAX, [DOMAIN_DEVICE_DISK] = "disk",
                  [DOMAIN_DEVICE_CONTROLLER] = "controller", [DOMAIN_DEVICE_NET] = "interface",
                  [DOMAIN_DEVICE_SERIAL] = "serial", [DOMAIN_DEVICE_CONSOLE] = "console",
                  [DOMAIN_DEVICE_GRAPHICS] = "graphics", [DOMAIN_DEVICE_VIDEO] = "video",
                  [DOMAIN_DEVICE_INPUT] = "input", [DOMAIN_DEVICE_MEMBALLOON] = "memballoon",
                  [DOMAIN_DEVICE_RNG] = "rng", [DOMAIN_DEVICE_FS] = "filesystem");
