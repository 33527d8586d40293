/* twobyte_sys.c -- the two-byte opcodes of system programming that user
 * mode (CPL 3, 64-bit) still meets, each compared with the CPU:
 *  - sldt/str/smsw (0f 00 /0 /1, 0f 01 /4) to memory (16 bits) and to 16-,
 *    32- and 64-bit registers; sgdt/sidt (0f 01 /0 /1): the limit, and
 *    whether the base lies in the kernel half (its value is the kernel's
 *    per-CPU table, different on every boot, or UMIP's fixed dummy); with
 *    UMIP, Linux's emulation answers (and sldt after modify_ldt too), and
 *    its store to a memory operand it cannot write (unmapped, read-only,
 *    PROT_NONE, straddling into read-only, non-canonical, kernel half):
 *    si_code, si_addr, trap number, error code and what was written;
 *  - lss/lfs/lgs (0f b2/b4/b5) from memory: with 16- and 32-bit offsets,
 *    REX.W, good and bad selectors (#GP with the selector, the register
 *    unchanged), and the register form (#UD);
 *  - mov to/from DR8-DR15 (REX.R with 0f 21/23) and CR1/5-7/9-15: #UD,
 *    where DR0-7 and CR0/2/3/4/8 are #GP.
 * A fault prints the signal, si_code, trap number, error code and where
 * it happened relative to the instruction. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf back;
static uint8_t *code;
/* Where si_addr is printed from (code when 0); addr_abs: as it is. */
static uint8_t *addr_base;
static int addr_abs;

static void on_signal(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    uint8_t *base = addr_base ? addr_base : code;
    long at = si->si_addr ? (long)((uint8_t *)si->si_addr - base) : -1;
    if (addr_abs)
        at = (long)si->si_addr;
    long rip = (long)((uint8_t *)uc->uc_mcontext.gregs[REG_RIP] - code);
    printf("  signal %d code %d addr %ld rip %ld trapno %lld err %#llx\n", sig, si->si_code, at,
           rip, (long long)uc->uc_mcontext.gregs[REG_TRAPNO],
           (unsigned long long)uc->uc_mcontext.gregs[REG_ERR]);
    siglongjmp(back, 1);
}

struct regs { uint64_t rax, rbx; };
static uint8_t scratch[32] __attribute__((aligned(16)));
static uint8_t *rbx_value = scratch;   /* the memory operand (rbx) */

/* code: movabs $rbx_value, %rbx; movabs $rax, %rax; <bytes>; mov %rax, (%rdi); ret
 * (rdi, the first argument, points at where rax goes). */
static int run(const char *name, const uint8_t *bytes, int len, uint64_t rax, uint64_t *out)
{
    uint64_t s = (uint64_t)(uintptr_t)rbx_value;
    int n = 0;
    code[n++] = 0x48, code[n++] = 0xbb;
    memcpy(code + n, &s, 8), n += 8;
    code[n++] = 0x48, code[n++] = 0xb8;
    memcpy(code + n, &rax, 8), n += 8;
    uint8_t *insn = code + n;
    memcpy(code + n, bytes, (size_t)len), n += len;
    code[n++] = 0x48, code[n++] = 0x89, code[n++] = 0x07;
    code[n++] = 0xc3;
    printf("%s (at %ld)\n", name, (long)(insn - code));
    fflush(stdout);
    if (sigsetjmp(back, 1))
        return 0;
    ((void (*)(uint64_t *))code)(out);
    return 1;
}

static void dump(int n)
{
    printf("  mem");
    for (int i = 0; i < n; i++)
        printf(" %02x", scratch[i]);
    printf("\n");
}

/* Stores of a selector or of CR0's low bits: register and memory forms. */
/* One store form: rax preset to a pattern, the scratch bytes filled
 * with 0xaa; prints what the register and the first bytes hold after. */
static void store_case(const char *name, const uint8_t *b, int len)
{
    uint64_t rax = 0;
    memset(scratch, 0xaa, sizeof scratch);
    if (run(name, b, len, 0x1111222233334444ull, &rax))
        printf("  rax %#llx\n", (unsigned long long)rax);
    dump(4);
}

