/* x86_quick.c -- decodes the commonest integer forms (ALU with r/m or
 * immediate, test, mov, lea, push/pop, jmp/call/jcc, ret, nop, endbr64)
 * by their opcode bytes alone.  Only an 0x66 prefix and a REX prefix are
 * accepted (none before branches); anything else returns false and the
 * caller asks capstone.  Used by the successor flag scans, which decode
 * about 1.4 instructions per translated one.
 */
#include <capstone/capstone.h>
#include <string.h>

#include "x86_quick.h"

/* The eight ALU operations in opcode order (00-3F and 80-83 /reg). */
static const unsigned quick_alu[8] = {
    X86_INS_ADD, X86_INS_OR, X86_INS_ADC, X86_INS_SBB,
    X86_INS_AND, X86_INS_SUB, X86_INS_XOR, X86_INS_CMP,
};

static const unsigned quick_jcc[16] = {
    X86_INS_JO, X86_INS_JNO, X86_INS_JB, X86_INS_JAE, X86_INS_JE, X86_INS_JNE,
    X86_INS_JBE, X86_INS_JA, X86_INS_JS, X86_INS_JNS, X86_INS_JP, X86_INS_JNP,
    X86_INS_JL, X86_INS_JGE, X86_INS_JLE, X86_INS_JG,
};

/* Length of a ModRM operand (ModRM, SIB, displacement) at p. */
static int modrm_len(const uint8_t *p)
{
    int mod = p[0] >> 6, rm = p[0] & 7, n = 1;
    if (mod == 3) return 1;
    if (rm == 4) {
        n++;
        if (mod == 0 && (p[1] & 7) == 5) return n + 4;
    } else if (mod == 0 && rm == 5) {
        return n + 4;                           /* rip-relative */
    }
    return n + (mod == 1 ? 1 : mod == 2 ? 4 : 0);
}

static int32_t quick_rel(const uint8_t *p, int bytes)
{
    if (bytes == 1) return (int8_t)p[0];
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

static bool quick_branch(const uint8_t *p, uint64_t pc, int prefixes, struct x86_quick *q)
{
    int rel = 0;
    if (prefixes) return false;
    if (p[0] == 0xe8 || p[0] == 0xe9) { q->id = p[0] == 0xe8 ? X86_INS_CALL : X86_INS_JMP; rel = 4; }
    else if (p[0] == 0xeb) { q->id = X86_INS_JMP; rel = 1; }
    else if ((p[0] & 0xf0) == 0x70) { q->id = quick_jcc[p[0] & 15]; rel = 1; }
    else if (p[0] == 0x0f && (p[1] & 0xf0) == 0x80) { q->id = quick_jcc[p[1] & 15]; rel = 4; p++; q->size++; }
    else if (p[0] == 0xc3) { q->id = X86_INS_RET; q->size += 1; return true; }
    else return false;
    q->size += 1 + rel;
    q->target = pc + q->size + (int64_t)quick_rel(p + 1, rel);
    return true;
}

/* Immediate bytes of an operand-size immediate (imm16 under 0x66). */
static int imm_z(bool o16) { return o16 ? 2 : 4; }

static bool quick_modrm_form(const uint8_t *p, bool o16, struct x86_quick *q)
{
    uint8_t op = p[0];
    int reg = (p[1] >> 3) & 7, imm = 0;
    if (op < 0x40 && (op & 7) < 4) q->id = quick_alu[op >> 3];
    else if (op == 0x80 || op == 0x83) { q->id = quick_alu[reg]; imm = 1; }
    else if (op == 0x81) { q->id = quick_alu[reg]; imm = imm_z(o16); }
    else if (op == 0x84 || op == 0x85) q->id = X86_INS_TEST;
    else if (op >= 0x88 && op <= 0x8b) q->id = X86_INS_MOV;
    else if (op == 0x8d && (p[1] >> 6) != 3) q->id = X86_INS_LEA;
    else if (op == 0xc6 && reg == 0) { q->id = X86_INS_MOV; imm = 1; }
    else if (op == 0xc7 && reg == 0) { q->id = X86_INS_MOV; imm = imm_z(o16); }
    else return false;
    q->size += 1 + modrm_len(p + 1) + imm;
    return true;
}

static bool quick_short_form(const uint8_t *p, bool o16, bool rexw, struct x86_quick *q)
{
    uint8_t op = p[0];
    if (op < 0x40 && (op & 7) == 4) { q->id = quick_alu[op >> 3]; q->size += 2; }
    else if (op < 0x40 && (op & 7) == 5) { q->id = quick_alu[op >> 3]; q->size += 1 + imm_z(o16); }
    else if (op == 0xa8) { q->id = X86_INS_TEST; q->size += 2; }
    else if (op == 0xa9) { q->id = X86_INS_TEST; q->size += 1 + imm_z(o16); }
    else if (op >= 0x50 && op <= 0x57) { q->id = X86_INS_PUSH; q->size += 1; }
    else if (op >= 0x58 && op <= 0x5f) { q->id = X86_INS_POP; q->size += 1; }
    else if (op >= 0xb8 && op <= 0xbf && rexw) { q->id = X86_INS_MOVABS; q->size += 9; }
    else if (op >= 0xb8 && op <= 0xbf) { q->id = X86_INS_MOV; q->size += 1 + imm_z(o16); }
    else return false;
    return true;
}

bool x86_quick_decode(const uint8_t *p, uint64_t pc, struct x86_quick *q)
{
    bool o16 = false, rexw = false;
    int prefixes = 0;
    q->size = 0;
    q->target = 0;
    if (p[0] == 0xf3 && p[1] == 0x0f && p[2] == 0x1e && p[3] == 0xfa) {
        q->id = X86_INS_ENDBR64;
        q->size = 4;
        return true;
    }
    if (p[0] == 0x66) { o16 = true; p++; prefixes++; }
    if ((p[0] & 0xf0) == 0x40) { rexw = p[0] & 8; p++; prefixes++; }
    q->size = prefixes;
    if (rexw) o16 = false;                      /* REX.W wins over 0x66 */
    if (p[0] == 0x0f && p[1] == 0x1f && ((p[2] >> 3) & 7) == 0 && (p[2] >> 6) != 3) {
        q->id = X86_INS_NOP;
        q->size += 2 + modrm_len(p + 2);
        return true;
    }
    if (quick_branch(p, pc, prefixes, q)) return true;
    if (quick_short_form(p, o16, rexw, q)) return true;
    return quick_modrm_form(p, o16, q);
}
