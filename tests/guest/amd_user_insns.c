/* amd_user_insns.c -- the user-level instructions of issue 10's last
 * part, each encoding run from a stub on a code page (so prefixes and
 * immediates are exact bytes), registers, flags and memory printed after
 * it, and a fault as Linux reports it (signal, si_code, si_addr, trap
 * number, error code, rip relative to the instruction):
 *   movdiri     32/64-bit, misaligned, 67, fs, rip-relative, faults,
 *               the register form and 66/F2/F3/lock (#UD);
 *   movdir64b   aligned and misaligned operands, 67 (both addresses
 *               32-bit), REX.W, 66 66, fs on the source, #GP for a
 *               misaligned or non-canonical destination, page faults on
 *               either side (the source's first, even when misaligned);
 *   clzero      every offset in the line, 67 (eax), REX, 66, cs/fs/gs,
 *               faults, F2/F3/lock (#UD);
 *   rdpru       ecx 0 and 1 (counting: values not printed), others 0,
 *               upper register halves, flags, prefixes;
 *   SSE4a       extrq/insertq (immediate and register forms) for every
 *               length and index and stray high bits, as digests plus
 *               samples; ModRM.reg != 0, memory forms and wrong prefixes
 *               (#UD); movntss/movntsd stores, misaligned, faults.
 * Flags go in as all-clear and all-set (CF PF AF ZF SF OF).  The CPUID
 * bits are printed; the AMD-only parts (SSE4a, clzero, rdpru) run only
 * where CPUID has SSE4A or CLZERO, so an Intel machine and ferry
 * imitating one print the same.  Native CPU is the oracle. */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <cpuid.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

struct regs { uint64_t rax, rcx, rdx, rsi, rdi, r8, flags; uint64_t x0[2], x1[2]; };

__asm__(".text\n"
        "stub_start:\n\tpush %rbx\n\tmov %rdi, %rbx\n"
        "\tmov 0(%rbx), %rax\n\tmov 8(%rbx), %rcx\n\tmov 16(%rbx), %rdx\n"
        "\tmov 24(%rbx), %rsi\n\tmov 32(%rbx), %rdi\n\tmov 40(%rbx), %r8\n"
        "\tmovdqu 56(%rbx), %xmm0\n\tmovdqu 72(%rbx), %xmm1\n\tpushq 48(%rbx)\n\tpopfq\n"
        "stub_insn:\n\t.fill 16, 1, 0x90\n"
        "\tpushfq\n\tpopq 48(%rbx)\n\tmov %rax, 0(%rbx)\n\tmov %rcx, 8(%rbx)\n"
        "\tmov %rdx, 16(%rbx)\n\tmov %rsi, 24(%rbx)\n\tmov %rdi, 32(%rbx)\n\tmov %r8, 40(%rbx)\n"
        "\tmovdqu %xmm0, 56(%rbx)\n\tmovdqu %xmm1, 72(%rbx)\n\tpop %rbx\n\tret\n"
        "stub_end:\n");
extern char stub_start[], stub_insn[], stub_end[];

#define MEM   0x10000000ul      /* rw, ro (touched), rw, unmapped, PROT_NONE, rw */
#define RW    MEM
#define RO    (MEM + 0x1000)
#define UNMAP (MEM + 0x3000)    /* after a rw page: accesses across into it */
#define NONE  (MEM + 0x4000)
#define RW2   (MEM + 0x5000)
#define CODE  0x10100000ul
#define NONCANON 0x0000800000000040ul
#define ALLF  0xad7ul           /* CF PF AF ZF SF OF (and bit 1) */

static uint8_t *insn_at;
static sigjmp_buf back;
static struct { int sig, code; uint64_t addr, trapno, err, rip; } seen;

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    const greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    seen.sig = sig;
    seen.code = si->si_code;
    seen.addr = (uint64_t)si->si_addr;
    seen.trapno = (uint64_t)g[REG_TRAPNO];
    seen.err = (uint64_t)g[REG_ERR];
    seen.rip = (uint64_t)g[REG_RIP];
    siglongjmp(back, 1);
}

static size_t parse_hex(const char *hex, uint8_t *out)
{
    size_t n = 0;
    unsigned b;
    for (const char *p = hex; *p;) {
        if (*p == ' ') { p++; continue; }
        if (sscanf(p, "%2x", &b) != 1) break;
        out[n++] = (uint8_t)b;
        p += 2;
    }
    return n;
}

