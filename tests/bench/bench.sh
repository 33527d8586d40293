#!/bin/sh
# bench.sh -- `make bench` / `make bench-aarch64`: runs Debian's dynamically
# linked programs (gzip, xz, bzip2, sha256sum, python3, perl, sqlite3, cc1
# on a generated file and on real code -- Debian's zlib, where .ci/setup-chroot
# fetched it --, a `make` build with gcc, /bin/true start-up, a 2-thread program) and the
# older static set (busybox, the C programs of tests/bench) natively, under ferry and
# under QEMU, RUNS rounds interleaved (native, ferry, qemu, native, ...) so
# machine noise hits the three alike.  Per workload: median wall and CPU
# (user+sys) time, peak RSS (GNU time %M), ferry/native and ferry/qemu;
# then geometric means.  Every run's stdout must equal the native one and
# every exit status must be 0, else the row says FAIL (a benchmark that
# computes a wrong result is a bug) and the script exits 1.  Inputs are
# generated at run time from fixed seeds, natively, once per work dir.
#
#   tests/bench/bench.sh [-n RUNS] [-w WORKDIR] [-t TITLE] [-p THREADS2_BIN]
#                        -f "FERRY CMD" -q "QEMU CMD" STATIC_BENCH_BINARY...
#   tests/bench/bench.sh -r -w WORKDIR -f X      (prints WORKDIR's last table again)
# Environment: BENCH_QUICK=1 (inputs a quarter of the size), BENCH_ONLY=ERE
# (only the workloads whose names match), BENCH_TIMEOUT (seconds per run).
# Writes the markdown table to WORKDIR/table.md too.
set -u
runs=3
work=""
ferry=""
qemu="qemu-x86_64"
title=""
threads2=""
render=""
while getopts n:w:f:q:t:p:r opt; do
    case $opt in
        n) runs=$OPTARG ;;
        w) work=$OPTARG ;;
        f) ferry=$OPTARG ;;
        q) qemu=$OPTARG ;;
        t) title=$OPTARG ;;
        p) threads2=$OPTARG ;;
        r) render=1 ;;
        *) echo "usage: $0 [-n RUNS] [-w DIR] [-t TITLE] [-p BIN] -f FERRY -q QEMU BIN..." >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ -n "$ferry" ] || { echo "bench.sh: -f FERRY_CMD is required" >&2; exit 2; }
[ -n "$work" ] || work=$(mktemp -d)
src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
work=$(cd "$work" && pwd)
quick=${BENCH_QUICK:-}
only=${BENCH_ONLY:-}
limit=${BENCH_TIMEOUT:-1800}
# Same programs and same behaviour whoever calls: no pyenv shims, C locale.
PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
LC_ALL=C
export PATH LC_ALL
ulimit -c 0
BB=/bin/busybox
CC1=$(gcc -print-prog-name=cc1)

# Sizes: full, or a quarter with BENCH_QUICK=1 (for the AArch64 bench).
if [ -n "$quick" ]; then
    in="$work/in-quick" mb=2 fibn=27 pyruns=1 words=25000 rows=50000 cfuncs=40 pfiles=1 trues=12 rounds=125
    zfiles="deflate"
else
    in="$work/in" mb=8 fibn=30 pyruns=3 words=80000 rows=150000 cfuncs=100 pfiles=2 trues=50 rounds=500
    zfiles="deflate inflate trees"
fi
# Real C source for cc1: Debian's zlib, fetched by .ci/setup-chroot (the
# cc1 row on real code appears only where that source is).
zsrc=${FERRY_CHROOT_SRC:-/var/cache/ferry/src-bookworm}/zlib

# --- inputs (native, once per work dir) ----------------------------------

# $mb MB of word-like text from a fixed-seed LCG (exact in awk's doubles).
gen_text() {
    awk -v size=$((mb * 1048576)) 'BEGIN {
        split("the of and to in is that for it as was with be by on not he this are or " \
              "his from at which but have an they you were her she there had one all word can my", w, " ")
        x = 12345
        while (n < size) {
            line = ""
            for (k = 0; length(line) < 70; k++) {
                x = (x * 69069 + 1) % 4294967296; r = int(x / 65536)
                line = line (k ? " " : "") (r % 11 ? w[r % 40 + 1] : r % 100000)
            }
            print line; n += length(line) + 1
        } }'
}

