#!/bin/sh
# linux_kernel.sh OUTDIR -- fetches Debian's linux-image-amd64 (the kernel
# package it depends on) with apt-get download and unpacks it under
# OUTDIR/linux; prints the path of the vmlinuz. Used by boot-linux and
# check-system-kvm. Nothing is installed on the host.  The set-up step's
# cache (.ci/setup-linux, FERRY_LINUX) is used when it is there.
set -e
cache=${FERRY_LINUX:-/var/cache/ferry/linux-amd64-bookworm}
if [ -e "$cache/.ferry-linux-1" ]; then
    ls "$cache"/root/boot/vmlinuz-* | head -1
    exit 0
fi
out="$1/linux"
if [ ! -f "$out/.done" ]; then
    mkdir -p "$out"
    pkg=$(apt-cache depends linux-image-amd64 | sed -n 's/.*Depends: \(linux-image-[0-9].*\)/\1/p' | head -1)
    [ -n "$pkg" ] || { echo "linux_kernel.sh: cannot resolve linux-image-amd64 (run apt-get update)" >&2; exit 1; }
    (cd "$out" && rm -f ./*.deb && apt-get download "$pkg" >/dev/null 2>&1 && dpkg-deb -x ./*.deb root && rm -f ./*.deb)
    touch "$out/.done"
fi
ls "$out"/root/boot/vmlinuz-* | head -1