static void put_insn(const char *hex)
{
    uint8_t b[16];
    size_t n = parse_hex(hex, b);
    memset(insn_at, 0x90, 16);
    memcpy(insn_at, b, n);
}

/* Runs the stub with r; 0, or the signal (seen filled in). */
static int run(struct regs *r)
{
    memset(&seen, 0, sizeof seen);
    if (sigsetjmp(back, 1)) return seen.sig;
    ((void (*)(struct regs *))CODE)(r);
    return 0;
}

static void print_fault(void)
{
    printf(" sig %d code %d addr %#lx trap %lu err %#lx rip %+ld\n", seen.sig, seen.code,
           seen.addr, seen.trapno, seen.err, (long)(seen.rip - (uint64_t)insn_at));
}

static void dump(const char *what, uint64_t at, size_t n)
{
    printf("   %s:", what);
    for (size_t i = 0; i < n; i++) printf("%s%02x", i % 32 ? "" : " ", ((uint8_t *)at)[i]);
    printf("\n");
}

static void fill(uint64_t at, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++) ((uint8_t *)at)[i] = (uint8_t)(seed + 7 * i);
}

/* One case: name, encoding, registers in; prints registers/flags out or
 * the fault, then `n` bytes at `show`. */
static void reg(const char *name, uint64_t now, uint64_t was)
{
    if (now == was) printf(" %s =", name);
    else printf(" %s %lx", name, now);
}

static void one(const char *name, const char *hex, struct regs r, uint64_t show, size_t n)
{
    struct regs in = r;
    put_insn(hex);
    fill(RW, 256, 0xa0);
    fill(RW2, 256, 0x31);
    printf("%-26s %-22s", name, hex);
    if (run(&r)) print_fault();
    else {
        reg("rax", r.rax, in.rax), reg("rcx", r.rcx, in.rcx), reg("rdx", r.rdx, in.rdx);
        reg("rsi", r.rsi, in.rsi), reg("rdi", r.rdi, in.rdi), reg("r8", r.r8, in.r8);
        printf(" fl %03lx\n", r.flags & 0xfff);
    }
    if (n) dump("mem", show, n);
}

static struct regs R(uint64_t rax, uint64_t rcx, uint64_t rsi, uint64_t rdi, uint64_t fl)
{
    struct regs r = { rax, rcx, 0x5555aaaa5555aaaaul, rsi, rdi, 0, fl, { 0 }, { 0 } };
    return r;
}

static uint64_t fs_base(void)
{
    uint64_t b = 0;
    syscall(SYS_arch_prctl, ARCH_GET_FS, &b);
    return b;
}

static void movdiri_cases(void)
{
    printf("== movdiri\n");
    for (int f = 0; f < 2; f++) {
        uint64_t fl = f ? ALLF : 0x202;
        one("32", "0f38f907", R(0x11223344deadbeeful, 0, 0, RW + 3, fl), RW, 16);
        one("64", "480f38f907", R(0x1122334455667788ul, 0, 0, RW + 9, fl), RW, 24);
    }
    struct regs r8 = R(0, 2, 0, RW, 0x202);
    r8.r8 = 0x8877665544332211ul;
    one("r8d to [rdi+rcx*4+5]", "440f38f9448f05", r8, RW, 24);
    one("67 [edi]", "670f38f907", R(0xcafef00d, 0, 0, 0xffffffff00000000ul | (RW + 0x10), 0x202), RW + 0x10, 8);
    one("fs:[rdi]", "640f38f907", R(0x01020304, 0, 0, RW + 0x20 - fs_base(), 0x202), RW + 0x20, 8);
    one("rip-relative", "0f38f90500020000", R(0x77665544, 0, 0, 0, 0x202), (uint64_t)insn_at + 0x206, 8);
    one("ro page", "0f38f907", R(1, 0, 0, RO + 4, 0x202), 0, 0);
    one("unmapped", "480f38f907", R(1, 0, 0, UNMAP + 4, 0x202), 0, 0);
    one("PROT_NONE", "0f38f907", R(1, 0, 0, NONE, 0x202), 0, 0);
    one("across into unmapped", "480f38f907", R(1, 0, 0, UNMAP - 4, 0x202), UNMAP - 8, 8);
    one("non-canonical", "0f38f907", R(1, 0, 0, NONCANON, 0x202), 0, 0);
    one("register form", "0f38f9c7", R(1, 0, 0, RW, 0x202), 0, 0);
    one("66", "660f38f907", R(1, 0, 0, RW, 0x202), 0, 0);
    one("f3", "f30f38f907", R(1, 0, 0, RW, 0x202), 0, 0);
    one("f2", "f20f38f907", R(1, 0, 0, RW, 0x202), 0, 0);
    one("lock", "f00f38f907", R(1, 0, 0, RW, 0x202), 0, 0);
}

