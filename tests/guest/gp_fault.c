/* gp_fault.c -- general-protection faults (#GP: SIGSEGV with si_code
 * SI_KERNEL, si_addr 0, REG_TRAPNO 13, REG_ERR 0, RIP at the instruction)
 * for operands the CPU refuses:
 *  - misaligned 16-byte memory operands of legacy SSE/AES/PCLMULQDQ forms
 *    (every SSE-family form with a memory operand, at address 16n+1, and
 *    the exceptions: movups, lddqu, the SSE4.2 string compares, SHA, scalar
 *    and 8-byte operands, MMX), of the VEX aligned moves at 16 and 32
 *    bytes (vmovaps ymm at 16n is misaligned) but not other VEX forms;
 *    the store is not made and the destination register keeps its value;
 *  - indirect jmp/call/ret (also through memory) to non-canonical
 *    addresses: #GP at the jump, rsp as before it (no push, no pop); a
 *    canonical unmapped target is a page fault at the target instead.
 * The handler prints the frame (RIP relative to the instruction, RSP
 * relative to before it, EFLAGS, xmm1's low half) and longjmps; it takes
 * SIGILL too, for the extensions a CPU lacks (AVX-VNNI on Ice Lake,
 * MOVDIRI...): ferry, imitating the host, must refuse them alike. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static sigjmp_buf back;
static char *at;
static long rsp0;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    uint64_t x1;
    memcpy(&x1, &uc->uc_mcontext.fpregs->_xmm[1], 8);
    bool ill = sig == SIGILL;           /* si_addr is the instruction's: printed relative */
    if (ill)
        printf("  sig %d code %d addr-at %lld", sig, si->si_code, (long long)((char *)si->si_addr - at));
    else
        printf("  sig %d code %d addr %p", sig, si->si_code, si->si_addr);
    printf(" trapno %lld err %lld rip-at %lld rsp-delta %lld eflags %03llx xmm1 %016llx\n",
           (long long)g[REG_TRAPNO], (long long)g[REG_ERR],
           si->si_code == 128 || ill ? (long long)(g[REG_RIP] - (greg_t)at) : -1LL,
           (long long)(g[REG_RSP] - rsp0), (unsigned long long)g[REG_EFL] & 0x8d5,
           (unsigned long long)x1);
    siglongjmp(back, 1);
}

static char buf[96] __attribute__((aligned(64)));
static const uint64_t pattern[2] = { 0x1122334455667788ull, 0x99aabbccddeeff00ull };

