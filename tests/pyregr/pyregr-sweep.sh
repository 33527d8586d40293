#!/bin/sh
# pyregr-sweep.sh -- CPython 3.11's own regression suite (Debian's
# libpython3.11-testsuite, `python3 -m test`) as an outside probe: each
# module runs in the pyregr chroot (.ci/setup-pyregr) natively and under
# ferry (`python3 -m test -v -j1`: the worker is an exec'd python, under
# ferry too), and the per-test verdicts (tests/pyregr/verdicts.py) are
# compared.  Native logs are kept in NATIVE_DIR and reused (both builds
# compare against the same run).  Prints one line per module and a summary;
# exit 1 when a test's verdict differs.
#
#   pyregr-sweep.sh -c CHROOT -o OUT -n NATIVE_DIR -f FERRY_BIN [-r RUNNER]
#                   [-t TIMEOUT] [-k KNOWN]... [-l LIST]... [MODULE]...
#   FERRY_BIN "-": the native runs only.
#   RUNNER: the emulator the ferry binary needs ("qemu-aarch64 -L /"); it is
#   copied into the chroot with its libraries (tests/lib-runner.sh).
#   LIST: a file of module names, one a line; '#' starts a comment.
#   KNOWN: tests whose verdict may differ for a reason other than a wrong
#   answer from ferry (the emulator's; a time budget ferry's slower start-up
#   misses), one test id a line with the reason after '#': a module whose
#   only differences are these is "known", not a failure.
set -u
export LC_ALL=C                         # comm and verdicts.py agree on order
ch="" out="" nat="" ferry="" runner="" timeout=1200 mods="" known=""
here=$(cd "$(dirname "$0")" && pwd)
while getopts c:o:n:f:r:t:l:k: opt; do
    case $opt in
    c) ch=$OPTARG ;; o) out=$OPTARG ;; n) nat=$OPTARG ;; f) ferry=$OPTARG ;;
    r) runner=$OPTARG ;; t) timeout=$OPTARG ;; k) known="$known $OPTARG" ;;
    l) mods="$mods $(sed 's/#.*//' "$OPTARG")" ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
mods="$mods $*"
[ -n "$ch" ] && [ -n "$out" ] && [ -n "$nat" ] && [ -n "$ferry" ] ||
    { echo "usage: pyregr-sweep.sh -c CHROOT -o OUT -n NATIVE_DIR -f FERRY_BIN [-r RUNNER] [-t S] [-l LIST] [MODULE...]" >&2; exit 2; }
[ -e "$ch/.ferry-pyregr-done" ] || { echo "no pyregr chroot at $ch (run .ci/setup-pyregr)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "SKIP pyregr-sweep: needs root (chroot, mounts)"; exit 0; }
mkdir -p "$out" "$nat"
out=$(cd "$out" && pwd) nat=$(cd "$nat" && pwd)

# ferry (and the emulator with its libraries) inside the chroot.
. "$here/../lib-runner.sh"
t=/ferry-pyregr-$$
trap 'rm -rf "$ch$t"' EXIT
trap 'exit 130' INT TERM
runner_setup "$ch" "$t" "$ferry" $runner || exit 2
mkdir -p "$ch$t/tmp"
run_ferry=$runner_ferry wrapper=$runner_wrapper

# One module in the chroot: a private mount namespace with /proc, /dev
# (pts, shm), /sys and a fresh /tmp; a clean environment, every signal at
# its default action (a background job of a shell ignores SIGINT).
# run_one LOG PREFIX MODULE
run_one() {
    log=$1; shift
    rm -rf "$ch$t/tmp"; mkdir -p "$ch$t/tmp"; chmod 1777 "$ch$t/tmp"
    unshare -m --propagation private sh -c '
        ch=$1 t=$2; shift 2
        mount --rbind /dev "$ch/dev" && mount -t proc proc "$ch/proc" &&
        mount --rbind /sys "$ch/sys" && mount --bind "$ch$t/tmp" "$ch/tmp" || exit 125
        exec chroot "$ch" /usr/bin/env --default-signal -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            LANG=C.UTF-8 TERM=dumb ${FERRY_EXEC_WRAPPER:+FERRY_EXEC_WRAPPER="$FERRY_EXEC_WRAPPER"} \
            sh -c "cd /tmp && exec \"\$@\"" sh "$@"' sh "$ch" "$t" "$@" > "$log.log" 2>&1 < /dev/null
}

pyargs() { echo "/usr/bin/python3 -m test -v -j1 --timeout $timeout $1"; }
# The loop's hooks (tests/lib-runner.sh).
sweep_native() {
    [ -s "$nat/$1.verdicts" ] && return
    FERRY_EXEC_WRAPPER= run_one "$nat/$1" $(pyargs "$1")
    python3 "$here/verdicts.py" "$1" "$nat/$1.log" > "$nat/$1.verdicts"
}
sweep_ferry() {
    s0=$(date +%s)
    FERRY_EXEC_WRAPPER=$wrapper run_one "$out/$1" $run_ferry $(pyargs "$1")
    secs=$(($(date +%s) - s0))
    python3 "$here/verdicts.py" "$1" "$out/$1.log" > "$out/$1.verdicts"
}
# sweep_compare MODULE: the verdicts (keys: the test ids; a module whose
# MODULE line alone differs has no key, so it is no "known" one).
sweep_compare() {
    m=$1
    n=$(grep -vc '^MODULE ' "$nat/$m.verdicts")
    eq=$(comm -12 "$nat/$m.verdicts" "$out/$m.verdicts" | grep -vc '^MODULE ')
    echo "$n $eq" > "$out/$m.counts"
    diff "$nat/$m.verdicts" "$out/$m.verdicts" | grep '^[<>]' > "$out/$m.diff"
    awk '$2 != "MODULE" { print $2 }' "$out/$m.diff" > "$out/$m.keys"
    echo "$m: native $(sed -n 's/^MODULE //p' "$nat/$m.verdicts"), ferry $(sed -n 's/^MODULE //p' "$out/$m.verdicts"), $eq/$n verdicts equal ($secs s)"
}

runner_known=$known
runner_loop "$ferry" "$out" $mods
total=0 same=0
[ "$ferry" = - ] || for m in $mods; do
    read n eq < "$out/$m.counts"
    total=$((total + n)) same=$((same + eq))
done
echo "pyregr-sweep: $runner_items modules, $same/$total verdicts equal, $runner_differ modules differ, $runner_nknown only in known ways" | tee -a "$out/summary"
[ "$runner_differ" = 0 ]
