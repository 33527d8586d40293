#!/bin/sh
# nested-boot-linux-init.sh -- /init of the boot-linux-nested initramfs:
# loads KVM and tun in the QEMU-emulated machine, makes a tap device and a
# disk image, and boots Debian's kernel under ferry-system with them.
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /lib/modules/order); do insmod /lib/modules/$m.ko 2>/dev/null; done
ip tuntap add dev tap0 mode tap && ip link set tap0 up && ip addr add 10.0.2.2/24 dev tap0
printf 'ferry-disk-image' > /tmp/disk.img
truncate -s 16M /tmp/disk.img
/ferry-system --kernel /vmlinuz --initrd /linux.cpio.gz --mem 256M --cpus 2 \
    --append "console=ttyS0 reboot=k panic=-1 ferry.auto" --disk /tmp/disk.img --rng --vconsole \
    --net tap=tap0 --timeout 1500 < /dev/null
echo "L1: ferry-system exited $?"
echo "L1: disk sector 2048: $(dd if=/tmp/disk.img bs=512 skip=2048 count=1 2>/dev/null | head -c 22)"
poweroff -f
