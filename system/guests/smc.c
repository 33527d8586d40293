/* smc.c -- test guest for code that changes after it ran (kvm and tcg
 * runners): tcg tracks writes to pages that hold translated code and
 * trusts a block while its pages and the vCPU's mappings stay as they
 * were (accel_tcg_codewatch.c, translator/smc.c).  Every way code can
 * change must still be seen: a plain store, a rep movsb (a C helper's
 * write), a store through another virtual mapping of the same physical
 * page, a remap of the code's virtual page to another physical page
 * (invlpg), a store into the running block ahead of itself, and (with
 * two vCPUs) a store by vCPU 0 into code that vCPU 1 runs: vCPU 0 filled
 * its write TLB entry for the page before vCPU 1 translated from it, so
 * that entry must go when tracking starts.  Each case runs the code,
 * changes it and runs it again, several rounds.  tcg finds blocks by
 * where their code lives (session 12): code written through one virtual
 * alias of a physical page and run through the other, and two address
 * spaces (CR3 switches) with different code at the same virtual pc, each
 * run in turn, must each run their own code.
 * Prints "smc NAME ok|bad". */
#include <stdbool.h>

#include "guest.h"

#ifdef GUEST_HOSTED
int guest_main(int ncpus)
{
    put_str("smc: the hosted accelerator runs no guest instructions\n");
    return 0;
}
#else
#define PD ((volatile uint64_t *)0xb000)   /* the VMM's 2 MiB identity map */
#define WINDOW (40ull << 20)               /* virtual 40 MiB: remapped with 4 KiB pages */
#define PAGE_A (44ull << 20)               /* physical pages behind the window */
#define PAGE_B (PAGE_A + 0x3000)
#define VIRT0 WINDOW                       /* the code's virtual page */
#define VIRT1 (WINDOW + 0x1000)            /* an alias of PAGE_A (or another page) */
#define PAGE_C (PAGE_A + 0x5000)           /* VIRT2 in the first address space */
#define PAGE_D (PAGE_A + 0x6000)           /* VIRT2 in the second */
#define VIRT2 (WINDOW + 0x2000)

static uint64_t pt[512] __attribute__((aligned(4096)));

static void invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }

static void map(int slot, uint64_t pa)
{
    pt[slot] = pa | 3;
    invlpg(WINDOW + (uint64_t)slot * 4096);
}

static void map_window(void)
{
    for (int i = 0; i < 512; i++)
        pt[i] = (WINDOW + i * 4096ull) | 3;
    pt[0] = PAGE_A | 3;
    pt[1] = PAGE_A | 3;
    pt[2] = PAGE_C | 3;
    PD[WINDOW >> 21] = (uint64_t)pt | 3;
    uint64_t cr3;
    __asm__ volatile("mov %%cr3, %0\n mov %0, %%cr3" : "=r"(cr3) :: "memory");
}

static void say(const char *name, bool ok)
{
    put_str("smc "); put_str(name); put_str(ok ? " ok\n" : " bad\n");
}

static uint64_t call(uint64_t va)
{
    uint64_t rax;
    __asm__ volatile("call *%[va]" : "=a"(rax) : [va] "r"(va)
                     : "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory");
    return rax;
}

/* mov $v, %eax; ret at p (6 bytes). */
static void put_ret(volatile uint8_t *p, uint32_t v)
{
    p[0] = 0xb8;
    for (int i = 0; i < 4; i++)
        p[1 + i] = (uint8_t)(v >> (8 * i));
    p[5] = 0xc3;
}

static void rep_movsb(volatile void *dst, const void *src, uint64_t n)
{
    __asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) :: "memory");
}

/* A plain store, through the mapping the code runs from. */
static bool plain_store(void)
{
    bool ok = true;
    for (uint32_t v = 1; v <= 5; v++) {
        put_ret((uint8_t *)VIRT0 + 0x100, v);
        ok &= call(VIRT0 + 0x100) == v;
    }
    return ok;
}

