/* x86_frontend.c -- the x86-64 guest as the translator sees it
 * (struct fe_guest fe_x86_64): IR globals, CPU reset, block translation
 * and disassembly entry points.
 */
#include <stddef.h>

#include "frontend.h"
#include "x86_internal.h"

ir_ref x86_g_reg[16];
ir_ref x86_g_fs_base, x86_g_gs_base;
ir_ref x86_g_cc_op, x86_g_cc_dst, x86_g_cc_src, x86_g_cc_src2;
ir_ref x86_g_df;

void x86_translate_block(struct ir_block *b, const struct tr_guest_mem *mem, uint64_t pc,
                         int max_insns);
void x86_disas(FILE *out, const struct tr_guest_mem *mem, uint64_t pc, size_t size);

void x86_declare_globals(struct ir_globals *g)
{
    static const char *const names[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp",
        "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
    for (int i = 0; i < 16; i++)
        x86_g_reg[i] = ir_global_declare(g, names[i], X86_ENV_OFF(regs[i]));
    g->has_sp = true;                   /* ir_stack_align.c */
    g->sp = x86_g_reg[X86_RSP];
    x86_g_fs_base = ir_global_declare(g, "fs_base", X86_ENV_OFF(fs_base));
    x86_g_gs_base = ir_global_declare(g, "gs_base", X86_ENV_OFF(gs_base));
    x86_g_cc_op = ir_global_declare(g, "cc_op", X86_ENV_OFF(cc_op));
    x86_g_cc_dst = ir_global_declare(g, "cc_dst", X86_ENV_OFF(cc_dst));
    x86_g_cc_src = ir_global_declare(g, "cc_src", X86_ENV_OFF(cc_src));
    x86_g_cc_src2 = ir_global_declare(g, "cc_src2", X86_ENV_OFF(cc_src2));
    x86_g_df = ir_global_declare(g, "df", X86_ENV_OFF(df));
}

static void x86_reset(void *env)
{
    struct x86_cpu *cpu = env;
    cpu->mxcsr = 0x1f80;
    cpu->fcw = X87_FCW_RESET;
    cpu->sel[X86_SREG_SS] = 0x2b;        /* __USER_DS */
    x86_set_eflags(cpu, 0x202);
}

const struct fe_guest fe_x86_64 = {
    .name = "x86_64",
    .env_size = sizeof(struct x86_cpu),
    .declare_globals = x86_declare_globals,
    .translate = x86_translate_block,
    .disas = x86_disas,
    .reset = x86_reset,
};