static void movdir64b_cases(void)
{
    printf("== movdir64b\n");
    for (int f = 0; f < 2; f++) {
        uint64_t fl = f ? ALLF : 0x202;
        one("[rax] <- [rsi+3]", "660f38f806", R(RW + 0x80, 0, RW2 + 3, 0, fl), RW + 0x40, 128);
    }
    one("rcx <- [rdi+rsi*2+0x11]", "660f38f84c7711", R(0, RW + 0xc0, 8, RW2, 0x202), RW + 0x80, 128);
    struct regs r8 = R(RW2 + 0x21, 0, 0, 0, 0x202);
    r8.r8 = RW + 0x40;
    one("r8 <- [rax] (REX.R)", "66440f38f800", r8, RW + 0x40, 64);
    one("67 eax <- [esi]", "67660f38f806",
        R(0x1234567800000000ul | (RW + 0x40), 0, 0xff00000000000000ul | RW2, 0, 0x202), RW, 192);
    one("REX.W", "66480f38f806", R(RW + 0x40, 0, RW2, 0, 0x202), RW + 0x40, 64);
    one("66 66", "66660f38f806", R(RW + 0x40, 0, RW2 + 1, 0, 0x202), RW + 0x40, 64);
    one("fs: source", "64660f38f806", R(RW + 0x40, 0, RW2 + 5 - fs_base(), 0, 0x202), RW + 0x40, 64);
    one("misaligned destination", "660f38f806", R(RW + 0x88, 0, RW2, 0, 0x202), RW + 0x80, 16);
    one("misaligned + source unmapped", "660f38f806", R(RW + 0x88, 0, UNMAP, 0, 0x202), 0, 0);
    one("source crossing unmapped", "660f38f806", R(RW + 0x40, 0, UNMAP - 8, 0, 0x202), RW + 0x40, 64);
    one("source PROT_NONE", "660f38f806", R(RW + 0x40, 0, NONE, 0, 0x202), 0, 0);
    one("source non-canonical", "660f38f806", R(RW + 0x40, 0, NONCANON, 0, 0x202), 0, 0);
    one("destination ro", "660f38f806", R(RO + 0x40, 0, RW2, 0, 0x202), RO + 0x40, 16);
    one("destination unmapped", "660f38f806", R(UNMAP + 0x40, 0, RW2, 0, 0x202), 0, 0);
    one("destination PROT_NONE", "660f38f806", R(NONE, 0, RW2, 0, 0x202), 0, 0);
    one("destination non-canonical", "660f38f806", R(NONCANON, 0, RW2, 0, 0x202), 0, 0);
    one("dest non-canonical misal.", "660f38f806", R(NONCANON + 8, 0, RW2, 0, 0x202), 0, 0);
    one("register form", "660f38f8c6", R(RW + 0x40, 0, RW2, 0, 0x202), 0, 0);
    one("no 66", "0f38f806", R(RW + 0x40, 0, RW2, 0, 0x202), 0, 0);
    one("f3 (enqcmds)", "f30f38f806", R(RW + 0x40, 0, RW2, 0, 0x202), 0, 0);
    one("f2 (enqcmd)", "f20f38f806", R(RW + 0x40, 0, RW2, 0, 0x202), 0, 0);
    one("66 f3", "66f30f38f806", R(RW + 0x40, 0, RW2, 0, 0x202), 0, 0);
    one("lock", "f0660f38f806", R(RW + 0x40, 0, RW2, 0, 0x202), 0, 0);
}

