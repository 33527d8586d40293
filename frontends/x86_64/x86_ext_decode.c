/* x86_ext_decode.c -- user-level instructions capstone 4 cannot decode:
 *   clzero      0F 01 FC       zero the 64-byte line at rAX (AMD)
 *   rdpru       0F 01 FD       edx:eax = privileged register ecx (AMD)
 *   movdiri     0F 38 F9 /r    direct store of r32/r64 (mod != 3)
 *   movdir64b   66 0F 38 F8 /r 64-byte direct store from m512 to the
 *                              64-byte aligned address in r64 (mod != 3)
 * Each is decoded as an encoding capstone knows with the same operands
 * and the same length (a ds prefix, ignored in 64-bit mode, pads it, in
 * front so a guest fs/gs prefix stays the last segment prefix), and, but
 * for movdiri (a mov store exactly), given an id past capstone's
 * (x86_dispatch.h).  clzero is `mov eax, [rax]` (its memory operand
 * carries the 67 and segment prefixes as the CPU applies them), rdpru
 * `rdtsc`, movdir64b `mov r64, m` with REX.W.
 *
 * Prefixes, as this Zen 5 runs them (tests/guest/amd_user_insns.c):
 * F2, F3 and lock make all four #UD; 66, 67, REX and segment prefixes
 * are accepted (66 is #UD on movdiri, where 66 0F 38 F9 is nothing).
 * The AMD-only clzero and rdpru are decoded only while ferry imitates an
 * AMD machine (x86_machine.c): elsewhere the CPU ferry presents is
 * Intel's, which has neither (#UD).  movdiri and movdir64b only where the
 * machine has them (x86_machine_has; an Ice Lake server has neither).
 */
#include <string.h>

#include "x86_internal.h"

struct ext_prefixes {
    size_t n;           /* legacy and REX bytes before the opcode */
    bool p66, rep, lock;
    bool stray_rex;     /* a REX before a legacy prefix (ignored): left to SIGILL */
    uint8_t rex;        /* the REX right before the opcode, or 0 */
};

static bool ext_legacy(uint8_t b)
{
    return b == 0x66 || b == 0x67 || b == 0xf2 || b == 0xf3 || b == 0xf0 || b == 0x2e ||
           b == 0x36 || b == 0x3e || b == 0x26 || b == 0x64 || b == 0x65;
}

static void ext_scan(const uint8_t *code, size_t size, struct ext_prefixes *p)
{
    memset(p, 0, sizeof *p);
    while (p->n < size && (ext_legacy(code[p->n]) || (code[p->n] & 0xf0) == 0x40)) {
        uint8_t b = code[p->n++];
        p->stray_rex |= p->rex != 0;
        p->rex = (b & 0xf0) == 0x40 ? b : 0;
        p->p66 |= b == 0x66;
        p->rep |= b == 0xf2 || b == 0xf3;
        p->lock |= b == 0xf0;
    }
}

/* Builds `pads` ds prefixes, the guest's prefixes (66 turned into ds when
 * drop66, REX replaced by rex), `op` and the guest's bytes after its
 * 3-byte opcode; decodes it and keeps it if its prefixes and opcode are
 * as long as the guest's and it ends where the guest's instruction does
 * (right there without a ModRM byte, past it with one). */
