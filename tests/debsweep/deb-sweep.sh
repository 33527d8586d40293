#!/bin/sh
# deb-sweep.sh -- Debian source packages built with their own test suites
# (dpkg-buildpackage -B: the architecture-dependent packages;
# DEB_BUILD_OPTIONS=parallel=2, without nocheck) in the amd64
# bookworm chroot of .ci/setup-debsweep, natively and with every amd64
# process under ferry, as an outside probe of the "build software inside a
# foreign chroot" workflow.  Per package: the exit status, the test suite's
# verdicts (automake's PASS:/FAIL:/... lines and the packages' own ones, see
# verdicts()), and the built .deb files (byte for byte; where they differ,
# file by file) are compared; the whole logs are kept with their diff.
#
# x86-64 build: binfmt_misc, as under-ferry.sh does (a user+mount namespace
# with its own binfmt_misc instance whose entry sends every x86-64 ELF to a
# marked copy of ferry, opened at registration: the chroot holds no ferry).
# AArch64 build (-r RUNNER, e.g. "qemu-aarch64 -L /"): the emulator cannot
# be a binfmt handler in the chroot (a dynamic qemu needs the host's glib
# etc.), so ferry runs the build's first process itself and every execve
# comes back to it through FERRY_EXEC_WRAPPER, the emulator copied into the
# chroot by tests/lib-runner.sh.  The native build runs in the same kind of
# namespace (under-ferry.sh --native).  Every build unpacks the source
# natively into the same path (/build/PKG), so reproducible packages come
# out the same bytes.
#
#   deb-sweep.sh -c CHROOT -o OUT -n NATIVE_DIR -f FERRY_BIN [-r RUNNER]
#                [-k KNOWN]... [-l LIST]... [PKG]...
#   FERRY_BIN "-": the native builds only.  Native results are kept in
#   NATIVE_DIR and reused.  LIST: package names, one a line, '#' comments.
#   KNOWN: lines "PKG WHAT  # why": a difference checked by hand to be no
#   ferry bug (WHAT: a test's name, or deb:FILE for a .deb's file); a
#   package whose only differences are these is "known", not a failure.
set -u
export LC_ALL=C
ch="" out="" nat="" ferry="" runner="" pkgs="" known=""
here=$(cd "$(dirname "$0")" && pwd)
while getopts c:o:n:f:r:l:k: opt; do
    case $opt in
    c) ch=$OPTARG ;; o) out=$OPTARG ;; n) nat=$OPTARG ;; f) ferry=$OPTARG ;;
    r) runner=$OPTARG ;; k) known="$known $OPTARG" ;;
    l) pkgs="$pkgs $(sed 's/#.*//' "$OPTARG")" ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
pkgs="$pkgs $*"
[ -n "$ch" ] && [ -n "$out" ] && [ -n "$nat" ] && [ -n "$ferry" ] ||
    { echo "usage: deb-sweep.sh -c CHROOT -o OUT -n NATIVE_DIR -f FERRY_BIN [-r RUNNER] [-k KNOWN] [-l LIST] [PKG...]" >&2; exit 2; }
