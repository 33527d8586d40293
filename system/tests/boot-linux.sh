#!/bin/sh
# boot-linux.sh FERRY_SYSTEM OUTDIR -- make boot-linux: boots Debian's
# stock kernel (linux-image-amd64, fetched with apt-get download) under
# ferry-system with an initramfs of busybox-static and the virtio modules,
# a virtio disk, virtio-rng and virtio-console, two vCPUs.
#   BOOT_LINUX_AUTO=0   stay at the guest's shell instead of powering off
#   FERRY_TAP=NAME      virtio-net on tap NAME instead of libslirp user networking
#   BOOT_LINUX_TIMEOUT  watchdog seconds (default 300; 0 = none)
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
"$ferry" --kernel "$vmlinuz" --initrd "$out/linux-initramfs.cpio.gz" --mem 512M --cpus 2 \
    --append "console=ttyS0 reboot=k panic=-1 $auto" --disk "$out/linux-disk.img" --rng --vconsole \
    --timeout "${BOOT_LINUX_TIMEOUT:-300}" $net
status=$?
echo "boot-linux: ferry-system exited with status $status"
echo "boot-linux: disk sector 2048: $(dd if="$out/linux-disk.img" bs=512 skip=2048 count=1 2>/dev/null | head -c 22)"
exit $status
