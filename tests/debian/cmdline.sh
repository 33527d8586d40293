# cmdline.sh -- what other processes see of a translated program that a
# translated program exec'ed: /proc/PID/cmdline (ps, pgrep -f, pkill -f)
# is the guest's argv, not "ferry --tcache DIR ... -- PROG ARGS" (session
# 10: ferry re-executes itself under the guest's argv, its own words in
# FERRY_EXEC_PREFIX).  `tr` reads the cmdline of the shell that exec'ed
# into the program; `exec -a` gives an argv[0] other than the path.
# Not on the AArch64 build here: under qemu-user the new ferry starts
# through qemu-aarch64's command line (on AArch64 hardware it would not).
# The first process ferry starts shows the guest's argv too where the kernel
# takes prctl(PR_SET_MM_MAP) (syscalls/sys_proc_mm.c; not under qemu-user).
$RUN /usr/bin/sh -c 'exec /usr/bin/sh -c "tr \"\\\\000\" \"|\" < /proc/\$\$/cmdline; echo"'
$RUN /usr/bin/bash -c 'exec -a renamed /usr/bin/bash -c "tr \"\\\\000\" \"|\" < /proc/\$\$/cmdline; echo" a1 "a 2"'
$RUN /usr/bin/sh -c 'exec /usr/bin/python3 -c "import os; print(open(\"/proc/self/cmdline\", \"rb\").read().split(b\"\\0\"), os.getpid() == int(open(\"/proc/self/stat\").read().split()[0]))" x y'
