/* split_lock_threads.c -- four threads hammer misaligned counters with
 * locked instructions: lock add, lock xadd, lock inc and a lock cmpxchg
 * retry loop at 2, 4 and 8 bytes, each counter once across a 64-byte line
 * (a split lock) and once misaligned inside a line; plus a spin lock whose
 * misaligned word is taken and released with xchg, guarding a plain
 * counter.  x86 makes every one atomic, so natively each total is exact;
 * a translation that does a misaligned locked operation as a plain load
 * and store (AArch64 cannot use its exclusive pair there) loses updates.
 * The bytes around each counter must stay untouched.  First, one thread:
 * a split lock onto an inaccessible page faults, and the SIGSEGV handler
 * (then the code after its siglongjmp) does misaligned locked operations
 * of its own -- ferry must not keep its split lock across the fault.
 * Some hosts throttle split locks (Linux's split_lock_mitigate, or the
 * hypervisor's: session 39's VM let a burst through, then took 0.1-20 ms
 * each, natively too, and 4000 rounds ran past the 400 s timeout): 400
 * rounds, and the waiters of the spin lock read before they xchg. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define THREADS 4
#define ITERS 400
#define SLOT 128                    /* one counter per two lines */

/* Slot k's counter is at byte off[k] of the slot: 64 - w/2 crosses the
 * line between its halves, 3 is misaligned inside the first line. */
static const struct { unsigned width, off; } counters[] = {
    { 2, 63 }, { 2, 3 }, { 4, 62 }, { 4, 3 }, { 8, 60 }, { 8, 3 },
};
#define NCOUNTERS (sizeof(counters) / sizeof(counters[0]))
enum { SPIN_SLOT = NCOUNTERS, SPIN_OFF = 61 };

static uint8_t area[(NCOUNTERS + 1) * SLOT] __attribute__((aligned(64)));
static long guarded;                /* plain increments under the spin lock */
static pthread_barrier_t start;

static void *at(unsigned slot, unsigned off) { return area + slot * SLOT + off; }

#define HAMMER(T, SUFFIX, p)                                                          \
    do {                                                                              \
        T *c_ = (T *)(p), one_ = 1, old_, new_;                                       \
        __asm__ volatile("lock add" SUFFIX " %1, %0" : "+m"(*c_) : "r"(one_) : "cc"); \
        T got_ = 1;                                                                   \
        __asm__ volatile("lock xadd" SUFFIX " %1, %0" : "+m"(*c_), "+r"(got_) :: "cc"); \
        __asm__ volatile("lock inc" SUFFIX " %0" : "+m"(*c_) :: "cc");                \
        old_ = *(volatile T *)c_;                                                     \
        do {                                                                          \
            new_ = (T)(old_ + 1);                                                     \
        } while (!__atomic_compare_exchange_n(c_, &old_, new_, 0,                     \
                                              __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));   \
    } while (0)

/* Split locks are slow natively (a bus lock each): the counters inside
 * a line get INNER rounds for each of theirs, to widen the race. */
#define INNER 8

static void hammer(unsigned k)
{
    void *p = at(k, counters[k].off);
    switch (counters[k].width) {
    case 2: HAMMER(uint16_t, "w", p); break;
    case 4: HAMMER(uint32_t, "l", p); break;
    default: HAMMER(uint64_t, "q", p); break;
    }
}

static void hammer_all(void)
{
    for (unsigned k = 0; k < NCOUNTERS; k++)
        for (int r = 0; r < (counters[k].off < 64 - 8 ? INNER : 1); r++)
            hammer(k);
}

/* The spin lock: xchg in to take it, xchg out to release (a plain store
 * would not be atomic against the other threads' misaligned xchg).  A
 * non-atomic xchg can lose a release and leave the word set for good: the
 * spin gives up after 2^24 tries then (natively it never does). */
static int stuck;

