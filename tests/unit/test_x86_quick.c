/* test_x86_quick.c -- the quick decoder of the successor flag scans
 * (frontends/x86_64/x86_quick.c) against capstone: on random encodings
 * built around the forms it knows (random prefixes, ModRM, SIB,
 * displacements, immediates), whenever it claims an instruction its id,
 * length and direct branch target equal capstone's decoding, and the full
 * decoder's id, length, bytes and detail (prefixes, opcode, REX, ModRM,
 * SIB, displacement, operands) equal capstone's field by field.
 */
#include <capstone/capstone.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x86_quick.h"

static const uint8_t quick_ops[] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x08, 0x0b, 0x0c, 0x0d, 0x10, 0x13, 0x18, 0x1d,
    0x20, 0x23, 0x25, 0x28, 0x2b, 0x2d, 0x30, 0x31, 0x33, 0x35, 0x38, 0x39, 0x3b, 0x3c,
    0x3d, 0x50, 0x55, 0x5b, 0x5f, 0x70, 0x74, 0x7f, 0x80, 0x81, 0x83, 0x84, 0x85, 0x88,
    0x89, 0x8a, 0x8b, 0x8d, 0xa8, 0xa9, 0xb8, 0xbf, 0xc3, 0xc6, 0xc7, 0xe8, 0xe9, 0xeb,
    0x0f, 0x0f, 0x0f, 0x26, 0x67, 0xf2, 0xf3, 0xf0, 0xc2, 0xcc, 0x90, 0xff,
    0x63, 0xc0, 0xc1, 0xd0, 0xd1, 0xd2, 0xd3, 0xf6, 0xf7, 0x0f, 0x0f, 0x0f,
    0xff, 0xff, 0x69, 0x6b, 0x98, 0x99,
};

/* Second bytes after 0x0f: jcc, nop, setcc, cmovcc, imul, movzx/movsx. */
static uint8_t random_second_byte(unsigned *seed)
{
    static const uint8_t fixed[] = { 0x1f, 0xaf, 0xb6, 0xb7, 0xbe, 0xbf };
    switch (rand_r(seed) % 4) {
    case 0: return 0x80 | (rand_r(seed) & 15);
    case 1: return 0x90 | (rand_r(seed) & 15);
    case 2: return 0x40 | (rand_r(seed) & 15);
    default: return fixed[rand_r(seed) % sizeof fixed];
    }
}

/* A random encoding: maybe 0x66, maybe REX, an opcode of interest (0x0f
 * followed by jcc or nop), then random bytes. */
static void random_insn(uint8_t *b, unsigned *seed)
{
    int n = 0;
    for (int i = 0; i < 16; i++) b[i] = (uint8_t)rand_r(seed);
    if (rand_r(seed) % 8 == 0) { b[0] = 0xf3; b[1] = 0x0f; b[2] = 0x1e; b[3] = 0xfa; return; }
    if (rand_r(seed) % 4 == 0) b[n++] = 0x66;
    if (rand_r(seed) % 3 == 0) b[n++] = 0x40 | (rand_r(seed) & 15);
    b[n] = quick_ops[rand_r(seed) % sizeof quick_ops];
    if (b[n] == 0x0f) b[n + 1] = random_second_byte(seed);
}

