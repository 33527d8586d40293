/* compat_vsyscall.c -- the 32-bit vDSO's system call gate and sysenter,
 * as Linux with IA32 emulation runs them in a 64-bit process: after
 * ARCH_MAP_VDSO_32, 32-bit code calls __kernel_vsyscall (getpid, write,
 * an unknown number, a 6-argument mmap2 whose page offset comes from ebp)
 * and the program prints the results and which registers keep what the
 * 64-bit side loaded (Linux's gate enters by sysenter on Intel, syscall
 * on AMD: the fast entries return with r8-r15 zero, r11 the flags; int
 * $0x80 keeps them).  Then a bare sysenter from ordinary 32-bit code:
 * with the 32-bit image mapped it returns through the image's landing pad
 * (which pops ebp, edx, ecx and returns: the code builds that frame);
 * with only the 64-bit vDSO mapped, or none, Linux lands at the same
 * offset from the 64-bit image's base (truncated to 32 bits): a fault
 * whose address moves every run, so only its relation to the mapping is
 * printed.  The code is a position-independent blob copied to a
 * MAP_32BIT page.  Without IA32 emulation the first transfer is #GP and
 * the program says so, natively as under ferry. */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <elf.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#define D_SAVE_RSP 0x1000
#define D_IN 0x1100             /* rax rcx rdx rbx rsp rbp rsi rdi r8..r15, rflags */
#define STACK_TOP 0x3000
#define S_ENTRY (STACK_TOP - 16)  /* u32: what in32 calls */
#define S_BACK (STACK_TOP - 8)    /* m16:32 of back64 */
#define S(x) #x
#define XS(x) S(x)

__asm__(
    ".pushsection .text\n"
    ".globl vs_blob_start, vs_blob_end, vs_go64, vs_back64, vs_bare, vs_badbp, vs_sysenter64\n"
    "vs_blob_start:\n"
    ".code64\n"
    "vs_go64:\n"                /* rdi = the page */
    "  push %rbp; push %rbx; push %r12; push %r13; push %r14; push %r15\n"
    "  mov %rsp, " XS(D_SAVE_RSP) "(%rdi)\n"
    "  mov $0x2b, %eax; mov %eax, %ds; mov %eax, %es\n"
    "  lea " XS(S_ENTRY) "(%rdi), %rsp\n"
    "  pushq $0x23; lea vs_in32(%rip), %rax; push %rax\n"
    "  push " XS(D_IN) "+128(%rdi); popfq\n"
    "  mov %rdi, %rax\n"
    "  mov " XS(D_IN) "+8(%rax), %rcx\n"
    "  mov " XS(D_IN) "+16(%rax), %rdx\n"
    "  mov " XS(D_IN) "+24(%rax), %rbx\n"
    "  mov " XS(D_IN) "+40(%rax), %rbp\n"
    "  mov " XS(D_IN) "+48(%rax), %rsi\n"
    "  mov " XS(D_IN) "+56(%rax), %rdi\n"
    "  mov " XS(D_IN) "+64(%rax), %r8\n"
    "  mov " XS(D_IN) "+72(%rax), %r9\n"
    "  mov " XS(D_IN) "+80(%rax), %r10\n"
    "  mov " XS(D_IN) "+88(%rax), %r11\n"
    "  mov " XS(D_IN) "+96(%rax), %r12\n"
    "  mov " XS(D_IN) "+104(%rax), %r13\n"
    "  mov " XS(D_IN) "+112(%rax), %r14\n"
    "  mov " XS(D_IN) "+120(%rax), %r15\n"
    "  mov " XS(D_IN) "+0(%rax), %rax\n"
    "  lretq\n"
    ".code32\n"
    "vs_in32:\n"
    "  call *(%esp)\n"
    "  ljmp *8(%esp)\n"
    /* a bare sysenter with the frame __kernel_vsyscall would leave */
    "vs_bare:\n"
    "  push %ecx; push %edx; push %ebp; mov %esp, %ebp\n"
    "  sysenter\n"
    "  ud2\n"
    /* ebp unreadable: -EFAULT through the iret path, then the landing
     * pad pops from esp = 0 */
    "vs_badbp:\n"
    "  xor %ebp, %ebp\n"
    "  sysenter\n"
    "  ud2\n"
    ".code64\n"
    /* sysenter from 64-bit code: Linux's compat entry takes it all the
     * same and returns into compatibility mode at the landing pad */
    "vs_sysenter64:\n"         /* rdi = the page, rsi = ebp's value */
    "  push %rbp; push %rbx; push %r12; push %r13; push %r14; push %r15\n"
    "  mov %rsp, " XS(D_SAVE_RSP) "(%rdi)\n"
    "  mov $0x2b, %eax; mov %eax, %ds; mov %eax, %es\n"
    "  mov %rsi, %rbp\n"
    "  mov " XS(D_IN) "+64(%rdi), %r8\n"
    "  mov " XS(D_IN) "+72(%rdi), %r9\n"
    "  mov " XS(D_IN) "+80(%rdi), %r10\n"
    "  mov " XS(D_IN) "+88(%rdi), %r11\n"
    "  mov " XS(D_IN) "+96(%rdi), %r12\n"
    "  mov " XS(D_IN) "+104(%rdi), %r13\n"
    "  mov " XS(D_IN) "+112(%rdi), %r14\n"
    "  mov " XS(D_IN) "+120(%rdi), %r15\n"
    "  mov $20, %eax\n"
    "  sysenter\n"
    "  ud2\n"
    "vs_back64:\n"
    "  pushfq; push %r15; push %r14; push %r13; push %r12; push %r11; push %r10; push %r9\n"
    "  push %r8; push %rdi; push %rsi; push %rbp; push %rsp; push %rbx; push %rdx; push %rcx\n"
    "  push %rax\n"
    "  lea vs_blob_start(%rip), %rax\n"
    "  mov " XS(D_SAVE_RSP) "(%rax), %rsp\n"
    "  pop %r15; pop %r14; pop %r13; pop %r12; pop %rbx; pop %rbp\n"
    "  ret\n"
    "vs_blob_end:\n"
    ".popsection\n");

