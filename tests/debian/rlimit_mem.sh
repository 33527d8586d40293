# rlimit_mem.sh -- programs under `ulimit -v` and `ulimit -d`: set in a
# shell ferry runs (the guest's own limits, which its programs inherit
# across exec and which ferry's own memory does not count against), and
# set before ferry starts (ferry's memory then comes out of the hard
# limit: its code cache shrinks, the programs still run).
$RUN /bin/bash <<'SCRIPT'
ulimit -v 262144
/usr/bin/python3 -c 'b = bytearray(100 << 20); print(len(b))'
/usr/bin/python3 -c 'b = bytearray(300 << 20)' 2>&1 | tail -n 1
/usr/bin/perl -e '$x = "a" x (64 << 20); print length($x), "\n"'; echo "perl $?"
ulimit -v; ulimit -d
ulimit -S -d 65536
/usr/bin/python3 -c 'import resource as r; print(r.getrlimit(r.RLIMIT_AS), r.getrlimit(r.RLIMIT_DATA))'
/usr/bin/python3 -c 'b = bytearray(100 << 20)' 2>&1 | tail -n 1
grep -E '^Max (address space|data size)' /proc/self/limits
ulimit -S -d unlimited
/usr/bin/python3 -c 'b = bytearray(100 << 20); print(len(b))'
SCRIPT
echo "bash gave $?"
# 128 MiB (main's ferry needed 256); qemu-user's own JIT buffer (128 MiB)
# counts against the limit too when the AArch64 build runs under it
limit=131072
case "$RUN" in qemu-*) limit=393216 ;; esac
(
    ulimit -v $limit
    $RUN /bin/ls / > /dev/null; echo "ls under ulimit -v: $?"
    $RUN /usr/bin/python3 -c 'print(sum(range(1000)))'
    $RUN /usr/bin/sqlite3 :memory: 'select 6 * 7;'
)
# gcc -c under a hard limit set before ferry starts: the driver raises
# RLIMIT_STACK to 64 MiB for cc1, whose stack must not count whole
# (natively 48 MiB suffice; session 34's ferry needed 144, now 68)
glimit=98304
# under qemu-user the limit would have to hold qemu's own JIT buffer and more:
# not measured (one cold gcc -c there took 4 min at load 25), so no limit
case "$RUN" in qemu-*) glimit=unlimited ;; esac
echo 'int twice(int x) { return 2 * x; }' > rlimit_mem_x.c
(
    ulimit -v $glimit
    $RUN /usr/bin/gcc -c rlimit_mem_x.c -o rlimit_mem_x.o; echo "gcc -c under ulimit -v: $?"
)
rm -f rlimit_mem_x.c rlimit_mem_x.o
