# util_linux.sh -- util-linux and Python calls into syscalls ferry answered
# ENOSYS before: personality (setarch -R, gdb's "disable address space
# randomization"), splice/tee/vmsplice, preadv2/pwritev2, readahead,
# sync_file_range, mlockall/munlockall, pidfd_open.  With FERRY_LOG=unimpl
# (ignored natively) an unimplemented call shows on stderr.  Namespaces and
# RWF_* flags: unshare.sh.
export FERRY_LOG=unimpl
$RUN /usr/bin/setarch x86_64 -R cat /proc/self/personality
$RUN /usr/bin/setarch x86_64 --addr-no-randomize /bin/sh -c 'cat /proc/self/personality; echo $?'
printf 'abcdefghijklmnopqrstuvwxyz\n' > in.txt
$RUN /usr/bin/python3 -c '
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open("in.txt", os.O_RDONLY)
r, w = os.pipe()
print("splice", os.splice(fd, w, 10, offset_src=3))
r2, w2 = os.pipe()
print("tee", libc.tee(r, w2, 100, 0), os.read(r2, 100))
print("after tee", os.read(r, 100))
buf = ctypes.create_string_buffer(b"vmsplice!")
iov = (ctypes.c_void_p * 2)(ctypes.cast(buf, ctypes.c_void_p), 9)
print("vmsplice", libc.vmsplice(w, iov, 1, 0), os.read(r, 100))
b = bytearray(5)
print("preadv", os.preadv(fd, [b], 2), bytes(b))
out = os.open("out.txt", os.O_RDWR | os.O_CREAT, 0o644)
print("pwritev", os.pwritev(out, [b"hello ", b"world\n"], 0))
print("readahead", libc.readahead(fd, ctypes.c_long(0), ctypes.c_size_t(4096)))
print("sync_file_range", libc.sync_file_range(out, ctypes.c_long(0), ctypes.c_long(0), 2))
print("mlockall", libc.mlockall(1) == 0 or ctypes.get_errno() in (1, 11, 12), libc.munlockall())
p = os.pidfd_open(os.getpid())
print("pidfd_open", p > 2, os.waitid(os.P_PIDFD, p, os.WEXITED | os.WNOHANG) if False else "ok")
print(open("out.txt").read(), end="")
'
echo "python gave $?"
# The process is named after the program it runs (ps, pgrep, killall), as
# the kernel names it at exec: ferry sets its own name to the guest's.
# The child sleeps long and is looked for among this shell's children until
# it has exec'd (a slow machine must not make it end, or not yet be named,
# before pgrep looks).
$RUN /bin/sh -c 'cat /proc/$$/comm; ps -o comm= -p $$; sleep 600 & n=0
    until pgrep -x -P $$ sleep > /dev/null || [ $n -ge 600 ]; do sleep 0.1; n=$((n + 1)); done
    pgrep -x -P $$ sleep > /dev/null && echo "pgrep finds sleep"; kill $!'
