/* exec_signext.c -- a sign extension of the guest load just emitted, which
 * a64_writeback.c folds into the load (ldrsb/ldrsh/ldrsw) when the loaded
 * register is the extension's own or dead after it: every load size and
 * form (immediate, register index) against every extension, the source
 * dead or live (then both values must come out), checked against C. */
#include <stddef.h>
#include <string.h>

#include "exec_common.h"

static uint8_t mem[32] __attribute__((aligned(16)));

static uint64_t sext(uint64_t v, unsigned bits)
{
    return (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
}

/* ld(x) of 1 << mo bytes into x7, then ext{8,16,32}s into out_reg. */
static void run(unsigned mo, unsigned ext_bits, bool indexed, bool dead, int out_reg)
{
    for (int i = 0; i < 32; i++)
        mem[i] = (uint8_t)(xt_random() | 0x80);         /* sign bits set */
    struct be_code c = xt_block();
    be_emit_movi(&c, 22, (uintptr_t)(mem + 8));
    be_emit_movi(&c, 21, 1);
    struct be_arg r7 = { .reg = 7, .dead = dead }, r22 = { .reg = 22 }, r21 = { .reg = 21 };
    struct be_arg out = { .reg = (int8_t)out_reg };
    struct ir_insn ld = { .op = indexed ? IR_ldx : IR_ld, .size = mo,
                          .aux = { indexed ? 0 : 4, indexed ? (int64_t)mo : 0 } };
    be_emit_insn(&c, &ld, &(struct be_arg){ .reg = 7 },
                 indexed ? (struct be_arg[]){ r22, r21 } : (struct be_arg[]){ r22, r22 });
    enum ir_op op = ext_bits == 8 ? IR_ext8s : ext_bits == 16 ? IR_ext16s : IR_ext32s;
    struct ir_insn ext = { .op = op, .size = 64 };
    be_emit_insn(&c, &ext, &out, &r7);
    be_emit_st_env(&c, out_reg, offsetof(struct xt_env, result));
    be_emit_st_env(&c, 7, offsetof(struct xt_env, result) + 8);
    struct ir_insn exit = { .op = IR_exit_code, .aux = { 0x1000, TR_EXIT_SYSCALL } };
    be_emit_insn(&c, &exit, NULL, NULL);
    xt_run(&c);
    uint64_t loaded = 0;
    memcpy(&loaded, mem + 8 + (indexed ? (1u << mo) : 4), 1u << mo);
    XT_CHECK(xt_env.result[0] == sext(loaded, ext_bits), "sign-extended load: mo %u ext %u%s%s",
             mo, ext_bits, indexed ? " indexed" : "", dead ? " dead" : "");
    if (out_reg != 7 && !dead)
        XT_CHECK(xt_env.result[1] == loaded, "sign-extended load keeps its source: mo %u ext %u",
                 mo, ext_bits);
}

void xt_test_signext(void)
{
    for (unsigned mo = 0; mo < 4; mo++)
        for (unsigned e = 8; e <= 32; e *= 2)
            for (int x = 0; x < 2; x++)
                for (int d = 0; d < 2; d++) {
                    run(mo, e, x, d, 7);
                    run(mo, e, x, d, 23);
                }
}
