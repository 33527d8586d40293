/* accel_tcg_codewatch.c -- tcg's write tracking of guest RAM pages that
 * hold translated code, so that the self-modifying-code check on every
 * block entry (translator/smc.c) compares a page version instead of the
 * block's bytes.
 *
 * A page's version is its host page number and a write generation.  A
 * tracked page has no write entry in any vCPU's TLB (accel_tcg_mmu.c drops
 * them when tracking starts, and fills none while it lasts), so every
 * write to it takes the slow path, which calls tcg_codewatch_write first:
 * the generation moves on and the page is untracked (its write entries may
 * come back).  Writers outside translated code say so too: atomics and C
 * helpers through the TLB's write side, the page walk's A/D bits, devices
 * (virtqueue buffers and rings, pread: tcg_codewatch_release).  So a
 * version read while a page is tracked stays equal only while nobody
 * wrote the page: smc.c takes the version (tracking the page) before it
 * compares or copies the bytes, and trusts an equal version afterwards.
 * A version of 0 means "compare the bytes" (not RAM, or a page written
 * too often).  (Session 9 made tracked pages read-only with mprotect and
 * took a SIGSEGV on the first write: about 70 us per mprotect here, with
 * its TLB shootdown, and 8,000 per Linux boot.)
 *
 * A write entry filled while tracking starts: the filler stores the entry,
 * then looks at the page's flag; the tracker sets the flag, then drops
 * the entries (both sequentially consistent): one of them sees the other.
 * What remains is a store already past its probe when tracking starts on
 * another vCPU (as in QEMU's MTTCG): cross-modifying code without the
 * synchronisation the architecture asks for.  C helpers that write
 * through tr_guest_ptr (x87/SSE state saves, cmpxchg16b, masked stores)
 * are not seen: their operands are data.
 *
 * Cheaper still, each vCPU has a code epoch that changes when its TLB is
 * flushed (CR3, CR0/CR4/EFER writes, invlpg) or any tracked page is
 * written: a block checked by this vCPU in this epoch is still good. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accel_tcg.h"

static uint8_t *ram;
static uint64_t ram_size;
static uint64_t host_page;
static uint32_t *gen;                   /* per host page */
static uint8_t *watched;                /* per host page: tracked now */
static uint8_t *writes;                 /* per host page: times unwatched, to GIVE_UP */
static uint32_t *last_write;            /* per host page: tcg_code_writes when last unwatched */
static uint16_t *asked;                 /* per host page: checks since given up */
/* A page whose code keeps being written (code and data on one page, as in
 * small guests) would take the slow path on every write: after this many
 * writes in a row, each among the last RECENT writes of tracked pages, it
 * is no longer tracked, and blocks on it compare their bytes on every
 * entry.  A page written less often starts counting again: Linux reuses
 * freed pages for new code all the time, and a count that never forgot
 * left hundreds of pages untracked by the end of a boot (every block on
 * them comparing its bytes on every entry). */
#define GIVE_UP 32
#define RECENT 64
static int lock;                        /* spin lock */
uint64_t tcg_code_writes;                /* writes to tracked pages so far */
static uint64_t epochs = 4;             /* code epochs handed out (by 4: low bits = slot) */

static void lock_take(void)
{
    while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
        ;
}

static void lock_drop(void) { __atomic_store_n(&lock, 0, __ATOMIC_RELEASE); }

static uint8_t *page_start(uint64_t i) { return ram + i * host_page; }

/* A write to page i: a new generation, untracked.  A page not tracked
 * needs nothing: its generation moved on when it stopped being tracked.
 * Under the lock. */
static void unwatch(uint64_t i)
{
    if (!watched[i])
        return;
    __atomic_fetch_add(&gen[i], 1, __ATOMIC_RELEASE);
    uint32_t now = (uint32_t)__atomic_add_fetch(&tcg_code_writes, 1, __ATOMIC_RELEASE);
    if (now - last_write[i] > RECENT)
        writes[i] = 0;
    last_write[i] = now;
    if (writes[i] < GIVE_UP)
        writes[i]++;
    __atomic_store_n(&watched[i], 0, __ATOMIC_SEQ_CST);
}

/* The page of RAM holding h, or -1. */
static int64_t page_of(const void *h)
{
    const uint8_t *p = h;
    return ram && p >= ram && p < ram + ram_size ? (int64_t)((uint64_t)(p - ram) / host_page) : -1;
}

