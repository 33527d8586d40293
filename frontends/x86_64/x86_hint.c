/* x86_hint.c -- encodings capstone 4 cannot decode but every x86-64 CPU
 * runs as NOPs, handed to the block loop as a `nop` of the right length:
 *   - the reserved-NOP hint space 0F 18..1F with any ModRM byte (register
 *     forms, REX.W, 66/F2/F3, segment and address-size prefixes).  It holds
 *     rdsspd/rdsspq (F3 0F 1E /1 mod=3), which the SDM makes a NOP while
 *     shadow stacks are off, as Linux runs every program that does not opt
 *     in: the register keeps its value, so libgcc's unwinder sees "no
 *     shadow stack" and skips incssp;
 *   - the memory forms of 0F 0D (AMD's prefetch group, any /reg), and
 *     its register forms on Intel (nop_opcode);
 *   - lfence/mfence/sfence (0F AE E8..FF) with a non-zero r/m field, which
 *     the CPU ignores (given as the fence itself).
 * A lock prefix makes all of them #UD, so those stay undecodable (SIGILL).
 * The other CET instructions (incssp, saveprevssp, rstorssp, wrss, ...)
 * raise #UD while shadow stacks are off; see x86_fence_prefixed.
 */
#include <string.h>

#include "x86_internal.h"

#define X86_MAX_INSN 15

static bool legacy_prefix(uint8_t b)
{
    return b == 0x66 || b == 0x67 || b == 0xf2 || b == 0xf3 || b == 0x2e || b == 0x36 ||
           b == 0x3e || b == 0x26 || b == 0x64 || b == 0x65;
}

/* Length of the SIB and displacement bytes following ModRM at m. */
static size_t modrm_tail(const uint8_t *m, size_t left)
{
    unsigned mod = m[0] >> 6, rm = m[0] & 7;
    size_t n = 0;
    if (mod == 3) return 0;
    if (rm == 4) {
        if (left < 2) return SIZE_MAX;
        n = 1;
        if (mod == 0 && (m[1] & 7) == 5) n += 4;
    }
    if (mod == 0 && rm == 5) n += 4;
    if (mod == 1) n += 1;
    if (mod == 2) n += 4;
    return n;
}

/* 0F 0D with a register operand: #UD on AMD (its prefetch group needs
 * memory), a NOP on Intel (measured natively on a Sapphire Rapids, every
 * ModRM C0..FF, no prefix and 66: tests/insn/hint.c prefetch_0d). */
static bool nop_opcode(uint8_t op, uint8_t modrm)
{
    if (op == 0x0d)
        return modrm >> 6 != 3 || x86_machine()->intel;
    return op >= 0x18 && op <= 0x1f;
}

/* The fence 0F AE /5../7 mod=3 stands for (0 if none: /0../4, memory). */
static unsigned fence_id(uint8_t op, uint8_t modrm)
{
    static const unsigned ids[3] = { X86_INS_LFENCE, X86_INS_MFENCE, X86_INS_SFENCE };
    if (op != 0xae || modrm < 0xe8) return 0;
    return ids[(modrm >> 3 & 7) - 5];
}

/* The id and length of a hint NOP or fence at code[0..size); 0 if none. */
static size_t hint_length(const uint8_t *code, size_t size, unsigned *id)
{
    size_t i = 0;
    bool mandatory = false;           /* 66/F2/F3: other instructions for 0F AE */
    if (size > X86_MAX_INSN) size = X86_MAX_INSN;
    /* REX before a legacy prefix is ignored, not an error: skip both kinds. */
    while (i < size && (legacy_prefix(code[i]) || (code[i] & 0xf0) == 0x40)) {
        mandatory |= code[i] == 0x66 || code[i] == 0xf2 || code[i] == 0xf3;
        i++;
    }
    if (i + 3 > size || code[i] != 0x0f) return 0;
    uint8_t op = code[i + 1], modrm = code[i + 2];
    *id = nop_opcode(op, modrm) ? X86_INS_NOP : mandatory ? 0 : fence_id(op, modrm);
    if (!*id) return 0;
    i += 2;
    size_t tail = modrm_tail(code + i, size - i);
    if (tail == SIZE_MAX || i + 1 + tail > size) return 0;
    return i + 1 + tail;
}

bool x86_hint_decode(const uint8_t *code, size_t size, uint64_t pc, cs_insn *ci)
{
    unsigned id = 0;
    size_t n = hint_length(code, size, &id);
    if (!n) return false;
    ci->id = id;
    ci->address = pc;
    ci->size = (uint16_t)n;
    memcpy(ci->bytes, code, n);
    strcpy(ci->mnemonic, id == X86_INS_NOP ? "nop" : "fence");
    strcpy(ci->op_str, "(hint)");
    if (ci->detail) memset(ci->detail, 0, sizeof *ci->detail);
    return true;
}

/* lfence/mfence/sfence under 66, F2 or F3 are other instructions (incssp,
 * tpause, umonitor, ...), all #UD here; capstone still calls some fences. */
bool x86_fence_prefixed(const struct x86_dc *dc)
{
    for (size_t i = 0; i < dc->insn->size; i++) {
        uint8_t b = dc->insn->bytes[i];
        if (b == 0x66 || b == 0xf2 || b == 0xf3) return true;
        if (b == 0x0f) break;
    }
    return false;
}
