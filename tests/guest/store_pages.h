/* store_pages.h -- the three pages the store-fault tests (store_fault,
 * store_cross_scalar) store into, and how they print them: `page` is
 * mapped between a page below and a page above; layout 0 leaves the one
 * below unmapped (PROT_NONE) and the one above read-only, 1 both
 * unmapped, 2 the one below read-only and the one above unmapped, 3 both
 * unmapped and `page` itself read-only.  Each case starts from all three
 * filled with 0x55 and `src` with a0 a1 ...; the dump prints `..` for a
 * byte it cannot read.  Also the alternate signal stack (the push kinds
 * fault with rsp in a bad page) and the one SIGSEGV/SIGBUS handler: it
 * keeps si_addr and the whole of gregs, each test prints the registers it
 * looks at, and leaves through signal_cases.h's jump buffer.  A header,
 * not a test (tests.mk builds the .c files only). */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "signal_cases.h"

static unsigned char src[64] __attribute__((aligned(64)));
static unsigned char *page;
static long pg;
static int below_ok, above_ok;          /* readable in this layout */
static uintptr_t fault_addr;            /* the last fault's si_addr and registers */
static greg_t fault_regs[NGREG];

static void store_pages_on_fault(int sig, siginfo_t *info, void *ctx)
{
    (void)sig;
    fault_addr = (uintptr_t)info->si_addr;
    memcpy(fault_regs, ((ucontext_t *)ctx)->uc_mcontext.gregs, sizeof fault_regs);
    siglongjmp(back, 1);
}

/* A fault register as an address (offsets from the test's own marks). */
static inline uintptr_t fault_reg(int r)
{
    return (uintptr_t)fault_regs[r];
}

/* The page size, the alternate signal stack, the fault handler and the
 * three pages; 0, or 1 if they could not be mapped. */
static inline int store_pages_init(void)
{
    pg = sysconf(_SC_PAGESIZE);
    static char altstack[65536];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    sigaltstack(&ss, NULL);
    static const int sigs[] = { SIGSEGV, SIGBUS };
    signal_cases_catch_flags(store_pages_on_fault, sigs, 2, SA_ONSTACK);
    unsigned char *map = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                              -1, 0);
    if (map == MAP_FAILED)
        return 1;
    page = map + pg;
    return 0;
}

/* Refill the pages and `src`, then protect them as layout `lay` says. */
static inline void store_pages_layout(int lay)
{
    below_ok = lay == 2;
    above_ok = lay == 0;
    mprotect(page - pg, 3 * pg, PROT_READ | PROT_WRITE);
    memset(page - pg, 0x55, 3 * pg);
    for (int j = 0; j < 64; j++)
        src[j] = (unsigned char)(0xa0 + j);
    mprotect(page - pg, pg, lay == 2 ? PROT_READ : PROT_NONE);
    mprotect(page + pg, pg, lay == 0 ? PROT_READ : PROT_NONE);
    if (lay == 3)
        mprotect(page, pg, PROT_READ);
}

/* A call made with rsp = top pushed its return address: make it relative
 * to the asm's label `at`, so that the dump shows the same in every run. */
static inline void store_pages_call_ret(unsigned char *top, const char *at)
{
    uint64_t ret;
    memcpy(&ret, top - 8, 8);
    ret -= (uintptr_t)at;
    memcpy(top - 8, &ret, 8);
}

/* n bytes from p in hex, `..` for each one the layout makes unreadable. */
static inline void store_pages_dump(const unsigned char *p, long n)
{
    for (long k = 0; k < n; k++) {
        const unsigned char *q = p + k;
        int ok = (q >= page && q < page + pg) || (q < page && q >= page - pg && below_ok) ||
                  (q >= page + pg && q < page + 2 * pg && above_ok);
        if (ok)
            printf("%02x", *q);
        else
            printf("..");
    }
}