[ -e "$ch/.ferry-debsweep-1" ] || { echo "no deb-sweep chroot at $ch (run .ci/setup-debsweep)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "SKIP deb-sweep: needs root (chroot, mounts)"; exit 0; }
mkdir -p "$out" "$nat"
out=$(cd "$out" && pwd) nat=$(cd "$nat" && pwd)
[ "$ferry" = - ] || ferry=$(cd "$(dirname "$ferry")" && pwd)/$(basename "$ferry")

# ferry, the emulator, /tmp, the translation cache and the build tree (bound
# on /build in the build's namespace, so sweeps can run side by side).
. "$here/../lib-runner.sh"
t=/ferry-debsweep-$$
trap 'rm -rf "$ch$t"' EXIT
trap 'exit 130' INT TERM
runner_setup "$ch" "$t" "$ferry" $runner || exit 2
# The translation cache: OUT/tcache, kept across packages and sweeps (a
# rerun after a stop starts warm; the cache is keyed by ferry's build-id).
tc=$out/tcache
mkdir -p "$ch$t/tmp" "$tc" "$ch/build"
wrapper=$runner_wrapper

# build DEST PKG HOW: unpack PKG natively into /build/PKG, build it (HOW:
# native, binfmt or wrapper), keep the log, status, time, .deb files and the
# test logs in DEST.
build() {
    dest=$1 p=$2 how=$3
    rm -rf "$dest" "$ch$t/build" "$ch$t/tmp"
    mkdir -p "$dest" "$ch$t/build" "$ch$t/tmp/ferry-tcache"; chmod 1777 "$ch$t/tmp"
    dsc=$(cd "$ch/src/$p" && ls *.dsc | head -n 1)
    chroot "$ch" sh -c "cd $t/build && dpkg-source -x /src/$p/$dsc $p" > "$dest/unpack.log" 2>&1 ||
        { echo "status unpack-failed" > "$dest/status"; return; }
    # The build runs as the chroot's user debsweep (uid 2000, as under
    # under-ferry.sh's identity map), as Debian's buildds do: a test may
    # need to be refused what root may do (sed's panic-tests).  The cache
    # is its own (ferry takes only a directory its user owns).
    chown -R 2000:2000 "$ch$t/build" "$tc"
    first=""
    case $how in
    native) uf=--native ;;
    binfmt) uf=$ferry ;;
    wrapper) uf=--native first=$runner_ferry ;;
    esac
    s0=$(date +%s)
    # The mounts in under-ferry.sh's namespace, then the chroot: a clean
    # environment, every signal at its default action.  The translation
    # cache: /tmp/ferry-tcache, a path whose parent exists both outside the
    # chroot (where the first translated processes, sh, mount and chroot,
    # run) and inside it (bound to OUT/tcache), as the
    # x86-64 entry's first ferry passes its directory on to every process.
    FERRY_TCACHE=/tmp/ferry-tcache sh "$here/../binfmt/under-ferry.sh" $uf / sh -c '
        ch=$1 t=$2 tc=$3; shift 3
        mount --rbind /dev "$ch/dev" && mount --rbind /proc "$ch/proc" &&
        mount --rbind /sys "$ch/sys" && mount --bind "$tc" "$ch$t/tmp/ferry-tcache" &&
        mount --rbind "$ch$t/tmp" "$ch/tmp" &&
        mount --bind "$ch$t/build" "$ch/build" || exit 125
        exec chroot "$ch" "$@"' sh "$ch" "$t" "$tc" \
        /usr/bin/env --default-signal -i HOME=/nonexistent USER=debsweep LOGNAME=debsweep \
        PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C TERM=dumb \
        DEB_BUILD_OPTIONS=parallel=2 FERRY_TCACHE=/tmp/ferry-tcache ${first:+FERRY_EXEC_WRAPPER="$wrapper"} \
        setpriv --reuid=debsweep --regid=debsweep --init-groups \
        $first /bin/sh -c "cd /build/$p && exec dpkg-buildpackage -B -uc -us" > "$dest/build.log" 2>&1 < /dev/null
    echo "status $?" > "$dest/status"
    echo $(($(date +%s) - s0)) > "$dest/seconds"
    (cd "$ch$t/build" && cp *.deb *.buildinfo "$dest/" 2> /dev/null)
    mkdir -p "$dest/logs"
    (cd "$ch$t/build/$p" && find . \( -name '*.log' ! -name config.log -o -name '*.trs' \) -print0 |
        tar -cf - --null -T - | tar -xf - -C "$dest/logs")
    verdicts "$dest" > "$dest/verdicts"
    rm -rf "$ch$t/build"
}

# verdicts DEST: one line per test and outcome from the build log, with
# how often it is there: automake's harness (and DejaGnu's) "PASS: name"
# and its totals; bzip2's `make test` (a "cmp A B" per test, cmp's
# "A B differ" when it fails).  Other forms show in the log diff.
verdicts() {
    sed -n -e 's/^\(PASS\|FAIL\|XFAIL\|XPASS\|SKIP\|ERROR\|UNTESTED\|UNSUPPORTED\): \(.*\)/\1 \2/p' \
        -e 's/^# \(TOTAL\|PASS\|SKIP\|XFAIL\|FAIL\|XPASS\|ERROR\): *\([0-9]*\)/SUM \1 \2/p' \
        -e 's/^cmp \([^ ]*\) \([^ ]*\) *$/RUN cmp-\1/p' -e 's/^\([^ ]*\) \([^ ]*\) differ: .*/FAIL cmp-\1/p' \
        "$1/build.log" | sort | uniq -c | sed 's/^ *//'
}

