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
# Tests mode (-t): the configure and compile steps run natively once and
# their tree is kept (NATIVE_DIR/PKG-tree/tree.tar: `debian/rules
# build-arch` under dpkg-buildpackage with DEB_BUILD_OPTIONS nocheck); then
# from that tree, natively (NATIVE_DIR/PKG-tests) and under ferry
# (OUT/PKG), only the package's test step (the commands dh's build-arch
# sequence runs after dh_auto_build, as DH_NO_ACT lists them: dh_auto_test
# or the package's override target, under dpkg-buildpackage's environment)
# and the packaging step (binary-arch under fakeroot, `dpkg-buildpackage -T
# binary-arch --as-root`: dh skips the build-arch it holds by its stamp,
# where `debian/rules build-arch`, as -B calls it, would rerun the whole
# sequence; so no .buildinfo).  The two replays are compared as whole
# builds are.  A package whose rules are not dh's takes its test step from
# the STEPS file (-s: lines "PKG COMMAND", the command the rules' own
# build-arch runs for the tests, run in the tree by sh; its tree built
# with nocheck as well, so a rules file that runs the tests whatever
# nocheck says runs them natively there too); with neither, status
# "no-test-step".
#
#   deb-sweep.sh -c CHROOT -o OUT -n NATIVE_DIR -f FERRY_BIN [-r RUNNER] [-t]
#                [-s STEPS] [-k KNOWN]... [-l LIST]... [PKG]...
#   FERRY_BIN "-": the native builds only.  Native results are kept in
#   NATIVE_DIR and reused.  LIST: package names, one a line, '#' comments.
#   KNOWN: lines "PKG WHAT  # why": a difference checked by hand to be no
#   ferry bug (WHAT: a test's name, or deb:FILE for a .deb's file); a
#   package whose only differences are these is "known", not a failure.
set -u
export LC_ALL=C
ch="" out="" nat="" ferry="" runner="" pkgs="" known="" tests="" steps_list=/dev/null
here=$(cd "$(dirname "$0")" && pwd)
while getopts c:o:n:f:r:l:k:s:t opt; do
    case $opt in
    c) ch=$OPTARG ;; o) out=$OPTARG ;; n) nat=$OPTARG ;; f) ferry=$OPTARG ;;
    r) runner=$OPTARG ;; k) known="$known $OPTARG" ;; t) tests=1 ;;
    s) steps_list=$(cd "$(dirname "$OPTARG")" && pwd)/$(basename "$OPTARG") ;;
    l) pkgs="$pkgs $(sed 's/#.*//' "$OPTARG")" ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
pkgs="$pkgs $*"
[ -n "$ch" ] && [ -n "$out" ] && [ -n "$nat" ] && [ -n "$ferry" ] ||
    { echo "usage: deb-sweep.sh -c CHROOT -o OUT -n NATIVE_DIR -f FERRY_BIN [-r RUNNER] [-t] [-k KNOWN] [-l LIST] [PKG...]" >&2; exit 2; }
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

# build DEST PKG HOW [STEP]: PKG built (HOW: native, binfmt or wrapper) in
# /build/PKG, the log, status, time, .deb files and the test logs kept in
# DEST.  STEP full (the default): the source unpacked natively, then
# `dpkg-buildpackage -B`.  STEP tree (native): the source unpacked, the test
# step listed (DEST/steps), build-arch without the tests, the tree kept in
# DEST/tree.tar.  STEP tests: NATIVE_DIR/PKG-tree's tree unpacked, then the
# test step and the packaging step (see the header).
build() {
    dest=$1 p=$2 how=$3 step=${4:-full}
    rm -rf "$dest" "$ch$t/build" "$ch$t/tmp"
    mkdir -p "$dest" "$ch$t/build" "$ch$t/tmp/ferry-tcache"; chmod 1777 "$ch$t/tmp"
    if [ "$step" = tests ]; then
        tests_step_unpack "$p" > "$dest/unpack.log" 2>&1 || { echo "status tree-failed" > "$dest/status"; return; }
        [ -s "$ch$t/build/.ferry-tests.mk" ] || { echo "status no-test-step" > "$dest/status"; return; }
    else
        dsc=$(cd "$ch/src/$p" && ls *.dsc | head -n 1)
        chroot "$ch" sh -c "cd $t/build && dpkg-source -x /src/$p/$dsc $p" > "$dest/unpack.log" 2>&1 ||
            { echo "status unpack-failed" > "$dest/status"; return; }
    fi
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
    case $step in
    full) cmd="exec dpkg-buildpackage -B -uc -us" ;;
    # dh's build-arch sequence as it would run (DH_NO_ACT: listed, not
    # run; tests on), then run with nocheck (compat 13's dh leaves out
    # dh_auto_test and its override; older compats' dh_auto_test does
    # nothing), dh's stamp written.
    # (Rules that are not dh's, with a STEPS line: no such list, their
    # build-arch would build.)
    tree) cmd="DH_NO_ACT=1 debian/rules build-arch > ../.dh-steps 2>&1 &&"
        has_steps "$p" && cmd=": > ../.dh-steps &&"
        cmd="$cmd
        DEB_BUILD_OPTIONS='parallel=2 nocheck' exec dpkg-buildpackage -B -uc -us --rules-target=clean,build-arch" ;;
    # The test step as a rules target (--rules-file: a second makefile),
    # so it runs with dpkg-buildpackage's environment and debian/rules'
    # exports; then binary-arch alone (see the header).
    tests) cmd="dpkg-buildpackage -B -uc -us --rules-file='make -f debian/rules -f ../.ferry-tests.mk' --rules-target=ferry-tests &&
        exec dpkg-buildpackage -B -uc -us --rules-target=binary-arch --as-root" ;;
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
        $first /bin/sh -c "cd /build/$p && $cmd" > "$dest/build.log" 2>&1 < /dev/null
    echo "status $?" > "$dest/status"
    echo $(($(date +%s) - s0)) > "$dest/seconds"
    if [ "$step" = tree ]; then
        cp "$ch$t/build/.dh-steps" "$dest/dh-steps" 2> /dev/null
        tar -C "$ch$t/build" -cf "$dest/tree.tar" "$p"
    fi
    (cd "$ch$t/build" && cp *.deb *.buildinfo "$dest/" 2> /dev/null)
    mkdir -p "$dest/logs"
    (cd "$ch$t/build/$p" && find . \( -name '*.log' ! -name config.log -o -name '*.trs' \) -print0 |
        tar -cf - --null -T - | tar -xf - -C "$dest/logs")
    verdicts "$dest" > "$dest/verdicts"
    rm -rf "$ch$t/build"
}

