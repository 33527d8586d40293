#!/bin/sh
# check-binfmt.sh -- `ferry --binfmt register|status|unregister` and ferry
# as binfmt_misc's handler, compared with native runs, inside a user and
# mount namespace with its own binfmt_misc instance (Linux >= 6.7), so the
# host's entries are never touched.  The test entry matches only programs
# with the marker "FERRYT" in the unused e_ident padding (bytes 9..14;
# --binfmt-magic), so no program of this x86-64 host is caught.  Checked:
#   - P flag: argv[0] preserved; the CPUID brand shows ferry ran it;
#   - FERRY_* / QEMU_* variables turn tracing on for binfmt-started programs;
#   - an exec chain of marked programs;
#   - O flag: an execute-only (0711) program run by another user (AT_EXECFD);
#   - C flag: a setuid program gets its credentials and AT_SECURE, as natively;
#   - --persistent (F flag): marked programs run and exec each other inside
#     a chroot that holds no ferry and no /proc;
#   - the AArch64 build as the handler: the kernel starts it through a
#     second entry for AArch64 ELF files naming qemu-aarch64 (what Debian's
#     qemu-user-binfmt registers on an x86-64 machine); see the end.
# As root the namespace maps uids 0..65535 (the O and C checks need a
# second user); otherwise `unshare -Urm` maps only the caller, and those
# checks say they are skipped.  Without a binfmt_misc instance of its own
# (older kernels, no user namespaces) the whole test says so and passes.
#
#   check-binfmt.sh /abs/ferry /abs/marked-dynamic /abs/marked-static /abs/busybox ["AARCH64 FERRY CMD"]
# The AArch64 build: its commands under its runner, and as the handler.
set -u
if [ "${1:-}" != --inner ]; then
    self=$0
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    chmod 755 "$tmp"
    probe='mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc && [ -e /proc/sys/fs/binfmt_misc/register ]'
    if [ "$(id -u)" = 0 ]; then
        # unshare(1) maps one uid without newuidmap: write the maps ourselves.
        mkfifo "$tmp/go"
        unshare -U -m sh -c 'read _ < "$1"; shift; exec sh "$@"' sh "$tmp/go" \
            "$self" --inner full "$tmp" "$@" &
        pid=$!
        me=$(readlink /proc/$$/ns/user)
        n=0                     # waits for unshare itself; 5 min only guards a hang
        while [ "$(readlink /proc/$pid/ns/user)" = "$me" ] && [ $n -lt 6000 ]; do sleep 0.05; n=$((n + 1)); done
        echo '0 0 65536' > /proc/$pid/uid_map && echo '0 0 65536' > /proc/$pid/gid_map
        echo go > "$tmp/go"
        wait $pid
        exit
    fi
    if ! unshare -Urm sh -c "$probe" 2>/dev/null; then
        echo "SKIP check-binfmt: no binfmt_misc instance in a user namespace here" \
             "(Linux $(uname -r); needs >= 6.7 and unprivileged user namespaces)"
        exit 0
    fi
    unshare -Urm sh "$self" --inner single "$tmp" "$@"
    exit
fi

# --- inside the namespace ----------------------------------------------------
mapping=$2 tmp=$3 ferry=$4 prog=$5 sprog=$6 busybox=$7 a64=${8:-}
mnt=/proc/sys/fs/binfmt_misc
name=ferry-test
pass=0 fail=0
verdict() { if [ "$2" = 1 ]; then echo "PASS $1"; pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }
skip() { echo "SKIP $1"; }
if ! mount -t binfmt_misc binfmt_misc "$mnt" 2>/dev/null || [ ! -e "$mnt/register" ]; then
    echo "SKIP check-binfmt: no binfmt_misc instance in a user namespace here" \
         "(Linux $(uname -r); needs >= 6.7)"
    exit 0
