# asan.sh -- AddressSanitizer programs (LeakSanitizer on, as gcc's
# default on x86-64) natively and under ferry ($RUN), through run-diff.sh.
# LeakSanitizer stops every thread with ptrace from a CLONE_VM child
# (syscalls/sys_ptrace.c).  Its reports carry pids and addresses, and the
# thread-creation frames differ (glibc's clone3 natively, clone under
# ferry), so only the verdict is compared: each program's stdout, its
# exit status, and the leak lines of its stderr with pids and addresses
# masked.  Binaries: make check-asan-x86_64 builds them in build/tests/asan.
bin=$SRCROOT/build/tests/asan
one() {
    $RUN "$@" > out 2> err
    st=$?
    echo "== $(basename "$1") $2: status $st"
    cat out
    sed -n 's/==[0-9]*==/==PID==/; s/0x[0-9a-f]*/ADDR/g
            /leak of\|SUMMARY\|fatal error\|does not work under ptrace\| in main \| in leaker /p' err
}
one "$bin/leak"
one "$bin/leak" x
one "$bin/threads"
one "$bin/threads" x
