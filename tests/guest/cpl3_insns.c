/* cpl3_insns.c -- what user mode (CPL 3) gets from instructions an outside
 * conformance program runs (issue 10, session 11 probes):
 *  - CPL 0 instructions (rdmsr, wrmsr, invd, wbinvd, clts, sysret, lgdt,
 *    lidt, lldt, ltr, lmsw, swapgs, invlpg, xsetbv, mov to/from control and
 *    debug registers): #GP, i.e. SIGSEGV with SI_KERNEL, trap 13, error 0;
 *  - a lock prefix capstone folds into F2/F3's group (lock crc32, lock
 *    popcnt) and on other forms that do not take it: #UD (SIGILL);
 *  - clflushopt and clwb run (CPUID 7 EBX bits 23, 24);
 *  - lret, lretq, lret $n and iretq back to 64-bit code run; a bad CS or SS
 *    selector is #GP with the selector as the error code;
 *  - int $4 is Linux's user-space overflow gate: SIGSEGV, trap 4, after the
 *    instruction, RF clear (other vectors: #GP with error n*8+2).
 * Each case runs from an executable buffer (rax points to scratch memory)
 * and prints the signal and its siginfo/ucontext fields, or "ran". */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>

#include "signal_cases.h"

static void on_signal(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    printf("  signal %d code %d addr %s trapno %lld err %lld rf %d\n", sig, si->si_code,
           si->si_addr ? "set" : "0", (long long)uc->uc_mcontext.gregs[REG_TRAPNO],
           (long long)uc->uc_mcontext.gregs[REG_ERR],
           (int)(uc->uc_mcontext.gregs[REG_EFL] >> 16 & 1));
    siglongjmp(back, 1);
}

struct encoding { const char *name; uint8_t bytes[8]; int len; };

static const struct encoding cases[] = {
    { "rdmsr", { 0x0f, 0x32 }, 2 },               { "wrmsr", { 0x0f, 0x30 }, 2 },
    { "invd", { 0x0f, 0x08 }, 2 },                { "wbinvd", { 0x0f, 0x09 }, 2 },
    { "clts", { 0x0f, 0x06 }, 2 },                { "sysret", { 0x0f, 0x07 }, 2 },
    { "lgdt (rax)", { 0x0f, 0x01, 0x10 }, 3 },    { "lidt (rax)", { 0x0f, 0x01, 0x18 }, 3 },
    { "lldt ax", { 0x0f, 0x00, 0xd0 }, 3 },       { "ltr ax", { 0x0f, 0x00, 0xd8 }, 3 },
    { "lmsw ax", { 0x0f, 0x01, 0xf0 }, 3 },       { "swapgs", { 0x0f, 0x01, 0xf8 }, 3 },
    { "invlpg (rax)", { 0x0f, 0x01, 0x38 }, 3 },  { "xsetbv", { 0x0f, 0x01, 0xd1 }, 3 },
    { "mov cr0, rax", { 0x0f, 0x20, 0xc0 }, 3 },  { "mov rbx, cr3", { 0x0f, 0x22, 0xd8 }, 3 },
    { "mov cr8, rax", { 0x44, 0x0f, 0x20, 0xc0 }, 4 },
    { "mov dr0, rax", { 0x0f, 0x21, 0xc0 }, 3 },  { "mov rax, dr7", { 0x0f, 0x23, 0xf8 }, 3 },
    { "lock crc32b (rax)", { 0xf0, 0xf2, 0x0f, 0x38, 0xf0, 0x00 }, 6 },
    { "lock crc32l eax", { 0xf0, 0xf2, 0x0f, 0x38, 0xf1, 0xc0 }, 6 },
    { "lock popcnt (rax)", { 0xf0, 0xf3, 0x0f, 0xb8, 0x00 }, 5 },
    { "lock add eax, eax", { 0xf0, 0x01, 0xc0 }, 3 },
    { "lock mov (rax), eax", { 0xf0, 0x89, 0x00 }, 3 },
    { "lock add (rax), eax", { 0xf0, 0x01, 0x00 }, 3 },
    { "clflushopt (rax)", { 0x66, 0x0f, 0xae, 0x38 }, 4 },
    { "clwb (rax)", { 0x66, 0x0f, 0xae, 0x30 }, 4 },
    { "clflush (rax)", { 0x0f, 0xae, 0x38 }, 3 },
    { "int $4", { 0xcd, 0x04 }, 2 },             { "int $5", { 0xcd, 0x05 }, 2 },
    { "int $1", { 0xcd, 0x01 }, 2 },             { "int $0xfd", { 0xcd, 0xfd }, 2 },
    { "int $3", { 0xcd, 0x03 }, 2 },             { "hlt", { 0xf4 }, 1 },
};

