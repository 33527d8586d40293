#!/bin/sh
# boot-linux.sh FERRY_SYSTEM OUTDIR -- make boot-linux: boots Debian's
# stock kernel (linux-image-amd64, fetched with apt-get download) under
# ferry-system with an initramfs of busybox-static and the virtio modules,
# a virtio disk, virtio-rng and virtio-console, two vCPUs. Checks what the
# guest's init reports (CPUs, the disk write, eth0 and a ping answered,
# hwrng, a line written to hvc0 and one read from it: stdin goes to hvc0
# with --console virtio) and the sector it wrote; fails if any is missing.
#   BOOT_LINUX_AUTO=0   stay at the guest's shell instead of powering off
#   FERRY_TAP=NAME      virtio-net on tap NAME instead of libslirp user networking
#   BOOT_LINUX_TIMEOUT  watchdog seconds (default 300, interactive: none; 0 = none)
set -e
ferry="$1"; out="$2"; here=$(dirname "$0")
vmlinuz=$(sh "$here/linux_kernel.sh" "$out")
modroot="$(dirname "$(dirname "$vmlinuz")")/lib/modules"
python3 "$here/mkinitramfs.py" "$out/linux-initramfs.cpio.gz" --init "$here/linux-init.sh" \
    --modroot "$modroot" --modules virtio_pci,virtio_blk,virtio_net,virtio_console,virtio-rng
printf 'ferry-disk-image' > "$out/linux-disk.img"
truncate -s 64M "$out/linux-disk.img"
auto="ferry.auto"; [ "${BOOT_LINUX_AUTO:-1}" = 0 ] && auto=""
net="--net user"; [ -n "$FERRY_TAP" ] && net="--net tap=$FERRY_TAP"
set +e
if [ -z "$auto" ]; then        # interactive: the terminal is the guest's console
    exec "$ferry" --kernel "$vmlinuz" --initrd "$out/linux-initramfs.cpio.gz" --mem 512M --cpus 2 \
        --append "console=ttyS0 reboot=k panic=-1" --disk "$out/linux-disk.img" --rng --vconsole \
        --timeout "${BOOT_LINUX_TIMEOUT:-0}" $net
fi
log="$out/boot-linux.log"
# stdin goes to hvc0 (--console virtio): one line, sent once the guest reads
# hvc0 (or the VMM has ended); the guest reports what it read.
input="ferry-hvc-input-$$"
: > "$log"
{ while ! grep -q "reading hvc0\|boot-linux: ferry-system exited" "$log"; do sleep 1; done
  echo "$input"; } |
{ "$ferry" --kernel "$vmlinuz" --initrd "$out/linux-initramfs.cpio.gz" --mem 512M --cpus 2 \
    --append "console=ttyS0 reboot=k panic=-1 $auto ferry.hvcin" --disk "$out/linux-disk.img" \
    --rng --console virtio --timeout "${BOOT_LINUX_TIMEOUT:-300}" $net
  echo "boot-linux: ferry-system exited with status $?"; } 2>&1 | tee "$log"
sector=$(dd if="$out/linux-disk.img" bs=512 skip=2048 count=1 2>/dev/null | head -c 22)
echo "boot-linux: disk sector 2048: $sector"
fail=""
for want in "2 CPUs online" "wrote sector 2048 of vda" "eth0 up" "ping 10.0.2.2 answered" \
            "hwrng: virtio_rng.0" "hello on hvc0" "hvc0 read: $input" "ferry-boot-linux: done" \
            "exited with status 0"; do
    grep -q "$want" "$log" || fail="$fail, '$want'"
done
[ "$sector" = "ferry-linux-wrote-this" ] || fail="$fail, the disk write"
if [ -n "$fail" ]; then
    echo "boot-linux: FAILED, missing ${fail#, } (log: $log)"
    exit 1
fi
echo "boot-linux: passed"
