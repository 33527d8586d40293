#!/bin/sh
# vm-init.sh -- /init of the VM that runs tests/vm's programs
# (tests/vm/check-vm.sh): each /t/NAME in turn natively, then under each
# ferry build the VM has (/f/ferry; /f/ferry-aarch64 under
# /f/qemu-aarch64), each run's output between markers on the serial
# console, then power off.  ferry runs in the VM too: what it imitates
# (the kernel release's vDSO layout and rules) is the VM kernel's.
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t devtmpfs dev /dev
cd /tmp
run() {
    echo "ferry-vm: begin $1"
    shift
    "$@" 2>&1
    echo "ferry-vm: end status $?"
}
for t in /t/*; do
    n=${t##*/}
    run "$n native" "$t"
    [ -x /f/ferry ] && run "$n x86_64" /f/ferry "$t"
    [ -x /f/ferry-aarch64 ] && run "$n aarch64" /f/qemu-aarch64 -L / /f/ferry-aarch64 "$t"
done
poweroff -f