static uint64_t scratch[8] __attribute__((aligned(64)));

/* movabs $scratch, %rax; <bytes>; ret */
static void run_bytes(uint8_t *buf, const struct encoding *e)
{
    uint64_t addr = (uint64_t)(uintptr_t)scratch;
    buf[0] = 0x48, buf[1] = 0xb8;
    memcpy(buf + 2, &addr, 8);
    memcpy(buf + 10, e->bytes, (size_t)e->len);
    buf[10 + e->len] = 0xc3;
    printf("%s\n", e->name);
    fflush(stdout);
    if (!sigsetjmp(back, 1)) {
        ((void (*)(void))buf)();
        printf("  ran\n");
    }
}

static void far_returns(void)
{
    uint64_t r = 0;
    printf("lretq to 0x33\n");
    __asm__ volatile("pushq $0x33\n\tlea 1f(%%rip), %%rax\n\tpushq %%rax\n\tlretq\n"
                     "\tmovl $1, %k0\n1:\n\taddl $2, %k0" : "+r"(r) : : "rax", "memory");
    printf("  r %llu\n", (unsigned long long)r);
    printf("lretq $16\n");
    __asm__ volatile("sub $16, %%rsp\n\tpushq $0x33\n\tlea 1f(%%rip), %%rax\n\tpushq %%rax\n"
                     "\tlretq $16\n1:\n\taddl $3, %k0" : "+r"(r) : : "rax", "memory");
    printf("  r %llu\n", (unsigned long long)r);
    printf("lret (32-bit slots) to 0x33\n");
    if ((uintptr_t)&far_returns >> 32)          /* PIE: the offset does not fit */
        r += 4;
    else __asm__ volatile("sub $8, %%rsp\n\tlea 1f(%%rip), %%rax\n\tmovl %%eax, (%%rsp)\n"
                     "\tmovl $0x33, 4(%%rsp)\n\tlretl\n1:\n\taddl $4, %k0"
                     : "+r"(r) : : "rax", "memory");
    printf("  r %llu\n", (unsigned long long)r);
    printf("iretq with CF DF AC set\n");
    uint64_t fl = 0;
    __asm__ volatile("mov %%rsp, %%rax\n\tpushq $0x2b\n\tpushq %%rax\n\tpushq $0x40603\n"
                     "\tpushq $0x33\n\tlea 1f(%%rip), %%rax\n\tpushq %%rax\n\tiretq\n"
                     "1:\n\tpushfq\n\tpopq %0\n\tcld\n\tpushfq\n\tandq $~0x40000, (%%rsp)\n\tpopfq"
                     : "=r"(fl) : : "rax", "memory", "cc");
    printf("  flags %#llx\n", (unsigned long long)(fl & 0x40cd5));
}

static void bad_selectors(void)
{
    static const uint64_t sels[] = { 0x43, 0x2b, 0, 0x30 };
    for (unsigned i = 0; i < sizeof sels / sizeof sels[0]; i++) {
        printf("lretq to %#llx\n", (unsigned long long)sels[i]);
        fflush(stdout);
        if (!sigsetjmp(back, 1)) {
            __asm__ volatile("pushq %0\n\tlea 1f(%%rip), %%rax\n\tpushq %%rax\n\tlretq\n1:"
                             : : "r"(sels[i]) : "rax", "memory");
            printf("  ran\n");
        }
    }
    printf("iretq with SS 0x33\n");
    fflush(stdout);
    if (!sigsetjmp(back, 1)) {
        __asm__ volatile("mov %%rsp, %%rax\n\tpushq $0x33\n\tpushq %%rax\n\tpushfq\n"
                         "\tpushq $0x33\n\tlea 1f(%%rip), %%rax\n\tpushq %%rax\n\tiretq\n1:"
                         : : : "rax", "memory");
        printf("  ran\n");
    }
}

int main(void)
{
    signal_cases_catch(on_signal, (const int[]){ SIGSEGV, SIGILL, SIGBUS, SIGTRAP }, 4);
    uint8_t *buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED)
        return 1;
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_bytes(buf, &cases[i]);
    far_returns();
    bad_selectors();
    return 0;
}
