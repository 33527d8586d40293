/* test_x86_64_backend.c -- the x86-64 encoders (the general ones and the
 * SSE ones of the vector ops) checked against a real decoder: each case
 * emits a short sequence, objdump disassembles the raw bytes, and the text
 * must be exactly what objdump prints for the instructions intended.  Also
 * checks the chain-slot alignment rule. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "x86_64/x64_backend.h"
#include "x86_64/x64_encode_sse.h"

static uint8_t buf[4096] __attribute__((aligned(16)));

static struct be_code *fresh(void)
{
    static struct be_code c;
    c = (struct be_code){ .start = buf, .ptr = buf, .end = buf + sizeof(buf) - 256 };
    c.jump_site[0] = c.jump_site[1] = UINT32_MAX;
    return &c;
}

/* objdump's Intel-syntax text for the bytes, "; "-separated, blanks squeezed. */
static char *objdump_text(const uint8_t *code, size_t n)
{
    char path[] = "/tmp/ferry-x64-XXXXXX", cmd[256];
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, code, n), (ssize_t)n);
    close(fd);
    snprintf(cmd, sizeof(cmd), "objdump -D -b binary -mi386:x86-64 -M intel %s", path);
    FILE *p = popen(cmd, "r");
    cr_assert(p);
    static char out[8192];
    char line[512];
    out[0] = 0;
    while (fgets(line, sizeof(line), p)) {
        char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t2 || !strchr(line, ':'))
            continue;
        char *s = t2 + 1, *w = out + strlen(out);
        if (out[0])
            w += sprintf(w, "; ");
        for (bool blank = false; *s && *s != '\n'; s++) {
            if (*s == ' ' || *s == '\t') {
                blank = true;
                continue;
            }
            if (blank && w[-1] != ' ' && w != out)
                *w++ = ' ';
            blank = false;
            *w++ = *s;
        }
        *w = 0;
    }
    pclose(p);
    unlink(path);
    return out;
}

struct enc_case {
    const char *name;
    void (*emit)(struct be_code *c);
    const char *want;
};

static void e_alu_rm_r(struct be_code *c)
{
    x64_emit_alu_rm_r(c, X64_ADD, X64_W, X64_RAX, X64_RBX);
    x64_emit_alu_rm_r(c, X64_SUB, 0, X64_R9, X64_RSI);
    x64_emit_alu_rm_r(c, X64_XOR, X64_W, X64_R13, X64_R15);
    x64_emit_alu_rm_r(c, X64_CMP, X64_W, X64_RDI, X64_R12);
}

static void e_alu_rm_imm(struct be_code *c)
{
    x64_emit_alu_rm_imm(c, X64_ADD, X64_W, X64_RBX, 1);
    x64_emit_alu_rm_imm(c, X64_AND, 0, X64_R10, 0x12345);
    x64_emit_alu_rm_imm(c, X64_CMP, X64_W, X64_RSP, -128);
    x64_emit_alu_rm_imm(c, X64_OR, X64_W, X64_R15, -129);
}

static void e_mov(struct be_code *c)
{
    x64_emit_mov_rm_r(c, X64_W, X64_RBX, X64_R8);
    x64_emit_mov_rm_r(c, 0, X64_R11, X64_RBP);
    x64_emit_mov_rm_r(c, X64_BYTE, X64_RSI, X64_RDI);
    x64_emit_mov_rm_r(c, X64_P66, X64_R12, X64_RAX);
}

static void e_mov_imm(struct be_code *c)
{
    x64_emit_mov_r_imm32(c, X64_R13, 0xdeadbeef);
    x64_emit_mov_rm_imm32(c, X64_W, X64_RCX, -1);
    x64_emit_mov_r_imm64(c, X64_R15, 0x123456789abcdef0ull);
}