void tcg_codewatch_write(const void *h)
{
    int64_t i = page_of(h);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);    /* the caller's TLB entry, then the flag */
    if (i < 0 || !__atomic_load_n(&watched[i], __ATOMIC_SEQ_CST))
        return;
    lock_take();
    unwatch((uint64_t)i);
    lock_drop();
}

void tcg_codewatch_init(struct sys_vm *vm)
{
    long ps = sysconf(_SC_PAGESIZE);
    host_page = ps > 0 ? (uint64_t)ps : 4096;
    uint64_t pages = (vm->ram_size + host_page - 1) / host_page;
    gen = calloc(pages, sizeof *gen);
    watched = calloc(pages, 1);
    writes = calloc(pages, 1);
    last_write = calloc(pages, sizeof *last_write);
    asked = calloc(pages, sizeof *asked);
    if (!vm->ram || !gen || !watched || !writes || !last_write || !asked ||
        (uintptr_t)vm->ram % host_page)
        return;                         /* no tracking: versions are 0, bytes compared */
    ram_size = vm->ram_size;
    ram = vm->ram;
}

/* A page given up on is tracked again after its code was checked RETRY
 * times (each a byte compare): Linux patches its text at boot (jump
 * labels, static calls: three writes per site), which gives pages up, and
 * then runs that code for the rest of its life.  A page that still mixes
 * code and busy data is given up again after GIVE_UP writes. */
#define RETRY 4096

static bool retry(int64_t i)
{
    if (__atomic_add_fetch(&asked[i], 1, __ATOMIC_RELAXED) < RETRY)
        return false;
    __atomic_store_n(&asked[i], 0, __ATOMIC_RELAXED);
    __atomic_store_n(&writes[i], 0, __ATOMIC_RELAXED);
    return true;
}

/* The version of the RAM page holding host address h; with track, the
 * page is tracked from now on (no vCPU writes it without the slow path). */
uint64_t tcg_codewatch_version(const uint8_t *h, bool track)
{
    int64_t i = page_of(h);
    if (i < 0 || (__atomic_load_n(&writes[i], __ATOMIC_RELAXED) >= GIVE_UP && !retry(i)))
        return 0;
    if (track && !__atomic_load_n(&watched[i], __ATOMIC_ACQUIRE)) {
        lock_take();
        if (!watched[i]) {
            __atomic_store_n(&watched[i], 1, __ATOMIC_SEQ_CST);
            __atomic_thread_fence(__ATOMIC_SEQ_CST);    /* the flag, then the entries */
            tcg_tlb_drop_writes(page_start((uint64_t)i), host_page);
        }
        lock_drop();
    }
    return (uint64_t)(i + 1) << 32 | __atomic_load_n(&gen[i], __ATOMIC_ACQUIRE);
}

/* Something other than a vCPU's store is about to write [h, h+len): a
 * device's buffer, pread into guest RAM. */
void tcg_codewatch_release(void *h, size_t len)
{
    uint8_t *p = h;
    if (!ram || !len || p < ram || p >= ram + ram_size)
        return;
    uint64_t first = (uint64_t)(p - ram) / host_page;
    uint64_t last = ((uint64_t)(p - ram) + len - 1) / host_page;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    for (uint64_t i = first; i <= last && i * host_page < ram_size; i++) {
        if (!__atomic_load_n(&watched[i], __ATOMIC_SEQ_CST))
            continue;
        lock_take();
        unwatch(i);
        lock_drop();
    }
}

/* ---- code epochs: the self-modifying-code check's fast path ----------- */

/* A fresh epoch for this vCPU (its low two bits pick the block's slot). */
void tcg_code_epoch_renew(struct tcg_cpu *c)
{
    uint64_t slot = c->vcpu ? (uint64_t)c->vcpu->index & 3 : 0;
    c->code_epoch = __atomic_fetch_add(&epochs, 4, __ATOMIC_RELAXED) | slot;
}

/* The vCPU's epoch: unchanged while its TLB and every tracked code page
 * stay as they are (read before a check, so a write during it renews). */
uint64_t tcg_code_epoch(struct tcg_cpu *c)
{
    uint64_t w = __atomic_load_n(&tcg_code_writes, __ATOMIC_ACQUIRE);
    if (!ram)
        return 0;
    if (w != c->seen_writes || !c->code_epoch) {
        c->seen_writes = w;
        tcg_code_epoch_renew(c);
    }
    return c->code_epoch;
}
