/* x86_decode_quirks.h -- capstone 4's decodings the CPU disagrees with
 * (x86_decode_quirks.c). */
#ifndef X86_DECODE_QUIRKS_H
#define X86_DECODE_QUIRKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <capstone/capstone.h>

/* A legacy prefix byte (groups 1-4). */
static inline bool x86_legacy_prefix(uint8_t b)
{
    return (b & 0xe7) == 0x26 ||                        /* 26 2e 36 3e */
           (b & 0xfc) == 0x64 ||                        /* 64 65 66 67 */
           ((b & 0xfc) == 0xf0 && b != 0xf1);           /* f0 f2 f3 */
}

/* code, or its copy in buf (15 bytes) with the legacy prefixes other than
 * 66/F2/F3 first, then the 66s, then F2/F3, so that capstone lets 66 and
 * F2/F3 select the form as the CPU does. */
const uint8_t *x86_prefix_order(const uint8_t *code, size_t size, uint8_t *buf);

/* The undecodable bytes at code (avail readable) are an instruction over
 * 15 bytes: #GP rather than #UD. */
bool x86_too_long(csh cs, const uint8_t *code, size_t avail);

/* code (size bytes, after x86_prefix_order) carries 66 and an F2/F3 that
 * selects nothing: alias is it with 66 for each F2/F3, which capstone
 * sizes as the CPU does. */
bool x86_rep_opsize_alias(csh cs, const uint8_t *code, size_t size, uint8_t *alias);

/* ci carries a 66/F2/F3 that selects none of its forms: #UD. */
bool x86_stray_sse_prefix(csh cs, const cs_insn *ci);
/* No legacy prefix and no VEX (REX alone may come first): most
 * instructions, for which the prefix checks (x86_stray_sse_prefix,
 * x86_vex_prefixed, x86_vex_w_reserved) have nothing to find. */
bool x86_plain_after_rex(const cs_insn *ci);

/* A byte that is neither a legacy prefix, nor REX, nor VEX's C4/C5. */
static inline bool x86_unprefixed_byte(uint8_t b)
{
    return (b & 0xf0) != 0x40 && b != 0xc4 && b != 0xc5 && !x86_legacy_prefix(b);
}

/* The instruction's bytes (size of them) start with its opcode, or one
 * REX and then its opcode: no legacy prefix, no VEX -- the common case,
 * answered inline by the per-instruction prefix checks.  (False is no
 * answer: two REX bytes, say, are left to the full checks.) */
static inline bool x86_plain_start(const uint8_t *bytes, unsigned size)
{
    unsigned n = (bytes[0] & 0xf0) == 0x40;
    return n < size && x86_unprefixed_byte(bytes[n]);
}

static inline bool x86_plain_encoding(const cs_insn *ci)
{
    return x86_plain_start(ci->bytes, ci->size) || x86_plain_after_rex(ci);
}

/* code is mov to/from a segment register with REX.R, which the CPU
 * ignores: alias (size bytes) is the same without it. */
bool x86_sreg_rex_alias(const uint8_t *code, size_t size, uint8_t *alias);

bool x86_branch_opsize_alias(const uint8_t *code, size_t size, uint8_t *alias);
bool x86_pause_rex_alias(const uint8_t *code, size_t size, uint8_t *alias);

#endif