static bool ext_alias(csh cs, const uint8_t *code, size_t size, const struct ext_prefixes *p,
                      size_t pads, bool drop66, uint8_t rex, const uint8_t *op, size_t op_n,
                      bool modrm, uint64_t pc, cs_insn *ci)
{
    size_t tail = p->n + 3;
    if (p->stray_rex || pads + (p->n - (p->rex != 0)) + (rex != 0) + op_n != tail) return false;
    uint8_t a[32];
    size_t k = 0;
    for (size_t i = 0; i < pads; i++) a[k++] = 0x3e;
    for (size_t i = 0; i < p->n; i++) {
        uint8_t b = code[i];
        if ((b & 0xf0) == 0x40) continue;
        a[k++] = drop66 && b == 0x66 ? 0x3e : b;
    }
    if (rex) a[k++] = rex;
    memcpy(a + k, op, op_n);
    k += op_n;
    size_t rest = size > tail ? size - tail : 0;
    if (k + rest > sizeof a) rest = sizeof a - k;
    memcpy(a + k, code + tail, rest);
    k += rest;
    const uint8_t *q = a;
    size_t left = k > 15 ? 15 : k;
    uint64_t addr = pc;
    if (!cs_disasm_iter(cs, &q, &left, &addr, ci)) return false;
    if (modrm ? ci->size <= tail : ci->size != tail) return false;
    memcpy(ci->bytes, code, ci->size);
    return true;
}

/* 0F 01 FC / FD: clzero, rdpru (AMD machines only). */
static bool ext_0f01(csh cs, const uint8_t *code, size_t size, const struct ext_prefixes *p,
                     uint64_t pc, cs_insn *ci)
{
    size_t o = p->n;
    if (x86_machine()->intel || p->rep || p->lock) return false;
    if (code[o + 2] == 0xfc) {
        static const uint8_t mov_eax_rax[2] = { 0x8b, 0x00 };
        uint8_t rex = p->rex ? (uint8_t)(p->rex & ~0x01) : 0;  /* [rax], never [r8] */
        if (!ext_alias(cs, code, size, p, 1, false, rex, mov_eax_rax, 2, false, pc, ci))
            return false;
        ci->id = X86_FERRY_INS_CLZERO;
        strcpy(ci->mnemonic, "clzero");
        return true;
    }
    if (code[o + 2] == 0xfd) {
        static const uint8_t rdtsc[2] = { 0x0f, 0x31 };
        if (!ext_alias(cs, code, size, p, 1, false, p->rex, rdtsc, 2, false, pc, ci))
            return false;
        ci->id = X86_FERRY_INS_RDPRU;
        strcpy(ci->mnemonic, "rdpru");
        return true;
    }
    return false;
}

/* 0F 38 F8 / F9 with a memory operand: movdir64b (66), movdiri. */
static bool ext_0f38(csh cs, const uint8_t *code, size_t size, const struct ext_prefixes *p,
                     uint64_t pc, cs_insn *ci)
{
    size_t o = p->n;
    if (o + 4 > size || code[o + 3] >> 6 == 3 || p->rep || p->lock) return false;
    if (code[o + 2] == 0xf9 && !p->p66 && x86_machine_has(X86_FEAT_MOVDIRI)) {
        static const uint8_t mov_store[1] = { 0x89 };
        return ext_alias(cs, code, size, p, 2, false, p->rex, mov_store, 1, true, pc, ci) &&
               ci->id == X86_INS_MOV;
    }
    if (code[o + 2] == 0xf8 && p->p66 && x86_machine_has(X86_FEAT_MOVDIR64B)) {
        static const uint8_t mov_load[1] = { 0x8b };
        uint8_t rex = (uint8_t)(p->rex ? p->rex | 0x08 : 0x48);
        if (!ext_alias(cs, code, size, p, p->rex ? 2 : 1, true, rex, mov_load, 1, true, pc, ci))
            return false;
        ci->id = X86_FERRY_INS_MOVDIR64B;
        strcpy(ci->mnemonic, "movdir64b");
        return true;
    }
    return false;
}

bool x86_ext_decode(csh cs, const uint8_t *code, size_t size, uint64_t pc, cs_insn *ci)
{
    struct ext_prefixes p;
    ext_scan(code, size, &p);
    if (p.n + 3 > size || code[p.n] != 0x0f) return false;
    if (code[p.n + 1] == 0x01) return ext_0f01(cs, code, size, &p, pc, ci);
    if (code[p.n + 1] == 0x38) return ext_0f38(cs, code, size, &p, pc, ci);
    return false;
}
