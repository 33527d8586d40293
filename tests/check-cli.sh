#!/bin/sh
# check-cli.sh -- ferry's command line: bad input gives one line and a
# non-zero status, and `--stats` on a hot loop shows that translation is real
# (blocks translated, chained, and run far more often than dispatched).
#
# With a third argument, a threaded program runs with a tiny code cache:
# flushes (exclusive sections) while other threads run translated code must
# keep its output equal to the native run's.  A fourth, a (dynamically
# linked) program whose threads map, mprotect and unmap data pages: no
# cache flush and no invalidation at all.  A fifth, a program whose code
# changes through mprotect/munmap/mmap: blocks are dropped, the cache is
# never flushed.  A sixth, a program that rewrites one routine at a time
# among many on an RWX page (smc_neighbours): only the rewritten routines'
# blocks are dropped, not their page's.  A seventh, a thread sending a
# stream of signals to a spinning one: the guard page catches only the
# first few requests.
#
#   tests/check-cli.sh "FERRY CMD" /abs/path/to/loop-program [/abs/path/to/threads
#                      [/abs/path/to/munmap-program [/abs/path/to/jit-program
#                      [/abs/path/to/smc-neighbours-program
#                      [/abs/path/to/signal-stream-program]]]]]
set -u
ferry=$1
loop=$2
threads=${3:-}
munmap_prog=${4:-}
jit_prog=${5:-}
neighbours_prog=${6:-}
storm_prog=${7:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; sed 's/^/  | /' "$tmp/err" | head -n 10; failed=$((failed + 1)); }

# run ARGS...: runs ferry; status in $st, output in $tmp/out, $tmp/err.
run() {
    st=0
    # $ferry is split into words on purpose (it may be "qemu-aarch64 -L / ...").
    timeout -k 5 300 $ferry "$@" > "$tmp/out" 2> "$tmp/err" < /dev/null || st=$?
    grep -v '^qemu: uncaught target signal' "$tmp/err" > "$tmp/err.f" || true
    mv "$tmp/err.f" "$tmp/err"
}

# expect_one_line_error NAME WANTED_STATUS ARGS...  (WANTED_STATUS "nz": any non-zero)
expect_one_line_error() {
    name=$1 want=$2
    shift 2
    run "$@"
    lines=$(wc -l < "$tmp/err")
    if [ "$want" = nz ] && { [ "$st" = 0 ] || [ "$st" -gt 127 ]; }; then
        fail "$name" "status $st, wanted a non-zero exit (not a crash)"
    elif [ "$want" != nz ] && [ "$st" != "$want" ]; then
        fail "$name" "status $st, wanted $want"
    elif [ "$lines" != 1 ]; then
        fail "$name" "$lines lines on stderr, wanted exactly one"
    else
        pass "$name"
    fi
}

expect_one_line_error "no program: one line, non-zero" nz
expect_one_line_error "missing program: one line, status 127" 127 "$tmp/does-not-exist"
# A name without a '/' that is not in the current directory: looked up in
# $PATH (as Box64 and FEX do), run as the native program runs.
mkdir "$tmp/bin"
cp "$loop" "$tmp/bin/ferry-path-probe"
"$loop" > "$tmp/native" 2>&1 || true
saved_path=$PATH
PATH="$tmp/bin:$PATH"
run ferry-path-probe
PATH=$saved_path
if [ "$st" = 0 ] && cmp -s "$tmp/out" "$tmp/native"; then
    pass "a program found in \$PATH"
else
    fail "a program found in \$PATH" "status $st or output unlike the native run's"
