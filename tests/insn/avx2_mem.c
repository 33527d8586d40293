/* avx2_mem.c -- difftest of AVX2's element-wise memory forms:
 *  - vpgatherdd/dq/qd/qq and vgatherdps/dpd/qps/qpd, 128 and 256 bits, dword
 *    and qword indices (negative ones too), scales 1/2/4/8 with a
 *    displacement, masks all/none/mixed: destination and mask (cleared)
 *    after, all 256 bits of both;
 *  - a gather whose highest active element faults (PROT_NONE page): the
 *    signal handler reads the destination and mask from the signal frame
 *    (lower elements done, mask cleared for them: the state the SDM
 *    guarantees), si_addr; a masked-off element on that page does not
 *    fault;
 *  - vpmaskmovd/q loads and stores, 128 and 256, masks all/none/mixed,
 *    masked-off elements on a PROT_NONE page (no fault). */
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "avx2.h"
#include "ud_case.h"

static int64_t table[64];
static const int64_t *mid = &table[32];

static void gather_init(void)
{
    for (int i = 0; i < 64; i++)
        table[i] = (int64_t)(insn_value((unsigned)i % INSN_NVALUES) ^ (0x1111111111111111ull * (unsigned)i));
}

/* Index vectors in [-30, 30] (units of the scale): gidx[0..2] as dword
 * pairs, gidx[3..5] as sign-extended qwords (good for both forms). */
static y256 gidx[6], gmask[5];

static void gather_vectors(void)
{
    gather_init();
    for (int k = 0; k < 6; k++)
        for (int m = 0; m < 4; m++) {
            uint64_t r = insn_rand();
            int32_t d0 = (int32_t)(r % 61) - 30, d1 = (int32_t)((r >> 20) % 61) - 30;
            gidx[k].q[m] = k < 3 ? (uint32_t)d0 | (uint64_t)(uint32_t)d1 << 32 : (uint64_t)(int64_t)d0;
        }
    static const uint64_t masks[5][4] = {
        { ~0ull, ~0ull, ~0ull, ~0ull }, { 0, 0, 0, 0 },
        { 0x8000000000000000ull, 0x80000000ull, 0x7fffffffffffffffull, 0xffffffff00000000ull },
        { 0x0000000080000000ull, 0x8000000000000001ull, 0x8000000080000000ull, 1 },
        { 0x123456789abcdef0ull, 0xfedcba9876543210ull, 0x8080808080808080ull, 0x7f7f7f7f7f7f7f7full },
    };
    memcpy(gmask, masks, sizeof masks);
}

static void g_case(const char *name, int k, int m, const y256 *d, const y256 *mk)
{
    uint64_t in[] = { (uint64_t)k, (uint64_t)m }, out[8];
    memcpy(out, d->q, 32);
    memcpy(out + 4, mk->q, 32);
    insn_case(name, 2, in, 8, out);
}

