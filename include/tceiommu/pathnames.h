/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every absolute host path the tool reads is spelled here and nowhere else
 * (util-linux include/pathnames.h). They are always resolved inside the root
 * (--root DIR, default /) by src/host/root.c; tests/check-paths.sh fails on a
 * quoted "/sys", "/proc" or "/dev" in any other source file.
 */
#pragma once

/* drivers/iommu/iommu.c: one directory per IOMMU group, named by number */
#define PATH_IOMMU_GROUPS "/sys/kernel/iommu_groups"
/* drivers/pci/pci-sysfs.c */
#define PATH_PCI_DEVICES "/sys/bus/pci/devices"
#define PATH_PCI_DRIVERS "/sys/bus/pci/drivers"
/* a PHB's root bus "DDDD:00" (drivers/pci/probe.c), with an of_node link */
#define PATH_PCI_BUS_CLASS "/sys/class/pci_bus"
/* drivers/of/kobj.c; /proc/device-tree is an absolute link to it */
#define PATH_DEVTREE_BASE "/sys/firmware/devicetree/base"
#define PATH_PROC_DEVTREE "/proc/device-tree"
#define PATH_PROC "/proc"
/* fs/proc/base.c: this program's own executable (never read through the
 * root: the built-in examples are found beside it, src/cmd/examples.c) */
#define PATH_PROC_SELF_EXE "/proc/self/exe"
/* fs/proc/fd.c: this process's open files, as links to their paths */
#define PATH_PROC_SELF_FD "/proc/self/fd"
/* arch/powerpc/kernel/setup-common.c show_cpuinfo */
#define PATH_PROC_CPUINFO "/proc/cpuinfo"
#define PATH_PROC_MEMINFO "/proc/meminfo"
/* this process's limits (fs/proc/base.c proc_pid_limits) */
#define PATH_PROC_SELF_LIMITS "/proc/self/limits"
/* drivers/vfio/vfio_main.c, CONFIG_VFIO_NOIOMMU */
#define PATH_VFIO_NOIOMMU "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode"
/* kernel/module/sysfs.c: loaded modules and the parameters of built-in ones */
#define PATH_SYSFS "/sys"
#define PATH_SYS_MODULE "/sys/module"
/* drivers/base/cpu.c: per CPU online state and SMT siblings */
#define PATH_CPUS "/sys/devices/system/cpu"
/* drivers/vfio/group.c: the group char device, "/dev/vfio/<group>" */
#define PATH_DEV "/dev"
#define PATH_DEV_VFIO "/dev/vfio"
#define PATH_DEV_VFIO_CONTAINER "/dev/vfio/vfio"
#define PATH_DEV_KVM "/dev/kvm"

/*
 * libvirt's sockets (src/remote/remote_sockets.c): the modular daemon's
 * (virtqemud) and the monolithic libvirtd's, each with a read-only twin
 * ("-ro"). Live only, never under --root: the tool looks whether one exists
 * before connecting, so that libvirt never tries to start a daemon.
 */
#define PATH_LIBVIRT_RUN "/run/libvirt"
#define LIBVIRT_SOCK_NAMES "virtqemud-sock", "virtqemud-sock-ro", "libvirt-sock", "libvirt-sock-ro"
/* virt/kvm/kvm_main.c kvm_create_vm_debugfs: one "PID-FD" directory per VM */
#define PATH_DEBUGFS_KVM "/sys/kernel/debug/kvm"
/* libvirt src/qemu/qemu_conf.c: the QEMU driver's logs and pid files */
#define PATH_LIBVIRT_QEMU_LOG "/var/log/libvirt/qemu"
#define PATH_LIBVIRT_QEMU_RUN "/run/libvirt/qemu"
/* kernel/trace/trace.c: tracefs, and its old place under debugfs */
#define PATH_TRACEFS "/sys/kernel/tracing"
#define PATH_DEBUGFS_TRACING "/sys/kernel/debug/tracing"