# The make project: $pfiles files of 10 functions and main.c, gcc -O2.
gen_project() {
    d=$1
    mkdir -p "$d"
    nf=$((pfiles * 10))
    objs=""
    for k in $(seq 0 $((pfiles - 1))); do
        awk -v funcs=$nf -v first=$((k * 10)) -v count=10 -f "$src/gen-c.awk" > "$d/f$k.c"
        objs="$objs f$k.o"
    done
    awk -v funcs=$nf -v count=0 -v main=1 -f "$src/gen-c.awk" > "$d/main.c"
    printf 'CC = gcc\nCFLAGS = -O2\nOBJS =%s main.o\nprog: $(OBJS)\n\t$(CC) -o $@ $(OBJS)\n' "$objs" > "$d/Makefile"
    printf '%%.o: %%.c\n\t$(CC) $(CFLAGS) -c -o $@ $<\n' >> "$d/Makefile"
}

make_inputs() {
    [ -f "$in/done" ] && [ -z "$(find "$src" -newer "$in/done" -type f)" ] && return 0
    echo "bench: generating inputs in $in"
    rm -rf "$in"
    mkdir -p "$in"
    awk 'BEGIN { x = 1; for (i = 0; i < 120000; i++) { x = (x * 1103515245 + 12345) % 2147483648;
         printf "%d %s %x line %d\n", x % 100000, substr("lorem ipsum dolor sit amet", x % 20 + 1, 6), x, i } }' \
        > "$in/data.txt"
    gen_text > "$in/text"
    for i in 1 2 3 4 5; do cat "$in/text"; done > "$in/text5"
    sed "s/@ROWS@/$rows/g" "$src/bench.sql" > "$in/bench.sql"
    awk -v funcs=$cfuncs -v main=1 -f "$src/gen-c.awk" > "$in/big.c"
    gcc -E "$in/big.c" -o "$in/big.i"
    if [ -f "$zsrc/deflate.c" ]; then
        for f in $zfiles; do gcc -E -I"$zsrc" "$zsrc/$f.c" -o "$in/zlib-$f.i"; done
    fi
    gen_project "$in/proj"
    touch "$in/done"
}

# QEMU does not follow execve: for the make build, gcc runs under QEMU by
# its -wrapper (cc1, as, collect2) and collect2 finds ld in -B's directory.
make_qemu_wrappers() {
    printf '#!/bin/sh\n# runs a program under QEMU, found on PATH as execvp would\np=$1; shift\n' > "$work/qrun"
    printf 'case $p in */*) ;; *) p=$(command -v "$p") ;; esac\nexec %s "$p" "$@"\n' "$qemu" >> "$work/qrun"
    mkdir -p "$work/qwrap"
    printf '#!/bin/sh\nexec %s /usr/bin/ld "$@"\n' "$work/qrun" > "$work/qwrap/ld"
    chmod +x "$work/qrun" "$work/qwrap/ld"
    qemu_cc="$work/qrun /usr/bin/gcc -wrapper $work/qrun -B$work/qwrap/"
}

# --- the workloads: NAME|GROUP|COMMAND ($P is the runner prefix) ---------

list_dynamic() {
    echo "gzip -9|dyn|\$P /usr/bin/gzip -9 -c < $in/text"
    echo "xz -3|dyn|\$P /usr/bin/xz -3 -c < $in/text"
    echo "bzip2 -9|dyn|\$P /usr/bin/bzip2 -9 -c < $in/text"
    echo "sha256sum|dyn|\$P /usr/bin/sha256sum $in/text5"
    echo "python3 fib($fibn)|dyn|\$P /usr/bin/python3 $src/fib.py $fibn"
    echo "python3 -c pass x$pyruns|dyn|for i in $(seq -s ' ' $pyruns); do \$P /usr/bin/python3 -c pass || exit; done"
    echo "perl words|dyn|\$P /usr/bin/perl $src/words.pl $words"
    echo "sqlite3|dyn|\$P /usr/bin/sqlite3 :memory: < $in/bench.sql"
    echo "cc1 -O2|dyn|\$P $CC1 -quiet -O2 $in/big.i -o -"
    [ ! -f "$zsrc/deflate.c" ] ||
        echo "cc1 -O2 zlib|dyn|for f in $zfiles; do \$P $CC1 -quiet -O2 $in/zlib-\$f.i -o - || exit; done"
    echo "make gcc -O2|dyn|\$P /usr/bin/make -s -B -C $in/proj \${QCC:+\"CC=\$QCC\"} && $in/proj/prog && cd $in/proj && cksum *.o prog"
    echo "/bin/true x$trues|dyn|for i in $(seq -s ' ' $trues); do \$P /bin/true || exit; done"
    [ -z "$threads2" ] || echo "threads2|dyn|\$P $threads2 $rounds"
}