/* dst ymm0 (preloaded with g), index ymm1, mask ymm2 */
#define GATHER(NAME, INSN, MEM, DST, IDX, MSK)                                                  \
    static void NAME(int k, int m)                                                               \
    {                                                                                            \
        y256 g = yv[(k * 5 + m) % NY], x = gidx[k], mk = gmask[m], d;                             \
        __asm__ volatile("vmovdqu %[g], %%ymm0\n\tvmovdqu %[x], %%ymm1\n\tvmovdqu %[mk], %%ymm2\n\t" \
                         INSN " %%" MSK "mm2, " MEM ", %%" DST "mm0\n\t"                         \
                         "vmovdqu %%ymm0, %[d]\n\tvmovdqu %%ymm2, %[mk]"                         \
                         : [d] "=m"(d), [mk] "+m"(mk) : [g] "m"(g), [x] "m"(x), [b] "r"(mid)     \
                         : "xmm0", "xmm1", "xmm2", "memory");                                    \
        g_case(#NAME, k, m, &d, &mk);                                                            \
    }
GATHER(vpgatherdd_y, "vpgatherdd", "-4(%[b],%%ymm1,8)", "y", "y", "y")
GATHER(vpgatherdd_x, "vpgatherdd", "(%[b],%%xmm1,4)", "x", "x", "x")
GATHER(vpgatherdq_y, "vpgatherdq", "(%[b],%%xmm1,8)", "y", "x", "y")
GATHER(vpgatherdq_x, "vpgatherdq", "8(%[b],%%xmm1,8)", "x", "x", "x")
GATHER(vpgatherqd_y, "vpgatherqd", "(%[b],%%ymm1,4)", "x", "y", "x")
GATHER(vpgatherqd_x, "vpgatherqd", "(%[b],%%xmm1,2)", "x", "x", "x")
GATHER(vpgatherqq_y, "vpgatherqq", "(%[b],%%ymm1,8)", "y", "y", "y")
GATHER(vpgatherqq_x, "vpgatherqq", "16(%[b],%%xmm1,1)", "x", "x", "x")
GATHER(vgatherdps_y, "vgatherdps", "(%[b],%%ymm1,4)", "y", "y", "y")
GATHER(vgatherdps_x, "vgatherdps", "(%[b],%%xmm1,1)", "x", "x", "x")
GATHER(vgatherdpd_y, "vgatherdpd", "(%[b],%%xmm1,8)", "y", "x", "y")
GATHER(vgatherdpd_x, "vgatherdpd", "(%[b],%%xmm1,8)", "x", "x", "x")
GATHER(vgatherqps_y, "vgatherqps", "(%[b],%%ymm1,8)", "x", "y", "x")
GATHER(vgatherqps_x, "vgatherqps", "(%[b],%%xmm1,4)", "x", "x", "x")
GATHER(vgatherqpd_y, "vgatherqpd", "(%[b],%%ymm1,8)", "y", "y", "y")
GATHER(vgatherqpd_x, "vgatherqpd", "(%[b],%%xmm1,8)", "x", "x", "x")

INSN_TEST(gathers)
{
    static void (*const fns[])(int, int) = {
        vpgatherdd_y, vpgatherdd_x, vpgatherdq_y, vpgatherdq_x, vpgatherqd_y, vpgatherqd_x,
        vpgatherqq_y, vpgatherqq_x, vgatherdps_y, vgatherdps_x, vgatherdpd_y, vgatherdpd_x,
        vgatherqps_y, vgatherqps_x, vgatherqpd_y, vgatherqpd_x,
    };
    gather_vectors();
    for (unsigned f = 0; f < sizeof fns / sizeof fns[0]; f++)
        for (int k = (f / 4) % 2 ? 3 : 0; k < 6; k++)     /* qword indices: gidx[3..5] */
            for (int m = 0; m < 5; m++)
                fns[f](k, m);
}

/* ---- faults ---- */

static uint8_t *pages;                  /* a readable page, then a PROT_NONE one */
static sigjmp_buf back;
static uint64_t fault_out[10];

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    const uint8_t *fp = (const uint8_t *)uc->uc_mcontext.fpregs;
    memcpy(fault_out, fp + 160, 16);                /* xmm0 */
    memcpy(fault_out + 2, fp + 576, 16);            /* ymm0 upper */
    memcpy(fault_out + 4, fp + 160 + 32, 16);       /* xmm2 (mask) */
    memcpy(fault_out + 6, fp + 576 + 32, 16);
    fault_out[8] = (uint64_t)((uint8_t *)si->si_addr - pages);
    fault_out[9] = (uint64_t)si->si_code;
    siglongjmp(back, 1);
}

/* vpgatherdd ymm0, [pages + ymm1*4], ymm2: element 7 (and element 5 when
 * bad5) on the PROT_NONE page; m2, m3: the mask's upper qwords (elements
 * 4-5, 6-7). */
static void fault_case(const char *name, bool bad5, uint64_t m2, uint64_t m3)
{
    y256 g = yv[3], x, mk = { { ~0ull, ~0ull, m2, m3 } }, d = { { 0 } };
    for (int i = 0; i < 8; i++) {
        uint32_t e = (uint32_t)(i * 100);
        if (i == 7 || (i == 5 && bad5))
            e = 1024 + (uint32_t)i;                 /* 4096 + 4i: the second page */
        memcpy((uint8_t *)x.q + 4 * i, &e, 4);
    }
    memset(fault_out, 0, sizeof fault_out);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, &old);
    int faulted = sigsetjmp(back, 1);
    if (!faulted) {
        __asm__ volatile("vmovdqu %[g], %%ymm0\n\tvmovdqu %[x], %%ymm1\n\tvmovdqu %[mk], %%ymm2\n\t"
                         "vpgatherdd %%ymm2, (%[b],%%ymm1,4), %%ymm0\n\t"
                         "vmovdqu %%ymm0, %[d]\n\tvmovdqu %%ymm2, %[mk]"
                         : [d] "+m"(d), [mk] "+m"(mk) : [g] "m"(g), [x] "m"(x), [b] "r"(pages)
                         : "xmm0", "xmm1", "xmm2", "memory");
        memcpy(fault_out, d.q, 32);
        memcpy(fault_out + 4, mk.q, 32);
    }
    sigaction(SIGSEGV, &old, NULL);
    uint64_t in[] = { bad5, m2, m3, (uint64_t)faulted };
    insn_case(name, 4, in, 10, fault_out);
}