/* A C helper's write (rep movsb) of the new code. */
static bool rep_store(void)
{
    bool ok = true;
    for (uint32_t v = 10; v <= 14; v++) {
        uint8_t code[6];
        put_ret(code, v);
        rep_movsb((uint8_t *)VIRT0 + 0x200, code, sizeof code);
        ok &= call(VIRT0 + 0x200) == v;
    }
    return ok;
}

/* Stores through VIRT1, which maps the same physical page as VIRT0. */
static bool alias_store(void)
{
    bool ok = true;
    for (uint32_t v = 20; v <= 24; v++) {
        put_ret((uint8_t *)VIRT1 + 0x300, v);
        ok &= call(VIRT0 + 0x300) == v;
    }
    return ok;
}

/* VIRT0 maps PAGE_A, then PAGE_B (other code at the same address), and back. */
static bool remap(void)
{
    bool ok = true;
    map(1, PAGE_B);
    put_ret((uint8_t *)VIRT0 + 0x400, 31);
    put_ret((uint8_t *)VIRT1 + 0x400, 32);
    for (int round = 0; round < 3; round++) {
        ok &= call(VIRT0 + 0x400) == 31;
        map(0, PAGE_B);
        ok &= call(VIRT0 + 0x400) == 32;
        map(0, PAGE_A);
    }
    map(1, PAGE_A);
    return ok;
}

/* xor %eax,%eax; movb $0x22, 1f+1(%rip); 1: mov $0x11, %al; ret: the
 * store rewrites the next instruction of the same block. */
static bool in_block(void)
{
    static const uint8_t code[] = { 0x31, 0xc0, 0xc6, 0x05, 0x01, 0x00, 0x00, 0x00, 0x22,
                                    0xb0, 0x11, 0xc3 };
    volatile uint8_t *p = (uint8_t *)VIRT0 + 0x500;
    bool ok = true;
    for (unsigned i = 0; i < sizeof code; i++)
        p[i] = code[i];
    for (int round = 0; round < 3; round++) {
        p[10] = 0x11;                           /* mov $0x11 again */
        ok &= call(VIRT0 + 0x500) == 0x22;
    }
    return ok;
}

/* vCPU 1 runs the code at VIRT0 + 0x600 for each round vCPU 0 asks for
 * (after cpuid, as the architecture asks of cross-modifying code). */
static volatile int xv_asked, xv_answered;
static volatile uint64_t xv_got;

static bool wait_round(volatile int *p, int round)
{
    for (long spin = 0; *p != round; spin++) {
        if (spin > 200000000L)
            return false;
        cpu_relax();
    }
    return true;
}

void guest_ap(int cpu, int ncpus)
{
    if (cpu != 1)
        return;
    uint64_t cr3;
    __asm__ volatile("mov %%cr3, %0\n mov %0, %%cr3" : "=r"(cr3) :: "memory");
    for (int round = 1; round <= 5; round++) {
        if (!wait_round(&xv_asked, round))
            return;
        uint32_t a = 0, b, c = 0, d;
        __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) :: "memory");
        xv_got = call(VIRT0 + 0x600);
        xv_answered = round;
    }
}

/* Code written through VIRT1 and run through VIRT0 (both map PAGE_A),
 * then the other way round: each alias runs what the other wrote. */
static bool alias_exec(void)
{
    bool ok = true;
    for (uint32_t v = 60; v <= 64; v++) {
        put_ret((uint8_t *)VIRT0 + 0x800, v);
        ok &= call(VIRT1 + 0x800) == v;
        ok &= call(VIRT0 + 0x800) == v;
        put_ret((uint8_t *)VIRT1 + 0x800, v + 100);
        ok &= call(VIRT0 + 0x800) == v + 100;
        ok &= call(VIRT1 + 0x800) == v + 100;
    }
    return ok;
}

/* A second address space: the VMM's tables copied, with VIRT2 on PAGE_D
 * (the window's own page table copied too).  Identity-mapped statics, so
 * their addresses are physical ones. */
static uint64_t pml4_b[512] __attribute__((aligned(4096)));
static uint64_t pdpt_b[512] __attribute__((aligned(4096)));
static uint64_t pd_b[512] __attribute__((aligned(4096)));
static uint64_t pt_b[512] __attribute__((aligned(4096)));

static uint64_t read_cr3(void)
{
    uint64_t cr3;
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    return cr3;
}