# debdiff A B: the .deb files of two builds: "same", or per file what differs.
debdiff() {
    for d in $(cd "$1" && ls *.deb 2> /dev/null); do
        if [ ! -e "$2/$d" ]; then echo "deb:$d missing"; continue; fi
        cmp -s "$1/$d" "$2/$d" && continue
        rm -rf "$out/x"; mkdir -p "$out/x/a" "$out/x/b"
        dpkg-deb -R "$1/$d" "$out/x/a" && dpkg-deb -R "$2/$d" "$out/x/b"
        (cd "$out/x" && diff -rq a b | sed 's|^Files a/\([^ ]*\) and .*|\1|; s|^Only in |only |') |
            sed "s|^|deb:$d:|"
        rm -rf "$out/x"
    done
}

# The loop's hooks (tests/lib-runner.sh).
sweep_native() { [ -s "$nat/$1/status" ] || build "$nat/$1" "$1" native; }
sweep_ferry() {
    if [ -n "$runner" ]; then build "$out/$1" "$1" wrapper; else build "$out/$1" "$1" binfmt; fi
}
# sweep_compare PKG: the status, verdicts and .deb files (keys "PKG WHAT",
# as known.list has them), the logs' diff kept.
sweep_compare() {
    p=$1
    {
        cmp -s "$nat/$p/status" "$out/$p/status" || echo "status: $(cat "$nat/$p/status") vs $(cat "$out/$p/status")"
        diff "$nat/$p/verdicts" "$out/$p/verdicts" | sed -n 's/^\([<>]\) [0-9]* \(.*\)/test:\1 \2/p'
        debdiff "$nat/$p" "$out/$p"
    } > "$out/$p.diff"
    # The key: a test's name (after its verdict), a .deb's file, "status:".
    sed -e 's/^test:[<>] [A-Z]* //; s/^test:[<>] //; s/ .*//' -e "s/^/$p /" "$out/$p.diff" > "$out/$p.keys"
    sed "s|/ferry-debsweep-[0-9]*|T|g" "$nat/$p/build.log" > "$out/$p.native-log"
    sed "s|/ferry-debsweep-[0-9]*|T|g" "$out/$p/build.log" | diff "$out/$p.native-log" - > "$out/$p.logdiff"
    # parallel=2: make's lines come in another order; the sorted logs' diff
    # counts what is not only order.
    sort "$out/$p.native-log" > "$out/$p.sorted"
    sed "s|/ferry-debsweep-[0-9]*|T|g" "$out/$p/build.log" | sort | diff "$out/$p.sorted" - > "$out/$p.sorted-logdiff"
    rm -f "$out/$p.native-log" "$out/$p.sorted"
    ndebs=$(cd "$nat/$p" && ls *.deb 2> /dev/null | wc -l)
    same=$(for d in $(cd "$nat/$p" && ls *.deb 2> /dev/null); do cmp -s "$nat/$p/$d" "$out/$p/$d" && echo; done | wc -l)
    echo "$p: native $(cat "$nat/$p/status") ($(cat "$nat/$p/seconds") s), ferry $(cat "$out/$p/status") ($(cat "$out/$p/seconds") s), $(grep -c . "$nat/$p/verdicts") verdict lines, $same/$ndebs .deb identical, log diff $(grep -c '^[<>]' "$out/$p.logdiff") lines ($(grep -c '^[<>]' "$out/$p.sorted-logdiff") sorted)"
}

runner_known=$known
if [ "$ferry" = - ]; then
    : > "$out/summary"
    for p in $pkgs; do
        sweep_native "$p"
        echo "$p: native $(cat "$nat/$p/status"), $(grep -c . "$nat/$p/verdicts") verdict lines, $(cat "$nat/$p/seconds") s" | tee -a "$out/summary"
    done
    exit 0
fi
runner_loop "$ferry" "$out" $pkgs
echo "deb-sweep: $runner_items packages, $runner_differ differ, $runner_nknown only in known ways" | tee -a "$out/summary"
[ "$runner_differ" = 0 ]
