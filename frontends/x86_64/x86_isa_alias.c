/* x86_isa_alias.c -- decoding the vector instructions capstone 4 does not
 * know: GFNI (66 0F 38 CF, 66 0F 3A CE/CF and their VEX forms), AVX-VNNI
 * (VEX.66.0F38.W0 50..53) and the VEX.256 forms of VAES (0F38 DC..DF) and
 * VPCLMULQDQ (0F3A 44).  Each is handed to capstone as an encoding of the
 * same length and operand shape -- pshufb / vpshufb for the two-source
 * forms, palignr / vpalignr for the imm8 ones, the VEX.128 form for VAES
 * and VPCLMULQDQ -- and the result gets the instruction's own id
 * (X86_FERRY_INS_*, or capstone's VAES/VPCLMULQDQ id, whose rows read
 * VEX.L from the guest's bytes).  Encodings the CPU refuses stay
 * undecodable (SIGILL), as measured on this machine: GFNI without 66 or
 * with F2/F3, vgf2p8mulb and AVX-VNNI with VEX.W1, the affine forms with
 * VEX.W0, any VEX form with pp other than 66.  VAES and VPCLMULQDQ ignore
 * VEX.W.
 */
#include <stdio.h>
#include <string.h>

#include "x86_internal.h"
#include "x86_isa_alias.h"

struct isa_alias {
    uint8_t map;            /* 2: 0F 38, 3: 0F 3A */
    uint8_t opcode;
    uint8_t vex;            /* 0: the legacy form, 1: the VEX form */
    int8_t w;               /* VEX.W required (-1: ignored) */
    uint8_t alias_op;       /* the opcode capstone decodes instead (0: keep) */
    unsigned id;            /* the id it gets (0: keep capstone's) */
};

/* The table of forms (VAES and VPCLMULQDQ: VEX.256 only; the VEX.128
 * forms capstone decodes itself). */
static const struct isa_alias isa_aliases[] = {
    { 2, 0xcf, 0, -1, 0x00, X86_FERRY_INS_GF2P8MULB },
    { 3, 0xce, 0, -1, 0x0f, X86_FERRY_INS_GF2P8AFFINEQB },
    { 3, 0xcf, 0, -1, 0x0f, X86_FERRY_INS_GF2P8AFFINEINVQB },
    { 2, 0xcf, 1, 0, 0x00, X86_FERRY_INS_GF2P8MULB },
    { 3, 0xce, 1, 1, 0x0f, X86_FERRY_INS_GF2P8AFFINEQB },
    { 3, 0xcf, 1, 1, 0x0f, X86_FERRY_INS_GF2P8AFFINEINVQB },
    { 2, 0x50, 1, 0, 0x00, X86_FERRY_INS_VPDPBUSD },
    { 2, 0x51, 1, 0, 0x00, X86_FERRY_INS_VPDPBUSDS },
    { 2, 0x52, 1, 0, 0x00, X86_FERRY_INS_VPDPWSSD },
    { 2, 0x53, 1, 0, 0x00, X86_FERRY_INS_VPDPWSSDS },
    { 2, 0xdc, 1, -1, 0, 0 }, { 2, 0xdd, 1, -1, 0, 0 }, { 2, 0xde, 1, -1, 0, 0 },
    { 2, 0xdf, 1, -1, 0, 0 }, { 3, 0x44, 1, -1, 0, 0 },
};

static const char *const isa_names[] = {
    "gf2p8mulb", "gf2p8affineqb", "gf2p8affineinvqb",
    "pdpbusd", "pdpbusds", "pdpwssd", "pdpwssds",      /* VEX only: "v" added */
};

static const struct isa_alias *isa_find(uint8_t map, uint8_t opcode, bool vex)
{
    for (size_t k = 0; k < sizeof isa_aliases / sizeof *isa_aliases; k++) {
        const struct isa_alias *a = &isa_aliases[k];
        if (a->map == map && a->opcode == opcode && a->vex == vex) return a;
    }
    return NULL;
}