static void spin_locked_increment(void)
{
    uint32_t *lock = at(SPIN_SLOT, SPIN_OFF);
    uint32_t v;
    long tries = 0;
    do {
        /* Wait with plain reads (and yields) while the word is set, so a
         * throttled host is not asked for a split lock per spin. */
        while (*(volatile uint32_t *)lock != 0 && tries < (1l << 24))
            if (++tries > 1000)
                sched_yield();
        v = 1;
        __asm__ volatile("xchgl %0, %1" : "+r"(v), "+m"(*lock) :: "memory");
        if (v && ++tries == 1l << 24) {
            __atomic_store_n(&stuck, 1, __ATOMIC_RELAXED);
            return;
        }
    } while (v && !__atomic_load_n(&stuck, __ATOMIC_RELAXED));
    if (v)
        return;
    guarded++;
    v = 0;
    __asm__ volatile("xchgl %0, %1" : "+r"(v), "+m"(*lock) :: "memory");
}

static sigjmp_buf fault_jump;
static uint32_t in_handler_counter[4];

static void on_segv(int sig)
{
    (void)sig;
    uint32_t *p = (uint32_t *)((uint8_t *)in_handler_counter + 5);
    __asm__ volatile("lock addl $7, %0" : "+m"(*p) :: "cc");
    siglongjmp(fault_jump, 1);
}

/* lock add on 8 bytes whose last 4 are on a PROT_NONE page. */
static void fault_inside(void)
{
    uint8_t *pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(pages + 4096, 4096, PROT_NONE);
    uint64_t *p = (uint64_t *)(pages + 4092);
    signal(SIGSEGV, on_segv);
    int faults = 0;
    for (int i = 0; i < 3; i++)
        if (sigsetjmp(fault_jump, 1) == 0)
            __asm__ volatile("lock addq $1, %0" : "+m"(*p) :: "cc");
        else
            faults++;
    signal(SIGSEGV, SIG_DFL);
    uint32_t *q = (uint32_t *)((uint8_t *)in_handler_counter + 5);
    __asm__ volatile("lock addl $1, %0" : "+m"(*q) :: "cc");
    printf("faults %d, first page's bytes %#x, counter %u\n", faults, *(uint32_t *)(pages + 4092),
           *q);
    munmap(pages, 8192);
}

static const int iters = ITERS;

static void *worker(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start);
    for (int i = 0; i < iters; i++) {
        hammer_all();
        spin_locked_increment();
    }
    return NULL;
}

static uint64_t read_counter(unsigned k)
{
    uint64_t v = 0;
    memcpy(&v, at(k, counters[k].off), counters[k].width);
    return v;
}

/* What counter k lacks of THREADS x iters x its rounds x 4 (add, xadd,
 * inc, cmpxchg), modulo its width: 0 when every update was atomic. */
static uint64_t counter_lost(unsigned k)
{
    unsigned rounds = counters[k].off < 64 - 8 ? INNER : 1;
    uint64_t want = (uint64_t)THREADS * iters * rounds * 4;
    uint64_t mask = counters[k].width == 8 ? ~0ull : (1ull << (8 * counters[k].width)) - 1;
    return (want - read_counter(k)) & mask;
}

/* Every byte outside the counters is still the fill. */
static int untouched(void)
{
    int bad = 0;
    for (unsigned k = 0; k <= NCOUNTERS; k++) {
        unsigned off = k < NCOUNTERS ? counters[k].off : SPIN_OFF;
        unsigned w = k < NCOUNTERS ? counters[k].width : 4;
        for (unsigned b = 0; b < SLOT; b++)
            if ((b < off || b >= off + w) && area[k * SLOT + b] != 0xa5)
                bad++;
    }
    return bad;
}

int main(void)
{
    fault_inside();
    memset(area, 0xa5, sizeof(area));
    for (unsigned k = 0; k < NCOUNTERS; k++)
        memset(at(k, counters[k].off), 0, counters[k].width);
    memset(at(SPIN_SLOT, SPIN_OFF), 0, 4);
    pthread_t t[THREADS];
    pthread_barrier_init(&start, NULL, THREADS);
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    for (unsigned k = 0; k < NCOUNTERS; k++)
        printf("width %u offset %2u: lost %#llx\n", counters[k].width, counters[k].off,
               (unsigned long long)counter_lost(k));
    printf("spin-locked counter: lost %ld, lock word %u, stuck %d\n", (long)THREADS * iters - guarded,
           *(uint32_t *)at(SPIN_SLOT, SPIN_OFF), stuck);
    printf("bytes around the counters changed: %d\n", untouched());
    return 0;
}
