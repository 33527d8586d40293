/* modify_ldt.c -- the modify_ldt system call as Linux answers it: func 0
 * reads the LDT (nothing before the first write; then nr_entries
 * descriptors, the rest of the count zero-filled, at most 8192 entries'
 * worth), 1 and 0x11 write one entry (old and new interface), 2 reads
 * the 128-byte "default LDT"; the descriptors Linux builds from struct
 * user_desc (every flag combination, both interfaces, the forms that
 * clear an entry), its errors (EINVAL, EFAULT, ENOSYS) and the raw rax
 * of an error (Linux returns an unsigned int: 0xffffffea, not -22); the
 * LDT is shared by threads, copied by fork and gone after execve.
 *
 * Only the system call is compared here: this host's CPU never sees the
 * LDT Linux keeps for the process (a paravirtualised kernel: lsl/lar
 * fail and loads #GP for every LDT selector), so what segment loads make
 * of the entries is pinned by tests/vm/ldt_cpu.c against Linux in a VM.
 * Selectors past the table's end are invalid on every CPU: checked. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

struct udesc {
    unsigned entry_number, base_addr, limit;
    unsigned seg_32bit : 1, contents : 2, read_exec_only : 1, limit_in_pages : 1,
        seg_not_present : 1, useable : 1, lm : 1;
};

/* rax as the kernel left it. */
static unsigned long raw_ldt(long func, void *ptr, unsigned long count)
{
    unsigned long rax = 154;
    __asm__ volatile("syscall" : "+a"(rax) : "D"(func), "S"(ptr), "d"(count) : "rcx", "r11", "memory");
    return rax;
}

static uint64_t table[8192 + 16];

static void dump(const char *what, unsigned long count)
{
    memset(table, 0xa5, sizeof table);
    unsigned long r = raw_ldt(0, table, count);
    printf("%s: read(%lu) = %#lx", what, count, r);
    uint64_t sum = 0;
    unsigned last = 0;
    for (unsigned i = 0; i < (count + 7) / 8 && i < 8192 + 16; i++) {
        sum = sum * 31 + table[i];
        if (table[i] && i * 8 < count)
            last = i;
    }
    printf(" last nonzero %u sum %016llx\n", last, (unsigned long long)sum);
}

static void write_one(const char *what, long func, struct udesc *u)
{
    unsigned long r = raw_ldt(func, u, sizeof *u);
    uint64_t d = 0;
    if (r == 0 && raw_ldt(0, table, 8 * (u->entry_number + 1)) == 8 * (u->entry_number + 1))
        d = table[u->entry_number];
    printf("%s func %#lx entry %u: %#lx desc %016llx\n", what, func, u->entry_number, r,
           (unsigned long long)d);
}

/* Every flag combination, through both interfaces, with a base and
 * limit that fill every descriptor field. */
static void flag_sweep(void)
{
    for (unsigned f = 0; f < 256; f++) {
        struct udesc u = { .entry_number = 3, .base_addr = 0x12345678, .limit = 0xabcde,
                           .seg_32bit = f & 1, .contents = f >> 1 & 3,
                           .read_exec_only = f >> 3 & 1, .limit_in_pages = f >> 4 & 1,
                           .seg_not_present = f >> 5 & 1, .useable = f >> 6 & 1, .lm = f >> 7 };
        char what[32];
        snprintf(what, sizeof what, "flags %#04x", f);
        write_one(what, 0x11, &u);
        write_one(what, 1, &u);
    }
}

/* The forms that clear an entry: the old interface's base 0 and limit 0
 * (any flags), the new one's LDT_empty (read_exec_only and
 * seg_not_present, nothing else); an all-zero user_desc is a present
 * data segment in the new interface. */
static void clearing(void)
{
    struct udesc u = { .entry_number = 4 };
    write_one("all zero", 0x11, &u);
    write_one("all zero", 1, &u);
    u.read_exec_only = 1, u.seg_not_present = 1;
    write_one("LDT_empty", 0x11, &u);
    u.lm = 1;
    write_one("LDT_empty+lm", 0x11, &u);
    u.lm = 0, u.useable = 1;
    write_one("LDT_empty+useable", 0x11, &u);
    u.useable = 0, u.limit = 1;
    write_one("limit 1", 1, &u);
    u.limit = 0, u.seg_32bit = 1, u.contents = 2;
    write_one("old base 0 limit 0", 1, &u);
}