# tests_step_unpack PKG: NATIVE_DIR/PKG-tree's tree into the build
# directory with ../.ferry-tests.mk, a makefile whose target ferry-tests
# runs the commands dh listed after dh_auto_build and before its stamp,
# or, for rules that are not dh's, the STEPS file's command for PKG (none:
# no such file).
tests_step_unpack() {
    [ "$(cat "$nat/$1-tree/status")" = "status 0" ] && tar -xf "$nat/$1-tree/tree.tar" -C "$ch$t/build" || return 1
    steps=$(sed 's/^[[:space:]]*//' "$nat/$1-tree/dh-steps" |
        awk '/create-stamp/ { go = 0 } go { print } /dh_auto_build/ { go = 1 }')
    has_steps "$1" && steps=$(sed 's/#.*//' "$steps_list" | awk -v p="$1" '$1 == p { sub(/^[^ \t]+[ \t]+/, ""); print }')
    [ -n "$steps" ] || return 0
    printf 'ferry-tests:\n%s\n' "$(printf '%s\n' "$steps" | sed 's/\$/$$/g; s/^/\t/')" > "$ch$t/build/.ferry-tests.mk"
    cat "$ch$t/build/.ferry-tests.mk"
}

# has_steps PKG: the STEPS file has a line for PKG.
has_steps() {
    sed 's/#.*//' "$steps_list" | awk -v p="$1" '$1 == p { f = 1 } END { exit !f }'
}

