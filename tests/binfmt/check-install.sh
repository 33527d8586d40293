#!/bin/sh
# check-install.sh -- what `make install PREFIX=/usr DESTDIR=...` put in
# place, for an x86-64 host (DESTDIR x86_64/) and an AArch64 one
# (aarch64/): the files, the man pages (they render without warnings), the
# binfmt.d entry (AArch64 only; the kernel accepts it, checked in a user
# namespace's own binfmt_misc), and the installed ferry running a program
# with the same output and status as the native run.
#
#   check-install.sh INSTALL_OUT /abs/static-program "AARCH64 RUNNER"
set -u
out=$1 prog=$2 runner=$3
pass=0 fail=0
verdict() { if [ "$2" = 1 ]; then echo "PASS $1"; pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# has ROOT MODE FILE...: each file exists with that mode.
has() {
    root=$1 mode=$2
    shift 2
    for f in "$@"; do
        ok=0
        [ -f "$root$f" ] && [ "$(stat -c %a "$root$f")" = "$mode" ] && ok=1
        verdict "$(basename "$root"): $f (mode $mode)" $ok
    done
}
has "$out/x86_64" 755 /usr/bin/ferry /usr/bin/ferry-system
has "$out/x86_64" 644 /usr/share/man/man1/ferry.1 /usr/share/man/man1/ferry-system.1
ok=0; [ ! -e "$out/x86_64/usr/lib/binfmt.d" ] && ok=1
verdict "x86_64: no binfmt.d entry (it would catch native programs)" $ok
has "$out/aarch64" 755 /usr/bin/ferry
has "$out/aarch64" 644 /usr/share/man/man1/ferry.1 /usr/lib/binfmt.d/ferry-x86_64.conf

for page in "$out"/x86_64/usr/share/man/man1/*.1; do
    LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" > "$tmp/man" 2> "$tmp/man-err"
    st=$?
    ok=0
    [ $st = 0 ] && [ ! -s "$tmp/man-err" ] && grep -q '^NAME' "$tmp/man" && ok=1
    verdict "man -l $(basename "$page"): renders, no warnings" $ok
    [ $ok = 1 ] || sed 's/^/  /' "$tmp/man-err" | head -n 5
done

# The binfmt.d line: ":NAME:M::MAGIC:MASK:INTERPRETER:FLAGS".
conf=$out/aarch64/usr/lib/binfmt.d/ferry-x86_64.conf
line=$(grep -v '^#' "$conf")
ok=0
case $line in ':ferry-x86_64:M::\x7fELF\x02\x01\x01\x00'*':/usr/bin/ferry:POCF') ok=1 ;; esac
verdict "binfmt.d: ferry-x86_64, x86-64 ELF magic, /usr/bin/ferry, flags POCF" $ok
# The kernel accepts it: registered in a private binfmt_misc (interpreter
# the installed file; F opens it now).  Until it is removed every x86-64
# program in the namespace would go to ferry: only shell builtins run.
fixed=$(printf '%s' "$line" | sed "s|:/usr/bin/ferry:|:$(cd "$out/aarch64/usr/bin" && pwd)/ferry:|")
if unshare -Urm sh -c 'mount -t binfmt_misc b /proc/sys/fs/binfmt_misc' 2>/dev/null; then
    unshare -Urm sh -c '
        mount -t binfmt_misc b /proc/sys/fs/binfmt_misc || exit 3
        printf "%s" "$1" > /proc/sys/fs/binfmt_misc/register || exit 4
        while IFS= read -r l; do printf "%s\n" "$l"; done < /proc/sys/fs/binfmt_misc/ferry-x86_64
        echo -1 > /proc/sys/fs/binfmt_misc/ferry-x86_64' sh "$fixed" > "$tmp/entry" 2>&1
    ok=0
    grep -q '^flags: POCF$' "$tmp/entry" && grep -q '^magic 7f454c4602010100000000000000000002003e00$' "$tmp/entry" &&
        ok=1
    verdict "binfmt.d line accepted by the kernel (flags POCF, x86-64 magic)" $ok
    [ $ok = 1 ] || sed 's/^/  /' "$tmp/entry"
else
    echo "SKIP binfmt.d line registration: no binfmt_misc instance in a user namespace" \
         "(Linux $(uname -r); needs >= 6.7)"
fi

# The installed ferry runs a program as natively.
"$prog" installed run > "$tmp/native" 2>&1
echo "status $?" >> "$tmp/native"
for arch in x86_64 aarch64; do
    run=""
    [ "$arch" = aarch64 ] && run=$runner
    $run "$out/$arch/usr/bin/ferry" "$prog" installed run > "$tmp/ferry" 2>&1
    echo "status $?" >> "$tmp/ferry"
    ok=0; cmp -s "$tmp/native" "$tmp/ferry" && ok=1
    verdict "$arch: the installed ferry runs a program as natively" $ok
    [ $ok = 1 ] || diff "$tmp/native" "$tmp/ferry" | head -n 5 | sed 's/^/  /'
done

echo "check-install: $pass passed, $fail failed"
[ "$fail" = 0 ]
