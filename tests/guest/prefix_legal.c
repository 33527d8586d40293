/* prefix_legal.c -- which prefix combinations 64-bit mode accepts (SDM vol. 2,
 * 2.1, 2.3.2 and each instruction's exceptions): lock on register forms, on
 * instructions that are not read-modify-write (#UD), on every lockable form
 * with a memory destination (runs); F2/F3 on non-string instructions (ignored
 * or a different instruction: pause, popcnt, tzcnt, lzcnt); 66/F2/F3/REX/lock
 * before a VEX prefix (#UD); VEX.vvvv not 1111 and VEX.L=1 where the SDM says
 * #UD; REX before a legacy prefix (ignored) and two REX prefixes.  rax points
 * at a writable buffer, rcx = 3.  Printed: signal, si_code, rip relative to
 * the case, rdx (set to 1 after the instruction when it ran through), rax
 * (relative to the buffer), rcx, rbx and a digest of the buffer.  (Session
 * 43 probe: ferry ran f3 41 90 and f3 49 90 as xchg r8, rax; the CPU as
 * pause.)  Needs AVX2 (the VEX cases). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

unsigned char buf[256] __attribute__((aligned(64)));
long resume_to, out_rax, out_rcx, out_rdx, out_rbx, save_rbx;
static volatile int g_sig, g_code;
static volatile long g_rip;

static void on_sig(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    g_sig = sig; g_code = si->si_code; g_rip = uc->uc_mcontext.gregs[REG_RIP];
    uc->uc_mcontext.gregs[REG_RIP] = resume_to;
}

static uint64_t digest(const void *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ ((const unsigned char *)p)[i]) * 1099511628211ull;
    return h;
}

#define CASE(NAME, BYTES)                                                        \
    do {                                                                         \
        extern char NAME##_s[], NAME##_e[];                                      \
        for (int i = 0; i < 256; i++) buf[i] = i * 7 + 1;                        \
        g_sig = 0; resume_to = (long)NAME##_e;                                   \
        __asm__ volatile("mov %%rbx, save_rbx(%%rip)\n\tlea buf+64(%%rip), %%rax\n\tmov $3, %%ecx\n\txor %%edx, %%edx\n\tmov $0x40, %%ebx\n\t" \
                         "vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\tvpxor %%ymm1, %%ymm1, %%ymm1\n" \
                         ".globl " #NAME "_s\n" #NAME "_s:\n\t" BYTES "\n\tmov $1, %%edx\n" \
                         ".globl " #NAME "_e\n" #NAME "_e:\n\t"                \
                         "lea buf+64(%%rip), %%rsi\n\tsub %%rsi, %%rax\n\tmov %%rax, out_rax(%%rip)\n\tmov %%rcx, out_rcx(%%rip)\n\t" \
                         "mov %%rdx, out_rdx(%%rip)\n\tmov %%rbx, out_rbx(%%rip)\n\tmov save_rbx(%%rip), %%rbx\n\t" \
                         "vmovdqu %%ymm1, buf+192(%%rip)\n\tvzeroupper"        \
                         : : : "memory", "cc", "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r11", "xmm0", "xmm1"); \
        char r[32] = "";                                                         \
        if (g_sig) sprintf(r, " rip s%+ld", g_rip - (long)NAME##_s);             \
        char ra[32];                                                             \
        if (out_rax > -4096 && out_rax < 4096) sprintf(ra, "buf%+ld", out_rax);   \
        else sprintf(ra, "%#lx", out_rax + (long)(buf + 64));                    \
        printf("%-16s sig %2d code %d%s rdx %ld rax %s rcx %#lx rbx %#lx buf %016llx\n", #NAME, g_sig, \
               g_sig ? g_code : 0, r, out_rdx, ra, out_rcx, out_rbx, (unsigned long long)digest(buf, sizeof buf)); \
    } while (0)

int main(void)
{
    setvbuf(stdout, 0, _IOLBF, 0);
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_sig; sa.sa_flags = SA_SIGINFO;
    sigaction(SIGILL, &sa, 0); sigaction(SIGSEGV, &sa, 0); sigaction(SIGBUS, &sa, 0);
    sigaction(SIGFPE, &sa, 0);
    /* lock */
    CASE(lock_add_mem, ".byte 0xf0, 0x01, 0x18");
    CASE(lock_add_rev, ".byte 0xf0, 0x03, 0x18");
    CASE(lock_adc_imm, ".byte 0xf0, 0x83, 0x10, 0x05");
    CASE(lock_or8, ".byte 0xf0, 0x80, 0x08, 0x81");
    CASE(lock_cmp_mem, ".byte 0xf0, 0x39, 0x18");
    CASE(lock_test_mem, ".byte 0xf0, 0x85, 0x18");
    CASE(lock_test_imm, ".byte 0xf0, 0xf6, 0x00, 0x01");
    CASE(lock_not, ".byte 0xf0, 0xf6, 0x10");
    CASE(lock_neg, ".byte 0xf0, 0x48, 0xf7, 0x18");
    CASE(lock_mul, ".byte 0xf0, 0xf7, 0x20");
    CASE(lock_inc, ".byte 0xf0, 0xfe, 0x00");
    CASE(lock_dec16, ".byte 0xf0, 0x66, 0xff, 0x08");
    CASE(lock_push_mem, ".byte 0xf0, 0xff, 0x30");
    CASE(lock_xchg, ".byte 0xf0, 0x87, 0x18");
    CASE(lock_xchg_reg, ".byte 0xf0, 0x87, 0xd8");
    CASE(lock_xadd, ".byte 0xf0, 0x0f, 0xc1, 0x18");
    CASE(lock_xadd_reg, ".byte 0xf0, 0x0f, 0xc1, 0xd8");
    CASE(lock_cmpxchg, ".byte 0xf0, 0x0f, 0xb1, 0x18");
    CASE(lock_cmpxchg_reg, ".byte 0xf0, 0x0f, 0xb1, 0xd9");
    CASE(lock_cx8, "mov %%rax, %%rsi\n\t.byte 0xf0, 0x0f, 0xc7, 0x0e\n\tmov %%rsi, %%rax");
    CASE(lock_cx16, "mov %%rax, %%rsi\n\t.byte 0xf0, 0x48, 0x0f, 0xc7, 0x0e\n\tmov %%rsi, %%rax");
    CASE(cx16_misal, "lea 8(%%rax), %%rsi\n\t.byte 0x48, 0x0f, 0xc7, 0x0e\n\tlea -8(%%rsi), %%rax");
    CASE(cx8_misal, "lea 1(%%rax), %%rsi\n\t.byte 0x0f, 0xc7, 0x0e\n\tlea -1(%%rsi), %%rax");
    CASE(cx16_reg, ".byte 0x48, 0x0f, 0xc7, 0xc8");
    CASE(lock_bt_mem, ".byte 0xf0, 0x0f, 0xa3, 0x08");
    CASE(lock_bts_mem, ".byte 0xf0, 0x0f, 0xab, 0x08");
    CASE(lock_btc_imm, ".byte 0xf0, 0x0f, 0xba, 0x38, 0x45");
    CASE(lock_bt_imm, ".byte 0xf0, 0x0f, 0xba, 0x20, 0x45");
    CASE(lock_bts_reg, ".byte 0xf0, 0x0f, 0xab, 0xcb");
    CASE(lock_lea, ".byte 0xf0, 0x48, 0x8d, 0x00");
    CASE(lock_mov_ld, ".byte 0xf0, 0x8b, 0x18");
    CASE(lock_movs, ".byte 0xf0, 0xa4");
    CASE(lock_stos, "mov %%rax, %%rdi\n\t.byte 0xf0, 0xaa\n\tmov %%rdi, %%rax");
    CASE(lock_shl_mem, ".byte 0xf0, 0xd1, 0x20");
    CASE(lock_imul, ".byte 0xf0, 0x0f, 0xaf, 0x18");
    CASE(lock_setcc, ".byte 0xf0, 0x0f, 0x94, 0x00");
    CASE(lock_movd, ".byte 0xf0, 0x66, 0x0f, 0x6e, 0x00");
    CASE(lock_addps, ".byte 0xf0, 0x0f, 0x58, 0x00");
    CASE(lock_x87, ".byte 0xf0, 0xd9, 0xee\n\tfstp %%st(0)");
    CASE(lock_lock_add, ".byte 0xf0, 0xf0, 0x01, 0x18");
    CASE(lock_f2_add, ".byte 0xf2, 0xf0, 0x01, 0x18");
    CASE(lock_f3_xchg, ".byte 0xf3, 0xf0, 0x87, 0x18");
    CASE(lock_seg_add, ".byte 0x26, 0xf0, 0x2e, 0x01, 0x18");
    CASE(xchg_hle, ".byte 0xf2, 0x87, 0x18");
    CASE(mov_xrelease, ".byte 0xf3, 0x89, 0x18");
    CASE(mov_xrel_reg, ".byte 0xf3, 0x89, 0xd8");
    /* F2/F3 on ordinary instructions */
    CASE(f2_add, ".byte 0xf2, 0x01, 0xd9");
    CASE(f3_add, ".byte 0xf3, 0x48, 0x01, 0xd8");
    CASE(f3_imul, ".byte 0xf3, 0x0f, 0xaf, 0xcb");
    CASE(f2_mov_ld, ".byte 0xf2, 0x8b, 0x18");
    CASE(f3_nop, ".byte 0xf3, 0x90");
    CASE(f2_nop, ".byte 0xf2, 0x90");
    CASE(f3_rex_nop, ".byte 0xf3, 0x41, 0x90");
    CASE(f3_xchg_r8, "mov $0x55, %%r8d\n\t.byte 0xf3, 0x49, 0x90\n\tmov %%r8, %%rbx\n\tlea buf+64(%%rip), %%rax");
    CASE(f3_popcnt, "mov $0xf0f0, %%ebx\n\t.byte 0xf3, 0x0f, 0xb8, 0xcb");
    CASE(f2_popcnt, "mov $0xf0f0, %%ebx\n\t.byte 0xf2, 0x0f, 0xb8, 0xcb");
    CASE(popcnt_no_f3, "mov $0xf0f0, %%ebx\n\t.byte 0x0f, 0xb8, 0xcb");
    CASE(f3_66_popcnt, "mov $0xf0f0f, %%ebx\n\t.byte 0x66, 0xf3, 0x0f, 0xb8, 0xcb");
    CASE(f2_f3_popcnt, "mov $0xf0f0f, %%ebx\n\t.byte 0xf2, 0xf3, 0x0f, 0xb8, 0xcb");
    CASE(f3_f2_popcnt, "mov $0xf0f0f, %%ebx\n\t.byte 0xf3, 0xf2, 0x0f, 0xb8, 0xcb");
    CASE(f2_bsf, "mov $0x100, %%ebx\n\t.byte 0xf2, 0x0f, 0xbc, 0xcb");
    CASE(f2_f3_tzcnt, "mov $0x100, %%ebx\n\t.byte 0xf2, 0xf3, 0x0f, 0xbc, 0xcb");
    CASE(f3_f2_tzcnt, "mov $0x100, %%ebx\n\t.byte 0xf3, 0xf2, 0x0f, 0xbc, 0xcb");
    CASE(f3_66_lzcnt, "mov $0x100, %%ebx\n\t.byte 0xf3, 0x66, 0x0f, 0xbd, 0xcb");
    CASE(f3_rexw_lzcnt, "mov $0x100, %%ebx\n\t.byte 0xf3, 0x48, 0x0f, 0xbd, 0xcb");
    CASE(f3_push, ".byte 0xf3, 0x53\n\tpop %%rbx");
    CASE(f2_jmp, ".byte 0xf2, 0xeb, 0x00");
    CASE(f3_movd, ".byte 0xf3, 0x66, 0x0f, 0x7e, 0xc3");
    CASE(f2_f3_addps, ".byte 0xf2, 0xf3, 0x0f, 0x58, 0xc0\n\tmovq %%xmm0, %%rbx");
    CASE(f3_f2_addps, ".byte 0xf3, 0xf2, 0x0f, 0x58, 0xc0\n\tmovq %%xmm0, %%rbx");
    CASE(o_f2_addps, ".byte 0x66, 0xf2, 0x0f, 0x58, 0xc0\n\tmovq %%xmm0, %%rbx");
    CASE(f2_66_addps, ".byte 0xf2, 0x66, 0x0f, 0x58, 0xc0\n\tmovq %%xmm0, %%rbx");
    CASE(o_f3_movdqu, ".byte 0x66, 0xf3, 0x0f, 0x6f, 0x08\n\tmovq %%xmm1, %%rbx");
    CASE(f3_66_movdqa, ".byte 0xf3, 0x66, 0x0f, 0x6f, 0x48, 0x01\n\tmovq %%xmm1, %%rbx");
    CASE(o_66_paddd, ".byte 0x66, 0x66, 0x0f, 0xfe, 0xc0\n\tmovq %%xmm0, %%rbx");
    CASE(f3_rep_movsb_rex, "mov %%rax, %%rsi\n\tlea 16(%%rax), %%rdi\n\t.byte 0xf3, 0x48, 0xa4\n\tmov %%rsi, %%rax");
    CASE(rex_f3_movsb, "mov %%rax, %%rsi\n\tlea 16(%%rax), %%rdi\n\t.byte 0x48, 0xf3, 0xa5\n\tmov %%rsi, %%rax");
    CASE(f3_cmps_67, "mov %%rax, %%rsi\n\tlea 16(%%rax), %%rdi\n\tmov $0x100000003, %%rcx\n\t.byte 0x67, 0xf3, 0xa6\n\tmov %%rsi, %%rax");
    CASE(f2_stos, "mov %%rax, %%rdi\n\t.byte 0xf2, 0xaa\n\tmov %%rdi, %%rax");
    CASE(f2_lods, "mov %%rax, %%rsi\n\t.byte 0xf2, 0x48, 0xad\n\tmov %%rax, %%rbx\n\tmov %%rsi, %%rax");
    /* REX placement */
    CASE(rex_then_66, "mov $-1, %%rax\n\t.byte 0x48, 0x66, 0xb8, 0x34, 0x12\n\tmov %%rax, %%rbx\n\tlea buf+64(%%rip), %%rax");
    CASE(rex_rex, "mov $-1, %%rbx\n\tmov $0x7fffffff, %%eax\n\tnot %%rax\n\t.byte 0x41, 0x48, 0x89, 0xc3\n\tlea buf+64(%%rip), %%rax");
    CASE(rex_w_rex_b, "mov $-1, %%rbx\n\tmov $-1, %%r11\n\tmov $0x7fffffff, %%eax\n\tnot %%rax\n\t.byte 0x48, 0x41, 0x89, 0xc3\n\tmov %%r11, %%rcx\n\tlea buf+64(%%rip), %%rax");
    CASE(rex40_ah, "mov $0x1234, %%ebx\n\tmov $0x5678, %%esi\n\t.byte 0x40, 0x88, 0xf3");
    CASE(norex_ah, "mov $0x1234, %%ebx\n\tmov $0x5678, %%esi\n\tmov $0x9a00, %%edx\n\t.byte 0x88, 0xf3");
    CASE(rex_seg_mov, "mov $-1, %%rbx\n\t.byte 0x48, 0x2e, 0x8b, 0x18");
    CASE(rex_66_imm, "mov $-1, %%rbx\n\t.byte 0x66, 0x48, 0xc7, 0xc3, 0x01, 0x80, 0x00, 0x00");
    CASE(o_mov_imm, "mov $-1, %%rbx\n\t.byte 0x66, 0xc7, 0xc3, 0x01, 0x80");
    /* VEX after a prefix, VEX fields */
    CASE(vex_66, ".byte 0x66, 0xc5, 0xf8, 0x77");
    CASE(vex_f3, ".byte 0xf3, 0xc5, 0xf8, 0x77");
    CASE(vex_f2, ".byte 0xf2, 0xc5, 0xf8, 0x77");
    CASE(vex_rex, ".byte 0x40, 0xc5, 0xf8, 0x77");
    CASE(vex_lock, ".byte 0xf0, 0xc5, 0xf8, 0x77");
    CASE(vex_seg, ".byte 0x2e, 0xc5, 0xf8, 0x77");
    CASE(vex_67, ".byte 0x67, 0xc5, 0xfa, 0x6f, 0x08\n\tvmovq %%xmm1, %%rbx");
    CASE(vex_vvvv_movdqu, ".byte 0xc5, 0xf2, 0x6f, 0x08");
    CASE(vex_vvvv_movd, ".byte 0xc5, 0xf1, 0x6e, 0xcb");
    CASE(vex_L_movd, ".byte 0xc5, 0xfd, 0x6e, 0xcb");
    CASE(vex_L_movq, ".byte 0xc4, 0xe1, 0xfd, 0x6e, 0xcb");
    CASE(vex_L_addss, ".byte 0xc5, 0xfe, 0x58, 0xc8\n\tvmovq %%xmm1, %%rbx");
    CASE(vex_L_extractps, ".byte 0xc4, 0xe3, 0x7d, 0x17, 0xc3, 0x01");
    CASE(vex_L_pextrw, ".byte 0xc5, 0xfd, 0xc5, 0xd8, 0x01");
    CASE(vex_L_movss_ld, ".byte 0xc5, 0xfe, 0x10, 0x08\n\tvmovq %%xmm1, %%rbx");
    CASE(vex_L_ucomiss, ".byte 0xc5, 0xfc, 0x2e, 0xc1");
    CASE(vex_L_cvtsi2ss, ".byte 0xc5, 0xf6, 0x2a, 0xcb\n\tvmovq %%xmm1, %%rbx");
    CASE(vex_L_vzeroupper, ".byte 0xc5, 0xfc, 0x77");
    CASE(vex_W_vpermq_L0, ".byte 0xc4, 0xe3, 0xf9, 0x00, 0xc8, 0x1b");
    CASE(vex_vvvv_vpermq, ".byte 0xc4, 0xe3, 0xc5, 0x00, 0xc8, 0x1b");
    CASE(vex_L0_vperm2i128, ".byte 0xc4, 0xe3, 0x79, 0x46, 0xc8, 0x01");
    CASE(vex_L0_vbroadcastsd, ".byte 0xc4, 0xe2, 0x79, 0x19, 0x08");
    CASE(vex_L_vbroadcastss, ".byte 0xc4, 0xe2, 0x7d, 0x18, 0x08\n\tvmovq %%xmm1, %%rbx");
    CASE(vex_W1_vpbroadcastd, ".byte 0xc4, 0xe2, 0xfd, 0x58, 0x08\n\tvmovq %%xmm1, %%rbx");
    CASE(vex_W1_vmovd, ".byte 0xc4, 0xe1, 0xf9, 0x7e, 0xcb");
    CASE(vex_W1_vaddps, ".byte 0xc4, 0xe1, 0xfc, 0x58, 0xc8\n\tvmovq %%xmm1, %%rbx");
    CASE(vex_vvvv_vmovmskps, ".byte 0xc5, 0xf0, 0x50, 0xd8");
    CASE(vex_mmmmm_0, ".byte 0xc4, 0xe0, 0x78, 0x58, 0xc8");
    CASE(vex_mmmmm_4, ".byte 0xc4, 0xe4, 0x78, 0x58, 0xc8");
    CASE(vex_pshufb_vvvv_ok, ".byte 0xc4, 0xe2, 0x71, 0x00, 0xc8");
    CASE(vex_ldmxcsr_L, "stmxcsr -8(%%rsp)\n\tlea -8(%%rsp), %%rsi\n\t.byte 0xc5, 0xfc, 0xae, 0x16");
    CASE(vex_ldmxcsr_vvvv, "stmxcsr -8(%%rsp)\n\tlea -8(%%rsp), %%rsi\n\t.byte 0xc5, 0xf0, 0xae, 0x16");
    CASE(vex_vmaskmov_reg, ".byte 0xc4, 0xe2, 0x71, 0x2c, 0xc8");
    CASE(vex_gather_reg, ".byte 0xc4, 0xe2, 0x79, 0x90, 0xc8");
    CASE(vex_gather_same, ".byte 0xc4, 0xe2, 0x71, 0x90, 0x0c, 0x88");
    CASE(vex_gather_idx_eq, ".byte 0xc4, 0xe2, 0x71, 0x90, 0x14, 0x90");
    CASE(andn_L1, "mov $0xff, %%ebx\n\t.byte 0xc4, 0xe2, 0x64, 0xf2, 0xc8");
    CASE(bextr_L1, ".byte 0xc4, 0xe2, 0x64, 0xf7, 0xc8");
    CASE(mulx_L1, ".byte 0xc4, 0xe2, 0x67, 0xf6, 0xc8");
    CASE(blsr_L1, ".byte 0xc4, 0xe2, 0x64, 0xf3, 0xcb");
    CASE(rorx_vvvv, ".byte 0xc4, 0xe3, 0x3b, 0xf0, 0xcb, 0x04");
    CASE(sarx_L1, ".byte 0xc4, 0xe2, 0x66, 0xf7, 0xcb");
    return 0;
}
