/* irqstorm.c -- test guest: the local APIC timer, periodic at 20 us (a
 * storm for a translated guest), interrupting work that must not notice.
 * storm: an FNV-1a checksum of a 64 KiB pattern, recomputed with
 * interrupts on until 20 ticks came; each round must give the value
 * run_tests.py computes (no register or flag lost at delivery or iretq,
 * every EOI taken: without it the same vector is never delivered again).
 * rep-movs: a 256 KiB rep movsb, repeated until the timer interrupted it
 * in the middle 3 times (the pushed RIP is the rep instruction itself
 * and RCX is neither the full count nor 0:
 * Intel SDM vol. 2 REP, an interrupt is taken between iterations and
 * iretq resumes the rep with RCX/RSI/RDI where it stopped); after each
 * copy RCX is 0, RSI/RDI are past the end and the copy equals the
 * source.  The hosted accelerator runs no guest instructions. */
#include "guest.h"

#define TIMER_VECTOR 0x31
#define STORM_BYTES (64 << 10)
#define COPY_BYTES (256 << 10)
#define TSC_GUARD 20000000000ull            /* a hang guard, not a timing */

volatile uint32_t storm_ticks, storm_mid_rep;
volatile uint64_t storm_rep_at;

#ifdef GUEST_HOSTED
int guest_main(int ncpus)
{
    put_str("irqstorm: the hosted accelerator runs no guest instructions\n");
    return 0;
}
#else
void storm_isr(void), storm_spurious(void);
__asm__(".text\n"
        "storm_isr:\n"
        "  push %rax\n"
        "  lock incl storm_ticks(%rip)\n"
        "  mov 8(%rsp), %rax\n"                 /* the interrupted RIP */
        "  cmp storm_rep_at(%rip), %rax\n"
        "  jne 1f\n"
        "  test %rcx, %rcx\n"                   /* some bytes copied, some left */
        "  jz 1f\n"
        "  cmp $0x40000, %rcx\n"                 /* COPY_BYTES */
        "  jae 1f\n"
        "  lock incl storm_mid_rep(%rip)\n"
        "1:mov $0xfee000b0, %eax\n"             /* local APIC EOI */
        "  movl $0, (%rax)\n"
        "  pop %rax\n"
        "  iretq\n"
        "storm_spurious:\n"
        "  iretq\n");

static void storm(void)
{
    uint8_t *buf = dma_alloc(STORM_BYTES, 64);
    for (uint32_t i = 0; i < STORM_BYTES; i++)
        buf[i] = (uint8_t)(i * 131 + 7);
    uint32_t rounds = 0, sum = 0, bad = 0;
    __asm__ volatile("sti");
    for (uint64_t t0 = rdtsc(); storm_ticks < 20 && rdtsc() - t0 < TSC_GUARD; rounds++) {
        uint32_t h = fnv1a(buf, STORM_BYTES, FNV_INIT);
        bad += rounds && h != sum;
        sum = h;
    }
    __asm__ volatile("cli");
    put_str("irqstorm storm fnv "); put_hex(sum);
    put_str(" bad "); put_dec(bad);
    put_str(" ticks "); put_str(storm_ticks >= 20 ? "20+" : "few");
    serial_putc('\n');
}

/* One rep movsb with interrupts on; 0 when RCX, RSI, RDI end right. */
static int copy_once(const uint8_t *src, uint8_t *dst)
{
    uint64_t c = COPY_BYTES, s = (uint64_t)src, d = (uint64_t)dst;
    __asm__ volatile("lea 2f(%%rip), %%rax\n mov %%rax, storm_rep_at(%%rip)\n"
                     "sti\n2: rep movsb\n cli"
                     : "+c"(c), "+S"(s), "+D"(d) : : "rax", "memory");
    return c != 0 || s != (uint64_t)src + COPY_BYTES || d != (uint64_t)dst + COPY_BYTES;
}

static void rep_movs(void)
{
    uint8_t *src = dma_alloc(COPY_BYTES, 4096), *dst = dma_alloc(COPY_BYTES, 4096);
    for (uint32_t i = 0; i < COPY_BYTES; i++)
        src[i] = (uint8_t)(i * 37 + 1);
    uint32_t copies = 0, bad_regs = 0, bad_data = 0;
    for (uint64_t t0 = rdtsc(); storm_mid_rep < 3 && rdtsc() - t0 < TSC_GUARD; copies++) {
        g_memset(dst, 0, COPY_BYTES);
        bad_regs += copy_once(src, dst);
        for (uint32_t i = 0; i < COPY_BYTES; i += 8)
            bad_data += *(uint64_t *)(src + i) != *(uint64_t *)(dst + i);
    }
    put_str("irqstorm rep-movs bad-regs "); put_dec(bad_regs);
    put_str(" bad-data "); put_dec(bad_data);
    put_str(" mid-rep "); put_str(storm_mid_rep >= 3 ? "3+" : "few");
    serial_putc('\n');
}

int guest_main(int ncpus)
{
    lapic_only_irqs(TIMER_VECTOR, storm_isr, storm_spurious);
    lapic_timer_start(TIMER_VECTOR, 2000, 1);       /* 20 us */
    storm();
    rep_movs();
    lapic_timer_stop();
    put_str("irqstorm done\n");
    return 0;
}
#endif
