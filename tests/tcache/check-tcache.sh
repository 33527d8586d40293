#!/bin/sh
# check-tcache.sh -- the persistent translation cache (--tcache DIR):
#   sh tests/tcache/check-tcache.sh "FERRY COMMAND" WORKDIR
# Every run's stdout, stderr and exit status must equal the native run's;
# --stats (logged to a file with -D) says what the cache did:
#   cold/warm      a fresh cache, then a second run that takes (far) more
#                  blocks from the cache than it translates (static and
#                  static-pie builds, and a dynamically linked one: ld.so
#                  and libc are placed by file and cached too), most of
#                  them restored ahead of use in batches (tcache_ahead);
#   vDSO           a program calling the vDSO's functions translates
#                  nothing warm (the vDSO is placed too);
#   fault handler  a process with an SA_SIGINFO SIGSEGV handler (its blocks
#                  are of the exact-fault-flags mode, recorded with it):
#                  the warm run translates far fewer; installed half-way
#                  (the same pcs in both modes): the warm run translates
#                  almost nothing;
#   corrupt        the file truncated, garbled, replaced by junk, emptied:
#                  nothing loaded (garbled: the garbled records unused),
#                  output still right, the next run refills; records
#                  garbled throughout a small file, a mapped one
#                  (midcode's 4 MB) and a large one (bigcode's):
#                  translated again, the others restored (ahead but the
#                  large one's; a mapped file warm: most restored ahead);
#                  the checksum's lanes in C (SSE4.2 hidden): warm
#                  restored, garbled records translated again;
#   truncated      the guest truncates the cache file half-way through its
#                  run: a small file was copied at start-up, nothing is
#                  translated again; a large one (bigcode's) is mapped,
#                  the rest is translated; output right both times;
#                  the file truncated between start-up's fstat and read
#                  (strace injects a short pread): mapped instead, the
#                  padding it claimed given back;
#   huge pages     a warm run from a small file and from one mapped whole
#                  advises no more huge pages than an uncached run;
#   size bound     --tcache-size evicts the least recently used files;
#   off            --tcache off, --no-tcache, FERRY_TCACHE=off: no cache;
#   default dirs   no --tcache: $XDG_CACHE_HOME/ferry (the XDG directory
#                  made if missing), else ~/.cache/ferry (.cache made);
#   changed code   the program rewritten in place with the same size and
#                  mtime: the records of the changed page are stale, the
#                  new code runs;
#   code identity  a program and its library rewritten in place (same
#                  size and mtime), other files renamed over them (same
#                  paths, sizes, mtimes), a program that rewrites its own
#                  text through mprotect, one that stores into its code
#                  after making its page writable and running the next
#                  page's code: cold, warm and after each change, output
#                  right (tc_codeid.c; the library's changed constant and
#                  the stored-into page lie among other code pages, which
#                  a warm run hashes 8 at a time);
#   code changed in a run: jit_remap cold and warm (ASLR off): stale
#                  records of changed code pages never restored;
#   old code chained: a program whose code outgrows the alias window
#                  (tc_bigcode.py): cold and warm, jumps chained into old
#                  code are written with pwrite (chains_written > 0),
#                  output right; after a second thread started, none is
#                  (cold and warm); a warm run reads the large file's
#                  body through the map (no pread of it); under
#                  RLIMIT_NOFILE 6 output right;
#   first translation away from the main thread: a warm run whose first
#                  new code runs in a guest thread, a signal handler, a
#                  forked child (tc_first.c: the translator's lazily built
#                  state is first used there); output right, and that
#                  code translated;
#   concurrent     four processes filling one fresh cache at once;
#   unusable dir   a cache directory that cannot be made: runs as without;
#   parent         a directory whose parent is missing: both made; two
#                  missing levels: nothing made, no cache;
#   full disk      the cache on a 64 KiB tmpfs (own user+mount namespace):
#                  every store fails with ENOSPC, output right twice, no
#                  file or temporary file left behind.
set -u
FERRY=$1
W=$2
HERE=$(dirname "$0")
rm -rf "$W" && mkdir -p "$W" || exit 1
gcc -static -O2 -o "$W/prog" "$HERE/tc_prog.c" -lm || exit 1
gcc -static-pie -O2 -o "$W/prog-pie" "$HERE/tc_prog.c" -lm || exit 1
gcc -O2 -o "$W/prog-dyn" "$HERE/tc_prog.c" -lm || exit 1
gcc -static -O2 -o "$W/vdso" "$HERE/tc_vdso.c" || exit 1
gcc -O2 -pthread -o "$W/first" "$HERE/tc_first.c" || exit 1
gcc -O2 -o "$W/vdso-dyn" "$HERE/tc_vdso.c" || exit 1
python3 "$HERE/tc_bigcode.py" 6000 > "$W/bigcode.c" || exit 1
gcc -O0 -static -pthread -o "$W/bigcode" "$W/bigcode.c" || exit 1
python3 "$HERE/tc_bigcode.py" 2000 > "$W/midcode.c" || exit 1
gcc -O0 -static -pthread -o "$W/midcode" "$W/midcode.c" || exit 1
pass=0
fail=0

