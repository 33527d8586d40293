/* x86_decode_quirks.h -- capstone 4's decodings the CPU disagrees with
 * (x86_decode_quirks.c). */
#ifndef X86_DECODE_QUIRKS_H
#define X86_DECODE_QUIRKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <capstone/capstone.h>

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
bool x86_plain_encoding(const cs_insn *ci);

/* code is mov to/from a segment register with REX.R, which the CPU
 * ignores: alias (size bytes) is the same without it. */
bool x86_sreg_rex_alias(const uint8_t *code, size_t size, uint8_t *alias);

#endif
