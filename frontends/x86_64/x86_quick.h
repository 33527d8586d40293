/* x86_quick.h -- a small table-free decoder for the commonest integer
 * forms, used where the translator only needs an instruction's capstone id,
 * length and direct branch target (the successor flag-liveness scans), so
 * those scans need not run capstone and its text printer.
 */
#ifndef FERRY_X86_QUICK_H
#define FERRY_X86_QUICK_H

#include <stdbool.h>
#include <stdint.h>

#include <capstone/capstone.h>

struct x86_quick {
    unsigned id;        /* X86_INS_xxx, as capstone names the encoding */
    int size;           /* bytes */
    uint64_t target;    /* direct jmp/call/jcc target; 0 otherwise */
    bool mem;           /* accesses memory (x86_may_fault: not lea, nop) */
};

/* Decodes the instruction at p (15 readable bytes), guest address pc.
 * False: not one of the forms this decoder knows (ask capstone); when true,
 * id, size and target equal capstone's (pinned by test_x86_dispatch). */
bool x86_quick_decode(const uint8_t *p, uint64_t pc, struct x86_quick *q);

/* Decodes the instruction at p (15 readable bytes) into ci (with detail)
 * when it is one of the commonest integer forms; the id, size, bytes and
 * the detail the translator reads (prefix, opcode, rex, addr_size, modrm,
 * sib, disp, operands) equal capstone's.  Text (mnemonic) is left empty. */
bool x86_quick_insn(const uint8_t *p, uint64_t pc, cs_insn *ci);

#endif
