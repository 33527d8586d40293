#!/bin/sh
# check-reliab.sh -- the guest cannot harm ferry, and bad input never hangs
# or crashes it (issue 11).  Each case runs natively too where there is a
# native run to compare with (the native CPU and kernel are the oracle).
#
#   tests/reliab/check-reliab.sh "FERRY CMD" /abs/dir/of/built/programs ["FERRY-SYSTEM CMD" [BZIMAGE]]
# RELIAB_LONG=1: the long versions (check-long).
set -u
ferry=$1
bin=$2
here=$(cd "$(dirname "$0")" && pwd)
fsys=${3:-}
bzimage=${4:-}       # a real kernel (Debian's, .ci/setup-linux), to cut short
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
passed=0
failed=0
long=${RELIAB_LONG:-}

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; [ -f "$tmp/err" ] && sed 's/^/  | /' "$tmp/err" | head -n 10; failed=$((failed + 1)); }

# strip FILE: drops what qemu-user adds on a guest's fatal signal.
strip() { grep -av '^qemu: uncaught target signal' "$1" > "$1.s" || true; mv "$1.s" "$1"; }

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
    if [ "$nst" = 124 ] || [ "$nst" = 137 ]; then
        fail "$name" "the native run did not end within $t s (nothing compared)"
    elif [ "$nst" != "$fst" ]; then
        fail "$name" "status native $nst, ferry $fst"
    elif ! cmp -s nat.out fer.out; then
        diff nat.out fer.out > err; fail "$name" "stdout differs"
    elif ! cmp -s nat.err fer.err; then
        diff nat.err fer.err > err; fail "$name" "stderr differs"
    else
        pass "$name"
    fi
}

# both_a64 NAME TIMEOUT PROG ARGS...: as both, but the oracle is PROG.a64,
# the same source built for AArch64, run under ferry's qemu (the AArch64
# build's host), for what the host decides rather than the CPU.
both_a64() {
    name=$1 t=$2 prog=$3
    shift 3
    qemu=${ferry%% *}
    nst=0 fst=0
    timeout -k 5 "$t" $qemu "$prog.a64" "$@" > nat.out 2> nat.err < /dev/null || nst=$?
    timeout -k 5 "$t" $ferry "$prog" "$@" > fer.out 2> fer.err < /dev/null || fst=$?
    strip nat.err
    strip fer.err
    cp fer.err err
    if [ "$nst" != "$fst" ]; then
        fail "$name" "status AArch64 native $nst, ferry $fst"
    elif ! cmp -s nat.out fer.out || ! cmp -s nat.err fer.err; then
        diff nat.out fer.out > err; fail "$name" "output differs from the AArch64 program's"
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
case $ferry in
*qemu-*)
    # qemu-user keeps ~300 KiB per thread it ever ran (its own leak, shown
    # by a native AArch64 run of the same program): ferry may add nothing
    # beyond 64 MiB to that.
    n=1600
    [ -n "$long" ] && n=4000
    qemu=${ferry%% *}
    CHURN_VERBOSE=1 timeout -k 5 900 $qemu "$bin/thread_churn.a64" $n > q.out 2> q.err
    CHURN_VERBOSE=1 timeout -k 5 900 $ferry "$bin/thread_churn" $n > fer.out 2> fer.err
    qg=$(sed -n 's/^rss growth: \(-*[0-9]*\) KiB/\1/p' q.err)
    fg=$(sed -n 's/^rss growth: \(-*[0-9]*\) KiB/\1/p' fer.err)
    cp fer.err err
    if [ -z "$qg" ] || [ -z "$fg" ] || ! grep -q "^$n threads" fer.out; then
        fail "$n short threads under qemu" "no result"
    elif [ "$fg" -gt $((qg + 65536)) ]; then
        fail "$n short threads under qemu" "ferry grew $fg KiB, qemu alone $qg KiB"
    else
        pass "$n short threads: no growth beyond qemu-user's own ($fg vs $qg KiB)"
    fi ;;
