/* process_vm.c -- process_vm_readv and process_vm_writev: scattered
 * iovecs on both sides, on the process itself and on a forked child whose
 * copy of a buffer differs, and the partial count or EFAULT at a remote or
 * local iovec that is not mapped (ferry cuts a vector of its own process
 * where the guest's memory ends).  ferry once answered ENOSYS (valgrind's
 * none/tests/process_vm_readv_writev).  Compared against a native run. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static char remote[16] = "ABCDEFGHIJ";

static void show(const char *what, long r, const char *buf)
{
    printf("%s: %ld%s%s buf \"%s\"\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "", buf);
}

/* Reads remote[1..2] and remote[4] into local[1] and local[3..4] of pid. */
static void read_from(pid_t pid, const char *what)
{
    char local[] = "123456";
    struct iovec l[2] = { { local + 1, 1 }, { local + 3, 2 } };
    struct iovec r[2] = { { remote + 1, 2 }, { remote + 4, 1 } };
    show(what, (long)process_vm_readv(pid, l, 2, r, 2, 0), local);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    read_from(getpid(), "readv self");
    char src[] = "wxyz";
    struct iovec l[1] = { { src, 3 } };
    struct iovec r[2] = { { remote + 2, 1 }, { remote + 6, 2 } };
    show("writev self", (long)process_vm_writev(getpid(), l, 1, r, 2, 0), remote);
    struct iovec bad[2] = { { remote, 2 }, { (void *)16, 4 } };
    char sink[8] = "";
    struct iovec ls[1] = { { sink, 6 } };
    show("readv, second remote iovec unmapped", (long)process_vm_readv(getpid(), ls, 1, bad, 2, 0), sink);
    char *gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(gone, 4096);
    struct iovec hole[2] = { { remote + 1, 3 }, { gone, 4 } };
    memset(sink, 0, sizeof sink);
    show("readv, second remote iovec a hole", (long)process_vm_readv(getpid(), ls, 1, hole, 2, 0), sink);
    show("writev, first remote iovec a hole", (long)process_vm_writev(getpid(), l, 1, hole + 1, 1, 0), remote);
    struct iovec lhole[2] = { { sink, 1 }, { gone, 4 } };
    show("readv, second local iovec a hole", (long)process_vm_readv(getpid(), lhole, 2, r, 2, 0), sink);
    int ready[2], go[2];            /* one pipe each way: neither end reads its own byte */
    if (pipe(ready) != 0 || pipe(go) != 0)
        return 1;
    pid_t pid = fork();
    if (pid == 0) {
        memcpy(remote, "child's!!!", 10);
        char c;
        if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
            _exit(1);
        printf("child sees: \"%s\"\n", remote);
        _exit(0);
    }
    char c;
    if (read(ready[0], &c, 1) != 1)
        return 1;
    read_from(pid, "readv child");
    show("writev child", (long)process_vm_writev(pid, l, 1, r, 2, 0), remote);
    if (write(go[1], "g", 1) != 1)
        return 1;
    int status;
    waitpid(pid, &status, 0);
    printf("child exit %d\n", WEXITSTATUS(status));
    show("readv of no process", (long)process_vm_readv(0x7ffffff0, l, 1, r, 1, 0), remote);
    return 0;
}