static void e_mem(struct be_code *c)
{
    x64_emit_mov_r_m(c, X64_W, X64_RAX, X64_R14, -0x80);
    x64_emit_mov_m_r(c, X64_W, X64_R14, 0x1000, X64_RBX);
    x64_emit_mov_r_m(c, X64_W, X64_RDX, X64_RSP, 0);
    x64_emit_mov_r_m(c, 0, X64_R9, X64_R13, 0);
    x64_emit_mov_m_r(c, X64_W, X64_R12, 8, X64_R10);
    x64_emit_mov_m_imm32(c, X64_W, X64_R14, -0x298, 0x401555);
    x64_emit_mov_m_imm32(c, X64_BYTE, X64_RBX, 0, 0x7f);
    x64_emit_mov_m_imm32(c, X64_P66, X64_RSI, 2, 0x1234);
    x64_emit_op_abs_r(c, X64_W, 0x8b, X64_RCX, 0x601000);
}

/* The forms x64_atomic.c emits: lock xadd/cmpxchg at every size, xchg.
 * (A byte access with base rsi gets a redundant REX: harmless.) */
static void e_locked(struct be_code *c)
{
    x64_emit_op_m_r(c, X64_W | X64_LOCK, 0x0fc1, X64_RAX, X64_RBX, 0);
    x64_emit_op_m_r(c, X64_BYTE | X64_LOCK, 0x0fc0, X64_RAX, X64_RSI, 0);
    x64_emit_op_m_r(c, X64_P66 | X64_LOCK, 0x0fb1, X64_RCX, X64_R9, 0);
    x64_emit_op_m_r(c, X64_LOCK, 0x0fb1, X64_R10, X64_R13, 0);
    x64_emit_op_m_r(c, X64_W, 0x87, X64_RAX, X64_RDI, 0);
}

static void e_lea(struct be_code *c)
{
    x64_emit_lea_r_m(c, X64_W, X64_R14, X64_RDI, 664);
    x64_emit_lea_r_m(c, 0, X64_RAX, X64_RBP, 1);
    x64_emit_lea_r_sib(c, X64_W, X64_RSI, X64_RBX, X64_R9, 0);
    x64_emit_lea_r_sib(c, X64_W, X64_R8, X64_R13, X64_RDI, 0);
}

static void e_shift(struct be_code *c)
{
    x64_emit_shift_rm_imm(c, X64_SHL, X64_W, X64_RAX, 3);
    x64_emit_shift_rm_imm(c, X64_SHR, 0, X64_R8, 1);
    x64_emit_shift_rm_imm(c, X64_SAR, X64_W, X64_R11, 63);
    x64_emit_shift_rm_cl(c, X64_ROL, X64_W, X64_RSI);
    x64_emit_shift_rm_cl(c, X64_ROR, 0, X64_R15);
}

static void e_unary_mul(struct be_code *c)
{
    x64_emit_unary_rm(c, X64_NEG, X64_W, X64_R10);
    x64_emit_unary_rm(c, X64_NOT, 0, X64_RBX);
    x64_emit_unary_rm(c, X64_MUL, X64_W, X64_RDI);
    x64_emit_unary_rm(c, X64_IMUL1, X64_W, X64_R12);
    x64_emit_imul_r_rm(c, X64_W, X64_RSI, X64_R9);
    x64_emit_imul_r_rm_imm(c, X64_W, X64_RBX, X64_RBP, 10);
    x64_emit_imul_r_rm_imm(c, 0, X64_R8, X64_RAX, 100000);
}

static void e_ext(struct be_code *c)
{
    x64_emit_movzx_r_rm8(c, 0, X64_RBX, X64_RSI);
    x64_emit_movsx_r_rm8(c, X64_W, X64_R9, X64_RDI);
    x64_emit_movzx_r_rm16(c, 0, X64_RAX, X64_R13);
    x64_emit_movsx_r_rm16(c, X64_W, X64_RBP, X64_RCX);
    x64_emit_movsxd_r_rm(c, X64_R11, X64_RBX);
}

static void e_bits(struct be_code *c)
{
    x64_emit_bswap_r(c, X64_W, X64_R12);
    x64_emit_bswap_r(c, 0, X64_RBX);
    x64_emit_bsf_r_rm(c, X64_W, X64_RAX, X64_R8);
    x64_emit_bsr_r_rm(c, 0, X64_RAX, X64_RDI);
    x64_emit_test_rm_r(c, X64_W, X64_RSI, X64_RSI);
    x64_emit_test_rm_imm(c, 0, X64_R9, 0x100);
}

