/* ldt_cpu.c -- what the CPU makes of LDT entries in 64-bit mode, at CPL
 * 3: lsl/lar/verr/verw on each kind of descriptor modify_ldt can build
 * and every RPL; loads into ds/es/fs/gs/ss (mov, pop, lfs/lgs/lss) that
 * succeed or raise #GP/#NP/#SS with the selector (SIGSEGV/SIGBUS,
 * SI_KERNEL, trap number, error code); fs/gs using the descriptor's base;
 * ss in a signal frame and back through rt_sigreturn (a bad one there is
 * #GP); what an LDT write does to loaded registers (ds/es become null, an
 * ss that no longer loads is #GP on the way back to user mode, in this
 * thread and in another one); a fork child's copy.
 *
 * The oracle is Linux in a VM (tests/vm/check-vm.sh): this host's CPU
 * never sees the process's LDT.  (iretq to an LDT ss is left out: in the
 * VM the process was SIGKILLed -- not understood, not pinned.)  Built -static -no-pie, so that data
 * addresses fit a 32-bit segment base. */
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

struct udesc {
    unsigned entry_number, base_addr, limit;
    unsigned seg_32bit : 1, contents : 2, read_exec_only : 1, limit_in_pages : 1,
        seg_not_present : 1, useable : 1, lm : 1;
};

static long ldt_write(unsigned idx, unsigned base, unsigned limit, unsigned flags)
{
    struct udesc u = { .entry_number = idx, .base_addr = base, .limit = limit,
                       .seg_32bit = flags & 1, .contents = flags >> 1 & 3,
                       .read_exec_only = flags >> 3 & 1, .limit_in_pages = flags >> 4 & 1,
                       .seg_not_present = flags >> 5 & 1, .useable = flags >> 6 & 1 };
    return syscall(SYS_modify_ldt, 0x11, &u, sizeof u);
}

static long ldt_clear(unsigned idx)
{
    struct udesc u = { .entry_number = idx, .read_exec_only = 1, .seg_not_present = 1 };
    return syscall(SYS_modify_ldt, 0x11, &u, sizeof u);
}

/* flags: seg_32bit 1, contents << 1, read_exec_only 8, limit_in_pages
 * 16, seg_not_present 32, useable 64. */
static const struct { const char *name; unsigned flags, limit; } kinds[] = {
    { "rw data", 0x11, 0xfffff },   { "ro data", 0x19, 0xfffff },
    { "rw expand-down", 0x03, 0x100 }, { "ro expand-down", 0x0b, 0x100 },
    { "readable code", 0x05, 0x10 }, { "exec-only code", 0x0d, 0x10 },
    { "conforming code np", 0x27, 0x10 }, { "rw data np", 0x31, 0xfffff },
    { "16-bit data", 0x00, 0xffff }, { "useable data", 0x51, 0x1234 },
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static uint64_t probe_area[8] = { 0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0x8888 };

static sigjmp_buf jb;
static volatile long f_sig, f_trap, f_err, f_code, f_ss;

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    f_sig = sig;
    f_code = si->si_code;
    f_trap = uc->uc_mcontext.gregs[REG_TRAPNO];
    f_err = uc->uc_mcontext.gregs[REG_ERR];
    f_ss = (uint64_t)uc->uc_mcontext.gregs[REG_CSGSFS] >> 48;
    siglongjmp(jb, 1);
}

static void print_fault(void)
{
    printf("sig %ld trap %ld err %#lx code %#lx frame ss %#lx", f_sig, f_trap, f_err, f_code, f_ss);
}

static unsigned read_ss(void)
{
    unsigned v;
    __asm__ volatile("mov %%ss, %0" : "=r"(v));
    return v;
}

static void queries(unsigned sel)
{
    unsigned lim = 0x5a5a5a5a, ar = 0x5a5a5a5a;
    unsigned char zl, za, zr, zw;
    __asm__("lsl %2, %0; setz %1" : "+r"(lim), "=q"(zl) : "r"(sel) : "cc");
    __asm__("lar %2, %0; setz %1" : "+r"(ar), "=q"(za) : "r"(sel) : "cc");
    __asm__("verr %w1; setz %0" : "=q"(zr) : "r"(sel) : "cc");
    __asm__("verw %w1; setz %0" : "=q"(zw) : "r"(sel) : "cc");
    /* lar's bits 19:16 are undefined (the limit on AMD, 0 on Intel) */
    printf("  %#06x lsl %d %#x lar %d %#x verr %d verw %d\n", sel, zl, lim, za,
           za ? ar & ~0xf0000u : ar, zr, zw);
}

