#!/bin/sh
# setup.sh -- the set-up step of `make bench` / `make bench-aarch64`:
# installs the Debian programs the benchmarks run, when missing, and for
# the AArch64 bench fetches QEMU's own arm64 build of qemu-x86_64 (from
# Debian's qemu-user-static:arm64, unpacked, never installed: it would
# clash with the host's qemu-user).  Benchmarks are not part of
# `make check`, so none of this is in .ci/setup-deps.  Safe to run again:
# apt-get runs only for what is missing.
#
#   tests/bench/setup.sh x86_64
#   tests/bench/setup.sh aarch64 CACHE_DIR   # leaves CACHE_DIR/qemu-x86_64
set -e
host=${1:?usage: setup.sh x86_64|aarch64 [CACHE_DIR]}
cache=${2:-}
PKGS="gzip xz-utils bzip2 python3 perl sqlite3 gcc make coreutils time qemu-user
      busybox-static mawk"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo

# Packages of $PKGS not installed yet.
bench_missing() {
    for p in $PKGS; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
            printf ' %s' "$p"
    done
}

bench_install() {
    missing=$(bench_missing)
    [ -n "$missing" ] || return 0
    echo "bench setup: installing:$missing"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
}

# QEMU's arm64 qemu-x86_64 (static), unpacked into $cache; $cache/qemu-x86_64
# links to it whatever the package calls it.
bench_qemu_arm64() {
    [ -x "$cache/qemu-x86_64" ] && return 0
    mkdir -p "$cache"
    cache=$(cd "$cache" && pwd)
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        $SUDO dpkg --add-architecture arm64
        $SUDO apt-get update -q
    fi
    rm -f "$cache"/*.deb
    # apt-get download writes into the current directory (as root: not as
    # the _apt user, who may not write there).
    sandbox=""
    [ -n "$SUDO" ] || sandbox="-o APT::Sandbox::User=root"
    (cd "$cache" && apt-get download -q $sandbox qemu-user-static:arm64) ||
        { $SUDO apt-get update -q && (cd "$cache" && apt-get download -q $sandbox qemu-user-static:arm64); }
    dpkg-deb -x "$cache"/qemu-user-static_*_arm64.deb "$cache/root"
    rm -f "$cache"/*.deb
    for q in "$cache/root/usr/bin/qemu-x86_64-static" "$cache/root/usr/bin/qemu-x86_64"; do
        [ -x "$q" ] && ln -sf "$q" "$cache/qemu-x86_64" && break
    done
    [ -x "$cache/qemu-x86_64" ] || { echo "bench setup: no qemu-x86_64 in qemu-user-static:arm64" >&2; exit 1; }
    echo "bench setup: $(readlink "$cache/qemu-x86_64") (arm64) ready"
}

bench_install
if [ "$host" = aarch64 ]; then
    [ -n "$cache" ] || { echo "setup.sh aarch64 needs CACHE_DIR" >&2; exit 2; }
    bench_qemu_arm64
fi
