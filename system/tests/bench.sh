#!/bin/sh
# bench.sh FERRY_SYSTEM OUTDIR -- make bench-system: maximum RSS and CPU
# time (user + sys) of a VMM that boots the bootinfo guest (PVH entry,
# prints its start info, powers off at once): start-up, the first guest
# instructions and teardown. ferry-system next to qemu-system-x86_64 -M
# microvm when it is installed. Median of 5 runs each.
ferry="$1"; out="$2"; guest="$out/guests/bootinfo.elf"
kvm=no; [ -r /dev/kvm ] && [ -w /dev/kvm ] && kvm=yes

measure() {     # label, command...: median maxRSS (KiB) and CPU ms of 5 runs
    python3 - "$@" <<'PY'
import os, resource, subprocess, sys
label, cmd, runs = sys.argv[1], sys.argv[2:], []
for _ in range(5):
    pid = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL).pid
    _, status, ru = os.wait4(pid, 0)
    runs.append((ru.ru_utime + ru.ru_stime, ru.ru_maxrss))
cpu, rss = sorted(runs)[2]
print(f"{label:<44} {rss:>10} {cpu * 1000:>8.1f}")
PY
}

printf "%-44s %10s %8s\n" "VMM (64 MiB guest)" "maxRSS KiB" "CPU ms"
if [ $kvm = yes ]; then
    measure "ferry-system (KVM)" "$ferry" --kernel "$guest" --mem 64M
else
    echo "note: no usable /dev/kvm here; measuring the hosted test accelerator instead of KVM"
    measure "ferry-system, hosted accelerator" "$out/hosted/bootinfo" --kernel "$guest" --mem 64M
fi
if command -v qemu-system-x86_64 >/dev/null; then
    accel=kvm; [ $kvm = yes ] || accel=tcg
    measure "qemu-system-x86_64 -M microvm ($accel)" qemu-system-x86_64 -M microvm -accel $accel \
        -m 64M -kernel "$guest" -nographic -no-reboot -nodefaults -serial stdio \
        -device isa-debug-exit,iobase=0x501,iosize=4
else
    echo "qemu-system-x86_64 not installed (apt-get install qemu-system-x86) -- no comparison"
fi
