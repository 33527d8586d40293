/* insn_traps.c -- what a handler learns from each trap-like or refused
 * instruction in 64-bit mode (written by session 42's conformance probe,
 * independent of fault_trapno.c): int3 and int $n for n = 0, 1, 3, 4,
 * 0x10, 0xff (#BP/#OF traps, #GP with the IDT error code), into, the
 * privileged and I/O instructions (#GP), the invalid-in-64-bit opcodes,
 * ud0/ud1/ud2, lock on what takes none, a 15- and a 16-byte instruction,
 * mov to cs (register and memory source) and the non-existent segment
 * registers (#UD), bad selectors, iretq to a null frame, non-canonical
 * jumps/returns/loads, a load from the kernel half, #DE, a misaligned
 * vsyscall address (Linux: SIGSEGV SI_KERNEL), and int $0x80 from 64-bit
 * code (an i386 getpid).  Printed: signal, si_code, REG_TRAPNO, REG_ERR,
 * rip and si_addr relative to the instruction, and the arithmetic flags
 * (set to a known value just before). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <ucontext.h>
#include <sys/syscall.h>

static volatile int g_sig, g_code; static volatile long g_trap, g_err, g_rip, g_addr, g_fl;
static volatile long resume_to, resume_sp;
static void on_sig(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    g_sig = sig; g_code = si->si_code; g_addr = (long)si->si_addr;
    g_trap = uc->uc_mcontext.gregs[REG_TRAPNO]; g_err = uc->uc_mcontext.gregs[REG_ERR];
    g_rip = uc->uc_mcontext.gregs[REG_RIP]; g_fl = uc->uc_mcontext.gregs[REG_EFL];
    uc->uc_mcontext.gregs[REG_RIP] = resume_to;
    uc->uc_mcontext.gregs[REG_RSP] = resume_sp;     /* the cases push */
}

/* an address relative to the case's first byte when near it, else whole
 * (the vsyscall page, the kernel half) */
static const char *rel(long a, long s, char *out)
{
    if (a == 0) sprintf(out, "0");
    else if (a - s > -4096 && a - s < 4096) sprintf(out, "s%+ld", a - s);
    else sprintf(out, "%#lx", a);
    return out;
}