static void stores(void)
{
    static const struct { const char *name; uint8_t b[4]; int len; } c[] = {
        { "sldt (rbx)", { 0x0f, 0x00, 0x03 }, 3 }, { "sldt ax", { 0x66, 0x0f, 0x00, 0xc0 }, 4 },
        { "sldt eax", { 0x0f, 0x00, 0xc0 }, 3 },   { "sldt rax", { 0x48, 0x0f, 0x00, 0xc0 }, 4 },
        { "str (rbx)", { 0x0f, 0x00, 0x0b }, 3 },  { "str ax", { 0x66, 0x0f, 0x00, 0xc8 }, 4 },
        { "str eax", { 0x0f, 0x00, 0xc8 }, 3 },    { "str rax", { 0x48, 0x0f, 0x00, 0xc8 }, 4 },
        { "smsw (rbx)", { 0x0f, 0x01, 0x23 }, 3 }, { "smsw ax", { 0x66, 0x0f, 0x01, 0xe0 }, 4 },
        { "smsw eax", { 0x0f, 0x01, 0xe0 }, 3 },   { "smsw rax", { 0x48, 0x0f, 0x01, 0xe0 }, 4 },
        { "rex.r sldt r8d", { 0x41, 0x0f, 0x00, 0xc0 }, 4 },
    };
    for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++)
        store_case(c[i].name, c[i].b, c[i].len);
}

/* sgdt/sidt: limit exactly; the base only as "kernel half or not". */
static void tables(void)
{
    static const struct { const char *name; uint8_t b[4]; int len; } c[] = {
        { "sgdt (rbx)", { 0x0f, 0x01, 0x03 }, 3 }, { "sidt (rbx)", { 0x0f, 0x01, 0x0b }, 3 },
        { "rex.w sgdt (rbx)", { 0x48, 0x0f, 0x01, 0x03 }, 4 },
        { "sgdt eax (#UD)", { 0x0f, 0x01, 0xc0 + 0 }, 3 },
    };
    for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++) {
        uint64_t rax = 0, base;
        uint16_t limit;
        memset(scratch, 0xaa, sizeof scratch);
        if (!run(c[i].name, c[i].b, c[i].len, 0, &rax))
            continue;
        memcpy(&limit, scratch, 2);
        memcpy(&base, scratch + 2, 8);
        printf("  limit %#x base in the kernel half %d, byte after %02x\n", limit,
               base >= 0xffff800000000000ull, scratch[10]);
    }
}

/* lss/lfs/lgs r, m16:xx: the offset first in memory, the selector after it. */
static void far_loads(void)
{
    static const struct { const char *name; uint8_t b[5]; int len; int off; } c[] = {
        { "lgs eax, (rbx)", { 0x0f, 0xb5, 0x03 }, 3, 4 },
        { "lgs ax, (rbx)", { 0x66, 0x0f, 0xb5, 0x03 }, 4, 2 },
        { "lgs rax, (rbx)", { 0x48, 0x0f, 0xb5, 0x03 }, 4, 8 },
        { "lss eax, (rbx)", { 0x0f, 0xb2, 0x03 }, 3, 4 },
        { "lss rax, (rbx)", { 0x48, 0x0f, 0xb2, 0x03 }, 4, 8 },
        { "lgs eax, eax (#UD)", { 0x0f, 0xb5, 0xc0 }, 3, 4 },
    };
    static const uint16_t sels[] = { 0x2b, 0x33, 0, 3, 0x7b, 0x43, 0x2a };
    for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++)
        for (unsigned j = 0; j < sizeof sels / sizeof sels[0]; j++) {
            uint64_t rax = 0, off = 0x8877665544332211ull;
            char name[64];
            memset(scratch, 0xaa, sizeof scratch);
            memcpy(scratch, &off, 8);
            memcpy(scratch + c[i].off, &sels[j], 2);
            snprintf(name, sizeof name, "%s sel %#x", c[i].name, sels[j]);
            uint16_t gs = 0xffff, ss = 0xffff;
            if (run(name, c[i].b, c[i].len, 0x1111222233334444ull, &rax)) {
                __asm__ volatile("mov %%gs, %0\n\tmov %%ss, %1" : "=r"(gs), "=r"(ss));
                /* A null selector's RPL (1-3) is not always kept across a
                 * preemption natively (seen on the PVM machines of sessions
                 * 21-31: the native run showed gs 0 once under load), so
                 * the native run shows 3 or 0 by chance: print it as 0. */
                if (gs <= 3)
                    gs = 0;
                printf("  rax %#llx gs %#x ss %#x\n", (unsigned long long)rax, gs, ss);
            }
            __asm__ volatile("mov %0, %%gs" : : "r"(0));
        }
}