/* rcx = buf + 1, xmm1 = pattern, EFLAGS = 0x8d5 pattern, then INSN */
#define T(NAME, INSN)                                                          \
    do {                                                                      \
        extern char NAME##_at[];                                              \
        at = NAME##_at;                                                       \
        printf("%s\n", #NAME);                                                \
        if (!sigsetjmp(back, 1)) {                                            \
            __asm__ volatile("movdqu %[p], %%xmm1\n\tlea 1+%[b], %%rcx\n\t"    \
                             "mov $0x8d5, %%eax\n\tpush %%rax\n\tpopf\n\t"     \
                             "mov %%rsp, %[s]\n\t"                            \
                             ".globl " #NAME "_at\n" #NAME "_at:\n\t" INSN     \
                             : [s] "=m"(rsp0)                                 \
                             : [b] "m"(buf), [p] "m"(pattern)                 \
                             : "rax", "rcx", "rdi", "xmm0", "xmm1", "memory", "cc"); \
            printf("  ok\n");                                                 \
        }                                                                     \
    } while (0)

/* xmm1 = pattern, EFLAGS = 0x8d5 pattern, rax = TARGET, then INSN (a
 * jump to it) */
#define J(NAME, TARGET, INSN)                                                  \
    do {                                                                      \
        extern char NAME##_at[];                                              \
        at = NAME##_at;                                                       \
        printf("%s\n", #NAME);                                                \
        if (!sigsetjmp(back, 1)) {                                            \
            __asm__ volatile("movdqu %[p], %%xmm1\n\tpush $0x8d5\n\tpopf\n\t"     \
                             "mov %%rsp, %[s]\n\t.globl " #NAME "_at\n" #NAME "_at:\n\t" INSN \
                             : [s] "=m"(rsp0) : "a"(TARGET), [p] "m"(pattern)  \
                             : "rcx", "xmm1", "memory", "cc");                \
            printf("  ok\n");                                                 \
        }                                                                     \
    } while (0)

static void aligned_forms(void)
{
    T(movaps_load, "movaps (%%rcx), %%xmm1");
    T(movaps_st, "movaps %%xmm1, (%%rcx)");
    T(movups, "movups (%%rcx), %%xmm1");
    T(addps, "addps (%%rcx), %%xmm1");
    T(addss, "addss (%%rcx), %%xmm1");
    T(paddb, "paddb (%%rcx), %%xmm1");
    T(punpcklbw, "punpcklbw (%%rcx), %%xmm1");
    T(pcmpestri, "pcmpestri $0, (%%rcx), %%xmm1");
    T(pcmpistri, "pcmpistri $0, (%%rcx), %%xmm1");
    T(aesenc, "aesenc (%%rcx), %%xmm1");
    T(sha256msg1, "sha256msg1 (%%rcx), %%xmm1");
    T(pclmul, "pclmulqdq $0, (%%rcx), %%xmm1");
    T(gf2p8mulb, "gf2p8mulb (%%rcx), %%xmm1");
    T(gf2p8affineqb, "gf2p8affineqb $0, (%%rcx), %%xmm1");
    T(gf2p8affineinvqb, "gf2p8affineinvqb $0, (%%rcx), %%xmm1");
    T(vgf2p8mulb, "vgf2p8mulb (%%rcx), %%xmm1, %%xmm1");
    T(vgf2p8affineqb_y, "vgf2p8affineqb $0, (%%rcx), %%ymm1, %%ymm1");
    T(vaesenc_y, "vaesenc (%%rcx), %%ymm1, %%ymm1");
    T(vpclmulqdq_y, "vpclmulqdq $0, (%%rcx), %%ymm1, %%ymm1");
    T(vpdpbusd_y, "%{vex%} vpdpbusd (%%rcx), %%ymm1, %%ymm1");
    T(movntdqa, "movntdqa (%%rcx), %%xmm1");
    T(lddqu, "lddqu (%%rcx), %%xmm1");
    T(pmovzxbw, "pmovzxbw (%%rcx), %%xmm1");
    T(cvtps2pd, "cvtps2pd (%%rcx), %%xmm1");
    T(cvtdq2pd, "cvtdq2pd (%%rcx), %%xmm1");
    T(movddup, "movddup (%%rcx), %%xmm1");
    T(movshdup, "movshdup (%%rcx), %%xmm1");
    T(movhps, "movhps (%%rcx), %%xmm1");
    T(pshufd, "pshufd $0, (%%rcx), %%xmm1");
    T(insertps, "insertps $0, (%%rcx), %%xmm1");
    T(roundss, "roundss $0, (%%rcx), %%xmm1");
    T(blendvps, "blendvps %%xmm0, (%%rcx), %%xmm1");
    T(ptest, "ptest (%%rcx), %%xmm1");
    T(comiss, "comiss (%%rcx), %%xmm1");
    T(cvtpi2ps, "cvtpi2ps (%%rcx), %%xmm1");
    T(paddb_mm, "paddb (%%rcx), %%mm1\n\temms");
    T(pshufb_mm, "pshufb (%%rcx), %%mm1\n\temms");
    T(vaddps, "vaddps (%%rcx), %%xmm1, %%xmm1");
    T(vmovaps, "vmovaps (%%rcx), %%xmm1");
    T(vmovaps_y16, "lea 15(%%rcx), %%rcx\n\tvmovaps (%%rcx), %%ymm1");
    T(vmovdqa_st, "vmovdqa %%xmm1, (%%rcx)");
    T(vmovntdqa, "vmovntdqa (%%rcx), %%xmm1");
    T(vmovntdqa_y16, "lea 15(%%rcx), %%rcx\n\tvmovntdqa (%%rcx), %%ymm1");
    T(vmovntps, "vmovntps %%xmm1, (%%rcx)");
    T(maskmov, "mov %%rcx, %%rdi\n\tmaskmovdqu %%xmm1, %%xmm1");
    T(fxsave, "fxsave (%%rcx)");
    T(cmpxchg16b, "cmpxchg16b (%%rcx)\n\tpushf\n\tpop %%rax");   /* flags live after it */
    T(movdqa_fs, "movdqa %%fs:(%%rcx), %%xmm1");
}

/* every SSE-family form ferry has a row for, memory operand at 16n+1 */
static void legacy_sweep(void)
{
    T(addpd_0, "addpd (%%rcx), %%xmm1");
    T(addps_1, "addps (%%rcx), %%xmm1");
    T(addsd_2, "addsd (%%rcx), %%xmm1");
    T(addss_3, "addss (%%rcx), %%xmm1");
    T(addsubpd_4, "addsubpd (%%rcx), %%xmm1");
    T(addsubps_5, "addsubps (%%rcx), %%xmm1");
    T(aesdec_6, "aesdec (%%rcx), %%xmm1");
    T(aesdeclast_7, "aesdeclast (%%rcx), %%xmm1");
    T(aesenc_8, "aesenc (%%rcx), %%xmm1");
    T(aesenclast_9, "aesenclast (%%rcx), %%xmm1");
    T(aesimc_10, "aesimc (%%rcx), %%xmm1");
    T(aeskeygenassist_11, "aeskeygenassist $0, (%%rcx), %%xmm1");
    T(andnpd_12, "andnpd (%%rcx), %%xmm1");
    T(andnps_13, "andnps (%%rcx), %%xmm1");
    T(andpd_14, "andpd (%%rcx), %%xmm1");
    T(andps_15, "andps (%%rcx), %%xmm1");
    T(blendpd_16, "blendpd $0, (%%rcx), %%xmm1");
    T(blendps_17, "blendps $0, (%%rcx), %%xmm1");
    T(blendvpd_18, "blendvpd (%%rcx), %%xmm1");
    T(blendvps_19, "blendvps (%%rcx), %%xmm1");
    T(cmppd_20, "cmppd $0, (%%rcx), %%xmm1");
    T(cmpps_21, "cmpps $0, (%%rcx), %%xmm1");
    T(cmpsd_22, "cmpsd $0, (%%rcx), %%xmm1");
    T(cmpss_23, "cmpss $0, (%%rcx), %%xmm1");
    T(comisd_24, "comisd (%%rcx), %%xmm1");
    T(comiss_25, "comiss (%%rcx), %%xmm1");
    T(crc32_26, "crc32b (%%rcx), %%eax");
    T(cvtdq2pd_27, "cvtdq2pd (%%rcx), %%xmm1");
    T(cvtdq2ps_28, "cvtdq2ps (%%rcx), %%xmm1");
    T(cvtpd2dq_29, "cvtpd2dq (%%rcx), %%xmm1");
    T(cvtpd2ps_30, "cvtpd2ps (%%rcx), %%xmm1");
    T(cvtps2dq_31, "cvtps2dq (%%rcx), %%xmm1");
    T(cvtps2pd_32, "cvtps2pd (%%rcx), %%xmm1");
    T(cvtsd2si_33, "cvtsd2si (%%rcx), %%eax");
    T(cvtsd2ss_34, "cvtsd2ss (%%rcx), %%xmm1");
    T(cvtsi2sd_35, "cvtsi2sd (%%rcx), %%xmm1");
    T(cvtsi2ss_36, "cvtsi2ss (%%rcx), %%xmm1");
    T(cvtss2sd_37, "cvtss2sd (%%rcx), %%xmm1");
    T(cvtss2si_38, "cvtss2si (%%rcx), %%eax");
    T(cvttpd2dq_39, "cvttpd2dq (%%rcx), %%xmm1");
    T(cvttps2dq_40, "cvttps2dq (%%rcx), %%xmm1");
    T(cvttsd2si_41, "cvttsd2si (%%rcx), %%eax");
    T(cvttss2si_42, "cvttss2si (%%rcx), %%eax");
    T(divpd_43, "divpd (%%rcx), %%xmm1");
    T(divps_44, "divps (%%rcx), %%xmm1");
    T(divsd_45, "divsd (%%rcx), %%xmm1");
    T(divss_46, "divss (%%rcx), %%xmm1");
    T(dppd_47, "dppd $0, (%%rcx), %%xmm1");
    T(dpps_48, "dpps $0, (%%rcx), %%xmm1");
    T(extractps_49, "extractps $0, %%xmm1, (%%rcx)");
    T(haddpd_50, "haddpd (%%rcx), %%xmm1");
    T(haddps_51, "haddps (%%rcx), %%xmm1");
    T(hsubpd_52, "hsubpd (%%rcx), %%xmm1");
    T(hsubps_53, "hsubps (%%rcx), %%xmm1");
    T(insertps_54, "insertps $0, (%%rcx), %%xmm1");
    T(lddqu_55, "lddqu (%%rcx), %%xmm1");
    T(maxpd_56, "maxpd (%%rcx), %%xmm1");
    T(maxps_57, "maxps (%%rcx), %%xmm1");
    T(maxsd_58, "maxsd (%%rcx), %%xmm1");
    T(maxss_59, "maxss (%%rcx), %%xmm1");
    T(minpd_60, "minpd (%%rcx), %%xmm1");
    T(minps_61, "minps (%%rcx), %%xmm1");
    T(minsd_62, "minsd (%%rcx), %%xmm1");
    T(minss_63, "minss (%%rcx), %%xmm1");
    T(movapd_64, "movapd (%%rcx), %%xmm1");
    T(movaps_65, "movaps (%%rcx), %%xmm1");
    T(movd_66, "movd (%%rcx), %%xmm1");
    T(movddup_67, "movddup (%%rcx), %%xmm1");
    T(movdqa_68, "movdqa (%%rcx), %%xmm1");
    T(movdqu_69, "movdqu (%%rcx), %%xmm1");
    T(movhpd_70, "movhpd (%%rcx), %%xmm1");
    T(movhps_71, "movhps (%%rcx), %%xmm1");
    T(movlpd_72, "movlpd (%%rcx), %%xmm1");
    T(movlps_73, "movlps (%%rcx), %%xmm1");
    T(movntdq_74, "movntdq %%xmm1, (%%rcx)");
    T(movntdqa_75, "movntdqa (%%rcx), %%xmm1");
    T(movntpd_76, "movntpd %%xmm1, (%%rcx)");
    T(movntps_77, "movntps %%xmm1, (%%rcx)");
    T(movq_78, "movq (%%rcx), %%xmm1");
    T(movshdup_79, "movshdup (%%rcx), %%xmm1");
    T(movsldup_80, "movsldup (%%rcx), %%xmm1");
    T(movss_81, "movss (%%rcx), %%xmm1");
    T(movupd_82, "movupd (%%rcx), %%xmm1");
    T(movups_83, "movups (%%rcx), %%xmm1");
    T(mpsadbw_84, "mpsadbw $0, (%%rcx), %%xmm1");
    T(mulpd_85, "mulpd (%%rcx), %%xmm1");
    T(mulps_86, "mulps (%%rcx), %%xmm1");
    T(mulsd_87, "mulsd (%%rcx), %%xmm1");
    T(mulss_88, "mulss (%%rcx), %%xmm1");
    T(orpd_89, "orpd (%%rcx), %%xmm1");
    T(orps_90, "orps (%%rcx), %%xmm1");
    T(pabsb_91, "pabsb (%%rcx), %%xmm1");
    T(pabsd_92, "pabsd (%%rcx), %%xmm1");
    T(pabsw_93, "pabsw (%%rcx), %%xmm1");
    T(packssdw_94, "packssdw (%%rcx), %%xmm1");
    T(packsswb_95, "packsswb (%%rcx), %%xmm1");
    T(packusdw_96, "packusdw (%%rcx), %%xmm1");
    T(packuswb_97, "packuswb (%%rcx), %%xmm1");
    T(paddb_98, "paddb (%%rcx), %%xmm1");
    T(paddd_99, "paddd (%%rcx), %%xmm1");
    T(paddq_100, "paddq (%%rcx), %%xmm1");
    T(paddsb_101, "paddsb (%%rcx), %%xmm1");
    T(paddsw_102, "paddsw (%%rcx), %%xmm1");
    T(paddusb_103, "paddusb (%%rcx), %%xmm1");
    T(paddusw_104, "paddusw (%%rcx), %%xmm1");
    T(paddw_105, "paddw (%%rcx), %%xmm1");
    T(palignr_106, "palignr $0, (%%rcx), %%xmm1");
    T(pand_107, "pand (%%rcx), %%xmm1");
    T(pandn_108, "pandn (%%rcx), %%xmm1");
    T(pavgb_109, "pavgb (%%rcx), %%xmm1");
    T(pavgw_110, "pavgw (%%rcx), %%xmm1");
    T(pblendvb_111, "pblendvb (%%rcx), %%xmm1");
    T(pblendw_112, "pblendw $0, (%%rcx), %%xmm1");
    T(pclmulqdq_113, "pclmulqdq $0, (%%rcx), %%xmm1");
    T(pcmpeqb_114, "pcmpeqb (%%rcx), %%xmm1");
    T(pcmpeqd_115, "pcmpeqd (%%rcx), %%xmm1");
    T(pcmpeqq_116, "pcmpeqq (%%rcx), %%xmm1");
    T(pcmpeqw_117, "pcmpeqw (%%rcx), %%xmm1");
    T(pcmpestri_118, "pcmpestri $0, (%%rcx), %%xmm1");
    T(pcmpestrm_119, "pcmpestrm $0, (%%rcx), %%xmm1");
    T(pcmpgtb_120, "pcmpgtb (%%rcx), %%xmm1");
    T(pcmpgtd_121, "pcmpgtd (%%rcx), %%xmm1");
    T(pcmpgtq_122, "pcmpgtq (%%rcx), %%xmm1");
    T(pcmpgtw_123, "pcmpgtw (%%rcx), %%xmm1");
    T(pcmpistri_124, "pcmpistri $0, (%%rcx), %%xmm1");
    T(pcmpistrm_125, "pcmpistrm $0, (%%rcx), %%xmm1");
    T(pextrb_126, "pextrb $0, %%xmm1, (%%rcx)");
    T(pextrd_127, "pextrd $0, %%xmm1, (%%rcx)");
    T(pextrq_128, "pextrq $0, %%xmm1, (%%rcx)");
    T(pextrw_129, "pextrw $0, %%xmm1, (%%rcx)");
    T(phaddd_130, "phaddd (%%rcx), %%xmm1");
    T(phaddsw_131, "phaddsw (%%rcx), %%xmm1");
    T(phaddw_132, "phaddw (%%rcx), %%xmm1");
    T(phminposuw_133, "phminposuw (%%rcx), %%xmm1");
    T(phsubd_134, "phsubd (%%rcx), %%xmm1");
    T(phsubsw_135, "phsubsw (%%rcx), %%xmm1");
    T(phsubw_136, "phsubw (%%rcx), %%xmm1");
    T(pinsrb_137, "pinsrb $0, (%%rcx), %%xmm1");
    T(pinsrd_138, "pinsrd $0, (%%rcx), %%xmm1");
    T(pinsrq_139, "pinsrq $0, (%%rcx), %%xmm1");
    T(pinsrw_140, "pinsrw $0, (%%rcx), %%xmm1");
    T(pmaddubsw_141, "pmaddubsw (%%rcx), %%xmm1");
    T(pmaddwd_142, "pmaddwd (%%rcx), %%xmm1");
    T(pmaxsb_143, "pmaxsb (%%rcx), %%xmm1");
    T(pmaxsd_144, "pmaxsd (%%rcx), %%xmm1");
    T(pmaxsw_145, "pmaxsw (%%rcx), %%xmm1");
    T(pmaxub_146, "pmaxub (%%rcx), %%xmm1");
    T(pmaxud_147, "pmaxud (%%rcx), %%xmm1");
    T(pmaxuw_148, "pmaxuw (%%rcx), %%xmm1");
    T(pminsb_149, "pminsb (%%rcx), %%xmm1");
    T(pminsd_150, "pminsd (%%rcx), %%xmm1");
    T(pminsw_151, "pminsw (%%rcx), %%xmm1");
    T(pminub_152, "pminub (%%rcx), %%xmm1");
    T(pminud_153, "pminud (%%rcx), %%xmm1");
    T(pminuw_154, "pminuw (%%rcx), %%xmm1");
    T(pmovsxbd_155, "pmovsxbd (%%rcx), %%xmm1");
    T(pmovsxbq_156, "pmovsxbq (%%rcx), %%xmm1");
    T(pmovsxbw_157, "pmovsxbw (%%rcx), %%xmm1");
    T(pmovsxdq_158, "pmovsxdq (%%rcx), %%xmm1");
    T(pmovsxwd_159, "pmovsxwd (%%rcx), %%xmm1");
    T(pmovsxwq_160, "pmovsxwq (%%rcx), %%xmm1");
    T(pmovzxbd_161, "pmovzxbd (%%rcx), %%xmm1");
    T(pmovzxbq_162, "pmovzxbq (%%rcx), %%xmm1");
    T(pmovzxbw_163, "pmovzxbw (%%rcx), %%xmm1");
    T(pmovzxdq_164, "pmovzxdq (%%rcx), %%xmm1");
    T(pmovzxwd_165, "pmovzxwd (%%rcx), %%xmm1");
    T(pmovzxwq_166, "pmovzxwq (%%rcx), %%xmm1");
    T(pmuldq_167, "pmuldq (%%rcx), %%xmm1");
    T(pmulhrsw_168, "pmulhrsw (%%rcx), %%xmm1");
    T(pmulhuw_169, "pmulhuw (%%rcx), %%xmm1");
    T(pmulhw_170, "pmulhw (%%rcx), %%xmm1");
    T(pmulld_171, "pmulld (%%rcx), %%xmm1");
    T(pmullw_172, "pmullw (%%rcx), %%xmm1");
    T(pmuludq_173, "pmuludq (%%rcx), %%xmm1");
    T(por_174, "por (%%rcx), %%xmm1");
    T(psadbw_175, "psadbw (%%rcx), %%xmm1");
    T(pshufb_176, "pshufb (%%rcx), %%xmm1");
    T(pshufd_177, "pshufd $0, (%%rcx), %%xmm1");
    T(pshufhw_178, "pshufhw $0, (%%rcx), %%xmm1");
    T(pshuflw_179, "pshuflw $0, (%%rcx), %%xmm1");
    T(psignb_180, "psignb (%%rcx), %%xmm1");
    T(psignd_181, "psignd (%%rcx), %%xmm1");
    T(psignw_182, "psignw (%%rcx), %%xmm1");
    T(pslld_183, "pslld (%%rcx), %%xmm1");
    T(psllq_184, "psllq (%%rcx), %%xmm1");
    T(psllw_185, "psllw (%%rcx), %%xmm1");
    T(psrad_186, "psrad (%%rcx), %%xmm1");
    T(psraw_187, "psraw (%%rcx), %%xmm1");
    T(psrld_188, "psrld (%%rcx), %%xmm1");
    T(psrlq_189, "psrlq (%%rcx), %%xmm1");
    T(psrlw_190, "psrlw (%%rcx), %%xmm1");
    T(psubb_191, "psubb (%%rcx), %%xmm1");
    T(psubd_192, "psubd (%%rcx), %%xmm1");
    T(psubq_193, "psubq (%%rcx), %%xmm1");
    T(psubsb_194, "psubsb (%%rcx), %%xmm1");
    T(psubsw_195, "psubsw (%%rcx), %%xmm1");
    T(psubusb_196, "psubusb (%%rcx), %%xmm1");
    T(psubusw_197, "psubusw (%%rcx), %%xmm1");
    T(psubw_198, "psubw (%%rcx), %%xmm1");
    T(ptest_199, "ptest (%%rcx), %%xmm1");
    T(punpckhbw_200, "punpckhbw (%%rcx), %%xmm1");
    T(punpckhdq_201, "punpckhdq (%%rcx), %%xmm1");
    T(punpckhqdq_202, "punpckhqdq (%%rcx), %%xmm1");
    T(punpckhwd_203, "punpckhwd (%%rcx), %%xmm1");
    T(punpcklbw_204, "punpcklbw (%%rcx), %%xmm1");
    T(punpckldq_205, "punpckldq (%%rcx), %%xmm1");
    T(punpcklqdq_206, "punpcklqdq (%%rcx), %%xmm1");
    T(punpcklwd_207, "punpcklwd (%%rcx), %%xmm1");
    T(pxor_208, "pxor (%%rcx), %%xmm1");
    T(rcpps_209, "rcpps (%%rcx), %%xmm1");
    T(rcpss_210, "rcpss (%%rcx), %%xmm1");
    T(roundpd_211, "roundpd $0, (%%rcx), %%xmm1");
    T(roundps_212, "roundps $0, (%%rcx), %%xmm1");
    T(roundsd_213, "roundsd $0, (%%rcx), %%xmm1");
    T(roundss_214, "roundss $0, (%%rcx), %%xmm1");
    T(rsqrtps_215, "rsqrtps (%%rcx), %%xmm1");
    T(rsqrtss_216, "rsqrtss (%%rcx), %%xmm1");
    T(sha1msg1_217, "sha1msg1 (%%rcx), %%xmm1");
    T(sha1msg2_218, "sha1msg2 (%%rcx), %%xmm1");
    T(sha1nexte_219, "sha1nexte (%%rcx), %%xmm1");
    T(sha1rnds4_220, "sha1rnds4 $0, (%%rcx), %%xmm1");
    T(sha256msg1_221, "sha256msg1 (%%rcx), %%xmm1");
    T(sha256msg2_222, "sha256msg2 (%%rcx), %%xmm1");
    T(sha256rnds2_223, "sha256rnds2 (%%rcx), %%xmm1");
    T(shufpd_224, "shufpd $0, (%%rcx), %%xmm1");
    T(shufps_225, "shufps $0, (%%rcx), %%xmm1");
    T(sqrtpd_226, "sqrtpd (%%rcx), %%xmm1");
    T(sqrtps_227, "sqrtps (%%rcx), %%xmm1");
    T(sqrtsd_228, "sqrtsd (%%rcx), %%xmm1");
    T(sqrtss_229, "sqrtss (%%rcx), %%xmm1");
    T(subpd_230, "subpd (%%rcx), %%xmm1");
    T(subps_231, "subps (%%rcx), %%xmm1");
    T(subsd_232, "subsd (%%rcx), %%xmm1");
    T(subss_233, "subss (%%rcx), %%xmm1");
    T(ucomisd_234, "ucomisd (%%rcx), %%xmm1");
    T(ucomiss_235, "ucomiss (%%rcx), %%xmm1");
    T(unpckhpd_236, "unpckhpd (%%rcx), %%xmm1");
    T(unpckhps_237, "unpckhps (%%rcx), %%xmm1");
    T(unpcklpd_238, "unpcklpd (%%rcx), %%xmm1");
    T(unpcklps_239, "unpcklps (%%rcx), %%xmm1");
    T(xorpd_240, "xorpd (%%rcx), %%xmm1");
    T(xorps_241, "xorps (%%rcx), %%xmm1");
}

static void jumps(void)
{
    J(jmp_nc, 0x0000800000000000L, "jmp *%%rax");
    J(jmp_nc_neg, 0xffff7fffffff0000L, "jmp *%%rax");
    /* (Not near the native stack: a fetch within its rlimit below it grows
     * the stack there natively, and faults as SEGV_ACCERR by chance.) */
    J(jmp_unmapped, 0x00003fff00000000L, "jmp *%%rax");
    J(call_nc, 0x0000800000000000L, "call *%%rax");
    J(call_unmapped, 0x00003fff00000000L, "call *%%rax");
    J(ret_nc, 0x0000800000000000L, "push %%rax\n\tret");
    J(ret_imm_nc, 0x0000800000000000L, "push %%rax\n\tret $8");
    J(jmp_mem_nc, 0x0000800000000000L, "push %%rax\n\tjmp *(%%rsp)");
    J(call_mem_nc, 0x0000800000000000L, "push %%rax\n\tcall *(%%rsp)");
    /* A target the block knows (no jump-cache probe) behind flags it set:
     * the AArch64 exit moves its lazy flags before the #GP (a64flags). */
    J(jmp_const_nc, 0L, "xor %%ecx, %%ecx\n\tcmp $7, %%ecx\n\t"
                        "movabs $0x0000800000000000, %%rcx\n\tjmp *%%rcx");
}

int main(void)
{
    static char stack[65536];
    stack_t ss = { .ss_sp = stack, .ss_size = sizeof stack };
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaltstack(&ss, 0);
    sigaction(SIGSEGV, &sa, 0);
    sigaction(SIGBUS, &sa, 0);
    sigaction(SIGILL, &sa, 0);          /* an extension this CPU lacks (AVX-VNNI on Ice Lake) */
    setvbuf(stdout, 0, _IONBF, 0);
    aligned_forms();
    legacy_sweep();
    jumps();
    return 0;
}