extern char vs_blob_start[], vs_blob_end[], vs_go64[], vs_back64[], vs_bare[], vs_badbp[],
    vs_sysenter64[];

static char *page;
static sigjmp_buf jb;
static volatile int f_sig, f_code;
static uint64_t first_addr;
static volatile uint64_t f_addr, f_ip, f_cs, f_sp, f_r[8];

#define OFF(sym) ((size_t)((sym) - vs_blob_start))
#define D64(off) (*(uint64_t *)(page + (off)))
#define D32(off) (*(uint32_t *)(page + (off)))

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    f_sig = sig;
    f_code = si->si_code;
    f_addr = (uint64_t)si->si_addr;
    f_ip = uc->uc_mcontext.gregs[REG_RIP];
    f_cs = uc->uc_mcontext.gregs[REG_CSGSFS] & 0xffff;
    f_sp = uc->uc_mcontext.gregs[REG_RSP];
    for (int i = 0; i < 8; i++)
        f_r[i] = uc->uc_mcontext.gregs[REG_R8 + i];
    siglongjmp(jb, 1);
}

static const char *reg_name[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

/* The inputs: the call's number and arguments in the low halves, a
 * pattern above them; r8-r15 a pattern each. */
static void set_in(uint32_t nr, const uint32_t *arg)
{
    static const int argreg[6] = { 3, 1, 2, 6, 7, 5 };   /* ebx ecx edx esi edi ebp */
    for (int i = 0; i < 16; i++)
        D64(D_IN + 8 * i) = 0x5a00000000000000ull + ((uint64_t)i << 48) + ((uint64_t)i << 40) +
                            (0x123456789abc0000ull + (uint64_t)i) * (i >= 8);
    D64(D_IN) = nr;
    for (int i = 0; i < 6; i++)
        D64(D_IN + 8 * argreg[i]) = (0xa5a50000ull + (uint64_t)i) << 32 | arg[i];
    D64(D_IN + 128) = 0xad7;    /* CF PF AF ZF SF IF OF */
}

/* Enter 32-bit code, which calls target; 1 if a signal came instead. */
static int trip(uint32_t target)
{
    D32(S_ENTRY) = target;
    D32(S_BACK) = (uint32_t)(uintptr_t)(page + OFF(vs_back64));
    D32(S_BACK + 4) = 0x33;
    f_sig = 0;
    fflush(stdout);
    if (sigsetjmp(jb, 1))
        return 1;
    ((void (*)(char *))(page + OFF(vs_go64)))(page);
    return 0;
}

/* back64's pushes, under the two slots in32 read */
static uint64_t out(int i) { return D64(S_ENTRY - 17 * 8 + 8 * i); }

/* What each register holds afterwards: the input, its low half, 0, the
 * flags (r11), or something else. */
static void print_regs(void)
{
    uint64_t fl = out(16);
    printf("  rflags %#lx\n", (unsigned long)(fl & 0xcd5));
    printf(" ");
    for (int i = 1; i < 16; i++) {
        if (i == 4)
            continue;
        uint64_t v = out(i), in = D64(D_IN + 8 * i);
        const char *k = v == in ? "kept" : v == (uint32_t)in ? "low" : v == 0 ? "zero"
                      : v == fl ? "flags" : "other";
        printf(" %s=%s", reg_name[i], k);
    }
    printf("\n");
}

/* The signal, and what r8-r15 hold at the fault: the input, 0, the
 * flags the call started with (r11), or something else. */
static void fault_line(const char *what)
{
    printf("%s: sig %d cs %#lx ip==addr %d\n ", what, f_sig, (unsigned long)f_cs, f_ip == f_addr);
    for (int i = 0; i < 8; i++) {
        uint64_t v = f_r[i];
        printf(" %s=%s", reg_name[8 + i], v == D64(D_IN + 64 + 8 * i) ? "kept" : v == 0 ? "zero"
               : v == D64(D_IN + 128) ? "flags" : "other");
    }
    printf("\n");
}

static void unmap_vdso(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char l[512];
    unsigned long a[8], b[8];
    int n = 0;
    while (n < 8 && fgets(l, sizeof l, f))
        if (strstr(l, "[vvar") || strstr(l, "[vdso]"))
            if (sscanf(l, "%lx-%lx", &a[n], &b[n]) == 2)
                n++;
    fclose(f);
    for (int i = 0; i < n; i++)
        munmap((void *)a[i], b[i] - a[i]);
}

static unsigned long vdso_range(unsigned long *end)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char l[512];
    unsigned long a = 0, b = 0;
    while (fgets(l, sizeof l, f))
        if (strstr(l, "[vdso]"))
            sscanf(l, "%lx-%lx", &a, &b);
    fclose(f);
    *end = b;
    return a;
}

