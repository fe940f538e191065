#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-or-later
# /init of the L2 guest's own initramfs (tests/e2e/ppc64el-boot.sh, the
# powernv9-6.12-l2run and -l2memlock-* configurations): load the NIC driver,
# bring eth0 up and make the driver DMA with link-level broadcast frames only
# (ARP requests for a link-local address, on an emulated link that leads
# nowhere), say so on the console, wait for the L1 to say "go" on the same
# console (it records the running guest meanwhile), power off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo 1 >/proc/sys/kernel/printk
echo "L2-BOOTED $(uname -r)"
for m in $(cat /modules.order); do
	insmod "/modules/$m.ko" 2>/tmp/insmod.err || echo "L2-MOD $m failed: $(cat /tmp/insmod.err)"
done
echo "L2-MOD loaded: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
for d in /sys/bus/pci/devices/*; do
	echo "L2-PCI ${d##*/} $(cat "$d/vendor"):$(cat "$d/device") group $(basename "$(readlink "$d/iommu_group")" 2>/dev/null) driver $(basename "$(readlink "$d/driver")" 2>/dev/null)"
done
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
if [ -e /sys/class/net/eth0 ]; then
	ip link set eth0 up
	ip addr add 169.254.1.2/16 dev eth0
	i=0
	while [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" != 1 ] && [ $i -lt 30 ]; do
		sleep 1
		i=$((i + 1))
	done
	echo "L2-ETH0 up carrier=$(cat /sys/class/net/eth0/carrier 2>/dev/null) after ${i} s"
	# 50 broadcast ARP requests for 169.254.1.1: ten arpings of five at once
	# (busybox arping waits a second between its frames)
	for _ in 0 1 2 3 4 5 6 7 8 9; do
		arping -q -c 5 -w 6 -I eth0 -s 169.254.1.2 169.254.1.1 &
	done
	wait
	s=/sys/class/net/eth0/statistics
	echo "L2-ETH0 tx_packets=$(cat $s/tx_packets) tx_bytes=$(cat $s/tx_bytes) tx_errors=$(cat $s/tx_errors) rx_packets=$(cat $s/rx_packets)"
	grep -E 'eth0|virtio[0-9]-(input|output)' /proc/interrupts | tr -s ' ' | sed 's/^/L2-IRQ /'
else
	echo "L2-ETH0 missing"
fi
# how the guest's DMA windows were set up (the 64-bit one, DDW, or not)
dmesg | grep -i -E 'dma.window|ddw|iommu|tce|virtio|eth0' | sed 's/^/L2-DMESG /'
echo "L2-READY"
read -t 150 -r go
echo "L2-GO ${go:-timeout}"
poweroff -f