fi
echo "binfmt_misc: this namespace's own instance (Linux $(uname -r), uid map: $mapping)"
fb() { "$ferry" --binfmt "$@" --binfmt-name "$name"; }
cd "$tmp"
cp "$prog" ./prog
chmod 755 ./prog
cp "$prog" ./xonly
chmod 0711 ./xonly
# A setuid program owned by uid 1000 (natively: euid 1000, AT_SECURE 1).
if [ "$mapping" = full ]; then
    cp "$prog" ./suid
    chown 1000:1000 ./suid
    chmod 4711 ./suid
fi
mkdir -p root
cp "$sprog" root/sprog
cp "$busybox" root/busybox

# run NAME CMD...: output and status of CMD into $tmp/NAME.
run() { out=$1; shift; "$@" > "$tmp/$out" 2>&1; echo "status $?" >> "$tmp/$out"; }
same() {
    ok=0
    cmp -s "$tmp/$2" "$tmp/$3" && ok=1
    verdict "$1" $ok
    [ $ok = 1 ] || diff "$tmp/$2" "$tmp/$3" | head -n 10 | sed 's/^/  /'
}
as_user() { setpriv --reuid=1000 --regid=1000 --clear-groups "$@"; }

# Native runs first: nothing is registered yet.
run n-argv ./prog one "two words"
# argv[0] other than the path: only the P flag keeps it (bash's exec -a).
run n-argv0 bash -c 'exec -a "other name" ./prog x'
run n-chain ./prog --exec ./prog chained "a b"
[ "$mapping" = full ] && run n-xonly as_user ./xonly run by another user
[ "$mapping" = full ] && run n-suid ./suid --ids
run n-chroot chroot root /sprog --exec /sprog in the chroot
# The guest's RLIMIT_AS: started under a lowered soft limit, and lowered
# before an exec the kernel runs itself (F flag, no /proc in the chroot).
run n-limits sh -c 'ulimit -v 300000; exec ./prog --limits'
run n-chroot-lim chroot root /sprog --lim-exec 400000 /sprog --limits

# status / register / status / register again
fb status > "$tmp/st" 2>&1
st=$?
ok=0; [ $st = 1 ] && grep -q "^$name: not registered" "$tmp/st" && ok=1
verdict "--binfmt status before: not registered, status 1" $ok
fb register --binfmt-magic 9:FERRYT > "$tmp/reg" 2>&1
st=$?
fb status > "$tmp/st" 2>&1
ok=0
[ $st = 0 ] && grep -q "interpreter $ferry\$" "$tmp/st" && grep -q 'flags: POC$' "$tmp/st" && ok=1
verdict "--binfmt register: entry with interpreter $ferry, flags POC" $ok
[ $ok = 1 ] || sed 's/^/  /' "$tmp/reg" "$tmp/st"
fb register --binfmt-magic 9:FERRYT > "$tmp/reg2" 2>&1
st=$?
ok=0; [ $st != 0 ] && [ "$(wc -l < "$tmp/reg2")" = 1 ] && ok=1
verdict "--binfmt register twice: one line, non-zero" $ok

# P flag, translation, tracing through the environment
run f-argv ./prog one "two words"
same "argv through binfmt_misc (P flag) as natively" n-argv f-argv
run f-argv0 bash -c 'exec -a "other name" ./prog x'
same "argv[0] other than the path kept (P flag) as natively" n-argv0 f-argv0
./prog --cpu > "$tmp/cpu" 2>&1
ok=0; grep -q '^cpu: ferry virtual x86-64 CPU' "$tmp/cpu" && ok=1
verdict "really translated (CPUID brand)" $ok
run f-chain ./prog --exec ./prog chained "a b"
same "exec chain of binfmt-started programs as natively" n-chain f-chain
run f-limits sh -c 'ulimit -v 300000; exec ./prog --limits'
same "started under ulimit -v: the guest's RLIMIT_AS as natively" n-limits f-limits
QEMU_STRACE=1 ./prog traced > "$tmp/out" 2> "$tmp/err"
ok=0; grep -q '^argv\[1\] = traced$' "$tmp/out" && grep -q 'exit_group(2)' "$tmp/err" && ok=1
verdict "QEMU_STRACE=1: system calls traced on stderr" $ok
FERRY_LOG=strace FERRY_LOG_FILENAME="$tmp/log" ./prog logged > "$tmp/out" 2> "$tmp/err"
ok=0; grep -q 'exit_group(2)' "$tmp/log" && [ ! -s "$tmp/err" ] && ok=1
verdict "FERRY_LOG=strace FERRY_LOG_FILENAME=FILE: trace in FILE" $ok

