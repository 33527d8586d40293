/* x86_decode_quirks.c -- where capstone 4's decoding and the CPU part:
 * prefix order (a 66 after F2/F3, F2/F3 before another prefix), an F2/F3
 * beside 66 on a general-purpose instruction (32 bits where the CPU takes
 * 16), prefixes that select no form (#UD where capstone decodes the
 * unprefixed form), and instructions over 15 bytes
 * (#GP where capstone just fails), REX.R on mov to/from a segment register
 * (capstone fails; the CPU ignores it), 66 on a relative near branch
 * (Intel ignores it; capstone takes AMD's rel16), F3 REX.B 90 (pause, not
 * xchg r8).  Used by x86_translate.c's
 * decoder. */
#include <string.h>

#include "x86_decode_quirks.h"

static bool legacy_prefix(uint8_t b) { return x86_legacy_prefix(b); }

/* F3 REX.W 0F 7E is movq xmm, xmm/m64 (REX.W ignored, as without it);
 * capstone 4 decodes it as the MMX "movd r64, mm" of 48 0F 7E.  n is
 * the legacy prefixes' length, last_rep the last F2/F3 of them. */
static bool movq_rexw(const uint8_t *code, size_t size, size_t n, uint8_t last_rep)
{
    return last_rep == 0xf3 && n + 2 < size && (code[n] & 0xf8) == 0x48 &&
           code[n + 1] == 0x0f && code[n + 2] == 0x7e;
}

/* Capstone 4 takes a 66 that follows F2/F3 as the mandatory prefix
 * ("f3 66 0f 10" as movupd), an F2/F3 that another prefix follows as
 * no prefix at all ("f3 2e 0f bc" as bsf), and a 66 that a segment or
 * 67 prefix follows as no mandatory prefix ("66 2e 0f 58" as addps, "66
 * 67 0f fe" as the MMX paddd); the CPU lets F2/F3 win in any order and
 * takes 66 wherever it stands.  The order of legacy prefixes means
 * nothing else, so the others go first, then the 66s, then the F2/F3s
 * (their own order kept: the last one selects).  Also drops the REX.W of
 * movq_rexw(). */
const uint8_t *x86_prefix_order(const uint8_t *code, size_t size, uint8_t *buf)
{
    size_t n = 0, k = 0;
    bool rep = false, late = false, o66 = false, after66 = false;
    uint8_t last_rep = 0;
    for (; n < size && legacy_prefix(code[n]); n++) {
        bool is_rep = code[n] == 0xf2 || code[n] == 0xf3;
        if (is_rep) last_rep = code[n];
        late |= rep && !is_rep;
        rep |= is_rep;
        after66 |= o66 && !is_rep && code[n] != 0x66;
        o66 |= code[n] == 0x66;
    }
    bool rexw = movq_rexw(code, size, n, last_rep);
    if (!late && !after66 && !rexw) return code;
    for (size_t i = 0; i < n; i++)
        if (code[i] != 0x66 && code[i] != 0xf2 && code[i] != 0xf3) buf[k++] = code[i];
    for (size_t i = 0; i < n; i++)
        if (code[i] == 0x66) buf[k++] = 0x66;
    for (size_t i = 0; i < n; i++)
        if (code[i] == 0xf2 || code[i] == 0xf3) buf[k++] = code[i];
    memcpy(buf + n, code + n, size - n);
    if (rexw) buf[n] &= (uint8_t)~8;
    return buf;
}

bool x86_plain_after_rex(const cs_insn *ci)
{
    unsigned n = 0;
    while (n < ci->size && (ci->bytes[n] & 0xf0) == 0x40) n++;      /* REX */
    return n < ci->size && !legacy_prefix(ci->bytes[n]) &&
           ci->bytes[n] != 0xc4 && ci->bytes[n] != 0xc5;
}

/* Which register classes an instruction's operands use: bit 0 MMX,
 * bit 1 XMM/YMM. */
static unsigned vector_classes(const cs_insn *ci)
{
    unsigned m = 0;
    for (int i = 0; i < ci->detail->x86.op_count; i++) {
        const cs_x86_op *op = &ci->detail->x86.operands[i];
        if (op->type != X86_OP_REG) continue;
        if (op->reg >= X86_REG_MM0 && op->reg <= X86_REG_MM7) m |= 1;
        if ((op->reg >= X86_REG_XMM0 && op->reg <= X86_REG_XMM31) ||
            (op->reg >= X86_REG_YMM0 && op->reg <= X86_REG_YMM31)) m |= 2;
    }
    return m;
}

/* A 66/F2/F3 prefix on an MMX/SSE form that has no such prefixed form
 * ("66 0f 52", "f3 0f 28", "f2 0f 60", "66 0f 38 c8"): #UD on the CPU,
 * while capstone 4 decodes it as the unprefixed form.  Told by decoding
 * the bytes again without those prefixes: the same instruction on the
 * same register classes means the prefix selected nothing.  Cached per
 * id, prefix set and opcode (the answer depends on nothing else).  Of the
 * general-register forms, movnti and emms take none of them, movbe no F3. */
