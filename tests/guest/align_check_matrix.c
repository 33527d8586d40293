/* align_check_matrix.c -- which accesses raise #AC with EFLAGS.AC set
 * (Linux runs user code with CR0.AM: SIGBUS, BUS_ADRALN, trap 17, err 0,
 * si_addr 0, rip at the instruction, AC still set in the frame).  One line
 * per instruction form with a misaligned (or, as controls, aligned)
 * operand: plain loads and stores of 2, 4, 8 and 10 bytes, read-modify-
 * writes, locked ops, the stack (push/pop/call/ret/leave with rsp
 * misaligned), string ops, x87 loads, stores and environments, fxsave and
 * xsave, cmpxchg16b, SSE and AVX loads of every width, and the order of a
 * page fault and #AC.  Compared with the native run (tests/run-diff.sh). */
//@cflags: -mno-red-zone
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static volatile uint64_t saved_sp, resume_at, insn_at;
static volatile int got_sig, got_code, handler_ac;
static volatile long got_trap, got_err, got_fl, got_rip, got_addr;

static void on_sig(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    uint64_t fl;
    __asm__ volatile("pushfq\n\tpopq %0" : "=r"(fl));
    handler_ac = !!(fl & 0x40000);
    got_sig = sig; got_code = si->si_code; got_addr = (long)si->si_addr;
    got_trap = uc->uc_mcontext.gregs[REG_TRAPNO]; got_err = uc->uc_mcontext.gregs[REG_ERR];
    got_fl = uc->uc_mcontext.gregs[REG_EFL]; got_rip = uc->uc_mcontext.gregs[REG_RIP];
    uc->uc_mcontext.gregs[REG_EFL] &= ~0x40400ull;     /* AC, DF */
    uc->uc_mcontext.gregs[REG_RIP] = (long)resume_at;
    uc->uc_mcontext.gregs[REG_RSP] = (long)saved_sp;
}

static unsigned char buf[8192] __attribute__((aligned(4096)));
static unsigned char *edge;             /* the last bytes before an unmapped page */

static void report(const char *name)
{
    if (!got_sig) {
        printf("%-22s none\n", name);
        return;
    }
    printf("%-22s sig %d code %d trap %ld err %ld addr %s ac %d at_insn %d handler_ac %d\n", name,
           got_sig, got_code, got_trap, got_err, got_addr ? "set" : "0", !!(got_fl & 0x40000),
           (uint64_t)got_rip == insn_at, handler_ac);
}

/* setup runs with AC clear; insn (at label 0) with AC set; after (at
 * label 1) runs both ways; rsp is restored from saved_sp. */
