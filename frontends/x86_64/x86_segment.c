/* x86_segment.c -- segments in 64-bit mode: which base an fs/gs prefix
 * adds to a memory operand (any instruction: integer, SSE, x87, string),
 * and rdfsbase/rdgsbase/wrfsbase/wrgsbase (FSGSBASE, which Linux enables
 * for user space and reports in AT_HWCAP2).
 *
 * In 64-bit mode the cs/ds/es/ss prefixes are ignored, wherever they
 * stand; of several fs/gs prefixes the last one counts (measured: "fs gs"
 * reads gs, "gs ds" reads gs).  Capstone reports the last segment prefix of
 * any kind, so the prefix bytes are scanned here instead.
 */
#include "x86_internal.h"

static bool is_legacy_prefix(uint8_t b)
{
    switch (b) {
    case 0xf0: case 0xf2: case 0xf3: case 0x2e: case 0x36: case 0x3e: case 0x26:
    case 0x64: case 0x65: case 0x66: case 0x67:
        return true;
    default:
        return false;
    }
}

ir_ref x86_seg_base(const struct x86_dc *dc)
{
    ir_ref seg = IR_NONE;
    for (int i = 0; i < dc->insn->size && is_legacy_prefix(dc->insn->bytes[i]); i++) {
        if (dc->insn->bytes[i] == 0x64) seg = x86_g_fs_base;
        else if (dc->insn->bytes[i] == 0x65) seg = x86_g_gs_base;
    }
    return seg;
}

/* rdfsbase/rdgsbase r32/r64: the 32-bit forms read the low half. */
static void read_base(struct x86_dc *dc, ir_ref base)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    ir_ref v = x86_new(dc);
    ir_mov(dc->b, v, base);
    x86_operand_write(dc, d, d->size == 4 ? x86_trunc(dc, v, 4) : v);
}

/* wrfsbase/wrgsbase r32/r64: the 32-bit forms zero-extend.  (Linux lets
 * user space write any canonical base; ferry takes any value.) */
static void write_base(struct x86_dc *dc, ir_ref base)
{
    ir_mov(dc->b, base, x86_operand_read(dc, x86_opnd(dc, 0)));
}

static void h_rdfsbase(struct x86_dc *dc) { read_base(dc, x86_g_fs_base); }
static void h_rdgsbase(struct x86_dc *dc) { read_base(dc, x86_g_gs_base); }
static void h_wrfsbase(struct x86_dc *dc) { write_base(dc, x86_g_fs_base); }
static void h_wrgsbase(struct x86_dc *dc) { write_base(dc, x86_g_gs_base); }

static const struct x86_insn_row segment_rows[] = {
    X86_ROW(RDFSBASE, h_rdfsbase, PASS, 0),
    X86_ROW(RDGSBASE, h_rdgsbase, PASS, 0),
    X86_ROW(WRFSBASE, h_wrfsbase, PASS, 0),
    X86_ROW(WRGSBASE, h_wrgsbase, PASS, 0),
};
const struct x86_row_set x86_segment_rows = X86_ROW_SET("segment", segment_rows);
