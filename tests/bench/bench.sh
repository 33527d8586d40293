#!/bin/sh
# bench.sh -- `make bench`: runs real programs natively, under ferry and
# under qemu-x86_64, N runs each, and prints the median wall time, the peak
# RSS (GNU time), the ratios ferry/native and ferry/qemu, and the geometric
# means. Also checks each run's stdout against the native one.
#
#   tests/bench/bench.sh [-n RUNS] [-w WORKDIR] -f "FERRY CMD" -q "QEMU CMD" BENCH_BINARY...
set -u
runs=5
work=""
ferry=""
qemu="qemu-x86_64"
while getopts n:w:f:q: opt; do
    case $opt in
        n) runs=$OPTARG ;;
        w) work=$OPTARG ;;
        f) ferry=$OPTARG ;;
        q) qemu=$OPTARG ;;
        *) echo "usage: $0 [-n RUNS] [-w DIR] -f FERRY -q QEMU BIN..." >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ -n "$ferry" ] || { echo "bench.sh: -f FERRY_CMD is required" >&2; exit 2; }
[ -n "$work" ] || work=$(mktemp -d)
mkdir -p "$work"
work=$(cd "$work" && pwd)
BB=/bin/busybox

# Inputs for the busybox benchmarks (generated natively, once).
if [ ! -s "$work/data.txt" ]; then
    awk 'BEGIN { x = 1; for (i = 0; i < 120000; i++) { x = (x * 1103515245 + 12345) % 2147483648;
         printf "%d %s %x line %d\n", x % 100000, substr("lorem ipsum dolor sit amet", x % 20 + 1, 6), x, i } }' \
        > "$work/data.txt"
fi

# The benchmarks: NAME|COMMAND, where $P is the runner prefix.
list="$work/list"
{
    echo "busybox-gzip|\$P $BB gzip -c < $work/data.txt"
    echo "busybox-md5sum|\$P $BB md5sum $work/data.txt $work/data.txt $work/data.txt"
    echo "busybox-sort|\$P $BB sort -k2 $work/data.txt | md5sum"
    echo "busybox-sh-loop|\$P $BB sh -c 'i=0; s=0; while [ \$i -lt 40000 ]; do s=\$((s + i % 7)); i=\$((i + 1)); done; echo \$s'"
    for b in "$@"; do
        echo "$(basename "$b")|\$P $b"
    done
} > "$list"

# one_run PREFIX CMD OUT: runs once; prints "seconds rss_kb" ; stdout to OUT.
one_run() {
    P=$1
    start=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$work/rss" sh -c "P='$P'; $2" > "$3" 2> "$work/stderr" < /dev/null
    st=$?
    end=$(date +%s%N)
    echo "$(( (end - start) / 1000 )) $(tail -n 1 "$work/rss") $st"
}

# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# measure CMD WHO PREFIX: sets med_us, rss_kb and note for that runner.
measure() {
    m_cmd=$1 m_who=$2 m_prefix=$3
    : > "$work/times"
    : > "$work/rsss"
    note=""
    for r in $(seq 1 "$runs"); do
        set -- $(one_run "$m_prefix" "$m_cmd" "$work/out.$m_who")
        echo "$1" >> "$work/times"
        echo "$2" >> "$work/rsss"
        [ "$3" = 0 ] || note=" ($m_who exit $3)"
    done
    if [ "$m_who" != native ] && ! cmp -s "$work/out.native" "$work/out.$m_who"; then
        note="$note ($m_who OUTPUT DIFFERS from native)"
    fi
    med_us=$(median < "$work/times")
    rss_kb=$(sort -n "$work/rsss" | tail -n 1)
}

printf '%-18s %9s %9s %9s %8s %8s  %s\n' benchmark native_s ferry_s qemu_s f/native f/qemu "peak RSS MB native/ferry/qemu"
: > "$work/ratios"
while IFS='|' read -r name cmd; do
    measure "$cmd" native ""; n_us=$med_us n_rss=$rss_kb
    measure "$cmd" ferry "$ferry"; f_us=$med_us f_rss=$rss_kb f_note=$note
    measure "$cmd" qemu "$qemu"; q_us=$med_us q_rss=$rss_kb q_note=$note
    echo "$n_us $f_us $q_us" >> "$work/ratios"
    awk -v name="$name" -v n="$n_us" -v f="$f_us" -v q="$q_us" -v nr="$n_rss" -v fr="$f_rss" \
        -v qr="$q_rss" -v note="$f_note$q_note" 'BEGIN {
        printf "%-18s %9.3f %9.3f %9.3f %8.2f %8.2f  %.1f/%.1f/%.1f%s\n", name, n / 1e6, f / 1e6,
               q / 1e6, f / n, f / q, nr / 1024, fr / 1024, qr / 1024, note }'
done < "$list"
awk '{ lf += log($2 / $1); lq += log($2 / $3); n++ }
     END { printf "geometric mean over %d benchmarks: ferry/native %.2f, ferry/qemu %.2f (%d runs each, median)\n",
           n, exp(lf / n), exp(lq / n), '"$runs"' }' "$work/ratios"