*)
    if [ -n "$long" ]; then
        both "100,000 short threads in bounded memory" 3000 "$bin/thread_churn" 100000
    else
        # past the ~32,700 threads after which pthread_create once failed
        # with EAGAIN (two leaked mappings per thread hit vm.max_map_count)
        both "35,000 short threads in bounded memory" 900 "$bin/thread_churn" 35000
    fi ;;
esac

# --- 4. ferry's mappings are off-limits and hidden ---------------------------
both "/proc/self/maps shows only the guest's; calls over ferry's memory" 300 "$bin/maps_view"

# --- 4b. the guest's address space ends at its TASK_SIZE ---------------------
# On a host whose user space reaches above x86-64's 47 bits (48-bit AArch64)
# ferry places every guest mapping below the guest's top and its own memory
# lies above (syscalls/sys_guest_va.c).  FERRY_DEBUG_VA_CEILING lowers that
# top to 16 TiB, below ferry's memory here, so the same placing runs on
# both builds: va_ceiling.c checks every line of its maps against the top
# (VA_LIMIT: natively x86-64's own), maps 1 GiB MAP_FIXED 2 TiB below it
# and fails calls at it as Linux does; guest programs and Debian scripts
# (RELIAB_VA_CASES, from reliab.mk) give their native output.
va_top=0x100000000000
export VA_LIMIT=0x7ffffffff000
both "va_ceiling: the guest's maps end at x86-64's TASK_SIZE" 300 "$bin/va_ceiling"
plain=$ferry
ferry="env VA_LIMIT=$va_top FERRY_DEBUG_VA_CEILING=$va_top $plain"
both "va_ceiling: the guest below a lowered ceiling, ferry above it" 300 "$bin/va_ceiling"
ferry=$plain
unset VA_LIMIT
# guest_cases STEM WHAT FERRY-COMMAND ULIMIT-V CASES...: the guest programs
# by run-diff.sh under the given ferry command (and `ulimit -v` when not
# empty), compared with their native runs; the lines that did not pass go
# to err for fail's listing.
guest_cases() {
    stem=$1 what=$2 cmd=$3 vlimit=$4
    shift 4
    src=$(cd "$here/../.." && pwd)
    st=0
    (cd "$src" && { [ -z "$vlimit" ] || ulimit -v "$vlimit"; } &&
        sh tests/run-diff.sh -t "${RELIAB_VA_TIMEOUT:-60}" -w "$tmp/$stem-run" -m tests/guest \
            -f "$cmd" "$@") > "$stem-run.log" 2>&1 || st=$?
    grep -v '^PASS' "$stem-run.log" > err
    if [ "$st" = 0 ]; then
        pass "$what ($(tail -n 1 "$stem-run.log"))"
    else
        fail "$what" "$(tail -n 1 "$stem-run.log")"
    fi
}

if [ -n "${RELIAB_VA_CASES:-}" ]; then
    guest_cases va "guest programs and Debian scripts below a lowered ceiling" \
        "env FERRY_DEBUG_VA_CEILING=$va_top $plain" "" $RELIAB_VA_CASES
fi

# --- 4c. ferry's memory where the main stack grows ----------------------------
# The host's randomised mmap_base may put qemu-user's mappings, or ferry's
# own, where the guest's stack grows (session 40's stack_grow.dyn flake:
# every growth SIGSEGV).  FERRY_DEBUG_STACK_HOLE maps pages of ferry's
# there before the loader and after it (syscalls/sys_stack_debug.c); the
# stack's programs must still give their native output (loader/ld_stack.c
# reserves the room, or moves the stack where it is taken).
if [ -n "${RELIAB_STACK_CASES:-}" ]; then
    guest_cases stack "the stack's programs with ferry's memory where the stack grows" \
        "env FERRY_DEBUG_STACK_HOLE=1 $ferry" "" $RELIAB_STACK_CASES
fi

# --- 4c'. ferry's memory in the room a raised RLIMIT_STACK gives ---------------
# A host mapping of ferry's made after the guest raised RLIMIT_STACK and
# before its stack grew that far took the room (the reservation covered
# the room at exec only).  FERRY_DEBUG_STACK_HOLE=raise asks for a page in
# the middle of the new room after each setrlimit (sys_stack_debug.c): the
# raise must have reserved it first (sys_stack_room_ahead).
if [ -n "${RELIAB_STACK_RAISE_CASES:-}" ]; then
    guest_cases stack-raise "the stack's programs with ferry's memory in the room a raise gives" \
        "env FERRY_DEBUG_STACK_HOLE=raise $ferry" "" $RELIAB_STACK_RAISE_CASES
