/* store_fault.c -- a guest store that the CPU makes all-or-nothing stays
 * so under ferry: x86 writes nothing when any byte of a ymm (or xmm, or
 * 10-byte x87, pushed, fxsave/fnsave ...) store faults, and masked stores
 * and loads never fault on a masked-off element.  ferry splits a ymm
 * store into two 16-byte host stores and the AArch64 host's `str q` may
 * write its part below a page it crosses (session 31: both pages are
 * probed first when the store crosses one).  A page mapped between an
 * unmapped one below and, above, a read-only one (layout 0), an unmapped
 * one (1), or with a read-only one below (2), or the page itself
 * read-only between two unmapped ones (3: both pages bad); stores at
 * offsets around both edges, also from code on a writable page (ferry
 * checks such blocks for self-modifying stores).  The SIGSEGV handler
 * records si_addr relative to the page above, the faulting insn's offset
 * from its asm's start, the W bit (and rsp, enter's rbp: the stack
 * kinds); then the bytes around the store (`..` where unreadable).
 * fxsave, fnsave and fnstenv name the byte of the CPU's own order of
 * checks (x86_guard.c); memory is unchanged.  Intel's masked stores name
 * the first byte of the lowest selected element or else the last of the
 * highest, its fstp m80/fbstp write the low 8 bytes before the last 2
 * fault.  enter also faults where a write at its final rsp would, its
 * push of rbp done.  maskmovdqu runs no all-zero mask here
 * (store_cross_scalar.c does).  The native run is the oracle. */
//@cflags: -mavx2
#define _GNU_SOURCE
#include <stdint.h>

#include "store_pages.h"

static uint64_t mask_v[4] __attribute__((aligned(32)));
static unsigned char *gp;               /* the store's address */
static long idx = 8;                    /* for the [base + index] forms */
void *store_fault_sp;

/* Each kind one asm, its label at the start (rip offsets from it). */
#define K(name, body)                                                                    \
    extern const char name##_at[];                                                       \
    static void name(void)                                                               \
    {                                                                                    \
        __asm__ volatile(".globl " #name "_at\n" #name "_at:\n\t" body                    \
                         : : "r"(gp), "r"(src), "r"(mask_v), "r"(idx)                    \
                         : "rax", "rbx", "rcx", "rdx", "rdi", "xmm0", "xmm1", "memory"); \
    }

K(st_vmovdqu, "vmovdqu (%1), %%ymm0\n\tvmovdqu %%ymm0, (%0)\n\tvzeroupper")
K(st_vmovups, "vmovdqu (%1), %%ymm0\n\tvmovups %%ymm0, (%0)\n\tvzeroupper")
K(st_vmovupd_disp, "vmovdqu (%1), %%ymm0\n\tvmovupd %%ymm0, -8(%0)\n\tvzeroupper")
K(st_vmovdqu_idx, "vmovdqu (%1), %%ymm0\n\tvmovdqu %%ymm0, -8(%0,%3)\n\tvzeroupper")
K(st_vmovdqa, "vmovdqu (%1), %%ymm0\n\tvmovdqa %%ymm0, (%0)\n\tvzeroupper")
/* the ymm store in code on a writable page (ferry checks such blocks for
 * self-modifying stores: IR between the two halves) */
void *store_fault_jit;
K(st_vmovdqu_jit, "vmovdqu (%1), %%ymm0\n\tmov %0, %%rdi\n\tcall *store_fault_jit(%%rip)\n\t"
                  "vzeroupper")
K(st_movdqu, "movdqu (%1), %%xmm0\n\tmovdqu %%xmm0, (%0)")
K(st_movups_idx, "movdqu (%1), %%xmm0\n\tmovups %%xmm0, -8(%0,%3)")
K(st_vmovdqu_x, "vmovdqu (%1), %%xmm0\n\tvmovdqu %%xmm0, (%0)")
K(st_movdqu2, "movdqu (%1), %%xmm0\n\tmovdqu 16(%1), %%xmm1\n\t"
              "movdqu %%xmm0, (%0)\n\tmovdqu %%xmm1, 16(%0)")
K(st_mov64, "mov (%1), %%rax\n\tmov %%rax, (%0)")
K(st_fstpt, "fldpi\n\tfstpt (%0)")
K(st_fbstp, "fldpi\n\tfbstp (%0)")
K(st_fxsave, "fxsave (%0)")
K(st_fnsave, "fnsave (%0)\n\tfninit")
K(st_fnstenv, "fnstenv (%0)\n\tfninit")
K(st_push, "mov %%rsp, store_fault_sp(%%rip)\n\tmov %0, %%rsp\n\t"
           "mov $0x1122334455667788, %%rax\n\tpush %%rax\n\tmov store_fault_sp(%%rip), %%rsp")
