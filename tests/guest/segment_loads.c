/* segment_loads.c -- mov and pop into ds, es, fs, gs and ss at CPL 3, and
 * reading them back.  Linux's GDT gives user space __USER_DS (0x2b),
 * __USER_CS (0x33) and the cpu/node segment (0x7b); ds/es/fs/gs also take
 * the null selector (0-3), ss only 0x2b.  Anything else is #GP with the
 * selector as error code (SIGSEGV, SI_KERNEL), nothing changed.  A load
 * into fs/gs sets the base to the descriptor's (0), as does a null one;
 * arch_prctl(ARCH_SET_GS) loads the null selector; a signal handler, a
 * thread and a fork child see the selector that was loaded.  REX.R on
 * these moves is ignored (capstone cannot decode it: an alias). */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile long fault_err, fault_trap, fault_code;

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    (void)sig;
    fault_err = uc->uc_mcontext.gregs[REG_ERR];
    fault_trap = uc->uc_mcontext.gregs[REG_TRAPNO];
    fault_code = si->si_code;
    siglongjmp(env, 1);
}

static void report(const char *what, unsigned sel, int faulted, unsigned back)
{
    if (faulted)
        printf("%s <- %#06x: #GP trap %ld err %#lx code %#lx\n", what, sel, fault_trap,
               fault_err, fault_code);
    else
        printf("%s <- %#06x: reads %#06x\n", what, sel, back);
}

/* Each load and its read-back in one asm statement, so that nothing
 * between them can touch the register. */
#define LOAD_READ(seg, sel, out) \
    __asm__ volatile("mov %w1, %%" seg "\n\tmov %%" seg ", %k0" : "=r"(out) : "r"(sel) : "memory")

static void try_data(const char *seg, unsigned sel)
{
    unsigned back = 0;
    int faulted = sigsetjmp(env, 1);
    /* Natively, an interrupt between the load and the read-back turns a
     * null selector with RPL 1-3 into 0 (the kernel's context switch), so
     * a few tries stand for the undisturbed reading (here and in try_fs,
     * try_gs); a wrong translation reads the same wrong value every time. */
    for (int tries = 0; !faulted && tries < 8 && (tries == 0 || back != sel); tries++) {
        if (!strcmp(seg, "ds")) LOAD_READ("ds", sel, back);
        else if (!strcmp(seg, "es")) LOAD_READ("es", sel, back);
        else LOAD_READ("ss", sel, back);
    }
    report(seg, sel, faulted, back);
}

/* fs holds glibc's TLS base: the null selector and the base are put back
 * before any call. */
static void try_fs(unsigned sel)
{
    uint64_t saved, base = 0x5a5a;
    unsigned back = 0;
    __asm__ volatile("rdfsbase %0" : "=r"(saved));
    int faulted = sigsetjmp(env, 1);
    for (int tries = 0; !faulted && tries < 8 && (tries == 0 || back != sel); tries++)
        __asm__ volatile("mov %w2, %%fs\n\tmov %%fs, %k0\n\trdfsbase %1\n\t"
                         "mov %w4, %%fs\n\twrfsbase %3"
                         : "=&r"(back), "=&r"(base) : "r"(sel), "r"(saved), "r"(0) : "memory");
    report("fs", sel, faulted, back);
    if (!faulted)
        printf("   fs base after: %#llx\n", (unsigned long long)base);
}

static void try_gs(unsigned sel)
{
    uint64_t base = 0;
    unsigned back = 0;
    syscall(SYS_arch_prctl, ARCH_SET_GS, 0x7000beefUL);
    int faulted = sigsetjmp(env, 1);
    for (int tries = 0; !faulted && tries < 8 && (tries == 0 || back != sel); tries++)
        __asm__ volatile("mov %w2, %%gs\n\tmov %%gs, %k0\n\trdgsbase %1"
                         : "=&r"(back), "=&r"(base) : "r"(sel) : "memory");
    report("gs", sel, faulted, back);
    /* (not arch_prctl(ARCH_GET_GS): after a null load Linux answers the
     * old base or 0 depending on whether the thread was switched out) */
    printf("   gs base after: %#llx\n", (unsigned long long)base);
}

static unsigned read_gs(void)
{
    unsigned v;
    __asm__ volatile("mov %%gs, %k0" : "=r"(v));
    return v;
}

static void *thread_main(void *arg)
{
    (void)arg;
    printf("thread sees gs %#x\n", read_gs());
    return NULL;
}

static void on_usr1(int sig) { (void)sig; printf("handler sees gs %#x\n", read_gs()); }

int main(void)
{
    static const unsigned sels[] = { 0, 1, 3, 0x2b, 0x28, 0x33, 0x7b, 0x23, 0x10, 0x63,
                                     0x07, 0x2f, 0xfff8 };
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("initial: cs %#x ss %#x ds %#x es %#x gs %#x\n",
           ({ unsigned v; __asm__("mov %%cs, %k0" : "=r"(v)); v; }),
           ({ unsigned v; __asm__("mov %%ss, %k0" : "=r"(v)); v; }),
           ({ unsigned v; __asm__("mov %%ds, %k0" : "=r"(v)); v; }),
           ({ unsigned v; __asm__("mov %%es, %k0" : "=r"(v)); v; }), read_gs());
    for (size_t i = 0; i < sizeof sels / sizeof sels[0]; i++) {
        try_data("ds", sels[i]);
        try_data("es", sels[i]);
        try_data("ss", sels[i]);
        try_fs(sels[i]);
        try_gs(sels[i]);
    }
    /* REX forms: REX.R is ignored (44 8e d8 loads ds, as 8e d8), REX.W
     * moves a 64-bit register's low 16 bits in and zero-extends out. */
    unsigned long wide = ~0ul, rex_r = ~0ul;
    __asm__ volatile(".byte 0x44, 0x8e, 0xd8\n\t"      /* mov ds, eax (REX.R) */
                     ".byte 0x4c, 0x8c, 0xd9\n\t"      /* mov rcx, ds (REX.W, REX.R) */
                     ".byte 0x48, 0x8e, 0xc0\n\t"      /* mov es, rax (REX.W) */
                     ".byte 0x48, 0x8c, 0xc2"            /* mov rdx, es (REX.W) */
                     : "=c"(rex_r), "=d"(wide) : "a"(0xffffffff0000002bul), "c"(~0ul), "d"(~0ul)
                     : "memory");
    printf("REX.R ds: %#lx, REX.W es: %#lx\n", rex_r, wide);
    /* pop gs: the selector's slot, then the checks of a mov */
    unsigned popped;
    __asm__ volatile("pushq $0x2b\n\tpopq %%gs\n\tmov %%gs, %k0" : "=r"(popped) :: "memory");
    printf("pop gs 0x2b: reads %#x\n", popped);
    syscall(SYS_arch_prctl, ARCH_SET_GS, 0x1000UL);
    printf("after ARCH_SET_GS: gs %#x\n", read_gs());
    __asm__ volatile("mov %w0, %%gs" :: "r"(0x2b));
    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);
    printf("after the handler: gs %#x\n", read_gs());
    pthread_t t;
    pthread_create(&t, NULL, thread_main, NULL);
    pthread_join(t, NULL);
    pid_t pid = fork();
    if (pid == 0) {
        printf("child sees gs %#x\n", read_gs());
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    return 0;
}