fi
printf 'this is not an ELF file\n' > "$tmp/text"
chmod +x "$tmp/text"
expect_one_line_error "not an ELF file: one line, non-zero" nz "$tmp/text"
expect_one_line_error "unknown option: one line, non-zero" nz --no-such-option "$loop"
expect_one_line_error "-L without a directory: one line, non-zero" nz -L "$tmp/does-not-exist" "$loop"
expect_one_line_error "--cache-size without its value: one line, status 2" 2 --cache-size
expect_one_line_error "-d at the end: one line, status 2" 2 -d
expect_one_line_error "--opt=VALUE, bad value: one line, status 2" 2 --cache-size=1x "$loop"
expect_one_line_error "value given to a flag: one line, status 2" 2 --stats=1 "$loop"
printf '#!\n' > "$tmp/empty-shebang"
chmod +x "$tmp/empty-shebang"
expect_one_line_error "empty #! line: one line, non-zero" nz "$tmp/empty-shebang"
printf '#!%s/does-not-exist\n' "$tmp" > "$tmp/bad-shebang"
chmod +x "$tmp/bad-shebang"
expect_one_line_error "missing #! interpreter: one line, status 127" 127 "$tmp/bad-shebang"

# The guest's options are the guest's: ferry stops at the program's path.
native=$("$loop")
run "$loop" --stats -d no-such-log-item --no-such-option
if [ "$st" = 0 ] && [ "$(cat "$tmp/out")" = "$native" ] && ! grep -q ferry "$tmp/err"; then
    pass "options after the program are the guest's"
else
    fail "options after the program are the guest's" "status $st"
fi

# stat NAME: the value of "ferry-stats: NAME: VALUE" in $tmp/err (empty if none).
stat() { sed -n "s/^ferry-stats: *$1: *\([0-9][0-9]*\).*/\1/p" "$tmp/err" | head -n 1; }

# --stats on the hot loop: the guest's own output must still be right.
# (blocks_executed is counted only without the translation cache.)
native=$("$loop")
run --stats --no-tcache "$loop"
if [ "$st" != 0 ] || [ "$(cat "$tmp/out")" != "$native" ]; then
    fail "--stats: loop program runs correctly" "status $st, stdout '$(head -c 200 "$tmp/out")', native '$native'"
else
    pass "--stats: loop program runs correctly"
fi
translated=$(stat blocks_translated)
chained=$(stat chains_patched)
executed=$(stat blocks_executed)
dispatches=$(stat dispatches)
insns=$(stat guest_insns_translated)
echo "  stats: blocks_translated=$translated guest_insns_translated=$insns chains_patched=$chained" \
     "blocks_executed=$executed dispatches=$dispatches"
if [ -z "$translated" ] || [ "$translated" -le 0 ]; then
    fail "--stats: blocks_translated > 0" "got '$translated'"
else
    pass "--stats: blocks_translated > 0"
fi
if [ -z "$chained" ] || [ "$chained" -le 0 ]; then
    fail "--stats: chains_patched > 0" "got '$chained'"
else
    pass "--stats: chains_patched > 0"
fi
# The loop runs millions of blocks; with chaining, nearly none of them go
# through the dispatcher. Demand at least 20 blocks per dispatch.
if [ -z "$executed" ] || [ -z "$dispatches" ] || [ "$executed" -lt $((20 * dispatches + 1000)) ]; then
    fail "--stats: blocks_executed >> dispatches" "executed '$executed', dispatches '$dispatches'"
else
    pass "--stats: blocks_executed >> dispatches"
fi

if [ -n "$threads" ]; then
    native=$("$threads")
    run --stats --cache-size 64K "$threads"
    flushes=$(stat cache_flushes)
    if [ "$st" != 0 ] || [ "$(cat "$tmp/out")" != "$native" ]; then
        fail "threads with a 64K cache: output as native" "status $st, stdout '$(head -c 200 "$tmp/out")'"
    elif [ -z "$flushes" ] || [ "$flushes" -le 0 ]; then
        fail "threads with a 64K cache: the cache was flushed" "cache_flushes '$flushes'"
    else
        pass "threads with a 64K cache: output as native after $flushes flushes"
    fi
fi