fi

# --- 4d. the stack's room under a finite RLIMIT_AS ----------------------------
# Under a `ulimit -v` below 16 times the room (2,064 MiB by default) ferry
# reserves only the room RLIMIT_STACK allows (loader/ld_stack.c: the
# reservation counts there); the room must still behave as natively (the
# old layout honoured a hint 512 KiB below the stack, after which the stack
# could not grow, and stopped the growth 1 MiB above a PROT_READ mapping).
if [ -n "${RELIAB_STACK_AS_CASES:-}" ]; then
    guest_cases stack-as "the stack's room under ulimit -v 2097152" "$ferry" 2097152 $RELIAB_STACK_AS_CASES
fi

# The code cache: a guest store aimed at translated code (ferry tells where
# it is: FERRY_DEBUG_CODE_CACHE) faults as a store into the program's own
# code does natively, and the code still runs (tc_views.c).
rm -f "$tmp/cc"
export FERRY_DEBUG_CODE_CACHE="$tmp/cc"
both "stores into translated code fault (W^X)" 300 "$bin/wx_store" "$tmp/cc"
unset FERRY_DEBUG_CODE_CACHE
[ -s "$tmp/cc" ] || fail "stores into translated code fault (W^X)" "ferry did not tell its code range"

# Syscalls given pointers into ferry's heap or code (the same hook tells
# them) fail as for an unmapped address; no byte of ferry's goes in or out.
# Under qemu-user the host is qemu, which fails a buffer or iovec that is
# not all mapped before the call (Linux stops at the fault): the oracle
# there is the same program built for AArch64 under the same qemu.
rm -f "$tmp/cc"
export FERRY_DEBUG_CODE_CACHE="$tmp/cc"
case $ferry in
*qemu-*) both_a64 "syscalls given pointers into ferry's memory: as the host gives" 300 \
             "$bin/ferry_ptr" "$tmp/cc" ;;
*) both "syscalls given pointers into ferry's memory: EFAULT" 300 "$bin/ferry_ptr" "$tmp/cc" ;;
esac
unset FERRY_DEBUG_CODE_CACHE
grep -q '^heap ' "$tmp/cc" 2> /dev/null || fail "syscalls given pointers into ferry's memory: EFAULT" "ferry did not tell a heap address"

# A call to never-mapped addresses is the guest's SIGSEGV, also where ferry
# cannot probe pages with process_vm_readv (missing under qemu-user; on
# other hosts a seccomp filter takes it away): the guest map answers.
both "call to never-mapped addresses: guest SIGSEGV" 300 "$bin/exec_unknown"
case $ferry in
*qemu-*) ;;
*)
    plain=$ferry
    ferry="$bin/no_vm_readv $plain"
    both "call to never-mapped addresses without process_vm_readv" 300 "$bin/exec_unknown"
    ferry=$plain ;;
esac

# ferry's log descriptor is not in the guest's /proc/self/fd (or fdinfo).
plain=$ferry
ferry="$plain --strace -D $tmp/strace.log"
both "/proc/self/fd under --strace -D lists only the guest's" 300 "$bin/fd_list"
ferry="$plain -d in_asm -D $tmp/asm.log"
both "/proc/self/fd under -d in_asm -D lists only the guest's" 300 "$bin/fd_list"
ferry=$plain

# --- 6. ELF files the kernel accepts, unusual as they are ----------------------
for prog in hello.static hello.spie; do
    "$bin/elf_variants" "$bin/$prog" "$tmp/$prog" || fail "elf_variants $prog" "cannot write"
    for v in align phdr swap overlap lower onto; do
        # (a static-PIE's first segment is at 0: 1 MiB lower wraps around)
        [ "$prog.$v" = hello.spie.lower ] && continue
        chmod +x "$tmp/$prog.$v"
        both "ELF variant $prog.$v as natively" 120 "$tmp/$prog.$v"
    done