static bool seg_or_addr_prefix(uint8_t b)
{
    return b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65 ||
           b == 0x67;
}

/* The legacy form: prefixes (66 required, no F2/F3/F0; a REX not right
 * before 0F is ignored, as the CPU does), REX, 0F map op.  *op_at: the
 * opcode byte. */
static const struct isa_alias *legacy_form(const uint8_t *code, size_t size, size_t *op_at)
{
    size_t i = 0;
    bool has66 = false;
    for (; i < size && (seg_or_addr_prefix(code[i]) || code[i] == 0x66 || (code[i] & 0xf0) == 0x40); i++)
        has66 |= code[i] == 0x66;
    if (!has66 || i + 4 > size || code[i] != 0x0f || (code[i + 1] != 0x38 && code[i + 1] != 0x3a))
        return NULL;
    *op_at = i + 2;
    return isa_find(code[i + 1] == 0x38 ? 2 : 3, code[i + 2], false);
}

/* The legacy prefixes for capstone: the others first (an ignored REX made
 * a DS prefix, which 64-bit mode ignores too), then the 66s, then the REX
 * right before 0F -- capstone 4 drops a 66 followed by a segment prefix
 * (pshufb mm instead of xmm). */
static void legacy_prefixes(const uint8_t *code, size_t n, uint8_t *alias)
{
    size_t k = 0, n66 = 0;
    bool rex = n > 0 && (code[n - 1] & 0xf0) == 0x40;
    for (size_t i = 0; i < n - rex; i++) {
        if (code[i] == 0x66) n66++;
        else alias[k++] = (code[i] & 0xf0) == 0x40 ? 0x3e : code[i];
    }
    while (n66--) alias[k++] = 0x66;
    if (rex) alias[k] = code[n - 1];
}

/* The VEX form (C4 only: these maps need it), pp = 66, VEX.W as the row
 * wants; VAES/VPCLMULQDQ only at VEX.256.  *lw_at: the W/vvvv/L/pp byte. */
static const struct isa_alias *vex_form(const uint8_t *code, size_t size, size_t *op_at,
                                        size_t *lw_at)
{
    size_t i = 0;
    while (i < size && seg_or_addr_prefix(code[i])) i++;
    if (i + 5 > size || code[i] != 0xc4 || (code[i + 2] & 3) != 1) return NULL;
    const struct isa_alias *a = isa_find(code[i + 1] & 0x1f, code[i + 3], true);
    if (!a || (a->w >= 0 && (code[i + 2] >> 7) != a->w) || (!a->id && !(code[i + 2] & 4)))
        return NULL;
    *op_at = i + 3;
    *lw_at = i + 2;
    return a;
}

bool x86_isa_alias(csh cs, const uint8_t *code, size_t size, uint64_t pc, cs_insn *ci)
{
    uint8_t alias[15];
    size_t op_at, lw_at = 0;
    if (size > 15) size = 15;
    const struct isa_alias *a = legacy_form(code, size, &op_at);
    if (!a) a = vex_form(code, size, &op_at, &lw_at);
    if (!a) return false;
    memcpy(alias, code, size);
    if (!lw_at) legacy_prefixes(code, op_at - 2, alias);
    if (a->id) {
        alias[op_at] = a->alias_op;
        if (lw_at) alias[lw_at] &= 0x7f;        /* vpalignr: W0 */
    } else {
        alias[lw_at] &= (uint8_t)~4;            /* the VEX.128 form */
    }
    const uint8_t *p = alias;
    uint64_t addr = pc;
    if (!cs_disasm_iter(cs, &p, &size, &addr, ci)) return false;
    memcpy(ci->bytes, code, ci->size);
    if (a->id) {
        ci->id = a->id;
        snprintf(ci->mnemonic, sizeof ci->mnemonic, "%s%s", a->vex ? "v" : "",
                 isa_names[a->id - X86_FERRY_INS_GF2P8MULB]);
    }
    return true;
}