native() {
    (cd "$W" && "$@") > "$W/native.out" 2>&1
    echo "exit $?" >> "$W/native.out"
}
# on DIR PROG...: under ferry with the cache in DIR, stats in $W/stats
on() {
    dir=$1
    shift
    rm -f "$W/stats"
    (cd "$W" && $FERRY --stats -D "$W/stats" --tcache "$dir" "$@") > "$W/ferry.out" 2>&1
    echo "exit $?" >> "$W/ferry.out"
}
stat_of() { sed -n "s/^ferry-stats: $1: //p" "$W/stats"; }
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL tcache: $1"; fail=$((fail + 1)); }
same() {
    if cmp -s "$W/native.out" "$W/ferry.out"; then ok; else
        bad "$1: output differs from native"; diff "$W/native.out" "$W/ferry.out" | head -10
    fi
}
# expect NAME SHELL-TEST: the test on the stats just taken
expect() {
    if eval "$2"; then ok; else bad "$1 ($2; stats: $(tr '\n' ' ' < "$W/stats" 2>/dev/null))"; fi
}
cache_file() { ls "$1"/*.ftc 2>/dev/null | head -1; }

for p in prog prog-pie; do
    C=$W/cache-$p
    native "./$p" a b
    on "$C" "./$p" a b
    same "$p cold"
    cold=$(stat_of blocks_translated)
    expect "$p cold stores" '[ "$(stat_of tcache_stored)" -gt 0 ]'
    on "$C" "./$p" a b
    same "$p warm"
    expect "$p warm loads" '[ "$(stat_of tcache_loaded)" -gt 0 ]'
    expect "$p warm hits" '[ "$(stat_of tcache_hits)" -gt 0 ]'
    expect "$p warm translates far fewer" '[ $(( $(stat_of blocks_translated) * 4 )) -lt "$cold" ]'
    # a small file (copied at start-up) is restored a batch at a time
    # (session 31): most hits come ahead of their first use
    expect "$p warm restores ahead" '[ $(( $(stat_of tcache_ahead) * 2 )) -gt "$(stat_of tcache_hits)" ]'
done

# A SIGSEGV handler: blocks after its sigaction are X86_TB_PRECISE ones,
# cached with their mode (before session 9: mode-0 blocks only).
native ./prog handler x
C=$W/cache-handler
on "$C" ./prog handler x
same "handler cold"
cold=$(stat_of blocks_translated)
on "$C" ./prog handler x
same "handler warm"
expect "handler warm translates far fewer" '[ $(( $(stat_of blocks_translated) * 4 )) -lt "$cold" ]'

# The handler installed half-way (gnulib's c-stack in grep, sed, diff...):
# the same pcs run in both modes, and the file keeps a record of each
# (before session 11: the first mode's only, the rest translated again on
# every run -- 30 % of this program's blocks, 8 % of grep's).
native ./prog late x
C=$W/cache-late
on "$C" ./prog late x
same "late handler cold"
cold=$(stat_of blocks_translated)
on "$C" ./prog late x
same "late handler warm"
expect "late handler warm translates almost nothing" '[ $(( $(stat_of blocks_translated) * 20 )) -lt "$cold" ]'

# Dynamically linked, with ASLR: ferry maps ld.so and libc at their
# files' slots (loader/ld_place.c), so their blocks are cached too.
native ./prog-dyn a b
C=$W/cache-dyn
on "$C" ./prog-dyn a b
same "dyn cold"
cold=$(stat_of blocks_translated)
on "$C" ./prog-dyn a b
same "dyn warm"
expect "dyn warm hits" '[ "$(stat_of tcache_hits)" -gt 0 ]'
expect "dyn warm translates far fewer" '[ $(( $(stat_of blocks_translated) * 4 )) -lt "$cold" ]'

# The first translation of a warm run away from the main thread: an 'o'
# run caches main's path, then an 'n' run restores it and meets new code
# first in a thread, a signal handler, a forked child (session 28: the x86
# dispatch index is built at the first lookup, no longer before main).
for m in thread signal fork; do
    C=$W/cache-first-$m
    native ./first o $m
    on "$C" ./first o $m
    same "first $m old path"
    native ./first n $m
    on "$C" ./first n $m
    same "first translation in a $m"
    if [ $m != fork ]; then
        expect "first $m: warm hits" '[ "$(stat_of tcache_hits)" -gt 0 ]'
        expect "first $m: new code translated" '[ "$(stat_of blocks_translated)" -gt 0 ]'
    fi
done

# Code past the alias window (tc_views.c): a jump chained into a block whose
# alias page a trim let go is written into the code's memfd with pwrite
# (session 27; before, the page was mapped again and first touched, 15-35
# us each under shadow paging).  The second pass's branches chain blocks
# of the first pass to new ones; a wrong write would run the wrong code.
# Once a second guest thread has started, patches are atomic stores again.
C=$W/cache-bigcode
native ./bigcode
for run in cold warm; do
    on "$C" ./bigcode
    same "bigcode $run"
    expect "bigcode $run writes chains into old code" '[ "$(stat_of chains_written)" -gt 0 ]'
done
native ./bigcode thread
on "$W/cache-bigcode-thread" ./bigcode thread
same "bigcode thread cold"
expect "bigcode thread stores chains" '[ "$(stat_of chains_written)" -eq 0 ] && [ "$(stat_of chains_patched)" -gt 0 ]'
on "$C" ./bigcode thread
same "bigcode thread warm"
expect "bigcode thread warm stores chains" '[ "$(stat_of chains_written)" -eq 0 ] && [ "$(stat_of chains_patched)" -gt 0 ]'

# A file larger than the map's window (bigcode's 11 MB) is read where it
# lies, through the map (session 43): a warm run reads the file with pread
# only for its header and key, where sessions 16-42 read its body's 64 KiB
# pieces into 30 slots of ferry's memory (a warm cc1 -O2 copied 55-180 MB
# that way from its 51 MB file).  Restored as before, output right.
# x86-64 only (qemu-user runs no strace of its guest), skipped without strace.
case "$FERRY" in
*qemu*) echo "SKIP tcache: body read through the map (x86-64 host only)" ;;
*)
    if command -v strace > /dev/null 2>&1; then
        native ./bigcode
        (cd "$W" && strace -f -y -o "$W/strace.log" -e trace=pread64 \
            $FERRY --stats -D "$W/stats" --tcache "$C" ./bigcode) > "$W/ferry.out" 2>&1
        echo "exit $?" >> "$W/ferry.out"
        same "bigcode warm, traced"
        reads=$(grep -c '\.ftc>' "$W/strace.log")
        expect "bigcode warm reads its body through the map ($reads preads of the file)" \
            '[ "$reads" -le 2 ] && [ "$(stat_of tcache_hits)" -gt 1000 ]'
    else
        echo "SKIP tcache: body read through the map (no strace)"
    fi ;;
esac

# Warm under RLIMIT_NOFILE 6 (no descriptor number left for ferry's own:
# the code's memfd is not kept), with descriptors 3 and 4 open too (as
# make's jobserver leaves them to a suite: one number free): output right.
# x86-64 only (qemu-user needs descriptors of its own), skipped without prlimit.
held() {
    (cd "$W" && if [ -n "${2:-}" ]; then exec 3< /dev/null 4< /dev/null; fi &&
        exec prlimit --nofile="$1" $FERRY --tcache "$C" ./bigcode wait < /dev/null) > "$W/ferry.out" 2>&1
    echo "exit $?" >> "$W/ferry.out"
}
case "$FERRY" in
*qemu*) echo "SKIP tcache: few descriptors (qemu-user needs its own)" ;;
*)
    if command -v prlimit > /dev/null 2>&1; then
        native ./bigcode wait < /dev/null
        held 6
        same "bigcode wait, no descriptor slot"
        held 6 busy
        same "bigcode wait, one number free"
    else
        echo "SKIP tcache: few descriptors (no prlimit)"
    fi ;;
esac

# The backend's host-feature choices are in the key (be_host_features):
# a run on a CPU without AVX (glibc's tunables hide it from ferry's own
# CPUID record; the x86-64 backend's vzeroupper code depends on it) must
# not take code translated where it was there.  x86-64 host with AVX only
# (the AArch64 build's choices are HWCAP bits no tunable hides).
case "$FERRY" in
*qemu*) echo "SKIP tcache: host features in the key (x86-64 host only)" ;;
*)
    if grep -qw avx /proc/cpuinfo; then
        C=$W/cache-features
        native ./prog a b
        on "$C" ./prog a b
        (export GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX; on "$C" ./prog a b)
        same "host features differ"
        expect "host features differ: no code from the other CPU's cache" '[ "$(stat_of tcache_hits)" -eq 0 ]'
    else
        echo "SKIP tcache: host features in the key (no AVX to hide)"
    fi ;;
esac

# The vDSO's blocks: while the cache is on the vDSO is mapped at a slot of
# the placed region (loader/ld_vdso.c), the same in every run, so a warm
# run of a program calling clock_gettime, time, gettimeofday and getcpu
# translates nothing (at an address the host chose, its vDSO blocks were
# translated in every run).
for p in vdso vdso-dyn; do
    C=$W/cache-$p
    native "./$p"
    on "$C" "./$p"
    same "$p cold"
    on "$C" "./$p"
    same "$p warm"
    expect "$p warm translates nothing" '[ "$(stat_of blocks_translated)" -eq 0 ]'
done

C=$W/cache-prog
native ./prog a b
f=$(cache_file "$C")
size=$(wc -c < "$f")
for how in truncate garble junk empty; do
    case $how in
    truncate) python3 -c "import os,sys; os.truncate(sys.argv[1], $size // 2)" "$f" ;;
    garble) python3 -c "
import sys
with open(sys.argv[1], 'r+b') as f:
    f.seek($size // 2); f.write(b'\xff' * 64)" "$f" ;;
    junk) head -c "$size" /dev/urandom > "$f" ;;
    empty) : > "$f" ;;
    esac
    on "$C" ./prog a b
    same "corrupt ($how)"
    [ $how = garble ] ||
        expect "corrupt ($how) loads nothing" '[ "$(stat_of tcache_loaded)" -eq 0 ]'
    on "$C" ./prog a b
    same "after corrupt ($how)"
    expect "after corrupt ($how) hits" '[ "$(stat_of tcache_hits)" -gt 0 ]'
    size=$(wc -c < "$f")
done

# Records garbled throughout (four int3 bytes every 509 bytes of the
# file's middle half): each record restored -- ahead, as this small file's
# are, or on use -- has its own hash checked first, so the damaged ones are
# translated again.  (Restoring ahead without that check ran the int3s:
# SIGTRAP, session 39.)
# The same for a large file (bigcode's 11 MB), read through the map and
# restored on use (session 40).
garble_throughout() {
    python3 -c "
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
for at in range(len(b) // 8, 5 * len(b) // 8, 509):
    b[at:at + 4] = b'\xcc' * 4
open(sys.argv[1], 'wb').write(b)" "$1"
}
C=$W/cache-garbled
on "$C" ./prog a b
on "$C" ./prog a b
garble_throughout "$(cache_file "$C")"
on "$C" ./prog a b
same "records garbled throughout"
expect "records garbled throughout: translated again, the rest restored" \
    '[ "$(stat_of blocks_translated)" -gt 0 ] && [ "$(stat_of tcache_ahead)" -gt 0 ]'
# The checksum's lanes in C (translator/tc_hash.c), as on a CPU without
# CRC-32C's instruction: SSE4.2 hidden by glibc's tunables (it is in the
# key too, so the file is one of its own).  Warm: restored, none stale;
# garbled throughout: the damaged records translated again, the rest
# restored.  x86-64 host only (no tunable hides an AArch64 HWCAP bit).
case "$FERRY" in
*qemu*) echo "SKIP tcache: checksum in C (x86-64 host only)" ;;
*)
    C=$W/cache-crc-c
    (export GLIBC_TUNABLES=glibc.cpu.hwcaps=-SSE4_2; on "$C" ./prog a b; on "$C" ./prog a b)
    same "checksum in C, warm"
    expect "checksum in C, warm: restored, none stale" \
        '[ "$(stat_of tcache_hits)" -gt 0 ] && [ "$(stat_of tcache_stale)" -eq 0 ]'
    garble_throughout "$(cache_file "$C")"
    (export GLIBC_TUNABLES=glibc.cpu.hwcaps=-SSE4_2; on "$C" ./prog a b)
    same "checksum in C, garbled throughout"
    expect "checksum in C, garbled throughout: translated again, the rest restored" \
        '[ "$(stat_of blocks_translated)" -gt 0 ] && [ "$(stat_of tcache_hits)" -gt 0 ]'
    ;;
esac
C=$W/cache-garbled-big
native ./bigcode
on "$C" ./bigcode
garble_throughout "$(cache_file "$C")"
on "$C" ./bigcode
same "large file's records garbled throughout"
expect "large file's records garbled throughout: translated again, the rest restored" \
    '[ "$(stat_of blocks_translated)" -gt 1000 ] && [ "$(stat_of tcache_hits)" -gt 1000 ]'
# A file between the copy's 2 MiB and the ahead window's 6 MiB (midcode's 4 MB,
# as the gcc driver's and as's) is mapped whole and restored ahead from the
# map (session 40): warm, nearly all restored ahead; garbled throughout,
# the damaged records translated again.
C=$W/cache-mid
native ./midcode
on "$C" ./midcode
on "$C" ./midcode
same "mapped file warm"
expect "mapped file warm restores ahead" '[ $(( $(stat_of tcache_ahead) * 2 )) -gt "$(stat_of tcache_hits)" ]'
garble_throughout "$(cache_file "$C")"
on "$C" ./midcode
same "mapped file's records garbled throughout"
expect "mapped file's records garbled throughout: translated again, the rest restored" \
    '[ "$(stat_of blocks_translated)" -gt 1000 ] && [ "$(stat_of tcache_ahead)" -gt 1000 ]'

# The file truncated while this process runs.  A small file (up to 2 MiB)
# was read whole at start-up (tcache.c file_in, session 30): the rest of
# the run still takes its records, nothing is translated again (until
# session 30 the file was mapped and the rest translated).
cp "$W/prog" "$W/prog-t"
C=$W/cache-trunc
: > "$W/scratch"
native ./prog-t truncate "$W/scratch"
on "$C" ./prog-t truncate "$W/scratch"
on "$C" ./prog-t truncate "$W/scratch"
warm=$(stat_of blocks_translated)
f=$(cache_file "$C")
on "$C" ./prog-t truncate "$f"
same "truncated while copied"
expect "truncated while copied: nothing translated again" '[ "$(stat_of blocks_translated)" -le $((warm + 2)) ] && [ "$(stat_of tcache_hits)" -gt 100 ]'
on "$C" ./prog-t truncate "$W/scratch"
same "after truncated while copied"
# A large file (bigcode's 11 MB) is mapped: records read after the
# truncation fault (SIGBUS) or come up short and are translated instead.
C=$W/cache-trunc-big
native ./bigcode truncate "$W/scratch"
on "$C" ./bigcode truncate "$W/scratch"
on "$C" ./bigcode truncate "$W/scratch"
warm=$(stat_of blocks_translated)
f=$(cache_file "$C")
on "$C" ./bigcode truncate "$f"
same "truncated while mapped"
expect "truncated while mapped: the rest translated" '[ "$(stat_of blocks_translated)" -gt $((warm + 1000)) ]'
on "$C" ./bigcode truncate "$W/scratch"
same "after truncated while mapped"

# The file's whole-file read at start-up coming up short (the file
# truncated between its fstat and that pread; strace injects the short
# return): the file is mapped instead, and the padding of ferry's data
# window it had claimed is given back (session 31; before, it stayed
# taken, and the translator's second table region, which takes the padding
# when it is free, mapped and cleared a huge page of its own: one more
# MADV_HUGEPAGE).  Counted with strace: the injected run advises fewer
# huge pages than a plain one (whose file holds the padding).  x86-64 only
# (qemu-user runs no strace of its guest), skipped without strace.
case "$FERRY" in
*qemu*) echo "SKIP tcache: short read gives the padding back (x86-64 host only)" ;;
*)
    if command -v strace > /dev/null 2>&1 && strace -o /dev/null -e inject=pread64:retval=0:when=1000 true 2> /dev/null; then
        C=$W/cache-short
        native ./first o thread
        on "$C" ./first o thread
        on "$C" ./first o thread
        size=$(wc -c < "$(cache_file "$C")")
        # traced: stdout and stderr to files, the strace log to $W/strace.log
        traced() {
            (cd "$W" && strace -f -o "$W/strace.log" -e trace=pread64,madvise "$@" \
                $FERRY --tcache "$C" ./first n thread) > "$W/ferry.out" 2>&1
            echo "exit $?" >> "$W/ferry.out"
        }
        traced
        n=$(grep -E '^[0-9]+ +pread64' "$W/strace.log" | grep -n "= $size\$" | head -1 | cut -d: -f1)
        plain=$(grep -c MADV_HUGEPAGE "$W/strace.log")
        native ./first n thread
        traced -e "inject=pread64:retval=1:when=${n:-1}"
        same "short read at start-up"
        injected=$(grep -c MADV_HUGEPAGE "$W/strace.log")
        expect "short read at start-up: the padding given back ($injected vs $plain huge pages)" \
            '[ -n "$n" ] && grep -q "INJECTED" "$W/strace.log" && [ "$injected" -lt "$plain" ]'
    else
        echo "SKIP tcache: short read gives the padding back (no strace with inject)"
    fi ;;
esac

# Huge pages a warm run clears (session 42): a process restoring every
# block from a small file (prog's, copied into the padding of ferry's data
# window) or from a file mapped whole (midcode's 4 MB, restored ahead)
# advises no more huge pages than the same program run without the cache
# (ferry's data window and the tables' first region; a 2 MiB clear costs
# ~0.3 ms here).  Before, the translation scratch made with the engine
# pushed the vCPU's jump cache out of the tables' first region into a huge
# page of its own (prog: 3 against 2), and a mapped file's staging buffer
# took another (midcode: 3 against 2).  Counted with strace: x86-64 only.
case "$FERRY" in
*qemu*) echo "SKIP tcache: warm huge pages (x86-64 host only)" ;;
*)
    if command -v strace > /dev/null 2>&1; then
        # huge_pages FERRY-ARGS...: MADV_HUGEPAGE calls of the run (output to $W/ferry.out)
        huge_pages() {
            (cd "$W" && strace -f -o "$W/strace.log" -e trace=madvise $FERRY "$@") > "$W/ferry.out" 2>&1
            echo "exit $?" >> "$W/ferry.out"
            grep -c MADV_HUGEPAGE "$W/strace.log"
        }
        for p in prog midcode; do
            C=$W/cache-huge-$p
            native "./$p" a b
            on "$C" "./$p" a b
            on "$C" "./$p" a b
            warm=$(huge_pages --tcache "$C" "./$p" a b)
            same "$p warm, huge pages counted"
            plain=$(huge_pages --no-tcache "./$p" a b)
            same "$p without the cache, huge pages counted"
            expect "$p warm: no huge page beyond an uncached run's ($warm vs $plain)" \
                '[ "$warm" -gt 0 ] && [ "$warm" -le "$plain" ]'
        done
    else
        echo "SKIP tcache: warm huge pages (no strace)"
    fi ;;
esac

# The size bound: an old file goes, the one just written stays.
C=$W/cache-bound
mkdir -p "$C" && chmod 700 "$C"
head -c 300000 /dev/zero > "$C/0123456789abcdef.ftc"
touch -d '2 days ago' "$C/0123456789abcdef.ftc"
native ./prog a b
on "$C" --tcache-size 200K ./prog a b
same "size bound"
[ -e "$C/0123456789abcdef.ftc" ] && bad "size bound: the old file is still there"
[ -n "$(cache_file "$C")" ] || bad "size bound: the new file is gone"
on "$C" ./prog a b
expect "size bound: the new file is used" '[ "$(stat_of tcache_hits)" -gt 0 ]'

# Off, three ways: no cache statistics, blocks_executed counted.
for how in "--tcache off" --no-tcache; do
    rm -f "$W/stats"
    (cd "$W" && $FERRY --stats -D "$W/stats" $how ./prog a b) > "$W/ferry.out" 2>&1
    echo "exit $?" >> "$W/ferry.out"
    same "$how"
    expect "$how: no cache" '! grep -q tcache_ "$W/stats" && grep -q blocks_executed "$W/stats"'
done
rm -f "$W/stats"
(cd "$W" && FERRY_TCACHE=off $FERRY --stats -D "$W/stats" ./prog a b) > "$W/ferry.out" 2>&1
echo "exit $?" >> "$W/ferry.out"
same "FERRY_TCACHE=off"
expect "FERRY_TCACHE=off: no cache" '! grep -q tcache_ "$W/stats"'

# Default directories (no --tcache, no $FERRY_TCACHE): $XDG_CACHE_HOME/ferry,
# the XDG directory made if missing; without XDG_CACHE_HOME, ~/.cache/ferry.
rm -rf "$W/xdg" "$W/home" && mkdir "$W/home"
(cd "$W" && env -u FERRY_TCACHE XDG_CACHE_HOME="$W/xdg" $FERRY ./prog a b) > "$W/ferry.out" 2>&1
echo "exit $?" >> "$W/ferry.out"
same "default: missing XDG_CACHE_HOME"
expect "default: \$XDG_CACHE_HOME/ferry made and filled" '[ -n "$(cache_file "$W/xdg/ferry")" ]'
(cd "$W" && env -u FERRY_TCACHE -u XDG_CACHE_HOME HOME="$W/home" $FERRY ./prog a b) > "$W/ferry.out" 2>&1
echo "exit $?" >> "$W/ferry.out"
same "default: HOME without .cache"
expect "default: ~/.cache/ferry made and filled" '[ -n "$(cache_file "$W/home/.cache/ferry")" ]'

# The same file (inode, size, mtime), other code: stale records, new output.
touch -r "$W/prog" "$W/stamp"
python3 - "$W/prog" <<'PY' || bad "changed code: magic() not found"
import sys
p = sys.argv[1]
b = open(p, 'rb').read()
old = bytes.fromhex('b867452301c3')
assert b.count(old) == 1
with open(p, 'r+b') as f:
    f.seek(b.index(old)); f.write(bytes.fromhex('b876543210c3'))
PY
touch -r "$W/stamp" "$W/prog"
native ./prog a b
grep -q 'magic 0x10325476' "$W/native.out" || bad "changed code: native still old"
on "$C" ./prog a b
same "changed code"
expect "changed code is stale" '[ "$(stat_of tcache_stale)" -gt 0 ]'

# Code identity (tc_codeid.c, tc_codeid_lib.c): the path, size and mtime
# of a program or library kept, its bytes not -- rewritten in place, or
# another file renamed over it -- and a program that rewrites its own
# text through mprotect.  Whatever the cache keys its records on, none of
# these may run a translation of the old bytes.
# rewrite FILE OLD NEW: FILE's one `mov $OLD, %eax` now moves NEW (hex, 4
# bytes little-endian as in the code), in place.
rewrite() {
    python3 - "$@" <<'PY'
import sys
p, old, new = sys.argv[1], bytes.fromhex(sys.argv[2]), bytes.fromhex(sys.argv[3])
b = open(p, 'rb').read()
old = b'\xb8' + old
assert b.count(old) == 1, p
with open(p, 'r+b') as f:
    f.seek(b.index(old) + 1); f.write(new)
PY
}
gcc -O2 -shared -fPIC -o "$W/libtcid.so" "$HERE/tc_codeid_lib.c" || exit 1
gcc -O2 -o "$W/codeid" "$HERE/tc_codeid.c" -L"$W" -ltcid -Wl,-rpath,'$ORIGIN' || exit 1
C=$W/cache-codeid
native ./codeid
for run in cold warm; do
    on "$C" ./codeid
    same "code identity $run"
done
expect "code identity warm hits" '[ "$(stat_of tcache_hits)" -gt 0 ]'
touch -r "$W/libtcid.so" "$W/stamp"
rewrite "$W/libtcid.so" ce8a4602 dd0c9e02 || bad "code identity: lib_magic not found"
touch -r "$W/stamp" "$W/libtcid.so"
native ./codeid
grep -q 'lib 0x29e0cdd' "$W/native.out" || bad "code identity: native library still old"
on "$C" ./codeid
same "library rewritten in place, same size and mtime"
expect "library rewritten in place is stale" '[ "$(stat_of tcache_stale)" -gt 0 ]'
# another program and another library at the same paths (renamed over
# them: new inodes), sizes and mtimes kept
for f in codeid libtcid.so; do
    cp "$W/$f" "$W/$f.new" && touch -r "$W/$f" "$W/stamp"
    case $f in
    codeid) rewrite "$W/$f.new" df7b3501 46e28a00 ;;
    *) rewrite "$W/$f.new" dd0c9e02 13579b00 ;;
    esac || bad "code identity: $f's constant not found"
    touch -r "$W/stamp" "$W/$f.new" && mv "$W/$f.new" "$W/$f"
    native ./codeid
    for run in 1 2; do
        on "$C" ./codeid
        same "another $f at the same path, run $run"
    done
done
grep -q 'main 0x8ae246 lib 0x9b5713' "$W/native.out" || bad "code identity: native not both renamed"
# the guest rewrites its own code: cold, warm, and once more (the record
# of either version must never stand for the other)
gcc -O2 -o "$W/codeid" "$HERE/tc_codeid.c" -L"$W" -ltcid -Wl,-rpath,'$ORIGIN' || exit 1
native ./codeid patch
grep -q 'patched main 0x7654321' "$W/native.out" || bad "code identity: native did not patch"
C=$W/cache-patch
for run in cold warm again; do
    on "$C" ./codeid patch
    same "code patched by the guest, $run"
done
expect "code patched by the guest: warm hits" '[ "$(stat_of tcache_hits)" -gt 0 ]'
# main_magic's page made writable and left so, its neighbour page run
# (hashed again), then main_magic stored into and called: no hash of the
# writable page taken with its neighbour's may stand for it after the
# store (session 36: pages are hashed 8 at a time, tcache.c group_hash)
native ./codeid rwx
grep -q 'rwx main 0x7654321' "$W/native.out" || bad "code identity: native rwx did not patch"
C=$W/cache-rwx
on "$C" ./codeid && on "$C" ./codeid
on "$C" ./codeid rwx
same "code stored into a page left writable, after its neighbour ran"
expect "code stored into a page left writable: warm hits" '[ "$(stat_of tcache_hits)" -gt 0 ]'

# Code changed within a run (jit_remap: mprotect, munmap+mmap, MAP_FIXED,
# mremap over code that ran), cold then warm with ASLR off so that the
# code's pages come back at the same addresses: the records of the first
# version hash right at first and must go stale after each change (the
# page memo, which also stands for the pages' stability since session 12,
# is forgotten at every mapping change).
gcc -static -O2 -pthread -o "$W/jit_remap" "$HERE/../guest/jit_remap.c" || exit 1
norand=""
setarch -R true 2>/dev/null && norand="setarch -R"
native $norand ./jit_remap
C=$W/cache-jit
for run in cold warm; do
    rm -f "$W/stats"
    (cd "$W" && $norand $FERRY --stats -D "$W/stats" --tcache "$C" ./jit_remap) > "$W/ferry.out" 2>&1
    echo "exit $?" >> "$W/ferry.out"
    same "code changed in a run, $run"
done
expect "code changed in a run: warm hits" '[ "$(stat_of tcache_hits)" -gt 0 ]'

# Four processes at once into one fresh cache, then a warm run.
native ./prog-pie a b
C=$W/cache-race
for k in 1 2 3 4; do
    (cd "$W" && $FERRY --tcache "$C" ./prog-pie a b > "$W/race$k.out" 2>&1; echo "exit $?" >> "$W/race$k.out") &
done
wait
for k in 1 2 3 4; do
    cmp -s "$W/native.out" "$W/race$k.out" && ok || bad "concurrent run $k differs"
done
on "$C" ./prog-pie a b
same "after concurrent"
expect "after concurrent hits" '[ "$(stat_of tcache_hits)" -gt 0 ]'
ls "$C" | grep -q '\.tmp$' && bad "concurrent: temporary file left"

# A cache directory that cannot be made.
: > "$W/plain"
on "$W/plain/sub" ./prog-pie a b
same "unusable directory"

# A directory whose parent is missing (the --tcache every exec'd program
# gets, after a chroot into a root without ~/.cache): both made; two
# missing levels are not (a path from outside the root): runs as without.
rm -rf "$W/deep"
on "$W/deep/ferry" ./prog-pie a b
same "missing parent"
expect "missing parent: made and filled" '[ -n "$(cache_file "$W/deep/ferry")" ]'
rm -rf "$W/deeper"
on "$W/deeper/a/ferry" ./prog-pie a b
same "two missing levels"
expect "two missing levels: nothing made" '[ ! -e "$W/deeper" ]'

# A full disk: the cache directory on a 64 KiB tmpfs in a user+mount
# namespace of its own (the mount goes with it), two runs in a row.
if unshare -Urm true 2>/dev/null; then
    native ./prog-dyn a b
    F=$W/full
    mkdir -p "$F"
    # inside: $1 the cache directory, $2 the work directory, the rest ferry
    unshare -Urm sh -c 'mount -t tmpfs -o size=64k,mode=700 ferry-tcache-full "$1" || exit 1
        F=$1 W=$2
        shift 2
        for r in 1 2; do
            (cd "$W" && "$@" --tcache "$F" ./prog-dyn a b) > "$W/full$r.out" 2>&1
            echo "exit $?" >> "$W/full$r.out"
        done
        ls -A "$F" > "$W/full.ls"' sh "$F" "$W" $FERRY || bad "full disk: no tmpfs in a user namespace"
    for r in 1 2; do
        cmp -s "$W/native.out" "$W/full$r.out" && ok || bad "full disk run $r differs"
    done
    [ -s "$W/full.ls" ] && bad "full disk: left $(cat "$W/full.ls")" || ok
else
    echo "tcache: full disk not tried: this kernel gives no user+mount namespace (SKIP)"
fi

echo "tcache: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