K(st_push2, "mov %%rsp, store_fault_sp(%%rip)\n\tmov %0, %%rsp\n\tmov $0x1122334455667788, %%rax\n\t"
            "mov $0x99aabbccddeeff00, %%rcx\n\tpush %%rax\n\tpush %%rcx\n\t"
            "mov store_fault_sp(%%rip), %%rsp")
K(st_pushm, "mov %%rsp, store_fault_sp(%%rip)\n\tmov %0, %%rsp\n\t"
            "pushq (%1)\n\tmov store_fault_sp(%%rip), %%rsp")
K(st_call, "mov %%rsp, store_fault_sp(%%rip)\n\tmov %0, %%rsp\n\tcall 1f\n"
           "1:\tmov store_fault_sp(%%rip), %%rsp")
K(st_enter, "mov %%rsp, store_fault_sp(%%rip)\n\tpush %%rbp\n\tmov %%rsp, %%rcx\n\t"
            "mov %0, %%rsp\n\tmov $0x5566778899aabbcc, %%rbp\n\tenter $40, $0\n\t"
            "mov %%rcx, %%rsp\n\tpop %%rbp\n\tmov store_fault_sp(%%rip), %%rsp")
K(st_cmpxchg16b, "xor %%eax, %%eax\n\tnot %%rax\n\txor %%edx, %%edx\n\txor %%ecx, %%ecx\n\t"
                 "mov $1, %%ebx\n\tlock cmpxchg16b (%0)")
K(st_vmaskmovps, "vmovdqu (%2), %%ymm1\n\tvmovdqu (%1), %%ymm0\n\t"
                 "vmaskmovps %%ymm0, %%ymm1, (%0)\n\tvzeroupper")
K(st_vmaskmovpd_x, "vmovdqu (%2), %%xmm1\n\tvmovdqu (%1), %%xmm0\n\tvmaskmovpd %%xmm0, %%xmm1, (%0)")
K(st_vpmaskmovd, "vmovdqu (%2), %%ymm1\n\tvmovdqu (%1), %%ymm0\n\t"
                 "vpmaskmovd %%ymm0, %%ymm1, (%0)\n\tvzeroupper")
K(st_vpmaskmovq, "vmovdqu (%2), %%ymm1\n\tvmovdqu (%1), %%ymm0\n\t"
                 "vpmaskmovq %%ymm0, %%ymm1, (%0)\n\tvzeroupper")
K(st_maskmovdqu, "movdqu (%2), %%xmm1\n\tmovdqu (%1), %%xmm0\n\tmov %0, %%rdi\n\t"
                 "maskmovdqu %%xmm1, %%xmm0")
K(ld_vmaskmovps, "vmovdqu (%2), %%ymm1\n\tvmaskmovps (%0), %%ymm1, %%ymm0\n\t"
                 "vmovdqu %%ymm0, (%1)\n\tvzeroupper")
K(ld_vpmaskmovq, "vmovdqu (%2), %%ymm1\n\tvpmaskmovq (%0), %%ymm1, %%ymm0\n\t"
                 "vmovdqu %%ymm0, (%1)\n\tvzeroupper")
K(ld_vpmaskmovd_x, "vmovdqu (%2), %%xmm1\n\tvpmaskmovd (%0), %%xmm1, %%xmm0\n\t"
                   "vmovdqu %%xmm0, (%1)")

enum { EXACT = 1, ALIGN16 = 2, ALIGN32 = 4, MASKED = 8, NOZEROMASK = 16, LOAD = 32 };
struct kind { const char *name; void (*fn)(void); const char *at; int span, flags; };
#define E(n, s, f) { #n, n, n##_at, s, f }
static const struct kind kinds[] = {
    E(st_vmovdqu, 32, EXACT), E(st_vmovups, 32, EXACT), E(st_vmovupd_disp, 32, EXACT),
    E(st_vmovdqu_idx, 32, EXACT), E(st_vmovdqu_jit, 32, EXACT), E(st_vmovdqa, 32, EXACT | ALIGN32),
    E(st_movdqu, 16, EXACT), E(st_movups_idx, 16, EXACT), E(st_vmovdqu_x, 16, EXACT),
    E(st_movdqu2, 32, EXACT), E(st_mov64, 8, EXACT), E(st_fstpt, 10, EXACT),
    E(st_fbstp, 10, EXACT), E(st_fxsave, 512, EXACT | ALIGN16), E(st_fnsave, 108, EXACT),
    E(st_fnstenv, 28, EXACT), E(st_push, -8, EXACT), E(st_push2, -16, EXACT), E(st_pushm, -8, EXACT), E(st_call, -8, EXACT),
    E(st_enter, -8, EXACT), E(st_cmpxchg16b, 16, EXACT | ALIGN16),
    E(st_vmaskmovps, 32, EXACT | MASKED), E(st_vmaskmovpd_x, 16, EXACT | MASKED),
    E(st_vpmaskmovd, 32, EXACT | MASKED), E(st_vpmaskmovq, 32, EXACT | MASKED),
    /* an all-zero mask: store_cross_scalar.c */
    E(st_maskmovdqu, 16, EXACT | MASKED | NOZEROMASK),
    E(ld_vmaskmovps, 32, EXACT | MASKED | LOAD), E(ld_vpmaskmovq, 32, EXACT | MASKED | LOAD),
    E(ld_vpmaskmovd_x, 16, EXACT | MASKED | LOAD),
};