/* lfs: glibc's TLS lives at the fs base, so the load, the read-back and
 * the restore are one asm statement. */
static void lfs(void)
{
    static const uint16_t sels[] = { 0x2b, 0, 0x43 };
    for (unsigned j = 0; j < sizeof sels / sizeof sels[0]; j++) {
        uint64_t saved, base = 0x5a5a, off = 0x44332211;
        uint32_t r = 0x77777777;
        uint16_t fs = 0xffff;
        memset(scratch, 0, sizeof scratch);
        memcpy(scratch, &off, 4);
        memcpy(scratch + 4, &sels[j], 2);
        __asm__ volatile("rdfsbase %0" : "=r"(saved));
        printf("lfs eax, (rbx) sel %#x\n", sels[j]);
        fflush(stdout);
        code = (uint8_t *)&lfs;
        if (sigsetjmp(back, 1))
            continue;
        __asm__ volatile("lfs (%4), %0\n\tmov %%fs, %k1\n\trdfsbase %2\n\t"
                         "mov %w5, %%fs\n\twrfsbase %3"
                         : "+r"(r), "=&r"(fs), "=&r"(base) : "r"(saved), "r"(scratch), "r"(0)
                         : "memory");
        printf("  eax %#x fs %#x base %#llx\n", r, fs, (unsigned long long)base);
    }
}

/* mov between a GPR and a debug or control register that does or does
 * not exist. */
static void debug_regs(void)
{
    static const struct { const char *name; uint8_t b[4]; int len; } c[] = {
        { "mov rax, dr8", { 0x44, 0x0f, 0x21, 0xc0 }, 4 },
        { "mov dr15, r15", { 0x45, 0x0f, 0x23, 0xff }, 4 },
        { "mov rax, dr12 (rex.wr)", { 0x4c, 0x0f, 0x21, 0xe0 }, 4 },
        { "mov rax, dr1", { 0x0f, 0x21, 0xc8 }, 3 },
        { "mov r9, dr6 (rex.b)", { 0x41, 0x0f, 0x21, 0xf1 }, 4 },
        { "mov cr8, rax", { 0x44, 0x0f, 0x22, 0xc0 }, 4 },
        { "mov rax, cr9", { 0x44, 0x0f, 0x20, 0xc8 }, 4 },
        { "mov rax, cr1", { 0x0f, 0x20, 0xc8 }, 3 },
        { "mov cr5, rax", { 0x0f, 0x22, 0xe8 }, 3 },
        { "mov rax, dr4", { 0x0f, 0x21, 0xe0 }, 3 },
    };
    for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++) {
        uint64_t rax = 0;
        if (run(c[i].name, c[i].b, c[i].len, 0, &rax))
            printf("  ran, rax %#llx\n", (unsigned long long)rax);
    }
}

/* Under UMIP (Linux's emulation answers sgdt with limit 0; the real GDT's
 * is 0x7f) sldt says 0x50 once the process has an LDT, 0 before: both
 * measured, with the register write's operand-size rules.  Without UMIP
 * the CPU's LDTR would show, which ferry does not model: not tried. */
