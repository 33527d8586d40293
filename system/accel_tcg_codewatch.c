/* accel_tcg_codewatch.c -- tcg's write tracking of guest RAM pages that
 * hold translated code, so that the self-modifying-code check on every
 * block entry (translator/smc.c) compares a page version instead of the
 * block's bytes.
 *
 * A page's version is its host page number and a write generation.
 * Tracking a page makes its host page read-only; the first write to it,
 * whoever makes it (translated code's helpers, C helpers through tr_g2h
 * pointers, device threads' DMA, other vCPUs), takes a SIGSEGV that bumps
 * the generation and makes the page writable again, then the write is
 * retried.  Writes by the host kernel (pread into guest RAM) cannot fault:
 * devices release the range first (tcg_codewatch_release).  So a version
 * read while a page is tracked stays equal only while nobody wrote the
 * page: smc.c takes the version (tracking the page) before it compares or
 * copies the bytes, and trusts an equal version afterwards.  A version of
 * 0 means "compare the bytes" (not RAM, or a page written too often).
 *
 * Cheaper still, each vCPU has a code epoch that changes when its TLB is
 * flushed (CR3, CR0/CR4/EFER writes, invlpg) or any tracked page is
 * written: a block checked by this vCPU in this epoch is still good. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "accel_tcg.h"

static uint8_t *ram;
static uint64_t ram_size;
static uint64_t host_page;
static uint32_t *gen;                   /* per host page */
static uint8_t *watched;                /* per host page: read-only now */
static uint8_t *writes;                 /* per host page: times unwatched, to GIVE_UP */
/* A page whose code keeps being written (code and data on one page, as in
 * small guests) would fault on every write: after this many it is no
 * longer tracked, and blocks on it compare their bytes on every entry. */
#define GIVE_UP 32
static struct sigaction chained;        /* the engine's handler (translator/fault.c) */
static int lock;                        /* spin lock: also taken in the signal handler */
uint64_t tcg_code_writes;                /* writes to tracked pages so far */
static uint64_t epochs = 4;             /* code epochs handed out (by 4: low bits = slot) */

static void lock_take(void)
{
    while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
        ;
}

static void lock_drop(void) { __atomic_store_n(&lock, 0, __ATOMIC_RELEASE); }

static uint8_t *page_start(uint64_t i) { return ram + i * host_page; }

/* A write to page i (from the fault handler or a release): a new
 * generation, writable again.  A page not tracked needs nothing: its
 * generation moved on when it stopped being tracked.  Under the lock. */
static void unwatch(uint64_t i)
{
    if (!watched[i])
        return;
    __atomic_fetch_add(&gen[i], 1, __ATOMIC_RELEASE);
    __atomic_fetch_add(&tcg_code_writes, 1, __ATOMIC_RELEASE);
    if (writes[i] < GIVE_UP)
        writes[i]++;
    watched[i] = 0;
    mprotect(page_start(i), host_page, PROT_READ | PROT_WRITE);
}

static void chain(int sig, siginfo_t *si, void *uc)
{
    if (chained.sa_flags & SA_SIGINFO)
        chained.sa_sigaction(sig, si, uc);
    else if (chained.sa_handler != SIG_IGN && chained.sa_handler != SIG_DFL)
        chained.sa_handler(sig);
    else
        signal(sig, SIG_DFL);           /* not ours: dies when the access repeats */
}

/* A write into a tracked page: bump, unprotect, retry the write.  A fault
 * elsewhere is the engine's. */
static void on_segv(int sig, siginfo_t *si, void *uc)
{
    uint8_t *a = si->si_addr;
    if (sig != SIGSEGV || !ram || a < ram || a >= ram + ram_size) {
        chain(sig, si, uc);
        return;
    }
    lock_take();
    unwatch((uint64_t)(a - ram) / host_page);
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
    if (!vm->ram || !gen || !watched || !writes || (uintptr_t)vm->ram % host_page)
        return;                         /* no tracking: versions are 0, bytes compared */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &chained);
    ram_size = vm->ram_size;
    ram = vm->ram;
}

/* The version of the RAM page holding host address h; with track, the
 * page is tracked from now on (read-only until its next write). */
uint64_t tcg_codewatch_version(const uint8_t *h, bool track)
{
    if (!ram || h < ram || h >= ram + ram_size)
        return 0;
    uint64_t i = (uint64_t)(h - ram) / host_page;
    if (__atomic_load_n(&writes[i], __ATOMIC_RELAXED) >= GIVE_UP)
        return 0;
    if (track && !__atomic_load_n(&watched[i], __ATOMIC_ACQUIRE)) {
        lock_take();
        if (!watched[i]) {
            watched[i] = 1;
            mprotect(page_start(i), host_page, PROT_READ);
        }
        lock_drop();
    }
    return (i + 1) << 32 | __atomic_load_n(&gen[i], __ATOMIC_ACQUIRE);
}

/* The host kernel is about to write [h, h+len) (pread into guest RAM):
 * such a write returns EFAULT on a read-only page instead of faulting. */
void tcg_codewatch_release(void *h, size_t len)
{
    uint8_t *p = h;
    if (!ram || !len || p < ram || p >= ram + ram_size)
        return;
    uint64_t first = (uint64_t)(p - ram) / host_page;
    uint64_t last = ((uint64_t)(p - ram) + len - 1) / host_page;
    lock_take();
    for (uint64_t i = first; i <= last && i * host_page < ram_size; i++)
        unwatch(i);
    lock_drop();
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
