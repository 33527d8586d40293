#!/bin/sh
# run-diff.sh -- the differential test runner: runs each case natively and
# under ferry, with the same argv, environment, stdin and working directory,
# and compares stdout, stderr and exit status (the native CPU is the oracle).
#
#   tests/run-diff.sh [-j JOBS] [-t SECONDS] [-w WORKDIR] [-m METADIR] -f "FERRY CMD" CASE...
# (paths in FERRY CMD must be absolute: cases run in a scratch directory)
#
# -j JOBS (default $RUN_DIFF_JOBS, else 1): cases run JOBS at a time, each in
# its own WORKDIR/c/N/ (its native and its ferry run one after the other, in
# the same scratch directory).  Reports still come in the order of the
# arguments, each whole (a failure's diff with its FAIL line), and the
# summary and exit status are the same as serially.  Cases of one suite must
# not share names outside their scratch directory (they already must not:
# other checkouts run the same suites on the same machine).
#
# A CASE is either a guest binary (run as `CMD BIN ARGS`) or a shell script
# *.sh (run as `sh SCRIPT` with $RUN set to "" natively and to the ferry
# command otherwise; scripts call `$RUN /bin/busybox ...`).
# A binary NAME.VARIANT (e.g. fib.O2) takes its arguments and stdin from
# comment lines in METADIR/NAME.c:
#     //@args: word word ...       (split by the shell, no quoting)
#     //@stdin: relative/file      (relative to the source tree root)
#     //@env: VAR=value ...
#     //@wrap: relative/script.sh  (runs `sh SCRIPT CMD...`, CMD the case with
#                                  its runner prefix: e.g. under other limits)
# Prints PASS/FAIL per case (with a diff for failures), then "N passed, M failed";
# exits 1 if any case failed.
set -u
timeout_s=60
work=""
metadir=""
ferry=""
jobs=${RUN_DIFF_JOBS:-1}
one=""
while getopts j:t:w:m:f:1 opt; do
    case $opt in
        j) jobs=$OPTARG ;;
        1) one=1 ;;   # (internal: run one case, "-1 N CASE", for the job runner)
        t) timeout_s=$OPTARG ;;
        w) work=$OPTARG ;;
        m) metadir=$OPTARG ;;
        f) ferry=$OPTARG ;;
        *) echo "usage: $0 [-j N] [-t S] [-w DIR] [-m DIR] -f CMD CASE..." >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ -n "$ferry" ] || { echo "run-diff.sh: -f FERRY_CMD is required" >&2; exit 2; }
[ -n "$work" ] || work=$(mktemp -d)
srcroot=$(pwd)
mkdir -p "$work"
work=$(cd "$work" && pwd)
ulimit -c 0
passed=0
failed=0

# The fixed environment every case sees (both runs identical).
BASE_ENV="PATH=/usr/bin:/bin HOME=/nonexistent LANG=C LC_ALL=C TZ=UTC FERRY_TEST=1"
# ferry's translation cache (on by default; tests.mk points it under build/).
BASE_ENV="$BASE_ENV${FERRY_TCACHE:+ FERRY_TCACHE=$FERRY_TCACHE}"

# meta KEY FILE: the value of "//@KEY:" lines in FILE (empty if none).
meta() {
    [ -f "$2" ] || return 0
    sed -n "s|^//@$1: *||p" "$2" | tr '\n' ' '
}

# strip_host_noise FILE: drops lines the host emulator (qemu-user) adds on a
# guest's fatal signal; they are not part of ferry's output.
strip_host_noise() {
    grep -v '^qemu: uncaught target signal' "$1" > "$1.tmp" || true
    mv "$1.tmp" "$1"
}

# (The outer "2> /dev/null" only silences the shell's own "Segmentation
# fault" notice about a case that dies by a signal.)
# run_one PREFIX OUTDIR CASE: runs CASE (prefixed by the runner PREFIX) in
# a fresh scratch dir, $dir/scratch; writes OUTDIR/{out,err,status}.
run_one() {
    prefix=$1 out=$2 case=$3
    rm -rf "$dir/scratch" && mkdir -p "$dir/scratch" "$out"
    st=0
    case $case in
    *.sh)
        { (cd "$dir/scratch" && env -i $BASE_ENV SRCROOT="$srcroot" RUN="$prefix" \
            timeout -k 5 "$timeout_s" sh "$case") \
            < /dev/null > "$out/out" 2> "$out/err" || st=$?; } 2> /dev/null
        ;;
    *)
        name=$(basename "$case")
        src="$metadir/${name%.*}.c"
        args=$(meta args "$src")
        stdin=$(meta stdin "$src" | tr -d ' ')
        [ -n "$stdin" ] && stdin="$srcroot/$stdin" || stdin=/dev/null
        cenv=$(meta env "$src")
        wrap=$(meta wrap "$src" | tr -d ' ')
        [ -n "$wrap" ] && wrap="sh $srcroot/$wrap"
        # $wrap, $prefix, $args and $cenv are split into words on purpose.
        { (cd "$dir/scratch" && env -i $BASE_ENV $cenv \
            timeout -k 5 "$timeout_s" $wrap $prefix "$case" $args) \
            < "$stdin" > "$out/out" 2> "$out/err" || st=$?; } 2> /dev/null
        ;;
    esac
    echo "$st" > "$out/status"
    strip_host_noise "$out/err"
}

