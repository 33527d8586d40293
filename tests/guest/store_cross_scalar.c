/* store_cross_scalar.c -- a 2-, 4- or 8-byte guest store (or the store of
 * a read-modify-write, a string element, a push) that crosses from a good
 * page into a bad one writes nothing on x86: the access faults before any
 * byte lands, si_addr the bad page's first byte (or the store's own
 * address when its low bytes are the bad ones).  The AArch64 host's `str`
 * may write the part below the page (the architecture allows it, hardware
 * does it, qemu-user does not), and ferry's helpers and split stores may
 * too; store_fault.c covers the vector and x87 kinds, this test the
 * scalar ones.  Also maskmovdqu and vmaskmovdqu with an all-zero mask
 * (whether the CPU faults at a bad page is the machine's choice: the
 * native run shows it) and the si_addr of fxsave/xsave and of fnsave/
 * fnstenv (also their 16-bit forms).  Layouts as in store_fault.c
 * (store_pages.h): a page between an unmapped one below and a read-only (0)
 * or unmapped (1) one above, or a read-only one below and an unmapped one
 * above (2), or the page read-only itself between two unmapped (3).  Per
 * case: fault or not, si_addr relative to the page above, the insn's rip
 * offset, the W bit, rcx/rdi/rsi for the string kinds, rax for the
 * compare-exchange kinds, and the bytes around the store.  The native run
 * is the oracle. */
//@cflags: -mavx2 -mxsave -mxsaveopt -mxsavec
#define _GNU_SOURCE
#include <stdint.h>

#include "store_pages.h"

static unsigned char *gp;               /* the store's address */
void *store_cross_sp;

#define K(name, body)                                                                    \
    extern const char name##_at[];                                                       \
    static void name(void)                                                               \
    {                                                                                    \
        __asm__ volatile(".globl " #name "_at\n" #name "_at:\n\t" body                    \
                         : : "r"(gp), "r"(src)                                           \
                         : "rax", "rbx", "rcx", "rdx", "rdi", "rsi", "xmm0", "xmm1",     \
                           "cc", "memory");                                              \
    }

#define LD8 "mov (%1), %%rax\n\t"
K(mov16, LD8 "mov %%ax, (%0)")
K(mov32, LD8 "mov %%eax, (%0)")
K(mov64, LD8 "mov %%rax, (%0)")
K(mov64_imm, "movq $-0x1234567, (%0)")
K(mov16_imm, "movw $0x7788, (%0)")
K(movbe64, LD8 "movbe %%rax, (%0)")
K(movnti64, LD8 "movnti %%rax, (%0)")
K(add64, LD8 "add %%rax, (%0)")
K(adc32, LD8 "stc\n\tadc %%eax, (%0)")
K(sub16, LD8 "sub %%ax, (%0)")
K(or64_imm, "orq $0x7f, (%0)")
K(inc32, "incl (%0)")
K(neg64, "negq (%0)")
K(not16, "notw (%0)")
K(shl64, "shlq $3, (%0)")
K(bts64, "mov $63, %%eax\n\tbtsq %%rax, (%0)")
K(xadd64, LD8 "xadd %%rax, (%0)")
K(lock_add32, LD8 "lock add %%eax, (%0)")
K(xchg64, LD8 "xchg %%rax, (%0)")
K(xchg16, LD8 "xchg %%ax, (%0)")
/* 0x5555... is the memory's fill: a compare that succeeds, then one that fails
 * (which still writes the old value back, so it faults at a read-only page) */
K(cmpxchg64_ok, "mov $0x5555555555555555, %%rax\n\tmov (%1), %%rcx\n\tcmpxchg %%rcx, (%0)")
K(cmpxchg64_fail, "xor %%eax, %%eax\n\tmov (%1), %%rcx\n\tcmpxchg %%rcx, (%0)")
K(lock_cmpxchg32, "mov $0x55555555, %%eax\n\tmov (%1), %%ecx\n\tlock cmpxchg %%ecx, (%0)")
K(lock_cmpxchg8b, "mov $0x55555555, %%eax\n\tmov %%eax, %%edx\n\tmov $1, %%ebx\n\txor %%ecx, %%ecx\n\t"
                  "lock cmpxchg8b (%0)")
