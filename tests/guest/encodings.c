/* encodings.c -- prefix and length rules an outside conformance program
 * checks (issue 10, session 11 probes), each run from an executable buffer
 * with rax, rcx, rdx, xmm0 loaded, and those printed after (or the signal):
 *  - an instruction of 15 bytes runs; 16 or more (repeated 66 / 2e
 *    prefixes) is #GP: SIGSEGV, SI_KERNEL, trap 13, not #UD;
 *  - movsxd (63 /r): sign-extends only with REX.W; without it a 32-bit move
 *    (zero-extended), with 66 a 16-bit move (capstone 4 decodes 66 63 as
 *    the REX.W form);
 *  - a REX prefix not right before the opcode is ignored, the last of two
 *    REX prefixes counts, repeated and conflicting F2/F3 (the last wins),
 *    66 with F3 or F2 in either order (F2/F3 select the SSE form: capstone 4
 *    lets a later 66 win), segment and branch-hint prefixes on ordinary
 *    instructions;
 *  - lea with 67 and a RIP-relative operand: EIP-relative, wrapping;
 *  - VEX vcmpps/vcmpsd with imm8 >= 32 (bits 7:5 ignored; ferry raised
 *    SIGILL: capstone names no predicate there);
 *  - #UD for a 66/F2/F3 on an MMX/SSE form that has no such form, and for
 *    VEX.W1 on a W0-only form (capstone 4 decodes both; ferry ran them);
 *    that verdict kept per opcode, not per capstone id (movq is 0f 6f and
 *    0f 7e: ferry raised SIGILL for "f2 f3 0f 7e" after "f3 f2 0f 6f");
 *  - F3 REX.W 0F 7E is movq xmm (capstone 4: MMX movd r64), and bsf/bsr
 *    with 66 and F2 read a 16-bit memory operand (capstone 4: 32-bit);
 *  - VEX.W1 on more W0-only forms (#UD), and vpermq/vpermpd with VEX.W0,
 *    which this AMD runs as the W1 form (capstone 4 cannot decode it);
 *  - 66 with F2/F3 on general-purpose instructions (16 bits), and F2/F3
 *    followed by another prefix (2e, 3e, 67) still selecting the form
 *    (movss, addsd, tzcnt/lzcnt/popcnt, adox); #UD for lock
 *    bts/btc on a register behind an F2/F3 (capstone 4 drops the lock)
 *    and for 66/F0/F2/F3/REX before a general-register VEX instruction. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

static sigjmp_buf back;

static void on_signal(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    printf("  signal %d code %d trapno %lld err %lld\n", sig, si->si_code,
           (long long)uc->uc_mcontext.gregs[REG_TRAPNO],
           (long long)uc->uc_mcontext.gregs[REG_ERR]);
    siglongjmp(back, 1);
}

static uint64_t regs_in[3] __attribute__((aligned(16))) = { 0x1111222233334444ull,
                                                             0x8888777766665555ull };
static uint64_t regs_out[4];
static uint8_t *buf;

/* rdi = regs_in, rsi = regs_out: load rax rcx (and rdx = rax ^ rcx;
 * 16(%rdi) is a scratch qword, set by the cases that use it),
 * r9 = rax, r8 = rcx, xmm0 and xmm1 (its dwords reversed); run the bytes; store rax rcx rdx and xmm0's low half. */
static void run(const char *name, const uint8_t *bytes, int len)
{
    static const uint8_t prologue[] = {
        0x48, 0x8b, 0x07,                   /* mov (%rdi), %rax */
        0x48, 0x8b, 0x4f, 0x08,             /* mov 8(%rdi), %rcx */
        0x48, 0x89, 0xc2, 0x48, 0x31, 0xca, /* mov %rax, %rdx; xor %rcx, %rdx */
        0x66, 0x0f, 0x6f, 0x07,             /* movdqa (%rdi), %xmm0 */
        0x66, 0x0f, 0x70, 0xc8, 0x1b,       /* pshufd $0x1b, %xmm0, %xmm1 */
        0x49, 0x89, 0xc1,                   /* mov %rax, %r9 */
        0x49, 0x89, 0xc8,                   /* mov %rcx, %r8 */
    };
    static const uint8_t epilogue[] = {
        0x48, 0x89, 0x06, 0x48, 0x89, 0x4e, 0x08, 0x48, 0x89, 0x56, 0x10,
        0x66, 0x48, 0x0f, 0x7e, 0xc0,       /* movq %xmm0, %rax */
        0x48, 0x89, 0x46, 0x18, 0xc3,
    };
    uint8_t *p = buf;
    memcpy(p, prologue, sizeof prologue), p += sizeof prologue;
    memcpy(p, bytes, (size_t)len), p += len;
    memcpy(p, epilogue, sizeof epilogue);
    printf("%s\n", name);
    fflush(stdout);
    if (!sigsetjmp(back, 1)) {
        ((void (*)(void *, void *))buf)(regs_in, regs_out);
        printf("  %llx %llx %llx %llx\n", (unsigned long long)regs_out[0],
               (unsigned long long)regs_out[1], (unsigned long long)regs_out[2],
               (unsigned long long)regs_out[3]);
    }
}