INSN_TEST(gather_fault)
{
    for (int i = 0; i < 4096; i++)
        pages[i] = (uint8_t)(i * 7 + 1);
    fault_case("gather: element 7 faults", false, ~0ull, ~0ull);
    fault_case("gather: 5 and 7 masked off", true, 0x7fffffffffffffffull, 0x7fffffffffffffffull);
    fault_case("gather: 5 masked off, 7 faults", true, 0x7fffffffffffffffull, ~0ull);
    fault_case("gather: element 7 faults, 6 masked off", false, ~0ull, 0xffffffff7fffffffull);
}

/* ---- vpmaskmov ---- */

#define MASKLOAD(NAME, INSN, R)                                                                 \
    static void NAME(const uint8_t *p, const y256 *mk, y256 *d)                                  \
    {                                                                                            \
        __asm__ volatile("vmovdqu %[g], %%ymm0\n\tvmovdqu %[mk], %%ymm1\n\t"                    \
                         INSN " (%[p]), %%" R "mm1, %%" R "mm0\n\tvmovdqu %%ymm0, %[d]"          \
                         : [d] "=m"(*d) : [g] "m"(yv[5]), [mk] "m"(*mk), [p] "r"(p)             \
                         : "xmm0", "xmm1", "memory");                                            \
    }
#define MASKSTORE(NAME, INSN, R)                                                                \
    static void NAME(uint8_t *p, const y256 *mk, y256 *d)                                        \
    {                                                                                            \
        (void)d;                                                                                 \
        __asm__ volatile("vmovdqu %[g], %%ymm0\n\tvmovdqu %[mk], %%ymm1\n\t"                    \
                         INSN " %%" R "mm0, %%" R "mm1, (%[p])"                                  \
                         : : [g] "m"(yv[6]), [mk] "m"(*mk), [p] "r"(p) : "xmm0", "xmm1", "memory"); \
    }
MASKLOAD(ld_d_y, "vpmaskmovd", "y") MASKLOAD(ld_d_x, "vpmaskmovd", "x")
MASKLOAD(ld_q_y, "vpmaskmovq", "y") MASKLOAD(ld_q_x, "vpmaskmovq", "x")
MASKSTORE(st_d_y, "vpmaskmovd", "y") MASKSTORE(st_d_x, "vpmaskmovd", "x")
MASKSTORE(st_q_y, "vpmaskmovq", "y") MASKSTORE(st_q_x, "vpmaskmovq", "x")

INSN_TEST(maskmov)
{
    static void (*const lds[])(const uint8_t *, const y256 *, y256 *) = { ld_d_y, ld_d_x, ld_q_y, ld_q_x };
    static void (*const sts[])(uint8_t *, const y256 *, y256 *) = { st_d_y, st_d_x, st_q_y, st_q_x };
    static const char *const names[] = { "vpmaskmovd.y", "vpmaskmovd.x", "vpmaskmovq.y", "vpmaskmovq.x" };
    gather_vectors();
    for (int f = 0; f < 4; f++)
        for (int m = 0; m < 5; m++) {
            y256 d, buf;
            lds[f]((const uint8_t *)yv[7].q, &gmask[m], &d);
            g_case(names[f], 0, m, &d, &gmask[m]);
            buf = yv[8];
            sts[f]((uint8_t *)buf.q, &gmask[m], &d);
            g_case(names[f], 1, m, &buf, &gmask[m]);
            /* the last 16 bytes before the PROT_NONE page; masked-off
             * elements past it do not fault */
            y256 off = { { ~0ull, ~0ull, 0, 0 } };
            uint8_t *edge = pages + 4096 - 16;
            memcpy(edge, yv[9].q, 16);
            lds[f](edge, &off, &d);
            g_case(names[f], 2, m, &d, &off);
            sts[f](edge, &off, &d);
            memcpy(buf.q, edge, 16);
            memset(buf.q + 2, 0, 16);
            g_case(names[f], 3, m, &buf, &off);
        }
}

INSN_TEST(avx2_mem_ud)
{
    UD_BEGIN;
    UD_CASE("vpaddb_y", "0xc5, 0xf5, 0xfc, 0xcb");
    UD_END;
}

/* A CPU without AVX2 runs only the refusals (ud_main). */
int main(void)
{
    uint64_t has = ud_cpuid_bit(7, 0, 1, 5);
    pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(pages + 4096, 4096, PROT_NONE);
    return ud_main("cpuid avx2", has, avx2_mem_ud);
}