static void clzero_cases(void)
{
    static const unsigned offs[] = { 0, 1, 8, 0x1f, 0x3f };
    char name[40];
    printf("== clzero\n");
    for (unsigned i = 0; i < sizeof offs / sizeof *offs; i++) {
        snprintf(name, sizeof name, "rax = line + %#x", offs[i]);
        one(name, "0f01fc", R(RW + 0x40 + offs[i], 0, 0, 0, i & 1 ? ALLF : 0x202), RW, 192);
    }
    one("67: eax", "670f01fc", R(0xfedc000000000000ul | (RW + 0x85), 0, 0, 0, 0x202), RW + 0x40, 128);
    one("66", "660f01fc", R(RW + 0x41, 0, 0, 0, 0x202), RW, 128);
    one("REX.W", "480f01fc", R(RW + 0x41, 0, 0, 0, 0x202), RW, 128);
    one("REX.B (still rax)", "410f01fc", R(RW + 0x41, 0, 0, 0, 0x202), RW, 128);
    one("cs", "2e0f01fc", R(RW + 0x41, 0, 0, 0, 0x202), RW, 128);
    one("fs", "640f01fc", R(RW + 0x41 - fs_base(), 0, 0, 0, 0x202), RW, 128);
    one("gs (base 0)", "650f01fc", R(RW + 0x81, 0, 0, 0, 0x202), RW + 0x40, 128);
    one("ro page", "0f01fc", R(RO + 0x47, 0, 0, 0, 0x202), RO + 0x40, 16);
    one("unmapped", "0f01fc", R(UNMAP + 0x47, 0, 0, 0, 0x202), 0, 0);
    one("PROT_NONE", "0f01fc", R(NONE + 0x47, 0, 0, 0, 0x202), 0, 0);
    one("non-canonical", "0f01fc", R(NONCANON + 7, 0, 0, 0, 0x202), 0, 0);
    one("f3", "f30f01fc", R(RW + 0x41, 0, 0, 0, 0x202), RW + 0x40, 8);
    one("f2", "f20f01fc", R(RW + 0x41, 0, 0, 0, 0x202), RW + 0x40, 8);
    one("lock", "f00f01fc", R(RW + 0x41, 0, 0, 0, 0x202), RW + 0x40, 8);
}

/* rdpru: the counters' values vary, so only their shape is printed. */
static void rdpru_case(const char *name, const char *hex, uint64_t rcx, uint64_t fl)
{
    struct regs r = R(~0ul, rcx, 0, 0, fl);
    r.rdx = ~0ul;
    put_insn(hex);
    printf("%-26s %-22s", name, hex);
    if (run(&r)) { print_fault(); return; }
    uint64_t v = r.rdx << 32 | (uint32_t)r.rax;
    printf(" rax>>32 %lx rdx>>32 %lx rcx %lx fl %03lx value %s\n", r.rax >> 32, r.rdx >> 32,
           r.rcx, r.flags & 0xfff, v ? "nonzero" : "0");
}

static void rdpru_cases(void)
{
    printf("== rdpru\n");
    for (int f = 0; f < 2; f++) {
        uint64_t fl = f ? ALLF : 0x202;
        rdpru_case("ecx 0 (MPERF)", "0f01fd", 0, fl);
        rdpru_case("ecx 1 (APERF)", "0f01fd", 1, fl);
        rdpru_case("ecx 2", "0f01fd", 2, fl);
        rdpru_case("ecx 0xffffffff", "0f01fd", 0xffffffff, fl);
    }
    rdpru_case("rcx 1<<32 (ecx 0)", "0f01fd", 1ul << 32, 0x202);
    rdpru_case("66", "660f01fd", 0, 0x202);
    rdpru_case("REX.W", "480f01fd", 1, 0x202);
    rdpru_case("67", "670f01fd", 0, 0x202);
    rdpru_case("f3", "f30f01fd", 0, 0x202);
    rdpru_case("f2", "f20f01fd", 0, 0x202);
    rdpru_case("lock", "f00f01fd", 0, 0x202);
    struct regs a = R(0, 0, 0, 0, 0x202), b = a;
    put_insn("0f01fd");
    run(&a);
    run(&b);
    printf("MPERF counts up: %d\n", (b.rdx << 32 | (uint32_t)b.rax) >= (a.rdx << 32 | (uint32_t)a.rax));
}

/* ---- SSE4a ------------------------------------------------------------ */

static const uint64_t pat[3][2] = {
    { 0x0123456789abcdeful, 0xfedcba9876543210ul },
    { 0xfffffffffffffffful, 0x8000000000000001ul },
    { 0xa5a5f00f3c3c9669ul, 0x1111222233334444ul },
};

static uint64_t fnv(uint64_t h, uint64_t v)
{
    for (int i = 0; i < 8; i++) h = (h ^ ((v >> (8 * i)) & 0xff)) * 0x100000001b3ul;
    return h;
}

