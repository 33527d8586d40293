#!/bin/sh
# demo.sh -- `make demo`: builds a small showy x86-64 program (an ASCII
# Mandelbrot and a few computed numbers), runs it natively, under the x86-64
# ferry and under the AArch64 ferry (through qemu-aarch64), and shows that
# the three outputs agree.
#
#   tests/demo.sh FERRY_X86_64 FERRY_AARCH64 "QEMU_AARCH64 CMD"
set -u
ferry_x86=$1
ferry_a64=$2
qemu_a64=$3
src=$(dirname "$0")/guest/mandelbrot.c
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gcc -std=gnu11 -O2 -static -o "$tmp/mandelbrot" "$src" -lm || exit 1

# show LINES TITLE OUTFILE CMD...: runs CMD with its time, stores stdout,
# prints its last LINES lines (all if LINES is 0).
show() {
    lines=$1 title=$2 out=$3
    shift 3
    echo "=== $title: $*"
    start=$(date +%s.%N)
    st=0
    "$@" > "$out" || st=$?
    end=$(date +%s.%N)
    if [ "$lines" = 0 ]; then cat "$out"; else echo "[...]"; tail -n "$lines" "$out"; fi
    echo "--- exit status $st, $(echo "$end - $start" | awk '{printf "%.2f", $1 - $3}')s"
    echo
    return $st
}

bad=0
show 0 "native x86-64" "$tmp/native" "$tmp/mandelbrot" || bad=1
show 4 "ferry, x86-64 host" "$tmp/x86" "$ferry_x86" --stats "$tmp/mandelbrot" || bad=1
# $qemu_a64 is split into words on purpose ("qemu-aarch64 -L /").
show 4 "ferry, AArch64 host (under qemu-aarch64)" "$tmp/a64" $qemu_a64 "$ferry_a64" "$tmp/mandelbrot" || bad=1

for h in x86 a64; do
    if cmp -s "$tmp/native" "$tmp/$h"; then
        echo "same output natively and under ferry ($h host)"
    else
        echo "OUTPUT DIFFERS natively and under ferry ($h host):"
        diff "$tmp/native" "$tmp/$h" | head -n 20
        bad=1
    fi
done
[ $bad = 0 ] && echo "demo: all three runs agree"
exit $bad
