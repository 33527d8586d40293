/* stpage.c -- test guest for stores that cross into a page that faults
 * (kvm and tcg runners): x86 writes all of a store's bytes or, when any
 * page of it faults, none -- the #PF (CR2 the second page's first byte)
 * comes with the first page unchanged.  tcg's software MMU writes a
 * crossing access a page at a time, so it must check every page first:
 * a qword mov, a 16-byte movdqu, and a 32-byte vmovdqu, which the
 * translator splits into two 16-byte stores (IR_V_PAIR_LO/HI), crossing
 * with either half; the second page not present, then read-only under
 * CR0.WP.  Then the same stores to a present second page land whole.
 * Prints "stpage NAME ok|bad". */
#include <stdbool.h>

#include "guest.h"

#ifdef GUEST_HOSTED
int guest_main(int ncpus)
{
    put_str("stpage: the hosted accelerator runs no guest instructions\n");
    return 0;
}
#else
uint64_t stp_err, stp_rip, stp_cr2, stp_resume;

__asm__(".text\n"
        "stp_pf:\n"
        "  push %rax\n"
        "  mov 8(%rsp), %rax\n  mov %rax, stp_err(%rip)\n"
        "  mov 16(%rsp), %rax\n  mov %rax, stp_rip(%rip)\n"
        "  mov %cr2, %rax\n  mov %rax, stp_cr2(%rip)\n"
        "  mov stp_resume(%rip), %rax\n  mov %rax, 16(%rsp)\n"
        "  pop %rax\n"
        "  add $8, %rsp\n"
        "  iretq\n");
void stp_pf(void);

#define PD ((volatile uint64_t *)0xb000)   /* the VMM's 2 MiB identity map */
#define WINDOW (40ull << 20)               /* virtual 40 MiB: remapped with 4 KiB pages */
#define PAGE_A (44ull << 20)               /* physical backing of the first page */
#define PAGE_B (PAGE_A + 0x3000)           /* ... and of the second (when present) */
#define FILL 0x5a

static uint64_t pt[512] __attribute__((aligned(4096)));

static void map_second(uint64_t pte)
{
    pt[1] = pte;
    __asm__ volatile("invlpg (%0)" :: "r"(WINDOW + 4096) : "memory");
}

static void map_window(void)
{
    for (int i = 0; i < 512; i++)
        pt[i] = (WINDOW + i * 4096ull) | 3;
    pt[0] = PAGE_A | 3;
    pt[1] = 0;
    PD[WINDOW >> 21] = (uint64_t)pt | 3;
    uint64_t cr3;
    __asm__ volatile("mov %%cr3, %0\n mov %0, %%cr3" : "=r"(cr3) :: "memory");
}

/* CR4.OSXSAVE and XCR0 = x87|SSE|AVX where the CPU leaves that to the OS
 * (KVM); tcg reports OSXSAVE set and runs AVX as it is. */
static void enable_avx(void)
{
    uint32_t a = 1, b, c, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
    if ((c >> 27 & 1) || !(c >> 26 & 1))
        return;
    uint64_t cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" :: "r"(cr4 | 1ull << 18));
    __asm__ volatile("xsetbv" :: "a"(7), "d"(0), "c"(0));
}

static uint8_t pattern[32] __attribute__((aligned(32)));

/* Runs `insn` with rcx = the address, rdx = 8 pattern bytes, xmm0/ymm0 =
 * the pattern; rbx receives the instruction's address. */
#define STORE(insn, va)                                                                 \
    __asm__ volatile("lea 1f(%%rip), %%rax\n mov %%rax, stp_resume(%%rip)\n"            \
                     "lea 2f(%%rip), %%rbx\n mov (%2), %%rdx\n"                         \
                     "vmovdqu (%2), %%ymm0\n"                                           \
                     "2: " insn "\n1:\n"                                                \
                     : "=&b"(at) : "c"(va), "r"(pattern) : "rax", "rdx", "memory")

static bool first_page_unchanged(void)
{
    const volatile uint8_t *a = (uint8_t *)PAGE_A;
    for (int i = 4096 - 64; i < 4096; i++)
        if (a[i] != FILL)
            return false;
    return true;
}

static bool landed(uint64_t va, int n)
{
    for (int i = 0; i < n; i++) {
        uint64_t x = va + (uint64_t)i - WINDOW;
        uint8_t got = *(volatile uint8_t *)(x < 4096 ? PAGE_A + x : PAGE_B + x - 4096);
        if (got != pattern[i])
            return false;
    }
    return true;
}

static const struct { const char *name; int off, n; } cases[] = {
    { "mov-qword-4-before", 4, 8 }, { "movdqu-8-before", 8, 16 },
    { "vmovdqu-ymm-16-before", 16, 32 }, { "vmovdqu-ymm-8-before", 8, 32 },
    { "vmovdqu-ymm-24-before", 24, 32 },
};

static uint64_t run_case(int k, uint64_t va)
{
    uint64_t at;
    if (cases[k].n == 8)
        STORE("mov %%rdx, (%%rcx)", va);
    else if (cases[k].n == 16)
        STORE("movdqu %%xmm0, (%%rcx)", va);
    else
        STORE("vmovdqu %%ymm0, (%%rcx)", va);
    return at;
}

/* The store faults on the second page (error code err) and leaves the
 * first unchanged. */
static void faulting(const char *how, uint64_t err)
{
    for (unsigned k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        uint64_t va = WINDOW + 4096 - (uint64_t)cases[k].off;
        g_memset((void *)(PAGE_A + 4096 - 64), FILL, 64);
        stp_cr2 = stp_rip = stp_err = 0;
        uint64_t at = run_case((int)k, va);
        put_str("stpage "); put_str(cases[k].name); put_str(how);
        put_str(stp_rip == at && stp_cr2 == WINDOW + 4096 && stp_err == err &&
                first_page_unchanged() ? " ok\n" : " bad\n");
    }
}

int guest_main(int ncpus)
{
    enable_avx();
    idt_gate(14, stp_pf, IDT_INTERRUPT_GATE);
    idt_load();
    for (int i = 0; i < 32; i++)
        pattern[i] = (uint8_t)(0xa0 + i);
    map_window();
    faulting("-not-present", 2);                    /* W, not P */
    uint64_t cr0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %0, %%cr0" :: "r"(cr0 | 1ull << 16));      /* WP */
    map_second(PAGE_B | 1);
    faulting("-read-only", 3);                      /* W, P */
    map_second(PAGE_B | 3);
    for (unsigned k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        uint64_t va = WINDOW + 4096 - (uint64_t)cases[k].off;
        stp_rip = 0;
        run_case((int)k, va);
        put_str("stpage "); put_str(cases[k].name);
        put_str(stp_rip == 0 && landed(va, cases[k].n) ? "-lands ok\n" : "-lands bad\n");
    }
    put_str("stpage done\n");
    return 0;
}
#endif
