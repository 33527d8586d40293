#!/bin/sh
# check-dyn.sh -- dynamically linked programs under ferry, each compared
# with a native run (stdout, stderr, exit status):
#
#   check-dyn.sh "FERRY-COMMAND" DIR
#
# DIR (built by elf.mk) holds hello-pie and hello-nopie (interpreter
# /lib64/ld-linux-x86-64.so.2), sysroot-main, whose interpreter and library
# exist only under DIR/sysroot/ferry-sysroot-test/, and that sysroot.  The
# native oracle runs sysroot-main through the real ld.so with the sysroot's
# paths spelled out; ferry runs it with -L (or FERRY_LD_PREFIX) and the
# guest's own absolute paths.
set -u
ferry=$1 dir=$(cd "$2" && pwd)
ld=/lib64/ld-linux-x86-64.so.2
root=$dir/sysroot
t=/ferry-sysroot-test
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# run OUT "COMMAND": runs the shell command line into OUT.{out,err,st}
# (paths here have no spaces; quotes in COMMAND are the shell's).
run() {
    o=$1
    st=0
    eval "timeout -k 5 300 $2" > "$o.out" 2> "$o.err" < /dev/null || st=$?
    echo "$st" > "$o.st"
    grep -v '^qemu: uncaught target signal' "$o.err" > "$o.e2" || true
    mv "$o.e2" "$o.err"
}

verdict() { # NAME OK
    if [ "$2" = 1 ]; then
        echo "PASS $1"; pass=$((pass + 1))
    else
        echo "FAIL $1"; fail=$((fail + 1))
        for s in out err st; do
            cmp -s "$tmp/n.$s" "$tmp/f.$s" || { echo "  native $s:"; sed 's/^/  | /' "$tmp/n.$s" | head -5
                                              echo "  ferry $s:"; sed 's/^/  | /' "$tmp/f.$s" | head -5; }
        done
    fi
}

# same NAME "NATIVE COMMAND" "FERRY ARGUMENTS" [ENV=VALUE]
same() {
    run "$tmp/n" "$2"
    run "$tmp/f" "env ${4:-FERRY_TEST=1} $ferry $3"
    ok=1
    for s in out err st; do cmp -s "$tmp/n.$s" "$tmp/f.$s" || ok=0; done
    verdict "$1" $ok
}

same pie "$dir/hello-pie" "$dir/hello-pie"
same non-pie "$dir/hello-nopie" "$dir/hello-nopie"
same ld.so-direct "$ld $dir/hello-pie" "$ld $dir/hello-pie"
lib="--library-path $root$t/lib"
same sysroot-option "$ld $lib $dir/sysroot-main $root$t/data.txt" \
     "-L $root $dir/sysroot-main $t/data.txt"
same sysroot-env "$ld $lib $dir/sysroot-main $root$t/data.txt" \
     "$dir/sysroot-main $t/data.txt" "FERRY_LD_PREFIX=$root"
same sysroot-host-fallback "$ld $lib $dir/sysroot-main /dev/null" \
     "-L $root $dir/sysroot-main /dev/null"
# A guest shell (host /bin/sh: not in the sysroot) forks and execs a
# program by its sysroot path: -L is passed on across execve.
same sysroot-exec "sh -c '$ld $lib $root$t/bin/sysroot-main $root$t/data.txt; echo \$?'" \
     "-L $root /bin/sh -c '$t/bin/sysroot-main $t/data.txt; echo \$?'"

# A "#!" script given to ferry runs its interpreter (as the kernel would).
printf '#!/bin/sh -u\necho "script $0 has $# args: $*"\nexit 7\n' > "$tmp/script.sh"
chmod +x "$tmp/script.sh"
same script "$tmp/script.sh one two" "$tmp/script.sh one two"

# Without the sysroot the interpreter is missing: one line, status 127.
run "$tmp/f" "$ferry $dir/sysroot-main"
want="ferry: $dir/sysroot-main: cannot find interpreter $t/ld.so (No such file or directory)"
ok=0
[ "$(cat "$tmp/f.st")" = 127 ] && [ "$(cat "$tmp/f.err")" = "$want" ] && [ ! -s "$tmp/f.out" ] && ok=1
echo 127 > "$tmp/n.st"; echo "$want" > "$tmp/n.err"; : > "$tmp/n.out"
verdict missing-interpreter $ok

# ferry's vDSO (loader/vdso/) makes glibc's time functions real syscalls.
run "$tmp/f" "$ferry --strace /usr/bin/date -u -d @0"
ok=0
grep -q '^[0-9]* clock_gettime(' "$tmp/f.err" && grep -q 'Thu Jan  1 00:00:00 UTC 1970' "$tmp/f.out" && ok=1
echo "a clock_gettime line" > "$tmp/n.err"
verdict vdso-clock_gettime-syscall $ok

echo "check-dyn: $pass passed, $fail failed"
[ "$fail" = 0 ]
