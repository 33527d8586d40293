#!/bin/sh
# check-reliab.sh -- the guest cannot harm ferry, and bad input never hangs
# or crashes it (issue 11).  Each case runs natively too where there is a
# native run to compare with (the native CPU and kernel are the oracle).
#
#   tests/reliab/check-reliab.sh "FERRY CMD" /abs/dir/of/built/programs
# RELIAB_LONG=1: the long versions (check-long).
set -u
ferry=$1
bin=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
passed=0
failed=0
long=${RELIAB_LONG:-}

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; [ -f "$tmp/err" ] && sed 's/^/  | /' "$tmp/err" | head -n 10; failed=$((failed + 1)); }

# strip FILE: drops what qemu-user adds on a guest's fatal signal.
strip() { grep -v '^qemu: uncaught target signal' "$1" > "$1.s" || true; mv "$1.s" "$1"; }

# both NAME TIMEOUT CMD...: runs CMD natively (nat.*) and under ferry
# (fer.*); compares stdout, stderr and status.
both() {
    name=$1 t=$2
    shift 2
    nst=0 fst=0
    timeout -k 5 "$t" "$@" > nat.out 2> nat.err < /dev/null || nst=$?
    # $ferry is split into words on purpose (it may be "qemu-aarch64 -L / ...").
    timeout -k 5 "$t" $ferry "$@" > fer.out 2> fer.err < /dev/null || fst=$?
    strip fer.err
    cp fer.err err
    if [ "$nst" != "$fst" ]; then
        fail "$name" "status native $nst, ferry $fst"
    elif ! cmp -s nat.out fer.out; then
        diff nat.out fer.out > err; fail "$name" "stdout differs"
    elif ! cmp -s nat.err fer.err; then
        diff nat.err fer.err > err; fail "$name" "stderr differs"
    else
        pass "$name"
    fi
}

# --- 1. no ferry descriptors in the guest's fd space -------------------------
# --strace keeps writing to ferry's stderr after the guest closed 0-2 and
# opened a file that got number 2 (also in the ferry the guest execs).
script='exec 0<&- 1>&- 2>&-; exec 2>guest.txt; echo guest >&2; /bin/true; echo end >&2'
/bin/bash -c "$script"; cp guest.txt nat.txt
st=0
timeout -k 5 300 $ferry --strace /bin/bash -c "$script" 2> strace.txt || st=$?
cp strace.txt err
if [ "$st" != 0 ] || ! cmp -s nat.txt guest.txt; then
    fail "strace after the guest closes 0-2" "status $st, guest file: $(head -c 200 guest.txt)"
elif ! grep -q 'execve("/bin/true"' strace.txt || ! grep -q 'exit_group(0)' strace.txt; then
    fail "strace after the guest closes 0-2" "ferry's stderr lacks the calls"
else
    pass "strace after the guest closes 0-2"
fi

# --- 2. the guest stack: RLIMIT_STACK deep, a guard gap, away from ferry ------
both "stack overflow runs the sigaltstack SIGSEGV handler" 300 "$bin/stack_overflow" altstack
both "stack overflow without a handler dies by SIGSEGV" 300 "$bin/stack_overflow" die
both "6 MiB recursion in the default 8 MiB stack" 300 "$bin/stack_overflow" deep 6
soft=$(ulimit -S -s)
if ulimit -S -s 65536 2> /dev/null; then
    both "ulimit -s 65536: 20 MiB recursion" 300 "$bin/stack_overflow" deep 20
    both "ulimit -s 65536: overflow runs the handler" 300 "$bin/stack_overflow" altstack
    ulimit -S -s "$soft"
fi
if ulimit -S -s 1024 2> /dev/null; then
    both "ulimit -s 1024: 2 MiB recursion dies" 300 "$bin/stack_overflow" deep 2
    ulimit -S -s "$soft"
fi

# --- 3. an ended thread gives back everything ----------------------------------
if [ -n "$long" ]; then
    both "100,000 short threads in bounded memory" 3000 "$bin/thread_churn" 100000
else
    both "20,000 short threads in bounded memory" 900 "$bin/thread_churn" 20000
fi

# --- 4. ferry's mappings are off-limits and hidden ---------------------------
both "/proc/self/maps shows only the guest's; calls over ferry's memory" 300 "$bin/maps_view"

echo "reliab: $passed passed, $failed failed"
[ "$failed" = 0 ]