/* The opcode after 0F, with the byte after 0F 38 / 0F 3A: two opcodes
 * share some ids (MOVQ is 0F 6F, 0F 7E, 0F D6 ...), so a cached verdict
 * holds for its opcode only. */
static uint16_t opcode_key(const cs_insn *ci, unsigned op)
{
    uint8_t b1 = op + 1 < ci->size ? ci->bytes[op + 1] : 0;
    uint8_t b2 = (b1 == 0x38 || b1 == 0x3a) && op + 2 < ci->size ? ci->bytes[op + 2] : 0;
    return (uint16_t)(b1 << 8 | b2);
}

bool x86_stray_sse_prefix(csh cs, const cs_insn *ci)
{
    /* [id][66 | F3 | F2 | F2 last]: v 0 unknown, 1 fine, 2 stray */
    static struct { uint8_t v; uint16_t opcode; } verdict[X86_INS_ENDING][16];
    unsigned set = 0, n = 0;
    uint8_t bytes[16];
    if (ci->id >= X86_INS_ENDING) return false;
    for (; n < ci->size && legacy_prefix(ci->bytes[n]); n++) {
        set |= ci->bytes[n] == 0x66 ? 1 : ci->bytes[n] == 0xf3 ? 2 : ci->bytes[n] == 0xf2 ? 4 : 0;
        if (ci->bytes[n] == 0xf2 || ci->bytes[n] == 0xf3)   /* the last of F2/F3 selects */
            set = (set & 7) | (ci->bytes[n] == 0xf2 ? 8 : 0);
    }
    unsigned op = n < ci->size && (ci->bytes[n] & 0xf0) == 0x40 ? n + 1 : n;     /* REX */
    if (!(set & 7) || op >= ci->size || ci->bytes[op] != 0x0f) return false;
    if (ci->id == X86_INS_MOVNTI || ci->id == X86_INS_EMMS) return true;
    if (ci->id == X86_INS_MOVBE) return set & 2;       /* F2 is crc32; 66 sizes it */
    unsigned vc = vector_classes(ci);       /* (after the quick answers: most insns) */
    if (!vc) return false;
    uint16_t key = opcode_key(ci, op);
    if (verdict[ci->id][set].v && verdict[ci->id][set].opcode == key)
        return verdict[ci->id][set].v == 2;
    size_t k = 0;
    for (unsigned i = 0; i < ci->size; i++)
        if (i >= n || (ci->bytes[i] != 0x66 && ci->bytes[i] != 0xf2 && ci->bytes[i] != 0xf3))
            bytes[k++] = ci->bytes[i];
    cs_insn *t = NULL;
    bool stray = cs_disasm(cs, bytes, k, 0, 1, &t) == 1 && t->id == ci->id &&
                 vector_classes(t) == vc;
    if (t) cs_free(t, 1);
    verdict[ci->id][set].v = stray ? 2 : 1;
    verdict[ci->id][set].opcode = key;
    return stray;
}

/* The one-byte opcodes whose F2/F3 means something without selecting an
 * instruction capstone tells apart: the string instructions' repeat, and
 * pause (F3 90). */
static bool rep_counts(uint8_t op)
{
    return (op >= 0xa4 && op <= 0xa7) || (op >= 0xaa && op <= 0xaf) ||
           (op >= 0x6c && op <= 0x6f) || op == 0x90;
}

/* Capstone 4 decodes a general-purpose instruction that carries 66 and
 * F2/F3 at 32 bits ("66 f2 21 07" as and dword [rdi], ax), or not at all
 * ("66 f2 0f a4"), and drops a lock before the F2/F3 ("66 f0 f2 21");
 * the CPU ignores such an F2/F3 and keeps 66's 16 bits.  When the F2/F3
 * select nothing -- a one-byte opcode but the string ones (capstone even
 * names "66 f2 98" cwde), or a 0F one (not 0F 38 / 0F 3A) whose bytes
 * with each F2/F3 turned into 66 decode to the same instruction (tzcnt is
 * not bsf), or only those decode -- on general registers only, alias is
 * those bytes (the same length). */