# compare NAME: prints PASS, or FAIL with what differs; status 1 on FAIL.
compare() {
    n=$dir/native f=$dir/ferry
    why=""
    cmp -s "$n/status" "$f/status" || why="$why status native=$(cat "$n/status") ferry=$(cat "$f/status");"
    cmp -s "$n/out" "$f/out" || why="$why stdout differs;"
    cmp -s "$n/err" "$f/err" || why="$why stderr differs;"
    if [ "$(cat "$f/status")" = 124 ] || [ "$(cat "$f/status")" = 137 ]; then
        why="$why (timeout after ${timeout_s}s?);"
    fi
    if [ -z "$why" ]; then
        echo "PASS $1"
        return 0
    fi
    echo "FAIL $1:$why"
    for s in out err; do
        cmp -s "$n/$s" "$f/$s" && continue
        echo "  --- std$s: native (-) vs ferry (+), first lines of the diff:"
        diff -u "$n/$s" "$f/$s" | sed -n "3,22p" | cut -c1-160 | sed "s/^/  /"
    done
    return 1
}

# case_in_dir DIR CASE: runs CASE natively and under ferry in DIR, writes
# its report to DIR/report and "pass" or "fail" to DIR/result (last: the
# job runner waits for it).  The runs' outputs stay in DIR when it fails.
case_in_dir() {
    dir=$1 case=$2
    rm -rf "$dir" && mkdir -p "$dir"
    case $case in /*) ;; *) case="$srcroot/$case" ;; esac
    if [ ! -e "$case" ]; then
        echo "FAIL $case: no such test case" > "$dir/report"
        echo fail > "$dir/result"
        return
    fi
    run_one "" "$dir/native" "$case"
    run_one "$ferry" "$dir/ferry" "$case"
    if compare "$(basename "$case")" > "$dir/report"; then
        rm -rf "$dir/native" "$dir/ferry" "$dir/scratch"
        echo pass > "$dir/result.tmp"
    else
        rm -rf "$dir/scratch"
        echo fail > "$dir/result.tmp"
    fi
    mv "$dir/result.tmp" "$dir/result"
}

# The job runner's worker: "-1 N CASE" runs case number N into WORKDIR/c/N.
if [ -n "$one" ]; then
    case_in_dir "$work/c/$1" "$2"
    exit 0
fi

# report N: waits for case N's result, prints its report, counts it.
report() {
    d=$work/c/$1
    while [ ! -e "$d/result" ]; do
        if [ -e "$work/c/ended" ] && [ ! -e "$d/result" ]; then
            echo "FAIL case $1: its worker ended without a result" > "$d/report"
            echo fail > "$d/result"
        fi
        sleep 0.2
    done
    cat "$d/report"
    if [ "$(cat "$d/result")" = pass ]; then
        passed=$((passed + 1))
        rm -rf "$d"
    else
        failed=$((failed + 1))
    fi
}

# Cases run JOBS at a time (xargs -P), each into WORKDIR/c/N; this shell
# prints case N's report as soon as cases 1..N have one, so the log reads
# as a serial run's does whatever order they finish in.
rm -rf "$work/c"
mkdir -p "$work/c"
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
if [ "$jobs" -gt 1 ] && [ "$#" -gt 1 ]; then
    i=0
    for case in "$@"; do i=$((i + 1)); printf '%s %s\n' "$i" "$case"; done > "$work/c/list"
    { xargs -n 2 -P "$jobs" sh "$self" -1 -t "$timeout_s" -w "$work" -m "$metadir" -f "$ferry" \
        < "$work/c/list"; : > "$work/c/ended"; } &
    i=0
    while [ "$i" -lt "$#" ]; do i=$((i + 1)); report "$i"; done
    wait
else
    i=0
    for case in "$@"; do i=$((i + 1)); case_in_dir "$work/c/$i" "$case"; report "$i"; done
fi
rm -f "$work/c/list" "$work/c/ended"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