/* A bare sysenter, no 32-bit image: Linux returns to the 64-bit image's
 * base (or 0) plus its landing pad offset, cut to 32 bits. */
static void bare_sysenter(const char *what, unsigned long base)
{
    static const char msg[] = "  (written by a bare sysenter)\n";
    uint32_t arg[6] = { 1, (uint32_t)(uintptr_t)page + 0x1900, sizeof msg - 1, 0, 0, 0 };
    memcpy(page + 0x1900, msg, sizeof msg);
    set_in(4, arg);
    if (!trip((uint32_t)(uintptr_t)(page + OFF(vs_bare)))) {
        printf("%s: returned, eax %ld\n", what, (long)out(0));
        print_regs();
        return;
    }
    fault_line(what);
    uint64_t off = f_addr - (uint32_t)base;
    printf("  addr above the image's base (cut to 32 bits) by less than 8 KiB: %d\n",
           f_addr >= (uint32_t)base && off < 8192);
    printf("  addr as the first bare sysenter's: %d\n", f_addr == first_addr);
    if (!first_addr)
        first_addr = f_addr;
}

/* sysenter in 64-bit code (getpid) with ebp = bp: the fault comes in
 * compatibility mode at the 64-bit image's base + the pad, cut to 32
 * bits, with esp the low half of bp (sysretl; the iret path of an
 * unreadable [ebp] too, measured). */
static void sysenter64(const char *what, unsigned long base, uint64_t bp)
{
    static const uint32_t none[6];
    set_in(20, none);
    f_sig = 0;
    fflush(stdout);
    if (!sigsetjmp(jb, 1)) {
        ((void (*)(char *, uint64_t))(page + OFF(vs_sysenter64)))(page, bp);
        printf("%s: returned\n", what);
        return;
    }
    fault_line(what);
    printf("  addr as the first bare sysenter's: %d\n", f_addr == first_addr);
    printf("  addr above the image's base (cut to 32 bits) by less than 8 KiB: %d\n",
           f_addr >= (uint32_t)base && f_addr - (uint32_t)base < 8192);
    printf("  rsp: %s\n", f_sp == bp ? "ebp's value" : f_sp == (uint32_t)bp ? "its low half" : "other");
}

/* ebp above 4 GiB: its low half readable (a page mapped 4 GiB above
 * ours), then unreadable (a page unmapped below 4 GiB). */
static void sysenter64_high(unsigned long base)
{
    char *hi = mmap(page + (1ull << 32), 4096, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    char *gap = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (hi != page + (1ull << 32) || gap == MAP_FAILED) {
        printf("no pages for ebp above 4 GiB\n");
        return;
    }
    munmap(gap + 4096, 4096);
    sysenter64("sysenter in 64-bit code, ebp above 4 GiB", base, (uint64_t)(uintptr_t)hi + S_ENTRY);
    sysenter64("sysenter in 64-bit code, ebp above 4 GiB, low half unmapped", base,
               (uint64_t)(uintptr_t)gap + 4096 + 0x800 + (1ull << 32));
    munmap(hi, 4096);
    munmap(gap, 4096);
}

static void vsyscall(const char *what, uint32_t entry, uint32_t nr, const uint32_t *arg)
{
    set_in(nr, arg);
    if (trip(entry)) {
        fault_line(what);
        return;
    }
    printf("%s: eax ", what);
    if (nr == 20)
        printf("%s", out(0) == (uint64_t)getpid() ? "the pid" : "wrong");
    else if (nr == 192)
        printf("%s", (int64_t)out(0) < 0 ? "error" : "an address");
    else
        printf("%#lx", (unsigned long)out(0));
    printf("\n");
    print_regs();
}

static int alarm_pipe[2];

static void on_alarm(int sig)
{
    (void)sig;
    if (write(alarm_pipe[1], "x", 1) != 1)
        _exit(3);
}

/* A read through the gate that a signal interrupts (SA_RESTART): Linux
 * restarts it at the int $0x80 before the landing pad, through the iret
 * path, so r8-r15 come back as they were.  A child sends the signal only
 * once the parent has slept twice in a row (blocked in the read), so a
 * slow or loaded machine cannot deliver it before the read starts. */
static char proc_state(const char *path)
{
    char buf[512];
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    return p && p[1] == ' ' ? p[2] : '?';
}

static void signal_when_blocked(pid_t parent)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)parent);
    for (int i = 0, asleep = 0; i < 3000 && asleep < 2; i++) {
        usleep(20000);
        asleep = proc_state(path) == 'S' ? asleep + 1 : 0;
    }
    kill(parent, SIGALRM);
    _exit(0);
}