static void write_cr3(uint64_t cr3) { __asm__ volatile("mov %0, %%cr3" :: "r"(cr3) : "memory"); }

#define ADDR(e) ((e) & 0x000ffffffffff000ull)

static uint64_t space_b(uint64_t cr3_a)
{
    const uint64_t *pml4 = (const uint64_t *)ADDR(cr3_a);
    const uint64_t *pdpt = (const uint64_t *)ADDR(pml4[0]);
    const uint64_t *pd = (const uint64_t *)ADDR(pdpt[0]);
    for (int i = 0; i < 512; i++) {
        pml4_b[i] = pml4[i];
        pdpt_b[i] = pdpt[i];
        pd_b[i] = pd[i];
        pt_b[i] = pt[i];
    }
    pt_b[2] = PAGE_D | 3;
    pd_b[WINDOW >> 21] = (uint64_t)pt_b | 3;
    pdpt_b[0] = (uint64_t)pd_b | (pdpt[0] & 0xfff);
    pml4_b[0] = (uint64_t)pdpt_b | (pml4[0] & 0xfff);
    return (uint64_t)pml4_b | (cr3_a & 0xfff);
}

/* call rel32 to VIRT2 + 0x700; ret -- at TRAMP, on the identity map (the
 * same in both address spaces): a direct jump into another page, which
 * tcg may chain. */
#define TRAMP (PAGE_A + 0x10000)

static void put_tramp(void)
{
    volatile uint8_t *p = (uint8_t *)TRAMP;
    uint32_t rel = (uint32_t)(VIRT2 + 0x700 - (TRAMP + 5));
    p[0] = 0xe8;
    for (int i = 0; i < 4; i++)
        p[1 + i] = (uint8_t)(rel >> (8 * i));
    p[5] = 0xc3;
}

/* The same virtual pc, other code in each address space, run in turn
 * (called directly and through the trampoline); then the code of the
 * space not running is changed (through the identity map) and must run
 * changed when its space comes back.  (Pages of their own: the others
 * are written too often above to be tracked, and their blocks check
 * themselves on every entry.) */
static bool cr3_switch(void)
{
    uint64_t a = read_cr3(), b = space_b(a);
    bool ok = true;
    put_ret((uint8_t *)PAGE_C + 0x700, 51);
    put_ret((uint8_t *)PAGE_D + 0x700, 52);
    put_tramp();
    for (int round = 0; round < 3; round++) {
        ok &= call(VIRT2 + 0x700) == 51 && call(TRAMP) == 51;
        write_cr3(b);
        ok &= call(TRAMP) == 52 && call(VIRT2 + 0x700) == 52;
        write_cr3(a);
    }
    for (uint32_t v = 70; v <= 72; v++) {
        put_ret((uint8_t *)PAGE_D + 0x700, v);
        ok &= call(VIRT2 + 0x700) == 51;
        write_cr3(b);
        ok &= call(TRAMP) == v && call(VIRT2 + 0x700) == v;
        put_ret((uint8_t *)PAGE_C + 0x700, v + 100);
        write_cr3(a);
        ok &= call(TRAMP) == v + 100 && call(VIRT2 + 0x700) == v + 100;
        put_ret((uint8_t *)PAGE_C + 0x700, 51);
    }
    return ok;
}

static bool other_vcpu(void)
{
    bool ok = true;
    for (int round = 1; round <= 5 && ok; round++) {
        put_ret((uint8_t *)VIRT0 + 0x600, 40 + (uint32_t)round);
        xv_asked = round;
        ok = wait_round(&xv_answered, round) && xv_got == 40 + (uint64_t)round;
    }
    return ok;
}

int guest_main(int ncpus)
{
    map_window();
    say("plain-store", plain_store());
    say("rep-movsb", rep_store());
    say("alias-store", alias_store());
    say("remap", remap());
    say("store-ahead-in-block", in_block());
    say("alias-exec", alias_exec());
    say("cr3-switch", cr3_switch());
    if (ncpus >= 2)
        say("other-vcpu-store", other_vcpu());
    put_str("smc done\n");
    return 0;
}
#endif
