# pyregr.sh -- a few of Python's own regression tests (Debian's
# libpython3.11-testsuite), the ones that failed or were skipped only
# under ferry (session 11): posix_spawn with file actions that dup2 onto
# low numbers (the vfork child's pipe sat at 4), fd_status.py fstat()ing
# every number (ferry's own descriptors answered), epoll_wait over 1024
# events, fcntl F_NOTIFY with DN_MULTISHOT; and (session 12, the AArch64
# build under qemu-user) SigIgn after exec (tests/guest/sigign_exec.c), and
# the resource tracker started with SIGINT blocked and sent SIGINT at once
# (a pending signal across exec: tests/guest/sigpending_exec.c).  (/dev/vsock's ioctl, which
# qemu-user lacks: tests/guest/vsock_cid.c; the set*id hang needs
# regrtest's watchdog thread: tests/guest/setxid_threads.c.)
# Each test's verdict, sorted (unittest's own timing lines differ); the
# filter runs natively in both runs.  (test_time's clock_settime tests
# are left out: as root they set the host's clock.)
if [ ! -d /usr/lib/python3.11/test/subprocessdata ]; then
    echo "libpython3.11-testsuite not installed"
    exit 0
fi
$RUN /usr/bin/python3 -m unittest -v \
    test.test_fcntl test.test_posix.TestPosixSpawn \
    test.test_selectors.EpollSelectorTestCase.test_above_fd_setsize \
    test.test_subprocess.POSIXProcessTestCase.test_pass_fds \
    test.test_subprocess.POSIXProcessTestCase.test_pass_fds_redirected \
    test.test_subprocess.POSIXProcessTestCase.test_close_fds \
    test.test_subprocess.POSIXProcessTestCase.test_restore_signals \
    test.test_multiprocessing_fork.TestResourceTracker.test_resource_tracker_sigint > out 2>&1
echo "unittest gave $?"
/usr/bin/python3 -S -c '
import re, sys
verdicts = {}
text = open("out", errors="replace").read()
for m in re.finditer(r"^(\w+) \(([\w.]+)\)(?:\n[^\n]*?)?\s\.\.\.\s(.*?)$", text, re.M):
    r = m.group(3).strip()
    for key in ("ok", "FAIL", "ERROR", "skipped", "expected failure", "unexpected success"):
        if r == key or r.startswith(key + " ") or r.endswith(" " + key):
            verdicts[m.group(2)] = r if key == "skipped" else key
            break
    else:
        verdicts[m.group(2)] = "?"
for name in sorted(verdicts):
    print(name, verdicts[name])
print(len(verdicts), "tests")
'