static void e_cond(struct be_code *c)
{
    x64_emit_setcc_rm8(c, X64_CC_E, X64_RAX);
    x64_emit_setcc_rm8(c, X64_CC_L, X64_RSI);
    x64_emit_cmovcc_r_rm(c, X64_CC_A, X64_W, X64_RBX, X64_R10);
    x64_emit_cmovcc_r_rm(c, X64_CC_NE, 0, X64_R15, X64_RCX);
}

static void e_stack(struct be_code *c)
{
    x64_emit_push_r(c, X64_RBP);
    x64_emit_push_r(c, X64_R15);
    x64_emit_pop_r(c, X64_R12);
    x64_emit_pop_r(c, X64_RBX);
    x64_emit_call_rm(c, X64_RAX);
    x64_emit_jmp_rm(c, X64_RSI);
    x64_emit_ret(c);
    x64_emit_nops(c, 7);
}

static void e_branch(struct be_code *c)
{
    x64_emit_jmp_rel32(c, buf + 0x100);
    x64_emit_jcc_rel32(c, X64_CC_BE, buf + 0x10);
    x64_emit_call_rel32(c, buf);
}

static void e_sse(struct be_code *c)
{
    x64_emit_sse_rr(c, X64_P_66, false, 0x0ffc, 0, 1);
    x64_emit_sse_rr(c, X64_P_66, false, 0x0f3840, 9, 14);
    x64_emit_sse_rr(c, X64_P_F2, false, 0x0f58, 0, 1);
    x64_emit_sse_rr(c, X64_P_F3, true, 0x0f2a, 0, X64_R9);
    x64_emit_sse_rr(c, X64_P_F2, true, 0x0f2c, X64_R11, 1);
    x64_emit_sse_rr(c, X64_P_F3, false, 0x0f2d, X64_RSI, 8);
    x64_emit_sse_rr(c, X64_PNONE, false, 0x0fc6, 0, 1);
    x64_emit_byte(c, 0x1b);
    x64_emit_sse_rr(c, X64_P_66, false, 0x0f73, 7, 0);
    x64_emit_byte(c, 3);
    x64_emit_sse_rr(c, X64_PNONE, false, 0x0f50, X64_RAX, 2);
    x64_emit_sse_rr(c, X64_P_66, true, 0x0f6e, 0, X64_RBX);
}

static void e_sse_mem(struct be_code *c)
{
    x64_emit_movdqu_load(c, 0, X64_R14, 0x48);
    x64_emit_movdqu_store(c, X64_R14, -0x80, 15);
    x64_emit_sse_rm(c, X64_P_F3, 0x0f7e, 1, X64_RSI, 0);
    x64_emit_sse_rm(c, X64_P_66, 0x0fd6, 0, X64_R13, 0);
    x64_emit_sse_rm(c, X64_P_66, 0x0f6e, 0, X64_RBX, 8);
    x64_emit_sse_rm(c, X64_P_F2, 0x0f59, 10, X64_R14, 0x200);
    x64_emit_lahf(c);
}

static void e_vex(struct be_code *c)
{
    x64_emit_vex_rvm(c, X64_P_66, 0x0ffc, 0, 1, 2);            /* C5 */
    x64_emit_vex_rvm(c, X64_P_66, 0x0fef, 9, 12, 3);           /* C5, VEX.R */
    x64_emit_vex_rvm(c, X64_P_66, 0x0fd4, 2, 3, 10);           /* C4: rm needs B */
    x64_emit_vex_rvm(c, X64_P_66, 0x0f3840, 9, 14, 15);        /* map 0F38 */
    x64_emit_vex_rvm(c, X64_P_F2, 0x0f58, 8, 0, 1);
    x64_emit_vex_rvm(c, X64_P_F3, 0x0f10, 11, 11, 13);         /* movss merge */
    x64_emit_vex_rvm(c, X64_PNONE, 0x0fc6, 1, 8, 9);
    x64_emit_byte(c, 0x1b);
    x64_emit_vex_rvm(c, X64_P_66, 0x0f38dc, 4, 5, 6);          /* vaesenc */
    x64_emit_vex_rvm(c, X64_P_66, 0x0f3a44, 12, 13, 14);       /* map 0F3A */
    x64_emit_byte(c, 0x11);
    x64_emit_vex_vmi(c, X64_P_66, 0x0f71, 6, 10, 11);
    x64_emit_byte(c, 3);
    x64_emit_vex_vmi(c, X64_P_66, 0x0f73, 3, 1, 9);
    x64_emit_byte(c, 8);
}