#define CASE(NAME, BYTES)                                                        \
    do {                                                                         \
        extern char NAME##_s[], NAME##_e[];                                      \
        char r1[32], r2[32];                                                    \
        g_sig = 0; g_code = g_trap = g_err = g_rip = g_addr = 0;                 \
        resume_to = (long)NAME##_e;                                              \
        __asm__ volatile("mov %%rsp, %0\n\tpushq $0x2c3\n\tpopfq\n.globl " #NAME "_s\n" #NAME "_s:\n\t" BYTES "\n.globl " #NAME "_e\n" #NAME "_e:\n\tnop" \
                         : "=m"(resume_sp) : : "memory", "cc", "rax", "rcx", "rdx", "rdi"); \
        printf("%-10s sig %2d code %3d trap %2ld err %#5lx rip %s addr %s fl %03lx\n", #NAME, g_sig, g_code, g_trap, g_err, \
               rel(g_sig ? g_rip : 0, (long)NAME##_s, r1), rel(g_addr, (long)NAME##_s, r2), g_fl & 0xcd5); \
    } while (0)

int main(void)
{
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_sig; sa.sa_flags = SA_SIGINFO;
    sigaction(SIGILL, &sa, 0); sigaction(SIGSEGV, &sa, 0); sigaction(SIGTRAP, &sa, 0);
    sigaction(SIGBUS, &sa, 0); sigaction(SIGFPE, &sa, 0);
    CASE(int3, ".byte 0xcc");
    CASE(int_3, ".byte 0xcd, 0x03");
    CASE(int_4, ".byte 0xcd, 0x04");
    CASE(int_1, ".byte 0xcd, 0x01");
    CASE(int_10, ".byte 0xcd, 0x10");
    CASE(int_ff, ".byte 0xcd, 0xff");
    CASE(int_0, ".byte 0xcd, 0x00");
    CASE(into, ".byte 0xce");
    CASE(hlt, "hlt");
    CASE(cli, "cli");
    CASE(sti, "sti");
    CASE(inb, "inb $0x80, %%al");
    CASE(outdx, "mov $0x80, %%dx\n\toutb %%al, %%dx");
    CASE(insb, "lea -64(%%rsp), %%rdi\n\tmov $0x80, %%dx\n\tinsb");
    CASE(lgdt, "lgdt (%%rsp)");
    CASE(movcr, "mov %%cr0, %%rax");
    CASE(movdr, "mov %%dr7, %%rax");
    CASE(wrmsr, "wrmsr");
    CASE(rdmsr, "rdmsr");
    CASE(invd, "invd");
    CASE(clts, "clts");
    CASE(ud2, "ud2");
    CASE(ud0, ".byte 0x0f, 0xff, 0xc0");
    CASE(ud1, ".byte 0x0f, 0xb9, 0xc0");
    CASE(aaa, ".byte 0x37");
    CASE(pusha, ".byte 0x60");
    CASE(bound, ".byte 0x62, 0x00, 0x00, 0x00, 0x00");
    CASE(lds, ".byte 0xc5, 0x00");
    CASE(jmpfar, ".byte 0xea, 0,0,0,0,0,0");
    CASE(pushcs, ".byte 0x0e");
    CASE(lock_nop, ".byte 0xf0, 0x90");
    CASE(lock_add_reg, ".byte 0xf0, 0x01, 0xc0");
    CASE(lock_mov, ".byte 0xf0, 0x89, 0x04, 0x24");
    CASE(longinsn, ".byte 0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66, 0x90");
    CASE(insn16, ".byte 0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66, 0x90");
    CASE(icebp, ".byte 0xf1");
    CASE(syscall_bad, "mov $100000, %%eax\n\tsyscall");
    CASE(movss_seg, "mov %%cs, %%ax\n\tmov %%ax, %%ss");
    CASE(mov_cs, "mov %%ds, %%ax\n\t.byte 0x8e, 0xc8");
    CASE(mov_cs_mem, "xor %%eax, %%eax\n\t.byte 0x8e, 0x08");
    CASE(mov_ss_reg6, ".byte 0x8e, 0xf0");
    CASE(mov_from_reg7, ".byte 0x8c, 0xf8");
    CASE(mov_es_bad, "mov $0x1234, %%ax\n\tmov %%ax, %%es");
    CASE(mov_fs_bad, "mov $0x2b, %%ax\n\tmov %%fs, %%cx\n\tmov %%ax, %%gs\n\tmov %%cx, %%ax");
    CASE(ltr, "ltr %%ax");
    CASE(sldt, "sldt %%ax");
    CASE(smsw, "smsw %%ax");
    CASE(str, "str %%ax");
    CASE(sgdt, "sgdt -16(%%rsp)");
    CASE(iretq_bad, "pushq $0\n\tpushq $0\n\tpushq $0\n\tpushq $0\n\tpushq $0\n\tiretq");
    CASE(ret_noncanon, "movabs $0x8000000000000000, %%rax\n\tpush %%rax\n\tret");
    CASE(jmp_noncanon, "movabs $0x8000000000000000, %%rax\n\tjmp *%%rax");
    CASE(ld_noncanon, "movabs $0x8000000000000000, %%rax\n\tmov (%%rax), %%rax");
    CASE(ld_kernel, "movabs $0xffffffff81000000, %%rax\n\tmov (%%rax), %%rax");
    CASE(ld_null, "xor %%eax, %%eax\n\tmov (%%rax), %%rax");
    CASE(divz, "xor %%ecx, %%ecx\n\tdiv %%ecx");
    CASE(divo, "mov $-1, %%ecx\n\tmov $0x80000000, %%eax\n\tcdq\n\tidiv %%ecx");
    CASE(vsys_bad, "movabs $0xffffffffff600100, %%rax\n\tcall *%%rax");
    {
        long r;
        /* (the kernel's int $0x80 path zeroes r8-r11) */
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory", "r8", "r9", "r10", "r11");  /* 32-bit getpid */
        printf("int80 getpid ok %d\n", r == getpid());
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(0x7fffL) : "memory", "r8", "r9", "r10", "r11");
        printf("int80 bad nr %ld\n", r);
    }
    return 0;
}
