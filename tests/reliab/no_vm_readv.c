/* no_vm_readv.c -- runs a command under a seccomp filter that makes
 * process_vm_readv fail with ENOSYS, as where it is not implemented
 * (qemu-user): ferry's fetch must then answer from its guest map alone.
 *   no_vm_readv CMD [ARGS...]
 * A host program (built for the host ferry runs on, not a guest). */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_process_vm_readv, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
    if (argc < 2) {
        fprintf(stderr, "usage: no_vm_readv CMD [ARGS...]\n");
        return 2;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
        perror("no_vm_readv: seccomp");
        return 2;
    }
    execvp(argv[1], argv + 1);
    perror("no_vm_readv: exec");
    return 127;
}