# O and C flags
if [ "$mapping" = full ]; then
    run f-xonly as_user ./xonly run by another user
    same "execute-only (0711) program of another user (O flag, AT_EXECFD)" n-xonly f-xonly
    run f-suid ./suid --ids
    same "setuid program: credentials and AT_SECURE (C flag)" n-suid f-suid
    QEMU_LOG_FILENAME="$tmp/suid-log" QEMU_STRACE=1 ./suid --ids > /dev/null 2>&1
    ok=0; [ ! -e "$tmp/suid-log" ] && ok=1
    verdict "setuid program: QEMU_*/FERRY_* variables ignored (AT_SECURE)" $ok
else
    skip "execute-only and setuid programs: only uid $(id -u) is mapped (run as root for them)"
fi

# unregister
fb unregister > "$tmp/un" 2>&1
st=$?
fb status > /dev/null 2>&1
st2=$?
ok=0; [ $st = 0 ] && [ $st2 = 1 ] && [ ! -e "$mnt/$name" ] && ok=1
verdict "--binfmt unregister: entry gone" $ok
fb unregister > "$tmp/un2" 2>&1
st=$?
ok=0; [ $st != 0 ] && [ "$(wc -l < "$tmp/un2")" = 1 ] && ok=1
verdict "--binfmt unregister when not registered: one line, non-zero" $ok

# --persistent (F): ferry opened now, then used in a chroot without it
fb register --persistent --binfmt-magic 9:FERRYT > "$tmp/reg" 2>&1
ok=0; grep -q 'flags: POCF$' "$mnt/$name" && ok=1
verdict "--binfmt register --persistent: flags POCF" $ok
run f-chroot chroot root /sprog --exec /sprog in the chroot
same "F flag: chroot without ferry and /proc, exec chain as natively" n-chroot f-chroot
run f-chroot-lim chroot root /sprog --lim-exec 400000 /sprog --limits
same "F flag: RLIMIT_AS lowered before the kernel's exec, as natively" n-chroot-lim f-chroot-lim
chroot root /sprog --exec /sprog --cpu > "$tmp/cpu" 2>&1
ok=0; grep -q '^cpu: ferry virtual x86-64 CPU' "$tmp/cpu" && ok=1
verdict "F flag: the exec'd program in the chroot ran translated" $ok
fb unregister > /dev/null 2>&1

