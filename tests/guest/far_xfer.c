/* far_xfer.c -- far transfers at CPL 3 in 64-bit mode: ljmp and lcall
 * through m16:32, lret, iretq.  To __USER_CS (0x33) they run: lcall
 * pushes cs and the 32-bit return eip.  Any other selector is #GP with
 * the selector (SIGSEGV, SI_KERNEL, trap 13), nothing changed: this
 * host's Linux runs without ia32 emulation, so its GDT has no 32-bit
 * code segment (0x23), and an LDT code segment (Linux allows no 64-bit
 * one) is compatibility mode too, which ferry does not model -- it
 * answers as this host does.  The targets are stubs in a MAP_32BIT page
 * (an m16:32 offset cannot reach a PIE's code); they jump back through
 * rbx. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
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
};

static uint8_t *stubs;
/* jmp *%rbx */
static const uint8_t back[] = { 0xff, 0xe3 };
/* mov (%rsp),%eax; mov 4(%rsp),%edx; add $8,%rsp; jmp *%rbx */
static const uint8_t take_frame[] = { 0x8b, 0x04, 0x24, 0x8b, 0x54, 0x24, 0x04,
                                      0x48, 0x83, 0xc4, 0x08, 0xff, 0xe3 };

static void fault_line(const char *what, unsigned sel)
{
    printf("%s %#06x: sig %ld trap %ld err %#lx code %#lx\n", what, sel, f_sig, f_trap, f_err,
           f_code);
}

static void try_ljmp(unsigned sel, int rex_w)
{
    struct farptr fp = { (uint32_t)(uintptr_t)stubs, (uint16_t)sel };
    uint64_t sp0, sp1;
    if (sigsetjmp(jb, 1)) {
        fault_line(rex_w ? "rex.w ljmp" : "ljmp", sel);
        return;
    }
    if (rex_w)
        __asm__ volatile("mov %%rsp, %0; lea 1f(%%rip), %%rbx; rex.w ljmp *%2; 1: mov %%rsp, %1"
                         : "=&r"(sp0), "=&r"(sp1) : "m"(fp) : "rbx", "memory");
    else
        __asm__ volatile("mov %%rsp, %0; lea 1f(%%rip), %%rbx; ljmp *%2; 1: mov %%rsp, %1"
                         : "=&r"(sp0), "=&r"(sp1) : "m"(fp) : "rbx", "memory");
    printf("%s %#06x: back, rsp %s\n", rex_w ? "rex.w ljmp" : "ljmp", sel,
           sp0 == sp1 ? "unchanged" : "moved");
}

static void try_lcall(unsigned sel)
{
    struct farptr fp = { (uint32_t)(uintptr_t)(stubs + 16), (uint16_t)sel };
    uint64_t ret, eip = 0, cs = 0;
    if (sigsetjmp(jb, 1)) {
        fault_line("lcall", sel);
        return;
    }
    __asm__ volatile("lea 2f(%%rip), %%rbx; lea 1f(%%rip), %2; lcall *%3; 1: 2:"
                     : "+a"(eip), "+d"(cs), "=&r"(ret) : "m"(fp) : "rbx", "memory");
    printf("lcall %#06x: pushed cs %#lx, eip = low half of the return address: %s\n", sel,
           (unsigned long)cs, eip == (uint32_t)ret ? "yes" : "no");
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

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_NODEFER };
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    stubs = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    memcpy(stubs, back, sizeof back);
    memcpy(stubs + 16, take_frame, sizeof take_frame);
    /* a 32-bit code segment in the LDT: compatibility mode */
    struct udesc u = { .entry_number = 0, .limit = 0xfffff, .seg_32bit = 1, .contents = 2,
                       .limit_in_pages = 1 };
    printf("modify_ldt: %ld\n", syscall(SYS_modify_ldt, 0x11, &u, sizeof u));

    static const unsigned sels[] = { 0x33, 0x30, 0x23, 0x2b, 0x7b, 0x7, 0x4, 0x0, 0x3, 0x53, 0xfff7 };
    for (size_t i = 0; i < sizeof sels / sizeof sels[0]; i++) {
        try_ljmp(sels[i], 0);
        try_ljmp(sels[i], 1);
        try_lcall(sels[i]);
        try_lret(sels[i]);
        try_iret(sels[i], 0x2b);
    }
    static const unsigned ss_sels[] = { 0x2b, 0x28, 0x33, 0x7b, 0x0, 0x3, 0x7, 0xfff7 };
    for (size_t i = 0; i < sizeof ss_sels / sizeof ss_sels[0]; i++)
        try_iret(0x33, ss_sels[i]);
    return 0;
}