static const struct enc_case cases[] = {
    { "alu_rm_r", e_alu_rm_r, 
      "add rax,rbx; sub r9d,esi; xor r13,r15; cmp rdi,r12" },
    { "alu_rm_imm", e_alu_rm_imm, 
      "add rbx,0x1; and r10d,0x12345; cmp rsp,0xffffffffffffff80; or r15,0xffffffffffffff7f" },
    { "mov_rm_r", e_mov, 
      "mov rbx,r8; mov r11d,ebp; mov sil,dil; mov r12w,ax" },
    { "mov_imm", e_mov_imm, 
      "mov r13d,0xdeadbeef; mov rcx,0xffffffffffffffff; movabs r15,0x123456789abcdef0" },
    { "mem", e_mem, 
      "mov rax,QWORD PTR [r14-0x80]; mov QWORD PTR [r14+0x1000],rbx; mov rdx,QWORD PTR [rsp]; mov r9d,DWORD PTR [r13+0x0]; mov QWORD PTR [r12+0x8],r10; mov QWORD PTR [r14-0x298],0x401555; mov BYTE PTR [rbx],0x7f; mov WORD PTR [rsi+0x2],0x1234; mov rcx,QWORD PTR ds:0x601000" },
    { "locked", e_locked,
      "lock xadd QWORD PTR [rbx],rax; lock rex xadd BYTE PTR [rsi],al; lock cmpxchg WORD PTR [r9],cx; lock cmpxchg DWORD PTR [r13+0x0],r10d; xchg QWORD PTR [rdi],rax" },
    { "lea", e_lea, 
      "lea r14,[rdi+0x298]; lea eax,[rbp+0x1]; lea rsi,[rbx+r9*1]; lea r8,[r13+rdi*1+0x0]" },
    { "shift", e_shift, 
      "shl rax,0x3; shr r8d,1; sar r11,0x3f; rol rsi,cl; ror r15d,cl" },
    { "unary_mul", e_unary_mul, 
      "neg r10; not ebx; mul rdi; imul r12; imul rsi,r9; imul rbx,rbp,0xa; imul r8d,eax,0x186a0" },
    { "ext", e_ext, 
      "movzx ebx,sil; movsx r9,dil; movzx eax,r13w; movsx rbp,cx; movsxd r11,ebx" },
    { "bits", e_bits, 
      "bswap r12; bswap ebx; bsf rax,r8; bsr eax,edi; test rsi,rsi; test r9d,0x100" },
    { "cond", e_cond, 
      "sete al; setl sil; cmova rbx,r10; cmovne r15d,ecx" },
    { "stack", e_stack, 
      "push rbp; push r15; pop r12; pop rbx; call rax; jmp rsi; ret; nop DWORD PTR [rax+0x0]" },
    { "branch", e_branch, 
      "jmp 0x100; jbe 0x10; call 0x0" },
    { "sse", e_sse,
      "paddb xmm0,xmm1; pmulld xmm9,xmm14; addsd xmm0,xmm1; cvtsi2ss xmm0,r9; cvttsd2si r11,xmm1; cvtss2si esi,xmm8; shufps xmm0,xmm1,0x1b; pslldq xmm0,0x3; movmskps eax,xmm2; movq xmm0,rbx" },
    { "vex", e_vex,
      "vpaddb xmm0,xmm1,xmm2; vpxor xmm9,xmm12,xmm3; vpaddq xmm2,xmm3,xmm10; vpmulld xmm9,xmm14,xmm15; vaddsd xmm8,xmm0,xmm1; vmovss xmm11,xmm11,xmm13; vshufps xmm1,xmm8,xmm9,0x1b; vaesenc xmm4,xmm5,xmm6; vpclmulhqhqdq xmm12,xmm13,xmm14; vpsllw xmm10,xmm11,0x3; vpsrldq xmm1,xmm9,0x8" },
    { "sse_mem", e_sse_mem,
      "movdqu xmm0,XMMWORD PTR [r14+0x48]; movdqu XMMWORD PTR [r14-0x80],xmm15; movq xmm1,QWORD PTR [rsi]; movq QWORD PTR [r13+0x0],xmm0; movd xmm0,DWORD PTR [rbx+0x8]; mulsd xmm10,QWORD PTR [r14+0x200]; lahf" },
};