K(stosq, LD8 "mov %0, %%rdi\n\tstosq")
K(rep_stosq, LD8 "mov %0, %%rdi\n\tmov $3, %%ecx\n\trep stosq")
K(rep_stosd, LD8 "mov %0, %%rdi\n\tmov $3, %%ecx\n\trep stosl")
K(rep_stosw, LD8 "mov %0, %%rdi\n\tmov $5, %%ecx\n\trep stosw")
K(rep_movsq, "mov %0, %%rdi\n\tmov %1, %%rsi\n\tmov $3, %%ecx\n\trep movsq")
K(rep_movsd, "mov %0, %%rdi\n\tmov %1, %%rsi\n\tmov $3, %%ecx\n\trep movsl")
K(movsw, "mov %0, %%rdi\n\tmov %1, %%rsi\n\tmovsw")
K(popm64, "pushq (%1)\n\tpopq (%0)")
K(shld64, LD8 "shldq $4, %%rax, (%0)")
K(movq_x, "movq (%1), %%xmm0\n\tmovq %%xmm0, (%0)")
K(movd_x, "movd (%1), %%xmm0\n\tmovd %%xmm0, (%0)")
K(movhps_x, "movdqu (%1), %%xmm0\n\tmovhps %%xmm0, (%0)")
K(pextrw_x, "movdqu (%1), %%xmm0\n\tpextrw $3, %%xmm0, (%0)")
K(fstpl, "fldpi\n\tfstpl (%0)")
K(fistpll, "fldpi\n\tfistpll (%0)")
K(fnstcw, "fnstcw (%0)")
/* the stack kinds: rsp = gp, the bytes go below it */
/* the address as a base and an index or displacement (AArch64: the test
 * of a64_store_cross.c on the register offset, scaled index, a
 * displacement that is not a multiple of the size, one beyond an add's
 * immediate) */
K(idx64, LD8 "xor %%ecx, %%ecx\n\tmov %%rax, (%0,%%rcx)")
K(idx64_s8, LD8 "xor %%ecx, %%ecx\n\tmov %%rax, (%0,%%rcx,8)")
K(idx32_s2, LD8 "xor %%ecx, %%ecx\n\tlea -4(%0), %%rdx\n\tmov %%eax, 4(%%rdx,%%rcx,2)")
K(disp64_3, LD8 "lea -3(%0), %%rdx\n\tmov %%rax, 3(%%rdx)")
K(disp16_1, LD8 "lea -1(%0), %%rdx\n\tmov %%ax, 1(%%rdx)")
K(disp64_big, LD8 "lea -0x12345(%0), %%rdx\n\tmov %%rax, 0x12345(%%rdx)")
K(push64, "mov %%rsp, store_cross_sp(%%rip)\n\tmov %0, %%rsp\n\tmov $0x1122334455667788, %%rax\n\t"
          "push %%rax\n\tmov store_cross_sp(%%rip), %%rsp")
K(push16, "mov %%rsp, store_cross_sp(%%rip)\n\tmov %0, %%rsp\n\tmov $0x1122, %%eax\n\t"
          "pushw %%ax\n\tmov store_cross_sp(%%rip), %%rsp")
K(call64, "mov %%rsp, store_cross_sp(%%rip)\n\tmov %0, %%rsp\n\tcall 1f\n"
          "1:\tmov store_cross_sp(%%rip), %%rsp")
/* stores through rsp in a block entered with it (an indirect jmp: a
 * block of its own) at gp or below it (AArch64: the stores at the entry
 * rsp plus a multiple of their size go untested behind the block's entry
 * test of rsp, translator/ir_stack_align.c; 1(%%rsp) is not one, and its
 * rsp is a multiple of 8 where gp is 1 past one) */
#define SP_IN(setup, store) "mov %%rsp, store_cross_sp(%%rip)\n\tlea 1f(%%rip), %%rcx\n\t" setup \
    "\n\tjmp *%%rcx\n1:\t" store "\n\tmov store_cross_sp(%%rip), %%rsp"
K(push64_in, SP_IN("mov $0x1122334455667788, %%rax\n\tmov %0, %%rsp", "push %%rax"))
K(spill64_in, SP_IN(LD8 "lea -8(%0), %%rsp", "mov %%rax, 8(%%rsp)"))
K(spill32_in, SP_IN(LD8 "lea -4(%0), %%rsp", "mov %%eax, 4(%%rsp)"))
K(spill64_d1, SP_IN(LD8 "lea -1(%0), %%rsp", "mov %%rax, 1(%%rsp)"))
/* all-zero masks: nothing is written; whether a bad page faults is the CPU's */
K(maskmovdqu_0, "pxor %%xmm1, %%xmm1\n\tmovdqu (%1), %%xmm0\n\tmov %0, %%rdi\n\t"
                "maskmovdqu %%xmm1, %%xmm0")
