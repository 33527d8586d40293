#!/bin/sh
# check-static.sh -- the shipped ferry is static and runs inside a chroot
# that holds nothing else of the host: no libraries, no loader, no /proc.
# Guest programs there exec other programs (ferry re-executes itself
# through the descriptor it kept of its own binary, since there is no
# /proc/self/exe), even after the guest chroots again into a directory
# without ferry.  Every run is compared with the same commands run
# natively in the same chroot (Debian's static busybox, a static test
# program); the CPUID brand shows the exec'd program ran translated.
#
#   check-static.sh FERRY_BIN "RUNNER" BUSYBOX ARGV_CPU_PROGRAM
# RUNNER is empty on an x86-64 host, or an emulator (qemu-aarch64) that is
# copied into the chroot with its libraries to run an AArch64 ferry.
set -u
ferry=$1 runner=$2 busybox=$3 prog=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
pass=0 fail=0 skip=0
verdict() { if [ "$2" = 1 ]; then echo "PASS $1"; pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }

# --- the binary itself: static (no PT_INTERP, no shared libraries) ---------
desc=$(file -b "$ferry")
ok=0
case $desc in *"statically linked"*|*"static-pie linked"*) ok=1 ;; esac
verdict "file: $(echo "$desc" | cut -d, -f2) $(echo "$desc" | grep -o 'stati[^,]*')" $ok
ldd_out=$(ldd "$ferry" 2>&1)
ok=0
case $ldd_out in *"statically linked"*|*"not a dynamic executable"*) ok=1 ;; esac
verdict "ldd: $ldd_out" $ok

# --- a chroot with ferry, busybox and the test program only -----------------
mkdir -p "$root/sub" "$root/tmp"
cp "$ferry" "$root/ferry"
cp "$busybox" "$root/busybox"
cp "$busybox" "$root/sub/busybox"
cp "$prog" "$root/argv-cpu"
run_prefix=""
if [ -n "$runner" ]; then
    # The emulator and its shared libraries (ldd's absolute paths).
    rbin=$(command -v "$runner")
    mkdir -p "$root$(dirname "$rbin")"
    cp "$rbin" "$root$rbin"
    for lib in $(ldd "$rbin" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
    run_prefix="$rbin"
fi

# in_root CMD...: runs CMD chrooted into $root (as root, or in a user
# namespace where chroot is allowed).
if [ "$(id -u)" = 0 ]; then
    in_root() { chroot "$root" "$@"; }
else
    in_root() { unshare -Ur chroot "$root" "$@"; }
fi
if ! in_root /busybox true 2>/dev/null; then
    echo "SKIP chroot tests: cannot chroot here (not root, and no user namespaces)"
    echo "check-static: $pass passed, $fail failed, chroot tests skipped"
    [ "$fail" = 0 ]
    exit
fi
if in_root /busybox test -e /proc/self; then
    verdict "the test root has no /proc" 0
fi

# compare NAME CMD...: CMD natively in the chroot, then under ferry there.
compare() {
    name=$1
    shift
    in_root "$@" > "$tmp/native" 2>&1
    echo "status $?" >> "$tmp/native"
    FERRY_EXEC_WRAPPER=$run_prefix in_root $run_prefix /ferry "$@" > "$tmp/ferry" 2>&1
    echo "status $?" >> "$tmp/ferry"
    ok=0
    cmp -s "$tmp/native" "$tmp/ferry" && ok=1
    verdict "$name" $ok
    [ $ok = 1 ] || diff "$tmp/native" "$tmp/ferry" | head -n 10 | sed 's/^/  /'
}

compare "no /proc: a shell runs children (guest execve)" \
    /busybox sh -c '/busybox echo child; /argv-cpu one "two words"; echo status $?'
compare "no /proc: exec chain sh -> sh -> program" \
    /busybox sh -c 'exec /busybox sh -c "exec /argv-cpu chained"'
if [ -z "$runner" ]; then
    compare "the guest chroots into a directory without ferry, then execs" \
        /busybox chroot /sub /busybox echo inside the inner root
else
    # The emulator re-runs ferry by its path, which /sub lacks; a real
    # AArch64 host execs the kept descriptor, as the x86-64 run checks.
    echo "SKIP the guest chroots, then execs: under $runner the exec wrapper needs ferry's path"
fi

FERRY_EXEC_WRAPPER=$run_prefix in_root $run_prefix /ferry /busybox sh -c 'exec /argv-cpu --cpu' \
    > "$tmp/cpu" 2>&1
ok=0
grep -q '^cpu: ferry virtual x86-64 CPU' "$tmp/cpu" && ok=1
verdict "the exec'd program ran translated (CPUID brand)" $ok

echo "check-static: $pass passed, $fail failed"
[ "$fail" = 0 ]