#define TRY(label, body)                                   \
    do {                                                   \
        printf("  %-26s", label);                          \
        if (!sigsetjmp(jb, 1)) {                           \
            body;                                          \
        } else {                                           \
            print_fault();                                 \
            printf("\n");                                  \
        }                                                  \
    } while (0)

/* Loads of one selector into each register, each read back (and gs and
 * fs through their base), the register put back after. */
static void loads(unsigned sel)
{
    unsigned v;
    uint64_t got;
    TRY("mov es", ({ __asm__ volatile("mov %w1, %%es; mov %%es, %0; mov %w2, %%es"
                                      : "=&r"(v) : "r"(sel), "r"(0)); printf("-> %#x\n", v); }));
    TRY("mov ds", ({ __asm__ volatile("mov %w1, %%ds; mov %%ds, %0; mov %w2, %%ds"
                                      : "=&r"(v) : "r"(sel), "r"(0)); printf("-> %#x\n", v); }));
    TRY("mov gs, gs:8", ({ __asm__ volatile("mov %w2, %%gs; mov %%gs, %0; mov %%gs:8, %1; mov %w3, %%gs"
                                            : "=&r"(v), "=&r"(got) : "r"(sel), "r"(0) : "memory");
                           printf("-> %#x %#llx\n", v, (unsigned long long)got); }));
    TRY("pop gs", ({ __asm__ volatile("push %q1; pop %%gs; mov %%gs, %0; mov %w2, %%gs"
                                      : "=&r"(v) : "r"((uint64_t)sel), "r"(0) : "memory");
                     printf("-> %#x\n", v); }));
    TRY("lgs", ({ struct __attribute__((packed)) { uint32_t off; uint16_t sel; } fp = { 0x1234, (uint16_t)sel };
                  unsigned off = 0;
                  __asm__ volatile("lgs %2, %1; mov %%gs, %0; mov %w3, %%gs"
                                   : "=&r"(v), "=&r"(off) : "m"(fp), "r"(0) : "memory");
                  printf("-> %#x off %#x\n", v, off); }));
    TRY("mov fs, fs:16", ({ uint64_t save;
                            __asm__ volatile("rdfsbase %2; mov %w3, %%fs; mov %%fs, %0; mov %%fs:16, %1; "
                                             "mov %w4, %%fs; wrfsbase %2"
                                             : "=&r"(v), "=&r"(got), "=&r"(save) : "r"(sel), "r"(0) : "memory");
                            printf("-> %#x %#llx\n", v, (unsigned long long)got); }));
    TRY("mov ss", ({ __asm__ volatile("mov %w1, %%ss; mov %%ss, %0; mov %w2, %%ss"
                                      : "=&r"(v) : "r"(sel), "r"(0x2b)); printf("-> %#x\n", v); }));
    TRY("lss", ({ struct __attribute__((packed)) { uint32_t off; uint16_t sel; } fp = { 0, (uint16_t)sel };
                  uint64_t sp;
                  __asm__ volatile("mov %%rsp, %%rcx; lss %2, %%esp; mov %%ss, %0; mov %%rcx, %%rsp; mov %w3, %%ss; mov %%rcx, %1"
                                   : "=&r"(v), "=&r"(sp) : "m"(fp), "r"(0x2b) : "rcx", "memory");
                  printf("-> %#x\n", v); }));
}

static volatile int sig_seen;
static volatile unsigned handler_ss, frame_ss;

static void on_usr1(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    (void)sig, (void)si;
    handler_ss = read_ss();
    frame_ss = (uint64_t)uc->uc_mcontext.gregs[REG_CSGSFS] >> 48;
    sig_seen = 1;
}

static volatile unsigned new_frame_ss;
static volatile uint64_t new_flags;

static void on_usr2(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    (void)sig, (void)si;
    uint64_t g = (uint64_t)uc->uc_mcontext.gregs[REG_CSGSFS];
    uc->uc_mcontext.gregs[REG_CSGSFS] = (greg_t)((g & 0xffffffffffffull) | (uint64_t)new_frame_ss << 48);
    uc->uc_flags = new_flags;
}

/* ss in the frame: a signal while ss holds an LDT selector, and
 * rt_sigreturn to one (valid or not, strict or not). */
