/* seg_addr_combo.c -- segment overrides combined with the other address
 * forms (session 42 probe): gs: with the 0x67 prefix and a SIB that wraps
 * at 32 bits, with a base-less SIB, with an eip-relative operand (gs base
 * chosen so the 32-bit wrapped address lands in a buffer), 0x67 lea of
 * eip, fs: with 0x67 (the TCB's self pointer), gs: on a 256-bit load and
 * on vpgatherdd (with 0x67 and a wrapping base too), push/pop memory,
 * rep movsb's source, lock xadd, lock cmpxchg16b, x87 and SSE loads under
 * gs:+0x67, and bt/bts with a register bit offset (negative too) into gs
 * memory. */
//@cflags: -mavx2
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <immintrin.h>

static uint8_t buf[4096] __attribute__((aligned(64)));

__asm__(".text\n.globl ld67\nld67:\n\taddr32 movl %gs:0x100(%eip), %eax\n\tret\n");
static void setgs(uint64_t b) { syscall(SYS_arch_prctl, ARCH_SET_GS, b); }

int main(void)
{
    for (int i = 0; i < 4096; i++) buf[i] = (uint8_t)(i * 7 + 3);
    uint64_t base = (uint64_t)buf;
    uint64_t r;

    /* 1: gs: + 0x67 + SIB that wraps at 32 bits: ebx=0xfffffff0, ecx=8, scale 4 -> 0x10 */
    setgs(base);
    uint64_t rb = 0x12345678fffffff0ull, rc = 0xabcdef0000000008ull;
    __asm__ volatile("addr32 mov %%gs:(%%ebx,%%ecx,4), %%rax" : "=a"(r) : "b"(rb), "c"(rc) : "memory");
    printf("1 gs+67+sib wrap: %016llx want %016llx\n", (unsigned long long)r, (unsigned long long)*(uint64_t *)(buf + 0x10));

    /* 2: gs: + 0x67 + no-base SIB (index*8 + disp32) */
    rc = 0xffffffff00000004ull;
    __asm__ volatile("addr32 mov %%gs:0x20(,%%ecx,8), %%eax" : "=a"(r) : "c"(rc) : "memory");
    printf("2 gs+67+nobase: %08llx want %08x\n", (unsigned long long)r, *(uint32_t *)(buf + 0x40));

    /* 3: gs: + 0x67 + eip-relative: address = gs_base + ((next_ip + disp) mod 2^32) */
    extern char ld67[];
    uint32_t (*f67)(void) = (uint32_t (*)(void))ld67;
    setgs(base - (((uint64_t)ld67 + 8) & 0xffffffffull));
    r = f67();
    printf("3 gs+67+eip: %08llx want %08x\n", (unsigned long long)(uint32_t)r, *(uint32_t *)(buf + 0x100));

    /* 4: 0x67 lea eip-relative: zero-extended 32 bits */
    uint64_t l1, l2;
    __asm__ volatile("addr32 lea 0x40(%%eip), %0\n\tlea 0x40-7(%%rip), %1" : "=r"(l1), "=r"(l2));
    printf("4 lea67 eip: %d\n", l1 == ((l2 - 0) & 0xffffffffull) || l1 == (l2 & 0xffffffffull));
    printf("4b diff %lld\n", (long long)(l1 - (l2 & 0xffffffffull)));

    /* 5: fs: + 0x67 zero offset: TCB self pointer */
    uint64_t tcb, tcb2;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(tcb));
    uint64_t z = 0xffffffff00000000ull;
    __asm__ volatile("addr32 mov %%fs:(%%eax), %0" : "=r"(tcb2) : "a"(z));
    printf("5 fs+67: %d\n", tcb == tcb2);

    /* 6: gs: on AVX load and a gather */
    setgs(base);
    __m256i v, idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), mask = _mm256_set1_epi32(-1);
    __asm__ volatile("vmovdqu %%gs:0x80, %0" : "=x"(v) :: "memory");
    printf("6 gs vmovdqu: %d\n", memcmp(&v, buf + 0x80, 32) == 0);
    __m256i g = _mm256_setzero_si256();
    uint64_t off = 0x200;
    __asm__ volatile("vpgatherdd %[m], %%gs:(%[o],%[i],4), %[g]" : [g] "+x"(g), [m] "+x"(mask) : [o] "r"(off), [i] "x"(idx) : "memory");
    printf("6b gs gather: %d\n", memcmp(&g, buf + 0x200, 32) == 0);
    /* gather with 0x67 and gs: wrapping base */
    mask = _mm256_set1_epi32(-1);
    g = _mm256_setzero_si256();
    off = 0x5ffffff00ull + 0x300; /* low 32 bits: 0xffffff00+0x300 wraps -> 0x200 */
    __asm__ volatile("addr32 vpgatherdd %[m], %%gs:(%k[o],%[i],4), %[g]" : [g] "+x"(g), [m] "+x"(mask) : [o] "r"(off), [i] "x"(idx) : "memory");
    printf("6c gs+67 gather: %d\n", memcmp(&g, buf + 0x200, 32) == 0);
    {
        uint32_t *p = (uint32_t *)&g;
        for (int i = 0; i < 8; i++) printf(" %08x", p[i]);
        printf("\n");
    }

    /* 7: gs: push/pop memory, call/jmp indirect through gs */
    *(uint64_t *)(buf + 0x300) = 0x1122334455667788ull;
    __asm__ volatile("pushq %%gs:0x300\n\tpopq %%gs:0x308" ::: "memory");
    printf("7 gs push/pop: %016llx\n", (unsigned long long)*(uint64_t *)(buf + 0x308));

    /* 8: gs: movs source override, rep, with 0x67 */
    memset(buf + 0x800, 0, 64);
    uint64_t si, di, cnt;
    /* 8b: rsi plain */
    si = 0x400; di = (uint64_t)(buf + 0x800); cnt = 16;
    __asm__ volatile("rep movsb %%gs:(%%rsi), %%es:(%%rdi)" : "+S"(si), "+D"(di), "+c"(cnt) :: "memory");
    printf("8b gs movs: %d si=%llx cnt=%llu\n", memcmp(buf + 0x800, buf + 0x400, 16) == 0, (unsigned long long)si, (unsigned long long)cnt);
    /* 9: lock xadd / cmpxchg16b on gs: */
    uint64_t add = 5;
    __asm__ volatile("lock xaddq %0, %%gs:0x300" : "+r"(add) :: "memory");
    printf("9 xadd: %016llx %016llx\n", (unsigned long long)add, (unsigned long long)*(uint64_t *)(buf + 0x300));
    uint64_t lo = *(uint64_t *)(buf + 0x300), hi = *(uint64_t *)(buf + 0x308);
    uint64_t nlo = 1, nhi = 2;
    unsigned char ok;
    __asm__ volatile("lock cmpxchg16b %%gs:0x300\n\tsetz %0" : "=q"(ok), "+a"(lo), "+d"(hi) : "b"(nlo), "c"(nhi) : "memory");
    printf("9b cx16: %d %016llx\n", ok, (unsigned long long)*(uint64_t *)(buf + 0x300));
    /* 10: x87 and SSE with gs + SIB + 0x67 */
    double d = 1.5; memcpy(buf + 0x500, &d, 8);
    double o;
    rb = 0xffffffff00000500ull;
    __asm__ volatile("addr32 fldl %%gs:(%%ebx)\n\tfadd %%st(0)\n\tfstpl %0" : "=m"(o) : "b"(rb) : "memory");
    printf("10 x87 gs67: %g\n", o);
    __m128d x;
    __asm__ volatile("addr32 movsd %%gs:(%%ebx), %0" : "=x"(x) : "b"(rb) : "memory");
    printf("10b sse gs67: %g\n", x[0]);
    /* 11: bt with register bit offset into gs memory (bit offset beyond the operand) */
    uint64_t bitoff = 0x100 * 8 + 3; unsigned char cf;
    __asm__ volatile("btq %1, %%gs:0\n\tsetc %0" : "=q"(cf) : "r"(bitoff) : "memory");
    printf("11 bt gs: %d want %d\n", cf, (buf[0x100] >> 3) & 1);
    bitoff = (uint64_t)-8 ; /* negative: bit -8 = byte -1 */
    setgs(base + 0x100);
    __asm__ volatile("btq %1, %%gs:0\n\tsetc %0" : "=q"(cf) : "r"(bitoff) : "memory");
    printf("11b bt gs neg: %d want %d\n", cf, (buf[0xff] >> 0) & 1);
    __asm__ volatile("btsl %k0, %%gs:0" :: "r"(bitoff) : "memory");
    printf("11c bts gs neg: %02x\n", buf[0xfc]);
    return 0;
}
