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
# unprivileged user namespaces.
set -u
if [ "${1:-}" != --inner ]; then
    [ $# -ge 3 ] || { echo "usage: under-ferry.sh FERRY|--native DIR CMD [ARGS...]" >&2; exit 2; }
    handler=
    if [ "$1" != --native ]; then
        handler=$(mktemp /tmp/under-ferry-XXXXXX)
        trap 'rm -f "$handler"' EXIT
        cp "$1" "$handler" && chmod 755 "$handler" &&
            printf 'F' | dd of="$handler" bs=1 seek=9 conv=notrunc 2> /dev/null ||
            { echo "under-ferry.sh: cannot copy $1" >&2; exit 2; }
    fi
    shift
    unshare -Urm sh "$0" --inner "$handler" "$@"
    exit                        # not exec: the trap removes the copy
fi
handler=$2 dir=$3
shift 3
mnt=/proc/sys/fs/binfmt_misc
if ! mount -t binfmt_misc binfmt_misc "$mnt" 2> /dev/null || [ ! -e "$mnt/register" ]; then
    echo "under-ferry.sh: no binfmt_misc instance in a user namespace here (Linux $(uname -r); needs >= 6.7)" >&2
    exit 2
fi
if [ -n "$handler" ]; then
    magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00'
    mask='\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
    echo ":under-ferry:M::$magic:$mask:$handler:POCF" > "$mnt/register" ||
        { echo "under-ferry.sh: cannot register the binfmt_misc entry" >&2; exit 2; }
fi
cd "$dir" && "$@"
