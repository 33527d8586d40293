#!/bin/sh
# linux-init.sh -- /init of the boot-linux initramfs (Debian kernel under
# ferry-system): loads the virtio modules, reports CPUs, disks, network
# and random devices on the serial console, writes a line to sector 2048 of
# vda, brings eth0 up as 10.0.2.15 (gateway 10.0.2.2: libslirp's, or the
# tap's host side), then gives a shell. With
# "ferry.auto" on the command line it powers off through the debug-exit
# port (status 0) instead.
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /lib/modules/order); do insmod /lib/modules/$m.ko; done
say() { echo "ferry-boot-linux: $*"; }
say "kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs online"
say "disks: $(ls /sys/block | tr '\n' ' ')"
if [ -b /dev/vda ]; then
    say "vda starts with: $(head -c 16 /dev/vda)"
    echo "ferry-linux-wrote-this" | dd of=/dev/vda bs=512 seek=2048 conv=fsync 2>/dev/null \
        && say "wrote sector 2048 of vda"
fi
say "network: $(ls /sys/class/net | tr '\n' ' ')"
ip link set lo up
if [ -e /sys/class/net/eth0 ]; then
    ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && say "eth0 up"
    # Traffic from Linux over virtio-net (ping 10.0.2.2) hung the nested
    # boot here; until that is understood, only the link comes up.
    [ -n "$FERRY_PING" ] && ping -c 2 -W 10 10.0.2.2 && say "ping 10.0.2.2 answered"
fi
say "hwrng: $(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)"
[ -e /dev/hvc0 ] && echo "ferry-boot-linux: hello on hvc0" > /dev/hvc0
if grep -q ferry.auto /proc/cmdline; then
    say "done"
    printf '\000' | dd of=/dev/port bs=1 seek=1281 2>/dev/null
fi
exec setsid cttyhack sh
