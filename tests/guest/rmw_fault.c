/* rmw_fault.c -- read-modify-write instructions whose store hits a
 * read-only page (issue 10, session 11 probes): the page fault (SIGSEGV,
 * SEGV_ACCERR, error 7, si_addr) comes with no register changed -- xadd's
 * source register keeps its value (ferry wrote it before the store),
 * cmpxchg faults whether or not the comparison succeeds (the CPU writes
 * either way), locked or not, cmpxchg8b/16b too; pop to such memory keeps
 * rsp.  The handler prints rax, rcx, rdx and rsp relative to the value the
 * asm block saved in rbx. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

static sigjmp_buf back;
static uint8_t *ro;

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    printf("  signal %d code %d at %+ld err %lld rax %llx rcx %llx rdx %llx rsp %+lld\n", sig,
           si->si_code, (long)((uint8_t *)si->si_addr - ro), (long long)g[REG_ERR],
           (unsigned long long)g[REG_RAX], (unsigned long long)g[REG_RCX],
           (unsigned long long)g[REG_RDX], (long long)(g[REG_RSP] - g[REG_RBX]));
    siglongjmp(back, 1);
}

/* asm text run with rax = 5, rcx = 7, rdx = 9, rdi = ro, rbx = rsp */
#define CASE(NAME, TEXT)                                                      \
    do {                                                                      \
        printf("%s\n", NAME);                                                 \
        fflush(stdout);                                                       \
        if (!sigsetjmp(back, 1)) {                                            \
            __asm__ volatile("mov $5, %%eax\n\tmov $7, %%ecx\n\tmov $9, %%edx\n\t" \
                             "mov %%rsp, %%rbx\n\t" TEXT                      \
                             : : "D"(ro)                                      \
                             : "rax", "rbx", "rcx", "rdx", "rsi", "memory", "cc"); \
            printf("  ran\n");                                                \
        }                                                                     \
    } while (0)

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ro == MAP_FAILED)
        return 1;
    memset(ro, 0x11, 4096);
    mprotect(ro, 4096, PROT_READ);
    CASE("xadd", "xaddq %%rcx, (%%rdi)");
    CASE("xadd 32", "xaddl %%ecx, 8(%%rdi)");
    CASE("lock xadd", "lock xaddq %%rcx, (%%rdi)");
    CASE("xchg", "xchgq %%rcx, (%%rdi)");
    CASE("cmpxchg unequal", "cmpxchgq %%rcx, (%%rdi)");
    CASE("cmpxchg equal", "movabs $0x1111111111111111, %%rax\n\tcmpxchgq %%rcx, (%%rdi)");
    CASE("lock cmpxchg unequal", "lock cmpxchgl %%ecx, (%%rdi)");
    CASE("cmpxchg8b unequal", "cmpxchg8b (%%rdi)");
    CASE("cmpxchg16b unequal", "cmpxchg16b (%%rdi)");
    CASE("bts", "btsq %%rcx, (%%rdi)");
    CASE("lock btc", "lock btcq %%rcx, 16(%%rdi)");
    CASE("bt (reads only)", "btq %%rcx, (%%rdi)");
    CASE("sete", "sete 3(%%rdi)");
    CASE("neg", "negw 2(%%rdi)");
    CASE("add", "addl %%ecx, (%%rdi)");
    CASE("pop", "pushq $3\n\tpopq (%%rdi)");
    CASE("rep movsb", "mov %%rdi, %%rsi\n\trep movsb");
    return 0;
}
