/* x64_encode_sse.c -- SSE encodings on top of the generic ModRM forms of
 * x64_encode.c: the mandatory prefix comes first (66 through X64_P66, F3
 * and F2 as a byte), then REX, then the 0F opcode. */
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

void x64_emit_lahf(struct be_code *c)
{
    x64_emit_byte(c, 0x9f);
}