Test(x64_encode, forms_match_objdump)
{
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct be_code *c = fresh();
        cases[k].emit(c);
        const char *got = objdump_text(buf, (size_t)(c->ptr - buf));
        if (getenv("X64_PRINT"))
            printf("{ \"%s\", \"%s\" },\n", cases[k].name, got);
        else
            cr_expect_str_eq(got, cases[k].want, "%s", cases[k].name);
    }
}

/* Instructions in objdump_text's "a; b; c". */
static int count_insns(const char *text)
{
    int n = 1;
    for (const char *p = text; (p = strstr(p, "; ")); p += 2)
        n++;
    return n;
}

/* Chain slots: the rel32 of goto_tb's jmp and brcond's jcc lies within
 * one aligned 16-byte block (atomic to re-point), patching re-points it
 * (also across the block's two halves), and the padding that puts it
 * there is prefixes, never an instruction of its own: the compare, the jcc
 * and the jmp are three instructions from any start, the compare right
 * before the jcc (the host fuses the two), prefixed itself when the jcc
 * needs padding. */
Test(x64_encode, chain_slots_are_aligned_and_patchable)
{
    static uint8_t epi[16];
    int padded = 0, cmp_padded = 0, wide = 0;
    for (int pad = 0; pad < 16; pad++) {
        struct be_code *c = fresh();
        c->epilogue = epi;
        x64_emit_nops(c, pad);          /* the start position, not under test */
        uint8_t *cmp = c->ptr;
        x64_emit_alu_rm_imm(c, X64_CMP, X64_W, X64_RSI, 1);
        size_t cmp_len = (size_t)(c->ptr - cmp);
        x64_emit_brcond_exit(c, X64_CC_E, 0x1234, 0, cmp);
        x64_emit_goto_tb(c, 0x5678, 1, IR_XFER_JUMP);
        uint8_t *j0 = buf + c->jump_site[0], *j1 = buf + c->jump_site[1];
        cr_assert_eq(j0[0], 0x0f);
        cr_assert_eq(j1[0], 0xe9);
        cr_assert_leq((uintptr_t)(j0 + 2) & 15, 12, "pad %d", pad);
        cr_assert_leq((uintptr_t)(j1 + 1) & 15, 12, "pad %d", pad);
        const char *all = objdump_text(cmp, (size_t)(j1 + 5 - cmp));
        cr_assert(!strstr(all, "nop") && count_insns(all) == 3, "pad %d: %s", pad, all);
        cr_assert(strstr(all, "cmp rsi,0x1; "), "pad %d: %s", pad, all);
        cr_assert_neq(j0[-1], 0x2e, "pad %d: the compare takes the jcc's prefixes", pad);
        padded += j0 - cmp_len > cmp || j1 > j0 + 6;
        cmp_padded += j0 - cmp_len > cmp;
        wide += ((uintptr_t)(j0 + 2) & 7) > 4 || ((uintptr_t)(j1 + 1) & 7) > 4;
        be_patch_jump(j1, 0, buf + 0x800);
        be_patch_jump(j0, 0, buf + 0x900);
        char want[64];
        snprintf(want, sizeof(want), "jmp 0x%lx", (long)(0x800 - (j1 - buf)));
        cr_assert_str_eq(objdump_text(j1, 5), want);
        snprintf(want, sizeof(want), "je 0x%lx", (long)(0x900 - (j0 - buf)));
        cr_assert_str_eq(objdump_text(j0, 6), want);
    }
    cr_assert_eq(padded, 6, "prefixes from 6 of the 16 start positions");
    cr_assert_eq(cmp_padded, 3, "on the compare from 3 of them");
    cr_assert_gt(wide, 0, "some rel32 across the halves of its block (cmpxchg16b)");
}

