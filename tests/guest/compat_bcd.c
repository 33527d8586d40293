/* compat_bcd.c -- the instructions valid only outside 64-bit mode, run in
 * compatibility mode (cs 0x23) as Linux with IA32 emulation allows:
 * daa das aaa aas, aam/aad with several bases, salc over every ax and
 * every input CF/AF (a checksum of ax and the arithmetic flags, and a few
 * sample lines); arpl, pushaw/popaw, les/lds; and the faults: aam 0
 * (#DE), into with OF set (#OF), bound out of range (#BR), les with a bad
 * selector (#GP).  The 32-bit code is a position-independent blob copied
 * to a MAP_32BIT area; it finds its data through ebx.  Without IA32
 * emulation the first far transfer is #GP: the program says so and stops,
 * natively as under ferry. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#define D_SAVE_RSP 0x4000
#define D_FAR_BACK 0x4008       /* m16:32 of back64 */
#define D_IN 0x4020             /* 8 x u32 */
#define D_OUT 0x4040            /* 16 x u32 */
#define STACK_TOP 0x8000
#define OUT_TAB 0x10000         /* 0x40000 x u32: ax | flags << 16 */
#define AREA 0x110000
#define S(x) #x
#define XS(x) S(x)

/* A loop over ecx = 0 .. 0x3ffff: ax = cx, CF = bit 16, AF = bit 17;
 * the instruction; then ax and the flags into OUT_TAB[ecx]. */
#define LOOP(name, insn)                                                        \
    name ":\n"                                                                  \
    "  xor %ecx, %ecx\n"                                                        \
    "1: movzwl %cx, %eax; mov %ecx, %edx; shr $16, %edx; mov %edx, %esi\n"      \
    "  and $1, %esi; and $2, %edx; shl $3, %edx; or %esi, %edx\n"               \
    "  push %edx; popfl\n"                                                      \
    "  " insn "\n"                                                              \
    "  pushfl; pop %edx\n"                                                      \
    "  mov %ax, " XS(OUT_TAB) "(%ebx,%ecx,4); mov %dx, " XS(OUT_TAB) "+2(%ebx,%ecx,4)\n" \
    "  inc %ecx; cmp $0x40000, %ecx; jb 1b\n"                                   \
    "  jmp exit32\n"

