/* x86_code_snap.h -- the guest bytes a block was decoded from, read once
 * (x86_code_snap.c). */
#ifndef FERRY_X86_CODE_SNAP_H
#define FERRY_X86_CODE_SNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest_mem.h"

/* Copies the n (<= 15) guest bytes at pc into out[15] (the rest of out
 * undefined), reading guest memory in aligned 8-byte loads; every byte
 * must be fetchable. */
void x86_code_window(const struct tr_guest_mem *mem, uint64_t pc, size_t n, uint8_t *out);

/* The record of one block's decoded bytes: begun at the block's pc (on:
 * whether to keep them, for code the guest may write), each decoded
 * instruction's window appended in order. */
void x86_snap_begin(uint64_t pc, bool on);
void x86_snap_keep(uint64_t pc, const uint8_t *bytes, size_t n);
/* The first size recorded bytes, or NULL when the record does not hold
 * them all (then the engine reads guest memory, as before). */
const uint8_t *x86_snap_bytes(uint32_t size);

#endif
