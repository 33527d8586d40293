#!/bin/sh
# run-diff.sh -- the differential test runner: runs each case natively and
# under ferry, with the same argv, environment, stdin and working directory,
# and compares stdout, stderr and exit status (the native CPU is the oracle).
#
#   tests/run-diff.sh [-t SECONDS] [-w WORKDIR] [-m METADIR] -f "FERRY CMD" CASE...
# (paths in FERRY CMD must be absolute: cases run in a scratch directory)
#
# A CASE is either a guest binary (run as `CMD BIN ARGS`) or a shell script
# *.sh (run as `sh SCRIPT` with $RUN set to "" natively and to the ferry
# command otherwise; scripts call `$RUN /bin/busybox ...`).
# A binary NAME.VARIANT (e.g. fib.O2) takes its arguments and stdin from
# comment lines in METADIR/NAME.c:
#     //@args: word word ...       (split by the shell, no quoting)
#     //@stdin: relative/file      (relative to the source tree root)
#     //@env: VAR=value ...
# Prints PASS/FAIL per case (with a diff for failures), then "N passed, M failed".
set -u
timeout_s=60
work=""
metadir=""
ferry=""
while getopts t:w:m:f: opt; do
    case $opt in
        t) timeout_s=$OPTARG ;;
        w) work=$OPTARG ;;
        m) metadir=$OPTARG ;;
        f) ferry=$OPTARG ;;
        *) echo "usage: $0 [-t S] [-w DIR] [-m DIR] -f CMD CASE..." >&2; exit 2 ;;
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
# a fresh scratch dir; writes OUTDIR/{out,err,status}.
run_one() {
    prefix=$1 out=$2 case=$3
    rm -rf "$work/scratch" && mkdir -p "$work/scratch" "$out"
    st=0
    case $case in
    *.sh)
        { (cd "$work/scratch" && env -i $BASE_ENV SRCROOT="$srcroot" RUN="$prefix" \
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
        # $prefix, $args and $cenv are split into words on purpose.
        { (cd "$work/scratch" && env -i $BASE_ENV $cenv \
            timeout -k 5 "$timeout_s" $prefix "$case" $args) \
            < "$stdin" > "$out/out" 2> "$out/err" || st=$?; } 2> /dev/null
        ;;
    esac
    echo "$st" > "$out/status"
    strip_host_noise "$out/err"
}

# compare NAME: PASS, or FAIL with what differs.
compare() {
    n=$work/native f=$work/ferry
    why=""
    cmp -s "$n/status" "$f/status" || why="$why status native=$(cat "$n/status") ferry=$(cat "$f/status");"
    cmp -s "$n/out" "$f/out" || why="$why stdout differs;"
    cmp -s "$n/err" "$f/err" || why="$why stderr differs;"
    if [ "$(cat "$f/status")" = 124 ] || [ "$(cat "$f/status")" = 137 ]; then
        why="$why (timeout after ${timeout_s}s?);"
    fi
    if [ -z "$why" ]; then
        echo "PASS $1"
        passed=$((passed + 1))
        return
    fi
    echo "FAIL $1:$why"
    for s in out err; do
        cmp -s "$n/$s" "$f/$s" && continue
        echo "  --- std$s: native (-) vs ferry (+), first lines of the diff:"
        diff -u "$n/$s" "$f/$s" | sed -n "3,22p" | cut -c1-160 | sed "s/^/  /"
    done
    failed=$((failed + 1))
}

for case in "$@"; do
    case $case in /*) ;; *) case="$srcroot/$case" ;; esac
    if [ ! -e "$case" ]; then
        echo "FAIL $case: no such test case"
        failed=$((failed + 1))
        continue
    fi
    run_one "" "$work/native" "$case"
    run_one "$ferry" "$work/ferry" "$case"
    compare "$(basename "$case")"
done
rm -rf "$work/scratch"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
