/* push_run_fault.c -- a run of pushes (or pops) whose k-th access faults
 * leaves the CPU state of that instruction: rsp as after the accesses
 * before it, rip at it, the popped registers before it loaded, the
 * pushed words before it written and nothing of it.  ferry's x86-64
 * backend writes rsp once for such a run (translator/ir_stack_runs.c) and
 * its fault points add the left-out update back (IR_fault_sp).
 *
 * Each case maps a writable page between two others, one of them
 * PROT_NONE or read-only, puts rsp so that the access numbered `at` of
 * the run is the first to touch the bad page (at 6: none does), and runs
 * one asm block: six pushes, six pushes and `sub rsp, 0x28`, two pushes
 * and a call, or six pops.  The SIGSEGV handler (on an alternate stack)
 * prints si_code, si_addr and rsp relative to the page, rip relative to
 * the run's first instruction, the W bit and the registers the asm set;
 * then either leaves by siglongjmp ("jump") or makes the page writable and
 * returns ("fix"), so that the run goes on from the faulting instruction
 * as on the CPU.  Then the words around the page's edge (`..`: unreadable)
 * and the final rsp.  The native run is the oracle. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static long pg;
static unsigned char *area;             /* three pages */
static unsigned char *good;             /* area + pg */
static unsigned char *bad;              /* the page that faults */
static int fix_mode, faults;
static sigjmp_buf jump;
uint64_t push_run_target, push_run_saved, push_run_after;

/* Each run: rsp from push_run_target, registers rax..r11 set, the run,
 * rsp kept in push_run_after, the C stack back. */
#define SETUP                                                                   \
    "mov %%rsp, push_run_saved(%%rip)\n\t"                                      \
    "mov $0x1111111111111111, %%rax\n\tmov $0x2222222222222222, %%rcx\n\t"      \
    "mov $0x3333333333333333, %%rdx\n\tmov $0x4444444444444444, %%rsi\n\t"      \
    "mov $0x5555555555555555, %%rdi\n\tmov $0x6666666666666666, %%r8\n\t"       \
    "mov $0x7777777777777777, %%r9\n\tmov $0x0123456789abcdef, %%r10\n\t"        \
    "mov $0x0fedcba987654321, %%r11\n\t"                                        \
    "mov push_run_target(%%rip), %%rsp\n\t"
#define TEARDOWN                                                                \
    "mov %%rsp, push_run_after(%%rip)\n\t"                                      \
    "mov push_run_saved(%%rip), %%rsp\n\t"