static void errors(void)
{
    struct udesc u = { .entry_number = 8191, .limit = 5, .seg_32bit = 1 };
    printf("short count: %#lx\n", raw_ldt(0x11, &u, sizeof u - 1));
    printf("long count: %#lx\n", raw_ldt(1, &u, sizeof u + 1));
    printf("bad pointer: %#lx\n", raw_ldt(0x11, (void *)8, sizeof u));
    printf("func 3: %#lx\n", raw_ldt(3, &u, sizeof u));
    printf("func -1: %#lx\n", raw_ldt(-1, &u, sizeof u));
    printf("func 0x10: %#lx\n", raw_ldt(0x10, &u, sizeof u));
    u.entry_number = 8192;
    printf("entry 8192: %#lx\n", raw_ldt(0x11, &u, sizeof u));
    u.entry_number = 0xffffffff;
    printf("entry -1: %#lx\n", raw_ldt(0x11, &u, sizeof u));
    u.entry_number = 7, u.contents = 3;
    printf("conforming present: %#lx\n", raw_ldt(0x11, &u, sizeof u));
    u.seg_not_present = 1;
    printf("conforming not present: %#lx\n", raw_ldt(0x11, &u, sizeof u));
    printf("conforming old interface: %#lx\n", raw_ldt(1, &u, sizeof u));
    printf("read bad pointer: %#lx\n", raw_ldt(0, (void *)8, 64));
    printf("read default bad pointer: %#lx\n", raw_ldt(2, (void *)8, 64));
    errno = 0;
    long r = syscall(SYS_modify_ldt, 0x11, &u, 3);
    printf("glibc syscall(): %ld errno %d\n", r, errno);
}

static void read_default(void)
{
    unsigned long counts[] = { 0, 8, 100, 128, 129, 4096 };
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        memset(table, 0xa5, sizeof table);
        unsigned long r = raw_ldt(2, table, counts[i]);
        printf("default(%lu) = %#lx first %016llx byte 128 %02x\n", counts[i], r,
               (unsigned long long)table[0], ((uint8_t *)table)[128]);
    }
}

/* A read running into an unwritable page: EFAULT. */
static void read_edges(void)
{
    uint8_t *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(p + 4096, 4096, PROT_NONE);
    memset(p, 0xa5, 4096);
    unsigned long r = raw_ldt(0, p + 4096 - 24, 64);
    printf("read into a hole: %#lx first byte %02x\n", r, p[4096 - 24]);
    r = raw_ldt(0, p + 4096 - 8, 8);
    printf("read to the page end: %#lx\n", r);
    munmap(p, 8192);
}

static sigjmp_buf jb;
static volatile long fault_trap, fault_err, fault_sig;

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    (void)si;
    fault_sig = sig;
    fault_trap = uc->uc_mcontext.gregs[REG_TRAPNO];
    fault_err = uc->uc_mcontext.gregs[REG_ERR];
    siglongjmp(jb, 1);
}

/* Past nr_entries the CPU finds no descriptor: lsl/lar fail, a load is
 * #GP with the selector. */
static void past_the_end(unsigned idx)
{
    unsigned sel = idx << 3 | 7, lim = 0x5a5a, ar = 0x5a5a;
    unsigned char zl, za;
    __asm__("lsl %2, %0; setz %1" : "+r"(lim), "=q"(zl) : "r"(sel) : "cc");
    __asm__("lar %2, %0; setz %1" : "+r"(ar), "=q"(za) : "r"(sel) : "cc");
    printf("selector %#x: lsl zf %d %#x lar zf %d %#x", sel, zl, lim, za, ar);
    if (!sigsetjmp(jb, 1)) {
        __asm__ volatile("mov %0, %%es" : : "r"(sel));
        printf(" es loaded\n");
    } else {
        printf(" es: sig %ld trap %ld err %#lx\n", fault_sig, fault_trap, fault_err);
    }
}

static void *writer(void *arg)
{
    struct udesc u = { .entry_number = 9, .base_addr = 0x9000, .limit = 0x99, .seg_32bit = 1 };
    (void)arg;
    printf("thread write: %#lx\n", raw_ldt(0x11, &u, sizeof u));
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "exec")) {
        dump("after exec", 64);
        return 0;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO };
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);

    dump("no LDT yet", 64);
    past_the_end(0);
    read_default();
    errors();
    dump("after errors", 8 * 8192);
    flag_sweep();
    clearing();
    dump("after sweep", 64);
    dump("whole", 8 * 8192);
    dump("more than whole", 8 * 8192 + 100);
    dump("odd count", 13);
    read_edges();
    past_the_end(5);
    past_the_end(8191);

    pthread_t t;
    pthread_create(&t, NULL, writer, NULL);
    pthread_join(t, NULL);
    dump("after the thread's write", 128);
    past_the_end(10);

    pid_t pid = fork();
    if (pid == 0) {
        dump("fork child", 128);
        struct udesc u = { .entry_number = 11, .limit = 1, .seg_32bit = 1 };
        printf("child write: %#lx\n", raw_ldt(0x11, &u, sizeof u));
        dump("fork child after its write", 128);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    dump("parent after the child's write", 128);

    pid = fork();
    if (pid == 0) {
        execl("/proc/self/exe", argv[0], "exec", (char *)NULL);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("exec child status %d\n", WEXITSTATUS(st));
    return 0;
}
