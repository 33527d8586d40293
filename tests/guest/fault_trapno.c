/* fault_trapno.c -- what a signal handler learns about a fault, as Linux
 * fills it in: signal, si_code, si_addr, and the ucontext's REG_TRAPNO,
 * REG_ERR (the page-fault error code: present, write, user, fetch bits)
 * and REG_RIP.  Loads and stores to unmapped, read-only and PROT_NONE
 * pages (SEGV_MAPERR vs SEGV_ACCERR), jumps to a page without PROT_EXEC
 * and to an unmapped one, int3, icebp (#DB), ud2, a privileged hlt, rdpmc (CR4.PCE is
 * clear), int $0x41, a
 * division by zero, and rep string instructions running into an unmapped
 * page (rcx/rsi/rdi at the faulting element).  Addresses are printed relative to what they should
 * be (they differ between runs). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

__asm__(".text\n"
        "ft_load: mov (%rdi), %rax\n\tret\n"
        "ft_store: movq $1, (%rdi)\n\tret\n"
        "ft_call: call *%rdi\n\tret\n"
        "ft_int3: int3\n\tret\n"
        "ft_ud2: ud2\n\tret\n"
        "ft_hlt: hlt\n\tret\n"
        "ft_rdpmc: xor %ecx, %ecx\nft_rdpmc_insn: rdpmc\n\tret\n"
        "ft_icebp: .byte 0xf1\nft_icebp_after: ret\n"
        "ft_int41: int $0x41\n\tret\n"
        "ft_div: xor %edx, %edx\n\tmov $1, %eax\nft_div_insn: div %rdi\n\tret\n");
extern char ft_rdpmc[], ft_rdpmc_insn[], ft_icebp[], ft_icebp_after[];
extern char ft_load[], ft_store[], ft_call[], ft_int3[], ft_ud2[], ft_hlt[], ft_int41[],
    ft_div[], ft_div_insn[];

static sigjmp_buf back;
static struct { int sig, code; uint64_t addr, trapno, err, rip, rcx, rsi, rdi; } seen;

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    const greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    seen.sig = sig;
    seen.code = si->si_code;
    seen.addr = (uint64_t)si->si_addr;
    seen.trapno = (uint64_t)g[REG_TRAPNO];
    seen.err = (uint64_t)g[REG_ERR];
    seen.rip = (uint64_t)g[REG_RIP];
    seen.rcx = (uint64_t)g[REG_RCX];
    seen.rsi = (uint64_t)g[REG_RSI];
    seen.rdi = (uint64_t)g[REG_RDI];
    siglongjmp(back, 1);
}

/* Runs fn(arg); prints the fault with si_addr relative to `addr` and rip
 * relative to `rip`. */
static void run(const char *name, void (*fn)(uint64_t), uint64_t arg, uint64_t addr, uint64_t rip)
{
    memset(&seen, 0, sizeof seen);
    if (!sigsetjmp(back, 1)) {
        fn(arg);
        printf("%-14s no fault\n", name);
        return;
    }
    printf("%-14s sig %d code %#x trapno %llu err %#llx addr %+lld rip %+lld\n", name, seen.sig,
           seen.code, (unsigned long long)seen.trapno, (unsigned long long)seen.err,
           (long long)(seen.addr - addr), (long long)(seen.rip - rip));
}

#define FN(p) ((void (*)(uint64_t))(void *)(p))

/* rep TEXT with rsi, rdi, rcx; prints the fault and the registers
 * relative to where they started. */
#define REP(name, TEXT, S, D, N)                                                  \
    do {                                                                          \
        memset(&seen, 0, sizeof seen);                                            \
        if (!sigsetjmp(back, 1)) {                                                \
            uint64_t s_ = (S), d_ = (D), n_ = (N);                                \
            __asm__ volatile(TEXT : "+S"(s_), "+D"(d_), "+c"(n_) : "a"(0x41) : "memory", "cc"); \
            printf("%-14s no fault\n", name);                                     \
        } else {                                                                  \
            printf("%-14s sig %d code %#x trapno %llu err %#llx addr %+lld rcx %llu " \
                   "rsi %+lld rdi %+lld\n", name, seen.sig, seen.code,            \
                   (unsigned long long)seen.trapno, (unsigned long long)seen.err,  \
                   (long long)(seen.addr - hole), (unsigned long long)seen.rcx,    \
                   (long long)(seen.rsi - (S)), (long long)(seen.rdi - (D)));      \
        }                                                                         \
    } while (0)

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);

    long pg = sysconf(_SC_PAGESIZE);
    uint8_t *m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint64_t gone = (uint64_t)m, ro = gone + pg, none = ro + pg, nx = none + pg;
    munmap((void *)gone, pg);
    mprotect((void *)ro, pg, PROT_READ);
    mprotect((void *)none, pg, PROT_NONE);
    ((uint8_t *)nx)[0] = 0xc3;                  /* ret, on a page without PROT_EXEC */

    run("load_unmapped", FN(ft_load), gone + 8, gone + 8, (uint64_t)ft_load);
    run("store_unmapped", FN(ft_store), gone + 16, gone + 16, (uint64_t)ft_store);
    run("load_ro", FN(ft_load), ro, ro, (uint64_t)ft_load);
    run("store_ro", FN(ft_store), ro + 24, ro + 24, (uint64_t)ft_store);
    run("load_none", FN(ft_load), none + 8, none + 8, (uint64_t)ft_load);
    run("store_none", FN(ft_store), none, none, (uint64_t)ft_store);
    run("exec_nx", FN(ft_call), nx, nx, nx);
    run("exec_unmapped", FN(ft_call), gone, gone, gone);
    run("exec_none", FN(ft_call), none + 16, none + 16, none + 16);
    run("int3", FN(ft_int3), 0, 0, (uint64_t)ft_int3 + 1);
    run("ud2", FN(ft_ud2), 0, (uint64_t)ft_ud2, (uint64_t)ft_ud2);
    run("hlt", FN(ft_hlt), 0, 0, (uint64_t)ft_hlt);
    run("rdpmc", FN(ft_rdpmc), 0, 0, (uint64_t)ft_rdpmc_insn);
    run("icebp", FN(ft_icebp), 0, (uint64_t)ft_icebp_after, (uint64_t)ft_icebp_after);
    run("int41", FN(ft_int41), 0, 0, (uint64_t)ft_int41);
    run("div0", FN(ft_div), 0, (uint64_t)ft_div_insn, (uint64_t)ft_div_insn);
    /* a hole between two mapped pages, for rep instructions running into it */
    uint8_t *w = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint64_t hole = (uint64_t)w + pg, above = hole + pg;
    munmap((void *)hole, pg);
    static uint8_t buf[256];
    memset(buf, 7, sizeof buf);
    REP("rep_movsb_w", "rep movsb", (uint64_t)buf, hole - 40, 100);
    REP("rep_movsq_r", "rep movsq", hole - 24, (uint64_t)buf, 10);
    REP("rep_stosb_w", "rep stosb", 0, hole - 3, 64);
    REP("rep_stosl_w", "rep stosl", 0, hole - 8, 9);
    REP("rep_lodsw_r", "rep lodsw", hole - 6, 0, 20);
    REP("repe_cmpsb_r", "repe cmpsb", hole - 5, hole - 5, 20);
    REP("std_movsb_w", "std\n\trep movsb\n\tcld", (uint64_t)buf + 200, above + 50, 100);
    mprotect((void *)nx, pg, PROT_READ | PROT_EXEC);
    run("exec_after_mprotect", FN(ft_call), nx, 0, 0);
    return 0;
}