#define RUN(name, p, setup, insn, after)                                                   \
    do {                                                                                   \
        got_sig = 0;                                                                       \
        __asm__ volatile("mov %%rsp, %[sp]\n\t"                                            \
                         "lea 1f(%%rip), %%rax\n\tmov %%rax, %[res]\n\t"                   \
                         "lea 0f(%%rip), %%rax\n\tmov %%rax, %[ins]\n\t"                   \
                         "mov %[ptr], %%rsi\n\tlea 64+buf(%%rip), %%rdi\n\t"               \
                         "mov $2, %%ecx\n\txor %%eax, %%eax\n\txor %%edx, %%edx\n\t"       \
                         setup "\n\t"                                                      \
                         "pushfq\n\torq $0x40000, (%%rsp)\n\tpopfq\n"                      \
                         "0:\n\t" insn "\n"                                                \
                         "1:\n\t" after "\n\tmov %[sp], %%rsp\n\tcld\n\t"                  \
                         "pushfq\n\tandq $~0x40000, (%%rsp)\n\tpopfq"                      \
                         : [sp] "+m"(saved_sp), [res] "+m"(resume_at), [ins] "+m"(insn_at) \
                         : [ptr] "r"(p)                                                    \
                         : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",    \
                           "xmm0", "xmm1", "xmm2", "memory", "cc");                                \
        __asm__ volatile("fninit; vzeroupper");                                            \
        report(name);                                                                      \
    } while (0)

#define B(off) ((void *)(buf + 256 + (off)))

int main(void)
{
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_sig; sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, 0); sigaction(SIGSEGV, &sa, 0); sigaction(SIGFPE, &sa, 0);
    memset(buf, 1, sizeof buf);
    long pg = sysconf(_SC_PAGESIZE);
    unsigned char *m = mmap(0, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(m + pg, pg);
    edge = m + pg;

    /* plain loads and stores */
    RUN("ld8 +1", B(1), "", "movb (%%rsi), %%al", "");
    RUN("ld16 +1", B(1), "", "movw (%%rsi), %%ax", "");
    RUN("ld16 +2", B(2), "", "movw (%%rsi), %%ax", "");
    RUN("ld32 +1", B(1), "", "movl (%%rsi), %%eax", "");
    RUN("ld32 +2", B(2), "", "movl (%%rsi), %%eax", "");
    RUN("ld32 +4", B(4), "", "movl (%%rsi), %%eax", "");
    RUN("ld64 +1", B(1), "", "movq (%%rsi), %%rax", "");
    RUN("ld64 +4", B(4), "", "movq (%%rsi), %%rax", "");
    RUN("ld64 +8", B(8), "", "movq (%%rsi), %%rax", "");
    RUN("st16 +1", B(1), "", "movw %%ax, (%%rsi)", "");
    RUN("st32 +2", B(2), "", "movl %%eax, (%%rsi)", "");
    RUN("st64 +4", B(4), "", "movq %%rax, (%%rsi)", "");
    RUN("st64 imm +1", B(1), "", "movq $5, (%%rsi)", "");
    RUN("movzwl +1", B(1), "", "movzwl (%%rsi), %%eax", "");
    RUN("movslq +2", B(2), "", "movslq (%%rsi), %%rax", "");
    RUN("disp ld64 +1", B(0), "", "movq 1(%%rsi), %%rax", "");
    RUN("rip ld32 odd", B(0), "", "movl buf+257(%%rip), %%eax", "");
    RUN("st seg +1", B(1), "", "movw %%ds, (%%rsi)", "");
    /* arithmetic, read-modify-write, locked */
    RUN("add ld32 +1", B(1), "", "addl (%%rsi), %%eax", "");
    RUN("add rmw32 +1", B(1), "", "addl %%eax, (%%rsi)", "");
    RUN("inc rmw64 +4", B(4), "", "incq (%%rsi)", "");
    RUN("cmp ld64 +1", B(1), "", "cmpq (%%rsi), %%rax", "");
    RUN("cmov ld64 +1", B(1), "", "cmpl %%eax, %%eax\n\tcmovneq (%%rsi), %%rax", "");
    RUN("imul ld32 +1", B(1), "", "imull (%%rsi), %%eax", "");
    RUN("div ld32 +1", B(1), "", "divl (%%rsi)", "");
    RUN("shl rmw16 +1", B(1), "", "shlw $1, (%%rsi)", "");
    RUN("bt ld32 +1", B(1), "", "btl $3, (%%rsi)", "");
    RUN("bt reg ld +1", B(1), "", "btl %%ecx, (%%rsi)", "");
    RUN("movbe ld32 +1", B(1), "", "movbel (%%rsi), %%eax", "");
    RUN("crc32 ld32 +1", B(1), "", "crc32l (%%rsi), %%eax", "");
    RUN("xchg 32 +1", B(1), "", "xchgl %%eax, (%%rsi)", "");
    RUN("lock add 32 +1", B(1), "", "lock addl %%eax, (%%rsi)", "");
    RUN("lock xadd 64 +4", B(4), "", "lock xaddq %%rax, (%%rsi)", "");
    RUN("lock cmpxchg 64 +1", B(1), "", "lock cmpxchgq %%rcx, (%%rsi)", "");
    RUN("lock bts 32 +1", B(1), "", "lock btsl $1, (%%rsi)", "");
    RUN("lock add split", (void *)(buf + 62), "", "lock addl %%eax, (%%rsi)", "");
    RUN("cmpxchg8b +4", B(4), "", "cmpxchg8b (%%rsi)", "");
    RUN("cmpxchg16b +8", B(8), "", "cmpxchg16b (%%rsi)", "");
    RUN("cmpxchg16b +16", B(16), "", "cmpxchg16b (%%rsi)", "");
    RUN("movnti 32 +1", B(1), "", "movnti %%eax, (%%rsi)", "");
    RUN("lea +1", B(1), "", "leaq 1(%%rsi), %%rax", "");
    RUN("prefetch +1", B(1), "", "prefetcht0 (%%rsi)", "");
    RUN("clflush +1", B(1), "", "clflush (%%rsi)", "");
    RUN("nop mem +1", B(1), "", "nopl (%%rsi)", "");
    /* the stack */
    RUN("push rsp+1", B(0), "sub $1, %%rsp", "pushq %%rax", "");
    RUN("push rsp+4", B(0), "sub $4, %%rsp", "pushq %%rax", "");
    RUN("push aligned", B(0), "", "pushq %%rax", "");
    RUN("push16 rsp+1", B(0), "sub $1, %%rsp", "pushw %%ax", "");
    RUN("pop rsp+4", B(0), "sub $12, %%rsp", "popq %%rax", "");
    RUN("push mem +1", B(1), "", "pushq (%%rsi)", "");
    RUN("pop mem +1", B(1), "pushq $7", "popq (%%rsi)", "");
    RUN("pushf rsp+2", B(0), "sub $2, %%rsp", "pushfq", "");
    RUN("call rsp+4", B(0), "sub $4, %%rsp", "call 1f", "");
    RUN("ret rsp+4", B(0), "sub $12, %%rsp\n\tlea 1f(%%rip), %%rax\n\tmov %%rax, (%%rsp)", "ret", "");
    RUN("iretq rsp+4", B(0), "sub $4, %%rsp\n\tmov %%ss, %%eax\n\tpush %%rax\n\tlea 8(%%rsp), %%rax\n\tpush %%rax\n\tpushfq\n\tmov %%cs, %%eax\n\tpush %%rax\n\tlea 1f(%%rip), %%rax\n\tpush %%rax", "iretq", "");
    RUN("lretq rsp+4", B(0), "sub $4, %%rsp\n\tmov %%cs, %%eax\n\tpush %%rax\n\tlea 1f(%%rip), %%rax\n\tpush %%rax", "lretq", "");
    RUN("leave rbp+4", B(0), "mov %%rbp, %%r8\n\tlea -12(%%rsp), %%rbp", "leave", "mov %%r8, %%rbp");
    RUN("enter nest rbp+4", B(0), "mov %%rbp, %%r8\n\tlea -12(%%rsp), %%rbp", "enter $16, $2", "mov %%r8, %%rbp");
    RUN("enter rsp+4", B(0), "mov %%rbp, %%r8\n\tsub $4, %%rsp", "enter $16, $0", "mov %%r8, %%rbp");
    /* strings */
    RUN("movsb +1", B(1), "", "movsb", "");
    RUN("movsw src+1", B(1), "", "movsw", "");
    RUN("movsq src+4", B(4), "", "movsq", "");
    RUN("movsq dst+4", B(0), "lea 4(%%rdi), %%rdi", "movsq", "");
    RUN("rep movsq src+4", B(4), "", "rep movsq", "");
    RUN("rep movsb +1", B(1), "", "rep movsb", "");
    RUN("rep movsl 2nd+0", B(0), "", "rep movsl", "");
    RUN("stosl +2", B(0), "lea 2(%%rdi), %%rdi", "stosl", "");
    RUN("rep stosq +1", B(0), "lea 1(%%rdi), %%rdi", "rep stosq", "");
    RUN("rep stosq rcx0 +1", B(0), "lea 1(%%rdi), %%rdi\n\txor %%ecx, %%ecx", "rep stosq", "");
    RUN("rep movsq aligned", B(8), "", "rep movsq", "");
    RUN("rep lodsw +1", B(1), "", "rep lodsw", "");
    RUN("repne scasl +2", B(0), "lea 2(%%rdi), %%rdi", "repne scasl", "");
    RUN("rep stosb +1", B(0), "lea 1(%%rdi), %%rdi", "rep stosb", "");
    RUN("lodsq +4", B(4), "", "lodsq", "");
    RUN("cmpsl +1", B(1), "", "cmpsl", "");
    RUN("scasw +1", B(0), "lea 1(%%rdi), %%rdi", "scasw", "");
    RUN("repe cmpsq +4", B(4), "", "repe cmpsq", "");
    RUN("movsq std +4", B(12), "std\n\tlea 8(%%rdi), %%rdi", "movsq", "");
    /* x87 */
    RUN("fld m32 +2", B(2), "", "flds (%%rsi)", "");
    RUN("fld m64 +4", B(4), "", "fldl (%%rsi)", "");
    RUN("fld m80 +2", B(2), "", "fldt (%%rsi)", "");
    RUN("fld m80 +8", B(8), "", "fldt (%%rsi)", "");
    RUN("fild m16 +1", B(1), "", "filds (%%rsi)", "");
    RUN("fst m64 +4", B(4), "fldz", "fstl (%%rsi)", "");
    RUN("fstp m80 +4", B(4), "fldz", "fstpt (%%rsi)", "");
    RUN("fisttp m64 +4", B(4), "fldz", "fisttpll (%%rsi)", "");
    RUN("fnstcw +1", B(1), "", "fnstcw (%%rsi)", "");
    RUN("fldcw +1", B(1), "fnstcw (%%rdi)\n\tmovw (%%rdi), %%ax\n\tmovw %%ax, (%%rsi)", "fldcw (%%rsi)", "");
    RUN("fnstsw +1", B(1), "", "fnstsw (%%rsi)", "");
    RUN("fnstenv +2", B(2), "", "fnstenv (%%rsi)", "");
    RUN("fnstenv +1", B(1), "", "fnstenv (%%rsi)", "");
    RUN("fnsave +2", B(2), "", "fnsave (%%rsi)", "");
    RUN("fnsave +4", B(4), "", "fnsave (%%rsi)", "");
    RUN("fbld +1", B(1), "", "fbld (%%rsi)", "");
    RUN("fbld +4", B(4), "", "fbld (%%rsi)", "");
    RUN("fbld +8", B(8), "", "fbld (%%rsi)", "");
    RUN("fbstp +2", B(2), "fldz", "fbstp (%%rsi)", "");
    RUN("fstp m80 +8", B(8), "fldz", "fstpt (%%rsi)", "");
    RUN("fstp m80 +2", B(2), "fldz", "fstpt (%%rsi)", "");
    RUN("fldenv +2", B(2), "fnstenv (%%rdi)\n\tmov $28, %%ecx\n\t2: movb -1(%%rdi,%%rcx), %%al\n\tmovb %%al, -1(%%rsi,%%rcx)\n\tloop 2b", "fldenv (%%rsi)", "");
    RUN("frstor +2", B(2), "fnsave (%%rdi)\n\tfrstor (%%rdi)\n\tmov $108, %%ecx\n\t2: movb -1(%%rdi,%%rcx), %%al\n\tmovb %%al, -1(%%rsi,%%rcx)\n\tloop 2b", "frstor (%%rsi)", "");
    RUN("fnstenv +4", B(4), "", "fnstenv (%%rsi)", "");
    RUN("fxsave +8", B(8), "", "fxsave (%%rsi)", "");
    RUN("fxsave +16", B(16), "", "fxsave (%%rsi)", "");
    RUN("xsave +16", B(16), "mov $3, %%eax", "xsave (%%rsi)", "");
    RUN("xsave +64", B(64), "mov $3, %%eax", "xsave (%%rsi)", "");
    /* SSE */
    RUN("movups +1", B(1), "", "movups (%%rsi), %%xmm0", "");
    RUN("movdqu st +1", B(1), "", "movdqu %%xmm0, (%%rsi)", "");
    RUN("lddqu +1", B(1), "", "lddqu (%%rsi), %%xmm0", "");
    RUN("movaps +1", B(1), "", "movaps (%%rsi), %%xmm0", "");
    RUN("movaps +8", B(8), "", "movaps (%%rsi), %%xmm0", "");
    RUN("addps +4", B(4), "", "addps (%%rsi), %%xmm0", "");
    RUN("movss +1", B(1), "", "movss (%%rsi), %%xmm0", "");
    RUN("movss +4", B(4), "", "movss (%%rsi), %%xmm0", "");
    RUN("movsd +4", B(4), "", "movsd (%%rsi), %%xmm0", "");
    RUN("movsd st +4", B(4), "", "movsd %%xmm0, (%%rsi)", "");
    RUN("movd +2", B(2), "", "movd (%%rsi), %%xmm0", "");
    RUN("movq +4", B(4), "", "movq (%%rsi), %%xmm0", "");
    RUN("movhps +4", B(4), "", "movhps (%%rsi), %%xmm0", "");
    RUN("movlpd st +4", B(4), "", "movlpd %%xmm0, (%%rsi)", "");
    RUN("addss +1", B(1), "", "addss (%%rsi), %%xmm0", "");
    RUN("addsd +4", B(4), "", "addsd (%%rsi), %%xmm0", "");
    RUN("cvtsi2sd m64 +4", B(4), "", "cvtsi2sdq (%%rsi), %%xmm0", "");
    RUN("comisd +4", B(4), "", "comisd (%%rsi), %%xmm0", "");
    RUN("pinsrw +1", B(1), "", "pinsrw $1, (%%rsi), %%xmm0", "");
    RUN("pinsrd +2", B(2), "", "pinsrd $1, (%%rsi), %%xmm0", "");
    RUN("pextrd st +2", B(2), "", "pextrd $1, %%xmm0, (%%rsi)", "");
    RUN("pmovzxbw m64 +4", B(4), "", "pmovzxbw (%%rsi), %%xmm0", "");
    RUN("movddup +4", B(4), "", "movddup (%%rsi), %%xmm0", "");
    RUN("cvtps2pd +4", B(4), "", "cvtps2pd (%%rsi), %%xmm0", "");
    RUN("pmovzxbq m16 +1", B(1), "", "pmovzxbq (%%rsi), %%xmm0", "");
    RUN("punpcklbw mm +4", B(4), "", "punpcklbw (%%rsi), %%mm0", "emms");
    RUN("pcmpestri +1", B(1), "", "pcmpestri $0, (%%rsi), %%xmm0", "");
    RUN("ldmxcsr +1", B(1), "stmxcsr (%%rdi)\n\tmovl (%%rdi), %%eax\n\tmovl %%eax, (%%rsi)", "ldmxcsr (%%rsi)", "");
    RUN("stmxcsr +2", B(2), "", "stmxcsr (%%rsi)", "");
    RUN("maskmovdqu +4", B(0), "lea 4(%%rdi), %%rdi\n\tpcmpeqb %%xmm1, %%xmm1", "maskmovdqu %%xmm1, %%xmm0", "");
    RUN("maskmovdqu +8", B(0), "lea 8(%%rdi), %%rdi\n\tpcmpeqb %%xmm1, %%xmm1", "maskmovdqu %%xmm1, %%xmm0", "");
    RUN("maskmovdqu m0 +1", B(0), "lea 1(%%rdi), %%rdi\n\tpxor %%xmm1, %%xmm1", "maskmovdqu %%xmm1, %%xmm0", "");
    RUN("maskmovq +1", B(0), "lea 1(%%rdi), %%rdi\n\tpcmpeqb %%mm1, %%mm1", "maskmovq %%mm1, %%mm0", "emms");
    RUN("vmaskmovdqu +1", B(0), "lea 1(%%rdi), %%rdi\n\tpcmpeqb %%xmm1, %%xmm1", "vmaskmovdqu %%xmm1, %%xmm0", "");
    RUN("maskmovdqu +1", B(0), "lea 1(%%rdi), %%rdi\n\tpcmpeqb %%xmm1, %%xmm1", "maskmovdqu %%xmm1, %%xmm0", "");
    RUN("movq mm +4", B(4), "", "movq (%%rsi), %%mm0", "emms");
    RUN("paddw mm +2", B(2), "", "paddw (%%rsi), %%mm0", "emms");
    /* AVX */
    RUN("vmovups x +1", B(1), "", "vmovups (%%rsi), %%xmm0", "");
    RUN("vmovups y +1", B(1), "", "vmovups (%%rsi), %%ymm0", "");
    RUN("vmovups y st +8", B(8), "", "vmovups %%ymm0, (%%rsi)", "");
    RUN("vmovdqa x +8", B(8), "", "vmovdqa (%%rsi), %%xmm0", "");
    RUN("vaddps y +4", B(4), "", "vaddps (%%rsi), %%ymm0, %%ymm0", "");
    RUN("vaddps x +4", B(4), "", "vaddps (%%rsi), %%xmm0, %%xmm0", "");
    RUN("vmovss +1", B(1), "", "vmovss (%%rsi), %%xmm0", "");
    RUN("vmovsd +4", B(4), "", "vmovsd (%%rsi), %%xmm0", "");
    RUN("vmovsd st +4", B(4), "", "vmovsd %%xmm0, (%%rsi)", "");
    RUN("vaddss +2", B(2), "", "vaddss (%%rsi), %%xmm0, %%xmm0", "");
    RUN("vmovq +4", B(4), "", "vmovq (%%rsi), %%xmm0", "");
    RUN("vmovd +2", B(2), "", "vmovd (%%rsi), %%xmm0", "");
    RUN("vbroadcastss +2", B(2), "", "vbroadcastss (%%rsi), %%ymm0", "");
    RUN("vpbroadcastq +4", B(4), "", "vpbroadcastq (%%rsi), %%ymm0", "");
    RUN("vpbroadcastw +1", B(1), "", "vpbroadcastw (%%rsi), %%xmm0", "");
    RUN("vbroadcasti128 +4", B(4), "", "vbroadcasti128 (%%rsi), %%ymm0", "");
    RUN("vbroadcastsd +4", B(4), "", "vbroadcastsd (%%rsi), %%ymm0", "");
    RUN("vpbroadcastb +1", B(1), "", "vpbroadcastb (%%rsi), %%xmm0", "");
    RUN("vpmovzxbq y m32 +2", B(2), "", "vpmovzxbq (%%rsi), %%ymm0", "");
    RUN("vinsertf128 +4", B(4), "", "vinsertf128 $1, (%%rsi), %%ymm0, %%ymm0", "");
    RUN("vpinsrd +2", B(2), "", "vpinsrd $1, (%%rsi), %%xmm0, %%xmm0", "");
    RUN("vpextrq st +4", B(4), "", "vpextrq $1, %%xmm0, (%%rsi)", "");
    RUN("vpmovzxbw x m64 +4", B(4), "", "vpmovzxbw (%%rsi), %%xmm0", "");
    RUN("vpmovzxbd y m64 +4", B(4), "", "vpmovzxbd (%%rsi), %%ymm0", "");
    RUN("vmaskmovps x +4", B(4), "vpcmpeqd %%xmm1, %%xmm1, %%xmm1", "vmaskmovps (%%rsi), %%xmm1, %%xmm0", "");
    RUN("vcvtph2ps y m128 +4", B(4), "", "vcvtph2ps (%%rsi), %%ymm0", "");
    RUN("vcvtps2ph st m64 +4", B(4), "", "vcvtps2ph $0, %%xmm0, (%%rsi)", "");
    RUN("vpgatherdd x +1", B(1), "vpxor %%xmm1, %%xmm1, %%xmm1\n\tvpcmpeqd %%xmm0, %%xmm0, %%xmm0", "vpgatherdd %%xmm0, (%%rsi,%%xmm1,4), %%xmm2", "");
    RUN("vmaskmovps st x +4", B(4), "vpcmpeqd %%xmm1, %%xmm1, %%xmm1", "vmaskmovps %%xmm0, %%xmm1, (%%rsi)", "");
    RUN("vmovhps +4", B(4), "", "vmovhps (%%rsi), %%xmm0, %%xmm0", "");
    RUN("vaesenc x +4", B(4), "", "vaesenc (%%rsi), %%xmm0, %%xmm0", "");
    RUN("vcvtph2ps m64 +4", B(4), "", "vcvtph2ps (%%rsi), %%xmm0", "");
    RUN("vfmadd231ss +2", B(2), "", "vfmadd231ss (%%rsi), %%xmm0, %%xmm0", "");
    RUN("andn ld32 +1", B(1), "", "andnl (%%rsi), %%eax, %%eax", "");
    /* page faults and #AC */
    RUN("punpcklbw mm m32 edge", (void *)(edge - 4), "", "punpcklbw (%%rsi), %%mm0", "emms");
    RUN("ld32 cross unmapped", (void *)(edge - 2), "", "movl (%%rsi), %%eax", "");
    RUN("ld32 unmapped +1", (void *)(edge + 1), "", "movl (%%rsi), %%eax", "");
    RUN("st32 unmapped +1", (void *)(edge + 1), "", "movl %%eax, (%%rsi)", "");
    RUN("push unmapped +4", (void *)(edge + 12), "mov %%rsi, %%rsp", "pushq %%rax", "");
    RUN("movsq unmapped dst+4", (void *)(edge + 4), "mov %%rsi, %%rdi\n\tlea 64+buf(%%rip), %%rsi", "movsq", "");
    return 0;
}