# --- the AArch64 build's commands (under its runner) ---------------------------
# The kernel cannot start the AArch64 build as the handler here (it would
# need a qemu-aarch64 entry, and qemu-user hides the P flag and AT_EXECFD
# from its guest), but its register/status/unregister write and read the
# same entries: compared with the x86-64 build's, interpreter aside.
if [ -n "$a64" ]; then
    fa() { $a64 --binfmt "$@" --binfmt-name "$name-a64"; }
    fa status > "$tmp/st" 2>&1
    st=$?
    ok=0; [ $st = 1 ] && grep -q "^$name-a64: not registered" "$tmp/st" && ok=1
    verdict "AArch64 build: --binfmt status before: not registered, status 1" $ok
    fb register --binfmt-magic 9:FERRYT > /dev/null 2>&1
    fa register --binfmt-magic 9:FERRYT > "$tmp/reg" 2>&1
    st=$?
    fa status > "$tmp/st" 2>&1
    sed 's|^interpreter .*|interpreter|' "$mnt/$name" > "$tmp/e-x86"
    sed 's|^interpreter .*|interpreter|' "$mnt/$name-a64" > "$tmp/e-a64" 2> /dev/null
    ok=0
    [ $st = 0 ] && grep -q "interpreter ${a64##* }\$" "$tmp/st" && cmp -s "$tmp/e-x86" "$tmp/e-a64" && ok=1
    verdict "AArch64 build: --binfmt register: the x86-64 build's entry, its own interpreter" $ok
    [ $ok = 1 ] || { sed 's/^/  /' "$tmp/reg" "$tmp/st"; diff "$tmp/e-x86" "$tmp/e-a64" | sed 's/^/  /'; }
    fb unregister > /dev/null 2>&1
    fa register --binfmt-magic 9:FERRYT > "$tmp/reg2" 2>&1
    st=$?
    ok=0; [ $st != 0 ] && [ "$(wc -l < "$tmp/reg2")" = 1 ] && ok=1
    verdict "AArch64 build: --binfmt register twice: one line, non-zero" $ok
    fa unregister > "$tmp/un" 2>&1
    st=$?
    fa status > /dev/null 2>&1
    st2=$?
    ok=0; [ $st = 0 ] && [ $st2 = 1 ] && [ ! -e "$mnt/$name-a64" ] && ok=1
    verdict "AArch64 build: --binfmt unregister: entry gone" $ok
    # The real x86-64 entry (no marker): refused by the x86-64 build (it
    # would take every program of this host), taken by the AArch64 one.
    # Once it is in, every x86-64 program here -- qemu-aarch64 too -- goes
    # to the AArch64 ferry, so it is read and removed with shell builtins.
    fb register > "$tmp/reg-x86" 2>&1
    st=$?
    ok=0; [ $st != 0 ] && grep -q 'refused on an x86-64 host' "$tmp/reg-x86" && [ ! -e "$mnt/$name" ] && ok=1
    verdict "x86-64 build: --binfmt register of the x86-64 magic refused on this host" $ok
    fa register > "$tmp/reg-a64" 2>&1
    st=$?
    flags=
    if [ -e "$mnt/$name-a64" ]; then
        while read -r k v; do [ "$k" = flags: ] && flags=$v; done < "$mnt/$name-a64"
        echo -1 > "$mnt/$name-a64"
    fi
    ok=0; [ $st = 0 ] && [ "$flags" = POC ] && [ ! -e "$mnt/$name-a64" ] && ok=1
    verdict "AArch64 build: --binfmt register of the x86-64 magic taken (flags POC)" $ok
    [ $ok = 1 ] || sed 's/^/  /' "$tmp/reg-a64"
fi