Test(x86_quick, agrees_with_capstone)
{
    csh cs;
    cr_assert(cs_open(CS_ARCH_X86, CS_MODE_64, &cs) == CS_ERR_OK);
    cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
    unsigned seed = 12345;
    long claimed = 0;
    for (int t = 0; t < 300000; t++) {
        uint8_t b[16];
        struct x86_quick q;
        uint64_t pc = 0x400000 + (rand_r(&seed) & 0xffff);
        random_insn(b, &seed);
        if (!x86_quick_decode(b, pc, &q)) continue;
        claimed++;
        cs_insn *ci = NULL;
        size_t n = cs_disasm(cs, b, 15, pc, 1, &ci);
        cr_assert(n == 1, "capstone rejects %02x %02x %02x %02x", b[0], b[1], b[2], b[3]);
        cr_assert(ci->id == q.id && ci->size == q.size,
                  "%02x %02x %02x %02x: quick id %u size %d, capstone %s %s id %u size %d",
                  b[0], b[1], b[2], b[3], q.id, q.size, ci->mnemonic, ci->op_str, ci->id, ci->size);
        const cs_x86 *x = &ci->detail->x86;
        bool branch = q.target != 0;
        if (branch)
            cr_assert(x->op_count == 1 && x->operands[0].type == X86_OP_IMM &&
                      (uint64_t)x->operands[0].imm == q.target, "%s %s: target %llx",
                      ci->mnemonic, ci->op_str, (unsigned long long)q.target);
        cs_free(ci, 1);
    }
    cr_assert(claimed > 100000, "only %ld claimed", claimed);
    cs_close(&cs);
}

/* The detail fields the translator reads, as one comparable record. */
static void describe(char *out, size_t n, const cs_insn *ci)
{
    const cs_x86 *x = &ci->detail->x86;
    int k = snprintf(out, n, "id %u size %u pfx %02x%02x%02x%02x op %02x%02x rex %02x as %u modrm %02x "
                     "sib %02x disp %lld si %d ss %d sb %d ops %u:", ci->id, ci->size, x->prefix[0],
                     x->prefix[1], x->prefix[2], x->prefix[3], x->opcode[0], x->opcode[1], x->rex,
                     x->addr_size, x->modrm, x->sib, (long long)x->disp, x->sib_index, x->sib_scale,
                     x->sib_base, x->op_count);
    for (int i = 0; i < x->op_count && k < (int)n; i++) {
        const cs_x86_op *o = &x->operands[i];
        k += snprintf(out + k, n - (size_t)k, " [t%d s%u ", o->type, o->size);
        if (o->type == X86_OP_REG) k += snprintf(out + k, n - (size_t)k, "r%d]", o->reg);
        else if (o->type == X86_OP_IMM) k += snprintf(out + k, n - (size_t)k, "i%llx]", (unsigned long long)o->imm);
        else k += snprintf(out + k, n - (size_t)k, "m%d %d %d %d %lld]", o->mem.segment, o->mem.base,
                           o->mem.index, o->mem.scale, (long long)o->mem.disp);
    }
}

Test(x86_quick, full_decode_agrees_with_capstone)
{
    csh cs;
    cr_assert(cs_open(CS_ARCH_X86, CS_MODE_64, &cs) == CS_ERR_OK);
    cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
    cs_insn *mine = cs_malloc(cs);
    unsigned seed = 777;
    long claimed = 0;
    for (int t = 0; t < 300000; t++) {
        uint8_t b[16];
        uint64_t pc = 0x400000 + (rand_r(&seed) & 0xffff);
        random_insn(b, &seed);
        if (!x86_quick_insn(b, pc, mine)) continue;
        claimed++;
        cs_insn *ci = NULL;
        size_t n = cs_disasm(cs, b, 15, pc, 1, &ci);
        cr_assert(n == 1, "capstone rejects %02x %02x %02x %02x", b[0], b[1], b[2], b[3]);
        char want[1024], got[1024];
        describe(want, sizeof want, ci);
        describe(got, sizeof got, mine);
        cr_assert(strcmp(want, got) == 0 && memcmp(ci->bytes, mine->bytes, ci->size) == 0,
                  "%02x %02x %02x %02x %02x %s %s\n capstone %s\n quick    %s", b[0], b[1], b[2], b[3],
                  b[4], ci->mnemonic, ci->op_str, want, got);
        cs_free(ci, 1);
    }
    cr_assert(claimed > 100000, "only %ld claimed", claimed);
    cs_free(mine, 1);
    cs_close(&cs);
}