static void restarted_read(uint32_t entry)
{
    struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART | SA_ONSTACK };
    sigaction(SIGALRM, &sa, NULL);
    if (pipe(alarm_pipe) < 0)
        return;
    uint32_t rd[6] = { (uint32_t)alarm_pipe[0], (uint32_t)(uintptr_t)page + 0x1a00, 1, 0, 0, 0 };
    fflush(stdout);
    pid_t parent = getpid(), child = fork();
    if (child == 0)
        signal_when_blocked(parent);
    vsyscall("read restarted by SIGALRM", entry, 3, rd);
    printf("  read '%c'\n", page[0x1a00]);
    if (child > 0)
        waitpid(child, NULL, 0);
    close(alarm_pipe[0]);
    close(alarm_pipe[1]);
}

static void calls(uint32_t entry)
{
    static const char msg[] = "  (written through __kernel_vsyscall)\n";
    static const uint32_t none[6];
    uint32_t w[6] = { 1, (uint32_t)(uintptr_t)page + 0x1800, sizeof msg - 1, 0, 0, 0 };
    memcpy(page + 0x1800, msg, sizeof msg);
    vsyscall("getpid", entry, 20, none);
    vsyscall("write", entry, 4, w);
    vsyscall("nr 999", entry, 999, none);
    int fd = memfd_create("p", 0);
    char buf[8192] = { 0 };
    strcpy(buf + 4096, "second page");
    if (fd < 0 || write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) {
        printf("no memfd\n");
        return;
    }
    uint32_t m[6] = { 0, 4096, PROT_READ, MAP_PRIVATE, (uint32_t)fd, 1 };
    vsyscall("mmap2 offset 1 page", entry, 192, m);
    if ((int64_t)out(0) >= 0) {
        printf("  reads \"%s\"\n", (char *)(uintptr_t)out(0));
        munmap((void *)(uintptr_t)out(0), 4096);
    }
    close(fd);
    restarted_read(entry);
}

int main(void)
{
    static char altstack[65536];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    sigaltstack(&ss, NULL);
    struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER };
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    page = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (page == MAP_FAILED) {
        printf("no MAP_32BIT page\n");
        return 1;
    }
    memcpy(page, vs_blob_start, (size_t)(vs_blob_end - vs_blob_start));
    unsigned long end, base = vdso_range(&end);
    if (base)
        bare_sysenter("bare sysenter, 64-bit vDSO", base);
    else
        printf("no vDSO\n");
    if (f_sig == SIGSEGV && f_cs != 0x23) {
        printf("no compatibility mode\n");
        return 0;
    }
    if (base) {
        sysenter64("sysenter in 64-bit code", base, (uint64_t)(uintptr_t)page + S_ENTRY);
        sysenter64_high(base);
    }
    unmap_vdso();
    bare_sysenter("bare sysenter, no vDSO", 0);
    long r = syscall(SYS_arch_prctl, ARCH_MAP_VDSO_32, 0x30000000UL);
    printf("ARCH_MAP_VDSO_32: %ld\n", r);
    base = vdso_range(&end);
    if (r < 0 || !base)
        return 0;
    const Elf32_Ehdr *e = (const Elf32_Ehdr *)base;
    calls((uint32_t)(base + e->e_entry));
    bare_sysenter("bare sysenter, 32-bit vDSO", base);
    static const uint32_t none[6];
    set_in(20, none);
    if (trip((uint32_t)(uintptr_t)(page + OFF(vs_badbp)))) {
        fault_line("sysenter with ebp 0");
        printf("  addr %#lx\n", (unsigned long)f_addr);
    } else {
        printf("sysenter with ebp 0: returned\n");
    }
    printf("done\n");
    return 0;
}
