#!/bin/sh
# check-vm.sh OUT KERNEL FERRY_X86 FERRY_A64 PROG... -- tests whose oracle
# is Linux in a VM rather than this host: the programs run natively in
# Debian's kernel on qemu-system-x86_64 (TCG, -cpu max, 2 CPUs), all in
# one boot, and under each ferry build here; stdout+stderr and the status
# must be the same.  For what this host cannot show: its paravirtualised
# kernel never gives the CPU the LDT Linux keeps for a process (lsl/lar
# fail, loads #GP, for every LDT selector), so modify_ldt's effect on
# segment loads is compared against Linux on an emulated CPU instead.
# FERRY_A64 may be empty (x86-64 build only).
set -u
out=$1 kernel=$2 fx=$3 fa=$4
shift 4
mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)
bins=""
for p in "$@"; do bins="$bins --bin $p:t/$(basename "$p")"; done
# shellcheck disable=SC2086
python3 "$here/../../system/tests/mkinitramfs.py" "$out/vm.cpio.gz" --init "$here/vm-init.sh" $bins || exit 1
timeout "${VM_TIMEOUT:-600}" qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 512 -kernel "$kernel" \
    -initrd "$out/vm.cpio.gz" -append "console=ttyS0 quiet loglevel=0 panic=-1" \
    -nographic -no-reboot -monitor none -net none </dev/null | tr -d '\r' >"$out/vm.log" 2>&1
pass=0 fail=0
for p in "$@"; do
    n=$(basename "$p")
    awk -v n="$n" '
        $0 ~ "^ferry-vm: end " n " status " { sub(".*status ", ""); print "status " $0; on = 0; next }
        on { print }
        $0 ~ "ferry-vm: begin " n "$" { on = 1 }' "$out/vm.log" >"$out/$n.native"
    if ! grep -q '^status ' "$out/$n.native"; then
        echo "FAIL $n: no native run in the VM's log ($out/vm.log)"; fail=$((fail + 1)); continue
    fi
    for build in x86_64 aarch64; do
        [ "$build" = x86_64 ] && cmd=$fx || cmd=$fa
        [ -n "$cmd" ] || continue
        (cd "$out" && $cmd "$p" >"$out/$n.$build" 2>&1; echo "status $?" >>"$out/$n.$build")
        if cmp -s "$out/$n.native" "$out/$n.$build"; then
            pass=$((pass + 1))
        else
            echo "FAIL $n ($build):"; diff "$out/$n.native" "$out/$n.$build" | head -20
            fail=$((fail + 1))
        fi
    done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