/* A jcc whose compare does not take prefixes (here one with a 0x66
 * prefix of its own) takes them itself, still one instruction; a lone
 * goto_tb's jmp the same. */
Test(x64_encode, chain_slot_prefixes_on_the_branch)
{
    static uint8_t epi[16];
    int on_jcc = 0, on_jmp = 0;
    for (int pad = 0; pad < 16; pad++) {
        struct be_code *c = fresh();
        c->epilogue = epi;
        x64_emit_nops(c, pad);
        uint8_t *cmp = c->ptr;
        x64_emit_byte(c, 0x66);         /* cmp si, 1 */
        x64_emit_alu_rm_imm(c, X64_CMP, 0, X64_RSI, 1);
        x64_emit_brcond_exit(c, X64_CC_E, 0x1234, 0, cmp);
        uint8_t *j0 = buf + c->jump_site[0];
        cr_assert_eq(j0[0], 0x0f);
        cr_assert_leq((uintptr_t)(j0 + 2) & 15, 12, "pad %d", pad);
        cr_assert_eq(cmp[0], 0x66, "pad %d: the compare stays as it was", pad);
        on_jcc += j0[-1] == 0x2e;
        const char *all = objdump_text(cmp, (size_t)(j0 + 6 - cmp));
        cr_assert(!strstr(all, "nop") && count_insns(all) == 2, "pad %d: %s", pad, all);

        c = fresh();
        c->epilogue = epi;
        x64_emit_nops(c, pad);
        uint8_t *from = c->ptr;
        x64_emit_goto_tb(c, 0x5678, 0, IR_XFER_JUMP);
        uint8_t *j = buf + c->jump_site[0];
        cr_assert_eq(j[0], 0xe9);
        cr_assert_leq((uintptr_t)(j + 1) & 15, 12, "pad %d", pad);
        on_jmp += j > from;
        all = objdump_text(from, (size_t)(j + 5 - from));
        cr_assert(!strstr(all, "nop") && count_insns(all) == 1, "pad %d: %s", pad, all);
    }
    cr_assert_eq(on_jcc, 3, "prefixes on the jcc from 3 of the 16 start positions");
    cr_assert_eq(on_jmp, 3, "on the jmp from 3");
}

/* A chain slot is read where it is written (site + rw_delta): a batch
 * restored from the persistent cache is chained in a staging copy before
 * the kernel writes it where it runs (translator/tc_views.c), so the bytes
 * at the site itself may be anything yet.  Here they say "jmp" where the
 * copy holds the jcc: the patch must follow the copy (session 32; before,
 * the opcode was read at the site, and the jcc's rel32 written one byte
 * early). */
Test(x64_encode, chain_slot_read_where_written)
{
    static uint8_t epi[16], copy[512] __attribute__((aligned(64)));
    struct be_code *c = fresh();
    c->epilogue = epi;
    uint8_t *cmp = c->ptr;
    x64_emit_alu_rm_imm(c, X64_CMP, X64_W, X64_RSI, 1);
    x64_emit_brcond_exit(c, X64_CC_E, 0x1234, 0, cmp);
    uint8_t *j0 = buf + c->jump_site[0];
    cr_assert_eq(j0[0], 0x0f);
    cr_assert_lt((size_t)(c->ptr - buf), sizeof copy);
    memcpy(copy, buf, sizeof copy);
    intptr_t delta = copy - buf;
    j0[0] = 0xe9;                       /* where it runs: not written yet */
    be_patch_jump(j0, delta, buf + 0x900);
    char want[64];
    snprintf(want, sizeof(want), "je 0x%lx", (long)(0x900 - (j0 - buf)));
    memcpy(buf, copy, sizeof copy);     /* (objdump_text reads at buf's addresses) */
    cr_assert_str_eq(objdump_text(j0, 6), want);
}