# --perfmap: /tmp/perf-PID.map names guest code for perf ("HOSTADDR SIZE
# x86:NAME"); an exec'd ferry (same pid) appends to it; names come from the
# guest ELF's symbol table (loop.O2 keeps its symbols: main).
if [ -x /bin/busybox ]; then
    run --perfmap /bin/busybox sh -c 'echo $$; exec "$0"' "$loop"
    map=/tmp/perf-$(head -n 1 "$tmp/out").map
    if [ "$st" = 0 ] && [ -s "$map" ] && ! grep -qv '^[0-9a-f]* [0-9a-f]* x86:' "$map" &&
       grep -q ' x86:main$' "$map" && grep -q ' x86:busybox+0x' "$map"; then
        pass "--perfmap: guest code named in $map, across exec"
    else
        fail "--perfmap: guest code named in /tmp/perf-PID.map" "status $st, map '$map'"
    fi
    rm -f "$map"
fi

# Mapping changes over pages without code cost no flush and stop no thread.
if [ -n "$munmap_prog" ]; then
    native=$("$munmap_prog")
    run --stats "$munmap_prog"
    flushes=$(stat cache_flushes)
    inval=$(stat invalidations)
    if [ "$st" != 0 ] || [ "$(cat "$tmp/out")" != "$native" ]; then
        fail "munmap/mprotect of data pages: output as native" "status $st, stdout '$(head -c 200 "$tmp/out")'"
    elif [ "$flushes" != 0 ] || [ "$inval" != 0 ]; then
        fail "munmap/mprotect of data pages: nothing dropped" "cache_flushes '$flushes', invalidations '$inval'"
    else
        pass "munmap/mprotect of data pages: no flush, no invalidation"
    fi
fi

# Code replaced through the memory syscalls: only its blocks are dropped.
if [ -n "$jit_prog" ]; then
    native=$("$jit_prog")
    run --stats "$jit_prog"
    flushes=$(stat cache_flushes)
    dropped=$(stat blocks_invalidated)
    if [ "$st" != 0 ] || [ "$(cat "$tmp/out")" != "$native" ]; then
        fail "code replaced by mmap/mprotect: output as native" "status $st, stdout '$(head -c 200 "$tmp/out")'"
    elif [ "$flushes" != 0 ] || [ -z "$dropped" ] || [ "$dropped" -le 0 ]; then
        fail "code replaced by mmap/mprotect: blocks dropped, no flush" "cache_flushes '$flushes', blocks_invalidated '$dropped'"
    else
        pass "code replaced by mmap/mprotect: $dropped blocks dropped, no flush"
    fi
fi

# Code rewritten in place by stores, one routine at a time: each rewrite
# drops the blocks whose bytes changed (at most 2 each: one routine
# crosses a page), not the 30-odd others of the page (main dropped ~32).
if [ -n "$neighbours_prog" ]; then
    native=$("$neighbours_prog")
    run --stats --no-tcache "$neighbours_prog"
    dropped=$(stat blocks_invalidated)
    rewrites=$(sed -n 's/^rewrites \([0-9]*\)$/\1/p' "$tmp/out")
    if [ "$st" != 0 ] || [ "$(cat "$tmp/out")" != "$native" ] || [ -z "$rewrites" ]; then
        fail "code rewritten by stores: output as native" "status $st, stdout '$(tail -c 200 "$tmp/out")'"
    elif [ -z "$dropped" ] || [ "$dropped" -gt $((2 * rewrites)) ]; then
        fail "code rewritten by stores: only the changed blocks dropped" \
            "blocks_invalidated '$dropped' for $rewrites rewrites"
    else
        pass "code rewritten by stores: $dropped blocks dropped for $rewrites rewrites"
    fi
fi

# -D FILE: an exec chain logs to one file (the exec'd ferry appends to it).
if [ -x /bin/busybox ]; then
    run --strace -D "$tmp/log" /bin/busybox sh -c 'exec /bin/busybox true'
    if [ "$st" = 0 ] && grep -q 'execve(' "$tmp/log" && grep -q 'exit_group(0)' "$tmp/log"; then
        pass "-D FILE: the exec'd program logs to the same file"
    else
        cp "$tmp/log" "$tmp/err" 2>/dev/null
        fail "-D FILE: the exec'd program logs to the same file" "status $st"
    fi
