# util_linux.sh -- util-linux and Python calls into syscalls ferry answered
# ENOSYS before: personality (setarch -R, gdb's "disable address space
# randomization"), unshare/mount/umount2/sethostname/setdomainname (unshare
# -Ur, build sandboxes), splice/tee/vmsplice, preadv2/pwritev2, readahead,
# sync_file_range, mlockall/munlockall, pidfd_open.  With FERRY_LOG=unimpl
# (ignored natively) an unimplemented call shows on stderr.  The namespace
# cases need unprivileged user namespaces: where the kernel refuses them the
# script says so on stderr and does not run them (the same both ways).
export FERRY_LOG=unimpl
$RUN /usr/bin/setarch x86_64 -R cat /proc/self/personality
$RUN /usr/bin/setarch x86_64 --addr-no-randomize /bin/sh -c 'cat /proc/self/personality; echo $?'
if unshare -Urmu true 2> /dev/null; then
    $RUN /usr/bin/unshare -Ur /usr/bin/id -u
    $RUN /usr/bin/unshare -Urm /bin/sh -c 'mount -t tmpfs none /mnt && echo in tmpfs > /mnt/f &&
        cat /mnt/f && umount /mnt && test ! -e /mnt/f && echo unmounted'
    $RUN /usr/bin/unshare -Uru /bin/sh -c 'hostname ferry.test && hostname && domainname dom.test && domainname'
else
    echo "util_linux.sh: unshare -Urmu is not permitted here: namespace cases not run" >&2
fi
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
print("preadv2", os.preadv(fd, [b], 2, 0), bytes(b))
out = os.open("out.txt", os.O_RDWR | os.O_CREAT, 0o644)
print("pwritev2", os.pwritev(out, [b"hello ", b"world\n"], 0, os.RWF_DSYNC))
print("readahead", libc.readahead(fd, ctypes.c_long(0), ctypes.c_size_t(4096)))
print("sync_file_range", libc.sync_file_range(out, ctypes.c_long(0), ctypes.c_long(0), 2))
print("mlockall", libc.mlockall(1) == 0 or ctypes.get_errno() in (1, 11, 12), libc.munlockall())
p = os.pidfd_open(os.getpid())
print("pidfd_open", p > 2, os.waitid(os.P_PIDFD, p, os.WEXITED | os.WNOHANG) if False else "ok")
print(open("out.txt").read(), end="")
'
echo "python gave $?"