__asm__(
    ".pushsection .text\n"
    ".globl cb_start, cb_end\n"
    "cb_start:\n"
    ".code64\n"
    /* enter64(target): rdi; rbx = the area's base */
    "enter64:\n"
    "  push %rbp; push %rbx; push %r12; push %r13; push %r14; push %r15\n"
    "  lea cb_start(%rip), %rbx\n"
    "  mov %rsp, " XS(D_SAVE_RSP) "(%rbx)\n"
    "  lea " XS(STACK_TOP) "(%rbx), %rsp\n"
    "  mov $0x2b, %eax; mov %eax, %ds; mov %eax, %es\n"
    "  pushq $0x23; push %rdi; lretq\n"
    "back64:\n"
    "  xor %eax, %eax; mov %eax, %ds; mov %eax, %es\n"
    "  mov cb_start+" XS(D_SAVE_RSP) "(%rip), %rsp\n"
    "  pop %r15; pop %r14; pop %r13; pop %r12; pop %rbx; pop %rbp\n"
    "  cld\n"
    "  ret\n"
    ".code32\n"
    "exit32:\n"
    "  push $0x2b; pop %ds; push $0x2b; pop %es\n"
    "  ljmpl *" XS(D_FAR_BACK) "(%ebx)\n"
    ".globl s_nop\n"
    "s_nop: jmp exit32\n"
    ".globl s_daa, s_das, s_aaa, s_aas, s_aam10, s_aam16, s_aam7, s_aamff, s_aad10, s_aad16\n"
    ".globl s_aad7, s_aad0, s_salc\n"
    LOOP("s_daa", "daa")
    LOOP("s_das", "das")
    LOOP("s_aaa", "aaa")
    LOOP("s_aas", "aas")
    LOOP("s_aam10", "aam")
    LOOP("s_aam16", "aam $16")
    LOOP("s_aam7", "aam $7")
    LOOP("s_aamff", "aam $0xff")
    LOOP("s_aad10", "aad")
    LOOP("s_aad16", "aad $16")
    LOOP("s_aad7", "aad $7")
    LOOP("s_aad0", "aad $0")
    LOOP("s_salc", ".byte 0xd6")
    /* arpl, pushaw/popaw, les/lds with good and null selectors */
    ".globl s_misc\n"
    "s_misc:\n"
    "  mov $0x1233, %eax; mov $0x5670, %ecx; arpl %ax, %cx; pushfl; popl " XS(D_OUT) "(%ebx)\n"
    "  mov %ecx, " XS(D_OUT) "+4(%ebx)\n"
    "  mov $0x1230, %eax; mov $0x5672, %ecx; arpl %ax, %cx; pushfl; popl " XS(D_OUT) "+8(%ebx)\n"
    "  mov %ecx, " XS(D_OUT) "+12(%ebx)\n"
    "  mov $0x1232, %eax; movw $0x4441, " XS(D_IN) "(%ebx); arpl %ax, " XS(D_IN) "(%ebx); pushfl; popl " XS(D_OUT) "+16(%ebx)\n"
    "  movzwl " XS(D_IN) "(%ebx), %eax; mov %eax, " XS(D_OUT) "+20(%ebx)\n"
    "  mov %esp, %esi; mov $0xaaaa1111, %eax; mov $0xcccc2222, %ecx; mov $0xdddd3333, %edx\n"
    "  mov $0x77776666, %edi; mov $0x88885555, %ebp\n"
    "  pushaw; mov %esi, %ecx; sub %esp, %ecx; mov %ecx, " XS(D_OUT) "+24(%ebx)\n"
    "  mov 6(%esp), %ecx; sub %esi, %ecx; movzwl %cx, %ecx; mov %ecx, " XS(D_OUT) "+28(%ebx)\n"
    "  mov 0(%esp), %ecx; mov %ecx, " XS(D_OUT) "+32(%ebx); mov 12(%esp), %ecx; mov %ecx, " XS(D_OUT) "+36(%ebx)\n"
    "  movw $0x1357, 14(%esp); movw $0x2468, 0(%esp); movw $0x9999, 6(%esp)\n"
    "  popaw; mov %esp, %ecx; sub %esi, %ecx; mov %ecx, " XS(D_OUT) "+40(%ebx)\n"
    "  mov %eax, " XS(D_OUT) "+44(%ebx); mov %edi, " XS(D_OUT) "+48(%ebx)\n"
    "  mov %ebp, " XS(D_OUT) "+52(%ebx)\n"
    "  movl $0x11223344, " XS(D_IN) "(%ebx); movw $0x2b, " XS(D_IN) "+4(%ebx)\n"
    "  push $0; pop %es; les " XS(D_IN) "(%ebx), %edx; mov %edx, " XS(D_OUT) "+56(%ebx)\n"
    "  mov %es, %eax; mov %eax, " XS(D_OUT) "+60(%ebx)\n"
    "  movw $0, " XS(D_IN) "+4(%ebx); les " XS(D_IN) "(%ebx), %edx\n"
    "  mov %es, %eax; mov %eax, " XS(D_OUT) "+64(%ebx); push $0x2b; pop %es\n"
    "  movw $0x2b, " XS(D_IN) "+4(%ebx); movl $0x2b5566, " XS(D_IN) "+8(%ebx); mov $0xeeeeeeee, %edi\n"
    "  lds " XS(D_IN) "+8(%ebx), %di\n"
    "  mov %edi, " XS(D_OUT) "+68(%ebx); mov %ds, %eax; mov %eax, " XS(D_OUT) "+72(%ebx)\n"
    /* 0x66 les: m16:16; lds with a null selector (ds reloaded after) */
    "  movl $0x002b7788, " XS(D_IN) "+8(%ebx); mov $0xeeeeeeee, %esi; push $0; pop %es\n"
    "  les " XS(D_IN) "+8(%ebx), %si; mov %es, %eax; shl $16, %eax; mov %si, %ax\n"
    "  mov %eax, " XS(D_OUT) "+76(%ebx); mov %esi, " XS(D_OUT) "+80(%ebx)\n"
    "  movl $0x33, " XS(D_IN) "+12(%ebx); movl $0, " XS(D_IN) "+16(%ebx)\n"
    "  lds " XS(D_IN) "+12(%ebx), %ecx; mov %ds, %eax; push $0x2b; pop %ds\n"
    "  mov %eax, " XS(D_OUT) "+84(%ebx); mov %ecx, " XS(D_OUT) "+88(%ebx)\n"
    /* c5/c4 with a register operand: VEX in compatibility mode too */
    "  mov $5, %eax; movd %eax, %xmm1; mov $7, %eax; movd %eax, %xmm2\n"
    "  vpaddd %xmm1, %xmm2, %xmm3; movd %xmm3, " XS(D_OUT) "+92(%ebx)\n"
    "  .byte 0xc4, 0xe2, 0x71, 0x40, 0xda\n"          /* vpmulld %xmm2, %xmm1, %xmm3 */
    "  movd %xmm3, " XS(D_OUT) "+96(%ebx)\n"
    "  jmp exit32\n"
    /* faults: each stub's fault resumes at its *_resume label */
    ".globl s_aam0, s_aam0_resume, s_into, s_into_resume, s_bound, s_bound_resume\n"
    ".globl s_lesbad, s_lesbad_resume\n"
    "s_aam0:\n"
    "  mov $0x1234, %eax; xor %ecx, %ecx; add $0, %ecx; into; aam $0\n"
    "s_aam0_resume:\n"
    "  mov %eax, " XS(D_OUT) "(%ebx); jmp exit32\n"
    "s_into:\n"
    "  mov $0x7f, %al; add $1, %al; into\n"
    "s_into_resume:\n"
    "  pushfl; popl " XS(D_OUT) "(%ebx); jmp exit32\n"
    "s_bound:\n"
    "  movl $10, " XS(D_IN) "(%ebx); movl $20, " XS(D_IN) "+4(%ebx)\n"
    "  mov $15, %eax; bound %eax, " XS(D_IN) "(%ebx); mov $20, %eax; bound %eax, " XS(D_IN) "(%ebx)\n"
    "  movl $1, " XS(D_OUT) "(%ebx)\n"
    "  movw $-5, " XS(D_IN) "(%ebx); movw $5, " XS(D_IN) "+2(%ebx); mov $-6, %eax; boundw %ax, " XS(D_IN) "(%ebx)\n"
    "  movl $2, " XS(D_OUT) "(%ebx)\n"
    "s_bound_resume:\n"
    "  jmp exit32\n"
    "s_bound2:\n"
    ".globl s_bound2\n"
    "  mov $21, %eax; bound %eax, " XS(D_IN) "(%ebx)\n"
    "  movl $3, " XS(D_OUT) "(%ebx); jmp exit32\n"
    "s_lesbad:\n"
    "  movl $0x11223344, " XS(D_IN) "(%ebx); movw $0x1234, " XS(D_IN) "+4(%ebx)\n"
    "  mov $7, %edx; les " XS(D_IN) "(%ebx), %edx\n"
    "s_lesbad_resume:\n"
    "  mov %edx, " XS(D_OUT) "(%ebx); jmp exit32\n"
    ".code64\n"
    ".globl s_daa64\n"
    "s_daa64: .byte 0x27; ret\n"       /* daa's byte in 64-bit mode: #UD */
    ".globl back64_sym, enter64_sym\n"
    "back64_sym = back64\n"
    "enter64_sym = enter64\n"
    "cb_end:\n"
    ".popsection\n");

