#!/bin/sh
# need-qemu.sh -- installs qemu-system-x86 when missing; only the targets
# that compare with or nest inside QEMU (bench-system, check-system-kvm,
# boot-linux-nested) call it, so make check never needs QEMU.
command -v qemu-system-x86_64 >/dev/null && exit 0
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends qemu-system-x86
