/* x64_encode_sse.c -- SSE encodings on top of the generic ModRM forms of
 * x64_encode.c: the mandatory prefix comes first (66 through X64_P66, F3
 * and F2 as a byte), then REX, then the 0F opcode.  And their VEX.128
 * forms (AVX): one VEX prefix carries the mandatory prefix, REX's R and B,
 * the escape and the second source register. */
#include "x64_encode_sse.h"

static int sse_prefix(struct be_code *c, enum x64_sse_pfx p, bool w)
{
    if (p == X64_P_F3 || p == X64_P_F2)
        x64_emit_byte(c, (uint8_t)p);
    return (p == X64_P_66 ? X64_P66 : 0) | (w ? X64_W : 0);
}

void x64_emit_sse_rr(struct be_code *c, enum x64_sse_pfx p, bool w, uint32_t opc,
                     int reg, int rm)
{
    int flags = sse_prefix(c, p, w);
    x64_emit_op_rm_r(c, flags, opc, reg, rm);
}

void x64_emit_sse_rm(struct be_code *c, enum x64_sse_pfx p, uint32_t opc, int reg,
                     int base, int32_t disp)
{
    int flags = sse_prefix(c, p, false);
    x64_emit_op_m_r(c, flags, opc, reg, base, disp);
}

void x64_emit_movdqu_load(struct be_code *c, int xmm, int base, int32_t disp)
{
    x64_emit_sse_rm(c, X64_P_F3, 0x0f6f, xmm, base, disp);
}

void x64_emit_movdqu_store(struct be_code *c, int base, int32_t disp, int xmm)
{
    x64_emit_sse_rm(c, X64_P_F3, 0x0f7f, xmm, base, disp);
}

/* VEX.pp of a mandatory prefix. */
static unsigned vex_pp(enum x64_sse_pfx p)
{
    return p == X64_P_66 ? 1 : p == X64_P_F3 ? 2 : p == X64_P_F2 ? 3 : 0;
}

/* The VEX prefix, opcode byte and register-direct ModRM of a VEX.128.W0
 * form: two bytes (C5) when the escape is 0F and rm needs no REX.B, else
 * three (C4: map 1 0F, 2 0F38, 3 0F3A).  R, X, B and vvvv are stored
 * inverted. */
static void vex_rr(struct be_code *c, enum x64_sse_pfx p, uint32_t opc, int reg, int vvvv,
                   int rm)
{
    uint32_t esc = opc >> 8;
    unsigned map = esc == 0x0f ? 1 : esc == 0x0f38 ? 2 : 3;
    unsigned r = !(reg & 8), b = !(rm & 8), v = ~(unsigned)vvvv & 15;
    if (map == 1 && b) {
        x64_emit_byte(c, 0xc5);
        x64_emit_byte(c, (uint8_t)(r << 7 | v << 3 | vex_pp(p)));
    } else {
        x64_emit_byte(c, 0xc4);
        x64_emit_byte(c, (uint8_t)(r << 7 | 1u << 6 | b << 5 | map));
        x64_emit_byte(c, (uint8_t)(v << 3 | vex_pp(p)));
    }
    x64_emit_byte(c, (uint8_t)opc);
    x64_emit_byte(c, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
}

void x64_emit_vex_rvm(struct be_code *c, enum x64_sse_pfx p, uint32_t opc, int reg,
                      int vvvv, int rm)
{
    vex_rr(c, p, opc, reg, vvvv, rm);
}

void x64_emit_vex_vmi(struct be_code *c, enum x64_sse_pfx p, uint32_t opc, int ext,
                      int vvvv, int rm)
{
    vex_rr(c, p, opc, ext, vvvv, rm);
}

void x64_emit_lahf(struct be_code *c)
{
    x64_emit_byte(c, 0x9f);
}