static const uint64_t masks[][4] = {
    { ~0ull, ~0ull, ~0ull, ~0ull }, { ~0ull, 0, 0, 0 }, { 0, 0, 0, ~0ull },
    { ~0ull, 0, 0, ~0ull }, { 1ull << 63, 0, 0, 0 }, { 0, 1ull << 63, 1ull << 31, 0 },
    { 0, 0, 0, 0 },
};

static void run(const struct kind *k, int lay, unsigned m, long off)
{
    int span = k->span < 0 ? -k->span : k->span;
    memcpy(mask_v, masks[m], sizeof mask_v);
    store_pages_layout(lay);
    gp = page + off;
    printf("L%d %s m%u %+ld:", lay, k->name, m, off > pg / 2 ? off - pg : off);
    fflush(stdout);
    if (sigsetjmp(back, 1)) {
        printf(" SIGSEGV");
        if (k->flags & EXACT)
            printf(" addr %+ld", (long)(fault_addr - (uintptr_t)page - pg));
        const char *at = k->fn == st_vmovdqu_jit ? store_fault_jit : k->at;
        printf(" rip %+ld W %ld", (long)(fault_reg(REG_RIP) - (uintptr_t)at),
               (long)fault_regs[REG_ERR] >> 1 & 1);
        if (k->span < 0)                /* the stack kinds: rsp (and enter's rbp) as before */
            printf(" rsp %+ld", (long)(fault_reg(REG_RSP) - (uintptr_t)gp));
        if (k->fn == st_enter)
            printf(" rbp %lx", (unsigned long)fault_reg(REG_RBP));
    } else {
        k->fn();
        printf(" ok");
        if (k->fn == st_call)
            store_pages_call_ret(gp, k->at);
    }
    /* a push writes below its address */
    const unsigned char *lo = k->span < 0 ? gp - span : gp;
    printf(" mem ");
    store_pages_dump(lo - 8, 8);
    printf("|");
    store_pages_dump(lo, span > 48 ? 48 : span);
    printf("|");
    store_pages_dump(lo + (span > 48 ? 48 : span), 8);
    if (span > 48) {
        printf(" end ");
        store_pages_dump(lo + span - 16, 16);
    }
    if (k->flags & LOAD) {
        printf(" got ");
        for (int j = 0; j < span; j++)
            printf("%02x", src[j]);
    }
    printf("\n");
}

int main(void)
{
    if (store_pages_init())
        return 1;
    static const unsigned char jit[] = { 0xc5, 0xfe, 0x7f, 0x07, 0xc3 };   /* vmovdqu [rdi], ymm0; ret */
    store_fault_jit = mmap(NULL, pg, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                           -1, 0);
    if (store_fault_jit == MAP_FAILED)
        return 1;
    memcpy(store_fault_jit, jit, sizeof jit);
    for (int lay = 0; lay < 4; lay++) {
        for (unsigned n = 0; n < sizeof kinds / sizeof kinds[0]; n++) {
            const struct kind *k = &kinds[n];
            int span = k->span < 0 ? -k->span : k->span, push = k->span < 0;
            /* around the bottom edge, then the top edge (a push's address
             * is its rsp: the bytes go below it) */
            long offs[] = { -span + 1, -span / 2, -4, -1, 0, pg - span, pg - span + 1,
                            pg - span / 2 - 1, pg - 16, pg - 8, pg - 4, pg - 1 };
            unsigned n_masks = k->flags & MASKED ? sizeof masks / sizeof masks[0] : 1;
            for (unsigned m = 0; m < n_masks; m++)
                for (unsigned o = 0; o < sizeof offs / sizeof offs[0]; o++) {
                    if ((k->flags & NOZEROMASK) && !masks[m][0] && !masks[m][1])
                        break;
                    long off = offs[o] + (push ? span : 0);
                    if (k->flags & ALIGN16)
                        off &= ~15L;
                    if (k->flags & ALIGN32)
                        off &= ~31L;
                    if (o && off == offs[o - 1] + (push ? span : 0))
                        continue;
                    run(k, lay, m, off);
                }
        }
    }
    return 0;
}
