/* fault_kernel_half.c -- faults at the top of the user half and in the
 * kernel half: a jump to, a load from and a store to each address.  Linux
 * (x86 mm/fault.c) reports user-mode faults at or above TASK_SIZE_MAX
 * (0x7ffffffff000 with 4-level paging) with P set in the error code,
 * whatever the page tables hold, and si_code SEGV_MAPERR; below it P says
 * whether the page is mapped.  (The last user page, 0x7ffffffff000, is
 * left out: with 5-level paging it is an ordinary user address.)  The loads' values are dead (overwritten at
 * once): the load must fault anyway.  Prints signal, si_code, si_addr,
 * REG_TRAPNO, REG_ERR, and RIP (the target, or the faulting instruction
 * relative to its function). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

/* rdi: the address; each function faults at its label. */
__asm__(".text\n"
        "kh_load:\n\t" "mov (%rdi), %rax\n\t" "xor %eax, %eax\n\t" "ret\n"
        "kh_load32:\n\t" "movl 8(%rdi), %eax\n\t" "mov $1, %eax\n\t" "ret\n"
        "kh_cmp:\n\t" "cmpq $1, (%rdi)\n\t" "cmp %rdi, %rdi\n\t" "ret\n"
        "kh_store:\n\t" "movq $1, (%rdi)\n\t" "ret\n"
        "kh_jump:\n\t" "jmp *%rdi\n");
extern char kh_load[], kh_load32[], kh_cmp[], kh_store[], kh_jump[];

static sigjmp_buf back;
static const char *fn_start;
static uint64_t addr_base;      /* si_addr is printed relative to it */

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    const greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    const char *rip = (const char *)g[REG_RIP];
    printf(" sig %d code %d addr %#llx trap %lld err %#llx", sig, si->si_code,
           (unsigned long long)((uint64_t)si->si_addr - addr_base), (long long)g[REG_TRAPNO],
           (unsigned long long)g[REG_ERR]);
    if ((uint64_t)(rip - fn_start) < 64)
        printf(" rip=fn+%d\n", (int)(rip - fn_start));
    else
        printf(" rip=%#llx\n", (unsigned long long)rip);
    siglongjmp(back, 1);
}

static void try(const char *name, char *fn, uint64_t addr)
{
    printf("%s %#llx:", name, (unsigned long long)addr);
    fflush(stdout);
    fn_start = fn;
    if (!sigsetjmp(back, 1)) {
        ((void (*)(uint64_t))(void *)fn)(addr);
        printf(" no fault\n");
    }
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (none == MAP_FAILED || hole == MAP_FAILED)
        return 1;
    munmap(hole, 4096);
    const uint64_t addrs[] = {
        0xffff800000000000ull, 0xffffffff81000000ull, 0xffffffffff700000ull,
        0xfffffffffffff000ull,
    };
    for (size_t k = 0; k < sizeof addrs / sizeof addrs[0]; k++) {
        try("jump", kh_jump, addrs[k]);
        try("load", kh_load, addrs[k]);
        try("load32", kh_load32, addrs[k]);
        try("cmp", kh_cmp, addrs[k]);
        try("store", kh_store, addrs[k]);
    }
    /* Below TASK_SIZE_MAX: P from the mapping (printed relative). */
    const char *names[] = { "PROT_NONE", "hole" };
    char *pages[] = { none, hole };
    for (int k = 0; k < 2; k++) {
        printf("%s:", names[k]);
        addr_base = (uint64_t)pages[k];
        fn_start = kh_load;
        if (!sigsetjmp(back, 1))
            ((void (*)(char *))(void *)kh_load)(pages[k]);
        printf("%s cmp:", names[k]);
        fn_start = kh_cmp;
        if (!sigsetjmp(back, 1))
            ((void (*)(char *))(void *)kh_cmp)(pages[k]);
    }
    return 0;
}
