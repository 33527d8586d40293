/* xpage.c -- test guest for decoding instructions that cross into a page
 * mapped elsewhere (kvm and tcg runners).  4 KiB page tables map two
 * adjacent virtual pages to physical pages that are not adjacent; the
 * physical page that does follow the first one holds decoy bytes.  Code
 * whose instruction crossing the boundary is not the first of its block
 * (a translator reads on from the first page's bytes in host memory: the
 * decoy's) must run with the second page's bytes.  This is how Linux's
 * virtio_console fill_readbuf oopsed on tcg: `49 | 89 d6` (mov %rdx,%r14)
 * across two module pages ran as `49 00 00` (add %al,(%r8)).
 * Prints "xpage NAME ok|bad". */
#include <stdbool.h>

#include "guest.h"

#ifdef GUEST_HOSTED
int guest_main(int ncpus)
{
    put_str("xpage: the hosted accelerator runs no guest instructions\n");
    return 0;
}
#else
#define PD ((volatile uint64_t *)0xb000)   /* the VMM's 2 MiB identity map */
#define WINDOW (40ull << 20)               /* virtual 40 MiB: remapped with 4 KiB pages */
#define CODE_A (44ull << 20)               /* physical backing of the window's first page */
#define DECOY (CODE_A + 0x1000)            /* what follows it physically */
#define CODE_B (CODE_A + 0x5000)           /* backing of the window's second page */

static uint64_t pt[512] __attribute__((aligned(4096)));

static void map_window(void)
{
    for (int i = 0; i < 512; i++)
        pt[i] = (WINDOW + i * 4096ull) | 3;
    pt[0] = CODE_A | 3;
    pt[1] = CODE_B | 3;
    PD[WINDOW >> 21] = (uint64_t)pt | 3;
    uint64_t cr3;
    __asm__ volatile("mov %%cr3, %0\n mov %0, %%cr3" : "=r"(cr3) :: "memory");
}

static void say(const char *name, bool ok)
{
    put_str("xpage "); put_str(name); put_str(ok ? " ok\n" : " bad\n");
}

/* Puts head at the end of the first page, tail at the start of the
 * second and decoy where the second page's bytes would be if the pages
 * were adjacent; calls the code with rdx = arg and returns its rax. */
static uint64_t run_across(const uint8_t *head, int nhead, const uint8_t *tail, int ntail,
                           const uint8_t *decoy, uint64_t arg)
{
    volatile uint8_t *a = (uint8_t *)CODE_A, *b = (uint8_t *)CODE_B, *d = (uint8_t *)DECOY;
    for (int i = 0; i < nhead; i++)
        a[4096 - nhead + i] = head[i];
    for (int i = 0; i < ntail; i++)
        b[i] = tail[i], d[i] = decoy[i];
    uint64_t entry = WINDOW + 4096 - (uint64_t)nhead, rax;
    __asm__ volatile("call *%[entry]" : "=a"(rax), "+d"(arg) : [entry] "r"(entry)
                     : "rcx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory");
    return rax;
}

int guest_main(int ncpus)
{
    map_window();
    /* nop; mov $1, %eax (its last imm byte on the second page); ret */
    static const uint8_t h1[] = { 0x90, 0xb8, 0x01, 0x00, 0x00 }, t1[] = { 0x00, 0xc3 },
                         d1[] = { 0x7f, 0xc3 };
    say("second-insn-crosses", run_across(h1, 5, t1, 2, d1, 0) == 1);
    /* xor %eax,%eax; REX.W | mov %rdx,%rax; ret (Linux's shape: the REX
     * prefix alone on the first page); the decoy makes it a REX nop. */
    static const uint8_t h2[] = { 0x31, 0xc0, 0x48 }, t2[] = { 0x89, 0xd0, 0xc3 },
                         d2[] = { 0x90, 0x90, 0xc3 };
    say("rex-prefix-then-opcode", run_across(h2, 3, t2, 3, d2, 0x1234567890ull) == 0x1234567890ull);
    /* nop; nop; movabs $imm64, %rax (the imm on the second page); ret */
    static const uint8_t h3[] = { 0x90, 0x90, 0x48, 0xb8 },
                         t3[] = { 1, 2, 3, 4, 5, 6, 7, 8, 0xc3 },
                         d3[] = { 9, 9, 9, 9, 9, 9, 9, 9, 0xc3 };
    say("imm64-on-second-page", run_across(h3, 4, t3, 9, d3, 0) == 0x0807060504030201ull);
    put_str("xpage done\n");
    return 0;
}
#endif
