/* rep_short.c -- rep movs / rep stos as compilers inline memcpy and memset
 * (busybox's `rep movsb` / `rep stosb` of a few bytes), which ferry does
 * in one unguarded copy (x86_helpers.c rep_quick), and every form next to
 * that case that must not take it or must come out the same: counts 0-20
 * and 232 at each width, overlapping copies with the destination 1-17
 * bytes above or below the source (element by element as the CPU does),
 * DF=1, the 0x67 forms with junk in the upper halves of rcx/rsi/rdi, an
 * fs or gs override on the source, and faults: a copy or fill running
 * into a PROT_NONE page at every offset of a 16-byte operation, the
 * destination aligned and not (a stos element straddling the boundary),
 * the source and the destination, caught by a SIGSEGV handler that records
 * the registers and opens the page (the instruction then completes).
 * Output: offsets and a hash per case, vs native. */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

struct regs { uint64_t rsi, rdi, rcx, rax; };

#define RUN(TEXT)                                                                   \
    __asm__ volatile("test %[df], %[df]\n\tjz 1f\n\tstd\n1:\t" TEXT "\n\tcld"       \
                     : "+S"(r->rsi), "+D"(r->rdi), "+c"(r->rcx), "+a"(r->rax)       \
                     : [df] "r"(df)                                                 \
                     : "memory", "cc")

/* op: 0 movs, 1 stos, 2 movs under 0x67, 3 stos under 0x67, 4 movs from
 * fs:, 5 movs from gs:; width in bytes. */
static void run(int op, int width, uint64_t df, struct regs *r)
{
    switch (op * 16 + width) {
    case 0 * 16 + 1: RUN("rep movsb"); break;
    case 0 * 16 + 2: RUN("rep movsw"); break;
    case 0 * 16 + 4: RUN("rep movsl"); break;
    case 0 * 16 + 8: RUN("rep movsq"); break;
    case 1 * 16 + 1: RUN("rep stosb"); break;
    case 1 * 16 + 2: RUN("rep stosw"); break;
    case 1 * 16 + 4: RUN("rep stosl"); break;
    case 1 * 16 + 8: RUN("rep stosq"); break;
    case 2 * 16 + 1: RUN(".byte 0x67, 0xf3, 0xa4"); break;
    case 2 * 16 + 8: RUN(".byte 0x67, 0xf3, 0x48, 0xa5"); break;
    case 3 * 16 + 1: RUN(".byte 0x67, 0xf3, 0xaa"); break;
    case 3 * 16 + 4: RUN(".byte 0x67, 0xf3, 0xab"); break;
    case 4 * 16 + 1: RUN(".byte 0x64, 0xf3, 0xa4"); break;
    case 4 * 16 + 8: RUN(".byte 0x64, 0xf3, 0x48, 0xa5"); break;
    case 5 * 16 + 1: RUN(".byte 0x65, 0xf3, 0xa4"); break;
    case 5 * 16 + 4: RUN(".byte 0x65, 0xf3, 0xa5"); break;
    }
}

static uint64_t hash = 14695981039346656037ull;

static void mix(uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        hash ^= (v >> (i * 8)) & 0xff;
        hash *= 1099511628211ull;
    }
}

static void mix_bytes(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        hash ^= p[i];
        hash *= 1099511628211ull;
    }
}

static uint8_t *low;                    /* 64 KiB below 4 GiB: the 0x67 forms */
static uint8_t *buf;                    /* 1 KiB of it for the others */

static void fill(unsigned seed)
{
    for (int i = 0; i < 1024; i++)
        buf[i] = (uint8_t)(i * 7 + seed * 31 + 1);
}

/* One operation on buf: source at s, destination at d (offsets). */
static void one(int op, int width, int df, uint64_t n, int s, int d, uint64_t base)
{
    fill((unsigned)(n + s + d));
    struct regs r = { (uint64_t)(buf + s) - base, (uint64_t)(buf + d), n,
                      0x8877665544332211ull + (uint64_t)d };
    if (op == 2 || op == 3) {           /* junk above the 32-bit registers */
        r.rsi |= 0xdead000000000000ull;
        r.rdi |= 0xbeef000000000000ull;
        r.rcx |= 0x5a5a000100000000ull;
    }
    struct regs in = r;
    run(op, width, (uint64_t)df, &r);
    mix(r.rsi - in.rsi), mix(r.rdi - in.rdi), mix(r.rcx), mix(r.rax);
    mix_bytes(buf, 1024);
}