fi

# --- QEMU's spellings and the environment (binfmt_misc users) --------------
# The native runs are the oracle: env(1) and bash's exec -a do natively what
# -E/-U and -0 ask of ferry.  Under qemu-aarch64 (the AArch64 build) the
# emulator would read QEMU_* from its own environment, so there they go
# through qemu's -E, which puts them into its guest's -- ferry's --
# environment (as a user's shell does on AArch64 hardware) and is not read by
# qemu itself.  qemu's -E splits its value at commas: one variable per -E.
qemu_env=1
case $ferry in qemu-*) qemu_env="" ;; esac

# with_env VAR=VALUE... -- ARGS...: ferry run with the variables in its
# environment (output in $tmp/out and $tmp/err, status in $st).
with_env() {
    qemu_args=""
    env_args=""
    while [ "$1" != "--" ]; do
        env_args="$env_args $1"
        qemu_args="$qemu_args -E $1"
        shift
    done
    shift
    st=0
    # word splitting on purpose: no variable here holds a space
    if [ -n "$qemu_env" ]; then
        timeout -k 5 300 env $env_args $ferry "$@" > "$tmp/out" 2> "$tmp/err" < /dev/null || st=$?
    else
        timeout -k 5 300 ${ferry%% *} $qemu_args ${ferry#* } "$@" > "$tmp/out" 2> "$tmp/err" < /dev/null || st=$?
    fi
}

# same_as_native NAME: the run just made ($tmp/out, $st) against $tmp/want.
same_as_native() {
    echo "status $st" >> "$tmp/out"
    if cmp -s "$tmp/want" "$tmp/out"; then
        pass "$1"
    else
        diff "$tmp/want" "$tmp/out" | head -n 6 > "$tmp/err"
        fail "$1" "output differs from the native run"
    fi
}
# expect_output NAME ARGS...: ferry's stdout and status equal $tmp/want's.
expect_output() {
    name=$1
    shift
    run "$@"
    same_as_native "$name"
}
native() { "$@" > "$tmp/want" 2> /dev/null < /dev/null; echo "status $?" >> "$tmp/want"; }

for v in -version --version; do
    run $v
    if [ "$st" = 0 ] && [ "$(wc -l < "$tmp/out")" = 1 ] && grep -q '^ferry ' "$tmp/out"; then
        pass "$v: one line, status 0"
    else
        fail "$v: one line, status 0" "status $st"
    fi
done
run -cpu help
if [ "$st" = 0 ] && grep -q '^  max ' "$tmp/out" && grep -q '^  qemu64 ' "$tmp/out"; then
    pass "-cpu help lists the models, status 0"
else
    fail "-cpu help lists the models, status 0" "status $st"
fi
run -d help
if [ "$st" = 0 ] && grep -q '^  in_asm ' "$tmp/out" && grep -q '^  strace ' "$tmp/out"; then
    pass "-d help lists the log items, status 0"
else
    fail "-d help lists the log items, status 0" "status $st"
fi
expect_one_line_error "-cpu unknown model: one line, status 2" 2 -cpu no-such-cpu "$loop"
FERRY_CPU=no-such-cpu
export FERRY_CPU
expect_one_line_error "FERRY_CPU unknown model: one line, status 2" 2 "$loop"
unset FERRY_CPU
expect_one_line_error "-d unknown item: one line, status 2" 2 -d no-such-item "$loop"
expect_one_line_error "-E without '=': one line, status 2" 2 -E NOVALUE "$loop"
expect_one_line_error "--binfmt bad action: one line, status 2" 2 --binfmt frobnicate
expect_one_line_error "--binfmt with a program: one line, status 2" 2 --binfmt status "$loop"
FERRY_LD_PREFIX=$tmp/does-not-exist
export FERRY_LD_PREFIX
expect_one_line_error "FERRY_LD_PREFIX not a directory: one line, non-zero" nz "$loop"
unset FERRY_LD_PREFIX

native "$loop"
for cpu in max host qemu64 Nehalem Haswell Skylake-Client; do
    expect_output "-cpu $cpu runs as natively" -cpu $cpu "$loop"
done

if [ -x /bin/busybox ]; then
    script='echo "${FOO-unset} ${BAR-unset} ${HOME-unset}"'
    native env -u HOME FOO=foo BAR='b a r' /bin/busybox sh -c "$script"
    expect_output "-E VAR=VALUE -U VAR: the guest's environment as env(1) makes it" \
        -E FOO=foo -E 'BAR=b a r' -U HOME /bin/busybox sh -c "$script"
    native env -u HOME FOO=foo BAR=bar /bin/busybox sh -c "$script"
    FERRY_SET_ENV=FOO=foo,BAR=bar FERRY_UNSET_ENV=HOME
    export FERRY_SET_ENV FERRY_UNSET_ENV
    expect_output "FERRY_SET_ENV / FERRY_UNSET_ENV as -E / -U" /bin/busybox sh -c "$script"
    unset FERRY_SET_ENV FERRY_UNSET_ENV
    # one variable each (qemu's -E splits at commas): FOO set, HOME unset
    native env -u HOME FOO=foo /bin/busybox sh -c "$script"
    with_env QEMU_SET_ENV=FOO=foo QEMU_UNSET_ENV=HOME -- /bin/busybox sh -c "$script"
    same_as_native "QEMU_SET_ENV / QEMU_UNSET_ENV as -E / -U"
    if [ -n "$qemu_env" ]; then
        native env -u HOME FOO=foo BAR=bar /bin/busybox sh -c "$script"
        QEMU_SET_ENV=FOO=foo,BAR=bar QEMU_UNSET_ENV=HOME
        export QEMU_SET_ENV QEMU_UNSET_ENV
        expect_output "QEMU_SET_ENV with two variables" /bin/busybox sh -c "$script"
        unset QEMU_SET_ENV QEMU_UNSET_ENV
    fi
    if command -v bash > /dev/null; then
        native bash -c 'exec -a echo /bin/busybox argv0 picks the applet'
        expect_output "-0 ARGV0: the guest's argv[0] (as bash's exec -a)" \
            -0 echo /bin/busybox argv0 picks the applet
        FERRY_ARGV0=echo
        export FERRY_ARGV0
        expect_output "FERRY_ARGV0 as -0" /bin/busybox argv0 picks the applet
        unset FERRY_ARGV0
    fi

    # Tracing: -strace, FERRY_STRACE, QEMU_STRACE, -d strace; the guest's
    # own output unchanged, the trace on stderr or in the -D file.
    native /bin/busybox echo traced
    for how in "-strace" "--strace" "-d strace" "FERRY_STRACE=1" "QEMU_STRACE=1" "FERRY_LOG=strace" \
               "QEMU_LOG=strace"; do
        case $how in
        *=*) with_env "$how" -- /bin/busybox echo traced; echo "status $st" >> "$tmp/out" ;;
        *) run $how /bin/busybox echo traced; echo "status $st" >> "$tmp/out" ;;
        esac
        if cmp -s "$tmp/want" "$tmp/out" && grep -q 'exit_group(0)' "$tmp/err"; then
            pass "$how: system calls traced on stderr, output as native"
        else
            fail "$how: system calls traced on stderr, output as native" "status $st"
        fi
    done
    # Under qemu-aarch64 an exec'd ferry is started by the host's qemu binfmt
    # entry, and that qemu would read the inherited QEMU_LOG itself (into the
    # same file): there the QEMU_* spelling is tried without an exec.
    for how in FERRY QEMU; do
        rm -f "$tmp/log"
        if [ $how = QEMU ] && [ -z "$qemu_env" ]; then
            what="one program traced into FILE"
            with_env QEMU_LOG=strace QEMU_LOG_FILENAME="$tmp/log" -- /bin/busybox true
        else
            what="an exec chain traced into FILE"
            with_env ${how}_LOG=strace ${how}_LOG_FILENAME="$tmp/log" -- /bin/busybox sh -c 'exec /bin/busybox true'
        fi
        if [ "$st" = 0 ] && { grep -q 'execve(' "$tmp/log" || [ "$what" != "${what#one}" ]; } &&
           grep -q 'exit_group(0)' "$tmp/log" && [ ! -s "$tmp/err" ]; then
            pass "${how}_LOG=strace ${how}_LOG_FILENAME=FILE: $what"
        else
            fail "${how}_LOG=strace ${how}_LOG_FILENAME=FILE: $what" "status $st"
        fi
    done
