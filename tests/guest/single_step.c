/* single_step.c -- TF single-stepping as Linux delivers it: a program that
 * sets TF (popf, iretq, or the eflags of a signal context it returns to)
 * gets SIGTRAP after each instruction: si_code TRAP_TRACE, si_addr and
 * REG_RIP the next instruction, REG_TRAPNO 1, REG_ERR 0, TF set in the
 * context and clear in the handler.  Covered: plain instructions, taken
 * and not-taken branches, loop, call/ret, an indirect jump, syscall (no
 * trap of its own), popf clearing TF (a trap after it), rep strings (a
 * trap per iteration, none skipped with rcx = 0, repe/repne stopping
 * early, the 0x67 form, DF = 1), int3/ud2/a page fault while stepping
 * (their own signal, no trace trap), TF set by a handler in the context
 * of a fault and by iretq, ldmxcsr while stepping, mov to ss (no trap
 * until after the next instruction), and a process without a SIGTRAP
 * handler (killed by SIGTRAP).  (Not cpuid: under a hypervisor that
 * emulates it, as on the machine where this was written, its trap is
 * lost natively.)  Pcs are printed relative to
 * the start of each sequence. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#define TF 0x100
#define SET_TF "pushfq\n\torq $0x100, (%rsp)\n\tpopfq\n"
#define CLEAR_TF "pushfq\n\tandq $~0x100, (%rsp)\n\tpopfq\n"

char ss_src[16] = "abcdefghijklmno", ss_dst[16], ss_cmp[16] = "abXdefghijklmno";

/* Each sequence: its start label, TF set right before it (the first
 * trap follows its first instruction), TF cleared at its end. */
__asm__(".text\n"
        /* straight-line code, branches, calls, syscall */
        "ss_plain: push %rbx\n\t" SET_TF
        "ss_plain_start: nop\n\tmov $1, %eax\n\tadd %eax, %eax\n\tlea 8(%rax,%rax,2), %rbx\n\t"
        "xchg %rax, %rbx\n\tcmp $14, %eax\n\tje 1f\n\tud2\n"
        "1: cmp $0, %eax\n\tje 2f\n\tmov $2, %ecx\n"
        "3: loop 3b\n\tcall 4f\n\tjmp 5f\n"
        "4: ret\n"
        "5: lea 6f(%rip), %rax\n\tjmp *%rax\n\tud2\n"
        "6: pushfq\n\tpop %rax\n\tmov %rax, ss_pushed(%rip)\n\t"
        "mov $39, %eax\n\tsyscall\n\tnop\n\tmov $0, %eax\n\tnop\n"
        "2: " CLEAR_TF "\tnop\n\tpop %rbx\n\tret\n"
        /* rep strings */
        "ss_rep: push %rsi\n\tpush %rdi\n\tcld\n\t" SET_TF
        "ss_rep_start: lea ss_src(%rip), %rsi\n\tlea ss_dst(%rip), %rdi\n\tmov $3, %ecx\n\t"
        "rep movsb\n\txor %ecx, %ecx\n\trep movsb\n\t"
        "lea ss_src(%rip), %rsi\n\tlea ss_cmp(%rip), %rdi\n\tmov $5, %ecx\n\trepe cmpsb\n\t"
        "lea ss_src(%rip), %rdi\n\tmov $'b', %al\n\tmov $6, %ecx\n\trepne scasb\n\t"
        "mov ss_low(%rip), %rdi\n\tmov $2, %ecx\n\t.byte 0x67\n\trep stosb\n\t"
        "movabs $0xdead00000000, %rcx\n\t.byte 0x67\n\trep movsb\n\t"
        "std\n\tlea ss_src+9(%rip), %rsi\n\tlea ss_dst+9(%rip), %rdi\n\tmov $2, %ecx\n\t"
        "rep movsb\n\tcld\n\t"
        CLEAR_TF "\tpop %rdi\n\tpop %rsi\n\tret\n"
        /* int3, ud2 and a page fault while stepping */
        "ss_sig: push %rbx\n\t" SET_TF
        "ss_sig_start: nop\n\tint3\n\tnop\n\tud2\n\tnop\n\txor %eax, %eax\n\t"
        "ss_sig_load: mov (%rax), %rbx\n\tnop\n\t"
        CLEAR_TF "\tpop %rbx\n\tret\n"
        /* TF set by the SIGSEGV handler in the context it returns to */
        "ss_ctx: push %rbx\n"
        "ss_ctx_start: xor %eax, %eax\n\t"
        "ss_ctx_load: mov (%rax), %rbx\n\tnop\n\tmov $3, %eax\n\t"
        CLEAR_TF "\tnop\n\tpop %rbx\n\tret\n"
        /* TF set by iretq */
        "ss_iret: mov %rsp, %rax\n\tpush $0x2b\n\tpush %rax\n\tpushfq\n\torq $0x100, (%rsp)\n\t"
        "push $0x33\n\tlea ss_iret_start(%rip), %rax\n\tpush %rax\n\tiretq\n"
        "ss_iret_start: nop\n\tmov $1, %eax\n\t" CLEAR_TF "\tret\n"
        /* ldmxcsr while stepping (it may change the translation mode) */
        "ss_mxcsr: sub $8, %rsp\n\tstmxcsr (%rsp)\n\t" SET_TF
        "ss_mxcsr_start: andl $~0x200, (%rsp)\n\tldmxcsr (%rsp)\n\tnop\n\t"
        "orl $0x200, (%rsp)\n\tldmxcsr (%rsp)\n\tnop\n\t" CLEAR_TF "\tadd $8, %rsp\n\tret\n"
        /* mov to ss: the trap waits for the next instruction */
        "ss_movss: " SET_TF "ss_movss_start: nop\n\tmov %ss, %eax\n\tmov %eax, %ss\n\tnop\n\tnop\n\t"
        CLEAR_TF "\tret\n"
        /* no handler */
        "ss_die: " SET_TF "\tnop\n\tnop\n\t" CLEAR_TF "\tret\n");

