#!/bin/sh
# nested-boot-linux-init.sh -- /init of the boot-linux-nested initramfs:
# loads KVM and tun in the QEMU-emulated machine, makes a tap device and a
# disk image, and boots Debian's kernel under ferry-system with them (the
# guest pings 10.0.2.2, tap0's address here).
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /lib/modules/order); do insmod /lib/modules/$m.ko 2>/dev/null; done
# /bin/ip is iproute2: busybox sh would run its own ip applet, which has no tuntap
/bin/ip tuntap add dev tap0 mode tap && /bin/ip link set tap0 up && /bin/ip addr add 10.0.2.2/24 dev tap0 \
    && echo "L1: tap0 up"
printf 'ferry-disk-image' > /tmp/disk.img
truncate -s 16M /tmp/disk.img
# FERRY_SYSTEM_DEBUG=1 make boot-linux-nested: ferry-system --debug (virtio
# notifications, interrupts, frames), and every 30 s the state of its threads.
dbg=""
if grep -q ferry.debug /proc/cmdline; then
    dbg="--debug ferry.debug"
    (while sleep 30; do
        echo "L1: alive $(cat /proc/loadavg)"
        for t in /proc/$(pidof ferry-system)/task/*; do
            echo "L1: thread $(cut -d' ' -f2,3,14,15 $t/stat) $(cat $t/wchan)"
        done
    done) &
fi
# stdin goes to hvc0 (--console virtio): one line, once the guest reads hvc0.
input="ferry-hvc-input-$$"
: > /tmp/l2.log
{ while ! grep -q "reading hvc0\|L1: ferry-system exited" /tmp/l2.log; do sleep 1; done
  echo "$input"; } |
{ /ferry-system ${dbg%% *} --kernel /vmlinuz --initrd /linux.cpio.gz --mem 256M --cpus 2 \
    --append "console=ttyS0 reboot=k panic=-1 ferry.auto ferry.hvcin ${dbg#* }" --disk /tmp/disk.img \
    --rng --console virtio --net tap=tap0 --timeout 1200
  echo "L1: ferry-system exited $?"; } 2>&1 | tee /tmp/l2.log
echo "L1: hvc0 was sent: $input"        # afterwards: not mixed into the guest's lines
echo "L1: disk sector 2048: $(dd if=/tmp/disk.img bs=512 skip=2048 count=1 2>/dev/null | head -c 22)"
poweroff -f
