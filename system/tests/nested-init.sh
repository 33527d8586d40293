#!/bin/sh
# nested-init.sh -- /init of the check-system-kvm initramfs: loads KVM
# (the QEMU CPU emulates SVM) and tun, then runs the whole check-system
# suite with real KVM available, and powers off.
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /run/netns /var/run /tmp
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /run
mkdir -p /run/netns
for m in $(cat /lib/modules/order); do insmod /lib/modules/$m.ko 2>/dev/null; done
ip link set lo up
echo "nested: $(ls -l /dev/kvm 2>&1)"
cd /
# KVM emulated inside TCG is slow: a larger budget for the kvm runner than make check gives
FERRY_SYSTEM_KVM_BUDGET=1500 python3 -S /tests/run_tests.py /ferry-system /out
echo "nested-exit=$?"
poweroff -f