extern char ss_plain[], ss_plain_start[], ss_rep[], ss_rep_start[], ss_sig[], ss_sig_start[],
    ss_sig_load[], ss_ctx[], ss_ctx_start[], ss_ctx_load[], ss_iret[], ss_iret_start[],
    ss_mxcsr[], ss_mxcsr_start[], ss_movss[], ss_movss_start[], ss_die[];
uint64_t ss_pushed, ss_low;         /* ss_low: a MAP_32BIT page, for the 0x67 form */

#define MAX_EVENTS 96
static struct event {
    int sig, code, handler_tf;
    uint64_t addr, rip, trapno, err, ctx_tf, rcx;
} events[MAX_EVENTS];
static volatile int n_events;

static uint64_t handler_flags(void)
{
    uint64_t f;
    __asm__ volatile("pushfq\n\tpop %0" : "=r"(f));
    return f;
}

static void record(int sig, const siginfo_t *si, const greg_t *g)
{
    int i = n_events++;
    if (i >= MAX_EVENTS) return;
    events[i] = (struct event){ sig, si->si_code, (handler_flags() & TF) != 0,
                                (uint64_t)si->si_addr, (uint64_t)g[REG_RIP],
                                (uint64_t)g[REG_TRAPNO], (uint64_t)g[REG_ERR],
                                (uint64_t)g[REG_EFL] & TF, (uint64_t)g[REG_RCX] };
}

static void on_trap(int sig, siginfo_t *si, void *ctx)
{
    record(sig, si, ((ucontext_t *)ctx)->uc_mcontext.gregs);
}

/* ud2 and the load: record, then go on after the instruction (2 and 3
 * bytes); at ss_ctx_load also set TF in the context returned to. */
static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    record(sig, si, g);
    g[REG_RIP] += sig == SIGILL ? 2 : 3;
    if ((char *)g[REG_RIP] - 3 == ss_ctx_load) g[REG_EFL] |= TF;
}

/* rcx only where the sequence sets it (elsewhere it may hold an address). */
static void report(const char *name, const char *base, int show_rcx)
{
    printf("%s: %d events\n", name, n_events);
    for (int i = 0; i < n_events && i < MAX_EVENTS; i++) {
        const struct event *e = &events[i];
        long addr = e->addr ? (long)(e->addr - (uint64_t)base) : -1;
        printf("  sig %d code %d addr %+ld rip %+ld trapno %lu err %lu ctxTF %d handlerTF %d",
               e->sig, e->code, addr, (long)(e->rip - (uint64_t)base), (unsigned long)e->trapno,
               (unsigned long)e->err, e->ctx_tf != 0, e->handler_tf);
        if (show_rcx) printf(" rcx %lu", (unsigned long)e->rcx);
        printf("\n");
    }
    n_events = 0;
}

static void handle(int sig, void (*fn)(int, siginfo_t *, void *))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO;
    sigaction(sig, &sa, NULL);
}

/* Without a handler the first trap kills the process with SIGTRAP. */
static void die_without_handler(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit no_core = { 0, 0 };
        setrlimit(RLIMIT_CORE, &no_core);
        signal(SIGTRAP, SIG_DFL);
        ((void (*)(void))ss_die)();
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("no handler: %s %d\n", WIFSIGNALED(status) ? "signal" : "exit",
           WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}

int main(void)
{
    handle(SIGTRAP, on_trap);
    handle(SIGILL, on_fault);
    handle(SIGSEGV, on_fault);
    void *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (low == MAP_FAILED) return 1;
    ss_low = (uint64_t)low;
    ((void (*)(void))ss_plain)();
    report("plain", ss_plain_start, 0);
    printf("pushf saw TF %d, TF now %d\n", (ss_pushed & TF) != 0, (handler_flags() & TF) != 0);
    ((void (*)(void))ss_rep)();
    report("rep", ss_rep_start, 1);
    printf("dst %.10s low %.2s\n", ss_dst, (char *)low);
    ((void (*)(void))ss_sig)();
    report("signals", ss_sig_start, 0);
    ((void (*)(void))ss_ctx)();
    report("context", ss_ctx_start, 0);
    ((void (*)(void))ss_iret)();
    report("iretq", ss_iret_start, 0);
    ((void (*)(void))ss_mxcsr)();
    report("ldmxcsr", ss_mxcsr_start, 0);
    ((void (*)(void))ss_movss)();
    report("mov ss", ss_movss_start, 0);
    die_without_handler();
    return 0;
}