static void frames(unsigned good, unsigned bad)
{
    unsigned after = 0;
    TRY("signal with ldt ss", ({ __asm__ volatile("mov %w0, %%ss" : : "r"(good));
                                  raise(SIGUSR1);
                                  after = read_ss();
                                  __asm__ volatile("mov %w0, %%ss" : : "r"(0x2b));
                                  printf("handler ss %#x frame ss %#x after %#x\n", handler_ss, frame_ss, after); }));
    unsigned targets[] = { good, bad, 0 };
    uint64_t flags[] = { 7, 3 };
    for (unsigned i = 0; i < 3; i++)
        for (unsigned j = 0; j < 2; j++) {
            char label[48];
            snprintf(label, sizeof label, "sigreturn to ss %#x flags %llu", targets[i], (unsigned long long)flags[j]);
            new_frame_ss = targets[i], new_flags = flags[j];
            TRY(label, ({ raise(SIGUSR2); after = read_ss();
                          __asm__ volatile("mov %w0, %%ss" : : "r"(0x2b));
                          printf("-> ss %#x\n", after); }));
            __asm__ volatile("mov %w0, %%ss" : : "r"(0x2b));
        }
}

/* A write to the LDT reloads ds/es (null if they no longer load); an ss
 * that no longer loads faults on the return from the call. */
static void invalidation(unsigned idx)
{
    unsigned sel = idx << 3 | 7, d = 0, e = 0;
    long r = -1;
    ldt_write(idx, 0, 0xfffff, 0x11);
    __asm__ volatile("mov %w0, %%ds; mov %w0, %%es" : : "r"(sel));
    ldt_write(idx, 0x1000, 0xfffff, 0x19);      /* still loads: kept */
    __asm__ volatile("mov %%ds, %0; mov %%es, %1" : "=r"(d), "=r"(e));
    printf("  rewritten: ds %#x es %#x\n", d, e);
    ldt_clear(idx);
    __asm__ volatile("mov %%ds, %0; mov %%es, %1" : "=r"(d), "=r"(e));
    printf("  cleared: ds %#x es %#x\n", d, e);
    ldt_write(idx, 0, 0xfffff, 0x11);
    TRY("ss, entry cleared", ({ __asm__ volatile("mov %w0, %%ss" : : "r"(sel));
                                r = ldt_clear(idx);
                                printf("no fault, ret %ld\n", r); }));
    printf("  ss now %#x\n", read_ss());
    __asm__ volatile("mov %w0, %%ss" : : "r"(0x2b));
}

static volatile int go;

static void *clearer(void *arg)
{
    while (!go)
        ;
    ldt_clear((unsigned)(uintptr_t)arg);
    go = 2;
    return NULL;
}

static void other_thread(unsigned idx)
{
    unsigned sel = idx << 3 | 7;
    pthread_t t;
    ldt_write(idx, 0, 0xfffff, 0x11);
    pthread_create(&t, NULL, clearer, (void *)(uintptr_t)idx);
    TRY("ss, cleared by a thread", ({ __asm__ volatile("mov %w0, %%ss" : : "r"(sel));
                                      go = 1;
                                      while (go != 2)
                                          ;
                                      printf("no fault\n"); }));
    pthread_join(t, NULL);
    __asm__ volatile("mov %w0, %%ss" : : "r"(0x2b));
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_NODEFER };
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sa.sa_sigaction = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_sigaction = on_usr2;
    sigaction(SIGUSR2, &sa, NULL);

    unsigned base = (unsigned)(uintptr_t)probe_area;
    for (unsigned k = 0; k < NKINDS; k++) {
        long r = ldt_write(k, base, kinds[k].limit, kinds[k].flags);
        printf("%s: entry %u write %ld\n", kinds[k].name, k, r);
        for (unsigned rpl = 0; rpl < 4; rpl++)
            queries(k << 3 | 4 | rpl);
        loads(k << 3 | 7);
        loads(k << 3 | 4);
    }
    printf("past the end:\n");
    queries(NKINDS << 3 | 7);
    loads(NKINDS << 3 | 7);
    printf("cleared entry:\n");
    ldt_clear(1);
    queries(1 << 3 | 7);
    loads(1 << 3 | 7);

    printf("frames:\n");
    frames(0 << 3 | 7, 1 << 3 | 7);
    printf("invalidation:\n");
    invalidation(20);
    other_thread(21);

    pid_t pid = fork();
    if (pid == 0) {
        printf("fork child:\n");
        queries(0 << 3 | 7);
        loads(0 << 3 | 7);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("child status %d\n", st);
    return 0;
}
