#!/bin/sh
# under-ferry.sh -- run one command with EVERY x86-64 program it starts
# translated by ferry, on an x86-64 host: a user+mount namespace gets its own
# binfmt_misc instance (Linux >= 6.7) with an entry that catches all x86-64
# ELF executables (QEMU's magic and mask, as `ferry --binfmt register`), so
# make, the shell, the test driver and the package's programs all run under
# ferry; the host's entries are never touched.  Used to run GNU packages'
# `make check` under ferry (docs/status.md, "GNU packages' test suites");
# not part of `make check` (a whole suite takes minutes to hours).
#
# The entry would catch ferry itself (an x86-64 static PIE) and loop, so the
# handler is a copy of ferry with a marker in its e_ident padding (byte 9):
# the entry's mask wants those bytes zero, Linux's ELF loader ignores them.
#
#   under-ferry.sh FERRY DIR CMD [ARGS...]      run CMD in DIR, all under FERRY
#   under-ferry.sh --native DIR CMD [ARGS...]   the same namespace, no entry
# FERRY_TCACHE etc. pass through the environment.  Needs root or
# unprivileged user namespaces; run by root, uids and gids 0-65535 are
# mapped as themselves (a command may drop to another user).
#
# FERRY may be the AArch64 build (build/aarch64/ferry): a second entry then
# sends AArch64 ELF files (QEMU's magic and mask) to a marked copy of
# qemu-aarch64 (QEMU_AARCH64, default `qemu-aarch64` on PATH), so every x86-64
# program runs as qemu-aarch64 ferry PROGRAM.  That entry has no O or C flag
# (the kernel refuses a second binfmt level under one that opened the file)
# and neither has the x86-64 one: qemu-user hides AT_EXECFD and the P flag's
# AT_FLAGS from ferry, so argv[0] is the program's path there.
set -u
if [ "${1:-}" != --inner ]; then
    [ $# -ge 3 ] || { echo "usage: under-ferry.sh FERRY|--native DIR CMD [ARGS...]" >&2; exit 2; }
    handler= runner=
    if [ "$1" != --native ]; then
        handler=$(mktemp /tmp/under-ferry-XXXXXX)
        trap 'rm -f "$handler" ${runner:+"$runner"}' EXIT
        cp "$1" "$handler" && chmod 755 "$handler" ||
            { echo "under-ferry.sh: cannot copy $1" >&2; exit 2; }
        # e_machine 0xb7 (EM_AARCH64): the AArch64 build, run by qemu-aarch64
        # (its copy is not marked: the AArch64 entry wants the padding zero).
        if [ "$(od -An -tx1 -j18 -N1 "$1" | tr -d ' ')" != b7 ]; then
            printf 'F' | dd of="$handler" bs=1 seek=9 conv=notrunc 2> /dev/null ||
                { echo "under-ferry.sh: cannot mark $handler" >&2; exit 2; }
        else
            qemu=$(command -v "${QEMU_AARCH64:-qemu-aarch64}") ||
                { echo "under-ferry.sh: no qemu-aarch64 for the AArch64 build" >&2; exit 2; }
            runner=$(mktemp /tmp/under-ferry-qemu-XXXXXX)
            cp "$qemu" "$runner" && chmod 755 "$runner" &&
                printf 'F' | dd of="$runner" bs=1 seek=9 conv=notrunc 2> /dev/null ||
                { echo "under-ferry.sh: cannot copy $qemu" >&2; exit 2; }
        fi
    fi
    shift
    # Real root maps the first 65,536 uids and gids as themselves, so a
    # build may drop to another user inside (deb-sweep.sh builds as a
    # non-root user, as Debian's buildds do); otherwise uid 0 alone.
    # (written here: unshare's --map-users needs newuidmap, not installed).
    if [ "$(id -u)" = 0 ]; then
        exec 3<&0               # (an asynchronous list's stdin is /dev/null)
        unshare -Um sh -c 'until [ "$(id -u)" = 0 ]; do sleep 0.01; done
            exec sh "$@"' sh "$0" --inner "$handler" "$runner" "$@" <&3 3<&- &
        exec 3<&-
        ns=$! me=$(readlink /proc/self/ns/user)
        while [ "$(readlink /proc/$ns/ns/user)" = "$me" ]; do sleep 0.01; done
        echo "0 0 65536" > /proc/$ns/gid_map && echo "0 0 65536" > /proc/$ns/uid_map ||
            { kill $ns; echo "under-ferry.sh: cannot map the namespace's users" >&2; exit 2; }
        wait $ns
        exit
    fi
    unshare -Urm sh "$0" --inner "$handler" "$runner" "$@"
    exit                        # not exec: the trap removes the copy
fi
handler=$2 runner=$3 dir=$4
shift 4
mnt=/proc/sys/fs/binfmt_misc
if ! mount -t binfmt_misc binfmt_misc "$mnt" 2> /dev/null || [ ! -e "$mnt/register" ]; then
    echo "under-ferry.sh: no binfmt_misc instance in a user namespace here (Linux $(uname -r); needs >= 6.7)" >&2
    exit 2
fi
if [ -n "$handler" ]; then
    magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00'
    mask='\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
    flags=POCF
    if [ -n "$runner" ]; then
        a64='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
        a64mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
        echo ":under-ferry-a64:M::$a64:$a64mask:$runner:F" > "$mnt/register" ||
            { echo "under-ferry.sh: cannot register the qemu-aarch64 entry" >&2; exit 2; }
        flags=F
    fi
    echo ":under-ferry:M::$magic:$mask:$handler:$flags" > "$mnt/register" ||
        { echo "under-ferry.sh: cannot register the binfmt_misc entry" >&2; exit 2; }
fi
cd "$dir" && "$@"
