#!/bin/sh
# need-qemu.sh -- installs qemu-system-x86 when missing; only the targets
# that compare with or nest inside QEMU (bench-system, check-system-kvm,
# boot-linux-nested) call it, so make check never needs QEMU.
command -v qemu-system-x86_64 >/dev/null && exit 0
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
apt_host=$(dirname "$0")/../../.ci/apt-host
$SUDO sh "$apt_host" update -q && DEBIAN_FRONTEND=noninteractive $SUDO sh "$apt_host" install -y -q --no-install-recommends qemu-system-x86
