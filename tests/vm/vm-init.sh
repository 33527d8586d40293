#!/bin/sh
# vm-init.sh -- /init of the VM that runs tests/vm's programs natively
# (tests/vm/check-vm.sh): each /t/NAME in turn, its output between
# markers on the serial console, then power off.
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t devtmpfs dev /dev
cd /tmp
for t in /t/*; do
    echo "ferry-vm: begin ${t##*/}"
    "$t" 2>&1
    echo "ferry-vm: end ${t##*/} status $?"
done
poweroff -f