done

# --- 6b. a fixed-seed corpus of mutated ELF files ----------------------------
# gen_fuzz_elf.py (seed 11): headers and program headers of a tiny
# hand-made program and of hello.static/.spie/.dyn broken at random, or
# cut short.  The oracle is the kernel's verdict (exec_verdict, native):
#   refused (execve failed) or killed (after the point of no return): ferry
#     says so in one line "ferry: FILE: ..." with a status below 128, or
#     (killed) ends as natively, and prints nothing else;
#   ran: status, stdout and stderr as natively -- except that ferry refuses
#     in one line what the kernel loads but what then dies by a signal with
#     no output (no PT_LOAD at all, a segment past the end of the file:
#     tests/elf's no-load and truncated), counted apart.
# The AArch64 build (under qemu) replays every fourth file.
# check-long: 667 files (the size of issue 11's corpus), all on both builds.
fz_seed=11 fz_count=96 fz_step=1 fz_which="all 96"
case $ferry in *qemu-*) fz_step=4 fz_which="every 4th of 96" ;; esac
[ -n "$long" ] && fz_count=667 fz_step=1 fz_which="all 667"
mkdir fz
fz_ok=0 fz_refused=0 fz_killed=0 fz_ran=0 fz_dies=0 fz_bad=0
if python3 "$here/gen_fuzz_elf.py" $fz_seed $fz_count fz "$bin/hello.static" "$bin/hello.spie" \
        "$bin/hello.dyn"; then
    n=0
    for f in fz/fuzz-*; do
        n=$((n + 1))
        [ $(( (n - 1) % fz_step )) = 0 ] || continue
        chmod 755 "$f"
        nst=0 fst=0
        timeout -k 5 60 "$bin/exec_verdict" "./$f" > nat.out 2> nat.err 3> verdict < /dev/null || nst=$?
        FERRY_TCACHE=off timeout -k 5 120 $ferry "./$f" > fer.out 2> fer.err < /dev/null || fst=$?
        strip fer.err
        strip nat.err
        cp fer.err err
        one=0
        [ "$fst" != 0 ] && [ "$fst" -lt 128 ] && [ ! -s fer.out ] && [ "$(wc -l < fer.err)" = 1 ] &&
            grep -aq "^ferry: \./$f: " fer.err && one=1
        same=0
        [ "$nst" = "$fst" ] && cmp -s nat.out fer.out && cmp -s nat.err fer.err && same=1
        v=$(cat verdict)
        what="$f ($(grep "^${f#fz/} " fz/corpus.txt | cut -d' ' -f2-))"
        case $v in
        refused*)
            [ $one = 1 ] && fz_refused=$((fz_refused + 1)) && continue
            fail "fuzzed ELF $what" "the kernel refused it ($v); ferry: status $fst, not one line" ;;
        killed)
            { [ $one = 1 ] || { [ "$nst" = "$fst" ] && [ ! -s fer.out ]; }; } && fz_killed=$((fz_killed + 1)) && continue
            fail "fuzzed ELF $what" "the kernel killed it at exec (status $nst); ferry: status $fst" ;;
        ran)
            [ $same = 1 ] && fz_ran=$((fz_ran + 1)) && continue
            [ $one = 1 ] && [ "$nst" -gt 128 ] && [ ! -s nat.out ] &&
                grep -aqE 'no loadable segment|truncated: segment' fer.err && fz_dies=$((fz_dies + 1)) && continue
            { diff nat.out fer.out; diff nat.err fer.err; } > err
            fail "fuzzed ELF $what" "ran natively (status $nst), ferry: status $fst" ;;
        *)
            fail "fuzzed ELF $what" "no verdict from the native run (status $nst)" ;;
        esac
        fz_bad=$((fz_bad + 1))
    done
    [ $fz_bad = 0 ] && pass "fuzzed ELF corpus (seed $fz_seed, $fz_which): kernel refused $fz_refused, killed at exec $fz_killed, ran $fz_ran as natively, $fz_dies dying at once refused"
else
    fail "fuzzed ELF corpus" "gen_fuzz_elf.py failed"
fi