struct encoding { const char *name; uint8_t bytes[20]; int len; };

static const struct encoding cases[] = {
    { "movsxd r64 (48 63)", { 0x48, 0x63, 0xc1 }, 3 },
    { "movsxd r32 (63)", { 0x63, 0xc1 }, 2 },
    { "movsxd r16 (66 63)", { 0x66, 0x63, 0xc1 }, 3 },
    { "movsxd r64 (66 48 63)", { 0x66, 0x48, 0x63, 0xd1 }, 4 },
    { "movsxd r16 r9w (66 44 63)", { 0x66, 0x44, 0x63, 0xc9, 0x4c, 0x89, 0xc8 }, 7 },
    { "movsxd r16 m16 (66 63 07)", { 0x66, 0x63, 0x07 }, 3 },
    { "rex.w 66 add (rex ignored)", { 0x48, 0x66, 0x01, 0xc8 }, 4 },
    { "66 rex.w add", { 0x66, 0x48, 0x01, 0xc8 }, 4 },
    { "rex rex.w add", { 0x40, 0x48, 0x01, 0xc8 }, 4 },
    { "rex.w rex add", { 0x48, 0x40, 0x01, 0xc8 }, 4 },
    { "rex.w 2e add (rex ignored)", { 0x48, 0x2e, 0x01, 0xc8 }, 4 },
    { "66 66 add", { 0x66, 0x66, 0x01, 0xc8 }, 4 },
    { "f3 add", { 0xf3, 0x01, 0xc8 }, 3 },
    { "3e jz +0", { 0x3e, 0x74, 0x00 }, 3 },
    { "66 f3 0f 10 (movss)", { 0x66, 0xf3, 0x0f, 0x10, 0xc1 }, 5 },
    { "f3 66 0f 10 (movss)", { 0xf3, 0x66, 0x0f, 0x10, 0xc1 }, 5 },
    { "f2 f3 0f 10 (movss)", { 0xf2, 0xf3, 0x0f, 0x10, 0xc1 }, 5 },
    { "f3 f2 0f 10 (movsd)", { 0xf3, 0xf2, 0x0f, 0x10, 0xc1 }, 5 },
    { "f2 66 0f 58 (addsd)", { 0xf2, 0x66, 0x0f, 0x58, 0xc1 }, 5 },
    { "f3 66 0f 7e (movq)", { 0xf3, 0x66, 0x0f, 0x7e, 0xc1 }, 5 },
    { "f3 66 0f 6f (movdqu)", { 0xf3, 0x66, 0x0f, 0x6f, 0xc1 }, 5 },
    { "f3 66 0f b8 (popcnt r16)", { 0xf3, 0x66, 0x0f, 0xb8, 0xc1 }, 5 },
    { "f3 66 0f bc (tzcnt r16)", { 0xf3, 0x66, 0x0f, 0xbc, 0xc1 }, 5 },
    { "vcmpps $0x90 (imm8 bits 7:5 ignored)", { 0xc5, 0xf0, 0xc2, 0xc0, 0x90 }, 5 },
    { "vcmpps $0x25", { 0xc5, 0xf0, 0xc2, 0xc0, 0x25 }, 5 },
    { "vcmpsd $0x41", { 0xc5, 0xf3, 0xc2, 0xc0, 0x41 }, 5 },
    { "vcmpps $0xe4, (rdi)", { 0xc5, 0xf0, 0xc2, 0x07, 0xe4 }, 5 },
    { "66 0f 52 (rsqrtps has no 66 form: #UD)", { 0x66, 0x0f, 0x52, 0xc1 }, 4 },
    { "f3 0f 28 (movaps has no F3 form)", { 0xf3, 0x0f, 0x28, 0xc1 }, 4 },
    { "f2 0f 60 (punpcklbw mm has no F2 form)", { 0xf2, 0x0f, 0x60, 0xc1, 0x0f, 0x77 }, 6 },
    { "66 0f 38 c8 (sha1nexte has no 66 form)", { 0x66, 0x0f, 0x38, 0xc8, 0xc1 }, 5 },
    { "f3 0f 3a 0f (palignr mm has no F3 form)", { 0xf3, 0x0f, 0x3a, 0x0f, 0xc1, 0x01 }, 6 },
    { "66 0f c3 (movnti has no 66 form)", { 0x66, 0x0f, 0xc3, 0x07 }, 4 },
    { "f3 0f 38 f0 (movbe has no F3 form)", { 0xf3, 0x0f, 0x38, 0xf0, 0x07 }, 5 },
    { "66 0f 77 (emms has no 66 form)", { 0x66, 0x0f, 0x77 }, 3 },
    { "66 0f 38 00 (pshufb xmm: valid)", { 0x66, 0x0f, 0x38, 0x00, 0xc1 }, 5 },
    { "vpblendd VEX.W0 (valid)", { 0xc4, 0xe3, 0x71, 0x02, 0xc1, 0x05 }, 6 },
    { "vpblendd VEX.W1 (#UD)", { 0xc4, 0xe3, 0xf1, 0x02, 0xc1, 0x05 }, 6 },
    { "vpermilps var VEX.W1 (#UD)", { 0xc4, 0xe2, 0xf1, 0x0c, 0xc1 }, 5 },
    { "vinsertf128 VEX.W1 (#UD)", { 0xc4, 0xe3, 0xf5, 0x18, 0xc1, 0x01, 0xc5, 0xf8, 0x77 }, 9 },
    { "66 rex.b 90 (xchg r8w)", { 0x66, 0x41, 0x90 }, 3 },
    { "imul r16 imm8", { 0x66, 0x6b, 0xc1, 0x85 }, 4 },
    { "bswap r16 (this CPU: 0)", { 0x66, 0x0f, 0xc9 }, 3 },
    /* FEX's ASM tests and a prefix sweep after them (session 22): */
    { "f3 f2 0f 6f (movq mm has no F2 form)", { 0xf3, 0xf2, 0x0f, 0x6f, 0xc1, 0x0f, 0x77 }, 7 },
    { "f2 f3 0f 7e (movq: F3 last; same id as the #UD above)", { 0xf2, 0xf3, 0x0f, 0x7e, 0xc1 }, 5 },
    { "f3 48 0f 7e (movq, REX.W ignored)", { 0xf3, 0x48, 0x0f, 0x7e, 0xc1 }, 5 },
    { "66 f3 48 0f 7e (movq, REX.W ignored)", { 0x66, 0xf3, 0x48, 0x0f, 0x7e, 0xc1 }, 6 },
    { "f3 48 0f 7e (rdi) (movq m64)", { 0xf3, 0x48, 0x0f, 0x7e, 0x07 }, 5 },
    { "66 f2 0f bd (rdi) (bsr r16, m16)", { 0x66, 0xf2, 0x0f, 0xbd, 0x07 }, 5 },
    { "f2 66 0f bc (rdi) (bsf r16, m16)", { 0xf2, 0x66, 0x0f, 0xbc, 0x07 }, 5 },
    { "vtestps VEX.W1 (#UD)", { 0xc4, 0xe2, 0xf9, 0x0e, 0xc1 }, 5 },
    { "vbroadcastss (rdi) VEX.W1 (#UD)", { 0xc4, 0xe2, 0xf9, 0x18, 0x07 }, 5 },
    { "vpbroadcastd VEX.W1 (#UD)", { 0xc4, 0xe2, 0xf9, 0x58, 0xc1 }, 5 },
    { "vcvtph2ps VEX.W1 (#UD)", { 0xc4, 0xe2, 0xf9, 0x13, 0xc1 }, 5 },
    { "vcvtps2ph VEX.W1 (#UD)", { 0xc4, 0xe3, 0xf9, 0x1d, 0xc1, 0x00 }, 6 },
    { "vextractf128 VEX.W1 (#UD)", { 0xc4, 0xe3, 0xfd, 0x19, 0xc8, 0x01, 0xc5, 0xf8, 0x77 }, 9 },
    { "vpermq VEX.W0 (this AMD: the W1 form)", { 0xc4, 0xe3, 0x7d, 0x00, 0xc1, 0x01, 0xc5, 0xf8, 0x77 }, 9 },
    { "vpermpd (rdi) VEX.W0 (this AMD: the W1 form)", { 0xc4, 0xe3, 0x7d, 0x01, 0x07, 0x01, 0xc5, 0xf8, 0x77 }, 9 },
    /* FEX's Atomics tests widened with prefix orders (session 23): 66 with
     * F2/F3 on a general-purpose instruction is 16-bit (the F2/F3 ignored;
     * capstone 4: 32-bit, or no decoding), and an F2/F3 that another prefix
     * follows still selects tzcnt/lzcnt/popcnt (capstone 4: bsf/bsr/none).
     * M0/M1 set the scratch qword to 0/-1, RD reads it into rdx. */
#define M0 0x48, 0xc7, 0x47, 0x10, 0, 0, 0, 0
#define M1 0x48, 0xc7, 0x47, 0x10, 0xff, 0xff, 0xff, 0xff
#define RD 0x48, 0x8b, 0x57, 0x10
    { "66 f2 05 (add ax, imm16)", { 0x66, 0xf2, 0x05, 0x34, 0x92 }, 5 },
    { "f2 66 98 (cbw)", { 0xf2, 0x66, 0x98 }, 3 },
    { "66 f3 99 (cwd)", { 0x66, 0xf3, 0x99 }, 3 },
    { "f3 66 91 (xchg ax, cx)", { 0xf3, 0x66, 0x91 }, 3 },
    { "66 f2 21 (and m16, ax)", { M1, 0x66, 0xf2, 0x21, 0x47, 0x10, RD }, 17 },
    { "f0 f2 66 01 (lock add m16, ax)", { M1, 0xf0, 0xf2, 0x66, 0x01, 0x47, 0x10, RD }, 18 },
    { "f2 66 0f a4 (shld m16, ax, 4)", { M0, 0xf2, 0x66, 0x0f, 0xa4, 0x47, 0x10, 0x04, RD }, 19 },
    { "66 f3 0f b1 (cmpxchg m16, cx)", { M0, 0x66, 0xf3, 0x0f, 0xb1, 0x4f, 0x10, RD }, 18 },
    { "f3 66 2e 0f bd (lzcnt ax, cx)", { 0xf3, 0x66, 0x2e, 0x0f, 0xbd, 0xc1 }, 6 },
    { "f3 2e 0f bd (lzcnt eax, ecx)", { 0xf3, 0x2e, 0x0f, 0xbd, 0xc1 }, 5 },
    { "f3 3e 0f b8 (popcnt eax, ecx)", { 0xf3, 0x3e, 0x0f, 0xb8, 0xc1 }, 5 },
    { "f3 2e 0f bc (rdi) (tzcnt eax, m32 = 0)", { M0, 0xf3, 0x2e, 0x0f, 0xbc, 0x47, 0x10 }, 14 },
    { "f3 2e 0f 10 (movss, F3 before 2e)", { 0xf3, 0x2e, 0x0f, 0x10, 0xc1 }, 5 },
    { "f2 67 0f 58 (addsd, F2 before 67)", { 0xf2, 0x67, 0x0f, 0x58, 0xc1 }, 5 },
    { "66 2e f2 3e 0f 10 (movsd)", { 0x66, 0x2e, 0xf2, 0x3e, 0x0f, 0x10, 0xc1 }, 7 },
    /* a 66 that a segment or 67 prefix follows still selects the 66 form
     * (capstone 4: the unprefixed one; session 26) */
    { "66 2e 0f 58 (addpd, 66 before 2e)", { 0x66, 0x2e, 0x0f, 0x58, 0xc1 }, 5 },
    { "66 67 0f fe (paddd xmm, 66 before 67)", { 0x66, 0x67, 0x0f, 0xfe, 0xc1 }, 5 },
    { "66 64 0f 38 00 (pshufb xmm, 66 before fs)", { 0x66, 0x64, 0x0f, 0x38, 0x00, 0xc1 }, 6 },
    { "66 3e f3 0f 10 (movss)", { 0x66, 0x3e, 0xf3, 0x0f, 0x10, 0xc1 }, 6 },
    { "f3 2e 0f 38 f6 (adox, F3 before 2e)", { 0xf3, 0x2e, 0x0f, 0x38, 0xf6, 0xc1 }, 6 },
    { "66 f3 0f 38 f1 (rdi) (movbe has no F3 form, 66 beside)", { M0, 0x66, 0xf3, 0x0f, 0x38, 0xf1, 0x47, 0x10 }, 16 },
    { "66 f2 0f 38 f6 (no F2 form of adcx/adox)", { 0x66, 0xf2, 0x0f, 0x38, 0xf6, 0xc1 }, 6 },
    { "f0 f2 0f ab (lock bts on a register: #UD)", { 0xf0, 0xf2, 0x0f, 0xab, 0xc1 }, 5 },
    { "f0 f3 66 0f bb (lock btc on a register: #UD)", { 0xf0, 0xf3, 0x66, 0x0f, 0xbb, 0xc1 }, 6 },
    /* and, found the same way, a 66/F0/F2/F3/REX before a general-register
     * VEX instruction: #UD (capstone 4 decodes it; ferry ran it) */
    { "66 andn (#UD)", { 0x66, 0xc4, 0xe2, 0x78, 0xf2, 0xc1 }, 6 },
    { "f3 shlx (#UD)", { 0xf3, 0xc4, 0xe2, 0x71, 0xf7, 0xc1 }, 6 },
    { "f0 bextr (#UD)", { 0xf0, 0xc4, 0xe2, 0x70, 0xf7, 0xc1 }, 6 },
    { "rex rorx (#UD)", { 0x40, 0xc4, 0xe3, 0x7b, 0xf0, 0xc1, 0x05 }, 7 },
    { "2e andn (valid)", { 0x2e, 0xc4, 0xe2, 0x78, 0xf2, 0xc1 }, 6 },
#undef M0
#undef M1
#undef RD
};