list_static() {
    echo "busybox gzip|static|\$P $BB gzip -c < $in/data.txt"
    echo "busybox md5sum|static|\$P $BB md5sum $in/data.txt $in/data.txt $in/data.txt"
    echo "busybox sort|static|\$P $BB sort -k2 $in/data.txt | md5sum"
    echo "busybox sh loop|static|\$P $BB sh -c 'i=0; s=0; while [ \$i -lt 40000 ]; do s=\$((s + i % 7)); i=\$((i + 1)); done; echo \$s'"
    for b in "$@"; do
        echo "$(basename "$b")|static|\$P $b"
    done
}

# --- running --------------------------------------------------------------

# one_run WHO PREFIX CMD OUT: appends "wall_us cpu_s rss_kb status" to
# $work/s.WHO; stdout goes to OUT, stderr to $work/err.WHO.
one_run() {
    case $1 in qemu) qcc=$qemu_cc ;; *) qcc="" ;; esac
    rm -f "$work/time"
    start=$(date +%s%N)
    P=$2 QCC=$qcc timeout -k 10 "$limit" /usr/bin/time -f '%U %S %M' -o "$work/time" \
        sh -c "$3" > "$4" 2> "$work/err.$1" < /dev/null
    st=$?
    end=$(date +%s%N)
    [ -s "$work/time" ] || echo "0 0 0" > "$work/time"    # killed by the timeout
    tail -n 1 "$work/time" | awk -v us=$(( (end - start) / 1000 )) -v st=$st \
        '{ printf "%d %.2f %d %d\n", us, $1 + $2, $3, st }' >> "$work/s.$1"
}

# check WHO OUT: the run's status and output against the native reference.
check() {
    st=$(tail -n 1 "$work/s.$1" | awk '{ print $4 }')
    if [ "$st" != 0 ]; then
        echo "$1 exit $st$( [ "$st" = 124 ] && echo ' (timeout)')" >> "$work/fail"
        sed -n '1,5s/^/    /p' "$work/err.$1" >&2
    elif ! cmp -s "$work/ref" "$2"; then
        echo "$1 output differs from native" >> "$work/fail"
        cp "$2" "$work/bad.$1"
    fi
}

# median wall us, median cpu s, max rss kb of $work/s.WHO
summary() {
    awk '{ w[NR] = $1; c[NR] = $2; if ($3 > r) r = $3 }
         function med(a, n,    i, j, t) {
             for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
             return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
         END { printf "%d %.2f %d\n", med(w, NR), med(c, NR), r }' "$work/s.$1"
}

# bench NAME GROUP CMD: RUNS interleaved rounds, then one result line in
# $work/results: name|group|fail|n_us n_cpu n_rss f_us f_cpu f_rss q_us q_cpu q_rss
bench() {
    rm -f "$work/s.native" "$work/s.ferry" "$work/s.qemu" "$work/fail" "$work/bad."*
    for r in $(seq 1 "$runs"); do
        one_run native "" "$3" "$work/out.native"
        [ "$r" = 1 ] && cp "$work/out.native" "$work/ref"
        check native "$work/out.native"
        one_run ferry "$ferry" "$3" "$work/out.ferry"
        check ferry "$work/out.ferry"
        one_run qemu "$qemu" "$3" "$work/out.qemu"
        check qemu "$work/out.qemu"
    done
    fail=$(sort -u "$work/fail" 2>/dev/null | paste -sd, - | sed 's/,/, /g')
    echo "$1|$2|$fail|$(summary native) $(summary ferry) $(summary qemu)" >> "$work/results"
    tail -n 1 "$work/results" | awk -F'|' '{ split($4, v, " ")
        printf "  %-22s native %7.3f s  ferry %7.3f s  qemu %7.3f s  f/n %6.2f  f/q %5.2f%s\n", $1,
               v[1] / 1e6, v[4] / 1e6, v[7] / 1e6, v[4] / v[1], v[4] / v[7], $3 == "" ? "" : "  failed: " $3 }'
}