# --- the AArch64 build as the handler ------------------------------------------
# No AArch64 machine here, so a second entry hands AArch64 ELF files to
# qemu-aarch64, as Debian's qemu-user-binfmt does on an x86-64 machine
# (flags POF: argv[0] kept; qemu reads its program through AT_EXECFD, so
# it needs no path in a chroot; opened now).  The kernel then runs marked
# programs through two entries: ferry's names the AArch64 ferry, which
# qemu's entry runs.  What this cannot show, and why:
#   - O and C on ferry's entry (AT_EXECFD, execute-only and setuid
#     programs): the kernel refuses a second interpreter level under an
#     entry that opened the program (fs/exec.c, ENOEXEC; checked below);
#   - AT_FLAGS: qemu-user gives its guest 0, so the P entry runs ferry
#     through a link named *-binfmt-P, which says P too (docs/binfmt.md);
#   - QEMU_* variables: qemu-aarch64 takes them for itself.
qemu=
[ -n "$a64" ] && qemu=$(command -v "${a64%% *}")
if [ -n "$qemu" ]; then
    a64ferry=${a64##* }
    qname=$name-qemu-aarch64
    amagic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
    amask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
    entry() { printf '%s' ":$1:M:$2:$3:$4:$5:$6" > "$mnt/register"; }
    drop() { [ -e "$mnt/$1" ] && echo -1 > "$mnt/$1"; }
    # The chroot: the static marked program, and qemu's own libraries (a
    # dynamic qemu-aarch64 needs them there; ferry is static).
    mkdir -p root-a64
    cp "$sprog" root-a64/sprog
    for lib in $(ldd "$qemu" 2>/dev/null | grep -o '/[^ ]*'); do cp -L --parents "$lib" root-a64/; done
    run n-chroot-a64 chroot root-a64 /sprog --exec /sprog in the chroot
    ok=0; entry "$qname" "" "$amagic" "$amask" "$qemu" POF && ok=1
    verdict "AArch64 handler: qemu-aarch64 entry for AArch64 ELF files (flags POF)" $ok

    # No flags: argv[0] becomes the program's path.
    entry "$name-a64" 9 FERRYT "" "$a64ferry" ""
    run a-argv ./prog one "two words"
    same "AArch64 handler, no flags: argv as natively" n-argv a-argv
    ./prog --cpu > "$tmp/cpu" 2>&1
    ok=0; grep -q '^cpu: ferry virtual x86-64 CPU' "$tmp/cpu" && ok=1
    verdict "AArch64 handler: really translated (CPUID brand)" $ok
    drop "$name-a64"

    # P and F, through the -binfmt-P link.
    ln -s "$a64ferry" "$tmp/ferry-binfmt-P"
    entry "$name-a64" 9 FERRYT "" "$tmp/ferry-binfmt-P" PF
    run a-argv0 bash -c 'exec -a "other name" ./prog x'
    same "AArch64 handler, P flag: argv[0] other than the path as natively" n-argv0 a-argv0
    run a-chain ./prog --exec ./prog chained "a b"
    same "AArch64 handler: exec chain as natively" n-chain a-chain
    FERRY_LOG=strace FERRY_LOG_FILENAME="$tmp/a-log" ./prog logged > "$tmp/out" 2> "$tmp/err"
    ok=0; grep -q 'exit_group(2)' "$tmp/a-log" && [ ! -s "$tmp/err" ] && grep -q '^argv\[1\] = logged$' "$tmp/out" && ok=1
    verdict "AArch64 handler: FERRY_LOG=strace FERRY_LOG_FILENAME=FILE: trace in FILE" $ok
    run a-chroot chroot root-a64 /sprog --exec /sprog in the chroot
    same "AArch64 handler, F flag: chroot without ferry and /proc, exec chain as natively" \
        n-chroot-a64 a-chroot
    chroot root-a64 /sprog --exec /sprog --cpu > "$tmp/cpu" 2>&1
    ok=0; grep -q '^cpu: ferry virtual x86-64 CPU' "$tmp/cpu" && ok=1
    verdict "AArch64 handler, F flag: the exec'd program in the chroot ran translated" $ok
    drop "$name-a64"

    # O under qemu's entry: the kernel's refusal, said; a kernel that
    # allowed it would get the execute-only check here.
    entry "$name-a64" 9 FERRYT "" "$tmp/ferry-binfmt-P" PO
    run a-open ./prog one "two words"
    if grep -q '^status 126$' "$tmp/a-open"; then
        skip "AArch64 handler, O and C flags: Linux $(uname -r) refuses a second binfmt_misc level (qemu's) under an entry that opened the program (ENOEXEC); they need AArch64 hardware"
    else
        same "AArch64 handler, O flag: argv as natively" n-argv a-open
    fi
    drop "$name-a64"
    drop "$qname"
fi

echo "check-binfmt: $pass passed, $fail failed"
[ "$fail" = 0 ]
