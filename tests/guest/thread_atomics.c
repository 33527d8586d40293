/* thread_atomics.c -- four threads hammer shared counters through every
 * locked instruction form ferry translates atomically: C11 atomics and
 * __sync builtins (lock xadd, lock add/sub/and/or/xor/inc/dec, lock
 * cmpxchg at 8/16/32/64 bits, xchg spinlocks) and inline asm for lock
 * adc/sbb/neg/not/bts/btr/btc, cmpxchg8b and cmpxchg16b.  Every total is exact only if
 * each read-modify-write is atomic; a non-atomic translation loses updates
 * (the tight `lock incq` loop that all four threads start together shows
 * it nearly every run). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#define THREADS 4
#define ITERS 20000

static atomic_long c11_add;
static _Atomic int c11_cas;
static long sync64;
static int sync32;
static short sync16;
static unsigned char sync8;
static long cas64;
static uint8_t cas8;
static uint16_t cas16;
static unsigned long bits;          /* each thread owns 16 bits */
static unsigned long xor_word;
static long spin_counter;
static int spin_lock;               /* xchg spinlock */
static long adc_sbb, neg_word, not_word;
static unsigned long bt_word;
static uint64_t cx8;
static uint64_t cx16[2] __attribute__((aligned(16)));
static long fenced[2];
static long hot;
static pthread_barrier_t start;

static void lock_adc_sbb(void)
{
    /* CF=1 then adc 2 adds 3; CF=1 then sbb 1 subtracts 2: +1 net. */
    __asm__ volatile("stc; lock adcq $2, %0; stc; lock sbbq $1, %0" : "+m"(adc_sbb) :: "cc");
}

static void lock_neg_not(void)
{
    __asm__ volatile("lock negq %0; lock negq %0" : "+m"(neg_word) :: "cc");
    __asm__ volatile("lock notq %0" : "+m"(not_word));
}

static int lock_bts_btr(long bit)
{
    unsigned char was_set;
    __asm__ volatile("lock btsq %2, %0; setc %1" : "+m"(bt_word), "=q"(was_set) : "r"(bit) : "cc");
    __asm__ volatile("lock btrq %1, %0" : "+m"(bt_word) : "r"(bit) : "cc");
    __asm__ volatile("lock btcq %1, %0; lock btcq %1, %0" : "+m"(bt_word) : "r"(bit) : "cc");
    return was_set;
}

static void cmpxchg8b_inc(void)
{
    uint32_t lo, hi;
    do {
        lo = (uint32_t)__atomic_load_n(&cx8, __ATOMIC_RELAXED);
        hi = (uint32_t)(__atomic_load_n(&cx8, __ATOMIC_RELAXED) >> 32);
        uint64_t want = (((uint64_t)hi << 32) | lo) + 0x100000001ull;
        uint32_t nlo = (uint32_t)want, nhi = (uint32_t)(want >> 32);
        unsigned char ok;
        __asm__ volatile("lock cmpxchg8b %0; sete %1"
                         : "+m"(cx8), "=q"(ok), "+a"(lo), "+d"(hi)
                         : "b"(nlo), "c"(nhi) : "cc");
        if (ok) break;
    } while (1);
}

/* Both halves of a 16-byte pair move together: lo += 1, hi += 3. */
static void cmpxchg16b_inc(void)
{
    uint64_t lo, hi;
    unsigned char ok;
    do {
        lo = __atomic_load_n(&cx16[0], __ATOMIC_RELAXED);
        hi = __atomic_load_n(&cx16[1], __ATOMIC_RELAXED);
        __asm__ volatile("lock cmpxchg16b %0; sete %1"
                         : "+m"(cx16), "=q"(ok), "+a"(lo), "+d"(hi)
                         : "b"(lo + 1), "c"(hi + 3) : "cc");
    } while (!ok);
}

static void cas_inc_small(void)
{
    uint8_t o8 = __atomic_load_n(&cas8, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(&cas8, &o8, (uint8_t)(o8 + 1), 0, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
        ;
    uint16_t o16 = __atomic_load_n(&cas16, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(&cas16, &o16, (uint16_t)(o16 + 3), 0, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
        ;
}

static void *work(void *arg)
{
    long id = (long)arg;
    int bts_seen = 0;
    pthread_barrier_wait(&start);       /* all four hammer at once */
    for (int i = 0; i < 1000000; i++)
        __asm__ volatile("lock incq %0" : "+m"(hot));
    for (int i = 0; i < ITERS; i++) {
        atomic_fetch_add(&c11_add, id);
        int v = atomic_load(&c11_cas);
        while (!atomic_compare_exchange_weak(&c11_cas, &v, v + 2))
            ;
        __sync_fetch_and_add(&sync64, 3);
        __sync_add_and_fetch(&sync32, 1);
        __sync_fetch_and_sub(&sync16, 1);
        __sync_fetch_and_add(&sync8, 1);
        long o = cas64;
        while (!__sync_bool_compare_and_swap(&cas64, o, o + id))
            o = cas64;
        cas_inc_small();
        __sync_fetch_and_or(&bits, 1ul << (id * 16 + i % 16));
        __sync_fetch_and_xor(&xor_word, 1ul << id);
        while (__atomic_exchange_n(&spin_lock, 1, __ATOMIC_ACQUIRE))
            ;
        spin_counter++;
        __atomic_store_n(&spin_lock, 0, __ATOMIC_RELEASE);
        lock_adc_sbb();
        lock_neg_not();
        bts_seen += lock_bts_btr(id);
        cmpxchg8b_inc();
        cmpxchg16b_inc();
        __asm__ volatile("lock incq %0; lock decq %0; lock incq %0" : "+m"(fenced[0]) :: "cc");
        __asm__ volatile("mfence" ::: "memory");
    }
    __sync_fetch_and_and(&bits, ~(0xfful << (id * 16)));
    return (void *)(long)(bts_seen == 0);
}

int main(void)
{
    pthread_t t[THREADS];
    pthread_barrier_init(&start, NULL, THREADS);
    for (long i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, work, (void *)i);
    long bts_clean = 0;
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        bts_clean += (long)r;
    }
    printf("tight lock inc %ld\n", hot);
    printf("c11 add %ld cas %d\n", (long)c11_add, (int)c11_cas);
    printf("sync 64:%ld 32:%d 16:%d 8:%u\n", sync64, sync32, sync16, sync8);
    printf("cas 64:%ld 8:%u 16:%u\n", cas64, cas8, cas16);
    printf("bits %#lx xor %#lx spin %ld\n", bits, xor_word, spin_counter);
    printf("adc/sbb %ld neg %ld not %#lx bt %#lx (own bit never seen set: %ld)\n", adc_sbb,
           neg_word, not_word, bt_word, bts_clean);
    printf("cmpxchg8b %#llx inc/dec %ld\n", (unsigned long long)cx8, fenced[0]);
    printf("cmpxchg16b %llu %llu\n", (unsigned long long)cx16[0], (unsigned long long)cx16[1]);
    return 0;
}
