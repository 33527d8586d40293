#!/bin/sh
# boot-linux-tcg.sh FERRY_SYSTEM OUTDIR [bzimage] -- make check-system-linux:
# boots Debian's stock kernel (linux-image-amd64, apt-get download, not
# installed) on ferry's translator (--accel tcg), with the boot-linux
# initramfs (busybox-static, the virtio modules, linux-init.sh), a virtio
# disk, virtio-rng, virtio-console and libslirp networking.  By default the
# kernel is the ELF vmlinux unpacked from the bzImage and entered through
# its PVH note (32-bit protected mode); with "bzimage" the bzImage itself
# (64-bit entry, the kernel decompresses itself: slower).  The kernel comes
# from the set-up step (.ci/setup-linux, cached in FERRY_LINUX, by default
# /var/cache/ferry/linux-amd64-bookworm), the initramfs from make; either
# missing is a FAIL line naming the set-up command.  Passes when init runs
# and reports, and the guest powers off with status 0; prints how far the
# boot got otherwise.  Part of make check (11-25 s; the aarch64 kind
# about 2 minutes of CPU).
# With "aarch64" (make check-system-linux-aarch64) FERRY_SYSTEM is the
# AArch64 build run under qemu-aarch64, the PVH vmlinux again, without
# --net user (no arm64 libslirp here): the network checks are left out.
# With "pvh32" (LINUX_KIND=pvh32, not in make check) the vmlinux converted
# to ELF32 (objcopy -O elf32-i386, as QEMU's -kernel takes PVH kernels).
#   LINUX_TCG_CPUS     vCPUs (default 2: the AP starts by INIT/SIPI in real mode)
#   LINUX_TCG_TIMEOUT  watchdog seconds, the time budget (default 600)
set -e
ferry="$1"; out="$2"; kind="${3:-pvh}"; here=$(dirname "$0")
run="$ferry"; net="--net user"; extra=""
if [ "$kind" = aarch64 ]; then
    # The guest's clock is the host's, and under qemu-aarch64 the kernel's
    # W+X page-table walk (ptdump, no reschedule) takes 20-30 s of it: the
    # soft-lockup detector's default 20 s threshold fires (a WARNING-level
    # "BUG: soft lockup" with a trace).  Its longest threshold (2 x 60 s).
    run="qemu-aarch64 -L / $ferry"; net=""; extra="watchdog_thresh=60"
fi
linux=${FERRY_LINUX:-/var/cache/ferry/linux-amd64-bookworm}
initramfs="$out/linux-tcg-initramfs.cpio.gz"
kernel="$linux/vmlinux"; [ "$kind" = bzimage ] && kernel="$linux/vmlinuz"
for f in "$linux/.ferry-linux-1" "$kernel" "$initramfs"; do
    [ -e "$f" ] || { echo "FAIL linux on tcg ($kind): no $f (run .ci/setup-linux, then make $initramfs)"; exit 1; }
done
if [ "$kind" = pvh32 ]; then
    objcopy -O elf32-i386 "$kernel" "$out/vmlinux32.elf"
    kernel="$out/vmlinux32.elf"
fi
# (the aarch64 kind's files apart: make -j check runs both)
sfx=""; [ "$kind" = aarch64 ] && sfx="-aarch64"
disk="$out/linux-tcg-disk$sfx.img"
printf 'ferry-disk-image' > "$disk"
truncate -s 64M "$disk"
log="$out/boot-linux-tcg$sfx.log"; : > "$log"; : > "$log.err"; rm -f "$log.rc"
line="ferry-hvc-input-$$"
set +e
start=$(date +%s)
# stdin goes to hvc0 once the guest says it reads it (see boot-linux.sh).
{
    while ! grep -q "reading hvc0" "$log" 2>/dev/null; do
        kill -0 $$ 2>/dev/null || exit 0
        grep -q "ferry-system:" "$log.err" 2>/dev/null && exit 0
        [ -e "$log.rc" ] && exit 0      # ferry-system ended without a word (a crash)
        sleep 1
    done
    echo "$line"
    echo "boot-linux-tcg: sent '$line' to ferry-system's stdin (hvc0)" >&2
} | { $run --accel tcg --kernel "$kernel" --initrd "$initramfs" --mem 512M \
    --cpus "${LINUX_TCG_CPUS:-2}" --append "console=ttyS0 reboot=k panic=-1 ferry.auto ferry.hvcin $extra" \
    --disk "$disk" --rng --console virtio $net \
    --timeout "${LINUX_TCG_TIMEOUT:-600}" > "$log" 2> "$log.err"; echo $? > "$log.rc"; }
rc=$(cat "$log.rc")
end=$(date +%s)
cat "$log.err" >&2
fail=0
need() {
    if grep -q "$1" "$log"; then echo "PASS linux on tcg ($kind): $2"
    else echo "FAIL linux on tcg ($kind): $2 (no '$1' in $log)"; fail=1; fi
}
need "Linux version" "the kernel starts and prints its banner"
need "Run /init as init process" "the kernel runs /init from the initramfs"
need "ferry-boot-linux: kernel" "init runs and reports"
need "wrote sector 2048 of vda" "virtio-blk write"
if [ -n "$net" ]; then
    need "eth0 up" "virtio-net up"
    need "ping 10.0.2.2 answered" "ping over --net user"
fi
need "hwrng: virtio_rng" "virtio-rng"
need "hello on hvc0" "virtio-console output"
need "hvc0 read: $line" "virtio-console input"
need "ferry-boot-linux: done" "init finishes"
if [ "$rc" = 0 ]; then echo "PASS linux on tcg ($kind): powered off, status 0"
else echo "FAIL linux on tcg ($kind): exit status $rc"; fail=1; fi
if ! grep -q "Linux version" "$log"; then
    echo "FAIL linux on tcg ($kind): no kernel log to look for warnings in"
    fail=1
elif grep -qE "WARNING|Oops|BUG:|Call Trace" "$log"; then
    echo "FAIL linux on tcg ($kind): the kernel log shows a warning or oops:"
    grep -E "WARNING|Oops|BUG:|Call Trace" "$log" | head -5
    fail=1
else
    echo "PASS linux on tcg ($kind): no warning or oops in the kernel log"
fi
echo "linux on tcg ($kind): $((end - start)) s wall from start to exit; the console is in $log"
exit $fail
