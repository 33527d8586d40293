#!/bin/sh
# linux-init.sh -- /init of the boot-linux initramfs (Debian kernel under
# ferry-system): loads the virtio modules, reports CPUs, disks, network
# and random devices on the serial console, writes a line to sector 2048 of
# vda, brings eth0 up as 10.0.2.15 and pings 10.0.2.2 (libslirp's gateway,
# or the tap's host side), reporting whether it answered, writes to hvc0 (and
# with "ferry.hvcin" reads a line from it), then gives a shell. With
# "ferry.auto" on the command line it powers off through the debug-exit
# port (status 0) instead; with "ferry.bench" right after its first line.
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /lib/modules/order); do insmod /lib/modules/$m.ko; done
say() { echo "ferry-boot-linux: $*"; }
say "kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs online"
# ferry.bench (make bench-system): power off right after the first line.
grep -q ferry.bench /proc/cmdline && printf '\000' | dd of=/dev/port bs=1 seek=1281 2>/dev/null
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
    grep -q ferry.debug /proc/cmdline && grep -i virtio /proc/interrupts
    if ping -c 2 -W 10 10.0.2.2; then say "ping 10.0.2.2 answered"; else say "ping 10.0.2.2 FAILED"; fi
fi
say "hwrng: $(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)"
# ttyS0 drains asynchronously (interrupt-driven) while hvc0 writes reach
# ferry-system's stdout at once: let ttyS0 finish so the lines do not mix.
sleep 1
[ -e /dev/hvc0 ] && echo "ferry-boot-linux: hello on hvc0" > /dev/hvc0
# ferry.hvcin: ferry-system runs with --console virtio; the script driving it
# sends a line to its stdin once this marker appears (hvc0 open first: input
# arriving while no one has hvc0 open is dropped by Linux's hvc layer), and
# the line must arrive through hvc0's receive queue.
if grep -q ferry.hvcin /proc/cmdline && exec 3< /dev/hvc0; then
    stty -echo <&3      # the tty's echo would go to stdout too, mixed into ttyS0's lines
    say "reading hvc0"
    if read -t 60 line <&3; then say "hvc0 read: $line"; else say "hvc0 read nothing"; fi
    exec 3<&-
fi
if grep -q ferry.auto /proc/cmdline; then
    say "done"
    printf '\000' | dd of=/dev/port bs=1 seek=1281 2>/dev/null
fi
exec setsid cttyhack sh
