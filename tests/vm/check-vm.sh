#!/bin/sh
# check-vm.sh OUT KERNEL FERRY_X86 FERRY_A64 PROG... -- tests whose oracle
# is Linux in a VM rather than this host: the programs run natively in
# Debian's kernel on qemu-system-x86_64 (TCG, -cpu max, 2 CPUs), all in
# one boot, and under each ferry build in the same VM (the AArch64 one
# under this host's qemu-aarch64, copied in with its libraries);
# stdout+stderr and the status must be the same.  For what this host
# cannot show: its paravirtualised kernel never gives the CPU the LDT
# Linux keeps for a process (lsl/lar fail, loads #GP, for every LDT
# selector), so modify_ldt's effect on segment loads is compared against
# Linux on an emulated CPU instead; and another kernel release than this
# host's (Debian's 6.1: its vDSO's data pages, tests/guest/vdso_vvar.c).
# FERRY_X86, FERRY_A64 are ferry binaries (static); FERRY_A64 may be
# empty (x86-64 build only).
set -u
out=$1 kernel=$2 fx=$3 fa=$4
shift 4
mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)
bins="--bin $fx:f/ferry"
builds=x86_64
if [ -n "$fa" ]; then
    qemu=$(command -v qemu-aarch64) || { echo "check-vm: no qemu-aarch64"; exit 1; }
    bins="$bins --bin $fa:f/ferry-aarch64 --bin $qemu:f/qemu-aarch64"
    builds="x86_64 aarch64"
fi
for p in "$@"; do bins="$bins --bin $p:t/$(basename "$p")"; done
# shellcheck disable=SC2086
python3 "$here/../../system/tests/mkinitramfs.py" "$out/vm.cpio.gz" --init "$here/vm-init.sh" $bins || exit 1
timeout "${VM_TIMEOUT:-900}" qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 1024 -kernel "$kernel" \
    -initrd "$out/vm.cpio.gz" -append "console=ttyS0 quiet loglevel=0 panic=-1" \
    -nographic -no-reboot -monitor none -net none </dev/null | tr -d '\r' >"$out/vm.log" 2>&1
# One run's output from the log: what is between its markers, then its
# status (the console may put escapes before a marker).
vm_run() {
    awk -v m="ferry-vm: begin $1" '
        on && /ferry-vm: end status / { sub(".*status ", ""); print "status " $0; exit }
        on { print }
        length($0) >= length(m) && substr($0, length($0) - length(m) + 1) == m { on = 1 }' "$out/vm.log"
}
pass=0 fail=0
for p in "$@"; do
    n=$(basename "$p")
    vm_run "$n native" >"$out/$n.native"
    if ! grep -q '^status ' "$out/$n.native"; then
        echo "FAIL $n: no native run in the VM's log ($out/vm.log)"; fail=$((fail + 1)); continue
    fi
    for build in $builds; do
        vm_run "$n $build" >"$out/$n.$build"
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