/* xmm0 = d, xmm1 = s; returns the fault or 0, r holding the result. */
static int sse_run(struct regs *r, const uint64_t d[2], const uint64_t s[2])
{
    *r = R(0, 0, 0, RW, 0x202);
    memcpy(r->x0, d, 16);
    memcpy(r->x1, s, 16);
    return run(r);
}

static void sse4a_sweep(const char *name, const char *op, int imm, int insert)
{
    uint64_t h = 0xcbf29ce484222325ul;
    unsigned runs = 0, faults = 0;
    static const unsigned extra[] = { 64, 65, 127, 128, 191, 255 };
    for (unsigned li = 0; li < 64 + 6; li++)
        for (unsigned ii = 0; ii < 64 + 6; ii++) {
            unsigned len = li < 64 ? li : extra[li - 64], idx = ii < 64 ? ii : extra[ii - 64];
            if (imm && ii < 64 && ii % 5 && ii != 63) continue;     /* fewer code patches */
            char hex[40];
            uint64_t s[2];
            if (imm) {
                snprintf(hex, sizeof hex, "%s%02x%02x", op, len & 0xff, idx & 0xff);
                put_insn(hex);
            } else if (li == 0 && ii == 0) {
                put_insn(op);
            }
            for (int p = 0; p < 3; p++) {
                struct regs r;
                memcpy(s, pat[(p + 1) % 3], 16);
                uint64_t f = (len & 0xff) | (idx & 0xff) << 8 | 0x5a5a5a5a5a5a0000ul;
                if (!imm) {
                    if (insert) s[1] = f;
                    else s[0] = f;
                }
                faults += sse_run(&r, pat[p], s) != 0;
                h = fnv(fnv(h, r.x0[0]), r.x0[1]);
                h = fnv(fnv(h, r.x1[0]), r.x1[1]);
                runs++;
                if (p == 0 && (len == 0 || len == 13 || len == 64) && (idx == 0 || idx == 60 || idx == 65))
                    printf("  %s len %u idx %u: %016lx %016lx\n", name, len, idx, r.x0[1], r.x0[0]);
            }
        }
    printf("%s: %u runs, %u faults, digest %016lx\n", name, runs, faults, h);
}

static void sse4a_one(const char *name, const char *hex, uint64_t fl)
{
    struct regs r = R(0, 0, 0, RW + 0x21, fl);
    memcpy(r.x0, pat[0], 16);
    memcpy(r.x1, pat[2], 16);
    put_insn(hex);
    fill(RW, 256, 0xa0);
    printf("%-26s %-22s", name, hex);
    if (run(&r)) print_fault();
    else
        printf(" xmm0 %016lx%016lx xmm1 %016lx%016lx fl %03lx\n", r.x0[1], r.x0[0], r.x1[1],
               r.x1[0], r.flags & 0xfff);
    dump("mem", RW + 0x20, 16);
}