#define RUN(name, body)                                                         \
    extern const char name##_at[];                                              \
    static __attribute__((noinline)) void name(void)                           \
    {                                                                           \
        __asm__ volatile(SETUP ".globl " #name "_at\n" #name "_at:\n\t" body    \
                         TEARDOWN                                               \
                         : : : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9",   \
                           "r10", "r11", "memory", "cc");                       \
    }

RUN(push6, "push %%rax\n\tpush %%rcx\n\tpush %%rdx\n\tpush %%rsi\n\tpush %%rdi\n\t"
           "push %%r8\n\t")
RUN(push6_sub, "push %%rax\n\tpush %%rcx\n\tpush %%rdx\n\tpush %%rsi\n\tpush %%rdi\n\t"
               "push %%r8\n\tsub $0x28, %%rsp\n\tmov %%r9, (%%rsp)\n\t")
RUN(push2_call, "push %%rax\n\tpush %%rcx\n\tcall 1f\n1:\tpop %%r9\n\tpush %%rdx\n\t"
                "push %%rsi\n\tpush %%rdi\n\t")
RUN(pop6, "pop %%rax\n\tpop %%rcx\n\tpop %%rdx\n\tpop %%rsi\n\tpop %%rdi\n\tpop %%r8\n\t")

struct kind {
    const char *name;
    void (*run)(void);
    const char *at;
    int pops;                           /* the bad page is above */
    int words;                          /* stack words the run touches */
};
static const struct kind kinds[] = {
    { "push6", push6, push6_at, 0, 6 },
    { "push6_sub", push6_sub, push6_sub_at, 0, 6 },
    { "push2_call", push2_call, push2_call_at, 0, 6 },
    { "pop6", pop6, pop6_at, 1, 6 },
};
static const struct kind *cur;

static const int gregs[] = { REG_RAX, REG_RCX, REG_RDX, REG_RSI, REG_RDI, REG_R8, REG_R9 };
static const char *const gnames[] = { "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9" };

static void on_fault(int sig, siginfo_t *info, void *ctx)
{
    ucontext_t *uc = ctx;
    greg_t *r = uc->uc_mcontext.gregs;
    faults++;
    printf("  fault %d: sig %d code %d addr %+ld W %d rip %+ld rsp %+ld", faults, sig,
           info->si_code, (long)((unsigned char *)info->si_addr - good),
           (int)(r[REG_ERR] >> 1 & 1), (long)(r[REG_RIP] - (greg_t)(uintptr_t)cur->at),
           (long)(r[REG_RSP] - (greg_t)(uintptr_t)good));
    for (unsigned k = 0; k < sizeof(gregs) / sizeof(gregs[0]); k++) {
        uint64_t v = (uint64_t)r[gregs[k]];
        /* r9 may hold the call's return address: relative to the run */
        if (gregs[k] == REG_R9 && v - (uint64_t)(uintptr_t)cur->at < 4096)
            printf(" %s=at%+ld", gnames[k], (long)(v - (uint64_t)(uintptr_t)cur->at));
        else
            printf(" %s=%016llx", gnames[k], (unsigned long long)v);
    }
    printf("\n");
    if (faults > 3 || !fix_mode)
        siglongjmp(jump, 1);
    mprotect(bad, (size_t)pg, PROT_READ | PROT_WRITE);
}

static int readable(const unsigned char *p) { return p < bad || p >= bad + pg; }

static void dump(int prot_bad)
{
    /* the 8 words each side of the good page's edge at the bad page */
    unsigned char *edge = cur->pops ? good + pg : good;
    printf("  mem:");
    for (unsigned char *p = edge - 64; p < edge + 64; p += 8) {
        uint64_t v;
        if (!readable(p) && prot_bad == PROT_NONE) {
            printf(" ..");
            continue;
        }
        memcpy(&v, p, 8);
        if (v - (uint64_t)(uintptr_t)cur->at < 4096)
            printf(" at%+ld", (long)(v - (uint64_t)(uintptr_t)cur->at));
        else
            printf(" %llx", (unsigned long long)v);
    }
    printf("\n");
}

static void one(const struct kind *k, int at, int fix, int prot_bad)
{
    area = mmap(NULL, (size_t)pg * 3, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED) {
        perror("mmap");
        return;
    }
    good = area + pg;
    bad = k->pops ? good + pg : area;
    for (long i = 0; i < pg * 3 / 8; i++) {
        uint64_t v = 0xa0a0a0a000000000ull | (uint64_t)i;
        memcpy(area + i * 8, &v, 8);
    }
    mprotect(bad, (size_t)pg, prot_bad);
    /* pushes: `at` of them fit above the good page's start; pops: `at`
     * words lie below its end */
    push_run_target = k->pops ? (uint64_t)(uintptr_t)(good + pg - 8 * at)
                              : (uint64_t)(uintptr_t)(good + 8 * at);
    cur = k;
    fix_mode = fix;
    faults = 0;
    push_run_after = 0;
    printf("%s at %d %s %s\n", k->name, at, fix ? "fix" : "jump",
           prot_bad == PROT_NONE ? "none" : "read");
    fflush(stdout);
    if (!sigsetjmp(jump, 1)) {
        k->run();
        printf("  done rsp %+ld\n", (long)((unsigned char *)(uintptr_t)push_run_after - good));
    } else {
        printf("  left\n");
    }
    dump(fix && faults ? PROT_READ : prot_bad);
    fflush(stdout);
    munmap(area, (size_t)pg * 3);
}

int main(void)
{
    pg = sysconf(_SC_PAGESIZE);
    static char alt[65536];
    stack_t ss = { .ss_sp = alt, .ss_size = sizeof(alt) };
    sigaltstack(&ss, NULL);
    struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_ONSTACK };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (unsigned k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
        for (int at = 0; at <= kinds[k].words; at++)
            for (int fix = 0; fix < 2; fix++)
                for (int prot = 0; prot < 2; prot++)
                    one(&kinds[k], at, fix, prot ? PROT_READ : PROT_NONE);
    return 0;
}