fi

# A relink replaces ferry's binary while a guest runs (the linker writes a
# new file that has no x bit until it ends): the guest's execs still run
# the file ferry started from (the AArch64 build under qemu-user 7.2, which
# has no execveat, exec'ed the path and got EACCES: 126).  The guest holds
# a FIFO open (so ferry is running) and execs once told the file is gone.
if [ -x /bin/busybox ]; then
    case $ferry in *" "*) prefix="${ferry% *} " ;; *) prefix="" ;; esac
    mkfifo "$tmp/go"
    script='exec 3< "$1"; read x <&3; /bin/busybox echo exec ok; /bin/busybox sh -c "/bin/busybox echo nested \$0" sh'
    relinked() {
        exec 4> "$tmp/go"
        cp "$tmp/ferry-run" "$tmp/ferry-new" && chmod 644 "$tmp/ferry-new" && mv "$tmp/ferry-new" "$tmp/ferry-run"
        echo go >&4
        exec 4>&-
    }
    cp "${ferry##* }" "$tmp/ferry-run"
    /bin/busybox sh -c "$script" sh "$tmp/go" > "$tmp/want" 2> /dev/null < /dev/null &
    relinked
    wait $!
    echo "status $?" >> "$tmp/want"
    rm -f "$tmp/ferry-run"
    cp "${ferry##* }" "$tmp/ferry-run"
    st=0
    timeout -k 5 300 $prefix"$tmp/ferry-run" /bin/busybox sh -c "$script" sh "$tmp/go" > "$tmp/out" 2> "$tmp/err" < /dev/null &
    relinked
    wait $! || st=$?
    same_as_native "exec while ferry's binary is replaced: the file ferry runs from"
