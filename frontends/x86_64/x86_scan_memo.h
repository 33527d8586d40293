/* x86_scan_memo.h -- remembers what the successor flag scans found at a
 * guest pc, keyed by the guest bytes they decoded (x86_scan_memo.c).
 */
#ifndef FERRY_X86_SCAN_MEMO_H
#define FERRY_X86_SCAN_MEMO_H

#include <stdbool.h>
#include <stdint.h>

#include "guest_mem.h"

/* The guest bytes one scan decoded: at most two runs (the code at the
 * scanned pc and, after a direct jmp/call, at its target). */
#define X86_SCAN_SPANS 2
struct x86_scan_trace {
    int n;                          /* runs; -1: too much to remember */
    uint64_t start[X86_SCAN_SPANS];
    uint32_t len[X86_SCAN_SPANS];
};

/* Starts a trace; adds the instruction [pc, pc+size) to it. */
void x86_scan_trace_begin(struct x86_scan_trace *t);
void x86_scan_trace_add(struct x86_scan_trace *t, uint64_t pc, int size);

/* The scan result remembered for pc (bits: 1 flags, 2 CF), -1 when there
 * is none or the bytes it was found from changed or cannot be fetched. */
int x86_scan_memo_get(const struct tr_guest_mem *mem, uint64_t pc);

/* Remembers result for pc from the bytes of t (still fetchable). */
void x86_scan_memo_put(const struct tr_guest_mem *mem, uint64_t pc,
                       const struct x86_scan_trace *t, int result);

#endif