bool x86_rep_opsize_alias(csh cs, const uint8_t *code, size_t size, uint8_t *alias)
{
    size_t n = 0;
    bool has66 = false, rep = false;
    for (; n < size && legacy_prefix(code[n]); n++) {
        has66 |= code[n] == 0x66;
        rep |= code[n] == 0xf2 || code[n] == 0xf3;
    }
    if (!has66 || !rep) return false;
    size_t op = n < size && (code[n] & 0xf0) == 0x40 ? n + 1 : n;
    if (op + 1 >= size || rep_counts(code[op])) return false;
    /* 0F 38 / 0F 3A: F2/F3 select or refuse their forms (crc32, adox, #UD
     * on movbe: x86_stray_sse_prefix sees them), so they stay. */
    if (code[op] == 0x0f && (code[op + 1] == 0x38 || code[op + 1] == 0x3a)) return false;
    memcpy(alias, code, size);
    for (size_t i = 0; i < n; i++)
        if (alias[i] == 0xf2 || alias[i] == 0xf3) alias[i] = 0x66;
    cs_insn *a = NULL, *c = NULL;
    bool same = cs_disasm(cs, alias, size, 0, 1, &a) == 1 && !vector_classes(a) &&
                (code[op] != 0x0f || cs_disasm(cs, code, size, 0, 1, &c) != 1 || c->id == a->id);
    if (a) cs_free(a, 1);
    if (c) cs_free(c, 1);
    return same;
}

/* Bytes capstone rejects that are an instruction over 15 bytes long, which
 * the CPU refuses with #GP (SIGSEGV), not #UD: repeated prefixes counted,
 * the rest decoded with each prefix once. */
bool x86_too_long(csh cs, const uint8_t *code, size_t avail)
{
    uint8_t once[16 + 15];
    int n = 0, kept = 0;
    while (n < 15 && (legacy_prefix(code[n]) || (code[n] & 0xf0) == 0x40)) n++;
    if (n == 15) return true;
    for (int i = 0; i < n; i++) {
        bool later = false;
        for (int j = i + 1; j < n; j++) later |= code[j] == code[i];
        bool rex = (code[i] & 0xf0) == 0x40;
        if (!later && (!rex || i == n - 1)) once[kept++] = code[i];
    }
    size_t rest = avail - (size_t)n < 15 ? avail - (size_t)n : 15;
    memcpy(once + kept, code + n, rest);
    cs_insn *t = NULL;
    bool longer = cs_disasm(cs, once, (size_t)kept + rest, 0, 1, &t) == 1 &&
                  t->size + (n - kept) > 15;
    if (t) cs_free(t, 1);
    return longer;
}

/* mov r/m, sreg (8c) and mov sreg, r/m (8e) ignore REX.R (measured: 44 8e c0
 * loads es); capstone 4 cannot decode them with it.  The alias is the same
 * bytes with REX.R clear: same length, same operands. */
bool x86_sreg_rex_alias(const uint8_t *code, size_t size, uint8_t *alias)
{
    size_t n = 0;
    while (n < size && legacy_prefix(code[n])) n++;
    if (n + 1 >= size || (code[n] & 0xf4) != 0x44 || (code[n + 1] != 0x8c && code[n + 1] != 0x8e))
        return false;
    memcpy(alias, code, size);
    alias[n] &= (uint8_t)~4;
    return true;
}

/* 66 on a near call or jump with a 32-bit displacement (e8, e9, 0f 80..8f)
 * in 64-bit mode: Intel 64 ignores it (rel32, a 64-bit rip and return
 * address; measured: 66 e9 rel32 is 6 bytes long), AMD64 reads rel16 and
 * truncates rip, as capstone 4 decodes it.  For Intel's reading the alias
 * is the same bytes with each 66 turned into 3e (a DS override, which a
 * relative branch ignores): same length, rel32. */
bool x86_branch_opsize_alias(const uint8_t *code, size_t size, uint8_t *alias)
{
    size_t n = 0;
    bool has66 = false;
    for (; n < size && legacy_prefix(code[n]); n++) has66 |= code[n] == 0x66;
    if (!has66) return false;
    size_t op = n < size && (code[n] & 0xf0) == 0x40 ? n + 1 : n;
    if (op >= size) return false;
    bool rel32 = code[op] == 0xe8 || code[op] == 0xe9 ||
                 (code[op] == 0x0f && op + 1 < size && (code[op + 1] & 0xf0) == 0x80);
    if (!rel32) return false;
    memcpy(alias, code, size);
    for (size_t i = 0; i < n; i++)
        if (alias[i] == 0x66) alias[i] = 0x3e;
    return true;
}

/* F3 REX 90 is pause whatever the REX says (measured: f3 41 90 and f3 49 90
 * leave r8 and rax alone); capstone 4 decodes xchg r8, rax.  The alias is
 * the same bytes with the REX turned into a plain 40. */
bool x86_pause_rex_alias(const uint8_t *code, size_t size, uint8_t *alias)
{
    size_t n = 0;
    uint8_t last_rep = 0;
    for (; n < size && legacy_prefix(code[n]); n++)
        if (code[n] == 0xf2 || code[n] == 0xf3) last_rep = code[n];
    if (last_rep != 0xf3 || n + 1 >= size || (code[n] & 0xf1) != 0x41 || code[n + 1] != 0x90)
        return false;
    memcpy(alias, code, size);
    alias[n] = 0x40;
    return true;
}