static void plain_cases(void)
{
    static const int widths[] = { 1, 2, 4, 8 };
    for (int op = 0; op < 2; op++)
        for (int w = 0; w < 4; w++)
            for (int df = 0; df < 2; df++) {
                hash = 14695981039346656037ull;
                for (uint64_t n = 0; n <= 21; n++) {
                    uint64_t cnt = n == 21 ? 232 / widths[w] : n;
                    int s = df ? 900 : 40, d = df ? 600 : 300;
                    one(op, widths[w], df, cnt, s, d, 0);
                    one(op, widths[w], df, cnt, s + 1, d + 3, 0);  /* misaligned */
                }
                printf("%s%d df%d: %016llx\n", op ? "stos" : "movs", widths[w], df,
                       (unsigned long long)hash);
            }
}

/* Destination k bytes above or below the source: element by element, the
 * copy repeats the first bytes (forward, above) or reads what it wrote. */
static void overlap_cases(void)
{
    static const int widths[] = { 1, 2, 4, 8 };
    for (int w = 0; w < 4; w++)
        for (int df = 0; df < 2; df++) {
            hash = 14695981039346656037ull;
            for (int k = -17; k <= 17; k++)
                for (uint64_t n = 1; n <= 20; n += 3)
                    one(0, widths[w], df, n, 400, 400 + k, 0);
            printf("overlap movs%d df%d: %016llx\n", widths[w], df, (unsigned long long)hash);
        }
}

/* 0x67: esi/edi/ecx, addresses and updates at 32 bits. */
static void a32_cases(void)
{
    uint8_t *keep = buf;
    buf = low + 4096;
    static const struct { int op, width; } forms[] = { { 2, 1 }, { 2, 8 }, { 3, 1 }, { 3, 4 } };
    for (int f = 0; f < 4; f++)
        for (int df = 0; df < 2; df++) {
            hash = 14695981039346656037ull;
            for (uint64_t n = 0; n <= 17; n++) {
                one(forms[f].op, forms[f].width, df, n, df ? 900 : 100, df ? 700 : 500, 0);
                one(forms[f].op, forms[f].width, df, n, 500, 503, 0);
            }
            printf("a32 %s%d df%d: %016llx\n", forms[f].op == 2 ? "movs" : "stos",
                   forms[f].width, df, (unsigned long long)hash);
        }
    buf = keep;
}

/* fs:/gs: on the source: rsi is an offset from the segment's base (gs:
 * 512, so that rsi alone is also an address in data[], other bytes). */
static void seg_cases(void)
{
    uint64_t fs_base = 0;
    syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_base);
    syscall(SYS_arch_prctl, ARCH_SET_GS, 512ull);
    static const struct { int op, width; } forms[] = { { 4, 1 }, { 4, 8 }, { 5, 1 }, { 5, 4 } };
    for (int f = 0; f < 4; f++) {
        hash = 14695981039346656037ull;
        uint64_t base = forms[f].op == 4 ? fs_base : 512;
        for (uint64_t n = 0; n <= 17; n++) {
            one(forms[f].op, forms[f].width, 0, n, 100, 500, base);
            one(forms[f].op, forms[f].width, 0, n, 100, 105, base);   /* overlap, seg-relative */
        }
        printf("%s movs%d: %016llx\n", forms[f].op == 4 ? "fs" : "gs", forms[f].width,
               (unsigned long long)hash);
    }
    syscall(SYS_arch_prctl, ARCH_SET_GS, 0ull);
}

/* ---- faults --------------------------------------------------------- */

static long pg;
static uint8_t *region;                 /* 3 pages, the middle one PROT_NONE */
static struct { int n; uint64_t addr, mem; greg_t rcx, rsi, rdi; int at_rep; } seen;
static sigjmp_buf escape;               /* set: the handler leaves through it */
static int escaping;

static uint64_t fnv(const uint8_t *p, size_t n, uint64_t h)
{
    while (n--)
        h = (h ^ *p++) * 1099511628211ull;
    return h;
}

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    const greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    if (seen.n++ > 2)
        _exit(3);
    seen.addr = (uint64_t)si->si_addr;
    seen.rcx = g[REG_RCX], seen.rsi = g[REG_RSI], seen.rdi = g[REG_RDI];
    const uint8_t *p = (const uint8_t *)g[REG_RIP];
    seen.at_rep = p[0] == 0xf3 || p[1] == 0xf3;
    /* what was written before the fault: none of the faulting element */
    seen.mem = fnv(buf, 1024, fnv(region, (size_t)pg, 14695981039346656037ull));
    if (escaping)
        siglongjmp(escape, 1);
    mprotect(region + pg, pg, PROT_READ | PROT_WRITE);
}

