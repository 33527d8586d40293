#!/usr/bin/env python3
"""pair.py ROUNDS CMD BIN1 BIN2 ...: paired, interleaved timing of ferry builds (session 31
warm3, kept in session 32): each round runs CMD once per binary, order rotated, and takes
user+sys of the whole process tree (wait4); prints each binary's median, the median of the
per-round ratios against BIN1, and the median minor faults.  CMD has {F} for the ferry binary."""
import os, sys, statistics, subprocess, shlex
rounds = int(sys.argv[1]); cmd = sys.argv[2]; bins = sys.argv[3:]
res = {b: [] for b in bins}; flt = {b: [] for b in bins}
for r in range(rounds):
    order = bins[r % len(bins):] + bins[:r % len(bins)]
    for b in order:
        c = cmd.replace('{F}', b)
        pid = os.fork()
        if pid == 0:
            fd = os.open('/dev/null', os.O_WRONLY); os.dup2(fd, 1)
            os.execv('/bin/sh', ['/bin/sh', '-c', c])
        _, st, ru = os.wait4(pid, 0)
        res[b].append((ru.ru_utime + ru.ru_stime) * 1000); flt[b].append(ru.ru_minflt)
base = bins[0]
for b in bins:
    ratios = [x / y for x, y in zip(res[b], res[base])]
    print(f"{b}: median {statistics.median(res[b]):.2f} ms  ratio {statistics.median(ratios):.4f}  minflt {statistics.median(flt[b]):.0f}")
print("load", open('/proc/loadavg').read().split()[:3])