extern const char cb_start[], cb_end[], back64_sym[], enter64_sym[], s_nop[];
extern const char s_daa[], s_das[], s_aaa[], s_aas[], s_aam10[], s_aam16[], s_aam7[], s_aamff[];
extern const char s_aad10[], s_aad16[], s_aad7[], s_aad0[], s_salc[], s_misc[];
extern const char s_aam0[], s_aam0_resume[], s_into[], s_into_resume[], s_bound[];
extern const char s_bound_resume[], s_bound2[], s_lesbad[], s_lesbad_resume[], s_daa64[];

static uint8_t *area;
static void (*enter)(uint64_t target);

#define OFF(sym) ((uint32_t)((sym) - cb_start))
#define D32(off) (*(volatile uint32_t *)(area + (off)))

static sigjmp_buf jb;
static volatile int probing, resume_off;
static volatile long f_sig, f_code, f_trap, f_err, f_cs, f_ip;

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    f_sig = sig, f_code = si->si_code;
    f_trap = uc->uc_mcontext.gregs[REG_TRAPNO];
    f_err = uc->uc_mcontext.gregs[REG_ERR];
    f_cs = uc->uc_mcontext.gregs[REG_CSGSFS] & 0xffff;
    f_ip = uc->uc_mcontext.gregs[REG_RIP] - (long)area;
    if (probing)
        siglongjmp(jb, 1);
    uc->uc_mcontext.gregs[REG_RIP] = (long)area + resume_off;
}