# --- the table --------------------------------------------------------------

# A row FAILs when native or ferry failed (ferry's bug, or the set-up's);
# when only QEMU failed, ferry/qemu is left out ("--") and ferry's result
# still counts.
bad_ferry='$3 ~ /(native|ferry) /'
bad_qemu='$3 ~ /qemu /'

table() {
    echo "| workload | native s | ferry s | qemu s | ferry/native | ferry/qemu | CPU s native / ferry / qemu | peak RSS MB native / ferry / qemu |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"
    awk -F'|' '{ split($4, v, " ")
        note = '"$bad_ferry"' ? " **FAIL: " $3 "**" : '"$bad_qemu"' ? " (QEMU failed: " $3 ")" : ""
        fq = '"$bad_qemu"' ? "--" : sprintf("%.2f", v[4] / v[7])
        printf "| %s%s | %.3f | %.3f | %.3f | %.2f | %s | %.2f / %.2f / %.2f | %.1f / %.1f / %.1f |\n",
               $1, note, v[1] / 1e6, v[4] / 1e6, v[7] / 1e6, v[4] / v[1], fq,
               v[2], v[5], v[8], v[3] / 1024, v[6] / 1024, v[9] / 1024 }' "$work/results"
    geomean dyn "dynamically linked programs"
    geomean static "static: busybox + C programs"
    geomean "" "all"
    failed=$(awk -F'|' "$bad_ferry" "$work/results" | wc -l)
    [ "$failed" = 0 ] || echo "**$failed workload(s) FAILED** (left out of the geometric means)"
}

# geomean GROUP LABEL: over the workloads of GROUP ("" = all) that passed
# (ferry/qemu: where QEMU passed too); also ferry/qemu in CPU time, which
# a busy machine disturbs less.
geomean() {
    awk -F'|' -v g="$1" -v label="$2" '($2 == g || g == "") && !('"$bad_ferry"') { split($4, v, " ")
            lf += log(v[4] / v[1]); n++
            if ('"$bad_qemu"') next
            lq += log(v[4] / v[7]); nq++
            if (v[5] > 0 && v[8] > 0) { lc += log(v[5] / v[8]); nc++ } }
        END { if (n) printf "| **geomean, %s (%d%s)** | | | | **%.2f** | **%.2f** | ferry/qemu %.2f | |\n",
                            label, n, nq < n ? "; ferry/qemu over " nq : "", exp(lf / n),
                            nq ? exp(lq / nq) : 0, nc ? exp(lc / nc) : 0 }' "$work/results"
}

header() {
    echo "$(date +%Y-%m-%d) $title"
    echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "ferry: $ferry ($(git -C "$src" describe --always --dirty 2>/dev/null || echo '?'))"
    echo "qemu: $qemu ($($qemu --version 2>/dev/null | head -n 1))"
    echo "$runs rounds, medians$( [ -n "$quick" ] && echo ', BENCH_QUICK=1 (quarter-size inputs)')"
}

# finish: the table (also in $work/table.md); fails if native or ferry did.
finish() {
    { cat "$work/header" "$work/end"; echo; table; } > "$work/table.md"
    echo
    cat "$work/table.md"
    [ "$(awk -F'|' "$bad_ferry" "$work/results" | wc -l)" = 0 ]
}

if [ -n "$render" ]; then
    finish
    exit
fi
make_inputs
make_qemu_wrappers
header | tee "$work/header"
: > "$work/results"
{ list_dynamic; list_static "$@"; } > "$work/list"
while IFS='|' read -r name group cmd; do
    if [ -n "$only" ] && ! echo "$name" | grep -Eq -- "$only"; then
        continue
    fi
    bench "$name" "$group" "$cmd"
done < "$work/list"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)" > "$work/end"
finish
