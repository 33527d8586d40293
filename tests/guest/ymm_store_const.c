/* ymm_store_const.c -- a ymm store to a constant address (absolute, as a
 * rip-relative one folds to) that crosses into a read-only page: x86
 * writes nothing and faults at the second page's first byte.  ferry
 * splits a ymm store into two 16-byte vst, marked as one pair by the
 * frontend (IR_V_PAIR_LO/HI), and probes both pages first when the 32
 * bytes may cross one; session 31 found the pair by walking the IR for
 * `add t, ea, 16`, which a constant address folds away, so these stores
 * went unprobed and left their low half written.  Stores at 8, 16 and 24
 * bytes below the page end and one that stays within the page; printed:
 * si_addr relative to the page end (or "none") and the 32 bytes below
 * it.  The native run is the oracle. */
//@cflags: -mavx2
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>

#include "signal_cases.h"

#define BASE 0x20000000ul               /* two pages: writable, read-only */
#define END "0x20001000"
static uintptr_t fault_addr;

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    fault_addr = (uintptr_t)si->si_addr;
    siglongjmp(back, 1);
}

static const unsigned char src[32] __attribute__((aligned(32))) = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

#define STORE(name, addr)                                                     \
    static void name(void)                                                    \
    {                                                                         \
        __asm__ volatile("vmovdqu %0, %%ymm0\n\t"                             \
                         "vmovdqu %%ymm0, " addr "\n\t"                       \
                         "vzeroupper" : : "m"(src) : "xmm0", "memory");       \
    }
STORE(cross_8, END "-8")
STORE(cross_16, END "-16")
STORE(cross_24, END "-24")
STORE(within, END "-32")

static void run(const char *name, void (*fn)(void), unsigned char *page)
{
    memset(page + 4096 - 48, 0xee, 48);
    fault_addr = 0;
    printf("%s:", name);
    if (!sigsetjmp(back, 1))
        fn();
    if (fault_addr)
        printf(" si_addr end%+ld", (long)(fault_addr - (BASE + 4096)));
    else
        printf(" si_addr none");
    for (int i = 4096 - 32; i < 4096; i++)
        printf(" %02x", page[i]);
    printf("\n");
}

int main(void)
{
    unsigned char *page = mmap((void *)BASE, 8192, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (page != (void *)BASE || mprotect(page + 4096, 4096, PROT_READ)) {
        printf("no mapping at %#lx\n", BASE);
        return 0;
    }
    signal_cases_catch(on_segv, (const int[]){ SIGSEGV }, 1);
    run("cross_8", cross_8, page);
    run("cross_16", cross_16, page);
    run("cross_24", cross_24, page);
    run("within", within, page);
    return 0;
}