K(vmaskmovdqu_0, "vpxor %%xmm1, %%xmm1, %%xmm1\n\tvmovdqu (%1), %%xmm0\n\tmov %0, %%rdi\n\t"
                 "vmaskmovdqu %%xmm1, %%xmm0")
K(vpmaskmovd_0, "vpxor %%xmm1, %%xmm1, %%xmm1\n\tvmovdqu (%1), %%ymm0\n\t"
                "vpmaskmovd %%ymm0, %%ymm1, (%0)\n\tvzeroupper")
K(vmaskmovps_0, "vpxor %%xmm1, %%xmm1, %%xmm1\n\tvmovdqu (%1), %%ymm0\n\t"
                "vmaskmovps %%ymm0, %%ymm1, (%0)\n\tvzeroupper")
/* the save areas: si_addr is the CPU's microcode choice (AMD: the area's
 * last byte); memory unchanged either way */
K(fxsave_a, "fxsave (%0)")
K(fxsave64_a, "fxsave64 (%0)")
K(xsave_a, "mov $3, %%eax\n\txor %%edx, %%edx\n\txsave (%0)")
K(xsave_avx, "mov $7, %%eax\n\txor %%edx, %%edx\n\txsave (%0)")
K(xsaveopt_a, "mov $3, %%eax\n\txor %%edx, %%edx\n\txsaveopt (%0)")
K(xsavec_a, "mov $3, %%eax\n\txor %%edx, %%edx\n\txsavec (%0)")
/* the x87 environment and state, 32- and 16-bit forms (fnstenv masks
 * every exception after it, fnsave initialises the FPU) */
K(fnstenv_a, "fnstenv (%0)\n\tfninit")
K(fnsave_a, "fnsave (%0)\n\tfninit")
K(fnstenv16, "data16 fnstenv (%0)\n\tfninit")
K(fnsave16, "data16 fnsave (%0)\n\tfninit")
K(maskmovq_0, "pxor %%mm1, %%mm1\n\tmovq (%1), %%mm0\n\tmov %0, %%rdi\n\t"
              "maskmovq %%mm1, %%mm0\n\temms")

/* STR: rdi at the fault; REP: rcx too; MOVS: rsi too (the registers a kind sets) */
enum { STACK = 1, STR = 2, CMPX = 4, ALIGN16 = 8, ALIGN64 = 16, WHOLE = 32, RMW = 64, REP = 128,
       MOVS = 256 };
struct kind { const char *name; void (*fn)(void); const char *at; int span, flags; };
#define E(n, s, f) { #n, n, n##_at, s, f }
static const struct kind kinds[] = {
    E(mov16, 2, 0), E(mov32, 4, 0), E(mov64, 8, 0), E(mov64_imm, 8, 0), E(mov16_imm, 2, 0),
    E(movbe64, 8, 0), E(movnti64, 8, 0), E(add64, 8, RMW), E(adc32, 4, RMW), E(sub16, 2, RMW),
    E(or64_imm, 8, RMW), E(inc32, 4, RMW), E(neg64, 8, RMW), E(not16, 2, RMW), E(shl64, 8, RMW),
    E(bts64, 8, RMW), E(xadd64, 8, CMPX | RMW), E(lock_add32, 4, 0), E(xchg64, 8, CMPX),
    E(xchg16, 2, CMPX), E(cmpxchg64_ok, 8, CMPX | RMW), E(cmpxchg64_fail, 8, CMPX | RMW),
    E(lock_cmpxchg32, 4, CMPX), E(lock_cmpxchg8b, 8, CMPX), E(stosq, 8, STR),
    E(rep_stosq, 24, STR | REP), E(rep_stosd, 12, STR | REP), E(rep_stosw, 10, STR | REP),
    E(rep_movsq, 24, STR | REP | MOVS),
    E(rep_movsd, 12, STR | REP | MOVS), E(movsw, 2, STR | MOVS), E(popm64, 8, 0), E(shld64, 8, RMW), E(movq_x, 8, 0),
    E(movd_x, 4, 0), E(movhps_x, 8, 0), E(pextrw_x, 2, 0), E(fstpl, 8, 0), E(fistpll, 8, 0),
    E(fnstcw, 2, 0), E(idx64, 8, 0), E(idx64_s8, 8, 0), E(idx32_s2, 4, 0), E(disp64_3, 8, 0),
    E(disp16_1, 2, 0), E(disp64_big, 8, 0), E(push64, -8, STACK), E(push16, -2, STACK), E(call64, -8, STACK),
    E(push64_in, -8, STACK), E(spill64_in, 8, 0), E(spill32_in, 4, 0), E(spill64_d1, 8, 0),
    E(maskmovdqu_0, 16, WHOLE), E(vmaskmovdqu_0, 16, WHOLE), E(vpmaskmovd_0, 32, WHOLE),
    E(vmaskmovps_0, 32, WHOLE), E(fxsave_a, 512, ALIGN16), E(fxsave64_a, 512, ALIGN16),
    E(xsave_a, 576, ALIGN64), E(xsave_avx, 832, ALIGN64), E(xsaveopt_a, 576, ALIGN64),
    E(xsavec_a, 576, ALIGN64), E(maskmovq_0, 8, WHOLE), E(fnstenv_a, 28, 0), E(fnsave_a, 108, 0),
    E(fnstenv16, 14, 0), E(fnsave16, 94, 0),
};