# --- 7. calls the host lacks: the guest gets what the host gives ------------
# qemu-user 7.2 (the AArch64 build's host here) has no Linux AIO and no
# io_uring: the guest must get the host's answer (ENOSYS throughout, even
# where ferry checks arguments first), the same as an AArch64 program.
case $ferry in
*qemu-*)
    both_a64 "Linux AIO where the host has none: as an AArch64 program" 300 "$bin/aio"
    both_a64 "io_uring where the host has none: as an AArch64 program" 300 "$bin/io_uring" ;;
esac

# --- 5. files that are not regular files; error lines ------------------------
# quick NAME SECONDS WANT_STATUS PATTERN CMD...: CMD ends within SECONDS with
# WANT_STATUS and one line on stderr matching PATTERN.
quick() {
    name=$1 t=$2 want=$3 pat=$4
    shift 4
    st=0
    timeout -k 2 "$t" "$@" > out 2> err < /dev/null || st=$?
    strip err
    if [ "$st" = 124 ] || [ "$st" = 137 ]; then
        fail "$name" "still running after $t s"
    elif [ "$st" != "$want" ]; then
        fail "$name" "status $st, wanted $want"
    elif [ "$(wc -l < err)" != 1 ] || ! grep -q -- "$pat" err; then
        fail "$name" "wanted one line matching '$pat'"
    else
        pass "$name"
    fi
}
mkfifo fifo
chmod +x fifo
quick "a FIFO as the program: EACCES at once" 60 126 "Permission denied" $ferry "$tmp/fifo"
printf 'int main(void) { return 0; }\n' > nop.c
if gcc -o fifo-interp nop.c -Wl,--dynamic-linker="$tmp/fifo" 2> /dev/null; then
    quick "a FIFO as PT_INTERP: EACCES at once" 60 126 "Permission denied" $ferry "$tmp/fifo-interp"
    # (through env: after execve's EACCES, bash itself opens the file to
    # see why, and a FIFO's open blocks -- natively too)
    both "the guest execs a FIFO and a program whose PT_INTERP is one" 120 \
        /bin/bash -c "env $tmp/fifo; echo \$?; $tmp/fifo-interp; echo \$?"
fi
quick "control bytes in an error line are escaped" 60 127 'bad\\x1b\[31mname' \
    $ferry "$(printf 'bad\033[31mname')"
# ($fsys, like $ferry, may be "qemu-aarch64 -L / .../ferry-system": split on purpose)
if [ -n "$fsys" ]; then
    quick "ferry-system: a FIFO as --kernel, at once" 60 1 "Permission denied" \
        $fsys --kernel "$tmp/fifo" --mem 64M
    quick "ferry-system: a FIFO as --initrd, at once" 60 1 "Permission denied" \
        $fsys --kernel "$bin/stack_overflow" --initrd "$tmp/fifo" --mem 64M
    # a bzImage header (HdrS, protocol 2.12, 64-bit entry) whose syssize
    # says 16 MiB while the file holds 4 KiB after the setup
    python3 -c '