# verdicts DEST: one line per test and outcome from the build log, with
# how often it is there: automake's harness (and DejaGnu's) "PASS: name"
# and its totals (DejaGnu's "# of expected passes  N"); bzip2's `make
# test` (a "cmp A B" per test, cmp's "A B differ" when it fails); m4's
# checks ("Checking ./NNN.name" each, then "All checks successful" or
# "Failed checks were:"); zlib's "*** zlib test OK ***" (or FAILED);
# gawk's "ALL TESTS PASSED" or "N TESTS FAILED"; autotest's verbose
# (TESTSUITEFLAGS=-v, tar) "NNN. file.at:LINE:  ok" (or "skipped (...)",
# "FAILED (...)", "expected failure (...)", "UNEXPECTED PASS"), named by
# file.at:LINE.  Other forms show in the log diff.
verdicts() {
    sed -n -e 's/^\(PASS\|FAIL\|XFAIL\|XPASS\|SKIP\|ERROR\|UNTESTED\|UNSUPPORTED\): \(.*\)/\1 \2/p' \
        -e 's/^# \(TOTAL\|PASS\|SKIP\|XFAIL\|FAIL\|XPASS\|ERROR\): *\([0-9]*\)/SUM \1 \2/p' \
        -e 's/^# of \([a-z ]*[a-z]\)[[:space:]]*\([0-9]*\)$/SUM \1 \2/p' \
        -e 's/^Checking \(\.\/[0-9][^ ]*\)$/RUN check-\1/p' -e 's/^All checks successful$/PASS checks/p' \
        -e 's/^Failed checks were:.*/FAIL checks/p' -e 's/^[[:space:]]*\*\*\* \(.*\) OK \*\*\*$/PASS \1/p' \
        -e 's/^[[:space:]]*\*\*\* \(.*\) FAILED \*\*\*$/FAIL \1/p' \
        -e 's/^ALL TESTS PASSED$/PASS all/p' -e 's/^\([0-9]*\) TESTS\{0,1\} FAILED$/FAIL \1 tests/p' \
        -e 's/^cmp \([^ ]*\) \([^ ]*\) *$/RUN cmp-\1/p' -e 's/^\([^ ]*\) \([^ ]*\) differ: .*/FAIL cmp-\1/p' \
        -e 's/^[0-9]*\. \([^ ]*\):  ok$/PASS \1/p' -e 's/^[0-9]*\. \([^ ]*\):  skipped (.*)$/SKIP \1/p' \
        -e 's/^[0-9]*\. \([^ ]*\):  FAILED (.*)$/FAIL \1/p' -e 's/^[0-9]*\. \([^ ]*\):  expected failure (.*)$/XFAIL \1/p' \
        -e 's/^[0-9]*\. \([^ ]*\):  UNEXPECTED PASS$/XPASS \1/p' \
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
# Tests mode: the native tree (PKG-tree) and the native replay (PKG-tests)
# kept as the whole native build is.
sweep_native() {
    if [ -z "$tests" ]; then
        [ -s "$nat/$1/status" ] || build "$nat/$1" "$1" native
        return
    fi
    [ -s "$nat/$1-tree/status" ] || build "$nat/$1-tree" "$1" native tree
    [ -s "$nat/$1-tests/status" ] || build "$nat/$1-tests" "$1" native tests
}
sweep_ferry() {
    if [ -n "$runner" ]; then build "$out/$1" "$1" wrapper ${tests:+tests}; else build "$out/$1" "$1" binfmt ${tests:+tests}; fi
}
# sweep_compare PKG: the status, verdicts and .deb files (keys "PKG WHAT",
# as known.list has them), the logs' diff kept.
sweep_compare() {
    p=$1 nr=$nat/$1${tests:+-tests}
    {
        cmp -s "$nr/status" "$out/$p/status" || echo "status: $(cat "$nr/status") vs $(cat "$out/$p/status")"
        diff "$nr/verdicts" "$out/$p/verdicts" | sed -n 's/^\([<>]\) [0-9]* \(.*\)/test:\1 \2/p'
        debdiff "$nr" "$out/$p"
    } > "$out/$p.diff"
    # The key: a test's name (after its verdict), a .deb's file, "status:".
    sed -e 's/^test:[<>] [A-Z]* //; s/^test:[<>] //; s/ .*//' -e "s/^/$p /" "$out/$p.diff" > "$out/$p.keys"
    sed "s|/ferry-debsweep-[0-9]*|T|g" "$nr/build.log" > "$out/$p.native-log"
    sed "s|/ferry-debsweep-[0-9]*|T|g" "$out/$p/build.log" | diff "$out/$p.native-log" - > "$out/$p.logdiff"
    # parallel=2: make's lines come in another order; the sorted logs' diff
    # counts what is not only order.
    sort "$out/$p.native-log" > "$out/$p.sorted"
    sed "s|/ferry-debsweep-[0-9]*|T|g" "$out/$p/build.log" | sort | diff "$out/$p.sorted" - > "$out/$p.sorted-logdiff"
    rm -f "$out/$p.native-log" "$out/$p.sorted"
    echo "$p: native $(cat "$nr/status") ($(cat "$nr/seconds") s), ferry $(cat "$out/$p/status") ($(cat "$out/$p/seconds") s), $(grep -c . "$nr/verdicts") verdict lines, $(debs_same "$nr" "$out/$p") .deb identical, log diff $(grep -c '^[<>]' "$out/$p.logdiff") lines ($(grep -c '^[<>]' "$out/$p.sorted-logdiff") sorted)${tests:+$(tests_method "$p")}"
}

# tests_method PKG: the tree's native build time, and, when the whole
# native build is there, how many of its .deb files the native replay made
# byte for byte (the method's own check).
tests_method() {
    printf ', tree %s s natively' "$(cat "$nat/$1-tree/seconds")"
    [ -s "$nat/$1/status" ] || return 0
    printf ', replay %s .deb as the whole native build' "$(debs_same "$nat/$1" "$nat/$1-tests")"
}

# debs_same A B: "SAME/ALL": of A's .deb files, how many B has byte for byte.
debs_same() {
    echo "$(for d in $(cd "$1" && ls *.deb 2> /dev/null); do cmp -s "$1/$d" "$2/$d" && echo; done | wc -l)/$(cd "$1" && ls *.deb 2> /dev/null | wc -l)"
}

runner_known=$known
if [ "$ferry" = - ]; then
    : > "$out/summary"
    for p in $pkgs; do
        sweep_native "$p"
        nr=$nat/$p${tests:+-tests}
        echo "$p: native $(cat "$nr/status"), $(grep -c . "$nr/verdicts") verdict lines, $(cat "$nr/seconds") s${tests:+$(tests_method "$p")}" | tee -a "$out/summary"
    done
    exit 0
fi
runner_loop "$ferry" "$out" $pkgs
echo "deb-sweep: $runner_items packages, $runner_differ differ, $runner_nknown only in known ways" | tee -a "$out/summary"
[ "$runner_differ" = 0 ]
