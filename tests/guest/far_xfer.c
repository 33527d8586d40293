/* far_xfer.c -- far transfers at CPL 3 in 64-bit mode: ljmp and lcall
 * through m16:32 (and with REX.W), lret, iretq.  To __USER_CS (0x33) they
 * run: lcall pushes cs and the 32-bit return eip.  Any other selector is
 * #GP with the selector (SIGSEGV, SI_KERNEL, trap 13), nothing changed --
 * but for a 32-bit code segment: a far transfer there enters
 * compatibility mode (natively this program's 64-bit stubs then run as
 * 32-bit code and crash), so a selector lar shows to be a code segment
 * without L is reported and not tried.  That is Linux's __USER32_CS (0x23)
 * where the kernel has IA32 emulation (this Intel host; the AMD one
 * measured has none: #GP(0x20)).  The LDT entry is a read-only data
 * segment: #GP wherever the CPU sees the LDT or not.
 * iretq to an LDT stack segment (entries 1-4: writable 32- and 16-bit
 * data, expand-down, not present; and a wrong RPL): the writable ones
 * load (natively here, Linux 6.18 on Intel: no SIGKILL, which the VM
 * oracle of session 16 showed), and ss then stays through an
 * asynchronous signal (the frame holds it, the handler runs with 0x2b,
 * rt_sigreturn brings it back: UC_STRICT_RESTORE_SS) until a system call
 * returns with __USER_DS.  Where the CPU never sees the LDT (a PVM guest
 * kernel: modify_ldt works, the table is never loaded; the Zen 5 host of
 * session 21) each of those is #GP(selector) instead.
 * REX.W makes the far pointer m16:64 on Intel (an 8-byte offset, the
 * selector after it), not on AMD (m16:32 still): the pointer is laid out
 * so that both readings reach a stub -- off32, sel, 0, sel: m16:32 gives
 * off32, m16:64 off32 + (sel << 32), where a second stub page is mapped --
 * and each stub says which it was.  REX.W lcall pushes cs and rip as 8
 * bytes each on both (Zen 5 too, with its m16:32 pointer).  The targets
 * are stubs in a MAP_32BIT page (an m16:32 offset cannot reach a PIE's
 * code); they note rsp and jump back through rbx with the rsp from
 * before. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

struct udesc {
    unsigned entry_number, base_addr, limit;
    unsigned seg_32bit : 1, contents : 2, read_exec_only : 1, limit_in_pages : 1,
        seg_not_present : 1, useable : 1, lm : 1;
};

static sigjmp_buf jb;
static volatile long f_sig, f_trap, f_err, f_code;

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    f_sig = sig, f_code = si->si_code;
    f_trap = uc->uc_mcontext.gregs[REG_TRAPNO];
    f_err = uc->uc_mcontext.gregs[REG_ERR];
    siglongjmp(jb, 1);
}

struct __attribute__((packed)) farptr {
    uint32_t off;
    uint16_t sel;
    uint16_t zero;      /* bits 63:48 of an m16:64 offset */
    uint16_t sel64;     /* an m16:64 pointer's selector */
};

static struct farptr far_to(uint8_t *stub, unsigned sel)
{
    return (struct farptr){ (uint32_t)(uintptr_t)stub, (uint16_t)sel, 0, (uint16_t)sel };
}

static uint8_t *stubs;
/* mov $32, %ecx; mov %rsp, %rdi; mov %rsi, %rsp; jmp *%rbx -- the stub
 * notes where the transfer left rsp (rdi) and puts back the rsp saved in
 * rsi, whatever lcall pushed (the m16:64 page's stub says 64). */
static const uint8_t back[] = { 0xb9, 32, 0, 0, 0, 0x48, 0x89, 0xe7, 0x48, 0x89, 0xf4, 0xff, 0xe3 };

static void fault_line(const char *what, unsigned sel)
{
    printf("%s %#06x: sig %ld trap %ld err %#lx code %#lx\n", what, sel, f_sig, f_trap, f_err,
           f_code);
}

/* lar: the access rights, or -1 when the selector names no usable descriptor. */
static long lar(unsigned sel)
{
    uint64_t ar = 0;
    uint8_t ok;
    __asm__ volatile("lar %2, %0; setz %1" : "+r"(ar), "=q"(ok) : "r"((uint64_t)sel));
    return ok ? (long)ar : -1;
}

/* A code segment (type bit 3, S) without L: compatibility mode. */
static int compat_code(unsigned sel)
{
    long ar = lar(sel);
    return ar >= 0 && (ar & 0x1800) == 0x1800 && !(ar & 0x200000);
}