import struct, sys
d = bytearray(8192)
d[0x1f1] = 3
struct.pack_into("<I", d, 0x1f4, (16 << 20) // 16)
d[0x202:0x206] = b"HdrS"
struct.pack_into("<H", d, 0x206, 0x20c)
d[0x211] = 1
d[0x236] = 1
open(sys.argv[1], "wb").write(d)' truncated.bz
    quick "ferry-system: a truncated bzImage (syssize)" 60 1 "truncated bzImage" \
        $fsys --kernel "$tmp/truncated.bz" --mem 64M
    # A bzImage whose header carries ramdisk fields of its own (image
    # 8 MiB, size 4 KiB) and whose 64-bit entry prints on COM1 whether the
    # zero page has any ("N") or none ("Z"), then powers off (debug-exit
    # port).  Without --initrd the file's values must not reach the guest;
    # with one they are the initrd's (the probe works).  On tcg: both hosts.
    python3 -c '
import struct, sys
code = bytes.fromhex(
    "8b861c020000"      # mov eax, [rsi+0x21c]  ramdisk_size
    "0b8618020000"      # or eax, [rsi+0x218]   ramdisk_image
    "66baf803"          # mov dx, 0x3f8
    "85c0b05a7402b04e"  # test eax, eax; mov al, "Z"; jz +2; mov al, "N"
    "eeb00aee"          # out dx, al; mov al, 10; out dx, al
    "66ba010531c0ef"    # mov dx, 0x501; xor eax, eax; out dx, eax
    "f4ebfd")           # hlt; jmp hlt
kernel = bytearray(4096)
kernel[0x200:0x200 + len(code)] = code
d = bytearray(5 * 512)
d[0x1f1] = 4
struct.pack_into("<I", d, 0x1f4, len(kernel) // 16)
d[0x201] = 0x66
d[0x202:0x206] = b"HdrS"
struct.pack_into("<H", d, 0x206, 0x20c)
d[0x211] = 1
struct.pack_into("<III", d, 0x218, 8 << 20, 4096, 0)
struct.pack_into("<I", d, 0x22c, 0x7fffffff)
d[0x236] = 1
open(sys.argv[1], "wb").write(d + kernel)' ramdisk.bz
    head -c 3000 /dev/zero > initrd.bin
    for with in no yes; do
        want=Z extra=
        [ $with = yes ] && want=N extra="--initrd $tmp/initrd.bin"
        st=0
        timeout -k 5 300 $fsys --accel tcg --kernel "$tmp/ramdisk.bz" --mem 64M --timeout 240 $extra \
            > out 2> err < /dev/null || st=$?
        strip err
        if [ "$st" = 0 ] && [ "$(cat out)" = "$want" ]; then
            pass "ferry-system: the bzImage's own ramdisk fields (initrd: $with)"
        else
            fail "ferry-system: the bzImage's own ramdisk fields (initrd: $with)" \
                "status $st, COM1 '$(head -c 100 out)', wanted '$want'"
        fi
    done
    # The header's other sizes: setup_sects reaching past the file's end;
    # an initrd above the header's initrd_addr_max (2 MiB here) though RAM
    # would hold it.
    python3 -c '
import struct, sys
d = bytearray(open("ramdisk.bz", "rb").read())
s = bytearray(d); s[0x1f1] = 60; open("setup.bz", "wb").write(s)
struct.pack_into("<I", d, 0x22c, 0x1fffff); open("limit.bz", "wb").write(d)'
    quick "ferry-system: a bzImage whose setup_sects pass its end" 60 1 "truncated bzImage (setup" \
        $fsys --accel tcg --kernel "$tmp/setup.bz" --mem 64M
    head -c 1536K /dev/zero > initrd15.bin
    quick "ferry-system: an initrd above the header's initrd_addr_max" 60 1 "does not fit" \
        $fsys --accel tcg --kernel "$tmp/limit.bz" --initrd "$tmp/initrd15.bin" --mem 64M
    # Debian's own bzImage cut to 30 KB, 1 MiB and 4 MiB (issue 11: all
    # three were accepted): the header's syssize says what is missing.
    if [ -f "$bzimage" ]; then
        for cut in 30K 1M 4M; do
            head -c $cut "$bzimage" > "real-$cut.bz"
            quick "ferry-system: Debian's bzImage cut to $cut" 60 1 "truncated bzImage (header says" \
                $fsys --accel tcg --kernel "$tmp/real-$cut.bz" --mem 64M
        done
    else
        fail "ferry-system: Debian's bzImage cut short" "no kernel at '$bzimage' (make setup-linux)"
    fi
    truncate -s 1M disk.img
    # Wait for the lock itself, not a fixed time (CI machines can be slow).
    rm -f locked
    flock -x disk.img sh -c 'echo $$ > locked.tmp; mv locked.tmp locked; exec sleep 60' &
    lockpid=$!
    while [ ! -e locked ]; do sleep 0.05; done
    quick "ferry-system: a writable disk in use is refused" 60 1 "in use by another process" \
        $fsys --kernel "$tmp/truncated.bz" --mem 64M --disk "$tmp/disk.img"
    kill "$(cat locked)" "$lockpid" 2> /dev/null
    wait "$lockpid" 2> /dev/null
fi

echo "reliab: $passed passed, $failed failed"
[ "$failed" = 0 ]