/* 0 if the trip came back; a fault with probing set jumps out. */
static int trip(const char *target, int probe)
{
    fflush(stdout);
    probing = probe;
    if (sigsetjmp(jb, 1)) {
        probing = 0;
        return -1;
    }
    enter((uint64_t)(uintptr_t)(area + OFF(target)));
    probing = 0;
    return 0;
}

/* FNV-1a over the table, and the entries at a few inputs. */
static void table(const char *name, const char *stub)
{
    if (trip(stub, 1)) {
        printf("%s: sig %ld code %ld trap %ld\n", name, f_sig, f_code, f_trap);
        return;
    }
    const volatile uint32_t *t = (const volatile uint32_t *)(area + OUT_TAB);
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint32_t i = 0; i < 0x40000; i++) {
        h ^= t[i] & 0x08d5ffffu;
        h *= 0x100000001b3ull;
    }
    if (getenv("CB_DUMP")) {        /* raw tables, for working on a model */
        char fn[64];
        snprintf(fn, sizeof fn, "%s/%s.tab", getenv("CB_DUMP"), stub == s_salc ? "salc" : name);
        FILE *f = fopen(fn, "wb");
        if (f) { fwrite((const void *)t, 4, 0x40000, f); fclose(f); }
    }
    printf("%-9s %016llx", name, (unsigned long long)h);
    static const uint32_t at[] = { 0x0000, 0x0009, 0x009a, 0x00ff, 0x10f9, 0x2066, 0x30fa,
                                   0xff7f, 0x10080, 0x20080, 0x3ff99, 0x2109f };
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++)
        printf(" %05x:%04x/%03x", at[i], t[at[i]] & 0xffff, (t[at[i]] >> 16) & 0x8d5);
    printf("\n");
}

