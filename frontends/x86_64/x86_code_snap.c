/* x86_code_snap.c -- the guest bytes a block was decoded from.
 *
 * Code on writable pages may change while it is decoded (another thread
 * patching it, as JITs and cross-modifying code do with one aligned atomic
 * store).  Capstone reads an instruction byte by byte, and the engine then
 * copies the block's bytes again for the self-modifying-code check
 * (translator/smc.c): a store between those reads left a translation of
 * bytes that never were in memory (half old, half new instruction) next
 * to a copy that matched memory, so the block ran.  Here every instruction
 * is decoded from one read of its bytes, in aligned 8-byte loads (an
 * aligned store of up to 8 bytes is seen whole, as the CPU's fetch sees
 * it), and the copy the check compares is exactly what was decoded. */
#include <string.h>

#include "x86_code_snap.h"

#define SNAP_PAGE 4096ull
/* A block's decoded bytes: 128 instructions of up to 15 bytes. */
#define SNAP_MAX (128 * 15)

static struct {
    uint64_t pc;                        /* the block's first byte */
    uint32_t n;                         /* bytes recorded */
    bool broken;                        /* a window did not follow on */
    uint8_t bytes[SNAP_MAX];
} snap;

static inline uint64_t load_word(const uint8_t *host)
{
    return __atomic_load_n((const uint64_t *)(const void *)host, __ATOMIC_RELAXED);
}

void x86_code_window(const struct tr_guest_mem *mem, uint64_t pc, size_t n, uint8_t *out)
{
    uint64_t first = pc & ~7ull, last = (pc + n - 1) & ~7ull;
    uint64_t words[3] = { 0, 0, 0 };    /* 15 bytes from anywhere in a word */
    const uint8_t *host = (const uint8_t *)tr_g2h(mem, first);
    words[0] = load_word(host);
    for (uint64_t a = first + 8; a <= last; a += 8) {
        if (!(a & (SNAP_PAGE - 1)))     /* a software MMU maps each page apart */
            host = (const uint8_t *)tr_g2h(mem, a) - (a - first);
        words[(a - first) / 8] = load_word(host + (a - first));
    }
    memcpy(out, (const uint8_t *)words + (pc - first), 15);
}

void x86_snap_begin(uint64_t pc, bool on)
{
    snap.pc = pc;
    snap.n = 0;
    snap.broken = !on;
}

void x86_snap_keep(uint64_t pc, const uint8_t *bytes, size_t n)
{
    if (snap.broken || pc != snap.pc + snap.n || n > SNAP_MAX - snap.n) {
        snap.broken = true;
        return;
    }
    memcpy(snap.bytes + snap.n, bytes, n);
    snap.n += (uint32_t)n;
}

const uint8_t *x86_snap_bytes(uint32_t size)
{
    return !snap.broken && size && size <= snap.n ? snap.bytes : NULL;
}