/* n copies of prefix, then tail */
static void repeated(uint8_t prefix, int n, const uint8_t *tail, int tail_len)
{
    uint8_t b[32];
    char name[64];
    memset(b, prefix, (size_t)n);
    memcpy(b + n, tail, (size_t)tail_len);
    snprintf(name, sizeof name, "%d x %02x + %d bytes (length %d)", n, prefix, tail_len,
             n + tail_len);
    run(name, b, n + tail_len);
}

/* 67 48 8d 05 disp32: lea with a 32-bit address size and RIP-relative
 * operand = (rip + disp) mod 2^32 (capstone names the base EIP). */
static void eip_relative(void)
{
    static const uint8_t lea[] = { 0x67, 0x48, 0x8d, 0x05, 0x10, 0, 0, 0, 0xc3 };
    memcpy(buf, lea, sizeof lea);
    uint64_t r = ((uint64_t (*)(void))buf)();
    uint64_t want = (uint64_t)(uint32_t)((uintptr_t)buf + 8 + 0x10);
    printf("lea eip-relative: %s\n", r == want ? "wraps at 32 bits" : "wrong");
}

int main(void)
{
    static const uint8_t nop[] = { 0x90 }, add64[] = { 0x48, 0x01, 0xc8 };
    static const uint8_t mov_imm32[] = { 0xb8, 1, 2, 3, 4 };
    static const uint8_t mov_imm16[] = { 0xb8, 1, 2 };
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED)
        return 1;
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run(cases[i].name, cases[i].bytes, cases[i].len);
    eip_relative();
    for (int n = 13; n <= 16; n++)
        repeated(0x66, n, nop, 1);
    for (int n = 11; n <= 14; n++)
        repeated(0x2e, n, add64, 3);
    for (int n = 9; n <= 11; n++)
        repeated(0x3e, n, mov_imm32, 5);
    for (int n = 11; n <= 13; n++)
        repeated(0x66, n, mov_imm16, 3);
    return 0;
}