/* A 16-byte operation whose stream in region ends `into` bytes past the
 * start of the PROT_NONE page (forward), the other stream in buf. */
static void fault_one(int op, int width, int bad_src, int into)
{
    for (int i = 0; i < 3 * pg; i++)
        region[i] = (uint8_t)(i * 5 + 3);
    fill((unsigned)into);
    mprotect(region + pg, pg, PROT_NONE);
    uint8_t *bad = region + pg + into - 16;
    struct regs r = { (uint64_t)(bad_src ? bad : buf + 8), (uint64_t)(bad_src ? buf + 8 : bad),
                      (uint64_t)(16 / width), 0x0102030405060708ull };
    struct regs in = r;
    memset(&seen, 0, sizeof seen);
    run(op, width, 0, &r);
    printf("fault %s%d %s into %2d:", op ? "stos" : "movs", width, bad_src ? "src" : "dst",
           into);
    if (seen.n)
        printf(" [addr %+lld rcx %lld rsi %+lld rdi %+lld rep %d mem %016llx]",
               (long long)(seen.addr - (uint64_t)(region + pg)), (long long)seen.rcx,
               (long long)(seen.rsi - (greg_t)in.rsi), (long long)(seen.rdi - (greg_t)in.rdi),
               seen.at_rep, (unsigned long long)seen.mem);
    hash = 14695981039346656037ull;
    mix_bytes(region, (size_t)(3 * pg));
    mix_bytes(buf, 1024);
    printf(" end rcx %lld rsi %+lld rdi %+lld mem %016llx\n", (long long)r.rcx,
           (long long)(r.rsi - in.rsi), (long long)(r.rdi - in.rdi), (unsigned long long)hash);
}

static void fault_cases(void)
{
    static const int widths[] = { 1, 2, 4, 8 };
    region = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    for (int op = 0; op < 2; op++)
        for (int w = 0; w < 4; w++)
            for (int bad_src = 0; bad_src < 2 - op; bad_src++)
                for (int into = 1; into <= 16; into++)
                    fault_one(op, widths[w], bad_src, into);
}

/* 0x67 movsb/stosb whose edi wraps from 0xffffffff to 0: the CPU goes on
 * at address 0 (and faults there), not at 4 GiB, mapped here. */
static void a32_wrap_cases(void)
{
    uint8_t *top = mmap((void *)0xfffff000ul, 2 * (size_t)pg, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (top != (uint8_t *)0xfffff000ul) {
        printf("a32 wrap: no mapping at 4 GiB - 4 KiB\n");
        return;
    }
    for (int op = 2; op <= 3; op++) {
        memset(top, 0x33, 2 * (size_t)pg);
        struct regs r = { (uint64_t)(low + 100), 0xfffffff8ull, 16, 0x4141414141414141ull };
        memset(&seen, 0, sizeof seen);
        escaping = 1;
        uint64_t df = 0;
        if (!sigsetjmp(escape, 1))
            run(op, 1, df, &r);
        escaping = 0;
        hash = 14695981039346656037ull;
        mix_bytes(top, 2 * (size_t)pg);
        printf("a32 wrap %s: faults %d addr %#llx rcx %lld rsi %#llx rdi %#llx mem %016llx\n",
               op == 2 ? "movsb" : "stosb", seen.n, (unsigned long long)seen.addr,
               (long long)seen.rcx, (unsigned long long)(seen.rsi - (greg_t)(low + 100)),
               (unsigned long long)seen.rdi, (unsigned long long)hash);
    }
    munmap(top, 2 * (size_t)pg);
}

int main(void)
{
    pg = sysconf(_SC_PAGESIZE);
    low = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
               -1, 0);
    static uint8_t data[2048];
    for (int i = 0; i < 1024; i++)
        data[i] = (uint8_t)(i * 11 + 7);
    buf = data + 1024;
    plain_cases();
    overlap_cases();
    a32_cases();
    seg_cases();
    fault_cases();
    a32_wrap_cases();
    return 0;
}
