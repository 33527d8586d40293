/* xmodify_threads.c -- cross-modifying code: one thread rewrites a
 * 4-byte instruction pair with aligned atomic stores while another runs
 * it.  An instruction is fetched whole as one of the two versions (never
 * the opcode of one with the immediate of the other), and once the writer
 * has published its last version (and the runner serialised with cpuid),
 * that version runs -- not an older translation whose bytes were copied
 * after the change (both broke when decoding read bytes one by one and the
 * code check copied them again later). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define STORES 200

/* mov al, 0x11; ret; nop  /  add al, 0x22; ret; nop  (al is 0x40 on entry):
 * 0x11 or 0x62; a torn fetch gives 0x22 (b0 22) or 0x51 (04 11). */
static const uint8_t version_a[4] = { 0xb0, 0x11, 0xc3, 0x90 };
static const uint8_t version_b[4] = { 0x04, 0x22, 0xc3, 0x90 };

static uint32_t *code;
static unsigned runs;                   /* calls of the code so far */
static int writer_done;

static uint32_t as_word(const uint8_t b[4])
{
    uint32_t w;
    memcpy(&w, b, 4);
    return w;
}

static unsigned run_code(void)
{
    unsigned long ax = 0x40;
    __asm__ volatile("call *%1" : "+a"(ax) : "r"(code) : "memory", "cc");
    return (unsigned)(ax & 0xff);
}

static void *writer(void *arg)
{
    (void)arg;
    uint32_t a = as_word(version_a), b = as_word(version_b);
    /* Each store waits for a run of the code since the one before, so
     * that every version is fetched (and translated) at least once. */
    for (unsigned i = 0, seen = 0; i < STORES; i++) {
        while (__atomic_load_n(&runs, __ATOMIC_ACQUIRE) == seen)
            ;
        seen = __atomic_load_n(&runs, __ATOMIC_ACQUIRE);
        __atomic_store_n(code, i & 1 ? b : a, __ATOMIC_RELEASE);
    }
    __atomic_store_n(code, b, __ATOMIC_RELEASE);
    __atomic_store_n(&writer_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

int main(void)
{
    code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) { perror("mmap"); return 1; }
    *code = as_word(version_a);
    pthread_t t;
    pthread_create(&t, NULL, writer, NULL);
    unsigned torn = 0;
    while (!__atomic_load_n(&writer_done, __ATOMIC_ACQUIRE)) {
        unsigned v = run_code();        /* (how often each version ran is timing) */
        torn += v != 0x11 && v != 0x62;
        __atomic_fetch_add(&runs, 1, __ATOMIC_RELEASE);
    }
    unsigned leaf = 0, b_, c_, d_;
    __asm__ volatile("cpuid" : "+a"(leaf), "=b"(b_), "=c"(c_), "=d"(d_));
    unsigned last = run_code();
    pthread_join(t, NULL);
    printf("torn fetches: %u\nafter the last store: %#x\n", torn, last);
    return 0;
}