static void sse4a_cases(void)
{
    printf("== SSE4a\n");
    sse4a_sweep("extrq xmm0, imm, imm", "660f78c0", 1, 0);
    sse4a_sweep("extrq xmm0, xmm1", "660f79c1", 0, 0);
    sse4a_sweep("insertq xmm0, xmm1, imm, imm", "f20f78c1", 1, 1);
    sse4a_sweep("insertq xmm0, xmm1", "f20f79c1", 0, 1);
    for (int f = 0; f < 2; f++) {
        uint64_t fl = f ? ALLF : 0x202;
        sse4a_one("extrq imm", "660f78c00c08", fl);
        sse4a_one("insertq reg", "f20f79c1", fl);
        sse4a_one("movntss [rdi]", "f30f2b0f", fl);
        sse4a_one("movntsd [rdi]", "f20f2b0f", fl);
    }
    sse4a_one("extrq xmm1", "660f78c10408", 0x202);
    sse4a_one("insertq xmm1, xmm0", "f20f79c8", 0x202);
    sse4a_one("extrq REX.W", "66480f78c00408", 0x202);
    sse4a_one("insertq REX.W", "f2480f78c10408", 0x202);
    sse4a_one("extrq same register", "660f79c0", 0x202);
    sse4a_one("insertq same register", "f20f79c0", 0x202);
    sse4a_one("66 f2: insertq", "66f20f78c10408", 0x202);
    sse4a_one("f2 66: insertq", "f2660f78c10408", 0x202);
    sse4a_one("f3 f2: insertq", "f3f20f79c1", 0x202);
    sse4a_one("movntss 66 f3", "66f30f2b4f01", 0x202);
    sse4a_one("movntsd f3 f2", "f3f20f2b4f03", 0x202);
    sse4a_one("movntss f2 f3", "f2f30f2b0f", 0x202);
    sse4a_one("movntss REX.W", "f3480f2b0f", 0x202);
    sse4a_one("movntsd REX.W", "f2480f2b0f", 0x202);
    sse4a_one("extrq /1", "660f78c80408", 0x202);
    sse4a_one("extrq /7", "660f78f80408", 0x202);
    sse4a_one("extrq imm, memory", "660f78070408", 0x202);
    sse4a_one("extrq reg, memory", "660f7907", 0x202);
    sse4a_one("insertq imm, memory", "f20f78070408", 0x202);
    sse4a_one("insertq reg, memory", "f20f7907", 0x202);
    sse4a_one("extrq f3", "f30f78c00408", 0x202);
    sse4a_one("extrq no prefix", "0f78c00408", 0x202);
    sse4a_one("f3 66 0f 79", "f3660f79c1", 0x202);
    sse4a_one("f2 f3 0f 79", "f2f30f79c1", 0x202);
    sse4a_one("lock extrq", "f0660f79c1", 0x202);
    sse4a_one("movntss register", "f30f2bc1", 0x202);
    sse4a_one("movntsd register", "f20f2bc1", 0x202);
    sse4a_one("lock movntsd", "f0f20f2b0f", 0x202);
    struct regs r = R(0, 0, 0, RO + 0x10, 0x202);
    put_insn("f20f2b0f");
    printf("%-26s %-22s", "movntsd to ro", "f20f2b0f");
    if (run(&r)) print_fault(); else printf(" ran\n");
    r = R(0, 0, 0, UNMAP - 2, 0x202);
    put_insn("f30f2b0f");
    printf("%-26s %-22s", "movntss across unmapped", "f30f2b0f");
    if (run(&r)) print_fault(); else printf(" ran\n");
    dump("mem", UNMAP - 4, 4);
}

static void bit(const char *name, unsigned leaf, int reg, int b)
{
    unsigned r[4], max;
    __cpuid(leaf & 0x80000000u, max, r[1], r[2], r[3]);
    if (leaf > max) { printf("cpuid %s: 0 (leaf absent)\n", name); return; }
    __cpuid_count(leaf, 0, r[0], r[1], r[2], r[3]);
    printf("cpuid %s: %u\n", name, (r[reg] >> b) & 1);
}

static unsigned cpuid_bit(unsigned leaf, int reg, int b)
{
    unsigned r[4], max;
    __cpuid(leaf & 0x80000000u, max, r[1], r[2], r[3]);
    if (leaf > max) return 0;
    __cpuid_count(leaf, 0, r[0], r[1], r[2], r[3]);
    return (r[reg] >> b) & 1;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    if (mmap((void *)MEM, 0x6000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
             -1, 0) == MAP_FAILED ||
        mmap((void *)CODE, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    fill(RO, 0x1000, 0x5c);     /* present PTEs: page faults there have P set */
    mprotect((void *)RO, 0x1000, PROT_READ);
    munmap((void *)UNMAP, 0x1000);
    mprotect((void *)NONE, 0x1000, PROT_NONE);
    memcpy((void *)CODE, stub_start, (size_t)(stub_end - stub_start));
    insn_at = (uint8_t *)CODE + (stub_insn - stub_start);

    bit("MOVDIRI (7 ECX 27)", 7, 2, 27);
    bit("MOVDIR64B (7 ECX 28)", 7, 2, 28);
    bit("SSE4A (80000001 ECX 6)", 0x80000001, 2, 6);
    bit("CLZERO (80000008 EBX 0)", 0x80000008, 1, 0);
    bit("RDPRU (80000008 EBX 4)", 0x80000008, 1, 4);
    movdiri_cases();
    movdir64b_cases();
    int amd = cpuid_bit(0x80000001, 2, 6) || cpuid_bit(0x80000008, 1, 0);
    if (!amd) {
        printf("no SSE4A/CLZERO: not an AMD CPU, AMD-only parts skipped\n");
        return 0;
    }
    clzero_cases();
    rdpru_cases();
    sse4a_cases();
    return 0;
}
