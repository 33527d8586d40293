# unshare.sh -- namespaces and mounts under ferry (ENOSYS before):
# unshare -Ur (CLONE_NEWUSER: the process must be single-threaded, and
# ferry runs no threads of its own), mount/umount2 of a tmpfs,
# sethostname/setdomainname in a UTS namespace; and preadv2/pwritev2 with
# RWF_* flags.  x86-64 build only (tests/tests.mk): qemu-user, which runs
# the AArch64 build here, is multithreaded (unshare -Ur fails with EINVAL)
# and refuses RWF flags.  Where the kernel refuses unprivileged user
# namespaces the script says so on stderr and does not run those cases.
export FERRY_LOG=unimpl
if unshare -Urmu true 2> /dev/null; then
    $RUN /usr/bin/unshare -Ur /usr/bin/id -u
    $RUN /usr/bin/unshare -Urm /bin/sh -c 'mount -t tmpfs none /mnt && echo in tmpfs > /mnt/f &&
        cat /mnt/f && umount /mnt && test ! -e /mnt/f && echo unmounted'
    $RUN /usr/bin/unshare -Uru /bin/sh -c 'hostname ferry.test && hostname && domainname dom.test && domainname'
    $RUN /usr/bin/unshare -Urpf --mount-proc /bin/sh -c 'echo "pid $$"; ps -o pid,comm --no-headers | head -1'
else
    echo "unshare.sh: unshare -Urmu is not permitted here: namespace cases not run" >&2
fi
printf 'abcdefghijklmnopqrstuvwxyz\n' > in.txt
$RUN /usr/bin/python3 -c '
import os
fd = os.open("in.txt", os.O_RDONLY)
b = bytearray(5)
print("preadv2", os.preadv(fd, [b], 2, os.RWF_HIPRI), bytes(b))
out = os.open("out.txt", os.O_RDWR | os.O_CREAT, 0o644)
print("pwritev2", os.pwritev(out, [b"hello ", b"world\n"], 0, os.RWF_DSYNC))
print(open("out.txt").read(), end="")
'
echo "python gave $?"