fi

# exit_request tests only where a cycle of chained blocks needs one: blocks
# with a backward direct exit.  Blocks leaving through an indirect exit
# (ret, jmp/call through a register) and only forward otherwise have none,
# with the return-address stack on too (its predicted rets bypass the
# jump cache; docs/architecture.md says why no cycle can: session 30).
# Where the backend starts every block with its guard (AArch64:
# be_desc.guard_every_block) the IR says "backward chains only": every
# other entry comes in past it, so such a block tests on no forward entry
# and counts as bare; a backward block must still have its test.
# Read from the IR log.
run --no-tcache --ras -d ir -D "$tmp/ir.log" "$loop"
verdict=$(awk '
    function hex(s,   v, k, c) {
        v = 0; s = tolower(s); sub(/^0x/, "", s)
        for (k = 1; k <= length(s); k++) {
            c = index("0123456789abcdef", substr(s, k, 1)); v = v * 16 + c - 1
        }
        return v
    }
    function done() {
        if (!pc) return
        if (back && req) back_tested++
        else if (back) back_bare++
        else if (ind && req && !ronly) ind_tested++
        else if (ind) ind_bare++
    }
    /^IR 0x/ { done(); pc = hex(substr($2, 1, length($2) - 1)); back = ind = req = ronly = 0; next }
    /^exit_request/ { req = 1; ronly = /backward chains only/ }
    /^exit_indirect/ { ind = 1 }
    / -> 0x[0-9a-f]+ slot / { for (k = 1; k < NF; k++) if ($k == "->" && hex($(k + 1)) <= pc) back = 1 }
    END { done(); printf "%d %d %d %d\n", back_tested, back_bare, ind_tested, ind_bare }
' "$tmp/ir.log")
set -- $verdict
if [ "$st" != 0 ] || [ "${1:-0}" = 0 ] || [ "${4:-0}" = 0 ]; then
    fail "exit_request: only blocks with a backward exit test it" \
        "status $st; blocks: backward with/without the test, indirect with/without: $verdict"
elif [ "$2" != 0 ] || [ "$3" != 0 ]; then
    fail "exit_request: only blocks with a backward exit test it" \
        "backward blocks without the test $2, forward/indirect blocks with it $3 (of $verdict)"
else
    pass "exit_request: only blocks with a backward exit test it ($1 backward, $4 indirect)"
fi

# A block's exit_request test is one load from the env's guard page, made
# unreadable on a request (exit_request.c; its fault leaves the block at
# its entry): no compare and no branch on what it read, on either host
# (x86-64: `test [r14 + guard], eax`; AArch64: `ldr x16, [env, #guard]`,
# after a self-loop's hoisted loads).  The old form, a load or cmp of
# rt.exit_request and a jne/cbnz, reaches a branch before any such load.
run --no-tcache -d ir,out_asm -D "$tmp/asm.log" "$loop"
verdict=$(awk '
    function verdict(ok) { if (ok) guard++; else { bad++; if (!ex) ex = prev " / " $0 }; n = -1 }
    /^IR 0x/ { req = 0; n = -1; next }
    /^exit_request/ { req = 1 }
    /^OUT 0x/ { n = req ? 0 : -1; prev = ""; next }
    n >= 0 && /^  0x/ {
        sub(/^  0x[0-9a-f]+: +/, "")
        if (n == 1) {           # right after the guard load: nothing tests it
            verdict(!(($1 ~ /^j/ && $1 != "jmp") || $0 ~ /^(cbz|cbnz|tbz|tbnz) +[wx]16,/)); next
        }
        if ($0 ~ /^test +dword ptr \[r14 \+ 0x[0-9a-f]+\], eax$/ || $0 ~ /^ldr +x16, \[/) n = 1
        else if ($1 ~ /^(j|b|cb|tb|ret)/) verdict(0)
        prev = $0
    }
    END { printf "%d %d %s\n", guard, bad, ex }
' "$tmp/asm.log")
set -- $verdict
if [ "$st" != 0 ] || [ "${1:-0}" = 0 ] || [ "${2:-1}" != 0 ]; then
    fail "exit_request: one guard-page load, no branch" \
        "status $st; blocks with the test as one load / otherwise (e.g.): $verdict"
else
    pass "exit_request: one guard-page load, no branch ($1 blocks)"
fi

# A stream of requests to a thread spinning in chained blocks (a sender
# tgkill-ing it, sigaction_race_posted): each one its guard load caught
# would cost a host signal and two mprotects where the flag costs two
# stores, so after a few quick catches the thread goes over to blocks
# that test the flag (exit_request.c) and its requests arm no guard.
if [ -n "$storm_prog" ]; then
    run --stats "$storm_prog"
    faults=$(sed -n 's/^ferry-stats: guard_faults: //p' "$tmp/err")
    switches=$(sed -n 's/^ferry-stats: request_flag_switches: //p' "$tmp/err")
    if [ "$st" != 0 ] || [ "${faults:-0}" -lt 1 ] || [ "${switches:-0}" -lt 1 ] || [ "$faults" -gt 500 ]; then
        fail "exit_request: a stream of signals goes over to the flag" \
            "status $st; guard faults ${faults:-none}, threads switched to the flag ${switches:-none}"
    else
        pass "exit_request: a stream of signals goes over to the flag ($faults guard faults, $switches switches)"
    fi
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
