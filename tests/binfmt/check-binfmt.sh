#!/bin/sh
# check-binfmt.sh -- ferry registered with binfmt_misc runs x86-64 programs
# transparently, with the P flag (argv[0] preserved), compared with native
# runs.  Needs root (it mounts binfmt_misc if needed).  Only programs with
# the marker "FERRYT" in the unused e_ident padding (bytes 9..14) match the
# test-only entry, so native programs on this x86-64 host are not hijacked;
# the entry is removed on exit.
#
#   check-binfmt.sh /abs/path/to/ferry /abs/path/to/marked-program
set -u
ferry=$1 prog=$2
name=ferry-test-$$
tmp=$(mktemp -d)
mnt=/proc/sys/fs/binfmt_misc
mounted=""
cleanup() {
    [ -e "$mnt/$name" ] && echo -1 > "$mnt/$name"
    [ -n "$mounted" ] && umount "$mnt"
    rm -rf "$tmp"
}
trap cleanup EXIT
pass=0 fail=0
verdict() { if [ "$2" = 1 ]; then echo "PASS $1"; pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }

# Native runs first: the entry does not exist yet.
( cd "$(dirname "$prog")" && ./"$(basename "$prog")" one "two words" ) > "$tmp/native" 2>&1
echo "status $?" >> "$tmp/native"
"$prog" --cpu > "$tmp/native-cpu" 2>&1

if [ ! -e "$mnt/register" ]; then
    mount -t binfmt_misc binfmt_misc "$mnt" || { echo "FAIL cannot mount binfmt_misc"; exit 1; }
    mounted=1
fi
echo ":$name:M:9:FERRYT::$ferry:P" > "$mnt/register" || { echo "FAIL cannot register"; exit 1; }

( cd "$(dirname "$prog")" && ./"$(basename "$prog")" one "two words" ) > "$tmp/ferry" 2>&1
echo "status $?" >> "$tmp/ferry"
ok=0; cmp -s "$tmp/native" "$tmp/ferry" && ok=1
verdict "argv through binfmt_misc P flag" $ok
[ $ok = 1 ] || diff "$tmp/native" "$tmp/ferry" | sed 's/^/  /'
"$prog" --cpu > "$tmp/ferry-cpu" 2>&1
ok=0
grep -q '^cpu: ferry virtual x86-64 CPU' "$tmp/ferry-cpu" && ! grep -q ferry "$tmp/native-cpu" && ok=1
verdict "really translated (CPUID brand)" $ok
echo "check-binfmt: $pass passed, $fail failed"
[ "$fail" = 0 ]