static void misc(void)
{
    if (trip(s_misc, 1)) {
        printf("misc: sig %ld code %ld trap %ld err %#lx at +%#lx\n", f_sig, f_code, f_trap,
               f_err, f_ip);
        return;
    }
    printf("arpl: zf %u cx %#x; zf %u cx %#x; mem zf %u %#x\n", D32(D_OUT) >> 6 & 1,
           D32(D_OUT + 4), D32(D_OUT + 8) >> 6 & 1, D32(D_OUT + 12), D32(D_OUT + 16) >> 6 & 1,
           D32(D_OUT + 20));
    printf("pushaw: %u bytes, sp slot - esi %#x, di %#x cx %#x; popaw: %u, eax %#x edi %#x "
           "ebp %#x\n", D32(D_OUT + 24), D32(D_OUT + 28), D32(D_OUT + 32) & 0xffff,
           D32(D_OUT + 36) & 0xffff, D32(D_OUT + 40), D32(D_OUT + 44), D32(D_OUT + 48),
           D32(D_OUT + 52));
    printf("les: edx %#x es %#x; null es %#x; lds: edi %#x ds %#x\n", D32(D_OUT + 56),
           D32(D_OUT + 60), D32(D_OUT + 64), D32(D_OUT + 68), D32(D_OUT + 72));
    printf("les (66): es:si %#x esi %#x; lds null: ds %#x ecx %#x\n", D32(D_OUT + 76),
           D32(D_OUT + 80), D32(D_OUT + 84), D32(D_OUT + 88));
    printf("vex in compat: vpaddd %u vpmulld %u\n", D32(D_OUT + 92), D32(D_OUT + 96));
}

static void fault(const char *name, const char *stub, const char *resume)
{
    f_sig = 0;
    D32(D_OUT) = 0;
    resume_off = (int)OFF(resume);
    if (trip(stub, 0))
        return;
    if (f_sig)
        printf("%s: sig %ld code %ld trap %ld err %#lx at stub+%#lx cs %#lx; out %#x\n",
               name, f_sig, f_code, f_trap, f_err, f_ip - OFF(stub), f_cs, D32(D_OUT));
    else
        printf("%s: no fault; out %#x\n", name, D32(D_OUT));
}

int main(void)
{
    static char altstack[65536];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    sigaltstack(&ss, NULL);
    struct sigaction sa = { .sa_sigaction = on_fault,
                            .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER };
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    area = mmap(NULL, AREA, PROT_READ | PROT_WRITE | PROT_EXEC,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (area == MAP_FAILED) {
        printf("no MAP_32BIT area\n");
        return 1;
    }
    memcpy(area, cb_start, (size_t)(cb_end - cb_start));
    D32(D_FAR_BACK) = (uint32_t)(uintptr_t)(area + OFF(back64_sym));
    D32(D_FAR_BACK + 4) = 0x33;
    enter = (void (*)(uint64_t))(area + OFF(enter64_sym));
    if (trip(s_nop, 1)) {
        printf("no compatibility mode (lretq to 0x23): sig %ld code %ld trap %ld err %#lx\n",
               f_sig, f_code, f_trap, f_err);
        return 0;
    }
    table("daa", s_daa);
    table("das", s_das);
    table("aaa", s_aaa);
    table("aas", s_aas);
    table("aam", s_aam10);
    table("aam 16", s_aam16);
    table("aam 7", s_aam7);
    table("aam 0xff", s_aamff);
    table("aad", s_aad10);
    table("aad 16", s_aad16);
    table("aad 7", s_aad7);
    table("aad 0", s_aad0);
    table("salc", s_salc);
    misc();
    fault("aam 0", s_aam0, s_aam0_resume);
    fault("into", s_into, s_into_resume);
    fault("bound", s_bound, s_bound_resume);
    fault("bound 2", s_bound2, s_bound_resume);
    fault("les bad", s_lesbad, s_lesbad_resume);
    fflush(stdout);
    probing = 1;
    if (sigsetjmp(jb, 1) == 0) {
        ((void (*)(void))(area + OFF(s_daa64)))();
        printf("daa in 64-bit mode: ran\n");
    } else {
        printf("daa in 64-bit mode: sig %ld code %ld trap %ld\n", f_sig, f_code, f_trap);
    }
    probing = 0;
    printf("done\n");
    return 0;
}
