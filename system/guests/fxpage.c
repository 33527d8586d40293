/* fxpage.c -- test guest for C helpers' guest accesses across pages (kvm
 * and tcg runners): 4 KiB page tables map two adjacent virtual pages to
 * physical pages that are not adjacent (the second below the first), then
 * fxsave, fxrstor and rep movsb/stosb work on areas that cross from one to
 * the other.  The guest checks through the identity map where the bytes
 * landed: XMM6 at offset 256 of the fxsave image (Intel SDM vol. 1,
 * 10.5.1, table 10-2) is the first 16 bytes of the second page; fxrstor
 * reads XMM7 back from there; the string copies land in both pages (also
 * long ones, which tcg runs a page at a time through its TLB); and
 * code crossing from one page into the next runs anew once the second
 * page is mapped to other bytes.
 * Prints "fxpage NAME ok|bad". */
#include <stdbool.h>

#include "guest.h"

#ifdef GUEST_HOSTED
int guest_main(int ncpus)
{
    put_str("fxpage: the hosted accelerator runs no guest instructions\n");
    return 0;
}
#else
#define PD ((volatile uint64_t *)0xb000)   /* the VMM's 2 MiB identity map */
#define WINDOW (40ull << 20)               /* virtual 40 MiB: remapped with 4 KiB pages */
#define PAGE_A (44ull << 20)               /* physical backing of the first page */
#define PAGE_B (PAGE_A - 0x3000)           /* ... and of the second, not adjacent */
#define CODE_P1 (46ull << 20)               /* code crossing pages 2 -> 3 of the window: */
#define CODE_P2 (CODE_P1 + 0x1000)          /* first adjacent physical pages, */
#define CODE_P3 (CODE_P1 + 0x5000)          /* then page 3 mapped here instead */

static uint64_t pt[512] __attribute__((aligned(4096)));

static void map_window(void)
{
    for (int i = 0; i < 512; i++)
        pt[i] = (WINDOW + i * 4096ull) | 3;
    pt[0] = PAGE_A | 3;
    pt[1] = PAGE_B | 3;
    pt[2] = CODE_P1 | 3;
    pt[3] = CODE_P2 | 3;
    PD[WINDOW >> 21] = (uint64_t)pt | 3;
    uint64_t cr3;
    __asm__ volatile("mov %%cr3, %0\n mov %0, %%cr3" : "=r"(cr3) :: "memory");
}

static void say(const char *name, bool ok)
{
    put_str("fxpage "); put_str(name); put_str(ok ? " ok\n" : " bad\n");
}

static bool bytes_are(const volatile uint8_t *p, uint8_t first, int n)
{
    for (int i = 0; i < n; i++)
        if (p[i] != (uint8_t)(first + i))
            return false;
    return true;
}

int guest_main(int ncpus)
{
    static uint8_t pattern[16] __attribute__((aligned(16))), back[16] __attribute__((aligned(16)));
    volatile uint8_t *a = (uint8_t *)PAGE_A, *b = (uint8_t *)PAGE_B;
    uint64_t area = WINDOW + 4096 - 256;       /* image bytes 256.. are in the second page */
    map_window();
    for (int i = 0; i < 16; i++)
        pattern[i] = (uint8_t)(0x40 + i);
    g_memset((void *)b, 0, 64);
    g_memset((void *)(a + 4096 - 256), 0, 256);
    __asm__ volatile("movdqa %0, %%xmm6\n fxsave (%1)" :: "m"(pattern), "r"(area) : "memory");
    say("fxsave-xmm6-in-second-page", bytes_are(b, 0x40, 16));
    for (int i = 0; i < 16; i++)
        b[16 + i] = (uint8_t)(0x60 + i);          /* XMM7 of the image */
    __asm__ volatile("fxrstor (%1)\n movdqa %%xmm7, %0" : "=m"(back) : "r"(area) : "memory");
    say("fxrstor-xmm7-from-second-page", bytes_are(back, 0x60, 16));
    uint64_t dst = WINDOW + 4096 - 8, src = (uint64_t)pattern, n = 16;
    __asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) :: "memory");
    say("rep-movsb-across-pages", bytes_are(a + 4096 - 8, 0x40, 8) && bytes_are(b, 0x48, 8));
    dst = WINDOW + 4096 - 4, n = 8;
    __asm__ volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(0x77) : "memory");
    say("rep-stosb-across-pages", a[4095] == 0x77 && b[3] == 0x77 && b[4] == 0x4c);
    static uint8_t big[3000];
    for (int i = 0; i < 3000; i++)
        big[i] = (uint8_t)(i * 7 + 1);
    dst = WINDOW + 4096 - 1000, src = (uint64_t)big, n = 3000;
    __asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) :: "memory");
    bool long_copy = n == 0 && dst == WINDOW + 4096 + 2000 && src == (uint64_t)big + 3000;
    for (int i = 0; i < 3000; i++)
        long_copy &= (i < 1000 ? a[4096 - 1000 + i] : b[i - 1000]) == (uint8_t)(i * 7 + 1);
    say("rep-movsb-3000-bytes-across-pages", long_copy);
    dst = WINDOW + 4096 - 800, n = 600;
    __asm__ volatile("rep stosq" : "+D"(dst), "+c"(n) : "a"(0x1122334455667788ull) : "memory");
    bool long_fill = n == 0 && dst == WINDOW + 4096 + 4000;
    for (int i = 0; i < 4800; i += 8)
        long_fill &= *(volatile uint64_t *)(i < 800 ? a + 4096 - 800 + i : b + i - 800)
                     == 0x1122334455667788ull;
    say("rep-stosq-600-across-pages", long_fill);
    /* mov $imm32, %eax; ret -- from 4 bytes before the end of page 2: the
     * last imm byte and the ret are on page 3.  Run, remap page 3 (invlpg),
     * run again: the new bytes must run (the old translation is stale). */
    volatile uint8_t *p1 = (uint8_t *)CODE_P1, *p2 = (uint8_t *)CODE_P2, *p3 = (uint8_t *)CODE_P3;
    p1[4092] = 0xb8; p1[4093] = 0x01; p1[4094] = 0x00; p1[4095] = 0x00;
    p2[0] = 0x00; p2[1] = 0xc3;
    p3[0] = 0x7f; p3[1] = 0xc3;
    uint64_t entry = WINDOW + 0x3000 - 4, first, second;
    __asm__ volatile("call *%1" : "=a"(first) : "r"(entry) : "rcx", "rdx", "rsi", "rdi", "r8", "r9",
                     "r10", "r11", "memory");
    pt[3] = CODE_P3 | 3;
    __asm__ volatile("invlpg (%0)" :: "r"(WINDOW + 0x3000) : "memory");
    __asm__ volatile("call *%1" : "=a"(second) : "r"(entry) : "rcx", "rdx", "rsi", "rdi", "r8", "r9",
                     "r10", "r11", "memory");
    say("code-across-pages-remapped", (uint32_t)first == 0x1 && (uint32_t)second == 0x7f000001);
    put_str("fxpage done\n");
    return 0;
}
#endif