static void run(const struct kind *k, int lay, long off)
{
    int span = k->span < 0 ? -k->span : k->span;
    store_pages_layout(lay);
    gp = page + off;
    printf("L%d %s %+ld:", lay, k->name, off > pg / 2 ? off - pg : off);
    fflush(stdout);
    if (sigsetjmp(back, 1)) {
        printf(" SIGSEGV");
        /* a plain read-modify-write from a read-only page into an
         * unmapped one: the CPU names the first byte (it checks for
         * writing first), ferry's read the unmapped page (docs/status.md) */
        if (!(k->flags & RMW) || lay != 3)
            printf(" addr %+ld", (long)(fault_addr - (uintptr_t)page - pg));
        printf(" rip %+ld W %ld", (long)(fault_reg(REG_RIP) - (uintptr_t)k->at),
               (long)fault_regs[REG_ERR] >> 1 & 1);
        if (k->flags & REP)
            printf(" rcx %lu", (unsigned long)fault_reg(REG_RCX));
        if (k->flags & STR)
            printf(" rdi %+ld", (long)(fault_reg(REG_RDI) - (uintptr_t)gp));
        if (k->flags & MOVS)
            printf(" rsi %+ld", (long)(fault_reg(REG_RSI) - (uintptr_t)src));
        if (k->flags & CMPX)
            printf(" rax %lx", (unsigned long)fault_reg(REG_RAX));
    } else {
        k->fn();
        printf(" ok");
        if (k->fn == call64)
            store_pages_call_ret(gp, k->at);
    }
    const unsigned char *lo = k->span < 0 ? gp - span : gp;
    long shown = span > 32 ? 16 : span;
    printf(" mem ");
    store_pages_dump(lo - 4, 4);
    printf("|");
    store_pages_dump(lo, shown);
    printf("|");
    store_pages_dump(lo + span - (span > 32 ? 16 : 0), span > 32 ? 16 : 4);
    printf("\n");
}

int main(void)
{
    if (store_pages_init())
        return 1;
    for (int lay = 0; lay < 4; lay++) {
        for (unsigned n = 0; n < sizeof kinds / sizeof kinds[0]; n++) {
            const struct kind *k = &kinds[n];
            int span = k->span < 0 ? -k->span : k->span, push = k->span < 0 ? span : 0;
            /* crossing the top edge, inside the page, crossing the bottom
             * edge (a push's address is its rsp: the bytes go below it);
             * the whole-mask kinds also at a bad page's middle */
            long offs[] = { pg - span + 1, pg - span / 2, pg - 1, pg - span, -1, -span + 1,
                            -span / 2, 0, pg + 64, -pg + 64 };
            unsigned n_offs = k->flags & WHOLE ? 10 : 8;
            long last = 1L << 40;
            for (unsigned o = 0; o < n_offs; o++) {
                long off = offs[o] + push;
                if (k->flags & ALIGN16)
                    off &= ~15L;
                if (k->flags & ALIGN64)
                    off &= ~63L;
                if (off == last || (span == 2 && o == 1))
                    continue;
                last = off;
                run(k, lay, off);
            }
        }
    }
    return 0;
}
