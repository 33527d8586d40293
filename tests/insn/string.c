/* string.c -- difftest of the string instructions: movs stos lods cmps scas
 * at 1/2/4/8 bytes, without and with rep/repe/repne, with DF=0 and DF=1
 * (std/cld), over several counts. Prints where rsi/rdi/rcx ended (as
 * offsets: buffer addresses differ between runs), rax, the flags for
 * cmps/scas (all six defined, as for CMP) and a hash of the destination.
 * rep with rcx = 0 must do nothing, and leave the flags alone. */
#include "insn.h"

static uint8_t src[256], dst[256];

static uint64_t hash_dst(void)
{
    uint64_t h = 1469598103934665603ull;
    for (unsigned i = 0; i < sizeof dst; i++)
        h = (h ^ dst[i]) * 1099511628211ull;
    return h;
}

static void reset(unsigned seed)
{
    for (unsigned i = 0; i < sizeof src; i++) {
        src[i] = (uint8_t)(i * 7 + seed);
        dst[i] = (uint8_t)(i * 7 + seed);
    }
    /* differences for cmps/scas to stop at */
    dst[100 + seed % 8] ^= 0x40;
    dst[140] = 0;
}

static const uint64_t counts[] = { 0, 1, 2, 3, 7, 16 };

/* TEXT runs between "std" or "cld" and the flag capture. */
#define STR(FN, TEXT)                                                         \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned df = 0; df < 2; df++)                                   \
            for (unsigned n = 0; n < sizeof counts / sizeof counts[0]; n++)   \
                for (unsigned seed = 0; seed < 3; seed++) {                   \
                    reset(seed);                                              \
                    uint8_t *s0 = src + 128, *d0 = dst + 96 + seed * 4;       \
                    uint64_t si = (uint64_t)s0, di = (uint64_t)d0;            \
                    uint64_t c = counts[n], a = 0x1122334455667700ull + dst[99 + seed * 4]; \
                    uint64_t fl = F_BASE | (seed == 1 ? F_ARITH : 0);         \
                    __asm__ volatile("push %[fl]\n\tpopfq\n\t"                \
                                     "test %[df], %[df]\n\t"                  \
                                     "jz 1f\n\t"                              \
                                     "std\n\t"                                \
                                     "jmp 2f\n"                               \
                                     "1:\tcld\n"                              \
                                     "2:\t" TEXT "\n\t"                       \
                                     "pushfq\n\tpop %[fl]\n\tcld"             \
                                     : "+S"(si), "+D"(di), "+c"(c), "+a"(a),  \
                                       [fl] "+r"(fl)                          \
                                     : [df] "r"((uint64_t)df)                 \
                                     : "cc", "memory");                       \
                    uint64_t in[] = { df, counts[n], seed };                  \
                    uint64_t out[] = { si - (uint64_t)s0, di - (uint64_t)d0,  \
                                       c, a, fl & (F_ARITH | F_DF), hash_dst() }; \
                    INSN_CASE(TEXT, in, out);                                 \
                }                                                             \
    }

STR(movsb, "movsb")
STR(movsq, "movsq")
STR(rep_movsb, "rep movsb")
STR(rep_movsw, "rep movsw")
STR(rep_movsl, "rep movsl")
STR(rep_movsq, "rep movsq")
STR(stosw, "stosw")
STR(rep_stosb, "rep stosb")
STR(rep_stosw, "rep stosw")
STR(rep_stosl, "rep stosl")
STR(rep_stosq, "rep stosq")
STR(lodsb, "lodsb")
STR(lodsl, "lodsl")
STR(rep_lodsq, "rep lodsq")
STR(cmpsb, "cmpsb")
STR(cmpsq, "cmpsq")
STR(repe_cmpsb, "repe cmpsb")
STR(repe_cmpsw, "repe cmpsw")
STR(repe_cmpsl, "repe cmpsl")
STR(repe_cmpsq, "repe cmpsq")
STR(repne_cmpsb, "repne cmpsb")
STR(scasb, "scasb")
STR(scasl, "scasl")
STR(repne_scasb, "repne scasb")
STR(repne_scasw, "repne scasw")
STR(repe_scasb, "repe scasb")
STR(repe_scasq, "repe scasq")
STR(repne_scasq, "repne scasq")
/* f2 (repne: a plain rep for movs/stos/lods) before movsw/movsd, also
 * behind 66/67/segment prefixes and with f3 first: capstone 4 reports no
 * repeat prefix for some of these (FEX's Primary_A4_REPNE tests). */
STR(repne_movsd, ".byte 0xf2, 0xa5")
STR(repne_movsw, ".byte 0xf2, 0x66, 0xa5")
STR(repne_movsw_66, ".byte 0x66, 0xf2, 0xa5")
STR(repne_movsd_seg, ".byte 0x2e, 0xf2, 0xa5")
STR(rep_repne_movsd, ".byte 0xf3, 0xf2, 0xa5")
STR(repne_rep_cmpsd, ".byte 0xf2, 0xf3, 0xa7")
STR(rep_repne_cmpsw, ".byte 0xf3, 0x66, 0xf2, 0xa7")

int main(void) { return insn_main(); }
