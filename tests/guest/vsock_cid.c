/* vsock_cid.c -- Python's test_socket asks /dev/vsock for the local CID
 * (IOCTL_VM_SOCKETS_GET_LOCAL_CID) before its VSOCK tests: ENOTTY under
 * ferry skipped them.  Whether /dev/vsock exists is the host's; both runs
 * see the same.  (Not on the AArch64 build: qemu-user 7.2 answers ENOSYS
 * to ioctls it does not know.) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define IOCTL_VM_SOCKETS_GET_LOCAL_CID 0x7B9

int main(void)
{
    int fd = open("/dev/vsock", O_RDONLY | O_CLOEXEC);
    unsigned cid = 0;
    if (fd < 0) {
        printf("/dev/vsock: %s\n", strerror(errno));
        return 0;
    }
    int r = ioctl(fd, IOCTL_VM_SOCKETS_GET_LOCAL_CID, &cid);
    printf("IOCTL_VM_SOCKETS_GET_LOCAL_CID: %s\n", r == 0 ? "ok" : strerror(errno));
    close(fd);
    return 0;
}