/* A 64-bit code segment: an m16:64 pointer to it needs the second page. */
static void map_m16_64_stubs(unsigned sel)
{
    long ar = lar(sel);
    if (ar < 0 || (ar & 0x201800) != 0x201800)
        return;
    uint8_t *want = stubs + ((uint64_t)sel << 32);
    uint8_t *hi = mmap(want, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (hi != want) {
        printf("sel %#06x: no page at %p\n", sel, (void *)want);
        return;
    }
    memcpy(hi, back, sizeof back);
    hi[1] = 64;
}

/* Through the far pointer to the stub: the pointer's reading (ecx: 32
 * or 64), the bytes pushed (rsi - rdi), the two quadwords pushed (read
 * before any C code runs below the restored rsp) and the address after
 * the instruction. */
#define FAR_XFER(insn, fp, r)                                                              \
    __asm__ volatile("mov %%rsp, %%rsi; lea 1f(%%rip), %%rbx; mov %%rbx, %[ret]; "          \
                     insn " %[fp]; 1: mov %%rsi, %[pushed]; sub %%rdi, %[pushed]; "         \
                     "mov (%%rdi), %[q0]; mov 8(%%rdi), %[q1]"                              \
                     : "+c"((r).size), [pushed] "=&r"((r).pushed), [q0] "=&r"((r).q0),     \
                       [q1] "=&r"((r).q1), [ret] "=&r"((r).ret)                             \
                     : [fp] "m"(fp)                                                         \
                     : "rbx", "rsi", "rdi", "memory")

struct far_result {
    uint64_t size, pushed, q0, q1, ret;
};

static void try_ljmp(unsigned sel, int rex_w)
{
    struct farptr fp = far_to(stubs, sel);
    struct far_result r = { 0 };
    if (sigsetjmp(jb, 1)) {
        fault_line(rex_w ? "rex.w ljmp" : "ljmp", sel);
        return;
    }
    if (rex_w)
        FAR_XFER("rex.w ljmp *", fp, r);
    else
        FAR_XFER("ljmp *", fp, r);
    printf("%s %#06x: back, rsp %s, m16:%lu\n", rex_w ? "rex.w ljmp" : "ljmp", sel,
           r.pushed == 0 ? "unchanged" : "moved", (unsigned long)r.size);
}

/* lcall pushes cs and the return address: 4 bytes each (the address's
 * low half), 8 with REX.W (Intel's m16:64 and AMD's m16:32 alike). */
static void try_lcall(unsigned sel, int rex_w)
{
    struct farptr fp = far_to(stubs, sel);
    const char *what = rex_w ? "rex.w lcall" : "lcall";
    struct far_result r = { 0 };
    if (sigsetjmp(jb, 1)) {
        fault_line(what, sel);
        return;
    }
    if (rex_w)
        FAR_XFER("rex.w lcall *", fp, r);
    else
        FAR_XFER("lcall *", fp, r);
    int whole = r.pushed == 16;
    uint64_t eip = whole ? r.q0 : (uint32_t)r.q0, cs = whole ? r.q1 : r.q0 >> 32;
    int good = whole ? eip == r.ret : eip == (uint32_t)r.ret;
    printf("%s %#06x: m16:%lu, pushed %lu bytes, cs %#lx, return address %s: %s\n", what, sel,
           (unsigned long)r.size, (unsigned long)r.pushed, (unsigned long)cs,
           whole ? "whole" : "low half", good ? "yes" : "no");
}

static void try_lret(unsigned sel)
{
    if (sigsetjmp(jb, 1)) {
        fault_line("lretq", sel);
        return;
    }
    __asm__ volatile("push %q0; lea 1f(%%rip), %%rax; push %%rax; lretq; 1:"
                     : : "r"((uint64_t)sel) : "rax", "memory");
    printf("lretq %#06x: back\n", sel);
}

static void try_iret(unsigned cs, unsigned ss)
{
    unsigned after = 0;
    if (sigsetjmp(jb, 1)) {
        printf("iretq cs %#06x ss %#06x: sig %ld trap %ld err %#lx code %#lx\n", cs, ss, f_sig,
               f_trap, f_err, f_code);
        return;
    }
    __asm__ volatile("mov %%rsp, %%rcx; push %q1; push %%rcx; pushfq; push %q2; "
                     "lea 1f(%%rip), %%rax; push %%rax; iretq; 1: mov %%ss, %0"
                     : "=r"(after) : "r"((uint64_t)ss), "r"((uint64_t)cs) : "rax", "rcx", "memory");
    printf("iretq cs %#06x ss %#06x: back, ss %#x\n", cs, ss, after);
}

static volatile long alarm_ss = -1, handler_ss = -1;

static void on_alarm(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    unsigned now;
    __asm__ volatile("mov %%ss, %0" : "=r"(now));
    handler_ss = now;
    alarm_ss = (uc->uc_mcontext.gregs[REG_CSGSFS] >> 48) & 0xffff;
    (void)sig, (void)si;
}

/* iretq to ss, then spin until a timer's signal came: the frame's ss, the
 * handler's, the one after rt_sigreturn, and after a system call. */
static void iret_ss_async(unsigned ss)
{
    struct sigaction sa = { .sa_sigaction = on_alarm, .sa_flags = SA_SIGINFO };
    struct itimerval it = { { 0, 0 }, { 0, 20000 } };
    unsigned after = 0, later = 0;
    sigaction(SIGALRM, &sa, NULL);
    alarm_ss = -1;
    if (sigsetjmp(jb, 1)) {     /* a CPU that does not see the LDT: #GP */
        printf("iretq ss %#06x, a signal: sig %ld trap %ld err %#lx code %#lx\n", ss, f_sig,
               f_trap, f_err, f_code);
        return;
    }
    __asm__ volatile("mov %%rsp, %%rcx; push %q1; push %%rcx; pushfq; push $0x33; "
                     "lea 1f(%%rip), %%rax; push %%rax; iretq; 1: mov %%ss, %0"
                     : "=r"(after) : "r"((uint64_t)ss) : "rax", "rcx", "memory");
    setitimer(ITIMER_REAL, &it, NULL);  /* (a system call: ss is 0x2b again) */
    __asm__ volatile("mov %%rsp, %%rcx; push %q1; push %%rcx; pushfq; push $0x33; "
                     "lea 1f(%%rip), %%rax; push %%rax; iretq; 1: mov %%ss, %0"
                     : "=r"(after) : "r"((uint64_t)ss) : "rax", "rcx", "memory");
    while (alarm_ss < 0)
        ;
    __asm__ volatile("mov %%ss, %0" : "=r"(later));
    printf("iretq ss %#06x, a signal: frame ss %#lx, handler ss %#lx, after it %#x", ss,
           alarm_ss, handler_ss, later);
    syscall(SYS_getpid);
    __asm__ volatile("mov %%ss, %0" : "=r"(later));
    printf(", after a system call %#x (right after iretq %#x)\n", later, after);
}

/* LDT stack segments: writable 32- and 16-bit data, expand-down, not
 * present (entries 1-4), loaded by iretq with RPL 3 and 0. */
static void ldt_stacks(void)
{
    static const struct udesc u[] = {
        { .entry_number = 1, .limit = 0xfffff, .seg_32bit = 1, .limit_in_pages = 1 },
        { .entry_number = 2, .limit = 0xffff },
        { .entry_number = 3, .limit = 0, .seg_32bit = 1, .contents = 1, .limit_in_pages = 1 },
        { .entry_number = 4, .limit = 0xfffff, .seg_32bit = 1, .limit_in_pages = 1,
          .seg_not_present = 1 },
    };
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
        printf("modify_ldt %u: %ld\n", u[i].entry_number,
               syscall(SYS_modify_ldt, 0x11, &u[i], sizeof u[i]));
    static const unsigned ss_sels[] = { 0xf, 0x17, 0x1f, 0x27, 0xc, 0x14 };
    for (size_t i = 0; i < sizeof ss_sels / sizeof ss_sels[0]; i++)
        try_iret(0x33, ss_sels[i]);
    iret_ss_async(0xf);
    iret_ss_async(0x17);
}

static volatile int chld_count;

static void on_chld(int sig)
{
    chld_count++;
    (void)sig;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGCHLD, on_chld);   /* none comes: ferry's probes of the host are its own */
    struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_NODEFER };
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    stubs = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    memcpy(stubs, back, sizeof back);
    /* a read-only data segment in the LDT */
    struct udesc u = { .entry_number = 0, .limit = 0xfffff, .seg_32bit = 1, .contents = 0,
                       .read_exec_only = 1, .limit_in_pages = 1 };
    printf("modify_ldt: %ld\n", syscall(SYS_modify_ldt, 0x11, &u, sizeof u));

    static const unsigned sels[] = { 0x33, 0x30, 0x23, 0x2b, 0x7b, 0x7, 0x4, 0x0, 0x3, 0x53, 0xfff7 };
    for (size_t i = 0; i < sizeof sels / sizeof sels[0]; i++) {
        if (compat_code(sels[i])) {
            printf("%#06x: a code segment without L (lar %#lx): compatibility mode, not tried\n",
                   sels[i], lar(sels[i]));
            continue;
        }
        map_m16_64_stubs(sels[i]);
        try_ljmp(sels[i], 0);
        try_ljmp(sels[i], 1);
        try_lcall(sels[i], 0);
        try_lcall(sels[i], 1);
        try_lret(sels[i]);
        try_iret(sels[i], 0x2b);
    }
    static const unsigned ss_sels[] = { 0x2b, 0x28, 0x33, 0x7b, 0x0, 0x3, 0x7, 0xfff7 };
    for (size_t i = 0; i < sizeof ss_sels / sizeof ss_sels[0]; i++)
        try_iret(0x33, ss_sels[i]);
    ldt_stacks();
    printf("SIGCHLD: %d\n", chld_count);
    return 0;
}