static void sldt_after_modify_ldt(void)
{
    struct { unsigned entry, base, limit, flags; } u = { 0, 0, 0xfffff, 1 | 1 << 4 };
    uint8_t gdtr[10];
    __asm__ volatile("sgdt %0" : "=m"(gdtr));
    if (gdtr[0] | gdtr[1]) {
        printf("sldt after modify_ldt: no UMIP emulation, not tried\n");
        return;
    }
    static const struct { const char *name; uint8_t b[4]; int len; } c[] = {
        { "sldt (rbx)", { 0x0f, 0x00, 0x03 }, 3 }, { "sldt ax", { 0x66, 0x0f, 0x00, 0xc0 }, 4 },
        { "sldt eax", { 0x0f, 0x00, 0xc0 }, 3 },   { "sldt rax", { 0x48, 0x0f, 0x00, 0xc0 }, 4 },
    };
    printf("modify_ldt: %ld\n", syscall(SYS_modify_ldt, 0x11, &u, sizeof u));
    for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++)
        store_case(c[i].name, c[i].b, c[i].len);
}

/* UMIP's stores to memory that cannot take them: Linux's umip.c copies
 * the answer with copy_to_user and, when that fails, sends SIGSEGV
 * SEGV_MAPERR at the operand's start with error code 6 and trap 14 (the
 * instruction not done); without UMIP the CPU's own page fault or #GP.
 * Pages: rw, ro, none, then a hole; the straddling cases put the operand
 * k bytes before the ro page, and show the rw page's last 12 bytes. */
static void umip_faults(void)
{
    uint8_t *m = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return;
    munmap(m + 3 * 4096, 4096);
    mprotect(m + 4096, 4096, PROT_READ);
    mprotect(m + 2 * 4096, 4096, PROT_NONE);
    static const struct { const char *name; uint8_t b[4]; int len; } c[] = {
        { "sldt (rbx)", { 0x0f, 0x00, 0x03 }, 3 }, { "str (rbx)", { 0x0f, 0x00, 0x0b }, 3 },
        { "smsw (rbx)", { 0x0f, 0x01, 0x23 }, 3 }, { "sgdt (rbx)", { 0x0f, 0x01, 0x03 }, 3 },
        { "sidt (rbx)", { 0x0f, 0x01, 0x0b }, 3 },
    };
    /* off: from m; absolute: addr itself */
    static const struct { const char *what; long off; int absolute; uint64_t addr; } t[] = {
        { "read-only", 4096 + 16, 0, 0 }, { "PROT_NONE", 2 * 4096 + 8, 0, 0 },
        { "unmapped", 3 * 4096 + 4, 0, 0 }, { "rw->ro k=1", 4096 - 1, 0, 0 },
        { "rw->ro k=5", 4096 - 5, 0, 0 }, { "rw->ro k=9", 4096 - 9, 0, 0 },
        { "non-canonical", 0, 1, 0x8000000000000000ull },
        { "kernel half", 0, 1, 0xffff880000000000ull }, { "null", 0, 1, 0 },
    };
    addr_base = m;
    for (unsigned j = 0; j < sizeof t / sizeof t[0]; j++)
        for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++) {
            char name[64];
            uint64_t rax = 0;
            memset(m + 4096 - 12, 0xaa, 12);
            rbx_value = t[j].absolute ? (uint8_t *)(uintptr_t)t[j].addr : m + t[j].off;
            addr_abs = t[j].absolute;
            snprintf(name, sizeof name, "%s to %s", c[i].name, t[j].what);
            if (run(name, c[i].b, c[i].len, 0x1111222233334444ull, &rax))
                printf("  ran\n");
            printf("  rw end");
            for (int k = 12; k > 0; k--)
                printf(" %02x", m[4096 - k]);
            printf("\n");
        }
    addr_base = NULL, addr_abs = 0;
    rbx_value = scratch;
    munmap(m, 3 * 4096);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    uint8_t *buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED)
        return 1;
    code = buf;
    stores();
    tables();
    far_loads();
    debug_regs();
    lfs();
    code = buf;                         /* (lfs pointed it at itself) */
    umip_faults();
    sldt_after_modify_ldt();
    return 0;
}
